"""SiRUP "RUP paket penyedia" (LKPP ISB) -> plan-stage purchases with their satker buyers.

Each row is one planned package. The buyer is the satker (``satker:<kd_satker>``);
there is no supplier yet. ``status_ukm`` says whether the package is reserved for
small businesses, ``alasan_non_ukm`` why not. Deleted or inactive packages are
not plans and are rejected with that reason.
"""

from __future__ import annotations

from pathlib import Path

from .. import errors
from ..records import Dataset, Purchase
from . import cells
from .cells import CellError
from .collect import Collector
from .lkpp import Cells, code, fiscal_date, fiscal_year, kd_rup_codes, keep, method, procurement_type, read_rows, satker_buyer, with_provenance
from .part import Part

KIND = "sirup-rup"

#: Date columns tried in order for the purchase date (see lkpp.fiscal_date).
DATE_COLUMNS = ("tgl_awal_kontrak", "tgl_awal_pemanfaatan", "tgl_akhir_pemilihan")


#: SiRUP ``alasan_non_ukm`` texts and their exemption codes (records.EXEMPTION_CODES), compared
#: casefolded with spaces collapsed. The SiRUP form offers two reasons: the package needs
#: competences small businesses lack (the technical exemption of Perpres 46/2025 Pasal 65), or
#: its pagu is above the reservation ceiling (not an exemption: the pagu decides, KMT-03).
_TECHNICAL = ("kompetensi tidak sesuai dengan usaha kecil",)
_PAGU_ABOVE = "memiliki nilai pagu anggaran >"


def exemption_code_of(reason: str | None) -> str | None:
    """The exemption code of a SiRUP ``alasan_non_ukm`` text; ``other`` for a text that is
    neither known reason (kept as written in ``exemption_reason``); None without a text."""
    if reason is None or not reason.strip():
        return None
    text = " ".join(reason.split()).casefold()
    if text.rstrip(".") in _TECHNICAL:
        return "technical"
    if _PAGU_ABOVE in text:
        return "pagu_above_ceiling"
    return "other"


def _status_ukm(value: object) -> bool | None:
    s = cells.parse_text(value)
    if s is None:
        return None
    key = s.lower().replace("-", "").replace("_", "").replace(" ", "")
    if key == "ukm":
        return True
    if key == "nonukm":
        return False
    raise CellError(errors.UNKNOWN_CODE, f"{s!r} is not UKM or Non-UKM")


def import_sirup_rup(path: str | Path) -> Dataset:
    """Import a SiRUP RUP paket penyedia export (CSV or ISB JSON) as plan-stage purchases.

    Raises:
        DataError: the file cannot be read or lacks kd_rup, kd_satker, tahun_anggaran, pagu or jenis_pengadaan.
    """
    from .link import link

    return link([read_sirup_rup(path)])


def read_sirup_rup(path: str | Path, detected: str | None = None) -> Part:
    """SiRUP RUP paket rows as plan purchases, for linking (:mod:`.link`)."""
    return read_rows(Path(path), KIND, ("kd_rup", ("kd_satker_str", "kd_satker"), "tahun_anggaran", "pagu", "jenis_pengadaan"),
                     lambda c, n, cl, f: _row(c, n, cl), detected)


def _status_pdn(value: object) -> bool | None:
    s = cells.parse_text(value)
    if s is None:
        return None
    key = s.lower().replace("-", "").replace("_", "").replace(" ", "")
    if key == "pdn":
        return True
    if key == "nonpdn":
        return False
    raise CellError(errors.UNKNOWN_CODE, f"{s!r} is not PDN or Non-PDN")


#: SiRUP metode_pengadaan -> the channel the package is planned to be bought through.
_CHANNELS = {
    "tender": "tender", "tender_cepat": "tender", "seleksi": "tender", "e_purchasing": "e_purchasing",
    "pengadaan_langsung": "non_tender", "penunjukan_langsung": "non_tender", "dikecualikan": "other",
}


def _row(c: Collector, row: int, cl: Cells) -> None:
    kd_rup = cl.get("kd_rup", code, required=True)
    pid = f"rup:{kd_rup}" if kd_rup else None
    codes = cl.get("kd_rup", kd_rup_codes) or ()
    kd_satker = cl.get("kd_satker_str", code) or cl.get("kd_satker", code, required=True)
    pdn = cl.get("status_pdn", _status_pdn)
    year = cl.get("tahun_anggaran", fiscal_year, required=True)
    deleted = cl.get("status_delete_rup", cells.parse_bool)
    active = cl.get("status_aktif_rup", cells.parse_bool)
    value = cl.money("pagu")
    ptype = cl.get("jenis_pengadaan", procurement_type)
    reserved = cl.get("status_ukm", _status_ukm)
    if cl.reject_into(c, row, pid):
        return
    if deleted:
        c.reject(row, errors.BAD_VALUE, "package is deleted in SiRUP (status_delete_rup=true): not a plan", "status_delete_rup", pid)
        return
    if active is False:
        c.reject(row, errors.BAD_VALUE, "package is not active in SiRUP (status_aktif_rup=false): not a plan", "status_aktif_rup", pid)
        return
    buyer_id, buyer = satker_buyer(cl, kd_satker)
    date, date_from = fiscal_date(cl, year, DATE_COLUMNS)
    mtd = cl.get("metode_pengadaan", method)
    record = Purchase.trusted(
        id=pid,  # type: ignore[arg-type]
        stage="plan",
        buyer_id=buyer_id,
        ppk_id=cl.get("ppk_id"),
        procurement_type=ptype,
        method=mtd,
        value_idr=value,
        reserved_for_umkk=reserved,
        exemption_reason=cl.get("alasan_non_ukm"),
        exemption_code=exemption_code_of(cl.get("alasan_non_ukm")),
        date=date,
        pagu_idr=value,
        fiscal_year=year,
        channel=_CHANNELS.get(mtd or "", "other" if mtd else None),
        pdn=pdn,
        kd_rup=codes,
        extra=keep(
            ("nama_paket", cl.rec.get("nama_paket")),
            ("status_pdn", cl.rec.get("status_pdn")),
            ("status_ukm", cl.rec.get("status_ukm")),
            ("mak", cl.rec.get("mak")),
            ("lokasi", cl.rec.get("lokasi") or cl.rec.get("detail_lokasi")),
            ("status_dikecualikan", cl.rec.get("status_dikecualikan")),
            ("tahun_anggaran", year),
            ("date_from", date_from),
        ),
    )
    if cl.reject_into(c, row, pid):  # ppk_id / alasan_non_ukm read above may hold a NUL
        return
    c.party(buyer_id, row=row, **buyer)
    c.purchase(row, with_provenance(record, f"{c.file}:{row}"))
