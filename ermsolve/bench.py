"""The benchmark runner: every (instance, encoding, solver) in its own process, on Dask.

:func:`run_benchmark` plans the runs (:func:`plan`), executes them on a Dask distributed
cluster — an embedded :class:`~dask.distributed.LocalCluster` with ``jobs`` single-threaded
workers by default, or an existing scheduler given by its address — and writes, into the
output folder:

* ``results.csv``: one row per run with the columns :data:`COLUMNS`;
* ``summary.md``: per (encoding, solver) the solved count, the PAR-2 score and the median
  time, and the speed ratios of the best configuration against the others;
* ``cactus.png`` and ``cactus.svg``: the cactus plot (instances solved within a time).

Isolation.  A Dask task starts a fresh Python process (``python -m ermsolve.bench``) and
hands it the instance text on standard input, so workers on other machines need ermsolve
installed but no shared file system.  The child first limits its address space
(``RLIMIT_AS``, ``--memory`` MB) and its CPU time, then runs :func:`ermsolve.solve` with the
solver's own time limit ``timeout``.  The child sets an alarm that ends it at ``timeout``
(:func:`ermsolve.watchdog.terminate_this_process_after`), so solve and the non-interruptible
PySAT solvers run the backend in the same process rather than in a forked child of their
own (a fork per run would add tens of milliseconds to every time); a run the alarm ends is
status ``timeout``, one whose backend gives up first is ``unknown``; the parent kills the
child's process group at ``timeout + grace`` in case startup itself hangs.

Statuses: ``sat``, ``unsat``, ``unknown`` (the solver gave up, usually at its time limit),
``timeout`` (killed, or ended by its alarm), ``memout``, ``unsupported`` (the encoding
refuses the instance, e.g. CP-SAT beyond 64 bits), ``wrong`` (a sat answer failed the exact
re-check) and ``error``.  ``seconds`` is the time of :func:`ermsolve.solve` (lowering,
encoding and solving; process start and the import of the backend's packages not counted);
a run counts as solved when its status is sat or unsat and ``seconds <= timeout``.

Failing loudly.  After writing the files, :func:`check_results` lists every instance with both
a sat and an unsat answer, every answer contradicting the manifest's ``expected`` status,
and every ``wrong`` or ``error`` run; the ``bench`` command then exits with code 1.

Scores.  PAR-2 is the sum over instances of the time when solved and ``2 * timeout``
otherwise (lower is better); the median time is over solved instances only.

Limitations: timings are wall-clock times of one process each on possibly shared cores;
``--jobs`` above the number of free cores makes them noisier.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .families import MANIFEST, expected_by_file
from .fileio import atomic_write_bytes, atomic_write_text
from .instance import load_instance
from .registry import ENCODINGS, get_encoding

COLUMNS = ("instance", "encoding", "solver", "status", "seconds", "variables", "clauses",
           "peak_memory_mb", "max_width", "expected", "detail")
SOLVED = ("sat", "unsat")
#: Seconds the parent waits past the solver's own time limit before killing the child.
GRACE = 5.0
#: Seconds past the time limit at which a benchmark child ends itself (its SIGALRM): none,
#: so that the alarm enforces every backend's limit as tightly as the backend's own
#: watchdog would, and no backend needs to fork for it.
SELF_GRACE = 0.0


@dataclass(frozen=True)
class Run:
    """One (instance, encoding, solver) to execute; ``instance`` is the file name."""

    instance: str
    encoding: str
    solver: str

    @property
    def config(self) -> str:
        return f"{self.encoding}:{self.solver}"


# --------------------------------------------------------------------------- planning

def configurations(encodings: list[str], solvers: list[str] | None) -> list[tuple[str, str]]:
    """The (encoding, solver) pairs to run.

    ``solvers`` items are ``ENC:SOLVER`` (that pair, also for an encoding not in
    ``encodings``), a plain solver name (run on every listed encoding that supports it) or
    ``all`` (every solver of every listed encoding).  A listed encoding that gets no solver
    this way runs on its default solver.  Unknown names raise :class:`UsageError`.
    """
    for e in encodings:
        get_encoding(e)
    pairs: list[tuple[str, str]] = []
    plain: list[str] = []
    for item in solvers or []:
        if ":" in item:
            enc, solver = item.split(":", 1)
            entry = get_encoding(enc)
            if solver not in entry.solvers:
                raise UsageError(f"--solvers {item}: encoding {enc!r} runs on "
                                 f"{', '.join(entry.solvers)}")
            pairs.append((enc, solver))
        else:
            plain.append(item)
    for name in plain:
        if name != "all" and not any(name in ENCODINGS[e].solvers for e in encodings):
            raise UsageError(f"--solvers {name}: no listed encoding runs on it; pairs: "
                             + ", ".join(f"{e}:{s}" for e in encodings
                                         for s in ENCODINGS[e].solvers))
    for e in encodings:
        entry = ENCODINGS[e]
        mine = [s for s in entry.solvers if "all" in plain or s in plain]
        if not mine and not any(p[0] == e for p in pairs):
            mine = [entry.default_solver]
        pairs += [(e, s) for s in mine]
    seen, out = set(), []
    for p in pairs:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def instance_files(folder: str | Path) -> list[Path]:
    """The ``*.json`` instance files of ``folder`` (the manifest left out), sorted."""
    path = Path(folder)
    if not path.is_dir():
        raise UsageError(f"{folder}: not a folder of instances")
    files = sorted(p for p in path.glob("*.json") if p.name != MANIFEST)
    if not files:
        raise UsageError(f"{folder}: no *.json instances")
    return files


def plan(folder: str | Path, pairs: list[tuple[str, str]]) -> list[Run]:
    return [Run(f.name, e, s) for f in instance_files(folder) for e, s in pairs]


# --------------------------------------------------------------------------- one run

def run_one(run: Run, text: str, timeout: float, memory_mb: int) -> dict:
    """Execute ``run`` in a child process (see the module docstring); returns a result row
    (without ``expected``)."""
    cmd = [sys.executable, "-m", "ermsolve.bench", "--child", run.encoding, run.solver,
           repr(float(timeout)), str(int(memory_mb))]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    row = {"instance": run.instance, "encoding": run.encoding, "solver": run.solver}
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(text, timeout=timeout + GRACE)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {**row, "status": "timeout", "seconds": timeout, "detail": "killed"}
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    if not lines and proc.returncode == -signal.SIGALRM:
        # the child's own alarm at timeout + SELF_GRACE (a backend overran its limit)
        return {**row, "status": "timeout", "seconds": timeout, "detail": "alarm"}
    if not lines:
        memout = proc.returncode in (-signal.SIGKILL, -signal.SIGSEGV) or "MemoryError" in err
        status = "memout" if memout or "std::bad_alloc" in err else "error"
        detail = (err.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        return {**row, "status": status, "seconds": None, "detail": detail[:200]}
    return {**row, **json.loads(lines[-1])}


def _limit_resources(timeout: float, memory_mb: int) -> None:
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = int(math.ceil(timeout + GRACE)) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def child_main(argv: list[str]) -> int:
    """Entry point of the child process: ``--child ENC SOLVER TIMEOUT MEMORY_MB`` with the
    instance JSON on standard input; prints one JSON line."""
    enc, solver, timeout, memory_mb = argv[0], argv[1], float(argv[2]), int(argv[3])
    _limit_resources(timeout, memory_mb)
    import resource

    from .errors import UnsupportedError
    from .instance import loads_json, parse_instance
    from .solve import WrongAnswerError, solve
    from .watchdog import cancel_termination, terminate_this_process_after

    out: dict = {}
    try:
        instance = parse_instance(loads_json(sys.stdin.read(), "<stdin>"))
        # Import the backend first: its import time is not the encoding's solve time.
        runner = get_encoding(enc).load_runner()
        getattr(runner, "preload", lambda _solver: None)(solver)
        # The kernel ends this process at the limit, so solve() need not fork for it: a fork
        # per run would add tens of milliseconds to every measured time.
        terminate_this_process_after(timeout + SELF_GRACE)
        try:
            result = solve(instance, enc, solver, timeout)
        finally:
            cancel_termination()  # the answer is in; reporting it must not be cut off
        sizes = result.sizes
        out = {"status": result.status.value, "seconds": result.seconds,
               "variables": sizes.get("variables"), "clauses": sizes.get("clauses"),
               "max_width": sizes.get("max_width"),
               # auto: which step answered; otherwise the solver's reason for unknown
               "detail": (result.extra.get("auto") or result.reason)[:200]}
        if result.status.value == "unknown" and result.reason.startswith(
                ("out of memory", "the backend process died")):
            # a backend's allocation failure, or the death of a backend's own child
            # process, under the address-space limit is a memory-out
            out["status"] = "memout"
    except WrongAnswerError as exc:
        out = {"status": "wrong", "seconds": None, "detail": str(exc)[:300]}
    except UnsupportedError as exc:
        out = {"status": "unsupported", "seconds": None, "detail": str(exc)[:200]}
    except MemoryError:
        out = {"status": "memout", "seconds": None, "detail": "MemoryError"}
    except Exception as exc:  # any crash is reported, never hidden
        out = {"status": "error", "seconds": None,
               "detail": f"{type(exc).__name__}: {exc}"[:200]}
    # The backend may have run in a child of this process (solve's hard deadline).
    peak = max(resource.getrusage(who).ru_maxrss
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    out["peak_memory_mb"] = round(peak / 1024, 1)
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


# --------------------------------------------------------------------------- execution

def execute(runs: list[Run], texts: dict[str, str], timeout: float, memory_mb: int,
            jobs: int, scheduler: str | None = None, progress: bool = True) -> list[dict]:
    """Run everything on Dask (embedded LocalCluster unless ``scheduler`` is given)."""
    from dask.distributed import Client, LocalCluster, as_completed

    if logging.getLogger("ermsolve").getEffectiveLevel() > logging.DEBUG:
        # Dask's own start/stop chatter is noise unless asked for with -vv.
        for name in ("distributed", "bokeh", "tornado"):
            logging.getLogger(name).setLevel(logging.ERROR)
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # Threads suffice: each task only waits for its child process.  Port 0 for the
        # dashboard so that concurrent benchmarks never collide.
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=False,
                               dashboard_address=":0", silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        futures = [client.submit(run_one, r, texts[r.instance], timeout, memory_mb,
                                 pure=False, key=f"run-{i}-{r.instance}-{r.config}")
                   for i, r in enumerate(runs)]
        rows = []
        with _progress(len(futures), progress) as advance:
            for fut in as_completed(futures):
                row = fut.result()
                rows.append(row)
                advance(f"{row['instance']} {row['encoding']}:{row['solver']} "
                        f"{row['status']}")
        return rows
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _progress:
    """A rich progress bar on stderr (silent when ``enabled`` is false)."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled

    def __enter__(self):
        if not self.enabled:
            return lambda text: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(TextColumn("bench"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.description}"),
                            console=Console(stderr=True))
        self.bar.__enter__()
        task = self.bar.add_task("", total=self.total)
        return lambda text: self.bar.update(task, advance=1, description=text)

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.__exit__(*exc)
        return False


# --------------------------------------------------------------------------- checking

def check_results(rows: list[dict]) -> list[str]:
    """Problems that must fail the run: sat/unsat disagreements, answers contradicting the
    manifest, wrong sat answers and crashes."""
    problems = []
    answers: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        cfg = f"{r['encoding']}:{r['solver']}"
        if r["status"] in SOLVED:
            answers[r["instance"]][r["status"]].append(cfg)
            if r.get("expected") and r["status"] != r["expected"]:
                problems.append(f"{r['instance']}: {cfg} answered {r['status']} but the "
                                f"manifest expects {r['expected']}")
        elif r["status"] in ("wrong", "error"):
            problems.append(f"{r['instance']}: {cfg} {r['status']}: {r.get('detail')}")
    for inst, by_status in sorted(answers.items()):
        if len(by_status) > 1:
            problems.append(f"{inst}: disagreement: sat by {', '.join(by_status['sat'])}; "
                            f"unsat by {', '.join(by_status['unsat'])}")
    return problems


# --------------------------------------------------------------------------- reporting

def solved(row: dict, timeout: float) -> bool:
    return row["status"] in SOLVED and row["seconds"] is not None \
        and float(row["seconds"]) <= timeout


def scores(rows: list[dict], timeout: float) -> dict[str, dict]:
    """Per configuration ``ENC:SOLVER``: runs, solved, sat, unsat, PAR-2, median time."""
    by_cfg: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_cfg[f"{r['encoding']}:{r['solver']}"].append(r)
    out = {}
    for cfg, rs in by_cfg.items():
        done = [r for r in rs if solved(r, timeout)]
        times = [float(r["seconds"]) for r in done]
        out[cfg] = {"runs": len(rs), "solved": len(done),
                    "sat": sum(r["status"] == "sat" for r in done),
                    "unsat": sum(r["status"] == "unsat" for r in done),
                    "par2": sum(times) + 2 * timeout * (len(rs) - len(done)),
                    "median": statistics.median(times) if times else None}
    return out


def ranking(table: dict[str, dict]) -> list[str]:
    """Configurations, best first: most solved, then lowest PAR-2."""
    return sorted(table, key=lambda c: (-table[c]["solved"], table[c]["par2"], c))


def speed_ratio(rows: list[dict], fast: str, slow: str, timeout: float
                ) -> tuple[float | None, int]:
    """Median over instances solved by both of ``time(slow) / time(fast)``, and how many
    instances that median is over (times floored at 1 ms)."""
    t: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        if solved(r, timeout):
            t[f"{r['encoding']}:{r['solver']}"][r["instance"]] = max(float(r["seconds"]), 1e-3)
    common = sorted(set(t[fast]) & set(t[slow]))
    if not common:
        return None, 0
    return statistics.median(t[slow][i] / t[fast][i] for i in common), len(common)


def _fmt(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def markdown_table(rows: list[dict], timeout: float) -> str:
    """The summary table and the ratios of the best configuration against every other."""
    table = scores(rows, timeout)
    order = ranking(table)
    lines = ["| encoding:solver | solved | sat | unsat | PAR-2 (s) | median time of solved "
             "(s) |", "|---|---|---|---|---|---|"]
    for cfg in order:
        s = table[cfg]
        lines.append(f"| `{cfg}` | {s['solved']}/{s['runs']} | {s['sat']} | {s['unsat']} | "
                     f"{s['par2']:.1f} | {_fmt(s['median'])} |")
    best = order[0]
    lines += ["", f"Best configuration: `{best}` (most solved, then lowest PAR-2).  Speed "
              f"ratio = median over instances both solve of time(other) / time(best):", "",
              "| other | ratio | instances both solve |", "|---|---|---|"]
    for cfg in order[1:]:
        ratio, n = speed_ratio(rows, best, cfg, timeout)
        lines.append(f"| `{cfg}` | {_fmt(ratio, 2)}× | {n} |")
    return "\n".join(lines) + "\n"


#: No creation date or tool version in the files, so reruns differ only where numbers do.
_PLOT_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


def cactus_plot(rows: list[dict], timeout: float, out_base: Path) -> None:
    """``out_base.png`` and ``.svg``: per configuration, the sorted solve times against the
    number of instances solved."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = scores(rows, timeout)
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for cfg in ranking(table):
        times = sorted(float(r["seconds"]) for r in rows
                       if f"{r['encoding']}:{r['solver']}" == cfg and solved(r, timeout))
        ax.step(range(1, len(times) + 1), [max(t, 1e-3) for t in times], where="post",
                label=f"{cfg} ({len(times)})", marker=".", markersize=3)
    ax.set_yscale("log")
    ax.set_xlabel("instances solved")
    ax.set_ylabel("time per instance (s)")
    ax.set_title(f"Cactus plot (timeout {timeout:g} s)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    for ext in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, dpi=120, metadata=_PLOT_METADATA[ext])
        atomic_write_bytes(out_base.with_suffix("." + ext), buf.getvalue())
    plt.close(fig)


def write_csv(rows: list[dict], path: Path) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in sorted(rows, key=lambda r: (r["instance"], r["encoding"], r["solver"])):
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in COLUMNS})
    atomic_write_text(path, buf.getvalue())


def read_csv(path: str | Path) -> list[dict]:
    """Rows of a ``results.csv`` (empty cells as ``None``)."""
    with open(path, newline="", encoding="utf-8") as fh:
        return [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(fh)]


# --------------------------------------------------------------------------- the whole run

def _load() -> str:
    """The 1-minute load average (how busy the machine was), or ``?`` where unavailable."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def run_benchmark(folder: str | Path, pairs: list[tuple[str, str]], timeout: float,
                  jobs: int, out_dir: str | Path, memory_mb: int = 4096,
                  scheduler: str | None = None, progress: bool = True
                  ) -> tuple[list[dict], list[str]]:
    """Plan, execute, write the outputs; returns ``(rows, problems)``."""
    files = instance_files(folder)
    for f in files:
        load_instance(f)  # a bad instance is bad input (exit 2) before any run starts
    expected = expected_by_file(folder)
    runs = plan(folder, pairs)
    texts = {f.name: f.read_text(encoding="utf-8") for f in files}
    start, load_before = time.monotonic(), _load()
    rows = execute(runs, texts, timeout, memory_mb, jobs, scheduler, progress)
    load_after = _load()
    for r in rows:
        r["expected"] = expected.get(r["instance"])
        if r.get("seconds") is not None:
            r["seconds"] = round(float(r["seconds"]), 4)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(rows, out / "results.csv")
    problems = check_results(rows)
    header = (f"# Benchmark summary\n\n{len(runs)} runs over {len(texts)} instances of "
              f"`{folder}`, timeout {timeout:g} s, memory {memory_mb} MB, {jobs} jobs, "
              f"{time.monotonic() - start:.0f} s wall-clock; 1-minute load average "
              f"{load_before} before, {load_after} at the end.\n\n")
    body = markdown_table(rows, timeout)
    if problems:
        body += "\n## Problems\n\n" + "\n".join(f"* {p}" for p in problems) + "\n"
    atomic_write_text(out / "summary.md", header + body)
    cactus_plot(rows, timeout, out / "cactus")
    return rows, problems


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        sys.exit(child_main(sys.argv[2:]))
    sys.exit("usage: python -m ermsolve.bench --child ENC SOLVER TIMEOUT MEMORY_MB < inst")
