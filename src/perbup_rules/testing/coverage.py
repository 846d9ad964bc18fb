"""Coverage of a draft by its scenarios, per clause and condition branch, grouped by pasal and ayat.

A *branch* is one of:

* an outcome of a clause's decision (``verdict: violation``, ``case: case:2``, ``member: out``...)
  that some scenario reached;
* a condition (``applies``, ``require``, each ``unless``, each part or classification case,
  ``match``) seen both true and false;
* a boundary: a comparison with ``<``, ``<=``, ``>`` or ``>=`` whose two sides were equal for
  some record (``value_idr <= params.umkk_reserved_max`` at exactly Rp15 miliar), or a share
  measured exactly at its threshold.

Coverage is a tracer: it watches the evaluations of ``perbup test`` and changes nothing.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from ..atoms import Compiled, Ctx, Missing, Period
from ..compiler import dnf
from ..compiler.ruleset import Ruleset
from ..expr import to_text

ORDERING = ("<", "<=", ">", ">=")


class CoverageTracer:
    """Records which outcome labels and condition values every engine call produced."""

    def __init__(self) -> None:
        self.labels: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.rows: dict[tuple[str, str], set[tuple]] = defaultdict(set)
        self.scenario: str | None = None

    def __call__(self, clause_id: str, decision: str, rows, labels) -> None:
        key = (clause_id, decision)
        self.labels[key].update(labels)
        self.rows[key].update(tuple(r) for r in rows)


@dataclass
class Branch:
    clause: str
    kind: str  # outcome | condition | boundary
    name: str
    covered: bool

    def to_dict(self) -> dict:
        return {"clause": self.clause, "kind": self.kind, "branch": self.name, "covered": self.covered}


@dataclass
class CoverageReport:
    """Branches per clause, with the pasal/ayat each clause cites."""

    branches: list[Branch] = field(default_factory=list)
    citations: dict[str, tuple[int, tuple[int, ...], str]] = field(default_factory=dict)

    @property
    def covered(self) -> int:
        return sum(b.covered for b in self.branches)

    @property
    def total(self) -> int:
        return len(self.branches)

    @property
    def percent(self) -> Decimal:
        if not self.total:
            return Decimal(100)
        return (Decimal(self.covered) * 100 / Decimal(self.total)).quantize(Decimal("0.1"))

    def by_clause(self) -> dict[str, list[Branch]]:
        out: dict[str, list[Branch]] = defaultdict(list)
        for b in self.branches:
            out[b.clause].append(b)
        return out

    def to_dict(self) -> dict:
        clauses = []
        for cid, bs in sorted(self.by_clause().items(), key=lambda kv: self.citations[kv[0]][:2]):
            pasal, ayat, cit = self.citations[cid]
            clauses.append({"clause": cid, "citation": cit, "pasal": pasal, "ayat": list(ayat),
                            "covered": sum(b.covered for b in bs), "total": len(bs),
                            "branches": [b.to_dict() for b in bs]})
        return {"covered": self.covered, "total": self.total, "percent": str(self.percent), "clauses": clauses}

    def render_text(self, show_missed: bool = True) -> str:
        lines = [f"Coverage: {self.covered}/{self.total} branches ({self.percent}%)", ""]
        current = None
        for c in self.to_dict()["clauses"]:
            if c["pasal"] != current:
                current = c["pasal"]
                lines.append(f"Pasal {current}")
            pct = Decimal(c["covered"]) * 100 / Decimal(c["total"]) if c["total"] else Decimal(100)
            lines.append(f"  {c['clause']:<9} {c['citation']:<28} {c['covered']:>3}/{c['total']:<3} {pct.quantize(Decimal('1')):>4}%")
            if show_missed:
                for b in c["branches"]:
                    if not b["covered"]:
                        lines.append(f"      not exercised: {b['kind']} {b['branch']}")
        return "\n".join(lines) + "\n"


def _logic_value(logic: dict, row: tuple) -> str:
    return dnf.kleene(logic, list(row))


def _conditions(clause: dict) -> list[tuple[str, str, dict]]:
    """(decision, condition name, logic tree) of a clause's named conditions."""
    lg = clause.get("logic", {})
    k = clause["kind"]
    out = []
    if k == "classify":
        guards = clause["decisions"]["case"]["guards"]
        for g in guards:
            if g["label"].startswith("case:") and g["when"] and g["when"][0]["is"] == "T":
                out.append(("case", f"case {int(g['label'][5:]) + 1}", g["when"][0]["logic"]))
        return out
    main = {"each": "verdict", "share": "member", "exists": "verdict", "window": "member"}[k]
    if "applies" in lg:
        out.append((main, "applies", lg["applies"]))
    if "require" in lg:
        out.append(("verdict", "require", lg["require"]))
    for u, L in zip(clause.get("unless", []), lg.get("unless", [])):
        out.append(("verdict", f"unless {u['id']}", L))
    for i, L in enumerate(lg.get("part", [])):
        out.append(("member", f"part case {i + 1}", L))
    for i, L in enumerate(lg.get("limit", [])):
        out.append(("limit", f"limit case {i + 1}", L))
    if "match" in lg:
        out.append(("match", "match", lg["match"]))
    return out


def _boundary_atoms(clause: dict) -> list[tuple[str, int, dict]]:
    out = []
    for dec_name, dec in clause["decisions"].items():
        for i, a in enumerate(dec["atoms"]):
            if a.get("op") == "cmp" and a["cmp"] in ORDERING:
                out.append((dec_name, i, a))
    return out


def _boundary_hits(ruleset: Ruleset, datasets, clause: dict) -> set[tuple[str, int]]:
    """(decision, atom index) of ordering comparisons whose two sides were equal for some record."""
    from ..engine.reference import ReferenceEngine
    from ..judge import Judge, partnership_active

    wanted = _boundary_atoms(clause)
    hits: set[tuple[str, int]] = set()
    if not wanted:
        return hits
    for ds, periods in datasets:
        run = Judge(ruleset, ds, ReferenceEngine(), periods or ds.periods(), None, None)
        for c in ruleset.clauses:
            if c["kind"] == "classify":
                run.classify(c)
        run.facts()  # awards_won and the other per-period facts subjects read
        for dec_name, i, a in wanted:
            if (dec_name, i) in hits:
                continue
            table = clause.get("related", "partnerships") if dec_name == "match" else clause["over"]
            comp = Compiled(run.env, table, clause["over"] if dec_name == "match" else None)
            left, right = comp.value(a["left"]), comp.value(a["right"])
            for ctx in _contexts(run, table, partnership_active, clause if dec_name == "match" else None, clause):
                lv, rv = left(ctx), right(ctx)
                if not isinstance(lv, Missing) and not isinstance(rv, Missing) and lv == rv:
                    hits.add((dec_name, i))
                    break
    return hits


def _contexts(run, table: str, partnership_active, clause: dict | None = None, judged: dict | None = None):
    years = run.periods
    if table == "reports":  # a report in the period of its year (with the deadline of its duty)
        from ..duties import due_date

        for year in years:
            p = Period.of(year, due_date(judged or {}, year))
            for rec in run.dataset.reports:
                if rec.year == year:
                    yield Ctx(rec=rec, subject=run.dataset.parties.get(rec.party_id), day=p.end, year=year, period=p)
        return
    if table == "purchases":
        for rec in run.purchases:
            yield Ctx(rec=rec, day=rec.date, year=rec.date.year if rec.date else None)
    elif table == "parties":
        for year in years:
            for rec in run.dataset.parties.values():
                yield Ctx(rec=rec, day=_dt.date(year, 12, 31), year=year, period=Period.of(year))
    else:
        for year in years:
            p = Period.of(year)
            for rec in run.dataset.partnerships:
                if partnership_active(rec, p) != "f":
                    if clause is not None and clause["over"] == "purchases":
                        # the purchases this partnership is related to (link, link_from)
                        ref = getattr(rec, clause["link"])
                        key = clause.get("link_from", "id")
                        for sub in run.dataset.purchases:
                            if ref is not None and getattr(sub, key) == ref:
                                yield Ctx(rec=rec, subject=sub, day=sub.date, year=year, period=p)
                        continue
                    subject = run.dataset.parties.get(rec.party_id)
                    yield Ctx(rec=rec, subject=subject, day=p.end, year=year, period=p)


def coverage(ruleset: Ruleset, tracer: CoverageTracer, results) -> CoverageReport:
    """Build the coverage report from a tracer and the scenario results it watched."""
    rep = CoverageReport()
    datasets = [(r.scenario.dataset, r.scenario.periods) for r in results]
    share_at_threshold: set[str] = set()
    for r in results:
        if r.report is None:
            continue
        for f in r.report.findings:
            if f.measured and f.threshold and ".." not in f.measured and f.clause not in share_at_threshold:
                try:
                    if Fraction(f.measured) == Fraction(f.threshold):
                        share_at_threshold.add(f.clause)
                except (ValueError, ZeroDivisionError):
                    pass
    for clause in ruleset.clauses:
        cid = clause["id"]
        rep.citations[cid] = (clause["pasal"], tuple(clause["ayat"]), clause["citation"])
        # a record its `subjects` rule out is dropped before the verdict (no finding at all): that
        # is the clause's "applies false" / not_applicable branch taken
        dropped = "f" in tracer.labels.get((cid, "subjects"), set())
        for dec_name, dec in clause["decisions"].items():
            seen = tracer.labels.get((cid, dec_name), set())
            if dropped and dec_name == "verdict":
                seen = seen | {"not_applicable"}
            for label in sorted(dec["outcomes"]):
                rep.branches.append(Branch(cid, "outcome", f"{dec_name}: {label}", label in seen))
        for dec_name, name, logic in _conditions(clause):
            if "const" in logic:
                continue  # a constant condition (e.g. applies: true) has no branch to take
            values = {_logic_value(logic, row) for row in tracer.rows.get((cid, dec_name), ())}
            if dropped and name == "applies":
                values.add("f")
            for v, word in (("t", "true"), ("f", "false")):
                rep.branches.append(Branch(cid, "condition", f"{name} {word}", v in values))
        hits = _boundary_hits(ruleset, datasets, clause)
        for dec_name, i, a in _boundary_atoms(clause):
            rep.branches.append(Branch(cid, "boundary", f"{to_text(a['left'])} == {to_text(a['right'])}", (dec_name, i) in hits))
        if clause["kind"] == "share":
            rep.branches.append(Branch(cid, "boundary", "share exactly at the threshold", cid in share_at_threshold))
        if clause["kind"] == "window":
            rep.branches.append(Branch(cid, "boundary", "sum exactly at the limit", cid in share_at_threshold))
    return rep
