"""The ``match`` atoms of an exists clause over purchases, compiled to SQL over pairs.

:meth:`perbup_rules.judge.Judge.exists` builds one row of match atoms per (subject purchase,
category, related record under the link) and decides each: on the hard shape (a supplier's
partnerships matched against each of its awards) that Python loop was most of the audit. Here
the same rows are computed column-wise over pairs: the purchase (``facts`` and ``purchases``
alias ``p``), the related record (table ``mrel`` alias ``r``, joined on the link), the clause's
categories (alias ``c``); each distinct row is decided once, and the ids that match (``t``) or
may (``u``) are gathered per purchase and category, with the names whose absence left a
``u`` row open (``Judge.relevant_missing``).

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
from .sql import _CMP, Unsupported, literal, sql_type, tri

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
    the columns of ``party_year`` (``f_<field>``, ``d_<attribute>``).
    """

    def __init__(self, clause: dict, records: list, party_types: dict[str, str], derived_types: dict[str, str],
                 assume_off: frozenset = frozenset()):
        self.clause, self.records = clause, records
        self.related = clause["related"]
        if self.related not in ("partnerships", "reports") or clause["over"] != "purchases":
            raise Unsupported("an exists clause not over purchases, or over an unknown related table")
        self.fields = schema.TABLE_FIELDS[self.related]
        self.party_types, self.derived_types, self.assume_off = party_types, derived_types, assume_off
        self.types = self._types()
        self.joins: dict[str, str] = {}
        atoms = clause["decisions"]["match"]["atoms"]
        compiled = [self.atom(a) for a in atoms]
        #: per atom: SQL of its t/f/u, and its operands that can be missing [(SQL, name)]
        self.atoms = compiled
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
        """The related records as ``mrel`` (``rid``: the record's id, then its typed fields), the
        ones with a link value only (Judge.exists skips the others)."""
        cols = {"rid": "VARCHAR", **{f"c_{n}": ("VARCHAR" if t == "LIST" else t) for n, t in self.types.items()}}
        names = list(self.types)
        rows = [[k.id, *[getattr(k, n) for n in names]] for k in self.records if getattr(k, link) is not None]
        _table(con, "mrel", cols, rows)

    # values ----------------------------------------------------------------------------
    def path(self, path: list[str]) -> tuple[str, str, str]:
        """(SQL value, SQL type, missing name) of a path from a pair; type ``LIST`` for a list field
        (never missing: a record's list is ``()`` when empty)."""
        text = ".".join(path)
        name0 = path[0]
        if name0 in ("subject", "candidate", "period", "category") and name0 not in self.fields:
            if name0 == "category" and len(path) == 1:
                return "c.cat", "VARCHAR", "category"
            if name0 == "subject" and len(path) == 2 and path[1] in schema.PURCHASE_FIELDS \
                    and path[1] not in LIST_COLUMNS and SQL_TYPES.get(path[1]) in ("VARCHAR", "DATE", "BOOLEAN"):
                return f'p."{path[1]}"', SQL_TYPES[path[1]], text
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
        alias = f"m_{name0}"
        self.joins[alias] = (f'LEFT JOIN party_year {alias} ON {alias}.id = r."c_{fk}" '
                             f"AND {alias}.year = facts.yr")
        return f'{alias}."{col}"', t, text

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
        """(SQL giving 't'/'f'/'u', [(SQL value, missing name)] of its operands that can be missing)."""
        op = t["op"]
        if op == "known":
            sql, typ, _ = self.path(t["path"])
            return ("'t'" if typ == "LIST" else f"(CASE WHEN {sql} IS NULL THEN 'f' ELSE 't' END)"), []
        if op == "path":
            sql, typ, name = self.value(t)
            if typ != "BOOLEAN":
                raise Unsupported("truth of a field that is not true/false")
            return tri(sql, f"{sql} IS NULL"), [(sql, name)]  # type: ignore[list-item]
        if op == "const":
            return ("'t'" if decode_const(t["value"]) else "'f'"), []
        if op == "assume":
            return ("'f'" if t["id"] in self.assume_off else "'t'"), []
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
                if bt != "LIST" or at != "VARCHAR" or not b.startswith("r."):
                    raise Unsupported("membership in a field that is not the related record's list")
                cond = f"coalesce(list_contains(string_split(nullif({b}, ''), ';'), {a}), FALSE)"
            if t["negate"]:
                cond = f"NOT ({cond})"
            operands = [(a, an)]
        else:
            raise Unsupported(f"atom {op} in a match")
        nullable = [(s, n) for s, n in operands if n is not None]
        unknown = " OR ".join(f"{s} IS NULL" for s, _ in nullable) or "FALSE"
        return tri(cond, unknown), nullable  # type: ignore[return-value]

    def row_sql(self) -> str:
        return " || ".join(s for s, _ in self.atoms) if self.atoms else "''"

    def mask_sql(self) -> str:
        """Per atom with two operands that can be missing: which are ('1' left, '2' right, '3' both, '0' none)."""
        parts = []
        for _s, ops in self.atoms:
            if len(ops) == 2:
                (a, _), (b, _) = ops
                parts.append(f"(CASE WHEN {a} IS NULL AND {b} IS NULL THEN '3' WHEN {a} IS NULL THEN '1' "
                             f"WHEN {b} IS NULL THEN '2' ELSE '0' END)")
        return " || ".join(parts) if parts else "''"

    def missing(self, row: str, mask: str, label: str) -> tuple[str, ...]:
        """The names ``relevant_missing`` gives a pair with this row and mask: the missing operands
        of each unknown atom whose value could change the label."""
        out: set[str] = set()
        m = 0
        cells = list(row)
        for i, (_s, ops) in enumerate(self.atoms):
            which = None
            if len(ops) == 2:
                which, m = mask[m], m + 1
            if cells[i] != "u":
                continue
            if any(D.decide(self.dec, cells[:i] + [alt] + cells[i + 1:]) != label for alt in "tf"):
                if len(ops) == 1:
                    out.add(ops[0][1])
                elif len(ops) == 2:
                    out.update(n for j, (_x, n) in enumerate(ops) if which in ("3", "12"[j]))
        return tuple(sorted(out))


def pairs_sql(scope: MatchScope, picked: str) -> str:
    """The query of every (dated purchase in ``picked``, category index, related record under the
    link): purchase id ``pid``, ``ci``, related id ``rid``, match row ``k`` and mask ``mk``."""
    clause = scope.clause
    cats = clause["categories"] or [None]
    values = ", ".join(f"({i}, CAST({literal(c)} AS VARCHAR))" for i, c in enumerate(cats))
    joins = " ".join(scope.joins[a] for a in sorted(scope.joins))
    link, link_from = clause["link"], clause.get("link_from", "id")
    return (f"SELECT facts.id AS pid, c.ci, r.rid, {scope.row_sql()} AS k, {scope.mask_sql()} AS mk "
            f"FROM facts JOIN purchases p ON p.rownum = facts.rownum "
            f'JOIN mrel r ON r."c_{link}" = p."{link_from}" '
            f"CROSS JOIN (VALUES {values}) c(ci, cat) {joins} "
            f"WHERE NOT facts.nodate AND ({picked})")


def given_matches(scope: MatchScope, con: Any, decide, picked: str) -> dict[tuple, tuple]:
    """Per (purchase id, category) of the dated purchases in ``picked`` (a condition on ``facts``)
    with related records: (ids matching, ids that may, missing names), as Judge.exists finds them.
    ``decide(keys)`` labels the distinct match rows."""
    cats = scope.clause["categories"] or [None]
    con.execute(f"CREATE TEMP TABLE mpairs AS {pairs_sql(scope, picked)}")
    try:
        keys = [r[0] for r in con.execute("SELECT DISTINCT k FROM mpairs ORDER BY k").fetchall()]
        labels = decide(keys)
        kept = [[k, lab] for k, lab in labels.items() if lab in ("t", "u")]
        if kept:
            _table(con, "mlab", {"k": "VARCHAR", "label": "VARCHAR"}, kept)
        else:
            con.execute("CREATE TEMP TABLE mlab (k VARCHAR, label VARCHAR)")
        try:
            names = {(k, mk): scope.missing(k, mk, "u") for k, mk in con.execute(
                "SELECT DISTINCT k, mk FROM mpairs JOIN mlab USING (k) WHERE label = 'u'").fetchall()}
            rows = con.execute("""SELECT pid, ci, list(rid) FILTER (WHERE label = 't'),
                                         list(rid) FILTER (WHERE label = 'u'),
                                         list(DISTINCT [k, mk]) FILTER (WHERE label = 'u')
                                  FROM mpairs JOIN mlab USING (k) GROUP BY pid, ci""").fetchall()
        finally:
            con.execute("DROP TABLE mlab")
    finally:
        con.execute("DROP TABLE mpairs")
    out: dict[tuple, tuple] = {}
    for pid, ci, found, maybe, km in rows:
        missing = sorted({n for k, mk in km or () for n in names[(k, mk)]})
        out[(pid, cats[ci])] = (tuple(sorted(found or ())), tuple(sorted(maybe or ())), tuple(missing))
    return out
