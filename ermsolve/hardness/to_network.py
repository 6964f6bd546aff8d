"""Compile an SLP into a layered network with ``square`` activations.

The network has one input ``x`` (the single data sample is ``x = 1``), hidden layers
``h_k = (W_k h_{k-1} + b_k)²`` for ``k = 1..D`` and an identity output
``f = W_{D+1} h_D + b_{D+1}``, every parameter fixed.  ``D`` is the multiplicative depth of
the program (:func:`ermsolve.hardness.slp.levels`).

Representation.  At layer ``k`` a register ``r`` is *available* as an affine form
``A_r^k = Σ_u c_u h_k[u] + c`` over the units of layer ``k`` (layer 0: the input, so a
``const c`` is the form ``c·x`` there; at layers ``k >= 1`` it is the bias ``c``, so
constants never occupy units).  Additions, subtractions and multiplications by a ``const``
act on forms and cost nothing.  A multiplication and the carrying of a value to the next
layer cost units (the *gadgets*, all exact identities):

* product at layer ``k`` of ``a, b`` available at ``k - 1``: units ``(A_a + A_b)²`` and
  ``(A_a - A_b)²``, and ``a·b = (u₁ - u₂)/4``;
* square (``mul r r``): one unit ``A_a²``;
* pass-through of ``r`` from layer ``k - 1`` to ``k``: units ``(A_r + 1)²`` and
  ``(A_r - 1)²``, and ``r = (u₁ - u₂)/4``.

A register defined at level ``λ(r)`` is passed through every layer up to the last layer
where a later instruction (or the output) reads it; registers the output does not depend on
are dropped.  Width of layer ``k`` = 2·(products at ``k``) + (squares at ``k``) +
2·(registers passed into ``k``) — each register takes at most two units of a layer — so
the network has ``D + 1`` affine layers and at most ``2·|SLP|`` units per layer, polynomial
in the program, while its output, the program's value, may have ``2**D`` times more bits
than any parameter.

Parameter sizes: a product or pass-through starts a fresh form with coefficients ``±1/4``
or ``1`` (denominators stay divisors of 4), and each linear instruction at most doubles the
largest coefficient or multiplies it by one of the program's constants, so every numerator
has at most ``|SLP|·(1 + B) + 3`` bits, ``B`` the largest constant's bit length.

:func:`value_instance` is the ``ermbit/1`` instance whose output at ``x = 1`` is the value;
:func:`gradient_instance` appends a layer that hides the value from the loss but exposes it
in a gradient (see its docstring).

Limitations: the instance format caps the depth at 64 affine layers and the width at 4096
(:class:`SizeLimitError` beyond, naming the limit); dense weight matrices hold
``Σ_k d_k·d_{k-1}`` entries, mostly zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

from gmpy2 import mpq

from ..errors import SizeLimitError
from ..instance import MAX_LAYERS, MAX_PARAMETERS, MAX_WIDTH, ParamRef
from ..rationals import to_str
from .slp import SLP, constant_registers, levels

#: An affine form over the units of one layer: ``({unit: coefficient}, constant)``.
Form = tuple[dict[int, mpq], mpq]

QUARTER = mpq(1, 4)


@dataclass
class CompiledNetwork:
    """The hidden layers of the compiled network and the output register's form.

    ``units[k - 1]`` lists the pre-activation forms of layer ``k`` (over layer ``k - 1``);
    ``output`` is the program's value as a form over the last hidden layer (over ``x`` when
    ``D = 0``).  ``gadgets`` counts units by purpose (``product``, ``square``, ``pass``).
    """

    units: list[list[Form]]
    output: Form
    gadgets: dict[str, int]

    @property
    def depth(self) -> int:
        """Number of hidden (``square``) layers ``D``."""
        return len(self.units)

    @property
    def widths(self) -> list[int]:
        return [1] + [len(layer) for layer in self.units]


def _add(f: Form, g: Form, sign: int = 1) -> Form:
    coeffs = dict(f[0])
    for u, c in g[0].items():
        coeffs[u] = coeffs.get(u, mpq(0)) + sign * c
    return {u: c for u, c in coeffs.items() if c != 0}, f[1] + sign * g[1]


def _scale(f: Form, c: mpq) -> Form:
    if c == 0:
        return {}, mpq(0)
    return {u: c * v for u, v in f[0].items()}, c * f[1]


def _shift(f: Form, c: mpq) -> Form:
    return dict(f[0]), f[1] + c


def compile_slp(slp: SLP) -> CompiledNetwork:
    """Schedule the program on layers and build every unit (module docstring)."""
    const = constant_registers(slp)
    lv = levels(slp)
    need = _last_needed(slp, lv, const)
    depth = lv[slp.output]

    def form_of(r: int, layer: int, table: dict[int, Form]) -> Form:
        if const[r]:
            c = mpq(slp.instrs[r].value)
            return ({0: c}, mpq(0)) if layer == 0 else ({}, c)
        return table[r]

    def linear(r: int, layer: int, table: dict[int, Form]) -> Form:
        ins = slp.instrs[r]
        a, b = ins.args
        if ins.op == "mul":  # one operand is a const: a scaling
            c, other = (a, b) if const[a] else (b, a)
            return _scale(form_of(other, layer, table), mpq(slp.instrs[c].value))
        fa, fb = form_of(a, layer, table), form_of(b, layer, table)
        return _add(fa, fb, 1 if ins.op == "add" else -1)

    prev: dict[int, Form] = {}  # register -> form over the units of the previous layer
    for r in range(len(slp)):
        if not const[r] and lv[r] == 0 and need[r] >= 0:
            prev[r] = linear(r, 0, prev)
    units: list[list[Form]] = []
    gadgets = {"product": 0, "square": 0, "pass": 0}
    for layer in range(1, depth + 1):
        here: list[Form] = []
        new: dict[int, Form] = {}
        for r in range(len(slp)):
            if const[r] or need[r] < layer or lv[r] > layer:
                continue
            ins = slp.instrs[r]
            if lv[r] < layer:
                new[r] = _gadget_pair(here, _shift(prev[r], 1), _shift(prev[r], -1))
                gadgets["pass"] += 2
            elif ins.op != "mul" or any(const[a] for a in ins.args):
                new[r] = linear(r, layer, new)
            elif ins.args[0] == ins.args[1]:
                here.append(form_of(ins.args[0], layer - 1, prev))
                new[r] = ({len(here) - 1: mpq(1)}, mpq(0))
                gadgets["square"] += 1
            else:
                fa, fb = (form_of(a, layer - 1, prev) for a in ins.args)
                new[r] = _gadget_pair(here, _add(fa, fb), _add(fa, fb, -1))
                gadgets["product"] += 2
        units.append(here)
        prev = new
    return CompiledNetwork(units, form_of(slp.output, depth, prev), gadgets)


def _gadget_pair(here: list[Form], plus: Form, minus: Form) -> Form:
    """Append units ``plus²`` and ``minus²``; return ``(plus² - minus²)/4`` as a form."""
    here += [plus, minus]
    k = len(here)
    return {k - 2: QUARTER, k - 1: -QUARTER}, mpq(0)


def _last_needed(slp: SLP, lv: list[int], const: list[bool]) -> list[int]:
    """For each register the last layer at which its form is read (-1: never)."""
    need = [-1] * len(slp)
    need[slp.output] = lv[slp.output]
    for i in range(len(slp) - 1, -1, -1):
        if need[i] < 0:
            continue
        ins = slp.instrs[i]
        product = ins.op == "mul" and not any(const[a] for a in ins.args)
        for a in ins.args:
            if not const[a]:
                need[a] = max(need[a], lv[i] - 1 if product else lv[i])
    return need


# --------------------------------------------------------------------------- instances

def _dense(form: Form, width: int) -> tuple[list[str], str]:
    row = ["0"] * width
    for u, c in form[0].items():
        row[u] = to_str(c)
    return row, to_str(form[1])


def _layers_json(net: CompiledNetwork) -> tuple[list[int], dict]:
    widths = net.widths
    fixed = {}
    for k, layer in enumerate(net.units, 1):
        rows = [_dense(f, widths[k - 1]) for f in layer]
        fixed[f"W{k}"] = [r for r, _ in rows]
        fixed[f"b{k}"] = [b for _, b in rows]
    return widths, fixed


def _check_size(layers: list[int]) -> None:
    params = sum(a * b + b for a, b in zip(layers, layers[1:]))
    if len(layers) - 1 > MAX_LAYERS:
        raise SizeLimitError(f"the network needs {len(layers) - 1} affine layers, more than "
                             f"the ermbit/1 limit of {MAX_LAYERS}")
    if max(layers) > MAX_WIDTH:
        raise SizeLimitError(f"the network needs a layer of {max(layers)} units, more than "
                             f"the ermbit/1 limit of {MAX_WIDTH}")
    if params > MAX_PARAMETERS:
        raise SizeLimitError(f"the network needs {params} parameters, more than the ermbit/1 "
                             f"limit of {MAX_PARAMETERS}")


def _instance(layers, fixed, target, loss, threshold, name) -> dict:
    return {
        "format": "ermbit/1",
        "name": name,
        "architecture": {"layers": layers, "activation": "square",
                         "output_activation": "identity"},
        "domain": {"type": "fixed", "bits": 2, "frac_bits": 0},
        "data": {"inputs": [["1"]], "targets": [[target]]},
        "loss": loss,
        "threshold": threshold,
        "fixed": fixed,
    }


def value_instance(net: CompiledNetwork, name: str = "slp-value") -> dict:
    """An ``ermbit/1`` instance (as a JSON-ready dict, every parameter fixed) whose network
    output at the sample ``x = 1`` is the program's value; squared loss against target 0."""
    widths, fixed = _layers_json(net)
    row, bias = _dense(net.output, widths[-1])
    layers = widths + [1]
    _check_size(layers)
    fixed[f"W{net.depth + 1}"] = [row]
    fixed[f"b{net.depth + 1}"] = [bias]
    return _instance(layers, fixed, "0", "squared", "0", name)


def gradient_instance(net: CompiledNetwork, name: str = "slp-gradient") -> dict:
    """An ``ermbit/1`` instance with one free parameter ``θ = b{D+1}[0]`` whose squared loss
    at the reading point ``θ₀`` does not depend on the program's value ``v`` but whose
    gradient there is ``2v``.

    Write the output form as ``v = S + c`` (``S`` the weighted sum of the last hidden
    layer's units, ``c`` its constant; ``c = 0`` whenever the output is a product).  Layer
    ``D + 1`` has two units ``g₁ = (S + θ)²`` and ``g₂ = (S + c)² = v²``, the output is
    ``f = g₁ - g₂ + 1/2`` and the target is 0.  At ``θ₀ = c``: ``f = 1/2``, so the loss is
    ``1/4`` for every program, and ``∂L/∂θ = 2·(f - 0)·∂f/∂θ = 2·(1/2)·2(S + θ₀) = 2v``.
    The domain is the set ``{c - 1, c, c + 1}`` and the threshold ``1/4`` (so ``θ₀`` solves
    the decision question).
    """
    widths, fixed = _layers_json(net)
    d = net.depth
    row, bias = _dense(net.output, widths[-1])
    layers = widths + [2, 1]
    _check_size(layers)
    fixed[f"W{d + 1}"] = [row, list(row)]
    fixed[f"b{d + 1}"] = [None, bias]
    fixed[f"W{d + 2}"] = [["1", "-1"]]
    fixed[f"b{d + 2}"] = ["1/2"]
    out = _instance(layers, fixed, "0", "squared", "1/4", name)
    c = net.output[1]
    out["domain"] = {"type": "set", "values": [to_str(c - 1), to_str(c), to_str(c + 1)]}
    return out


def theta_point(net: CompiledNetwork) -> mpq:
    """The reading point ``θ₀ = c`` of :func:`gradient_instance`."""
    return net.output[1]


def theta_ref(net: CompiledNetwork) -> ParamRef:
    """The free parameter of :func:`gradient_instance`."""
    return ParamRef(f"b{net.depth + 1}", (0,))
