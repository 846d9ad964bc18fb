"""Scenario tests: small datasets in YAML with the findings a drafter expects.

A scenario file (``<rules>/tests/*.yaml``)::

    parties:                       # shared by every scenario of the file (optional)
      - {id: pd1, kind: perangkat_daerah, kabupaten: Kutai Timur}
    scenarios:
      - name: A PD that spends exactly 40% on UMKK complies
        purchases:
          - {id: p1, stage: award, buyer_id: pd1, supplier_id: s1, value_idr: 40, date: 2026-03-01}
        expect:
          - {clause: KMT-01, subject: pd1, period: 2026, stage: award, status: compliant, measured: "0.4000"}
        expect_required:
          - {clause: KMT-15.1, party: h1, category: makanan, candidates: [s3, s1]}

Each expected finding must match one actual finding on every key it gives
(keys not given are not compared). ``expect_absent`` lists findings that
must not exist. A scenario may set ``periods`` and ``stage``.

Yearly reports (reports.csv) are given as ``reports:`` (in the file or the scenario); a file
or scenario that names ``reports`` (even ``reports: []``) has a reports table, one that does
not has none, and the clauses fed by reports are then not evaluated:
``expect_not_evaluated: [KMT-15.4]`` lists clauses the report must name as not evaluated.
``as_of`` sets the audit date (``perbup audit --as-of``).
"""

from __future__ import annotations

import datetime as _dt
import difflib
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import errors, records
from ..compiler.ruleset import Ruleset
from ..errors import Diagnostic, SourceLocation
from ..i18n import msg
from ..evaluate import evaluate
from ..findings import Finding, Report
from ..source import YMap, YSeq, load_yaml

FINDING_KEYS = {"clause", "subject", "period", "stage", "category", "status", "measured", "threshold",
                "exception", "missing", "evidence", "citation", "as_if_in_force", "severity", "assumptions"}
REQUIRED_KEYS = {"clause", "party", "period", "category", "candidates", "purchase", "evidence"}
SCENARIO_KEYS = {"name", "parties", "purchases", "partnerships", "reports", "periods", "stage", "as_if_in_force",
                 "no_assume", "as_of", "expect", "expect_absent", "expect_required", "expect_not_evaluated", "note"}
_LIST_FIELDS = {"supplies", "categories"}


@dataclass
class Scenario:
    """One named scenario, with its data and expectations and where it was written."""

    name: str
    file: str
    location: SourceLocation
    dataset: records.Dataset
    expect: list[dict]
    expect_absent: list[dict]
    expect_required: list[dict]
    periods: list[int] | None = None
    stage: str | None = None
    expect_locs: list[SourceLocation] = field(default_factory=list)
    #: judge the draft's own obligations as if in force (``perbup audit --as-if-in-force``)
    as_if_in_force: bool = False
    #: named assumptions turned off (``perbup audit --no-assume ID``)
    no_assume: list[str] = field(default_factory=list)
    #: the audit date (``perbup audit --as-of``); None: the default, the latest date in the data
    as_of: _dt.date | None = None
    #: clause ids the report must list as not evaluated
    expect_not_evaluated: list[str] = field(default_factory=list)


@dataclass
class ScenarioResult:
    """The outcome of running one scenario: failures as readable lines."""

    scenario: Scenario
    failures: list[str]
    report: Report | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


def _record(cls, data: Any, table: str, loc: SourceLocation, diags: list[Diagnostic]):
    if not isinstance(data, dict):
        diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.scen.row_mapping", table=table), loc))
        return None
    names = {f.name for f in fields(cls)} - {"extra"}
    kw: dict[str, Any] = {}
    for k, v in data.items():
        if k not in names:
            close = difflib.get_close_matches(k, sorted(names), n=2)
            diags.append(Diagnostic(errors.UNKNOWN_FIELD, msg("diag.scen.no_column", table=table, column=repr(k)),
                                    data.key_loc(k) if isinstance(data, YMap) else loc,
                                    hint=msg("diag.hint.did_you_mean", names=" or ".join(map(repr, close))) if close else None))
            continue
        if k in _LIST_FIELDS:
            v = tuple(v) if isinstance(v, list) else tuple(x.strip() for x in str(v).split(";") if x.strip()) if v else ()
        elif isinstance(v, Decimal) and k.endswith("_idr"):
            v = int(v) if v == v.to_integral_value() else v
        elif k in ("id", "buyer_id", "supplier_id", "ppk_id", "party_id", "partner_id", "purchase_id") and v is not None:
            v = str(v)
        codes = {"kind": records.REPORT_KINDS if table == "reports" else records.PARTY_KINDS, "legal_form": records.LEGAL_FORMS, "scale": records.SCALES,
                 "stage": records.STAGES, "procurement_type": records.PROCUREMENT_TYPES}.get(k)
        if codes and v is not None and v not in codes:
            diags.append(Diagnostic(errors.UNKNOWN_CODE, msg("diag.scen.not_code", field=k, value=repr(v), codes=", ".join(codes)),
                                    data.value_loc(k) if isinstance(data, YMap) else loc))
            continue
        kw[k] = v
    if "id" not in kw:
        diags.append(Diagnostic(errors.MISSING_FIELD, msg("diag.scen.row_id", table=table), loc))
        return None
    try:
        return cls(**kw)
    except errors.RecordError as err:  # a value the canonical contract refuses (records.py validates)
        diags.append(Diagnostic(err.code, f"{table}: {err.field}: {err.reason}" if err.field else str(err), loc))
        return None


def _rows(node: Any, key: str, cls, table: str, diags: list[Diagnostic], file: str) -> list:
    seq = node.get(key) if isinstance(node, dict) else None
    if seq is None:
        return []
    if not isinstance(seq, list):
        diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.scen.must_be_list", key=key), node.value_loc(key) if isinstance(node, YMap) else SourceLocation(file)))
        return []
    out = []
    for i, row in enumerate(seq):
        loc = seq.item_loc(i) if isinstance(seq, YSeq) else SourceLocation(file)
        r = _record(cls, row, table, loc, diags)
        if r is not None:
            out.append(r)
    return out


def load_scenarios(path: str | Path) -> tuple[list[Scenario], list[Diagnostic]]:
    """Read one scenario file; problems come back as located diagnostics."""
    path = Path(path)
    diags: list[Diagnostic] = []
    data, d = load_yaml(path.read_bytes(), str(path))
    diags.extend(d)
    if not isinstance(data, YMap) or "scenarios" not in data:
        if data is not None:
            diags.append(Diagnostic(errors.MISSING_FIELD, msg("diag.scen.needs_list"), SourceLocation(str(path), 1, 1)))
        return [], diags
    shared = {t: _rows(data, t, cls, t, diags, str(path)) for t, cls in records.RECORD_TYPES.items()}
    out: list[Scenario] = []
    seen: dict[str, SourceLocation] = {}
    seq = data["scenarios"]
    for i, s in enumerate(seq or []):
        loc = seq.item_loc(i) if isinstance(seq, YSeq) else SourceLocation(str(path))
        if not isinstance(s, YMap):
            diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.scen.mapping"), loc))
            continue
        for k in s:
            if k not in SCENARIO_KEYS:
                close = difflib.get_close_matches(k, sorted(SCENARIO_KEYS), n=2)
                diags.append(Diagnostic(errors.UNKNOWN_FIELD, msg("diag.scen.unknown_key", key=repr(k)), s.key_loc(k),
                                        hint=msg("diag.hint.did_you_mean", names=" or ".join(map(repr, close))) if close else None))
        name = str(s.get("name") or f"scenario {i + 1}")
        if name in seen:
            diags.append(Diagnostic(errors.DUPLICATE_ID, msg("diag.scen.name_twice", name=repr(name)), loc,
                                    hint=msg("diag.hint.first_at_line", line=seen[name].line)))
        seen[name] = loc
        own = {t: _rows(s, t, cls, t, diags, str(path)) for t, cls in records.RECORD_TYPES.items()}
        own_ids = {t: {r.id for r in rows} for t, rows in own.items()}
        merged = {t: [r for r in shared[t] if r.id not in own_ids[t]] + own[t] for t in own}
        given = "reports" in data or "reports" in s  # a reports table, even an empty one
        ds = records.Dataset.build(merged["parties"], merged["purchases"], merged["partnerships"], source=str(path),
                                   reports=merged["reports"] if given else None)
        for rej in ds.rejected:
            diags.append(Diagnostic(rej.code, msg("diag.scen.rejected", name=repr(name), table=rej.table, row=rej.record_id, reason=rej.reason), loc))
        locs = []
        for key, allowed in (("expect", FINDING_KEYS), ("expect_absent", FINDING_KEYS), ("expect_required", REQUIRED_KEYS)):
            items = s.get(key) or []
            for j, e in enumerate(items):
                eloc = items.item_loc(j) if isinstance(items, YSeq) else loc
                if not isinstance(e, dict):
                    diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.scen.entries_mapping", key=key), eloc))
                    continue
                for k in e:
                    if k not in allowed:
                        close = difflib.get_close_matches(k, sorted(allowed), n=2)
                        diags.append(Diagnostic(errors.UNKNOWN_FIELD, msg("diag.scen.unknown_entry_key", key=repr(k), where=key),
                                                e.key_loc(k) if isinstance(e, YMap) else eloc,
                                                hint=msg("diag.hint.did_you_mean", names=" or ".join(map(repr, close))) if close else None))
                if key == "expect":
                    locs.append(eloc)
        periods = s.get("periods")
        no_assume = s.get("no_assume") or []
        if isinstance(no_assume, str):
            no_assume = [no_assume]
        from ..assumptions import IDS
        for a in no_assume if isinstance(no_assume, list) else []:
            if a not in IDS:
                diags.append(Diagnostic(errors.UNKNOWN_CODE, msg("diag.unknown_assumption", name=repr(a), names=", ".join(IDS)),
                                        s.value_loc("no_assume")))
        as_of = s.get("as_of")
        if as_of is not None and not isinstance(as_of, _dt.date):
            diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.scen.as_of", value=repr(as_of)), s.value_loc("as_of")))
            as_of = None
        not_eval = s.get("expect_not_evaluated") or []
        out.append(Scenario(
            name=name, file=str(path), location=loc, dataset=ds,
            expect=[dict(e) for e in (s.get("expect") or []) if isinstance(e, dict)],
            expect_absent=[dict(e) for e in (s.get("expect_absent") or []) if isinstance(e, dict)],
            expect_required=[dict(e) for e in (s.get("expect_required") or []) if isinstance(e, dict)],
            periods=[int(p) for p in periods] if isinstance(periods, list) else None,
            stage=s.get("stage"), expect_locs=locs, as_if_in_force=s.get("as_if_in_force") is True,
            no_assume=[str(a) for a in no_assume if a in IDS] if isinstance(no_assume, list) else [],
            as_of=as_of, expect_not_evaluated=[str(c) for c in not_eval] if isinstance(not_eval, list) else []))
    return out, diags


def _norm(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return [_norm(x) for x in v]
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def _finding_view(f: Finding) -> dict:
    d = f.to_dict()
    d["missing"] = list(f.missing)
    d["evidence"] = list(f.evidence)
    d["as_if_in_force"] = f.as_if_in_force
    d["assumptions"] = list(f.assumptions)
    return d


def _matches(want: dict, have: dict) -> bool:
    return all(_norm(have.get(k)) == _norm(v) for k, v in want.items())


def _describe(d: dict, keys) -> str:
    return "{" + ", ".join(f"{k}: {_norm(d.get(k))!r}" for k in keys) + "}"


def check(scenario: Scenario, report: Report) -> list[str]:
    """Failure lines for one scenario's expectations against a report (empty when all hold)."""
    failures = []
    views = [_finding_view(f) for f in report.findings]
    for want, loc in zip(scenario.expect, scenario.expect_locs or [scenario.location] * len(scenario.expect)):
        if any(_matches(want, v) for v in views):
            continue
        ident = {k: want[k] for k in ("clause", "subject", "period", "stage", "category") if k in want}
        near = [v for v in views if _matches(ident, v)]
        if near:
            got = [msg("test.got", what=_describe(v, want.keys())) for v in near[:3]]
        else:
            got = [msg("test.got", what=msg("test.no_finding_for", ident=_describe(ident, ident.keys())))]
        failures.append(msg("test.wanted", loc=loc, want=_describe(want, want.keys()), got=got))
    for unwanted in scenario.expect_absent:
        hits = [v for v in views if _matches(unwanted, v)]
        if hits:
            failures.append(msg("test.did_not_want", loc=scenario.location, what=_describe(unwanted, unwanted.keys()),
                                count=len(hits)))
    named = {e["clause"] for e in report.not_evaluated}
    for cid in scenario.expect_not_evaluated:
        if cid not in named:
            failures.append(msg("test.wanted_not_evaluated", loc=scenario.location, clause=cid,
                                got=", ".join(sorted(named)) or "-"))
    reqs = [r.to_dict() for r in report.required_partnerships]
    for want in scenario.expect_required:
        if not any(_matches(want, r) for r in reqs):
            near = [r for r in reqs if r["clause"] == want.get("clause")]
            got = [msg("test.got", what=_describe(r, want.keys())) for r in near[:3]] or [msg("test.got", what=msg("test.none"))]
            failures.append(msg("test.wanted_required", loc=scenario.location, want=_describe(want, want.keys()), got=got))
    return failures


def run_scenario(scenario: Scenario, ruleset: Ruleset, engine: str = "durable", tracer=None) -> ScenarioResult:
    """Evaluate one scenario's dataset and check its expectations."""
    report = evaluate(ruleset, scenario.dataset, engine, periods=scenario.periods, stage=scenario.stage, tracer=tracer,
                      as_if_in_force=scenario.as_if_in_force, no_assume=scenario.no_assume, as_of=scenario.as_of)
    return ScenarioResult(scenario, check(scenario, report), report)


def scenario_files(rules_dir: str | Path) -> list[Path]:
    """The scenario files of a regulation folder (``tests/*.yaml``), sorted.

    ``tests/categories.yaml`` tests the category map, not clauses (testing/category_scenarios.py).
    """
    return sorted(p for p in (Path(rules_dir) / "tests").glob("*.yaml") if p.name != "categories.yaml")

