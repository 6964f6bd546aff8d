"""Encodings: each turns a lowered instance (:mod:`ermsolve.lowering`) into a formula for
one kind of backend and maps the backend's assignment back to parameters."""
