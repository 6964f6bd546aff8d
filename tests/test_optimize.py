"""``optimize``: the least loss against brute force, its bounds and its certificates."""

import random

from random_instances import PIECEWISE_LINEAR, random_instance

from ermsolve.brute import enumerate_losses
from ermsolve.lowering import lower


def test_strict_lowering_matches_exact_loss_on_every_grid_point():
    """``lower(strict=True)`` holds exactly where loss < γ, at every grid point."""
    rng = random.Random(11)
    checked = 0
    for _ in range(120):
        inst = random_instance(rng, max_free=3)
        grid = list(enumerate_losses(inst))
        # Thresholds at reachable losses make the strict/non-strict difference visible.
        for gamma in {grid[0][1], grid[-1][1], inst.threshold}:
            probe = inst.with_threshold(gamma)
            low = lower(probe, strict=True)
            for assignment, value in grid:
                leaves = low.encode_values(assignment)
                assert low.circuit.holds(leaves) == (value < gamma), probe.to_json()
                checked += 1
    assert checked > 1000


def test_objective_bounds_match_exact_loss():
    """``Objective.bound(v)`` and ``bound(v, strict)`` added to a circuit lowered at the
    largest loss evaluate to loss ≤ v and loss < v at every grid point."""
    rng = random.Random(12)
    checked = 0
    for _ in range(50):
        inst = random_instance(rng, max_free=3)
        grid = list(enumerate_losses(inst))
        worst = max(v for _, v in grid)
        low = lower(inst.with_threshold(worst))
        obj, c = low.objective, low.circuit
        probes = sorted({v for _, v in grid})[:2] + [worst / 3]
        den = obj.lattice_denominator()
        for v in probes:
            for strict in (False, True):
                nodes = obj.bound(c, v, strict)
                for assignment, value in grid:
                    leaves = low.encode_values(assignment)
                    val = c.evaluate(leaves)
                    want = value < v if strict else value <= v
                    assert all(val[n.ident] for n in nodes) == want, (inst.to_json(), v)
                    if den is not None:
                        assert (value * den).denominator == 1
                    checked += 1
    assert checked > 1000


def test_fixed_and_set_domains_have_a_lattice_rational_has_none():
    rng = random.Random(13)
    seen = set()
    for _ in range(60):
        inst = random_instance(rng, activations=PIECEWISE_LINEAR)
        den = lower(inst).objective.lattice_denominator()
        kind = inst.domain.to_json()["type"]
        uses_q = kind == "rational" and inst.free_parameters()
        if kind != "rational":
            assert den is not None
        seen.add((kind, den is None))
        if uses_q and den is None:
            seen.add("rational-none")
    assert "rational-none" in seen
