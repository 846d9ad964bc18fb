"""Fuzz the clause loader and compiler: whatever is in a rule file, loading it either compiles or
raises InvalidRulesError whose every diagnostic has a stable code (errors.py) and a location in
the regulation folder. No other exception may escape, and unsafe YAML is refused quickly and
in little memory.

The strategies and the ``check_*`` property functions are reused by benchmarks/fuzz_long.py
with a much larger number of examples.
"""

from __future__ import annotations

import atexit
import datetime as dt
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import errors

KUTIM = Path(__file__).resolve().parents[1] / "rules" / "kutim-kemitraan"
CODES = frozenset(v for k, v in vars(errors).items() if k.isupper() and isinstance(v, str))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_BASE = Path(tempfile.mkdtemp(prefix="perbup-fuzz-rules-"))
atexit.register(shutil.rmtree, _BASE, True)
_COUNTER = itertools.count()


# --- the property ----------------------------------------------------------------------

def fresh_folder(pasal: bytes | None = None, params: bytes | None = None, pasal_files: tuple[str, ...] = ()) -> Path:
    """A new regulation folder: Kutim's regulation.yaml and params.yaml unless replaced.

    A new folder every time: locations are file paths, and a stale cached copy of an
    earlier file under the same name must not be able to hide a problem.
    """
    root = _BASE / f"reg{next(_COUNTER)}"
    root.mkdir()
    shutil.copy(KUTIM / "regulation.yaml", root / "regulation.yaml")
    if params is None:
        shutil.copy(KUTIM / "params.yaml", root / "params.yaml")
    else:
        (root / "params.yaml").write_bytes(params)
    for name in pasal_files:
        shutil.copy(KUTIM / name, root / name)
    if pasal is not None:
        (root / "pasal-90.yaml").write_bytes(pasal)
    return root


def assert_located(diags, root: Path) -> None:
    base = root.resolve()
    for d in diags:
        assert d.code in CODES, d.render()
        assert d.location is not None, d.render()
        assert d.location.file, d.render()
        f = Path(d.location.file).resolve()
        assert f == base or base in f.parents, (str(root), d.render())
        assert d.location.line >= 0 and d.location.column >= 0, d.render()
        d.render()  # renders without error
        json.dumps(d.to_dict())


def check_folder(root: Path) -> str:
    """The property: compile, or InvalidRulesError with coded, located diagnostics. Returns which."""
    try:
        rs = pr.load_ruleset(root)
    except pr.InvalidRulesError as err:
        assert err.diagnostics, "InvalidRulesError without diagnostics"
        assert any(d.severity == "error" for d in err.diagnostics)
        assert_located(err.diagnostics, root)
        str(err)
        return "invalid"
    assert_located(rs.warnings, root)
    json.loads(rs.to_json())
    return "compiled"


def check_pasal(text: bytes) -> str:
    root = fresh_folder(pasal=text)
    try:
        return check_folder(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


#: Kutim pasal files loaded with the params fuzz (cheap to compile; they use many parameters).
PARAM_USERS = ("pasal-01.yaml", "pasal-03.yaml", "pasal-04.yaml", "pasal-05.yaml", "pasal-09.yaml")
#: Without pasal-02 the classify clauses of pasal-01 miss scale_effective: a small stand-in.
SCALE = b"""\
pasal: 2
title: {id: Skala, en: Scale}
clauses:
  - id: KMT-06
    kind: classify
    title: {id: Skala, en: Scale}
    attribute: scale_effective
    cases:
      - {when: known(capital_idr) and capital_idr <= params.mikro_capital_max, value: mikro}
      - {when: known(annual_sales_idr) and annual_sales_idr <= params.kecil_sales_max, value: kecil}
      - {when: known(capital_idr), value: besar}
    default_from: scale
"""


def check_params(text: bytes) -> str:
    root = fresh_folder(pasal=SCALE, params=text, pasal_files=PARAM_USERS)
    try:
        return check_folder(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- YAML text from Python structures --------------------------------------------------

class Folded(str):
    """Dumped as a folded block scalar (>-): exercises block-scalar locations."""


class Literal(str):
    """Dumped as a literal block scalar (|)."""


class DoubleQuoted(str):
    """Dumped in double quotes."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # never emit anchors by accident
        return True


_Dumper.add_representer(Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style=">"))
_Dumper.add_representer(Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="|"))
_Dumper.add_representer(DoubleQuoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"'))
_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))


def dump(data, flow: bool | None, width: int) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=width)


# --- expressions: a small grammar, and broken variants -----------------------------------

FIELDS = ["value_idr", "umk_value_idr", "stage", "category", "procurement_type", "reserved_for_umkk", "date",
          "buyer.kind", "supplier.umkk", "supplier.local", "supplier.capital_idr", "supplier.supplies", "kind",
          "capital_idr", "scale", "supplies", "written", "partner.umkk", "start_date", "end_date", "categories",
          "period.end", "period.start", "candidate.umkk", "subject.kecamatan", "buyer_id", "ppk_id", "id",
          "nope", "buyer", "value_idr.x", "a.b.c.d", "supplier", "_x", "scale_effective", "umkk"]
PARAMS = ["umkk_share_min", "umkk_reserved_max", "mikro_capital_max", "hotel_local_share_min", "nope", "umkk_share_mi"]
LITERALS = ['"perangkat_daerah"', '"plan"', '"makanan"', '"bogus_code"', "'x'", '""', "0", "-1", "15_000_000_000", "0.40",
            "1.", "true", "false", "null", 'date("2026-01-01")', 'date("2026-02-30")', "date(1)", "9" * 30]
BROKEN = ["", " ", "==", "(", ")", "and", "not", "in", "[", "]", ",", ".", "'", '"', "@", "\\", "params.", "params.a.b",
          "known()", "known(1)", "known(params.cap)", "foo(1)", "date()", "date(\"x\", 1)", "1 ==", "== 1", "a ==== b",
          "a b", "not not", "(((", "1 < < 2", "x in", "[1,", "\t", "\u00e9", "🙂", "a\nb", "#", "- a", ": b"]


def _leaf() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(FIELDS),
        st.sampled_from(PARAMS).map(lambda p: f"params.{p}"),
        st.sampled_from(LITERALS),
        st.sampled_from(FIELDS).map(lambda f: f"known({f})"),
        st.lists(st.sampled_from(LITERALS + FIELDS[:3]), max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    )


CMPS = ["==", "!=", "<", "<=", ">", ">=", "in", "not in"]

conditions = st.recursive(
    st.one_of(_leaf(), st.tuples(_leaf(), st.sampled_from(CMPS), _leaf()).map(" ".join)),
    lambda sub: st.one_of(
        sub.map(lambda a: f"not {a}"),
        sub.map(lambda a: f"({a})"),
        st.lists(sub, min_size=2, max_size=3).map(" and ".join),
        st.lists(sub, min_size=2, max_size=3).map(" or ".join),
    ),
    max_leaves=8,
)


@st.composite
def broken_expressions(draw) -> str:
    text = draw(conditions)
    how = draw(st.sampled_from(["truncate", "insert", "replace", "random"]))
    if how == "truncate" and text:
        return text[: draw(st.integers(0, len(text) - 1))]
    if how == "insert":
        i = draw(st.integers(0, len(text)))
        return text[:i] + draw(st.sampled_from(BROKEN)) + text[i:]
    if how == "replace":
        return draw(st.sampled_from(BROKEN))
    return draw(st.text(max_size=30))


expressions = st.one_of(conditions, conditions, broken_expressions())


def _styled(s: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(s, st.sampled_from([str, str, Folded, Literal, DoubleQuoted])).map(lambda t: t[1](t[0]))


styled_expressions = _styled(expressions)

# --- values of every type, right or wrong ----------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.sampled_from([0, 1, 2, 15_000_000_000, -1]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).filter(lambda d: abs(d) < 10**20),
    st.sampled_from([Decimal("0.40"), Decimal("1.5"), Decimal("-0.0")]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1)), st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    st.text(max_size=12), st.sampled_from(["KMT-01", "X-1", "kmt-1", "each", "share", "exists", "classify", "purchases",
                                           "parties", "partnerships", "buyer_id", "party_id", "2026-02-30", "0.40"]),
)


def _containers(children):
    keys = st.one_of(st.text(max_size=8), st.sampled_from(["id", "en", "when", "value", "from", "kind"]), st.integers(-3, 3))
    return st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4))


junk = st.recursive(scalars, _containers, max_leaves=10)

title = st.one_of(
    st.fixed_dictionaries({"id": st.text(min_size=1, max_size=10), "en": st.text(min_size=1, max_size=10)}),
    junk,
)

CLAUSE_KEYS = ["id", "kind", "over", "applies", "require", "unless", "subject", "part", "total", "at_least", "link", "match",
               "categories", "remedy", "valid_from"]
OTHER_KEYS = ["title", "ayat", "text", "valid_until", "severity", "note", "attribute", "cases", "default", "default_from",
              "per_stage", "related", "min_count", "derived_from", "requires", "appliess", "valid-from", ""]


def _list_of(s, max_size: int = 3):
    return st.lists(s, max_size=max_size)


case = st.fixed_dictionaries(
    {"when": st.one_of(styled_expressions, junk)},
    optional={"value": st.one_of(st.sampled_from([True, False, "mikro", "kecil", 0, None]), junk),
              "value_from": st.one_of(styled_expressions, junk)})
exception = st.fixed_dictionaries({"id": st.one_of(st.text(max_size=5), junk), "when": st.one_of(styled_expressions, junk),
                                   "title": title}, optional={"extra": junk})
remedy = st.fixed_dictionaries({}, optional={
    "party": st.one_of(st.sampled_from(["id", "supplier_id", "nope"]), styled_expressions, junk),
    "category": st.one_of(st.sampled_from(["category", '"makanan"']), styled_expressions, junk),
    "pattern": st.one_of(_list_of(st.sampled_from(["subkontrak", "rantai_pasok", "x"])), junk),
    "candidates": st.one_of(st.fixed_dictionaries({"where": st.one_of(styled_expressions, junk)},
                                                  optional={"prefer": st.one_of(_list_of(styled_expressions), junk)}), junk),
    "bogus": junk,
})

#: For each clause key, plausible values (most well-typed, some not) besides pure junk.
PLAUSIBLE = {
    "id": st.sampled_from(["KMT-90", "KMT-91", "KMT-90", "R-1", "R-1.5", "bad id", "KMT-", ""]),
    "kind": st.sampled_from(["each", "share", "exists", "classify", "Each", "other"]),
    "over": st.sampled_from(["purchases", "parties", "partnerships", "nope"]),
    "applies": styled_expressions,
    "require": styled_expressions,
    "unless": _list_of(exception),
    "subject": st.one_of(st.sampled_from(["buyer_id", "ppk_id", "supplier_id", "value_idr"]), styled_expressions),
    "part": _list_of(case, 4),
    "total": st.one_of(st.sampled_from(["value_idr", "umk_value_idr", "stage"]), styled_expressions),
    "at_least": st.one_of(st.sampled_from(["params.umkk_share_min", "0.40", "0.4", "1", "params.umkk_reserved_max",
                                           "params.nope", "value_idr"]), styled_expressions),
    "link": st.sampled_from(["party_id", "purchase_id", "partner_id", "nope", "id"]),
    "match": styled_expressions,
    "categories": _list_of(st.sampled_from(["makanan", "laundry", "seragam_sekolah", ""])),
    "remedy": remedy,
    "valid_from": st.one_of(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
                            st.sampled_from(["2026-01-01", "2026-13-01", "yesterday"])),
    "valid_until": st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    "title": title,
    "ayat": st.one_of(st.integers(-1, 5), _list_of(st.integers(0, 5))),
    "attribute": st.sampled_from(["umkk", "local", "scale", "new_attr", "Bad", "x"]),
    "cases": _list_of(case, 4),
    "default": st.sampled_from([None, True, False, "mikro", 1]),
    "default_from": st.one_of(st.sampled_from(["scale", "scale_computed", "nope"]), styled_expressions),
    "per_stage": st.booleans(),
    "related": st.sampled_from(["partnerships", "purchases"]),
    "min_count": st.integers(-1, 3),
    "severity": st.sampled_from(["error", "warning", "fatal"]),
}


def _load_real_clauses() -> list[dict]:
    out = []
    for f in sorted(KUTIM.glob("pasal-*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        out.extend(data.get("clauses") or [])
    return out


REAL_CLAUSES = _load_real_clauses()
#: What the real clauses need to resolve their names: umkk and local (DEF-01, DEF-02), and
#: scale_effective (the SCALE stand-in for pasal-02, whose 8-case classify is slow to compile).
DEFINITIONS = yaml.safe_load(SCALE)["clauses"] + [c for c in REAL_CLAUSES if c["id"] in ("DEF-01", "DEF-02")]
#: pasal-files cite ayat 1..5 of themselves so that the real clauses' ayat resolve
AYAT = [{"ayat": i, "text": f"ayat {i}"} for i in range(1, 6)]

#: Keys holding an expression, at the clause's top level and inside its lists and remedy.
TOP_EXPR_KEYS = ("applies", "require", "subject", "total", "at_least", "match", "default_from")
ITEM_EXPR_KEYS = {"unless": ("when",), "part": ("when", "value_from"), "cases": ("when", "value_from")}


def _copy(x):
    return json.loads(json.dumps(x, default=str))  # dates become text, which YAML reads back as dates


@st.composite
def random_clause(draw) -> dict:
    keys = draw(st.lists(st.sampled_from(CLAUSE_KEYS + OTHER_KEYS), max_size=10, unique=True))
    out = {}
    for k in keys:
        gen = PLAUSIBLE.get(k)
        out[k] = draw(st.one_of(gen, junk) if gen is not None else junk)
    return out


@st.composite
def expression_mutated_clause(draw) -> dict:
    """A real clause with some of its expressions replaced: schema-valid, so the compiler sees it."""
    clause = _copy(draw(st.sampled_from(REAL_CLAUSES)))
    spots = []
    for k in TOP_EXPR_KEYS:
        if k in clause:
            spots.append((clause, k))
    for k, inner in ITEM_EXPR_KEYS.items():
        for item in clause.get(k) or []:
            spots.extend((item, ik) for ik in inner if ik in item)
    remedy = clause.get("remedy")
    if isinstance(remedy, dict):
        spots.extend((remedy, k) for k in ("party", "category") if k in remedy)
        cand = remedy.get("candidates")
        if isinstance(cand, dict):
            spots.append((cand, "where"))
            prefer = cand.get("prefer") or []
            spots.extend((prefer, i) for i in range(len(prefer)))
    if not spots:
        return clause
    for i in draw(st.lists(st.integers(0, len(spots) - 1), min_size=1, max_size=3)):
        holder, key = spots[i]
        holder[key] = draw(styled_expressions)
    return clause


@st.composite
def schema_mutated_clause(draw) -> dict:
    """A real clause with keys dropped, added, or given values of any type."""
    clause = _copy(draw(st.sampled_from(REAL_CLAUSES)))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["set", "set", "drop", "junk", "expr"]))
        key = draw(st.sampled_from(CLAUSE_KEYS + OTHER_KEYS + sorted(clause)))
        if op == "drop":
            clause.pop(key, None)
        elif op == "junk":
            clause[key] = draw(junk)
        elif op == "expr":
            clause[key] = draw(styled_expressions)
        else:
            gen = PLAUSIBLE.get(key)
            clause[key] = draw(gen if gen is not None else junk)
    return clause


clauses = st.one_of(
    expression_mutated_clause(), expression_mutated_clause(), expression_mutated_clause(),
    st.sampled_from(REAL_CLAUSES).map(_copy),
    schema_mutated_clause(), random_clause(), junk,
)


@st.composite
def pasal_structures(draw):
    """A whole pasal file as a Python structure: mostly a valid frame around fuzzed clauses."""
    if draw(st.sampled_from([False] * 19 + [True])):
        return draw(junk)
    valid = st.sampled_from([True] * 9 + [False])  # most of the frame is well formed
    doc: dict = {}
    if draw(st.booleans()):
        doc["bab"] = {"number": "I", "title": {"id": "a", "en": "b"}} if draw(valid) else draw(junk)
    doc["pasal"] = draw(st.integers(1, 99)) if draw(valid) else draw(junk)
    doc["title"] = {"id": "Judul", "en": "Title"} if draw(valid) else draw(title)
    if draw(valid):
        doc["ayat"] = AYAT
    elif draw(st.booleans()):
        doc["ayat"] = draw(st.one_of(_list_of(st.fixed_dictionaries({"ayat": st.integers(0, 4), "text": st.text(max_size=10)})), junk))
    items = draw(st.lists(clauses, max_size=3))
    if draw(valid):
        items = [_copy(d) for d in DEFINITIONS] + items
    doc["clauses"] = items if draw(valid) else draw(junk)
    extra = draw(st.sampled_from([None] * 9 + ["not_encoded", "clause", "extra", "pasal"]))
    if extra is not None:
        doc[extra] = draw(junk)
    return doc


@st.composite
def yaml_texts(draw, structures) -> bytes:
    """Dump a structure, then maybe damage the text a little (tabs, anchors, duplicates, control chars)."""
    data = draw(structures)
    try:
        text = dump(data, draw(st.sampled_from([None, False, True])), draw(st.sampled_from([80, 20, 1000])))
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        text = repr(data)
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 2]))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["dup", "del", "swap", "tab", "anchor", "ctrl", "indent", "tag", "nothing", "nothing"]))
        if op == "dup":
            lines.insert(i, lines[i])
        elif op == "del":
            del lines[i]
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "tab":
            lines[i] = "\t" + lines[i]
        elif op == "anchor":
            lines[i] = lines[i].replace(": ", ": &a ", 1) + "x: *a\n"
        elif op == "ctrl":
            lines[i] = lines[i][:1] + draw(st.sampled_from(["\x00", "\x07", "\x1b", "\ufeff", "\u2028", "\x85", "\ud800"])) + lines[i][1:]
        elif op == "indent":
            lines[i] = " " + lines[i]
        elif op == "tag":
            lines[i] = lines[i].replace(": ", ": !!python/object:os.system ", 1)
    return "".join(lines).encode("utf-8", errors="surrogatepass")


pasal_texts = yaml_texts(pasal_structures())


# --- params.yaml structures ------------------------------------------------------------

REAL_PARAMS: dict = yaml.safe_load((KUTIM / "params.yaml").read_text(encoding="utf-8"))

param_value = st.fixed_dictionaries(
    {"from": st.one_of(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)), junk),
     "value": st.one_of(st.sampled_from([Decimal("0.40"), Decimal("0.30"), Decimal("1.5"), Decimal("0.5e-999999999"), 0,
                                         14_999_999_999, 15_000_000_000, -1, dt.date(2026, 1, 1)]), scalars),
     "reference": st.one_of(st.text(max_size=5), junk)},
    optional={"extra": junk})

PARAM_PLAUSIBLE = {
    "title": title,
    "unit": st.sampled_from(["ratio", "idr", "count", "date", "percent"]),
    "basis": st.sampled_from(["law", "draft", "custom"]),
    "values": st.lists(param_value, max_size=3),
    "higher_rule": st.fixed_dictionaries({"citation": st.text(max_size=5)}, optional={
        "min": scalars, "max": scalars, "from": st.one_of(st.dates(min_value=dt.date(1900, 1, 1)), junk)}),
    "note": st.one_of(st.text(max_size=5), junk),
}


@st.composite
def params_structures(draw):
    """params.yaml as a Python structure: mostly the real one with a few changes."""
    if draw(st.sampled_from([False] * 19 + [True])):
        return draw(junk)
    params = _copy(REAL_PARAMS) if draw(st.sampled_from([True, True, True, False])) else {}
    names = sorted(params) + PARAMS
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(names))
        op = draw(st.sampled_from(["value", "value", "value", "field", "field", "drop", "junk", "new"]))
        p = params.get(name)
        if op == "drop":
            params.pop(name, None)
        elif op == "junk":
            params[name] = draw(junk)
        elif op == "new" or not isinstance(p, dict):
            params[name] = draw(st.fixed_dictionaries({}, optional=PARAM_PLAUSIBLE))
        elif op == "value" and isinstance(p.get("values"), list) and p["values"]:
            i = draw(st.integers(0, len(p["values"]) - 1))
            entry = p["values"][i]
            if not isinstance(entry, dict):
                p["values"][i] = draw(param_value)
            else:
                key = draw(st.sampled_from(["value", "value", "from", "reference", "extra"]))
                entry[key] = draw(param_value.map(lambda d, key=key: d.get(key, d["value"])))
            if draw(st.booleans()):
                p["values"].append(draw(param_value))
        else:
            key = draw(st.sampled_from(sorted(PARAM_PLAUSIBLE) + ["bogus", "value"]))
            p[key] = draw(st.one_of(PARAM_PLAUSIBLE.get(key, junk), junk))
    return params


params_texts = yaml_texts(params_structures())

#: Raw bytes: random, or real YAML with bytes flipped, or unusual encodings.
raw_bytes = st.one_of(
    st.binary(max_size=300),
    st.tuples(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b"%YAML 1.1\n---\n", b"--- !!map\n"]),
              st.binary(max_size=100)).map(lambda t: t[0] + t[1]),
    st.text(max_size=100).map(lambda s: s.encode("utf-16")),
)


@st.composite
def flipped(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    return bytes(data)


raw_pasal_bytes = st.one_of(raw_bytes, flipped((KUTIM / "pasal-05.yaml").read_bytes()))
raw_params_bytes = st.one_of(raw_bytes, flipped((KUTIM / "params.yaml").read_bytes()))

# --- the tests -------------------------------------------------------------------------


@FUZZ
@given(text=pasal_texts)
def test_generated_pasal_files_compile_or_give_located_diagnostics(text):
    check_pasal(text)


@FUZZ
@given(text=raw_pasal_bytes)
def test_raw_bytes_as_a_pasal_file(text):
    check_pasal(text)


@settings(FUZZ, max_examples=30)
@given(text=params_texts)
def test_generated_params_files_compile_or_give_located_diagnostics(text):
    check_params(text)


@settings(FUZZ, max_examples=30)
@given(text=raw_params_bytes)
def test_raw_bytes_as_params_file(text):
    check_params(text)


def test_the_untouched_inputs_compile():
    # the fuzz starts from these: they must be valid, or every example is just an error
    assert check_pasal(SCALE) == "compiled"
    assert check_params((KUTIM / "params.yaml").read_bytes()) == "compiled"
    ids = {c["id"] for c in DEFINITIONS}  # KMT-06.1 and KMT-07 need pasal-02 (scale_computed)
    real = {"pasal": 90, "title": {"id": "a", "en": "b"}, "ayat": AYAT,
            "clauses": [_copy(c) for c in DEFINITIONS] + [_copy(c) for c in REAL_CLAUSES
                                                          if c["id"] not in ids | {"KMT-06.1", "KMT-07"}]}
    assert check_pasal(dump(real, None, 80).encode()) == "compiled"


# --- unsafe YAML: refused, quickly, in little memory ----------------------------------

_CHILD = textwrap.dedent("""\
    import json, resource, sys
    from pathlib import Path
    import perbup_rules as pr
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {}
    for root in sys.argv[1:]:
        try:
            pr.load_ruleset(root)
            codes = []
        except pr.InvalidRulesError as err:
            codes = [(d.code, d.location.file if d.location else None) for d in err.diagnostics]
        out[root] = {"codes": codes, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    print(json.dumps({"before_kb": before, "cases": out}))
""")


def _bomb() -> bytes:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


UNSAFE = {
    "alias_bomb": _bomb,
    "flow_nesting_10k": lambda: b"clauses: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
    "block_nesting_10k": lambda: b"clauses:\n  " + b"- " * 10_000 + b"x\n",
    "mapping_nesting_10k": lambda: b"clauses: " + b"{a: " * 10_000 + b"1" + b"}" * 10_000 + b"\n",
    "six_megabytes": lambda: b"pasal: 1\ntitle: {id: a, en: b}\nnote: \"" + b"x" * 6_000_000 + b"\"\n",
    "six_megabytes_of_comment": lambda: b"# " + b"y" * 6_000_000 + b"\npasal: 1\n",
}


@pytest.mark.parametrize("which", ["pasal", "params"])
def test_unsafe_yaml_is_refused_quickly_in_little_memory(tmp_path, which):
    roots = {}
    for name, make in UNSAFE.items():
        root = tmp_path / name
        root.mkdir()
        shutil.copy(KUTIM / "regulation.yaml", root / "regulation.yaml")
        if which == "pasal":
            shutil.copy(KUTIM / "params.yaml", root / "params.yaml")
            (root / "pasal-01.yaml").write_bytes(make())
        else:
            (root / "params.yaml").write_bytes(make())
        roots[str(root)] = root / ("pasal-01.yaml" if which == "pasal" else "params.yaml")
    # one child for all cases (it starts in ~0.5 s); the timeout is a hang guard only
    proc = subprocess.run([sys.executable, "-c", _CHILD, *roots], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    for root, target in roots.items():
        case = out["cases"][root]
        assert ["yaml_unsafe", str(target)] in case["codes"], (Path(root).name, case["codes"])
    # ru_maxrss (KiB on Linux) is the peak: a 6 MB file may be read, nothing may be expanded
    growth_mb = (max(c["peak_kb"] for c in out["cases"].values()) - out["before_kb"]) / 1024
    assert growth_mb < 40, f"peak memory grew by {growth_mb:.1f} MB"


# --- regressions found by this fuzz ----------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ('a: !!timestamp "1913-01-01 00:00:00-04:31:12"\n', "bad_date"),  # what yaml.dump writes for such a datetime
    ('a: !!timestamp "x"\n', "bad_date"),
    ('a: !!timestamp ""\n', "bad_date"),
    ('a: !!int ""\n', "wrong_type"),
    ('a: !!int "-"\n', "wrong_type"),
    ('a: !!bool "maybe"\n', "wrong_type"),
    ('a: !!null "x"\n', "wrong_type"),
])
def test_explicit_scalar_tag_on_wrong_text_is_a_diagnostic_not_a_crash(text, code):
    # was: AttributeError (timestamp), IndexError (int) escaping load_ruleset; !!bool/!!null
    # silently read any text as false/null
    from perbup_rules.source import load_yaml

    _data, diags = load_yaml(text, "f.yaml")
    assert [(d.code, d.location.line, d.location.column) for d in diags] == [(code, 1, 4)]
    root = fresh_folder(pasal=("title: {id: a, en: b}\npasal: " + text.split(": ", 1)[1]).encode())
    with pytest.raises(pr.InvalidRulesError) as err:
        pr.load_ruleset(root)
    assert [d.code for d in err.value.diagnostics] == [code]


@pytest.mark.parametrize("value", ["0.5e-999999999", "'0.5e-999999999'", "0.40000000000000000000000000001"])
def test_ratio_parameter_with_a_huge_negative_exponent_is_refused_not_a_hang(value):
    # was: compiled without error, and then every share clause using it hung in Fraction(at_least)
    # (Fraction(Decimal("5E-1000000000")) computes 10**1000000000)
    params = (KUTIM / "params.yaml").read_text(encoding="utf-8")
    i = params.index("local_material_share_min:")
    j = params.index("value: 0.50", i)
    params = params[:j] + f"value: {value}" + params[j + len("value: 0.50"):]
    root = fresh_folder(pasal=SCALE, params=params.encode(), pasal_files=PARAM_USERS)
    with pytest.raises(pr.InvalidRulesError) as err:
        pr.load_ruleset(root)
    first = next(d for d in err.value.diagnostics if d.severity == "error")
    assert (first.code, Path(first.location.file).name) == ("wrong_type", "params.yaml"), str(err.value)
    assert "local_material_share_min" in str(err.value)


def test_block_scalar_location_after_the_file_changes_in_the_same_process(tmp_path):
    # was: source.block_scalar_location cached each file's lines forever, so after an edit a
    # long-running process (the pytest plugin, an editor) pointed at the old file's line/column
    from regbuilder import write_regulation

    clause = """
- id: R-01
  kind: each
  over: purchases
  title: {id: Uji, en: Test}
  applies: >-
    value_idr <= 5 and
    nope == 1
  require: supplier.umkk
"""
    root = write_regulation(tmp_path / "reg", clause)

    def where():
        with pytest.raises(pr.InvalidRulesError) as err:
            pr.load_ruleset(root)
        [d] = err.value.diagnostics
        return d.location.line, d.location.column, d.source_line.strip()

    line, col, text = where()
    assert text.startswith("nope == 1") and col == 5 + 2
    f = root / "pasal-01.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("clauses:\n", "clauses:\n  # one\n  # two\n"), encoding="utf-8")
    assert where() == (line + 2, col, text)
