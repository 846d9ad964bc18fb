"""Compare two drafts: what changed in the rules, and which verdicts change over the same records.

The rule changes are what a drafting meeting reads: per ayat the old and the new wording
with the words deleted and inserted (:func:`word_diff`), the parameter changes with their
dates and sources, and the clauses added, removed or changed in their machine rule.

Also the what-if of one parameter (``--set params.NAME=VALUE[@DATE]``) against one draft,
without copying files: :func:`with_params` returns a new Ruleset with the parameter changed.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from .compiler.ruleset import Ruleset
from .errors import UsageError
from .evaluate import evaluate
from .findings import Finding, Report
from .params import encode_value
from .records import Dataset

_IGNORED = {"location"}


def _meaning(clause: dict) -> dict:
    from .expr import strip_cols

    return strip_cols({k: v for k, v in clause.items() if k not in _IGNORED})


def word_diff(old: str | None, new: str | None) -> list[tuple[str, str]]:
    """The change from ``old`` to ``new`` word by word: ``[("eq"|"del"|"ins", words), ...]``."""
    import difflib

    a, b = (old or "").split(), (new or "").split()
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("eq", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("ins", " ".join(b[j1:j2])))
    return out


@dataclass
class AyatChange:
    """One ayat whose wording differs (``old`` None: added; ``new`` None: removed)."""

    pasal: int
    ayat: int
    old: str | None
    new: str | None
    clauses: list[str] = field(default_factory=list)

    @property
    def citation(self) -> str:
        return f"Pasal {self.pasal} ayat ({self.ayat})"

    def diff(self) -> list[tuple[str, str]]:
        return word_diff(self.old, self.new)

    def to_dict(self) -> dict:
        return {"pasal": self.pasal, "ayat": self.ayat, "old": self.old, "new": self.new, "clauses": self.clauses,
                "diff": [list(x) for x in self.diff()]}


@dataclass
class RuleChanges:
    """Clauses added, removed or changed (with the keys that changed), parameter and wording changes."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    params: list[dict] = field(default_factory=list)
    texts: list[AyatChange] = field(default_factory=list)
    #: clause id -> (citation, Indonesian title), for both drafts (B wins)
    clause_info: dict[str, tuple[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"clauses_added": self.added, "clauses_removed": self.removed,
                "clauses_changed": [{"clause": c, "keys": k} for c, k in sorted(self.changed.items())],
                "params": self.params, "texts": [t.to_dict() for t in self.texts]}

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.params or self.texts)


def ayat_texts(rs: Ruleset) -> dict[tuple[int, int], tuple[str, list[str]]]:
    """(pasal, ayat) -> (the wording with parameters written in, the clauses citing it), from the
    draft's folder with the Ruleset's own parameters (so a ``--set`` what-if changes the text too).
    Empty when the folder is no longer readable."""
    from .loader import load_files
    from .naskah.numbers import ayat_plain, fill

    root = rs.data.get("source_root")
    if not root:
        return {}
    try:
        reg = load_files(root)
    except Exception:  # noqa: BLE001 - the folder moved or broke since compiling: compare without wording
        return {}
    from .naskah.numbers import reference_day

    day = reference_day(reg.meta)
    cited: dict[tuple[int, int], list[str]] = {}
    for c in rs.clauses:
        ayat = c.get("ayat")
        for n in ([] if ayat is None else [ayat] if isinstance(ayat, int) else ayat):
            cited.setdefault((c["pasal"], n), []).append(c["id"])
    out = {}
    for _f, pf, _n in reg.pasal_files:
        for a in pf.ayat:
            text = " ".join(fill(ayat_plain(a), rs.params, day).split())
            out[(pf.pasal, a.ayat)] = (text, sorted(cited.get((pf.pasal, a.ayat), [])))
    return out


def compare_rules(a: Ruleset, b: Ruleset) -> RuleChanges:
    """The differences between two compiled drafts."""
    out = RuleChanges()
    ca = {c["id"]: c for c in a.clauses}
    cb = {c["id"]: c for c in b.clauses}
    out.added = sorted(set(cb) - set(ca))
    out.removed = sorted(set(ca) - set(cb))
    ta, tb = ayat_texts(a), ayat_texts(b)
    # with both drafts' wording at hand, a change of wording is reported per ayat (texts), not as a clause key
    ignore = {"text"} if ta and tb else set()
    for cid in sorted(set(ca) & set(cb)):
        ma = {k: v for k, v in _meaning(ca[cid]).items() if k not in ignore}
        mb = {k: v for k, v in _meaning(cb[cid]).items() if k not in ignore}
        if ma != mb:
            out.changed[cid] = sorted(k for k in set(ma) | set(mb) if ma.get(k) != mb.get(k))
    pa, pb = a.params, b.params
    for name in sorted(set(pa) | set(pb)):
        va = {v["from"]: v["value"] for v in pa.get(name, {}).get("values", [])}
        vb = {v["from"]: v["value"] for v in pb.get(name, {}).get("values", [])}
        if va == vb:
            continue
        ra = {v["from"]: v["reference"] for v in pa.get(name, {}).get("values", [])}
        rb = {v["from"]: v["reference"] for v in pb.get(name, {}).get("values", [])}
        unit = (pb.get(name) or pa.get(name))["unit"]
        for day in sorted(set(va) | set(vb)):
            if va.get(day) != vb.get(day):
                out.params.append({"param": name, "from": day, "old": va.get(day), "new": vb.get(day), "unit": unit,
                                   "reference_old": ra.get(day), "reference_new": rb.get(day)})
    for rs in (a, b):
        for c in rs.clauses:
            out.clause_info[c["id"]] = (c["citation"], c["title"]["id"])
    for key in sorted(set(ta) | set(tb)):
        old, new = ta.get(key), tb.get(key)
        if (old and old[0]) != (new and new[0]):
            out.texts.append(AyatChange(key[0], key[1], old[0] if old else None, new[0] if new else None,
                                        sorted(set((old[1] if old else []) + (new[1] if new else [])))))
    return out


def _key(f: Finding) -> tuple:
    return (f.clause, f.subject, f.period, f.stage, f.category)


@dataclass
class StatusChange:
    """One subject and period whose status differs between the drafts."""

    clause: str
    subject: str | None
    period: int | None
    stage: str | None
    category: str | None
    old: str | None
    new: str | None
    old_measured: str | None = None
    new_measured: str | None = None
    threshold_old: str | None = None
    threshold_new: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Comparison:
    """The result of comparing two drafts, on the rules and (when given) over data."""

    a: dict
    b: dict
    rules: RuleChanges
    changes: list[StatusChange] = field(default_factory=list)
    unchanged: int = 0
    names: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        """Per clause, how many subjects moved from one status to another ('violation -> compliant')."""
        per: dict[str, Counter] = defaultdict(Counter)
        for c in self.changes:
            per[c.clause][f"{c.old or 'absent'} -> {c.new or 'absent'}"] += 1
        return {k: dict(sorted(v.items())) for k, v in sorted(per.items())}

    def to_dict(self) -> dict:
        ids = {c.subject for c in self.changes if c.subject}
        return {"a": self.a, "b": self.b, "rules": self.rules.to_dict(), "counts": self.counts(),
                "changes": [c.to_dict() for c in self.changes], "unchanged": self.unchanged,
                "names": {k: self.names[k] for k in sorted(ids) if k in self.names}}


def compare_reports(ra: Report, rb: Report) -> tuple[list[StatusChange], int]:
    """Every (clause, subject, period, stage, category) whose status differs; and how many did not."""
    fa = {_key(f): f for f in ra.findings}
    fb = {_key(f): f for f in rb.findings}
    changes, same = [], 0
    for k in sorted(set(fa) | set(fb), key=lambda k: tuple("" if x is None else str(x) for x in k)):
        x, y = fa.get(k), fb.get(k)
        if x is not None and y is not None and x.status is y.status:
            same += 1
            continue
        changes.append(StatusChange(*k, old=x.status.value if x else None, new=y.status.value if y else None,
                                    old_measured=x.measured if x else None, new_measured=y.measured if y else None,
                                    threshold_old=x.threshold if x else None, threshold_new=y.threshold if y else None))
    return changes, same


def compare(a: Ruleset, b: Ruleset, dataset: Dataset | None = None, engine: str = "reference",
            periods: Iterable[int] | None = None) -> Comparison:
    """Compare two drafts; with a dataset, also every verdict that changes."""
    def info(rs: Ruleset) -> dict:
        return {**rs.data["regulation"], "fingerprint": rs.fingerprint}

    cmp = Comparison(info(a), info(b), compare_rules(a, b))
    if dataset is not None:
        ra = evaluate(a, dataset, engine, periods=periods)
        rb = evaluate(b, dataset, engine, periods=periods)
        cmp.changes, cmp.unchanged = compare_reports(ra, rb)
        cmp.names = {pid: p.name for pid, p in dataset.parties.items() if p.name}
    return cmp


def parse_setting(text: str) -> tuple[str, str, _dt.date | None]:
    """``params.NAME=VALUE[@DATE]`` -> (name, value text, date or None)."""
    if "=" not in text:
        raise UsageError(f"--set {text!r}: write params.NAME=VALUE or params.NAME=VALUE@YYYY-MM-DD")
    lhs, rhs = text.split("=", 1)
    name = lhs.strip()
    if name.startswith("params."):
        name = name[len("params."):]
    day = None
    if "@" in rhs:
        rhs, d = rhs.rsplit("@", 1)
        try:
            day = _dt.date.fromisoformat(d.strip())
        except ValueError:
            raise UsageError(f"--set {text!r}: {d!r} is not a date YYYY-MM-DD") from None
    return name, rhs.strip(), day


def _value(unit: str, text: str, name: str) -> Any:
    from .param_values import ValueSyntaxError, parse_value

    clean = text.replace("_", "")
    try:
        natural = parse_value(unit, clean)  # 45%, 0,45, Rp15.000.000.000, 15 miliar, 2027-01-01
    except ValueSyntaxError as err:
        try:
            natural = Decimal(clean) if unit != "date" else None
        except InvalidOperation:
            natural = None
        if natural is None:
            raise UsageError(f"params.{name}: {err}") from None
    if unit == "date":
        return natural
    try:
        d = Decimal(natural)
    except (InvalidOperation, ValueError):
        raise UsageError(f"params.{name}: {text!r} is not a valid {unit} value") from None
    # NaN/Infinity cannot be compared or made int; 1e999999999 (int) and 1e-999999999 (Fraction) would never finish
    if not d.is_finite() or d.adjusted() > 30 or d.as_tuple().exponent < -28:
        raise UsageError(f"params.{name}: {text!r} is not a valid {unit} value (a finite number below 10^31, at most 28 decimal places)")
    if unit in ("idr", "count"):
        if d != d.to_integral_value() or d < 0:
            raise UsageError(f"params.{name}: {text!r} must be a whole, non-negative number")
        return int(d)
    if not (0 <= d <= 1):
        raise UsageError(f"params.{name}: a ratio is between 0 and 1, not {text}")
    return d


def with_params(ruleset: Ruleset, settings: Iterable[str]) -> tuple[Ruleset, list[str]]:
    """A copy of ``ruleset`` with parameters changed; returns it and warnings (higher-law bounds).

    Without a date, every dated value of the parameter is replaced; with ``@DATE`` a value
    from that date is added (or replaces the one from that same date).
    """
    data = copy.deepcopy(ruleset.data)
    warnings = []
    for s in settings:
        name, text, day = parse_setting(s)
        p = data["params"].get(name)
        if p is None:
            import difflib
            close = difflib.get_close_matches(name, list(data["params"]), n=2)
            raise UsageError(f"no parameter {name!r}" + (f"; did you mean {' or '.join(close)}?" if close else ""))
        value = _value(p["unit"], text, name)
        enc = encode_value(p["unit"], value)
        ref = f"what-if: --set {s}"
        if day is None:
            for v in p["values"]:
                v["value"], v["reference"] = enc, ref
        else:
            p["values"] = [v for v in p["values"] if v["from"] != day.isoformat()] + [
                {"from": day.isoformat(), "value": enc, "reference": ref}]
            p["values"].sort(key=lambda v: v["from"])
        bound = p.get("higher_rule")
        if bound and p["unit"] != "date":
            lo = Decimal(bound["min"]) if bound.get("min") is not None else None
            hi = Decimal(bound["max"]) if bound.get("max") is not None else None
            if (lo is not None and Decimal(value) < lo) or (hi is not None and Decimal(value) > hi):
                warnings.append(f"params.{name} = {text} would weaken the higher rule ({bound['citation']})")
    _rewrite_clause_texts(data)
    return Ruleset.from_data(data), warnings


def _rewrite_clause_texts(data: dict) -> None:
    """Write the clauses' ayat text again from the changed parameters (``{{name}}`` placeholders),
    as loading the folder with those values would; unchanged when the folder is not readable."""
    from .loader import load_files
    from .naskah.numbers import ayat_plain, fill, reference_day

    root = data.get("source_root")
    if not root:
        return
    try:
        reg = load_files(root)
    except Exception:  # noqa: BLE001 - the folder moved or broke since compiling: keep the compiled text
        return
    day = reference_day(reg.meta)
    texts: dict[str, str] = {}
    for c in reg.clauses:
        pf = c.pasal
        ayat_text = {a.ayat: fill(ayat_plain(a), data["params"], day) for a in pf.ayat}
        nums = [] if c.model.ayat is None else ([c.model.ayat] if isinstance(c.model.ayat, int) else list(c.model.ayat))
        texts[c.model.id] = c.model.text if c.model.text is not None else "\n".join(ayat_text.get(n, "") for n in nums).strip()
    for clause in data["clauses"]:
        if clause["id"] in texts:
            clause["text"] = texts[clause["id"]]
