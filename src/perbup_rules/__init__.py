"""perbup-rules: executable, tested, cited rules for a Peraturan Bupati.

The public API, in the order of use::

    import perbup_rules as pr
    ruleset = pr.load_ruleset(pr.BUNDLED_RULES)         # or your draft's folder
    dataset = pr.load_dataset(pr.EXAMPLE_DATA)          # canonical CSV folder, .xlsx, or an export
    report = pr.evaluate(ruleset, dataset, engine="durable")
    report.to_json()

    report = pr.audit(pr.BUNDLED_RULES, "data/")          # all in one, the fastest way (``perbup audit``)

Everything else is internal and may change.
"""

from __future__ import annotations

from pathlib import Path

from .compiler import Ruleset, check_regulation, compile_ruleset
from .errors import (
    DataError,
    Diagnostic,
    EngineError,
    InvalidRulesError,
    PerbupError,
    RecordError,
    SourceLocation,
    UsageError,
)
from .evaluate import evaluate
from .findings import Finding, Report, RequiredPartnership, Status, Text
from .loader import Regulation, load_files
from .precheck import PackageCheck, PackageChecker, check_package
from .records import Dataset, Partnership, Party, Purchase

__version__ = "0.1.0"

_HERE = Path(__file__).resolve().parent
#: The bundled Kutai Timur draft (rules/kutim-kemitraan), shipped as package data.
BUNDLED_RULES = _HERE / "bundled" / "kutim-kemitraan"
#: The bundled example dataset (examples/kutim), shipped as package data.
EXAMPLE_DATA = _HERE / "bundled" / "examples" / "kutim"


def load_regulation(path: str | Path) -> Regulation:
    """Load a regulation folder, raising :class:`InvalidRulesError` with every problem found."""
    reg = load_files(path)
    _b, diags = check_regulation(reg)
    if any(d.severity == "error" for d in diags):
        raise InvalidRulesError(diags)
    return reg


def load_ruleset(path: str | Path) -> Ruleset:
    """Load and compile a regulation folder into a :class:`Ruleset`."""
    return compile_ruleset(load_files(path))


def categorize(dataset: Dataset, rules: str | Path | Ruleset):
    """Fill ``category`` from the regulation's ``categories.yaml`` where the source gave none.

    ``rules`` is the regulation folder or a Ruleset compiled from one; a folder without a
    map changes nothing. Returns a :class:`~perbup_rules.categories.Categorized` summary;
    the dataset's purchases are replaced by categorised copies (provenance recorded).
    """
    from .categories import categorize_for

    return categorize_for(dataset, rules)


def audit(rules: str | Path | Ruleset, data, engine: str = "durable", *, kind: str | None = None,
          registries: list[str | Path] = (), periods=None, stage: str | None = None, clauses=None,
          as_if_in_force: bool = False, all_findings: bool = False, path: str | None = None,
          no_assume=None, as_of=None, max_candidates: int = 20, list_limit: int | None = None) -> Report:
    """``perbup audit`` as one call: read ``data``, apply ``registries`` and the regulation's
    categories.yaml, and judge it per record or column-wise, whichever is faster; the report
    is the same either way (tests/test_onepath.py).

    ``data``: a canonical folder, an Excel workbook or any export (``kind`` or detected), a
    list of them (linked as one), or a Dataset already read (registries and categories are
    then applied to it in place). By default compliant and not-applicable verdicts over
    purchases are counted (``Report.counted``), not listed, so millions of purchases fit in
    memory; ``all_findings=True`` lists every verdict, as :func:`evaluate` does.
    ``path``: ``"per-record"`` or ``"column"`` forces a way (tests, debugging; default: chosen
    by size, or ``$PERBUP_ENGINE_PATH``). ``no_assume``, ``as_of``, ``max_candidates``: as in
    :func:`evaluate` (``perbup audit --no-assume``, ``--as-of``, ``--max-candidates``).
    ``list_limit``: list at most this many verdicts on purchases per clause and status, the first
    in display order, and count the rest (what ``render(..., "html")`` and the other human formats
    show; :mod:`perbup_rules.listing`); ignored with ``all_findings``. The summary counts all.
    """
    from .bulk.choose import audit as _audit

    return _audit(rules, data, engine, kind=kind, registries=registries, periods=periods, stage=stage,
                  clauses=clauses, as_if_in_force=as_if_in_force, all_findings=all_findings, path=path,
                  no_assume=no_assume, as_of=as_of, max_candidates=max_candidates, list_limit=list_limit)


def load_dataset(source: str | Path, kind: str | None = None, *, registries: list[str | Path] = ()) -> Dataset:
    """Load a canonical dataset folder, an Excel workbook, or a real export (``kind`` or detected).

    ``registries``: supplier registry files (docs/registries.md) joined to its parties, in order;
    the matches are in ``dataset.registries`` and in the report of an evaluation.
    """
    from .importers import load

    ds = load(source, kind)
    if registries:
        from .registries import load_and_apply

        load_and_apply(ds, list(registries))
    return ds


__all__ = [
    "BUNDLED_RULES",
    "EXAMPLE_DATA",
    "DataError",
    "Dataset",
    "Diagnostic",
    "EngineError",
    "Finding",
    "InvalidRulesError",
    "PackageCheck",
    "PackageChecker",
    "Partnership",
    "Party",
    "PerbupError",
    "Purchase",
    "RecordError",
    "Regulation",
    "Report",
    "RequiredPartnership",
    "Ruleset",
    "SourceLocation",
    "Status",
    "Text",
    "UsageError",
    "audit",
    "categorize",
    "compile_ruleset",
    "check_package",
    "evaluate",
    "load_dataset",
    "load_regulation",
    "load_ruleset",
]
