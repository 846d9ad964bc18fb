"""Cell parsers: money formats and the ambiguity rule, dates, booleans, codes, lists, text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perbup_rules import errors
from perbup_rules.importers import cells
from perbup_rules.importers.cells import CellError


def _error(fn, value) -> CellError:
    with pytest.raises(CellError) as info:
        fn(value)
    return info.value


# --- money -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1500000", 1500000),
        ("1.500.000", 1500000),
        ("1500000.00", 1500000),
        ("1.500.000,00", 1500000),
        ("Rp 1.500.000", 1500000),
        ("Rp1.500.000,00", 1500000),
        ("Rp. 1.500.000", 1500000),
        ("IDR 2500000", 2500000),
        ("rp 250.000", 250000),  # Rp prefix: one dot group is thousands
        ("  42  ", 42),
        ("0", 0),
        ("-0", 0),
        ("1.500,000", 1500),  # dot groups make it Indonesian: the comma part is decimal
        ("1.500,5", Decimal("1500.5")),
        ("1500000,50", Decimal("1500000.5")),
        ("113214787.91", Decimal("113214787.91")),  # machine export: a dot and two digits
        ("1500000.125", Decimal("1500000.125")),  # more than three digits before the dot: decimal
        ("12.5", Decimal("12.5")),
        ("1.5000", Decimal("1.5")),
        ("0,25", Decimal("0.25")),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_money_accepts(text, expected):
    got = cells.parse_money(text)
    assert got == expected
    assert type(got) is type(expected)  # int for whole rupiah, Decimal only with sen, never float


@pytest.mark.parametrize("text", ["1.500", "250.000", "999.999", "Rp1,500"[2:], "1,500", "12,345"])
def test_money_ambiguity_rule_refuses_one_group_of_three(text):
    err = _error(cells.parse_money, text)
    assert err.code == errors.BAD_VALUE
    assert "ambiguous" in err.reason


def test_money_ambiguity_hint_gives_both_readings():
    err = _error(cells.parse_money, "250.000")
    assert "250000" in err.reason and "250 for a decimal" in err.reason
    err = _error(cells.parse_money, "1.500")
    assert "1500" in err.reason and "1,5" in err.reason


@pytest.mark.parametrize("text", ["abc", "1,500,000", "1 500 000", "1.50.000", "Rp", "1e6", "--5", "1.500.000.00", "١٢٣", "²"])
def test_money_rejects_non_amounts(text):
    assert _error(cells.parse_money, text).code == errors.BAD_VALUE


@pytest.mark.parametrize("text", ["-5", "-1.500.000", "Rp -5.000.000", "−7"])
def test_money_negative_is_its_own_code(text):
    assert _error(cells.parse_money, text).code == errors.NEGATIVE_VALUE


def test_money_refuses_huge_numbers():
    assert _error(cells.parse_money, "9" * 19).code == errors.BAD_VALUE
    assert cells.parse_money("9" * 18) == int("9" * 18)
    assert _error(cells.parse_money, "1" + "0" * 5000).code == errors.BAD_VALUE  # no int() digit-limit crash
    assert _error(cells.parse_amount, "1e400").code == errors.BAD_VALUE


def test_money_native_spreadsheet_values():
    assert cells.parse_money(1500000) == 1500000
    assert cells.parse_money(1500000.0) == 1500000 and type(cells.parse_money(1500000.0)) is int
    assert cells.parse_money(1500000.5) == Decimal("1500000.5")
    assert cells.parse_money(0.1) == Decimal("0.1")  # shortest repr, not the binary expansion
    assert cells.parse_money(Decimal("10.50")) == Decimal("10.5")
    for bad in (True, float("nan"), float("inf"), Decimal("NaN")):
        assert _error(cells.parse_money, bad).code == errors.BAD_VALUE
    assert _error(cells.parse_money, -3).code == errors.NEGATIVE_VALUE


@pytest.mark.parametrize(
    "text, expected",
    [("113214787.91", Decimal("113214787.91")), ("0", 0), ("1500.000", 1500), ("250.000", 250), ("1.5E3", 1500), ("12", 12)],
)
def test_amount_machine_format_reads_a_dot_as_decimal_point(text, expected):
    assert cells.parse_amount(text) == expected


@pytest.mark.parametrize("text", ["1.500.000", "Rp 5", "1,5", "NaN", "Infinity", "12a"])
def test_amount_rejects_human_formats(text):
    assert _error(cells.parse_amount, text).code == errors.BAD_VALUE


def test_amount_negative():
    assert _error(cells.parse_amount, "-12.5").code == errors.NEGATIVE_VALUE


amounts = st.one_of(
    st.integers(min_value=0, max_value=10**18 - 1),
    st.decimals(min_value=0, max_value=10**15, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=999, places=3, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=100, deadline=None)
@given(amounts)
def test_format_money_round_trips_exactly(amount):
    text = cells.format_money(cells.parse_money(amount))
    assert cells.parse_money(text) == amount


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1000, max_value=10**17))
def test_indonesian_grouping_round_trips(n):
    grouped = f"{n:,}".replace(",", ".")
    if n >= 1_000_000:
        assert cells.parse_money(grouped) == n
    else:  # one dot group: ambiguous without Rp or a decimal part
        assert _error(cells.parse_money, grouped).code == errors.BAD_VALUE
    assert cells.parse_money("Rp " + grouped) == n
    assert cells.parse_money(grouped + ",00") == n


# --- dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-03-31", dt.date(2025, 3, 31)),
        ("31/03/2025", dt.date(2025, 3, 31)),
        ("1/2/2026", dt.date(2026, 2, 1)),  # day first
        ("31-03-2025", dt.date(2025, 3, 31)),  # day first with hyphens, as Indonesian exports write it
        ("1-2-2026", dt.date(2026, 2, 1)),
        ("2025-10-03 16:00:00", dt.date(2025, 10, 3)),
        ("2025-01-23T14:59:07Z", dt.date(2025, 1, 23)),
        ("2021-07-09T00:00:00+01:00", dt.date(2021, 7, 9)),  # the date as written, not converted to UTC
        ("2024-11-22T22:22:47.123", dt.date(2024, 11, 22)),
        ("", None),
    ],
)
def test_dates(text, expected):
    assert cells.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2025-02-30", "31/02/2026", "2025/03/31", "03-31-2025", "31-03/2025", "31/03-2025", "20250331", "2025-3-1", "tomorrow", "2025-01-01 junk"])
def test_bad_dates(text):
    assert _error(cells.parse_date, text).code == errors.BAD_VALUE


def test_dates_native():
    assert cells.parse_date(dt.datetime(2025, 5, 6, 13, 0)) == dt.date(2025, 5, 6)
    assert cells.parse_date(dt.date(2025, 5, 6)) == dt.date(2025, 5, 6)
    assert _error(cells.parse_date, 45000).code == errors.BAD_VALUE  # an Excel serial number is not guessed


# --- booleans, integers, codes, lists, text ---------------------------------------


@pytest.mark.parametrize("text", ["true", "TRUE", "Ya", "1", "yes", " Yes "])
def test_bool_true(text):
    assert cells.parse_bool(text) is True


@pytest.mark.parametrize("text", ["false", "Tidak", "0", "no", "NO"])
def test_bool_false(text):
    assert cells.parse_bool(text) is False


@pytest.mark.parametrize("value", ["y", "n", "benar", "2", 2, "on"])
def test_bool_rejects(value):
    assert _error(cells.parse_bool, value).code == errors.BAD_VALUE


def test_bool_native_and_empty():
    assert cells.parse_bool(True) is True and cells.parse_bool(0) is False and cells.parse_bool(1.0) is True
    assert cells.parse_bool("") is None and cells.parse_bool(None) is None


def test_int_range():
    assert cells.parse_int("3", 1, 5) == 3
    assert cells.parse_int(4.0, 1, 5) == 4
    for bad in ("0", "6", "3.5", "three", True, "-1"):
        assert _error(lambda v: cells.parse_int(v, 1, 5), bad).code == errors.BAD_VALUE


def test_code_is_case_insensitive_and_canonical():
    assert cells.parse_code("Perangkat_Daerah", ("perangkat_daerah", "desa")) == "perangkat_daerah"
    assert cells.parse_code("Pekerjaan Konstruksi", ("barang", "pekerjaan_konstruksi")) == "pekerjaan_konstruksi"
    assert cells.parse_code("  ", ("a",)) is None


def test_unknown_code_suggests():
    err = _error(lambda v: cells.parse_code(v, ("mikro", "kecil", "menengah", "besar"), "scale"), "kecill")
    assert err.code == errors.UNKNOWN_CODE
    assert "did you mean 'kecil'" in err.reason


def test_list_split_trim_drop_empty():
    assert cells.parse_list(" atk ; Makanan;;  ; seragam sekolah ") == ("atk", "makanan", "seragam_sekolah")
    assert cells.parse_list("") == ()
    assert cells.parse_list(None) == ()


def test_token_normalises():
    assert cells.parse_token(" Material Pasir-Batu ") == "material_pasir_batu"


def test_text():
    assert cells.parse_text("  CV Maju  ") == "CV Maju"
    assert cells.parse_text(123) == "123"
    assert cells.parse_text(123.0) == "123"  # an id Excel stored as a number
    assert cells.parse_text(Decimal("12.50")) == "12.5"
    assert cells.parse_text(dt.date(2025, 1, 2)) == "2025-01-02"
    assert _error(cells.parse_text, "a\x00b").code == errors.BAD_VALUE
    assert _error(cells.parse_text, ["x"]).code == errors.BAD_VALUE


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.booleans(), st.none(), st.decimals(), st.dates()))
def test_parsers_raise_only_cell_errors(value):
    for parse in (cells.parse_money, cells.parse_amount, cells.parse_date, cells.parse_bool, cells.parse_text, cells.parse_list, cells.parse_token):
        try:
            parse(value)
        except CellError:
            pass
