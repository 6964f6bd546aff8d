"""The exact forward pass and every activation and loss against values worked by hand."""

import pytest
from gmpy2 import mpq

from ermsolve.activations import parse_activation
from ermsolve.instance import parse_instance
from ermsolve.network import forward, loss, loss_of_outputs


@pytest.mark.parametrize("name, t, value", [
    ("relu", "-3/2", "0"), ("relu", "5/3", "5/3"), ("relu", "0", "0"),
    ("identity", "-7/3", "-7/3"),
    ("leaky_relu:1/8", "-4", "-1/2"), ("leaky_relu:1/8", "3", "3"),
    ("leaky_relu:-1/2", "-2", "1"),
    ("hardtanh", "-5/2", "-1"), ("hardtanh", "1/3", "1/3"), ("hardtanh", "7", "1"),
    ("square", "-3/2", "9/4"),
    ("poly:[1,-1,1/2]", "3", "5/2"),       # 1 - 3 + 9/2
    ("poly:[0,1,0,-1]", "-2", "6"),        # -2 - (-8)
    ("poly:[2]", "100", "2"),
])
def test_activation_values(name, t, value):
    assert parse_activation(name, "test")(mpq(t)) == mpq(value)


def test_activation_classes():
    assert parse_activation("relu", "t").is_piecewise_linear
    assert parse_activation("poly:[1,2]", "t").is_piecewise_linear
    assert not parse_activation("square", "t").is_piecewise_linear
    assert parse_activation("poly:[0,0,0,3]", "t").degree == 3


def _instance(loss_name, targets, threshold="0", activation="relu"):
    # 1-2-1 network, x in {1, -2}
    return parse_instance({
        "format": "ermbit/1",
        "architecture": {"layers": [1, 2, 1], "activation": activation},
        "domain": {"type": "fixed", "bits": 3, "frac_bits": 1},
        "data": {"inputs": [["1"], ["-2"]], "targets": targets},
        "loss": loss_name, "threshold": threshold,
    })


PARAMS = {"W1": [[mpq(1)], [mpq(-1, 2)]], "b1": [mpq(0), mpq(1, 2)],
          "W2": [[mpq(1), mpq(2)]], "b2": [mpq(-1, 2)]}


def test_forward_by_hand():
    inst = _instance("squared", [["0"], ["0"]])
    # x=1: h = relu(1), relu(0) = (1, 0); f = 1 + 0 - 1/2 = 1/2
    assert forward(inst, PARAMS, [mpq(1)]) == [mpq(1, 2)]
    # x=-2: h = relu(-2), relu(3/2) = (0, 3/2); f = 0 + 3 - 1/2 = 5/2
    assert forward(inst, PARAMS, [mpq(-2)]) == [mpq(5, 2)]


@pytest.mark.parametrize("loss_name, targets, value", [
    ("squared", [["1"], ["2"]], mpq(1, 4)),        # ((-1/2)^2 + (1/2)^2) / 2
    ("absolute", [["1"], ["3"]], mpq(1, 2)),       # (1/2 + 1/2) / 2
    ("max_abs", [["0"], ["1"]], mpq(3, 2)),        # max(1/2, 3/2)
    ("zero_one", [["-1"], ["1"]], mpq(1, 2)),      # first misclassified
])
def test_losses_by_hand(loss_name, targets, value):
    assert loss(_instance(loss_name, targets), PARAMS) == value


def test_zero_output_is_a_zero_one_error():
    assert loss_of_outputs("zero_one", [[mpq(0)], [mpq(1)]], [[mpq(1)], [mpq(1)]]) == mpq(1, 2)


def test_hardtanh_square_network_by_hand():
    inst = _instance("squared", [["0"], ["0"]], activation="hardtanh")
    # x=-2: h = hardtanh(-2), hardtanh(3/2) = (-1, 1); f = -1 + 2 - 1/2 = 1/2
    assert forward(inst, PARAMS, [mpq(-2)]) == [mpq(1, 2)]
