"""Bahasa Indonesia first: one catalogue, every message in both languages, the CLI in the drafter's
language, explanations as sentences, and the measured value of a finding being what it failed."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

import perbup_rules as pr
from perbup_rules import i18n, records, schema
from perbup_rules.cli import main
from perbup_rules.findings import Status
from perbup_rules.i18n import catalogue, phrases
from perbup_rules.i18n.catalogue import MESSAGES

SRC = Path(pr.__file__).parent
RULES = Path(__file__).resolve().parents[1] / "rules" / "kutim-kemitraan"


# --- the catalogue ------------------------------------------------------------------------------------


@pytest.mark.parametrize("msgid", sorted(MESSAGES))
def test_every_message_has_indonesian_and_english(msgid):
    entry = MESSAGES[msgid]
    assert set(entry) == {"id", "en"}, msgid
    assert entry["id"].strip() and entry["en"].strip(), f"{msgid} lacks a text"
    assert i18n.placeholders(entry["id"]) == i18n.placeholders(entry["en"]), f"{msgid}: placeholders differ"


def _named_ids() -> set[tuple[str, str]]:
    """(module, id) of every literal message id the code names: t("x"), msg("x"), both("x"), Msg("x")."""
    out = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                first = node.args[0]
                if name in ("t", "msg", "both", "Msg") and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    out.add((str(path.relative_to(SRC)), first.value))
    return out


def test_every_id_the_code_names_is_in_the_catalogue():
    named = _named_ids()
    assert len(named) > 100  # the walk found the calls
    missing = sorted((mod, mid) for mod, mid in named if mid not in MESSAGES)
    assert not missing, missing


def test_the_phrase_table_covers_the_schema():
    """Every field, relation and code of schema.py has its words, so explanations never fall back to
    a programmer's name for anything the canonical contract defines."""
    for table, fields in schema.TABLE_FIELDS.items():
        for name in fields:
            assert f"field.{name}" in MESSAGES, (table, name)
        assert f"noun.{table}" in MESSAGES
    for rels in schema.RELATIONS.values():
        for rel in rels:
            assert f"rel.{rel}" in MESSAGES
    for field, codes in {**schema.CODES, "desa_reason_code": records.DESA_REASON_CODES}.items():
        for code in codes:
            assert f"code.{field}.{code}" in MESSAGES, (field, code)
    for table, fields in schema.TABLE_FIELDS.items():
        for name, typ in fields.items():
            if typ == schema.BOOL:
                assert f"bool.{name}.yes" in MESSAGES and f"bool.{name}.no" in MESSAGES, name
    for op in ("eq", "ne", "le", "lt", "ge", "gt"):
        for tf in "tf":
            assert f"op.{op}.{tf}" in MESSAGES
            if op not in ("eq", "ne"):
                assert f"op.date.{op}.{tf}" in MESSAGES
    for s in Status:
        assert f"status.{s.value}" in MESSAGES and f"report.short.{s.value}" in MESSAGES
        assert f"report.label.status.{s.value}" in MESSAGES
    for stage in records.STAGES:
        assert f"report.label.stage.{stage}" in MESSAGES and f"code.stage.{stage}" in MESSAGES


def _literals_outside_calls(node: ast.AST) -> list[str]:
    """String constants of an expression, not counting the arguments of calls (the message ids of t())."""
    if isinstance(node, ast.Call):
        return []
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant)]
    return [s for child in ast.iter_child_nodes(node) for s in _literals_outside_calls(child)]


def _user_literals(path: Path) -> list[str]:
    """String literals with words handed straight to the user: click.echo / fail / UsageError /
    BadParameter / warnings with a literal (or an f-string with literal words) as the message."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name not in ("echo", "secho", "fail", "UsageError", "BadParameter", "ClickException"):
            continue
        first = node.args[0]
        parts: list[str] = []
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            parts = [first.value]
        elif isinstance(first, ast.JoinedStr):
            parts = [v.value for v in first.values if isinstance(v, ast.Constant)]
        elif isinstance(first, (ast.BinOp, ast.IfExp)):  # "perbup: " + t(...); a if c else b
            parts = _literals_outside_calls(first)
        words = [p for p in parts if re.search(r"[A-Za-z]{3,}", p.replace("perbup", ""))]
        if words:
            found.append(f"{path.name}:{node.lineno}: {words}")
    return found


#: CLI modules allowed to print literals outside the catalogue (none left)
NOT_YET: set[str] = set()


def test_cli_modules_say_nothing_outside_the_catalogue():
    offenders = []
    for path in sorted((SRC / "cli").glob("*.py")):
        if path.name not in NOT_YET:
            offenders += _user_literals(path)
    assert not offenders, offenders


def test_the_literal_scan_sees_a_bypass(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('import click\nclick.echo(f"wrote {x} files")\nfail("no such clause")\nclick.echo(t("cli.x"))\n'
                   'fail("perbup: " + t("cli.y"))\nfail("perbup: missing " + t("cli.y"))\n')
    assert len(_user_literals(bad)) == 3


# --- the language -----------------------------------------------------------------------------------


@pytest.mark.parametrize("env, lang", [
    ({"LANG": "id_ID.UTF-8"}, "id"),
    ({"LANG": "id"}, "id"),
    ({"LANG": "in_ID"}, "id"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "en_GB"}, "en"),
    ({"LANG": "C.UTF-8"}, "id"),
    ({"LANG": "POSIX"}, "id"),
    ({"LANG": "fr_FR.UTF-8"}, "id"),
    ({}, "id"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "id_ID.UTF-8"}, "id"),
    ({"LANG": "id_ID.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    ({"LANG": "id_ID.UTF-8", "LC_ALL": ""}, "id"),
])
def test_language_from_the_locale(env, lang):
    assert i18n.lang_from_env(env) == lang


def test_set_lang_refuses_other_languages():
    with pytest.raises(ValueError):
        i18n.set_lang("fr")


def test_missing_placeholders_show_not_raise():
    assert i18n.t("cli.test.totals", "id", passed=1) == "1 lulus, {failed} gagal"


def test_msg_is_english_text_and_speaks_indonesian():
    m = i18n.msg("diag.unknown_key", key="'x'")
    assert m == "unknown key 'x'" and isinstance(m, str)
    assert m.text("id") == "kunci 'x' tidak dikenal"
    import pickle

    assert pickle.loads(pickle.dumps(m)).text("id") == m.text("id")
    with pytest.raises(KeyError):
        i18n.msg("no.such.id")


# --- the CLI speaks Indonesian --------------------------------------------------------------------


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def test_check_in_indonesian_with_lang_and_by_locale():
    out = run("--lang", "id", "check").output
    assert re.search(r"kutim-kemitraan: \d+ ketentuan, \d+ parameter, 0 galat, 0 peringatan, sidik sha256:", out)
    by_locale = run("check", env={"LANG": "id_ID.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}).output
    assert by_locale == out
    unsure = run("check", env={"LANG": "C", "LC_ALL": None, "LC_MESSAGES": None}).output
    assert unsure == out
    english = run("--lang", "en", "check").output
    assert re.search(r"\d+ clauses, \d+ parameters, 0 errors, 0 warnings, fingerprint", english)


def test_test_in_indonesian():
    out = run("--lang", "id", "test", "-k", "Rp14 miliar").output
    assert "LULUS " in out and "PASS" not in out
    assert re.search(r"^\d+ lulus, 0 gagal$", out, re.M)


def test_check_diagnostics_in_indonesian(tmp_path):
    rules = tmp_path / "r"
    shutil.copytree(RULES, rules)
    p = rules / "pasal-04.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("supplier.umkk", "supplier.umk", 1), encoding="utf-8")
    res = run("--lang", "id", "check", str(rules))
    assert res.exit_code == 2
    assert "unknown_path: nama 'umk' di bawah 'supplier' tidak dikenal; maksud Anda" in res.output
    assert "pada ketentuan KMT-03" in res.output
    assert re.search(r"1 galat, 0 peringatan, tidak terkompilasi$", res.output.strip())
    en = run("--lang", "en", "check", str(rules)).output
    assert "unknown_path: unknown name 'umk' under 'supplier'; did you mean" in en and "in clause KMT-03" in en


def test_explain_in_indonesian_reads_as_sentences():
    out = run("--lang", "id", "explain", "--clause", "KMT-03", "--subject", "awd-2025-000004").output
    assert "tahap paket pemilihan, bukan perencanaan" in out
    assert "nilai paket Rp8.160.094.000 tidak melebihi batas Rp15.000.000.000" in out
    assert "penyedia bukan UMKK" in out
    assert "status: pelanggaran" in out
    for code in ('==', '!=', 'params.', 'stage = ', '"plan"'):
        assert code not in out, code
    en = run("--lang", "en", "explain", "--clause", "KMT-03", "--subject", "awd-2025-000004").output
    assert "stage of the package is award, not planning" in en and "the supplier is not UMKK" in en


def test_audit_and_compare_in_indonesian():
    out = run("--lang", "id", "audit", "-q").output
    assert "Ringkasan per ketentuan" in out and "Temuan: pelanggaran" in out
    cmp = run("--lang", "id", "compare", str(RULES), "--set", "params.umkk_share_min=0.45").output
    assert "Aturan:" in cmp and "parameter umkk_share_min mulai" in cmp
    assert "Putusan: 0 berubah" in cmp  # no --data: no verdicts to flip


def test_import_in_indonesian(tmp_path):
    out = run("--lang", "id", "import", str(pr.EXAMPLE_DATA), "-o", str(tmp_path / "o")).output
    assert out.startswith("membaca ") and "tabel" in out and "diterima" in out and "menulis " in out
    assert "alasan penolakan terbanyak:" in out


def test_missing_path_in_indonesian(tmp_path):
    res = run("--lang", "id", "check", str(tmp_path / "nope"))
    assert res.exit_code == 2 and "file_not_found: berkas atau folder tidak ada" in res.output


def test_explain_unknown_clause_in_indonesian():
    res = run("--lang", "id", "explain", "--clause", "KMT-99", "--subject", "x")
    assert res.exit_code == 2 and "tidak ada ketentuan 'KMT-99'; ketentuan yang ada: DEF-02" in res.output


# --- explanations of any clause are sentences -------------------------------------------------------

CODE_NOTATION = re.compile(r'==|!=|<=|>=|params\.|known\(|"|\[|\]|\b[a-z]+_[a-z_]+\b')


def _bundled_sentences():
    """Every verdict atom of every bundled clause, as a sentence, for a record where it is true,
    false and unknown (values from the bundled example)."""
    ruleset = pr.load_ruleset(RULES)
    dataset = pr.load_dataset(pr.EXAMPLE_DATA)
    from perbup_rules.atoms import Compiled, Ctx, Env, Missing
    from perbup_rules.params import ParamTable

    env = Env(parties=dataset.parties, purchases_by_id={p.id: p for p in dataset.purchases},
              params=ParamTable(ruleset.params), default_year=2025)
    rec = dataset.purchases[0]
    out = []
    for clause in ruleset.clauses:
        for name, dec in clause.get("decisions", {}).items():
            table = clause.get("related") if name == "match" else clause.get("over", "purchases")
            if table not in schema.TABLE_FIELDS:
                table = "purchases" if clause["kind"] == "share" else "parties"
            comp = Compiled(env, table, clause.get("over"))
            for atom in dec["atoms"]:
                if atom["op"] in ("in_force", "fact"):
                    continue
                for value in "tfu":
                    for lang in ("id", "en"):
                        def get(node, _v=value):
                            if node["op"] == "const":
                                return comp.value(node)(None)
                            return Missing("x") if _v == "u" else _sample(node, rec)
                        out.append((clause["id"], atom, value, lang,
                                    phrases.sentence(atom, value, get, lang, table, clause.get("over"),
                                                     lambda v: isinstance(v, Missing))))
    return out


def _sample(node, rec):
    """A plausible value for a path or parameter (its type from the schema)."""
    if node["op"] == "param":
        return 15000000000
    typ = phrases.path_info(node["path"], "purchases")[2]
    return {schema.MONEY: 80000000, schema.INT: 3, schema.DATE: __import__("datetime").date(2025, 3, 1),
            schema.BOOL: True, schema.LIST: ("makanan",), schema.RATIO: __import__("decimal").Decimal("0.4"),
            schema.CODE: "award"}.get(typ, "kecil")


def test_every_bundled_condition_reads_as_a_sentence():
    sentences = _bundled_sentences()
    assert len(sentences) > 100
    for cid, atom, value, lang, text in sentences:
        assert text and CODE_NOTATION.search(text) is None, (cid, atom.get("op"), value, lang, text)


def test_the_issue_example():
    """"nilai pagu paket Rp80.000.000 tidak melebihi batas Rp15.000.000.000"."""
    from perbup_rules import expr

    atom = expr.parse("pagu_idr <= params.umkk_reserved_max")
    get = {"path": 80_000_000, "param": 15_000_000_000}
    say = lambda v, lang: phrases.sentence(atom, v, lambda n: get.get(n["op"]), lang, "purchases")  # noqa: E731
    assert say("t", "id") == "nilai pagu paket Rp80.000.000 tidak melebihi batas Rp15.000.000.000"
    assert say("f", "id") == "nilai pagu paket Rp80.000.000 melebihi batas Rp15.000.000.000"
    assert say("t", "en") == "budget ceiling (pagu) of the package Rp80.000.000 does not exceed the limit Rp15.000.000.000"
    stage = expr.parse('stage == "plan"')
    assert phrases.sentence(stage, "f", lambda n: "award" if n["op"] == "path" else "plan", "id", "purchases") \
        == "tahap paket pemilihan, bukan perencanaan"


@settings(max_examples=60, deadline=None)
@given(field=st.sampled_from(sorted(n for n, t in schema.PURCHASE_FIELDS.items() if t in schema.NUMERIC)),
       op=st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
       value=st.integers(min_value=0, max_value=10**13), limit=st.integers(min_value=0, max_value=10**13),
       truth=st.sampled_from("tfu"), lang=st.sampled_from(["id", "en"]))
def test_any_drafted_comparison_reads_as_a_sentence(field, op, value, limit, truth, lang):
    """A comparison a drafter writes on any numeric field, against a parameter or a number, says in words
    what held, with the values, and no code."""
    from perbup_rules import expr
    from perbup_rules.atoms import Missing

    for right in ("params.some_limit", str(limit)):
        atom = expr.parse(f"{field} {op} {right}")

        def get(n):
            if truth == "u" and n["op"] == "path":
                return Missing(field)
            return value if n["op"] == "path" else limit if n["op"] == "param" else limit

        text = phrases.sentence(atom, truth, get, lang, "purchases", None, lambda v: isinstance(v, Missing))
        assert CODE_NOTATION.search(text) is None, text
        label = phrases.path_label([field], "purchases", lang)
        assert text.startswith(label) or label in text
        if truth != "u":
            shown = phrases.rupiah(value) if schema.PURCHASE_FIELDS[field] == schema.MONEY else str(value)
            assert shown in text


def test_a_drafters_own_attribute_reads_with_its_name():
    from perbup_rules import expr

    atom = expr.parse("supplier.binaan_dinas")
    assert phrases.sentence(atom, "t", lambda n: True, "id", "purchases") == "penyedia: binaan dinas ya"
    assert phrases.sentence(atom, "f", lambda n: False, "en", "purchases") == "the supplier: binaan dinas no"


# --- measured is the value that failed ----------------------------------------------------------------

EACH = """\
pasal: 1
title: {id: Uji, en: Test}
ayat:
  - ayat: 1
    text: Uji.
clauses:
  - id: R-01
    kind: each
    ayat: 1
    over: purchases
    title: {id: Paket kecil ke UMKK, en: Small packages to UMKK}
    valid_from: 2021-01-01
    applies: value_idr <= params.cap
    require: umk_value_idr >= params.floor
"""


PARAMS = """\
cap:
  title: {id: Batas, en: Cap}
  unit: idr
  basis: draft
  values:
    - {from: 2020-01-01, value: 1000, reference: test}
floor:
  title: {id: Bagian UMK minimal, en: Minimum UMK part}
  unit: idr
  basis: draft
  values:
    - {from: 2020-01-01, value: 300, reference: test}
"""


def test_measured_is_the_required_value_not_the_ceiling(tmp_path):
    """A violation is measured by what it failed (the UMK part against the floor); a record the
    ceiling leaves out by its value against the ceiling; never the other way round."""
    import datetime as dt

    from perbup_rules.records import Dataset, Party, Purchase

    root = tmp_path / "reg"
    root.mkdir()
    (root / "regulation.yaml").write_text("id: t\ntitle: {id: Uji, en: Test}\nversion: '1'\nstatus: rancangan\n")
    (root / "params.yaml").write_text(PARAMS)
    (root / "pasal-01.yaml").write_text(EACH)
    rs = pr.load_ruleset(root)
    parties = [Party("pd", "Dinas", "perangkat_daerah"), Party("s", "PT", "company", "pt")]
    day = dt.date(2025, 3, 1)

    def buy(pid, value, umk):
        return Purchase(pid, "award", "pd", "k", "s", "atk", "barang", value_idr=value, umk_value_idr=umk, date=day)

    report = pr.evaluate(rs, Dataset.build(parties, [buy("low", 800, 100), buy("ok", 800, 500), buy("big", 5000, 0)]),
                         "reference")
    got = {f.subject: (f.status, f.measured, f.threshold) for f in report.findings}
    assert got["low"] == (Status.VIOLATION, "100", "300")
    assert got["ok"] == (Status.COMPLIANT, "500", "300")
    assert got["big"] == (Status.NOT_APPLICABLE, "5000", "1000")
    low = next(f for f in report.findings if f.subject == "low")
    assert "nilai bagian UMK paket Rp100 kurang dari batas Rp300" in low.explanation.id
    assert "nilai paket Rp800 tidak melebihi batas Rp1.000" in low.explanation.id
    assert report.clauses[0]["unit"] == "idr"


def test_kmt03_violation_has_no_ceiling_as_measured():
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    report = pr.evaluate(pr.load_ruleset(RULES), ds, "reference", clauses=["KMT-03"])
    viol = [f for f in report.findings if f.clause == "KMT-03" and f.status is Status.VIOLATION]
    na = [f for f in report.findings if f.clause == "KMT-03" and f.status is Status.NOT_APPLICABLE and f.threshold]
    assert viol and all(f.measured is None and f.threshold is None for f in viol)
    # a package KMT-03 leaves out shows the ceiling in force on its date: above it for those the
    # ceiling leaves out (other packages are out by buyer, type or date)
    assert na and any(int(f.measured) > int(f.threshold) for f in na)


def test_help_texts_in_indonesian():
    """--help texts are read when a command's module is imported, after --lang: a fresh process."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(SRC.parent), "LANG": "id_ID.UTF-8"}
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    out = subprocess.run([sys.executable, "-c", "from perbup_rules.cli import main; main()", "audit", "--help"], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert "Mengaudit catatan pengadaan" in out and "Tahun anggaran yang dinilai" in out
    out = subprocess.run([sys.executable, "-c", "from perbup_rules.cli import main; main()", "--lang", "en", "audit", "--help"], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert "Audit procurement and partnership records" in out
