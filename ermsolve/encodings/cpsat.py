"""Peer baseline ``cpsat``: the circuit as an OR-Tools CP-SAT integer model.

Every non-constant integer node is an integer variable with the node's interval as its
domain; the leaves carry their ranges, so those are asserted by the domains themselves.

* ADD, SCALE: a linear equality ``z = Σ args`` / ``z = c x``;
* MUL: ``AddMultiplicationEquality(z, [x, y])`` (CP-SAT's own exact integer product);
* ITE: ``z = then`` enforced if the condition literal holds, ``z = else`` if it does not;
* CLAMP: the bound ``lo <= x <= hi`` on the argument's variable;
* GE0, EQC, ATMOST, AND, OR: a Boolean variable ``b`` with the constraint enforced by ``b``
  and its negation enforced by ``not b`` (full reification), NOT a negated literal;
* assertions: their literals are required true.

CP-SAT works on 64-bit integers; a circuit whose intervals leave the range that CP-SAT accepts
(``|v| < 2**62`` here, to keep its internal sums exact) is refused with
:class:`~ermsolve.errors.UnsupportedError`.  Solver ``cp-sat`` runs one search worker (the
benchmarks share two cores; ``cp-sat-2`` uses two workers).

Trust: a sat answer is re-checked by the exact forward pass like every other answer.  An unsat
answer rests on CP-SAT's own integer reasoning (presolve, propagation, linear relaxation);
CP-SAT can log its search but that log is no independently checkable proof, so an unsat answer
from here is **no certificate** — it is the peer's claim.

Limitations: needs the optional package ``ortools`` (``pip install ermsolve[peers]``).
"""

from __future__ import annotations

from ..backends import RawOutcome, run_killable
from ..circuit import Circuit, Node
from ..errors import BackendUnavailableError, UnsupportedError
from ..lowering import Lowered
from ..result import Status

#: Largest magnitude of a node's interval accepted into a CP-SAT model.
CPSAT_LIMIT = 1 << 62


try:  # imported with this module (which only the cpsat registry entry loads)
    from ortools.sat.python import cp_model as _CP_MODEL
except ImportError:  # pragma: no cover - depends on the environment
    _CP_MODEL = None


def _cp_model():
    if _CP_MODEL is None:  # pragma: no cover - depends on the environment
        raise BackendUnavailableError("encoding cpsat needs OR-Tools: pip install "
                                      "'ermsolve[peers]' (or pip install ortools)")
    return _CP_MODEL


class _Builder:
    def __init__(self, cp_model):
        self.cp = cp_model
        self.model = cp_model.CpModel()
        self.expr: dict[int, object] = {}
        self.leaves: dict[str, object] = {}

    def visit(self, n: Node) -> None:
        getattr(self, "_" + n.op.lower())(n)

    def int_var(self, n: Node, name: str = ""):
        if max(abs(n.lo), abs(n.hi)) >= CPSAT_LIMIT:
            raise UnsupportedError(f"cpsat: node {n} exceeds CP-SAT's 64-bit range; use "
                                   "--encoding bv or cnf")
        return self.model.NewIntVar(n.lo, n.hi, name or f"n{n.ident}")

    def bool_var(self, n: Node):
        return self.model.NewBoolVar(f"b{n.ident}")

    def reify(self, n: Node, holds, fails) -> None:
        """``b <=> holds``; ``fails`` is the negated constraint (a builder callable)."""
        b = self.bool_var(n)
        holds().OnlyEnforceIf(b)
        fails().OnlyEnforceIf(b.Not())
        self.expr[n.ident] = b

    def e(self, node: Node):
        return self.expr[node.ident]

    def _var(self, n: Node) -> None:
        v = self.int_var(n, n.name)
        self.leaves[n.name] = v
        self.expr[n.ident] = v

    def _const(self, n: Node) -> None:
        self.expr[n.ident] = n.value

    def _add(self, n: Node) -> None:
        z = self.int_var(n)
        self.model.Add(z == sum(self.e(a) for a in n.args))
        self.expr[n.ident] = z

    def _scale(self, n: Node) -> None:
        z = self.int_var(n)
        self.model.Add(z == n.value * self.e(n.args[0]))
        self.expr[n.ident] = z

    def _mul(self, n: Node) -> None:
        z = self.int_var(n)
        self.model.AddMultiplicationEquality(z, [self.e(a) for a in n.args])
        self.expr[n.ident] = z

    def _ite(self, n: Node) -> None:
        cond, a, b = (self.e(m) for m in n.args)
        z = self.int_var(n)
        self.model.Add(z == a).OnlyEnforceIf(cond)
        self.model.Add(z == b).OnlyEnforceIf(cond.Not())
        self.expr[n.ident] = z

    def _clamp(self, n: Node) -> None:
        x = self.e(n.args[0])
        self.model.AddLinearConstraint(x, n.lo, n.hi)
        self.expr[n.ident] = x

    def _ge0(self, n: Node) -> None:
        x = self.e(n.args[0])
        self.reify(n, lambda: self.model.Add(x >= 0), lambda: self.model.Add(x <= -1))

    def _eqc(self, n: Node) -> None:
        x = self.e(n.args[0])
        self.reify(n, lambda: self.model.Add(x == n.value),
                   lambda: self.model.Add(x != n.value))

    def _atmost(self, n: Node) -> None:
        total = sum(self.e(a) for a in n.args)
        self.reify(n, lambda: self.model.Add(total <= n.value),
                   lambda: self.model.Add(total >= n.value + 1))

    def _and(self, n: Node) -> None:
        lits = [self.e(a) for a in n.args]
        self.reify(n, lambda: self.model.AddBoolAnd(lits),
                   lambda: self.model.AddBoolOr([x.Not() for x in lits]))

    def _or(self, n: Node) -> None:
        lits = [self.e(a) for a in n.args]
        self.reify(n, lambda: self.model.AddBoolOr(lits),
                   lambda: self.model.AddBoolAnd([x.Not() for x in lits]))

    def _not(self, n: Node) -> None:
        self.expr[n.ident] = self.e(n.args[0]).Not()

    def _true(self, n: Node) -> None:
        b = self.bool_var(n)
        self.model.Add(b == 1)
        self.expr[n.ident] = b

    def _false(self, n: Node) -> None:
        b = self.bool_var(n)
        self.model.Add(b == 0)
        self.expr[n.ident] = b


def build_model(circuit: Circuit):
    """``(cp_model module, CpModel, leaf variables by name)`` for ``circuit``."""
    cp_model = _cp_model()
    b = _Builder(cp_model)
    for node in circuit.nodes:
        b.visit(node)
    for a in circuit.assertions:
        b.model.AddBoolAnd([b.e(a)])
    return cp_model, b.model, b.leaves


def run_cpsat(lowered: Lowered, solver: str, timeout: float | None, **_options) -> RawOutcome:
    """Decide ``lowered`` with CP-SAT (``cp-sat``: one worker, ``cp-sat-2``: two).

    CP-SAT would catch SIGINT itself and answer unknown, which would read as an answer; the
    solve runs in a forked child (:func:`~ermsolve.backends.run_killable`) with that catch
    off, and Ctrl-C reaches this process, which kills the child."""
    _cp_model()  # fail here, with the install hint, rather than in the child
    return run_killable("CP-SAT", _solve, (lowered, solver, timeout), timeout)


def _solve(lowered: Lowered, solver: str, timeout: float | None) -> RawOutcome:
    cp_model, model, leaves = build_model(lowered.circuit)
    cp = cp_model.CpSolver()
    cp.parameters.catch_sigint_signal = False
    cp.parameters.num_workers = 2 if solver == "cp-sat-2" else 1
    if timeout is not None:
        cp.parameters.max_time_in_seconds = float(timeout)
    proto = model.Proto()
    sizes = {"variables": len(proto.variables), "constraints": len(proto.constraints)}
    status = cp.Solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = {name: int(cp.Value(v)) for name, v in leaves.items()}
        return RawOutcome(Status.SAT, values, sizes)
    if status == cp_model.INFEASIBLE:
        return RawOutcome(Status.UNSAT, None, sizes,
                          extra={"unsat_backing": "CP-SAT's claim (no checkable proof)"})
    if status == cp_model.MODEL_INVALID:
        raise UnsupportedError(f"cpsat: CP-SAT rejected the model: {model.Validate()}")
    return RawOutcome(Status.UNKNOWN, None, sizes, reason=cp.StatusName(status))
