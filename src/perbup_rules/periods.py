"""Periods and undated purchases: which group a purchase counts in, and which dates it may have.

The decided reading (issue 13, "Periods and undated records"):

* A purchase's *period* (the fiscal year whose group it counts in) is its
  ``fiscal_year`` when the source gives one, else its date's year.
* Whether a clause, or a parameter value, is in force is decided by the
  record's *own date*. An undated record with a fiscal year may have any date
  of that year; an undated record without one may have any date of the
  audited periods (records of other years are not audited at all).
* Scope comes first, with Kleene logic over the unknown date: the record is
  evaluated on one representative day of every stretch of its possible dates
  on which the clause's validity and every parameter it reads are constant,
  and the outcomes are combined. A record out of scope on every possible day
  yields no finding.

Evaluating on representative days keeps both engines unchanged: they decide
ordinary rows, one per day; only the combination is new, and it lives here,
shared by the per-record and the bulk paths.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable

from .expr import params_in
from .findings import Finding, Status


def purchase_period(rec: Any) -> int | None:
    """The fiscal year a purchase counts in: ``fiscal_year``, else its date's year, else None."""
    fy = getattr(rec, "fiscal_year", None)
    if fy is not None:
        return fy
    d = rec.date
    return d.year if d is not None else None


def boundaries(clause: dict, params: dict[str, dict]) -> tuple[_dt.date, ...]:
    """The days on which something a clause reads may change: its validity dates and the
    ``from`` dates of every parameter it uses (sorted)."""
    days: set[_dt.date] = set()
    if clause.get("valid_from"):
        days.add(_dt.date.fromisoformat(clause["valid_from"]))
    if clause.get("valid_until"):
        end = _dt.date.fromisoformat(clause["valid_until"])
        if end < _dt.date.max:
            days.add(end + _dt.timedelta(days=1))
    for name in params_in(clause):
        for v in params.get(name, {}).get("values", ()):
            days.add(_dt.date.fromisoformat(v["from"]))
    return tuple(sorted(days))


def possible_days(bounds: Iterable[_dt.date], year: int) -> list[_dt.date]:
    """One representative day for each stretch of ``year`` on which nothing in ``bounds`` changes."""
    start, end = _dt.date(year, 1, 1), _dt.date(year, 12, 31)
    return [start] + sorted({d for d in bounds if start < d <= end})


def merge_variants(variants: list[Finding], missing_field: str, no_date_text: Any,
                   period: int | None) -> Finding | None:
    """One finding for an undated record from its findings on each possible day.

    Out of scope (not applicable) on every day: no finding. Compliant wherever it
    applies: compliant (as a record whose requirement holds is compliant even when its
    scope is unknown). A violation on every possible day: violation. Otherwise
    cannot_determine, naming the missing date and whatever else the days lacked.
    """
    import dataclasses

    in_scope = [f for f in variants if f.status is not Status.NOT_APPLICABLE]
    if not in_scope:
        return None
    if all(f.status is Status.COMPLIANT for f in in_scope):
        return dataclasses.replace(in_scope[0], period=period)
    if len(in_scope) == len(variants) and all(f.status is Status.VIOLATION for f in variants):
        return dataclasses.replace(variants[0], period=period)
    missing = {missing_field}
    for f in in_scope:
        missing.update(f.missing)
    return dataclasses.replace(in_scope[0], period=period, status=Status.CANNOT_DETERMINE, measured=None,
                               threshold=None, exception=None, missing=tuple(sorted(missing)),
                               explanation=no_date_text)
