"""The canonical columns: how each cell is parsed, which are required, and matching a header to them."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple, Sequence

from .. import errors
from ..errors import Diagnostic, SourceLocation
from ..i18n import msg
from ..records import (
    CHANNELS,
    COLUMNS,
    DESA_REASON_CODES,
    EXEMPTION_CODES,
    LEGAL_FORMS,
    OTHER_PATTERN,
    PARTY_KINDS,
    PATTERNS,
    PROCUREMENT_TYPES,
    REPORT_KINDS,
    SCALES,
    STAGES,
)
from . import cells
from .cells import CellError

Parser = Callable[[object], object]

_CURRENCY = re.compile(r"[A-Za-z]{3}")


def _currency(value: object) -> str:
    s = cells.parse_text(value)
    if s is None:
        return "IDR"  # the contract's default: amounts are rupiah unless a row says otherwise
    if not _CURRENCY.fullmatch(s):
        raise CellError(errors.BAD_VALUE, f"{s!r} is not a three-letter currency code such as IDR")
    return s.upper()


def _code(allowed: tuple[str, ...], what: str) -> Parser:
    return lambda v: cells.parse_code(v, allowed, what)


def parse_pattern(value: object) -> str | None:
    """A kemitraan pattern: a listed code (any case), else ``lainnya``: the law's list is open
    (UU 20/2008 Pasal 26 as amended: "bentuk kemitraan lain"), so an unlisted pattern is a real
    agreement, not a bad row; :func:`pattern_text` keeps its words."""
    s = cells.parse_text(value)
    if s is None:
        return None
    token = cells.normalise_token(s)
    return token if token in PATTERNS else OTHER_PATTERN


def pattern_text(value: object) -> str | None:
    """The source's words for a pattern outside the list (None for a listed code or an empty cell)."""
    try:
        s = cells.parse_text(value)
    except CellError:
        return None
    if s is None or cells.normalise_token(s) in PATTERNS:
        return None
    return s


def _star_rating(value: object) -> int | None:
    return cells.parse_int(value, 1, 5)


def _year(value: object) -> int | None:
    return cells.parse_int(value, 1900, 2200)


def _codes(allowed: tuple[str, ...], what: str) -> Parser:
    def parse(value: object) -> tuple[str, ...]:
        items = cells.parse_list(value)
        for item in items:
            cells.parse_code(item, allowed, what)
        return items

    return parse


def _keys(value: object) -> tuple[str, ...]:
    """Source keys joined by ';' (kd_rup may hold several codes): trimmed, empty items dropped, case kept."""
    s = cells.parse_text(value)
    return () if s is None else tuple(k.strip() for k in s.split(";") if k.strip())


#: Column -> parser, per table. Every column of records.COLUMNS appears once.
PARSERS: dict[str, dict[str, Parser]] = {
    "parties": {
        "id": cells.parse_text,
        "name": cells.parse_text,
        "kind": _code(PARTY_KINDS, "party kind"),
        "legal_form": _code(LEGAL_FORMS, "legal form"),
        "capital_idr": cells.parse_money,
        "annual_sales_idr": cells.parse_money,
        "scale": _code(SCALES, "scale"),
        "kecamatan": cells.parse_text,
        "desa": cells.parse_text,
        "kabupaten": cells.parse_text,
        "supplies": cells.parse_list,
        "star_rating": _star_rating,
        "licensed": cells.parse_bool,
        "kabupaten_code": cells.parse_text,
        "kecamatan_code": cells.parse_text,
        "desa_code": cells.parse_text,
    },
    "purchases": {
        "id": cells.parse_text,
        "stage": _code(STAGES, "stage"),
        "buyer_id": cells.parse_text,
        "ppk_id": cells.parse_text,
        "supplier_id": cells.parse_text,
        "category": cells.parse_token,
        "procurement_type": _code(PROCUREMENT_TYPES, "procurement type"),
        "method": cells.parse_token,
        "value_idr": cells.parse_money,
        "umk_value_idr": cells.parse_money,
        "reserved_for_umkk": cells.parse_bool,
        "exemption_reason": cells.parse_text,
        "date": cells.parse_date,
        "currency": _currency,
        "pagu_idr": cells.parse_money,
        "fiscal_year": _year,
        "channel": _code(CHANNELS, "channel"),
        "pdn_value_idr": cells.parse_money,
        "pdn": cells.parse_bool,
        "exemption_code": _code(EXEMPTION_CODES, "exemption code"),
        "desa_reason_code": _codes(DESA_REASON_CODES, "desa reason code"),
        "kd_rup": _keys,
        "kd_tender": cells.parse_text,
        "kd_nontender": cells.parse_text,
        "kd_paket": cells.parse_text,
    },
    "partnerships": {
        "id": cells.parse_text,
        "party_id": cells.parse_text,
        "partner_id": cells.parse_text,
        "pattern": parse_pattern,
        "categories": cells.parse_list,
        "start_date": cells.parse_date,
        "end_date": cells.parse_date,
        "written": cells.parse_bool,
        "reported_to_dinas": cells.parse_bool,
        "purchase_id": cells.parse_text,
        "reported_date": cells.parse_date,
        "pattern_text": cells.parse_text,
    },
    "reports": {
        "id": cells.parse_text,
        "party_id": cells.parse_text,
        "year": _year,
        "kind": _code(REPORT_KINDS, "report kind"),
        "total_idr": cells.parse_money,
        "local_umkk_idr": cells.parse_money,
        "submitted_date": cells.parse_date,
    },
}

#: Cells that must not be empty. Kept minimal: everything else may be unknown (None)
#: and the clauses report cannot_determine. A purchase without a stage would be
#: counted in the plan and the award totals alike; a partnership without both
#: sides is not a partnership.
REQUIRED: dict[str, frozenset[str]] = {
    "parties": frozenset({"id"}),
    "purchases": frozenset({"id", "stage"}),
    "partnerships": frozenset({"id", "party_id", "partner_id"}),
    # a report is one party's, for one year, of one kind (the key that may not repeat)
    "reports": frozenset({"id", "party_id", "year", "kind"}),
}

#: Columns whose values refer to a party, per table.
REFERENCES: dict[str, tuple[str, ...]] = {
    "parties": (),
    "purchases": ("buyer_id", "supplier_id"),
    "partnerships": ("party_id", "partner_id"),
    "reports": ("party_id",),
}

#: Position of a column in its table's value list (column names are unique across the checks below).
POS = {col: COLUMNS[t].index(col) for t in ("purchases", "partnerships", "reports")
       for col in ("start_date", "end_date", "value_idr", "umk_value_idr", "pattern", "pattern_text",
                   "total_idr", "local_umkk_idr", "party_id", "year", "kind")
       if col in COLUMNS[t] and not (t != "reports" and col in ("party_id", "year", "kind"))}

#: Most distinct raw values remembered per column (see Column.cache).
CACHE_LIMIT = 65_536


class Column(NamedTuple):
    """How to read one canonical column of a table (a tuple: unpacked once per cell)."""

    name: str
    index: int | None
    parse: Parser
    required: bool
    empty: object
    # raw cell -> parsed value, for columns whose values repeat (codes, dates,
    # party ids, categories). Besides skipping the parse, a hit hands back the
    # very same object, so a million rows share one "pd-pupr" string and one
    # date per day instead of holding a copy each.
    cache: dict | None


@dataclass
class Plan:
    """How to read one table: its columns, the extra columns kept as-is, and the header width.

    ``numbers``: money column -> the number convention its cells are read by, once
    :func:`bind_money` has decided it from a scan of the file.
    """

    table: str
    file: str
    columns: list[Column]
    extra: list[tuple[str, int]]
    width: int
    numbers: dict[str, cells.Convention] = field(default_factory=dict)

    def money_columns(self) -> list[tuple[int, Column]]:
        """(position in columns, column) of the money columns present in the file."""
        return [(k, c) for k, c in enumerate(self.columns) if c.index is not None and PARSERS[self.table][c.name] is cells.parse_money]


def scan_money(plan: Plan, rows: Iterable[tuple[int, Sequence[object]]]) -> dict[str, cells.MoneyScan]:
    """Scan the money columns of a table's rows (one streamed pass) for their number convention."""
    cols = [(c.name, c.index) for _k, c in plan.money_columns()]
    scans = {name: cells.MoneyScan() for name, _i in cols}
    if not cols:
        return scans
    adds = [(scans[name].add, i) for name, i in cols]
    for row, raw in rows:
        n = len(raw)
        for add, i in adds:
            if i < n:  # type: ignore[operator]
                add(row, raw[i])  # type: ignore[index]
    return scans


def bind_money(plan: Plan, scans: dict[str, cells.MoneyScan]) -> None:
    """Decide each money column's convention from its scan and read its cells by it."""
    for k, col in plan.money_columns():
        conv = cells.decide_money(scans.get(col.name) or cells.MoneyScan())
        plan.numbers[col.name] = conv
        plan.columns[k] = col._replace(parse=functools.partial(cells.parse_money_as, convention=conv))


#: Columns whose values are (nearly) unique per row: caching them would only cost memory.
UNCACHED = frozenset({
    "id", "name", "capital_idr", "annual_sales_idr", "value_idr", "umk_value_idr", "pagu_idr", "pdn_value_idr",
    "total_idr", "local_umkk_idr",
    "kd_rup", "kd_tender", "kd_nontender", "kd_paket",
})


def plan_columns(table: str, header: list[str] | None, file: str) -> tuple[Plan | None, list[Diagnostic]]:
    """Match a header against the contract; return the reading plan or the problems found."""
    if header is None:
        return None, [Diagnostic(errors.MISSING_COLUMN, msg("diag.data.empty_file", table=table), SourceLocation(file, 1))]
    names = [str(h).strip() for h in header]
    index: dict[str, int] = {}
    problems: list[Diagnostic] = []
    for i, name in enumerate(names):
        key = name.lower()
        if not key:
            continue
        if key in index:
            problems.append(Diagnostic(errors.UNREADABLE_INPUT, msg("diag.data.column_twice", column=repr(name)), SourceLocation(file, 1)))
        index.setdefault(key, i)
    known = set(COLUMNS[table])
    unknown = [n for n in names if n and n.lower() not in known]
    for col in COLUMNS[table]:
        if col in index:
            continue
        # An absent optional column reads as empty, but a near-miss spelling is
        # almost always a typo that would silently blank the whole column.
        near = difflib.get_close_matches(col, [u.lower() for u in unknown], n=1, cutoff=0.8)
        if near:
            problems.append(
                Diagnostic(
                    errors.MISSING_COLUMN,
                    msg("diag.data.column_misspelt", table=table, column=repr(col), near=repr(near[0])),
                    SourceLocation(file, 1),
                    hint=msg("diag.hint.rename_column", near=repr(near[0]), column=repr(col)),
                )
            )
        elif col in REQUIRED[table]:
            problems.append(Diagnostic(errors.MISSING_COLUMN, msg("diag.data.required_column", table=table, column=repr(col)), SourceLocation(file, 1)))
    if problems:
        return None, problems
    columns = [
        Column(col, index.get(col), PARSERS[table][col], col in REQUIRED[table], PARSERS[table][col](None), None if col in UNCACHED else {})
        for col in COLUMNS[table]
    ]
    extra = [(names[i], i) for i, n in enumerate(names) if n and n.lower() not in known and index.get(n.lower()) == i]
    return Plan(table, file, columns, extra, len(names)), []
