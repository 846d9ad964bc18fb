"""``perbup test``: run the scenario files of a draft (RULES/tests/*.yaml) and show what failed."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import click

from ..errors import FILE_NOT_FOUND
from ..i18n import t, tr
from ._common import EXIT_FOUND, EXIT_OK, handle_errors, existing


def _shown(path: str) -> str:
    """A path relative to the working directory when it lies under it (shorter to read)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if rel.startswith("..") else rel


@click.command("test", help=t("help.test"))
@click.argument("rules", required=False, type=click.Path(path_type=Path), callback=existing(FILE_NOT_FOUND))
@click.option("--engine", type=click.Choice(["durable", "reference"]), default="durable", show_default=True)
@click.option("-k", "keyword", default=None, metavar="SUBSTRING",
              help=t("help.test.k"))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--coverage", "show_coverage", is_flag=True,
              help=t("help.test.coverage"))
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="N",
              help=t("help.test.min_coverage"))
@handle_errors
def command(rules: Path | None, engine: str, keyword: str | None, fmt: str, show_coverage: bool,
            min_coverage: float | None) -> None:
    """``perbup test`` (its help text is ``help.test`` in the i18n catalogue)."""
    import perbup_rules as pr
    from ..testing import run_all

    if min_coverage is not None and math.isnan(min_coverage):  # FloatRange lets nan through
        raise click.BadParameter(t("cli.test.nan"), param_hint="'--min-coverage'")
    rules = rules or pr.BUNDLED_RULES
    ruleset = pr.load_ruleset(rules)  # InvalidRulesError -> every problem on stderr, exit 2
    select = None
    if keyword:
        needle = keyword.casefold()

        def select(s):
            return needle in s.name.casefold()

    tracer = None
    if show_coverage or min_coverage is not None:
        from ..testing.coverage import CoverageTracer, coverage

        tracer = CoverageTracer()
    run = run_all(rules, ruleset, engine, select=select, tracer=tracer)
    bad_files = any(d.severity == "error" for d in run.diagnostics)
    cov = coverage(ruleset, tracer, run.results) if tracer is not None else None
    below = cov is not None and min_coverage is not None and cov.percent < __import__("decimal").Decimal(str(min_coverage))

    if fmt == "json":
        click.echo(json.dumps({
            "rules": str(rules),
            "engine": engine,
            "passed": run.passed,
            "failed": run.failed,
            "scenarios": [{"name": r.scenario.name, "file": r.scenario.file, "line": r.scenario.location.line,
                           "passed": r.passed, "failures": [tr(f) for f in r.failures]} for r in run.results],
            "diagnostics": [d.to_dict() for d in run.diagnostics],
            **({"coverage": cov.to_dict()} if cov is not None else {}),
        }, ensure_ascii=False, indent=2))
    else:
        for r in run.results:
            s = r.scenario
            mark = click.style(t("cli.test.pass"), fg="green") if r.passed else click.style(t("cli.test.fail"), fg="red", bold=True)
            click.echo(f"{mark} {_shown(s.file)}:{s.location.line}  {s.name}")
            for failure in r.failures:
                click.echo("    " + tr(failure).replace("\n", "\n    "))
        for d in run.diagnostics:
            click.echo(d.render())
        if not run.results:
            click.echo(t("cli.test.no_scenarios_k", keyword=repr(keyword)) if keyword
                       else t("cli.test.no_scenarios_in", folder=Path(rules) / "tests"), err=True)
        if cov is not None:
            click.echo(cov.render_text(), nl=False)
            if below:
                click.echo(t("cli.test.below_min", percent=cov.percent, minimum=min_coverage))
        click.echo(t("cli.test.totals", passed=run.passed, failed=run.failed))
    sys.exit(EXIT_OK if run.failed == 0 and not bad_files and not below else EXIT_FOUND)
