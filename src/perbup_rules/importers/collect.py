"""Collector: builds a Dataset from a source whose parties are derived from its purchase rows.

LKPP and OCDS exports are lists of packages; buyers and suppliers appear inside
each row. The collector merges those party mentions (first non-empty value of a
field wins), keeps one purchase per id, and counts every row read as accepted
or rejected. Parties it derives are counted as read and accepted once each.

Supporting rows (announcements, e-kontrak letters, payments, bidders) become
:class:`~perbup_rules.importers.part.Fact` records that the linker applies to the
package they belong to; master rows (satker, regions) are counted and kept as facts
too. Every row of the file is counted once in the file's own read/accepted/rejected.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .. import errors
from ..records import Dataset, InputFile, Party, Purchase

if TYPE_CHECKING:
    from .part import Fact, Part

_PARTY_FIELDS = frozenset(Party.__dataclass_fields__) - {"id", "extra", "supplies"}


class Collector:
    """Accumulates derived parties and purchases for one input file."""

    def __init__(self, file: str, kind: str, sha256: str, detected: str | None = None):
        self.file = file
        self.kind = kind
        self.detected = detected
        self.ds = Dataset()
        self.ds.sources.append(InputFile(file, sha256, kind, detected))
        self.facts: list[Fact] = []
        self._rows_read = 0
        self._facts_accepted = {"purchases": 0, "parties": 0}
        self._parties: dict[str, dict[str, Any]] = {}
        # id -> (rank, row, purchase); rank decides between versions of one record
        self._purchases: dict[str, tuple[Any, int, Purchase]] = {}
        #: column -> number convention of the source's money columns (set by lkpp.Cells), for the summary
        self.numbers: dict[str, Any] | None = None

    def read_row(self, table: str = "purchases") -> None:
        """Count one row read from the source."""
        self.ds.stats[table].read += 1
        self._rows_read += 1

    def fact(self, fact: Fact, table: str = "purchases") -> None:
        """Accept a supporting or master row as a fact for the linker."""
        self.facts.append(fact)
        self._facts_accepted[table] += 1

    def reject(self, row: int, code: str, reason: str, column: str | None = None, record_id: str | None = None, table: str = "purchases") -> None:
        """Reject a row that was counted with :meth:`read_row`."""
        self.ds.reject(table, self.file, row, code, reason, column, record_id)

    def party(self, pid: str, supplies: tuple[str, ...] = (), extra: tuple[tuple[str, str], ...] = (),
              row: int | None = None, **fields: Any) -> str:
        """Mention a party; later mentions only fill fields still empty. Returns the id.

        ``row``: the source row of this mention; each field it fills records "file:row" as its
        provenance (shown by ``perbup explain`` and in the report's evidence).
        """
        unknown = set(fields) - _PARTY_FIELDS
        if unknown:
            raise TypeError(f"not party fields: {sorted(unknown)}")
        draft = self._parties.get(pid)
        if draft is None:
            draft = self._parties[pid] = {"supplies": [], "extra": {}, "provenance": {}}
        for k, v in fields.items():
            if v is not None and draft.get(k) is None:
                draft[k] = v
                if row is not None:
                    draft["provenance"][k] = f"{self.file}:{row}"
        for s in supplies:
            if s not in draft["supplies"]:
                draft["supplies"].append(s)
        for k, v in extra:
            draft["extra"].setdefault(k, v)
        return pid

    def purchase(self, row: int, record: Purchase, rank: Any = None) -> None:
        """Accept a purchase; a repeated id keeps the first, unless a higher ``rank`` supersedes it."""
        if record.extra:
            # Sorted, as write_dataset orders extra columns, so a round trip is exact.
            record = replace(record, extra=tuple(sorted(record.extra)))
        old = self._purchases.get(record.id)
        if old is None:
            self._purchases[record.id] = (rank, row, record)
            return
        old_rank, old_row, _ = old
        if rank is not None and old_rank is not None and rank > old_rank:
            self._purchases[record.id] = (rank, row, record)
            self.reject(old_row, errors.DUPLICATE_ROW, f"{record.id!r} is superseded by the newer version in row {row}", "id", record.id)
        elif rank is not None and old_rank is not None and rank < old_rank:
            self.reject(row, errors.DUPLICATE_ROW, f"{record.id!r} is superseded by the newer version in row {old_row}", "id", record.id)
        else:
            self.reject(row, errors.DUPLICATE_ROW, f"{record.id!r} repeats row {old_row}", "id", record.id)

    def finish(self) -> Dataset:
        """Build the parties, add the purchases, and return the dataset."""
        ds = self.ds
        if self.numbers:
            from .cells import numbers_note

            ds.sources[0] = replace(ds.sources[0], numbers=numbers_note(self.numbers))
        for pid, draft in self._parties.items():
            extra = tuple(sorted(draft.pop("extra").items()))
            supplies = tuple(draft.pop("supplies"))
            provenance = tuple(sorted(draft.pop("provenance").items()))
            ds.parties[pid] = Party.trusted(pid, supplies=supplies, extra=extra, provenance=provenance, **draft)
        n = len(self._parties)
        ds.stats["parties"].read += n
        ds.stats["parties"].accepted += n
        # Keep source order (first appearance), whatever version won.
        for _rank, _row, record in self._purchases.values():
            ds.purchases.append(record)
        ds.stats["purchases"].accepted += len(self._purchases) + self._facts_accepted["purchases"]
        ds.stats["parties"].accepted += self._facts_accepted["parties"]
        # The file's own counts: its rows, not the parties derived from them.
        rejected = len(ds.rejected)
        src = ds.sources[0]
        ds.sources[0] = replace(src, read=self._rows_read, accepted=self._rows_read - rejected, rejected=rejected)
        return ds

    def finish_part(self) -> Part:
        """:meth:`finish`, with the facts for the linker."""
        from .part import Part

        return Part(self.finish(), self.facts)
