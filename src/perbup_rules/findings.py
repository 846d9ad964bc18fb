"""Results as data: Finding, RequiredPartnership and Report.

Nothing here renders; ``perbup_rules.report`` turns a :class:`Report` into
JSON, CSV, Markdown, HTML or terminal text. ``Report.to_dict()`` is the
versioned JSON contract (docs/report-format.md): deterministic, with decimal
figures as strings so no reader loses precision.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Any, Iterable, Iterator

SCHEMA_VERSION = "1.4"


class Status(str, enum.Enum):
    """The verdict of one clause on one subject and period."""

    COMPLIANT = "compliant"
    VIOLATION = "violation"
    NOT_APPLICABLE = "not_applicable"
    CANNOT_DETERMINE = "cannot_determine"

    def __str__(self) -> str:  # so f-strings print the code, not Status.X
        return self.value


STATUS_ORDER = (Status.VIOLATION, Status.CANNOT_DETERMINE, Status.COMPLIANT, Status.NOT_APPLICABLE)

#: stages in procurement order (others after, alphabetically)
STAGE_ORDER = ("plan", "award", "contract")


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str

    def to_dict(self) -> dict:
        return {"id": self.id, "en": self.en}

    def texts(self) -> tuple[str, str]:
        """``(id, en)``; a text made when read (:class:`LazyText`) is made for this read and not
        kept, so writing a million findings once does not keep a million texts."""
        return self.id, self.en


class LazyText(Text):
    """A :class:`Text` built on first read: explanations of a million verdicts cost only when shown.

    ``make`` returns ``(id, en)``; it must be a pure function of what it captured.
    """

    __slots__ = ("_make",)

    def __init__(self, make):  # noqa: D107
        object.__setattr__(self, "_make", make)

    def _text(self, which: int) -> str:
        make = object.__getattribute__(self, "_make")
        if make is not None:
            id_, en = make()
            _ID.__set__(self, id_)
            _EN.__set__(self, en)
            object.__setattr__(self, "_make", None)
        return (_ID if which == 0 else _EN).__get__(self, Text)

    def texts(self) -> tuple[str, str]:
        make = object.__getattribute__(self, "_make")
        if make is None:
            return _ID.__get__(self, Text), _EN.__get__(self, Text)
        return make()

    id = property(lambda self: self._text(0))  # type: ignore[assignment]
    en = property(lambda self: self._text(1))  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return (self.id, self.en) == (other.id, other.en)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.id, self.en))

    def __repr__(self) -> str:
        return f"Text(id={self.id!r}, en={self.en!r})"

    def __reduce__(self):
        return (Text, (self.id, self.en))


class HeldText(LazyText):
    """A :class:`LazyText` built as ``maker.text(a, b)``: a maker shared by many findings and two
    values of this one, in slots. A closure over a record's context kept the whole record (and its
    cells) alive until the report was written, about a kilobyte per listed finding.

    ``maker.text(a, b)`` returns ``(id, en)``; it must be a pure function of ``a`` and ``b``.
    """

    __slots__ = ("_a", "_b")

    def __init__(self, maker, a, b):
        object.__setattr__(self, "_make", maker)
        object.__setattr__(self, "_a", a)
        object.__setattr__(self, "_b", b)

    def _text(self, which: int) -> str:
        get = object.__getattribute__
        maker = get(self, "_make")
        if maker is not None:
            id_, en = maker.text(get(self, "_a"), get(self, "_b"))
            _ID.__set__(self, id_)
            _EN.__set__(self, en)
            for name in ("_make", "_a", "_b"):
                object.__setattr__(self, name, None)
        return (_ID if which == 0 else _EN).__get__(self, Text)

    def texts(self) -> tuple[str, str]:
        get = object.__getattribute__
        maker = get(self, "_make")
        if maker is None:
            return _ID.__get__(self, Text), _EN.__get__(self, Text)
        return maker.text(get(self, "_a"), get(self, "_b"))


_ID, _EN = Text.__dict__["id"], Text.__dict__["en"]


@dataclass(frozen=True, slots=True)
class Finding:
    """What one clause says about one subject in one period.

    ``subject`` is the id of what was judged: a purchase, party or partnership
    for clauses over records, or the grouping key (a party id, a ``ppk_id``)
    for share and exists clauses. ``measured`` and ``threshold`` are decimal
    strings. ``missing`` names the fields whose absence made the verdict
    ``cannot_determine``; ``exception`` the ``unless`` that made it compliant.
    """

    clause: str
    citation: str
    subject: str | None
    period: int | None
    status: Status
    explanation: Text
    subject_kind: str = "purchase"
    stage: str | None = None
    category: str | None = None
    measured: str | None = None
    threshold: str | None = None
    evidence: tuple[str, ...] = ()
    #: how many evidence records in all, when ``evidence`` lists only the first ones
    evidence_count: int | None = None
    exception: str | None = None
    missing: tuple[str, ...] = ()
    severity: str = "error"
    rule_location: str | None = None
    #: share findings: the channels (records.CHANNELS, or "unknown") its subject's records came
    #: from, in report order; None for other kinds
    channels: tuple[str, ...] | None = None
    #: judged under ``--as-if-in-force`` by a clause not yet in force (the draft's own obligation)
    as_if_in_force: bool = False
    #: the named assumptions (perbup_rules.assumptions) this verdict rests on, sorted
    assumptions: tuple[str, ...] = ()

    def sort_key(self) -> tuple:
        return (
            self.clause,
            self.period if self.period is not None else -1,
            self.stage or "",
            self.category or "",
            self.subject or "",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "citation": self.citation,
            "subject": self.subject,
            "subject_kind": self.subject_kind,
            "period": self.period,
            "stage": self.stage,
            "category": self.category,
            "status": self.status.value,
            "measured": self.measured,
            "threshold": self.threshold,
            "evidence": list(self.evidence),
            "evidence_count": len(self.evidence) if self.evidence_count is None else self.evidence_count,
            "exception": self.exception,
            "missing": list(self.missing),
            "severity": self.severity,
            "explanation": self.explanation.to_dict(),
            "rule_location": self.rule_location,
            "channels": None if self.channels is None else list(self.channels),
            **({"as_if_in_force": True} if self.as_if_in_force else {}),
            **({"assumptions": list(self.assumptions)} if self.assumptions else {}),
        }


def _quick_init(cls: type) -> None:
    """Give a frozen slotted dataclass an ``__init__`` that sets each slot through its descriptor.

    A frozen dataclass's own ``__init__`` sets each field through ``object.__setattr__`` (2.5 us
    for a Finding's 20 fields; a million-purchase audit makes some 400,000 findings); this one
    has the same signature, defaults and result, in 1.5 us. Written from ``dataclasses.fields``,
    so a field added to the class is set too (tests/test_findings_init.py compares both). A
    class with ``__post_init__``, a default factory or a field left out of ``__init__`` keeps its own."""
    import dataclasses

    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or any(f.default_factory is not dataclasses.MISSING or not f.init
                                            for f in fields):
        return
    env: dict[str, Any] = {}
    params, body = [], []
    for n, f in enumerate(fields):
        env[f"_set{n}"] = cls.__dict__[f.name].__set__
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            env[f"_d{n}"] = f.default
            params.append(f"{f.name}=_d{n}")
        body.append(f"    _set{n}(self, {f.name})")
    src = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(src, env)  # noqa: S102 - code made from the class's own field names, as dataclasses does
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    cls._dataclass_init = cls.__init__  # the generated one, kept for the comparison in tests
    cls.__init__ = init


_quick_init(Finding)


@dataclass(frozen=True, slots=True)
class RequiredPartnership:
    """A partnership a clause requires and the data does not show, with ranked candidates."""

    party: str
    clause: str
    period: int | None
    category: str | None
    candidates: tuple[str, ...] = ()
    purchase: str | None = None
    #: the candidates (listed last in ``candidates``) whose eligibility is unknown: registry
    #: businesses whose UMKK status, for example, the register does not give
    unverified: tuple[str, ...] = ()
    #: the subjects (purchases) that need this partnership, when a clause asks for one per
    #: party, category and period (``remedy.grouped``) rather than one per purchase
    evidence: tuple[str, ...] = ()
    #: how many candidates there are in all, when ``candidates`` lists only the first ones
    #: (``--max-candidates``); None: ``candidates`` lists them all
    candidate_count: int | None = None

    @property
    def count(self) -> int:
        """How many candidates there are, listed or not."""
        return len(self.candidates) if self.candidate_count is None else self.candidate_count

    def to_dict(self) -> dict[str, Any]:
        d = {
            "party": self.party,
            "clause": self.clause,
            "period": self.period,
            "category": self.category,
            "purchase": self.purchase,
            "candidate_count": self.count,
            "candidates": list(self.candidates),
        }
        if self.unverified:
            d["unverified_candidates"] = list(self.unverified)
        if self.evidence:
            d["evidence"] = list(self.evidence)
        return d


def display_key(f: Finding) -> tuple:
    """Order for people (the human reports list findings in it): period, stage in procurement
    order, category, subject."""
    stage = f.stage or ""
    rank = STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER)
    return (f.period if f.period is not None else -1, rank, stage, f.category or "", f.subject or "")


_CLAUSE_STATUS = attrgetter("clause", "status")


@dataclass
class Report:
    """Everything an evaluation produced, JSON-ready through :meth:`to_dict`."""

    regulation: dict[str, Any]
    findings: list[Finding]
    required_partnerships: list[RequiredPartnership]
    input: dict[str, dict[str, int]] = field(default_factory=dict)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    engine: str = "reference"
    clauses: list[dict[str, Any]] = field(default_factory=list)
    #: party id -> display name; to_dict() keeps only the ids it lists
    names: dict[str, str] = field(default_factory=dict)
    #: verdicts counted but not listed (the bulk path): dicts with clause, period, stage,
    #: category, status and count; summary() includes them
    counted: list[dict[str, Any]] = field(default_factory=list)
    #: count and value of the accepted purchases by channel (perbup_rules.channel_coverage.Coverage)
    coverage: Any = None
    #: measured links between sources (dicts: source, target, key, linked, total, unlinked)
    link_rates: list[dict[str, Any]] = field(default_factory=list)
    #: registries applied (perbup_rules.registries): one summary dict each; with any, the JSON
    #: report carries "registries" and "provenance"
    registries: list[dict[str, Any]] = field(default_factory=list)
    #: party id -> field -> where its value came from (file:row, registry row, region table)
    provenance: dict[str, dict[str, str]] = field(default_factory=dict)
    #: clauses no input record lets apply: dicts with clause, fields and reason
    #: ("no record has category"), sorted by clause (perbup_rules.not_evaluated)
    not_evaluated: list[dict[str, Any]] = field(default_factory=list)
    #: records judged only as possible members (no date, or no subject such as a PPK): each once,
    #: as {"table", "id", "missing": [fields]}
    data_quality: list[dict[str, Any]] = field(default_factory=list)
    #: the draft's own obligations were judged as if in force in every period (``--as-if-in-force``)
    as_if_in_force: bool = False
    #: the named assumptions (perbup_rules.assumptions.section): id, on, text, clauses, records
    assumptions: list[dict[str, Any]] = field(default_factory=list)
    #: the date the audit is made as of (ISO; ``--as-of``, default the latest date in the input):
    #: yearly reports due after it are not yet due (perbup_rules.duties)
    as_of: str | None = None

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts per clause and status (every status key present, in a fixed order)."""
        counts: dict[str, Counter] = {}
        for c in self.clauses:
            counts.setdefault(c["id"], Counter())
        # counted per (clause, status) first: a million findings, one tuple each, no enum property read
        for (clause, status), n in Counter(map(_CLAUSE_STATUS, self.findings)).items():
            counts.setdefault(clause, Counter())[status.value] += n
        for c in self.counted:
            counts.setdefault(c["clause"], Counter())[c["status"]] += c["count"]
        return {
            clause: {s.value: c.get(s.value, 0) for s in STATUS_ORDER}
            for clause, c in sorted(counts.items())
        }

    def totals(self) -> dict[str, int]:
        """Verdicts per status over all clauses, listed and counted (every status key, fixed order)."""
        out = {s.value: 0 for s in STATUS_ORDER}
        for per_status in self.summary().values():
            for status, n in per_status.items():
                out[status] += n
        return out

    def by_status(self, status: Status | str) -> list[Finding]:
        s = Status(status)
        return [f for f in self.findings if f.status is s]

    def to_dict(self, include: Iterable[Status] | None = None) -> dict[str, Any]:
        """The JSON contract; ``include`` limits the listed findings (the summary counts all)."""
        keep = None if include is None else {Status(s) for s in include}
        listed = [f for f in self.findings if keep is None or f.status in keep]
        return {
            "schema_version": SCHEMA_VERSION,
            "regulation": self.regulation,
            "engine": self.engine,
            "as_if_in_force": self.as_if_in_force,
            "as_of": self.as_of,
            "input": self.input,
            "sources": self.sources,
            "link_rates": self.link_rates,
            "rejected": self.rejected,
            "coverage": None if self.coverage is None else self.coverage.to_dict(),
            "data_quality": self.data_quality,
            "assumptions": self.assumptions,
            "clauses": self.clauses,
            "findings": [f.to_dict() for f in listed],
            "counted": self.counted,
            "required_partnerships": [r.to_dict() for r in self.required_partnerships],
            "summary": self.summary(),
            "not_evaluated": self.not_evaluated,
            "names": self._listed_names(listed),
            **self._registry_keys(),
        }

    def _registry_keys(self) -> dict[str, Any]:
        """The registry summary and the provenance of party fields, present only when registries were applied
        (so reports without them keep the schema of docs/report-format.md byte for byte)."""
        if not self.registries:
            return {}
        return {"registries": self.registries,
                "provenance": {pid: self.provenance[pid] for pid in sorted(self.provenance)}}

    def _listed_names(self, listed: list[Finding]) -> dict[str, str]:
        """Names of the ids the listed findings and required partnerships mention, sorted by id."""
        names = self.names
        named = names.__contains__  # most ids are purchases' and name nothing: no set of them all
        ids = set(filter(named, chain.from_iterable(f.evidence for f in listed)))
        ids.update(filter(named, map(attrgetter("subject"), listed)))
        for r in self.required_partnerships:
            ids.add(r.party)
            ids.update(r.candidates)
        return {i: names[i] for i in sorted(ids.intersection(names))}  # sorted: only the named ids

    def iter_json(self, include: Iterable[Status] | None = None) -> Iterator[str]:
        """:meth:`to_json` (indent 2) in pieces, one finding at a time: the same bytes without holding
        every finding's dict and the whole text in memory at once (a million-purchase audit)."""
        keep = None if include is None else {Status(s) for s in include}
        listed = [f for f in self.findings if keep is None or f.status in keep]
        marker = f"findings-{uuid.uuid4().hex}"
        skeleton = self.to_dict(include=[]) if listed else self.to_dict(include)
        skeleton["findings"] = marker if listed else []
        skeleton["names"] = self._listed_names(listed)
        text = json.dumps(skeleton, ensure_ascii=False, indent=2, sort_keys=False)
        if not listed:
            yield text + "\n"
            return
        head, tail = text.split(f'"{marker}"')
        yield head + "[\n"
        for i, f in enumerate(listed):
            chunk = json.dumps(f.to_dict(), ensure_ascii=False, indent=2, sort_keys=False)
            yield (",\n    " if i else "    ") + chunk.replace("\n", "\n    ")
        yield "\n  ]" + tail + "\n"

    def to_json(self, include: Iterable[Status] | None = None, indent: int | None = 2) -> str:
        """Deterministic JSON text (same report, same bytes)."""
        return json.dumps(self.to_dict(include), ensure_ascii=False, indent=indent, sort_keys=False) + "\n"

    # -- renderers: the same text `perbup audit --format X` writes (perbup_rules.report) ------------
    def render(self, fmt: str, *, all_findings: bool = False) -> str:
        """The report as ``fmt`` (json, csv, md, html or text): the bytes ``perbup audit --format fmt`` writes.

        ``all_findings`` lists compliant and not-applicable findings too (md, html, text),
        like ``perbup audit --all``. Raises :class:`~perbup_rules.errors.UsageError` for an
        unknown format.
        """
        from .report import render

        return render(self, fmt, all_findings=all_findings)

    def to_html(self, *, all_findings: bool = False) -> str:
        """A self-contained HTML page (no scripts, no network), as ``perbup audit --format html``."""
        return self.render("html", all_findings=all_findings)

    def to_markdown(self, *, all_findings: bool = False) -> str:
        """Markdown, as ``perbup audit --format md``."""
        return self.render("md", all_findings=all_findings)

    def to_csv(self) -> str:
        """One row per finding, every finding, as ``perbup audit --format csv``."""
        return self.render("csv")

    def to_text(self, *, all_findings: bool = False) -> str:
        """Plain terminal text, as ``perbup audit --format text`` writes when not on a terminal."""
        return self.render("text", all_findings=all_findings)
