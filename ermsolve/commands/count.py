"""``ermsolve count INSTANCE``: how many parameter assignments reach loss <= threshold.

Plain output follows the competition convention: ``s mc <count>`` for an exact count,
``s approx <estimate>`` for ApproxMC, ``s unknown`` after a timeout, then ``c`` lines (method,
time, guarantee).  ``--json`` prints one object instead (:meth:`CountResult.to_json`):
``count`` is a JSON integer of any size (``null`` after a timeout), ``count_text`` the same
number as a string.  ``--export FILE`` writes the projected counting problem in the Model
Counting Competition format (``c t pmc``, ``p cnf``, ``c p show ... 0``) and counts nothing
unless ``--method`` is also given.  Exit code 0 when a count was produced, 1 after a
timeout, 2 on bad input.
"""

from __future__ import annotations

from .. import counting
from ..errors import UsageError
from ..fileio import atomic_write_text
from ..instance import grid_size, load_instance


def add_parser(sub) -> None:
    from ..cli import _positive_float

    p = sub.add_parser("count", help="count the parameter assignments with loss <= threshold")
    p.add_argument("instance", help="an ermbit/1 JSON file")
    p.add_argument("--method", choices=counting.METHODS, default=None,
                   help="exact (Ganak), approx (ApproxMC), enumerate (blocking clauses), "
                   "brute (grid); default: enumerate up to 5000 solutions, then exact for "
                   "CNFs of at most 3000 clauses, approx beyond")
    p.add_argument("--epsilon", default=str(counting.DEFAULT_EPSILON), metavar="E",
                   help="approx tolerance, a rational > 0 (default 4/5)")
    p.add_argument("--delta", default=str(counting.DEFAULT_DELTA), metavar="D",
                   help="approx failure probability, a rational in (0, 1) (default 1/5)")
    p.add_argument("--seed", type=int, default=1, help="counter seed (default 1)")
    p.add_argument("--timeout", type=_positive_float, default=None, metavar="S",
                   help="wall-clock limit in seconds; past it the count is unknown")
    p.add_argument("--max-points", type=int, default=None, metavar="N",
                   help="refuse brute force beyond N grid points (default 2000000)")
    p.add_argument("--export", metavar="FILE",
                   help="write the projected counting problem (MCC format) to FILE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..cli import print_json

    instance = load_instance(args.instance)
    if args.export:
        _export(instance, args.export, args.instance)
        if args.method is None:
            if not args.json:
                print(f"c counting problem written to {args.export}")
            return 0
    if args.method in (None, "approx"):
        _check_rational(args.epsilon, "--epsilon")
        _check_rational(args.delta, "--delta")
    result = counting.count_instance(instance, args.method, epsilon=args.epsilon, delta=args.delta,
                            timeout=args.timeout, seed=args.seed,
                            max_points=args.max_points)
    if args.json:
        body = result.to_json()
        body["instance"] = instance.name
        body["sha256"] = instance.sha256()
        body["grid_size"] = grid_size(instance)  # (p, q) pairs counted with multiplicity
        print_json(body)
    else:
        _print_plain(instance, result)
    return 0 if result.known else 1


def _check_rational(text: str, option: str) -> None:
    from fractions import Fraction

    try:
        Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"{option} must be a rational such as 0.8 or 4/5, got {text!r}") from None


def _export(instance, path: str, source: str) -> None:
    problem = counting.counting_problem(instance)
    comments = [f"ermsolve count --export of {source} (sha256 {instance.sha256()})",
                f"projection: {len(problem.projection)} parameter bits, leaves in canonical "
                "order, lsb first",
                "default fallback after enumeration here: "
                f"{counting.default_method(instance, len(problem.clauses))}"]
    for name, bits in problem.encoding.leaf_bits.items():
        comments.append(f"leaf {name} {' '.join(map(str, bits))}")
    if problem.canonical_clauses:
        comments.append(f"{problem.canonical_clauses} clauses keep only reduced p/q "
                        "(count = distinct rational values)")
    atomic_write_text(path, problem.to_mcc(comments))


def _print_plain(instance, result) -> None:
    if result.count is None:
        print("s unknown")
    elif result.method == "approx":
        print(f"s approx {result.count}")
    else:
        print(f"s mc {result.count}")
    print(f"c instance {instance.name or '-'} sha256 {instance.sha256()[:16]}")
    print(f"c method {result.method} time {result.seconds:.3f}s parameter bits "
          f"{counting.parameter_bits(instance)} grid size {grid_size(instance)}")
    if result.method == "approx" and result.count is not None:
        cells, hashes = result.details.get("cells"), result.details.get("hashes")
        print(f"c estimate = cells {cells} * 2^(hashes {hashes} + dropped "
              f"{result.details.get('dropped_empty_bits', 0)} + free {result.free_bits})")
    print(f"c guarantee {result.guarantee}")
    if "reason" in result.details:
        print(f"c reason {result.details['reason']}")
