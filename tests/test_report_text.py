"""The terminal summary rendered to a string."""

from __future__ import annotations

from perbup_rules.report import render

try:
    from test_report_fixtures import make_report
except ImportError:  # tests/ is a package
    from .test_report_fixtures import make_report


def test_text_summary_lists_every_clause_with_counts():
    report = make_report()
    text = render(report, "text")
    for clause, counts in report.summary().items():
        line = next(line for line in text.splitlines() if line.strip().startswith(clause))
        numbers = [int(tok) for tok in line.split() if tok.isdigit()]
        assert numbers[:4] == [counts[s] for s in ("violation", "cannot_determine", "compliant", "not_applicable")]
    assert "UMKK share of each agency's spend" in text
    kmt15 = next(line for line in text.splitlines() if line.strip().startswith("KMT-15"))
    assert kmt15.split()[-1] == "2"  # required partnerships


def test_text_has_no_colour_codes_and_fits_100_columns():
    text = render(make_report(extra_violations=30), "text")
    assert "\x1b" not in text
    assert max(len(line) for line in text.splitlines()) <= 100
    assert not any(line != line.rstrip() for line in text.splitlines())


def test_text_shows_the_top_ten_violations_worst_share_first():
    text = render(make_report(), "text")
    assert "Top 10 of 17 violations" in text
    top = text.split("Top 10 of 17 violations", 1)[1].splitlines()
    rows = [line for line in top if line.strip().startswith("KMT-")]
    assert len(rows) == 10
    assert "Dinas Perhubungan" in rows[0] and "0,00%" in rows[0]


def test_text_without_violations_has_no_top_table():
    report = make_report()
    report.findings = [f for f in report.findings if f.status.value != "violation"]
    assert "Top" not in render(report, "text")
