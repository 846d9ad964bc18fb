"""Law-bound parameters with exact bounds (issue 13, "Who is UMKK"): a Perbup can neither raise nor
lower the Rp15 miliar reservation ceiling (Perpres 16/2018 jo. 46/2025 Ps 65(3)) or the PP 7/2021
Pasal 35 thresholds; only the 40% (``paling sedikit``) keeps a minimum-only bound."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import perbup_rules as pr
from perbup_rules.compiler import check_regulation
from perbup_rules.loader import load_files

RULES = Path(pr.BUNDLED_RULES)


def _errors(tmp_path: Path, old: str, new: str) -> list[str]:
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    p = root / "params.yaml"
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    _b, diags = check_regulation(load_files(root))
    return [d.code for d in diags if d.severity == "error"]


@pytest.mark.parametrize("new", ["20000000000", "10000000000"])
def test_the_reservation_ceiling_can_be_neither_raised_nor_lowered(tmp_path, new):
    assert _errors(tmp_path, "      value: 15000000000\n", f"      value: {new}\n") == ["weakens_higher_law"]


@pytest.mark.parametrize("old,new", [("      value: 1000000000\n", "      value: 1500000000\n"),
                                     ("      value: 50000000000\n", "      value: 40000000000\n")])
def test_the_pp_7_2021_thresholds_are_exact(tmp_path, old, new):
    assert _errors(tmp_path, old, new) == ["weakens_higher_law"]


def test_the_40_percent_may_be_raised_but_not_lowered(tmp_path):
    assert _errors(tmp_path / "up", "      value: 0.40\n", "      value: 0.45\n") == []
    assert _errors(tmp_path / "down", "      value: 0.40\n", "      value: 0.35\n") == ["weakens_higher_law"]
