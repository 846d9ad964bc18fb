"""Pydantic models of the rule files: regulation.yaml, params.yaml and the pasal files.

The clause format is documented in docs/clause-format.md. Models forbid unknown
keys, so a typo becomes an ``unknown_field`` diagnostic with a did-you-mean.
Expressions are kept as text here; the compiler parses and resolves them.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator

from .naskah.model import Item, NaskahFrame


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Bilingual(_Model):
    """A text in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str


Scalar = Union[StrictBool, StrictInt, Decimal, StrictStr, _dt.date, None]


class ParamValue(_Model):
    """One dated value of a parameter, with the reference it comes from."""

    from_: _dt.date = Field(alias="from")
    value: Union[StrictInt, Decimal, _dt.date]
    reference: str


class HigherBound(_Model):
    """The higher rule's limit a draft value must respect (min for a floor, max for a ceiling)."""

    min: Union[StrictInt, Decimal, None] = None
    max: Union[StrictInt, Decimal, None] = None
    citation: str
    #: the date the higher rule's limit took effect; draft values in force before it are not checked
    from_: _dt.date | None = Field(default=None, alias="from")


class Parameter(_Model):
    """A named threshold with dated values (OpenFisca style)."""

    title: Bilingual
    unit: Literal["ratio", "idr", "count", "date"]
    basis: Literal["law", "draft"]
    values: list[ParamValue] = Field(min_length=1)
    higher_rule: HigherBound | None = None
    note: str | None = None


class Exception_(_Model):
    """An ``unless`` exception: when it holds, a violation becomes compliant."""

    id: str
    when: str
    title: Bilingual


class Case(_Model):
    """A case of a classification or of a share's qualifying part: first true case wins."""

    when: str
    value: Scalar = None
    value_from: str | None = None


class Candidates(_Model):
    """How to propose partners for a missing partnership: filter, then preferred first, then by id."""

    where: str
    prefer: list[str] = []


class Remedy(_Model):
    """The partnership an ``exists`` clause requires when none is found."""

    party: str = "id"
    category: str | None = None
    pattern: list[str] = []
    candidates: Candidates | None = None
    #: one required partnership per party, category and period (the subjects that need it as its
    #: evidence) instead of one per subject
    grouped: bool = False


class NoSupplier(_Model):
    """An exists clause's exception: no business that could be the partner exists at all."""

    id: str
    #: which parties could be the partner: a condition on ``candidate.`` with ``category``
    where: str
    title: Bilingual
    #: the category ``where`` is judged for, in a share clause (which judges no category of its own)
    category: str | None = None


class Due(_Model):
    """A yearly duty with a deadline after its period (a report to the Dinas): the deadline is
    ``day`` (``MM-DD``) of the year after the period. ``match`` may read it as ``period.due``;
    a period whose deadline falls after the audit's ``as_of`` date is not yet due
    (not_applicable, exception ``not_yet_due``)."""

    day: Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]


class _ClauseBase(_Model):
    id: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*-[0-9]+(\.[0-9]+)?(\.T)?$")]  # .T: a transitional provision
    title: Bilingual
    ayat: Union[StrictInt, list[StrictInt], None] = None
    text: str | None = None
    derived_from: list[str] = []
    #: a date, or ``params.NAME`` naming a date parameter (the Perbup's own obligations start on
    #: ``params.obligations_from``)
    valid_from: Union[_dt.date, Annotated[str, Field(pattern=r"^params\.[a-z][a-z0-9_]*$")], None] = None
    valid_until: _dt.date | None = None
    severity: Literal["error", "warning"] = "error"
    note: str | None = None


class ClassifyClause(_ClauseBase):
    """Derive an attribute of each party from its fields (e.g. scale, umkk, local)."""

    kind: Literal["classify"]
    over: Literal["parties"] = "parties"
    attribute: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    cases: list[Case] = Field(min_length=1)
    default: Scalar = None
    default_from: str | None = None
    #: the party fields named as missing when the default leaves the attribute unknown (e.g. a
    #: kind and a legal form that contradict each other); clauses over purchases that need the
    #: attribute name them beside it (``supplier.umkk`` and ``supplier.legal_form``)
    default_missing: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] = []


class EachClause(_ClauseBase):
    """Every applicable record meets a requirement, unless an exception holds."""

    kind: Literal["each"]
    #: ``reports``: each yearly report (reports.csv) in the period of its ``year``
    over: Literal["purchases", "parties", "partnerships", "reports"]
    #: who the clause speaks to (clauses over parties or partnerships): a record for which this is
    #: false yields no finding at all, not not_applicable (docs/clause-format.md, "Subjects")
    subjects: str | None = None
    applies: str = "true"
    require: str
    unless: list[Exception_] = []
    #: judge each record once, on this day and in the period of its year, instead of in every
    #: period in which it is active: a date field of the record (``start_date``) or ``params.NAME``
    #: (a date parameter). Over partnerships only. A record judged on a day the clause is not in
    #: force has no finding (docs/clause-format.md, "Once per record").
    once_on: str | None = None
    #: the clause this one is the transitional provision of (ketentuan peralihan): it governs the
    #: records that clause does not reach because they began before it was in force; a record whose
    #: date of that clause is unknown gets one finding, under that clause, from the two readings
    transition_of: str | None = None


class ShareClause(_ClauseBase):
    """Per subject, period (and stage), the qualifying part of a value is at least a threshold."""

    kind: Literal["share"]
    over: Literal["purchases"] = "purchases"
    applies: str = "true"
    subject: str
    #: a field naming the subject's parent (a PPK's buyer): a purchase whose subject is unknown is a
    #: possible member of every group of its parent, period and stage
    subject_parent: str | None = None
    per_stage: bool = True
    part: list[Case] = Field(min_length=1)
    #: the part counted is at most the value of the first case that holds (no case: no limit; a
    #: case that may hold before the first true one: the limit is unknown, so the part counted lies
    #: between 0 and the part). KMT-01/02: the UMKK part from domestic products (PDN).
    part_at_most: list[Case] = []
    total: str = "value_idr"
    at_least: str
    #: not_applicable, naming this exception, when no party meets ``where`` (KMT-11: no licensed
    #: local UMKK supplies sand and stone); ``category`` is unbound unless the condition names it
    unless_no_supplier: NoSupplier | None = None


class WindowClause(_ClauseBase):
    """Per subject, group, period (and stage): packages within ``days`` days, each at or below its
    limit, must not together pass it (perbup_rules.windows; KMT-04, package splitting)."""

    kind: Literal["window"]
    over: Literal["purchases"] = "purchases"
    applies: str = "true"
    subject: str
    #: the field packages are compared within (KMT-04: category)
    group_by: str
    per_stage: bool = True
    #: the window length in days, both ends counted (30: day 1 and day 30 are in one window)
    days: Annotated[int, Field(ge=1, le=366)]
    #: ordered cases: the first true one gives a package's limit (``value_from: params.NAME``)
    limit: list[Case] = Field(min_length=1)
    total: str = "value_idr"


class ExistsClause(_ClauseBase):
    """Each obligated subject has at least ``min_count`` matching related records."""

    kind: Literal["exists"]
    over: Literal["parties", "purchases"]
    #: who the clause speaks to (clauses over parties): see EachClause.subjects
    subjects: str | None = None
    applies: str = "true"
    #: the related table: partnerships, or the yearly reports (reports.csv)
    related: Literal["partnerships", "reports"] = "partnerships"
    link: str
    #: the subject's field the related record's ``link`` refers to (default its id), e.g.
    #: ``supplier_id``: partnerships of the purchase's supplier
    link_from: str = "id"
    match: str
    min_count: Annotated[int, Field(ge=1)] = 1
    categories: list[str] = []
    remedy: Remedy | None = None
    #: not_applicable, naming this exception, when no party meets ``where`` for the category
    unless_no_supplier: NoSupplier | None = None
    #: a deadline after the period (``period.due`` in ``match``); not yet due before it (as_of)
    due: Due | None = None


Clause = Annotated[Union[ClassifyClause, EachClause, ShareClause, ExistsClause, WindowClause], Field(discriminator="kind")]


class AyatText(_Model):
    """One ayat of a pasal: its number and verbatim text, with a list of huruf or angka under it."""

    ayat: StrictInt
    text: str
    huruf: list[Union[str, Item]] = []
    angka: list[Union[str, Item]] = []


class Bab(_Model):
    number: str
    title: Bilingual


class PasalFile(_Model):
    """One pasal file: the article's text beside the clauses that encode it."""

    pasal: StrictInt
    bab: Bab | None = None
    title: Bilingual
    ayat: list[AyatText] = []
    clauses: list[Clause] = []
    not_encoded: list[Bilingual] = []

    @field_validator("clauses", mode="before")
    @classmethod
    def _list(cls, v):
        return v if v is not None else []


class RegulationMeta(_Model):
    """regulation.yaml: what this draft is."""

    id: str
    title: Bilingual
    version: str
    status: Literal["rancangan", "berlaku", "dicabut"] = "rancangan"
    issuer: str | None = None
    in_force_from: _dt.date | None = None
    #: the date the Perbup is promulgated (diundangkan); empty while it is a draft
    promulgated: _dt.date | None = None
    files: list[str] | None = None
    #: the frame of the legal text (judul, Menimbang, Mengingat, signature block): see naskah/model.py
    naskah: NaskahFrame | None = None
