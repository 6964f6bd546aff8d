"""``docs/hardness.md`` is executed: every ``python`` block (in order, one namespace) must
print exactly the ``text`` block that follows it, and every ``$ ermsolve`` line of a
``console`` block must print the lines listed under it."""

import contextlib
import io
import re
import shlex
from pathlib import Path

from ermsolve.cli import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "hardness.md"
BLOCK = re.compile(r"```(python|text|console)\n(.*?)```", re.S)


def _blocks():
    return BLOCK.findall(DOC.read_text())


def test_python_examples_print_what_the_doc_says():
    blocks = _blocks()
    namespace: dict = {}
    ran = 0
    for (kind, body), (next_kind, expected) in zip(blocks, blocks[1:] + [("", "")]):
        if kind != "python":
            continue
        assert next_kind == "text", "every python block needs its output block"
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(body, str(DOC), "exec"), namespace)
        assert out.getvalue() == expected
        ran += 1
    assert ran >= 4


def test_console_examples(capsys):
    consoles = [body for kind, body in _blocks() if kind == "console"]
    assert consoles
    for body in consoles:
        lines = body.splitlines()
        argv = shlex.split(lines[0].removeprefix("$ "))
        assert argv[0] == "ermsolve"
        assert main(argv[1:]) == 0
        printed = capsys.readouterr().out.splitlines()
        for line in lines[1:]:
            assert line in printed
