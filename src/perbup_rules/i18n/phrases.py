"""Conditions as plain sentences: any atom of any clause, in Bahasa Indonesia or English.

``stage == "plan"`` that came out false for an award reads "tahap paket pemilihan, bukan
perencanaan" / "stage of the package is award, not planning"; ``value_idr <=
params.umkk_reserved_max`` that held reads "nilai paket Rp80.000.000 tidak melebihi batas
Rp15.000.000.000". The words come from the catalogue's phrase table (fields, relations, codes,
operators), so a clause a drafter writes is explained without new code; a name the table does
not know (a drafter's own derived attribute) is shown with its underscores as spaces.
"""

from __future__ import annotations

import datetime as _dt
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Any, Callable

from .. import schema
from . import t
from .catalogue import MESSAGES, MONTHS

_OPS = {"==": "eq", "!=": "ne", "<=": "le", "<": "lt", ">=": "ge", ">": "gt"}
_ROOTS = {"subject", "candidate", "period", "category"}


#: the words of the static parts of a sentence (labels, path names), per their arguments: a report
#: explains thousands of findings with the same few fields; the catalogue does not change in a process
_WORDS: dict[tuple, Any] = {}


def label(msgid: str, fallback: str, lang: str) -> str:
    """The catalogue text of ``msgid``, or ``fallback`` (a drafter's own name) when it has none."""
    key = ("label", msgid, fallback, lang)
    hit = _WORDS.get(key)
    if hit is None:
        hit = _WORDS[key] = t(msgid, lang) if msgid in MESSAGES else fallback.replace("_", " ")
    return hit


def path_info(path: list[str], table: str | None, subject_table: str | None = None) -> tuple[list[str], str | None, str | None]:
    """(relation names walked, table of the last record, field type or None) of a field path."""
    key = ("info", tuple(path), table, subject_table)
    hit = _WORDS.get(key)
    if hit is None:
        hit = _WORDS[key] = _path_info(path, table, subject_table)
    return list(hit[0]), hit[1], hit[2]


def _path_info(path: list[str], table: str | None, subject_table: str | None) -> tuple[tuple[str, ...], str | None, str | None]:
    rels: list[str] = []
    cur = table
    rest = list(path)
    if rest and rest[0] in _ROOTS and not (table and rest[0] in schema.TABLE_FIELDS.get(table, {})):
        rels.append(rest[0])
        cur = subject_table if rest[0] == "subject" else ("parties" if rest[0] == "candidate" else None)
        rest = rest[1:]
    for name in rest[:-1]:
        rel = schema.RELATIONS.get(cur or "", {}).get(name)
        rels.append(name)
        cur = rel[1] if rel else None
    ftype = schema.TABLE_FIELDS.get(cur or "", {}).get(rest[-1]) if rest else None
    return tuple(rels), cur, ftype


_REL_OF_TABLE = {"purchases": "purchase", "parties": "party", "partnerships": "partnership"}


def path_label(path: list[str], table: str | None, lang: str, subject_table: str | None = None) -> str:
    """"nilai paket", "jenis pembeli" / "value of the package", "kind of the buyer"."""
    key = ("path", tuple(path), table, lang, subject_table)
    hit = _WORDS.get(key)
    if hit is None:
        hit = _WORDS[key] = _path_label(path, table, lang, subject_table)
    return hit


def _path_label(path: list[str], table: str | None, lang: str, subject_table: str | None) -> str:
    rels, _cur, _ftype = path_info(path, table, subject_table)
    field = label(f"field.{path[-1]}", path[-1], lang)
    rel = rels[-1] if rels else _REL_OF_TABLE.get(table or "")
    if rel is None:
        return field
    return t("phrase.of_rel", lang, field=field, rel=label(f"rel.{rel}", rel, lang))


def _noun(path: list[str], table: str | None, lang: str, subject_table: str | None) -> str:
    rels, _cur, _ = path_info(path, table, subject_table)
    if rels:
        name = label(f"rel.{rels[-1]}", rels[-1], lang)
        return name if lang == "id" else f"the {name}"
    return label(f"noun.{table}", table or "", lang)


def rupiah(v: Any) -> str:
    """Rp1.500.000 (dots group thousands, as written in Indonesia)."""
    if isinstance(v, Decimal) and v != v.to_integral_value():
        whole, frac = f"{v:,.2f}".split(".")
        return "Rp" + whole.replace(",", ".") + "," + frac
    return "Rp" + f"{int(v):,}".replace(",", ".")


def percent(x: Any, lang: str) -> str:
    """40% / 40,5% (rounded down, so a share just under a threshold never prints as it)."""
    d = Decimal(x.numerator) / Decimal(x.denominator) if isinstance(x, Fraction) else Decimal(str(x))
    q = (d * 100).quantize(Decimal("0.01"), rounding=ROUND_FLOOR).normalize()
    text = format(q, "f")
    return (text.replace(".", ",") if lang == "id" else text) + "%"


def date_text(d: _dt.date, lang: str) -> str:
    """2 Januari 2025 / 2 January 2025."""
    return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"


def value_text(v: Any, lang: str, ftype: str | None = None, field: str | None = None) -> str:
    """One value as a reader writes it: money in rupiah, shares in percent, dates in words, codes in words."""
    if v is None:
        return t("phrase.none", lang)
    if isinstance(v, bool):
        return t("phrase.yes" if v else "phrase.no", lang)
    if isinstance(v, _dt.date):
        return date_text(v, lang)
    if isinstance(v, (tuple, list, set, frozenset)):
        return join([value_text(i, lang, None, field) for i in v], lang, "and")
    if isinstance(v, str):
        return label(f"code.{field}.{v}", v, lang) if field else v
    if ftype == schema.MONEY and isinstance(v, (int, Decimal)):
        return rupiah(v)
    if ftype == schema.RATIO and isinstance(v, (int, Decimal, Fraction)):
        return percent(v, lang)
    if isinstance(v, Decimal):
        return format(v.normalize(), "f").replace(".", "," if lang == "id" else ".")
    return str(v)


def join(items: list[str], lang: str, how: str = "or") -> str:
    """"a, b atau c" / "a, b or c"."""
    if len(items) <= 1:
        return items[0] if items else ""
    return t(f"phrase.list_{how}", lang, head=", ".join(items[:-1]), last=items[-1])


def sentence(atom: dict, value: str, get: Callable[[dict], Any], lang: str, table: str | None,
             subject_table: str | None = None, is_missing: Callable[[Any], bool] = lambda v: False) -> str:
    """The atom as a sentence, true or false as ``value`` (``t``/``f``/``u``) says.

    ``get(node)`` gives the value of a path/param/const node for the record at hand.
    """
    op = atom["op"]
    if op == "in_force":
        return t("phrase.in_force", lang)
    if op == "fact":
        return t("phrase.fact", lang, name=atom.get("name", "fact"))
    if op == "assume":  # a named assumption (perbup_rules.assumptions): on or turned off
        return t(f"op.assumed.{'t' if value == 't' else 'f'}", lang, name=atom["id"])

    def operand(node: dict, other: dict | None = None) -> tuple[str, str]:
        """(what it is, its value as text) of one side."""
        kind = node["op"]
        if kind == "path":
            _r, _c, ftype = path_info(node["path"], table, subject_table)
            v = get(node)
            shown = t("phrase.unknown", lang, what="").strip() if is_missing(v) else value_text(v, lang, ftype, node["path"][-1])
            return path_label(node["path"], table, lang, subject_table), shown
        if kind == "param":
            ftype = None
            if other is not None and other["op"] == "path":
                ftype = path_info(other["path"], table, subject_table)[2]
            v = get(node)
            shown = "?" if is_missing(v) else value_text(v, lang, ftype)
            return t("phrase.limit", lang, value=shown), shown
        if kind == "list":
            field = other["path"][-1] if other is not None and other["op"] == "path" else None
            items = [value_text(get(i), lang, None, field) for i in node["items"]]
            return join(items, lang, "or"), ""
        # const
        field = other["path"][-1] if other is not None and other["op"] == "path" else None
        ftype = path_info(other["path"], table, subject_table)[2] if other is not None and other["op"] == "path" else None
        text = value_text(get(node), lang, ftype, field)
        return text, text

    def unknown_side(*nodes: dict) -> str | None:
        for n in nodes:
            if n["op"] in ("path", "param") and is_missing(get(n)):
                name = path_label(n["path"], table, lang, subject_table) if n["op"] == "path" else operand(n)[0]
                return t("phrase.unknown", lang, what=name)
        return None

    if op == "known":
        return t(f"op.known.{'t' if value == 't' else 'f'}", lang, left=path_label(atom["path"], table, lang, subject_table))
    if op == "path":
        name = atom["path"][-1]
        if value == "u":
            if f"bool.{name}.yes" in MESSAGES:
                return t("phrase.bool_unknown", lang, noun=_noun(atom["path"], table, lang, subject_table),
                         yes=t(f"bool.{name}.yes", lang))
            return t("phrase.unknown", lang, what=path_label(atom["path"], table, lang, subject_table))
        yes = value == "t"
        key = f"bool.{name}.{'yes' if yes else 'no'}"
        noun = _noun(atom["path"], table, lang, subject_table)
        if key in MESSAGES:
            return f"{noun} {t(key, lang)}"
        return t("phrase.bool", lang, noun=noun, field=label(f"field.{name}", name, lang),
                 value=t("phrase.yes" if yes else "phrase.no", lang))
    left, right = atom["left"], atom["right"]
    if value == "u":
        return unknown_side(left, right) or t("phrase.unknown", lang, what=operand(left, right)[0])
    if op == "in":
        truth = (value == "t") != bool(atom.get("negate"))
        tf = "t" if truth else "f"
        if right["op"] == "path":  # "makanan" in categories
            rname, _ = operand(right, left)
            _w, lv = operand(left, right)
            return t(f"op.contains.{tf}", lang, right=rname, lv=lv)
        lname, lv = operand(left, right)
        items, _ = operand(right, left)
        return t(f"op.in.{tf}", lang, left=lname, lv=lv, items=items)
    if op == "cmp":
        code = _OPS[atom["cmp"]]
        path_side = left if left["op"] == "path" else right
        ftype = path_info(path_side["path"], table, subject_table)[2] if path_side["op"] == "path" else None
        lname, lv = operand(left, right)
        rname, rv = operand(right, left)
        if code in ("eq", "ne"):
            return t(f"op.{code}.{value}", lang, left=lname, lv=lv, right=rv)
        family = "op.date." if ftype == schema.DATE or isinstance(get(left), _dt.date) else "op."
        return t(f"{family}{code}.{value}", lang, left=lname, lv=lv, right=rname)
    return op
