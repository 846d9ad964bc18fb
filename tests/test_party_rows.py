"""Party rows (perbup_rules.party_rows) are the plain per-party rows.

A party's atom row, read off its group, must be the row its own context gives (with the same
missing paths): for every decision the bundled rules make over parties (``subjects`` and
``verdict`` of clauses over parties, ``where`` of the candidates, ``supplier_pool``), every
year and category, over generated parties with missing fields and derived attributes of odd
types (``1`` beside ``True``, ``Decimal('1')``, an unhashable list, none at all). The judge
built on them gives what judging each party alone gives, and its subjects and supplier pools
are those of the per-party code they replaced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import datasets, suppliers

import perbup_rules as pr
from perbup_rules import Party
from perbup_rules.atoms import Compiled, Ctx, Env, Period
from perbup_rules.compiler import decisions as D
from perbup_rules.engine import get_engine
from perbup_rules.judge import Judge
from perbup_rules.params import ParamTable
from perbup_rules.party_rows import PartyRows, party_paths

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)
YEARS = [2025, 2026, 2027]
CATS = ["makanan", "laundry", "atk", "material_pasir_batu", None]
KINDS = ["hotel", "restaurant", "company", "umkm", "koperasi", "perangkat_daerah", None]

#: derived attributes and the values they may take here: odd types on purpose
DERIVED = {
    "umkk": [True, False, None, 1, 0],
    "local": [True, False, None, 1],
    "awards_won": [0, 1, 2, None, True, Decimal(1), Decimal("1.0")],
    "reports_filed": [0, 1, None, False],
    "scale_computed": ["mikro", "kecil", "menengah", "besar", None, ["mikro"]],
}


def decisions_over_parties() -> list[tuple[str, str, str | None, str | None, str]]:
    """(clause, decision, table, subject table, binding) of every decision judged over all parties."""
    out = []
    for c in KUTIM.clauses:
        decs = c.get("decisions", {})
        if c.get("over") == "parties" and c["kind"] in ("each", "exists"):
            out += [(c["id"], d, "parties", None, "rec") for d in ("subjects", "verdict") if d in decs]
        if (c.get("remedy") or {}).get("candidates"):
            out.append((c["id"], c["remedy"]["candidates"]["where"], None, c["over"], "candidate"))
        if "supplier_pool" in decs:
            out.append((c["id"], "supplier_pool", None, c["over"], "candidate"))
    return out


DECISIONS = decisions_over_parties()


def test_the_bundled_rules_have_such_decisions():
    kinds = {(b, d.split("_")[0]) for _c, d, _t, _s, b in DECISIONS}
    assert {("rec", "subjects"), ("rec", "verdict"), ("candidate", "supplier"), ("candidate", "candidates")} <= kinds


@st.composite
def parties_and_derived(draw) -> tuple[dict[str, Party], dict[int, dict[str, dict]]]:
    n = draw(st.integers(0, 30))
    parties = {}
    for i in range(n):
        p = replace(draw(suppliers(i)), kind=draw(st.sampled_from(KINDS)))
        parties[p.id] = p
    derived: dict[int, dict[str, dict]] = {}
    for y in YEARS:
        for pid in parties:
            if draw(st.integers(0, 9)) == 0:
                continue  # no derived attribute at all this year
            derived.setdefault(y, {})[pid] = {a: draw(st.sampled_from(vs)) for a, vs in DERIVED.items()
                                             if draw(st.integers(0, 5))}
    return parties, derived


def plain_rows(fns, parties, ctx_of, pseudo):
    """The per-party rows: each party's atoms on its own context (Judge.row)."""
    out = []
    for p in parties:
        missing: list[str] = []
        out.append(([pseudo[j] if f is None else f(ctx_of(p), missing) for j, f in enumerate(fns)], missing))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=parties_and_derived(), which=st.sampled_from(DECISIONS), members=st.lists(st.integers(0, 29), unique=True))
def test_group_rows_are_the_per_party_rows(data, which, members):
    parties, derived = data
    cid, decision, table, subject_table, binding = which
    clause = KUTIM.clause(cid)
    env = Env(parties=parties, purchases_by_id={}, params=ParamTable(KUTIM.params), derived=derived,
              default_year=YEARS[-1])
    comp = Compiled(env, table, subject_table)
    atoms = clause["decisions"][decision]["atoms"]
    fns = [None if a["op"] in ("in_force", "fact") else comp.atom(a) for a in atoms]
    pseudo = {j: "tfu"[j % 3] for j, f in enumerate(fns) if f is None}
    ordered = sorted(parties.values(), key=lambda p: p.id)
    rows = PartyRows(env, party_paths(atoms, table, binding), table, subject_table, binding, ordered)
    members = sorted(m for m in members if m < len(ordered))
    for year in YEARS:
        for cat in CATS if binding == "candidate" else [None]:
            if binding == "rec":
                period = Period.of(year)

                def ctx_of(p, period=period, year=year):
                    return Ctx(rec=p, day=period.end, year=year, period=period)
            else:  # a pool is judged on the year's last day, the supplier pool on no day
                day = None if decision == "supplier_pool" else dt.date(year, 12, 31)

                def ctx_of(p, cat=cat, year=year, day=day):
                    return Ctx(candidate=p, category=cat, year=year, day=day)
            want = plain_rows(fns, ordered, ctx_of, pseudo)
            pos, grows, gmissing = rows.rows(fns, year, ctx_of, pseudo)
            assert [(grows[i], gmissing[i]) for i in pos] == want
            pos, grows, gmissing = rows.rows(fns, year, ctx_of, pseudo, members)
            assert [(grows[i], gmissing[i]) for i in pos] == [want[m] for m in members]


def test_values_equal_but_of_another_type_are_not_one_group():
    """``1`` and ``True`` (and a missing value) are kept apart; an unhashable value stands alone."""
    parties = {f"p{i}": Party(f"p{i}") for i in range(6)}
    values = [1, True, None, ["x"], ["x"], 1]
    env = Env(parties=parties, purchases_by_id={}, params=ParamTable({}),
              derived={2026: {f"p{i}": {"umkk": v} for i, v in enumerate(values)}})
    rows = PartyRows(env, [("umkk",)], "parties", None, "rec", sorted(parties.values(), key=lambda p: p.id))
    assert rows.groups(2026) == [0, 1, 2, 3, 4, 0]
    assert rows.groups(2025) == [0] * 6  # no derived attribute that year: all missing


class SoloRows(PartyRows):
    """Every party a group of its own: the rows are the per-party rows."""

    def groups(self, year):
        return list(range(len(self.parties)))


class Solo(Judge):
    def party_rows(self, atoms, table, subject_table, binding, every=False):
        got = super().party_rows(atoms, table, subject_table, binding, every)
        solo = SoloRows(self.env, (), table, subject_table, binding, got.parties)
        return solo


def old_no_supplier(run: Judge, clause: dict, category: str) -> tuple[bool, tuple[str, ...]]:
    """Judge.no_supplier as it was: a row for every party."""
    from perbup_rules import assumptions

    comp = Compiled(run.env, None, clause["over"])
    dec_json = clause["decisions"]["supplier_pool"]
    fns = [comp.atom(a) for a in dec_json["atoms"]]
    year = run.periods[-1] if run.periods else None
    rows = [run.row(fns, Ctx(candidate=p, category=category, year=year), [], {})
            for p in sorted(run.dataset.parties.values(), key=lambda p: p.id)]
    none = all(lab == "f" for lab in run.decide(clause, "supplier_pool", rows))
    dec = D.from_json(dec_json)
    rests = []
    for aid, idx in sorted(assumptions.positions(dec_json["atoms"]).items()):
        flipped = [[("t" if v == "f" else "f") if i in idx else v for i, v in enumerate(r)] for r in rows]
        if all(D.decide(dec, r) == "f" for r in flipped) != none:
            rests.append(aid)
    return none, tuple(rests)


def judged(cls, ds, engine: str, **kw):
    run = cls(KUTIM, ds, get_engine(engine), YEARS, None, None, **kw)
    run.run()
    return run


@pytest.mark.parametrize("engine", ["durable", "reference"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ds=datasets(max_purchases=12), off=st.sampled_from([frozenset(), frozenset({"licensed"})]))
def test_judging_by_groups_is_judging_each_party(engine, ds, off):
    pr.categorize(ds, KUTIM)
    fast = judged(Judge, ds, engine, assume_off=off, max_candidates=0)
    slow = judged(Solo, ds, engine, assume_off=off, max_candidates=0)
    assert fast.findings == slow.findings
    assert fast.required == slow.required
    assert fast.data_quality == slow.data_quality and fast.assumed == slow.assumed
    for clause in KUTIM.clauses:
        if clause.get("over") == "parties" and clause["kind"] in ("each", "exists"):
            # the subjects: is_subject over every party and period, as each/exists judged them before
            pr_, subjects = fast.party_subjects(clause)
            want = {}
            for y in YEARS:
                keep = fast.is_subject(clause, [Ctx(rec=p, day=dt.date(y, 12, 31), year=y, period=Period.of(y))
                                                for p in fast.subject_parties()])
                want[y] = [n for n, k in enumerate(keep) if k]
            assert pr_.parties == fast.subject_parties() and subjects == want
        if clause.get("unless_no_supplier"):
            for cat in ["makanan", "laundry", "atk", "material_pasir_batu"]:
                assert fast.no_supplier(clause, cat) == old_no_supplier(fast, clause, cat)
