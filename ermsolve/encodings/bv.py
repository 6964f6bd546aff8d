"""Encoding ``bv``: the circuit as a quantifier-free bit-vector formula (z3, QF_BV).

Each leaf is a bit-vector of exactly its field's width: a fixed-point weight is a ``B``-bit
``k``, a rational weight a ``A``-bit numerator ``p`` and a ``C``-bit unsigned denominator ``q``
(asserted nonzero), a set weight an unsigned index of ``ceil(log2 n)`` bits (asserted
``< n`` when ``n`` is not a power of two).  Every other integer node ``x`` is a bit-vector of
``signed_width(x.lo, x.hi)`` bits, i.e. exactly as wide as its interval needs.

No overflow can change the answer: ADD, SCALE and MUL are computed modulo ``2**w`` at the
node's own width ``w`` after sign-extending or truncating the operands; truncation and
extension commute with ring operations modulo ``2**w``, and the true result lies in the
node's interval, which ``w`` bits hold.  Sign tests and comparisons read a value at a width
holding its interval; an ITE resizes only the branch it selects, whose value lies in the
ITE's interval (see :mod:`ermsolve.circuit`).

Worked example: a fixed-point weight with ``bits=3, frac_bits=1`` times the input ``3/2``
(feature scale 2) is ``k * 3`` with ``k in [-4, 3]``, the interval ``[-12, 9]`` and a 5-bit
product; adding a bias ``b`` (scale 2, over the lcm 4 it becomes ``2b`` in ``[-8, 6]``) gives
``[-20, 15]`` in 6 bits.

Limitations: widths follow interval arithmetic, which is tight in layer one and may be loose
deeper (polynomial activations compound it); the widest bit-vector is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from ..circuit import Circuit, Node


@dataclass
class BVFormula:
    """z3 assertions and the leaf bit-vectors (by leaf name)."""

    assertions: list
    leaves: dict[str, z3.BitVecRef]
    signed: dict[str, bool]
    max_width: int

    def leaf_values(self, model: z3.ModelRef) -> dict[str, int]:
        """Integer leaf values read from a z3 model (unconstrained bits read as 0)."""
        out = {}
        for name, bv in self.leaves.items():
            raw = model.eval(bv, model_completion=True).as_long()
            bits = bv.size()
            if self.signed[name] and raw >= 1 << (bits - 1):
                raw -= 1 << bits
            out[name] = raw
        return out


def _resize(expr, have: int, want: int):
    if want > have:
        return z3.SignExt(want - have, expr)
    if want < have:
        return z3.Extract(want - 1, 0, expr)
    return expr


class _Translator:
    def __init__(self, ctx: z3.Context | None):
        self.ctx = ctx
        self.expr: dict[int, object] = {}
        self.width: dict[int, int] = {}
        self.side: list = []
        self.leaves: dict[str, z3.BitVecRef] = {}
        self.signed: dict[str, bool] = {}

    def at(self, node: Node, width: int):
        return _resize(self.expr[node.ident], self.width[node.ident], width)

    def visit(self, n: Node) -> None:
        getattr(self, "_" + n.op.lower())(n)

    def _int(self, n: Node, expr) -> None:
        self.expr[n.ident], self.width[n.ident] = expr, n.width

    def _var(self, n: Node) -> None:
        bv = z3.BitVec(n.name, n.bits, self.ctx)
        self.leaves[n.name], self.signed[n.name] = bv, n.signed
        full_lo, full_hi = ((-(1 << (n.bits - 1)), (1 << (n.bits - 1)) - 1) if n.signed
                            else (0, (1 << n.bits) - 1))
        if n.signed:
            self.expr[n.ident], self.width[n.ident] = bv, n.bits
            if n.lo > full_lo:
                self.side.append(bv >= n.lo)
            if n.hi < full_hi:
                self.side.append(bv <= n.hi)
        else:
            self.expr[n.ident] = z3.ZeroExt(1, bv)
            self.width[n.ident] = n.bits + 1
            if n.lo > full_lo:
                self.side.append(z3.UGE(bv, n.lo))
            if n.hi < full_hi:
                self.side.append(z3.ULE(bv, n.hi))

    def _const(self, n: Node) -> None:
        self._int(n, z3.BitVecVal(n.value, n.width, self.ctx))

    def _add(self, n: Node) -> None:
        w = n.width
        self._int(n, z3.Sum([self.at(a, w) for a in n.args]))

    def _scale(self, n: Node) -> None:
        w = n.width
        self._int(n, self.at(n.args[0], w) * z3.BitVecVal(n.value, w, self.ctx))

    def _mul(self, n: Node) -> None:
        w = n.width
        self._int(n, self.at(n.args[0], w) * self.at(n.args[1], w))

    def _ite(self, n: Node) -> None:
        w = n.width
        cond = self.expr[n.args[0].ident]
        self._int(n, z3.If(cond, self.at(n.args[1], w), self.at(n.args[2], w)))

    def _clamp(self, n: Node) -> None:
        x = n.args[0]
        raw, wx = self.expr[x.ident], self.width[x.ident]
        if n.lo > x.lo:
            self.side.append(raw >= z3.BitVecVal(n.lo, wx, self.ctx))
        if n.hi < x.hi:
            self.side.append(raw <= z3.BitVecVal(n.hi, wx, self.ctx))
        self._int(n, _resize(raw, wx, n.width))

    def _ge0(self, n: Node) -> None:
        x = n.args[0]
        wx = self.width[x.ident]
        self.expr[n.ident] = self.expr[x.ident] >= z3.BitVecVal(0, wx, self.ctx)

    def _eqc(self, n: Node) -> None:
        x = n.args[0]
        wx = self.width[x.ident]
        self.expr[n.ident] = self.expr[x.ident] == z3.BitVecVal(n.value, wx, self.ctx)

    def _atmost(self, n: Node) -> None:
        w = max(2, (len(n.args)).bit_length() + 1)
        one, zero = z3.BitVecVal(1, w, self.ctx), z3.BitVecVal(0, w, self.ctx)
        total = z3.Sum([z3.If(self.expr[a.ident], one, zero) for a in n.args])
        self.expr[n.ident] = total <= z3.BitVecVal(n.value, w, self.ctx)

    def _and(self, n: Node) -> None:
        self.expr[n.ident] = z3.And([self.expr[a.ident] for a in n.args])

    def _or(self, n: Node) -> None:
        self.expr[n.ident] = z3.Or([self.expr[a.ident] for a in n.args])

    def _not(self, n: Node) -> None:
        self.expr[n.ident] = z3.Not(self.expr[n.args[0].ident])

    def _true(self, n: Node) -> None:
        self.expr[n.ident] = z3.BoolVal(True, self.ctx)

    def _false(self, n: Node) -> None:
        self.expr[n.ident] = z3.BoolVal(False, self.ctx)


def encode_bv(circuit: Circuit, ctx: z3.Context | None = None) -> BVFormula:
    """Translate ``circuit`` into z3 bit-vector assertions (see the module docstring)."""
    tr = _Translator(ctx)
    for node in circuit.nodes:
        tr.visit(node)
    assertions = tr.side + [tr.expr[a.ident] for a in circuit.assertions]
    return BVFormula(assertions, tr.leaves, tr.signed, circuit.max_width())
