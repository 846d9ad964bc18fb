#!/usr/bin/env python3
"""Load benchmark of ``perbup serve``: many ``POST /v1/check`` from concurrent clients, on 127.0.0.1 only.

    python benchmarks/serve_load.py --requests 1000 --clients 50

Starts its own ``perbup serve`` on a free 127.0.0.1 port with a fresh job database
(stopped at the end, with its workers), warms the context (the bundled example, indexed
once by the first call), then sends ``--requests`` checks from ``--clients`` concurrent
clients (httpx, one connection each). Every answer is compared with the library's own
``PackageChecker`` on the same data: a fast wrong answer counts as an error. Reports
p50/p95/max latency, throughput and errors. Bounded: each request has a timeout, and
nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def packages(n: int):
    import perbup_rules as pr

    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    cols = ("stage", "buyer_id", "ppk_id", "supplier_id", "category", "procurement_type", "method", "value_idr",
            "umk_value_idr", "reserved_for_umkk", "date")
    out = []
    for i in range(n):
        p = ds.purchases[(i * 104729) % len(ds.purchases)]
        row = {"id": f"load-{i}"}
        for c in cols:
            v = getattr(p, c)
            if v is not None:
                row[c] = v.isoformat() if hasattr(v, "isoformat") else str(v).lower() if isinstance(v, bool) else str(v)
        out.append(row)
    checker = pr.PackageChecker(pr.load_ruleset(pr.BUNDLED_RULES), ds)
    expected = [json.loads(json.dumps(checker.check(row).to_dict())) for row in out]
    return out, expected


async def run(url: str, rows, expected, clients: int, timeout: float):
    import httpx

    queue: asyncio.Queue = asyncio.Queue()
    for i in range(len(rows)):
        queue.put_nowait(i)
    latencies: list[float] = []
    errors: list[str] = []

    async def client():
        async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=httpx.Limits(max_connections=1)) as c:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t = time.perf_counter()
                try:
                    r = await c.post("/v1/check", json={"dataset": "example", "purchase": rows[i]})
                    latencies.append(time.perf_counter() - t)
                    if r.status_code != 200:
                        errors.append(f"{i}: HTTP {r.status_code} {r.text[:200]}")
                        continue
                    got = r.json()
                    got.pop("dataset", None)
                    if got != expected[i]:
                        errors.append(f"{i}: answer differs from the library's")
                except Exception as err:  # noqa: BLE001 - every failure is counted and reported
                    latencies.append(time.perf_counter() - t)
                    errors.append(f"{i}: {type(err).__name__}: {err}")

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    args = ap.parse_args()
    if not (1 <= args.clients <= 200 and 1 <= args.requests <= 100_000):
        sys.exit("bounded: 1..200 clients, 1..100000 requests")

    from perbup_rules.service.launch import Server

    rows, expected = packages(args.requests)
    with tempfile.TemporaryDirectory() as tmp, Server(Path(tmp) / "jobs.sqlite3", "--workers", "1") as server:
        import httpx

        warm = time.perf_counter()
        r = httpx.post(server.url + "/v1/check", json={"dataset": "example", "purchase": {"id": "warm", "stage": "plan"}},
                       timeout=args.timeout)
        r.raise_for_status()
        warm = time.perf_counter() - warm
        latencies, errors, wall = asyncio.run(run(server.url, rows, expected, args.clients, args.timeout))
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"first call (loads and indexes the example context): {warm:.2f} s")
    print(f"{len(latencies)} POST /v1/check from {args.clients} concurrent clients in {wall:.2f} s "
          f"({len(latencies) / wall:.0f} req/s)")
    print(f"latency p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    print(f"errors (HTTP, transport or a wrong answer): {len(errors)}")
    for e in errors[:10]:
        print("  " + e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
