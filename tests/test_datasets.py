"""Exact tests of the CSV-to-instance converter (ermsolve.datasets)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from gmpy2 import mpq

from ermsolve.datasets import (
    add_parser,
    csv_to_instance,
    format_json,
    parse_domain,
    quantize,
    round_half_even,
    select_rows,
)
from ermsolve.errors import InstanceError

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data"

TINY = """a,b,kind
0.15,1,cat
0.1875,-2.5,dog
0.3125,3/4,cat
-0.0625,1e-1,bird
0.5,0,dog
-0.1875,2,cat
"""

FIXED = {"type": "fixed", "bits": 3, "frac_bits": 1}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY)
    return path


def convert(path, **kw):
    args = {"features": ["a", "b"], "label_column": "kind", "positive": "cat",
            "negative": "dog", "frac_bits": 3, "layers_hidden": [2], "domain": FIXED}
    args.update(kw)
    return csv_to_instance(path, **args)


@pytest.mark.parametrize("q, k", [
    (mpq(1, 2), 0), (mpq(3, 2), 2), (mpq(5, 2), 2), (mpq(-1, 2), 0), (mpq(-3, 2), -2),
    (mpq(-5, 2), -2), (mpq(6, 5), 1), (mpq(-6, 5), -1), (mpq(7, 5), 1), (mpq(-8, 5), -2),
    (mpq(4), 4), (mpq(-4), -4), (mpq(0), 0),
])
def test_round_half_even(q, k):
    assert round_half_even(q) == k


def test_quantize_grid_and_scale():
    assert quantize(mpq(3, 20), 3) == mpq(1, 8)       # 1.2 -> 1
    assert quantize(mpq(3, 16), 3) == mpq(1, 4)       # 1.5 -> 2 (tie, even)
    assert quantize(mpq(5, 16), 3) == mpq(1, 4)       # 2.5 -> 2 (tie, even)
    assert quantize(mpq(-1, 16), 3) == 0              # -0.5 -> 0 (tie, even)
    assert quantize(mpq(51, 10), 0) == 5
    assert quantize(mpq(51, 10), 1, mpq(1, 2)) == mpq(5, 2)  # 2.55 * 2 = 5.1 -> 5


def test_tiny_instance_exact(tiny):
    inst = convert(tiny)
    assert inst["format"] == "ermbit/1"
    assert inst["name"] == "tiny_cat_vs_dog"
    assert inst["architecture"] == {"layers": [2, 2, 1], "activation": "relu",
                                    "output_activation": "identity"}
    assert inst["domain"] == FIXED
    assert inst["loss"] == "zero_one" and inst["threshold"] == "0"
    # rows 0, 2, 5 are cat (+1), rows 1, 4 dog (-1); bird (row 3) is dropped.
    assert inst["data"]["inputs"] == [["1/8", "1"], ["1/4", "-5/2"], ["1/4", "3/4"],
                                      ["1/2", "0"], ["-1/4", "2"]]
    assert inst["data"]["targets"] == [["1"], ["-1"], ["1"], ["-1"], ["1"]]


def test_negative_none_means_all_other_classes(tiny):
    inst = convert(tiny, negative=None, features=["a"], frac_bits=4)
    assert inst["name"] == "tiny_cat_vs_rest"
    assert inst["data"]["targets"] == [["1"], ["-1"], ["1"], ["-1"], ["-1"], ["1"]]
    assert inst["data"]["inputs"] == [["1/8"], ["3/16"], ["5/16"],
                                      ["-1/16"], ["1/2"], ["-3/16"]]


def test_scale_applied_before_rounding(tiny):
    inst = convert(tiny, features=["b"], frac_bits=0, scale="1/2", rows="all")
    # b * 1/2 = 1/2, -5/4, 3/8, 0, 1 -> 0, -1, 0, 0, 1
    assert inst["data"]["inputs"] == [["0"], ["-1"], ["0"], ["0"], ["1"]]


def test_rows_alternate_positive_first(tiny):
    targets = {0: "1", 1: "-1", 2: "1", 4: "-1", 5: "1"}
    assert select_rows(targets, 4) == [0, 1, 2, 4]
    assert select_rows(targets, 5) == [0, 1, 2, 4, 5]
    assert select_rows(targets, 1) == [0]
    assert select_rows(targets, "all") == [0, 1, 2, 4, 5]
    assert select_rows(targets, row_indices=[4, 0]) == [4, 0]
    seeded = select_rows(targets, 4, seed=7)
    assert seeded == select_rows(targets, 4, seed=7)
    assert [targets[i] for i in seeded] == ["1", "-1", "1", "-1"]


def test_row_indices_in_instance(tiny):
    inst = convert(tiny, row_indices=[5, 1])
    assert inst["data"]["inputs"] == [["-1/4", "2"], ["1/4", "-5/2"]]
    assert inst["data"]["targets"] == [["1"], ["-1"]]


@pytest.mark.parametrize("spec, domain", [
    ("fixed:3:1", {"type": "fixed", "bits": 3, "frac_bits": 1}),
    ("rational:2:2", {"type": "rational", "num_bits": 2, "den_bits": 2}),
    ("set:1,-1,0,0.5", {"type": "set", "values": ["-1", "0", "1/2", "1"]}),
])
def test_parse_domain(spec, domain):
    assert parse_domain(spec) == domain


@pytest.mark.parametrize("spec", ["fixd:3:1", "fixed:3", "fixed:0:1", "fixed:a:1",
                                  "rational:2:0", "set:", "set:1,x", "fixed:-3:1"])
def test_bad_domain_spec(spec):
    with pytest.raises(InstanceError, match="domain"):
        parse_domain(spec)


@pytest.mark.parametrize("kw, pattern", [
    ({"features": ["a", "zz"]}, "no column 'zz'"),
    ({"features": []}, "at least one feature"),
    ({"features": ["a", "a"]}, "listed twice"),
    ({"features": ["kind"]}, "label column"),
    ({"label_column": "klass"}, "no column 'klass'"),
    ({"positive": "cow"}, "no row has class 'cow'"),
    ({"negative": "cow"}, "no row has class 'cow'"),
    ({"negative": "cat"}, "both 'cat'"),
    ({"rows": 0}, "positive integer"),
    ({"rows": 6}, "only 5"),
    ({"row_indices": []}, "empty"),
    ({"row_indices": [3]}, "data row 3 is missing or of neither class"),
    ({"row_indices": [0, 0]}, "selected twice"),
    ({"loss": "hinge"}, "unknown loss"),
    ({"threshold": "-1"}, "threshold must be >= 0"),
    ({"scale": "0"}, "scale must be positive"),
    ({"activation": "tanh"}, "unknown activation"),
    ({"layers_hidden": [0]}, "hidden widths"),
    ({"frac_bits": -1}, "frac_bits"),
])
def test_bad_arguments(tiny, kw, pattern):
    with pytest.raises(InstanceError, match=pattern):
        convert(tiny, **kw)


def test_non_numeric_cell_names_file_row_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,kind\n1,2,cat\n1,oops,dog\n")
    with pytest.raises(InstanceError) as info:
        convert(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 3 (data row 1)" in message and "column 'b'" in message


def test_missing_empty_and_ragged_files(tmp_path):
    with pytest.raises(InstanceError, match="cannot read CSV"):
        convert(tmp_path / "absent.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InstanceError, match="empty"):
        convert(empty)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,kind\n1,2\n")
    with pytest.raises(InstanceError, match="line 2 has 2 cells"):
        convert(ragged)


def parse_cli(argv):
    parser = argparse.ArgumentParser(prog="ermsolve")
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_cli_writes_json(tiny, tmp_path):
    out = tmp_path / "out.json"
    args = parse_cli(["from-csv", str(tiny), "--features", "a,b", "--label-column", "kind",
                      "--positive", "cat", "--negative", "dog", "--rows", "2",
                      "--frac-bits", "3", "--hidden", "2,1", "--domain", "set:-1,1",
                      "--loss", "squared", "--threshold", "0.25", "--name", "t",
                      "-o", str(out)])
    assert args.func(args) == 0
    inst = json.loads(out.read_text())
    assert inst["name"] == "t"
    assert inst["architecture"]["layers"] == [2, 2, 1, 1]
    assert inst["domain"] == {"type": "set", "values": ["-1", "1"]}
    assert inst["loss"] == "squared" and inst["threshold"] == "1/4"
    assert inst["data"] == {"inputs": [["1/8", "1"], ["1/4", "-5/2"]],
                            "targets": [["1"], ["-1"]]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "tiny.csv"]  # no temp
    assert out.stat().st_mode & 0o777 == 0o644
    assert '    ["1/8", "1"],' in out.read_text()  # one data row per line


def test_format_json_round_trips():
    obj = {"a": [[1, "2"], []], "b": {}, "c": [], "d": {"e": [{"f": None}], "g": "h"}}
    assert json.loads(format_json(obj)) == obj


@pytest.mark.parametrize("option, value, pattern", [
    ("--rows", "many", "--rows"),
    ("--hidden", "2,x", "--hidden"),
    ("--domain", "fixed:3", "--domain"),
])
def test_cli_bad_options(tiny, option, value, pattern):
    argv = ["from-csv", str(tiny), "--features", "a", "--label-column", "kind",
            "--positive", "cat", "--frac-bits", "1", "--hidden", "1", "--domain", "fixed:3:1"]
    argv += [option, value]
    args = parse_cli(argv)
    with pytest.raises(InstanceError, match=pattern):
        args.func(args)


def test_bundled_iris_and_wine_shapes():
    iris = (DATA / "iris.csv").read_text().splitlines()
    wine = (DATA / "wine.csv").read_text().splitlines()
    assert iris[0] == "sepal_length,sepal_width,petal_length,petal_width,class"
    assert len(iris) == 151 and len(wine) == 179
    assert iris[1] == "5.1,3.5,1.4,0.2,setosa"
    assert wine[0].split(",")[-1] == "class" and len(wine[0].split(",")) == 14


def test_iris_instance_is_balanced():
    inst = csv_to_instance(DATA / "iris.csv", features=["sepal_length", "sepal_width"],
                           positive="setosa", negative="versicolor", rows=8, frac_bits=1,
                           layers_hidden=[2], domain=FIXED)
    assert inst["data"]["inputs"][:2] == [["5", "7/2"], ["7", "3"]]  # rows 0 and 50
    assert [t[0] for t in inst["data"]["targets"]] == ["1", "-1"] * 4
