"""Duties judged once per record (``once_on``) and transitional provisions (``transition_of``).

Most clauses over partnerships are judged in every period in which the partnership is active.
A duty that falls due once, such as KMT-16 (a partnership is put in writing and reported to the
Dinas when it is made), is judged once per record instead: on the day named by ``once_on`` (a
date field, ``start_date``, or a date parameter, ``params.obligations_from``), in the period of
that day's year. A record judged on a day the clause is not in force is not spoken to by the
clause at all: it has no finding (a partnership made before the Perbup is not a violation of a
duty that did not exist).

A transitional provision (ketentuan peralihan, KMT-16.T) names the clause it completes with
``transition_of``: it governs the records that clause does not reach because they began before
it was in force (partnerships made before ``obligations_from`` and still running on it). When a
record's date is unknown, which of the two applies is open; following Kleene's logic the record
gets the outcome both readings give on every date it may have, else one cannot_determine naming
the date (:func:`undated_finding`): one finding per record, under the main clause, never two.

The representative-day method of :mod:`perbup_rules.periods` is applied to the unknown date
itself: the record is judged as if it began on one day of every stretch on which nothing either
clause reads changes (their validity dates, and the dates and date values of their parameters).
Both feeders judge these clauses per record through :class:`~perbup_rules.judge.Judge`, so the
bulk path gives the same findings.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import TYPE_CHECKING, Any

from . import explain
from .atoms import Compiled, Ctx, Period, in_force
from .compiler import decisions as D
from .expr import params_in
from .findings import Finding, Status, Text
from .i18n import t
from .periods import boundaries

if TYPE_CHECKING:  # pragma: no cover
    from .judge import Judge


def judge_once(run: "Judge", clause: dict) -> None:
    """Judge an ``each`` clause with ``once_on``: each record once, on its day, if that day's year
    is an audited period and the clause is in force on it."""
    recs = run.dataset.partnerships
    periods = set(run.periods)
    items: list[tuple[Any, Ctx]] = []
    undated: list[Any] = []
    main = next((c for c in run.ruleset.clauses if c["id"] == clause.get("transition_of")), None)
    for rec in recs:
        if main is not None and once_day(main, rec) is None:
            continue  # which of the two applies is open: judged once, with its main clause
        day = once_day(clause, rec)
        if day is None:
            undated.append(rec)
            continue
        if day.year in periods and in_force(clause, day) == "t":
            items.append((rec, ctx_on(rec, day)))
    run.findings.extend(verdicts(run, clause, items))
    if undated:
        transition = transition_for(run, clause)
        for rec in undated:
            f = undated_finding(run, clause, transition, rec)
            if f is not None:
                run.findings.append(f)


def once_day(clause: dict, rec: Any) -> _dt.date | None:
    """The day a record is judged on: its ``once_on`` field, or the parameter's date."""
    spec = clause["once_on"]
    if "field" in spec:
        return getattr(rec, spec["field"])
    return _dt.date.fromisoformat(spec["day"])


def ctx_on(rec: Any, day: _dt.date) -> Ctx:
    return Ctx(rec=rec, day=day, year=day.year, period=Period.of(day.year))


def transition_for(run: "Judge", clause: dict) -> dict | None:
    """The transitional clause that names ``clause`` in ``transition_of``, if any."""
    return next((c for c in run.ruleset.clauses if c.get("transition_of") == clause["id"]), None)


def verdicts(run: "Judge", clause: dict, items: list[tuple[Any, Ctx]]) -> list[Finding]:
    """The findings of ``clause`` for records judged on their contexts' days (the clause in force
    there); records that are no subject of the clause give none. As :meth:`Judge.each`."""
    from .judge import atoms_of, derived_missing, each_status, relevant_missing

    if not items:
        return []
    keep = run.is_subject(clause, [c for _r, c in items])
    items = [it for it, k in zip(items, keep) if k]
    if not items:
        return []
    over = clause["over"]
    fns = run.atom_fns(clause, "verdict", over)
    rows = [run.row(fns, ctx, [], {0: in_force(clause, ctx.day)}) for _rec, ctx in items]
    labels = run.decide(clause, "verdict", rows)
    atoms = clause["decisions"]["verdict"]["atoms"]
    comp = Compiled(run.env, over)
    dec = D.from_json(clause["decisions"]["verdict"])
    focus = set(atoms_of(clause["logic"]["require"]))
    base = run.base(clause)
    out = []
    for (rec, ctx), row, label in zip(items, rows, labels):
        status, exception = each_status(label, clause)
        missing: list[str] = []
        if status is Status.CANNOT_DETERMINE:
            missing = relevant_missing(dec, fns, ctx, row, label)
            missing = sorted(set(missing + derived_missing(missing, rec, over, ctx.year, run.env)))
        measured, threshold = explain.measured_threshold(atoms, row, comp, ctx, clause)
        out.append(Finding(
            subject=rec.id, subject_kind=over[:-1], period=ctx.year, status=status,
            measured=measured, threshold=threshold, evidence=(rec.id,), exception=exception,
            missing=tuple(missing),
            explanation=explain.each_text(clause, label, status, rec.id, exception, missing,
                                          atoms, row, comp, ctx, focus),
            **base))
    return out


def possible_days(run: "Judge", clauses: list[dict], latest: _dt.date | None) -> list[_dt.date]:
    """One representative day per stretch of the dates a record may have begun on (on or before
    ``latest``, its end date) on which nothing the clauses read changes."""
    bounds: set[_dt.date] = set()
    for c in clauses:
        bounds.update(boundaries(c, run.ruleset.params))
        for name in params_in(c):  # a date parameter's values are where comparisons with it flip
            p = run.ruleset.params.get(name, {})
            if p.get("unit") == "date":
                bounds.update(_dt.date.fromisoformat(v["value"]) for v in p.get("values", ()))
    days = sorted(d for d in bounds if latest is None or d <= latest)
    first = days[0] if days else (latest or _dt.date(2000, 1, 1))
    before = first - _dt.timedelta(days=1) if first > _dt.date.min else None
    if latest is not None and (not days or latest < days[0]):
        before = latest  # it began on or before its end: the whole stretch before the first bound
    return ([before] if before is not None else []) + days


def undated_finding(run: "Judge", clause: dict, transition: dict | None, rec: Any) -> Finding | None:
    """One finding for a record whose ``once_on`` date is unknown, from every date it may have.

    Judged only when the clause is in force in some audited period. On each representative day
    the record falls under ``clause`` (in force on that day), or under ``transition`` (judged on
    its own day, when the record is its subject), or under neither. Under neither on every day: no
    finding. Compliant wherever it falls under one: compliant. A violation on every day:
    violation. Otherwise cannot_determine, naming the date and whatever else the days lacked.
    """
    if not run.periods:
        return None
    vf = clause.get("valid_from")
    if vf and max(run.periods) < _dt.date.fromisoformat(vf).year:
        return None
    field = clause["once_on"]["field"]
    latest = getattr(rec, "end_date", None)
    run.data_quality.setdefault((clause["over"], rec.id), set()).add(field)  # listed once, as undated purchases are
    if transition is not None:
        tday = once_day(transition, rec)
        # with the date unknown the record may be a subject of the transition (unknown), or cannot
        # be on any date (false: e.g. it ended before the transition's day); then only `clause` may apply
        if tday is None or not run.is_subject(transition, [ctx_on(rec, tday)])[0]:
            transition = None
    variants: list[Finding | None] = []
    for day in possible_days(run, [c for c in (clause, transition) if c is not None], latest):
        copy = dataclasses.replace(rec, **{field: day})
        found: list[Finding] = []
        if in_force(clause, day) == "t":
            found = verdicts(run, clause, [(copy, ctx_on(copy, day))])
        elif transition is not None:
            tday = once_day(transition, copy)
            if tday is not None and in_force(transition, tday) == "t":
                found = verdicts(run, transition, [(copy, ctx_on(copy, tday))])
        variants.append(found[0] if found and found[0].status is not Status.NOT_APPLICABLE else None)
    inside = [f for f in variants if f is not None]
    if not inside:
        return None
    names = " / ".join(f"{c['id']} ({c['citation']})" for c in (clause, transition) if c is not None)
    base = run.base(clause)
    first = next((f for f in inside if f.clause == clause["id"]), inside[0])
    common = dict(subject=rec.id, subject_kind=first.subject_kind, period=None, evidence=(rec.id,), **base)
    if all(f.status is Status.COMPLIANT for f in inside) or (
            len(inside) == len(variants) and all(f.status is Status.VIOLATION for f in inside)):
        status = inside[0].status
        exceptions = {f.exception for f in inside}
        return Finding(status=status, exception=exceptions.pop() if len(exceptions) == 1 else None,
                       explanation=Text(*(t("why.once.agree", lang, subject=rec.id, field=field, clauses=names,
                                            status=t(f"status.{status.value}", lang)) for lang in ("id", "en"))),
                       **common)
    missing = {field}
    for f in inside:
        missing.update(f.missing)
    need = ", ".join(sorted(missing))
    return Finding(status=Status.CANNOT_DETERMINE, missing=tuple(sorted(missing)),
                   explanation=Text(*(t("why.once.differ", lang, subject=rec.id, field=field, clauses=names,
                                        need=need) for lang in ("id", "en"))),
                   **common)
