"""The compiler: golden Ruleset JSON, fingerprints, plain-JSON data, stage order."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import perbup_rules as pr
from perbup_rules.compiler import STAGES, check_regulation, stages
from perbup_rules.compiler.ruleset import RULESET_FORMAT, Ruleset
from perbup_rules.loader import load_files

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"
GOLDEN = HERE / "golden" / "mini_ruleset.json"
PLACEHOLDER = "<mini>"


def _replace_strings(data, old: str, new: str):
    if isinstance(data, dict):
        return {k: _replace_strings(v, old, new) for k, v in data.items()}
    if isinstance(data, list):
        return [_replace_strings(v, old, new) for v in data]
    if isinstance(data, str):
        return data.replace(old, new)
    return data


def portable(ruleset: Ruleset, root: Path) -> dict:
    """The ruleset's JSON with the folder it was loaded from replaced by a placeholder."""
    return _replace_strings(json.loads(ruleset.to_json()), str(root), PLACEHOLDER)


@pytest.fixture(scope="module")
def mini() -> Ruleset:
    return pr.load_ruleset(MINI)


def copy_mini(tmp_path: Path) -> Path:
    dst = tmp_path / "mini"
    shutil.copytree(MINI, dst)
    return dst


# --- golden ------------------------------------------------------------------------------------


def test_mini_ruleset_matches_golden(mini, update_golden):
    actual = portable(mini, MINI)
    text = json.dumps(actual, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    if update_golden:
        GOLDEN.write_text(text, encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert actual == expected, "ruleset changed; if intended, run pytest --update-golden"


def test_golden_does_not_depend_on_the_folder(tmp_path):
    rs = pr.load_ruleset(copy_mini(tmp_path))
    assert portable(rs, tmp_path / "mini") == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_mini_ruleset_shape(mini):
    d = mini.to_dict()
    assert d["format"] == RULESET_FORMAT
    assert d["regulation"] == {"id": "mini", "title": {"id": "Peraturan Mini", "en": "Mini Regulation"},
                               "version": "1", "status": "rancangan", "in_force_from": "2026-01-01"}
    assert [c["id"] for c in mini.clauses] == ["MINI-01", "MINI-02", "MINI-03", "MINI-04"]
    assert [c["kind"] for c in mini.clauses] == ["classify", "each", "share", "exists"]
    assert d["derived"] == ["MINI-01"]
    assert mini.params["share_min"]["values"] == [
        {"from": "2021-02-02", "value": "0.40", "reference": "Perpres 12/2021 Pasal 65 ayat (3)"},
        {"from": "2027-01-01", "value": "0.50", "reference": "Rancangan Pasal 1 ayat (3)"},
    ]
    assert mini.params["reserved_max"]["values"][0]["value"] == "2500000000"
    assert mini.params["share_min"]["higher_rule"] == {
        "min": "0.40", "max": None, "citation": "Perpres 16/2018 Pasal 65", "from": "2021-02-02"}
    each = mini.clause("MINI-02")
    assert each["citation"] == "Pasal 1 ayat (2)"
    assert each["text"] == "Paket sampai pagu yang dicadangkan diberikan kepada UMKK."
    assert each["unless"] == [{"id": "technical", "title": {"id": "alasan teknis", "en": "technical reason"}}]
    assert set(each["decisions"]["verdict"]["outcomes"]) >= {"compliant", "violation", "exception:0", "cannot_determine"}
    exists = mini.clause("MINI-04")
    assert exists["remedy"]["pattern"] == ["rantai_pasok"]
    # where and prefer are decisions of the clause (the engine decides them: perbup_rules.candidates)
    assert exists["remedy"]["candidates"] == {"where": "candidates", "prefer": ["candidates_prefer_0"]}
    assert exists["decisions"]["candidates_prefer_0"]["atoms"][0]["op"] == "cmp"
    assert exists["decisions"]["candidates"]["outcomes"].keys() == {"t", "f", "u"}
    assert exists["valid_until"] == "2030-12-31"
    assert mini.id == "mini"
    assert mini.fingerprint.startswith("sha256:") and len(mini.short_id()) == 16
    with pytest.raises(KeyError):
        mini.clause("MINI-99")


# --- fingerprint ---------------------------------------------------------------------------------

REFORMATTED_PARAMS = """\
# The same parameters: keys reordered, flow style, other indentation, comments.
reserved_max:
    basis: law
    unit: idr          # rupiah
    values:
        -   reference: Perpres 16/2018 Pasal 65 ayat (4)
            value: 2_500_000_000
            from: 2018-03-22
        - {value: 15000000000, from: 2021-02-02, reference: Perpres 12/2021 Pasal 65 ayat (4)}
    title:
        en: Reserved package ceiling
        id: Pagu paket yang dicadangkan
share_min:
    values:
        - {from: 2021-02-02, value: 0.40, reference: "Perpres 12/2021 Pasal 65 ayat (3)"}
        - {from: 2027-01-01, value: 0.50, reference: 'Rancangan Pasal 1 ayat (3)'}
    higher_rule: {from: 2021-02-02, citation: Perpres 16/2018 Pasal 65, min: 0.40}
    basis: law
    unit: ratio
    title: {en: Minimum UMKK share, id: Porsi minimal UMKK}
"""

REFORMATTED_PASAL = """\
# Reformatted: same meaning.
title: {en: Mini Provisions, id: Ketentuan Mini}
pasal: 1
clauses:
    -   kind: classify
        id: MINI-01
        title: {en: Who counts as UMKK, id: Penggolongan UMKK}
        ayat: 1
        default: null
        attribute: umkk
        cases:
            -   value: true
                when: >-
                    legal_form == "koperasi"
                    or scale in ["mikro",   "kecil"]
            - {value: false, when: 'scale in ["menengah", "besar"]'}
    -   id: MINI-02
        over: purchases
        kind: each
        ayat: 2
        title: {id: Paket kecil untuk UMKK, en: Small packages go to UMKK}
        require: "supplier.umkk"
        applies: buyer.kind=="perangkat_daerah" and (value_idr <= params.reserved_max)
        valid_from: 2021-02-02
        unless:
            - title: {en: technical reason, id: alasan teknis}
              when: known( exemption_reason )
              id: technical
    -   id: MINI-03
        kind: share
        title: {id: Porsi UMKK, en: UMKK share}
        ayat: 3
        valid_from: 2021-02-02
        at_least: params.share_min
        total: value_idr
        per_stage: true
        subject: buyer_id
        applies: buyer.kind == "perangkat_daerah"
        part:
            - {value_from: umk_value_idr, when: known(umk_value_idr)}
            - value_from: value_idr
              when: supplier.umkk
    -   id: MINI-04
        kind: exists
        over: parties
        ayat: 4
        title: {id: Hotel bermitra, en: Hotels partner}
        valid_until: 2030-12-31
        valid_from: 2026-01-01
        applies: kind == "hotel"
        categories:
            - makanan
        related: partnerships
        link: party_id
        match: |-
            written and partner.umkk and category in categories and start_date <= period.end
        remedy:
            candidates:
                prefer:
                    - candidate.kecamatan == subject.kecamatan
                where: candidate.umkk and category in candidate.supplies
            pattern: [rantai_pasok]
            party: id
ayat:
    - {text: Koperasi dan usaha mikro atau kecil adalah UMKK., ayat: 1}
    - {text: Paket sampai pagu yang dicadangkan diberikan kepada UMKK., ayat: 2}
    - {text: "Setiap Perangkat Daerah membelanjakan paling sedikit {{share_min}} untuk UMKK.", ayat: 3}
    - {text: Hotel bermitra dengan UMKK untuk makanan., ayat: 4}
"""


def test_fingerprint_ignores_layout(mini, tmp_path):
    root = copy_mini(tmp_path)
    (root / "params.yaml").write_text(REFORMATTED_PARAMS, encoding="utf-8")
    (root / "pasal-01.yaml").write_text(REFORMATTED_PASAL, encoding="utf-8")
    (root / "regulation.yaml").write_text(
        "in_force_from: 2026-01-01\nissuer: Bupati Contoh   # comment\nstatus: rancangan\n"
        "version: '1'\ntitle:\n    en: Mini Regulation\n    id: Peraturan Mini\nid: mini\n", encoding="utf-8")
    rs = pr.load_ruleset(root)
    # locations do differ, and are not part of the fingerprint
    assert rs.clause("MINI-02")["location"] != mini.clause("MINI-02")["location"]
    assert rs.fingerprint == mini.fingerprint


def test_fingerprint_ignores_the_folder(mini, tmp_path):
    assert pr.load_ruleset(copy_mini(tmp_path)).fingerprint == mini.fingerprint


@pytest.mark.parametrize("file,old,new", [
    ("params.yaml", "value: 0.40\n      reference: Perpres 12/2021", "value: 0.45\n      reference: Perpres 12/2021"),
    ("params.yaml", "value: 15000000000", "value: 15000000001"),
    ("params.yaml", "- from: 2027-01-01", "- from: 2027-07-01"),
    ("pasal-01.yaml", "value_idr <= params.reserved_max", "value_idr < params.reserved_max"),
    ("pasal-01.yaml", 'scale in ["mikro", "kecil"]', 'scale in ["mikro"]'),
    ("pasal-01.yaml", "valid_until: 2030-12-31", "valid_until: 2031-12-31"),
    ("pasal-01.yaml", "text: Hotel bermitra dengan UMKK untuk makanan.", "text: Hotel bermitra dengan UMKK."),
])
def test_fingerprint_changes_with_meaning(mini, tmp_path, file, old, new):
    root = copy_mini(tmp_path)
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    rs = pr.load_ruleset(root)
    assert rs.fingerprint != mini.fingerprint


def test_fingerprint_is_deterministic(mini):
    again = pr.load_ruleset(MINI)
    assert again.fingerprint == mini.fingerprint
    assert Ruleset.from_data(copy.deepcopy(mini.data)).fingerprint == mini.fingerprint


# --- plain data -----------------------------------------------------------------------------------


def test_to_dict_returns_a_copy(mini):
    before = json.loads(mini.to_json())
    d = mini.to_dict()
    d["clauses"][0]["id"] = "CHANGED"
    d["clauses"][1]["decisions"]["verdict"]["atoms"].clear()
    d["params"]["share_min"]["values"][0]["value"] = "0.01"
    d["regulation"]["id"] = "other"
    d["fingerprint"] = "sha256:0"
    assert json.loads(mini.to_json()) == before
    assert mini.clause("MINI-01")["id"] == "MINI-01"
    assert mini.id == "mini"
    assert mini.to_dict()["fingerprint"] == mini.fingerprint


def _non_json(data, path="$"):
    """Every place in ``data`` holding something that is not a plain JSON type."""
    bad = []
    if isinstance(data, dict):
        for k, v in data.items():
            if not isinstance(k, str):
                bad.append((f"{path}[{k!r}] (key)", type(k).__name__))
            bad += _non_json(v, f"{path}.{k}")
    elif isinstance(data, list):
        for i, v in enumerate(data):
            bad += _non_json(v, f"{path}[{i}]")
    elif not (data is None or isinstance(data, (str, int, bool))) or isinstance(data, float):
        bad.append((path, type(data).__name__))
    return bad


def test_mini_ruleset_is_plain_json(mini):
    d = mini.to_dict()
    assert _non_json(d) == []
    assert json.loads(json.dumps(d)) == d  # no default=: only JSON types
    assert json.loads(mini.to_json()) == d


def test_bundled_ruleset_is_plain_json():
    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    d = rs.to_dict()
    assert _non_json(d) == []
    assert json.loads(json.dumps(d)) == d


def test_decimal_and_date_literals_leave_no_python_objects(tmp_path):
    # BUG: a decimal (0.5) or date("...") literal inside a condition is stored in the
    # clause's atoms as Decimal/date objects; to_json() hides this with default=str
    # (so they come back as plain strings), and json.dumps(to_dict()) fails.
    root = copy_mini(tmp_path)
    path = root / "pasal-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(
        "    require: supplier.umkk\n",
        '    require: supplier.umkk and date >= date("2021-02-02") and value_idr >= 0.5\n'), encoding="utf-8")
    rs = pr.load_ruleset(root)
    atoms = rs.clause("MINI-02")["decisions"]["verdict"]["atoms"]
    consts = [a["right"]["value"] for a in atoms if a.get("op") == "cmp" and a["right"]["op"] == "const"]
    assert not any(isinstance(v, (Decimal, dt.date)) for v in consts), consts
    d = rs.to_dict()
    assert _non_json(d) == []
    assert json.loads(json.dumps(d)) == d


# --- stages ------------------------------------------------------------------------------------------

DOCUMENTED_STAGES = ["check_ids", "check_params", "check_validity", "derive_attributes", "compile_clauses", "check_dates",
                     "check_text"]


def test_stage_names_in_documented_order():
    assert [name for name, _ in STAGES] == DOCUMENTED_STAGES
    # the module docstring lists them in the same order
    doc = stages.__doc__
    positions = [doc.index(f"``{name}``") for name in DOCUMENTED_STAGES]
    assert positions == sorted(positions)
    # each stage is the function of that name
    for name, fn in STAGES:
        assert fn is getattr(stages, name)


def test_derive_attributes_runs_before_compile_clauses():
    names = [name for name, _ in STAGES]
    assert names.index("derive_attributes") < names.index("compile_clauses")
    assert names.index("check_params") < names.index("compile_clauses")


def test_check_regulation_reports_without_raising(tmp_path):
    root = copy_mini(tmp_path)
    path = root / "pasal-01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("require: supplier.umkk", "require: supplier.umk"),
                    encoding="utf-8")
    build, diags = check_regulation(load_files(root))
    assert [d.code for d in diags] == ["unknown_path"]
    assert diags[0].clause == "MINI-02"
    with pytest.raises(pr.InvalidRulesError) as info:
        pr.compile_ruleset(load_files(root))
    assert [d.code for d in info.value.diagnostics] == ["unknown_path"]
