"""perbup_rules.source: YAML with locations, exact decimals, and refusal of unsafe YAML."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perbup_rules import errors
from perbup_rules.errors import Diagnostic, SourceLocation
from perbup_rules.source import MAX_BYTES, MAX_DEPTH, YMap, YSeq, load_yaml, locate, locate_key

F = "rules/pasal-01.yaml"


def load_ok(text: str | bytes):
    data, diags = load_yaml(text, F)
    assert diags == [], [d.render() for d in diags]
    return data


def only(diags: list[Diagnostic], code: str) -> Diagnostic:
    assert [d.code for d in diags] == [code], [d.render() for d in diags]
    return diags[0]


def at(line: int, column: int) -> SourceLocation:
    return SourceLocation(F, line, column)


# --- locations -----------------------------------------------------------------------

DOC = """\
# a comment line
id: KMT-01
title:
  id: Judul
  en: "Title"
cases:
  - when: scale == "mikro"
    value: true
  - {when: known(x), value: false}
  - plain item
"""


def test_key_and_value_locations():
    data = load_ok(DOC)
    assert isinstance(data, YMap)
    assert data.loc == at(2, 1)
    assert data.key_loc("id") == at(2, 1)
    assert data.value_loc("id") == at(2, 5)
    assert data.key_loc("title") == at(3, 1)
    # a block mapping value starts at its first key
    assert data.value_loc("title") == at(4, 3)
    title = data["title"]
    assert title.key_loc("en") == at(5, 3)
    # quoted scalar: the location is the opening quote, and the style is remembered
    assert title.value_loc("en") == at(5, 7)
    assert title.value_pos["en"].style == '"'
    assert data.value_pos["id"].style is None


def test_sequence_item_locations():
    data = load_ok(DOC)
    cases = data["cases"]
    assert isinstance(cases, YSeq)
    assert [cases.item_loc(i) for i in range(3)] == [at(7, 5), at(9, 5), at(10, 5)]
    # out-of-range index falls back to the sequence itself
    assert cases.item_loc(99) == cases.loc == at(7, 3)
    assert cases[0].value_loc("when") == at(7, 11)
    assert cases[0].key_loc("value") == at(8, 5)
    flow = cases[1]
    assert flow.key_loc("when") == at(9, 6)
    assert flow.value_loc("value") == at(9, 29)


def test_unknown_key_location_falls_back_to_mapping():
    data = load_ok(DOC)
    assert data.key_loc("nope") == data.loc
    assert data.value_loc("nope") == data.loc


def test_block_scalar_style_and_location():
    data = load_ok("applies: >-\n  a == 1\n  and b\nrequire: |\n  x\n")
    assert data["applies"] == "a == 1 and b"
    assert data.value_pos["applies"].style == ">"
    assert data.value_pos["require"].style == "|"
    assert data.value_loc("applies") == at(1, 10)


def test_locate_and_locate_key():
    data = load_ok(DOC)
    assert locate(data, ["cases", 0, "when"]) == at(7, 11)
    assert locate(data, ["title", "en"]) == at(5, 7)
    # the deepest existing element when the path goes further than the data
    assert locate(data, ["cases", 0, "missing"]) == at(7, 5)
    assert locate(data, ["cases", 7]) == at(7, 3)
    assert locate_key(data, ["cases", 0, "value"]) == at(8, 5)
    assert locate_key(data, ["title", "en"]) == at(5, 3)


# --- scalars: exact decimals, ints, dates ----------------------------------------------


def _walk(x):
    yield x
    if isinstance(x, dict):
        for v in x.values():
            yield from _walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from _walk(v)


def test_decimals_stay_decimal_as_written():
    data = load_ok("a: 0.40\nb: 0.4\nc: -1.50\nd: [0.1, 2.000]\ne: .5\n")
    assert data["a"] == Decimal("0.40") and str(data["a"]) == "0.40"
    assert str(data["b"]) == "0.4"
    assert str(data["c"]) == "-1.50"
    assert [str(x) for x in data["d"]] == ["0.1", "2.000"]
    assert data["e"] == Decimal("0.5")
    assert not any(isinstance(x, float) for x in _walk(data))


def test_integers_and_other_scalars():
    data = load_ok("a: 15000000000\nb: 1_000\nc: true\nd: null\ne: text\nf: '0.40'\n1: key\n")
    assert data["a"] == 15_000_000_000 and type(data["a"]) is int
    assert data["b"] == 1000
    assert data["c"] is True
    assert data["d"] is None
    assert data["e"] == "text"
    assert data["f"] == "0.40"  # quoted: stays text
    assert data["1"] == "key"  # integer keys become text


def test_non_finite_float_is_refused():
    data, diags = load_yaml("a: .inf\n", F)
    d = only(diags, errors.WRONG_TYPE)
    assert d.location == at(1, 4)


def test_dates_become_date():
    data = load_ok("a: 2026-01-01\nb: [2021-02-02]\nc: 2026-01-01T10:30:00\n")
    assert data["a"] == dt.date(2026, 1, 1) and type(data["a"]) is dt.date
    assert data["b"] == [dt.date(2021, 2, 2)]
    assert data["c"] == dt.datetime(2026, 1, 1, 10, 30)


def test_invalid_date_is_bad_date_with_location():
    data, diags = load_yaml("x: 1\nvalid_from: 2026-02-30\n", F)
    d = only(diags, errors.BAD_DATE)
    assert d.location == at(2, 13)
    assert "2026-02-30" in d.message
    assert data["valid_from"] == "2026-02-30"


# --- refused constructs ------------------------------------------------------------------


def test_anchor_refused_with_location():
    data, diags = load_yaml("title: &t {id: a, en: b}\nother: 1\n", F)
    d = only(diags, errors.YAML_UNSAFE)
    assert data is None
    assert d.location == at(1, 8)
    assert "&t" in d.message


def test_alias_refused_with_location():
    # an alias to an undefined anchor is refused as an alias, not as a syntax error
    data, diags = load_yaml("a: 1\nb: *x\n", F)
    d = only(diags, errors.YAML_UNSAFE)
    assert data is None
    assert d.location == at(2, 4)
    assert "*x" in d.message


def test_alias_in_flow_sequence_refused():
    _, diags = load_yaml("[a, *b]", F)
    assert only(diags, errors.YAML_UNSAFE).location == at(1, 5)


def test_merge_key_refused():
    data, diags = load_yaml("base: {a: 1}\nc:\n  <<: {b: 2}\n  d: 3\n", F)
    d = only(diags, errors.YAML_UNSAFE)
    assert d.location == at(3, 3)
    assert "merge" in d.message
    assert "b" not in data["c"] and data["c"]["d"] == 3


def test_merge_key_with_alias_refused():
    _, diags = load_yaml("base: &b {a: 1}\nc:\n  <<: *b\n", F)
    assert only(diags, errors.YAML_UNSAFE).location == at(1, 7)


@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.system ['echo hi']\n",
    "a: !!python/object:os.system x\n",
    "a: !!python/name:os.system\n",
    "a: !!python/tuple [1, 2]\n",
    "a: !!binary aGVsbG8=\n",
    "a: !custom x\n",
    "a: !!set {x}\n",
])
def test_tags_refused(text):
    _, diags = load_yaml(text, F)
    d = only(diags, errors.YAML_UNSAFE)
    assert d.location == at(1, 4)
    assert "tag" in d.message


def test_standard_tags_accepted():
    data = load_ok("a: !!str 1\nb: !!int '3'\nc: !!map {x: 1}\n")
    assert data == {"a": "1", "b": 3, "c": {"x": 1}}


def test_duplicate_key_reports_both_lines():
    data, diags = load_yaml("id: A\ntitle: x\nid: B\n", F)
    d = only(diags, errors.YAML_DUPLICATE_KEY)
    assert d.location == at(3, 1)
    assert "line 1" in (d.hint or "")
    assert "'id'" in d.message
    assert data["id"] == "A"  # the first is kept, and the second reported


def test_duplicate_key_in_nested_flow_mapping():
    _, diags = load_yaml("clauses:\n  - {a: 1, b: 2, a: 3}\n", F)
    d = only(diags, errors.YAML_DUPLICATE_KEY)
    assert d.location == at(2, 18)
    assert "line 2" in (d.hint or "")


def test_non_text_key_is_wrong_type():
    _, diags = load_yaml("? [a]\n: 1\n", F)
    assert only(diags, errors.WRONG_TYPE).location.line == 1


# --- bounds -------------------------------------------------------------------------------


def test_nesting_at_the_limit_is_accepted_and_beyond_is_refused():
    ok = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    data = load_ok(ok)
    assert data is not None
    too_deep = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    data, diags = load_yaml(too_deep, F)
    d = only(diags, errors.YAML_UNSAFE)
    assert data is None
    assert "nesting" in d.message and d.location.line == 1


def test_deep_block_nesting_refused():
    depth = MAX_DEPTH + 10
    text = "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    data, diags = load_yaml(text, F)
    d = only(diags, errors.YAML_UNSAFE)
    assert data is None
    assert d.location.line == MAX_DEPTH  # the first mapping node past the limit


def test_billion_laughs_is_refused_at_the_first_anchor():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 30):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [" + ",".join([prev] * 9) + "]")
    data, diags = load_yaml("\n".join(lines) + "\n", F)
    d = only(diags, errors.YAML_UNSAFE)
    assert data is None
    assert d.location == at(1, 5)


def test_too_large_input_refused_without_parsing():
    big = b"a: " + b"x" * MAX_BYTES + b"\n"
    data, diags = load_yaml(big, F)
    assert data is None
    assert only(diags, errors.YAML_UNSAFE).location == SourceLocation(F)
    data, diags = load_yaml(big.decode(), F)
    assert data is None and only(diags, errors.YAML_UNSAFE)


# --- bad input ------------------------------------------------------------------------------


def test_non_utf8_bytes_are_yaml_syntax():
    data, diags = load_yaml(b"title: caf\xe9\n", F)
    d = only(diags, errors.YAML_SYNTAX)
    assert data is None
    assert d.location == SourceLocation(F)
    assert "UTF-8" in d.message and "byte 10" in d.message


def test_utf8_bom_is_accepted():
    assert load_ok("\ufeffa: 1\n".encode("utf-8")) == {"a": 1}


def test_syntax_error_is_located():
    data, diags = load_yaml("a: 1\nb:\n  c: 2\n   d: 3\n", F)
    d = only(diags, errors.YAML_SYNTAX)
    assert data is None
    assert d.location == at(4, 5)


def test_two_documents_are_a_syntax_error():
    data, diags = load_yaml("a: 1\n---\nb: 2\n", F)
    assert data is None
    assert only(diags, errors.YAML_SYNTAX).location.line == 2


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_documents(text):
    assert load_yaml(text, F) == (None, [])


@pytest.mark.parametrize("raw", [b"a: \x00\n", b"\x07", "a: \x1b[31m\n".encode()])
def test_control_characters_are_a_diagnostic_not_an_exception(raw):
    # BUG: PyYAML's Reader checks for unprintable characters in its constructor,
    # which load_yaml calls outside its try block, so yaml.reader.ReaderError escapes.
    data, diags = load_yaml(raw, F)
    assert data is None
    only(diags, errors.YAML_SYNTAX)


# --- never raises ---------------------------------------------------------------------------


def _check_result(result):
    data, diags = result
    assert isinstance(diags, list)
    assert all(isinstance(d, Diagnostic) and d.code for d in diags)
    for d in diags:
        d.render()  # renders without error
    if data is None:
        return data
    # whatever comes back is plain data: no floats, only YMap/YSeq containers
    for x in _walk(data):
        assert not isinstance(x, float)
        if isinstance(x, dict):
            assert isinstance(x, YMap)
        if isinstance(x, list):
            assert isinstance(x, YSeq)
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(raw):
    _check_result(load_yaml(raw, F))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text):
    _check_result(load_yaml(text, F))


_YAML_TOKENS = list("ab01.:-_ \n\t[]{},&*!<>|'\"#?%@`~\\=") + [
    "2026-02-30", "2026-01-01", "0.40", "!!python/", "!!str ", "<<: ", "&a ", "*a", "- ", ": ", "\n  ", "? ", "%YAML 1.1\n", "---\n"]
_YAMLISH = st.lists(st.sampled_from(_YAML_TOKENS), max_size=60).map("".join)


@settings(max_examples=500, deadline=None)
@given(_YAMLISH)
def test_yaml_like_text_never_raises(text):
    _check_result(load_yaml(text, F))
