"""The canonical dataset loader: folders and workbooks, rejected rows, whole-file errors, round trips."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perbup_rules import errors
from perbup_rules.errors import DataError, PerbupError
from perbup_rules.importers import load_dataset, write_dataset
from perbup_rules.importers.columns import PARSERS, REQUIRED
from perbup_rules.records import (
    CHANNELS,
    COLUMNS,
    DESA_REASON_CODES,
    EXEMPTION_CODES,
    LEGAL_FORMS,
    PARTY_KINDS,
    PATTERNS,
    PROCUREMENT_TYPES,
    SCALES,
    STAGES,
    Dataset,
    Partnership,
    Party,
    Purchase,
)

PARTIES = """id,name,kind,legal_form,capital_idr,annual_sales_idr,scale,kecamatan,desa,kabupaten,supplies,star_rating
pd-1,Dinas A,perangkat_daerah,,,,,Sangatta Utara,,Kutai Timur,,
u-1,CV Maju,UMKM,CV,1.500.000.000,,Kecil,Bengalon,Sepaso,Kutai Timur,atk; makanan,
h-1,Hotel B,hotel,pt,,,,Sangatta Utara,,Kutai Timur,,3
"""

PURCHASES = """id,stage,buyer_id,ppk_id,supplier_id,category,procurement_type,method,value_idr,umk_value_idr,reserved_for_umkk,exemption_reason,date,currency
a-1,award,pd-1,ppk-1,u-1,ATK,barang,pengadaan_langsung,Rp 1.500.000,,,,31/03/2025,
p-1,plan,pd-1,ppk-1,,makanan,Barang,,2500000,,ya,,2025-01-15,
"""

PARTNERSHIPS = """id,party_id,partner_id,pattern,categories,start_date,end_date,written,reported_to_dinas,purchase_id
k-1,h-1,u-1,Rantai_Pasok,makanan,2025-01-01,,true,tidak,
"""


def folder(tmp_path: Path, parties: str = PARTIES, purchases: str = PURCHASES, partnerships: str | None = PARTNERSHIPS, encoding: str = "utf-8") -> Path:
    d = tmp_path / "ds"
    d.mkdir(exist_ok=True)
    (d / "parties.csv").write_bytes(parties.encode(encoding))
    (d / "purchases.csv").write_bytes(purchases.encode(encoding))
    if partnerships is not None:
        (d / "partnerships.csv").write_bytes(partnerships.encode(encoding))
    return d


def only_diagnostic(err: DataError):
    assert len(err.diagnostics) == 1, err
    return err.diagnostics[0]


def test_every_contract_column_has_a_parser():
    for table, columns in COLUMNS.items():
        assert tuple(PARSERS[table]) == columns
        assert REQUIRED[table] <= set(columns)


def test_loads_a_folder_with_every_cell_type(tmp_path):
    ds = load_dataset(folder(tmp_path))
    assert ds.rejected == [] and ds.reconciles()
    u = ds.parties["u-1"]
    assert (u.kind, u.legal_form, u.capital_idr, u.scale, u.supplies, u.desa) == ("umkm", "cv", 1_500_000_000, "kecil", ("atk", "makanan"), "Sepaso")
    assert ds.parties["h-1"].star_rating == 3
    a, p = ds.purchases
    assert (a.category, a.value_idr, a.date, a.currency, a.reserved_for_umkk) == ("atk", 1_500_000, dt.date(2025, 3, 31), "IDR", None)
    assert (p.procurement_type, p.reserved_for_umkk, p.supplier_id) == ("barang", True, None)
    k = ds.partnerships[0]
    assert (k.pattern, k.written, k.reported_to_dinas, k.end_date, k.categories) == ("rantai_pasok", True, False, None, ("makanan",))
    assert {t: s.to_dict() for t, s in ds.stats.items()} == {
        "parties": {"read": 3, "accepted": 3, "rejected": 0},
        "purchases": {"read": 2, "accepted": 2, "rejected": 0},
        "partnerships": {"read": 1, "accepted": 1, "rejected": 0},
        "reports": {"read": 0, "accepted": 0, "rejected": 0},
    }


def test_sources_record_each_file_with_its_sha256(tmp_path):
    d = folder(tmp_path)
    ds = load_dataset(d)
    assert [Path(s.path).name for s in ds.sources] == ["parties.csv", "purchases.csv", "partnerships.csv"]
    for s in ds.sources:
        assert s.sha256 == hashlib.sha256(Path(s.path).read_bytes()).hexdigest()
        assert s.kind == "canonical"


def test_partnerships_file_is_optional(tmp_path):
    ds = load_dataset(folder(tmp_path, partnerships=None))
    assert ds.partnerships == [] and ds.stats["partnerships"].read == 0


def test_missing_parties_file_is_a_data_error(tmp_path):
    d = folder(tmp_path)
    (d / "parties.csv").unlink()
    with pytest.raises(DataError) as info:
        load_dataset(d)
    assert only_diagnostic(info.value).code == errors.UNREADABLE_INPUT


def test_nonexistent_path_and_wrong_file_type(tmp_path):
    with pytest.raises(DataError):
        load_dataset(tmp_path / "nope")
    (tmp_path / "x.csv").write_text("id\n")
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path / "x.csv")
    assert "folder" in str(info.value)


# --- bad rows are rejected, the rest loads -------------------------------------------


def test_bad_rows_are_rejected_with_file_row_column_code(tmp_path):
    purchases = PURCHASES + (
        "b-1,award,pd-1,,u-1,atk,jasa_kebersihan,,100,,,,2025-02-01,\n"  # row 4: unknown code
        "b-2,award,pd-1,,u-1,atk,barang,,-100,,,,2025-02-01,\n"  # row 5: negative
        "b-3,,pd-1,,u-1,atk,barang,,100,,,,2025-02-01,\n"  # row 6: stage required
        "b-4,award,pd-1,,nobody,atk,barang,,100,,,,2025-02-01,\n"  # row 7: dangling reference
        "a-1,award,pd-1,,u-1,atk,barang,,100,,,,2025-02-01,\n"  # row 8: repeats row 2
        "b-5,award,pd-1,,u-1,atk,barang,,1.500.00,,,,2025-02-30,\n"  # row 9: two bad cells (1.500 alone would be read: Rp 1.500.000 settles the column)
        "b-6,award,pd-1,,u-1,atk,barang,,100,200,,,2025-02-01,\n"  # row 10: UMK part above value
    )
    d = folder(tmp_path, purchases=purchases)
    ds = load_dataset(d)
    got = {r.row: (r.code, r.column, r.record_id) for r in ds.rejected}
    assert got == {
        4: (errors.UNKNOWN_CODE, "procurement_type", "b-1"),
        5: (errors.NEGATIVE_VALUE, "value_idr", "b-2"),
        6: (errors.REQUIRED_VALUE, "stage", "b-3"),
        7: (errors.UNKNOWN_REFERENCE, "supplier_id", "b-4"),
        8: (errors.DUPLICATE_ROW, "id", "a-1"),
        9: (errors.BAD_VALUE, "value_idr", "b-5"),
        10: (errors.BAD_VALUE, "umk_value_idr", "b-6"),
    }
    row9 = next(r for r in ds.rejected if r.row == 9)
    assert "rupiah amount" in row9.reason and "date" in row9.reason  # every problem of the row is reported
    assert all(r.file == str(d / "purchases.csv") and r.table == "purchases" for r in ds.rejected)
    assert [p.id for p in ds.purchases] == ["a-1", "p-1"]
    assert ds.stats["purchases"].to_dict() == {"read": 9, "accepted": 2, "rejected": 7}
    assert ds.purchases[0].value_idr == 1_500_000  # the first a-1 is kept


def test_reference_to_a_rejected_party_says_so(tmp_path):
    parties = PARTIES + "u-2,UD X,umkm,,,,sedang,,,,,\n"
    purchases = PURCHASES + "b-1,award,pd-1,,u-2,atk,barang,,100,,,,2025-02-01,\n"
    partnerships = PARTNERSHIPS + "k-2,h-1,u-2,subkontrak,,,,true,true,\n"
    ds = load_dataset(folder(tmp_path, parties, purchases, partnerships))
    reasons = {(r.table, r.code): r.reason for r in ds.rejected}
    assert (("parties", errors.UNKNOWN_CODE)) in reasons
    assert "rejected (parties row 5)" in reasons[("purchases", errors.UNKNOWN_REFERENCE)]
    assert "rejected" in reasons[("partnerships", errors.UNKNOWN_REFERENCE)]
    assert ds.reconciles()


def test_duplicate_party_keeps_the_first(tmp_path):
    ds = load_dataset(folder(tmp_path, parties=PARTIES + "u-1,Other,umkm,,,,,,,,,\n"))
    assert ds.parties["u-1"].name == "CV Maju"
    (r,) = ds.rejected
    assert (r.code, r.row) == (errors.DUPLICATE_ROW, 5) and "row 3" in r.reason


def test_partnership_dates_reversed(tmp_path):
    p = PARTNERSHIPS + "k-2,h-1,u-1,subkontrak,,2025-06-01,2025-01-01,true,true,\n"
    (r,) = load_dataset(folder(tmp_path, partnerships=p)).rejected
    assert (r.code, r.column) == (errors.BAD_VALUE, "end_date")


def test_row_numbers_count_records_not_lines_and_blank_rows(tmp_path):
    purchases = (
        "id,stage,buyer_id,exemption_reason,value_idr\n"
        'x-1,plan,pd-1,"line one\nline two\nline three",5\n'  # row 2 spans three lines
        "\n"  # row 3: blank, skipped but numbered
        ",,,,\n"  # row 4: blank too
        "x-2,plan,pd-1,,oops\n"  # row 5
    )
    ds = load_dataset(folder(tmp_path, purchases=purchases))
    assert ds.purchases[0].exemption_reason == "line one\nline two\nline three"
    (r,) = ds.rejected
    assert r.row == 5
    assert ds.stats["purchases"].read == 2


def test_extra_columns_are_kept_when_filled(tmp_path):
    purchases = "id,stage,nama_paket,Catatan\nx-1,plan,Belanja ATK,\nx-2,plan,,penting\n"
    ds = load_dataset(folder(tmp_path, purchases=purchases))
    assert ds.purchases[0].extra == (("nama_paket", "Belanja ATK"),)
    assert ds.purchases[1].extra == (("Catatan", "penting"),)


def test_row_with_more_cells_than_the_header(tmp_path):
    purchases = "id,stage\nx-1,plan,,\nx-2,plan,surplus\n"
    ds = load_dataset(folder(tmp_path, purchases=purchases))
    assert [p.id for p in ds.purchases] == ["x-1"]  # empty surplus cells are harmless
    assert ds.rejected[0].row == 3 and ds.rejected[0].code == errors.BAD_VALUE


def test_headers_are_matched_case_insensitively(tmp_path):
    ds = load_dataset(folder(tmp_path, purchases=" ID , Stage ,Value_IDR\nx,PLAN,5\n"))
    assert ds.purchases[0].stage == "plan" and ds.purchases[0].value_idr == 5


# --- whole-file errors ---------------------------------------------------------------


def test_missing_required_column_is_a_data_error_listing_all(tmp_path):
    with pytest.raises(DataError) as info:
        load_dataset(folder(tmp_path, parties="name,kind\nA,desa\n", purchases="id,buyer_id\nx,pd\n"))
    codes = {(Path(d.location.file).name, d.code) for d in info.value.diagnostics}
    assert codes == {("parties.csv", errors.MISSING_COLUMN), ("purchases.csv", errors.MISSING_COLUMN)}
    assert all(d.location.line == 1 for d in info.value.diagnostics)


def test_misspelled_optional_column_is_caught_with_a_hint(tmp_path):
    with pytest.raises(DataError) as info:
        load_dataset(folder(tmp_path, purchases="id,stage,valeu_idr\nx,plan,5\n"))
    d = only_diagnostic(info.value)
    assert d.code == errors.MISSING_COLUMN and "value_idr" in d.message and "valeu_idr" in d.hint


def test_duplicate_header_and_empty_file(tmp_path):
    with pytest.raises(DataError) as info:
        load_dataset(folder(tmp_path, purchases="id,stage,stage\nx,plan,plan\n"))
    assert "twice" in str(info.value)
    with pytest.raises(DataError) as info:
        load_dataset(folder(tmp_path, purchases=""))
    assert only_diagnostic(info.value).code == errors.MISSING_COLUMN


def test_utf8_bom_is_accepted(tmp_path):
    d = folder(tmp_path)
    (d / "purchases.csv").write_bytes(b"\xef\xbb\xbf" + PURCHASES.encode())
    assert len(load_dataset(d).purchases) == 2


def test_semicolon_separated_csv_from_excel(tmp_path):
    text = "id;stage;value_idr;category\nx-1;plan;1.500.000,00;atk\n"
    ds = load_dataset(folder(tmp_path, purchases=text))
    assert ds.purchases[0].value_idr == 1_500_000


def test_latin1_file_is_refused_with_the_line(tmp_path):
    parties = PARTIES + "u-9,Caf\u00e9 Sangatta,umkm,,,,,,,,,\n"
    d = folder(tmp_path, parties=parties, encoding="latin-1")
    with pytest.raises(DataError) as info:
        load_dataset(d)
    diag = only_diagnostic(info.value)
    assert diag.code == errors.UNREADABLE_INPUT and diag.location.line == 5 and "0xE9" in diag.message


def test_utf16_file_is_refused(tmp_path):
    d = folder(tmp_path)
    (d / "purchases.csv").write_bytes(PURCHASES.encode("utf-16"))
    with pytest.raises(DataError) as info:
        load_dataset(d)
    assert "UTF-16" in str(info.value)


def test_nul_in_a_cell_rejects_that_row_only(tmp_path):
    ds = load_dataset(folder(tmp_path, purchases="id,stage,method\nx-1,plan,ok\nx-2,plan,a\x00b\n"))
    assert [p.id for p in ds.purchases] == ["x-1"]
    assert ds.rejected[0].row == 3 and "NUL" in ds.rejected[0].reason


# --- workbooks --------------------------------------------------------------------------


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_workbook_with_native_cells(tmp_path):
    path = workbook(
        tmp_path / "data.xlsx",
        {
            "Parties": [["id", "name", "kind", "capital_idr"], [101, "Dinas", "perangkat_daerah", None], ["u", "CV", "umkm", 750000000.0]],
            "purchases": [
                ["id", "stage", "buyer_id", "supplier_id", "value_idr", "date", "reserved_for_umkk"],
                ["x-1", "plan", 101, None, 1500000.5, dt.datetime(2025, 2, 3), True],
                [None, None, None, None, None, None, None],
                ["x-2", "award", "101", "u", "-5", "2025-02-03", None],
            ],
        },
    )
    ds = load_dataset(path)
    assert set(ds.parties) == {"101", "u"} and ds.parties["u"].capital_idr == 750_000_000
    (x1,) = ds.purchases
    assert (x1.buyer_id, x1.value_idr, x1.date, x1.reserved_for_umkk) == ("101", Decimal("1500000.5"), dt.date(2025, 2, 3), True)
    (r,) = ds.rejected
    assert (r.row, r.code, r.file) == (4, errors.NEGATIVE_VALUE, f"{path}[purchases]")
    assert ds.sources[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_workbook_without_purchases_sheet(tmp_path):
    path = workbook(tmp_path / "d.xlsx", {"parties": [["id"], ["a"]]})
    with pytest.raises(DataError) as info:
        load_dataset(path)
    assert "purchases" in str(info.value)


def test_damaged_workbook_is_a_data_error(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(PerbupError):
        load_dataset(path)


# --- write_dataset round trip ------------------------------------------------------------


def test_write_then_load_gives_the_same_records(tmp_path):
    parties = [
        Party("pd", "Dinas; Satu", "perangkat_daerah", kabupaten="Kutai Timur"),
        Party("u", "CV \"Maju\"\nBaris", "umkm", "cv", Decimal("1000.125"), 2 * 10**9, "kecil", supplies=("atk", "makanan"), extra=(("nib", "123"),)),
        Party("h", "Hotel", "hotel", star_rating=4),
    ]
    purchases = [
        Purchase("x", "award", "pd", "ppk", "u", "atk", "barang", "tender", Decimal("0.5"), 0, True, "alasan", dt.date(2026, 1, 2)),
        Purchase("y", "plan", "pd", value_idr=Decimal("999.001"), currency="GBP"),
    ]
    partnerships = [Partnership("k", "h", "u", "subkontrak", ("makanan", "laundry"), dt.date(2025, 1, 1), None, True, False, "x")]
    ds = Dataset.build(parties, purchases, partnerships)
    written = write_dataset(ds, tmp_path / "out")
    assert [p.name for p in written] == ["parties.csv", "purchases.csv", "partnerships.csv"]
    back = load_dataset(tmp_path / "out")
    assert back.rejected == []
    assert list(back.parties.values()) == parties
    assert back.purchases == purchases
    assert back.partnerships == partnerships
    header = (tmp_path / "out" / "parties.csv").read_text().splitlines()[0].split(",")
    assert tuple(header[: len(COLUMNS["parties"])]) == COLUMNS["parties"] and header[-1] == "nib"


# --- property: anything write_dataset writes, load_dataset reads back equal ------------------

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00") | st.sampled_from(["\n", ";", ",", '"', "'"]), min_size=1, max_size=15).map(str.strip).filter(bool)
token = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
money = st.one_of(st.integers(0, 10**18 - 1), st.decimals(min_value=0, max_value=10**12, places=4, allow_nan=False, allow_infinity=False).map(lambda d: d if d != d.to_integral_value() else int(d)))
opt = lambda s: st.none() | s  # noqa: E731
rup_code = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,12}", fullmatch=True)


@st.composite
def datasets(draw):
    pids = draw(st.lists(token, min_size=1, max_size=5, unique=True))
    parties = [
        Party(pid, draw(opt(text)), draw(opt(st.sampled_from(PARTY_KINDS))), draw(opt(st.sampled_from(LEGAL_FORMS))), draw(opt(money)), draw(opt(money)),
              draw(opt(st.sampled_from(SCALES))), draw(opt(text)), draw(opt(text)), draw(opt(text)), tuple(draw(st.lists(token, max_size=3))),
              draw(opt(st.integers(1, 5))), draw(opt(st.booleans())), draw(opt(text)), draw(opt(text)), draw(opt(text)),
              extra=tuple((f"x_{k}", v) for k, v in enumerate(draw(st.lists(text, max_size=2)))))
        for pid in pids
    ]
    ref = opt(st.sampled_from(pids))
    purchases = [
        Purchase(f"b{i}", draw(st.sampled_from(STAGES)), draw(ref), draw(opt(text)), draw(ref), draw(opt(token)), draw(opt(st.sampled_from(PROCUREMENT_TYPES))),
                 draw(opt(token)), v, draw(opt(st.just(v) if v is not None else st.none())), draw(opt(st.booleans())), draw(opt(text)), draw(opt(st.dates())),
                 draw(st.sampled_from(["IDR", "GBP"])), draw(opt(money)), draw(opt(st.integers(1900, 2200))),
                 draw(opt(st.sampled_from(CHANNELS))), draw(opt(money)), draw(opt(st.booleans())), draw(opt(st.sampled_from(EXEMPTION_CODES))),
                 tuple(draw(st.lists(st.sampled_from(DESA_REASON_CODES), max_size=2))), tuple(draw(st.lists(rup_code, max_size=3))),
                 draw(opt(rup_code)), draw(opt(rup_code)), draw(opt(rup_code)))
        for i, v in enumerate(draw(st.lists(opt(money), max_size=5)))
    ]
    partnerships = [
        Partnership(f"k{i}", draw(st.sampled_from(pids)), draw(st.sampled_from(pids)), draw(opt(st.sampled_from(PATTERNS))), tuple(draw(st.lists(token, max_size=2))),
                    d, d, draw(opt(st.booleans())), draw(opt(st.booleans())), draw(opt(text)), draw(opt(st.dates())))
        for i, d in enumerate(draw(st.lists(opt(st.dates()), max_size=3)))
    ]
    return parties, purchases, partnerships


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(datasets())
def test_round_trip_property(tmp_path, data):
    parties, purchases, partnerships = data
    ds = Dataset.build(parties, purchases, partnerships)
    out = tmp_path / "rt"
    write_dataset(ds, out)
    back = load_dataset(out)
    assert back.rejected == []
    assert list(back.parties.values()) == parties
    assert back.purchases == purchases
    assert back.partnerships == partnerships


def test_a_folder_where_a_file_should_be_is_a_data_error(tmp_path):
    from perbup_rules.importers import load

    (tmp_path / "x.csv").mkdir()
    with pytest.raises(DataError):
        load(tmp_path / "x.csv", "sirup-rup")
