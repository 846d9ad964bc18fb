"""The explanation of an ``each`` clause's violation: its values read when judged, its text made when written.

A listed violation is explained as "<subject> melanggar <clause>: <title>. Ketentuan ini berlaku karena
<the ``applies`` atoms that held>. Syarat yang tidak terpenuhi: <the ``require`` atoms that failed>."
(and in English). That text reads only the subject, the atom row (which atoms are shown, true or false)
and the values the shown atoms' operands read (:func:`perbup_rules.sentence_cache._nodes`): paths and
parameters; constants and lists are the clause's own. So:

* when judged, :func:`deferred` reads those values off the record, once per distinct path or parameter,
  and keeps only them (not the record, its context or the compiled scope): a finding holds a
  :class:`~perbup_rules.findings.HeldText` of three references until written, not a closure over the
  whole purchase;
* the values are split into the *slots* (a number, amount or date that a comparison shows as its field's
  value, ``value_idr`` in "nilai paket Rp8.160.094.000 tidak melebihi batas ..."; seldom repeated) and the
  rest, keyed like :mod:`perbup_rules.sentence_cache` keys them (equal only when they print the same).
  Findings of one clause, atom row, key and slot types share an :class:`_Entry`;
* an entry makes its text per record (the sentences of :mod:`perbup_rules.sentence_cache`, joined as
  :func:`compose` joins them) until a template has reproduced a record exactly: the whole text with the
  subject and the slots' texts (``phrases.value_text``) left as holes, made from one record (each slot's
  text exactly once in each sentence that shows it) and trusted only once a second record with another
  subject and other slot texts gave exactly the text it predicts; one that predicts wrong is dropped for
  good. A trusted template costs a ``str.format`` per language.

The tables are bounded like the sentence cache's (:data:`perbup_rules.sentence_cache.LIMIT`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter
from typing import Any

from . import schema, sentence_cache
from .atoms import Compiled, Ctx
from .findings import HeldText
from .i18n import phrases, t

_LANGS = ("id", "en")
#: the types a slot stands in for (those of ``sentence_cache._TEMPLATED``)
_TEMPLATED = frozenset((int, Decimal, _dt.date))
#: types whose values are their own key (``sentence_cache._SELF``)
_SELF = frozenset(sentence_cache._SELF)
#: the holes of a template under construction: no catalogue message or value text holds a NUL
_MARK = "\x00"
#: the atom values whose sentences a violation shows: the failed ``require`` atoms, the held ``applies`` ones
_FALSE, _TRUE = frozenset("f"), frozenset("t")


def compose(clause: dict, subject: str, failed: list[tuple[str, str]],
            applied: list[tuple[str, str]]) -> tuple[str, str]:
    """The violation text of ``subject`` around the sentences (id, en) of the atoms that failed and held."""
    cid, cit = clause["id"], clause["citation"]
    out = []
    for k, lang in enumerate(_LANGS):
        applies = t("why.each.applies", lang, facts="; ".join(p[k] for p in applied)) if applied else ""
        out.append(t("why.each.violation", lang, subject=subject, cid=cid, cit=cit, title=clause["title"][lang],
                     applies=applies, failed="; ".join(p[k] for p in failed) or "-"))
    return out[0], out[1]


class _Plan:
    """One clause's violations in one compiled scope: the atoms they show, a :class:`_RowPlan` per atom row."""

    __slots__ = ("among", "applies", "atoms", "clause", "comp", "focus", "rows")

    def __init__(self, clause: dict, atoms: list[dict], comp: Compiled, focus: Any,
                 among: list[int], applies: list[int]):
        self.clause, self.atoms, self.comp, self.focus = clause, atoms, comp, focus
        self.among, self.applies = among, applies
        self.rows: dict[tuple, _RowPlan] = {}

    def row(self, row: list[str]) -> _RowPlan:
        key = tuple(row)
        rp = self.rows.get(key)
        if rp is None:
            rp = self.rows[key] = _RowPlan(self, key)
        return rp


class _RowPlan:
    """One atom row: the atoms shown, the values their sentences read (each path or parameter once),
    and which of those values may be slots."""

    __slots__ = ("applied", "failed", "formats", "getters", "nodes", "plan", "shapes", "slot_ok")

    def __init__(self, plan: _Plan, row: tuple):
        self.plan = plan
        comp, atoms = plan.comp, plan.atoms
        reads: dict[tuple, int] = {}  # ("path", path) / ("param", name) -> index into the values read
        getters: list[Callable[[Ctx], Any]] = []
        nodes: list[dict] = []  # per value read, its expression (a path or a parameter)
        formats: list[tuple[str | None, str]] = []  # per value read: (field type, field name) when a slot
        slot_uses: dict[int, list[bool]] = {}

        def spec(i: int) -> tuple[dict, str, tuple]:
            """(atom, value, per operand node: (True, index read) or (False, its constant value))."""
            atom = atoms[i]
            varying = sentence_cache._varying(atom, comp)
            out = []
            for n, node in enumerate(sentence_cache._nodes(atom)):
                op = node["op"]
                if op in ("const", "list"):  # the clause's own: the same for every record
                    out.append((False, comp.value(node)(None)))
                    continue
                k = ("path", tuple(node["path"])) if op == "path" else ("param", node["name"])
                r = reads.get(k)
                if r is None:
                    r = reads[k] = len(getters)
                    getters.append(comp.value(node))
                    nodes.append(node)
                    formats.append((None, ""))
                is_slot = varying is not None and varying[0] == n
                if is_slot:
                    formats[r] = (varying[1], varying[2])
                slot_uses.setdefault(r, []).append(is_slot)
                out.append((True, r))
            return atom, row[i], tuple(out)

        # the atoms explain.atom_sentences shows (the same function)
        self.failed = tuple(spec(i) for i in sentence_cache.shown_atoms(atoms, row, _FALSE, plan.among, comp))
        self.applied = tuple(spec(i) for i in sentence_cache.shown_atoms(atoms, row, _TRUE, plan.applies, comp))
        self.getters = tuple(getters)
        self.nodes = tuple(nodes)
        self.formats = tuple(formats)
        # a value may be a slot only where every sentence that reads it shows it as its field's value
        self.slot_ok = tuple(all(slot_uses[r]) for r in range(len(getters)))
        self.shapes: dict[tuple, _Shape] = {}

    def shape(self, types: tuple) -> _Shape:
        s = self.shapes.get(types)
        if s is None:
            s = self.shapes[types] = _Shape(self, types)
        return s


class _Shape:
    """The values of one row plan with these types: which are slots, how the others are keyed."""

    __slots__ = ("entries", "fixed", "key_of", "rp", "slots", "slots_of")

    def __init__(self, rp: _RowPlan, types: tuple):
        self.rp = rp
        self.slots = tuple(r for r, ok in enumerate(rp.slot_ok) if ok and types[r] in _TEMPLATED)
        self.fixed = tuple(r for r in range(len(types)) if r not in self.slots)
        simple = all(types[r] in _SELF for r in self.fixed)
        pick = picker(self.fixed)
        if simple:  # equal values of one of these types print the same: the values are the key
            self.key_of = pick
        else:
            def key_of(raw: tuple) -> Any:
                keys = tuple(sentence_cache._key(v) for v in pick(raw))
                return None if None in keys else keys
            self.key_of = key_of
        # one slot (the usual: a package's value) is kept as itself, not in a tuple of one
        self.slots_of = (lambda raw, p=self.slots[0]: raw[p]) if len(self.slots) == 1 else picker(self.slots)
        self.entries: dict[Any, _Entry] = {}

    def entry(self, raw: tuple) -> _Entry:
        key = self.key_of(raw)
        if key is None:  # a value of a kind not known to print alike when equal: its own entry
            return _Entry(self, raw)
        e = self.entries.get(key)
        if e is None:
            if len(self.entries) >= sentence_cache.LIMIT:
                self.entries.clear()
            e = self.entries[key] = _Entry(self, raw)
        return e


def picker(positions: tuple[int, ...]) -> Callable[[tuple], tuple]:
    """A function picking ``positions`` of a tuple, as a tuple."""
    if not positions:
        return lambda raw: ()
    if len(positions) == 1:
        p = positions[0]
        return lambda raw: (raw[p],)
    return itemgetter(*positions)


class _Entry:
    """The findings of one shape and key: their text per record, or from a trusted template."""

    __slots__ = ("fixed", "formats", "refuted", "seen", "shape", "trusted")

    def __init__(self, shape: _Shape, raw: tuple):
        self.shape = shape
        self.fixed = tuple(raw[r] for r in shape.fixed)  # the key's values as first read (they print alike)
        self.formats: tuple[str, str] | None = None  # the template: str.format strings, {0} the subject
        self.seen: tuple | None = None  # (subject, slot texts) of the record the template was made from
        self.trusted = self.refuted = False

    def text(self, subject: str, slots: Any) -> tuple[str, str]:
        """(id, en) of the finding of ``subject`` whose slot values are ``slots`` (the value itself
        when there is one slot, see ``_Shape.slots_of``)."""
        if len(self.shape.slots) == 1:
            slots = (slots,)
        shown = self.shown(slots)
        if self.trusted:
            f_id, f_en = self.formats  # type: ignore[misc]
            return f_id.format(subject, *shown[0]), f_en.format(subject, *shown[1])
        text, failed, applied = self.per_record(subject, slots)
        if not self.refuted:
            if self.formats is None:
                self.formats = _template(self.shape, subject, shown, failed, applied)
                self.seen = (subject, shown)
                if self.formats is not None and self.fill(subject, shown) != text:
                    self.formats, self.refuted = None, True
            elif _all_differ((subject, shown), self.seen):  # type: ignore[arg-type]
                if self.fill(subject, shown) == text:
                    self.trusted = True
                else:
                    self.formats, self.refuted = None, True
        return text

    def fill(self, subject: str, shown: tuple) -> tuple[str, str]:
        f_id, f_en = self.formats  # type: ignore[misc]
        return f_id.format(subject, *shown[0]), f_en.format(subject, *shown[1])

    def shown(self, slots: tuple) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The slots' texts: (per slot in Indonesian, per slot in English)."""
        if not slots:
            return (), ()
        formats = self.shape.rp.formats
        ids, ens = [], []
        for r, v in zip(self.shape.slots, slots):
            ftype, field = formats[r]
            if ftype == schema.MONEY and type(v) is int:  # value_text's rupiah, the same in both languages
                ids.append(s := phrases.rupiah(v))
                ens.append(s)
            else:
                ids.append(phrases.value_text(v, "id", ftype, field))
                ens.append(phrases.value_text(v, "en", ftype, field))
        return tuple(ids), tuple(ens)

    def per_record(self, subject: str, slots: tuple) -> tuple[tuple[str, str], list, list]:
        """The text made as for any record (``explain``'s sentences), with the sentences it joined."""
        shape = self.shape
        rp, plan = shape.rp, shape.rp.plan
        raw: list[Any] = [None] * len(rp.getters)
        for r, v in zip(shape.fixed, self.fixed):
            raw[r] = v
        for r, v in zip(shape.slots, slots):
            raw[r] = v

        def sentences(specs: tuple) -> list[tuple[str, str]]:
            return [sentence_cache.sentences_of(atom, value, plan.comp,
                                                tuple(raw[x] if read else x for read, x in operands))
                    for atom, value, operands in specs]

        failed, applied = sentences(rp.failed), sentences(rp.applied)
        return compose(plan.clause, subject, failed, applied), failed, applied


def _all_differ(a: tuple, b: tuple) -> bool:
    """Whether the subject and every slot text of record ``a`` differ from those of record ``b``."""
    (sa, (ia, ea)), (sb, (ib, eb)) = a, b
    return sa != sb and all(x != y for x, y in zip(ia + ea, ib + eb))


def _template(shape: _Shape, subject: str, shown: tuple, failed: list, applied: list) -> tuple[str, str] | None:
    """The text with holes for the subject and the slots, from one record's sentences; None when a slot's
    text is not exactly once in a sentence that shows it (it cannot be told from the words around it)."""
    rp = shape.rp
    hole = {r: k for k, r in enumerate(shape.slots)}
    everything = [subject, *shown[0], *shown[1], *(s for pair in failed + applied for s in pair),
                  shape.rp.plan.clause["id"], shape.rp.plan.clause["citation"],
                  *shape.rp.plan.clause["title"].values()]
    if any(_MARK in s for s in everything):
        return None

    def holed(specs: tuple, pairs: list) -> list[tuple[str, str]] | None:
        out = []
        for (_atom, _value, operands), pair in zip(specs, pairs):
            slot = next((hole[x] for read, x in operands if read and x in hole), None)
            if slot is None:
                out.append(pair)
                continue
            langs = []
            for s, texts in zip(pair, shown):
                v = texts[slot]
                if not v or s.count(v) != 1:
                    return None
                langs.append(s.replace(v, f"{_MARK}{slot + 1}{_MARK}"))
            out.append((langs[0], langs[1]))
        return out

    f, a = holed(rp.failed, failed), holed(rp.applied, applied)
    if f is None or a is None:
        return None
    made = compose(rp.plan.clause, f"{_MARK}0{_MARK}", f, a)
    out = []
    for text in made:
        text = text.replace("{", "{{").replace("}", "}}")
        parts = text.split(_MARK)  # literal, hole, literal, hole, ..., literal
        out.append("".join(p if n % 2 == 0 else "{" + p + "}" for n, p in enumerate(parts)))
    return out[0], out[1]


def deferred(clause: dict, atoms: list[dict], row: list[str], comp: Compiled, ctx: Ctx, subject: str,
             focus: Any, violation_atoms: Callable[[], tuple[list[int], list[int]]]) -> HeldText | None:
    """The text of a violation, to be made when read, holding only the values it reads; None when
    a value cannot be read here (the caller then keeps the record's context)."""
    return held(row_plan(clause, atoms, row, comp, focus, violation_atoms), ctx, subject)


def row_plan(clause: dict, atoms: list[dict], row: list[str], comp: Compiled, focus: Any,
             violation_atoms: Callable[[], tuple[list[int], list[int]]]) -> _RowPlan:
    """What the violations of one atom row show and read (the same for every record of the row:
    a caller judging many records may keep it per row and call :func:`held` per record)."""
    key = ("violation-plan", id(clause), id(focus))
    plan = comp.memo(key, clause)
    if plan is None or plan.focus is not focus:
        require, applies = violation_atoms()
        among = require if focus is None else [i for i in require if i in focus]
        plan = _Plan(clause, atoms, comp, focus, among, applies)
        comp.remember(key, clause, plan)
    return plan.row(row)


def held(rp: _RowPlan, ctx: Ctx, subject: str) -> HeldText | None:
    """:func:`deferred` for a record of the row planned by ``rp``."""
    try:
        raw = tuple([g(ctx) for g in rp.getters])  # a list first: tuple(generator) is slower
    except Exception:  # noqa: BLE001 - a value that cannot be read: the sentence cache explains it
        return None
    shape = rp.shape(tuple(map(type, raw)))
    return HeldText(shape.entry(raw), subject, shape.slots_of(raw))
