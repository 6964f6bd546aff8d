"""Size guard and resource limits: refuse an instance before building something absurd.

Three estimates, each cheap compared with what it guards:

* :func:`estimate_instance` — *before lowering*, from the architecture, the number of
  samples, the domain and the data's bit lengths alone (no circuit is built): an upper-style
  estimate of the circuit nodes and of the widest integer.  It walks the layers once,
  tracking per layer the numerator width ``w`` in bits and the number ``f`` of denominator
  leaves (rational domain): a product adds the parameter width, a sum over ``n`` terms adds
  ``ceil(log2 n)`` and the widths of the factors it must lift (``den_bits`` each), a
  polynomial activation of degree ``d`` multiplies the width by ``d``.  Hash-consing makes
  the real circuit smaller when samples repeat, so this is an over-estimate.
* :func:`estimate_circuit` — *after lowering*, from the circuit's exact node widths: the
  clauses and variables a bit-level translation makes (the ``cnf`` encoding; QF_BV solvers
  bit-blast the same operations).  Cost model per node of width ``w`` (operands ``a, b``):
  MUL ``17·min(a·b, w·min(a, b))`` (an AND and a full adder per partial-product bit), ADD
  ``14·w`` per extra term, SCALE ``14·w`` per nonzero digit of the constant's signed-digit
  form, ITE ``6·w``, CLAMP and a leaf's range ``12·w``, EQC ``w``, ATMOST ``2·n·min(k+1, n)``
  (sequential counter); variables are taken as a third of the clauses.
* :func:`check_grid` — the brute-force grid ``|values| ** free`` (for the rational domain the
  number of ``(p, q)`` pairs bounds the distinct values; the exact count is taken only when
  that enumeration is itself within the limit).

A refusal is a :class:`~ermsolve.errors.SizeLimitError` whose message gives the estimate,
the limit and the command-line option that raises it.  The estimates are not exact; they are
calibrated against the ``cnf`` encoding in ``tests/test_limits.py``: on random instances
and the benchmark instances with at least 1000 clauses the circuit estimate over-estimates
the real clause count by a factor 1.05 to 7 (median 1.8); the pre-lowering estimate by 0.5
to 180 (median 5), hence its slack.

Limitations: the estimate is of formula size, not of solving time; a small formula can
still be hard (use ``--timeout``).  The memory limit (``RLIMIT_AS``) covers the whole
process, native solvers included; a native solver that aborts on a failed allocation
instead of reporting it ends the process (see ``benchmarks/timeouts.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import SizeLimitError, UsageError
from .instance import FixedDomain, Instance, RationalDomain, SetDomain
from .rationals import lcm_of_denominators, signed_width

#: Defaults chosen for a machine with a few GB of memory: 20 million clauses is about 3 GB
#: as PySAT's Python lists; 5 million circuit nodes about 2 GB during lowering.
DEFAULT_MAX_CLAUSES = 20_000_000
DEFAULT_MAX_NODES = 5_000_000
DEFAULT_MAX_POINTS = 2_000_000

#: The pre-lowering clause estimate ignores hash-consing and the redundant bounds that
#: narrow the loss; it refuses only beyond this multiple of ``max_clauses``.
PRE_LOWERING_SLACK = 16


@dataclass(frozen=True)
class Limits:
    """Refusal points (``None`` disables a check)."""

    max_clauses: int | None = DEFAULT_MAX_CLAUSES
    max_nodes: int | None = DEFAULT_MAX_NODES
    max_points: int | None = DEFAULT_MAX_POINTS


@dataclass(frozen=True)
class Estimate:
    """An estimated formula size: circuit ``nodes``, widest integer ``max_width`` (bits),
    bit-level ``clauses`` and ``variables``."""

    nodes: int
    max_width: int
    clauses: int
    variables: int


# --------------------------------------------------------------------------- cost model

def _mul_cost(a: int, b: int, w: int) -> int:
    return 17 * min(a * b, w * min(a, b))


def _add_cost(terms: int, w: int) -> int:
    return 14 * w * max(terms - 1, 0)


def _digits(c: int) -> int:
    """Nonzero digits of ``c`` in non-adjacent form (bounded by half its bits, plus one)."""
    c, count = abs(c), 0
    while c:
        if c & 1:
            count += 1
            c -= 2 - (c & 3)
        c >>= 1
    return count


def _node_cost(n) -> int:
    op, w = n.op, (n.width if not n.is_bool else 1)
    if op == "MUL":
        a, b = (x.width for x in n.args)
        return _mul_cost(a, b, w)
    if op == "ADD":
        return _add_cost(len(n.args), w)
    if op == "SCALE":
        return 14 * w * max(_digits(n.value) - 1, 1)
    if op == "ITE":
        return 6 * w
    if op in ("CLAMP", "VAR"):
        return 12 * max(w, n.bits)
    if op == "EQC":
        return n.args[0].width + 1
    if op == "GE0":
        return 1
    if op == "ATMOST":
        k = len(n.args)
        return 2 * k * min(n.value + 1, k)
    if op in ("AND", "OR"):
        return len(n.args) + 1
    return 1


def estimate_circuit(circuit) -> Estimate:
    """Bit-level size of a lowered :class:`~ermsolve.circuit.Circuit` (module docstring)."""
    clauses = sum(_node_cost(n) for n in circuit.nodes)
    return Estimate(len(circuit.nodes), circuit.max_width(), clauses, clauses // 3 + 1)


# --------------------------------------------------------------------------- pre-lowering

def _param_bits(instance: Instance) -> tuple[int, int]:
    """(numerator width of a free parameter, width of one denominator leaf or 0)."""
    dom = instance.domain
    if isinstance(dom, FixedDomain):
        return dom.bits, 0
    if isinstance(dom, RationalDomain):
        return dom.num_bits, dom.den_bits
    assert isinstance(dom, SetDomain)
    den = lcm_of_denominators(dom.values_)
    ints = [int(v * den) for v in dom.values_]
    return signed_width(min(ints), max(ints)), 0


def _data_bits(rows) -> int:
    """Widest scaled integer of a data matrix (per-column lcm scaling, as lowering does)."""
    if not rows:
        return 1
    width = 1
    for col in range(len(rows[0])):
        column = [r[col] for r in rows]
        scale = lcm_of_denominators(column)
        ints = [int(v * scale) for v in column]
        width = max(width, signed_width(min(ints), max(ints)))
    return width


def _fixed_bits(instance: Instance) -> int:
    width = 1
    for ref in instance.all_parameters():
        v = instance.fixed_value(ref)
        if v is not None:
            width = max(width, signed_width(v.numerator, v.numerator),
                        int(v.denominator).bit_length())
    return width


def _activation_growth(act) -> tuple[int, int]:
    """(multiplier of the width, additive bits) an activation applies to a numerator."""
    if act.kind == "poly":
        coeff_bits = max(signed_width(c.numerator, c.numerator) + c.denominator.bit_length()
                         for c in act.coeffs)
        return max(act.degree, 1), coeff_bits + 1
    if act.kind == "leaky_relu":
        return 1, int(abs(act.slope.numerator)).bit_length() + act.slope.denominator.bit_length()
    return 1, 1


def estimate_instance(instance: Instance) -> Estimate:
    """Pre-lowering estimate (module docstring); its cost is linear in the number of layers
    and in the data, never in the circuit it predicts."""
    p_bits, q_bits = _param_bits(instance)
    p_bits = max(p_bits, _fixed_bits(instance))
    width, factors = _data_bits(instance.inputs), 0
    m = instance.num_samples
    nodes, clauses, max_width = 0, 0, width
    constant = True  # layer-0 values are constants: W1 * x is a SCALE, not a MUL
    for layer in range(1, instance.depth + 1):
        fan_in, units = instance.layers[layer - 1], instance.layers[layer]
        act = instance.activation if layer < instance.depth else instance.output_activation
        new_factors = fan_in * (factors + 1) + 1 if q_bits else 0
        lift = q_bits * max(new_factors - factors - 1, 0)
        term = p_bits + width + lift
        out = term + math.ceil(math.log2(fan_in + 1)) + 1
        mult, extra = _activation_growth(act)
        act_width = out * mult + extra
        per_unit_nodes = 2 * (fan_in + 1) + 3 + (2 * mult.bit_length() + mult if mult > 1 else 0)
        per_unit = (fan_in * (_mul_cost(p_bits, width + lift, term) if not constant
                              else 14 * term) + _add_cost(fan_in + 1, out) + 6 * out)
        if mult > 1:
            per_unit += (mult + 1) * _mul_cost(out, out * (mult - 1), act_width)
        nodes += m * units * per_unit_nodes
        clauses += m * units * per_unit
        width, factors = act_width, new_factors * max(mult, 1)
        max_width = max(max_width, width)
        constant = False
    err = width + _data_bits(instance.targets) + 1
    outs = instance.layers[-1]
    if instance.loss == "squared":
        clauses += m * outs * (_mul_cost(err, err, 2 * err) + _add_cost(2, 2 * err))
        max_width = max(max_width, 2 * err + math.ceil(math.log2(m * outs + 1)))
    else:
        clauses += m * outs * (_add_cost(2, err) + 6 * err)
    nodes += 4 * m * outs
    # Leaves, set-domain selection chains, shared denominator products: per parameter.
    per_param = 4 + (instance.domain.size if isinstance(instance.domain, SetDomain) else 0)
    nodes += per_param * len(instance.free_parameters()) + 16 * instance.depth + 32
    return Estimate(nodes, max_width, clauses, clauses // 3 + 1)


# --------------------------------------------------------------------------- checks

def _refuse(what: str, estimate: int, limit: int, option: str) -> None:
    raise SizeLimitError(f"{what}: about {_human(estimate)}, more than the limit "
                         f"{_human(limit)} (raise it with {option})")


def _human(n: int) -> str:
    if n < 10**7:
        return str(n)
    return f"{n:.2e}" if n < 10**300 else f"10^{len(str(n)) - 1}"


def check_instance(instance: Instance, limits: Limits | None = None) -> Estimate:
    """Refuse ``instance`` before lowering when its estimate exceeds ``limits``."""
    limits = limits or Limits()
    est = estimate_instance(instance)
    if limits.max_nodes is not None and est.nodes > limits.max_nodes:
        _refuse("the instance would lower to too many circuit nodes", est.nodes,
                limits.max_nodes, "--max-nodes")
    if limits.max_clauses is not None and est.clauses > PRE_LOWERING_SLACK * limits.max_clauses:
        _refuse(f"the encoding would need too many clauses (integers of about "
                f"{_human(est.max_width)} bits)", est.clauses, limits.max_clauses,
                "--max-clauses")
    return est


def check_circuit(circuit, limits: Limits | None = None) -> Estimate:
    """Refuse a lowered circuit whose bit-level encoding would exceed ``limits``."""
    limits = limits or Limits()
    est = estimate_circuit(circuit)
    if limits.max_clauses is not None and est.clauses > limits.max_clauses:
        _refuse(f"the encoding would need too many clauses ({est.nodes} circuit nodes, "
                f"widest {est.max_width} bits)", est.clauses, limits.max_clauses,
                "--max-clauses")
    return est


def lower_checked(instance: Instance, limits: Limits | None = None, **lower_options):
    """:func:`ermsolve.lowering.lower` between the pre- and post-lowering checks."""
    from .lowering import lower

    check_instance(instance, limits)
    lowered = lower(instance, **lower_options)
    check_circuit(lowered.circuit, limits)
    return lowered


def grid_upper_bound(instance: Instance) -> int:
    """``domain.size ** free``: the grid counted with (p, q) multiplicity (≥ the distinct
    grid).  Computed only when its bit length is moderate; otherwise a power of two above."""
    free = len(instance.free_parameters())
    size = instance.domain.size
    bits = free * size.bit_length()
    if bits > 4096:
        return 1 << bits
    return size ** free


def check_grid(instance: Instance, max_points: int | None = DEFAULT_MAX_POINTS) -> int:
    """The number of distinct grid points ``|values| ** free``, refused beyond
    ``max_points``.  A domain of more than ``max_points`` values (pairs, for the rational
    domain) is refused without enumerating it, so this check itself stays cheap."""
    free = len(instance.free_parameters())
    if free == 0:
        return 1
    what = "brute force would enumerate too many parameter assignments"
    if max_points is not None and instance.domain.size > max_points:
        _refuse(what, grid_upper_bound(instance), max_points, "--max-points")
    distinct = (sum(1 for _ in instance.domain.values())
                if isinstance(instance.domain, RationalDomain) else instance.domain.size)
    if max_points is not None and free * (distinct.bit_length() - 1) > max_points.bit_length():
        _refuse(what, grid_upper_bound(instance), max_points, "--max-points")
    points = distinct ** free
    if max_points is not None and points > max_points:
        _refuse(what, points, max_points, "--max-points")
    return points


# --------------------------------------------------------------------------- memory

def set_memory_limit(megabytes: int) -> None:
    """Cap the address space of this process (``RLIMIT_AS``) at ``megabytes`` MB; allocations
    past it fail (a Python ``MemoryError``; native solvers report it or abort)."""
    import resource

    if megabytes < 64:
        raise UsageError(f"--memory-limit {megabytes}: at least 64 MB are needed to run")
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY and limit > hard:
        limit = hard
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


# --------------------------------------------------------------------------- CLI options

def _count(text: str) -> int:
    import argparse

    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def add_limit_options(parser, points: bool = False) -> None:
    """Add ``--max-clauses``, ``--max-nodes``, ``--memory-limit`` (and ``--max-points``
    for commands that may enumerate the grid) to a subcommand parser."""
    parser.add_argument("--max-clauses", type=_count, default=DEFAULT_MAX_CLAUSES, metavar="N",
                        help=f"refuse encodings estimated above N clauses "
                             f"(default {DEFAULT_MAX_CLAUSES})")
    parser.add_argument("--max-nodes", type=_count, default=DEFAULT_MAX_NODES, metavar="N",
                        help=f"refuse instances estimated above N circuit nodes "
                             f"(default {DEFAULT_MAX_NODES})")
    if points:
        parser.add_argument("--max-points", type=_count, default=DEFAULT_MAX_POINTS,
                            metavar="N", help=f"refuse brute force above N grid points "
                                              f"(default {DEFAULT_MAX_POINTS})")
    parser.add_argument("--memory-limit", type=_count, default=None, metavar="MB",
                        help="cap this process's memory (address space) at MB megabytes; an "
                             "allocation failure answers unknown")


def limits_from_args(args) -> Limits:
    """The :class:`Limits` of parsed options (missing options keep their defaults)."""
    return Limits(getattr(args, "max_clauses", DEFAULT_MAX_CLAUSES),
                  getattr(args, "max_nodes", DEFAULT_MAX_NODES),
                  getattr(args, "max_points", DEFAULT_MAX_POINTS))
