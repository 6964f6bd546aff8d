"""The whole hardness chain on one #SubsetSum instance, with three independent counts.

1. :func:`ermsolve.hardness.subset_sum.subset_sum_slp` — the SLP of ``P(2**N)``;
2. :func:`ermsolve.hardness.to_network.compile_slp` — the ``square`` network; its output is
   checked against the SLP's value by the exact forward pass;
3. :func:`ermsolve.hardness.to_network.gradient_instance` and
   :func:`ermsolve.hardness.backprop.gradient` — the exact gradient ``∂L/∂θ = 2·P(2**N)``;
   the count is bits ``[N·T + 1, N·(T+1) + 1)`` of that gradient (the factor 2 is one
   shift);
4. the same count by a model counter (:func:`ermsolve.counting.count_cnf` on the
   pseudo-Boolean constraint ``Σ a_i x_i = T``, encoded to CNF by ``pysat.pb``, projected
   on ``x_1..x_n``) and by brute force over the ``2**n`` subsets.

Limitations: the integer has ``N·Σa_i + O(n)`` bits and every stage holds a few integers of
that size, so :data:`DEFAULT_MAX_BITS` refuses large ``Σa_i`` up front (raise it with
``max_bits``); model counters can be slow on subset sums with many large weights (use a
timeout; the counter's count is then ``None``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from gmpy2 import mpq, mpz

from ..errors import SizeLimitError
from ..instance import parse_instance
from ..network import assemble, forward
from . import to_network
from .backprop import gradient
from .slp import evaluate, extract_bits
from .subset_sum import block_bits, brute_count, check_instance, subset_sum_slp, value_bits

#: Default limit on the bit length of the integer ``P(2**N)``.
DEFAULT_MAX_BITS = 1 << 24
#: Hard ceiling of ``max_bits`` (a few integers of this size must fit in memory).
MAX_BITS_CEILING = 1 << 31


@dataclass
class ChainReport:
    """Everything the chain computed; ``count_counter`` is ``None`` after a counter
    timeout.  ``seconds`` maps each stage to its wall-clock time."""

    weights: tuple[int, ...]
    target: int
    block_bits: int
    slp_size: int
    slp_mul: int
    slp_depth: int
    layers: list[int]
    value_layers: list[int]
    parameters: int
    gadgets: dict[str, int]
    value_bits: int
    gradient_bits: int
    network_matches_slp: bool
    gradient_is_twice_value: bool
    count_gradient: int
    count_counter: int | None
    count_brute: int
    counter: dict = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def agree(self) -> bool:
        return (self.network_matches_slp and self.gradient_is_twice_value
                and self.count_gradient == self.count_counter == self.count_brute)

    def to_json(self) -> dict:
        return {
            "weights": list(self.weights), "target": self.target,
            "count_gradient": self.count_gradient, "count_counter": self.count_counter,
            "count_brute": self.count_brute, "agree": self.agree,
            "block_bits": self.block_bits,
            "slp_size": self.slp_size, "slp_mul": self.slp_mul, "slp_depth": self.slp_depth,
            "network_layers": self.layers, "network_depth": len(self.layers) - 1,
            "network_parameters": self.parameters, "value_network_layers": self.value_layers,
            "gadgets": self.gadgets,
            "integer_bits": self.value_bits, "gradient_bits": self.gradient_bits,
            "network_matches_slp": self.network_matches_slp,
            "gradient_is_twice_value": self.gradient_is_twice_value,
            "counter": self.counter,
            "seconds": {k: round(v, 6) for k, v in self.seconds.items()},
        }


def subset_sum_cnf(weights, target) -> tuple[list[list[int]], list[int]]:
    """Clauses of ``Σ a_i x_i = T`` over ``x_i = i`` (1-based) plus auxiliary variables
    (``pysat.pb`` adder encoding), and the projection ``[1..n]``.  An empty clause stands
    for an unsatisfiable constraint (``T > Σ a_i``)."""
    from pysat.pb import EncType, PBEnc

    ws, target = check_instance(weights, target)
    n = len(ws)
    lits = list(range(1, n + 1))
    cnf = PBEnc.equals(lits=lits, weights=list(ws), bound=target, top_id=n,
                       encoding=EncType.adder)
    return [list(cl) for cl in cnf.clauses], lits


def run_chain(weights, target, *, method: str = "exact", timeout: float | None = None,
              max_bits: int = DEFAULT_MAX_BITS) -> ChainReport:
    """Run every stage (module docstring) and collect the three counts."""
    ws, target = check_instance(weights, target)
    if not 1 <= max_bits <= MAX_BITS_CEILING:
        raise SizeLimitError(f"max_bits (--max-bits) must be in [1, {MAX_BITS_CEILING}], "
                             f"got {max_bits}")
    bits = value_bits(ws)
    if bits > max_bits:
        raise SizeLimitError(f"the integer P(2^N) would have {bits} bits (N·Σa = "
                             f"{block_bits(len(ws))}·{sum(ws)}), more than the limit "
                             f"{max_bits}; raise it with --max-bits (at most "
                             f"{MAX_BITS_CEILING})")
    secs: dict[str, float] = {}
    t = time.perf_counter()
    prog = subset_sum_slp(ws, target)
    value = evaluate(prog.slp, max_bits=2 * max_bits + 64)
    secs["slp"] = time.perf_counter() - t

    t = time.perf_counter()
    net = to_network.compile_slp(prog.slp)
    value_inst = parse_instance(to_network.value_instance(net))
    out = forward(value_inst, assemble(value_inst, {}), value_inst.inputs[0])[0]
    secs["network"] = time.perf_counter() - t

    t = time.perf_counter()
    grad_inst = parse_instance(to_network.gradient_instance(net))
    theta = to_network.theta_ref(net)
    grad = gradient(grad_inst, assemble(grad_inst, {theta: to_network.theta_point(net)}))
    g = grad[theta]
    if g.denominator != 1 or g < 0:
        raise ArithmeticError(f"the gradient {g} is not a nonnegative integer (a bug)")
    nb = prog.block_bits
    count_gradient = int(extract_bits(g.numerator, nb * target + 1, nb * (target + 1) + 1))
    secs["gradient"] = time.perf_counter() - t

    t = time.perf_counter()
    from ..counting import count_cnf

    clauses, proj = subset_sum_cnf(ws, target)
    counted = count_cnf(clauses, proj, method, timeout=timeout)
    secs["counter"] = time.perf_counter() - t

    t = time.perf_counter()
    count_brute = brute_count(ws, target)
    secs["brute"] = time.perf_counter() - t

    return ChainReport(
        weights=ws, target=target, block_bits=nb, slp_size=len(prog.slp),
        slp_mul=prog.slp.num_mul, slp_depth=prog.slp.mul_depth(),
        layers=list(grad_inst.layers), value_layers=list(value_inst.layers),
        parameters=len(grad_inst.all_parameters()),
        gadgets=net.gadgets, value_bits=int(mpz(value).bit_length()),
        gradient_bits=int(g.numerator.bit_length()),
        network_matches_slp=out == value, gradient_is_twice_value=g == 2 * mpq(value),
        count_gradient=count_gradient, count_counter=counted.count, count_brute=count_brute,
        counter={"method": counted.method, "exact": counted.exact,
                 "guarantee": counted.guarantee, "timed_out": counted.timed_out,
                 "clauses": len(clauses), "encoding": "pysat.pb adder"},
        seconds=secs)
