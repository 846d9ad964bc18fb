"""The batch writers (perbup_rules.report.stream) give the bytes of the whole-report renderers."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules.bulk import audit
from perbup_rules.findings import Status
from perbup_rules.report import render
from perbup_rules.report import stream
from strategies import datasets

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=25)


@given(json_values, st.sampled_from(["", "  ", "    "]))
def test_dump_is_json_dumps_indent_2(value, indent):
    want = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)
    assert stream.dump(value, indent) == want


def test_dump_falls_back_for_other_keys_and_types():
    assert stream.dump({1: "a", "b": [1.5, None]}) == json.dumps({1: "a", "b": [1.5, None]}, ensure_ascii=False, indent=2)
    assert stream.dump(Status.VIOLATION) == '"violation"'


def same_bytes(report, fmt: str) -> None:
    joined = "".join(stream.pieces(report, fmt))
    assert joined == (report.to_json() if fmt == "json" else render(report, fmt))


@pytest.fixture(scope="module")
def example():
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    pr.categorize(ds, KUTIM)
    return pr.evaluate(KUTIM, ds, "durable")


@pytest.mark.parametrize("fmt", ["json", "csv", "md", "html", "text"])
def test_example_report_in_batches_is_the_same_bytes(example, fmt, monkeypatch):
    monkeypatch.setattr(stream, "BATCH", 7)  # many batches, a short last one
    same_bytes(example, fmt)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_bulk_report_in_batches_is_the_same_bytes(fmt, monkeypatch):
    monkeypatch.setattr(stream, "BATCH", 5)
    same_bytes(audit(KUTIM, pr.EXAMPLE_DATA, "durable"), fmt)


def test_a_report_without_findings(example):
    empty = pr.Report(regulation=example.regulation, findings=[], required_partnerships=[])
    for fmt in ("json", "csv"):
        same_bytes(empty, fmt)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ds=datasets(), batch=st.integers(1, 5))
def test_generated_reports_in_batches_are_the_same_bytes(ds, batch):
    old = stream.BATCH
    stream.BATCH = batch
    try:
        report = pr.evaluate(KUTIM, ds, "reference", periods=[2025, 2026, 2027])
        for fmt in ("json", "csv"):
            same_bytes(report, fmt)
    finally:
        stream.BATCH = old


_OPT = st.one_of(st.none(), st.text(max_size=6))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clause=st.text(max_size=6), citation=st.text(max_size=6), subject=_OPT, stage=_OPT, category=_OPT,
       measured=_OPT, threshold=_OPT, exception=_OPT, severity=st.text(max_size=6), location=_OPT,
       period=st.one_of(st.none(), st.integers()), status=st.sampled_from(list(Status)),
       evidence=st.lists(st.text(max_size=4), max_size=3).map(tuple), aif=st.booleans())
def test_a_finding_is_encoded_as_the_generic_way_does(clause, citation, subject, stage, category, measured,
                                                      threshold, exception, severity, location, period,
                                                      status, evidence, aif, monkeypatch):
    from perbup_rules.findings import Finding, Text

    monkeypatch.setattr(stream, "_ENCODED_MAX", 3)  # the remembered encodings are emptied as they fill
    f = Finding(clause, citation, subject, period, status, Text("id ‘x’ \"q\"", "en\n\t"), stage=stage,
                category=category, measured=measured, threshold=threshold, evidence=evidence,
                exception=exception, severity=severity, rule_location=location, as_if_in_force=aif)
    for _ in range(2):  # the second time from what was remembered
        assert stream.finding(f) == stream._generic(f)
    assert len(stream._encoded) <= 3
