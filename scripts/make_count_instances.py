"""Write the counting benchmark instances of benchmarks/counting.md (2^30-point grids).

Usage: python scripts/make_count_instances.py  (writes benchmarks/counting/*.json)
Random integer data in [-3, 3] (seed 1), fixed domain k/2 with 3 or 6 bits per parameter.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from ermsolve.fileio import atomic_write_text

OUT = Path(__file__).resolve().parent.parent / "benchmarks" / "counting"


def make(d0, hidden, act, bits, m, loss, threshold):
    rng = random.Random(1)
    xs = [[str(rng.randint(-3, 3)) for _ in range(d0)] for _ in range(m)]
    if loss == "zero_one":
        ys = [[rng.choice(["-1", "1"])] for _ in range(m)]
    else:
        ys = [[str(rng.randint(-2, 2))] for _ in range(m)]
    name = f"count-{d0}-{'-'.join(map(str, hidden))}-{act}-{bits}b-{m}s"
    return {"format": "ermbit/1", "name": name,
            "architecture": {"layers": [d0, *hidden, 1], "activation": act},
            "domain": {"type": "fixed", "bits": bits, "frac_bits": 1},
            "data": {"inputs": xs, "targets": ys}, "loss": loss, "threshold": threshold}


INSTANCES = {
    "linear_9in_zero_one_30bit": (9, [], "relu", 3, 10, "zero_one", "3/10"),
    "relu_2-1-1_squared_30bit": (2, [1], "relu", 6, 6, "squared", "2"),
    "relu_2-1-1_squared_30bit_tight": (2, [1], "relu", 6, 6, "squared", "1"),
}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for fname, spec in INSTANCES.items():
        atomic_write_text(OUT / f"{fname}.json", json.dumps(make(*spec), indent=1) + "\n")
    print(f"wrote {len(INSTANCES)} instances to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
