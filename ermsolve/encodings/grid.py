"""Peer baseline ``brute-vec``: the whole parameter grid, evaluated on the circuit with numpy.

Every assignment of the leaves (each leaf over its range ``[lo, hi]``; for the ``rational``
domain that is every ``(p, q)`` pair, so a value may be visited more than once) is visited
in chunks.  A chunk is a block of consecutive flat indices ``i``; leaf ``j`` takes the value
``lo_j + (i // stride_j) % size_j`` (mixed radix).  The circuit is then evaluated node by node
on whole arrays — ADD, SCALE, MUL as array arithmetic, ITE as ``numpy.where``, GE0, EQC,
ATMOST, AND, OR, NOT elementwise — and the first index where every assertion and every CLAMP
bound holds is a solution.  When no index does, the answer is unsat: the search was
exhaustive.

Exactness.  The arrays hold exact integers.  They are ``int64`` only when a magnitude bound
proves that no intermediate value reaches ``2**62``: ``mag(VAR) = mag(CONST) = max(|lo|,
|hi|)``, ``mag(ADD) = Σ mag(args)`` (this bounds every partial sum, which the node's own
interval does not), ``mag(SCALE) = |c| mag(x)``, ``mag(MUL) = mag(x) mag(y)``,
``mag(ITE) = max`` of the branches, ``mag(CLAMP) = mag(x)``.  Otherwise the arrays hold
Python integers (``dtype=object``), which cannot overflow but are far slower.

Worked example: two leaves ``a`` in ``[-1, 1]`` and ``b`` in ``[0, 1]`` give 6 points;
index ``i = 4`` is ``a = -1 + (4 // 2) % 3 = 1``, ``b = 0 + 4 % 2 = 0``.

Limitations: the cost is the grid size times the circuit size; it is a baseline for tiny
grids, and it stops (answering unknown) at the time limit.  Grids of ``2**62`` points or more
are refused.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from ..backends import RawOutcome
from ..circuit import Circuit
from ..lowering import Lowered
from ..result import Status

#: int64 arrays are used only below this magnitude (headroom for the sign and one addition).
INT64_SAFE = 1 << 62

#: Target number of array entries alive at once (memory ~ 8 bytes each for int64).
CHUNK_BUDGET = 1 << 23


def magnitude_bound(circuit: Circuit) -> int:
    """The largest ``mag`` of the module docstring over all integer nodes."""
    mag: dict[int, int] = {}
    for n in circuit.nodes:
        if n.is_bool:
            continue
        a = [mag[x.ident] for x in n.args if not x.is_bool]
        if n.op in ("VAR", "CONST"):
            m = max(abs(n.lo), abs(n.hi))
        elif n.op == "ADD":
            m = sum(a)
        elif n.op == "SCALE":
            m = abs(n.value) * a[0]
        elif n.op == "MUL":
            m = a[0] * a[1]
        else:  # ITE, CLAMP
            m = max(a)
        mag[n.ident] = m
    return max(mag.values(), default=0)


def _last_uses(circuit: Circuit) -> dict[int, int]:
    last: dict[int, int] = {}
    for n in circuit.nodes:
        for a in n.args:
            last[a.ident] = n.ident
    for a in circuit.assertions:
        last[a.ident] = len(circuit.nodes)
    return last


_ARRAY_OPS = {
    "ADD": lambda n, a: sum(a[1:], a[0]),
    "SCALE": lambda n, a: a[0] * n.value,
    "MUL": lambda n, a: a[0] * a[1],
    "ITE": lambda n, a: np.where(a[0], a[1], a[2]),
    "CLAMP": lambda n, a: a[0],
    "GE0": lambda n, a: np.asarray(a[0] >= 0, dtype=bool),
    "EQC": lambda n, a: np.asarray(a[0] == n.value, dtype=bool),
    "ATMOST": lambda n, a: sum(np.asarray(x, dtype=np.int64) for x in a) <= n.value,
    "AND": lambda n, a: functools.reduce(np.logical_and, a),
    "OR": lambda n, a: functools.reduce(np.logical_or, a),
    "NOT": lambda n, a: np.logical_not(a[0]),
    "TRUE": lambda n, a: np.True_,
    "FALSE": lambda n, a: np.False_,
}


class GridSearch:
    """Exhaustive evaluation of ``circuit`` over its leaf grid (see the module docstring)."""

    def __init__(self, circuit: Circuit):
        self.circuit = circuit
        self.sizes = [leaf.hi - leaf.lo + 1 for leaf in circuit.leaves]
        self.points = int(np.prod([1, *self.sizes], dtype=object))
        self.exact_int64 = magnitude_bound(circuit) < INT64_SAFE
        self.dtype = np.int64 if self.exact_int64 else object
        self.last = _last_uses(circuit)
        self.chunk = max(256, min(1 << 16, CHUNK_BUDGET // max(1, len(circuit.nodes))))

    def leaf_arrays(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Leaf values at the flat indices ``start .. stop-1``."""
        idx = np.arange(start, stop, dtype=np.int64)
        out, stride = {}, 1
        for leaf, size in zip(reversed(self.circuit.leaves), reversed(self.sizes)):
            out[leaf.name] = ((idx // stride) % size + leaf.lo).astype(self.dtype)
            stride *= size
        return out

    def mask(self, leaves: dict[str, np.ndarray]) -> np.ndarray:
        """Where every assertion and CLAMP bound holds, for one chunk."""
        val: dict[int, object] = {}
        ok = np.True_
        for n in self.circuit.nodes:
            if n.op == "VAR":
                val[n.ident] = leaves[n.name]
            elif n.op == "CONST":
                val[n.ident] = np.array(n.value, dtype=self.dtype)
            else:
                val[n.ident] = _ARRAY_OPS[n.op](n, [val[a.ident] for a in n.args])
                if n.op == "CLAMP":
                    v = val[n.ident]
                    ok = ok & np.asarray((v >= n.lo) & (v <= n.hi), dtype=bool)
            for a in set(n.args):
                if self.last.get(a.ident) == n.ident:
                    del val[a.ident]
        for a in self.circuit.assertions:
            ok = ok & np.asarray(val[a.ident], dtype=bool)
        return np.broadcast_to(ok, (len(next(iter(leaves.values()))),)) if leaves else ok

    def first_solution(self, deadline: float | None) -> tuple[Status, dict | None, int]:
        """``(status, leaf values or None, points visited)``; unknown past ``deadline``."""
        if not self.circuit.leaves:
            holds = bool(np.all(self.mask({})))
            return (Status.SAT if holds else Status.UNSAT), ({} if holds else None), 1
        for start in range(0, self.points, self.chunk):
            if deadline is not None and time.monotonic() > deadline:
                return Status.UNKNOWN, None, start
            stop = min(self.points, start + self.chunk)
            leaves = self.leaf_arrays(start, stop)
            hits = np.flatnonzero(self.mask(leaves))
            if hits.size:
                k = int(hits[0])
                return Status.SAT, {name: int(v[k]) for name, v in leaves.items()}, stop
        return Status.UNSAT, None, self.points


def run_brute_vec(lowered: Lowered, solver: str, timeout: float | None,
                  **_options) -> RawOutcome:
    """Decide ``lowered`` by exhaustive grid evaluation (``solver`` is ``numpy``)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    search = GridSearch(lowered.circuit)
    sizes = {"points": search.points, "int64": int(search.exact_int64)}
    if search.points >= INT64_SAFE:
        return RawOutcome(Status.UNKNOWN, None, sizes,
                          reason=f"grid of {search.points} points is beyond enumeration")
    status, values, visited = search.first_solution(deadline)
    sizes["visited"] = visited
    reason = "time limit" if status is Status.UNKNOWN else ""
    return RawOutcome(status, values, sizes, reason=reason)


def count_hits(circuit: Circuit) -> int:
    """Number of grid points where the circuit holds (used by tests)."""
    search = GridSearch(circuit)
    total = 0
    for start in range(0, search.points, search.chunk):
        stop = min(search.points, start + search.chunk)
        total += int(np.count_nonzero(search.mask(search.leaf_arrays(start, stop))))
    return total

