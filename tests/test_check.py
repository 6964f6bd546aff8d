"""The independent checker: accepts genuine certificates, refuses mutated ones."""

import copy
import json
import random
from pathlib import Path

import pytest
from random_instances import PIECEWISE_LINEAR, random_instance

from ermsolve import certificate_json, check_certificate, load_instance, solve
from ermsolve.cli import main

IRIS = str(Path(__file__).resolve().parent.parent / "benchmarks/instances/iris_sepal_100_opt.json")


@pytest.fixture(scope="module")
def iris():
    inst = load_instance(IRIS)
    result = solve(inst)
    assert result.status.value == "sat"
    return inst, certificate_json(inst, result)


def test_genuine_certificate_is_valid(iris):
    inst, cert = iris
    assert check_certificate(inst, cert).valid


def test_parameter_off_the_grid_is_refused(iris):
    inst, cert = iris
    bad = copy.deepcopy(cert)
    bad["parameters"]["W1"][0][0] = "1/3"   # 3-bit fixed point with 1 fraction bit: k/2
    verdict = check_certificate(inst, bad)
    assert not verdict.valid and "not in the domain" in verdict.reason


def test_parameter_out_of_range_is_refused(iris):
    inst, cert = iris
    bad = copy.deepcopy(cert)
    bad["parameters"]["b1"][0] = "2"        # k = 4 > 3
    assert not check_certificate(inst, bad).valid


def test_changed_parameter_that_breaks_threshold_is_refused(iris):
    inst, cert = iris
    # Find a change of one parameter, still on the grid, that raises the loss above γ;
    # keep the claimed loss so only the recomputation can notice.
    for name in ("W2", "b2", "W1", "b1"):
        rows = cert["parameters"][name]
        cells = ([(r, c) for r in range(len(rows)) for c in range(len(rows[0]))]
                 if name.startswith("W") else [(c,) for c in range(len(rows))])
        for cell in cells:
            for value in ("-2", "-3/2", "-1", "0", "1", "3/2"):
                bad = copy.deepcopy(cert)
                target = bad["parameters"][name]
                if len(cell) == 2:
                    target[cell[0]][cell[1]] = value
                else:
                    target[cell[0]] = value
                verdict = check_certificate(inst, bad)
                if not verdict.valid and "claimed loss" in verdict.reason:
                    bad["loss"] = cert["loss"]
                    fixed_claim = check_certificate(inst, bad)
                    assert not fixed_claim.valid
                    # Claiming the true (too high) loss is refused for the threshold.
                    true_loss = verdict.reason.split("have loss ")[1]
                    bad["loss"] = true_loss
                    refused = check_certificate(inst, bad)
                    if "exceeds the threshold" in refused.reason:
                        return
    pytest.fail("no single-parameter change broke the threshold")


def test_wrong_instance_hash_is_refused(iris):
    inst, cert = iris
    bad = dict(cert, instance_sha256="0" * 64)
    verdict = check_certificate(inst, bad)
    assert not verdict.valid and "hash" in verdict.reason


def test_certificate_for_other_instance_is_refused(iris):
    inst, cert = iris
    other = inst.with_threshold(0)
    assert not check_certificate(other, cert).valid


def test_wrong_claimed_loss_is_refused(iris):
    inst, cert = iris
    bad = dict(cert, loss="0")
    assert "claimed loss" in check_certificate(inst, bad).reason


def test_missing_or_misshapen_parameters_are_refused(iris):
    inst, cert = iris
    bad = copy.deepcopy(cert)
    del bad["parameters"]["W2"]
    assert not check_certificate(inst, bad).valid
    bad = copy.deepcopy(cert)
    bad["parameters"]["W1"] = bad["parameters"]["W1"][:1]
    assert not check_certificate(inst, bad).valid
    bad = copy.deepcopy(cert)
    bad["parameters"]["b2"] = ["1e999999999"]
    assert not check_certificate(inst, bad).valid


def test_fixed_entry_changed_is_refused():
    rng = random.Random(3)
    for _ in range(200):
        inst = random_instance(rng, activations=PIECEWISE_LINEAR)
        if not inst.fixed:
            continue
        result = solve(inst)
        if result.status.value != "sat":
            continue
        cert = certificate_json(inst, result)
        assert check_certificate(inst, cert).valid
        name = sorted(inst.fixed)[0]
        bad = copy.deepcopy(cert)
        entry, fixed = bad["parameters"][name], inst.fixed[name]
        if name.startswith("W"):
            r, c = next((r, c) for r, row in enumerate(fixed) for c, v in enumerate(row)
                        if v is not None)
            entry[r][c] = str(fixed[r][c] + 1)
        else:
            i = next(i for i, v in enumerate(fixed) if v is not None)
            entry[i] = str(fixed[i] + 1)
        verdict = check_certificate(inst, bad)
        assert not verdict.valid and "fixes it" in verdict.reason
        return
    pytest.fail("no sat instance with fixed entries found")


def test_check_command_exit_codes(iris, tmp_path, capsys):
    inst, cert = iris
    good = tmp_path / "good.json"
    good.write_text(json.dumps(cert))
    assert main(["check", IRIS, str(good)]) == 0
    assert capsys.readouterr().out.strip() == "VALID"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(cert, instance_sha256="f" * 64)))
    assert main(["check", IRIS, str(bad)]) == 1
    assert capsys.readouterr().out.startswith("INVALID: ")


def test_solve_then_check_on_random_instances():
    rng = random.Random(5)
    checked = 0
    for _ in range(60):
        inst = random_instance(rng, activations=PIECEWISE_LINEAR)
        result = solve(inst)
        if result.status.value == "sat":
            assert check_certificate(inst, certificate_json(inst, result)).valid
            checked += 1
    assert checked >= 10
