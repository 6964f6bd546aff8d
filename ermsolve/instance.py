"""The ``ermbit/1`` instance: reading, validating and hashing.

An instance fixes a network architecture, an activation, rational training data, a loss, a
threshold γ and a bit model (*domain*) for the free parameters; it asks whether some
assignment of the free weights and biases in the domain has empirical loss ≤ γ.  The file
format is specified in ``docs/format.md``; this module accepts exactly that format and turns
every number into an exact ``gmpy2.mpq``.

Parameters are named ``W{l}`` (shape ``d_l × d_{l-1}``, row = output unit) and ``b{l}``
(length ``d_l``) for ``l = 1..L``.  Free parameters are listed in the order
``W1 (row-major), b1, W2, b2, ...``; every encoding and certificate uses that order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import gmpy2
from gmpy2 import mpq

from .activations import Activation, parse_activation
from .errors import InstanceError
from .rationals import JsonNumber, parse_rational, to_str

FORMAT = "ermbit/1"
LOSSES = ("squared", "absolute", "max_abs", "zero_one")

#: Limits that keep absurd inputs from exhausting memory before any solver runs.
MAX_WIDTH = 4096
MAX_LAYERS = 64
MAX_ROWS = 100_000
MAX_PARAMETERS = 100_000
MAX_DOMAIN_BITS = 64
MAX_SET_VALUES = 1 << 16
MAX_FILE_BYTES = 256 * 1024 * 1024


# --------------------------------------------------------------------------- domains

@dataclass(frozen=True)
class FixedDomain:
    """Fixed point: value ``k / 2**frac_bits`` with ``k`` a ``bits``-bit two's complement
    integer, ``-2**(bits-1) <= k <= 2**(bits-1) - 1``."""

    bits: int
    frac_bits: int
    type: str = "fixed"

    @property
    def k_range(self) -> tuple[int, int]:
        return -(1 << (self.bits - 1)), (1 << (self.bits - 1)) - 1

    @property
    def size(self) -> int:
        return 1 << self.bits

    def values(self) -> Iterator[mpq]:
        lo, hi = self.k_range
        for k in range(lo, hi + 1):
            yield mpq(k, 1 << self.frac_bits)

    def contains(self, v: mpq) -> bool:
        k = v * (1 << self.frac_bits)
        lo, hi = self.k_range
        return k.denominator == 1 and lo <= k <= hi

    def to_json(self) -> dict:
        return {"type": "fixed", "bits": self.bits, "frac_bits": self.frac_bits}


@dataclass(frozen=True)
class RationalDomain:
    """Bounded rationals: value ``p / q`` with ``p`` a ``num_bits``-bit two's complement
    integer and ``1 <= q <= 2**den_bits - 1``.  A value is in the domain when *some* such
    pair represents it; ``values()`` yields each distinct value once."""

    num_bits: int
    den_bits: int
    type: str = "rational"

    @property
    def p_range(self) -> tuple[int, int]:
        return -(1 << (self.num_bits - 1)), (1 << (self.num_bits - 1)) - 1

    @property
    def q_range(self) -> tuple[int, int]:
        return 1, (1 << self.den_bits) - 1

    @property
    def size(self) -> int:
        """Number of (p, q) pairs (an upper bound on the number of distinct values)."""
        return (1 << self.num_bits) * ((1 << self.den_bits) - 1)

    def values(self) -> Iterator[mpq]:
        seen = set()
        plo, phi = self.p_range
        qlo, qhi = self.q_range
        for q in range(qlo, qhi + 1):
            for p in range(plo, phi + 1):
                v = mpq(p, q)
                if v not in seen:
                    seen.add(v)
                    yield v

    def contains(self, v: mpq) -> bool:
        # The reduced form has the smallest |p| and q; any representation is a multiple.
        plo, phi = self.p_range
        return plo <= v.numerator <= phi and v.denominator <= self.q_range[1]

    def to_json(self) -> dict:
        return {"type": "rational", "num_bits": self.num_bits, "den_bits": self.den_bits}


@dataclass(frozen=True)
class SetDomain:
    """A finite set of distinct rationals, in the order written (an encoding stores the
    index ``0 <= i < len(values)``)."""

    values_: tuple[mpq, ...]
    type: str = "set"

    @property
    def size(self) -> int:
        return len(self.values_)

    def values(self) -> Iterator[mpq]:
        return iter(self.values_)

    def contains(self, v: mpq) -> bool:
        return v in self.values_

    def to_json(self) -> dict:
        return {"type": "set", "values": [to_str(v) for v in self.values_]}


Domain = FixedDomain | RationalDomain | SetDomain


# --------------------------------------------------------------------------- instance

@dataclass(frozen=True)
class ParamRef:
    """One scalar parameter: ``name`` is ``W{l}`` or ``b{l}``, ``index`` is ``(row, col)``
    for a weight and ``(row,)`` for a bias; ``layer`` is ``l``."""

    name: str
    index: tuple[int, ...]

    @property
    def layer(self) -> int:
        return int(self.name[1:])

    def __str__(self) -> str:
        return f"{self.name}[{']['.join(map(str, self.index))}]"


@dataclass
class Instance:
    """A validated ERM_bit instance with exact data (see the module docstring)."""

    layers: tuple[int, ...]
    activation: Activation
    output_activation: Activation
    domain: Domain
    inputs: tuple[tuple[mpq, ...], ...]
    targets: tuple[tuple[mpq, ...], ...]
    loss: str
    threshold: mpq
    fixed: dict[str, list] = field(default_factory=dict)
    name: str | None = None

    @property
    def depth(self) -> int:
        """Number of affine layers ``L``."""
        return len(self.layers) - 1

    @property
    def num_samples(self) -> int:
        return len(self.inputs)

    def shape(self, name: str) -> tuple[int, ...]:
        layer = int(name[1:])
        if name[0] == "W":
            return (self.layers[layer], self.layers[layer - 1])
        return (self.layers[layer],)

    def parameter_names(self) -> list[str]:
        out = []
        for layer in range(1, self.depth + 1):
            out += [f"W{layer}", f"b{layer}"]
        return out

    def all_parameters(self) -> list[ParamRef]:
        """Every scalar parameter in the canonical order ``W1, b1, W2, b2, ...``."""
        refs = []
        for name in self.parameter_names():
            shape = self.shape(name)
            if len(shape) == 2:
                refs += [ParamRef(name, (r, c)) for r in range(shape[0]) for c in range(shape[1])]
            else:
                refs += [ParamRef(name, (r,)) for r in range(shape[0])]
        return refs

    def fixed_value(self, ref: ParamRef) -> mpq | None:
        """The fixed value of ``ref``, or ``None`` if it is free."""
        entry = self.fixed.get(ref.name)
        if entry is None:
            return None
        for i in ref.index:
            entry = entry[i]
        return entry

    def free_parameters(self) -> list[ParamRef]:
        return [r for r in self.all_parameters() if self.fixed_value(r) is None]

    def to_json(self) -> dict:
        """The canonical JSON form: every rational as reduced text, defaults written out."""
        def rows(m):
            return [[to_str(v) for v in row] for row in m]

        def fixed_json(entry):
            if isinstance(entry, list):
                return [fixed_json(e) for e in entry]
            return None if entry is None else to_str(entry)

        out = {
            "format": FORMAT,
            "architecture": {
                "layers": list(self.layers),
                "activation": self.activation.name,
                "output_activation": self.output_activation.name,
            },
            "domain": self.domain.to_json(),
            "data": {"inputs": rows(self.inputs), "targets": rows(self.targets)},
            "loss": self.loss,
            "threshold": to_str(self.threshold),
        }
        if self.fixed:
            out["fixed"] = {k: fixed_json(v) for k, v in sorted(self.fixed.items())}
        if self.name is not None:
            out["name"] = self.name
        return out

    def sha256(self) -> str:
        """SHA-256 of the canonical JSON (sorted keys, no blanks, ``name`` left out): two
        files that denote the same problem, e.g. ``0.1`` versus ``"1/10"``, hash alike."""
        body = self.to_json()
        body.pop("name", None)
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def with_threshold(self, threshold) -> Instance:
        """A copy asking the same question at another threshold."""
        copy = Instance(**{**self.__dict__})
        copy.threshold = mpq(threshold)
        return copy


# --------------------------------------------------------------------------- reading

def load_json(path: str | Path) -> object:
    """Read a JSON file keeping every number's text (so ``0.1`` stays exactly 1/10).

    Raises :class:`InstanceError` for unreadable, non-UTF-8, oversized or malformed files,
    NaN/Infinity literals and duplicate keys.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InstanceError(f"file of {size} bytes exceeds {MAX_FILE_BYTES}", str(p))
        data = p.read_bytes()
    except InstanceError:
        raise
    except OSError as exc:
        raise InstanceError(f"cannot read file: {exc.strerror or exc}", str(p)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InstanceError(f"not UTF-8 text (byte {exc.start})", str(p)) from None
    return loads_json(text, str(p))


def loads_json(text: str, where: str = "<string>") -> object:
    """Parse JSON text as :func:`load_json` does."""
    def no_constant(name):
        raise InstanceError(f"{name} is not a rational number", where)

    def no_duplicates(pairs):
        out = {}
        for k, v in pairs:
            if k in out:
                raise InstanceError(f"duplicate key {k!r}", where)
            out[k] = v
        return out

    try:
        return json.loads(text, parse_float=JsonNumber, parse_int=JsonNumber,
                          parse_constant=no_constant, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise InstanceError(f"malformed JSON at line {exc.lineno} column {exc.colno}: "
                            f"{exc.msg}", where) from None
    except RecursionError:
        raise InstanceError("JSON nested too deeply", where) from None


def load_instance(path: str | Path) -> Instance:
    """Read and validate an ``ermbit/1`` file."""
    raw = load_json(path)
    try:
        return parse_instance(raw)
    except InstanceError as exc:
        raise InstanceError(str(exc), str(path)) from None


def parse_instance(raw: object) -> Instance:
    """Validate an already-parsed JSON object (numbers as text or ints) into an
    :class:`Instance`; plain Python dicts with string rationals work too."""
    obj = _expect_dict(raw, "instance")
    _only_keys(obj, {"format", "name", "architecture", "domain", "data", "loss", "threshold",
                     "fixed"}, "instance")
    if obj.get("format") != FORMAT:
        raise InstanceError(f"format must be {FORMAT!r}, got {obj.get('format')!r}", "format")
    name = obj.get("name")
    if name is not None and (not isinstance(name, str) or isinstance(name, JsonNumber)):
        raise InstanceError("name must be a string", "name")
    layers, act, out_act = _parse_architecture(_require(obj, "architecture"))
    domain = _parse_domain(_require(obj, "domain"))
    loss = _require(obj, "loss")
    if loss not in LOSSES:
        raise InstanceError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}",
                            "loss")
    inputs, targets = _parse_data(_require(obj, "data"), layers)
    threshold = parse_rational(_require(obj, "threshold"), "threshold")
    if loss == "zero_one":
        if layers[-1] != 1:
            raise InstanceError(f"zero_one loss needs one output, the network has "
                                f"{layers[-1]}", "architecture.layers")
        for i, row in enumerate(targets):
            if row[0] not in (1, -1):
                raise InstanceError(f"zero_one targets must be -1 or 1, got {to_str(row[0])}",
                                    f"data.targets[{i}][0]")
    fixed = _parse_fixed(obj.get("fixed"), layers)
    inst = Instance(tuple(layers), act, out_act, domain, inputs, targets, loss, threshold,
                    fixed, name)
    count = sum(layers[i] * (layers[i - 1] + 1) for i in range(1, len(layers)))
    if count > MAX_PARAMETERS:  # counted, not listed: listing them is the slow part
        raise InstanceError(f"{count} parameters exceed the limit {MAX_PARAMETERS}",
                            "architecture.layers")
    return inst


def _require(obj: dict, key: str, where: str | None = None):
    if key not in obj:
        raise InstanceError(f"missing field {key!r}", where or "instance")
    return obj[key]


def _expect_dict(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise InstanceError(f"expected a JSON object, got {_kind(value)}", where)
    return value


def _only_keys(obj: dict, allowed: set[str], where: str) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        raise InstanceError(f"unknown field {extra[0]!r}; allowed: {', '.join(sorted(allowed))}",
                            where)


def _kind(value) -> str:
    if isinstance(value, JsonNumber):
        return "a number"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), type(value).__name__)


def _int(value, where: str, lo: int, hi: int) -> int:
    """An integer field in ``[lo, hi]`` (a JSON integer, not a string or a fraction)."""
    if isinstance(value, bool) or not isinstance(value, (int, JsonNumber)):
        raise InstanceError(f"expected an integer, got {_kind(value)}", where)
    text = str(value)
    if len(text) > 30 or not text.lstrip("-").isdigit():
        raise InstanceError(f"expected an integer in [{lo}, {hi}], got {text[:40]}", where)
    n = int(text)
    if not lo <= n <= hi:
        raise InstanceError(f"must be in [{lo}, {hi}], got {n}", where)
    return n


def _parse_architecture(raw) -> tuple[list[int], Activation, Activation]:
    arch = _expect_dict(raw, "architecture")
    _only_keys(arch, {"layers", "activation", "output_activation"}, "architecture")
    layers_raw = _require(arch, "layers", "architecture")
    if not isinstance(layers_raw, list) or not 2 <= len(layers_raw) <= MAX_LAYERS + 1:
        raise InstanceError(f"layers must be a list [d0, ..., dL] of 2 to {MAX_LAYERS + 1} "
                            "widths", "architecture.layers")
    layers = [_int(d, f"architecture.layers[{i}]", 1, MAX_WIDTH)
              for i, d in enumerate(layers_raw)]
    act = parse_activation(arch.get("activation", "relu"), "architecture.activation")
    out_act = parse_activation(arch.get("output_activation", "identity"),
                               "architecture.output_activation")
    return layers, act, out_act


def _parse_domain(raw) -> Domain:
    dom = _expect_dict(raw, "domain")
    kind = dom.get("type")
    if kind == "fixed":
        _only_keys(dom, {"type", "bits", "frac_bits"}, "domain")
        bits = _int(_require(dom, "bits", "domain"), "domain.bits", 1, MAX_DOMAIN_BITS)
        frac = _int(_require(dom, "frac_bits", "domain"), "domain.frac_bits", 0,
                    MAX_DOMAIN_BITS)
        return FixedDomain(bits, frac)
    if kind == "rational":
        _only_keys(dom, {"type", "num_bits", "den_bits"}, "domain")
        a = _int(_require(dom, "num_bits", "domain"), "domain.num_bits", 1, MAX_DOMAIN_BITS)
        c = _int(_require(dom, "den_bits", "domain"), "domain.den_bits", 1, MAX_DOMAIN_BITS)
        return RationalDomain(a, c)
    if kind == "set":
        _only_keys(dom, {"type", "values"}, "domain")
        vals = _require(dom, "values", "domain")
        if not isinstance(vals, list) or not 1 <= len(vals) <= MAX_SET_VALUES:
            raise InstanceError(f"values must be a list of 1 to {MAX_SET_VALUES} rationals",
                                "domain.values")
        values = tuple(parse_rational(v, f"domain.values[{i}]") for i, v in enumerate(vals))
        if len(set(values)) != len(values):
            raise InstanceError("values must be distinct", "domain.values")
        return SetDomain(values)
    raise InstanceError(f"unknown domain type {kind!r}; expected fixed, rational or set",
                        "domain.type")


def _parse_matrix(raw, where: str, rows: int | None, width: int) -> tuple:
    if not isinstance(raw, list):
        raise InstanceError(f"expected a list of rows, got {_kind(raw)}", where)
    if rows is not None and len(raw) != rows:
        raise InstanceError(f"expected {rows} rows, got {len(raw)}", where)
    out = []
    for i, row in enumerate(raw):
        if not isinstance(row, list) or len(row) != width:
            got = f"{len(row)} values" if isinstance(row, list) else _kind(row)
            raise InstanceError(f"expected a row of {width} values, got {got}",
                                f"{where}[{i}]")
        out.append(tuple(parse_rational(v, f"{where}[{i}][{j}]") for j, v in enumerate(row)))
    return tuple(out)


def _parse_data(raw, layers: list[int]) -> tuple[tuple, tuple]:
    data = _expect_dict(raw, "data")
    _only_keys(data, {"inputs", "targets"}, "data")
    inputs_raw = _require(data, "inputs", "data")
    if not isinstance(inputs_raw, list) or not inputs_raw:
        raise InstanceError("inputs must be a non-empty list of rows", "data.inputs")
    if len(inputs_raw) > MAX_ROWS:
        raise InstanceError(f"{len(inputs_raw)} rows exceed the limit {MAX_ROWS}",
                            "data.inputs")
    inputs = _parse_matrix(inputs_raw, "data.inputs", None, layers[0])
    targets = _parse_matrix(_require(data, "targets", "data"), "data.targets", len(inputs),
                            layers[-1])
    return inputs, targets


def _parse_fixed(raw, layers: list[int]) -> dict[str, list]:
    if raw is None:
        return {}
    fixed = _expect_dict(raw, "fixed")
    allowed = set()
    for layer in range(1, len(layers)):
        allowed |= {f"W{layer}", f"b{layer}"}
    out = {}
    for key, value in fixed.items():
        if key not in allowed:
            raise InstanceError(f"unknown parameter {key!r}; this network has "
                                f"{', '.join(sorted(allowed))}", "fixed")
        layer = int(key[1:])
        where = f"fixed.{key}"
        if key[0] == "W":
            out[key] = _parse_fixed_matrix(value, where, layers[layer], layers[layer - 1])
        else:
            out[key] = _parse_fixed_row(value, where, layers[layer])
    return out


def _parse_fixed_row(raw, where: str, width: int) -> list:
    if not isinstance(raw, list) or len(raw) != width:
        raise InstanceError(f"expected a list of {width} entries (null for free)", where)
    return [None if v is None else parse_rational(v, f"{where}[{i}]") for i, v in
            enumerate(raw)]


def _parse_fixed_matrix(raw, where: str, rows: int, cols: int) -> list:
    if not isinstance(raw, list) or len(raw) != rows:
        raise InstanceError(f"expected {rows} rows of {cols} entries (null for free)", where)
    return [_parse_fixed_row(r, f"{where}[{i}]", cols) for i, r in enumerate(raw)]


def grid_size(instance: Instance) -> int:
    """Number of points of the parameter grid (assignments, counted with multiplicity for
    the rational domain's (p, q) pairs)."""
    size = gmpy2.mpz(1)
    for _ in instance.free_parameters():
        size *= instance.domain.size
    return int(size)
