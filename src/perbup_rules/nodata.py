"""No data is no audit: an input that yields no accepted purchase is an input error.

A header-only file, or an export whose every row is rejected, would otherwise give a
report of zeros, and ``--fail-on violation`` would pass on it. Every purchase clause
and every period come from purchases, so such an audit judges nothing; we say so
instead, with the rows read and rejected and the most common reason, and exit 2.

The same grouping of rejection reasons serves ``perbup import``'s summary and the
report's one-line account of partly rejected input, so both speak alike.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Iterable

from . import errors
from .errors import DataError, Diagnostic, SourceLocation
from .i18n import msg
from .records import Dataset, Rejection

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: the advice a reason ends with ("(use 2025-03-31 or 31/03/2025)"): the same in every rejection
_ADVICE = re.compile(r"(\((?:use|e\.g\.) [^()]*\))")


def reason_pattern(r: Rejection | dict) -> str:
    """A rejection reason with its particular values blanked, so alike rejections group together."""
    get = r.get if isinstance(r, dict) else lambda k: getattr(r, k)
    reason, column = str(get("reason") or ""), get("column")
    if column and reason.startswith(f"{column}: "):
        reason = reason[len(column) + 2 :]  # the column is named once, before the reason
    parts = _ADVICE.split(reason)  # text, advice, text, ...: the advice is kept as written
    text = "".join(p if n % 2 else _NUMBER.sub("N", _QUOTED.sub("'…'", p)) for n, p in enumerate(parts))
    return f"{get('code')}  {get('table')}.{column or '-'}: {text}"


def top_reasons(rejected: Iterable[Rejection | dict], n: int = 10) -> list[tuple[str, int]]:
    """The ``n`` most common rejection patterns with their counts (ties by pattern, so stable)."""
    counts = Counter(reason_pattern(r) for r in rejected)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def read_from_input(dataset: Dataset) -> bool:
    """True when the dataset was read from files (it names its sources).

    A dataset built in code (``Dataset.build``: a scenario of parties alone, judged for a
    period it names) is the caller's own business and is judged as given.
    """
    return bool(dataset.sources)


def where(dataset: Dataset) -> str | None:
    """The input to blame: the one file, or the folder all its files share."""
    paths = sorted({s.path for s in dataset.sources})
    if not paths:
        return None
    if len(paths) == 1:
        return paths[0]
    try:
        common = os.path.commonpath(paths)
    except ValueError:  # different drives
        return None
    return common or None


def no_data_diagnostic(dataset: Dataset, location: str | None = None) -> Diagnostic:
    """The one-line reason an input with no accepted purchase cannot be audited."""
    stats = dataset.stats["purchases"]
    rejected = [r for r in dataset.rejected if r.table == "purchases"] or list(dataset.rejected)
    parts = []
    if stats.read == 0:
        others = sum(s.rejected for t, s in dataset.stats.items() if t != "purchases")
        parts.append(msg("diag.data.no_rows_others", others=others) if others else msg("diag.data.no_rows"))
    else:
        parts.append(msg("diag.data.all_rejected", read=stats.read, rejected=stats.rejected)
                     if stats.rejected == stats.read else msg("diag.data.some_rejected", read=stats.read, rejected=stats.rejected))
    top = top_reasons(rejected, 1)
    if top:
        pattern, n = top[0]
        parts.append(msg("diag.data.most_often", n=n, pattern=pattern.replace('  ', ' ', 1)))
    detail = parts
    loc = location if location is not None else where(dataset)
    return Diagnostic(errors.NO_DATA, msg("diag.data.no_data", detail=detail),
                      SourceLocation(loc) if loc else None)


def require_purchases(dataset: Dataset, location: str | None = None) -> None:
    """Raise :class:`DataError` (``no_data``) when the dataset holds no accepted purchase."""
    if not dataset.purchases:
        raise DataError([no_data_diagnostic(dataset, location)])
