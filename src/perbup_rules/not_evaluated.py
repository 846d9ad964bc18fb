"""Clauses that could not be evaluated because no input record carries a field they need to apply.

A clause that applies by ``category`` gives no verdict at all on an export that has no
category anywhere; its summary line would read 0/0/0/0, as if it had been judged and found
nothing. This module says instead "not evaluated: no record has category".

What a clause *needs* is read from its compiled ``applies`` logic, not from a list per
clause: a field is needed when every way the condition can be true reads it (a field of
one ``and`` operand is needed, a field of an ``or`` is needed only when every branch
reads it; ``known(x)`` needs nothing, it is how a rule handles absence). The subject of
a ``share`` clause (its grouping key, e.g. ``ppk_id``) is needed too. A derived attribute
(``supplier.local``) is carried by a record when any field its ``classify`` clause reads
is (``kabupaten`` or ``kecamatan``).

Presence is asked of a :class:`Presence`: one over a :class:`~perbup_rules.records.Dataset`
(per-record path) and one over the bulk path's DuckDB tables, so both paths give the same
``not_evaluated`` list.
"""

from __future__ import annotations

from typing import Any, Iterable

from . import schema
from .records import Dataset

#: role -> (the table the clause is over, the reference column, the table it points into)
ROLES = {
    "buyer": ("purchases", "buyer_id", "parties"),
    "supplier": ("purchases", "supplier_id", "parties"),
    "party": ("partnerships", "party_id", "parties"),
    "partner": ("partnerships", "partner_id", "parties"),
}
_NO_NEED = {"in_force", "known", "fact", "const", "assume"}


def _has(value: Any) -> bool:
    return value is not None and value != "" and value != ()


class Presence:
    """Does any record of ``table`` (or any party referenced by ``ref``) carry ``field``?"""

    def any(self, table: str, field: str, via: tuple[str, str] | None = None) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


class DatasetPresence(Presence):
    """Presence over the records of a Dataset."""

    def __init__(self, dataset: Dataset):
        self.ds = dataset
        self._memo: dict = {}

    def _rows(self, table: str) -> Iterable[Any]:
        return self.ds.parties.values() if table == "parties" else getattr(self.ds, table)

    def any(self, table: str, field: str, via: tuple[str, str] | None = None) -> bool:
        key = (table, field, via)
        if key not in self._memo:
            if via is None:
                self._memo[key] = any(_has(getattr(r, field, None)) for r in self._rows(table))
            else:
                src_table, ref = via
                ids = {getattr(r, ref) for r in self._rows(src_table)} - {None}
                self._memo[key] = any(_has(getattr(self.ds.parties[i], field, None)) for i in ids if i in self.ds.parties)
        return self._memo[key]


class BulkPresence(DatasetPresence):
    """Presence on the bulk path: purchases are rows of the DuckDB table ``purchases``."""

    def __init__(self, data: Any):
        super().__init__(data.dataset)
        self.con = data.con

    def _purchase_values(self, column: str) -> Iterable[Any]:
        cur = self.con.execute(f'SELECT DISTINCT "{column}" FROM purchases WHERE "{column}" IS NOT NULL')
        while True:
            rows = cur.fetchmany(1000)
            if not rows:
                return
            for (v,) in rows:
                yield v

    def any(self, table: str, field: str, via: tuple[str, str] | None = None) -> bool:
        key = (table, field, via)
        if key in self._memo:
            return self._memo[key]
        if via is None and table == "purchases":
            found = any(_has(v) and v != [] for v in self._purchase_values(field))
        elif via is not None and via[0] == "purchases":
            found = any(_has(getattr(self.ds.parties.get(i), field, None)) for i in self._purchase_values(via[1]))
        else:
            return super().any(table, field, via)
        self._memo[key] = found
        return found


def _derived_sources(ruleset: Any) -> dict[str, set[str]]:
    """Each derived party attribute -> the party fields its classify clauses read (transitively)."""
    direct: dict[str, set[str]] = {}
    for c in ruleset.clauses:
        if c.get("kind") == "classify" and c.get("attribute"):
            paths: set[str] = set()
            _paths(c.get("decisions"), paths)
            _paths(c.get("cases"), paths)
            _paths(c.get("default"), paths)
            for case in list(c.get("cases") or ()) + [c.get("default") or {}]:
                if isinstance(case.get("value_from"), str):
                    paths.add(case["value_from"])
            direct.setdefault(c["attribute"], set()).update(paths)
    out: dict[str, set[str]] = {}

    def expand(attr: str, seen: frozenset) -> set[str]:
        fields: set[str] = set()
        for p in direct.get(attr, ()):
            if p in direct and p not in seen:
                fields |= expand(p, seen | {p})
            elif p in schema.PARTY_FIELDS:
                fields.add(p)
        return fields

    for attr in direct:
        out[attr] = expand(attr, frozenset({attr}))
    return out


def _paths(node: Any, out: set[str]) -> None:
    """Single-step paths (``["kabupaten"]``) anywhere under ``node``."""
    if isinstance(node, dict):
        if node.get("op") == "path" and isinstance(node.get("path"), list) and len(node["path"]) == 1:
            out.add(node["path"][0])
        for v in node.values():
            _paths(v, out)
    elif isinstance(node, list):
        for v in node:
            _paths(v, out)


def _atom_paths(atom: Any) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("op") == "known":
                return
            if node.get("op") == "path" and isinstance(node.get("path"), list):
                found.add(tuple(node["path"]))
                return
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    if isinstance(atom, dict) and atom.get("op") in _NO_NEED:
        return found
    walk(atom)
    return found


def _needed(node: Any, atoms: list) -> set[tuple[str, ...]]:
    if not isinstance(node, dict):
        return set()
    if "atom" in node:
        i = node["atom"]
        return _atom_paths(atoms[i]) if 0 <= i < len(atoms) else set()
    if "and" in node:
        out: set = set()
        for n in node["and"]:
            out |= _needed(n, atoms)
        return out
    if "or" in node:
        parts = [_needed(n, atoms) for n in node["or"]]
        return set.intersection(*parts) if parts else set()
    if "not" in node:
        return _needed(node["not"], atoms)
    return set()


def _gate_atoms(clause: dict, applies: Any) -> list:
    """The atoms ``logic.applies`` indexes: those of the decision with a guard on exactly that logic."""
    for d in (clause.get("decisions") or {}).values():
        if any(w.get("logic") == applies for g in d.get("guards", ()) for w in g.get("when", ())):
            return d.get("atoms", [])
    return []


def needed_fields(ruleset: Any, clause: dict) -> list[tuple[str, ...]]:
    """The paths (``("category",)``, ``("supplier", "local")``) a clause cannot apply without."""
    logic = clause.get("logic") or {}
    applies = logic.get("applies")
    paths = _needed(applies, _gate_atoms(clause, applies)) if applies is not None else set()
    for key in ("subject", "group_by"):  # a share's subject; a window clause's subject and group
        node = clause.get(key)
        if isinstance(node, dict) and node.get("op") == "path":
            paths.add(tuple(node["path"]))
    return sorted(paths)


def not_evaluated(ruleset: Any, presence: Presence, clauses: Iterable[str] | None = None) -> list[dict]:
    """One entry per judged clause that no input record lets apply, with the fields nobody carries.

    ``[{"clause": "KMT-11", "fields": ["category"], "reason": "no record has category"}, ...]``,
    sorted by clause id. ``clauses`` limits it to the clauses an evaluation was asked for.
    """
    derived = _derived_sources(ruleset)
    only = None if clauses is None else set(clauses)
    out = []
    for c in ruleset.clauses:
        if c.get("kind") == "classify" or (only is not None and c["id"] not in only):
            continue
        table = c.get("over") or "purchases"
        absent = []
        for path in needed_fields(ruleset, c):
            if not _carried(path, table, derived, presence):
                absent.append(".".join(path))
        if absent:
            out.append({"clause": c["id"], "fields": absent, "reason": "no record has " + " or ".join(absent)})
    return sorted(out, key=lambda d: d["clause"])


def _carried(path: tuple[str, ...], table: str, derived: dict[str, set[str]], presence: Presence) -> bool:
    """Whether some record carries ``path``; paths this module cannot place count as carried."""
    if len(path) == 1:
        name, target, via = path[0], table, None
    elif len(path) == 2 and path[0] in ROLES and ROLES[path[0]][0] == table:
        src, ref, target = ROLES[path[0]]
        name, via = path[1], (src, ref)
    else:
        return True
    if target == "parties" and name in derived:
        fields = derived[name]
        return not fields or any(presence.any(target, f, via) for f in fields)
    if name not in schema.TABLE_FIELDS.get(target, ()):
        return True
    return presence.any(target, name, via)
