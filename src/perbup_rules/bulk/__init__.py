"""The column-wise evaluator: purchases held in DuckDB (a canonical CSV folder read by DuckDB, or
any Dataset fed to it, :mod:`.feed`) and judged column-wise. ``perbup audit`` and
:func:`perbup_rules.audit` choose it by themselves (:mod:`.choose`); this module's ``audit``
forces it on one canonical folder.

Same Ruleset, same engines, same verdicts as :func:`perbup_rules.evaluate`
(``tests/test_bulk.py`` checks the reports are equal); compliant and
not-applicable verdicts over purchases are counted instead of listed, so a
million purchases fit in memory. ::

    from perbup_rules import load_ruleset
    from perbup_rules.bulk import audit

    report = audit(load_ruleset("rules/kutim-kemitraan"), "data/")
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..candidates import MAX_CANDIDATES
from ..compiler.ruleset import Ruleset
from ..engine import Engine
from ..findings import Report
from .evaluate import ALL, EVIDENCE_CAP, LISTED, as_counted, evaluate_bulk
from .feed import from_dataset
from .load import BulkData, load

__all__ = ["ALL", "EVIDENCE_CAP", "LISTED", "BulkData", "as_counted", "audit", "evaluate_bulk", "from_dataset", "load"]


def audit(ruleset: Ruleset, folder: str | Path, engine: str | Engine = "durable", *,
          periods: Iterable[int] | None = None, stage: str | None = None,
          clauses: Iterable[str] | None = None, as_if_in_force: bool = False,
          no_assume: Iterable[str] | None = None, as_of=None, max_candidates: int = MAX_CANDIDATES) -> Report:
    """Load a canonical folder column-wise and judge it; the DuckDB connection is closed afterwards."""
    data = load(folder)
    try:
        return evaluate_bulk(ruleset, data, engine, periods=periods, stage=stage, clauses=clauses,
                             as_if_in_force=as_if_in_force, no_assume=no_assume, as_of=as_of,
                             max_candidates=max_candidates)
    finally:
        data.close()
