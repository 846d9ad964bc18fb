"""Joining registry businesses to the parties of an audit, and enriching those parties.

Each registry row is joined by the first step that decides it:

1. **key**: the party's own id (a canonical ``parties.csv`` registry), or a shared key
   (``kd_penyedia``, NIB, NPWP or its redacted id ``NPWP-...``).
2. **exact_name**: the same normalised business name (:mod:`.names`), legal forms that can
   agree, and kabupaten codes that do not differ.
3. **fuzzy**: rapidfuzz ``fuzz.ratio`` of the normalised names at or above
   :data:`FUZZY_THRESHOLD`, under the same form and kabupaten conditions, with no second
   party within :data:`AMBIGUITY_MARGIN` points.

Several parties at the deciding step, or a party already joined by an earlier row, make the
row **ambiguous**: it enriches nothing. A row joined to no party is **unmatched** and becomes
a candidate-only party (``Dataset.candidates_only``): a possible partner, never a subject of
a clause over parties.

A matched row fills the fields the party lacks. A field both have with different values is
a **conflict**, decided by :func:`decide` (authority first, then the sources' dates) and
listed with both sources; the value used names its source and the rule in the party's
provenance.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from .. import regions
from ..records import Dataset, Party
from .names import forms_agree, normalise
from .read import AUTHORITIES, KEYS, Entry, Registry, npwp_key

#: Lowest rapidfuzz ``fuzz.ratio`` (0-100) of two normalised names for a fuzzy match. 90 lets one
#: or two letters differ in a name of 20 ("Sinar Mandiri Perkasa" / "Sinar Mandiri Perkas"), and
#: keeps a name with an extra word apart ("Maju Jaya Abadi" / "Maju Jaya" scores 75).
FUZZY_THRESHOLD = 90
#: A second party scoring within this many points of the best makes a fuzzy match ambiguous.
AMBIGUITY_MARGIN = 2
#: Parties that are buyers, not businesses: never joined to a registry row.
NOT_BUSINESSES = ("perangkat_daerah", "desa")
#: Fields compared by their region code rather than their spelling.
_REGION_TEXT = {"kabupaten": "kabupaten_code", "kecamatan": "kecamatan_code", "desa": "desa_code"}

RULE = "authority-then-date"
#: extra column of a candidate-only party: survives `perbup import --registry` and a reload
#: (the canonical CSV keeps extra columns), so the party stays a candidate, never a subject
CANDIDATE_MARK = "registry_candidate"


def mark_candidates(ds: Dataset) -> Dataset:
    """Add to ``ds.candidates_only`` every party whose extra columns carry :data:`CANDIDATE_MARK`."""
    for p in ds.parties.values():
        if p.id not in ds.candidates_only and any(k == CANDIDATE_MARK and v for k, v in p.extra):
            ds.candidates_only.add(p.id)
    return ds


@dataclass
class Conflict:
    party: str
    field: str
    export_value: Any
    export_source: str
    registry_value: Any
    registry_source: str
    used: str  # "export" or "registry"
    rule: str

    def text(self) -> str:
        return (f"{self.field}: export {self.export_value!r} ({self.export_source}) vs registry "
                f"{self.registry_value!r} ({self.registry_source}); {self.used} used by rule {self.rule}")


@dataclass
class Match:
    """One registry row and what became of it (a row of the match report)."""

    registry: str
    row: int
    registry_name: str | None
    method: str  # key:id | key:kd_penyedia | key:nib | key:npwp | exact_name | fuzzy | ambiguous | unmatched
    score: int | None = None
    party: str | None = None
    party_name: str | None = None
    filled: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    note: str = ""

    @property
    def matched(self) -> bool:
        return self.method not in ("ambiguous", "unmatched")


@dataclass
class Outcome:
    """Every match of every registry, and the counts the report summarises."""

    registries: list[Registry]
    matches: list[Match]

    def summary(self) -> list[dict[str, Any]]:
        out = []
        for reg in self.registries:
            ms = [m for m in self.matches if m.registry == reg.path]
            counts = {k: 0 for k in ("key", "exact_name", "fuzzy", "ambiguous", "unmatched")}
            for m in ms:
                counts["key" if m.method.startswith("key:") else m.method] += 1
            out.append({"path": reg.path, "layout": reg.layout, "sha256": reg.sha256, "read": reg.read,
                        "rejected": len(reg.rejected), **counts,
                        "conflicts": sum(len(m.conflicts) for m in ms),
                        "fields_filled": sum(len(m.filled) for m in ms)})
        return out


def decide(registry_authority: str, registry_date, export_authority: str = "export", export_date=None) -> tuple[str, str]:
    """Which value a conflict keeps: ('export' | 'registry', why).

    The more trusted authority wins (:data:`~.read.AUTHORITIES`: oss > dinas > lkpp > export); between
    equal authorities the source with the later date wins; when that cannot be told the export's
    value is kept (a registry never overrides silently, nor on a tie).
    """
    ra, ea = AUTHORITIES.index(registry_authority), AUTHORITIES.index(export_authority)
    if ra < ea:
        return "registry", f"{RULE}: {registry_authority} over {export_authority}"
    if ra > ea:
        return "export", f"{RULE}: {export_authority} over {registry_authority}"
    if registry_date is not None and export_date is not None and registry_date != export_date:
        later = "registry" if registry_date > export_date else "export"
        return later, f"{RULE}: same authority, later date"
    return "export", f"{RULE}: same authority, no later date: export kept"


def party_keys(p: Party) -> dict[str, set[str]]:
    """The shared keys a party carries: kd_penyedia (its LKPP id ``penyedia:<kd>`` or an extra
    column), NIB and NPWP ids from its extra columns."""
    keys: dict[str, set[str]] = {k: set() for k in KEYS}
    if p.id.startswith("penyedia:"):
        keys["kd_penyedia"].add(p.id[len("penyedia:"):])
    for k, v in p.extra:
        kl = k.casefold()
        if kl in ("kd_penyedia", "kode_penyedia"):
            keys["kd_penyedia"].add(v.strip())
        elif kl == "nib":
            keys["nib"].add(v.strip())
        elif "npwp" in kl:
            n = npwp_key(v)
            if n:
                keys["npwp"].add(n)
    return keys


def _kab_code(fields: dict[str, Any]) -> str | None:
    if fields.get("kabupaten_code"):
        return fields["kabupaten_code"]
    return regions.gazetteer().kabupaten(fields.get("kabupaten"))


def _same_region(a: Any, b: Any, what: str, party: Party, entry: Entry) -> bool:
    g = regions.gazetteer()
    if what == "kabupaten":
        ca, cb = g.kabupaten(a), g.kabupaten(b)
    elif what == "kecamatan":
        kab = party.kabupaten_code
        ca, cb = g.kecamatan(a, kab), g.kecamatan(b, kab)
    else:
        return regions.fold(str(a)) == regions.fold(str(b))
    return ca is not None and ca == cb or regions.fold(str(a)) == regions.fold(str(b))


class _Index:
    def __init__(self, ds: Dataset):
        self.ds = ds
        self.by_key: dict[tuple[str, str], set[str]] = {}
        self.by_name: dict[str, list[str]] = {}
        self.forms: dict[str, str | None] = {}
        for p in ds.parties.values():
            if p.kind in NOT_BUSINESSES or p.id in ds.candidates_only:
                continue
            for k, vs in party_keys(p).items():
                for v in vs:
                    self.by_key.setdefault((k, v), set()).add(p.id)
            nn = normalise(p.name)
            if nn:
                self.by_name.setdefault(nn.key, []).append(p.id)
                self.forms[p.id] = nn.legal_form or p.legal_form
        self.names = list(self.by_name)
        #: the parties a registry row may join (businesses of the export)
        self.forms_or_keys = {p.id for p in ds.parties.values()
                              if p.kind not in NOT_BUSINESSES and p.id not in ds.candidates_only}

    def fits(self, pid: str, form: str | None, kab: str | None) -> bool:
        p = self.ds.parties[pid]
        pk = p.kabupaten_code
        return forms_agree(form, self.forms.get(pid)) and (kab is None or pk is None or kab == pk)


def match_entry(ix: _Index, e: Entry) -> tuple[str, int | None, list[str], str]:
    """(method, score, party ids, note) for one registry row."""
    rid = e.fields.get("id")
    if rid is not None and rid in ix.ds.parties and rid in ix.forms_or_keys:
        return "key:id", None, [rid], ""  # a canonical parties.csv naming the export's own ids
    for k in KEYS:
        v = e.keys.get(k)
        if v is None:
            continue
        ids = ix.by_key.get((k, v), set())
        if len(ids) == 1:
            return f"key:{k}", None, sorted(ids), ""
        if len(ids) > 1:
            return "ambiguous", None, sorted(ids), f"{k} {v} is shared by {len(ids)} parties"
    nn = normalise(e.fields.get("name"))
    if not nn:
        return "unmatched", None, [], "no key found and no usable name"
    form = nn.legal_form or e.fields.get("legal_form")
    kab = _kab_code(e.fields)
    exact = [pid for pid in ix.by_name.get(nn.key, []) if ix.fits(pid, form, kab)]
    if len(exact) == 1:
        return "exact_name", 100, exact, ""
    if len(exact) > 1:
        return "ambiguous", 100, sorted(exact), f"{len(exact)} parties have the name {nn.key!r}"
    hits = process.extract(nn.key, ix.names, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD - AMBIGUITY_MARGIN,
                           limit=None)
    scored: list[tuple[float, str]] = []
    for name, score, _i in hits:
        for pid in ix.by_name[name]:
            if ix.fits(pid, form, kab):
                scored.append((score, pid))
    scored.sort(key=lambda t: (-t[0], t[1]))
    if not scored or scored[0][0] < FUZZY_THRESHOLD:
        return "unmatched", None, [], ""
    best = scored[0][0]
    close = [pid for s, pid in scored if s >= best - AMBIGUITY_MARGIN]
    if len(close) > 1:
        return "ambiguous", int(best), sorted(close), f"{len(close)} parties score within {AMBIGUITY_MARGIN} of {best:.0f}"
    return "fuzzy", int(best), [scored[0][1]], ""


def _export_source(ds: Dataset, p: Party, name: str) -> str:
    for f, src in p.provenance:
        if f == name:
            return src
    paths = sorted({s.path for s in ds.sources})
    return f"export {', '.join(paths)}" if paths else "export"


def enrich_party(ds: Dataset, p: Party, e: Entry, method: str) -> tuple[Party, list[str], list[Conflict]]:
    """``p`` with the registry row's fields: missing ones filled, differing ones decided (:func:`decide`)."""
    changes: dict[str, Any] = {}
    prov: list[tuple[str, str]] = []
    filled: list[str] = []
    conflicts: list[Conflict] = []
    src = f"registry {e.source} ({method})"
    for name, value in e.fields.items():
        if name in ("name", "id"):
            continue
        old = getattr(p, name)
        if old is None or old == ():
            changes[name] = value
            prov.append((name, src + (f", {e.layout_note(name)}" if name in e.defaulted else "")))
            filled.append(name)
            continue
        if name in e.defaulted or old == value or (name in _REGION_TEXT and _same_region(old, value, name, p, e)):
            continue
        used, why = decide(e.authority, e.as_of)
        c = Conflict(p.id, name, old, _export_source(ds, p, name), value, e.source, used, why)
        conflicts.append(c)
        if used == "registry":
            changes[name] = value
            prov.append((name, f"{src}; conflict with export {old!r} decided by {why}"))
        else:
            prov.append((name, f"{_export_source(ds, p, name)}; conflict with {src} value {value!r} decided by {why}"))
    for text_field, code_field in _REGION_TEXT.items():
        if text_field in changes and code_field not in changes:
            changes[code_field] = None  # re-resolved from the new name below
    if not changes and not prov:
        return p, filled, conflicts
    kept_prov = tuple((f, s) for f, s in p.provenance if f not in changes)
    out = dataclasses.replace(p, **changes, provenance=kept_prov + tuple(prov))
    return regions.resolve_party(out), filled, conflicts


def apply_registries(ds: Dataset, registries: list[Registry]) -> Outcome:
    """Join every registry row to the parties of ``ds`` and enrich them, in place; returns the matches.

    Registries are applied in the order given; within one registry a party is joined by one row
    only (a second row naming it is ambiguous); a later registry may join it again.
    """
    regions.enrich(ds)
    ix = _Index(ds)
    taken: dict[str, str] = {}
    matches: list[Match] = []
    for reg in registries:
        taken = {}  # one party per row within a registry; another registry may enrich it again
        stem = reg.path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
        for e in reg.entries:
            method, score, ids, note = match_entry(ix, e)
            m = Match(reg.path, e.row, e.fields.get("name"), method, score, note=note)
            if method not in ("ambiguous", "unmatched"):
                pid = ids[0]
                if pid in taken:
                    m.method, m.note = "ambiguous", f"party {pid} already joined by {taken[pid]}"
                    m.party = pid
                else:
                    taken[pid] = e.source
                    p = ds.parties[pid]
                    ds.parties[pid], m.filled, m.conflicts = enrich_party(ds, p, e, method)
                    m.party, m.party_name = pid, p.name
            elif method == "ambiguous":
                m.party = " ".join(ids)
            if method == "unmatched":
                pid = str(e.fields.get("id") or f"registry:{stem}:{e.row}")
                while pid in ds.parties:
                    pid += "+"
                fields = {k: v for k, v in e.fields.items() if k != "id"}
                party = Party(id=pid, **fields, extra=tuple(sorted(e.extra + tuple(e.keys.items())
                                                                   + ((CANDIDATE_MARK, e.source),))),
                              provenance=tuple((k, f"registry {e.source}" + (f", {e.layout_note(k)}" if k in e.defaulted
                                                                             else "")) for k in fields))
                ds.parties[pid] = regions.resolve_party(party)
                ds.candidates_only.add(pid)
                m.party, m.party_name = pid, fields.get("name")
                m.note = (m.note + "; " if m.note else "") + "added as a candidate only"
            matches.append(m)
    outcome = Outcome(registries, matches)
    ds.registries.append(outcome)
    return outcome
