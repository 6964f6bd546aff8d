"""Peer baseline ``milp``: the circuit as a big-M mixed-integer linear program on HiGHS
(through ``scipy.optimize.milp``).

Model.  Every expression is an affine form over integer columns.  ADD, SCALE and CONST stay
affine forms (no column).  Columns: each leaf (bounds ``[lo, hi]``); each MUL factor's bits
and bit products, exactly as in :mod:`ermsolve.encodings.lia` (``x = a + Σ 2**i β_i``,
``t_i = β_i y`` pinned by ``c β <= t <= d β``, ``y - d (1 - β) <= t <= y - c (1 - β)``);
each ITE result ``z`` in the node's interval with ``|z - then| <= M1 (1 - c)`` and
``|z - else| <= M2 c``, the ``M`` taken from the intervals; and one 0/1 column per Boolean
node: GE0 ``g``: ``x >= lo (1 - g)``, ``x <= -1 + (hi + 1) g``; EQC through a second 0/1
column choosing the side of ``x != c``; ATMOST, AND, OR by their standard linear forms; NOT
as ``1 - b``.  Every big-M constant comes from the exact intervals, so with exact arithmetic
the program's integer points are exactly the circuit's solutions.

Trust.  HiGHS computes in floating point with tolerances (an optimum of 16 can come back as
15.999999), so nothing it says is a verdict by itself:

* *feasible*: the leaf columns are rounded to integers and the circuit is re-evaluated
  exactly (:meth:`ermsolve.circuit.Circuit.holds`); only a point that passes is reported sat
  (and :func:`ermsolve.solve` re-checks it once more with the forward pass); a point that
  fails is reported unknown (``reason`` says so);
* *infeasible*: solver ``highs`` reports **unknown** with reason
  ``infeasible-trusting-float``; solver ``highs-claim`` reports unsat labelled as HiGHS's
  floating-point claim (``extra["unsat_backing"]``), for comparisons only — the benchmark
  runner's cross-check then compares it with the exact encodings.

Limitations: coefficients beyond ``2**53`` cannot be represented exactly in a double; such
circuits are refused (:class:`~ermsolve.errors.UnsupportedError`).  Needs ``scipy``.
"""

from __future__ import annotations

import contextlib

from ..backends import RawOutcome, run_killable
from ..circuit import Circuit, Node
from ..errors import BackendUnavailableError, UnsupportedError
from ..lowering import Lowered
from ..result import Status

#: Largest magnitude a double holds exactly.
FLOAT_EXACT = 1 << 53


class _Form(dict):
    """An affine form ``{column: coefficient}`` plus ``const``."""

    def __init__(self, terms=(), const: int = 0):
        super().__init__(terms)
        self.const = const

    def plus(self, other: _Form, k: int = 1) -> _Form:
        out = _Form(self, self.const + k * other.const)
        for col, c in other.items():
            out[col] = out.get(col, 0) + k * c
        return out

    def times(self, k: int) -> _Form:
        return _Form({col: k * c for col, c in self.items()}, k * self.const)


class _Model:
    def __init__(self):
        self.lo: list[int] = []
        self.hi: list[int] = []
        self.rows: list[tuple[_Form, float, float]] = []
        self.form: dict[int, _Form] = {}
        self.leaves: dict[str, int] = {}
        self.meaning: list = []

    def column(self, lo: int, hi: int, meaning) -> _Form:
        """A new integer column in ``[lo, hi]``; ``meaning(values)`` is its intended value
        given the circuit's node values (used by :func:`check_point`)."""
        for v in (lo, hi):
            if abs(v) >= FLOAT_EXACT:
                raise UnsupportedError(f"milp: bound {v} is beyond exact doubles; use "
                                       "--encoding cnf or bv")
        self.lo.append(lo)
        self.hi.append(hi)
        self.meaning.append(meaning)
        return _Form({len(self.lo) - 1: 1})

    def binary(self, meaning) -> _Form:
        return self.column(0, 1, meaning)

    def row(self, form: _Form, lo: float, hi: float) -> None:
        """``lo <= form <= hi`` (the constant moved to the bounds)."""
        self.rows.append((form, lo - form.const, hi - form.const))

    def le(self, a: _Form, b: _Form) -> None:
        """``a <= b``."""
        self.row(a.plus(b, -1), -float("inf"), 0)

    def f(self, node: Node) -> _Form:
        return self.form[node.ident]


_ONE = _Form((), 1)


def _visit(m: _Model, n: Node, bits: dict) -> _Form:
    op = n.op
    if op == "VAR":
        col = m.column(n.lo, n.hi, lambda v: v[n.ident])
        m.leaves[n.name] = next(iter(col))
        return col
    if op == "CONST":
        return _Form((), n.value)
    if op == "ADD":
        out = _Form()
        for a in n.args:
            out = out.plus(m.f(a))
        return out
    if op == "SCALE":
        return m.f(n.args[0]).times(n.value)
    if op == "MUL":
        return _product(m, n, bits)
    if op == "ITE":
        c, a, b = (m.f(x) for x in n.args)
        _, ta, tb = n.args
        z = m.column(n.lo, n.hi, lambda v: v[n.ident])
        m1 = max(n.hi - ta.lo, ta.hi - n.lo)
        m2 = max(n.hi - tb.lo, tb.hi - n.lo)
        not_c = _ONE.plus(c, -1)
        m.le(z.plus(a, -1), not_c.times(m1))
        m.le(a.plus(z, -1), not_c.times(m1))
        m.le(z.plus(b, -1), c.times(m2))
        m.le(b.plus(z, -1), c.times(m2))
        return z
    if op == "CLAMP":
        x = m.f(n.args[0])
        m.row(x, n.lo, n.hi)
        return x
    return _boolean(m, n)


def _product(m: _Model, n: Node, bits: dict) -> _Form:
    x, y = n.args
    if y.hi - y.lo < x.hi - x.lo:
        x, y = y, x
    if x.ident not in bits:
        betas = [m.binary(lambda v, i=i: (v[x.ident] - x.lo) >> i & 1)
                 for i in range((x.hi - x.lo).bit_length())]
        weighted = _Form()
        for i, b in enumerate(betas):
            weighted = weighted.plus(b, 1 << i)
        m.row(m.f(x).plus(weighted, -1), x.lo, x.lo)
        m.row(weighted, 0, x.hi - x.lo)
        bits[x.ident] = betas
    ye = m.f(y)
    out = ye.times(x.lo)
    for i, beta in enumerate(bits[x.ident]):
        t = m.column(min(0, y.lo), max(0, y.hi),
                     lambda v, i=i: ((v[x.ident] - x.lo) >> i & 1) * v[y.ident])
        not_b = _ONE.plus(beta, -1)
        m.le(beta.times(y.lo), t)
        m.le(t, beta.times(y.hi))
        m.le(ye.plus(not_b.times(y.hi), -1), t)
        m.le(t, ye.plus(not_b.times(y.lo), -1))
        out = out.plus(t, 1 << i)
    return out


def _boolean(m: _Model, n: Node) -> _Form:
    op = n.op
    if op == "TRUE":
        return _Form((), 1)
    if op == "FALSE":
        return _Form((), 0)
    if op == "NOT":
        return _ONE.plus(m.f(n.args[0]), -1)
    g = m.binary(lambda v: int(bool(v[n.ident])))
    not_g = _ONE.plus(g, -1)
    if op == "GE0":
        x, a = m.f(n.args[0]), n.args[0]
        m.le(not_g.times(a.lo), x)                      # g = 1  =>  x >= 0
        m.le(x, _Form((), -1).plus(g.times(a.hi + 1)))  # g = 0  =>  x <= -1
    elif op == "EQC":
        x, a, c = m.f(n.args[0]), n.args[0], n.value
        big = max(a.hi - c, c - a.lo) + 1
        m.le(x.plus(_Form((), -c)), not_g.times(big))   # g = 1  =>  x = c
        m.le(_Form((), c).plus(x, -1), not_g.times(big))
        u = m.binary(lambda v: int(v[a.ident] > c))     # g = 0: u picks x > c or x < c
        m.le(_Form((), c + 1).plus(_ONE.plus(u, -1).times(big), -1).plus(g.times(big), -1), x)
        m.le(x, _Form((), c - 1).plus(u.times(big)).plus(g.times(big)))
    elif op == "ATMOST":
        total = _Form()
        for a in n.args:
            total = total.plus(m.f(a))
        k, size = n.value, len(n.args)
        m.le(total, _Form((), k).plus(not_g.times(size - k)))  # g = 1 => total <= k
        m.le(not_g.times(k + 1), total)                          # g = 0 => total >= k+1
    elif op == "AND":
        forms = [m.f(a) for a in n.args]
        total = _Form()
        for b in forms:
            m.le(g, b)
            total = total.plus(b)
        m.le(total.plus(_Form((), -(len(forms) - 1))), g)
    elif op == "OR":
        total = _Form()
        for a in n.args:
            m.le(m.f(a), g)
            total = total.plus(m.f(a))
        m.le(g, total)
    else:  # pragma: no cover - every op is handled above
        raise UnsupportedError(f"milp: no translation for {op}")
    return g


def build(circuit: Circuit) -> _Model:
    m = _Model()
    bits: dict = {}
    for node in circuit.nodes:
        m.form[node.ident] = _visit(m, node, bits)
    for a in circuit.assertions:
        m.row(m.f(a), 1, 1)
    for form, _, _ in m.rows:
        for c in form.values():
            if abs(c) >= FLOAT_EXACT:
                raise UnsupportedError(f"milp: coefficient {c} is beyond exact doubles")
    return m


def check_point(m: _Model, circuit: Circuit, leaf_values: dict[str, int]) -> bool:
    """Whether the intended completion of ``leaf_values`` satisfies every bound and row of
    ``m`` in exact integer arithmetic (the model's soundness, without HiGHS)."""
    val = circuit.evaluate(leaf_values)
    cols = [f(val) for f in m.meaning]
    if any(not lo <= x <= hi for x, lo, hi in zip(cols, m.lo, m.hi)):
        return False
    for form, lo, hi in m.rows:
        total = sum(c * cols[col] for col, c in form.items())
        if not lo <= total <= hi:
            return False
    return True


def preload(_solver: str) -> None:
    """Import numpy and scipy's HiGHS interface now (the benchmark runner calls this so that
    import time is not counted as solving time)."""
    with contextlib.suppress(ImportError):  # run_milp reports the missing package
        import scipy.optimize  # noqa: F401
        import scipy.sparse  # noqa: F401


def run_milp(lowered: Lowered, solver: str, timeout: float | None, **_options) -> RawOutcome:
    """Decide ``lowered`` with HiGHS (``highs``: infeasible → unknown; ``highs-claim``:
    infeasible → unsat labelled as HiGHS's floating-point claim).

    HiGHS inside ``scipy.optimize.milp`` does not react to SIGINT, so the solve runs in a
    forked child (:func:`~ermsolve.backends.run_killable`) that an interrupted parent kills,
    and that is killed shortly after ``timeout``."""
    return run_killable("HiGHS", _run_milp, (lowered, solver, timeout), timeout)


def _run_milp(lowered: Lowered, solver: str, timeout: float | None) -> RawOutcome:
    try:
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array
    except ImportError:  # pragma: no cover - depends on the environment
        raise BackendUnavailableError("encoding milp needs scipy (HiGHS): pip install "
                                      "scipy") from None
    m = build(lowered.circuit)
    ncols = len(m.lo)
    sizes = {"variables": ncols, "constraints": len(m.rows)}
    if ncols == 0:  # no column: every assertion was constant
        holds = lowered.circuit.holds({})
        return RawOutcome(Status.SAT if holds else Status.UNSAT, {} if holds else None, sizes)
    data, ri, ci = [], [], []
    lb, ub = [], []
    for r, (form, lo, hi) in enumerate(m.rows):
        for col, c in form.items():
            if c:
                ri.append(r)
                ci.append(col)
                data.append(float(c))
        lb.append(lo)
        ub.append(hi)
    options = {"disp": False, "presolve": True}
    if timeout is not None:
        options["time_limit"] = float(timeout)
    constraints = []
    if m.rows:
        a = coo_array((data, (ri, ci)), shape=(len(m.rows), ncols)).tocsr()
        constraints = [LinearConstraint(a, np.array(lb, float), np.array(ub, float))]
    res = milp(np.zeros(ncols), constraints=constraints, integrality=np.ones(ncols),
               bounds=Bounds(np.array(m.lo, float), np.array(m.hi, float)), options=options)
    if res.status == 0 and res.x is not None:
        values = {name: int(round(res.x[col])) for name, col in m.leaves.items()}
        if lowered.circuit.holds(values):
            return RawOutcome(Status.SAT, values, sizes)
        return RawOutcome(Status.UNKNOWN, None, sizes,
                          reason="HiGHS point failed the exact re-check")
    if res.status == 2:  # infeasible, in floating point
        if solver == "highs-claim":
            return RawOutcome(Status.UNSAT, None, sizes, extra={
                "unsat_backing": "HiGHS's floating-point infeasibility claim (not exact)"})
        return RawOutcome(Status.UNKNOWN, None, sizes, reason="infeasible-trusting-float")
    return RawOutcome(Status.UNKNOWN, None, sizes, reason=f"HiGHS: {res.message}")


run_milp.preload = preload
