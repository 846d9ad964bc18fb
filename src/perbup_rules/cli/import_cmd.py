"""``perbup import``: convert an export (SiRUP, SPSE, OCDS, canonical) into the canonical CSV folder."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import click

from ..errors import DataError
from ..importers import KINDS, load, write_dataset, write_rejections
from ..records import TABLES, Dataset, Rejection
from ._common import fail, handle_errors

#: How many rejection reasons the summary lists.
TOP_REASONS = 10

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def reason_pattern(r: Rejection) -> str:
    """A rejection reason with its particular values blanked, so alike rejections group together."""
    reason = r.reason
    if r.column and reason.startswith(f"{r.column}: "):
        reason = reason[len(r.column) + 2 :]  # the column is named once, before the reason
    text = _NUMBER.sub("N", _QUOTED.sub("'…'", reason))
    return f"{r.code}  {r.table}.{r.column or '-'}: {text}"


def summary(ds: Dataset, top: int = TOP_REASONS) -> list[str]:
    """Lines of the per-table counts and the most common rejection reasons."""
    lines = [f"{'table':<14}{'read':>10}{'accepted':>10}{'rejected':>10}"]
    for t in TABLES:
        s = ds.stats[t]
        lines.append(f"{t:<14}{s.read:>10}{s.accepted:>10}{s.rejected:>10}")
    for s in ds.sources:
        # which number convention each money column was read by (docs/importers.md, "Numbers")
        lines.extend(f"numbers: {Path(s.path).name} {col}: {why}" for col, why in s.numbers)
    if ds.rejected:
        counts = Counter(reason_pattern(r) for r in ds.rejected)
        lines.append("top rejection reasons:")
        lines.extend(f"{n:>8}  {pattern}" for pattern, n in counts.most_common(top))
    return lines


@click.command("import")
@click.option("--from", "kind", type=click.Choice(KINDS), default="auto", show_default=True, help="Kind of input.")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the canonical CSVs.")
@handle_errors
def command(kind: str, src: Path, out: Path) -> None:
    """Import SRC into the canonical dataset folder OUT (parties.csv, purchases.csv, partnerships.csv).

    Rows that cannot be used are listed in OUT/rejected.csv with file, row and reason.
    """
    try:
        ds = load(src, kind)
    except DataError as err:
        # One located line on stderr: the first problem, and how many more there are.
        first = err.diagnostics[0].render().splitlines()[0] if err.diagnostics else str(err)
        more = f" (and {len(err.diagnostics) - 1} more)" if len(err.diagnostics) > 1 else ""
        fail(f"perbup: {first}{more}")
    written = write_dataset(ds, out)
    written.append(write_rejections(ds.rejected, out / "rejected.csv"))
    used = ", ".join(f"{Path(s.path).name} ({s.kind})" for s in ds.sources)
    click.echo(f"read {used}")
    for line in summary(ds):
        click.echo(line)
    click.echo(f"wrote {', '.join(str(p) for p in written)}")
