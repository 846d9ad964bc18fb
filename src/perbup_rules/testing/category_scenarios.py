"""Category scenarios: package names (and account codes) with the category the map must give.

``<rules>/tests/categories.yaml`` tests ``<rules>/categories.yaml`` the way the other
scenario files test clauses; ``perbup test`` runs both::

    scenarios:
      - name: Food by name, in its usual spellings
        date: 2026-03-01                  # optional: the day the map is read on (default: undated)
        cases:
          - {nama_paket: Belanja Makanan dan Minuman Rapat, category: makanan}
          - {nama_paket: Mamin rapat koordinasi, category: makanan}
          - {mak: 1.03.06.2.01.0029.5.1.02.01.01.0052., category: makanan}
          - {nama_paket: Pembangunan Drainase Pasangan Batu Belah, category: konstruksi}
          - {nama_paket: Sewa Tenda, category: null}      # null: no category

A case gives ``nama_paket`` and/or ``mak`` (an account code) and/or ``kbki`` (a
commodity), and the wanted ``category`` (``null`` for none); ``date`` may override the
scenario's. A wanted category the map does not define is an ``unknown_category`` error.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from .. import errors, records
from ..categories import CATEGORIES_FILE, load_category_map
from ..errors import Diagnostic, SourceLocation
from ..source import YMap, YSeq, load_yaml
from .scenarios import Scenario, ScenarioResult

#: The scenario file of the category map, beside the clause scenario files.
TESTS_FILE = "categories.yaml"
_CASE_KEYS = {"nama_paket", "mak", "kbki", "date", "category", "note"}
_SCENARIO_KEYS = {"name", "date", "cases", "note"}


def category_tests_file(rules_dir: str | Path) -> Path | None:
    path = Path(rules_dir) / "tests" / TESTS_FILE
    return path if path.is_file() else None


def run_category_scenarios(rules_dir: str | Path, select=None) -> tuple[list[ScenarioResult], list[Diagnostic]]:
    """Run ``tests/categories.yaml`` against ``categories.yaml``; results read like clause scenarios'."""
    path = category_tests_file(rules_dir)
    if path is None:
        return [], []
    file = str(path)
    map_file = Path(rules_dir) / CATEGORIES_FILE
    if not map_file.is_file():
        return [], [Diagnostic(errors.FILE_NOT_FOUND, f"{TESTS_FILE} tests a category map, but {map_file} does not exist", SourceLocation(file, 1, 1))]
    cmap, diags = load_category_map(map_file)
    if any(d.severity == "error" for d in diags):
        return [], diags
    data, ydiags = load_yaml(path.read_bytes(), file)
    diags = list(ydiags)
    if data is None:
        return [], diags
    seq = data.get("scenarios") if isinstance(data, YMap) else None
    if not isinstance(seq, YSeq):
        diags.append(Diagnostic(errors.WRONG_TYPE, "a category scenario file needs `scenarios:`, a list", getattr(data, "loc", SourceLocation(file, 1, 1))))
        return [], diags
    known = set(cmap.categories)
    results = []
    for i, node in enumerate(seq):
        loc = seq.item_loc(i)
        if not isinstance(node, YMap) or not isinstance(node.get("name"), str) or not isinstance(node.get("cases"), YSeq):
            diags.append(Diagnostic(errors.WRONG_TYPE, "a category scenario needs `name:` (text) and `cases:` (a list)", loc))
            continue
        _unknown(node, _SCENARIO_KEYS, "category scenario", diags)
        scenario = Scenario(node["name"], file, loc, records.Dataset(), [], [], [])
        if select is not None and not select(scenario):
            continue
        failures = []
        for j, case in enumerate(node["cases"]):
            cloc = node["cases"].item_loc(j)
            failure = _case(cmap, case, cloc, node.get("date"), known, diags)
            if failure:
                failures.append(failure)
        results.append(ScenarioResult(scenario, failures))
    return results, diags


def _unknown(node: YMap, allowed: set[str], what: str, diags: list[Diagnostic]) -> None:
    for k in node:
        if k not in allowed:
            diags.append(Diagnostic(errors.UNKNOWN_FIELD, f"{what}: unknown key {k!r} (allowed: {', '.join(sorted(allowed))})", node.key_loc(k)))


def _case(cmap, case: Any, loc: SourceLocation, default_date, known: set[str], diags: list[Diagnostic]) -> str | None:
    if not isinstance(case, YMap) or "category" not in case or not ({"nama_paket", "mak", "kbki"} & set(case)):
        diags.append(Diagnostic(errors.WRONG_TYPE, "a case needs `category:` and at least one of nama_paket, mak, kbki", loc))
        return None
    _unknown(case, _CASE_KEYS, "category case", diags)
    want = case["category"]
    if want is not None and want not in known:
        diags.append(Diagnostic(errors.UNKNOWN_CATEGORY, f"category {want!r} is not defined in {CATEGORIES_FILE}", case.value_loc("category")))
        return None
    day = case.get("date", default_date)
    if day is not None and not isinstance(day, _dt.date):
        diags.append(Diagnostic(errors.BAD_DATE, f"date {day!r} is not a date (YYYY-MM-DD)", loc))
        return None
    name = case.get("nama_paket")
    match, rivals = cmap.classify(
        name=str(name) if name is not None else None,
        accounts=[("mak", str(case["mak"]))] if case.get("mak") else [],
        commodities=[("kbki", str(case["kbki"]))] if case.get("kbki") else [],
        day=day,
    )
    got = match.category if match else None
    if got == want:
        return None
    what = name if name is not None else case.get("mak") or case.get("kbki")
    why = match.note(CATEGORIES_FILE) if match else (f"ambiguous between {', '.join(rivals)}" if rivals else "nothing matched")
    return f"{loc}: {what!r}: wanted {want or 'no category'}, got {got or 'no category'} ({why})"
