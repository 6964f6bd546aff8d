"""Instance families for benchmarks: generated, deterministic for a seed, with known answers
where they can be known.

Families (``ermsolve gen FAMILY``):

* ``parity`` — inputs: all ``2**n`` vectors of ``{0, 1}**n`` (``n = --bits``); target ``1``
  when the bits of a support set ``S`` have odd parity, else ``-1``; ``zero_one`` loss,
  threshold 0.  Instance 0 of a group uses the full parity (``S`` = all bits, i.e. XOR for
  ``n = 2``); later ones a random support of at least two bits.  Network ``[n, w.., 1]``.
* ``planted`` — a teacher network with parameters drawn from the domain labels random inputs
  (integers in ``[-2, 2]``); ``squared`` / ``absolute`` / ``max_abs`` targets are the
  teacher's exact outputs, ``zero_one`` targets its signs (inputs where it outputs 0 are
  redrawn).  At threshold 0 the teacher itself is a solution: **sat is known**.
* ``random-labels`` — random inputs, labels ``±1`` by a fair coin, ``zero_one`` loss,
  threshold 0; mostly unsat for small networks and many samples.
* ``real`` — growing subsets of the bundled real data (``benchmarks/data``, Iris or Wine):
  ``m`` rows (``--samples``) alternating between the two classes, built by
  :func:`ermsolve.datasets.csv_to_instance`; instance ``i > 0`` of a group shuffles each class
  with a seed derived from ``--seed`` first.

Sweeps.  ``--width``, ``--depth``, ``--bits`` and ``--samples`` each take a value ``3``, a
range ``2:5`` (inclusive) or ``2:8:2``, or a list ``1,3,4``; ``gen`` makes ``-n`` instances for
every combination.  ``--width`` is the hidden width, ``--depth`` the number of hidden layers
(0: a linear model), ``--bits`` the number of input bits for ``parity`` and the bits of the
fixed-point weight domain (``fixed:BITS:0``) for the other families unless ``--domain`` is
given, ``--samples`` the number of training rows (``parity`` uses all ``2**n`` rows).

Determinism.  Instance ``i`` of a combination is drawn by ``random.Random`` seeded with the
text ``"{seed}/{family}/{combination}/{i}"`` (string seeds are hashed by SHA-512, so the same
on every platform and run); files are written in a canonical JSON layout.

Manifest.  ``DIR/manifest.json`` lists every instance with its SHA-256 and ``expected``:
``"sat"`` for planted instances, otherwise the answer of exhaustive enumeration when the
grid is small — :func:`ermsolve.brute.brute_force` (the exact forward pass, independent of the
circuit) up to ``--brute-points`` assignments, else the vectorized grid search of
:mod:`ermsolve.encodings.grid` up to ``--grid-points`` — and ``null`` when unknown.
Generating into a folder that has a manifest adds to it (an entry with the same file name is
replaced), so a suite can be built from several ``gen`` runs.
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from gmpy2 import mpq

from .datasets import csv_to_instance, format_json, parse_domain
from .errors import InstanceError, UsageError
from .fileio import atomic_write_text
from .instance import MAX_ROWS, Instance, parse_instance
from .network import assemble, forward
from .rationals import to_str

FAMILIES = ("parity", "planted", "random-labels", "real")
MANIFEST = "manifest.json"
MANIFEST_FORMAT = "ermsolve-manifest/1"
DATA_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data"

#: Features used by the ``real`` family: (csv, positive, negative, features).
REAL_DATA = {
    "iris": ("iris.csv", "setosa", "versicolor", ["petal_length", "petal_width"]),
    "iris-hard": ("iris.csv", "versicolor", "virginica", ["petal_length", "petal_width"]),
    "wine": ("wine.csv", "class_0", "class_1", ["alcohol", "flavanoids"]),
}


@dataclass
class FamilyOptions:
    """Options of one ``gen`` run (one value per sweep option; see :func:`combinations`)."""

    width: int = 2
    depth: int = 1
    bits: int | None = None
    samples: int = 4
    inputs: int = 2
    domain: str | None = None
    activation: str = "relu"
    loss: str | None = None
    threshold: str = "0"
    dataset: str = "iris"
    frac_bits: int = 1
    extra: dict = field(default_factory=dict)


#: Most values one sweep option may list.
MAX_SWEEP_VALUES = 1000


def parse_sweep(text: str, option: str) -> list[int]:
    """``"3"`` → [3]; ``"2:5"`` → [2, 3, 4, 5]; ``"2:8:2"`` → [2, 4, 6, 8]; ``"1,3"`` → [1, 3]."""
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] <= 0):
                raise ValueError
            step = parts[2] if len(parts) == 3 else 1
            values = range(parts[0], parts[1] + 1, step)
        else:
            values = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise UsageError(f"{option}: expected N, LO:HI, LO:HI:STEP or a comma list, got "
                         f"{text!r}") from None
    # Checked before anything is generated (a billion rows or a million sweep points would
    # run out of memory first); the length first, as min/max walk the whole range.
    if len(values) > MAX_SWEEP_VALUES:
        raise UsageError(f"{option}: {len(values)} sweep values exceed the limit "
                         f"{MAX_SWEEP_VALUES}")
    if not values or min(values) < 0:
        raise UsageError(f"{option}: expected non-negative values, got {text!r}")
    if max(values) > MAX_ROWS:
        raise UsageError(f"{option}: {max(values)} exceeds the limit {MAX_ROWS}")
    return list(values)


def combinations(sweeps: dict[str, list[int]]) -> list[dict[str, int]]:
    """Every combination of the sweep values, in a fixed order."""
    keys = sorted(sweeps)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(sweeps[k] for k in keys))]


# --------------------------------------------------------------------------- families

def _layers(d0: int, opts: FamilyOptions) -> list[int]:
    return [d0, *([opts.width] * opts.depth), 1]


def _domain(opts: FamilyOptions, default: str) -> dict:
    if opts.domain:
        return parse_domain(opts.domain)
    if opts.bits is not None:
        if opts.bits < 1:
            raise UsageError("--bits must be >= 1 for the weight domain")
        return parse_domain(f"fixed:{opts.bits}:0")
    return parse_domain(default)


def _base(layers, opts: FamilyOptions, domain: dict, loss: str, inputs, targets) -> dict:
    return {
        "format": "ermbit/1",
        "architecture": {"layers": layers, "activation": opts.activation,
                         "output_activation": "identity"},
        "domain": domain,
        "data": {"inputs": [[to_str(v) for v in row] for row in inputs],
                 "targets": [[to_str(v) for v in row] for row in targets]},
        "loss": loss,
        "threshold": opts.threshold,
    }


def gen_parity(rng: random.Random, index: int, opts: FamilyOptions) -> tuple[dict, str | None]:
    n = opts.bits if opts.bits is not None else 2
    if not 1 <= n <= 12:
        raise UsageError(f"parity: --bits must be in [1, 12], got {n}")
    support = list(range(n))
    if index > 0 and n > 2:
        support = sorted(rng.sample(range(n), rng.randint(2, n)))
    rows = [list(bits) for bits in itertools.product((0, 1), repeat=n)]
    targets = [[1 if sum(r[i] for i in support) % 2 else -1] for r in rows]
    opts_p = FamilyOptions(**{**opts.__dict__, "bits": None})
    inst = _base(_layers(n, opts), opts_p, _domain(opts_p, "set:-1,0,1"), "zero_one",
                 [[mpq(v) for v in r] for r in rows], targets)
    return inst, None


def _random_inputs(rng: random.Random, m: int, d0: int) -> list[list[mpq]]:
    return [[mpq(rng.randint(-2, 2)) for _ in range(d0)] for _ in range(m)]


def gen_planted(rng: random.Random, index: int, opts: FamilyOptions) -> tuple[dict, str | None]:
    loss = opts.loss or "zero_one"
    layers = _layers(opts.inputs, opts)
    domain = _domain(opts, "fixed:2:0")
    skeleton = _base(layers, opts, domain, loss, [[mpq(0)] * opts.inputs], [[mpq(1)]])
    shell = parse_instance(skeleton)
    values = list(shell.domain.values())
    teacher = {ref: rng.choice(values) for ref in shell.free_parameters()}
    params = assemble(shell, teacher)
    inputs, targets = [], []
    for _attempt in range(50 * opts.samples):
        if len(inputs) == opts.samples:
            break
        x = _random_inputs(rng, 1, opts.inputs)[0]
        y = forward(shell, params, x)[0]
        if loss == "zero_one":
            if y == 0:
                continue
            y = mpq(1 if y > 0 else -1)
        inputs.append(x)
        targets.append([y])
    if len(inputs) < opts.samples:  # a teacher that outputs 0 almost everywhere: redraw
        return gen_planted(rng, index, opts)
    inst = _base(layers, FamilyOptions(**{**opts.__dict__, "threshold": "0"}), domain, loss,
                 inputs, targets)
    return inst, "sat"


def gen_random_labels(rng: random.Random, index: int, opts: FamilyOptions
                      ) -> tuple[dict, str | None]:
    layers = _layers(opts.inputs, opts)
    inputs = _random_inputs(rng, opts.samples, opts.inputs)
    targets = [[mpq(rng.choice((-1, 1)))] for _ in inputs]
    return _base(layers, opts, _domain(opts, "fixed:2:0"), "zero_one", inputs, targets), None


def gen_real(rng: random.Random, index: int, opts: FamilyOptions) -> tuple[dict, str | None]:
    if opts.dataset not in REAL_DATA:
        raise UsageError(f"real: unknown --dataset {opts.dataset!r}; choose from "
                         f"{', '.join(sorted(REAL_DATA))}")
    csv_name, pos, neg, features = REAL_DATA[opts.dataset]
    data_dir = Path(opts.extra.get("data_dir") or DATA_DIR)
    inst = csv_to_instance(
        data_dir / csv_name, features=features, positive=pos, negative=neg,
        frac_bits=opts.frac_bits, layers_hidden=[opts.width] * opts.depth,
        domain=_domain(opts, "set:-1,0,1"), rows=opts.samples,
        seed=None if index == 0 else rng.randrange(1 << 30), activation=opts.activation,
        loss=opts.loss or "zero_one", threshold=opts.threshold)
    inst.pop("name", None)
    return inst, None


GENERATORS = {"parity": gen_parity, "planted": gen_planted,
              "random-labels": gen_random_labels, "real": gen_real}


# --------------------------------------------------------------------------- expected status

def expected_status(inst: Instance, brute_points: int, grid_points: int
                    ) -> tuple[str | None, str | None]:
    """``(status, source)`` by exhaustive enumeration when the grid is small enough."""
    from .brute import brute_force
    from .brute import grid_points as count_points

    if count_points(inst) <= brute_points:
        return ("sat" if brute_force(inst, brute_points).satisfiable else "unsat"), "brute"
    from .encodings.grid import GridSearch
    from .lowering import lower

    search = GridSearch(lower(inst).circuit)
    if search.points > grid_points:
        return None, None
    status, _, _ = search.first_solution(None)
    return status.value, "brute-vec"


# --------------------------------------------------------------------------- generation

def _sweep_tag(combo: dict[str, int]) -> str:
    short = {"bits": "b", "depth": "d", "samples": "m", "width": "w"}
    return "-".join(f"{short[k]}{v}" for k, v in sorted(combo.items()))


def generate(family: str, count: int, seed: int, out_dir: str | Path,
             sweeps: dict[str, list[int]], opts: FamilyOptions, brute_points: int = 20_000,
             grid_points: int = 2_000_000) -> list[dict]:
    """Write ``count`` instances per sweep combination into ``out_dir`` and update its
    manifest; returns the new manifest entries (see the module docstring)."""
    if family not in GENERATORS:
        raise UsageError(f"unknown family {family!r}; choose from {', '.join(FAMILIES)}")
    if count < 1:
        raise UsageError(f"-n must be >= 1, got {count}")
    if family == "parity":
        sweeps = {k: v for k, v in sweeps.items() if k != "samples"}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for combo in combinations(sweeps):
        tag = _sweep_tag(combo)
        for i in range(count):
            rng = random.Random(f"{seed}/{family}/{tag}/{i}")
            local = FamilyOptions(**{**opts.__dict__, **combo})
            raw, expected = GENERATORS[family](rng, i, local)
            name = f"{family}-{tag}-s{seed}-{i:03d}"
            if family == "real":
                name = f"real-{opts.dataset}-{tag}-s{seed}-{i:03d}"
            raw["name"] = name
            inst = parse_instance(raw)
            source = "planted" if expected else None
            if expected is None:
                expected, source = expected_status(inst, brute_points, grid_points)
            atomic_write_text(out / f"{name}.json", format_json(raw) + "\n")
            entries.append({"file": f"{name}.json", "family": family, "sweep": combo,
                            "sha256": inst.sha256(), "expected": expected, "source": source})
    update_manifest(out, entries)
    return entries


def load_manifest(folder: str | Path) -> dict:
    """The manifest of ``folder`` (an empty one when there is none)."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        return {"format": MANIFEST_FORMAT, "instances": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InstanceError(f"unreadable manifest: {exc}", str(path)) from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise InstanceError(f"not an {MANIFEST_FORMAT} manifest", str(path))
    return data


def update_manifest(folder: str | Path, entries: list[dict]) -> None:
    """Add ``entries`` to the manifest of ``folder`` (replacing same-named files)."""
    manifest = load_manifest(folder)
    new = {e["file"] for e in entries}
    kept = [e for e in manifest["instances"] if e["file"] not in new]
    manifest["instances"] = sorted(kept + entries, key=lambda e: e["file"])
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    atomic_write_text(Path(folder) / MANIFEST, text)


def expected_by_file(folder: str | Path) -> dict[str, str | None]:
    """``{file name: expected status or None}`` from the manifest of ``folder``."""
    return {e["file"]: e.get("expected") for e in load_manifest(folder)["instances"]}
