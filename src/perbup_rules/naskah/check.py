"""Compiler stage ``check_text``: the legal text agrees with the parameters, and the frame is well formed.

Runs after ``compile_clauses`` (it needs the parameters each clause uses). See
:mod:`perbup_rules.naskah.numbers` for what is checked in the ayat text; the Mengingat of
regulation.yaml ``naskah:`` must list the higher laws in the order of the hierarchy
(UU 12/2011 Pasal 7 and 8), and within a level by year and number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import errors
from ..expr import params_in
from ..source import YMap, YSeq, load_yaml
from .model import HIERARCHY
from .numbers import ayat_plain, literal_problems, placeholder_problems, reference_day, values_from


def _text_loc(node: Any, i: int, fallback):
    try:
        item = node["ayat"][i]
        return item.value_loc("text") if isinstance(item, YMap) else fallback
    except (KeyError, IndexError, TypeError):
        return fallback


def check_text(b) -> None:
    reg = b.regulation
    compiled = {c["id"]: c for c in b.clauses}
    day = reference_day(reg.meta)
    uses: dict[tuple[int, int], set[str]] = {}
    for c in reg.clauses:
        nums = [] if c.model.ayat is None else ([c.model.ayat] if isinstance(c.model.ayat, int) else list(c.model.ayat))
        for n in nums:
            uses.setdefault((c.pasal.pasal, n), set()).update(params_in(compiled.get(c.model.id)))
    for file, pf, node in reg.pasal_files:
        for i, a in enumerate(pf.ayat):
            text = ayat_plain(a)
            loc = _text_loc(node, i, node.loc if isinstance(node, YMap) else None)
            for code, msg in placeholder_problems(text, reg.params, reg.param_nodes):
                b.error(code, f"Pasal {pf.pasal} ayat ({a.ayat}): {msg}", loc)
            candidates: dict[str, list] = {}
            for name in sorted(uses.get((pf.pasal, a.ayat), ())):
                p = reg.params.get(name)
                if p is not None and p.unit in ("ratio", "idr"):
                    candidates.setdefault(p.unit, []).extend((name, v) for v in values_from(p, day))
            for msg in literal_problems(text, candidates):
                b.error(errors.TEXT_DISAGREES, f"Pasal {pf.pasal} ayat ({a.ayat}): {msg}", loc,
                        hint="write the number as {{parameter}} so that the text follows params.yaml")
    _check_mengingat(b)


def _check_mengingat(b) -> None:
    frame = getattr(b.regulation.meta, "naskah", None)
    if frame is None:
        return
    path = Path(b.regulation.root) / "regulation.yaml"
    try:
        data, _ = load_yaml(path.read_bytes(), str(path))
    except OSError:
        data = None
    naskah = data.get("naskah") if isinstance(data, YMap) and isinstance(data.get("naskah"), dict) else {}
    seq = naskah.get("mengingat")
    considerations = naskah.get("menimbang")
    for i, text in enumerate(frame.menimbang):
        if not text.lstrip().startswith("bahwa "):
            loc = considerations.item_loc(i) if isinstance(considerations, YSeq) else None
            b.error(errors.WRONG_TYPE, f"Menimbang {i + 1} must start with 'bahwa' / pertimbangan diawali kata 'bahwa'",
                    loc, hint="UU 12/2011 Lampiran II: each consideration is one sentence starting with 'bahwa'")
    prev = None
    for i, m in enumerate(frame.mengingat):
        key = (HIERARCHY.index(m.jenis), m.tahun or 0, m.nomor or 0)
        if prev is not None and key < prev[0]:
            loc = seq.item_loc(i) if isinstance(seq, YSeq) else None
            b.error(errors.WRONG_TYPE,
                    f"Mengingat {i + 1} ({m.jenis} {m.nomor or ''}/{m.tahun or ''}) comes after {prev[1]}: "
                    "list the higher laws by hierarchy, then year and number / urutkan menurut hierarki, lalu tahun dan nomor",
                    loc, hint="order: " + ", ".join(HIERARCHY))
        prev = (key, f"{m.jenis} {m.nomor or ''}/{m.tahun or ''}".strip())
