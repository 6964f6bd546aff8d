"""``ermsolve gen FAMILY -n COUNT --seed S -o DIR``: generate benchmark instances (see
:mod:`ermsolve.families` for the families, the sweep syntax and the manifest)."""

from __future__ import annotations

from ..families import FAMILIES, REAL_DATA, FamilyOptions, generate, parse_sweep

SWEEPS = ("width", "depth", "bits", "samples")


def add_parser(sub) -> None:
    p = sub.add_parser("gen", help="generate a benchmark family with a manifest")
    p.add_argument("family", choices=FAMILIES)
    p.add_argument("-n", "--count", type=int, default=1,
                   help="instances per sweep combination (default 1)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    p.add_argument("--width", default="2", help="hidden width: N, LO:HI[:STEP] or a list")
    p.add_argument("--depth", default="1", help="hidden layers (0: linear model)")
    p.add_argument("--bits", default=None,
                   help="parity: input bits; others: fixed-point weight bits (fixed:B:0)")
    p.add_argument("--samples", default="4", help="training rows (not used by parity)")
    p.add_argument("--inputs", type=int, default=2, help="input features (planted, "
                   "random-labels)")
    p.add_argument("--domain", default=None,
                   help="weight domain fixed:B:F | rational:A:C | set:V1,V2,... (overrides "
                   "--bits for the weights)")
    p.add_argument("--activation", default="relu", help="hidden activation (default relu)")
    p.add_argument("--loss", default=None,
                   help="planted/real loss (default zero_one; parity, random-labels: zero_one)")
    p.add_argument("--threshold", default="0", help="loss threshold (planted: always 0)")
    p.add_argument("--dataset", default="iris", choices=sorted(REAL_DATA),
                   help="real: which data set and class pair")
    p.add_argument("--frac-bits", type=int, default=1, help="real: feature grid 2**-F")
    p.add_argument("--data-dir", default=None,
                   help="real: folder with iris.csv and wine.csv (default: benchmarks/data "
                   "of the source tree)")
    p.add_argument("--brute-points", type=int, default=20_000,
                   help="largest grid for the exact forward-pass brute force in the manifest")
    p.add_argument("--grid-points", type=int, default=2_000_000,
                   help="largest grid for the vectorized brute force in the manifest")
    p.set_defaults(func=run)


def run(args) -> int:
    sweeps = {k: parse_sweep(getattr(args, k), f"--{k}") for k in SWEEPS
              if getattr(args, k) is not None}
    opts = FamilyOptions(inputs=args.inputs, domain=args.domain, activation=args.activation,
                         loss=args.loss, threshold=args.threshold, dataset=args.dataset,
                         frac_bits=args.frac_bits, extra={"data_dir": args.data_dir})
    entries = generate(args.family, args.count, args.seed, args.output, sweeps, opts,
                       args.brute_points, args.grid_points)
    known = sum(1 for e in entries if e["expected"] is not None)
    print(f"c wrote {len(entries)} instances to {args.output} ({known} with a known answer)")
    return 0
