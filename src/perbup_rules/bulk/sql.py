"""Atoms and value expressions of a purchase-scope clause, compiled to DuckDB SQL.

The per-record evaluator (:mod:`perbup_rules.atoms`) is the definition; this is
the same thing column-wise. A missing value is SQL ``NULL``; an atom is a
``CASE`` giving ``'t'``, ``'f'`` or ``'u'`` exactly as ``atoms.Compiled.atom``
does (money stays HUGEINT/DECIMAL, dates are DATE, never floats). Derived
attributes (classify clauses) come from a ``derived`` table per fiscal year,
keyed as ``Env.derived_for`` keys them. Anything outside this subset raises
:class:`Unsupported`, and the caller evaluates that clause per record instead.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

from .. import schema
from ..expr import decode_const
from ..params import ParamTable


class Unsupported(Exception):
    """This expression has no column-wise form here; evaluate the clause per record."""


def literal(v: Any) -> str:
    """A Python value as a typed SQL literal."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return f"CAST({v} AS HUGEINT)"
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise Unsupported("non-finite decimal")
        exp = -v.as_tuple().exponent if v.as_tuple().exponent < 0 else 0  # type: ignore[operator]
        if exp > 18 or len(v.as_tuple().digits) > 38:
            raise Unsupported("decimal too precise for DECIMAL(38)")
        return f"CAST('{v}' AS DECIMAL(38,{max(exp, 0)}))"
    if isinstance(v, _dt.date):
        return f"DATE '{v.isoformat()}'"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    raise Unsupported(f"literal of type {type(v).__name__}")


def tri(cond: str, unknown: str) -> str:
    """'u' when ``unknown`` holds, else 't'/'f' by ``cond`` (SQL booleans)."""
    return f"(CASE WHEN {unknown} THEN 'u' WHEN {cond} THEN 't' ELSE 'f' END)"


_CMP = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class PurchaseScope:
    """Compiles expressions over purchases (alias ``p``) and collects the joins they need."""

    def __init__(self, params: ParamTable, derived_types: dict[str, str], party_types: dict[str, str],
                 default_year: int | None):
        self.params = params
        self.derived_types = derived_types  # derived attribute -> SQL type
        self.party_types = party_types  # party field -> SQL type (fields present in the parties table)
        self.default_year = default_year
        self.joins: dict[str, str] = {}

    # values ------------------------------------------------------------------------
    def year(self) -> str:
        # the purchase's period: its fiscal year, else its date's year (perbup_rules.periods)
        return (f"coalesce(p.fiscal_year, year(p.date), "
                f"{self.default_year if self.default_year is not None else -1})")

    def path(self, path: list[str]) -> tuple[str, str]:
        """(SQL value, missing name) of a field path from a purchase."""
        text = ".".join(path)
        if path[0] in ("subject", "candidate", "period", "category") and path[0] not in schema.PURCHASE_FIELDS:
            raise Unsupported(f"binding {path[0]}")
        if len(path) == 1:
            if path[0] not in schema.PURCHASE_FIELDS:
                raise Unsupported(f"purchase field {path[0]}")
            return f'p."{path[0]}"', text
        rel = schema.RELATIONS["purchases"].get(path[0])
        if rel is None or len(path) != 2 or rel[1] != "parties":
            raise Unsupported(f"path {text}")
        fk, name = rel[0], path[1]
        if name in schema.PARTY_FIELDS:
            if name not in self.party_types:
                raise Unsupported(f"party field {name} has no column-wise type")
        elif name not in self.derived_types:
            raise Unsupported(f"derived attribute {name}")
        # one join per relation: a party's fields and its derived attributes for the record's year
        alias = f"j_{path[0]}"
        self.joins[alias] = f'LEFT JOIN party_year {alias} ON {alias}.id = p."{fk}" AND {alias}.year = {self.year()}'
        return f'{alias}."{("d_" if name not in schema.PARTY_FIELDS else "f_") + name}"', text

    def param(self, name: str) -> tuple[str, str]:
        starts, values = self.params._starts[name], self.params._values[name]
        whens = " ".join(f"WHEN p.date >= DATE '{s.isoformat()}' THEN {literal(v)}"
                         for s, (v, _ref) in sorted(zip(starts, values), key=lambda x: x[0], reverse=True))
        missing = f"(CASE WHEN p.date IS NULL THEN 'date' ELSE 'params.{name}' END)"
        return f"(CASE WHEN p.date IS NULL THEN NULL {whens} ELSE NULL END)", missing

    def value(self, t: dict) -> tuple[str, str | None]:
        """(SQL value, SQL text naming what is missing when the value is NULL; None if never NULL)."""
        op = t["op"]
        if op == "const":
            return literal(decode_const(t["value"])), None
        if op == "path":
            sql, text = self.path(t["path"])
            return sql, "'" + text.replace("'", "''") + "'"
        if op == "param":
            return self.param(t["name"])
        raise Unsupported(f"value {op}")

    # atoms -------------------------------------------------------------------------
    def atom(self, t: dict) -> tuple[str, list[tuple[str, str]]]:
        """(SQL giving 't'/'f'/'u', [(SQL value, missing name)] of its operands that can be NULL)."""
        op = t["op"]
        if op == "known":
            sql, _ = self.path(t["path"])
            return f"(CASE WHEN {sql} IS NULL THEN 'f' ELSE 't' END)", []
        if op == "path":
            sql, name = self.value(t)
            if self._type_of(t["path"]) != "BOOLEAN":
                raise Unsupported("truth of a non-boolean field")
            return tri(sql, f"{sql} IS NULL"), [(sql, name)]  # type: ignore[list-item]
        if op == "const":
            return ("'t'" if decode_const(t["value"]) else "'f'"), []
        if op in ("cmp", "in"):
            a, an = self.value(t["left"])
            if op == "in":
                if t["right"]["op"] != "list":
                    raise Unsupported("membership in a field")
                items = [decode_const(i["value"]) for i in t["right"]["items"]]
                if not items:
                    cond = "FALSE"
                else:
                    cond = f"{a} IN ({', '.join(literal(i) for i in items)})"
                if t["negate"]:
                    cond = f"NOT ({cond})"
                operands = [(a, an)]
            else:
                b, bn = self.value(t["right"])
                cond = f"{a} {_CMP[t['cmp']]} {b}"
                operands = [(a, an), (b, bn)]
            nullable = [(s, n) for s, n in operands if n is not None]
            unknown = " OR ".join(f"{s} IS NULL" for s, _ in nullable) or "FALSE"
            return tri(cond, unknown), nullable  # type: ignore[return-value]
        raise Unsupported(f"atom {op}")

    def _type_of(self, path: list[str]) -> str | None:
        if len(path) == 1:  # a purchase field: its declared type
            return "BOOLEAN" if schema.PURCHASE_FIELDS.get(path[0]) == schema.BOOL else None
        name = path[-1]
        if name in schema.PARTY_FIELDS:
            return self.party_types.get(name)
        return self.derived_types.get(name)


def in_force_sql(clause: dict) -> str:
    """The in_force pseudo-atom of a purchase-scope clause, on the purchase's date."""
    conds = []
    if clause.get("valid_from"):
        conds.append(f"p.date < DATE '{clause['valid_from']}'")
    if clause.get("valid_until"):
        conds.append(f"p.date > DATE '{clause['valid_until']}'")
    out = " OR ".join(conds) or "FALSE"
    return f"(CASE WHEN p.date IS NULL THEN 'u' WHEN {out} THEN 'f' ELSE 't' END)"


def sql_type(values: list[Any]) -> str | None:
    """The SQL column type for these Python values (None: no column-wise form)."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return "VARCHAR"
    if kinds == {bool}:
        return "BOOLEAN"
    if kinds == {str}:
        return "VARCHAR"
    if kinds == {int}:
        return "HUGEINT"
    if kinds <= {int, Decimal}:
        # exact only within 38 digits, 10 after the point; anything finer is judged per record
        if any(isinstance(v, Decimal) and (not v.is_finite() or v.as_tuple().exponent < -10  # type: ignore[operator]
                                           or v.adjusted() >= 28) for v in values):
            return None
        return "DECIMAL(38,10)"
    if kinds == {_dt.date}:
        return "DATE"
    return None
