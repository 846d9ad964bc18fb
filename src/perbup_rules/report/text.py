"""The terminal summary: counts per clause and status, required partnerships, the top violations."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table

from ..findings import STATUS_ORDER, Report, Status
from ._format import DASH, STAGE_LABELS, figures, status_label
from ._view import clause_views, name_of, top_violations

WIDTH = 100
TOP = 10
TITLE = 50
_SHORT = {Status.VIOLATION: "Viol.", Status.CANNOT_DETERMINE: "Undet.", Status.COMPLIANT: "OK", Status.NOT_APPLICABLE: "N/A"}


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _summary_table(report: Report, views: list) -> Table:
    t = Table(title="Summary per clause", box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    t.add_column("Clause", no_wrap=True)
    t.add_column("Title", max_width=TITLE)
    for s in STATUS_ORDER:
        t.add_column(_SHORT[s], justify="right")
    t.add_column("Req. partn.", justify="right")
    for v in views:
        if v.not_evaluated:  # no record lets it apply: say so, and show no zeros
            counts = [str(v.count(s)) if v.total else DASH for s in STATUS_ORDER]
            t.add_row(v.id, _cut(v.not_evaluated, TITLE), *counts, str(len(v.required)))
            continue
        t.add_row(v.id, _cut(v.title.en, TITLE), *(str(v.count(s)) for s in STATUS_ORDER), str(len(v.required)))
    return t


def _top_table(report: Report, views: list) -> Table | None:
    top = top_violations(report, TOP)
    if not top:
        return None
    n = len(report.by_status(Status.VIOLATION))
    units = {v.id: v.unit for v in views}
    t = Table(title=f"Top {len(top)} of {n} violations", box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for col in ("Clause", "Subject", "Period", "Stage/category", "Measured", "Threshold"):
        t.add_column(col, justify="right" if col in ("Measured", "Threshold") else "left",
                     no_wrap=col != "Subject", max_width=40 if col == "Subject" else None)
    for f in top:
        m, th = figures(f.measured, f.threshold, units.get(f.clause))
        subject = name_of(report, f.subject) or DASH
        stage = STAGE_LABELS[f.stage].en if f.stage in STAGE_LABELS else (f.stage or f.category or DASH)
        t.add_row(f.clause, _cut(subject, 40), DASH if f.period is None else str(f.period), stage, m, th)
    return t


def render(report: Report, *, all_findings: bool = False) -> str:
    """A plain-text summary 100 columns wide, without colour codes (``all_findings`` has no effect)."""
    buf = io.StringIO()
    console = Console(file=buf, width=WIDTH, color_system=None, force_terminal=False, highlight=False,
                      emoji=False, markup=False, legacy_windows=False)
    reg = report.regulation
    title = (reg.get("title") or {}).get("en") or reg.get("id", "")
    console.print(title, soft_wrap=True)
    console.print(f"{reg.get('id', '')} {reg.get('version', '')} ({reg.get('status', '')})", soft_wrap=True)
    console.print(str(reg.get("fingerprint", "")), soft_wrap=True)
    console.print()
    views = clause_views(report)
    console.print(_summary_table(report, views))
    counts = report.totals()
    totals = ", ".join(f"{status_label(s).en.lower()} {counts[s.value]}" for s in STATUS_ORDER)
    console.print(f"Findings: {totals}", soft_wrap=True)
    console.print(f"Required partnerships: {len(report.required_partnerships)}; "
                  f"rejected input rows: {len(report.rejected)}", soft_wrap=True)
    top = _top_table(report, views)
    if top is not None:
        console.print()
        console.print(top)
    # rich pads table cells to the full width: drop that trailing space
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"
