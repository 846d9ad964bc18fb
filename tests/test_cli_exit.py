"""The ``perbup`` console script (perbup_rules.cli.run): an audit that has written its report
leaves at once (cli._common.Finished: no teardown of its heap), with the exit code and every
byte it wrote; in-process it is an ordinary SystemExit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import perbup_rules as pr
from perbup_rules.cli import main
from perbup_rules.cli._common import Finished

RUN = "import sys; from perbup_rules.cli import run; sys.argv[0] = 'perbup'; run()"


def _perbup(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, timeout=600, check=False, cwd=cwd)


def test_the_console_script_points_at_run():
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'perbup = "perbup_rules.cli:run"' in text


@pytest.mark.parametrize("fail_on, code", [(None, 0), ("violation", 1)])
def test_an_audit_written_to_a_file_keeps_its_exit_code_and_every_byte(tmp_path, fail_on, code):
    out = tmp_path / "r.json"
    proc = _perbup("audit", "-q", "--format", "json", "-o", str(out),
                   *(("--fail-on", fail_on) if fail_on else ()), cwd=tmp_path)
    assert proc.returncode == code, proc.stderr
    expected = CliRunner().invoke(main, ["audit", "--format", "json"])
    assert out.read_text(encoding="utf-8") == expected.output


def test_an_audit_written_to_stdout_is_flushed_whole(tmp_path):
    proc = _perbup("audit", "--format", "csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = pr.audit(pr.BUNDLED_RULES, pr.EXAMPLE_DATA)
    lines = proc.stdout.decode("utf-8").splitlines()
    assert lines[0].startswith("clause,citation,subject") and len(lines) == 1 + len(report.findings)


def test_other_exits_are_pythons_own(tmp_path):
    proc = _perbup("audit", "--data", str(tmp_path / "missing"), cwd=tmp_path)
    assert proc.returncode == 2 and b"unreadable_input" in proc.stderr
    proc = _perbup("--version", cwd=tmp_path)
    assert proc.returncode == 0 and b"perbup" in proc.stdout


def test_in_process_finished_is_a_system_exit(tmp_path):
    assert issubclass(Finished, SystemExit)
    result = CliRunner().invoke(main, ["audit", "-q", "--format", "json", "--fail-on", "violation", "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"]
