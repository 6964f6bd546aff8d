"""``ermsolve encode INSTANCE --encoding E -o FILE``: write the formula for an external
solver (DIMACS for ``cnf``/``cnf-z3``, SMT-LIB 2 for ``bv``; see :mod:`ermsolve.export`)."""

from __future__ import annotations

from ..export import EXPORTS, export_formula
from ..instance import load_instance


def add_parser(sub) -> None:
    p = sub.add_parser("encode", help="write the formula as DIMACS (.cnf) or SMT-LIB 2 (.smt2)")
    p.add_argument("instance", help="an ermbit/1 JSON file")
    p.add_argument("--encoding", default="cnf", choices=sorted(EXPORTS),
                   help="cnf or cnf-z3 (DIMACS, .cnf/.dimacs), bv (SMT-LIB 2, .smt2); "
                        "default cnf")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="output file; its suffix must match the encoding")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..cli import print_json

    instance = load_instance(args.instance)
    out = export_formula(instance, args.encoding, args.output)
    if args.json:
        print_json({"output": args.output, "encoding": args.encoding, "format": out.kind,
                    "sizes": out.sizes, "cnf_sha256": out.cnf_sha256})
        return 0
    print(f"c wrote {args.output} ({out.kind}, encoding {args.encoding})")
    print("c sizes " + " ".join(f"{k}={v}" for k, v in out.sizes.items()))
    if out.cnf_sha256:
        print(f"c cnf sha256 {out.cnf_sha256}")
    return 0
