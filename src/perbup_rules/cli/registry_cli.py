"""``--registry`` for ``perbup audit`` and ``perbup import``: apply the registries, write the match report."""

from __future__ import annotations

from pathlib import Path

import click

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
            click.echo(f"registry {s['path']} ({s['layout']}): {s['read']} rows, {s['key']} by key, "
                       f"{s['exact_name']} by exact name, {s['fuzzy']} fuzzy, {s['ambiguous']} ambiguous, "
                       f"{s['unmatched']} unmatched (candidates only), {s['rejected']} rejected; "
                       f"{s['fields_filled']} fields filled, {s['conflicts']} conflicts", err=True)
        click.echo(f"wrote match report {path}", err=True)
    return path
