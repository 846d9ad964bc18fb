"""YAML that remembers where everything came from, and refuses what is unsafe.

``load_yaml`` returns plain dicts, lists and scalars, except that mappings and
sequences are :class:`YMap` and :class:`YSeq`, which know the location of
every key and item. Decimal numbers become :class:`~decimal.Decimal` from the
text as written (``0.40`` stays ``Decimal("0.40")``): floats never decide.

Refused with a located ``yaml_unsafe`` diagnostic: anchors and aliases (no
"billion laughs"), non-standard tags (no Python object construction), and
nesting deeper than :data:`MAX_DEPTH`. Repeated keys are ``yaml_duplicate_key``.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

import yaml

from . import errors
from .errors import Diagnostic, SourceLocation
from .i18n import msg

MAX_DEPTH = 64
MAX_BYTES = 5_000_000

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TS = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


@dataclass(frozen=True)
class ScalarPos:
    """Where a scalar's text starts, and its YAML style (None plain, '"', "'", '|', '>')."""

    location: SourceLocation
    style: str | None


class YMap(dict):
    """A mapping that knows the location of itself, each key and each value."""

    loc: SourceLocation
    key_locs: dict
    value_pos: dict

    def key_loc(self, key: str) -> SourceLocation:
        return self.key_locs.get(key, self.loc)

    def value_loc(self, key: str) -> SourceLocation:
        pos = self.value_pos.get(key)
        return pos.location if pos else self.key_loc(key)


class YSeq(list):
    """A sequence that knows the location of itself and each item."""

    loc: SourceLocation
    item_pos: list

    def item_loc(self, i: int) -> SourceLocation:
        return self.item_pos[i].location if 0 <= i < len(self.item_pos) else self.loc


class _YamlRefused(Exception):
    def __init__(self, diag: Diagnostic):
        self.diag = diag


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer refuses anchors, aliases and deep nesting."""

    def __init__(self, stream, filename: str):
        super().__init__(stream)
        self._filename = filename
        self._depth = 0

    def _loc(self, mark) -> SourceLocation:
        return SourceLocation(self._filename, mark.line + 1, mark.column + 1)

    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            ev = self.peek_event()
            raise _YamlRefused(
                Diagnostic(errors.YAML_UNSAFE, msg("diag.yaml_alias", anchor=ev.anchor), self._loc(ev.start_mark),
                           hint=msg("diag.hint.no_anchors"))
            )
        ev = self.peek_event()
        if getattr(ev, "anchor", None):
            raise _YamlRefused(
                Diagnostic(errors.YAML_UNSAFE, msg("diag.yaml_anchor", anchor=ev.anchor), self._loc(ev.start_mark),
                           hint=msg("diag.hint.no_anchors"))
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _YamlRefused(
                    Diagnostic(errors.YAML_UNSAFE, msg("diag.yaml_depth", depth=MAX_DEPTH), self._loc(ev.start_mark))
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Builder:
    """Turns a composed node tree into YMap/YSeq/scalars, collecting diagnostics."""

    def __init__(self, filename: str):
        self.filename = filename
        self.diags: list[Diagnostic] = []
        self._constructor = yaml.SafeLoader("")  # only used for timestamp construction

    def loc(self, node) -> SourceLocation:
        return SourceLocation(self.filename, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._map(node)
        if isinstance(node, yaml.SequenceNode):
            seq = YSeq(self.build(n) for n in node.value)
            seq.loc = self.loc(node)
            seq.item_pos = [ScalarPos(self.loc(n), getattr(n, "style", None)) for n in node.value]
            if node.tag != _SEQ:
                self._bad_tag(node)
            return seq
        return self._scalar(node)

    def _map(self, node) -> YMap:
        out = YMap()
        out.loc = self.loc(node)
        out.key_locs, out.value_pos = {}, {}
        if node.tag != _MAP:
            self._bad_tag(node)
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                self.diags.append(Diagnostic(errors.YAML_UNSAFE, msg("diag.yaml_merge"), self.loc(knode)))
                continue
            key = self.build(knode)
            if not isinstance(key, (str, int)):
                self.diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.yaml_key_text"), self.loc(knode)))
                continue
            key = str(key) if isinstance(key, int) else key
            if key in out:
                self.diags.append(
                    Diagnostic(errors.YAML_DUPLICATE_KEY, msg("diag.yaml_dup_key", key=repr(key)), self.loc(knode),
                               hint=msg("diag.hint.first_at_line", line=out.key_locs[key].line))
                )
                continue
            out[key] = self.build(vnode)
            out.key_locs[key] = self.loc(knode)
            out.value_pos[key] = ScalarPos(self.loc(vnode), getattr(vnode, "style", None))
        return out

    def _bad_tag(self, node) -> None:
        self.diags.append(Diagnostic(errors.YAML_UNSAFE, msg("diag.yaml_tag", tag=repr(node.tag)), self.loc(node)))

    def _scalar(self, node) -> Any:
        tag, text = node.tag, node.value
        if tag == _STR:
            return text
        if tag == _NULL:
            if text in ("", "~", "null", "Null", "NULL"):
                return None
            self.diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.not_null", text=repr(text)), self.loc(node)))
            return text
        if tag == _BOOL:
            if text.lower() in ("true", "yes", "on", "false", "no", "off"):
                return text.lower() in ("true", "yes", "on")
            self.diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.not_boolean", text=repr(text)), self.loc(node)))
            return text
        if tag == _INT:
            try:
                return self._constructor.construct_yaml_int(node)
            except (ValueError, IndexError):  # IndexError: an explicit !!int on empty text or a lone sign
                self.diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.not_integer", text=repr(text)), self.loc(node)))
                return text
        if tag == _FLOAT:
            try:
                value = Decimal(text.replace("_", ""))
                if not value.is_finite():
                    raise InvalidOperation
                return value
            except InvalidOperation:
                self.diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.not_decimal", text=repr(text)), self.loc(node)))
                return text
        if tag == _TS:
            if not self._constructor.timestamp_regexp.match(text):  # an explicit !!timestamp on other text
                self.diags.append(Diagnostic(errors.BAD_DATE, msg("diag.not_date", text=repr(text)), self.loc(node)))
                return text
            try:
                value = self._constructor.construct_yaml_timestamp(node)
            except (ValueError, yaml.YAMLError) as err:
                self.diags.append(Diagnostic(errors.BAD_DATE, msg("diag.not_date_detail", text=repr(text), detail=str(err)), self.loc(node)))
                return text
            if isinstance(value, _dt.datetime):
                return value.date() if value.time() == _dt.time(0) and value.tzinfo is None else value
            return value
        self._bad_tag(node)
        return text


def load_yaml(text: str | bytes, filename: str) -> tuple[Any, list[Diagnostic]]:
    """Parse one YAML document; return (data or None, diagnostics). Never raises for bad input."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            return None, [Diagnostic(errors.YAML_UNSAFE, msg("diag.too_large_bytes", limit=MAX_BYTES), SourceLocation(filename))]
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            return None, [Diagnostic(errors.YAML_SYNTAX, msg("diag.not_utf8", reason=err.reason, at=err.start), SourceLocation(filename))]
    if len(text) > MAX_BYTES:
        return None, [Diagnostic(errors.YAML_UNSAFE, msg("diag.too_large_chars", limit=MAX_BYTES), SourceLocation(filename))]
    loader = None
    try:
        loader = _Loader(text, filename)  # the reader rejects control characters here
        node = loader.get_single_node()
    except _YamlRefused as refused:
        return None, [refused.diag]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        loc = SourceLocation(filename, mark.line + 1, mark.column + 1) if mark else SourceLocation(filename)
        detail = " ".join(p for p in (err.context, err.problem) if p)
        text = msg("diag.yaml_syntax", detail=detail) if detail else msg("diag.yaml_invalid")
        return None, [Diagnostic(errors.YAML_SYNTAX, text, loc, hint=msg("diag.hint.yaml_indent"))]
    except yaml.reader.ReaderError as err:
        before = text[: err.position]
        loc = SourceLocation(filename, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
        return None, [Diagnostic(errors.YAML_SYNTAX, msg("diag.bad_character", char=repr(err.character), reason=err.reason), loc,
                                 hint=msg("diag.hint.control_char"))]
    except (yaml.YAMLError, RecursionError, ValueError) as err:
        return None, [Diagnostic(errors.YAML_SYNTAX, msg("diag.yaml_invalid_detail", detail=str(err)), SourceLocation(filename))]
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return None, []
    builder = _Builder(filename)
    data = builder.build(node)
    return data, builder.diags


def locate(root: Any, path: Iterable[Any]) -> SourceLocation | None:
    """Location of the deepest element of ``path`` (keys and indexes) that exists in ``root``."""
    best = getattr(root, "loc", None)
    cur = root
    for part in path:
        if isinstance(cur, YMap) and isinstance(part, str) and part in cur:
            best = cur.value_loc(part)
            cur = cur[part]
        elif isinstance(cur, YMap) and isinstance(part, str):
            return best
        elif isinstance(cur, YSeq) and isinstance(part, int) and 0 <= part < len(cur):
            best = cur.item_loc(part)
            cur = cur[part]
        else:
            return best
    return best


def locate_key(root: Any, path: Iterable[Any]) -> SourceLocation | None:
    """Like :func:`locate`, but point at the last key itself (for unknown-field errors)."""
    path = list(path)
    parent = root
    for part in path[:-1]:
        if isinstance(parent, (YMap, YSeq)):
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                return locate(root, path)
        else:
            return locate(root, path)
    if isinstance(parent, YMap) and path and path[-1] in parent:
        return parent.key_loc(path[-1])
    return locate(root, path)


#: file -> ((mtime_ns, size), lines): re-read when the file changes (a long-running process -
#: the pytest plugin, an editor - loads a draft again after it is edited); kept small.
_LINES: dict[str, tuple[tuple[int, int], list[str]]] = {}
_LINES_MAX = 64


def block_scalar_location(loc: SourceLocation, offset: int) -> SourceLocation:
    """Where character ``offset`` (0-based) of a folded block scalar's value sits in the file.

    ``loc`` is the block indicator (``>-``); the value's lines follow it, joined by single
    spaces (YAML folding). Falls back to the line after the indicator.
    """
    try:
        st = os.stat(loc.file)
        stamp = (st.st_mtime_ns, st.st_size)
        cached = _LINES.get(loc.file)
        if cached is not None and cached[0] == stamp:
            lines = cached[1]
        else:
            with open(loc.file, encoding="utf-8-sig") as fh:
                lines = fh.read().splitlines()
            if len(_LINES) >= _LINES_MAX:
                _LINES.clear()
            _LINES[loc.file] = (stamp, lines)
    except (OSError, UnicodeDecodeError):
        return SourceLocation(loc.file, loc.line + 1, 0)
    indent = None
    pos = 0
    for i in range(loc.line, len(lines)):
        raw = lines[i]
        if not raw.strip():
            continue
        ind = len(raw) - len(raw.lstrip(" "))
        if indent is None:
            indent = ind
        if ind < indent:
            break
        text = raw[indent:].rstrip()
        if offset <= pos + len(text):
            return SourceLocation(loc.file, i + 1, indent + offset - pos + 1)
        pos += len(text) + 1
    return SourceLocation(loc.file, loc.line + 1, 0)
