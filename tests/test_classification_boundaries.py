"""KMT-06 scale boundaries that no scenario can see (Pasal 2 ayat (1) and (2), PP 7/2021 Pasal 35).

Mikro and Kecil are both UMKK and Menengah and Besar both are not, so the Rp1 miliar and
Rp10 miliar capital and the Rp2 miliar and Rp50 miliar sales boundaries change no finding
of the draft. They are checked here on the derived attribute itself, on both engines.
"""

from __future__ import annotations

import pytest

import perbup_rules as pr
from classification_probe import UU20_BOUNDARY_PARTIES, derived_value, scale_probe

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
def test_the_larger_of_the_two_classes_holds(ruleset, engine):
    # PP 7/2021 Pasal 35, as this draft reads it: both known -> the larger class (issue 13)
    def scale(capital, sales):
        party = pr.Party(id="cv", capital_idr=capital, annual_sales_idr=sales)
        return derived_value(ruleset, "scale_computed", party, engine=engine)
    assert scale(900_000_000, 40_000_000_000) == "menengah"
    assert scale(6_000_000_000, 1_000_000_000) == "menengah"
    assert scale(1_000_000_000, 2_000_000_000) == "mikro"
    assert scale(1_000_000_001, 2_000_000_000) == "kecil"
    assert scale(1_000_000_000, 2_000_000_001) == "kecil"
    assert scale(5_000_000_000, 15_000_000_000) == "kecil"
    assert scale(10_000_000_001, 1) == "besar"
    assert scale(1, 50_000_000_001) == "besar"


def test_no_capital_and_no_sales_gives_no_computed_scale(ruleset):
    assert derived_value(ruleset, "scale_computed", pr.Party(id="cv", scale="kecil")) is None


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_uu_20_2008_sales_boundaries_before_2021(ruleset, engine):
    assert scale_probe(ruleset, engine, year=2020, parties=UU20_BOUNDARY_PARTIES) == {
        "sales 300.000.000": "mikro",
        "sales 300.000.001": "kecil",
        "sales 2.500.000.000": "kecil",
        "sales 2.500.000.001": "menengah",
        "sales 50.000.000.000": "menengah",
        "sales 50.000.000.001": "besar",
        "capital 51.000.000.000 only": None,  # capital is not a criterion of UU 20/2008
    }


def test_the_pp_7_2021_criteria_do_not_reach_2020(ruleset):
    # Before 2021-02-02 capital is not a criterion: with the sales unknown the scale is
    # unknown, and the declared scale does not serve while a figure is known.
    party = pr.Party(id="cv", capital_idr=7_000_000_000, scale="kecil")
    assert derived_value(ruleset, "scale_computed", party, year=2020) is None
    assert derived_value(ruleset, "scale_effective", party, year=2020) is None
    assert derived_value(ruleset, "scale_effective", party, year=2026) == "menengah"
    # no figure at all: the declared scale, in both periods
    declared = pr.Party(id="cv", scale="kecil")
    assert derived_value(ruleset, "scale_effective", declared, year=2020) == ("from", "scale")
    assert derived_value(ruleset, "scale_effective", declared, year=2026) == ("from", "scale")
