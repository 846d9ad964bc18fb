"""Validation of records built in code: the canonical loader's cell rules, applied at construction.

An app that builds ``Purchase(procurement_type="Barang")`` must get what the loader
would have made of the same cell (``"barang"``), or a :class:`~perbup_rules.errors.RecordError`
naming the field, never a record the clauses silently misjudge. So every field is
passed through the very parser the loader uses for its column
(:data:`perbup_rules.importers.columns.PARSERS`): text is trimmed, codes are matched
case-insensitively and returned in their canonical spelling, money and dates given as
text are read by the same cell parsers (with the same refusal of ambiguous amounts),
and the loader's row checks (required cells but a purchase's stage, ``umk_value_idr <=
value_idr``, ``end_date >= start_date``) apply.

Importers validate per cell already and know the file and row to blame, so they build
records through ``Record.trusted(...)``, which skips this (see ``records.py``).
"""

from __future__ import annotations

import difflib
from typing import Any, Mapping

from . import errors
from .errors import RecordError

#: Fields that hold a tuple of items (parsed from a ';'-separated cell, or given as a list/tuple).
_TUPLE_FIELDS = frozenset({"supplies", "categories", "desa_reason_code", "kd_rup"})

_PARSERS: dict | None = None
_REQUIRED: dict | None = None


def _tables() -> tuple[dict, dict]:
    # Imported on first use: importers.columns imports records, which imports this module.
    global _PARSERS, _REQUIRED
    if _PARSERS is None:
        from .importers.columns import PARSERS, REQUIRED

        # The loader also requires a purchase's stage (a CSV row without one is a broken
        # export); a purchase built in code may leave it unknown, as the rule scenarios do
        # for a hotel's own purchases, which have no procurement stage.
        _PARSERS = PARSERS
        _REQUIRED = {t: cols - {"stage"} for t, cols in REQUIRED.items()}
    return _PARSERS, _REQUIRED  # type: ignore[return-value]


def _parse_field(kind: str, table: str, name: str, parse, value: Any) -> Any:
    from .importers.cells import CellError

    try:
        if name in _TUPLE_FIELDS:
            if value is None:
                return ()
            if isinstance(value, (list, tuple)):
                out: list[str] = []
                for item in value:
                    if not isinstance(item, str):
                        raise CellError(errors.BAD_VALUE, f"item {item!r} is not text")
                    out.extend(parse(item))
                return tuple(out)
            return parse(value)
        return parse(value)
    except CellError as err:
        raise RecordError(kind, name, err.code, err.reason, value) from None


def _pairs(kind: str, name: str, value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        value = tuple(value.items())
    if not isinstance(value, (list, tuple)):
        raise RecordError(kind, name, errors.BAD_VALUE, "must be (name, text) pairs", value)
    out = []
    for pair in value:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise RecordError(kind, name, errors.BAD_VALUE, f"{pair!r} is not a (name, text) pair", value)
        out.append((pair[0], pair[1]))
    return tuple(out)


def check(table: str, record: Any) -> None:
    """Normalise ``record``'s fields in place (it is frozen: object.__setattr__) or raise RecordError."""
    parsers, required = _tables()
    kind = type(record).__name__
    setattr_ = object.__setattr__
    raw_pattern = record.pattern if table == "partnerships" else None
    for name, parse in parsers[table].items():
        value = getattr(record, name)
        new = _parse_field(kind, table, name, parse, value)
        if new is None and name in required[table]:
            raise RecordError(kind, name, errors.REQUIRED_VALUE, "is empty but required", value)
        if new is not value:
            setattr_(record, name, new)
    for name in ("extra", "provenance"):
        if hasattr(record, name):
            value = getattr(record, name)
            new = _pairs(kind, name, value)
            if new != value or type(value) is not tuple:
                setattr_(record, name, new)
    if table == "purchases":
        value, umk = record.value_idr, record.umk_value_idr
        if value is not None and umk is not None and umk > value:
            from .importers.cells import exceeds  # only when raising (no import cycle)

            raise RecordError(kind, "umk_value_idr", errors.BAD_VALUE,
                              exceeds("umk_value_idr", umk, "value_idr", value).reason, umk)
    elif table == "reports":
        total, local = record.total_idr, record.local_umkk_idr
        if total is not None and local is not None and local > total:
            from .importers.cells import exceeds  # only when raising (no import cycle)

            raise RecordError(kind, "local_umkk_idr", errors.BAD_VALUE,
                              exceeds("local_umkk_idr", local, "total_idr", total).reason, local)
    elif table == "partnerships":
        if record.pattern_text is None and raw_pattern is not None:
            from .importers.columns import pattern_text

            text = pattern_text(raw_pattern)  # an unlisted pattern: `lainnya`, its words kept
            if text is not None:
                setattr_(record, "pattern_text", text)
        start, end = record.start_date, record.end_date
        if start and end and end < start:
            from .importers.cells import ends_before_start  # only when raising (no import cycle)

            raise RecordError(kind, "end_date", errors.BAD_VALUE, ends_before_start(end, start).reason, end)


def row_kwargs(table: str, kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for a record from a mapping of column -> cell (column names as in the CSV header).

    Column names match case-insensitively after trimming; a name that is no column goes to
    ``extra`` as text, unless it looks like a misspelt column (then RecordError, code
    ``unknown_field``), as the loader treats a header.
    """
    from .importers.cells import CellError, parse_text
    from .records import COLUMNS

    if not isinstance(row, Mapping):
        raise RecordError(kind, None, errors.WRONG_TYPE, f"a row must be a mapping of column to cell, not {type(row).__name__}", None)
    columns = COLUMNS[table]
    known = set(columns)
    kwargs: dict[str, Any] = {}
    extra: list[tuple[str, str]] = []
    for key, cell in row.items():
        if not isinstance(key, str):
            raise RecordError(kind, None, errors.WRONG_TYPE, f"column name {key!r} is not text", None)
        col = key.strip().lower()
        if col in known:
            if col in kwargs:
                raise RecordError(kind, col, errors.BAD_VALUE, f"column {col!r} is given twice", cell)
            kwargs[col] = cell
            continue
        near = difflib.get_close_matches(col, columns, n=1, cutoff=0.8)
        if near:
            raise RecordError(kind, key, errors.UNKNOWN_FIELD, f"{key!r} is no column; did you mean {near[0]!r}?", cell)
        try:
            text = parse_text(cell)
        except CellError as err:
            raise RecordError(kind, key, err.code, err.reason, cell) from None
        if text is not None:
            extra.append((key.strip(), text))
    if extra:
        kwargs["extra"] = tuple(extra)
    return kwargs
