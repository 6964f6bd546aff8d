"""The one registry of encodings and the solvers each can run on.

An entry names the encoding, its solvers (the first is the default) and a runner
``run(lowered, solver, timeout) -> RawOutcome``.  Runners are imported lazily so that a
missing optional package only matters when its encoding is used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .errors import UnsupportedError


@dataclass(frozen=True)
class EncodingEntry:
    name: str
    description: str
    solvers: tuple[str, ...]
    runner: str  # "module:function", imported on first use
    proofs: tuple[str, ...] = ()  # solvers whose unsat answers come with a checkable proof

    @property
    def default_solver(self) -> str:
        return self.solvers[0]

    def load_runner(self):
        module, func = self.runner.split(":")
        return getattr(importlib.import_module(module, __package__), func)


ENCODINGS: dict[str, EncodingEntry] = {
    "bv": EncodingEntry("bv", "exact-width bit-vectors (QF_BV)",
                        ("z3", "z3-smt", "bitwuzla", "cvc5"), ".backends.bv_solvers:run_bv"),
    "cnf": EncodingEntry("cnf", "ermsolve's own bit-blasting to CNF, PySAT solvers",
                         ("cadical195", "cadical103", "cadical153", "cadical300", "ergo",
                          "gluecard3", "gluecard4", "glucose3", "glucose4", "glucose42",
                          "kissat404", "lingeling", "maplechrono", "maplecm", "maplesat",
                          "mergesat3", "minicard", "minisat22", "minisatep"),
                         ".backends.pysat_backend:run_cnf",
                         proofs=("cadical195", "cadical103", "cadical153", "cadical300",
                                 "ergo", "gluecard3", "gluecard4", "glucose3", "glucose4",
                                 "glucose42", "lingeling", "maplechrono", "maplecm")),
    "lia": EncodingEntry("lia", "linear integers, products linearized exactly (QF_LIA)",
                         ("z3", "z3-bigm"), ".backends.z3_int:run_lia"),
    "nia": EncodingEntry("nia", "naive nonlinear integers, the baseline (QF_NIA)", ("z3",),
                         ".backends.z3_int:run_nia"),
    "brute-vec": EncodingEntry("brute-vec", "peer baseline: exhaustive grid, numpy, exact "
                               "integers", ("numpy",), ".encodings.grid:run_brute_vec"),
    "cpsat": EncodingEntry("cpsat", "peer baseline: OR-Tools CP-SAT integer model (unsat is "
                           "CP-SAT's claim)", ("cp-sat", "cp-sat-2"),
                           ".encodings.cpsat:run_cpsat"),
    "milp": EncodingEntry("milp", "peer baseline: big-M MILP on HiGHS (floating point; sat "
                          "re-checked exactly, infeasible is never exact)",
                          ("highs", "highs-claim"), ".encodings.milp:run_milp"),
    "auto": EncodingEntry("auto", "picks encodings/solvers from instance features and runs "
                          "them in turn (see ermsolve.auto)", ("auto",), ".auto:run_auto"),
}
# z3's bit-blasting of the bv formula, kept as a reference for cnf: the same PySAT solvers.
ENCODINGS["cnf-z3"] = EncodingEntry("cnf-z3", "the bv formula bit-blasted to CNF by z3's "
                                    "tactics (reference), PySAT solvers",
                                    ENCODINGS["cnf"].solvers,
                                    ".backends.cnf_z3_backend:run_cnf_z3",
                                    proofs=ENCODINGS["cnf"].proofs)


def get_encoding(name: str) -> EncodingEntry:
    if name not in ENCODINGS:
        raise UnsupportedError(f"unknown encoding {name!r}; available: "
                               f"{', '.join(sorted(ENCODINGS))}")
    return ENCODINGS[name]


def resolve_solver(entry: EncodingEntry, solver: str | None) -> str:
    if solver is None:
        return entry.default_solver
    if solver not in entry.solvers:
        raise UnsupportedError(f"encoding {entry.name!r} runs on {', '.join(entry.solvers)}; "
                               f"not on {solver!r}")
    return solver
