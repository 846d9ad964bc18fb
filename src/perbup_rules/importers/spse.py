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
    Source,
    fiscal_date,
    fiscal_year,
    keep,
    legal_form_from_bentuk,
    legal_form_from_name,
    method,
    procurement_type,
    rup_codes,
    satker_buyer,
)


def import_spse_nontender(path: str | Path) -> Dataset:
    """Import an SPSE non-tender results export (SPSE-NonTenderSelesai) as award-stage purchases."""
    return _import_results(Path(path), "spse-nontender", ("kd_nontender", "kd_tender"))


def import_spse_tender(path: str | Path) -> Dataset:
    """Import an SPSE tender results export (SPSE-TenderSelesai[Nilai]) as award-stage purchases."""
    return _import_results(Path(path), "spse-tender", ("kd_tender", "kd_nontender"))


def import_spse_ekontrak(path: str | Path) -> Dataset:
    """Import an SPSE e-kontrak export (Tender/NonTender Ekontrak-Kontrak) as contract-stage purchases.

    The id is ``kontrak:<kd_tender or kd_nontender>[:<no_kontrak>]``; when a
    contract appears in several addendum versions (``versi_addendum``) the highest
    version is kept and the others are rejected as superseded.
    """
    src = Source(Path(path))
    try:
        found = src.require(("kd_tender", "kd_nontender"), "kd_satker", "tahun_anggaran", "nilai_kontrak")
        key = found["kd_tender"]
        c = Collector(src.file, "spse-ekontrak", src.sha256)
        for row, rec in src.rows():
            c.read_row()
            if rec is None:
                c.reject(row, errors.BAD_VALUE, "row is not an object")
                continue
            _contract_row(c, row, Cells(rec), key)
        return c.finish()
    finally:
        src.close()


def _import_results(path: Path, kind: str, keys: tuple[str, str]) -> Dataset:
    src = Source(path)
    try:
        found = src.require(keys, "kd_satker", "tahun_anggaran", "nilai_kontrak")
        key = found[keys[0]]
        which = key[len("kd_"):]  # 'tender' or 'nontender': the other column names follow it
        c = Collector(src.file, kind, src.sha256)
        for row, rec in src.rows():
            c.read_row()
            if rec is None:
                c.reject(row, errors.BAD_VALUE, "row is not an object")
                continue
            _award_row(c, row, Cells(rec), key, which)
        return c.finish()
    finally:
        src.close()


def _values(cl: Cells) -> tuple[Any, Any, str | None]:
    """(value_idr, umk_value_idr, raw note) from nilai_kontrak / nilai_umk_kontrak."""
    value = cl.money("nilai_kontrak")
    umk = cl.money("nilai_umk_kontrak")
    if not value:
        # 0 means "not recorded" (ongoing packages carry 0), not a free contract;
        # the UMK part of an unknown value is unknown too.
        return None, None, ("0" if value == 0 else None)
    if umk is not None and umk > value:
        cl.fail("nilai_umk_kontrak", errors.BAD_VALUE, f"{umk} exceeds nilai_kontrak {value}")
    return value, umk, None


def _award_row(c: Collector, row: int, cl: Cells, key: str, which: str) -> None:
    kd = cl.get(key, required=True)
    pid = f"spse:{kd}" if kd else None
    kd_satker = cl.get("kd_satker", required=True)
    year = cl.get("tahun_anggaran", fiscal_year, required=True)
    value, umk, zero = _values(cl)
    ptype = cl.get("jenis_pengadaan", procurement_type)
    kd_penyedia = cl.get("kd_penyedia")
    nama = cl.get("nama_penyedia")
    kualifikasi = cl.get("kualifikasi_paket")
    if cl.reject_into(c, row, pid):
        return
    buyer_id, buyer = satker_buyer(cl, kd_satker)
    date, date_from = fiscal_date(cl, year, (f"tgl_selesai_{which}", "tgl_penetapan_pemenang"))
    record = Purchase(
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
        kd_rup=rup_codes(cl.rec.get("kd_rup") or cl.rec.get("kd_rup_paket")),
        extra=keep(
            ("nama_paket", cl.rec.get("nama_paket")),
            ("mak", cl.rec.get("mak")),  # kode akun: read by the category map (perbup_rules.categories)
            (f"status_{which}", cl.rec.get(f"status_{which}")),
            ("kualifikasi_paket", kualifikasi),
            ("pagu", cl.rec.get("pagu")),
            ("hps", cl.rec.get("hps")),
            ("nilai_kontrak", zero),
            ("nilai_pdn_kontrak", cl.rec.get("nilai_pdn_kontrak")),
            ("nama_penyedia", None if kd_penyedia else nama),
            ("tahun_anggaran", year),
            ("date_from", date_from),
        ),
    )
    if cl.reject_into(c, row, pid):
        return
    c.party(buyer_id, **buyer)
    if kd_penyedia:
        form = legal_form_from_name(nama)
        c.party(
            record.supplier_id,  # type: ignore[arg-type]
            name=nama,
            kind="koperasi" if form == "koperasi" else "company",
            legal_form=form,
            scale="kecil" if kualifikasi and kualifikasi.strip().lower() == "kecil" else None,
        )
    c.purchase(row, record)


def _contract_row(c: Collector, row: int, cl: Cells, key: str) -> None:
    kd = cl.get(key, required=True)
    no_kontrak = cl.get("no_kontrak")
    pid = (f"kontrak:{kd}:{no_kontrak}" if no_kontrak else f"kontrak:{kd}") if kd else None
    kd_satker = cl.get("kd_satker", required=True)
    year = cl.get("tahun_anggaran", fiscal_year, required=True)
    version = cl.get("versi_addendum", lambda v: cells.parse_int(v, 0, 10_000))
    value, umk, zero = _values(cl)
    ptype = cl.get("jenis_pengadaan", procurement_type)
    kd_penyedia = cl.get("kd_penyedia")
    nama = cl.get("nama_penyedia")
    bentuk = cl.get("bentuk_usaha_penyedia")
    if cl.reject_into(c, row, pid):
        return
    buyer_id, buyer = satker_buyer(cl, kd_satker)
    date, date_from = fiscal_date(cl, year, ("tgl_kontrak",))
    record = Purchase(
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
        extra=keep(
            ("nama_paket", cl.rec.get("nama_paket")),
            ("no_kontrak", no_kontrak),
            ("status_kontrak", cl.rec.get("status_kontrak")),
            ("versi_addendum", version),
            ("nilai_kontrak", zero),
            ("nilai_pdn_kontrak", cl.rec.get("nilai_pdn_kontrak")),
            # Without kd_penyedia there is no stable supplier id (the NPWP is
            # not published); the name stays visible as evidence.
            ("nama_penyedia", None if kd_penyedia else nama),
            ("bentuk_usaha_penyedia", None if kd_penyedia else bentuk),
            ("tahun_anggaran", year),
            ("date_from", date_from),
        ),
    )
    if cl.reject_into(c, row, pid):
        return
    c.party(buyer_id, **buyer)
    if kd_penyedia:
        form = legal_form_from_bentuk(bentuk) or legal_form_from_name(nama)
        c.party(
            record.supplier_id,  # type: ignore[arg-type]
            name=nama,
            kind="koperasi" if form == "koperasi" else "company",
            legal_form=form,
            extra=keep(("bentuk_usaha_penyedia", bentuk), ("tipe_penyedia", cl.rec.get("tipe_penyedia"))),
        )
    c.purchase(row, record, rank=version)
