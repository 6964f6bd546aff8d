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


def _runner(solver: str):
    module, func = RUNNERS[solver].split(":")
    return getattr(importlib.import_module(module, __package__), func)


def run_bv(lowered: Lowered, solver: str, timeout: float | None, **options) -> RawOutcome:
    """Run the ``bv`` formula of ``lowered`` on ``solver`` (a key of :data:`RUNNERS`)."""
    return _runner(solver)(lowered, solver, timeout, **options)


def preload(solver: str) -> None:
    """Import ``solver``'s backend and its package now (the benchmark runner calls this so
    that import time is not counted as solving time)."""
    runner = _runner(solver)
    loader = getattr(importlib.import_module(runner.__module__), "_import", None)
    if loader is not None:
        loader()


run_bv.preload = preload
