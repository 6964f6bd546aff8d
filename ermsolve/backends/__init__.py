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
