"""Write benchmarks/RESULTS.md from a benchmark output folder (run by run_suite.sh).

Usage: python benchmarks/write_results.py OUT_DIR RESULTS_MD --timeout T [--jobs N]
       [--suite DIR] [--command CMD] [--make-command CMD]
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

from ermsolve.bench import markdown_table, ranking, read_csv, scores, speed_ratio
from ermsolve.fileio import atomic_write_text

#: ermsolve's own encodings (the baseline nia, the peers and auto are compared against them).
OWN = ("bv", "cnf", "cnf-z3", "lia")
PEERS = ("cpsat", "brute-vec", "milp")


def _cfgs(table, encodings):
    return [c for c in ranking(table) if c.split(":")[0] in encodings]


def _ratio_line(rows, fast, slow, timeout, what):
    ratio, n = speed_ratio(rows, fast, slow, timeout)
    if ratio is None:
        return f"* {what}: no instance solved by both `{fast}` and `{slow}`."
    if ratio >= 1:
        return (f"* {what}: `{fast}` is **{ratio:.1f}×** faster than `{slow}` (median of "
                f"time(`{slow}`) / time(`{fast}`) over the {n} instances both solve).")
    return (f"* {what}: `{fast}` is **{1 / ratio:.1f}×** slower than `{slow}` (median of "
            f"time(`{fast}`) / time(`{slow}`) over the {n} instances both solve).")


def family_of(instance: str) -> str:
    for fam in ("random-labels", "parity", "planted", "real"):
        if instance.startswith(fam):
            return fam
    return "other"


def breakdown(rows, fast: str, slow: str, timeout: float) -> list[str]:
    """Per family, and over the instances where ``slow`` needs at least 1 s, the median of
    time(slow) / time(fast) over instances both solve."""
    lines = [f"| instances | median time(`{slow}`) / time(`{fast}`) | instances both solve |",
             "|---|---|---|"]
    groups: dict[str, set] = {}
    for r in rows:
        groups.setdefault(family_of(r["instance"]), set()).add(r["instance"])
    slow_time = {r["instance"]: float(r["seconds"]) for r in rows
                 if f"{r['encoding']}:{r['solver']}" == slow and r["status"] in ("sat", "unsat")
                 and r["seconds"] is not None}
    groups[f"`{slow}` needs >= 1 s"] = {i for i, t in slow_time.items() if t >= 1.0}
    groups[f"`{slow}` needs < 1 s"] = {i for i, t in slow_time.items() if t < 1.0}
    for name, insts in groups.items():
        sub = [r for r in rows if r["instance"] in insts]
        ratio, n = speed_ratio(sub, fast, slow, timeout)
        shown = "–" if ratio is None else f"{ratio:.1f}×"
        lines.append(f"| {name} | {shown} | {n} |")
    return lines


def reading(rows, fast: str, slow: str, timeout: float) -> list[str]:
    """One paragraph on where the time of ``fast`` goes, from the run's own numbers."""
    table = scores(rows, timeout)
    median_fast, median_slow = table[fast]["median"], table[slow]["median"]
    if median_fast is None or median_slow is None:
        return []
    return [f"Reading: the median solved instance takes `{fast}` {1000 * median_fast:.0f} ms "
            f"and `{slow}` {1000 * median_slow:.0f} ms.  At the small end every "
            "configuration pays a fixed cost for lowering the instance and building its "
            "formula in Python (a few to tens of milliseconds), so ratios there are capped by "
            "it; the groups above show how the ratio changes where the naive encoding has "
            "more work to do."]


def suite_lines(suite: Path) -> list[str]:
    manifest = json.loads((suite / "manifest.json").read_text())
    fam = Counter(e["family"] for e in manifest["instances"])
    exp = Counter(str(e["expected"]) for e in manifest["instances"])
    return [f"Suite `{suite}`: {sum(fam.values())} instances — "
            + ", ".join(f"{k} {v}" for k, v in sorted(fam.items()))
            + "; expected status in the manifest: "
            + ", ".join(f"{k} {v}" for k, v in sorted(exp.items()))
            + " (`None`: grid too large to enumerate; checked by cross-agreement only)."]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("results_md")
    ap.add_argument("--timeout", type=float, required=True)
    ap.add_argument("--suite", default="benchmarks/suite")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--command", default="sh benchmarks/run_suite.sh")
    ap.add_argument("--make-command", default="sh benchmarks/make_suite.sh")
    ap.add_argument("--see-also", action="append", default=[],
                    help="another results page to link (repeatable)")
    args = ap.parse_args()
    out = Path(args.out)
    rows = read_csv(out / "results.csv")
    timeout = args.timeout
    table = scores(rows, timeout)
    own = _cfgs(table, OWN)
    best_own = own[0]
    best_single = [c for c in ranking(table) if not c.startswith("auto:")][0]
    summary = (out / "summary.md").read_text().splitlines()
    wall = next((ln for ln in summary if "wall-clock" in ln), "")
    rel = os.path.relpath(out, Path(args.results_md).parent)
    lines = [
        f"# Benchmark results: `{args.suite}`",
        "",
        f"Regenerate everything on this page with **`{args.command}`** (from the repository "
        f"root; the suite itself is regenerated by `{args.make_command}`).",
        "",
        *suite_lines(Path(args.suite)),
        "",
        f"Every (instance, encoding, solver) ran in its own process (`ermsolve bench`, Dask "
        f"local cluster, {args.jobs} jobs), timeout {timeout:g} s, 4 GB address-space "
        f"limit.  Times are wall-clock seconds of `ermsolve.solve` in the run's process "
        "(lowering, building the formula and solving; not the decoding and exact re-check "
        "of a sat answer that follow); Python start-up and the import of the backend's "
        "packages are not counted, and "
        "since the run's process ends itself at the limit, `solve` runs the backend in that "
        "process instead of forking a watchdog child (see `docs/benchmarks.md`).  The "
        "machine has 2 cores, possibly shared with other work (the load averages of the run "
        "are in the next line), so absolute times are noisy and ratios between "
        "configurations measured in the same run are the figures to read.",
        "",
        f"The run itself: {wall}",
        "",
        f"![cactus plot]({rel}/cactus.svg)",
        "",
        "## Per configuration",
        "",
        markdown_table(rows, timeout),
        "PAR-2: sum over instances of the time when solved, else 2 × timeout (lower is "
        "better).  `cpsat`, `brute-vec` and `milp` are peer baselines"
        + (" (`milp:highs` reports sat only after an exact re-check and never reports "
           "unsat: HiGHS's floating-point infeasibility is no verdict, hence its 0 unsat)"
           if "milp:highs" in table else "")
        + "; `nia` is the naive baseline; `auto` is `--encoding auto`.  CP-SAT's unsat "
        "answers are its own claim (no checkable proof).",
        "",
        "## Headline figures",
        "",
        f"* Best of ermsolve's own encodings (bv, cnf, lia; by solved count, then PAR-2): "
        f"`{best_own}`, {table[best_own]['solved']}/{table[best_own]['runs']} solved.",
    ]
    if "nia:z3" in table:
        lines.append(_ratio_line(rows, best_own, "nia:z3", timeout,
                                 "Against the naive `nia` baseline"))
        ratio, _ = speed_ratio(rows, best_own, "nia:z3", timeout)
        if ratio is not None and ratio < 10:
            lines.append(f"* **This is below the 10× asked for** (median {ratio:.1f}×).  The "
                         "table below gives the ratio by family and split at 1 s of `nia` "
                         "time: where `nia` needs less than a second, both sides are close "
                         "to the fixed cost of building a formula.")
        for cfg in own[1:]:
            lines.append(_ratio_line(rows, cfg, "nia:z3", timeout, f"`{cfg}` against nia"))
    if "cpsat:cp-sat" in table:
        lines.append(_ratio_line(rows, best_own, "cpsat:cp-sat", timeout,
                                 "Against the CP-SAT peer"))
    if "auto:auto" in table:
        a, b = table["auto:auto"], table[best_single]
        verdict = "at least as many as" if a["solved"] >= b["solved"] else "FEWER than"
        lines.append(f"* `--encoding auto` solved {a['solved']}/{a['runs']}, {verdict} the "
                     f"best single configuration `{best_single}` ({b['solved']}/{b['runs']}); "
                     f"PAR-2 {a['par2']:.1f} against {b['par2']:.1f}.")
    if "nia:z3" in table:
        lines += ["", f"### `{best_own}` against `nia` by instance group", "",
                  *breakdown(rows, best_own, "nia:z3", timeout), "",
                  *reading(rows, best_own, "nia:z3", timeout)]
    for page in args.see_also:
        link = os.path.relpath(page, Path(args.results_md).parent)
        lines += ["", f"See also [`{link}`]({link}) (its own suite and command at its top)."]
    lines += ["", f"Raw data: [`{rel}/results.csv`]({rel}/results.csv); the runner's own "
              f"summary: [`{rel}/summary.md`]({rel}/summary.md).", ""]
    atomic_write_text(args.results_md, "\n".join(lines))


if __name__ == "__main__":
    main()
