"""Items 9-11 of issue 10: forked children, a second path to an open database, and half-consumed
iterators that pin read snapshots."""

from __future__ import annotations

import atexit
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import arcadelite as arcadedb
from arcadelite import ArcadeDBError
from arcadelite.exceptions import DatabaseLockedError

from .. import faultkit
from ..faultkit import Unavailable, in_child, in_thread
from .base import (
    Ctx,
    Verdict,
    fault,
    isolated,
    judge,
    keyed_db,
    present,
    short,
    write_one,
)

CHILD_ACTIONS: dict[str, Callable[[arcadedb.Database], Any]] = {
    "exits normally": lambda db: atexit._run_exitfuncs(),
    "closes the database": lambda db: db.close(),
    "reads": lambda db: db.count_type("D"),
    "writes": lambda db: write_one(db, -7),
    "writes async": lambda db: (db.async_executor().create_record(db.new_document("D").set("n", -8)),
                                db.async_executor().wait_completion(timeout=5)),
    "exits with os._exit": lambda db: None,
}


def _fork_during_load(folder: str, seed: int, forks: int) -> list[str]:
    rng = random.Random(seed)
    path = os.path.join(folder, "db")
    db = keyed_db(path)
    executor = db.async_executor().set_commit_every(rng.choice([0, 100, 2000]))
    problems: list[str] = []
    outcomes: Counter = Counter()
    n = 0
    for fork_number in range(forks):
        for _ in range(rng.randint(100, 3000)):
            executor.create_record(db.new_document("D").set("n", n))
            n += 1
        time.sleep(rng.uniform(0, 0.02))
        action = rng.choice(list(CHILD_ACTIONS))
        child = in_child(partial(CHILD_ACTIONS[action], db), timeout=10)
        if child.state == "timeout":
            problems.append(f"a child that {action} hung")
        elif action in ("reads", "writes", "writes async"):
            if not (child.state == "raised" and child.error["arcadedb"]):
                outcomes[f"a child that {action}: {short(child)}"] += 1
        seen = faultkit.open_elsewhere(path)
        if not seen.startswith("DatabaseLockedError"):
            problems.append(f"after fork {fork_number} (child {action}): another process opened the database")
            break
    for text, count in outcomes.items():
        problems.append(f"{text} (x{count})")
    waited = in_thread(lambda: executor.wait_completion(timeout=60), timeout=70)
    if not waited.ok:
        problems.append(f"the parent's load: {short(waited)}")
    if in_thread(db.close, timeout=30).state == "timeout":
        return [*problems, "close hung"]
    stored = present(path)
    if isinstance(stored, str):
        return [*problems, stored]
    if stored != set(range(n)):
        problems.append(f"the parent's data: {len(stored)} records, not {n} "
                        f"(children's writes: {sorted(stored - set(range(n)))[:3]})")  # fmt: skip
    return problems


def _fork_one(path: str, action: str) -> list[str]:
    """One child forked from a process holding the database; what the child and then the
    parent see."""
    db = keyed_db(path)
    write_one(db, 1)
    child = in_child(partial(CHILD_ACTIONS[action], db), timeout=10)
    found = []
    if child.state == "timeout":
        found.append("the child hung")
    elif action in ("reads", "writes", "writes async"):
        message = (child.error or {}).get("message", "").lower()
        if not (child.state == "raised" and child.error["arcadedb"]):
            found.append(f"no clear error in the child: {short(child)}")
        elif "fork" not in message and "process" not in message:
            found.append(f"the child's error does not say why: {short(child)}")
    if not faultkit.open_elsewhere(path).startswith("DatabaseLockedError"):
        found.append("another process could open the parent's database")
    if [r.get("n") for r in db.query("sql", "SELECT n FROM D")] != [1]:
        found.append("the child changed the parent's data")
    db.close()
    return found


@fault(9, "fork: children that exit, touch the database, or are forked mid-write", deadline=900)
def fork_children(ctx: Ctx) -> Verdict:
    problems: Counter = Counter()
    folder = ctx.sub("simple")
    for action in ["exits normally", "writes"] if ctx.smoke else CHILD_ACTIONS:
        sub = os.path.join(folder, action.replace(" ", "-"))
        for p in isolated(partial(_fork_one, sub, action), 60, action):
            problems[f"a child that {action}: {p}"] += 1
    forks = ctx.scale(6, 40)
    for p in isolated(lambda: _fork_during_load(ctx.sub("load"), ctx.rng.randrange(1 << 30), forks),
                      600, "forks during a load"):  # fmt: skip
        problems[f"forks during an async load: {p}"] += 1
    return judge(problems, len(CHILD_ACTIONS) + forks, "forks")


@fault(10, "a second path to an open database", deadline=300)
def second_path(ctx: Ctx) -> Verdict:
    folder = ctx.sub("paths")
    path = os.path.join(folder, "db")
    problems: Counter = Counter()

    def scenario() -> list[str]:
        found = []
        db = arcadedb.create_database(path)
        os.symlink(path, os.path.join(folder, "link"))
        os.symlink(folder, os.path.join(folder, "folderlink"))
        routes = {
            "a symlink": os.path.join(folder, "link"),
            "a symlinked parent": os.path.join(folder, "folderlink", "db"),
            "a trailing slash": path + "/",
            "a '..' detour": os.path.join(path, "..", "db"),
            "a relative path": os.path.relpath(path),
        }
        try:
            with faultkit.bind_mount(path, os.path.join(folder, "bound")) as bound:
                routes["a bind mount"] = bound
                found += _second_opens(routes)
        except Unavailable:
            found += _second_opens(routes)
            found.append("(bind mount not tried)")
        db.close()
        for name, route in routes.items():
            if name == "a bind mount":
                continue
            try:
                arcadedb.open_database(route).close()
            except Exception as exc:
                found.append(f"closed, then opened through {name}: {type(exc).__name__}: {exc}")
        return found

    for p in isolated(scenario, 120, "paths"):
        problems[p] += 1
    untried = problems.pop("(bind mount not tried)", None)
    return judge(problems, 6, "routes", "bind mount not tried" if untried else "")


def _second_opens(routes: dict[str, str]) -> list[str]:
    found = []
    for name, route in routes.items():
        try:
            arcadedb.open_database(route).close()
            found.append(f"opened twice in one process through {name}")
        except DatabaseLockedError as exc:
            if "this process" not in str(exc):
                found.append(f"through {name}: says another process (pid {os.getpid()}, ours) holds it")
        except Exception as exc:
            found.append(f"through {name}: {type(exc).__name__}: {exc}")
    return found


def _pinned(folder: str, megabytes: int, pinned_threads: int) -> list[str]:
    path = os.path.join(folder, "db")
    db = keyed_db(path)
    with db.transaction():
        for n in range(1000):
            db.new_document("D").set("n", n).save()
    problems = []
    iterators = []
    ready = threading.Barrier(pinned_threads + 1)
    done = threading.Event()

    def pin_elsewhere() -> None:  # half-consumed iterators in other threads, held open
        records = db.iterate_type("D")
        next(records)
        ready.wait()
        done.wait(600)
        del records

    threads = [threading.Thread(target=pin_elsewhere, daemon=True) for _ in range(pinned_threads)]
    for thread in threads:
        thread.start()
    ready.wait()
    mine = db.iterate_type("D")
    iterators.append(next(mine))
    wal = os.path.join(path, "arcadelite.sqlite-wal")
    largest = 0
    n = 10_000

    def write_batch(start: int) -> None:
        with db.transaction():
            for i in range(500):
                db.new_document("D").set("n", start + i).set("pad", "x" * 2000).save()

    for _ in range(megabytes):  # ~1 MB per batch
        outcome = in_thread(lambda n=n: write_batch(n), timeout=30)
        if not outcome.ok:
            problems.append(f"another thread's write: {short(outcome)}")
            break
        n += 500
        largest = max(largest, os.path.getsize(wal) if os.path.exists(wal) else 0)
    if largest > 8_000_000:
        problems.append(f"the WAL grew to {largest / 1e6:.0f} MB behind the pinned snapshots")
    if db.count_type("D") != n - 10_000 + 1000:
        problems.append("this thread reads a stale snapshot")
    try:
        write_one(db, 5_000_000)
    except Exception as exc:
        kind = "" if isinstance(exc, ArcadeDBError) else "raw "
        problems.append(f"this thread's write: {kind}{type(exc).__name__}: {str(exc)[:40]}")
    rest = [r.get("n") for r in mine]
    if len(rest) != len(set(rest)):
        problems.append("the iterator repeated records")
    done.set()
    in_thread(db.close, timeout=30)
    return problems


@fault(11, "half-consumed iterators pin read snapshots", deadline=600)
def pinned_iterators(ctx: Ctx) -> Verdict:
    megabytes = 12 if ctx.quick else 50  # above the 8 MB a pinned WAL must stay under
    problems: Counter = Counter()
    for pinned in (0,) if ctx.smoke else (0, 3):
        for p in isolated(partial(_pinned, ctx.sub(f"pinned{pinned}"), megabytes, pinned), 300,
                          "pinned"):  # fmt: skip
            problems[f"{pinned + 1} pinned iterator(s): {p}"] += 1
    return judge(problems, 2, "runs", f"{megabytes} MB written")
