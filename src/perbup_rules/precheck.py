"""The pre-award check: judge one package before it is awarded, against the records already there.

An audit judges everything: a one-purchase dataset would make KMT-01 say the agency
misses its 40% on the strength of one package. Before award the questions are narrower:

* the **per-package** clauses (``each`` and ``exists`` over purchases: KMT-03, KMT-05,
  KMT-12.1, KMT-14, ...) judged on this package alone, with the context's parties,
  their classifications for the package's year, and the context's partnerships;
* for every **share** clause the package belongs to (KMT-01, 02, 11, 12.2, 15.3): the
  subject's standing before and after adding the package (measured share, threshold,
  status), from exactly the sums an audit of the same year would take.

Nothing else is judged. :class:`PackageChecker` indexes a context once (classifications
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

    @property
    def flips(self) -> bool:
        return self.before.status is not self.after.status

    def to_dict(self) -> dict[str, Any]:
        def side(f: Finding) -> dict[str, Any]:
            return {"status": f.status.value, "measured": f.measured, "threshold": f.threshold,
                    "members": f.evidence_count if f.evidence_count is not None else len(f.evidence),
                    "explanation": f.explanation.to_dict(), "missing": list(f.missing)}

        return {"clause": self.clause, "citation": self.citation, "subject": self.subject, "period": self.period,
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
        }


class _IndexRun(Judge):
    """A run whose share clauses keep their groups instead of judging them."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.groups: dict[str, dict[tuple, Group]] = {}
        self.context_groups: dict[str, dict[tuple, Group]] = {}
        self.capture = True

    def share_verdicts(self, clause: dict, groups: dict[tuple, Group],
                       unknown: dict[tuple, Group] | None = None) -> None:
        # ``unknown``: groups of records without a subject (KMT-02 without ppk_id); a package
        # check reports the standing of the package's own subject, so they are not captured.
        if self.capture:
            self.groups[clause["id"]] = groups
        else:
            super().share_verdicts(clause, groups, unknown)


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
        periods = context.periods()
        self.default_year = max(periods) if periods else None
        self._runs: dict[int | None, _IndexRun] = {}
        self._lock = threading.Lock()

    def index(self, year: int | None) -> _IndexRun:
        """The context indexed for one fiscal year: classifications and share sums (built once)."""
        run = self._runs.get(year)
        if run is None:
            run = _IndexRun(self.ruleset, self.context, self.engine, [year] if year is not None else [], None, None)
            if year is None:  # an undated package: its parties as classified in the context's latest year
                run.periods = [self.default_year] if self.default_year is not None else []
                run.env.default_year = self.default_year
            for c in self.classify:
                run.classify(c)
            if year is None:
                run.periods = []
            for c in self.shares:
                run.share(c)
            run.context_groups = run.groups
            run.groups = {}
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
        year = purchase.date.year if purchase.date is not None else None
        with self._lock:
            run = self.index(year)
            return self._check(run, purchase, year)

    def _check(self, run: _IndexRun, purchase: Purchase, year: int | None) -> PackageCheck:
        saved = run.purchases, run.findings, run.required, run.periods
        by_id = run.env.purchases_by_id
        by_id[purchase.id] = purchase
        try:
            run.purchases = [purchase]
            run.findings, run.required = [], []
            for c in self.per_package:
                (run.each if c["kind"] == "each" else run.exists)(c)
            findings = sorted(run.findings, key=Finding.sort_key)
            required = list(run.required)
            standings: list[Standing] = []
            not_member: list[str] = []
            run.groups = {}
            for c in self.shares:
                run.capture = True
                run.share(c)
                mine = run.groups.get(c["id"], {})
                if not mine:
                    not_member.append(c["id"])
                    continue
                (key, g), = mine.items()
                before_g = saved_groups(run, c["id"]).get(key)
                run.capture = False
                sides = []
                for grp in (_light(before_g, None), _light(before_g, g)):
                    run.findings = []
                    run.share_verdicts(c, {key: grp})
                    sides.append(run.findings[0])
                standings.append(Standing(c["id"], c["citation"], key[0], key[1], key[2], sides[0], sides[1]))
            return PackageCheck(purchase.id, year, findings, standings, not_member, required)
        finally:
            del by_id[purchase.id]
            run.purchases, run.findings, run.required, run.periods = saved
            run.groups = {}
            run.capture = True


def saved_groups(run: _IndexRun, clause_id: str) -> dict[tuple, Group]:
    return run.context_groups.get(clause_id, {})


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
