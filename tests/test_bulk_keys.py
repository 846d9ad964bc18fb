"""Atom rows as integers in SQL (perbup_rules.bulk.keys): the integer DuckDB computes is the one
Python encodes, and it reads back as the same text, for any row; wide rows stay text."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perbup_rules.bulk.keys import MAX_WIDTH, Key, decode, encode

ROWS = st.integers(0, MAX_WIDTH + 3).flatmap(lambda w: st.text(st.sampled_from("tfu"), min_size=w, max_size=w))


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


@given(ROWS)
def test_a_row_encodes_and_decodes_to_itself(row):
    if len(row) <= MAX_WIDTH:
        assert decode(encode(row, len(row)), len(row)) == row
        assert 0 <= encode(row, len(row)) < 2 ** 63


@settings(max_examples=200, deadline=None)
@given(ROWS)
def test_sql_computes_the_row_python_encodes_and_reads_it_back(con, row):
    key = Key(len(row))
    parts = [f"'{ch}'" for ch in row]
    value = con.execute(f"SELECT {key.sql(parts)}").fetchone()[0]
    assert key.text(value) == row
    assert value == key.value(row)
    assert con.execute(f"SELECT {key.lit(row)} = {key.sql(parts)}").fetchone()[0]
    back = con.execute(f"SELECT {key.text_sql('x')} FROM (SELECT {key.sql(parts)} AS x)").fetchone()[0]
    assert back == row
    assert key.as_int is (len(row) <= MAX_WIDTH)


def test_distinct_rows_are_distinct_integers_and_null_stays_null(con):
    key = Key(3)
    rows = [a + b + c for a in "tfu" for b in "tfu" for c in "tfu"]
    assert len({encode(r, 3) for r in rows}) == 27
    assert con.execute(f"SELECT {key.text_sql('x')} FROM (SELECT CAST(NULL AS BIGINT) AS x)").fetchone()[0] is None
    assert key.text(None) is None
    assert con.execute(f"SELECT {Key(0).text_sql('x')} FROM (SELECT 0 AS x)").fetchone()[0] == ""


def test_a_row_of_another_width_or_letter_is_refused():
    with pytest.raises(ValueError):
        encode("tf", 3)
    with pytest.raises(ValueError):
        encode("tx", 2)
    with pytest.raises(ValueError):
        decode(27, 3)
    with pytest.raises(ValueError):
        Key(2).sql(["'t'"])


_LIT = st.sampled_from(["'t'", "'f'", "'u'"])


def _exprs():
    """SQL giving 't', 'f' or 'u' (or NULL) over columns a, b: literals and nested CASEs, in
    parentheses or not, conditions that compare inner CASEs with the same literals."""
    def case(children):
        cond = st.one_of(st.sampled_from(["a", "b", "a IS NULL", "NOT b", "a_end"]),
                         children.map(lambda e: f"({e}) = 't'"), children.map(lambda e: f"{e} = 'u'"))
        whens = st.lists(st.tuples(cond, children), min_size=1, max_size=3)
        body = st.tuples(whens, st.one_of(st.none(), children)).map(
            lambda wb: "CASE " + " ".join(f"WHEN {c} THEN {v}" for c, v in wb[0])
            + (f" ELSE {wb[1]}" if wb[1] is not None else "") + " END")
        return st.one_of(body, body.map(lambda b: f"({b})"))
    return st.recursive(_LIT, case, max_leaves=8)


@pytest.fixture(scope="module")
def grid():
    c = duckdb.connect()
    c.execute("CREATE TABLE g AS SELECT a, b, a_end FROM (VALUES (TRUE), (FALSE), (NULL)) x(a), "
              "(VALUES (TRUE), (FALSE), (NULL)) y(b), (VALUES (TRUE), (FALSE)) z(a_end)")
    yield c
    c.close()


@settings(max_examples=300, deadline=None)
@given(_exprs(), st.sampled_from([1, 3, 27, 3 ** 38]))
def test_an_atoms_cases_turned_into_numbers_give_the_numbers_of_its_letters(grid, expr, weight):
    from perbup_rules.bulk.keys import _digit, _mapped

    direct, mapped = _digit(expr, weight), _mapped(expr, weight)
    got = grid.execute(f"SELECT {direct} AS d, {mapped} AS m FROM g").fetchall()
    assert all(d == m for d, m in got), (expr, direct)
