"""Decisions: ordered guard lists that give each clause kind its outcome, and their DNFs.

A decision is the procedure that turns atom values into one outcome label.
It is written once, as an ordered list of guards ("first guard that holds
wins"); each guard is a conjunction of *forms* ``(logic tree, which)`` where
``which`` is T, F, NT (not true), NF (not false) or U (unknown).

* The reference engine walks the guards with Kleene logic (:func:`decide`).
* The durable engine gets, per outcome, the DNF of "this guard holds and no
  earlier one does" (:func:`outcome_dnfs`), which makes the outcomes disjoint
  by construction: one durable-rules ruleset per decision, one rule per term.
"""

from __future__ import annotations

from . import dnf

Form = tuple  # (logic tree, "T" | "F" | "NT" | "NF" | "U")
Guard = list  # list of forms, all must hold
Decision = list  # list of (guard, label)

_NEG = {"T": "NT", "NT": "T", "F": "NF", "NF": "F"}


def _holds(form: Form, values: list[str]) -> bool:
    logic, which = form
    v = dnf.kleene(logic, values)
    return {"T": v == "t", "F": v == "f", "NT": v != "t", "NF": v != "f", "U": v == "u"}[which]


def decide(decision: Decision, values: list[str]) -> str:
    """Reference semantics: the label of the first guard whose forms all hold."""
    for guard, label in decision:
        if all(_holds(f, values) for f in guard):
            return label
    raise AssertionError("a decision must end with an unconditional guard")


def changes_label(decision: Decision, values, i: int, label: str) -> bool:
    """Whether value ``i`` (unknown), were it true or false, would give another label than ``label``:
    whether it is data worth adding (a cannot-determine finding's missing fields)."""
    return any(decide(decision, [*values[:i], alt, *values[i + 1:]]) != label for alt in "tf")


def _form_dnf(form: Form) -> dnf.DNF:
    logic, which = form
    if which == "U":
        return dnf.is_unknown(logic)
    return {"T": dnf.is_true, "F": dnf.is_false, "NT": dnf.not_true, "NF": dnf.not_false}[which](logic)


def _neg_form_dnf(form: Form) -> dnf.DNF:
    logic, which = form
    if which == "U":
        return dnf.disj(dnf.is_true(logic), dnf.is_false(logic))
    return _form_dnf((logic, _NEG[which]))


def outcome_dnfs(decision: Decision, two_valued: set[int] | None = None) -> dict[str, dnf.DNF]:
    """Per label, the DNF of 'its guard holds and no earlier guard holds' (labels may repeat).

    Atoms in ``two_valued`` are never unknown; outcomes that need them unknown are dropped.
    """
    out: dict[str, dnf.DNF] = {}
    earlier_fail: dnf.DNF = dnf.TRUE  # conjunction of the negations of earlier guards
    for guard, label in decision:
        holds = dnf.conj(*(_form_dnf(f) for f in guard)) if guard else dnf.TRUE
        this = dnf.conj(earlier_fail, holds)
        if this:
            out[label] = dnf.disj(out.get(label, dnf.FALSE), this)
        negation = dnf.disj(*(_neg_form_dnf(f) for f in guard)) if guard else dnf.FALSE
        earlier_fail = dnf.conj(earlier_fail, negation)
        if not earlier_fail:
            break
    if two_valued:
        out = {label: r for label, d in out.items() if (r := dnf.restrict(d, two_valued))}
    return out


def A(i: int) -> dict:
    """Logic tree of a single atom."""
    return {"atom": i}


# --- the decisions of each clause kind ---------------------------------------------

def each_verdict(in_force: int, applies: dict, require: dict, unless: list[dict]) -> Decision:
    """Outcome of an ``each`` clause on one record."""
    d: Decision = [
        ([(A(in_force), "F")], "not_in_force"),
        ([(A(in_force), "U")], "no_date"),
        ([(applies, "F")], "not_applicable"),
        ([(require, "T")], "compliant"),
    ]
    d += [([(e, "T")], f"exception:{i}") for i, e in enumerate(unless)]
    d.append(([(applies, "T"), (require, "F")] + [(e, "F") for e in unless], "violation"))
    d.append(([], "cannot_determine"))
    return d


def first_case(cases: list[dict], gate: list[dict] | None = None) -> Decision:
    """Which case of an ordered list applies; with a gate (in force, applies) for share members.

    Labels: ``out`` (gate false), ``gate_unknown``, ``case:i``, ``unknown`` (a case
    before the first true one is unknown), ``default`` (no case holds).
    """
    d: Decision = []
    for g in gate or []:
        d.append(([(g, "F")], "out"))
        d.append(([(g, "U")], "gate_unknown"))
    for i, c in enumerate(cases):
        d.append(([(c, "T")], f"case:{i}"))
        d.append(([(c, "U")], "unknown"))
    d.append(([], "default"))
    return d


def share_verdict() -> Decision:
    """Outcome of a share group. Atoms: 0 period and subject known, 1 no denominator,
    2 lower bound meets threshold, 3 upper bound meets threshold (all two-valued).

    Validity is judged per record (members not in force on their own date are left out),
    so a group only exists for records the clause governs."""
    return [
        ([(A(0), "F")], "no_date"),
        ([(A(1), "T")], "not_applicable"),
        ([(A(2), "T")], "compliant"),
        ([(A(3), "F")], "violation"),
        ([], "cannot_determine"),
    ]


def window_verdict() -> Decision:
    """Outcome of a window group. Atoms (both two-valued): 0 the certain members contain a split,
    1 a split is possible with the unknowns (perbup_rules.windows). A group always has a period:
    undated packages only join groups of dated ones."""
    return [
        ([(A(0), "T")], "violation"),
        ([(A(1), "F")], "compliant"),
        ([], "cannot_determine"),
    ]


def exists_verdict(in_force: int, applies: dict, found: int, possible: int) -> Decision:
    """Outcome of an ``exists`` clause for one subject, period and category."""
    return [
        ([(A(in_force), "F")], "not_in_force"),
        ([(A(in_force), "U")], "no_date"),
        ([(applies, "F")], "not_applicable"),
        ([(A(found), "T")], "compliant"),
        ([(applies, "T"), (A(possible), "F")], "violation"),
        ([], "cannot_determine"),
    ]


def tri(logic: dict) -> Decision:
    """The three-valued value of a condition: labels t, f, u."""
    return [([(logic, "T")], "t"), ([(logic, "F")], "f"), ([], "u")]


def to_json(decision: Decision, two_valued: set[int] | None = None) -> dict:
    """The engine-neutral, JSON form stored in the Ruleset: guards and per-label DNFs."""
    return {
        "guards": [{"label": label, "when": [{"logic": lg, "is": w} for lg, w in guard]} for guard, label in decision],
        "outcomes": {label: dnf.to_json(d) for label, d in outcome_dnfs(decision, two_valued).items()},
    }


def from_json(data: dict) -> Decision:
    return [([(f["logic"], f["is"]) for f in g["when"]], g["label"]) for g in data["guards"]]
