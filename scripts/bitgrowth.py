"""Regenerate benchmarks/bitgrowth.md and benchmarks/bitgrowth.png (see ermsolve.bitgrowth).

Usage: python scripts/bitgrowth.py [--depth D] [--width W] [--bits B] [--frac-bits F]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ermsolve.bitgrowth import DEFAULT_ACTIVATIONS, plot, report, to_markdown
from ermsolve.fileio import atomic_write_text

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depth", type=int, default=8, help="largest depth (default 8)")
    ap.add_argument("--width", type=int, default=2, help="hidden width (default 2)")
    ap.add_argument("--bits", type=int, default=4, help="fixed-point bits (default 4)")
    ap.add_argument("--frac-bits", type=int, default=1, help="fraction bits (default 1)")
    ap.add_argument("--x-max", default="3", help="every input value (default 3)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "bitgrowth"),
                    help="output path without extension (default benchmarks/bitgrowth)")
    args = ap.parse_args(argv)
    params = {"width": args.width, "bits": args.bits, "frac_bits": args.frac_bits,
              "x_max": args.x_max}
    rows = report(args.depth, DEFAULT_ACTIVATIONS, **params)
    command = "python scripts/bitgrowth.py" + "".join(
        f" {a}" for a in (sys.argv[1:] if argv is None else argv))
    atomic_write_text(args.out + ".md", to_markdown(rows, command, params)
                      + f"\n![bit growth]({Path(args.out).name}.png)\n")
    plot(rows, args.out + ".png")
    print(f"wrote {args.out}.md and {args.out}.png ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
