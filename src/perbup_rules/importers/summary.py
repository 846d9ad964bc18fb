"""Plain-text lines about what was read: per file (kind, why, counts) and the measured link rates.

``perbup import`` prints them after the per-table counts; they are plain lines so any
front end (the report, a notebook) can show the same.
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import t
from ..records import Dataset

#: How many unlinked rows a link-rate line names before "and N more".
SHOW_UNLINKED = 3


def file_lines(ds: Dataset) -> list[str]:
    """One line per input file: name, kind, read = accepted + rejected, and why the kind was assumed."""
    if not any(s.read is not None for s in ds.sources):
        return []
    width = max(len(Path(s.path).name) for s in ds.sources)
    lines = [f"{t('cli.import.col.file'):<{width}}  {t('cli.import.col.kind'):<36}{t('cli.import.col.read'):>8}"
             f"{t('cli.import.col.accepted'):>10}{t('cli.import.col.rejected'):>10}"]
    for s in ds.sources:
        counts = f"{s.read:>8}{s.accepted:>10}{s.rejected:>10}" if s.read is not None else f"{'-':>8}{'-':>10}{'-':>10}"
        lines.append(f"{Path(s.path).name:<{width}}  {s.kind:<36}{counts}")
        if s.detected:
            lines.append(f"{'':<{width}}    " + t("cli.import.detected", how=s.detected))
    return lines


def link_lines(ds: Dataset) -> list[str]:
    """One line per measured link: source -> target by key, linked of total, and the first rows that did not link."""
    if not ds.link_rates:
        return []
    lines = [t("cli.import.links")]
    for r in ds.link_rates:
        pct = f"{100 * r.linked / r.total:.1f}%" if r.total else "-"
        line = "  " + t("cli.import.link", source=r.source, target=r.target, key=r.key, linked=r.linked, total=r.total, pct=pct)
        if r.unlinked:
            shown = ", ".join(f"{Path(f).name}:{row}" for f, row in r.unlinked[:SHOW_UNLINKED])
            more = t("cli.import.and_more", count=len(r.unlinked) - SHOW_UNLINKED) if len(r.unlinked) > SHOW_UNLINKED else ""
            line += t("cli.import.not_linked", shown=shown, more=more)
        lines.append(line)
    return lines
