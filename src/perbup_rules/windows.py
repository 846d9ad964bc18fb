"""Window clauses (``kind: window``): several packages close in time that together pass a limit.

KMT-04 (Perpres 16/2018 Pasal 20 ayat (2) huruf d, a ban on splitting a package to avoid a
tender) is judged as a *possible split*: packages of one subject and group (a buyer and a
category), each at or below the limit in force on its own date (the pengadaan langsung
ceiling for its procurement type), whose dates lie within ``days`` consecutive days
(inclusive: day 1 and day 30 of a 30-day window are in it, day 31 is not) and whose values
together are above the limit.

**With different limits in one window** (a category bought as two procurement types, or a
window across a change of the ceiling) a set of packages is a split when its sum is above
the *largest* limit among its packages: whichever limit would govern the combined package,
the sum passes it. Taking every package of the window whose limit is at most ``L`` and
comparing its sum with ``L``, for each limit ``L`` that occurs, finds every such set.

**Unknown facts** widen the judgement as share bounds do. A *certain* member is in force and
in scope (``applies`` true) on its own date, with a known limit, value, date, subject and
group. A *possible* member is one for which some of that is unknown; it may have any of its
candidate limits (every limit value when its case is unknown), any value up to its limit
when its value is unknown, and any date of its period when it is undated (so it may fall in
every window). Then:

* ``split_certain``: the certain members alone contain a split;
* ``split_possible``: a split exists for some choice of the unknowns, found by counting every
  possible member that can lie in a window, at or below ``L``, with its greatest value.

The engine decides the verdict from these facts (``decisions.window_verdict``): a certain
split is a violation (a warning for KMT-04: an indication for APIP, not proof of intent), no
possible split is compliant, otherwise cannot_determine. :func:`window_facts` is pure and is
tested against a brute-force search over every window, subset and choice of the unknowns.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, slots=True)  # slots: a window clause holds one per package (a million at scale)
class Member:
    """A package as a window clause sees it.

    ``limits``: the limits it may be under (one for a certain member); ``value`` None when
    unknown (it may be anything up to its limit); ``date`` None when undated (any day)."""

    id: str
    date: _dt.date | None
    value: int | None
    limits: frozenset
    certain: bool


@dataclass(frozen=True)
class Best:
    """A window and limit: its certain sum, the sum with every possible member counted, the limit,
    and the members counted (certain ones; possible ones)."""

    certain_sum: int
    possible_sum: int
    limit: int
    certain_ids: tuple[str, ...]
    possible_ids: tuple[str, ...]


@dataclass(frozen=True)
class WindowFacts:
    split_certain: bool
    split_possible: bool
    #: the window shown: for a certain split the one with the greatest certain sum, else the one
    #: whose possible sum comes closest to (or passes) its limit
    shown: Best | None
    #: members of every window that is (possibly) a split: the evidence
    flagged: tuple[str, ...]


def _contribution(m: Member, limit: int) -> int | None:
    """What a member adds to a window judged against ``limit`` (None: it cannot be at or below it)."""
    if m.value is not None and len(m.limits) == 1:  # the common member: one limit, a known value
        (c,) = m.limits
        return m.value if c <= limit and m.value <= c else None
    fits = [c for c in m.limits if c <= limit and (m.value is None or m.value <= c)]
    if not fits:
        return None
    return m.value if m.value is not None else max(fits)


def windows_of(members: list[Member], days: int) -> tuple[list, list[Member], list[Member], list[tuple[int, int]]]:
    """(the limits in play, sorted; the dated members by date and id; the undated ones; the windows
    to judge, as [lo, hi) ranges of the dated members) of one group; ``days`` ≥ 1 is the window length."""
    limits = sorted({c for m in members for c in m.limits})
    dated = sorted((m for m in members if m.date is not None), key=lambda m: (m.date, m.id))
    undated = [m for m in members if m.date is None]
    dates = [m.date for m in dated]
    span = _dt.timedelta(days=days - 1)
    # one window per distinct first date: a window holds most when it starts on a member's date
    firsts = [i for i in range(len(dated)) if i == 0 or dated[i].date != dated[i - 1].date]
    windows: list[tuple[int, int]] = [(i, bisect.bisect_right(dates, dated[i].date + span)) for i in firsts]
    if undated:
        windows.append((0, 0))  # undated members only
    return limits, dated, undated, windows


def window_facts(members: Iterable[Member], days: int) -> WindowFacts:
    """The split facts of one group (see the module docstring); ``days`` ≥ 1 is the window length."""
    members = list(members)
    limits, dated, undated, windows = windows_of(members, days)
    split_certain = split_possible = False
    best_certain: tuple | None = None
    best_possible: tuple | None = None
    flagged_certain: set[str] = set()
    flagged_possible: set[str] = set()
    for limit in limits:
        c_add = [_contribution(m, limit) if m.certain else None for m in dated]
        p_add = [_contribution(m, limit) if not m.certain else None for m in dated]
        c_pre, p_pre = [0], [0]
        for a, b in zip(c_add, p_add):
            c_pre.append(c_pre[-1] + (a or 0))
            p_pre.append(p_pre[-1] + (b or 0))
        loose = [(m, _contribution(m, limit)) for m in undated]
        loose_sum = sum(v for _m, v in loose if v is not None)
        loose_ids = [m.id for m, v in loose if v is not None]

        def window_ids(lo: int, hi: int, c_add=c_add, p_add=p_add, loose_ids=loose_ids) -> tuple[list, list]:
            return ([dated[i].id for i in range(lo, hi) if c_add[i] is not None],
                    [dated[i].id for i in range(lo, hi) if p_add[i] is not None] + loose_ids)

        # the windows over the limit flag their members: marked as ranges, listed once per limit
        c_cover = [0] * (len(dated) + 1)
        p_cover = [0] * (len(dated) + 1)
        p_over = False
        for lo, hi in windows:
            cs = c_pre[hi] - c_pre[lo]
            ps = cs + p_pre[hi] - p_pre[lo] + loose_sum
            start = dated[lo].date if hi > lo else None
            if cs > limit:
                split_certain = True
                c_cover[lo] += 1
                c_cover[hi] -= 1
                key = (cs, -limit, _neg_date(start))
                if best_certain is None or key > best_certain[0]:
                    c_ids, p_ids = window_ids(lo, hi)
                    best_certain = (key, Best(cs, ps, limit, tuple(c_ids), tuple(p_ids)))
            if ps > limit:
                split_possible = p_over = True
                p_cover[lo] += 1
                p_cover[hi] -= 1
            key = (ps - limit, -limit, _neg_date(start))
            if best_possible is None or key > best_possible[0]:
                c_ids, p_ids = window_ids(lo, hi)
                best_possible = (key, Best(cs, ps, limit, tuple(c_ids), tuple(p_ids)))
        c_in = p_in = 0
        for i, m in enumerate(dated):
            c_in += c_cover[i]
            p_in += p_cover[i]
            if c_in and c_add[i] is not None:
                flagged_certain.add(m.id)
            if p_in and (c_add[i] is not None or p_add[i] is not None):
                flagged_possible.add(m.id)
        if p_over:
            flagged_possible.update(loose_ids)
    if split_certain:
        shown, flagged = best_certain[1], flagged_certain
    else:
        shown = best_possible[1] if best_possible is not None else None
        flagged = flagged_possible if split_possible else {m.id for m in members}
    return WindowFacts(split_certain, split_possible, shown, tuple(sorted(flagged)))


def _neg_date(d: _dt.date | None) -> int:
    """Earlier windows first among equals (an undated-only window last)."""
    return -d.toordinal() if d is not None else -10**7


# --- judging a window clause over a run's purchases (called by judge.Judge.window) -------------

def all_limits(clause: dict, params: dict) -> frozenset:
    """Every value a limit case can give on any date: a possible member whose case is unknown
    may be under any of them."""
    from .atoms import decode_const
    from .params import decode_value

    out: set = set()
    for case in clause["limit"]:
        vf = case["value_from"]
        if vf is None:
            out.add(decode_const(case["value"]))
        elif vf.get("op") == "param" and vf["name"] in params:
            p = params[vf["name"]]
            out.update(decode_value(p["unit"], v["value"]) for v in p["values"])
        elif vf.get("op") == "const":
            out.add(decode_const(vf["value"]))
    return frozenset(out)


#: given members (:func:`judge_window`) recomputed per record and compared, besides the first of
#: each kind (the column path picks them: ``_Bulk.window_members``)
CHECKED_MEMBERS = 1000


def judge_window(run, clause: dict, given: list | None = None, check: list | None = None) -> None:
    """Findings of a window clause, one per subject, group, period and stage (see the module docstring).

    Per purchase and each day it may have (its date, or representative days when undated), the
    engine decides membership (``member``: in force and ``applies``, t/f/u) and which limit case
    holds (``limit``); the groups' facts are then computed exactly here and the engine decides each
    group's verdict (``verdict``) from them.

    ``given``: certain members worked out elsewhere (the bulk path's SQL), as ``((subject, group,
    year, stage), Member)`` pairs, besides ``run.purchases``: dated, with a known value, subject
    and group, a member on their date and under one known limit. ``check``: (positions in ``given``,
    their records, in the same order), judged here too; any difference stops evaluation.
    """
    from collections import defaultdict

    from . import explain
    from .atoms import Compiled, Ctx, Missing, decode_const, in_force
    from .compiler import decisions as D
    from .findings import Finding, Status
    from .judge import STATUS, path_text, relevant_missing

    comp = Compiled(run.env, "purchases")
    subject_get, group_get, value_get = (comp.value(clause["subject"]), comp.value(clause["group_by"]),
                                         comp.value(clause["total"]))
    limit_gets = [comp.value(c["value_from"]) if c["value_from"] else
                  (lambda _ctx, v=decode_const(c["value"]): v) for c in clause["limit"]]
    every = all_limits(clause, run.ruleset.params)
    subject_path, group_path, total_path = (path_text(clause["subject"]), path_text(clause["group_by"]),
                                            path_text(clause["total"]))
    mfns, lfns = run.atom_fns(clause, "member", "purchases"), run.atom_fns(clause, "limit", "purchases")
    mdec, ldec = D.from_json(clause["decisions"]["member"]), D.from_json(clause["decisions"]["limit"])

    def items_of(purchases: list) -> list:
        """(key parts, Member, missing, group unknown) of each purchase that may be a member."""
        entries = []
        for rec in purchases:
            for year, day in run.days_of(clause, rec):
                ctx = Ctx(rec=rec, day=day, year=year)
                entries.append((rec, year, ctx, run.row(mfns, ctx, [], {0: in_force(clause, day)}),
                                run.row(lfns, ctx, [], {})))
        mlabels = run.decide(clause, "member", [e[3] for e in entries]) if entries else []
        llabels = run.decide(clause, "limit", [e[4] for e in entries]) if entries else []
        per: dict[tuple, list] = defaultdict(list)
        for (rec, year, ctx, mrow, lrow), ml, ll in zip(entries, mlabels, llabels):
            per[(rec.id, year)].append((rec, ctx, mrow, lrow, ml, ll))
        return [item for days in per.values() if (item := member_of(days)) is not None]

    def member_of(days: list) -> tuple | None:
        """The item of one purchase and period from its (record, ctx, rows, labels) per day; None:
        never a member."""
        rec, year = days[0][0], days[0][1].year
        limits: set = set()
        missing: set[str] = set()
        sure = rec.date is not None
        for _rec, ctx, mrow, lrow, ml, ll in days:
            if ml == "f" or ll == "default":
                continue  # not a member on this day (out of scope, or no limit for its type)
            if ml == "u":
                sure = False
                missing.update(relevant_missing(mdec, mfns, ctx, mrow, ml))
            if ll.startswith("case:"):
                v = limit_gets[int(ll[5:])](ctx)
                if isinstance(v, Missing):
                    limits |= every
                    sure = False
                    missing.add(v.path)
                else:
                    limits.add(v)
            else:  # unknown: a case before the first true one is unknown
                limits |= every
                sure = False
                missing.update(relevant_missing(ldec, lfns, ctx, lrow, ll))
        ctx0 = days[0][1]
        value = value_get(ctx0)
        if isinstance(value, Missing):
            value, sure = None, False
            missing.add(total_path)
        else:
            limits = {c for c in limits if value <= c}
        if not limits:
            return None  # never at or below a limit: not a package a split is made of
        if len(limits) != 1:
            sure = False
        subj, grp = subject_get(ctx0), group_get(ctx0)
        if isinstance(subj, Missing):
            subj, sure = None, False
            missing.add(subject_path)
        if isinstance(grp, Missing):
            grp, sure = None, False
            missing.add(group_path)
        if rec.date is None:
            missing.add("date")
        stage = rec.stage if clause["per_stage"] else None
        member = Member(rec.id, rec.date, value, frozenset(limits), sure)
        return (subj, grp, year, stage), member, missing, isinstance(group_get(ctx0), Missing)

    items = items_of(run.purchases)
    if given:
        positions, records = check or ([], [])
        got = [(key, m) for key, m, missing, no_group in items_of(records)]
        want = [given[n] for n in positions]
        if got != want:
            from .errors import ENGINE_CONTRACT, EngineError
            raise EngineError(f"{clause['id']}: window members {want} worked out column-wise differ from {got} "
                              f"worked out per record (bulk path bug)", ENGINE_CONTRACT)
        items = [(key, m, set(), False) for key, m in given] + items
    groups: dict[tuple, list[Member]] = {}
    group_missing: dict[tuple, set] = defaultdict(set)

    def join(key: tuple, m: Member, missing: set) -> None:
        groups.setdefault(key, []).append(m)
        if not m.certain:
            group_missing[key].update(missing)

    for key, m, missing, no_group in items:  # dated packages of a known group make the groups
        if m.date is not None and not no_group:
            join(key, m, missing)
    for key, m, missing, no_group in items:  # the others may belong to every existing group they fit
        if m.date is not None and not no_group:
            continue
        subj, grp, year, stage = key
        targets = [k for k in groups if k[0] == subj and k[2] == year and k[3] == stage and (no_group or k[1] == grp)]
        if not targets and m.date is not None:  # dated, group unknown, no group of its subject yet
            targets = [key]
        for k in targets:
            join(k, m, missing)
    order = sorted(groups, key=lambda k: (k[0] or "", k[1] or "", k[2] if k[2] is not None else -1, k[3] or ""))
    facts = [window_facts(groups[k], clause["days"]) for k in order]
    rows = [["t" if f.split_certain else "f", "t" if f.split_possible else "f"] for f in facts]
    labels = run.decide(clause, "verdict", rows) if rows else []
    for key, f, label in zip(order, facts, labels):
        subj, grp, year, stage = key
        status = STATUS[label]
        shown = f.shown
        measured = threshold = None
        if shown is not None:
            threshold = str(shown.limit)
            measured = str(shown.certain_sum) if (status is Status.VIOLATION or shown.possible_sum == shown.certain_sum) \
                else f"{shown.certain_sum}..{shown.possible_sum}"
        missing = sorted(group_missing[key]) if status is Status.CANNOT_DETERMINE else []
        run.findings.append(Finding(
            subject=subj, subject_kind=subject_path, period=year, stage=stage, category=grp, status=status,
            measured=measured, threshold=threshold, evidence=f.flagged, missing=tuple(missing),
            explanation=explain.window_text(clause, label, subj, year, stage, grp, shown, missing),
            **run.base(clause)))
