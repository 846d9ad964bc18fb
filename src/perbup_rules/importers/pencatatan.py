"""SPSE pencatatan (purchases recorded in SPSE after the fact): non-tender and swakelola packages.

Both are award-stage purchases: the package was bought (or self-managed) outside an SPSE
selection and recorded afterwards. ``channel`` is ``pencatatan`` for non-tender records
and ``swakelola`` for self-managed work. ``kd_paket`` holds the pencatatan code
(``kd_nontender_pct`` / ``kd_swakelola_pct``), which the realisasi (payment) rows name.

* ``total_realisasi`` is the value: what was paid so far. 0 on a running package means
  nothing recorded yet, so the value is unknown (as SPSE's ``nilai_kontrak`` of 0).
* A cancelled package (``Paket Dibatalkan``, status ``Ditutup``) is not spending: it is
  rejected with that reason, as SiRUP's deleted packages are.
* ``nilai_umk_pct`` and ``nilai_pdn_pct`` are the UMK and PDN parts. Both 0 on a paid package
  is read as "not filled in" (unknown), not as "no UMK part"; a 0 beside a filled-in other
  part is kept.
* There is no supplier column: the payee of the realisasi rows may give one (see
  :mod:`.link`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import errors
from ..records import Purchase
from .collect import Collector
from .lkpp import (
    Cells,
    code,
    fiscal_date,
    fiscal_year,
    kd_rup_codes,
    keep,
    method,
    procurement_type,
    read_rows,
    satker_buyer,
    with_provenance,
)
from .part import Part

DATE_COLUMNS = ("tgl_selesai_paket", "tgl_mulai_paket", "tgl_buat_paket")


def read_pencatatan_nontender(path: str | Path, detected: str | None = None) -> Part:
    """SPSE-PencatatanNonTender rows as award purchases (channel pencatatan)."""
    return read_rows(Path(path), "spse-pencatatan-nontender",
                     ("kd_nontender_pct", ("kd_satker_str", "kd_satker"), "tahun_anggaran", "total_realisasi"),
                     lambda c, n, cl, f: _row(c, n, cl, "nontender"), detected)


def read_pencatatan_swakelola(path: str | Path, detected: str | None = None) -> Part:
    """SPSE-PencatatanSwakelola rows as award purchases (channel swakelola)."""
    return read_rows(Path(path), "spse-pencatatan-swakelola",
                     ("kd_swakelola_pct", ("kd_satker_str", "kd_satker"), "tahun_anggaran", "total_realisasi"),
                     lambda c, n, cl, f: _row(c, n, cl, "swakelola"), detected)


def _zero_unknown(value: Any) -> Any:
    return None if value == 0 else value


def _cancelled(cl: Cells, which: str) -> str | None:
    ket = (cl.get(f"status_{which}_pct_ket") or "").lower()
    status = (cl.get(f"status_{which}_pct") or "").lower()
    if "batal" in ket or status == "ditutup":
        return cl.get(f"status_{which}_pct_ket") or cl.get(f"status_{which}_pct")
    return None


def _row(c: Collector, row: int, cl: Cells, which: str) -> None:
    key = f"kd_{which}_pct"
    kd = cl.get(key, code, required=True)
    pid = f"{'pencatatan' if which == 'nontender' else 'swakelola'}:{kd}" if kd else None
    kd_satker = cl.get("kd_satker_str", code) or cl.get("kd_satker", code, required=True)
    year = cl.get("tahun_anggaran", fiscal_year, required=True)
    realised = cl.money("total_realisasi")
    pagu = cl.money("pagu")
    umk = cl.money("nilai_umk_pct")
    pdn = cl.money("nilai_pdn_pct")
    ptype = cl.get("kategori_pengadaan", procurement_type)
    rup = cl.get("kd_rup", kd_rup_codes) or ()
    if cl.reject_into(c, row, pid):
        return
    gone = _cancelled(cl, which)
    if gone:
        c.reject(row, errors.BAD_VALUE, f"package is cancelled ({gone}): not spending", f"status_{which}_pct_ket", pid)
        return
    value = _zero_unknown(realised)
    # Both parts 0 on a paid package reads two ways (no UMK/PDN part, or the form left at 0:
    # 109 of 361 Kab. Bandung records): unknown, with the zeros kept in extra. A 0 beside a
    # filled-in other part is a statement and stays 0.
    unfilled = value is not None and umk == 0 and pdn == 0
    buyer_id, buyer = satker_buyer(cl, kd_satker)
    date, date_from = fiscal_date(cl, year, DATE_COLUMNS)
    record = Purchase.trusted(
        id=pid,  # type: ignore[arg-type]
        stage="award",
        buyer_id=buyer_id,
        ppk_id=cl.get("ppk_id"),
        procurement_type=ptype,
        method=cl.get("mtd_pemilihan", method) or ("swakelola" if which == "swakelola" else None),
        value_idr=value,
        # The UMK and PDN parts of an unknown (0) value are unknown too.
        umk_value_idr=umk if value is not None and not unfilled else None,
        pdn_value_idr=pdn if value is not None and not unfilled else None,
        date=date,
        pagu_idr=pagu,
        fiscal_year=year,
        channel="pencatatan" if which == "nontender" else "swakelola",
        kd_rup=rup,
        kd_paket=kd,
        extra=keep(
            ("nama_paket", cl.rec.get("nama_paket")),
            (f"status_{which}_pct_ket", cl.rec.get(f"status_{which}_pct_ket")),
            ("bukti_pembayaran", cl.rec.get("bukti_pembayaran")),
            ("tipe_swakelola", cl.rec.get("tipe_swakelola_nama")),
            ("uraian_pekerjaan", cl.rec.get("uraian_pekerjaan")),
            ("total_realisasi", "0" if realised == 0 else None),
            ("nilai_umk_pct", "0" if unfilled else None),
            ("nilai_pdn_pct", "0" if unfilled else None),
            ("tahun_anggaran", year),
            ("date_from", date_from),
        ),
    )
    if cl.reject_into(c, row, pid):
        return
    c.party(buyer_id, row=row, **buyer)
    c.purchase(row, with_provenance(record, f"{c.file}:{row}"))
