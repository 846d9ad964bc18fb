"""A :class:`~.build.Naskah` as Markdown, a self-contained HTML page, or a Word document.

The Word document is built with python-docx on Word's own styles, so a drafter can keep
editing it: ``Heading 1`` for each BAB, ``Heading 2`` for each Pasal (both show in the
navigation pane), ``Ayat`` paragraphs numbered by Word's automatic numbering ``(1)``, ``(2)``
(restarting in every pasal), and ``Huruf``/``Angka`` list paragraphs (a., b. / 1., 2.). Paper
F4 (215 × 330 mm) and Bookman Old Style 12 pt, as regional regulations are typed. In the
annotated view every ayat carries a Word comment with its notes.
"""

from __future__ import annotations

import html as _html
import io

import re

from .build import Naskah

#: a note line that opens a clause's notes ("KMT-01 (title; ...)")
_CLAUSE_HEAD = re.compile(r"^([A-Z][A-Z0-9]*-[0-9]+(?:\.[0-9]+)?(?:\.T)?)( \(.*)$")


def _md_note(note: str) -> str:
    m = _CLAUSE_HEAD.match(note)
    return f"> **{m.group(1)}**{m.group(2)}  " if m else f"> {note}  "


def _html_note(note: str) -> str:
    e = _html.escape
    m = _CLAUSE_HEAD.match(note)
    return f"<div><b>{e(m.group(1))}</b>{e(m.group(2))}</div>" if m else f"<div>{e(note)}</div>"

FORMATS = ("md", "html", "docx")


# --- Markdown ---------------------------------------------------------------------

def to_markdown(n: Naskah) -> str:
    out: list[str] = []
    if n.status == "rancangan":
        out += ["*RANCANGAN*", ""]
    out += [f"**{line}**  " for line in n.kop] + [""]
    out += [f"**{line}**  " for line in n.judul] + [""]
    out += ["**DENGAN RAHMAT TUHAN YANG MAHA ESA**", "", f"**{n.jabatan}**", ""]
    for note in n.header_notes:
        out.append(f"> {note}")
    if n.header_notes:
        out.append("")
    out += ["Menimbang:", ""] + [f"{chr(ord('a') + i)}. {t}  " for i, t in enumerate(n.menimbang)] + [""]
    out += ["Mengingat:", ""] + [f"{i + 1}. {t}  " for i, t in enumerate(n.mengingat)] + [""]
    out += ["**MEMUTUSKAN:**", "", f"Menetapkan: **{n.menetapkan}**", ""]
    for bab in n.babs:
        if bab.number:  # a draft without chapters (BAB) has its pasal directly
            out += [f"## BAB {bab.number}", f"## {bab.title}", ""]
        for p in bab.pasal:
            out += [f"### Pasal {p.number}", ""]
            for a in p.ayat:
                out.append((f"({a.number}) " if a.number is not None else "") + a.text)
                out.append("")
                for depth, label, text in a.items:
                    # depth 0 unindented (4 spaces after a blank line would be a code block in Markdown)
                    out.append("    " * depth + f"{label} {text}  ")
                if a.items:
                    out.append("")
                out += [_md_note(note) for note in a.notes] + ([""] if a.notes else [])
            out += [_md_note(note) for note in p.notes] + ([""] if p.notes else [])
            for c in p.closing:
                out += [c, ""]
    out += ["<div align='right'>", ""] + [f"{line or '&nbsp;'}  " for line in n.penetapan] + ["", "</div>", ""]
    out += [f"{line or '&nbsp;'}  " for line in n.pengundangan] + [""]
    out += [f"**{n.berita_daerah}**", ""]
    return "\n".join(out)


# --- HTML ---------------------------------------------------------------------------

_CSS = """
body{font-family:'Bookman Old Style',Georgia,serif;font-size:12pt;line-height:1.5;margin:2em auto;max-width:%s;padding:0 1em}
.c{text-align:center}.b{font-weight:bold}.draft{color:#a40000;letter-spacing:.2em}
table.frame{border-collapse:collapse;width:100%%}table.frame td{vertical-align:top;padding:0 .3em}
table.frame td.l{width:7.5em}table.frame td.s{width:1em}
ol.lst{margin:0;padding-left:1.6em}ol.lst li{text-align:justify}
h2,h3{font-size:12pt;text-align:center;margin:1.2em 0 .4em}h2 span{display:block}
.row{display:grid;grid-template-columns:%s;gap:1em}
.ayat{display:flex;text-align:justify}.ayat .n{min-width:2.4em}.ayat.un{display:block}
.item{display:flex;text-align:justify}.item .n{min-width:2em}
.note{font-family:system-ui,sans-serif;font-size:9.5pt;line-height:1.35;background:#f6f8fb;border-left:3px solid #5b7fa6;
padding:.3em .6em;margin:.2em 0 .6em}.note div{margin:.1em 0}
.sign{margin-left:55%%;margin-top:2em}.bd{margin-top:2em;font-weight:bold}
@media print{.note{break-inside:avoid}}
"""


def to_html(n: Naskah) -> str:
    e = _html.escape
    annotated = n.view == "annotated"
    body: list[str] = []
    if n.status == "rancangan":
        body.append("<p class='c draft'>RANCANGAN</p>")
    body.append("<p class='c b'>" + "<br>".join(e(x) for x in n.kop) + "</p>")
    body.append("<p class='c b'>" + "<br>".join(e(x) for x in n.judul) + "</p>")
    body.append(f"<p class='c b'>DENGAN RAHMAT TUHAN YANG MAHA ESA</p><p class='c b'>{e(n.jabatan)}</p>")
    for note in n.header_notes:
        body.append(f"<div class='note'>{e(note)}</div>")

    def frame_row(label: str, items: list[str], style: str) -> str:
        lis = "".join(f"<li>{e(t)}</li>" for t in items)
        return (f"<tr><td class='l'>{label}</td><td class='s'>:</td><td><ol class='lst' type='{style}'>{lis}</ol></td></tr>")

    body.append("<table class='frame'>" + frame_row("Menimbang", n.menimbang, "a") + "<tr><td>&nbsp;</td></tr>"
                + frame_row("Mengingat", n.mengingat, "1") + "</table>")
    body.append("<p class='c b'>MEMUTUSKAN:</p>")
    body.append(f"<table class='frame'><tr><td class='l'>Menetapkan</td><td class='s'>:</td><td class='b'>{e(n.menetapkan)}</td></tr></table>")
    for bab in n.babs:
        if bab.number:
            body.append(f"<h2><span>BAB {e(bab.number)}</span><span>{e(bab.title)}</span></h2>")
        for p in bab.pasal:
            body.append(f"<h3 id='pasal-{p.number}'>Pasal {p.number}</h3>")
            for a in p.ayat:
                num = f"<span class='n'>({a.number})</span>" if a.number is not None else ""
                text = f"<div class='ayat{'' if a.number is not None else ' un'}'>{num}<span>{e(a.text)}</span></div>"
                items = "".join(f"<div class='item' style='margin-left:{2.4 + 2 * d}em'><span class='n'>{e(lbl)}</span>"
                                f"<span>{e(t)}</span></div>" for d, lbl, t in a.items)
                notes = ("<div class='note'>" + "".join(_html_note(x) for x in a.notes) + "</div>") if a.notes else ""
                body.append(f"<div class='row'><div>{text}{items}</div>{'<div>' + notes + '</div>' if annotated else ''}</div>")
            if p.notes:
                body.append("<div class='note'>" + "".join(_html_note(x) for x in p.notes) + "</div>")
            for c in p.closing:
                body.append(f"<p style='text-align:justify'>{e(c)}</p>")
    body.append("<div class='sign'>" + "<br>".join(e(x) or "<br>" for x in n.penetapan) + "</div>")
    body.append("<div>" + "<br>".join(e(x) or "<br>" for x in n.pengundangan) + "</div>")
    body.append(f"<div class='bd'>{e(n.berita_daerah)}</div>")
    css = _CSS % (("1200px", "minmax(0,3fr) minmax(0,2fr)") if annotated else ("760px", "1fr"))
    title = " ".join(n.judul)
    return ("<!doctype html><html lang='id'><head><meta charset='utf-8'><title>" + e(title) + "</title><style>" + css
            + "</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


# --- Word ---------------------------------------------------------------------------

FONT = "Bookman Old Style"


def _numbering_xml(abstract_id: int, levels: list[tuple[str, str, int, int]]) -> str:
    """A w:abstractNum: levels as (numFmt, lvlText, left indent twips, hanging twips)."""
    lv = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{txt}"/>'
        f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{left}" w:hanging="{hang}"/></w:pPr></w:lvl>'
        for i, (fmt, txt, left, hang) in enumerate(levels))
    return (f'<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            f'w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="multilevel"/>{lv}</w:abstractNum>')


class _Numbering:
    """Word list definitions: ayat (1), (2) restarting per pasal; huruf/angka lists restarting per ayat."""

    AYAT, HURUF, ANGKA = 9001, 9002, 9003
    #: the same lists under an unnumbered ayat (a pasal of one ayat): flush with the text
    HURUF_TOP, ANGKA_TOP = 9004, 9005

    def __init__(self, doc):
        from docx.oxml import parse_xml

        self.part = doc.part.numbering_part.element
        self.parse = parse_xml
        self.defs = {
            self.AYAT: [("decimal", "(%1)", 567, 567)],
            # under an ayat: a. then 1. then a)
            self.HURUF: [("lowerLetter", "%1.", 1134, 567), ("decimal", "%2.", 1701, 567), ("lowerLetter", "%3)", 2268, 567)],
            self.ANGKA: [("decimal", "%1.", 1134, 567), ("lowerLetter", "%2.", 1701, 567), ("decimal", "%3)", 2268, 567)],
            self.HURUF_TOP: [("lowerLetter", "%1.", 567, 567), ("decimal", "%2.", 1134, 567), ("lowerLetter", "%3)", 1701, 567)],
            self.ANGKA_TOP: [("decimal", "%1.", 567, 567), ("lowerLetter", "%2.", 1134, 567), ("decimal", "%3)", 1701, 567)],
        }
        first_num = self.part.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
        for aid, levels in self.defs.items():
            node = parse_xml(_numbering_xml(aid, levels))
            if first_num is not None:
                first_num.addprevious(node)
            else:
                self.part.append(node)
        self.next_id = 9100

    def new(self, abstract_id: int) -> int:
        """A new list instance (numbering restarts) of ``abstract_id``."""
        self.next_id += 1
        levels = len(self.defs[abstract_id])
        overrides = "".join(f'<w:lvlOverride w:ilvl="{i}"><w:startOverride w:val="1"/></w:lvlOverride>' for i in range(levels))
        self.part.append(self.parse(
            f'<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:numId="{self.next_id}">'
            f'<w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'))
        return self.next_id


def _set_num(paragraph, num_id: int, level: int) -> None:
    from docx.oxml import parse_xml

    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert(0, parse_xml(
        '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f'<w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _styles(doc) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(12)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.15
    for name in ("Heading 1", "Heading 2"):
        st = doc.styles[name]
        st.font.name, st.font.size, st.font.bold = FONT, Pt(12), True
        st.font.color.rgb = RGBColor(0, 0, 0)
        st.font.italic = False
        pf = st.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf.space_before, pf.space_after, pf.keep_with_next = Pt(12), Pt(6), True
    doc.styles["Heading 2"].font.bold = False

    def para_style(name: str, **kw):
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        pf = st.paragraph_format
        for k, v in kw.items():
            setattr(pf, k, v)
        return st

    para_style("Judul Peraturan", alignment=WD_ALIGN_PARAGRAPH.CENTER, keep_with_next=True).font.bold = True
    para_style("Ayat", alignment=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=Pt(6))
    para_style("Ayat Tunggal", alignment=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=Pt(6))
    para_style("Pengundangan", alignment=WD_ALIGN_PARAGRAPH.JUSTIFY, space_before=Pt(6))
    para_style("Huruf", alignment=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=Pt(3))
    para_style("Pertimbangan", alignment=WD_ALIGN_PARAGRAPH.JUSTIFY, left_indent=Cm(0.75),
               first_line_indent=Cm(-0.75), space_after=Pt(3))
    para_style("Tanda Tangan", left_indent=Cm(8.5), keep_with_next=True)
    note = para_style("Catatan Mesin", left_indent=Cm(0.5), space_after=Pt(2))
    note.font.size, note.font.name = Pt(9), "Arial"
    note.font.color.rgb = RGBColor(0x33, 0x4D, 0x6E)


def _fixed_table(doc, widths):
    """A borderless table with fixed column widths (Word and LibreOffice both honour the grid)."""
    from docx.oxml import parse_xml

    t = doc.add_table(rows=1, cols=len(widths))
    t.autofit = False
    tblPr = t._tbl.tblPr
    tblPr.append(parse_xml('<w:tblLayout xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:type="fixed"/>'))
    for col, gc, w in zip(t.columns, t._tbl.tblGrid.findall(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol"), widths):
        gc.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w", str(int(w.twips)))
        col.width = w
        for cell in col.cells:
            cell.width = w
    return t


FRAME_WIDTHS = (3.4, 0.5, 12.6)


def _frame_table(doc, label: str, items: list[str], letters: bool) -> None:
    from docx.shared import Cm

    t = _fixed_table(doc, [Cm(w) for w in FRAME_WIDTHS])
    t.rows[0].cells[0].paragraphs[0].text = label
    t.rows[0].cells[1].paragraphs[0].text = ":"
    cell = t.rows[0].cells[2]
    first = True
    for i, text in enumerate(items):
        lbl = f"{chr(ord('a') + i)}." if letters else f"{i + 1}."
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        p.style = doc.styles["Pertimbangan"]
        p.text = f"{lbl}\t{text}"
        p.paragraph_format.tab_stops.add_tab_stop(Cm(0.75))


def to_docx(n: Naskah) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.5), Cm(33.0)
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Cm(3), Cm(2), Cm(2.5), Cm(2.5)
    _styles(doc)
    numbering = _Numbering(doc)
    cp = doc.core_properties
    cp.title, cp.subject, cp.language = " ".join(n.judul), "naskah" if n.view == "naskah" else "naskah beranotasi", "id-ID"

    def center(text: str, bold: bool = True, style: str = "Judul Peraturan"):
        p = doc.add_paragraph(text, style=style)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for r in p.runs:
            r.bold = bold
        return p

    if n.status == "rancangan":
        center("RANCANGAN")
    for line in n.kop:
        center(line)
    doc.add_paragraph()
    for line in n.judul:
        center(line)
    doc.add_paragraph()
    center("DENGAN RAHMAT TUHAN YANG MAHA ESA")
    doc.add_paragraph()
    center(n.jabatan)
    for note in n.header_notes:
        doc.add_paragraph(note, style="Catatan Mesin")
    doc.add_paragraph()
    _frame_table(doc, "Menimbang", n.menimbang, letters=True)
    doc.add_paragraph()
    _frame_table(doc, "Mengingat", n.mengingat, letters=False)
    doc.add_paragraph()
    center("MEMUTUSKAN:")
    doc.add_paragraph()
    t = _fixed_table(doc, [Cm(w) for w in FRAME_WIDTHS])
    for cell, text in zip(t.rows[0].cells, ("Menetapkan", ":", n.menetapkan)):
        cell.paragraphs[0].text = text
    doc.add_paragraph()

    for bab in n.babs:
        if bab.number:
            h = doc.add_paragraph(style="Heading 1")
            h.add_run(f"BAB {bab.number}")
            h.add_run().add_break()
            h.add_run(bab.title)
        for p in bab.pasal:
            doc.add_paragraph(f"Pasal {p.number}", style="Heading 2")
            ayat_list = numbering.new(_Numbering.AYAT)
            for a in p.ayat:
                para = doc.add_paragraph(a.text, style="Ayat" if a.number is not None else "Ayat Tunggal")
                if a.number is not None:
                    _set_num(para, ayat_list, 0)
                if a.items:
                    huruf = a.items[0][1][0].isalpha()
                    if a.number is None:
                        first_style = _Numbering.HURUF_TOP if huruf else _Numbering.ANGKA_TOP
                    else:
                        first_style = _Numbering.HURUF if huruf else _Numbering.ANGKA
                    items_list = numbering.new(first_style)
                    for depth, _label, text in a.items:
                        ip = doc.add_paragraph(text, style="Huruf")
                        _set_num(ip, items_list, depth)
                if a.notes:
                    comment = doc.add_comment(para.runs, text=a.notes[0], author="perbup render", initials="PR")
                    for extra in a.notes[1:]:
                        comment.add_paragraph(extra)
            for note in p.notes:
                doc.add_paragraph(note, style="Catatan Mesin")
            for c in p.closing:
                doc.add_paragraph(c, style="Pengundangan")
    doc.add_paragraph()
    for line in n.penetapan:
        doc.add_paragraph(line, style="Tanda Tangan")
    doc.add_paragraph()
    for line in n.pengundangan:
        doc.add_paragraph(line, style="Normal").paragraph_format.keep_with_next = True
    doc.add_paragraph()
    bd = doc.add_paragraph()
    bd.add_run(n.berita_daerah).bold = True
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_naskah(root, fmt: str = "md", view: str = "naskah") -> str | bytes:
    """The regulation folder as a Perbup: ``md`` or ``html`` text, or ``docx`` bytes."""
    from ..errors import UsageError
    from .build import build

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    n = build(root, view)
    return {"md": to_markdown, "html": to_html, "docx": to_docx}[fmt](n)
