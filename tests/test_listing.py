"""A report listing only what the human formats show (perbup_rules.listing) renders the same bytes.

``perbup audit --format html`` (md, text) asks the judge for at most ``ROW_CAP`` listed verdicts
per clause and status: the column-wise path then judges per record only the first of an ``each``
clause's violations, and counts the rest in SQL. These tests lower the cap (``_view.ROW_CAP``)
to a few rows so that generated data of a few thousand purchases has many more findings than
it, and compare, on both paths:

* the limited report rendered in every capped format with the whole report rendered so;
* its summary, totals and required partnerships with the whole report's;
* that it lists at most ``n`` per clause and status, and exactly the first in display order.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules.cli import main
from perbup_rules.errors import UsageError
from perbup_rules.findings import display_key
from perbup_rules.listing import LIMITED_KINDS, limit_listed
from perbup_rules.report import CAPPED_FORMATS, _view, render

from generated import generated

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return generated(tmp_path_factory.mktemp("gen"), seed=41, n=4000, undated_every=97)


@pytest.fixture(scope="module")
def whole(data) -> pr.Report:
    return pr.audit(KUTIM, data, "reference", path="column")


def _limited_kinds() -> dict[str, str]:
    return {c["id"]: c["kind"] for c in KUTIM.clauses if c["kind"] in LIMITED_KINDS}


@pytest.fixture(scope="module")
def hard(tmp_path_factory) -> Path:
    """Another shape: many non-UMKK winners, parties and categories per supplier (KMT-05's
    violations and cannot-determine verdicts in several categories), every 13th purchase undated."""
    return generated(tmp_path_factory.mktemp("hard"), 5, 3500, 13, "--shape", "hard", "--parties", "900",
                      "--non-umkk-rate", "0.6", "--categories-per-supplier", "3", "--covered", "0.3")


@pytest.mark.parametrize("path", ["column", "per-record"])
@pytest.mark.parametrize("n", [2, 25])
def test_limited_renders_the_same_bytes_on_another_shape(hard, path, n, monkeypatch):
    whole = pr.audit(KUTIM, hard, "reference", path="column")
    limited = pr.audit(KUTIM, hard, "reference", path=path, list_limit=n)
    assert limited.summary() == whole.summary()
    assert limited.to_dict() == limit_listed(whole, n).to_dict()
    assert len(limited.findings) < len(whole.findings)
    monkeypatch.setattr(_view, "ROW_CAP", n)
    for fmt in CAPPED_FORMATS:
        assert render(limited, fmt) == render(whole, fmt), fmt


@pytest.mark.parametrize("path", ["column", "per-record"])
@pytest.mark.parametrize("n", [1, 7, 60])
def test_limited_report_renders_the_same_bytes(data, whole, path, n, monkeypatch):
    limited = pr.audit(KUTIM, data, "reference", path=path, list_limit=n)
    assert limited.summary() == whole.summary()
    assert limited.totals() == whole.totals()
    assert [r.to_dict() for r in limited.required_partnerships] == [r.to_dict() for r in whole.required_partnerships]
    assert len(limited.findings) < len(whole.findings)  # the data have more than n of some clause
    monkeypatch.setattr(_view, "ROW_CAP", n)
    for fmt in CAPPED_FORMATS:
        assert render(limited, fmt) == render(whole, fmt), fmt


@pytest.mark.parametrize("n", [1, 7, 60])
def test_limited_lists_the_first_in_display_order(data, whole, n):
    limited = pr.audit(KUTIM, data, "reference", path="column", list_limit=n)
    kinds = _limited_kinds()
    per: dict[tuple, list] = {}
    for f in whole.findings:
        per.setdefault((f.clause, f.status), []).append(f)
    kept = Counter((f.clause, f.status) for f in limited.findings)
    listed_more = 0
    for key, fs in per.items():
        if key[0] in kinds and all(f.subject_kind == "purchase" for f in fs):
            first = sorted(fs, key=display_key)[:n]
            got = [f for f in limited.findings if (f.clause, f.status) == key]
            assert sorted(got, key=display_key) == first, key
            listed_more += len(fs) > n
        else:  # group verdicts and others are never limited
            assert kept[key] == len(fs), key
    assert listed_more  # the limit did limit something
    # the same as limiting the whole report afterwards
    assert limited.to_dict() == limit_listed(whole, n).to_dict()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(min_value=1, max_value=300))
def test_column_path_limits_as_the_definition(data, whole, n):
    """The SQL pre-selection of the first each-violations never drops one limit_listed keeps."""
    limited = pr.audit(KUTIM, data, "reference", path="column", list_limit=n)
    assert limited.to_dict() == limit_listed(whole, n).to_dict()


def test_all_findings_ignores_the_limit(data):
    a = pr.audit(KUTIM, data, "reference", path="column", all_findings=True, list_limit=3)
    b = pr.audit(KUTIM, data, "reference", path="column", all_findings=True)
    assert a.to_dict() == b.to_dict()


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "5"])
def test_a_limit_that_is_not_a_positive_whole_number_is_refused(data, bad):
    with pytest.raises(UsageError, match="list limit"):
        pr.audit(KUTIM, data, "reference", path="column", list_limit=bad)
    with pytest.raises(UsageError, match="list limit"):
        pr.audit(KUTIM, data, "reference", path="per-record", list_limit=bad)


def test_cli_human_formats_fail_on_counted_violations(data, tmp_path):
    """--fail-on reads the totals, so a violation counted (not listed) still fails the run."""
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["audit", "--data", str(data), "--format", "html", "-o", str(out), "-q",
                                    "--fail-on", "violation"])
    assert res.exit_code == 1, res.output
    assert "more not shown" in out.read_text(encoding="utf-8")
