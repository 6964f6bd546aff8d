"""Examples in the documentation are executed, so they cannot drift."""

import json
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


def test_readme_api_example_runs():
    blocks = _python_blocks(ROOT / "README.md")
    assert blocks
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)


def test_format_example_is_a_valid_instance():
    from ermsolve import parse_instance
    from ermsolve.instance import loads_json

    text = (ROOT / "docs" / "format.md").read_text()
    example = re.search(r"```json\n(\{\n  \"format\": \"ermbit/1\".*?)```", text, re.S).group(1)
    inst = parse_instance(loads_json(example))
    assert inst.layers == (2, 2, 1) and json.dumps(inst.to_json())


def test_readme_lists_every_encoding_and_solver():
    from ermsolve.registry import ENCODINGS

    text = (ROOT / "README.md").read_text()
    for entry in ENCODINGS.values():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{entry.name}` |")),
                   None)
        assert row is not None, f"README has no row for encoding {entry.name}"
        assert ", ".join(entry.solvers) in row and (", ".join(entry.proofs) or "–") in row
