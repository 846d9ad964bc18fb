"""Exact, three-valued evaluation of the leaves of conditions (atoms) and of value paths.

Both engines share this module: it is where money, ratios and dates are
compared, exactly (``int``/``Decimal``/``date``; never floats), and where a
missing field makes an atom *unknown* (``"u"``) and names the field. The
engines then only combine t/f/u values (see ``compiler.decisions``).

Expression trees are compiled once into small Python closures (no ``eval``).
"""

from __future__ import annotations

import datetime as _dt
import operator
from dataclasses import dataclass, field
from typing import Any, Callable

from . import records, schema
from .params import ParamTable

_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


class Missing:
    """Marker for "the data does not say"; carries the path that was missing."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path

    def __repr__(self) -> str:
        return f"Missing({self.path})"


@dataclass(frozen=True, slots=True)
class Period:
    """A fiscal year: calendar year ``year``, from ``start`` to ``end`` inclusive."""

    year: int
    start: _dt.date
    end: _dt.date
    #: the deadline of a yearly duty of this period (a clause's ``due``), else None
    due: _dt.date | None = None

    @classmethod
    def of(cls, year: int, due: _dt.date | None = None) -> "Period":
        return cls(year, _dt.date(year, 1, 1), _dt.date(year, 12, 31), due)


@dataclass(slots=True)
class Ctx:
    """What an expression is evaluated against: a record and the names bound around it."""

    rec: Any = None
    subject: Any = None
    candidate: Any = None
    category: str | None = None
    period: Period | None = None
    day: _dt.date | None = None  # the date whose parameter values apply
    year: int | None = None  # the fiscal year whose derived attributes apply


@dataclass
class Env:
    """Dataset indexes, derived attributes and parameters shared by all evaluations of a run."""

    parties: dict[str, records.Party]
    purchases_by_id: dict[str, records.Purchase]
    params: ParamTable
    #: fiscal year -> party id -> derived attribute -> value (classify clauses, per year)
    derived: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    #: fiscal year -> party id -> derived attribute -> the party fields that left it unknown
    derived_why: dict[int, dict[str, dict[str, tuple[str, ...]]]] = field(default_factory=dict)
    default_year: int | None = None
    #: named assumptions turned off for this run (perbup_rules.assumptions): ``assumed(ID)`` is false
    assume_off: frozenset = frozenset()

    def derived_for(self, year: int | None) -> dict[str, dict[str, Any]]:
        d = self.derived.get(year if year is not None else self.default_year)
        return d if d is not None else {}


from .expr import decode_const  # noqa: E402  (re-exported: literals in compiled trees are JSON-encoded)


_TABLE_OF_BINDING = {"candidate": "parties"}
_ROOT_BINDINGS = ("subject", "candidate", "period", "category")


def compile_path(path: list[str], table: str | None, subject_table: str | None, env: Env) -> Callable[[Ctx], Any]:
    """A getter for a field path, returning the value, or :class:`Missing` naming the path."""
    text = ".".join(path)
    name0 = path[0]
    steps: list[tuple] = []
    cur_table = table
    rest = path
    if name0 in _ROOT_BINDINGS and not (table and name0 in schema.TABLE_FIELDS.get(table, {})):
        if name0 == "period":
            attr = path[1]
            no_period = Missing("period")

            def period_attr(ctx: Ctx) -> Any:
                v = getattr(ctx.period, attr) if ctx.period is not None else None
                return no_period if v is None else v
            return period_attr
        if name0 == "category":
            return lambda ctx: ctx.category if ctx.category is not None else Missing("category")
        steps.append(("bind", name0))
        cur_table = subject_table if name0 == "subject" else _TABLE_OF_BINDING[name0]
        rest = path[1:]
    else:
        steps.append(("bind", "rec"))
    for i, name in enumerate(rest):
        last = i == len(rest) - 1
        rel = schema.RELATIONS.get(cur_table, {}).get(name)
        if rel is not None and not last:
            steps.append(("rel", rel[0], rel[1]))
            cur_table = rel[1]
        elif cur_table == "parties" and name not in schema.PARTY_FIELDS:
            steps.append(("derived", name))
        else:
            steps.append(("field", name))
    parties, purchases = env.parties, env.purchases_by_id
    fast = _specialised(steps, text, env)
    if fast is not None:
        return fast

    def get(ctx: Ctx) -> Any:
        obj: Any = None
        for step in steps:
            kind = step[0]
            if kind == "bind":
                obj = getattr(ctx, step[1])
            elif kind == "rel":
                ref = getattr(obj, step[1])
                if ref is None:
                    return Missing(text)
                obj = (parties if step[2] == "parties" else purchases).get(ref)
            elif kind == "derived":
                obj = env.derived_for(ctx.year).get(obj.id, {}).get(step[1])
            else:
                obj = getattr(obj, step[1])
            if obj is None:
                return Missing(text)
        return obj

    return get


def _specialised(steps: list[tuple], text: str, env: Env) -> Callable[[Ctx], Any] | None:
    """Closures for the common shapes (hot paths of an audit); None for the general case."""
    shape = tuple(s[0] for s in steps)
    if shape == ("bind", "field"):
        binding, name = steps[0][1], steps[1][1]
        missing = Missing(text)

        def field1(ctx: Ctx) -> Any:
            v = getattr(getattr(ctx, binding), name)
            return missing if v is None else v
        return field1
    if shape in (("bind", "rel", "field"), ("bind", "rel", "derived")) and steps[1][2] == "parties":
        binding, fk, name = steps[0][1], steps[1][1], steps[2][1]
        parties = env.parties
        missing = Missing(text)
        if shape[2] == "field":
            def rel_field(ctx: Ctx) -> Any:
                ref = getattr(getattr(ctx, binding), fk)
                if ref is None:
                    return missing
                p = parties.get(ref)
                v = None if p is None else getattr(p, name)
                return missing if v is None else v
            return rel_field

        def rel_derived(ctx: Ctx) -> Any:
            ref = getattr(getattr(ctx, binding), fk)
            if ref is None:
                return missing
            attrs = env.derived_for(ctx.year).get(ref)
            v = None if attrs is None else attrs.get(name)
            return missing if v is None else v
        return rel_derived
    if shape == ("bind", "derived"):
        binding, name = steps[0][1], steps[1][1]
        missing = Missing(text)

        def derived1(ctx: Ctx) -> Any:
            attrs = env.derived_for(ctx.year).get(getattr(ctx, binding).id)
            v = None if attrs is None else attrs.get(name)
            return missing if v is None else v
        return derived1
    return None


class Compiled:
    """Closures for the atoms and value expressions of one scope."""

    def __init__(self, env: Env, table: str | None, subject_table: str | None = None):
        self.env, self.table, self.subject_table = env, table, subject_table
        # node -> compiled getter; keyed by identity: explanations ask for the same nodes per record
        self._values: dict[int, tuple[dict, Callable[[Ctx], Any]]] = {}
        self._texts: dict[int, tuple[dict, str]] = {}
        self._memo: dict[tuple, tuple[Any, Any]] = {}

    def value(self, t: dict) -> Callable[[Ctx], Any]:
        hit = self._values.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1]
        fn = self._value(t)
        self._values[id(t)] = (t, fn)  # the node is kept, so its id cannot be reused while cached
        return fn

    def memo(self, key: tuple, owner: Any) -> Any:
        """A value remembered for ``key`` while ``owner`` (the object whose id is in the key) is alive."""
        hit = self._memo.get(key)
        return hit[1] if hit is not None and hit[0] is owner else None

    def remember(self, key: tuple, owner: Any, value: Any) -> None:
        self._memo[key] = (owner, value)

    def text(self, t: dict) -> str:
        """The expression text of a node (memoised like :meth:`value`; explanations ask per record)."""
        hit = self._texts.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1]
        from .expr import to_text

        text = to_text(t)
        self._texts[id(t)] = (t, text)
        return text

    def _value(self, t: dict) -> Callable[[Ctx], Any]:
        op = t["op"]
        if op == "const":
            v = decode_const(t["value"])
            return lambda ctx: v
        if op == "path":
            return compile_path(t["path"], self.table, self.subject_table, self.env)
        if op == "param":
            name, params = t["name"], self.env.params
            no_date, no_value = Missing("date"), Missing(f"params.{name}")
            by_day: dict[_dt.date, Any] = {}  # a pure function of the day; records share few days

            def param(ctx: Ctx) -> Any:
                day = ctx.day
                if day is None:
                    return no_date
                v = by_day.get(day)
                if v is None:
                    v = params.at(name, day)
                    v = by_day[day] = no_value if v is None else v
                return v
            return param
        if op == "list":
            items = tuple(decode_const(i["value"]) for i in t["items"])
            return lambda ctx: items
        raise ValueError(f"not a value expression: {t!r}")

    def atom(self, t: dict) -> Callable[[Ctx, list], str]:
        """A function (ctx, missing) -> 't'|'f'|'u'; appends missing paths to ``missing``."""
        op = t["op"]
        if op == "known":
            get = compile_path(t["path"], self.table, self.subject_table, self.env)
            return lambda ctx, missing: "f" if isinstance(get(ctx), Missing) else "t"
        if op == "path":
            get = compile_path(t["path"], self.table, self.subject_table, self.env)

            def boolean(ctx: Ctx, missing: list) -> str:
                v = get(ctx)
                if isinstance(v, Missing):
                    missing.append(v.path)
                    return "u"
                return "t" if v else "f"
            return boolean
        if op == "const":
            truth = "t" if decode_const(t["value"]) else "f"
            return lambda ctx, missing: truth
        if op == "cmp":
            left, right, fn = self.value(t["left"]), self.value(t["right"]), _CMP[t["cmp"]]

            def compare(ctx: Ctx, missing: list) -> str:
                a, b = left(ctx), right(ctx)
                if isinstance(a, Missing) or isinstance(b, Missing):
                    missing.extend(x.path for x in (a, b) if isinstance(x, Missing))
                    return "u"
                return "t" if fn(a, b) else "f"
            return compare
        if op == "in":
            left, right, negate = self.value(t["left"]), self.value(t["right"]), t["negate"]

            def member(ctx: Ctx, missing: list) -> str:
                a, b = left(ctx), right(ctx)
                if isinstance(a, Missing) or isinstance(b, Missing):
                    missing.extend(x.path for x in (a, b) if isinstance(x, Missing))
                    return "u"
                return "t" if ((a in b) != negate) else "f"
            return member
        if op == "assume":  # a named assumption: true unless turned off for this run
            truth = "f" if t["id"] in self.env.assume_off else "t"
            return lambda ctx, missing: truth
        if op == "in_force" or op == "fact":
            raise ValueError("pseudo-atoms are computed by the evaluator, not compiled")
        raise ValueError(f"not an atom: {t!r}")


_DATES: dict[str, _dt.date] = {}


def _date(text: str) -> _dt.date:
    d = _DATES.get(text)
    if d is None:
        d = _DATES[text] = _dt.date.fromisoformat(text)
    return d


def in_force(clause: dict, day: _dt.date | None) -> str:
    """'t' if the clause is in force on ``day``, 'f' if not, 'u' when the day is unknown."""
    if day is None:
        return "u"
    vf, vu = clause.get("valid_from"), clause.get("valid_until")
    if vf and day < _date(vf):
        return "f"
    if vu and day > _date(vu):
        return "f"
    return "t"
