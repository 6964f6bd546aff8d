"""Answers of external solvers, read back: SAT-competition output and SMT-LIB models.

Two formats are read, each into a status and an assignment:

* SAT solvers on a DIMACS file written by ``ermsolve encode``: the SAT-competition output
  (``s SATISFIABLE`` / ``s UNSATISFIABLE`` / ``s UNKNOWN``, value lines ``v <lit> ... 0``,
  ``c`` comments, anything else ignored), or MiniSat's result file (first line ``SAT``,
  ``UNSAT`` or ``INDET``, then the literals ending in ``0``).  The assignment is the list
  of literals.
* SMT solvers on a ``.smt2`` file: the answer ``sat`` / ``unsat`` / ``unknown`` and the
  output of ``(get-model)`` — ``(model (define-fun x () (_ BitVec n) v) ...)`` or the
  SMT-LIB 2.6 form ``((define-fun ...) ...)``, values ``#b...``, ``#x...`` or
  ``(_ bvN n)``.  The assignment maps each symbol (``|...|`` quotes removed) to
  ``(pattern, width)``, the value as an unsigned bit pattern; definitions whose body is
  not a value (z3 lists the script's own ``define-fun`` macros in its model) are only
  named in ``non_values``.

Malformed text raises :class:`ModelFileError` naming the line or token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import ErmsolveError
from .result import Status


class ModelFileError(ErmsolveError, ValueError):
    """An external solver's output cannot be read."""


@dataclass
class ExternalAnswer:
    """A status and what the solver assigned (literals, or symbol → (pattern, width))."""

    status: Status
    literals: list[int] = field(default_factory=list)
    values: dict[str, tuple[int, int]] = field(default_factory=dict)
    non_values: set[str] = field(default_factory=set)


_S_LINES = {"SATISFIABLE": Status.SAT, "UNSATISFIABLE": Status.UNSAT, "UNKNOWN": Status.UNKNOWN}
_MINISAT = {"SAT": Status.SAT, "UNSAT": Status.UNSAT, "INDET": Status.UNKNOWN}


def read_sat_output(text: str, where: str = "model file") -> ExternalAnswer:
    """Status and literals from SAT-competition output or a MiniSat result file."""
    lines = text.splitlines()
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if first in _MINISAT:
        return _read_minisat(lines, where)
    status, literals, ended = None, [], False
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts or parts[0] == "c":
            continue
        if parts[0] == "s":
            word = " ".join(parts[1:])
            if word not in _S_LINES:
                raise ModelFileError(f"{where}:{number}: unknown status line {line.strip()!r}")
            if status is not None and status is not _S_LINES[word]:
                raise ModelFileError(f"{where}:{number}: a second, different status line")
            status = _S_LINES[word]
        elif parts[0] == "v":
            if ended:
                raise ModelFileError(f"{where}:{number}: value line after the closing 0")
            for tok in parts[1:]:
                lit = _int_token(tok, where, number)
                if lit == 0:
                    ended = True
                    break
                literals.append(lit)
    if status is None:
        raise ModelFileError(f"{where}: no status line ('s SATISFIABLE' or "
                             f"'s UNSATISFIABLE'); is this a SAT solver's output?")
    if status is Status.SAT and not ended:
        raise ModelFileError(f"{where}: 's SATISFIABLE' but the value lines ('v ... 0') are "
                             f"missing or not closed by 0")
    return ExternalAnswer(status, literals)


def _read_minisat(lines: list[str], where: str) -> ExternalAnswer:
    body = [ln for ln in lines if ln.strip()]
    status = _MINISAT[body[0].strip()]
    literals, ended = [], False
    for number, line in enumerate(body[1:], 2):
        for tok in line.split():
            if ended:
                raise ModelFileError(f"{where}:{number}: text after the closing 0")
            lit = _int_token(tok, where, number)
            if lit == 0:
                ended = True
            else:
                literals.append(lit)
    if status is Status.SAT and not ended:
        raise ModelFileError(f"{where}: 'SAT' but the literals are not closed by 0")
    return ExternalAnswer(status, literals)


def _int_token(tok: str, where: str, number: int) -> int:
    if not re.fullmatch(r"-?\d+", tok):
        raise ModelFileError(f"{where}:{number}: not a literal: {tok!r}")
    return int(tok)


# ----------------------------------------------------------------------- SMT-LIB models

_TOKEN = re.compile(r'\s+|;[^\n]*|\(|\)|\|[^|]*\||"(?:[^"]|"")*"|[^\s()|";]+')


def _tokens(text: str, where: str):
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ModelFileError(f"{where}: unreadable text at character {pos}: "
                                 f"{text[pos:pos + 20]!r}")
        tok = m.group(0)
        pos = m.end()
        if not tok.isspace() and not tok.startswith(";"):
            yield tok


def parse_sexprs(text: str, where: str = "model file") -> list:
    """The s-expressions of ``text`` (lists of strings); ``|x|`` quotes are kept."""
    stack: list[list] = [[]]
    for tok in _tokens(text, where):
        if tok == "(":
            stack.append([])
        elif tok == ")":
            if len(stack) == 1:
                raise ModelFileError(f"{where}: unbalanced ')'")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok)
    if len(stack) != 1:
        raise ModelFileError(f"{where}: unbalanced '(' (the output is cut short?)")
    return stack[0]


def _unquote(sym: str) -> str:
    return sym[1:-1] if len(sym) >= 2 and sym[0] == sym[-1] == "|" else sym


def _bv_value(expr) -> tuple[int, int] | None:
    if isinstance(expr, str) and re.fullmatch(r"#b[01]+", expr):
        return int(expr[2:], 2), len(expr) - 2
    if isinstance(expr, str) and re.fullmatch(r"#x[0-9a-fA-F]+", expr):
        return int(expr[2:], 16), 4 * (len(expr) - 2)
    if (isinstance(expr, list) and len(expr) == 3 and expr[0] == "_"
            and isinstance(expr[1], str) and re.fullmatch(r"bv\d+", expr[1])
            and isinstance(expr[2], str) and expr[2].isdigit()):
        return int(expr[1][2:]), int(expr[2])
    return None


def _show(expr) -> str:
    if isinstance(expr, list):
        return "(" + " ".join(map(_show, expr)) + ")"
    return expr


def _definitions(expr):
    """Every ``(define-fun ...)`` list inside ``expr``."""
    if isinstance(expr, list):
        if expr and expr[0] == "define-fun":
            yield expr
        else:
            for sub in expr:
                yield from _definitions(sub)


def read_smt_model(text: str, where: str = "model file") -> ExternalAnswer:
    """Status and bit-vector constants of an SMT solver's ``check-sat`` / ``get-model``
    output (see the module docstring)."""
    items = parse_sexprs(text, where)
    words = [x for x in items if isinstance(x, str)]
    answers = {"sat": Status.SAT, "unsat": Status.UNSAT, "unknown": Status.UNKNOWN}
    found = [answers[w] for w in words if w in answers]
    if not found:
        raise ModelFileError(f"{where}: no 'sat', 'unsat' or 'unknown' answer; is this the "
                             f"output of an SMT solver on an ermsolve .smt2 file?")
    status = found[0]
    values: dict[str, tuple[int, int]] = {}
    answer_non_values: set[str] = set()
    for d in (d for x in items if isinstance(x, list) for d in _definitions(x)):
        if len(d) != 5 or not isinstance(d[1], str) or d[2] != []:
            raise ModelFileError(f"{where}: unexpected definition {_show(d)[:80]}")
        sort = d[3]
        if sort == "Bool":
            continue
        if not (isinstance(sort, list) and len(sort) == 3 and sort[:2] == ["_", "BitVec"]
                and isinstance(sort[2], str) and sort[2].isdigit()):
            raise ModelFileError(f"{where}: unexpected sort {_show(sort)} of {d[1]}")
        value = _bv_value(d[4])
        if value is None:
            answer_non_values.add(_unquote(d[1]))
            continue
        pattern, width = value
        if width != int(sort[2]) or pattern >= 1 << width:
            raise ModelFileError(f"{where}: value {_show(d[4])} of {d[1]} does not have the "
                                 f"declared width {sort[2]}")
        values[_unquote(d[1])] = (pattern, width)
    if status is Status.SAT and not any(isinstance(x, list) for x in items):
        raise ModelFileError(f"{where}: 'sat' but no model (was (get-model) run?)")
    return ExternalAnswer(status, values=values, non_values=answer_non_values)
