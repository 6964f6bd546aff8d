"""``ermsolve check INSTANCE CERTIFICATE``: the independent verifier."""

from __future__ import annotations

from ..certificate import read_certificate
from ..checker import check_certificate
from ..instance import load_instance


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="verify a certificate (prints VALID or INVALID: reason)")
    p.add_argument("instance", help="the ermbit/1 instance the certificate answers")
    p.add_argument("certificate", help="an ermbit-certificate/1 file")
    p.add_argument("--proof-checker", choices=("drup", "dratify", "both"), default="drup",
                   help="checker for unsat and optimality proofs: drup (verified, default), "
                        "dratify (independent second opinion) or both (must agree)")
    p.set_defaults(func=run)


def run(args) -> int:
    instance = load_instance(args.instance)
    cert = read_certificate(args.certificate)
    verdict = check_certificate(instance, cert, args.certificate,
                                proof_checker=args.proof_checker)  # optimal certificates
    if (verdict.valid and cert.get("status") == "unsat"
            and args.proof_checker != "drup"):
        from ..proofs import check_unsat_certificate

        verdict = check_unsat_certificate(instance, cert, args.certificate,
                                          checker=args.proof_checker)
    print(verdict)
    return 0 if verdict.valid else 1
