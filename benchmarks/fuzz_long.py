#!/usr/bin/env python3
"""Long fuzz run: the hypothesis properties of tests/test_fuzz_rules.py and tests/test_fuzz_cli.py
with many more examples than CI affords.

    python benchmarks/fuzz_long.py                       # 2000 examples per property
    python benchmarks/fuzz_long.py --examples 500 --only pasal-yaml cli
    python benchmarks/fuzz_long.py --list

For each property it prints the examples tried (calls of the property, including shrinking),
how many of them failed, each distinct failure with its minimal example, and the elapsed time.
Exit status: 0 when no property failed, 1 otherwise.

The strategies and property functions are imported from the test modules, so this run checks
exactly what CI checks, only longer. As in CI, the CLI property runs with the defaults
(bundled draft and example data) pointed at small copies.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
fcli = importlib.import_module("test_fuzz_cli")
frules = importlib.import_module("test_fuzz_rules")

#: name -> (strategy, property function taking one example)
PROPERTIES = {
    "pasal-yaml": (frules.pasal_texts, frules.check_pasal),
    "pasal-bytes": (frules.raw_pasal_bytes, frules.check_pasal),
    "params-yaml": (frules.params_texts, frules.check_params),
    "params-bytes": (frules.raw_params_bytes, frules.check_params),
    "cli": (fcli.invocations(), fcli.check_invocation),
}


@dataclass
class Outcome:
    name: str
    calls: int = 0
    failed_calls: int = 0
    elapsed: float = 0.0
    #: failure key (exception type and first line) -> (size of the example, example, message)
    failures: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)
    error: str | None = None


def _key(err: BaseException) -> str:
    first = (str(err).strip().splitlines() or [""])[0]
    return f"{type(err).__name__}: {first[:200]}"


def run_property(name: str, examples: int, seed_value: int | None) -> Outcome:
    strategy, prop = PROPERTIES[name]
    out = Outcome(name)

    def wrapped(example):
        out.calls += 1
        try:
            result = prop(example)
        except BaseException as err:  # every failure is recorded, then re-raised
            out.failed_calls += 1
            size = len(repr(example))
            key = _key(err)
            if key not in out.failures or size <= out.failures[key][0]:
                out.failures[key] = (size, example, "".join(traceback.format_exception(err))[-3000:])
            raise
        out.outcomes[result] = out.outcomes.get(result, 0) + 1

    test = settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                    phases=[Phase.generate, Phase.shrink], print_blob=False)(given(strategy)(wrapped))
    if seed_value is not None:
        test = seed(seed_value)(test)
    t0 = time.perf_counter()
    try:
        test()
    except BaseException as err:  # noqa: BLE001 - a property failed (the failures are kept above)
        if not out.failures:
            out.error = "".join(traceback.format_exception(err))[-3000:]
    out.elapsed = time.perf_counter() - t0
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=2000, help="max_examples per property (default 2000)")
    ap.add_argument("--only", nargs="+", choices=sorted(PROPERTIES), help="run only these properties")
    ap.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random)")
    ap.add_argument("--list", action="store_true", help="list the properties and exit")
    args = ap.parse_args(argv)
    if args.list:
        for name in PROPERTIES:
            print(name)
        return 0

    import perbup_rules as pr

    ws = fcli.workspace()
    pr.BUNDLED_RULES, pr.EXAMPLE_DATA = ws.rules, ws.data  # as the CI test's small_defaults fixture

    names = args.only or list(PROPERTIES)
    results = []
    for name in names:
        print(f"== {name}: up to {args.examples} examples ...", flush=True)
        r = run_property(name, args.examples, args.seed)
        results.append(r)
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(r.outcomes.items(), key=str))
        print(f"   tried {r.calls} examples in {r.elapsed:.1f} s ({r.calls / r.elapsed:.1f}/s); "
              f"failing calls {r.failed_calls}; distinct failures {len(r.failures)}" + (f"; outcomes {shown}" if shown else ""),
              flush=True)
        for key, (_size, example, tb) in r.failures.items():
            print(f"   FAILURE {key}\n   minimal example: {example!r}\n" + "      " + tb.replace("\n", "\n      "))
        if r.error:
            print("   ERROR (not a property failure):\n      " + r.error.replace("\n", "\n      "))

    print("\nproperty        examples  failing  distinct  seconds")
    for r in results:
        print(f"{r.name:<15}{r.calls:>9}{r.failed_calls:>9}{len(r.failures):>10}{r.elapsed:>9.1f}")
    total = sum(r.elapsed for r in results)
    print(f"total {total:.1f} s")
    return 1 if any(r.failures or r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
