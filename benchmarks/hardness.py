"""Measure the hardness chain: bit lengths and times of exact forward + backward passes in
``square`` versus ``relu`` networks of growing depth, and the sizes of the #SubsetSum chain.

Run from the repository root: ``python benchmarks/hardness.py`` — it rewrites
``benchmarks/hardness.md`` (tables) and ``benchmarks/hardness.png`` (plot).  Floats appear
only in timings and in the plot; every measured bit length is exact.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

from gmpy2 import mpq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ermsolve.fileio import atomic_write_bytes, atomic_write_text  # noqa: E402
from ermsolve.hardness import to_network  # noqa: E402
from ermsolve.hardness.backprop import gradient  # noqa: E402
from ermsolve.hardness.slp import evaluate  # noqa: E402
from ermsolve.hardness.subset_sum import subset_sum_slp  # noqa: E402
from ermsolve.instance import parse_instance  # noqa: E402
from ermsolve.network import assemble  # noqa: E402
from ermsolve.rationals import to_str  # noqa: E402

WIDTH = 3
DEPTHS = range(1, 17)
#: Runs per timing (the minimum is reported) when one run takes less than a second.
REPEATS = 3
#: (n, bits of each weight): all weights are 2**b - 1 - i (i = 0..n-1), target = first one.
SUBSET_SUM_CASES = [(n, b) for b in (2, 4, 6, 8, 10, 12) for n in (4, 8, 16, 24)]


def bits(q: mpq) -> int:
    """Bits to write a rational: numerator (magnitude) plus denominator."""
    q = mpq(q)
    return int(abs(q.numerator).bit_length() + q.denominator.bit_length())


def deep_instance(activation: str, depth: int):
    """``1 - 3 - ... - 3 - 1`` with ``depth`` hidden layers, positive fixed weights
    ``((i + 2j + k) mod 4 + 1) / 2`` and biases ``1/3``; input ``x = 3/2``, target 0."""
    layers = [1] + [WIDTH] * depth + [1]
    fixed = {}
    for k in range(1, len(layers)):
        fixed[f"W{k}"] = [[to_str(mpq((i + 2 * j + k) % 4 + 1, 2)) for j in range(layers[k - 1])]
                          for i in range(layers[k])]
        fixed[f"b{k}"] = ["1/3"] * layers[k]
    return parse_instance({
        "format": "ermbit/1",
        "architecture": {"layers": layers, "activation": activation,
                         "output_activation": "identity"},
        "domain": {"type": "fixed", "bits": 2, "frac_bits": 0},
        "data": {"inputs": [["3/2"]], "targets": [["0"]]},
        "loss": "squared", "threshold": "0", "fixed": fixed,
    })


def measure_depth(activation: str, depth: int) -> dict:
    inst = deep_instance(activation, depth)
    params = assemble(inst, {})
    seconds = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        grad = gradient(inst, params)
        seconds = min(seconds, time.perf_counter() - start)
        if seconds > 1:
            break
    from ermsolve.network import preactivations

    zs = preactivations(inst, params, inst.inputs[0])
    act_bits = max(bits(inst.activation(t)) for z in zs[:-1] for t in z) if depth else 0
    return {"activation": activation, "depth": depth,
            "max_value_bits": max(act_bits, max(bits(t) for t in zs[-1])),
            "max_gradient_bits": max(bits(v) for v in grad.values.values()),
            "loss_bits": bits(grad.loss), "seconds": seconds}


def measure_subset_sum(n: int, b: int) -> dict:
    weights = [(1 << b) - 1 - i % (1 << (b - 1)) for i in range(n)]
    target = weights[0]
    start = time.perf_counter()
    prog = subset_sum_slp(weights, target)
    net = to_network.compile_slp(prog.slp)
    inst = parse_instance(to_network.gradient_instance(net))
    theta = to_network.theta_ref(net)
    grad = gradient(inst, assemble(inst, {theta: to_network.theta_point(net)}))
    value = evaluate(prog.slp, max_bits=1 << 30)
    seconds = time.perf_counter() - start
    assert grad[theta] == 2 * value
    return {"n": n, "b": b, "input_bits": sum(w.bit_length() for w in weights),
            "slp_size": len(prog.slp), "slp_depth": prog.slp.mul_depth(),
            "layers": inst.depth, "width": max(inst.layers),
            "parameters": len(inst.all_parameters()), "value_bits": int(value.bit_length()),
            "count": prog.read_count(value), "seconds": seconds}


def depth_table(rows: list[dict]) -> str:
    by = {(r["activation"], r["depth"]): r for r in rows}
    out = ["| depth | square: largest value bits | square: largest gradient bits "
           "| square: seconds | relu: largest value bits | relu: largest gradient bits "
           "| relu: seconds |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for d in sorted({r["depth"] for r in rows}):
        cells = [str(d)]
        for act in ("square", "relu"):
            r = by.get((act, d))
            cells += ([f"{r['max_value_bits']}", f"{r['max_gradient_bits']}",
                       f"{r['seconds']:.4f}"] if r else ["-", "-", "-"])
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def subset_table(rows: list[dict]) -> str:
    out = ["| n | weight bits b | input bits | SLP instructions | SLP depth | affine layers "
           "| max width | parameters | integer bits | count | seconds |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['n']} | {r['b']} | {r['input_bits']} | {r['slp_size']} | "
                   f"{r['slp_depth']} | {r['layers']} | {r['width']} | {r['parameters']} | "
                   f"{r['value_bits']} | {r['count']} | {r['seconds']:.3f} |")
    return "\n".join(out)


def plot(depth_rows: list[dict], subset_rows: list[dict], path: Path) -> None:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    for act, style in (("square", "o-"), ("relu", "s-")):
        rows = [r for r in depth_rows if r["activation"] == act]
        d = [r["depth"] for r in rows]
        axes[0].semilogy(d, [r["max_value_bits"] for r in rows], style, label=f"{act}: values")
        axes[0].semilogy(d, [r["max_gradient_bits"] for r in rows], style, alpha=0.5,
                         label=f"{act}: gradients")
        axes[1].semilogy(d, [max(r["seconds"], 1e-6) for r in rows], style, label=act)
    axes[0].set(xlabel="hidden layers", ylabel="largest bit length (log scale)",
                title=f"width {WIDTH}, fixed weights: bit lengths")
    axes[1].set(xlabel="hidden layers", ylabel="forward + backward seconds (log scale)",
                title="exact backpropagation time")
    for n in sorted({r["n"] for r in subset_rows}):
        rows = [r for r in subset_rows if r["n"] == n]
        axes[2].semilogy([r["slp_depth"] for r in rows], [r["value_bits"] for r in rows],
                         "o-", label=f"n = {n} weights")
        for r in rows:
            axes[2].annotate(f"{r['slp_size']}", (r["slp_depth"], r["value_bits"]),
                             fontsize=6, textcoords="offset points", xytext=(3, -8))
    axes[2].set(xlabel="SLP multiplicative depth (hidden square layers)",
                ylabel="bits of P(2^N) (log scale)",
                title="#SubsetSum chain (labels: SLP instructions)")
    for ax in axes:
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    atomic_write_bytes(path, buf.getvalue())


def main() -> None:
    depth_rows = [measure_depth(act, d) for act in ("square", "relu") for d in DEPTHS]
    subset_rows = [measure_subset_sum(n, b) for n, b in SUBSET_SUM_CASES]
    plot(depth_rows, subset_rows, ROOT / "benchmarks" / "hardness.png")
    text = TEMPLATE.format(
        python=platform.python_version(), machine=platform.machine(), width=WIDTH,
        depth_table=depth_table(depth_rows), subset_table=subset_table(subset_rows))
    atomic_write_text(ROOT / "benchmarks" / "hardness.md", text)
    print("wrote benchmarks/hardness.md and benchmarks/hardness.png")


TEMPLATE = """# Hardness chain: bit lengths and exact backpropagation

Regenerate (tables and plot): `python benchmarks/hardness.py` (from the repository root;
a few minutes, most of it the deepest `square` networks).  Measured on a machine shared
by several jobs (2 cores), Python {python},
{machine}; sizes are kept modest for that reason, and times are noisy.  Times are
wall-clock seconds; bit lengths are exact.  Background: `docs/hardness.md`.

![bit lengths and times](hardness.png)

## Square versus ReLU at the same depth

Networks `1 - {width} - ... - {width} - 1` with `depth` hidden layers, every weight fixed to
`((i + 2j + k) mod 4 + 1) / 2` (row `i`, column `j`, layer `k`), every bias `1/3`, input
`x = 3/2`, squared loss against target 0.  The columns are the largest bit length
(numerator plus denominator) of any pre-activation or activation, the largest of any entry
of the exact loss gradient (all {width}·{width}·depth + ... parameters), and the time of one
exact forward plus backward pass (`ermsolve.hardness.backprop.gradient`; the best of
three runs when one takes under a second).

With `square` every layer doubles the bit length (the squared values and their
denominators `3^(2^depth)`), so bits and time grow like `2^depth`; with `relu` (and these
positive weights every unit is active) a layer adds a constant number of bits, so bits grow
linearly and a backward pass costs polynomially many operations on polynomial-size numbers.

{depth_table}

## The #SubsetSum chain: sizes

Weights `a_i = 2^b - 1 - (i mod 2^(b-1))` (`n` of them, `b` bits each), target `a_1`.
Columns: input bits `Σ bitlength(a_i)`; the SLP (`ermsolve.hardness.subset_sum`); the
gradient network (`to_network.gradient_instance`: affine layers, widest layer, parameters);
the bit length of the integer `P(2^N) = ∏(1 + 2^(N a_i))` (also that of the gradient, minus
one); the count read from the gradient; seconds to build the SLP and the network and
compute the exact gradient.

SLP instructions, layers, width and parameters grow polynomially in `n` and `b` (the SLP
has `O(n b)` instructions, depth `b + O(log n)`); the integer has `N·Σ a_i + 1 ≈ n·(n+2)·2^b`
bits: at fixed `n` every extra weight bit — one more layer — doubles it, i.e. exponential
in the depth.

{subset_table}
"""


if __name__ == "__main__":
    main()
