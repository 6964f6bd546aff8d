"""Straight-line programs (SLPs) over the integers: representation, text format, exact
evaluation and bit extraction.

An SLP is a list of instructions; instruction ``i`` defines register ``r{i}`` as

* ``const c`` — the integer ``c`` (written in decimal, optionally negative),
* ``add rj rk``, ``sub rj rk``, ``mul rj rk`` — ``r_j + r_k``, ``r_j - r_k``, ``r_j · r_k``
  with ``j, k < i`` (a register may be used twice, ``mul r3 r3`` squares).

The value of the program is the value of its output register (the last one unless an
``output`` line names another).  ``k`` squarings of ``2`` reach ``2**(2**k)``: an SLP of
``s`` instructions can denote an integer of about ``2**s`` bits, which is why SLPs are the
bridge from counting problems to polynomial networks (see ``docs/hardness.md``).

Text format ``slp/1`` (one instruction a line; ``#`` starts a comment; blank lines are
ignored)::

    slp/1
    r0 = const 2
    r1 = mul r0 r0      # 4
    r2 = add r1 r0      # 6
    output r2

The first non-blank line is ``slp/1``; the ``i``-th instruction must define ``r{i}``; at
most one ``output`` line, after the instructions.  :func:`parse_slp` reports the first
malformed line by number; :func:`format_slp` writes the canonical text, which parses back
to an equal program.

Bound argument: with ``B(r)`` the bit length bound of :func:`bit_length_bounds`
(``|c|.bit_length()`` for a constant, ``max + 1`` for ``add``/``sub``, the sum for ``mul``)
every ``|value(r)| < 2**B(r)``, since ``|a ± b| < 2**max(Ba, Bb) · 2`` and
``|a · b| < 2**(Ba + Bb)``.  :func:`evaluate` refuses, before computing anything, a program
whose bound exceeds ``max_bits``.

Limitations: integer constants only (no rationals, no division); bit extraction of a
negative value reads its infinite two's complement expansion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import gmpy2
from gmpy2 import mpz

from ..errors import InstanceError, SizeLimitError

FORMAT = "slp/1"
OPS = ("const", "add", "sub", "mul")

#: Largest number of instructions :func:`parse_slp` accepts.
MAX_INSTRUCTIONS = 1_000_000
#: Largest number of decimal digits of one constant.
MAX_CONST_DIGITS = 100_000
#: Default bit-length budget of :func:`evaluate` (2**26 bits = 8 MiB per integer).
DEFAULT_MAX_BITS = 1 << 26


class SLPFormatError(InstanceError):
    """Malformed ``slp/1`` text or an ill-formed program (``where`` names the line)."""


@dataclass(frozen=True)
class Instr:
    """One instruction: ``op`` in :data:`OPS`; ``args`` the operand registers (empty for
    ``const``); ``value`` the constant (``None`` for the others)."""

    op: str
    args: tuple[int, ...] = ()
    value: mpz | None = None

    def text(self) -> str:
        if self.op == "const":
            return f"const {self.value}"
        return f"{self.op} " + " ".join(f"r{a}" for a in self.args)


@dataclass(frozen=True)
class SLP:
    """A straight-line program: ``instrs[i]`` defines register ``i``; ``output`` is the
    register whose value is the program's value."""

    instrs: tuple[Instr, ...]
    output: int

    def __post_init__(self):
        _validate(self.instrs, self.output)

    def __len__(self) -> int:
        return len(self.instrs)

    @property
    def num_mul(self) -> int:
        return sum(1 for ins in self.instrs if ins.op == "mul")

    def mul_depth(self) -> int:
        """Largest number of ``mul`` instructions on a path to the output, multiplications
        by a ``const`` not counted (they are linear); see :func:`levels`."""
        return levels(self)[self.output]


def _validate(instrs, output) -> None:
    if not instrs:
        raise SLPFormatError("a program needs at least one instruction")
    for i, ins in enumerate(instrs):
        if ins.op not in OPS:
            raise SLPFormatError(f"unknown operation {ins.op!r}; expected one of "
                                 f"{', '.join(OPS)}", f"r{i}")
        want = 0 if ins.op == "const" else 2
        if len(ins.args) != want:
            raise SLPFormatError(f"{ins.op} takes {want} operands, got {len(ins.args)}",
                                 f"r{i}")
        if ins.op == "const" and ins.value is None:
            raise SLPFormatError("const needs a value", f"r{i}")
        for a in ins.args:
            if not 0 <= a < i:
                raise SLPFormatError(f"operand r{a} is not an earlier register", f"r{i}")
    if not 0 <= output < len(instrs):
        raise SLPFormatError(f"output r{output} is not a register of this program")


class Builder:
    """Incremental construction: each method appends one instruction and returns its
    register number; constants are shared (``const(5)`` twice gives one register)."""

    def __init__(self):
        self.instrs: list[Instr] = []
        self._consts: dict[int, int] = {}

    def const(self, c) -> int:
        c = mpz(c)
        if int(c) not in self._consts:
            self._consts[int(c)] = self._emit(Instr("const", (), c))
        return self._consts[int(c)]

    def add(self, a: int, b: int) -> int:
        return self._emit(Instr("add", (a, b)))

    def sub(self, a: int, b: int) -> int:
        return self._emit(Instr("sub", (a, b)))

    def mul(self, a: int, b: int) -> int:
        return self._emit(Instr("mul", (a, b)))

    def _emit(self, ins: Instr) -> int:
        self.instrs.append(ins)
        return len(self.instrs) - 1

    def build(self, output: int | None = None) -> SLP:
        return SLP(tuple(self.instrs), len(self.instrs) - 1 if output is None else output)


# --------------------------------------------------------------------------- analysis

def constant_registers(slp: SLP) -> list[bool]:
    """Whether each register is defined by a ``const`` instruction.  (Every register of a
    program without inputs has a constant value; only the literal ones are free in a
    network, where they become weights and biases.)"""
    return [ins.op == "const" for ins in slp.instrs]


def levels(slp: SLP) -> list[int]:
    """Multiplicative level of every register: 0 for a ``const``; the largest operand level
    for ``add``/``sub`` and for a ``mul`` with a ``const`` operand (a linear map); one more
    than the largest operand level for any other ``mul``."""
    const = constant_registers(slp)
    out: list[int] = []
    for i, ins in enumerate(slp.instrs):
        if const[i]:
            out.append(0)
        elif ins.op == "mul" and not any(const[a] for a in ins.args):
            out.append(max(out[a] for a in ins.args) + 1)
        else:
            out.append(max(out[a] for a in ins.args))
    return out


def bit_length_bounds(slp: SLP) -> list[int]:
    """An upper bound ``B(r)`` with ``|value(r)| < 2**B(r)`` for every register (see the
    module docstring), computed without evaluating."""
    out: list[int] = []
    for ins in slp.instrs:
        if ins.op == "const":
            out.append(int(gmpy2.bit_length(abs(ins.value))))
        elif ins.op == "mul":
            out.append(out[ins.args[0]] + out[ins.args[1]])
        else:
            out.append(max(out[a] for a in ins.args) + 1)
    return out


# --------------------------------------------------------------------------- evaluation

def evaluate_all(slp: SLP, max_bits: int = DEFAULT_MAX_BITS) -> list[mpz]:
    """The exact value of every register.  Raises :class:`SizeLimitError` when the bit
    length bound of some register exceeds ``max_bits``."""
    bounds = bit_length_bounds(slp)
    worst = max(bounds)
    if worst > max_bits:
        raise SizeLimitError(f"the program's values may need {worst} bits, more than the "
                             f"limit {max_bits} (raise max_bits)")
    vals: list[mpz] = []
    for ins in slp.instrs:
        if ins.op == "const":
            vals.append(mpz(ins.value))
        else:
            a, b = (vals[k] for k in ins.args)
            vals.append(a + b if ins.op == "add" else a - b if ins.op == "sub" else a * b)
    return vals


def evaluate(slp: SLP, max_bits: int = DEFAULT_MAX_BITS) -> mpz:
    """The exact value of the program (its output register)."""
    return evaluate_all(slp, max_bits)[slp.output]


def extract_bits(value, lo: int, hi: int) -> mpz:
    """The integer formed by bits ``lo`` (least significant) up to ``hi - 1`` of ``value``,
    i.e. ``floor(value / 2**lo) mod 2**(hi - lo)``; for a negative value these are the bits
    of its two's complement expansion.  ``0 <= lo <= hi``."""
    if not 0 <= lo <= hi:
        raise ValueError(f"bit range [{lo}, {hi}) needs 0 <= lo <= hi")
    return gmpy2.f_mod_2exp(gmpy2.f_div_2exp(mpz(value), lo), hi - lo)


# --------------------------------------------------------------------------- text format

_LINE = re.compile(r"^r(\d+)\s*=\s*([a-z]+)\s*(.*)$")
_REG = re.compile(r"^r(\d+)$")
_INT = re.compile(r"^[+-]?\d+$")


def format_slp(slp: SLP) -> str:
    """The canonical ``slp/1`` text of ``slp`` (ends with a newline)."""
    lines = [FORMAT] + [f"r{i} = {ins.text()}" for i, ins in enumerate(slp.instrs)]
    lines.append(f"output r{slp.output}")
    return "\n".join(lines) + "\n"


def parse_slp(text: str, where: str = "<slp>") -> SLP:
    """Parse ``slp/1`` text (module docstring); :class:`SLPFormatError` names the line."""
    instrs: list[Instr] = []
    output = None
    seen_header = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        loc = f"{where}:{lineno}"
        if not line:
            continue
        if not seen_header:
            if line != FORMAT:
                raise SLPFormatError(f"first line must be {FORMAT!r}, got {line[:40]!r}", loc)
            seen_header = True
            continue
        if output is not None:
            raise SLPFormatError("nothing may follow the output line", loc)
        if line.startswith("output"):
            output = _parse_output(line, len(instrs), loc)
            continue
        if len(instrs) >= MAX_INSTRUCTIONS:
            raise SLPFormatError(f"more than {MAX_INSTRUCTIONS} instructions", loc)
        instrs.append(_parse_instr(line, len(instrs), loc))
    if not seen_header:
        raise SLPFormatError(f"empty program (expected a {FORMAT!r} line)", where)
    if not instrs:
        raise SLPFormatError("a program needs at least one instruction", where)
    return SLP(tuple(instrs), len(instrs) - 1 if output is None else output)


def _parse_output(line: str, count: int, loc: str) -> int:
    parts = line.split()
    m = _REG.match(parts[1]) if len(parts) == 2 and parts[0] == "output" else None
    if not m:
        raise SLPFormatError(f"expected 'output rK', got {line[:40]!r}", loc)
    k = int(m.group(1))
    if k >= count:
        raise SLPFormatError(f"output r{k} is not a defined register (r0..r{count - 1})", loc)
    return k


def _parse_instr(line: str, index: int, loc: str) -> Instr:
    m = _LINE.match(line)
    if not m:
        raise SLPFormatError(f"expected 'r{index} = OP ...', got {line[:40]!r}", loc)
    if int(m.group(1)) != index:
        raise SLPFormatError(f"instruction {index} must define r{index}, not r{m.group(1)}",
                             loc)
    op, rest = m.group(2), m.group(3).split()
    if op not in OPS:
        raise SLPFormatError(f"unknown operation {op!r}; expected one of {', '.join(OPS)}", loc)
    if op == "const":
        if len(rest) != 1 or not _INT.match(rest[0]):
            raise SLPFormatError(f"const takes one decimal integer, got {' '.join(rest)!r}",
                                 loc)
        if len(rest[0].lstrip("+-")) > MAX_CONST_DIGITS:
            raise SLPFormatError(f"constant of more than {MAX_CONST_DIGITS} digits", loc)
        return Instr("const", (), mpz(rest[0]))
    if len(rest) != 2:
        raise SLPFormatError(f"{op} takes two registers, got {len(rest)} operands", loc)
    args = []
    for tok in rest:
        r = _REG.match(tok)
        if not r:
            raise SLPFormatError(f"operand {tok[:20]!r} is not a register rK", loc)
        k = int(r.group(1))
        if k >= index:
            raise SLPFormatError(f"operand r{k} is not an earlier register (r0..r{index - 1})"
                                 if index else "the first instruction must be a const", loc)
        args.append(k)
    return Instr(op, tuple(args))
