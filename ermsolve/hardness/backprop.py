"""Exact backpropagation: the gradient of the empirical loss with respect to every
parameter, as rationals (``gmpy2.mpq``), for every activation and loss of ``ermbit/1``.

With ``z_l = W_l h_{l-1} + b_l``, ``h_l = σ(z_l)`` (``σ`` the output activation at
``l = L``) and ``g = ∂L/∂f`` the loss's derivative with respect to the outputs of one
sample, the backward recursion is ``δ_L = g ⊙ σ_out'(z_L)``,
``δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ σ'(z_l)``, and
``∂L/∂W_l = Σ_samples δ_l h_{l-1}ᵀ``, ``∂L/∂b_l = Σ_samples δ_l``.  Every step is a ring
operation on exact rationals, so the result is the exact gradient wherever the loss is
differentiable.

Conventions where it is not (all reported in :attr:`Gradient.nonsmooth`):

* activations at a kink use :meth:`ermsolve.activations.Activation.derivative`
  (``relu'(0) = 0``, ``leaky_relu'(0) = 1``, ``hardtanh'(±1) = 0``);
* ``absolute``: ``∂|r|/∂r = sign(r)``, with ``sign(0) = 0`` at a zero residual;
* ``max_abs``: the derivative of ``|r|`` at the first residual (samples, then outputs, in
  order) of largest magnitude; differentiable when that maximizer is unique and nonzero —
  otherwise the value is the gradient of one active piece (a Clarke subgradient);
* ``zero_one``: the loss is piecewise constant, its gradient ``0`` wherever it is
  differentiable (everywhere except where some ``y·f(x) = 0``).

Cost: one forward and one backward pass, ``O(Σ_l d_l d_{l-1})`` rational operations a
sample; rows with a zero ``δ`` are skipped.  The sizes of those rationals are the subject of
``benchmarks/hardness.md``: with polynomial activations their bit lengths can double with
each layer, with piecewise-linear ones they grow additively.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gmpy2 import mpq

from ..instance import Instance, ParamRef
from ..network import Parameters

ZERO = mpq(0)


@dataclass
class Gradient:
    """The loss at the point and its gradient with respect to every parameter (fixed ones
    included) in the canonical order; ``nonsmooth`` lists each place where a convention of
    the module docstring was applied (empty: the loss is differentiable there, except for
    ``zero_one``, whose gradient is 0 a.e. and which is nonsmooth only where listed)."""

    loss: mpq
    values: dict[ParamRef, mpq]
    nonsmooth: list[str] = field(default_factory=list)

    @property
    def differentiable(self) -> bool:
        return not self.nonsmooth

    def __getitem__(self, ref: ParamRef) -> mpq:
        return self.values[ref]


def _sign(t: mpq) -> mpq:
    return mpq(1) if t > 0 else mpq(-1) if t < 0 else ZERO


def _at_kink(act, t: mpq) -> bool:
    if act.kind in ("relu", "leaky_relu"):
        return t == 0
    if act.kind == "hardtanh":
        return t in (1, -1)
    return False


def output_derivatives(kind: str, outputs, targets) -> tuple[list[list[mpq]], list[str]]:
    """``∂L/∂f_io`` for every sample ``i`` and output ``o``, and the conventions used."""
    m = len(outputs)
    res = [[f - y for f, y in zip(fo, yo)] for fo, yo in zip(outputs, targets)]
    notes: list[str] = []
    if kind == "squared":
        return [[2 * r / m for r in row] for row in res], notes
    if kind == "absolute":
        for i, row in enumerate(res):
            notes += [f"absolute loss: zero residual at sample {i} output {o}"
                      for o, r in enumerate(row) if r == 0]
        return [[_sign(r) / m for r in row] for row in res], notes
    if kind == "max_abs":
        top = max(abs(r) for row in res for r in row)
        where = [(i, o) for i, row in enumerate(res) for o, r in enumerate(row)
                 if abs(r) == top]
        grads = [[ZERO] * len(row) for row in res]
        i, o = where[0]
        grads[i][o] = _sign(res[i][o])
        if top == 0:
            notes.append("max_abs loss: every residual is zero")
        elif len(where) > 1:
            notes.append(f"max_abs loss: {len(where)} residuals of largest magnitude; "
                         f"used sample {i} output {o}")
        return grads, notes
    if kind == "zero_one":
        notes += [f"zero_one loss: y·f = 0 at sample {i}"
                  for i, (fo, yo) in enumerate(zip(outputs, targets)) if fo[0] * yo[0] == 0]
        return [[ZERO] * len(row) for row in res], notes
    raise ValueError(f"unknown loss {kind!r}")


def gradient(instance: Instance, params: Parameters) -> Gradient:
    """The exact loss and gradient of ``instance`` at the full parameters ``params`` (as
    built by :func:`ermsolve.network.assemble`); see the module docstring."""
    depth = instance.depth
    acts = [instance.activation] * (depth - 1) + [instance.output_activation]
    traces = [_forward_trace(params, acts, x) for x in instance.inputs]
    outputs = [hs[-1] for _, hs in traces]
    from ..network import loss_of_outputs

    loss = loss_of_outputs(instance.loss, outputs, instance.targets)
    dfs, notes = output_derivatives(instance.loss, outputs, instance.targets)
    gw = {f"W{k}": [[ZERO] * instance.layers[k - 1] for _ in range(instance.layers[k])]
          for k in range(1, depth + 1)}
    gb = {f"b{k}": [ZERO] * instance.layers[k] for k in range(1, depth + 1)}
    for sample, ((zs, hs), df) in enumerate(zip(traces, dfs)):
        for k in range(depth):
            notes += [f"{acts[k].name} at its kink in layer {k + 1} unit {u} "
                      f"(sample {sample})" for u, t in enumerate(zs[k]) if _at_kink(acts[k], t)]
        delta = [g * acts[-1].derivative(t) for g, t in zip(df, zs[-1])]
        for k in range(depth, 0, -1):
            _accumulate(gw[f"W{k}"], gb[f"b{k}"], delta, hs[k - 1])
            if k > 1:
                delta = _backward(params[f"W{k}"], delta, zs[k - 2], acts[k - 2])
    values = {}
    for ref in instance.all_parameters():
        table = gw if ref.name[0] == "W" else gb
        entry = table[ref.name]
        for i in ref.index:
            entry = entry[i]
        values[ref] = entry
    return Gradient(loss, values, notes)


def _forward_trace(params: Parameters, acts, x) -> tuple[list[list[mpq]], list[list[mpq]]]:
    """Pre-activations ``[z_1..z_L]`` and activations ``[h_0..h_L]`` of one sample."""
    h = [mpq(v) for v in x]
    zs, hs = [], [h]
    for k, act in enumerate(acts, 1):
        w, b = params[f"W{k}"], params[f"b{k}"]
        z = [_dot(row, h) + bi for row, bi in zip(w, b)]
        h = [act(t) for t in z]
        zs.append(z)
        hs.append(h)
    return zs, hs


def _dot(row, h) -> mpq:
    total = ZERO
    for w, v in zip(row, h):
        if w != 0 and v != 0:
            total += w * v
    return total


def _accumulate(gw: list[list[mpq]], gb: list[mpq], delta, h_prev) -> None:
    for i, d in enumerate(delta):
        if d == 0:
            continue
        gb[i] += d
        row = gw[i]
        for j, v in enumerate(h_prev):
            if v != 0:
                row[j] += d * v


def _backward(w: list[list[mpq]], delta, z_prev, act) -> list[mpq]:
    """``(Wᵀ δ) ⊙ σ'(z_prev)``."""
    back = [ZERO] * len(z_prev)
    for i, d in enumerate(delta):
        if d == 0:
            continue
        for j, wij in enumerate(w[i]):
            if wij != 0:
                back[j] += wij * d
    return [b * act.derivative(t) if b != 0 else ZERO for b, t in zip(back, z_prev)]


def gradient_at(instance: Instance, free: Mapping[ParamRef, mpq]) -> Gradient:
    """:func:`gradient` at the values ``free`` of the free parameters."""
    from ..network import assemble

    return gradient(instance, assemble(instance, free))
