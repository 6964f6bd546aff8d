"""The PySAT backends for the ``cnf`` encoding: every SAT solver bundled with python-sat.

:func:`solve_cnf` runs one solver on a CNF with a wall-clock limit that really stops it:

* solvers whose PySAT binding can be interrupted (Glucose, MapleSAT, MiniSat, MergeSat,
  ...) run ``solve_limited(expect_interrupt=True)`` with a :class:`threading.Timer` that
  calls ``interrupt()``;
* the others (CaDiCaL, Kissat and Lingeling refuse ``interrupt()`` in PySAT) run in a
  forked child process that is terminated at the deadline
  (:func:`ermsolve.watchdog.call_in_child`), unless this process is already killed at that
  very deadline (a benchmark run, :mod:`ermsolve.bench`).

Either way a timeout answers :attr:`Status.UNKNOWN`.  With ``proof_path`` the solver logs
a DRUP/DRAT proof, written atomically to that file for an unsat answer.  The proof refutes
an unsat core of the CNF (``info["core"]``, clause indices; see :class:`_Job` and
:mod:`ermsolve.proofs`): a refutation of a subset of the clauses is a refutation of the
whole CNF, and it is far cheaper to check.  A checker that ignores the core still accepts
a RUP-only proof against the whole CNF (RUP is monotone in the clause set).  Which solvers log
proofs that check was measured (``tests/test_proofs.py``, ``benchmarks/proofs.md``):
Kissat, MiniSat, Minicard and MergeSat do not log proofs through PySAT; MapleSAT's proofs
do not check (their variables were seen shifted by one), so it is not in
:data:`PROOF_SOLVERS`.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from pysat.solvers import Solver

from ..encodings.cnf import encode_cnf
from ..errors import UnsupportedError
from ..fileio import atomic_write_text
from ..lowering import Lowered
from ..proofs import core_to_text
from ..result import Status
from ..watchdog import ChildDiedError, call_in_child, enclosing_limit_covers
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


class _Job:
    """One decision, possibly in two solver calls: with a proof requested, the first call
    solves under one selector assumption per clause to find an unsat core (a subset of the
    clauses that is already unsat), the second refutes only the core with proof logging,
    which makes the proof and its check far smaller (measured in ``benchmarks/proofs.md``).
    ``interrupt`` stops whichever call is running."""

    def __init__(self, clauses, nv: int, solver_name: str, with_proof: bool, limited: bool):
        self.clauses, self.nv = clauses, nv
        self.solver_name, self.with_proof, self.limited = solver_name, with_proof, limited
        self.current = None
        self.stopped = False

    def interrupt(self) -> None:
        self.stopped = True
        if self.current is not None:
            self.current.interrupt()

    def _solve(self, s, assumptions=()):
        self.current = s
        if self.stopped:
            return None
        if self.limited:
            return s.solve_limited(assumptions=list(assumptions), expect_interrupt=True)
        return s.solve(assumptions=list(assumptions))

    def run(self):
        """``(answer, model, proof lines, core indices)``; answer None if interrupted."""
        if not self.with_proof:
            with Solver(name=self.solver_name, bootstrap_with=self.clauses) as s:
                answer = self._solve(s)
                return answer, (s.get_model() if answer else None), None, None
        nv = self.nv
        with Solver(name=self.solver_name) as s:
            for i, clause in enumerate(self.clauses):
                s.add_clause([*clause, -(nv + 1 + i)])
            answer = self._solve(s, range(nv + 1, nv + 1 + len(self.clauses)))
            if answer is not False:
                model = [lit for lit in s.get_model() if abs(lit) <= nv] if answer else None
                return answer, model, None, None
            core = sorted(lit - nv - 1 for lit in s.get_core() if lit > nv)
        sub = [self.clauses[i] for i in core]
        with Solver(name=self.solver_name, bootstrap_with=sub, with_proof=True) as s:
            answer = self._solve(s)
            if answer is None:
                return None, None, None, None
            if answer:
                raise RuntimeError(f"{self.solver_name} called a subset of an unsat core "
                                   f"satisfiable (solver bug)")
            return False, None, s.get_proof(), core


def _run_in_child(job: _Job, timeout: float):
    try:
        done, value = call_in_child(job.run, (), timeout)
    except ChildDiedError as exc:
        raise RuntimeError(f"the {job.solver_name} process died (exit {exc.exitcode})") from None
    return value if done else (None, None, None, None)


def _run_with_timer(job: _Job, timeout: float):
    timer = threading.Timer(timeout, job.interrupt)
    timer.start()
    try:
        return job.run()
    finally:
        timer.cancel()


def solve_cnf(cnf, solver_name: str, timeout: float | None = None,
              proof_path: str | None = None) -> tuple[Status, list[int] | None, dict]:
    """Decide ``cnf`` (a ``pysat.formula.CNF``) with ``solver_name``.

    Returns ``(status, model, info)``: ``model`` the solver's literals for SAT; ``info``
    has ``seconds`` and, for UNSAT with ``proof_path``, ``proof_lines``, ``format`` and
    ``core`` (indices of the clauses the proof refutes; see :class:`_Job`).
    """
    _check_name(solver_name, proof_path is not None)
    if not cnf.clauses:
        # Every assignment is a model.  Answered here: MapleSAT segfaults on a formula
        # without clauses (found by the fuzzer; tests/regressions/test_empty_cnf.py).
        return Status.SAT, [], {"seconds": 0.0}
    with_proof = proof_path is not None
    start = time.perf_counter()
    nv = max(cnf.nv, max((abs(lit) for cl in cnf.clauses for lit in cl), default=0))
    interruptible = solver_name not in _NOT_INTERRUPTIBLE
    job = _Job(cnf.clauses, nv, solver_name, with_proof,
               limited=timeout is not None and interruptible)
    if timeout is None:
        answer, model, proof, core = job.run()
    elif interruptible:
        answer, model, proof, core = _run_with_timer(job, timeout)
    elif enclosing_limit_covers(timeout, 0.0):
        # Already in a process killed at this very limit (a benchmark run): no 2nd fork.
        answer, model, proof, core = job.run()
    else:
        answer, model, proof, core = _run_in_child(job, timeout)
    info: dict = {"seconds": time.perf_counter() - start}
    if answer is None:
        return Status.UNKNOWN, None, {**info, "reason": f"timeout after {timeout} s"}
    if answer:
        return Status.SAT, model, info
    if with_proof:
        lines = [line.strip() for line in proof or []]
        if not lines or lines[-1] != "0":
            # some solvers (e.g. Ergo on a core refuted by unit propagation alone) omit
            # the empty clause; adding it is one more step the checker must verify
            lines.append("0")
        atomic_write_text(proof_path, "".join(line + "\n" for line in lines))
        info.update(proof_lines=len(lines), format=PROOF_FORMAT[solver_name], core=core)
    return Status.UNSAT, None, info


def run_cnf(lowered: Lowered, solver: str, timeout: float | None,
            proof_path: str | None = None, **_options) -> RawOutcome:
    """Registry runner: encode ``lowered`` as CNF and decide it with PySAT ``solver``."""
    _check_name(solver, proof_path is not None)
    start = time.perf_counter()
    enc = encode_cnf(lowered)
    return decide_encoded(enc, "cnf", time.perf_counter() - start, solver, timeout,
                          proof_path, {"cardinality": enc.cardinality})


def decide_encoded(enc, encoding: str, encode_seconds: float, solver: str,
                   timeout: float | None, proof_path: str | None, details: dict
                   ) -> RawOutcome:
    """Decide a built CNF encoding (``cnf`` or ``cnf-z3``) with :func:`solve_cnf`.

    ``details`` (what a checker needs to rebuild the same CNF: the cardinality encoding, or
    z3's version) goes into ``extra`` and, for an unsat answer with ``proof_path``, into the
    proof record beside the encoding's name, the CNF hash and the refuted core."""
    sizes = {"variables": enc.num_variables, "clauses": enc.num_clauses,
             "parameter_variables": len(enc.parameter_variables())}
    status, model, info = solve_cnf(enc.cnf, solver, timeout, proof_path)
    extra = {"encode_seconds": encode_seconds, "solve_seconds": info["seconds"], **details}
    if status is Status.SAT:
        return RawOutcome(status, enc.decode(model), sizes, extra)
    if status is Status.UNSAT and proof_path is not None:
        extra["proof"] = {"encoding": encoding, "cnf_sha256": enc.sha256(), **details,
                          "file": Path(proof_path).name, "format": info["format"],
                          "solver": solver, "core": core_to_text(info["core"])}
    return RawOutcome(status, None, sizes, extra, reason=info.get("reason", ""))
