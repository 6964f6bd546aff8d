"""Exact parsing of rationals: text and JSON numbers."""

import pytest
from gmpy2 import mpq

from ermsolve.errors import InstanceError
from ermsolve.instance import loads_json
from ermsolve.rationals import parse_rational, signed_width, to_str


@pytest.mark.parametrize("text, value", [
    ("3", mpq(3)), ("-3/4", mpq(-3, 4)), ("0.125", mpq(1, 8)), ("1e-3", mpq(1, 1000)),
    ("0.1", mpq(1, 10)), (".5", mpq(1, 2)), ("5.", mpq(5)), ("2.5E+4", mpq(25000)),
    ("-0.0", mpq(0)), ("6/-4", mpq(-3, 2)), (" 7 ", mpq(7)), ("1e3", mpq(1000)),
    ("-1.25e-1", mpq(-1, 8)),
])
def test_parse_text(text, value):
    assert parse_rational(text) == value


def test_json_number_is_exact():
    # A JSON number 0.1 means exactly 1/10, not the nearest double.
    doc = loads_json('{"a": 0.1, "b": 1e-3, "c": 12345678901234567890123}')
    assert parse_rational(doc["a"]) == mpq(1, 10)
    assert parse_rational(doc["b"]) == mpq(1, 1000)
    assert parse_rational(doc["c"]) == mpq(12345678901234567890123)


@pytest.mark.parametrize("bad", ["", "abc", "1/0", "nan", "inf", "1e99999999", "1e-99999999",
                                 "1/2/3", "--1", "0x10", "1,5"])
def test_parse_refuses(bad):
    with pytest.raises(InstanceError):
        parse_rational(bad)


def test_refuses_floats_and_bools():
    with pytest.raises(InstanceError):
        parse_rational(0.5)
    with pytest.raises(InstanceError):
        parse_rational(True)


def test_nan_literal_in_json_refused():
    with pytest.raises(InstanceError):
        loads_json('{"a": NaN}')


def test_to_str_canonical():
    assert to_str(mpq(6, -4)) == "-3/2"
    assert to_str(mpq(4, 2)) == "2"


@pytest.mark.parametrize("lo, hi, w", [(0, 0, 1), (-1, 0, 1), (0, 1, 2), (-4, 3, 3), (-5, 3, 4),
                                       (-128, 127, 8), (0, 128, 9), (-129, 0, 9)])
def test_signed_width(lo, hi, w):
    assert signed_width(lo, hi) == w
    assert -(1 << (w - 1)) <= lo and hi <= (1 << (w - 1)) - 1
