"""Certificates (``ermbit-certificate/1``): writing and reading.

A certificate is a JSON object::

    {"format": "ermbit-certificate/1",
     "instance_sha256": "<Instance.sha256() of the instance it answers>",
     "status": "sat" | "unsat",
     "threshold": "<γ>",
     "parameters": {"W1": [["1/2", ...], ...], "b1": [...], ...},   # sat: every parameter
     "loss": "<exact loss of those parameters>",                       # sat
     "encoding": "...", "solver": "...",
     "proof": {...}}                                                   # unsat: see below

For ``unsat`` the ``proof`` object names the encoding whose CNF was refuted, the SHA-256 of
that CNF and the proof file beside the certificate; what it guarantees is stated in
``docs/certificates.md``.  :mod:`ermsolve.checker` verifies certificates.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import CertificateError, InstanceError
from .fileio import atomic_write_text
from .instance import Instance, load_json
from .rationals import to_str
from .result import SolveResult, Status

FORMAT = "ermbit-certificate/1"


def certificate_json(instance: Instance, result: SolveResult) -> dict:
    """The certificate for a sat or unsat ``result`` on ``instance``."""
    if result.status is Status.UNKNOWN:
        raise CertificateError("an unknown answer has no certificate")
    cert = {
        "format": FORMAT,
        "instance_sha256": instance.sha256(),
        "status": result.status.value,
        "threshold": to_str(instance.threshold),
        "encoding": result.encoding,
        "solver": result.solver,
    }
    if result.status is Status.SAT:
        cert["parameters"] = result.parameters_json()
        cert["loss"] = to_str(result.loss)
    elif "proof" in result.extra:
        cert["proof"] = result.extra["proof"]
    return cert


def write_certificate(path: str | Path, instance: Instance, result: SolveResult) -> dict:
    """Write the certificate atomically and return it."""
    cert = certificate_json(instance, result)
    atomic_write_text(path, json.dumps(cert, indent=1) + "\n")
    return cert


def read_certificate(path: str | Path) -> dict:
    """Read a certificate file (JSON numbers kept as exact text)."""
    try:
        raw = load_json(path)
    except InstanceError as exc:
        raise CertificateError(str(exc)) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise CertificateError(f"{path}: not an {FORMAT} certificate")
    return raw
