"""Activation functions: parsing their names and evaluating them exactly.

Names accepted in an instance (``architecture.activation`` / ``output_activation``):

===================  ===================================================  ==================
name                 function                                             class
===================  ===================================================  ==================
``relu``             ``max(t, 0)``                                        piecewise linear
``identity``         ``t``                                                piecewise linear
``leaky_relu:A``     ``t`` if ``t >= 0`` else ``A*t`` (A rational)        piecewise linear
``hardtanh``         ``min(max(t, -1), 1)``                               piecewise linear
``square``           ``t**2``                                             polynomial, deg 2
``poly:[c0,...,cd]`` ``c0 + c1*t + ... + cd*t**d`` (rational ``c_k``)       polynomial, deg d
===================  ===================================================  ==================

A ``poly`` of degree <= 1 is affine and therefore counted as piecewise linear.
"""

from __future__ import annotations

from dataclasses import dataclass

from gmpy2 import mpq

from .errors import InstanceError
from .rationals import parse_rational, to_str

NAMES = ("relu", "identity", "leaky_relu:A", "hardtanh", "square", "poly:[c0,...,cd]")


@dataclass(frozen=True)
class Activation:
    """A parsed activation.  ``kind`` is one of ``relu, identity, leaky_relu, hardtanh,
    poly``; ``square`` is stored as ``poly`` with coefficients ``(0, 0, 1)`` but keeps its
    name.  ``slope`` is the negative-side slope of ``leaky_relu``; ``coeffs`` the ascending
    coefficients of ``poly``."""

    kind: str
    name: str
    slope: mpq | None = None
    coeffs: tuple[mpq, ...] = ()

    @property
    def degree(self) -> int:
        """Polynomial degree (1 for every piecewise-linear activation)."""
        if self.kind != "poly":
            return 1
        nonzero = [k for k, c in enumerate(self.coeffs) if c != 0]
        return max(nonzero) if nonzero else 0

    @property
    def is_piecewise_linear(self) -> bool:
        return self.kind != "poly" or self.degree <= 1

    def __call__(self, t: mpq) -> mpq:
        """Exact value at the rational ``t``."""
        if self.kind == "relu":
            return t if t > 0 else mpq(0)
        if self.kind == "identity":
            return t
        if self.kind == "leaky_relu":
            return t if t >= 0 else self.slope * t
        if self.kind == "hardtanh":
            return max(mpq(-1), min(mpq(1), t))
        value = mpq(0)
        for c in reversed(self.coeffs):  # Horner
            value = value * t + c
        return value

    def derivative(self, t: mpq) -> mpq:
        """Exact derivative at ``t``; at the kinks of piecewise-linear activations the
        one-sided derivative from the right is used (``relu'(0) = 0`` by the common
        convention, ``hardtanh'(±1) = 0``)."""
        if self.kind == "relu":
            return mpq(1) if t > 0 else mpq(0)
        if self.kind == "identity":
            return mpq(1)
        if self.kind == "leaky_relu":
            return mpq(1) if t >= 0 else self.slope
        if self.kind == "hardtanh":
            return mpq(1) if -1 < t < 1 else mpq(0)
        value = mpq(0)
        for k in range(len(self.coeffs) - 1, 0, -1):
            value = value * t + k * self.coeffs[k]
        return value


def parse_activation(spec: object, where: str) -> Activation:
    """Parse an activation name (see the module docstring)."""
    if not isinstance(spec, str):
        raise InstanceError(f"activation must be a string, one of {', '.join(NAMES)}", where)
    text = spec.strip()
    if text in ("relu", "identity", "hardtanh"):
        return Activation(text, text)
    if text == "square":
        return Activation("poly", "square", coeffs=(mpq(0), mpq(0), mpq(1)))
    if text.startswith("leaky_relu:"):
        slope = parse_rational(text[len("leaky_relu:"):], where)
        return Activation("leaky_relu", f"leaky_relu:{to_str(slope)}", slope=slope)
    if text.startswith("poly:"):
        return _parse_poly(text[len("poly:"):], where)
    raise InstanceError(f"unknown activation {spec!r}; expected one of {', '.join(NAMES)}",
                        where)


#: Highest polynomial degree accepted; beyond it bit lengths explode past any use.
MAX_DEGREE = 16


def _parse_poly(body: str, where: str) -> Activation:
    text = body.strip()
    if not (text.startswith("[") and text.endswith("]")) or not text[1:-1].strip():
        raise InstanceError(f"poly coefficients {body!r} must be a non-empty list like "
                            "[0, 0, 1/2]", where)
    raw = [part.strip().strip('"') for part in text[1:-1].split(",")]
    if len(raw) > MAX_DEGREE + 1:
        raise InstanceError(f"poly of degree {len(raw) - 1} exceeds the limit {MAX_DEGREE}",
                            where)
    coeffs = tuple(parse_rational(c, f"{where} coefficient {k}") for k, c in enumerate(raw))
    name = "poly:[" + ",".join(to_str(c) for c in coeffs) + "]"
    return Activation("poly", name, coeffs=coeffs)
