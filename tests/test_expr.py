"""perbup_rules.expr: the condition language (parse, to_text, errors with columns)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perbup_rules import expr
from perbup_rules.expr import KEYWORDS, ExprSyntaxError, parse, strip_cols, to_text, walk


def roundtrip(text: str) -> None:
    tree = parse(text)
    again = parse(to_text(tree))
    assert strip_cols(again) == strip_cols(tree), (text, to_text(tree))


# --- trees ------------------------------------------------------------------------------


def test_tree_shape_and_columns():
    t = parse('buyer.kind == "perangkat_daerah" and value_idr <= params.umkk_reserved_max')
    assert t["op"] == "and" and t["col"] == 1
    left, right = t["args"]
    assert left == {"op": "cmp", "cmp": "==", "col": 1,
                    "left": {"op": "path", "path": ["buyer", "kind"], "col": 1},
                    "right": {"op": "const", "value": "perangkat_daerah", "col": 15}}
    assert right["left"]["col"] == 38
    assert right["right"] == {"op": "param", "name": "umkk_reserved_max", "col": 51}


def test_literals():
    assert parse("a == 15_000_000_000")["right"]["value"] == 15_000_000_000
    dec = parse("a >= 0.40")["right"]["value"]
    assert dec == Decimal("0.40") and str(dec) == "0.40" and isinstance(dec, Decimal)
    assert parse("a == -3")["right"]["value"] == -3
    assert parse('a == date("2026-01-01")')["right"]["value"] == dt.date(2026, 1, 1)
    assert parse("a == 'single'")["right"]["value"] == "single"
    assert parse(r'a == "say \"hi\""')["right"]["value"] == 'say "hi"'
    assert parse("a == null")["right"]["value"] is None
    assert parse("true") == {"op": "const", "value": True, "col": 1}


def test_in_not_in_known_not():
    t = parse('procurement_type not in ["barang", "jasa_lainnya",]')
    assert t["op"] == "in" and t["negate"] is True
    assert [i["value"] for i in t["right"]["items"]] == ["barang", "jasa_lainnya"]
    assert parse('"makanan" in categories')["right"] == {"op": "path", "path": ["categories"], "col": 14}
    assert parse("known(capital_idr)") == {"op": "known", "path": ["capital_idr"], "col": 1}
    t = parse("not supplier.umkk")
    assert t == {"op": "not", "arg": {"op": "path", "path": ["supplier", "umkk"], "col": 5}, "col": 1}


def test_precedence():
    t = strip_cols(parse("a or b and not c"))
    assert t == {"op": "or", "args": [
        {"op": "path", "path": ["a"]},
        {"op": "and", "args": [{"op": "path", "path": ["b"]},
                               {"op": "not", "arg": {"op": "path", "path": ["c"]}}]}]}
    # not binds looser than a comparison
    assert strip_cols(parse("not a == 1"))["arg"]["op"] == "cmp"


def test_walk_visits_every_node_parents_first():
    t = parse('a == 1 and (b in [1, 2] or not c)')
    ops = [n["op"] for n in walk(t)]
    assert ops == ["and", "cmp", "path", "const", "or", "in", "path", "list", "const", "const", "not", "path"]


@pytest.mark.parametrize("text", [
    'buyer.kind == "perangkat_daerah" and value_idr <= params.umkk_reserved_max',
    'procurement_type in ["barang", "pekerjaan_konstruksi", "jasa_lainnya"]',
    "known(capital_idr) and capital_idr <= params.mikro_capital_max",
    "not supplier.umkk",
    '"makanan" in categories and start_date <= period.end',
    "(stage == \"plan\" and reserved_for_umkk) or (stage != \"plan\" and supplier.umkk)",
    "written and partner.umkk and category in categories and (not known(end_date) or end_date >= period.start)",
    'a >= date("2026-01-01") and b != null and c == false',
    "x not in [1, 2.50, -3]",
    r'name == "back\\slash \"quoted\" and \'single\'"',
    "not not a",
    "((a and b) and c) or (d or e)",
    "a == 0.0000001",  # a small decimal must not come back as 1E-7
])
def test_parse_to_text_parse_is_stable(text):
    roundtrip(text)


def test_to_text_of_small_decimal_is_plain():
    assert to_text(parse("a == 0.0000001")) == "a == 0.0000001"


def test_to_text_keeps_a_parenthesised_not_operand():
    # BUG: to_text renders the operand of a comparison without parentheses, so
    # "(not a) == b" comes back as "not a == b", which is "not (a == b)".
    roundtrip("(not a) == b")


# --- keywords -------------------------------------------------------------------------------


@pytest.mark.parametrize("kw", sorted(KEYWORDS))
def test_keywords_cannot_be_names(kw):
    for text in (f"a.{kw} == 1", f"known({kw})", f"params.{kw} == 1", f"{kw}.x == 1", f"x == {kw}.y"):
        with pytest.raises(ExprSyntaxError):
            parse(text)
    if kw in ("true", "false", "null"):
        # a literal, never a field path
        assert parse(f"{kw} == 1")["left"]["op"] == "const"
    else:
        with pytest.raises(ExprSyntaxError):
            parse(f"{kw} == 1")


@pytest.mark.parametrize("name", ["order", "android", "notes", "index", "inx", "true_value", "nullable", "falsey", "in_force2"])
def test_names_that_start_with_a_keyword_are_names(name):
    assert parse(f"{name} == 1")["left"] == {"op": "path", "path": [name], "col": 1}


# --- errors with columns ----------------------------------------------------------------------

ERRORS = [
    # text, column of the offending character, words in the message
    ("a == == b", 6, "unexpected '=='"),
    ("a $ b", 3, "unexpected character '$'"),
    ('x == "abc', 6, "unexpected character '\"'"),
    ("a not b", 7, "unexpected 'b'"),
    ("a == 1.5.5", 9, "unexpected '.'"),
    ("true == 1 1", 11, "unexpected '1'"),
    ("a == 1e5", 7, "unexpected 'e5'"),
    ("and == 1", 1, "unexpected 'and'"),
    ("x == 1 and and y", 12, "unexpected 'and'"),
    ("", 1, "empty expression"),
    ("   ", 1, "empty expression"),
    ("params.a.b", 1, "params.NAME"),
    ("a == params.x.y", 6, "params.NAME"),
    ("x == foo(1)", 6, "unknown function foo()"),
    ('a == date("2026-02-30")', 11, "not an ISO date"),
    ('a == date("tomorrow")', 11, "not an ISO date"),
    ("a == date(1)", 6, "date() takes a quoted ISO date"),
    ("known(1)", 1, "known() takes a field path"),
    ("known(params.x)", 1, "known() takes a field path"),
    ('known("a")', 1, "known() takes a field path"),
    ("known(a, b)", 1, "known() takes 1 argument"),
    ("b and known()", 7, "known() takes 1 argument"),
]


@pytest.mark.parametrize("text,col,words", ERRORS, ids=[e[0] or "empty" for e in ERRORS])
def test_error_columns(text, col, words):
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    assert words in str(info.value)
    assert info.value.col == col


# An expression that ends too early: the caret goes just past its last character.
EOF_ERRORS = ["a ==", "(a and b", "a.", "not", "a in [1,", "x == 1 and", "a == (b"]


@pytest.mark.parametrize("text", EOF_ERRORS)
def test_error_at_end_points_past_the_end(text):
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    assert "end of expression" in str(info.value) or "ends too early" in str(info.value)
    assert info.value.col == len(text) + 1


def test_error_hints():
    with pytest.raises(ExprSyntaxError) as info:
        parse("a == == b")
    assert info.value.hint.startswith("expected ")
    assert "a field name" in info.value.hint
    with pytest.raises(ExprSyntaxError) as info:
        parse("foo(x)")
    assert info.value.hint == "functions: assumed, date, known"


def test_syntax_error_is_a_value_error():
    assert issubclass(ExprSyntaxError, ValueError)
    with pytest.raises(ValueError):
        parse("(")


def test_non_string_input():
    with pytest.raises(ExprSyntaxError):
        parse(None)  # type: ignore[arg-type]


def test_very_deep_nesting_is_a_syntax_error_not_a_crash():
    text = "(" * 3000 + "a" + ")" * 3000
    try:
        tree = parse(text)
    except ExprSyntaxError:
        return
    assert tree == {"op": "path", "path": ["a"], "col": 3001}


# --- hypothesis: random trees round-trip --------------------------------------------------------

_NAME = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda s: s not in KEYWORDS and s != "params")
_PATH = st.lists(_NAME, min_size=1, max_size=3).map(lambda p: {"op": "path", "path": p})
_PARAM = _NAME.map(lambda n: {"op": "param", "name": n})
_INT = st.integers(min_value=-10**20, max_value=10**20).map(lambda v: {"op": "const", "value": v})
_DEC = st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**9, max_value=10**9, places=None).filter(
    lambda d: d == d and d.as_tuple().exponent < 0  # parse makes a Decimal only when a '.' is written
).map(lambda v: {"op": "const", "value": v})
# the language has no newline escape, and an unescaped newline cannot be written in a string
_STR = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).map(
    lambda s: {"op": "const", "value": s})
_LIT = st.sampled_from([True, False, None]).map(lambda v: {"op": "const", "value": v})
_DATE = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(lambda v: {"op": "const", "value": v})
_SCALAR = st.one_of(_INT, _DEC, _STR, _LIT, _DATE)
_VALUE = st.one_of(_PATH, _PARAM, _SCALAR)
_LIST = st.lists(_SCALAR, max_size=4).map(lambda items: {"op": "list", "items": items})

_CMP = st.builds(lambda l, c, r: {"op": "cmp", "cmp": c, "left": l, "right": r},
                 _VALUE, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), _VALUE)
_IN = st.builds(lambda l, r, n: {"op": "in", "left": l, "right": r, "negate": n},
                _VALUE, st.one_of(_LIST, _PATH), st.booleans())
_KNOWN = st.lists(_NAME, min_size=1, max_size=3).map(lambda p: {"op": "known", "path": p})
_ATOM = st.one_of(_CMP, _IN, _KNOWN, _PATH, _LIT.filter(lambda t: t["value"] is not None))


def _extend(children):
    return st.one_of(
        st.lists(children, min_size=2, max_size=4).map(lambda a: {"op": "and", "args": a}),
        st.lists(children, min_size=2, max_size=4).map(lambda a: {"op": "or", "args": a}),
        children.map(lambda a: {"op": "not", "arg": a}),
    )


TREES = st.recursive(_ATOM, _extend, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(TREES)
def test_random_trees_round_trip(tree):
    text = to_text(tree)
    parsed = parse(text)
    assert strip_cols(parsed) == tree, text
    # and the text is a fixed point
    assert to_text(parsed) == text


@settings(max_examples=300, deadline=None)
@given(TREES)
def test_every_node_has_a_column_within_the_text(tree):
    text = to_text(tree)
    for node in walk(parse(text)):
        assert 1 <= node["col"] <= len(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_raises_only_syntax_errors(text):
    try:
        tree = parse(text)
    except ExprSyntaxError as err:
        assert isinstance(err.col, int) and err.col >= 1
        return
    assert isinstance(tree, dict) and "op" in tree


_EXPRISH = st.lists(st.sampled_from(
    ["a", "b.c", "params.", "known(", "date(", '"2026-01-01"', '"x', ")", "(", "[", "]", ",", " and ", " or ",
     "not ", " in ", " == ", " <= ", "1", "0.5", "-", "_", "'", "\\", "true", "null", " "]), max_size=20).map("".join)


@settings(max_examples=500, deadline=None)
@given(_EXPRISH)
def test_expression_like_text_raises_only_syntax_errors(text):
    try:
        parse(text)
    except ExprSyntaxError as err:
        assert 1 <= err.col <= len(text) + 1


def test_module_exports():
    assert set(expr.__all__) == {"ExprSyntaxError", "parse", "walk", "to_text", "strip_cols", "KEYWORDS"}
