"""``ermsolve bench DIR``: run encodings and solvers over a folder of instances (see
:mod:`ermsolve.bench`)."""

from __future__ import annotations

import sys

from ..bench import configurations, run_benchmark


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def add_parser(sub) -> None:
    from ..cli import _positive_float

    p = sub.add_parser("bench", help="benchmark encodings/solvers on a folder of instances",
                       description="Run every (instance, encoding, solver) in its own "
                       "process on Dask; write results.csv, summary.md and a cactus plot.")
    p.add_argument("folder", metavar="DIR", help="folder of *.json instances (manifest.json "
                   "optional: its expected statuses are checked)")
    p.add_argument("--encodings", default="bv", help="comma list of encodings (default bv)")
    p.add_argument("--solvers", default=None,
                   help="comma list: ENC:SOLVER pairs, solver names (run on every listed "
                   "encoding supporting them) or 'all'; default: each encoding's default")
    p.add_argument("--timeout", type=_positive_float, default=20.0, metavar="S",
                   help="time limit per run in seconds (default 20)")
    p.add_argument("--memory", type=int, default=4096, metavar="MB",
                   help="address-space limit per run (default 4096 MB)")
    p.add_argument("--jobs", type=int, default=2, help="local Dask workers (default 2)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of a running Dask scheduler (instead of a local cluster)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output folder")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import UsageError

    if args.jobs < 1:
        raise UsageError(f"--jobs must be >= 1, got {args.jobs}")
    if args.memory < 64:
        raise UsageError(f"--memory must be >= 64 MB, got {args.memory}")
    pairs = configurations(_names(args.encodings),
                           _names(args.solvers) if args.solvers else None)
    rows, problems = run_benchmark(args.folder, pairs, args.timeout, args.jobs, args.output,
                                   args.memory, args.scheduler, not args.no_progress)
    print(f"c {len(rows)} runs; results in {args.output}/results.csv, summary.md, "
          f"cactus.png/.svg")
    if problems:
        for p in problems:
            sys.stderr.write(f"ermsolve: bench: {p}\n")
        sys.stderr.write(f"ermsolve: bench: FAILED: {len(problems)} problem(s), see "
                         f"{args.output}/summary.md\n")
        return 1
    return 0
