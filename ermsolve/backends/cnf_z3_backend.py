"""Runner for the ``cnf-z3`` encoding: z3's bit-blasted CNF on the PySAT solvers.

The CNF comes from :func:`ermsolve.encodings.cnf_z3.encode_cnf_z3`; solving, timeouts and
proof logging are those of :func:`ermsolve.backends.pysat_backend.solve_cnf`.  For an unsat
answer with ``proof_path`` the proof record names the encoding ``cnf-z3`` and the SHA-256
of its DIMACS text, so a checker can rebuild the same CNF (with the same z3 version).
"""

from __future__ import annotations

import time

from ..encodings.cnf_z3 import encode_cnf_z3
from ..lowering import Lowered
from . import RawOutcome
from .pysat_backend import decide_encoded


def run_cnf_z3(lowered: Lowered, solver: str, timeout: float | None,
               proof_path: str | None = None, **_options) -> RawOutcome:
    """Encode ``lowered`` through z3's tactics and decide the CNF with PySAT ``solver``."""
    start = time.perf_counter()
    enc = encode_cnf_z3(lowered)
    return decide_encoded(enc, "cnf-z3", time.perf_counter() - start, solver, timeout,
                          proof_path, {"z3_version": enc.z3_version})
