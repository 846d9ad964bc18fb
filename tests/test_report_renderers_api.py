"""Report.to_html/to_markdown/to_csv/to_text give the bytes `perbup audit` writes.

`perbup audit` is `perbup_rules.audit` (counted form; with ``--all`` every verdict is listed, as
`perbup_rules.evaluate` gives them)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import perbup_rules as pr
from perbup_rules.cli import main


@pytest.fixture(scope="module")
def report():
    return pr.evaluate(pr.load_ruleset(pr.BUNDLED_RULES), pr.load_dataset(pr.EXAMPLE_DATA), "reference")


@pytest.fixture(scope="module")
def counted():
    return pr.audit(pr.BUNDLED_RULES, pr.EXAMPLE_DATA, "reference")


@pytest.mark.parametrize("fmt, method, all_findings", [
    ("html", "to_html", False), ("md", "to_markdown", False), ("csv", "to_csv", None), ("text", "to_text", False),
    ("html", "to_html", True), ("md", "to_markdown", True), ("json", "to_json", None), ("json", "to_json", True),
    ("csv", "to_csv", True),
])
def test_api_renderers_give_the_cli_bytes(tmp_path, report, counted, fmt, method, all_findings):
    out = tmp_path / f"r.{fmt}"
    args = ["audit", "--engine", "reference", "--format", fmt, "-o", str(out), "--quiet"]
    if all_findings:
        args.append("--all")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    fn = getattr(report if all_findings else counted, method)
    text = fn(all_findings=True) if all_findings and fmt not in ("json", "csv") else fn()
    assert text.encode("utf-8") == out.read_bytes()
    assert len(text) > 200


def test_unknown_format_is_a_usage_error(report):
    with pytest.raises(pr.UsageError):
        report.render("pdf")
