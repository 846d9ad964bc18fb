"""LKPP ISB importers on small hand-written exports: SiRUP, SPSE non-tender/tender, e-kontrak."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from perbup_rules import errors
from perbup_rules.errors import DataError
from perbup_rules.importers import detect_kind, load
from perbup_rules.importers.lkpp import kabupaten_from_klpd, legal_form_from_bentuk, legal_form_from_name


def write_csv(path: Path, rows: list[dict]) -> Path:
    cols: list[str] = []
    for r in rows:
        cols += [c for c in r if c not in cols]
    buf = io.StringIO()
    w = csv.DictWriter(buf, cols, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def by_id(ds):
    return {p.id: p for p in ds.purchases}


def rejected(ds):
    return {r.row: (r.code, r.column) for r in ds.rejected}


# --- SiRUP -----------------------------------------------------------------------------

RUP = dict(
    tahun_anggaran="2025", kd_klpd="D264", nama_klpd="Kab. Kutai Timur", jenis_klpd="KABUPATEN", kd_satker="100",
    nama_satker="DINAS PUPR", kd_rup="1", nama_paket="Jalan", pagu="1500000000", metode_pengadaan="Pengadaan Langsung",
    jenis_pengadaan="Pekerjaan Konstruksi", status_pdn="PDN", status_ukm="UKM", alasan_non_ukm="",
    tgl_akhir_pemilihan="2025-02-01", tgl_awal_kontrak="2025-03-01", tgl_awal_pemanfaatan="2025-04-01",
    ppk_id="PPK-1", status_aktif_rup="true", status_delete_rup="false",
)


def rup(**changes) -> dict:
    return {**RUP, **changes}


def test_sirup_maps_a_plan(tmp_path):
    ds = load(write_csv(tmp_path / "rup.csv", [rup()]), "sirup-rup")
    (p,) = ds.purchases
    assert (p.id, p.stage, p.buyer_id, p.ppk_id, p.supplier_id) == ("rup:1", "plan", "satker:100", "PPK-1", None)
    assert (p.procurement_type, p.method, p.value_idr, p.reserved_for_umkk, p.date) == (
        "pekerjaan_konstruksi", "pengadaan_langsung", 1_500_000_000, True, dt.date(2025, 3, 1))
    assert dict(p.extra)["nama_paket"] == "Jalan" and dict(p.extra)["date_from"] == "tgl_awal_kontrak"
    buyer = ds.parties["satker:100"]
    assert (buyer.name, buyer.kind, buyer.kabupaten) == ("DINAS PUPR", "perangkat_daerah", "Kutai Timur")
    assert ds.sources[0].kind == "sirup-rup"


def test_sirup_rows(tmp_path):
    rows = [
        rup(kd_rup="1"),
        rup(kd_rup="2", status_ukm="Non-UKM", alasan_non_ukm="Kompetensi tidak sesuai dengan usaha kecil"),
        rup(kd_rup="3", status_delete_rup="true"),  # row 4: rejected
        rup(kd_rup="4", status_aktif_rup="false"),  # row 5: rejected
        rup(kd_rup="5", jenis_pengadaan="Swakelola"),  # row 6: unknown type
        rup(kd_rup="6", tgl_awal_kontrak="2024-12-01", tgl_awal_pemanfaatan="2025-06-01"),
        rup(kd_rup="7", tgl_awal_kontrak="2024-12-01", tgl_awal_pemanfaatan="2026-01-01", tgl_akhir_pemilihan="bad"),
        rup(kd_rup="1"),  # row 9: repeats
        rup(kd_rup="8", pagu="-5"),  # row 10: negative
        rup(kd_rup="9", tahun_anggaran=""),  # row 11: fiscal year required
        rup(kd_rup="10", status_ukm=""),
        rup(kd_rup="11", status_ukm="Mungkin"),  # row 13: unknown
        rup(kd_rup="12", kd_satker="200", nama_satker="RSUD", nama_klpd="Provinsi Kalimantan Timur"),
    ]
    ds = load(write_csv(tmp_path / "rup.csv", rows), "sirup-rup")
    assert ds.reconciles() and ds.stats["purchases"].read == 13
    assert rejected(ds) == {
        4: (errors.BAD_VALUE, "status_delete_rup"),
        5: (errors.BAD_VALUE, "status_aktif_rup"),
        6: (errors.UNKNOWN_CODE, "jenis_pengadaan"),
        9: (errors.DUPLICATE_ROW, "id"),
        10: (errors.NEGATIVE_VALUE, "pagu"),
        11: (errors.REQUIRED_VALUE, "tahun_anggaran"),
        13: (errors.UNKNOWN_CODE, "status_ukm"),
    }
    p = by_id(ds)
    assert p["rup:2"].reserved_for_umkk is False and p["rup:2"].exemption_reason.startswith("Kompetensi")
    assert p["rup:6"].date == dt.date(2025, 6, 1)  # first date inside the fiscal year
    assert p["rup:7"].date == dt.date(2025, 1, 1) and dict(p["rup:7"].extra)["date_from"] == "tahun_anggaran"
    assert p["rup:10"].reserved_for_umkk is None
    assert ds.parties["satker:200"].kabupaten is None  # a province is no kabupaten
    assert len(ds.parties) == 2  # the satker is one party however many packages it has


def test_sirup_json_array_from_the_isb_api(tmp_path):
    rows = [rup(kd_rup=1, kd_satker=100, pagu=2500000, tahun_anggaran=2025, status_aktif_rup=True, status_delete_rup=False, alasan_non_ukm=None)]
    path = tmp_path / "rup.json"
    path.write_text(json.dumps(rows))
    assert detect_kind(path) == "sirup-rup"
    (p,) = load(path).purchases
    assert (p.id, p.value_idr, p.buyer_id) == ("rup:1", 2_500_000, "satker:100")


def test_sirup_missing_required_column(tmp_path):
    row = rup()
    del row["pagu"]
    with pytest.raises(DataError) as info:
        load(write_csv(tmp_path / "rup.csv", [row]), "sirup-rup")
    (d,) = info.value.diagnostics
    assert d.code == errors.MISSING_COLUMN and "'pagu'" in d.message


# --- SPSE non-tender / tender -------------------------------------------------------------

NT = dict(
    tahun_anggaran="2025", kd_klpd="D264", nama_klpd="Kab. Kutai Timur", kd_satker="100", nama_satker="DINAS PUPR",
    kd_nontender="900", kd_rup="1", nama_paket="Drainase", pagu="200000000", hps="199000000",
    nilai_kontrak="198000000.50", nilai_pdn_kontrak="198000000", nilai_umk_kontrak="198000000.50", kualifikasi_paket="Kecil",
    jenis_pengadaan="Pekerjaan Konstruksi", mtd_pemilihan="Pengadaan Langsung", status_nontender="Selesai",
    tgl_selesai_nontender="2025-06-02 16:00:00", kd_penyedia="77", nama_penyedia="CV. Maju Jaya",
)


def nt(**changes) -> dict:
    return {**NT, **changes}


def test_spse_nontender_maps_an_award(tmp_path):
    ds = load(write_csv(tmp_path / "nt.csv", [nt()]), "spse-nontender")
    (p,) = ds.purchases
    assert (p.id, p.stage, p.buyer_id, p.supplier_id, p.method) == ("spse:900", "award", "satker:100", "penyedia:77", "pengadaan_langsung")
    assert p.value_idr == Decimal("198000000.5") and p.umk_value_idr == Decimal("198000000.5")
    assert p.date == dt.date(2025, 6, 2)
    s = ds.parties["penyedia:77"]
    assert (s.name, s.kind, s.legal_form, s.scale) == ("CV. Maju Jaya", "company", "cv", "kecil")


def test_spse_nontender_rows(tmp_path):
    rows = [
        nt(kd_nontender="1", nilai_kontrak="0", nilai_umk_kontrak="0"),  # value not recorded
        nt(kd_nontender="2", nilai_kontrak="5000000", nilai_umk_kontrak="0"),  # known contract, no UMK part
        nt(kd_nontender="3", nilai_kontrak="5000000", nilai_umk_kontrak="6000000"),  # row 4: UMK above contract
        nt(kd_nontender="4", kd_penyedia="88", nama_penyedia="Koperasi Serba Usaha Sangatta", kualifikasi_paket="Non Kecil"),
        nt(kd_nontender="5", kd_penyedia="77", kualifikasi_paket="Non Kecil"),  # 77 stays kecil
        nt(kd_nontender="6", kd_penyedia="99", nama_penyedia="Budi Santoso", kualifikasi_paket=""),
        nt(kd_nontender="7", jenis_pengadaan="Jasa Konsultansi Badan Usaha Non Konstruksi"),
        nt(kd_nontender="8", jenis_pengadaan="Pengadaan Barang", tgl_selesai_nontender="2024-12-30 10:00:00"),
        nt(kd_nontender="9", kd_penyedia="", nama_penyedia="Tanpa Kode"),
        nt(kd_nontender="10", jenis_pengadaan="Sewa"),  # row 11: unknown type
        nt(kd_nontender="11", nilai_kontrak="1.500.000", nilai_umk_kontrak="0"),  # unambiguous grouping is read
        nt(kd_nontender="12", nilai_kontrak="250.000"),  # row 13: ambiguous, and '.' is a decimal point elsewhere
    ]
    ds = load(write_csv(tmp_path / "nt.csv", rows), "spse-nontender")
    assert ds.reconciles()
    assert rejected(ds) == {4: (errors.BAD_VALUE, "nilai_umk_kontrak"), 11: (errors.UNKNOWN_CODE, "jenis_pengadaan"), 13: (errors.BAD_VALUE, "nilai_kontrak")}
    p = by_id(ds)
    assert p["spse:11"].value_idr == 1_500_000
    assert p["spse:1"].value_idr is None and p["spse:1"].umk_value_idr is None and dict(p["spse:1"].extra)["nilai_kontrak"] == "0"
    assert p["spse:2"].value_idr == 5_000_000 and p["spse:2"].umk_value_idr == 0
    k = ds.parties["penyedia:88"]
    assert (k.kind, k.legal_form, k.scale) == ("koperasi", "koperasi", None)
    assert ds.parties["penyedia:77"].scale == "kecil"
    assert ds.parties["penyedia:99"].legal_form is None and ds.parties["penyedia:99"].scale is None
    assert p["spse:7"].procurement_type == "jasa_konsultansi"
    assert p["spse:8"].procurement_type == "barang" and p["spse:8"].date == dt.date(2025, 1, 1)
    assert p["spse:9"].supplier_id is None and dict(p["spse:9"].extra)["nama_penyedia"] == "Tanpa Kode"


def test_spse_tender_uses_tender_column_names(tmp_path):
    row = {k.replace("nontender", "tender"): v for k, v in nt().items() if k not in ("jenis_pengadaan", "tgl_selesai_nontender")}
    row["tgl_penetapan_pemenang"] = "2025-08-09 10:00:00"
    path = write_csv(tmp_path / "t.csv", [row])
    assert detect_kind(path) == "spse-tender"
    (p,) = load(path, "spse-tender").purchases
    assert (p.id, p.date, p.procurement_type) == ("spse:900", dt.date(2025, 8, 9), None)  # no jenis column: unknown
    # A non-tender file given to the tender importer (and back) still reads.
    (q,) = load(write_csv(tmp_path / "nt.csv", [nt()]), "spse-tender").purchases
    assert q.id == "spse:900"


# --- e-kontrak --------------------------------------------------------------------------------

EK = dict(
    tahun_anggaran="2025", kd_klpd="D264", nama_klpd="Kab. Kutai Timur", kd_satker="100", nama_satker="DINAS PUPR",
    kd_tender="500", no_kontrak="KTR/1", nama_paket="Gedung", kd_penyedia="42", nama_penyedia="PT Beton",
    bentuk_usaha_penyedia="Perseroan Terbatas", nilai_kontrak="2000000000", nilai_umk_kontrak="0", nilai_pdn_kontrak="2000000000",
    tgl_kontrak="2025-05-05", mtd_pengadaan="Tender", status_kontrak="Aktif", versi_addendum="0", jenis_pengadaan="Pekerjaan Konstruksi",
)


def ek(**changes) -> dict:
    return {**EK, **changes}


def test_ekontrak_contracts_and_addenda(tmp_path):
    rows = [
        ek(),
        ek(versi_addendum="1", nilai_kontrak="2100000000"),  # supersedes row 2
        ek(no_kontrak="KTR/2", kd_penyedia="43", nama_penyedia="Maju", bentuk_usaha_penyedia="BUMN"),
        ek(no_kontrak="KTR/3", kd_penyedia="", nama_penyedia="Anon", bentuk_usaha_penyedia="CV"),
        ek(no_kontrak="KTR/4", kd_penyedia="44", nama_penyedia="Koperasi X", bentuk_usaha_penyedia=""),
        ek(versi_addendum="0", nilai_kontrak="1"),  # row 7: an older version arriving late
    ]
    path = write_csv(tmp_path / "ek.csv", rows)
    assert detect_kind(path) == "spse-ekontrak"
    ds = load(path, "spse-ekontrak")
    assert ds.reconciles() and ds.stats["purchases"].to_dict() == {"read": 6, "accepted": 4, "rejected": 2}
    assert {r.row for r in ds.rejected} == {2, 7} and all("superseded" in r.reason for r in ds.rejected)
    p = by_id(ds)
    first = p["kontrak:500:KTR/1"]
    assert (first.stage, first.value_idr, first.umk_value_idr, first.date, first.method) == ("contract", 2_100_000_000, 0, dt.date(2025, 5, 5), "tender")
    assert ds.parties["penyedia:42"].legal_form == "pt"
    assert ds.parties["penyedia:43"].legal_form == "other"
    assert p["kontrak:500:KTR/3"].supplier_id is None and dict(p["kontrak:500:KTR/3"].extra)["nama_penyedia"] == "Anon"
    assert ds.parties["penyedia:44"].kind == "koperasi"  # from the name when bentuk_usaha is empty


# --- helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, form",
    [("CV. Maju", "cv"), ("PT.BINA", "pt"), ("pt karya", "pt"), ("UD Sumber", "ud"), ("Fa. Tiga", "firma"),
     ("Firma Dua", "firma"), ("KUD Tani", "koperasi"), ("KSU Makmur", "koperasi"), ("Koperasi Guru", "koperasi"),
     ("PTPN XIII", None), ("Budi CV", None), ("Cvitra", None), ("", None), (None, None)],
)
def test_legal_form_only_from_an_explicit_prefix(name, form):
    assert legal_form_from_name(name) == form


@pytest.mark.parametrize("text, form", [("PT", "pt"), ("C.V.", "cv"), ("Perorangan", "perorangan"), ("Koperasi", "koperasi"), ("BUMN", "other"), (None, None)])
def test_legal_form_from_bentuk(text, form):
    assert legal_form_from_bentuk(text) == form


@pytest.mark.parametrize(
    "klpd, kab",
    [("Kab. Kutai Timur", "Kutai Timur"), ("Kabupaten Kutai Timur", "Kutai Timur"), ("Kota Samarinda", "Samarinda"),
     ("Provinsi Kalimantan Barat", None), ("Kementerian Keuangan", None), (None, None)],
)
def test_kabupaten_from_klpd(klpd, kab):
    assert kabupaten_from_klpd(klpd) == kab


@pytest.mark.parametrize("bentuk, form", [
    ("Perseroan Terbatas (PT)", "pt"),
    ("Perseroan Terbatas (PT) Perorangan", "pt"),
    ("Persekutuan Komanditer (CV / Commanditer Venoschaap )", "cv"),
    ("Persekutuan Firma (FA / Venootschap Onder Firma)", "firma"),
    ("Orang Perseorangan", "perorangan"),
    ("Konsultan Perseorangan", "perorangan"),
    ("CV", "cv"),
    ("Yayasan", "other"),
])
def test_spse_long_legal_forms_are_read(bentuk, form):
    """SPSE e-kontrak writes the long form with the abbreviation in brackets (every value seen in the
    Kab. Bandung ISB contracts); none of them is 'other'."""
    from perbup_rules.importers.lkpp import legal_form_from_bentuk

    assert legal_form_from_bentuk(bentuk) == form


def test_supplier_fields_from_an_export_name_their_file_and_row(tmp_path):
    src = tmp_path / "nontender.csv"
    src.write_text(
        "kd_nontender,kd_satker,tahun_anggaran,nilai_kontrak,kd_penyedia,nama_penyedia,kualifikasi_paket\n"
        "11,S1,2025,1000000,P9,CV Maju,Kecil\n", encoding="utf-8")
    from perbup_rules.importers import load

    ds = load(src, "spse-nontender")
    supplier = ds.parties["penyedia:P9"]
    prov = dict(supplier.provenance)
    assert prov["scale"] == f"{src}:2" and prov["name"] == f"{src}:2" and prov["legal_form"] == f"{src}:2"
