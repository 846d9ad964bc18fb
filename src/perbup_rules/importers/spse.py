"""SPSE results (LKPP ISB): tender and non-tender winners (award stage) and e-kontrak contracts (contract stage).

Buyers are satkers (``satker:<kd_satker>``), suppliers are ``penyedia:<kd_penyedia>``,
deduplicated across rows. Two readings need care and are documented in
docs/importers.md:

* ``nilai_kontrak`` of 0 means the contract value was not recorded (it is 0 on
  ongoing packages), so the value becomes unknown, and so does the UMK part.
* ``kualifikasi_paket`` = Kecil means only small businesses could win the
  package (Perpres 16/2018 Ps. 65), so its winner's declared scale is read as
  ``kecil``. This is an inference from the package, not the supplier's own
  statement; a supplier seen on any Kecil package keeps ``kecil``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import errors
from ..records import Dataset, Purchase
from . import cells
from .collect import Collector
from .lkpp import (
    Cells,
    code,
    fiscal_date,
    fiscal_year,
    kd_rup_codes,
    keep,
    legal_form_from_bentuk,
    legal_form_from_name,
    method,
    npwp_id,
    procurement_type,
    read_rows,
    satker_buyer,
    with_provenance,
)
from .part import Part


def import_spse_nontender(path: str | Path) -> Dataset:
    """Import an SPSE non-tender results export (SPSE-NonTenderSelesai) as award-stage purchases."""
    return _linked(read_spse_nontender(path))


def import_spse_tender(path: str | Path) -> Dataset:
    """Import an SPSE tender results export (SPSE-TenderSelesaiNilai) as award-stage purchases."""
    return _linked(read_spse_tender(path))


def import_spse_ekontrak(path: str | Path) -> Dataset:
    """Import an SPSE e-kontrak export (Tender/NonTender Ekontrak-Kontrak) as contract-stage purchases.

    The id is ``kontrak:<kd_tender or kd_nontender>[:<no_kontrak>]``; when a
    contract appears in several addendum versions (``versi_addendum``) the highest
    version is kept and the others are rejected as superseded.
    """
    return _linked(read_spse_ekontrak(path))


def _linked(part: Part) -> Dataset:
    from .link import link

    return link([part])


def read_spse_nontender(path: str | Path, detected: str | None = None) -> Part:
    """SPSE-NonTenderSelesai rows as award purchases (channel non_tender)."""
    return _read_results(Path(path), "spse-nontender", ("kd_nontender", "kd_tender"), detected)


def read_spse_tender(path: str | Path, detected: str | None = None) -> Part:
    """SPSE-TenderSelesaiNilai rows as award purchases (channel tender)."""
    return _read_results(Path(path), "spse-tender", ("kd_tender", "kd_nontender"), detected)


def read_spse_ekontrak(path: str | Path, detected: str | None = None) -> Part:
    """Tender/NonTender Ekontrak-Kontrak rows as contract purchases."""

    def row(c: Collector, n: int, cl: Cells, found: dict[str, str]) -> None:
        _contract_row(c, n, cl, found["kd_tender"])

    return read_rows(Path(path), "spse-ekontrak", (("kd_tender", "kd_nontender"), ("kd_satker_str", "kd_satker"), "tahun_anggaran", "nilai_kontrak"), row, detected)


def _read_results(path: Path, kind: str, keys: tuple[str, str], detected: str | None) -> Part:
    def row(c: Collector, n: int, cl: Cells, found: dict[str, str]) -> None:
        key = found[keys[0]]
        _award_row(c, n, cl, key, key[len("kd_"):])

    return read_rows(path, kind, (keys, ("kd_satker_str", "kd_satker"), "tahun_anggaran", "nilai_kontrak"), row, detected)


def _values(cl: Cells) -> tuple[Any, Any, Any, str | None]:
    """(value_idr, umk_value_idr, pdn_value_idr, raw note) from nilai_kontrak / nilai_umk_kontrak / nilai_pdn_kontrak."""
    value = cl.money("nilai_kontrak")
    umk = cl.money("nilai_umk_kontrak")
    pdn = cl.money("nilai_pdn_kontrak")
    if not value:
        # 0 means "not recorded" (ongoing packages carry 0), not a free contract;
        # the UMK and PDN parts of an unknown value are unknown too.
        return None, None, None, ("0" if value == 0 else None)
    if umk is not None and umk > value:
        cl.fail("nilai_umk_kontrak", errors.BAD_VALUE, f"{umk} exceeds nilai_kontrak {value}")
    if pdn is not None and pdn > value:
        # No clause reads PDN yet: an inconsistent PDN part is left unknown, not a reason to drop the row.
        pdn = None
    return value, umk, pdn, None


def _satker(cl: Cells) -> str | None:
    """The satker key of a row: kd_satker_str, else kd_satker (which holds the dotted code in selesai-nilai)."""
    return cl.get("kd_satker_str", code) or cl.get("kd_satker", code, required=True)


def _supplier(c: Collector, cl: Cells, kd_penyedia: str, nama: str | None, scale: str | None = None,
              form: str | None = None, extra: tuple[tuple[str, str], ...] = (), row: int | None = None) -> str:
    form = form or legal_form_from_name(nama)
    npwp = npwp_id(cl.rec)
    return c.party(
        f"penyedia:{kd_penyedia}",
        row=row,
        name=nama,
        kind="koperasi" if form == "koperasi" else "company",
        legal_form=form,
        scale=scale,
        extra=extra + ((("npwp", npwp),) if npwp else ()),
    )


def _award_row(c: Collector, row: int, cl: Cells, key: str, which: str) -> None:
    kd = cl.get(key, code, required=True)
    pid = f"spse:{kd}" if kd else None
    kd_satker = _satker(cl)
    year = cl.get("tahun_anggaran", fiscal_year, required=True)
    value, umk, pdn, zero = _values(cl)
    pagu = cl.money("pagu")
    ptype = cl.get("jenis_pengadaan", procurement_type)
    kd_penyedia = cl.get("kd_penyedia", code)
    nama = cl.get("nama_penyedia")
    kualifikasi = cl.get("kualifikasi_paket")
    rup = cl.get("kd_rup", kd_rup_codes) or cl.get("kd_rup_paket", kd_rup_codes) or ()
    if cl.reject_into(c, row, pid):
        return
    buyer_id, buyer = satker_buyer(cl, kd_satker)
    date, date_from = fiscal_date(cl, year, (f"tgl_selesai_{which}", "tgl_penetapan_pemenang"))
    record = Purchase.trusted(
        id=pid,  # type: ignore[arg-type]
        stage="award",
        buyer_id=buyer_id,
        ppk_id=cl.get("ppk_id"),
        supplier_id=f"penyedia:{kd_penyedia}" if kd_penyedia else None,
        procurement_type=ptype,
        method=cl.get("mtd_pemilihan", method),
        value_idr=value,
        umk_value_idr=umk,
        date=date,
        pagu_idr=pagu,
        fiscal_year=year,
        channel="tender" if which == "tender" else "non_tender",
        pdn_value_idr=pdn,
        kd_rup=rup,
        kd_tender=kd if which == "tender" else None,
        kd_nontender=kd if which == "nontender" else None,
        extra=keep(
            ("nama_paket", cl.rec.get("nama_paket")),
            ("mak", cl.rec.get("mak")),  # kode akun: read by the category map (perbup_rules.categories)
            (f"status_{which}", cl.rec.get(f"status_{which}")),
            ("kualifikasi_paket", kualifikasi),
            ("hps", cl.rec.get("hps")),
            ("mak", cl.rec.get("mak")),
            ("kd_paket_spse", cl.rec.get("kd_paket")),
            ("nilai_kontrak", zero),
            ("nama_penyedia", None if kd_penyedia else nama),
            ("npwp", None if kd_penyedia else npwp_id(cl.rec)),
            ("tahun_anggaran", year),
            ("date_from", date_from),
        ),
    )
    if cl.reject_into(c, row, pid):
        return
    c.party(buyer_id, row=row, **buyer)
    if kd_penyedia:
        _supplier(c, cl, kd_penyedia, nama, scale="kecil" if kualifikasi and kualifikasi.strip().lower() == "kecil" else None,
                  row=row)
    c.purchase(row, with_provenance(record, f"{c.file}:{row}"))


def _contract_row(c: Collector, row: int, cl: Cells, key: str) -> None:
    kd = cl.get(key, code, required=True)
    no_kontrak = cl.get("no_kontrak")
    pid = (f"kontrak:{kd}:{no_kontrak}" if no_kontrak else f"kontrak:{kd}") if kd else None
    kd_satker = _satker(cl)
    year = cl.get("tahun_anggaran", fiscal_year, required=True)
    version = cl.get("versi_addendum", lambda v: cells.parse_int(v, 0, 10_000))
    value, umk, pdn, zero = _values(cl)
    ptype = cl.get("jenis_pengadaan", procurement_type)
    kd_penyedia = cl.get("kd_penyedia", code)
    nama = cl.get("nama_penyedia")
    bentuk = cl.get("bentuk_usaha_penyedia")
    if cl.reject_into(c, row, pid):
        return
    buyer_id, buyer = satker_buyer(cl, kd_satker)
    date, date_from = fiscal_date(cl, year, ("tgl_kontrak",))
    which = "tender" if key == "kd_tender" else "nontender"
    record = Purchase.trusted(
        id=pid,  # type: ignore[arg-type]
        stage="contract",
        buyer_id=buyer_id,
        ppk_id=cl.get("ppk_id"),
        supplier_id=f"penyedia:{kd_penyedia}" if kd_penyedia else None,
        procurement_type=ptype,
        method=cl.get("mtd_pengadaan", method),
        value_idr=value,
        umk_value_idr=umk,
        date=date,
        fiscal_year=year,
        channel="tender" if which == "tender" else "non_tender",
        pdn_value_idr=pdn,
        kd_tender=kd if which == "tender" else None,
        kd_nontender=kd if which == "nontender" else None,
        extra=keep(
            ("nama_paket", cl.rec.get("nama_paket")),
            ("no_kontrak", no_kontrak),
            ("no_sppbj", cl.rec.get("no_sppbj")),
            ("status_kontrak", cl.rec.get("status_kontrak")),
            ("versi_addendum", version),
            ("nilai_kontrak", zero),
            # Without kd_penyedia the supplier is reached through the award of the same
            # package, or the NPWP id (docs/importers.md, "Linking"); the name stays as evidence.
            ("nama_penyedia", None if kd_penyedia else nama),
            ("npwp", None if kd_penyedia else npwp_id(cl.rec)),
            ("bentuk_usaha_penyedia", None if kd_penyedia else bentuk),
            ("tahun_anggaran", year),
            ("date_from", date_from),
        ),
    )
    if cl.reject_into(c, row, pid):
        return
    c.party(buyer_id, row=row, **buyer)
    if kd_penyedia:
        _supplier(c, cl, kd_penyedia, nama, form=legal_form_from_bentuk(bentuk), row=row,
                  extra=keep(("bentuk_usaha_penyedia", bentuk), ("tipe_penyedia", cl.rec.get("tipe_penyedia"))))
    c.purchase(row, with_provenance(record, f"{c.file}:{row}"), rank=version)
