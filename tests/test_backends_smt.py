"""bv on z3, Bitwuzla and cvc5, and cnf-z3, against brute force; timeouts; missing packages.

The default slice is small; ``-m slow`` runs the ≥500-instance comparison of every encoding
(bv, cnf, cnf-z3) on several solvers against brute force and against each other."""

from __future__ import annotations

import functools
import json
import random
import sys
import time
from pathlib import Path

import pytest

from ermsolve.brute import brute_force
from ermsolve.certificate import read_certificate, write_certificate
from ermsolve.checker import check_certificate
from ermsolve.errors import BackendUnavailableError
from ermsolve.instance import parse_instance
from ermsolve.lowering import lower
from ermsolve.registry import ENCODINGS
from ermsolve.result import Status
from ermsolve.solve import solve

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from random_instances import LOSSES, PIECEWISE_LINEAR, random_instance  # noqa: E402

BV_SOLVERS = ("z3", "bitwuzla", "cvc5")


def _truth(inst) -> Status:
    return Status.SAT if brute_force(inst).satisfiable else Status.UNSAT


def _check(inst, encoding: str, solver: str, expected: Status, label: str) -> None:
    result = solve(inst, encoding, solver)
    assert result.status is expected, f"{label}: {encoding}/{solver} said {result.status}"
    if expected is Status.SAT:
        assert result.loss <= inst.threshold  # solve() re-checks; state it here too


def _corpus(seed: int, count: int, **kw):
    rng = random.Random(seed)
    return [random_instance(rng, **kw) for _ in range(count)]


@functools.cache
def _labelled(seed: int, count: int):
    """A piecewise-linear corpus with its brute-force answers (computed once)."""
    return [(inst, _truth(inst)) for inst in _corpus(seed, count,
                                                     activations=PIECEWISE_LINEAR)]


@pytest.mark.parametrize("solver", BV_SOLVERS)
def test_bv_solvers_agree_with_brute_force(solver):
    for i, (inst, truth) in enumerate(_labelled(31, 40)):
        _check(inst, "bv", solver, truth, f"instance {i}")


@pytest.mark.parametrize("solver", ("bitwuzla", "cvc5"))
def test_bv_solvers_polynomial_shallow(solver):
    # Polynomial activations make wide multipliers: keep them shallow here.
    rng = random.Random(7)
    for i in range(12):
        inst = random_instance(rng, activations=["square", "poly:[1,-1,1/2]"], max_free=3)
        if inst.depth > 2:
            continue
        _check(inst, "bv", solver, _truth(inst), f"polynomial instance {i}")


def test_cnf_z3_agrees_with_brute_force():
    if "cnf-z3" not in ENCODINGS:
        pytest.skip("cnf-z3 is not registered")
    for i, (inst, truth) in enumerate(_labelled(31, 40)):
        _check(inst, "cnf-z3", None, truth, f"instance {i}")


def test_every_loss_and_domain_is_covered_by_the_fast_slice():
    seen = set()
    for inst, _ in _labelled(31, 40):
        seen.add((inst.loss, type(inst.domain).__name__))
    assert {loss for loss, _ in seen} == set(LOSSES)
    assert {dom for _, dom in seen} == {"FixedDomain", "RationalDomain", "SetDomain"}


def _hard_instance():
    rng = random.Random(5)
    m = 8
    return parse_instance({
        "format": "ermbit/1",
        "architecture": {"layers": [2, 3, 3, 1], "activation": "square",
                         "output_activation": "identity"},
        "domain": {"type": "fixed", "bits": 6, "frac_bits": 3},
        "data": {"inputs": [[f"{rng.randint(-9, 9)}/4", f"{rng.randint(-9, 9)}/4"]
                            for _ in range(m)],
                 "targets": [[f"{rng.randint(-9, 9)}/2"] for _ in range(m)]},
        "loss": "squared", "threshold": "1/1000"})


@pytest.mark.parametrize("solver", ("bitwuzla", "cvc5"))
def test_timeout_interrupts_and_answers_unknown(solver):
    start = time.monotonic()
    result = solve(_hard_instance(), "bv", solver, timeout=1.0)
    elapsed = time.monotonic() - start
    assert result.status is Status.UNKNOWN
    assert elapsed < 4.0, f"{solver} ran {elapsed:.1f} s past a 1 s timeout"


@pytest.mark.parametrize("module,func,package", [
    ("ermsolve.backends.bitwuzla_backend", "run_bitwuzla", "bitwuzla"),
    ("ermsolve.backends.cvc5_backend", "run_cvc5", "cvc5"),
])
def test_missing_package_is_a_clear_error(monkeypatch, module, func, package):
    import importlib

    runner = getattr(importlib.import_module(module), func)
    monkeypatch.setitem(sys.modules, package, None)  # makes `import package` fail
    inst = _corpus(1, 1, activations=["relu"])[0]
    with pytest.raises(BackendUnavailableError, match=package):
        runner(lower(inst), package, None)


# ----------------------------------------------------------------------- cnf-z3 proofs

def _unsat_certificate(inst, folder, encoding="cnf-z3", solver="cadical195"):
    cert = folder / "cert.json"
    result = solve(inst, encoding, solver, proof_path=str(cert) + ".drat")
    assert result.status is Status.UNSAT
    write_certificate(cert, inst, result)
    return cert


def test_cnf_z3_unsat_answers_come_with_checked_proofs(tmp_path):
    # The drup checker takes tens of seconds on a few-thousand-clause CNF, so the fast
    # slice checks the small ones (most unsat answers here are decided by z3's simplifier).
    checked = 0
    for i, (inst, truth) in enumerate(_labelled(31, 40)):
        if truth is not Status.UNSAT:
            continue
        folder = tmp_path / str(i)
        folder.mkdir()
        cert = _unsat_certificate(inst, folder)
        if solve(inst, "cnf-z3", "cadical195").sizes["clauses"] > 1500:
            continue
        verdict = check_certificate(inst, read_certificate(cert), cert)
        assert verdict.valid, f"unsat instance {i}: {verdict}"
        checked += 1
    assert checked >= 5


def _corrupt_and_check(inst, cert, change) -> bool:
    proof = Path(str(cert) + ".drat")
    lines = proof.read_text().splitlines()
    proof.write_text("\n".join(change(lines)) + "\n")
    return check_certificate(inst, read_certificate(cert), cert).valid


def test_cnf_z3_corrupted_proofs_and_wrong_hash_are_refused(tmp_path):
    # An unsat instance with a 1410-clause cnf-z3 CNF whose proof checks in ~0.1 s (the
    # bundled Iris unsat case takes minutes in the drup checker; benchmarks/encodings.md).
    rng = random.Random(77)
    inst = [random_instance(rng, activations=PIECEWISE_LINEAR) for _ in range(92)][91]
    cert = _unsat_certificate(inst, tmp_path)
    assert check_certificate(inst, read_certificate(cert), cert).valid
    original = Path(str(cert) + ".drat").read_text().splitlines()
    assert not _corrupt_and_check(inst, cert, lambda ls: ls[:-1])  # cut short
    assert not _corrupt_and_check(inst, cert, lambda ls: [])  # empty
    cert_json = json.loads(cert.read_text())
    cert_json["proof"]["cnf_sha256"] = "0" * 64
    cert.write_text(json.dumps(cert_json))
    Path(str(cert) + ".drat").write_text("\n".join(original) + "\n")
    verdict = check_certificate(inst, read_certificate(cert), cert)
    assert not verdict.valid and "hash" in verdict.reason


# ----------------------------------------------------------------------- the big run

def _cnf_solvers():
    try:
        from ermsolve.backends.pysat_backend import PYSAT_SOLVERS
    except ImportError:
        return ()
    wanted = ("cadical195", "glucose4", "minisat22", "kissat404")
    return tuple(s for s in wanted if s in PYSAT_SOLVERS)


@pytest.mark.slow
def test_all_encodings_agree_on_500_instances():
    """bv (z3, Bitwuzla, cvc5), cnf (several SAT solvers) and cnf-z3 agree with brute force
    and hence with each other on 520 random tiny piecewise-linear instances."""
    rng = random.Random(2026)
    plan = [("bv", s) for s in BV_SOLVERS]
    cnf_solvers = _cnf_solvers()
    if "cnf" in ENCODINGS:
        plan += [("cnf", s) for s in cnf_solvers]
    if "cnf-z3" in ENCODINGS:
        plan += [("cnf-z3", s) for s in cnf_solvers[:2] or (None,)]
    counts = {"sat": 0, "unsat": 0}
    seconds = {f"{e}/{s}": 0.0 for e, s in plan}
    for i in range(520):
        inst = random_instance(rng, activations=PIECEWISE_LINEAR)
        truth = _truth(inst)
        counts[truth.value] += 1
        for encoding, solver in plan:
            start = time.perf_counter()
            _check(inst, encoding, solver, truth, f"instance {i}")
            seconds[f"{encoding}/{solver}"] += time.perf_counter() - start
    print(json.dumps({"instances": 520, **counts,
                      "seconds": {k: round(v, 2) for k, v in seconds.items()}}))
