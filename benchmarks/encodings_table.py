"""Regenerate ``benchmarks/encodings.md``: sizes and times of the bv, cnf and cnf-z3
encodings on the bundled instances, and proof sizes / check times of cnf unsat answers.

Run from the repository root::

    python benchmarks/encodings_table.py -o benchmarks/encodings.md

Every bundled instance is solved at its own threshold; where it is sat at ``γ > 0`` with
the ``zero_one`` loss, the threshold is lowered in steps of ``1/m`` (Bitwuzla deciding)
until the instance is unsat, and that threshold is measured too.  Times are wall-clock
seconds of one run each (floats are used for timings only).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

from gmpy2 import mpq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ermsolve.certificate import read_certificate, write_certificate  # noqa: E402
from ermsolve.checker import check_certificate  # noqa: E402
from ermsolve.encodings.bv import encode_bv  # noqa: E402
from ermsolve.instance import load_json, parse_instance  # noqa: E402
from ermsolve.lowering import lower  # noqa: E402
from ermsolve.rationals import to_str  # noqa: E402
from ermsolve.result import Status  # noqa: E402
from ermsolve.solve import solve  # noqa: E402

RUNS = [("bv", "z3"), ("bv", "bitwuzla"), ("bv", "cvc5"), ("cnf", "cadical195"),
        ("cnf-z3", "cadical195")]
PROOF_RUNS = [("cnf", "cadical195"), ("cnf-z3", "cadical195")]


def with_threshold(raw: dict, threshold: mpq):
    raw = dict(raw)
    raw["threshold"] = to_str(threshold)
    return parse_instance(raw)


def thresholds(raw: dict, timeout: float) -> list:
    """The instance's own threshold and, where one is found, the largest unsat one below."""
    inst = parse_instance(raw)
    out = [inst]
    if inst.loss != "zero_one" or inst.threshold <= 0:
        return out
    if solve(inst, "bv", "bitwuzla", timeout).status is not Status.SAT:
        return out
    step = mpq(1, inst.num_samples)
    gamma = inst.threshold - step
    while gamma >= 0:
        lower_inst = with_threshold(raw, gamma)
        status = solve(lower_inst, "bv", "bitwuzla", timeout).status
        if status is Status.UNSAT:
            out.append(lower_inst)
            break
        if status is not Status.SAT:
            break
        gamma -= step
    return out


def split_times(inst, encoding: str, result) -> tuple[float, float]:
    """``(encode, solve)`` seconds; the encode part includes lowering."""
    start = time.perf_counter()
    lowered = lower(inst)
    lower_s = time.perf_counter() - start
    if "encode_seconds" in result.extra:
        return lower_s + result.extra["encode_seconds"], result.extra["solve_seconds"]
    # z3's runner reports no split: time the translation alone and subtract.
    start = time.perf_counter()
    encode_bv(lowered.circuit)
    bv_s = time.perf_counter() - start
    return lower_s + bv_s, max(0.0, result.seconds - lower_s - bv_s)


def measure(inst, timeout: float) -> list[dict]:
    rows = []
    for encoding, solver in RUNS:
        result = solve(inst, encoding, solver, timeout)
        enc_s, sol_s = split_times(inst, encoding, result)
        rows.append({"encoding": encoding, "solver": solver, "status": result.status.value,
                     "variables": result.sizes.get("variables"),
                     "clauses": result.sizes.get("clauses"),
                     "max_width": result.sizes.get("max_width"),
                     "encode_s": enc_s, "solve_s": sol_s})
    return rows


def measure_proof(inst, encoding: str, solver: str, timeout: float) -> dict | None:
    with tempfile.TemporaryDirectory() as tmp:
        cert = Path(tmp) / "c.json"
        try:
            result = solve(inst, encoding, solver, timeout, proof_path=str(cert) + ".drat")
        except Exception as exc:  # a pair without proof support: say so in the table
            return {"encoding": encoding, "solver": solver, "error": str(exc)}
        if result.status is not Status.UNSAT:
            return None
        write_certificate(cert, inst, result)
        proof = Path(str(cert) + ".drat")
        size = proof.stat().st_size
        lines = sum(1 for _ in proof.open())
        start = time.perf_counter()
        verdict = check_certificate(inst, read_certificate(cert), cert)
        check_s = time.perf_counter() - start
        return {"encoding": encoding, "solver": solver, "proof_lines": lines,
                "proof_bytes": size, "check_s": check_s, "valid": verdict.valid,
                "verdict": str(verdict)}


def fmt(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def render(table: list[dict], proofs: list[dict], timeout: float, alone: list[str]) -> str:
    out = ["# Encodings on the bundled instances", "",
           "Made by (from the repository root):", "",
           "```sh", "python benchmarks/encodings_table.py -o benchmarks/encodings.md", "```",
           "",
           f"One run each, wall-clock seconds, timeout {timeout:g} s, on a shared 2-core "
           f"machine (other jobs were running: expect noise of tens of percent on "
           f"sub-second times); Python {platform.python_version()}.  *encode* is lowering "
           "plus translation into the solver's input (for `bv`/z3: lowering plus "
           "`encode_bv`, and *solve* the rest of the run); *solve* is the solver alone.  "
           "`bv` has no CNF of its own (each SMT solver bit-blasts internally), so its "
           "variables/clauses are blank and its widest bit-vector is shown instead.", "",
           "| instance | γ | answer | encoding / solver | variables | clauses | max width "
           "| encode s | solve s |",
           "|---|---|---|---|---|---|---|---|---|"]
    notes = ["", "No unsat threshold was measured for "
             + ", ".join(f"`{name}`" for name in alone)
             + ": each is sat at γ = 0 (no lower threshold exists), or at every multiple of "
               "1/m below its own γ."] if alone else []
    for case in table:
        for row in case["rows"]:
            out.append(f"| `{case['instance']}` | {case['threshold']} | {row['status']} | "
                       f"{row['encoding']} / {row['solver']} | {fmt(row['variables'])} | "
                       f"{fmt(row['clauses'])} | {fmt(row['max_width'])} | "
                       f"{fmt(row['encode_s'])} | {fmt(row['solve_s'])} |")
    out += notes
    out += ["", "That bv, cnf and cnf-z3 agree with each other and with brute force on 520 random "
            "tiny instances is checked by `python -m pytest -m slow -s "
            "tests/test_backends_smt.py` (it prints its counts and times)."]
    out += ["", "## Unsat proofs", "",
            "For each unsat case: `ermsolve solve --proof` on CaDiCaL 1.9.5 writes the DRAT "
            "proof; `ermsolve check` (here `check_certificate`) rebuilds the CNF from the "
            "instance, compares its SHA-256 and runs the proof checker of "
            "`ermsolve.proofs` (the `drup` checker) — see [proofs.md](proofs.md) (written by "
            "`benchmarks/proofs.py`) for the checkers compared, and "
            "`docs/certificates.md` for what is refused.", "",
            "| instance | γ | encoding / solver | proof lines | proof bytes | check s | verdict |",
            "|---|---|---|---|---|---|---|"]
    for p in proofs:
        if "error" in p:
            out.append(f"| `{p['instance']}` | {p['threshold']} | {p['encoding']} / "
                       f"{p['solver']} | — | — | — | not supported: {p['error']} |")
            continue
        out.append(f"| `{p['instance']}` | {p['threshold']} | {p['encoding']} / {p['solver']} "
                   f"| {p['proof_lines']} | {p['proof_bytes']} | {fmt(p['check_s'])} | "
                   f"{p['verdict']} |")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default=str(ROOT / "benchmarks" / "encodings.md"))
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--json", help="also write the raw figures here")
    args = ap.parse_args(argv)
    table, proofs, alone = [], [], []
    for path in sorted((ROOT / "benchmarks" / "instances").glob("*.json")):
        raw = load_json(path)
        any_unsat = False
        for inst in thresholds(raw, args.timeout):
            rows = measure(inst, args.timeout)
            case = {"instance": path.name, "threshold": to_str(inst.threshold), "rows": rows}
            table.append(case)
            print(json.dumps(case), flush=True)
            if any(r["status"] == "unsat" for r in rows):
                any_unsat = True
                for encoding, solver in PROOF_RUNS:
                    p = measure_proof(inst, encoding, solver, args.timeout)
                    if p is not None:
                        proofs.append({"instance": path.name, "threshold": case["threshold"],
                                       **p})
        if not any_unsat:
            alone.append(path.name)
    from ermsolve.fileio import atomic_write_text

    atomic_write_text(args.output, render(table, proofs, args.timeout, alone))
    if args.json:
        atomic_write_text(args.json, json.dumps({"table": table, "proofs": proofs}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
