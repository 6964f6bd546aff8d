"""One exception tree for ermsolve.

Every error a user can cause derives from :class:`ErmsolveError`; the subclasses are also
the matching builtin (``ValueError``, ``OSError``) so generic handlers still work.  The
command line turns any :class:`ErmsolveError` into one line on stderr and exit code 2.
"""

from __future__ import annotations


class ErmsolveError(Exception):
    """Root of every error ermsolve raises on purpose."""


class InstanceError(ErmsolveError, ValueError):
    """The instance (or another input file) is malformed, inconsistent or too large.

    ``where`` names the offending place (a file, a JSON path such as ``data.inputs[3][1]``).
    """

    def __init__(self, message: str, where: str | None = None):
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class UnsupportedError(ErmsolveError, ValueError):
    """A valid request that this encoding or backend cannot honour (the message names an
    alternative)."""


class BackendUnavailableError(ErmsolveError, RuntimeError):
    """A backend is known but its Python package is not installed."""


class CertificateError(ErmsolveError, ValueError):
    """A certificate file is unreadable or not of the ``ermbit-certificate/1`` format."""


class SizeLimitError(ErmsolveError, ValueError):
    """The instance would exceed a size limit; the message gives the estimate and the option
    that raises the limit."""


class UsageError(ErmsolveError, ValueError):
    """Command-line options that contradict each other."""
