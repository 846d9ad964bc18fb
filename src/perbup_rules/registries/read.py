"""Reading a registry: a table of businesses in one of the known layouts, as :class:`Entry` rows.

Layouts (detected from the columns, never from the file name):

* ``kutim-umkm``: the Kutai Timur UMKM register (``nama_usaha, kategori_nama, kecamatan,
  desa``). Its authority is the Pemda's Dinas and every business in it is in Kabupaten
  Kutai Timur (that is what the register is), so ``kabupaten`` is "Kutai Timur";
  ``kind`` is ``umkm``; ``kategori_nama`` "Kuliner & Makanan Khas" supplies ``makanan``.
* ``ecat-penyedia``: the e-katalog penyedia detail of LKPP ISB (JSON array of objects with
  ``kd_penyedia``, ``nama_penyedia``, ``penyedia_ukm``, ``npwp_penyedia``); authority ``lkpp``.
* ``table``: any CSV/xlsx whose columns map clearly (canonical ``parties.csv`` columns, or the
  aliases in :data:`ALIASES`: ``nama_penyedia``, ``nib``, ``npwp``, ``skala_usaha``,
  ``bentuk_usaha`` ...). Optional columns ``authority`` and ``as_of`` give the registry's
  own authority and date per row; a column that maps to nothing is kept in ``extra``.

A cell that cannot be read (a scale that is no scale) rejects its row with file, row and
reason; a file without any name or key column is refused as a whole.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import errors
from ..importers import cells
from ..importers.lkpp import legal_form_from_bentuk
from ..importers.tables import CsvTable, XlsxBook, data_error, file_sha256
from ..records import LEGAL_FORMS, PARTY_KINDS

#: Authorities in the order they are trusted for a disputed field (docs/registries.md):
#: the business register that issues the scale (OSS/NIB) over the Pemda's own register
#: (dinas) over LKPP's supplier profiles (lkpp) and the procurement export itself (export).
AUTHORITIES = ("oss", "dinas", "lkpp", "export")

#: folded column name -> registry field
ALIASES: dict[str, str] = {
    "id": "id", "party_id": "id",
    "name": "name", "nama": "name", "nama_usaha": "name", "nama_penyedia": "name", "nama_perusahaan": "name",
    "nama_badan_usaha": "name", "business_name": "name",
    "kd_penyedia": "kd_penyedia", "kode_penyedia": "kd_penyedia", "kd_penyedia_sikap": "kd_penyedia_sikap",
    "kode_penyedia_sikap": "kd_penyedia_sikap",
    "nib": "nib", "nomor_induk_berusaha": "nib",
    "npwp": "npwp", "npwp_penyedia": "npwp", "npwp_16": "npwp16",
    "kind": "kind", "legal_form": "legal_form", "bentuk_usaha": "legal_form", "bentuk_usaha_penyedia": "legal_form",
    "scale": "scale", "skala": "scale", "skala_usaha": "scale", "penyedia_ukm": "scale", "status_ukm": "scale",
    "capital_idr": "capital_idr", "modal_usaha": "capital_idr", "annual_sales_idr": "annual_sales_idr",
    "omzet_tahunan": "annual_sales_idr", "hasil_penjualan_tahunan": "annual_sales_idr",
    "kabupaten": "kabupaten", "kab_kota": "kabupaten", "kabupaten_kota": "kabupaten", "kota_kab": "kabupaten",
    "kecamatan": "kecamatan", "desa": "desa", "kelurahan": "desa", "desa_kelurahan": "desa",
    "kabupaten_code": "kabupaten_code", "kecamatan_code": "kecamatan_code", "desa_code": "desa_code",
    "supplies": "supplies", "licensed": "licensed", "star_rating": "star_rating",
    "authority": "authority", "as_of": "as_of", "tanggal_data": "as_of",
    "kategori_nama": "kategori", "kategori": "kategori", "alamat_penyedia": "alamat", "alamat": "alamat",
}

#: the party fields a registry may fill
PARTY_FIELDS = ("name", "kind", "legal_form", "scale", "capital_idr", "annual_sales_idr", "kabupaten", "kecamatan",
                "desa", "kabupaten_code", "kecamatan_code", "desa_code", "supplies", "licensed", "star_rating")
#: the shared keys, in the order they are tried
KEYS = ("kd_penyedia", "nib", "npwp")

_SCALE_WORDS = {
    "mikro": "mikro", "usaha mikro": "mikro", "kecil": "kecil", "usaha kecil": "kecil", "menengah": "menengah",
    "usaha menengah": "menengah", "besar": "besar", "usaha besar": "besar", "non ukm": "besar",
    "non umkm": "besar", "non umk": "besar",
}
_UNSTATED = {"belum terdefinisi", "tidak diketahui", "-", "", "ukm", "umkm", "umk"}

#: the Kutim register's kategori -> canonical supply categories (what clauses test with `in supplies`)
KATEGORI_SUPPLIES = {"kuliner makanan khas": ("makanan",)}

_NPWP_DIGITS = re.compile(r"\d")


@dataclass
class Entry:
    """One business of a registry."""

    file: str
    row: int
    fields: dict[str, Any]
    keys: dict[str, str]
    authority: str
    as_of: _dt.date | None
    extra: tuple[tuple[str, str], ...] = ()
    #: fields set by the layout (the Kutim register is of Kutai Timur), not by the row itself
    defaulted: frozenset[str] = frozenset()

    def layout_note(self, name: str) -> str:
        return f"{name} from the register's layout (the Kutai Timur UMKM register), not the row"

    @property
    def source(self) -> str:
        return f"{self.file}:{self.row}"


@dataclass
class Registry:
    path: str
    layout: str
    sha256: str
    entries: list[Entry] = field(default_factory=list)
    #: (row, reason) of rows not used
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    read: int = 0


def npwp_key(value: object) -> str | None:
    """An NPWP as the redacted id the LKPP data carries ('NPWP-' + 12 hex of sha256 of the 16 digits,
    a 15-digit NPWP padded with a leading 0), so a registry with clear NPWPs joins the redacted exports."""
    s = cells.parse_text(value)
    if s is None:
        return None
    if s.upper().startswith("NPWP-"):
        return "NPWP-" + s[5:].lower()
    digits = "".join(_NPWP_DIGITS.findall(s))
    if len(digits) == 15:
        digits = "0" + digits
    if len(digits) != 16 or set(digits) == {"0"}:
        return None
    import hashlib

    return "NPWP-" + hashlib.sha256(digits.encode()).hexdigest()[:12]


def _fold(col: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", col.strip().casefold()).strip("_")


def parse_scale(value: object) -> str | None:
    s = cells.parse_text(value)
    if s is None:
        return None
    key = " ".join(re.sub(r"[^0-9a-z]+", " ", s.casefold()).split())
    if key in _UNSTATED:
        return None
    if key in _SCALE_WORDS:
        return _SCALE_WORDS[key]
    raise cells.CellError(errors.UNKNOWN_CODE, f"{s!r} is not a business scale (mikro, kecil, menengah, besar)")


_PARENS = re.compile(r"\([^)]*\)")
#: long forms of bentuk usaha as SPSE writes them ('Perseroan Terbatas (PT)', 'Persekutuan Komanditer
#: (CV / Commanditer Venoschaap )', 'Persekutuan Firma (FA / ...)', 'Orang Perseorangan')
_LONG_FORMS = (("perseroan terbatas", "pt"), ("persekutuan komanditer", "cv"), ("persekutuan firma", "firma"),
               ("usaha dagang", "ud"), ("koperasi", "koperasi"), ("orang perseorangan", "perorangan"),
               ("konsultan perseorangan", "perorangan"))


def parse_legal_form(value: object) -> str | None:
    s = cells.parse_text(value)
    if s is None:
        return None
    key = s.strip().casefold()
    if key in LEGAL_FORMS:
        return key
    bare = " ".join(_PARENS.sub(" ", key).split())
    for prefix, form in _LONG_FORMS:
        if bare.startswith(prefix):
            return form  # 'Perseroan Terbatas (PT) Perorangan' is a PT (UU 6/2023)
    return legal_form_from_bentuk(s)


_PARSERS = {
    "kind": lambda v: cells.parse_code(v, PARTY_KINDS, "party kind"),
    "legal_form": parse_legal_form,
    "scale": parse_scale,
    "capital_idr": cells.parse_money,
    "annual_sales_idr": cells.parse_money,
    "supplies": cells.parse_list,
    "licensed": cells.parse_bool,
    "star_rating": lambda v: cells.parse_int(v, 1, 5),
    "as_of": cells.parse_date,
}


def _entry(file: str, row: int, rec: dict[str, Any], layout: str, default_authority: str) -> Entry:
    """One registry row from {registry field: raw value}; raises CellError for a bad cell."""
    fields: dict[str, Any] = {}
    keys: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    for name, raw in rec.items():
        if name.startswith("extra:"):
            text = cells.parse_text(raw)
            if text is not None:
                extra.append((name[6:], text))
            continue
        try:
            value = _PARSERS.get(name, cells.parse_text)(raw)
        except cells.CellError as err:
            raise cells.CellError(err.code, f"{name}: {err}") from None
        if value is None or value == ():
            continue
        if name == "npwp" or name == "npwp16":
            k = npwp_key(value)
            if k:
                keys.setdefault("npwp", k)
        elif name in ("kd_penyedia", "nib"):
            keys[name] = str(value).strip()
        elif name == "kategori":
            extra.append(("kategori", value))
            folded = " ".join(re.sub(r"[^0-9a-z]+", " ", value.casefold()).split())
            if folded in KATEGORI_SUPPLIES:
                fields["supplies"] = KATEGORI_SUPPLIES[folded]
        elif name == "alamat":
            extra.append(("alamat", value))
        elif name == "kd_penyedia_sikap":
            extra.append((name, str(value)))
        elif name in ("authority", "as_of", "id"):
            fields[name] = value
        elif name in PARTY_FIELDS:
            fields[name] = value
    if "name" in fields and fields["name"].strip().startswith("[") and fields["name"].strip().endswith("]"):
        del fields["name"]  # a redaction placeholder such as "[perorangan]" names nobody
    authority = str(fields.pop("authority", default_authority)).strip().casefold()
    if authority not in AUTHORITIES:
        raise cells.CellError(errors.UNKNOWN_CODE, f"authority {authority!r} is not one of {', '.join(AUTHORITIES)}")
    as_of = fields.pop("as_of", None)
    defaulted: set[str] = set()
    if layout == "kutim-umkm":
        # what the register is, not what a row says: fills a gap, never decides a conflict
        for name, value in (("kabupaten", "Kutai Timur"), ("kind", "umkm")):
            if name not in fields:
                fields[name] = value
                defaulted.add(name)
    if not fields.get("name") and not keys:
        raise cells.CellError(errors.REQUIRED_VALUE, "a registry row needs a business name or a key (kd_penyedia, NIB, NPWP)")
    return Entry(file, row, fields, keys, authority, as_of, tuple(extra), frozenset(defaulted))


def load_registry(path: str | Path) -> Registry:
    """Read one registry file (CSV, .xlsx or LKPP JSON); raises DataError when it cannot be read at all."""
    p = Path(path)
    display = str(path)
    if not p.is_file():
        raise data_error(errors.UNREADABLE_INPUT, "no such registry file", display)
    suffix = p.suffix.lower()
    if suffix == ".json":
        return _load_json(p, display)
    if suffix in (".xlsx", ".xlsm"):
        with XlsxBook(p, display) as book:
            table = book.table(book.sheet_names[0].strip().lower())
            return _load_table(table, display, book.sha256)
    with CsvTable(p, display) as table:
        return _load_table(table, display, table.sha256)


def _layout(header: list[str]) -> tuple[str, dict[int, str]]:
    folded = [_fold(h) for h in header]
    if {"nama_usaha", "kategori_nama", "kecamatan", "desa"} <= set(folded):
        layout = "kutim-umkm"
    else:
        layout = "table"
    plan: dict[int, str] = {}
    for i, col in enumerate(folded):
        target = ALIASES.get(col)
        if target is None or target in plan.values():
            plan[i] = f"extra:{header[i].strip()}"
        else:
            plan[i] = target
    return layout, plan


def _load_table(table, display: str, sha256: str) -> Registry:
    if table is None or not table.header:
        raise data_error(errors.UNREADABLE_INPUT, "the registry has no header row", display)
    layout, plan = _layout(table.header)
    if not ({"name"} | set(KEYS) | {"npwp16"}) & set(plan.values()):
        raise data_error(errors.MISSING_COLUMN, "a registry needs a business-name column (name, nama_usaha, "
                         "nama_penyedia ...) or a key column (kd_penyedia, nib, npwp)", display, 1)
    reg = Registry(display, layout, sha256)
    authority = "dinas" if layout == "kutim-umkm" else "export"
    for row, cells_ in table.rows():
        reg.read += 1
        rec = {plan[i]: v for i, v in enumerate(cells_) if i in plan}
        try:
            reg.entries.append(_entry(display, row, rec, layout, authority))
        except cells.CellError as err:
            reg.rejected.append((row, err.code, str(err)))
    return reg


def _load_json(p: Path, display: str) -> Registry:
    sha = file_sha256(p)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise data_error(errors.UNREADABLE_INPUT, f"not readable JSON ({err})", display) from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise data_error(errors.UNREADABLE_INPUT, "a JSON registry is an array of objects (LKPP ISB layout)", display)
    reg = Registry(display, "ecat-penyedia" if any("penyedia_ukm" in r for r in data) else "json", sha)
    for i, obj in enumerate(data, start=1):
        reg.read += 1
        rec: dict[str, Any] = {}
        for k, v in obj.items():
            target = ALIASES.get(_fold(k))
            if target is not None and target not in rec:
                rec[target] = None if v is None else str(v) if not isinstance(v, str) else v
        try:
            reg.entries.append(_entry(display, i, rec, reg.layout, "lkpp"))
        except cells.CellError as err:
            reg.rejected.append((i, err.code, str(err)))
    return reg
