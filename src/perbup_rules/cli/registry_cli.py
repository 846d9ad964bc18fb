"""``--registry`` for ``perbup audit`` and ``perbup import``: apply the registries, write the match report."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import t
from ..registries import load_and_apply, matches_path, write_matches


def apply_and_report(dataset, registries, output: Path | None, quiet: bool, exact_path: bool = False) -> Path | None:
    """Apply each registry to ``dataset`` (in place) and write the match report.

    The match report goes beside the report (``<output>.matches.csv``), or to ``output`` itself
    with ``exact_path``; without an output file it goes to ``perbup-matches.csv`` in the
    current folder. A summary line per registry goes to stderr unless ``quiet``.
    """
    outcome = load_and_apply(dataset, list(registries))
    if output is None:
        path = Path("perbup-matches.csv")
    else:
        path = Path(output) if exact_path else matches_path(output)
    write_matches(outcome, path)
    if not quiet:
        for s in outcome.summary():
            click.echo(t("cli.registry.summary", **{k: s[k] for k in (
                "path", "layout", "read", "key", "exact_name", "fuzzy", "ambiguous", "unmatched", "rejected",
                "fields_filled", "conflicts")}), err=True)
        click.echo(t("cli.registry.wrote", path=path), err=True)
    return path
