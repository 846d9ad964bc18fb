"""Every LKPP ISB endpoint of the real Kab. Bandung 2025 folder: detected, read, reconciled, linked.

The folder is the real API output (shared/data/real/isb-kabbandung-2025, see its README).
CSV variants are built here from the JSON responses (shuffled and re-cased columns, an
optional column dropped) and must read to the same records.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

import perbup_rules as pr
from perbup_rules.importers import detect_kind, load
from perbup_rules.importers.registry import load_many
from perbup_rules.records import merge_datasets

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
ISB = REAL / "isb-kabbandung-2025"

pytestmark = pytest.mark.skipif(not ISB.is_dir(), reason="shared/data/real/isb-kabbandung-2025 is not beside the repository")

#: file -> (kind, role): the kind detected from its columns, and whether its rows become purchases
ENDPOINTS = {
    "bela-tokodaring-realisasi.json": "tokodaring-realisasi",
    "ecat-instansi-satker.json": "isb-reference",
    "ecat-komoditas-detail.json": "isb-reference",
    "ecat-master-kabkota.json": "isb-reference",
    "ecat-master-provinsi.json": "isb-reference",
    "ecat-paket-epurchasing-v6.json": "ecat-paket-v6",
    "ecat-penyedia-detail.json": "isb-reference",
    "ecat-penyedia-distributor-detail.json": "isb-reference",
    "ecat-produk-detail.json": "isb-reference",
    "rup-master-kabkota.json": "isb-reference",
    "rup-master-provinsi.json": "isb-reference",
    "rup-master-satker.json": "rup-master-satker",
    "rup-program-master.json": "isb-reference",
    "rup-struktur-anggaran-pd.json": "isb-reference",
    "spse-nontender-ekontrak-bapbast.json": "spse-ekontrak-bapbast",
    "spse-nontender-ekontrak-kontrak.json": "spse-ekontrak",
    "spse-nontender-ekontrak-spmkspp.json": "spse-ekontrak-spmkspp",
    "spse-nontender-ekontrak-sppbj.json": "spse-ekontrak-sppbj",
    "spse-nontender-pengumuman.json": "spse-nontender-pengumuman",
    "spse-nontender-selesai.json": "spse-nontender",
    "spse-pencatatan-nontender-realisasi.json": "spse-pencatatan-nontender-realisasi",
    "spse-pencatatan-nontender.json": "spse-pencatatan-nontender",
    "spse-pencatatan-swakelola-realisasi.json": "spse-pencatatan-swakelola-realisasi",
    "spse-pencatatan-swakelola.json": "spse-pencatatan-swakelola",
    "spse-peserta-tender.json": "spse-peserta-tender",
    "spse-tender-ekontrak-kontrak.json": "spse-ekontrak",
    "spse-tender-ekontrak-spmkspp.json": "spse-ekontrak-spmkspp",
    "spse-tender-ekontrak-sppbj.json": "spse-ekontrak-sppbj",
    "spse-tender-pengumuman.json": "spse-tender-pengumuman",
    "spse-tender-selesai-nilai.json": "spse-tender",
    "spse-tender-selesai.json": "spse-tender-selesai",
}


def records(name: str) -> list[dict]:
    return json.loads((ISB / name).read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture(scope="module")
def folder():
    return load(ISB)


def test_every_file_is_listed_here():
    assert sorted(p.name for p in ISB.glob("*.json")) == sorted(ENDPOINTS)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_each_endpoint_is_detected_read_and_reconciled(name):
    path = ISB / name
    assert detect_kind(path) == ENDPOINTS[name]
    ds = load(path)
    (src,) = ds.sources
    assert src.kind == ENDPOINTS[name] and src.detected and "columns" in src.detected
    n = len(records(name))
    assert src.read == n and src.read == src.accepted + src.rejected
    assert ds.reconciles()
    assert len({(r.file, r.row) for r in ds.rejected}) == src.rejected  # one reason per rejected row


def test_folder_reads_every_endpoint_and_reconciles_per_file(folder):
    read = [s for s in folder.sources if s.kind != "skipped"]
    assert {Path(s.path).name for s in read} == set(ENDPOINTS)
    # the README is listed as skipped, not silently passed over
    assert [(Path(s.path).name, s.read) for s in folder.sources if s.kind == "skipped"] == [("README.md", 0)]
    for s in read:
        assert s.read == len(records(Path(s.path).name)) == s.accepted + s.rejected, s.path
    assert folder.reconciles()
    # Rejections are exactly the cancelled pencatatan packages, failed Toko Daring orders and
    # superseded or repeated contract versions, each with a reason.
    reasons = Counter(r.reason.split(":")[0] if "cancelled" in r.reason or "failed" in r.reason else r.code for r in folder.rejected)
    assert reasons == {"package is cancelled (Paket Dibatalkan)": 119, "transaction failed at the marketplace (Payment Kadaluarsa)": 1,
                       "transaction failed at the marketplace (RFQ Dibatalkan Pembeli)": 1, "duplicate_row": 11}


def test_rows_per_channel_and_stage(folder):
    rows = Counter((p.stage, p.channel) for p in folder.purchases)
    assert rows == {
        ("award", "non_tender"): 1868, ("award", "tender"): 77, ("award", "e_purchasing"): 606,
        ("award", "pencatatan"): 361, ("award", "swakelola"): 112,
        ("contract", "non_tender"): 1036, ("contract", "tender"): 52,
    }
    # Supporting rows are never purchases: no announcement, letter, payment or bidder id among them.
    assert {p.id.split(":")[0] for p in folder.purchases} == {"spse", "kontrak", "ecat", "pencatatan", "swakelola"}


def test_link_rates_match_the_measured_ones(folder):
    rates = {(r.source, r.target): (r.linked, r.total) for r in folder.link_rates}
    assert rates["spse-nontender-pengumuman", "award"] == (1868, 2386)  # every result has its announcement
    assert rates["spse-tender-selesai", "award"] == (68, 68)
    assert rates["spse-ekontrak-bapbast", "contract"] == (863, 863)
    assert rates["spse-ekontrak-spmkspp", "contract"] == (965 + 45, 965 + 45)
    assert rates["spse-pencatatan-nontender-realisasi", "pencatatan"] == (485, 485)
    assert rates["contract:tender", "award:tender"] == (52, 52)
    linked, total = rates["contract:non_tender", "award:non_tender"]
    assert total == 1036 and linked >= 1033  # 3 contracts have no result in the file (README: 99.7%)
    unlinked = next(r for r in folder.link_rates if r.source == "contract:non_tender").unlinked
    assert len(unlinked) == total - linked and all(Path(f).name == "spse-nontender-ekontrak-kontrak.json" for f, _ in unlinked)
    for r in folder.link_rates:
        assert r.linked + len(r.unlinked) == r.total, r


def test_contracts_inherit_supplier_and_type_from_their_award(folder):
    by_id = {p.id: p for p in folder.purchases}
    contracts = [p for p in folder.purchases if p.stage == "contract" and p.channel == "non_tender"]
    with_supplier = [p for p in contracts if p.supplier_id]
    assert len(with_supplier) >= 1033
    for p in with_supplier:
        award = by_id.get(f"spse:{p.kd_nontender}")
        if award is not None:
            assert p.supplier_id == award.supplier_id
            assert p.procurement_type == award.procurement_type
            # the inherited fields name the award's source row
            prov = dict(p.provenance)
            assert prov["supplier_id"] == dict(award.provenance)["supplier_id"]
            assert prov["supplier_id"].startswith(str(ISB / "spse-nontender-selesai.json") + ":")
    # a Kecil package's winner reads as kecil, also from the contract
    assert all(folder.parties[p.supplier_id].scale == "kecil" for p in with_supplier)


def test_buyers_are_dotted_satker_codes_named_by_the_master(folder):
    buyers = {p.buyer_id for p in folder.purchases}
    assert all(b.startswith("satker:") for b in buyers)
    master = {r["kd_satker_str"]: r["nama_satker"] for r in records("rup-master-satker.json")}
    named = [b for b in buyers if b[len("satker:"):] in master]
    assert len(named) >= len(buyers) - 1  # one tender satker is missing from the master (README)
    for b in named:
        assert folder.parties[b].name == master[b[len("satker:"):]]


def test_new_canonical_fields_are_filled(folder):
    awards = [p for p in folder.purchases if p.id.startswith("spse:") and p.kd_nontender]
    assert all(p.fiscal_year == 2025 and p.pagu_idr is not None and p.kd_rup for p in awards)
    multi = [p for p in folder.purchases if len(p.kd_rup) > 1]
    assert multi  # kd_rup "a;b" is read as several codes
    assert all(";" not in c for p in multi for c in p.kd_rup)
    ecat = [p for p in folder.purchases if p.channel == "e_purchasing"]
    assert all(p.kd_paket and p.method == "e_purchasing" for p in ecat)
    pct = [p for p in folder.purchases if p.channel == "pencatatan"]
    assert any(p.pdn_value_idr is not None for p in pct)


def _kmt03_contract_unknown(ds) -> int:
    ruleset = pr.load_ruleset(pr.BUNDLED_RULES)
    report = pr.evaluate(ruleset, ds, "reference", clauses=["KMT-03"])
    return sum(1 for f in report.findings if f.clause == "KMT-03" and f.status.value == "cannot_determine"
               and str(f.subject).startswith("kontrak:"))


def test_kmt03_cannot_determine_on_contracts_falls_when_award_and_contract_are_read_together():
    files = [ISB / "spse-nontender-selesai.json", ISB / "spse-nontender-ekontrak-kontrak.json"]
    apart = merge_datasets([load(f) for f in files])  # each read alone: nothing links them
    together = load_many(files)
    before, after = _kmt03_contract_unknown(apart), _kmt03_contract_unknown(together)
    assert before >= 1000
    assert after <= before * 0.05


# --- CSV exports of the same endpoints -------------------------------------------------------


def _csv_from_json(name: str, tmp_path: Path, drop: tuple[str, ...] = (), seed: int = 0) -> Path:
    rows = records(name)
    cols: list[str] = []
    for r in rows:
        cols += [c for c in r if c not in cols]
    cols = [c for c in cols if c not in drop]
    rnd = random.Random(seed)
    rnd.shuffle(cols)
    header = [c.upper() if i % 2 else c.title() for i, c in enumerate(cols)]
    path = tmp_path / (Path(name).stem + ".csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if r.get(c) is None else str(r.get(c)) for c in cols])
    return path


def _comparable(ds, drop_extra: tuple[str, ...] = ()):
    out = []
    for p in ds.purchases:
        extra = tuple((k, v) for k, v in p.extra if k not in drop_extra)
        out.append(replace(p, provenance=(), extra=extra))
    return out


@pytest.mark.parametrize("name, drop, drop_extra", [
    ("spse-nontender-selesai.json", ("npwp_penyedia", "url_lpse"), ()),
    ("spse-nontender-ekontrak-kontrak.json", ("jenis_kontrak", "kota_kontrak"), ()),
    ("spse-tender-selesai-nilai.json", ("_event_date",), ()),
    ("spse-pencatatan-nontender.json", ("uraian_pekerjaan",), ("uraian_pekerjaan",)),
    ("ecat-paket-epurchasing-v6.json", ("mak",), ("mak",)),
    ("bela-tokodaring-realisasi.json", ("kategori",), ()),
])
def test_csv_with_shuffled_recased_columns_and_a_missing_optional_one_reads_the_same(name, drop, drop_extra, tmp_path):
    path = _csv_from_json(name, tmp_path, drop)
    assert detect_kind(path) == ENDPOINTS[name]
    from_csv, from_json = load(path), load(ISB / name)
    assert from_csv.sources[0].read == from_json.sources[0].read
    assert from_csv.sources[0].rejected == from_json.sources[0].rejected
    assert _comparable(from_csv) == _comparable(from_json, drop_extra)


@pytest.mark.parametrize("name", ["spse-nontender-pengumuman.json", "spse-ekontrak-bapbast.json".replace("spse-", "spse-nontender-"),
                                  "spse-pencatatan-nontender-realisasi.json", "rup-master-satker.json"])
def test_csv_supporting_endpoints_link_like_the_json(name, tmp_path):
    """A supporting file as CSV gives the same link rate as its JSON beside the same primary file."""
    primary = {
        "spse-nontender-pengumuman.json": "spse-nontender-selesai.json",
        "spse-nontender-ekontrak-bapbast.json": "spse-nontender-ekontrak-kontrak.json",
        "spse-pencatatan-nontender-realisasi.json": "spse-pencatatan-nontender.json",
        "rup-master-satker.json": "spse-nontender-selesai.json",
    }[name]
    as_csv = load_many([ISB / primary, _csv_from_json(name, tmp_path, seed=3)])
    as_json = load_many([ISB / primary, ISB / name])
    rates = lambda ds: [(r.source, r.target, r.key, r.linked, r.total) for r in ds.link_rates]  # noqa: E731
    assert rates(as_csv) == rates(as_json)
    assert _comparable(as_csv) == _comparable(as_json)


def test_folder_round_trips_through_the_canonical_csvs(folder, tmp_path):
    """What `perbup import exports/` writes reads back as the same records (provenance is not a column),
    so `--bulk` on the written folder judges the same records."""
    from perbup_rules.importers import load_dataset, write_dataset
    from perbup_rules.records import COLUMNS

    for p in folder.purchases:
        assert not set(dict(p.extra)) & set(COLUMNS["purchases"]), p.id  # extra never shadows a column
    write_dataset(folder, tmp_path)
    back = load_dataset(tmp_path)
    assert back.rejected == []
    assert back.purchases == [replace(p, provenance=()) for p in folder.purchases]
    assert back.parties == {k: replace(p, provenance=()) for k, p in folder.parties.items()}


SIRUP = REAL / "sirup_rup_paket_penyedia_kalbar_2025.csv"


@pytest.mark.skipif(not SIRUP.is_file(), reason="the SiRUP sample is not beside the repository")
def test_sirup_plans_carry_the_new_key_fields():
    ds = load(SIRUP)
    assert ds.sources[0].read == ds.sources[0].accepted + ds.sources[0].rejected == 15638
    plans = ds.purchases
    assert all(p.pagu_idr == p.value_idr and p.fiscal_year == 2025 and p.kd_rup == (p.id[len("rup:"):],) for p in plans)
    assert Counter(p.pdn for p in plans) == {True: 15611, False: 27}  # status_pdn PDN / Non-PDN as published
    channels = Counter(p.channel for p in plans)
    assert set(channels) <= {"tender", "non_tender", "e_purchasing", "other"} and channels["e_purchasing"] > 0
    assert all(p.buyer_id.startswith("satker:") and p.buyer_id.count(".") >= 3 for p in plans)  # by the dotted code


def test_pencatatan_zero_umk_and_pdn_on_a_paid_package_is_unknown(folder):
    rows = {str(r["kd_nontender_pct"]): r for r in records("spse-pencatatan-nontender.json")}
    pct = [p for p in folder.purchases if p.channel == "pencatatan"]
    for p in pct:
        r = rows[p.kd_paket]
        if p.value_idr is not None and not r["nilai_umk_pct"] and not r["nilai_pdn_pct"]:
            assert p.umk_value_idr is None and p.pdn_value_idr is None and dict(p.extra)["nilai_umk_pct"] == "0"
        elif p.value_idr is not None:
            assert p.umk_value_idr == (r["nilai_umk_pct"] or 0) and p.pdn_value_idr == (r["nilai_pdn_pct"] or 0)
    assert sum(p.umk_value_idr is None and p.value_idr is not None for p in pct) == 109
