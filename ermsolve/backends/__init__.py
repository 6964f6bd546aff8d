"""Backends: each runs one encoding's formula on one solver and reports a
:class:`RawOutcome` (status, leaf values for sat, sizes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..result import Status


@dataclass
class RawOutcome:
    """A backend's answer before ermsolve re-checks it: ``leaf_values`` (by leaf name) for
    ``SAT``; ``sizes`` (formula size); ``extra`` (e.g. a proof path for ``UNSAT``)."""

    status: Status
    leaf_values: dict[str, int] | None = None
    sizes: dict[str, int] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    reason: str = ""


def run_killable(what: str, func, args: tuple, timeout: float | None) -> RawOutcome:
    """``func(*args)`` (a backend's solve, returning a :class:`RawOutcome`) in a forked
    child that is killed ``GRACE`` seconds past ``timeout`` or when this process is
    interrupted (:func:`ermsolve.watchdog.call_in_child`): for solvers that ignore SIGINT
    or overrun their own limits (cvc5, HiGHS, Bitwuzla and CP-SAT without a deadline).  In a
    process that is already killed by then (a benchmark run) it runs in-process.  A killed
    or dead child is the answer unknown."""
    from ..watchdog import GRACE, ChildDiedError, call_in_child, enclosing_limit_covers

    if enclosing_limit_covers(timeout, GRACE):
        return func(*args)
    try:
        done, outcome = call_in_child(func, args, None if timeout is None else timeout + GRACE)
    except ChildDiedError:
        return RawOutcome(Status.UNKNOWN, reason=f"the {what} process died")
    if not done:
        return RawOutcome(Status.UNKNOWN, reason=f"timeout ({what} process killed)")
    return outcome
