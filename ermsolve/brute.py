"""Brute force: enumerate the parameter grid and evaluate the exact loss at every point.

This is the ground truth every encoding, solver and counter is tested against.  It visits
``|domain| ** (number of free parameters)`` points (distinct values only, for the rational
domain), so it is meant for tiny instances; :func:`grid_points` tells the cost in advance.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from gmpy2 import mpq

from .instance import Instance, ParamRef
from .limits import check_grid, grid_upper_bound
from .network import assemble, loss

#: Default refusal point of :func:`enumerate_losses`.
DEFAULT_MAX_POINTS = 2_000_000


def domain_values(instance: Instance) -> list[mpq]:
    """Each distinct value of the domain once."""
    return list(instance.domain.values())


def grid_points(instance: Instance) -> int:
    """Number of distinct parameter assignments.  A domain of more than ``2**22`` values
    (``(p, q)`` pairs for the rational domain) is not enumerated: the pair count is used,
    an upper bound, so that asking the cost never costs more than a small enumeration."""
    free = len(instance.free_parameters())
    if instance.domain.size > 1 << 22:
        return grid_upper_bound(instance)
    return len(domain_values(instance)) ** free


def enumerate_losses(instance: Instance, max_points: int = DEFAULT_MAX_POINTS
                     ) -> Iterator[tuple[dict[ParamRef, mpq], mpq]]:
    """Yield ``(free parameter values, exact loss)`` for every distinct assignment."""
    # Refuses without enumerating a huge domain (``grid_points`` would list its values).
    check_grid(instance, max_points)
    free = instance.free_parameters()
    values = domain_values(instance)
    for combo in itertools.product(values, repeat=len(free)):
        assignment = dict(zip(free, combo))
        yield assignment, loss(instance, assemble(instance, assignment))


@dataclass
class BruteResult:
    """Outcome of a full enumeration: the least loss and a minimizer, and how many
    assignments reach loss ≤ γ."""

    minimum: mpq
    minimizer: dict[ParamRef, mpq]
    count: int
    points: int

    @property
    def satisfiable(self) -> bool:
        return self.count > 0


def brute_force(instance: Instance, max_points: int = DEFAULT_MAX_POINTS) -> BruteResult:
    """Enumerate the whole grid (see :func:`enumerate_losses`)."""
    best, best_at, count, points = None, {}, 0, 0
    for assignment, value in enumerate_losses(instance, max_points):
        points += 1
        if value <= instance.threshold:
            count += 1
        if best is None or value < best:
            best, best_at = value, assignment
    return BruteResult(best, best_at, count, points)
