"""Regression (found by the fuzzer, 15:00): ``optimize(..., timeout=T)`` crashed with
``NotImplementedError: Limited solve is currently unsupported by CaDiCaL`` on every
instance, because the incremental oracle called ``clear_interrupt`` on cadical195.  Fixed
in the optimize search (it now runs in a child process that the timeout stops)."""

import json
from pathlib import Path

import pytest

from ermsolve.brute import brute_force
from ermsolve.instance import parse_instance
from ermsolve.optimize import optimize

CASE = json.loads((Path(__file__).parent / "optimize_timeout.json").read_text())


@pytest.mark.parametrize("strategy", ["descent", "binary", "restart"])
def test_optimize_with_a_timeout_finds_the_optimum(strategy):
    inst = parse_instance(CASE)
    result = optimize(inst, strategy, timeout=30)
    assert result.status == "optimal"
    assert result.lower == result.upper == brute_force(inst).minimum
