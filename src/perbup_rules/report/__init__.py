"""Render a :class:`~perbup_rules.findings.Report` as JSON, CSV, Markdown, HTML or terminal text.

Rendering only formats: it never changes a verdict, and the same report gives the same
bytes every time (no timestamps, explicit sort orders).
"""

from __future__ import annotations

import importlib

from ..errors import UsageError
from ..findings import Report

#: format name -> module under perbup_rules.report that defines ``render``
FORMATS = {
    "json": "json_report",
    "csv": "csv_report",
    "md": "markdown",
    "html": "html",
    "text": "text",
}

#: formats that list at most ``_view.ROW_CAP`` findings per clause and status without
#: ``all_findings`` (a report for them may list only those: perbup_rules.listing)
CAPPED_FORMATS = ("md", "html", "text")

__all__ = ["CAPPED_FORMATS", "FORMATS", "render"]


def render(report: Report, fmt: str, *, all_findings: bool = False) -> str:
    """The report as text in ``fmt`` (json, csv, md, html or text).

    Args:
        report: what an evaluation produced.
        fmt: one of :data:`FORMATS`.
        all_findings: list every finding in md/html (compliant and not_applicable too, and
            no cap on long lists); json and csv always list every finding.

    Raises:
        UsageError: ``fmt`` is not a known format.
    """
    module = FORMATS.get(fmt)
    if module is None:
        raise UsageError(f"unknown report format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    mod = importlib.import_module(f"{__name__}.{module}")
    return mod.render(report, all_findings=all_findings)
