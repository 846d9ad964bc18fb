"""Not evaluated is said, not shown as zeros (perbup_rules.not_evaluated, Report.not_evaluated).

What a clause needs is derived from its compiled ``applies`` (and a share clause's subject),
so these tests write small regulations and check the derivation, then the reports of both
paths (per record and bulk) and every format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings

import perbup_rules as pr
from perbup_rules.bulk import as_counted, audit
from perbup_rules.importers.writer import write_dataset
from perbup_rules.not_evaluated import DatasetPresence, needed_fields, not_evaluated
from perbup_rules.records import Dataset, Party, Purchase
from perbup_rules.report import render
from regbuilder import write_regulation
from strategies import datasets

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)
D = dt.date(2026, 3, 1)

CLAUSES = """
- id: T-01
  kind: each
  over: purchases
  title: {id: Dan, en: And}
  applies: category == "makanan" and buyer.kind == "perangkat_daerah"
  require: value_idr > 0
- id: T-02
  kind: each
  over: purchases
  title: {id: Atau, en: Or}
  applies: category == "makanan" or stage == "plan"
  require: value_idr > 0
- id: T-03
  kind: each
  over: purchases
  title: {id: Atau keduanya, en: Or both}
  applies: (category == "makanan" and stage == "plan") or (category == "laundry" and value_idr > 0)
  require: value_idr > 0
- id: T-04
  kind: each
  over: purchases
  title: {id: Diketahui, en: Known}
  applies: not known(category) or category == "atk"
  require: value_idr > 0
- id: T-05
  kind: each
  over: purchases
  title: {id: Bukan, en: Not}
  applies: not (category == "atk")
  require: value_idr > 0
- id: T-06
  kind: each
  over: purchases
  title: {id: Turunan, en: Derived}
  applies: supplier.umkk
  require: value_idr > 0
- id: T-07
  kind: share
  title: {id: Porsi, en: Share}
  applies: stage != "plan"
  subject: ppk_id
  part:
    - {when: supplier.umkk, value_from: value_idr}
  total: value_idr
  at_least: params.share_min
- id: T-08
  kind: each
  over: purchases
  title: {id: Syarat, en: Require}
  applies: value_idr > 0
  require: category == "makanan"
"""


@pytest.fixture(scope="module")
def rs(tmp_path_factory):
    return pr.load_ruleset(write_regulation(tmp_path_factory.mktemp("reg"), CLAUSES))


def _needs(rs, cid):
    return needed_fields(rs, rs.clause(cid))


def test_fields_are_needed_through_and_but_only_through_every_branch_of_or(rs):
    assert _needs(rs, "T-01") == [("buyer", "kind"), ("category",)]
    assert _needs(rs, "T-02") == []
    assert _needs(rs, "T-03") == [("category",)]
    assert _needs(rs, "T-04") == []  # known() is how a rule handles absence
    assert _needs(rs, "T-05") == [("category",)]
    assert _needs(rs, "T-06") == [("supplier", "umkk")]
    assert _needs(rs, "T-07") == [("ppk_id",), ("stage",)]
    assert _needs(rs, "T-08") == [("value_idr",)]  # require's fields give cannot_determine, not silence


def _ds(purchases, parties=None):
    return Dataset.build(parties or [Party("pd", kind="perangkat_daerah"), Party("s", name="CV A")], purchases)


def test_a_clause_is_not_evaluated_when_no_record_carries_a_needed_field(rs):
    ds = _ds([Purchase("p1", stage="award", buyer_id="pd", supplier_id="s", value_idr=10, date=D)])
    got = {d["clause"]: d for d in not_evaluated(rs, DatasetPresence(ds))}
    assert set(got) == {"T-01", "T-03", "T-05", "T-06", "T-07"}
    assert got["T-01"] == {"clause": "T-01", "fields": ["category"], "reason": "no record has category"}
    # supplier.umkk is derived from legal_form and capital_idr: neither is on any supplier
    assert got["T-06"]["fields"] == ["supplier.umkk"]
    assert got["T-07"]["fields"] == ["ppk_id"]


def test_one_record_with_the_field_is_enough(rs):
    ds = _ds([Purchase("p1", stage="award", buyer_id="pd", supplier_id="s", value_idr=10, date=D),
              Purchase("p2", stage="award", buyer_id="pd", supplier_id="s2", ppk_id="ppk-1", category="atk", value_idr=5, date=D)],
             [Party("pd", kind="perangkat_daerah"), Party("s"), Party("s2", legal_form="koperasi")])
    assert not_evaluated(rs, DatasetPresence(ds)) == []


def test_a_buyer_field_counts_only_on_parties_that_are_buyers(rs):
    # the supplier has a kind; no buyer does: buyer.kind is still absent
    ds = _ds([Purchase("p1", stage="award", buyer_id="pd", supplier_id="s", category="makanan", value_idr=1, date=D)],
             [Party("pd"), Party("s", kind="company")])
    got = {d["clause"]: d["fields"] for d in not_evaluated(rs, DatasetPresence(ds))}
    assert got["T-01"] == ["buyer.kind"]


def _without(ds: Dataset, **blank) -> Dataset:
    ds.purchases = [p.__class__(**{**{f: getattr(p, f) for f in p.__slots__}, **blank}) for p in ds.purchases]
    return ds


def test_every_format_says_not_evaluated_instead_of_zeros():
    ds = _without(pr.load_dataset(pr.EXAMPLE_DATA), category=None)
    report = pr.evaluate(KUTIM, ds, "reference", periods=[2025])  # the clauses apply from 2026: no verdicts
    # KMT-14.2 applies by channel, which the example data does not carry
    # KMT-04 compares packages by category (group_by), KMT-12.3 applies by it
    assert {d["clause"] for d in report.not_evaluated} == {"KMT-04", "KMT-11", "KMT-11.2", "KMT-12.1", "KMT-12.2", "KMT-12.3",
                                                           "KMT-14.2"}
    assert report.summary()["KMT-11"] == {"violation": 0, "cannot_determine": 0, "compliant": 0, "not_applicable": 0}
    data = json.loads(render(report, "json"))
    assert data["not_evaluated"][0] == {"clause": "KMT-04", "fields": ["category"], "reason": "no record has category"}
    assert data["not_evaluated"][1] == {"clause": "KMT-11", "fields": ["category"], "reason": "no record has category"}
    text = render(report, "text")
    line = next(ln for ln in text.splitlines() if ln.lstrip().startswith("KMT-11 "))
    assert "not evaluated: no record has category" in line and " 0 " not in line and line.count("—") == 4
    md = render(report, "md")
    row = next(ln for ln in md.splitlines() if ln.startswith("| [KMT-11]"))
    assert "*not evaluated: no record has category*" in row and "tidak dievaluasi" in row and " 0 |" not in row.split("category*")[1][:20]
    html = render(report, "html")
    assert html.count('<td class="not-evaluated" colspan="4">') >= 2 and "not evaluated: no record has category" in html
    # with the categories back, only the clause that needs channel (absent from the example) is said
    assert [d["clause"] for d in pr.evaluate(KUTIM, pr.load_dataset(pr.EXAMPLE_DATA), "reference").not_evaluated] == ["KMT-14.2"]


def test_verdicts_a_clause_did_give_are_still_shown_beside_the_note():
    # In force (2026), a per-purchase clause still judges records whose category is unknown:
    # compliant when its requirement holds whatever the category, cannot_determine otherwise.
    report = pr.evaluate(KUTIM, _without(pr.load_dataset(pr.EXAMPLE_DATA), category=None), "reference")
    counts = report.summary()["KMT-12.1"]
    assert counts["violation"] == 0 and counts["cannot_determine"] + counts["compliant"] > 0
    line = next(ln for ln in render(report, "text").splitlines() if ln.lstrip().startswith("KMT-12.1 "))
    assert "not evaluated: no record has category" in line and str(counts["compliant"]) in line
    assert "<td class=\"not-evaluated\" colspan" not in render(report, "html").split("KMT-12.1", 2)[1][:600]


def test_the_clause_filter_limits_the_list():
    ds = _ds([Purchase("p1", stage="award", buyer_id="pd", supplier_id="s", value_idr=10, date=D)])
    report = pr.evaluate(KUTIM, ds, "reference", clauses=iter(["KMT-11", "KMT-01"]))
    assert [d["clause"] for d in report.not_evaluated] == ["KMT-11"]


def test_the_bulk_path_says_the_same(tmp_path):
    write_dataset(_without(pr.load_dataset(pr.EXAMPLE_DATA), category=None, ppk_id=None), tmp_path)
    per_record = as_counted(pr.evaluate(KUTIM, pr.load_dataset(tmp_path), "reference"))
    bulk = audit(KUTIM, tmp_path, "reference")
    assert bulk.not_evaluated == per_record.not_evaluated
    assert {d["clause"] for d in bulk.not_evaluated} == {"KMT-02", "KMT-04", "KMT-11", "KMT-11.2", "KMT-12.1", "KMT-12.2",
                                                         "KMT-12.3", "KMT-14.2"}
    same_engine = dataclasses.replace(per_record, engine=bulk.engine)
    for fmt in ("text", "md", "html"):
        assert render(bulk, fmt) == render(same_engine, fmt), fmt
    assert "not evaluated: no record has ppk_id" in render(bulk, "text")
    a, b = per_record.to_dict(), bulk.to_dict()
    a.pop("engine"), b.pop("engine")
    assert a == b


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ds=datasets())
def test_bulk_and_per_record_agree_on_random_datasets(ds):
    assume(ds.purchases)  # read input without purchases is no audit (nodata.py)
    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(ds, tmp)
        per_record = pr.evaluate(KUTIM, pr.load_dataset(tmp), "reference")
        assert audit(KUTIM, tmp, "reference").not_evaluated == per_record.not_evaluated
        # and the list is exactly the clauses with a needed field that no record carries
        for d in per_record.not_evaluated:
            if d.get("table") == "reports":  # fed by a table the input did not give (duties.py)
                assert not ds.reports_read and d["reason"] == "no reports table (reports.csv) in the input"
                continue
            assert d["fields"] and d["reason"] == "no record has " + " or ".join(d["fields"])
