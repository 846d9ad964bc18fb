"""The ``match`` atoms of an exists clause over purchases, compiled to SQL over pairs.

:meth:`perbup_rules.judge.Judge.exists` builds one row of match atoms per (subject purchase,
category, related record under the link) and decides each: on the hard shape (a supplier's
partnerships matched against each of its awards) that Python loop was most of the audit. Here
the same rows are computed column-wise over pairs: the purchase (``facts`` and ``purchases``
alias ``p``), the related record (table ``mrel`` alias ``r``, joined on the link), the clause's
categories (alias ``c``); each distinct row is decided once, and the ids that match (``t``) or
may (``u``) are gathered per purchase and category, with the names whose absence left a
``u`` row open (``Judge.relevant_missing``).

Each pair's row is an integer (atom ``i`` worth ``3**i`` times 0 for ``t``, 1 for ``f``, 2 for
``u``): the atoms that read only the related record (and the year: its relations' derived
attributes) are worked out once per related record and year (``mside``), the others per pair,
and the two parts add up. Pairs are kept as integers (purchase row, category, related record)
until the few that match or may are read back.

The atoms compile exactly as :class:`perbup_rules.atoms.Compiled` evaluates them per record:
``'t'``/``'f'``/``'u'``, SQL ``NULL`` for a missing value, exact types only (text, dates,
true/false, whole numbers); both sides of a comparison of the same type. They may read the
related record's own fields (a list field ``';'``-joined, as purchases' list columns are), its
relations to parties (``partner.umkk``: ``party_year`` for the purchase's year, as
:class:`.sql.PurchaseScope` joins parties), ``subject.<purchase field>``, ``category``,
``known(...)``, ``x in <list>`` and named assumptions. Anything else raises
:class:`~.sql.Unsupported` and the clause keeps the per-record matching.

Which operand of a comparison was missing is not told by its ``'u'``, so each pair also gets a
*mask*: for every atom with two operands that can be missing, which of them is. The missing
names of a ``u`` row are then a function of (row, mask), worked out once per distinct pair of them.
"""

from __future__ import annotations

from typing import Any

from .. import schema
from ..compiler import decisions as D
from ..expr import decode_const
from .load import LIST_COLUMNS, SQL_TYPES, _table
from .sql import _CMP, Unsupported, literal, sql_type

#: SQL types compared exactly alike here and per record (Python ``==``/``<`` on str, date, bool, int).
_EXACT = ("VARCHAR", "DATE", "BOOLEAN", "HUGEINT")
#: The column type of a related record's field of each schema type (amounts: whole rupiah only).
_SCHEMA_TYPES = {schema.STR: "VARCHAR", schema.CODE: "VARCHAR", schema.DATE: "DATE", schema.BOOL: "BOOLEAN",
                 schema.INT: "HUGEINT", schema.MONEY: "HUGEINT"}


def _const_type(v: Any) -> str:
    t = sql_type([v]) if v is not None else None
    if t not in _EXACT or v is None:
        raise Unsupported(f"constant {v!r} in a match")
    return t


class MatchScope:
    """Compiles the match atoms of one exists clause over (purchase, category, related record) pairs.

    ``records``: the related table's records (partnerships or reports); their fields with an
    exact SQL type become columns of ``mrel`` (:meth:`load`). ``party_types``/``derived_types``:
    the columns of ``party_year`` (``f_<field>``, ``d_<attribute>``). In the SQL, ``r`` is the
    related record with its year and its relations' columns (``mside``), ``s`` the subject
    purchase (``mpick``: its fields ``s_<name>``), ``c`` the category.
    """

    def __init__(self, clause: dict, records: list, party_types: dict[str, str], derived_types: dict[str, str],
                 assume_off: frozenset = frozenset()):
        self.clause, self.records = clause, records
        self.related = clause["related"]
        if self.related not in ("partnerships", "reports") or clause["over"] != "purchases":
            raise Unsupported("an exists clause not over purchases, or over an unknown related table")
        link_from = clause.get("link_from", "id")
        if schema.PURCHASE_FIELDS.get(link_from) != schema.STR or \
                schema.TABLE_FIELDS[self.related].get(clause["link"]) != schema.STR:
            raise Unsupported("linked by a field that is not a text id")
        self.fields = schema.TABLE_FIELDS[self.related]
        self.party_types, self.derived_types, self.assume_off = party_types, derived_types, assume_off
        self.types = self._types()
        if self.types.get(clause["link"]) != "VARCHAR":
            raise Unsupported("a link value that is not text")
        #: relation columns of ``mside``: column -> SQL over the joined ``party_year`` alias; and the joins
        self.rel_cols: dict[str, str] = {}
        self.joins: dict[str, str] = {}
        self.subject_cols: set[str] = set()
        self._pair = False  # while compiling an atom: whether it read the subject or the category
        atoms = clause["decisions"]["match"]["atoms"]
        if len(atoms) > 39:
            raise Unsupported("more match atoms than an integer row holds")
        #: per atom: (SQL of its code 0/1/2 for t/f/u, its operands that can be missing [(SQL, name)], per pair?)
        self.atoms: list[tuple[str, list[tuple[str, str]], bool]] = []
        for a in atoms:
            self._pair = False
            sql, ops = self.atom(a)
            self.atoms.append((sql, ops, self._pair))
        if sum(len(ops) == 2 for _s, ops, _p in self.atoms) > 31:
            raise Unsupported("more two-operand atoms than an integer mask holds")
        self.dec = D.from_json(clause["decisions"]["match"])

    def _types(self) -> dict[str, str]:
        """Column types of the related table: None for a field without an exact column-wise form."""
        out: dict[str, str] = {}
        for name, kind in self.fields.items():
            if kind == schema.RATIO:
                continue  # a property computed from two fields, not a column
            values = [getattr(k, name) for k in self.records]
            if kind == schema.LIST:
                # items joined by ';': an item holding ';' (or empty) would read back otherwise
                if all(isinstance(v, tuple) and all(isinstance(i, str) and i and ";" not in i for i in v)
                       for v in values):
                    out[name] = "LIST"
                continue
            # the schema's type (a column of NULLs is typed too), when every value has it
            t = _SCHEMA_TYPES.get(kind)
            if t is not None and all(v is None or sql_type([v]) == t for v in values):
                out[name] = t
        return out

    # the related table ------------------------------------------------------------------
    def load(self, con: Any, link: str) -> None:
        """The related records as ``mrel`` (``ri``: the record's index, then its typed fields; a
        list ';'-joined), the ones with a link value only (Judge.exists skips the others)."""
        cols = {"ri": "INTEGER", **{f"c_{n}": ("VARCHAR" if t == "LIST" else t) for n, t in self.types.items()}}
        names = list(self.types)
        rows = [[i, *[getattr(k, n) for n in names]] for i, k in enumerate(self.records) if getattr(k, link) is not None]
        if rows:
            _table(con, "mrel", cols, rows)
        else:
            con.execute(f"CREATE TEMP TABLE mrel ({', '.join(f'{c} {t}' for c, t in cols.items())})")

    # values ----------------------------------------------------------------------------
    def path(self, path: list[str]) -> tuple[str, str, str]:
        """(SQL value, SQL type, missing name) of a path from a pair; type ``LIST`` for a list field
        (never missing: a record's list is ``()`` when empty)."""
        text = ".".join(path)
        name0 = path[0]
        if name0 in ("subject", "candidate", "period", "category") and name0 not in self.fields:
            if name0 == "category" and len(path) == 1:
                self._pair = True
                return "c.cat", "VARCHAR", "category"
            if name0 == "subject" and len(path) == 2 and path[1] in schema.PURCHASE_FIELDS \
                    and path[1] not in LIST_COLUMNS and SQL_TYPES.get(path[1]) in ("VARCHAR", "DATE", "BOOLEAN"):
                self._pair = True
                self.subject_cols.add(path[1])
                return f's."s_{path[1]}"', SQL_TYPES[path[1]], text
            raise Unsupported(f"path {text} in a match")
        if len(path) == 1:
            t = self.types.get(name0)
            if t is None:
                raise Unsupported(f"related field {name0} has no exact column-wise form")
            return f'r."c_{name0}"', t, text
        rel = schema.RELATIONS.get(self.related, {}).get(name0)
        if rel is None or len(path) != 2 or rel[1] != "parties":
            raise Unsupported(f"path {text} in a match")
        fk, name = rel[0], path[1]
        if self.types.get(fk) != "VARCHAR":
            raise Unsupported(f"relation {name0} by a field that is not text")
        if name in schema.PARTY_FIELDS:
            t, col = self.party_types.get(name), f"f_{name}"
        else:
            t, col = self.derived_types.get(name), f"d_{name}"
        if t not in _EXACT:
            raise Unsupported(f"party field {name} has no exact column-wise form")
        # the party of the record's relation in the purchase's year (party_year, as PurchaseScope joins it)
        alias = f"m_{name0}"
        self.joins[alias] = f'LEFT JOIN party_year {alias} ON {alias}.id = mrel."c_{fk}" AND {alias}.year = y.yr'
        self.rel_cols[f"{alias}__{col}"] = f'{alias}."{col}"'
        return f'r."{alias}__{col}"', t, text

    def value(self, t: dict) -> tuple[str, str, str | None]:
        """(SQL value, SQL type, missing name or None when it is never missing)."""
        op = t["op"]
        if op == "const":
            v = decode_const(t["value"])
            return literal(v), _const_type(v), None
        if op == "path":
            sql, typ, text = self.path(t["path"])
            return sql, typ, None if typ == "LIST" else text
        raise Unsupported(f"value {op} in a match")

    # atoms -----------------------------------------------------------------------------
    def atom(self, t: dict) -> tuple[str, list[tuple[str, str]]]:
        """(SQL giving 0/1/2 for 't'/'f'/'u', [(SQL value, missing name)] of its operands that can be missing)."""
        op = t["op"]
        if op == "known":
            sql, typ, _ = self.path(t["path"])
            return ("0" if typ == "LIST" else f"(CASE WHEN {sql} IS NULL THEN 1 ELSE 0 END)"), []
        if op == "path":
            sql, typ, name = self.value(t)
            if typ != "BOOLEAN":
                raise Unsupported("truth of a field that is not true/false")
            return _code(sql, f"{sql} IS NULL"), [(sql, name)]  # type: ignore[list-item]
        if op == "const":
            return ("0" if decode_const(t["value"]) else "1"), []
        if op == "assume":
            return ("1" if t["id"] in self.assume_off else "0"), []
        if op == "cmp":
            (a, at, an), (b, bt, bn) = self.value(t["left"]), self.value(t["right"])
            if at != bt or at == "LIST":
                raise Unsupported(f"comparison of {at} with {bt}")
            cond = f"{a} {_CMP[t['cmp']]} {b}"
            operands = [(a, an), (b, bn)]
        elif op == "in":
            a, at, an = self.value(t["left"])
            right = t["right"]
            if right["op"] == "list":
                items = [decode_const(i["value"]) for i in right["items"]]
                if at == "LIST" or any(_const_type(i) != at for i in items):
                    raise Unsupported("membership of values of other types")
                cond = f"{a} IN ({', '.join(literal(i) for i in items)})" if items else "FALSE"
            else:
                b, bt, _ = self.value(right)
                if bt != "LIST" or at != "VARCHAR" or not b.startswith('r."c_'):
                    raise Unsupported("membership in a field that is not the related record's list")
                cond = f"coalesce(list_contains({b}, {a}), FALSE)"  # split once in mside
            if t["negate"]:
                cond = f"NOT ({cond})"
            operands = [(a, an)]
        else:
            raise Unsupported(f"atom {op} in a match")
        nullable = [(s, n) for s, n in operands if n is not None]
        unknown = " OR ".join(f"{s} IS NULL" for s, _ in nullable) or "FALSE"
        return _code(cond, unknown), nullable  # type: ignore[return-value]

    # rows as integers -------------------------------------------------------------------
    def row_sql(self, pair: bool) -> str:
        """The part of a row's integer from the atoms read per pair (or per related record and year)."""
        parts = [f"CAST({s} AS BIGINT) * {3 ** i}" for i, (s, _o, p) in enumerate(self.atoms) if p == pair]
        return " + ".join(parts) if parts else "CAST(0 AS BIGINT)"

    def mask_sql(self, pair: bool) -> str:
        """Likewise the mask: per atom with two operands that can be missing, which are (0 none,
        1 left, 2 right, 3 both), worth ``4**j`` for the j-th such atom."""
        parts, j = [], 0
        for _s, ops, p in self.atoms:
            if len(ops) == 2:
                if p == pair:
                    (a, _), (b, _) = ops
                    parts.append(f"CAST((CASE WHEN {a} IS NULL THEN 1 ELSE 0 END) + "
                                 f"(CASE WHEN {b} IS NULL THEN 2 ELSE 0 END) AS BIGINT) * {4 ** j}")
                j += 1
        return " + ".join(parts) if parts else "CAST(0 AS BIGINT)"

    def row_of(self, k: int) -> str:
        """The t/f/u row an integer stands for."""
        out = []
        for _ in self.atoms:
            k, c = divmod(k, 3)
            out.append("tfu"[c])
        return "".join(out)

    def missing(self, row: str, mask: int, label: str) -> tuple[str, ...]:
        """The names ``relevant_missing`` gives a pair with this row and mask: the missing operands
        of each unknown atom whose value could change the label."""
        out: set[str] = set()
        cells = list(row)
        for i, (_s, ops, _p) in enumerate(self.atoms):
            which = 0
            if len(ops) == 2:
                mask, which = divmod(mask, 4)
            if cells[i] != "u":
                continue
            if D.changes_label(self.dec, cells, i, label):
                if len(ops) == 1:
                    out.add(ops[0][1])
                elif len(ops) == 2:
                    out.update(n for j, (_x, n) in enumerate(ops) if which & (1 << j))
        return tuple(sorted(out))


def _code(cond: str, unknown: str) -> str:
    """2 (u) when ``unknown`` holds, else 0 (t) or 1 (f) by ``cond``."""
    return f"(CASE WHEN {unknown} THEN 2 WHEN {cond} THEN 0 ELSE 1 END)"


def build_pairs(scope: MatchScope, con: Any, picked: str) -> None:
    """``mpick``: the dated purchases in ``picked`` (a condition on ``facts``) with the fields the
    atoms read; ``mside``: each related record per year of them, with its own atoms' part; and
    the view ``mpairs``: every (purchase row ``rn``, category ``ci``, related record ``ri``) under
    the link, with its row ``k`` and mask ``mk`` as integers."""
    clause = scope.clause
    cats = clause["categories"] or [None]
    link, link_from = clause["link"], clause.get("link_from", "id")
    subject = "".join(f', p."{n}" AS "s_{n}"' for n in sorted(scope.subject_cols))
    # the purchases picked first (a filter of ``facts``), then their fields: joined the other way,
    # DuckDB hashes every purchase (200 MB at the audit's peak on the hard shape at 1M)
    con.execute(f"CREATE TEMP TABLE mpick AS WITH f AS MATERIALIZED (SELECT facts.rownum, facts.id, facts.yr FROM facts "
                f"WHERE NOT facts.nodate AND ({picked})) "
                f'SELECT f.rownum AS rn, f.id AS pid, f.yr, p."{link_from}" AS lk{subject} FROM f '
                f'JOIN purchases p ON p.rownum = f.rownum WHERE p."{link_from}" IN (SELECT "c_{link}" FROM mrel)')
    cols = ", ".join(f'string_split(nullif(mrel."c_{n}", \'\'), \';\') AS "c_{n}"' if t == "LIST" else f'mrel."c_{n}"'
                     for n, t in scope.types.items())
    rel = "".join(f', {sql} AS "{c}"' for c, sql in sorted(scope.rel_cols.items()))
    joins = " ".join(scope.joins[a] for a in sorted(scope.joins))
    con.execute(f"CREATE TEMP TABLE mside AS SELECT r.*, {scope.row_sql(False)} AS kown, {scope.mask_sql(False)} AS mown "
                f"FROM (SELECT mrel.ri, {cols}, y.yr{rel} FROM mrel CROSS JOIN (SELECT DISTINCT yr FROM mpick) y {joins}) r")
    values = ", ".join(f"({i}, CAST({literal(c)} AS VARCHAR))" for i, c in enumerate(cats))
    # a view, not a table: read twice (its distinct rows, then those that match or may), the join
    # is made twice (the related side is small) instead of held (two million pairs on the hard
    # shape at 1M, 100 MB and more of DuckDB's memory at the audit's peak)
    con.execute(f"CREATE TEMP VIEW mpairs AS SELECT s.rn, c.ci, r.ri, r.kown + {scope.row_sql(True)} AS k, "
                f"r.mown + {scope.mask_sql(True)} AS mk FROM mpick s "
                f'JOIN mside r ON r."c_{link}" = s.lk AND r.yr = s.yr CROSS JOIN (VALUES {values}) c(ci, cat)')


def given_matches(scope: MatchScope, con: Any, decide, picked: str) -> dict[tuple, tuple]:
    """Per (purchase id, category) of the dated purchases in ``picked`` (a condition on ``facts``)
    with related records that match or may: (ids matching, ids that may, missing names), as
    Judge.exists finds them. ``decide(keys)`` labels the distinct match rows (t/f/u strings)."""
    cats = scope.clause["categories"] or [None]
    try:
        build_pairs(scope, con, picked)
        rows = {k: scope.row_of(k) for (k,) in con.execute("SELECT DISTINCT k FROM mpairs").fetchall()}
        labels = decide(sorted(set(rows.values())))
        kept = sorted(k for k, row in rows.items() if labels[row] in ("t", "u"))
        got = con.execute(f"SELECT s.pid, m.ci, m.ri, m.k, m.mk FROM mpairs m JOIN mpick s ON s.rn = m.rn "
                          f"WHERE m.k IN ({', '.join(str(k) for k in kept) or 'NULL'})").fetchall()
    finally:
        con.execute("DROP VIEW IF EXISTS mpairs")
        for t in ("mside", "mpick"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
    found: dict[tuple, list[str]] = {}
    maybe: dict[tuple, list[str]] = {}
    missing: dict[tuple, set[str]] = {}
    names: dict[tuple[int, int], tuple[str, ...]] = {}
    for pid, ci, ri, k, mk in got:
        key = (pid, cats[ci])
        rid = scope.records[ri].id
        if labels[rows[k]] == "t":
            found.setdefault(key, []).append(rid)
            continue
        maybe.setdefault(key, []).append(rid)
        got_names = names.get((k, mk))
        if got_names is None:
            got_names = names[(k, mk)] = scope.missing(rows[k], mk, "u")
        missing.setdefault(key, set()).update(got_names)
    return {key: (tuple(sorted(found.get(key, ()))), tuple(sorted(maybe.get(key, ()))),
                  tuple(sorted(missing.get(key, ())))) for key in set(found) | set(maybe)}
