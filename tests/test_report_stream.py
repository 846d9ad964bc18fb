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
