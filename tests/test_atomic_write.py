"""Every file ermsolve writes is written atomically: an interrupt or a kill during the write
never leaves a half-written file in place of a good one."""

from __future__ import annotations

import io
import re
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import ermsolve
from ermsolve import fileio
from ermsolve.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "bad_inputs" / "good.json"
OLD = "the previous, good content\n"

#: Writes a package file may do without going through ermsolve.fileio.
WRITE = re.compile(r"open\([^)]*['\"][wax]b?['\"]|\.write_text\(|\.write_bytes\(|mkstemp\(")


def test_no_writer_bypasses_fileio():
    offenders = []
    for path in Path(ermsolve.__file__).parent.rglob("*.py"):
        if path.name == "fileio.py":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if WRITE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "write through ermsolve.fileio:\n" + "\n".join(offenders)


def _interrupt_mid_write(monkeypatch):
    """Make every atomic write fail after the data is in the temporary file."""
    def boom(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "fsync", boom)


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            return main(argv)
        except SystemExit as exc:
            return exc.code


CASES = {
    "certificate": lambda d: ["solve", str(GOOD), "--certificate", str(d / "target")],
    "dimacs": lambda d: ["encode", str(GOOD), "--encoding", "cnf", "-o", str(d / "target")],
    "instance": lambda d: ["from-csv", str(d / "t.csv"), "--features", "a,b", "--positive",
                           "x", "--frac-bits", "2", "--hidden", "1", "--domain", "fixed:2:0",
                           "-o", str(d / "target")],
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_interrupted_write_keeps_the_old_file(kind, tmp_path, monkeypatch):
    (tmp_path / "t.csv").write_text("a,b,class\n1,2,x\n3,4,y\n")
    argv = CASES[kind](tmp_path)
    if kind == "dimacs":
        argv[-1] = str(tmp_path / "target.cnf")
    target = Path(argv[-1])
    target.write_text(OLD)
    _interrupt_mid_write(monkeypatch)
    assert _run(argv) == 130
    assert target.read_text() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["t.csv", target.name])
    monkeypatch.undo()
    assert _run(argv) in (0, 10, 20)  # and an undisturbed write replaces it
    assert target.read_text() != OLD


def test_manifest_and_instances_of_gen(tmp_path, monkeypatch):
    out = tmp_path / "g"
    assert _run(["gen", "planted", "-n", "1", "--seed", "1", "-o", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _interrupt_mid_write(monkeypatch)
    assert _run(["gen", "planted", "-n", "2", "--seed", "2", "-o", str(out)]) == 130
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {k: after[k] for k in before} == before  # nothing half-written replaced them
    assert not [n for n in after if n.endswith(".tmp")]


KILLED_WRITER = """
import os, sys, time
from ermsolve import fileio
def slow(fd):
    print("writing", flush=True)
    time.sleep(60)
fileio.os.fsync = slow
fileio.atomic_write_text(sys.argv[1], "x" * 1_000_000)
"""


def test_killed_writer_leaves_the_old_file(tmp_path):
    target = tmp_path / "cert.json"
    target.write_text(OLD)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"  # the data sits in the temp file
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert target.read_text() == OLD
