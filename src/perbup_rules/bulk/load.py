"""Column-wise loading of a canonical purchases.csv into DuckDB, with the per-row importer's verdicts.

The per-row importer (:mod:`perbup_rules.importers.canonical`) is the definition
of what a cell means. This module reaches the same records faster by splitting
the work:

* Cells in a *plain shape* (``1500000``, ``2025-03-31``, ``pd-pupr``, a code as
  spelled in the contract) are converted by SQL. For each shape, the per-row
  parser gives the same value, under every number convention a money column can
  have; ``tests/test_bulk.py`` checks this with hypothesis.
* The number convention of each money column is decided from the same evidence
  as the per-row loader's scan (:func:`_scan_money_sql`), before any row is read.
* A row with any other cell (``Rp 1.500.000``, ``31/3/2025``, a padded id, a
  bad value) is read by the per-row importer itself, so its value or its
  rejection (code, reason, column) is exactly what the per-row path says.
* Repeated ids, dangling party references and ``umk_value_idr > value_idr`` are
  decided in SQL over all rows, with the per-row importer's rules and wording.

A file the SQL reader might number differently from the per-row reader (blank
lines between records, rows of the wrong width, amounts with sen, anything
DuckDB's strict CSV reader refuses) is read by the per-row importer as a whole:
slower, never different. Parties, partnerships and yearly reports are small and
always read per row.
"""

from __future__ import annotations

import csv
import datetime as _dt
import mmap
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import errors
from ..errors import DataError, Diagnostic, SourceLocation
from ..i18n import msg
from ..importers.canonical import _find, _Reader
from ..importers.cells import MoneyScan, exceeds, problems_text
from ..importers.cells import numbers_note
from ..importers.columns import PARSERS, Plan, bind_money, plan_columns, scan_money
from ..importers.tables import CsvTable, _is_blank
from ..records import CHANNELS, COLUMNS, EXEMPTION_CODES, PROCUREMENT_TYPES, STAGES, Dataset, InputFile, Purchase

#: SQL type of each purchases column once parsed.
SQL_TYPES = {
    "id": "VARCHAR", "stage": "VARCHAR", "buyer_id": "VARCHAR", "ppk_id": "VARCHAR", "supplier_id": "VARCHAR",
    "category": "VARCHAR", "procurement_type": "VARCHAR", "method": "VARCHAR", "value_idr": "HUGEINT",
    "umk_value_idr": "HUGEINT", "reserved_for_umkk": "BOOLEAN", "exemption_reason": "VARCHAR", "date": "DATE",
    "currency": "VARCHAR", "pagu_idr": "HUGEINT", "fiscal_year": "INTEGER", "channel": "VARCHAR",
    "pdn_value_idr": "HUGEINT", "pdn": "BOOLEAN", "exemption_code": "VARCHAR",
    # list columns are kept ';'-joined (NULL when empty) and split again when records are rebuilt
    "desa_reason_code": "VARCHAR", "kd_rup": "VARCHAR", "kd_tender": "VARCHAR", "kd_nontender": "VARCHAR",
    "kd_paket": "VARCHAR",
}
#: Purchase columns holding a tuple of items.
LIST_COLUMNS = ("desa_reason_code", "kd_rup")

_TOKEN_RE = "[a-z0-9_]+"  # normalise_token leaves these unchanged
#: Whole rupiah written the Indonesian way, which parse_money reads as the same number under every
#: convention (cells.parse_money_as only decides the cells it refuses): three to six three-digit
#: dot groups (1.500.000), or after an Rp or IDR prefix (ASCII letters in any case, an optional dot
#: after Rp, ASCII spaces) plain digits or dot groups (Rp 250.000); either may end in ",0" or ",00".
#: At most 18 digits, as parse_money allows. A sign, other spaces or sen stay with the per-row reader.
_MONEY_GROUPED = (r"(([Rr][Pp]\.?|[Ii][Dd][Rr]) *([0-9]{1,18}|[0-9]{1,3}(\.[0-9]{3}){1,5})"
                  r"|[0-9]{1,3}(\.[0-9]{3}){2,5})(,00?)?")
_BOOL = {"true": True, "ya": True, "1": True, "yes": True, "false": False, "tidak": False, "0": False, "no": False}


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _in(values) -> str:
    return "(" + ", ".join(_q(v) for v in values) + ")"


def plain_sql(column: str, raw: str) -> tuple[str, str]:
    """(condition, value) SQL for a cell of ``column`` in a plain shape; the raw cell is not NULL."""
    if column in ("id", "buyer_id", "ppk_id", "supplier_id", "exemption_reason", "kd_tender", "kd_nontender", "kd_paket"):
        return _plain_text(raw), raw
    if column in LIST_COLUMNS:  # read by the per-row parser (items are trimmed and checked there)
        return "FALSE", "NULL"
    if column == "channel":
        return f"{raw} IN {_in(CHANNELS)}", raw
    if column == "exemption_code":
        return f"{raw} IN {_in(EXEMPTION_CODES)}", raw
    if column == "fiscal_year":
        return f"(regexp_full_match({raw}, '[0-9]{{4}}') AND {raw} BETWEEN '1900' AND '2200')", f"CAST({raw} AS INTEGER)"
    if column == "stage":
        return f"{raw} IN {_in(STAGES)}", raw
    if column == "procurement_type":
        return f"{raw} IN {_in(PROCUREMENT_TYPES)}", raw
    if column in ("category", "method"):
        return f"regexp_full_match({raw}, '{_TOKEN_RE}')", raw
    if column in ("value_idr", "umk_value_idr", "pagu_idr", "pdn_value_idr"):
        # 1500000, or 1500000,00 as Indonesian exports write it (the common case: one cheap test);
        # else the whole amounts parse_money reads alike under every number convention (_MONEY_GROUPED)
        return (f"(CASE WHEN regexp_full_match({raw}, '[0-9]{{1,18}}(,00?)?') THEN TRUE "
                f"ELSE regexp_full_match({raw}, '{_MONEY_GROUPED}') END)",
                f"CAST(replace(split_part(CASE WHEN ascii({raw}) BETWEEN 48 AND 57 THEN {raw} "
                f"ELSE regexp_replace({raw}, '^[^0-9]+', '') END, ',', 1), '.', '') AS HUGEINT)")
    if column in ("reserved_for_umkk", "pdn"):
        true = _in(k for k, v in _BOOL.items() if v)
        return f"{raw} IN {_in(_BOOL)}", f"({raw} IN {true})"
    if column == "date":  # 2025-03-31, or 31/03/2025, 31-03-2025
        dmy = f"substr({raw}, 7, 4) || '-' || substr({raw}, 4, 2) || '-' || substr({raw}, 1, 2)"
        iso_ok = (f"(regexp_full_match({raw}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND {raw} >= '0001' "
                  f"AND TRY_CAST({raw} AS DATE) IS NOT NULL)")
        dmy_ok = (f"(regexp_full_match({raw}, '[0-9]{{2}}/[0-9]{{2}}/[0-9]{{4}}|[0-9]{{2}}-[0-9]{{2}}-[0-9]{{4}}') "
                  f"AND substr({raw}, 7, 4) >= '0001' AND TRY_CAST({dmy} AS DATE) IS NOT NULL)")
        # as a CASE, not OR: DuckDB then builds the day-month-year text only for the cells that are
        # not ISO dates (with OR, for every cell: 0.2 of 0.9 s of the typed table at 1M purchases)
        return (f"(CASE WHEN {iso_ok} THEN TRUE ELSE {dmy_ok} END)",
                f"CASE WHEN substr({raw}, 3, 1) IN ('/', '-') THEN TRY_CAST({dmy} AS DATE) "
                f"ELSE TRY_CAST({raw} AS DATE) END")
    if column == "currency":
        return f"regexp_full_match({raw}, '[A-Z]{{3}}')", raw
    raise KeyError(column)


def _plain_text(raw: str) -> str:
    # ASCII only (as many characters as bytes), no whitespace or control character at either
    # end and no NUL: parse_text returns such a cell unchanged.
    return (f"(strlen({raw}) = length({raw}) AND ascii({raw}) > 32 AND ascii(right({raw}, 1)) > 32 "
            f"AND NOT contains({raw}, chr(0)))")


def empty_sql(column: str) -> str:
    """The SQL value of an empty cell (the per-row parser's value for None)."""
    v = PARSERS["purchases"][column](None)
    return "NULL" if v is None or v == () else _q(str(v))


class Fallback(Exception):
    """The file needs the per-row importer (the reason says why)."""


@dataclass
class BulkData:
    """A dataset whose purchases live in a DuckDB table ``purchases`` (one row per accepted record).

    ``dataset`` holds parties, partnerships, every rejection and the input counts;
    its ``purchases`` list stays empty unless the file was read per row
    (``per_row`` then says why), in which case the table is filled from it.
    """

    con: Any
    dataset: Dataset
    per_row: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    #: a temporary folder DuckDB may spill to (removed by close())
    scratch: str | None = None

    def close(self) -> None:
        """Close the DuckDB connection and remove its scratch folder."""
        self.con.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def purchases(self, where: str = "TRUE", params: list | None = None) -> list[Purchase]:
        """The accepted purchases matching a SQL condition, as records, in file order."""
        cols = ", ".join(f'"{c}"' for c in COLUMNS["purchases"])
        extras = "".join(f', "x_{i}"' for i in range(len(self.extra_columns)))
        if self.per_row is not None:  # the records read per row are the truth (exact Decimal amounts)
            rows = self.con.execute(f"SELECT rownum FROM purchases WHERE {where} ORDER BY rownum", params or []).fetchall()
            return [self.dataset.purchases[r[0] - 2] for r in rows]
        rows = self.con.execute(f"SELECT {cols}{extras} FROM purchases WHERE {where} ORDER BY rownum", params or []).fetchall()
        n = len(COLUMNS["purchases"])
        out = []
        for r in rows:
            extra = tuple((name, v) for name, v in zip(self.extra_columns, r[n:]) if v is not None)
            out.append(Purchase.trusted(*split_lists(r[:n]), extra=extra))
        return out


#: DuckDB's memory budget when load() opens the connection; beyond it, DuckDB spills to a scratch folder.
MEMORY_LIMIT = "400MB"


def load(folder: str | Path, con: Any = None, memory_limit: str = MEMORY_LIMIT) -> BulkData:
    """Read a canonical folder; purchases go into DuckDB column-wise (see the module docstring).

    ``con``: a DuckDB connection to use (default: a new in-memory one, with ``memory_limit``
    and a scratch folder to spill to; call ``close()`` on the result when done).

    Raises:
        DataError: as :func:`perbup_rules.load_dataset` does, for the same files.
    """
    import duckdb

    folder = Path(folder)
    if not folder.is_dir():
        raise DataError([Diagnostic(errors.UNREADABLE_INPUT, msg("diag.data.bulk_folder"),
                                    SourceLocation(str(folder)))])
    paths = {t: _find(folder, f"{t}.csv") for t in ("parties", "purchases", "partnerships", "reports")}
    missing = [Diagnostic(errors.UNREADABLE_INPUT, msg("diag.data.no_table_file", file=f"{t}.csv"), SourceLocation(str(folder / f"{t}.csv")))
               for t in ("parties", "purchases") if paths[t] is None]
    if missing:
        raise DataError(missing)
    scratch = None
    if con is None:
        con = duckdb.connect()
        scratch = tempfile.mkdtemp(prefix="perbup-bulk-")
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET memory_limit = {_q(memory_limit)}")
        con.execute(f"SET temp_directory = {_q(scratch)}")
    opened: dict[str, CsvTable] = {}
    try:
        for t, p in paths.items():
            if p is not None:
                opened[t] = CsvTable(p, str(p))
        plans: dict[str, Plan] = {}
        problems: list[Diagnostic] = []
        for t, tab in opened.items():
            plan, found = plan_columns(t, tab.header, tab.file)
            problems.extend(found)
            if plan is not None:
                plans[t] = plan
        if problems:
            raise DataError(problems)
        if plans["parties"].money_columns():
            bind_money(plans["parties"], scan_money(plans["parties"], opened["parties"].fresh_rows()))
        ds = Dataset()
        reader = _Reader(ds)
        reader.read(plans["parties"], opened["parties"].rows())
        pur = opened["purchases"]
        data = BulkData(con, ds, extra_columns=[name for name, _i in plans["purchases"].extra], scratch=scratch)
        try:
            _load_purchases(data, reader, plans["purchases"], pur)
        except Fallback as why:
            data.per_row = str(why)
            con.execute("DROP TABLE IF EXISTS purchases")
            ds.stats["purchases"].read = ds.stats["purchases"].accepted = ds.stats["purchases"].rejected = 0
            ds.rejected = [r for r in ds.rejected if r.table != "purchases"]
            if not plans["purchases"].numbers and plans["purchases"].money_columns():
                bind_money(plans["purchases"], scan_money(plans["purchases"], pur.fresh_rows()))
            reader.read(plans["purchases"], pur.rows())
            _table_from_records(data, ds.purchases)
        if "partnerships" in plans:
            reader.read(plans["partnerships"], opened["partnerships"].rows())
        if "reports" in plans:  # small, like partnerships: read per row (money convention first)
            if plans["reports"].money_columns():
                bind_money(plans["reports"], scan_money(plans["reports"], opened["reports"].fresh_rows()))
            reader.read(plans["reports"], opened["reports"].rows())
        ds.reports_read = "reports" in opened
        ds.sources.extend(InputFile(tab.file, tab.sha256, numbers=numbers_note(plans[t].numbers)) for t, tab in opened.items())
        return data
    finally:
        for tab in opened.values():
            tab.close()


def _delete(con: Any, rownums: list[int]) -> None:
    """Remove rejected rows from ``purchases`` (usually none or a few)."""
    if rownums:
        _table(con, "gone", {"rownum": "BIGINT"}, [[r] for r in rownums])
        con.execute("DELETE FROM purchases WHERE rownum IN (SELECT rownum FROM gone)")
        con.execute("DROP TABLE gone")


def _newlines(path: Path, stop: int | None = None) -> tuple[int, int]:
    """How many LF bytes the file has, and 1 if it ends with one (else 0). ``stop``: counting
    ends once that many are found (the first number is then at least ``stop``, the second 0)."""
    n, last = 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20 if stop is not None else 1 << 24):
            n += chunk.count(b"\n")
            last = chunk[-1:]
            if stop is not None and n >= stop:
                return n, 0
    return n, int(last == b"\n")


def _has_blank_line(path: Path) -> bool:
    """True when a blank line is followed by more data (DuckDB skips it; the per-row reader numbers it)."""
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
            end = len(m)
            while end > 0 and m[end - 1:end] in (b"\n", b"\r", b" ", b"\t"):
                end -= 1  # blank lines at the very end number nothing
            return any(0 <= m.find(pat, 0, end) for pat in (b"\n\n", b"\n\r\n", b"\r\r"))


def _load_purchases(data: BulkData, reader: _Reader, plan: Plan, table: CsvTable) -> None:
    import duckdb

    con = data.con
    width = plan.width
    colspec = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    delim = table.delimiter.replace("\t", "\\t")
    try:
        con.execute(
            f"CREATE TEMP TABLE raw AS SELECT * FROM read_csv({_q(str(table.path))}, header=false, skip=1, "
            f"auto_detect=false, all_varchar=true, delim='{delim}', quote='\"', escape='\"', strict_mode=true, "
            f"null_padding=false, columns={colspec})")
    except duckdb.Error as err:
        raise Fallback(f"DuckDB's strict CSV reader refused it ({type(err).__name__})") from None
    # DuckDB skips blank lines that the per-row reader numbers. One line per record (the common
    # case, checked by counting newlines) rules them out without searching for them.
    records = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    newlines, final = table.newlines, int(table.ends_with_newline)  # as _newlines(table.path) counts
    if newlines != records + final and _has_blank_line(table.path):
        con.execute("DROP TABLE raw")
        raise Fallback("the file has blank lines between records")
    # Only the raw table needs file order (its rowid is the record number); every later table
    # carries its row number as a column, so DuckDB may build them in parallel, in any order.
    con.execute("SET preserve_insertion_order = false")
    try:
        bind_money(plan, _scan_money_sql(con, plan))
        _split(data, reader, plan, table.file)
    finally:
        con.execute("DROP TABLE IF EXISTS raw")


def _scan_money_sql(con: Any, plan: Plan) -> dict[str, MoneyScan]:
    """columns.scan_money over the raw table: plain digits are counted in SQL, other cells scanned in Python.

    A cell of plain digits settles nothing but, from 1000 up, that its column is not
    written with dot groups (MoneyScan's breaker); only the rest, usually few, is
    fetched (in batches, so memory stays bounded).
    """
    scans: dict[str, MoneyScan] = {}
    for _k, col in plan.money_columns():
        scan = scans[col.name] = MoneyScan()
        c = f"c{col.index}"
        long = f"regexp_full_match({c}, '[0-9]{{4,}}')"
        row, cell, texts = con.execute(f"SELECT min(rowid) FILTER (WHERE {long}), arg_min({c}, rowid) FILTER (WHERE {long}), "
                                       f"count(*) FILTER (WHERE {c} <> '') FROM raw").fetchone()
        if row is not None:
            scan.add(row + 2, cell)
        cur = con.execute(f"SELECT rowid + 2, {c} FROM raw WHERE {c} IS NOT NULL AND NOT regexp_full_match({c}, '[0-9]+')")
        while batch := cur.fetchmany(10_000):
            for row, cell in batch:
                scan.add(row, cell)
        scan.texts = texts
    return scans


def _split(data: BulkData, reader: _Reader, plan: Plan, file: str) -> None:
    con, ds = data.con, data.dataset
    cols = {c.name: c for c in plan.columns}
    raw = {name: (f"c{c.index}" if c.index is not None else None) for name, c in cols.items()}
    extras = [f"c{i}" for _n, i in plan.extra]
    # Per column: is the cell plain (or empty), and its SQL value.
    plain, value = [], {}
    for name, col in cols.items():
        r = raw[name]
        if r is None:
            value[name] = empty_sql(name)
            continue
        cond, val = plain_sql(name, r)
        # an empty required cell is a rejection: the per-row reader words it
        plain.append(f"({r} IS NOT NULL AND {cond})" if col.required else f"({r} IS NULL OR {cond})")
        value[name] = f"CASE WHEN {r} IS NULL THEN {empty_sql(name)} ELSE {val} END"
    plain += [f"({x} IS NULL OR {_plain_text(x)})" for x in extras]
    blank = " AND ".join(f"c{i} IS NULL" for i in range(plan.width))
    plain_all = " AND ".join(plain) or "TRUE"
    # Typed table of every row, with its plain flag (other cells are cast to NULL for now).
    select = ", ".join(f'CAST(CASE WHEN plain THEN {value[n]} END AS {SQL_TYPES[n]}) AS "{n}"'
                       for n in COLUMNS["purchases"])
    xsel = "".join(f', {x} AS "x_{j}"' for j, x in enumerate(extras))
    con.execute(f"CREATE TABLE purchases AS SELECT rownum, {select}{xsel}, plain FROM "
                f"(SELECT rowid + 2 AS rownum, {plain_all} AS plain, * FROM raw WHERE NOT ({blank}))")
    n_read = con.execute("SELECT count(*) FROM purchases").fetchone()[0]
    # Rows with any other cell are read by the per-row importer's own cell logic.
    slow = con.execute("SELECT rowid + 2, * FROM raw WHERE rowid IN "
                       "(SELECT rownum - 2 FROM purchases WHERE NOT plain) ORDER BY rowid").fetchall()
    if slow:
        con.execute("DELETE FROM purchases WHERE NOT plain")
    slow_values: dict[int, tuple] = {}
    ids: list[tuple[int, str | None]] = []
    for r in slow:
        cells_ = list(r[1:])
        if _is_blank(cells_):  # whitespace only: the per-row reader skips it (numbered, not read)
            n_read -= 1
            continue
        values, extra, problems = reader._cells(plan, cells_)
        slow_values[r[0]] = (values, extra, problems)
        ids.append((r[0], values[0]))
    _table(con, "slow_ids", {"rownum": "BIGINT", "id": "VARCHAR"}, ids)
    # The first row of each id claimed more than once (the per-row reader's duplicate rule; the
    # ids claimed once, nearly all, are not kept: the joins below then read a small table).
    con.execute("""CREATE TEMP TABLE firsts AS SELECT id, min(rownum) AS first FROM
                   (SELECT rownum, id FROM purchases UNION ALL SELECT rownum, id FROM slow_ids)
                   WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1""")
    # Parties: accepted and rejected ids, for the reference checks.
    _table(con, "party_ok", {"id": "VARCHAR"}, [(k,) for k in ds.parties])
    _table(con, "party_bad", {"id": "VARCHAR", "rownum": "BIGINT"}, list(reader.rejected_parties.items()))
    # Slow rows: a repeated id first (the per-row order), then their cell problems.
    rejects: list[tuple] = []  # (row, code, reason, column, id)
    firsts = dict(con.execute("SELECT s.rownum, f.first FROM slow_ids s JOIN firsts f ON s.id = f.id").fetchall())
    good = []
    for row, (values, extra, problems) in slow_values.items():
        rid = values[0]
        if firsts.get(row, row) < row:
            rejects.append((row, errors.DUPLICATE_ROW, f"purchase id {rid!r} repeats an earlier row", "id", rid))
        elif problems:
            col, err = problems[0]
            rejects.append((row, err.code, problems_text(problems), col, rid))
        else:
            good.append((row, values, extra))
    # Those that parsed join the table (through a typed temporary CSV: fast for any count).
    if any(isinstance(v[i], Decimal) for _r, v, _x in good for i in (8, 9)):
        raise Fallback("some amounts have sen (decimals)")
    if good:
        _insert_records(con, data.extra_columns, good)
    # Repeated ids among the plain rows (the slow ones in the table are first occurrences).
    dup = con.execute("""SELECT p.rownum, p.id FROM purchases p JOIN firsts f ON p.id = f.id
                         WHERE p.rownum > f.first ORDER BY p.rownum""").fetchall()
    for row, rid in dup:
        rejects.append((row, errors.DUPLICATE_ROW, f"purchase id {rid!r} repeats an earlier row", "id", rid))
    _delete(con, [r[0] for r in dup])
    # Plain rows whose only problem needs both amounts, then dangling references (in the per-row order).
    over = con.execute("""SELECT rownum, id, umk_value_idr, value_idr FROM purchases
                          WHERE umk_value_idr > value_idr AND rownum NOT IN (SELECT rownum FROM slow_ids) ORDER BY rownum""").fetchall()
    for row, rid, umk, val in over:
        problem = [("umk_value_idr", exceeds("umk_value_idr", umk, "value_idr", val))]  # as the per-row reader words it
        rejects.append((row, errors.BAD_VALUE, problems_text(problem), "umk_value_idr", rid))
    _delete(con, [r[0] for r in over])
    dangling = con.execute("""SELECT p.rownum, p.id, p.buyer_id, p.supplier_id,
                                     p.buyer_id IS NOT NULL AND b.id IS NULL, bb.rownum,
                                     p.supplier_id IS NOT NULL AND s.id IS NULL, sb.rownum
                              FROM purchases p
                              LEFT JOIN party_ok b ON p.buyer_id = b.id LEFT JOIN party_bad bb ON p.buyer_id = bb.id
                              LEFT JOIN party_ok s ON p.supplier_id = s.id LEFT JOIN party_bad sb ON p.supplier_id = sb.id
                              WHERE (p.buyer_id IS NOT NULL AND b.id IS NULL) OR (p.supplier_id IS NOT NULL AND s.id IS NULL)
                              ORDER BY p.rownum""").fetchall()
    for row, rid, buyer, supplier, bad_b, b_row, _bad_s, s_row in dangling:
        col, ref, prow = ("buyer_id", buyer, b_row) if bad_b else ("supplier_id", supplier, s_row)
        reason = (f"{col} {ref!r} names a party that was rejected (parties row {prow})" if prow is not None
                  else f"{col} {ref!r} names no party in parties")
        rejects.append((row, errors.UNKNOWN_REFERENCE, reason, col, rid))
    _delete(con, [r[0] for r in dangling])
    for row, code, reason, col, rid in sorted(rejects, key=lambda r: r[0]):
        ds.reject("purchases", file, row, code, reason, col, rid)
    stats = ds.stats["purchases"]
    stats.read = n_read
    stats.accepted = con.execute("SELECT count(*) FROM purchases").fetchone()[0]
    for t in ("slow_ids", "firsts", "party_ok", "party_bad"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    if stats.read != stats.accepted + stats.rejected:  # pragma: no cover - a bug, never data
        raise AssertionError(f"bulk load lost rows: read {stats.read}, accepted {stats.accepted}, rejected {stats.rejected}")


def _table(con: Any, name: str, columns: dict[str, str], rows: list, temp: bool = True) -> None:
    """Create a temporary table from Python rows (through a CSV file: executemany is slow in DuckDB).

    ``None`` (and an empty list) is written as a null marker that no cell of the rows equals, so
    an empty string stays an empty string (DuckDB reads an empty cell, quoted or not, as NULL):
    an atom row of a decision without atoms is the key ``''``, and must not become NULL.
    Records end in ``\r\n`` and DuckDB is told so (``new_line``): a cell's own line break (a
    ``keterangan`` of two lines, a lone ``\r``) is then text inside quotes; without it DuckDB's
    reader refused such a file ("unterminated quote", "state machine reached an invalid state").
    """
    spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
    null = "\\N"
    while True:
        clash = False

        def cell(v: Any, null: str = null) -> str:
            nonlocal clash
            if v is None or v == ():
                return null
            c = _cell(v)
            if c == null:
                clash = True
            return c

        fd, path = tempfile.mkstemp(suffix=".csv")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                csv.writer(fh, lineterminator="\r\n").writerows([[cell(v) for v in r] for r in rows])
            if clash:  # a cell spells the marker: write again with a longer one
                null += "N"
                continue
            con.execute(f"CREATE {'TEMP ' if temp else ''}TABLE {name} AS SELECT * FROM read_csv({_q(path)}, "
                        f"header=false, auto_detect=false, delim=',', quote='\"', escape='\"', "
                        f"new_line='\\r\\n', nullstr={_q(null)}, columns={spec})")
            return
        finally:
            os.unlink(path)


def _insert_records(con: Any, extra_columns: list[str], rows: list[tuple[int, list, tuple]]) -> None:
    """Insert parsed rows (row number, values, extra) into ``purchases``."""
    types = {"rownum": "BIGINT", **{n: SQL_TYPES[n] for n in COLUMNS["purchases"]},
             **{f"x_{j}": "VARCHAR" for j in range(len(extra_columns))}}
    flat = [[row, *values, *[dict(extra).get(n) for n in extra_columns]] for row, values, extra in rows]
    _table(con, "new_rows", types, flat)
    con.execute("INSERT INTO purchases BY NAME SELECT * FROM new_rows")
    con.execute("DROP TABLE new_rows")


_LIST_POS = tuple(COLUMNS["purchases"].index(c) for c in LIST_COLUMNS)


def split_lists(values, positions: tuple[int, ...] = _LIST_POS) -> list:
    """Purchase column values from SQL with the ';'-joined list columns as tuples again
    (``positions``: where the list columns are, when the values are not every column in order)."""
    values = list(values)
    for i in positions:
        v = values[i]
        values[i] = tuple(v.split(";")) if v else ()
    return values


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, tuple):
        return ";".join(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def _table_from_records(data: BulkData, records: list[Purchase]) -> None:
    """Fill the ``purchases`` table from records read per row (the fallback); ``rownum`` is the index + 2."""
    types = {"rownum": "BIGINT", **{n: SQL_TYPES[n] for n in COLUMNS["purchases"]},
             **{f"x_{j}": "VARCHAR" for j in range(len(data.extra_columns))}}
    for c in ("value_idr", "umk_value_idr", "pagu_idr", "pdn_value_idr"):
        if any(isinstance(getattr(p, c), Decimal) for p in records):
            types[c] = "DECIMAL(38,10)"
    rows = [[i + 2, *[getattr(p, c) for c in COLUMNS["purchases"]], *[dict(p.extra).get(n) for n in data.extra_columns]]
            for i, p in enumerate(records)]
    _table(data.con, "purchases", types, rows, temp=False)
