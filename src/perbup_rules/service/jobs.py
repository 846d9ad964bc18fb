"""The job store: audits, their uploaded files and their reports, in one SQLite file.

SQLite (stdlib ``sqlite3``, WAL) rather than files on disk: an upload's name is only a
label, never a path; a job, its inputs and its results are deleted together; and the
state survives a restart. Every connection is short-lived (one per call), so the server
process and the worker processes never share a connection.

Statuses: ``queued`` -> ``running`` -> ``done`` | ``failed``. A worker only writes while the
job is ``running`` under its own pid, so a job failed at a restart (or deleted) is never
overwritten by a worker left over from before.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Iterable

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    stage TEXT,
    options TEXT NOT NULL DEFAULT '{}',
    summary TEXT,
    error TEXT,
    pid INTEGER,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE TABLE IF NOT EXISTS results (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    fmt TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (job_id, fmt)
);
"""

#: The reason written on a job that was running when the server stopped.
INTERRUPTED = "interrupted: the server stopped while this job was running; upload the files again"


class JobStore:
    """Jobs, files and results in the SQLite file at ``path``."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with closing(self.connect()) as con, con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(SCHEMA)

    def connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA busy_timeout=30000")
        return con

    # --- creation -------------------------------------------------------------------
    def create(self, kind: str, options: dict[str, Any], files: Iterable[tuple[str, bytes]]) -> str:
        job_id = uuid.uuid4().hex
        now = time.time()
        with closing(self.connect()) as con, con:
            con.execute("INSERT INTO jobs (id, kind, status, stage, options, created, updated) VALUES (?,?,?,?,?,?,?)",
                        (job_id, kind, "queued", "antri", json.dumps(options), now, now))
            for seq, (name, data) in enumerate(files):
                con.execute("INSERT INTO files (job_id, seq, name, size, sha256, data) VALUES (?,?,?,?,?,?)",
                            (job_id, seq, name, len(data), hashlib.sha256(data).hexdigest(), data))
        return job_id

    # --- reading --------------------------------------------------------------------
    def get(self, job_id: str) -> dict[str, Any] | None:
        with closing(self.connect()) as con:
            row = con.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
            if row is None:
                return None
            files = con.execute("SELECT seq, name, size, sha256 FROM files WHERE job_id=? ORDER BY seq", (job_id,)).fetchall()
            formats = [r["fmt"] for r in con.execute("SELECT fmt FROM results WHERE job_id=? ORDER BY fmt", (job_id,))]
        return _job_dict(row, files, formats)

    def list(self, limit: int = 100) -> list[dict[str, Any]]:
        with closing(self.connect()) as con:
            rows = con.execute("SELECT * FROM jobs ORDER BY created DESC LIMIT ?", (limit,)).fetchall()
            out = []
            for r in rows:
                files = con.execute("SELECT seq, name, size, sha256 FROM files WHERE job_id=? ORDER BY seq", (r["id"],)).fetchall()
                out.append(_job_dict(r, files, []))
        return out

    def files(self, job_id: str) -> list[tuple[str, bytes]]:
        with closing(self.connect()) as con:
            return [(r["name"], bytes(r["data"])) for r in
                    con.execute("SELECT name, data FROM files WHERE job_id=? ORDER BY seq", (job_id,))]

    def result(self, job_id: str, fmt: str) -> bytes | None:
        with closing(self.connect()) as con:
            row = con.execute("SELECT body FROM results WHERE job_id=? AND fmt=?", (job_id, fmt)).fetchone()
        return None if row is None else bytes(row["body"])

    def queued(self) -> list[str]:
        with closing(self.connect()) as con:
            return [r["id"] for r in con.execute("SELECT id FROM jobs WHERE status='queued' ORDER BY created")]

    # --- worker updates (only while running under this pid) ------------------------------
    def start(self, job_id: str, pid: int) -> bool:
        with closing(self.connect()) as con, con:
            cur = con.execute("UPDATE jobs SET status='running', pid=?, stage='mulai', updated=? WHERE id=? AND status='queued'",
                              (pid, time.time(), job_id))
            return cur.rowcount == 1

    def progress(self, job_id: str, pid: int, progress: float, stage: str) -> None:
        with closing(self.connect()) as con, con:
            con.execute("UPDATE jobs SET progress=?, stage=?, updated=? WHERE id=? AND status='running' AND pid=?",
                        (round(progress, 4), stage, time.time(), job_id, pid))

    def max_body(self) -> int:
        """The most bytes one stored report (or upload) may have: SQLite's length limit (1 GB as built)."""
        with closing(self.connect()) as con:
            return con.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)

    def finish(self, job_id: str, pid: int, summary: dict, results: dict[str, bytes]) -> bool:
        with closing(self.connect()) as con, con:
            cur = con.execute("UPDATE jobs SET status='done', progress=1, stage='selesai', summary=?, updated=? "
                              "WHERE id=? AND status='running' AND pid=?",
                              (json.dumps(summary), time.time(), job_id, pid))
            if cur.rowcount != 1:
                return False
            con.executemany("INSERT OR REPLACE INTO results (job_id, fmt, body) VALUES (?,?,?)",
                            [(job_id, fmt, body) for fmt, body in results.items()])
            return True

    def fail(self, job_id: str, error: dict, pid: int | None = None) -> None:
        with closing(self.connect()) as con, con:
            if pid is None:
                con.execute("UPDATE jobs SET status='failed', stage='gagal', error=?, updated=? WHERE id=? AND status IN ('queued','running')",
                            (json.dumps(error), time.time(), job_id))
            else:
                con.execute("UPDATE jobs SET status='failed', stage='gagal', error=?, updated=? WHERE id=? AND status='running' AND pid=?",
                            (json.dumps(error), time.time(), job_id, pid))

    def delete(self, job_id: str) -> bool:
        with closing(self.connect()) as con, con:
            return con.execute("DELETE FROM jobs WHERE id=?", (job_id,)).rowcount == 1

    # --- restart ----------------------------------------------------------------------
    def recover(self) -> list[str]:
        """At startup: fail every job left running (stopping its old worker if it still runs);
        return the queued jobs to run again. Nothing is silently lost."""
        with closing(self.connect()) as con:
            running = con.execute("SELECT id, pid FROM jobs WHERE status='running'").fetchall()
        for row in running:
            pid = row["pid"]
            self.fail(row["id"], {"code": "interrupted", "message": INTERRUPTED})
            if pid and pid != os.getpid() and _is_our_worker(pid):
                try:
                    os.kill(pid, 15)
                except OSError:
                    pass
        return self.queued()


def _is_our_worker(pid: int) -> bool:
    """True when ``pid`` is a live process running perbup_rules' worker (Linux /proc check)."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"multiprocessing" in cmd or b"perbup" in cmd


def _job_dict(row: sqlite3.Row, files, formats) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "status": row["status"],
        "progress": row["progress"],
        "stage": row["stage"],
        "options": json.loads(row["options"] or "{}"),
        "summary": json.loads(row["summary"]) if row["summary"] else None,
        "error": json.loads(row["error"]) if row["error"] else None,
        "created": row["created"],
        "updated": row["updated"],
        "files": [{"name": f["name"], "size": f["size"], "sha256": f["sha256"]} for f in files],
        "reports": formats,
    }
