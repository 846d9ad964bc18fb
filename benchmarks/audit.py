#!/usr/bin/env python3
"""Side-by-side benchmark of whole audits on two data shapes, next to a hand-written DuckDB query.

    python benchmarks/audit.py --purchases 100000 300000 --repeat 3
    python benchmarks/audit.py --purchases 1000000 --shapes hard --formats json --modes default per-record
    python benchmarks/audit.py --purchases 100000 --json out.json --markdown out.md

For each size and shape (``examples/generate.py --shape``: ``example`` is the bundled example's
shape, ``hard`` the one issue 14 describes: many parties, partnerships and non-UMKK winners,
about 1,500 required partnerships with over 1,000 local candidates each at 1M purchases) the data
are generated once, then every approach runs ``--repeat`` times, interleaved (run 1 of every
approach, then run 2, ...), each in its own child process:

  query           benchmarks/duckdb_baseline.py FOLDER --out FILE: the hand-written SQL, reading
                  the same CSVs and writing the same findings (ids, statuses, periods, stages,
                  categories, required partnerships with their ranked candidates) to a file
  default/<fmt>   perbup audit --data D --format <fmt> -o F -q       (whatever the CLI chooses)
  per-record/<fmt>  perbup audit --engine-path per-record --data D --format <fmt> -o F -q
  column/<fmt>    perbup audit --engine-path column --data D --format <fmt> -o F -q

Wall time is measured around the child, peak memory is the child's own peak RSS (
``/usr/bin/time -f %M``, the figure ``/usr/bin/time -v`` prints as "Maximum resident set size";
``os.wait4`` rusage where there is no GNU time) or, when larger, the peak of the summed PSS of
the child and every process it forks (sampled every 0.2 s from /proc). The table gives the
median, fastest and slowest wall time, the largest peak RSS and the ratio of the median to the
query's median.

Every JSON report is checked against the query's findings in the same run: verdict counts,
violating and cannot_determine subjects and required partnerships, on every clause the query
encodes; clauses it does not encode are named in the table (column "not in query"), never
compared silently. A mismatch is printed and marks the row "NO". HTML and CSV reports are not
parsed; their runs are timed only (the JSON run of the same mode checks the verdicts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import duckdb_baseline as baseline  # noqa: E402

#: "default": what a user gets (the path chosen by size); "per-record": the per-record evaluator forced
#: (the definition, the old default); "column": the column-wise path forced. (--bulk is a no-op now.)
MODES = {"default": [], "per-record": ["--engine-path", "per-record"], "column": ["--engine-path", "column"]}
FORMATS = ("json", "html", "csv")


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS in MB of the child, return code, CPU seconds of the child) of one child
    process. CPU time (user + system, every thread) is the steadier figure on a loaded machine."""
    # The peak RSS comes from /usr/bin/time (GNU time's %M) when there is one: a child forked from
    # this process inherits its high-water mark (ru_maxrss counts the pages of the parent copied at
    # fork, before exec), and this process grows when it reads the reports it checks. time is
    # small when it forks the command, so its figure is the command's own.
    gnu_time = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r", suffix=".rss", delete=False) as fh:
        rss_file = Path(fh.name)
    if gnu_time.exists():
        cmd = [str(gnu_time), "-f", "%M", "-o", str(rss_file)] + cmd
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    tree = TreeMemory(proc.pid)
    tree.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - t0
    tree.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):  # 1: --fail-on style exits are not used, but tolerate them
        print(f"  ! {' '.join(cmd[:8])} ... exited {proc.returncode}: {err[-2000:]}", file=sys.stderr)
    kb = usage.ru_maxrss  # Linux: kilobytes (an upper bound, see above)
    try:
        kb = int(rss_file.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        pass
    rss_file.unlink(missing_ok=True)
    # A command that forks (perbup writes a long report's findings in two processes) holds memory
    # in more than one process: its own peak RSS would leave a child out. The larger of the two
    # figures is reported: the process's peak RSS, or the process tree's summed PSS (pages shared
    # after a fork counted once), sampled.
    kb = max(kb, tree.peak_kb)
    return secs, kb / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


class TreeMemory(threading.Thread):
    """The peak, over samples every :attr:`EVERY` seconds, of the summed proportional set size
    (``Pss`` in ``/proc/PID/smaps_rollup``) of a process and its descendants; 0 where there is no
    /proc. PSS shares a page among the processes that map it, so pages a forked child shares
    with its parent count once."""

    EVERY = 0.2

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_kb = root, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.EVERY):
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _tree(self.root)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            except OSError:
                continue
            for child in children:
                out += _tree(int(child))
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def perbup_cmd() -> list[str]:
    """The ``perbup`` console script, as installed (its entry point, perbup_rules.cli:run)."""
    return [sys.executable, "-c", "import sys; from perbup_rules.cli import run; sys.argv[0] = 'perbup'; run()"]


def generate(shape: str, n: int, out: Path, seed: int) -> None:
    subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "--shape", shape, "--purchases", str(n),
                    "--seed", str(seed), "--out", str(out)], check=True, stdout=subprocess.DEVNULL)


def library_findings(report_path: Path) -> dict:
    """The library's JSON report in the baseline's terms (baseline.report_terms)."""
    return baseline.report_terms(json.loads(report_path.read_text(encoding="utf-8")))


def compare(lib: dict, query: dict) -> tuple[bool, list[str], list[str]]:
    """(equal on the clauses the query encodes, differences, clauses the query does not encode)."""
    encoded = set(query["summary"])
    missing = sorted(set(lib["summary"]) - encoded)
    diffs = baseline.differences(lib, query)
    return not diffs, diffs, missing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--purchases", type=int, nargs="+", default=[100_000])
    ap.add_argument("--shapes", nargs="+", default=["example", "hard"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--modes", nargs="+", default=["default"], choices=list(MODES))
    ap.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    ap.add_argument("--seed", type=int, default=20250601)
    ap.add_argument("--only", default=None, help="comma-separated approaches, e.g. query,default/json,per-record/json")
    ap.add_argument("--json", type=Path, default=None, help="write the results (every run) as JSON here")
    ap.add_argument("--markdown", type=Path, default=None, help="write the table as Markdown here")
    ap.add_argument("--keep", type=Path, default=None, help="keep the generated data and reports under this folder")
    args = ap.parse_args()

    load = os.getloadavg()
    head = (f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores; python "
            f"{sys.version.split()[0]}; repeat {args.repeat} (median of interleaved runs); load at start "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(head)
    results: list[dict] = []
    lines = ["| shape | purchases | approach | median s | min s | max s | median CPU s | peak MB | x query (wall) "
             "| x query (CPU) | verdicts equal | not in query |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    tmpctx = tempfile.TemporaryDirectory() if args.keep is None else None
    top = Path(tmpctx.name) if tmpctx else args.keep
    top.mkdir(parents=True, exist_ok=True)
    try:
        for n in args.purchases:
            for shape in args.shapes:
                data = top / f"{shape}-{n}"
                generate(shape, n, data, args.seed)
                approaches = {"query": [sys.executable, str(HERE / "duckdb_baseline.py"), str(data), "--repeat", "1",
                                        "--out", str(top / f"{shape}-{n}.query.json")]}
                for mode in args.modes:
                    for fmt in args.formats:
                        approaches[f"{mode}/{fmt}"] = perbup_cmd() + ["audit", *MODES[mode], "--data", str(data), "--format",
                                                                      fmt, "-o", str(top / f"{shape}-{n}.{mode}.{fmt}"), "-q"]
                if args.only:
                    keep = set(args.only.split(",")) | {"query"}  # the query always runs: it is the yardstick
                    approaches = {k: v for k, v in approaches.items() if k in keep}
                runs: dict[str, list[tuple[float, float, int, float]]] = {a: [] for a in approaches}
                for _ in range(args.repeat):
                    for name, cmd in approaches.items():
                        runs[name].append(timed(cmd))
                query = baseline.read_output(top / f"{shape}-{n}.query.json")
                qmed = statistics.median(r[0] for r in runs["query"])
                qcpu = statistics.median(r[3] for r in runs["query"])
                checks: dict[str, tuple] = {}
                for mode in args.modes:
                    rep = top / f"{shape}-{n}.{mode}.json"
                    if "json" in args.formats and rep.exists():
                        checks[mode] = compare(library_findings(rep), query)
                for name, rs in runs.items():
                    secs = [r[0] for r in rs]
                    cpu = statistics.median(r[3] for r in rs)
                    mode = name.split("/")[0]
                    eq, diffs, missing = checks.get(mode, (None, [], []))
                    failed = any(r[2] not in (0, 1) for r in rs)
                    row = {"shape": shape, "purchases": n, "approach": name, "secs": secs,
                           "peak_mb": [r[1] for r in rs], "median": statistics.median(secs), "cpu": [r[3] for r in rs],
                           "ratio": statistics.median(secs) / qmed if qmed else None,
                           "cpu_ratio": cpu / qcpu if qcpu else None, "failed": failed,
                           "equal": None if name == "query" else eq, "not_in_query": missing if name != "query" else [],
                           "differences": diffs[:20] if name.endswith("/json") else []}
                    results.append(row)
                    equal = "-" if name == "query" or eq is None else ("yes" if eq else "NO")
                    if failed:
                        equal = "FAILED"
                    line = (f"| {shape} | {n:,} | {name} | {row['median']:.2f} | {min(secs):.2f} | {max(secs):.2f} | {cpu:.2f} | "
                            f"{max(row['peak_mb']):.0f} | {row['ratio']:.1f} | {row['cpu_ratio']:.1f} | {equal} "
                            f"| {', '.join(row['not_in_query'])} |")
                    lines.append(line)
                    print(line, flush=True)
                    for d in row["differences"]:
                        print(f"    differs: {d}", file=sys.stderr)
    finally:
        if tmpctx:
            tmpctx.cleanup()
    end = os.getloadavg()
    tail = f"load at end {end[0]:.2f} {end[1]:.2f} {end[2]:.2f}"
    print(tail)
    if args.json:
        args.json.write_text(json.dumps({"header": head, "footer": tail, "results": results}, indent=1), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(head + "\n\n" + "\n".join(lines) + "\n\n" + tail + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
