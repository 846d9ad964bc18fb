"""Linking one package's records across files, on constructed exports: plan -> award -> contract -> handover.

The plan files use the SiRUP layout of shared/data/real/sirup_rup_paket_penyedia_kalbar_2025.csv
(its header is copied here, so the tests do not need shared/).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perbup_rules import errors
from perbup_rules.errors import DataError
from perbup_rules.importers import detect_kind, load
from perbup_rules.importers.link import link
from perbup_rules.importers.part import Fact, Part
from perbup_rules.importers.registry import load_many
from perbup_rules.records import Dataset, Party, Purchase

SIRUP_HEADER = (
    "tahun_anggaran,kd_klpd,nama_klpd,jenis_klpd,kd_satker,kd_satker_str,nama_satker,kd_rup,nama_paket,pagu,"
    "kd_metode_pengadaan,metode_pengadaan,kd_jenis_pengadaan,jenis_pengadaan,status_pradipa,status_pdn,status_ukm,"
    "alasan_non_ukm,status_konsolidasi,tipe_paket,kd_rup_swakelola,kd_rup_lokal,volume_pekerjaan,urarian_pekerjaan,"
    "spesifikasi_pekerjaan,tgl_awal_pemilihan,tgl_akhir_pemilihan,tgl_awal_kontrak,tgl_akhir_kontrak,"
    "tgl_awal_pemanfaatan,tgl_akhir_pemanfaatan,tgl_buat_paket,tgl_pengumuman_paket,ppk_id,status_aktif_rup,"
    "status_delete_rup,status_umumkan_rup,status_dikecualikan,alasan_dikecualikan,tahun_pertama,"
    "kode_rup_tahun_pertama,nomor_kontrak,spp_aspek_ekonomi,spp_aspek_sosial,spp_aspek_lingkungan,_event_date"
).split(",")

SATKER = "1.03.2.15.1.04.03.0000"


def rup_row(kd_rup: str, pagu: int, ukm: str = "UKM", pdn: str = "PDN", alasan: str = "") -> dict:
    row = {c: "" for c in SIRUP_HEADER}
    row.update(tahun_anggaran="2025", kd_klpd="D107", nama_klpd="Kab. Bandung", jenis_klpd="KABUPATEN", kd_satker="60412",
               kd_satker_str=SATKER, nama_satker="DINAS PUPR", kd_rup=kd_rup, nama_paket=f"Paket {kd_rup}", pagu=str(pagu),
               metode_pengadaan="Pengadaan Langsung", jenis_pengadaan="Pekerjaan Konstruksi", status_pdn=pdn,
               status_ukm=ukm, alasan_non_ukm=alasan, tgl_awal_kontrak="2025-03-01", ppk_id="PPK-1",
               status_aktif_rup="true", status_delete_rup="false")
    return row


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None) -> Path:
    cols = header or list(dict.fromkeys(c for r in rows for c in r))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, cols)
        w.writeheader()
        w.writerows(rows)
    return path


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def selesai(kd: str, kd_rup: str, kd_penyedia: str = "77", nilai: int = 90_000_000, npwp: str = "NPWP-aaaaaaaaaaaa") -> dict:
    return dict(tahun_anggaran=2025, kd_satker="12335093", kd_satker_str=SATKER, nama_satker="DINAS PUPR", nama_klpd="Kab. Bandung",
                kd_nontender=kd, kd_rup=kd_rup, nama_paket="Jalan", pagu=100_000_000, hps=95_000_000, nilai_kontrak=nilai,
                nilai_pdn_kontrak=nilai, nilai_umk_kontrak=nilai, kualifikasi_paket="Kecil", jenis_pengadaan="Pekerjaan Konstruksi",
                mtd_pemilihan="Pengadaan Langsung", status_nontender="Selesai", tgl_selesai_nontender="2025-04-02 10:00:00",
                kd_penyedia=kd_penyedia, nama_penyedia="CV. Maju", npwp16_penyedia=npwp)


def kontrak(kd: str, no: str, versi: int = 0, npwp: str = "NPWP-aaaaaaaaaaaa") -> dict:
    return dict(tahun_anggaran=2025, kd_satker="12335093", kd_satker_str=SATKER, nama_satker="DINAS PUPR", kd_nontender=kd,
                nama_paket="Jalan", mtd_pengadaan="Pengadaan Langsung", no_sppbj=f"SPPBJ-{kd}", no_kontrak=no, tgl_kontrak="2025-04-10",
                nama_penyedia="CV. Maju", npwp16_penyedia=npwp, bentuk_usaha_penyedia="CV", nilai_kontrak=90_000_000,
                nilai_pdn_kontrak=90_000_000, nilai_umk_kontrak=None, status_kontrak="Kontrak Selesai", versi_addendum=versi)


def bapbast(no: str, paid: int) -> dict:
    return dict(tahun_anggaran=2025, kd_satker_str=SATKER, kd_nontender="x", no_kontrak=no, nilai_kontrak=90_000_000,
                no_bast=f"BAST-{paid}", tgl_bast="2025-06-01", besar_pembayaran=paid, cara_pembayaran_kontrak="Termin")


@pytest.fixture
def exports(tmp_path):
    """A folder with a plan file, the results, the contracts and a handover of three packages."""
    folder = tmp_path / "exports"
    folder.mkdir()
    write_csv(folder / "rup.csv", [rup_row("11", 100_000_000), rup_row("12", 100_000_000), rup_row("21", 400_000_000, ukm="Non-UKM",
              pdn="Non-PDN", alasan="butuh teknologi tinggi"), rup_row("31", 50_000_000, ukm="UKM"), rup_row("32", 50_000_000, ukm="Non-UKM")],
              SIRUP_HEADER)
    write_json(folder / "selesai.json", [selesai("100", "11;12"), selesai("200", "21", kd_penyedia="88", npwp="NPWP-bbbbbbbbbbbb"),
                                         selesai("300", "31;32", kd_penyedia="99", npwp="NPWP-cccccccccccc")])
    write_json(folder / "kontrak.json", [kontrak("100", "K-1"), kontrak("100", "K-1", versi=1), kontrak("400", "K-4", npwp="NPWP-bbbbbbbbbbbb"),
                                         {**kontrak("200", "K-2"), "nilai_kontrak": 80_000_000, "nilai_pdn_kontrak": 0}])
    write_json(folder / "bapbast.json", [bapbast("K-1", 40_000_000), bapbast("K-1", 50_000_000), bapbast("K-9", 1)])
    (folder / "README.md").write_text("notes, not data", encoding="utf-8")
    return folder


def by_id(ds):
    return {p.id: p for p in ds.purchases}


def test_a_folder_is_one_life_per_package(exports):
    assert detect_kind(exports) == "folder"
    ds = load(exports)
    assert {Path(s.path).name: s.kind for s in ds.sources} == {
        "rup.csv": "sirup-rup", "selesai.json": "spse-nontender", "kontrak.json": "spse-ekontrak", "bapbast.json": "spse-ekontrak-bapbast",
        "README.md": "skipped"}
    for s in ds.sources:
        assert s.read == s.accepted + s.rejected and s.detected
    assert ds.reconciles()
    p = by_id(ds)
    # award <- plan: both plans of "11;12" agree, so the award takes their pagu, reservation and PDN status
    award = p["spse:100"]
    assert award.kd_rup == ("11", "12")
    assert (award.reserved_for_umkk, award.pdn, award.pagu_idr) == (True, True, 100_000_000)  # own pagu kept
    assert dict(award.provenance)["reserved_for_umkk"] == f"{exports / 'rup.csv'}:2; {exports / 'rup.csv'}:3"
    # the plans of "31;32" disagree on the reservation: not guessed
    assert p["spse:300"].reserved_for_umkk is None
    assert p["spse:200"].exemption_reason == "butuh teknologi tinggi" and p["spse:200"].pdn is False
    # contract <- award: supplier, type, method, UMK value, kualifikasi, and what the award took from its plan
    contract = p["kontrak:100:K-1"]
    assert (contract.supplier_id, contract.procurement_type, contract.umk_value_idr, contract.reserved_for_umkk) == (
        "penyedia:77", "pekerjaan_konstruksi", 90_000_000, True)
    assert dict(contract.extra)["kualifikasi_paket"] == "Kecil"
    assert dict(contract.provenance)["supplier_id"] == f"{exports / 'selesai.json'}:1"
    assert dict(contract.extra)["versi_addendum"] == "1"  # the newer addendum version is the contract
    # handover: both payments of K-1 are summed on the contract, the BAST of an unknown contract is reported
    assert dict(contract.extra)["besar_pembayaran_total"] == "90000000"
    assert dict(contract.extra)["spse-ekontrak-bapbast_rows"] == "2"
    # an addendum changed the value of K-2: the award's UMK part is of another amount and is not taken
    assert p["kontrak:200:K-2"].umk_value_idr is None and p["kontrak:200:K-2"].supplier_id == "penyedia:88"
    # a contract without its award reaches its supplier by NPWP
    assert p["kontrak:400:K-4"].supplier_id == "penyedia:88"
    rates = {(r.source, r.target): r for r in ds.link_rates}
    assert (rates["award:non_tender", "plan"].linked, rates["award:non_tender", "plan"].total) == (3, 3)
    hand = rates["spse-ekontrak-bapbast", "contract"]
    assert (hand.linked, hand.total, hand.unlinked) == (2, 3, ((str(exports / "bapbast.json"), 3),))
    c = rates["contract:non_tender", "award:non_tender"]
    assert (c.linked, c.total, c.unlinked) == (2, 3, ((str(exports / "kontrak.json"), 3),))
    # contract and award are different stages: spending is not counted twice within a stage
    assert Counter(x.stage for x in ds.purchases) == {"plan": 5, "award": 3, "contract": 3}


def test_two_data_arguments_link_like_one_folder(exports):
    files = [exports / "rup.csv", exports / "selesai.json", exports / "kontrak.json", exports / "bapbast.json"]
    assert by_id(load_many(files)) == by_id(load(exports))
    assert [s.kind for s in load_many(files).sources].count("skipped") == 0


def test_a_plan_code_shared_by_two_plans_is_refused_when_they_disagree(tmp_path):
    rup = write_csv(tmp_path / "rup.csv", [rup_row("1", 10), rup_row("2", 20, ukm="Non-UKM")], SIRUP_HEADER)
    res = write_json(tmp_path / "selesai.json", [selesai("5", "1;2")])
    award = by_id(load_many([rup, res]))["spse:5"]
    assert award.reserved_for_umkk is None and award.pdn is True  # they agree on PDN only


def test_an_unknown_file_in_a_folder_is_located_with_the_others(tmp_path):
    write_json(tmp_path / "a.json", [selesai("1", "1")])
    write_csv(tmp_path / "b.csv", [{"foo": "1", "bar": "2"}])
    write_json(tmp_path / "c.json", {"x": [{"a": 1}], "y": [{"b": 2}]})
    with pytest.raises(DataError) as exc:
        load(tmp_path)
    files = sorted(Path(d.location.file).name for d in exc.value.diagnostics)
    assert files == ["b.csv", "c.json"]


# --- JSON wrappers ------------------------------------------------------------------------------


def test_a_wrapper_object_is_unwrapped_and_said(tmp_path):
    path = write_json(tmp_path / "w.json", {"meta": {"page": 1}, "rows": [selesai("1", "1"), selesai("2", "2")]})
    ds = load(path)
    assert [p.id for p in ds.purchases] == ["spse:1", "spse:2"]
    assert "records under key 'rows'" in ds.sources[0].detected


def test_a_list_holding_one_dataset_is_unwrapped(tmp_path):
    path = write_json(tmp_path / "w.json", [{"endpoint": "SPSE-NonTenderSelesai", "data": [selesai("1", "1")]}])
    ds = load(path, "spse-nontender")
    assert [p.id for p in ds.purchases] == ["spse:1"]


@pytest.mark.parametrize("data, says", [
    ({"tender": [{"a": 1}], "nontender": [{"b": 1}]}, "2 lists of records (under keys 'tender', 'nontender')"),
    ([{"name": "SPSE-A", "data": [{"a": 1}]}, {"name": "SPSE-B", "data": [{"b": 1}]}], "a list of 2 datasets"),
    ({"status": "ok", "count": 0}, "keys 'status', 'count' and no list of records"),
    ("just text", "found a str"),
])
def test_a_wrapper_that_cannot_be_unwrapped_is_refused_naming_what_it_holds(tmp_path, data, says):
    path = write_json(tmp_path / "w.json", data)
    with pytest.raises(DataError) as exc:
        load(path, "spse-nontender")
    (d,) = exc.value.diagnostics
    assert d.code == errors.UNREADABLE_INPUT and says in d.message and d.location.file == str(path)
    if isinstance(data, list):
        assert "SPSE-A" in d.message and "SPSE-B" in d.message


# --- supporting rows: counted, located, never spending ---------------------------------------


def test_a_bad_supporting_row_is_rejected_with_its_location_and_the_file_reconciles(tmp_path):
    sel = write_json(tmp_path / "selesai.json", [selesai("1", "1")])
    ann = write_json(tmp_path / "pengumuman.json", [
        dict(tahun_anggaran=2025, kd_satker_str=SATKER, kd_nontender="1", kd_rup="1", pagu="not money", status_nontender="Selesai"),
        dict(tahun_anggaran=2025, kd_satker_str=SATKER, kd_nontender="", kd_rup="1", pagu=5, status_nontender="Selesai"),
        dict(tahun_anggaran=2025, kd_satker_str=SATKER, kd_nontender="9", kd_rup="1", pagu=5, status_nontender="Berlangsung"),
        "not an object",
    ])
    ds = load_many([sel, ann])
    src = next(s for s in ds.sources if s.path == str(ann))
    assert (src.kind, src.read, src.accepted, src.rejected) == ("spse-nontender-pengumuman", 4, 1, 3)
    assert sorted((r.row, r.column) for r in ds.rejected) == [(1, "pagu"), (2, "kd_nontender"), (4, None)]
    assert [p.id for p in ds.purchases] == ["spse:1"]  # an announcement is never a purchase
    rate = next(r for r in ds.link_rates if r.source == "spse-nontender-pengumuman")
    assert (rate.linked, rate.total, rate.unlinked) == (0, 1, ((str(ann), 3),))
    assert ds.reconciles()


# --- hypothesis: linking never loses or duplicates a record ----------------------------------

KEYS = st.sampled_from(["1", "2", "3", "4"])


@st.composite
def parts(draw):
    parties = [Party("satker:A", kind="perangkat_daerah"), Party("penyedia:1", extra=(("npwp", "N1"),)), Party("penyedia:2")]
    purchases, facts, n = [], [], 0
    for kd in draw(st.lists(KEYS, max_size=4, unique=True)):
        purchases.append(Purchase(f"spse:{kd}", stage="award", channel="non_tender", buyer_id="satker:A", kd_nontender=kd,
                                  supplier_id=draw(st.sampled_from([None, "penyedia:1", "penyedia:2"])),
                                  procurement_type=draw(st.sampled_from([None, "barang"])), kd_rup=tuple(draw(st.lists(KEYS, max_size=2))),
                                  provenance=(("stage", f"a.json:{kd}"),)))
    for kd in draw(st.lists(KEYS, max_size=4, unique=True)):
        n += 1
        purchases.append(Purchase(f"kontrak:{kd}:K{kd}", stage="contract", channel="non_tender", buyer_id="satker:A", kd_nontender=kd,
                                  supplier_id=draw(st.sampled_from([None, "penyedia:2"])), extra=(("no_kontrak", f"K{kd}"),),
                                  provenance=(("stage", f"k.json:{n}"),)))
    for kd in draw(st.lists(KEYS, max_size=3, unique=True)):
        purchases.append(Purchase(f"rup:{kd}", stage="plan", buyer_id="satker:A", kd_rup=(kd,),
                                  reserved_for_umkk=draw(st.sampled_from([None, True, False])), provenance=(("stage", f"r.csv:{kd}"),)))
    for i, (kind, target, key) in enumerate(draw(st.lists(st.sampled_from([
        ("spse-nontender-pengumuman", "award", "kd_nontender"), ("spse-ekontrak-bapbast", "contract", "no_kontrak"),
    ]), max_size=8))):
        kd = draw(KEYS)
        facts.append(Fact("f.json", i + 1, kind, target, ((key, f"K{kd}" if key == "no_kontrak" else kd),),
                          fields=(("procurement_type", "jasa_lainnya"),), money=(("besar_pembayaran", draw(st.integers(0, 10**9))),)))
    split = draw(st.integers(0, len(purchases)))
    return [Part(Dataset.build(parties, purchases[:split]), facts[: len(facts) // 2]),
            Part(Dataset.build(parties, purchases[split:]), facts[len(facts) // 2:])]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(parts())
def test_linking_never_loses_duplicates_or_overwrites(ps):
    before = [p for part in ps for p in part.ds.purchases]
    facts = [f for part in ps for f in part.facts]
    ds = link(ps)
    assert sorted(p.id for p in ds.purchases) == sorted(p.id for p in before)  # none lost, none added
    after = by_id(ds)
    for p in before:
        q = after[p.id]
        for name in ("stage", "supplier_id", "procurement_type", "reserved_for_umkk", "kd_nontender", "kd_rup", "buyer_id"):
            if getattr(p, name) not in (None, ()):
                assert getattr(q, name) == getattr(p, name), name  # only empty fields are filled
        for name, where in q.provenance:
            assert where  # every filled field names where it came from
    # every fact is counted once, linked or not
    per_kind = Counter(f.kind for f in facts)
    for r in ds.link_rates:
        assert r.linked + len(r.unlinked) == r.total
        if r.source in per_kind:
            assert r.total == per_kind.pop(r.source)
    assert not per_kind
    assert ds.reconciles()


# --- the CLI -----------------------------------------------------------------------------------


def test_perbup_import_prints_files_detection_and_link_rates(exports, tmp_path):
    from click.testing import CliRunner

    from perbup_rules.cli import main

    result = CliRunner().invoke(main, ["import", str(exports), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = result.output
    line = next(x for x in out.splitlines() if x.startswith("kontrak.json"))
    assert line.split()[1:] == ["spse-ekontrak", "4", "3", "1"]  # read, accepted, rejected (a superseded version)
    assert "detected: columns nilai_kontrak, no_kontrak: SPSE e-kontrak contracts (contract)" in out
    assert "contract:non_tender -> award:non_tender by kd_nontender: 2/3 (66.7%); not linked: kontrak.json:3" in out
    assert "spse-ekontrak-bapbast -> contract by no_kontrak: 2/3 (66.7%); not linked: bapbast.json:3" in out
    assert "award:non_tender -> plan by kd_rup: 3/3 (100.0%)" in out


def test_perbup_audit_links_two_data_arguments(exports, tmp_path):
    from click.testing import CliRunner

    from perbup_rules.cli import main

    def kmt03(*files):
        args = ["audit", *(a for f in files for a in ("--data", str(exports / f))), "--format", "json", "--all", "-q"]
        result = CliRunner().invoke(main, args)
        report = json.loads(result.output)
        return report, {f["subject"]: f["status"] for f in report["findings"] if f["clause"] == "KMT-03"}

    # alone, the non-tender contract has no supplier: KMT-03 cannot tell
    assert kmt03("kontrak.json")[1]["kontrak:100:K-1"] == "cannot_determine"
    # with its award, it has the award's (kecil) supplier and type: compliant
    report, verdicts = kmt03("selesai.json", "kontrak.json")
    assert verdicts["kontrak:100:K-1"] == "compliant"
    assert {s["kind"] for s in report["sources"]} == {"spse-nontender", "spse-ekontrak"}
