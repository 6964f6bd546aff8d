"""Bad input gets one clear line on stderr and exit code 2, never a traceback."""

import json
import subprocess
import sys

import pytest
from bad_inputs.make_corpus import GOOD  # the corpus's valid instance, mutated below

from ermsolve.cli import main


def _with(path, value):
    doc = json.loads(json.dumps(GOOD))
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(doc)


CASES = {
    "malformed json": ('{"format": "ermbit/1", ', "malformed JSON"),
    "truncated": (json.dumps(GOOD)[:-7], "malformed JSON"),
    "not an object": ("[1, 2]", "expected a JSON object"),
    "wrong format": (_with(["format"], "ermbit/2"), "format must be"),
    "wrong input width": (_with(["data", "inputs"], [["0"], ["1", "0"]]), "row of 2 values"),
    "wrong target count": (_with(["data", "targets"], [["1"]]), "expected 2 rows"),
    "unknown activation": (_with(["architecture", "activation"], "tanh"),
                           "unknown activation"),
    "unknown loss": (_with(["loss"], "hinge"), "unknown loss"),
    "bits zero": (_with(["domain", "bits"], 0), "must be in [1,"),
    "bits negative": (_with(["domain", "bits"], -3), "must be in [1,"),
    "NaN": (json.dumps(GOOD).replace('"threshold": "0"', '"threshold": NaN'), "NaN"),
    "Infinity": (json.dumps(GOOD).replace('"threshold": "0"', '"threshold": Infinity'),
                 "Infinity"),
    "inf string": (_with(["threshold"], "inf"), "not a rational"),
    "zero denominator": (_with(["threshold"], "1/0"), "zero denominator"),
    "absurd exponent": (_with(["threshold"], "1e999999999"), "more than"),
    "absurd exponent as number": (json.dumps(GOOD).replace('"threshold": "0"',
                                                           '"threshold": 1e999999999'),
                                  "more than"),
    "missing loss": (_with(["loss"], KeyError), "missing field 'loss'"),
    "missing data": (_with(["data"], KeyError), "missing field 'data'"),
    "zero_one target 0": (_with(["data", "targets"], [["1"], ["0"]]),
                          "targets must be -1 or 1"),
    "zero_one two outputs": (json.dumps({**GOOD, "architecture": {"layers": [2, 1, 2]},
                                         "data": {"inputs": [["0", "1"]],
                                                  "targets": [["1", "1"]]}}), "one output"),
    "unknown domain": (_with(["domain"], {"type": "float"}), "unknown domain type"),
    "duplicate set values": (_with(["domain"], {"type": "set", "values": ["1", "1.0"]}),
                             "distinct"),
    "empty data": (_with(["data", "inputs"], []), "non-empty"),
    "layers too short": (_with(["architecture", "layers"], [2]), "layers must be"),
    "huge width": (_with(["architecture", "layers"], [2, 10**9, 1]), "must be in"),
    "boolean threshold": (_with(["threshold"], True), "boolean"),
    "bad fixed name": (_with(["fixed"], {"W9": [[None]]}), "unknown parameter"),
    "bad fixed shape": (_with(["fixed"], {"W1": [[None]]}), "expected a list of 2"),
    "unknown field": (_with(["thresh"], "1"), "unknown field"),
    "bad leaky slope": (_with(["architecture", "activation"], "leaky_relu:x"),
                        "not a rational"),
    "duplicate key": ('{"format": "ermbit/1", "format": "ermbit/1"}', "duplicate key"),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("command", ["solve", "check"])
def test_bad_instance(name, command, tmp_path, capsys):
    text, expected = CASES[name]
    path = tmp_path / "bad.json"
    path.write_text(text)
    argv = [command, str(path)] + ([str(path)] if command == "check" else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ermsolve: error: "), err
    assert expected in err


def test_non_utf8_and_unreadable(tmp_path, capsys):
    path = tmp_path / "bin.json"
    path.write_bytes(b'{"format": "\xff\xfe"}')
    assert main(["solve", str(path)]) == 2
    assert "not UTF-8" in capsys.readouterr().err
    assert main(["solve", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["solve", str(tmp_path)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_bad_certificate_file(tmp_path, capsys):
    inst = tmp_path / "i.json"
    inst.write_text(json.dumps(GOOD))
    cert = tmp_path / "c.json"
    cert.write_text("{not json")
    assert main(["check", str(inst), str(cert)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    cert.write_text('{"format": "something-else"}')
    assert main(["check", str(inst), str(cert)]) == 2


def test_bad_options_one_line(tmp_path, capsys):
    inst = tmp_path / "i.json"
    inst.write_text(json.dumps(GOOD))
    for argv in (["solve", str(inst), "--timeout", "-1"], ["solve", str(inst), "--encoding",
                                                          "nope"], ["frobnicate"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_subprocess_has_no_traceback(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(CASES["absurd exponent as number"][0])
    proc = subprocess.run([sys.executable, "-m", "ermsolve.cli", "solve", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
