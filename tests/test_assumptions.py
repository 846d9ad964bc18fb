"""Named assumptions (issue 13; perbup_rules.assumptions): ids, switches, counts, report section,
finding names, the bulk path, and the property that turning one off never flips a verdict."""

from __future__ import annotations

import datetime as _dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules.assumptions import IDS, off_set
from perbup_rules.bulk import as_counted, audit
from perbup_rules.cli import main
from perbup_rules.errors import InvalidRulesError, UsageError
from perbup_rules.records import Dataset, Party, Purchase

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)


def test_exactly_three_assumptions_exist():
    assert IDS == ("pdn", "pagu", "licensed")


def test_an_unknown_id_is_a_usage_error_naming_the_valid_ones():
    with pytest.raises(UsageError) as err:
        off_set(["pdn", "tkdn"])
    for name in ("'tkdn'", "pdn", "pagu", "licensed"):
        assert name in str(err.value)
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    with pytest.raises(UsageError, match="tkdn"):
        pr.evaluate(KUTIM, ds, "reference", no_assume=["tkdn"])
    with pytest.raises(UsageError, match="tkdn"):
        audit(KUTIM, pr.EXAMPLE_DATA, "reference", no_assume=["tkdn"])


def test_the_cli_refuses_an_unknown_id_before_reading_data():
    result = CliRunner().invoke(main, ["--lang", "en", "audit", "--no-assume", "tkdn", "--format", "json"])
    assert result.exit_code == 2
    assert "unknown assumption 'tkdn'" in result.output and "pdn, pagu, licensed" in result.output


def test_a_rule_naming_an_unknown_assumption_is_refused(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(pr.BUNDLED_RULES, root)
    f = root / "pasal-04.yaml"
    text = f.read_text(encoding="utf-8")
    assert text.count("assumed(pagu)") == 1
    f.write_text(text.replace("assumed(pagu)", "assumed(pagux)"), encoding="utf-8")
    with pytest.raises(InvalidRulesError) as err:
        pr.load_regulation(root)
    assert any(d.code == "unknown_path" and "pagux" in d.message for d in err.value.diagnostics)


def _party(pid, **kw):
    return Party(id=pid, name=pid, **kw)


PARTIES = [
    _party("pd", kind="perangkat_daerah", kabupaten="Kutai Timur"),
    _party("umkk", kind="umkm", legal_form="cv", capital_idr=300_000_000, kabupaten="Kutai Timur",
           supplies=("material_pasir_batu",)),
    _party("big", kind="company", legal_form="pt", capital_idr=80_000_000_000, annual_sales_idr=100_000_000_000),
]


def _buy(pid, supplier, value, **kw):
    kw.setdefault("date", _dt.date(2027, 3, 1))
    return Purchase(id=pid, stage=kw.pop("stage", "award"), buyer_id="pd", supplier_id=supplier,
                    procurement_type="barang", value_idr=value, **kw)


def _report(purchases, parties=PARTIES, no_assume=()):
    return pr.evaluate(KUTIM, Dataset.build(parties, purchases, []), "reference", no_assume=list(no_assume))


def _section(report):
    return {a["id"]: a for a in report.assumptions}


def test_the_json_section_lists_each_assumption_with_its_clauses_and_records():
    # a1 and a2 are stationery: a purchase of unknown category might be sand and stone (KMT-11.2)
    purchases = [_buy("a1", "umkk", 400, category="alat_tulis"),
                 _buy("a2", "big", 600, pagu_idr=600, pdn=True, category="alat_tulis"),
                 _buy("m1", "umkk", 500, category="material_pasir_batu", pagu_idr=500, pdn=True)]
    for off in ((), ("pdn",), ("pdn", "pagu", "licensed")):
        rep = _report(purchases, no_assume=off)
        data = json.loads(rep.to_json())
        sec = {a["id"]: a for a in data["assumptions"]}
        assert list(sec) == ["pdn", "pagu", "licensed"]
        for aid, a in sec.items():
            assert a["on"] is (aid not in off)
            assert set(a["text"]) == {"id", "en"} and a["text"]["id"] and a["text"]["en"]
        assert sec["pdn"]["clauses"] == ["KMT-01", "KMT-02"]
        assert sec["pagu"]["clauses"] == ["KMT-03"]
        assert sec["licensed"]["clauses"] == ["KMT-11", "KMT-11.2"]
        # a1 lacks PDN information and has a UMKK part (KMT-01); a2 is domestic, m1 too
        assert sec["pdn"]["records"] == 1
        # a1 lacks its pagu and is under the ceiling: its KMT-03 verdict rests on the assumption
        # (a compliant UMKK award does not: compliant whatever its scope); a1 is UMKK, so 0
        assert sec["pagu"]["records"] == 0
        # m1's supplier has no licence on record: KMT-11's part and KMT-11.2's verdict rest on it
        assert sec["licensed"]["records"] == 1


def test_findings_name_the_assumptions_they_rest_on_only_while_on():
    purchases = [_buy("p1", "big", 9_000_000_000, date=_dt.date(2026, 6, 1))]
    on = [f for f in _report(purchases).findings if f.clause == "KMT-03"]
    assert [(f.status.value, f.assumptions) for f in on] == [("violation", ("pagu",))]
    assert on[0].to_dict()["assumptions"] == ["pagu"]
    off = [f for f in _report(purchases, no_assume=["pagu"]).findings if f.clause == "KMT-03"]
    assert [(f.status.value, f.assumptions, f.missing) for f in off] == [("cannot_determine", (), ("pagu_idr",))]
    assert "assumptions" not in off[0].to_dict()  # present only when a finding rests on one
    assert _section(_report(purchases))["pagu"]["records"] == _section(_report(purchases, no_assume=["pagu"]))["pagu"]["records"] == 1


def test_turning_pdn_off_widens_the_share_exactly():
    purchases = [_buy("a1", "umkk", 400, date=_dt.date(2026, 3, 1)), _buy("a2", "big", 600, pdn=True, date=_dt.date(2026, 3, 1))]
    on = {f.clause: f for f in _report(purchases).findings if f.clause == "KMT-01"}["KMT-01"]
    off = {f.clause: f for f in _report(purchases, no_assume=["pdn"]).findings if f.clause == "KMT-01"}["KMT-01"]
    assert (on.status.value, on.measured) == ("compliant", "0.4000")
    assert (off.status.value, off.measured, off.missing) == ("cannot_determine", "0.0000..0.4000", ("pdn",))


@pytest.mark.parametrize("off", [(), ("pdn",), ("pagu",), ("licensed",), IDS])
def test_the_bulk_path_gives_the_same_report_and_counts(off):
    per_record = as_counted(pr.evaluate(KUTIM, pr.load_dataset(pr.EXAMPLE_DATA), "reference", no_assume=list(off)))
    bulk = audit(KUTIM, pr.EXAMPLE_DATA, "reference", no_assume=list(off))
    a, b = per_record.to_dict(), bulk.to_dict()
    a.pop("engine"), b.pop("engine")
    assert a == b
    assert all(x["records"] > 0 for x in a["assumptions"])  # the example exercises every assumption


def test_the_records_counted_are_the_same_on_and_off():
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    on = _section(pr.evaluate(KUTIM, ds, "reference"))
    off = _section(pr.evaluate(KUTIM, ds, "reference", no_assume=list(IDS)))
    assert {k: v["records"] for k, v in on.items()} == {k: v["records"] for k, v in off.items()}
    assert all(v["on"] for v in on.values()) and not any(v["on"] for v in off.values())


# --- the property -------------------------------------------------------------------------

#: KMT-11.2 alone is read so that, with the assumption off, a supplier not known to be licensed is
#: a violation (issue 13: the buyer must be able to show the licence): its only definite flip.
FLIPS_BY_DESIGN = {("licensed", "KMT-11.2")}

_maybe_bool = st.sampled_from([None, True, False])


@st.composite
def small_audits(draw):
    suppliers = []
    for i in range(draw(st.integers(1, 3))):
        local = draw(st.booleans())
        suppliers.append(_party(
            f"s{i}", kind=draw(st.sampled_from(["umkm", "company"])),
            capital_idr=draw(st.sampled_from([200_000_000, 80_000_000_000, None])),
            kabupaten="Kutai Timur" if local else "Kota Samarinda",
            supplies=("material_pasir_batu",) if draw(st.booleans()) else (), licensed=draw(_maybe_bool)))
    purchases = []
    for i in range(draw(st.integers(1, 5))):
        value = draw(st.integers(0, 20)) * 1_000_000_000
        purchases.append(Purchase(
            id=f"p{i}", stage=draw(st.sampled_from(["plan", "award", "contract"])), buyer_id="pd",
            ppk_id=draw(st.sampled_from(["k1", "k2", None])),
            supplier_id=draw(st.sampled_from([s.id for s in suppliers] + [None])),
            procurement_type="barang", value_idr=value,
            pagu_idr=draw(st.sampled_from([None, value, value + 2_000_000_000])),
            pdn=draw(_maybe_bool), pdn_value_idr=draw(st.sampled_from([None, 0, value // 2])),
            category=draw(st.sampled_from(["material_pasir_batu", "material_pasir_batu", "alat_tulis", None])),
            reserved_for_umkk=draw(_maybe_bool),
            date=_dt.date(draw(st.sampled_from([2026, 2027, 2027])), 3, 1)))
    return Dataset.build([PARTIES[0], *suppliers], purchases, [])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_audits(), st.sampled_from(IDS))
def test_turning_an_assumption_off_never_turns_a_definite_verdict_into_the_opposite(ds, aid):
    def verdicts(off):
        rep = pr.evaluate(KUTIM, ds, "reference", no_assume=off)
        return {(f.clause, f.subject, f.period, f.stage, f.category): f.status.value for f in rep.findings}

    on, off = verdicts([]), verdicts([aid])
    opposite = {"compliant": "violation", "violation": "compliant"}
    for key, status in on.items():
        if key not in off or (aid, key[0]) in FLIPS_BY_DESIGN:
            continue
        assert off[key] != opposite.get(status), (aid, key, status, off[key])
