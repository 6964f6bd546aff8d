"""ermsolve: exact finite-precision neural-network training (ERM_bit).

The pipeline, one module per step:

1. :mod:`ermsolve.instance` — the ``ermbit/1`` format, validated into exact rationals
   (:mod:`ermsolve.rationals`, :mod:`ermsolve.activations`);
2. :mod:`ermsolve.network` — the exact forward pass and loss (the ground truth), with
   :mod:`ermsolve.brute` enumerating the parameter grid;
3. :mod:`ermsolve.lowering` — the instance as an integer circuit with exact intervals
   (:mod:`ermsolve.circuit`), from which every encoding's widths follow;
4. :mod:`ermsolve.encodings` — one module per encoding (``bv``, ...), and
   :mod:`ermsolve.backends` — one module per solver family, listed in
   :mod:`ermsolve.registry`;
5. :mod:`ermsolve.solve` — runs an encoding and re-checks every sat answer exactly;
6. :mod:`ermsolve.certificate` and :mod:`ermsolve.checker` — certificates and their
   independent verifier.

Python API::

    import ermsolve
    inst = ermsolve.load_instance("benchmarks/instances/iris_setosa_versicolor_relu.json")
    result = ermsolve.solve(inst, encoding="bv")
    result.status, result.loss, result.parameters
    cert = ermsolve.certificate_json(inst, result)
    ermsolve.check_certificate(inst, cert).valid
"""

__version__ = "0.1.0"

from .certificate import certificate_json, read_certificate, write_certificate
from .checker import check_certificate
from .instance import Instance, load_instance, parse_instance
from .result import SolveResult, Status
from .solve import solve

__all__ = [
    "Instance",
    "SolveResult",
    "Status",
    "certificate_json",
    "check_certificate",
    "load_instance",
    "parse_instance",
    "read_certificate",
    "solve",
    "write_certificate",
]
