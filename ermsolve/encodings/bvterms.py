"""The ``bv`` encoding over any SMT-LIB bit-vector term API.

:mod:`ermsolve.encodings.bv` translates the circuit into z3 terms.  This module does the same
translation, node for node and width for width, against a small :class:`TermBuilder`
interface, so that Bitwuzla, cvc5 and the SMT-LIB 2 text writer
(:mod:`ermsolve.encodings.smtlib`) all receive the *same* QF_BV formula as z3:

* a signed leaf of ``bits`` bits is itself; an unsigned leaf (a rational denominator, a set
  index) is zero-extended by one bit so that it reads as a nonnegative signed number;
  ranges narrower than the field are asserted (signed or unsigned comparison);
* every other integer node lives in ``signed_width(lo, hi)`` bits; operands are
  sign-extended or truncated to the node's width, and ADD, SCALE, MUL are computed modulo
  ``2**w`` (exact by the argument of :mod:`ermsolve.circuit`); constants are reduced modulo
  ``2**w``;
* GE0, EQC and CLAMP compare at the operand's own width (signed); ATMOST sums 0/1 terms in
  ``max(2, bitlen(n) + 1)`` bits, enough for ``n`` signed.

Limitations: the translation is only as fast as the term API it drives; builders keep the
DAG shared (a node is built once and referenced by its handle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..circuit import Circuit, Node


class TermBuilder(Protocol):
    """What a solver's term API must offer (``w`` widths, ``t`` opaque term handles)."""

    def bv_var(self, name: str, width: int) -> Any: ...
    def bv_const(self, value: int, width: int) -> Any: ...  # 0 <= value < 2**width
    def sign_extend(self, t: Any, extra: int) -> Any: ...
    def zero_extend(self, t: Any, extra: int) -> Any: ...
    def low_bits(self, t: Any, width: int) -> Any: ...  # extract [width-1 : 0]
    def add(self, terms: list) -> Any: ...
    def mul(self, a: Any, b: Any) -> Any: ...
    def ite(self, c: Any, a: Any, b: Any) -> Any: ...
    def sle(self, a: Any, b: Any) -> Any: ...
    def ule(self, a: Any, b: Any) -> Any: ...
    def eq(self, a: Any, b: Any) -> Any: ...
    def and_(self, terms: list) -> Any: ...
    def or_(self, terms: list) -> Any: ...
    def not_(self, t: Any) -> Any: ...
    def true(self) -> Any: ...
    def false(self) -> Any: ...


@dataclass
class LeafTerm:
    """A leaf's bit-vector term, its field width and whether the field is signed."""

    term: Any
    bits: int
    signed: bool


@dataclass
class BVTerms:
    """The translated formula: assertions (side conditions first) and leaves by name."""

    assertions: list
    leaves: dict[str, LeafTerm]
    max_width: int


def read_field(raw: int, bits: int, signed: bool) -> int:
    """The integer a ``bits``-wide field holding the unsigned pattern ``raw`` denotes."""
    if signed and raw >= 1 << (bits - 1):
        return raw - (1 << bits)
    return raw


class _Translator:
    def __init__(self, b: TermBuilder):
        self.b = b
        self.term: dict[int, Any] = {}
        self.width: dict[int, int] = {}
        self.side: list = []
        self.leaves: dict[str, LeafTerm] = {}

    def const(self, value: int, width: int):
        return self.b.bv_const(value % (1 << width), width)

    def at(self, node: Node, width: int):
        t, have = self.term[node.ident], self.width[node.ident]
        if width > have:
            return self.b.sign_extend(t, width - have)
        if width < have:
            return self.b.low_bits(t, width)
        return t

    def visit(self, n: Node) -> None:
        getattr(self, "_" + n.op.lower())(n)

    def _int(self, n: Node, term) -> None:
        self.term[n.ident], self.width[n.ident] = term, n.width

    def _var(self, n: Node) -> None:
        b = self.b
        bv = b.bv_var(n.name, n.bits)
        self.leaves[n.name] = LeafTerm(bv, n.bits, n.signed)
        if n.signed:
            full_lo, full_hi = -(1 << (n.bits - 1)), (1 << (n.bits - 1)) - 1
            self.term[n.ident], self.width[n.ident] = bv, n.bits
            if n.lo > full_lo:
                self.side.append(b.sle(self.const(n.lo, n.bits), bv))
            if n.hi < full_hi:
                self.side.append(b.sle(bv, self.const(n.hi, n.bits)))
        else:
            full_lo, full_hi = 0, (1 << n.bits) - 1
            self.term[n.ident] = b.zero_extend(bv, 1)
            self.width[n.ident] = n.bits + 1
            if n.lo > full_lo:
                self.side.append(b.ule(self.const(n.lo, n.bits), bv))
            if n.hi < full_hi:
                self.side.append(b.ule(bv, self.const(n.hi, n.bits)))

    def _const(self, n: Node) -> None:
        self._int(n, self.const(n.value, n.width))

    def _add(self, n: Node) -> None:
        self._int(n, self.b.add([self.at(a, n.width) for a in n.args]))

    def _scale(self, n: Node) -> None:
        w = n.width
        self._int(n, self.b.mul(self.at(n.args[0], w), self.const(n.value, w)))

    def _mul(self, n: Node) -> None:
        w = n.width
        self._int(n, self.b.mul(self.at(n.args[0], w), self.at(n.args[1], w)))

    def _ite(self, n: Node) -> None:
        w = n.width
        cond = self.term[n.args[0].ident]
        self._int(n, self.b.ite(cond, self.at(n.args[1], w), self.at(n.args[2], w)))

    def _clamp(self, n: Node) -> None:
        x = n.args[0]
        raw, wx = self.term[x.ident], self.width[x.ident]
        if n.lo > x.lo:
            self.side.append(self.b.sle(self.const(n.lo, wx), raw))
        if n.hi < x.hi:
            self.side.append(self.b.sle(raw, self.const(n.hi, wx)))
        self._int(n, self.at(x, n.width))

    def _ge0(self, n: Node) -> None:
        x = n.args[0]
        self.term[n.ident] = self.b.sle(self.const(0, self.width[x.ident]), self.term[x.ident])

    def _eqc(self, n: Node) -> None:
        x = n.args[0]
        wx = self.width[x.ident]
        self.term[n.ident] = self.b.eq(self.term[x.ident], self.const(n.value, wx))

    def _atmost(self, n: Node) -> None:
        w = max(2, len(n.args).bit_length() + 1)
        one, zero = self.const(1, w), self.const(0, w)
        bits = [self.b.ite(self.term[a.ident], one, zero) for a in n.args]
        total = bits[0] if len(bits) == 1 else self.b.add(bits)
        self.term[n.ident] = self.b.sle(total, self.const(n.value, w))

    def _and(self, n: Node) -> None:
        self.term[n.ident] = self.b.and_([self.term[a.ident] for a in n.args])

    def _or(self, n: Node) -> None:
        self.term[n.ident] = self.b.or_([self.term[a.ident] for a in n.args])

    def _not(self, n: Node) -> None:
        self.term[n.ident] = self.b.not_(self.term[n.args[0].ident])

    def _true(self, n: Node) -> None:
        self.term[n.ident] = self.b.true()

    def _false(self, n: Node) -> None:
        self.term[n.ident] = self.b.false()


def translate(circuit: Circuit, builder: TermBuilder) -> BVTerms:
    """The ``bv`` formula of ``circuit`` built with ``builder`` (see the module docstring)."""
    tr = _Translator(builder)
    for node in circuit.nodes:
        tr.visit(node)
    assertions = tr.side + [tr.term[a.ident] for a in circuit.assertions]
    return BVTerms(assertions, tr.leaves, circuit.max_width())
