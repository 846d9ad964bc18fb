#!/usr/bin/env python3
"""Side-by-side benchmark of whole audits on the same generated data, next to a hand-written DuckDB query.

    python benchmarks/audit.py --purchases 100000 1000000 --repeat 3
    python benchmarks/audit.py --purchases 1000000 --only duckdb-query,bulk-durable

Each approach runs in its own process (so its peak memory is its own), on the same
folder generated once per size by ``examples/generate.py`` (seeded), ``--repeat``
times; the table gives the median wall time, the fastest and slowest run, and the
peak RSS of the slowest-memory run. Approaches:

  duckdb-query      benchmarks/duckdb_baseline.py: hand-written SQL computing the same
                    verdict counts and violation lists from the same CSV files (the limit)
  bulk-durable      perbup audit --bulk (durable-rules decides each distinct atom row)
  bulk-reference    perbup audit --bulk --engine reference
  bulk-durable-json perbup audit --bulk --format json -o FILE (every listed finding written)
  durable           perbup audit (per record, durable-rules)
  reference         perbup audit --engine reference (per record)

Per-record approaches are skipped above 200,000 purchases unless ``--per-record-all``
(they hold every finding in memory: minutes and gigabytes at a million). Every approach's
verdict counts are checked against the DuckDB query's: a benchmark of wrong answers is
worthless.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

APPROACHES = {
    "duckdb-query": None,
    "bulk-durable": ["audit", "--bulk", "-q"],
    "bulk-reference": ["audit", "--bulk", "--engine", "reference", "-q"],
    "bulk-durable-json": ["audit", "--bulk", "--format", "json", "-q"],
    "durable": ["audit", "-q"],
    "reference": ["audit", "--engine", "reference", "-q"],
}
PER_RECORD = {"durable", "reference"}


def child(approach: str, data: Path, out: Path) -> None:
    """Run one approach in this process; write its wall time, peak RSS and verdict counts to ``out``."""
    t0 = time.perf_counter()
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage0.ru_utime + usage0.ru_stime
    if approach == "duckdb-query":
        spec = importlib.util.spec_from_file_location("duckdb_baseline", HERE / "duckdb_baseline.py")
        mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
        summary = mod.verdicts(data)["summary"]
    else:
        import perbup_rules.cli as cli

        audit_cmd = importlib.import_module("perbup_rules.cli.audit")
        captured = {}
        real_write = audit_cmd._write

        def write(report, *a, **kw):  # keep the summary for the correctness check
            captured["summary"] = report.summary()
            return real_write(report, *a, **kw)

        audit_cmd._write = write
        argv = APPROACHES[approach] + ["--data", str(data)]
        if "json" in approach:
            argv += ["-o", str(out) + ".report.json"]
        else:
            argv += ["-o", os.devnull]
        try:
            cli.main(argv, standalone_mode=False)
        except SystemExit:
            pass
        summary = captured["summary"]
    secs = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu0
    out.write_text(json.dumps({"secs": secs, "cpu": cpu, "peak_mb": usage.ru_maxrss / 1024, "summary": summary}),
                   encoding="utf-8")


def run(approach: str, data: Path, tmp: Path) -> dict:
    out = tmp / f"{approach}.json"
    subprocess.run([sys.executable, __file__, "--child", approach, "--data", str(data), "--out", str(out)],
                   check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--purchases", type=int, nargs="+", default=[100_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=None, help="comma-separated approaches")
    ap.add_argument("--per-record-all", action="store_true", help="run the per-record audits at any size")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.data, args.out)
        return
    chosen = args.only.split(",") if args.only else list(APPROACHES)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; repeat {args.repeat}")
    for n in args.purchases:
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            data = tmp / "data"
            subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "--purchases", str(n),
                            "--out", str(data)], check=True, stdout=subprocess.DEVNULL)
            results: dict[str, list[dict]] = {}
            for r in range(args.repeat):
                for approach in chosen:  # interleaved: a slow minute of the machine hits every approach
                    if approach in PER_RECORD and n > 200_000 and not args.per_record_all:
                        continue
                    results.setdefault(approach, []).append(run(approach, data, tmp))
            base = results.get("duckdb-query")
            print(f"\n### {n:,} purchases\n")
            print("| approach | median s | min s | max s | median CPU s | peak MB | x query (wall) | x query (CPU) "
                  "| verdicts equal the query's |")
            print("|---|---|---|---|---|---|---|---|---|")
            base_med = statistics.median(x["secs"] for x in base) if base else None
            base_cpu = statistics.median(x["cpu"] for x in base) if base else None
            for approach, runs in results.items():
                secs = [x["secs"] for x in runs]
                med, cpu = statistics.median(secs), statistics.median(x["cpu"] for x in runs)
                peak = max(x["peak_mb"] for x in runs)
                ratio = f"{med / base_med:.2f}" if base_med else "-"
                cratio = f"{cpu / base_cpu:.2f}" if base_cpu else "-"
                # compared on the clauses the hand-written query encodes (duckdb_baseline.OUTDATED are not)
                same = "-" if not base else ("yes" if all({c: x["summary"][c] for c in base[0]["summary"]} == base[0]["summary"]
                                                          for x in runs) else "NO")
                print(f"| {approach} | {med:.2f} | {min(secs):.2f} | {max(secs):.2f} | {cpu:.2f} | {peak:.0f} | {ratio} "
                      f"| {cratio} | {same} |")


if __name__ == "__main__":
    main()
