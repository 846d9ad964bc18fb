"""KMT-06 scale boundaries that no scenario can see (Pasal 2 ayat (1) and (2), PP 7/2021 Pasal 35).

Mikro and Kecil are both UMKK and Menengah and Besar both are not, so the Rp1 miliar and
Rp10 miliar capital and the Rp2 miliar and Rp50 miliar sales boundaries change no finding
of the draft. They are checked here on the derived attribute itself, on both engines.
"""

from __future__ import annotations

import pytest

import perbup_rules as pr
from classification_probe import derived_value, scale_probe

EXPECTED = {
    "capital 1.000.000.000": "mikro",
    "capital 1.000.000.001": "kecil",
    "capital 5.000.000.000": "kecil",
    "capital 5.000.000.001": "menengah",
    "capital 10.000.000.000": "menengah",
    "capital 10.000.000.001": "besar",
    "sales 2.000.000.000": "mikro",
    "sales 2.000.000.001": "kecil",
    "sales 15.000.000.000": "kecil",
    "sales 15.000.000.001": "menengah",
    "sales 50.000.000.000": "menengah",
    "sales 50.000.000.001": "besar",
}


@pytest.fixture(scope="module")
def ruleset() -> pr.Ruleset:
    return pr.load_ruleset(pr.BUNDLED_RULES)


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_every_scale_boundary_is_on_the_right_side(ruleset, engine):
    assert scale_probe(ruleset, engine) == EXPECTED


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_capital_decides_before_sales(ruleset, engine):
    party = pr.Party(id="cv", capital_idr=900_000_000, annual_sales_idr=40_000_000_000)
    assert derived_value(ruleset, "scale_computed", party, engine=engine) == "mikro"


def test_no_capital_and_no_sales_gives_no_computed_scale(ruleset):
    assert derived_value(ruleset, "scale_computed", pr.Party(id="cv", scale="kecil")) is None


def test_the_pp_7_2021_criteria_do_not_reach_2020(ruleset):
    # No value of the capital thresholds is in force in 2020: the computed scale is unknown,
    # and KMT-06.1 falls back on the declared scale.
    party = pr.Party(id="cv", capital_idr=7_000_000_000, scale="kecil")
    assert derived_value(ruleset, "scale_computed", party, year=2020) is None
    assert derived_value(ruleset, "scale_effective", party, year=2020) == ("from", "scale")
    assert derived_value(ruleset, "scale_effective", party, year=2026) == ("from", "scale_computed")
