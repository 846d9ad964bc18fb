"""Inline SVG bar charts of share clauses, written by hand (no plotting library, no network).

One ``<svg>`` per share clause; inside it one panel per (period, stage, category), one
horizontal bar per subject (0-100 %), a dashed vertical line at the threshold, bars
coloured by status and a text mark (✓ ✗ ?) so the chart still reads in black and white.
Geometry is computed with Decimal from the decided decimal strings, never with float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from markupsafe import Markup, escape

from ..findings import Finding, Report, Status
from ._format import STAGE_LABELS, percent, percent_pair, status_label, to_decimal
from ._view import ClauseView, name_of, share_panels

#: bars drawn per panel before "N more subjects not drawn" (unless all_findings)
CHART_CAP = 60

WIDTH = 860
LABEL_W = 280  # subject names, right-aligned, end at LABEL_W - 10
TRACK_X = 290
TRACK_W = 420  # 0 % .. 100 %
ROW_H = 22
BAR_H = 14
HEAD_H = 44  # panel title line + threshold label line
AXIS_H = 24
GAP = 18
NAME_CHARS = 36  # about 250 px of 12 px DejaVu Sans, the widest likely fallback font
TICKS = (0, 20, 40, 60, 80, 100)

MARKS = {Status.VIOLATION: "✗", Status.COMPLIANT: "✓", Status.CANNOT_DETERMINE: "?"}


def _n(value: Decimal | int) -> str:
    """A coordinate with at most one decimal."""
    d = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    return f"{d.normalize():f}"


def _x(share: Decimal) -> Decimal:
    """The x of a share clamped to 0..1."""
    return TRACK_X + TRACK_W * min(max(share, Decimal(0)), Decimal(1))


def _cut(text: str) -> str:
    return text if len(text) <= NAME_CHARS else text[: NAME_CHARS - 1] + "…"


def panel_title(key: tuple) -> str:
    """``2025 · perencanaan (plan) · makanan`` for a (period, stage, category) key."""
    period, stage, category = key
    parts = [str(period) if period is not None else "—"]
    if stage:
        t = STAGE_LABELS.get(stage)
        parts.append(f"{t.id} ({t.en})" if t else stage)
    if category:
        parts.append(category)
    return " · ".join(parts)


def _pick(findings: list[Finding], all_findings: bool) -> tuple[list[Finding], int]:
    """The findings to draw (violations and the lowest shares first when capped) and how many are left out."""
    if all_findings or len(findings) <= CHART_CAP:
        chosen = findings
    else:
        rank = {Status.VIOLATION: 0, Status.CANNOT_DETERMINE: 1, Status.COMPLIANT: 2}

        def worst(f: Finding) -> tuple:
            m = to_decimal(f.measured)
            return (rank.get(f.status, 3), m is not None, m if m is not None else 0, f.subject or "")

        chosen = sorted(findings, key=worst)[:CHART_CAP]
    return chosen, len(findings) - len(chosen)


def _row(report: Report, f: Finding, y: int, single_threshold: bool, notes: list[str]) -> list[str]:
    """One subject's bar; a note for an empty bar goes to ``notes`` (drawn above the threshold line)."""
    name = name_of(report, f.subject) or "—"
    label = status_label(f.status)
    m = to_decimal(f.measured)
    shown_m, shown_t = percent_pair(f.measured, f.threshold)
    tip = f"{name} ({f.subject}): {shown_m if m is not None else label.id}; ambang / threshold {shown_t}; {label.id} / {label.en}"
    if f.missing:
        tip += f"; data kurang / missing: {', '.join(f.missing)}"
    status = f.status.value
    bar_y, mid = y + (ROW_H - BAR_H) // 2, y + ROW_H // 2 + 4
    width = _x(m) - TRACK_X if m is not None else Decimal(0)
    value_text = f"{shown_m} {MARKS.get(f.status, '')}" if m is not None else MARKS.get(f.status, "—")
    out = [
        f'<g class="row status-{status}" data-subject="{escape(f.subject or "")}">',
        f"<title>{escape(tip)}</title>",
        f'<text class="label" x="{LABEL_W - 10}" y="{mid}" text-anchor="end">{escape(_cut(name))}</text>',
        f'<rect class="track track-{status}" x="{TRACK_X}" y="{bar_y}" width="{TRACK_W}" height="{BAR_H}"/>',
        f'<rect class="bar bar-{status}" data-subject="{escape(f.subject or "")}" data-measured="{escape(f.measured or "")}"'
        f' x="{TRACK_X}" y="{bar_y}" width="{_n(width)}" height="{BAR_H}"/>',
        f'<text class="value value-{status}" x="{TRACK_X + TRACK_W + 10}" y="{mid}">{escape(value_text)}</text>',
    ]
    if m is None:  # no bar to draw: say why inside the empty track
        notes.append(f'<text class="note" x="{TRACK_X + 8}" y="{mid}">{escape(f"{label.id} · {label.en}")}</text>')
    t = to_decimal(f.threshold)
    if t is not None and not single_threshold:
        tx = _n(_x(t))
        out.append(f'<line class="threshold-tick" x1="{tx}" x2="{tx}" y1="{y + 1}" y2="{y + ROW_H - 1}"/>')
    out.append("</g>")
    return out


def _panel(report: Report, key: tuple, findings: list[Finding], top: int, all_findings: bool) -> tuple[list[str], int]:
    chosen, more = _pick(findings, all_findings)
    chosen = sorted(chosen, key=lambda f: (name_of(report, f.subject).casefold(), f.subject or ""))
    thresholds = {to_decimal(f.threshold) for f in chosen} - {None}
    single = len(thresholds) == 1
    rows_top = top + HEAD_H
    rows_bottom = rows_top + ROW_H * len(chosen)
    period, stage, category = key
    out = [f'<g class="panel" data-period="{escape(period if period is not None else "")}"'
           f' data-stage="{escape(stage or "")}" data-category="{escape(category or "")}">',
           f'<text class="panel-title" x="0" y="{top + 16}">{escape(panel_title(key))}</text>']
    for tick in TICKS:
        x = _n(_x(Decimal(tick) / 100))
        out.append(f'<line class="grid" x1="{x}" x2="{x}" y1="{rows_top}" y2="{rows_bottom}"/>')
        out.append(f'<text class="tick" x="{x}" y="{rows_bottom + 16}" text-anchor="middle">{tick}%</text>')
    notes: list[str] = []
    for i, f in enumerate(chosen):
        out += _row(report, f, rows_top + i * ROW_H, single, notes)
    if single:
        t = thresholds.pop()
        tx = _n(_x(t))
        label = f"ambang / threshold {percent(t)}"
        out.append(f'<line class="threshold" x1="{tx}" x2="{tx}" y1="{rows_top - 6}" y2="{rows_bottom + 4}">'
                   f"<title>{escape(label)}</title></line>")
        out.append(f'<text class="threshold-label" x="{tx}" y="{rows_top - 10}" text-anchor="middle">{escape(label)}</text>')
    elif thresholds:
        out.append(f'<text class="threshold-label" x="{TRACK_X}" y="{rows_top - 10}">'
                   "ambang berbeda per baris / threshold differs per row</text>")
    out += notes
    bottom = rows_bottom + AXIS_H
    if more:
        out.append(f'<text class="more" x="0" y="{bottom + 12}">{escape(_more_text(more))}</text>')
        bottom += 20
    out.append("</g>")
    return out, bottom + GAP


def _more_text(more: int) -> str:
    return (f"… {more} subjek lain tidak digambar (lihat tabel, CSV/JSON) / "
            f"{more} more subjects not drawn (see tables, CSV/JSON)")


def share_chart(report: Report, view: ClauseView, all_findings: bool = False) -> Markup | None:
    """The SVG chart of one share clause, or None when it has nothing to draw."""
    panels = share_panels(view)
    if not panels:
        return None
    body: list[str] = []
    y = 0
    for key, findings in panels:
        lines, y = _panel(report, key, findings, y, all_findings)
        body += lines
    height = y - GAP + 4
    cid = escape(view.id.lower())
    title = f"{view.id}: {view.title.id} / {view.title.en}"
    desc = ("Porsi terukur per subjek, per periode dan tahap, dengan garis ambang. "
            "Measured share per subject, period and stage, with the threshold line.")
    head = (f'<svg class="chart" role="img" id="chart-{cid}"'
            f' aria-labelledby="chart-{cid}-title chart-{cid}-desc" viewBox="0 0 {WIDTH} {height}"'
            f' width="{WIDTH}" height="{height}" font-size="12">'
            f'<title id="chart-{cid}-title">{escape(title)}</title>'
            f'<desc id="chart-{cid}-desc">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")
