"""Parameter mutation test: would the scenarios notice if a threshold or its date were off by one?

For every dated value in params.yaml of the bundled draft, four mutants are made:
the value one step up and one step down (ratio +/-0.01, rupiah +/-1), and its ``from``
date one day earlier and one day later. Each mutant is written into a copy of params.yaml
and goes through the real loader and compiler; then the scenarios of the draft run
on it with the reference engine.

A mutant is *detected* when

* the draft no longer compiles (a value on the wrong side of its ``higher_rule`` gives
  ``weakens_higher_law``): said so in the table, it counts;
* at least one scenario's outcome (its failure lines) differs from the unmutated draft's
  (normally: a passing scenario fails); or
* for the Mikro/Kecil and Menengah/Besar boundaries, which no clause of the draft can tell
  apart (Mikro and Kecil are both UMKK, Menengah and Besar both are not), the scale
  computed for a party on the boundary changes (tests/classification_probe.py).

To stay fast, a mutant only re-judges the clauses its parameter can reach (those reading
it directly or through a derived attribute); the others cannot change.

Moving a date by one day changes the value in force on one day only. The evaluator reads
parameters only through ``ParamTable.at``; the unmutated run records every (parameter, day)
it asks for. When no scenario asks for the parameter on that day, no finding can change:
classify clauses and share thresholds take the value in force on 31 December, and a clause
not yet in force never reads its parameter. Such mutants must be listed in EQUIVALENT with
the reason, or the test fails (a human has to agree that no scenario could catch them).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

import perbup_rules as pr
from perbup_rules.compiler import decisions
from perbup_rules.loader import PARAMS_FILE, Regulation, load_files
from perbup_rules.params import ParamTable
from perbup_rules.source import load_yaml
from perbup_rules.testing import check, load_scenarios, scenario_files

from classification_probe import scale_probe

RULES = Path(pr.BUNDLED_RULES).resolve()

_LAST_DAY = "classify clauses and share thresholds read the value in force on 31 December; both dates give the same value then"
_SCALE_DATE = ("the scale thresholds are only read by KMT-06, a classification made on 31 December of each year; "
               "2021-02-01 and 2021-02-03 both lie between 31 Dec 2020 and 31 Dec 2021")

#: mutant id -> why no finding can change (proved by identical reports, see module docstring)
EQUIVALENT: dict[str, str] = {
    "umkk_share_min[2021-02-02] from-1d": "KMT-01 and KMT-02 are not in force on 2021-02-01, so no group reads the value",
    "umkk_share_min[2021-02-02] from+1d": _LAST_DAY,
    "local_material_share_min[2027-01-01] from+1d": _LAST_DAY,
    "uniform_local_share_min[2027-01-01] from-1d": "KMT-12.2 is not in force in 2026, so no 2026 group exists",
    "uniform_local_share_min[2027-01-01] from+1d": _LAST_DAY,
    "hotel_local_share_min[2027-01-01] from+1d": _LAST_DAY,
    "hotel_local_share_min[2028-01-01] from+1d": _LAST_DAY,
    # obligations_from is read once, by the compiler (valid_from: params.obligations_from takes its
    # latest value); the date from which that value holds is not read
    "obligations_from[2027-01-01] from-1d": "the compiler reads the value of obligations_from, not its from date",
    # KMT-16.T is judged once, on obligations_from (once_on), so it reads transition_deadline on
    # 2027-01-01 only: a value in force one day earlier is read on no day
    "transition_deadline[2027-01-01] from-1d": "KMT-16.T reads transition_deadline on obligations_from (2027-01-01) only",
    **{f"{name}[2018-07-01] from-1d": ("KMT-04 is in force from 2018-07-01 (Perpres 16/2018), so no package is "
                                       "compared with a Pengadaan Langsung ceiling on 2018-06-30")
       for name in ("direct_goods_max", "direct_construction_max", "direct_consultancy_max")},
    **{f"{name}[2021-02-02] from{d}": _SCALE_DATE
       for name in ("mikro_capital_max", "kecil_capital_max", "menengah_capital_max",
                    "mikro_sales_max", "kecil_sales_max", "menengah_sales_max")
       for d in ("-1d", "+1d")},
    **{f"{name}[2008-07-04] from{d}": ("the UU 20/2008 sales thresholds are only read by KMT-06.4, a classification made "
                                         "on 31 December; 2008-07-03 and 2008-07-05 both lie between 31 Dec 2007 and 31 Dec 2008")
       for name in ("uu20_mikro_sales_max", "uu20_kecil_sales_max", "uu20_menengah_sales_max")
       for d in ("-1d", "+1d")},
}


@dataclass(frozen=True)
class Mutant:
    id: str
    param: str
    line: int  # 1-based line of the scalar in params.yaml
    column: int  # 1-based column where the scalar starts
    new: str  # replacement text of the scalar
    days: tuple = ()  # for a moved date: the day whose value in force changes


def mutants(params_text: str) -> list[Mutant]:
    """Four mutants for each dated value of params.yaml, located with the library's own YAML loader."""
    data, diags = load_yaml(params_text, PARAMS_FILE)
    assert not diags, diags
    out = []
    for name, node in data.items():
        unit = node["unit"]
        for entry in node["values"]:
            start: _dt.date = entry["from"]
            value = entry["value"]
            tag = f"{name}[{start.isoformat()}]"
            vloc, floc = entry.value_loc("value"), entry.value_loc("from")
            step = Decimal("0.01") if unit == "ratio" else 1
            sign = {1: "+", -1: "-"}
            for d in (1, -1):
                if unit == "date":  # a date value moves by a day
                    new_value, shown = (value + _dt.timedelta(days=d)).isoformat(), "1d"
                else:
                    new_value, shown = str(value + d * step), step
                out.append(Mutant(f"{tag} value{sign[d]}{shown}", name, vloc.line, vloc.column, new_value))
            for d in (-1, 1):
                new_from = start + _dt.timedelta(days=d)
                out.append(Mutant(f"{tag} from{sign[d]}1d", name, floc.line, floc.column, new_from.isoformat(),
                                  days=(min(start, new_from),)))
    return out


def apply(text: str, m: Mutant) -> str:
    lines = text.splitlines(keepends=True)
    line = lines[m.line - 1]
    col = m.column - 1
    token = re.match(r"[^\s,}\]#]+", line[col:])
    assert token, (m, line)
    lines[m.line - 1] = line[:col] + m.new + line[col + token.end():]
    return "".join(lines)


def _names(node, params: set, paths: set) -> None:
    """Collect the parameter names and path components a compiled clause reads."""
    if isinstance(node, dict):
        if node.get("op") == "param":
            params.add(node["name"])
        if node.get("valid_from_param"):  # valid_from: params.NAME, read by the compiler
            params.add(node["valid_from_param"])
        if isinstance(node.get("path"), list):
            paths.update(p for p in node["path"] if isinstance(p, str))
        for v in node.values():
            _names(v, params, paths)
    elif isinstance(node, list):
        for v in node:
            _names(v, params, paths)


def affected_clauses(ruleset: pr.Ruleset, param: str) -> list[str]:
    """Clauses whose findings a change of ``param`` can reach: those reading it, directly or
    through derived attributes (classify clauses) that read it."""
    reads = {}
    for c in ruleset.clauses:
        params, paths = set(), set()
        _names(c, params, paths)
        reads[c["id"]] = (params, paths)
    derived = {c["attribute"]: c["id"] for c in ruleset.clauses if c["kind"] == "classify"}
    tainted_attrs: set[str] = set()
    changed = True
    while changed:
        changed = False
        for attr, cid in derived.items():
            params, paths = reads[cid]
            if attr not in tainted_attrs and (param in params or paths & tainted_attrs):
                tainted_attrs.add(attr)
                changed = True
    return sorted(cid for cid, (params, paths) in reads.items()
                  if param in params or paths & tainted_attrs)


class _Lookups:
    """Records every (parameter, day) the evaluator asks for: ParamTable.at is its only access."""

    def __init__(self, monkeypatch):
        self.seen: dict[str, set] = {}
        original = ParamTable.at
        seen = self.seen

        def at(table, name, day):
            seen.setdefault(name, set()).add(day)
            return original(table, name, day)

        monkeypatch.setattr(ParamTable, "at", at)


def _outcomes(ruleset, scenarios, clauses=None):
    """Per scenario: (failure lines, findings, required partnerships), judging only ``clauses``."""
    out = []
    for s in scenarios:
        report = pr.evaluate(ruleset, s.dataset, "reference", periods=s.periods, stage=s.stage, clauses=clauses)
        view = report.to_dict()
        out.append((check(s, report), view["findings"], view["required_partnerships"]))
    return out


def _memoize_decisions(monkeypatch) -> None:
    """Cache the compiler's decision-to-DNF step, a pure function of the clause structure.

    A parameter's value or date never enters a decision (only the atoms' values do), so every
    mutant compiles the same decisions; without the cache, KMT-06's eight cases alone take
    most of each compile. Results are copied out, so the compiler sees what it always does.
    """
    original = decisions.to_json
    cache: dict[str, dict] = {}

    def to_json(*args, **kwargs):
        key = repr((args, sorted(kwargs.items())))
        if key not in cache:
            cache[key] = original(*args, **kwargs)
        return copy.deepcopy(cache[key])

    monkeypatch.setattr(decisions, "to_json", to_json)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder with the draft's regulation.yaml and params.yaml; params.yaml is rewritten for each mutant."""
    root = tmp_path_factory.mktemp("mutation") / RULES.name
    root.mkdir()
    for name in ("regulation.yaml", PARAMS_FILE):
        shutil.copyfile(RULES / name, root / name)
    return root


def load_mutant(draft: Regulation, workdir: Path, params_text: str) -> Regulation:
    """The draft with its params.yaml replaced by ``params_text``.

    The pasal files are loaded once; the parameters go through the real loader each time
    (``load_files`` on a folder holding only regulation.yaml and the mutated params.yaml).
    """
    (workdir / PARAMS_FILE).write_text(params_text, encoding="utf-8")
    loaded = load_files(workdir)
    return dataclasses.replace(draft, params=loaded.params, param_nodes=loaded.param_nodes,
                               diagnostics=draft.diagnostics + loaded.diagnostics)


def test_every_parameter_mutation_is_detected(workdir, capsys, monkeypatch):
    original = (RULES / PARAMS_FILE).read_text(encoding="utf-8")
    scenarios = [s for f in scenario_files(RULES) for s in load_scenarios(f)[0]]
    assert scenarios, "the draft has no scenarios"
    draft = load_files(RULES)
    base_rs = pr.compile_ruleset(load_mutant(draft, workdir, original))
    assert base_rs.fingerprint == pr.compile_ruleset(draft).fingerprint
    with monkeypatch.context() as mp:
        lookups = _Lookups(mp)
        _outcomes(base_rs, scenarios)
        base_probe = scale_probe(base_rs)
    # parameters a clause's valid_from names are read by the compiler, not looked up per record
    by_compiler = {c["valid_from_param"] for c in base_rs.clauses if c.get("valid_from_param")}
    unused = sorted(set(base_rs.params) - set(lookups.seen) - by_compiler)
    assert not unused, f"no scenario reads these parameters (or the lookup trace is broken): {unused}"
    _memoize_decisions(monkeypatch)
    assert pr.compile_ruleset(load_mutant(draft, workdir, original)).fingerprint == base_rs.fingerprint

    affected = {name: affected_clauses(base_rs, name) for name in base_rs.params}
    base_by_subset: dict[tuple, list] = {}

    def baseline(clauses):
        key = tuple(clauses)
        if key not in base_by_subset:
            base_by_subset[key] = _outcomes(base_rs, scenarios, clauses)
        return base_by_subset[key]

    rows, failures = [], []
    all_mutants = mutants(original)
    assert len(all_mutants) == 4 * sum(len(p["values"]) for p in base_rs.params.values())
    try:
        for m in all_mutants:
            try:
                rs = pr.compile_ruleset(load_mutant(draft, workdir, apply(original, m)))
            except pr.InvalidRulesError as err:
                codes = sorted({d.code for d in err.errors})
                rows.append((m.id, f"detected: the draft no longer compiles ({', '.join(codes)})"))
                continue
            if m.days:
                # A date moved by one day changes the value in force on that one day only.
                hit = sorted(d for d in lookups.seen.get(m.param, ()) if d in m.days)
                if not hit:
                    if m.id in EQUIVALENT:
                        rows.append((m.id, f"equivalent (no finding can change): {EQUIVALENT[m.id]}"))
                    else:
                        failures.append(f"{m.id}: no scenario reads {m.param} on {m.days[0]}: add one, "
                                        "or list the mutant in EQUIVALENT with the reason")
                        rows.append((m.id, "SURVIVED: no scenario reads the parameter on the day that changes"))
                    continue
            clauses = affected[m.param]
            base = baseline(clauses)
            got = _outcomes(rs, scenarios, clauses)
            changed = [s.name for s, b, g in zip(scenarios, base, got) if b[0] != g[0]]
            if changed:
                note = " (listed in EQUIVALENT: remove it)" if m.id in EQUIVALENT else ""
                rows.append((m.id, f"detected by {len(changed)} scenario(s), e.g. {changed[0]!r}{note}"))
            elif scale_probe(rs) != base_probe:
                rows.append((m.id, "detected by the classification probe only (no finding tells the two scales apart)"))
            else:
                same = all(b[1:] == g[1:] for b, g in zip(base, got))
                failures.append(f"{m.id}: no scenario notices" + ("" if same else " though findings change"))
                rows.append((m.id, "SURVIVED: no scenario notices" + ("" if same else " (findings do change)")))
    finally:
        (workdir / PARAMS_FILE).write_text(original, encoding="utf-8")

    width = max(len(i) for i, _ in rows)
    table = "\n".join(f"  {i:<{width}}  {what}" for i, what in rows)
    with capsys.disabled():
        print(f"\nparameter mutations of {RULES.name} ({len(rows)} mutants, {len(scenarios)} scenarios):\n{table}")
    unknown = sorted(set(EQUIVALENT) - {m.id for m in all_mutants})
    assert not unknown, f"EQUIVALENT names mutants that do not exist: {unknown}"
    assert not failures, "add a scenario that fails for each of these mutants:\n  " + "\n  ".join(failures)


def test_affected_clauses_follow_derived_attributes():
    rs = pr.load_ruleset(RULES)
    assert affected_clauses(rs, "local_material_share_min") == ["KMT-11"]
    scale = affected_clauses(rs, "mikro_capital_max")
    assert {"KMT-06", "KMT-06.1", "DEF-01", "KMT-03", "KMT-07", "KMT-15.1"} <= set(scale)
    assert "KMT-16" not in scale and "DEF-02" not in scale


def test_mutants_are_made_where_intended():
    text = "a:\n  values:\n    - from: 2021-02-02\n      value: 0.40\n"
    data, _ = load_yaml(text, "p.yaml")
    loc = data["a"]["values"][0].value_loc("value")
    m = Mutant("x", "a", loc.line, loc.column, "0.41")
    assert apply(text, m) == "a:\n  values:\n    - from: 2021-02-02\n      value: 0.41\n"
