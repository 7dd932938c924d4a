"""Byte-compile the package before timing it, as ``pip install`` does for its users.

Without .pyc files every fresh process compiles arcadelite's modules from source on import
(5 ms for the async executor alone), and some environments (this one sets
PYTHONDONTWRITEBYTECODE=1) never write them. Benchmarks measure the product as installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def compile_sources(python: str = sys.executable) -> None:
    """Write .pyc files for src/ with the interpreter that will run the benchmark."""
    subprocess.run([python, "-m", "compileall", "-q", str(SRC)], check=True)
