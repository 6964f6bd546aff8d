"""The hardness chain: SLPs, the square-network compiler, exact backpropagation, and the
three counts of ``ermsolve reduce subset-sum``."""

import json
import random

import pytest
from gmpy2 import mpq, mpz
from random_instances import POLYNOMIAL, random_instance

from ermsolve.cli import main
from ermsolve.errors import ErmsolveError, InstanceError, SizeLimitError
from ermsolve.hardness import to_network
from ermsolve.hardness.backprop import gradient
from ermsolve.hardness.chain import run_chain, subset_sum_cnf
from ermsolve.hardness.slp import (
    SLP,
    Builder,
    Instr,
    SLPFormatError,
    bit_length_bounds,
    evaluate,
    evaluate_all,
    extract_bits,
    format_slp,
    parse_slp,
)
from ermsolve.hardness.subset_sum import brute_count, subset_sum_slp
from ermsolve.instance import parse_instance
from ermsolve.network import assemble, forward, loss

# --------------------------------------------------------------------------- SLPs


def random_slp(rng: random.Random, size: int, max_const: int = 5) -> SLP:
    b = Builder()
    b.const(rng.randint(-max_const, max_const))
    for _ in range(size):
        op = rng.choice(["const", "add", "sub", "mul", "mul", "mul"])
        if op == "const":
            b.const(rng.randint(-max_const, max_const))
            continue
        i, j = (rng.randrange(len(b.instrs)) for _ in range(2))
        getattr(b, op)(i, j)
    return b.build(rng.randrange(len(b.instrs)) if rng.random() < 0.3 else None)


def python_values(slp: SLP) -> list[int]:
    vals = []
    for ins in slp.instrs:
        if ins.op == "const":
            vals.append(int(ins.value))
            continue
        a, b = (vals[k] for k in ins.args)
        vals.append({"add": a + b, "sub": a - b, "mul": a * b}[ins.op])
    return vals


def test_slp_example_text():
    text = "slp/1\nr0 = const 2\nr1 = mul r0 r0   # 4\n\nr2 = add r1 r0\noutput r2\n"
    slp = parse_slp(text)
    assert evaluate(slp) == 6 and len(slp) == 3 and slp.num_mul == 1
    assert parse_slp(format_slp(slp)) == slp


def test_slp_random_roundtrip_and_values():
    rng = random.Random(1)
    for _ in range(200):
        slp = random_slp(rng, rng.randint(0, 12))
        assert parse_slp(format_slp(slp)) == slp
        vals = evaluate_all(slp)
        assert [int(v) for v in vals] == python_values(slp)
        for v, bound in zip(vals, bit_length_bounds(slp)):
            assert abs(int(v)) < 2 ** bound


def test_repeated_squaring_is_exponential():
    b = Builder()
    r = b.const(2)
    for _ in range(10):
        r = b.mul(r, r)
    slp = b.build()
    # 2·2 multiplies by a const (linear), the nine later squarings are products
    assert evaluate(slp) == 2 ** 1024 and slp.mul_depth() == 9
    with pytest.raises(SizeLimitError, match="more than the limit 1000"):
        evaluate(slp, max_bits=1000)


@pytest.mark.parametrize("text, message", [
    ("", "empty program"),
    ("r0 = const 1\n", "first line must be 'slp/1'"),
    ("slp/1\n", "at least one instruction"),
    ("slp/1\nr1 = const 1\n", "instruction 0 must define r0"),
    ("slp/1\nr0 = const 1.5\n", "one decimal integer"),
    ("slp/1\nr0 = const\n", "one decimal integer"),
    ("slp/1\nr0 = add r0 r0\n", "the first instruction must be a const"),
    ("slp/1\nr0 = const 1\nr1 = mul r0 r1\n", "not an earlier register"),
    ("slp/1\nr0 = const 1\nr1 = div r0 r0\n", "unknown operation 'div'"),
    ("slp/1\nr0 = const 1\nr1 = add r0\n", "two registers"),
    ("slp/1\nr0 = const 1\nr1 = add r0 x\n", "not a register"),
    ("slp/1\nr0 = const 1\nr1 = neg r0\n", "unknown operation"),
    ("slp/1\nr0 = const 1\noutput r3\n", "not a defined register"),
    ("slp/1\nr0 = const 1\noutput r0\nr1 = const 2\n", "nothing may follow"),
    ("slp/1\nr0 = const 1\noutput\n", "expected 'output rK'"),
    ("slp/1\nr0 == const 1\n", "expected 'r0 = OP"),
])
def test_slp_malformed_text(text, message):
    with pytest.raises(SLPFormatError, match=message) as info:
        parse_slp(text, "prog.slp")
    assert isinstance(info.value, ErmsolveError)
    if text.strip():
        assert "prog.slp" in str(info.value)


def test_slp_constructor_validates():
    with pytest.raises(SLPFormatError, match="not an earlier register"):
        SLP((Instr("const", (), mpz(1)), Instr("add", (0, 1))), 1)
    with pytest.raises(SLPFormatError, match="output"):
        SLP((Instr("const", (), mpz(1)),), 2)


def test_extract_bits():
    rng = random.Random(2)
    for _ in range(300):
        v = rng.randint(-2 ** 80, 2 ** 80)
        lo = rng.randint(0, 90)
        hi = lo + rng.randint(0, 30)
        assert extract_bits(v, lo, hi) == (v >> lo) % (1 << (hi - lo))
    with pytest.raises(ValueError):
        extract_bits(5, 3, 2)


# --------------------------------------------------------------------------- compiler


def _network_output(raw: dict):
    inst = parse_instance(raw)
    return forward(inst, assemble(inst, {}), inst.inputs[0])[0]


def test_compiled_network_equals_slp_on_random_programs():
    rng = random.Random(3)
    for _ in range(150):
        slp = random_slp(rng, rng.randint(0, 9), max_const=3)
        net = to_network.compile_slp(slp)
        value = evaluate(slp)
        assert _network_output(to_network.value_instance(net)) == value
        raw = to_network.gradient_instance(net)
        inst = parse_instance(raw)
        theta = to_network.theta_ref(net)
        assert inst.free_parameters() == [theta]
        params = assemble(inst, {theta: to_network.theta_point(net)})
        assert loss(inst, params) == mpq(1, 4)
        assert gradient(inst, params)[theta] == 2 * value


def test_gadget_counts():
    # ((2 * 3) squared) + 1 passed on to be multiplied by a level-2 value
    b = Builder()
    two, three = b.const(2), b.const(3)
    p = b.mul(two, three)          # scaling: level 0
    s = b.mul(p, p)                # square: level 1, one unit
    q = b.mul(s, p)                # product: level 2, two units; p passed once
    b.mul(q, b.add(s, b.const(1)))   # level 3; s + 1 passed once
    net = to_network.compile_slp(b.build())
    assert net.depth == 3
    assert net.gadgets == {"square": 1, "product": 4, "pass": 4}
    assert _network_output(to_network.value_instance(net)) == 216 * 37 == evaluate(b.build())


def test_depth_limit_is_refused():
    b = Builder()
    r = b.const(1)
    for _ in range(70):
        r = b.mul(r, r)
    net = to_network.compile_slp(b.build())
    with pytest.raises(SizeLimitError, match="limit of 64"):
        to_network.value_instance(net)


# --------------------------------------------------------------------------- backprop


def _degree(inst, ref) -> int:
    """Degree of the loss in the single parameter ``ref`` near a smooth point."""
    p, po = inst.activation.degree, inst.output_activation.degree
    d = po * p ** (inst.depth - ref.layer) if ref.layer < inst.depth else po
    return {"squared": 2 * d, "absolute": d, "max_abs": d, "zero_one": 0}[inst.loss]


def _with(params, ref, value):
    out = {k: [list(r) if isinstance(r, list) else r for r in v] for k, v in params.items()}
    if len(ref.index) == 2:
        out[ref.name][ref.index[0]][ref.index[1]] = value
    else:
        out[ref.name][ref.index[0]] = value
    return out


STEP = mpq(1, 2 ** 40)


def exact_difference_derivative(inst, params, ref, h=STEP) -> mpq:
    """The derivative at ``t0`` of the polynomial interpolating the loss at
    ``t0 + j·h`` (``j = 0..D``), with ``D`` the loss's degree in ``ref``: exact whenever
    the loss is a polynomial on ``[t0, t0 + D·h]`` (Newton's forward differences:
    ``p'(0) = Σ_k (-1)^(k-1)/k · Δ^k y_0`` in units of ``h``)."""
    entry = params[ref.name]
    for i in ref.index:
        entry = entry[i]
    deg = max(_degree(inst, ref), 1)
    diffs = [loss(inst, _with(params, ref, entry + j * h)) for j in range(deg + 1)]
    total = mpq(0)
    for k in range(1, deg + 1):
        diffs = [b - a for a, b in zip(diffs, diffs[1:])]
        total += mpq((-1) ** (k - 1), k) * diffs[0]
    return total / h


def test_backprop_against_exact_differences():
    rng = random.Random(4)
    checked = kinds = 0
    seen = set()
    for _ in range(250):
        inst = random_instance(rng)
        free = {r: mpq(rng.randint(-6, 6), rng.choice([1, 2, 3]))
                for r in inst.free_parameters()}
        params = assemble(inst, free)
        grad = gradient(inst, params)
        assert grad.loss == loss(inst, params)
        if not grad.differentiable:
            continue
        seen.add((inst.activation.name, inst.loss))
        for ref in inst.all_parameters():
            assert grad[ref] == exact_difference_derivative(inst, params, ref), (
                inst.to_json(), str(ref))
            checked += 1
        kinds += 1
    assert checked > 1000 and kinds > 150
    assert {a for a, _ in seen} >= {"relu", "square", "hardtanh", "identity"}
    assert {k for _, k in seen} == {"squared", "absolute", "max_abs", "zero_one"}


def _tiny(loss_name, targets, activation="relu", inputs=(("1",), ("-2",))):
    return parse_instance({
        "format": "ermbit/1",
        "architecture": {"layers": [1, 1, 1], "activation": activation},
        "domain": {"type": "fixed", "bits": 3, "frac_bits": 1},
        "data": {"inputs": [list(x) for x in inputs], "targets": targets},
        "loss": loss_name, "threshold": "0",
    })


def _params(w1, b1, w2, b2):
    return {"W1": [[mpq(w1)]], "b1": [mpq(b1)], "W2": [[mpq(w2)]], "b2": [mpq(b2)]}


def test_backprop_symbolic_square():
    # f = w2 (w1 x + b1)^2 + b2 at x = 1 only; L = (f - y)^2
    inst = _tiny("squared", [["0"]], "square", inputs=(("1",),))
    w1, b1, w2, b2 = mpq(3, 2), mpq(-1), mpq(2), mpq(1, 3)
    z = w1 + b1
    f = w2 * z ** 2 + b2
    g = gradient(inst, _params(w1, b1, w2, b2))
    by = {str(r): v for r, v in g.values.items()}
    assert by == {"W1[0][0]": 2 * f * w2 * 2 * z, "b1[0]": 2 * f * w2 * 2 * z,
                  "W2[0][0]": 2 * f * z ** 2, "b2[0]": 2 * f}
    assert g.differentiable


def test_backprop_conventions():
    # relu at its kink: z1 = 0 on the first sample
    g = gradient(_tiny("squared", [["1"], ["1"]]), _params(1, -1, 1, 0))
    assert not g.differentiable and "kink" in g.nonsmooth[0]
    # absolute loss with a zero residual
    g = gradient(_tiny("absolute", [["2"], ["0"]]), _params(1, 1, 1, 0))
    assert any("zero residual" in n for n in g.nonsmooth)
    # max_abs with a tie between the two samples: the first one is used
    g = gradient(_tiny("max_abs", [["3"], ["0"]], "identity"), _params(1, 0, 1, 0))
    assert any("2 residuals of largest magnitude" in n for n in g.nonsmooth)
    by = {str(r): v for r, v in g.values.items()}
    assert by["b2[0]"] == -1          # sign(f(1) - 3) = sign(1 - 3)
    # zero_one: zero gradient, nonsmooth only where y·f = 0
    g = gradient(_tiny("zero_one", [["1"], ["-1"]]), _params(1, 0, 1, 0))
    assert all(v == 0 for v in g.values.values())
    assert g.nonsmooth == ["zero_one loss: y·f = 0 at sample 1"]


def test_backprop_deep_polynomial_network_is_exact():
    rng = random.Random(5)
    for _ in range(20):
        inst = random_instance(rng, activations=POLYNOMIAL, losses=["squared"])
        free = {r: mpq(rng.randint(-3, 3), 2) for r in inst.free_parameters()}
        params = assemble(inst, free)
        grad = gradient(inst, params)
        for ref in inst.free_parameters():
            assert grad[ref] == exact_difference_derivative(inst, params, ref)


# --------------------------------------------------------------------------- subset sum


def _random_subset_sum(rng, max_n, max_weight):
    n = rng.randint(1, max_n)
    weights = [rng.randint(0, max_weight) for _ in range(n)]
    if rng.random() < 0.7:  # a reachable target most of the time
        target = sum(w for w in weights if rng.random() < 0.5)
    else:
        target = rng.randint(0, sum(weights) + 3)
    return weights, target


def test_subset_sum_slp_counts():
    rng = random.Random(6)
    for _ in range(150):
        weights, target = _random_subset_sum(rng, 10, 40)
        prog = subset_sum_slp(weights, target)
        value = evaluate(prog.slp)
        assert prog.read_count(value) == brute_count(weights, target)
        assert value.bit_length() == prog.value_bits
        n, big = len(weights), max(1, max(weights)).bit_length()
        assert len(prog.slp) <= 2 + big + n * (big + 1) + n


def _check_agree(weights, target):
    report = run_chain(weights, target, timeout=600)
    assert report.count_brute == brute_count(weights, target)
    assert report.network_matches_slp and report.gradient_is_twice_value
    assert report.count_gradient == report.count_counter == report.count_brute, (
        weights, target)
    return report


def test_three_counts_agree_small():
    rng = random.Random(7)
    cases = [([0], 0), ([0, 0, 0], 0), ([5], 0), ([5], 5), ([1, 2, 3], 100), ([3, 3, 3, 3], 6)]
    cases += [_random_subset_sum(rng, 10, 12) for _ in range(30)]
    nonzero = 0
    for weights, target in cases:
        nonzero += _check_agree(weights, target).count_brute > 0
    assert nonzero >= 20


@pytest.mark.slow
def test_three_counts_agree_up_to_20_weights():
    rng = random.Random(8)
    sizes = [20] * 10 + [rng.randint(12, 20) for _ in range(30)]
    for n in sizes:
        weights = [rng.randint(0, 31) for _ in range(n)]
        target = sum(w for w in weights if rng.random() < 0.5)
        _check_agree(weights, target)


def test_subset_sum_cnf_edge_cases():
    from ermsolve.counting import count_cnf

    for weights, target in [([1, 2], 4), ([0, 0], 0), ([7], 7)]:
        clauses, proj = subset_sum_cnf(weights, target)
        assert count_cnf(clauses, proj, "enumerate").count == brute_count(weights, target)


# --------------------------------------------------------------------------- command


def test_reduce_command_json(capsys):
    rc = main(["reduce", "subset-sum", "--weights", "3,5,8,2,6,1", "--target", "8", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["count_gradient"] == out["count_counter"] == out["count_brute"] == 4
    for key in ("slp_size", "network_layers", "network_parameters", "integer_bits"):
        assert key in out
    assert out["integer_bits"] == 8 * 25 + 1


def test_reduce_command_plain(capsys):
    rc = main(["reduce", "subset-sum", "--weights", "1,1,2", "--target", "2"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 0 and out[0] == "s AGREE"
    assert out[-3:] == ["count_gradient 2", "count_counter 2", "count_brute 2"]


@pytest.mark.parametrize("argv, message", [
    (["--weights", "1,2.5", "--target", "3"], "weight 2 must be a nonnegative integer"),
    (["--weights=-1,2", "--target", "3"], "weight 1 must be nonnegative"),
    (["--weights", "", "--target", "1"], "--weights is empty"),
    (["--weights", "1,,2", "--target", "1"], "weight 2 must be a nonnegative integer"),
    (["--weights", "1,2", "--target=-3"], "--target must be nonnegative"),
    (["--weights", "1,2", "--target", "x"], "--target must be a nonnegative integer"),
    (["--weights", ",".join(["1"] * 25), "--target", "3"], "limit of 24"),
    (["--weights", "2000000", "--target", "3"], "outside [0, 2**20"),
    (["--weights", "99999999999999", "--target", "3"], "nonnegative integer"),
    (["--weights", "1048576,1048576,1048576,1048576", "--target", "3"], "--max-bits"),
    (["--weights", "1,2", "--target", "1", "--max-bits", "0"], "--max-bits"),
])
def test_reduce_bad_input(argv, message, capsys):
    assert main(["reduce", "subset-sum", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_library_errors_are_ermsolve_errors():
    with pytest.raises(InstanceError):
        subset_sum_slp([], 1)
    with pytest.raises(InstanceError):
        subset_sum_slp([1, True], 1)
    with pytest.raises(InstanceError):
        brute_count([1, -1], 0)


def test_reduce_counter_timeout_is_unknown(capsys):
    weights = "3,3,3,3,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20"  # Ganak needs > 1 s
    rc = main(["reduce", "subset-sum", "--weights", weights, "--target", "50",
               "--timeout", "0.01"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 1 and out[0].startswith("s UNKNOWN")
    assert out[-3:] == ["count_gradient 1824", "count_counter unknown (timeout)",
                        "count_brute 1824"]


def test_reduce_slp_command(tmp_path, capsys):
    prog = tmp_path / "p.slp"
    prog.write_text("slp/1\nr0 = const 3\nr1 = mul r0 r0\nr2 = mul r1 r1\nr3 = sub r2 r0\n")
    out_json = tmp_path / "p.json"
    assert main(["reduce", "slp", str(prog), "--bits", "0:4", "--out", str(out_json),
                 "--gradient"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "s COMPILED" and "bits 0:4 14" in lines      # 78 = 0b1001110
    inst = parse_instance(json.loads(out_json.read_text()))
    assert [str(r) for r in inst.free_parameters()] == ["b2[0]"]
    (tmp_path / "bad.slp").write_text("slp/1\nr0 = cnst 1\n")
    assert main(["reduce", "slp", str(tmp_path / "bad.slp")]) == 2
    assert "bad.slp:2: unknown operation 'cnst'" in capsys.readouterr().err


def test_slp_parser_refuses_garbage_cleanly():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(["slp/1", "r0", "r1", "r2", "=", "const", "add", "mul", "sub",
                              "output", "-3", "12", "x", "#", "\n", " ", "1/2", "r-1"])

    @settings(max_examples=150, deadline=None)
    @given(st.lists(pieces, max_size=25))
    def check(tokens):
        text = " ".join(tokens)
        try:
            slp = parse_slp(text)
        except SLPFormatError:
            return
        assert parse_slp(format_slp(slp)) == slp

    check()


def test_compiled_sizes_within_the_documented_bounds():
    rng = random.Random(9)
    for _ in range(100):
        slp = random_slp(rng, rng.randint(0, 10), max_const=9)
        net = to_network.compile_slp(slp)
        assert net.depth == slp.mul_depth()
        assert max(net.widths) <= max(1, 2 * len(slp))
        big = max(abs(int(i.value)).bit_length() for i in slp.instrs if i.op == "const")
        for layer in net.units + [[net.output]]:
            for coeffs, const in layer:
                for c in [*coeffs.values(), const]:
                    assert 4 % c.denominator == 0
                    assert abs(c.numerator).bit_length() <= len(slp) * (1 + big) + 3
