"""``perbup audit -o FILE`` writes a new file that takes the report's name once complete
(cli._common.replacing): the old report stays whole until then, a failed write leaves no part
file, the old file's permission bits and a symbolic link to it are kept."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from perbup_rules.cli import main
from perbup_rules.cli._common import replacing


def _audit(out) -> str:
    result = CliRunner().invoke(main, ["audit", "-q", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_a_report_replaces_the_old_one_keeping_its_permissions(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("old", encoding="utf-8")
    os.chmod(out, 0o640)
    inode = os.stat(out).st_ino
    text = _audit(out)
    assert text.startswith("{") and stat.S_IMODE(os.stat(out).st_mode) == 0o640
    assert os.stat(out).st_ino != inode  # a new file, not the old one truncated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # no part file left


def test_a_link_to_the_report_is_kept(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    _audit(link)
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("{")


def test_a_failed_write_leaves_the_old_report_and_no_part_file(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with replacing(out) as fh:
            fh.write(b"half a rep")
            assert out.read_text(encoding="utf-8") == "old"  # not replaced while written
            raise RuntimeError("stopped")
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_a_folder_is_refused_before_anything_is_written(tmp_path):
    result = CliRunner().invoke(main, ["audit", "-q", "--format", "json", "-o", str(tmp_path)])
    assert result.exit_code == 2 and str(tmp_path) in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_new_file_follows_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        _audit(tmp_path / "r.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "r.json").st_mode) == 0o640
