"""Classify clauses column-wise (perbup_rules.bulk.classify) give the per-record judge's attributes.

The per-record ``Judge.classify`` is the definition: every derived attribute per party and year
(``Env.derived``) and every reason an attribute is unknown (``Env.derived_why``) must be equal,
on the draft's clauses over generated parties, and a clause outside the SQL subset must fall
back to the per-record judge without leaving anything half-stored.
"""

from __future__ import annotations

import tempfile

from hypothesis import HealthCheck, given, settings
from regbuilder import write_regulation
from strategies import datasets

import perbup_rules as pr
from perbup_rules.bulk import evaluate as bulk_evaluate
from perbup_rules.bulk import load
from perbup_rules.bulk.classify import Classifier
from perbup_rules.engine import get_engine
from perbup_rules.importers.writer import write_dataset

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)
YEARS = [2018, 2020, 2021, 2025, 2026]


def _both(rs, folder, years=YEARS):
    data = load(folder)
    try:
        sql = bulk_evaluate._Bulk(rs, data, get_engine("reference"), years, None)
        slow = Classifier(sql.run, sql.con, sql.decide, sql.party_types()).run_all(
            [c for c in rs.clauses if c["kind"] == "classify"])
        ref = bulk_evaluate._Bulk(rs, data, get_engine("reference"), years, None)
        for c in rs.clauses:
            if c["kind"] == "classify":
                ref.run.classify(c)
        return sql.run.env, ref.run.env, slow
    finally:
        data.close()


def test_the_bundled_example_is_classified_alike_and_column_wise():
    got, want, slow = _both(KUTIM, pr.EXAMPLE_DATA)
    assert slow == []
    assert got.derived == want.derived and got.derived_why == want.derived_why
    assert any(v is None for y in got.derived.values() for a in y.values() for v in a.values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ds=datasets(max_purchases=3))
def test_generated_parties_are_classified_alike(ds):
    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(ds, tmp)
        got, want, _slow = _both(KUTIM, tmp)
        assert got.derived == want.derived
        assert got.derived_why == want.derived_why


def test_a_clause_outside_the_subset_is_classified_per_record(tmp_path):
    # membership in a party's list field has no column-wise form here, so per record; the
    # clause after it reads the attribute it made, column-wise again
    clauses = """
- id: C-01
  kind: classify
  over: parties
  title: {id: Modal, en: Capital}
  attribute: modal
  cases:
    - {when: '"makanan" in supplies', value_from: capital_idr}
  default: null
- id: C-02
  kind: classify
  over: parties
  title: {id: Besar, en: Large}
  attribute: besar
  cases:
    - {when: 'known(modal) and kind == "company"', value: true}
  default: false
"""
    rs = pr.load_ruleset(write_regulation(tmp_path / "reg", clauses))
    got, want, slow = _both(rs, pr.EXAMPLE_DATA, years=[2025])
    assert slow == ["C-01"]
    assert got.derived == want.derived and got.derived_why == want.derived_why
    assert any(a.get("besar") for a in got.derived[2025].values())


def test_party_year_is_made_from_the_classification_s_table(monkeypatch):
    """The purchase clauses' party_year table comes from the classification's own table (no
    second pass over every party and year in Python), and the report is still the per-record one."""
    made = []
    real = bulk_evaluate._table

    def spy(con, name, *a, **k):
        made.append(name)
        return real(con, name, *a, **k)

    monkeypatch.setattr(bulk_evaluate, "_table", spy)
    _equal_reports(KUTIM)
    assert "party_year" not in made


def _equal_reports(rs):
    data = load(pr.EXAMPLE_DATA)
    try:
        got = bulk_evaluate.evaluate_bulk(rs, data, "reference")
    finally:
        data.close()
    want = bulk_evaluate.as_counted(pr.evaluate(rs, pr.load_dataset(pr.EXAMPLE_DATA), "reference"))
    a, b = got.to_dict(), want.to_dict()
    a.pop("engine"), b.pop("engine")
    assert a == b
    return a


def test_decisions_without_atoms_keep_their_empty_row(tmp_path):
    """A decision with no atom (``when: "true"``) has the atom row ``''``; it must reach the
    labels as ``''``, not as NULL (an empty CSV cell), or every party loses its attributes and
    every share its members (found by review: the column-wise report differed)."""
    clauses = """
- id: C-09
  kind: classify
  title: {id: Semua, en: All}
  attribute: semua
  cases:
    - {when: "true", value: true}
  default: false
- id: G-01
  kind: each
  over: purchases
  title: {id: Uji, en: Generated}
  applies: 'stage == "contract" and supplier.semua'
  require: 'supplier.umkk'
- id: G-02
  kind: share
  over: purchases
  title: {id: Uji, en: Generated share}
  applies: 'stage == "contract"'
  subject: buyer_id
  part:
    - {when: 'supplier.umkk', value_from: value_idr}
  part_at_most:
    - {when: "true", value_from: value_idr}
  total: value_idr
  at_least: params.share_min
"""
    rs = pr.load_ruleset(write_regulation(tmp_path / "reg", clauses))
    got = _equal_reports(rs)
    assert got["summary"]["G-01"]["violation"] > 0
    assert sum(got["summary"]["G-02"].values()) > 0
