"""Counting the parameter space: projected model counts of CNF formulas and of instances.

Two layers:

* :func:`count_cnf` counts the assignments of a set of *projection* variables that extend to
  a model of a CNF (a projected model count, ``#∃``), by one of four methods: ``exact``
  (Ganak, via ``pyganak``), ``approx`` (ApproxMC, via ``pyapproxmc``), ``enumerate`` (a PySAT
  solver and blocking clauses on the projection variables).  It knows nothing of networks;
  the hardness chain uses it on its own CNFs.
* :func:`count_instance` counts, for an ERM_bit instance, the parameter assignments of the
  bit model that reach loss ≤ γ: the projected count of the ``cnf`` encoding over the
  parameters' leaf bits, or ``brute`` (grid enumeration by :mod:`ermsolve.brute`).

Semantics of an instance count (what is counted once):

* ``fixed``: every ``bits``-bit integer ``k`` (value ``k / 2**frac_bits``) — the values are
  distinct, so assignments and values coincide.
* ``set``: every index ``0 <= i < n`` (the encoding asserts the range, so the indices
  ``n .. 2**bits - 1`` a field could hold are not models).
* ``rational``: every distinct *value* ``p / q``, not every pair: ``1/2`` and ``2/4`` are one
  value.  The CNF is extended by a canonical-form constraint ``gcd(p, q) = 1`` per parameter
  (:func:`canonical_rational_clauses`), so each value keeps exactly its reduced pair; the
  reduced pair of any pair in the domain is itself in the domain (``|p'| <= |p|``,
  ``q' <= q``), hence the count is the number of distinct values.  ``0`` is kept only as
  ``0/1`` (``gcd(0, q) = q``).

Projection variables that occur in no clause are counted by the factor ``2`` each, for every
method: they are removed from the projection before a counter sees them.  (ApproxMC's binding
silently drops such variables from its projection, which would undercount; see the
regression test.)

Guarantees, as printed with every result:

* ``exact``: Ganak's count.  ``pyganak`` runs Ganak with its default *probabilistic
  component caching* (cache keys are hashes; the binding offers no switch to turn it off),
  so the number is exact unless a hash collision occurred; Ganak bounds that probability by
  a δ that its command line prints and the binding does not return.  Our differential tests
  against ``enumerate`` and ``brute`` have never seen a disagreement.
* ``approx``: ApproxMC's PAC guarantee ``Pr[c/(1+ε) <= estimate <= (1+ε)·c] >= 1 - δ``.
* ``enumerate`` and ``brute``: exact, by construction.

Default method (``count_instance(method=None)``, ``ermsolve count`` without ``--method``):
enumerate up to :data:`AUTO_ENUMERATE_LIMIT` solutions (exact, no hashing); past that,
``exact`` for CNFs of at most :data:`EXACT_MAX_CLAUSES` clauses and ``approx`` beyond — the
line comes from measurements (``benchmarks/counting.md``): through this binding Ganak's
cost is dominated by its preprocessing (Arjun, tree decomposition), which grows with the
formula rather than with the number of parameter bits.  Before Ganak runs, a SAT call
decides unsatisfiable formulas (count 0) outright; optional preprocessing fixes backbone
projection bits (``backbone=True``) or splits on given projection bits (``split=...``).

Limitations: Ganak through ``pyganak`` stops scaling early on network CNFs (timeouts at
4000+ clauses even for 10 parameter bits, see the benchmark); ``count()`` of both native
counters cannot be interrupted in-process, so they run in a forked child process that is
killed at the timeout (``fork`` start method: Linux and macOS only); ``count_instance``
with a timeout runs the whole count (encoding, backbone search, counter) in such a child,
killed one second after the timeout.  ``enumerate`` is
linear in the count (it refuses past ``limit`` solutions).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from .errors import ErmsolveError, SizeLimitError, UnsupportedError
from .watchdog import GRACE, ChildDiedError, call_in_child, enclosing_limit_covers

log = logging.getLogger(__name__)

#: Methods of :func:`count_cnf`; :func:`count_instance` adds ``brute``.
CNF_METHODS = ("exact", "approx", "enumerate")
METHODS = (*CNF_METHODS, "brute")

#: ApproxMC's own defaults.
DEFAULT_EPSILON = Fraction(4, 5)
DEFAULT_DELTA = Fraction(1, 5)

#: Default refusal point of ``enumerate`` (solutions).
DEFAULT_ENUMERATE_LIMIT = 1_000_000

GUARANTEE_EXACT = ("exact up to Ganak's probabilistic component caching: wrong only on a "
                   "cache-hash collision, whose probability Ganak bounds by a small delta "
                   "(pyganak runs Ganak's default mode and does not report the delta)")
GUARANTEE_EXACT_ENUM = "exact (every solution enumerated with blocking clauses)"
GUARANTEE_EXACT_BRUTE = "exact (every grid point evaluated with exact rationals)"


class CounterError(ErmsolveError, RuntimeError):
    """A native counter failed (crashed or raised) on a formula."""


@dataclass
class CountResult:
    """The outcome of a count.

    ``count`` is the exact count (methods ``exact``, ``enumerate``, ``brute``), the estimate
    ``cells * 2**(hashes + dropped_empty_bits + free_bits)`` (``approx``; the middle term
    is the binding correction, ``details["dropped_empty_bits"]``), or ``None`` when the time
    ran out.
    ``free_bits`` projection variables occur in no clause and contributed the factor
    ``2**free_bits``.  ``epsilon``/``delta`` are set for ``approx`` only.
    """

    method: str
    count: int | None
    seconds: float
    exact: bool
    guarantee: str
    projection_size: int = 0
    free_bits: int = 0
    epsilon: Fraction | None = None
    delta: Fraction | None = None
    timed_out: bool = False
    details: dict = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return self.count is not None

    def to_json(self) -> dict:
        """JSON form: ``count`` is a JSON integer (exact, arbitrary size; ``null`` after a
        timeout), ``count_text`` the same number as a decimal string for readers whose
        JSON numbers are doubles."""
        out = {
            "method": self.method,
            "count": self.count,
            "count_text": None if self.count is None else str(self.count),
            "exact": self.exact,
            "seconds": round(self.seconds, 6),
            "timed_out": self.timed_out,
            "guarantee": self.guarantee,
            "projection_size": self.projection_size,
            "free_bits": self.free_bits,
        }
        if self.epsilon is not None:
            out["epsilon"] = _fraction_text(self.epsilon)
            out["delta"] = _fraction_text(self.delta)
        out.update(self.details)
        return out


def _fraction_text(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def approx_guarantee(epsilon: Fraction, delta: Fraction) -> str:
    """ApproxMC's (ε, δ) statement for these parameters."""
    e, d = _fraction_text(epsilon), _fraction_text(delta)
    return (f"with probability >= 1 - {d}: count/(1+{e}) <= estimate <= (1+{e})*count "
            f"(ApproxMC, epsilon={e}, delta={d})")


# --------------------------------------------------------------------------- CNF counting

def count_cnf(cnf, projection: Sequence[int], method: str = "exact", *,
              epsilon=DEFAULT_EPSILON, delta=DEFAULT_DELTA, timeout: float | None = None,
              seed: int = 1, limit: int = DEFAULT_ENUMERATE_LIMIT,
              split: Sequence[int] = (), backbone: bool = False) -> CountResult:
    """The number of assignments of ``projection`` that extend to a model of ``cnf``.

    ``cnf`` is a ``pysat.formula.CNF`` or any object with a ``clauses`` list (lists of
    nonzero DIMACS literals), or a plain list of clauses.  ``projection`` lists positive
    variable numbers (duplicates ignored); a projection variable in no clause counts twice.
    ``method`` is ``exact``, ``approx`` or ``enumerate`` (module docstring for the
    guarantees).  ``epsilon``/``delta`` (rationals, ``epsilon > 0``, ``0 < delta < 1``) are
    ApproxMC's parameters.  ``timeout`` (seconds) bounds the wall-clock time; past it the
    result has ``count=None`` and ``timed_out=True``.  ``limit`` bounds ``enumerate``.

    Preprocessing (``exact`` only; both keep the count exact): ``backbone`` first fixes, by
    unit clauses, every projection variable that has one value in all models (one SAT call
    per projection variable); ``split`` lists projection variables to split on: the count is
    the sum over the ``2**len(split)`` cubes, each counted by its own Ganak run.
    """
    if method not in CNF_METHODS:
        raise UnsupportedError(f"unknown counting method {method!r}; expected one of "
                               f"{', '.join(CNF_METHODS)}")
    clauses = _clauses_of(cnf)
    proj = sorted(set(int(v) for v in projection))
    if proj and proj[0] <= 0:
        raise UnsupportedError(f"projection variables must be positive, got {proj[0]}")
    occurring = {abs(lit) for cl in clauses for lit in cl}
    inner = [v for v in proj if v in occurring]
    free_bits = len(proj) - len(inner)
    start = time.perf_counter()
    if method == "approx":
        eps, dlt = _check_pac(epsilon, delta)
        result = _count_approx(clauses, inner, eps, dlt, timeout, seed)
    elif method == "exact":
        result = _count_exact_split(clauses, inner, timeout, seed, split, backbone)
    else:
        result = _count_enumerate(clauses, inner, timeout, limit)
    result.seconds = time.perf_counter() - start
    result.projection_size = len(proj)
    result.free_bits = free_bits
    if result.count is not None:
        result.count <<= free_bits
    return result


def _clauses_of(cnf) -> list[list[int]]:
    clauses = cnf if isinstance(cnf, list) else cnf.clauses
    return [list(map(int, cl)) for cl in clauses]


def _check_pac(epsilon, delta) -> tuple[Fraction, Fraction]:
    try:
        eps, dlt = Fraction(str(epsilon)), Fraction(str(delta))
    except (ValueError, ZeroDivisionError):
        raise UnsupportedError(f"epsilon and delta must be rationals, got {epsilon!r}, "
                               f"{delta!r}") from None
    if not eps > 0:
        raise UnsupportedError(f"epsilon must be > 0, got {_fraction_text(eps)}")
    if not 0 < dlt < 1:
        raise UnsupportedError(f"delta must be in (0, 1), got {_fraction_text(dlt)}")
    return eps, dlt


def _satisfiable(clauses: list[list[int]]) -> bool:
    from pysat.solvers import Solver

    if any(not cl for cl in clauses):
        return False
    with Solver(name="cadical153", bootstrap_with=clauses) as s:
        return bool(s.solve())


def _timed_out_result(method: str, exact: bool, guarantee: str, timeout: float) -> CountResult:
    return CountResult(method, None, 0.0, exact, guarantee, timed_out=True,
                       details={"reason": f"no count within {timeout:g} s"})


def _count_exact_split(clauses, proj, timeout, seed, split, backbone) -> CountResult:
    split = [v for v in dict.fromkeys(int(v) for v in split) if v in set(proj)]
    info = {}
    if backbone and proj and not any(not cl for cl in clauses):
        units = backbone_units(clauses, proj)
        if units is None:
            return CountResult("exact", 0, 0.0, True, GUARANTEE_EXACT,
                               details={"decided_by": "sat"})
        fixed = {abs(u) for u in units}
        clauses = clauses + [[u] for u in units]
        proj = [v for v in proj if v not in fixed]
        split = [v for v in split if v not in fixed]
        info["backbone_bits"] = len(units)
    if not split:
        result = _count_exact(clauses, proj, timeout, seed)
        result.details.update(info)
        return result
    rest = [v for v in proj if v not in set(split)]
    deadline = None if timeout is None else time.perf_counter() + timeout
    total = 0
    for cube in range(1 << len(split)):
        units = [[v if (cube >> i) & 1 else -v] for i, v in enumerate(split)]
        left = None if deadline is None else max(deadline - time.perf_counter(), 1e-3)
        part = _count_exact(clauses + units, rest, left, seed)
        if part.count is None:
            return _timed_out_result("exact", True, GUARANTEE_EXACT, timeout)
        total += part.count
    info["split_bits"] = len(split)
    return CountResult("exact", total, 0.0, True, GUARANTEE_EXACT, details=info)


def backbone_units(clauses, proj) -> list[int] | None:
    """The unit literals of every projection variable fixed in all models (``None`` when
    there is no model): one model, then one SAT call per still-undecided variable, each
    new model clearing the variables it flips."""
    from pysat.solvers import Solver

    with Solver(name="cadical153", bootstrap_with=clauses) as solver:
        if not solver.solve():
            return None
        model = {abs(lit): lit > 0 for lit in solver.get_model()}
        candidates = {v: model.get(v, False) for v in proj}
        for v in list(candidates):
            if v not in candidates:
                continue
            lit = v if candidates[v] else -v
            if solver.solve(assumptions=[-lit]):
                other = {abs(x): x > 0 for x in solver.get_model()}
                for u in list(candidates):
                    if other.get(u, False) != candidates[u]:
                        del candidates[u]
        return [v if val else -v for v, val in candidates.items()]


def _count_exact(clauses, proj, timeout, seed) -> CountResult:
    if any(not cl for cl in clauses):
        return CountResult("exact", 0, 0.0, True, GUARANTEE_EXACT)
    # A SAT call first: the count is 0 when it fails, 1 when nothing is projected.  (Ganak's
    # preprocessing was seen taking 30 s to find an empty clause CaDiCaL refutes in 0.1 s.)
    sat = _satisfiable(clauses)
    if not proj or not sat:
        return CountResult("exact", int(sat), 0.0, True, GUARANTEE_EXACT,
                           details={"decided_by": "sat"})
    done, value = run_in_child(_ganak_worker, (clauses, proj, seed), timeout)
    if not done:
        return _timed_out_result("exact", True, GUARANTEE_EXACT, timeout)
    return CountResult("exact", int(value), 0.0, True, GUARANTEE_EXACT)


def _ganak_worker(clauses, proj, seed) -> int:
    import pyganak

    _silence_stdout()  # Ganak prints progress lines on descriptor 1

    counter = pyganak.Counter(seed=seed)
    counter.add_clauses(clauses)
    counter.set_sampling_set(proj)
    return int(counter.count())


def _count_approx(clauses, proj, eps, dlt, timeout, seed) -> CountResult:
    guarantee = approx_guarantee(eps, dlt)
    base = {"epsilon": eps, "delta": dlt}
    if any(not cl for cl in clauses):
        return CountResult("approx", 0, 0.0, False, guarantee, **base)
    if not proj:
        return CountResult("approx", int(_satisfiable(clauses)), 0.0, False, guarantee,
                           **base)
    args = (clauses, proj, float(eps), float(dlt), seed, _binding_drops_empties())
    done, value = run_in_child(_approxmc_worker, args, timeout)
    if not done:
        res = _timed_out_result("approx", False, guarantee, timeout)
        res.epsilon, res.delta = eps, dlt
        return res
    cells, hashes, empties = value
    return CountResult("approx", cells << (hashes + empties), 0.0, False, guarantee,
                       details={"cells": cells, "hashes": hashes,
                                "dropped_empty_bits": empties}, **base)


def _approxmc_worker(clauses, proj, eps, dlt, seed, correct) -> tuple[int, int, int]:
    """``(cells, hashes, empties)``; ``empties`` is the number of projection variables that
    ApproxMC's preprocessing (Arjun) found in no clause and dropped *without* counting them,
    read from its log when ``correct`` (the binding has that defect, see
    :func:`_binding_drops_empties`), else 0."""
    cells, hashes, log_text = _approxmc_raw(clauses, proj, eps, dlt, seed)
    empties = 0
    if correct:
        found = re.findall(r"total empties now: (\d+)", log_text)
        empties = int(found[-1]) if found else 0
    return cells, hashes, empties


def _approxmc_raw(clauses, proj, eps, dlt, seed) -> tuple[int, int, str]:
    """Run the binding once with its log (verbosity 1) captured from file descriptor 1;
    called only inside a child process, whose descriptors it may rearrange."""
    import pyapproxmc

    with tempfile.TemporaryFile() as capture:
        sys.stdout.flush()
        os.dup2(capture.fileno(), 1)
        # epsilon/delta are the algorithm's tolerance parameters, not part of any count.
        counter = pyapproxmc.Counter(verbosity=1, seed=seed, epsilon=eps, delta=dlt)
        counter.add_clauses(clauses)
        cells, hashes = counter.count(proj)
        _flush_c_stdio()
        capture.seek(0)
        text = capture.read().decode("utf-8", "replace")
    return int(cells), int(hashes), text


_DROPS_EMPTIES: bool | None = None


def _binding_drops_empties() -> bool:
    """Whether the installed ``pyapproxmc`` forgets the factor 2 of projection variables
    that Arjun's simplification leaves in no clause (pyapproxmc 4.4.0 does: on
    ``(x1 ∨ x2)(x1 ∨ x3)(x1 ∨ ¬x3)`` projected on x1..x3 it answers 1, the count is 4).
    Decided once per process on that formula, so a fixed binding is not corrected twice."""
    global _DROPS_EMPTIES
    if _DROPS_EMPTIES is None:
        _, (cells, hashes, _) = run_in_child(
            _approxmc_raw, ([[1, 2], [1, 3], [1, -3]], [1, 2, 3], 0.8, 0.2, 1), None)
        _DROPS_EMPTIES = (cells << hashes) != 4
    return _DROPS_EMPTIES


def _silence_stdout() -> None:
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _flush_c_stdio() -> None:
    with contextlib.suppress(OSError, AttributeError):  # no C library handle: nothing to do
        ctypes.CDLL(None).fflush(None)


def _count_enumerate(clauses, proj, timeout, limit) -> CountResult:
    guarantee = GUARANTEE_EXACT_ENUM
    if any(not cl for cl in clauses):
        return CountResult("enumerate", 0, 0.0, True, guarantee)
    if timeout is None:
        count = _enumerate_worker(clauses, proj, limit)
    else:  # CaDiCaL in PySAT cannot be interrupted: run it where it can be killed
        done, count = run_in_child(_enumerate_worker, (clauses, proj, limit), timeout)
        if not done:
            return _timed_out_result("enumerate", True, guarantee, timeout)
    if count < 0:
        raise SizeLimitError(f"enumeration passed {limit} solutions; use the exact or approx "
                             "method (or raise the limit)")
    return CountResult("enumerate", count, 0.0, True, guarantee)


def _enumerate_worker(clauses, proj, limit) -> int:
    """Models projected on ``proj``, each blocked once found; -1 past ``limit``."""
    from pysat.solvers import Solver

    count = 0
    with Solver(name="cadical153", bootstrap_with=clauses) as solver:
        while solver.solve():
            count += 1
            if count > limit:
                return -1
            if not proj:
                break
            value = {abs(lit): lit > 0 for lit in solver.get_model()}
            solver.add_clause([-v if value.get(v, False) else v for v in proj])
    return count


# --------------------------------------------------------------------------- child process

def run_in_child(func: Callable, args: tuple, timeout: float | None):
    """Run ``func(*args)`` in a forked child (:func:`ermsolve.watchdog.call_in_child`);
    return ``(True, value)``, or ``(False, None)`` when ``timeout`` seconds pass first (the
    child is then killed).  An exception or a crash in the child raises
    :class:`CounterError`."""
    try:
        return call_in_child(func, args, timeout)
    except ChildDiedError as exc:
        raise CounterError(f"{_func_name(func)} died (exit code {exc.exitcode}) "
                           "without an answer") from None
    except Exception as exc:
        raise CounterError(f"{_func_name(func)} failed: {type(exc).__name__}: {exc}") \
            from None


def _func_name(func) -> str:
    return {"_ganak_worker": "Ganak", "_approxmc_worker": "ApproxMC"}.get(func.__name__,
                                                                          func.__name__)


# --------------------------------------------------------------------------- export

def to_mcc(clauses: Iterable[Sequence[int]], projection: Sequence[int],
           comments: Sequence[str] = ()) -> str:
    """The projected counting problem in the Model Counting Competition format: a
    ``c t pmc`` line, the ``p cnf`` header (its variable count covers every projection
    variable, so one in no clause is still counted), ``c p show ... 0`` and the clauses."""
    clauses = [list(cl) for cl in clauses]
    proj = sorted(set(int(v) for v in projection))
    nvars = max([abs(lit) for cl in clauses for lit in cl] + proj + [0])
    lines = ["c t pmc", *(f"c {c}" for c in comments), f"p cnf {nvars} {len(clauses)}"]
    lines.append(" ".join(["c p show", *map(str, proj), "0"]))
    lines += [" ".join(map(str, cl)) + " 0" for cl in clauses]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- instances

@dataclass
class CountingProblem:
    """The projected counting problem of an instance: the ``cnf`` encoding's clauses plus
    the canonical-form clauses (rational domain), and the projection (all leaf bits)."""

    clauses: list[list[int]]
    projection: list[int]
    encoding: object  # ermsolve.encodings.cnf.CNFEncoding
    canonical_clauses: int = 0
    canonical_variables: int = 0

    def to_mcc(self, comments: Sequence[str] = ()) -> str:
        return to_mcc(self.clauses, self.projection, comments)


def counting_problem(instance) -> CountingProblem:
    """Lower ``instance``, encode it with the ``cnf`` encoding and add, for the rational
    domain, :func:`canonical_rational_clauses` (module docstring for the semantics)."""
    from .encodings.cnf import encode_cnf
    from .instance import RationalDomain
    from .limits import lower_checked

    lowered = lower_checked(instance)
    enc = encode_cnf(lowered)
    clauses = [list(cl) for cl in enc.cnf.clauses]
    projection = enc.parameter_variables()
    problem = CountingProblem(clauses, projection, enc)
    if isinstance(instance.domain, RationalDomain):
        top = enc.pool.top
        extra = canonical_rational_clauses(lowered, enc)
        problem.clauses += extra
        problem.canonical_clauses = len(extra)
        problem.canonical_variables = enc.pool.top - top
    return problem


def canonical_rational_clauses(lowered, enc) -> list[list[int]]:
    """Clauses that keep, of every rational parameter ``p / q``, only the reduced pair
    ``gcd(p, q) = 1``; new variables come from ``enc.pool``.

    For each prime ``r <= 2**den_bits - 1`` and each parameter, ``r | p`` and ``r | q`` are
    computed by a residue automaton over the bits (state after bit ``i`` is
    ``Σ_{j<=i} b_j w_j mod r`` with ``w_j = 2**j mod r``, and ``w = -2**(n-1) mod r`` for the
    sign bit of ``p``), one-hot, each state bit a multiplexer (4 clauses), constants folded;
    then the clause ``¬(r | p) ∨ ¬(r | q)``.  Every prime factor of ``gcd(p, q)`` divides
    ``q``, so it is ``<= q``: these primes are all that can occur.  Cost per parameter: at
    most ``Σ_r r · (num_bits + den_bits)`` variables and four times as many clauses
    (``den_bits = 4``: primes 2..13, Σ r = 41).  The auxiliary variables are functions of
    the leaf bits, so projected counts are unchanged apart from the canonical filter.
    """
    builder = _ResidueBuilder(enc.pool)
    qmax = lowered.instance.domain.q_range[1]
    for param in lowered.params:
        if param.kind != "rational":
            continue
        p_leaf, q_leaf = param.leaves
        p_bits, q_bits = enc.leaf_bits[p_leaf.name], enc.leaf_bits[q_leaf.name]
        for r in _primes_upto(qmax):
            p_div = builder.divisible(p_bits, r, signed=True)
            q_div = builder.divisible(q_bits, r, signed=False)
            builder.forbid_both(p_div, q_div)
    return builder.clauses


def _primes_upto(n: int) -> list[int]:
    return [k for k in range(2, n + 1) if all(k % d for d in range(2, int(k ** 0.5) + 1))]


class _ResidueBuilder:
    """Tseitin multiplexers over literals and the constants ``True``/``False``."""

    def __init__(self, pool):
        self.pool = pool
        self.clauses: list[list[int]] = []
        self._count = 0

    def _fresh(self) -> int:
        self._count += 1
        return self.pool.id(("canonical-rational", self._count))

    def _emit(self, lits) -> None:
        out = []
        for lit in lits:
            if lit is True:
                return
            if lit is not False:
                out.append(lit)
        self.clauses.append(out)

    @staticmethod
    def _neg(a):
        return (not a) if isinstance(a, bool) else -a

    def mux(self, b: int, a, c):
        """A literal (or constant) equal to ``c if b else a``."""
        if a is c or (not isinstance(a, bool) and not isinstance(c, bool) and a == c):
            return a
        if isinstance(a, bool) and isinstance(c, bool):
            return b if c else -b
        x = self._fresh()
        n = self._neg
        self._emit([b, n(a), x])
        self._emit([b, a, -x])
        self._emit([-b, n(c), x])
        self._emit([-b, c, -x])
        return x

    def divisible(self, bits: list[int], r: int, signed: bool):
        """A literal (or constant) true exactly when ``r`` divides the integer of ``bits``
        (lsb first; two's complement when ``signed``)."""
        state = [True] + [False] * (r - 1)  # residue 0 before any bit
        n = len(bits)
        for i, b in enumerate(bits):
            w = (-(1 << i) if signed and i == n - 1 else (1 << i)) % r
            if w == 0:
                continue
            state = [self.mux(b, state[j], state[(j - w) % r]) for j in range(r)]
        return state[0]

    def forbid_both(self, a, b) -> None:
        self._emit([self._neg(a), self._neg(b)])


def parameter_bits(instance) -> int:
    """Number of leaf bits the ``cnf`` encoding gives the free parameters (the projection
    size), without encoding."""
    from .instance import FixedDomain, RationalDomain

    dom = instance.domain
    if isinstance(dom, FixedDomain):
        per = dom.bits
    elif isinstance(dom, RationalDomain):
        per = dom.num_bits + dom.den_bits
    else:
        per = max(1, (len(dom.values_) - 1).bit_length())
    return per * len(instance.free_parameters())


#: The default (``method=None``) first enumerates up to this many solutions (within
#: :data:`AUTO_ENUMERATE_SECONDS`): small counts are then exact without any hashing, and
#: cheap — Ganak's preprocessing costs seconds to minutes even on formulas with few models.
AUTO_ENUMERATE_LIMIT = 5000
AUTO_ENUMERATE_SECONDS = 20.0
#: Past the enumeration, the default is ``exact`` for CNFs of at most this many clauses,
#: ``approx`` beyond.  Ganak's cost here is dominated by its preprocessing, which grows with
#: the formula, not with the projection: it counted the random tiny test instances (a few
#: hundred to ~1500 clauses) in about a second, but timed out (40 s to 400 s) on every
#: 2-1-1 network CNF of 4000+ clauses tried, even at 10 parameter bits, where ApproxMC
#: answered in seconds (``benchmarks/counting.md``).
EXACT_MAX_CLAUSES = 3000


def default_method(instance, num_clauses: int | None = None) -> str:
    """What the default falls back to after enumeration: ``exact`` when the counting CNF
    has at most :data:`EXACT_MAX_CLAUSES` clauses (encoded here if ``num_clauses`` is not
    given), else ``approx``."""
    if num_clauses is None:
        num_clauses = len(counting_problem(instance).clauses)
    return "exact" if num_clauses <= EXACT_MAX_CLAUSES else "approx"


def count_instance(instance, method: str | None = None, *, epsilon=DEFAULT_EPSILON,
                   delta=DEFAULT_DELTA, timeout: float | None = None, seed: int = 1,
                   limit: int = DEFAULT_ENUMERATE_LIMIT,
                   max_points: int | None = None) -> CountResult:
    """How many parameter assignments of the bit model reach loss ≤ γ (module docstring
    for what counts once).  ``method`` is ``exact``, ``approx``, ``enumerate``, ``brute``,
    or ``None``: enumerate up to :data:`AUTO_ENUMERATE_LIMIT` solutions, then
    :func:`default_method` (``details["auto"]`` is set, ``method`` says which answered).
    ``max_points`` bounds ``brute`` (default :data:`ermsolve.brute.DEFAULT_MAX_POINTS`);
    the other options as in :func:`count_cnf`.

    ``timeout`` covers everything, building the counting CNF and the backbone search
    included: with a timeout the whole count runs in a forked child killed
    :data:`ermsolve.watchdog.GRACE` seconds after it (the counters inside stop at their
    own, shorter, limits first).  A count killed this way has ``timed_out`` set and, when
    ``method`` was ``None``, the method ``auto``."""
    if method is not None and method not in METHODS:
        raise UnsupportedError(f"unknown counting method {method!r}; expected one of "
                               f"{', '.join(METHODS)}")
    options = {"epsilon": epsilon, "delta": delta, "timeout": timeout, "seed": seed,
               "limit": limit, "max_points": max_points}
    if timeout is None or enclosing_limit_covers(timeout, GRACE):
        return _count_instance(instance, method, **options)
    start = time.perf_counter()
    try:  # the child's own errors (bad options, size limits) come out as they are
        done, result = call_in_child(_count_instance_positional, (instance, method, options),
                                     timeout + GRACE)
    except ChildDiedError as exc:
        raise CounterError(f"the count died (exit code {exc.exitcode}) without an answer") \
            from None
    if done:
        return result
    exact = method != "approx"
    guarantee = {"approx": approx_guarantee(*_check_pac(epsilon, delta)),
                 "enumerate": GUARANTEE_EXACT_ENUM,
                 "brute": GUARANTEE_EXACT_BRUTE}.get(method or "", GUARANTEE_EXACT)
    result = _timed_out_result(method or "auto", exact, guarantee, timeout)
    result.seconds = time.perf_counter() - start
    result.details["reason"] += " (the count was stopped)"
    return result


def _count_instance_positional(instance, method, options) -> CountResult:
    return _count_instance(instance, method, **options)


def _count_instance(instance, method: str | None, *, epsilon, delta, timeout, seed, limit,
                    max_points) -> CountResult:
    info = {"parameter_bits": parameter_bits(instance)}
    if method == "brute":
        return _count_brute(instance, max_points, info)
    start = time.perf_counter()
    problem = counting_problem(instance)
    info.update(encode_seconds=round(time.perf_counter() - start, 6),
                cnf_variables=max(problem.encoding.pool.top, 1),
                cnf_clauses=len(problem.clauses),
                canonical_clauses=problem.canonical_clauses)

    def remaining():
        return None if timeout is None else max(timeout - (time.perf_counter() - start), 1e-3)

    result = None
    if method is None:
        info["auto"] = True
        budget = AUTO_ENUMERATE_SECONDS if timeout is None else min(AUTO_ENUMERATE_SECONDS,
                                                                    remaining())
        try:
            result = count_cnf(problem.clauses, problem.projection, "enumerate",
                               timeout=budget, limit=AUTO_ENUMERATE_LIMIT)
        except SizeLimitError:
            result = None
        if result is not None and result.count is None:
            result = None
        method = default_method(instance, len(problem.clauses))
    if result is None:
        result = count_cnf(problem.clauses, problem.projection, method, epsilon=epsilon,
                           delta=delta, timeout=remaining(), seed=seed, limit=limit)
    result.seconds = time.perf_counter() - start
    result.details = {**info, **result.details}
    return result


def _count_brute(instance, max_points, info) -> CountResult:
    from .brute import DEFAULT_MAX_POINTS, brute_force

    start = time.perf_counter()
    outcome = brute_force(instance, max_points or DEFAULT_MAX_POINTS)
    seconds = time.perf_counter() - start
    info["grid_points"] = outcome.points
    return CountResult("brute", outcome.count, seconds, True, GUARANTEE_EXACT_BRUTE,
                       projection_size=info["parameter_bits"], details=info)
