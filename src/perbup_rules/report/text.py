"""The terminal summary: counts per clause and status, required partnerships, the top violations."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table

from ..findings import STATUS_ORDER, Report, Status
from ..i18n import pick, t
from ._format import DASH, STAGE_LABELS, figures, grouped, status_label
from ._view import (clause_views, coverage_value, coverage_line, coverage_rows, link_percent, link_rates, name_of, rejected_line,
                    top_violations)

WIDTH = 100
TOP = 10
#: coverage rows per buyer, period and stage shown on the terminal (the other formats have them all)
COVERAGE_ROWS = 10
TITLE = 50



def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _summary_table(report: Report, views: list) -> Table:
    tab = Table(title=t("report.summary_title"), box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    tab.add_column(t("report.col.clause"), no_wrap=True)
    tab.add_column(t("report.col.title"), max_width=TITLE)
    for s in STATUS_ORDER:
        tab.add_column(t(f"report.short.{s.value}"), justify="right")
    tab.add_column(t("report.col.required"), justify="right")
    for v in views:
        if v.not_evaluated:  # no record lets it apply: say so, and show no zeros
            counts = [str(v.count(s)) if v.total else DASH for s in STATUS_ORDER]
            tab.add_row(v.id, _cut(v.not_evaluated, TITLE), *counts, str(len(v.required)))
            continue
        tab.add_row(v.id, _cut(pick(v.title), TITLE), *(str(v.count(s)) for s in STATUS_ORDER), str(len(v.required)))
    return tab


def _top_table(report: Report, views: list) -> Table | None:
    top = top_violations(report, TOP)
    if not top:
        return None
    n = report.totals()[Status.VIOLATION.value]  # listed and counted (perbup_rules.listing)
    units = {v.id: v.unit for v in views}
    tab = Table(title=t("report.top_title", shown=len(top), total=n), box=box.SIMPLE_HEAD, title_justify="left",
                pad_edge=False)
    for col in ("clause", "subject", "period", "stage_category", "measured", "threshold"):
        tab.add_column(t(f"report.col.{col}"), justify="right" if col in ("measured", "threshold") else "left",
                       no_wrap=col != "subject", max_width=40 if col == "subject" else None)
    for f in top:
        m, th = figures(f.measured, f.threshold, units.get(f.clause))
        subject = name_of(report, f.subject) or DASH
        stage = pick(STAGE_LABELS[f.stage]) if f.stage in STAGE_LABELS else (f.stage or f.category or DASH)
        tab.add_row(f.clause, _cut(subject, 40), DASH if f.period is None else str(f.period), stage, m, th)
    return tab


def _coverage_tables(report: Report) -> list[Table]:
    cov = report.coverage
    if cov is None or not cov.rows:
        return []
    tab = Table(title=t("report.coverage_title"), box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for col in ("channel", "count", "value", "no_value"):
        tab.add_column(t(f"report.col.{col}"), justify="left" if col == "channel" else "right")
    for channel, (n, value, missing) in cov.totals.items():
        tab.add_row(channel, grouped(n), coverage_value(n, value, missing), grouped(missing))
    for channel in cov.absent:
        tab.add_row(channel, "0", DASH, DASH)
    rows = coverage_rows(report)
    shown = rows[:COVERAGE_ROWS]
    more = t("report.coverage_more", shown=len(shown), total=len(rows)) if len(rows) > len(shown) else ""
    b = Table(title=t("report.coverage_buyer_title", more=more), box=box.SIMPLE_HEAD, title_justify="left",
              pad_edge=False)
    widths = {"year": 4, "stage": 8, "channel": 12, "count": 5, "no_value": 8}
    for col in ("buyer", "year", "stage", "channel", "count", "value", "no_value"):
        b.add_column(t(f"report.col.{col}"), justify="right" if col in ("count", "value", "no_value") else "left",
                     no_wrap=True, min_width=widths.get(col))
    for r in shown:
        b.add_row(_cut(name_of(report, r.buyer) or DASH, 22), DASH if r.period is None else str(r.period),
                  r.stage or DASH, r.channel, grouped(r.count), coverage_value(r.count, r.value_idr, r.value_missing),
                  grouped(r.value_missing))
    return [tab, b]


def _links_table(report: Report) -> Table | None:
    rates = link_rates(report)
    if not rates:
        return None
    tab = Table(title=t("report.links_title"), box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for col in ("source", "target", "key", "linked", "total", "rate", "unlinked"):
        tab.add_column(t(f"report.col.{col}"), justify="left" if col in ("source", "target", "key") else "right",
                       overflow="fold", no_wrap=col not in ("source", "target", "key"))
    for r in rates:
        tab.add_row(r["source"], r["target"], r["key"], grouped(r["linked"]), grouped(r["total"]), link_percent(r),
                  grouped(len(r["unlinked"])))
    return tab


def render(report: Report, *, all_findings: bool = False) -> str:
    """A plain-text summary 100 columns wide, without colour codes (``all_findings`` has no effect)."""
    buf = io.StringIO()
    console = Console(file=buf, width=WIDTH, color_system=None, force_terminal=False, highlight=False,
                      emoji=False, markup=False, legacy_windows=False)
    reg = report.regulation
    title = pick(reg.get("title") or {}) or reg.get("id", "")
    console.print(title, soft_wrap=True)
    console.print(f"{reg.get('id', '')} {reg.get('version', '')} ({reg.get('status', '')})", soft_wrap=True)
    console.print(str(reg.get("fingerprint", "")), soft_wrap=True)
    console.print()
    views = clause_views(report)
    console.print(_summary_table(report, views))
    counts = report.totals()
    totals = ", ".join(f"{pick(status_label(s)).lower()} {counts[s.value]}" for s in STATUS_ORDER)
    console.print(t("report.findings", totals=totals), soft_wrap=True)
    console.print(t("report.required_rejected", required=len(report.required_partnerships),
                    rejected=len(report.rejected)), soft_wrap=True)
    for line in (coverage_line(report), rejected_line(report)):
        if line is not None:
            console.print(pick(line), soft_wrap=True)
    for r in report.registries:
        console.print(t("report.registry", **{k: r[k] for k in ("path", "layout", "read", "key", "exact_name", "fuzzy",
                                                               "ambiguous", "unmatched", "rejected", "fields_filled",
                                                               "conflicts")}), soft_wrap=True)
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
