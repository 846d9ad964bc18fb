"""The JSON report: the contract of docs/report-format.md, byte-identical across runs."""

from __future__ import annotations

import json

from perbup_rules.findings import SCHEMA_VERSION, Status
from perbup_rules.report import render

try:
    from test_report_fixtures import make_report
except ImportError:  # tests/ is a package
    from .test_report_fixtures import make_report

TOP_KEYS = ["schema_version", "regulation", "engine", "as_if_in_force", "as_of", "input", "sources", "link_rates", "rejected",
            "coverage", "data_quality", "assumptions", "clauses", "findings",
            "counted", "required_partnerships", "summary", "not_evaluated", "names"]


def test_json_is_the_report_contract():
    report = make_report()
    text = render(report, "json")
    assert text == report.to_json()
    data = json.loads(text)
    assert list(data) == TOP_KEYS
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["regulation"]["fingerprint"].startswith("sha256:")


def test_json_is_byte_identical_across_runs():
    assert render(make_report(), "json").encode() == render(make_report(), "json").encode()


def test_json_round_trip_keeps_every_finding_and_decimal_strings():
    report = make_report()
    data = json.loads(render(report, "json", all_findings=False))
    assert len(data["findings"]) == len(report.findings)
    assert [f["clause"] for f in data["findings"]] == [f.clause for f in report.findings]
    first = next(f for f in data["findings"] if f["measured"] == "0.5120")
    assert isinstance(first["measured"], str) and first["threshold"] == "0.40"
    assert data["summary"] == report.summary()
    assert sum(sum(v.values()) for v in data["summary"].values()) == len(report.findings)
    assert len(data["required_partnerships"]) == len(report.required_partnerships)
    assert data["required_partnerships"][0]["candidates"] == ["sup-kop-sejahtera", "sup-cv-maju"]


def test_names_cover_only_mentioned_ids_sorted():
    report = make_report()
    names = json.loads(render(report, "json"))["names"]
    assert list(names) == sorted(names)
    assert "not-listed" not in names
    assert names["pd-disdik"] == "Dinas Pendidikan"
    assert names["sup-ud-laundry"] == "UD Bersih Wangi Laundry"  # a candidate only
    assert names["sup-pt-besar"] == "PT Kaltim Konstruksi Utama"  # evidence and a required party


def test_names_follow_the_listed_findings():
    report = make_report()
    data = report.to_dict(include=[Status.CANNOT_DETERMINE])
    assert {f["status"] for f in data["findings"]} == {"cannot_determine"}
    assert "pd-bpkad" not in data["names"]  # only ever compliant
    assert "pd-dinkes" in data["names"]
    assert data["summary"] == report.summary()  # the summary still counts every finding


def test_a_report_without_names_has_an_empty_names_object():
    report = make_report()
    report.names = {}
    assert json.loads(render(report, "json"))["names"] == {}


def test_json_in_pieces_is_the_same_bytes():
    report = make_report()
    assert "".join(report.iter_json()) == report.to_json()
    assert "".join(report.iter_json([Status.CANNOT_DETERMINE])) == report.to_json([Status.CANNOT_DETERMINE])
    assert "".join(report.iter_json([])) == report.to_json([])
