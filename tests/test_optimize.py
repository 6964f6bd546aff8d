"""``optimize``: the least loss against brute force, its bounds and its certificates."""

import json
import random

import pytest
from random_instances import PIECEWISE_LINEAR, random_instance

from ermsolve.brute import brute_force, enumerate_losses
from ermsolve.certificate import read_certificate
from ermsolve.checker import check_certificate
from ermsolve.cli import main
from ermsolve.errors import UnsupportedError
from ermsolve.lowering import lower
from ermsolve.network import assemble, loss
from ermsolve.optimality import (
    optimize_certificate_json,
    prove_strictly_below,
    write_optimize_certificate,
)
from ermsolve.optimize import optimize
from ermsolve.rationals import to_str


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


# --------------------------------------------------------------------------- search


def _instances(count, seed, max_free=3, activations=PIECEWISE_LINEAR, losses=None):
    rng = random.Random(seed)
    return [random_instance(rng, activations=activations, losses=losses, max_free=max_free)
            for _ in range(count)]


def _assert_optimum(inst, result):
    bf = brute_force(inst)
    assert result.status == "optimal", inst.to_json()
    assert result.lower == result.upper == bf.minimum, (inst.to_json(), result.upper,
                                                         bf.minimum)
    assert loss(inst, result.parameters) == result.upper


@pytest.mark.parametrize("strategy", ["descent", "binary"])
def test_optimum_equals_brute_force(strategy):
    for inst in _instances(30, 21):
        _assert_optimum(inst, optimize(inst, strategy=strategy))


def test_maxsat_optimum_equals_brute_force_zero_one():
    for inst in _instances(20, 22, losses=["zero_one"]):
        _assert_optimum(inst, optimize(inst, strategy="maxsat"))


def test_restart_through_solve_equals_brute_force():
    for inst in _instances(10, 23, max_free=2):
        _assert_optimum(inst, optimize(inst, strategy="restart", encoding="bv"))


def test_polynomial_shallow_optimum_equals_brute_force():
    rng = random.Random(24)
    done = 0
    while done < 8:
        inst = random_instance(rng, max_free=2)
        if inst.depth == 1 and not inst.output_activation.is_piecewise_linear:
            _assert_optimum(inst, optimize(inst))
            done += 1


def test_the_instance_threshold_plays_no_part():
    inst = _instances(1, 25)[0]
    a = optimize(inst.with_threshold(0))
    b = optimize(inst.with_threshold(1000))
    assert a.upper == b.upper and a.status == b.status == "optimal"


def test_progress_reports_monotone_bounds():
    seen = []
    inst = _instances(1, 26, max_free=4)[0]
    res = optimize(inst, on_bounds=lambda lo, up: seen.append((lo, up)))
    assert seen[-1] == (res.lower, res.upper)
    for (l0, u0), (l1, u1) in zip(seen, seen[1:]):
        assert l0 <= l1 <= u1 <= u0


def test_timeout_gives_sound_bounds():
    # A rational-domain instance whose last unsat step takes ~20 s (found by search).
    rng = random.Random(1)
    for _ in range(26):
        inst = random_instance(rng, activations=PIECEWISE_LINEAR)
    res = optimize(inst, timeout=1.5)
    assert res.status == "bounds"
    assert res.seconds < 10
    assert res.lower <= res.upper
    assert loss(inst, res.parameters) == res.upper
    assert res.to_json()["status"] == "bounds"


def test_bad_requests_are_refused():
    inst = _instances(1, 27, losses=["squared"])[0]
    with pytest.raises(UnsupportedError, match="zero_one"):
        optimize(inst, strategy="maxsat")
    with pytest.raises(UnsupportedError, match="strategy"):
        optimize(inst, strategy="nope")
    with pytest.raises(UnsupportedError, match="PySAT solver"):
        optimize(inst, solver="nope")


# --------------------------------------------------------------------------- certificates


def _certify(inst, folder, name="c.json", **kw):
    path = folder / name
    res = optimize(inst, proof_path=str(path) + ".drup", **kw)
    cert = write_optimize_certificate(path, inst, res)
    return res, cert, path


def _check(inst, cert, path):
    return check_certificate(inst, cert, path)


#: Proofs up to this many lines are also replayed by the (slow) verified drup checker;
#: it took 330 s on a 773-lemma proof that dratify checks in 0.8 s.
DRUP_MAX_LINES = 150


def check_all_ways(inst, path):
    """``check`` with dratify, and with drup too when the proof is short."""
    cert = read_certificate(path)
    verdict = check_certificate(inst, cert, path, proof_checker="dratify")
    assert verdict.valid, (inst.to_json(), verdict.reason)
    proof_file = path.parent / cert["proof"]["file"]
    if proof_file.read_text().count("\n") <= DRUP_MAX_LINES:
        verdict = check_certificate(inst, cert, path)
        assert verdict.valid, (inst.to_json(), verdict.reason)
        return 1
    return 0


def test_optimal_certificates_check(tmp_path):
    by_drup = 0
    for i, inst in enumerate(_instances(15, 31)):
        res, cert, path = _certify(inst, tmp_path, f"c{i}.json")
        assert cert["status"] == "optimal" and cert["proof"]["question"] == "loss < optimum"
        assert cert["loss"] == to_str(brute_force(inst).minimum)
        by_drup += check_all_ways(inst, path)
    assert by_drup >= 10


def _positive_optimum(seed):
    for inst in _instances(40, seed):
        if brute_force(inst).minimum > 0:
            return inst
    raise AssertionError("no instance with a positive optimum")


def test_corrupted_optimal_certificates_are_refused(tmp_path):
    inst = _positive_optimum(32)
    res, cert, path = _certify(inst, tmp_path)
    assert check_certificate(inst, cert, path).valid
    # A wrong optimum: the witness does not have the claimed loss.
    for wrong in (res.upper / 2, res.upper + 1):
        bad = {**cert, "loss": to_str(wrong)}
        assert not check_certificate(inst, bad, path).valid
    # A non-optimal witness that does reach its loss, with the optimum's proof.
    worse = max(enumerate_losses(inst), key=lambda pair: pair[1])
    assert worse[1] > res.upper
    bad = {**cert, "loss": to_str(worse[1]),
           "parameters": _params_json(assemble(inst, worse[0]))}
    verdict = check_certificate(inst, bad, path)
    assert not verdict.valid and "another CNF" in verdict.reason
    # A proof for a different (smaller, also unsat) bound.
    other = prove_strictly_below(inst, res.upper / 2, tmp_path / "other.drup")
    verdict = check_certificate(inst, {**cert, "proof": other}, path)
    assert not verdict.valid and "another CNF" in verdict.reason
    # No proof at all, and a truncated proof file.
    bad = {k: v for k, v in cert.items() if k != "proof"}
    assert "proof object" in check_certificate(inst, bad, path).reason
    proof_file = tmp_path / cert["proof"]["file"]
    lines = proof_file.read_text().splitlines()
    proof_file.write_text("\n".join(lines[:-1]) + "\n")
    assert not check_certificate(inst, cert, path).valid
    # Another instance.
    assert "hash" in check_certificate(inst.with_threshold(inst.threshold + 1), cert,
                                       path).reason


def test_upper_bound_certificate_without_proof(tmp_path):
    inst = _positive_optimum(33)
    res = optimize(inst)
    cert = optimize_certificate_json(inst, res)
    assert cert["status"] == "upper_bound" and "proof" not in cert
    assert check_certificate(inst, cert, tmp_path / "c.json").valid
    assert not check_certificate(inst, {**cert, "loss": to_str(res.upper / 2)}, None).valid
    assert "proof object" in check_certificate(inst, {**cert, "status": "optimal"},
                                               None).reason


def _params_json(params):
    return {k: [[to_str(x) for x in r] if isinstance(r, list) else to_str(r) for r in v]
            for k, v in params.items()}


# --------------------------------------------------------------------------- command line


def test_cli_optimize_json_and_certificate(tmp_path, capsys):
    inst = _positive_optimum(34)
    src = tmp_path / "inst.json"
    src.write_text(json.dumps(inst.to_json()))
    cert = tmp_path / "opt.json"
    code = main(["optimize", str(src), "--json", "--proof", "--certificate", str(cert)])
    out = json.loads(capsys.readouterr().out)
    assert code == 30
    assert out["status"] == "optimal" and out["loss"] == out["lower"] == out["upper"]
    assert out["loss"] == to_str(brute_force(inst).minimum)
    assert set(out) >= {"loss", "status", "lower", "upper", "parameters", "seconds"}
    assert main(["check", str(src), str(cert)]) == 0
    assert "VALID" in capsys.readouterr().out
    assert main(["check", str(src), str(cert), "--proof-checker", "both"]) == 0
    assert "VALID" in capsys.readouterr().out
    code = main(["optimize", str(src)])
    captured = capsys.readouterr()
    assert code == 30 and captured.out.startswith("s OPTIMUM FOUND")
    assert "c bounds lower=" in captured.err


def test_cli_optimize_bad_usage(tmp_path, capsys):
    inst = _positive_optimum(35)
    src = tmp_path / "inst.json"
    src.write_text(json.dumps(inst.to_json()))
    assert main(["optimize", str(src), "--proof"]) == 2
    assert "--proof needs --certificate" in capsys.readouterr().err
    if inst.loss != "zero_one":
        assert main(["optimize", str(src), "--strategy", "maxsat"]) == 2


# --------------------------------------------------------------------------- the long run


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_optimum_equals_brute_force_and_certifies_many(seed, tmp_path):
    """50 random tiny instances per seed (200 in all; every domain and loss, piecewise
    linear activations, at most 3 free parameters): the optimum equals brute force and its
    certificate (DRUP proof of "loss < optimum") passes ``check``."""
    for i, inst in enumerate(_instances(50, 100 + seed)):
        res, cert, path = _certify(inst, tmp_path, f"c{i}.json")
        _assert_optimum(inst, res)
        check_all_ways(inst, path)
