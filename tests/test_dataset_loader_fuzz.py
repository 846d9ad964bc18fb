"""Malformed input to load_dataset: only PerbupError escapes, and no row disappears without a Rejection."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perbup_rules.errors import PerbupError
from perbup_rules.importers import load_dataset
from perbup_rules.records import COLUMNS, TABLES, Dataset

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ids = st.sampled_from(["p1", "p2", "p3", "x", "", " p1 ", "P1"])
junk_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
cell = st.one_of(
    ids,
    junk_text,
    st.sampled_from(["plan", "award", "umkm", "koperasi", "barang", "1.500", "1.500.000", "Rp 5", "-3", "ya", "2025-02-30", "31/12/2025", "9" * 40, "1e309", "NaN", "a;b;;c", "\x00", "\r", '"']),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


VALID = {
    "parties": ["p1", "CV Satu", "umkm", "cv", "1.000.000", "", "kecil", "Bengalon", "Sepaso", "Kutai Timur", "atk;makanan", "3"],
    "purchases": ["x1", "award", "p1", "ppk-1", "p2", "atk", "barang", "tender", "1500000", "", "true", "", "2025-01-01", "IDR"],
    "partnerships": ["k1", "p1", "p2", "subkontrak", "atk", "2025-01-01", "2025-12-31", "true", "true", ""],
}


@st.composite
def table_text(draw, table: str) -> tuple[list[str], list[list[str]]]:
    cols = list(COLUMNS[table])
    if draw(st.booleans()):
        # Valid rows with a few cells replaced: most load, some are rejected.
        rows = []
        for i in range(draw(st.integers(0, 8))):
            row = list(VALID[table])
            # Parties p1, p2, ... (so references resolve); other tables sometimes repeat an id.
            row[0] = f"p{i + 1}" if table == "parties" else draw(st.sampled_from([f"{row[0]}-{i}", f"{row[0]}-{i}", f"{row[0]}-0"]))
            for _ in range(draw(st.integers(0, 2))):
                row[draw(st.integers(0, len(row) - 1))] = draw(cell)
            rows.append(row)
        return cols, rows
    # Otherwise anything: dropped, repeated or extra columns and junk cells.
    cols = draw(st.lists(st.sampled_from(cols + ["extra", "valeu_idr", "Stage"]), min_size=0, max_size=len(cols) + 2))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=len(cols) + 2), max_size=8))
    return cols, rows


def to_csv(cols: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    w.writerows(rows)
    return buf.getvalue()


def nonblank_records(data: bytes) -> int:
    """Records after the header with any non-blank cell, counted independently of the loader."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader, None)
    return sum(1 for r in reader if any(c.strip() for c in r))


def assert_accounted(ds: Dataset, expected_read: dict[str, int] | None = None) -> None:
    assert ds.reconciles()
    for t in TABLES:
        s = ds.stats[t]
        assert s.rejected == sum(1 for r in ds.rejected if r.table == t)
        kept = len(ds.parties) if t == "parties" else len(getattr(ds, t))
        assert s.accepted == kept
        if expected_read is not None and t in expected_read:
            assert s.read == expected_read[t], t
    for r in ds.rejected:
        assert r.row >= 2 and r.code and r.reason


encodings = st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"])


@FUZZ
@given(table_text("parties"), table_text("purchases"), st.one_of(st.none(), table_text("partnerships")), encodings, st.binary(max_size=6))
def test_csv_folder_fuzz(parties, purchases, partnerships, encoding, garbage):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        raw = {}
        for name, t in (("parties", parties), ("purchases", purchases), ("partnerships", partnerships)):
            if t is None:
                continue
            try:
                data = to_csv(*t).encode(encoding)
            except UnicodeEncodeError:
                data = to_csv(*t).encode("utf-8")
            if name == "purchases":
                data += garbage  # random trailing bytes: maybe invalid UTF-8, NULs, half a quote
            raw[name] = data
            (d / f"{name}.csv").write_bytes(data)
        try:
            ds = load_dataset(d)
        except PerbupError:
            return
        expected = {}
        for name, data in raw.items():
            try:
                expected[name] = nonblank_records(data)
            except (UnicodeDecodeError, csv.Error):
                return  # the loader accepted what Python's own reader cannot decode: nothing to compare
        if all(b"\t" not in data and b";" not in data.split(b"\n", 1)[0] for data in raw.values()):
            assert_accounted(ds, expected)
        else:
            assert_accounted(ds)


native = st.one_of(
    st.none(),
    junk_text,
    ids,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**12, min_value=-(10**12)),
)

_ILLEGAL_XML = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


def _xlsx_safe(v):
    if isinstance(v, str):
        return "".join(ch for ch in v if ch not in _ILLEGAL_XML)
    if isinstance(v, Decimal):
        return float(v)
    return v


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(native, max_size=6), max_size=5),
    st.lists(st.lists(native, max_size=8), max_size=6),
    st.booleans(),
)
def test_workbook_fuzz(party_rows, purchase_rows, full_header):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.xlsx"
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in (("parties", party_rows), ("purchases", purchase_rows)):
            ws = wb.create_sheet(name)
            ws.append(list(COLUMNS[name]) if full_header else ["id", "stage"][: 1 + (name == "purchases")])
            for r in rows:
                ws.append([_xlsx_safe(v) for v in r])
        wb.save(path)
        try:
            ds = load_dataset(path)
        except PerbupError:
            return
        assert_accounted(ds)
        n_purchases = sum(1 for r in purchase_rows if any(v is not None and not (isinstance(v, str) and not _xlsx_safe(v).strip()) for v in r))
        assert ds.stats["purchases"].read == n_purchases


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "parties.csv").write_bytes(b"id,name\n" + data)
        (d / "purchases.csv").write_bytes(data)
        try:
            ds = load_dataset(d)
        except PerbupError:
            return
        assert_accounted(ds)
