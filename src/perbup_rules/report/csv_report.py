"""The CSV report: one row per finding, UTF-8 without BOM, decimal strings exactly as decided."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

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
    return _row(names(report), f)


def rows(report: Report, findings: Iterable[Finding]) -> Iterator[list[str]]:
    """:func:`row` of each finding (the report's names looked up once)."""
    nm = names(report)
    return (_row(nm, f) for f in findings)


def _row(nm: dict[str, str], f: Finding) -> list[str]:
    subject, channels, expl = f.subject, f.channels, f.explanation
    e_id, e_en = expl.texts()  # made for this row, not kept by the finding
    return [
        f.clause,
        f.citation,
        "" if subject is None else str(subject),
        _text(nm.get(subject, "")) if subject is not None else "",
        _cell(f.period),
        _cell(f.stage),
        _cell(f.category),
        f.status.value,
        _cell(f.measured),
        _cell(f.threshold),
        _cell(f.exception),
        ";".join(f.missing),
        ";".join(f.evidence),
        "'" + e_id if e_id.startswith(_FORMULA_START) else e_id,
        "'" + e_en if e_en.startswith(_FORMULA_START) else e_en,
        "" if channels is None else ";".join(channels),
    ]


def render(report: Report, *, all_findings: bool = False) -> str:
    """Every finding (``all_findings`` has no effect), sorted by clause, period, stage, category, subject."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(report, sorted(report.findings, key=Finding.sort_key)))
    return buf.getvalue()
