"""Group.bounds: the least and greatest share possible members allow, exact; summed per ratio.

The plain form below (every possible member taken one at a time, Fractions throughout) is how the
bounds were first written; the faster form must give the same Fractions on any group.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from perbup_rules.judge import Group


def _plain_bounds(g: Group):
    den = g.total + g.member_unknown
    lo_num, hi_num = g.known, g.known + g.part_unknown + g.member_unknown
    items = [(Fraction(v), Fraction(a), Fraction(b)) for v, a, b in g.maybe if v]
    if den == 0 and not items:
        return None
    lo_n, lo_d = Fraction(lo_num), Fraction(den)
    for v, a, _b in sorted(items, key=lambda t: t[1] / t[0]):
        if lo_d == 0 or a / v < lo_n / lo_d:
            lo_n, lo_d = lo_n + a, lo_d + v
    hi_n, hi_d = Fraction(hi_num), Fraction(den)
    for v, _a, b in sorted(items, key=lambda t: t[2] / t[0], reverse=True):
        if hi_d == 0 or b / v > hi_n / hi_d:
            hi_n, hi_d = hi_n + b, hi_d + v
    return lo_n / lo_d, hi_n / hi_d


# small values so that equal ratios (2/4 and 3/6) and repeated members are common; negative ones
# too (a Dataset built in code may hold them: then the members are taken one at a time)
_int = st.integers(-3, 12)
_money = st.one_of(_int, _int.map(lambda n: Decimal(n) / 4))


@st.composite
def _maybe(draw):
    v = draw(_money)
    a, b = sorted([draw(_money), draw(_money)])
    return (v, min(a, v), min(b, v)) if v >= 0 else (v, v, v)


@settings(max_examples=500, deadline=None)
@given(total=_int, known=_int, part_unknown=_int, member_unknown=_int,
       maybe=st.lists(_maybe(), max_size=12), ints_only=st.booleans())
def test_bounds_equal_the_plain_form(total, known, part_unknown, member_unknown, maybe, ints_only):
    if ints_only:
        maybe = [tuple(int(x) for x in m) for m in maybe if all(x == int(x) for x in m)]
    total, known, part_unknown, member_unknown = (max(x, 0) for x in (total, known, part_unknown, member_unknown))
    known = min(known, total)
    part_unknown = min(part_unknown, total - known)
    g = Group(total=total, known=known, part_unknown=part_unknown, member_unknown=member_unknown, maybe=list(maybe))
    assert _outcome(g.bounds) == _outcome(lambda: _plain_bounds(g))


def _outcome(bounds):
    """The bounds, or ZeroDivisionError: negative values (a Dataset built in code) can bring the
    denominator to 0, and the plain form then divides by zero; the faster form must do the same."""
    try:
        return bounds()
    except ZeroDivisionError:
        return ZeroDivisionError


def test_many_members_of_one_ratio_are_summed_not_sorted_one_by_one():
    g = Group(total=10, known=1, maybe=[(4, 2, 4)] * 50_000 + [(6, 3, 6)] * 50_000 + [(5, 0, 5)])
    assert g.bounds() == _plain_bounds(g)


def test_a_negative_value_is_taken_one_member_at_a_time():
    """Summing per ratio holds for positive values only: den 1, known 1, two members (-2, -1, -1)."""
    g = Group(total=1, known=1, maybe=[(-2, -1, -1), (-2, -1, -1)])
    assert g.bounds() == _plain_bounds(g)
