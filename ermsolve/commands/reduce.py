"""``ermsolve reduce subset-sum --weights a1,a2,... --target T``: run the hardness chain
(:mod:`ermsolve.hardness.chain`) and print the count read from gradient bits beside the
counts of a model counter and of brute force.

The first line is ``s AGREE`` (exit 0) when the network reproduces the SLP's value, the
gradient is twice it and the three counts are equal; otherwise ``s DISAGREE`` or, when only
the counter's count is missing (``--timeout``), ``s UNKNOWN`` (exit 1 for both).  With
``--method approx`` the counter's count is an ApproxMC estimate and may differ.

``ermsolve reduce slp PROGRAM [--out JSON] [--gradient] [--bits LO:HI]`` compiles an
``slp/1`` file into the ``square`` network of :mod:`ermsolve.hardness.to_network`, checks
its output against the program's value (``s COMPILED``, exit 0; ``s MISMATCH``, exit 1)
and writes the instance.
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

    s = kinds.add_parser("slp", help="compile an slp/1 program into a square network")
    s.add_argument("program", help="an slp/1 text file (format: ermsolve.hardness.slp)")
    s.add_argument("--out", metavar="JSON", help="write the ermbit/1 instance here")
    s.add_argument("--gradient", action="store_true",
                   help="write the instance whose loss gradient is twice the value")
    s.add_argument("--bits", metavar="LO:HI", help="also print bits [LO, HI) of the value")
    s.add_argument("--max-bits", type=int, default=DEFAULT_MAX_BITS, metavar="B",
                   help=f"refuse values of more than B bits (default {DEFAULT_MAX_BITS})")
    s.set_defaults(func=run_slp)


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


#: Largest slp/1 file read.
MAX_PROGRAM_BYTES = 16 * 1024 * 1024


def _read_program(path: str):
    from pathlib import Path

    from ..hardness.slp import parse_slp

    p = Path(path)
    try:
        if p.stat().st_size > MAX_PROGRAM_BYTES:
            raise InstanceError(f"file exceeds {MAX_PROGRAM_BYTES} bytes", path)
        text = p.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InstanceError(f"cannot read file: {exc.strerror or exc}", path) from None
    except UnicodeDecodeError as exc:
        raise InstanceError(f"not UTF-8 text (byte {exc.start})", path) from None
    return parse_slp(text, path)


def _bit_range(text: str) -> tuple[int, int]:
    lo, sep, hi = text.partition(":")
    if not sep:
        raise InstanceError(f"--bits must be LO:HI, got {text!r}")
    lo_v, hi_v = parse_nonnegative(lo, "--bits LO"), parse_nonnegative(hi, "--bits HI")
    if lo_v > hi_v:
        raise InstanceError(f"--bits needs LO <= HI, got {lo_v}:{hi_v}")
    return lo_v, hi_v


def run_slp(args) -> int:
    import json

    from ..fileio import atomic_write_text
    from ..hardness import to_network
    from ..hardness.slp import evaluate, extract_bits
    from ..instance import parse_instance
    from ..network import assemble, forward

    bits = _bit_range(args.bits) if args.bits else None
    prog = _read_program(args.program)
    value = evaluate(prog, max_bits=args.max_bits)
    net = to_network.compile_slp(prog)
    raw = (to_network.gradient_instance(net) if args.gradient
           else to_network.value_instance(net))
    value_inst = parse_instance(to_network.value_instance(net))
    out = forward(value_inst, assemble(value_inst, {}), value_inst.inputs[0])[0]
    inst = parse_instance(raw)
    print("s COMPILED" if out == value else "s MISMATCH")
    print(f"c slp {len(prog)} instructions, multiplicative depth {prog.mul_depth()}; "
          f"value {value.bit_length()} bits")
    print(f"c network square, layers {'-'.join(map(str, inst.layers))}, "
          f"{len(inst.all_parameters())} parameters, gadgets "
          + " ".join(f"{k}={v}" for k, v in net.gadgets.items()))
    if bits:
        print(f"bits {bits[0]}:{bits[1]} {extract_bits(value, *bits)}")
    if args.out:
        atomic_write_text(args.out, json.dumps(raw, indent=1) + "\n")
        print(f"c instance written to {args.out}")
    return 0 if out == value else 1
