"""The z3 backend for the integer encodings ``lia`` (QF_LIA) and ``nia`` (QF_NIA).

``timeout`` (seconds) is z3's own soft timeout; z3 then answers unknown.
"""

from __future__ import annotations

import z3

from ..encodings.lia import IntFormula, encode_lia
from ..encodings.nia import encode_nia
from ..lowering import Lowered
from . import RawOutcome
from .z3_backend import check_z3


def _run(formula: IntFormula, logic: str, ctx: z3.Context, timeout: float | None
         ) -> RawOutcome:
    s = z3.SolverFor(logic, ctx=ctx)
    if timeout is not None:
        s.set("timeout", max(1, int(timeout * 1000)))
    s.add(formula.assertions)
    sizes = dict(formula.sizes, leaves=len(formula.leaves))
    return check_z3(s, formula, sizes)


def run_lia(lowered: Lowered, solver: str, timeout: float | None, **_options) -> RawOutcome:
    """Decide the ``lia`` formula of ``lowered`` with z3's QF_LIA solver; ``solver`` is
    ``z3`` (bit products as ``If``) or ``z3-bigm`` (bit products as big-M inequalities)."""
    ctx = z3.Context()
    formula = encode_lia(lowered.circuit, ctx, big_m=solver == "z3-bigm")
    return _run(formula, "QF_LIA", ctx, timeout)


def run_nia(lowered: Lowered, solver: str, timeout: float | None, **_options) -> RawOutcome:
    """Decide the ``nia`` formula of ``lowered`` with z3's QF_NIA solver."""
    ctx = z3.Context()
    return _run(encode_nia(lowered.circuit, ctx), "QF_NIA", ctx, timeout)
