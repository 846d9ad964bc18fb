"""Flattened OCDS (a spreadsheet of releases, CSV or xlsx) -> the OCDS importer's purchases.

Flatten Tool, OCDS's own converter, writes one release per row with JSON-pointer
headings: ``ocid``, ``tender/value/amount``, ``awards/0/suppliers/0/name``; arrays
of strings (``parties/0/roles``) are ``;``-joined in one cell, and a workbook may
spread a release over several sheets, each row carrying the release's ``ocid`` and
``id``. Other tools join the field names with ``.`` or ``_``
(``awards.0.value.amount``, ``awards_0_value_amount``) and sometimes leave out the
index of a one-element array (``awards_value_amount``).

Each row is unflattened back into a release object and handed to
:func:`.ocds.import_releases`, so one mapping serves JSON and spreadsheets alike.

When the headings settle the mapping:

* JSON-pointer headings (any heading with ``/``) are unambiguous by their syntax:
  every one is read, and fields the mapping does not use are ignored, as in JSON.
* ``.``- or ``_``-joined headings are split by the OCDS field names
  (:data:`FIELDS`, the release schema's property names, matched without regard to
  case). A heading that does not split into known names is unmatched, and a file
  with unmatched headings is refused with them listed: guessing where a name ends
  could put an amount in the wrong field.
* ``ocid`` and an ``id`` under ``awards`` or ``contracts`` are needed; without them
  the file is refused, listing the headings that matched nothing.

Rows that share ``ocid`` and ``id`` (consecutive rows in a CSV file; anywhere in
a workbook or in a folder of CSV files, Flatten Tool's CSV output) are one release; without an ``id`` heading every row is a release.
Row numbers are spreadsheet rows (the header is row 1); in a workbook, the row
where the release first appears, sheet name in the file name.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from .. import errors
from ..errors import DataError, Diagnostic, SourceLocation
from ..records import Dataset
from .collect import Collector
from .ocds import import_releases
from .tables import CsvTable, XlsxBook, data_error

KIND = "ocds-flat"

#: OCDS 1.1 release field names (the property names of the release schema, all levels).
FIELDS = frozenset("""
additionalClassifications additionalIdentifiers additionalProcurementCategories address amendment amendments
amendsReleaseID amount amountGross amountNet awardCriteria awardCriteriaDetails awardID awardPeriod awards budget
buyer capacity changes classification classifications code contactPoint contractPeriod contracts coordinates country
countryName currency date dateMet dateModified datePublished dateSigned deliveryAddresses deliveryLocations
description details documentType documents dueAfterDate dueDate durationInDays electronicSubmissionPolicy
eligibilityCriteria email endDate enquiryPeriod estimatedValue exclusionGrounds expressionOfInterestDeadline
faxNumber finalStatus finalStatusDate finalStatusDetails format former_value gazetteer geometry hasEnquiries href id
identifier identifiers immediateContainer implementation initiationType items language languages legalName links
locality locations mainProcurementCategory maxExtentDate maximumValue milestones minValue name numberOfTenderers ocid
parties payee payer period planning postalCode procurementMethod procurementMethodDetails procurementMethodRationale
procuringEntity project projectID property providerOrganization publisher quantity rationale receiverOrganization
region rel relatedItems relatedProcesses relationship releaseID roles scale scheme sector selectionCriteria source
standstillPeriod startDate status streetAddress submissionMethod submissionMethodDetails submissionTerms suppliers tag
telephone tender tenderPeriod tenderers title totalValue transactions type unit uri url value
""".split())

#: Arrays of objects: an index may follow them (0 when a flattening leaves it out).
OBJECT_ARRAYS = frozenset("""
additionalClassifications additionalIdentifiers amendments awards changes classifications contracts
deliveryAddresses deliveryLocations documents items links locations milestones parties relatedProcesses suppliers
tenderers transactions
""".split())

#: Arrays of strings: one ';'-joined cell, as Flatten Tool writes them.
STRING_ARRAYS = frozenset({"roles", "tag", "additionalProcurementCategories", "submissionMethod", "languages", "relatedItems", "relationship"})

_BY_LOWER = {f.lower(): f for f in FIELDS}
_INDEX = re.compile(r"[0-9]+")

Path_ = tuple  # a heading as path segments: field names (str) and array indexes (int)


def sniff(header: Iterable[str]) -> bool:
    """True when a header looks like flattened OCDS: an ``ocid`` column and awards or contracts fields."""
    names = [str(h).strip() for h in header if h is not None]
    if not any(n.lower() == "ocid" for n in names):
        return False
    return any(re.match(r"(awards|contracts)[/._]", n, re.IGNORECASE) for n in names)


def sniff_folder(path: Path) -> bool:
    """True when a folder's CSV headers together look like flattened OCDS (Flatten Tool's CSV output)."""
    header: list[str] = []
    for p in path.iterdir():
        if p.suffix.lower() == ".csv" and p.is_file():
            try:
                with CsvTable(p, str(p)) as t:
                    header.extend(t.header or ())
            except DataError:
                continue
    return sniff(header)


def sniff_xlsx(path: Path) -> bool:
    """True when a workbook's headers, over all its sheets, look like flattened OCDS (detect.py asks)."""
    try:
        with XlsxBook(path, str(path)) as book:
            if {"parties", "purchases"} <= {n.strip().lower() for n in book.sheet_names}:
                return False  # a canonical workbook
            header: list[str] = []
            for name in book.sheet_names:
                table = book.table(name.strip().lower())
                if table is not None and table.header is not None:
                    header.extend(table.header)
            return sniff(header)
    except DataError:
        return False


def import_ocds_flat(path: str | Path) -> Dataset:
    """Import flattened OCDS releases from a CSV file or an .xlsx workbook (all its sheets).

    Raises:
        DataError: the file cannot be read, or its headings do not settle the mapping
            (the unmatched ones are listed).
    """
    path = Path(path)
    file = str(path)
    if path.is_dir():
        return _folder(path, file)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _workbook(path, file)
    table = CsvTable(path, file)
    try:
        if table.header is None:
            raise data_error(errors.MISSING_COLUMN, "file is empty (no header row)", file, 1)
        paths = heading_paths(table.header, file)
        c = Collector(file, KIND, table.sha256)

        def releases() -> Iterator[tuple[int, Any]]:
            return _consecutive(_unflatten_rows(table.fresh_rows(), paths))

        return import_releases(c, releases)
    finally:
        table.close()


def _workbook(path: Path, file: str) -> Dataset:
    with XlsxBook(path, file) as book:
        sheets = [(name, book.table(name.strip().lower())) for name in book.sheet_names]
        return _sheets(file, book.sha256, [(n, t) for n, t in sheets if t is not None])


def _folder(path: Path, file: str) -> Dataset:
    """Flatten Tool's CSV output: a folder with main.csv and one CSV per sub-sheet (awards.csv, ...)."""
    paths = sorted((p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file()),
                   key=lambda p: (p.stem.lower() != "main", p.name))
    tables: list[tuple[str, CsvTable]] = []
    try:
        for p in paths:
            tables.append((p.stem, CsvTable(p, str(p))))
        digest = hashlib.sha256("".join(f"{t.file}:{t.sha256}\n" for _n, t in tables).encode()).hexdigest()
        return _sheets(file, digest, tables)
    finally:
        for _n, t in tables:
            t.close()


def _sheets(file: str, sha256: str, tables: list[tuple[str, Any]]) -> Dataset:
    """Read the sheets of one flattening together: rows join their release by ocid and id, in any order."""
    found: list[tuple[str, list, Callable[[], Iterator]]] = []
    problems: list[Diagnostic] = []
    for name, table in tables:
        if table.header is None or not any(str(h).strip() for h in table.header if h is not None):
            continue
        try:
            found.append((name, heading_paths(table.header, table.file, need_keys=False), table.fresh_rows))
        except DataError as err:
            problems.extend(err.diagnostics)
    if problems:
        raise DataError(problems)
    if not found:
        raise data_error(errors.MISSING_COLUMN, "no sheet or CSV file with a header row", file, 1)
    # ocid and an award or contract id may sit on different sheets (Flatten Tool's sub-sheets)
    heading_paths(["/".join(map(str, p)) for _n, paths, _r in found for p in paths if p], file)
    c = Collector(file, KIND, sha256)
    # Read whole (sub-sheets may come in any order): memory grows with the data, as for a JSON package.
    merged: dict[Any, tuple[int, dict]] = {}
    order: list[Any] = []
    for name, paths, rows in found:
        for row, key, obj in _unflatten_rows(rows(), paths):
            k = key if key is not None else ("row", name, row)
            if k in merged:
                _merge(merged[k][1], obj)
            else:
                merged[k] = (row, obj)
                order.append(k)
    return import_releases(c, lambda: ((merged[k][0], _compact(merged[k][1])) for k in order))


# --- headings ---------------------------------------------------------------------


#: The fields the OCDS mapping reads (importers/ocds.py), as name paths without indexes.
MAPPED = frozenset(tuple(p.split("/")) for p in """
ocid id date tag buyer/id buyer/name tender/mainProcurementCategory tender/procurementMethod
parties/id parties/name parties/roles parties/identifier/scheme parties/identifier/id parties/identifier/legalName
parties/details/scale parties/address/locality parties/address/region parties/address/countryName
awards/id awards/status awards/date awards/value/amount awards/value/currency awards/suppliers/id awards/suppliers/name
contracts/id contracts/status contracts/dateSigned contracts/value/amount contracts/value/currency contracts/awardID
""".split())


def heading_paths(header: Sequence[object], file: str, need_keys: bool = True) -> list[Path_ | None]:
    """Each heading as a path (None: empty, or a field the mapping does not read), or a DataError.

    A heading whose names are not all OCDS field names is an extension or a typo. It
    is ignored, as the JSON importer ignores unknown fields, unless its unknown part
    sits where the mapping reads a field and resembles that field's name
    (``awards_0_value_amout``): then the file is refused with the heading listed.
    """
    names = ["" if h is None else str(h).strip() for h in header]
    style = "/" if any("/" in n for n in names) else "." if any("." in n for n in names) else "_"
    paths: list[Path_ | None] = []
    unmatched: list[str] = []
    odd: list[str] = []  # headings with a name that is no OCDS field
    for n in names:
        p, known, tail = _split(n, style) if n else (None, (), "")
        if tail:
            odd.append(n)
            if _near_mapped(known, tail):
                unmatched.append(n)
        paths.append(p)
    have = {p for p in paths if p}
    has_ocid = ("ocid",) in have
    has_item = any(len(p) >= 3 and p[0] in ("awards", "contracts") and p[2] == "id" for p in have)
    problems = []
    if unmatched:
        problems.append(f"{len(unmatched)} heading(s) match no OCDS field but resemble one the mapping reads: "
                        f"{', '.join(map(repr, unmatched[:20]))}" + (" …" if len(unmatched) > 20 else ""))
    if need_keys and not (has_ocid and has_item):
        missing = [what for ok, what in ((has_ocid, "'ocid'"), (has_item, "an awards or contracts 'id' (e.g. awards/0/id)")) if not ok]
        problems.append(f"the headings lack {' and '.join(missing)}"
                        + (f"; headings that matched no OCDS field: {', '.join(map(repr, odd[:20]))}" if odd else ""))
    if problems:
        raise DataError([Diagnostic(errors.MISSING_COLUMN, f"flattened OCDS: {p}", SourceLocation(file, 1),
                                    hint="use Flatten Tool's headings (tender/value/amount, awards/0/suppliers/0/name)")
                         for p in problems])
    return paths


def _near_mapped(known: tuple[str, ...], tail: str) -> bool:
    """True when an unknown name after ``known`` looks like a field the mapping reads there."""
    children = {m[len(known)] for m in MAPPED if len(m) > len(known) and m[: len(known)] == known}
    low = tail.lower()
    return any(low.startswith(c.lower()) or difflib.SequenceMatcher(None, low, c.lower()).ratio() >= 0.75 for c in children)


def _split(heading: str, style: str) -> tuple[Path_ | None, tuple[str, ...], str]:
    """(path, the known field names before an unknown part, that unknown part or '').

    JSON pointers keep unknown names in the path (their syntax settles it); joined
    headings with an unknown part have no path (where a name ends is not settled).
    """
    tokens = heading.strip("/").split("/") if style == "/" else heading.split(style)
    segs: list[Any] = []
    known: list[str] = []
    i = 0
    while i < len(tokens):
        if _INDEX.fullmatch(tokens[i]):
            segs.append(int(tokens[i]))
            i += 1
            continue
        # the longest run of tokens that is one field name ('former_value' holds a '_')
        last = i + 1 if style == "/" else len(tokens)
        for j in range(last, i, -1):
            name = _BY_LOWER.get(style.join(tokens[i:j]).lower())
            if name is not None:
                segs.append(name)
                known.append(name)
                i = j
                break
        else:
            tail = style.join(tokens[i:])
            if style != "/" or not tokens[i]:
                return None, tuple(known), tail
            segs.extend(int(t) if _INDEX.fullmatch(t) else t for t in tokens[i:])
            if any(t == "" for t in tokens[i:]):
                return None, tuple(known), tail
            return _with_indexes(segs), tuple(known), tail
    return _with_indexes(segs), tuple(known), ""


def _with_indexes(segs: list[Any]) -> Path_ | None:
    """Check the index positions and put 0 after an object array given without one."""
    out: list[Any] = []
    for k, s in enumerate(segs):
        if isinstance(s, int):
            if not out or not isinstance(out[-1], str):
                return None  # an index must follow a field name
            out.append(s)
            continue
        out.append(s)
        if s in OBJECT_ARRAYS and (k + 1 == len(segs) or not isinstance(segs[k + 1], int)):
            out.append(0)
    if isinstance(out[-1], int) and out[-2] not in STRING_ARRAYS:
        return None  # a path ending in an index names no field
    return tuple(out)


# --- rows -> releases -----------------------------------------------------------------


def _unflatten_rows(rows: Iterator[tuple[int, Sequence[object]]], paths: list[Path_ | None]) -> Iterator[tuple[int, Any, dict]]:
    """(row, (ocid, id) or None, release object) per row."""
    keyed = ("id",) in paths
    for row, raw in rows:
        obj: dict = {}
        for p, cell in zip(paths, raw):
            if p is None:
                continue
            v = _value(cell, p[-1] if isinstance(p[-1], str) else "")  # roles/0: one item, not a list
            if v is not None:
                _put(obj, p, v)
        key = (obj.get("ocid"), obj.get("id")) if keyed and obj.get("ocid") is not None and obj.get("id") is not None else None
        yield row, key, obj


def _consecutive(items: Iterator[tuple[int, Any, dict]]) -> Iterator[tuple[int, dict]]:
    """Merge consecutive rows of one release (streamed: one release in memory at a time)."""
    cur: tuple[int, Any, dict] | None = None
    for row, key, obj in items:
        if cur is not None and key is not None and key == cur[1]:
            _merge(cur[2], obj)
            continue
        if cur is not None:
            yield cur[0], _compact(cur[2])
        cur = (row, key, obj)
    if cur is not None:
        yield cur[0], _compact(cur[2])


def _compact(v: Any) -> Any:
    """Drop the gaps an array gets when some of its indexes had only empty cells."""
    if isinstance(v, dict):
        for k, x in v.items():
            v[k] = _compact(x)
    elif isinstance(v, list):
        v[:] = [_compact(x) for x in v if x is not None]
    return v


def _value(cell: object, field: str) -> Any:
    """A cell as the JSON value it stands for; None when empty."""
    if cell is None:
        return None
    if isinstance(cell, str):
        s = cell.strip()
        if not s:
            return None
        if field in STRING_ARRAYS:
            return [x.strip() for x in s.split(";") if x.strip()]
        return s
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, float):
        # a spreadsheet number: exact through its shortest repr, whole ones as int (ids, amounts)
        if not math.isfinite(cell):
            return repr(cell)
        return int(cell) if cell.is_integer() else Decimal(repr(cell))
    if isinstance(cell, _dt.datetime):
        return cell.isoformat()
    if isinstance(cell, _dt.date):
        return cell.isoformat()
    return cell


def _put(obj: dict, path: Path_, value: Any) -> None:
    node: Any = obj
    for k, seg in enumerate(path[:-1]):
        nxt = path[k + 1]
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(seg, int):
            while len(node) <= seg:
                node.append(None)
            if node[seg] is None:
                node[seg] = empty
            node = node[seg]
        else:
            if not isinstance(node.get(seg), type(empty)):
                node[seg] = empty
            node = node[seg]
    last = path[-1]
    if isinstance(last, int):  # roles/0 style: one item of a string array
        while len(node) <= last:
            node.append(None)
        node[last] = value
    else:
        node[last] = value


def _merge(into: dict, other: dict) -> None:
    """Merge a later row of a release into it: objects key by key, array items by id (else appended)."""
    for k, v in other.items():
        old = into.get(k)
        if isinstance(old, dict) and isinstance(v, dict):
            _merge(old, v)
        elif isinstance(old, list) and isinstance(v, list):
            for item in v:
                if item is None:
                    continue
                match = None
                if isinstance(item, dict) and item.get("id") is not None:
                    match = next((o for o in old if isinstance(o, dict) and o.get("id") == item["id"]), None)
                if match is not None:
                    _merge(match, item)
                elif item not in old:
                    old.append(item)
        elif old is None:
            into[k] = v
