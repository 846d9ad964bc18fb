"""compiler.dnf and compiler.decisions: three-valued DNFs agree with Kleene logic, and the
outcomes of a decision are disjoint and complete (the property the durable engine relies on)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perbup_rules.compiler import decisions as D
from perbup_rules.compiler import dnf
from perbup_rules.compiler.dnf import enumerate_assignments, kleene, matches

N_ATOMS = 6  # atoms 0..5


def _leaf():
    return st.one_of(
        st.integers(0, N_ATOMS - 1).map(lambda i: {"atom": i}),
        st.booleans().map(lambda b: {"const": b}),
    )


def logic_trees(depth: int = 4):
    """Logic trees with and/or/not nested at most ``depth`` levels."""
    if depth == 0:
        return _leaf()
    sub = logic_trees(depth - 1)
    return st.one_of(
        _leaf(),
        st.lists(sub, min_size=1, max_size=3).map(lambda xs: {"and": xs}),
        st.lists(sub, min_size=1, max_size=3).map(lambda xs: {"or": xs}),
        sub.map(lambda x: {"not": x}),
    )


LOGIC = logic_trees(4)


def atom_count(*trees) -> int:
    """1 + the highest atom index used (at least 1), so enumeration stays small."""
    best = 0

    def visit(t):
        nonlocal best
        if isinstance(t, dict):
            if "atom" in t:
                best = max(best, t["atom"] + 1)
            for v in t.values():
                visit(v)
        elif isinstance(t, (list, tuple)):
            for v in t:
                visit(v)

    for t in trees:
        visit(t)
    return max(best, 1)


# --- forms agree with Kleene -------------------------------------------------------------------

FORMS = {
    "is_true": (dnf.is_true, lambda v: v == "t"),
    "is_false": (dnf.is_false, lambda v: v == "f"),
    "not_true": (dnf.not_true, lambda v: v != "t"),
    "not_false": (dnf.not_false, lambda v: v != "f"),
    "is_unknown": (dnf.is_unknown, lambda v: v == "u"),
}


@settings(max_examples=250, deadline=None)
@given(LOGIC)
def test_forms_agree_with_kleene_on_every_assignment(L):
    forms = {name: build(L) for name, (build, _) in FORMS.items()}
    for values in enumerate_assignments(atom_count(L)):
        k = kleene(L, values)
        for name, (_, want) in FORMS.items():
            assert matches(forms[name], values) == want(k), (name, L, values, k)


@settings(max_examples=150, deadline=None)
@given(LOGIC)
def test_true_false_unknown_partition_every_assignment(L):
    t, f, u = dnf.is_true(L), dnf.is_false(L), dnf.is_unknown(L)
    for values in enumerate_assignments(atom_count(L)):
        assert [matches(t, values), matches(f, values), matches(u, values)].count(True) == 1


@settings(max_examples=150, deadline=None)
@given(LOGIC)
def test_dnf_terms_are_normalised(L):
    for build, _ in FORMS.values():
        for term in build(L):
            for k, v in term.items():
                assert 0 <= k < N_ATOMS
                assert v and v < dnf.ALL  # never empty, never "anything"


def test_constants_and_atoms():
    assert dnf.is_true({"const": True}) == dnf.TRUE
    assert dnf.is_true({"const": False}) == dnf.FALSE
    assert dnf.is_unknown({"const": True}) == dnf.FALSE
    assert dnf.is_true({"atom": 2}) == [{2: frozenset("t")}]
    assert dnf.not_true({"atom": 2}) == [{2: frozenset("fu")}]
    assert dnf.atom(0, "tfu") == dnf.TRUE
    assert not matches(dnf.FALSE, ["t"])
    assert matches(dnf.TRUE, ["u"])


def test_kleene_examples():
    a, b = {"atom": 0}, {"atom": 1}
    assert kleene({"and": [a, b]}, ["u", "f"]) == "f"
    assert kleene({"and": [a, b]}, ["u", "t"]) == "u"
    assert kleene({"or": [a, b]}, ["u", "t"]) == "t"
    assert kleene({"or": [a, b]}, ["u", "f"]) == "u"
    assert kleene({"not": a}, ["u"]) == "u"


def test_bad_logic_tree_is_rejected():
    with pytest.raises(ValueError):
        dnf.is_true({"xor": []})
    with pytest.raises(ValueError):
        kleene({"xor": []}, [])


def test_too_complex_is_refused(monkeypatch):
    # (a0 or a1) and (a2 or a3) and (a4 or a5) has 8 terms: over a lowered limit
    monkeypatch.setattr(dnf, "MAX_TERMS", 7)
    tree = {"and": [{"or": [{"atom": 2 * i}, {"atom": 2 * i + 1}]} for i in range(3)]}
    with pytest.raises(dnf.TooComplex):
        dnf.is_true(tree)
    monkeypatch.setattr(dnf, "MAX_TERMS", 8)
    assert len(dnf.is_true(tree)) == 8


def test_enumerate_assignments():
    rows = list(enumerate_assignments(2))
    assert len(rows) == 9 and rows[0] == ["t", "t"] and rows[-1] == ["u", "u"]
    assert list(enumerate_assignments(0)) == [[]]


# --- JSON round trip ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(LOGIC, st.sampled_from(sorted(FORMS)))
def test_dnf_json_round_trip(L, form):
    d = FORMS[form][0](L)
    j = dnf.to_json(d)
    assert json.loads(json.dumps(j)) == j
    assert dnf.from_json(j) == d
    for term in j:
        assert list(term) == sorted(term, key=int)
        for letters in term.values():
            assert letters == "".join(sorted(letters, key="tfu".index))


def test_dnf_json_shape():
    assert dnf.to_json([{3: frozenset("ut"), 0: frozenset("f")}]) == [{"0": "f", "3": "tu"}]


# --- decisions: exactly one outcome matches, and it is the reference one ----------------------

def decisions_strategy():
    idx = st.integers(0, N_ATOMS - 1)
    each = st.builds(D.each_verdict, idx, LOGIC, LOGIC, st.lists(LOGIC, max_size=2))
    first = st.builds(lambda cases, gate: D.first_case(cases, gate),
                      st.lists(LOGIC, min_size=1, max_size=3), st.one_of(st.none(), st.lists(LOGIC, max_size=2)))
    exists = st.builds(D.exists_verdict, idx, LOGIC, idx, idx)
    tri = st.builds(D.tri, LOGIC)
    return st.one_of(each, first, exists, tri, st.just(D.share_verdict()))


def check_decision(decision) -> None:
    outcomes = D.outcome_dnfs(decision)
    for values in enumerate_assignments(atom_count(decision)):
        matched = [label for label, d in outcomes.items() if matches(d, values)]
        assert matched == [D.decide(decision, values)], (values, matched)


@settings(max_examples=200, deadline=None)
@given(decisions_strategy())
def test_exactly_one_outcome_matches_and_it_is_the_reference_one(decision):
    check_decision(decision)


@settings(max_examples=100, deadline=None)
@given(decisions_strategy())
def test_decision_json_round_trip(decision):
    j = D.to_json(decision)
    assert json.loads(json.dumps(j)) == j
    back = D.from_json(j)
    assert back == [(list(g), label) for g, label in decision]
    assert {k: dnf.from_json(v) for k, v in j["outcomes"].items()} == D.outcome_dnfs(decision)


def test_share_verdict_outcomes():
    # atoms: period known, no denominator, lower meets, upper meets (two-valued in practice);
    # validity is judged per member record, so a group has no "in force" atom
    d = D.share_verdict()
    assert D.decide(d, ["t", "f", "t", "t"]) == "compliant"
    assert D.decide(d, ["t", "f", "f", "f"]) == "violation"
    assert D.decide(d, ["t", "f", "f", "t"]) == "cannot_determine"
    assert D.decide(d, ["t", "t", "f", "f"]) == "not_applicable"
    assert D.decide(d, ["f", "f", "t", "t"]) == "no_date"
    check_decision(d)


def test_each_verdict_examples():
    applies, require = {"atom": 1}, {"atom": 2}
    unless = [{"atom": 3}]
    d = D.each_verdict(0, applies, require, unless)
    assert D.decide(d, ["f", "t", "t", "t"]) == "not_in_force"
    assert D.decide(d, ["u", "t", "t", "t"]) == "no_date"
    assert D.decide(d, ["t", "f", "u", "u"]) == "not_applicable"
    assert D.decide(d, ["t", "u", "t", "f"]) == "compliant"
    assert D.decide(d, ["t", "t", "f", "t"]) == "exception:0"
    assert D.decide(d, ["t", "t", "f", "f"]) == "violation"
    # unknown exception, or unknown applicability with a failing requirement: cannot say
    assert D.decide(d, ["t", "t", "f", "u"]) == "cannot_determine"
    assert D.decide(d, ["t", "u", "f", "f"]) == "cannot_determine"
    check_decision(d)


def test_exists_verdict_examples():
    d = D.exists_verdict(0, {"atom": 3}, 1, 2)
    assert D.decide(d, ["t", "t", "t", "t"]) == "compliant"
    assert D.decide(d, ["t", "f", "f", "t"]) == "violation"
    assert D.decide(d, ["t", "f", "t", "t"]) == "cannot_determine"  # a possible match is unknown
    assert D.decide(d, ["t", "f", "f", "u"]) == "cannot_determine"  # applicability unknown
    assert D.decide(d, ["t", "f", "f", "f"]) == "not_applicable"
    check_decision(d)


def test_first_case_examples():
    d = D.first_case([{"atom": 1}, {"atom": 2}], gate=[{"atom": 0}])
    assert D.decide(d, ["f", "t", "t"]) == "out"
    assert D.decide(d, ["u", "t", "t"]) == "gate_unknown"
    assert D.decide(d, ["t", "t", "u"]) == "case:0"
    assert D.decide(d, ["t", "u", "t"]) == "unknown"
    assert D.decide(d, ["t", "f", "t"]) == "case:1"
    assert D.decide(d, ["t", "f", "f"]) == "default"
    check_decision(d)


def test_decide_requires_a_final_guard():
    with pytest.raises(AssertionError):
        D.decide([([({"atom": 0}, "T")], "x")], ["f"])
