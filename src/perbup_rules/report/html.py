"""The HTML report: one self-contained file (inline CSS and SVG, no network), from a Jinja2 template."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..findings import SCHEMA_VERSION, STATUS_ORDER, Finding, Report, Status, Text
from ._format import DASH, KIND_LABELS, SEVERITY_LABELS, STAGE_LABELS, figures, grouped, status_label
from ._view import (COVERAGE_CAP, ClauseView, cap, channels_text, clause_views, coverage_line, coverage_rows, coverage_value,
                    input_rows, link_percent, link_rates, name_of, not_evaluated_text, rejected_line, sorted_rejected,
                    sorted_required)
from .chart import share_chart

TEMPLATES = Path(__file__).parent / "templates"
#: evidence ids shown per finding (the JSON and CSV have them all)
EVIDENCE_SHOWN = 5

#: the page's only script: open every <details> before printing, so clause texts print too
PRINT_SCRIPT = (
    'addEventListener("beforeprint",function(){'
    'document.querySelectorAll("details").forEach(function(d){d.open=true;});});'
)
#: the Content-Security-Policy allows that script and nothing else (no network, no injected script)
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(PRINT_SCRIPT.encode()).digest()).decode()


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["grouped"] = lambda v: DASH if v is None else grouped(v)
    return env


def _finding_row(report: Report, v: ClauseView, f: Finding) -> dict[str, Any]:
    m, t = figures(f.measured, f.threshold, v.unit)
    name = name_of(report, f.subject)
    return {
        "subject": f.subject or DASH,
        "name": name if name != f.subject else "",
        "period": DASH if f.period is None else str(f.period),
        "stage": STAGE_LABELS[f.stage] if f.stage in STAGE_LABELS else Text(f.stage or DASH, ""),
        "category": f.category or "",
        "measured": m if f.measured is not None else DASH,
        "threshold": t if f.threshold is not None else DASH,
        "exception": f.exception or "",
        "missing": list(f.missing),
        "assumptions": list(f.assumptions),
        "evidence": list(f.evidence[:EVIDENCE_SHOWN]),
        "evidence_more": max(0, (len(f.evidence) if f.evidence_count is None else f.evidence_count) - EVIDENCE_SHOWN),
        "explanation": f.explanation,
        "status": f.status.value,
        "channels": channels_text(f),
    }


def _clause(report: Report, v: ClauseView, all_findings: bool) -> dict[str, Any]:
    blocks = []
    listed = STATUS_ORDER if all_findings else (Status.VIOLATION, Status.CANNOT_DETERMINE)
    for s in listed:
        items = v.findings.get(s, [])
        shown, more = cap(items, all_findings, total=v.count(s))  # the first listed, the rest counted
        blocks.append({
            "has_category": any(f.category for f in shown),
            "has_stage": any(f.stage for f in shown),
            "status": s.value,
            "label": status_label(s),
            "total": v.count(s),
            "rows": [_finding_row(report, v, f) for f in shown],
            "more": more,
        })
    kind = KIND_LABELS.get(v.kind)
    sev = SEVERITY_LABELS.get(v.severity)
    return {
        "id": v.id,
        "anchor": "clause-" + v.id.lower(),
        "title": v.title,
        "citation": v.citation,
        "kind": v.kind,
        "kind_label": f"{kind.id} ({kind.en})" if kind else v.kind,
        "severity": v.severity,
        "severity_label": f"{sev.id} ({sev.en})" if sev else v.severity,
        "text": v.text,
        "derived_from": v.derived_from,
        "location": v.location,
        "counts": [{"status": s.value, "label": status_label(s), "n": v.count(s)} for s in STATUS_ORDER],
        # "not evaluated: no record has category" in place of the counts (perbup_rules.not_evaluated)
        "not_evaluated": not_evaluated_text(report, v.id) if v.not_evaluated else None,
        "total": v.total,
        "required": len(v.required),
        "chart": share_chart(report, v, all_findings) if v.kind == "share" else None,
        "blocks": blocks,
        "unlisted": [] if all_findings else [
            {"status": s.value, "label": status_label(s), "n": v.count(s)}
            for s in (Status.COMPLIANT, Status.NOT_APPLICABLE)
        ],
    }


def _required(report: Report) -> list[dict[str, Any]]:
    out = []
    for r in sorted_required(report):
        party = name_of(report, r.party)
        out.append({
            "party": r.party,
            "party_name": party if party != r.party else "",
            "clause": r.clause,
            "period": DASH if r.period is None else str(r.period),
            "category": r.category or DASH,
            "purchase": r.purchase or DASH,
            "candidates": [{"id": c, "name": name_of(report, c) if name_of(report, c) != c else ""} for c in r.candidates],
            "candidate_count": r.count,
            "candidates_more": r.count - len(r.candidates),
        })
    return out


def _coverage(report: Report, all_findings: bool) -> dict[str, Any] | None:
    cov = report.coverage
    if cov is None or not cov.rows:
        return None
    rows = coverage_rows(report)
    shown, more = cap(rows, all_findings, COVERAGE_CAP)
    return {
        "totals": [{"channel": c, "count": grouped(n), "value": coverage_value(n, v, m), "missing": grouped(m)}
                   for c, (n, v, m) in cov.totals.items()],
        "absent": list(cov.absent),
        "rows": [{"buyer": r.buyer or DASH, "name": name_of(report, r.buyer) if name_of(report, r.buyer) != r.buyer else "",
                  "period": DASH if r.period is None else str(r.period),
                  "stage": STAGE_LABELS[r.stage] if r.stage in STAGE_LABELS else Text(r.stage or DASH, ""),
                  "channel": r.channel, "count": grouped(r.count),
                  "value": coverage_value(r.count, r.value_idr, r.value_missing),
                  "missing": grouped(r.value_missing)} for r in shown],
        "total_rows": len(rows),
        "more": more,
    }


def _links(report: Report) -> list[dict[str, Any]]:
    return [{**r, "rate": link_percent(r), "n_unlinked": len(r["unlinked"])} for r in link_rates(report)]


def context(report: Report, all_findings: bool = False) -> dict[str, Any]:
    """Everything the template shows, already sorted and formatted."""
    reg = report.regulation
    title = reg.get("title") or {}
    views = clause_views(report)
    rejected = sorted_rejected(report)
    shown_rejected, more_rejected = cap(rejected, all_findings)
    totals = report.totals()
    return {
        "reg": {
            "id": reg.get("id", ""),
            "title_id": title.get("id") or reg.get("id", ""),
            "title_en": title.get("en") or "",
            "version": reg.get("version") or DASH,
            "status": reg.get("status") or DASH,
            "fingerprint": reg.get("fingerprint") or DASH,
        },
        "engine": report.engine,
        "as_of": report.as_of,
        "schema_version": SCHEMA_VERSION,
        "sources": sorted(report.sources, key=lambda s: (s.get("path", ""), s.get("kind", ""))),
        "sources_counted": any("read" in s for s in report.sources),  # per-file counts (LKPP ISB importers)
        "inputs": input_rows(report),
        "registries": report.registries,
        "assumptions": report.assumptions,
        "statuses": [{"status": s.value, "label": status_label(s), "n": totals[s.value]} for s in STATUS_ORDER],
        "clauses": [_clause(report, v, all_findings) for v in views],
        "required": _required(report),
        "rejected": shown_rejected,
        "rejected_total": len(rejected),
        "rejected_more": more_rejected,
        "all_findings": all_findings,
        "coverage": _coverage(report, all_findings),
        "coverage_line": coverage_line(report),
        "rejected_line": rejected_line(report),
        "links": _links(report),
        "print_script": Markup(PRINT_SCRIPT),
        "script_hash": SCRIPT_HASH,
    }


def render(report: Report, *, all_findings: bool = False) -> str:
    """The report as one self-contained HTML page; ``all_findings`` lists every finding, uncapped."""
    return _env().get_template("report.html.j2").render(**context(report, all_findings))
