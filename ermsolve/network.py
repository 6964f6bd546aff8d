"""Exact forward pass and empirical loss over ``gmpy2.mpq``.

``Parameters`` maps ``W{l}`` to a list of rows and ``b{l}`` to a list, every entry a
rational, for ``l = 1..L``.  The network is ``h0 = x``, ``h_l = act(W_l h_{l-1} + b_l)`` for
``l < L`` and ``f(x) = out_act(W_L h_{L-1} + b_L)``.

Losses (m samples, outputs ``o``): ``squared`` = (1/m) Σ_i Σ_o (f_o(x_i) - y_io)²;
``absolute`` = (1/m) Σ_i Σ_o |f_o(x_i) - y_io|; ``max_abs`` = max_i,o |f_o(x_i) - y_io|;
``zero_one`` = (1/m) · #{i : y_i · f(x_i) <= 0} (a zero output counts as an error).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gmpy2 import mpq

from .instance import Instance, ParamRef

Parameters = dict[str, list]


def assemble(instance: Instance, free: Mapping[ParamRef, mpq]) -> Parameters:
    """Full parameters from the values of the free ones (fixed entries filled in)."""
    params: Parameters = {}
    for name in instance.parameter_names():
        shape = instance.shape(name)
        if len(shape) == 2:
            params[name] = [[None] * shape[1] for _ in range(shape[0])]
        else:
            params[name] = [None] * shape[0]
    for ref in instance.all_parameters():
        fixed = instance.fixed_value(ref)
        value = fixed if fixed is not None else free[ref]
        if len(ref.index) == 2:
            params[ref.name][ref.index[0]][ref.index[1]] = mpq(value)
        else:
            params[ref.name][ref.index[0]] = mpq(value)
    return params


def preactivations(instance: Instance, params: Parameters, x: Sequence[mpq]) -> list[list]:
    """``[z_1, ..., z_L]``: the affine outputs of every layer for the input ``x``."""
    h = [mpq(v) for v in x]
    zs = []
    for layer in range(1, instance.depth + 1):
        w, b = params[f"W{layer}"], params[f"b{layer}"]
        z = [sum((wij * hj for wij, hj in zip(row, h)), mpq(0)) + bi for row, bi in zip(w, b)]
        zs.append(z)
        act = instance.activation if layer < instance.depth else instance.output_activation
        h = [act(t) for t in z]
    return zs


def forward(instance: Instance, params: Parameters, x: Sequence[mpq]) -> list[mpq]:
    """The network output ``f(x)``."""
    z = preactivations(instance, params, x)[-1]
    return [instance.output_activation(t) for t in z]


def loss(instance: Instance, params: Parameters) -> mpq:
    """The exact empirical loss of ``params`` on the instance's data."""
    outputs = [forward(instance, params, x) for x in instance.inputs]
    return loss_of_outputs(instance.loss, outputs, instance.targets)


def loss_of_outputs(kind: str, outputs: Sequence[Sequence[mpq]],
                    targets: Sequence[Sequence[mpq]]) -> mpq:
    """The loss ``kind`` of network outputs against targets (see the module docstring)."""
    m = len(outputs)
    if kind == "squared":
        return sum(((f - y) ** 2 for fo, yo in zip(outputs, targets) for f, y in zip(fo, yo)),
                   mpq(0)) / m
    if kind == "absolute":
        return sum((abs(f - y) for fo, yo in zip(outputs, targets) for f, y in zip(fo, yo)),
                   mpq(0)) / m
    if kind == "max_abs":
        return max(abs(f - y) for fo, yo in zip(outputs, targets) for f, y in zip(fo, yo))
    if kind == "zero_one":
        errors = sum(1 for fo, yo in zip(outputs, targets) if yo[0] * fo[0] <= 0)
        return mpq(errors, m)
    raise ValueError(f"unknown loss {kind!r}")
