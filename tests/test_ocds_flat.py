"""Flattened OCDS (Flatten Tool's JSON-pointer headings, and '_'/'.'-joined ones) reads as the JSON does.

The flattened files are made here from the real UK Contracts Finder release
package (../shared/data/real), so the comparison covers what real releases hold:
several suppliers, non-rupiah currencies, extension fields, sparse arrays.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from perbup_rules import errors
from perbup_rules.errors import DataError
from perbup_rules.importers import load
from perbup_rules.importers.detect import detect_kind
from perbup_rules.importers.ocds_flat import import_ocds_flat

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "ocds_uk_contractsfinder_2025_releases_290.json"

pytestmark = pytest.mark.skipif(not REAL.is_file(), reason="shared real data not present")


def flatten(obj, prefix: str = "") -> dict[str, object]:
    """Flatten Tool's layout: JSON pointers, arrays of strings joined with ';'."""
    out: dict[str, object] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}/{k}" if prefix else k))
    elif isinstance(obj, list):
        if all(isinstance(x, str) for x in obj):
            out[prefix] = ";".join(obj)
        else:
            for i, v in enumerate(obj):
                out.update(flatten(v, f"{prefix}/{i}"))
    else:
        out[prefix] = obj
    return out


def releases() -> list[dict]:
    return json.loads(REAL.read_text(encoding="utf-8"), parse_float=Decimal)["releases"]


def write_flat(path: Path, sep: str = "/", delimiter: str = ",") -> Path:
    rows = [flatten(r) for r in releases()]
    headings: list[str] = []
    for r in rows:
        for k in r:
            if k not in headings:
                headings.append(k)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow([h.replace("/", sep) for h in headings])
        for r in rows:
            w.writerow(["" if r.get(h) is None else str(r[h]) for h in headings])
    return path


def comparable(ds):
    purchases = sorted(ds.purchases, key=lambda p: p.id)
    rejected = sorted((r.row, r.code, r.column, r.record_id) for r in ds.rejected)
    return purchases, ds.parties, rejected, {t: s.to_dict() for t, s in ds.stats.items()}


@pytest.fixture(scope="module")
def from_json():
    ds = load(REAL, "ocds")
    purchases, parties, rejected, stats = comparable(ds)
    # JSON rows are release positions; a spreadsheet's header is row 1
    return purchases, parties, sorted((row + 1, *rest) for row, *rest in rejected), stats


@pytest.mark.parametrize("sep, delimiter", [("/", ","), ("_", ","), (".", ";")])
def test_flattened_csv_reads_like_the_json(tmp_path, from_json, sep, delimiter):
    path = write_flat(tmp_path / "releases.csv", sep, delimiter)
    assert detect_kind(path) == "ocds-flat"
    ds = load(path)
    assert ds.reconciles()
    got = comparable(ds)
    assert got == from_json
    assert len(got[0]) > 100  # the comparison is over real awards and contracts, not an empty set


def test_flattened_workbook_reads_like_the_json(tmp_path, from_json):
    openpyxl = pytest.importorskip("openpyxl")
    src = write_flat(tmp_path / "r.csv")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "main"
    with open(src, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.reader(fh)):
            # numbers as spreadsheet numbers, as Flatten Tool writes them to xlsx
            ws.append([_num(c) if i and c else (c or None) for c in row])
    path = tmp_path / "releases.xlsx"
    wb.save(path)
    assert detect_kind(path) == "ocds-flat"
    got = comparable(import_ocds_flat(path))
    assert got[0] == from_json[0] and got[2] == from_json[2] and got[3] == from_json[3]


def _num(cell: str):
    try:
        d = Decimal(cell)
    except ArithmeticError:
        return cell
    if not cell.replace(".", "", 1).isdigit() or (len(cell) > 1 and cell[0] == "0" and cell[1] != "."):
        return cell  # ids with leading zeros, postcodes and the like stay text
    return int(d) if d == d.to_integral_value() and "." not in cell else float(cell)


def test_sub_sheets_of_a_workbook_join_their_release_by_ocid_and_id(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    main = wb.active
    main.title = "main"
    main.append(["ocid", "id", "date", "buyer/id", "parties/0/id", "parties/0/name", "parties/0/roles"])
    main.append(["ocds-x-1", "r1", "2025-02-01", "b", "b", "Dinas PU", "buyer"])
    awards = wb.create_sheet("awards")
    awards.append(["ocid", "id", "awards/0/id", "awards/0/value/amount", "awards/0/value/currency", "awards/0/suppliers/0/id"])
    awards.append(["ocds-x-1", "r1", "a1", 1500000, "IDR", "s"])
    awards.append(["ocds-x-1", "r1", "a2", "2.500.000", "IDR", "s"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    ds = load(path)
    values = {p.id: (p.value_idr, p.buyer_id, p.supplier_id) for p in ds.purchases}
    assert values == {"ocds:ocds-x-1:a1": (1500000, "ocds:ocds-x-1/b", "ocds:ocds-x-1/s"),
                      "ocds:ocds-x-1:a2": (2500000, "ocds:ocds-x-1/b", "ocds:ocds-x-1/s")}
    assert ds.parties["ocds:ocds-x-1/b"].kind == "perangkat_daerah"


def test_amounts_follow_the_files_number_convention(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "ocid;awards_0_id;awards_0_value_amount;awards_0_value_currency\n"
        "o-1;a;250.000;IDR\n"
        "o-2;a;1.500.000,00;IDR\n"
        "o-3;a;Rp 2.500.000;IDR\n", encoding="utf-8")
    ds = load(path)
    assert sorted(p.value_idr for p in ds.purchases) == [250_000, 1_500_000, 2_500_000]
    assert "Indonesian" in dict(ds.sources[0].numbers)["value.amount"]
    path.write_text("ocid,awards.0.id,awards.0.value.amount\no-1,a,250.000\no-2,a,1500000\n", encoding="utf-8")
    ds = load(path)
    assert [(r.row, r.column) for r in ds.rejected] == [(2, "value")]
    assert "ambiguous" in ds.rejected[0].reason


def test_headings_that_do_not_settle_the_mapping_are_refused_and_listed(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("ocid,awards_0_id,awards_0_value_amout,tender_suitability_sme\no-1,a,5,true\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        import_ocds_flat(path)
    (d,) = info.value.diagnostics
    assert d.code == errors.MISSING_COLUMN and "'awards_0_value_amout'" in d.message
    assert "tender_suitability_sme" not in d.message  # an extension field the mapping does not read is ignored
    path.write_text("ocid,award_identifier,amount\no-1,a,5\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        import_ocds_flat(path)
    (d,) = info.value.diagnostics
    assert "awards or contracts 'id'" in d.message and "'award_identifier'" in d.message


def test_rows_without_an_index_and_gaps_in_arrays(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "ocid,awards/id,awards/value/amount,awards/value/currency,awards/suppliers/id,awards/suppliers/name,contracts/1/id,contracts/1/awardID\n"
        "o-1,a,100,IDR,s,Toko A,k,a\n", encoding="utf-8")
    ds = load(path, "ocds-flat")
    got = {p.id: (p.stage, p.value_idr, p.supplier_id) for p in ds.purchases}
    assert got == {"ocds:o-1:a": ("award", 100, "ocds:o-1/s"), "ocds:o-1:k": ("contract", None, "ocds:o-1/s")}
    assert ds.reconciles() and not ds.rejected


def test_a_pointer_heading_with_a_wrong_name_is_listed_when_keys_are_missing(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("ocid,award/0/id,award/0/value/amount\no-1,a,5\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        import_ocds_flat(path)
    (d,) = info.value.diagnostics
    assert "'award/0/id'" in d.message and "'award/0/value/amount'" in d.message


def test_flatten_tool_csv_folder_joins_sub_sheets(tmp_path):
    folder = tmp_path / "flat"
    folder.mkdir()
    (folder / "main.csv").write_text("ocid,id,buyer/id,parties/0/id,parties/0/roles\no-1,r1,b,b,buyer;procuringEntity\n", encoding="utf-8")
    (folder / "awards.csv").write_text(
        "ocid,id,awards/0/id,awards/0/value/amount,awards/0/value/currency\no-1,r1,a1,1.500.000,IDR\no-1,r1,a2,250.000,IDR\n",
        encoding="utf-8")
    assert detect_kind(folder) == "ocds-flat"
    ds = load(folder)
    assert sorted((p.id, p.value_idr, p.buyer_id) for p in ds.purchases) == [
        ("ocds:o-1:a1", 1_500_000, "ocds:o-1/b"), ("ocds:o-1:a2", 250_000, "ocds:o-1/b")]
    assert ds.parties["ocds:o-1/b"].kind == "perangkat_daerah" and ds.reconciles()
