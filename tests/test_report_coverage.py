"""Coverage stated: which channels the purchases came from, per buyer and year, in every format.

The coverage is computed from constructed datasets with known sums; share findings name
the channels of their own records; the bulk path gives the same coverage and channels.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules.bulk import as_counted, audit
from perbup_rules.channel_coverage import CHANNEL_ORDER, NAMED, UNKNOWN, coverage_of, period_of
from perbup_rules.findings import SCHEMA_VERSION
from perbup_rules.importers.writer import write_dataset
from perbup_rules.records import CHANNELS, Dataset, LinkRate, Party, Purchase
from perbup_rules.report import render

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)


def _party(pid, **kw):
    return Party(pid, name=kw.pop("name", pid.upper()), **kw)


PARTIES = [
    _party("pd-a", kind="perangkat_daerah", name="Dinas A"),
    _party("pd-b", kind="perangkat_daerah", name="Dinas B"),
    _party("umk-1", kind="umkm", scale="mikro", legal_form="perorangan", kabupaten="Kutai Timur"),
    _party("big-1", kind="company", scale="besar", legal_form="pt", kabupaten="Kutai Timur"),
]


def _buy(pid, buyer, channel, value, supplier="umk-1", year=2025, fiscal_year=None, stage="contract", **kw):
    return Purchase(pid, stage=stage, buyer_id=buyer, ppk_id=f"ppk-{buyer}", supplier_id=supplier, category="atk",
                    procurement_type="barang", method="pengadaan_langsung", value_idr=value,
                    date=dt.date(year, 6, 1), fiscal_year=fiscal_year, channel=channel, **kw)


PURCHASES = [
    _buy("p1", "pd-a", "tender", 1_000_000_000, supplier="big-1"),
    _buy("p2", "pd-a", "tender", 250_000_000),
    _buy("p3", "pd-a", "e_purchasing", 40_000_000),
    _buy("p4", "pd-a", None, 7_000_000),
    _buy("p5", "pd-a", "e_purchasing", None),  # no value: counted, not summed
    _buy("p6", "pd-b", "non_tender", 199_999_999),
    _buy("p7", "pd-b", "non_tender", Decimal("1500000.50")),  # sen
    _buy("p8", "pd-b", "tender", 3_000_000, year=2024, fiscal_year=2025),  # fiscal year decides the period
    _buy("p9", "pd-b", "tender", 5_000_000, year=2024),
]


def _dataset(purchases=PURCHASES) -> Dataset:
    ds = Dataset.build(PARTIES, purchases)
    ds.link_rates = [
        LinkRate("spse-ekontrak", "spse-nontender", "kd_nontender", 1150, 1153,
                 (("kontrak.csv", 17), ("kontrak.csv", 230), ("kontrak.csv", 981))),
        LinkRate("spse-nontender", "sirup-rup", "kd_rup", 0, 0),
    ]
    return ds


# --- the coverage computation ------------------------------------------------------------


def test_coverage_sums_count_and_value_per_buyer_period_stage_and_channel_exactly():
    cov = coverage_of(PURCHASES)
    rows = {(r.buyer, r.period, r.stage, r.channel): (r.count, r.value_idr, r.value_missing) for r in cov.rows}
    assert rows == {
        ("pd-a", 2025, "contract", "tender"): (2, 1_250_000_000, 0),
        ("pd-a", 2025, "contract", "e_purchasing"): (2, 40_000_000, 1),
        ("pd-a", 2025, "contract", UNKNOWN): (1, 7_000_000, 0),
        ("pd-b", 2025, "contract", "non_tender"): (2, Decimal("201499999.50"), 0),
        ("pd-b", 2025, "contract", "tender"): (1, 3_000_000, 0),
        ("pd-b", 2024, "contract", "tender"): (1, 5_000_000, 0),
    }
    assert cov.totals == {"tender": (4, 1_258_000_000, 0), "non_tender": (2, Decimal("201499999.50"), 0),
                          "e_purchasing": (2, 40_000_000, 1), UNKNOWN: (1, 7_000_000, 0)}
    assert cov.present == ("tender", "non_tender", "e_purchasing", UNKNOWN)
    assert cov.absent == ("toko_daring", "pencatatan", "swakelola")
    assert cov.unknown == 1
    # rows in report order: buyer, period, stage, then channel in contract order
    assert [(r.buyer, r.period, r.channel) for r in cov.rows] == [
        ("pd-a", 2025, "tender"), ("pd-a", 2025, "e_purchasing"), ("pd-a", 2025, UNKNOWN),
        ("pd-b", 2024, "tender"), ("pd-b", 2025, "tender"), ("pd-b", 2025, "non_tender")]


def test_a_dataset_without_channels_is_all_unknown_and_names_no_channel_present():
    cov = coverage_of([_buy("q1", "pd-a", None, 10), _buy("q2", "pd-b", None, 20)])
    assert cov.present == (UNKNOWN,) and cov.unknown == 2
    assert cov.absent == NAMED  # nothing is known to come from any named channel
    assert cov.to_dict()["by_channel"] == [{"channel": UNKNOWN, "count": 2, "value_idr": "30", "value_missing": 0}]


_purchases = st.lists(st.builds(
    _buy, pid=st.uuids().map(str), buyer=st.sampled_from(["pd-a", "pd-b"]),
    channel=st.sampled_from([*CHANNELS, None]), value=st.one_of(st.none(), st.integers(0, 10**15)),
    year=st.integers(2023, 2026), fiscal_year=st.one_of(st.none(), st.integers(2023, 2026)),
    stage=st.sampled_from(["plan", "award", "contract"])), max_size=40)


@settings(max_examples=60, deadline=None)
@given(purchases=_purchases)
def test_coverage_reconciles_with_the_purchases(purchases):
    cov = coverage_of(purchases)
    assert sum(r.count for r in cov.rows) == len(purchases)
    assert sum(r.value_idr for r in cov.rows) == sum(p.value_idr for p in purchases if p.value_idr is not None)
    assert sum(r.value_missing for r in cov.rows) == sum(p.value_idr is None for p in purchases)
    seen = {p.channel or UNKNOWN for p in purchases}
    assert set(cov.present) == seen and set(cov.absent) == set(NAMED) - seen
    for r in cov.rows:
        mine = [p for p in purchases if (p.buyer_id, period_of(p), p.stage, p.channel or UNKNOWN)
                == (r.buyer, r.period, r.stage, r.channel)]
        assert r.count == len(mine) > 0


# --- the report --------------------------------------------------------------------------


def _report():
    return pr.evaluate(KUTIM, _dataset(), "reference", periods=[2024, 2025])


def test_share_findings_name_the_channels_of_their_own_records():
    report = _report()
    by_id = {p.id: p for p in PURCHASES}
    shares = [f for f in report.findings if f.clause in ("KMT-01", "KMT-02")]
    assert shares
    for f in shares:
        want = {by_id[e].channel or UNKNOWN for e in f.evidence}
        assert f.channels == tuple(c for c in CHANNEL_ORDER if c in want), f
    kmt01 = {(f.subject, f.period): f.channels for f in report.findings if f.clause == "KMT-01"}
    assert kmt01[("pd-a", 2025)] == ("tender", "e_purchasing", UNKNOWN)
    # (pd-b's p8 is dated 2024 in fiscal year 2025: which period judges it is evaluate's business)
    assert ("non_tender" in kmt01[("pd-b", 2025)]) and "e_purchasing" not in kmt01[("pd-b", 2025)]
    # other kinds say nothing about channels
    assert all(f.channels is None for f in report.findings if f.clause == "KMT-03")


def test_json_has_the_coverage_section_link_rates_and_finding_channels():
    data = json.loads(render(_report(), "json"))
    assert data["schema_version"] == SCHEMA_VERSION == "1.4"
    cov = data["coverage"]
    assert cov["channels"] == list(CHANNEL_ORDER)
    assert cov["absent"] == ["toko_daring", "pencatatan", "swakelola"] and cov["unknown"] == 1
    assert {"channel": "non_tender", "count": 2, "value_idr": "201499999.5", "value_missing": 0} in cov["by_channel"]
    assert {"buyer": "pd-a", "period": 2025, "stage": "contract", "channel": "e_purchasing", "count": 2,
            "value_idr": "40000000", "value_missing": 1} in cov["rows"]
    assert data["link_rates"][0] == {"source": "spse-ekontrak", "target": "spse-nontender", "key": "kd_nontender",
                                     "linked": 1150, "total": 1153, "unlinked": [
                                         {"file": "kontrak.csv", "row": 17}, {"file": "kontrak.csv", "row": 230},
                                         {"file": "kontrak.csv", "row": 981}]}
    kmt01 = [f for f in data["findings"] if f["clause"] == "KMT-01" and f["subject"] == "pd-a" and f["period"] == 2025]
    assert kmt01[0]["channels"] == ["tender", "e_purchasing", "unknown"]
    assert all(f["channels"] is None for f in data["findings"] if f["clause"] == "KMT-03")


def test_text_states_the_absent_channels_beside_the_verdicts_and_shows_coverage_and_links():
    text = render(_report(), "text")
    lines = text.splitlines()
    findings_at = next(i for i, line in enumerate(lines) if line.startswith("Findings:"))
    line = next(x for x in lines[findings_at:findings_at + 4] if x.startswith("Coverage:"))
    assert "no toko_daring, pencatatan, swakelola purchases" in line and "KMT-01" in line
    assert "cover tender, non_tender, e_purchasing only" in line and "1 of 9 purchases do not name" in line
    assert "Coverage by channel" in text and "Coverage per buyer and year" in text
    assert "Rp201.499.999,50" in text  # exact, with sen
    assert "Links between sources" in text and "99,73%" in text  # 1150/1153, truncated


def test_markdown_has_the_coverage_section_the_line_and_finding_channels():
    md = render(_report(), "md", all_findings=True)
    assert "## Cakupan saluran / Channel coverage" in md
    assert "*Coverage: the input has no toko\\_daring, pencatatan, swakelola purchases" in md
    assert "| Dinas B (`pd-b`) | 2025 | kontrak (contract) | `non_tender` | 2 | Rp201.499.999,50 | 0 |" in md
    assert ("saluran / channels: tender, e\\_purchasing, unknown (tidak ada dari / none from non\\_tender, toko\\_daring, pencatatan, "
            "swakelola)") in md
    assert "### Tautan antarsumber / Links between sources" in md and "| 1.150 | 1.153 | 99,73% | 3 |" in md


def test_html_has_the_coverage_section_notice_and_links():
    html = render(_report(), "html", all_findings=True)
    assert '<section id="coverage" class="major">' in html and 'href="#coverage"' in html
    assert html.count('class="notice"') >= 3  # the header, the coverage section, each share clause
    assert "Coverage: the input has no toko_daring, pencatatan, swakelola purchases" in html
    assert '<tr class="absent"><td><code>swakelola</code></td>' in html
    assert "Rp201.499.999,50" in html and "99,73%" in html
    assert 'class="channels">Saluran <span class="en">channels</span>: tender, e_purchasing, unknown (tidak ada dari / none from' in html


def test_csv_lists_the_channels_of_share_findings():
    rows = list(csv.DictReader(io.StringIO(render(_report(), "csv"))))
    got = {(r["clause"], r["subject"], r["period"]): r["channels"] for r in rows}
    assert got[("KMT-01", "pd-a", "2025")] == "tender;e_purchasing;unknown"
    assert all(r["channels"] == "" for r in rows if r["clause"] == "KMT-03")


def test_no_line_when_every_named_channel_is_present_and_known():
    purchases = [_buy(f"c{i}", "pd-a", c, 1_000_000) for i, c in enumerate(NAMED)]
    report = pr.evaluate(KUTIM, Dataset.build(PARTIES, purchases), "reference")
    assert report.coverage.absent == () and report.coverage.unknown == 0
    assert "Coverage:" not in render(report, "text") and "Cakupan:" not in render(report, "md")


def test_a_report_without_coverage_renders_as_before():
    from test_report_fixtures import make_report

    report = make_report()
    assert report.coverage is None and report.link_rates == []
    for fmt in ("text", "md", "html"):
        out = render(report, fmt)
        assert "Coverage by channel" not in out and "Channel coverage" not in out and "Links between sources" not in out


def test_the_bulk_path_gives_the_same_coverage_and_channels(tmp_path):
    purchases = [p for p in PURCHASES if not isinstance(p.value_idr, Decimal)]  # the column-wise (SQL) reader
    write_dataset(Dataset.build(PARTIES, purchases), tmp_path)
    per_record = as_counted(pr.evaluate(KUTIM, pr.load_dataset(tmp_path), "reference"))
    bulk = audit(KUTIM, tmp_path, "reference")
    a, b = per_record.to_dict(), bulk.to_dict()
    assert a["coverage"] == b["coverage"] and a["coverage"]["unknown"] == 1
    assert [f["channels"] for f in a["findings"]] == [f["channels"] for f in b["findings"]]
    assert any(f["channels"] == ["tender", "e_purchasing", "unknown"] for f in b["findings"])
    # with sen the bulk path reads per row: the same again
    write_dataset(Dataset.build(PARTIES, PURCHASES), tmp_path / "sen")
    assert audit(KUTIM, tmp_path / "sen", "reference").to_dict()["coverage"] == \
        pr.evaluate(KUTIM, pr.load_dataset(tmp_path / "sen"), "reference").to_dict()["coverage"]
