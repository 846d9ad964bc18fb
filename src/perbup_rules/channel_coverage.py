"""Which LKPP channels the purchases came from: what a share verdict speaks for.

KMT-01 ("each agency spends at least 40% on UMKK") judged over e-kontrak rows alone says
nothing about e-katalog or Toko Daring spending. An auditor must not read "compliant" as
"compliant over all spending", so the report states, per buyer, period and stage, the
count and value of purchases by channel (``records.CHANNELS``, and ``unknown`` for a
purchase whose source did not say), and which channels the input has none of.

This module computes; ``perbup_rules.report`` renders. Sums are exact (int rupiah, or
Decimal when a source gave sen); a purchase without a value is counted in
``value_missing``, never as zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from .records import CHANNELS, Dataset, LinkRate, Money, Purchase

#: The channel name of a purchase whose source did not say (canonical data without the column).
UNKNOWN = "unknown"
#: Channel names in report order: the contract's, then unknown.
CHANNEL_ORDER = CHANNELS + (UNKNOWN,)
#: Channels whose absence the summary states: every named channel. ``other`` is a catch-all,
#: so an input without it lacks nothing.
NAMED = tuple(c for c in CHANNELS if c != "other")


def channel_of(p: Purchase) -> str:
    """The purchase's channel, ``unknown`` when the source did not say."""
    return p.channel or UNKNOWN


def period_of(p: Purchase) -> int | None:
    """The purchase's fiscal year: ``fiscal_year`` when given (the contract), else its date's year."""
    if p.fiscal_year is not None:
        return p.fiscal_year
    return p.date.year if p.date is not None else None


def ordered(channels: Iterable[str]) -> tuple[str, ...]:
    """Channel names in :data:`CHANNEL_ORDER` (unexpected names last, alphabetically)."""
    seen = set(channels)
    known = [c for c in CHANNEL_ORDER if c in seen]
    return tuple(known + sorted(seen - set(CHANNEL_ORDER)))


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """Purchases of one buyer, period, stage and channel: how many, and their value."""

    buyer: str | None
    period: int | None
    stage: str | None
    channel: str
    count: int
    value_idr: Money = 0
    #: purchases counted here whose value the source did not give (not summed)
    value_missing: int = 0

    def sort_key(self) -> tuple:
        rank = CHANNEL_ORDER.index(self.channel) if self.channel in CHANNEL_ORDER else len(CHANNEL_ORDER)
        return (self.buyer or "", self.period if self.period is not None else -1, self.stage or "", rank, self.channel)

    def to_dict(self) -> dict[str, Any]:
        return {"buyer": self.buyer, "period": self.period, "stage": self.stage, "channel": self.channel,
                "count": self.count, "value_idr": str(self.value_idr), "value_missing": self.value_missing}


@dataclass(frozen=True)
class Coverage:
    """Count and value of the accepted purchases by channel, per buyer, period and stage."""

    rows: tuple[CoverageRow, ...] = ()
    #: per channel over the whole input: (count, value, value_missing), channels present only
    totals: dict[str, tuple[int, Money, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[CoverageRow]) -> "Coverage":
        """Coverage from its rows (sorted here; totals summed from them)."""
        rows = tuple(sorted(rows, key=CoverageRow.sort_key))
        totals: dict[str, list] = {}
        for r in rows:
            t = totals.setdefault(r.channel, [0, 0, 0])
            t[0] += r.count
            t[1] += r.value_idr
            t[2] += r.value_missing
        return cls(rows, {c: tuple(totals[c]) for c in ordered(totals)})

    @property
    def present(self) -> tuple[str, ...]:
        """Channels at least one accepted purchase came from (``unknown`` included)."""
        return tuple(self.totals)

    @property
    def absent(self) -> tuple[str, ...]:
        """Named channels no accepted purchase came from."""
        return tuple(c for c in NAMED if c not in self.totals)

    @property
    def unknown(self) -> int:
        """Purchases whose channel the source did not give."""
        return self.totals.get(UNKNOWN, (0, 0, 0))[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "channels": list(CHANNEL_ORDER),
            "present": list(self.present),
            "absent": list(self.absent),
            "unknown": self.unknown,
            "by_channel": [{"channel": c, "count": n, "value_idr": str(v), "value_missing": m}
                           for c, (n, v, m) in self.totals.items()],
            "rows": [r.to_dict() for r in self.rows],
        }


def coverage_of(purchases: Iterable[Purchase]) -> Coverage:
    """The channel coverage of these purchases (all accepted ones of a dataset, whatever is judged)."""
    acc: dict[tuple, list] = defaultdict(lambda: [0, 0, 0])
    for p in purchases:
        a = acc[(p.buyer_id, period_of(p), p.stage, channel_of(p))]
        a[0] += 1
        if p.value_idr is None:
            a[2] += 1
        else:
            a[1] += p.value_idr
    return Coverage.of(CoverageRow(b, y, s, c, n, v, m) for (b, y, s, c), (n, v, m) in acc.items())


def link_rate_dict(lr: LinkRate) -> dict[str, Any]:
    """A measured link between two sources as the report's JSON (``unlinked`` as file and row)."""
    return {"source": lr.source, "target": lr.target, "key": lr.key, "linked": lr.linked, "total": lr.total,
            "unlinked": [{"file": f, "row": r} for f, r in lr.unlinked]}


def link_rates_of(dataset: Dataset) -> list[dict[str, Any]]:
    """The dataset's link rates as report JSON, in a fixed order."""
    return [link_rate_dict(lr) for lr in sorted(dataset.link_rates, key=lambda x: (x.source, x.target, x.key))]
