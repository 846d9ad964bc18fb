"""The clause judges: one evaluation, whichever way its records are fed.

:class:`Judge` holds a run (ruleset, dataset, engine, periods, stage) and judges
each clause kind (``classify``, ``each``, ``share``, ``exists``) into findings and
required partnerships. Two feeders use it and nothing else of each other:

* :func:`perbup_rules.evaluate.evaluate` feeds it every record (the definition);
* :mod:`perbup_rules.bulk.evaluate` computes atom rows, counts and share sums
  column-wise in DuckDB and hands the judge the distinct rows and the groups
  (``Judge.each(clause, given_rows)``, ``Judge.share_verdicts``, :class:`Group`).

The interface the bulk feeder relies on: :class:`Judge`, :class:`Group`,
:data:`STATUS`, :func:`each_status`, :func:`path_text`.

The flow per clause kind:

* ``classify``: per fiscal year and party, the engine picks the case; the
  attribute's value is then taken from that case (per year, so thresholds in
  force that year apply).
* ``each``: one row of atoms per record (purchases: on the record's date;
  parties and partnerships: per period, on its last day), one verdict each.
* ``share``: per purchase the engine decides membership and which part case
  applies; sums are then taken exactly (integers, :class:`~fractions.Fraction`)
  per subject, period and stage, and the engine decides the group verdict from
  exact comparisons of the lower and upper bounds with the threshold.
* ``exists``: per related record the engine decides whether it matches; per
  subject, period and category the counts give the facts for the verdict.

Everything the engines need is computed here, once, so both engines see the
same rows; determinism comes from sorting every output.
"""

from __future__ import annotations


import datetime as _dt
from collections import defaultdict
from copy import copy as _copy
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_FLOOR, Decimal
from itertools import islice
from fractions import Fraction
from math import gcd
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import explain, regions, schema, violation_text
from .registries.match import mark_candidates
from .candidates import MAX_CANDIDATES, Candidates
from .party_rows import PartyRows, party_paths
from .compiler import decisions as D
from .atoms import Compiled, Ctx, Env, Missing, Period, decode_const, in_force
from .compiler.ruleset import Ruleset
from .engine import Engine
from .errors import ENGINE_CONTRACT, EngineError
from .findings import Finding, RequiredPartnership, Status
from .params import ParamTable
from .periods import boundaries, merge_variants, possible_days, purchase_period
from . import subjects as _subjects
from . import assumptions as _assumptions
from .records import Dataset, Partnership
from .duties import NOT_YET_DUE, default_as_of, due_date, needs_reports, not_yet_due, not_yet_due_text
from .channel_coverage import UNKNOWN as UNKNOWN_CHANNEL
from .channel_coverage import ordered as ordered_channels

STATUS = {
    "compliant": Status.COMPLIANT, "violation": Status.VIOLATION, "not_applicable": Status.NOT_APPLICABLE,
    "not_in_force": Status.NOT_APPLICABLE, "no_date": Status.CANNOT_DETERMINE,
    "cannot_determine": Status.CANNOT_DETERMINE,
}

#: Rows of given atom values (the bulk path) recomputed per record as a check, per clause.
CHECKED_ROWS = 1000


class _Recheck:
    """Which rows given from elsewhere (the bulk path's SQL) are recomputed per record: the first
    :data:`CHECKED_ROWS`, and the first of each distinct row after them."""

    def __init__(self) -> None:
        self.n = 0
        self.seen: set[str] = set()

    def wanted(self, row: list[str]) -> bool:
        key = "".join(row)
        if self.n < CHECKED_ROWS or key not in self.seen:
            self.n += 1
            self.seen.add(key)
            return True
        return False

    def take(self, given: list[str] | None, compute: Callable[[], list[str]], what: Callable[[], str]) -> list[str]:
        """The row to judge by: ``given`` when it is not one to recompute; else ``compute()``, which
        must equal ``given`` when there is one (``what()`` names the row in the error: a bulk path bug)."""
        if given is not None and not self.wanted(given):
            return given
        row = compute()
        if given is not None and row != given:
            raise EngineError(f"{what()} {''.join(given)} computed column-wise differ from {''.join(row)} "
                              f"computed per record (bulk path bug)", ENGINE_CONTRACT)
        return row


@dataclass
class Carried:
    """What judging one clause carries from one batch of its subjects to the next.

    The bulk path judges a clause's listed purchases in batches, in file order, so that memory
    holds the records, rows and contexts of one batch rather than of all of them (at a million
    purchases a few hundred thousand are listed). Judged batch after batch with one Carried,
    they give exactly what one call over all of them gives: the same rows are rechecked and
    the grouped required partnerships group across batches (finish with :meth:`Judge.finish`).
    """

    #: given atom rows recomputed so far (each)
    recheck: _Recheck = field(default_factory=_Recheck)
    #: match rows built so far for given matches (exists)
    match_rows_checked: int = 0
    #: grouped remedies so far (exists): (party, category, period) -> (partnership, evidence ids)
    grouped: dict = field(default_factory=dict)


#: Tracer hooks: called as tracer(clause_id, decision, rows, labels) after each engine call.
Tracer = Callable[[str, str, Sequence[list[str]], list[str]], None]


def ratio_text(x: Fraction, places: int = 4) -> str:
    """A share as a decimal string, rounded down (so 0.39999 never shows as 0.4000)."""
    q = Decimal(x.numerator) / Decimal(x.denominator)
    return str(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR))


def _text(v: Any) -> str | None:
    if v is None or isinstance(v, Missing):
        return None
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


@dataclass
class Judge:
    ruleset: Ruleset
    dataset: Dataset
    engine: Engine
    periods: list[int]
    stage: str | None
    tracer: Tracer | None
    env: Env = field(init=False)
    findings: list[Finding] = field(default_factory=list)
    required: list[RequiredPartnership] = field(default_factory=list)
    #: (table, record id) -> fields whose absence made the record a possible member only
    data_quality: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    #: named assumptions turned off for this run (perbup_rules.assumptions)
    assume_off: frozenset = frozenset()
    #: assumption id -> table -> ids of the records whose outcome rests on it
    assumed: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    #: the date the audit is made as of: a yearly duty due after it is not yet due (perbup_rules.duties)
    as_of: _dt.date | None = None
    #: candidates listed per required partnership (0: all); ``candidate_count`` gives how many
    max_candidates: int = MAX_CANDIDATES

    def __post_init__(self) -> None:
        ds = self.dataset
        regions.enrich(ds)  # region codes from names (idempotent): `local` and desa matching read codes
        mark_candidates(ds)  # registry businesses written by `perbup import --registry` stay candidates only
        self.env = Env(parties=ds.parties, purchases_by_id={p.id: p for p in ds.purchases},
                       params=ParamTable(self.ruleset.params),
                       default_year=max(self.periods) if self.periods else None, assume_off=self.assume_off)
        self.purchases = [p for p in ds.purchases if self.stage is None or p.stage == self.stage]
        if self.periods:
            keep = set(self.periods)
            self.purchases = [p for p in self.purchases if purchase_period(p) is None or purchase_period(p) in keep]
        self.note_undated(self.purchases)
        if self.as_of is None:  # the latest date in the input (the bulk path sets it from its tables)
            self.as_of = default_as_of(ds)
        self._bounds: dict[str, tuple] = {}
        self._pool: dict[str, dict[str | None, tuple[bool, tuple[str, ...]]]] = {}
        #: (table, subject table) -> its Compiled scope, for what is asked per listed finding (a
        #: remedy's party and category): compiling a path per call cost more than reading it
        self._scopes: dict[tuple[str | None, str | None], Compiled] = {}
        #: whether :meth:`touch` records the records resting on assumptions (the bulk path turns it
        #: off for records whose clause it already counted in SQL)
        self.counting = True
        self._assume_pos: dict[tuple[str, str], tuple] = {}
        self._rests_memo: dict[tuple, tuple[str, ...]] = {}
        self._remedy_getters: dict[str, tuple] = {}  # clause id -> (clause, party getter, category getter)
        self._named: dict[tuple[str, ...], tuple[str, ...]] = {}  # Judge.touch: the ids a finding names
        self._candidates: dict[str, Candidates] = {}
        self._party_rows: dict[tuple, PartyRows] = {}
        #: every purchase of the input, any stage (the bulk path reads them from its tables)
        self.all_purchases: Callable[[], Iterable[Any]] = lambda: ds.purchases

    def facts(self) -> None:
        """Per-party facts of a period that subjects are defined by (perbup_rules.subjects)."""
        if any("subjects" in c.get("decisions", {}) for c in self.ruleset.clauses):
            _subjects.store(self.env.derived, self.all_purchases(), self.dataset.parties, self.years(),
                            reports=self.dataset.reports)

    def is_subject(self, clause: dict, ctxs: list[Ctx]) -> list[bool]:
        """For each context, whether its record may be a subject of the clause (``subjects`` not
        false); all true for a clause without ``subjects``."""
        if "subjects" not in clause["decisions"]:
            return [True] * len(ctxs)
        fns = self.atom_fns(clause, "subjects", clause["over"])
        labels = self.decide(clause, "subjects", [self.row(fns, c, [], {}) for c in ctxs])
        return [lab != "f" for lab in labels]

    def party_rows(self, atoms: list[dict], table: str | None, subject_table: str | None, binding: str,
                   every: bool = False) -> PartyRows:
        """The parties (:meth:`subject_parties`, or with ``every`` all of them, by id) grouped by the
        values ``atoms`` read of them (:mod:`perbup_rules.party_rows`). Made on first use, after
        classification (groups read derived attributes), and shared by the decisions that read
        the same party paths (KMT-15.1, 15.2 and 15.4 read ``kind`` and ``umkk``)."""
        paths = party_paths(atoms, table, binding)
        key = (paths, table, subject_table, binding, every)
        got = self._party_rows.get(key)
        if got is None:
            parties = sorted(self.dataset.parties.values(), key=lambda p: p.id) if every else self.subject_parties()
            got = self._party_rows[key] = PartyRows(self.env, paths, table, subject_table, binding, parties)
        return got

    def party_subjects(self, clause: dict) -> tuple[PartyRows, dict[int, list[int]]]:
        """The subjects of a clause over parties: per judged period, the indexes (into the
        returned groups' parties: :meth:`subject_parties`) of the parties whose ``subjects`` is
        not false on the period's last day. As :meth:`is_subject` over every party and period,
        with one row per group of parties that read the same values."""
        decs = clause["decisions"]
        pr = self.party_rows([a for d in ("subjects", "verdict") if d in decs for a in decs[d]["atoms"]],
                             "parties", None, "rec")
        every = list(range(len(pr.parties)))
        if "subjects" not in clause["decisions"]:
            return pr, {year: every for year in self.periods}
        fns = self.atom_fns(clause, "subjects", "parties")
        per_year, rows = [], []
        for year in self.periods:
            period = Period.of(year)
            pos, grows, _missing = pr.rows(fns, year, _period_end_ctx(year, period), {})
            per_year.append((year, pos, len(rows)))
            rows.extend(grows)
        labels = self.decide(clause, "subjects", rows)
        return pr, {year: [n for n, i in enumerate(pos) if labels[start + i] != "f"] for year, pos, start in per_year}

    def note_undated(self, purchases: Iterable[Any]) -> None:
        """List every judged purchase without a date once in the data-quality section."""
        for p in purchases:
            if p.date is None:
                self.data_quality.setdefault(("purchases", p.id), set()).add("date")

    def days_of(self, clause: dict, rec: Any) -> list[tuple[int | None, _dt.date | None]]:
        """(period, day) pairs to judge a purchase on: its own date, or for an undated purchase a
        representative day of every stretch of its possible dates (see :mod:`perbup_rules.periods`)."""
        period = purchase_period(rec)
        if rec.date is not None:
            return [(period, rec.date)]
        b = self._bounds.get(clause["id"])
        if b is None:
            b = self._bounds[clause["id"]] = boundaries(clause, self.ruleset.params)
        years = [period] if period is not None else self.periods
        return [(y, d) for y in years for d in possible_days(b, y)]

    # engine --------------------------------------------------------------------------
    def purchase_days(self, clause: dict) -> tuple[list[tuple[Any, int | None, _dt.date | None]], dict[int, list[int]]]:
        """Every (purchase, period, day) the clause judges (an undated purchase on each of its
        representative days), and, for an undated purchase, the index of its first day -> the
        indexes of all its days (their outcomes are merged into one)."""
        out: list[tuple[Any, int | None, _dt.date | None]] = []
        undated: dict[int, list[int]] = {}
        for rec in self.purchases:
            days = self.days_of(clause, rec)
            if rec.date is None and days:
                undated[len(out)] = list(range(len(out), len(out) + len(days)))
            out.extend((rec, year, day) for year, day in days)
        return out, undated

    def decide(self, clause: dict, decision: str, rows: list[list[str]]) -> list[str]:
        labels = self.engine.decide(self.ruleset, clause["id"], decision, rows)
        if self.tracer is not None:
            self.tracer(clause["id"], decision, rows, labels)
        return labels

    def atom_fns(self, clause: dict, decision: str, table: str | None, subject_table: str | None = None):
        comp = Compiled(self.env, table, subject_table)
        fns = []
        for a in clause["decisions"][decision]["atoms"]:
            if a["op"] in ("in_force", "fact"):
                fns.append(None)
            else:
                fns.append(comp.atom(a))
        return fns

    def compiled(self, table: str | None, subject_table: str | None = None) -> Compiled:
        """The Compiled scope of ``table`` (and ``subject_table``), made once per run."""
        comp = self._scopes.get((table, subject_table))
        if comp is None:
            comp = self._scopes[(table, subject_table)] = Compiled(self.env, table, subject_table)
        return comp

    @staticmethod
    def row(fns: list, ctx: Ctx, missing: list, pseudo: dict[int, str]) -> list[str]:
        return [pseudo[i] if f is None else f(ctx, missing) for i, f in enumerate(fns)]

    def base(self, clause: dict, **kw) -> dict:
        return dict(clause=clause["id"], citation=clause["citation"], severity=clause["severity"],
                    rule_location=clause.get("location"), **kw)

    # named assumptions (perbup_rules.assumptions) -----------------------------------------
    def rests(self, clause: dict, decision: str, row: list[str], label: str) -> tuple[str, ...]:
        """The assumptions this outcome rests on: those whose ``assumed`` atoms, flipped (true to
        false when on, false to true when off), change the label. Empty for most clauses."""
        key = (clause["id"], decision)
        hit = self._assume_pos.get(key)
        if hit is None:
            dec = clause["decisions"][decision]
            hit = self._assume_pos[key] = (_assumptions.positions(dec["atoms"]), D.from_json(dec))
        pos, dec = hit
        if not pos:
            return ()
        memo_key = (key, tuple(row), label)  # a pure function of the row: records share few rows
        got = self._rests_memo.get(memo_key)
        if got is not None:
            return got
        out = []
        for aid, idx in pos.items():
            flipped = list(row)
            for i in idx:
                flipped[i] = "t" if row[i] == "f" else "f"
            if D.decide(dec, flipped) != label:
                out.append(aid)
        got = self._rests_memo[memo_key] = tuple(out)
        return got

    def assumed_counts(self) -> dict[str, int]:
        """Per named assumption, how many records :meth:`touch` counted as resting on it."""
        return {a: sum(map(len, by_table.values())) for a, by_table in self.assumed.items()}

    def touch(self, ids: Iterable[str], table: str, rid: str) -> tuple[str, ...]:
        """Count a record for each assumption it rests on (unless :attr:`counting` is off: counted
        elsewhere); the ids a finding names (those on)."""
        ids = tuple(ids)
        if self.counting:
            for a in ids:
                self.assumed.setdefault(a, {}).setdefault(table, set()).add(rid)
        return self.named(ids)

    def named(self, ids: tuple[str, ...]) -> tuple[str, ...]:
        """The assumption ids a finding resting on ``ids`` names: those on, sorted (one tuple per
        set of ids, not one per finding)."""
        named = self._named.get(ids)
        if named is None:
            named = self._named[ids] = tuple(sorted(a for a in ids if a not in self.assume_off))
        return named

    # classify --------------------------------------------------------------------------
    def classify(self, clause: dict) -> None:
        fns = self.atom_fns(clause, "case", "parties")
        comp = Compiled(self.env, "parties")
        cases = clause["cases"]
        getters = [comp.value(c["value_from"]) if c["value_from"] else None for c in cases]
        default_get = comp.value(clause["default"]["value_from"]) if clause["default"]["value_from"] else None
        parties = sorted(self.dataset.parties.values(), key=lambda p: p.id)
        for year in self.years():
            ctx_list, rows = [], []
            for party in parties:
                # period: the criteria in force depend on it (PP 7/2021 from 2021-02-02, DEF-01/KMT-06)
                ctx = Ctx(rec=party, day=_dt.date(year, 12, 31), year=year, period=Period.of(year))
                rows.append(self.row(fns, ctx, [], {}))
                ctx_list.append(ctx)
            labels = self.decide(clause, "case", rows)
            store = self.env.derived.setdefault(year, {})
            why_store = self.env.derived_why.setdefault(year, {})
            dec = D.from_json(clause["decisions"]["case"])
            for party, ctx, label, row in zip(parties, ctx_list, labels, rows):
                if label.startswith("case:"):
                    i = int(label[5:])
                    value = getters[i](ctx) if getters[i] else decode_const(cases[i]["value"])
                elif label == "default":
                    value = default_get(ctx) if default_get else decode_const(clause["default"]["value"])
                else:
                    value = None
                if isinstance(value, Missing):
                    value = None
                store.setdefault(party.id, {})[clause["attribute"]] = value
                if value is None:
                    why = unknown_why(clause, label, dec, fns, ctx, row, why_store.get(party.id, {}))
                    if why:
                        why_store.setdefault(party.id, {})[clause["attribute"]] = why

    def subject_parties(self) -> list:
        """Parties judged by clauses over parties, by id: all but the registry's candidates-only
        businesses (they bought and sold nothing here; they are only possible partners)."""
        only = self.dataset.candidates_only
        return sorted((p for p in self.dataset.parties.values() if p.id not in only), key=lambda p: p.id)

    def years(self) -> list[int]:
        """The fiscal years to classify parties for: the periods judged (never today's date,
        so the same inputs give the same results in any year)."""
        return self.periods

    # each ----------------------------------------------------------------------------
    def each(self, clause: dict, given_rows: list[list[str]] | None = None, carried: Carried | None = None) -> None:
        """``given_rows``: atom rows computed elsewhere (the bulk path's SQL) for these records; the
        first :data:`CHECKED_ROWS`, and the first of each distinct row, are recomputed here and
        must be equal (counted across the batches ``carried`` spans)."""
        if clause.get("once_on"):  # a duty judged once per record, and its transitional provision
            from .once import judge_once
            return judge_once(self, clause)
        over = clause["over"]
        if needs_reports(clause) and not self.dataset.reports_read:
            return  # no reports table: not evaluated (duties.not_evaluated_reports says so)
        fns = self.atom_fns(clause, "verdict", over)
        items: list[tuple[Any, Ctx, list]] = []
        undated: dict[int, list[int]] = {}  # item of an undated purchase's first day -> all its items
        party_rows = None  # over parties: the verdict rows, one per group of parties (party_rows)
        if over == "purchases":
            judged, undated = self.purchase_days(clause)
            items = [(rec, Ctx(rec=rec, day=day, year=year), []) for rec, year, day in judged]
        elif over == "parties" and given_rows is None:
            pr, subjects = self.party_subjects(clause)
            party_rows = []
            for year, members in subjects.items():
                period = Period.of(year)
                pos, grows, gmissing = pr.rows(fns, year, _period_end_ctx(year, period),
                                               {0: in_force(clause, period.end)}, members)
                for n, i in zip(members, pos):
                    rec = pr.parties[n]
                    items.append((rec, Ctx(rec=rec, day=period.end, year=year, period=period), list(gmissing[i])))
                    party_rows.append(list(grows[i]))
        else:
            recs = {"parties": self.subject_parties, "partnerships": lambda: self.dataset.partnerships,
                    "reports": lambda: self.dataset.reports}[over]()
            for year in self.periods:
                period = Period.of(year)
                for rec in recs:
                    if over == "reports" and rec.year != year:
                        continue  # a report belongs to the period of its year
                    day = period.end
                    if over == "partnerships":
                        active = partnership_active(rec, period)
                        if active == "f":
                            continue
                        if active == "u":
                            day = None
                    items.append((rec, Ctx(rec=rec, day=day, year=year, period=period), []))
            keep = self.is_subject(clause, [it[1] for it in items])
            items = [it for it, k in zip(items, keep) if k]
        if party_rows is not None:
            rows = party_rows
        else:
            rows = []
            recheck = (carried or Carried()).recheck
            for n, (rec, ctx, missing) in enumerate(items):
                rows.append(recheck.take(
                    None if given_rows is None else given_rows[n],
                    lambda: self.row(fns, ctx, missing, {0: in_force(clause, ctx.day) if not (
                        over == "partnerships" and ctx.day is None) else "u"}),
                    lambda: f"{clause['id']}: {rec.id}: atoms"))
        labels = self.decide(clause, "verdict", rows)
        atoms = clause["decisions"]["verdict"]["atoms"]
        comp = Compiled(self.env, over)
        dec = D.from_json(clause["decisions"]["verdict"])
        focus = set(atoms_of(clause["logic"]["require"]))
        base = self.base(clause)
        kind = over[:-3] + "y" if over in ("parties", "reports") else over[:-1]
        statuses = {label: each_status(label, clause) for label in set(labels)}
        # what every record of one atom row and label shares, worked out once per row: its status
        # and exception, the comparison its measured figures come from, the assumptions it rests
        # on, and for the common violation what its text reads (explain.violation_plan)
        per_row: dict[tuple, tuple] = {}
        made: list[Finding] = []
        append = made.append
        stages: dict[str, str] = {}  # one string per stage, not one per record read from the bulk tables
        for (rec, ctx, missing), row, label in zip(items, rows, labels):
            plan = per_row.get((*row, label))
            if plan is None:
                status, exception = statuses[label]
                plan = per_row[(*row, label)] = (
                    status, exception, explain.measured_chosen(atoms, row, comp, clause),
                    self.rests(clause, "verdict", row, label),
                    explain.violation_plan(clause, label, status, exception, atoms, row, comp, focus))
            status, exception, chosen, rests, text_plan = plan
            if label == "no_date":
                missing = ["start_date" if over == "partnerships" else "date"]
            elif status is Status.CANNOT_DETERMINE:
                missing = relevant_missing(dec, fns, ctx, row, label)
                missing = missing + derived_missing(missing, rec, over, ctx.year, self.env)
            missing = sorted(set(missing)) if missing else []
            measured, threshold = explain.measured_of(chosen, ctx)
            assumed = self.touch(rests, over, rec.id) if rests else ()
            stage = getattr(rec, "stage", None)
            if stage is not None:
                stage = stages.setdefault(stage, stage)
            text = None if text_plan is None else violation_text.held(text_plan, ctx, rec.id)
            append(Finding(
                # a report's finding is its party's (a hotel's 2027 share), with the report as evidence
                subject=rec.party_id if over == "reports" else rec.id, subject_kind=kind, period=ctx.year,
                stage=stage, status=status,
                measured=measured, threshold=threshold, evidence=(rec.id,), exception=exception,
                missing=tuple(missing) if status is Status.CANNOT_DETERMINE else (),
                explanation=text if text is not None else explain.each_text(
                    clause, label, status, rec.id, exception, missing, atoms, row, comp, ctx, focus),
                **({"assumptions": assumed} if assumed else {}), **base))
        if not undated:
            self.findings.extend(made)
            return
        skip: set[int] = set()
        for first, group in undated.items():
            skip.update(group)
            rec = items[first][0]
            merged = merge_variants([made[i] for i in group], "date",
                                    explain.each_text(clause, "no_date", Status.CANNOT_DETERMINE, rec.id, None, [],
                                                      atoms, rows[first], comp, items[first][1]),
                                    purchase_period(rec))
            if merged is not None:
                made[first] = merged
                skip.discard(first)
        self.findings.extend(f for i, f in enumerate(made) if i not in skip)

    # share ---------------------------------------------------------------------------
    def share(self, clause: dict) -> None:
        comp = Compiled(self.env, "purchases")
        subject_get = comp.value(clause["subject"])
        dated, rest = [], []
        for rec in self.purchases:
            if rec.date is not None and not isinstance(subject_get(Ctx(rec=rec)), Missing):
                dated.append(rec)
            else:
                rest.append(rec)
        groups = self.share_groups(clause, dated)
        unknown = self.share_widen(clause, groups, rest)
        self.share_verdicts(clause, groups, unknown)

    def share_getters(self, clause: dict) -> tuple:
        """A share clause's member atoms and its compiled getters: subject, subject_parent (or
        None), total and each part's value (or None), read alike by the groups and the widening."""
        comp = Compiled(self.env, "purchases")
        parent = comp.value(clause["subject_parent"]) if clause.get("subject_parent") else None
        parts = [comp.value(p["value_from"]) if p["value_from"] else None for p in clause["part"]]
        return (self.atom_fns(clause, "member", "purchases"), comp.value(clause["subject"]), parent,
                comp.value(clause["total"]), parts)

    def share_groups(self, clause: dict, purchases: list) -> dict[tuple, "Group"]:
        """The groups of dated purchases whose subject is known, with their exact sums."""
        fns, subject_get, parent_get, total_get, part_gets = self.share_getters(clause)
        rows, ctxs = [], []
        for rec in purchases:
            d = rec.date
            ctx = Ctx(rec=rec, day=d, year=purchase_period(rec))
            rows.append(self.row(fns, ctx, [], {0: in_force(clause, d)}))
            ctxs.append(ctx)
        labels = self.decide(clause, "member", rows)
        caps = self.caps(clause, ctxs)
        mdec = D.from_json(clause["decisions"]["member"])
        total_path = path_text(clause["total"])
        groups: dict[tuple, Group] = {}
        for n, (rec, ctx, row, label) in enumerate(zip(purchases, ctxs, rows, labels)):
            if label == "out":
                continue
            subj = subject_get(ctx)
            key = (None if isinstance(subj, Missing) else subj, ctx.year,
                   rec.stage if clause["per_stage"] else None)
            g = groups.get(key)
            if g is None:
                g = groups[key] = Group()
            if parent_get is not None:
                par = parent_get(ctx)
                if not isinstance(par, Missing):
                    g.parents.add(par)
            g.evidence.append(rec.id)
            g.channels.add(rec.channel or UNKNOWN_CHANNEL)
            total = total_get(ctx)
            if isinstance(total, Missing):
                g.total_missing.append(rec.id)
                g.missing.add(total_path)
                continue
            ids = self.rests(clause, "member", row, label)
            if label in ("gate_unknown", "unknown"):
                a, b = 0, total
                g.missing.update(relevant_missing(mdec, fns, ctx, row, label))
            elif label.startswith("case:"):
                i = int(label[5:])
                v = part_gets[i](ctx) if part_gets[i] else decode_const(clause["part"][i]["value"])
                if isinstance(v, Missing):
                    a, b = 0, total
                    g.missing.add(v.path)
                else:
                    a = b = min(v, total)
            else:
                a = b = 0
            if caps is not None:
                cap, cap_ids = caps[n]
                a, b = capped(a, b, cap, g.missing)
                if b or a != b:  # the limit mattered only where some part may count
                    ids = ids + cap_ids
            g.assumptions.update(self.touch(ids, "purchases", rec.id))
            if label == "gate_unknown":
                if b == total:
                    g.member_unknown += total
                elif total:  # a possible member whose part is limited: exact as a possible member
                    g.maybe.append((total, 0, b))
                continue
            g.total += total
            g.known += a
            g.part_unknown += b - a
        return groups

    def caps(self, clause: dict, ctxs: list[Ctx], given: list | None = None) -> list[tuple[Any, tuple[str, ...]]] | None:
        """Per context, the limit ``part_at_most`` puts on the part counted, with the assumptions
        its outcome rests on: None (no limit), a number, or a set of the fields whose absence
        leaves the limit unknown. None for a clause without ``part_at_most``. ``given``: per
        context, its limit row computed elsewhere, or None (the first :data:`CHECKED_ROWS` given,
        and the first of each distinct one, are recomputed and must be equal)."""
        if not clause.get("part_at_most"):
            return None
        fns = self.atom_fns(clause, "cap", "purchases")
        recheck = _Recheck()
        rows = [recheck.take(given[n] if given is not None else None, lambda: self.row(fns, c, [], {}),
                             lambda: f"{clause['id']}: limit atoms") for n, c in enumerate(ctxs)]
        labels = self.decide(clause, "cap", rows) if rows else []
        dec = D.from_json(clause["decisions"]["cap"])
        comp = Compiled(self.env, "purchases")
        cases = clause["part_at_most"]
        gets = [comp.value(c["value_from"]) if c["value_from"] else None for c in cases]
        out: list[tuple[Any, tuple[str, ...]]] = []
        for ctx, row, label in zip(ctxs, rows, labels):
            if label.startswith("case:"):
                i = int(label[5:])
                v = gets[i](ctx) if gets[i] else decode_const(cases[i]["value"])
                cap: Any = {v.path} if isinstance(v, Missing) else v
            elif label == "default":
                cap = None
            else:
                cap = set(relevant_missing(dec, fns, ctx, row, label))
            out.append((cap, self.rests(clause, "cap", row, label)))
        return out

    def share_widen(self, clause: dict, groups: dict[tuple, "Group"], purchases: list,
                    given: list | None = None) -> dict[tuple, "Group"]:
        """Purchases without a date or without a subject, judged on every date they may have.

        One that is a member on every possible day of a known period is a member of its group;
        otherwise it is a *possible* member of every existing group it may belong to (its subject's
        groups, or with an unknown subject every group of the same ``subject_parent``), which widens
        those groups' bounds exactly. Returns the groups "subject unknown" (per parent, period and
        stage) for records whose parent has no known subject there.

        ``given``: per purchase, its (member row, limit row) computed elsewhere (the bulk path's
        SQL) for a dated one, None for an undated one (judged on several days); the first
        :data:`CHECKED_ROWS`, and the first of each distinct row, are recomputed here and must be equal.
        """
        unknown: dict[tuple, Group] = {}
        if not purchases:
            return unknown
        fns, subject_get, parent_get, total_get, part_gets = self.share_getters(clause)
        mdec = D.from_json(clause["decisions"]["member"])
        subject_path, total_path = path_text(clause["subject"]), path_text(clause["total"])
        entries, rows, cap_rows = [], [], []
        recheck = _Recheck()
        for n, rec in enumerate(purchases):
            got = given[n] if given is not None else None
            for year, day in self.days_of(clause, rec):
                ctx = Ctx(rec=rec, day=day, year=year)
                rows.append(recheck.take(None if got is None else got[0],
                                         lambda: self.row(fns, ctx, [], {0: in_force(clause, day)}),
                                         lambda: f"{clause['id']}: {rec.id}: member atoms"))
                cap_rows.append(got[1] if got is not None else None)
                entries.append((n, year, ctx))
        labels = self.decide(clause, "member", rows) if rows else []
        caps = self.caps(clause, [e[2] for e in entries], cap_rows)
        per: dict[tuple[int, int | None], list] = defaultdict(list)
        for e, ((n, year, ctx), row, label) in enumerate(zip(entries, rows, labels)):
            per[(n, year)].append((ctx, row, label, None if caps is None else caps[e]))
        certain: list[tuple] = []
        optional: list[tuple] = []
        for (n, year), days in per.items():
            rec = purchases[n]
            inside = [d for d in days if d[2] != "out"]
            if not inside:
                continue
            ctx0 = inside[0][0]
            total = total_get(ctx0)
            subj = subject_get(ctx0)
            stage = rec.stage if clause["per_stage"] else None
            missing: set[str] = set()
            ids: set[str] = set()
            lo = hi = None
            for ctx, row, label, cap in inside:
                if isinstance(total, Missing):
                    break
                rests = self.rests(clause, "member", row, label)
                if label in ("gate_unknown", "unknown"):
                    a, b = 0, total
                    missing.update(relevant_missing(mdec, fns, ctx, row, label))
                elif label.startswith("case:"):
                    i = int(label[5:])
                    v = part_gets[i](ctx) if part_gets[i] else decode_const(clause["part"][i]["value"])
                    if isinstance(v, Missing):
                        a, b = 0, total
                        missing.add(v.path)
                    else:
                        a = b = min(v, total)
                else:
                    a = b = 0
                if cap is not None:
                    a, b = capped(a, b, cap[0], missing)
                    if b or a != b:
                        rests = rests + cap[1]
                ids.update(rests)
                lo = a if lo is None else min(lo, a)
                hi = b if hi is None else max(hi, b)
            named = self.touch(sorted(ids), "purchases", rec.id)
            sure = (len(inside) == len(days) and all(d[2] != "gate_unknown" for d in inside)
                    and year == purchase_period(rec) and not isinstance(subj, Missing))
            if rec.date is None:
                missing.add("date")
            item = (rec, year, stage, subj, total, lo, hi, missing, ctx0, named)
            (certain if sure else optional).append(item)
        for rec, year, stage, subj, total, lo, hi, missing, _ctx, named in certain:
            g = groups.get((subj, year, stage))
            if g is None:
                g = groups[(subj, year, stage)] = Group()
            g.add_evidence(rec.id)
            g.assumptions.update(named)
            if isinstance(total, Missing):
                g.total_missing.append(rec.id)
                g.missing.add(total_path)
                continue
            g.total += total
            g.known += lo
            g.part_unknown += hi - lo
            if hi != lo:
                g.missing.update(missing)
        # the groups of each parent, period and stage, in group order (the groups added below have no parents)
        of_parent: dict[tuple, list[tuple]] = defaultdict(list)
        for k, g in groups.items():
            for par in g.parents:
                of_parent[(par, k[1], k[2])].append(k)
        for rec, year, stage, subj, total, lo, hi, missing, ctx0, named in optional:
            if isinstance(subj, Missing):
                par = parent_get(ctx0) if parent_get is not None else Missing("")
                if isinstance(par, Missing):  # no way to place it: a group of unknown subject, as data to add
                    targets = [(None, year, stage)]
                    groups.setdefault(targets[0], Group())
                else:
                    targets = of_parent.get((par, year, stage), [])
                    self.data_quality.setdefault(("purchases", rec.id), set()).add(subject_path)
                    if not targets:
                        unknown.setdefault((par, year, stage), Group()).add_evidence(rec.id)
                        continue
                missing = missing | {subject_path}
            else:
                targets = [(subj, year, stage)] if (subj, year, stage) in groups else []
            for key in targets:
                g = groups[key]
                g.add_evidence(rec.id)
                g.assumptions.update(named)
                if isinstance(total, Missing):
                    g.total_missing.append(rec.id)
                    g.missing.add(total_path)
                    continue
                if total:
                    g.maybe.append((total, lo, hi))
                g.missing.update(missing)
        return unknown

    def share_verdicts(self, clause: dict, groups: dict[tuple, "Group"],
                       unknown: dict[tuple, "Group"] | None = None) -> None:
        """The verdict of each share group (subject, year, stage) from its exact sums; and one
        cannot_determine per parent, year and stage whose records all lack the subject."""
        comp = Compiled(self.env, "purchases")
        order = lambda k: (k[0] or "", k[1] if k[1] is not None else -1, k[2] or "")  # noqa: E731
        keys = sorted(groups, key=order)
        ukeys = sorted(unknown or {}, key=order)
        grows, facts = [], []
        for key in keys:
            subj, year, stage = key
            g = groups[key]
            at_least = comp.value(clause["at_least"])(Ctx(day=_group_day(clause, year)))
            f = g.facts(at_least, year is not None and subj is not None)
            facts.append((at_least, f))
            grows.append(f["row"])
        # a subject unknown: neither bound is usable (the same facts as a share that cannot be computed)
        grows += [["t", "f", "f", "t"] for _k in ukeys]
        glabels = self.decide(clause, "verdict", grows)
        subject_path = path_text(clause["subject"])
        for key, label in zip(ukeys, glabels[len(keys):]):
            par, year, stage = key
            u = unknown[key]
            self.findings.append(Finding(
                subject=par, subject_kind=path_text(clause.get("subject_parent")), period=year, stage=stage,
                status=STATUS[label], evidence=tuple(sorted(u.evidence)), evidence_count=u.evidence_count,
                missing=(subject_path,) if STATUS[label] is Status.CANNOT_DETERMINE else (),
                explanation=explain.subject_unknown_text(clause, par, year, stage, subject_path),
                **self.base(clause)))
        pool = clause.get("unless_no_supplier")
        for key, (at_least, f), label in zip(keys, facts, glabels):
            subj, year, stage = key
            g = groups[key]
            status = STATUS[label]
            missing = sorted(g.missing | ({"date"} if year is None else set())
                             | ({at_least.path} if isinstance(at_least, Missing) else set())
                             | ({path_text(clause["subject"])} if subj is None else set()))
            if pool is not None and status in (Status.VIOLATION, Status.CANNOT_DETERMINE):
                none, rests = self.no_supplier(clause, pool.get("category"))
                if none:  # KMT-11: no business that could supply the part exists at all
                    self.findings.append(Finding(
                        subject=subj, subject_kind=path_text(clause["subject"]), period=year, stage=stage,
                        status=Status.NOT_APPLICABLE, exception=pool["id"], measured=f["measured"],
                        threshold=None if isinstance(at_least, Missing) else str(at_least),
                        evidence=tuple(sorted(g.evidence)), evidence_count=g.evidence_count,
                        channels=ordered_channels(g.channels),
                        explanation=explain.no_supplier_text(clause, pool, subj, year, pool.get("category") or "?"),
                        **self.base(clause)))
                    continue
                g.assumptions.update(a for a in rests if a not in self.assume_off)
            self.findings.append(Finding(
                subject=subj, subject_kind=path_text(clause["subject"]), period=year, stage=stage, status=status,
                measured=f["measured"], threshold=None if isinstance(at_least, Missing) else str(at_least),
                evidence=tuple(sorted(g.evidence)), evidence_count=g.evidence_count,
                channels=ordered_channels(g.channels),
                missing=tuple(missing) if status is Status.CANNOT_DETERMINE else (),
                explanation=explain.share_text(clause, label, f, at_least, subj, year, stage, missing),
                **({"assumptions": tuple(sorted(g.assumptions))} if g.assumptions else {}),
                **self.base(clause)))

    # exists --------------------------------------------------------------------------
    def exists(self, clause: dict, given_matches: Mapping[tuple, tuple] | None = None,
               carried: Carried | None = None, given_rows: list[list[str] | None] | None = None) -> None:
        """``given_matches``: per (dated purchase id, category), the matching computed elsewhere (the
        bulk path's SQL, :mod:`perbup_rules.bulk.match`): (ids of the related records that match,
        ids of those that may, the missing names of those that may). Those subjects' match rows are
        not built here, but for the first ones (about :data:`CHECKED_ROWS` rows), which are and must
        give the same; any difference stops evaluation.

        ``carried``: these subjects are one batch of several (see :class:`Carried`); the grouped
        required partnerships are added by :meth:`finish` after the last.

        ``given_rows``: per purchase (of ``self.purchases``), its verdict atom row computed
        elsewhere, the matching pseudo-atoms (``found``, ``possible``) aside, or None; used for
        a dated purchase of a clause without categories, rechecked as :meth:`each` rechecks."""
        over = clause["over"]
        if needs_reports(clause) and not self.dataset.reports_read:
            return  # no reports table: not evaluated (duties.not_evaluated_reports says so)
        vfns = self.atom_fns(clause, "verdict", over)
        mfns = self.atom_fns(clause, "match", clause["related"], over)
        link = clause["link"]
        link_from = clause.get("link_from", "id")
        related: dict[str, list[Partnership]] = defaultdict(list)
        for k in (self.dataset.reports if clause["related"] == "reports" else self.dataset.partnerships):
            ref = getattr(k, link)
            if ref is not None:
                related[ref].append(k)
        categories = clause["categories"] or [None]
        # subjects, each with its period(s)
        subjects: list[tuple[Any, int | None, _dt.date | None]] = []
        undated: dict[int, list[int]] = {}  # subject index of an undated purchase's first day -> all its days
        if over == "purchases":
            subjects, undated = self.purchase_days(clause)
        else:  # per period, the parties that may be subjects (one row of subject atoms per group: party_rows)
            pr, members = self.party_subjects(clause)
            for year, kept in members.items():
                subjects.extend((pr.parties[n], year, _dt.date(year, 12, 31)) for n in kept)
        # match decisions for every (subject, category) x related record; the atoms that read the
        # related record alone are worked out once per record and year (a supplier's partnership
        # is matched against each of its awards: most of an audit's time otherwise)
        own = _related_only(clause["decisions"]["match"]["atoms"], clause["related"], mfns)
        rest = [(i, f) for i, f in enumerate(mfns) if i not in own]
        known_part: dict[tuple[int, int | None], list[str]] = {}
        mrows, mkeys = [], []
        found: dict[tuple, list[str]] = defaultdict(list)
        maybe: dict[tuple, list[str]] = defaultdict(list)
        maybe_missing: dict[tuple, set] = defaultdict(set)
        check: list[tuple[tuple[int, int], tuple]] = []  # given matches recomputed here
        whole = carried is None  # one call over every subject: its grouped remedies are added here
        carried = carried or Carried()
        n_checked = carried.match_rows_checked  # match rows built for them
        periods: dict[int | None, Period | None] = {None: None}  # one (frozen) Period per year

        def period_of(year: int | None) -> Period | None:
            got = periods.get(year, False)
            if got is False:
                got = periods[year] = Period.of(year, due_date(clause, year))  # type: ignore[arg-type]
            return got  # type: ignore[return-value]

        for si, (rec, year, day) in enumerate(subjects):
            period = period_of(year)
            for ci, cat in enumerate(categories):
                given = given_matches.get((rec.id, cat)) if given_matches is not None and rec.date is not None else None
                if given is not None:
                    if n_checked >= CHECKED_ROWS:  # kept only when there is something (read with .get)
                        if given[0]:
                            found[(si, ci)] = list(given[0])
                        if given[1]:
                            maybe[(si, ci)] = list(given[1])
                        if given[2]:
                            maybe_missing[(si, ci)] = set(given[2])
                        continue
                    check.append(((si, ci), given))
                    built = len(mrows)
                for k in related.get(getattr(rec, link_from), ()) if getattr(rec, link_from) is not None else ():
                    ctx = Ctx(rec=k, subject=rec, category=cat, period=period, day=day, year=year)
                    base = known_part.get((id(k), year))
                    if base is None:
                        base = known_part[(id(k), year)] = [f(ctx, []) if i in own else "" for i, f in enumerate(mfns)]
                    row = base.copy()
                    for i, f in rest:
                        row[i] = f(ctx, [])
                    mrows.append(row)
                    mkeys.append((si, ci, k.id, ctx))
                if given is not None:
                    n_checked += len(mrows) - built
        carried.match_rows_checked = n_checked
        mlabels = self.decide(clause, "match", mrows)
        mdec = D.from_json(clause["decisions"]["match"])
        for (si, ci, kid, mctx), mrow, label in zip(mkeys, mrows, mlabels):
            if label == "t":
                found[(si, ci)].append(kid)
            elif label == "u":
                maybe[(si, ci)].append(kid)
                maybe_missing[(si, ci)].update(relevant_missing(mdec, mfns, mctx, mrow, label))
        for key, (g_found, g_maybe, g_missing) in check:
            mine = (sorted(found[key]), sorted(maybe[key]), sorted(maybe_missing[key]))
            if mine != (sorted(g_found), sorted(g_maybe), sorted(set(g_missing))):
                raise EngineError(f"{clause['id']}: {subjects[key[0]][0].id}: matches {(sorted(g_found), sorted(g_maybe), sorted(set(g_missing)))} "
                                  f"computed column-wise differ from {mine} computed per record (bulk path bug)",
                                  ENGINE_CONTRACT)
        vrows, vitems = [], []
        nothing: tuple = ()
        given_of = ({id(rec): row for rec, row in zip(self.purchases, given_rows) if row is not None}
                    if given_rows is not None and over == "purchases" and categories == [None] else {})
        recheck = carried.recheck
        for si, (rec, year, day) in enumerate(subjects):
            period = period_of(year)
            for ci, cat in enumerate(categories):
                n_found, n_maybe = len(found.get((si, ci), nothing)), len(maybe.get((si, ci), nothing))
                missing = []
                ctx = Ctx(rec=rec, category=cat, period=period, day=day, year=year)
                pseudo = {0: in_force(clause, day), 1: "t" if n_found >= clause["min_count"] else "f",
                          2: "t" if n_found + n_maybe >= clause["min_count"] else "f"}
                given = given_of.get(id(rec)) if given_of and rec.date is not None else None
                if given is not None:  # the SQL row, with the matching worked out here
                    given = [given[0], pseudo[1], pseudo[2], *given[3:]]
                vrows.append(recheck.take(given, lambda: self.row(vfns, ctx, missing, pseudo),
                                          lambda: f"{clause['id']}: {rec.id}: verdict atoms"))
                vitems.append((si, ci, rec, year, cat, ctx, missing))
        vlabels = self.decide(clause, "verdict", vrows)
        vdec = D.from_json(clause["decisions"]["verdict"])
        made: dict[tuple[int, int], tuple[Finding, RequiredPartnership | None]] = {}
        texts: dict[tuple, explain.ExistsText] = {}  # findings that differ only by subject share a maker
        base, threshold = self.base(clause), str(clause["min_count"])
        kind = over[:-3] + "y" if over == "parties" else over[:-1]
        for (si, ci, rec, year, cat, ctx, missing), row, label in zip(vitems, vrows, vlabels):
            status = STATUS[label]
            if status is Status.CANNOT_DETERMINE and label != "no_date":
                missing = relevant_missing(vdec, vfns, ctx, row, label)
            key = (si, ci)
            g_found, g_maybe, g_missing = found.get(key, nothing), maybe.get(key, nothing), maybe_missing.get(key)
            ev = sorted(g_found) or sorted(g_maybe)
            miss = sorted(set(missing) | g_missing) if g_missing else sorted(set(missing)) if missing else []
            if label == "no_date":
                miss.append("date")
            tkey = (label, year, cat, len(g_found), tuple(miss))
            maker = texts.get(tkey)
            if maker is None:
                maker = texts[tkey] = explain.ExistsText(clause, *tkey)
            made[key] = (Finding(
                subject=rec.id, subject_kind=kind, period=year,
                stage=getattr(rec, "stage", None), category=cat, status=status,
                measured=str(len(g_found)), threshold=threshold,
                evidence=tuple(ev) if ev else (rec.id,) if over == "purchases" else (),
                missing=tuple(miss) if status is Status.CANNOT_DETERMINE else (),
                explanation=maker.of(rec.id), **base), ctx)
        for first, days in undated.items():
            for ci, cat in enumerate(categories):
                rec = subjects[first][0]
                merged = merge_variants([made.pop((d, ci))[0] for d in days], "date",
                                        explain.exists_text(clause, "no_date", rec.id, None, cat, 0, ["date"]),
                                        purchase_period(rec))
                if merged is not None:  # a violation on every possible day: the remedy of its first day
                    made[(first, ci)] = (merged, vitems[first * len(categories) + ci][5])
        pool = clause.get("unless_no_supplier")
        grouped: dict[tuple, tuple[RequiredPartnership, list[str]]] = carried.grouped
        # made is in subject order unless undated purchases' days were merged into their first
        for (si, ci), (f, ctx) in (sorted(made.items()) if undated else made.items()):
            if pool is not None and f.status in (Status.VIOLATION, Status.CANNOT_DETERMINE):
                cat = self.remedy_category(clause, ctx, f.category)
                if cat is not None and self.no_supplier(clause, cat)[0]:
                    f = replace(f, status=Status.NOT_APPLICABLE, exception=pool["id"], missing=(),
                                explanation=explain.no_supplier_text(clause, pool, f.subject, f.period, cat))
            if f.status in (Status.VIOLATION, Status.CANNOT_DETERMINE) and clause.get("due"):
                due = not_yet_due(clause, f.period, self.as_of)
                if due is not None:  # the deadline is after the audit date: nothing is late yet
                    f = replace(f, status=Status.NOT_APPLICABLE, exception=NOT_YET_DUE, missing=(),
                                explanation=not_yet_due_text(clause, f.subject, f.period, due, self.as_of))
            self.findings.append(f)
            if f.status is Status.VIOLATION and clause.get("remedy"):
                rec, year, _day = subjects[si]
                if not clause["remedy"].get("grouped"):
                    self.required.append(self.remedy(clause, rec, ctx, f.category, year))
                    continue
                key = (*self.remedy_target(clause, ctx, f.category), year)
                prev = grouped.get(key)
                if prev is None:  # the first subject's partnership, with candidates; later ones add evidence
                    need = self.remedy(clause, rec, ctx, f.category, year, candidates=False)
                    grouped[key] = (self.with_candidates(clause, need, rec), list(need.evidence))
                else:
                    prev[1].append(rec.id)  # a grouped partnership's evidence: its subjects
        if whole:
            self.finish(carried)

    def finish(self, carried: Carried) -> None:
        """After the last batch of an exists clause's subjects: its grouped required partnerships."""
        self.required.extend(replace(need, evidence=tuple(ev)) for need, ev in carried.grouped.values())
        carried.grouped = {}

    def remedy_getters(self, clause: dict) -> tuple[Callable[[Ctx], Any] | None, Callable[[Ctx], Any] | None]:
        """The getters of a clause's remedy ``party`` and ``category`` (None where it names none),
        made once per clause: a clause asks them per violation."""
        hit = self._remedy_getters.get(clause["id"])
        if hit is None or hit[0] is not clause:
            r = clause.get("remedy") or {}
            comp = self.compiled(clause["over"])
            hit = self._remedy_getters[clause["id"]] = (
                clause, comp.value(r["party"]) if r.get("party") else None,
                comp.value(r["category"]) if r.get("category") else None)
        return hit[1], hit[2]

    def remedy_category(self, clause: dict, ctx: Ctx, cat: str | None) -> str | None:
        """The category a subject's missing partnership is for: the one judged, else the remedy's field."""
        if cat is None:
            get = self.remedy_getters(clause)[1]
            if get is not None:
                c = get(ctx)
                cat = None if isinstance(c, Missing) else c
        return cat

    def no_supplier(self, clause: dict, category: str | None) -> tuple[bool, tuple[str, ...]]:
        """(True when no party of the data or the registries may meet ``unless_no_supplier.where``
        for ``category`` (every one is false: an unknown one may supply it); the named assumptions
        the answer rests on: flipped, they would change it)."""
        cache = self._pool.setdefault(clause["id"], {})
        if category not in cache:
            comp = Compiled(self.env, None, clause["over"])
            fns = [comp.atom(a) for a in clause["decisions"]["supplier_pool"]["atoms"]]
            year = self.periods[-1] if self.periods else None
            # every party's row, one per group of parties that read the same values (party_rows):
            # "no party may" holds of the parties exactly when it holds of their distinct rows
            groups = self.party_rows(clause["decisions"]["supplier_pool"]["atoms"], None, clause["over"],
                                     "candidate", every=True)
            rows = groups.rows(fns, year, lambda p: Ctx(candidate=p, category=category, year=year), {})[1]
            labels = self.decide(clause, "supplier_pool", rows)
            none = all(lab == "f" for lab in labels)
            rests = []  # the answer rests on an assumption when, flipped, the answer changes
            pos = _assumptions.positions(clause["decisions"]["supplier_pool"]["atoms"])
            dec = D.from_json(clause["decisions"]["supplier_pool"])
            for aid, idx in sorted(pos.items()):
                flipped = [[("t" if r[i] == "f" else "f") if i in idx else v for i, v in enumerate(r)] for r in rows]
                if all(D.decide(dec, r) == "f" for r in flipped) != none:
                    rests.append(aid)
            cache[category] = (none, tuple(rests))
        return cache[category]

    def remedy(self, clause: dict, rec: Any, ctx: Ctx, cat: str | None, year: int | None,
               candidates: bool = True) -> RequiredPartnership:
        """The partnership a violation asks for; its candidates too unless ``candidates`` is false
        (a grouped remedy lists them once per party, category and period: :meth:`with_candidates`)."""
        r = clause["remedy"]
        party, category = self.remedy_target(clause, ctx, cat)
        on_purchase = clause["over"] == "purchases"
        grouped = bool(r.get("grouped"))
        need = RequiredPartnership(
            party=party, clause=clause["id"], period=year, category=category,
            purchase=rec.id if on_purchase and not grouped else None, evidence=(rec.id,) if grouped else (),
            candidate_count=0)
        return self.with_candidates(clause, need, rec) if candidates else need

    def remedy_target(self, clause: dict, ctx: Ctx, cat: str | None) -> tuple[str | None, str | None]:
        """(party, category) of the partnership a violation asks for (None where unknown): the
        remedy's ``party`` and its ``category`` when it names one, else ``cat``."""
        get_party, get_category = self.remedy_getters(clause)
        party = get_party(ctx)  # type: ignore[misc]
        category = cat
        if get_category is not None:
            c = get_category(ctx)
            category = None if isinstance(c, Missing) else c
        return (None if isinstance(party, Missing) else party), category

    def with_candidates(self, clause: dict, need: RequiredPartnership, subject: Any) -> RequiredPartnership:
        """``need`` with its ranked candidates: the first :attr:`max_candidates` (all for 0) and
        ``candidate_count``, how many there are (perbup_rules.candidates)."""
        if not clause["remedy"].get("candidates"):
            return need
        pools = self._candidates.get(clause["id"])
        if pools is None:
            pools = self._candidates[clause["id"]] = Candidates(self, clause)
        ranked, count = pools.ranked(subject, need.category, need.period)
        listed = tuple(ranked if not self.max_candidates else islice(ranked, self.max_candidates))
        maybe = pools.unverified(subject, need.category, need.period)
        return replace(need, candidates=listed, unverified=tuple(c for c in listed if c in maybe),
                       candidate_count=count)

    def run(self, clause_ids: Iterable[str] | None = None) -> None:
        wanted = None if clause_ids is None else set(clause_ids)
        for clause in self.ruleset.clauses:
            if clause["kind"] == "classify":
                self.classify(clause)  # always: other clauses depend on derived attributes
        self.facts()
        for clause in self.ruleset.clauses:
            if wanted is not None and clause["id"] not in wanted:
                continue
            kind = clause["kind"]
            if kind == "each":
                self.each(clause)
            elif kind == "share":
                self.share(clause)
            elif kind == "exists":
                self.exists(clause)
            elif kind == "window":
                self.window(clause)

    def window(self, clause: dict, given: list | None = None, check: list | None = None) -> None:
        """A window clause (KMT-04, package splitting): see :mod:`perbup_rules.windows`
        (``given``, ``check``: certain members worked out column-wise, :func:`~.windows.judge_window`)."""
        from .windows import judge_window

        judge_window(self, clause, given, check)


def _widened(num: Any, den: Any, parts: list[tuple[Any, Any]], lower: bool) -> Fraction:
    """``num / den`` moved outwards (down for ``lower``, else up) by the possible members ``parts``
    ((part, value) each) that move it: taken in order of their own ratio (ascending for the lower
    bound), each is added when its ratio is beyond the bound so far; exact (Group.bounds).

    Members of one ratio are all added or none (adding one leaves the bound beyond that ratio;
    when the bound has no denominator yet, the first ratio's members set it to that ratio, and no
    later ratio is beyond it), so the members are summed per ratio (reduced with gcd for
    integers) and only the distinct ratios are sorted: a share group widened by a hundred
    thousand purchases without a PPK has few."""
    if any(v < 0 for _p, v in parts):  # a negative value (never from the importers): one at a time
        n, d = Fraction(num), Fraction(den)
        for p, v in sorted(((Fraction(p), Fraction(v)) for p, v in parts), key=lambda t: t[0] / t[1],
                           reverse=not lower):
            if d == 0 or ((p / v < n / d) if lower else (p / v > n / d)):
                n, d = n + p, d + v
        return n / d
    exact_ints = all(type(p) is int and type(v) is int for p, v in parts)
    if not exact_ints:  # Decimal (sen) figures: Fractions, exact
        parts = [(Fraction(p), Fraction(v)) for p, v in parts]
    classes: dict[Any, list] = {}  # ratio -> [sum of parts, sum of values]
    for p, v in parts:
        if exact_ints:
            g = gcd(p, v) or 1
            key: Any = (p // g, v // g) if v > 0 else (-p // g, -v // g)
        else:
            key = p / v
        c = classes.get(key)
        if c is None:
            classes[key] = [p, v]
        else:
            c[0] += p
            c[1] += v
    ratio = (lambda k: Fraction(k[0], k[1])) if exact_ints else (lambda k: k)
    n, d = Fraction(num), Fraction(den)
    for key in sorted(classes, key=ratio, reverse=not lower):
        total_p, total_v = classes[key]
        if d == 0 or ((ratio(key) < n / d) if lower else (ratio(key) > n / d)):
            n, d = n + total_p, d + total_v
    return n / d


@dataclass
class Group:
    """Exact sums for one share group (integers, or Decimal when a source gave sen)."""

    total: Any = 0
    known: Any = 0
    part_unknown: Any = 0
    member_unknown: Any = 0
    evidence: list[str] = field(default_factory=list)
    missing: set = field(default_factory=set)
    total_missing: list[str] = field(default_factory=list)
    #: members in all, when ``evidence`` holds only some of them (the bulk path caps it)
    evidence_count: int | None = None
    #: the channels the members came from (records.CHANNELS, or "unknown")
    channels: set = field(default_factory=set)
    #: possible members (an unknown date or subject): (value, least part, greatest part)
    maybe: list = field(default_factory=list)
    #: values of the ``subject_parent`` of the members (e.g. the buyers of a PPK)
    parents: set = field(default_factory=set)
    #: named assumptions (on) that some member's part or membership rests on
    assumptions: set = field(default_factory=set)

    def copy(self) -> "Group":
        """An equal group whose lists and sets are its own."""
        return Group(**{f.name: _copy(getattr(self, f.name)) for f in fields(self)})

    def add_evidence(self, rid: str) -> None:
        self.evidence.append(rid)
        if self.evidence_count is not None:
            self.evidence_count += 1

    def bounds(self) -> tuple[Fraction, Fraction] | None:
        """The least and the greatest share the unknowns allow, exactly.

        Members of unknown membership (``member_unknown``) count in the denominator of both
        bounds with no qualifying part (lower) or all of it (upper): including them is optimal
        for both. A possible member is included in a bound only when that moves the bound
        outwards; taken in order of its own ratio, this greedy choice is exact for a ratio.
        """
        den = self.total + self.member_unknown
        lo_num, hi_num = self.known, self.known + self.part_unknown + self.member_unknown
        items = [(v, a, b) for v, a, b in self.maybe if v]
        if den == 0 and not items:
            return None
        return (_widened(lo_num, den, [(a, v) for v, a, _b in items], lower=True),
                _widened(hi_num, den, [(b, v) for v, _a, b in items], lower=False))

    def facts(self, at_least: Any, period_known: bool) -> dict:
        den = self.total + self.member_unknown
        b = self.bounds()
        if isinstance(at_least, Missing) or b is None or self.total_missing:
            lower = upper = None
        else:
            lower, upper = b
        t = Fraction(at_least) if not isinstance(at_least, Missing) else None
        row = [
            "t" if period_known else "f",
            "t" if den == 0 and not self.maybe and not self.total_missing else "f",
            "t" if lower is not None and lower >= t else "f",
            "f" if (upper is not None and upper < t) else "t",
        ]
        if isinstance(at_least, Missing) or self.total_missing:
            row[2], row[3] = "f", "t"  # cannot decide: neither bound is usable
        measured = None if lower is None else ratio_text(lower)
        if lower is not None and upper != lower:
            measured = f"{ratio_text(lower)}..{ratio_text(upper)}"
        return {"row": row, "measured": measured, "lower": lower, "upper": upper, "known": self.known,
                "total": self.total,
                "unknown": self.part_unknown + self.member_unknown + sum(v for v, _a, _b in self.maybe)}


def _period_end_ctx(year: int, period: Period) -> Callable[[Any], Ctx]:
    """A party's context in a clause over parties: the party on the period's last day."""
    return lambda rec: Ctx(rec=rec, day=period.end, year=year, period=period)


def capped(a: Any, b: Any, cap: Any, missing: set) -> tuple[Any, Any]:
    """A part known to lie in [a, b], limited by ``cap`` (``part_at_most``): None is no limit, a
    set names the fields that leave the limit unknown (the part counted then lies in [0, b])."""
    if cap is None:
        return a, b
    if isinstance(cap, set):
        if b:
            missing.update(cap)
            return 0, b
        return a, b
    return min(a, cap), min(b, cap)


def atoms_of(logic: dict) -> list[int]:
    """Indexes of the atoms a logic tree reads."""
    if "atom" in logic:
        return [logic["atom"]]
    if "not" in logic:
        return atoms_of(logic["not"])
    return [i for part in logic.get("and", logic.get("or", [])) for i in atoms_of(part)]


def _related_only(atoms: list[dict], related: str, fns: list) -> frozenset[int]:
    """The atoms of an exists clause's ``match`` decision whose value depends only on the related
    record and the year: every path they read starts at the related record (not at ``subject``,
    ``category``, ``period`` or ``candidate``) and no parameter (a parameter reads the day). A
    related record's relations (``partner.umkk``) are the same all run; derived attributes are
    per year, hence the year in the key. Pseudo-atoms are never among them."""
    fields = schema.TABLE_FIELDS.get(related, {})

    def only(t: Any) -> bool:
        if isinstance(t, dict):
            op = t.get("op")
            if op in ("param", "in_force", "fact"):
                return False
            if op == "path" and t["path"][0] in ("subject", "category", "period", "candidate") \
                    and t["path"][0] not in fields:
                return False
            return all(only(v) for v in t.values())
        if isinstance(t, list):
            return all(only(v) for v in t)
        return True

    return frozenset(i for i, (a, f) in enumerate(zip(atoms, fns)) if f is not None and only(a))


def unknown_why(clause: dict, label: str, dec: list, fns: list, ctx: Ctx, row: list[str],
                known_why: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The party fields that left a classification unknown: the clause's ``default_missing`` when
    its default gave no value; when a case was unknown, those recorded for the derived attributes
    its unknown atoms read (``known_why``). A value
    taken from an empty field (``value_from``) names nothing here: the attribute itself is named."""
    if label == "default":
        return tuple(clause.get("default_missing") or ())
    if label.startswith("case:"):
        return ()
    out: set[str] = set()
    for path in relevant_missing(dec, fns, ctx, row, label):
        if path in known_why:  # fields read directly are not added: the attribute is named
            out.update(known_why[path])
    return tuple(sorted(out))


def derived_missing(missing: list[str], rec: Any, over: str, year: int | None, env: Env) -> list[str]:
    """For each missing derived attribute of a party (``supplier.umkk``, or ``umkk`` in a clause
    over parties), the party fields recorded as leaving it unknown, on the same path
    (``supplier.annual_sales_idr``). Only clauses of kind ``each`` name them."""
    table = over
    out: list[str] = []
    for path in missing:
        parts = path.split(".")
        if len(parts) == 1 and table == "parties":
            party_id, prefix = rec.id, ""
        elif len(parts) == 2 and parts[0] in schema.RELATIONS.get(table, {}):
            fk, target = schema.RELATIONS[table][parts[0]]
            if target != "parties":
                continue
            party_id, prefix = getattr(rec, fk, None), parts[0] + "."
        else:
            continue
        if party_id is None:
            continue
        why = env.derived_why.get(year if year is not None else env.default_year, {}).get(party_id, {}).get(parts[-1])
        out.extend(prefix + w for w in why or ())
    return out


#: (id of a decision, atom row, label) -> (the decision, the unknown atoms that could change the
#: label): a pure function of the row, asked once per cannot-determine finding; bounded
_RELEVANT: dict[tuple, tuple[list, tuple[int, ...]]] = {}


def relevant_missing(dec: list, fns: list, ctx: Ctx, row: list[str], label: str) -> list[str]:
    """Paths read by unknown atoms whose value could change the outcome (the data worth adding)."""
    key = (id(dec), tuple(row), label)
    hit = _RELEVANT.get(key)
    if hit is None or hit[0] is not dec:
        which = tuple(i for i, (f, v) in enumerate(zip(fns, row)) if f is not None and v == "u"
                      and D.changes_label(dec, row, i, label))
        if len(_RELEVANT) >= 50_000:
            _RELEVANT.clear()
        hit = _RELEVANT[key] = (dec, which)
    out: list[str] = []
    for i in hit[1]:
        fns[i](ctx, out)
    return sorted(set(out))


def _group_day(clause: dict, year: int | None) -> _dt.date | None:
    """The day whose parameter values judge a group: the period's last day, or the clause's
    last day in force when it ends earlier."""
    if year is None:
        return None
    day = _dt.date(year, 12, 31)
    vu = clause.get("valid_until")
    return min(day, _dt.date.fromisoformat(vu)) if vu else day


def partnership_active(k: Partnership, period: Period) -> str:
    """'t' if active at some day of the period, 'f' if not, 'u' when its start date is missing."""
    if k.start_date is None:
        return "u"
    if k.start_date > period.end:
        return "f"
    if k.end_date is not None and k.end_date < period.start:
        return "f"
    return "t"


def each_status(label: str, clause: dict) -> tuple[Status, str | None]:
    if label.startswith("exception:"):
        return Status.COMPLIANT, clause["unless"][int(label.split(":")[1])]["id"]
    return STATUS[label], None


def unit_of(ruleset: Ruleset, clause: dict) -> str | None:
    """The unit of a clause's measured value: ratio for shares, count for exists, else the
    unit of the parameter of the comparison its measured value comes from (explain.measured_atoms)."""
    if clause["kind"] == "share":
        return "ratio"
    if clause["kind"] == "exists":
        return "count"
    if clause["kind"] == "window":
        return "idr"
    atoms = clause.get("decisions", {}).get("verdict", {}).get("atoms", [])
    required, applies = explain.measured_atoms(clause)
    for i in required + applies:  # the comparisons measured/threshold come from
        a = atoms[i]
        param = a["right"] if a["right"].get("op") == "param" else a["left"]
        return ruleset.params.get(param["name"], {}).get("unit")
    return None


def path_text(t: dict | None) -> str:
    if not t:
        return "?"
    return ".".join(t["path"]) if t.get("op") == "path" else t.get("op", "?")

__all__ = ["Judge", "Group", "STATUS", "each_status", "path_text", "Tracer", "CHECKED_ROWS", "Carried"]
