"""The plain sentences of atoms, remembered per the values they read.

A report explains every listed violation in two languages, a few atoms each, and
:func:`perbup_rules.i18n.phrases.sentence` costs tens of microseconds (labels, value
texts, catalogue look-ups). Findings of one clause mostly repeat their sentences: the
same atom, the same truth value, the same values read (``buyer.kind == "perangkat_daerah"``
reads one buyer kind for every purchase). A sentence is a pure function of the atom, its
truth value, the compiled clause's tables and the values its operands read, so it is
remembered under exactly those, with each value keyed by its type and a text that tells
apart every value that could print differently (``Decimal("1.0")`` and ``Decimal("1")``
are two keys; a set is keyed in its iteration order).

The memory is bounded: at :data:`LIMIT` sentences a table is emptied and starts again,
so a million distinct package values never all stay.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .atoms import Compiled, Ctx, Missing
from .i18n import phrases

#: sentence pairs remembered per compiled clause before the table starts again
LIMIT = 50_000

_MISSING = ("missing",)
#: types whose values are their own key: equal values of one of these types print the same
_SELF = (str, int, bool, Fraction, _dt.date, type(None))


def _key(v: Any) -> Any:
    """A hashable key equal only for values that print the same in every sentence; None when
    the value is of a kind not known to be safe (that sentence is then not remembered)."""
    t = type(v)
    if t in _SELF:
        return (t, v)
    if t is Decimal:
        return (t, str(v))
    if t is Missing:
        return _MISSING  # sentences only ask whether a value is missing, never which path
    if t is _dt.datetime or t is float:
        return (t, repr(v))
    if t in (tuple, list, set, frozenset):
        items = tuple(_key(i) for i in v)
        return None if None in items else (t, items)
    return None


def _is_missing(v: Any) -> bool:
    return isinstance(v, Missing)


def _nodes(atom: dict) -> tuple[dict, ...]:
    """The operand nodes whose values ``phrases.sentence`` may read: the sides, and the items of a list."""
    sides = [n for n in (atom.get("left"), atom.get("right")) if n]
    return tuple(sides + [i for n in sides if n.get("op") == "list" for i in n["items"]])


def sentences(atom: dict, value: str, comp: Compiled, ctx: Ctx) -> tuple[str, str]:
    """``(phrases.sentence(..., "id"), phrases.sentence(..., "en"))`` of one atom for one record."""
    plan = comp.memo(("sentence-plan", id(atom)), atom)
    if plan is None:
        plan = (tuple(comp.value(n) for n in _nodes(atom)), {})
        comp.remember(("sentence-plan", id(atom)), atom, plan)
    getters, table = plan
    try:
        vals = tuple(_key(g(ctx)) for g in getters)
    except Exception:  # noqa: BLE001 - a getter the sentence may not call: explain without remembering
        vals = (None,)
    key = (value, vals)
    hit = table.get(key) if None not in vals else None
    if hit is not None:
        return hit

    def get(node: dict) -> Any:
        return comp.value(node)(ctx)

    hit = tuple(phrases.sentence(atom, value, get, lang, comp.table, comp.subject_table, _is_missing)
                for lang in ("id", "en"))
    if None not in vals:
        if len(table) >= LIMIT:
            table.clear()
        table[key] = hit
    return hit  # type: ignore[return-value]
