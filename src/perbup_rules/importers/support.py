"""Supporting ISB endpoints: rows that tell about a package another file holds, read as facts.

Announcements (pengumuman), completed-tender details (tender selesai), award letters
(SPPBJ), work orders (SPMK/SPP), handovers (BAPBAST), payments (realisasi) and bidders
(peserta) are never spending of their own: counting them as purchases would count a
package two or more times. Each row becomes a :class:`~.part.Fact` addressed by its key
(``kd_nontender``, ``kd_tender``, ``no_kontrak``, ``kd_nontender_pct`` ...) that
:mod:`.link` applies to the package. A row is accepted when its key and cells read; whether
it found its package is reported in the link rates, never by dropping it.

Masters (``rup-master-satker``; region, programme and catalogue masters) are facts too:
the satker master names the buyers, the others are kept as read and link to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import errors
from ..records import COLUMNS

PURCHASE_COLUMNS = frozenset(COLUMNS["purchases"])
from .collect import Collector
from .lkpp import Cells, code, kd_rup_codes, keep, method, npwp_id, procurement_type, read_rows, satker_code
from .part import Fact, Part


@dataclass(frozen=True)
class Spec:
    """How one supporting endpoint is read: its target, keys, and what it knows."""

    kind: str
    target: str
    #: key columns, tried in order: (column, key name the linker indexes by)
    keys: tuple[tuple[str, str], ...]
    #: canonical field -> (column, parser); applied to the target only where it has no value
    fields: tuple[tuple[str, str, Callable[[object], Any]], ...] = ()
    #: columns kept as (column, text) evidence on the target
    extra: tuple[str, ...] = ()
    #: money columns, summed over every fact of a target (``pagu`` is the package's pagu_idr instead)
    money: tuple[str, ...] = ()
    #: columns the file must have besides the first key
    required: tuple[str, ...] = ()


def _text(v: object) -> Any:
    from .cells import parse_text

    return parse_text(v)


_PACKAGE_FIELDS = (
    ("kd_rup", "kd_rup", kd_rup_codes),
    ("procurement_type", "jenis_pengadaan", procurement_type),
    ("method", "mtd_pemilihan", method),
)

SPECS: dict[str, Spec] = {
    s.kind: s
    for s in (
        Spec("spse-nontender-pengumuman", "award", (("kd_nontender", "kd_nontender"),),
             _PACKAGE_FIELDS + (("ppk_id", "ppk_id", _text),),
             ("kualifikasi_paket", "mak", "status_nontender", "hps", "repeat_order"), ("pagu",)),
        Spec("spse-tender-pengumuman", "award", (("kd_tender", "kd_tender"),),
             _PACKAGE_FIELDS,
             ("kualifikasi_paket", "lokasi_pekerjaan", "status_tender", "mtd_evaluasi", "hps", "ppk_id"), ("pagu",)),
        Spec("spse-tender-selesai", "award", (("kd_tender", "kd_tender"),),
             _PACKAGE_FIELDS,
             ("kualifikasi_paket", "mak", "tgl_penetapan_pemenang", "nama_paket"), ("pagu",)),
        Spec("spse-ekontrak-sppbj", "award", (("kd_nontender", "kd_nontender"), ("kd_tender", "kd_tender")),
             (), ("no_sppbj", "tgl_sppbj", "status_kontrak"), ("harga_final",), ("no_sppbj",)),
        Spec("spse-ekontrak-spmkspp", "contract", (("no_kontrak", "no_kontrak"),),
             (), ("no_spmk_spp", "tgl_spmk_spp", "tgl_mulai_pekerjaan", "tgl_selesai_pekerjaan", "alamat_penyedia"), (), ("no_spmk_spp",)),
        Spec("spse-ekontrak-bapbast", "contract", (("no_kontrak", "no_kontrak"),),
             (), ("no_bast", "tgl_bast", "cara_pembayaran_kontrak", "alamat_penyedia"), ("besar_pembayaran",), ("no_bast",)),
        Spec("spse-peserta-tender", "award", (("kd_tender", "kd_tender"),),
             (), (), (), ("kd_peserta",)),
        Spec("spse-pencatatan-nontender-realisasi", "pencatatan", (("kd_nontender_pct", "kd_nontender_pct"),),
             (), ("jenis_realisasi", "tgl_realisasi", "nama_penyedia"), ("nilai_realisasi",), ("nilai_realisasi",)),
        Spec("spse-pencatatan-swakelola-realisasi", "swakelola", (("kd_swakelola_pct", "kd_swakelola_pct"),),
             (), ("jenis_realisasi", "tgl_realisasi", "nama_pelaksana"), ("nilai_realisasi",), ("nilai_realisasi",)),
    )
}


def read_support(kind: str) -> Callable[..., Part]:
    """The reader of one supporting endpoint: path -> Part of facts."""
    spec = SPECS[kind]

    def read(path: str | Path, detected: str | None = None) -> Part:
        first = tuple(col for col, _ in spec.keys)
        return read_rows(Path(path), spec.kind, (first, *spec.required), lambda c, n, cl, f: _fact_row(c, n, cl, spec), detected)

    read.__doc__ = f"{kind} rows as facts for their {spec.target}."
    return read


def _fact_row(c: Collector, row: int, cl: Cells, spec: Spec) -> None:
    keys = []
    for col, name in spec.keys:
        v = cl.get(col, code)
        if v is not None:
            keys.append((name, v))
    if not keys:
        cl.fail(spec.keys[0][0], errors.REQUIRED_VALUE, "is empty but required (it names the package this row belongs to)")
    known = []
    for fname, col, parse in spec.fields:
        v = cl.get(col, parse)
        if v not in (None, ()):
            known.append((fname, v))
    money = []
    for col in spec.money:
        v = cl.money(col)
        if v is None:
            continue
        if col == "pagu":  # the package's ceiling: a field, not an amount to sum
            known.append(("pagu_idr", v))
        else:
            money.append((col, v))
    if spec.kind == "spse-peserta-tender":
        known.extend(_bidder(cl))
    if cl.reject_into(c, row, keys[0][1] if keys else None):
        return
    kd_penyedia = cl.get("kd_penyedia", code)
    c.fact(Fact(
        file=c.file,
        row=row,
        kind=spec.kind,
        target=spec.target,
        keys=tuple(keys),
        fields=tuple(known),
        # A column that is also a canonical purchase column (ppk_id of an announcement, which may
        # name two officials) is kept under another name: extra never shadows a canonical field.
        extra=keep(*((f"{col}_{spec.target}_source" if col in PURCHASE_COLUMNS else col, cl.rec.get(col)) for col in spec.extra)),
        money=tuple(money),
        npwp=npwp_id(cl.rec),
        kd_penyedia=kd_penyedia,
    ))


def _bidder(cl: Cells) -> list[tuple[str, Any]]:
    """A bidder row says it won when ``pemenang`` is 1."""
    won = cl.rec.get("pemenang")
    return [("winner", True)] if str(won).strip() in ("1", "true", "True") else []


# --- masters -----------------------------------------------------------------------------


def read_satker_master(path: str | Path, detected: str | None = None) -> Part:
    """RUP-MasterSatker rows: buyer names and the SiRUP id -> dotted code map."""
    return read_rows(Path(path), "rup-master-satker", ("kd_satker_str", "nama_satker"), _satker_row, detected, table="parties")


def _satker_row(c: Collector, row: int, cl: Cells, found: dict[str, str]) -> None:
    raw = cl.get("kd_satker_str", code, required=True)
    dotted = satker_code(raw) or raw
    sirup = cl.get("kd_satker", code)
    name = cl.get("nama_satker")
    if cl.reject_into(c, row, dotted):
        return
    keys = (("kd_satker_str", dotted),) + ((("kd_satker", sirup),) if sirup else ())
    c.fact(Fact(
        file=c.file, row=row, kind="rup-master-satker", target="satker", keys=keys,
        fields=(("name", name),) if name else (),
        extra=keep(("kd_satker", sirup), ("ket_satker", cl.rec.get("ket_satker")), ("jenis_satker", cl.rec.get("jenis_satker")),
                   ("kd_klpd", cl.rec.get("kd_klpd")), ("nama_klpd", cl.rec.get("nama_klpd"))),
    ), table="parties")


def read_reference(path: str | Path, detected: str | None = None) -> Part:
    """A master or sample endpoint that no clause reads (regions, programmes, catalogue samples):
    every row is accepted and kept as read; it links to nothing."""

    def row(c: Collector, n: int, cl: Cells, found: dict[str, str]) -> None:
        c.fact(Fact(file=c.file, row=n, kind="isb-reference", target="reference"), table="parties")

    return read_rows(Path(path), "isb-reference", (), row, detected, table="parties")
