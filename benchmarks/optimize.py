"""Measure ``ermsolve optimize``: strategies against each other, and the default against one
decision at the optimum threshold.

For every instance of the suite and every strategy, :func:`ermsolve.optimize.optimize` runs
with a wall-clock limit.  At the optimum ``v*`` (from the first strategy that proves one) two
single decisions on the cnf encoding are timed: ``loss <= v*`` (sat; the "single decision at
the optimum threshold") and ``loss < v*`` (unsat; the question a proof refutes).  The
optimum is cross-checked: every strategy that finishes must agree, and it must be consistent
with the manifest's expected status at the instance's own threshold.

Writes a CSV and a Markdown summary (median ratios) and prints the summary.  Run from the
repository root::

    python benchmarks/optimize.py --suite benchmarks/suite --timeout 20 \\
        --csv benchmarks/optimize.csv --out benchmarks/optimize.md
    python benchmarks/optimize.py --random 60 --seed 0 --strategies descent,binary,maxsat
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

from ermsolve.instance import load_instance
from ermsolve.optimize import DEFAULT_SAT_SOLVER, optimize
from ermsolve.rationals import to_str
from ermsolve.result import Status
from ermsolve.solve import solve

FIELDS = ["instance", "loss", "domain", "strategy", "status", "optimum", "lower", "upper",
          "seconds", "steps", "unsat_steps", "decision_seconds", "below_seconds"]


def _expected(suite: Path) -> dict[str, str | None]:
    manifest = suite / "manifest.json"
    if not manifest.exists():
        return {}
    data = json.loads(manifest.read_text())
    return {e["file"]: e.get("expected") for e in data.get("instances", [])}


def _decision(inst, value, strict, timeout):
    start = time.perf_counter()
    res = solve(inst.with_threshold(value), "cnf", DEFAULT_SAT_SOLVER, timeout, strict=strict)
    return res.status, time.perf_counter() - start


def measure(path: Path, strategies, timeout: float, expected) -> list[dict]:
    inst = load_instance(path)
    rows, optimum = [], None
    for strategy in strategies:
        if strategy == "maxsat" and inst.loss != "zero_one":
            continue
        res = optimize(inst, strategy=strategy, timeout=timeout)
        if res.status == "optimal":
            if optimum is not None and res.upper != optimum:
                raise SystemExit(f"{path.name}: {strategy} found {res.upper}, another "
                                 f"strategy {optimum}")
            optimum = res.upper
        rows.append({"instance": path.name, "loss": inst.loss,
                     "domain": inst.domain.to_json()["type"], "strategy": strategy,
                     "status": res.status, "optimum": "", "lower": to_str(res.lower),
                     "upper": to_str(res.upper), "seconds": f"{res.seconds:.3f}",
                     "steps": len(res.steps),
                     "unsat_steps": sum(s.answer is Status.UNSAT for s in res.steps),
                     "decision_seconds": "", "below_seconds": ""})
    if optimum is not None:
        want = expected.get(path.name)
        sat = optimum <= inst.threshold
        if want in ("sat", "unsat") and (want == "sat") != sat:
            raise SystemExit(f"{path.name}: optimum {optimum} contradicts the manifest "
                             f"({want} at threshold {inst.threshold})")
        status, dec = _decision(inst, optimum, False, timeout)
        if status is not Status.SAT:
            raise SystemExit(f"{path.name}: the decision at the optimum {optimum} said "
                             f"{status.value}")
        below_status, below = _decision(inst, optimum, True, timeout)
        if below_status is Status.SAT:
            raise SystemExit(f"{path.name}: something beats the optimum {optimum}")
        for row in rows:
            row["optimum"] = to_str(optimum)
            row["decision_seconds"] = f"{dec:.3f}"
            row["below_seconds"] = f"{below:.3f}" if below_status is Status.UNSAT else ""
    return rows


def summarize(rows: list[dict], command: str, timeout: float) -> str:
    out = ["# `ermsolve optimize`: strategies, and optimize against one decision", "",
           "Produced by:", "", "```sh", command, "```", ""]
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    instances = list(dict.fromkeys(r["instance"] for r in rows))
    out += [f"{len(instances)} instances, per-run limit {timeout:g} s.  `decision` is one "
            f"`solve --encoding cnf --solver {DEFAULT_SAT_SOLVER}` at threshold = the optimum "
            "(sat), `below` the same at `loss < optimum` (unsat: what `--proof` refutes); "
            "both include lowering and encoding.", ""]
    out += ["| strategy | optimal | median optimize s | median ratio optimize / decision "
            "| median ratio optimize / (decision + below) |", "|---|---|---|---|---|"]
    for s in strategies:
        mine = [r for r in rows if r["strategy"] == s]
        opt = [r for r in mine if r["status"] == "optimal" and r["decision_seconds"]]
        ratios = [float(r["seconds"]) / float(r["decision_seconds"]) for r in opt]
        both = [float(r["seconds"]) / (float(r["decision_seconds"]) + float(r["below_seconds"]))
                for r in opt if r["below_seconds"]]
        med = statistics.median(float(r["seconds"]) for r in opt) if opt else float("nan")
        out.append(f"| {s} | {len(opt)}/{len(mine)} | {med:.3f} | "
                   f"{_median(ratios)} | {_median(both)} |")
    out += ["", "Per instance (seconds; `-` = not run or timed out):", "",
            "| instance | loss | optimum | decision | below | "
            + " | ".join(strategies) + " |", "|---" * (5 + len(strategies)) + "|"]
    for name in instances:
        mine = {r["strategy"]: r for r in rows if r["instance"] == name}
        first = next(iter(mine.values()))
        cells = [(mine[s]["seconds"] if mine[s]["status"] == "optimal"
                  else f"bounds [{mine[s]['lower']}, {mine[s]['upper']}]") if s in mine else "-"
                 for s in strategies]
        out.append(f"| {name} | {first['loss']} | {first['optimum'] or '?'} | "
                   f"{first['decision_seconds'] or '-'} | {first['below_seconds'] or '-'} | "
                   + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def _median(values) -> str:
    return f"{statistics.median(values):.2f}" if values else "-"


def random_strategies(count: int, seed: int, strategies) -> str:
    """Total optimize time per strategy on random tiny instances (``tests/random_instances``,
    piecewise-linear activations, every domain and loss), each optimum checked against
    brute force."""
    import random

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from random_instances import PIECEWISE_LINEAR, random_instance

    from ermsolve.brute import brute_force

    rng = random.Random(seed)
    totals = {s: 0.0 for s in strategies}
    by_loss: dict = {}
    for _ in range(count):
        inst = random_instance(rng, activations=PIECEWISE_LINEAR)
        best = brute_force(inst).minimum
        for s in strategies:
            if s == "maxsat" and inst.loss != "zero_one":
                continue
            res = optimize(inst, strategy=s)
            if res.upper != best or res.status != "optimal":
                raise SystemExit(f"{s}: optimum {res.upper} but brute force {best}")
            totals[s] += res.seconds
            key = (inst.loss, s)
            by_loss[key] = by_loss.get(key, 0.0) + res.seconds
    losses = sorted({k[0] for k in by_loss})
    lines = [f"Random tiny instances: {count} (seed {seed}), every optimum equal to brute "
             "force.  Total seconds:", "",
             "| strategy | all | " + " | ".join(losses) + " |",
             "|---" * (2 + len(losses)) + "|"]
    for s in strategies:
        cells = [f"{by_loss[(loss, s)]:.2f}" if (loss, s) in by_loss else "-"
                 for loss in losses]
        lines.append(f"| {s} | {totals[s]:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", default="benchmarks/suite")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--strategies", default="descent,binary,maxsat")
    ap.add_argument("--limit", type=int, default=None, help="first N instances only")
    ap.add_argument("--csv", default=None)
    ap.add_argument("--out", default=None)
    ap.add_argument("--random", type=int, default=0, metavar="N",
                    help="instead: compare strategies on N random tiny instances")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.random:
        print(random_strategies(args.random, args.seed, args.strategies.split(",")))
        return 0
    suite = Path(args.suite)
    paths = sorted(p for p in suite.glob("*.json") if p.name != "manifest.json")
    if args.limit:
        paths = paths[:args.limit]
    expected = _expected(suite)
    rows = []
    for p in paths:
        got = measure(p, args.strategies.split(","), args.timeout, expected)
        rows += got
        print(" ".join(f"{r['strategy']}:{r['status']}:{r['seconds']}" for r in got),
              p.name, got[0]["optimum"] if got else "", got[0]["decision_seconds"] if got
              else "", file=sys.stderr, flush=True)
        if args.csv:
            with open(args.csv, "w", newline="") as fh:
                w = csv.DictWriter(fh, FIELDS)
                w.writeheader()
                w.writerows(rows)
    command = "python benchmarks/optimize.py " + " ".join(argv if argv is not None
                                                           else sys.argv[1:])
    text = summarize(rows, command, args.timeout)
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
