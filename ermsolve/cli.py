"""The ``ermsolve`` command line: a thin layer over the Python API.

Output follows the SAT-competition convention: ``s`` status lines, ``c`` comments; ``--json``
prints one JSON object instead.  Any bad input gives one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from . import __version__
from .errors import ErmsolveError
from .rationals import to_str

log = logging.getLogger("ermsolve")

#: Subcommand modules; each has ``add_parser(subparsers)`` that sets ``func``.
COMMAND_MODULES = ("ermsolve.commands.solve", "ermsolve.commands.check",
                   "ermsolve.datasets", "ermsolve.commands.gen",
                   "ermsolve.commands.bench", "ermsolve.commands.encode",
                   "ermsolve.commands.model", "ermsolve.commands.reduce",
                   "ermsolve.commands.optimize", "ermsolve.commands.count")


def _positive_float(text: str) -> float:
    # Timeouts are wall-clock limits, not part of any exact computation.
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive finite number: {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        # One line, exit code 2 (argparse's own usage dump is multi-line).
        sys.stderr.write(f"ermsolve: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = _Parser(prog="ermsolve", description="Exact finite-precision network training "
                     "(ERM_bit): decide, certify, count.")
    parser.add_argument("--version", action="version", version=f"ermsolve {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(sub)
    return parser


def is_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` is a Ctrl-C: a ``KeyboardInterrupt``, or the error PySAT's solvers
    raise from their own SIGINT handler (``pysolvers.error: Caught keyboard interrupt``)."""
    return isinstance(exc, KeyboardInterrupt) or "Caught keyboard interrupt" in str(exc)


def print_json(obj) -> None:
    print(json.dumps(obj, indent=1, default=to_str))


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except KeyboardInterrupt:  # Ctrl-C while the backends' packages are still importing
        sys.stderr.write("ermsolve: interrupted\n")
        return 130
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2),
                        format="c %(name)s: %(message)s", stream=sys.stderr)
    try:
        if getattr(args, "memory_limit", None):
            from .limits import set_memory_limit
            set_memory_limit(args.memory_limit)
        return int(args.func(args) or 0)
    except ErmsolveError as exc:
        sys.stderr.write(f"ermsolve: error: {exc}\n")
        return 2
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("ermsolve: interrupted\n")
        return 130
    except RecursionError:
        sys.stderr.write("ermsolve: error: input nested too deeply\n")
        return 2
    except MemoryError:
        sys.stderr.write("ermsolve: error: out of memory (the instance is too large)\n")
        return 2
    except Exception as exc:
        if not is_interrupt(exc):
            raise
        sys.stderr.write("ermsolve: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
