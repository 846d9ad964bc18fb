"""Three-valued logic as disjunctive normal forms over atoms, for rule engines.

A *logic tree* is ``{"atom": i}``, ``{"const": bool}``, ``{"and": [..]}``,
``{"or": [..]}`` or ``{"not": L}``; atoms are three-valued (``t``, ``f``, ``u``:
true, false, unknown), combined with Kleene's strong logic.

A *term* maps atom indexes to the set of values allowed (``"tf"`` means "not
unknown"); a DNF is a list of terms, any of which may match. The durable-rules
engine turns each term into one rule testing equality/inequality of posted
strings, so that the engine never does arithmetic and no ``$or`` is needed
(ARCHITECTURE.md section 5). Terms of one outcome may overlap; terms of
different outcomes never do (tests check this by enumeration).
"""

from __future__ import annotations

from itertools import product as _product
from typing import Iterable

Term = dict  # {atom index (int): frozenset of "t"/"f"/"u"}
DNF = list

ALL = frozenset("tfu")
TRUE: DNF = [{}]  # one empty term: always matches
FALSE: DNF = []  # no term: never matches
MAX_TERMS = 2048


class TooComplex(ValueError):
    """A condition's normal form would exceed :data:`MAX_TERMS` terms."""


def _and_terms(a: Term, b: Term) -> Term | None:
    out = dict(a)
    for k, v in b.items():
        s = out.get(k, ALL) & v
        if not s:
            return None
        out[k] = s
    return {k: v for k, v in out.items() if v != ALL}


def _subsumes(a: Term, b: Term) -> bool:
    """True when every assignment matching ``b`` also matches ``a``."""
    return all(k in b and b[k] <= v for k, v in a.items())


def simplify(d: Iterable[Term]) -> DNF:
    # (key set, term) pairs: the key sets compare in C first, the values only where they can matter
    kept: list[tuple[frozenset, Term]] = []
    seen: set[frozenset] = set()
    for t in sorted(d, key=len):
        whole = frozenset(t.items())
        if whole in seen:  # the same term again (conj and disj make many): subsumed by itself
            continue
        seen.add(whole)
        tk = frozenset(t)
        if any(sk <= tk and all(t[k] <= v for k, v in s.items()) for sk, s in kept):
            continue  # an earlier term subsumes t (_subsumes(s, t))
        # terms come shortest first, so t (its keys all in s) can only subsume one with its own keys
        kept = [(sk, s) for sk, s in kept if sk != tk or not all(s[k] <= v for k, v in t.items())] + [(tk, t)]
    terms = [s for _sk, s in kept]
    if len(terms) > MAX_TERMS:
        raise TooComplex(f"condition expands to {len(terms)} rule terms (limit {MAX_TERMS})")
    return terms


def conj(*ds: DNF) -> DNF:
    acc: DNF = TRUE
    for d in ds:
        nxt = []
        for a in acc:
            for b in d:
                t = _and_terms(a, b)
                if t is not None:
                    nxt.append(t)
        acc = simplify(nxt)
        if not acc:
            return FALSE
    return acc


def disj(*ds: DNF) -> DNF:
    return simplify([t for d in ds for t in d])


def atom(i: int, values: str) -> DNF:
    return [{i: frozenset(values)}] if frozenset(values) != ALL else TRUE


def is_true(L: dict) -> DNF:
    return _form(L, "T")


def is_false(L: dict) -> DNF:
    return _form(L, "F")


def not_true(L: dict) -> DNF:
    return _form(L, "NT")


def not_false(L: dict) -> DNF:
    return _form(L, "NF")


def is_unknown(L: dict) -> DNF:
    return conj(not_true(L), not_false(L))


_DUAL = {"T": "F", "F": "T", "NT": "NF", "NF": "NT"}


def _form(L: dict, which: str) -> DNF:
    if "atom" in L:
        return atom(L["atom"], {"T": "t", "F": "f", "NT": "fu", "NF": "tu"}[which])
    if "const" in L:
        truth = bool(L["const"])
        holds = {"T": truth, "F": not truth, "NT": not truth, "NF": truth}[which]
        return TRUE if holds else FALSE
    if "not" in L:
        return _form(L["not"], _DUAL[which])
    if "and" in L:
        parts = [_form(x, which) for x in L["and"]]
        return conj(*parts) if which in ("T", "NF") else disj(*parts)
    if "or" in L:
        parts = [_form(x, which) for x in L["or"]]
        return disj(*parts) if which in ("T", "NF") else conj(*parts)
    raise ValueError(f"not a logic tree: {L!r}")


def kleene(L: dict, values: list[str]) -> str:
    """Evaluate a logic tree over atom values directly (the reference semantics)."""
    if "atom" in L:
        return values[L["atom"]]
    if "const" in L:
        return "t" if L["const"] else "f"
    if "not" in L:
        return {"t": "f", "f": "t", "u": "u"}[kleene(L["not"], values)]
    if "and" in L:
        vs = [kleene(x, values) for x in L["and"]]
        return "f" if "f" in vs else ("u" if "u" in vs else "t")
    if "or" in L:
        vs = [kleene(x, values) for x in L["or"]]
        return "t" if "t" in vs else ("u" if "u" in vs else "f")
    raise ValueError(f"not a logic tree: {L!r}")


def matches(d: DNF, values: list[str]) -> bool:
    """Does an assignment of atom values match this DNF? (used by tests and the checker)."""
    return any(all(values[k] in v for k, v in t.items()) for t in d)


def enumerate_assignments(n: int):
    """Every assignment of t/f/u to n atoms (3**n; for tests on small decisions)."""
    return (list(p) for p in _product("tfu", repeat=n))


def restrict(d: DNF, two_valued: set[int]) -> DNF:
    """The DNF over assignments where the atoms in ``two_valued`` are never unknown.

    ``known(x)`` and constants can only be t or f: dropping 'u' from their allowed sets
    removes terms (and whole outcomes) that can never match, so engines get fewer rules.
    """
    if not two_valued:
        return d
    out = []
    for t in d:
        new = {}
        for k, v in t.items():
            if k in two_valued:
                v = v - {"u"}
                if not v:
                    break
                if v == frozenset("tf"):
                    continue
            new[k] = v
        else:
            out.append(new)
    return simplify(out)


def to_json(d: DNF) -> list[dict[str, str]]:
    """A DNF as JSON: list of {"atom index": "allowed values"} with sorted keys and letters."""
    return [{str(k): "".join(sorted(v, key="tfu".index)) for k, v in sorted(t.items())} for t in d]


def from_json(d: list[dict[str, str]]) -> DNF:
    return [{int(k): frozenset(v) for k, v in t.items()} for t in d]
