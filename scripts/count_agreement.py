"""Run the counting agreement check (tests/test_counting.py::test_counts_agree_300) with a
progress log: one line per instance (architecture, domain, loss, counts, seconds).

Usage: python scripts/count_agreement.py [--seed 7] [-n 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_counting import _agree, agreement_instances  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-n", type=int, default=300)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    kinds: Counter = Counter()
    failures = 0
    for i, inst in enumerate(agreement_instances(args.seed, args.n)):
        t = time.perf_counter()
        try:
            out = _agree(inst)
            status = "ok"
        except AssertionError as exc:
            out, status = exc.args[0] if exc.args else {}, "DISAGREE"
            failures += 1
        kinds[inst.activation.name] += 1
        kinds[inst.domain.type] += 1
        kinds[inst.loss] += 1
        print(f"{i} {status} {list(inst.layers)} {inst.activation.name}/"
              f"{inst.output_activation.name} {inst.domain.type} {inst.loss} {out} "
              f"{time.perf_counter() - t:.1f}s", flush=True)
    print(f"instances {args.n} disagreements {failures} total "
          f"{time.perf_counter() - start:.0f}s coverage {dict(kinds)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
