"""The bit-growth report: ReLU grows linearly in depth, degree d multiplies by about d."""

from __future__ import annotations

from ermsolve.bitgrowth import measure, to_markdown


def test_relu_linear_square_doubling():
    relu = [measure("relu", d).circuit_bits for d in range(1, 6)]
    square = [measure("square", d).circuit_bits for d in range(1, 6)]
    steps = [b - a for a, b in zip(relu, relu[1:])]
    assert max(steps) - min(steps) <= 1 and min(steps) > 0
    for a, b in zip(square[1:], square[2:]):
        assert 2 * a <= b <= 2 * a + 16


def test_exact_value_fits_circuit_width():
    for act in ("relu", "square", "poly:[0,0,0,1]"):
        for d in (1, 3):
            row = measure(act, d)
            assert row.value_bits + 1 <= row.circuit_bits


def test_markdown_names_the_command():
    rows = [measure("relu", 1), measure("square", 1)]
    text = to_markdown(rows, "python scripts/bitgrowth.py", {"width": 2, "bits": 4,
                                                            "frac_bits": 1, "x_max": "3"})
    assert "Regenerate: `python scripts/bitgrowth.py`" in text
