#!/usr/bin/env python3
"""Side-by-side benchmark: evaluation of N generated purchases with each engine, next to raw
durable-rules posting the same events.

Each approach runs in its own process (so peak memory is its own) on the same generated
dataset, ``--repeat`` times; the table gives medians.

    python benchmarks/engines.py --purchases 100000 --repeat 3

Approaches:
  load        load_dataset alone (the baseline every audit pays)
  reference   load + evaluate(engine="reference")
  durable     load + evaluate(engine="durable"): one post per distinct atom row per decision
  durable-every-row
              load + evaluate(engine="durable-every-row"): one post per record per decision
  raw-durable the events durable-every-row posts (captured in a separate run), posted straight
              to durable-rules rulesets with the same rules and a no-op action: the floor for
              any adapter that posts every record to durable-rules
"""

from __future__ import annotations

import argparse
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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(approach: str, data: Path, events: Path | None) -> dict:
    import perbup_rules as pr

    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    if approach == "raw-durable":
        from durable import engine as de

        with open(events, encoding="utf-8") as fh:
            calls = json.load(fh)
        host = de.Host()
        count = [0]

        def noop(c):
            count[0] += 1

        from perbup_rules.compiler import dnf
        from perbup_rules.engine.durable import _condition

        defs = {}
        for i, (cid, dec, _rows) in enumerate(calls):
            outcomes = rs.clause(cid)["decisions"][dec]["outcomes"]
            rules = {}
            for li, (_label, terms) in enumerate(sorted(outcomes.items())):
                for ti, term in enumerate(dnf.from_json(terms)):
                    rules[f"o{li}_t{ti}"] = {"all": [{"m": _condition(term)}], "run": noop}
            defs[f"raw{i}"] = rules
        host.set_rulesets(defs)
        t0 = time.perf_counter()
        n = 0
        for i, (_cid, _dec, rows) in enumerate(calls):
            name = f"raw{i}"
            for row in rows:
                n += 1
                ev = {"id": n, "k": "e"}
                for j, v in enumerate(row):
                    ev[f"a{j}"] = v
                host.post(name, ev)
        secs = time.perf_counter() - t0
        assert count[0] == n, (count[0], n)
        return {"seconds": secs, "peak_mb": _peak_mb(), "events": n}
    t0 = time.perf_counter()
    ds = pr.load_dataset(data)
    t_load = time.perf_counter() - t0
    out = {"load_seconds": t_load, "purchases": len(ds.purchases)}
    if approach == "load":
        out.update(seconds=t_load, peak_mb=_peak_mb())
        return out
    calls = []
    tracer = None
    if events is not None:
        def tracer(cid, dec, rows, labels):
            calls.append((cid, dec, [list(r) for r in rows]))
    t1 = time.perf_counter()
    report = pr.evaluate(rs, ds, approach, tracer=tracer)
    t_eval = time.perf_counter() - t1
    if events is not None:
        with open(events, "w", encoding="utf-8") as fh:
            json.dump(calls, fh)
    out.update(seconds=t_load + t_eval, eval_seconds=t_eval, peak_mb=_peak_mb(), findings=len(report.findings),
               events=sum(len(r) for _c, _d, r in calls) if calls else None)
    return out


def measure(approach: str, data: Path, events: Path | None, repeat: int) -> list[dict]:
    runs = []
    for _ in range(repeat):
        cmd = [sys.executable, __file__, "--one", approach, "--data", str(data)]
        if events is not None:
            cmd += ["--events", str(events)]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--purchases", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--events", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.data, args.events)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        gen = [sys.executable, str(ROOT / "examples" / "generate.py"), "--purchases", str(args.purchases), "--out", str(data)]
        if args.seed is not None:
            gen += ["--seed", str(args.seed)]
        subprocess.run(gen, check=True, capture_output=True)
        events = Path(tmp) / "events.json"
        # capture the per-record events once (not timed), then time every approach
        measure("durable-every-row", data, events, 1)
        results = {
            "load": measure("load", data, None, args.repeat),
            "reference": measure("reference", data, None, args.repeat),
            "durable": measure("durable", data, None, args.repeat),
            "durable-every-row": measure("durable-every-row", data, None, args.repeat),
            "raw-durable": measure("raw-durable", data, events, args.repeat),
        }
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
    peak = {k: max(r["peak_mb"] for r in v) for k, v in results.items()}
    eval_med = {k: statistics.median(r.get("eval_seconds", r["seconds"]) for r in v) for k, v in results.items()}
    n = args.purchases
    print(f"{n:,} generated purchases, Kutim draft ({len(__import__('perbup_rules').load_ruleset(__import__('perbup_rules').BUNDLED_RULES).clauses)} clauses); "
          f"median of {args.repeat} runs, each in its own process")
    print(f"events posted to durable-rules per run: {results['raw-durable'][0]['events']:,}")
    print()
    print("| approach | total s | evaluation s | records/s (eval) | peak MB |")
    print("|---|---|---|---|---|")
    for k in ("load", "reference", "durable", "durable-every-row", "raw-durable"):
        rate = n / eval_med[k] if eval_med[k] else float("inf")
        print(f"| {k} | {med[k]:.2f} | {eval_med[k]:.2f} | {rate:,.0f} | {peak[k]:.0f} |")
    print()
    print(f"durable-every-row evaluation / raw durable posting of the same events: "
          f"{eval_med['durable-every-row'] / eval_med['raw-durable']:.2f}x")
    print(f"durable evaluation / raw durable posting of every record: {eval_med['durable'] / eval_med['raw-durable']:.2f}x")
    print(f"durable evaluation / reference evaluation: {eval_med['durable'] / eval_med['reference']:.2f}x")


if __name__ == "__main__":
    main()
