"""Regression (found by the long fuzz run at instances 2500 and 3000 of seed 1): the unsat
proofs of gluecard3 and gluecard4 (and Ergo) on this instance did not end with the empty
clause, so their certificates were rejected by ``check`` ("the proof does not end with the
empty clause").  The PySAT backend now appends the empty clause, one more step the checker
verifies."""

import json
from pathlib import Path

import pytest

from ermsolve.registry import ENCODINGS

CASE = json.loads((Path(__file__).parent / "proof_without_empty_clause.json").read_text())


@pytest.mark.parametrize("solver", [s for s in ("gluecard3", "gluecard4", "ergo", "cadical195")
                                    if s in ENCODINGS["cnf"].proofs])
def test_unsat_proof_certificate_is_valid(solver):
    from fuzzing import Plan, check_instance

    outcome, _ = check_instance(CASE, Plan(decisions=[("cnf", solver)],
                                           proofs=[("cnf", solver)], timeout=60))
    assert not outcome.disagreements
    assert outcome.calls.get("check") == 1
