"""Lowering: an instance becomes an integer :class:`~ermsolve.circuit.Circuit`.

Every rational quantity of the forward pass is held as a *scaled value*
``v = N / (S * Q)``: ``N`` an integer circuit node (one per sample), ``S`` a positive integer
fixed at encode time and ``Q`` a product of denominator leaves (only the ``rational`` domain
has them; ``Q`` is empty, i.e. 1, otherwise).  ``S`` and ``Q`` depend on the neuron, never on
the sample, so all samples of one output share one denominator.

* Inputs: feature ``i`` is scaled by ``D_i``, the lcm of its denominators over the data, so
  ``x_si = X_si / D_i`` with integer ``X_si``.
* Parameters: ``fixed`` domain ``k / 2**F`` → ``(k, 2**F, ())``; ``rational`` ``p / q`` →
  ``(p, 1, (q,))``; ``set`` → ``(c_idx, D, ())`` with ``c_j = v_j * D`` selected by the index
  leaf, ``D`` the lcm of the set's denominators; a fixed entry ``a/b`` → ``(a, b, ())``.
* A product multiplies numerators and scales and joins the factor lists; a sum brings its
  terms to ``lcm`` of the scales and to the union (max multiplicity) of the factor lists.
* Activations act on the numerator: ``relu`` → ``ite(N >= 0, N, 0)``; ``leaky_relu:u/w`` →
  ``ite(N >= 0, w*N, u*N)`` over ``w*S``; ``hardtanh`` compares ``N`` with ``±S*Q``;
  a polynomial ``Σ c_k t**k`` (``c_k = a_k / B``) → ``Σ a_k N**k (S*Q)**(d-k)`` over
  ``B * S**d * Q**d``.  Denominators are positive, so signs are read off numerators.
* Loss, with ``E_so = N_so * B_o - Y_so * S_o * Q_o`` the error numerator over
  ``M_o = S_o * B_o * Q_o`` (``B_o`` the lcm of output ``o``'s target denominators) and
  ``γ = g1 / g2``:
  ``max_abs``: ``g2 |E_so| <= g1 M_o`` for all s, o;
  ``squared``: over the common denominator ``L * Q`` of all outputs,
  ``g2 Σ E'_so² <= g1 m L² Q²``; ``absolute``: ``g2 Σ |E'_so| <= g1 m L Q``;
  ``zero_one``: at most ``floor(γ m)`` samples with ``y_s N_s <= 0``.

Redundant bounds.  For ``squared`` every single error obeys ``E'² <= g1 m L² Q² / g2``, so
``|E'| <= isqrt(floor(g1 m L² Qmax² / g2))``; for ``absolute`` ``|E'| <= g1 m L Qmax / g2``.
They are added as CLAMP nodes: implied by the loss assertion, so the answer is unchanged, but
the squares and sums after them get narrow widths.

Strict form.  ``lower(instance, strict=True)`` asserts loss ``< γ`` instead: each comparison
``A <= B`` of integers above becomes ``A <= B - 1`` (``zero_one``: at most
``ceil(γ m) - 1`` errors).  The redundant bounds stay those of ``<= γ``, which ``< γ``
implies.  This is the question whose refutation proves that no assignment beats a loss.

Objective.  :attr:`Lowered.objective` (an :class:`Objective`) keeps the loss itself as
integer nodes, so a search can add further bounds ``loss <= v`` or ``loss < v`` to the same
circuit (see :meth:`Objective.bound`); :mod:`ermsolve.optimize` builds on it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import gmpy2
from gmpy2 import mpq, mpz

from .activations import Activation
from .circuit import Circuit, Node
from .instance import FixedDomain, Instance, ParamRef, RationalDomain, SetDomain
from .rationals import lcm_of_denominators


@dataclass(frozen=True)
class Scaled:
    """The rational ``num / (scale * prod(factors))`` (``factors``: denominator leaves, kept
    sorted by node id so equal multisets compare equal)."""

    num: Node
    scale: int
    factors: tuple[Node, ...] = ()


@dataclass
class ParamLeaves:
    """How one free parameter is stored: ``kind`` is ``fixed`` (leaf ``k``), ``rational``
    (leaves ``p``, ``q``) or ``set`` (leaf ``index``)."""

    ref: ParamRef
    kind: str
    leaves: tuple[Node, ...]


@dataclass
class Objective:
    """The empirical loss as circuit nodes (``m`` samples).

    * ``zero_one``: ``wrong[s]`` is the Boolean node "sample ``s`` is misclassified";
      loss ``= #wrong / m``.
    * ``max_abs``: ``errors`` holds, per output ``o``, ``(E_o, S_o * B_o, Q_o)``: the error
      numerators over the samples, the static scale and the node of the factor product
      (a CONST 1 without denominator leaves); loss ``= max |E_so| / (S_o B_o Q_o)``.
    * ``squared`` / ``absolute``: loss ``= total / (static * den)`` with ``total`` the node
      ``Σ E'²`` (``Σ |E'|``), ``static = m L²`` (``m L``) and ``den`` the node ``Q²`` (``Q``).

    The nodes live in the lowered circuit; where the lowering added redundant bounds
    (CLAMP) they are those implied by loss ``<= γ`` of the lowered instance, so the objective
    is exact for every assignment of loss ``<= γ``.
    """

    kind: str
    num_samples: int
    wrong: tuple[Node, ...] = ()
    errors: tuple[tuple[tuple[Node, ...], int, Node], ...] = ()
    total: Node | None = None
    static: int = 1
    den: Node | None = None

    def lattice_denominator(self) -> int | None:
        """An integer ``D`` with every reachable loss in ``(1/D)·Z``, or ``None`` when the
        denominators involve leaves (the ``rational`` domain)."""
        if self.kind == "zero_one":
            return self.num_samples
        if self.kind == "max_abs":
            if any(q.op != "CONST" for _, _, q in self.errors):
                return None
            dens = [scale * q.value for _, scale, q in self.errors]
            return int(gmpy2.lcm(*dens)) if len(dens) > 1 else dens[0]
        if self.den.op != "CONST":
            return None
        return self.static * self.den.value

    def bound(self, c: Circuit, value, strict: bool = False) -> list[Node]:
        """Boolean nodes of ``c`` whose conjunction says loss ``<= value`` (``< value``
        with ``strict``).  Integer comparisons ``A <= B`` are ``A <= B - 1`` when strict;
        with a constant denominator the bound on the integer numerator is folded to one
        integer ``K`` (``floor`` for ``<=``, ``ceil - 1`` for ``<``)."""
        value = mpq(value)
        if self.kind == "zero_one":
            return [c.atmost(self.wrong, _limit(value * self.num_samples, strict))]
        if self.kind == "max_abs":
            out = []
            for nums, scale, q in self.errors:
                for e in nums:
                    out += _abs_bound(c, e, value, scale, q, strict)
            return out
        if self.den.op == "CONST":
            k = _limit(value * self.static * self.den.value, strict)
            return [c.ge(c.const(k), self.total)]
        g1, g2 = int(value.numerator), int(value.denominator)
        rhs = _less_one(c, c.scale(g1 * self.static, self.den), strict)
        return [c.ge(rhs, c.scale(g2, self.total))]


def _limit(x: mpq, strict: bool) -> int:
    """The largest integer ``<= x`` (``< x`` when strict)."""
    return int(gmpy2.c_div(x.numerator, x.denominator)) - 1 if strict else int(
        gmpy2.f_div(x.numerator, x.denominator))


def _less_one(c: Circuit, rhs: Node, strict: bool) -> Node:
    """``rhs - 1`` when strict (``A <= B - 1`` is ``A < B`` on integers), else ``rhs``."""
    return c.add([rhs, c.const(-1)]) if strict else rhs


def _abs_bound(c: Circuit, e: Node, value: mpq, scale: int, q: Node, strict: bool
               ) -> list[Node]:
    """``|e| <= value * scale * q`` (``<`` when strict) as Boolean nodes."""
    if q.op == "CONST":
        k = _limit(value * scale * q.value, strict)
        if k < 0:
            return [c.false()]
        return [c.ge(c.const(k), e), c.ge(e, c.const(-k))]
    g1, g2 = int(value.numerator), int(value.denominator)
    rhs = _less_one(c, c.scale(g1 * scale, q), strict)
    return [c.ge(rhs, c.scale(g2, e)), c.ge(rhs, c.scale(-g2, e))]


@dataclass
class Lowered:
    """The circuit of an instance, the map between parameters and leaves and the loss as
    nodes (:class:`Objective`)."""

    instance: Instance
    circuit: Circuit
    params: list[ParamLeaves]
    outputs: list[list[Scaled]] = field(default_factory=list)
    objective: Objective | None = None

    def decode(self, leaf_values: dict[str, int]) -> dict[ParamRef, mpq]:
        """Parameter values from leaf values (by leaf name)."""
        dom = self.instance.domain
        out = {}
        for p in self.params:
            vals = [int(leaf_values[leaf.name]) for leaf in p.leaves]
            if p.kind == "fixed":
                out[p.ref] = mpq(vals[0], 1 << dom.frac_bits)
            elif p.kind == "rational":
                out[p.ref] = mpq(vals[0], vals[1])
            else:
                out[p.ref] = dom.values_[vals[0]]
        return out

    def encode_values(self, values: dict[ParamRef, mpq]) -> dict[str, int]:
        """Leaf values representing the given parameter values (the reduced form ``p/q`` for
        the rational domain); inverse of :meth:`decode`."""
        dom = self.instance.domain
        out = {}
        for p in self.params:
            v = mpq(values[p.ref])
            if p.kind == "fixed":
                out[p.leaves[0].name] = int(v * (1 << dom.frac_bits))
            elif p.kind == "rational":
                out[p.leaves[0].name] = int(v.numerator)
                out[p.leaves[1].name] = int(v.denominator)
            else:
                out[p.leaves[0].name] = dom.values_.index(v)
        return out


def leaf_name(ref: ParamRef, part: str) -> str:
    """Stable name of a parameter's leaf, e.g. ``W1_0_1.k``; encoders reuse it."""
    return f"{ref.name}_{'_'.join(map(str, ref.index))}.{part}"


class _Lowerer:
    def __init__(self, instance: Instance):
        self.inst = instance
        self.c = Circuit()
        self.params: list[ParamLeaves] = []
        self.values: dict[ParamRef, Scaled] = {}
        self._products: dict[tuple[int, ...], Node] = {}
        self._powers: dict[tuple[int, int], Node] = {}
        self.redundant_bounds = True
        self.strict = False
        self.objective: Objective | None = None

    # ------------------------------------------------------------ parameters
    def parameter(self, ref: ParamRef) -> Scaled:
        if ref in self.values:
            return self.values[ref]
        fixed = self.inst.fixed_value(ref)
        if fixed is not None:
            val = Scaled(self.c.const(fixed.numerator), int(fixed.denominator))
        else:
            val = self._free_parameter(ref)
        self.values[ref] = val
        return val

    def _free_parameter(self, ref: ParamRef) -> Scaled:
        dom, c = self.inst.domain, self.c
        if isinstance(dom, FixedDomain):
            lo, hi = dom.k_range
            k = c.var(leaf_name(ref, "k"), dom.bits, True, lo, hi)
            self.params.append(ParamLeaves(ref, "fixed", (k,)))
            return Scaled(k, 1 << dom.frac_bits)
        if isinstance(dom, RationalDomain):
            plo, phi = dom.p_range
            qlo, qhi = dom.q_range
            p = c.var(leaf_name(ref, "p"), dom.num_bits, True, plo, phi)
            q = c.var(leaf_name(ref, "q"), dom.den_bits, False, qlo, qhi)
            self.params.append(ParamLeaves(ref, "rational", (p, q)))
            return Scaled(p, 1, (q,))
        assert isinstance(dom, SetDomain)
        n = len(dom.values_)
        bits = max(1, (n - 1).bit_length())
        idx = c.var(leaf_name(ref, "index"), bits, False, 0, n - 1)
        self.params.append(ParamLeaves(ref, "set", (idx,)))
        den = lcm_of_denominators(dom.values_)
        ints = [int(v * den) for v in dom.values_]
        # A chain of if-then-else on the index; the last value is the default.
        node = c.const(ints[-1])
        for j in range(n - 2, -1, -1):
            node = c.ite(c.eqc(idx, j), c.const(ints[j]), node)
        return Scaled(node, int(den))

    # ------------------------------------------------------------ arithmetic
    def product_of(self, factors: tuple[Node, ...]) -> Node:
        """The node ``prod(factors)`` (1 for none), shared across samples."""
        key = tuple(f.ident for f in factors)
        if key not in self._products:
            node = self.c.const(1)
            for f in factors:
                node = self.c.mul(node, f)
            self._products[key] = node
        return self._products[key]

    def power(self, x: Node, k: int) -> Node:
        """``x**k`` by repeated squaring (squares get exact nonnegative intervals)."""
        if k == 0:
            return self.c.const(1)
        if k == 1:
            return x
        key = (x.ident, k)
        if key not in self._powers:
            half = self.power(x, k // 2)
            sq = self.c.mul(half, half)
            self._powers[key] = sq if k % 2 == 0 else self.c.mul(sq, x)
        return self._powers[key]

    def times(self, a: Scaled, b: Scaled) -> Scaled:
        factors = tuple(sorted(a.factors + b.factors, key=lambda n: n.ident))
        return Scaled(self.c.mul(a.num, b.num), a.scale * b.scale, factors)

    def total(self, terms: list[Scaled]) -> Scaled:
        """The sum of scaled values over their common denominator."""
        scale = mpz(1)
        union: Counter = Counter()
        for t in terms:
            scale = gmpy2.lcm(scale, t.scale)
            for f, mult in Counter(t.factors).items():
                union[f] = max(union[f], mult)
        factors = tuple(sorted(union.elements(), key=lambda n: n.ident))
        nums = []
        for t in terms:
            missing = tuple(sorted((union - Counter(t.factors)).elements(),
                                   key=lambda n: n.ident))
            num = self.c.mul(t.num, self.product_of(missing))
            nums.append(self.c.scale(int(scale // t.scale), num))
        return Scaled(self.c.add(nums), int(scale), factors)

    # ------------------------------------------------------------ activations
    def activate(self, act: Activation, v: Scaled) -> Scaled:
        c, n = self.c, v.num
        if act.kind == "identity":
            return v
        if act.kind == "relu":
            return Scaled(c.ite(c.ge0(n), n, c.const(0), max(n.lo, 0), max(n.hi, 0)),
                          v.scale, v.factors)
        if act.kind == "leaky_relu":
            u, w = int(act.slope.numerator), int(act.slope.denominator)
            ranges = []
            if n.hi >= 0:
                ranges += [w * max(n.lo, 0), w * n.hi]
            if n.lo < 0:
                ranges += [u * n.lo, u * min(n.hi, -1)]
            node = c.ite(c.ge0(n), c.scale(w, n), c.scale(u, n), min(ranges), max(ranges))
            return Scaled(node, v.scale * w, v.factors)
        if act.kind == "hardtanh":
            bound = c.scale(v.scale, self.product_of(v.factors))  # the value 1, scaled
            neg = c.scale(-1, bound)
            inner = c.ite(c.ge(neg, n), neg, n)
            node = c.ite(c.ge(n, bound), bound, inner, max(n.lo, -bound.hi),
                         min(n.hi, bound.hi))
            return Scaled(node, v.scale, v.factors)
        return self._polynomial(act, v)

    def _polynomial(self, act: Activation, v: Scaled) -> Scaled:
        c = self.c
        d = act.degree
        if d == 0:
            value = act.coeffs[0]
            return Scaled(c.const(value.numerator), int(value.denominator))
        big_b = lcm_of_denominators(act.coeffs)
        q = self.product_of(v.factors)
        terms = []
        for k in range(d + 1):
            ck = act.coeffs[k] if k < len(act.coeffs) else 0
            if ck == 0:
                continue
            coeff = int(ck * big_b) * v.scale ** (d - k)
            terms.append(c.scale(coeff, c.mul(self.power(v.num, k), self.power(q, d - k))))
        factors = tuple(sorted(v.factors * d, key=lambda n: n.ident))
        return Scaled(c.add(terms), int(big_b) * v.scale ** d, factors)

    # ------------------------------------------------------------ network
    def forward(self, x_row: tuple, feature_scales: list[int]) -> list[Scaled]:
        inst = self.inst
        h = [Scaled(self.c.const(int(x * s)), s) for x, s in zip(x_row, feature_scales)]
        for layer in range(1, inst.depth + 1):
            act = inst.activation if layer < inst.depth else inst.output_activation
            nxt = []
            for j in range(inst.layers[layer]):
                terms = [self.times(self.parameter(ParamRef(f"W{layer}", (j, i))), hi)
                         for i, hi in enumerate(h)]
                terms.append(self.parameter(ParamRef(f"b{layer}", (j,))))
                nxt.append(self.activate(act, self.total(terms)))
            h = nxt
        return h


def lower(instance: Instance, redundant_bounds: bool = True, strict: bool = False) -> Lowered:
    """The circuit whose assertions hold exactly when the decoded parameters have loss ≤ γ
    (``< γ`` with ``strict``; see the module docstring for the construction).
    ``redundant_bounds=False`` leaves out the implied per-error bounds (kept for measuring
    what they are worth)."""
    lw = _Lowerer(instance)
    lw.redundant_bounds = redundant_bounds
    lw.strict = strict
    for ref in instance.free_parameters():  # leaves in the canonical parameter order
        lw.parameter(ref)
    scales = [int(lcm_of_denominators(row[i] for row in instance.inputs))
              for i in range(instance.layers[0])]
    outputs = [lw.forward(x, scales) for x in instance.inputs]
    _assert_loss(lw, outputs)
    return Lowered(instance, lw.c, lw.params, outputs, lw.objective)


def _errors(lw: _Lowerer, outputs: list[list[Scaled]]):
    """Per output ``o``: the numerators ``E_so`` (list over samples), the static scale
    ``S_o * B_o`` and the factor list ``Q_o`` of the common error denominator."""
    inst, c = lw.inst, lw.c
    out = []
    for o in range(inst.layers[-1]):
        b_o = int(lcm_of_denominators(row[o] for row in inst.targets))
        nums = []
        for s, row in enumerate(outputs):
            f = row[o]
            y_int = int(inst.targets[s][o] * b_o)
            q = lw.product_of(f.factors)
            nums.append(c.sub(c.scale(b_o, f.num), c.scale(y_int * f.scale, q)))
        out.append((nums, outputs[0][o].scale * b_o, outputs[0][o].factors))
    return out


def _assert_loss(lw: _Lowerer, outputs: list[list[Scaled]]) -> None:
    inst, c = lw.inst, lw.c
    g1, g2 = int(inst.threshold.numerator), int(inst.threshold.denominator)
    m = inst.num_samples
    if inst.loss == "zero_one":
        wrong = [c.ge0(c.scale(-int(inst.targets[s][0]), row[0].num))
                 for s, row in enumerate(outputs)]
        lw.objective = Objective("zero_one", m, wrong=tuple(wrong))
        c.require(c.atmost(wrong, _limit(inst.threshold * m, lw.strict)))
        return
    per_output = _errors(lw, outputs)
    if inst.loss == "max_abs":
        lw.objective = Objective("max_abs", m, errors=tuple(
            (tuple(nums), int(scale), lw.product_of(factors))
            for nums, scale, factors in per_output))
        for nums, scale, factors in per_output:
            rhs = _less_one(c, c.scale(g1 * scale, lw.product_of(factors)), lw.strict)
            for e in nums:
                c.require(c.ge(rhs, c.scale(g2, e)))
                c.require(c.ge(rhs, c.scale(-g2, e)))
        return
    # squared / absolute: bring every output to the common denominator L * Q.
    big_l = mpz(1)
    union: Counter = Counter()
    for _, scale, factors in per_output:
        big_l = gmpy2.lcm(big_l, scale)
        for f, mult in Counter(factors).items():
            union[f] = max(union[f], mult)
    all_factors = tuple(sorted(union.elements(), key=lambda n: n.ident))
    q_all = lw.product_of(all_factors)
    big_l = int(big_l)
    if g1 < 0:
        c.require(c.false())
    terms = []
    for nums, scale, factors in per_output:
        missing = tuple(sorted((union - Counter(factors)).elements(), key=lambda n: n.ident))
        lift = lw.product_of(missing)
        for e in nums:
            terms.append(c.scale(big_l // scale, c.mul(e, lift)))
    if inst.loss == "squared":
        if lw.redundant_bounds and g1 >= 0:
            bound = int(gmpy2.isqrt(gmpy2.f_div(g1 * m * big_l ** 2 * q_all.hi ** 2, g2)))
            terms = [c.clamp(t, -bound, bound) for t in terms]
        squares = [c.mul(t, t) for t in terms]
        static, den = m * big_l ** 2, c.mul(q_all, q_all)
        total = c.add(squares)
    else:
        mags = []
        if lw.redundant_bounds and g1 >= 0:
            bound = int(gmpy2.f_div(g1 * m * big_l * q_all.hi, g2))
            terms = [c.clamp(t, -bound, bound) for t in terms]
        for t in terms:
            neg = c.scale(-1, t)
            mags.append(c.ite(c.ge0(t), t, neg, 0, max(t.hi, -t.lo)))
        static, den = m * big_l, q_all
        total = c.add(mags)
    lw.objective = Objective(inst.loss, m, total=total, static=static, den=den)
    if g1 >= 0:
        rhs = _less_one(c, c.scale(g1 * static, den), lw.strict)
        c.require(c.ge(rhs, c.scale(g2, total)))
