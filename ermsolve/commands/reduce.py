"""``ermsolve reduce subset-sum --weights a1,a2,... --target T``: run the hardness chain
(:mod:`ermsolve.hardness.chain`) and print the count read from gradient bits beside the
counts of a model counter and of brute force.

The first line is ``s AGREE`` (exit 0) when the network reproduces the SLP's value, the
gradient is twice it and the three counts are equal; otherwise ``s DISAGREE`` or, when only
the counter's count is missing (``--timeout``), ``s UNKNOWN`` (exit 1 for both).  With
``--method approx`` the counter's count is an ApproxMC estimate and may differ.
"""

from __future__ import annotations

import re

from ..errors import InstanceError

_NONNEG = re.compile(r"^\+?\d{1,12}$")


def add_parser(sub) -> None:
    from ..cli import _positive_float
    from ..counting import CNF_METHODS
    from ..hardness.chain import DEFAULT_MAX_BITS

    p = sub.add_parser("reduce", help="run a hardness reduction (a #P count read off the "
                       "bits of a polynomial network's loss gradient)")
    kinds = p.add_subparsers(dest="problem", required=True)
    q = kinds.add_parser("subset-sum", help="#SubsetSum -> SLP -> square network -> gradient")
    q.add_argument("--weights", required=True, metavar="A1,A2,...",
                   help="nonnegative integer weights, comma-separated (at most 24, each "
                        "at most 2**20)")
    q.add_argument("--target", required=True, metavar="T", help="nonnegative integer target")
    q.add_argument("--method", default="exact", choices=CNF_METHODS,
                   help="model-counting method for count_counter (default exact: Ganak)")
    q.add_argument("--timeout", type=_positive_float, default=None, metavar="S",
                   help="wall-clock limit of the model counter in seconds")
    q.add_argument("--max-bits", type=int, default=DEFAULT_MAX_BITS, metavar="B",
                   help=f"refuse when the integer would exceed B bits (default "
                        f"{DEFAULT_MAX_BITS})")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(func=run)


def parse_nonnegative(text: str, what: str) -> int:
    """A nonnegative decimal integer of at most 12 digits (``InstanceError`` otherwise)."""
    token = text.strip()
    if token.startswith("-") and _NONNEG.match(token[1:]):
        raise InstanceError(f"{what} must be nonnegative, got {token}")
    if not _NONNEG.match(token):
        shown = token if len(token) <= 20 else token[:17] + "..."
        raise InstanceError(f"{what} must be a nonnegative integer, got {shown!r}")
    return int(token)


def parse_weights(text: str) -> list[int]:
    if not text.strip():
        raise InstanceError("--weights is empty; give at least one weight, e.g. 3,5,8")
    parts = text.split(",")
    if len(parts) > 1000:
        raise InstanceError(f"{len(parts)} weights exceed the limit of 24")
    return [parse_nonnegative(t, f"weight {i + 1}") for i, t in enumerate(parts)]


def run(args) -> int:
    from ..cli import print_json
    from ..hardness.chain import run_chain

    weights = parse_weights(args.weights)
    target = parse_nonnegative(args.target, "--target")
    report = run_chain(weights, target, method=args.method, timeout=args.timeout,
                       max_bits=args.max_bits)
    if args.json:
        print_json(report.to_json())
    else:
        _print_plain(report)
    return 0 if report.agree else 1


def _print_plain(r) -> None:
    n = len(r.weights)
    others_agree = (r.network_matches_slp and r.gradient_is_twice_value
                    and r.count_gradient == r.count_brute)
    if r.agree:
        print("s AGREE")
    elif r.count_counter is None and others_agree:
        print("s UNKNOWN (the counter timed out; gradient and brute force agree)")
    else:
        print("s DISAGREE")
    print(f"c subset-sum n={n} target={r.target} weights={','.join(map(str, r.weights))}")
    print(f"c slp {r.slp_size} instructions, {r.slp_mul} multiplications, "
          f"multiplicative depth {r.slp_depth}")
    print(f"c network square, layers {'-'.join(map(str, r.layers))} "
          f"({len(r.layers) - 1} affine layers, {r.parameters} parameters, one free)")
    print(f"c integer P(2^N) = prod (1 + 2^(N a_i)), N = {r.block_bits}: {r.value_bits} bits; "
          f"network output equals it: {r.network_matches_slp}")
    print(f"c gradient dL/dtheta = 2 P(2^N) ({r.gradient_bits} bits): "
          f"{r.gradient_is_twice_value}; count = its bits "
          f"[{r.block_bits * r.target + 1}, {r.block_bits * (r.target + 1) + 1})")
    c = r.counter
    print(f"c counter {c['method']} on {c['clauses']} clauses ({c['encoding']}); "
          f"{c['guarantee']}")
    print("c seconds " + " ".join(f"{k}={v:.3f}" for k, v in r.seconds.items()))
    print(f"count_gradient {r.count_gradient}")
    print(f"count_counter {'unknown (timeout)' if r.count_counter is None else r.count_counter}")
    print(f"count_brute {r.count_brute}")
