"""Regression (found by the fuzzer, CI slice): on this instance z3's tactics simplify the
``cnf-z3`` formula to no clauses at all, and PySAT's MapleSAT segfaults on a formula
without clauses, killing the whole process.  ``solve_cnf`` now answers an empty formula
itself (every assignment is a model); every PySAT solver is run on it here."""

from pathlib import Path

import pytest

from ermsolve.brute import brute_force
from ermsolve.instance import load_instance
from ermsolve.registry import ENCODINGS
from ermsolve.result import Status
from ermsolve.solve import solve

CASE = Path(__file__).parent / "empty_cnf.json"
PAIRS = [(e, s) for e in ("cnf-z3", "cnf") if e in ENCODINGS for s in ENCODINGS[e].solvers]


@pytest.mark.parametrize("encoding,solver", PAIRS)
def test_empty_formula_on_every_pysat_solver(encoding, solver):
    inst = load_instance(CASE)
    expected = Status.SAT if brute_force(inst).satisfiable else Status.UNSAT
    for timeout in (None, 30):
        assert solve(inst, encoding, solver, timeout).status is expected
