"""What the LKPP ISB exports (SiRUP, SPSE) share: reading rows, satker buyers, code mappings, dates.

ISB data comes as CSV (one row per package) or as the JSON array the ISB API
returns; both are read here into rows addressed by column name. Money columns are
machine-written (``113214787.91``), so they use :func:`cells.parse_amount`, not
the human-format rules of the canonical loader.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .. import errors
from ..errors import DataError, Diagnostic, SourceLocation
from . import cells
from .cells import CellError
from .collect import Collector
from .tables import CsvTable, check_utf8, data_error


class Rec:
    """One source row addressed by lower-case column name; absent columns read as None."""

    __slots__ = ("_index", "_cells")

    def __init__(self, index: dict[str, int] | None, cells_: Any):
        self._index = index
        self._cells = cells_

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
        self.columns: set[str] = set()
        self._csv: CsvTable | None = None
        self._items: list | None = None
        if path.suffix.lower() == ".json":
            self.sha256 = check_utf8(path, self.file)
            self._items = _json_rows(path, self.file)
            for item in self._items:
                if isinstance(item, dict):
                    self.columns.update(k.lower() for k in item)
        else:
            self._csv = CsvTable(path, self.file)
            self.sha256 = self._csv.sha256
            if self._csv.header is None:
                self._csv.close()
                raise data_error(errors.MISSING_COLUMN, "file is empty (no header row)", self.file, 1)
            self._index = {}
            for i, h in enumerate(self._csv.header):
                self._index.setdefault(h.strip().lower(), i)
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
                    Diagnostic(errors.MISSING_COLUMN, f"required column {' or '.join(map(repr, alts))} is missing", SourceLocation(self.file, 1))
                )
            else:
                found[alts[0]] = present
        if problems:
            self.close()
            raise DataError(problems)
        return found

    def rows(self) -> Iterator[tuple[int, Rec | None]]:
        """Yield (row, record); a JSON array item that is not an object gives a None record."""
        if self._csv is not None:
            for row, raw in self._csv.rows():
                yield row, Rec(self._index, raw)
            return
        assert self._items is not None
        for i, item in enumerate(self._items, start=1):
            if isinstance(item, dict):
                yield i, Rec(None, {str(k).lower(): v for k, v in item.items()})
            else:
                yield i, None

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
        raise data_error(errors.UNREADABLE_INPUT, f"not valid JSON: {err.msg}", file, err.lineno) from None
    except RecursionError:
        raise data_error(errors.UNREADABLE_INPUT, "JSON is nested too deeply", file) from None
    except UnicodeDecodeError:
        raise data_error(errors.UNREADABLE_INPUT, "file is not UTF-8 text", file) from None


def _json_rows(path: Path, file: str) -> list:
    data = load_json(path, file)
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]  # some ISB dumps wrap the array
    if not isinstance(data, list):
        raise data_error(errors.UNREADABLE_INPUT, "expected a JSON array of rows (as the ISB API returns)", file)
    return data


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
        this one method, so the number convention of a file and column is decided in one place."""
        return self.get(col, cells.parse_amount, required)

    def fail(self, col: str, code: str, reason: str) -> None:
        self.problems.append((col, CellError(code, reason)))

    def reject_into(self, c: Collector, row: int, record_id: str | None) -> bool:
        """Reject the row into the collector if any cell had a problem; True if rejected."""
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
    """The satker of a row as a perangkat_daerah party: (id, fields for Collector.party)."""
    nama_klpd = cl.get("nama_klpd")
    extra = keep(("kd_klpd", cl.rec.get("kd_klpd")), ("nama_klpd", nama_klpd), ("kd_satker_str", cl.rec.get("kd_satker_str")))
    fields = {
        "name": cl.get("nama_satker"),
        "kind": "perangkat_daerah",
        "kabupaten": kabupaten_from_klpd(nama_klpd),
        "extra": extra,
    }
    return f"satker:{kd_satker}", fields


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
    return _BENTUK_USAHA.get(key, "other")


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


def rup_codes(value: object) -> tuple[str, ...]:
    """kd_rup as a tuple of codes: one cell may hold several joined by ';' (unreadable text gives none)."""
    try:
        s = cells.parse_text(value)
    except CellError:
        return ()
    return () if s is None else tuple(k.strip() for k in s.split(";") if k.strip())


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
