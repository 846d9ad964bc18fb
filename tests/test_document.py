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
    assert DOC.read_text(encoding="utf-8") == text, "docs/kutim-kemitraan.md is stale: run `perbup render rules/kutim-kemitraan -o docs/kutim-kemitraan.md`"


def test_document_shows_every_pasal_ayat_and_clause():
    text = render_document(pr.BUNDLED_RULES, "md")
    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    for c in rs.clauses:
        assert f"**{c['id']}**" in text
    for n in range(1, 13):
        assert f"### Pasal {n} " in text
    assert "umkk_share_min" in text and "2021-02-02" in text  # parameters with dates
    assert "tested by" in text


def test_html_document_is_self_contained():
    html = render_document(pr.BUNDLED_RULES, "html")
    assert html.startswith("<!doctype html>") and "KMT-01" in html
    assert "http://" not in html and "https://" not in html
