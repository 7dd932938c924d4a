"""Faults (issue 10): every fault of the issue, at scale, with real processes, signals and disks.

    python -m torture faults            # every fault, full size (a few minutes)
    python -m torture faults --quick    # every fault, small
    TORTURE_FAULTS_ITEMS=1,2 python -m torture faults --quick   # some items only

Each item of issue 10 runs in a forked child process with a deadline (``faultkit.in_child``), and
the sub-scenarios that can hang or crash run in grandchildren of their own, so that a fault that
leaves arcadelite stuck shows as a FAIL saying "hung", never as a stuck run. Every item prints
one line, ``[faults] item N <what>: PASS|FAIL|NOT TRIED — what happened``; the part fails when
any item fails. Items that need root (a tmpfs, a bind mount, an unprivileged user) say NOT TRIED
with the reason where that is refused; they do not fail the part.

The faults are real: an 8 MB tmpfs that fills up, SIGINT delivered by the kernel (from
``setitimer`` at random microseconds, or from another process holding SQLite's lock so that it
lands right after ``BEGIN IMMEDIATE``), forked children that exit, write or close, symlinks and
bind mounts, bytes overwritten in the file, the WAL deleted, an unprivileged user. The unit
tests of ``tests/faults`` pin each item's contract at small size; this part looks for the cases
they do not reach (random landing points, random sizes, many repetitions).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable

from ..common import Report, workdir
from ..faultkit import Unavailable, in_child
from . import callbacks, disk, interrupts, processes, storage  # noqa: F401 - they register the items
from .base import FAULTS, Ctx, Verdict, short


def run(quick: bool = False, base: str | None = None, seed: int | None = None,
        keep: bool = False, items: list[int] | None = None, smoke: bool = False) -> bool:  # fmt: skip
    """Run every fault (or ``items``); ``smoke`` is smaller still than ``quick`` (the unit suite's
    smoke test)."""
    seed = seed if seed is not None else int.from_bytes(os.urandom(4), "little")
    if items is None and os.environ.get("TORTURE_FAULTS_ITEMS"):  # e.g. "1,2,13"
        items = [int(i) for i in os.environ["TORTURE_FAULTS_ITEMS"].split(",")]
    report = Report("faults")
    report.figure("seed", seed)
    verdicts: dict[int, Verdict] = {}
    with workdir(base, "faults", keep) as root:
        for item, title, fn, deadline in sorted(FAULTS, key=lambda f: f[0]):
            if items is not None and item not in items:
                continue
            folder = os.path.join(root, f"item{item:02d}")
            os.makedirs(folder, exist_ok=True)
            ctx = Ctx(folder, random.Random(seed * 100 + item), quick or smoke, smoke)
            started = time.monotonic()
            outcome = in_child(lambda fn=fn, ctx=ctx: _verdict(fn, ctx), deadline)
            if outcome.ok:
                verdict = outcome.value
            elif outcome.state == "timeout":
                verdict = Verdict(False, f"hung: the item was killed after {deadline} s")
            else:
                verdict = Verdict(False, f"the scenario itself {short(outcome)}")
            verdicts[item] = verdict
            word = {True: "PASS", False: "FAIL", None: "NOT TRIED"}[verdict.ok]
            report.say(f"item {item:>2} {title}: {word} — {verdict.detail} "
                       f"({time.monotonic() - started:.0f} s)")  # fmt: skip
            if verdict.ok is False:
                report.failures.append(f"item {item}")
    for item, verdict in verdicts.items():
        if verdict.details:
            report.say(f"item {item:>2}, everything found:")
            for line in verdict.details:
                report.say(f"    - {line}")
    passed = sum(v.ok is True for v in verdicts.values())
    failed = sum(v.ok is False for v in verdicts.values())
    untried = sum(v.ok is None for v in verdicts.values())
    report.say(f"{passed} PASS, {failed} FAIL, {untried} NOT TRIED of {len(verdicts)} faults")
    return report.finish()


def _verdict(fn: Callable[[Ctx], Verdict], ctx: Ctx) -> Verdict:
    try:
        return fn(ctx)
    except Unavailable as exc:
        return Verdict(None, str(exc))


__all__ = ["FAULTS", "run"]

