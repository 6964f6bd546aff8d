"""The bad-input corpus (``tests/bad_inputs/``) on every command.

Every case must give exit code 2, exactly one line on stderr containing the expected text,
no traceback, and leave no file behind (the command runs in an empty folder that must stay
free of files, temporaries included).  Commands are looked up in the live parser, so a
command that lands later is covered as soon as it has a row in :data:`TEMPLATES`; a
registered command without a row fails :func:`test_every_command_has_a_template`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ermsolve.cli import build_parser, main

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
EXPECTED: dict[str, str] = json.loads((CORPUS / "expected.json").read_text())
GOOD = CORPUS / "good.json"

#: Per command and kind of bad input, the argv ({bad}: the bad file, {good}: the good
#: instance, {cert}: a certificate for it, {model}: a model file, {out}: a path in the
#: watched folder).  Kinds: ``instance`` (parser errors), ``size`` (valid but refused by
#: the size guard), ``certificate``, ``csv``, ``folder`` (a bench folder).
TEMPLATES: dict[str, dict[str, list[str]]] = {
    "solve": {"instance": ["solve", "{bad}", "--certificate", "{out}/c.json"],
              "size": ["solve", "{bad}", "--certificate", "{out}/c.json"]},
    "check": {"instance": ["check", "{bad}", "{cert}"],
              "certificate": ["check", "{good}", "{bad}"]},
    "count": {"instance": ["count", "{bad}"], "size": ["count", "{bad}"]},
    "optimize": {"instance": ["optimize", "{bad}"], "size": ["optimize", "{bad}"]},
    "encode": {"instance": ["encode", "{bad}", "-o", "{out}/f.cnf"],
               "size": ["encode", "{bad}", "-o", "{out}/f.cnf"]},
    "model": {"instance": ["model", "{bad}", "{model}", "--certificate", "{out}/c.json"]},
    "reduce": {"slp": ["reduce", "slp", "{bad}", "--out", "{out}/r.json"]},
    "from-csv": {"csv": ["from-csv", "{bad}", "--features", "a,b", "--positive", "x",
                         "--frac-bits", "2", "--hidden", "1", "--domain", "fixed:2:0",
                         "-o", "{out}/i.json"]},
    "bench": {"folder": ["bench", "{bad}", "-o", "{out}/bench", "--no-progress",
                         "--timeout", "5"]},
    "gen": {},  # options only, see BAD_OPTIONS
}

#: Commands whose bad input is given by options: (argv, expected text).
BAD_OPTIONS: dict[str, list[tuple[list[str], str]]] = {
    "gen": [
        (["gen", "parity", "-n", "0", "-o", "{out}/g"], "-n must be >= 1"),
        (["gen", "planted", "--width", "0:x", "-o", "{out}/g"], "--width"),
        (["gen", "planted", "--domain", "fixed:99:0", "-o", "{out}/g"], "must be in [1, 64]"),
        (["gen", "planted", "--activation", "tanh", "-o", "{out}/g"], "unknown activation"),
        (["gen", "planted", "--loss", "hinge", "-o", "{out}/g"], "unknown loss"),
        (["gen", "planted", "--threshold", "abc", "-o", "{out}/g"], "not a rational"),
        (["gen", "planted", "--samples", "0", "-o", "{out}/g"], "non-empty"),
        (["gen", "planted", "--depth", "-1", "-o", "{out}/g"], "--depth"),
        (["gen", "planted", "--width", "100000", "-o", "{out}/g"], "must be in [1, 4096]"),
        (["gen", "parity", "--bits", "4096", "-o", "{out}/g"], "--bits must be in"),
        (["gen", "nosuch", "-o", "{out}/g"], "invalid choice"),
        (["gen", "planted", "--samples", "1000000000", "-o", "{out}/g"], "exceeds the limit"),
        (["gen", "planted", "--width", "1:1000000", "-o", "{out}/g"], "sweep values exceed"),
        (["gen", "planted", "--samples", "1:10000000000000", "-o", "{out}/g"],
         "sweep values exceed"),
    ],
    "solve": [
        (["solve", "{good}", "--timeout", "-1"], "positive"),
        (["solve", "{good}", "--timeout", "nan"], "positive"),
        (["solve", "{good}", "--encoding", "nope"], "invalid choice"),
        (["solve", "{good}", "--solver", "nope"], "not on 'nope'"),
        (["solve", "{good}", "--max-clauses", "0"], "must be positive"),
        (["solve", "{good}", "--memory-limit", "1"], "at least 64 MB"),
        (["solve", "{good}", "--proof"], "--proof needs --certificate"),
        (["solve", "{good}", "--certificate", "{out}/no/such/dir/c.json"], "cannot write"),
    ],
    "reduce": [
        (["reduce", "subset-sum", "--weights", "1,x", "--target", "3"], "nonnegative integer"),
        (["reduce", "subset-sum", "--weights", "1,2", "--target", "-1"], "nonnegative"),
        (["reduce", "subset-sum", "--weights", "", "--target", "1"], "empty"),
        (["reduce", "subset-sum", "--weights", "1,2", "--target", "3", "--max-bits", "0"],
         "--max-bits"),
        (["reduce", "subset-sum", "--weights", ",".join(["9" * 11] * 200), "--target", "5"],
         "exceed the limit"),
        (["reduce", "slp", "{out}/missing.slp"], "cannot read"),
        (["reduce", "slp", "{out}"], "cannot read"),
        (["reduce", "nosuch"], "invalid choice"),
    ],
    "bench": [
        (["bench", "{good}", "-o", "{out}/b"], "not a folder"),
        (["bench", "{empty}", "-o", "{out}/b"], "no *.json instances"),
        (["bench", "{folder_good}", "--encodings", "nope", "-o", "{out}/b"], "nope"),
        (["bench", "{folder_good}", "--jobs", "0", "-o", "{out}/b"], "--jobs"),
    ],
}

SPECIAL = {"@directory": "cannot read", "@missing": "cannot read",
           "@unreadable": "cannot read"}


def _commands() -> set[str]:
    parser = build_parser()
    for action in parser._subparsers._group_actions:  # argparse keeps no public handle
        return set(action.choices)
    return set()


COMMANDS = _commands()


def _cases(kind: str) -> list[str]:
    names = [k for k in EXPECTED if k.startswith(kind + "/")]
    if kind == "instance":
        names += sorted(SPECIAL)
    return sorted(names)


@pytest.fixture(scope="module")
def good_files(tmp_path_factory):
    """A certificate and a model file for ``good.json``, and folders for bench."""
    root = tmp_path_factory.mktemp("good")
    cert = root / "good.cert.json"
    assert main(["solve", str(GOOD), "--certificate", str(cert)]) in (0, 10, 20)
    if not cert.exists():  # unsat without a proof: any certificate-shaped file will do
        cert.write_text('{"format": "ermbit-certificate/1"}')
    model = root / "model.txt"
    model.write_text("s UNKNOWN\n")
    folder = root / "folder_good"
    folder.mkdir()
    shutil.copy(GOOD, folder / "good.json")
    (root / "empty").mkdir()
    return {"cert": cert, "model": model, "folder_good": folder, "empty": root / "empty"}


def _special(name: str, tmp_path: Path) -> Path:
    if name == "@directory":
        return tmp_path
    if name == "@missing":
        return tmp_path / "missing.json"
    if os.geteuid() == 0:
        pytest.skip("running as root: a chmod 000 file is still readable")
    path = tmp_path / "unreadable.json"
    shutil.copy(GOOD, path)
    path.chmod(0)
    return path


def _folder_with(bad: Path, tmp_path: Path, manifest: bool) -> Path:
    """A bench folder holding the good instance and the bad file (as an instance, or as
    the manifest)."""
    folder = tmp_path / "benchdir"
    folder.mkdir()
    shutil.copy(GOOD, folder / "good.json")
    if bad.is_file():
        shutil.copy(bad, folder / ("manifest.json" if manifest else "bad.json"))
    return folder


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


def assert_one_line_error(code, err: str, expected: str, argv) -> None:
    assert code == 2, (argv, code, err)
    assert "Traceback" not in err, err
    assert err.count("\n") == 1 and err.endswith("\n"), (argv, err)
    assert expected in err, (argv, expected, err)


def _fill(argv, mapping) -> list[str]:
    return [a.format(**{k: str(v) for k, v in mapping.items()}) for a in argv]


def _run_case(command, kind, case, tmp_path, capsys, good_files, monkeypatch,
              manifest=False):
    if command not in COMMANDS:
        pytest.skip(f"command {command!r} is not registered (yet)")
    template = TEMPLATES[command].get(kind)
    if template is None:
        pytest.skip(f"{command} takes no {kind} input")
    if case in SPECIAL:
        bad, expected = _special(case, tmp_path), SPECIAL[case]
    else:
        bad, expected = CORPUS / case, EXPECTED[case]
    if kind == "folder":
        bad = _folder_with(bad, tmp_path, manifest)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    argv = _fill(template, {"bad": bad, "good": GOOD, "out": out, **good_files})
    start = time.perf_counter()
    code, _, err = run_cli(argv, capsys)
    assert time.perf_counter() - start < 30, f"{argv} took too long to refuse"
    assert_one_line_error(code, err, expected, argv)
    assert files_under(out) == [], f"{argv} left files behind"


COMMAND_NAMES = sorted(TEMPLATES)
#: The default suite runs every instance case on ``solve`` and ``check`` and every
#: ``SAMPLE``-th case (a different slice per command) on the others; ``-m slow`` runs all.
SAMPLE = 4


def _matrix():
    cases = _cases("instance")
    out = []
    for c, command in enumerate(COMMAND_NAMES):
        for i, case in enumerate(cases):
            full = command in ("solve", "check") or (i + c) % SAMPLE == 0
            marks = () if full else (pytest.mark.slow,)
            out.append(pytest.param(command, case, marks=marks, id=f"{command}-{case}"))
    return out


@pytest.mark.parametrize("command,case", _matrix())
def test_bad_instance(command, case, tmp_path, capsys, good_files, monkeypatch):
    _run_case(command, "instance", case, tmp_path, capsys, good_files, monkeypatch)


@pytest.mark.parametrize("case", _cases("size"))
@pytest.mark.parametrize("command", COMMAND_NAMES)
def test_size_guard(command, case, tmp_path, capsys, good_files, monkeypatch):
    _run_case(command, "size", case, tmp_path, capsys, good_files, monkeypatch)


@pytest.mark.parametrize("case", _cases("certificate"))
def test_bad_certificate(case, tmp_path, capsys, good_files, monkeypatch):
    _run_case("check", "certificate", case, tmp_path, capsys, good_files, monkeypatch)


@pytest.mark.parametrize("case", _cases("slp"))
def test_bad_slp_program(case, tmp_path, capsys, good_files, monkeypatch):
    _run_case("reduce", "slp", case, tmp_path, capsys, good_files, monkeypatch)


@pytest.mark.parametrize("case", _cases("csv"))
def test_bad_csv(case, tmp_path, capsys, good_files, monkeypatch):
    _run_case("from-csv", "csv", case, tmp_path, capsys, good_files, monkeypatch)


BENCH_CASES = ["instance/truncated.json", "instance/nan.json", "instance/non_utf8.json",
               "instance/fixed_bad_shape.json"]


@pytest.mark.parametrize("case", BENCH_CASES)
def test_bench_folder_with_bad_instance(case, tmp_path, capsys, good_files, monkeypatch):
    _run_case("bench", "folder", case, tmp_path, capsys, good_files, monkeypatch)


@pytest.mark.parametrize("case", ["instance/truncated.json", "instance/top_level_list.json",
                                  "certificate/non_utf8.json"])
def test_bench_bad_manifest(case, tmp_path, capsys, good_files, monkeypatch):
    monkeypatch.setitem(EXPECTED, case, "manifest")
    _run_case("bench", "folder", case, tmp_path, capsys, good_files, monkeypatch,
              manifest=True)


@pytest.mark.parametrize("command,index", [(c, i) for c, cases in sorted(BAD_OPTIONS.items())
                                           for i in range(len(cases))])
def test_bad_options(command, index, tmp_path, capsys, good_files, monkeypatch):
    if command not in COMMANDS:
        pytest.skip(f"command {command!r} is not registered (yet)")
    template, expected = BAD_OPTIONS[command][index]
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    argv = _fill(template, {"good": GOOD, "out": out, **good_files})
    code, _, err = run_cli(argv, capsys)
    assert_one_line_error(code, err, expected, argv)
    assert files_under(out) == [], f"{argv} left files behind"


def test_every_command_has_a_template():
    missing = sorted(COMMANDS - set(TEMPLATES))
    assert not missing, f"add bad-input templates for: {', '.join(missing)}"


def test_corpus_is_large_and_indexed():
    assert len(EXPECTED) + len(SPECIAL) >= 40
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
               if p.is_file() and p.suffix in (".json", ".csv", ".slp")
               and p.parent != CORPUS}
    assert on_disk == set(EXPECTED)


SUBPROCESS_CASES = [
    ["solve", "instance/absurd_exponent_number.json"],
    ["solve", "instance/deeply_nested.json"],
    ["solve", "size/deep_polynomial.json"],
    ["check", "instance/non_utf8.json", "good.json"],
    ["check", "good.json", "certificate/malformed.json"],
]


@pytest.mark.parametrize("argv", SUBPROCESS_CASES, ids=lambda a: "-".join(a))
def test_subprocess_has_no_traceback(argv, tmp_path):
    argv = [a if not a.endswith(".json") else str(CORPUS / a) for a in argv]
    proc = subprocess.run([sys.executable, "-m", "ermsolve.cli", *argv], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert_one_line_error(proc.returncode, proc.stderr, "ermsolve: error:", argv)
    assert files_under(tmp_path) == []
