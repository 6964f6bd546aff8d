"""``ermsolve encode`` / ``ermsolve model`` round trips through external solvers, the
SMT-LIB export against brute force, cnf-z3 determinism, and malformed model files."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import z3
from pysat.formula import CNF
from pysat.solvers import Solver

from ermsolve.brute import brute_force
from ermsolve.certificate import read_certificate
from ermsolve.checker import check_certificate
from ermsolve.cli import main
from ermsolve.encodings.cnf_z3 import encode_cnf_z3
from ermsolve.encodings.smtlib import bv_smtlib
from ermsolve.export import result_from_model
from ermsolve.external import ModelFileError, read_sat_output, read_smt_model
from ermsolve.instance import load_instance
from ermsolve.lowering import lower
from ermsolve.result import Status

sys.path.insert(0, str(Path(__file__).parent))
from random_instances import PIECEWISE_LINEAR, random_instance  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
IRIS = str(ROOT / "benchmarks" / "instances" / "iris_petal_2-1-1.json")
WINE = str(ROOT / "benchmarks" / "instances" / "wine_class0_vs_1.json")

_BITWUZLA_SCRIPT = """
import sys, bitwuzla as bw
tm = bw.TermManager(); o = bw.Options(); o.set(bw.Option.PRODUCE_MODELS, True)
bw.Parser(tm, o).parse(sys.argv[1])
"""


def _sat_competition_output(dimacs: Path, solver: str = "cadical195") -> str:
    """What a SAT-competition solver prints for ``dimacs`` (run through PySAT)."""
    cnf = CNF(from_file=str(dimacs))
    with Solver(name=solver, bootstrap_with=cnf.clauses) as s:
        ok = s.solve()
        model = s.get_model() if ok else None
    if not ok:
        return "c pysat\ns UNSATISFIABLE\n"
    rows = [model[i:i + 12] for i in range(0, len(model), 12)]
    return "c pysat\ns SATISFIABLE\n" + "".join(
        "v " + " ".join(map(str, r)) + "\n" for r in rows) + "v 0\n"


def _z3_smt_output(smt2: Path) -> str:
    """``check-sat`` / ``get-model`` output of z3 on the file (z3's Python parser)."""
    s = z3.Solver()
    s.from_file(str(smt2))
    answer = s.check()
    text = f"{answer}\n"
    if answer == z3.sat:
        text += "(\n" + s.model().sexpr() + ")\n"
    return text


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("encoding", ["cnf", "cnf-z3"])
def test_dimacs_round_trip_through_a_sat_solver(tmp_path, capsys, encoding):
    dimacs, answer, cert = tmp_path / "f.cnf", tmp_path / "f.out", tmp_path / "c.json"
    code, out, _ = _run(capsys, "encode", WINE, "--encoding", encoding, "-o", str(dimacs))
    assert code == 0 and "cnf sha256" in out
    text = dimacs.read_text()
    assert "c leaf W1_0_0.k signed 3 bits:" in text
    answer.write_text(_sat_competition_output(dimacs))
    code, out, _ = _run(capsys, "model", WINE, str(answer), "--encoding", encoding,
                        "--solver", "cadical195", "--certificate", str(cert))
    assert code == 10 and "clauses_falsified=0" in out
    inst = load_instance(WINE)
    assert check_certificate(inst, read_certificate(cert), cert).valid
    code, out, _ = _run(capsys, "check", WINE, str(cert))
    assert code == 0 and out.strip() == "VALID"


def test_smt2_round_trip_through_bitwuzla_process(tmp_path, capsys):
    smt2, answer, cert = tmp_path / "f.smt2", tmp_path / "f.out", tmp_path / "c.json"
    assert _run(capsys, "encode", IRIS, "--encoding", "bv", "-o", str(smt2))[0] == 0
    proc = subprocess.run([sys.executable, "-c", _BITWUZLA_SCRIPT, str(smt2)],
                          capture_output=True, text=True, timeout=60, check=True)
    answer.write_text(proc.stdout)
    code, _, _ = _run(capsys, "model", IRIS, str(answer), "--encoding", "bv",
                      "--certificate", str(cert))
    assert code == 10
    assert _run(capsys, "check", IRIS, str(cert))[1].strip() == "VALID"


def test_smtlib_export_agrees_with_brute_force():
    """The exported script, parsed by z3, decides like brute force; sat models map back."""
    rng = random.Random(41)
    for i in range(40):
        inst = random_instance(rng, activations=PIECEWISE_LINEAR)
        text, _ = bv_smtlib(lower(inst))
        s = z3.Solver()
        s.from_string(text)
        answer = s.check()
        truth = brute_force(inst).satisfiable
        assert (answer == z3.sat) == truth, f"instance {i}"
        if truth:
            out = "sat\n(\n" + s.model().sexpr() + ")\n"
            result = result_from_model(inst, "bv", out, f"instance {i}")
            assert result.status is Status.SAT and result.loss <= inst.threshold


def test_cnf_z3_is_deterministic_across_processes():
    code = ("import sys; from ermsolve.instance import load_instance;"
            "from ermsolve.lowering import lower;"
            "from ermsolve.encodings.cnf_z3 import encode_cnf_z3;"
            "print(encode_cnf_z3(lower(load_instance(sys.argv[1]))).sha256())")
    digests = {subprocess.run([sys.executable, "-c", code, WINE], capture_output=True,
                              text=True, check=True, timeout=120).stdout.strip()
               for _ in range(2)}
    digests.add(encode_cnf_z3(lower(load_instance(WINE))).sha256())
    assert len(digests) == 1


def test_cnf_z3_names_every_parameter_bit():
    rng = random.Random(3)
    for _ in range(20):
        lowered = lower(random_instance(rng, activations=PIECEWISE_LINEAR))
        enc = encode_cnf_z3(lowered)
        bits = enc.parameter_variables()
        assert len(bits) == len(set(bits)) == sum(leaf.bits for leaf in lowered.circuit.leaves)
        top = max([0] + [abs(lit) for cl in enc.cnf.clauses for lit in cl] + bits)
        assert enc.cnf.nv == top  # the header counts the highest variable
        assert enc.to_dimacs().count("c leaf ") == len(lowered.circuit.leaves)


# ----------------------------------------------------------------------- bad input

@pytest.mark.parametrize("text", [
    "hello\n",
    "s SATISFIABLE\n",                       # no value lines
    "s SATISFIABLE\nv 1 -2 3\n",             # not closed by 0
    "s SATISFIABLE\nv 1 x 0\n",              # not a literal
    "s MAYBE\n",
    "s SATISFIABLE\nv 99999999 0\n",         # beyond the CNF's variables
])
def test_malformed_sat_output_is_one_line_exit_2(tmp_path, capsys, text):
    f = tmp_path / "m.out"
    f.write_text(text)
    code, out, err = _run(capsys, "model", WINE, str(f), "--encoding", "cnf")
    assert code == 2 and out == "" and err.count("\n") == 1 and "error" in err


@pytest.mark.parametrize("text", [
    "sat\n((define-fun b1_0.index () (_ BitVec 2) #b10)\n",             # unbalanced
    "sat\n((define-fun b1_0.index () (_ BitVec 3) #b10))\n",            # width mismatch
    "sat\n((define-fun b1_0.index () (_ BitVec 2) 17))\n",              # not a value
    "sat\n",                                                            # no model
    "(model)\n",                                                        # no answer
])
def test_malformed_smt_output_is_one_line_exit_2(tmp_path, capsys, text):
    f = tmp_path / "m.out"
    f.write_text(text)
    code, out, err = _run(capsys, "model", IRIS, str(f), "--encoding", "bv")
    assert code == 2 and out == "" and err.count("\n") == 1


def test_wrong_model_is_refused(tmp_path, capsys):
    # All parameters at index 0 (value -1) does not classify the Iris rows.
    leaves = [leaf.name for leaf in lower(load_instance(IRIS)).circuit.leaves]
    body = "".join(f"(define-fun {n} () (_ BitVec 2) #b00)" for n in leaves)
    f = tmp_path / "m.out"
    f.write_text(f"sat\n({body})\n")
    code, _, err = _run(capsys, "model", IRIS, str(f), "--encoding", "bv")
    assert code == 2 and "not a model" in err


def test_leaf_out_of_range_is_refused():
    inst = load_instance(IRIS)  # set domain {-1, 0, 1}: index 3 is outside
    leaves = [leaf.name for leaf in lower(inst).circuit.leaves]
    body = "".join(f"(define-fun {n} () (_ BitVec 2) #b11)" for n in leaves)
    with pytest.raises(ModelFileError, match="outside"):
        result_from_model(inst, "bv", f"sat\n({body})\n", "m")


def test_external_unsat_gives_no_certificate(tmp_path, capsys):
    f, cert = tmp_path / "m.out", tmp_path / "c.json"
    f.write_text("s UNSATISFIABLE\n")
    code, out, _ = _run(capsys, "model", WINE, str(f), "--encoding", "cnf",
                        "--certificate", str(cert))
    assert code == 20 and "no certificate" in out and not cert.exists()


def test_suffix_must_match_encoding(tmp_path, capsys):
    code, _, err = _run(capsys, "encode", IRIS, "--encoding", "bv", "-o",
                        str(tmp_path / "x.cnf"))
    assert code == 2 and ".smt2" in err


def test_readers_accept_common_variants():
    assert read_sat_output("SAT\n1 -2 3 0\n").literals == [1, -2, 3]
    assert read_sat_output("UNSAT\n").status is Status.UNSAT
    z3_style = "sat\n(model\n (define-fun |a.b| () (_ BitVec 4)\n  #xa)\n)"
    assert read_smt_model(z3_style).values == {"a.b": (10, 4)}
    assert read_smt_model("sat ((define-fun x () (_ BitVec 3) (_ bv5 3)))").values == {
        "x": (5, 3)}


def test_random_instances_export_and_parse_with_bitwuzla_api():
    """The text the export writes is accepted by Bitwuzla's own SMT-LIB parser."""
    bw = pytest.importorskip("bitwuzla")
    rng = random.Random(9)
    for _ in range(10):
        text, _ = bv_smtlib(lower(random_instance(rng)))
        tm = bw.TermManager()
        bw.Parser(tm, bw.Options()).parse(text, True, False)  # parse only, from a string
