"""Run every scenario of a regulation folder, as ``perbup test`` and the pytest plugin do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..i18n import msg
from ..compiler import Ruleset
from ..errors import Diagnostic, PerbupError
from .scenarios import Scenario, ScenarioResult, load_scenarios, run_scenario, scenario_files


@dataclass
class TestRun:
    """All scenario results of one run, plus problems in the scenario files themselves."""

    results: list[ScenarioResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return sum(not r.passed for r in self.results)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not any(d.severity == "error" for d in self.diagnostics)


def run_all(rules_dir: str | Path, ruleset: Ruleset, engine: str = "durable", tracer=None,
            select: Callable[[Scenario], bool] | None = None) -> TestRun:
    """Load and run every scenario file under ``rules_dir/tests``.

    ``select`` keeps only the scenarios it returns true for (``perbup test -k``). A scenario
    whose evaluation raises a library error (an engine failure, a bad argument) fails with
    that error as its failure line; the other scenarios still run.
    """
    run = TestRun()
    for f in scenario_files(rules_dir):
        scenarios, diags = load_scenarios(f)
        run.diagnostics.extend(diags)
        for s in scenarios:
            if select is not None and not select(s):
                continue
            if tracer is not None:
                tracer.scenario = s.name
            try:
                result = run_scenario(s, ruleset, engine, tracer=tracer)
            except PerbupError as err:
                result = ScenarioResult(s, [msg("test.error", loc=s.location, error=str(err))])
            run.results.append(result)
    from .category_scenarios import run_category_scenarios

    cat_results, cat_diags = run_category_scenarios(rules_dir, select)
    run.results.extend(cat_results)
    run.diagnostics.extend(cat_diags)
    return run
