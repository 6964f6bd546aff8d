"""Dispatch for the ``bv`` encoding: one runner per solver name, each imported on first use
(so a missing optional package only matters when its solver is asked for)."""

from __future__ import annotations

import importlib

from ..lowering import Lowered
from . import RawOutcome

#: Solver name → "module:function" of its runner (relative to this package).
RUNNERS = {
    "z3": ".z3_backend:run_z3",
    "z3-smt": ".z3_backend:run_z3",
    "bitwuzla": ".bitwuzla_backend:run_bitwuzla",
    "cvc5": ".cvc5_backend:run_cvc5",
}


def run_bv(lowered: Lowered, solver: str, timeout: float | None, **options) -> RawOutcome:
    """Run the ``bv`` formula of ``lowered`` on ``solver`` (a key of :data:`RUNNERS`)."""
    module, func = RUNNERS[solver].split(":")
    runner = getattr(importlib.import_module(module, __package__), func)
    return runner(lowered, solver, timeout, **options)
