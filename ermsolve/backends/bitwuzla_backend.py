"""The Bitwuzla backend for the ``bv`` encoding.

The circuit is translated directly into Bitwuzla terms by the shared translator
(:mod:`ermsolve.encodings.bvterms`), so Bitwuzla sees the same QF_BV formula as z3.  Bitwuzla
runs with its defaults (bit-blasting onto CaDiCaL, its own preprocessing).  ``timeout``
(seconds) becomes the option ``time-limit-per`` (milliseconds per check) plus a termination
callback on the wall clock; either makes the check answer unknown.

Limitations: the ``bitwuzla`` package is optional; without it this backend raises
:class:`~ermsolve.errors.BackendUnavailableError`.
"""

from __future__ import annotations

import time

from ..encodings.bvterms import read_field, translate
from ..errors import BackendUnavailableError
from ..lowering import Lowered
from ..result import Status
from . import RawOutcome, run_killable


def _import():
    try:
        import bitwuzla
    except ImportError:
        raise BackendUnavailableError("solver 'bitwuzla' needs the Python package bitwuzla "
                                      "(pip install bitwuzla); or use --solver z3") from None
    return bitwuzla


class BitwuzlaTerms:
    """:class:`~ermsolve.encodings.bvterms.TermBuilder` over a Bitwuzla term manager."""

    def __init__(self, bitwuzla, tm):
        self.bz, self.tm, self.k = bitwuzla, tm, bitwuzla.Kind
        self._sorts: dict[int, object] = {}

    def sort(self, width: int):
        if width not in self._sorts:
            self._sorts[width] = self.tm.mk_bv_sort(width)
        return self._sorts[width]

    def bv_var(self, name, width):
        return self.tm.mk_const(self.sort(width), name)

    def bv_const(self, value, width):
        return self.tm.mk_bv_value(self.sort(width), value)

    def sign_extend(self, t, extra):
        return self.tm.mk_term(self.k.BV_SIGN_EXTEND, [t], [extra])

    def zero_extend(self, t, extra):
        return self.tm.mk_term(self.k.BV_ZERO_EXTEND, [t], [extra])

    def low_bits(self, t, width):
        return self.tm.mk_term(self.k.BV_EXTRACT, [t], [width - 1, 0])

    def add(self, terms):
        return self.tm.mk_term(self.k.BV_ADD, terms)

    def mul(self, a, b):
        return self.tm.mk_term(self.k.BV_MUL, [a, b])

    def ite(self, c, a, b):
        return self.tm.mk_term(self.k.ITE, [c, a, b])

    def sle(self, a, b):
        return self.tm.mk_term(self.k.BV_SLE, [a, b])

    def ule(self, a, b):
        return self.tm.mk_term(self.k.BV_ULE, [a, b])

    def eq(self, a, b):
        return self.tm.mk_term(self.k.EQUAL, [a, b])

    def and_(self, terms):
        return self.tm.mk_term(self.k.AND, terms)

    def or_(self, terms):
        return self.tm.mk_term(self.k.OR, terms)

    def not_(self, t):
        return self.tm.mk_term(self.k.NOT, [t])

    def true(self):
        return self.tm.mk_true()

    def false(self):
        return self.tm.mk_false()


class _Deadline:
    """Termination callback: true once the wall-clock deadline has passed."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def __call__(self) -> bool:
        return time.monotonic() > self.end


def run_bitwuzla(lowered: Lowered, solver: str, timeout: float | None,
                 **_options) -> RawOutcome:
    """Decide the ``bv`` formula of ``lowered`` with Bitwuzla.  Bitwuzla does not react to
    SIGINT, so the solve runs in a forked child that Ctrl-C kills
    (:func:`~ermsolve.backends.run_killable`)."""
    _import()  # fail here, with the install hint, rather than in the child
    return run_killable("Bitwuzla", _solve, (lowered, timeout), timeout)


def _solve(lowered: Lowered, timeout: float | None) -> RawOutcome:
    bz = _import()
    tm = bz.TermManager()
    opts = bz.Options()
    opts.set(bz.Option.PRODUCE_MODELS, True)
    if timeout is not None:
        opts.set(bz.Option.TIME_LIMIT_PER, max(1, int(timeout * 1000)))
    start = time.perf_counter()
    formula = translate(lowered.circuit, BitwuzlaTerms(bz, tm))
    engine = bz.Bitwuzla(tm, opts)
    if timeout is not None:
        engine.configure_terminator(_Deadline(timeout))
    if formula.assertions:
        engine.assert_formula(*formula.assertions)
    sizes = {"assertions": len(formula.assertions), "max_width": formula.max_width,
             "leaves": len(formula.leaves)}
    middle = time.perf_counter()
    answer = engine.check_sat()
    extra = {"encode_seconds": middle - start, "solve_seconds": time.perf_counter() - middle}
    if answer == bz.Result.SAT:
        values = {name: read_field(int(engine.get_value(leaf.term).value(2), 2), leaf.bits,
                                   leaf.signed)
                  for name, leaf in formula.leaves.items()}
        return RawOutcome(Status.SAT, values, sizes, extra)
    if answer == bz.Result.UNSAT:
        return RawOutcome(Status.UNSAT, None, sizes, extra)
    reason = "timeout" if timeout is not None else "bitwuzla answered unknown"
    return RawOutcome(Status.UNKNOWN, None, sizes, extra, reason=reason)
