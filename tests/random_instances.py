"""Random tiny instances for differential tests (every domain, loss and activation)."""

from __future__ import annotations

import random

from gmpy2 import mpq

from ermsolve.instance import parse_instance
from ermsolve.rationals import to_str

PIECEWISE_LINEAR = ["relu", "identity", "leaky_relu:1/4", "leaky_relu:-1/2", "hardtanh"]
POLYNOMIAL = ["square", "poly:[1,-1,1/2]", "poly:[0,1,0,-1]"]
LOSSES = ["squared", "absolute", "max_abs", "zero_one"]


def _rational(rng: random.Random, dens=(1, 2, 3, 4)) -> str:
    return to_str(mpq(rng.randint(-4, 4), rng.choice(dens)))


def random_domain(rng: random.Random) -> dict:
    kind = rng.choice(["fixed", "rational", "set"])
    if kind == "fixed":
        return {"type": "fixed", "bits": rng.randint(1, 3), "frac_bits": rng.randint(0, 2)}
    if kind == "rational":
        return {"type": "rational", "num_bits": rng.randint(1, 2), "den_bits": rng.randint(1, 2)}
    size = rng.randint(1, 4)
    values = sorted({_rational(rng) for _ in range(size)}, key=lambda s: mpq(s))
    return {"type": "set", "values": values}


def random_instance_dict(rng: random.Random, activations=None, losses=None,
                         max_free: int = 4) -> dict:
    """A random ``ermbit/1`` dict with at most ``max_free`` free parameters (some
    parameters are fixed to keep brute force cheap)."""
    activations = activations or PIECEWISE_LINEAR + POLYNOMIAL
    loss = rng.choice(losses or LOSSES)
    d0 = rng.randint(1, 2)
    hidden = [rng.randint(1, 2)] if rng.random() < 0.7 else []
    if rng.random() < 0.15:
        hidden = [1, 1]
    d_out = 1 if loss == "zero_one" else rng.randint(1, 2)
    layers = [d0, *hidden, d_out]
    m = rng.randint(1, 3)
    inputs = [[_rational(rng) for _ in range(d0)] for _ in range(m)]
    if loss == "zero_one":
        targets = [[rng.choice(["-1", "1"])] for _ in range(m)]
    else:
        targets = [[_rational(rng) for _ in range(d_out)] for _ in range(m)]
    domain = random_domain(rng)
    # Fix random parameters until at most max_free stay free.
    shapes = {}
    for layer in range(1, len(layers)):
        shapes[f"W{layer}"] = (layers[layer], layers[layer - 1])
        shapes[f"b{layer}"] = (layers[layer],)
    slots = [(k, idx) for k, shp in shapes.items()
             for idx in ([(r, c) for r in range(shp[0]) for c in range(shp[1])]
                         if len(shp) == 2 else [(r,) for r in range(shp[0])])]
    rng.shuffle(slots)
    fixed = {}
    for name, idx in slots[max_free:]:
        shp = shapes[name]
        if name not in fixed:
            fixed[name] = ([[None] * shp[1] for _ in range(shp[0])] if len(shp) == 2
                           else [None] * shp[0])
        value = _rational(rng, dens=(1, 2))
        if len(idx) == 2:
            fixed[name][idx[0]][idx[1]] = value
        else:
            fixed[name][idx[0]] = value
    threshold = to_str(mpq(rng.randint(0, 12), rng.choice([1, 2, 4, 8])))
    if loss == "zero_one":
        threshold = to_str(mpq(rng.randint(0, m), m))
    inst = {
        "format": "ermbit/1",
        "architecture": {"layers": layers, "activation": rng.choice(activations),
                         "output_activation": rng.choice(["identity"] * 3 + activations)},
        "domain": domain,
        "data": {"inputs": inputs, "targets": targets},
        "loss": loss,
        "threshold": threshold,
    }
    if fixed:
        inst["fixed"] = fixed
    return inst


def random_instance(rng: random.Random, **kw):
    return parse_instance(random_instance_dict(rng, **kw))
