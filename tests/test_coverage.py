"""Coverage of the draft by its scenarios (perbup test --coverage)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

from click.testing import CliRunner

import perbup_rules as pr
from perbup_rules.cli import main
from perbup_rules.testing import run_all
from perbup_rules.testing.coverage import CoverageTracer, coverage


def _coverage(rules):
    rs = pr.load_ruleset(rules)
    tracer = CoverageTracer()
    run = run_all(rules, rs, "reference", tracer=tracer)
    return coverage(rs, tracer, run.results)


def test_the_kutim_scenarios_cover_at_least_90_percent_of_branches():
    rep = _coverage(pr.BUNDLED_RULES)
    assert rep.percent >= Decimal(90), rep.render_text()
    kinds = {b.kind for b in rep.branches}
    assert kinds == {"outcome", "condition", "boundary"}
    # every judged clause has its violation and compliant outcomes exercised
    by = rep.by_clause()
    for cid in ("KMT-01", "KMT-03", "KMT-05", "KMT-15.1", "KMT-16"):
        names = {b.name: b.covered for b in by[cid]}
        assert names["verdict: violation"] and names["verdict: compliant"], cid


def test_removing_scenarios_shows_as_lost_branches(tmp_path):
    copy = tmp_path / "draft"
    shutil.copytree(pr.BUNDLED_RULES, copy)
    (copy / "tests" / "pasal-04.yaml").unlink()
    (copy / "tests" / "pasal-01.yaml").unlink()
    full, partial = _coverage(pr.BUNDLED_RULES), _coverage(copy)
    assert partial.covered < full.covered and partial.total == full.total
    lost = {(b.clause, b.name) for b in partial.branches if not b.covered} - \
           {(b.clause, b.name) for b in full.branches if not b.covered}
    assert any(c == "KMT-03" for c, _ in lost)


def test_cli_coverage_text_json_and_minimum():
    runner = CliRunner()
    res = runner.invoke(main, ["test", "--engine", "reference", "--coverage"])
    assert res.exit_code == 0 and "Coverage:" in res.output and "Pasal 4" in res.output
    res = runner.invoke(main, ["test", "--engine", "reference", "--format", "json", "--min-coverage", "90"])
    data = json.loads(res.output)
    assert res.exit_code == 0 and Decimal(data["coverage"]["percent"]) >= 90
    assert {c["clause"] for c in data["coverage"]["clauses"]} >= {"KMT-01", "KMT-15.3"}
    res = runner.invoke(main, ["test", "--engine", "reference", "--min-coverage", "100"])
    assert res.exit_code == 1 and "below --min-coverage" in res.output
