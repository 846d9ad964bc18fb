"""Records built in code obey the canonical loader's cell rules (records.py, record_checks.py)."""

from __future__ import annotations

import csv
import datetime as dt
import pickle
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import Partnership, Party, Purchase, RecordError
from perbup_rules.importers.cells import format_money
from perbup_rules.records import PROCUREMENT_TYPES, SCALES, STAGES


def test_codes_are_normalised_the_documented_way():
    p = Purchase("p1", " Award ", procurement_type="Barang", channel="Non Tender", category="Makanan Minuman")
    assert (p.stage, p.procurement_type, p.channel, p.category) == ("award", "barang", "non_tender", "makanan_minuman")
    assert Party("s", scale="KECIL", kind="UMKM").scale == "kecil"
    assert Partnership("k", "a", "b", pattern="Inti Plasma").pattern == "inti_plasma"


@pytest.mark.parametrize("kwargs, field, code", [
    (dict(stage="Awarded"), "stage", "unknown_code"),
    (dict(procurement_type="Barangg"), "procurement_type", "unknown_code"),
    (dict(value_idr="1.500"), "value_idr", "bad_value"),          # ambiguous: thousands or decimal?
    (dict(value_idr="-5"), "value_idr", "negative_value"),
    (dict(value_idr=[1]), "value_idr", "bad_value"),
    (dict(value_idr=True), "value_idr", "bad_value"),
    (dict(date="2025-02-30"), "date", "bad_value"),
    (dict(date=20250101), "date", "bad_value"),
    (dict(reserved_for_umkk="mungkin"), "reserved_for_umkk", "bad_value"),
    (dict(value_idr=10, umk_value_idr=11), "umk_value_idr", "bad_value"),
    (dict(desa_reason_code=("cheaper",)), "desa_reason_code", "unknown_code"),
    (dict(fiscal_year="20x5"), "fiscal_year", "bad_value"),
    (dict(currency="rupiah"), "currency", "bad_value"),
    (dict(extra=(("a",),)), "extra", "bad_value"),
])
def test_bad_purchase_fields_raise_a_coded_record_error_naming_the_field(kwargs, field, code):
    with pytest.raises(RecordError) as info:
        Purchase("p1", **{"stage": "award", **kwargs})
    err = info.value
    assert isinstance(err, pr.PerbupError) and isinstance(err, ValueError)
    assert (err.record, err.field, err.code) == ("Purchase", field, code)
    assert err.to_dict()["field"] == field


def test_missing_or_unknown_arguments_are_record_errors_not_type_errors():
    with pytest.raises(RecordError) as info:
        Purchase(stage="award")  # type: ignore[call-arg]
    assert info.value.code == "wrong_type" and info.value.field == "id"
    with pytest.raises(RecordError) as info:
        Purchase("p", stagee="award")  # type: ignore[call-arg]
    assert info.value.field == "stagee"
    with pytest.raises(RecordError) as info:
        Party("  ")
    assert info.value.code == "required_value" and info.value.field == "id"
    with pytest.raises(RecordError) as info:
        Partnership("k", "a", None)
    assert info.value.field == "partner_id"
    with pytest.raises(RecordError):
        Partnership("k", "a", "b", start_date="2025-06-01", end_date="2025-01-01")


def test_money_and_dates_as_text_are_read_by_the_cell_parsers():
    p = Purchase("p", "plan", value_idr="Rp 1.500.000", umk_value_idr="1.000.000,50", date="31/03/2025",
                 pagu_idr=Decimal("2000000.00"), reserved_for_umkk="ya", fiscal_year="2025", kd_rup="1; 2")
    assert p.value_idr == 1500000 and type(p.value_idr) is int
    assert p.umk_value_idr == Decimal("1000000.5")
    assert p.date == dt.date(2025, 3, 31) and p.pagu_idr == 2000000 and type(p.pagu_idr) is int
    assert p.reserved_for_umkk is True and p.fiscal_year == 2025 and p.kd_rup == ("1", "2")


def test_umk_above_value_is_refused_even_by_sen():
    with pytest.raises(RecordError):
        Purchase("p", "plan", value_idr="1.500.000", umk_value_idr="1.500.000,50")


def test_from_row_keeps_unknown_columns_as_extra_and_refuses_misspelt_ones():
    s = Party.from_row({"ID": "s1", "Scale": "Kecil", "capital_idr": "100.000.000", "supplies": "ATK; Makanan", "npwp": " 01.2 "})
    assert (s.id, s.scale, s.capital_idr, s.supplies, s.extra) == ("s1", "kecil", 100_000_000, ("atk", "makanan"), (("npwp", "01.2"),))
    with pytest.raises(RecordError) as info:
        Party.from_row({"id": "s1", "scael": "kecil"})
    assert info.value.code == "unknown_field" and "scale" in str(info.value)
    with pytest.raises(RecordError):
        Purchase.from_row(["p1", "award"])  # type: ignore[arg-type]


def test_trusted_construction_skips_validation_and_equal_records_compare_equal():
    raw = Purchase.trusted("p", "Award")
    assert raw.stage == "Award"  # not checked: the caller vouches for every cell
    assert Purchase("p", "award") == Purchase.trusted("p", "award")


def test_records_still_pickle_and_stay_frozen():
    p = Purchase("p", "award", value_idr="1000")
    assert pickle.loads(pickle.dumps(p)) == p
    with pytest.raises(AttributeError):
        p.stage = "plan"  # type: ignore[misc]


def test_barang_built_in_code_is_judged_like_the_loaded_row():
    """The issue's example: Purchase(procurement_type="Barang") was not_applicable under KMT-03."""
    ruleset = pr.load_ruleset(pr.BUNDLED_RULES)
    parties = [Party("pd", "Dinas", "perangkat_daerah"), Party("big", "PT Besar", "company", scale="Besar")]
    built = Purchase("p1", "Award", "pd", supplier_id="big", procurement_type="Barang", value_idr="Rp 100.000.000",
                     reserved_for_umkk="tidak", date="2026-03-01")
    report = pr.evaluate(ruleset, pr.Dataset.build(parties, [built]), "reference", clauses=["KMT-03"])
    statuses = {f.status.value for f in report.findings if f.clause == "KMT-03"}
    assert statuses == {"violation"}


cells = st.fixed_dictionaries({
    "id": st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True),
    "stage": st.sampled_from(STAGES).flatmap(lambda s: st.sampled_from([s, s.upper(), s.title(), f" {s} "])),
    "procurement_type": st.sampled_from(PROCUREMENT_TYPES + ("",)).map(lambda s: s.replace("_", " ").title()),
    "value_idr": st.integers(0, 10**15).map(lambda n: format_money(n)),
    "date": st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)).flatmap(
        lambda d: st.sampled_from([d.isoformat(), d.strftime("%d/%m/%Y")])),
    "reserved_for_umkk": st.sampled_from(["", "ya", "Tidak", "TRUE", "0"]),
})


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(cells, min_size=1, max_size=5, unique_by=lambda r: r["id"]))
def test_from_row_gives_the_record_the_canonical_loader_reads(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("ds")
    (folder / "parties.csv").write_text("id\n", encoding="utf-8")
    with open(folder / "purchases.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    loaded = pr.load_dataset(folder)
    assert loaded.purchases == [Purchase.from_row(r) for r in rows]


@given(scale=st.text(max_size=8))
def test_any_scale_text_is_either_a_canonical_code_or_a_record_error(scale):
    try:
        party = Party("s", scale=scale)
    except RecordError as err:
        assert err.field == "scale"
    else:
        assert party.scale is None or party.scale in SCALES


def test_the_readme_for_apps_code_runs():
    """The README's "For apps" Python blocks run as written (records built in code, check_package)."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## For apps"):text.index("## Documentation")]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) >= 3
    ns: dict = {}
    for block in blocks:
        exec(compile(block.replace('engine="durable"', 'engine="reference"'), "README.md", "exec"), ns)
    assert ns["result"].standings and ns["small"].stats["purchases"].accepted == 2
