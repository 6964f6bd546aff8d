"""The PySAT backends for the ``cnf`` encoding: every SAT solver bundled with python-sat.

:func:`solve_cnf` runs one solver on a CNF with a wall-clock limit that really stops it:

* solvers whose PySAT binding can be interrupted (Glucose, MapleSAT, MiniSat, MergeSat,
  ...) run ``solve_limited(expect_interrupt=True)`` with a :class:`threading.Timer` that
  calls ``interrupt()``;
* the others (CaDiCaL, Kissat and Lingeling refuse ``interrupt()`` in PySAT) run in a
  forked child process that is terminated at the deadline.

Either way a timeout answers :attr:`Status.UNKNOWN`.  With ``proof_path`` the solver logs
a DRUP/DRAT proof, written atomically to that file for an unsat answer.  Which solvers log
proofs that check was measured (``tests/test_proofs.py``, ``benchmarks/proofs.md``):
Kissat, MiniSat, Minicard and MergeSat do not log proofs through PySAT; MapleSAT's proofs
do not check (their variables were seen shifted by one), so it is not in
:data:`PROOF_SOLVERS`.
"""

from __future__ import annotations

import multiprocessing
import threading
import time

from pysat.solvers import Solver

from ..errors import UnsupportedError
from ..fileio import atomic_write_text
from ..lowering import Lowered
from ..result import Status
from . import RawOutcome

#: Every python-sat solver that works in this build (measured; ``cryptosat`` and
#: ``minisatgh`` are named by PySAT but not built into this wheel).
PYSAT_SOLVERS = ("cadical195", "cadical103", "cadical153", "cadical300", "ergo", "gluecard3",
                 "gluecard4", "glucose3", "glucose4", "glucose42", "kissat404", "lingeling",
                 "maplechrono", "maplecm", "maplesat", "mergesat3", "minicard", "minisat22",
                 "minisatep")

#: Solvers whose logged proofs check with the ``drup`` checker (measured).
PROOF_SOLVERS = ("cadical195", "cadical103", "cadical153", "cadical300", "ergo", "gluecard3",
                 "gluecard4", "glucose3", "glucose4", "glucose42", "lingeling", "maplechrono",
                 "maplecm")

#: Solvers whose PySAT binding refuses ``interrupt()``; they run in a child process.
_NOT_INTERRUPTIBLE = frozenset({"cadical103", "cadical153", "cadical195", "cadical300",
                                "kissat404", "lingeling"})

#: Proof format each proof solver writes (DRAT where the solver may add RAT lemmas).
PROOF_FORMAT = {name: ("drat" if name.startswith(("cadical", "lingeling")) else "drup")
                for name in PROOF_SOLVERS}


def _check_name(solver_name: str, proof: bool) -> None:
    if solver_name not in PYSAT_SOLVERS:
        raise UnsupportedError(f"unknown PySAT solver {solver_name!r}; available: "
                               f"{', '.join(PYSAT_SOLVERS)}")
    if proof and solver_name not in PROOF_SOLVERS:
        raise UnsupportedError(f"{solver_name} cannot log a checkable proof; use one of "
                               f"{', '.join(PROOF_SOLVERS)}")


def _run(clauses, solver_name: str, with_proof: bool, limited: bool):
    """Solve in this process: ``(answer, model, proof lines)``; answer None if
    interrupted."""
    kwargs = {"with_proof": True} if with_proof else {}
    with Solver(name=solver_name, bootstrap_with=clauses, **kwargs) as s:
        answer = s.solve_limited(expect_interrupt=True) if limited else s.solve()
        model = s.get_model() if answer else None
        proof = s.get_proof() if with_proof and answer is False else None
        return answer, model, proof


def _child(conn, clauses, solver_name: str, with_proof: bool) -> None:
    try:
        conn.send(("ok", _run(clauses, solver_name, with_proof, False)))
    except BaseException as exc:  # reported to the parent, which raises
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _solve_in_child(clauses, solver_name: str, timeout: float, with_proof: bool):
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, clauses, solver_name, with_proof),
                       daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            return None, None, None
        kind, payload = parent.recv()
    except EOFError:
        kind, payload = "error", f"the {solver_name} process died (exit {proc.exitcode})"
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()
        parent.close()
    if kind == "error":
        raise RuntimeError(payload)
    return payload


def _solve_with_timer(clauses, solver_name: str, timeout: float, with_proof: bool):
    kwargs = {"with_proof": True} if with_proof else {}
    with Solver(name=solver_name, bootstrap_with=clauses, **kwargs) as s:
        timer = threading.Timer(timeout, s.interrupt)
        timer.start()
        try:
            answer = s.solve_limited(expect_interrupt=True)
        finally:
            timer.cancel()
        model = s.get_model() if answer else None
        proof = s.get_proof() if with_proof and answer is False else None
        return answer, model, proof


def solve_cnf(cnf, solver_name: str, timeout: float | None = None,
              proof_path: str | None = None) -> tuple[Status, list[int] | None, dict]:
    """Decide ``cnf`` (a ``pysat.formula.CNF``) with ``solver_name``.

    Returns ``(status, model, info)``: ``model`` the solver's literals for SAT; ``info``
    has ``seconds`` and, for UNSAT with ``proof_path``, ``proof_lines`` and ``format``.
    """
    _check_name(solver_name, proof_path is not None)
    with_proof = proof_path is not None
    start = time.perf_counter()
    clauses = cnf.clauses
    if timeout is None:
        answer, model, proof = _run(clauses, solver_name, with_proof, False)
    elif solver_name in _NOT_INTERRUPTIBLE:
        answer, model, proof = _solve_in_child(clauses, solver_name, timeout, with_proof)
    else:
        answer, model, proof = _solve_with_timer(clauses, solver_name, timeout, with_proof)
    info: dict = {"seconds": time.perf_counter() - start}
    if answer is None:
        return Status.UNKNOWN, None, {**info, "reason": f"timeout after {timeout} s"}
    if answer:
        return Status.SAT, model, info
    if with_proof:
        lines = list(proof or [])
        text = "\n".join(line.strip() for line in lines) + ("\n" if lines else "")
        atomic_write_text(proof_path, text)
        info.update(proof_lines=len(lines), format=PROOF_FORMAT[solver_name])
    return Status.UNSAT, None, info


def run_cnf(lowered: Lowered, solver: str, timeout: float | None,
            proof_path: str | None = None, **_options) -> RawOutcome:
    """Registry runner: encode ``lowered`` as CNF and decide it with PySAT ``solver``."""
    from pathlib import Path

    from ..encodings.cnf import encode_cnf

    _check_name(solver, proof_path is not None)
    start = time.perf_counter()
    enc = encode_cnf(lowered)
    encode_seconds = time.perf_counter() - start
    sizes = {"variables": enc.num_variables, "clauses": enc.num_clauses,
             "parameter_variables": len(enc.parameter_variables())}
    status, model, info = solve_cnf(enc.cnf, solver, timeout, proof_path)
    extra = {"encode_seconds": encode_seconds, "solve_seconds": info["seconds"],
             "cardinality": enc.cardinality}
    if status is Status.SAT:
        return RawOutcome(status, enc.decode(model), sizes, extra)
    if status is Status.UNSAT and proof_path is not None:
        extra["proof"] = {"encoding": "cnf", "cnf_sha256": enc.sha256(),
                          "cardinality": enc.cardinality, "file": Path(proof_path).name,
                          "format": info["format"], "solver": solver}
    return RawOutcome(status, None, sizes, extra, reason=info.get("reason", ""))
