"""The decided reading "Entry into force" (issue 13): promulgation, params.obligations_from, the
retroactivity check, and --as-if-in-force on both paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import perbup_rules as pr
from perbup_rules.bulk import as_counted, audit
from perbup_rules.cli import main
from perbup_rules.compiler import check_regulation
from perbup_rules.loader import load_files

RULES = Path(pr.BUNDLED_RULES)


def _copy(tmp_path: Path, promulgated: str | None = None, edit=None) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(RULES, root, symlinks=False)
    if promulgated is not None:
        reg = root / "regulation.yaml"
        reg.write_text(reg.read_text(encoding="utf-8").replace("promulgated:\n", f"promulgated: {promulgated}\n"),
                       encoding="utf-8")
    if edit is not None:
        edit(root)
    return root


def _codes(root: Path) -> list[tuple[str, str]]:
    _b, diags = check_regulation(load_files(root))
    return [(d.code, d.message) for d in diags if d.severity == "error"]


def test_the_draft_has_no_promulgation_date_and_its_own_obligations_start_in_2027():
    rs = pr.load_ruleset(RULES)
    assert "promulgated" not in rs.data["regulation"]
    own = {c["id"] for c in rs.clauses if c.get("valid_from_param") == "obligations_from"}
    assert {"KMT-11", "KMT-12.1", "KMT-12.2", "KMT-15.1", "KMT-15.2", "KMT-15.3", "KMT-15.4", "KMT-16", "KMT-18"} <= own
    assert all(c["valid_from"] == "2027-01-01" for c in rs.clauses if c["id"] in own)
    # national-law clauses keep their own dates
    assert rs.clause("KMT-03")["valid_from"] == "2018-03-22" and rs.clause("KMT-01")["valid_from"] == "2021-02-02"


def test_promulgation_before_obligations_from_is_accepted(tmp_path):
    assert _codes(_copy(tmp_path, "2026-12-15")) == []


def test_obligations_or_draft_values_before_promulgation_are_refused(tmp_path):
    errs = _codes(_copy(tmp_path, "2027-03-01"))
    assert errs and all(code == "retroactive" for code, _m in errs)
    text = " ".join(m for _c, m in errs)
    assert "obligations_from: value 2027-01-01" in text and "hotel_local_share_min: from 2027-01-01" in text
    # a national (basis: law) value dated before the promulgation is not the Perbup's own: no error
    assert "umkk_reserved_max" not in text


def test_valid_from_must_name_a_date_parameter(tmp_path):
    def edit(root: Path) -> None:
        p = root / "pasal-06.yaml"
        p.write_text(p.read_text(encoding="utf-8").replace("params.obligations_from", "params.obligation_from", 1),
                     encoding="utf-8")
    errs = _codes(_copy(tmp_path, None, edit))
    assert [c for c, _m in errs] == ["unknown_parameter"]


def test_moving_obligations_from_moves_every_own_obligation(tmp_path):
    def edit(root: Path) -> None:
        p = root / "params.yaml"
        p.write_text(p.read_text(encoding="utf-8").replace("      value: 2027-01-01\n", "      value: 2027-07-01\n"),
                     encoding="utf-8")
    rs = pr.load_ruleset(_copy(tmp_path, None, edit))
    assert rs.clause("KMT-11")["valid_from"] == "2027-07-01"


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_as_if_in_force_on_both_paths(engine):
    rs = pr.load_ruleset(RULES)
    per = pr.evaluate(rs, pr.load_dataset(pr.EXAMPLE_DATA), engine, as_if_in_force=True)
    bulk = audit(rs, pr.EXAMPLE_DATA, engine, as_if_in_force=True)
    a, b = as_counted(per).to_dict(), bulk.to_dict()
    a.pop("engine"), b.pop("engine")
    assert a == b
    assert per.as_if_in_force and a["as_if_in_force"] is True
    own = {c["id"] for c in rs.clauses if c.get("valid_from_param")}
    marked = [f for f in per.findings if f.as_if_in_force]
    assert marked and all(f.clause in own for f in marked)
    assert all(f.explanation.en.startswith("[As if in force]") for f in marked)
    assert all(not f.as_if_in_force for f in per.findings if f.clause not in own)
    # the example's 2025 records are judged by the draft's own obligations only as if in force
    plain = pr.evaluate(rs, pr.load_dataset(pr.EXAMPLE_DATA), engine)
    assert not plain.as_if_in_force
    assert {f.period for f in marked} - {f.period for f in plain.findings if f.clause in own and f.status.value != "not_applicable"}


def test_cli_as_if_in_force_header(tmp_path):
    out = tmp_path / "r.json"
    r = CliRunner().invoke(main, ["audit", "--as-if-in-force", "--format", "json", "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["as_if_in_force"] is True
    assert any(f.get("as_if_in_force") for f in data["findings"])
