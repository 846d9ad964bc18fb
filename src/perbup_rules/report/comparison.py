"""Render a :class:`~perbup_rules.compare.Comparison` as text, JSON, Markdown, HTML or Word.

Markdown, HTML and Word are one document for a drafting meeting, Indonesian first: per ayat
the old and new wording with the words deleted and inserted (Word: as tracked changes the
drafter can accept or reject), the parameter changes with dates and sources, the clauses
added, removed or changed in their machine rule, and (with data) the status flips with counts.
"""

from __future__ import annotations

import html as _html
import json

from ..compare import Comparison
from ..errors import UsageError
from ..i18n import t

FORMATS = ("text", "json", "md", "html", "docx")


def _rule_lines(cmp: Comparison) -> list[str]:
    r = cmp.rules
    lines = []
    for cid in r.added:
        lines.append(t("cmp.clause_added", clause=cid))
    for cid in r.removed:
        lines.append(t("cmp.clause_removed", clause=cid))
    for cid, keys in sorted(r.changed.items()):
        lines.append(t("cmp.clause_changed", clause=cid, keys=", ".join(keys)))
    for p in r.params:
        lines.append(t("cmp.param", param=p["param"], start=p["from"], old=p["old"] if p["old"] is not None else "-",
                       new=p["new"] if p["new"] is not None else "-"))
    for tx in r.texts:
        lines.append(f"{tx.citation}: " + " ".join(
            w if tag == "eq" else f"[-{w}-]" if tag == "del" else f"{{+{w}+}}" for tag, w in tx.diff()))
    return lines or [t("cmp.no_rule_change")]


def _change_line(cmp: Comparison, c) -> str:
    who = c.subject or "?"
    name = cmp.names.get(c.subject or "")
    where = " ".join(str(x) for x in (c.period, c.stage, c.category) if x is not None)
    measured = t("cmp.measured", old=c.old_measured or "-", new=c.new_measured or "-", told=c.threshold_old or "-",
                 tnew=c.threshold_new or "-") if (c.old_measured or c.new_measured) else ""
    absent = t("cmp.absent")
    return f"{c.clause}  {who}{f' ({name})' if name else ''}  {where}: {c.old or absent} -> {c.new or absent}{measured}"


def render(cmp: Comparison, fmt: str) -> str | bytes:
    """The comparison in ``fmt`` (one of :data:`FORMATS`); ``docx`` gives bytes."""
    if fmt == "json":
        return json.dumps(cmp.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
    counts = cmp.counts()
    if fmt == "text":
        out = [f"A: {cmp.a['id']} {cmp.a['version']} {cmp.a['fingerprint']}",
               f"B: {cmp.b['id']} {cmp.b['version']} {cmp.b['fingerprint']}", "", t("cmp.rules")]
        out += ["  " + line for line in _rule_lines(cmp)]
        out += ["", t("cmp.verdicts", changed=len(cmp.changes), unchanged=cmp.unchanged)]
        for clause, moves in counts.items():
            out.append(f"  {clause}: " + "; ".join(f"{n} {m}" for m, n in moves.items()))
        if cmp.changes:
            out += ["", t("cmp.changes")] + ["  " + _change_line(cmp, c) for c in cmp.changes]
        return "\n".join(out) + "\n"
    if fmt == "md":
        return _markdown(cmp)
    if fmt == "html":
        return _html_doc(cmp)
    if fmt == "docx":
        return _docx(cmp)
    raise UsageError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")


# --- the meeting document -----------------------------------------------------------------

def _value(unit: str | None, v: str | None) -> str:
    if v is None:
        return "–"
    from ..naskah.numbers import format_value
    from ..params import decode_value

    try:
        return format_value(unit, decode_value(unit, v)) if unit else v
    except (ValueError, ArithmeticError):
        return v


def _clause_lines(cmp: Comparison) -> list[str]:
    r = cmp.rules
    info = r.clause_info

    def name(cid: str) -> str:
        cit, title = info.get(cid, ("", ""))
        return f"{cid} ({cit}: {title})" if cit else cid
    out = [f"Ditambahkan / added: {name(c)}" for c in r.added]
    out += [f"Dihapus / removed: {name(c)}" for c in r.removed]
    out += [f"Aturan mesin berubah / machine rule changed: {name(c)} — {', '.join(k)}" for c, k in sorted(r.changed.items())]
    return out


def _moves(cmp: Comparison) -> list[tuple[str, str, int]]:
    return [(clause, move, n) for clause, moves in cmp.counts().items() for move, n in moves.items()]


def _head(cmp: Comparison) -> list[str]:
    return [f"A: {cmp.a['id']} {cmp.a['version']} {cmp.a['fingerprint']}",
            f"B: {cmp.b['id']} {cmp.b['version']} {cmp.b['fingerprint']}"]


def _markdown(cmp: Comparison) -> str:
    r = cmp.rules
    out = ["# Perbandingan rancangan / Comparison of drafts", ""] + [f"- `{x}`" for x in _head(cmp)] + [""]
    out += [f"## 1. Perubahan rumusan ayat / Wording changes ({len(r.texts)})", ""]
    if not r.texts:
        out += ["Tidak ada / none.", ""]
    for ayat in r.texts:
        out += [f"### {ayat.citation}" + (f" — {', '.join(ayat.clauses)}" if ayat.clauses else ""), ""]
        out += [f"- **Lama / old:** {ayat.old if ayat.old is not None else '*(ayat baru / new ayat)*'}",
                f"- **Baru / new:** {ayat.new if ayat.new is not None else '*(ayat dihapus / removed)*'}",
                "- **Perubahan / change:** " + " ".join(w if tag == "eq" else f"~~{w}~~" if tag == "del" else f"**{w}**"
                                                      for tag, w in ayat.diff()), ""]
    out += [f"## 2. Perubahan parameter / Parameter changes ({len(r.params)})", ""]
    if r.params:
        out += ["| parameter | sejak / from | lama / old | baru / new | sumber lama / old source | sumber baru / new source |",
                "|---|---|---|---|---|---|"]
        out += [f"| {p['param']} | {p['from']} | {_value(p.get('unit'), p['old'])} | {_value(p.get('unit'), p['new'])} | "
                f"{p.get('reference_old') or '–'} | {p.get('reference_new') or '–'} |" for p in r.params]
    else:
        out.append("Tidak ada / none.")
    out += ["", "## 3. Ketentuan / Clauses", ""] + ([f"- {x}" for x in _clause_lines(cmp)] or ["Tidak ada / none."]) + [""]
    out += [f"## 4. Perubahan status / Status changes ({len(cmp.changes)} berubah / changed, {cmp.unchanged} tetap / unchanged)", ""]
    moves = _moves(cmp)
    if moves:
        out += ["| ketentuan / clause | perubahan / move | jumlah / count |", "|---|---|---|"]
        out += [f"| {c} | {m} | {n} |" for c, m, n in moves]
        out += ["", "| clause | subject | period | stage/category | A | B | measured A → B |", "|---|---|---|---|---|---|---|"]
        for c in cmp.changes:
            name = cmp.names.get(c.subject or "", "")
            out.append(f"| {c.clause} | {c.subject or '?'} {name} | {c.period or ''} | {c.stage or c.category or ''} | "
                       f"{c.old or 'absent'} | {c.new or 'absent'} | {c.old_measured or '-'} → {c.new_measured or '-'} |")
    else:
        out.append("Tanpa data (`--data`) atau tanpa perubahan / no data given, or no change.")
    return "\n".join(out) + "\n"


def _html_doc(cmp: Comparison) -> str:
    e = _html.escape
    r = cmp.rules
    parts = ["<h1>Perbandingan rancangan <small>/ Comparison of drafts</small></h1>",
             "<p>" + "<br>".join(f"<code>{e(x)}</code>" for x in _head(cmp)) + "</p>",
             f"<h2>1. Perubahan rumusan ayat <small>/ Wording changes</small> ({len(r.texts)})</h2>"]
    if not r.texts:
        parts.append("<p>Tidak ada / none.</p>")
    for ayat in r.texts:
        diff = " ".join(e(w) if tag == "eq" else f"<del>{e(w)}</del>" if tag == "del" else f"<ins>{e(w)}</ins>"
                        for tag, w in ayat.diff())
        parts.append(f"<section class='ayat'><h3>{e(ayat.citation)}" + (f" <small>{e(', '.join(ayat.clauses))}</small>" if ayat.clauses else "")
                     + "</h3><table class='words'>"
                     f"<tr><th>Lama / old</th><td>{e(ayat.old) if ayat.old is not None else '<i>(ayat baru / new ayat)</i>'}</td></tr>"
                     f"<tr><th>Baru / new</th><td>{e(ayat.new) if ayat.new is not None else '<i>(ayat dihapus / removed)</i>'}</td></tr>"
                     f"<tr><th>Perubahan / change</th><td class='redline'>{diff}</td></tr></table></section>")
    parts.append(f"<h2>2. Perubahan parameter <small>/ Parameter changes</small> ({len(r.params)})</h2>")
    if r.params:
        rows = "".join(f"<tr><td>{e(p['param'])}</td><td>{e(p['from'])}</td><td><del>{e(_value(p.get('unit'), p['old']))}</del></td>"
                       f"<td><ins>{e(_value(p.get('unit'), p['new']))}</ins></td><td>{e(p.get('reference_old') or '–')}</td>"
                       f"<td>{e(p.get('reference_new') or '–')}</td></tr>" for p in r.params)
        parts.append("<table><tr><th>parameter</th><th>sejak / from</th><th>lama / old</th><th>baru / new</th>"
                     f"<th>sumber lama / old source</th><th>sumber baru / new source</th></tr>{rows}</table>")
    else:
        parts.append("<p>Tidak ada / none.</p>")
    parts.append("<h2>3. Ketentuan <small>/ Clauses</small></h2><ul>"
                 + ("".join(f"<li>{e(x)}</li>" for x in _clause_lines(cmp)) or "<li>Tidak ada / none.</li>") + "</ul>")
    parts.append(f"<h2>4. Perubahan status <small>/ Status changes</small>: {len(cmp.changes)} berubah / changed, "
                 f"{cmp.unchanged} tetap / unchanged</h2>")
    moves = _moves(cmp)
    if moves:
        parts.append("<table><tr><th>ketentuan / clause</th><th>perubahan / move</th><th>jumlah / count</th></tr>"
                     + "".join(f"<tr><td>{e(c)}</td><td>{e(m)}</td><td>{n}</td></tr>" for c, m, n in moves) + "</table>")
        rows = "".join(
            f"<tr><td>{e(c.clause)}</td><td>{e(c.subject or '?')}<br><small>{e(cmp.names.get(c.subject or '', ''))}</small></td>"
            f"<td>{e(str(c.period or ''))}</td><td>{e(c.stage or c.category or '')}</td><td class='{e(c.old or '')}'>{e(c.old or 'absent')}</td>"
            f"<td class='{e(c.new or '')}'>{e(c.new or 'absent')}</td><td>{e(c.old_measured or '-')} → {e(c.new_measured or '-')}</td></tr>"
            for c in cmp.changes)
        parts.append("<details><summary>Rincian / details</summary><table><tr><th>clause</th><th>subject</th><th>period</th>"
                     f"<th>stage / category</th><th>A</th><th>B</th><th>measured A → B</th></tr>{rows}</table></details>")
    else:
        parts.append("<p>Tanpa data (<code>--data</code>) atau tanpa perubahan / no data given, or no change.</p>")
    return ("<!doctype html><html lang='id'><head><meta charset='utf-8'><title>Perbandingan rancangan / Comparison of drafts</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;line-height:1.45}"
            "table{border-collapse:collapse;width:100%;margin:.4em 0}td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;"
            "vertical-align:top}table.words th{width:11em;background:#f5f5f5}del{color:#a40000;background:#fde8e8}"
            "ins{color:#0b5d1e;background:#e3f6e6;text-decoration:underline}.violation{color:#a40000}.compliant{color:#1a6b1a}"
            ".cannot_determine{color:#8a5a00}small{color:#666}.redline{font-family:Georgia,serif}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _tracked(paragraph, diff: list[tuple[str, str]], ids) -> None:
    """Append the word diff to ``paragraph`` as Word tracked changes (w:ins / w:del), accept-or-reject."""
    from docx.oxml import parse_xml
    from xml.sax.saxutils import escape

    for i, (tag, words) in enumerate(diff):
        text = escape(words + (" " if i < len(diff) - 1 else ""))
        run_t = "delText" if tag == "del" else "t"
        run = f'<w:r xmlns:w="{_W}"><w:{run_t} xml:space="preserve">{text}</w:{run_t}></w:r>'
        if tag == "eq":
            paragraph._p.append(parse_xml(run))
            continue
        wrap = "del" if tag == "del" else "ins"
        paragraph._p.append(parse_xml(
            f'<w:{wrap} xmlns:w="{_W}" w:id="{next(ids)}" w:author="perbup compare">'
            f'<w:r><w:{run_t} xml:space="preserve">{text}</w:{run_t}></w:r></w:{wrap}>'))


def _docx(cmp: Comparison) -> bytes:
    import io
    import itertools

    import docx
    from docx.shared import Cm

    from ..naskah.writers import _fixed_table

    r = cmp.rules
    ids = itertools.count(1)
    doc = docx.Document()
    # landscape A4: the parameter and status tables have six or seven columns
    from docx.enum.section import WD_ORIENT

    sec = doc.sections[0]
    sec.orientation, sec.page_width, sec.page_height = WD_ORIENT.LANDSCAPE, Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = Cm(2)
    doc.add_heading("Perbandingan rancangan / Comparison of drafts", level=0)
    for x in _head(cmp):
        doc.add_paragraph(x)
    doc.add_heading(f"1. Perubahan rumusan ayat / Wording changes ({len(r.texts)})", level=1)
    if not r.texts:
        doc.add_paragraph("Tidak ada / none.")
    for ayat in r.texts:
        doc.add_heading(ayat.citation + (f" — {', '.join(ayat.clauses)}" if ayat.clauses else ""), level=2)
        table = _fixed_table(doc, [Cm(3.2), Cm(22.5)])
        table.add_row()
        table.style = "Table Grid"
        table.cell(0, 0).text, table.cell(0, 1).text = "Lama / old", ayat.old if ayat.old is not None else "(ayat baru / new ayat)"
        table.cell(1, 0).text, table.cell(1, 1).text = "Baru / new", ayat.new if ayat.new is not None else "(ayat dihapus / removed)"
        p = doc.add_paragraph()
        p.add_run("Perubahan (lacak perubahan / tracked changes): ").bold = True
        _tracked(p, ayat.diff(), ids)
    doc.add_heading(f"2. Perubahan parameter / Parameter changes ({len(r.params)})", level=1)
    if r.params:
        table = doc.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        for cell, h in zip(table.rows[0].cells, ("parameter", "sejak / from", "lama / old", "baru / new",
                                                 "sumber lama / old source", "sumber baru / new source")):
            cell.text = h
        for p_ in r.params:
            cells = table.add_row().cells
            vals = (p_["param"], p_["from"], _value(p_.get("unit"), p_["old"]), _value(p_.get("unit"), p_["new"]),
                    p_.get("reference_old") or "–", p_.get("reference_new") or "–")
            for cell, v in zip(cells, vals):
                cell.text = v
    else:
        doc.add_paragraph("Tidak ada / none.")
    doc.add_heading("3. Ketentuan / Clauses", level=1)
    for x in _clause_lines(cmp) or ["Tidak ada / none."]:
        doc.add_paragraph(x, style="List Bullet")
    doc.add_heading(f"4. Perubahan status / Status changes ({len(cmp.changes)} berubah / changed, "
                    f"{cmp.unchanged} tetap / unchanged)", level=1)
    moves = _moves(cmp)
    if moves:
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, h in zip(table.rows[0].cells, ("ketentuan / clause", "perubahan / move", "jumlah / count")):
            cell.text = h
        for c, m, n in moves:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = c, m, str(n)
        doc.add_paragraph()
        table = doc.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        for cell, h in zip(table.rows[0].cells, ("clause", "subject", "period / stage", "A", "B", "measured A → B")):
            cell.text = h
        for c in cmp.changes:
            cells = table.add_row().cells
            name = cmp.names.get(c.subject or "", "")
            vals = (c.clause, f"{c.subject or '?'} {name}".strip(), f"{c.period or ''} {c.stage or c.category or ''}".strip(),
                    c.old or "absent", c.new or "absent", f"{c.old_measured or '-'} → {c.new_measured or '-'}")
            for cell, v in zip(cells, vals):
                cell.text = v
    else:
        doc.add_paragraph("Tanpa data (--data) atau tanpa perubahan / no data given, or no change.")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
