"""The pre-award check (precheck.py) gives exactly what an audit of the context plus the package gives."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import Dataset, Party, Purchase, RecordError
from perbup_rules.precheck import PackageChecker
from strategies import datasets

RULES = pr.load_ruleset(pr.BUNDLED_RULES)
PER_PACKAGE = {c["id"] for c in RULES.clauses if c["kind"] in ("each", "exists") and c.get("over") == "purchases"}
SHARES = {c["id"] for c in RULES.clauses if c["kind"] == "share"}


def _without(ds: Dataset, pid: str) -> Dataset:
    return Dataset.build(ds.parties.values(), [p for p in ds.purchases if p.id != pid], ds.partnerships)


def _agrees(full: Dataset, package: Purchase) -> None:
    """check(package) over full-minus-package == the audit of full (after) and of the context (before)."""
    context = _without(full, package.id)
    year = package.fiscal_year if package.fiscal_year is not None else (package.date.year if package.date else None)
    periods = [year] if year is not None else None
    result = PackageChecker(RULES, context).check(package)
    after = pr.evaluate(RULES, full, "reference", periods=periods)
    before = pr.evaluate(RULES, context, "reference", periods=periods)
    mine = [f for f in after.findings if f.clause in PER_PACKAGE and f.subject == package.id]
    assert [f.to_dict() for f in result.findings] == [f.to_dict() for f in mine]
    for s in result.standings:
        def group(report):
            return [f for f in report.findings if f.clause == s.clause and f.subject == s.subject
                    and f.period == s.period and f.stage == s.stage]
        (a,) = group(after)
        assert (s.after.status, s.after.measured, s.after.threshold) == (a.status, a.measured, a.threshold)
        b = group(before)
        if b:
            assert (s.before.status, s.before.measured, s.before.threshold) == (b[0].status, b[0].measured, b[0].threshold)
        else:
            assert s.before.measured is None  # the group had no members before the package
        assert package.id in a.evidence
    # a share clause the package does not join has no group holding it in the audit
    for cid in result.not_member:
        assert not any(f.clause == cid and package.id in f.evidence for f in after.findings)


@pytest.fixture(scope="module")
def example():
    return pr.load_dataset(pr.EXAMPLE_DATA)


@pytest.mark.parametrize("index", [0, 7, 100, 555, 1200, 2500])
def test_check_equals_the_audit_on_the_example(example, index):
    _agrees(example, example.purchases[index % len(example.purchases)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ds=datasets(max_purchases=12), pick=st.integers(0, 100))
def test_check_equals_the_audit_on_generated_datasets(ds, pick):
    if not ds.purchases:
        return
    _agrees(ds, ds.purchases[pick % len(ds.purchases)])


def test_one_package_does_not_judge_the_agency():
    """The issue's case: one package in an empty year must not make KMT-01 call the agency a violator."""
    parties = [Party("pd", "Dinas", "perangkat_daerah", kabupaten="Kutai Timur"),
               Party("big", "PT Besar", "company", scale="besar", kabupaten="Kutai Timur")]
    result = pr.check_package(RULES, {"id": "x", "stage": "award", "buyer_id": "pd", "supplier_id": "big",
                                      "procurement_type": "Barang", "value_idr": "Rp 100.000.000",
                                      "date": "2026-03-01"}, context=Dataset.build(parties))
    assert {f.clause for f in result.findings} <= PER_PACKAGE
    assert all(f.clause not in SHARES for f in result.findings)
    kmt01 = [s for s in result.standings if s.clause == "KMT-01"]
    assert kmt01 and kmt01[0].before.measured is None and kmt01[0].after.measured == "0.0000"
    assert result.to_dict()["shares"][0]["before"]["members"] == 0


def test_bad_packages_are_record_errors(example):
    checker = PackageChecker(RULES, example)
    with pytest.raises(RecordError) as info:
        checker.check({"id": example.purchases[0].id, "stage": "award"})
    assert info.value.field == "id"
    with pytest.raises(RecordError) as info:
        checker.check({"id": "new", "stage": "award", "supplier_id": "nobody"})
    assert info.value.code == "unknown_reference" and info.value.field == "supplier_id"
    with pytest.raises(RecordError):
        checker.check({"id": "new", "stage": "awarded"})


def test_checks_do_not_change_the_context(example):
    checker = PackageChecker(RULES, example)
    p = example.purchases[3]
    package = Purchase.trusted(**{**{f: getattr(p, f) for f in Purchase.__dataclass_fields__}, "id": "zz-new"})
    first = checker.check(package).to_dict()
    for _ in range(3):
        assert checker.check(package).to_dict() == first
    undated = checker.check({"id": "u1", "stage": "plan", "buyer_id": p.buyer_id})
    assert undated.period is None
    assert checker.check(package).to_dict() == first
    assert len(example.purchases) == 2994 or "zz-new" not in {q.id for q in example.purchases}


def test_date_in_a_year_the_context_lacks(example):
    p = example.purchases[0]
    r = PackageChecker(RULES, example).check({"id": "future", "stage": "plan", "buyer_id": p.buyer_id,
                                              "value_idr": 1000, "date": dt.date(2031, 1, 5).isoformat()})
    assert r.period == 2031


def _pd_context(*purchases: Purchase) -> Dataset:
    parties = [Party("pd1", "Dinas", "perangkat_daerah", kabupaten="Kutai Timur"),
               Party("s0", "Usaha", "umkm", scale="kecil", kabupaten="Kutai Timur")]
    return Dataset.build(parties, list(purchases))


def test_an_undated_package_is_judged_over_every_period_of_the_context():
    """Without a date or fiscal year the package may count in any audited period, as in the audit
    (which judges it on every period of the data): KMT-03 is not silently skipped."""
    full = _pd_context(Purchase("p0", "plan", "pd1", ppk_id="ppk1", fiscal_year=2021),
                       Purchase("p1", "plan", "pd1", ppk_id="ppk1"))
    _agrees(full, full.purchases[1])
    r = PackageChecker(RULES, _without(full, "p1")).check(full.purchases[1])
    assert r.period is None and any(f.clause == "KMT-03" for f in r.findings)


def test_a_package_without_ppk_stands_in_its_buyers_ppk_unknown_group():
    """KMT-02 without ppk_id: the buyer has no known PPK that year and stage, so the audit makes one
    cannot_determine for the buyer ("PPK unknown") holding the package; the check reports that standing."""
    full = _pd_context(Purchase("p0", "plan", "pd1", date=dt.date(2025, 4, 30), value_idr=10))
    _agrees(full, full.purchases[0])
    r = PackageChecker(RULES, _without(full, "p0")).check(full.purchases[0])
    (s,) = [s for s in r.standings if s.clause == "KMT-02"]
    assert (s.subject, s.subject_kind, s.after.status.value) == ("pd1", "buyer_id", "cannot_determine")
    assert "KMT-02" not in r.not_member


def test_a_package_opening_a_group_gathers_the_contexts_possible_members():
    """A dated package of a new PPK opens a group that the buyer's purchases without ppk_id then
    possibly belong to (they were the buyer's "PPK unknown" group before): the after side has them."""
    full = _pd_context(Purchase("p0", "award", "pd1", value_idr=100, date=dt.date(2026, 3, 1)),
                       Purchase("p1", "award", "pd1", ppk_id="ppk9", supplier_id="s0", value_idr=50,
                                date=dt.date(2026, 5, 1)))
    _agrees(full, full.purchases[1])
    r = PackageChecker(RULES, _without(full, "p1")).check(full.purchases[1])
    (s,) = [s for s in r.standings if s.clause == "KMT-02"]
    assert s.subject == "ppk9" and s.before.measured is None and ".." in s.after.measured  # p0 widens it
    undated = _pd_context(Purchase("p0", "award", "pd1", ppk_id="ppk9", supplier_id="s0", value_idr=100,
                                   fiscal_year=2026),
                          Purchase("p1", "award", "pd1", ppk_id="ppk9", supplier_id="s0", value_idr=50,
                                   date=dt.date(2026, 5, 1)))
    _agrees(undated, undated.purchases[1])
    _agrees(undated, undated.purchases[0])


def test_window_clauses_are_not_judged_and_say_why(example):
    """KMT-04 (package splitting) judges packages of 30 days together: a check names it with the reason."""
    windows = [c["id"] for c in RULES.clauses if c["kind"] == "window"]
    assert windows == ["KMT-04"]
    r = PackageChecker(RULES, example).check({"id": "w1", "stage": "award", "buyer_id": example.purchases[0].buyer_id,
                                              "method": "pengadaan_langsung", "value_idr": 150_000_000,
                                              "procurement_type": "barang", "date": "2026-03-01"})
    assert [d["clause"] for d in r.to_dict()["not_judged"]] == ["KMT-04"]
    assert "KMT-04" in r.not_judged[0]["reason"] and not any(f.clause == "KMT-04" for f in r.findings)
