"""Regenerate the bad-input corpus: ``python tests/bad_inputs/make_corpus.py``.

Writes one file per case under ``instance/`` (rejected by the parser), ``size/`` (valid
instances that the size guard must refuse before building anything), ``certificate/`` (bad
certificates for the good instance ``good.json``), ``csv/`` (bad tables for ``from-csv``),
``slp/`` (bad programs for ``reduce slp``), and ``expected.json``: relative path → the
substring the one error line must contain.  Paths that cannot live in git (a directory, a
missing file, an unreadable file) are made by the test itself.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

GOOD = {
    "format": "ermbit/1",
    "architecture": {"layers": [2, 1, 1], "activation": "relu"},
    "domain": {"type": "fixed", "bits": 2, "frac_bits": 0},
    "data": {"inputs": [["0", "1"], ["1", "0"]], "targets": [["1"], ["-1"]]},
    "loss": "zero_one",
    "threshold": "0",
}
GOOD_TEXT = json.dumps(GOOD, indent=1)


def _with(path: list, value) -> str:
    """GOOD with the field at ``path`` replaced (``KeyError`` deletes it)."""
    doc = copy.deepcopy(GOOD)
    target = doc
    for key in path[:-1]:
        target = target.setdefault(key, {})
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(doc, indent=1)


def _raw(field_text: str, replacement: str) -> str:
    """GOOD's text with one literal replaced (for what json.dumps cannot write)."""
    assert field_text in GOOD_TEXT
    return GOOD_TEXT.replace(field_text, replacement)


def _network(layers, samples, domain, activation="relu", loss="squared") -> str:
    d0, dl = layers[0], layers[-1]
    doc = {
        "format": "ermbit/1",
        "architecture": {"layers": layers, "activation": activation},
        "domain": domain,
        "data": {"inputs": [[str((s + i) % 3 - 1) for i in range(d0)] for s in range(samples)],
                 "targets": [["1"] * dl for _ in range(samples)]},
        "loss": loss,
        "threshold": "0",
    }
    return json.dumps(doc)


THRESHOLD = '"threshold": "0"'

INSTANCE: dict[str, tuple[str | bytes, str]] = {
    "malformed.json": ('{"format": "ermbit/1", ', "malformed JSON"),
    "truncated.json": (GOOD_TEXT[:-9], "malformed JSON"),
    "truncated_in_string.json": (GOOD_TEXT[:GOOD_TEXT.index("relu") + 2], "malformed JSON"),
    "empty_file.json": ("", "malformed JSON"),
    "whitespace_only.json": ("  \n\t\n", "malformed JSON"),
    "trailing_garbage.json": (GOOD_TEXT + "\n}", "malformed JSON"),
    "top_level_list.json": ("[1, 2]", "expected a JSON object"),
    "top_level_string.json": ('"ermbit/1"', "expected a JSON object"),
    "top_level_null.json": ("null", "expected a JSON object"),
    "wrong_format.json": (_with(["format"], "ermbit/2"), "format must be"),
    "missing_format.json": (_with(["format"], KeyError), "format must be"),
    "duplicate_key.json": ('{"format": "ermbit/1", "format": "ermbit/1"}', "duplicate key"),
    "unknown_field.json": (_with(["thresh"], "1"), "unknown field 'thresh'"),
    "unknown_domain_field.json": (_with(["domain", "signed"], True), "unknown field 'signed'"),
    "name_not_string.json": (_with(["name"], 7), "name must be a string"),
    # shapes
    "wrong_input_width.json": (_with(["data", "inputs"], [["0"], ["1", "0"]]),
                               "row of 2 values"),
    "wrong_target_count.json": (_with(["data", "targets"], [["1"]]), "expected 2 rows"),
    "targets_not_list.json": (_with(["data", "targets"], "1,-1"), "expected a list of rows"),
    "row_not_list.json": (_with(["data", "inputs"], ["0", "1"]), "expected a row of 2 values"),
    "data_not_object.json": (_with(["data"], [[0, 1]]), "expected a JSON object"),
    "empty_data.json": (_with(["data", "inputs"], []), "non-empty"),
    "empty_targets.json": (_with(["data", "targets"], []), "expected 2 rows"),
    "layers_too_short.json": (_with(["architecture", "layers"], [2]), "layers must be"),
    "layers_not_list.json": (_with(["architecture", "layers"], "2-1-1"), "layers must be"),
    "width_zero.json": (_with(["architecture", "layers"], [2, 0, 1]), "must be in [1,"),
    "huge_width.json": (_with(["architecture", "layers"], [2, 10**9, 1]), "must be in [1,"),
    "width_string.json": (_with(["architecture", "layers"], [2, "1", 1]),
                          "expected an integer"),
    "too_many_layers.json": (_with(["architecture", "layers"], [1] * 80), "layers must be"),
    "too_many_parameters.json": (_with(["architecture", "layers"], [2, 4096, 32, 1]),
                                 "parameters exceed the limit"),
    # names
    "unknown_activation.json": (_with(["architecture", "activation"], "tanh"),
                                "unknown activation"),
    "unknown_output_activation.json": (_with(["architecture", "output_activation"], "sigmoid"),
                                       "unknown activation"),
    "activation_number.json": (_with(["architecture", "activation"], 3),
                               "unknown activation '3'"),
    "activation_list.json": (_with(["architecture", "activation"], ["relu"]),
                             "activation must be a string"),
    "bad_leaky_slope.json": (_with(["architecture", "activation"], "leaky_relu:x"),
                             "not a rational"),
    "poly_too_high_degree.json": (_with(["architecture", "activation"],
                                        "poly:[" + ",".join(["1"] * 40) + "]"),
                                  "exceeds the limit"),
    "unknown_loss.json": (_with(["loss"], "hinge"), "unknown loss"),
    "unknown_domain.json": (_with(["domain"], {"type": "float"}), "unknown domain type"),
    "domain_not_object.json": (_with(["domain"], "fixed:2:0"), "expected a JSON object"),
    # bits
    "bits_zero.json": (_with(["domain", "bits"], 0), "must be in [1,"),
    "bits_negative.json": (_with(["domain", "bits"], -3), "must be in [1,"),
    "bits_too_many.json": (_with(["domain", "bits"], 65), "must be in [1, 64]"),
    "bits_absurd.json": (_raw('"bits": 2', '"bits": 1' + "0" * 60), "expected an integer"),
    "bits_fraction.json": (_raw('"bits": 2', '"bits": 2.5'), "expected an integer"),
    "bits_string.json": (_with(["domain", "bits"], "2"), "expected an integer"),
    "bits_boolean.json": (_with(["domain", "bits"], True), "expected an integer"),
    "frac_bits_negative.json": (_with(["domain", "frac_bits"], -1), "must be in [0,"),
    "missing_bits.json": (_with(["domain", "bits"], KeyError), "missing field 'bits'"),
    "rational_den_bits_zero.json": (_with(["domain"], {"type": "rational", "num_bits": 2,
                                                       "den_bits": 0}), "must be in [1,"),
    "set_empty.json": (_with(["domain"], {"type": "set", "values": []}),
                       "values must be a list of 1 to"),
    "set_duplicate_values.json": (_with(["domain"], {"type": "set", "values": ["1", "1.0"]}),
                                  "distinct"),
    "set_bad_value.json": (_with(["domain"], {"type": "set", "values": ["1", "one"]}),
                           "not a rational"),
    # numbers
    "nan.json": (_raw(THRESHOLD, '"threshold": NaN'), "NaN"),
    "infinity.json": (_raw(THRESHOLD, '"threshold": -Infinity'), "Infinity"),
    "inf_string.json": (_with(["threshold"], "inf"), "not a rational"),
    "non_rational_string.json": (_with(["data", "inputs"], [["0", "1"], ["1", "abc"]]),
                                 "not a rational"),
    "hex_string.json": (_with(["threshold"], "0x10"), "not a rational"),
    "double_slash.json": (_with(["threshold"], "1/2/3"), "not a rational"),
    "empty_string_rational.json": (_with(["threshold"], ""), "empty string"),
    "zero_denominator.json": (_with(["threshold"], "1/0"), "zero denominator"),
    "absurd_exponent_string.json": (_with(["threshold"], "1e999999999"), "more than"),
    "absurd_exponent_number.json": (_raw(THRESHOLD, '"threshold": 1e999999999'), "more than"),
    "absurd_negative_exponent.json": (_raw(THRESHOLD, '"threshold": 1e-999999999'),
                                      "denominator of more than"),
    "huge_digit_string.json": (_with(["threshold"], "9" * 5000), "too long"),
    "boolean_threshold.json": (_with(["threshold"], True), "boolean"),
    "null_threshold.json": (_with(["threshold"], None), "expected a rational"),
    "list_threshold.json": (_with(["threshold"], ["1"]), "expected a rational"),
    "missing_threshold.json": (_with(["threshold"], KeyError), "missing field 'threshold'"),
    "missing_loss.json": (_with(["loss"], KeyError), "missing field 'loss'"),
    "missing_data.json": (_with(["data"], KeyError), "missing field 'data'"),
    "missing_architecture.json": (_with(["architecture"], KeyError),
                                  "missing field 'architecture'"),
    # zero_one
    "zero_one_target_zero.json": (_with(["data", "targets"], [["1"], ["0"]]),
                                  "targets must be -1 or 1"),
    "zero_one_two_outputs.json": (json.dumps({**GOOD, "architecture": {"layers": [2, 1, 2]},
                                              "data": {"inputs": [["0", "1"]],
                                                       "targets": [["1", "1"]]}}),
                                  "one output"),
    # fixed
    "fixed_unknown_name.json": (_with(["fixed"], {"W9": [[None]]}), "unknown parameter 'W9'"),
    "fixed_bad_shape.json": (_with(["fixed"], {"W1": [[None]]}), "expected a list of 2"),
    "fixed_too_many_rows.json": (_with(["fixed"], {"W1": [[None, None], [None, None]]}),
                                 "expected 1 rows"),
    "fixed_bias_as_matrix.json": (_with(["fixed"], {"b1": [[None]]}), "expected a rational"),
    "fixed_bad_value.json": (_with(["fixed"], {"b2": ["x"]}), "not a rational"),
    "fixed_not_object.json": (_with(["fixed"], [None]), "expected a JSON object"),
    "fixed_absurd_value.json": (_with(["fixed"], {"b2": ["1e99999"]}), "more than"),
    # encodings and nesting
    "non_utf8.json": (b'{"format": "\xff\xfe"}', "not UTF-8"),
    "latin1_name.json": (GOOD_TEXT.replace('"loss"', '"name": "caf\xe9", "loss"')
                         .encode("latin-1"), "not UTF-8"),
    "utf16.json": (GOOD_TEXT.encode("utf-16"), "not UTF-8"),
    "nul_bytes.json": (b"\x00" * 64, "malformed JSON"),
    "deeply_nested.json": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
}

#: Valid instances that no command may try to build: each is refused by the size guard
#: (pre-lowering estimate) quickly, naming the option that raises the limit.
SIZE: dict[str, tuple[str, str]] = {
    "wide_network.json": (_network([4, 4096, 8, 1], 100, {"type": "fixed", "bits": 8,
                                                          "frac_bits": 2}), "--max-"),
    "deep_polynomial.json": (_network([1] * 40, 2, {"type": "fixed", "bits": 4,
                                                    "frac_bits": 0},
                                      activation="poly:[0,0,0,0,0,0,0,0,1]"), "--max-"),
    "wide_domain.json": (_network([16, 64, 1], 50, {"type": "fixed", "bits": 64,
                                                    "frac_bits": 32}), "--max-"),
}

#: Bad certificates, checked against ``good.json``.
CERTIFICATE: dict[str, tuple[str | bytes, str]] = {
    "malformed.json": ("{not json", "malformed JSON"),
    "empty.json": ("", "malformed JSON"),
    "wrong_format.json": ('{"format": "something-else"}', "not an ermbit-certificate/1"),
    "not_object.json": ('["sat"]', "not an ermbit-certificate/1"),
    "non_utf8.json": (b'{"format": "ermbit-certificate/1", "status": "\xff"}', "not UTF-8"),
    "nan_loss.json": ('{"format": "ermbit-certificate/1", "loss": NaN}', "NaN"),
    "duplicate_key.json": ('{"format": "ermbit-certificate/1", "status": "sat", '
                           '"status": "unsat"}', "duplicate key"),
}

#: Bad tables for ``from-csv`` (features a,b; label column class; positive x).
CSV: dict[str, tuple[str | bytes, str]] = {
    "empty.csv": ("", ""),
    "missing_column.csv": ("a,class\n1,x\n2,y\n", "b"),
    "non_rational_cell.csv": ("a,b,class\n1,zz,x\n2,3,y\n", "not a rational"),
    "non_utf8.csv": (b"a,b,class\n1,\xff,x\n", "UTF-8"),
    "ragged.csv": ("a,b,class\n1,2\n", ""),
}


#: Bad programs for ``reduce slp``.
SLP: dict[str, tuple[str | bytes, str]] = {
    "non_utf8.slp": (b"\xff\xfe", "not UTF-8"),
    "no_header.slp": ("garbage line\n", "first line must be 'slp/1'"),
    "empty.slp": ("", "slp"),
}


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def main() -> None:
    expected = {}
    for folder, table in (("instance", INSTANCE), ("size", SIZE),
                          ("certificate", CERTIFICATE), ("csv", CSV), ("slp", SLP)):
        for name, (content, message) in table.items():
            _write(HERE / folder / name, content)
            expected[f"{folder}/{name}"] = message
    _write(HERE / "good.json", GOOD_TEXT + "\n")
    _write(HERE / "expected.json", json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print(f"{len(expected)} cases written under {HERE}")


if __name__ == "__main__":
    main()
