"""Do ``--timeout`` and Ctrl-C hold on every backend?  Writes ``benchmarks/timeouts.md``.

    python benchmarks/timeouts.py --timeout 3 --wait 10 -o benchmarks/timeouts.md

For each (command, encoding, solver) a fresh ``python -m ermsolve.cli`` process runs the
hard instance ``benchmarks/robustness/hard_random_labels.json`` (an unsat random-labels
instance that takes far longer than the limit on every backend) with ``--timeout T --json``.
Reported: the answer (it must be unknown / bounds), the time ermsolve itself reports
(``seconds``: lowering, encoding and solving) and its overshoot past ``T``, and the wall-clock
time of the whole process (interpreter start and package imports included).

Ctrl-C: the same commands without ``--timeout``; SIGINT is sent ``--wait`` seconds after the
start; reported are the exit code (130 expected), the time from the signal to the exit,
whether stderr is one line without a traceback, and the partial result printed (optimize).
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from ermsolve.fileio import atomic_write_text

HERE = Path(__file__).resolve().parent
INSTANCE = HERE / "robustness" / "hard_random_labels.json"

SOLVE = [("bv", "z3"), ("bv", "z3-smt"), ("bv", "bitwuzla"), ("bv", "cvc5"),
         ("cnf", "cadical195"), ("cnf", "glucose4"), ("cnf", "kissat404"),
         ("cnf", "minisat22"), ("cnf", "lingeling"), ("cnf-z3", "cadical195"),
         ("lia", "z3"), ("nia", "z3"), ("cpsat", "cp-sat"), ("milp", None),
         ("brute-vec", "numpy"), ("auto", None)]
OTHER = [(["count", "--method", "exact"], "count exact"),
         (["count", "--method", "approx"], "count approx"),
         (["count", "--method", "enumerate"], "count enumerate"),
         (["optimize", "--strategy", "descent"], "optimize descent"),
         (["optimize", "--strategy", "binary"], "optimize binary"),
         (["optimize", "--strategy", "maxsat"], "optimize maxsat")]


def _configs() -> list[tuple[list[str], str]]:
    from ermsolve.registry import ENCODINGS

    out = []
    for enc, solver in SOLVE:
        if enc in ENCODINGS and (solver is None or solver in ENCODINGS[enc].solvers):
            args = ["solve", "--encoding", enc] + (["--solver", solver] if solver else [])
            out.append((args, f"solve {enc}/{solver or ENCODINGS[enc].default_solver}"))
    return out + OTHER


def _cmd(args: list[str], instance: Path) -> list[str]:
    return [sys.executable, "-m", "ermsolve.cli", args[0], str(instance), *args[1:]]


def measure_timeout(args, instance: Path, timeout: float) -> dict:
    start = time.monotonic()
    proc = subprocess.run(_cmd(args, instance) + ["--timeout", str(timeout), "--json"],
                          capture_output=True, text=True, timeout=timeout * 20 + 120)
    wall = time.monotonic() - start
    try:
        data = json.loads(proc.stdout[proc.stdout.index("{"):])
    except ValueError:
        data = {}
    status = data.get("status")
    if status is None and "count" in data:
        status = "count unknown" if data.get("timed_out") else f"counted {data['count']}"
    seconds = data.get("seconds")
    return {"status": status or "?", "seconds": seconds, "exit": proc.returncode, "wall": wall,
            "overshoot": None if seconds is None else seconds - timeout,
            "stderr": proc.stderr.strip().splitlines()[-1:] if proc.returncode == 2 else []}


def measure_sigint(args, instance: Path, wait: float) -> dict:
    proc = subprocess.Popen(_cmd(args, instance), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(wait)
    if proc.poll() is not None:
        out, err = proc.communicate()
        return {"finished_first": True, "exit": proc.returncode}
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=120)
        hung = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        hung = True
    lines = [ln for ln in err.splitlines() if not ln.startswith("c bounds")]
    partial = [ln for ln in out.splitlines() if ln.startswith("c interrupted")]
    return {"finished_first": False, "exit": proc.returncode, "hung": hung,
            "after": time.monotonic() - sent, "one_line": len(lines) == 1,
            "traceback": "Traceback" in err, "partial": partial[0] if partial else ""}


def _f(x, digits=2):
    return "–" if x is None else f"{x:.{digits}f}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--instance", type=Path, default=INSTANCE)
    p.add_argument("--timeout", type=float, default=3.0)
    p.add_argument("--wait", type=float, default=10.0, help="seconds before SIGINT")
    p.add_argument("-o", "--output", type=Path, default=HERE / "timeouts.md")
    args = p.parse_args(argv)
    configs = _configs()
    rows = []
    for cli_args, label in configs:
        t = measure_timeout(cli_args, args.instance, args.timeout)
        print(label, t, flush=True)
        s = measure_sigint(cli_args, args.instance, args.wait)
        print(label, s, flush=True)
        rows.append((label, t, s))
    lines = ["# `--timeout` and Ctrl-C on every backend", "",
             f"Measured by `python benchmarks/timeouts.py --timeout {args.timeout:g} --wait "
             f"{args.wait:g}` on `{args.instance.resolve().relative_to(HERE.parent)}` "
             "(a fresh process per run, on 2 cores shared with other jobs: wall times are "
             "noisy).", "",
             f"Timeout T = {args.timeout:g} s.  *reported* is ermsolve's own `seconds` "
             "(lowering + encoding + solving); *overshoot* = reported − T; *process* is the "
             "wall-clock time of the whole process (interpreter start and imports included). "
             f"Ctrl-C: SIGINT {args.wait:g} s after the start; *exit* 130 expected.", "",
             "| run | answer at T | reported s | overshoot s | process s | Ctrl-C exit | "
             "stop after s | one line, no traceback | partial result |",
             "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for label, t, s in rows:
        if s.get("finished_first"):
            sig = ("finished first", "–", "–", "–")
        else:
            sig = (str(s["exit"]) + (" (hung, killed)" if s["hung"] else ""),
                   _f(s["after"]), "yes" if s["one_line"] and not s["traceback"] else "NO",
                   s["partial"] or "–")
        lines.append(f"| {label} | {t['status']} (exit {t['exit']}) | {_f(t['seconds'])} | "
                     f"{_f(t['overshoot'])} | {_f(t['wall'])} | " + " | ".join(sig) + " |")
    atomic_write_text(args.output, "\n".join(lines) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
