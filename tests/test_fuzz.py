"""The CI slice of the differential fuzzer (``tests/fuzzing.py``; the long run is
``scripts/fuzz.py``): random tiny instances, every registered encoding × solver, every
counting method and optimize strategy against brute force, every certificate checked."""

from __future__ import annotations

import json
import os
import random
import zlib

import pytest
from fuzzing import (
    DrawChooser,
    Plan,
    RandomChooser,
    check_instance,
    instance_dict,
    make_instance,
    with_boundary_threshold,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ermsolve.brute import enumerate_losses
from ermsolve.instance import parse_instance
from ermsolve.registry import ENCODINGS


@st.composite
def instances(draw, max_free: int = 3):
    """An ``ermbit/1`` dict (threshold on a decision boundary) and its grid's losses."""
    ch = DrawChooser(draw)
    doc = instance_dict(ch, max_free)
    losses = [v for _, v in enumerate_losses(parse_instance(json.loads(json.dumps(doc))))]
    return with_boundary_threshold(ch, doc, losses), losses


def _assert_agrees(doc, plan, losses=None):
    outcome, _ = check_instance(doc, plan, losses)
    assert not outcome.disagreements, (outcome.disagreements, json.dumps(doc))
    return outcome


FAST = Plan(decisions=[("bv", "z3"), ("cnf", "cadical195"), ("brute-vec", "numpy")],
            optimize=["descent"], timeout=60)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(instances())
def test_default_backends_agree_with_brute_force(case):
    doc, losses = case
    _assert_agrees(doc, FAST, losses)


def _seeded(seed: int, n: int):
    return [make_instance(RandomChooser(random.Random(f"ci:{seed}:{i}"))) for i in range(n)]


SALT = int(os.environ.get("ERMSOLVE_FUZZ_SALT", "0"))
PAIRS = [(e.name, s) for e in ENCODINGS.values() for s in e.solvers]


@pytest.mark.parametrize("encoding,solver", PAIRS, ids=[f"{e}-{s}" for e, s in PAIRS])
def test_every_registered_solver_agrees(encoding, solver):
    for doc, losses in _seeded(SALT + zlib.crc32(f"{encoding}/{solver}".encode()) % 1000, 2):
        _assert_agrees(doc, Plan(decisions=[(encoding, solver)], timeout=60), losses)


@pytest.mark.parametrize("method", ["brute", "enumerate", "exact", "approx"])
def test_counting_methods_agree(method):
    for doc, losses in _seeded(7, 3 if method in ("exact", "approx") else 6):
        _assert_agrees(doc, Plan(counts=[method], timeout=60), losses)


@pytest.mark.parametrize("strategy", ["descent", "binary", "maxsat", "restart"])
def test_optimize_strategies_find_the_brute_force_minimum(strategy):
    for doc, losses in _seeded(8, 5):
        _assert_agrees(doc, Plan(optimize=[strategy], timeout=60), losses)


def test_unsat_proof_certificates_pass_check():
    solver = next(iter(ENCODINGS["cnf"].proofs), None)
    if solver is None:
        pytest.skip("no proof-logging cnf solver registered")
    unsat = []
    for i in range(200):
        doc, losses = make_instance(RandomChooser(random.Random(f"proof:{i}")))
        if min(losses) > parse_instance(doc).threshold:
            unsat.append((doc, losses))
        if unsat:
            break
    doc, losses = unsat[0]
    outcome = _assert_agrees(doc, Plan(decisions=[("cnf", solver)], proofs=[("cnf", solver)],
                                       timeout=60), losses)
    assert outcome.calls.get("check") == 1


def test_fuzz_script_is_resumable(tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "fuzz.py"
    spec = importlib.util.spec_from_file_location("fuzz_script", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    log = tmp_path / "log.jsonl"
    argv = ["--instances", "3", "--start", "1", "--seed", "5", "--log", str(log),
            "--failures", str(tmp_path / "fail")]
    assert script.main(argv) == 0
    assert script.main(argv) == 0  # everything already done: nothing runs again
    assert len(log.read_text().splitlines()) == 3
    assert script.summarize([str(log)])["instances"] == 3
