"""The Markdown memo."""

from __future__ import annotations

import re

from perbup_rules.report import render

try:
    from test_report_fixtures import HOSTILE, make_report
except ImportError:  # tests/ is a package
    from .test_report_fixtures import HOSTILE, make_report


def _summary_rows(md: str) -> dict[str, list[str]]:
    section = md.split("## Ringkasan / Summary", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| \[(KMT-\d+)\]", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in line.strip("|").split("|")]
    return rows


def test_md_has_header_inputs_and_a_summary_row_per_clause():
    report = make_report()
    md = render(report, "md")
    assert md.startswith("# Laporan kepatuhan: Rancangan Peraturan Bupati Kutai Timur")
    assert "**rancangan**" in md and report.regulation["fingerprint"] in md
    for s in report.sources:
        assert s["sha256"] in md and s["path"] in md
    assert "| purchases | 1.200 | 1.195 | 5 | 5 | ya / yes |" in md
    rows = _summary_rows(md)
    assert sorted(rows) == sorted(report.summary())
    for clause, counts in report.summary().items():
        assert rows[clause][3:7] == [str(counts[s]) for s in ("violation", "cannot_determine", "compliant",
                                                               "not_applicable")]
        assert f"## {clause}: " in md


def test_md_lists_violations_and_cannot_determine_bilingually():
    md = render(make_report(), "md")
    assert "### KMT-01: Pelanggaran / Violation (10)" in md
    assert "### KMT-01: Tidak dapat ditentukan / Cannot determine (2)" in md
    assert ("**Dinas Kesehatan** (`pd-dinkes`) · 2024 · kontrak (contract) · "
            "terukur / measured 38,76% vs ambang / threshold 40,00%") in md
    assert "  *UMKK share 0.3876 is below the 0.40 threshold.*" in md
    assert "data kurang / missing: `umk_value_idr`" in md
    assert "Patuh / Compliant: 20 · Tidak berlaku / Not applicable: 0" in md
    assert "### KMT-01: Patuh / Compliant" not in md


def test_md_all_findings_lists_compliant_too():
    md = render(make_report(), "md", all_findings=True)
    assert "### KMT-01: Patuh / Compliant (20)" in md
    assert "### KMT-02: Tidak berlaku / Not applicable (1)" in md


def test_md_required_partnerships_name_ranked_candidates():
    md = render(make_report(), "md")
    section = md.split("## Kemitraan yang diwajibkan / Required partnerships (3)", 1)[1]
    # the count of candidates, then the ranked list
    assert ("| Hotel Royal Victoria Sangatta (`htl-royal`) | KMT-15 | 2025 | `laundry` | — | 2 | "
            "1. UD Bersih Wangi Laundry (`sup-ud-laundry`)<br>2. ") in section


def test_md_caps_long_lists_and_rejected_rows():
    md = render(make_report(extra_violations=600, extra_rejected=70), "md")
    assert "### KMT-03: Pelanggaran / Violation (603)" in md
    assert "- … 103 lainnya / 103 more (lihat / see CSV/JSON)" in md
    assert "## Baris masukan yang ditolak / Rejected input rows (79)" in md
    assert "… 29 lainnya / 29 more (lihat / see JSON)" in md
    full = render(make_report(extra_violations=600), "md", all_findings=True)
    assert "more (lihat / see CSV/JSON)" not in full
    assert full.count("pur-bulk-") == 600


def test_md_escapes_hostile_text():
    md = render(make_report(), "md")
    assert HOSTILE not in md
    assert r"\<script\>alert(1)\</script\>" in md
    assert "CV \"Maju & Jaya\" Sangatta" in md  # quotes and ampersands are fine in Markdown text
