"""Pytest plugin: ``pytest rules/`` collects scenario files as test items.

Every scenario runs on both engines; a failure prints the scenario file, its
name and the difference between wanted and actual findings (no traceback).
Registered through the ``pytest11`` entry point of the package.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_RULESETS: dict[Path, object] = {}


def _ruleset_for(rules_dir: Path):
    from ..compiler import load_ruleset

    rs = _RULESETS.get(rules_dir)
    if rs is None:
        rs = _RULESETS[rules_dir] = load_ruleset(rules_dir)
    return rs


def pytest_collect_file(parent, file_path: Path):
    if file_path.name == "categories.yaml":  # the category map's scenarios (testing/category_scenarios.py)
        if file_path.parent.name == "tests" and (file_path.parent.parent / "regulation.yaml").exists():
            return CategoryScenarioFile.from_parent(parent, path=file_path)
        return None
    if file_path.suffix == ".yaml" and file_path.parent.name == "tests" and (file_path.parent.parent / "regulation.yaml").exists():
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        from .scenarios import load_scenarios

        scenarios, diags = load_scenarios(self.path)
        errs = [d for d in diags if d.severity == "error"]
        if errs:
            yield ScenarioFileError.from_parent(self, name="scenario file", diags=errs)
        for s in scenarios:
            for engine in ("durable", "reference"):
                yield ScenarioItem.from_parent(self, name=f"{s.name} [{engine}]", scenario=s, engine=engine)


class ScenarioFailed(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario, engine, **kw):
        super().__init__(**kw)
        self.scenario, self.engine = scenario, engine

    def runtest(self):
        from ..errors import PerbupError
        from .scenarios import run_scenario

        try:
            result = run_scenario(self.scenario, _ruleset_for(self.path.parent.parent), self.engine)
        except PerbupError as err:
            raise ScenarioFailed(str(err)) from err
        if result.failures:
            raise ScenarioFailed("\n".join(result.failures))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            return f"{self.path}:\nScenario {self.scenario.name!r} ({self.engine} engine):\n  {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.scenario.location.line - 1, f"scenario: {self.scenario.name}"


class ScenarioFileError(pytest.Item):
    def __init__(self, *, diags, **kw):
        super().__init__(**kw)
        self.diags = diags

    def runtest(self):
        raise ScenarioFailed("\n".join(d.render() for d in self.diags))

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value)


class CategoryScenarioFile(pytest.File):
    """``tests/categories.yaml``: one item per category scenario, run against ``categories.yaml``."""

    def collect(self):
        from .category_scenarios import run_category_scenarios

        results, diags = run_category_scenarios(self.path.parent.parent)
        errs = [d for d in diags if d.severity == "error"]
        if errs:
            yield ScenarioFileError.from_parent(self, name="category scenario file", diags=errs)
        for r in results:
            yield CategoryScenarioItem.from_parent(self, name=r.scenario.name, result=r)


class CategoryScenarioItem(pytest.Item):
    def __init__(self, *, result, **kw):
        super().__init__(**kw)
        self.result = result

    def runtest(self):
        if self.result.failures:
            raise ScenarioFailed("\n".join(self.result.failures))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            return f"{self.path}:\nCategory scenario {self.result.scenario.name!r}:\n  {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.result.scenario.location.line - 1, f"category scenario: {self.result.scenario.name}"
