"""``perbup check`` and ``perbup test`` through click's CliRunner."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import perbup_rules as pr
from perbup_rules.cli import main

RULES = Path(pr.BUNDLED_RULES).resolve()


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def copy_rules(dest: Path, with_tests: bool = False) -> Path:
    dest.mkdir(parents=True)
    for f in RULES.glob("*.yaml"):
        shutil.copyfile(f, dest / f.name)
    if with_tests:
        shutil.copytree(RULES / "tests", dest / "tests")
    return dest


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (once) in a file; return the 1-based line of the change."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


# --- perbup check ----------------------------------------------------------------------

def test_check_on_the_bundled_draft_is_clean():
    result = invoke("check")
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"kutim-kemitraan: \d+ clauses, \d+ parameters, 0 errors, 0 warnings, fingerprint sha256:[0-9a-f]{64}", last), last
    assert last.endswith(pr.load_ruleset(RULES).fingerprint)


@pytest.fixture
def broken(tmp_path) -> tuple[Path, dict[str, tuple[str, int]]]:
    """A copy of the draft with five kinds of mistakes, each in a place of its own."""
    root = copy_rules(tmp_path / "broken")
    expected = {
        # a typo in a key: the whole pasal file is refused, with a did-you-mean
        "typo key": ("pasal-04.yaml", edit(root / "pasal-04.yaml", "    applies: >-", "    aplies: >-"), "unknown_field"),
        "unknown parameter": ("pasal-07.yaml", edit(root / "pasal-07.yaml", "at_least: params.uniform_local_share_min",
                                                     "at_least: params.uniform_local_share_mn"), "unknown_parameter"),
        "bad expression": ("pasal-06.yaml", edit(root / "pasal-06.yaml", 'perangkat_daerah" and category',
                                                  'perangkat_daerah" and and category'), "expr_syntax"),
        "duplicate id": ("pasal-07.yaml", edit(root / "pasal-07.yaml", "  - id: KMT-12.2", "  - id: KMT-12.1"), "duplicate_id"),
        "bad date": ("pasal-08.yaml", edit(root / "pasal-08.yaml", "valid_from: 2025-04-30", "valid_from: 2025-04-31"), "bad_date"),
    }
    return root, expected


def test_check_lists_every_problem_with_file_line_column_and_code(broken):
    root, expected = broken
    result = invoke("check", str(root))
    assert result.exit_code == 2, result.output
    out = result.stdout
    for what, (name, line, code) in expected.items():
        pattern = rf"^{re.escape(str(root / name))}:{line}:(\d+): {code}: "
        found = re.search(pattern, out, re.M)
        assert found, f"{what}: no line matching {pattern!r} in:\n{out}"
        assert int(found.group(1)) > 0
    assert "did you mean 'applies'" in out
    assert "did you mean params.uniform_local_share_min" in out
    assert "Traceback" not in result.output
    summary = re.search(r"^kutim-kemitraan: \d+ clauses, 19 parameters, (\d+) errors, 0 warnings, not compiled$", out, re.M)
    assert summary and int(summary.group(1)) >= len(expected), out


def test_check_shows_the_offending_line_with_a_caret(broken):
    root, _ = broken
    out = invoke("check", str(root)).stdout
    block = out[out.index("expr_syntax"):].splitlines()
    assert "and and category" in block[1]
    assert block[2].strip() == "^"
    assert block[1].index("and and") + len("and ") == block[2].index("^")


def test_check_json_lists_the_same_problems(broken):
    root, expected = broken
    result = invoke("check", str(root), "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["regulation"] == "kutim-kemitraan" and data["fingerprint"] is None
    assert data["errors"] == len(data["diagnostics"])
    seen = {(Path(d["location"]["file"]).name, d["location"]["line"], d["code"]) for d in data["diagnostics"]}
    for name, line, code in expected.values():
        assert (name, line, code) in seen


def test_check_json_on_the_bundled_draft():
    result = invoke("check", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["clauses"] >= 17 and data["parameters"] >= 12
    assert (data["errors"], data["diagnostics"]) == (0, [])
    assert data["fingerprint"].startswith("sha256:")


def test_dump_ruleset_prints_the_compiled_json():
    result = invoke("check", "--dump-ruleset")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["fingerprint"] == pr.load_ruleset(RULES).fingerprint
    assert {c["id"] for c in data["clauses"]} >= {"DEF-01", "KMT-03", "KMT-16"}


def test_dump_ruleset_of_a_broken_draft_exits_2_with_the_problems_on_stderr(broken):
    root, _ = broken
    result = invoke("check", str(root), "--dump-ruleset")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "expr_syntax" in result.stderr


def test_check_of_a_missing_folder_exits_2(tmp_path):
    result = invoke("check", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "file_not_found" in result.stderr and "Traceback" not in result.output


def test_a_problem_inside_a_folded_condition_is_located_at_its_own_line(tmp_path):
    root = copy_rules(tmp_path / "folded")
    line = edit(root / "pasal-05.yaml", 'and stage in ["award", "contract"]',
                'and value_idr > params.umkk_reserve_max and stage in ["award", "contract"]')
    out = invoke("check", str(root)).stdout
    col = (root / "pasal-05.yaml").read_text(encoding="utf-8").splitlines()[line - 1].index("params.") + 1
    assert f"pasal-05.yaml:{line}:{col}: unknown_parameter" in out, out


# --- perbup test -----------------------------------------------------------------------

def test_test_on_the_bundled_draft_passes():
    result = invoke("test")
    failing = [ln for ln in result.stdout.splitlines() if ln.startswith("FAIL") or ln.startswith("    ")]
    assert result.exit_code == 0, "scenarios of the draft fail:\n" + "\n".join(failing)
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed, 0 failed", last), last
    assert "passed" in last


WRONG = """\
parties:
  - {id: pupr, name: Dinas PUPR Kutai Timur, kind: perangkat_daerah, kabupaten: Kutai Timur}
  - {id: pt_besar, name: PT Kaltim Konstruksi, kind: company, legal_form: pt, capital_idr: 80000000000}
scenarios:
  - name: A package to a large PT is wrongly expected to comply
    purchases:
      - {id: p1, stage: award, buyer_id: pupr, supplier_id: pt_besar, procurement_type: barang, value_idr: 1000000000, date: 2026-03-02}
    expect:
      - {clause: KMT-03, subject: p1, status: compliant}
  - name: The same package violates, as it should
    purchases:
      - {id: p1, stage: award, buyer_id: pupr, supplier_id: pt_besar, procurement_type: barang, value_idr: 1000000000, date: 2026-03-02}
    expect:
      - {clause: KMT-03, subject: p1, status: violation}
"""


@pytest.fixture
def wrong(tmp_path) -> Path:
    root = copy_rules(tmp_path / "wrong")
    (root / "tests").mkdir()
    (root / "tests" / "pasal-04.yaml").write_text(WRONG, encoding="utf-8")
    return root


@pytest.mark.parametrize("engine", ["durable", "reference"])
def test_a_wrong_expectation_fails_with_wanted_and_got(wrong, engine):
    result = invoke("test", str(wrong), "--engine", engine)
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert re.search(r"^FAIL .*pasal-04\.yaml:5  A package to a large PT is wrongly expected to comply$", out, re.M), out
    assert re.search(r"^PASS .*pasal-04\.yaml:10  The same package violates, as it should$", out, re.M), out
    assert re.search(r"pasal-04\.yaml:9:9: wanted \{clause: 'KMT-03', subject: 'p1', status: 'compliant'\}", out), out
    assert re.search(r"^\s+got\s+\{clause: 'KMT-03', subject: 'p1', status: 'violation'\}$", out, re.M), out
    assert "Traceback" not in result.output
    assert out.strip().splitlines()[-1] == "1 passed, 1 failed"


def test_k_selects_scenarios_by_name(wrong):
    result = invoke("test", str(wrong), "-k", "AS IT SHOULD")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "1 passed, 0 failed"
    assert "wrongly" not in result.stdout


def test_json_format(wrong):
    result = invoke("test", str(wrong), "--format", "json", "--engine", "reference")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["passed"], data["failed"], data["engine"]) == (1, 1, "reference")
    failed = [s for s in data["scenarios"] if not s["passed"]]
    assert failed[0]["name"] == "A package to a large PT is wrongly expected to comply"
    assert "wanted" in failed[0]["failures"][0]


def test_a_broken_scenario_file_is_shown_and_fails(wrong):
    (wrong / "tests" / "pasal-05.yaml").write_text(
        "scenarios:\n  - name: Typo\n    expcet: []\n", encoding="utf-8")
    result = invoke("test", str(wrong), "--engine", "reference")
    assert result.exit_code == 1
    assert re.search(r"pasal-05\.yaml:3:5: unknown_field: unknown scenario key 'expcet'", result.stdout), result.stdout


def test_rules_that_do_not_load_exit_2(broken):
    root, _ = broken
    result = invoke("test", str(root))
    assert result.exit_code == 2
    assert "expr_syntax" in result.stderr and "Traceback" not in result.output
