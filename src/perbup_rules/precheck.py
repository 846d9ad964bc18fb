"""The pre-award check: judge one package before it is awarded, against the records already there.

An audit judges everything: a one-purchase dataset would make KMT-01 say the agency
misses its 40% on the strength of one package. Before award the questions are narrower:

* the **per-package** clauses (``each`` and ``exists`` over purchases: KMT-03, KMT-05,
  KMT-12.1, KMT-14, ...) judged on this package alone, with the context's parties,
  their classifications for the package's year, and the context's partnerships;
* for every **share** clause the package belongs to (KMT-01, 02, 11, 12.2, 15.3): the
  subject's standing before and after adding the package (measured share, threshold,
  status), from exactly the sums an audit of the same year would take.

Nothing else is judged: window clauses (KMT-04, package splitting) judge several packages over
30 days together, so a check lists them in ``not_judged`` with the reason instead. :class:`PackageChecker` indexes a context once (classifications
and share sums per year, built on first use of that year) so each :meth:`~PackageChecker.check`
is cheap enough for every keystroke of a form; :func:`check_package` is the one-shot entry.
The verdicts are the evaluator's own (the same ``Judge`` code paths, the same engine
decisions), not a re-implementation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Mapping

from . import errors
from .compiler.ruleset import Ruleset
from .engine import get_engine
from .errors import RecordError, UsageError
from .judge import Group, Judge
from .findings import Finding, RequiredPartnership
from .periods import purchase_period
from .records import Dataset, Purchase


@dataclass(frozen=True)
class Standing:
    """A share clause's group (subject, year, stage) the package joins: before and after adding it."""

    clause: str
    citation: str
    subject: str | None
    period: int | None
    stage: str | None
    before: Finding
    after: Finding
    #: what the subject is (``ppk_id``; ``buyer_id`` for the group of a buyer's purchases whose PPK is unknown)
    subject_kind: str | None = None

    @property
    def flips(self) -> bool:
        return self.before.status is not self.after.status

    def to_dict(self) -> dict[str, Any]:
        def side(f: Finding) -> dict[str, Any]:
            return {"status": f.status.value, "measured": f.measured, "threshold": f.threshold,
                    "members": f.evidence_count if f.evidence_count is not None else len(f.evidence),
                    "explanation": f.explanation.to_dict(), "missing": list(f.missing)}

        return {"clause": self.clause, "citation": self.citation, "subject": self.subject,
                "subject_kind": self.subject_kind, "period": self.period,
                "stage": self.stage, "before": side(self.before), "after": side(self.after), "flips": self.flips}


@dataclass(frozen=True)
class PackageCheck:
    """What :meth:`PackageChecker.check` found for one package."""

    purchase: str
    period: int | None
    findings: list[Finding]
    standings: list[Standing]
    not_member: list[str] = field(default_factory=list)
    required_partnerships: list[RequiredPartnership] = field(default_factory=list)
    #: clauses a package check does not judge, with the reason (window clauses such as KMT-04)
    not_judged: list[dict[str, str]] = field(default_factory=list)

    @property
    def compliant(self) -> bool | None:
        """False if a per-package verdict is a violation or a share falls to violation by this package;
        None if something cannot be determined; True otherwise."""
        statuses = [f.status.value for f in self.findings]
        worsens = [s for s in self.standings if s.after.status.value == "violation" and s.before.status.value != "violation"]
        if "violation" in statuses or worsens:
            return False
        if "cannot_determine" in statuses:
            return None
        return True

    def to_dict(self) -> dict[str, Any]:
        return {
            "purchase": self.purchase,
            "period": self.period,
            "compliant": self.compliant,
            "findings": [f.to_dict() for f in self.findings],
            "shares": [s.to_dict() for s in self.standings],
            "not_member_of": self.not_member,
            "required_partnerships": [r.to_dict() for r in self.required_partnerships],
            "not_judged": list(self.not_judged),
        }


#: why a package check leaves window clauses out (PackageCheck.not_judged)
WINDOW_REASON = ("a window clause judges several packages of a buyer together (package splitting, KMT-04); "
                 "one package before award is not such a group: judge it in an audit")


class _IndexRun(Judge):
    """A run that keeps the context's share groups instead of judging them, and forms them
    again with one package added, as an audit of the context plus the package would.

    An audit forms share groups in two steps (:meth:`Judge.share`): dated purchases of known
    subject make the groups (``share_groups``); the rest (undated, or without a subject, such as
    KMT-02 purchases without ``ppk_id``) are then members or *possible* members of the groups
    that exist (``share_widen``). A package changes only its own groups, unless it opens a
    group (or adds a parent to one) that the context's rest would then also join; only then is
    the second step run again over the context's rest, which gives the same groups exactly.
    Engine decisions are pure functions of the atom rows, so each distinct row is decided once.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        #: per share clause, the context's groups after the first step (sums only)
        self.dated_groups: dict[str, dict[tuple, Group]] = {}
        #: per share clause, the context's purchases the second step places
        self.rest: dict[str, list[Purchase]] = {}
        #: per share clause, the context's final groups and its groups of unknown subject
        self.context_groups: dict[str, dict[tuple, Group]] = {}
        self.context_unknown: dict[str, dict[tuple, Group]] = {}
        #: a check: the groups formed with the package (those it is in, at least), and those of unknown subject
        self.formed: tuple[dict[tuple, Group], dict[tuple, Group]] = ({}, {})
        #: a check: the periods the package may count in
        self.package_years: set[int | None] = set()
        self.indexing = True
        self._memo: dict[tuple, str] = {}

    def decide(self, clause: dict, decision: str, rows: list[list[str]]) -> list[str]:
        memo, cid = self._memo, clause["id"]
        todo = list({tuple(r) for r in rows if (cid, decision, tuple(r)) not in memo})
        if todo:
            for r, label in zip(todo, super().decide(clause, decision, [list(r) for r in todo])):
                memo[(cid, decision, r)] = label
        return [memo[(cid, decision, tuple(r))] for r in rows]

    def share_groups(self, clause: dict, purchases: list) -> dict[tuple, Group]:
        groups = super().share_groups(clause, purchases)
        if self.indexing:
            self.dated_groups[clause["id"]] = {k: _light(g, None) for k, g in groups.items()}
        return groups

    def share_widen(self, clause: dict, groups: dict[tuple, Group], purchases: list) -> dict[tuple, Group]:
        cid = clause["id"]
        if self.indexing:
            self.rest[cid] = list(purchases)
            return super().share_widen(clause, groups, purchases)
        # a check: ``groups`` holds the package's own group when it is dated with a known subject,
        # else ``purchases`` holds the package
        final, unknown = self.context_groups.get(cid, {}), self.context_unknown.get(cid, {})
        if groups:
            (key, g), = groups.items()
            if key in final and g.parents <= final[key].parents:
                self.formed = ({key: _light(final[key], g)}, {})
                return {}
            return self._again(clause, groups, [])
        stages = {p.stage for p in purchases} if clause["per_stage"] else {None}
        mine = {k: _light(g, None) for k, g in final.items() if k[2] in stages and k[1] in self.package_years}
        unk = super().share_widen(clause, mine, purchases)
        if any(k not in final and k[0] is not None for k in mine):  # it opened a group the rest may join
            return self._again(clause, {}, purchases)
        self.formed = (mine, {k: _light(unknown.get(k), g) for k, g in unk.items()})
        return {}

    def _again(self, clause: dict, groups: dict[tuple, Group], purchases: list) -> dict[tuple, Group]:
        """Both steps with the package: the context's first-step groups plus the package's own,
        then the second step over the context's rest (plus the package when it belongs there)."""
        cid = clause["id"]
        merged = {k: _light(g, None) for k, g in self.dated_groups.get(cid, {}).items()}
        for k, g in groups.items():
            merged[k] = _light(self.dated_groups.get(cid, {}).get(k), g)
        unknown = super().share_widen(clause, merged, self.rest.get(cid, []) + list(purchases))
        self.formed = (merged, unknown)
        return {}

    def share_verdicts(self, clause: dict, groups: dict[tuple, Group],
                       unknown: dict[tuple, Group] | None = None) -> None:
        if self.indexing:
            self.context_groups[clause["id"]] = groups
            self.context_unknown[clause["id"]] = unknown or {}


def _light(g: Group | None, plus: Group | None) -> Group:
    """A copy of a group's sums (without its member list, which can be 100k ids) plus another's."""
    out = Group()
    n = 0
    for src in (g, plus):
        if src is None:
            continue
        out.total += src.total
        out.known += src.known
        out.part_unknown += src.part_unknown
        out.member_unknown += src.member_unknown
        out.missing |= src.missing
        out.total_missing.extend(src.total_missing[:1])  # only whether any is missing matters
        out.channels |= src.channels
        out.maybe.extend(src.maybe)  # possible members (undated records) widen the bounds
        out.parents |= src.parents
        out.assumptions |= src.assumptions  # named assumptions the members rest on
        n += src.evidence_count if src.evidence_count is not None else len(src.evidence)
    out.evidence = list(plus.evidence) if plus is not None else []
    out.evidence_count = n
    return out


class PackageChecker:
    """Judge single packages against one context dataset, indexed once.

    Args:
        ruleset: the draft.
        context: the records already there (this year's plan, awards and contracts; the registry).
        engine: ``"reference"`` (default: cheapest per call) or ``"durable"``; both decide alike.

    A package is judged as an audit of the context plus the package, restricted to the
    package's period (``fiscal_year``, else its date's year), would judge it; an undated
    package without a fiscal year may belong to any period, so it is judged over every
    period of the context, as an audit of all of them would.

    Thread-safe: checks are serialised by a lock (each is short).
    """

    def __init__(self, ruleset: Ruleset, context: Dataset, engine: str = "reference"):
        self.ruleset = ruleset
        self.context = context
        self.engine = get_engine(engine)
        self.ids = {p.id for p in context.purchases}
        self.per_package = [c for c in ruleset.clauses if c["kind"] in ("each", "exists") and c.get("over") == "purchases"]
        self.shares = [c for c in ruleset.clauses if c["kind"] == "share"]
        self.classify = [c for c in ruleset.clauses if c["kind"] == "classify"]
        #: window clauses (KMT-04) judge several packages together over time: a split shows only among
        #: packages of 30 days, most of them not yet in any dataset when one package is checked
        self.not_judged = [{"clause": c["id"], "reason": WINDOW_REASON} for c in ruleset.clauses if c["kind"] == "window"]
        self.all_periods = context.periods()
        self._runs: dict[int | None, _IndexRun] = {}
        self._lock = threading.Lock()

    def index(self, year: int | None) -> _IndexRun:
        """The context indexed for one fiscal year (None: every period of the context, for an
        undated package without a fiscal year): classifications and share groups (built once)."""
        run = self._runs.get(year)
        if run is None:
            periods = [year] if year is not None else list(self.all_periods)
            run = _IndexRun(self.ruleset, self.context, self.engine, periods, None, None)
            for c in self.classify:
                run.classify(c)
            for c in self.shares:
                run.share(c)
            run.indexing = False
            self._runs[year] = run
        return run

    def check(self, purchase: Purchase | Mapping[str, Any]) -> PackageCheck:
        """The per-package verdicts and the share standings before and after adding ``purchase``.

        ``purchase`` is a :class:`Purchase` or a mapping of column -> cell (``Purchase.from_row``).
        Raises RecordError when the package is invalid, repeats a context purchase's id, or names
        a buyer or supplier the context does not hold.
        """
        if not isinstance(purchase, Purchase):
            purchase = Purchase.from_row(purchase)
        if purchase.id in self.ids:
            raise RecordError("Purchase", "id", errors.DUPLICATE_ROW, f"purchase id {purchase.id!r} is already in the context dataset")
        for col in ("buyer_id", "supplier_id"):
            ref = getattr(purchase, col)
            if ref is not None and ref not in self.context.parties:
                raise RecordError("Purchase", col, errors.UNKNOWN_REFERENCE, f"{col} {ref!r} names no party in the context dataset")
        year = purchase_period(purchase)
        with self._lock:
            run = self.index(year)
            return self._check(run, purchase, year)

    def _check(self, run: _IndexRun, purchase: Purchase, year: int | None) -> PackageCheck:
        saved = run.purchases, run.findings, run.required
        by_id = run.env.purchases_by_id
        by_id[purchase.id] = purchase
        try:
            run.purchases = [purchase]
            run.package_years = {year} if year is not None else set(run.periods)
            run.findings, run.required = [], []
            for c in self.per_package:
                (run.each if c["kind"] == "each" else run.exists)(c)
            findings = sorted(run.findings, key=Finding.sort_key)
            required = list(run.required)
            standings: list[Standing] = []
            not_member: list[str] = []
            for c in self.shares:
                cid = c["id"]
                run.share(c)  # the context's groups re-formed with the package (run.formed)
                groups, unknown = run.formed
                joined = False
                for of_unknown, formed, context in ((False, groups, run.context_groups.get(cid, {})),
                                                    (True, unknown, run.context_unknown.get(cid, {}))):
                    for key in sorted(formed, key=_order):
                        g = formed[key]
                        if purchase.id not in g.evidence:
                            continue
                        joined = True
                        sides = []
                        for grp in (_light(context.get(key), None), g):
                            run.findings = []
                            if of_unknown:
                                Judge.share_verdicts(run, c, {}, {key: grp})
                            else:
                                Judge.share_verdicts(run, c, {key: grp})
                            sides.append(run.findings[0])
                        standings.append(Standing(cid, c["citation"], key[0], key[1], key[2], sides[0], sides[1],
                                                  subject_kind=sides[1].subject_kind))
                if not joined:
                    not_member.append(cid)
            return PackageCheck(purchase.id, year, findings, standings, not_member, required, list(self.not_judged))
        finally:
            del by_id[purchase.id]
            run.purchases, run.findings, run.required = saved
            run.formed = ({}, {})


def _order(key: tuple) -> tuple:
    return (key[0] or "", key[1] if key[1] is not None else -1, key[2] or "")


def check_package(ruleset: Ruleset, purchase: Purchase | Mapping[str, Any], context: Dataset | None = None,
                  *, engine: str = "reference") -> PackageCheck:
    """Judge one package before award against ``context`` (see :class:`PackageChecker`).

    This indexes ``context`` on every call; to check many packages (a form, a service) hold
    one :class:`PackageChecker` and call its ``check``.
    """
    if context is None:
        context = Dataset()
    if not isinstance(context, Dataset):
        raise UsageError(f"context must be a Dataset, not {type(context).__name__}")
    return PackageChecker(ruleset, context, engine).check(purchase)
