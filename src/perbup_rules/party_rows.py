"""Atom rows over every party, worked out once per distinct values the atoms read.

Clauses over parties (their ``subjects`` and verdicts: KMT-07, KMT-15.x, KMT-18) and the
parties a remedy may name (``remedy.candidates``, ``unless_no_supplier``) evaluate the same
few atoms over every party, once per period or category: at 50,000 parties that is
millions of atom calls, each party with its own :class:`~perbup_rules.atoms.Ctx`. They need
not be. An atom is a pure function of the values of the paths it reads, of the names bound
around the party (``category``, ``period``, ``subject``, the day its parameters are read on)
and of constants. So the parties are grouped by the values of the party paths some atoms
read (their fields once per run, their derived attributes per year: ``umkk``,
``awards_won``); a group's row, and the paths its unknown atoms name, are computed once
from one member's context, built as the per-party code builds it, and are every member's
(tests/test_party_rows.py checks this against the plain per-party rows).

A path reads the party when it starts at the party's *binding*: the record itself (``rec``)
in a clause over parties (``kind``, ``umkk``), ``candidate.`` in a candidate pool. All else
an atom reads must be the same for every party of one call: that is the caller's promise
(one year, one category, one subject, one day per call).

Values are grouped by equality with their type (``1`` and ``True`` stay apart); a value that
cannot be hashed puts its party in a group of its own; a missing value is one value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import schema
from .atoms import Ctx, Env, Missing, compile_path

_ROOTS = ("subject", "candidate", "period", "category")  # atoms._ROOT_BINDINGS
_MISSING = ("<missing>",)
_TRUE, _FALSE = ("<true>",), ("<false>",)


def read_paths(node: Any, out: dict[tuple, list[str]]) -> dict[tuple, list[str]]:
    """Every path an expression tree reads (``path`` and ``known`` nodes), once each, in order."""
    if isinstance(node, dict):
        if node.get("op") in ("path", "known") and isinstance(node.get("path"), list):
            out.setdefault(tuple(node["path"]), node["path"])
        for v in node.values():
            read_paths(v, out)
    elif isinstance(node, list):
        for v in node:
            read_paths(v, out)
    return out


def _root(path: list[str], table: str | None) -> tuple[str, list[str]]:
    """The binding a path starts at and the rest of it, as :func:`~perbup_rules.atoms.compile_path` reads it."""
    if path[0] in _ROOTS and not (table and path[0] in schema.TABLE_FIELDS.get(table, {})):
        return path[0], path[1:]
    return "rec", path


def _key(v: Any) -> Any:
    """A value as part of a group's key: equal keys, values no atom tells apart."""
    if type(v) is str:
        return v
    if v is True:
        return _TRUE
    if v is False:
        return _FALSE
    if v is None or isinstance(v, Missing):
        return _MISSING
    try:
        hash(v)
    except TypeError:
        return object()  # equal to nothing else: a group of its own
    return (type(v), v)


def party_paths(atoms: Iterable[dict], table: str | None, binding: str) -> tuple[tuple[str, ...], ...]:
    """The paths of ``atoms`` that read the party at ``binding``, sorted: what its groups are made by."""
    return tuple(sorted(k for k, path in read_paths(list(atoms), {}).items() if _root(path, table)[0] == binding))


def _numbered(keys: Iterable[tuple]) -> list[int]:
    """Per key, the index of its first occurrence among the distinct keys (0, 1, 2, ...)."""
    seen: dict[tuple, int] = {}
    return [seen.setdefault(k, len(seen)) for k in keys]


class PartyRows:
    """The parties of one run, grouped per year by the values of the party ``paths`` (:func:`party_paths`).

    ``parties``: the parties, in the order the caller judges them; ``binding``: ``"rec"`` or
    ``"candidate"``; ``table``/``subject_table``: the scope the atoms were compiled in
    (:class:`~perbup_rules.atoms.Compiled`)."""

    def __init__(self, env: Env, paths: Iterable[Sequence[str]], table: str | None, subject_table: str | None,
                 binding: str, parties: Sequence[Any]):
        self.env, self.binding, self.parties = env, binding, list(parties)
        on_parties = binding == "candidate" or table == "parties"
        self._fields: list[str] = []  # party fields: the same every year
        self._derived: list[str] = []  # derived attributes of the party: per year (Env.derived)
        self._other: list[Callable[[Ctx], Any]] = []  # anything else, read per party and year
        for path in paths:
            rest = _root(list(path), table)[1]
            if on_parties and len(rest) == 1 and rest[0] in schema.PARTY_FIELDS:
                self._fields.append(rest[0])
            elif on_parties and len(rest) == 1:  # as compile_path reads it: a derived attribute
                self._derived.append(rest[0])
            else:
                self._other.append(compile_path(list(path), table, subject_table, env))
        self._fixed_ids: list[int] | None = None
        self._groups: dict[int | None, list[int]] = {}
        self._first: dict[int | None, list[int]] = {}
        self._members: dict[int | None, list[list[int]]] = {}

    def fixed_ids(self) -> list[int]:
        """Per party, the index of the distinct values of its fields read (computed once)."""
        if self._fixed_ids is None:
            parties = self.parties
            columns = [[v if type(v) is str else _key(v) for v in (getattr(p, n) for p in parties)]
                       for n in self._fields]
            self._fixed_ids = _numbered(zip(*columns) if columns else (() for _p in parties))
        return self._fixed_ids

    def groups(self, year: int | None) -> list[int]:
        """Per party, its group in ``year``: parties of one group read the same values (numbered
        in order of first party)."""
        got = self._groups.get(year)
        if got is not None:
            return got
        fixed = self.fixed_ids()
        if not self._derived and not self._other:
            got = fixed
        else:
            derived = self.env.derived_for(year)
            attrs = [derived.get(p.id) for p in self.parties]
            columns = [fixed]
            for n in self._derived:  # column by column: a derived attribute of every party
                columns.append([_MISSING if a is None else (v if type(v := a.get(n)) is str else _key(v))
                                for a in attrs])
            if self._other:
                ctx, attr = Ctx(year=year), self.binding
                for g in self._other:
                    column = []
                    for p in self.parties:
                        setattr(ctx, attr, p)
                        column.append(_key(g(ctx)))
                    columns.append(column)
            got = _numbered(zip(*columns))
        self._groups[year] = got
        return got

    def _firsts(self, year: int | None) -> list[int]:
        """Per group of ``year``, the index of its first party."""
        got = self._first.get(year)
        if got is None:
            got = self._first[year] = []
            for n, g in enumerate(self.groups(year)):
                if g == len(got):
                    got.append(n)
        return got

    def members(self, year: int | None, groups: Iterable[int]) -> list[Any]:
        """The parties of these groups of ``year``, in the order of :attr:`parties`."""
        per = self._members.get(year)
        if per is None:
            per = self._members[year] = [[] for _g in self._firsts(year)]
            for n, g in enumerate(self.groups(year)):
                per[g].append(n)
        picked = [n for g in groups for n in per[g]]
        picked.sort()
        parties = self.parties
        return [parties[n] for n in picked]

    def rows(self, fns: list, year: int | None, ctx_of: Callable[[Any], Ctx], pseudo: dict[int, str],
             members: Iterable[int] | None = None) -> tuple[list[int], list[list[str]], list[list[str]]]:
        """The atom rows of the parties ``members`` (indexes into :attr:`parties`; all by default)
        in ``year``: per member the index of its row, and per row (one per group among the
        members, in order of first member) the atom values and the paths its unknown atoms
        name, computed on ``ctx_of(first member)`` as :meth:`~perbup_rules.judge.Judge.row`.
        ``fns`` are compiled from atoms that read no party path but those the groups were made by."""
        groups = self.groups(year)
        out_rows: list[list[str]] = []
        out_missing: list[list[str]] = []
        if members is None:  # groups are numbered in order of first party: their own row indexes
            for n in self._firsts(year):
                ctx, missing = ctx_of(self.parties[n]), []
                out_rows.append([pseudo[j] if f is None else f(ctx, missing) for j, f in enumerate(fns)])
                out_missing.append(missing)
            return groups, out_rows, out_missing
        index: dict[int, int] = {}
        pos = []
        for n in members:
            g = groups[n]
            i = index.get(g)
            if i is None:
                i = index[g] = len(out_rows)
                ctx, missing = ctx_of(self.parties[n]), []
                out_rows.append([pseudo[j] if f is None else f(ctx, missing) for j, f in enumerate(fns)])
                out_missing.append(missing)
            pos.append(i)
        return pos, out_rows, out_missing
