"""SMT-LIB 2 export of the ``bv`` encoding: a standalone QF_BV script.

The formula is the one z3, Bitwuzla and cvc5 receive (the shared translator of
:mod:`ermsolve.encodings.bvterms`), written as text::

    ; ermsolve bv encoding
    ; leaf W1_0_0.k signed 3 bits
    (set-option :produce-models true)
    (set-logic QF_BV)
    (declare-fun W1_0_0.k () (_ BitVec 3))
    (define-fun t!1 () (_ BitVec 5) ((_ sign_extend 2) W1_0_0.k))
    ...
    (assert ...)
    (check-sat)
    (get-model)
    (exit)

Each leaf is declared with exactly its field width under its leaf name, so the model a
solver prints for ``(get-model)`` maps back to leaf values (``ermsolve model`` reads it):
the bit pattern of leaf ``x`` read as two's complement when the ``; leaf`` comment says
``signed``, as an unsigned number otherwise.  Every compound term is given a name by a
nullary ``define-fun`` (``t!<n>``) so the shared DAG stays linear in size; these are
macros, not declarations, so they do not appear in a model.

Limitations: symbols that are not SMT-LIB simple symbols are quoted ``|...|``; leaf names
of ermsolve instances never need it.
"""

from __future__ import annotations

import re

from ..circuit import Circuit
from .bvterms import BVTerms, translate

_SIMPLE = re.compile(r"[A-Za-z~!@$%^&*_+=<>.?/\-][0-9A-Za-z~!@$%^&*_+=<>.?/\-]*")


def symbol(name: str) -> str:
    """``name`` as an SMT-LIB symbol (quoted when it is not a simple symbol)."""
    return name if _SIMPLE.fullmatch(name) else f"|{name}|"


def _sort(width: int | None) -> str:
    return "Bool" if width is None else f"(_ BitVec {width})"


class TextTerms:
    """:class:`~ermsolve.encodings.bvterms.TermBuilder` producing SMT-LIB text: every term
    is a string; compound terms become ``define-fun`` lines in :attr:`lines`."""

    def __init__(self):
        self.lines: list[str] = []
        self.declarations: list[str] = []
        self.width: dict[str, int | None] = {}
        self._names: dict[str, str] = {}

    def _define(self, body: str, width: int | None) -> str:
        if body in self._names:
            return self._names[body]
        name = f"t!{len(self._names) + 1}"
        self.lines.append(f"(define-fun {name} () {_sort(width)} {body})")
        self._names[body] = name
        self.width[name] = width
        return name

    def bv_var(self, name, width):
        sym = symbol(name)
        self.declarations.append(f"(declare-fun {sym} () {_sort(width)})")
        self.width[sym] = width
        return sym

    def bv_const(self, value, width):
        text = f"(_ bv{value} {width})"
        self.width[text] = width
        return text

    def sign_extend(self, t, extra):
        return self._define(f"((_ sign_extend {extra}) {t})", self.width[t] + extra)

    def zero_extend(self, t, extra):
        return self._define(f"((_ zero_extend {extra}) {t})", self.width[t] + extra)

    def low_bits(self, t, width):
        return self._define(f"((_ extract {width - 1} 0) {t})", width)

    def add(self, terms):
        return self._define(f"(bvadd {' '.join(terms)})", self.width[terms[0]])

    def mul(self, a, b):
        return self._define(f"(bvmul {a} {b})", self.width[a])

    def ite(self, c, a, b):
        return self._define(f"(ite {c} {a} {b})", self.width[a])

    def sle(self, a, b):
        return self._define(f"(bvsle {a} {b})", None)

    def ule(self, a, b):
        return self._define(f"(bvule {a} {b})", None)

    def eq(self, a, b):
        return self._define(f"(= {a} {b})", None)

    def and_(self, terms):
        return self._define(f"(and {' '.join(terms)})", None)

    def or_(self, terms):
        return self._define(f"(or {' '.join(terms)})", None)

    def not_(self, t):
        return self._define(f"(not {t})", None)

    def true(self):
        return "true"

    def false(self):
        return "false"


def bv_smtlib(lowered) -> tuple[str, BVTerms]:
    """The QF_BV script of ``lowered.circuit`` (or a bare circuit) and its translated
    formula (whose leaves give names, widths and signedness)."""
    circuit = lowered if isinstance(lowered, Circuit) else lowered.circuit
    builder = TextTerms()
    formula = translate(circuit, builder)
    head = ["; ermsolve bv encoding (QF_BV); leaf values are the fields' bit patterns"]
    head += [f"; leaf {name} {'signed' if leaf.signed else 'unsigned'} {leaf.bits} bits"
             for name, leaf in formula.leaves.items()]
    head += ["(set-option :produce-models true)", "(set-logic QF_BV)"]
    body = builder.declarations + builder.lines
    body += [f"(assert {a})" for a in formula.assertions]
    body += ["(check-sat)", "(get-model)", "(exit)"]
    return "\n".join(head + body) + "\n", formula
