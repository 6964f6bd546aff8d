"""Wall-clock limits that really stop a computation: a call in a forked child process that
is killed at its deadline.

Building a formula (bit-blasting, tactic pipelines) and some solver bindings (CaDiCaL,
Kissat and Lingeling in PySAT, cvc5's eager bit-blaster, the model counters) cannot be
interrupted in-process, so a limit that must hold runs the work in a child made by
``fork`` and kills it when time is up.  Only the result travels back (pickled through a
pipe); the function and its arguments are inherited by the fork, so closures are fine.

Nesting.  A child records when its parent will kill it (and a process that set its own
alarm, :func:`terminate_this_process_after`, when it dies).  Code inside it that would fork
again for a limit the enclosing one already enforces as tightly (solve's watchdog, or a
non-interruptible PySAT solver's, inside a benchmark run that ends itself at the limit)
asks :func:`enclosing_limit_covers` and runs in-process instead.  A limit shorter than the
enclosing one, or one the enclosing watchdog would enforce later than the caller's own
(CaDiCaL, killed exactly at its limit, inside ``solve``'s child, which is killed
:data:`GRACE` later), still forks.  (The steps of ``--encoding auto`` get no watchdog of
their own: each backend's own limit ends a non-final step, which can overrun its share by
as much as that backend overruns limits.)

Ctrl-C.  The child ignores SIGINT; the parent, waiting in ``poll``, receives the
``KeyboardInterrupt`` and kills the child on the way out.

Limitation: ``fork`` is POSIX only; where it is missing :func:`call_in_child` runs the call
in this process without a limit.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import time
from collections.abc import Callable

#: ``time.monotonic()`` at which an enclosing watchdog kills this process (None: nobody).
_enclosing_deadline: float | None = None

#: Seconds past a limit before a computation that has not stopped by itself is killed.
GRACE = 1.0

#: Slack when comparing a requested limit with the enclosing one (seconds).
_SLACK = 0.05


class ChildDiedError(RuntimeError):
    """The child process ended without sending a result (killed by a signal, for example
    under an address-space limit, or crashed inside native code)."""

    def __init__(self, exitcode: int | None):
        super().__init__(f"the child process died without an answer (exit code {exitcode})")
        self.exitcode = exitcode


def enclosing_limit_covers(seconds: float | None, grace: float) -> bool:
    """True when this process runs under a watchdog that kills it no later than
    ``seconds + grace`` from now, so a limit of ``seconds`` that may be enforced up to
    ``grace`` seconds late needs no fork of its own.  A caller passes the grace its own
    watchdog would give (0 where its own child would be killed exactly at the limit)."""
    if _enclosing_deadline is None or seconds is None:
        return False
    return _enclosing_deadline <= time.monotonic() + seconds + grace + _SLACK


def terminate_this_process_after(seconds: float) -> None:
    """Have the kernel terminate this process ``seconds`` from now (``SIGALRM`` with its
    default action, which no native code can delay), and record that deadline so limits
    up to it need no fork (:func:`enclosing_limit_covers`).  For a process that exists to
    run one job, such as a benchmark run; its parent sees exit status ``-SIGALRM``."""
    global _enclosing_deadline
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    deadline = time.monotonic() + seconds
    _enclosing_deadline = deadline if _enclosing_deadline is None \
        else min(deadline, _enclosing_deadline)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def cancel_termination() -> None:
    """Undo :func:`terminate_this_process_after` (the job is done; what is left is
    reporting it)."""
    signal.setitimer(signal.ITIMER_REAL, 0)


def call_in_child(func: Callable, args: tuple = (), seconds: float | None = None
                  ) -> tuple[bool, object]:
    """``(True, func(*args))`` computed in a forked child, or ``(False, None)`` when
    ``seconds`` pass first (the child is killed; ``None``: no limit).

    An exception raised by ``func`` is raised here (one that does not survive pickling as
    ``RuntimeError`` with its text); a child that dies without an answer raises
    :class:`ChildDiedError`.  The child dies with this process (Linux: ``PR_SET_PDEATHSIG``),
    so a child killed here takes its own children along.
    """
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform
        return True, func(*args)
    receive, send = ctx.Pipe(duplex=False)
    # Not a daemon: a child may fork a child of its own (cvc5, a nested limit).
    deadline = None if seconds is None else time.monotonic() + seconds
    child = ctx.Process(target=_child_main, args=(send, func, args, deadline, os.getpid()))
    child.start()
    send.close()
    try:
        if not _wait(receive, deadline):
            return False, None
        try:
            kind, value = receive.recv()
        except EOFError:
            child.join()
            raise ChildDiedError(child.exitcode) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if kind == "error":
        raise value
    return True, value


#: Longest single wait (``poll`` takes milliseconds in a C int).
_MAX_WAIT = 86_400.0


def _wait(receive, deadline: float | None) -> bool:
    """Wait for the child's message until ``deadline`` (in slices, so that any limit, even
    one of years, is accepted)."""
    if deadline is None:
        return receive.poll(None)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return receive.poll(0)
        if receive.poll(min(left, _MAX_WAIT)):
            return True


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this process when its parent dies (no-op elsewhere)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives a pickle round trip (the parent can rebuild it), else a
    ``RuntimeError`` with its type and text."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception as why:
        return RuntimeError(f"{type(exc).__name__}: {exc} ({why})")
    return exc


def _child_main(send, func, args, deadline: float | None, parent_pid: int) -> None:
    global _enclosing_deadline
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if deadline is not None:  # CLOCK_MONOTONIC is system-wide: the parent's clock too
        _enclosing_deadline = deadline if _enclosing_deadline is None \
            else min(deadline, _enclosing_deadline)
    try:
        message = ("ok", func(*args))
    except BaseException as exc:  # handed to the parent, which raises it
        message = ("error", _portable(exc))
    try:
        send.send(message)
    except Exception as exc:  # an unpicklable value: say what it was
        what = message[1]
        send.send(("error", RuntimeError(f"{type(what).__name__}: {what} ({exc})")))
    send.close()
    os._exit(0)  # no atexit handlers or buffers inherited from the parent
