"""Dated parameters: the value in force on a date, exactly.

A compiled parameter is ``{"unit", "basis", "values": [{"from", "value", "reference"}]}``
with values as strings (JSON-safe); :class:`ParamTable` turns them back into
``int``/``Decimal``/``date`` once and answers "which value on this date?".
"""

from __future__ import annotations

import bisect
import datetime as _dt
from decimal import Decimal
from typing import Any


def encode_value(unit: str, value: Any) -> str:
    """A parameter value as canonical text (for the Ruleset's JSON)."""
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, bool):  # pragma: no cover - refused by the schema
        raise TypeError("boolean parameter")
    return str(value)


def decode_value(unit: str, text: str) -> Any:
    """Inverse of :func:`encode_value`."""
    if unit == "date":
        return _dt.date.fromisoformat(text)
    if unit in ("idr", "count"):
        d = Decimal(text)
        return int(d) if d == d.to_integral_value() else d
    return Decimal(text)


class ParamTable:
    """Looks up the value of each parameter in force on a given date."""

    def __init__(self, compiled: dict[str, dict]):
        self._starts: dict[str, list[_dt.date]] = {}
        self._values: dict[str, list[tuple[Any, str]]] = {}
        for name, p in compiled.items():
            rows = sorted(p["values"], key=lambda v: v["from"])
            self._starts[name] = [_dt.date.fromisoformat(v["from"]) for v in rows]
            self._values[name] = [(decode_value(p["unit"], v["value"]), v["reference"]) for v in rows]

    def __contains__(self, name: str) -> bool:
        return name in self._starts

    def at(self, name: str, day: _dt.date) -> Any:
        """The value in force on ``day``, or None when the parameter has no value yet."""
        entry = self.entry(name, day)
        return None if entry is None else entry[0]

    def entry(self, name: str, day: _dt.date) -> tuple[Any, str] | None:
        """(value, reference) in force on ``day``, or None before the first value."""
        starts = self._starts[name]
        i = bisect.bisect_right(starts, day) - 1
        return None if i < 0 else self._values[name][i]
