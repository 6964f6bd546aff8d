"""The long differential fuzz run: ``python scripts/fuzz.py --instances 10000 --seed 1``.

Instance ``i`` of seed ``S`` is generated from ``random.Random(f"{S}:{i}")`` (see
``tests/fuzzing.py``), so the run is resumable: each finished instance appends one JSON line
to ``--log``, and a restart with the same log skips the indices already there.  ``--shard
K/N`` runs the indices with ``crc32(str(i)) % N == K`` (a hash, so that the instances with
the heavier periodic checks spread evenly; give each shard its own ``--log``; ``--skip``
lists further logs whose instances are done).  Every disagreement is printed at once and
its instance written to ``--failures`` (replay: ``--replay FILE``).  ``--summarize LOG...``
merges logs into one summary (Markdown on stdout, JSON with ``--json``).

What runs how often: the tables below (``DECISIONS``, ``COUNT_EVERY``, ``OPTIMIZE_EVERY``,
``PROOF_EVERY``); brute force runs on every instance, every sat answer's certificate is
checked, and the summary lists the exact number of runs of every check.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import random
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import fuzzing  # noqa: E402

from ermsolve.registry import ENCODINGS  # noqa: E402

#: Decision checks: (encoding, solvers or None for all of them, every how many instances).
#: A row's solvers are taken in rotation: its k-th run uses solver ``k mod n``.
DECISIONS = [("cnf", None, 2), ("brute-vec", None, 2), ("bv", ("z3",), 3),
             ("bv", ("z3-smt", "bitwuzla", "cvc5"), 25), ("lia", None, 50),
             ("cpsat", None, 50), ("cnf-z3", None, 50), ("nia", None, 50), ("milp", None, 50),
             ("auto", None, 50)]
#: Encodings registered after this table was written run on this schedule.
NEW_ENCODING_EVERY = 50
COUNT_EVERY = {"brute": 25, "enumerate": 50, "exact": 500, "approx": 500}
OPTIMIZE_EVERY = {"descent": 5, "binary": 25, "maxsat": 25, "restart": 500}
PROOF_EVERY = 500  # cnf unsat answers with a DRUP proof, certificate checked


def plan_for(i: int, timeout: float) -> fuzzing.Plan:
    plan = fuzzing.Plan(timeout=timeout)
    for enc, solvers, every in DECISIONS:
        if enc in ENCODINGS and i % every == 0:
            solvers = [s for s in (solvers or ENCODINGS[enc].solvers)
                       if s in ENCODINGS[enc].solvers]
            if solvers:
                plan.decisions.append((enc, solvers[(i // every) % len(solvers)]))
    known = {row[0] for row in DECISIONS}
    for enc, entry in ENCODINGS.items():
        if enc not in known and i % NEW_ENCODING_EVERY == 0:
            k = (i // NEW_ENCODING_EVERY) % len(entry.solvers)
            plan.decisions.append((enc, entry.solvers[k]))
    if i % PROOF_EVERY == 0 and "cnf" in ENCODINGS and ENCODINGS["cnf"].proofs:
        proofs = ENCODINGS["cnf"].proofs
        pair = ("cnf", proofs[(i // PROOF_EVERY) % len(proofs)])
        plan.decisions = [d for d in plan.decisions if d != pair] + [pair]
        plan.proofs.append(pair)
    plan.counts = [m for m, every in COUNT_EVERY.items() if i % every == 0]
    plan.optimize = [s for s, every in OPTIMIZE_EVERY.items() if i % every == 0]
    return plan


def generate(seed: int, i: int) -> tuple[dict, list]:
    return fuzzing.make_instance(fuzzing.RandomChooser(random.Random(f"{seed}:{i}")))


def _one(seed: int, i: int, timeout: float) -> tuple[fuzzing.Outcome, dict]:
    doc, losses = generate(seed, i)
    outcome, _ = fuzzing.check_instance(doc, plan_for(i, timeout), losses)
    return outcome, doc


def _child(conn, seed: int, i: int, timeout: float) -> None:
    conn.send(_one(seed, i, timeout))
    conn.close()


def _preload() -> None:
    """Import every backend once in the parent, so that forked children start warm."""
    import importlib

    for name in ("z3", "pysat.solvers", "bitwuzla", "cvc5", "ortools.sat.python.cp_model",
                 "pyganak", "pyapproxmc"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for entry in ENCODINGS.values():
        with contextlib.suppress(Exception):  # a backend that cannot load fails in the run
            entry.load_runner()


def _isolated(seed: int, i: int, timeout: float, hard_timeout: float):
    """Run instance ``i`` in a forked child: a native crash (segfault, abort) or a hang past
    ``hard_timeout`` becomes a recorded disagreement instead of ending the run."""
    if hard_timeout <= 0:
        return _one(seed, i, timeout)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, seed, i, timeout))
    proc.start()
    child.close()
    try:
        if parent.poll(hard_timeout):
            return parent.recv()
        problem = f"instance still running after {hard_timeout} s (killed)"
    except EOFError:
        problem = None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
    if problem is None:
        problem = f"the checking process died (exit code {proc.exitcode})"
    doc, _ = generate(seed, i)
    return fuzzing.Outcome(disagreements=[f"crash: {problem}"]), doc


def _done(log: Path, with_disagreements: bool = True) -> set[int]:
    """Indices finished in ``log`` (those with disagreements only if asked)."""
    if not log.exists():
        return set()
    done = set()
    for line in log.read_text().splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue  # a line cut by a kill: that instance runs again
        if with_disagreements or not row["disagreements"]:
            done.add(row["i"])
    return done


def run(args) -> int:
    log = Path(args.log)
    log.parent.mkdir(parents=True, exist_ok=True)
    failures = Path(args.failures)
    failures.mkdir(parents=True, exist_ok=True)
    shard, shards = (int(x) for x in args.shard.split("/"))
    todo = [i for i in range(args.start, args.start + args.instances)
            if zlib.crc32(str(i).encode()) % shards == shard]
    done = _done(log).union(*(_done(Path(p), not args.rerun_failed) for p in args.skip or []))
    todo = [i for i in todo if i not in done]
    print(f"c fuzz seed {args.seed}: {len(todo)} instances to run ({len(done)} already in "
          f"{log})", flush=True)
    if args.hard_timeout > 0:
        _preload()
    start, bad = time.time(), 0
    with log.open("a") as fh:
        for n, i in enumerate(todo, 1):
            t0 = time.time()
            outcome, doc = _isolated(args.seed, i, args.timeout, args.hard_timeout)
            row = {"i": i, "sat": outcome.sat, "calls": outcome.calls,
                   "unknowns": outcome.unknowns, "disagreements": outcome.disagreements,
                   "seconds": round(time.time() - t0, 3)}
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            if outcome.disagreements:
                bad += 1
                path = failures / f"fuzz_seed{args.seed}_{i}.json"
                path.write_text(json.dumps({"seed": args.seed, "index": i, "instance": doc,
                                            "disagreements": outcome.disagreements},
                                           indent=1) + "\n")
                print(f"FAIL {i}: {outcome.disagreements} -> {path}", flush=True)
            if n % args.progress == 0 or n == len(todo):
                rate = n / (time.time() - start)
                print(f"c {n}/{len(todo)} done, {bad} with disagreements, {rate:.2f}/s, "
                      f"eta {(len(todo) - n) / rate / 60:.1f} min", flush=True)
    return 1 if bad else 0


def summarize(logs: list[str]) -> dict:
    rows = {}
    for log in logs:
        for line in Path(log).read_text().splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            rows[row["i"]] = row
    calls: dict[str, int] = {}
    unknown: dict[str, int] = {}
    for row in rows.values():
        for k, v in row["calls"].items():
            calls[k] = calls.get(k, 0) + v
        for u in row["unknowns"]:
            key = u.split(":")[0]
            unknown[key] = unknown.get(key, 0) + 1
    bad = sorted(i for i, r in rows.items() if r["disagreements"])
    return {"instances": len(rows), "sat": sum(1 for r in rows.values() if r["sat"]),
            "unsat": sum(1 for r in rows.values() if r["sat"] is False),
            "with_disagreements": len(bad), "failing_indices": bad[:100],
            "calls": dict(sorted(calls.items())), "unknowns": dict(sorted(unknown.items())),
            "seconds": round(sum(r["seconds"] for r in rows.values()), 1)}


def markdown(summary: dict) -> str:
    lines = [f"instances: {summary['instances']} (sat {summary['sat']}, unsat "
             f"{summary['unsat']}); instances with a disagreement: "
             f"{summary['with_disagreements']}; CPU-side time {summary['seconds']} s", "",
             "| check | runs | unknown (timeout) |", "|---|---:|---:|"]
    for k, v in summary["calls"].items():
        lines.append(f"| {k} | {v} | {summary['unknowns'].get(k, 0)} |")
    return "\n".join(lines)


def replay(path: str, timeout: float) -> int:
    data = json.loads(Path(path).read_text())
    doc = data.get("instance", data)
    i = data.get("index", 0)
    plan = plan_for(0, timeout)  # the fullest plan: every check of instance 0
    plan.decisions = sorted({*plan.decisions, *plan_for(i, timeout).decisions})
    outcome, _ = fuzzing.check_instance(doc, plan)
    print(json.dumps({"disagreements": outcome.disagreements, "unknowns": outcome.unknowns},
                     indent=1))
    return 1 if outcome.disagreements else 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--instances", type=int, default=1000)
    p.add_argument("--start", type=int, default=0, help="first instance index")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--shard", default="0/1", metavar="K/N")
    p.add_argument("--timeout", type=float, default=30.0, help="per solver call (seconds)")
    p.add_argument("--log", default="fuzz-log/seed1.jsonl")
    p.add_argument("--skip", nargs="*", metavar="LOG",
                   help="also skip the instances already in these logs (re-sharding)")
    p.add_argument("--rerun-failed", action="store_true",
                   help="instances with disagreements in the --skip logs run again (the "
                        "summary keeps the row of the last log given)")
    p.add_argument("--failures", default="fuzz-log/failures")
    p.add_argument("--progress", type=int, default=100, help="print every N instances")
    p.add_argument("--hard-timeout", type=float, default=900.0, metavar="S",
                   help="run each instance in a forked child killed after S seconds (a "
                        "native crash is recorded, not fatal); 0: in-process")
    p.add_argument("--replay", metavar="FILE", help="re-run every check on one kept failure")
    p.add_argument("--summarize", nargs="+", metavar="LOG", help="merge logs, print summary")
    p.add_argument("--json", action="store_true", help="with --summarize: print JSON")
    args = p.parse_args(argv)
    if args.replay:
        return replay(args.replay, args.timeout)
    if args.summarize:
        s = summarize(args.summarize)
        print(json.dumps(s, indent=1) if args.json else markdown(s))
        return 1 if s["with_disagreements"] else 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
