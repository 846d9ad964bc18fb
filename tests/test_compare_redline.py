"""perbup compare as a drafting-meeting document: the bundled draft against a copy with one ayat
reworded and ``umkk_share_min`` at 0.45 shows the word-level change, the parameter change and the
status flips, in html, docx and md."""

from __future__ import annotations

import io
import re
import shutil

import docx
import pytest
from click.testing import CliRunner

import perbup_rules as pr
from perbup_rules.cli import main
from perbup_rules.compare import compare, word_diff, with_params
from perbup_rules.report.comparison import render

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OLD = "Setiap Pejabat Pembuat Komitmen wajib mengalokasikan"
NEW = "Setiap Pejabat Pembuat Komitmen pada Perangkat Daerah wajib mengalokasikan"


@pytest.fixture(scope="module")
def draft_b(tmp_path_factory):
    root = tmp_path_factory.mktemp("b") / "kutim-b"
    shutil.copytree(pr.BUNDLED_RULES, root)
    p3 = root / "pasal-03.yaml"
    p3.write_text(p3.read_text(encoding="utf-8").replace(OLD, NEW, 1), encoding="utf-8")
    params = root / "params.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("      value: 0.40\n", "      value: 0.45\n", 1),
                      encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def comparison(draft_b):
    a = pr.load_ruleset(pr.BUNDLED_RULES)
    b = pr.load_ruleset(draft_b)
    return compare(a, b, pr.load_dataset(pr.EXAMPLE_DATA))


def test_word_diff():
    assert word_diff("a b c d", "a x c d e") == [("eq", "a"), ("del", "b"), ("ins", "x"), ("eq", "c d"), ("ins", "e")]
    assert word_diff(None, "baru") == [("ins", "baru")]
    assert word_diff("lama", None) == [("del", "lama")]


def test_comparison_finds_wording_parameter_and_flips(comparison):
    r = comparison.rules
    by = {(t.pasal, t.ayat): t for t in r.texts}
    assert set(by) == {(3, 1), (3, 2)}  # (3,1) through the parameter only; (3,2) reworded and the parameter
    d2 = by[(3, 2)].diff()
    assert ("ins", "pada Perangkat Daerah") in d2 and ("del", "40%") in d2 and ("ins", "45%") in d2
    assert by[(3, 2)].clauses == ["KMT-02"]
    assert [(p["param"], p["old"], p["new"]) for p in r.params] == [("umkk_share_min", "0.40", "0.45")]
    assert r.changed == {} and r.added == [] and r.removed == []
    flips = comparison.counts()
    assert flips and set(flips) <= {"KMT-01", "KMT-02"}
    # every flip is a share measured in [0.40, 0.45) (compliant under A), or a group whose exact
    # bounds straddle 0.40 but lie wholly under 0.45 (cannot_determine under A); a violation under B
    from fractions import Fraction

    for c in comparison.changes:
        assert c.new == "violation", c
        if c.old == "compliant":
            assert Fraction("0.40") <= Fraction(c.old_measured) < Fraction("0.45"), c
        else:
            assert c.old == "cannot_determine", c
            lo, hi = (Fraction(x) for x in c.old_measured.split(".."))
            assert lo < Fraction("0.40") <= hi < Fraction("0.45"), c


def test_md(comparison):
    md = render(comparison, "md")
    assert "### Pasal 3 ayat (2) — KMT-02" in md
    assert "**pada Perangkat Daerah**" in md and "~~40%~~ **45%**" in md
    assert "| umkk_share_min | 2021-02-02 | 40% (empat puluh persen) | 45% (empat puluh lima persen) |" in md
    for clause, moves in comparison.counts().items():
        for move, count in moves.items():
            assert f"| {clause} | {move} | {count} |" in md


def test_html(comparison):
    html = render(comparison, "html")
    assert "<ins>pada Perangkat Daerah</ins>" in html and "<del>40%</del> <ins>45%</ins>" in html
    assert "<del>40% (empat puluh persen)</del>" in html and "<ins>45% (empat puluh lima persen)</ins>" in html
    for clause, moves in comparison.counts().items():
        for move, count in moves.items():
            assert f"<tr><td>{clause}</td><td>{move.replace('>', '&gt;')}</td><td>{count}</td></tr>" in html
    assert "http://" not in html.replace("http://schemas", "") and "https://" not in html


def test_docx_has_tracked_changes(comparison):
    d = docx.Document(io.BytesIO(render(comparison, "docx")))
    body = d.element.body
    inserted = [" ".join(t.text for t in e.iter(f"{W}t")).strip() for e in body.iter(f"{W}ins")]
    deleted = [" ".join(t.text for t in e.iter(f"{W}delText")).strip() for e in body.iter(f"{W}del")]
    assert "pada Perangkat Daerah" in inserted and "45%" in inserted and "40%" in deleted
    ids = [e.get(f"{W}id") for e in list(body.iter(f"{W}ins")) + list(body.iter(f"{W}del"))]
    assert len(ids) == len(set(ids))  # Word needs distinct revision ids
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    assert "45% (empat puluh lima persen)" in cells and "umkk_share_min" in cells
    moves_table = [t for t in d.tables if t.rows[0].cells[0].text == "ketentuan / clause"][0]
    rows = [tuple(c.text for c in row.cells) for row in moves_table.rows[1:]]
    assert rows == [(clause, move, str(n)) for clause, moves in comparison.counts().items() for move, n in moves.items()]


def test_cli_writes_all_three(draft_b, tmp_path):
    runner = CliRunner()
    for fmt in ("md", "html", "docx"):
        out = tmp_path / f"cmp.{fmt}"
        r = runner.invoke(main, ["compare", str(pr.BUNDLED_RULES), str(draft_b), "--data", str(pr.EXAMPLE_DATA),
                                 "--format", fmt, "-o", str(out)])
        assert r.exit_code == 0, r.output
        assert out.stat().st_size > 1000
    r = runner.invoke(main, ["compare", str(pr.BUNDLED_RULES), str(draft_b), "--format", "docx"])
    assert r.exit_code == 2


def test_what_if_in_natural_form_rewrites_the_wording():
    a = pr.load_ruleset(pr.BUNDLED_RULES)
    b, _warnings = with_params(a, ["params.umkk_share_min=45%"])
    cmp = compare(a, b)
    assert {(t.pasal, t.ayat) for t in cmp.rules.texts} == {(3, 1), (3, 2)}
    assert re.search(r"\{\+45%\+\}", render(cmp, "text"))


def test_what_if_rewrites_the_clause_text_in_findings():
    a = pr.load_ruleset(pr.BUNDLED_RULES)
    b, _warnings = with_params(a, ["params.umkk_share_min=0,45"])
    assert "45% (empat puluh lima persen)" in b.clause("KMT-01")["text"]
    assert b.clause("KMT-03")["text"] == a.clause("KMT-03")["text"]
    # the same text as a draft whose params.yaml says 45%
    assert "40% (empat puluh persen)" in a.clause("KMT-01")["text"]


def test_an_added_and_a_removed_ayat(tmp_path):
    b = tmp_path / "b"
    shutil.copytree(pr.BUNDLED_RULES, b)
    p11 = b / "pasal-11.yaml"
    text = p11.read_text(encoding="utf-8")
    start = text.index("  - ayat: 5\n")
    end = text.index("clauses:")
    p11.write_text(text[:start] + "  - ayat: 6\n    text: Dinas menerbitkan pedoman teknis pelaksanaan kemitraan.\n"
                   + text[end:], encoding="utf-8")
    cmp = compare(pr.load_ruleset(pr.BUNDLED_RULES), pr.load_ruleset(b))
    by = {(t.pasal, t.ayat): t for t in cmp.rules.texts}
    assert set(by) == {(11, 5), (11, 6)}
    assert by[(11, 5)].new is None and by[(11, 5)].diff()[0][0] == "del"
    assert by[(11, 6)].old is None and by[(11, 6)].diff() == [("ins", "Dinas menerbitkan pedoman teknis pelaksanaan kemitraan.")]
    md = render(cmp, "md")
    assert "### Pasal 11 ayat (6)" in md and "(ayat baru / new ayat)" in md and "(ayat dihapus / removed)" in md
