"""Formulas for external solvers, and their answers back to certificates.

:func:`export_formula` writes an instance's formula for any external solver: DIMACS CNF for
the ``cnf`` and ``cnf-z3`` encodings (the parameter-variable map in ``c leaf`` comment
lines), SMT-LIB 2 for ``bv``.  :func:`result_from_model` reads that solver's answer
(:mod:`ermsolve.external`), rebuilds the same encoding deterministically from the instance
to get the map, decodes the parameters and re-checks their loss exactly, giving a
:class:`~ermsolve.result.SolveResult` from which a sat certificate can be written.

What the round trip trusts: nothing of the external solver but its assignment.  The
parameters are decoded through the rebuilt map, their leaf values checked against the
leaf ranges and their loss recomputed by the exact forward pass; an assignment that is not
a model of this instance's encoding is refused.  An external *unsat* answer is only
reported: it comes with no proof here, so no certificate is made from it.

Limitations: the ``cnf`` encoding is rebuilt with its default cardinality encoding, so a
DIMACS file written with another cardinality encoding does not match.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .external import ModelFileError, read_sat_output, read_smt_model
from .fileio import atomic_write_text
from .instance import Instance
from .limits import lower_checked
from .lowering import Lowered
from .network import assemble, loss
from .result import SolveResult, Status

#: Encoding → (file kind, "module:function" building it from a Lowered).
EXPORTS = {
    "cnf": ("dimacs", ".encodings.cnf:encode_cnf"),
    "cnf-z3": ("dimacs", ".encodings.cnf_z3:encode_cnf_z3"),
    "bv": ("smt2", ".encodings.smtlib:bv_smtlib"),
}

#: File suffix → file kind.
SUFFIXES = {".cnf": "dimacs", ".dimacs": "dimacs", ".smt2": "smt2"}


@dataclass
class Exported:
    """What was written: the kind, sizes and (for CNF) the CNF's SHA-256."""

    kind: str
    sizes: dict
    cnf_sha256: str | None = None


def build(lowered: Lowered, encoding: str):
    """The encoding object (CNF encodings) or ``(text, formula)`` (``bv``)."""
    if encoding not in EXPORTS:
        raise UsageError(f"encoding {encoding!r} cannot be exported; exportable: "
                         f"{', '.join(EXPORTS)}")
    module, func = EXPORTS[encoding][1].split(":")
    return getattr(importlib.import_module(module, __package__), func)(lowered)


def export_formula(instance: Instance, encoding: str, path: str | Path) -> Exported:
    """Write the formula of ``instance`` under ``encoding`` to ``path`` (atomically); the
    suffix must match the encoding (``.cnf``/``.dimacs`` for CNF, ``.smt2`` for ``bv``)."""
    kind = SUFFIXES.get(Path(path).suffix.lower())
    if encoding not in EXPORTS:
        raise UsageError(f"encoding {encoding!r} cannot be exported; exportable: "
                         f"{', '.join(EXPORTS)}")
    want = EXPORTS[encoding][0]
    if kind != want:
        suffixes = "/".join(s for s, k in SUFFIXES.items() if k == want)
        raise UsageError(f"encoding {encoding} is written as {suffixes}; got {path}")
    lowered = lower_checked(instance)
    head = f"instance {instance.name or '-'} sha256 {instance.sha256()}"
    if kind == "smt2":
        text, formula = build(lowered, encoding)
        atomic_write_text(path, f"; ermsolve encode --encoding bv: {head}\n" + text)
        return Exported(kind, {"assertions": len(formula.assertions),
                               "leaves": len(formula.leaves)})
    enc = build(lowered, encoding)
    digest = enc.sha256()
    atomic_write_text(path, f"c ermsolve encode --encoding {encoding}: {head}\n"
                            f"c cnf sha256 {digest} (of the text from the next line on)\n"
                      + enc.to_dimacs(comments=True))
    return Exported(kind, {"variables": enc.num_variables, "clauses": enc.num_clauses},
                    digest)


def _leaf_values_from_literals(lowered: Lowered, enc, literals: list[int], where: str):
    top = enc.num_variables
    bad = next((lit for lit in literals if abs(lit) > top), None)
    if bad is not None:
        raise ModelFileError(f"{where}: literal {bad} names a variable beyond the "
                             f"{top} of this encoding (a model of another file?)")
    values = set(literals)
    falsified = sum(1 for cl in enc.cnf.clauses if all(-lit in values for lit in cl))
    return enc.decode(literals), {"variables": top, "clauses": enc.num_clauses,
                                  "clauses_falsified": falsified}


def _leaf_values_from_smt(lowered: Lowered, answer, where: str):
    out, missing, values = {}, 0, answer.values
    for leaf in lowered.circuit.leaves:
        if leaf.name in answer.non_values:
            raise ModelFileError(f"{where}: the model gives {leaf.name} no bit-vector value")
        pattern, width = values.get(leaf.name, (0, leaf.bits))
        missing += leaf.name not in values
        if width != leaf.bits:
            raise ModelFileError(f"{where}: {leaf.name} has {width} bits, the encoding "
                                 f"declares {leaf.bits} (a model of another file?)")
        if leaf.signed and pattern >= 1 << (width - 1):
            pattern -= 1 << width
        out[leaf.name] = pattern
    return out, {"leaves": len(out), "leaves_missing": missing}


def result_from_model(instance: Instance, encoding: str, text: str, where: str,
                      solver: str = "external") -> SolveResult:
    """A :class:`SolveResult` from an external solver's output (see the module docstring);
    raises :class:`~ermsolve.external.ModelFileError` if the text is malformed or its
    assignment is not a model of this instance's encoding."""
    start = time.perf_counter()
    lowered = lower_checked(instance)
    kind = EXPORTS.get(encoding, (None,))[0]
    if kind is None:
        build(lowered, encoding)  # raises the UsageError listing the choices
    answer = (read_sat_output(text, where) if kind == "dimacs"
              else read_smt_model(text, where))
    if answer.status is not Status.SAT:
        return SolveResult(answer.status, encoding, solver, time.perf_counter() - start,
                           reason="answer of an external solver (no proof)")
    if kind == "dimacs":
        leaves, sizes = _leaf_values_from_literals(lowered, build(lowered, encoding),
                                                   answer.literals, where)
    else:
        leaves, sizes = _leaf_values_from_smt(lowered, answer, where)
    for leaf in lowered.circuit.leaves:
        if not leaf.lo <= leaves[leaf.name] <= leaf.hi:
            raise ModelFileError(f"{where}: not a model of this encoding: {leaf.name} = "
                                 f"{leaves[leaf.name]} lies outside [{leaf.lo}, {leaf.hi}]")
    params = assemble(instance, lowered.decode(leaves))
    value = loss(instance, params)
    if value > instance.threshold:
        raise ModelFileError(f"{where}: not a model of this instance's {encoding} encoding: "
                             f"its parameters have loss {value} > threshold "
                             f"{instance.threshold}")
    return SolveResult(Status.SAT, encoding, solver, time.perf_counter() - start,
                       parameters=params, loss=value, sizes=sizes)
