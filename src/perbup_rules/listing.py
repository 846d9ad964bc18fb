"""Listing only what a reader is shown: at most ``n`` findings per clause and status, the rest counted.

The human reports (HTML, Markdown, terminal text) list the first ``ROW_CAP`` (500) findings of
each clause and status in :func:`~perbup_rules.findings.display_key` order and count the others
("N more, see CSV/JSON"); a report made only for them need not hold a million findings it never
shows. :func:`limit_listed` keeps, per (clause, status), the first ``n`` of a clause's verdicts on
purchases (``each`` and ``exists`` clauses: the ones the column-wise path may count) in display
order, equal keys in report order, and moves the others into ``Report.counted``. Rendered without
``--all``, the limited report is byte-identical to the whole one (tests/test_listing.py); its
summary, totals and verdict counts are the same.

Never limited: group verdicts (share, window), verdicts on parties, partnerships and reports,
required partnerships and the assumptions section (made before limiting). The column-wise path
(:mod:`perbup_rules.bulk.evaluate`) does not judge per record the ``each`` violations it would
drop here; this function is what defines which ones are kept.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from typing import Any

from .errors import UsageError
from .findings import Report, Status, display_key

#: the clause kinds whose verdicts on purchases may be counted instead of listed
LIMITED_KINDS = ("each", "exists")


def counted_rows(counts: Counter) -> list[dict[str, Any]]:
    """``Report.counted`` from counts per (clause, period, stage, category, Status): one row each,
    sorted by clause, period, stage, category, status."""
    rows = [{"clause": c, "period": y, "stage": s, "category": cat, "status": st.value, "count": n}
            for (c, y, s, cat, st), n in counts.items()]
    rows.sort(key=lambda d: (d["clause"], d["period"] if d["period"] is not None else -1, d["stage"] or "",
                             d["category"] or "", d["status"]))
    return rows


def check_list_limit(n: object) -> int:
    """``n`` if it is a positive whole number; else a UsageError."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise UsageError(f"list limit {n!r} is not a positive whole number")
    return n


def limit_listed(report: Report, n: int) -> Report:
    """``report`` listing at most ``n`` (>= 1) verdicts on purchases per ``each``/``exists`` clause
    and status, the first in display order; the others counted (see the module docstring)."""
    check_list_limit(n)
    kinds = {c["id"]: c.get("kind") for c in report.clauses}
    groups: dict[tuple, list[int]] = defaultdict(list)
    mixed: set[tuple] = set()  # (clause, status) with a finding that is never limited: listed whole
    for i, f in enumerate(report.findings):
        key = (f.clause, f.status)
        groups[key].append(i)
        if f.subject_kind != "purchase" or kinds.get(f.clause) not in LIMITED_KINDS:
            mixed.add(key)
    findings = report.findings
    drop: set[int] = set()
    more: Counter = Counter()
    for key, idx in groups.items():
        if len(idx) <= n or key in mixed:
            continue
        idx.sort(key=lambda i: display_key(findings[i]))  # stable: equal keys stay in report order
        for i in idx[n:]:
            f = findings[i]
            drop.add(i)
            more[(f.clause, f.period, f.stage, f.category, f.status)] += 1
    if not drop:
        return report
    for row in report.counted:
        more[(row["clause"], row["period"], row["stage"], row["category"], Status(row["status"]))] += row["count"]
    return dataclasses.replace(report, findings=[f for i, f in enumerate(findings) if i not in drop],
                               counted=counted_rows(more))
