"""Certificates of ``optimize`` results: writing them and checking their proof part.

Two certificate statuses (``ermbit-certificate/1``, see :mod:`ermsolve.certificate`)::

    {"status": "optimal", "loss": "<v*>", "parameters": {...},       # the witness
     "proof": {"question": "loss < optimum", "encoding": "cnf", "cardinality": "...",
               "solver": "...", "cnf_sha256": "...", "file": "<proof file beside it>",
               "format": "drup" | "drat", "core": "<clause index ranges>"}, ...}
    {"status": "upper_bound", "loss": "<v>", "parameters": {...}, ...}

``upper_bound`` claims only that the parameters reach loss ``v`` (checked like a sat
certificate at threshold ``v``).  ``optimal`` claims in addition that no assignment has loss
``< v*``: the proof is a DRUP refutation of the CNF of ``lower(instance.with_threshold(v*),
strict=True)`` under the ``cnf`` encoding.  The checker rebuilds that CNF from the instance
and the claimed ``v*`` alone (the lowering and the encoding are deterministic), compares its
SHA-256 with ``cnf_sha256`` (so a proof for another bound or instance is refused before any
proof checking) and replays the proof with the ``drup`` checker of :mod:`ermsolve.proofs`
(against the ``core`` subset of the rebuilt CNF when given, as for unsat certificates).
The instance's own threshold plays no part in either status.

What an ``optimal`` certificate rests on: the independent Fraction-based loss of the witness
(:mod:`ermsolve.checker`), the DRUP checker, and the correctness of the strict lowering and of
the cnf encoding (tested against brute force; the same trust as for unsat certificates).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from gmpy2 import mpq

from .fileio import atomic_write_text
from .instance import Instance
from .limits import lower_checked
from .rationals import to_str

QUESTION = "loss < optimum"
#: Proof-logging PySAT solver for the refutation of "loss < optimum".
PROOF_SOLVER = "cadical195"


def strict_below_cnf(instance: Instance, optimum, cardinality: str | None = None):
    """The :class:`~ermsolve.encodings.cnf.CNFEncoding` of "loss < optimum" (deterministic:
    the same instance and optimum give the same DIMACS text)."""
    from .encodings.cnf import DEFAULT_CARDINALITY, encode_cnf

    lowered = lower_checked(instance.with_threshold(mpq(optimum)), strict=True)
    return encode_cnf(lowered, cardinality=cardinality or DEFAULT_CARDINALITY)


def prove_strictly_below(instance: Instance, optimum, proof_path: str | Path,
                         timeout: float | None = None, solver: str = PROOF_SOLVER
                         ) -> dict | None:
    """Refute "loss < optimum" with a proof-logging solver
    (:func:`ermsolve.backends.pysat_backend.solve_cnf`), which writes the proof to
    ``proof_path``; the certificate's proof object, or ``None`` on timeout.  A satisfiable
    answer means ``optimum`` is not the minimum:
    :class:`~ermsolve.solve.WrongAnswerError`."""
    from .backends.pysat_backend import solve_cnf
    from .result import Status

    enc = strict_below_cnf(instance, optimum)
    status, _model, info = solve_cnf(enc.cnf, solver, timeout, str(proof_path))
    if status is Status.UNKNOWN:
        return None
    if status is Status.SAT:  # the search and this solve disagree: a bug, never ignored
        from .solve import WrongAnswerError

        raise WrongAnswerError(f"{solver} found an assignment of loss < {optimum}, the "
                               f"optimum claimed by the search")
    out = {"question": QUESTION, "encoding": "cnf", "cardinality": enc.cardinality,
           "solver": solver, "cnf_sha256": enc.sha256(),
           "file": os.path.basename(str(proof_path)), "format": info["format"]}
    if info.get("core") is not None:
        from .proofs import core_to_text

        out["core"] = core_to_text(info["core"])
    return out


def check_optimality_proof(instance: Instance, optimum, proof, cert_path,
                           checker: str = "drup") -> str:
    """An empty string when ``proof`` refutes "loss < optimum" on ``instance``, else the
    reason it does not.  The proof is parsed and replayed by :mod:`ermsolve.proofs` with
    ``checker``: ``drup`` (the formally verified one, slow on long proofs), ``dratify``
    (fast) or ``both``."""
    from . import proofs

    if checker not in proofs.CHECKERS:
        return f"unknown proof checker {checker!r}; use one of {', '.join(proofs.CHECKERS)}"

    if not isinstance(proof, dict):
        return "an optimal certificate needs a proof object (run optimize with --proof)"
    if proof.get("question") != QUESTION or proof.get("encoding") != "cnf":
        return f"the proof must answer {QUESTION!r} on the cnf encoding"
    path, problem = proofs._proof_file(proof, cert_path)
    if path is None:
        return problem
    try:
        enc = strict_below_cnf(instance, optimum, proof.get("cardinality"))
    except ValueError as exc:  # e.g. an unknown cardinality encoding
        return f"cannot rebuild the CNF: {exc}"
    if enc.sha256() != proof.get("cnf_sha256"):
        return (f"the proof is for another CNF than 'loss < {to_str(mpq(optimum))}' on this "
                f"instance (cnf_sha256 differs)")
    try:
        text = path.read_bytes().decode("ascii")
    except OSError as exc:
        return f"cannot read the proof file {path}: {exc.strerror or exc}"
    except UnicodeDecodeError:
        return f"the proof file {path} is not a text DRUP/DRAT proof"
    try:
        lemmas, _ = proofs.parse_proof(text)
        clauses = enc.cnf.clauses
        if "core" in proof:  # a subset of the rebuilt CNF: refuting it refutes the CNF
            clauses = [clauses[i] for i in proofs.core_from_text(proof["core"], len(clauses))]
    except proofs.ProofFormatError as exc:
        return f"{path}: {exc}"
    verdicts = []
    if checker in ("drup", "both"):
        verdicts.append(proofs.check_with_drup(clauses, lemmas))
    if checker in ("dratify", "both"):
        if not lemmas or lemmas[-1]:
            verdicts.append((False, "the proof does not end with the empty clause"))
        else:
            verdicts.append(proofs.check_with_dratify(proofs._dimacs(clauses), text))
    for valid, reason in verdicts:
        if not valid:
            return f"{reason} ('loss < {to_str(mpq(optimum))}' is not refuted)"
    return ""


def optimize_certificate_json(instance: Instance, result) -> dict:
    """The certificate of an :class:`~ermsolve.optimize.OptimizeResult`: ``optimal`` when it
    carries a proof, else ``upper_bound``."""
    from .certificate import FORMAT

    cert = {"format": FORMAT, "instance_sha256": instance.sha256(),
            "status": "optimal" if result.proof is not None else "upper_bound",
            "loss": to_str(result.upper), "parameters": result.parameters_json(),
            "strategy": result.strategy, "solver": result.solver}
    if result.proof is not None:
        cert["proof"] = result.proof
    return cert


def write_optimize_certificate(path, instance: Instance, result) -> dict:
    cert = optimize_certificate_json(instance, result)
    atomic_write_text(path, json.dumps(cert, indent=1) + "\n")
    return cert
