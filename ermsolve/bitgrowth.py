"""Bit growth of the forward pass: piecewise-linear versus polynomial activations.

For a network of depth ``L`` (``L`` affine layers of width ``w``, one output) every weight
and bias set to the domain value of largest magnitude that the activation keeps (for
``relu`` the largest *positive* value, so no unit is switched off) and every input set to
the largest data value, the forward pass is evaluated exactly (:mod:`ermsolve.network`) and
the value of largest magnitude is measured:

* ``value_bits``: bits of its integer part, ``bit_length(floor(|v|))``;
* ``exact_bits``: bits of its reduced fraction, ``bit_length(|num|) + bit_length(den)``.

Beside it, ``circuit_bits`` is the widest integer the encodings need for the same
architecture with every parameter free, ``lower(instance).circuit.max_width()``: the
worst case over the whole grid, from exact interval arithmetic.

Why the shapes differ.  With ``|x| <= X``, ``|weight| <= A`` and width ``w``, a ReLU layer
maps a bound ``B`` to ``w·A·B + A``: the bit length grows by about ``log2(w·A)`` per layer,
linearly in depth.  A degree-``d`` activation maps ``B`` to about ``(w·A·B)**d``: the bit
length is multiplied by ``d`` per layer, ``d**L`` overall, so degree 2 doubles per layer.

Limitations: one architecture family (constant width, one output, one sample) and one
domain per report; the concrete assignment is an extreme point, not a maximizer of the
forward-pass magnitude over the grid (``circuit_bits`` is the bound that covers the grid).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from gmpy2 import mpq

from .instance import parse_instance
from .lowering import lower
from .network import assemble, preactivations

#: Activations of the default report: piecewise linear versus degree 2 and degree 3.
DEFAULT_ACTIVATIONS = ("relu", "square", "poly:[0,1,1/2]", "poly:[0,0,0,1]")


@dataclass
class GrowthRow:
    activation: str
    depth: int
    degree: int
    value_bits: int
    exact_bits: int
    circuit_bits: int
    circuit_nodes: int
    seconds: float


def growth_instance(activation: str, depth: int, width: int = 2, bits: int = 4,
                    frac_bits: int = 1, x_max: str = "3"):
    """The instance of one table row: ``depth`` layers ``[width, ..., width, 1]``, every
    parameter free in the fixed domain ``(bits, frac_bits)``, one sample with all inputs
    ``x_max``; the hidden *and* output layers use ``activation``."""
    layers = [width] * depth + [1]
    return parse_instance({
        "format": "ermbit/1",
        "architecture": {"layers": layers, "activation": activation,
                         "output_activation": activation},
        "domain": {"type": "fixed", "bits": bits, "frac_bits": frac_bits},
        "data": {"inputs": [[x_max] * width], "targets": [["0"]]},
        "loss": "squared", "threshold": "1",
    })


def _extreme_value(instance) -> mpq:
    """The domain value of largest magnitude that keeps units on: the most positive value
    for activations that switch off negative inputs (ReLU-like), else the most negative."""
    values = list(instance.domain.values())
    if instance.activation.kind in ("relu", "leaky_relu", "hardtanh"):
        return max(values)
    return max(values, key=lambda v: (abs(v), -v))


def measure(activation: str, depth: int, **kw) -> GrowthRow:
    """One row of the report (module docstring)."""
    start = time.perf_counter()
    inst = growth_instance(activation, depth, **kw)
    a = _extreme_value(inst)
    params = assemble(inst, {ref: a for ref in inst.free_parameters()})
    x = inst.inputs[0]
    values = list(x)
    for z in preactivations(inst, params, x):
        values += z
        values += [inst.activation(t) for t in z]
    big = max(values, key=abs)
    value_bits = int(abs(big.numerator) // big.denominator).bit_length()
    exact_bits = int(abs(big.numerator)).bit_length() + int(big.denominator).bit_length()
    circuit = lower(inst).circuit
    return GrowthRow(activation, depth, inst.activation.degree, value_bits, exact_bits,
                     circuit.max_width(), len(circuit.nodes), time.perf_counter() - start)


def report(max_depth: int = 6, activations=DEFAULT_ACTIVATIONS, **kw) -> list[GrowthRow]:
    return [measure(act, d, **kw) for act in activations for d in range(1, max_depth + 1)]


def to_markdown(rows: list[GrowthRow], command: str, params: dict) -> str:
    lines = [
        "# Bit growth of the forward pass: ReLU versus polynomial activations",
        "",
        f"Regenerate: `{command}`",
        "",
        f"Network: depth L (L affine layers, width {params['width']}, one output), every "
        f"parameter free in the fixed domain bits={params['bits']}, "
        f"frac_bits={params['frac_bits']}; one sample with inputs {params['x_max']}. "
        "*value bits* / *exact bits*: the largest-magnitude value of the exact forward "
        "pass at the extreme assignment (every parameter the largest-magnitude domain value "
        "that keeps units on), integer-part bits / bits of the reduced fraction. "
        "*circuit bits*: `lower(instance).circuit.max_width()`, the widest integer any "
        "encoding stores, a bound over the whole grid (exact interval arithmetic).",
        "",
        "| activation | degree | depth | value bits | exact bits | circuit bits | "
        "circuit nodes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| `{r.activation}` | {r.degree} | {r.depth} | {r.value_bits} | "
                     f"{r.exact_bits} | {r.circuit_bits} | {r.circuit_nodes} |")
    lines += ["", _summary(rows), ""]
    return "\n".join(lines)


def _summary(rows: list[GrowthRow]) -> str:
    """Per activation, the increments (linear) or ratios (geometric) of circuit bits."""
    out = ["Per-layer change of *circuit bits* (depth d → d+1):", ""]
    for act in dict.fromkeys(r.activation for r in rows):
        series = [r.circuit_bits for r in rows if r.activation == act]
        steps = [f"+{b - a}" for a, b in zip(series, series[1:])]
        ratios = [f"×{mpq(b, a).numerator / mpq(b, a).denominator:.2f}"
                  for a, b in zip(series, series[1:])]
        out.append(f"- `{act}`: differences {' '.join(steps)}; ratios {' '.join(ratios)}")
    return "\n".join(out)


def plot(rows: list[GrowthRow], path: str) -> None:
    """A log-scale plot of circuit bits and exact value bits against depth."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .fileio import atomic_write_bytes

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for act in dict.fromkeys(r.activation for r in rows):
        sel = [r for r in rows if r.activation == act]
        depths = [r.depth for r in sel]
        line, = ax.plot(depths, [r.circuit_bits for r in sel], marker="o",
                        label=f"{act}: circuit bits")
        ax.plot(depths, [r.exact_bits for r in sel], marker="x", linestyle="--",
                color=line.get_color(), label=f"{act}: exact value bits")
    ax.set_yscale("log", base=2)
    ax.set_xlabel("depth L (affine layers)")
    ax.set_ylabel("bits (log scale)")
    ax.set_title("Bit growth: ReLU linear in depth, degree d multiplies by d per layer")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
