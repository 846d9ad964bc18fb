"""Fault test: a real `perbup serve` killed (SIGKILL) during an audit and restarted on the same database."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from perbup_rules.service.launch import Server

ROOT = Path(__file__).resolve().parents[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def _upload(url: str, folder: Path) -> dict:
    boundary = uuid.uuid4().hex
    body = b""
    for name in ("parties.csv", "purchases.csv", "partnerships.csv"):
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
                 f"Content-Type: text/csv\r\n\r\n").encode() + (folder / name).read_bytes() + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    req = urllib.request.Request(url + "/v1/audits", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 202
        return json.loads(r.read())


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """Enough purchases that the audit is still running when the server is killed."""
    out = tmp_path_factory.mktemp("big") / "data"
    subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "--purchases", "40000", "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def test_killed_server_marks_the_running_job_failed_and_serves_again(tmp_path, big):
    db = tmp_path / "jobs.sqlite3"
    first = Server(db, "--workers", "1").start()
    second = Server(db, "--workers", "1")
    try:
        job = _upload(first.url, big)
        for _ in range(3000):  # until the worker has taken it
            state = _get(f"{first.url}/v1/audits/{job['id']}")
            if state["status"] != "queued":
                break
            time.sleep(0.05)
        assert state["status"] == "running", state
        first.crash()  # SIGKILL the server only: its worker is orphaned, as in a real crash
        second.start()
        after = _get(f"{second.url}/v1/audits/{job['id']}")
        assert after["status"] == "failed"
        assert after["error"]["code"] == "interrupted" and "server stopped" in after["error"]["message"]
        assert [f["name"] for f in after["files"]] == ["parties.csv", "purchases.csv", "partnerships.csv"]
        # the orphaned worker of the first server was stopped, and could not overwrite the state anyway
        time.sleep(1)
        assert _get(f"{second.url}/v1/audits/{job['id']}")["status"] == "failed"
        # the restarted server works
        small = _upload(second.url, ROOT / "examples" / "kutim")
        for _ in range(3000):
            state = _get(f"{second.url}/v1/audits/{small['id']}")
            if state["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
        assert state["status"] == "done", state
    finally:
        second.stop()
        first.stop()  # the first server's process group: any orphan left
