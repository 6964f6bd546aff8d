"""The size guard (:mod:`ermsolve.limits`): estimates against real sizes, refusals, options."""

import glob
import random
import time
from pathlib import Path

import pytest
from random_instances import random_instance

from ermsolve.brute import grid_points
from ermsolve.encodings.cnf import encode_cnf
from ermsolve.errors import SizeLimitError, UsageError
from ermsolve.instance import load_instance, parse_instance
from ermsolve.limits import (
    Limits,
    check_circuit,
    check_grid,
    check_instance,
    estimate_circuit,
    estimate_instance,
    lower_checked,
    set_memory_limit,
)
from ermsolve.lowering import lower
from ermsolve.solve import solve

SIZE = Path(__file__).resolve().parent / "bad_inputs" / "size"
BENCH = sorted(glob.glob(str(Path(__file__).resolve().parent.parent / "benchmarks"
                             / "instances" / "*.json")))


def _instances(n=40, seed=11):
    rng = random.Random(seed)
    return [load_instance(f) for f in BENCH] + [random_instance(rng, max_free=6)
                                                 for _ in range(n)]


def test_circuit_estimate_tracks_the_cnf_encoding():
    ratios = []
    for inst in _instances():
        lowered = lower(inst)
        real = encode_cnf(lowered).num_clauses
        if real >= 1000:
            ratios.append(estimate_circuit(lowered.circuit).clauses / real)
    assert ratios
    # An over-estimate, by at most a small factor (measured 1.05x to 7x).
    assert min(ratios) >= 1.0 and max(ratios) <= 10, sorted(ratios)


def test_pre_lowering_node_estimate_is_an_over_estimate():
    for inst in _instances():
        assert estimate_instance(inst).nodes >= len(lower(inst).circuit.nodes)


@pytest.mark.parametrize("name,option", [("wide_network.json", "--max-nodes"),
                                         ("deep_polynomial.json", "--max-clauses"),
                                         ("wide_domain.json", "--max-clauses")])
def test_absurd_instances_are_refused_before_building(name, option):
    inst = load_instance(SIZE / name)
    start = time.perf_counter()
    with pytest.raises(SizeLimitError) as exc:
        lower_checked(inst)
    assert time.perf_counter() - start < 10
    assert option in str(exc.value) and "about" in str(exc.value)


def test_raising_the_limit_lets_an_instance_through():
    inst = load_instance(BENCH[0])
    with pytest.raises(SizeLimitError, match="--max-clauses"):
        solve(inst, limits=Limits(max_clauses=10))
    assert solve(inst, limits=Limits(max_clauses=10**9)).status.value in ("sat", "unsat")
    assert solve(inst, limits=Limits(None, None, None)).status.value in ("sat", "unsat")


def test_check_instance_and_circuit_return_their_estimates():
    inst = load_instance(BENCH[0])
    assert check_instance(inst).nodes > 0
    assert check_circuit(lower(inst).circuit).clauses > 0


def _grid_instance(domain, free=2):
    doc = {"format": "ermbit/1", "architecture": {"layers": [1, 1]}, "domain": domain,
           "data": {"inputs": [["1"]], "targets": [["0"]]}, "loss": "squared",
           "threshold": "0"}
    if free < 2:
        doc["fixed"] = {"b1": ["0"]}
    return parse_instance(doc)


def test_grid_check_is_exact_on_small_grids_and_instant_on_huge_ones():
    for dom in ({"type": "fixed", "bits": 3, "frac_bits": 1},
                {"type": "rational", "num_bits": 2, "den_bits": 2},
                {"type": "set", "values": ["0", "1/2", "3"]}):
        inst = _grid_instance(dom)
        assert check_grid(inst) == grid_points(inst)
    huge = _grid_instance({"type": "rational", "num_bits": 64, "den_bits": 64})
    start = time.perf_counter()
    with pytest.raises(SizeLimitError, match="--max-points"):
        check_grid(huge)
    assert grid_points(huge) > 2**100  # the pair count, without enumerating values
    assert time.perf_counter() - start < 1
    wide = _grid_instance({"type": "fixed", "bits": 20, "frac_bits": 0})
    with pytest.raises(SizeLimitError, match="--max-points"):
        check_grid(wide, max_points=1000)
    assert check_grid(wide, max_points=2**41) == 2**40


def test_memory_limit_needs_a_sane_value():
    with pytest.raises(UsageError, match="64 MB"):
        set_memory_limit(10)


def _ermsolve(*argv, timeout=300):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "ermsolve.cli", *argv], capture_output=True,
                          text=True, timeout=timeout)


UNGUARDED = ["--max-clauses", "1000000000", "--max-nodes", "100000000"]


def test_memory_limit_too_small_to_run_is_one_line():
    proc = _ermsolve("solve", str(SIZE / "wide_domain.json"), *UNGUARDED,
                     "--memory-limit", "120")
    assert proc.returncode == 2, proc.stderr[-300:]
    assert proc.stderr.count("\n") == 1 and "out of memory" in proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["bv", "cnf"])
def test_allocation_failure_answers_unknown(encoding):
    proc = _ermsolve("solve", str(SIZE / "wide_domain.json"), *UNGUARDED, "--encoding",
                     encoding, "--memory-limit", "400", "--timeout", "60")
    assert proc.returncode == 0 and "s UNKNOWN" in proc.stdout, proc.stderr[-300:]
    assert "out of memory" in proc.stdout and "Traceback" not in proc.stderr
