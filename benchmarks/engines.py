#!/usr/bin/env python3
"""Side-by-side benchmark: evaluation of N generated purchases with each engine, next to raw
durable-rules posting the same events.

Each approach runs in its own process (so peak memory is its own) on the same generated
dataset, ``--repeat`` times (the repeats interleaved); the table gives medians.

    python benchmarks/engines.py --purchases 100000 --repeat 3
    python benchmarks/engines.py --purchases 20000 --only durable-every-row,raw-durable

Approaches:
  load        load_dataset alone (the baseline every audit pays)
  reference   load + evaluate(engine="reference")
  durable     load + evaluate(engine="durable"): one post per distinct atom row per decision
  durable-every-row
              load + evaluate(engine="durable-every-row"): one post per record per decision
  raw-durable the rows the engines decide (captured once, untimed, through evaluate's tracer),
              posted as the same events straight to durable-rules rulesets with the same rules
              and a no-op action, one host.post per event: the floor for any adapter that posts
              every record to durable-rules

"adapter s" is the time spent inside the durable engine's decide() calls (timed by wrapping
DurableEngine.decide in the benchmark process, not in the library): building the events,
posting them, collecting and checking the labels. For raw-durable it is its posting time.
"adapter CPU s" is the CPU time of the posting thread over the same spans (less sensitive to
other jobs on the machine than wall time). The durable-every-row adapter and raw-durable post
exactly the same events (the counts are checked), so their ratio is the adapter's own overhead.
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
APPROACHES = ("load", "reference", "durable", "durable-every-row", "raw-durable")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _raw(rs, events: Path) -> dict:
    from durable import engine as de

    from perbup_rules.compiler import dnf
    from perbup_rules.engine.durable import _condition

    with open(events, encoding="utf-8") as fh:
        calls = json.load(fh)
    host = de.Host()
    count = [0]

    def noop(c):
        count[0] += 1

    # one ruleset per (clause, decision), as the engine registers them
    defs = {}
    for cid, dec, _rows in calls:
        name = f"raw_{cid}_{dec}"
        if name in defs:
            continue
        outcomes = rs.clause(cid)["decisions"][dec]["outcomes"]
        rules = {}
        for li, (_label, terms) in enumerate(sorted(outcomes.items())):
            for ti, term in enumerate(dnf.from_json(terms)):
                rules[f"o{li}_t{ti}"] = {"all": [{"m": _condition(term)}], "run": noop}
        defs[name] = rules
    host.set_rulesets(defs)
    keys = tuple(f"a{j}" for j in range(max((len(r) for _c, _d, rows in calls for r in rows), default=0)))
    post = host.post
    n = 0
    t0, c0 = time.perf_counter(), time.thread_time()
    # the same events as the engine's (id, k='e', a0..), built at least as cheaply
    for cid, dec, rows in calls:
        name = f"raw_{cid}_{dec}"
        for row in rows:
            n += 1
            ev = {"id": n, "k": "e"}
            ev.update(zip(keys, row))
            post(name, ev)
    secs, cpu = time.perf_counter() - t0, time.thread_time() - c0
    assert count[0] == n, (count[0], n)
    return {"seconds": secs, "eval_seconds": secs, "adapter_seconds": secs, "adapter_cpu": cpu,
            "peak_mb": _peak_mb(), "rows": n, "events": n}


def run_one(approach: str, data: Path, events: Path | None) -> dict:
    import perbup_rules as pr

    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    if approach == "raw-durable":
        return _raw(rs, events)
    spent = {"adapter_seconds": 0.0, "adapter_cpu": 0.0, "rows": 0, "events": 0}
    if approach in ("durable", "durable-every-row"):
        from perbup_rules.engine.durable import DurableEngine

        inner = DurableEngine.decide

        def timed_decide(self, ruleset, clause_id, decision, rows):
            t, c = time.perf_counter(), time.thread_time()
            try:
                return inner(self, ruleset, clause_id, decision, rows)
            finally:
                spent["adapter_seconds"] += time.perf_counter() - t
                spent["adapter_cpu"] += time.thread_time() - c
                spent["rows"] += len(rows)
                # events posted: every row, or (default engine) each distinct row once per call
                spent["events"] += len(rows) if not self.distinct else len({tuple(r) for r in rows})

        DurableEngine.decide = timed_decide
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
        spent["rows"] = sum(len(r) for _c, _d, r in calls)
    out.update(seconds=t_load + t_eval, eval_seconds=t_eval, peak_mb=_peak_mb(), findings=len(report.findings))
    if approach in ("durable", "durable-every-row") or events is not None:
        out.update(spent)
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
    ap.add_argument("--only", default=",".join(APPROACHES),
                    help=f"comma-separated approaches to run (default: all of {', '.join(APPROACHES)})")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--events", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.data, args.events)))
        return
    only = [a.strip() for a in args.only.split(",") if a.strip()]
    unknown = sorted(set(only) - set(APPROACHES))
    if unknown:
        ap.error(f"unknown approach(es) {', '.join(unknown)}; choose from {', '.join(APPROACHES)}")
    chosen = [a for a in APPROACHES if a in only]
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        gen = [sys.executable, str(ROOT / "examples" / "generate.py"), "--purchases", str(args.purchases), "--out", str(data)]
        if args.seed is not None:
            gen += ["--seed", str(args.seed)]
        subprocess.run(gen, check=True, capture_output=True)
        events = Path(tmp) / "events.json"
        if "raw-durable" in chosen:
            # capture the rows the engines decide once (not timed): they are computed exactly,
            # before any engine runs, so every engine receives the same rows (the event counts
            # are compared with durable-every-row's below)
            measure("reference", data, events, 1)
        # repeats interleaved (every approach once, then again): a slow spell of a shared
        # machine then lands on all approaches rather than on one
        for _ in range(args.repeat):
            for k in chosen:
                results.setdefault(k, []).extend(measure(k, data, events if k == "raw-durable" else None, 1))
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
    peak = {k: max(r["peak_mb"] for r in v) for k, v in results.items()}
    eval_med = {k: statistics.median(r.get("eval_seconds", r["seconds"]) for r in v) for k, v in results.items()}
    adapter = {k: statistics.median(r["adapter_seconds"] for r in v) for k, v in results.items() if "adapter_seconds" in v[0]}
    adapter_cpu = {k: statistics.median(r["adapter_cpu"] for r in v) for k, v in results.items() if "adapter_cpu" in v[0]}
    events_n = {k: v[0]["events"] for k, v in results.items() if "events" in v[0]}
    rows_n = {k: v[0]["rows"] for k, v in results.items() if "rows" in v[0]}
    n = args.purchases
    import perbup_rules as pr
    print(f"{n:,} generated purchases, Kutim draft ({len(pr.load_ruleset(pr.BUNDLED_RULES).clauses)} clauses); "
          f"median of {args.repeat} runs, each in its own process")
    if "raw-durable" in events_n:
        print(f"events posted to durable-rules per run: {events_n['raw-durable']:,}")
    print()
    print("| approach | total s | evaluation s | records/s (eval) | peak MB | adapter s | adapter CPU s | rows decided | events posted |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k in chosen:
        rate = n / eval_med[k] if eval_med[k] else float("inf")
        ad = f"{adapter[k]:.2f}" if k in adapter else ""
        adc = f"{adapter_cpu[k]:.2f}" if k in adapter_cpu else ""
        rw = f"{rows_n[k]:,}" if k in rows_n else ""
        ev = f"{events_n[k]:,}" if k in events_n else ""
        print(f"| {k} | {med[k]:.2f} | {eval_med[k]:.2f} | {rate:,.0f} | {peak[k]:.0f} | {ad} | {adc} | {rw} | {ev} |")
    print()
    if "raw-durable" in results:
        raw = eval_med["raw-durable"]
        if "durable-every-row" in results:
            if events_n["durable-every-row"] != events_n["raw-durable"]:
                print(f"WARNING: durable-every-row posted {events_n['durable-every-row']:,} events, raw-durable "
                      f"{events_n['raw-durable']:,}: the adapter ratio below compares different work")
            print(f"adapter (time inside durable-every-row's decide calls) / raw durable posting of the same events: "
                  f"{adapter['durable-every-row'] / adapter['raw-durable']:.2f}x wall, "
                  f"{adapter_cpu['durable-every-row'] / adapter_cpu['raw-durable']:.2f}x CPU")
            print("  per run (adapter / raw, wall s): "
                  + ", ".join(f"{a['adapter_seconds']:.2f} / {b['adapter_seconds']:.2f}"
                              for a, b in zip(results["durable-every-row"], results["raw-durable"])))
            print(f"durable-every-row evaluation / raw durable posting of the same events: "
                  f"{eval_med['durable-every-row'] / raw:.2f}x")
            if "reference" in results:
                print(f"(durable-every-row evaluation - reference evaluation) / raw durable posting: "
                      f"{(eval_med['durable-every-row'] - eval_med['reference']) / raw:.2f}x")
        if "durable" in results:
            print(f"durable evaluation / raw durable posting of every record: {eval_med['durable'] / raw:.2f}x")
    if "durable" in results and "reference" in results:
        print(f"durable evaluation / reference evaluation: {eval_med['durable'] / eval_med['reference']:.2f}x")


if __name__ == "__main__":
    main()
