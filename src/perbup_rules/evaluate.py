"""Evaluate a Ruleset over a Dataset with an engine, giving a Report: the per-record feeder.

Every record is handed to the clause judges of :mod:`perbup_rules.judge` (the
definition of every verdict); :mod:`perbup_rules.bulk` is the column-wise feeder
of the same judges. This module also assembles the :class:`Report` of a finished
run (:func:`report_of`), which both feeders share.
"""

from __future__ import annotations

from typing import Iterable

from .compiler.ruleset import Ruleset
from .engine import Engine, get_engine
from .errors import UsageError
from .findings import Finding, Report
from .as_if import as_if_in_force as _as_if, mark as _as_if_mark
from .periods import purchase_period
from .records import Dataset, STAGES
from .channel_coverage import Coverage, coverage_of, link_rates_of
from .errors import DataError
from .nodata import no_data_diagnostic, read_from_input
from .judge import Judge, Tracer, unit_of
from . import assumptions as _assumptions
from .duties import not_evaluated_reports
import datetime as _dt
from .candidates import MAX_CANDIDATES, check_max_candidates


def evaluate(
    ruleset: Ruleset,
    dataset: Dataset,
    engine: str | Engine = "durable",
    *,
    periods: Iterable[int] | None = None,
    stage: str | None = None,
    clauses: Iterable[str] | None = None,
    tracer: Tracer | None = None,
    as_if_in_force: bool = False,
    no_assume: Iterable[str] | None = None,
    as_of: _dt.date | None = None,
    max_candidates: int = MAX_CANDIDATES,
) -> Report:
    """Judge every clause of ``ruleset`` over ``dataset``; deterministic for the same inputs.

    Args:
        engine: ``"durable"`` (default) or ``"reference"``, or an Engine instance.
        periods: fiscal years to judge (default: the years of the purchases' dates).
        stage: only purchases at this stage (plan, award, contract).
        clauses: only these clause ids (classifications always run).
        tracer: called after every engine call with the rows and labels (coverage, debugging).
        as_if_in_force: judge the draft's own obligations as if in force in every period
            (:mod:`perbup_rules.as_if`); their findings and the report say so.
        no_assume: named assumptions to turn off (:mod:`perbup_rules.assumptions`: ``pdn``,
            ``pagu``, ``licensed``), making the facts they supply unknown; an unknown id is a
            :class:`UsageError`.
        as_of: the date the audit is made as of (default: the latest purchase date, partnership
            start or reported date, or report submission date in the input; :mod:`perbup_rules.duties`):
            a yearly report due after it is not yet due.
        max_candidates: candidates listed per required partnership, best first (0: all); each
            carries ``candidate_count``, how many there are (:mod:`perbup_rules.candidates`).
    """
    off = _assumptions.off_set(no_assume)
    if stage is not None and stage not in STAGES:
        raise UsageError(f"unknown stage {stage!r}; choose one of: {', '.join(STAGES)}")
    if not dataset.purchases and read_from_input(dataset):  # no data is no audit
        raise DataError([no_data_diagnostic(dataset)])
    eng = get_engine(engine)
    years = sorted(set(periods)) if periods is not None else sorted(
        {y for y in map(purchase_period, dataset.purchases) if y is not None})
    for y in years:  # a period is a calendar year that datetime.date can hold
        if not isinstance(y, int) or isinstance(y, bool) or not 1 <= y <= 9999:
            raise UsageError(f"period {y!r} is not a fiscal year (1 to 9999)")
    clauses = None if clauses is None else list(clauses)  # read twice: the run and not_evaluated
    as_if: frozenset[str] | None = None
    if as_if_in_force:
        ruleset, as_if = _as_if(ruleset)
    run = Judge(ruleset, dataset, eng, years, stage, tracer, assume_off=off, as_of=as_of,
                max_candidates=check_max_candidates(max_candidates))
    run.run(clauses)
    report = report_of(ruleset, dataset, eng, run, as_if=as_if)
    from .not_evaluated import DatasetPresence, not_evaluated  # clauses no record lets apply

    report.not_evaluated = with_reports(not_evaluated(ruleset, DatasetPresence(dataset), clauses),
                                        not_evaluated_reports(ruleset, dataset, clauses))
    return report


def with_reports(entries: list[dict], missing_reports: list[dict]) -> list[dict]:
    """The not_evaluated entries with those of the clauses fed by an absent reports table (one per clause)."""
    named = {e["clause"] for e in missing_reports}
    return sorted([e for e in entries if e["clause"] not in named] + missing_reports, key=lambda d: d["clause"])


def party_provenance(dataset: Dataset) -> dict[str, dict[str, str]]:
    """Where every known field of every party came from: its own provenance (registry row, region
    table, conflict rule), else the export file(s) it was read from."""
    from .records import NOT_COLUMNS

    paths = sorted({s.path for s in dataset.sources})
    # a canonical folder's party fields come from its parties table; an export's from the export
    own_table = [p for p in paths if p.replace("\\", "/").rsplit("/", 1)[-1].lower().startswith("parties")]
    files = ", ".join(own_table or paths) or "<memory>"
    out: dict[str, dict[str, str]] = {}
    for pid, p in dataset.parties.items():
        own = dict(p.provenance)
        fields = {}
        for name in p.__dataclass_fields__:
            if name in NOT_COLUMNS or name == "id":
                continue
            v = getattr(p, name)
            if v is None or v == ():
                continue
            fields[name] = own.get(name, f"export {files}")
        out[pid] = fields
    return out


def source_dict(s) -> dict:
    """An input file as the report lists it: path, sha256, kind, and (where the importer says)
    why that kind was assumed, the file's own read/accepted/rejected counts and its number conventions."""
    out = {"path": s.path, "sha256": s.sha256, "kind": s.kind}
    for key in ("detected", "read", "accepted", "rejected"):
        value = getattr(s, key)
        if value is not None:
            out[key] = value
    if s.numbers:
        out["numbers"] = [list(n) for n in s.numbers]
    return out


def report_of(ruleset: Ruleset, dataset: Dataset, eng: Engine, run: Judge, *, counted: list[dict] | None = None,
              engine_name: str | None = None, coverage: Coverage | None = None,
              as_if: frozenset[str] | None = None, assumed: dict[str, int] | None = None) -> Report:
    """The Report of a finished run (findings sorted, so the same inputs give the same bytes).

    ``coverage``: the channel coverage when the dataset's purchases are held elsewhere (the bulk path).
    ``as_if``: the ids of clauses judged as if in force (the report is an as-if-in-force report).
    ``assumed``: per named assumption, how many records rest on it, when counted elsewhere (the
    bulk path counts them in SQL); by default the records ``run`` touched.
    """
    findings = sorted(run.findings, key=Finding.sort_key)
    if as_if is not None:
        findings = [_as_if_mark(f) if f.clause in as_if else f for f in findings]
    required = sorted(run.required, key=lambda r: (r.clause, r.period or 0, r.party or "", r.category or "", r.purchase or ""))
    return Report(
        regulation={**ruleset.data["regulation"], "fingerprint": ruleset.fingerprint},
        findings=findings,
        required_partnerships=required,
        input={t: s.to_dict() for t, s in dataset.stats.items()},
        rejected=[r.to_dict() for r in dataset.rejected],
        sources=[source_dict(s) for s in dataset.sources],
        engine=engine_name or eng.name,
        counted=counted or [],
        coverage=coverage if coverage is not None else coverage_of(dataset.purchases),
        link_rates=link_rates_of(dataset),
        data_quality=[{"table": t, "id": i, "missing": sorted(m)} for (t, i), m in sorted(run.data_quality.items())],
        as_if_in_force=as_if is not None,
        assumptions=_assumptions.section(ruleset.clauses, run.assume_off, assumed if assumed is not None
                                         else run.assumed_counts()),
        as_of=run.as_of.isoformat() if run.as_of else None,
        names={pid: p.name for pid, p in dataset.parties.items() if p.name},
        registries=[s for o in dataset.registries for s in o.summary()],
        provenance=party_provenance(dataset) if dataset.registries else {},
        clauses=[{**{k: c.get(k) for k in ("id", "kind", "citation", "title", "text", "derived_from", "severity", "location")},
                  "unit": unit_of(ruleset, c)} for c in ruleset.clauses],
    )
