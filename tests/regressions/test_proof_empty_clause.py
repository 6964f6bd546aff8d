"""Regression (found by the long fuzz run at instances 2500, 3000 and 5000 of seed 1): the
unsat proofs of gluecard3, gluecard4 and lingeling (and Ergo) on these instances did not
end with the empty clause, so ``check`` rejected their certificates ("the proof does not
end with the empty clause").  The PySAT backend now appends the empty clause, one more step
the checker verifies."""

import json
from pathlib import Path

import pytest

from ermsolve.registry import ENCODINGS

HERE = Path(__file__).parent
CASES = {"2500": "proof_without_empty_clause.json", "5000": "proof_without_empty_clause_2.json"}
SOLVERS = ("gluecard3", "gluecard4", "ergo", "lingeling", "cadical195")


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("solver", [s for s in SOLVERS if s in ENCODINGS["cnf"].proofs])
def test_unsat_proof_certificate_is_valid(solver, case):
    from fuzzing import Plan, check_instance

    doc = json.loads((HERE / CASES[case]).read_text())
    outcome, _ = check_instance(doc, Plan(decisions=[("cnf", solver)],
                                           proofs=[("cnf", solver)], timeout=60))
    assert not outcome.disagreements
    assert outcome.calls.get("check") == 1
