"""Plain-text lines about what was read: per file (kind, why, counts) and the measured link rates.

``perbup import`` prints them after the per-table counts; they are plain lines so any
front end (the report, a notebook) can show the same.
"""

from __future__ import annotations

from pathlib import Path

from ..records import Dataset

#: How many unlinked rows a link-rate line names before "and N more".
SHOW_UNLINKED = 3


def file_lines(ds: Dataset) -> list[str]:
    """One line per input file: name, kind, read = accepted + rejected, and why the kind was assumed."""
    if not any(s.read is not None for s in ds.sources):
        return []
    width = max(len(Path(s.path).name) for s in ds.sources)
    lines = [f"{'file':<{width}}  {'kind':<36}{'read':>8}{'accepted':>10}{'rejected':>10}"]
    for s in ds.sources:
        counts = f"{s.read:>8}{s.accepted:>10}{s.rejected:>10}" if s.read is not None else f"{'-':>8}{'-':>10}{'-':>10}"
        lines.append(f"{Path(s.path).name:<{width}}  {s.kind:<36}{counts}")
        if s.detected:
            lines.append(f"{'':<{width}}    detected: {s.detected}")
    return lines


def link_lines(ds: Dataset) -> list[str]:
    """One line per measured link: source -> target by key, linked of total, and the first rows that did not link."""
    if not ds.link_rates:
        return []
    lines = ["links (source -> target by key: linked/total):"]
    for r in ds.link_rates:
        pct = f"{100 * r.linked / r.total:.1f}%" if r.total else "-"
        line = f"  {r.source} -> {r.target} by {r.key}: {r.linked}/{r.total} ({pct})"
        if r.unlinked:
            shown = ", ".join(f"{Path(f).name}:{row}" for f, row in r.unlinked[:SHOW_UNLINKED])
            more = f" and {len(r.unlinked) - SHOW_UNLINKED} more" if len(r.unlinked) > SHOW_UNLINKED else ""
            line += f"; not linked: {shown}{more}"
        lines.append(line)
    return lines
