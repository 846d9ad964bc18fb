"""perbup init: an editable copy of the bundled draft that the whole loop works on."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

import perbup_rules as pr
from perbup_rules.cli import main
from perbup_rules.errors import UsageError
from perbup_rules.init_draft import init_draft


def test_init_then_edit_check_test_render_compare(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # outside the repository
    runner = CliRunner()
    r = runner.invoke(main, ["init", "draf"])
    assert r.exit_code == 0, r.output
    d = tmp_path / "draf"
    bundled = sorted(p.relative_to(pr.BUNDLED_RULES) for p in pr.BUNDLED_RULES.rglob("*.yaml"))
    assert sorted(p.relative_to(d) for p in d.rglob("*.yaml")) == bundled
    readme = (d / "README.md").read_text(encoding="utf-8")
    for step in ("Sunting", "perbup check", "perbup test", "perbup compare", "perbup render"):
        assert step in readme
    # the copy is the draft: same fingerprint
    assert pr.load_ruleset(d).fingerprint == pr.load_ruleset(pr.BUNDLED_RULES).fingerprint
    # edit: a natural value and a reworded ayat
    params = d / "params.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("      value: 0.70\n", "      value: 75%\n"), encoding="utf-8")
    r = runner.invoke(main, ["check", "draf"])
    assert r.exit_code == 0 and "0 errors" in r.output, r.output
    r = runner.invoke(main, ["test", "draf"])
    assert r.exit_code in (0, 1) and "passed" in r.output, r.output
    r = runner.invoke(main, ["render", "draf", "--format", "docx", "-o", "draf.docx"])
    assert r.exit_code == 0 and (tmp_path / "draf.docx").stat().st_size > 10_000
    r = runner.invoke(main, ["render", "draf"])
    assert "75% (tujuh puluh lima persen)" in r.output
    r = runner.invoke(main, ["compare", str(pr.BUNDLED_RULES), "draf", "--format", "md"])
    assert r.exit_code == 0 and "~~70%~~ **75%**" in r.output


def test_init_refuses_a_folder_in_use(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty"):
        init_draft(tmp_path / "x")
    r = CliRunner().invoke(main, ["init", str(tmp_path / "x")])
    assert r.exit_code == 2 and "not empty" in r.output
    init_draft(tmp_path / "x", force=True)
    assert (tmp_path / "x" / "notes.txt").read_text() == "mine" and (tmp_path / "x" / "regulation.yaml").exists()
    assert not os.path.exists(tmp_path / "x" / "__pycache__")
