"""What an expression may name: record fields, relations, and their types, per scope.

A *scope* maps the first name of a path to either a field type or a nested
scope (a relation such as ``supplier`` -> parties). Derived attributes from
``classify`` clauses are added to the party scope by the compiler.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from . import records
from .i18n import msg

# field types
STR, CODE, MONEY, INT, DATE, BOOL, LIST, RATIO = "str", "code", "money", "int", "date", "bool", "list", "ratio"
NUMERIC = {MONEY, INT, RATIO}

CODES: dict[str, tuple[str, ...]] = {
    "kind": records.PARTY_KINDS,
    "legal_form": records.LEGAL_FORMS,
    "scale": records.SCALES,
    "stage": records.STAGES,
    "procurement_type": records.PROCUREMENT_TYPES,
    "pattern": records.PATTERNS,
    "channel": records.CHANNELS,
    "exemption_code": records.EXEMPTION_CODES,
}
#: coded fields whose name another table uses for other codes (``kind`` of a report)
TABLE_CODES: dict[tuple[str, str], tuple[str, ...]] = {("reports", "kind"): records.REPORT_KINDS}

PARTY_FIELDS = {
    "id": STR, "name": STR, "kind": CODE, "legal_form": CODE, "capital_idr": MONEY,
    "annual_sales_idr": MONEY, "scale": CODE, "kecamatan": STR, "desa": STR, "kabupaten": STR,
    "supplies": LIST, "star_rating": INT, "licensed": BOOL, "kabupaten_code": STR, "kecamatan_code": STR,
    "desa_code": STR,
}
PURCHASE_FIELDS = {
    "id": STR, "stage": CODE, "buyer_id": STR, "ppk_id": STR, "supplier_id": STR, "category": STR,
    "procurement_type": CODE, "method": STR, "value_idr": MONEY, "umk_value_idr": MONEY,
    "reserved_for_umkk": BOOL, "exemption_reason": STR, "date": DATE, "currency": STR,
    "pagu_idr": MONEY, "fiscal_year": INT, "channel": CODE, "pdn_value_idr": MONEY, "pdn": BOOL,
    "exemption_code": CODE, "desa_reason_code": LIST, "kd_rup": LIST, "kd_tender": STR, "kd_nontender": STR,
    "kd_paket": STR,
}
PARTNERSHIP_FIELDS = {
    "id": STR, "party_id": STR, "partner_id": STR, "pattern": CODE, "categories": LIST,
    "start_date": DATE, "end_date": DATE, "written": BOOL, "reported_to_dinas": BOOL, "purchase_id": STR,
    "reported_date": DATE, "pattern_text": STR,
}

REPORT_FIELDS = {
    "id": STR, "party_id": STR, "year": INT, "kind": CODE, "total_idr": MONEY, "local_umkk_idr": MONEY,
    "submitted_date": DATE,
    # not a column: local_umkk_idr / total_idr, exactly (records.AnnualReport.local_umkk_share)
    "local_umkk_share": RATIO,
}

#: relation name -> (field holding the id, target table), per table
RELATIONS: dict[str, dict[str, tuple[str, str]]] = {
    "parties": {},
    "purchases": {"buyer": ("buyer_id", "parties"), "supplier": ("supplier_id", "parties")},
    "partnerships": {"party": ("party_id", "parties"), "partner": ("partner_id", "parties"),
                     "purchase": ("purchase_id", "purchases")},
    "reports": {"party": ("party_id", "parties")},
}
TABLE_FIELDS = {"parties": PARTY_FIELDS, "purchases": PURCHASE_FIELDS, "partnerships": PARTNERSHIP_FIELDS,
                "reports": REPORT_FIELDS}


@dataclass
class Scope:
    """Names an expression may use: fields with types and nested scopes."""

    fields: dict[str, str] = field(default_factory=dict)
    nested: dict[str, "Scope"] = field(default_factory=dict)
    #: the table whose record this scope is (None for a binding scope): where a code is looked up
    table: str | None = None

    def table_of(self, path: list[str]) -> str | None:
        """The table whose field ``path`` ends in (following relations), or None."""
        scope = self
        for name in path[:-1]:
            scope = scope.nested.get(name)
            if scope is None:
                return None
        return scope.table

    def names(self) -> list[str]:
        return sorted(set(self.fields) | set(self.nested))

    def resolve(self, path: list[str]) -> tuple[str | None, str | None]:
        """Return (type, None) for a known path, or (None, message with did-you-mean)."""
        scope = self
        for i, name in enumerate(path):
            last = i == len(path) - 1
            if name in scope.fields and last:
                return scope.fields[name], None
            if name in scope.nested and not last:
                scope = scope.nested[name]
                continue
            prefix = ".".join(path[:i])

            if name in scope.nested and last:
                return None, msg("diag.path_is_record", path=repr(".".join(path)), example=f"{name}.{scope.nested[name].names()[0]}")
            if name in scope.fields and not last:
                return None, msg("diag.path_is_value", path=repr(".".join(path[: i + 1])))
            close = difflib.get_close_matches(name, scope.names(), n=3, cutoff=0.6)
            names = " or ".join(repr(c) for c in close)
            key = "diag.unknown_name" + ("_under" if prefix else "") + ("_close" if close else "")
            return None, msg(key, name=repr(name), prefix=repr(prefix), names=names)
        return None, msg("diag.empty_path")


def table_scope(table: str, derived: dict[str, str], depth: int = 2) -> Scope:
    """The scope of one record of ``table``, with its relations nested ``depth`` levels."""
    fields_ = dict(TABLE_FIELDS[table])
    if table == "parties":
        fields_.update(derived)
    nested = {}
    if depth > 0:
        for rel, (_fk, target) in RELATIONS[table].items():
            nested[rel] = table_scope(target, derived, depth - 1)
    return Scope(fields_, nested, table)


def code_values(path: list[str], table: str | None = None) -> tuple[str, ...] | None:
    """The allowed codes when a path ends in a coded field (kind, stage, ...) of ``table``."""
    if not path:
        return None
    return TABLE_CODES.get((table, path[-1])) or CODES.get(path[-1])
