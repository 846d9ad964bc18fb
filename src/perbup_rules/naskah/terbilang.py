"""Numbers written out in Indonesian (*terbilang*), as UU 12/2011 Lampiran II wants amounts and
percentages in a regulation: ``Rp15.000.000.000,00 (lima belas miliar rupiah)``, ``40% (empat puluh
persen)``.

Written by hand because it is small and must be exact: values are ``int``, ``Decimal`` or
``Fraction``, never floats; a ratio that is not a finite decimal percentage is refused.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

_DIGITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
#: powers of a thousand, as used in Indonesian legislation (10^9 is "miliar", not "milyar")
_SCALES = ((10 ** 12, "triliun"), (10 ** 9, "miliar"), (10 ** 6, "juta"), (10 ** 3, "ribu"))


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [_DIGITS[hundreds], "ratus"]
    if rest == 0:
        return words
    if rest < 10:
        words.append(_DIGITS[rest])
    elif rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif rest < 20:
        words += [_DIGITS[rest - 10], "belas"]
    else:
        tens, ones = divmod(rest, 10)
        words += [_DIGITS[tens], "puluh"] + ([_DIGITS[ones]] if ones else [])
    return words


def terbilang(n: int) -> str:
    """A whole number ≥ 0 in Indonesian words: 1000 → ``seribu``, 15_000_000_000 → ``lima belas miliar``."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"terbilang takes an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError("terbilang takes a number ≥ 0")
    if n == 0:
        return "nol"
    if n >= 10 ** 15:
        # above "ribu triliun" usage is not settled; refuse rather than guess
        raise ValueError("terbilang supports numbers below 10^15")
    words: list[str] = []
    for scale, name in _SCALES:
        q, n = divmod(n, scale)
        if q == 0:
            continue
        if q == 1 and scale == 1000:
            words.append("seribu")
        else:
            words += _below_thousand(q) + [name]
    words += _below_thousand(n)
    return " ".join(words)


def terbilang_decimal(d: Decimal | int) -> str:
    """A non-negative decimal in words, with ``koma`` and digit by digit after it: 12.5 → ``dua belas koma lima``."""
    d = Decimal(d)
    if not d.is_finite() or d < 0:
        raise ValueError(f"cannot write {d} in words")
    sign, digits, exp = d.normalize().as_tuple()
    if exp >= 0:
        return terbilang(int(d))
    whole = int(d)
    frac_digits = str(d.normalize()).split(".")[1]
    return terbilang(whole) + " koma " + " ".join(_DIGITS[int(c)] for c in frac_digits)


def ribuan(n: int) -> str:
    """15000000000 → ``15.000.000.000`` (Indonesian thousands separator)."""
    return f"{n:,}".replace(",", ".")


def format_rupiah(n: int, words: bool = True) -> str:
    """``Rp15.000.000.000,00 (lima belas miliar rupiah)``."""
    if isinstance(n, Decimal):
        if n != n.to_integral_value():
            raise ValueError(f"an amount of rupiah is whole: {n}")
        n = int(n)
    text = f"Rp{ribuan(n)},00"
    return f"{text} ({terbilang(n)} rupiah)" if words else text


def percent_of(ratio: Decimal | Fraction | int) -> Decimal:
    """A ratio (0.40) as an exact percentage (40); refused when it has no finite decimal form."""
    f = Fraction(ratio) * 100
    d = Decimal(f.numerator) / Decimal(f.denominator)
    if Fraction(d) != f:
        raise ValueError(f"{ratio} is not a finite decimal percentage")
    return d.normalize() if d != d.to_integral_value() else Decimal(int(d))


def format_percent(ratio: Decimal | Fraction | int, words: bool = True) -> str:
    """0.40 → ``40% (empat puluh persen)``; 0.125 → ``12,5% (dua belas koma lima persen)``."""
    p = percent_of(ratio)
    text = (format(p, "f").replace(".", ",")) + "%"
    return f"{text} ({terbilang_decimal(p)} persen)" if words else text
