"""The list of kemitraan patterns is open (issue 13, KMT-16): UU 20/2008 Pasal 26, as amended by
UU 6/2023 Pasal 87, ends with "bentuk kemitraan lain". A partnership whose pattern is not one of
records.PATTERNS is a real agreement: it is kept as ``lainnya`` with the source's own words in
``pattern_text``, on every path that reads partnerships (canonical CSV, workbook, bulk loader,
records built in code), never rejected."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from perbup_rules.bulk.load import load as load_bulk
from perbup_rules.importers import load_dataset, write_dataset
from perbup_rules.importers.columns import parse_pattern, pattern_text
from perbup_rules.records import PATTERNS, Partnership

PARTIES = "id,name,kind\nh-1,Hotel,hotel\nu-1,UD Kue,umkm\n"
PURCHASES = "id,stage,buyer_id,supplier_id,value_idr,date\na-1,award,h-1,u-1,100,2027-01-05\n"
PARTNERSHIPS = (
    "id,party_id,partner_id,pattern,start_date\n"
    "k-1,h-1,u-1,Rantai_Pasok,2027-01-01\n"
    "k-2,h-1,u-1,  Kemitraan Sosial ,2027-01-01\n"
    "k-3,h-1,u-1,lainnya,2027-01-01\n"
    "k-4,h-1,u-1,,2027-01-01\n"
)


def _folder(tmp_path: Path, partnerships: str = PARTNERSHIPS) -> Path:
    d = tmp_path / "ds"
    d.mkdir(exist_ok=True)
    (d / "parties.csv").write_text(PARTIES, encoding="utf-8")
    (d / "purchases.csv").write_text(PURCHASES, encoding="utf-8")
    (d / "partnerships.csv").write_text(partnerships, encoding="utf-8")
    return d


EXPECTED = {
    "k-1": ("rantai_pasok", None),
    "k-2": ("lainnya", "Kemitraan Sosial"),
    "k-3": ("lainnya", None),  # the code itself: no other words to keep
    "k-4": (None, None),
}


def _got(partnerships) -> dict:
    return {k.id: (k.pattern, k.pattern_text) for k in partnerships}


def test_canonical_csv_keeps_an_unlisted_pattern_as_lainnya(tmp_path):
    ds = load_dataset(_folder(tmp_path))
    assert ds.rejected == []
    assert ds.stats["partnerships"].to_dict() == {"read": 4, "accepted": 4, "rejected": 0}
    assert _got(ds.partnerships) == EXPECTED


def test_an_explicit_pattern_text_column_is_kept(tmp_path):
    rows = "id,party_id,partner_id,pattern,pattern_text\nk-1,h-1,u-1,lainnya,bagi hasil panen\nk-2,h-1,u-1,barter,tukar jasa\n"
    ds = load_dataset(_folder(tmp_path, rows))
    assert _got(ds.partnerships) == {"k-1": ("lainnya", "bagi hasil panen"), "k-2": ("lainnya", "tukar jasa")}


def test_workbook_keeps_an_unlisted_pattern(tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, text in (("parties", PARTIES), ("purchases", PURCHASES), ("partnerships", PARTNERSHIPS)):
        ws = wb.create_sheet(name)
        for line in text.strip("\n").split("\n"):
            ws.append([c if c != "" else None for c in line.split(",")])
    path = tmp_path / "data.xlsx"
    wb.save(path)
    ds = load_dataset(path)
    assert ds.rejected == []
    assert _got(ds.partnerships) == EXPECTED


def test_bulk_loader_keeps_an_unlisted_pattern(tmp_path):
    data = load_bulk(_folder(tmp_path))
    try:
        assert data.dataset.rejected == []
        assert _got(data.dataset.partnerships) == EXPECTED
    finally:
        data.con.close()


def test_written_dataset_reads_back_the_same(tmp_path):
    ds = load_dataset(_folder(tmp_path))
    out = tmp_path / "out"
    write_dataset(ds, out)
    assert _got(load_dataset(out).partnerships) == EXPECTED


def test_record_built_in_code_keeps_the_words():
    k = Partnership(id="k", party_id="a", partner_id="b", pattern=" Kerja sama CSR ")
    assert (k.pattern, k.pattern_text) == ("lainnya", "Kerja sama CSR")
    k = Partnership(id="k", party_id="a", partner_id="b", pattern="SUBKONTRAK")
    assert (k.pattern, k.pattern_text) == ("subkontrak", None)
    k = Partnership(id="k", party_id="a", partner_id="b", pattern="x", pattern_text="given")
    assert (k.pattern, k.pattern_text) == ("lainnya", "given")


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30))  # a NUL is a bad cell
def test_any_pattern_text_is_read_never_refused(text):
    code = parse_pattern(text)
    words = pattern_text(text)
    if code is None:  # blank text is no pattern
        assert words is None and not text.strip()
        return
    assert code in PATTERNS
    if code != "lainnya":
        assert words is None
    elif words is not None:  # the source's words, trimmed, are kept whenever they are not the code
        assert words == text.strip()
