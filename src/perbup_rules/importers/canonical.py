"""The canonical dataset loader: parties, purchases and partnerships from a folder of CSVs or one workbook.

The input contract is ARCHITECTURE.md section 3. A bad row is rejected with its
file, row, column, code and reason and the rest loads; only a file that cannot be
read at all (encoding, missing required column, damaged workbook) raises
:class:`~perbup_rules.errors.DataError`. For every table, rows read equal rows
accepted plus rows rejected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .. import errors
from ..errors import DataError, Diagnostic, SourceLocation
from ..i18n import msg
from ..records import OTHER_PATTERN, RECORD_TYPES, TABLES, Dataset, InputFile, repeated_report, report_key
from . import cells
from .cells import CellError, problems_text
from .cells import numbers_note
from .columns import CACHE_LIMIT, POS, REFERENCES, Plan, bind_money, pattern_text, plan_columns, scan_money
from .tables import CsvTable, XlsxBook, data_error

_MISS = object()


class _Reader:
    """Turns rows into records for one dataset, rejecting bad rows, repeats and dangling references."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        self.rejected_parties: dict[str, int] = {}
        self.seen: dict[str, set[str]] = {"purchases": set(), "partnerships": set(), "reports": set()}
        #: (party_id, year, kind) of the reports accepted so far: one report per key
        self.report_keys: set[tuple] = set()
        self.party_rows: dict[str, int] = {}

    def read(self, plan: Plan, rows: Iterator[tuple[int, object]]) -> None:
        table, file, ds = plan.table, plan.file, self.ds
        stats = ds.stats[table]
        make = RECORD_TYPES[table]
        # Every cell was parsed and checked above: build without re-validating (records.py).
        new, init = object.__new__, make.raw_init
        refs = REFERENCES[table]
        for row, raw in rows:
            stats.read += 1
            values, extra, problems = self._cells(plan, raw)
            rid = values[0]
            if rid is not None and self._repeats(table, rid, row, file):
                continue
            if problems:
                col, err = problems[0]
                ds.reject(table, file, row, err.code, problems_text(problems), col, rid)
                if table == "parties" and rid is not None:
                    self.rejected_parties[rid] = row
                continue
            record = new(make)
            init(record, *values, extra=extra)
            if refs and (dangling := self._dangling(record, refs)):
                ds.reject(table, file, row, errors.UNKNOWN_REFERENCE, dangling[1], dangling[0], rid)
                continue
            if table == "reports":
                if report_key(record) in self.report_keys:
                    ds.reject(table, file, row, errors.DUPLICATE_ROW, repeated_report(record), "kind", rid)
                    continue
                self.report_keys.add(report_key(record))
            if table == "parties":
                ds.parties[rid] = record  # type: ignore[assignment]
                self.party_rows[rid] = row
            else:
                getattr(ds, table).append(record)
            stats.accepted += 1

    def _cells(self, plan: Plan, raw) -> tuple[list, tuple[tuple[str, str], ...], list[tuple[str | None, CellError]]]:
        values: list = []
        problems: list[tuple[str | None, CellError]] = []
        n = len(raw)
        for name, i, parse, required, empty, cache in plan.columns:
            cell = raw[i] if i is not None and i < n else None
            if cell is None or cell == "":
                v = empty
            else:
                if type(cell) is not str:
                    # Only text cells are cached: spreadsheet values such as True
                    # and 1 are equal as dict keys but parse differently.
                    cache = None
                v = _MISS if cache is None else cache.get(cell, _MISS)
                if v is _MISS:
                    try:
                        v = parse(cell)
                    except CellError as err:
                        problems.append((name, err))
                        values.append(None)
                        continue
                    if cache is not None and len(cache) < CACHE_LIMIT:
                        cache[cell] = v
            if v is None and required:
                problems.append((name, CellError(errors.REQUIRED_VALUE, "is empty but required")))
            values.append(v)
        extra = []
        for name, i in plan.extra:
            if i < n and _filled(raw[i]):
                try:
                    extra.append((name, cells.parse_text(raw[i]) or ""))
                except CellError as err:
                    problems.append((name, err))
        if n > plan.width and not all(not _filled(c) for c in raw[plan.width :]):
            problems.append((None, CellError(errors.BAD_VALUE, f"row has {n} cells but the header names {plan.width} columns")))
        if plan.table == "partnerships" and not problems:
            if values[POS["pattern_text"]] is None and values[POS["pattern"]] == OTHER_PATTERN:
                # an unlisted pattern is kept as `lainnya` with the source's own words
                col = plan.columns[POS["pattern"]]
                values[POS["pattern_text"]] = pattern_text(raw[col.index]) if col.index is not None and col.index < n else None
            start, end = values[POS["start_date"]], values[POS["end_date"]]
            if start and end and end < start:
                problems.append(("end_date", cells.ends_before_start(end, start)))
        if plan.table == "reports" and not problems:
            total, local = values[POS["total_idr"]], values[POS["local_umkk_idr"]]
            if total is not None and local is not None and local > total:
                problems.append(("local_umkk_idr", cells.exceeds("local_umkk_idr", local, "total_idr", total)))
        if plan.table == "purchases" and not problems:
            value, umk = values[POS["value_idr"]], values[POS["umk_value_idr"]]
            if value is not None and umk is not None and umk > value:
                problems.append(("umk_value_idr", cells.exceeds("umk_value_idr", umk, "value_idr", value)))
        return values, tuple(extra), problems

    def _repeats(self, table: str, rid: str, row: int, file: str) -> bool:
        if table == "parties":
            first = self.party_rows.get(rid) or self.rejected_parties.get(rid)
            if first is None:
                return False
            how = "" if rid in self.party_rows else " (which was rejected)"
            self.ds.reject(table, file, row, errors.DUPLICATE_ROW, f"party id {rid!r} repeats row {first}{how}", "id", rid)
            return True
        seen = self.seen[table]
        if rid in seen:
            # Only ids are kept for the big tables (a row number per id would
            # cost as much memory again at a million rows).
            self.ds.reject(table, file, row, errors.DUPLICATE_ROW, f"{table[:-1]} id {rid!r} repeats an earlier row", "id", rid)
            return True
        seen.add(rid)
        return False

    def _dangling(self, record, refs: tuple[str, ...]) -> tuple[str, str] | None:
        for col in refs:
            ref = getattr(record, col)
            if ref is None or ref in self.ds.parties:
                continue
            if ref in self.rejected_parties:
                return col, f"{col} {ref!r} names a party that was rejected (parties row {self.rejected_parties[ref]})"
            return col, f"{col} {ref!r} names no party in parties"
        return None


def _filled(cell: object) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def load_dataset(path: str | Path) -> Dataset:
    """Load a canonical dataset from a folder (parties.csv, purchases.csv, [partnerships.csv], [reports.csv])
    or an .xlsx workbook (sheets of the same names).

    Raises:
        DataError: a file cannot be read at all (missing, not UTF-8, damaged
            workbook, a required column missing); every such problem of every
            table is reported at once.
    """
    path = Path(path)
    if path.is_dir():
        return _load_folder(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if not path.is_file():
            raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.no_workbook"), str(path))
        return _load_workbook(path)
    if not path.exists():
        raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.no_path"), str(path))
    raise data_error(
        errors.UNREADABLE_INPUT,
        msg("diag.data.canonical_shape"),
        str(path),
        hint=msg("diag.hint.import_other"),
    )


def _find(folder: Path, name: str) -> Path | None:
    exact = folder / name
    if exact.is_file():
        return exact
    for p in sorted(folder.iterdir()):
        if p.name.lower() == name and p.is_file():
            return p
    return None


def _load_folder(folder: Path) -> Dataset:
    paths = {t: _find(folder, f"{t}.csv") for t in TABLES}
    problems = [
        Diagnostic(errors.UNREADABLE_INPUT, msg("diag.data.no_table_file", file=f"{t}.csv"), SourceLocation(str(folder / f"{t}.csv")))
        for t in ("parties", "purchases")
        if paths[t] is None
    ]
    if problems:
        raise DataError(problems)
    opened: dict[str, CsvTable] = {}
    try:
        for t in TABLES:
            if paths[t] is not None:
                opened[t] = CsvTable(paths[t], str(paths[t]))  # type: ignore[arg-type]
        ds, plans = _read_all({t: (tab.header, tab.file, tab.rows, tab.fresh_rows) for t, tab in opened.items()})
        ds.reports_read = "reports" in opened
        ds.sources.extend(InputFile(tab.file, tab.sha256, numbers=numbers_note(plans[t].numbers)) for t, tab in opened.items())
        return ds
    finally:
        for tab in opened.values():
            tab.close()


def _load_workbook(path: Path) -> Dataset:
    with XlsxBook(path, str(path)) as book:
        sheets = {t: book.table(t) for t in TABLES}
        missing = [t for t in ("parties", "purchases") if sheets[t] is None]
        if missing:
            raise data_error(
                errors.UNREADABLE_INPUT,
                msg("diag.data.no_sheet", missing=", ".join(missing), sheets=", ".join(book.sheet_names)),
                str(path),
            )
        ds, plans = _read_all({t: (s.header, s.file, s.rows, s.fresh_rows) for t, s in sheets.items() if s is not None})
        ds.reports_read = sheets["reports"] is not None
        numbers = {f"{t}.{col}": conv for t, plan in plans.items() for col, conv in plan.numbers.items()}
        ds.sources.append(InputFile(str(path), book.sha256, numbers=numbers_note(numbers)))
        return ds


def _read_all(tables: dict[str, tuple]) -> tuple[Dataset, dict[str, Plan]]:
    plans: dict[str, Plan] = {}
    problems: list[Diagnostic] = []
    for t, (header, file, _rows, _fresh) in tables.items():
        plan, found = plan_columns(t, header, file)
        problems.extend(found)
        if plan is not None:
            plans[t] = plan
    if problems:
        raise DataError(problems)
    for t, plan in plans.items():
        # One streamed pass per table with money columns settles their number convention.
        if plan.money_columns():
            bind_money(plan, scan_money(plan, tables[t][3]()))
    ds = Dataset()
    reader = _Reader(ds)
    # Parties first: purchases and partnerships are checked against them.
    for t in TABLES:
        if t in plans:
            reader.read(plans[t], tables[t][2]())
    return ds, plans
