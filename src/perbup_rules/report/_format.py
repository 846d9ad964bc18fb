"""Labels (Bahasa Indonesia and English) and exact number formatting shared by the renderers.

Numbers follow Indonesian conventions: ``.`` groups thousands and ``,`` marks decimals
(``Rp1.500.000``, ``42,13%``). Every figure is formatted from its decimal string with
:class:`~decimal.Decimal`; nothing here goes through ``float``.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from ..findings import Status, Text
from ..i18n import both

def _label(msgid: str) -> Text:
    return Text(*both(msgid))


#: status -> label (Bahasa Indonesia first, English second), from the catalogue (report.label.*)
STATUS_LABELS: dict[Status, Text] = {s: _label(f"report.label.status.{s.value}") for s in Status}

STAGE_LABELS: dict[str, Text] = {s: _label(f"report.label.stage.{s}") for s in ("plan", "award", "contract")}

KIND_LABELS: dict[str, Text] = {k: _label(f"report.label.kind.{k}") for k in ("share", "each", "exists", "classify", "window")}

SEVERITY_LABELS: dict[str, Text] = {k: _label(f"report.label.severity.{k}") for k in ("error", "warning")}

DASH = "—"

__all__ = [
    "DASH",
    "KIND_LABELS",
    "SEVERITY_LABELS",
    "STAGE_LABELS",
    "STATUS_LABELS",
    "figure",
    "figures",
    "grouped",
    "percent",
    "percent_pair",
    "rupiah",
    "short_list",
    "stage_label",
    "status_label",
    "to_decimal",
]


def to_decimal(value: object) -> Decimal | None:
    """The value as a Decimal, or None when it is absent or not a number (never via float)."""
    if value is None or isinstance(value, (bool, float)):
        return None
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def grouped(value: Decimal | int, places: int = 0) -> str:
    """``1500000`` -> ``1.500.000``; decimals after a comma, truncated to ``places``."""
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if places:
        q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
        whole, _, frac = f"{q:f}".partition(".")
    else:
        whole, frac = f"{value.to_integral_value(rounding=ROUND_DOWN):f}", ""
    digits = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{digits},{frac}" if frac else f"{sign}{digits}"


def rupiah(value: object) -> str:
    """Rupiah with dots: ``1500000`` -> ``Rp1.500.000`` (cents, if any, after a comma)."""
    d = to_decimal(value)
    if d is None:
        return DASH
    places = 0 if d == d.to_integral_value() else 2
    return f"Rp{grouped(d, places)}"


def percent(value: object, places: int = 2) -> str:
    """A share as a percent: ``"0.4213"`` -> ``42,13%``.

    Truncated, not rounded, so a share just under a threshold never shows as equal to it.
    """
    d = to_decimal(value)
    if d is None:
        return DASH
    return f"{grouped(d * 100, places)}%"


def percent_pair(measured: object, threshold: object) -> tuple[str, str]:
    """Both shares as percents, with more decimals when two different values would print alike."""
    m, t = to_decimal(measured), to_decimal(threshold)
    places = 2
    while m is not None and t is not None and m != t and places < 8:
        if percent(m, places) != percent(t, places):
            break
        places += 1
    return percent(measured, places), percent(threshold, places)


def figure(value: object, unit: str | None) -> str:
    """A measured or threshold value for people: ratio -> percent, idr -> rupiah, else grouped."""
    if value is None:
        return DASH
    if unit == "ratio":
        return percent(value)
    if unit == "idr":
        return rupiah(value)
    d = to_decimal(value)
    if d is None:
        return str(value)
    return grouped(d, 0 if d == d.to_integral_value() else max(0, -d.as_tuple().exponent))


def status_label(status: Status | str) -> Text:
    """The bilingual label of a status."""
    return STATUS_LABELS[Status(status)]


def stage_label(stage: str | None) -> str:
    """``plan`` -> ``perencanaan (plan)``; unknown stages as given; None as a dash."""
    if not stage:
        return DASH
    t = STAGE_LABELS.get(stage)
    return f"{t.id} ({t.en})" if t else stage


def figures(measured: object, threshold: object, unit: str | None) -> tuple[str, str]:
    """Measured and threshold for people, as :func:`figure` does, shares via :func:`percent_pair`."""
    if unit == "ratio":
        return percent_pair(measured, threshold)
    return figure(measured, unit), figure(threshold, unit)


def short_list(items: tuple[str, ...] | list[str], limit: int = 5, total: int | None = None) -> str:
    """``a, b, c`` with ``… (+N)`` beyond ``limit`` items (``total``: how many there are, if more than given)."""
    n = len(items) if total is None else total
    shown = ", ".join(items[:limit])
    return f"{shown} … (+{n - min(limit, len(items))})" if n > min(limit, len(items)) else shown
