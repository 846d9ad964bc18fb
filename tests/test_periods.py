"""The decided reading "Periods and undated records" (issue 13): exact share bounds with possible
members, representative days, and the merge of an undated record's outcomes."""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from perbup_rules.errors import DataError
from perbup_rules.judge import Group
from perbup_rules.periods import boundaries, possible_days, purchase_period
from perbup_rules.records import Purchase

money = st.integers(0, 50)


@st.composite
def groups(draw):
    total = draw(money)
    known = draw(st.integers(0, total))
    part_unknown = draw(st.integers(0, total - known))
    items = []
    for _ in range(draw(st.integers(0, 4))):
        v = draw(st.integers(1, 30))
        a = draw(st.integers(0, v))
        b = draw(st.integers(a, v))
        items.append((v, a, b))
    return Group(total=total, known=known, part_unknown=part_unknown, maybe=items)


@settings(max_examples=300, deadline=None)
@given(g=groups())
def test_bounds_are_the_least_and_greatest_share_over_every_choice_of_possible_members(g):
    """Brute force: every subset of possible members, each at its least or greatest part."""
    lows, highs = [], []
    for chosen in itertools.product([False, True], repeat=len(g.maybe)):
        den = g.total + sum(v for (v, _a, _b), c in zip(g.maybe, chosen) if c)
        if den == 0:
            continue
        lows.append(Fraction(g.known + sum(a for (_v, a, _b), c in zip(g.maybe, chosen) if c), den))
        highs.append(Fraction(g.known + g.part_unknown + sum(b for (_v, _a, b), c in zip(g.maybe, chosen) if c), den))
    got = g.bounds()
    if not lows:
        assert got is None
    else:
        assert got == (min(lows), max(highs))


def test_the_period_is_the_fiscal_year_else_the_dates_year():
    assert purchase_period(Purchase(id="a", stage="award", date=dt.date(2027, 1, 5), fiscal_year=2026)) == 2026
    assert purchase_period(Purchase(id="a", stage="award", date=dt.date(2027, 1, 5))) == 2027
    assert purchase_period(Purchase(id="a", stage="award")) is None


def test_representative_days_split_a_year_where_validity_or_a_parameter_changes():
    clause = {"valid_from": "2021-02-02", "valid_until": "2021-06-30",
              "decisions": {"x": {"atoms": [{"op": "cmp", "right": {"op": "param", "name": "cap"}}]}}}
    params = {"cap": {"values": [{"from": "2018-03-22"}, {"from": "2021-04-01"}]}}
    b = boundaries(clause, params)
    assert possible_days(b, 2021) == [dt.date(2021, 1, 1), dt.date(2021, 2, 2), dt.date(2021, 4, 1),
                                      dt.date(2021, 7, 1)]
    assert possible_days(b, 2026) == [dt.date(2026, 1, 1)]


# --- the bulk path gives the per-record report on the scenarios of the new readings -----------

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

import perbup_rules as pr  # noqa: E402
from perbup_rules.bulk import as_counted, audit  # noqa: E402
from perbup_rules.importers.writer import write_dataset  # noqa: E402
from perbup_rules.testing import load_scenarios  # noqa: E402

_RULES = Path(pr.BUNDLED_RULES)
_KUTIM = pr.load_ruleset(_RULES)
_SCENARIOS = [s for name in ("periods.yaml", "entry-into-force.yaml", "pasal-03.yaml")
              for s in load_scenarios(_RULES / "tests" / name)[0]]


@pytest.mark.parametrize("scenario", _SCENARIOS, ids=lambda s: s.name[:60])
def test_bulk_gives_the_per_record_report_on_the_reading_scenarios(scenario):
    kw = dict(periods=scenario.periods, stage=scenario.stage, as_if_in_force=scenario.as_if_in_force)
    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(scenario.dataset, tmp)
        if not pr.load_dataset(tmp).purchases:  # read from files without a purchase: no data is no audit, on both paths
            for run in (lambda: pr.evaluate(_KUTIM, pr.load_dataset(tmp), "reference", **kw),
                        lambda: audit(_KUTIM, tmp, "reference", **kw)):
                with pytest.raises(DataError) as info:
                    run()
                assert info.value.diagnostics[0].code == "no_data"
            return
        a = as_counted(pr.evaluate(_KUTIM, pr.load_dataset(tmp), "reference", **kw)).to_dict()
        b = audit(_KUTIM, tmp, "reference", **kw).to_dict()
    a.pop("engine"), b.pop("engine")
    for key in a:
        assert a[key] == b[key], key
