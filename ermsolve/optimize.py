"""``optimize``: the least empirical loss over the domain, with bounds while it runs.

The question is ``min { loss(θ) : θ in the domain }`` (the instance's own threshold γ plays
no part).  The set of reachable losses is finite, so the search is a sequence of decisions
"is there an assignment with loss ≤ v" or "... < v" on one CNF, kept in one incremental
PySAT solver: the circuit of :mod:`ermsolve.lowering` is bit-blasted once by the gates of
:mod:`ermsolve.encodings.cnf`, and each step adds the bound
(:meth:`~ermsolve.lowering.Objective.bound`) as fresh gates guarded by a new activation
literal passed as an assumption.

Bounds.  ``upper`` is always the exact loss (recomputed by :mod:`ermsolve.network`) of the
best assignment found; ``lower`` is proven: every assignment has loss ≥ ``lower``.  The start
is ``lower = 0`` and ``upper`` the loss of the assignment that sets every free parameter to
the domain value nearest 0 (no solver needed, so there is always an assignment to report).

Strategies (``strategy=``; the default ``binary`` was the fastest in
``benchmarks/optimize.md``, and its lower bound moves during the search):

* ``descent`` — SAT-UNSAT: ask "loss < upper"; a model lowers ``upper`` to its exact loss, an
  unsat answer sets ``lower = upper``.  Works for every domain: the strict comparison is the
  integer ``A ≤ B - 1`` after clearing denominators, even when they contain the ``q`` leaves
  of the ``rational`` domain.
* ``binary`` — for ``fixed`` and ``set`` domains every loss is ``n / D`` for an integer ``n``
  and a known ``D`` (:meth:`~ermsolve.lowering.Objective.lattice_denominator`); bisect on
  ``n``.  Falls back to ``descent`` when there is no lattice.
* ``maxsat`` — ``zero_one`` only: RC2 (:mod:`pysat.examples.rc2`) with the circuit as hard
  clauses and one soft clause "sample s classified correctly" per sample.
* ``restart`` — ``descent`` through :func:`ermsolve.solve.solve` (a fresh formula per step,
  any encoding/solver of the registry): the baseline the incremental search is measured
  against.

After a sat step its bound stays asserted (later steps only ask for less); after an unsat
step the negated bound is added (it is implied).  Measurements behind the default are in
``benchmarks/optimize.md``.

Certificate of optimality.  At the optimum ``v*`` the witness has loss ``v*``; with
``proof_path`` the question "loss < v*" — the CNF of ``lower(instance.with_threshold(v*),
strict=True)`` — is refuted once more, non-incrementally, by a proof-logging solver and the
DRUP proof written to ``proof_path`` (:func:`ermsolve.proofs.check_optimality_proof`
rebuilds that CNF from the instance and ``v*`` alone).

Timeouts.  PySAT cannot interrupt every solver (CaDiCaL refuses), so with a timeout the
whole search runs in a forked child that streams each bound and step to the parent and is
terminated at the deadline; the bounds received so far are the answer (status ``bounds``).

Limitations: the CNF is built once with the redundant per-error bounds implied by the first
``upper``, which can be loose; ``maxsat`` reports no bounds while RC2 runs (on timeout only
the starting bounds are known); the proof repeats the last unsat question from scratch.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from gmpy2 import mpq

from .errors import UnsupportedError
from .instance import Instance, ParamRef
from .limits import check_instance, lower_checked
from .lowering import Lowered, _limit
from .network import Parameters, assemble, loss
from .rationals import to_str
from .result import Status

log = logging.getLogger(__name__)

STRATEGIES = ("descent", "binary", "maxsat", "restart")
DEFAULT_STRATEGY = "binary"  # measured: benchmarks/optimize.md
#: PySAT solver used incrementally (it must support assumptions and interrupts).
DEFAULT_SAT_SOLVER = "cadical195"

BoundsCallback = Callable[[mpq, mpq], None]


@dataclass
class Step:
    """One decision of the search: loss ``<= bound`` (``<`` when ``strict``)."""

    bound: mpq
    strict: bool
    answer: Status
    seconds: float

    def to_json(self) -> dict:
        return {"bound": to_str(self.bound), "strict": self.strict,
                "answer": self.answer.value, "seconds": round(self.seconds, 6)}


@dataclass
class OptimizeResult:
    """The outcome: ``status`` is ``"optimal"`` (``lower == upper``, the optimum) or
    ``"bounds"`` (stopped by the timeout).  ``parameters`` (full, fixed entries included)
    have exact loss ``upper``.  ``proof`` is the proof object of the certificate (see
    :mod:`ermsolve.certificate`) when one was written."""

    status: str
    lower: mpq
    upper: mpq
    parameters: Parameters
    seconds: float
    strategy: str
    solver: str
    steps: list[Step] = field(default_factory=list)
    proof: dict | None = None

    @property
    def loss(self) -> mpq:
        """The loss of :attr:`parameters` (the optimum when ``status == "optimal"``)."""
        return self.upper

    def parameters_json(self) -> dict:
        from .result import _nested_str

        return {k: _nested_str(v) for k, v in self.parameters.items()}

    def to_json(self) -> dict:
        out = {"status": self.status, "loss": to_str(self.upper), "lower": to_str(self.lower),
               "upper": to_str(self.upper), "parameters": self.parameters_json(),
               "seconds": round(self.seconds, 6), "strategy": self.strategy,
               "solver": self.solver, "steps": len(self.steps),
               "unsat_steps": sum(s.answer is Status.UNSAT for s in self.steps)}
        if self.proof is not None:
            out["proof"] = self.proof
        return out


# --------------------------------------------------------------------------- bounds

class _Bounds:
    """The proven lower bound, the best assignment and the steps so far.  ``on_bounds`` is
    the user's progress callback; ``emit`` (in a child process) sends every change to the
    parent."""

    def __init__(self, instance: Instance, free: dict[ParamRef, mpq],
                 on_bounds: BoundsCallback | None = None, emit=None):
        self.instance = instance
        self.lower = mpq(0)
        self.best = free
        self.upper = loss(instance, assemble(instance, free))
        self.steps: list[Step] = []
        self.on_bounds, self.emit = on_bounds, emit
        self._report()

    def _report(self) -> None:
        log.info("bounds lower=%s upper=%s", self.lower, self.upper)
        if self.on_bounds is not None:
            self.on_bounds(self.lower, self.upper)

    def _send(self, *message) -> None:
        if self.emit is not None:
            self.emit(message)

    def improve(self, free: dict[ParamRef, mpq], value: mpq) -> None:
        if value < self.upper:
            self.best, self.upper = free, value
            self._send("upper", free)
            self._report()

    def raise_lower(self, value: mpq) -> None:
        value = min(value, self.upper)
        if value > self.lower:
            self.lower = value
            self._send("lower", value)
            self._report()

    def record(self, step: Step) -> None:
        self.steps.append(step)
        self._send("step", step)


def starting_assignment(instance: Instance) -> dict[ParamRef, mpq]:
    """Every free parameter at the domain value nearest 0 (the smallest such value on a
    tie): a point of the domain whose loss is the first upper bound."""
    dom = instance.domain
    zero = mpq(0)
    value = zero if dom.contains(zero) else min(dom.values(), key=lambda v: (abs(v), v))
    return {ref: value for ref in instance.free_parameters()}


def _recheck(instance: Instance, free: dict[ParamRef, mpq], bound: mpq, strict: bool,
             who: str) -> mpq:
    """The exact loss of a model; a model beyond its bound is a bug, never ignored."""
    from .solve import WrongAnswerError as SolveWrongAnswer

    value = loss(instance, assemble(instance, free))
    if value > bound or (strict and value == bound):
        rel = "<" if strict else "<="
        raise SolveWrongAnswer(f"{who} returned parameters of loss {value} for the bound "
                               f"loss {rel} {bound}")
    return value


# --------------------------------------------------------------------------- oracles

class _Deadline:
    def __init__(self, timeout: float | None, end: float | None = None):
        self.end = end if timeout is None else time.monotonic() + timeout

    def remaining(self) -> float | None:
        return None if self.end is None else self.end - time.monotonic()

    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0


class IncrementalOracle:
    """One CNF, one PySAT solver: bounds are added as gates guarded by activation literals.

    ``query(bound, strict)`` answers "is there an assignment of loss ≤ bound (< bound)?"
    with a status and, for sat, the free parameter values."""

    def __init__(self, lowered: Lowered, solver: str = DEFAULT_SAT_SOLVER,
                 cardinality: str | None = None):
        from pysat.solvers import Solver

        from .encodings import cnf as cnf_mod

        self.lowered = lowered
        self.solver_name = solver
        card = cardinality or cnf_mod.DEFAULT_CARDINALITY
        self.tr = cnf_mod._Translator(lowered.circuit, card)
        self.tr.run()
        self.encoding = cnf_mod.CNFEncoding(None, self.tr.leaf_bits, self.tr.leaf_signed,
                                            pool=self.tr.pool, true_literal=self.tr.g.T,
                                            cardinality=card)
        try:
            self.sat = Solver(name=solver, bootstrap_with=self.tr.g.clauses)
        except (ValueError, NotImplementedError) as exc:
            raise UnsupportedError(f"PySAT solver {solver!r} is not available: {exc}") from None
        self._sent = len(self.tr.g.clauses)
        self.totalizer = None
        if lowered.objective.kind == "zero_one":
            self._count_errors()

    def _count_errors(self) -> None:
        """``zero_one``: one incremental totalizer (:class:`pysat.card.ITotalizer`) over the
        "misclassified" literals; "at most k errors" is then the single assumption
        ``-rhs[k]`` (``rhs[k]``: at least k+1 of them), stronger for propagation than
        comparing an adder-tree count."""
        from pysat.card import ITotalizer

        lits = self.literals(self.lowered.objective.wrong)
        t = self.tr.g.T
        self.fixed_errors = sum(lit == t for lit in lits)
        self.live_errors = [lit for lit in lits if lit not in (t, -t)]
        if self.live_errors:
            tot = ITotalizer(lits=self.live_errors, ubound=len(self.live_errors),
                             top_id=self.tr.pool.top)
            self.tr.pool.top = max(self.tr.pool.top, tot.top_id)  # its variables are taken
            self.tr.g.clauses.extend(tot.cnf.clauses)
            self.totalizer = tot
        self._flush()

    def close(self) -> None:
        if self.totalizer is not None:
            self.totalizer.delete()
        self.sat.delete()

    def literals(self, nodes) -> list[int]:
        """Literals of Boolean nodes, translating them (and every untranslated node they
        read, in topological order) with the cnf encoding's own gate methods."""
        tr = self.tr
        todo, stack, seen = [], list(nodes), set()
        while stack:
            n = stack.pop()
            if n.ident in seen or n.ident in tr.bits or n.ident in tr.lit:
                continue
            seen.add(n.ident)
            todo.append(n)
            stack.extend(n.args)
        for n in sorted(todo, key=lambda n: n.ident):
            getattr(tr, "_" + n.op.lower())(n)
        return [tr.lit[n.ident] for n in nodes]

    def _flush(self) -> None:
        clauses = self.tr.g.clauses
        for cl in clauses[self._sent:]:
            self.sat.add_clause(cl)
        self._sent = len(clauses)

    def query(self, bound: mpq, strict: bool, deadline: _Deadline):
        obj, circuit = self.lowered.objective, self.lowered.circuit
        if obj.kind == "zero_one":
            return self._query_errors(_limit(bound * obj.num_samples, strict), deadline)
        lits = self.literals(obj.bound(circuit, bound, strict))
        act = self.tr.g.fresh()
        self.tr.g.clauses.extend([-act, lit] for lit in lits)
        self._flush()
        return self._decide(act, lits, deadline)

    def _query_errors(self, limit: int, deadline: _Deadline):
        k = limit - self.fixed_errors
        if k < 0:
            return Status.UNSAT, None
        act = self.tr.g.T if k >= len(self.live_errors) else -self.totalizer.rhs[k]
        return self._decide(act, [act], deadline)

    def _decide(self, act: int, lits: list[int], deadline: _Deadline):
        answer = self._solve([act], deadline)
        if answer is None:
            self.sat.add_clause([-act])
            return Status.UNKNOWN, None
        if answer:
            free = self.lowered.decode(self.encoding.decode(self.sat.get_model()))
            self.sat.add_clause([act])  # later steps ask for less: keep the bound
            return Status.SAT, free
        self.sat.add_clause([-act])
        self.sat.add_clause([-lit for lit in lits])  # implied: no model meets the bound
        return Status.UNSAT, None

    def _solve(self, assumptions: list[int], deadline: _Deadline):
        """``True``/``False``; ``None`` if no time is left.  Not every PySAT solver can be
        interrupted (CaDiCaL cannot), so a running solve is stopped from outside: with a
        timeout the whole search runs in a child process (:func:`_search_in_child`)."""
        if deadline.expired():
            return None
        return self.sat.solve(assumptions=assumptions)


class RestartOracle:
    """Each query a fresh :func:`ermsolve.solve.solve` on the instance at the bound."""

    def __init__(self, instance: Instance, encoding: str = "bv", solver: str | None = None):
        self.instance, self.encoding, self.solver_name = instance, encoding, solver

    def close(self) -> None:
        pass

    def query(self, bound: mpq, strict: bool, deadline: _Deadline):
        from .solve import solve

        left = deadline.remaining()
        if left is not None and left <= 0:
            return Status.UNKNOWN, None
        res = solve(self.instance.with_threshold(bound), self.encoding, self.solver_name,
                    timeout=left, strict=strict)
        self.solver_name = res.solver
        if res.status is not Status.SAT:
            return res.status, None
        free = {ref: res.parameters[ref.name][ref.index[0]] if len(ref.index) == 1
                else res.parameters[ref.name][ref.index[0]][ref.index[1]]
                for ref in self.instance.free_parameters()}
        return Status.SAT, free


# --------------------------------------------------------------------------- strategies

def _ask(oracle, bounds: _Bounds, value: mpq, strict: bool, deadline: _Deadline) -> Status:
    start = time.perf_counter()
    answer, free = oracle.query(value, strict, deadline)
    bounds.record(Step(value, strict, answer, time.perf_counter() - start))
    if answer is Status.SAT:
        got = _recheck(bounds.instance, free, value, strict, f"optimize ({oracle.solver_name})")
        bounds.improve(free, got)
    return answer


def _descent(oracle, bounds: _Bounds, deadline: _Deadline) -> None:
    while bounds.lower < bounds.upper:
        answer = _ask(oracle, bounds, bounds.upper, True, deadline)
        if answer is Status.UNSAT:
            bounds.raise_lower(bounds.upper)
        elif answer is Status.UNKNOWN:
            return


def _binary(oracle, bounds: _Bounds, deadline: _Deadline, den: int) -> None:
    """Bisect on ``n`` with every loss ``n / den``: ``lo`` proven, ``hi`` reached."""
    scaled = bounds.lower * den
    lo = -(-int(scaled.numerator) // int(scaled.denominator))  # ceil
    while bounds.lower < bounds.upper:
        hi = bounds.upper * den
        if hi.denominator != 1:
            raise AssertionError(f"loss {bounds.upper} is not on the lattice 1/{den}")
        mid = (lo + int(hi)) // 2
        answer = _ask(oracle, bounds, mpq(mid, den), False, deadline)
        if answer is Status.UNSAT:
            lo = mid + 1
            bounds.raise_lower(mpq(lo, den))
        elif answer is Status.UNKNOWN:
            return


def _maxsat(oracle: IncrementalOracle, bounds: _Bounds) -> None:
    """RC2 on the circuit's CNF with a soft "classified correctly" per sample."""
    from pysat.examples.rc2 import RC2
    from pysat.formula import WCNF

    lits = oracle.literals(oracle.lowered.objective.wrong)
    false = -oracle.tr.g.T
    wcnf = WCNF()
    for cl in oracle.tr.g.clauses:
        wcnf.append(cl)
    for lit in lits:
        if lit != false:
            wcnf.append([-lit], weight=1)
    start = time.perf_counter()
    with RC2(wcnf) as rc2:
        model = rc2.compute()
    free = oracle.lowered.decode(oracle.encoding.decode(model))
    value = _recheck(bounds.instance, free, bounds.upper, False, "optimize (rc2)")
    bounds.record(Step(value, False, Status.SAT, time.perf_counter() - start))
    bounds.improve(free, value)
    bounds.raise_lower(value)  # RC2's cost is optimal: nothing misclassifies fewer


def _search(instance: Instance, strategy: str, solver: str | None, encoding: str,
            bounds: _Bounds, deadline: _Deadline) -> str:
    """Run ``strategy`` from ``bounds``; the name of the solver used."""
    if strategy == "restart":
        oracle = RestartOracle(instance, encoding, solver)
    else:
        # The circuit asserts loss <= the first upper bound: every later question implies it.
        oracle = IncrementalOracle(lower_checked(instance.with_threshold(bounds.upper)),
                                   solver or DEFAULT_SAT_SOLVER)
    try:
        den = None if strategy != "binary" else oracle.lowered.objective.lattice_denominator()
        if den is not None:
            _binary(oracle, bounds, deadline, den)
        elif strategy == "maxsat":
            _maxsat(oracle, bounds)
        else:
            _descent(oracle, bounds, deadline)
    finally:
        oracle.close()
    return oracle.solver_name or ""


def _child_main(conn, instance, strategy, solver, encoding, end) -> None:  # pragma: no cover
    try:
        bounds = _Bounds(instance, starting_assignment(instance), emit=conn.send)
        name = _search(instance, strategy, solver, encoding, bounds, _Deadline(None, end))
        conn.send(("done", name))
    except BaseException as exc:  # reported to the parent, which raises it
        try:
            conn.send(("error", exc))
        except Exception:
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def _search_in_child(instance: Instance, strategy: str, solver: str | None, encoding: str,
                     bounds: _Bounds, deadline: _Deadline) -> str:
    """:func:`_search` in a forked child that streams every bound and step; at the deadline
    the child is terminated and the bounds received so far stand.  A received assignment's
    loss is recomputed here."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_main,
                       args=(child, instance, strategy, solver, encoding, deadline.end))
    proc.start()
    child.close()
    name = solver or (DEFAULT_SAT_SOLVER if strategy != "restart" else "")
    try:
        while True:
            left = deadline.remaining()
            if left <= 0 or not parent.poll(left):
                break
            try:
                kind, *payload = parent.recv()
            except EOFError:
                raise RuntimeError(f"the optimize process died (exit {proc.exitcode})"
                                   ) from None
            if kind == "upper":
                free = payload[0]
                bounds.improve(free, loss(instance, assemble(instance, free)))
            elif kind == "lower":
                bounds.raise_lower(payload[0])
            elif kind == "step":
                bounds.record(payload[0])
            elif kind == "done":
                name = payload[0]
                break
            else:
                raise payload[0]
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()
        parent.close()
    return name


# --------------------------------------------------------------------------- entry point

def optimize(instance: Instance, strategy: str = DEFAULT_STRATEGY,
             timeout: float | None = None, proof_path: str | None = None,
             solver: str | None = None, encoding: str = "bv",
             on_bounds: BoundsCallback | None = None) -> OptimizeResult:
    """The least loss over the domain (``instance.threshold`` is ignored).

    ``solver`` is the PySAT solver of the incremental strategies (default
    :data:`DEFAULT_SAT_SOLVER`) or, for ``restart``, a solver of ``encoding``.  With
    ``proof_path`` an optimal result also carries a DRUP proof that no assignment has a
    smaller loss (see the module docstring).  ``on_bounds(lower, upper)`` is called at the
    start and whenever a bound moves.  A timeout gives status ``"bounds"``, not an error;
    with a timeout the search runs in a child process that is stopped at the deadline.
    """
    if strategy not in STRATEGIES:
        raise UnsupportedError(f"unknown strategy {strategy!r}; available: "
                               f"{', '.join(STRATEGIES)}")
    if strategy == "maxsat" and instance.loss != "zero_one":
        raise UnsupportedError(f"strategy 'maxsat' needs the zero_one loss, not "
                               f"{instance.loss!r}; use --strategy descent or binary")
    if strategy != "restart" and solver is not None:
        from .backends.pysat_backend import PYSAT_SOLVERS

        if solver not in PYSAT_SOLVERS:
            raise UnsupportedError(f"unknown PySAT solver {solver!r}; available: "
                                   f"{', '.join(PYSAT_SOLVERS)}")
    check_instance(instance)  # the size guard, before any bound is reported
    start = time.perf_counter()
    deadline = _Deadline(timeout)
    bounds = _Bounds(instance, starting_assignment(instance), on_bounds)
    run = _search if timeout is None else _search_in_child
    name = run(instance, strategy, solver, encoding, bounds, deadline)
    status = "optimal" if bounds.lower == bounds.upper else "bounds"
    result = OptimizeResult(status, bounds.lower, bounds.upper,
                            assemble(instance, bounds.best), 0.0, strategy, name,
                            bounds.steps)
    if proof_path is not None and status == "optimal":
        result.proof = prove_optimal(instance, bounds.upper, proof_path, deadline)
        if result.proof is None:  # the search's answer stands; it is just not certified
            log.warning("the optimality proof did not finish in time: no proof written")
    result.seconds = time.perf_counter() - start
    return result


def prove_optimal(instance: Instance, optimum: mpq, proof_path: str,
                  deadline: _Deadline | None = None) -> dict | None:
    """Refute "loss < optimum" with a proof-logging solver; the certificate's proof object,
    or ``None`` if the deadline passed first."""
    from .optimality import prove_strictly_below

    left = None if deadline is None else deadline.remaining()
    if left is not None and left <= 0:
        return None
    return prove_strictly_below(instance, optimum, proof_path, timeout=left)
