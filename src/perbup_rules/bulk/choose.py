"""One audit: read any input, then judge it per record or column-wise, whichever is faster.

Both ways give the same report, byte for byte (``tests/test_onepath.py`` compares whole
reports on every input kind): the per-record evaluator (:func:`perbup_rules.evaluate`)
is the definition, and the column-wise one (:mod:`.evaluate`) is checked against it at
run time (listed verdicts are re-judged per record; any difference stops the audit).
So the choice is only about speed:

* **Reading.** A large canonical CSV folder is read by DuckDB's own CSV reader
  (:mod:`.load`: no Python object per purchase). Every other input (a workbook, the
  LKPP and OCDS exports, several inputs linked, a small folder) is read by its importer
  into records, and fed to DuckDB column-wise when judged column-wise (:mod:`.feed`).
* **Judging.** Column-wise from :data:`COLUMN_FROM` purchases on; below it the fixed
  cost of setting up DuckDB is larger than what it saves (docs/performance.md has the
  measurement). Clauses outside the column-wise subset are judged per record either way.
* **The report.** By default compliant and not-applicable verdicts over purchases are
  counted, not listed (``Report.counted``), and share groups list their first 50
  evidence ids: the form that stays small at millions of purchases. ``all_findings``
  lists every verdict (``perbup audit --all``).

The path can be forced for tests and debugging: ``path="per-record"`` or ``"column"``
(``perbup audit --engine-path``, or the ``PERBUP_ENGINE_PATH`` environment variable).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..compiler.ruleset import Ruleset
from ..engine import Engine, get_engine
from ..errors import ENGINE_FAILURE, DataError, EngineError, UsageError
from ..findings import Report
from ..listing import limit_listed
from ..nodata import no_data_diagnostic, read_from_input
from ..records import Dataset
from ..candidates import MAX_CANDIDATES
from .evaluate import ALL, LISTED, as_counted, evaluate_bulk
from .feed import NotColumnWise, from_dataset
from .load import BulkData, load

#: The ways to judge: chosen by size, or forced.
PATHS = ("auto", "per-record", "column")

#: The environment variable that forces a path when no path is given.
ENV = "PERBUP_ENGINE_PATH"

#: From this many purchases on, ``auto`` judges column-wise (measured: docs/performance.md).
COLUMN_FROM = 3000


@contextlib.contextmanager
def duckdb_failures(doing: str):
    """A DuckDB error while ``doing`` (out of memory, a full temporary disk, a bug of ours) as an
    :class:`EngineError` (``engine_failure``) that names the step and the way round it, not a traceback.

    Input DuckDB cannot read is not one of these: the reader falls back to the per-row importer,
    which locates the problem (:mod:`.load`).
    """
    try:
        yield
    except Exception as err:
        import duckdb

        if not isinstance(err, duckdb.Error):
            raise
        first = (str(err).strip().splitlines() or [""])[0]
        raise EngineError(f"{ENGINE_FAILURE}: DuckDB failed while {doing} column-wise ({type(err).__name__}: {first}); "
                          f"--engine-path per-record judges without it", ENGINE_FAILURE) from err


def asked(path: str | None) -> str:
    """The path asked for: ``path``, else ``$PERBUP_ENGINE_PATH``, else ``auto``."""
    path = path or os.environ.get(ENV) or "auto"
    if path not in PATHS:
        raise UsageError(f"unknown engine path {path!r}; choose one of: {', '.join(PATHS)}")
    return path


@dataclass
class Input:
    """What was read: the records of every input, or a canonical folder held in DuckDB.

    ``dataset`` always has the parties, partnerships, rejections, counts and sources (a
    registry is applied to it); its purchases are empty when ``bulk`` holds them.
    """

    dataset: Dataset
    bulk: BulkData | None = None
    #: set by :func:`judge`: "per-record" or "column", and why
    path: str | None = None
    why: str | None = None

    def purchase_count(self) -> int:
        if self.bulk is not None:
            return self.dataset.stats["purchases"].accepted
        return len(self.dataset.purchases)

    def require_purchases(self, location: str | None = None) -> None:
        """Raise :class:`DataError` (``no_data``) when no purchase was read from the input (before any
        report; a Dataset built in code without sources is judged as given, as ``evaluate`` does)."""
        if self.purchase_count() == 0 and read_from_input(self.dataset):
            raise DataError([no_data_diagnostic(self.dataset, location)])

    def close(self) -> None:
        if self.bulk is not None:
            self.bulk.close()


def read(sources: Iterable[str | Path], kind: str | None = None, path: str | None = None) -> Input:
    """Read every source as :func:`perbup_rules.importers.load_many` does; a single canonical CSV
    folder that will be judged column-wise is read by DuckDB instead (the same records, rejections
    and counts: tests/test_bulk.py)."""
    from ..importers.registry import load_many

    path = asked(path)
    sources = [Path(s) for s in sources]
    if path != "per-record" and len(sources) == 1 and kind in (None, "auto", "canonical") and _canonical(sources[0]):
        if path == "column" or _lines(sources[0]) >= COLUMN_FROM:
            with duckdb_failures(f"reading {sources[0]}"):
                data = load(sources[0])
            from ..regions import enrich

            enrich(data.dataset)  # as load_many does (the judge does it again: idempotent)
            return Input(data.dataset, data)
    return Input(load_many(sources, kind))


def _canonical(src: Path) -> bool:
    if not src.is_dir():
        return False
    from ..importers.detect import detect_kind

    try:
        return detect_kind(src) == "canonical"
    except DataError:
        return False


def _lines(folder: Path) -> int:
    """About how many purchases a canonical folder has (its purchases.csv's line count), counted
    up to :data:`COLUMN_FROM` (all that is asked: whether there are that many)."""
    from ..importers.canonical import _find
    from .load import _newlines

    p = _find(folder, "purchases.csv")
    return _newlines(p, stop=COLUMN_FROM)[0] if p is not None else 0


def categorize(inp: Input, ruleset: Ruleset):
    """:func:`perbup_rules.categorize` on what was read (purchases in DuckDB included)."""
    from ..categories import categorize, load_for

    if inp.bulk is None:
        return categorize(inp.dataset, load_for(ruleset))
    from .categorize import categorize_table

    with duckdb_failures("sorting purchases into categories"):
        return categorize_table(inp.bulk, load_for(ruleset))


def judge(ruleset: Ruleset, inp: Input, engine: str | Engine = "durable", *,
          periods: Iterable[int] | None = None, stage: str | None = None, clauses: Iterable[str] | None = None,
          as_if_in_force: bool = False, all_findings: bool = False, path: str | None = None,
          tracer=None, no_assume: Iterable[str] | None = None, as_of=None,
          max_candidates: int = MAX_CANDIDATES, list_limit: int | None = None) -> Report:
    """Judge what was read, per record or column-wise (see the module docstring); the same report.

    ``list_limit``: list at most this many verdicts on purchases per clause and status, the first
    in display order, and count the rest (:func:`perbup_rules.listing.limit_listed`: what the human
    formats show without ``all_findings``); ignored with ``all_findings``.
    ``inp.path`` and ``inp.why`` say afterwards which way was taken.
    """
    from ..evaluate import evaluate

    path = asked(path)
    eng = get_engine(engine)
    n = inp.purchase_count()
    data, own = inp.bulk, False
    if data is not None:
        inp.path, inp.why = "column", f"{n} purchases read by DuckDB's CSV reader"
    elif n == 0:  # nothing to feed: the per-record evaluator says why (no_data) or judges parties alone
        inp.path, inp.why = "per-record", "no purchases"
    elif path == "column" or (path == "auto" and n >= COLUMN_FROM):
        try:
            with duckdb_failures("loading the records"):
                data, own = from_dataset(inp.dataset), True
            inp.path, inp.why = "column", (f"{n} purchases >= {COLUMN_FROM}" if path == "auto" else "forced")
        except NotColumnWise as why:
            inp.path, inp.why = "per-record", str(why)
    else:
        inp.path, inp.why = "per-record", (f"{n} purchases < {COLUMN_FROM}" if path == "auto" else "forced")
    kw = dict(periods=None if periods is None else list(periods), stage=stage,
              clauses=None if clauses is None else list(clauses), as_if_in_force=as_if_in_force,
              no_assume=None if no_assume is None else list(no_assume), as_of=as_of, max_candidates=max_candidates)
    limit = None if all_findings else list_limit
    if data is None:
        report = evaluate(ruleset, inp.dataset, eng, tracer=tracer, **kw)
        if not all_findings:
            report = as_counted(report)
        if limit is not None:
            report = limit_listed(report, limit)
    else:
        try:
            with duckdb_failures("judging"):
                report = evaluate_bulk(ruleset, data, eng, listed=ALL if all_findings else LISTED, tracer=tracer,
                                       list_limit=limit, **kw)
        finally:
            if own:
                data.close()
    return dataclasses.replace(report, engine=eng.name)  # the engine decides; the path is no part of the report


def audit(rules: str | Path | Ruleset, data: str | Path | Iterable[str | Path] | Dataset, engine: str | Engine = "durable",
          *, kind: str | None = None, registries: Iterable[str | Path] = (), periods: Iterable[int] | None = None,
          stage: str | None = None, clauses: Iterable[str] | None = None, as_if_in_force: bool = False,
          all_findings: bool = False, path: str | None = None, no_assume: Iterable[str] | None = None,
          as_of=None, max_candidates: int = MAX_CANDIDATES, list_limit: int | None = None) -> Report:
    """``perbup audit`` as a call: read, apply registries and categories, judge the fastest way.

    ``data``: a source (file or folder), several (linked as one), or a Dataset already read.
    See :func:`perbup_rules.audit`.
    """
    from ..compiler import compile_ruleset
    from ..loader import load_files

    ruleset = rules if isinstance(rules, Ruleset) else compile_ruleset(load_files(rules))
    if isinstance(data, Dataset):
        inp = Input(data)
    else:
        sources = [data] if isinstance(data, (str, Path)) else list(data)
        inp = read(sources, kind, path)
    try:
        inp.require_purchases()
        if registries:
            from ..registries import load_and_apply

            load_and_apply(inp.dataset, list(registries))
        categorize(inp, ruleset)
        return judge(ruleset, inp, engine, periods=periods, stage=stage, clauses=clauses,
                     as_if_in_force=as_if_in_force, all_findings=all_findings, path=path,
                     no_assume=no_assume, as_of=as_of, max_candidates=max_candidates, list_limit=list_limit)
    finally:
        inp.close()
