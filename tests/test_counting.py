"""Counting: count_cnf on hand-made CNFs, and count_instance differentially against brute
force on random tiny instances (every activation, domain type and loss)."""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
from gmpy2 import mpq
from random_instances import LOSSES, PIECEWISE_LINEAR, POLYNOMIAL, random_instance

from ermsolve.brute import brute_force
from ermsolve.cli import main
from ermsolve.counting import (
    canonical_rational_clauses,
    count_cnf,
    count_instance,
    counting_problem,
    to_mcc,
)
from ermsolve.instance import parse_instance
from ermsolve.lowering import lower

CNF_METHODS = ("exact", "approx", "enumerate")


def within_epsilon(estimate: int, count: int, epsilon: Fraction) -> bool:
    """ApproxMC's relative error: count/(1+ε) <= estimate <= (1+ε)·count (exact 0 for 0)."""
    if count == 0:
        return estimate == 0
    return Fraction(count) / (1 + epsilon) <= estimate <= (1 + epsilon) * count


# --------------------------------------------------------------------------- CNF level

@pytest.mark.parametrize("method", CNF_METHODS)
def test_projection_variable_in_no_clause_counts_twice(method):
    # Regression: pyapproxmc drops projection variables that occur in no clause (var 2).
    result = count_cnf([[1, 3]], [1, 2, 3], method)
    assert result.count == 6
    assert result.free_bits == 1


@pytest.mark.parametrize("method", CNF_METHODS)
def test_variables_emptied_by_simplification_are_counted(method):
    # Regression: x1 is forced, so Arjun leaves x2, x3 in no clause; pyapproxmc 4.4.0 then
    # answers 1 instead of 4.  Also x3 <-> x5 with x5 existential leaves x3 free (6, not 3).
    assert count_cnf([[1, 2], [1, 3], [1, -3]], [1, 2, 3], method).count == 4
    assert count_cnf([[1, 2], [3, -5], [-3, 5]], [1, 2, 3], method).count == 6


@pytest.mark.parametrize("method", CNF_METHODS)
def test_trivial_formulas(method):
    assert count_cnf([[1], [-1]], [1, 2], method).count == 0
    assert count_cnf([[1, 2], []], [1, 2], method).count == 0
    assert count_cnf([[1, 2]], [], method).count == 1
    assert count_cnf([], [4, 5], method).count == 4


def test_random_cnfs_agree():
    rng = random.Random(11)
    for _ in range(25):
        nv = rng.randint(3, 14)
        clauses = [[rng.choice((-1, 1)) * rng.randint(1, nv) for _ in range(rng.randint(1, 3))]
                   for _ in range(rng.randint(1, 3 * nv))]
        proj = sorted(rng.sample(range(1, nv + 3), rng.randint(1, nv)))
        exact = count_cnf(clauses, proj, "exact").count
        assert count_cnf(clauses, proj, "enumerate").count == exact
        approx = count_cnf(clauses, proj, "approx", epsilon="1/2", delta="1/10")
        assert within_epsilon(approx.count, exact, Fraction(1, 2))


def test_timeout_is_a_result():
    # 3-SAT near the threshold on 60 variables, enumerate with a tiny time budget.
    rng = random.Random(3)
    clauses = [[rng.choice((-1, 1)) * rng.randint(1, 60) for _ in range(3)] for _ in range(200)]
    result = count_cnf(clauses, list(range(1, 61)), "enumerate", timeout=0.05)
    assert result.timed_out == (result.count is None)


def test_approx_json_has_guarantee():
    body = count_cnf([[1, 2]], [1, 2], "approx", epsilon="0.5", delta="0.1").to_json()
    assert body["epsilon"] == "1/2" and body["delta"] == "1/10"
    assert "1/(1+1/2)" in body["guarantee"] or "(1+1/2)" in body["guarantee"]
    assert body["count"] == 3


def test_bad_pac_parameters():
    from ermsolve.errors import UnsupportedError

    with pytest.raises(UnsupportedError):
        count_cnf([[1]], [1], "approx", epsilon=0)
    with pytest.raises(UnsupportedError):
        count_cnf([[1]], [1], "approx", delta=1)
    with pytest.raises(UnsupportedError):
        count_cnf([[1]], [1], "magic")


def test_mcc_export_format():
    text = to_mcc([[1, 3]], [1, 2, 3], ["hello"])
    lines = text.splitlines()
    assert lines[0] == "c t pmc"
    assert "p cnf 3 1" in lines
    assert "c p show 1 2 3 0" in lines
    assert lines[-1] == "1 3 0"


# --------------------------------------------------------------------------- semantics

def _instance(domain: dict, threshold: str = "100", activation: str = "relu") -> object:
    return parse_instance({
        "format": "ermbit/1",
        "architecture": {"layers": [1, 1], "activation": activation},
        "domain": domain,
        "data": {"inputs": [["1"]], "targets": [["0"]]},
        "loss": "squared", "threshold": threshold,
    })


def test_rational_counts_distinct_values():
    # num_bits 3 (p in -4..3), den_bits 2 (q in 1..3): 24 pairs, distinct values below.
    inst = _instance({"type": "rational", "num_bits": 3, "den_bits": 2})
    values = {mpq(p, q) for p in range(-4, 4) for q in range(1, 4)}
    expected = len(values) ** 2  # two free parameters (W1, b1), loss always <= 100
    for method in ("exact", "enumerate", "brute"):
        assert count_instance(inst, method).count == expected


def test_canonical_clauses_keep_exactly_reduced_pairs():
    from math import gcd

    from pysat.solvers import Solver

    inst = _instance({"type": "rational", "num_bits": 4, "den_bits": 3})
    lowered = lower(inst)
    problem = counting_problem(inst)
    enc = problem.encoding
    leaves = lowered.params[0].leaves
    p_bits, q_bits = enc.leaf_bits[leaves[0].name], enc.leaf_bits[leaves[1].name]
    extra = canonical_rational_clauses(lowered, enc)
    with Solver(name="cadical153", bootstrap_with=extra) as solver:
        for p in range(-8, 8):
            for q in range(0, 8):
                assume = [v if (p >> i) & 1 else -v for i, v in enumerate(p_bits)]
                assume += [v if (q >> i) & 1 else -v for i, v in enumerate(q_bits)]
                assert solver.solve(assumptions=assume) == (gcd(p, q) == 1), (p, q)


def test_set_domain_excludes_out_of_range_indices():
    # 3 values need 2 index bits; index 3 must not be counted.
    inst = _instance({"type": "set", "values": ["-1", "0", "1"]})
    for method in ("exact", "approx", "enumerate", "brute"):
        assert count_instance(inst, method).count == 9


def test_fixed_domain_counts_every_assignment():
    inst = _instance({"type": "fixed", "bits": 3, "frac_bits": 1})
    for method in ("exact", "approx", "enumerate", "brute"):
        assert count_instance(inst, method).count == 64


# --------------------------------------------------------------------------- differential

ACTIVATIONS = PIECEWISE_LINEAR + POLYNOMIAL


def _agree(inst, methods=("exact", "enumerate", "approx"),
           epsilon=Fraction(4, 5)) -> dict:
    """Counts of ``methods`` on ``inst`` against brute force (approx: within ε)."""
    truth = brute_force(inst).count
    out = {"brute": truth}
    for m in methods:
        out[m] = count_instance(inst, m, epsilon=epsilon).count
        if m == "approx":
            assert within_epsilon(out[m], truth, epsilon), (inst.to_json(), out)
        else:
            assert out[m] == truth, (inst.to_json(), out)
    return out


def agreement_instances(seed: int, n: int):
    """``n`` random tiny instances over every activation, domain and loss; polynomial
    activations get at most 2 free parameters (their multipliers are wide)."""
    rng = random.Random(seed)
    for _ in range(n):
        poly = rng.random() < 0.35
        yield random_instance(rng, activations=POLYNOMIAL if poly else PIECEWISE_LINEAR,
                              max_free=2 if poly else 3)


#: Ganak's preprocessing costs seconds even on small formulas; the default suite runs it
#: (and ApproxMC) only on the instances whose CNF has at most this many clauses.
FAST_CLAUSE_LIMIT = 1500


def test_counts_agree_fast_slice():
    for inst in agreement_instances(2024, 24):
        small = len(counting_problem(inst).clauses) <= FAST_CLAUSE_LIMIT
        _agree(inst, ("exact", "enumerate", "approx") if small else ("enumerate",))


@pytest.mark.slow
def test_counts_agree_300():
    seen = set()
    for inst in agreement_instances(7, 300):
        _agree(inst)
        seen.add((inst.activation.name, inst.domain.type, inst.loss))
    assert {d for _, d, _ in seen} == {"fixed", "rational", "set"}
    assert {lo for _, _, lo in seen} == set(LOSSES)
    assert {a for a, _, _ in seen} >= set(POLYNOMIAL)


# --------------------------------------------------------------------------- CLI

def _write(tmp_path, inst) -> str:
    path = tmp_path / "inst.json"
    path.write_text(json.dumps(inst.to_json()))
    return str(path)


def test_cli_json_and_export(tmp_path, capsys):
    inst = _instance({"type": "set", "values": ["-1", "0", "1"]})
    path = _write(tmp_path, inst)
    assert main(["count", path, "--method", "enumerate", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["count"] == 9 and body["method"] == "enumerate" and "seconds" in body
    assert main(["count", path, "--method", "approx", "--json", "--epsilon", "1/2"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["epsilon"] == "1/2" and body["delta"] == "1/5" and "guarantee" in body
    out = tmp_path / "p.cnf"
    assert main(["count", path, "--export", str(out)]) == 0
    text = out.read_text()
    assert "c t pmc" in text and "c p show 1 2 3 4 0" in text


def test_cli_bad_epsilon(tmp_path, capsys):
    path = _write(tmp_path, _instance({"type": "fixed", "bits": 2, "frac_bits": 0}))
    assert main(["count", path, "--epsilon", "abc"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
