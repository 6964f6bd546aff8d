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
    """The formula as SMT-LIB 2 text, its assertions parsed into z3, the leaf variables (by
    leaf name) and size counts."""

    text: str
    assertions: object  # z3.AstVector
    leaves: dict[str, z3.ArithRef]
    sizes: dict[str, int] = field(default_factory=dict)

    def leaf_values(self, model: z3.ModelRef) -> dict[str, int]:
        """Integer leaf values read from a z3 model."""
        return {name: model.eval(v, model_completion=True).as_long()
                for name, v in self.leaves.items()}


def _num(v: int) -> str:
    return str(v) if v >= 0 else f"(- {-v})"


def _quote(name: str) -> str:
    return f"|{name}|"


class IntTranslator:
    """Node-by-node translation into SMT-LIB 2 integer terms (text: building z3 terms one
    API call at a time cost more than solving on small networks).  Every node ``k`` is a
    macro ``nk`` (``define-fun``), so shared nodes stay shared.  ``_mul`` is the exact
    linearization of the module docstring (subclasses override it, see
    :mod:`ermsolve.encodings.nia`)."""

    def __init__(self, big_m: bool = False):
        self.big_m = big_m
        self.lines: list[str] = []
        self.side: list[str] = []
        self.leaf_names: list[str] = []
        self._bits: dict[int, tuple[list[str], int]] = {}
        self.fresh = 0

    def visit(self, n: Node) -> None:
        body = getattr(self, "_" + n.op.lower())(n)
        sort = "Bool" if n.is_bool else "Int"
        self.lines.append(f"(define-fun n{n.ident} () {sort} {body})")

    @staticmethod
    def ref(node: Node) -> str:
        return f"n{node.ident}"

    def new_int(self, prefix: str) -> str:
        self.fresh += 1
        name = f"{prefix}!{self.fresh}"
        self.lines.append(f"(declare-fun {name} () Int)")
        return name

    def _var(self, n: Node) -> str:
        name = _quote(n.name)
        self.leaf_names.append(n.name)
        self.lines.append(f"(declare-fun {name} () Int)")
        self.side.append(f"(<= {_num(n.lo)} {name} {_num(n.hi)})")
        return name

    def _const(self, n: Node) -> str:
        return _num(n.value)

    def _add(self, n: Node) -> str:
        return f"(+ {' '.join(self.ref(a) for a in n.args)})"

    def _scale(self, n: Node) -> str:
        return f"(* {_num(n.value)} {self.ref(n.args[0])})"

    def _mul(self, n: Node) -> str:
        x, y = n.args
        if y.hi - y.lo < x.hi - x.lo:
            x, y = y, x
        bits, offset = self.expansion(x)
        ye = self.ref(y)
        terms = [f"(* {_num(offset)} {ye})"] if offset else []
        for i, beta in enumerate(bits):
            terms.append(f"(* {1 << i} {self.bit_product(beta, y, ye)})")
        if not terms:
            return "0"
        return terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"

    def bit_product(self, beta: str, y: Node, ye: str) -> str:
        """The term ``β * y``: ``If(β = 1, y, 0)``, or with ``big_m`` a fresh ``t`` pinned
        by the four inequalities of the module docstring."""
        if not self.big_m:
            return f"(ite (= {beta} 1) {ye} 0)"
        t = self.new_int("t")
        c, d = _num(y.lo), _num(y.hi)
        self.side += [f"(<= (* {c} {beta}) {t} (* {d} {beta}))",
                      f"(<= (- {ye} (* {d} (- 1 {beta}))) {t} (- {ye} (* {c} (- 1 {beta}))))"]
        return t

    def expansion(self, x: Node) -> tuple[list[str], int]:
        """0/1 variables ``β_i`` and the offset ``a`` with ``x = a + Σ 2**i β_i``."""
        if x.ident not in self._bits:
            span = x.hi - x.lo
            bits = [self.new_int("beta") for _ in range(span.bit_length())]
            self.side += [f"(<= 0 {b} 1)" for b in bits]
            if bits:
                weighted = f"(+ {' '.join(f'(* {1 << i} {b})' for i, b in enumerate(bits))})"
                self.side.append(f"(= {self.ref(x)} (+ {_num(x.lo)} {weighted}))")
                if span + 1 != 1 << len(bits):
                    self.side.append(f"(<= {weighted} {span})")
            self._bits[x.ident] = (bits, x.lo)
        return self._bits[x.ident]

    def _ite(self, n: Node) -> str:
        return f"(ite {' '.join(self.ref(a) for a in n.args)})"

    def _clamp(self, n: Node) -> str:
        x = self.ref(n.args[0])
        self.side.append(f"(<= {_num(n.lo)} {x} {_num(n.hi)})")
        return x

    def _ge0(self, n: Node) -> str:
        return f"(>= {self.ref(n.args[0])} 0)"

    def _eqc(self, n: Node) -> str:
        return f"(= {self.ref(n.args[0])} {_num(n.value)})"

    def _atmost(self, n: Node) -> str:
        ones = " ".join(f"(ite {self.ref(a)} 1 0)" for a in n.args)
        return f"(<= (+ 0 {ones}) {n.value})"

    def _and(self, n: Node) -> str:
        return f"(and {' '.join(self.ref(a) for a in n.args)})"

    def _or(self, n: Node) -> str:
        return f"(or {' '.join(self.ref(a) for a in n.args)})"

    def _not(self, n: Node) -> str:
        return f"(not {self.ref(n.args[0])})"

    def _true(self, n: Node) -> str:
        return "true"

    def _false(self, n: Node) -> str:
        return "false"


def translate(circuit: Circuit, translator: IntTranslator, logic: str,
              ctx: z3.Context | None = None) -> IntFormula:
    """Run ``translator`` over ``circuit``; the SMT-LIB text is parsed into ``ctx``."""
    for node in circuit.nodes:
        translator.visit(node)
    asserts = translator.side + [translator.ref(a) for a in circuit.assertions]
    text = "\n".join([f"(set-logic {logic})", *translator.lines,
                      *(f"(assert {a})" for a in asserts)]) + "\n"
    parsed = z3.parse_smt2_string(text, ctx=ctx)
    leaves = {name: z3.Int(name, ctx) for name in translator.leaf_names}
    products = sum(1 for n in circuit.nodes if n.op == "MUL")
    sizes = {"variables": len(leaves) + translator.fresh, "assertions": len(asserts),
             "products": products}
    return IntFormula(text, parsed, leaves, sizes)


def encode_lia(circuit: Circuit, ctx: z3.Context | None = None,
               big_m: bool = False) -> IntFormula:
    """Translate ``circuit`` into QF_LIA assertions (see the module docstring); ``big_m``
    chooses the inequality form of the bit products over ``If``."""
    return translate(circuit, IntTranslator(big_m), "QF_LIA", ctx)
