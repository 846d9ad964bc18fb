"""Any :class:`~perbup_rules.records.Dataset` fed to DuckDB column-wise, for the bulk evaluator.

Every importer (canonical workbook, the LKPP exports, OCDS, several inputs linked,
registries applied) builds a Dataset; :func:`from_dataset` puts its purchases into the
``purchases`` table the bulk evaluator reads, one Python list per column handed to
DuckDB as a typed array and unnested (no SQL text, no temporary file, no object per
row beyond the records the importer already made).

The records stay the truth (``BulkData.per_row`` is set): SQL decides verdicts and
sums, while listed verdicts are re-judged on these very records, so exact amounts,
``extra`` columns and provenance are never rebuilt from the table. A money amount the
table cannot hold exactly (sen finer than 10 decimal places, or 28 digits before the
point) raises :class:`NotColumnWise`; the caller then judges per record.
"""

from __future__ import annotations

import datetime as _dt
import tempfile
from decimal import Decimal
from typing import Any

from ..records import COLUMNS, Dataset, Purchase
from .load import LIST_COLUMNS, MEMORY_LIMIT, SQL_TYPES, BulkData, _q

#: Money columns of a purchase: int rupiah, or Decimal when a source gave sen.
MONEY = ("value_idr", "umk_value_idr", "pagu_idr", "pdn_value_idr")

#: ``BulkData.per_row`` of a dataset fed from records (the records are the truth).
FROM_RECORDS = "the purchases were read by an importer; the table is fed from its records"


class NotColumnWise(Exception):
    """These records have a value the purchases table cannot hold exactly: judge per record."""


def connect(memory_limit: str = MEMORY_LIMIT) -> tuple[Any, str]:
    """A new in-memory DuckDB connection with a memory budget and a scratch folder to spill to."""
    import duckdb

    con = duckdb.connect()
    scratch = tempfile.mkdtemp(prefix="perbup-bulk-")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = {_q(memory_limit)}")
    con.execute(f"SET temp_directory = {_q(scratch)}")
    return con, scratch


def from_dataset(ds: Dataset, memory_limit: str = MEMORY_LIMIT) -> BulkData:
    """A :class:`BulkData` over ``ds``: its purchases in DuckDB, ``rownum`` = index + 2 (as the
    per-row fallback of :mod:`.load` numbers them), the records themselves kept as the truth.

    Raises:
        NotColumnWise: a money amount has no exact DECIMAL(38,10) form.
    """
    types = column_types(ds.purchases)  # before any connection: a refusal leaves nothing open
    con, scratch = connect(memory_limit)
    data = BulkData(con, ds, per_row=FROM_RECORDS, scratch=scratch)
    try:
        fill(con, "purchases", ds.purchases, types)
    except BaseException:
        data.close()
        raise
    return data


def column_types(records: list[Purchase]) -> dict[str, str]:
    """The SQL type of each purchases column for these records (money: HUGEINT, or DECIMAL(38,10)
    when some amount has sen)."""
    types = {"rownum": "BIGINT", **{n: SQL_TYPES[n] for n in COLUMNS["purchases"]}}
    for c in MONEY:
        sen = [v for p in records if isinstance(v := getattr(p, c), Decimal)]
        if not sen:
            continue
        for v in sen:  # DECIMAL(38,10): at most 10 places after the point, 28 before it
            if not v.is_finite() or v.as_tuple().exponent < -10 or v.adjusted() >= 28:  # type: ignore[operator]
                raise NotColumnWise(f"{c} {v} has no exact DECIMAL(38,10) form")
        types[c] = "DECIMAL(38,10)"
    return types


def fill(con: Any, name: str, records: list[Purchase], types: dict[str, str] | None = None) -> None:
    """Create table ``name`` (``rownum`` and every purchases column) from records, column-wise."""
    types = types or column_types(records)
    cols, params = [], []
    params.append(list(range(2, len(records) + 2)))
    cols.append("unnest($1::BIGINT[]) AS rownum")
    for c in COLUMNS["purchases"]:
        values = [getattr(p, c) for p in records]
        t = types[c]
        if all(v is None or v == () for v in values):  # a column the source does not have: no array to convert
            cols.append(f'CAST(NULL AS {t}) AS "{c}"')
            continue
        if c in LIST_COLUMNS:  # kept ';'-joined, NULL when empty (load.split_lists undoes it)
            values = [";".join(v) if v else None for v in values]
        elif t.startswith("DECIMAL") or t == "HUGEINT":  # exact through text: never a float
            values = [None if v is None else format(v, "f") if isinstance(v, Decimal) else str(v) for v in values]
            params.append(values)
            cols.append(f'CAST(unnest(${len(params)}::VARCHAR[]) AS {t}) AS "{c}"')
            continue
        _check(c, t, values)
        params.append(values)
        cols.append(f'unnest(${len(params)}::{t}[]) AS "{c}"')
    con.execute(f"CREATE TABLE {name} AS SELECT {', '.join(cols)}", params)


_PY = {"VARCHAR": (str,), "BOOLEAN": (bool,), "DATE": (_dt.date,), "INTEGER": (int,)}


def _check(column: str, sql_type: str, values: list) -> None:
    """Every value has the column's Python type (a record built past its checks is a bug here)."""
    want = _PY[sql_type]
    for v in values:
        if v is not None and (not isinstance(v, want) or (want == (int,) and isinstance(v, bool))
                              or (want == (_dt.date,) and isinstance(v, _dt.datetime))):
            raise NotColumnWise(f"{column} {v!r} is not {sql_type}")
