"""Number formatting, labels and the render() entry point of perbup_rules.report."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from perbup_rules.errors import UsageError
from perbup_rules.findings import STATUS_ORDER, Status
from perbup_rules.report import FORMATS, render
from perbup_rules.report._format import figure, grouped, percent, percent_pair, rupiah, status_label, to_decimal

try:
    from test_report_fixtures import make_report
except ImportError:  # tests/ is a package
    from .test_report_fixtures import make_report


@pytest.mark.parametrize(
    "value, shown",
    [(1500000, "Rp1.500.000"), ("15000000000", "Rp15.000.000.000"), (0, "Rp0"), ("999", "Rp999"),
     ("1500000.5", "Rp1.500.000,50"), (Decimal("-2500"), "Rp-2.500"), (None, "—"), ("abc", "—")],
)
def test_rupiah_uses_dots_for_thousands(value, shown):
    assert rupiah(value) == shown


@pytest.mark.parametrize(
    "value, shown",
    [("0.4213", "42,13%"), ("0.40", "40,00%"), ("1", "100,00%"), ("0", "0,00%"), ("0.123456", "12,34%"),
     ("0.399999", "39,99%"), (None, "—")],
)
def test_percent_has_two_decimals_and_truncates(value, shown):
    assert percent(value) == shown


def test_percent_never_takes_a_float():
    assert to_decimal(0.4213) is None
    assert percent(0.4213) == "—"


def test_a_share_just_under_the_threshold_never_prints_equal_to_it():
    assert percent_pair("0.39999", "0.40") == ("39,99%", "40,00%")
    assert percent_pair("0.40001", "0.40") == ("40,001%", "40,000%")
    assert percent_pair("0.40", "0.4") == ("40,00%", "40,00%")


def test_figure_by_unit():
    assert figure("0.5", "ratio") == "50,00%"
    assert figure("2350000000", "idr") == "Rp2.350.000.000"
    assert figure("2350000000", None) == "2.350.000.000"
    assert figure("1", None) == "1"
    assert figure("1.25", None) == "1,25"
    assert grouped(1234567) == "1.234.567"


def test_every_status_has_a_bilingual_label():
    for s in STATUS_ORDER:
        label = status_label(s)
        assert label.id and label.en and label.id != label.en
    assert status_label("violation").id == "Pelanggaran"


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        render(make_report(), "pdf")


def test_rendering_never_changes_the_report():
    report = make_report()
    before = copy.deepcopy(report.to_dict())
    findings = list(report.findings)
    for fmt in FORMATS:
        render(report, fmt)
        render(report, fmt, all_findings=True)
    assert report.to_dict() == before
    assert report.findings == findings
    assert all(isinstance(f.status, Status) for f in report.findings)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_is_deterministic(fmt):
    assert render(make_report(), fmt) == render(make_report(), fmt)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_an_empty_report(fmt):
    report = make_report()
    report.findings, report.required_partnerships, report.rejected = [], [], []
    report.clauses, report.input, report.sources, report.names = [], {}, [], {}
    assert render(report, fmt)


# the JSON keeps the report's own order, as the engine gave it; the others sort explicitly
@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - {"json"}))
def test_finding_order_does_not_change_the_output(fmt):
    a, b = make_report(), make_report()
    b.findings.reverse()
    b.required_partnerships.reverse()
    b.rejected.reverse()
    assert render(a, fmt) == render(b, fmt)
