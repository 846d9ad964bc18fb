"""`perbup serve` refuses unsafe or broken starts before it listens (the server itself: test_service*.py)."""

from __future__ import annotations

from click.testing import CliRunner

from perbup_rules.cli import main


def _run(*args: str):
    return CliRunner().invoke(main, ["serve", *args])


def test_another_address_needs_a_token(tmp_path):
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.org"):
        r = _run("--host", host, "--db", str(tmp_path / "j.sqlite3"))
        assert r.exit_code == 2 and "without --token" in r.output, (host, r.output)
    assert not (tmp_path / "j.sqlite3").exists()


def test_a_short_token_is_refused(tmp_path):
    r = _run("--host", "0.0.0.0", "--token", "short", "--db", str(tmp_path / "j.sqlite3"))
    assert r.exit_code == 2 and "at least 16" in r.output


def test_a_broken_draft_stops_at_startup_with_its_located_errors(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "regulation.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    r = _run("--rules", str(rules), "--db", str(tmp_path / "j.sqlite3"))
    assert r.exit_code == 2 and "regulation.yaml" in r.output and "Traceback" not in r.output


def test_help_names_the_safety_options():
    r = CliRunner().invoke(main, ["serve", "--help"])
    assert r.exit_code == 0
    for opt in ("--host", "--token", "--max-upload-mb", "--db", "--workers"):
        assert opt in r.output
