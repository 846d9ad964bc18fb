"""Parameter values as a drafter writes them: ``40%``, ``0,40``, ``Rp15.000.000.000``, ``15 miliar``.

params.yaml may give a value as a YAML number (``0.40``, ``15000000000``) or as text in the
forms Indonesian drafters use. Text is read here, per the parameter's unit, into an exact
value (``Decimal`` for a ratio, ``int`` rupiah, ``int`` count, ``date``); a text that could be
read two ways for that unit is refused (``1,000`` could be one or one thousand), and every
refusal is one message, in Indonesian then English, that lists the accepted forms.

Conventions (Indonesian usage): ``.`` groups thousands and ``,`` is the decimal comma in
amounts; in a ratio written without ``%`` (``0,40`` or ``0.40``) either mark is the decimal
point, because a ratio is at most 1; the scale words are ``ribu``, ``juta``, ``miliar``
(also ``milyar``) and ``triliun``. ``M``, ``jt`` and English separators (``15,000,000``) are
refused: ``M`` means *miliar* to some readers and *million* to others.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from typing import Any

ACCEPTED = {
    "ratio": ("40%", "12,5%", "0,40", "0.40"),
    "idr": ("Rp15.000.000.000", "Rp15.000.000.000,00", "15.000.000.000", "15 miliar", "2,5 miliar", "15000000000"),
    "count": ("18", "1.000"),
    "date": ("2021-02-02", "2 Februari 2021"),
}
UNIT_NAMES = {"ratio": ("rasio/persentase", "a ratio or percentage"), "idr": ("jumlah rupiah", "an amount of rupiah"),
              "count": ("bilangan bulat", "a whole number"), "date": ("tanggal", "a date")}

_SCALE_WORDS = {"ribu": 10 ** 3, "juta": 10 ** 6, "miliar": 10 ** 9, "milyar": 10 ** 9, "triliun": 10 ** 12}
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november", "desember"])}

_GROUPED = r"\d{1,3}(?:\.\d{3})+"       # 15.000.000.000
_PLAIN = r"\d+"
_DEC = r"\d+(?:[.,]\d+)?"


class ValueSyntaxError(ValueError):
    """A parameter value text that cannot be read (exactly, unambiguously) for its unit."""

    def __init__(self, unit: str, text: str, reason: str | None = None):
        self.unit, self.text, self.reason = unit, text, reason
        id_name, en_name = UNIT_NAMES.get(unit, (unit, unit))
        forms = ", ".join(ACCEPTED.get(unit, ()))
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"nilai {text!r} tidak dapat dibaca sebagai {id_name}{why}; bentuk yang diterima: {forms} / "
            f"value {text!r} cannot be read as {en_name}; accepted forms: {forms}")


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def parse_value(unit: str, raw: Any) -> Any:
    """The exact value of ``raw`` (text or a YAML scalar) for ``unit``; :class:`ValueSyntaxError` if unreadable.

    Non-text values (``Decimal``, ``int``, ``date``) are returned as they are: the schema and
    the compiler's checks judge them.
    """
    if not isinstance(raw, str):
        return raw
    text = " ".join(raw.split())
    if unit == "ratio":
        return _ratio(text)
    if unit == "idr":
        return _rupiah(text)
    if unit == "count":
        if re.fullmatch(_PLAIN, text) or re.fullmatch(_GROUPED, text):
            return int(text.replace(".", ""))
        raise ValueSyntaxError(unit, raw)
    if unit == "date":
        return _date(text, raw)
    raise ValueSyntaxError(unit, raw, f"unknown unit {unit!r}")


def _ratio(text: str) -> Decimal:
    m = re.fullmatch(r"(\d{1,3}(?:[.,]\d+)?)\s*%", text)
    if m:
        pct = _decimal(m.group(1))
        if pct > 100:
            raise ValueSyntaxError("ratio", text, "lebih dari 100% / more than 100%")
        return pct / 100  # exact: a percentage has at most a few digits
    if re.fullmatch(r"[01](?:[.,]\d+)?", text):
        d = _decimal(text)
        if d > 1:
            raise ValueSyntaxError("ratio", text, "rasio paling besar 1 / a ratio is at most 1")
        return d
    raise ValueSyntaxError("ratio", text)


def _rupiah(text: str) -> int:
    t = re.sub(r"^Rp\.?\s*", "", text, flags=re.IGNORECASE)
    m = re.fullmatch(r"(\d+(?:,\d+)?)\s+([a-z]+)(?:\s+rupiah)?", t, flags=re.IGNORECASE)
    if m:
        word = m.group(2).lower()
        if word not in _SCALE_WORDS:
            raise ValueSyntaxError("idr", text, f"kata {word!r} tidak dikenal / unknown word {word!r}")
        d = _decimal(m.group(1)) * _SCALE_WORDS[word]
        if d != d.to_integral_value():
            raise ValueSyntaxError("idr", text, "bukan rupiah bulat / not a whole number of rupiah")
        return int(d)
    m = re.fullmatch(rf"({_GROUPED}|{_PLAIN})(?:,(\d+))?", t)
    if m:
        if m.group(2) is not None and set(m.group(2)) != {"0"}:
            raise ValueSyntaxError("idr", text, "sen tidak dipakai / cents are not used")
        if m.group(2) is not None and "." not in m.group(1) and len(m.group(2)) == 3:
            # 15,000 reads as fifteen (decimal comma) or as fifteen thousand (English grouping)
            raise ValueSyntaxError("idr", text, "ambigu / ambiguous")
        return int(m.group(1).replace(".", ""))
    raise ValueSyntaxError("idr", text)


def _date(text: str, raw: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2}) ([A-Za-z]+) (\d{4})", text)
    if m and m.group(2).lower() in _MONTHS:
        try:
            return _dt.date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
        except ValueError as err:
            raise ValueSyntaxError("date", raw, str(err)) from None
    raise ValueSyntaxError("date", raw)


def read_param_node(name: str, node: Any, file: str):
    """params.yaml's entry ``name`` with text values read for its unit: (data for the schema, diagnostics).

    The data is a plain copy (the YAML node keeps its locations for other messages); each
    unreadable text gives one ``wrong_type`` diagnostic at that value, and the value is left
    out so the schema does not add its own (union) errors about it.
    """
    from . import errors
    from .errors import Diagnostic, SourceLocation
    from .source import YMap, YSeq

    if not isinstance(node, dict) or not isinstance(node.get("unit"), str):
        return node, []
    unit = node["unit"]
    diags: list = []
    data = dict(node)

    def convert(holder: Any, key: str, where: str) -> Any:
        raw = holder.get(key)
        try:
            return parse_value(unit, raw)
        except ValueSyntaxError as err:
            loc = holder.value_loc(key) if isinstance(holder, YMap) else SourceLocation(file)
            diags.append(Diagnostic(errors.WRONG_TYPE, f"parameter {name}: {where}: {err}", loc))
            return _REFUSED

    values = node.get("values")
    if isinstance(values, (list, YSeq)):
        new_values = []
        for i, v in enumerate(values):
            if isinstance(v, dict) and isinstance(v.get("value"), str):
                got = convert(v, "value", f"values.{i}.value")
                if got is _REFUSED:
                    continue
                v = {**v, "value": got}
            new_values.append(v)
        data["values"] = new_values
    bound = node.get("higher_rule")
    if isinstance(bound, dict) and unit != "date":
        new_bound = dict(bound)
        for key in ("min", "max"):
            if isinstance(bound.get(key), str):
                got = convert(bound, key, f"higher_rule.{key}")
                if got is _REFUSED:
                    new_bound.pop(key)
                else:
                    new_bound[key] = got
        data["higher_rule"] = new_bound
    return data, diags


_REFUSED = object()
