"""The independent verifier behind ``ermsolve check``.

It shares no code path with any encoder or solver, nor with ermsolve's own forward pass:
the instance is validated by :mod:`ermsolve.instance`, but the arithmetic here is a second,
deliberately separate implementation over Python's ``fractions.Fraction`` working from the
instance's canonical text, so a bug in the ``gmpy2`` core cannot hide itself.

For a sat certificate it checks, in order: the instance hash; that every parameter is
present with the instance's shapes; that every fixed entry equals its value and every free
one lies in the domain; the loss recomputed exactly; that it equals the claimed loss; and
that it is ≤ γ.  For an unsat certificate it hands the proof to the proof checker
(:mod:`ermsolve.proofs`), which rebuilds the CNF itself.  The certificates of ``optimize``
(``optimal``, ``upper_bound``) get the sat checks at the claimed loss, and ``optimal`` also
the check of its proof that nothing is smaller (:mod:`ermsolve.optimality`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .errors import InstanceError
from .instance import Instance
from .rationals import parse_rational


@dataclass
class CheckResult:
    valid: bool
    reason: str = ""

    def __str__(self) -> str:
        return "VALID" if self.valid else f"INVALID: {self.reason}"


#: Every field an ``ermbit-certificate/1`` may carry (anything else is refused, as in the
#: instance format).
_KNOWN_FIELDS = {"format", "instance_sha256", "status", "threshold", "encoding", "solver",
                 "parameters", "loss", "proof", "strategy"}


def _frac(text) -> Fraction:
    """A Fraction from rational text; the size guard of the instance parser applies (an
    exponent such as ``1e999999999`` is refused instead of expanded)."""
    try:
        q = parse_rational(text if isinstance(text, (str, int)) else str(text))
    except InstanceError as exc:
        raise ValueError(str(exc)) from None
    return Fraction(int(q.numerator), int(q.denominator))


def check_certificate(instance: Instance, cert: dict, cert_path: str | Path | None = None,
                      proof_checker: str = "drup") -> CheckResult:
    """Verify ``cert`` (a parsed ``ermbit-certificate/1``) against ``instance``.
    ``proof_checker`` (``drup``, ``dratify`` or ``both``) replays the proof of an
    ``optimal`` certificate (see :mod:`ermsolve.proofs`)."""
    unknown = sorted(set(cert) - _KNOWN_FIELDS)
    if unknown:
        return CheckResult(False, f"unknown certificate field {unknown[0]!r}")
    if cert.get("instance_sha256") != instance.sha256():
        return CheckResult(False, "instance hash does not match (certificate is for another "
                                  "instance)")
    status = cert.get("status")
    if status in ("sat", "unsat") and "threshold" in cert:
        try:
            stated = _frac(cert["threshold"])
        except (ValueError, ZeroDivisionError, TypeError):
            return CheckResult(False, "certificate threshold is not a rational")
        if stated != _frac(instance.to_json()["threshold"]):
            return CheckResult(False, f"certificate states threshold {stated}, the instance "
                                      f"has {instance.to_json()['threshold']}")
    if status == "sat":
        return _check_sat(instance, cert)
    if status == "unsat":
        try:
            proofs = importlib.import_module("ermsolve.proofs")
        except ImportError:
            return CheckResult(False, "unsat certificates need the proof checker "
                                      "(ermsolve.proofs), which is not available")
        return proofs.check_unsat_certificate(instance, cert, cert_path)
    if status in ("optimal", "upper_bound"):
        return _check_optimum(instance, cert, cert_path, status == "optimal", proof_checker)
    return CheckResult(False, f"status must be 'sat', 'unsat', 'optimal' or 'upper_bound', "
                              f"got {status!r}")


def _check_optimum(instance: Instance, cert: dict, cert_path, optimal: bool,
                   proof_checker: str) -> CheckResult:
    """``upper_bound``: the witness reaches the claimed loss (a sat check at that
    threshold); ``optimal``: that, and a proof that no assignment has a smaller loss
    (:func:`ermsolve.optimality.check_optimality_proof`).  The instance's threshold is not
    used."""
    try:
        claimed = _frac(cert.get("loss"))
    except (ValueError, ZeroDivisionError, TypeError):
        return CheckResult(False, "claimed loss is not a rational")
    witness = _check_sat(instance.with_threshold(claimed), cert)
    if not witness.valid or not optimal:
        return witness
    optimality = importlib.import_module("ermsolve.optimality")
    problem = optimality.check_optimality_proof(instance, claimed, cert.get("proof"),
                                                cert_path, proof_checker)
    return CheckResult(not problem, problem)


# ----------------------------------------------------------------------- sat certificates

def _in_domain(domain: dict, v: Fraction) -> bool:
    kind = domain["type"]
    if kind == "fixed":
        k = v * 2 ** domain["frac_bits"]
        half = 2 ** (domain["bits"] - 1)
        return k.denominator == 1 and -half <= k <= half - 1
    if kind == "rational":
        half = 2 ** (domain["num_bits"] - 1)
        return -half <= v.numerator <= half - 1 and v.denominator <= 2 ** domain["den_bits"] - 1
    return v in {_frac(x) for x in domain["values"]}


def _activation(name: str):
    if name == "relu":
        return lambda t: max(t, Fraction(0))
    if name == "identity":
        return lambda t: t
    if name == "hardtanh":
        return lambda t: min(max(t, Fraction(-1)), Fraction(1))
    if name.startswith("leaky_relu:"):
        a = _frac(name.split(":", 1)[1])
        return lambda t: t if t >= 0 else a * t
    coeffs = ([0, 0, 1] if name == "square"
              else [_frac(c) for c in name[len("poly:["):-1].split(",")])
    return lambda t: sum((Fraction(c) * t ** k for k, c in enumerate(coeffs)), Fraction(0))


def _read_parameters(spec: dict, cert: dict):
    """The certificate's parameters as Fractions, or an error text."""
    params = cert.get("parameters")
    layers = spec["architecture"]["layers"]
    if not isinstance(params, dict):
        return None, "no parameters"
    out = {}
    for layer in range(1, len(layers)):
        rows, cols = layers[layer], layers[layer - 1]
        w, b = params.get(f"W{layer}"), params.get(f"b{layer}")
        if not (isinstance(w, list) and len(w) == rows
                and all(isinstance(r, list) and len(r) == cols for r in w)):
            return None, f"W{layer} missing or not of shape {rows}x{cols}"
        if not (isinstance(b, list) and len(b) == rows):
            return None, f"b{layer} missing or not of length {rows}"
        try:
            out[f"W{layer}"] = [[_frac(x) for x in r] for r in w]
            out[f"b{layer}"] = [_frac(x) for x in b]
        except (ValueError, ZeroDivisionError, TypeError):
            return None, f"a parameter of layer {layer} is not a rational"
    return out, ""


def _domain_errors(spec: dict, params: dict) -> str:
    fixed = spec.get("fixed", {})
    for name, matrix in params.items():
        rows = matrix if name.startswith("W") else [matrix]
        frows = fixed.get(name)
        if frows is not None and name.startswith("b"):
            frows = [frows]
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                given = frows[r][c] if frows is not None else None
                where = f"{name}[{r}][{c}]" if name.startswith("W") else f"{name}[{c}]"
                if given is not None and v != _frac(given):
                    return f"{where} = {v} but the instance fixes it to {given}"
                if given is None and not _in_domain(spec["domain"], v):
                    return f"{where} = {v} is not in the domain {spec['domain']}"
    return ""


def _loss(spec: dict, params: dict) -> Fraction:
    arch = spec["architecture"]
    act, out_act = _activation(arch["activation"]), _activation(arch["output_activation"])
    depth = len(arch["layers"]) - 1
    inputs = [[_frac(x) for x in row] for row in spec["data"]["inputs"]]
    targets = [[_frac(y) for y in row] for row in spec["data"]["targets"]]
    errors = []
    for x, y in zip(inputs, targets):
        h = x
        for layer in range(1, depth + 1):
            z = [sum((w * v for w, v in zip(row, h)), Fraction(0)) + bias
                 for row, bias in zip(params[f"W{layer}"], params[f"b{layer}"])]
            h = [(act if layer < depth else out_act)(t) for t in z]
        errors.append((h, y))
    m = len(errors)
    kind = spec["loss"]
    if kind == "zero_one":
        return Fraction(sum(1 for f, y in errors if y[0] * f[0] <= 0), m)
    diffs = [fo - yo for f, y in errors for fo, yo in zip(f, y)]
    if kind == "squared":
        return sum((d * d for d in diffs), Fraction(0)) / m
    if kind == "absolute":
        return sum((abs(d) for d in diffs), Fraction(0)) / m
    return max(abs(d) for d in diffs)


def _check_sat(instance: Instance, cert: dict) -> CheckResult:
    spec = instance.to_json()
    params, problem = _read_parameters(spec, cert)
    if params is None:
        return CheckResult(False, problem)
    problem = _domain_errors(spec, params)
    if problem:
        return CheckResult(False, problem)
    value = _loss(spec, params)
    threshold = _frac(spec["threshold"])
    try:
        claimed = _frac(cert.get("loss"))
    except (ValueError, ZeroDivisionError, TypeError):
        return CheckResult(False, "claimed loss is not a rational")
    if claimed != value:
        return CheckResult(False, f"claimed loss {claimed} but the parameters have loss {value}")
    if value > threshold:
        return CheckResult(False, f"loss {value} exceeds the threshold {threshold}")
    return CheckResult(True)
