"""The HTML report as headless Chromium renders it: charts and tables in the DOM, a real screenshot.

Skipped only when Chromium is absent and ``CI`` is not set; on CI a missing Chromium fails.
``PERBUP_CHROMIUM`` names another binary (or, pointing nowhere, simulates an absent one).
The screenshot command is the one in docs/screenshots.md.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from perbup_rules.report import render

try:
    from test_report_fixtures import PANELS, PDS, make_report, share_clause_ids
except ImportError:  # tests/ is a package
    from .test_report_fixtures import PANELS, PDS, make_report, share_clause_ids

#: a hang guard for one Chromium run, not a performance assertion
TIMEOUT_S = 180
WINDOW = (1280, 2400)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _chromium() -> str:
    """The Chromium binary (``PERBUP_CHROMIUM`` overrides), or skip (fail on CI) when it is absent."""
    wanted = os.environ.get("PERBUP_CHROMIUM")
    if wanted:
        found = wanted if Path(wanted).is_file() else None
    else:
        found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None)
    if found:
        return found
    message = "headless Chromium not found (apt-get install -y chromium chromium-driver)"
    if _on_ci():
        pytest.fail(f"{message}; CI is set, so the browser test must run")
    pytest.skip(f"{message}; set CI=true to make this a failure")


def _run(chromium: str, tmp: Path, name: str, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{name}"
    cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The fixture report as HTML on disk, its DOM after Chromium ran it, and a screenshot."""
    chromium = _chromium()
    tmp = tmp_path_factory.mktemp("browser")
    page = tmp / "report.html"
    page.write_text(render(make_report(), "html"), encoding="utf-8")
    url = page.resolve().as_uri()
    shot = tmp / "shot.png"
    done = _run(chromium, tmp, "shot", f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}", url)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = _run(chromium, tmp, "dom", "--dump-dom", f"--window-size={WINDOW[0]},{WINDOW[1]}", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return {"dom": dom.stdout, "shot": shot}


def test_rendered_dom_has_the_charts_with_bars(rendered):
    dom = rendered["dom"]
    report = make_report()
    for clause in share_clause_ids(report):
        assert f'id="chart-{clause.lower()}"' in dom
    kmt01 = dom.split('id="chart-kmt-01"', 1)[1].split("</svg>", 1)[0]
    assert kmt01.count('class="bar bar-') == len(PDS) * len(PANELS)
    assert kmt01.count('class="threshold"') == len(PANELS)
    assert "<rect" in kmt01 and "<title>" in kmt01


def test_rendered_dom_has_the_tables_and_no_injected_script(rendered):
    dom = rendered["dom"]
    for section in ("inputs", "summary", "clauses", "required", "rejected"):
        assert f'id="{section}"' in dom
    assert '<table class="findings violation">' in dom
    assert '<table class="findings cannot_determine">' in dom
    assert "<script>alert(1)</script>" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_screenshot_is_a_real_picture(rendered):
    shot: Path = rendered["shot"]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == WINDOW
    # an empty white 1280x2400 page compresses to a few KB; text, tables and charts do not
    assert len(data) > 60_000
