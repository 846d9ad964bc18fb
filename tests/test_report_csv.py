"""The CSV report: one row per finding, exact decimal strings, deterministic."""

from __future__ import annotations

import csv
import io

from perbup_rules.findings import Finding, Status, Text
from perbup_rules.report import render
from perbup_rules.report.csv_report import COLUMNS

try:
    from test_report_fixtures import HOSTILE, make_report
except ImportError:  # tests/ is a package
    from .test_report_fixtures import HOSTILE, make_report


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_finding_with_the_documented_columns():
    report = make_report(extra_violations=40)
    text = render(report, "csv")
    assert not text.startswith("\ufeff")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = _rows(text)
    assert len(rows) == len(report.findings)
    assert list(rows[0]) == list(COLUMNS)


def test_cells_keep_decimal_strings_and_join_lists_with_semicolons():
    rows = _rows(render(make_report(), "csv"))
    row = next(r for r in rows if r["clause"] == "KMT-01" and r["measured"] == "0.3876")
    assert row["subject"] == "pd-dinkes" and row["subject_name"] == "Dinas Kesehatan"
    assert (row["period"], row["stage"], row["status"], row["threshold"]) == ("2024", "contract", "violation", "0.40")
    assert row["evidence"] == "pur-dinkes-2024-contract-1;pur-dinkes-2024-contract-2"
    cd = next(r for r in rows if r["subject"] == "pur-2025-0005")
    assert cd["missing"] == "supplier.scale;supplier.capital_idr" and cd["status"] == "cannot_determine"
    ex = next(r for r in rows if r["subject"] == "pur-2025-0004")
    assert ex["exception"] == "technical_capability"
    hotel = next(r for r in rows if r["subject"] == "htl-royal" and r["status"] == "violation")
    assert hotel["category"] == "laundry" and hotel["stage"] == ""
    assert any(r["subject_name"] == HOSTILE for r in rows) is False  # hostile name is a candidate, not a subject
    assert any(HOSTILE in r["explanation_id"] for r in rows)  # kept verbatim: CSV is data, not markup


def test_rows_follow_the_finding_sort_key():
    report = make_report()
    rows = _rows(render(report, "csv"))
    expected = sorted(report.findings, key=Finding.sort_key)
    assert [(r["clause"], r["subject"], r["status"]) for r in rows] == [
        (f.clause, f.subject or "", f.status.value) for f in expected
    ]


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_defused():
    report = make_report()
    report.names["pd-disdik"] = "=HYPERLINK(\"http://x\",\"klik\")"
    report.findings.append(Finding("KMT-03", "Pasal 4 ayat (1)", "pur-x", 2025, Status.VIOLATION,
                                   Text("+cmd", "@sum(1)"), stage="award"))
    rows = _rows(render(report, "csv"))
    assert {r["subject_name"] for r in rows if r["subject"] == "pd-disdik"} == {"'=HYPERLINK(\"http://x\",\"klik\")"}
    x = next(r for r in rows if r["subject"] == "pur-x")
    assert (x["explanation_id"], x["explanation_en"]) == ("'+cmd", "'@sum(1)")


# csv_report.lines: csv.writer's bytes, written faster -------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from perbup_rules.report import csv_report  # noqa: E402

_SPECIAL = st.sampled_from([",", '"', "\n", "\r", "\r\n", "\t", " ", "'", ";", "\x00", "\x85", "\u2028", "=", ""])
_CELL = st.lists(st.one_of(st.text(max_size=8), _SPECIAL), max_size=6).map("".join)


def _writer(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.one_of(_CELL, st.integers(), st.none()), max_size=5), max_size=6))
def test_lines_are_the_csv_writers_bytes(rows):
    # any text (quotes, commas, line breaks, a lone \r, NUL, empty cells, a row of one empty cell),
    # and cells that are not text (left to the writer)
    assert csv_report.lines(rows) == _writer(rows)


def test_lines_quote_what_the_writer_quotes():
    assert csv_report._QUOTED is not None  # the fast way is taken on this Python
    rows = [["a,b", 'say "hi"', "two\nlines", "cr\ronly", ""], [""], ["", ""], ["plain"]]
    assert csv_report.lines(rows) == _writer(rows)
    assert csv_report.lines([[""]]) == '""\n'
