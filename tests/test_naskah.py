"""The draft as a Perbup (naskah): numbers in words, text from parameters, the frame, and Word output.

The Word file is read back with python-docx: the frame from the judul to the signature block,
every pasal as a ``Heading 2`` in order, and the ayat numbered by Word's own numbering,
restarting in each pasal, with a pasal of one ayat unnumbered.
"""

from __future__ import annotations

import io
import re
import shutil
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import errors
from perbup_rules.cli import main
from perbup_rules.errors import InvalidRulesError, UsageError
from perbup_rules.naskah.build import build
from perbup_rules.naskah.terbilang import format_percent, format_rupiah, terbilang
from perbup_rules.naskah.writers import render_naskah

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --- terbilang --------------------------------------------------------------------

@pytest.mark.parametrize("n, words", [
    (0, "nol"), (1, "satu"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"), (18, "delapan belas"),
    (40, "empat puluh"), (100, "seratus"), (111, "seratus sebelas"), (250, "dua ratus lima puluh"),
    (1000, "seribu"), (1001, "seribu satu"), (2500, "dua ribu lima ratus"), (100_000, "seratus ribu"),
    (1_000_000, "satu juta"), (50_000_000, "lima puluh juta"), (2_500_000_000, "dua miliar lima ratus juta"),
    (15_000_000_000, "lima belas miliar"), (1_000_000_000_000, "satu triliun"),
])
def test_terbilang(n, words):
    assert terbilang(n) == words


_UNITS = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
          "sembilan": 9}
_SCALES = {"ribu": 10 ** 3, "juta": 10 ** 6, "miliar": 10 ** 9, "triliun": 10 ** 12}


def _parse_words(text: str) -> int:
    """An independent reader of Indonesian number words (the inverse of terbilang)."""
    text = (text.replace("seribu", "satu ribu").replace("seratus", "satu ratus")
            .replace("sepuluh", "satu puluh").replace("sebelas", "satu belas"))
    total = group = pending = 0
    for w in text.split():
        if w in _UNITS:
            pending = _UNITS[w]
        elif w == "ratus":
            group, pending = group + pending * 100, 0
        elif w == "puluh":
            group, pending = group + pending * 10, 0
        elif w == "belas":
            group, pending = group + pending + 10, 0
        else:
            total, group, pending = total + (group + pending) * _SCALES[w], 0, 0
    return total + group + pending


@given(st.integers(min_value=0, max_value=10 ** 15 - 1))
def test_terbilang_reads_back(n):
    words = terbilang(n)
    assert _parse_words(words) == n, words
    assert "  " not in words and "satu ratus" not in words and "satu puluh" not in words
    # one thousand is "seribu", also after a larger scale ("satu juta seribu"); never "satu ribu"
    assert not re.search(r"(^|juta |miliar |triliun )satu ribu", words), words
    if (n // 1000) % 1000 == 1:
        assert "seribu" in words, words


def test_amounts_and_percentages_with_words():
    assert format_rupiah(15_000_000_000) == "Rp15.000.000.000,00 (lima belas miliar rupiah)"
    assert format_percent(Decimal("0.40")) == "40% (empat puluh persen)"
    assert format_percent(Decimal("0.125")) == "12,5% (dua belas koma lima persen)"
    assert format_percent(Fraction(9, 20)) == "45% (empat puluh lima persen)"
    with pytest.raises(ValueError):
        format_percent(Fraction(1, 3))  # no finite decimal percentage: refused, not rounded


# --- text from parameters -------------------------------------------------------------

def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "kutim"
    shutil.copytree(pr.BUNDLED_RULES, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_ayat_text_follows_the_parameter(tmp_path):
    root = _copy(tmp_path)
    before = pr.load_ruleset(root).clause("KMT-01")["text"]
    assert "paling sedikit 40% (empat puluh persen) dari" in before
    _edit(root / "params.yaml", "      value: 0.40\n", "      value: 45%\n")
    rs = pr.load_ruleset(root)
    assert "paling sedikit 45% (empat puluh lima persen) dari" in rs.clause("KMT-01")["text"]
    assert "45% (empat puluh lima persen)" in rs.clause("KMT-02")["text"]
    md = render_naskah(root, "md")
    assert "45% (empat puluh lima persen)" in md and "40% (empat puluh persen)" not in md


def test_literal_number_that_disagrees_with_the_parameter_is_an_error(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "pasal-03.yaml", "paling sedikit {{umkk_share_min}}\n      dari nilai anggaran belanja barang/jasa untuk",
          "paling sedikit 40% (empat puluh persen)\n      dari nilai anggaran belanja barang/jasa untuk")
    assert pr.load_ruleset(root)  # 40% agrees with 0.40
    _edit(root / "params.yaml", "      value: 0.40\n", "      value: 0.45\n")
    with pytest.raises(InvalidRulesError) as err:
        pr.load_ruleset(root)
    bad = [d for d in err.value.diagnostics if d.code == errors.TEXT_DISAGREES]
    assert len(bad) == 1, [d.render() for d in err.value.diagnostics]
    assert bad[0].location.file.endswith("pasal-03.yaml") and bad[0].location.line > 0
    assert "40%" in bad[0].message and "45%" in bad[0].message


def test_words_that_say_another_number_are_an_error(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "pasal-11.yaml", "Rp50.000.000,00 (lima puluh juta rupiah)", "Rp50.000.000,00 (lima juta rupiah)")
    with pytest.raises(InvalidRulesError) as err:
        pr.load_ruleset(root)
    assert [d.code for d in err.value.diagnostics if d.severity == "error"] == [errors.TEXT_DISAGREES]


def test_unknown_placeholder_is_located(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "pasal-06.yaml", "{{local_material_share_min}}", "{{local_material_share}}")
    with pytest.raises(InvalidRulesError) as err:
        pr.load_ruleset(root)
    d = [d for d in err.value.diagnostics if d.code == errors.UNKNOWN_PARAMETER][0]
    assert d.location.file.endswith("pasal-06.yaml") and "local_material_share_min" in d.message


# --- natural parameter values -----------------------------------------------------

@pytest.mark.parametrize("text", ["40%", "0,40", "0.40", "'0.40'", "40 %"])
def test_ratio_forms(tmp_path, text):
    root = _copy(tmp_path)
    _edit(root / "params.yaml", "      value: 0.40\n", f"      value: {text}\n")
    rs = pr.load_ruleset(root)
    assert Decimal(rs.params["umkk_share_min"]["values"][0]["value"]) == Decimal("0.4")


@pytest.mark.parametrize("text", ["Rp15.000.000.000", "Rp15.000.000.000,00", "15 miliar", "15.000.000.000", "Rp 15 miliar"])
def test_amount_forms(tmp_path, text):
    root = _copy(tmp_path)
    _edit(root / "params.yaml", "      value: 15000000000\n", f"      value: {text}\n")
    rs = pr.load_ruleset(root)
    assert rs.params["umkk_reserved_max"]["values"][-1]["value"] == "15000000000"


@pytest.mark.parametrize("param_line, text", [
    ("      value: 0.40\n", "45"), ("      value: 0.40\n", "empat puluh persen"), ("      value: 0.40\n", "0,4,5"),
    ("      value: 15000000000\n", "15,000,000,000"), ("      value: 15000000000\n", "15 M"),
    ("      value: 15000000000\n", "15.5"),
])
def test_unreadable_value_gives_one_located_message_with_the_accepted_forms(tmp_path, param_line, text):
    root = _copy(tmp_path)
    _edit(root / "params.yaml", param_line, f"      value: {text}\n")
    line_no = (root / "params.yaml").read_text().splitlines().index(f"      value: {text}") + 1
    with pytest.raises(InvalidRulesError) as err:
        pr.load_ruleset(root)
    on_value = [d for d in err.value.diagnostics if d.location and d.location.file.endswith("params.yaml")]
    assert len(on_value) == 1, [d.render() for d in err.value.diagnostics]
    d = on_value[0]
    assert d.code == errors.WRONG_TYPE and d.location.line == line_no
    assert "bentuk yang diterima" in d.message and "accepted forms" in d.message
    assert d.message.index("bentuk yang diterima") < d.message.index("accepted forms")  # Indonesian first


# --- the frame and the Word document ----------------------------------------------------

def _docx(root=pr.BUNDLED_RULES, view="naskah") -> docx.document.Document:
    return docx.Document(io.BytesIO(render_naskah(root, "docx", view)))


def _ayat_numbers(document) -> list[tuple[int, list[int | None]]]:
    """(pasal, the number Word prints before each ayat or None) read from the numbering of the paragraphs."""
    out: list[tuple[int, list]] = []
    counters: Counter = Counter()
    for p in document.paragraphs:
        if p.style.name == "Heading 2":
            out.append((int(p.text.split()[1]), []))
        elif p.style.name in ("Ayat", "Ayat Tunggal") and out:
            numpr = p._p.pPr.find(f"{W}numPr") if p._p.pPr is not None else None
            if numpr is None:
                out[-1][1].append(None)
            else:
                num_id = numpr.find(f"{W}numId").get(f"{W}val")
                counters[num_id] += 1
                out[-1][1].append(counters[num_id])
    return out


def test_docx_reads_back_with_frame_every_pasal_and_ayat_numbering():
    d = _docx()
    texts = [p.text for p in d.paragraphs]
    cells = [c.text for t in d.tables for c in t.rows[0].cells]
    order = ["PERATURAN BUPATI KUTAI TIMUR", "TENTANG", "DENGAN RAHMAT TUHAN YANG MAHA ESA", "BUPATI KUTAI TIMUR,",
             "MEMUTUSKAN:", "Ditetapkan di Sangatta", "BUPATI KUTAI TIMUR,", "Diundangkan di Sangatta",
             "SEKRETARIS DAERAH KABUPATEN KUTAI TIMUR,"]
    pos = -1
    for want in order:
        pos = texts.index(want, pos + 1)
    assert re.fullmatch(r"NOMOR …+ TAHUN …+", texts[texts.index("PERATURAN BUPATI KUTAI TIMUR") + 1])
    assert texts[-1].startswith("BERITA DAERAH KABUPATEN KUTAI TIMUR TAHUN …") and "NOMOR …" in texts[-1]
    assert "pada tanggal ……" in " ".join(texts)
    assert any(t.startswith("Agar setiap orang mengetahuinya, memerintahkan pengundangan Peraturan Bupati ini dengan "
                            "penempatannya dalam Berita Daerah Kabupaten Kutai Timur.") for t in texts)
    assert cells[0] == "Menimbang" and "a.\tbahwa" in cells[2] and "perlu menetapkan Peraturan Bupati tentang" in cells[2]
    assert cells[3] == "Mengingat" and cells[5].startswith("1.\tPasal 18 ayat (6) Undang-Undang Dasar")
    assert cells[6] == "Menetapkan" and cells[8].startswith("PERATURAN BUPATI TENTANG KEMITRAAN")
    # no machine condition in the naskah
    body = "\n".join(texts + cells)
    for code in ("KMT-", "DEF-", "==", "buyer.", "params."):
        assert code not in body, code

    reg = pr.load_files(pr.BUNDLED_RULES)
    want = [(pf.pasal, [None] if len(pf.ayat) == 1 else [a.ayat for a in pf.ayat])
            for _f, pf, _n in sorted(reg.pasal_files, key=lambda t: t[1].pasal)]
    assert _ayat_numbers(d) == want
    # Ketentuan Umum: the definitions as angka 1., 2., ... in Word numbering (the angka list definition)
    paras = d.paragraphs
    p1 = [i for i, p in enumerate(paras) if p.style.name == "Heading 2" and p.text == "Pasal 1"][0]
    p2 = [i for i, p in enumerate(paras) if p.style.name == "Heading 2" and p.text == "Pasal 2"][0]
    defs = [p for p in paras[p1:p2] if p.style.name == "Huruf"]
    assert len(defs) == len(reg.pasal_files[0][1].ayat[0].angka) and defs[0].text == "Daerah adalah Kabupaten Kutai Timur."
    num_ids = {p._p.pPr.find(f"{W}numPr").find(f"{W}numId").get(f"{W}val") for p in defs}
    assert len(num_ids) == 1
    num = d.part.numbering_part.element.find(f"{W}num[@{W}numId='{num_ids.pop()}']")
    assert num.find(f"{W}abstractNumId").get(f"{W}val") == "9005"  # angka under an unnumbered ayat: decimal "%1."
    assert any("yang selanjutnya disingkat UMKK" in p.text for p in defs)
    babs = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert babs[0] == "BAB I\nKETENTUAN UMUM"
    # Word's numbering: the ayat list prints "(1)"
    lvl = d.part.numbering_part.element.find(f".//{W}abstractNum[@{W}abstractNumId='9001']/{W}lvl/{W}lvlText")
    assert lvl.get(f"{W}val") == "(%1)"


def test_annotated_docx_has_a_comment_on_each_encoded_ayat():
    d = _docx(view="annotated")
    comments = list(d.comments)
    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    joined = "\n".join(c.text for c in comments)
    for c in rs.clauses:
        assert c["id"] in joined
    assert "Aturan mesin:" in joined and "Cakupan uji:" in joined and "[basis: law]" in joined


def test_mengingat_out_of_hierarchy_order_is_located(tmp_path):
    root = _copy(tmp_path)
    reg = root / "regulation.yaml"
    text = reg.read_text(encoding="utf-8")
    pp = text[text.index("    - jenis: pp\n"):text.index("    - jenis: perpres\n")]
    text = text.replace(pp, "")
    text = text.replace("    - jenis: uu\n      nomor: 47\n", pp + "    - jenis: uu\n      nomor: 47\n")
    reg.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidRulesError) as err:
        pr.load_ruleset(root)
    d = [d for d in err.value.diagnostics if "hierarchy" in d.message]
    assert d and d[0].location.file.endswith("regulation.yaml") and d[0].location.line > 0


def test_huruf_and_angka_lists_and_one_ayat_pasal(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "pasal-08.yaml", "      yang dicatat.\n", "      yang dicatat, dengan urutan:\n"
          "    huruf:\n      - penyedia di desa yang sama;\n      - text: 'penyedia di desa lain, yaitu:'\n"
          "        angka:\n          - desa sekitar; atau\n          - desa lain di Daerah; dan\n"
          "      - penyedia di luar Daerah.\n")
    n = build(root)
    p8 = [p for p in n.pasal if p.number == 8][0]
    assert p8.ayat[0].number == 1  # Pasal 8 has two ayat (KMT-14, KMT-14.2)
    assert [(d, lbl) for d, lbl, _t in p8.ayat[0].items] == [(0, "a."), (0, "b."), (1, "1."), (1, "2."), (0, "c.")]
    md = render_naskah(root, "md")
    assert "\na. penyedia di desa yang sama;" in md and "\n    1. desa sekitar; atau" in md
    # the clause text (findings, explanations) carries the list too
    assert "b. penyedia di desa lain, yaitu: 1. desa sekitar" in pr.load_ruleset(root).clause("KMT-14")["text"]
    d = docx.Document(io.BytesIO(render_naskah(root, "docx")))
    paras = d.paragraphs
    start = [i for i, p in enumerate(paras) if p.style.name == "Heading 2" and p.text == "Pasal 8"][0]
    end = [i for i, p in enumerate(paras) if p.style.name == "Heading 2" and p.text == "Pasal 9"][0]
    items = [p for p in paras[start:end] if p.style.name == "Huruf"]
    assert [p.text for p in items][:2] == ["penyedia di desa yang sama;", "penyedia di desa lain, yaitu:"]
    levels = [p._p.pPr.find(f"{W}numPr").find(f"{W}ilvl").get(f"{W}val") for p in items]
    assert levels == ["0", "0", "1", "1", "0"]


def test_a_folder_without_naskah_section_renders_with_blanks_and_says_what_to_add(tmp_path):
    root = _copy(tmp_path)
    reg = root / "regulation.yaml"
    text = reg.read_text(encoding="utf-8")
    reg.write_text(text[:text.index("\nnaskah:")] + "\n", encoding="utf-8")
    n = build(root)
    assert n.header_notes and "naskah:" in n.header_notes[0]
    assert n.judul[-1].startswith("KEMITRAAN KOPERASI") and n.menimbang[0].startswith("bahwa ……")
    for fmt in ("md", "html", "docx"):
        assert render_naskah(root, fmt)
    with pytest.raises(UsageError):
        build(root, view="other")


def test_cli_render_docx(tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["render", str(pr.BUNDLED_RULES), "--format", "docx"])
    assert r.exit_code == 2 and "-o" in r.output
    out = tmp_path / "draft.docx"
    r = runner.invoke(main, ["render", str(pr.BUNDLED_RULES), "--format", "docx", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert docx.Document(str(out)).paragraphs
    r = runner.invoke(main, ["render", str(pr.BUNDLED_RULES)])
    assert r.exit_code == 0 and "MEMUTUSKAN" in r.output and "KMT-01" not in r.output


# --- natural values read back exactly what the text of a regulation writes ------------------

@given(st.integers(min_value=0, max_value=10 ** 14))
def test_amount_written_as_in_the_naskah_reads_back(n):
    from perbup_rules.naskah.terbilang import ribuan
    from perbup_rules.param_values import parse_value

    assert parse_value("idr", f"Rp{ribuan(n)}") == n
    assert parse_value("idr", f"Rp{ribuan(n)},00") == n
    assert parse_value("idr", str(n)) == n
    assert parse_value("idr", format_rupiah(n, words=False)) == n


@given(st.integers(min_value=0, max_value=10000))
def test_percentage_written_as_in_the_naskah_reads_back(basis_points):
    from perbup_rules.param_values import parse_value

    ratio = Fraction(basis_points, 10000)
    text = format_percent(ratio, words=False)           # 12,34%
    assert Fraction(parse_value("ratio", text)) == ratio
    assert Fraction(parse_value("ratio", text.replace(",", "."))) == ratio


@given(st.integers(min_value=1, max_value=999), st.sampled_from(["ribu", "juta", "miliar", "triliun"]))
def test_scale_words(q, word):
    from perbup_rules.param_values import parse_value

    scale = {"ribu": 10 ** 3, "juta": 10 ** 6, "miliar": 10 ** 9, "triliun": 10 ** 12}[word]
    assert parse_value("idr", f"{q} {word}") == q * scale
    assert parse_value("idr", f"Rp{q},5 {word}") == q * scale + scale // 2


def test_menimbang_starts_with_bahwa(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "regulation.yaml", "      bahwa Pasal 64C", "      Pasal 64C")
    with pytest.raises(InvalidRulesError) as err:
        pr.load_ruleset(root)
    d = [d for d in err.value.diagnostics if "bahwa" in d.message]
    assert len(d) == 1 and d[0].location.file.endswith("regulation.yaml") and d[0].location.line > 0
