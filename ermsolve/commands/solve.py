"""``ermsolve solve INSTANCE``: decide an instance, optionally write a certificate."""

from __future__ import annotations

import logging

from ..certificate import write_certificate
from ..instance import load_instance
from ..limits import add_limit_options, limits_from_args
from ..registry import ENCODINGS
from ..result import Status
from ..solve import solve
from . import proof_path_for

log = logging.getLogger(__name__)


def add_parser(sub) -> None:
    from ..cli import _positive_float

    p = sub.add_parser("solve", help="decide whether some assignment reaches loss <= threshold")
    p.add_argument("instance", help="an ermbit/1 JSON file")
    p.add_argument("--encoding", default="bv", choices=sorted(ENCODINGS),
                   help="encoding (default bv)")
    p.add_argument("--solver", default=None, help="backend solver (default: the encoding's)")
    p.add_argument("--timeout", type=_positive_float, default=None, metavar="S",
                   help="wall-clock limit in seconds; past it the answer is unknown")
    p.add_argument("--certificate", metavar="OUT", help="write a certificate (sat or unsat)")
    p.add_argument("--proof", action="store_true",
                   help="log a checkable unsat proof (CNF encodings on proof-logging solvers)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_limit_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..cli import print_json

    instance = load_instance(args.instance)
    proof_path = proof_path_for(args, ".drat")
    result = solve(instance, args.encoding, args.solver, args.timeout, proof_path=proof_path,
                   limits=limits_from_args(args))
    certified = result.status is Status.SAT or (result.status is Status.UNSAT
                                                 and "proof" in result.extra)
    if args.certificate and certified:
        write_certificate(args.certificate, instance, result)
    elif args.certificate and result.status is Status.UNSAT:
        log.warning("no certificate written: an unsat answer is certified only with a proof "
                    "(--encoding cnf --solver cadical195 --proof)")
    if args.json:
        print_json(result.to_json())
    else:
        _print_plain(instance, result, args.certificate)
    return result.status.exit_code


def _print_plain(instance, result, cert_path) -> None:
    print(result.status.line)
    print(f"c instance {instance.name or '-'} sha256 {instance.sha256()[:16]}")
    print(f"c encoding {result.encoding} solver {result.solver} "
          f"time {result.seconds:.3f}s")
    print("c sizes " + " ".join(f"{k}={v}" for k, v in result.sizes.items()))
    if result.reason:
        print(f"c reason {result.reason}")
    if result.status is Status.SAT:
        print(f"c loss {result.loss} <= threshold {instance.threshold}")
        for name, value in result.parameters_json().items():
            print(f"v {name} = {value}")
    if cert_path and (result.status is Status.SAT or "proof" in result.extra):
        print(f"c certificate written to {cert_path}")
