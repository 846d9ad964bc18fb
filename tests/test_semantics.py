"""Clause semantics on both engines: each kind, each status, dates, dated parameters,
exceptions, three-valued shares and exact boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

import perbup_rules as pr
from perbup_rules import Dataset, Partnership, Party, Purchase, Status
from regbuilder import ruleset

ENGINES = ["durable", "reference"]
D = dt.date(2026, 3, 1)

EACH = """
- id: R-01
  kind: each
  over: purchases
  title: {id: Paket kecil ke UMKK, en: Small packages to UMKK}
  valid_from: 2021-01-01
  valid_until: 2030-12-31
  applies: buyer.kind == "perangkat_daerah" and value_idr <= params.cap
  require: supplier.umkk
  unless:
    - id: exempt
      when: known(exemption_reason)
      title: {id: dikecualikan, en: exempted}
"""

PARTIES = [
    Party("pd", "Dinas", "perangkat_daerah"),
    Party("small", "UD Kecil", "umkm", "ud", capital_idr=100),
    Party("big", "PT Besar", "company", "pt", capital_idr=101),
    Party("kop", "Koperasi", "koperasi", "koperasi", capital_idr=10**12),
    Party("unk", "CV ?", "company", "cv"),
]


def buy(pid, supplier, value, date=D, **kw):
    return Purchase(pid, kw.pop("stage", "award"), kw.pop("buyer", "pd"), kw.pop("ppk", "ppk1"), supplier,
                    kw.pop("category", "atk"), "barang", value_idr=value, date=date, **kw)


def only(report, clause, subject=None):
    fs = [f for f in report.findings if f.clause == clause and (subject is None or f.subject == subject)]
    assert len(fs) == 1, fs
    return fs[0]


@pytest.fixture(scope="module")
def each_rs(tmp_path_factory):
    return ruleset(tmp_path_factory.mktemp("each"), EACH)


@pytest.mark.parametrize("engine", ENGINES)
def test_each_statuses(each_rs, engine):
    ds = Dataset.build(PARTIES, [
        buy("ok", "small", 1000),                      # boundary: capital 100 is small, value 1000 == cap
        buy("bad", "big", 1000),                        # capital 101 is not small
        buy("kop", "kop", 10),                          # a cooperative of any size counts
        buy("over", "big", 2001),                       # above the cap (2000 from 2025-07-01): not applicable
        buy("unk", "unk", 10),                          # no capital, not a cooperative: cannot determine
        buy("exc", "big", 10, exemption_reason="teknis"),
        buy("exc_unk", "unk", 10, exemption_reason="teknis"),
        buy("nodate", "big", 10, date=None),
        buy("early", "big", 10, date=dt.date(2020, 12, 31)),
        buy("late", "big", 10, date=dt.date(2031, 1, 1)),
        buy("nosupp", None, 10),
    ])
    r = pr.evaluate(each_rs, ds, engine)
    st = {f.subject: f for f in r.findings if f.clause == "R-01"}
    assert st["ok"].status is Status.COMPLIANT
    # the cap decides whether R-01 applies; it is not what "bad" failed, so it is not its measured value
    assert st["bad"].status is Status.VIOLATION and st["bad"].measured is None and st["bad"].threshold is None
    assert st["kop"].status is Status.COMPLIANT
    assert st["over"].status is Status.NOT_APPLICABLE
    assert st["unk"].status is Status.CANNOT_DETERMINE and st["unk"].missing == ("supplier.umkk",)
    assert st["exc"].status is Status.COMPLIANT and st["exc"].exception == "exempt"
    assert st["exc_unk"].status is Status.COMPLIANT and st["exc_unk"].exception == "exempt"
    assert st["nodate"].status is Status.CANNOT_DETERMINE and "date" in st["nodate"].missing
    assert st["early"].status is Status.NOT_APPLICABLE
    assert st["late"].status is Status.NOT_APPLICABLE
    assert st["nosupp"].status is Status.CANNOT_DETERMINE and st["nosupp"].missing == ("supplier.umkk",)
    assert all(f.citation == "Pasal 1" for f in st.values())


@pytest.mark.parametrize("engine", ENGINES)
def test_dated_parameter_on_the_records_own_date(each_rs, engine):
    before, after = dt.date(2025, 6, 30), dt.date(2025, 7, 1)
    ds = Dataset.build(PARTIES, [buy("b", "big", 1500, date=before), buy("a", "big", 1500, date=after)])
    r = pr.evaluate(each_rs, ds, engine)
    assert only(r, "R-01", "b").status is Status.NOT_APPLICABLE  # cap 1000 then
    a = only(r, "R-01", "a")
    # the cap in force on a's own date (2000) is the one its explanation names
    assert a.status is Status.VIOLATION and "batas Rp2.000" in a.explanation.id and "the limit Rp2.000" in a.explanation.en


SHARE = """
- id: S-01
  kind: share
  over: purchases
  title: {id: Porsi UMKK, en: UMKK share}
  valid_from: 2021-01-01
  applies: buyer.kind == "perangkat_daerah"
  subject: buyer_id
  part:
    - {when: known(umk_value_idr), value_from: umk_value_idr}
    - {when: supplier.umkk, value_from: value_idr}
  total: value_idr
  at_least: params.share_min
"""


@pytest.fixture(scope="module")
def share_rs(tmp_path_factory):
    return ruleset(tmp_path_factory.mktemp("share"), SHARE)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("qual,total,status,measured", [
    (50, 100, Status.COMPLIANT, "0.5000"),      # exactly the 2026 minimum (0.50)
    (49, 100, Status.VIOLATION, "0.4900"),
    (4999999999, 10**10, Status.VIOLATION, "0.4999"),  # never rounds up to the threshold
    (5 * 10**9, 10**10, Status.COMPLIANT, "0.5000"),
])
def test_share_exact_boundaries(share_rs, engine, qual, total, status, measured):
    ds = Dataset.build(PARTIES, [buy("q", "small", qual), buy("n", "big", total - qual)])
    f = only(pr.evaluate(share_rs, ds, engine), "S-01")
    assert (f.status, f.measured, f.threshold) == (status, measured, "0.50")


@pytest.mark.parametrize("engine", ENGINES)
def test_share_threshold_of_the_period(share_rs, engine):
    d25 = dt.date(2025, 5, 1)
    ds = Dataset.build(PARTIES, [buy("q", "small", 45, date=d25), buy("n", "big", 55, date=d25)])
    f = only(pr.evaluate(share_rs, ds, engine), "S-01")
    assert (f.status, f.threshold, f.period) == (Status.COMPLIANT, "0.40", 2025)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("known,unknown,other,status,measured", [
    (60, 10, 30, Status.COMPLIANT, "0.6000..0.7000"),       # meets it even counting unknown as not qualifying
    (10, 30, 60, Status.VIOLATION, "0.1000..0.4000"),       # fails it even counting unknown as qualifying
    (40, 20, 40, Status.CANNOT_DETERMINE, "0.4000..0.6000"),  # the threshold lies between the bounds
])
def test_share_three_valued(share_rs, engine, known, unknown, other, status, measured):
    ds = Dataset.build(PARTIES, [buy("k", "small", known), buy("u", "unk", unknown), buy("o", "big", other)])
    f = only(pr.evaluate(share_rs, ds, engine), "S-01")
    assert (f.status, f.measured) == (status, measured)
    if status is Status.CANNOT_DETERMINE:
        assert f.missing == ("supplier.umkk",)


@pytest.mark.parametrize("engine", ENGINES)
def test_share_zero_denominator_is_not_applicable(share_rs, engine):
    ds = Dataset.build(PARTIES, [buy("z", "big", 0)])
    assert only(pr.evaluate(share_rs, ds, engine), "S-01").status is Status.NOT_APPLICABLE


@pytest.mark.parametrize("engine", ENGINES)
def test_share_groups_by_subject_period_and_stage(share_rs, engine):
    ds = Dataset.build(PARTIES, [
        buy("a", "small", 100), buy("b", "big", 100, stage="contract"),
        buy("c", "big", 100, date=dt.date(2025, 1, 2)), buy("d", "small", 100, umk_value_idr=0),
    ])
    r = pr.evaluate(share_rs, ds, engine)
    got = {(f.subject, f.period, f.stage): (f.status, f.measured, f.evidence) for f in r.findings if f.clause == "S-01"}
    assert got == {
        ("pd", 2026, "award"): (Status.COMPLIANT, "0.5000", ("a", "d")),   # d: stated UMK value 0 wins
        ("pd", 2026, "contract"): (Status.VIOLATION, "0.0000", ("b",)),
        ("pd", 2025, "award"): (Status.VIOLATION, "0.0000", ("c",)),
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_share_missing_date_or_total_is_cannot_determine(share_rs, engine):
    ds = Dataset.build(PARTIES, [buy("a", "small", 100), buy("b", "big", None), buy("c", "small", 5, date=None)])
    r = pr.evaluate(share_rs, ds, engine)
    got = {(f.period, f.status) for f in r.findings if f.clause == "S-01"}
    # the undated purchase is a possible member of the 2026 group, not a finding of its own
    assert got == {(2026, Status.CANNOT_DETERMINE)}
    f2026 = next(f for f in r.findings if f.clause == "S-01" and f.period == 2026)
    assert "value_idr" in f2026.missing and "c" in f2026.evidence
    assert r.data_quality == [{"table": "purchases", "id": "c", "missing": ["date"]}]


EXISTS = """
- id: E-01
  kind: exists
  over: parties
  title: {id: Hotel bermitra, en: Hotel partners}
  valid_from: 2026-01-01
  applies: kind == "hotel"
  categories: [makanan, laundry]
  related: partnerships
  link: party_id
  match: >-
    written and partner.umkk and category in categories
    and start_date <= period.end and (not known(end_date) or end_date >= period.start)
  remedy:
    party: id
    candidates:
      where: candidate.umkk and category in candidate.supplies
      prefer: [candidate.kecamatan == subject.kecamatan]
"""

HOTEL_PARTIES = [
    Party("h1", "Hotel", "hotel", kecamatan="Sangatta Utara"),
    Party("h2", "Hotel Dua", "hotel", kecamatan="Bengalon"),
    Party("r1", "Resto", "restaurant"),
    Party("u1", "UD Roti", "umkm", "ud", capital_idr=10, kecamatan="Bengalon", supplies=("makanan",)),
    Party("u2", "UD Kue", "umkm", "ud", capital_idr=10, kecamatan="Sangatta Utara", supplies=("makanan", "laundry")),
    Party("u3", "UD Cuci", "umkm", "ud", capital_idr=10, kecamatan="Sangatta Utara", supplies=("laundry",)),
    Party("x1", "CV ?", "company", "cv", supplies=("laundry",)),
    Party("pd", "Dinas", "perangkat_daerah"),
]


@pytest.mark.parametrize("engine", ENGINES)
def test_exists_statuses_and_required_partnerships(tmp_path, engine):
    rs = ruleset(tmp_path, EXISTS)
    ks = [
        Partnership("k1", "h1", "u1", "perdagangan_umum", ("makanan",), dt.date(2025, 1, 1), None, True, True),
        Partnership("k2", "h1", "x1", "penyumberluaran", ("laundry",), dt.date(2026, 1, 1), None, True, True),
        Partnership("k3", "h2", "u2", "perdagangan_umum", ("makanan",), dt.date(2024, 1, 1), dt.date(2025, 12, 31), True, True),
    ]
    ds = Dataset.build(HOTEL_PARTIES, [buy("p", "u1", 1, buyer="h1")], ks)
    r = pr.evaluate(rs, ds, engine, periods=[2025, 2026])
    got = {(f.subject, f.period, f.category): f.status for f in r.findings if f.subject in ("h1", "h2", "r1")}
    assert got[("h1", 2026, "makanan")] is Status.COMPLIANT
    assert got[("h1", 2026, "laundry")] is Status.CANNOT_DETERMINE     # the only partner's status is unknown
    assert got[("h2", 2026, "makanan")] is Status.VIOLATION            # k3 ended before 2026
    assert got[("r1", 2026, "makanan")] is Status.NOT_APPLICABLE
    assert got[("h1", 2025, "makanan")] is Status.NOT_APPLICABLE       # not in force before 2026
    req = {(q.party, q.category): q.candidates for q in r.required_partnerships}
    # same kecamatan (Bengalon) first, then the rest, each by id; x1 is not known to be UMKK
    assert req == {("h2", "makanan"): ("u1", "u2"), ("h2", "laundry"): ("u2", "u3")}


@pytest.mark.parametrize("engine", ENGINES)
def test_evaluation_is_deterministic_and_order_independent(each_rs, share_rs, engine):
    purchases = [buy(f"p{i}", ["small", "big", "unk", "kop"][i % 4], 10 * i + 1) for i in range(40)]
    a = pr.evaluate(share_rs, Dataset.build(PARTIES, purchases), engine).to_json()
    b = pr.evaluate(share_rs, Dataset.build(list(reversed(PARTIES)), list(reversed(purchases))), engine).to_json()
    assert a == b
    assert pr.evaluate(share_rs, Dataset.build(PARTIES, purchases), engine).to_json() == a
