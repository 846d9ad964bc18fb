"""The CSV report: one row per finding, UTF-8 without BOM, decimal strings exactly as decided."""

from __future__ import annotations

import csv
import io

from ..findings import Finding, Report
from ._view import names

COLUMNS = (
    "clause",
    "citation",
    "subject",
    "subject_name",
    "period",
    "stage",
    "category",
    "status",
    "measured",
    "threshold",
    "exception",
    "missing",
    "evidence",
    "explanation_id",
    "explanation_en",
    "channels",
)


#: a spreadsheet runs a cell starting with one of these as a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _text(value: str) -> str:
    """Free text (names, explanations) defused against spreadsheet formula injection."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def row(report: Report, f: Finding) -> list[str]:
    """The CSV cells of one finding, in :data:`COLUMNS` order."""
    return [
        f.clause,
        f.citation,
        _cell(f.subject),
        _text(names(report).get(f.subject, "")) if f.subject is not None else "",
        _cell(f.period),
        _cell(f.stage),
        _cell(f.category),
        f.status.value,
        _cell(f.measured),
        _cell(f.threshold),
        _cell(f.exception),
        ";".join(f.missing),
        ";".join(f.evidence),
        _text(f.explanation.id),
        _text(f.explanation.en),
        "" if f.channels is None else ";".join(f.channels),
    ]


def render(report: Report, *, all_findings: bool = False) -> str:
    """Every finding (``all_findings`` has no effect), sorted by clause, period, stage, category, subject."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in sorted(report.findings, key=Finding.sort_key):
        writer.writerow(row(report, f))
    return buf.getvalue()
