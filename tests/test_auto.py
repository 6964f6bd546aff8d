"""``--encoding auto``: its schedule follows the features, and its answers are right."""

import random

from random_instances import PIECEWISE_LINEAR, POLYNOMIAL, random_instance

from ermsolve.auto import features, schedule
from ermsolve.brute import brute_force
from ermsolve.cli import build_parser
from ermsolve.instance import parse_instance
from ermsolve.lowering import lower
from ermsolve.result import Status
from ermsolve.solve import solve


def _wide_instance():
    return parse_instance({
        "format": "ermbit/1",
        "architecture": {"layers": [1, 1, 1], "activation": "poly:[0,0,0,0,0,0,0,0,1]",
                         "output_activation": "poly:[0,0,0,0,0,0,0,0,1]"},
        "domain": {"type": "fixed", "bits": 8, "frac_bits": 0},
        "data": {"inputs": [["31"]], "targets": [["1"]]},
        "loss": "max_abs", "threshold": "0"})


def test_schedule_follows_features():
    rng = random.Random(3)
    tiny = lower(random_instance(rng, activations=PIECEWISE_LINEAR, max_free=2))
    assert features(tiny)["grid_points"] <= 1 << 15
    assert schedule(tiny)[0] == ("brute-vec", "numpy")
    wide = lower(_wide_instance())
    assert features(wide)["max_width"] > 62
    steps = schedule(wide)
    assert ("cpsat", "cp-sat") not in steps and steps[-1] == ("cnf", "cadical195")


def test_auto_agrees_with_brute_force():
    rng = random.Random(12)
    for _ in range(25):
        inst = random_instance(rng, activations=PIECEWISE_LINEAR + POLYNOMIAL, max_free=3)
        result = solve(inst, "auto", timeout=30)
        assert result.status is not Status.UNKNOWN
        assert (result.status is Status.SAT) == brute_force(inst).satisfiable, inst.to_json()
        assert result.extra["auto"] in {f"{e}:{s}" for e, s in schedule(lower(inst))}


def test_auto_is_a_solve_choice():
    args = build_parser().parse_args(["solve", "x.json", "--encoding", "auto"])
    assert args.encoding == "auto"
