"""Exact rationals: parsing user text and JSON numbers into ``gmpy2.mpq``.

Accepted forms (after stripping blanks): an integer ``"-3"``, a fraction ``"-3/4"``, a decimal
``"0.125"``, ``".5"``, ``"5."``, and scientific notation ``"1e-3"``, ``"2.5E+4"``.  A JSON
number is taken from its text, so ``0.1`` means exactly 1/10.  NaN, infinities, zero
denominators and exponents so large that expanding them would exhaust memory are refused.

No floating-point value is ever created here.
"""

from __future__ import annotations

import re

import gmpy2
from gmpy2 import mpq, mpz

from .errors import InstanceError

#: Largest number of decimal digits a written rational may expand to.  ``1e100000`` would be
#: an integer of 100,001 digits; anything beyond this bound is refused as absurd input.
MAX_DIGITS = 4000

_DECIMAL = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$")
_FRACTION = re.compile(r"^([+-]?\d+)\s*/\s*([+-]?\d+)$")


def parse_rational(value: object, where: str | None = None) -> mpq:
    """Return the exact rational that ``value`` denotes.

    ``value`` may be an ``int``, an ``mpq``/``mpz``, or a string in one of the forms of the
    module docstring.  ``bool`` and ``float`` are refused: a float has already lost the
    user's text (load JSON with :func:`ermsolve.instance.load_json`, which keeps it).
    """
    if isinstance(value, bool):
        raise InstanceError(f"expected a rational, got the boolean {value}", where)
    if isinstance(value, int):
        return mpq(value)
    if isinstance(value, (type(mpq()), type(mpz()))):
        return mpq(value)
    if isinstance(value, JsonNumber):
        return _parse_text(str(value), where)
    if isinstance(value, str):
        return _parse_text(value, where)
    if isinstance(value, float):
        raise InstanceError("floating-point value given where exact text is needed", where)
    raise InstanceError(f"expected a rational, got {type(value).__name__}", where)


class JsonNumber(str):
    """The verbatim text of a JSON number, kept so that it can be read exactly."""


def _parse_text(text: str, where: str | None) -> mpq:
    s = text.strip()
    if not s:
        raise InstanceError("empty string is not a rational", where)
    if len(s) > MAX_DIGITS + 20:
        raise InstanceError(f"rational text of {len(s)} characters is too long", where)
    m = _FRACTION.match(s)
    if m:
        num, den = mpz(m.group(1)), mpz(m.group(2))
        if den == 0:
            raise InstanceError(f"zero denominator in {s!r}", where)
        return mpq(num, den)
    m = _DECIMAL.match(s)
    if not m or not (m.group(2) or m.group(3)):
        raise InstanceError(f"{_short(s)!r} is not a rational (use forms like 3, -3/4, "
                            "0.125, 1e-3)", where)
    sign, whole, frac, exp = m.groups()
    frac = frac or ""
    exponent = int(exp) if exp else 0
    digits = (whole or "0") + frac
    scale = exponent - len(frac)
    significant = digits.lstrip("0")
    if significant and len(significant) + max(scale, 0) > MAX_DIGITS:
        raise InstanceError(f"{_short(s)!r} would expand to more than {MAX_DIGITS} digits",
                            where)
    if significant and -scale > MAX_DIGITS:
        raise InstanceError(f"{_short(s)!r} has a denominator of more than {MAX_DIGITS} "
                            "digits", where)
    if not significant:
        return mpq(0)
    n = mpz(digits)
    value = mpq(n * mpz(10) ** scale) if scale >= 0 else mpq(n, mpz(10) ** (-scale))
    return -value if sign == "-" else value


def _short(s: str) -> str:
    return s if len(s) <= 40 else s[:37] + "..."


def to_str(q: mpq) -> str:
    """Canonical text of a rational: ``"3"``, ``"-3/4"`` (reduced, sign on the numerator)."""
    q = mpq(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def lcm_of_denominators(values) -> mpz:
    """Least common multiple of the denominators of ``values`` (1 for an empty iterable)."""
    out = mpz(1)
    for v in values:
        out = gmpy2.lcm(out, mpq(v).denominator)
    return out


def signed_width(lo: int, hi: int) -> int:
    """Fewest bits ``w >= 1`` such that every integer in ``[lo, hi]`` is a ``w``-bit two's
    complement number, i.e. ``-2**(w-1) <= lo`` and ``hi <= 2**(w-1) - 1``."""
    lo, hi = int(lo), int(hi)
    need_hi = hi.bit_length() + 1 if hi > 0 else 1
    need_lo = (-lo - 1).bit_length() + 1 if lo < 0 else 1
    return max(need_hi, need_lo)
