"""``--as-if-in-force``: judge the draft's own obligations as if they were in force in every period.

Drafters ask "how would our agencies have fared last year under this Perbup?". The Perbup's own
obligations start on ``params.obligations_from`` (clauses with ``valid_from: params.NAME``) and its
own numbers (parameters with ``basis: draft``) have no value before then. This module gives a
Ruleset in which those clauses have no start date and each draft parameter's first value reaches
back to the beginning of time, so both engines and the bulk path judge older data unchanged (the
in-force pseudo-atom and the parameter lookups are computed by the evaluator; the decisions, and
so the fingerprint the engines key their rule sets by, are the same).

The date parameters that say when those obligations start (those named by a clause's
``valid_from``, e.g. ``obligations_from``) take the beginning of time as their value too: a Perbup
taken as always in force has no transition, so a transitional provision (KMT-16.T, judged once on
``obligations_from`` for partnerships begun before it) has no subjects, and every partnership falls
under the permanent duty (KMT-16) in the year it began; judging both would count one partnership
twice.

National-law clauses keep their own dates. Findings of the clauses judged as if in force are
marked (``Finding.as_if_in_force``) and their explanation says so; the report header carries
``as_if_in_force: true``.
"""

from __future__ import annotations

import copy
import dataclasses

from .compiler.ruleset import Ruleset
from .findings import Finding, LazyText

#: the first day a parameter value may take
EPOCH = "0001-01-01"


def as_if_in_force(ruleset: Ruleset) -> tuple[Ruleset, frozenset[str]]:
    """The ruleset with the draft's own obligations in force on every date, and those clauses' ids."""
    data = copy.deepcopy(ruleset.data)
    ids = set()
    for c in data["clauses"]:
        if c.get("valid_from_param"):
            c["valid_from"] = None
            ids.add(c["id"])
    for p in data["params"].values():
        if p["basis"] == "draft" and p["unit"] != "date" and p["values"]:
            p["values"][0]["from"] = EPOCH
    starts = {c["valid_from_param"] for c in data["clauses"] if c.get("valid_from_param")}
    for name in sorted(starts):  # obligations that always were in force: no transition
        p = data["params"].get(name)
        if p is not None and p["unit"] == "date":
            p["values"] = [{"from": EPOCH, "value": EPOCH, "reference": "--as-if-in-force"}]
    for c in data["clauses"]:
        once = c.get("once_on")
        if once and once.get("param") in starts:
            once["day"] = EPOCH
    return Ruleset(data=data, fingerprint=ruleset.fingerprint, warnings=ruleset.warnings), frozenset(ids)


def mark(f: Finding) -> Finding:
    """A finding of a clause judged as if in force, saying so."""
    e = f.explanation
    text = LazyText(lambda: (f"[Seolah-olah berlaku / as if in force] {e.id}", f"[As if in force] {e.en}"))
    return dataclasses.replace(f, as_if_in_force=True, explanation=text)
