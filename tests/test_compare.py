"""perbup compare: rule differences and the exact set of subjects whose verdict flips,
checked against a direct computation from the records."""

from __future__ import annotations

import shutil
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

import perbup_rules as pr
from perbup_rules.cli import main
from perbup_rules.compare import compare, compare_rules, with_params
from perbup_rules.errors import UsageError

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
SPSE = SHARED / "spse_nontender_selesai_kabbandung_2025.csv"
KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)


def test_identical_drafts_have_no_changes():
    cmp = compare(KUTIM, pr.load_ruleset(pr.BUNDLED_RULES), pr.load_dataset(pr.EXAMPLE_DATA))
    assert cmp.rules.empty and cmp.changes == [] and cmp.unchanged > 0


def test_a_changed_copy_on_disk_lists_the_parameter_and_the_flips(tmp_path):
    copy = tmp_path / "draft-b"
    shutil.copytree(pr.BUNDLED_RULES, copy)
    params = copy / "params.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("value: 0.70", "value: 0.60"), encoding="utf-8")
    b = pr.load_ruleset(copy)
    rules = compare_rules(KUTIM, b)
    assert [{k: p[k] for k in ("param", "from", "old", "new")} for p in rules.params] == [
        {"param": "uniform_local_share_min", "from": "2027-01-01", "old": "0.70", "new": "0.60"}]
    assert rules.params[0]["reference_new"].startswith("Rancangan Perbup Kutim Pasal 7")
    assert rules.changed == {} and rules.added == [] and rules.removed == []
    # the ayat states the parameter ({{uniform_local_share_min}}), so its wording changes with it
    assert [(t.pasal, t.ayat, t.clauses) for t in rules.texts] == [(7, 2, ["KMT-12.2"])]
    assert ("del", "70% (tujuh") in rules.texts[0].diff() and ("ins", "60% (enam") in rules.texts[0].diff()
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    cmp = compare(KUTIM, b, ds)
    a_report = pr.evaluate(KUTIM, ds, "reference")
    # direct: KMT-12.2 subjects whose exact measured share (no unknowns) lies in [0.60, 0.70)
    expected = {(f.subject, f.period, f.stage) for f in a_report.findings
                if f.clause == "KMT-12.2" and f.measured and ".." not in f.measured
                and Fraction("0.60") <= Fraction(f.measured) < Fraction("0.70")}
    flipped = {(c.subject, c.period, c.stage) for c in cmp.changes}
    assert flipped == expected
    assert all(c.clause == "KMT-12.2" and (c.old, c.new) == ("violation", "compliant") for c in cmp.changes)


def _direct_kmt01_shares(dataset) -> dict:
    """KMT-01 at award stage from SPSE records, computed without the engine: sum of the stated
    UMK value, at most the domestic (PDN) value where stated, over the sum of contract values,
    per satker; None when a value is missing. A record with neither a PDN value nor a flag is
    domestic (the named assumption pdn, on by default)."""
    num, den, incomplete = defaultdict(int), defaultdict(int), set()
    for p in dataset.purchases:
        if p.date is None or p.date < __import__("datetime").date(2021, 2, 2):
            continue
        if p.value_idr is None or p.umk_value_idr is None:
            incomplete.add(p.buyer_id)
            continue
        domestic = (p.pdn_value_idr if p.pdn_value_idr is not None
                    else p.value_idr if p.pdn is None or p.pdn else 0)
        num[p.buyer_id] += min(p.umk_value_idr, p.value_idr, domestic)
        den[p.buyer_id] += p.value_idr
    return {b: (None if b in incomplete or den[b] == 0 else Fraction(num[b]) / Fraction(den[b])) for b in set(den) | incomplete}


@pytest.mark.skipif(not SPSE.exists(), reason="shared/ real data is not beside the repository")
def test_what_if_on_the_kab_bandung_export_flips_exactly_the_directly_computed_satker():
    ds = pr.load_dataset(SPSE, "spse-nontender")
    b, warnings = with_params(KUTIM, ["params.umkk_share_min=0.98"])
    assert warnings == []  # stricter than the higher rule: allowed
    cmp = compare(KUTIM, b, ds)
    shares = _direct_kmt01_shares(ds)
    expected = {s for s, v in shares.items() if v is not None and Fraction("0.40") <= v < Fraction("0.98")}
    flipped = {c.subject for c in cmp.changes if c.clause == "KMT-01"}
    assert flipped == expected and expected
    assert {(c.old, c.new) for c in cmp.changes if c.clause == "KMT-01"} == {("compliant", "violation")}


def test_set_with_a_date_adds_a_dated_value_and_weakening_is_warned():
    b, warnings = with_params(KUTIM, ["params.umkk_share_min=0.30@2027-01-01"])
    vals = b.params["umkk_share_min"]["values"]
    assert [(v["from"], v["value"]) for v in vals] == [("2021-02-02", "0.40"), ("2027-01-01", "0.30")]
    assert warnings and "higher rule" in warnings[0]
    assert b.fingerprint != KUTIM.fingerprint


@pytest.mark.parametrize("bad", ["params.nope=1", "params.umkk_share_min=1.5", "params.umkk_reserved_max=1.5",
                                 "params.umkk_share_min", "params.umkk_share_min=0.3@2027-13-01"])
def test_bad_settings_are_usage_errors(bad):
    with pytest.raises(UsageError):
        with_params(KUTIM, [bad])


def test_cli_compare_formats(tmp_path):
    runner = CliRunner()
    for fmt in ("text", "json", "md", "html"):
        res = runner.invoke(main, ["compare", str(pr.BUNDLED_RULES), "--set", "params.umkk_share_min=0.35",
                                   "--data", str(pr.EXAMPLE_DATA), "--format", fmt])
        assert res.exit_code == 0, res.output
        assert "umkk_share_min" in res.output
    res = runner.invoke(main, ["compare", str(pr.BUNDLED_RULES)])
    assert res.exit_code == 2
