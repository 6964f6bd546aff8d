"""Encoding ``cnf-z3``: the ``bv`` formula bit-blasted into CNF by z3's own tactics.

A reference for ermsolve's own bit-blaster (:mod:`ermsolve.encodings.cnf`): the same QF_BV
assertions (:func:`ermsolve.encodings.bv.encode_bv`) go through the z3 tactic chain
``simplify → bit-blast → tseitin-cnf`` and the resulting goal is read as DIMACS.

Parameter bits are named before bit-blasting.  Each leaf bit-vector ``x`` of ``B`` bits is
replaced (``z3.substitute``) by ``concat(bit(x#B-1), ..., bit(x#0))`` where ``x#i`` is a
Boolean named after the leaf and ``bit(b)`` is ``if b then #b1 else #b0``.  Without this,
bit-blasting invents anonymous bits for the leaves and z3's DIMACS writer loses the name
comments, so the parameter map could not be read back; with it, ``goal.dimacs()`` prints a
``c <var> <name>`` line for each named atom, which gives the map from parameter bits to CNF
variables.  No tactic in the chain eliminates variables (``solve-eqs`` and
``propagate-values`` are left out on purpose), so a parameter bit that does not occur in
the CNF does not influence satisfiability; it still gets a variable of its own (numbered
after z3's), so every parameter bit has one.

When z3's simplification already decides the goal false, its DIMACS holds the empty
clause; it is replaced by the units ``v`` and ``-v`` of a fresh variable ``v``, so the CNF
stays unsatisfiable and a SAT solver's proof ends, as a proof checker requires, with the
empty clause (derived by unit propagation) rather than being empty.

Decoding: a leaf's value is ``Σ_i b_i 2**i`` over its bits ``x#i`` (true → 1), minus
``2**B`` when the leaf is signed and ``x#(B-1)`` is true — as for ``cnf``.  The DIMACS text
written by :meth:`CNFZ3Encoding.to_dimacs` uses the same ``c leaf`` comment lines as
``cnf``.

Deterministic: the formula is built in a fresh z3 context in circuit order, and z3's
tactics are deterministic, so the same instance gives the same DIMACS text (and SHA-256).

Limitations: z3's ``tseitin-cnf`` output is whatever that tactic produces in the installed
z3 version — the hash of a ``cnf-z3`` CNF is only reproducible on the same z3 version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import z3
from pysat.formula import CNF

from ..circuit import Circuit
from ..errors import ErmsolveError
from .bv import encode_bv
from .cnf import LeafMappedCNF

#: The tactic chain, in order.
TACTICS = ("simplify", "bit-blast", "tseitin-cnf")

_NAME_LINE = re.compile(r"c (\d+) (\S+)")


class Z3CNFError(ErmsolveError, RuntimeError):
    """z3's tactics did not produce a single CNF goal (never expected; a z3 change)."""


def bit_name(leaf: str, i: int) -> str:
    """Name of bit ``i`` (lsb = 0) of a leaf, e.g. ``W1_0_1.k#0``."""
    return f"{leaf}#{i}"


@dataclass
class CNFZ3Encoding(LeafMappedCNF):
    """The CNF z3 produced and the map from leaves to variables (lsb first)."""

    z3_version: str

    def _comments(self) -> list[str]:
        return [f"c ermsolve cnf-z3 encoding (z3 {self.z3_version}: {', '.join(TACTICS)})",
                *self._leaf_lines()]


def _named_bits(ctx: z3.Context, name: str, bv: z3.BitVecRef) -> z3.BitVecRef:
    one, zero = z3.BitVecVal(1, 1, ctx), z3.BitVecVal(0, 1, ctx)
    bits = [z3.If(z3.Bool(bit_name(name, i), ctx), one, zero) for i in range(bv.size())]
    return bits[0] if len(bits) == 1 else z3.Concat(*reversed(bits))


def _parse_goal(text: str) -> tuple[int, list[list[int]], dict[str, int]]:
    """Header variable count, clauses and named atoms of z3's DIMACS text."""
    nv, clauses, names, current = 0, [], {}, []
    for line in text.splitlines():
        if line.startswith("c"):
            m = _NAME_LINE.fullmatch(line.strip())
            if m:
                names[m.group(2)] = int(m.group(1))
            continue
        if line.startswith("p"):
            nv = int(line.split()[2])
            continue
        for tok in line.split():
            lit = int(tok)
            if lit == 0:
                clauses.append(current)
                current = []
            else:
                current.append(lit)
    if current:
        raise Z3CNFError("z3's DIMACS output ends inside a clause")
    return nv, clauses, names


def encode_cnf_z3(lowered) -> CNFZ3Encoding:
    """The CNF of ``lowered.circuit`` (or a bare circuit) through z3's tactics (see the
    module docstring)."""
    circuit = lowered if isinstance(lowered, Circuit) else lowered.circuit
    ctx = z3.Context()
    formula = encode_bv(circuit, ctx)
    subst = [(bv, _named_bits(ctx, name, bv)) for name, bv in formula.leaves.items()]
    goal = z3.Goal(ctx=ctx)
    for a in formula.assertions:
        goal.add(z3.substitute(a, *subst) if subst else a)
    chain = z3.Then(*(z3.Tactic(t, ctx) for t in TACTICS), ctx=ctx)
    result = chain(goal)
    if len(result) != 1:
        raise Z3CNFError(f"z3's tactics gave {len(result)} goals, expected one")
    nv, clauses, names = _parse_goal(result[0].dimacs(include_names=True))
    top = max([nv] + [abs(lit) for cl in clauses for lit in cl])
    leaf_bits: dict[str, list[int]] = {}
    for leaf in circuit.leaves:
        bits = []
        for i in range(leaf.bits):
            var = names.get(bit_name(leaf.name, i))
            if var is None:  # the bit does not occur: give it a variable of its own
                top += 1
                var = top
            bits.append(var)
        leaf_bits[leaf.name] = bits
    if any(not cl for cl in clauses):  # z3 decided the goal false: see the docstring
        top += 1
        clauses = [cl for cl in clauses if cl] + [[top], [-top]]
    cnf = CNF()
    cnf.clauses = clauses
    cnf.nv = top
    return CNFZ3Encoding(cnf, leaf_bits, {leaf.name: leaf.signed for leaf in circuit.leaves},
                         z3_version=z3.get_version_string())
