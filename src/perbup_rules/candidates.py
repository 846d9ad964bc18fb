"""Candidate partners of a required partnership: pools judged once, ranked with indexes.

A clause's ``remedy.candidates`` proposes parties for a partnership the data does not
show: those whose ``where`` holds (decision ``candidates``), ranked by its ``prefer``
conditions (decisions ``candidates_prefer_N``: meeting the first comes first, then the
second, ...; ties by id), and after them the registry's candidate-only businesses whose
``where`` is unknown (``unverified``), ranked the same way.

Judging ``where`` for every party for every required partnership costs parties x
partnerships decisions (418k at 200k purchases). It need not: ``where`` reads a candidate,
the category, the year (parameters, derived attributes) and possibly some ``subject.``
fields. So the engine decides ``where`` once per (party, category, year, values of the
subject fields it reads): one *pool* per distinct key, for the bundled rules one per
(category, year) since their ``where`` reads no subject field.

Ranking: a ``prefer`` decision of one comparison ``<candidate side> == <subject side>``
(the bundled ``candidate.kecamatan_code == subject.kecamatan_code``) is ranked through an
index of the pool by the candidate side's value (kecamatan -> ids in id order): the first
ranked are the index entry of the subject's value, then the rest of the pool in id order,
so listing the first N costs about N steps. The engine decides what the comparison's
three values (t, f, u) mean for the decision once; the index computes which value each
candidate has. Any other ``prefer`` is decided by the engine per pool member, once per
pool and distinct values of the subject fields it reads. Either way the ranking equals
deciding ``where`` and every ``prefer`` per (candidate, subject) (tests/test_candidates.py).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .atoms import Compiled, Ctx, Missing
from .party_rows import read_paths

if TYPE_CHECKING:  # pragma: no cover
    from .judge import Judge

#: Candidates listed per required partnership by default (``--max-candidates``; 0 lists all).
MAX_CANDIDATES = 20

def check_max_candidates(n: object) -> int:
    """``n`` as a count of candidates to list (0: all); a negative or non-integer one is refused."""
    from .errors import UsageError

    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise UsageError(f"max_candidates {n!r} is not a count of candidates (0 lists all)")
    return n


_MISSING = ("<missing>",)  # a subject field's missing value, as part of a cache key


def _subject_paths(node: Any, out: dict[tuple, dict]) -> dict[tuple, dict]:
    """The ``subject.`` path nodes an atom tree reads, by path (the values a decision depends on
    besides the candidate, the category and the year): of the paths it reads (party_rows.read_paths)."""
    for key, path in read_paths(node, {}).items():
        if key[:1] == ("subject",):
            out.setdefault(key, {"op": "path", "path": path})
    return out


def _reads(node: Any, root: str) -> bool:
    """True when an expression tree reads a path under ``root`` (``candidate`` or ``subject``)."""
    if isinstance(node, dict):
        if node.get("op") in ("path", "known") and node.get("path", [None])[0] == root:
            return True
        return any(_reads(v, root) for v in node.values())
    if isinstance(node, list):
        return any(_reads(v, root) for v in node)
    return False


def _key_value(v: Any) -> Any:
    if isinstance(v, Missing):
        return _MISSING
    try:
        hash(v)
    except TypeError:
        return ("<unhashable>", repr(v))
    return v


@dataclass
class _Ranking:
    """The members of a pool (in id order) and how one subject's ranking is read off them."""

    members: list
    ids: list[str]
    #: per prefer decision: candidate-side value -> member ids in id order (the index path);
    #: None when some prefer is ranked by the engine per member (the general path)
    indexes: list[dict[Any, list[str]]] | None = None
    #: ranked ids per values of the subject fields the prefer decisions read (the general path)
    memo: dict[tuple, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class _Pool:
    chosen: _Ranking
    maybe: _Ranking
    maybe_ids: set[str] | None = None


class Candidates:
    """The candidate pools and rankings of one clause's ``remedy.candidates`` in one run."""

    def __init__(self, judge: "Judge", clause: dict) -> None:
        self.judge, self.clause = judge, clause
        cand = clause["remedy"]["candidates"]
        decisions = clause["decisions"]
        self.where_name = cand["where"]
        self.prefer_names = list(cand["prefer"])
        comp = Compiled(judge.env, None, clause["over"])
        self.comp = comp
        where = decisions[self.where_name]
        self.where_fns = [comp.atom(a) for a in where["atoms"]]
        self.where_subject = [comp.value(n) for n in _subject_paths(where["atoms"], {}).values()]
        #: every party by id, grouped by the values ``where`` reads of them: one row per group and pool
        self.groups = judge.party_rows(where["atoms"], None, clause["over"], "candidate", every=True)
        self.pools: dict[tuple, _Pool] = {}
        # per prefer decision: (candidate-side getter, subject-side getter, label of t/f/u) when it is
        # one equality of a candidate value and a subject value (the index path), else None
        self.prefer_index: list[tuple | None] = []
        self.prefer_fns: list[list[Callable]] = []
        prefer_paths: dict[tuple, dict] = {}
        for name in self.prefer_names:
            dec = decisions[name]
            self.prefer_fns.append([comp.atom(a) for a in dec["atoms"]])
            _subject_paths(dec["atoms"], prefer_paths)
            self.prefer_index.append(self._indexable(name, dec))
        self.prefer_subject = [comp.value(n) for n in prefer_paths.values()]

    def _indexable(self, name: str, dec: dict) -> tuple | None:
        atoms = dec["atoms"]
        if len(atoms) != 1 or atoms[0]["op"] != "cmp" or atoms[0]["cmp"] != "==":
            return None
        a = atoms[0]
        sides = [a["left"], a["right"]]
        cand = [s for s in sides if _reads(s, "candidate") and not _reads(s, "subject")]
        subj = [s for s in sides if _reads(s, "subject") and not _reads(s, "candidate")]
        if len(cand) != 1 or len(subj) != 1:
            return None
        labels = dict(zip("tfu", self.judge.decide(self.clause, name, [["t"], ["f"], ["u"]])))
        if labels["t"] != "t" or "t" in (labels["f"], labels["u"]):
            return None  # ranks first on something else than equality: decided per member
        return self.comp.value(cand[0]), self.comp.value(subj[0])

    def _ctx(self, party: Any, subject: Any, category: str | None, year: int | None) -> Ctx:
        return Ctx(candidate=party, subject=subject, category=category, year=year,
                   day=_dt.date(year, 12, 31) if year else None)

    def pool(self, subject: Any, category: str | None, year: int | None) -> _Pool:
        """The parties whose ``where`` holds (and the candidate-only ones for which it is unknown),
        judged by the engine once per category, year and the subject fields ``where`` reads."""
        probe = self._ctx(None, subject, category, year)
        key = (category, year, tuple(_key_value(g(probe)) for g in self.where_subject))
        pool = self.pools.get(key)
        if pool is None:
            # one row per group of parties that read the same values (perbup_rules.party_rows)
            # (over all parties, a group's row index is the group's own number)
            _pos, rows, _missing = self.groups.rows(self.where_fns, year,
                                                    lambda p: self._ctx(p, subject, category, year), {})
            labels = self.judge.decide(self.clause, self.where_name, rows)
            only = self.judge.dataset.candidates_only
            chosen = self.groups.members(year, [g for g, lab in enumerate(labels) if lab == "t"])
            maybe = [p for p in self.groups.members(year, [g for g, lab in enumerate(labels) if lab == "u"])
                     if p.id in only]
            pool = self.pools[key] = _Pool(self._ranking(chosen, category, year),
                                           self._ranking(maybe, category, year))
        return pool

    def _ranking(self, members: list, category: str | None, year: int | None) -> _Ranking:
        r = _Ranking(members, [p.id for p in members])
        if not all(ix is not None for ix in self.prefer_index):
            return r
        indexes: list[dict[Any, list[str]]] = []
        ctx = self._ctx(None, None, category, year)  # one context, its candidate set per member
        try:
            for cand_get, _subj_get in self.prefer_index:  # type: ignore[misc]
                index: dict[Any, list[str]] = {}
                for p in members:
                    ctx.candidate = p
                    v = cand_get(ctx)
                    if not isinstance(v, Missing):  # a missing value is never equal ('u')
                        index.setdefault(v, []).append(p.id)
                indexes.append(index)
        except TypeError:  # an unhashable value: ranked by the engine per member instead
            return r
        r.indexes = indexes
        return r

    def ranked(self, subject: Any, category: str | None, year: int | None) -> tuple[Iterator[str], int]:
        """The candidates for one subject in rank order (lazily: take what is listed) and how many
        there are: those whose ``where`` holds first, then the unverified ones."""
        pool = self.pool(subject, category, year)
        probe = self._ctx(None, subject, category, year)
        count = len(pool.chosen.ids) + len(pool.maybe.ids)

        def gen() -> Iterator[str]:
            yield from self._order(pool.chosen, probe, subject, category, year)
            yield from self._order(pool.maybe, probe, subject, category, year)
        return gen(), count

    def unverified(self, subject: Any, category: str | None, year: int | None) -> set[str]:
        """The ids of the pool whose eligibility is unknown (candidate-only, ``where`` unknown)."""
        pool = self.pool(subject, category, year)
        if pool.maybe_ids is None:
            pool.maybe_ids = set(pool.maybe.ids)
        return pool.maybe_ids

    def _order(self, r: _Ranking, probe: Ctx, subject: Any, category: str | None,
               year: int | None) -> Iterator[str]:
        if not r.ids or not self.prefer_names:
            yield from r.ids
            return
        if r.indexes is not None:
            # first on prefer i: the members whose candidate-side value equals the subject's
            firsts: list[list[str]] = []
            for (_cand_get, subj_get), index in zip(self.prefer_index, r.indexes):  # type: ignore[misc]
                v = subj_get(probe)
                try:
                    firsts.append([] if isinstance(v, Missing) else index.get(v, []))
                except TypeError:  # an unhashable subject value equals no hashable one
                    firsts.append([])
            if len(firsts) == 1:  # the common case: one index entry (id order), then the rest
                yield from firsts[0]
                ahead = set(firsts[0])
            else:
                sets = [set(f) for f in firsts]
                ahead = set().union(*sets)
                yield from sorted(ahead, key=lambda i: (tuple(0 if i in s else 1 for s in sets), i))
            yield from (i for i in r.ids if i not in ahead)
            return
        sig = tuple(_key_value(g(probe)) for g in self.prefer_subject)
        done = r.memo.get(sig)
        if done is None:
            ctxs = [self._ctx(p, subject, category, year) for p in r.members]
            keys = []
            for name, fns in zip(self.prefer_names, self.prefer_fns):
                labels = self.judge.decide(self.clause, name, [[f(c, []) for f in fns] for c in ctxs])
                keys.append([0 if lab == "t" else 1 for lab in labels])
            order = sorted(range(len(r.members)), key=lambda n: (tuple(k[n] for k in keys), r.ids[n]))
            done = r.memo[sig] = tuple(r.ids[n] for n in order)
        yield from done
