"""Exists clauses over purchases run column-wise (perbup_rules.bulk.evaluate._Bulk.exists) and give
the per-record report exactly.

KMT-05 of the Kutim draft is the case in point: linked by the supplier (not purchase_id), a
partnership counts for a purchase through its categories, the remedy is grouped per supplier,
category and year with ranked candidates, and ``unless_no_supplier`` turns a violation into not
applicable when no party supplies the category. The data below mixes all of it: partnerships
that cover some categories or are tied to one purchase, undated purchases, suppliers whose UMKK
status is unknown, and categories no party supplies.
"""

from __future__ import annotations

import datetime as dt
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import Dataset, Partnership, Party, Purchase
from perbup_rules.bulk import as_counted, audit, load
from perbup_rules.bulk import evaluate as bulk_evaluate
from perbup_rules.importers.writer import write_dataset

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)
CATS = ["makanan", "laundry", "atk", "konstruksi", None]
DATES = [dt.date(2020, 6, 1), dt.date(2025, 3, 1), dt.date(2025, 9, 15), dt.date(2026, 5, 20), None]


@st.composite
def kemitraan(draw) -> Dataset:
    """Non-UMKK winners of a Perangkat Daerah, their partnerships with UMKK, and possible partners."""
    parties = [Party("pd1", "Dinas", "perangkat_daerah", kabupaten="Kutai Timur"),
               Party("desa1", "Desa", "desa", kabupaten="Kutai Timur")]
    suppliers = []
    for i in range(draw(st.integers(1, 3))):
        known = draw(st.booleans())  # an unknown capital: UMKK status unknown (cannot determine)
        suppliers.append(Party(f"big{i}", f"PT Besar {i}", "company", "pt",
                               capital_idr=50_000_000_000 if known else None,
                               annual_sales_idr=100_000_000_000 if known else None,
                               kecamatan_code=draw(st.sampled_from(["64.08.01", "64.08.02", None]))))
    partners = [Party(f"u{i}", f"Usaha {i}", "umkm", "cv", scale=draw(st.sampled_from(["mikro", "kecil", None])),
                      capital_idr=100_000_000, annual_sales_idr=500_000_000,
                      kabupaten_code=draw(st.sampled_from(["64.08", "64.72"])),
                      kecamatan_code=draw(st.sampled_from(["64.08.01", "64.08.02"])),
                      supplies=tuple(draw(st.lists(st.sampled_from(CATS[:3]), max_size=2, unique=True))))
                for i in range(draw(st.integers(0, 4)))]
    small = Party("small", "UD Kecil", "umkm", "ud", scale="mikro", capital_idr=50_000_000)
    parties += suppliers + partners + [small]
    winners = [s.id for s in suppliers] + [small.id, None]
    purchases = []
    for j in range(draw(st.integers(1, 12))):
        day = draw(st.sampled_from(DATES))
        purchases.append(Purchase(
            f"p{j}", draw(st.sampled_from(["award", "contract", "plan"])),
            draw(st.sampled_from(["pd1", "pd1", "desa1"])), None, draw(st.sampled_from(winners)),
            draw(st.sampled_from(CATS)), "barang", None, 3_000_000_000, date=day,
            fiscal_year=draw(st.sampled_from([None, 2025, 2026])) if day is None else None))
    partnerships = []
    if partners:
        for i in range(draw(st.integers(0, 5))):
            tied = draw(st.booleans())
            partnerships.append(Partnership(
                f"k{i}", draw(st.sampled_from([s.id for s in suppliers] + [small.id])),
                draw(st.sampled_from([p.id for p in partners])), "subkontrak",
                tuple(draw(st.lists(st.sampled_from(CATS[:4]), max_size=2, unique=True))),
                start_date=draw(st.sampled_from([dt.date(2024, 1, 1), dt.date(2025, 6, 1), None])),
                end_date=draw(st.sampled_from([None, dt.date(2025, 12, 31)])),
                written=draw(st.sampled_from([True, None, False])),
                purchase_id=draw(st.sampled_from([p.id for p in purchases])) if tied else None))
    return Dataset.build(parties, purchases, partnerships)


def test_kmt05_compiles_column_wise():
    data = load(pr.EXAMPLE_DATA)
    try:
        b = bulk_evaluate._Bulk(KUTIM, data, pr.engine.get_engine("reference"), [2025], None)
        b.scope = b.tables()
        assert b._compiles(KUTIM.clause("KMT-05"))
    finally:
        data.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ds=kemitraan())
def test_kmt05_column_wise_gives_the_per_record_report(ds):
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        write_dataset(ds, tmp)

        def refuse(self, clause):
            raise AssertionError(f"{clause['id']} judged per record over all purchases")

        mp.setattr(bulk_evaluate._Bulk, "per_record", refuse)
        per_record = pr.evaluate(KUTIM, pr.load_dataset(tmp), "reference", clauses=["KMT-05"])
        got = audit(KUTIM, tmp, "reference", clauses=["KMT-05"])
        a, b = as_counted(per_record).to_dict(), got.to_dict()
        for key in a:
            assert a[key] == b[key], key
        # every verdict listed: the per-record report itself
        data = load(tmp)
        try:
            every = bulk_evaluate.evaluate_bulk(KUTIM, data, "reference", clauses=["KMT-05"],
                                                listed=bulk_evaluate.ALL)
        finally:
            data.close()
        a, b = per_record.to_dict(), every.to_dict()
        for key in a:
            if key != "engine":
                assert a[key] == b[key], key


def test_a_wrong_verdict_row_from_sql_stops_evaluation(monkeypatch):
    """KMT-05's listed purchases take their verdict atom rows from SQL; the first ones are recomputed
    per record, so a wrong one is a bulk path bug, not a wrong verdict."""
    from perbup_rules.errors import EngineError

    real = bulk_evaluate._Bulk.records
    flip = {"t": "f", "f": "t", "u": "t"}

    def records(self, where, key=None, span=None, held=False, fields=None):
        recs, rows = real(self, where, key, span, held, fields)
        if rows:
            first = next(i for i, r in enumerate(rows) if r is not None)
            rows[first] = rows[first][:3] + [flip[rows[first][3]]] + rows[first][4:]
        return recs, rows

    monkeypatch.setattr(bulk_evaluate._Bulk, "records", records)
    with pytest.raises(EngineError, match="KMT-05: .*verdict atoms.*bulk path bug"):
        audit(KUTIM, pr.EXAMPLE_DATA, "reference", clauses=["KMT-05"])
