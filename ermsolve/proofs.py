"""Checking unsat certificates: rebuild the CNF, compare its hash, verify the proof.

An unsat certificate (``ermbit-certificate/1``, ``status: "unsat"``) carries a ``proof``
object::

    {"encoding": "cnf", "cnf_sha256": "<hex>", "cardinality": "<pysat.card encoding>",
     "file": "<proof file, relative to the certificate's folder>",
     "format": "drup" | "drat", "solver": "<the solver that logged it>",
     "core": "0-17 20 25-31 ..."}

``core`` (optional) lists, as ranges of 0-based clause indices, the clauses of the CNF that
the proof refutes: a subset ``F'`` of the CNF ``F``.  If ``F'`` is unsatisfiable so is
``F``, so checking the proof against ``F'`` is as good as against ``F``; the subset is taken
from the rebuilt ``F`` here, never from the certificate.  The solver found the core (one
selector assumption per clause), and refuting only the core makes proofs and their checks
much smaller.  Without ``core`` the proof refutes all of ``F``.

:func:`check_unsat_certificate` trusts none of it: it lowers the instance again, encodes it
with the named encoding (deterministic, so the same DIMACS text byte for byte), compares the
SHA-256, then replays the proof with an existing checker, never one written here:

* ``drup`` (the default, trusted): a DRUP/RAT checker extracted from formally verified
  code (Why3).  It checks every added lemma by reverse unit propagation (or RAT) and
  requires the empty clause.  It ignores deletion lines: every clause ever added is then
  kept, each implied by the formula (RUP) or added without losing satisfiability (RAT,
  checked against all kept clauses), so ignoring deletions is sound; it only costs time;
* ``dratify``: an independent pure-Python DRAT checker, applying deletions, as a second
  opinion; ``both`` requires the two to agree.

What a valid unsat certificate guarantees is stated in ``docs/certificates.md``: the CNF
rebuilt from the instance is unsatisfiable; that this means "no parameters reach loss ≤ γ"
rests on the encoding being right, which the differential tests check against brute force.

Limitations: text proofs only (PySAT's solvers log text).  The drup checker ignores
deletions and propagates without watched literals: it is slow — minutes for a proof of a
few thousand lemmas over a few thousand core clauses, where ``dratify`` takes a second or
two (``benchmarks/proofs.md``); checking only the core is what keeps it usable at all.
"""

from __future__ import annotations

import time
from pathlib import Path

from .checker import CheckResult
from .errors import ErmsolveError

CHECKERS = ("drup", "dratify", "both")


class ProofFormatError(ErmsolveError, ValueError):
    """A proof file that is not text DRUP/DRAT."""


def parse_proof(text: str) -> tuple[list[list[int]], list[tuple[bool, list[int]]]]:
    """``(added lemmas, all steps)`` of a text DRUP/DRAT proof; a step is
    ``(is_deletion, clause)``.  Every line must be ``[d] lit ... 0``; ``c`` lines are
    comments."""
    lemmas, steps = [], []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("c"):
            continue
        deletion = line.startswith("d")
        tokens = line[1:].split() if deletion else line.split()
        try:
            lits = [int(t) for t in tokens]
        except ValueError:
            raise ProofFormatError(f"proof line {lineno} is not a clause: {_short(line)}"
                                   ) from None
        if not lits or lits[-1] != 0 or 0 in lits[:-1]:
            raise ProofFormatError(f"proof line {lineno} does not end with a single 0: "
                                   f"{_short(line)}")
        clause = lits[:-1]
        steps.append((deletion, clause))
        if not deletion:
            lemmas.append(clause)
    return lemmas, steps


def core_to_text(indices: list[int]) -> str:
    """Sorted clause indices as ranges: ``[0, 1, 2, 5]`` → ``"0-2 5"``."""
    parts, i = [], 0
    while i < len(indices):
        j = i
        while j + 1 < len(indices) and indices[j + 1] == indices[j] + 1:
            j += 1
        parts.append(str(indices[i]) if i == j else f"{indices[i]}-{indices[j]}")
        i = j + 1
    return " ".join(parts)


def core_from_text(text: str, num_clauses: int) -> list[int]:
    """Inverse of :func:`core_to_text`; indices must increase and be ``< num_clauses``."""
    if not isinstance(text, str):
        raise ProofFormatError("the core must be a string of index ranges")
    out: list[int] = []
    for part in text.split():
        lo, _, hi = part.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            raise ProofFormatError(f"bad core range {_short(part)!r}")
        a, b = int(lo), int(hi or lo)
        if a > b or (out and a <= out[-1]) or b >= num_clauses:
            raise ProofFormatError(f"core range {part!r} is out of order or beyond the "
                                   f"{num_clauses} clauses of the CNF")
        out.extend(range(a, b + 1))
    return out


def _short(line: str) -> str:
    return line if len(line) <= 40 else line[:37] + "..."


def check_with_drup(clauses: list[list[int]], lemmas: list[list[int]]) -> tuple[bool, str]:
    """Verify with the ``drup`` package; ``(valid, reason)``."""
    import drup

    if not lemmas or lemmas[-1]:
        return False, "the proof does not end with the empty clause (cut short?)"
    result = drup.check_proof(clauses, lemmas)
    if result.outcome == drup.Outcome.VALID:
        return True, ""
    return False, "the drup checker rejects the proof (a lemma does not follow)"


def check_with_dratify(dimacs: str, proof_text: str) -> tuple[bool, str]:
    """Verify with the ``dratify`` package; ``(valid, reason)``."""
    import dratify

    result = dratify.check_proof(dratify.parse_dimacs(dimacs), proof_text)
    if result.ok:
        return True, ""
    return False, f"the dratify checker rejects the proof: {result.reason}"


def _dimacs(clauses: list[list[int]]) -> str:
    nv = max((abs(lit) for cl in clauses for lit in cl), default=0)
    body = "".join(" ".join(map(str, cl)) + " 0\n" for cl in clauses)
    return f"p cnf {nv} {len(clauses)}\n" + body


def _rebuild(instance, proof: dict):
    """The CNFEncoding the proof claims to refute, rebuilt from the instance."""
    from .encodings.cnf import CARDINALITY_ENCODINGS, DEFAULT_CARDINALITY, encode_cnf
    from .limits import lower_checked

    encoding = proof.get("encoding")
    if encoding == "cnf-z3":  # z3's bit-blasting: deterministic for one z3 version
        from .encodings.cnf_z3 import encode_cnf_z3

        return encode_cnf_z3(lower_checked(instance)), ""
    if encoding != "cnf":
        return None, f"proofs are checked for the cnf and cnf-z3 encodings only, not " \
                     f"{encoding!r}"
    cardinality = proof.get("cardinality", DEFAULT_CARDINALITY)
    if cardinality not in CARDINALITY_ENCODINGS:
        return None, f"unknown cardinality encoding {cardinality!r} in the proof object"
    return encode_cnf(lower_checked(instance), cardinality=cardinality), ""


def _proof_file(proof: dict, cert_path) -> tuple[Path | None, str]:
    name = proof.get("file")
    if not isinstance(name, str) or not name:
        return None, "the proof object names no proof file"
    if Path(name).is_absolute():
        return None, f"the proof file {name!r} must be relative to the certificate's folder"
    folder = Path(cert_path).parent if cert_path is not None else Path(".")
    return folder / name, ""


def check_unsat_certificate(instance, cert: dict, cert_path=None, checker: str = "drup",
                            timings: dict | None = None) -> CheckResult:
    """Verify an unsat certificate (see the module docstring).  ``checker`` is ``drup``,
    ``dratify`` or ``both``; ``timings``, if given, receives ``encode``/``check`` seconds
    and the proof size."""
    if checker not in CHECKERS:
        return CheckResult(False, f"unknown proof checker {checker!r}; use one of "
                                  f"{', '.join(CHECKERS)}")
    proof = cert.get("proof")
    if not isinstance(proof, dict):
        return CheckResult(False, "an unsat certificate needs a proof object (the solver "
                                  "gave no proof; rerun with --proof)")
    path, problem = _proof_file(proof, cert_path)
    if path is None:
        return CheckResult(False, problem)
    start = time.perf_counter()
    enc, problem = _rebuild(instance, proof)
    if enc is None:
        return CheckResult(False, problem)
    if proof.get("cnf_sha256") != enc.sha256():
        return CheckResult(False, "CNF hash does not match: the proof is about another CNF "
                                  "than the one this instance encodes to")
    encode_seconds = time.perf_counter() - start
    try:
        text = path.read_bytes().decode("ascii")
    except OSError as exc:
        return CheckResult(False, f"cannot read the proof file {path}: "
                                  f"{exc.strerror or exc}")
    except UnicodeDecodeError:
        return CheckResult(False, f"the proof file {path} is not a text DRUP/DRAT proof")
    try:
        lemmas, _ = parse_proof(text)
        clauses = enc.cnf.clauses
        if "core" in proof:
            clauses = [clauses[i] for i in core_from_text(proof["core"], len(clauses))]
    except ProofFormatError as exc:
        return CheckResult(False, f"{path}: {exc}")
    start = time.perf_counter()
    verdicts = []
    if checker in ("drup", "both"):
        verdicts.append(("drup", *check_with_drup(clauses, lemmas),
                         time.perf_counter() - start))
    if checker in ("dratify", "both"):
        t0 = time.perf_counter()
        verdicts.append(("dratify", *check_with_dratify(_dimacs(clauses), text),
                         time.perf_counter() - t0))
    if timings is not None:
        timings.update(encode=encode_seconds, proof_bytes=len(text), lemmas=len(lemmas),
                       clauses_checked=len(clauses),
                       **{f"check_{name}": secs for name, _, _, secs in verdicts})
    for _, valid, reason, _ in verdicts:
        if not valid:
            return CheckResult(False, reason)
    return CheckResult(True)
