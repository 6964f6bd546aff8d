"""The fork-and-kill watchdog (ermsolve.watchdog) and the one-fork-per-run rule."""

from __future__ import annotations

import os
import signal
import time

import pytest

from ermsolve import watchdog
from ermsolve.backends import pysat_backend
from ermsolve.instance import parse_instance
from ermsolve.solve import solve
from ermsolve.watchdog import ChildDiedError, call_in_child, enclosing_limit_covers


def _add(a, b):
    return a + b


def _sleep(seconds):
    time.sleep(seconds)
    return "woke"


def _raise_value_error():
    raise ValueError("bad value 7")


class _Unpicklable(Exception):
    def __init__(self):
        super().__init__("carries a lock")
        self.fd = open(os.devnull)  # noqa: SIM115 - file objects do not pickle

    def __reduce__(self):
        raise TypeError("not picklable")


def _raise_unpicklable():
    raise _Unpicklable()


def _die():
    os.kill(os.getpid(), signal.SIGKILL)


def test_value_comes_back():
    assert call_in_child(_add, (2, 3), 10) == (True, 5)
    assert call_in_child(_add, (2, 3), None) == (True, 5)


def test_timeout_kills_the_child_promptly():
    start = time.monotonic()
    assert call_in_child(_sleep, (30,), 0.3) == (False, None)
    assert time.monotonic() - start < 5


def test_exception_is_raised_in_the_parent_with_its_type():
    with pytest.raises(ValueError, match="bad value 7"):
        call_in_child(_raise_value_error, (), 10)


def test_unpicklable_exception_becomes_runtime_error_with_its_text():
    with pytest.raises(RuntimeError, match="_Unpicklable: carries a lock"):
        call_in_child(_raise_unpicklable, (), 10)


def test_a_child_that_dies_raises_child_died():
    with pytest.raises(ChildDiedError, match="exit code -9"):
        call_in_child(_die, (), 10)


def test_no_enclosing_limit_in_the_main_process():
    assert not enclosing_limit_covers(5.0, 1.0)
    assert not enclosing_limit_covers(None, 1.0)


def _covers(seconds, grace):
    return enclosing_limit_covers(seconds, grace)


def test_a_child_knows_its_deadline():
    # Killed at 10 s: a limit of 10 s is covered; 9.5 s only for a caller that accepts
    # being stopped 0.5 s late or more; 5 s is not (the caller must fork for it).
    assert call_in_child(_covers, (10.0, 0.0), 10.0) == (True, True)
    assert call_in_child(_covers, (9.5, 1.0), 10.0) == (True, True)
    assert call_in_child(_covers, (9.5, 0.0), 10.0) == (True, False)
    assert call_in_child(_covers, (5.0, 1.0), 10.0) == (True, False)
    assert call_in_child(_covers, (None, 1.0), 10.0) == (True, False)
    # A nested child keeps the earlier of the two deadlines.
    assert call_in_child(call_in_child, (_covers, (2.0, 0.0), 100.0), 2.0) \
        == (True, (True, True))


XOR = {
    "format": "ermbit/1",
    "architecture": {"layers": [2, 2, 1], "activation": "relu"},
    "domain": {"type": "set", "values": ["-1", "0", "1"]},
    "loss": "zero_one", "threshold": "0",
    "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[-1], [1], [1], [-1]]},
}


def _no_fork(*_args, **_kwargs):
    raise AssertionError("forked")


def _solve_in_benchmark_like_process(inst, timeout):
    watchdog.terminate_this_process_after(timeout)
    return solve(inst, "cnf", "cadical195", timeout=timeout).status


def test_cadical_forks_only_where_its_limit_is_not_already_enforced(monkeypatch):
    # Patches are inherited by forks: a fork by solve() or by the PySAT backend raises.
    inst = parse_instance(XOR)
    expected = solve(inst, "cnf", "cadical195").status
    monkeypatch.setattr(pysat_backend, "call_in_child", _no_fork)
    monkeypatch.setattr(watchdog, "call_in_child", _no_fork)  # solve's run_killable
    # A process that ends itself at the limit (a benchmark run): no fork at all.
    assert call_in_child(_solve_in_benchmark_like_process, (inst, 30.0), 60.0) \
        == (True, expected)
    # Under `solve --timeout`, solve's child is killed GRACE after the limit, later than
    # CaDiCaL's own watchdog would stop it, so solve forks (and here hits the patch).
    with pytest.raises(AssertionError, match="forked"):
        solve(inst, "cnf", "cadical195", timeout=30)


def _alarmed(seconds, then_sleep):
    watchdog.terminate_this_process_after(seconds)
    covered = enclosing_limit_covers(seconds, 0.0)
    if then_sleep:
        time.sleep(then_sleep)
    return covered


def test_a_process_with_its_own_alarm_needs_no_fork_and_dies_on_time():
    assert call_in_child(_alarmed, (5.0, 0), 10.0) == (True, True)
    start = time.monotonic()
    with pytest.raises(ChildDiedError, match=f"exit code {-signal.SIGALRM}"):
        call_in_child(_alarmed, (0.3, 30), 10.0)
    assert time.monotonic() - start < 5


class _TwoArgumentError(Exception):
    def __init__(self, what, where):
        super().__init__(f"{what} at {where}")


def _raise_two_argument_error():
    raise _TwoArgumentError("bad", "here")


def test_exception_that_cannot_be_rebuilt_is_not_a_type_error():
    # Plain pickle rebuilds an exception from its args, which fails here, so the child sends
    # a RuntimeError with the text; with tblib's pickling support installed (dask
    # distributed installs it) the exception itself comes back.  Never a TypeError.
    with pytest.raises((RuntimeError, _TwoArgumentError), match="bad at here"):
        call_in_child(_raise_two_argument_error, (), 10)


def _leaf(pid_file):
    with open(pid_file, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(60)


def _middle(pid_file):
    return call_in_child(_leaf, (pid_file,), 60)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(not os.path.exists("/proc"), reason="PR_SET_PDEATHSIG is Linux only")
def test_killing_a_child_kills_its_own_children(tmp_path):
    pid_file = tmp_path / "leaf.pid"
    assert call_in_child(_middle, (str(pid_file),), 1.5) == (False, None)
    leaf = int(pid_file.read_text())
    for _ in range(50):
        if not _alive(leaf):
            break
        time.sleep(0.1)
    assert not _alive(leaf), "the grandchild outlived the killed child"


def test_a_limit_of_years_is_accepted():
    assert call_in_child(_add, (1, 2), 1e9) == (True, 3)
