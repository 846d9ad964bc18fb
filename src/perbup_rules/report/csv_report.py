"""The CSV report: one row per finding, UTF-8 without BOM, decimal strings exactly as decided."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

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


def _csv_lines(rows_: Iterable[Sequence]) -> str:
    """The rows as ``csv.writer(..., lineterminator="\\n")`` writes them."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows_)
    return buf.getvalue()


def _quoting() -> tuple[str, ...] | None:
    """The characters that make ``csv.writer`` quote a cell (the excel dialect, ``\\n`` line ends),
    found by asking it about every ASCII character and a few others, so that :func:`lines` writes
    what this Python's writer writes (3.11 quotes for a comma, a quote and a line feed, and leaves
    a lone ``\\r`` as is; later versions quote it too); None when a cell is written any other way
    than as is or quoted with its quotes doubled (then :func:`lines` leaves every row to the writer)."""
    special = []
    for c in [*map(chr, range(128)), "\x85", "\u2028", "\u00e9", "\U0001f600"]:
        cell = f"a{c}b"
        try:
            got = _csv_lines([[cell, "x"]])
        except csv.Error:  # a character the writer refuses: leave every row to it
            return None
        if got == f'"{cell.replace(chr(34), chr(34) * 2)}",x\n':
            special.append(c)
        elif got != f"{cell},x\n":
            return None
    if _csv_lines([["", "x"], ["x", ""]]) != ",x\nx,\n" or '"' not in special:
        return None
    return tuple(special)


_QUOTED = _quoting()


def lines(cells: Iterable[Sequence]) -> str:
    """Rows of text cells as CSV lines, the bytes ``csv.writer(..., lineterminator="\\n")`` writes,
    about twice as fast for long texts: the writer copies a cell character by character to see
    whether it needs quotes, where ``in`` looks for each of the few characters that do (a scan in
    C). A row that is not all text, or a row of one empty cell (which the writer quotes), is the
    writer's."""
    if _QUOTED is None:
        return _csv_lines(cells)
    three = len(_QUOTED) == 3
    q1, q2, q3 = _QUOTED[:3] if three else ("", "", "")
    out = []
    for row in cells:
        made: list[str] | None = []
        for x in row:
            if type(x) is not str:
                made = None
                break
            if (q1 in x or q2 in x or q3 in x) if three else any(q in x for q in _QUOTED):
                x = '"' + x.replace('"', '""') + '"'
            made.append(x)
        if made is None or made == [""]:
            out.append(_csv_lines([row]))
        else:
            out.append(",".join(made))
            out.append("\n")
    return "".join(out)


def render(report: Report, *, all_findings: bool = False) -> str:
    """Every finding (``all_findings`` has no effect), sorted by clause, period, stage, category, subject."""
    return lines([COLUMNS]) + lines(rows(report, sorted(report.findings, key=Finding.sort_key)))
