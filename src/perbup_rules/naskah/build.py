"""The draft laid out as a Peraturan Bupati (UU 12/2011 Lampiran II), as a neutral structure.

:func:`build` reads a regulation folder and returns a :class:`Naskah`: judul, pembukaan
(jabatan, Menimbang, Mengingat, MEMUTUSKAN, Menetapkan), batang tubuh (BAB, Pasal, ayat with
their huruf and angka), the pengundangan sentence after the last pasal, and the signature
block. Dates and numbers not yet known are blanks (:data:`BLANK`). The writers in
:mod:`.writers` turn it into Markdown, HTML or Word; in the ``annotated`` view every ayat
carries notes on its machine rule, parameters and tests.

No machine condition appears in the naskah view: the text is what a Bagian Hukum would sign.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from .model import JENIS_TEXT, Mengingat, NaskahFrame
from .numbers import ayat_items, fill, format_date, reference_day

BLANK = "……"
#: where a name will be typed under a signature
NAME_BLANK = "…………………………………"
VIEWS = ("naskah", "annotated")


@dataclass
class AyatOut:
    number: int | None               # None: the pasal's only ayat, printed without "(1)"
    text: str
    items: list[tuple[int, str, str]] = field(default_factory=list)  # (depth, label, text)
    notes: list[str] = field(default_factory=list)                   # annotated view only


@dataclass
class PasalOut:
    number: int
    ayat: list[AyatOut]
    closing: list[str] = field(default_factory=list)  # unnumbered paragraphs after the ayat (pengundangan)
    notes: list[str] = field(default_factory=list)


@dataclass
class BabOut:
    number: str
    title: str
    pasal: list[PasalOut] = field(default_factory=list)


@dataclass
class Naskah:
    view: str
    status: str
    kop: list[str]
    judul: list[str]          # PERATURAN BUPATI ... / NOMOR ... TAHUN ... / TENTANG / ...
    jabatan: str              # BUPATI KUTAI TIMUR,
    menimbang: list[str]
    mengingat: list[str]
    menetapkan: str
    babs: list[BabOut]
    penetapan: list[str]      # Ditetapkan di ... (right-hand block)
    pengundangan: list[str]   # Diundangkan di ...
    berita_daerah: str
    header_notes: list[str] = field(default_factory=list)

    @property
    def pasal(self) -> list[PasalOut]:
        return [p for b in self.babs for p in b.pasal]


def _blank(v) -> str:
    return BLANK if v is None else str(v)


def mengingat_text(m: Mengingat) -> str:
    """One Mengingat entry as Lampiran II writes it."""
    if m.jenis == "uud":
        return (f"{m.pasal} " if m.pasal else "") + JENIS_TEXT["uud"]
    head = JENIS_TEXT[m.jenis] + (f" {m.penerbit}" if m.penerbit else "")
    out = f"{head} Nomor {m.nomor} Tahun {m.tahun} tentang {m.tentang}"
    if m.lembaran:
        out += f" ({m.lembaran})"
    if m.perubahan:
        out += f" {m.perubahan}"
    return out


def _huruf(i: int) -> str:
    return chr(ord("a") + i)


#: said in the document when regulation.yaml has no ``naskah:`` section
NO_FRAME = ("regulation.yaml belum memuat bagian naskah: (tentang, Menimbang, Mengingat); bagian itu ditulis sebagai "
            "titik-titik / regulation.yaml has no naskah: section yet; see docs/clause-format.md")


def _frame(reg, frame: NaskahFrame | None) -> tuple[NaskahFrame, bool]:
    """The frame, or (without ``naskah:``) a blank one named from the title; and whether it was given."""
    if frame is not None:
        return frame, True
    title = " ".join(reg.meta.title.id.split())
    tentang = title.split(" tentang ", 1)[1] if " tentang " in title else title
    return NaskahFrame.model_construct(**{**{k: f.default for k, f in NaskahFrame.model_fields.items()
                                             if not f.is_required()},
                                          "tentang": tentang, "menimbang": [], "mengingat": []}), False


def build(root: str | Path, view: str = "naskah") -> Naskah:
    """The regulation folder as a Perbup; ``view`` is ``naskah`` (the legal text) or ``annotated``."""
    from ..compiler import compile_ruleset
    from ..loader import load_files

    if view not in VIEWS:
        raise UsageError(f"unknown view {view!r}; expected one of: {', '.join(VIEWS)}")
    root = Path(root)
    reg = load_files(root)
    rs = compile_ruleset(reg)  # raises InvalidRulesError with every problem: render only a draft that checks
    frame, framed = _frame(reg, getattr(reg.meta, "naskah", None))
    day = reference_day(reg.meta)
    jenis_up = frame.jenis.upper()
    jabatan = frame.jabatan.upper()
    tentang = " ".join(frame.tentang.split())

    kop = [jabatan] + ([f"PROVINSI {frame.provinsi.upper()}"] if getattr(frame, "provinsi", None) else [])
    judul = [f"{jenis_up} {frame.daerah.upper().replace('KABUPATEN ', '')}",
             f"NOMOR {_blank(frame.nomor)} TAHUN {_blank(frame.tahun)}", "TENTANG", tentang.upper()]
    menimbang = [" ".join(t.split()) for t in frame.menimbang] or [f"bahwa {BLANK};"]
    letters = [f"huruf {_huruf(i)}" for i in range(len(menimbang))]
    refs = letters[0] if len(letters) == 1 else ", ".join(letters[:-1]) + (", dan " if len(letters) > 2 else " dan ") + letters[-1]
    menimbang.append(f"bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam {refs}, perlu menetapkan "
                     f"{frame.jenis} tentang {tentang};")
    mengingat = [mengingat_text(m) + (";" if i < len(frame.mengingat) - 1 else ".")
                 for i, m in enumerate(frame.mengingat)] or [f"{BLANK}."]
    menetapkan = f"{jenis_up} TENTANG {tentang.upper()}."

    annotated = view == "annotated"
    clauses = {c["id"]: c for c in rs.clauses}
    notes_for = _Annotator(root, rs) if annotated else None

    babs: list[BabOut] = []
    for file, pf, _node in sorted(reg.pasal_files, key=lambda t: t[1].pasal):
        bab_no = pf.bab.number if pf.bab else ""
        if not babs or babs[-1].number != bab_no:
            babs.append(BabOut(bab_no, pf.bab.title.id.upper() if pf.bab else ""))
        by_ayat: dict = defaultdict(list)
        for c in pf.clauses:
            nums = [] if c.ayat is None else ([c.ayat] if isinstance(c.ayat, int) else list(c.ayat))
            by_ayat[nums[0] if nums else None].append(c.id)
        single = len(pf.ayat) == 1
        ayat = []
        for a in pf.ayat:
            items = [(d, label, " ".join(fill(t, reg.params, day).split())) for d, label, t in ayat_items(a)]
            out = AyatOut(None if single else a.ayat, " ".join(fill(a.text, reg.params, day).split()), items)
            if annotated:
                for cid in by_ayat.get(a.ayat, []):
                    out.notes += notes_for(clauses[cid])
            ayat.append(out)
        p = PasalOut(pf.pasal, ayat)
        if annotated:
            for cid in by_ayat.get(None, []):
                p.notes += notes_for(clauses[cid])
            p.notes += [f"Belum diperiksa mesin: {n.id}" for n in pf.not_encoded]
        babs[-1].pasal.append(p)
    if babs and babs[-1].pasal:
        last = babs[-1].pasal[-1]
        sentence = (f"Agar setiap orang mengetahuinya, memerintahkan pengundangan {frame.jenis} ini dengan "
                    f"penempatannya dalam Berita Daerah {frame.daerah}.")
        if not any("Agar setiap orang mengetahuinya" in a.text for a in last.ayat):
            last.closing.append(sentence)

    ditetapkan = format_date(frame.ditetapkan) if frame.ditetapkan else "……………………"
    # regulation.yaml's `promulgated` (issue 13), when present, is the same date
    promulgated = frame.diundangkan or getattr(reg.meta, "promulgated", None)
    diundangkan = format_date(promulgated) if promulgated else "……………………"
    penetapan = [f"Ditetapkan di {frame.ibukota}", f"pada tanggal {ditetapkan}", f"{jabatan},", "", "",
                 frame.bupati.upper() if frame.bupati else NAME_BLANK]
    pengundangan = [f"Diundangkan di {frame.ibukota}", f"pada tanggal {diundangkan}",
                    f"SEKRETARIS DAERAH {frame.daerah.upper()},", "", "",
                    frame.sekretaris_daerah.upper() if frame.sekretaris_daerah else NAME_BLANK]
    bd = frame.berita_daerah
    berita = f"BERITA DAERAH {frame.daerah.upper()} TAHUN {_blank(bd.tahun)} NOMOR {_blank(bd.nomor)}"
    header_notes = [] if framed else [NO_FRAME]
    if annotated:
        header_notes += [f"Naskah beranotasi: {reg.meta.title.id}; status {reg.meta.status}, versi {reg.meta.version}, "
                        f"sidik jari aturan {rs.fingerprint}.",
                        "Di samping setiap ayat: aturan mesinnya dalam bahasa biasa, parameternya dengan sumber dan "
                        "dasar (law = peraturan yang lebih tinggi, draft = pilihan perancang), dan skenario uji yang "
                        "mencakupnya dengan cakupan cabangnya."]
    return Naskah(view, reg.meta.status, kop, judul, f"{jabatan},", menimbang, mengingat, menetapkan, babs,
                  penetapan, pengundangan, berita, header_notes)


def _day(iso: str | None) -> str:
    return format_date(_dt.date.fromisoformat(iso)) if iso else "…"


class _Annotator:
    """Notes for one clause: plain-language rule, parameters with sources, scenarios and coverage."""

    def __init__(self, root: Path, rs):
        from ..testing.coverage import CoverageTracer, coverage
        from ..testing.runner import run_all

        self.rs = rs
        tracer = CoverageTracer()
        run = run_all(root, rs, "reference", tracer=tracer)
        self.cov = coverage(rs, tracer, run.results).by_clause()
        self.scenarios: dict[str, list[str]] = defaultdict(list)
        self.failed: set[str] = set()
        for r in run.results:
            s = r.scenario
            for cid in sorted({e.get("clause") for e in s.expect + s.expect_absent + s.expect_required if e.get("clause")}):
                self.scenarios[cid].append(f"{Path(s.file).name}: {s.name}" + (" (GAGAL)" if r.failures else ""))

    def __call__(self, c: dict) -> list[str]:
        from ..document import _params_used
        from .numbers import format_value
        from .plain import describe

        out = [f"{c['id']} ({c['title']['id']}; {'kesalahan' if c['severity'] == 'error' else 'peringatan'}"
               + (f"; berlaku {_day(c.get('valid_from'))} s.d. {_day(c.get('valid_until'))}" if c.get("valid_from") or c.get("valid_until") else "")
               + ")"]
        out += ["Aturan mesin: " + s for s in describe(c, self.rs.params)]
        if c.get("derived_from"):
            out.append("Dasar: " + "; ".join(c["derived_from"]))
        for name in _params_used(c):
            p = self.rs.params[name]
            from ..params import decode_value
            vals = "; ".join(f"{format_value(p['unit'], decode_value(p['unit'], v['value']))} sejak "
                             f"{format_date(_dt.date.fromisoformat(v['from']))} ({v['reference']})" for v in p["values"])
            out.append(f"Parameter {name} [basis: {p['basis']}]: {vals}")
        branches = self.cov.get(c["id"], [])
        covered = sum(b.covered for b in branches)
        scen = self.scenarios.get(c["id"], [])
        if branches:
            out.append(f"Cakupan uji: {covered}/{len(branches)} cabang"
                       + ("" if covered == len(branches) else "; belum teruji: "
                          + ", ".join(f"{b.kind} {b.name}" for b in branches if not b.covered)))
        out.append(f"Diuji oleh {len(scen)} skenario" + (": " + "; ".join(scen) if scen else
                   (" (diuji melalui ketentuan yang memakainya)" if c["kind"] == "classify" else "")))
        return out
