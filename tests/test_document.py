"""perbup render: the draft as a document; docs/kutim-kemitraan.md must be current."""

from __future__ import annotations

from pathlib import Path

import perbup_rules as pr
from perbup_rules.document import render_document

DOC = Path(__file__).resolve().parents[1] / "docs" / "kutim-kemitraan.md"


def test_rendered_draft_in_docs_is_current(request):
    text = render_document(pr.BUNDLED_RULES, "md")
    if request.config.getoption("--update-golden", default=False):
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text, (
        "docs/kutim-kemitraan.md is stale: run "
        "`perbup render rules/kutim-kemitraan --view annotated -o docs/kutim-kemitraan.md`")


def test_annotated_document_shows_every_pasal_ayat_and_clause():
    text = render_document(pr.BUNDLED_RULES, "md")
    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    for c in rs.clauses:
        assert f"**{c['id']}**" in text
    reg = pr.load_files(pr.BUNDLED_RULES)
    for _f, pf, _n in reg.pasal_files:
        assert f"### Pasal {pf.pasal}\n" in text
    # parameters with their dates, sources and basis; tests and coverage; plain Indonesian, no code notation
    assert "Parameter umkk_share_min [basis: law]: 40% (empat puluh persen) sejak 2 Februari 2021" in text
    assert "Diuji oleh" in text and "Cakupan uji:" in text
    assert "jenis pembeli adalah Perangkat Daerah" in text
    for code in ('buyer.kind', '==', 'known(', 'params.'):
        assert code not in text, code


def test_html_document_is_self_contained():
    for view in ("naskah", "annotated"):
        html = render_document(pr.BUNDLED_RULES, "html", view)
        assert html.startswith("<!doctype html>") and "Pasal 3" in html
        assert "http://" not in html and "https://" not in html
    assert "KMT-01" in render_document(pr.BUNDLED_RULES, "html", "annotated")
    assert "KMT-01" not in render_document(pr.BUNDLED_RULES, "html", "naskah")
