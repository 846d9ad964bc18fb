"""Who a clause over parties speaks to: facts about a party in a period that no record holds.

A clause over parties names its subjects (``subjects:``, docs/clause-format.md); a party
that is not one yields no finding at all. Some subjects are defined by what the party did in
the period rather than by what it is: KMT-07 speaks only to suppliers that won an award or
contract from a government buyer in the period. Such facts are computed here, once per run,
and stored with the classify attributes (``Env.derived``: year -> party id -> attribute), so
both engines and the bulk path read them the same way.

``awards_won``: the number of awards and contracts (stage ``award`` or ``contract``) the party
won as supplier in the period from a buyer of kind ``perangkat_daerah`` or ``desa``. A
purchase counts in its period (``fiscal_year``, else its date's year). When no purchase
counts for sure but some purchase of the party may (its period or its buyer's kind is
unknown), the number is unknown (``None``): Kleene logic then makes the party a possible
subject, judged cannot_determine rather than dropped or judged as certain.

``reports_filed``: the number of yearly reports (reports.csv) the party filed for the period
(KMT-18 speaks to large companies that supplied a government buyer or filed a report).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from . import schema
from .periods import purchase_period

#: attributes the evaluator computes itself, with their types (added to the party scope)
BUILTIN_DERIVED = {"awards_won": schema.INT, "reports_filed": schema.INT}

#: the buyers whose awards make a supplier a subject of KMT-07 (government buyers)
GOVERNMENT_BUYERS = ("perangkat_daerah", "desa")
WON_STAGES = ("award", "contract")


def awards_won(purchases: Iterable[Any], parties: dict[str, Any], years: Iterable[int]) -> dict[int, dict[str, int | None]]:
    """year -> supplier id -> ``awards_won`` (see the module docstring); parties with none: 0.

    A record with a ``stands_for`` attribute stands for that many purchases alike in stage, supplier,
    buyer and period (the bulk path groups them in SQL instead of reading every purchase)."""
    years = list(years)
    sure: Counter = Counter()
    maybe: dict[int | None, set[str]] = {}
    for p in purchases:
        if p.stage not in WON_STAGES or p.supplier_id is None:
            continue
        buyer = parties.get(p.buyer_id) if p.buyer_id is not None else None
        kind = getattr(buyer, "kind", None)
        if kind is not None and kind not in GOVERNMENT_BUYERS:
            continue
        year = purchase_period(p)
        if kind is None or year is None:
            maybe.setdefault(year, set()).add(p.supplier_id)
        else:
            sure[(year, p.supplier_id)] += getattr(p, "stands_for", 1)
    out: dict[int, dict[str, int | None]] = {}
    anytime = maybe.get(None, set())
    for y in years:
        row: dict[str, int | None] = {pid: 0 for pid in parties}
        for pid in maybe.get(y, set()) | anytime:
            row[pid] = None
        for (yy, pid), n in sure.items():
            if yy == y:
                row[pid] = n
        out[y] = row
    return out


def reports_filed(reports: Iterable[Any], parties: dict[str, Any], years: Iterable[int]) -> dict[int, dict[str, int]]:
    """year -> party id -> the number of yearly reports (reports.csv, any kind) it filed for that
    year; parties with none: 0. A report's year is always known (a required column)."""
    counts: Counter = Counter((r.year, r.party_id) for r in reports)
    return {y: {pid: counts.get((y, pid), 0) for pid in parties} for y in years}


def store(derived: dict[int, dict[str, dict[str, Any]]], purchases: Iterable[Any], parties: dict[str, Any],
          years: Iterable[int], reports: Iterable[Any] = ()) -> None:
    """Write ``awards_won`` and ``reports_filed`` into ``derived`` (Env.derived) for every party and year."""
    years = list(years)
    for y, row in awards_won(purchases, parties, years).items():
        store_y = derived.setdefault(y, {})
        for pid, n in row.items():
            store_y.setdefault(pid, {})["awards_won"] = n
    for y, row in reports_filed(reports, parties, years).items():
        store_y = derived.setdefault(y, {})
        for pid, n in row.items():
            store_y.setdefault(pid, {})["reports_filed"] = n
