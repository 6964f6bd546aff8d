"""Differential fuzzing: random tiny instances, every backend against brute force.

One generator, two sources of choices: :class:`RandomChooser` (a seeded
``random.Random``: instance ``i`` of seed ``S`` is always the same, so a long run can be
resumed and any failure replayed from ``(S, i)``) and :class:`DrawChooser` (hypothesis's
``draw``, so that the CI slice shrinks a failure to a small example).

:func:`check_instance` runs the selected checks on one instance and returns the list of
*disagreements* (strings; empty means every answer agreed with brute force):

* decision — every selected (encoding, solver) answers sat/unsat as brute force does
  (``unknown`` after a timeout is counted, not a disagreement); a sat answer is re-checked by
  :func:`ermsolve.solve` itself and its certificate must pass the independent checker;
  with ``proof`` an unsat answer's DRUP proof certificate must pass it too;
* counting — every selected method gives the brute-force count (``approx`` must lie in
  ApproxMC's ``(1+ε)`` interval);
* optimize — every selected strategy reports ``optimal`` with lower = upper = the brute-force
  minimum, and parameters of exactly that loss.

Thresholds are drawn after the grid is known, so that most instances sit on a decision
boundary: the minimum, another loss value of the grid, a point between two of them, or a
random value.
"""

from __future__ import annotations

import json
import random
import tempfile
import traceback
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from gmpy2 import mpq

from ermsolve.brute import enumerate_losses
from ermsolve.instance import parse_instance
from ermsolve.rationals import to_str

PIECEWISE_LINEAR = ["relu", "identity", "leaky_relu:1/4", "leaky_relu:-1/2", "hardtanh",
                    "leaky_relu:3/2"]
POLYNOMIAL = ["square", "poly:[1,-1,1/2]", "poly:[0,1,0,-1]", "poly:[-1,0,2]"]
LOSSES = ["squared", "absolute", "max_abs", "zero_one"]


class RandomChooser:
    """Choices from a seeded :class:`random.Random`."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options):
        return options[self.rng.randrange(len(options))]


class DrawChooser:
    """Choices from hypothesis's ``draw`` (inside ``st.composite``)."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(self.st.integers(lo, hi))

    def choice(self, options):
        return self.draw(self.st.sampled_from(list(options)))


def _rational(ch, dens=(1, 2, 3, 4), span=4) -> str:
    return to_str(mpq(ch.integer(-span, span), ch.choice(dens)))


def _domain(ch) -> dict:
    kind = ch.choice(["fixed", "fixed", "rational", "set"])
    if kind == "fixed":
        return {"type": "fixed", "bits": ch.integer(1, 3), "frac_bits": ch.integer(0, 2)}
    if kind == "rational":
        return {"type": "rational", "num_bits": ch.integer(1, 2), "den_bits": ch.integer(1, 2)}
    values = sorted({_rational(ch) for _ in range(ch.integer(1, 4))}, key=mpq)
    return {"type": "set", "values": values}


def instance_dict(ch, max_free: int = 3) -> dict:
    """A random ``ermbit/1`` dict with at most ``max_free`` free parameters and threshold 0
    (see :func:`with_boundary_threshold`)."""
    loss = ch.choice(LOSSES)
    d0 = ch.integer(1, 2)
    poly = ch.integer(0, 3) == 0
    hidden_layers = ch.choice([0, 1, 1, 2]) if not poly else ch.choice([0, 1])
    hidden = [ch.integer(1, 2) for _ in range(hidden_layers)]
    d_out = 1 if loss == "zero_one" else ch.integer(1, 2)
    layers = [d0, *hidden, d_out]
    m = ch.integer(1, 3)
    inputs = [[_rational(ch) for _ in range(d0)] for _ in range(m)]
    if loss == "zero_one":
        targets = [[ch.choice(["-1", "1"])] for _ in range(m)]
    else:
        targets = [[_rational(ch) for _ in range(d_out)] for _ in range(m)]
    acts = POLYNOMIAL if poly else PIECEWISE_LINEAR
    out_act = ch.choice(["identity", "identity", *PIECEWISE_LINEAR,
                         *(POLYNOMIAL if poly and not hidden else [])])
    slots = []
    for layer in range(1, len(layers)):
        rows, cols = layers[layer], layers[layer - 1]
        slots += [(f"W{layer}", (r, c)) for r in range(rows) for c in range(cols)]
        slots += [(f"b{layer}", (r,)) for r in range(rows)]
    free = set()
    n_free = ch.integer(0, min(max_free, len(slots)))
    while len(free) < n_free:
        free.add(ch.integer(0, len(slots) - 1))
    fixed: dict = {}
    for i, (name, idx) in enumerate(slots):
        if i in free:
            continue
        layer = int(name[1:])
        if name not in fixed:
            fixed[name] = ([[None] * layers[layer - 1] for _ in range(layers[layer])]
                           if name[0] == "W" else [None] * layers[layer])
        value = _rational(ch, dens=(1, 2), span=3)
        if len(idx) == 2:
            fixed[name][idx[0]][idx[1]] = value
        else:
            fixed[name][idx[0]] = value
    doc = {"format": "ermbit/1",
           "architecture": {"layers": layers, "activation": ch.choice(acts),
                            "output_activation": out_act},
           "domain": _domain(ch), "data": {"inputs": inputs, "targets": targets},
           "loss": loss, "threshold": "0"}
    if fixed:
        doc["fixed"] = fixed
    return doc


def with_boundary_threshold(ch, doc: dict, losses: list) -> dict:
    """``doc`` with a threshold chosen relative to the grid's loss values."""
    values = sorted(set(losses))
    mode = ch.choice(["min", "min", "value", "between", "below", "random"])
    if mode == "min":
        t = values[0]
    elif mode == "value":
        t = values[ch.integer(0, len(values) - 1)]
    elif mode == "between" and len(values) > 1:
        i = ch.integer(0, len(values) - 2)
        t = (values[i] + values[i + 1]) / 2
    elif mode == "below" and values[0] > 0:
        t = values[0] * mpq(ch.integer(1, 3), 4)
    else:
        t = mpq(ch.integer(0, 12), ch.choice([1, 2, 4, 8]))
    if doc["loss"] == "zero_one":
        m = len(doc["data"]["inputs"])
        t = mpq(min(int(t * m), m), m)
    return {**doc, "threshold": to_str(t)}


@dataclass
class Plan:
    """What to run on one instance."""

    decisions: list[tuple[str, str]] = field(default_factory=list)  # (encoding, solver)
    proofs: list[tuple[str, str]] = field(default_factory=list)  # unsat proofs to check
    counts: list[str] = field(default_factory=list)
    optimize: list[str] = field(default_factory=list)
    timeout: float = 20.0


@dataclass
class Outcome:
    """What one instance gave: disagreements (bugs), unknowns (timeouts), calls made."""

    disagreements: list[str] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    sat: bool | None = None

    def ran(self, what: str) -> None:
        self.calls[what] = self.calls.get(what, 0) + 1


@dataclass
class Truth:
    """Brute-force facts of an instance at its threshold."""

    count: int
    minimum: mpq
    losses: list


def ground_truth(instance, losses: list | None = None) -> Truth:
    """Brute force (``losses``: the grid's loss values when already known)."""
    if losses is None:
        losses = [value for _, value in enumerate_losses(instance)]
    count = sum(1 for v in losses if v <= instance.threshold)
    return Truth(count, min(losses), losses)


def _guard(out: Outcome, what: str, func, *args, **kw):
    """Call ``func``; an exception is a disagreement (a crash on a valid instance)."""
    try:
        return func(*args, **kw)
    except Exception as exc:  # noqa: BLE001 - every crash is recorded, none is hidden
        where = traceback.extract_tb(exc.__traceback__)[-1]
        out.disagreements.append(f"{what}: crashed with {type(exc).__name__}: {exc} "
                                 f"({Path(where.filename).name}:{where.lineno})")
        return None


def _check_decision(instance, truth: Truth, enc: str, solver: str, plan: Plan,
                    out: Outcome, folder: Path) -> None:
    from ermsolve.certificate import read_certificate, write_certificate
    from ermsolve.checker import check_certificate
    from ermsolve.result import Status
    from ermsolve.solve import solve

    what = f"{enc}/{solver}"
    prove = (enc, solver) in plan.proofs
    cert = folder / f"{enc}-{solver}.cert.json"
    proof = str(cert) + ".drat" if prove else None
    out.ran(what)
    result = _guard(out, what, solve, instance, enc, solver, plan.timeout, proof_path=proof)
    if result is None:
        return
    if result.status is Status.UNKNOWN:
        out.unknowns.append(f"{what}: {result.reason or 'unknown'}")
        return
    expected = Status.SAT if truth.count else Status.UNSAT
    if result.status is not expected:
        out.disagreements.append(f"{what}: answered {result.status.value}, brute force says "
                                 f"{expected.value} ({truth.count} solutions)")
        return
    if result.status is Status.SAT or (prove and "proof" in result.extra):
        write_certificate(cert, instance, result)
        verdict = _guard(out, f"{what} check", check_certificate, instance,
                         read_certificate(cert), str(cert))
        out.ran("check")
        if verdict is not None and not verdict.valid:
            out.disagreements.append(f"{what}: certificate rejected: {verdict.reason}")
    elif prove:
        out.disagreements.append(f"{what}: unsat without the requested proof")


def _check_count(instance, truth: Truth, method: str, plan: Plan, out: Outcome) -> None:
    from ermsolve.counting import count_instance

    what = f"count/{method}"
    out.ran(what)
    result = _guard(out, what, count_instance, instance, method, timeout=plan.timeout)
    if result is None:
        return
    if result.count is None:
        out.unknowns.append(f"{what}: timed out")
        return
    if method == "approx":
        eps = Fraction(result.epsilon)
        lo, hi = Fraction(truth.count) / (1 + eps), Fraction(truth.count) * (1 + eps)
        if not lo <= result.count <= hi:
            out.disagreements.append(f"{what}: estimate {result.count} outside (1+{eps}) of "
                                     f"the true count {truth.count}")
    elif result.count != truth.count:
        out.disagreements.append(f"{what}: counted {result.count}, brute force {truth.count}")


def _check_optimize(instance, truth: Truth, strategy: str, plan: Plan, out: Outcome) -> None:
    from ermsolve.network import loss
    from ermsolve.optimize import optimize

    if strategy == "maxsat" and instance.loss != "zero_one":
        return
    what = f"optimize/{strategy}"
    out.ran(what)
    result = _guard(out, what, optimize, instance, strategy, timeout=plan.timeout)
    if result is None:
        return
    if result.status != "optimal":
        out.unknowns.append(f"{what}: stopped with bounds [{result.lower}, {result.upper}]")
        if not result.lower <= truth.minimum <= result.upper:
            out.disagreements.append(f"{what}: bounds [{result.lower}, {result.upper}] miss "
                                     f"the minimum {truth.minimum}")
        return
    if not result.lower == result.upper == truth.minimum:
        out.disagreements.append(f"{what}: optimum [{result.lower}, {result.upper}], brute "
                                 f"force minimum {truth.minimum}")
    value = loss(instance, result.parameters)
    if value != result.upper:
        out.disagreements.append(f"{what}: parameters have loss {value}, reported "
                                 f"{result.upper}")


def check_instance(doc: dict, plan: Plan, losses: list | None = None
                   ) -> tuple[Outcome, dict]:
    """Run ``plan`` on the instance ``doc`` (threshold already set; ``losses`` the grid's
    loss values if known); returns the outcome and the instance dict."""
    out = Outcome()
    instance = parse_instance(json.loads(json.dumps(doc)))
    truth = _guard(out, "brute", ground_truth, instance, losses)
    if truth is None:
        return out, doc
    out.sat = truth.count > 0
    with tempfile.TemporaryDirectory(prefix="ermfuzz-") as tmp:
        for enc, solver in plan.decisions:
            _check_decision(instance, truth, enc, solver, plan, out, Path(tmp))
    for method in plan.counts:
        _check_count(instance, truth, method, plan, out)
    for strategy in plan.optimize:
        _check_optimize(instance, truth, strategy, plan, out)
    return out, doc


def make_instance(ch, max_free: int = 3) -> tuple[dict, list]:
    """An instance dict with a boundary threshold, and the grid's loss values (brute force
    runs once, before the threshold is chosen; the losses do not depend on it)."""
    doc = instance_dict(ch, max_free)
    base = parse_instance(json.loads(json.dumps(doc)))
    losses = [value for _, value in enumerate_losses(base)]
    return with_boundary_threshold(ch, doc, losses), losses
