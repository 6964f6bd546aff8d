"""``--encoding auto``: a schedule of (encoding, solver) choices picked from instance
features, run one after another on the same lowered circuit.

Features read from the instance and its circuit: the number of grid points (``|domain| **
free parameters``), the widest integer the circuit needs (``max_width``) and, through it,
whether a 64-bit integer model is possible, and the activation class.  The schedule
(:func:`schedule`):

1. a grid of at most :data:`TINY_GRID` points: ``brute-vec`` (exhaustive, exact, and faster
   than building any formula), then the general schedule;
2. circuits whose magnitudes fit 64-bit integers (``max_width <= 62``), when OR-Tools is
   installed: ``cpsat`` first — on the benchmark suite it was the fastest configuration on
   most piecewise-linear instances (``benchmarks/RESULTS.md``);
3. then ``bv`` on Bitwuzla (when installed) and ``cnf`` on CaDiCaL 1.9.5, which were the
   next best and cover wide (polynomial) circuits that CP-SAT refuses.

Each step but the last gets a share of the remaining time (:data:`SHARE`), the last gets all
that is left; a step that answers unknown early, refuses the instance or is not installed
hands over at once.  Without a timeout the first steps get :data:`UNTIMED_SLICE` seconds
each.  The answer is that of the first step that decides; ``extra["auto"]`` names it.

Trust: a sat answer is re-checked exactly by :func:`ermsolve.solve` as always; an unsat
answer carries the ``extra`` of the step that gave it (CP-SAT's unsat is its own claim, with
no checkable proof).  Use ``--encoding cnf --proof`` when a certified unsat is needed.

Limitations: the rules were fitted on the committed suite (small networks); they are a
heuristic, not a guarantee of picking the fastest configuration.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import time

from .backends import RawOutcome
from .errors import BackendUnavailableError, UnsupportedError
from .lowering import Lowered
from .registry import get_encoding
from .result import Status

log = logging.getLogger(__name__)

#: Grids up to this many points are enumerated first.
TINY_GRID = 1 << 15
#: Fraction of the remaining time given to each step but the last.
SHARE = 0.7
#: Seconds per non-final step when no timeout is given.
UNTIMED_SLICE = 60.0
#: Widest circuit integer a CP-SAT model may hold (its variables are 64-bit).
CPSAT_WIDTH = 62


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def features(lowered: Lowered) -> dict:
    """The instance features the schedule depends on."""
    inst, circuit = lowered.instance, lowered.circuit
    points = 1
    for leaf in circuit.leaves:
        points *= leaf.hi - leaf.lo + 1
    return {"grid_points": points, "max_width": circuit.max_width(),
            "piecewise_linear": inst.activation.is_piecewise_linear
            and inst.output_activation.is_piecewise_linear,
            "loss": inst.loss, "free_parameters": len(circuit.leaves)}


def schedule(lowered: Lowered) -> list[tuple[str, str]]:
    """The (encoding, solver) steps for ``lowered`` (see the module docstring)."""
    f = features(lowered)
    steps = []
    if f["grid_points"] <= TINY_GRID:
        steps.append(("brute-vec", "numpy"))
    if f["max_width"] <= CPSAT_WIDTH and _installed("ortools"):
        steps.append(("cpsat", "cp-sat"))
    if _installed("bitwuzla"):
        steps.append(("bv", "bitwuzla"))
    steps.append(("cnf", "cadical195"))
    return steps


def preload(_solver: str = "auto") -> None:
    """Import every step's backend now (the benchmark runner calls this so that import time
    is not counted as solving time)."""
    for enc, slv in (("brute-vec", "numpy"), ("cpsat", "cp-sat"), ("bv", "bitwuzla"),
                     ("cnf", "cadical195")):
        with contextlib.suppress(ImportError, BackendUnavailableError, UnsupportedError):
            runner = get_encoding(enc).load_runner()
            getattr(runner, "preload", lambda _s: None)(slv)


def run_auto(lowered: Lowered, solver: str, timeout: float | None, **_options) -> RawOutcome:
    """Run the schedule; the first decided answer wins (``solver`` is ``auto``)."""
    steps = schedule(lowered)
    deadline = None if timeout is None else time.monotonic() + timeout
    tried = []
    last = RawOutcome(Status.UNKNOWN, reason="no step ran")
    for k, (enc, slv) in enumerate(steps):
        final = k == len(steps) - 1
        if deadline is None:
            budget = None if final else UNTIMED_SLICE
        else:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            budget = left if final else max(0.5, SHARE * left)
        tried.append(f"{enc}:{slv}")
        try:
            raw = get_encoding(enc).load_runner()(lowered, slv, budget)
        except (UnsupportedError, BackendUnavailableError, ImportError) as exc:
            log.info("auto: %s:%s skipped: %s", enc, slv, exc)
            continue
        if raw.status is not Status.UNKNOWN:
            raw.extra = {**raw.extra, "auto": f"{enc}:{slv}", "auto_tried": tried}
            return raw
        last = raw
    last.extra = {**last.extra, "auto_tried": tried}
    return last


run_auto.preload = preload
