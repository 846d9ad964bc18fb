"""The public API of perbup_rules: exactly the documented names, and a light import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import perbup_rules as pr

#: pinned from perbup_rules.__all__; change deliberately, with the docs
PUBLIC_API = {
    "BUNDLED_RULES",
    "EXAMPLE_DATA",
    "DataError",
    "Dataset",
    "Diagnostic",
    "EngineError",
    "Finding",
    "InvalidRulesError",
    "PackageCheck",
    "PackageChecker",
    "Partnership",
    "Party",
    "PerbupError",
    "Purchase",
    "RecordError",
    "Regulation",
    "Report",
    "RequiredPartnership",
    "Ruleset",
    "SourceLocation",
    "Status",
    "Text",
    "UsageError",
    "audit",
    "categorize",
    "compile_ruleset",
    "check_package",
    "evaluate",
    "load_dataset",
    "load_regulation",
    "load_ruleset",
}


def test_all_is_exactly_the_documented_set():
    assert len(pr.__all__) == len(set(pr.__all__)), "duplicates in __all__"
    assert set(pr.__all__) == PUBLIC_API


def test_every_public_name_exists():
    for name in pr.__all__:
        assert hasattr(pr, name), name


def test_star_import_gives_the_public_names():
    ns: dict = {}
    exec("from perbup_rules import *", ns)
    assert {k for k in ns if not k.startswith("__")} == PUBLIC_API


def test_public_exceptions_share_a_base():
    for name in ("DataError", "EngineError", "InvalidRulesError", "UsageError"):
        assert issubclass(getattr(pr, name), pr.PerbupError)
    assert issubclass(pr.InvalidRulesError, ValueError)
    assert issubclass(pr.DataError, ValueError)
    assert issubclass(pr.UsageError, ValueError)
    assert issubclass(pr.EngineError, RuntimeError)


def test_bundled_paths_exist():
    assert isinstance(pr.BUNDLED_RULES, Path) and (pr.BUNDLED_RULES / "regulation.yaml").is_file()
    assert isinstance(pr.EXAMPLE_DATA, Path) and pr.EXAMPLE_DATA.is_dir()
    assert isinstance(pr.__version__, str)


def test_importing_does_not_import_durable():
    code = (
        "import sys, perbup_rules\n"
        "bad = sorted(m for m in sys.modules if m == 'durable' or m.startswith('durable.')"
        " or m.startswith('durable_rules'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing perbup_rules imported {out.stdout.strip()}"


def test_loading_a_ruleset_does_not_import_durable():
    code = (
        "import sys, perbup_rules as pr\n"
        "pr.load_ruleset(pr.BUNDLED_RULES)\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('durable'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
