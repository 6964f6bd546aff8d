"""Runner for the ``cnf-z3`` encoding: z3's bit-blasted CNF on the PySAT solvers.

The CNF comes from :func:`ermsolve.encodings.cnf_z3.encode_cnf_z3`; solving, timeouts and
proof logging are those of :func:`ermsolve.backends.pysat_backend.solve_cnf`.  For an unsat
answer with ``proof_path`` the proof record names the encoding ``cnf-z3`` and the SHA-256
of its DIMACS text, so a checker can rebuild the same CNF (with the same z3 version).
"""

from __future__ import annotations

import time
from pathlib import Path

from ..encodings.cnf_z3 import encode_cnf_z3
from ..lowering import Lowered
from ..proofs import core_to_text
from ..result import Status
from . import RawOutcome
from .pysat_backend import solve_cnf


def run_cnf_z3(lowered: Lowered, solver: str, timeout: float | None,
               proof_path: str | None = None, **_options) -> RawOutcome:
    """Encode ``lowered`` through z3's tactics and decide the CNF with PySAT ``solver``."""
    start = time.perf_counter()
    enc = encode_cnf_z3(lowered)
    encode_seconds = time.perf_counter() - start
    sizes = {"variables": enc.num_variables, "clauses": enc.num_clauses,
             "parameter_variables": len(enc.parameter_variables())}
    status, model, info = solve_cnf(enc.cnf, solver, timeout, proof_path)
    extra = {"encode_seconds": encode_seconds, "solve_seconds": info["seconds"],
             "z3_version": enc.z3_version}
    if status is Status.SAT:
        return RawOutcome(status, enc.decode(model), sizes, extra)
    if status is Status.UNSAT and proof_path is not None:
        extra["proof"] = {"encoding": "cnf-z3", "cnf_sha256": enc.sha256(),
                          "z3_version": enc.z3_version, "file": Path(proof_path).name,
                          "format": info["format"], "solver": solver,
                          "core": core_to_text(info["core"])}
    return RawOutcome(status, None, sizes, extra, reason=info.get("reason", ""))
