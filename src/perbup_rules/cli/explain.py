"""``perbup explain``: why one clause gave one subject its status."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import FILE_NOT_FOUND
from ..i18n import t
from ._common import fail, handle_errors, existing


@click.command("explain", help=t("help.explain"))
@click.option("--clause", "clause_id", required=True, help=t("help.explain.clause"))
@click.option("--subject", required=True, help=t("help.explain.subject"))
@click.option("--period", type=int, default=None, help=t("help.explain.period"))
@click.option("--rules", type=click.Path(path_type=Path), default=None, callback=existing(FILE_NOT_FOUND), help=t("help.explain.rules"))
@click.option("--data", type=click.Path(path_type=Path), default=None, callback=existing(), help=t("help.explain.data"))
@click.option("--from", "kind", default=None, help=t("help.explain.from"))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--registry", "registries", multiple=True, type=click.Path(path_type=Path),
              help="Supplier registry applied as in perbup audit (repeatable).")
@handle_errors
def command(clause_id, subject, period, rules, data, kind, fmt, registries=()):
    """``perbup explain`` (its help text is ``help.explain`` in the i18n catalogue)."""
    import perbup_rules as pr
    from ..why import render_text, why

    ruleset = pr.load_ruleset(rules or pr.BUNDLED_RULES)
    try:
        ruleset.clause(clause_id)
    except KeyError:
        fail("perbup: " + t("cli.explain.no_clause", clause=repr(clause_id), clauses=", ".join(c["id"] for c in ruleset.clauses)))
    dataset = pr.load_dataset(data or pr.EXAMPLE_DATA, kind, registries=list(registries))
    items = why(ruleset, dataset, clause_id, subject, period)
    if fmt == "json":
        click.echo(json.dumps(items, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(render_text(items), nl=False)
    if not items:  # exit 2 with its reason on stderr, as every input error
        fail("perbup: " + (t("cli.explain.no_finding", clause=clause_id, subject=repr(subject)) if period is None
                           else t("cli.explain.no_finding_period", clause=clause_id, subject=repr(subject), period=period)))
