"""Read a derived attribute (e.g. ``scale_computed``) of one party, through the public API.

Classify clauses give no findings, and no clause of the Kutim draft tells Mikro from Kecil
or Menengah from Besar (both pairs are judged alike), so those boundaries cannot be seen
in a scenario. The evaluation ``tracer`` hook reports each engine call with its labels;
for a classify clause the label ``case:i`` names the case that gave the value.
"""

from __future__ import annotations

from typing import Any

import perbup_rules as pr

#: Parties on each side of every scale boundary of PP 7/2021 (Pasal 35), as the draft encodes them.
BOUNDARY_PARTIES: dict[str, dict[str, int]] = {
    "capital 1.000.000.000": {"capital_idr": 1_000_000_000},
    "capital 1.000.000.001": {"capital_idr": 1_000_000_001},
    "capital 5.000.000.000": {"capital_idr": 5_000_000_000},
    "capital 5.000.000.001": {"capital_idr": 5_000_000_001},
    "capital 10.000.000.000": {"capital_idr": 10_000_000_000},
    "capital 10.000.000.001": {"capital_idr": 10_000_000_001},
    "sales 2.000.000.000": {"annual_sales_idr": 2_000_000_000},
    "sales 2.000.000.001": {"annual_sales_idr": 2_000_000_001},
    "sales 15.000.000.000": {"annual_sales_idr": 15_000_000_000},
    "sales 15.000.000.001": {"annual_sales_idr": 15_000_000_001},
    "sales 50.000.000.000": {"annual_sales_idr": 50_000_000_000},
    "sales 50.000.000.001": {"annual_sales_idr": 50_000_000_001},
}


def derived_value(ruleset: pr.Ruleset, attribute: str, party: pr.Party, year: int = 2026,
                  engine: str = "reference", resolve: bool = True) -> Any:
    """The value a classify clause gives ``attribute`` for ``party`` in ``year`` (None when unknown).

    A case that copies a party field (``value_from``) comes back as ``("from", "field")``; one
    that copies another derived attribute gives that attribute's value (``resolve=False``: named).
    """
    clause = next(c for c in ruleset.clauses if c["kind"] == "classify" and c["attribute"] == attribute)
    labels: list[str] = []

    def tracer(clause_id, decision, rows, got):
        if clause_id == clause["id"]:
            labels.extend(got)

    pr.evaluate(ruleset, pr.Dataset.build([party]), engine, periods=[year], clauses=[], tracer=tracer)
    assert len(labels) == 1, labels
    label = labels[0]
    if label.startswith("case:"):
        chosen = clause["cases"][int(label[5:])]
    elif label == "default":
        chosen = clause["default"]
    else:
        return None  # an unknown case came first: the value is unknown
    if chosen["value_from"] is None:
        return chosen["value"]
    # a value copied from another derived attribute is read from it (KMT-06 combines
    # scale_by_capital and scale_by_sales); one copied from a field is named: ("from", "scale")
    source = ".".join(chosen["value_from"]["path"])
    if resolve and any(c["kind"] == "classify" and c["attribute"] == source for c in ruleset.clauses):
        return derived_value(ruleset, source, party, year, engine)
    return ("from", source)


def scale_probe(ruleset: pr.Ruleset, engine: str = "reference", year: int = 2026,
                parties: dict[str, dict[str, int]] | None = None) -> dict[str, Any]:
    """scale_computed of every boundary party."""
    return {name: derived_value(ruleset, "scale_computed", pr.Party(id="probe", **fields), year, engine)
            for name, fields in (parties or BOUNDARY_PARTIES).items()}


#: Parties on each side of every sales boundary of UU 20/2008 Pasal 6 (before 2021-02-02).
UU20_BOUNDARY_PARTIES: dict[str, dict[str, int]] = {
    "sales 300.000.000": {"annual_sales_idr": 300_000_000},
    "sales 300.000.001": {"annual_sales_idr": 300_000_001},
    "sales 2.500.000.000": {"annual_sales_idr": 2_500_000_000},
    "sales 2.500.000.001": {"annual_sales_idr": 2_500_000_001},
    "sales 50.000.000.000": {"annual_sales_idr": 50_000_000_000},
    "sales 50.000.000.001": {"annual_sales_idr": 50_000_000_001},
    "capital 51.000.000.000 only": {"capital_idr": 51_000_000_000},
}
