"""The ``cnf`` encoding: bit-level pieces exhaustively, then the whole encoding against brute
force on random tiny instances over several PySAT solvers (unsat answers with proofs)."""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
import time

import pytest
from pysat.examples.genhard import PHP
from pysat.formula import CNF
from pysat.solvers import Solver
from random_instances import LOSSES, PIECEWISE_LINEAR, POLYNOMIAL, random_instance

from ermsolve.backends.pysat_backend import PROOF_SOLVERS, PYSAT_SOLVERS, solve_cnf
from ermsolve.brute import brute_force, grid_points
from ermsolve.certificate import write_certificate
from ermsolve.checker import check_certificate
from ermsolve.circuit import Circuit
from ermsolve.encodings.cnf import CARDINALITY_ENCODINGS, Gates, encode_cnf, naf
from ermsolve.errors import UnsupportedError
from ermsolve.instance import load_instance
from ermsolve.lowering import lower
from ermsolve.network import assemble, loss
from ermsolve.result import Status
from ermsolve.solve import solve

BENCH = os.path.join(os.path.dirname(__file__), "..", "benchmarks", "instances")


# --------------------------------------------------------------------------- bit level

def _value(bits, model, g):
    """The two's complement value of ``bits`` in a model (``g.T`` reads true)."""
    true = set(model) | {g.T}
    raw = sum(1 << i for i, b in enumerate(bits) if b in true)
    return raw - (1 << len(bits)) if bits[-1] in true else raw


def _wrap(v, w):
    return ((v + (1 << (w - 1))) % (1 << w)) - (1 << (w - 1))


def _pins(bits, value):
    return [b if (value >> i) & 1 else -b for i, b in enumerate(bits)]


def _range(w):
    return range(-(1 << (w - 1)), 1 << (w - 1))


def _exhaust(build, widths, expect):
    """For each input combination, pin the input bits and compare ``build``'s output."""
    g = Gates()
    ins = [[g.fresh() for _ in range(w)] for w in widths]
    out = build(g, *ins)
    with Solver(name="cadical195", bootstrap_with=g.clauses) as s:
        for values in itertools.product(*(_range(w) for w in widths)):
            pins = [lit for bits, v in zip(ins, values) for lit in _pins(bits, v)]
            assert s.solve(assumptions=pins)
            model = s.get_model()
            got = (_value(out, model, g) if isinstance(out, list)
                   else (out == g.T or out in model))
            assert got == expect(*values), (widths, values, got)


@pytest.mark.parametrize("wa,wb", [(1, 1), (1, 3), (2, 2), (3, 3), (4, 2)])
def test_adder_and_subtractor_exhaustive(wa, wb):
    w = max(wa, wb) + 1
    _exhaust(lambda g, a, b: g.add(g.resize(a, w), g.resize(b, w)), (wa, wb),
             lambda a, b: _wrap(a + b, w))
    _exhaust(lambda g, a, b: g.sub(g.resize(a, w), g.resize(b, w)), (wa, wb),
             lambda a, b: _wrap(a - b, w))
    # truncated (ring) arithmetic at a narrower width
    _exhaust(lambda g, a, b: g.add(g.resize(a, 2), g.resize(b, 2)), (wa, wb),
             lambda a, b: _wrap(a + b, 2))


@pytest.mark.parametrize("wx,wy", [(1, 1), (1, 3), (2, 2), (3, 2), (3, 3)])
def test_multiplier_exhaustive(wx, wy):
    for w in range(1, wx + wy + 1):
        _exhaust(lambda g, x, y, w=w: g.mul(x, y, w), (wx, wy),
                 lambda x, y, w=w: _wrap(x * y, w))


def test_square_shares_operand():
    _exhaust(lambda g, x: g.mul(x, x, 8), (4,), lambda x: x * x)


@pytest.mark.parametrize("c", [c for c in range(-13, 14) if c] + [64, -96, 255])
def test_constant_multiplication_exhaustive(c):
    w = 3
    lo, hi = -4, 3
    width = max(abs(c * lo), abs(c * hi)).bit_length() + 1
    _exhaust(lambda g, x: g.scale(c, x, width, lo, hi), (w,), lambda x: c * x)


def test_naf_digits():
    for c in range(-300, 301):
        digits = naf(c)
        assert sum(d << i for i, d in enumerate(digits)) == c
        assert all(d in (-1, 0, 1) for d in digits)
        assert all(not (a and b) for a, b in zip(digits, digits[1:]))


@pytest.mark.parametrize("w", [1, 2, 3, 4])
def test_comparators_exhaustive(w):
    for c in range(-(1 << w) - 1, (1 << w) + 2):
        _exhaust(lambda g, x, c=c: g.ge_const(x, c), (w,), lambda x, c=c: x >= c)
        _exhaust(lambda g, x, c=c: g.le_const(x, c), (w,), lambda x, c=c: x <= c)
        _exhaust(lambda g, x, c=c: g.eq_const(x, c), (w,), lambda x, c=c: x == c)


def test_mux_and_sign():
    _exhaust(lambda g, s, t, e: [g.mux(s[0], a, b) for a, b in zip(t, e)], (1, 3, 3),
             lambda s, t, e: t if s else e)
    _exhaust(lambda g, x: -x[-1], (3,), lambda x: x >= 0)


def test_popcount():
    _exhaust(lambda g, a: g.popcount(list(a)), (4,),
             lambda a: bin(a & 15).count("1"))


def test_constant_bits_create_no_clauses():
    g = Gates()
    before = len(g.clauses)
    out = g.mul(g.const_bits(5, 5), g.const_bits(-3, 5), 6)
    out = g.add(out, g.const_bits(7, 6))
    assert len(g.clauses) == before
    assert _value(out, [], g) == -8


# --------------------------------------------------------------------------- small circuits

def _circuit_agrees(circuit: Circuit, cardinality: str = "seqcounter") -> None:
    """Every leaf assignment: the CNF (with the leaf bits pinned) is sat iff holds()."""
    enc = encode_cnf(circuit, cardinality=cardinality)
    leaves = circuit.leaves
    spans = [range(-(1 << (n.bits - 1)), 1 << (n.bits - 1)) if n.signed
             else range(1 << n.bits) for n in leaves]
    with Solver(name="cadical195", bootstrap_with=enc.cnf.clauses) as s:
        for values in itertools.product(*spans):
            vals = {n.name: v for n, v in zip(leaves, values)}
            pins = [lit for n, v in zip(leaves, values)
                    for lit in _pins(enc.leaf_bits[n.name], v)]
            assert s.solve(assumptions=pins) == circuit.holds(vals), vals


@pytest.mark.parametrize("cardinality", CARDINALITY_ENCODINGS)
def test_atmost_counts_repeated_and_complementary_arguments(cardinality):
    for k in (0, 1, 2, 3):
        c = Circuit()
        x = c.var("x.k", 2, True, -2, 1)
        y = c.var("y.k", 2, True, -2, 1)
        a, b = c.ge0(x), c.ge0(c.sub(y, x))
        c.require(c.atmost([a, a, b, c.not_(b), c.not_(a), c.ge0(y)], k))
        _circuit_agrees(c, cardinality)


def test_nested_atmost_and_boolean_ops():
    c = Circuit()
    x = c.var("x.k", 3, True, -3, 2)
    q = c.var("q.q", 2, False, 1, 3)
    prod = c.mul(x, q)
    at = c.atmost([c.ge0(prod), c.eqc(x, 1), c.eqc(q, 2)], 1)
    c.require(c.or_([c.not_(at), c.ge0(c.add([prod, c.const(-2)]))]))
    c.require(c.and_([c.ge0(c.add([x, c.const(2)])), c.not_(c.eqc(prod, 4))]))
    _circuit_agrees(c)


def test_clamp_asserted_even_when_unread():
    c = Circuit()
    x = c.var("x.k", 3, True, -4, 3)
    c.clamp(c.scale(3, x), -6, 3)
    c.require(c.true())
    _circuit_agrees(c)


def test_leaf_ranges_are_asserted():
    c = Circuit()
    c.var("q.q", 2, False, 1, 3)       # q != 0
    c.var("i.index", 2, False, 0, 2)   # index < 3
    c.var("k.k", 3, True, -3, 2)
    _circuit_agrees(c)


# --------------------------------------------------------------------------- instances

def test_dimacs_comments_map_the_leaves():
    inst = load_instance(os.path.join(BENCH, "iris_petal_2-1-1.json"))
    enc = encode_cnf(lower(inst))
    text = enc.to_dimacs()
    leaf_lines = [ln for ln in text.splitlines() if ln.startswith("c leaf ")]
    assert len(leaf_lines) == len(enc.leaf_bits)
    first_name, first_bits = next(iter(enc.leaf_bits.items()))
    kind = "signed" if enc.leaf_signed[first_name] else "unsigned"
    assert leaf_lines[0] == (f"c leaf {first_name} {kind} {len(first_bits)} bits: "
                             f"{' '.join(map(str, first_bits))} (lsb first)")
    assert enc.parameter_variables() == list(range(1, len(enc.parameter_variables()) + 1))
    header = [ln for ln in text.splitlines() if ln.startswith("p ")]
    assert header == [f"p cnf {enc.num_variables} {enc.num_clauses}"]
    assert not enc.to_dimacs(comments=False).startswith("c")


def test_encoding_is_deterministic_across_processes():
    path = os.path.join(BENCH, "wine_class0_vs_1.json")
    code = ("import sys; from ermsolve.instance import load_instance;"
            "from ermsolve.lowering import lower;"
            "from ermsolve.encodings.cnf import encode_cnf;"
            "print(encode_cnf(lower(load_instance(sys.argv[1]))).sha256())")
    digests = {encode_cnf(lower(load_instance(path))).sha256()}
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code, path], env=env, check=True,
                             capture_output=True, text=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_unknown_cardinality_is_refused():
    inst = load_instance(os.path.join(BENCH, "iris_petal_2-1-1.json"))
    with pytest.raises(UnsupportedError, match="cardinality"):
        encode_cnf(lower(inst), cardinality="nonsense")


def _tiny_instances(seed: int, count: int, max_points: int = 300,
                    max_clauses: int | None = None):
    """``count`` random instances whose grid has at most ``max_points`` points (and CNF at
    most ``max_clauses`` clauses: the drup checker is slow on big proofs); a third of them
    zero_one, polynomial activations only in shallow ones."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        poly = rng.random() < 0.15
        acts = POLYNOMIAL if poly else PIECEWISE_LINEAR
        losses = ["zero_one"] if rng.random() < 0.3 else LOSSES
        inst = random_instance(rng, activations=acts, losses=losses, max_free=3 if poly else 4)
        if poly and inst.depth > 2:
            continue
        if grid_points(inst) > max_points:
            continue
        if max_clauses and encode_cnf(lower(inst)).num_clauses > max_clauses:
            continue
        out.append(inst)
    return out


def _differential(instances, solvers, tmp_path, prove=True):
    """Each instance on one solver (round robin): the answer must match brute force, a sat
    model must reach loss ≤ γ (solve() re-checks it exactly), and an unsat answer on a
    proof solver comes with a certificate that check accepts.  Returns counts."""
    counts = {"sat": 0, "unsat": 0, "proofs": 0}
    for i, inst in enumerate(instances):
        solver = solvers[i % len(solvers)]
        truth = brute_force(inst).satisfiable
        proof = (str(tmp_path / f"c{i}.json.drat")
                 if prove and solver in PROOF_SOLVERS else None)
        result = solve(inst, "cnf", solver, proof_path=proof)
        assert result.status is (Status.SAT if truth else Status.UNSAT), \
            (i, solver, inst.to_json())
        if truth:
            counts["sat"] += 1
            assert result.loss <= inst.threshold
            continue
        counts["unsat"] += 1
        if proof is not None:
            cert_path = tmp_path / f"c{i}.json"
            cert = write_certificate(cert_path, inst, result)
            verdict = check_certificate(inst, cert, cert_path)
            assert verdict.valid, (i, solver, verdict.reason, inst.to_json())
            counts["proofs"] += 1
    return counts


CI_SOLVERS = ("cadical195", "glucose4", "maplecm", "minisat22", "lingeling", "kissat404")


def test_cnf_agrees_with_brute_force_ci_slice(tmp_path):
    instances = _tiny_instances(seed=3, count=150, max_clauses=6000)
    counts = _differential(instances, CI_SOLVERS, tmp_path)
    assert counts["sat"] > 20 and counts["unsat"] > 20 and counts["proofs"] > 10


@pytest.mark.slow
def test_cnf_agrees_with_brute_force_full(tmp_path):
    solvers = tuple(s for s in PYSAT_SOLVERS)
    instances = _tiny_instances(seed=11, count=520, max_points=500, max_clauses=20000)
    counts = _differential(instances, solvers, tmp_path)
    print("full differential run:", counts)
    assert counts["unsat"] > 50


@pytest.mark.parametrize("cardinality", CARDINALITY_ENCODINGS)
def test_cardinality_encodings_agree_on_zero_one(cardinality):
    rng = random.Random(5)
    checked = 0
    while checked < 12:
        inst = random_instance(rng, activations=PIECEWISE_LINEAR, losses=["zero_one"])
        if grid_points(inst) > 300:
            continue
        checked += 1
        enc = encode_cnf(lower(inst), cardinality=cardinality)
        status, model, _ = solve_cnf(enc.cnf, "cadical195")
        assert (status is Status.SAT) == brute_force(inst).satisfiable
        if model is not None:
            lw = lower(inst)
            assert lw.circuit.holds(enc.decode(model))


def test_decoded_model_has_loss_within_threshold():
    inst = load_instance(os.path.join(BENCH, "iris_petal_2-1-1.json"))
    lw = lower(inst)
    enc = encode_cnf(lw)
    status, model, _ = solve_cnf(enc.cnf, "cadical195")
    assert status is Status.SAT
    leaves = enc.decode(model)
    assert lw.circuit.holds(leaves)
    params = assemble(inst, lw.decode(leaves))
    assert loss(inst, params) <= inst.threshold


# --------------------------------------------------------------------------- backends

def test_every_listed_solver_runs():
    cnf = CNF(from_clauses=PHP(3).clauses)
    sat = CNF(from_clauses=[[1, 2], [-1, 2], [1, -2]])
    for name in PYSAT_SOLVERS:
        assert solve_cnf(cnf, name)[0] is Status.UNSAT, name
        status, model, _ = solve_cnf(sat, name)
        assert status is Status.SAT and 1 in model and 2 in model, name


@pytest.mark.parametrize("solver", ["cadical195", "glucose4"])
def test_timeout_interrupts_and_answers_unknown(solver):
    cnf = CNF(from_clauses=PHP(11).clauses)
    start = time.perf_counter()
    status, model, info = solve_cnf(cnf, solver, timeout=1.0)
    assert status is Status.UNKNOWN and model is None
    assert time.perf_counter() - start < 10
    assert "timeout" in info["reason"]


def test_unknown_solver_and_proofless_solver_are_refused(tmp_path):
    cnf = CNF(from_clauses=[[1]])
    with pytest.raises(UnsupportedError, match="unknown PySAT solver"):
        solve_cnf(cnf, "nosuch")
    with pytest.raises(UnsupportedError, match="cannot log a checkable proof"):
        solve_cnf(cnf, "kissat404", proof_path=str(tmp_path / "p.drat"))
