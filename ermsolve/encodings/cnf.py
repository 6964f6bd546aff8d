"""Encoding ``cnf``: the circuit bit-blasted by ermsolve's own gates into DIMACS CNF (PySAT).

Every integer node ``x`` of the circuit (:mod:`ermsolve.circuit`) becomes a vector of
literals, least significant bit first, read as a two's complement number of
``signed_width(x.lo, x.hi)`` bits; every Boolean node becomes one literal.  A single
literal ``T`` (asserted by a unit clause) stands for *true* and ``-T`` for *false*; gates
fold constants and shared inputs before creating a variable, so a bit known to be constant
creates no clause.  Gates are Tseitin definitions (full equivalences) and are hash-consed:
asking twice for ``a AND b`` gives the same variable.

Node by node (``w`` the node's width; operands sign-extended or truncated to ``w``):

* VAR: ``bits`` fresh variables (the parameter bits, allocated first, so they are
  ``1 .. P`` in canonical leaf order); an unsigned leaf reads them with a constant-0 sign
  bit on top.  ``lo <= x <= hi`` is asserted when ``[lo, hi]`` is narrower than what the
  field holds (``q != 0``, ``index < n``, ``k >= -2**(B-1)+...``).
* ADD: ripple-carry adders (full adders ``s = a ⊕ b ⊕ c``, ``c' = maj(a, b, c)``); the
  running partial sum is kept at ``min(w, signed_width(partial interval))`` bits.
* SCALE by ``c``: shift-and-add over the non-adjacent form (NAF) of ``c``,
  ``c = Σ d_i 2**i`` with ``d_i ∈ {-1, 0, 1}`` and no two adjacent nonzero digits, so at
  most ``ceil((bits(c)+1)/2)`` shifted copies are added or subtracted (``a - b`` is
  ``a + ~b + 1``).
* MUL: an array multiplier modulo ``2**w``: with ``y`` the operand of fewer bits
  (``u`` bits, two's complement), ``x*y = Σ_{j<u-1} y_j 2**j x - y_{u-1} 2**(u-1) x``;
  each row is ``x`` shifted and ANDed with ``y_j``.
* ITE: one multiplexer per bit on the condition literal (for ``relu`` the condition is
  the negated sign bit of the pre-activation).
* CLAMP: asserts ``lo <= x <= hi`` (comparisons with constants) and truncates to ``w``.
* GE0: the negated sign bit.  EQC: the AND of bit-equalities with the constant.
* ATMOST: asserted at top level it goes to :mod:`pysat.card` with the chosen
  ``cardinality`` encoding; used inside a formula it is reified by a binary popcount
  (adders) compared with the bound.
* AND, OR, NOT: gates; an asserted AND asserts each argument.

Width argument (why truncation is exact).  Reduction modulo ``2**w`` is a ring
homomorphism, so ADD, SCALE and MUL computed on operands resized to ``w`` bits give the
true result modulo ``2**w``; the true result lies in the node's interval, which ``w`` bits
hold, so the bits *are* the true value.  The sign test, equality with a constant and the
comparisons of CLAMP and of leaf ranges read values at widths that hold their intervals,
and comparisons with a constant ``c`` are done one bit wider (``x - c`` cannot overflow).

Worked example.  A fixed-point leaf ``k`` (``bits=2``: variables 1, 2, range
``[-2, 1]``) times the constant 3 is ``k + (k << 1)`` at width 4: ``k`` sign-extended is
``[1, 2, 2, 2]``, the shifted copy ``[F, 1, 2, 2]``; bit 0 of the sum is variable 1
itself (adding the constant-false bit creates nothing), and only bits 1..3 need full
adders.  ``relu`` of it is ``[mux(-s, b_i, F)] = [AND(-s, b_i)]`` with ``s`` the sign bit.

DIMACS comment format (written by :meth:`CNFEncoding.to_dimacs`, before the ``p`` line)::

    c ermsolve cnf encoding (cardinality=<name>)
    c leaf <leaf name> signed|unsigned <bits> bits: <v1> <v2> ... (lsb first)
    c true <T>

one ``c leaf`` line per leaf in canonical order; a leaf value is ``Σ_i b_i 2**i`` over its
variables (``b_i`` 1 when the variable is true), minus ``2**bits`` when the leaf is signed
and its last variable is true.

Limitations: the CNF grows with the product of operand widths for variable-by-variable
multipliers, so polynomial activations in deep networks make large formulas; sums with a
bound use adders by default — ``encode_cnf(pb=...)`` turns top-level sign tests of linear
sums into :mod:`pysat.pb` constraints (needs the optional ``pindakaas`` package), but that
path is experimental: only lightly differentially tested and not measured against adders,
so it is not the default and not reachable from the command line; the nested
(non-top-level) ATMOST uses adders, not pysat.card.  The default cardinality encoding
(``seqcounter``) was chosen on the measurements in ``benchmarks/proofs.md`` (fewest
clauses and fastest or near-fastest CaDiCaL times on the ``zero_one`` instances there).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from pysat.card import CardEnc, EncType
from pysat.formula import CNF, IDPool

from ..circuit import Circuit, Node
from ..errors import UnsupportedError
from ..rationals import signed_width

#: pysat.card encodings for any bound (``pairwise``, ``bitwise`` and ``ladder`` only take
#: bound 1; ``native`` needs a cardinality-aware solver).
CARDINALITY_ENCODINGS = ("seqcounter", "sortnetwrk", "cardnetwrk", "totalizer", "mtotalizer",
                         "kmtotalizer")
DEFAULT_CARDINALITY = "seqcounter"
#: pysat.pb encodings accepted by ``encode_cnf(pb=...)``.
PB_ENCODINGS = ("best", "bdd", "seqcounter", "sortnetwrk", "adder", "binmerge", "totalizer",
                "mixedradix")


@dataclass
class LeafMappedCNF:
    """A CNF whose parameter bit fields are named: ``leaf_bits[name]`` lists the variables
    of a leaf, lsb first, and ``leaf_signed[name]`` says whether the field is two's
    complement.  Shared by the ``cnf`` and ``cnf-z3`` encodings; the DIMACS text (and so
    the SHA-256 that certificates record) starts with the comment lines of
    :meth:`_comments`."""

    cnf: CNF
    leaf_bits: dict[str, list[int]]
    leaf_signed: dict[str, bool]
    _dimacs: dict = field(default_factory=dict, repr=False, kw_only=True)

    @property
    def num_variables(self) -> int:
        return self.cnf.nv

    @property
    def num_clauses(self) -> int:
        return len(self.cnf.clauses)

    def parameter_variables(self) -> list[int]:
        """Every leaf-bit variable, leaves in canonical order, each lsb first."""
        return [v for bits in self.leaf_bits.values() for v in bits]

    def decode(self, model: list[int]) -> dict[str, int]:
        """Leaf values (by leaf name) from a solver model (a list of literals); a variable
        missing from the model reads as false."""
        true = {lit for lit in model if lit > 0}
        out = {}
        for name, bits in self.leaf_bits.items():
            raw = sum(1 << i for i, v in enumerate(bits) if v in true)
            if self.leaf_signed[name] and bits[-1] in true:
                raw -= 1 << len(bits)
            out[name] = raw
        return out

    def _leaf_lines(self) -> list[str]:
        lines = []
        for name, bits in self.leaf_bits.items():
            kind = "signed" if self.leaf_signed[name] else "unsigned"
            lines.append(f"c leaf {name} {kind} {len(bits)} bits: "
                         f"{' '.join(map(str, bits))} (lsb first)")
        return lines

    def _comments(self) -> list[str]:
        """The comment lines before ``p cnf``: the leaf map, and what a subclass adds."""
        return self._leaf_lines()

    def to_dimacs(self, comments: bool = True) -> str:
        """DIMACS text; with ``comments`` the leaf map of the module docstring first."""
        if comments not in self._dimacs:
            lines = self._comments() if comments else []
            lines.append(f"p cnf {self.cnf.nv} {len(self.cnf.clauses)}")
            lines.extend(" ".join(map(str, cl)) + " 0" for cl in self.cnf.clauses)
            self._dimacs[comments] = "\n".join(lines) + "\n"
        return self._dimacs[comments]

    def sha256(self) -> str:
        """SHA-256 of :meth:`to_dimacs` (with comments), UTF-8."""
        return hashlib.sha256(self.to_dimacs(True).encode("utf-8")).hexdigest()


@dataclass
class CNFEncoding(LeafMappedCNF):
    """ermsolve's own CNF of a circuit: the leaf map, the variable pool, the literal fixed
    true, and the cardinality encoding used for ATMOST."""

    pool: IDPool
    true_literal: int
    cardinality: str

    def _comments(self) -> list[str]:
        return [f"c ermsolve cnf encoding (cardinality={self.cardinality})",
                *self._leaf_lines(), f"c true {self.true_literal}"]


# --------------------------------------------------------------------------- gates

class Gates:
    """A clause sink with constant-folding, hash-consed Tseitin gates and integer
    arithmetic on two's complement literal vectors (lsb first)."""

    def __init__(self, pool: IDPool | None = None):
        self.pool = pool or IDPool()
        self.clauses: list[list[int]] = []
        self.T = self.pool.id(("const", "true"))
        self.F = -self.T
        self.clauses.append([self.T])
        self._cache: dict[tuple, int] = {}
        self._fresh = 0

    def fresh(self) -> int:
        self._fresh += 1
        return self.pool.id(("aux", self._fresh))

    def const_bits(self, value: int, width: int) -> list[int]:
        return [self.T if (value >> i) & 1 else self.F for i in range(width)]

    # ------------------------------------------------------------ Boolean gates
    def and2(self, a: int, b: int) -> int:
        if a == self.F or b == self.F or a == -b:
            return self.F
        if a == self.T or a == b:
            return b
        if b == self.T:
            return a
        key = ("and", min(a, b), max(a, b))
        g = self._cache.get(key)
        if g is None:
            g = self._cache[key] = self.fresh()
            self.clauses += [[-g, a], [-g, b], [g, -a, -b]]
        return g

    def or2(self, a: int, b: int) -> int:
        return -self.and2(-a, -b)

    def and_all(self, lits: list[int]) -> int:
        live = []
        for lit in lits:
            if lit == self.F or -lit in live:
                return self.F
            if lit != self.T and lit not in live:
                live.append(lit)
        if not live:
            return self.T
        if len(live) == 1:
            return live[0]
        key = ("andn", tuple(sorted(live)))
        g = self._cache.get(key)
        if g is None:
            g = self._cache[key] = self.fresh()
            self.clauses += [[-g, lit] for lit in live]
            self.clauses.append([g] + [-lit for lit in live])
        return g

    def xor2(self, a: int, b: int) -> int:
        if a == self.F:
            return b
        if b == self.F:
            return a
        if a == self.T:
            return -b
        if b == self.T:
            return -a
        if a == b:
            return self.F
        if a == -b:
            return self.T
        # normalise: xor(-a, b) = -xor(a, b)
        sign = 1
        if a < 0:
            a, sign = -a, -sign
        if b < 0:
            b, sign = -b, -sign
        a, b = min(a, b), max(a, b)
        key = ("xor", a, b)
        g = self._cache.get(key)
        if g is None:
            g = self._cache[key] = self.fresh()
            self.clauses += [[-g, a, b], [-g, -a, -b], [g, -a, b], [g, a, -b]]
        return sign * g

    def maj(self, a: int, b: int, c: int) -> int:
        """At least two of ``a, b, c``."""
        for x, y, z in ((a, b, c), (b, c, a), (c, a, b)):
            if x == self.F:
                return self.and2(y, z)
            if x == self.T:
                return self.or2(y, z)
            if x == y:
                return x
            if x == -y:
                return z
        a, b, c = sorted((a, b, c))
        key = ("maj", a, b, c)
        g = self._cache.get(key)
        if g is None:
            g = self._cache[key] = self.fresh()
            self.clauses += [[-g, a, b], [-g, a, c], [-g, b, c],
                             [g, -a, -b], [g, -a, -c], [g, -b, -c]]
        return g

    def mux(self, s: int, t: int, e: int) -> int:
        """``t if s else e``."""
        if s == self.T or t == e:
            return t
        if s == self.F:
            return e
        if t == self.T or t == s:
            return self.or2(s, e)
        if t == self.F or t == -s:
            return self.and2(-s, e)
        if e == self.T or e == -s:
            return self.or2(-s, t)
        if e == self.F or e == s:
            return self.and2(s, t)
        if t == -e:
            return -self.xor2(s, t)
        if s < 0:
            s, t, e = -s, e, t
        key = ("mux", s, t, e)
        g = self._cache.get(key)
        if g is None:
            g = self._cache[key] = self.fresh()
            self.clauses += [[-g, -s, t], [-g, s, e], [g, -s, -t], [g, s, -e],
                             [-g, t, e], [g, -t, -e]]
        return g

    # ------------------------------------------------------------ integers
    @staticmethod
    def resize(bits: list[int], width: int) -> list[int]:
        """Sign-extend or truncate to ``width`` bits."""
        if width <= len(bits):
            return bits[:width]
        return bits + [bits[-1]] * (width - len(bits))

    def add(self, a: list[int], b: list[int], carry: int | None = None) -> list[int]:
        """``a + b + carry`` modulo ``2**len(a)`` (``b`` of the same length)."""
        c = self.F if carry is None else carry
        out = []
        for x, y in zip(a, b):
            out.append(self.xor2(self.xor2(x, y), c))
            c = self.maj(x, y, c)
        return out

    def sub(self, a: list[int], b: list[int]) -> list[int]:
        """``a - b = a + ~b + 1`` modulo ``2**len(a)``."""
        return self.add(a, [-y for y in b], self.T)

    def shifted(self, bits: list[int], shift: int, width: int) -> list[int]:
        """``bits * 2**shift`` at ``width`` bits."""
        return ([self.F] * shift + self.resize(bits, max(width - shift, 0)))[:width]

    def scale(self, c: int, bits: list[int], width: int, lo: int, hi: int) -> list[int]:
        """``c * x`` at ``width`` bits by shift-and-add over the NAF of ``c``; ``x`` lies
        in ``[lo, hi]`` (used to keep partial sums narrow)."""
        acc: list[int] | None = None
        coeff = 0
        for i, d in enumerate(naf(c)):
            if d == 0:
                continue
            coeff += d << i
            w = min(width, signed_width(*sorted((coeff * lo, coeff * hi))))
            term = self.shifted(bits, i, w)
            if acc is None:
                acc = term if d > 0 else self.sub(self.const_bits(0, w), term)
            else:
                acc = self.resize(acc, w)
                acc = self.add(acc, term) if d > 0 else self.sub(acc, term)
        return self.resize(acc, width)

    def mul(self, x: list[int], y: list[int], width: int) -> list[int]:
        """``x * y`` modulo ``2**width`` (array multiplier; ``y`` two's complement)."""
        if len(y) > len(x):
            x, y = y, x
        xw = self.resize(x, width)
        u = min(len(y), width)
        signed_last = len(y) <= width  # the last row of y carries weight -2**(u-1)
        acc = self.const_bits(0, width)
        for j in range(u):
            row = [self.and2(b, y[j]) for b in self.shifted(xw, j, width)]
            negative = j == u - 1 and signed_last
            acc = self.sub(acc, row) if negative else self.add(acc, row)
        return acc

    def ge_const(self, bits: list[int], c: int) -> int:
        """Literal for ``x >= c`` (``x`` two's complement)."""
        w = len(bits)
        if c <= -(1 << (w - 1)):
            return self.T
        if c > (1 << (w - 1)) - 1:
            return self.F
        diff = self.add(self.resize(bits, w + 1), self.const_bits(-c, w + 1))
        return -diff[-1]

    def le_const(self, bits: list[int], c: int) -> int:
        """Literal for ``x <= c``."""
        w = len(bits)
        if c >= (1 << (w - 1)) - 1:
            return self.T
        if c < -(1 << (w - 1)):
            return self.F
        diff = self.sub(self.const_bits(c, w + 1), self.resize(bits, w + 1))
        return -diff[-1]

    def eq_const(self, bits: list[int], c: int) -> int:
        w = len(bits)
        if not -(1 << (w - 1)) <= c <= (1 << (w - 1)) - 1:
            return self.F
        return self.and_all([b if (c >> i) & 1 else -b for i, b in enumerate(bits)])

    def popcount(self, lits: list[int]) -> list[int]:
        """The number of true ``lits`` as a two's complement vector."""
        width = signed_width(0, len(lits))
        acc = self.const_bits(0, width)
        for lit in lits:
            acc = self.add(acc, self.const_bits(0, width), lit)
        return acc


def naf(c: int) -> list[int]:
    """Non-adjacent form of ``c``: digits ``d_i`` in {-1, 0, 1}, lsb first, ``c = Σ d_i 2**i``."""
    digits = []
    while c:
        if c & 1:
            d = 2 - (c & 3)  # 1 if c ≡ 1 (mod 4), -1 if c ≡ 3
            c -= d
        else:
            d = 0
        digits.append(d)
        c >>= 1
    return digits


# --------------------------------------------------------------------------- translation

class _Translator:
    def __init__(self, circuit: Circuit, cardinality: str, pb: str | None = None):
        self.circuit = circuit
        self.cardinality = cardinality
        self.pb = pb
        self._linear_forms: dict[int, tuple[list[tuple[Node, int]], int]] = {}
        self.pool = IDPool()
        self.leaf_bits: dict[str, list[int]] = {}
        self.leaf_signed: dict[str, bool] = {}
        for leaf in circuit.leaves:  # parameter bits first: variables 1..P
            self.leaf_bits[leaf.name] = [self.pool.id(("leaf", leaf.name, i))
                                         for i in range(leaf.bits)]
            self.leaf_signed[leaf.name] = leaf.signed
        self.g = Gates(self.pool)
        self.bits: dict[int, list[int]] = {}
        self.lit: dict[int, int] = {}

    # ------------------------------------------------------------ driver
    def run(self) -> None:
        needed = self._needed()
        for leaf in self.circuit.leaves:
            self._var(leaf)
        for n in self.circuit.nodes:
            if n.ident in needed and n.op != "VAR":
                getattr(self, "_" + n.op.lower())(n)
        for a in self.circuit.assertions:
            self._assert(a)

    def _needed(self) -> set[int]:
        """Nodes whose value some assertion or CLAMP bound reads; top-level asserted
        AND/ATMOST nodes that nothing else reads are asserted directly (no literal)."""
        uses: dict[int, int] = {}
        for n in self.circuit.nodes:
            for a in n.args:
                uses[a.ident] = uses.get(a.ident, 0) + 1
        self._direct = set()
        stack = []
        for a in self.circuit.assertions:
            self._mark_direct(a, uses, stack)
        # a CLAMP asserts its bound even when nothing reads its value
        stack.extend(n for n in self.circuit.nodes if n.op == "CLAMP")
        needed: set[int] = set()
        while stack:
            n = stack.pop()
            if n.ident in needed:
                continue
            needed.add(n.ident)
            stack.extend(n.args)
        return needed

    def _mark_direct(self, a: Node, uses: dict, stack: list) -> None:
        if self.pb and a.op == "GE0" and uses.get(a.ident, 0) == 0:
            terms, const = _linear_form(a.args[0])
            if len(terms) >= 2:
                self._direct.add(a.ident)
                self._linear_forms[a.ident] = (terms, const)
                stack.extend(n for n, _ in terms)
                return
        if a.op in ("AND", "ATMOST") and uses.get(a.ident, 0) == 0:
            self._direct.add(a.ident)
            if a.op == "AND":
                for b in a.args:
                    self._mark_direct(b, uses, stack)
            else:
                stack.extend(a.args)
        else:
            stack.append(a)

    def _assert(self, a: Node) -> None:
        if a.ident in self._direct:
            if a.op == "AND":
                for b in a.args:
                    self._assert(b)
            elif a.op == "GE0":
                self._pb_clauses(*self._linear_forms[a.ident])
            else:
                self._atmost_clauses([self.lit[b.ident] for b in a.args], a.value)
            return
        lit = self.lit[a.ident]
        if lit != self.g.T:
            self.g.clauses.append([lit])

    def at(self, node: Node, width: int) -> list[int]:
        return Gates.resize(self.bits[node.ident], width)

    def _require(self, lit: int) -> None:
        if lit != self.g.T:
            self.g.clauses.append([lit])

    # ------------------------------------------------------------ integer nodes
    def _var(self, n: Node) -> None:
        bits = list(self.leaf_bits[n.name])
        if not n.signed:
            bits.append(self.g.F)
        self.bits[n.ident] = bits
        self._require(self.g.ge_const(bits, n.lo))
        self._require(self.g.le_const(bits, n.hi))

    def _const(self, n: Node) -> None:
        self.bits[n.ident] = self.g.const_bits(n.value, n.width)

    def _add(self, n: Node) -> None:
        w = n.width
        first = n.args[0]
        lo, hi = first.lo, first.hi
        acc = self.at(first, min(w, first.width))
        for a in n.args[1:]:
            lo, hi = lo + a.lo, hi + a.hi
            pw = min(w, signed_width(lo, hi))
            acc = self.g.add(Gates.resize(acc, pw), self.at(a, pw))
        self.bits[n.ident] = Gates.resize(acc, w)

    def _scale(self, n: Node) -> None:
        x = n.args[0]
        self.bits[n.ident] = self.g.scale(n.value, self.bits[x.ident], n.width, x.lo, x.hi)

    def _mul(self, n: Node) -> None:
        x, y = n.args
        self.bits[n.ident] = self.g.mul(self.bits[x.ident], self.bits[y.ident], n.width)

    def _ite(self, n: Node) -> None:
        w = n.width
        s = self.lit[n.args[0].ident]
        t, e = self.at(n.args[1], w), self.at(n.args[2], w)
        self.bits[n.ident] = [self.g.mux(s, a, b) for a, b in zip(t, e)]

    def _clamp(self, n: Node) -> None:
        raw = self.bits[n.args[0].ident]
        x = n.args[0]
        if n.lo > x.lo:
            self._require(self.g.ge_const(raw, n.lo))
        if n.hi < x.hi:
            self._require(self.g.le_const(raw, n.hi))
        self.bits[n.ident] = Gates.resize(raw, n.width)

    # ------------------------------------------------------------ Boolean nodes
    def _ge0(self, n: Node) -> None:
        self.lit[n.ident] = -self.bits[n.args[0].ident][-1]

    def _eqc(self, n: Node) -> None:
        self.lit[n.ident] = self.g.eq_const(self.bits[n.args[0].ident], n.value)

    def _atmost(self, n: Node) -> None:
        lits = [self.lit[a.ident] for a in n.args]
        count = self.g.popcount(lits)
        self.lit[n.ident] = self.g.le_const(count, n.value)

    def _and(self, n: Node) -> None:
        self.lit[n.ident] = self.g.and_all([self.lit[a.ident] for a in n.args])

    def _or(self, n: Node) -> None:
        self.lit[n.ident] = -self.g.and_all([-self.lit[a.ident] for a in n.args])

    def _not(self, n: Node) -> None:
        self.lit[n.ident] = -self.lit[n.args[0].ident]

    def _true(self, n: Node) -> None:
        self.lit[n.ident] = self.g.T

    def _false(self, n: Node) -> None:
        self.lit[n.ident] = self.g.F

    # ------------------------------------------------------------ pseudo-Boolean
    def _pb_clauses(self, terms: list[tuple[Node, int]], const: int) -> None:
        """Assert ``Σ c_i n_i + const >= 0`` as one pseudo-Boolean constraint over the bits
        of the ``n_i`` (two's complement: the sign bit weighs ``-2**(w-1)``), through
        :mod:`pysat.pb` (normalised here to positive weights on literals)."""
        from pysat.pb import EncType as PBType
        from pysat.pb import PBEnc

        g = self.g
        weight: dict[int, int] = {}
        for n, c in terms:
            bits = self.bits[n.ident]
            for j, lit in enumerate(bits):
                w = c * (-(1 << j) if j == len(bits) - 1 else 1 << j)
                if lit == g.T:
                    const += w
                elif lit == g.F:
                    continue
                elif lit > 0:
                    weight[lit] = weight.get(lit, 0) + w
                else:  # w*[¬v] = w - w*[v]
                    weight[-lit] = weight.get(-lit, 0) - w
                    const += w
        # Σ W_v v + const >= 0  ⇔  Σ (-W_v) v <= const; make every weight positive
        lits, weights, bound = [], [], const
        for v in sorted(weight):
            a = -weight[v]
            if a > 0:
                lits.append(v)
                weights.append(a)
            elif a < 0:  # a*v = a + (-a)*¬v
                lits.append(-v)
                weights.append(-a)
                bound -= a
        if bound < 0:
            g.clauses.append([g.F])
        elif sum(weights) > bound:
            enc = PBEnc.leq(lits=lits, weights=weights, bound=bound, vpool=self.pool,
                            encoding=getattr(PBType, self.pb))
            g.clauses.extend(enc.clauses)

    # ------------------------------------------------------------ cardinality
    def _atmost_clauses(self, lits: list[int], k: int) -> None:
        """Assert ``#{true lits} <= k`` (multiplicity counts) through pysat.card."""
        g = self.g
        live = []
        for lit in lits:
            if lit == g.T:
                k -= 1
            elif lit != g.F:
                live.append(lit)
        # a complementary pair contributes exactly one
        changed = True
        while changed:
            changed = False
            for lit in live:
                if -lit in live:
                    live.remove(lit)
                    live.remove(-lit)
                    k -= 1
                    changed = True
                    break
        if k < 0:
            g.clauses.append([g.F])
            return
        if k >= len(live):
            return
        if k == 0:
            g.clauses.extend([-lit] for lit in live)
            return
        enc = CardEnc.atmost(lits=live, bound=k, vpool=self.pool,
                             encoding=getattr(EncType, self.cardinality))
        g.clauses.extend(enc.clauses)


def _linear_form(node: Node) -> tuple[list[tuple[Node, int]], int]:
    """``node`` as ``Σ c_i n_i + const`` by expanding ADD and SCALE nodes; the ``n_i``
    (in order of first appearance) are the nodes where expansion stops."""
    coeffs: dict[int, list] = {}
    const = 0
    stack = [(node, 1)]
    while stack:
        n, c = stack.pop()
        if n.op == "ADD":
            stack.extend((a, c) for a in reversed(n.args))
        elif n.op == "SCALE":
            stack.append((n.args[0], c * n.value))
        elif n.op == "CONST":
            const += c * n.value
        elif n.ident in coeffs:
            coeffs[n.ident][1] += c
        else:
            coeffs[n.ident] = [n, c]
    return [(n, c) for n, c in coeffs.values() if c], const


def encode_cnf(lowered, *, cardinality: str = DEFAULT_CARDINALITY,
               pb: str | None = None) -> CNFEncoding:
    """The CNF of ``lowered.circuit`` (a :class:`~ermsolve.lowering.Lowered`, or a bare
    :class:`~ermsolve.circuit.Circuit`); deterministic: the same instance gives the same
    DIMACS text byte for byte.  ``pb`` (a :mod:`pysat.pb` encoding name, experimental,
    needs ``pindakaas``) turns each top-level sign test of a linear sum into one
    pseudo-Boolean constraint instead of adders."""
    if cardinality not in CARDINALITY_ENCODINGS:
        raise UnsupportedError(f"unknown cardinality encoding {cardinality!r}; available: "
                               f"{', '.join(CARDINALITY_ENCODINGS)}")
    if pb is not None and pb not in PB_ENCODINGS:
        raise UnsupportedError(f"unknown pseudo-Boolean encoding {pb!r}; available: "
                               f"{', '.join(PB_ENCODINGS)}")
    circuit = lowered if isinstance(lowered, Circuit) else lowered.circuit
    tr = _Translator(circuit, cardinality, pb)
    tr.run()
    cnf = CNF()
    cnf.clauses = tr.g.clauses
    cnf.nv = tr.pool.top
    return CNFEncoding(cnf, tr.leaf_bits, tr.leaf_signed, pool=tr.pool, true_literal=tr.g.T,
                       cardinality=cardinality)
