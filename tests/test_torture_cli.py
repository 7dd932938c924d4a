"""``python -m torture`` as the README shows it: the bare command runs every part (it exited 2
on Python 3.11, whose argparse refused the default; issue 16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALL_PARTS = "crash powerloss concurrency multiprocess fuzz badinput soak async_random faults"


def torture(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "torture", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_bare_command_selects_every_part():
    done = torture("--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ALL_PARTS.split()


def test_named_parts_run_once_each_in_order_given():
    done = torture("fuzz", "crash", "fuzz", "--dry-run")
    assert (done.returncode, done.stdout.split()) == (0, ["fuzz", "crash"])
    assert torture("all", "--dry-run").stdout.split() == ALL_PARTS.split()


def test_unknown_part_is_a_usage_error_naming_it():
    done = torture("nope", "--dry-run")
    assert done.returncode == 2
    assert "unknown part(s) nope" in done.stderr
