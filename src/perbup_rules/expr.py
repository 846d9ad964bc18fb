"""The condition language: a small, safe expression language parsed with lark (no ``eval``).

Examples::

    buyer.kind == "perangkat_daerah" and value_idr <= params.umkk_reserved_max
    procurement_type in ["barang", "pekerjaan_konstruksi", "jasa_lainnya"]
    known(capital_idr) and capital_idr <= params.mikro_capital_max
    not supplier.umkk
    "makanan" in categories and start_date <= period.end

Grammar: ``or``/``and``/``not``; comparisons ``== != < <= > >=``; ``in`` and
``not in`` against a list literal or a list field; field paths (``a.b``);
``params.NAME``; literals: integers (``15_000_000_000``), decimals (``0.40``),
strings, ``true``/``false``/``null``, ``date("2026-01-01")``; ``known(path)``;
``assumed(ID)``, a named assumption (true unless turned off: perbup_rules.assumptions).

Parsing gives a tree of plain dicts (JSON-ready, the form stored in a compiled
Ruleset). Every node keeps ``col``, its 1-based column within the expression.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

from lark import Lark, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .i18n import msg

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*        -> or_
?and_expr: not_expr (_AND not_expr)*      -> and_
?not_expr: _NOT not_expr                  -> not_
         | comparison
?comparison: value CMP value              -> cmp
           | value _IN value              -> in_
           | value _NOT _IN value         -> not_in
           | value
?value: path
      | literal
      | list
      | call
      | "(" or_expr ")"
call: NAME "(" [value ("," value)*] ")"
path: NAME ("." NAME)*
list: "[" [value ("," value)* [","]] "]"
?literal: NUMBER   -> number
        | STRING   -> string
        | _TRUE    -> true
        | _FALSE   -> false
        | _NULL    -> null

_OR.2: /or\b/
_AND.2: /and\b/
_NOT.2: /not\b/
_IN.2: /in\b/
_TRUE.2: /true\b/
_FALSE.2: /false\b/
_NULL.2: /null\b/
CMP: "==" | "!=" | "<=" | ">=" | "<" | ">"
NAME: /(?!(?:and|or|not|in|true|false|null)\b)[A-Za-z_][A-Za-z0-9_]*/
NUMBER: /-?[0-9][0-9_]*(\.[0-9_]+)?/
STRING: /"(?:[^"\\\n]|\\.)*"/ | /'(?:[^'\\\n]|\\.)*'/
%import common.WS
%ignore WS
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)

KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
FUNCTIONS = {"known": 1, "date": 1, "assumed": 1}


class ExprSyntaxError(ValueError):
    """An expression cannot be parsed; ``col`` is the 1-based column in the expression text."""

    def __init__(self, message: str, col: int, hint: str | None = None):
        self.col = col
        self.hint = hint
        super().__init__(message)


def _col(meta_or_token) -> int:
    return getattr(meta_or_token, "column", None) or 1


@v_args(meta=True)
class _ToTree(Transformer):
    def or_(self, meta, items):
        return items[0] if len(items) == 1 else {"op": "or", "args": items, "col": _col(meta)}

    def and_(self, meta, items):
        return items[0] if len(items) == 1 else {"op": "and", "args": items, "col": _col(meta)}

    def not_(self, meta, items):
        return {"op": "not", "arg": items[0], "col": _col(meta)}

    def cmp(self, meta, items):
        left, op, right = items
        return {"op": "cmp", "cmp": str(op), "left": left, "right": right, "col": _col(meta)}

    def in_(self, meta, items):
        return {"op": "in", "left": items[0], "right": items[1], "negate": False, "col": _col(meta)}

    def not_in(self, meta, items):
        return {"op": "in", "left": items[0], "right": items[1], "negate": True, "col": _col(meta)}

    def path(self, meta, items):
        names = [str(t) for t in items]
        if names[0] == "params":
            if len(names) != 2:
                raise ExprSyntaxError(msg("diag.expr.param_form"), _col(meta))
            return {"op": "param", "name": names[1], "col": _col(meta)}
        return {"op": "path", "path": names, "col": _col(meta)}

    def list(self, meta, items):
        return {"op": "list", "items": [i for i in items if i is not None], "col": _col(meta)}

    def call(self, meta, items):
        name = str(items[0])
        args = [a for a in items[1:] if a is not None]
        if name not in FUNCTIONS:
            raise ExprSyntaxError(msg("diag.expr.unknown_function", name=name), _col(meta), hint=msg("diag.hint.functions", names=", ".join(sorted(FUNCTIONS))))
        if len(args) != FUNCTIONS[name]:
            raise ExprSyntaxError(msg("diag.expr.arity", name=name, n=FUNCTIONS[name]), _col(meta))
        if name == "known":
            if args[0]["op"] not in ("path",):
                raise ExprSyntaxError(msg("diag.expr.known_path"), _col(meta))
            return {"op": "known", "path": args[0]["path"], "col": _col(meta)}
        if name == "assumed":  # assumed(pdn): a named assumption (perbup_rules.assumptions)
            if args[0]["op"] != "path" or len(args[0]["path"]) != 1:
                raise ExprSyntaxError(msg("diag.expr.assumed_name"), _col(meta))
            return {"op": "assume", "id": args[0]["path"][0], "col": _col(meta)}
        # date("YYYY-MM-DD")
        arg = args[0]
        if arg["op"] != "const" or not isinstance(arg["value"], str):
            raise ExprSyntaxError(msg("diag.expr.date_arg"), _col(meta))
        try:
            value = _dt.date.fromisoformat(arg["value"])
        except ValueError:
            raise ExprSyntaxError(msg("diag.expr.not_iso_date", value=repr(arg['value'])), arg["col"]) from None
        return {"op": "const", "value": value, "col": _col(meta)}

    def number(self, meta, items):
        text = str(items[0]).replace("_", "")
        value: Any = Decimal(text) if "." in text else int(text)
        return {"op": "const", "value": value, "col": _col(meta)}

    def string(self, meta, items):
        raw = str(items[0])[1:-1]
        value = raw.replace("\\\\", "\x00").replace('\\"', '"').replace("\\'", "'").replace("\x00", "\\")
        return {"op": "const", "value": value, "col": _col(meta)}

    def true(self, meta, items):
        return {"op": "const", "value": True, "col": _col(meta)}

    def false(self, meta, items):
        return {"op": "const", "value": False, "col": _col(meta)}

    def null(self, meta, items):
        return {"op": "const", "value": None, "col": _col(meta)}


_TOKEN_NAMES = {
    "_OR": "or", "_AND": "and", "_NOT": "not", "_IN": "in", "CMP": "a comparison (== != < <= > >=)",
    "NAME": "a field name", "NUMBER": "a number", "STRING": "a quoted string", "LPAR": "(", "RPAR": ")",
    "LSQB": "[", "RSQB": "]", "COMMA": ",", "DOT": ".", "_TRUE": "true", "_FALSE": "false", "_NULL": "null",
    "$END": "end of expression",
}


def parse(text: str) -> dict:
    """Parse an expression into a tree of dicts. Raises :class:`ExprSyntaxError`."""
    if not isinstance(text, str) or not text.strip():
        raise ExprSyntaxError(msg("diag.expr.empty"), 1)
    try:
        tree = _PARSER.parse(text)
        return _ToTree().transform(tree)
    except ExprSyntaxError:
        raise
    except UnexpectedCharacters as err:
        raise ExprSyntaxError(msg("diag.expr.unexpected_char", char=repr(text[err.pos_in_stream])), err.column) from None
    except UnexpectedToken as err:
        expected = sorted({_TOKEN_NAMES.get(e, e) for e in err.expected})
        got = msg("diag.expr.end") if err.token.type == "$END" else repr(str(err.token))
        col = err.column if err.token.type != "$END" and isinstance(err.column, int) and err.column > 0 else len(text) + 1
        raise ExprSyntaxError(msg("diag.expr.unexpected", got=got), col, hint=msg("diag.hint.expected", what=", ".join(expected[:8]))) from None
    except UnexpectedEOF:
        raise ExprSyntaxError(msg("diag.expr.ends_early"), len(text) + 1) from None
    except UnexpectedInput as err:  # pragma: no cover - other lark input errors
        raise ExprSyntaxError(str(err).splitlines()[0], getattr(err, "column", 1) or 1) from None
    except LarkError as err:
        inner = getattr(err, "orig_exc", None)
        if isinstance(inner, ExprSyntaxError):
            raise inner from None
        raise ExprSyntaxError(str(err).splitlines()[0], 1) from None
    except RecursionError:
        raise ExprSyntaxError(msg("diag.expr.too_deep"), 1) from None


def walk(node: dict):
    """Yield every node of a tree, parents first."""
    yield node
    op = node["op"]
    if op in ("and", "or"):
        for a in node["args"]:
            yield from walk(a)
    elif op == "not":
        yield from walk(node["arg"])
    elif op in ("cmp", "in"):
        yield from walk(node["left"])
        yield from walk(node["right"])
    elif op == "list":
        for i in node["items"]:
            yield from walk(i)


def encode_const(value: Any) -> Any:
    """A literal as JSON: Decimal -> {"decimal": "0.40"}, date -> {"date": "2026-01-01"}."""
    if isinstance(value, Decimal):
        return {"decimal": format(value, "f")}
    if isinstance(value, _dt.date):
        return {"date": value.isoformat()}
    return value


def decode_const(value: Any) -> Any:
    """Inverse of :func:`encode_const`."""
    if isinstance(value, dict):
        if "decimal" in value:
            return Decimal(value["decimal"])
        if "date" in value:
            return _dt.date.fromisoformat(value["date"])
    return value


def encode_consts(data: Any) -> Any:
    """A copy of any structure holding trees, with every literal JSON-encoded."""
    if isinstance(data, dict):
        if data.get("op") == "const":
            return {**data, "value": encode_const(data["value"])}
        return {k: encode_consts(v) for k, v in data.items()}
    if isinstance(data, list):
        return [encode_consts(v) for v in data]
    return data


_BOOLEAN_OPS = ("and", "or", "not", "cmp", "in")


def _operand(node: dict) -> str:
    text = to_text(node)
    return f"({text})" if node["op"] in _BOOLEAN_OPS and not text.startswith("(") else text


def to_text(node: dict) -> str:
    """Render a tree back to expression text (for explanations and docs)."""
    op = node["op"]
    if op in ("and", "or"):
        return "(" + f" {op} ".join(to_text(a) for a in node["args"]) + ")"
    if op == "not":
        arg = node["arg"]
        return f"not ({to_text(arg)})" if arg["op"] in ("cmp", "in") else f"not {to_text(arg)}"
    if op == "cmp":
        return f"{_operand(node['left'])} {node['cmp']} {_operand(node['right'])}"
    if op == "in":
        return f"{_operand(node['left'])} {'not in' if node['negate'] else 'in'} {_operand(node['right'])}"
    if op == "path":
        return ".".join(node["path"])
    if op == "param":
        return f"params.{node['name']}"
    if op == "known":
        return f"known({'.'.join(node['path'])})"
    if op == "assume":
        return f"assumed({node['id']})"
    if op == "list":
        return "[" + ", ".join(to_text(i) for i in node["items"]) + "]"
    value = decode_const(node["value"])
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, _dt.date):
        return f'date("{value.isoformat()}")'
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def strip_cols(node: Any) -> Any:
    """A copy of the tree without ``col`` keys (for fingerprints that ignore layout)."""
    if isinstance(node, dict):
        return {k: strip_cols(v) for k, v in node.items() if k != "col"}
    if isinstance(node, list):
        return [strip_cols(v) for v in node]
    return node


__all__ = ["ExprSyntaxError", "parse", "walk", "to_text", "strip_cols", "KEYWORDS"]


def params_in(tree: Any) -> set[str]:
    """The names of the parameters a compiled expression tree (or any nest of them) reads."""
    if isinstance(tree, dict):
        found = {tree["name"]} if tree.get("op") == "param" else set()
        for v in tree.values():
            found |= params_in(v)
        return found
    if isinstance(tree, list):
        return set().union(*(params_in(v) for v in tree)) if tree else set()
    return set()
