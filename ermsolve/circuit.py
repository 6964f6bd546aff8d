"""An integer circuit with exact intervals: the form every encoding starts from.

:mod:`ermsolve.lowering` turns an instance into a :class:`Circuit`: a DAG of integer
operations over bounded integer leaves (the parameters' bit fields) plus Boolean assertions,
such that the assertions hold for an assignment of the leaves exactly when the decoded
parameters reach loss ≤ γ.  Each encoding (bit-vector, CNF, linear integer, ...) translates
the circuit node by node; none of them re-derives the mathematics of the network.

Integer nodes (``Node.is_bool`` false) and their semantics::

    VAR    a leaf: a ``bits``-wide field read as signed (two's complement) or unsigned,
           restricted to ``[lo, hi]``; encoders must assert the range when it is narrower
           than what ``bits`` can hold
    CONST  the integer ``value``
    ADD    the sum of ``args``
    SCALE  ``value * args[0]`` (``value`` a nonzero integer constant)
    MUL    ``args[0] * args[1]``
    ITE    ``args[1] if args[0] else args[2]`` (``args[0]`` Boolean)
    CLAMP  ``args[0]``, together with the *assertion* ``lo <= args[0] <= hi``: a redundant
           bound implied by the other assertions that narrows what follows

Boolean nodes::

    GE0    ``args[0] >= 0``
    EQC    ``args[0] == value``
    ATMOST ``#{true among args} <= value``
    AND, OR, NOT

Interval invariant.  Every integer node carries ``[lo, hi]`` containing every value it takes
under any assignment of the leaves that satisfies the CLAMP assertions.  Intervals come from
exact interval arithmetic; an ITE may be given a tighter interval by its builder when the
condition implies it (``relu``: ``ite(n >= 0, n, 0)`` lies in ``[max(lo,0), max(hi,0)]``).

Why a fixed-width encoding cannot overflow: an encoding that stores a node in
``signed_width(lo, hi)`` bits and computes ADD, SCALE and MUL modulo ``2**w`` is exact,
because reduction modulo ``2**w`` is a ring homomorphism (so operands may be sign-extended or
truncated freely) and the true result fits in ``w`` bits.  The only non-ring operations — the
sign test, comparisons and the choice of an ITE — look at values held in widths that contain
their intervals, so they see true values too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .rationals import signed_width

INT_OPS = ("VAR", "CONST", "ADD", "SCALE", "MUL", "ITE", "CLAMP")
BOOL_OPS = ("GE0", "EQC", "ATMOST", "AND", "OR", "NOT", "TRUE", "FALSE")


@dataclass(eq=False)
class Node:
    """One circuit node (see the module docstring for ``op``).  ``ident`` is its index in
    :attr:`Circuit.nodes`, which is a topological order."""

    op: str
    args: tuple[Node, ...] = ()
    lo: int = 0
    hi: int = 0
    value: int = 0
    name: str = ""
    bits: int = 0
    signed: bool = True
    ident: int = -1

    @property
    def is_bool(self) -> bool:
        return self.op in BOOL_OPS

    @property
    def width(self) -> int:
        """Bits of a two's complement number holding every value in ``[lo, hi]``."""
        return signed_width(self.lo, self.hi)

    def __repr__(self) -> str:
        return f"<{self.op}#{self.ident} [{self.lo},{self.hi}]>"


@dataclass
class Circuit:
    """Nodes in topological order, the assertions (Boolean nodes that must all hold) and the
    leaves.  Structurally equal nodes are shared (hash-consing)."""

    nodes: list[Node] = field(default_factory=list)
    assertions: list[Node] = field(default_factory=list)
    leaves: list[Node] = field(default_factory=list)
    _table: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------ construction helpers
    def _make(self, op: str, args: tuple = (), lo: int = 0, hi: int = 0, value: int = 0,
              **extra) -> Node:
        key = (op, tuple(a.ident for a in args), value, lo, hi) if op != "VAR" else None
        if key is not None and key in self._table:
            return self._table[key]
        node = Node(op, args, int(lo), int(hi), int(value), ident=len(self.nodes), **extra)
        self.nodes.append(node)
        if key is not None:
            self._table[key] = node
        return node

    def var(self, name: str, bits: int, signed: bool, lo: int, hi: int) -> Node:
        """A leaf: a ``bits``-wide field (signed or unsigned) restricted to ``[lo, hi]``."""
        node = self._make("VAR", (), lo, hi, name=name, bits=bits, signed=signed)
        self.leaves.append(node)
        return node

    def const(self, value: int) -> Node:
        value = int(value)
        return self._make("CONST", (), value, value, value)

    def add(self, terms: Iterable[Node]) -> Node:
        """Sum of ``terms``; constants are folded and zeros dropped."""
        rest, constant = [], 0
        for t in terms:
            if t.op == "CONST":
                constant += t.value
            else:
                rest.append(t)
        if constant:
            rest.append(self.const(constant))
        if not rest:
            return self.const(0)
        if len(rest) == 1:
            return rest[0]
        lo = sum(t.lo for t in rest)
        hi = sum(t.hi for t in rest)
        return self._make("ADD", tuple(rest), lo, hi)

    def scale(self, c: int, x: Node) -> Node:
        """``c * x`` for an integer constant ``c``."""
        c = int(c)
        if c == 0:
            return self.const(0)
        if c == 1:
            return x
        if x.op == "CONST":
            return self.const(c * x.value)
        if x.op == "SCALE":
            return self.scale(c * x.value, x.args[0])
        lo, hi = sorted((c * x.lo, c * x.hi))
        return self._make("SCALE", (x,), lo, hi, value=c)

    def sub(self, x: Node, y: Node) -> Node:
        return self.add((x, self.scale(-1, y)))

    def mul(self, x: Node, y: Node) -> Node:
        """``x * y``; a constant factor becomes a SCALE."""
        if x.op == "CONST":
            return self.scale(x.value, y)
        if y.op == "CONST":
            return self.scale(y.value, x)
        if x.ident > y.ident:
            x, y = y, x
        if x is y:
            lo = 0 if x.lo <= 0 <= x.hi else min(x.lo * x.lo, x.hi * x.hi)
            hi = max(x.lo * x.lo, x.hi * x.hi)
        else:
            products = (x.lo * y.lo, x.lo * y.hi, x.hi * y.lo, x.hi * y.hi)
            lo, hi = min(products), max(products)
        return self._make("MUL", (x, y), lo, hi)

    def ite(self, cond: Node, then: Node, other: Node, lo: int | None = None,
            hi: int | None = None) -> Node:
        """``then if cond else other``.  ``lo``/``hi`` may tighten the interval only where
        ``cond`` provably implies it (the caller's proof obligation)."""
        if cond.op == "TRUE":
            return then
        if cond.op == "FALSE":
            return other
        if then is other:
            return then
        ulo, uhi = min(then.lo, other.lo), max(then.hi, other.hi)
        lo = ulo if lo is None else max(lo, ulo)
        hi = uhi if hi is None else min(hi, uhi)
        return self._make("ITE", (cond, then, other), lo, hi)

    def clamp(self, x: Node, lo: int, hi: int) -> Node:
        """``x`` with the asserted bound ``lo <= x <= hi`` (only sound when the bound is
        implied by the other assertions, or when narrowing the question is intended)."""
        lo, hi = max(lo, x.lo), min(hi, x.hi)
        if lo > hi:
            self.assertions.append(self.false())
            return self.const(x.lo)
        if lo == x.lo and hi == x.hi:
            return x
        return self._make("CLAMP", (x,), lo, hi)

    # ------------------------------------------------------------ Boolean nodes
    def true(self) -> Node:
        return self._make("TRUE")

    def false(self) -> Node:
        return self._make("FALSE")

    def ge0(self, x: Node) -> Node:
        """``x >= 0``, decided statically when the interval allows."""
        if x.lo >= 0:
            return self.true()
        if x.hi < 0:
            return self.false()
        return self._make("GE0", (x,))

    def ge(self, x: Node, y: Node) -> Node:
        return self.ge0(self.sub(x, y))

    def le(self, x: Node, y: Node) -> Node:
        return self.ge0(self.sub(y, x))

    def eqc(self, x: Node, c: int) -> Node:
        if not x.lo <= c <= x.hi:
            return self.false()
        if x.lo == x.hi:
            return self.true()
        return self._make("EQC", (x,), value=c)

    def atmost(self, bools: Iterable[Node], k: int) -> Node:
        """At most ``k`` of ``bools`` hold."""
        live = []
        for b in bools:
            if b.op == "TRUE":
                k -= 1
            elif b.op != "FALSE":
                live.append(b)
        if k < 0:
            return self.false()
        if k >= len(live):
            return self.true()
        return self._make("ATMOST", tuple(live), value=k)

    def not_(self, b: Node) -> Node:
        if b.op == "TRUE":
            return self.false()
        if b.op == "FALSE":
            return self.true()
        if b.op == "NOT":
            return b.args[0]
        return self._make("NOT", (b,))

    def and_(self, bools: Iterable[Node]) -> Node:
        live = []
        for b in bools:
            if b.op == "FALSE":
                return self.false()
            if b.op != "TRUE":
                live.append(b)
        if not live:
            return self.true()
        return live[0] if len(live) == 1 else self._make("AND", tuple(live))

    def or_(self, bools: Iterable[Node]) -> Node:
        live = []
        for b in bools:
            if b.op == "TRUE":
                return self.true()
            if b.op != "FALSE":
                live.append(b)
        if not live:
            return self.false()
        return live[0] if len(live) == 1 else self._make("OR", tuple(live))

    def require(self, b: Node) -> None:
        """Add the assertion ``b``."""
        self.assertions.append(b)

    # ------------------------------------------------------------ inspection
    def max_width(self) -> int:
        """The widest two's complement integer any node needs."""
        return max((n.width for n in self.nodes if not n.is_bool), default=1)

    def evaluate(self, leaf_values: dict[str, int]) -> dict[int, int | bool]:
        """Value of every node for the given leaf values (by leaf name); used by tests to
        check the circuit against the exact forward pass."""
        val: dict[int, int | bool] = {}
        for n in self.nodes:
            val[n.ident] = _EVAL[n.op](n, [val[a.ident] for a in n.args], leaf_values)
        return val

    def holds(self, leaf_values: dict[str, int]) -> bool:
        """Whether every assertion (CLAMP bounds included) holds at ``leaf_values``."""
        val = self.evaluate(leaf_values)
        clamps = all(n.lo <= val[n.args[0].ident] <= n.hi for n in self.nodes
                     if n.op == "CLAMP")
        ranges = all(n.lo <= leaf_values[n.name] <= n.hi for n in self.leaves)
        return ranges and clamps and all(val[a.ident] for a in self.assertions)


_EVAL = {
    "VAR": lambda n, a, leaves: int(leaves[n.name]),
    "CONST": lambda n, a, leaves: n.value,
    "ADD": lambda n, a, leaves: sum(a),
    "SCALE": lambda n, a, leaves: n.value * a[0],
    "MUL": lambda n, a, leaves: a[0] * a[1],
    "ITE": lambda n, a, leaves: a[1] if a[0] else a[2],
    "CLAMP": lambda n, a, leaves: a[0],
    "GE0": lambda n, a, leaves: a[0] >= 0,
    "EQC": lambda n, a, leaves: a[0] == n.value,
    "ATMOST": lambda n, a, leaves: sum(map(bool, a)) <= n.value,
    "AND": lambda n, a, leaves: all(a),
    "OR": lambda n, a, leaves: any(a),
    "NOT": lambda n, a, leaves: not a[0],
    "TRUE": lambda n, a, leaves: True,
    "FALSE": lambda n, a, leaves: False,
}
