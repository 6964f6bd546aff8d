"""The integer encodings ``lia`` and ``nia`` and the peers ``cpsat`` and ``brute-vec``
against brute-force enumeration (the exact forward pass over the whole grid)."""

import random

import pytest
from random_instances import PIECEWISE_LINEAR, POLYNOMIAL, random_instance

from ermsolve.brute import brute_force
from ermsolve.encodings.grid import INT64_SAFE, GridSearch, count_hits, magnitude_bound
from ermsolve.errors import UnsupportedError
from ermsolve.instance import parse_instance
from ermsolve.lowering import lower
from ermsolve.result import Status
from ermsolve.solve import solve

CONFIGS = [("lia", "z3"), ("lia", "z3-bigm"), ("nia", "z3"), ("cpsat", "cp-sat"),
           ("brute-vec", "numpy")]


def _instances(count, seed, activations=PIECEWISE_LINEAR, max_free=3):
    rng = random.Random(seed)
    return [random_instance(rng, activations=activations, max_free=max_free)
            for _ in range(count)]


def _expect(inst):
    return "sat" if brute_force(inst).satisfiable else "unsat"


def _agrees(inst, encoding, solver, timeout=None):
    try:
        result = solve(inst, encoding, solver, timeout=timeout)
    except UnsupportedError:  # cpsat beyond 64 bits: a refusal, not an answer
        assert encoding == "cpsat"
        return None
    if result.status is Status.UNKNOWN:
        return None
    assert result.status.value == _expect(inst), (encoding, solver, inst.to_json())
    return result.status


@pytest.mark.parametrize("encoding,solver", CONFIGS)
def test_agrees_with_brute_force_piecewise_linear(encoding, solver):
    # Small grids (at most 3 free parameters); each must be decided, not just not wrong.
    timeout = None if encoding != "lia" or solver != "z3-bigm" else 20
    decided = 0
    for inst in _instances(40, 2024):
        decided += _agrees(inst, encoding, solver, timeout) is not None
    assert decided >= (38 if timeout else 40)


@pytest.mark.parametrize("encoding,solver", [("lia", "z3"), ("cpsat", "cp-sat"),
                                             ("brute-vec", "numpy")])
def test_agrees_with_brute_force_polynomial(encoding, solver):
    # Polynomial layers make wide products; unknown at the time limit is allowed here,
    # a wrong answer never.
    for inst in _instances(16, 77, PIECEWISE_LINEAR + POLYNOMIAL, max_free=2):
        _agrees(inst, encoding, solver, timeout=5)


@pytest.mark.slow
@pytest.mark.parametrize("encoding,solver", CONFIGS)
def test_agrees_with_brute_force_many(encoding, solver):
    for inst in _instances(200, 5):
        _agrees(inst, encoding, solver, timeout=30)
    for inst in _instances(60, 6, PIECEWISE_LINEAR + POLYNOMIAL):
        _agrees(inst, encoding, solver, timeout=30)


def test_nia_keeps_clamp_bounds_regression():
    # Found by the differential run: the lowering had simplified the loss comparison to TRUE
    # using the CLAMP bound, so a nia that dropped CLAMP answered sat with loss 25 > 1.
    inst = parse_instance({
        "format": "ermbit/1",
        "architecture": {"layers": [1, 1, 1], "activation": "leaky_relu:1/4",
                         "output_activation": "identity"},
        "domain": {"type": "fixed", "bits": 3, "frac_bits": 0},
        "data": {"inputs": [["0"]], "targets": [["-1/2"]]},
        "loss": "squared", "threshold": "1", "fixed": {"b2": ["1/2"]}})
    assert _expect(inst) == "sat"
    for encoding in ("nia", "lia", "cpsat", "brute-vec"):
        result = solve(inst, encoding)
        assert result.status is Status.SAT and result.loss <= 1


def test_grid_counts_match_brute_force():
    # Counting every satisfying grid point checks the vectorized evaluation point by point
    # (for fixed and set domains, where grid points and distinct values coincide).
    for inst in _instances(60, 31, PIECEWISE_LINEAR + POLYNOMIAL):
        if inst.domain.type == "rational":
            continue
        assert count_hits(lower(inst).circuit) == brute_force(inst).count, inst.to_json()


def test_grid_uses_python_ints_beyond_int64():
    # A degree-5 polynomial on 8-bit weights: magnitudes beyond 2**62 force object arrays.
    inst = parse_instance({
        "format": "ermbit/1",
        "architecture": {"layers": [1, 1, 1], "activation": "poly:[0,0,0,0,0,1]",
                         "output_activation": "poly:[0,0,0,0,0,1]"},
        "domain": {"type": "fixed", "bits": 4, "frac_bits": 0},
        "data": {"inputs": [["7"]], "targets": [["0"]]},
        "loss": "max_abs", "threshold": "0",
        "fixed": {"b1": ["0"], "b2": ["0"], "W2": [["1"]]}})
    circuit = lower(inst).circuit
    assert magnitude_bound(circuit) >= INT64_SAFE
    search = GridSearch(circuit)
    assert not search.exact_int64
    assert count_hits(circuit) == brute_force(inst).count == 1  # only W1 = 0


def test_cpsat_refuses_beyond_64_bits():
    inst = parse_instance({
        "format": "ermbit/1",
        "architecture": {"layers": [1, 1, 1], "activation": "poly:[0,0,0,0,0,0,0,0,1]",
                         "output_activation": "poly:[0,0,0,0,0,0,0,0,1]"},
        "domain": {"type": "fixed", "bits": 6, "frac_bits": 0},
        "data": {"inputs": [["31"]], "targets": [["1"]]},
        "loss": "max_abs", "threshold": "0"})
    with pytest.raises(UnsupportedError, match="64-bit"):
        solve(inst, "cpsat")


def test_milp_model_is_exact_at_every_grid_point():
    # The big-M model itself, in exact integers (no HiGHS): the intended completion of a
    # grid point satisfies every row exactly when the circuit holds there.
    from ermsolve.brute import enumerate_losses
    from ermsolve.encodings.milp import build, check_point

    checked = 0
    for inst in _instances(40, 22, PIECEWISE_LINEAR + POLYNOMIAL):
        low = lower(inst)
        try:
            model = build(low.circuit)
        except UnsupportedError:
            continue
        for assignment, _ in enumerate_losses(inst):
            leaves = low.encode_values(assignment)
            assert check_point(model, low.circuit, leaves) == low.circuit.holds(leaves)
            checked += 1
    assert checked > 1000


def test_milp_highs_never_gives_a_wrong_verdict():
    # Solver "highs" reports sat only after the exact re-check and never reports unsat.
    for inst in _instances(25, 23):
        result = solve(inst, "milp", "highs", timeout=10)
        assert result.status is not Status.UNSAT
        if result.status is Status.SAT:
            assert _expect(inst) == "sat"
