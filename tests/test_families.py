"""``ermsolve gen``: determinism, the manifest and the known answers of the families."""

import json
import subprocess
from pathlib import Path

import pytest

from ermsolve.brute import brute_force
from ermsolve.cli import main
from ermsolve.errors import UsageError
from ermsolve.families import FamilyOptions, expected_by_file, generate, load_manifest, parse_sweep
from ermsolve.instance import load_instance
from ermsolve.solve import solve


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_parse_sweep():
    assert parse_sweep("3", "--w") == [3]
    assert parse_sweep("2:5", "--w") == [2, 3, 4, 5]
    assert parse_sweep("2:8:3", "--w") == [2, 5, 8]
    assert parse_sweep("1,4", "--w") == [1, 4]
    for bad in ("x", "1:2:0", "", "-1", "1:2:3:4"):
        with pytest.raises(UsageError):
            parse_sweep(bad, "--w")


@pytest.mark.parametrize("family,argv", [
    ("parity", ["--bits", "2:3", "--width", "1"]),
    ("planted", ["--samples", "3:4", "--width", "1"]),
    ("random-labels", ["--samples", "5", "--width", "1"]),
    ("real", ["--samples", "4:6:2", "--width", "1"]),
])
def test_gen_is_deterministic(tmp_path, family, argv):
    for name in ("a", "b"):
        assert main(["gen", family, "-n", "2", "--seed", "7", "-o", str(tmp_path / name),
                     *argv]) == 0
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert main(["gen", family, "-n", "2", "--seed", "8", "-o", str(tmp_path / "c"),
                 *argv]) == 0
    if family != "parity":  # parity of 2 and 3 bits has few variants; others must differ
        assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_manifest_expected_statuses_are_right(tmp_path):
    opts = FamilyOptions(width=1)
    generate("planted", 3, 1, tmp_path, {"samples": [3]}, opts)
    generate("random-labels", 3, 1, tmp_path, {"samples": [4]}, opts)
    generate("parity", 1, 1, tmp_path, {"bits": [2]}, FamilyOptions(width=2))
    manifest = load_manifest(tmp_path)
    assert manifest["format"] == "ermsolve-manifest/1"
    entries = manifest["instances"]
    assert len(entries) == 7
    assert len({e["file"] for e in entries}) == 7
    for e in entries:
        inst = load_instance(tmp_path / e["file"])
        assert e["sha256"] == inst.sha256()
        if e["family"] == "planted":
            assert (e["expected"], e["source"]) == ("sat", "planted")
        assert e["expected"] in ("sat", "unsat"), e
        assert e["expected"] == ("sat" if brute_force(inst).satisfiable else "unsat")
        result = solve(inst, "bv")
        assert result.status.value == e["expected"]


def test_planted_teacher_fits_exactly(tmp_path):
    for loss_name in ("squared", "max_abs", "zero_one"):
        out = tmp_path / loss_name
        generate("planted", 2, 3, out, {"samples": [5]},
                 FamilyOptions(width=2, loss=loss_name, domain="set:-1,0,1/2,1"))
        for name, expected in expected_by_file(out).items():
            inst = load_instance(out / name)
            assert expected == "sat" and inst.loss == loss_name
            assert solve(inst, "bv").status.value == "sat"


def test_manifest_merges_runs(tmp_path):
    generate("planted", 2, 1, tmp_path, {"samples": [3]}, FamilyOptions(width=1))
    generate("planted", 2, 1, tmp_path, {"samples": [3]}, FamilyOptions(width=1))
    generate("random-labels", 1, 1, tmp_path, {"samples": [3]}, FamilyOptions(width=1))
    assert len(load_manifest(tmp_path)["instances"]) == 3
    data = json.loads((tmp_path / "manifest.json").read_text())
    assert [e["file"] for e in data["instances"]] == sorted(e["file"]
                                                           for e in data["instances"])


def test_real_family_grows_subsets(tmp_path):
    generate("real", 1, 0, tmp_path, {"samples": [4, 8], "width": [1]}, FamilyOptions())
    sizes = sorted(load_instance(p).num_samples for p in tmp_path.glob("real-*.json"))
    assert sizes == [4, 8]


def test_gen_bad_options_exit_2(tmp_path, capsys):
    assert main(["gen", "parity", "--bits", "x", "-o", str(tmp_path)]) == 2
    assert "--bits" in capsys.readouterr().err
    assert main(["gen", "planted", "-n", "0", "-o", str(tmp_path)]) == 2


ROOT = Path(__file__).resolve().parent.parent


def test_committed_suite_matches_its_manifest():
    suite = ROOT / "benchmarks" / "suite"
    manifest = load_manifest(suite)
    files = sorted(p.name for p in suite.glob("*.json") if p.name != "manifest.json")
    assert files == [e["file"] for e in manifest["instances"]]
    assert len(files) >= 60
    assert {e["family"] for e in manifest["instances"]} == {"parity", "planted",
                                                             "random-labels", "real"}
    for e in manifest["instances"]:
        assert load_instance(suite / e["file"]).sha256() == e["sha256"]


@pytest.mark.slow
def test_make_suite_reproduces_the_committed_suite(tmp_path):
    subprocess.run(["sh", str(ROOT / "benchmarks" / "make_suite.sh"), str(tmp_path / "s")],
                   check=True, cwd=ROOT, capture_output=True)
    assert _files(tmp_path / "s") == _files(ROOT / "benchmarks" / "suite")
