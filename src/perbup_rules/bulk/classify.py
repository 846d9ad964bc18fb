"""Classify clauses (derived party attributes per fiscal year) column-wise, in DuckDB.

:meth:`perbup_rules.judge.Judge.classify` is the definition: per party and judged year it
computes the row of atom values, the engine decides the row, and the case's value (a
constant, or a field or earlier attribute read by ``value_from``) becomes the attribute.
At 50,000 parties and a few years that is hundreds of thousands of rows built in Python
per clause. Here the same rows are computed in SQL over a ``classified`` table (one row per
party and year: the party's fields as ``f_<name>``, the attributes derived so far as
``d_<name>``), the engine decides each *distinct* row once, and the value is chosen in SQL
from the labels; the values are then written to ``Env.derived`` exactly as the per-record
judge writes them, and parties left without a value get their reasons (``derived_why``)
from the per-record code.

A clause whose atoms or values fall outside this subset (an attribute computed later,
a ``value_from`` whose SQL value would not come back as the same Python value, a
relation) raises :class:`Unsupported` before anything is stored, and is classified per
record instead.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import duckdb

from .. import schema
from ..atoms import Ctx, Period
from ..compiler import decisions as D
from ..expr import decode_const
from ..judge import Judge, unknown_why
from .load import _table
from .sql import PurchaseScope, Unsupported, literal

#: value_from types whose SQL value comes back as the Python value the record holds
#: (a DECIMAL column would come back with its scale: Decimal('5.0000000000') for Decimal('5'))
_EXACT_BACK = ("VARCHAR", "BOOLEAN", "HUGEINT", "DATE")


class PartyYearScope(PurchaseScope):
    """Atoms of a classify clause for one fiscal year: party fields (``c.f_<name>``), attributes
    derived so far (``c.d_<name>``), ``period.year``, and parameters as in force on 31
    December of the year (the day the per-record judge classifies on)."""

    def __init__(self, params, derived_types: dict[str, str], party_types: dict[str, str], year: int):
        super().__init__(params, derived_types, party_types, None)
        self.the_year = year
        self.day = _dt.date(year, 12, 31)

    def path(self, path: list[str]) -> tuple[str, str]:
        text = ".".join(path)
        if path == ["period", "year"]:
            return literal(self.the_year), text
        if len(path) != 1:
            raise Unsupported(f"path {text}")
        name = path[0]
        if name in schema.PARTY_FIELDS:
            if name not in self.party_types:
                raise Unsupported(f"party field {name} has no column-wise type")
            return f'c."f_{name}"', text
        if name not in self.derived_types:
            raise Unsupported(f"attribute {name} is not derived yet")
        return f'c."d_{name}"', text

    def param(self, name: str) -> tuple[str, str]:
        return literal(self.params.at(name, self.day)), f"'params.{name}'"

    def _type_of(self, path: list[str]) -> str | None:
        if path == ["period", "year"]:
            return "HUGEINT"
        if len(path) != 1:
            return None
        if path[0] in schema.PARTY_FIELDS:
            return self.party_types.get(path[0])
        return self.derived_types.get(path[0])


class Classifier:
    """Every classify clause of a run, in order: column-wise where it can, else per record."""

    def __init__(self, judge: Judge, con: Any, decide, party_types: dict[str, str]):
        self.run, self.con, self.decide = judge, con, decide
        self.party_types = party_types
        self.derived_types: dict[str, str] = {}
        # every party's fields once (``party_fields``, kept for party_year), then one row per judged year
        parties = sorted(judge.dataset.parties.values(), key=lambda p: p.id)
        _table(con, "party_fields", {"id": "VARCHAR", **{f"f_{n}": t for n, t in party_types.items()}},
               [[p.id, *[getattr(p, n) for n in party_types]] for p in parties])
        years = ", ".join(str(y) for y in judge.years())
        con.execute(f"CREATE TEMP TABLE classified AS SELECT CAST(y.year AS INTEGER) AS year, f.* FROM party_fields f "
                    f"CROSS JOIN (SELECT unnest([{years}]) AS year) y" if years else
                    "CREATE TEMP TABLE classified AS SELECT CAST(NULL AS INTEGER) AS year, f.* FROM party_fields f LIMIT 0")

    def close(self) -> None:
        """Drop the work tables (``party_fields`` and ``classified`` stay: _Bulk.tables reads them)."""
        for t in ("labels", "classified_k", "attr_values"):
            self.con.execute(f"DROP TABLE IF EXISTS {t}")

    def run_all(self, clauses: list[dict]) -> list[str]:
        """Classify with every clause in order; the ids classified per record (outside the subset)."""
        slow = []
        for clause in clauses:
            try:
                self.classify(clause)
            except Unsupported:
                slow.append(clause["id"])
                self.run.classify(clause)
                self.add_column(clause, self.per_record_type(clause))
        return slow

    def per_record_type(self, clause: dict) -> str | None:
        """The SQL type of an attribute classified per record, from its values (None: no column)."""
        from .sql import sql_type
        values = [attrs.get(clause["attribute"]) for y in self.run.years()
                  for attrs in self.run.env.derived.get(y, {}).values()]
        return sql_type(values)

    def add_column(self, clause: dict, sql_type_: str | None) -> None:
        """Copy an attribute classified per record into ``classified`` (later clauses may read it)."""
        if sql_type_ is None:
            return
        attr = clause["attribute"]
        rows = [[y, pid, attrs.get(attr)] for y in self.run.years()
                for pid, attrs in self.run.env.derived.get(y, {}).items()]
        _table(self.con, "attr_values", {"year": "INTEGER", "id": "VARCHAR", "v": sql_type_}, rows)
        self.con.execute(f'CREATE OR REPLACE TEMP TABLE classified AS SELECT c.*, a.v AS "d_{attr}" FROM classified c '
                         f"LEFT JOIN attr_values a ON a.year = c.year AND a.id = c.id")
        self.con.execute("DROP TABLE attr_values")
        self.derived_types[attr] = sql_type_

    def classify(self, clause: dict) -> None:
        attr, cases, default = clause["attribute"], clause["cases"], clause["default"]
        years = self.run.years()
        dec_json = clause["decisions"]["case"]
        # SQL for every year first: anything outside the subset raises before a value is stored
        per_year: dict[int, tuple[str, list[str]]] = {}
        for year in years:
            scope = PartyYearScope(self.run.env.params, self.derived_types, self.party_types, year)
            parts = []
            for a in dec_json["atoms"]:
                if a["op"] in ("in_force", "fact"):
                    raise Unsupported("pseudo-atom in a classify clause")
                if a["op"] == "assume":
                    parts.append("'f'" if a["id"] in self.run.assume_off else "'t'")
                else:
                    parts.append(scope.atom(a)[0])
            values = [self.value_sql(scope, c) for c in cases]
            per_year[year] = (" || ".join(parts) if parts else "''", [*values, self.value_sql(scope, default)])
        types = {t for _, vals in per_year.values() for _, t in vals if t is not None}
        if len(types) > 1:
            raise Unsupported(f"values of several types: {sorted(types)}")
        out_type = types.pop() if types else None
        if out_type is None:  # every value a null constant
            out_type = "VARCHAR"
        # the rows, each distinct one decided once, the value chosen in SQL from the label
        whens = []
        for year, (key, vals) in per_year.items():
            whens.append(f"WHEN c.year = {year} THEN {key}")
        key_sql = f"(CASE {' '.join(whens)} END)"
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE classified_k AS SELECT c.year, c.id, {key_sql} AS k "
                             f"FROM classified c")
            keys = [r[0] for r in self.con.execute("SELECT DISTINCT k FROM classified_k ORDER BY k").fetchall()]
            labels = self.decide(clause, "case", keys)
            _table(self.con, "labels", {"k": "VARCHAR", "label": "VARCHAR"}, sorted(labels.items()))
            value_cases = []
            for year, (_key, vals) in per_year.items():
                by_label = " ".join(f"WHEN l.label = 'case:{i}' THEN {v}" for i, (v, _t) in enumerate(vals[:-1]))
                value_cases.append(f"WHEN c.year = {year} THEN (CASE {by_label} "
                                   f"WHEN l.label = 'default' THEN {vals[-1][0]} ELSE NULL END)")
            self.con.execute(
                f'CREATE OR REPLACE TEMP TABLE classified AS SELECT c.*, '
                f'CAST((CASE {" ".join(value_cases)} END) AS {out_type}) AS "d_{attr}", l.label AS label_ '
                f"FROM classified c JOIN classified_k kk ON kk.year = c.year AND kk.id = c.id "
                f"JOIN labels l ON l.k = kk.k")
            got = self.con.execute(f'SELECT year, id, "d_{attr}", label_ FROM classified ORDER BY year, id').fetchall()
            self.con.execute("ALTER TABLE classified DROP COLUMN label_")
            if len(got) != len(self.run.dataset.parties) * len(years):  # every party and year, once
                raise Unsupported(f"{len(got)} classified rows for {len(self.run.dataset.parties)} parties "
                                  f"and {len(years)} years")
        except (duckdb.Error, Unsupported) as err:  # e.g. a type DuckDB cannot unify: per record instead
            self.con.execute("DROP TABLE IF EXISTS labels")
            self.con.execute("DROP TABLE IF EXISTS classified_k")
            have = [r[0] for r in self.con.execute("DESCRIBE classified").fetchall()]
            for column in (f"d_{attr}", "label_"):
                if column in have:
                    self.con.execute(f'ALTER TABLE classified DROP COLUMN "{column}"')
            raise Unsupported(f"DuckDB: {err}") from None
        self.con.execute("DROP TABLE labels")
        self.con.execute("DROP TABLE classified_k")
        self.derived_types[attr] = out_type
        self.store(clause, got)

    def value_sql(self, scope: PartyYearScope, case: dict) -> tuple[str, str | None]:
        """(SQL value, its type or None for a null constant) of a case's value."""
        if case["value_from"]:
            t = case["value_from"]
            if t["op"] != "path":
                raise Unsupported("value_from that is not a field")
            sql, _ = scope.value(t)
            typ = scope._type_of(t["path"])
            if typ not in _EXACT_BACK:
                raise Unsupported(f"value_from of type {typ}")
            return sql, typ
        v = decode_const(case["value"])
        if v is None:
            return "NULL", None
        if isinstance(v, bool):
            return literal(v), "BOOLEAN"
        if isinstance(v, str):
            return literal(v), "VARCHAR"
        raise Unsupported(f"constant value of type {type(v).__name__}")

    def store(self, clause: dict, got: list[tuple]) -> None:
        """Write the values as :meth:`Judge.classify` does, with the reasons of unknown ones."""
        attr = clause["attribute"]
        env = self.run.env
        dec = D.from_json(clause["decisions"]["case"])
        fns = None
        by_id = self.run.dataset.parties
        derived = env.derived
        year_store: dict | None = None
        last_year = None
        for year, pid, value, label in got:
            if year != last_year or year_store is None:  # rows come grouped by year: look it up once per run
                year_store, last_year = derived.setdefault(year, {}), year
            attrs = year_store.get(pid)
            if attrs is None:
                attrs = year_store[pid] = {}
            attrs[attr] = value
            if value is None:
                why_store = env.derived_why.setdefault(year, {})
                if label == "default" or label.startswith("case:"):
                    why = tuple(clause.get("default_missing") or ()) if label == "default" else ()
                else:  # the per-record reasons: the fields the unknown atoms read
                    if fns is None:
                        fns = self.run.atom_fns(clause, "case", "parties")
                    ctx = Ctx(rec=by_id[pid], day=_dt.date(year, 12, 31), year=year, period=Period.of(year))
                    row = self.run.row(fns, ctx, [], {})
                    why = unknown_why(clause, label, dec, fns, ctx, row, why_store.get(pid, {}))
                if why:
                    why_store.setdefault(pid, {})[attr] = why

