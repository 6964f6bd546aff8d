"""Encoding ``lia``: the circuit as a linear integer formula (z3, QF_LIA).

Every integer node ``x`` of the circuit becomes a z3 integer term; the leaves are integer
variables with the asserted range ``lo <= x <= hi``.  ADD, SCALE and CONST are linear as they
stand.  Because the data are constants, layer one only has SCALE nodes (a weight times a
constant input); a MUL node has two non-constant factors and appears only deeper in the
network, in the denominators of the ``rational`` domain and in squares of the loss.

Exact linearization of ``z = x * y``.  The factor with the smaller range, say ``x`` in
``[a, b]``, is written in binary offset form ``x = a + Σ_i 2**i β_i`` with ``n =
bit_length(b - a)`` 0/1 integer variables ``β_i`` (the expansion of a node is made once and
shared by every product it takes part in; ``Σ_i 2**i β_i <= b - a`` is asserted).  Then
``z = a*y + Σ_i 2**i t_i`` with ``t_i = β_i * y``.  Two exact forms of ``t_i`` are offered:
``If(β_i = 1, y, 0)`` (the default: z3 treats the if-then-else term by case splits, which
measured several times faster on small networks) and, with ``big_m=True`` (solver
``z3-bigm``), a fresh integer pinned by the four big-M inequalities built from the interval
``[c, d]`` of ``y``::

    c β_i <= t_i <= d β_i,     y - d (1 - β_i) <= t_i <= y - c (1 - β_i)

For ``β_i = 0`` the first pair gives ``t_i = 0`` (the second holds since ``c <= y <= d``);
for ``β_i = 1`` the second pair gives ``t_i = y`` (the first holds likewise).  So the
inequalities have exactly the solutions ``t_i = β_i y`` whenever ``y`` lies in its interval,
which the interval invariant of :mod:`ermsolve.circuit` guarantees.  A square ``x * x`` uses
the same construction with ``y = x``.

Boolean nodes map directly: GE0 ``x >= 0``, EQC ``x == c``, ATMOST a sum of ``If(b, 1, 0)``,
AND/OR/NOT; ITE is z3's ``If`` on integers (still QF_LIA); CLAMP asserts its bound (the
circuit builder has simplified later nodes using it, so it is part of the formula).

Worked example: ``z = x * y`` with ``x`` in ``[-1, 1]`` and ``y`` in ``[0, 5]``: ``x = -1 +
β_0 + 2 β_1`` with ``β_0 + 2 β_1 <= 2``, and ``z = -y + t_0 + 2 t_1``, where ``t_i =
If(β_i = 1, y, 0)`` or, in big-M form, ``0 <= t_i <= 5 β_i`` and
``y - 5 (1 - β_i) <= t_i <= y``.

Limitations: a product of two wide nodes costs ``bit_length(range)`` extra 0/1 variables and
an if-then-else term (or four inequalities) per bit; z3's linear arithmetic solver branches
on them, so deep polynomial networks stay hard.  The big-M form measured slower than ``If``
on z3 (it times out on small rational-domain networks that ``If`` decides in a second).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from ..circuit import Circuit, Node


@dataclass
class IntFormula:
    """z3 assertions over integers, the leaf variables (by leaf name) and size counts."""

    assertions: list
    leaves: dict[str, z3.ArithRef]
    sizes: dict[str, int] = field(default_factory=dict)

    def leaf_values(self, model: z3.ModelRef) -> dict[str, int]:
        """Integer leaf values read from a z3 model."""
        return {name: model.eval(v, model_completion=True).as_long()
                for name, v in self.leaves.items()}


class IntTranslator:
    """Node-by-node translation into z3 integer terms; ``_mul`` is the exact linearization
    of the module docstring (subclasses override it, see :mod:`ermsolve.encodings.nia`)."""

    def __init__(self, ctx: z3.Context | None, big_m: bool = False):
        self.ctx = ctx
        self.big_m = big_m
        self.expr: dict[int, object] = {}
        self.side: list = []
        self.leaves: dict[str, z3.ArithRef] = {}
        self._bits: dict[int, tuple[list, int]] = {}
        self.fresh = 0

    def visit(self, n: Node) -> None:
        getattr(self, "_" + n.op.lower())(n)

    def new_int(self, prefix: str) -> z3.ArithRef:
        self.fresh += 1
        return z3.Int(f"{prefix}!{self.fresh}", self.ctx)

    def val(self, v: int):
        return z3.IntVal(v, self.ctx)

    def _var(self, n: Node) -> None:
        x = z3.Int(n.name, self.ctx)
        self.leaves[n.name] = x
        self.expr[n.ident] = x
        self.side += [x >= n.lo, x <= n.hi]

    def _const(self, n: Node) -> None:
        self.expr[n.ident] = self.val(n.value)

    def _add(self, n: Node) -> None:
        self.expr[n.ident] = z3.Sum([self.expr[a.ident] for a in n.args])

    def _scale(self, n: Node) -> None:
        self.expr[n.ident] = self.val(n.value) * self.expr[n.args[0].ident]

    def _mul(self, n: Node) -> None:
        x, y = n.args
        if y.hi - y.lo < x.hi - x.lo:
            x, y = y, x
        bits, offset = self.expansion(x)
        ye = self.expr[y.ident]
        terms = [self.val(offset) * ye] if offset else []
        for i, beta in enumerate(bits):
            terms.append(self.val(1 << i) * self.bit_product(beta, y, ye))
        self.expr[n.ident] = z3.Sum(terms) if terms else self.val(0)

    def bit_product(self, beta, y: Node, ye):
        """The term ``β * y``: ``If(β, y, 0)``, or with ``big_m`` a fresh ``t`` pinned by
        the four inequalities of the module docstring."""
        if not self.big_m:
            return z3.If(beta == 1, ye, self.val(0))
        t = self.new_int("t")
        c, d = self.val(y.lo), self.val(y.hi)
        self.side += [c * beta <= t, t <= d * beta,
                      ye - d * (1 - beta) <= t, t <= ye - c * (1 - beta)]
        return t

    def expansion(self, x: Node) -> tuple[list, int]:
        """0/1 variables ``β_i`` and the offset ``a`` with ``x = a + Σ 2**i β_i``."""
        if x.ident not in self._bits:
            span = x.hi - x.lo
            bits = [self.new_int("beta") for _ in range(span.bit_length())]
            for beta in bits:
                self.side += [beta >= 0, beta <= 1]
            if bits:
                weighted = z3.Sum([self.val(1 << i) * b for i, b in enumerate(bits)])
                self.side.append(self.expr[x.ident] == self.val(x.lo) + weighted)
                if span + 1 != 1 << len(bits):
                    self.side.append(weighted <= self.val(span))
            self._bits[x.ident] = (bits, x.lo)
        return self._bits[x.ident]

    def _ite(self, n: Node) -> None:
        cond, a, b = (self.expr[m.ident] for m in n.args)
        self.expr[n.ident] = z3.If(cond, a, b)

    def _clamp(self, n: Node) -> None:
        x = self.expr[n.args[0].ident]
        self.side += [x >= n.lo, x <= n.hi]
        self.expr[n.ident] = x

    def _ge0(self, n: Node) -> None:
        self.expr[n.ident] = self.expr[n.args[0].ident] >= 0

    def _eqc(self, n: Node) -> None:
        self.expr[n.ident] = self.expr[n.args[0].ident] == self.val(n.value)

    def _atmost(self, n: Node) -> None:
        one, zero = self.val(1), self.val(0)
        total = z3.Sum([z3.If(self.expr[a.ident], one, zero) for a in n.args])
        self.expr[n.ident] = total <= self.val(n.value)

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


def translate(circuit: Circuit, translator: IntTranslator) -> IntFormula:
    """Run ``translator`` over ``circuit`` and collect the assertions."""
    for node in circuit.nodes:
        translator.visit(node)
    assertions = translator.side + [translator.expr[a.ident] for a in circuit.assertions]
    products = sum(1 for n in circuit.nodes if n.op == "MUL")
    sizes = {"variables": len(translator.leaves) + translator.fresh,
             "assertions": len(assertions), "products": products}
    return IntFormula(assertions, translator.leaves, sizes)


def encode_lia(circuit: Circuit, ctx: z3.Context | None = None,
               big_m: bool = False) -> IntFormula:
    """Translate ``circuit`` into QF_LIA assertions (see the module docstring); ``big_m``
    chooses the inequality form of the bit products over ``If``."""
    return translate(circuit, IntTranslator(ctx, big_m))
