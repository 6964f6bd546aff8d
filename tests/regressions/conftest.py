"""Regression tests import the shared test helpers of ``tests/`` (e.g. ``fuzzing``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
