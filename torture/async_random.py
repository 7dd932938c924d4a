"""Randomized exactness of the AsyncExecutor across every parallel level (issue 4).

Each run draws a parallel level (1..16), a commit cadence, a back-pressure threshold, and a
random mix of creates, updates and deletes with injected duplicate keys, then checks that
committed + failed == submitted, that every failure is a reported duplicate, and that the stored
data equals the expected data exactly.

    python -m torture async_random            # 100 runs
    python -m torture async_random --quick    # 10 runs
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time

import arcadelite as arcadedb
from arcadelite.exceptions import DuplicatedKeyError


def prepare(db) -> None:
    """The schema the workload writes to: Item(key LONG) with a unique index on key."""
    db.schema.create_vertex_type("Item")
    db.schema.create_property("Item", "key", "LONG")
    db.schema.create_index("Item", ["key"], unique=True)


def run_random_workload(db, seed: int, max_ops: int = 1500) -> None:
    """Random levels, commit sizes, back-pressure, failures and mixed operations; exact end."""
    rng = random.Random(seed)
    level = rng.randint(1, 16)
    ex = (
        db.async_executor()
        .set_parallel_level(level)
        .set_commit_every(rng.choice([0, 1, 7, 100, 1000]))
        .set_back_pressure(rng.choice([0, 10, 50, 75, 100]))
    )
    expected: dict[int, int] = {}
    live: list = []
    failures: list = []
    submitted = 0
    for step in range(rng.randint(200, max_ops)):
        action = rng.random()
        if action < 0.6 or not live:
            key = step
            vertex = db.new_vertex("Item").set("key", key).set("value", 0)
            if rng.random() < 0.03 and expected:  # an injected duplicate key
                vertex.set("key", rng.choice(list(expected)))
            else:
                expected[key] = 0
                live.append(vertex)
            ex.create_record(vertex, error_callback=failures.append)
        elif action < 0.85:
            vertex = rng.choice(live)
            value = rng.randint(1, 1000)
            vertex.set("value", value)
            expected[vertex.get("key")] = value
            ex.update_record(vertex, error_callback=failures.append)
        else:
            vertex = live.pop(rng.randrange(len(live)))
            del expected[vertex.get("key")]
            ex.delete_record(vertex, error_callback=failures.append)
        submitted += 1
    ex.wait_completion()
    stats = ex.stats()
    ex.close()
    assert stats["committed"] + stats["failed"] == stats["submitted"] == submitted
    assert all(isinstance(f.cause, DuplicatedKeyError) for f in failures), failures[:3]
    assert stats["failed"] == len(failures)
    stored = {r.get("key"): r.get("value") for r in db.iterate_type("Item")}
    assert stored == expected, f"seed {seed} level {level}"


def run(quick: bool = False, base: str | None = None, seed: int | None = None,
        keep: bool = False) -> bool:  # fmt: skip
    runs = 10 if quick else 100
    first = seed if seed is not None else random.randrange(1 << 30)
    print(f"[async_random] {runs} runs, seeds {first}..{first + runs - 1}", flush=True)
    folder = tempfile.mkdtemp(prefix="async-random-", dir=base)
    started = time.monotonic()
    failures = 0
    try:
        for n in range(runs):
            with arcadedb.create_database(f"{folder}/r{n}") as db:
                prepare(db)
                try:
                    run_random_workload(db, first + n, max_ops=1500 if quick else 6000)
                except AssertionError as exc:
                    failures += 1
                    print(f"[async_random] seed {first + n}: {exc}", flush=True)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    elapsed = time.monotonic() - started
    print(f"[async_random] {runs - failures} exact, {failures} failed in {elapsed:.1f} s: "
          f"{'PASS' if not failures else 'FAIL'}", flush=True)  # fmt: skip
    return failures == 0
