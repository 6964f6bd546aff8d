"""Regression (found by the adversarial review): on this instance (layers [3, 12, 1], 6-bit
weights, 60 samples) building the counting CNF and the backbone search took 19 s under
``count --method exact --timeout 2`` (7.5 s for approx), because only the counters
themselves ran under the limit.  ``count_instance`` now runs the whole count in a child
killed GRACE seconds after the timeout."""

import time
from pathlib import Path

import pytest

from ermsolve.counting import count_instance
from ermsolve.instance import load_instance
from ermsolve.watchdog import GRACE

CASE = Path(__file__).parent / "count_preprocessing_timeout.json"


@pytest.mark.parametrize("method", ["exact", "approx", None])
def test_count_timeout_covers_preprocessing(method):
    inst = load_instance(CASE)
    start = time.monotonic()
    result = count_instance(inst, method, timeout=1.0)
    elapsed = time.monotonic() - start
    assert elapsed < 1.0 + GRACE + 2.0, elapsed  # 2 s slack for fork and a loaded machine
    if result.timed_out:
        assert result.count is None and "within 1 s" in result.details["reason"]
        assert result.method == (method or "auto")
