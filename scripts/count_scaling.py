"""Where each counting method stops scaling: a 2-1-1 ReLU network (5 free parameters) in the
fixed domain with b bits per parameter (5b parameter bits), 6 random samples, squared loss.

Usage: python scripts/count_scaling.py [--bits 2,3,4,5,6] [--timeout S] [--out FILE]
Prints one markdown table row per (size, method); a method that timed out is not tried on
larger sizes.  Methods: enumerate (limit 10^5 solutions), exact (Ganak), exact+backbone
(projection bits fixed in all models turned into units first), exact+split (one Ganak run
per assignment of the 5 parameter sign bits), approx (ApproxMC, eps=4/5, delta=1/5).
"""

from __future__ import annotations

import argparse
import random
import sys

from ermsolve.counting import count_cnf, counting_problem
from ermsolve.errors import SizeLimitError
from ermsolve.instance import grid_size, parse_instance


def family(bits: int, samples: int = 6, seed: int = 1):
    rng = random.Random(seed)
    xs = [[str(rng.randint(-3, 3)) for _ in range(2)] for _ in range(samples)]
    ys = [[str(rng.randint(-2, 2))] for _ in range(samples)]
    return parse_instance({
        "format": "ermbit/1", "name": f"scaling-2-1-1-relu-{bits}b",
        "architecture": {"layers": [2, 1, 1], "activation": "relu"},
        "domain": {"type": "fixed", "bits": bits, "frac_bits": 1},
        "data": {"inputs": xs, "targets": ys}, "loss": "squared", "threshold": "2"})


def run_method(problem, name: str, timeout: float):
    sign_bits = [bits[-1] for bits in problem.encoding.leaf_bits.values()]
    opts = {"exact": ("exact", {}), "exact+backbone": ("exact", {"backbone": True}),
            "exact+split": ("exact", {"split": sign_bits}),
            "approx": ("approx", {}), "enumerate": ("enumerate", {"limit": 100_000})}
    method, kw = opts[name]
    try:
        return count_cnf(problem.clauses, problem.projection, method, timeout=timeout, **kw)
    except SizeLimitError:
        return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bits", default="2,3,4,5,6")
    ap.add_argument("--timeout", type=float, default=40.0)
    ap.add_argument("--methods", default="enumerate,exact,exact+backbone,exact+split,approx")
    args = ap.parse_args(argv)
    methods = args.methods.split(",")
    dead: set[str] = set()
    print("| parameter bits | grid | CNF vars / clauses | method | count | seconds |")
    print("|---:|---:|---|---|---:|---:|")
    for b in map(int, args.bits.split(",")):
        inst = family(b)
        problem = counting_problem(inst)
        size = f"{problem.encoding.pool.top} / {len(problem.clauses)}"
        for m in methods:
            if m in dead:
                continue
            r = run_method(problem, m, args.timeout)
            if r is None:
                count, secs = "> 10^5 solutions", "-"
                dead.add(m)
            elif r.count is None:
                count, secs = "timeout", f"> {args.timeout:g}"
                dead.add(m)
            else:
                count, secs = str(r.count), f"{r.seconds:.1f}"
            print(f"| {5 * b} | 2^{(grid_size(inst) - 1).bit_length()} | {size} | {m} | "
                  f"{count} | {secs} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
