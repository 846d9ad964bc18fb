"""reports.csv (yearly reports to the Dinas): loading, rejections, the audit date, and bulk parity.

The clauses fed by reports (KMT-15.3, KMT-15.4, KMT-18) have their scenarios in
rules/kutim-kemitraan/tests/reports.yaml; this file pins the table itself: every row is
accepted or rejected with file, row and reason, a repeated (party, year, kind) is refused,
money is read by the cell rules, and the bulk path gives the per-record report.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import errors
from perbup_rules.bulk import as_counted, audit
from perbup_rules.cli import main
from perbup_rules.duties import default_as_of
from perbup_rules.errors import RecordError
from perbup_rules.importers import load_dataset, write_dataset
from perbup_rules.records import REPORT_KINDS, AnnualReport, Dataset, Partnership, Party, Purchase, merge_datasets

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)

PARTIES = """id,name,kind,legal_form,capital_idr,annual_sales_idr,kabupaten
pd-1,Dinas A,perangkat_daerah,,,,Kutai Timur
h-1,Hotel B,hotel,pt,20000000000,60000000000,Kutai Timur
h-2,Hotel C,hotel,pt,20000000000,60000000000,Kutai Timur
pt-1,PT Besar,company,pt,30000000000,90000000000,Kutai Timur
u-1,UD Kecil,umkm,ud,100000000,500000000,Kutai Timur
"""
PURCHASES = """id,stage,buyer_id,supplier_id,category,procurement_type,value_idr,date
a-1,contract,pd-1,pt-1,konstruksi,pekerjaan_konstruksi,20000000000,2027-05-01
a-2,contract,pd-1,u-1,atk,barang,10000000,2027-06-01
"""
HEADER = "id,party_id,year,kind,total_idr,local_umkk_idr,submitted_date\n"
REPORTS = HEADER + """r-1,h-1,2027,hotel_purchases,Rp 1.000.000.000,250.000.000,31/03/2028
r-2,h-1,2027,Hotel_Purchases,900000000,1,2028-04-01
r-3,h-2,2027,hotel_purchases,100,101,2028-01-01
r-4,h-2,2027,laporan_lain,100,10,2028-01-01
r-5,nobody,2027,hotel_purchases,100,10,2028-01-01
r-6,pt-1,,company_annual,,,2028-01-01
r-7,pt-1,2027,company_annual,,,2028-02-30
r-8,pt-1,2027,company_annual,,,2028-05-02
"""


def folder(tmp_path: Path, reports: str | None = REPORTS) -> Path:
    d = tmp_path / "ds"
    d.mkdir(parents=True, exist_ok=True)
    (d / "parties.csv").write_text(PARTIES, encoding="utf-8")
    (d / "purchases.csv").write_text(PURCHASES, encoding="utf-8")
    if reports is not None:
        (d / "reports.csv").write_text(reports, encoding="utf-8")
    return d


def test_every_report_row_is_accepted_or_rejected_with_file_row_and_reason(tmp_path):
    ds = load_dataset(folder(tmp_path))
    assert ds.reports_read and ds.reconciles()
    assert ds.stats["reports"].to_dict() == {"read": 8, "accepted": 2, "rejected": 6}
    r1, r8 = ds.reports
    # money and dates by the cell rules: "Rp 1.000.000.000", "250.000.000" and 31/03/2028
    assert (r1.id, r1.total_idr, r1.local_umkk_idr, r1.submitted_date) == ("r-1", 1_000_000_000, 250_000_000, dt.date(2028, 3, 31))
    assert (r8.id, r8.kind, r8.total_idr, r8.local_umkk_idr) == ("r-8", "company_annual", None, None)
    got = {(r.row, r.code, r.column) for r in ds.rejected if r.table == "reports"}
    assert got == {
        (3, errors.DUPLICATE_ROW, "kind"),  # h-1, 2027, hotel_purchases again (the code is matched in any case)
        (4, errors.BAD_VALUE, "local_umkk_idr"),  # local part above the total
        (5, errors.UNKNOWN_CODE, "kind"),
        (6, errors.UNKNOWN_REFERENCE, "party_id"),
        (7, errors.REQUIRED_VALUE, "year"),
        (8, errors.BAD_VALUE, "submitted_date"),  # 30 February
    }
    dup = next(r for r in ds.rejected if r.row == 3)
    assert dup.file.endswith("reports.csv") and "repeats an earlier row" in dup.reason and "'h-1'" in dup.reason
    over = next(r for r in ds.rejected if r.row == 4)
    assert "local_umkk_idr 101 exceeds total_idr 100" in over.reason


def test_without_reports_csv_there_is_no_reports_table_and_an_empty_one_is_a_table(tmp_path):
    assert not load_dataset(folder(tmp_path, reports=None)).reports_read
    empty = load_dataset(folder(tmp_path / "b", reports=HEADER))
    assert empty.reports_read and empty.reports == [] and empty.stats["reports"].read == 0


def test_a_workbook_reports_sheet_is_read_like_the_csv(tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, text in (("parties", PARTIES), ("purchases", PURCHASES), ("reports", REPORTS)):
        ws = wb.create_sheet(name)
        for line in text.strip().splitlines():
            ws.append(line.split(","))
    path = tmp_path / "data.xlsx"
    wb.save(path)
    book = load_dataset(path)
    csv_ds = load_dataset(folder(tmp_path))
    assert book.reports_read and [r.id for r in book.reports] == [r.id for r in csv_ds.reports]
    assert [(r.row, r.code) for r in book.rejected] == [(r.row, r.code) for r in csv_ds.rejected]


def test_records_built_in_code_are_checked_like_cells():
    r = AnnualReport("r", party_id="h", year="2027", kind="Company_Annual", total_idr="1.500.000", submitted_date="2028-03-31")
    assert (r.year, r.kind, r.total_idr, r.submitted_date) == (2027, "company_annual", 1_500_000, dt.date(2028, 3, 31))
    with pytest.raises(RecordError) as err:
        AnnualReport("r", party_id="h", year=2027, kind="hotel_purchases", total_idr=10, local_umkk_idr=11)
    assert err.value.field == "local_umkk_idr"
    with pytest.raises(RecordError):
        AnnualReport("r", party_id="h", year=2027, kind="annual")
    with pytest.raises(RecordError):
        AnnualReport("r", party_id="h", kind="hotel_purchases")  # year is required


def test_the_share_is_exact_and_names_the_missing_amount():
    from fractions import Fraction

    from perbup_rules.atoms import Missing

    assert AnnualReport("r", "h", 2027, "hotel_purchases", 3, 1).local_umkk_share == Fraction(1, 3)
    assert AnnualReport("r", "h", 2027, "hotel_purchases", 3).local_umkk_share.path == "local_umkk_idr"
    missing = AnnualReport("r", "h", 2027, "hotel_purchases", None, 1).local_umkk_share
    assert isinstance(missing, Missing) and missing.path == "total_idr"


def test_dataset_build_and_merge_refuse_a_second_report_of_the_same_party_year_and_kind():
    parties = [Party("h", kind="hotel")]
    a = AnnualReport("a", "h", 2027, "hotel_purchases", 10, 1)
    b = AnnualReport("b", "h", 2027, "hotel_purchases", 20, 2)
    c = AnnualReport("c", "h", 2027, "company_annual")
    ds = Dataset.build(parties, reports=[a, b, c])
    assert [r.id for r in ds.reports] == ["a", "c"] and ds.reconciles()
    assert [(r.row, r.code) for r in ds.rejected] == [(2, errors.DUPLICATE_ROW)]
    assert not Dataset.build(parties).reports_read and Dataset.build(parties, reports=[]).reports_read
    merged = merge_datasets([Dataset.build(parties, reports=[a]), Dataset.build(parties, reports=[b])])
    assert [r.id for r in merged.reports] == ["a"] and merged.reports_read and merged.reconciles()
    assert merged.stats["reports"].to_dict() == {"read": 2, "accepted": 1, "rejected": 1}


def test_write_dataset_writes_reports_only_when_the_table_was_given(tmp_path):
    ds = load_dataset(folder(tmp_path))
    out = tmp_path / "out"
    names = [p.name for p in write_dataset(ds, out)]
    assert "reports.csv" in names
    again = load_dataset(out)
    assert [(r.id, r.total_idr, r.submitted_date) for r in again.reports] == [(r.id, r.total_idr, r.submitted_date) for r in ds.reports]
    none = tmp_path / "none"
    assert "reports.csv" not in [p.name for p in write_dataset(load_dataset(folder(tmp_path / "x", reports=None)), none)]
    assert not load_dataset(none).reports_read


# --- odd input ---------------------------------------------------------------------------

_CELLS = st.one_of(
    st.sampled_from(["", " ", "h-1", "pt-1", "nobody", "2027", "2028", "1899", "20x7", "hotel_purchases", "company_annual",
                     "HOTEL_PURCHASES", "lain", "0", "100", "1.000.000", "Rp 5.000", "1,5", "-3", "12,00", "2028-03-31",
                     "31/03/2028", "2028-02-30", "03/31/2028", "\x00", "ya"]),
    st.text(max_size=6),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELLS, min_size=6, max_size=8), max_size=8))
def test_odd_report_rows_are_loaded_or_rejected_never_lost(tmp_path, rows):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER.strip().split(","))
    for i, r in enumerate(rows):
        w.writerow([f"r{i}", *r])
    with tempfile.TemporaryDirectory() as tmp:
        ds = load_dataset(folder(Path(tmp), buf.getvalue()))
    assert ds.reconciles() and ds.reports_read
    s = ds.stats["reports"]
    assert s.accepted == len(ds.reports)
    assert all(r.table == "reports" and r.row >= 2 and r.reason and r.file.endswith("reports.csv")
               for r in ds.rejected if r.table == "reports")
    keys = [(r.party_id, r.year, r.kind) for r in ds.reports]
    assert len(keys) == len(set(keys))
    for r in ds.reports:
        assert r.party_id in ds.parties and r.kind in REPORT_KINDS and isinstance(r.year, int)
        assert r.total_idr is None or r.local_umkk_idr is None or r.local_umkk_idr <= r.total_idr
        assert r.submitted_date is None or isinstance(r.submitted_date, dt.date)


# --- the audit date ----------------------------------------------------------------------

def test_the_default_audit_date_is_the_latest_start_report_or_purchase_date_not_an_end_date():
    ds = Dataset.build(
        [Party("h", kind="hotel"), Party("u", kind="umkm")],
        [Purchase("p", stage="award", date=dt.date(2027, 5, 1))],
        [Partnership("k", "h", "u", start_date=dt.date(2026, 1, 1), end_date=dt.date(2031, 1, 1))],
        reports=[AnnualReport("r", "h", 2027, "hotel_purchases", submitted_date=dt.date(2027, 9, 1))])
    assert default_as_of(ds) == dt.date(2027, 9, 1)
    ds.partnerships = [Partnership("k", "h", "u", start_date=dt.date(2026, 1, 1), reported_date=dt.date(2028, 1, 2))]
    assert default_as_of(ds) == dt.date(2028, 1, 2)
    assert default_as_of(Dataset()) is None


def test_the_report_header_carries_as_of_and_an_explicit_date_wins(tmp_path):
    ds = load_dataset(folder(tmp_path))
    report = pr.evaluate(KUTIM, ds, "reference")
    assert report.to_dict()["as_of"] == "2028-05-02"  # r-8's submission, the latest date
    early = pr.evaluate(KUTIM, ds, "reference", as_of=dt.date(2028, 3, 1))
    assert early.as_of == "2028-03-01"
    h2 = [f for f in early.findings if f.clause == "KMT-15.4" and f.subject == "h-2"]
    assert [(f.status.value, f.exception) for f in h2] == [("not_applicable", "not_yet_due")]
    late = [f for f in report.findings if f.clause == "KMT-15.4" and f.subject == "h-2"]
    assert [f.status.value for f in late] == ["violation"]
    assert "2028-03-01" in early.to_markdown() and "2028-03-01" in early.to_html()


def test_cli_as_of_and_import_summary(tmp_path):
    src = folder(tmp_path)
    out = tmp_path / "report.json"
    res = CliRunner().invoke(main, ["audit", "--data", str(src), "--as-of", "2028-03-01", "--format", "json", "-q", "-o", str(out)])
    assert res.exit_code in (0, 1), res.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["as_of"] == "2028-03-01" and data["input"]["reports"] == {"read": 8, "accepted": 2, "rejected": 6}
    res = CliRunner().invoke(main, ["import", str(src), "-o", str(tmp_path / "imp")])
    assert "reports" in res.output and (tmp_path / "imp" / "reports.csv").exists()
    res = CliRunner().invoke(main, ["import", str(folder(tmp_path / "n", reports=None)), "-o", str(tmp_path / "imp2")])
    assert "reports " not in res.output and not (tmp_path / "imp2" / "reports.csv").exists()


# --- bulk parity -------------------------------------------------------------------------

def _same(a: pr.Report, b: pr.Report) -> None:
    da, db = a.to_dict(), b.to_dict()
    da.pop("engine"), db.pop("engine")
    for key in da:
        assert da[key] == db[key], key


@pytest.mark.parametrize("kw", [{}, {"as_of": dt.date(2028, 3, 1)}, {"as_if_in_force": True}, {"periods": [2026, 2027]}])
def test_bulk_gives_the_per_record_report_with_reports(tmp_path, kw):
    src = folder(tmp_path)
    per_record = as_counted(pr.evaluate(KUTIM, pr.load_dataset(src), "reference", **kw))
    bulk = audit(KUTIM, src, "reference", **kw)
    _same(per_record, bulk)
    assert {f.clause for f in bulk.findings} >= {"KMT-15.3", "KMT-15.4", "KMT-18"}


def test_bulk_without_reports_says_not_evaluated_like_the_per_record_path(tmp_path):
    src = folder(tmp_path, reports=None)
    bulk = audit(KUTIM, src, "reference")
    _same(as_counted(pr.evaluate(KUTIM, pr.load_dataset(src), "reference")), bulk)
    named = {d["clause"]: d for d in bulk.not_evaluated}
    assert {"KMT-15.3", "KMT-15.4", "KMT-18"} <= set(named)
    assert named["KMT-15.4"]["reason"] == "no reports table (reports.csv) in the input"
    assert not [f for f in bulk.findings if f.clause in ("KMT-15.3", "KMT-15.4", "KMT-18")]


def test_the_example_audit_shows_the_report_clauses_for_2027():
    report = pr.evaluate(KUTIM, pr.load_dataset(pr.EXAMPLE_DATA), "reference")
    by = {(f.clause, f.subject): f.status.value for f in report.findings if f.period == 2027}
    assert by[("KMT-15.3", "hotel-teluk-lingga")] == "violation"
    assert by[("KMT-15.3", "hotel-royal-kudungga")] == "compliant"  # exactly 20%
    assert by[("KMT-15.4", "hotel-swarga-inn")] == "violation"  # late
    assert by[("KMT-15.4", "hotel-grand-sangatta")] == "violation"  # missing
    assert by[("KMT-18", "pt-medika-kaltim")] == "compliant"
    assert by[("KMT-18", "pt-sangatta-bangun")] == "violation"  # late
    assert ("KMT-15.3", "resto-sari-laut") not in by  # a UMKK restaurant is not a subject
