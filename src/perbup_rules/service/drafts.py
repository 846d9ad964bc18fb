"""The drafter's download: params.yaml with the form's changes, everything else (comments) kept.

``compare.with_params`` changes a compiled Ruleset; a drafter needs the file. The edit is
made on the text, line by line, so comments and references of untouched parameters stay
as written: within the parameter's block, an undated change replaces every ``value:`` of
its ``values:`` list; a dated change (``NAME=VALUE@DATE``) replaces the value from that
date or adds an entry for it. The result is checked by loading it (``perbup check``).
"""

from __future__ import annotations

import re
from typing import Iterable

from ..compare import _value, parse_setting
from ..compiler.ruleset import Ruleset
from ..errors import UsageError
from ..params import encode_value

_TOP = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):\s*(#.*)?$")
_FROM = re.compile(r"^(\s*)-\s+from:\s*['\"]?([0-9]{4}-[0-9]{2}-[0-9]{2})['\"]?\s*$")
_VALUE = re.compile(r"^(\s*)value:\s*.*$")
_REFERENCE = re.compile(r"^(\s*)reference:\s*.*$")


def edit_params_text(text: str, settings: Iterable[str], ruleset: Ruleset) -> str:
    """``text`` (a params.yaml) with ``settings`` (``params.NAME=VALUE[@DATE]``) applied."""
    lines = text.splitlines()
    for s in settings:
        name, raw, day = parse_setting(s)
        p = ruleset.params.get(name)
        if p is None:
            raise UsageError(f"no parameter {name!r}")
        enc = encode_value(p["unit"], _value(p["unit"], raw, name))
        ref = f"reference: \"what-if: {name}={raw}{'@' + day.isoformat() if day else ''} (perbup serve)\""
        start = next((i for i, line in enumerate(lines) if _TOP.match(line) and _TOP.match(line)[1] == name), None)
        if start is None:
            raise UsageError(f"params.yaml has no block for {name!r}")
        end = next((i for i in range(start + 1, len(lines)) if _TOP.match(lines[i])), len(lines))
        entries = [i for i in range(start + 1, end) if _FROM.match(lines[i])]
        if not entries:
            raise UsageError(f"params.yaml: {name!r} has no dated values to change")

        def entry_end(i: int) -> int:
            nxt = [j for j in entries if j > i]
            stop = nxt[0] if nxt else end
            while stop - 1 > i and not lines[stop - 1].strip():
                stop -= 1
            return stop

        def set_entry(i: int) -> None:
            for j in range(i + 1, entry_end(i)):
                if _VALUE.match(lines[j]):
                    lines[j] = f"{_VALUE.match(lines[j])[1]}value: {enc}"
                elif _REFERENCE.match(lines[j]):
                    lines[j] = f"{_REFERENCE.match(lines[j])[1]}{ref}"

        if day is None:
            for i in entries:
                set_entry(i)
            continue
        same = [i for i in entries if _FROM.match(lines[i])[2] == day.isoformat()]
        if same:
            set_entry(same[0])
            continue
        indent = _FROM.match(lines[entries[0]])[1]
        inner = indent + "  "
        new = [f"{indent}- from: {day.isoformat()}", f"{inner}value: {enc}", f"{inner}{ref}"]
        after = [i for i in entries if _FROM.match(lines[i])[2] < day.isoformat()]
        at = entry_end(after[-1]) if after else entries[0]
        lines[at:at] = new
    return "\n".join(lines) + "\n"
