"""The cvc5 backend for the ``bv`` encoding.

The circuit is translated directly into cvc5 terms by the shared translator
(:mod:`ermsolve.encodings.bvterms`), so cvc5 sees the same QF_BV formula as z3.

cvc5 runs with eager bit-blasting onto CaDiCaL (options ``bv-solver=bitblast``,
``bitblast=eager``, ``bv-sat-solver=cadical``): with its default lazy bit-blasting it was
seen to time out on satisfiable cases the other solvers decide at once.  ``timeout``
(seconds) becomes ``tlimit-per`` (milliseconds per check), and since cvc5 does not always
honour it promptly, the solve then runs in a child process that is killed shortly after the
deadline; either way the answer is unknown.

Limitations: the ``cvc5`` package is optional; without it this backend raises
:class:`~ermsolve.errors.BackendUnavailableError`.
"""

from __future__ import annotations

import time

from ..encodings.bvterms import read_field, translate
from ..errors import BackendUnavailableError
from ..lowering import Lowered
from ..result import Status
from . import RawOutcome, run_killable

#: cvc5 options set on every solve (besides models and the time limit).
OPTIONS = {"bv-solver": "bitblast", "bitblast": "eager", "bv-sat-solver": "cadical"}

def _import():
    try:
        import cvc5
    except ImportError:
        raise BackendUnavailableError("solver 'cvc5' needs the Python package cvc5 "
                                      "(pip install cvc5); or use --solver z3") from None
    return cvc5


class Cvc5Terms:
    """:class:`~ermsolve.encodings.bvterms.TermBuilder` over a cvc5 term manager."""

    def __init__(self, cvc5, tm):
        self.tm, self.k = tm, cvc5.Kind
        self._sorts: dict[int, object] = {}
        self._ops: dict[tuple, object] = {}

    def sort(self, width: int):
        if width not in self._sorts:
            self._sorts[width] = self.tm.mkBitVectorSort(width)
        return self._sorts[width]

    def op(self, kind, *indices):
        key = (kind, indices)
        if key not in self._ops:
            self._ops[key] = self.tm.mkOp(kind, *indices)
        return self._ops[key]

    def bv_var(self, name, width):
        return self.tm.mkConst(self.sort(width), name)

    def bv_const(self, value, width):
        return self.tm.mkBitVector(width, str(value), 10)

    def sign_extend(self, t, extra):
        return self.tm.mkTerm(self.op(self.k.BITVECTOR_SIGN_EXTEND, extra), t)

    def zero_extend(self, t, extra):
        return self.tm.mkTerm(self.op(self.k.BITVECTOR_ZERO_EXTEND, extra), t)

    def low_bits(self, t, width):
        return self.tm.mkTerm(self.op(self.k.BITVECTOR_EXTRACT, width - 1, 0), t)

    def add(self, terms):
        return self.tm.mkTerm(self.k.BITVECTOR_ADD, *terms)

    def mul(self, a, b):
        return self.tm.mkTerm(self.k.BITVECTOR_MULT, a, b)

    def ite(self, c, a, b):
        return self.tm.mkTerm(self.k.ITE, c, a, b)

    def sle(self, a, b):
        return self.tm.mkTerm(self.k.BITVECTOR_SLE, a, b)

    def ule(self, a, b):
        return self.tm.mkTerm(self.k.BITVECTOR_ULE, a, b)

    def eq(self, a, b):
        return self.tm.mkTerm(self.k.EQUAL, a, b)

    def and_(self, terms):
        return self.tm.mkTerm(self.k.AND, *terms)

    def or_(self, terms):
        return self.tm.mkTerm(self.k.OR, *terms)

    def not_(self, t):
        return self.tm.mkTerm(self.k.NOT, t)

    def true(self):
        return self.tm.mkTrue()

    def false(self):
        return self.tm.mkFalse()


def _solve(lowered: Lowered, timeout: float | None) -> RawOutcome:
    cvc5 = _import()
    tm = cvc5.TermManager()
    engine = cvc5.Solver(tm)
    engine.setLogic("QF_BV")
    engine.setOption("produce-models", "true")
    for key, value in OPTIONS.items():
        engine.setOption(key, value)
    if timeout is not None:
        engine.setOption("tlimit-per", str(max(1, int(timeout * 1000))))
    start = time.perf_counter()
    formula = translate(lowered.circuit, Cvc5Terms(cvc5, tm))
    for a in formula.assertions:
        engine.assertFormula(a)
    sizes = {"assertions": len(formula.assertions), "max_width": formula.max_width,
             "leaves": len(formula.leaves)}
    middle = time.perf_counter()
    answer = engine.checkSat()
    extra = {"encode_seconds": middle - start, "solve_seconds": time.perf_counter() - middle}
    if answer.isSat():
        values = {name: read_field(int(engine.getValue(leaf.term).getBitVectorValue(2), 2),
                                   leaf.bits, leaf.signed)
                  for name, leaf in formula.leaves.items()}
        return RawOutcome(Status.SAT, values, sizes, extra)
    if answer.isUnsat():
        return RawOutcome(Status.UNSAT, None, sizes, extra)
    return RawOutcome(Status.UNKNOWN, None, sizes, extra,
                      reason=str(answer.getUnknownExplanation()) or "cvc5 answered unknown")


def run_cvc5(lowered: Lowered, solver: str, timeout: float | None, **_options) -> RawOutcome:
    """Decide the ``bv`` formula of ``lowered`` with cvc5 (eager bit-blasting).

    The solve runs in a forked child process (:func:`~ermsolve.backends.run_killable`),
    killed shortly after ``timeout`` if cvc5's own limit has not stopped it (its eager
    bit-blaster was seen to overrun ``tlimit-per`` several times over), or when the parent
    is interrupted (Ctrl-C: cvc5 ignores SIGINT)."""
    _import()  # fail here, with the install hint, rather than in the child
    return run_killable("cvc5", _solve, (lowered, timeout), timeout)
