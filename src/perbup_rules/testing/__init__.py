"""The drafter's tools: scenario tests, the runner, and the pytest plugin."""

from .runner import TestRun, run_all
from .scenarios import Scenario, ScenarioResult, check, load_scenarios, run_scenario, scenario_files

__all__ = ["Scenario", "ScenarioResult", "TestRun", "check", "load_scenarios", "run_all", "run_scenario", "scenario_files"]
