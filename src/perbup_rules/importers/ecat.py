"""E-purchasing: e-Katalog v6 orders and Toko Daring (Bela Pengadaan) transactions, as award purchases.

* e-Katalog v6 (Ecat-PaketEPurchasingV6): one order per ``kd_paket``; value ``total_harga``
  (with ``ongkir``, as ordered); ``channel`` e_purchasing. The source names no supplier,
  only e-Katalog's own ids: the supplier is ``penyedia-ecat:<kd_penyedia_v6>``, a party of
  unknown kind and scale. ``kd_penyedia_sikap`` is kept beside it and not merged with SPSE's
  ``kd_penyedia``: the two are not confirmed to be one id system.
* Toko Daring (Bela-TokoDaringRealisasi): one transaction per ``order_id``; value
  ``valuasi``; ``channel`` toko_daring. A transaction the marketplace reports as failed
  (``status_konfirmasi_ppmse`` gagal) was not paid and is rejected with that reason.
  ``kd_satker`` is SiRUP's satker id here, so the buyer is ``satker-sirup:<kd_satker>``
  until the satker master maps it to its dotted code (:mod:`.link`).
"""

from __future__ import annotations

from pathlib import Path

from .. import errors
from ..records import Purchase
from .collect import Collector
from .lkpp import Cells, code, fiscal_date, fiscal_year, kd_rup_codes, keep, kabupaten_from_klpd, read_rows, satker_buyer, with_provenance
from .part import Part


def read_ecat_v6(path: str | Path, detected: str | None = None) -> Part:
    """e-Katalog v6 orders as award purchases (channel e_purchasing)."""
    return read_rows(Path(path), "ecat-paket-v6", ("kd_paket", "kd_satker_str", "tahun_anggaran", "total_harga"), _ecat_row, detected)


def read_tokodaring(path: str | Path, detected: str | None = None) -> Part:
    """Toko Daring transactions as award purchases (channel toko_daring)."""
    return read_rows(Path(path), "tokodaring-realisasi", ("order_id", "kd_satker", ("tahun", "tahun_anggaran"), "valuasi"), _toko_row, detected)


def _ecat_row(c: Collector, row: int, cl: Cells, found: dict[str, str]) -> None:
    kd = cl.get("kd_paket", code, required=True)
    pid = f"ecat:{kd}" if kd else None
    kd_satker = cl.get("kd_satker_str", code, required=True)
    year = cl.get("tahun_anggaran", fiscal_year, required=True)
    value = cl.money("total_harga")
    rup = cl.get("kd_rup", kd_rup_codes) or ()
    v6 = cl.get("kd_penyedia_v6", code)
    sikap = cl.get("kd_penyedia_sikap", code)
    if cl.reject_into(c, row, pid):
        return
    buyer_id, buyer = satker_buyer(cl, kd_satker)
    if buyer["name"] is None:
        buyer["name"] = cl.get("nama_satker")
    if buyer["kabupaten"] is None:
        buyer["kabupaten"] = kabupaten_from_klpd(cl.get("nama_instansi"))
    date, date_from = fiscal_date(cl, year, ("tgl_order",))
    supplier = f"penyedia-ecat:{v6}" if v6 else None
    record = Purchase.trusted(
        id=pid,  # type: ignore[arg-type]
        stage="award",
        buyer_id=buyer_id,
        supplier_id=supplier,
        method="e_purchasing",
        value_idr=value,
        date=date,
        fiscal_year=year,
        channel="e_purchasing",
        kd_rup=rup,
        kd_paket=kd,
        extra=keep(
            ("nama_paket", cl.rec.get("rup_nama_pkt")),
            ("status_pkt", cl.rec.get("status_pkt")),
            ("status_pengiriman", cl.rec.get("status_pengiriman")),
            ("mak", cl.rec.get("mak")),
            ("sumber_dana", cl.rec.get("sumber_dana")),
            ("tahun_anggaran", year),
            ("date_from", date_from),
        ),
    )
    if cl.reject_into(c, row, pid):
        return
    c.party(buyer_id, row=row, **buyer)
    if supplier:
        c.party(supplier, row=row, extra=keep(("kd_penyedia_sikap", None if sikap in (None, "0") else sikap)))
    c.purchase(row, with_provenance(record, f"{c.file}:{row}"))


def _toko_row(c: Collector, row: int, cl: Cells, found: dict[str, str]) -> None:
    kd = cl.get("order_id", code, required=True)
    pid = f"tokodaring:{kd}" if kd else None
    kd_satker = cl.get("kd_satker", code, required=True)
    year = cl.get(found["tahun"], fiscal_year, required=True)
    value = cl.money("valuasi")
    if cl.reject_into(c, row, pid):
        return
    status = (cl.get("status_konfirmasi_ppmse") or "").strip().lower()
    if status == "gagal":
        why = cl.get("keterangan_ppmse")
        c.reject(row, errors.BAD_VALUE, f"transaction failed at the marketplace{f' ({why})' if why else ''}: not spending",
                 "status_konfirmasi_ppmse", pid)
        return
    buyer_id = f"satker-sirup:{kd_satker}"
    date, date_from = fiscal_date(cl, year, ("tanggal_transaksi",))
    merchant = cl.get("merchant_name")
    record = Purchase.trusted(
        id=pid,  # type: ignore[arg-type]
        stage="award",
        buyer_id=buyer_id,
        ppk_id=cl.get("pemesan_id"),
        method="toko_daring",
        value_idr=value,
        date=date,
        fiscal_year=year,
        channel="toko_daring",
        extra=keep(
            ("nama_paket", cl.rec.get("order_desc")),
            ("marketplace", cl.rec.get("marketplace")),
            ("merchant_name", merchant),
            ("status_konfirmasi_ppmse", cl.rec.get("status_konfirmasi_ppmse")),
            ("tahun_anggaran", year),
            ("date_from", date_from),
        ),
    )
    if cl.reject_into(c, row, pid):
        return
    c.party(buyer_id, row=row, name=cl.get("nama_satker"), kind="perangkat_daerah", kabupaten=kabupaten_from_klpd(cl.get("nama_klpd")),
            extra=keep(("kd_satker", kd_satker), ("kd_klpd", cl.rec.get("kd_klpd"))))
    c.purchase(row, with_provenance(record, f"{c.file}:{row}"))
