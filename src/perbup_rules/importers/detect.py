"""Guess which importer fits a file or folder from its shape and column names."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .. import errors
from ..i18n import msg
from .tables import column_key, data_error, open_binary

#: How much of a file is looked at to guess its kind.
_PEEK = 1 << 16

#: Column sets that identify each LKPP export, most specific first: the first set a file's
#: columns contain decides its kind. Each names what the kind is, for ``InputFile.detected``.
_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (kind, frozenset(cols))
    for kind, cols in (
        ("spse-ekontrak-bapbast", {"no_kontrak", "no_bast"}),
        ("spse-ekontrak-bapbast", {"no_kontrak", "besar_pembayaran"}),
        ("spse-ekontrak-spmkspp", {"no_kontrak", "no_spmk_spp"}),
        ("spse-ekontrak", {"no_kontrak", "nilai_kontrak"}),
        ("spse-ekontrak", {"tgl_kontrak", "nilai_kontrak"}),
        ("spse-ekontrak-sppbj", {"no_sppbj", "harga_final"}),
        ("spse-ekontrak-sppbj", {"no_sppbj", "tgl_sppbj"}),
        ("spse-peserta-tender", {"kd_tender", "kd_peserta"}),
        ("spse-pencatatan-swakelola-realisasi", {"kd_swakelola_pct", "nilai_realisasi"}),
        ("spse-pencatatan-swakelola", {"kd_swakelola_pct", "total_realisasi"}),
        ("spse-pencatatan-nontender-realisasi", {"kd_nontender_pct", "nilai_realisasi"}),
        ("spse-pencatatan-nontender", {"kd_nontender_pct", "total_realisasi"}),
        ("ecat-paket-v6", {"kd_paket", "total_harga"}),
        ("tokodaring-realisasi", {"order_id", "valuasi"}),
        ("sirup-rup", {"kd_rup", "pagu", "status_ukm"}),
        ("sirup-rup", {"kd_rup", "pagu", "metode_pengadaan"}),
        ("spse-nontender", {"kd_nontender", "nilai_kontrak"}),
        ("spse-tender", {"kd_tender", "nilai_kontrak"}),
        ("spse-tender-selesai", {"kd_tender", "tgl_penetapan_pemenang"}),
        ("spse-nontender-pengumuman", {"kd_nontender", "pagu"}),
        ("spse-tender-pengumuman", {"kd_tender", "pagu"}),
        ("rup-master-satker", {"kd_satker_str", "nama_satker", "status_satker"}),
        ("rup-master-satker", {"kd_satker_str", "nama_satker", "jenis_satker"}),
        ("rup-master-satker", {"kd_satker_str", "nama_satker", "ket_satker"}),
        ("isb-reference", {"kd_satker_str", "total_belanja"}),
        ("isb-reference", {"kd_program_str", "nama_program"}),
        ("isb-reference", {"kd_kabkota", "nama_kabkota"}),
        ("isb-reference", {"kd_kabupaten", "nama_kabupaten"}),
        ("isb-reference", {"kd_provinsi", "nama_provinsi"}),
        ("isb-reference", {"kd_komoditas", "nama_komoditas"}),
        ("isb-reference", {"kd_produk", "nama_produk"}),
        ("isb-reference", {"kd_penyedia", "penyedia_ukm"}),
        ("isb-reference", {"kd_penyedia_distributor", "nama_distributor"}),
        ("isb-reference", {"kd_satker_str", "nama_satker"}),
    )
)

#: What each detected kind is, said in the detection note.
DESCRIPTIONS = {
    "sirup-rup": "SiRUP RUP paket (plan)",
    "spse-nontender": "SPSE non-tender results (award)",
    "spse-tender": "SPSE tender results with values (award)",
    "spse-ekontrak": "SPSE e-kontrak contracts (contract)",
    "spse-ekontrak-bapbast": "SPSE e-kontrak BAP/BAST (handover, supporting)",
    "spse-ekontrak-spmkspp": "SPSE e-kontrak SPMK/SPP (work order, supporting)",
    "spse-ekontrak-sppbj": "SPSE e-kontrak SPPBJ (award letter, supporting)",
    "spse-peserta-tender": "SPSE tender bidders (supporting)",
    "spse-pencatatan-swakelola-realisasi": "SPSE pencatatan swakelola payments (supporting)",
    "spse-pencatatan-swakelola": "SPSE pencatatan swakelola (award)",
    "spse-pencatatan-nontender-realisasi": "SPSE pencatatan non-tender payments (supporting)",
    "spse-pencatatan-nontender": "SPSE pencatatan non-tender (award)",
    "ecat-paket-v6": "e-Katalog v6 orders (award, e-purchasing)",
    "tokodaring-realisasi": "Toko Daring transactions (award)",
    "spse-tender-selesai": "SPSE completed tenders without values (supporting)",
    "spse-nontender-pengumuman": "SPSE non-tender announcements (supporting)",
    "spse-tender-pengumuman": "SPSE tender announcements (supporting)",
    "rup-master-satker": "RUP satker master (buyers)",
    "isb-reference": "an ISB master or sample that no clause reads (reference)",
}


def detect_kind(path: str | Path) -> str:
    """Return the importer kind for ``path``: canonical, sirup-rup, spse-*, ocds or another ISB endpoint.

    Raises:
        DataError: unreadable_input when the kind cannot be told; the message
            lists the kinds so the user can pass one with ``--from``.
    """
    return detect(path)[0]


def detect(path: str | Path) -> tuple[str, str]:
    """(kind, why): the kind of ``path`` and the structure that decided it, for ``InputFile.detected``.

    Raises:
        DataError: as :func:`detect_kind`.
    """
    path = Path(path)
    if path.is_dir():
        names = {p.name.lower() for p in path.iterdir()}
        if {"parties.csv", "purchases.csv"} & names:
            return "canonical", "a folder with parties.csv/purchases.csv"
        from .ocds_flat import sniff_folder

        if sniff_folder(path):  # before the generic folder of exports: Flatten Tool's CSV output is one release set
            return "ocds-flat", "a Flatten Tool CSV folder (main.csv with OCDS JSON-pointer headings)"
        files = [p for p in path.iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in DATA_SUFFIXES]
        if files:
            return "folder", f"a folder of {len(files)} export files, each read with its own kind"
        raise _undetectable(path, "the folder has neither parties.csv nor purchases.csv, nor any .csv/.json export")
    if not path.is_file():
        raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.no_path"), str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from .ocds_flat import sniff_xlsx

        if sniff_xlsx(path):
            return "ocds-flat", "an Excel workbook with flattened OCDS headings"
        found = _xlsx_export(path)
        if found:
            return found
        return "canonical", "an Excel workbook"
    with open_binary(path, str(path)) as fh:
        head = fh.read(_PEEK)
    text = head.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if suffix in (".json", ".jsonl", ".ndjson", ".jl") or stripped[:1] in ("{", "["):
        if '"ocid"' in text or '"releases"' in text or '"records"' in text:
            return "ocds", "JSON with OCDS ocid/releases/records"
        found = _by_columns({column_key(k.strip('"')) for k in _json_keys(text)})
        if found:
            return found
        raise _undetectable(path, "JSON with neither OCDS releases nor known LKPP columns")
    header = _csv_header(text)
    from .ocds_flat import sniff

    if sniff(header):
        return "ocds-flat", "CSV headings of flattened OCDS (ocid with awards/contracts paths)"
    found = _by_columns(header)
    if found:
        return found
    if {"id", "stage"} <= header or {"id", "kind"} <= header:
        raise _undetectable(path, "this looks like one canonical table; pass the folder that holds parties.csv and purchases.csv")
    raise _undetectable(path, "the columns match no known export")


#: File suffixes read from a folder of exports; other files (README.md, notes) are listed as skipped.
DATA_SUFFIXES = (".csv", ".json", ".jsonl", ".ndjson", ".jl", ".xlsx", ".xlsm")


def _by_columns(columns: set[str]) -> tuple[str, str] | None:
    for kind, needed in _SIGNATURES:
        if needed <= columns:
            return kind, f"columns {', '.join(sorted(needed))}: {DESCRIPTIONS.get(kind, kind)}"
    return None


def _xlsx_export(path: Path) -> tuple[str, str] | None:
    """The LKPP kind of a workbook that is one export saved from Excel: no parties and purchases
    sheets (a canonical workbook), exactly one sheet with a header row, and that header an
    export's columns (importers.lkpp.xlsx_rows reads it); else None."""
    from ..errors import DataError
    from .tables import XlsxBook

    try:
        with XlsxBook(path, str(path)) as book:
            if {"parties", "purchases"} <= {n.strip().lower() for n in book.sheet_names}:
                return None
            headers = [{column_key(h) for h in table.header or () if h.strip()} for _n, table in book.headed_sheets()]
    except DataError:
        return None
    if len(headers) != 1:
        return None
    found = _by_columns(headers[0])
    return (found[0], "an Excel workbook of one sheet: " + found[1]) if found else None


def _csv_header(text: str) -> set[str]:
    first = text.splitlines()[0] if text else ""
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        row = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    except csv.Error:
        return set()
    return {column_key(c) for c in row}


def _json_keys(text: str) -> set[str]:
    # Object keys in the first part of the file: "name": ... pairs.
    keys = set()
    for part in text.split('"')[1::2]:
        keys.add(part)
    return keys


def _undetectable(path: Path, why: str):
    from .registry import KINDS

    return data_error(
        errors.UNREADABLE_INPUT,
        msg("diag.data.undetectable", why=why),
        str(path),
        hint=msg("diag.hint.name_kind", kinds=", ".join(KINDS)),
    )
