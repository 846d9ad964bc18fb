"""``perbup compare``: what a change to the draft does, in the rules and over real records."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import FILE_NOT_FOUND
from ..i18n import t
from ._common import handle_errors, existing


@click.command("compare")
@click.argument("draft_a", type=click.Path(path_type=Path), callback=existing(FILE_NOT_FOUND))
@click.argument("draft_b", type=click.Path(path_type=Path), required=False, callback=existing(FILE_NOT_FOUND))
@click.option("--set", "settings", multiple=True, metavar="params.NAME=VALUE[@DATE]",
              help="What-if: change a parameter of DRAFT_A (repeatable); B is then A with the change.")
@click.option("--data", "data", multiple=True, type=click.Path(path_type=Path), callback=existing(), help="Dataset(s) to compare verdicts on.")
@click.option("--from", "kind", default=None, help="Kind of the --data files (see perbup audit).")
@click.option("--period", "periods", multiple=True, type=int)
@click.option("--engine", type=click.Choice(["durable", "reference"]), default="reference", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html", "docx"]), default="text", show_default=True,
              help="md, html and docx: one document for a drafting meeting (wording redlines, parameters, clauses, flips).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
@handle_errors
def command(draft_a, draft_b, settings, data, kind, periods, engine, fmt, output):
    """Compare DRAFT_A with DRAFT_B (or with A changed by --set)."""
    import perbup_rules as pr
    from ..compare import compare, with_params
    from ..errors import UsageError
    from ..records import merge_datasets
    from ..report.comparison import render

    if fmt == "docx" and output is None:
        raise UsageError(t("cli.docx_needs_output"))
    a = pr.load_ruleset(draft_a)
    if draft_b is not None and settings:
        raise UsageError(t("cli.compare.both"))
    if draft_b is None and not settings:
        raise UsageError(t("cli.compare.neither"))
    if draft_b is not None:
        b = pr.load_ruleset(draft_b)
    else:
        b, warnings = with_params(a, settings)
        for w in warnings:
            click.echo(t("cli.warning", text=w), err=True)
    dataset = None
    if data:
        sets = [pr.load_dataset(d, kind) for d in data]
        dataset = merge_datasets(sets) if len(sets) > 1 else sets[0]
    result = compare(a, b, dataset, engine, periods=list(periods) or None)
    text = render(result, fmt)
    if output:
        if isinstance(text, bytes):
            output.write_bytes(text)
        else:
            output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(0)
