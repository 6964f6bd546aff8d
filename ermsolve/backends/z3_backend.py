"""The z3 backend for the ``bv`` encoding.

How z3 is run matters more than anything else here.  Two modes:

* ``z3`` (default): the tactic pipeline ``simplify → propagate-values → solve-eqs →
  bit-blast → sat`` for piecewise-linear instances, whose widths are narrow, and z3's own
  QF_BV solver for polynomial activations, whose wide multipliers it handles better
  (measured in ``benchmarks/z3_tactics.md``);
* ``z3-smt``: always z3's default QF_BV solver (kept for comparison).

``timeout`` (seconds) is z3's own soft timeout; z3 then answers unknown.
"""

from __future__ import annotations

import z3

from ..encodings.bv import encode_bv
from ..lowering import Lowered
from ..result import Status
from . import RawOutcome

MODES = ("z3", "z3-smt")


def _solver(mode: str, polynomial: bool, ctx: z3.Context) -> z3.Solver:
    if mode == "z3-smt" or polynomial:
        return z3.SolverFor("QF_BV", ctx=ctx)
    pipeline = z3.Then(z3.Tactic("simplify", ctx), z3.Tactic("propagate-values", ctx),
                       z3.Tactic("solve-eqs", ctx), z3.Tactic("bit-blast", ctx),
                       z3.Tactic("sat", ctx), ctx=ctx)
    return pipeline.solver()


def run_z3(lowered: Lowered, solver: str, timeout: float | None, **_options) -> RawOutcome:
    """Decide the ``bv`` formula of ``lowered`` with z3 in mode ``solver``."""
    ctx = z3.Context()
    formula = encode_bv(lowered.circuit, ctx)
    inst = lowered.instance
    polynomial = not (inst.activation.is_piecewise_linear
                      and inst.output_activation.is_piecewise_linear)
    s = _solver(solver, polynomial, ctx)
    if timeout is not None:
        s.set("timeout", max(1, int(timeout * 1000)))
    s.add(formula.assertions)
    sizes = {"assertions": len(formula.assertions), "max_width": formula.max_width,
             "leaves": len(formula.leaves)}
    return check_z3(s, formula, sizes)


def check_z3(s: z3.Solver, formula, sizes: dict) -> RawOutcome:
    """Run ``s.check()`` and report it; ``formula.leaf_values(model)`` decodes a model."""
    answer = s.check()
    if answer == z3.sat:
        return RawOutcome(Status.SAT, formula.leaf_values(s.model()), sizes)
    if answer == z3.unsat:
        return RawOutcome(Status.UNSAT, None, sizes)
    return RawOutcome(Status.UNKNOWN, None, sizes, reason=s.reason_unknown())
