"""The category map: what a purchase bought, read from its account code, commodity or package name.

LKPP exports say how a package was bought but rarely *what* was bought, while the
clauses on sand and stone (KMT-11), uniforms (KMT-12) and food and laundry (KMT-15.3)
apply by ``category``. The map lives beside the rules (``categories.yaml`` in the
regulation folder), so drafters review it like a clause: every category is defined by

* ``accounts``: kode rekening belanja (Permendagri 90/2019 structure, e.g.
  ``5.1.02.01.01.0052`` Belanja Makanan dan Minuman Rapat), matched as a whole code
  or a code prefix ending at a segment boundary;
* ``commodities``: KBKI codes or e-katalog commodity names, matched exactly (case-folded);
* ``names``: regular expressions over the package name, after :func:`normalise`;
* ``unless``: regular expressions that veto a *name* match (hard negatives such as
  "pasir" in a road package);
* ``ignore``: regular expressions whose matches are blanked out of the name before this
  category's ``names`` are tried (a phrase that only looks like the category, such as the
  sub-kegiatan title "Konsumsi per Kapita" after "Belanja Makanan dan Minuman Rapat").

Entries are dated (``from``/``to``, both inclusive, like params): the entry in force on
a purchase's date applies. Evidence is tried from the strongest to the weakest: the
account code a budget booked, then the commodity, then the free-text name. Within one
kind of evidence, two categories that both match make the reading ambiguous, and an
ambiguous purchase gets no category (a value that could be read two ways is refused).

:func:`categorize` fills ``category`` only where the source gave none, and records
where the value came from in ``Purchase.provenance``:
``("category", "nama_paket: pattern <p> (categories.yaml:<line>)")``.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from . import errors
from .errors import Diagnostic, SourceLocation
from .records import Dataset, Purchase
from .source import YMap, YSeq, load_yaml

CATEGORIES_FILE = "categories.yaml"

#: ``extra`` keys read as account codes, commodities and names, in the order tried.
ACCOUNT_FIELDS = ("kode_rekening", "kode_akun", "mak", "uraian_pekerjaan")
COMMODITY_FIELDS = ("kbki", "kode_kbki", "kbki_id", "nama_komoditas", "komoditas")
NAME_FIELDS = ("nama_paket", "rup_nama_pkt", "nama_pekerjaan", "description", "title", "nama")

#: A kode rekening belanja: 5.x.xx.xx.xx.xxxx (6 segments), found anywhere in a cell (SPSE `mak` puts
#: the sub-kegiatan code before it: 1.03.06.2.01.0029.5.2.04.02.01.0008.).
_ACCOUNT = re.compile(r"(?<!\d)(5\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{4})(?!\d)")
_ACCOUNT_PREFIX = re.compile(r"^5(\.\d+){0,5}$")
_KEYS_TOP = {"categories"}
_KEYS_CATEGORY = {"title", "family", "note", "entries"}
_KEYS_ENTRY = {"from", "to", "accounts", "commodities", "names", "unless", "ignore", "reference"}


def normalise(text: str) -> str:
    """Case-folded, accents removed, every run of non-letters/digits one space.

    ``"Belanja Alat/Bahan-Kertas_dan  Cover"`` -> ``"belanja alat bahan kertas dan cover"``,
    so patterns are written over words, not punctuation.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


@dataclass(frozen=True)
class Pattern:
    """One regular expression of the map, with the line it was written on."""

    text: str
    regex: re.Pattern
    line: int


@dataclass(frozen=True)
class Entry:
    """One dated definition of a category."""

    category: str
    start: _dt.date | None
    end: _dt.date | None
    accounts: tuple[tuple[str, int], ...]
    commodities: tuple[tuple[str, int], ...]
    names: tuple[Pattern, ...]
    unless: tuple[Pattern, ...]
    line: int
    ignore: tuple[Pattern, ...] = ()

    def name_match(self, text: str) -> Pattern | None:
        """The first ``names`` pattern found in the normalised ``text`` once ``ignore`` is blanked out,
        unless an ``unless`` pattern vetoes the name."""
        if any(u.regex.search(text) for u in self.unless):
            return None
        for ig in self.ignore:
            text = ig.regex.sub(" ", text)
        return next((p for p in self.names if p.regex.search(text)), None)

    def in_force(self, day: _dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Match:
    """Why a purchase got its category: the field, what matched, and the map line."""

    category: str
    field: str
    how: str
    line: int

    def note(self, file: str = CATEGORIES_FILE) -> str:
        return f"{self.field}: {self.how} ({file}:{self.line})"


@dataclass
class CategoryMap:
    """A loaded category map: categories with their dated entries."""

    file: str
    categories: dict[str, list[Entry]] = field(default_factory=dict)
    families: dict[str, str] = field(default_factory=dict)
    titles: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return sorted(self.categories)

    def family(self, category: str | None) -> str | None:
        """The family a category belongs to (``seragam_sekolah`` -> ``seragam``); itself when none."""
        if category is None:
            return None
        return self.families.get(category, category)

    def entries_on(self, day: _dt.date | None) -> list[Entry]:
        """The entries in force on ``day``; with no date, only categories defined by a single entry."""
        out = []
        for entries in self.categories.values():
            if day is None:
                if len(entries) == 1:
                    out.append(entries[0])
            else:
                out.extend(e for e in entries if e.in_force(day))
        return out

    def classify(self, *, name: str | None = None, accounts: Iterable[tuple[str, str]] = (),
                 commodities: Iterable[tuple[str, str]] = (), day: _dt.date | None = None,
                 name_field: str = "nama_paket") -> tuple[Match | None, list[str]]:
        """The category of one purchase from its evidence, and the categories that competed.

        Returns ``(match, [])`` when one category is found, ``(None, [a, b, ...])`` when the
        strongest evidence that matched at all named several, ``(None, [])`` when nothing matched.
        """
        entries = self.entries_on(day)
        for fld, value in accounts:
            found = {}
            for code in _ACCOUNT.findall(value):
                for e in entries:
                    for acc, line in e.accounts:
                        if code == acc or code.startswith(acc + "."):
                            found.setdefault(e.category, Match(e.category, fld, f"account {code}", line))
            decided = _one(found)
            if decided is not None:
                return decided
        for fld, value in commodities:
            key = value.strip().casefold()
            found = {}
            for e in entries:
                for com, line in e.commodities:
                    if key == com.casefold():
                        found.setdefault(e.category, Match(e.category, fld, f"commodity {value.strip()}", line))
            decided = _one(found)
            if decided is not None:
                return decided
        if name:
            text = normalise(name)
            found = {}
            for e in entries:
                hit = e.name_match(text)
                if hit is not None:
                    found.setdefault(e.category, Match(e.category, name_field, f"pattern {hit.text}", hit.line))
            decided = _one(found)
            if decided is not None:
                return decided
        return None, []

    def classify_purchase(self, p: Purchase) -> tuple[Match | None, list[str]]:
        """:meth:`classify` with the evidence a purchase's ``extra`` columns carry."""
        extra = dict(p.extra)
        name_field = next((f for f in NAME_FIELDS if extra.get(f)), None)
        return self.classify(
            name=extra.get(name_field) if name_field else None,
            name_field=name_field or "nama_paket",
            accounts=[(f, extra[f]) for f in ACCOUNT_FIELDS if extra.get(f)],
            commodities=[(f, extra[f]) for f in COMMODITY_FIELDS if extra.get(f)],
            day=p.date,
        )


def _one(found: dict[str, Match]) -> tuple[Match | None, list[str]] | None:
    if len(found) == 1:
        return next(iter(found.values())), []
    if len(found) > 1:
        return None, sorted(found)
    return None


@dataclass
class Categorized:
    """What :func:`categorize` did: purchases given a category, left ambiguous, or not matched."""

    dataset: Dataset
    found: Counter = field(default_factory=Counter)
    ambiguous: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    unmatched: int = 0
    kept: int = 0

    def to_dict(self) -> dict:
        return {"found": dict(sorted(self.found.items())), "ambiguous": len(self.ambiguous),
                "unmatched": self.unmatched, "kept_from_source": self.kept}

    def tally(self, cmap: "CategoryMap", p: Any):
        """Classify a purchase the source left without a category and count the outcome (found,
        ambiguous with its rivals, or unmatched); the match, or None. Both the per-record and the
        DuckDB categorisation count through here."""
        match, rivals = cmap.classify_purchase(p)
        if match is None:
            if rivals:
                self.ambiguous.append((p.id, tuple(rivals)))
            else:
                self.unmatched += 1
            return None
        self.found[match.category] += 1
        return match


def categorize(dataset: Dataset, cmap: "CategoryMap | None") -> Categorized:
    """Set ``category`` on every purchase the source left without one, from the map.

    A category the source gave is kept as it is. The dataset is changed in place (its
    purchases list is replaced by new records) and returned inside the result.
    """
    result = Categorized(dataset)
    if cmap is None:
        return result
    out = []
    for p in dataset.purchases:
        if p.category is not None:
            result.kept += 1
            out.append(p)
            continue
        match = result.tally(cmap, p)
        if match is None:
            out.append(p)
            continue
        out.append(replace(p, category=match.category,
                           provenance=p.provenance + (("category", match.note(Path(cmap.file).name)),)))
    dataset.purchases = out
    return result


def map_path(rules: str | Path | Any) -> Path | None:
    """The categories.yaml of a regulation folder or of a Ruleset compiled from one (None if absent)."""
    root = rules.data.get("source_root") if hasattr(rules, "data") else rules
    if root is None:
        return None
    path = Path(root) / CATEGORIES_FILE
    return path if path.is_file() else None


def load_for(rules: str | Path | Any) -> CategoryMap | None:
    """The category map beside the rules, or None when the folder has none.

    Raises:
        InvalidRulesError: the map has errors (run ``perbup check`` to list them).
    """
    path = map_path(rules)
    if path is None:
        return None
    cmap, diags = load_category_map(path)
    if any(d.severity == "error" for d in diags):
        raise errors.InvalidRulesError(diags)
    return cmap


def categorize_for(dataset: Dataset, rules: str | Path | Any) -> Categorized:
    """:func:`categorize` with the map of a regulation folder or Ruleset (nothing when it has none)."""
    return categorize(dataset, load_for(rules))


# --- loading and checking ------------------------------------------------------------------------

def load_category_map(path: str | Path, known: Iterable[str] = ()) -> tuple[CategoryMap, list[Diagnostic]]:
    """Read and check a category map; every problem is a located diagnostic, nothing raises.

    ``known`` are category names the rules use: one the map does not define is reported
    (``unknown_category``, a warning: such a clause can still be fed categories by the source).
    """
    path = Path(path)
    file = str(path)
    cmap = CategoryMap(file)
    diags: list[Diagnostic] = []
    try:
        raw = path.read_bytes()
    except OSError as err:
        return cmap, [Diagnostic(errors.FILE_NOT_FOUND, f"cannot read the category map: {err.strerror}", SourceLocation(file))]
    data, ydiags = load_yaml(raw, file)
    diags.extend(ydiags)
    if data is None:
        if not ydiags:
            diags.append(Diagnostic(errors.MISSING_FIELD, "the category map is empty (expected `categories:`)", SourceLocation(file, 1, 1)))
        return cmap, diags
    if not isinstance(data, YMap) or not isinstance(data.get("categories"), YMap):
        loc = data.loc if isinstance(data, (YMap, YSeq)) else SourceLocation(file, 1, 1)
        diags.append(Diagnostic(errors.WRONG_TYPE, "the category map must have `categories:` mapping names to definitions", loc))
        return cmap, diags
    _unknown_keys(data, _KEYS_TOP, "the category map", diags)
    cats: YMap = data["categories"]
    for name, node in cats.items():
        loc = cats.key_loc(name)
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            diags.append(Diagnostic(errors.WRONG_TYPE, f"category name {name!r} must be lower-case letters, digits and _", loc))
            continue
        if not isinstance(node, YMap):
            diags.append(Diagnostic(errors.WRONG_TYPE, f"category {name} must be a mapping with `entries:`", loc))
            continue
        _unknown_keys(node, _KEYS_CATEGORY, f"category {name}", diags)
        cmap.lines[name] = loc.line
        cmap.titles[name] = node.get("title")
        if node.get("family") is not None:
            cmap.families[name] = str(node["family"])
        entries = node.get("entries")
        if not isinstance(entries, YSeq) or not entries:
            diags.append(Diagnostic(errors.MISSING_FIELD, f"category {name} has no `entries:` list", node.key_loc("entries") if "entries" in node else loc))
            cmap.categories[name] = []
            continue
        cmap.categories[name] = [e for i, item in enumerate(entries)
                                 if (e := _entry(name, item, entries.item_loc(i), file, diags)) is not None]
        _overlaps(name, cmap.categories[name], file, diags)
    for fam_of, fam in cmap.families.items():
        if fam in cmap.categories and cmap.families.get(fam, fam) != fam:
            diags.append(Diagnostic(errors.WRONG_TYPE, f"family {fam!r} of {fam_of} is itself in another family", SourceLocation(file, cmap.lines[fam_of])))
    names = set(cmap.categories) | set(cmap.families.values())
    for k in sorted(set(known) - names):
        diags.append(Diagnostic(errors.UNKNOWN_CATEGORY, f"the rules use category {k!r}, which the map does not define",
                                SourceLocation(file, 1, 1), severity="warning",
                                hint="add it to categories.yaml, or check the spelling in the clause"))
    return cmap, errors.sort_diagnostics(diags)


def _unknown_keys(node: YMap, allowed: set[str], what: str, diags: list[Diagnostic]) -> None:
    for k in node:
        if k not in allowed:
            diags.append(Diagnostic(errors.UNKNOWN_FIELD, f"{what}: unknown key {k!r} (allowed: {', '.join(sorted(allowed))})", node.key_loc(k)))


def _date(node: YMap, key: str, diags: list[Diagnostic]) -> _dt.date | None:
    v = node.get(key)
    if v is None or (isinstance(v, _dt.date) and not isinstance(v, _dt.datetime)):
        return v
    diags.append(Diagnostic(errors.BAD_DATE, f"`{key}` must be a date (YYYY-MM-DD), not {v!r}", node.value_loc(key)))
    return None


def _strings(node: YMap, key: str, what: str, diags: list[Diagnostic]) -> list[tuple[str, int, SourceLocation]]:
    seq = node.get(key)
    if seq is None:
        return []
    if not isinstance(seq, YSeq):
        diags.append(Diagnostic(errors.WRONG_TYPE, f"`{key}` of {what} must be a list", node.value_loc(key)))
        return []
    out = []
    for i, v in enumerate(seq):
        loc = seq.item_loc(i)
        if not isinstance(v, str) or not v.strip():
            diags.append(Diagnostic(errors.WRONG_TYPE, f"`{key}` of {what}: item {i + 1} must be non-empty text", loc))
            continue
        out.append((v, loc.line, loc))
    return out


def _entry(name: str, item: Any, loc: SourceLocation, file: str, diags: list[Diagnostic]) -> Entry | None:
    if not isinstance(item, YMap):
        diags.append(Diagnostic(errors.WRONG_TYPE, f"an entry of {name} must be a mapping (from, names, accounts...)", loc))
        return None
    _unknown_keys(item, _KEYS_ENTRY, f"an entry of {name}", diags)
    start, end = _date(item, "from", diags), _date(item, "to", diags)
    if start is not None and end is not None and end < start:
        diags.append(Diagnostic(errors.BAD_DATE, f"entry of {name} ends ({end}) before it starts ({start})", item.value_loc("to")))
    what = f"category {name}"
    accounts = []
    for v, line, vloc in _strings(item, "accounts", what, diags):
        code = v.strip()
        if not _ACCOUNT_PREFIX.match(code):
            diags.append(Diagnostic(errors.WRONG_TYPE, f"{code!r} is not a kode rekening belanja (5.x.xx.xx.xx.xxxx or a prefix of it)", vloc))
        else:
            accounts.append((code, line))
    commodities = [(v.strip(), line) for v, line, _ in _strings(item, "commodities", what, diags)]
    names = _patterns(item, "names", what, diags)
    unless = _patterns(item, "unless", what, diags)
    ignore = _patterns(item, "ignore", what, diags)
    if not (accounts or commodities or names):
        diags.append(Diagnostic(errors.MISSING_FIELD, f"entry of {name} has no accounts, commodities or names: it can match nothing", loc))
    return Entry(name, start, end, tuple(accounts), tuple(commodities), tuple(names), tuple(unless), loc.line, tuple(ignore))


def _patterns(item: YMap, key: str, what: str, diags: list[Diagnostic]) -> list[Pattern]:
    out = []
    for v, line, vloc in _strings(item, key, what, diags):
        try:
            rx = re.compile(v)
        except re.error as err:
            diags.append(Diagnostic(errors.BAD_PATTERN, f"`{key}` of {what}: {v!r} is not a regular expression: {err.msg}", vloc,
                                    hint="patterns are Python regular expressions over the normalised name (lower case, words split by single spaces)"))
            continue
        if rx.search(""):
            diags.append(Diagnostic(errors.BAD_PATTERN, f"`{key}` of {what}: {v!r} matches the empty text, so it matches every name", vloc))
            continue
        out.append(Pattern(v, rx, line))
    return out


def _overlaps(name: str, entries: list[Entry], file: str, diags: list[Diagnostic]) -> None:
    lo = _dt.date.min
    hi = _dt.date.max
    spans = sorted(((e.start or lo, e.end or hi, e) for e in entries), key=lambda t: (t[0], t[1]))
    for (s1, e1, a), (s2, e2, b) in zip(spans, spans[1:]):
        if s2 <= e1:
            diags.append(Diagnostic(errors.OVERLAPPING_DATES,
                                    f"two entries of {name} are both in force from {s2} (lines {a.line} and {b.line}); "
                                    "give the earlier one a `to:` before the later one's `from:`",
                                    SourceLocation(file, b.line)))


def rule_categories(ruleset: Any) -> set[str]:
    """Category names the clauses of a compiled Ruleset compare ``category`` with, or list in ``categories``."""
    out: set[str] = set()

    def is_category(node: Any) -> bool:
        return isinstance(node, dict) and node.get("op") == "path" and node.get("path") == ["category"]

    def consts(node: Any) -> list[str]:
        if isinstance(node, dict) and node.get("op") == "const" and isinstance(node.get("value"), str):
            return [node["value"]]
        if isinstance(node, dict) and node.get("op") == "list":
            return [v for item in node.get("items", ()) for v in consts(item)]
        return []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("op") in ("cmp", "in"):
                left, right = node.get("left"), node.get("right")
                if is_category(left):
                    out.update(consts(right))
                elif is_category(right):
                    out.update(consts(left))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for c in ruleset.clauses:
        out.update(c.get("categories") or ())
        walk(c)
    return out
