"""``ermsolve bench``: planning, the process runner on Dask, outputs and loud failures."""

import json

import pytest

from ermsolve.bench import (
    Run,
    check_results,
    configurations,
    markdown_table,
    read_csv,
    run_one,
    scores,
    speed_ratio,
)
from ermsolve.cli import main
from ermsolve.errors import UnsupportedError, UsageError
from ermsolve.families import FamilyOptions, generate, load_manifest


def test_configurations():
    assert configurations(["bv", "lia"], None) == [("bv", "z3"), ("lia", "z3")]
    assert configurations(["lia"], ["z3-bigm"]) == [("lia", "z3-bigm")]
    assert configurations(["bv", "lia"], ["lia:z3-bigm"]) == [("lia", "z3-bigm"),
                                                              ("bv", "z3")]
    assert ("lia", "z3-bigm") in configurations(["lia"], ["all"])
    assert configurations(["bv"], ["nia:z3"]) == [("nia", "z3"), ("bv", "z3")]
    with pytest.raises(UsageError):
        configurations(["bv"], ["lia:nope"])
    with pytest.raises(UsageError):
        configurations(["bv"], ["cp-sat"])
    with pytest.raises(UnsupportedError):
        configurations(["nope"], None)


def _rows(*specs):
    return [{"instance": i, "encoding": e, "solver": s, "status": st, "seconds": t,
             "expected": x} for i, e, s, st, t, x in specs]


def test_check_results_finds_disagreements_and_manifest_contradictions():
    ok = _rows(("a", "bv", "z3", "sat", 1.0, "sat"), ("a", "lia", "z3", "sat", 2.0, "sat"),
               ("b", "bv", "z3", "unknown", 9.0, None))
    assert check_results(ok) == []
    bad = ok + _rows(("a", "nia", "z3", "unsat", 1.0, "sat"))
    problems = check_results(bad)
    assert any("disagreement" in p for p in problems)
    assert any("manifest expects sat" in p for p in problems)
    assert check_results(_rows(("c", "bv", "z3", "wrong", None, None)))
    assert check_results(_rows(("c", "bv", "z3", "error", None, None)))


def test_scores_par2_and_ratio():
    rows = _rows(("a", "x", "s", "sat", 1.0, None), ("b", "x", "s", "unsat", 3.0, None),
                 ("c", "x", "s", "timeout", 10.0, None),
                 ("a", "y", "s", "sat", 10.0, None), ("b", "y", "s", "unsat", 6.0, None),
                 ("c", "y", "s", "unsat", 11.0, None))  # 11 s > timeout: not solved
    table = scores(rows, timeout=10)
    assert table["x:s"]["solved"] == 2 and table["x:s"]["par2"] == 1 + 3 + 20
    assert table["y:s"]["solved"] == 2 and table["y:s"]["median"] == 8.0
    assert speed_ratio(rows, "x:s", "y:s", 10) == (6.0, 2)  # median of 10x and 2x
    assert "`x:s`" in markdown_table(rows, 10)


def test_child_process_reports_sizes_and_memory(tmp_path):
    generate("planted", 1, 0, tmp_path, {"samples": [3]}, FamilyOptions(width=1))
    path = next(tmp_path.glob("planted-*.json"))
    row = run_one(Run(path.name, "lia", "z3"), path.read_text(), 20.0, 2048)
    assert row["status"] == "sat" and row["variables"] > 0 and row["peak_memory_mb"] > 0
    # An address-space limit too small for z3 is a memory-out (or an error), not a crash of
    # the runner.
    row = run_one(Run(path.name, "bv", "z3"), path.read_text(), 20.0, 64)
    assert row["status"] in ("memout", "error")


def _suite(tmp_path):
    folder = tmp_path / "suite"
    generate("planted", 2, 0, folder, {"samples": [3]}, FamilyOptions(width=1))
    generate("parity", 1, 0, folder, {"bits": [2]}, FamilyOptions(width=1))
    return folder


def test_bench_end_to_end(tmp_path, capsys):
    folder = _suite(tmp_path)
    out = tmp_path / "out"
    code = main(["bench", str(folder), "--encodings", "bv,brute-vec", "--solvers",
                 "lia:z3", "--timeout", "20", "--jobs", "2", "-o", str(out),
                 "--no-progress"])
    assert code == 0, capsys.readouterr().err
    rows = read_csv(out / "results.csv")
    assert len(rows) == 9
    assert {r["status"] for r in rows} <= {"sat", "unsat"}
    assert {(r["encoding"], r["solver"]) for r in rows} == {("bv", "z3"), ("lia", "z3"),
                                                            ("brute-vec", "numpy")}
    for name in ("summary.md", "cactus.png", "cactus.svg"):
        assert (out / name).stat().st_size > 0
    assert "PAR-2" in (out / "summary.md").read_text()


def test_bench_fails_loudly_on_a_wrong_manifest(tmp_path, capsys):
    folder = _suite(tmp_path)
    manifest = load_manifest(folder)
    planted = [e for e in manifest["instances"] if e["family"] == "planted"][0]
    planted["expected"] = "unsat"  # a planted instance is sat: this expectation is false
    (folder / "manifest.json").write_text(json.dumps(manifest))
    code = main(["bench", str(folder), "--encodings", "brute-vec", "--timeout", "20",
                 "--jobs", "1", "-o", str(tmp_path / "out"), "--no-progress"])
    assert code == 1
    err = capsys.readouterr().err
    assert "manifest expects unsat" in err and planted["file"] in err
    assert "Problems" in (tmp_path / "out" / "summary.md").read_text()


def test_bench_bad_folder_exit_2(tmp_path):
    assert main(["bench", str(tmp_path / "missing"), "-o", str(tmp_path / "o")]) == 2


def test_bench_on_an_existing_scheduler(tmp_path):
    # --scheduler: the same run on a cluster started elsewhere (here in-process).
    from dask.distributed import LocalCluster

    folder = tmp_path / "suite"
    generate("planted", 2, 0, folder, {"samples": [3]}, FamilyOptions(width=1))
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster:
        code = main(["bench", str(folder), "--encodings", "brute-vec", "--timeout", "20",
                     "--scheduler", cluster.scheduler_address, "-o", str(tmp_path / "out"),
                     "--no-progress"])
    assert code == 0
    assert len(read_csv(tmp_path / "out" / "results.csv")) == 2


def test_child_run_past_its_limit_is_unknown_or_timeout(tmp_path):
    # nia needs seconds on 3-bit parity; with a 0.5 s limit the run must end near the limit
    # (the backend's own limit, or the child's alarm) and never count as an error.
    generate("parity", 1, 2, tmp_path, {"bits": [3], "width": [2]},
             FamilyOptions(domain="fixed:3:1"))
    path = next(tmp_path.glob("parity-*.json"))
    row = run_one(Run(path.name, "nia", "z3"), path.read_text(), 0.5, 2048)
    assert row["status"] in ("unknown", "timeout"), row
