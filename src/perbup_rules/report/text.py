"""The terminal summary: counts per clause and status, required partnerships, the top violations."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table

from ..findings import STATUS_ORDER, Report, Status
from ._format import DASH, STAGE_LABELS, figures, grouped, status_label
from ._view import (clause_views, coverage_value, coverage_line, coverage_rows, link_percent, link_rates, name_of, rejected_line,
                    top_violations)

WIDTH = 100
TOP = 10
#: coverage rows per buyer, period and stage shown on the terminal (the other formats have them all)
COVERAGE_ROWS = 10
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


def _coverage_tables(report: Report) -> list[Table]:
    cov = report.coverage
    if cov is None or not cov.rows:
        return []
    t = Table(title="Coverage by channel (accepted purchases)", box=box.SIMPLE_HEAD, title_justify="left",
              pad_edge=False)
    for col in ("Channel", "Count", "Value", "No value"):
        t.add_column(col, justify="left" if col == "Channel" else "right")
    for channel, (n, value, missing) in cov.totals.items():
        t.add_row(channel, grouped(n), coverage_value(n, value, missing), grouped(missing))
    for channel in cov.absent:
        t.add_row(channel, "0", DASH, DASH)
    rows = coverage_rows(report)
    shown = rows[:COVERAGE_ROWS]
    more = f" (first {len(shown)} of {len(rows)}; all in md, html, json)" if len(rows) > len(shown) else ""
    b = Table(title=f"Coverage per buyer and year{more}", box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    widths = {"Year": 4, "Stage": 8, "Channel": 12, "Count": 5, "No value": 8}
    for col in ("Buyer", "Year", "Stage", "Channel", "Count", "Value", "No value"):
        b.add_column(col, justify="right" if col in ("Count", "Value", "No value") else "left",
                     no_wrap=True, min_width=widths.get(col))
    for r in shown:
        b.add_row(_cut(name_of(report, r.buyer) or DASH, 22), DASH if r.period is None else str(r.period),
                  r.stage or DASH, r.channel, grouped(r.count), coverage_value(r.count, r.value_idr, r.value_missing),
                  grouped(r.value_missing))
    return [t, b]


def _links_table(report: Report) -> Table | None:
    rates = link_rates(report)
    if not rates:
        return None
    t = Table(title="Links between sources", box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for col in ("Source", "Target", "Key", "Linked", "Total", "Rate", "Unlinked"):
        t.add_column(col, justify="left" if col in ("Source", "Target", "Key") else "right",
                     overflow="fold", no_wrap=col not in ("Source", "Target", "Key"))
    for r in rates:
        t.add_row(r["source"], r["target"], r["key"], grouped(r["linked"]), grouped(r["total"]), link_percent(r),
                  grouped(len(r["unlinked"])))
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
    for line in (coverage_line(report), rejected_line(report)):
        if line is not None:
            console.print(line.en, soft_wrap=True)
    for r in report.registries:
        console.print(f"Registry {r['path']} ({r['layout']}): {r['read']} rows; {r['key']} by key, "
                      f"{r['exact_name']} exact name, {r['fuzzy']} fuzzy, {r['ambiguous']} ambiguous, "
                      f"{r['unmatched']} unmatched, {r['rejected']} rejected; {r['fields_filled']} fields filled, "
                      f"{r['conflicts']} conflicts (match report: <report>.matches.csv)", soft_wrap=True)
    top = _top_table(report, views)
    if top is not None:
        console.print()
        console.print(top)
    for table in [*_coverage_tables(report), _links_table(report)]:
        if table is not None:
            console.print()
            console.print(table)
    # rich pads table cells to the full width: drop that trailing space
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"
