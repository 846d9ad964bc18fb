"""Named assumptions: the facts real exports usually lack, supplied openly and switchable.

An audit on real data meets the same gaps again and again: SiRUP and SPSE exports rarely say
whether a product is domestic (PDN), a contract rarely carries its package's pagu, and no
register says which sand and stone supplier holds a mining licence. Rather than guess silently,
a clause may rest on a *named assumption*, written ``assumed(ID)`` in its conditions:

* with the assumption **on** (the default) the atom is true: the missing fact is taken as the
  assumption states (the product is domestic; the pagu is the value; the supplier is licensed);
* with it **off** (``perbup audit --no-assume ID``, ``evaluate(..., no_assume=[ID])``) the atom
  is false, so the fact is unknown and the clause's own Kleene logic makes the outcome
  cannot_determine, naming the field (or, where the clause says so, a violation: KMT-11.2).

The judge (:mod:`perbup_rules.judge`) counts, per assumption, the records whose outcome it
decides: a record *rests on* an assumption when flipping the ``assumed`` atom changes the
outcome of its decision. The count is the same whether the assumption is on or off (on: the
records it was applied to; off: the records it would have been applied to, now unknown), and
every finding that rests on an assumption that is on names it (``Finding.assumptions``).
The report lists them all (:func:`section`; docs/report-format.md, "assumptions").

Exactly three exist (issue 13): :data:`ASSUMPTIONS`. A rule naming another is refused by the
compiler; an unknown id from a user is a :class:`~perbup_rules.errors.UsageError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .errors import UsageError
from .i18n import msg


@dataclass(frozen=True)
class Assumption:
    """One named assumption: its id, its sentence in both languages, and the fields it stands in for."""

    id: str
    text_id: str
    text_en: str
    #: the fields whose absence it fills (named in docs; findings name the clause's own paths)
    fields: tuple[str, ...]


ASSUMPTIONS: dict[str, Assumption] = {a.id: a for a in (
    Assumption(
        "pdn",
        "Pembelian yang sumbernya tidak memuat keterangan produk dalam negeri (PDN) dianggap "
        "produk dalam negeri.",
        "A purchase whose source says nothing about domestic products (PDN) is taken to be of "
        "domestic products.",
        ("pdn", "pdn_value_idr")),
    Assumption(
        "pagu",
        "Paket yang pagu anggarannya tidak diketahui dan nilainya tidak melebihi batas "
        "pencadangan dianggap berpagu sama dengan nilainya.",
        "A package whose pagu anggaran is unknown and whose value is not above the reservation "
        "ceiling is taken to have a pagu equal to its value.",
        ("pagu_idr",)),
    Assumption(
        "licensed",
        "Pelaku usaha yang status izinnya (IUP/SIPB atau yang setara) tidak diketahui dianggap "
        "memiliki izin.",
        "A business whose licence status (IUP/SIPB or equivalent) is unknown is taken to be "
        "licensed.",
        ("licensed",)),
)}

#: the valid ids, in report order
IDS: tuple[str, ...] = tuple(ASSUMPTIONS)


def off_set(no_assume: Iterable[str] | str | None) -> frozenset[str]:
    """The assumptions turned off, checked: an unknown id is a UsageError naming the valid ones."""
    if no_assume is None:
        return frozenset()
    if isinstance(no_assume, str):
        no_assume = [no_assume]
    out = set()
    for a in no_assume:
        if a not in ASSUMPTIONS:
            raise UsageError(msg("diag.unknown_assumption", name=repr(a), names=", ".join(IDS)))
        out.add(a)
    return frozenset(out)


def ids_in(tree: Any) -> set[str]:
    """The assumption ids a compiled clause (or any nest of trees) names through ``assumed(ID)``."""
    if isinstance(tree, dict):
        found = {tree["id"]} if tree.get("op") == "assume" else set()
        for v in tree.values():
            found |= ids_in(v)
        return found
    if isinstance(tree, list):
        return set().union(*(ids_in(v) for v in tree)) if tree else set()
    return set()


def positions(atoms: list[dict]) -> dict[str, list[int]]:
    """Assumption id -> the indexes of its atoms in a decision's atom list (empty for most clauses)."""
    out: dict[str, list[int]] = {}
    for i, a in enumerate(atoms):
        if a.get("op") == "assume":
            out.setdefault(a["id"], []).append(i)
    return out


def section(clauses: list[dict], off: frozenset[str], touched: dict[str, dict[str, set]]) -> list[dict]:
    """The report's ``assumptions`` section: every assumption, whether on, the clauses of this
    ruleset that use it, and the number of records it touched in this audit (``touched``:
    assumption id -> table -> record ids, ``Judge.assumed``)."""
    serves: dict[str, list[str]] = {a: [] for a in IDS}
    for c in clauses:
        for a in sorted(ids_in(c.get("decisions"))):
            serves.setdefault(a, []).append(c["id"])
    return [{"id": a.id, "on": a.id not in off, "text": {"id": a.text_id, "en": a.text_en},
             "clauses": serves.get(a.id, []), "records": sum(map(len, touched.get(a.id, {}).values()))}
            for a in ASSUMPTIONS.values()]


__all__ = ["ASSUMPTIONS", "Assumption", "IDS", "ids_in", "off_set", "positions", "section"]
