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

A comparison of a field whose value seldom repeats (``value_idr <= params.umkk_reserved_max``:
every package its own value) is built from a template instead: the sentence pair around the
value's text (``phrases.value_text``), made from one record and trusted once a second record
with another value gave exactly the sentences it predicts.

The memory is bounded: at :data:`LIMIT` sentences a table is emptied and starts again,
so a million distinct package values never all stay.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Container, Iterable, Sequence
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


def first_alike(atoms: list[dict], comp: Compiled) -> tuple[int, ...]:
    """Per atom, the index of the first atom written alike (the same expression, wherever it stands).

    A clause may write one comparison in two places (KMT-03's ``value_idr <=
    params.umkk_reserved_max`` in each alternative of ``applies``); read off one record both
    have one value and one sentence, so an explanation says it once (:func:`shown_atoms`).
    Atoms are compared as the fingerprint compares them: their canonical JSON without source
    columns (constants are encoded JSON, so ``1``, ``true`` and ``"1"`` stay apart).
    """
    hit = comp.memo(("first-alike", id(atoms)), atoms)
    if hit is None:
        from .compiler.ruleset import canonical_json
        from .expr import strip_cols

        first: dict[str, int] = {}
        hit = tuple(first.setdefault(canonical_json(strip_cols(a)), i) for i, a in enumerate(atoms))
        comp.remember(("first-alike", id(atoms)), atoms, hit)
    return hit


def shown_atoms(atoms: list[dict], row: Sequence[str], which: Container[str], among: Iterable[int],
                comp: Compiled) -> list[int]:
    """The atoms an explanation shows, in order: those ``among`` whose value is in ``which``, not
    ``in_force`` or ``fact``, each once, and once for atoms written alike (:func:`first_alike`).
    ``explain.atom_sentences`` (per record) and :mod:`perbup_rules.violation_text` (templates) alike."""
    alike = first_alike(atoms, comp)
    out: list[int] = []
    seen: set[int] = set()
    for i in among:
        if alike[i] not in seen and row[i] in which and atoms[i]["op"] not in ("in_force", "fact"):
            seen.add(alike[i])
            out.append(i)
    return out


def _nodes(atom: dict) -> tuple[dict, ...]:
    """The operand nodes whose values ``phrases.sentence`` may read: the sides, and the items of a list."""
    sides = [n for n in (atom.get("left"), atom.get("right")) if n]
    return tuple(sides + [i for n in sides if n.get("op") == "list" for i in n["items"]])


def _varying(atom: dict, comp: Compiled) -> tuple[int, str | None, str] | None:
    """(index among :func:`_nodes`, field type, field name) of the one field side of a comparison or
    membership, whose value a sentence shows as ``{lv}``; None for other atoms."""
    if atom.get("op") not in ("cmp", "in"):
        return None
    sides = [n for n in (atom.get("left"), atom.get("right")) if n]
    paths = [i for i, n in enumerate(sides) if n.get("op") == "path"]
    if len(paths) != 1:
        return None
    path = sides[paths[0]]["path"]
    return paths[0], phrases.path_info(path, comp.table, comp.subject_table)[2], path[-1]


class _Template:
    """A sentence pair around the text of the varying value: (prefix, suffix) per language.

    Made from a first record where that text occurs exactly once in each sentence, trusted only
    after a second record with another text gave exactly the sentences it predicts (so a message
    that does not show the value, or shows it twice, is never used as a template)."""

    __slots__ = ("parts", "shown", "trusted")

    def __init__(self, sentences: tuple[str, ...], shown: tuple[str, ...]):
        self.shown, self.trusted = shown, False
        self.parts: tuple[tuple[str, str], ...] | None = None
        if all(s.count(v) == 1 for s, v in zip(sentences, shown)):
            self.parts = tuple(tuple(s.split(v)) for s, v in zip(sentences, shown))  # type: ignore[misc]

    def fill(self, shown: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(p + v + q for (p, q), v in zip(self.parts, shown))  # type: ignore[union-attr]

    def check(self, sentences: tuple[str, ...], shown: tuple[str, ...]) -> None:
        if self.parts is not None and shown != self.shown:
            if self.fill(shown) == sentences and all(v not in p + q for (p, q), v in zip(self.parts, shown)):
                self.trusted = True
            else:
                self.parts = None


#: value types a template stands in for: numbers and dates, shown by ``phrases.value_text`` alone
_TEMPLATED = (int, Decimal, _dt.date)


def _plan(atom: dict, comp: Compiled) -> tuple:
    """(getters of :func:`_nodes`, sentences per key, :func:`_varying`, templates per key, the nodes)."""
    plan = comp.memo(("sentence-plan", id(atom)), atom)
    if plan is None:
        nodes = _nodes(atom)
        plan = (tuple(comp.value(n) for n in nodes), {}, _varying(atom, comp), {}, nodes)
        comp.remember(("sentence-plan", id(atom)), atom, plan)
    return plan


def sentences(atom: dict, value: str, comp: Compiled, ctx: Ctx) -> tuple[str, str]:
    """``(phrases.sentence(..., "id"), phrases.sentence(..., "en"))`` of one atom for one record."""
    plan = _plan(atom, comp)
    try:
        raw = tuple(g(ctx) for g in plan[0])
    except Exception:  # noqa: BLE001 - a getter the sentence may not call: explain without remembering
        raw = None

    def get(node: dict) -> Any:
        return comp.value(node)(ctx)

    return _sentences(atom, value, comp, plan, raw, get)


def sentences_of(atom: dict, value: str, comp: Compiled, raw: tuple) -> tuple[str, str]:
    """:func:`sentences` from the values of the atom's operands (:func:`_nodes`, in order) read
    before: ``phrases.sentence`` reads no other node (the table above is keyed on these alone)."""
    plan = _plan(atom, comp)
    nodes = plan[4]

    def get(node: dict) -> Any:
        for n, v in zip(nodes, raw):
            if n is node:
                return v
        raise KeyError(f"a sentence read {node!r}, not one of its atom's operands")

    return _sentences(atom, value, comp, plan, raw, get)


def _sentences(atom: dict, value: str, comp: Compiled, plan: tuple, raw: tuple | None, get: Any) -> tuple[str, str]:
    table, varying, templates = plan[1:4]
    vals = (None,) if raw is None else tuple(_key(v) for v in raw)
    key = (value, vals)
    cacheable = None not in vals
    hit = table.get(key) if cacheable else None
    if hit is not None:
        return hit

    # a comparison of a field whose value seldom repeats (a package's value): the sentence is the
    # same but for the value's text, a template around it
    template = tkey = shown = None
    if cacheable and varying is not None and value in ("t", "f") and type(raw[varying[0]]) in _TEMPLATED:
        i, ftype, field = varying
        tkey = (value, vals[:i] + (("templated", type(raw[i])),) + vals[i + 1:])
        shown = tuple(phrases.value_text(raw[i], lang, ftype, field) for lang in ("id", "en"))
        template = templates.get(tkey)
        if template is not None and template.trusted:
            return template.fill(shown)  # as cheap as a look-up: not remembered, the table keeps room

    hit = tuple(phrases.sentence(atom, value, get, lang, comp.table, comp.subject_table, _is_missing)
                for lang in ("id", "en"))
    if tkey is not None:
        if template is None:
            if len(templates) >= LIMIT:
                templates.clear()
            templates[tkey] = _Template(hit, shown)
        else:
            template.check(hit, shown)
    if cacheable:
        if len(table) >= LIMIT:
            table.clear()
        table[key] = hit
    return hit  # type: ignore[return-value]
