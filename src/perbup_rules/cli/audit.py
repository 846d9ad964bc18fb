"""``perbup audit``: judge a dataset against a draft and write a report people read."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import click

from ..candidates import MAX_CANDIDATES
from ..errors import FILE_NOT_FOUND
from ..i18n import pick, t
from ..bulk.choose import PATHS
from ._common import EXIT_FOUND, EXIT_OK, Finished, handle_errors, existing, replacing

FORMATS = ("text", "json", "csv", "md", "html")


def _progress(quiet: bool):
    """A rich progress bar on a terminal; a no-op otherwise."""
    if quiet or not sys.stderr.isatty():
        return None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from rich.console import Console

    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True)


@click.command("audit", help=t("help.audit"))
@click.option("--rules", "rules", type=click.Path(path_type=Path), default=None, callback=existing(FILE_NOT_FOUND),
              help=t("help.audit.rules"))
@click.option("--data", "data", multiple=True, type=click.Path(path_type=Path), callback=existing(),
              help=t("help.audit.data"))
@click.option("--from", "kind", default=None,
              help=t("help.audit.from"))
@click.option("--stage", type=click.Choice(["plan", "award", "contract"]), default=None, help=t("help.audit.stage"))
@click.option("--period", "periods", multiple=True, type=int, help=t("help.audit.period"))
@click.option("--engine", type=click.Choice(["durable", "reference"]), default="durable", show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help=t("help.audit.output"))
@click.option("--all", "all_findings", is_flag=True, help=t("help.audit.all"))
@click.option("--fail-on", type=click.Choice(["violation", "cannot_determine"]), default=None,
              help=t("help.audit.fail_on"))
@click.option("--bulk", is_flag=True, help=t("help.audit.bulk"))  # a no-op kept for old scripts
@click.option("--engine-path", "engine_path", type=click.Choice(PATHS), default=None, hidden=True,
              help=t("help.audit.engine_path"))
@click.option("-v", "--verbose", is_flag=True, help=t("help.audit.verbose"))
@click.option("--registry", "registries", multiple=True, type=click.Path(path_type=Path),
              help=t("help.audit.registry"))
@click.option("-q", "--quiet", is_flag=True, help=t("help.audit.quiet"))
@click.option("--as-if-in-force", "as_if", is_flag=True, help=t("help.audit.as_if_in_force"))
@click.option("--no-assume", "no_assume", multiple=True, metavar="ID", help=t("help.audit.no_assume"))
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help=t("help.audit.as_of"))
@click.option("--max-candidates", type=click.IntRange(min=0), default=MAX_CANDIDATES, show_default=True,
              help=t("help.audit.max_candidates"))
@handle_errors
def command(rules, data, kind, stage, periods, engine, fmt, output, all_findings, fail_on, bulk, quiet, as_if,
            registries=(), no_assume=(), as_of=None, max_candidates=MAX_CANDIDATES,
            engine_path=None, verbose=False):
    """``perbup audit`` (its help text is ``help.audit`` in the i18n catalogue).

    One path for every input: :mod:`perbup_rules.bulk.choose` reads the data and judges it per
    record or column-wise, whichever is faster, with the same report (``--bulk`` is accepted and
    changes nothing; ``--engine-path`` or ``$PERBUP_ENGINE_PATH`` forces a way, for tests).
    """
    # This process is ours: an audit builds many objects and frees few, so Python's cyclic
    # collector would only re-walk them (about 2 s at a million purchases). The library itself
    # never touches the collector.
    gc.disable()
    import perbup_rules as pr
    from ..bulk import choose

    rules = rules or pr.BUNDLED_RULES
    sources = list(data) or [pr.EXAMPLE_DATA]
    from ..assumptions import off_set

    off_set(no_assume)  # an unknown id is refused before any data is read
    as_of = as_of.date() if as_of is not None else None  # the audit date (perbup_rules.duties)
    path = choose.asked(engine_path)
    progress = _progress(quiet)
    if progress is not None:
        progress.start()
    try:
        task = progress.add_task("loading", total=len(sources) + 1) if progress else None
        ruleset = pr.load_ruleset(rules)
        if progress:
            progress.advance(task)
        if progress:
            progress.update(task, description="loading data")
        # Every --data is read with its own kind and linked with the others as one (importers.link);
        # one large canonical folder is read by DuckDB's CSV reader instead (the same records).
        inp = choose.read(sources, kind, path)
        try:
            if progress:
                progress.advance(task, len(sources))
            # No data is no audit: exit 2 before any report, so --fail-on never passes on nothing.
            inp.require_purchases(str(sources[0]) if len(sources) == 1 else None)
            if registries:
                from .registry_cli import apply_and_report
                apply_and_report(inp.dataset, registries, output, quiet)
            # What was bought: the regulation's categories.yaml fills `category` where the source gave none.
            categorized = choose.categorize(inp, ruleset)
            if not quiet and output is not None and (categorized.found or categorized.ambiguous):
                click.echo(t("cli.audit.categories_from", line=_categories_line(categorized)), err=True)  # beside the "wrote" line
            tracer = None
            if progress:
                judged = [c["id"] for c in ruleset.clauses if c["kind"] != "classify"]
                etask = progress.add_task(t("cli.audit.evaluating", clause=""), total=len(judged))
                seen: set[str] = set()

                def tracer(clause_id, decision, rows, labels):
                    if clause_id in judged and clause_id not in seen and decision in ("verdict",):
                        seen.add(clause_id)
                        progress.update(etask, advance=1, description=t("cli.audit.evaluating", clause=clause_id))
            report = choose.judge(ruleset, inp, engine, periods=list(periods) or None, stage=stage,
                                  as_if_in_force=as_if, all_findings=all_findings, path=path, tracer=tracer,
                                  no_assume=list(no_assume), as_of=as_of, max_candidates=max_candidates,
                                  list_limit=_shown_per_section(fmt))
        finally:
            inp.close()
    finally:
        if progress:
            progress.stop()
    if verbose and not quiet:  # which way was taken (never part of the report)
        click.echo(t("cli.audit.path", path=inp.path, why=inp.why), err=True)
    _write(report, fmt, all_findings, output, quiet, fail_on)


def _shown_per_section(fmt: str) -> int | None:
    """How many findings per clause and status the format lists without ``--all`` (None: all of
    them): the report need list no more (perbup_rules.listing)."""
    from ..report import CAPPED_FORMATS
    from ..report._view import ROW_CAP

    return ROW_CAP if fmt in CAPPED_FORMATS else None


def _write(report, fmt, all_findings, output, quiet, fail_on) -> None:
    from ..report.stream import pieces as report_pieces

    # JSON and CSV are written in batches of findings (the same bytes as render(): tests/test_report_stream.py)
    # a long report's later findings are encoded by forked helpers into files beside it (report.parallel)
    # (to a file: the helpers' text as the bytes they wrote, the rest encoded here)
    pieces = report_pieces(report, fmt, all_findings=all_findings,
                           spill_dir=str(output.parent) if output is not None else None, raw=output is not None)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        with replacing(output) as fh:  # the old report stays whole until the new one is
            for piece in pieces:
                fh.write(piece if type(piece) is bytes else piece.encode("utf-8"))
        if not quiet:
            click.echo(t("cli.audit.wrote", output=output, fmt=fmt, summary=_one_line(report)), err=True)
    else:
        for piece in pieces:
            click.echo(piece, nl=False)
    if fail_on is not None:
        worst = {"violation": ("violation",), "cannot_determine": ("violation", "cannot_determine")}[fail_on]
        if any(report.totals()[s] for s in worst):  # listed and counted (perbup_rules.listing)
            raise Finished(EXIT_FOUND)
    raise Finished(EXIT_OK)


def _categories_line(categorized) -> str:
    found = ", ".join(f"{k} {n}" for k, n in sorted(categorized.found.items()))
    return (f"categories.yaml: {found or 'none'}; {len(categorized.ambiguous)} ambiguous, "
            f"{categorized.unmatched} unmatched, {categorized.kept} given by the source")


def _one_line(report) -> str:
    from ..report._view import rejected_line

    counts = report.totals()
    line = t("cli.audit.one_line", required=len(report.required_partnerships),
             **{s: counts.get(s, 0) for s in ("violation", "cannot_determine", "compliant", "not_applicable")})
    rejected = rejected_line(report)
    return line + (t("cli.audit.rejected", text=pick(rejected)) if rejected else "")
