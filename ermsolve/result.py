"""The outcome of a solve: a status and a result object (a timeout is a result, not an
exception)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from gmpy2 import mpq

from .rationals import to_str


class Status(enum.Enum):
    """Answer to "is there an assignment with loss ≤ γ?"."""

    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"

    @property
    def exit_code(self) -> int:
        """The SAT-competition exit code: 10 sat, 20 unsat, 0 unknown."""
        return {Status.SAT: 10, Status.UNSAT: 20, Status.UNKNOWN: 0}[self]

    @property
    def line(self) -> str:
        """The ``s`` line of the SAT-competition output convention."""
        return {Status.SAT: "s SATISFIABLE", Status.UNSAT: "s UNSATISFIABLE",
                Status.UNKNOWN: "s UNKNOWN"}[self]


@dataclass
class SolveResult:
    """What :func:`ermsolve.solve` found.

    ``parameters`` (full, fixed entries included) and ``loss`` are set for ``SAT`` and were
    re-checked by the exact forward pass.  ``sizes`` holds formula sizes (``variables``,
    ``clauses``, ``assertions``, ``max_width``...), ``extra`` backend-specific data (e.g. a
    proof file for ``UNSAT``)."""

    status: Status
    encoding: str
    solver: str
    seconds: float
    parameters: dict[str, list] | None = None
    loss: mpq | None = None
    sizes: dict[str, int] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    reason: str = ""

    def parameters_json(self) -> dict | None:
        """Parameters as rational strings, nested as in the instance format."""
        if self.parameters is None:
            return None
        return {k: _nested_str(v) for k, v in self.parameters.items()}

    def to_json(self) -> dict:
        out = {
            "status": self.status.value,
            "loss": None if self.loss is None else to_str(self.loss),
            "parameters": self.parameters_json(),
            "encoding": self.encoding,
            "solver": self.solver,
            "seconds": round(self.seconds, 6),
            "sizes": dict(self.sizes),
        }
        if self.reason:
            out["reason"] = self.reason
        return out


def _nested_str(value):
    if isinstance(value, list):
        return [_nested_str(v) for v in value]
    return to_str(value)
