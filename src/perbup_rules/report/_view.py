"""A read-only view of a Report shared by the human-readable renderers: grouping, sorting, caps.

Nothing here changes a verdict; it only orders and groups what the engine decided.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Sequence, TypeVar

from ..findings import STATUS_ORDER, Finding, Report, RequiredPartnership, Status, Text, display_key
from ._format import to_decimal

#: per-record rows listed per clause and status before "N more (see CSV/JSON)"
ROW_CAP = 500

T = TypeVar("T")


@dataclass
class ClauseView:
    """One clause with its findings grouped by status and its required partnerships."""

    id: str
    kind: str
    citation: str
    title: Text
    text: str
    derived_from: list[str]
    severity: str
    location: str
    unit: str | None
    findings: dict[Status, list[Finding]] = field(default_factory=dict)
    required: list[RequiredPartnership] = field(default_factory=list)
    #: verdicts counted but not listed (the bulk path), per status
    counted: dict[Status, int] = field(default_factory=dict)
    #: "not evaluated: no record has category" when no input record lets the clause apply
    not_evaluated: str | None = None

    def count(self, status: Status) -> int:
        """How many verdicts of this clause have ``status`` (listed and counted)."""
        return len(self.findings.get(status, ())) + self.counted.get(status, 0)

    @property
    def total(self) -> int:
        """How many verdicts this clause has."""
        return sum(len(v) for v in self.findings.values()) + sum(self.counted.values())


def names(report: Report) -> dict[str, str]:
    """The report's id -> display name map (empty for reports without names)."""
    return getattr(report, "names", None) or {}


def name_of(report: Report, ident: str | None) -> str:
    """The display name of an id, or the id itself when no name is known."""
    if ident is None:
        return ""
    return names(report).get(ident, ident)


def _text(value: Any, fallback: str) -> Text:
    if isinstance(value, Text):
        return value
    if isinstance(value, dict):
        return Text(str(value.get("id") or fallback), str(value.get("en") or value.get("id") or fallback))
    if isinstance(value, str) and value:
        return Text(value, value)
    return Text(fallback, fallback)


def clause_views(report: Report) -> list[ClauseView]:
    """Every clause (declared or only seen in findings), sorted by id, findings sorted within."""
    declared = {c["id"]: c for c in report.clauses}
    by_clause: dict[str, dict[Status, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    citations: dict[str, str] = {}
    for f in report.findings:
        by_clause[f.clause][f.status].append(f)
        citations.setdefault(f.clause, f.citation)
    counted: dict[str, dict[Status, int]] = defaultdict(lambda: defaultdict(int))
    for c in getattr(report, "counted", None) or ():
        counted[c["clause"]][Status(c["status"])] += c["count"]
    required: dict[str, list[RequiredPartnership]] = defaultdict(list)
    for r in sorted_required(report):
        required[r.clause].append(r)
    unevaluated = not_evaluated_notes(report)
    views = []
    for cid in sorted(set(declared) | set(by_clause) | set(required) | set(counted)):
        c = declared.get(cid, {})
        kind = str(c.get("kind") or "")
        if kind == "classify" and cid not in by_clause:
            continue  # definitions derive attributes; they are judged through the clauses that use them
        groups = by_clause.get(cid, {})
        views.append(
            ClauseView(
                id=cid,
                kind=kind,
                citation=str(c.get("citation") or citations.get(cid, "")),
                title=_text(c.get("title"), cid),
                text=str(c.get("text") or ""),
                derived_from=[str(d) for d in c.get("derived_from") or ()],
                severity=str(c.get("severity") or ""),
                location=str(c.get("location") or ""),
                unit=c.get("unit") or ("ratio" if kind == "share" else None),
                findings={s: sorted(groups.get(s, ()), key=display_key) for s in STATUS_ORDER},
                required=required.get(cid, []),
                counted=dict(counted.get(cid, {})),
                not_evaluated=unevaluated.get(cid),
            )
        )
    return views


def not_evaluated_text(report: Report, clause: str) -> Text | None:
    """The bilingual note for a clause no record lets apply, or None."""
    for d in getattr(report, "not_evaluated", None) or ():
        if d["clause"] == clause:
            fields = d.get("fields") or []
            return Text("tidak dievaluasi: tidak ada data yang memuat " + " atau ".join(fields),
                        f"not evaluated: {d['reason']}")
    return None


def not_evaluated_notes(report: Report) -> dict[str, str]:
    """Clause id -> "not evaluated: no record has <field>" (Report.not_evaluated, perbup_rules.not_evaluated)."""
    return {d["clause"]: f"not evaluated: {d['reason']}" for d in getattr(report, "not_evaluated", None) or ()}


def sorted_required(report: Report) -> list[RequiredPartnership]:
    """Required partnerships by clause, period, category, party."""
    return sorted(
        report.required_partnerships,
        key=lambda r: (r.clause, r.period if r.period is not None else -1, r.category or "", r.party, r.purchase or ""),
    )


def _row_key(row: Any) -> tuple:
    return (0, row, "") if isinstance(row, int) else (1, 0, str(row or ""))


def sorted_rejected(report: Report) -> list[dict[str, Any]]:
    """Rejected input rows by table, file, row, column and code."""
    return sorted(
        report.rejected,
        key=lambda r: (
            str(r.get("table") or ""),
            str(r.get("file") or ""),
            _row_key(r.get("row")),
            str(r.get("column") or ""),
            str(r.get("code") or ""),
            str(r.get("reason") or ""),
        ),
    )


@dataclass(frozen=True)
class InputRow:
    """Counts of one input table and whether they add up."""

    table: str
    read: int | None
    accepted: int | None
    rejected: int | None
    listed: int

    @property
    def reconciles(self) -> bool:
        """read = accepted + rejected, and every rejection is listed."""
        if self.read is None or self.accepted is None or self.rejected is None:
            return False
        return self.read == self.accepted + self.rejected and self.rejected == self.listed


def input_rows(report: Report) -> list[InputRow]:
    """One row per input table, sorted by table name."""
    listed: dict[str, int] = defaultdict(int)
    for r in report.rejected:
        listed[str(r.get("table") or "")] += 1
    rows = []
    for table in sorted(set(report.input) | set(listed)):
        counts = report.input.get(table, {})
        rows.append(InputRow(table, counts.get("read"), counts.get("accepted"), counts.get("rejected"), listed[table]))
    return rows


def cap(items: Sequence[T], all_findings: bool, limit: int | None = None, total: int | None = None) -> tuple[Sequence[T], int]:
    """The items to list (at most ``limit``, by default :data:`ROW_CAP`) and how many were left
    out; ``total``: how many there are in all, when ``items`` are only the first of them (a report
    listing the first, :mod:`perbup_rules.listing`)."""
    limit = ROW_CAP if limit is None else limit
    total = len(items) if total is None else total
    shown = items if all_findings or len(items) <= limit else items[:limit]
    return shown, total - len(shown)


def shortfall(f: Finding) -> Decimal | None:
    """threshold - measured, when both are numbers."""
    m, t = to_decimal(f.measured), to_decimal(f.threshold)
    return None if m is None or t is None else t - m


def top_violations(report: Report, n: int = 10) -> list[Finding]:
    """The ``n`` violations to show first: errors, then the largest share shortfall, then clause order."""
    share = {c["id"] for c in report.clauses if c.get("kind") == "share"}

    def key(f: Finding) -> tuple:
        gap = shortfall(f) if f.clause in share else None
        return (f.severity != "error", gap is None, -(gap or 0), f.clause, display_key(f))

    return sorted(report.by_status(Status.VIOLATION), key=key)[:n]


def share_panels(view: ClauseView) -> list[tuple[tuple, list[Finding]]]:
    """Share findings grouped by (period, stage, category), excluding not_applicable."""
    panels: dict[tuple, list[Finding]] = defaultdict(list)
    for status in (Status.VIOLATION, Status.CANNOT_DETERMINE, Status.COMPLIANT):
        for f in view.findings.get(status, ()):
            panels[(f.period, f.stage, f.category)].append(f)
    order = sorted(panels, key=lambda k: display_key(panels[k][0])[:4])
    return [(k, panels[k]) for k in order]


# --- input account: rejections, channel coverage, link rates --------------------------------

#: coverage rows listed in the human formats before "N more (see JSON)"
COVERAGE_CAP = 200


def rejected_line(report: Report) -> Text | None:
    """``N input rows rejected; most often (k): code table.column: reason``, or None when none was."""
    from ..nodata import top_reasons

    if not report.rejected:
        return None
    n = len(report.rejected)
    pattern, k = top_reasons(report.rejected, 1)[0]
    pattern = " ".join(pattern.split("  ", 1))
    return Text(f"{n} baris masukan ditolak; terbanyak ({k}): {pattern}",
                f"{n} input rows rejected; most often ({k}): {pattern}")


def share_clause_ids(report: Report) -> list[str]:
    """Ids of the report's share clauses, sorted."""
    ids = {c["id"] for c in report.clauses if c.get("kind") == "share"}
    ids |= {f.clause for f in report.findings if f.channels is not None}
    return sorted(ids)


def coverage_line(report: Report) -> Text | None:
    """One line beside the share verdicts when they cannot speak for all spending: the named
    channels the input has no purchase from, and purchases without a channel. None otherwise."""
    cov = getattr(report, "coverage", None)
    if cov is None or not cov.rows:
        return None
    absent, unknown = cov.absent, cov.unknown
    if not absent and not unknown:
        return None
    known = [c for c in cov.present if c != "unknown"]
    shares = share_clause_ids(report)
    which_id = f" ({', '.join(shares)})" if shares else ""
    parts_id, parts_en = [], []
    if known and absent:
        parts_id.append(f"masukan tidak memuat pembelian lewat {', '.join(absent)}; "
                        f"putusan porsi{which_id} hanya mencakup {', '.join(known)}")
        parts_en.append(f"the input has no {', '.join(absent)} purchases; "
                        f"share verdicts{which_id} cover {', '.join(known)} only")
    if unknown:
        total = sum(n for n, _v, _m in cov.totals.values())
        if not known:
            parts_id.append(f"tidak ada pembelian yang menyebut salurannya ({unknown} pembelian); putusan porsi"
                            f"{which_id} mungkin tidak mencakup seluruh belanja")
            parts_en.append(f"no purchase names its channel ({unknown} purchases); share verdicts{which_id} "
                            f"may not cover all spending")
        else:
            parts_id.append(f"{unknown} dari {total} pembelian tidak menyebut salurannya")
            parts_en.append(f"{unknown} of {total} purchases do not name their channel")
    return Text("Cakupan: " + "; ".join(parts_id) + ".", "Coverage: " + "; ".join(parts_en) + ".")


def channels_text(f: Finding) -> str | None:
    """``tender, non_tender (tidak ada dari / none from e_purchasing, …)`` for a share finding; None for others."""
    if f.channels is None:
        return None
    from ..channel_coverage import NAMED

    came = ", ".join(f.channels) or "—"
    missing = [c for c in NAMED if c not in f.channels]
    return came + (f" (tidak ada dari / none from {', '.join(missing)})" if missing else "")


def coverage_rows(report: Report) -> list:
    """The coverage rows (buyer, period, stage, channel), sorted; empty without coverage."""
    cov = getattr(report, "coverage", None)
    return list(cov.rows) if cov is not None else []


def link_rates(report: Report) -> list[dict[str, Any]]:
    """The report's measured links between sources, sorted by source, target and key."""
    return sorted(getattr(report, "link_rates", None) or (), key=lambda r: (r["source"], r["target"], r["key"]))


def link_percent(r: dict[str, Any]) -> str:
    """``linked / total`` as an exact percent (truncated), or a dash when total is 0."""
    from ._format import percent
    from fractions import Fraction

    if not r["total"]:
        return "—"
    q = Fraction(r["linked"], r["total"])
    return percent(Decimal(q.numerator) / Decimal(q.denominator))


def coverage_value(count: int, value: Any, missing: int) -> str:
    """The summed value of a coverage cell in rupiah; a dash when no purchase in it gave a value."""
    from ._format import DASH, rupiah

    return DASH if count == missing else rupiah(value)
