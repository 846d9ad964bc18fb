"""What the LKPP ISB exports (SiRUP, SPSE) share: reading rows, satker buyers, code mappings, dates.

ISB data comes as CSV (one row per package) or as the JSON array the ISB API
returns; both are read here into rows addressed by column name. Money is read by
the canonical loader's rules (:func:`cells.parse_money`) under the number
convention of its file and column (:meth:`Source.money_convention`): the API
writes ``113214787.91``, but the same export saved by Excel in an Indonesian
locale writes ``113.214.787,91``, and ``250.000`` must never become Rp250.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .. import errors
from ..errors import DataError, Diagnostic, SourceLocation
from ..i18n import msg
from . import cells
from .cells import CellError
from .collect import Collector
from .tables import CsvTable, check_utf8, column_key, data_error


class Rec:
    """One source row addressed by lower-case column name; absent columns read as None."""

    __slots__ = ("_index", "_cells", "source")

    def __init__(self, index: dict[str, int] | None, cells_: Any, source: "Source | None" = None):
        self._index = index
        self._cells = cells_
        self.source = source  # whose money_convention decides this row's amounts

    def get(self, col: str) -> object:
        if self._index is None:  # a JSON object
            return self._cells.get(col)
        i = self._index.get(col)
        return self._cells[i] if i is not None and i < len(self._cells) else None


class Source:
    """An ISB export file: its columns, sha256 and rows as :class:`Rec`."""

    def __init__(self, path: Path):
        self.path = path
        self.file = str(path)
        #: the number convention of every money column read so far (column -> convention)
        self.numbers: dict[str, cells.Convention] = {}
        self._scans: dict[str, cells.MoneyScan] | None = None
        self._parsers: dict[str, Callable[[object], Any]] = {}
        self.columns: set[str] = set()
        self._csv: CsvTable | None = None
        self._items: list | None = None
        #: where the records were found when a JSON wrapper was unwrapped (or the sheet of a workbook), else None
        self.wrapper: str | None = None
        #: a workbook's records: (row number, cells under the header's columns); blank rows are not records
        self._sheet: list[tuple[int, list]] | None = None
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            self.sha256, header, self._sheet, self.wrapper = xlsx_rows(path, self.file)
            self._index = _column_index(header)
            self.columns = set(self._index)
        elif path.suffix.lower() == ".json":
            self.sha256 = check_utf8(path, self.file)
            self._items, self.wrapper = _json_rows(path, self.file)
            for item in self._items:
                if isinstance(item, dict):
                    self.columns.update(column_key(str(k)) for k in item)
        else:
            self._csv = CsvTable(path, self.file)
            self.sha256 = self._csv.sha256
            if self._csv.header is None:
                self._csv.close()
                raise data_error(errors.MISSING_COLUMN, msg("diag.data.empty_no_header"), self.file, 1)
            self._index = _column_index(self._csv.header)
            self.columns = set(self._index)

    def require(self, *groups: Iterable[str] | str) -> dict[str, str]:
        """Check required columns; each group is a column or alternatives (first present wins).

        Returns:
            group's first name -> the column actually present.
        """
        found: dict[str, str] = {}
        problems = []
        for g in groups:
            alts = (g,) if isinstance(g, str) else tuple(g)
            present = next((a for a in alts if a in self.columns), None)
            if present is None:
                problems.append(
                    Diagnostic(errors.MISSING_COLUMN, msg("diag.data.required_column_any", columns=" or ".join(map(repr, alts))), SourceLocation(self.file, 1))
                )
            else:
                found[alts[0]] = present
        if problems:
            self.close()
            raise DataError(problems)
        return found

    def rows(self) -> Iterator[tuple[int, Rec | None]]:
        """Yield (row, record); a JSON array item that is not an object gives a None record."""
        if self._csv is not None or self._sheet is not None:
            for row, raw in self._csv.rows() if self._csv is not None else self._sheet or ():
                yield row, Rec(self._index, raw, self)
            return
        for i, item in enumerate(self._items or (), start=1):
            if isinstance(item, dict):
                yield i, Rec(None, {column_key(str(k)): v for k, v in item.items()}, self)
            else:
                yield i, None

    def money_parser(self, col: str) -> Callable[[object], Any]:
        """The parser of money column ``col``: parse_money under the column's convention (cached)."""
        parse = self._parsers.get(col)
        if parse is None:
            parse = self._parsers[col] = functools.partial(cells.parse_money_as, convention=self.money_convention(col))
        return parse

    def money_convention(self, col: str) -> cells.Convention:
        """The number convention of money column ``col`` in this file, decided from all its cells.

        A CSV file is scanned once, streamed, for every column at the first call (a
        separate pass before its rows are read; memory stays bounded by the number
        of columns); a JSON array or a workbook's sheet is already in memory and is
        scanned per column.
        """
        conv = self.numbers.get(col)
        if conv is not None:
            return conv
        if col not in self.columns:
            return cells.AS_WRITTEN  # every cell is empty: nothing to settle, nothing to report
        if self._csv is not None:
            if self._scans is None:
                self._scans = self._scan_csv()
            scan = self._scans.get(col) or cells.MoneyScan()
        elif self._sheet is not None:
            scan = cells.MoneyScan()
            at = self._index[col]
            for row, raw in self._sheet:
                scan.add(row, raw[at] if at < len(raw) else None)
        else:
            scan = cells.MoneyScan()
            for i, item in enumerate(self._items or (), start=1):
                if isinstance(item, dict):
                    scan.add(i, self._get_lower(item, col))
        conv = self.numbers[col] = cells.decide_money(scan)
        return conv

    def _scan_csv(self) -> dict[str, cells.MoneyScan]:
        assert self._csv is not None
        scans = [cells.MoneyScan() for _ in self._csv.header or ()]
        n = len(scans)
        for row, raw in self._csv.fresh_rows():
            for i, cell in enumerate(raw[:n]):
                if cell:
                    scans[i].add(row, cell)
        return {col: scans[i] for col, i in self._index.items()}

    @staticmethod
    def _get_lower(item: dict, col: str) -> object:
        """A JSON object's value for a column name (keys compared by :func:`.tables.column_key`, as rows() does)."""
        if col in item:
            return item[col]
        for k, v in item.items():
            if column_key(str(k)) == col:
                return v
        return None

    def close(self) -> None:
        if self._csv is not None:
            self._csv.close()


def load_json(path: Path, file: str) -> Any:
    """Parse JSON exactly (decimals as Decimal, never float), with located errors.

    NaN/Infinity literals come back as the strings "NaN"/"Infinity", which the
    amount parser then rejects for that one row.
    """
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh, parse_float=Decimal, parse_constant=str)
    except json.JSONDecodeError as err:
        raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.not_json", detail=err.msg), file, err.lineno) from None
    except RecursionError:
        raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.json_deep"), file) from None
    except UnicodeDecodeError:
        raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.not_utf8_text"), file) from None


def _json_rows(path: Path, file: str) -> tuple[list, str | None]:
    """The records of an ISB JSON file, unwrapped when they sit under a wrapper.

    Returns:
        (records, note): note says where the records were found when they were
        not the top-level array (``records under key 'data'``).
    """
    return unwrap(load_json(path, file), file)


def _column_index(header: Iterable[str]) -> dict[str, int]:
    """Each column's position under its :func:`.tables.column_key` (a name given twice: its first)."""
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(column_key(h), i)
    return index


def xlsx_rows(path: Path, file: str) -> tuple[str, list[str], list[tuple[int, list]], str]:
    """An LKPP export saved as an Excel workbook: (sha256, header, records, which sheet).

    A record is its row number and its cells, read as the JSON response's values are: as Excel
    holds them (text, numbers, booleans), a date or time as its ISO text (as the API writes it),
    a whole number stored as a float as that int (so an id is not ``53540979.0``). A row with no
    cell is not a record (numbered, not read), as a blank CSV line. The one sheet that has a
    header row is read; a workbook with several is refused, since which one is meant cannot be told.

    Raises:
        DataError: unreadable_input (not a readable workbook, several sheets with a header);
            missing_column (no sheet has a header row).
    """
    from .tables import XlsxBook

    with XlsxBook(path, file) as book:
        sheets = book.headed_sheets()
        if len(sheets) != 1:
            if not sheets:
                raise data_error(errors.MISSING_COLUMN, msg("diag.data.empty_no_header"), file, 1)
            raise data_error(errors.UNREADABLE_INPUT,
                             msg("diag.data.many_sheets", n=len(sheets), names=", ".join(repr(n) for n, _t in sheets)),
                             file, hint=msg("diag.hint.one_sheet"))
        name, table = sheets[0]
        header = [h.strip() for h in table.header or ()]
        records: list[tuple[int, list]] = []
        for row, cells_ in table.rows():
            values = [_native(c) for c in cells_]
            if any(v is not None for v in values):
                records.append((row, values))
    return book.sha256, header, records, f"the sheet {name!r} of the workbook"


def _native(cell: object) -> object:
    """A workbook cell as the ISB API's JSON would give it (see :func:`xlsx_rows`)."""
    if cell is None or (type(cell) is str and not cell.strip()):
        return None
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 2 ** 53:
        return int(cell)
    if isinstance(cell, _dt.datetime):
        return cell.date().isoformat() if cell.time() == _dt.time() else cell.isoformat()
    if isinstance(cell, (_dt.date, _dt.time)):
        return cell.isoformat()
    return cell


def _is_records(value: object) -> bool:
    """A list whose items are all objects (an empty list counts: a dataset with no rows)."""
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _list_keys(obj: dict) -> list[str]:
    return [str(k) for k, v in obj.items() if _is_records(v) and v]


def unwrap(data: Any, file: str) -> tuple[list, str | None]:
    """Find the list of records in parsed JSON: a top-level array of flat objects as the ISB
    API returns, an object holding one such list under some key, or a list holding one dataset.

    A wrapper that holds several lists of records, or a list of several datasets, is refused
    with the keys it holds: which one is meant cannot be told, and reading them all as one
    table would mix endpoints.

    Raises:
        DataError: unreadable_input naming what was found.
    """
    if isinstance(data, list):
        if data and all(isinstance(v, dict) for v in data):
            inner = [(_list_keys(v), v) for v in data]
            nested = [(keys, v) for keys, v in inner if keys]
            if nested and len(nested) == len(data):
                # A list of datasets, each with its own records.
                if len(data) == 1 and len(nested[0][0]) == 1:
                    key = nested[0][0][0]
                    return data[0][key], f"records under key {key!r} of the only dataset in the top-level list"
                names = [_dataset_name(v, keys) for keys, v in nested]
                raise data_error(
                    errors.UNREADABLE_INPUT,
                    msg("diag.data.many_datasets", n=len(data), names="; ".join(names[:6]) + ("; ..." if len(names) > 6 else "")),
                    file,
                    hint=msg("diag.hint.one_dataset_per_file"),
                )
        return data, None
    if isinstance(data, dict):
        keys = _list_keys(data)
        if len(keys) == 1:
            return data[keys[0]], f"records under key {keys[0]!r} of the top-level object"
        if not keys:
            empty = [str(k) for k, v in data.items() if isinstance(v, list) and not v]
            if len(empty) == 1:
                return [], f"an empty list under key {empty[0]!r} of the top-level object"
            shown = ", ".join(repr(str(k)) for k in list(data)[:8])
            raise data_error(
                errors.UNREADABLE_INPUT,
                msg("diag.data.object_no_list", keys=shown + (", ..." if len(data) > 8 else "")),
                file,
                hint=msg("diag.hint.isb_array"),
            )
        raise data_error(
            errors.UNREADABLE_INPUT,
            msg("diag.data.object_many_lists", n=len(keys), keys=", ".join(map(repr, keys))),
            file,
            hint=msg("diag.hint.one_list_per_file"),
        )
    raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.want_array", found=type(data).__name__), file)


def _dataset_name(obj: dict, keys: list[str]) -> str:
    label = next((str(obj[k]) for k in ("name", "nama", "endpoint", "dataset", "title", "id") if isinstance(obj.get(k), (str, int))), None)
    sizes = ", ".join(f"{k!r}: {len(obj[k])} records" for k in keys)
    return f"{label} ({sizes})" if label else sizes


class Cells:
    """Reads the cells of one row, collecting every problem instead of stopping at the first."""

    def __init__(self, rec: Rec):
        self.rec = rec
        self.problems: list[tuple[str, CellError]] = []

    def get(self, col: str | None, parse: Callable[[object], Any] = cells.parse_text, required: bool = False) -> Any:
        if col is None:
            return None
        try:
            value = parse(self.rec.get(col))
        except CellError as err:
            self.problems.append((col, err))
            return None
        if value is None and required:
            self.problems.append((col, CellError(errors.REQUIRED_VALUE, "is empty but required")))
        return value

    def money(self, col: str | None, required: bool = False) -> Any:
        """A money cell (int rupiah, or Decimal with sen). Every importer reads amounts through
        this one method, so the number convention of a file and column is decided in one place:
        the canonical rules (:func:`cells.parse_money`), under the convention the column's own
        cells settle (:meth:`Source.money_convention`); a native JSON number is a number."""
        if col is None:
            return None
        src = self.rec.source
        return self.get(col, src.money_parser(col) if src is not None else cells.parse_money, required)

    def fail(self, col: str, code: str, reason: str) -> None:
        self.problems.append((col, CellError(code, reason)))

    def reject_into(self, c: Collector, row: int, record_id: str | None) -> bool:
        """Reject the row into the collector if any cell had a problem; True if rejected.

        Also hands the source's number conventions to the collector (every importer
        calls this for every row), so the import summary can say which were used.
        """
        src = self.rec.source
        if src is not None and getattr(c, "numbers", False) is None:
            c.numbers = src.numbers
        if not self.problems:
            return False
        col, err = self.problems[0]
        reason = "; ".join(f"{k}: {e.reason}" for k, e in self.problems)
        c.reject(row, err.code, reason, col, record_id)
        return True


def fiscal_year(value: object) -> int | None:
    """tahun_anggaran as a year between 2000 and 2100."""
    return cells.parse_int(value, 2000, 2100)


# --- buyers ----------------------------------------------------------------------

_KAB_PREFIX = re.compile(r"^(?:kab\.?|kabupaten|kota)\s+", re.IGNORECASE)


def kabupaten_from_klpd(nama_klpd: str | None) -> str | None:
    """'Kab. Kutai Timur' -> 'Kutai Timur', 'Kota Samarinda' -> 'Samarinda'; a province or ministry -> None."""
    if not nama_klpd:
        return None
    m = _KAB_PREFIX.match(nama_klpd)
    if m is None:
        return None
    return nama_klpd[m.end():].strip() or None


def satker_buyer(cl: Cells, kd_satker: str) -> tuple[str, dict[str, Any]]:
    """The satker of a row as a perangkat_daerah party: (id, fields for Collector.party).

    The id is ``satker:<kd_satker_str>`` when the row has the dotted code: that code
    joins every ISB file and the satker master, while ``kd_satker`` is SPSE's own id in
    SPSE files and SiRUP's id elsewhere (0% of SPSE's match the master). Rows without
    ``kd_satker_str`` keep ``satker:<kd_satker>``.
    """
    nama_klpd = cl.get("nama_klpd")
    dotted = satker_code(cl.rec.get("kd_satker_str"))
    extra = keep(("kd_klpd", cl.rec.get("kd_klpd")), ("nama_klpd", nama_klpd), ("kd_satker", kd_satker), ("kd_satker_str", dotted))
    fields = {
        "name": cl.get("nama_satker"),
        "kind": "perangkat_daerah",
        "kabupaten": kabupaten_from_klpd(nama_klpd),
        "extra": extra,
    }
    return f"satker:{dotted or kd_satker}", fields


_DOTTED = re.compile(r"[0-9]+(?:\.[0-9]+){3,}")


def satker_code(value: object) -> str | None:
    """A dotted satker code (``1.03.2.15.1.04.03.0000``) as written, or None when the cell holds none."""
    try:
        s = cells.parse_text(value)
    except CellError:
        return None
    return s if s is not None and _DOTTED.fullmatch(s) else None


# --- codes ------------------------------------------------------------------------

_PROCUREMENT_TYPES = {
    "barang": "barang",
    "pengadaan barang": "barang",
    "pekerjaan konstruksi": "pekerjaan_konstruksi",
    "jasa lainnya": "jasa_lainnya",
    "jasa konsultansi": "jasa_konsultansi",
}


def procurement_type(value: object) -> str | None:
    """jenis_pengadaan -> canonical type; SPSE's 'Jasa Konsultansi Badan Usaha ...' variants are konsultansi."""
    s = cells.parse_text(value)
    if s is None:
        return None
    key = " ".join(s.lower().split())
    if key in _PROCUREMENT_TYPES:
        return _PROCUREMENT_TYPES[key]
    if key.startswith("jasa konsultansi"):
        return "jasa_konsultansi"
    raise CellError(errors.UNKNOWN_CODE, f"{s!r} is not a known jenis_pengadaan (Barang, Pekerjaan Konstruksi, Jasa Lainnya, Jasa Konsultansi)")


_NON_WORD = re.compile(r"[^0-9a-z]+")


def method(value: object) -> str | None:
    """A method name as a lower snake token: 'E-Purchasing' -> 'e_purchasing'."""
    s = cells.parse_text(value)
    if s is None:
        return None
    return _NON_WORD.sub("_", s.lower()).strip("_") or None


# A legal form is read only from an explicit prefix of the name; 'PT' inside a
# name (or a name without prefix) says nothing.
_NAME_PREFIX = re.compile(r"^\s*(pt|cv|ud|koperasi|ksu|kud|firma|fa)(?:\.|\s|$)", re.IGNORECASE)
_PREFIX_FORM = {"pt": "pt", "cv": "cv", "ud": "ud", "koperasi": "koperasi", "ksu": "koperasi", "kud": "koperasi", "firma": "firma", "fa": "firma"}

_BENTUK_USAHA = {
    "pt": "pt",
    "perseroan terbatas": "pt",
    "persekutuan firma": "firma",
    "cv": "cv",
    "persekutuan komanditer": "cv",
    "ud": "ud",
    "usaha dagang": "ud",
    "firma": "firma",
    "fa": "firma",
    "koperasi": "koperasi",
    "perorangan": "perorangan",
    "perseorangan": "perorangan",
}


def legal_form_from_name(name: str | None) -> str | None:
    """pt/cv/ud/koperasi/firma when the name starts with that form ('CV. Maju', 'PT.BINA'), else None."""
    if not name:
        return None
    m = _NAME_PREFIX.match(name)
    return _PREFIX_FORM[m[1].lower()] if m else None


def legal_form_from_bentuk(value: str | None) -> str | None:
    """bentuk_usaha_penyedia -> legal form; a stated form outside the list is 'other'."""
    if not value:
        return None
    key = " ".join(value.lower().replace(".", "").split())
    if key in _BENTUK_USAHA:
        return _BENTUK_USAHA[key]
    # SPSE writes the long form with the abbreviation in brackets: "Perseroan Terbatas (PT)",
    # "Persekutuan Komanditer (CV / Commanditer Venoschaap )", "Perseroan Terbatas (PT) Perorangan"
    # (a PT of one founder is still a PT), "Orang Perseorangan", "Konsultan Perseorangan".
    base = key.split("(", 1)[0].strip()
    if base in _BENTUK_USAHA:
        return _BENTUK_USAHA[base]
    inside = re.search(r"\(\s*([a-z]+)", key)
    if inside and inside[1] in _BENTUK_USAHA:
        return _BENTUK_USAHA[inside[1]]
    if base.endswith(("perseorangan", "perorangan")):
        return "perorangan"
    return "other"


# --- dates ------------------------------------------------------------------------


def fiscal_date(cl: Cells, year: int, columns: Iterable[str]) -> tuple[_dt.date, str]:
    """The first date among ``columns`` that falls in fiscal year ``year``, else 1 January of it.

    The clauses group by calendar year of ``date`` and LKPP data belongs to a
    fiscal year (tahun_anggaran), so a date outside that year (a selection that
    started the previous December) must not move the package into another period.
    Unreadable dates are skipped rather than rejecting the row: the year is known.

    Returns:
        (date, name of the column it came from, or 'tahun_anggaran').
    """
    for col in columns:
        try:
            d = cells.parse_date(cl.rec.get(col))
        except CellError:
            continue
        if d is not None and d.year == year:
            return d, col
    return _dt.date(year, 1, 1), "tahun_anggaran"


def keep(*pairs: tuple[str, object]) -> tuple[tuple[str, str], ...]:
    """Extra (column, text) pairs for the non-empty values, texts trimmed."""
    out = []
    for k, v in pairs:
        try:
            s = cells.parse_text(v)
        except CellError:
            continue
        if s is not None:
            out.append((k, s))
    return tuple(out)


# --- source keys and provenance -------------------------------------------------------

_RUP_SPLIT = re.compile(r"[;,]")


def kd_rup_codes(value: object) -> tuple[str, ...]:
    """``kd_rup`` as a tuple of codes: ISB joins several with ``;`` (``"60412;60413"``).

    A JSON number is a code too (``60412``); a decimal one (``60412.0``) is read as its
    integer when it is whole. Empty parts are dropped, order and first occurrence kept.
    """
    if value is None or isinstance(value, bool):
        return ()
    if isinstance(value, (int, Decimal)):
        if isinstance(value, Decimal) and value != value.to_integral_value():
            raise CellError(errors.BAD_VALUE, f"{value} is not a RUP code")
        return (str(int(value)),)
    s = cells.parse_text(value)
    if s is None:
        return ()
    out: list[str] = []
    for part in _RUP_SPLIT.split(s):
        code = part.strip()
        if code and code not in out:
            out.append(code)
    return tuple(out)


def code(value: object) -> str | None:
    """A key cell (kd_tender, kd_paket, no_kontrak ...) as text; a whole JSON number as its digits."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, bool):
        raise CellError(errors.BAD_VALUE, f"{value!r} is not a code")
    if isinstance(value, int):
        return str(value)
    return cells.parse_text(value)


#: Columns that hold a supplier's NPWP (or its redacted ``NPWP-`` id), most specific first.
NPWP_COLUMNS = ("npwp16_penyedia", "npwp_16_penyedia", "npwp_penyedia_16", "npwp_16", "npwp_penyedia", "npwp_pelaksana")
_PLACEHOLDER_NPWP = {"0" * 16, "3200000000000000"}


def npwp_id(rec: Rec) -> str | None:
    """The supplier's NPWP as one id: a redacted ``NPWP-...`` id as given, or the 16 digits
    of a plain NPWP (a 15-digit one padded with a leading 0, as NPWP-16 does). Zero
    placeholders and empty cells say nothing."""
    for col in NPWP_COLUMNS:
        try:
            s = cells.parse_text(rec.get(col))
        except CellError:
            continue
        if s is None:
            continue
        if s.upper().startswith("NPWP-"):
            return s
        digits = re.sub(r"[^0-9]", "", s)
        if len(digits) == 15:
            digits = "0" + digits
        if len(digits) == 16 and digits not in _PLACEHOLDER_NPWP and digits.strip("0"):
            return digits
    return None


def provenance(where: str, record: object, names: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(field, where) for each of ``names`` the record has a value for."""
    out = []
    for name in names:
        v = getattr(record, name)
        if v is not None and v != ():
            out.append((name, where))
    return tuple(out)


#: Purchase fields whose source row is recorded in ``provenance``: those clauses read.
PROVENANCE_FIELDS = (
    "stage", "buyer_id", "ppk_id", "supplier_id", "procurement_type", "method", "value_idr", "umk_value_idr",
    "reserved_for_umkk", "exemption_reason", "date", "pagu_idr", "fiscal_year", "channel", "pdn_value_idr", "pdn",
    "kd_rup", "kd_tender", "kd_nontender", "kd_paket",
)


def with_provenance(record, where: str):
    """The record with provenance naming ``where`` for every field it has a value in."""
    from dataclasses import replace

    return replace(record, provenance=provenance(where, record, PROVENANCE_FIELDS))


def read_rows(
    path: Path,
    kind: str,
    required: Iterable[Iterable[str] | str],
    row: Callable[[Collector, int, Cells, dict[str, str]], None],
    detected: str | None = None,
    table: str = "purchases",
):
    """Read every row of an ISB file with ``row(collector, row, cells, found_columns)``.

    Returns:
        the file's :class:`~perbup_rules.importers.part.Part`; every row is counted, and
        a JSON item that is not an object is rejected with its row.
    """
    src = Source(Path(path))
    try:
        found = src.require(*required)
        note = detected
        if src.wrapper:
            note = f"{note}; {src.wrapper}" if note else src.wrapper
        c = Collector(src.file, kind, src.sha256, note)
        for n, rec in src.rows():
            c.read_row(table)
            if rec is None:
                c.reject(n, errors.BAD_VALUE, "row is not an object", table=table)
                continue
            row(c, n, Cells(rec), found)
        return c.finish_part()
    finally:
        src.close()
