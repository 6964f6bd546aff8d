"""``ermsolve optimize INSTANCE``: the least loss over the domain, certified.

The instance's own threshold is ignored: the question is the minimum of the loss over every
assignment of the domain.  Output follows the MaxSAT-evaluation convention: while it runs,
``c bounds lower=... upper=...`` lines on stderr; at the end ``s OPTIMUM FOUND`` (the bounds
met) or ``s SATISFIABLE`` (stopped by ``--timeout``: the best bounds and the best assignment
found are printed), ``c`` comments and one ``v`` line per parameter; ``--json`` prints one
object (``status``, ``loss``, ``lower``, ``upper``, ``parameters``, ``seconds``, ...).

Exit codes: 30 optimal, 10 bounds only (timeout), 2 bad input.

``--certificate C`` writes an ``optimal`` certificate when the optimum was found and
``--proof`` was given (the DRUP proof that no assignment has a smaller loss is written to
``C.drup``); otherwise an ``upper_bound`` certificate (the witness alone).
"""

from __future__ import annotations

import sys

from ..instance import load_instance
from ..optimize import DEFAULT_STRATEGY, STRATEGIES, optimize
from . import proof_path_for

EXIT_OPTIMAL = 30
EXIT_BOUNDS = 10


def add_parser(sub) -> None:
    from ..cli import _positive_float
    from ..registry import ENCODINGS

    p = sub.add_parser("optimize", help="the least loss over the domain (threshold ignored), "
                       "with a certificate of optimality")
    p.add_argument("instance", help="an ermbit/1 JSON file (its threshold is ignored)")
    p.add_argument("--timeout", type=_positive_float, default=None, metavar="S",
                   help="wall-clock limit in seconds; past it the best bounds are reported")
    p.add_argument("--strategy", default=DEFAULT_STRATEGY, choices=STRATEGIES,
                   help=f"search (default {DEFAULT_STRATEGY}; see benchmarks/optimize.md)")
    p.add_argument("--solver", default=None,
                   help="PySAT solver for the incremental strategies (default cadical195), "
                        "or the --encoding's solver for --strategy restart")
    p.add_argument("--encoding", default="bv", choices=sorted(ENCODINGS),
                   help="encoding of --strategy restart (default bv)")
    p.add_argument("--certificate", metavar="C", help="write a certificate (optimal with "
                   "--proof, else upper_bound)")
    p.add_argument("--proof", action="store_true",
                   help="prove optimality: a DRUP proof of 'no smaller loss', beside C")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=run)


def _progress(lower, upper) -> None:
    sys.stderr.write(f"c bounds lower={lower} upper={upper}\n")
    sys.stderr.flush()


def run(args) -> int:
    from ..cli import is_interrupt, print_json
    from ..optimality import write_optimize_certificate

    instance = load_instance(args.instance)
    proof_path = proof_path_for(args, ".drup")
    seen: list = []

    def on_bounds(lower, upper) -> None:
        seen[:] = [lower, upper]
        if not args.quiet:
            _progress(lower, upper)

    try:
        result = optimize(instance, args.strategy, args.timeout, proof_path, args.solver,
                          args.encoding, on_bounds=on_bounds)
    except (KeyboardInterrupt, Exception) as exc:
        if not is_interrupt(exc):
            raise
        # Ctrl-C: the partial result is the last proven lower and best upper bound.
        if seen:  # as after a timeout: some assignment has loss `upper`
            print("s SATISFIABLE")
            print(f"c interrupted: bounds only, lower={seen[0]} upper={seen[1]}")
        sys.stderr.write("ermsolve: interrupted\n")
        return 130
    if args.certificate:
        write_optimize_certificate(args.certificate, instance, result)
    if args.json:
        print_json(result.to_json())
    else:
        _print_plain(instance, result, args.certificate)
    return EXIT_OPTIMAL if result.status == "optimal" else EXIT_BOUNDS


def _print_plain(instance, result, cert_path) -> None:
    print("s OPTIMUM FOUND" if result.status == "optimal" else "s SATISFIABLE")
    print(f"c instance {instance.name or '-'} sha256 {instance.sha256()[:16]}")
    if result.status == "optimal":
        print(f"c optimum {result.loss}")
    else:
        print(f"c timeout: bounds only, lower={result.lower} upper={result.upper}")
    unsat = sum(s.answer.value == "unsat" for s in result.steps)
    print(f"c strategy {result.strategy} solver {result.solver} steps {len(result.steps)} "
          f"(unsat {unsat}) time {result.seconds:.3f}s")
    print(f"c loss {result.loss} (the loss of the parameters below)")
    for name, value in result.parameters_json().items():
        print(f"v {name} = {value}")
    if cert_path:
        kind = "optimal" if result.proof is not None else "upper_bound"
        print(f"c {kind} certificate written to {cert_path}")
