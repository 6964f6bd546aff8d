"""Unsat certificates: real proofs check, corrupted ones and mismatched CNFs are refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from pysat.examples.genhard import PHP
from pysat.formula import CNF
from pysat.solvers import Solver

from ermsolve.backends.pysat_backend import PROOF_SOLVERS, PYSAT_SOLVERS, solve_cnf
from ermsolve.certificate import write_certificate
from ermsolve.checker import check_certificate
from ermsolve.instance import load_instance
from ermsolve.proofs import (
    check_unsat_certificate,
    check_with_dratify,
    check_with_drup,
    core_from_text,
    core_to_text,
    parse_proof,
)
from ermsolve.result import Status
from ermsolve.solve import solve

BENCH = os.path.join(os.path.dirname(__file__), "..", "benchmarks", "instances")
UNSAT = os.path.join(BENCH, "iris_sepal_100_below.json")


@pytest.fixture(scope="module")
def unsat_cert(tmp_path_factory):
    """A real unsat certificate (CaDiCaL 1.9.5) on a bundled instance."""
    folder = tmp_path_factory.mktemp("cert")
    inst = load_instance(UNSAT)
    cert_path = folder / "c.json"
    result = solve(inst, "cnf", "cadical195", proof_path=str(cert_path) + ".drat")
    assert result.status is Status.UNSAT
    write_certificate(cert_path, inst, result)
    return inst, cert_path


def _copy(unsat_cert, tmp_path, proof_text=None, edit=None):
    inst, src = unsat_cert
    cert = json.loads(src.read_text())
    if edit:
        edit(cert)
    dst = tmp_path / "c.json"
    dst.write_text(json.dumps(cert))
    text = (src.parent / "c.json.drat").read_text() if proof_text is None else proof_text
    (tmp_path / cert["proof"]["file"]).write_text(text)
    return inst, cert, dst


def _verdict(unsat_cert, tmp_path, proof_text=None, edit=None, checker="drup"):
    inst, cert, path = _copy(unsat_cert, tmp_path, proof_text, edit)
    return check_unsat_certificate(inst, cert, path, checker=checker)


def _lines(unsat_cert):
    return (unsat_cert[1].parent / "c.json.drat").read_text().splitlines()


def test_real_certificate_is_valid_with_every_checker(unsat_cert):
    inst, path = unsat_cert
    cert = json.loads(path.read_text())
    assert cert["proof"]["encoding"] == "cnf" and cert["proof"]["file"] == "c.json.drat"
    assert check_certificate(inst, cert, path).valid
    for checker in ("drup", "dratify", "both"):
        assert check_unsat_certificate(inst, cert, path, checker=checker).valid, checker


def test_cnf_hash_mismatch_is_refused(unsat_cert, tmp_path):
    def edit(cert):
        cert["proof"]["cnf_sha256"] = "0" * 64
    v = _verdict(unsat_cert, tmp_path, edit=edit)
    assert not v.valid and "CNF hash does not match" in v.reason
    # another cardinality encoding is another CNF (this instance is not zero_one, so the
    # field only changes the comment line, and with it the hash)
    def other_card(cert):
        cert["proof"]["cardinality"] = "totalizer"
    v = _verdict(unsat_cert, tmp_path, edit=other_card)
    assert not v.valid and "CNF hash" in v.reason


def test_cut_short_is_refused(unsat_cert, tmp_path):
    lines = _lines(unsat_cert)
    for keep in (len(lines) - 1, len(lines) // 2, 0):
        v = _verdict(unsat_cert, tmp_path, "\n".join(lines[:keep]) + "\n")
        assert not v.valid and "empty clause" in v.reason, keep


def test_deleted_lemmas_are_refused(unsat_cert, tmp_path):
    lines = _lines(unsat_cert)
    # only the empty clause left: unit propagation alone does not refute the core
    v = _verdict(unsat_cert, tmp_path, "0\n")
    assert not v.valid and "does not follow" in v.reason
    # one lemma deleted at a time: drup and dratify agree, and some deletions break it
    inst, cert, path = _copy(unsat_cert, tmp_path)
    rejected = 0
    for i in range(0, len(lines) - 1, max(1, len(lines) // 12)):
        text = "\n".join(lines[:i] + lines[i + 1:]) + "\n"
        (tmp_path / "c.json.drat").write_text(text)
        both = [check_unsat_certificate(inst, cert, path, checker=c).valid
                for c in ("drup", "dratify")]
        assert both[0] == both[1], i
        rejected += not both[0]
    assert rejected >= 1


def test_flipped_literals_are_refused(unsat_cert, tmp_path):
    lines = _lines(unsat_cert)
    inst, cert, path = _copy(unsat_cert, tmp_path)
    rejected = tried = 0
    for i in range(0, len(lines) - 1, max(1, len(lines) // 12)):
        tokens = lines[i].split()
        if tokens[0] == "d" or len(tokens) < 2:
            continue
        tokens[0] = str(-int(tokens[0]))
        text = "\n".join(lines[:i] + [" ".join(tokens)] + lines[i + 1:]) + "\n"
        (tmp_path / "c.json.drat").write_text(text)
        both = [check_unsat_certificate(inst, cert, path, checker=c).valid
                for c in ("drup", "dratify")]
        assert both[0] == both[1], i
        tried += 1
        rejected += not both[0]
    assert tried >= 3 and rejected >= 1


def test_missing_unreadable_and_malformed_proofs_are_refused(unsat_cert, tmp_path):
    inst, cert, path = _copy(unsat_cert, tmp_path)
    (tmp_path / "c.json.drat").unlink()
    v = check_unsat_certificate(inst, cert, path)
    assert not v.valid and "cannot read the proof file" in v.reason
    (tmp_path / "c.json.drat").write_bytes(b"\x61\xff\x00\x01")
    v = check_unsat_certificate(inst, cert, path)
    assert not v.valid and "not a text DRUP/DRAT proof" in v.reason
    (tmp_path / "c.json.drat").write_text("1 2 x 0\n0\n")
    v = check_unsat_certificate(inst, cert, path)
    assert not v.valid and "not a clause" in v.reason
    (tmp_path / "c.json.drat").write_text("1 2\n0\n")
    v = check_unsat_certificate(inst, cert, path)
    assert not v.valid and "single 0" in v.reason


def test_bad_proof_objects_are_refused(unsat_cert, tmp_path):
    inst, cert, path = _copy(unsat_cert, tmp_path)
    no_proof = {k: v for k, v in cert.items() if k != "proof"}
    assert "needs a proof object" in check_unsat_certificate(inst, no_proof, path).reason
    for key, value, words in (("file", "/etc/passwd", "relative"),
                              ("file", "", "names no proof file"),
                              ("encoding", "bv", "encodings only"),
                              ("cardinality", "nonsense", "unknown cardinality"),
                              ("core", "5-2", "out of order"),
                              ("core", "0-99999999", "beyond"),
                              ("core", "a-b", "bad core range")):
        bad = json.loads(json.dumps(cert))
        bad["proof"][key] = value
        v = check_unsat_certificate(inst, bad, path)
        assert not v.valid and words in v.reason, (key, value, v.reason)


def test_core_ranges_round_trip():
    for idx in ([], [0], [0, 1, 2, 5], [3, 4, 9, 10, 11, 20]):
        assert core_from_text(core_to_text(idx), 100) == idx


def test_cli_end_to_end(tmp_path):
    shutil.copy(UNSAT, tmp_path / "i.json")
    run = [sys.executable, "-m", "ermsolve.cli"]
    out = subprocess.run([*run, "solve", "i.json", "--encoding", "cnf", "--solver",
                          "cadical195", "--proof", "--certificate", "c.json"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 20 and "s UNSATISFIABLE" in out.stdout, out.stderr
    assert (tmp_path / "c.json.drat").exists()
    for extra in ([], ["--proof-checker", "both"]):
        out = subprocess.run([*run, "check", "i.json", "c.json", *extra], cwd=tmp_path,
                             capture_output=True, text=True)
        assert out.returncode == 0 and out.stdout.strip() == "VALID", out.stdout + out.stderr
    (tmp_path / "c.json.drat").write_text("0\n")
    out = subprocess.run([*run, "check", "i.json", "c.json"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 1 and out.stdout.startswith("INVALID: ")


def test_proof_refused_on_solvers_without_checkable_proofs():
    inst = load_instance(UNSAT)
    from ermsolve.errors import UnsupportedError
    for name in ("kissat404", "minisat22", "mergesat3", "maplesat"):
        with pytest.raises(UnsupportedError, match="checkable proof"):
            solve(inst, "cnf", name, proof_path="unused.drat")


def _php_proof(name, n):
    clauses = PHP(n).clauses
    with Solver(name=name, bootstrap_with=clauses, with_proof=True) as s:
        assert s.solve() is False
        text = "".join(line.strip() + "\n" for line in s.get_proof())
    return clauses, text


@pytest.mark.parametrize("name", PROOF_SOLVERS)
def test_every_proof_solver_logs_proofs_that_check(name, tmp_path):
    clauses, text = _php_proof(name, 4)
    lemmas, _ = parse_proof(text)
    assert check_with_drup(clauses, lemmas)[0], name
    dimacs = CNF(from_clauses=clauses).to_dimacs()
    assert check_with_dratify(dimacs, text)[0], name
    # and through solve_cnf (core + proof of the core)
    status, _, info = solve_cnf(CNF(from_clauses=clauses), name,
                                proof_path=str(tmp_path / "p.drat"))
    assert status is Status.UNSAT
    core = [clauses[i] for i in info["core"]]
    lemmas, _ = parse_proof((tmp_path / "p.drat").read_text())
    assert check_with_drup(core, lemmas)[0], name


def test_maplesat_proofs_do_not_check():
    """The measurement behind leaving MapleSAT out of PROOF_SOLVERS."""
    assert "maplesat" in PYSAT_SOLVERS and "maplesat" not in PROOF_SOLVERS
    clauses, text = _php_proof("maplesat", 4)
    lemmas, _ = parse_proof(text)
    assert not check_with_drup(clauses, lemmas)[0]
