"""Canonical records: parties, purchases and partnerships, and the Dataset that holds them.

The column names and codes are the input contract of ARCHITECTURE.md section 3.
Records are frozen, slotted dataclasses rather than pydantic models: an audit may
hold a million purchases, and a slotted record costs a fraction of a model
instance. Validation happens where rows are read (``perbup_rules.importers``),
which knows the file, row and column to blame, and importers build records with
``Record.trusted(...)``; a record built in code (``Purchase(...)``, ``Purchase.from_row``)
is checked field by field with the same cell rules (``record_checks``), and
:meth:`Dataset.build` re-checks references.

Money is ``int`` rupiah (``Decimal`` only when a source gives sen), dates are
:class:`datetime.date`, and ``None`` always means "the source did not say".
"""

from __future__ import annotations

import datetime as _dt
import inspect
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Iterable, Mapping, Union

from . import errors

Money = Union[int, Decimal]

PARTY_KINDS = ("perangkat_daerah", "desa", "hotel", "restaurant", "company", "umkm", "koperasi")
LEGAL_FORMS = ("pt", "cv", "ud", "firma", "koperasi", "perorangan", "other")
SCALES = ("mikro", "kecil", "menengah", "besar")
STAGES = ("plan", "award", "contract")
PROCUREMENT_TYPES = ("barang", "pekerjaan_konstruksi", "jasa_lainnya", "jasa_konsultansi")
PATTERNS = (
    "inti_plasma",
    "subkontrak",
    "waralaba",
    "perdagangan_umum",
    "distribusi_keagenan",
    "rantai_pasok",
    "bagi_hasil",
    "kerja_sama_operasional",
    "usaha_patungan",
    "penyumberluaran",
    "lainnya",
)
#: UU 20/2008 Pasal 26 (as amended by UU 6/2023) lists patterns and ends with "bentuk kemitraan
#: lain": the list is open. A pattern outside PATTERNS is read as this code, its text kept in
#: ``Partnership.pattern_text`` (never a rejected row).
OTHER_PATTERN = "lainnya"
TABLES = ("parties", "purchases", "partnerships", "reports")
#: Tables a canonical folder may leave out: the audit says which clauses they would feed
#: (``not_evaluated``) instead of judging them on an absence.
OPTIONAL_TABLES = ("partnerships", "reports")
#: What a yearly report (reports.csv) is about: a hotel's or restaurant's food and laundry
#: purchases (KMT-15.3, KMT-15.4) or a large company's annual partnership report (KMT-18).
REPORT_KINDS = ("hotel_purchases", "company_annual")
#: How a purchase was made (the LKPP channel its record comes from).
CHANNELS = ("tender", "non_tender", "e_purchasing", "toko_daring", "pencatatan", "swakelola", "other")
#: Why a package up to the reservation ceiling is not reserved for UMKK (KMT-03); the source text is kept beside it.
EXEMPTION_CODES = ("technical", "pagu_above_ceiling", "other")
#: Reasons a desa bought outside its own desa or kabupaten, or not by e-purchasing (KMT-14).
DESA_REASON_CODES = ("not_available_in_desa", "not_available_in_kabupaten", "e_purchasing_not_available")


@dataclass(frozen=True, slots=True)
class Party:
    """A perangkat daerah, desa, hotel, restaurant, company, UMKM or koperasi."""

    id: str
    name: str | None = None
    kind: str | None = None
    legal_form: str | None = None
    capital_idr: Money | None = None
    annual_sales_idr: Money | None = None
    scale: str | None = None
    kecamatan: str | None = None
    desa: str | None = None
    kabupaten: str | None = None
    supplies: tuple[str, ...] = ()
    star_rating: int | None = None
    licensed: bool | None = None
    kabupaten_code: str | None = None
    kecamatan_code: str | None = None
    desa_code: str | None = None
    #: (field, "file:row" or a note) pairs: where a field's value came from. Not a column.
    provenance: tuple[tuple[str, str], ...] = ()
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Purchase:
    """One package or purchase, at the plan, award or contract stage."""

    id: str
    stage: str | None = None
    buyer_id: str | None = None
    ppk_id: str | None = None
    supplier_id: str | None = None
    category: str | None = None
    procurement_type: str | None = None
    method: str | None = None
    value_idr: Money | None = None
    umk_value_idr: Money | None = None
    reserved_for_umkk: bool | None = None
    exemption_reason: str | None = None
    date: _dt.date | None = None
    currency: str = "IDR"
    pagu_idr: Money | None = None
    fiscal_year: int | None = None
    channel: str | None = None
    pdn_value_idr: Money | None = None
    pdn: bool | None = None
    exemption_code: str | None = None
    desa_reason_code: tuple[str, ...] = ()
    kd_rup: tuple[str, ...] = ()
    kd_tender: str | None = None
    kd_nontender: str | None = None
    kd_paket: str | None = None
    #: (field, "file:row" or a note) pairs: where a field's value came from. Not a column.
    provenance: tuple[tuple[str, str], ...] = ()
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Partnership:
    """A kemitraan between a party (hotel, company, winner) and a partner (UMKM, koperasi)."""

    id: str
    party_id: str | None = None
    partner_id: str | None = None
    pattern: str | None = None
    categories: tuple[str, ...] = ()
    start_date: _dt.date | None = None
    end_date: _dt.date | None = None
    written: bool | None = None
    reported_to_dinas: bool | None = None
    purchase_id: str | None = None
    reported_date: _dt.date | None = None
    #: the source's own words for a pattern outside PATTERNS (``pattern`` is then ``lainnya``)
    pattern_text: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class AnnualReport:
    """A yearly report a business files with the Dinas (reports.csv): one per party, year and kind.

    ``hotel_purchases``: a hotel's or restaurant's food and laundry purchases of ``year``
    (one total for both) and the part bought from local UMKK; ``company_annual``: a large
    company's report of its procurement from local UMKK and its partnerships. Not called
    ``Report``: that is the findings report (:class:`perbup_rules.findings.Report`).
    """

    id: str
    party_id: str | None = None
    year: int | None = None
    kind: str | None = None
    total_idr: Money | None = None
    local_umkk_idr: Money | None = None
    submitted_date: _dt.date | None = None
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def local_umkk_share(self):
        """``local_umkk_idr / total_idr`` exactly (a Fraction), for clauses over reports.

        Not a column. When either amount is unknown (or the total is 0) the share is unknown,
        and the value says which amount is missing, so a finding names ``local_umkk_idr`` or
        ``total_idr`` (the field to add), not this derived name.
        """
        from fractions import Fraction

        from .atoms import Missing

        if self.total_idr is None or self.total_idr == 0:
            return Missing("total_idr")
        if self.local_umkk_idr is None:
            return Missing("local_umkk_idr")
        return Fraction(self.local_umkk_idr) / Fraction(self.total_idr)


RECORD_TYPES = {"parties": Party, "purchases": Purchase, "partnerships": Partnership, "reports": AnnualReport}


def _validated(cls: type, table: str) -> None:
    """Validate records built in code; keep an unchecked path for importers that checked every cell.

    ``cls(...)`` normalises each field the way the canonical loader reads its cell (codes to
    their canonical spelling, money and dates from text) or raises
    :class:`~perbup_rules.errors.RecordError` (see ``record_checks``). ``cls.trusted(...)``
    takes the same arguments and skips the checks: importers already validated each cell
    with its file and row, and a million purchases should not be parsed twice.
    ``cls.from_row(mapping)`` builds one from column -> cell text, like a CSV row.
    """
    raw_init = cls.__init__

    def __init__(self, *args, **kwargs):
        try:
            raw_init(self, *args, **kwargs)
        except TypeError as err:  # a missing or unknown argument: located, coded, not a raw TypeError
            msg = str(err).replace(f"{cls.__name__}.__init__()", f"{cls.__name__}()")
            named = re.search(r"argument:? '(\w+)'", msg)
            raise errors.RecordError(cls.__name__, named[1] if named else None, errors.WRONG_TYPE, msg) from None
        _check(table, self)

    __init__.__doc__ = raw_init.__doc__
    __init__.__signature__ = inspect.signature(raw_init)  # type: ignore[attr-defined]
    new = object.__new__

    def trusted(kls, *args, **kwargs):
        obj = new(kls)
        raw_init(obj, *args, **kwargs)
        return obj

    def from_row(kls, row: Mapping[str, object]):
        from .record_checks import row_kwargs

        return kls(**row_kwargs(table, kls.__name__, row))

    cls.__init__ = __init__  # type: ignore[misc]
    cls.raw_init = staticmethod(raw_init)  # type: ignore[attr-defined]
    cls.trusted = classmethod(trusted)  # type: ignore[attr-defined]
    cls.from_row = classmethod(from_row)  # type: ignore[attr-defined]


def _check(table: str, record: object) -> None:
    from .record_checks import check

    check(table, record)


for _table, _cls in RECORD_TYPES.items():
    _validated(_cls, _table)

#: Record fields that are not columns: kept beside the row, not read from a cell of that name.
NOT_COLUMNS = frozenset({"extra", "provenance"})

#: Columns of each table, in contract order (``extra`` and ``provenance`` are not columns).
COLUMNS: dict[str, tuple[str, ...]] = {
    t: tuple(f.name for f in fields(cls) if f.name not in NOT_COLUMNS) for t, cls in RECORD_TYPES.items()
}


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that was not loaded, and why."""

    table: str
    file: str
    row: int
    code: str
    reason: str
    column: str | None = None
    record_id: str | None = None

    def to_dict(self) -> dict:
        return {
            "table": self.table,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "reason": self.reason,
        }


@dataclass(slots=True)
class TableStats:
    """Rows read, accepted and rejected for one table (read == accepted + rejected)."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0

    def to_dict(self) -> dict:
        return {"read": self.read, "accepted": self.accepted, "rejected": self.rejected}


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file the dataset was read from, with its sha256, for the report's provenance.

    ``detected`` says why its kind was assumed when it was detected rather than named;
    ``read``/``accepted``/``rejected`` are its own row counts (None where the importer
    does not count per file), so every file reconciles on its own.
    """

    path: str
    sha256: str
    kind: str = "canonical"
    detected: str | None = None
    read: int | None = None
    accepted: int | None = None
    rejected: int | None = None
    #: (money column, the number convention its cells were read by and what settled it)
    numbers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class LinkRate:
    """How many records of one source found their partner in another, by one key.

    For example e-kontrak contracts (``source``) -> non-tender results (``target``) by
    ``kd_nontender``: ``linked`` of ``total``; ``unlinked`` names the (file, row) of the
    source rows that found none.
    """

    source: str
    target: str
    key: str
    linked: int
    total: int
    unlinked: tuple[tuple[str, int], ...] = ()


@dataclass
class Dataset:
    """Parties, purchases and partnerships, plus what was rejected while reading them."""

    parties: dict[str, Party] = field(default_factory=dict)
    purchases: list[Purchase] = field(default_factory=list)
    partnerships: list[Partnership] = field(default_factory=list)
    #: yearly reports to the Dinas (reports.csv), an optional table: see ``reports_read``
    reports: list[AnnualReport] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    stats: dict[str, TableStats] = field(default_factory=lambda: {t: TableStats() for t in TABLES})
    sources: list[InputFile] = field(default_factory=list)
    #: measured links between the records of different sources (plan -> award -> contract -> handover)
    link_rates: list[LinkRate] = field(default_factory=list)
    #: ids of parties known only from a registry (perbup_rules.registries): possible partners in
    #: required partnerships, never subjects of clauses over parties
    candidates_only: set[str] = field(default_factory=set)
    #: registries applied to this dataset (perbup_rules.registries.Outcome), in order: the
    #: match report and its summary in the audit report
    registries: list = field(default_factory=list)
    #: whether a reports table was given (reports.csv, a reports sheet, or ``build(reports=...)``),
    #: even an empty one: without it the clauses fed by reports are not evaluated, with it a
    #: missing report is a missing report
    reports_read: bool = False

    @classmethod
    def build(
        cls,
        parties: Iterable[Party] = (),
        purchases: Iterable[Purchase] = (),
        partnerships: Iterable[Partnership] = (),
        source: str = "<memory>",
        reports: Iterable[AnnualReport] | None = None,
    ) -> "Dataset":
        """Build a dataset from records made in code, rejecting duplicates and dangling references.

        Rows are numbered from 1 in the order given, per table. ``reports``: the yearly reports
        table; None (the default) means none was given, ``[]`` an empty one (see ``reports_read``).
        """
        ds = cls()
        for i, p in enumerate(parties, start=1):
            ds.stats["parties"].read += 1
            if p.id in ds.parties:
                ds.reject("parties", source, i, errors.DUPLICATE_ROW, f"party id {p.id!r} repeats an earlier row", "id", p.id)
            else:
                ds.parties[p.id] = p
                ds.stats["parties"].accepted += 1
        seen: set[str] = set()
        for i, r in enumerate(purchases, start=1):
            ds.stats["purchases"].read += 1
            problem = _dangling(r, ("buyer_id", "supplier_id"), ds.parties)
            if r.id in seen:
                ds.reject("purchases", source, i, errors.DUPLICATE_ROW, f"purchase id {r.id!r} repeats an earlier row", "id", r.id)
            elif problem:
                ds.reject("purchases", source, i, errors.UNKNOWN_REFERENCE, problem[1], problem[0], r.id)
            else:
                seen.add(r.id)
                ds.purchases.append(r)
                ds.stats["purchases"].accepted += 1
        seen = set()
        for i, k in enumerate(partnerships, start=1):
            ds.stats["partnerships"].read += 1
            problem = _dangling(k, ("party_id", "partner_id"), ds.parties)
            if k.id in seen:
                ds.reject("partnerships", source, i, errors.DUPLICATE_ROW, f"partnership id {k.id!r} repeats an earlier row", "id", k.id)
            elif problem:
                ds.reject("partnerships", source, i, errors.UNKNOWN_REFERENCE, problem[1], problem[0], k.id)
            else:
                seen.add(k.id)
                ds.partnerships.append(k)
                ds.stats["partnerships"].accepted += 1
        if reports is not None:
            ds.reports_read = True
            seen = set()
            keys: set[tuple] = set()
            for i, r in enumerate(reports, start=1):
                ds.stats["reports"].read += 1
                problem = _dangling(r, ("party_id",), ds.parties)
                if r.id in seen:
                    ds.reject("reports", source, i, errors.DUPLICATE_ROW, f"report id {r.id!r} repeats an earlier row", "id", r.id)
                elif report_key(r) in keys:
                    ds.reject("reports", source, i, errors.DUPLICATE_ROW, repeated_report(r), "kind", r.id)
                elif problem:
                    ds.reject("reports", source, i, errors.UNKNOWN_REFERENCE, problem[1], problem[0], r.id)
                else:
                    seen.add(r.id)
                    keys.add(report_key(r))
                    ds.reports.append(r)
                    ds.stats["reports"].accepted += 1
        return ds

    def reject(
        self,
        table: str,
        file: str,
        row: int,
        code: str,
        reason: str,
        column: str | None = None,
        record_id: str | None = None,
    ) -> None:
        """Record a rejected row and count it."""
        self.rejected.append(Rejection(table, file, row, code, reason, column, record_id))
        self.stats[table].rejected += 1

    def periods(self) -> list[int]:
        """The fiscal years the purchases count in (``fiscal_year``, else the date's year), sorted."""
        return sorted({p.fiscal_year if p.fiscal_year is not None else p.date.year
                       for p in self.purchases if p.fiscal_year is not None or p.date is not None})

    def reconciles(self) -> bool:
        """True when every table's rows read equal accepted plus rejected."""
        return all(s.read == s.accepted + s.rejected for s in self.stats.values())


def report_key(r: AnnualReport) -> tuple:
    """What makes a report unique: one report per party, year and kind."""
    return (r.party_id, r.year, r.kind)


def repeated_report(r: AnnualReport) -> str:
    """The rejection reason of a second report of the same party, year and kind."""
    return f"a {r.kind} report of party {r.party_id!r} for {r.year} repeats an earlier row (one per party, year and kind)"


def _dangling(record, refs: tuple[str, ...], parties: Mapping[str, Party]) -> tuple[str, str] | None:
    for col in refs:
        ref = getattr(record, col)
        if ref is not None and ref not in parties:
            return col, f"{col} {ref!r} names no accepted party"
    return None


def merge_datasets(datasets: list[Dataset]) -> Dataset:
    """Combine datasets read from several sources (e.g. a SiRUP and an SPSE export).

    Parties with the same id are the same party (a satker appears in both
    exports): the first record is kept. Purchase and partnership ids must differ
    across sources; a repeat is rejected like a repeated row. Input counts add up,
    so the report still reconciles with every file read.
    """
    out = Dataset()
    for ds in datasets:
        for t in TABLES:
            out.stats[t].read += ds.stats[t].read
            out.stats[t].accepted += ds.stats[t].accepted
            out.stats[t].rejected += ds.stats[t].rejected
        out.rejected.extend(ds.rejected)
        out.sources.extend(ds.sources)
        out.link_rates.extend(ds.link_rates)
        out.candidates_only |= ds.candidates_only
        out.registries.extend(ds.registries)
        out.reports_read |= ds.reports_read
        for pid, p in ds.parties.items():
            out.parties.setdefault(pid, p)
    seen: dict[str, set[str]] = {"purchases": set(), "partnerships": set(), "reports": set()}
    report_keys: set[tuple] = set()
    for ds in datasets:
        src = ds.sources[0].path if ds.sources else "<memory>"
        for table, rows in (("purchases", ds.purchases), ("partnerships", ds.partnerships), ("reports", ds.reports)):
            kept = getattr(out, table)
            ids = seen[table]
            for r in rows:
                if r.id in ids:
                    out.stats[table].accepted -= 1
                    out.reject(table, src, 0, errors.DUPLICATE_ROW, f"{table[:-1]} id {r.id!r} also appears in an earlier source", "id", r.id)
                    continue
                if table == "reports":
                    if report_key(r) in report_keys:
                        out.stats[table].accepted -= 1
                        out.reject(table, src, 0, errors.DUPLICATE_ROW, repeated_report(r), "kind", r.id)
                        continue
                    report_keys.add(report_key(r))
                ids.add(r.id)
                kept.append(r)
    return out
