"""Measure unsat proofs and cardinality encodings of the ``cnf`` encoding; write proofs.md.

For each bundled instance (all ``zero_one``) the least number of misclassified samples
``k*`` is found with the ``cnf`` encoding (thresholds ``k/m`` downwards); the instance at
threshold ``(k*-1)/m`` is then unsat (skipped when ``k* = 0``).  On those unsat variants:

* proofs: for each proof solver, solve time (core search + proof of the core), core size,
  lemmas, proof bytes, and check time with ``drup`` (verified) and ``dratify``;
  optionally ``drup`` on the whole CNF (no core) in a child process with a time limit;
* cardinality: variables, clauses, encode and solve time (cadical195) of every
  ``pysat.card`` encoding, at the unsat threshold and at the optimum (sat).

Run from the repository root::

    python benchmarks/proofs.py -o benchmarks/proofs.md [--full-drup-limit 120]

Timings are wall-clock on a shared machine; treat differences below ~2x as noise.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gmpy2 import mpq

from ermsolve.backends.pysat_backend import solve_cnf
from ermsolve.certificate import write_certificate
from ermsolve.encodings.cnf import CARDINALITY_ENCODINGS, DEFAULT_CARDINALITY, encode_cnf
from ermsolve.fileio import atomic_write_text
from ermsolve.instance import load_instance, parse_instance
from ermsolve.lowering import lower
from ermsolve.proofs import check_unsat_certificate, check_with_drup, parse_proof
from ermsolve.rationals import to_str
from ermsolve.result import Status
from ermsolve.solve import solve

ROOT = Path(__file__).resolve().parent
REPEATS = 3  # cardinality solve times: best of 3
PROOF_SOLVERS = ("cadical195", "cadical153", "glucose4", "maplecm", "lingeling")


def with_threshold(inst, threshold):
    spec = inst.to_json()
    spec["threshold"] = to_str(mpq(threshold))
    return parse_instance(spec)


#: Instances made from the bundled Iris CSV by ``ermsolve from-csv``: versicolor against
#: virginica on the sepal features is not separable, so every threshold below the optimum
#: is a genuinely hard unsat case.
MADE = {f"iris_vv_{rows}": ["benchmarks/data/iris.csv", "--features",
                             "sepal_length,sepal_width", "--positive", "versicolor",
                             "--negative", "virginica", "--rows", str(rows), "--frac-bits", "1",
                             "--scale", "1", "--hidden", "2", "--activation", "relu",
                             "--domain", "fixed:3:1", "--loss", "zero_one", "--threshold", "0"]
        for rows in (16, 30)}


def instances():
    """The bundled ``zero_one`` instances (``*_opt`` is the data of ``*_below``) and the
    :data:`MADE` ones."""
    for path in sorted((ROOT / "instances").glob("*.json")):
        inst = load_instance(path)
        if inst.loss == "zero_one" and not path.stem.endswith("_opt"):
            yield path.stem, inst
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in MADE.items():
            out = Path(tmp) / f"{name}.json"
            subprocess.run([sys.executable, "-m", "ermsolve.cli", "from-csv", *argv,
                            "--name", name, "-o", str(out)], cwd=ROOT.parent, check=True)
            yield name, load_instance(out)


def least_errors(inst, timeout: float) -> int | None:
    """Least number of misclassified samples, counting up from 0 (None on a timeout)."""
    for k in range(inst.num_samples + 1):
        enc = encode_cnf(lower(with_threshold(inst, mpq(k, inst.num_samples))))
        status, _, _ = solve_cnf(enc.cnf, "cadical195", timeout)
        if status is Status.UNKNOWN:
            return None
        if status is Status.SAT:
            return k
    return None


def _full_drup(clauses, lemmas, conn):
    start = time.process_time()
    ok, _ = check_with_drup(clauses, lemmas)
    conn.send((ok, time.process_time() - start))


def full_cnf_drup(clauses, lemmas, limit: float):
    """drup on the whole CNF in a child process: (valid, CPU seconds) or None past limit."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_full_drup, args=(clauses, lemmas, child), daemon=True)
    proc.start()
    try:
        return parent.recv() if parent.poll(limit) else None
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()


def measure_proof(inst, solver: str, folder: Path, full_limit: float | None) -> dict:
    cert_path = folder / f"{solver}.json"
    start = time.perf_counter()
    result = solve(inst, "cnf", solver, proof_path=str(cert_path) + ".drat")
    solve_s = time.perf_counter() - start
    assert result.status is Status.UNSAT, (solver, result.status)
    cert = write_certificate(cert_path, inst, result)
    row = {"solver": solver, "solve_s": solve_s, "clauses": result.sizes["clauses"]}
    for checker in ("drup", "dratify"):
        timings: dict = {}
        verdict = check_unsat_certificate(inst, cert, cert_path, checker=checker,
                                          timings=timings)
        row[f"{checker}_valid"] = verdict.valid
        row[f"{checker}_s"] = timings.get(f"check_{checker}")
        row.update(core=timings.get("clauses_checked"), lemmas=timings.get("lemmas"),
                   proof_bytes=timings.get("proof_bytes"))
    if full_limit:
        enc = encode_cnf(lower(inst))
        lemmas, _ = parse_proof((folder / f"{solver}.json.drat").read_text())
        row["full_drup"] = full_cnf_drup(enc.cnf.clauses, lemmas, full_limit)
    return row


def measure_cardinality(inst, timeout: float) -> list[dict]:
    rows = []
    lowered = lower(inst)
    for card in CARDINALITY_ENCODINGS:
        start = time.perf_counter()
        enc = encode_cnf(lowered, cardinality=card)
        encode_s = time.perf_counter() - start
        runs = [solve_cnf(enc.cnf, "cadical195", timeout) for _ in range(REPEATS)]
        rows.append({"cardinality": card, "variables": enc.num_variables,
                     "clauses": enc.num_clauses, "encode_s": encode_s,
                     "solve_s": min(info["seconds"] for _, _, info in runs),
                     "status": runs[0][0].value})
    return rows


def _fmt(x, digits=3):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def render(cases: list[dict], full_limit, timeout) -> str:
    out = ["# Unsat proofs and cardinality encodings of the `cnf` encoding", "",
           "Made by `python benchmarks/proofs.py -o benchmarks/proofs.md"
           + (f" --full-drup-limit {full_limit:g}" if full_limit else "") + "` "
           f"(Python {platform.python_version()}, 2 shared cores, timeout {timeout:g} s). "
           "All bundled instances are `zero_one` (`iris_sepal_100_opt` is "
           "the data of `iris_sepal_100_below`, left out); `iris_vv_16`/`iris_vv_30` are "
           "made by the script from the bundled Iris CSV (versicolor vs virginica, sepal "
           "features, 16/30 rows, [2,2,1] ReLU, fixed:3:1).  Each is taken at threshold "
           "`(k*-1)/m`, "
           "one sample below its least number of errors `k*` (found with `cnf` itself), "
           "which makes it unsat; instances with `k* = 0` have no such threshold and are "
           "left out.", "",
           "## Proof size and check time", "",
           "`solve` = lowering + encoding + core search (one selector assumption per "
           "clause) + proof-logging solve of the core; `core` = clauses the proof refutes "
           "out of `clauses`; check times are the proof replay only (the CNF rebuild is "
           "the same for both).  Both checkers accepted every proof below.", "",
           "| instance | threshold | solver | clauses | core | lemmas | proof bytes | "
           "solve s | drup s | dratify s |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for case in cases:
        for r in case["proofs"]:
            ok = r["drup_valid"] and r["dratify_valid"]
            out.append(f"| {case['name']} | {case['threshold']} | {r['solver']} | "
                       f"{r['clauses']} | {r['core']} | {r['lemmas']} | {r['proof_bytes']} | "
                       f"{_fmt(r['solve_s'])} | {_fmt(r['drup_s'])}"
                       f"{'' if r['drup_valid'] else ' (REJECTED)'} | {_fmt(r['dratify_s'])}"
                       f"{'' if ok else ' (REJECTED)'} |")
    if full_limit:
        out += ["", f"### drup on the whole CNF (no core), limit {full_limit:g} s CPU", "",
                "| instance | solver | clauses | drup CPU s |", "|---|---|---|---|"]
        for case in cases:
            for r in case["proofs"]:
                full = r.get("full_drup")
                shown = (f"> {full_limit:g} (stopped)" if full is None
                         else f"{full[1]:.2f}" + ("" if full[0] else " (rejected)"))
                out.append(f"| {case['name']} | {r['solver']} | {r['clauses']} | {shown} |")
    out += ["", "## Cardinality encodings (`zero_one` loss)", "",
            f"cadical195, no proof, best of {REPEATS} solves; `unsat` rows at threshold "
            "`(k*-1)/m`, `sat` rows at the "
            f"optimum `k*/m`.  Default: `{DEFAULT_CARDINALITY}`.", "",
            "| instance | answer | cardinality | variables | clauses | encode s | solve s |",
            "|---|---|---|---|---|---|---|"]
    for case in cases:
        for kind in ("unsat", "sat"):
            for r in case[f"card_{kind}"]:
                out.append(f"| {case['name']} | {r['status']} | {r['cardinality']} | "
                           f"{r['variables']} | {r['clauses']} | {_fmt(r['encode_s'])} | "
                           f"{_fmt(r['solve_s'])} |")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default=str(ROOT / "proofs.md"))
    ap.add_argument("--json", help="also write the raw figures as JSON")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--full-drup-limit", type=float, default=None, metavar="S",
                    help="also run drup on the whole CNF (no core), stopped after S s")
    ap.add_argument("--solvers", default=",".join(PROOF_SOLVERS))
    args = ap.parse_args(argv)
    cases = []
    for name, inst in instances():
        k = least_errors(inst, args.timeout)
        print(f"{name}: least errors {k}", file=sys.stderr, flush=True)
        if not k:
            continue
        m = inst.num_samples
        unsat, sat = with_threshold(inst, mpq(k - 1, m)), with_threshold(inst, mpq(k, m))
        case = {"name": name, "threshold": to_str(mpq(k - 1, m)), "least_errors": k,
                "proofs": []}
        with tempfile.TemporaryDirectory() as tmp:
            for solver in args.solvers.split(","):
                case["proofs"].append(measure_proof(unsat, solver, Path(tmp),
                                                    args.full_drup_limit))
                print(f"  {case['proofs'][-1]}", file=sys.stderr, flush=True)
        case["card_unsat"] = measure_cardinality(unsat, args.timeout)
        case["card_sat"] = measure_cardinality(sat, args.timeout)
        cases.append(case)
    atomic_write_text(args.output, render(cases, args.full_drup_limit, args.timeout))
    if args.json:
        atomic_write_text(args.json, json.dumps(cases, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
