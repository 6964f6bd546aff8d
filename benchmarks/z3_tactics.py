"""Measure how z3 is run on the ``bv`` encoding: tactic pipeline versus z3's default QF_BV
solver, with and without the redundant per-error bounds.  Writes ``benchmarks/z3_tactics.md``.

    python benchmarks/z3_tactics.py [--timeout 60]
"""

from __future__ import annotations

import argparse
import glob
import platform
import time
from pathlib import Path

import z3

from ermsolve.encodings.bv import encode_bv
from ermsolve.instance import load_instance, parse_instance
from ermsolve.lowering import lower

HERE = Path(__file__).resolve().parent


def xor(bits: int, frac: int, hidden: int, threshold: str, loss: str = "squared"):
    return parse_instance({
        "format": "ermbit/1", "name": f"xor-2-{hidden}-1 b{bits}f{frac} {loss}<={threshold}",
        "architecture": {"layers": [2, hidden, 1], "activation": "relu"},
        "domain": {"type": "fixed", "bits": bits, "frac_bits": frac},
        "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
        "loss": loss, "threshold": threshold})


def instances():
    out = [xor(3, 1, 2, "0"), xor(4, 2, 2, "0"), xor(5, 2, 2, "0"), xor(6, 3, 2, "0"),
           xor(4, 1, 1, "1/16"), xor(5, 2, 1, "1/8"), xor(6, 2, 1, "1/8"),
           xor(5, 2, 2, "0", "absolute"), xor(6, 3, 3, "0")]
    for path in sorted(glob.glob(str(HERE / "instances" / "*.json"))):
        out.append(load_instance(path))
    return out


def pipeline(ctx):
    return z3.Then(*(z3.Tactic(t, ctx) for t in ("simplify", "propagate-values", "solve-eqs",
                                                  "bit-blast", "sat")), ctx=ctx).solver()


def run(inst, mode: str, bounds: bool, timeout: float):
    ctx = z3.Context()
    formula = encode_bv(lower(inst, redundant_bounds=bounds).circuit, ctx)
    s = pipeline(ctx) if mode == "bit-blast+sat" else z3.SolverFor("QF_BV", ctx=ctx)
    s.set("timeout", int(timeout * 1000))
    s.add(formula.assertions)
    start = time.perf_counter()
    answer = s.check()
    return str(answer), time.perf_counter() - start, formula.max_width


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    configs = [("bit-blast+sat", True), ("bit-blast+sat", False), ("QF_BV default", True),
               ("QF_BV default", False)]
    rows = []
    for inst in instances():
        cells = []
        for mode, bounds in configs:
            answer, seconds, width = run(inst, mode, bounds, args.timeout)
            cells.append(f"{answer} {seconds:.2f}s (w{width})")
        rows.append(f"| {inst.name} | " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    head = " | ".join(f"{m}, {'bounds' if b else 'no bounds'}" for m, b in configs)
    text = (
        "# How z3 runs the `bv` encoding\n\n"
        "Regenerate: `python benchmarks/z3_tactics.py --timeout "
        f"{args.timeout:g}`\n\n"
        f"Machine: {platform.machine()}, z3 {z3.get_version_string()}, one run each, "
        "measured side by side in one run (2 cores shared with other work, so absolute "
        "times are noisy; compare within a row).  Cells: answer, solve seconds, widest "
        "bit-vector.  `bounds` = the redundant per-error bounds (CLAMP nodes) of "
        "`ermsolve.lowering`.\n\n"
        f"| instance | {head} |\n|---|" + "---|" * len(configs) + "\n" + "\n".join(rows) + "\n")
    (HERE / "z3_tactics.md").write_text(text)


if __name__ == "__main__":
    main()
