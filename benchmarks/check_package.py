#!/usr/bin/env python3
"""Time of the pre-award check (perbup_rules.check_package / PackageChecker) on a large context.

    python benchmarks/check_package.py --purchases 100000 --calls 500

Generates the seeded example at that size (examples/generate.py), loads it as the
context, builds one PackageChecker (the one-off indexing cost is reported apart: the
first check of a year classifies the parties and sums every share group), then checks
``--calls`` packages made by copying context purchases under new ids (so they hit real
share groups of every clause), and reports the per-call median, p95 and max. A sample
of the answers is compared with a full audit of the context plus the package, so the
figure is the time of a correct answer.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--purchases", type=int, default=100_000)
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--engine", default="reference", choices=["reference", "durable"])
    ap.add_argument("--verify", type=int, default=2, help="answers compared with a full audit (slow at 100k)")
    args = ap.parse_args()

    import perbup_rules as pr
    from perbup_rules import Dataset, Purchase

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        subprocess.run([sys.executable, str(HERE.parent / "examples" / "generate.py"), "--purchases", str(args.purchases),
                        "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
        t0 = time.perf_counter()
        context = pr.load_dataset(folder)
        load_s = time.perf_counter() - t0
    ruleset = pr.load_ruleset(pr.BUNDLED_RULES)
    n = len(context.purchases)
    fields = [f for f in Purchase.__dataclass_fields__ if f not in ("id",)]
    packages = []
    for i in range(args.calls):
        p = context.purchases[(i * 7919) % n]
        packages.append({"id": f"bench-{i}", **{f: getattr(p, f) for f in fields}})

    t0 = time.perf_counter()
    checker = pr.PackageChecker(ruleset, context, engine=args.engine)
    years = sorted({p.date.year for p in context.purchases if p.date})
    for y in years:
        checker.index(y)
    index_s = time.perf_counter() - t0

    times = []
    results = []
    for pkg in packages:
        t = time.perf_counter()
        results.append(checker.check(Purchase(**pkg)))
        times.append(time.perf_counter() - t)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"context: {n} purchases, {len(context.parties)} parties, {len(context.partnerships)} partnerships "
          f"(loaded in {load_s:.2f} s); engine {args.engine}")
    print(f"index (classifications + share sums for {len(years)} year(s)): {index_s:.2f} s, once")
    print(f"check: {len(times)} calls, median {p50 * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms")

    # correctness of a sample: the standing after == the audit of context + package for that group
    for pkg, res in list(zip(packages, results))[: args.verify]:
        package = Purchase(**pkg)
        full = Dataset.build(context.parties.values(), context.purchases + [package], context.partnerships)
        year = package.date.year if package.date else None
        report = pr.evaluate(ruleset, full, "reference", periods=[year] if year else None,
                             clauses=[s.clause for s in res.standings] + [f.clause for f in res.findings])
        for s in res.standings:
            (a,) = [f for f in report.findings if f.clause == s.clause and f.subject == s.subject
                    and f.period == s.period and f.stage == s.stage]
            assert (a.status, a.measured) == (s.after.status, s.after.measured), (s.clause, a.measured, s.after.measured)
        mine = [f.to_dict() for f in report.findings if f.subject == package.id and f.clause in {g.clause for g in res.findings}]
        assert mine == [f.to_dict() for f in res.findings]
    print(f"verified {min(args.verify, len(results))} answers against a full audit")


if __name__ == "__main__":
    main()
