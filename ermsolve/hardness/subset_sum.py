"""#SubsetSum as one block of bits of one SLP integer.

Given weights ``a_1..a_n >= 0`` and a target ``T``, the number of subsets ``S ⊆ {1..n}``
with ``Σ_{i∈S} a_i = T`` is the coefficient of ``z**T`` in ``P(z) = ∏_i (1 + z**a_i)``.
Evaluate ``P`` at ``X = 2**N``: every coefficient ``c_k`` of ``P`` is ``<= 2**n`` (a count of
subsets), and with ``N = bitlength(2**n) + 1 = n + 2`` (the choice of the issue; ``n + 1``
would already do) every ``c_k < 2**N``.  Since all coefficients are nonnegative, the
base-``2**N`` digits of ``P(X) = Σ c_k 2**(N k)`` are exactly the ``c_k`` (no carries), so

    #{S : Σ_S a_i = T}  =  bits [N·T, N·(T+1)) of P(2**N).

The SLP (:func:`subset_sum_slp`) computes ``P(2**N)`` without ever writing a big constant:

1. ``P_0 = 2**N`` (a constant of ``N + 1`` bits) and ``P_j = P_{j-1}²`` for
   ``j < B = max_i bitlength(a_i)``, so ``P_j = X**(2**j)``;
2. ``X**a_i = ∏_{j : bit j of a_i is 1} P_j``, multiplied low bit first (level ``j + 1``
   after the factor ``P_j``), and ``F_i = X**a_i + 1`` (``F_i = 2`` when ``a_i = 0``);
3. ``∏_i F_i`` as a tree that always multiplies the two factors of lowest multiplicative
   level (Huffman order), so its depth is at most ``B + 1 + ceil(log2 n)``.

Size: ``B - 1 + Σ_i (popcount(a_i) - 1) + n - 1`` multiplications, ``n`` additions and two
constants — polynomial (``O(n log max a_i)``) in the input, while the value has
``N · Σ a_i + 1`` bits, exponential in the input's bit length.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from gmpy2 import mpz

from ..errors import InstanceError
from .slp import SLP, Builder, constant_registers, extract_bits, levels

#: Largest number of weights (brute force enumerates 2**n subsets).
MAX_WEIGHTS = 24
#: Largest weight.
MAX_WEIGHT = 1 << 20


@dataclass(frozen=True)
class SubsetSumSLP:
    """The SLP of an instance, with the block width ``N`` and the target ``T``: the count
    is :func:`read_count` of the program's value."""

    weights: tuple[int, ...]
    target: int
    block_bits: int
    slp: SLP

    @property
    def value_bits(self) -> int:
        return value_bits(self.weights)

    def read_count(self, value) -> int:
        return read_count(value, self.block_bits, self.target)


def check_instance(weights: Sequence[int], target: int) -> tuple[tuple[int, ...], int]:
    """Validate a subset-sum instance (``InstanceError`` naming the limit on bad input)."""
    ws = tuple(weights)
    if not ws:
        raise InstanceError("at least one weight is needed", "weights")
    if len(ws) > MAX_WEIGHTS:
        raise InstanceError(f"{len(ws)} weights exceed the limit of {MAX_WEIGHTS} (brute force "
                            f"enumerates 2**n subsets)", "weights")
    for i, a in enumerate(ws):
        if isinstance(a, bool) or not isinstance(a, int):
            raise InstanceError(f"weight {i + 1} is not an integer: {a!r}", "weights")
        if not 0 <= a <= MAX_WEIGHT:
            raise InstanceError(f"weight {i + 1} = {a} is outside [0, 2**20 = {MAX_WEIGHT}]",
                                "weights")
    if isinstance(target, bool) or not isinstance(target, int):
        raise InstanceError(f"target is not an integer: {target!r}", "target")
    if not 0 <= target <= MAX_WEIGHTS * MAX_WEIGHT:
        raise InstanceError(f"target {target} is outside [0, {MAX_WEIGHTS * MAX_WEIGHT}]",
                            "target")
    return ws, target


def value_bits(weights: Sequence[int]) -> int:
    """The exact bit length of ``P(2**N)``: its top block is the coefficient of
    ``z**Σa``, which is ``2**z`` for ``z`` the number of zero weights (``z + 1`` bits)."""
    zeros = sum(1 for a in weights if a == 0)
    return block_bits(len(weights)) * sum(weights) + zeros + 1


def block_bits(n: int) -> int:
    """``N = bitlength(2**n) + 1``: every coefficient (at most ``2**n``) is below ``2**N``."""
    return (1 << n).bit_length() + 1


def subset_sum_slp(weights: Sequence[int], target: int) -> SubsetSumSLP:
    """The SLP computing ``∏ (1 + X**a_i)`` at ``X = 2**N`` (module docstring)."""
    ws, target = check_instance(weights, target)
    n = len(ws)
    big_n = block_bits(n)
    b = Builder()
    one = b.const(1)
    top = max(a.bit_length() for a in ws)
    powers = [b.const(mpz(1) << big_n)] if top else []
    for _ in range(1, top):
        powers.append(b.mul(powers[-1], powers[-1]))
    factors = []
    for a in ws:
        if a == 0:
            factors.append(b.const(2))
            continue
        acc = None
        for j in range(a.bit_length()):
            if a >> j & 1:
                acc = powers[j] if acc is None else b.mul(acc, powers[j])
        factors.append(b.add(acc, one))
    out = _huffman_product(b, factors)
    return SubsetSumSLP(ws, target, big_n, b.build(out))


def _huffman_product(b: Builder, regs: list[int]) -> int:
    """Multiply ``regs`` pairing the two of lowest level first (ties by register order)."""
    program = b.build()
    lv, const = levels(program), constant_registers(program)
    heap = [(lv[r], not const[r], r) for r in regs]
    heapq.heapify(heap)
    while len(heap) > 1:
        la, va, ra = heapq.heappop(heap)
        lb, vb, rb = heapq.heappop(heap)
        # A product with a constant factor is linear and stays at its level (slp.levels).
        level = max(la, lb) + (1 if va and vb else 0)
        heapq.heappush(heap, (level, va or vb, b.mul(ra, rb)))
    return heap[0][2]


def read_count(value, big_n: int, target: int) -> int:
    """Bits ``[N·T, N·(T+1))`` of ``value``: the coefficient of ``X**T``."""
    return int(extract_bits(value, big_n * target, big_n * (target + 1)))


def brute_count(weights: Sequence[int], target: int) -> int:
    """The number of subsets summing to ``target``, by listing all ``2**n`` subset sums
    (int64 arithmetic: sums are at most ``24 · 2**20 < 2**63``)."""
    ws, target = check_instance(weights, target)
    sums = np.zeros(1, dtype=np.int64)
    for a in ws:
        sums = np.concatenate((sums, sums + a))
    return int(np.count_nonzero(sums == target))
