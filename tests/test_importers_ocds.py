"""OCDS importer on small hand-written packages: parties, scales, currencies, versions, shapes."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from perbup_rules import errors
from perbup_rules.errors import DataError
from perbup_rules.importers import detect_kind, load


def release(ocid="ocds-x-1", date="2026-02-01T10:00:00Z", awards=(), contracts=(), parties=None, **more) -> dict:
    parties = parties if parties is not None else [
        {"id": "org-1", "name": "Dinas PUPR Kutai Timur", "identifier": {"scheme": "ID-SATKER", "id": "100"}, "roles": ["buyer"],
         "address": {"locality": "Kutai Timur", "region": "Kalimantan Timur"}},
        {"id": "org-2", "name": "CV Mikro", "roles": ["supplier"], "details": {"scale": "micro"}},
        {"id": "org-3", "name": "CV Kecil", "roles": ["tenderer", "supplier"], "details": {"scale": "small"}},
        {"id": "org-4", "name": "PT Sedang", "roles": ["supplier"], "details": {"scale": "medium"}},
        {"id": "org-5", "name": "PT Besar", "roles": ["supplier"], "details": {"scale": "large"}},
        {"id": "org-6", "name": "UKM", "roles": ["supplier"], "details": {"scale": "sme"}},
        {"id": "org-7", "name": "Review", "roles": ["reviewBody"]},
    ]
    r = {"ocid": ocid, "id": f"{ocid}-{date}", "date": date, "tag": ["award"], "initiationType": "tender", "parties": parties,
         "buyer": {"id": "org-1", "name": "Dinas PUPR Kutai Timur"},
         "tender": {"id": "t", "mainProcurementCategory": "works", "procurementMethod": "open"},
         "awards": list(awards), "contracts": list(contracts)}
    r.update(more)
    return r


def award(aid="a1", supplier="org-2", amount=1500000000, currency="IDR", date="2026-01-20T00:00:00+08:00", **more):
    a = {"id": aid, "status": "active", "date": date, "value": {"amount": amount, "currency": currency},
         "suppliers": [{"id": s, "name": s} for s in ([supplier] if isinstance(supplier, str) else supplier)]}
    a.update(more)
    return a


def package(*releases) -> dict:
    return {"uri": "urn:test", "version": "1.1", "publishedDate": "2026-03-01T00:00:00Z", "releases": list(releases)}


def write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_release_package_parties_and_awards(tmp_path):
    rel = release(
        awards=[award(), award("a2", "org-5", 2500.75, "GBP"), award("a3", ["org-3", "org-4"])],
        contracts=[{"id": "c1", "awardID": "a1", "status": "active", "dateSigned": "2026-02-15T09:00:00Z", "value": {"amount": "1499999999.99", "currency": "IDR"}}],
    )
    path = write(tmp_path, "p.json", package(rel))
    assert detect_kind(path) == "ocds"
    ds = load(path)
    assert ds.reconciles() and ds.rejected == []
    buyer = ds.parties["ocds:ID-SATKER-100"]  # identifier scheme + id: a global id
    assert (buyer.kind, buyer.kabupaten, buyer.name) == ("perangkat_daerah", "Kutai Timur", "Dinas PUPR Kutai Timur")
    local = {p.id.split("/")[-1]: p for p in ds.parties.values() if "/" in p.id}  # ocid-scoped ids
    assert {k: v.scale for k, v in local.items()} == {"org-2": "mikro", "org-3": "kecil", "org-4": "menengah", "org-5": "besar", "org-6": None, "org-7": None}
    assert dict(local["org-6"].extra)["details.scale"] == "sme"
    assert local["org-2"].kind == "company" and local["org-7"].kind is None
    p = {x.id: x for x in ds.purchases}
    a1 = p["ocds:ocds-x-1:a1"]
    assert (a1.stage, a1.value_idr, a1.currency, a1.buyer_id, a1.supplier_id) == ("award", 1_500_000_000, "IDR", buyer.id, "ocds:ocds-x-1/org-2")
    assert (a1.procurement_type, a1.method, a1.date) == ("pekerjaan_konstruksi", "open", dt.date(2026, 1, 20))
    a2 = p["ocds:ocds-x-1:a2"]
    assert a2.value_idr is None and a2.currency == "GBP" and dict(a2.extra)["amount"] == "2500.75"
    a3 = p["ocds:ocds-x-1:a3"]
    assert a3.supplier_id is None and dict(a3.extra)["suppliers"] == "ocds:ocds-x-1/org-3;ocds:ocds-x-1/org-4"
    c1 = p["ocds:ocds-x-1:c1"]
    assert (c1.stage, c1.supplier_id, c1.value_idr, c1.date) == ("contract", "ocds:ocds-x-1/org-2", Decimal("1499999999.99"), dt.date(2026, 2, 15))


def test_unusable_awards_are_rejected_and_counted(tmp_path):
    rel = release(awards=[award("ok"), award("gone", status="cancelled"), {"status": "active"}, award("neg", amount=-5), award("d", date="tomorrow")])
    bad = {"id": "no-ocid", "date": "2026-01-01"}
    ds = load(write(tmp_path, "p.json", package(rel, bad)))
    assert ds.reconciles()
    assert ds.stats["purchases"].to_dict() == {"read": 6, "accepted": 1, "rejected": 5}
    codes = sorted((r.row, r.code) for r in ds.rejected)
    assert codes == [(1, errors.BAD_VALUE), (1, errors.BAD_VALUE), (1, errors.NEGATIVE_VALUE), (1, errors.REQUIRED_VALUE), (2, errors.UNREADABLE_INPUT)]


def test_newer_release_supersedes_whatever_the_file_order(tmp_path):
    new = release(date="2026-03-01T00:00:00Z", awards=[award(amount=200)])
    old = release(date="2026-02-01T00:00:00Z", awards=[award(amount=100)])
    ds = load(write(tmp_path, "p.json", package(new, old)))
    (p,) = ds.purchases
    assert p.value_idr == 200
    (r,) = ds.rejected
    assert r.code == errors.DUPLICATE_ROW and r.row == 2 and "superseded" in r.reason


def test_record_package_uses_the_compiled_release(tmp_path):
    compiled = release(awards=[award(amount=300)])
    data = {"uri": "u", "version": "1.1", "records": [{"ocid": "ocds-x-1", "releases": [{"url": "http://x/1", "date": "2026-01-01"}], "compiledRelease": compiled}]}
    ds = load(write(tmp_path, "r.json", data))
    assert [p.value_idr for p in ds.purchases] == [300]


def test_record_without_compiled_release_reads_embedded_releases(tmp_path):
    data = {"records": [{"ocid": "ocds-x-1", "releases": [release(date="2026-01-01T00:00:00Z", awards=[award(amount=1)]), release(date="2026-02-01T00:00:00Z", awards=[award(amount=2)])]}]}
    ds = load(write(tmp_path, "r.json", data), "ocds")
    assert [p.value_idr for p in ds.purchases] == [2]


def test_json_lines_with_and_without_suffix(tmp_path):
    lines = "\n".join(json.dumps(release(ocid=f"ocds-x-{i}", awards=[award(amount=i + 1)])) for i in range(3)) + "\n\n"
    for name in ("r.jsonl", "r.json"):
        path = write(tmp_path, name, lines)
        assert detect_kind(path) == "ocds"
        ds = load(path, "ocds")
        assert sorted(p.value_idr for p in ds.purchases) == [1, 2, 3]
    bad = write(tmp_path, "bad.jsonl", lines + "{not json\n")
    with pytest.raises(DataError) as info:
        load(bad, "ocds")
    assert info.value.diagnostics[0].location.line == 5  # three releases, a blank line, then the bad one


def test_not_ocds(tmp_path):
    with pytest.raises(DataError):
        load(write(tmp_path, "x.json", {"hello": 1}), "ocds")
    with pytest.raises(DataError) as info:
        load(write(tmp_path, "y.json", '{"releases": [1,'), "ocds")
    assert info.value.diagnostics[0].code == errors.UNREADABLE_INPUT
    with pytest.raises(DataError):
        load(write(tmp_path, "z.json", "[" * 100000), "ocds")  # too deep: refused, not a RecursionError


def test_amounts_are_exact_decimals(tmp_path):
    path = write(tmp_path, "p.json", '{"releases": [' + json.dumps(release(awards=[award(amount=0)]))[:-1].replace('"amount": 0', '"amount": 1500000.10') + "}]}")
    (p,) = load(path, "ocds").purchases
    assert p.value_idr == Decimal("1500000.1") and type(p.value_idr) is Decimal


def test_a_json_lines_line_that_is_no_release_is_one_rejected_row(tmp_path):
    lines = json.dumps(release(awards=[award()])) + "\n" + json.dumps({"hello": "world"}) + "\n"
    ds = load(write(tmp_path, "r.jsonl", lines), "ocds")
    assert len(ds.purchases) == 1
    (r,) = ds.rejected
    assert (r.row, r.code) == (2, errors.UNREADABLE_INPUT)
