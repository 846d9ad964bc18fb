"""Window clauses (perbup_rules.windows, KMT-04 package splitting): the facts against a brute-force
search, and the clause on both evaluation paths."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import Dataset, Party, Purchase
from perbup_rules.bulk import as_counted, audit, evaluate_bulk, from_dataset
from perbup_rules.importers.writer import write_dataset
from perbup_rules.windows import Member, window_facts

RULES = pr.load_ruleset(pr.BUNDLED_RULES)
DAY0 = dt.date(2026, 3, 1)
LIMITS = [100, 200, 400]


@st.composite
def members(draw):
    out = []
    for i in range(draw(st.integers(0, 5))):
        certain = draw(st.booleans())
        if certain:
            limits = frozenset([draw(st.sampled_from(LIMITS))])
            value = draw(st.integers(0, min(limits)))
            date = DAY0 + dt.timedelta(days=draw(st.integers(0, 45)))
        else:
            limits = frozenset(draw(st.lists(st.sampled_from(LIMITS), min_size=1, max_size=3, unique=True)))
            value = draw(st.one_of(st.none(), st.integers(0, max(limits))))
            date = draw(st.one_of(st.none(), st.just(DAY0 + dt.timedelta(days=draw(st.integers(0, 45))))))
        out.append(Member(f"m{i}", date, value, limits, certain))
    return out


def _split(chosen: list[tuple[dt.date, int, int]], days: int) -> bool:
    """Brute force: some window of ``days`` days holds a subset whose sum passes its largest limit."""
    if not chosen:
        return False
    first = min(d for d, _v, _l in chosen)
    last = max(d for d, _v, _l in chosen)
    for k in range((last - first).days + 1):
        s = first + dt.timedelta(days=k)
        inside = [(v, lim) for d, v, lim in chosen if s <= d <= s + dt.timedelta(days=days - 1)]
        for n in range(2, len(inside) + 1):
            for sub in itertools.combinations(inside, n):
                if sum(v for v, _l in sub) > max(lim for _v, lim in sub):
                    return True
    return False


def _brute(ms: list[Member], days: int) -> tuple[bool, bool]:
    certain = [(m.date, m.value, min(m.limits)) for m in ms if m.certain]
    possible = [m for m in ms if not m.certain]
    # each possible member: left out, or in with one of its limits, its value (or, unknown, the
    # greatest at or below that limit), and its date (undated: any day of the range)
    span = [DAY0 + dt.timedelta(days=k) for k in range(0, 46)]
    choices = []
    for m in possible:
        opts = [None]
        for lim in m.limits:
            if m.value is not None and m.value > lim:
                continue
            for d in ([m.date] if m.date is not None else span):
                opts.append((d, m.value if m.value is not None else lim, lim))
        choices.append(opts)
    maybe = False
    for pick in itertools.product(*choices):
        if _split(certain + [p for p in pick if p is not None], days):
            maybe = True
            break
    return _split(certain, days), maybe


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ms=members(), days=st.sampled_from([1, 7, 30]))
def test_window_facts_equal_a_brute_force_search(ms, days):
    # keep the brute force small: undated possible members multiply the search by the span
    if sum(1 for m in ms if not m.certain and m.date is None) > 2:
        ms = [m for m in ms if m.certain or m.date is not None]
    f = window_facts(ms, days)
    assert (f.split_certain, f.split_possible) == _brute(ms, days)
    assert f.split_possible or not f.split_certain
    if f.split_certain:
        assert f.shown.certain_sum > f.shown.limit
        assert set(f.flagged) <= {m.id for m in ms if m.certain}


def test_the_window_counts_both_ends():
    a = Member("a", DAY0, 150, frozenset([200]), True)
    for gap, split in ((29, True), (30, False)):  # day 1 and day 30; day 1 and day 31
        b = Member("b", DAY0 + dt.timedelta(days=gap), 150, frozenset([200]), True)
        assert window_facts([a, b], 30).split_certain is split


# --- the clause on both paths -------------------------------------------------------------------

PARTIES = [Party("pd", "Dinas", "perangkat_daerah", kabupaten="Kutai Timur"),
           Party("pd2", "Dinas Dua", "perangkat_daerah", kabupaten="Kutai Timur")]


def _pl(pid, day, value, buyer="pd", category="atk", ptype="barang", **kw):
    return Purchase(pid, kw.pop("stage", "contract"), buyer, category=category, procurement_type=ptype,
                    method=kw.pop("method", "pengadaan_langsung"), value_idr=value, date=day, **kw)


SPLITS = Dataset.build(PARTIES, [
    _pl("a1", dt.date(2026, 3, 1), 150_000_000), _pl("a2", dt.date(2026, 3, 30), 150_000_000),
    _pl("b1", dt.date(2026, 3, 1), 150_000_000, buyer="pd2"), _pl("b2", dt.date(2026, 3, 31), 150_000_000, buyer="pd2"),
    _pl("k1", dt.date(2025, 4, 10), 150_000_000, category="konstruksi", ptype="pekerjaan_konstruksi"),
    _pl("k2", dt.date(2025, 4, 29), 150_000_000, category="konstruksi", ptype="pekerjaan_konstruksi"),
    _pl("u1", None, 100_000_000, fiscal_year=2026, buyer="pd2"),
    _pl("m1", dt.date(2026, 5, 1), 120_000_000, method=None, stage="plan"),
    _pl("m2", dt.date(2026, 5, 2), 120_000_000, stage="plan"),
    _pl("c1", dt.date(2026, 6, 1), 90_000_000, category="makanan"), _pl("c2", dt.date(2026, 6, 2), 90_000_000, category="makanan"),
])


def test_kmt04_on_both_engines_and_the_bulk_path(tmp_path):
    ref = pr.evaluate(RULES, SPLITS, "reference", clauses=["KMT-04"])
    dur = pr.evaluate(RULES, SPLITS, "durable", clauses=["KMT-04"])
    assert [f.to_dict() for f in ref.findings] == [f.to_dict() for f in dur.findings]
    got = {(f.subject, f.category, f.period, f.stage): f.status.value for f in ref.findings}
    assert got == {("pd", "atk", 2026, "contract"): "violation", ("pd2", "atk", 2026, "contract"): "cannot_determine",
                   ("pd", "konstruksi", 2025, "contract"): "violation", ("pd", "atk", 2026, "plan"): "cannot_determine",
                   ("pd", "makanan", 2026, "contract"): "compliant"}
    write_dataset(SPLITS, tmp_path / "data")
    full = as_counted(pr.evaluate(RULES, pr.load_dataset(tmp_path / "data"), "reference")).to_dict()
    bulk = audit(RULES, tmp_path / "data", "reference").to_dict()
    full.pop("engine"), bulk.pop("engine")
    assert full == bulk
    # window groups are listed on the bulk path too, compliant ones included
    assert sum(f["clause"] == "KMT-04" for f in bulk["findings"]) == 5


# --- the bulk path: only the purchases that can be window members are judged per record ---------

PARTIES3 = [*PARTIES, Party("desa1", "Desa Swarga Bara", "desa", desa="Swarga Bara", kabupaten="Kutai Timur")]
M = 1_000_000
NEAR = [None, 0, 90 * M, 100 * M, 100 * M + 1, 150 * M, 200 * M - 1, 200 * M, 200 * M + 1, 400 * M, 400 * M + 1]
WDATES = [None, dt.date(2018, 6, 30), dt.date(2018, 7, 1), dt.date(2025, 4, 1), dt.date(2025, 4, 29),
          dt.date(2025, 4, 30), dt.date(2025, 5, 29), dt.date(2026, 3, 1), dt.date(2026, 3, 30), dt.date(2026, 3, 31)]


@st.composite
def window_data(draw) -> Dataset:
    """Purchases of few buyers and categories close in time, values at and around every ceiling,
    unknown types, methods, values and dates."""
    purchases = []
    for j in range(draw(st.integers(1, 14))):
        day = draw(st.sampled_from(WDATES))
        purchases.append(Purchase(
            f"w{j}", draw(st.sampled_from(["contract", "contract", "plan"])),
            draw(st.sampled_from(["pd", "pd2", "desa1"])),
            category=draw(st.sampled_from(["atk", "atk", "konstruksi", None])),
            procurement_type=draw(st.sampled_from([None, "barang", "pekerjaan_konstruksi", "jasa_konsultansi"])),
            method=draw(st.sampled_from(["pengadaan_langsung", "pengadaan_langsung", None, "tender"])),
            value_idr=draw(st.sampled_from(NEAR)), date=day,
            fiscal_year=draw(st.sampled_from([None, None, 2025, 2026]))))  # dated too: a fiscal year other than its date's
    return Dataset.build(PARTIES3, purchases)


def _may_be_member(p: Purchase) -> bool:
    """KMT-04 read by hand: a dated purchase can be a window member when the clause is in force on
    its date, its buyer is a perangkat daerah, its method may be pengadaan langsung and its value
    may be at or below its ceiling (any ceiling, the largest 400 juta, when its type is unknown)."""
    if p.date is None:
        return True  # judged on every day it may have
    if p.date < dt.date(2018, 7, 1) or p.buyer_id == "desa1" or p.method not in (None, "pengadaan_langsung"):
        return False
    ceiling = {"jasa_konsultansi": 100 * M, "barang": 200 * M, None: 400 * M,
               "pekerjaan_konstruksi": 400 * M if p.date >= dt.date(2025, 4, 30) else 200 * M}[p.procurement_type]
    return p.value_idr is None or p.value_idr <= ceiling


def _bulk_judges_only_members(ds: Dataset, folder, monkeypatch, **kw) -> pr.Report:
    """The bulk report, checking that KMT-04 never ran per record over all purchases and that the
    window judge was handed exactly the purchases that can be members."""
    from perbup_rules.bulk import evaluate as bulk_evaluate
    from perbup_rules.judge import Judge

    handed: list[list[str]] = []
    certain: list[list[str]] = []
    window = Judge.window

    def spy(self, clause, given=None, check=None):
        handed.append([p.id for p in self.purchases])
        certain.append([m.id for _key, m in given or ()])
        return window(self, clause, given, check)

    def per_record(self, clause):
        assert clause["kind"] != "window", "a window clause was judged per record over all purchases"
        return per_record_before(self, clause)

    per_record_before = bulk_evaluate._Bulk.per_record
    with monkeypatch.context() as mp:
        mp.setattr(Judge, "window", spy)
        mp.setattr(bulk_evaluate._Bulk, "per_record", per_record)
        report = audit(RULES, folder, "reference", **kw)
    assert len(handed) == 1
    # the certain members are worked out in SQL and handed over as given; the others as records
    assert certain[0] == [p.id for p in ds.purchases if _certain_member(p)]  # in file order
    assert handed[0] == [p.id for p in ds.purchases if _may_be_member(p) and not _certain_member(p)]
    return report


def _certain_member(p: Purchase) -> bool:
    """KMT-04 read by hand: a purchase certainly in a window group: dated and in force, bought by a
    perangkat daerah with pengadaan langsung, of a known type (so one known ceiling) and a known value at
    or below it, with a known buyer and category (its group)."""
    if p.date is None or p.value_idr is None or p.procurement_type is None or p.category is None:
        return False
    return _may_be_member(p) and p.method == "pengadaan_langsung" and p.buyer_id in ("pd", "pd2")


FIXED = Dataset.build(PARTIES3, [
    _pl("x1", dt.date(2026, 3, 1), 200 * M), _pl("x2", dt.date(2026, 3, 30), 1),  # just above, on day 30
    _pl("x3", dt.date(2026, 3, 31), 200 * M + 1),  # above its ceiling: never a member
    _pl("y1", dt.date(2025, 4, 29), 200 * M, category="konstruksi", ptype="pekerjaan_konstruksi"),
    _pl("y2", dt.date(2025, 4, 30), 400 * M, category="konstruksi", ptype="pekerjaan_konstruksi"),
    _pl("y3", dt.date(2025, 4, 29), 200 * M + 1, category="konstruksi", ptype="pekerjaan_konstruksi"),
    _pl("z1", dt.date(2026, 3, 2), 100 * M, ptype="jasa_konsultansi"),
    _pl("z2", dt.date(2026, 3, 3), 100 * M + 1, ptype="jasa_konsultansi"),
    _pl("n1", dt.date(2026, 3, 4), 300 * M, ptype=None), _pl("n2", dt.date(2026, 3, 5), None),
    _pl("t1", dt.date(2026, 3, 6), 50 * M, method="tender"), _pl("d1", dt.date(2026, 3, 6), 50 * M, buyer="desa1"),
    _pl("o1", dt.date(2018, 6, 30), 50 * M), _pl("o2", dt.date(2018, 7, 1), 150 * M), _pl("o3", dt.date(2018, 7, 20), 150 * M),
    _pl("u1", None, 150 * M, fiscal_year=2026), _pl("u2", None, 500 * M, fiscal_year=2026, category=None),
    _pl("u3", None, 60 * M, method="tender"), _pl("u4", None, 150 * M, fiscal_year=2026, buyer="pd2"),
    _pl("g1", dt.date(2026, 3, 10), 120 * M, category=None), _pl("g2", dt.date(2026, 3, 12), 90 * M, buyer="pd2"),
    _pl("c1", dt.date(2025, 5, 1), 100 * M, buyer="pd2", category="konstruksi", ptype="pekerjaan_konstruksi"),
])


def test_the_bulk_path_judges_only_possible_window_members_and_gives_the_per_record_report(tmp_path, monkeypatch):
    write_dataset(FIXED, tmp_path / "data")
    full = as_counted(pr.evaluate(RULES, pr.load_dataset(tmp_path / "data"), "reference")).to_dict()
    bulk = _bulk_judges_only_members(FIXED, tmp_path / "data", monkeypatch).to_dict()
    full.pop("engine"), bulk.pop("engine")
    assert full == bulk
    kmt04 = [f for f in bulk["findings"] if f["clause"] == "KMT-04"]
    assert {f["status"] for f in kmt04} == {"violation", "compliant", "cannot_determine"}
    # a Dataset fed to DuckDB (any importer's records are the truth there) gives the same groups
    data = from_dataset(FIXED)
    try:
        fed = evaluate_bulk(RULES, data, "reference", clauses=["KMT-04"]).to_dict()
    finally:
        data.close()
    own = as_counted(pr.evaluate(RULES, FIXED, "reference", clauses=["KMT-04"])).to_dict()
    fed.pop("engine"), own.pop("engine")
    assert fed == own


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ds=window_data())
def test_bulk_window_groups_equal_the_per_record_ones(ds, tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("w") / "data"
    write_dataset(ds, folder)
    full = as_counted(pr.evaluate(RULES, pr.load_dataset(folder), "reference", clauses=["KMT-04"])).to_dict()
    bulk = _bulk_judges_only_members(ds, folder, monkeypatch, clauses=["KMT-04"]).to_dict()
    full.pop("engine"), bulk.pop("engine")
    assert full == bulk


def test_certain_window_members_from_sql_are_checked_per_record(tmp_path, monkeypatch):
    """The members the bulk path works out in SQL are handed to the window judge, which recomputes the
    first ones per record: a wrong one (here a value changed after the query) stops the audit."""
    import dataclasses

    from perbup_rules.bulk import evaluate as bulk_evaluate
    from perbup_rules.errors import EngineError

    write_dataset(FIXED, tmp_path / "data")
    assert sum(_certain_member(p) for p in FIXED.purchases) >= 5  # the fixture has some to hand over
    members = bulk_evaluate._Bulk.window_members

    def tampered(self, clause, m, lim):
        sure, given = members(self, clause, m, lim)
        (key, first), *rest = given[0]
        return sure, ([(key, dataclasses.replace(first, value=first.value - 1)), *rest], given[1])

    monkeypatch.setattr(bulk_evaluate._Bulk, "window_members", tampered)
    with pytest.raises(EngineError, match="window members"):
        audit(RULES, tmp_path / "data", "reference", clauses=["KMT-04"])


def _plain_window_facts(members, days):
    """window_facts written plainly (every window lists its members and sums them): the form the
    faster one (prefix sums, members flagged as ranges) must equal, over the same windows."""
    from perbup_rules.windows import Best, WindowFacts, _contribution, _neg_date, windows_of

    members = list(members)
    limits, dated, undated, windows = windows_of(members, days)
    split_c = split_p = False
    best_c = best_p = None
    flag_c, flag_p = set(), set()
    for limit in limits:
        c_add = [_contribution(m, limit) if m.certain else None for m in dated]
        p_add = [_contribution(m, limit) if not m.certain else None for m in dated]
        loose = [(m, _contribution(m, limit)) for m in undated]
        loose_sum = sum(v for _m, v in loose if v is not None)
        loose_ids = [m.id for m, v in loose if v is not None]
        for lo, hi in windows:
            cs = sum(c_add[i] or 0 for i in range(lo, hi))
            ps = cs + sum(p_add[i] or 0 for i in range(lo, hi)) + loose_sum
            c_ids = [dated[i].id for i in range(lo, hi) if c_add[i] is not None]
            p_ids = [dated[i].id for i in range(lo, hi) if p_add[i] is not None] + loose_ids
            start = dated[lo].date if hi > lo else None
            if cs > limit:
                split_c = True
                flag_c.update(c_ids)
                key = (cs, -limit, _neg_date(start))
                if best_c is None or key > best_c[0]:
                    best_c = (key, Best(cs, ps, limit, tuple(c_ids), tuple(p_ids)))
            if ps > limit:
                split_p = True
                flag_p.update(c_ids + p_ids)
            key = (ps - limit, -limit, _neg_date(start))
            if best_p is None or key > best_p[0]:
                best_p = (key, Best(cs, ps, limit, tuple(c_ids), tuple(p_ids)))
    if split_c:
        shown, flagged = best_c[1], flag_c
    else:
        shown = best_p[1] if best_p is not None else None
        flagged = flag_p if split_p else {m.id for m in members}
    return WindowFacts(split_c, split_p, shown, tuple(sorted(flagged)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ms=members(), days=st.sampled_from([1, 7, 30]))
def test_window_facts_equal_the_plain_form(ms, days):
    """Flagged members marked as ranges, ids listed only for the best windows: the same facts."""
    assert window_facts(ms, days) == _plain_window_facts(ms, days)
