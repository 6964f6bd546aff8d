"""Encoding ``nia``: the naive integer encoding (z3, QF_NIA), kept as the baseline.

This is the formula a user would write by hand: one integer variable per parameter leaf with
its range, every product written as integer multiplication ``x * y``, activations as
``If``, the loss as the plain inequality.  No product is linearized and no bit is
introduced, so z3 must decide nonlinear integer arithmetic; it differs from ``lia`` only in
:meth:`NaiveTranslator._mul`.

The CLAMP bounds of the circuit are still asserted: the circuit builder has already used
them to simplify what follows (a loss comparison whose interval lies wholly on one side
becomes TRUE), so leaving them out would change the answer.  A regression test keeps an
instance where that happened.

Limitations: nonlinear integer arithmetic is undecidable in general; z3's procedure for it is
complete here only because every leaf is bounded, and it may answer unknown.
"""

from __future__ import annotations

import z3

from ..circuit import Circuit, Node
from .lia import IntFormula, IntTranslator, translate


class NaiveTranslator(IntTranslator):
    """Products as ``x * y``."""

    def _mul(self, n: Node) -> str:
        x, y = n.args
        return f"(* {self.ref(x)} {self.ref(y)})"


def encode_nia(circuit: Circuit, ctx: z3.Context | None = None) -> IntFormula:
    """Translate ``circuit`` into QF_NIA assertions (see the module docstring)."""
    return translate(circuit, NaiveTranslator(), "QF_NIA", ctx)
