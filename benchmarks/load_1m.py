#!/usr/bin/env python3
"""Benchmark: generate a million-purchase Kutim dataset and time load_dataset, with its peak memory.

    python benchmarks/load_1m.py                  # 1,000,000 purchases in a temporary folder
    python benchmarks/load_1m.py --purchases 200000 --tracemalloc

Prints one line: rows, load seconds (wall and CPU: on a shared machine the CPU
figure is the steadier one), rows per second, peak RSS of the process
and its growth during the load (resource.getrusage), and with --tracemalloc the
peak Python heap of the load itself (slower: tracemalloc hooks every allocation).
The loaded Dataset necessarily holds every record; what this guards against is
anything more (no list of the whole file's rows, no pandas frame, no copies).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from perbup_rules.importers import load_dataset  # noqa: E402


def _generator():
    spec = importlib.util.spec_from_file_location("kutim_generate", ROOT / "examples" / "generate.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _rss_mb() -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--purchases", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20250601)
    ap.add_argument("--tracemalloc", action="store_true", help="also measure the peak Python heap of the load")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="perbup-1m-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        _generator().write(folder, args.seed, args.purchases)
        gen_s = time.perf_counter() - t0
        size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        gc.collect()
        rss_before = _rss_mb()
        if args.tracemalloc:
            tracemalloc.start()
        t0, c0 = time.perf_counter(), time.process_time()
        ds = load_dataset(folder)
        load_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
        heap = ""
        if args.tracemalloc:
            current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            heap = f", python heap {current / 1e6:.0f} MB held / {peak / 1e6:.0f} MB peak"
        rss_after = _rss_mb()
        n = ds.stats["purchases"].read
        print(
            f"load_dataset: {n:,} purchases ({size_mb:.0f} MB CSV, generated in {gen_s:.1f} s) "
            f"loaded in {load_s:.2f} s wall, {cpu_s:.2f} s CPU ({n / load_s:,.0f} rows/s); peak RSS {rss_after:.0f} MB "
            f"(+{rss_after - rss_before:.0f} MB during load){heap}; "
            f"accepted {ds.stats['purchases'].accepted:,}, rejected {len(ds.rejected)}"
        )


if __name__ == "__main__":
    main()
