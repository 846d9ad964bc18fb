"""A clause's atom rows held in SQL as integers, seen in Python as text.

The column-wise judge groups purchases by their *atom row*: per atom of a decision, ``t``,
``f`` or ``u`` (the engine's input, :meth:`perbup_rules.engine.Engine.decide`). Built in SQL as
text (one string per clause and purchase, concatenated atom by atom) the rows were half the cost
of the ``facts`` table (0.6 of 1.2 s at a million purchases, 14 rows each); as an integer they
are a few additions: atom ``i`` is the ``i``-th base-3 digit, ``f`` = 0, ``t`` = 1, ``u`` = 2.

Python never sees the integers: a row leaves SQL as text (:meth:`Key.text` of a fetched value,
:meth:`Key.text_sql` where many rows are read) and enters it as an integer literal
(:meth:`Key.lit`). A decision of more than :data:`MAX_WIDTH` atoms (the bundled draft's have
17 at most) keeps text rows, through the same methods.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

#: an atom's value per digit
DIGITS = "ftu"
#: atoms a BIGINT row holds (3**39 < 2**63 - 1)
MAX_WIDTH = 39


@dataclass(frozen=True)
class Key:
    """The SQL form of one decision's atom rows: ``width`` atoms, as an integer when it fits."""

    width: int

    @property
    def as_int(self) -> bool:
        return self.width <= MAX_WIDTH

    @property
    def sql_type(self) -> str:
        """The SQL type of a row (of a table of rows: a label per row, say)."""
        return "BIGINT" if self.as_int else "VARCHAR"

    def value(self, text: str) -> int | str:
        """A row given as text, as a table of :attr:`sql_type` holds it."""
        return encode(text, self.width) if self.as_int else text

    def sql(self, parts: list[str]) -> str:
        """The row of ``parts`` (SQL giving ``'t'``, ``'f'`` or ``'u'``, one per atom, in order)."""
        if len(parts) != self.width:
            raise ValueError(f"{len(parts)} atoms for a row of {self.width}")
        if not self.as_int:
            return " || ".join(parts)
        if not parts:
            return "0"
        # BIGINT from the first addition on: DuckDB types each literal as small as it fits, so a sum
        # of INTEGER digits past 2**31 (20 atoms and more) would overflow
        return "CAST(0 AS BIGINT) + " + " + ".join(_digit(p, 3 ** i) for i, p in enumerate(parts))

    def lit(self, text: str) -> str:
        """The SQL literal of a row given as text."""
        if not self.as_int:
            return "'" + text.replace("'", "''") + "'"
        return str(encode(text, self.width))

    def text(self, value: int | str | None) -> str | None:
        """A row fetched from SQL, as text (None stays None)."""
        if value is None or not self.as_int:
            return value  # type: ignore[return-value]
        return decode(value, self.width)

    def text_sql(self, column: str) -> str:
        """SQL giving the row in ``column`` as text (NULL stays NULL)."""
        if not self.as_int:
            return column
        if self.width == 0:
            return f"CASE WHEN {column} IS NULL THEN NULL ELSE '' END"
        letters = "[" + ", ".join(f"'{d}'" for d in DIGITS) + "]"
        return " || ".join(f"{letters}[({column} // {3 ** i}) % 3 + 1]" for i in range(self.width))


#: an atom's SQL literal -> its digit
_VALUE = {f"'{d}'": n for n, d in enumerate(DIGITS)}


_TOKEN = re.compile(r"'(?:[^']|'')*'|[A-Za-z_][A-Za-z_0-9]*|\s+|.", re.S)


def _digit(part: str, weight: int) -> str:
    """SQL giving atom ``part``'s value (``'t'``/``'f'``/``'u'``) times ``weight`` as a number.

    A literal is its number; a ``CASE`` (in parentheses or not) whose every result is such a
    literal (the atoms :mod:`.sql` makes) has its results replaced by their numbers; anything
    else is mapped by an outer ``CASE``. Every form gives the same number for the same row."""
    p = part.strip()
    if p in _VALUE:
        return str(_VALUE[p] * weight)
    tokens = [m.group(0) for m in _TOKEN.finditer(p)]
    lead = 0  # outer parentheses around the CASE
    while lead < len(tokens) and tokens[lead] == "(":
        lead += 1
    if lead >= len(tokens) or tokens[lead].upper() != "CASE":
        return _mapped(part, weight)
    depth, out, results, closed_at, expect_value = 0, [], 0, None, False
    for n, tok in enumerate(tokens):
        word = tok.upper()
        if tok in ("(", "[") or word == "CASE":
            depth += 1
        elif tok in (")", "]") or word == "END":
            depth -= 1
            if word == "END" and depth == lead:
                closed_at = n  # the outer CASE ends here
        if closed_at is not None and n > closed_at and not (tok.isspace() or tok == ")"):
            return _mapped(part, weight)  # something follows the CASE: not the forms above
        if expect_value and not tok.isspace():
            if tok not in _VALUE:
                return _mapped(part, weight)
            tok = str(_VALUE[tok] * weight)
            results += 1
            expect_value = False
        elif word in ("THEN", "ELSE") and depth == lead + 1:
            expect_value = True
        out.append(tok)
    if closed_at is None or depth != 0 or not results or expect_value:
        return _mapped(part, weight)
    return "(" + "".join(out) + ")"


def _mapped(part: str, weight: int) -> str:
    return f"(CASE {part} " + " ".join(f"WHEN {lit} THEN {d * weight}" for lit, d in _VALUE.items()) + " END)"


def encode(text: str, width: int) -> int:
    """The integer of a row given as text (``width`` atoms)."""
    if len(text) != width:
        raise ValueError(f"row {text!r} is not {width} atoms long")
    n = 0
    for i, ch in enumerate(text):
        d = DIGITS.find(ch)
        if d < 0:
            raise ValueError(f"row {text!r}: {ch!r} is not t, f or u")
        n += d * 3 ** i
    return n


@functools.lru_cache(maxsize=65536)
def decode(n: int, width: int) -> str:
    """The text of a row given as its integer (``width`` atoms)."""
    if not 0 <= n < 3 ** width:
        raise ValueError(f"{n} is not a row of {width} atoms")
    out = []
    for _ in range(width):
        n, d = divmod(n, 3)
        out.append(DIGITS[d])
    return "".join(out)
