"""The ``bv`` encoding against brute-force enumeration of the parameter grid."""

import random

import pytest
from random_instances import PIECEWISE_LINEAR, POLYNOMIAL, random_instance

from ermsolve.brute import brute_force, enumerate_losses
from ermsolve.lowering import lower
from ermsolve.solve import solve


def _pl_instances(count, seed):
    rng = random.Random(seed)
    return [random_instance(rng, activations=PIECEWISE_LINEAR) for _ in range(count)]


def _poly_instances(count, seed):
    # One polynomial layer at most (hidden or output), keeping multipliers narrow enough
    # for the default suite; deep polynomial networks are the slow tests' business.
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        inst = random_instance(rng, activations=PIECEWISE_LINEAR + POLYNOMIAL, max_free=3)
        polys = (not inst.activation.is_piecewise_linear) * (inst.depth - 1) + (
            not inst.output_activation.is_piecewise_linear)
        if 1 <= polys <= 1:
            out.append(inst)
    return out


def test_circuit_matches_exact_loss_on_every_grid_point():
    """The lowering itself: at every grid point, the circuit's assertions hold exactly when
    the exact loss is ≤ γ (no solver involved)."""
    rng = random.Random(7)
    checked = 0
    for _ in range(120):
        inst = random_instance(rng, max_free=3)
        low = lower(inst)
        for assignment, value in enumerate_losses(inst):
            leaves = low.encode_values(assignment)
            assert low.decode(leaves) == assignment
            assert low.circuit.holds(leaves) == (value <= inst.threshold), inst.to_json()
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize("seed", range(4))
def test_bv_agrees_with_brute_force_piecewise_linear(seed):
    for inst in _pl_instances(55, seed):
        truth = brute_force(inst)
        result = solve(inst, "bv", "z3")
        assert result.status.value == ("sat" if truth.satisfiable else "unsat"), inst.to_json()


def test_bv_agrees_with_brute_force_polynomial():
    for inst in _poly_instances(40, 11):
        truth = brute_force(inst)
        result = solve(inst, "bv", "z3")
        assert result.status.value == ("sat" if truth.satisfiable else "unsat"), inst.to_json()


def test_bv_covers_every_domain_loss_and_activation():
    insts = [i for s in range(4) for i in _pl_instances(55, s)] + _poly_instances(40, 11)
    assert {i.domain.type for i in insts} == {"fixed", "rational", "set"}
    assert {i.loss for i in insts} == {"squared", "absolute", "max_abs", "zero_one"}
    names = {i.activation.name for i in insts if i.depth > 1} | {
        i.output_activation.name for i in insts}
    assert {"relu", "identity", "hardtanh", "leaky_relu:1/4", "square"} <= names
    assert any(n.startswith("poly:") for n in names)
    assert len(insts) >= 200


@pytest.mark.slow
def test_bv_agrees_with_brute_force_deep_polynomial():
    rng = random.Random(99)
    for _ in range(60):
        inst = random_instance(rng, activations=POLYNOMIAL, max_free=3)
        truth = brute_force(inst)
        result = solve(inst, "bv", "z3-smt")
        assert result.status.value == ("sat" if truth.satisfiable else "unsat")
