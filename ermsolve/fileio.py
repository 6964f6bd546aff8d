"""Atomic file writing: a crash or interrupt never leaves a half-written file in place of a
good one (write a temporary file in the same folder, flush it to disk, then rename)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import ErmsolveError


class OutputError(ErmsolveError, OSError):
    """An output file could not be written."""


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` atomically (same-folder temporary file + ``os.replace``)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Replace ``path`` by the UTF-8 ``text`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))
