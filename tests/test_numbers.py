"""Numbers as Indonesians write them: every importer reads a money and date column as the canonical loader does.

One hypothesis-drawn column of cells (plain, dot-grouped, ambiguous ``250.000``,
decimal commas, decimal points, Rp prefixes, junk) is written into each source
shape: canonical CSV, canonical xlsx, the bulk loader, SiRUP CSV (``;``-separated,
as Excel writes it in an Indonesian locale) and ISB JSON, SPSE CSV, OCDS JSON and
flattened OCDS. Each must give, row by row, the canonical loader's value or a
located refusal of that row: never a different value.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perbup_rules import errors
from perbup_rules.importers import cells, load, load_dataset
from perbup_rules.importers.cells import CellError

_SETTINGS = settings(max_examples=25 * int(os.environ.get("PERBUP_FUZZ_SCALE", "1")), deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

_digits = st.integers(0, 10**12)


def _grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


#: Money cells as people and machines write them, valid or not.
MONEY = st.one_of(
    _digits.map(str),
    _digits.map(_grouped),
    st.integers(1, 999).map(lambda n: f"{n}.{n % 1000:03d}"),  # 250.000: ambiguous alone
    st.tuples(_digits, st.integers(0, 99)).map(lambda t: f"{_grouped(t[0])},{t[1]:02d}"),
    st.tuples(_digits, st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]:02d}"),
    st.tuples(st.integers(0, 999), st.integers(0, 999)).map(lambda t: f"{t[0]},{t[1]:03d}"),  # 1,500: ambiguous
    _digits.map(lambda n: f"Rp {_grouped(n)}"),
    st.sampled_from(["", "abc", "-5", "1.2.3", "1,5", "Rp", " 42 ", "0"]),
)

DATES = st.one_of(
    st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)).map(lambda d: d.isoformat()),
    st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)).map(lambda d: f"{d.day:02d}/{d.month:02d}/2025"),
    st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)).map(lambda d: f"{d.isoformat()} 10:00:00"),
    st.sampled_from(["2025-02-30", "31-03-2025", "soon", ""]),
)

COLUMNS = st.lists(st.tuples(MONEY, DATES), min_size=1, max_size=8)


def _write(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def _canonical(folder: Path, column: list[tuple[str, str]]) -> Path:
    folder.mkdir()
    _write(folder / "parties.csv", ["id", "name"], [["pd", "Dinas"]])
    _write(folder / "purchases.csv", ["id", "stage", "buyer_id", "value_idr", "date"],
           [[f"p{i}", "award", "pd", m, d] for i, (m, d) in enumerate(column)])
    return folder


def _by_row(ds, id_of_row) -> tuple[dict[int, object], dict[int, set[str | None]]]:
    """row -> value_idr of accepted rows, row -> rejected columns (money reading only)."""
    values = {id_of_row(p): p for p in ds.purchases}
    rejected: dict[int, set[str | None]] = {}
    for r in ds.rejected:
        rejected.setdefault(r.row, set()).add(r.column)
    return values, rejected


def _truth(tmp: Path, column):
    ds = load_dataset(_canonical(tmp / "canonical", column))
    values, rejected = _by_row(ds, lambda p: int(p.id[1:]) + 2)
    conv = dict(ds.sources[1].numbers)["value_idr"] if "purchases" in ds.sources[1].path else None
    return values, rejected, conv


def _compare(name: str, column, truth, got_values, got_rejected, zero_is_unknown: bool = False) -> None:
    values, rejected, _conv = truth
    for i, (money, _date) in enumerate(column):
        row = i + 2
        if row in rejected:
            if "value_idr" in rejected[row]:
                assert row not in got_values, (name, money)  # refused by the canonical parser: refused here too
            continue
        want = values[row].value_idr
        if zero_is_unknown and want == 0:
            want = None
        if row in got_values:
            assert got_values[row] == want, (name, money, got_values[row], want)
        else:
            # only a reason unrelated to this column's reading may refuse what canonical reads
            assert want is None or row in got_rejected, (name, money)


@_SETTINGS
@given(column=COLUMNS)
def test_every_importer_reads_money_like_the_canonical_parser(tmp_path_factory, column):
    tmp = tmp_path_factory.mktemp("n")
    truth = _truth(tmp, [(m, "") for m, _d in column])  # dates are another test's business
    n = len(column)

    # SiRUP CSV, ';'-separated as Excel writes it in an Indonesian locale
    header = ["kd_rup", "kd_satker", "tahun_anggaran", "pagu", "jenis_pengadaan", "nama_klpd"]
    rows = [[str(i), "1", "2025", m, "Barang", "Kab. Kutai Timur"] for i, (m, _d) in enumerate(column)]
    ds = load(_write(tmp / "rup.csv", header, rows, ";"), "sirup-rup")
    assert ds.reconciles()
    got = {int(p.id[4:]) + 2: p.value_idr for p in ds.purchases}
    _compare("sirup csv", column, truth, got, {r.row for r in ds.rejected})
    conv_csv = dict(ds.sources[0].numbers)["pagu"]

    # the same as ISB JSON (text cells)
    path = tmp / "rup.json"
    path.write_text(json.dumps([dict(zip(header, r)) for r in rows]), encoding="utf-8")
    ds = load(path, "sirup-rup")
    got = {int(p.id[4:]) + 2: p.value_idr for p in ds.purchases}
    _compare("sirup json", column, truth, got, {r.row + 1 for r in ds.rejected})
    assert dict(ds.sources[0].numbers)["pagu"].split(",")[0].split(" ")[0] == conv_csv.split(",")[0].split(" ")[0]

    # SPSE non-tender results: a nilai_kontrak of 0 means "not recorded"
    header = ["kd_nontender", "kd_satker", "tahun_anggaran", "nilai_kontrak"]
    rows = [[str(i), "1", "2025", m] for i, (m, _d) in enumerate(column)]
    ds = load(_write(tmp / "nt.csv", header, rows), "spse-nontender")
    got = {int(p.id[5:]) + 2: p.value_idr for p in ds.purchases}
    _compare("spse csv", column, truth, got, {r.row for r in ds.rejected}, zero_is_unknown=True)

    # OCDS JSON with amounts written as text, and its flattened CSV
    releases = [{"ocid": f"o-{i}", "awards": [{"id": "a", "value": {"amount": m or None, "currency": "IDR"}}]}
                for i, (m, _d) in enumerate(column)]
    path = tmp / "r.json"
    path.write_text(json.dumps({"releases": releases}), encoding="utf-8")
    ds = load(path, "ocds")
    got = {int(p.id.split(":")[1][2:]) + 2: p.value_idr for p in ds.purchases}
    _compare("ocds json", column, truth, got, {r.row + 1 for r in ds.rejected})
    ds = load(_write(tmp / "flat.csv", ["ocid", "awards/0/id", "awards/0/value/amount", "awards/0/value/currency"],
                     [[f"o-{i}", "a", m, "IDR"] for i, (m, _d) in enumerate(column)]), "ocds-flat")
    got = {int(p.id.split(":")[1][2:]) + 2: p.value_idr for p in ds.purchases}
    _compare("ocds flat", column, truth, got, {r.row for r in ds.rejected})
    assert n == len(column)


@_SETTINGS
@given(column=COLUMNS)
def test_the_bulk_loader_and_a_workbook_read_money_like_the_per_row_loader(tmp_path_factory, column):
    from perbup_rules.bulk.load import load as bulk_load

    tmp = tmp_path_factory.mktemp("b")
    truth = _truth(tmp, column)
    data = bulk_load(tmp / "canonical")
    try:
        got = {int(p.id[1:]) + 2: p.value_idr for p in data.purchases()}
        rejected = {r.row: r.column for r in data.dataset.rejected}
    finally:
        data.close()
    _compare("bulk", column, truth, got, set(rejected))
    assert {r: c for r, cs in truth[1].items() for c in cs} == rejected
    assert data.dataset.sources[1].numbers == (("value_idr", truth[2]),)

    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "parties"
    ws.append(["id", "name"])
    ws.append(["pd", "Dinas"])
    ws = wb.create_sheet("purchases")
    ws.append(["id", "stage", "buyer_id", "value_idr", "date"])
    for i, (m, d) in enumerate(column):
        ws.append([f"p{i}", "award", "pd", m or None, d or None])
    wb.save(tmp / "book.xlsx")
    ds = load_dataset(tmp / "book.xlsx")
    got = {int(p.id[1:]) + 2: p.value_idr for p in ds.purchases}
    _compare("xlsx", column, truth, got, {r.row for r in ds.rejected})


@_SETTINGS
@given(column=COLUMNS)
def test_every_importer_reads_dates_like_the_canonical_parser(tmp_path_factory, column):
    tmp = tmp_path_factory.mktemp("d")
    canon = load_dataset(_canonical(tmp / "canonical", [("1", d) for _m, d in column]))
    want = {int(p.id[1:]) + 2: p.date for p in canon.purchases}
    # SPSE: an unreadable date falls back to 1 January of tahun_anggaran, and says so (date_from)
    header = ["kd_nontender", "kd_satker", "tahun_anggaran", "nilai_kontrak", "tgl_selesai_nontender"]
    ds = load(_write(tmp / "nt.csv", header, [[str(i), "1", "2025", "5", d] for i, (_m, d) in enumerate(column)]), "spse-nontender")
    for p in ds.purchases:
        row = int(p.id[5:]) + 2
        if dict(p.extra)["date_from"] == "tgl_selesai_nontender":
            assert p.date == want[row]
        else:
            assert want.get(row) is None and p.date == dt.date(2025, 1, 1)
    # OCDS: an unreadable award date refuses the award, as the canonical loader refuses the row
    releases = [{"ocid": f"o-{i}", "awards": [{"id": "a", "date": d or None, "value": {"amount": 5, "currency": "IDR"}}]}
                for i, (_m, d) in enumerate(column)]
    path = tmp / "r.json"
    path.write_text(json.dumps({"releases": releases}), encoding="utf-8")
    ds = load(path, "ocds")
    got = {int(p.id.split(":")[1][2:]) + 2: p.date for p in ds.purchases}
    for row in range(2, len(column) + 2):
        if row in want:
            assert got[row] == want[row]
        else:
            assert row not in got


# --- the convention rule itself --------------------------------------------------------


def _decide(values: list[str]) -> cells.Convention:
    scan = cells.MoneyScan()
    for i, v in enumerate(values, start=2):
        scan.add(i, v)
    return cells.decide_money(scan)


def test_the_issue_example_is_read_right(tmp_path):
    path = tmp_path / "rup.csv"
    path.write_text(
        "kd_rup;kd_satker;tahun_anggaran;pagu;jenis_pengadaan;status_ukm\n"
        "1;10;2025;250.000;Barang;UKM\n"
        "2;10;2025;1.500.000,00;Barang;UKM\n"
        "3;10;2025;Rp 2.500.000;Barang;UKM\n", encoding="utf-8")
    ds = load(path)
    assert sorted(p.value_idr for p in ds.purchases) == [250_000, 1_500_000, 2_500_000]
    assert dict(ds.sources[0].numbers)["pagu"].startswith("Indonesian") and "row 3" in dict(ds.sources[0].numbers)["pagu"]


@pytest.mark.parametrize("values, name", [
    (["250.000", "1.500.000"], cells.GROUPED),  # a multi-group cell settles it
    (["250.000", "1500000,50"], cells.GROUPED),  # a decimal comma settles it
    (["250.000", "999.999"], cells.GROUPED),  # every cell has dot groups
    (["250.000"], cells.HUMAN),  # one cell alone settles nothing
    (["250.000", "1500000"], cells.HUMAN),  # a long plain number is not grouped
    (["250.000", "1500000.50"], cells.POINT),  # machine writing: 250.000 stays refused
    (["1.500.000", "1500000.50"], cells.HUMAN),  # both: mixed
    (["1500000", "2500000"], cells.HUMAN),
])
def test_conventions(values, name):
    assert _decide(values).name == name


def test_ambiguous_cells_under_each_convention():
    grouped, point = _decide(["1.500.000"]), _decide(["12.50"])
    assert cells.parse_money_as("250.000", grouped) == 250_000
    assert str(cells.parse_money_as("1,5", grouped)) == "1.5"
    with pytest.raises(CellError) as info:
        cells.parse_money_as("250.000", point)
    assert info.value.code == errors.BAD_VALUE and "ambiguous" in info.value.reason and "row 2" in info.value.reason
    with pytest.raises(CellError):
        cells.parse_money_as("250.000", cells.AS_WRITTEN)


@settings(max_examples=400, deadline=None)
@given(st.one_of(MONEY, st.text(max_size=12)), st.sampled_from(cells.CONVENTIONS))
def test_a_convention_only_decides_what_parse_money_refuses(text, name):
    conv = cells.Convention(name, "test")
    try:
        want = cells.parse_money(text)
    except CellError:
        return
    assert cells.parse_money_as(text, conv) == want


def _reference_decision(values: list[str]) -> str:
    """decide_money's rule written out over money_shape, without MoneyScan's fast paths."""
    shapes = [cells.money_shape(v) for v in values]
    ind = any(s in (cells._ID, cells._ID_GROUPED) for s in shapes)
    point = cells._MACHINE_POINT in shapes
    grouped = sum(s in (cells._AMBIGUOUS_DOT, cells._ID_GROUPED) for s in shapes)
    breaker = any(s in (cells._AMBIGUOUS_COMMA, cells._ID, cells._MACHINE_POINT) for s in shapes) or any(
        s == cells._NEUTRAL and v.strip() for s, v in zip(shapes, values))
    if ind and point:
        return cells.HUMAN
    if ind or (not breaker and grouped >= 2):
        return cells.GROUPED
    return cells.POINT if point else cells.HUMAN


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(MONEY, st.text(max_size=12)), max_size=8), st.randoms())
def test_the_scan_decides_as_the_rule_says_in_any_order(values, rnd):
    order = list(enumerate(values, start=2))
    rnd.shuffle(order)  # the bulk loader feeds cells in no particular order
    scan = cells.MoneyScan()
    for row, v in order:
        scan.add(row, v)
    assert cells.decide_money(scan).name == _reference_decision(values)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.one_of(st.integers(0, 10**15), st.decimals(0, 10**12, places=2)), min_size=1, max_size=6))
def test_json_numbers_are_numbers(tmp_path_factory, amounts):
    # ISB JSON and OCDS JSON: a number is read exactly as written, whatever a text cell would need
    tmp = tmp_path_factory.mktemp("j")
    rows = [{"kd_rup": str(i), "kd_satker": "1", "tahun_anggaran": 2025, "pagu": a, "jenis_pengadaan": "Barang"}
            for i, a in enumerate(amounts)]
    path = tmp / "rup.json"
    path.write_text(json.dumps(rows, default=str).replace('"pagu": "', '"pagu": ').replace('", "jenis', ', "jenis'), encoding="utf-8")
    ds = load(path, "sirup-rup")
    assert [p.value_idr for p in ds.purchases] == [cells.parse_money(a) for a in amounts]
    assert dict(ds.sources[0].numbers)["pagu"] == cells.NUMBERS_ONLY.why
