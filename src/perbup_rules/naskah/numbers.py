"""Text and numbers agree: ``{{param}}`` placeholders in ayat text, and literal numbers checked.

An ayat that states a parameter's number writes ``{{umkk_share_min}}`` (the value in force
from the reference day on, see :func:`reference_day`) or ``{{hotel_local_share_min@2027-01-01}}``
(the value in force on that date); the rendered text reads ``40% (empat puluh persen)`` or
``Rp15.000.000.000,00 (lima belas miliar rupiah)``, so changing params.yaml changes the text.

:func:`check_text` (a compiler stage) reports, with the ayat's location:

* a placeholder naming no parameter, or a date before its first value;
* a percentage or rupiah amount written literally in an ayat that disagrees with every value
  (in force from the reference day on) of the parameters of that unit used by the clauses
  citing the ayat: a literal "40%" after ``umkk_share_min`` became 0.45 is an error;
* a number whose words in brackets say another number ("40% (lima puluh persen)").
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterable

from .terbilang import format_percent, format_rupiah, terbilang, terbilang_decimal

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:@\s*(\d{4}-\d{2}-\d{2}))?\s*\}\}")
#: 40% / 12,5% (a literal percentage)
PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d+)?)\s?%(?:\s*\(([^)]*)\))?")
#: Rp15.000.000.000,00 (a literal amount)
RUPIAH = re.compile(r"Rp\.?\s?(\d{1,3}(?:\.\d{3})*|\d+)(?:,(\d{2}))?(?:\s*\(([^)]*)\))?")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


def _rows(param: Any) -> tuple[str, list[tuple[_dt.date, Any]]]:
    """(unit, [(from, value)...] oldest first) of a loaded Parameter model or a compiled parameter dict."""
    if isinstance(param, dict):
        from ..params import decode_value
        return param["unit"], sorted((_dt.date.fromisoformat(v["from"]), decode_value(param["unit"], v["value"]))
                                     for v in param["values"])
    return param.unit, sorted(((v.from_, v.value) for v in param.values), key=lambda r: r[0])


def value_on(param: Any, day: _dt.date | None) -> Any:
    """The value in force on ``day`` (the latest value when ``day`` is None), or None before the first."""
    _unit, rows = _rows(param)
    if day is None:
        return rows[-1][1] if rows else None
    found = None
    for start, value in rows:
        if start <= day:
            found = value
    return found


def values_from(param: Any, day: _dt.date | None) -> list[Any]:
    """Every value in force on some day from ``day`` on (all values when ``day`` is None)."""
    _unit, rows = _rows(param)
    if day is None:
        return [v for _s, v in rows]
    out = []
    for i, (start, value) in enumerate(rows):
        nxt = rows[i + 1][0] if i + 1 < len(rows) else None
        if nxt is None or nxt > day:
            out.append(value)
    return out


def format_date(day: _dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_value(unit: str, value: Any) -> str:
    """A parameter value as the text of a regulation writes it, with the words in brackets."""
    if unit == "ratio":
        return format_percent(value)
    if unit == "idr":
        return format_rupiah(int(value))
    if unit == "count":
        return f"{int(value)} ({terbilang(int(value))})"
    if unit == "date":
        return format_date(value)
    return str(value)


def reference_day(meta: Any) -> _dt.date | None:
    """The day from which the text speaks: the promulgation date, else the planned entry into force."""
    frame = getattr(meta, "naskah", None)
    for day in (getattr(meta, "promulgated", None), getattr(frame, "diundangkan", None), getattr(meta, "in_force_from", None)):
        if isinstance(day, _dt.date):
            return day
    return None


def fill(text: str, params: dict[str, Any], day: _dt.date | None = None) -> str:
    """``text`` with each ``{{name}}`` / ``{{name@date}}`` replaced; unknown names are left as written."""
    def sub(m: re.Match) -> str:
        p = params.get(m.group(1))
        if p is None:
            return m.group(0)
        try:
            on = _dt.date.fromisoformat(m.group(2)) if m.group(2) else None
        except ValueError:
            return m.group(0)
        if on is None:
            # the value in force on the reference day; without one (no date known), the latest value
            vals = values_from(p, day)
            v = (vals[0] if day is not None else vals[-1]) if vals else None
        else:
            v = value_on(p, on)
        if v is None:
            return m.group(0)
        try:
            return format_value(_rows(p)[0], v)
        except ValueError:
            return m.group(0)
    return PLACEHOLDER.sub(sub, text)


def _words_differ(said: str | None, expected: str) -> bool:
    if said is None:
        return False
    norm = " ".join(said.lower().split())
    return norm != expected


def literal_problems(text: str, candidates: dict[str, list[Any]]) -> list[str]:
    """Messages for the literal numbers in ``text`` (placeholders removed) that disagree.

    ``candidates`` maps a unit (``ratio``, ``idr``) to the (name, value) pairs the text may state.
    """
    out = []
    bare = PLACEHOLDER.sub(" ", text)
    for m in PERCENT.finditer(bare):
        pct = Decimal(m.group(1).replace(",", "."))
        try:
            words = terbilang_decimal(pct) + " persen"
        except ValueError:
            words = None
        if words and _words_differ(m.group(2), words):
            out.append(f"{m.group(0)!r}: the words do not say {m.group(1)}% ({words}) / kata-katanya tidak menyebut {words}")
        ratios = candidates.get("ratio") or []
        if ratios and not any(Fraction(v) * 100 == Fraction(pct) for _n, v in ratios):
            stated = ", ".join(f"{n} = {format_percent(v, words=False)}" for n, v in ratios)
            out.append(f"ayat states {m.group(1)}% but the parameter says {stated} / ayat menyebut {m.group(1)}% "
                       f"sedangkan parameternya {stated}; write the parameter as {{{{{ratios[0][0]}}}}}")
    for m in RUPIAH.finditer(bare):
        amount = int(m.group(1).replace(".", ""))
        if m.group(3) and _words_differ(m.group(3), terbilang(amount) + " rupiah"):
            out.append(f"{m.group(0)!r}: the words do not say {terbilang(amount)} rupiah / kata-katanya tidak menyebut "
                       f"{terbilang(amount)} rupiah")
        amounts = candidates.get("idr") or []
        if amounts and not any(int(v) == amount for _n, v in amounts):
            stated = ", ".join(f"{n} = {format_rupiah(int(v), words=False)}" for n, v in amounts)
            out.append(f"ayat states Rp{m.group(1)} but the parameters say {stated} / ayat menyebut Rp{m.group(1)} "
                       f"sedangkan parameternya {stated}")
    return out


def placeholder_problems(text: str, params: dict[str, Any], invalid: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(code, message) for placeholders naming no parameter or a date before its first value.

    ``invalid`` names parameters defined in params.yaml but refused there: their own error is
    reported, so a placeholder naming one is not a second problem.
    """
    import difflib

    from .. import errors

    out = []
    for m in PLACEHOLDER.finditer(text):
        name, on = m.group(1), m.group(2)
        if name in invalid and name not in params:
            continue
        if name not in params:
            close = difflib.get_close_matches(name, list(params), n=1)
            out.append((errors.UNKNOWN_PARAMETER, f"placeholder {m.group(0)} names no parameter"
                        + (f"; did you mean {close[0]}?" if close else "")))
            continue
        if on:
            try:
                day = _dt.date.fromisoformat(on)
            except ValueError:
                out.append((errors.BAD_DATE, f"placeholder {m.group(0)}: {on} is not a date YYYY-MM-DD"))
                continue
            if value_on(params[name], day) is None:
                out.append((errors.PARAMETER_GAP, f"placeholder {m.group(0)}: {name} has no value on {on}"))
    return out


def item_lines(items: Iterable[Any], style: str, depth: int = 0) -> list[tuple[int, str, str]]:
    """(depth, label, text) for a huruf/angka list: labels a., b. (huruf) or 1., 2. (angka), a), b) deeper."""
    out = []
    for i, it in enumerate(items):
        text = it if isinstance(it, str) else it.text
        label = (f"{chr(ord('a') + i)}." if style == "huruf" else f"{i + 1}.")
        if depth >= 2:
            label = label[:-1] + ")"
        out.append((depth, label, text))
        if not isinstance(it, str):
            sub, sub_style = (it.huruf, "huruf") if it.huruf else (it.angka, "angka")
            out += item_lines(sub, sub_style, depth + 1)
    return out


def ayat_items(ayat: Any) -> list[tuple[int, str, str]]:
    if getattr(ayat, "huruf", None):
        return item_lines(ayat.huruf, "huruf")
    if getattr(ayat, "angka", None):
        return item_lines(ayat.angka, "angka")
    return []


def ayat_plain(ayat: Any) -> str:
    """An ayat's text with its list flattened into one paragraph ("...: a. ...; b. ...")."""
    parts = [ayat.text] + [f"{label} {text}" for _d, label, text in ayat_items(ayat)]
    return " ".join(parts)
