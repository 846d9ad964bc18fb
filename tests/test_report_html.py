"""The HTML report: self-contained, escaped, with one SVG chart per share clause."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from perbup_rules.report import render
from perbup_rules.report.chart import CHART_CAP, TRACK_W

try:
    from test_report_fixtures import HOSTILE, PANELS, PDS, make_report, share_clause_ids
except ImportError:  # tests/ is a package
    from .test_report_fixtures import HOSTILE, PANELS, PDS, make_report, share_clause_ids

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SVG_LEAVES = {"rect", "line"}


class Tree(HTMLParser):
    """Collects elements with their attributes and ancestors, and checks tags are balanced."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.elements: list[tuple[str, dict, tuple]] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a, tuple(self.stack)))
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), tuple(self.stack)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"unexpected </{tag}> with open {[t for t, _ in self.stack][-3:]}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)

    def inside(self, tag: str, **attrs):
        """Elements ``tag`` (with ``attrs``) or any element whose ancestors match."""
        return [
            (t, a, anc)
            for t, a, anc in self.elements
            if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    return tree


def _svg_elements(tree: Tree, chart_id: str, tag: str, cls: str | None = None):
    out = []
    for t, a, anc in tree.elements:
        if t != tag or not any(x == "svg" and xa.get("id") == chart_id for x, xa in anc):
            continue
        if cls is None or cls in (a.get("class") or "").split():
            out.append(a)
    return out


def test_html_is_one_well_formed_document():
    html = render(make_report(), "html")
    assert html.startswith("<!DOCTYPE html>")
    tree = parse(html)
    assert tree.errors == []
    assert tree.stack == []


def test_html_has_no_external_resources():
    html = render(make_report(), "html")
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?//""", html, re.I)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    tree = parse(html)
    assert all(not a.get("src") for _, a, _ in tree.elements)
    assert all((a.get("href") or "#").startswith("#") for t, a, _ in tree.elements if t == "a")


def test_html_content_security_policy_allows_only_its_own_script():
    html = render(make_report(), "html")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp


def test_html_escapes_hostile_text():
    report = make_report()
    report.clauses[0] = {**report.clauses[0], "text": "Pasal <b>tebal</b> & \"kutip\""}
    html = render(report, "html")
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script") == 1  # the page's own print helper only
    assert "Pasal &lt;b&gt;tebal&lt;/b&gt; &amp; &#34;kutip&#34;" in html
    assert "<b>tebal</b>" not in html
    assert HOSTILE in "".join(parse(html).text)  # shown to the reader as text


def test_one_svg_per_share_clause_with_threshold_and_a_bar_per_subject():
    report = make_report()
    html = render(report, "html")
    tree = parse(html)
    svgs = [a for t, a, _ in tree.elements if t == "svg"]
    assert sorted(a["id"] for a in svgs) == [f"chart-{c.lower()}" for c in share_clause_ids(report)]
    for a in svgs:
        assert a["role"] == "img" and a["aria-labelledby"]
    bars = _svg_elements(tree, "chart-kmt-01", "rect", "bar")
    assert len(bars) == len(PDS) * len(PANELS)
    assert {b["data-subject"] for b in bars} == set(PDS)
    panels = _svg_elements(tree, "chart-kmt-01", "g", "panel")
    assert [(p["data-period"], p["data-stage"]) for p in panels] == [(str(y), s) for y, s in PANELS]
    lines = _svg_elements(tree, "chart-kmt-01", "line", "threshold")
    assert len(lines) == len(PANELS)
    assert {ln["x1"] for ln in lines} == {"458"}  # 290 + 420 * 0.40
    kmt02 = _svg_elements(tree, "chart-kmt-02", "rect", "bar")
    assert {b["data-subject"] for b in kmt02} == {"ppk-01", "ppk-02", "ppk-03"}  # not_applicable is not drawn


def test_bars_are_sized_exactly_and_coloured_by_status():
    tree = parse(render(make_report(), "html"))
    bars = _svg_elements(tree, "chart-kmt-01", "rect", "bar")
    dinkes = next(b for b in bars if b["data-subject"] == "pd-dinkes" and b["data-measured"] == "0.4213")
    assert dinkes["width"] == "176.9"  # 420 * 0.4213 = 176.946
    assert "bar-compliant" in dinkes["class"]
    dishub = next(b for b in bars if b["data-subject"] == "pd-dishub" and b["data-measured"] == "0.0000")
    assert dishub["width"] == "0" and "bar-violation" in dishub["class"]
    cd = [b for b in bars if "bar-cannot_determine" in b["class"]]
    assert len(cd) == 2 and all(b["width"] == "0" for b in cd)
    assert str(TRACK_W) == "420"


def test_each_bar_has_an_accessible_title():
    html = render(make_report(), "html")
    assert "<title>Dinas Kesehatan (pd-dinkes): 42,13%; ambang / threshold 40,00%; Patuh / Compliant</title>" in html
    assert "<title>ambang / threshold 40,00%</title>" in html


def test_html_title_block_inputs_reconcile_and_summary():
    report = make_report()
    html = render(report, "html")
    assert report.regulation["fingerprint"] in html
    for s in report.sources:
        assert s["sha256"] in html
    assert html.count("✓ ya</span>") == 3
    report.input["parties"]["accepted"] = 60
    assert "✗ tidak" in render(report, "html")
    assert 'href="#clause-kmt-15"' in html and 'id="clause-kmt-15"' in html  # table of contents
    assert '<span class="badge violation" title="Pelanggaran / Violation">17</span>' in html


def test_html_tables_cite_the_clause_and_hold_its_text_in_details():
    html = render(make_report(), "html")
    assert "Pelanggaran <span class=\"en\">Violation</span> · Pasal 3 ayat (1) (10)" in html
    assert re.search(r"<details class=\"law\"><summary>Teks rancangan Pasal 4 ayat \(1\).*?Rp15\.000\.000\.000,00", html, re.S)
    assert "Data kurang <span class=\"en\">missing</span>: <code>umk_value_idr</code>" in html


def test_html_required_partnerships_list_ranked_candidate_names():
    html = render(make_report(), "html")
    section = html.split('id="required"', 1)[1].split("</section>", 1)[0]
    assert section.index("UD Bersih Wangi Laundry") < section.index("&lt;script&gt;")
    assert '<ol class="candidates">' in section


def test_html_print_css():
    html = render(make_report(), "html")
    css = html.split("@media print", 1)[1]
    assert "break-before: page" in css and "break-inside: avoid" in css and "table-header-group" in css


def test_html_caps_rows_unless_all_findings():
    capped = render(make_report(extra_violations=600, extra_rejected=520), "html")
    assert "103 more not shown (see CSV/JSON)" in capped
    assert "29 more not shown (see JSON)" in capped
    full = render(make_report(extra_violations=600, extra_rejected=520), "html", all_findings=True)
    assert "more not shown" not in full
    assert full.count("<code class=\"id\">pur-bulk-") == 600


def test_charts_cap_bars_per_panel_unless_all_findings():
    report = make_report(extra_pds=80)
    tree = parse(render(report, "html"))
    bars = _svg_elements(tree, "chart-kmt-01", "rect", "bar")
    assert len(bars) == CHART_CAP * len(PANELS)
    drawn = {b["data-subject"] for b in bars}
    assert {"pd-dpupr", "pd-dishub"} <= drawn  # violations are always among the drawn
    assert "28 more subjects not drawn" in render(report, "html")
    full = parse(render(report, "html", all_findings=True))
    assert len(_svg_elements(full, "chart-kmt-01", "rect", "bar")) == 88 * len(PANELS)
