"""Cell parsers: one function per cell type, each turning a raw cell into a canonical value.

Every parser takes what a reader hands over (``str`` from CSV, or the native
``int``/``float``/``Decimal``/``datetime``/``bool`` that openpyxl and ``json``
produce), returns the canonical value or ``None`` for an empty cell, and raises
:class:`CellError` (code + reason, no column) for anything else. The caller knows
the file, row and column and turns the error into a rejected row.

Money is never a float: decimal strings go straight to ``Decimal``, and a float
from a spreadsheet cell goes through its shortest repr (``1500000.5`` stays
``1500000.5``). Whole amounts are ``int``; ``Decimal`` only when sen are non-zero.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Iterable, NamedTuple

from .. import errors

#: Amounts with more integer digits than this are refused: 10^18 rupiah is a
#: thousand times Indonesia's yearly budget, so a longer number is a typo or an
#: id in the wrong column (and huge digit strings would make int() slow or fail).
MAX_DIGITS = 18


class CellError(ValueError):
    """A cell that cannot be read as its column's type; ``code`` is an errors.* data code."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def exceeds(part: str, amount: object, whole: str, total: object) -> CellError:
    """A record whose ``part`` amount is more than its ``whole`` (``umk_value_idr`` over
    ``value_idr``, ``local_umkk_idr`` over ``total_idr``), worded alike by the per-row reader,
    the column-wise loader and records built in code (record_checks)."""
    return CellError(errors.BAD_VALUE, f"{part} {amount} exceeds {whole} {total}")


def ends_before_start(end: object, start: object) -> CellError:
    """A partnership whose ``end_date`` is before its ``start_date`` (worded as :func:`exceeds`)."""
    return CellError(errors.BAD_VALUE, f"end_date {end} is before start_date {start}")


def problems_text(problems: Iterable[tuple[str | None, CellError]]) -> str:
    """A row's cell problems as one rejection reason, joined by ``"; "``: each ``column: reason``,
    or the reason alone when it has no column or already begins with its column's name (a check
    across two columns: ``umk_value_idr 6 exceeds value_idr 5``, not ``umk_value_idr: umk_value_idr
    6 ...``). The per-row reader and the column-wise loader both word a rejected row with it."""
    return "; ".join(e.reason if c is None or e.reason.startswith(c + " ") else f"{c}: {e.reason}"
                     for c, e in problems)


# --- text ---------------------------------------------------------------------


def parse_text(value: object) -> str | None:
    """Trimmed text, or None when empty; numbers from a spreadsheet become their digits."""
    if type(value) is str:  # the common case first: every CSV cell
        s = value.strip()
        if not s:
            return None
        if "\x00" in s:
            # A NUL never belongs in text; it usually means a UTF-16 or binary file.
            raise CellError(errors.BAD_VALUE, "contains a NUL character (is the file UTF-16 or binary?)")
        return s
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(errors.BAD_VALUE, f"{value!r} is not text or a number")
        # An id typed into Excel as a number comes back as 123.0: keep "123".
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CellError(errors.BAD_VALUE, f"{value} is not text or a number")
        return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    raise CellError(errors.BAD_VALUE, f"unexpected {type(value).__name__} value")


_TOKEN_SEP = re.compile(r"[\s\-]+")


def normalise_token(text: str) -> str:
    """Lower-case a code or category and turn runs of spaces and hyphens into one underscore."""
    return _TOKEN_SEP.sub("_", text.strip().lower())


def parse_token(value: object) -> str | None:
    """A free token such as a category: trimmed, lower-cased, spaces/hyphens as underscores."""
    s = parse_text(value)
    return None if s is None else normalise_token(s)


def parse_list(value: object) -> tuple[str, ...]:
    """A ``;``-separated list of tokens; items are trimmed and normalised, empty items dropped."""
    s = parse_text(value)
    if s is None:
        return ()
    return tuple(normalise_token(item) for item in s.split(";") if item.strip())


def parse_code(value: object, allowed: Iterable[str], what: str = "code") -> str | None:
    """A code from a closed list, matched case-insensitively and returned in its canonical spelling."""
    s = parse_text(value)
    if s is None:
        return None
    token = normalise_token(s)
    allowed = tuple(allowed)
    if token in allowed:
        return allowed[allowed.index(token)]
    hint = difflib.get_close_matches(token, allowed, n=1)
    tail = f"; did you mean {hint[0]!r}?" if hint else ""
    raise CellError(errors.UNKNOWN_CODE, f"{s!r} is not a known {what} (one of {', '.join(allowed)}){tail}")


# --- booleans and small integers ------------------------------------------------

_TRUE = frozenset({"true", "ya", "1", "yes"})
_FALSE = frozenset({"false", "tidak", "0", "no"})


def parse_bool(value: object) -> bool | None:
    """true/false, ya/tidak, yes/no or 1/0, in any case."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)) and not (isinstance(value, Decimal) and not value.is_finite()) and value in (0, 1):
        return bool(value)
    s = parse_text(value)
    if s is None:
        return None
    low = s.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise CellError(errors.BAD_VALUE, f"{s!r} is not a yes/no value (use true/false, ya/tidak, yes/no or 1/0)")


def parse_int(value: object, low: int, high: int) -> int | None:
    """A whole number between ``low`` and ``high`` inclusive."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(errors.BAD_VALUE, f"{value!r} is not a whole number")
    if isinstance(value, int):
        n = value
    elif isinstance(value, (float, Decimal)) and _is_integral(value):
        n = int(value)
    else:
        s = parse_text(value)
        if s is None:
            return None
        if not (s.isascii() and s.isdigit() and len(s) <= MAX_DIGITS):
            raise CellError(errors.BAD_VALUE, f"{s!r} is not a whole number")
        n = int(s)
    if not low <= n <= high:
        raise CellError(errors.BAD_VALUE, f"{n} is outside {low}..{high}")
    return n


def _is_integral(x: float | Decimal) -> bool:
    if isinstance(x, float):
        return math.isfinite(x) and x.is_integer()
    return x.is_finite() and x == x.to_integral_value()


# --- dates ----------------------------------------------------------------------

# The time part (and any offset) is accepted and ignored: the date as written in
# the source is the date. Converting to UTC would move late-evening WITA events
# into the previous day.
_ISO_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
#: day first, as Indonesian exports write it: 31/03/2025, or 31-03-2025 (one separator throughout;
#: a four-digit year last cannot be read as ISO's year first)
_DMY_DATE = re.compile(r"([0-9]{1,2})([/-])([0-9]{1,2})\2([0-9]{4})")


def parse_date(value: object) -> _dt.date | None:
    """An ISO date (``2025-03-31``, time part ignored) or day first, ``dd/mm/yyyy`` or
    ``dd-mm-yyyy`` (``31/03/2025``, ``31-03-2025``)."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    s = parse_text(value)
    if s is None:
        return None
    m = _ISO_DATE.fullmatch(s)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _DMY_DATE.fullmatch(s)
        if not m:
            raise CellError(errors.BAD_VALUE, f"{s!r} is not a date (use 2025-03-31 or 31/03/2025)")
        d, mo, y = int(m[1]), int(m[3]), int(m[4])
    try:
        return _dt.date(y, mo, d)
    except ValueError:
        raise CellError(errors.BAD_VALUE, f"{s!r} is not a calendar date") from None


# --- money ----------------------------------------------------------------------

_RP_PREFIX = re.compile(r"(?:rp\.?|idr)\s*", re.IGNORECASE)
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_COMMA_DECIMAL = re.compile(r"([0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+),([0-9]+)")
_POINT_DECIMAL = re.compile(r"([0-9]+)\.([0-9]+)")
_MACHINE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def parse_money(value: object) -> int | Decimal | None:
    """A rupiah amount as written by people: ``1500000``, ``1.500.000``, ``1.500.000,00``, ``Rp 1.500.000``.

    The ambiguity rule: a single dot followed by exactly three digits, with one to
    three digits before it (``1.500``, ``250.000``), could be Indonesian thousands
    or an English decimal point, so it is refused unless an ``Rp`` prefix says the
    number is written the Indonesian way (``Rp 250.000`` = 250000). Two or more dot
    groups (``1.500.000``) or a comma decimal part (``1.500,00``) are unambiguous.
    A comma is always the decimal mark, and a comma followed by exactly three
    digits with no dot groups (``1,500``) is refused for the same reason. A single
    dot followed by any other number of digits is a decimal point
    (``1500000.00``, ``113214787.91``), as machine exports write it.
    """
    if type(value) is str and value.isdigit() and value.isascii() and len(value) <= MAX_DIGITS:
        return int(value)  # fast path: plain digits, as most exports write amounts
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return _native_money(value)
    s = parse_text(value)
    if s is None:
        return None
    body, negative = _strip_sign(s)
    m = _RP_PREFIX.match(body)
    has_rp = bool(m)
    if m:
        body = body[m.end():]
        body, neg2 = _strip_sign(body)
        negative = negative or neg2
    if _PLAIN.fullmatch(body):
        amount = _whole(body, s)
    elif _GROUPED.fullmatch(body):
        if body.count(".") == 1 and not has_rp:
            raise CellError(
                errors.BAD_VALUE,
                f"{s!r} is ambiguous: write {body.replace('.', '')} for thousands or "
                f"{_decimal_hint(body, '.')} for a decimal number (or prefix Rp for Indonesian grouping)",
            )
        amount = _whole(body.replace(".", ""), s)
    elif m2 := _COMMA_DECIMAL.fullmatch(body):
        whole, frac = m2[1], m2[2]
        if "." not in whole and len(whole) <= 3 and len(frac) == 3:
            raise CellError(
                errors.BAD_VALUE,
                f"{s!r} is ambiguous: write {whole}{frac} for thousands or "
                f"{_decimal_hint(body, ',')} for a decimal number",
            )
        amount = _with_fraction(whole.replace(".", ""), frac, s)
    elif m3 := _POINT_DECIMAL.fullmatch(body):
        amount = _with_fraction(m3[1], m3[2], s)
    else:
        raise CellError(errors.BAD_VALUE, f"{s!r} is not a rupiah amount (use 1500000, 1.500.000 or 1.500.000,00)")
    return _non_negative(amount, negative, s)


def parse_amount(value: object) -> int | Decimal | None:
    """A machine-written amount: digits with an optional decimal point; no grouping.

    No importer reads amounts with this any more: it reads ``250.000`` as 250, which
    is wrong for a file saved in an Indonesian locale. Importers use
    :func:`parse_money_as` under the column's convention (docs/importers.md, "Numbers").
    """
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return _native_money(value)
    s = parse_text(value)
    if s is None:
        return None
    if not _MACHINE.fullmatch(s):
        raise CellError(errors.BAD_VALUE, f"{s!r} is not a number")
    try:
        d = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        raise CellError(errors.BAD_VALUE, f"{s!r} is not a number") from None
    return _from_decimal(d, s)


def _native_money(value: object) -> int | Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(errors.BAD_VALUE, f"{value!r} is not an amount")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:
            raise CellError(errors.BAD_VALUE, f"{value} is too large for an amount in rupiah")
        return _non_negative(abs(value), value < 0, str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(errors.BAD_VALUE, f"{value!r} is not an amount")
        return _from_decimal(Decimal(repr(value)), repr(value))
    assert isinstance(value, Decimal)
    return _from_decimal(value, str(value))


def _from_decimal(d: Decimal, shown: str) -> int | Decimal:
    if not d.is_finite():
        raise CellError(errors.BAD_VALUE, f"{shown!r} is not an amount")
    if d.adjusted() >= MAX_DIGITS:
        raise CellError(errors.BAD_VALUE, f"{shown!r} is too large for an amount in rupiah")
    negative = d < 0
    d = abs(d)
    amount: int | Decimal = int(d) if d == d.to_integral_value() else d.normalize()
    return _non_negative(amount, negative, shown)


def _decimal_hint(body: str, mark: str) -> str:
    whole, frac = body.split(mark)
    frac = frac.rstrip("0")
    return f"{whole},{frac}" if frac else whole


def _strip_sign(s: str) -> tuple[str, bool]:
    if s[:1] in ("-", "\u2212"):
        return s[1:].lstrip(), True
    return s, False


def _whole(digits: str, shown: str) -> int:
    digits = digits.lstrip("0") or "0"
    if len(digits) > MAX_DIGITS:
        raise CellError(errors.BAD_VALUE, f"{shown!r} is too large for an amount in rupiah")
    return int(digits)


def _with_fraction(whole: str, frac: str, shown: str) -> int | Decimal:
    n = _whole(whole, shown)
    if not frac.strip("0"):
        return n
    return Decimal(f"{n}.{frac}").normalize() if n else Decimal(f"0.{frac}").normalize()


def _non_negative(amount: int | Decimal, negative: bool, shown: str) -> int | Decimal:
    if negative and amount != 0:
        raise CellError(errors.NEGATIVE_VALUE, f"{shown!r} is below zero")
    return amount


def format_money(amount: int | Decimal) -> str:
    """Write an amount so that :func:`parse_money` reads it back exactly.

    Plain digits with a decimal point; a fraction of exactly three digits after a
    one-to-three digit whole part gets a trailing zero (``1.1250``) so it cannot
    be taken for a thousands group.
    """
    if isinstance(amount, int):
        return str(amount)
    text = format(amount.normalize(), "f")
    if "." in text:
        whole, frac = text.split(".")
        if len(whole) <= 3 and len(frac) == 3:
            text += "0"
    return text


# --- number conventions per file and column -----------------------------------------
#
# parse_money refuses a cell that two conventions read differently (``250.000``:
# Indonesian thousands or an English decimal point). The rest of its column often
# settles which convention the file uses: a cell only the Indonesian convention
# reads (``1.500.000``, ``1.500.000,00``, ``Rp 250.000``, ``1500000,50``) or a
# column in which every amount is written with dot groups. A column is scanned
# once before it is read (MoneyScan), its convention decided (decide_money), and
# each cell then read by parse_money_as. A convention never changes the value of
# a cell that parse_money reads: it only decides cells parse_money refuses as
# ambiguous, so a column read under any convention agrees with the canonical
# parser wherever that parser gives a value.

#: parse_money's own rules: an ambiguous cell is refused.
HUMAN = "human"
#: Indonesian writing settled by the column: '.' groups thousands, ',' is the decimal mark.
GROUPED = "grouped"
#: Machine writing settled by the column: '.' is the decimal point, nothing is grouped.
POINT = "point"
CONVENTIONS = (HUMAN, GROUPED, POINT)

# Shapes of a text cell, after the sign and an Rp/IDR prefix are taken off.
_SHORT = re.compile(r"[0-9]{1,3}")
_ONE_GROUP = re.compile(r"[0-9]{1,3}\.[0-9]{3}")
_COMMA_THREE = re.compile(r"[0-9]{1,3},[0-9]{3}")

# Everything money_shape classifies as an amount matches this (a cheap first test).
_MONEYISH = re.compile(r"\s*[-\u2212]?\s*(?:(?:rp\.?|idr)\s*(?:[-\u2212]\s*)?)?[0-9][0-9.,]*\s*", re.IGNORECASE)

#: What a cell says about its column's convention.
_NEUTRAL, _SHORT_PLAIN, _AMBIGUOUS_DOT, _AMBIGUOUS_COMMA, _ID, _ID_GROUPED, _MACHINE_POINT, _OTHER = range(8)


def money_shape(value: object) -> int:
    """Classify a raw money cell for the column scan (see MoneyScan); never raises."""
    if type(value) is not str:
        return _NEUTRAL  # empty, or a native number from JSON or a spreadsheet: a number is a number
    s = value.strip()
    if not s:
        return _NEUTRAL
    if s.isdigit() and s.isascii():
        return _SHORT_PLAIN if len(s) <= 3 else _NEUTRAL
    body, _neg, has_rp = _unprefixed(s)
    if _PLAIN.fullmatch(body):
        return _SHORT_PLAIN if len(body) <= 3 else _NEUTRAL
    if _ONE_GROUP.fullmatch(body):
        return _ID_GROUPED if has_rp else _AMBIGUOUS_DOT
    if _GROUPED.fullmatch(body):
        return _ID_GROUPED
    if _COMMA_THREE.fullmatch(body):
        return _AMBIGUOUS_COMMA
    if m2 := _COMMA_DECIMAL.fullmatch(body):
        return _ID_GROUPED if "." in m2[1] else _ID
    if _POINT_DECIMAL.fullmatch(body):
        return _MACHINE_POINT
    return _OTHER


class MoneyScan:
    """The evidence one column's cells give about its number convention, in bounded memory.

    Feed every cell with :meth:`add` (row number, raw cell), in any order; only the
    first (lowest-row) example of each kind of evidence and a few counts are kept.
    (Which cell is remembered as the first breaker may depend on the order; the
    decision does not.)
    """

    __slots__ = ("indonesian", "point", "ambiguous", "breaker", "grouped", "n_ambiguous", "texts")

    def __init__(self) -> None:
        self.indonesian: tuple[int, str] | None = None  # a cell only the Indonesian convention reads
        self.point: tuple[int, str] | None = None  # a cell with '.' as decimal point (1-2 or 4+ fraction digits)
        self.ambiguous: tuple[int, str] | None = None  # first cell parse_money refuses as ambiguous
        self.breaker: tuple[int, str] | None = None  # first cell not written with dot groups (nor under 1000)
        self.grouped = 0  # cells written with three-digit dot groups
        self.n_ambiguous = 0
        self.texts = 0  # cells written as text (not JSON or spreadsheet numbers)

    @staticmethod
    def _first(old: tuple[int, str] | None, row: int, text: str) -> tuple[int, str]:
        return (row, text) if old is None or row < old[0] else old

    def add(self, row: int, value: object) -> None:
        if type(value) is not str or not value:
            return  # a native number (JSON, spreadsheet) or an empty cell settles nothing
        self.texts += 1
        if "." not in value and "," not in value and (self.breaker is not None or len(value) <= 3):
            return  # fast path: such a cell can only be a breaker (plain digits of 1000 and more)
        if not _MONEYISH.fullmatch(value):
            return  # fast path: not shaped like an amount at all (names, dates): settles nothing
        shape = money_shape(value)
        if shape == _NEUTRAL:
            if value.strip():  # plain digits of 1000 and more: not written with dot groups
                self.breaker = self._first(self.breaker, row, value.strip())
        elif shape not in (_SHORT_PLAIN, _OTHER):  # unreadable cells are refused anyway and settle nothing
            self._add_shape(row, value.strip(), shape)

    def _add_shape(self, row: int, text: str, shape: int) -> None:
        if shape in (_AMBIGUOUS_DOT, _ID_GROUPED):
            self.grouped += 1
        else:
            self.breaker = self._first(self.breaker, row, text)
        if shape in (_AMBIGUOUS_DOT, _AMBIGUOUS_COMMA):
            self.n_ambiguous += 1
            self.ambiguous = self._first(self.ambiguous, row, text)
        elif shape in (_ID, _ID_GROUPED):
            self.indonesian = self._first(self.indonesian, row, text)
        elif shape == _MACHINE_POINT:
            self.point = self._first(self.point, row, text)


class Convention(NamedTuple):
    """A column's number convention and, in words, what in the file settled it."""

    name: str
    why: str


#: The convention of a column that was not scanned, or has nothing to settle.
AS_WRITTEN = Convention(HUMAN, "as written (plain digits, or unambiguous grouping)")
#: A column whose amounts are all JSON or spreadsheet numbers (or empty).
NUMBERS_ONLY = Convention(HUMAN, "numbers (no amount written as text)")


def decide_money(scan: MoneyScan) -> Convention:
    """The convention of a scanned column (docs/importers.md, "Numbers").

    * Cells only the Indonesian convention reads, and none with a decimal point: grouped.
    * Every cell written with three-digit dot groups (or under 1000), at least two of them: grouped.
    * Cells with a decimal point, and none only the Indonesian convention reads: point;
      an ambiguous cell there stays refused (machine exports write one or two sen digits).
    * Otherwise, or when the column has both: parse_money's rules.
    """
    ind, pt = scan.indonesian, scan.point
    if ind and pt:
        return Convention(HUMAN, f"mixed: row {ind[0]} {ind[1]!r} groups thousands with '.', row {pt[0]} {pt[1]!r} "
                                 f"uses '.' as decimal point; ambiguous cells are refused")
    if ind:
        return Convention(GROUPED, f"Indonesian ('.' thousands, ',' decimals), settled by row {ind[0]} {ind[1]!r}")
    if scan.breaker is None and scan.grouped >= 2:
        return Convention(GROUPED, f"Indonesian ('.' thousands): all {scan.grouped} amounts have three-digit dot groups")
    if pt:
        return Convention(POINT, f"machine ('.' decimal point), settled by row {pt[0]} {pt[1]!r}")
    if not scan.texts:
        return NUMBERS_ONLY
    return AS_WRITTEN




def numbers_note(numbers: dict[str, Convention]) -> tuple[tuple[str, str], ...]:
    """(column, how its numbers were read) for InputFile.numbers, in column order."""
    return tuple((col, conv.why) for col, conv in sorted(numbers.items()))


def parse_money_as(value: object, convention: Convention | str = HUMAN) -> int | Decimal | None:
    """parse_money under a column's convention: the same value wherever parse_money gives one.

    Under GROUPED, a cell parse_money refuses as ambiguous is read the Indonesian
    way (``250.000`` = 250000, ``1,500`` = 1.5). Under POINT and HUMAN it stays
    refused, with the column's evidence in the reason when there is some.
    """
    name = convention if isinstance(convention, str) else convention.name
    try:
        return parse_money(value)
    except CellError as err:
        if type(value) is not str:
            raise
        shape = money_shape(value)
        if shape not in (_AMBIGUOUS_DOT, _AMBIGUOUS_COMMA):
            raise
        if name == GROUPED:
            s = value.strip()
            body, negative, _rp = _unprefixed(s)
            if shape == _AMBIGUOUS_DOT:
                return _non_negative(_whole(body.replace(".", ""), s), negative, s)
            whole, frac = body.split(",")
            return _non_negative(_with_fraction(whole, frac, s), negative, s)
        if isinstance(convention, Convention) and convention.name == POINT:
            raise CellError(err.code, f"{err.reason}; elsewhere this column is {convention.why}") from None
        raise


def _unprefixed(s: str) -> tuple[str, bool, bool]:
    """(body, negative, has an Rp/IDR prefix) of a trimmed money cell, as parse_money splits it."""
    body, negative = _strip_sign(s)
    m = _RP_PREFIX.match(body)
    if m:
        body, neg2 = _strip_sign(body[m.end():])
        negative = negative or neg2
    return body, negative, bool(m)
