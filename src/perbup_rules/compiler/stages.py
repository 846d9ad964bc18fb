"""The compiler: an ordered list of named stages from a loaded Regulation to a Ruleset.

Each stage reads and extends a :class:`Build`, adding diagnostics instead of
raising, so one run reports every problem. Order matters:

1. ``check_ids``        duplicate clause ids (before anything indexes clauses by id)
2. ``check_params``     dated parameter values: order, units, higher-law bounds
3. ``check_validity``   ``valid_from: params.NAME`` names a date parameter; with a
                         ``promulgated`` date, no date of the Perbup's own parameters precedes it
4. ``derive_attributes`` classify clauses define party attributes; cycles refused
                         (must run before resolve: paths may name derived attributes)
5. ``compile_clauses``  parse, resolve and type-check expressions; build decisions
6. ``check_dates``      validity ranges
7. ``check_text``       the ayat text states the parameters' numbers; the naskah frame (naskah/check.py)
"""

from __future__ import annotations

import datetime as _dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from .. import errors, expr, schema
from ..expr import params_in
from ..clauses import ClassifyClause, EachClause, ExistsClause, ShareClause, WindowClause
from ..errors import Diagnostic, SourceLocation
from ..i18n import msg
from ..loader import LoadedClause, Regulation
from ..params import encode_value
from ..source import YMap, YSeq, block_scalar_location
from . import decisions as D
from .dnf import TooComplex

UNIT_TYPES = {"ratio": schema.RATIO, "idr": schema.MONEY, "count": schema.INT, "date": schema.DATE}
#: Decimal places a ratio parameter may have.
MAX_RATIO_PLACES = 28


@dataclass
class Build:
    """State passed through the stages."""

    regulation: Regulation
    diags: list[Diagnostic] = field(default_factory=list)
    derived: dict[str, str] = field(default_factory=dict)  # attribute -> type
    derived_codes: dict[str, tuple] = field(default_factory=dict)
    derived_order: list[str] = field(default_factory=list)  # classify clause ids in dependency order
    clauses: list[dict] = field(default_factory=list)
    params: dict[str, dict] = field(default_factory=dict)

    def error(self, code: str, message: str, location: SourceLocation | None, clause: str | None = None,
              hint: str | None = None, severity: str = "error") -> None:
        self.diags.append(Diagnostic(code, message, location, clause=clause, hint=hint, severity=severity))


# --- stage 1 -----------------------------------------------------------------------

def check_ids(b: Build) -> None:
    seen: dict[str, LoadedClause] = {}
    for c in b.regulation.clauses:
        first = seen.get(c.model.id)
        if first is not None:
            b.error(errors.DUPLICATE_ID, msg("diag.duplicate_clause", id=c.model.id), c.node.value_loc("id"),
                    clause=c.model.id, hint=msg("diag.hint.first_defined", location=first.node.value_loc('id')))
        else:
            seen[c.model.id] = c


# --- stage 2 -----------------------------------------------------------------------

def check_params(b: Build) -> None:
    for name, p in sorted(b.regulation.params.items()):
        node = b.regulation.param_nodes.get(name)
        loc = node.loc if isinstance(node, YMap) else None
        dates = [v.from_ for v in p.values]
        if len(set(dates)) != len(dates):
            b.error(errors.BAD_DATE, msg("diag.param_same_date", name=name), loc)
        if dates != sorted(dates):
            b.error(errors.BAD_DATE, msg("diag.param_order", name=name), loc,
                    hint=msg("diag.hint.param_order"))
        for i, v in enumerate(p.values):
            vloc = _seq_item_loc(node, "values", i) or loc
            ok = {
                # at most MAX_RATIO_PLACES places: Fraction(Decimal("0.5e-999999999")) would never finish
                "ratio": isinstance(v.value, (Decimal, int)) and not isinstance(v.value, bool) and 0 <= v.value <= 1
                and (isinstance(v.value, int) or v.value.as_tuple().exponent >= -MAX_RATIO_PLACES),
                "idr": isinstance(v.value, int) and not isinstance(v.value, bool) and v.value >= 0,
                "count": isinstance(v.value, int) and not isinstance(v.value, bool) and v.value >= 0,
                "date": isinstance(v.value, _dt.date),
            }[p.unit]
            if not ok:
                from ..param_values import ValueSyntaxError

                in_range = isinstance(v.value, Decimal) and 0 <= v.value <= 1
                want = {"ratio": f"paling banyak {MAX_RATIO_PLACES} desimal / at most {MAX_RATIO_PLACES} decimal places"
                        if in_range else "rasio antara 0 dan 1 / a ratio between 0 and 1",
                        "idr": "rupiah bulat / a whole number of rupiah", "count": "bilangan bulat / a whole number",
                        "date": "tanggal / a date"}[p.unit]
                item = node["values"][i] if isinstance(node, YMap) and isinstance(node.get("values"), YSeq) else None
                b.error(errors.WRONG_TYPE, f"parameter {name}: values.{i}.value: "
                        f"{ValueSyntaxError(p.unit, format(v.value) if not isinstance(v.value, str) else v.value, want)}",
                        item.value_loc("value") if isinstance(item, YMap) else vloc)
            bound = p.higher_rule
            next_from = p.values[i + 1].from_ if i + 1 < len(p.values) else None
            overlaps = bound is not None and (bound.from_ is None or next_from is None or next_from > bound.from_)
            if bound is not None and ok and overlaps and p.unit != "date":
                if bound.min is not None and v.value < bound.min:
                    b.error(errors.WEAKENS_HIGHER_LAW,
                            msg("diag.param_below_min", name=name, value=v.value, start=v.from_, bound=bound.min,
                                citation=bound.citation),
                            vloc, hint=msg("diag.hint.stricter"))
                if bound.max is not None and v.value > bound.max:
                    b.error(errors.WEAKENS_HIGHER_LAW,
                            msg("diag.param_above_max", name=name, value=v.value, start=v.from_, bound=bound.max,
                                citation=bound.citation),
                            vloc, hint=msg("diag.hint.stricter"))
        b.params[name] = {
            "title": p.title.model_dump(),
            "unit": p.unit,
            "basis": p.basis,
            "values": [{"from": v.from_.isoformat(), "value": encode_value(p.unit, v.value), "reference": v.reference}
                       for v in sorted(p.values, key=lambda v: v.from_)],
            "higher_rule": None if p.higher_rule is None else {
                "min": None if p.higher_rule.min is None else str(p.higher_rule.min),
                "max": None if p.higher_rule.max is None else str(p.higher_rule.max),
                "citation": p.higher_rule.citation,
                "from": p.higher_rule.from_.isoformat() if p.higher_rule.from_ else None},
            "note": p.note,
        }


def _seq_item_loc(node: Any, key: str, i: int) -> SourceLocation | None:
    if isinstance(node, YMap) and isinstance(node.get(key), YSeq):
        return node[key].item_loc(i)
    return None


def valid_from(b: Build, c: LoadedClause) -> _dt.date | None:
    """A clause's first day in force: its date, or the value of the date parameter it names (the
    latest value: the one a promulgated Perbup states). Errors are reported once, by check_validity."""
    v = c.model.valid_from
    if not isinstance(v, str):
        return v
    p = b.params.get(v[len("params."):])
    if p is None or p["unit"] != "date" or not p["values"]:
        return None
    return _dt.date.fromisoformat(p["values"][-1]["value"])


def check_validity(b: Build) -> None:
    """``valid_from: params.NAME`` names a date parameter; and with a ``promulgated`` date, no date of
    the Perbup's own parameters (basis draft: their ``from`` dates, and date values such as
    obligations_from) precedes it: a Perbup binds from its promulgation, not before."""
    for c in b.regulation.clauses:
        v = c.model.valid_from
        if isinstance(v, str):
            name = v[len("params."):]
            p = b.params.get(name)
            if p is None:
                close = difflib.get_close_matches(name, list(b.params), n=2)
                b.error(errors.UNKNOWN_PARAMETER, f"valid_from: {v} is not defined in params.yaml", c.node.value_loc("valid_from"),
                        clause=c.model.id, hint=f"did you mean {' or '.join('params.' + x for x in close)}?" if close else None)
            elif p["unit"] != "date":
                b.error(errors.WRONG_TYPE, f"valid_from: {v} has unit {p['unit']}, not date", c.node.value_loc("valid_from"),
                        clause=c.model.id)
    promulgated = b.regulation.meta.promulgated
    if promulgated is None:
        return
    for name, p in sorted(b.params.items()):
        if p["basis"] != "draft":
            continue
        node = b.regulation.param_nodes.get(name)
        for i, v in enumerate(p["values"]):
            loc = _seq_item_loc(node, "values", i) or (node.loc if isinstance(node, YMap) else None)
            dates = [("from", _dt.date.fromisoformat(v["from"]))]
            if p["unit"] == "date":
                dates.append(("value", _dt.date.fromisoformat(v["value"])))
            for what, d in dates:
                if d < promulgated:
                    b.error(errors.RETROACTIVE,
                            f"parameter {name}: {what} {d} precedes the promulgation on {promulgated}",
                            loc, hint="the Perbup's own obligations cannot start before it is promulgated "
                                      "(UU 12/2011 Pasal 87); move the date on or after the promulgation")


# --- stage 3 -----------------------------------------------------------------------

def derive_attributes(b: Build) -> None:
    """Register classify attributes, their types, and a dependency order without cycles."""
    classify = [c for c in b.regulation.clauses if isinstance(c.model, ClassifyClause)]
    by_attr: dict[str, LoadedClause] = {}
    for c in classify:
        attr = c.model.attribute
        if attr in schema.PARTY_FIELDS:
            b.error(errors.DUPLICATE_ID, msg("diag.attr_is_field", attr=repr(attr)), c.node.value_loc("attribute"),
                    clause=c.model.id, hint=msg("diag.hint.attr_rename"))
            continue
        if attr in by_attr:
            b.error(errors.DUPLICATE_ID, msg("diag.attr_twice", attr=repr(attr)), c.node.value_loc("attribute"),
                    clause=c.model.id, hint=msg("diag.hint.also_derived", clause=by_attr[attr].model.id))
            continue
        by_attr[attr] = c
        values = [k.value for k in c.model.cases if k.value_from is None] + ([c.model.default] if c.model.default_from is None else [])
        values = [v for v in values if v is not None]
        if values and all(isinstance(v, bool) for v in values):
            b.derived[attr] = schema.BOOL
        elif all(isinstance(v, str) for v in values):
            b.derived[attr] = schema.CODE
            from_fields = [k.value_from for k in c.model.cases if k.value_from] + ([c.model.default_from] if c.model.default_from else [])
            codes = set(values)
            for f in from_fields:
                codes |= set(schema.code_values(f.split(".")) or ())
            b.derived_codes[attr] = tuple(sorted(codes))
        else:
            b.error(errors.EXPR_TYPE, msg("diag.attr_mixed", attr=repr(attr), values=sorted(map(repr, values))),
                    c.node.loc, clause=c.model.id, hint=msg("diag.hint.attr_mixed"))
            b.derived[attr] = schema.STR
    # dependencies: names used in the clause's conditions that are derived attributes
    deps: dict[str, set[str]] = {}
    for attr, c in by_attr.items():
        text = " ".join([k.when for k in c.model.cases] + [k.value_from or "" for k in c.model.cases] + [c.model.default_from or ""])
        used = set()
        for other in by_attr:
            if other != attr and _mentions(text, other):
                used.add(other)
        deps[attr] = used
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(a: str, trail: list[str]) -> None:
        if state.get(a) == 2:
            return
        if state.get(a) == 1:
            cyc = trail[trail.index(a):] + [a]
            c = by_attr[a]
            b.error(errors.CLASSIFY_CYCLE, msg("diag.classify_cycle", cycle=" -> ".join(cyc)), c.node.loc, clause=c.model.id)
            return
        state[a] = 1
        for d in sorted(deps[a]):
            visit(d, trail + [a])
        state[a] = 2
        order.append(a)

    for a in sorted(by_attr):
        visit(a, [])
    b.derived_order = [by_attr[a].model.id for a in order]
    # computed by the evaluator itself, per party and period (perbup_rules.subjects)
    from ..subjects import BUILTIN_DERIVED
    for attr, typ in BUILTIN_DERIVED.items():
        b.derived.setdefault(attr, typ)


def _mentions(text: str, name: str) -> bool:
    import re
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


# --- stage 4 -----------------------------------------------------------------------

class _ClauseCompiler:
    """Parses, resolves and type-checks the expressions of one clause and builds its decisions."""

    def __init__(self, b: Build, c: LoadedClause):
        self.b, self.c, self.m = b, c, c.model
        self.ok = True

    # locations ----------------------------------------------------------------
    def _expr_loc(self, node: Any, key: Any, col: int) -> SourceLocation:
        pos = None
        if isinstance(node, YMap) and isinstance(key, str):
            pos = node.value_pos.get(key)
        elif isinstance(node, YSeq) and isinstance(key, int) and key < len(node.item_pos):
            pos = node.item_pos[key]
        if pos is None:
            return self.c.node.loc
        loc, style = pos.location, pos.style
        if style == ">":
            return block_scalar_location(loc, col - 1)
        if style == "|":
            return SourceLocation(loc.file, loc.line + 1, 0)
        return SourceLocation(loc.file, loc.line, loc.column + (1 if style in ('"', "'") else 0) + col - 1)

    def err(self, code: str, message: str, loc: SourceLocation, hint: str | None = None) -> None:
        self.ok = False
        self.b.error(code, message, loc, clause=self.m.id, hint=hint)

    # scopes -------------------------------------------------------------------
    def record_scope(self, table: str) -> schema.Scope:
        s = schema.table_scope(table, self.b.derived)
        s.nested["period"] = schema.Scope({"start": schema.DATE, "end": schema.DATE, "year": schema.INT})
        return s

    # expressions --------------------------------------------------------------
    def parse(self, text: str, node: Any, key: Any) -> dict | None:
        try:
            return expr.parse(text)
        except expr.ExprSyntaxError as e:
            self.err(errors.EXPR_SYNTAX, msg("diag.expr_syntax", error=e.args[0]), self._expr_loc(node, key, e.col), hint=e.hint)
            return None

    def value_type(self, t: dict, scope: schema.Scope, node: Any, key: Any) -> str | None:
        op = t["op"]
        if op == "const":
            v = t["value"]
            if isinstance(v, bool):
                return schema.BOOL
            if isinstance(v, int):
                return schema.INT
            if isinstance(v, Decimal):
                return schema.RATIO
            if isinstance(v, _dt.date):
                return schema.DATE
            if v is None:
                self.err(errors.EXPR_TYPE, msg("diag.null_compare"),
                         self._expr_loc(node, key, t["col"]))
                return None
            return schema.STR
        if op == "param":
            p = self.b.params.get(t["name"])
            if p is None and t["name"] in self.b.regulation.param_nodes:
                self.err(errors.UNKNOWN_PARAMETER, msg("diag.param_invalid", name=t['name']),
                         self._expr_loc(node, key, t["col"]))
                return None
            if p is None:
                close = difflib.get_close_matches(t["name"], list(self.b.params), n=2)
                self.err(errors.UNKNOWN_PARAMETER, msg("diag.param_unknown", name=t['name']),
                         self._expr_loc(node, key, t["col"]),
                         hint=(msg("diag.hint.did_you_mean", names=" or ".join("params." + c for c in close)) if close
                               else msg("diag.hint.add_param")))
                return None
            return UNIT_TYPES[p["unit"]]
        if op == "path":
            typ, why = scope.resolve(t["path"])
            if typ is None:
                self.err(errors.UNKNOWN_PATH, why or msg("diag.unknown_name_bare"), self._expr_loc(node, key, t["col"]))
            return typ
        if op == "list":
            for i in t["items"]:
                if i["op"] != "const":
                    self.err(errors.EXPR_TYPE, msg("diag.list_literals"), self._expr_loc(node, key, i["col"]))
            return schema.LIST
        self.err(errors.EXPR_TYPE, msg("diag.condition_not_value", expr=expr.to_text(t)), self._expr_loc(node, key, t["col"]))
        return None

    def _codes_for(self, t: dict, scope: schema.Scope | None = None) -> tuple | None:
        if t["op"] != "path":
            return None
        last = t["path"][-1]
        table = scope.table_of(t["path"]) if scope is not None else None
        if last in self.b.derived_codes and table in (None, "parties"):
            return self.b.derived_codes[last]
        return schema.code_values(t["path"], table)

    def _check_code(self, path_node: dict, const_node: dict, node: Any, key: Any,
                    scope: schema.Scope | None = None) -> None:
        codes = self._codes_for(path_node, scope)
        v = const_node.get("value")
        if codes and isinstance(v, str) and v not in codes:
            close = difflib.get_close_matches(v, codes, n=2)
            self.err(errors.EXPR_TYPE, msg("diag.not_a_code", value=repr(v), path='.'.join(path_node['path'])),
                     self._expr_loc(node, key, const_node["col"]),
                     hint=(msg("diag.hint.codes_close", names=" or ".join(repr(c) for c in close), codes=", ".join(codes))
                           if close else msg("diag.hint.codes", codes=", ".join(codes))))

    def atom_check(self, t: dict, scope: schema.Scope, node: Any, key: Any) -> None:
        op = t["op"]
        loc = self._expr_loc(node, key, t["col"])
        if op == "known":
            typ, why = scope.resolve(t["path"])
            if typ is None:
                self.err(errors.UNKNOWN_PATH, why or msg("diag.unknown_name_bare"), loc)
            return
        if op == "path":
            typ = self.value_type(t, scope, node, key)
            if typ is not None and typ != schema.BOOL:
                self.err(errors.EXPR_TYPE, msg("diag.not_bool", path='.'.join(t['path']), type=typ),
                         loc, hint=msg("diag.hint.compare_it", path='.'.join(t['path'])))
            return
        if op == "cmp":
            lt = self.value_type(t["left"], scope, node, key)
            rt = self.value_type(t["right"], scope, node, key)
            if lt is None or rt is None:
                return
            groups = [{schema.MONEY, schema.INT, schema.RATIO}, {schema.DATE}, {schema.STR, schema.CODE}, {schema.BOOL}]
            if not any(lt in g and rt in g for g in groups):
                self.err(errors.EXPR_TYPE, msg("diag.cannot_compare", left=lt, right=rt, expr=expr.to_text(t)), loc)
                return
            if t["cmp"] not in ("==", "!=") and lt in (schema.STR, schema.CODE, schema.BOOL):
                self.err(errors.EXPR_TYPE, msg("diag.order_needs_numbers", op=t['cmp'], type=lt), loc)
            if t["right"]["op"] == "const":
                self._check_code(t["left"], t["right"], node, key, scope)
            if t["left"]["op"] == "const":
                self._check_code(t["right"], t["left"], node, key, scope)
            return
        if op == "in":
            lt = self.value_type(t["left"], scope, node, key)
            rt = self.value_type(t["right"], scope, node, key)
            if rt is not None and rt != schema.LIST:
                self.err(errors.EXPR_TYPE, msg("diag.in_needs_list", type=rt), loc)
            if t["right"]["op"] == "list" and t["left"]["op"] == "path":
                for item in t["right"]["items"]:
                    if item["op"] == "const":
                        self._check_code(t["left"], item, node, key, scope)
            _ = lt
            return
        if op == "const" and isinstance(t["value"], bool):
            return
        if op == "assume":
            from ..assumptions import IDS
            if t["id"] not in IDS:
                self.err(errors.UNKNOWN_PATH, msg("diag.unknown_assumption", name=repr(t["id"]), names=", ".join(IDS)), loc)
            return
        self.err(errors.EXPR_TYPE, msg("diag.not_condition", expr=expr.to_text(t)), loc)

    def logic(self, t: dict, scope: schema.Scope, atoms: list, node: Any, key: Any) -> dict:
        """Split a condition into a logic tree over atoms, appending atoms to ``atoms``."""
        op = t["op"]
        if op in ("and", "or"):
            return {op: [self.logic(a, scope, atoms, node, key) for a in t["args"]]}
        if op == "not":
            return {"not": self.logic(t["arg"], scope, atoms, node, key)}
        if op == "const" and isinstance(t["value"], bool):
            return {"const": t["value"]}
        self.atom_check(t, scope, node, key)
        atoms.append(t)
        return {"atom": len(atoms) - 1}

    def cond(self, text: str, scope: schema.Scope, atoms: list, node: Any, key: Any) -> dict:
        tree = self.parse(text, node, key)
        if tree is None:
            return {"const": False}
        return self.logic(tree, scope, atoms, node, key)

    def value_expr(self, text: str, scope: schema.Scope, node: Any, key: Any, want: set[str] | None = None) -> dict | None:
        tree = self.parse(text, node, key)
        if tree is None:
            return None
        typ = self.value_type(tree, scope, node, key)
        if typ is not None and want is not None and typ not in want:
            self.err(errors.EXPR_TYPE, msg("diag.wrong_value_type", expr=expr.to_text(tree), type=typ, want=" or ".join(sorted(want))),
                     self._expr_loc(node, key, tree["col"]))
        return tree

    # per kind -----------------------------------------------------------------
    def base(self) -> dict:
        m, c = self.m, self.c
        vf = valid_from(self.b, c)
        nums = [] if m.ayat is None else ([m.ayat] if isinstance(m.ayat, int) else list(m.ayat))
        return {
            "id": m.id, "kind": m.kind, "over": m.over, "citation": c.citation, "pasal": c.pasal.pasal, "ayat": nums,
            "title": m.title.model_dump(), "text": c.text, "derived_from": list(m.derived_from),
            "severity": m.severity, "note": m.note,
            "valid_from": vf.isoformat() if vf else None,
            **({"valid_from_param": m.valid_from[len("params."):]} if isinstance(m.valid_from, str) else {}),
            "valid_until": m.valid_until.isoformat() if m.valid_until else None,
            "location": str(c.node.loc),
        }

    def decision(self, atoms: list, decision: D.Decision) -> dict:
        # known(...), literals and computed facts are never unknown; nor is "in force" for
        # clauses over parties or yearly reports, which are judged on the last day of each period, or over
        # purchases, which are judged on their date or on each date an undated one may have
        # (perbup_rules.periods)
        two_valued = {i for i, a in enumerate(atoms) if a["op"] in ("known", "const", "fact", "assume")
                      or (a["op"] == "in_force" and self.m.over in ("parties", "purchases", "reports"))}
        try:
            out = D.to_json(decision, two_valued)
        except TooComplex as e:
            self.err(errors.EXPR_TYPE, msg("diag.too_complex", error=str(e)), self.c.node.loc,
                     hint=msg("diag.hint.split_clause"))
            out = {"guards": [], "outcomes": {}}
        out["atoms"] = atoms
        return out

    def classify(self) -> dict:
        m: ClassifyClause = self.m
        scope = self.record_scope("parties")
        atoms: list = []
        cases_node = self.c.node.get("cases")
        logics, values = [], []
        for i, case in enumerate(m.cases):
            cnode = cases_node[i] if isinstance(cases_node, YSeq) else None
            logics.append(self.cond(case.when, scope, atoms, cnode, "when"))
            vf = self.value_expr(case.value_from, scope, cnode, "value_from") if case.value_from else None
            values.append({"value": _json_scalar(case.value), "value_from": vf})
        default_from = self.value_expr(m.default_from, scope, self.c.node, "default_from") if m.default_from else None
        out = self.base()
        out.update(attribute=m.attribute, type=self.b.derived.get(m.attribute),
                   cases=values, default={"value": _json_scalar(m.default), "value_from": default_from},
                   decisions={"case": self.decision(atoms, D.first_case(logics))})
        if m.default_missing:  # only when given: compiled rulesets without it stay as they were
            out["default_missing"] = list(m.default_missing)
        return out

    def each(self) -> dict:
        m: EachClause = self.m
        scope = self.record_scope(m.over)
        atoms: list = [{"op": "in_force"}]
        applies = self.cond(m.applies, scope, atoms, self.c.node, "applies")
        subjects = self.subjects(scope, atoms)
        if subjects is not None:
            applies = {"and": [subjects[0], applies]}
        require = self.cond(m.require, scope, atoms, self.c.node, "require")
        unless_node = self.c.node.get("unless")
        unless = []
        for i, u in enumerate(m.unless):
            unode = unless_node[i] if isinstance(unless_node, YSeq) else None
            unless.append(self.cond(u.when, scope, atoms, unode, "when"))
        verdict = D.each_verdict(0, applies, require, unless)
        if m.once_on is not None:  # judged only on a day it is in force (perbup_rules.once): no such outcome
            verdict = [g for g in verdict if g[1] not in ("not_in_force", "no_date")]
        out = self.base()
        out.update(unless=[{"id": u.id, "title": u.title.model_dump()} for u in m.unless],
                   logic={"applies": applies, "require": require, "unless": unless},
                   decisions={"verdict": self.decision(atoms, verdict)})
        if subjects is not None:
            out["decisions"]["subjects"] = subjects[1]
        if m.once_on is not None or m.transition_of is not None:
            out.update(self.once())
        return out

    def once(self) -> dict:
        """``once_on`` ({"field": name} or {"param": name, "day": its latest value}) and
        ``transition_of``, checked (perbup_rules.once judges them)."""
        m, node = self.m, self.c.node
        out: dict = {}
        if m.once_on is not None:
            if m.over != "partnerships":
                self.err(errors.EXPR_TYPE, msg("diag.once_on_table"), node.value_loc("once_on"))
            elif m.once_on.startswith("params."):
                p = self.b.params.get(m.once_on[len("params."):])
                if p is None or p["unit"] != "date" or not p["values"]:
                    self.err(errors.UNKNOWN_PARAMETER, msg("diag.once_on_value", value=m.once_on), node.value_loc("once_on"))
                else:
                    out["once_on"] = {"param": m.once_on[len("params."):], "day": p["values"][-1]["value"]}
            elif schema.TABLE_FIELDS["partnerships"].get(m.once_on) == schema.DATE:
                out["once_on"] = {"field": m.once_on}
            else:
                self.err(errors.UNKNOWN_PATH, msg("diag.once_on_value", value=m.once_on), node.value_loc("once_on"))
        if m.transition_of is not None:
            main = next((c.model for c in self.b.regulation.clauses if c.model.id == m.transition_of), None)
            ok = (m.once_on is not None and isinstance(main, EachClause) and main.id != m.id
                  and main.over == m.over and main.once_on is not None and not main.once_on.startswith("params."))
            if not ok:
                self.err(errors.UNKNOWN_PATH, msg("diag.transition_of", value=m.transition_of), node.value_loc("transition_of"))
            else:
                out["transition_of"] = m.transition_of
        return out

    def subjects(self, scope: schema.Scope, atoms: list) -> tuple[dict, dict] | None:
        """``subjects``: (its logic over ``atoms``, for the verdict, where it joins ``applies`` so
        that an unknown subject gives cannot_determine; and a decision of its own, t/f/u, that
        drops the records it is false for before any finding is made)."""
        m = self.m
        if m.subjects is None:
            return None
        if m.over == "purchases":
            self.err(errors.EXPR_TYPE, msg("diag.subjects_over_purchases"), self.c.node.value_loc("subjects"),
                     hint=msg("diag.hint.subjects_use_applies"))
            return None
        logic = self.cond(m.subjects, scope, atoms, self.c.node, "subjects")
        own: list = []
        own_logic = self.cond(m.subjects, scope, own, self.c.node, "subjects")
        return logic, self.decision(own, D.tri(own_logic))

    def share(self) -> dict:
        m: ShareClause = self.m
        scope = self.record_scope("purchases")
        atoms: list = [{"op": "in_force"}]
        applies = self.cond(m.applies, scope, atoms, self.c.node, "applies")
        part_node = self.c.node.get("part")
        logics, values = [], []
        for i, case in enumerate(m.part):
            cnode = part_node[i] if isinstance(part_node, YSeq) else None
            logics.append(self.cond(case.when, scope, atoms, cnode, "when"))
            vf = self.value_expr(case.value_from, scope, cnode, "value_from", {schema.MONEY, schema.INT}) if case.value_from else None
            if vf is None and not isinstance(case.value, int):
                self.err(errors.WRONG_TYPE, msg("diag.share_part_value"),
                         self.c.node.loc)
            values.append({"value": _json_scalar(case.value), "value_from": vf})
        subject = self.value_expr(m.subject, scope, self.c.node, "subject", {schema.STR, schema.CODE})
        parent = (self.value_expr(m.subject_parent, scope, self.c.node, "subject_parent", {schema.STR, schema.CODE})
                  if m.subject_parent else None)
        total = self.value_expr(m.total, scope, self.c.node, "total", {schema.MONEY, schema.INT})
        at_least = self.value_expr(m.at_least, scope, self.c.node, "at_least", {schema.RATIO})
        if at_least is not None and at_least["op"] not in ("param", "const"):
            self.err(errors.EXPR_TYPE, msg("diag.at_least"), self.c.node.value_loc("at_least"))
        out = self.base()
        if parent is not None:
            out["subject_parent"] = parent
        out.update(subject=subject, per_stage=m.per_stage, part=values, total=total, at_least=at_least,
                   logic={"applies": applies, "part": logics},
                   decisions={
                       "member": self.decision(atoms, D.first_case(logics, gate=[D.A(0), applies])),
                       "verdict": self.decision([{"op": "fact", "name": n} for n in
                                                 ("period_known", "no_total", "lower_meets", "upper_meets")],
                                                D.share_verdict()),
                   })
        if m.part_at_most:  # only when given: compiled rulesets without it stay as they were
            cap_node = self.c.node.get("part_at_most")
            cap_atoms: list = []
            cap_logics, cap_values = [], []
            for i, case in enumerate(m.part_at_most):
                cnode = cap_node[i] if isinstance(cap_node, YSeq) else None
                cap_logics.append(self.cond(case.when, scope, cap_atoms, cnode, "when"))
                vf = (self.value_expr(case.value_from, scope, cnode, "value_from", {schema.MONEY, schema.INT})
                      if case.value_from else None)
                if vf is None and not isinstance(case.value, int):
                    self.err(errors.WRONG_TYPE, msg("diag.share_part_value"), self.c.node.loc)
                cap_values.append({"value": _json_scalar(case.value), "value_from": vf})
            out["part_at_most"] = cap_values
            out["decisions"]["cap"] = self.decision(cap_atoms, D.first_case(cap_logics))
        pool = self.supplier_pool(schema.Scope({"category": schema.STR}, {
            "candidate": schema.table_scope("parties", self.b.derived)}))
        if pool is not None:
            out["decisions"]["supplier_pool"] = pool.pop("decision")
            out["unless_no_supplier"] = pool
        return out

    def supplier_pool(self, pscope: schema.Scope) -> dict | None:
        """``unless_no_supplier``: its id, title and the t/f/u decision of ``where`` per candidate."""
        m = self.m
        if getattr(m, "unless_no_supplier", None) is None:
            return None
        pnode = self.c.node.get("unless_no_supplier")
        p_atoms: list = []
        where = self.cond(m.unless_no_supplier.where, pscope, p_atoms, pnode, "where")
        out = {"id": m.unless_no_supplier.id, "title": m.unless_no_supplier.title.model_dump(),
               "decision": self.decision(p_atoms, D.tri(where))}
        if m.unless_no_supplier.category is not None:  # only when given: older rulesets stay as they were
            out["category"] = m.unless_no_supplier.category
        return out

    def window(self) -> dict:
        """A window clause (perbup_rules.windows): decisions ``member`` (in force and applies, t/f/u),
        ``limit`` (which limit case holds) and ``verdict`` (from the group's exact facts)."""
        m: WindowClause = self.m
        scope = self.record_scope("purchases")
        atoms: list = [{"op": "in_force"}]
        applies = self.cond(m.applies, scope, atoms, self.c.node, "applies")
        limit_node = self.c.node.get("limit")
        l_atoms: list = []
        logics, values = [], []
        for i, case in enumerate(m.limit):
            cnode = limit_node[i] if isinstance(limit_node, YSeq) else None
            logics.append(self.cond(case.when, scope, l_atoms, cnode, "when"))
            vf = self.value_expr(case.value_from, scope, cnode, "value_from", {schema.MONEY, schema.INT}) if case.value_from else None
            if vf is None and not isinstance(case.value, int):
                self.err(errors.WRONG_TYPE, msg("diag.share_part_value"), self.c.node.loc)
            values.append({"value": _json_scalar(case.value), "value_from": vf})
        subject = self.value_expr(m.subject, scope, self.c.node, "subject", {schema.STR, schema.CODE})
        group_by = self.value_expr(m.group_by, scope, self.c.node, "group_by", {schema.STR, schema.CODE})
        total = self.value_expr(m.total, scope, self.c.node, "total", {schema.MONEY, schema.INT})
        out = self.base()
        out.update(subject=subject, group_by=group_by, per_stage=m.per_stage, days=m.days, limit=values, total=total,
                   logic={"applies": applies, "limit": logics},
                   decisions={
                       "member": self.decision(atoms, D.tri({"and": [D.A(0), applies]})),
                       "limit": self.decision(l_atoms, D.first_case(logics)),
                       "verdict": self.decision([{"op": "fact", "name": n} for n in
                                                 ("split_certain", "split_possible")],
                                                D.window_verdict()),
                   })
        return out

    def exists(self) -> dict:
        m: ExistsClause = self.m
        subj_scope = self.record_scope(m.over)
        atoms: list = [{"op": "in_force"}, {"op": "fact", "name": "found"}, {"op": "fact", "name": "possible"}]
        applies = self.cond(m.applies, subj_scope, atoms, self.c.node, "applies")
        subjects = self.subjects(subj_scope, atoms)
        if subjects is not None:
            applies = {"and": [subjects[0], applies]}
        rel_scope = self.record_scope(m.related)
        rel_scope.nested["subject"] = schema.table_scope(m.over, self.b.derived)
        rel_scope.fields["category"] = schema.STR
        if m.due is not None:  # the deadline after the period (``period.due``)
            rel_scope.nested["period"].fields["due"] = schema.DATE
        if m.link not in schema.TABLE_FIELDS[m.related]:
            self.err(errors.UNKNOWN_PATH, msg("diag.bad_link", link=repr(m.link), table=m.related), self.c.node.value_loc("link"),
                     hint=msg("diag.hint.fields", fields=", ".join(sorted(schema.TABLE_FIELDS[m.related]))))
        match_atoms: list = []
        match = self.cond(m.match, rel_scope, match_atoms, self.c.node, "match")
        remedy = None
        cand_decisions: dict = {}
        if m.remedy is not None:
            rnode = self.c.node.get("remedy")
            party = self.value_expr(m.remedy.party, subj_scope, rnode, "party", {schema.STR})
            category = self.value_expr(m.remedy.category, subj_scope, rnode, "category", {schema.STR}) if m.remedy.category else None
            cand = None
            if m.remedy.candidates is not None:
                cnode = rnode.get("candidates") if isinstance(rnode, YMap) else None
                cscope = schema.Scope({"category": schema.STR}, {
                    "candidate": schema.table_scope("parties", self.b.derived),
                    "subject": schema.table_scope(m.over, self.b.derived),
                })
                c_atoms: list = []
                where = self.cond(m.remedy.candidates.where, cscope, c_atoms, cnode, "where")
                prefer_node = cnode.get("prefer") if isinstance(cnode, YMap) else None
                prefer = []
                for i, ptext in enumerate(m.remedy.candidates.prefer):
                    p_atoms: list = []
                    lg = self.cond(ptext, cscope, p_atoms, prefer_node, i)
                    prefer.append(self.decision(p_atoms, D.tri(lg)))
                # decided by the engine like any other decision (perbup_rules.candidates): named here
                cand = {"where": "candidates", "prefer": [f"candidates_prefer_{i}" for i in range(len(prefer))]}
                cand_decisions = {"candidates": self.decision(c_atoms, D.tri(where)),
                                  **{f"candidates_prefer_{i}": d for i, d in enumerate(prefer)}}
            remedy = {"party": party, "category": category, "pattern": list(m.remedy.pattern), "candidates": cand,
                      "grouped": m.remedy.grouped}
        if m.link_from not in schema.TABLE_FIELDS[m.over]:
            self.err(errors.UNKNOWN_PATH, msg("diag.bad_link", link=repr(m.link_from), table=m.over),
                     self.c.node.value_loc("link_from"),
                     hint=msg("diag.hint.fields", fields=", ".join(sorted(schema.TABLE_FIELDS[m.over]))))
        pool = self.supplier_pool(schema.Scope({"category": schema.STR}, {
            "candidate": schema.table_scope("parties", self.b.derived),
            "subject": schema.table_scope(m.over, self.b.derived),
        }))
        out = self.base()
        if m.due is not None:
            _check_due(self, m.due.day)
            out["due"] = {"day": m.due.day}
        out.update(related=m.related, link=m.link, link_from=m.link_from, min_count=m.min_count,
                   categories=list(m.categories), remedy=remedy, logic={"applies": applies, "match": match},
                   decisions={
                       "verdict": self.decision(atoms, D.exists_verdict(0, applies, 1, 2)),
                       "match": self.decision(match_atoms, D.tri(match)),
                   })
        if subjects is not None:
            out["decisions"]["subjects"] = subjects[1]
        out["decisions"].update(cand_decisions)
        if pool is not None:
            out["decisions"]["supplier_pool"] = pool.pop("decision")
            out["unless_no_supplier"] = pool
        return out


def _check_due(cc: "_ClauseCompiler", day: str) -> None:
    """``due.day`` is a day every year has (not 02-29 or 04-31)."""
    try:
        _dt.date(2001, int(day[:2]), int(day[3:]))
    except ValueError:
        cc.err(errors.BAD_DATE, f"due.day {day} is not a day of every year", cc.c.node.loc)


def _json_scalar(v: Any) -> Any:
    if isinstance(v, Decimal):
        return {"decimal": str(v)}
    if isinstance(v, _dt.date):
        return {"date": v.isoformat()}
    return v


def compile_clauses(b: Build) -> None:
    order = {cid: i for i, cid in enumerate(b.derived_order)}
    loaded = sorted(b.regulation.clauses,
                    key=lambda c: (0, order.get(c.model.id, 0)) if isinstance(c.model, ClassifyClause) else (1, 0))
    for c in loaded:
        cc = _ClauseCompiler(b, c)
        kind = c.model.kind
        out = {"classify": cc.classify, "each": cc.each, "share": cc.share, "exists": cc.exists,
               "window": cc.window}[kind]()
        b.clauses.append(out)


# --- stage 5 -----------------------------------------------------------------------

def check_dates(b: Build) -> None:
    """Validity ranges, and parameters with no value on the first day a clause is in force."""
    compiled = {c["id"]: c for c in b.clauses}
    for c in b.regulation.clauses:
        m = c.model
        vf = valid_from(b, c)
        if vf and m.valid_until and m.valid_until < vf:
            b.error(errors.BAD_DATE, msg("diag.until_before_from", until=m.valid_until, start=vf),
                    c.node.value_loc("valid_until"), clause=m.id)
        if vf is None or m.id not in compiled:
            continue
        for name in sorted(params_in(compiled[m.id])):
            p = b.params.get(name)
            if not p or not p["values"]:
                continue
            first = _dt.date.fromisoformat(p["values"][0]["from"])
            if first > vf:
                b.error(errors.PARAMETER_GAP,
                        msg("diag.param_gap", name=name, start=vf, first=first),
                        c.node.value_loc("valid_from"), clause=m.id, severity="warning",
                        hint=msg("diag.hint.param_gap", name=name, start=vf, first=first))


def check_text(b: Build) -> None:
    """See :mod:`perbup_rules.naskah.check` (kept there with the rest of the legal-text code)."""
    from ..naskah.check import check_text as _check

    _check(b)


STAGES: list[tuple[str, Callable[[Build], None]]] = [
    ("check_ids", check_ids),
    ("check_params", check_params),
    ("check_validity", check_validity),  # after check_params: reads the compiled parameters
    ("derive_attributes", derive_attributes),  # must run before compile_clauses
    ("compile_clauses", compile_clauses),
    ("check_dates", check_dates),
    ("check_text", check_text),  # the legal text states the parameters' numbers (naskah/check.py)
]
