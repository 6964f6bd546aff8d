"""``solve``: lower an instance, run an encoding on a solver, re-check the answer."""

from __future__ import annotations

import time

from .backends import RawOutcome, run_killable
from .errors import ErmsolveError, UnsupportedError
from .instance import Instance
from .limits import Limits, lower_checked
from .network import assemble, loss
from .registry import ENCODINGS, get_encoding, resolve_solver
from .result import SolveResult, Status

#: What a backend reports as its reason for unknown after catching SIGINT itself (z3).
INTERRUPTED_REASONS = ("interrupted from keyboard",)


def _run_guarded(runner, args: tuple, options: dict) -> RawOutcome:
    try:
        return runner(*args, **options)
    except MemoryError:
        return RawOutcome(Status.UNKNOWN, reason="out of memory (see --memory-limit)")


class WrongAnswerError(ErmsolveError, RuntimeError):
    """A backend claimed sat with parameters whose exact loss exceeds γ (an encoding or
    solver bug; never silently ignored)."""


def solve(instance: Instance, encoding: str = "bv", solver: str | None = None,
          timeout: float | None = None, proof_path: str | None = None,
          strict: bool = False, limits: Limits | None = None) -> SolveResult:
    """Decide whether some assignment in the domain has loss ≤ γ (``< γ`` with ``strict``,
    see :func:`ermsolve.lowering.lower`).

    A sat answer is decoded and its loss recomputed by the exact forward pass
    (:mod:`ermsolve.network`); a mismatch raises :class:`WrongAnswerError`.  An unsat answer
    is the backend's word unless the result carries a proof (see ``extra``): with
    ``proof_path``, an encoding that supports proofs writes an unsat proof there.
    """
    entry = get_encoding(encoding)
    solver = resolve_solver(entry, solver)
    start = time.perf_counter()
    lowered = lower_checked(instance, limits, strict=strict)  # size guard before and after
    if proof_path is not None and solver not in entry.proofs:
        raise UnsupportedError(f"{encoding}/{solver} cannot log a checkable proof; proofs "
                               f"need one of: {_proof_choices()}")
    options = {"proof_path": proof_path} if proof_path is not None else {}
    try:
        # The limit covers lowering too: the backend gets what is left of it.
        left = None if timeout is None else max(timeout - (time.perf_counter() - start), 1e-3)
        runner = entry.load_runner()
        if left is None:
            raw = runner(lowered, solver, left, **options)
        else:
            # Backends stop themselves at their timeout, but building a formula (bit-blasting,
            # tactic pipelines) is not interruptible inside most of them: a killable child
            # makes --timeout a wall-clock limit for the whole run (unless this process is
            # already killed at it, as a benchmark run is).
            raw = run_killable("backend", _run_guarded, (runner, (lowered, solver, left),
                                                         options), left)
    except MemoryError:
        # Under --memory-limit (RLIMIT_AS) an allocation failure is an answer, not a crash.
        raw = RawOutcome(Status.UNKNOWN, reason="out of memory (see --memory-limit)")
    if raw.status is Status.UNKNOWN and raw.reason in INTERRUPTED_REASONS:
        # z3 catches Ctrl-C itself and answers unknown; it is an interrupt, not an answer.
        raise KeyboardInterrupt
    seconds = time.perf_counter() - start
    sizes = {"circuit_nodes": len(lowered.circuit.nodes),
             "max_width": lowered.circuit.max_width(), **raw.sizes}
    result = SolveResult(raw.status, encoding, solver, seconds, sizes=sizes, extra=raw.extra,
                         reason=raw.reason)
    if raw.status is Status.SAT:
        free = lowered.decode(raw.leaf_values)
        params = assemble(instance, free)
        value = loss(instance, params)
        if value > instance.threshold or (strict and value == instance.threshold):
            raise WrongAnswerError(f"{encoding}/{solver} answered sat with parameters of loss "
                                   f"{value} {'>=' if strict else '>'} threshold "
                                   f"{instance.threshold}")
        result.parameters, result.loss = params, value
    return result


def _proof_choices() -> str:
    pairs = [f"--encoding {e.name} --solver {s}" for e in ENCODINGS.values() for s in e.proofs]
    return "; ".join(pairs) or "(no proof-logging backend is installed)"
