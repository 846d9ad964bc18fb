"""``perbup check``: load and compile a draft, and list every problem with its file, line and column."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import click

from ..errors import FILE_NOT_FOUND
from ..i18n import count, t
from ._common import EXIT_OK, EXIT_USAGE, handle_errors, existing


def with_source_lines(diags):
    """The diagnostics with the offending line of the rule file attached, so render() can point at it."""
    cache: dict[str, list[str] | None] = {}
    out = []
    for d in diags:
        loc = d.location
        if d.source_line is None and loc is not None and loc.line and loc.column:
            if loc.file not in cache:
                try:
                    cache[loc.file] = Path(loc.file).read_text(encoding="utf-8-sig").splitlines()
                except (OSError, UnicodeDecodeError):
                    cache[loc.file] = None
            lines = cache[loc.file]
            if lines is not None and loc.line <= len(lines):
                d = dataclasses.replace(d, source_line=lines[loc.line - 1])
        out.append(d)
    return out


def _category_map_diagnostics(rules: Path, ruleset) -> list:
    """Problems of the regulation's categories.yaml, if it has one (see perbup_rules.categories)."""
    from ..categories import load_category_map, map_path, rule_categories

    path = map_path(rules)
    if path is None:
        return []
    _cmap, diags = load_category_map(path, known=rule_categories(ruleset) if ruleset is not None else ())
    return diags


@click.command("check", help=t("help.check"))
@click.argument("rules", required=False, type=click.Path(path_type=Path), callback=existing(FILE_NOT_FOUND))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=t("help.check.format"))
@click.option("--dump-ruleset", is_flag=True,
              help=t("help.check.dump_ruleset"))
@handle_errors
def command(rules: Path | None, fmt: str, dump_ruleset: bool) -> None:
    """``perbup check`` (its help text is ``help.check`` in the i18n catalogue)."""
    import perbup_rules as pr
    from ..compiler import check_regulation

    rules = rules or pr.BUNDLED_RULES
    regulation = pr.load_files(rules)
    _build, diags = check_regulation(regulation)
    n_err = sum(d.severity == "error" for d in diags)
    n_warn = len(diags) - n_err
    ruleset = pr.compile_ruleset(regulation) if n_err == 0 else None
    diags = diags + _category_map_diagnostics(rules, ruleset)
    n_err = sum(d.severity == "error" for d in diags)
    n_warn = len(diags) - n_err
    if n_err and ruleset is not None:
        ruleset = None  # a broken category map fails the check like a broken clause
    reg_id = regulation.meta.id

    if dump_ruleset:
        for d in with_source_lines(diags):
            click.echo(d.render(), err=True)
        if ruleset is None:
            click.echo(t("cli.check.no_dump", reg=reg_id, errors=count(n_err, "error")), err=True)
            sys.exit(EXIT_USAGE)
        click.echo(ruleset.to_json(), nl=False)
        sys.exit(EXIT_OK)

    summary = {
        "regulation": reg_id,
        "clauses": len(regulation.clauses),
        "parameters": len(regulation.params),
        "errors": n_err,
        "warnings": n_warn,
        "fingerprint": ruleset.fingerprint if ruleset is not None else None,
    }
    if fmt == "json":
        click.echo(json.dumps({**summary, "diagnostics": [d.to_dict() for d in diags]}, ensure_ascii=False, indent=2))
    else:
        for d in with_source_lines(diags):
            click.echo(d.render())
        tail = (t("cli.check.fingerprint", fingerprint=ruleset.fingerprint) if ruleset is not None
                else t("cli.check.not_compiled"))
        click.echo(t("cli.check.summary", reg=reg_id, clauses=count(summary["clauses"], "clause"),
                     params=count(summary["parameters"], "parameter"), errors=count(n_err, "error"),
                     warnings=count(n_warn, "warning"), tail=tail))
    sys.exit(EXIT_OK if n_err == 0 else EXIT_USAGE)
