"""``ermsolve model INSTANCE MODEL_FILE --encoding E``: read an external solver's answer on a
file written by ``ermsolve encode`` and turn a sat answer into a checked certificate."""

from __future__ import annotations

from pathlib import Path

from ..certificate import write_certificate
from ..errors import InstanceError
from ..export import EXPORTS, result_from_model
from ..external import ModelFileError
from ..instance import load_instance
from ..result import Status


def add_parser(sub) -> None:
    p = sub.add_parser("model", help="read an external solver's model (SAT 'v' lines or SMT "
                                     "get-model) into a certificate")
    p.add_argument("instance", help="the ermbit/1 instance the formula was encoded from")
    p.add_argument("model_file", help="the solver's output")
    p.add_argument("--encoding", default="cnf", choices=sorted(EXPORTS),
                   help="the encoding given to 'ermsolve encode' (default cnf)")
    p.add_argument("--solver", default="external", metavar="NAME",
                   help="the external solver's name, recorded in the certificate")
    p.add_argument("--certificate", metavar="OUT", help="write a sat certificate")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InstanceError(f"cannot read: {exc.strerror or exc}", where=path) from None


def run(args) -> int:
    from ..cli import print_json

    instance = load_instance(args.instance)
    result = result_from_model(instance, args.encoding, _read_text(args.model_file),
                               args.model_file, args.solver)
    written = bool(args.certificate and result.status is Status.SAT)
    if written:
        write_certificate(args.certificate, instance, result)
    if args.json:
        out = result.to_json()
        out["certificate"] = args.certificate if written else None
        print_json(out)
        return result.status.exit_code
    print(result.status.line)
    print(f"c model of {args.solver} read as encoding {args.encoding}")
    print("c sizes " + " ".join(f"{k}={v}" for k, v in result.sizes.items()))
    if result.status is Status.SAT:
        print(f"c loss {result.loss} <= threshold {instance.threshold} (re-checked exactly)")
        for name, value in result.parameters_json().items():
            print(f"v {name} = {value}")
        if written:
            print(f"c certificate written to {args.certificate}")
    elif result.status is Status.UNSAT:
        print("c an external unsat answer carries no proof here: no certificate written "
              "(use 'ermsolve solve --encoding cnf --proof' for a checked one)")
    return result.status.exit_code
