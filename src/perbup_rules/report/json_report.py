"""The JSON report: the versioned contract of docs/report-format.md, byte-identical across runs."""

from __future__ import annotations

from ..findings import Report


def render(report: Report, *, all_findings: bool = False) -> str:
    """``Report.to_json()``: every finding is always listed (``all_findings`` has no effect)."""
    return report.to_json()
