"""Yearly duties with a deadline, and the date an audit is made as of.

Some obligations are not about a purchase or a partnership but about a report a business
files with the Dinas once a year (reports.csv, :class:`~perbup_rules.records.AnnualReport`):
a hotel's food and laundry purchases (KMT-15.3, KMT-15.4) and a large company's annual
partnership report (KMT-18). Two facts decide them that no record holds:

* **Was the reports table given at all?** Without it nothing can be said about reports:
  the clauses fed by it are not evaluated, and the report says so (``not_evaluated``),
  instead of a violation for every hotel. An empty table given on purpose is different: a
  missing report is then a missing report.
* **Is the report due yet?** A duty of period ``Y`` with ``due: {day: "03-31"}`` falls due
  on 31 March of ``Y + 1``. An audit is made *as of* a date (``perbup audit --as-of``); by
  default the latest date at which something happened in the input: a purchase's date, a
  partnership's start date or reported date, or a report's submission date. End dates do
  not count (an agreement's end date may lie in the future). A duty whose deadline is after
  that date is not yet due: not_applicable, exception ``not_yet_due``, whatever the data
  shows, so an audit run in February never calls a report late that may still come.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable

from .findings import Text
from .i18n import t

#: The exception a not-yet-due duty's finding names.
NOT_YET_DUE = "not_yet_due"


def needs_reports(clause: dict) -> bool:
    """True when a compiled clause reads the reports table (over it, or as its related table)."""
    return clause.get("over") == "reports" or clause.get("related") == "reports"


def due_date(clause: dict, year: int | None) -> _dt.date | None:
    """The deadline of ``clause``'s duty for period ``year`` (its ``due.day`` in the next year), or None."""
    due = clause.get("due")
    if not due or year is None or year >= 9999:
        return None
    month, day = int(due["day"][:2]), int(due["day"][3:])
    return _dt.date(year + 1, month, day)


def latest(dates: Iterable[_dt.date | None]) -> _dt.date | None:
    """The latest of the known dates, or None."""
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def default_as_of(dataset: Any, purchases: Iterable[Any] | None = None,
                  latest_purchase: _dt.date | None = None) -> _dt.date | None:
    """The date an audit is made as of when none is given (see the module docstring).

    ``purchases``: the purchases to read (default the dataset's); ``latest_purchase``: their
    latest date when computed elsewhere (the bulk path asks DuckDB).
    """
    if latest_purchase is None:
        latest_purchase = latest(p.date for p in (dataset.purchases if purchases is None else purchases))
    return latest([
        latest_purchase,
        latest(k.start_date for k in dataset.partnerships),
        latest(k.reported_date for k in dataset.partnerships),
        latest(r.submitted_date for r in dataset.reports),
    ])


def not_yet_due(clause: dict, year: int | None, as_of: _dt.date | None) -> _dt.date | None:
    """The deadline when ``clause``'s duty for ``year`` is not yet due on ``as_of``, else None.

    With no as_of at all (an input without a single date) a deadline is never taken as passed
    either: the duty is not yet due as far as the data shows (say so rather than guess).
    """
    due = due_date(clause, year)
    if due is None:
        return None
    return due if as_of is None or due > as_of else None


def not_yet_due_text(clause: dict, subject: str, year: int | None, due: _dt.date, as_of: _dt.date | None) -> Text:
    """Why a duty's finding is not_applicable: its deadline is after the audit date."""
    who = f"{subject} ({year})" if year is not None else subject
    out = [t("why.exists.not_yet_due", lang, cid=clause["id"], cit=clause["citation"], who=who, due=due.isoformat(),
             as_of=as_of.isoformat() if as_of else "-") for lang in ("id", "en")]
    return Text(out[0], out[1])


def not_evaluated_reports(ruleset: Any, dataset: Any, clauses: Iterable[str] | None = None) -> list[dict]:
    """The ``not_evaluated`` entries of the clauses fed by reports when no reports table was given."""
    if dataset.reports_read:
        return []
    only = None if clauses is None else set(clauses)
    return [{"clause": c["id"], "fields": [], "table": "reports",
             "reason": "no reports table (reports.csv) in the input"}
            for c in ruleset.clauses
            if needs_reports(c) and (only is None or c["id"] in only)]
