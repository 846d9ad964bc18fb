"""Every real public sample imports, reconciles, and round-trips through the canonical CSVs."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from perbup_rules.importers import detect_kind, load, load_dataset, write_dataset
from perbup_rules.importers import ocds as ocds_importer

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
SIRUP = REAL / "sirup_rup_paket_penyedia_kalbar_2025.csv"
SPSE = REAL / "spse_nontender_selesai_kabbandung_2025.csv"
OCDS = REAL / "ocds_uk_contractsfinder_2025_releases_290.json"
SCHEMA = REAL / "ocds_schema_1_1_5"

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="shared/data/real is not beside the repository")


@pytest.fixture(scope="module")
def sirup():
    return load(SIRUP, "sirup-rup")


@pytest.fixture(scope="module")
def spse():
    return load(SPSE, "spse-nontender")


@pytest.fixture(scope="module")
def ocds():
    return load(OCDS, "ocds")


@pytest.mark.parametrize("path, kind", [(SIRUP, "sirup-rup"), (SPSE, "spse-nontender"), (OCDS, "ocds")])
def test_kinds_are_detected(path, kind):
    assert detect_kind(path) == kind


def test_sirup_every_package_is_a_plan(sirup):
    s = sirup.stats
    assert sirup.reconciles()
    assert s["purchases"].read == 15638
    assert s["purchases"].accepted + s["purchases"].rejected == 15638
    assert s["purchases"].accepted >= 15600  # the sample has no deleted or inactive packages
    assert 80 <= len(sirup.parties) <= 100  # one party per satker
    assert {p.stage for p in sirup.purchases} == {"plan"}
    assert {p.date.year for p in sirup.purchases} == {2025}  # fiscal year kept even when selection began in 2024
    reserved = Counter(p.reserved_for_umkk for p in sirup.purchases)
    assert reserved[True] > 15000 and 50 <= reserved[False] <= 80
    with_reason = Counter(p.exemption_reason is not None for p in sirup.purchases if p.reserved_for_umkk is False)
    assert with_reason[True] >= 50  # alasan_non_ukm carried over
    types = Counter(p.procurement_type for p in sirup.purchases)
    assert set(types) == {"barang", "pekerjaan_konstruksi", "jasa_lainnya", "jasa_konsultansi"}
    assert "e_purchasing" in {p.method for p in sirup.purchases}
    assert all(p.buyer_id in sirup.parties and p.supplier_id is None for p in sirup.purchases)
    assert sum(1 for p in sirup.purchases if p.ppk_id is None) == 32  # ppk_id empty in 32 source rows
    assert [s.kind for s in sirup.sources] == ["sirup-rup"] and len(sirup.sources[0].sha256) == 64


def test_sirup_date_rule_falls_back_to_the_fiscal_year(sirup):
    froms = Counter(dict(p.extra)["date_from"] for p in sirup.purchases)
    assert froms["tgl_awal_kontrak"] > 15000
    assert froms["tahun_anggaran"] > 50  # packages whose dates all lie outside 2025
    fallback = [p for p in sirup.purchases if dict(p.extra)["date_from"] == "tahun_anggaran"]
    assert {(p.date.month, p.date.day) for p in fallback} == {(1, 1)}


def test_spse_nontender_awards(spse):
    s = spse.stats
    assert spse.reconciles()
    assert s["purchases"].read == 2130 and s["purchases"].accepted + s["purchases"].rejected == 2130
    assert {p.stage for p in spse.purchases} == {"award"}
    suppliers = [p for p in spse.parties.values() if p.id.startswith("penyedia:")]
    satkers = [p for p in spse.parties.values() if p.id.startswith("satker:")]
    assert 650 <= len(suppliers) <= 750 and 40 <= len(satkers) <= 50
    assert {p.scale for p in suppliers} == {"kecil"}  # every package in the sample is kualifikasi Kecil
    forms = Counter(p.legal_form for p in suppliers)
    assert forms["cv"] > 250 and forms["pt"] > 100 and forms[None] > 200  # names without a prefix say nothing
    unknown_value = [p for p in spse.purchases if p.value_idr is None]
    assert 900 <= len(unknown_value) <= 1050  # nilai_kontrak 0: not recorded
    assert all(p.umk_value_idr is None for p in unknown_value)
    assert any(isinstance(p.value_idr, Decimal) for p in spse.purchases)  # sen kept exactly
    assert not any(isinstance(p.value_idr, float) for p in spse.purchases)
    assert {s.kabupaten for s in satkers} == {"Bandung"}


def test_ocds_release_package(ocds):
    s = ocds.stats
    assert ocds.reconciles()
    assert s["purchases"].read == 147  # one award in each of 147 releases
    assert s["purchases"].rejected == 4  # older versions superseded by awardUpdate releases
    assert {r.code for r in ocds.rejected} == {"duplicate_row"}
    assert {p.currency for p in ocds.purchases} == {"GBP"}
    assert all(p.value_idr is None and "amount" in dict(p.extra) for p in ocds.purchases)
    scales = Counter(p.scale for p in ocds.parties.values())
    assert scales["besar"] > 100 and "kecil" not in scales
    sme = [p for p in ocds.parties.values() if dict(p.extra).get("details.scale") == "sme"]
    assert len(sme) > 50 and all(p.scale is None for p in sme)
    kinds = Counter(p.kind for p in ocds.parties.values())
    assert kinds["perangkat_daerah"] > 200 and kinds["company"] > 200


def test_ocds_sample_matches_the_schema_structure():
    """Cheap structural checks against the OCDS 1.1.5 schema (jsonschema is not a dependency)."""
    package_schema = json.loads((SCHEMA / "release-package-schema.json").read_text())
    release_schema = json.loads((SCHEMA / "release-schema.json").read_text())
    data = json.loads(OCDS.read_text())
    assert set(package_schema["required"]) <= set(data)
    assert len(data["releases"]) == 290
    for release in data["releases"]:
        assert set(release_schema["required"]) <= set(release)
    with open(SCHEMA / "partyScale.csv", newline="") as fh:
        codes = {row["Code"] for row in csv.DictReader(fh)}
    # Every scale code of the codelist is mapped, except the two that are no size
    # class here (sme spans kecil and menengah; selfEmployed is a form): kept raw.
    assert set(ocds_importer._SCALES) | {"sme", "selfEmployed"} == codes
    with open(SCHEMA / "procurementCategory.csv", newline="") as fh:
        categories = {row["Code"] for row in csv.DictReader(fh)}
    assert set(ocds_importer._PROCUREMENT_CATEGORY) < categories


@pytest.mark.parametrize("name", ["sirup", "spse", "ocds"])
def test_round_trip_through_canonical_csv(name, request, tmp_path):
    ds = request.getfixturevalue(name)
    write_dataset(ds, tmp_path)
    back = load_dataset(tmp_path)
    assert back.rejected == []
    # provenance is not a column: it names the source rows, which the canonical CSVs do not keep
    assert back.parties == {k: replace(p, provenance=()) for k, p in ds.parties.items()}
    assert back.purchases == [replace(p, provenance=()) for p in ds.purchases]


def _prettified(src: Path, dest: Path, n: int, delimiter: str = ",") -> Path:
    """The first ``n`` rows of an LKPP CSV export with its headers as a spreadsheet shows them
    (``tahun_anggaran`` as ``Tahun Anggaran``), cells unchanged."""
    rows = list(csv.reader(open(src, encoding="utf-8", newline="")))[: n + 1]
    rows[0] = [h.replace("_", " ").title() for h in rows[0]]
    with open(dest, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return dest


@pytest.mark.parametrize("src, kind, delimiter", [(SIRUP, "sirup-rup", ","), (SPSE, "spse-nontender", ";")])
def test_prettified_headers_read_as_the_exports_own(tmp_path, src, kind, delimiter):
    """``Tahun Anggaran``, ``Kd Rup``: the same columns as ``tahun_anggaran``, ``kd_rup``
    (importers.tables.column_key), detected and read into the same records."""
    pretty = _prettified(src, tmp_path / "pretty.csv", 400, delimiter)
    plain = tmp_path / "plain.csv"
    rows = list(csv.reader(open(src, encoding="utf-8", newline="")))[:401]
    with open(plain, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    assert detect_kind(pretty) == kind
    a, b = load(plain, kind), load(pretty, kind)
    assert a.stats["purchases"].accepted > 300
    assert [replace(p, provenance=()) for p in a.purchases] == [replace(p, provenance=()) for p in b.purchases]
    assert sorted(a.parties) == sorted(b.parties)


def _as_workbook(src: Path, dest: Path, n: int, *, second: list | None = None) -> tuple[Path, Path]:
    """The first ``n`` records of an LKPP CSV export saved from Excel (numbers as numbers, some
    whole ones as floats, ISO dates as dates, a blank row after the fifth record; ``second``: a
    second sheet's rows), and those records as CSV."""
    import datetime as dt

    import openpyxl

    rows = list(csv.reader(open(src, encoding="utf-8", newline="")))[: n + 1]
    plain = dest.with_suffix(".csv")
    with open(plain, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)

    def cell(c: str, k: int) -> object:
        if c.isdigit() and not c.startswith("0") and len(c) < 15:
            return float(c) if k % 3 == 0 else int(c)
        if len(c) == 10 and c[4] == "-" and c[7] == "-":
            return dt.datetime.fromisoformat(c)  # Excel keeps a date as a date-time at midnight
        return c

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(rows[0])
    for k, r in enumerate(rows[1:]):
        ws.append([cell(c, k) for c in r])
        if k == 4:
            ws.append([])
    if second is not None:
        extra = wb.create_sheet("Catatan")
        for r in second:
            extra.append(r)
    wb.save(dest)
    return dest, plain


def test_an_export_saved_as_a_workbook_reads_as_its_csv(tmp_path):
    book, plain = _as_workbook(SIRUP, tmp_path / "rup.xlsx", 300, second=[])
    assert detect_kind(book) == "sirup-rup"
    a, b = load(plain, "sirup-rup"), load(book, "sirup-rup")
    assert b.stats["purchases"].read == 300 and b.stats["purchases"].accepted == a.stats["purchases"].accepted
    assert [replace(p, provenance=()) for p in a.purchases] == [replace(p, provenance=()) for p in b.purchases]
    assert sorted(a.parties) == sorted(b.parties)


def test_a_workbook_row_is_rejected_at_its_spreadsheet_row(tmp_path):
    import openpyxl

    book, _plain = _as_workbook(SIRUP, tmp_path / "rup.xlsx", 20)
    wb = openpyxl.load_workbook(book)
    ws = wb.active
    col = [c.value for c in ws[1]].index("pagu") + 1
    ws.cell(10, col, "sepuluh juta")  # row 10: the eighth record (records on rows 2-6, row 7 blank, then 8 on)
    wb.save(book)
    ds = load(book, "sirup-rup")
    (bad,) = [r for r in ds.rejected if r.table == "purchases"]
    assert bad.row == 10 and bad.column == "pagu" and bad.code == "bad_value"


def test_a_workbook_with_two_sheets_of_data_is_refused(tmp_path):
    from perbup_rules.errors import DataError

    book, _plain = _as_workbook(SIRUP, tmp_path / "rup.xlsx", 20, second=[["catatan"], ["dibuat dari SiRUP"]])
    with pytest.raises(DataError) as err:
        load(book, "sirup-rup")
    assert err.value.diagnostics[0].code == "unreadable_input" and "'Catatan'" in err.value.diagnostics[0].message
