"""``perbup import``: convert an export (SiRUP, SPSE, OCDS, canonical) into the canonical CSV folder."""

from __future__ import annotations

from pathlib import Path

import click

from ..importers import KINDS, load, write_dataset, write_rejections
from ..importers.summary import file_lines, link_lines
from ..nodata import reason_pattern, require_purchases, top_reasons
from ..records import TABLES, Dataset
from ..i18n import t
from ._common import handle_errors, existing

__all__ = ["TOP_REASONS", "command", "reason_pattern", "summary"]

#: How many rejection reasons the summary lists.
TOP_REASONS = 10


def summary(ds: Dataset, top: int = TOP_REASONS) -> list[str]:
    """Lines of the per-table counts and the most common rejection reasons."""
    lines = [f"{t('cli.import.col.table'):<14}{t('cli.import.col.read'):>10}{t('cli.import.col.accepted'):>10}"
             f"{t('cli.import.col.rejected'):>10}"]
    for table in TABLES:
        if table == "reports" and not ds.reports_read:
            continue  # an optional table the input did not give
        s = ds.stats[table]
        lines.append(f"{table:<14}{s.read:>10}{s.accepted:>10}{s.rejected:>10}")
    for s in ds.sources:
        # which number convention each money column was read by (docs/importers.md, "Numbers")
        lines.extend(t("cli.import.numbers", file=Path(s.path).name, column=col, why=why) for col, why in s.numbers)
    if ds.rejected:
        lines.append(t("cli.import.top_reasons"))
        lines.extend(f"{n:>8}  {pattern}" for pattern, n in top_reasons(ds.rejected, top))
    return lines


@click.command("import", help=t("help.import"))
@click.option("--from", "kind", type=click.Choice(KINDS), default="auto", show_default=True, help=t("help.import.from"))
@click.argument("src", type=click.Path(path_type=Path), callback=existing())
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help=t("help.import.output"))
@click.option("--registry", "registries", multiple=True, type=click.Path(path_type=Path),
              help=t("help.import.registry"))
@handle_errors
def command(kind: str, src: Path, out: Path, registries=()) -> None:
    """``perbup import`` (its help text is ``help.import`` in the i18n catalogue)."""
    # Unreadable input raises DataError: handle_errors shows every located problem with its
    # hint, exactly as `perbup audit` does for the same input.
    ds = load(src, kind)
    if not ds.purchases:
        # No data is no audit: the rejections are still written, to read why; nothing else is.
        written = []
        if ds.rejected:
            out.mkdir(parents=True, exist_ok=True)
            written.append(write_rejections(ds.rejected, out / "rejected.csv"))
        _echo_summary(ds, written)
        require_purchases(ds, str(src))
    if registries:
        from .registry_cli import apply_and_report
        apply_and_report(ds, registries, out / "matches.csv", quiet=False, exact_path=True)
    written = write_dataset(ds, out)
    written.append(write_rejections(ds.rejected, out / "rejected.csv"))
    _echo_summary(ds, written)


def _echo_summary(ds: Dataset, written: list) -> None:
    used = ", ".join(f"{Path(s.path).name} ({s.kind})" for s in ds.sources)
    # (a canonical folder has up to four tables: parties, purchases, partnerships, reports)
    click.echo(t("cli.import.read", used=used) if len(ds.sources) <= 4 else t("cli.import.read_many", count=len(ds.sources)))
    for line in summary(ds):
        click.echo(line)
    for line in file_lines(ds) + link_lines(ds):
        click.echo(line)
    if written:
        click.echo(t("cli.import.wrote", paths=", ".join(str(p) for p in written)))
