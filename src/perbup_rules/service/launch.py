"""Start a real ``perbup serve`` process on 127.0.0.1 (for the browser test, the fault test and the load benchmark).

The server runs in its own session (process group), so :meth:`Server.stop` ends it and
its worker processes by that group's id, and :meth:`Server.crash` kills only the server
process (SIGKILL), leaving its workers orphaned as a real crash would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``perbup serve --host 127.0.0.1 --port N --db DB`` as a child process."""

    def __init__(self, db: str | Path, *extra: str, port: int | None = None, log: Path | None = None):
        self.db = str(db)
        self.port = port or free_port()
        self.extra = list(extra)
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, attempts: int = 600) -> "Server":
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from perbup_rules.cli import main; main()", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--db", self.db, *self.extra],
            stdout=out, stderr=out, env=env, start_new_session=True)
        for _ in range(attempts):
            if self.proc.poll() is not None:
                raise RuntimeError(f"perbup serve exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("perbup serve did not answer")

    def crash(self) -> None:
        """SIGKILL the server process only (its workers live on, orphaned)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        """End the server and every process of its group (its workers)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
