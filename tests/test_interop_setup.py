"""tests/test_interop.py finds the reference interpreter through ARCADELITE_REFERENCE_PYTHON and
says so when it skips (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_interop_takes_the_reference_from_the_environment(tmp_path):
    missing = str(tmp_path / "no-such-python")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/test_interop.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "ARCADELITE_REFERENCE_PYTHON": missing},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert " skipped" in done.stdout and " passed" not in done.stdout
    assert missing in done.stdout and "ARCADELITE_REFERENCE_PYTHON" in done.stdout
