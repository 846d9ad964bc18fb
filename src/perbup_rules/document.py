"""The draft as a document people read: BAB / Pasal / ayat with the Indonesian text, and under
each ayat what the machine checks, its parameters with dates and references, and which
scenarios test it (literate style, after Catala)."""

from __future__ import annotations

import html as _html
from collections import defaultdict
from pathlib import Path

from .compiler import compile_ruleset
from .errors import UsageError
from .expr import to_text
from .loader import load_files
from .testing.scenarios import load_scenarios, scenario_files

KIND_TEXT = {
    "classify": ("Penggolongan", "Classification"),
    "each": ("Setiap catatan", "Each record"),
    "share": ("Porsi", "Share"),
    "exists": ("Keberadaan kemitraan", "Partnership exists"),
}


def _expr_text(node) -> str:
    return to_text(node) if isinstance(node, dict) and "op" in node else str(node)


def _logic_text(clause: dict, logic: dict, decision: str = "verdict") -> str:
    return _walk(logic, clause["decisions"][decision]["atoms"])


def _checks(clause: dict) -> list[str]:
    k = clause["kind"]
    lg = clause.get("logic", {})
    out = []
    if k == "classify":
        atoms = clause["decisions"]["case"]["atoms"]
        guards = [g for g in clause["decisions"]["case"]["guards"] if g["label"].startswith("case:")]
        for g, case in zip(guards, clause["cases"]):
            cond = g["when"][0]["logic"]
            out.append(f"`{clause['attribute']}` = {_case_value(case)} when `{_walk(cond, atoms)}`")
        out.append(f"otherwise `{clause['attribute']}` = {_case_value(clause['default'])}"
                   + (" (unknown: clauses that need it say cannot_determine)" if clause["default"]["value"] is None
                      and not clause["default"]["value_from"] else ""))
        return out
    if "applies" in lg:
        out.append(f"applies when `{_logic_text(clause, lg['applies'], 'member' if k == 'share' else 'verdict')}`")
    if k == "each":
        out.append(f"requires `{_logic_text(clause, lg['require'])}`")
        for u, ul in zip(clause.get("unless", []), lg.get("unless", [])):
            out.append(f"unless **{u['id']}** ({u['title']['en']}): `{_logic_text(clause, ul)}`")
    if k == "share":
        out.append(f"per `{_expr_text(clause['subject'])}`, fiscal year" + (" and stage" if clause["per_stage"] else "")
                   + f": qualifying part / `{_expr_text(clause['total'])}` ≥ `{_expr_text(clause['at_least'])}`")
        atoms = clause["decisions"]["member"]["atoms"]
        for case, L in zip(clause["part"], lg.get("part", [])):
            out.append(f"qualifying part = {_case_value(case)} when `{_walk(L, atoms)}`")
    if k == "exists":
        cats = ", ".join(clause["categories"]) or "-"
        out.append(f"at least {clause['min_count']} `{clause['related']}` with `{clause['link']}` = the subject"
                   + (f", for each category: {cats}" if clause["categories"] else "")
                   + f", matching `{_walk(lg['match'], clause['decisions']['match']['atoms'])}`")
        r = clause.get("remedy")
        if r:
            out.append("when missing: a required partnership for `" + _expr_text(r["party"]) + "`"
                       + (f" (pattern {', '.join(r['pattern'])})" if r.get("pattern") else "")
                       + ("; candidates ranked" if r.get("candidates") else ""))
    return out


def _case_value(case: dict) -> str:
    if case.get("value_from"):
        return f"`{_expr_text(case['value_from'])}`"
    v = case.get("value")
    return "`" + ("null" if v is None else "true" if v is True else "false" if v is False else str(v)) + "`"


def _walk(L: dict, atoms: list) -> str:
    if "atom" in L:
        return to_text(atoms[L["atom"]])
    if "const" in L:
        return "true" if L["const"] else "false"
    if "not" in L:
        return f"not ({_walk(L['not'], atoms)})"
    op = "and" if "and" in L else "or"
    return "(" + f" {op} ".join(_walk(x, atoms) for x in L[op]) + ")"


def _params_used(clause: dict) -> list[str]:
    names = set()

    def visit(x):
        if isinstance(x, dict):
            if x.get("op") == "param":
                names.add(x["name"])
            for v in x.values():
                visit(v)
        elif isinstance(x, list):
            for v in x:
                visit(v)
    visit(clause.get("decisions"))
    visit(clause.get("at_least"))
    return sorted(names)


def _scenarios_by_clause(root: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for f in scenario_files(root):
        scenarios, _ = load_scenarios(f)
        for s in scenarios:
            for cid in sorted({e.get("clause") for e in s.expect + s.expect_absent + s.expect_required if e.get("clause")}):
                out[cid].append(f"{f.name}: {s.name}")
    return out


def render_document(root: str | Path, fmt: str = "md") -> str:
    """The regulation folder as Markdown (``md``) or a self-contained HTML page (``html``)."""
    if fmt not in ("md", "html"):
        raise UsageError(f"unknown format {fmt!r}; expected md or html")
    root = Path(root)
    reg = load_files(root)
    rs = compile_ruleset(reg)
    clauses = {c["id"]: c for c in rs.clauses}
    tested = _scenarios_by_clause(root)
    meta = reg.meta
    lines = [f"# {meta.title.id}", "", f"*{meta.title.en}*", "",
             f"Status: **{meta.status}** · versi {meta.version} · fingerprint `{rs.fingerprint}`", "",
             "> Dokumen ini dihasilkan dari berkas aturan (`perbup render`); jangan disunting langsung.",
             "> Generated from the rule files by `perbup render`; do not edit by hand.", ""]
    current_bab = None
    for file, pf, _node in sorted(reg.pasal_files, key=lambda t: t[1].pasal):
        if pf.bab and pf.bab.number != current_bab:
            current_bab = pf.bab.number
            lines += [f"## BAB {pf.bab.number} — {pf.bab.title.id}", "", f"*{pf.bab.title.en}*", ""]
        lines += [f"### Pasal {pf.pasal} — {pf.title.id}", "", f"*{pf.title.en}* · `{Path(file).name}`", ""]
        by_ayat: dict = defaultdict(list)
        for c in pf.clauses:
            nums = [] if c.ayat is None else ([c.ayat] if isinstance(c.ayat, int) else list(c.ayat))
            by_ayat[nums[0] if nums else None].append(c.id)
        for a in pf.ayat:
            lines += [f"({a.ayat}) {a.text}", ""]
            for cid in by_ayat.get(a.ayat, []):
                lines += _clause_block(clauses[cid], rs, tested)
        for cid in by_ayat.get(None, []):
            lines += _clause_block(clauses[cid], rs, tested)
        for note in pf.not_encoded:
            lines += [f"> **Belum diperiksa mesin / not machine-checked:** {note.id}", f"> *{note.en}*", ""]
    md = "\n".join(lines).rstrip() + "\n"
    return md if fmt == "md" else _to_html(md, meta.title.id)


def _clause_block(c: dict, rs, tested: dict) -> list[str]:
    kind_id, kind_en = KIND_TEXT[c["kind"]]
    out = [f"> **{c['id']}** · {c['citation']} · {kind_id} / {kind_en} · {c['title']['id']} / *{c['title']['en']}*", ">"]
    if c.get("valid_from") or c.get("valid_until"):
        out.append(f"> Berlaku / in force: {c.get('valid_from') or '…'} – {c.get('valid_until') or '…'}")
    if c.get("derived_from"):
        out.append("> Dasar / derived from: " + "; ".join(c["derived_from"]))
    for check in _checks(c):
        out.append(f"> - {check}")
    for name in _params_used(c):
        p = rs.params[name]
        vals = "; ".join(f"{v['value']} sejak/from {v['from']} ({v['reference']})" for v in p["values"])
        out.append(f"> - `params.{name}` [{p['basis']}]: {vals}")
    if c.get("note"):
        out.append(f"> - note: {c['note']}")
    scen = tested.get(c["id"], [])
    if c["kind"] == "classify" and not scen:
        out.append("> - diuji melalui pasal yang memakainya / tested through the clauses that use it")
        out.append("")
        return out
    out.append(f"> - diuji oleh / tested by {len(scen)} scenario(s)" + (":" if scen else " — none"))
    out += [f">   - {s}" for s in scen]
    out.append("")
    return out


def _to_html(md: str, title: str) -> str:
    """A minimal Markdown-to-HTML for the document's own constructs (headings, quotes, lists, code)."""
    import re

    e = _html.escape

    def inline(t: str) -> str:
        t = e(t)
        t = re.sub(r"`([^`]+)`", r"<code>\1</code>", t)
        t = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", t)
        return re.sub(r"\*([^*]+)\*", r"<i>\1</i>", t)

    body, in_quote = [], False
    for line in md.splitlines():
        if line.startswith(">"):
            if not in_quote:
                body.append('<div class="clause">')
                in_quote = True
            t = line[1:].strip()
            if t.startswith("- "):
                body.append(f"<div class='check'>• {inline(t[2:])}</div>")
            elif t:
                body.append(f"<div>{inline(t)}</div>")
            continue
        if in_quote:
            body.append("</div>")
            in_quote = False
        m = re.match(r"^(#{1,4}) (.*)$", line)
        if m:
            n = len(m.group(1))
            body.append(f"<h{n}>{inline(m.group(2))}</h{n}>")
        elif line.strip():
            body.append(f"<p>{inline(line)}</p>")
    if in_quote:
        body.append("</div>")
    return ("<!doctype html><html lang='id'><head><meta charset='utf-8'><title>" + e(title) + "</title><style>"
            "body{font-family:Georgia,serif;max-width:880px;margin:2em auto;line-height:1.5;padding:0 1em}"
            "h1,h2,h3{font-family:system-ui,sans-serif}code{font-size:.88em;background:#f3f3f3;padding:0 2px}"
            ".clause{border-left:4px solid #5b7fa6;background:#f6f8fb;margin:.4em 0 1.2em 1.5em;padding:.5em .8em;"
            "font-family:system-ui,sans-serif;font-size:.9em}.check{margin-left:1em}"
            "@media print{.clause{break-inside:avoid}}</style></head><body>" + "\n".join(body) + "</body></html>\n")
