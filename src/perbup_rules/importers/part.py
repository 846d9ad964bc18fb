"""What one input file gives the linker: its dataset (primary records) and its facts (supporting rows).

A *primary* row is a purchase in its own right: a plan (RUP), an award (SPSE result,
e-katalog order, Toko Daring transaction, pencatatan) or a contract (e-kontrak kontrak).
A *supporting* row tells something about a package another file holds: the
announcement, the award letter (SPPBJ), the work order (SPMK/SPP), the handover
(BAPBAST), a payment (realisasi), a bidder. It is never spending of its own, so it
becomes a :class:`Fact` that :mod:`.link` applies to the package it names; a master
row (satker, regions, programmes) is a fact too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..records import Dataset

#: What a fact links to. ``award``/``contract``/``pencatatan``/``swakelola`` are purchases of that
#: stage or channel; ``satker`` is the buyer master; ``reference`` links to nothing (region and
#: programme masters, catalogue samples): accepted, kept as read, applied to no record.
TARGETS = ("award", "contract", "pencatatan", "swakelola", "satker", "reference")


@dataclass(frozen=True, slots=True)
class Fact:
    """One supporting or master row, addressed to the record it belongs to.

    ``keys`` are (key name, value) pairs tried in order (``("kd_nontender", "123")``);
    ``fields`` are canonical purchase fields the row knows, applied only where the target
    has none; ``extra`` are (column, text) pairs kept beside the target as evidence;
    ``money`` are amounts summed over every fact of the target (payments).
    """

    file: str
    row: int
    kind: str
    target: str
    keys: tuple[tuple[str, str], ...] = ()
    fields: tuple[tuple[str, Any], ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    money: tuple[tuple[str, Any], ...] = ()
    #: NPWP id (``NPWP-...``) and kd_penyedia of the supplier the row names, when it names one
    npwp: str | None = None
    kd_penyedia: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.row}"


@dataclass
class Part:
    """The dataset read from one file, plus its facts."""

    ds: Dataset
    facts: list[Fact] = field(default_factory=list)
    #: False for canonical and OCDS inputs: merged as they are, never linked (their records
    #: already say what they are, and the bulk path must give the same verdicts on them)
    linkable: bool = True
