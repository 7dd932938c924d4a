"""Items 1-3 of issue 10: a full disk (an 8 MB tmpfs) under transactions, the async executor,
create_database and export_database."""

from __future__ import annotations

import os
import random
import shutil
from collections import Counter
from collections.abc import Callable
from functools import partial

import arcadelite as arcadedb
from arcadelite import ArcadeDBError
from arcadelite.exceptions import TransactionError

from .. import faultkit
from ..faultkit import in_thread
from .base import (
    Ctx,
    Tally,
    Verdict,
    fault,
    isolated,
    judge,
    keyed_db,
    present,
    says_disk_full,
    short,
    write_one,
)


def _pad(i: int, size: int) -> str:
    return f"{i:08d}" + "x" * (size - 8)


def _disk_full_run(disk: str, mode: str, rng: random.Random) -> list[str]:
    """One synchronous transaction meeting ENOSPC; the problems seen afterwards."""
    problems: list[str] = []
    path = os.path.join(disk, "db")
    db = keyed_db(path)
    reserve = os.path.join(disk, "reserve")
    with open(reserve, "wb") as f:
        f.write(b"r" * (1 << 20))
    committed = set()
    for n in range(5):  # a little committed data to keep
        write_one(db, -1 - n)
        committed.add(-1 - n)
    filler = None
    if mode in ("at COMMIT", "auto-transaction"):
        filler = faultkit.fill_disk(disk, leave=rng.randint(256 << 10, 2 << 20))
    error: BaseException | None = None
    late: list[str] = []
    try:
        if mode == "auto-transaction":
            db.set_auto_transaction(True)
            for i in range(400):
                db.new_document("D").set("n", i).set("pad", _pad(i, 50_000)).save()
                committed.add(i)
        else:
            size = 100_000
            count = 300 if mode in ("inside INSERT", "block goes on") else rng.randint(20, 60)
            with db.transaction():
                try:
                    for i in range(count):
                        db.new_document("D").set("n", i).set("pad", _pad(i, size)).save()
                except BaseException as exc:
                    if mode != "block goes on":
                        raise
                    error = exc
                    os.remove(reserve)
                    try:
                        db.new_document("D").set("n", 10_000).save()
                        late.append("accepted")
                    except Exception:
                        late.append("refused")
                    raise
    except BaseException as exc:
        error = error or exc
    finally:
        db.set_auto_transaction(False)
    if error is None:
        problems.append("the disk never filled up")
    elif not isinstance(error, ArcadeDBError):
        problems.append(f"raw {type(error).__module__}.{type(error).__name__}: {str(error)[:60]}")
    elif not says_disk_full(str(error)):
        problems.append(f"the error does not say the disk is full: {str(error)[:60]}")
    if db.is_transaction_active():
        problems.append("the failed transaction stays active")
    try:
        db.new_document("D").set("n", 20_000).save()
        problems.append("a write outside any transaction was accepted (auto-transaction off)")
    except TransactionError:
        pass
    except Exception as exc:
        problems.append(f"a write outside a transaction: {type(exc).__name__}: {str(exc)[:50]}")
    for leftover in (reserve, filler):
        if leftover and os.path.exists(leftover):
            os.remove(leftover)
    other = in_thread(lambda: write_one(db, 30_000), timeout=10)
    if other.ok:
        committed.add(30_000)
    else:
        problems.append(f"another thread's write after freeing space: {short(other)}")
    try:
        write_one(db, 40_000)
        committed.add(40_000)
    except Exception as exc:
        problems.append(f"this thread's next transaction: {type(exc).__name__}: {str(exc)[:50]}")
    closed = in_thread(db.close, timeout=20)
    if closed.state == "timeout":
        return [*problems, "close hung"]
    stored = present(path)
    if isinstance(stored, str):
        problems.append(stored)
    else:
        extra = stored - committed
        missing = committed - stored
        if 10_000 in extra:
            problems.append("a write after SQLite's rollback was committed on its own")
            extra.discard(10_000)
        if extra:
            problems.append(f"{len(extra)} records of the failed transaction were committed")
        if missing:
            problems.append(f"{len(missing)} committed records lost (e.g. {sorted(missing)[:3]})")
    return problems


def _on_tmpfs(ctx: Ctx, name: str, run: Callable[[str], list[str]], deadline: float) -> list[str]:
    disk = ctx.sub(name)
    faultkit.mount_tmpfs(disk, "8m")
    try:
        return isolated(lambda: run(disk), deadline, name)
    finally:
        faultkit.unmount(disk)


@fault(1, "disk full in a synchronous transaction", deadline=900)
def disk_full_transaction(ctx: Ctx) -> Verdict:
    modes = ["inside INSERT", "at COMMIT", "auto-transaction", "block goes on"]
    runs = ctx.scale(4, 16)
    problems: Counter = Counter()
    for i in range(runs):
        mode = modes[i % len(modes)]
        seed = ctx.rng.randrange(1 << 30)
        run = partial(_disk_full_run, mode=mode, rng=random.Random(seed))
        for p in _on_tmpfs(ctx, f"run{i}", run, deadline=90):
            problems[f"{mode}: {p}"] += 1
    return judge(problems, runs)


def _disk_full_async_run(disk: str, commit_every: int, parallel: int, size: int,
                         count: int) -> list[str]:  # fmt: skip
    path = os.path.join(disk, "db")
    db = keyed_db(path)
    tally = Tally.new()
    executor = db.async_executor().set_parallel_level(parallel).set_commit_every(commit_every)
    accepted = set()

    def produce() -> None:
        for i in range(count):
            executor.create_record(
                db.new_document("D").set("n", i).set("pad", _pad(i, size)),
                callback=lambda r, i=i: tally.ok(i),
                error_callback=lambda exc, i=i: tally.err(i, exc),
            )
            accepted.add(i)
        executor.wait_completion(timeout=60)

    problems = []
    produced = in_thread(produce, timeout=90)
    if produced.state == "timeout":
        problems.append("wait_completion hung")
    elif produced.state == "raised":
        problems.append(f"the producer: {short(produced)}")
    closed = in_thread(db.close, timeout=30)
    if closed.state == "timeout":
        return [*problems, "close hung"]
    problems += tally.problems(accepted, present(path))
    not_full = [c for c in tally.failed.values() if not says_disk_full(c)]
    if not_full:
        problems.append(f"{len(not_full)} failures do not say disk full (e.g. {not_full[0][:60]})")
    return problems


@fault(2, "disk full under the async executor", deadline=900)
def disk_full_async(ctx: Ctx) -> Verdict:
    runs = ctx.scale(3, 12)
    problems: Counter = Counter()
    for i in range(runs):
        if i == 0:  # the shape of the unit test: one transaction that outgrows the cache
            commit_every, parallel, size, count = 1000, 1, 100_000, 400
        else:
            commit_every = ctx.rng.choice([0, 1, 7, 50, 200, 1000])
            parallel = ctx.rng.choice([1, 2, 4])
            size = ctx.rng.choice([20_000, 100_000])
            count = ctx.rng.randint(12, 40) * 1_000_000 // size
        shape = f"commit_every={commit_every}, parallel={parallel}, {count} x {size // 1000} KB"
        for p in _on_tmpfs(
            ctx, f"run{i}",
            partial(_disk_full_async_run, commit_every=commit_every, parallel=parallel, size=size,
                    count=count),
            deadline=150,
        ):  # fmt: skip
            problems[f"{shape}: {p}"] += 1
    return judge(problems, runs)


def _create_on_full_disk(disk: str, leave: int) -> list[str]:
    folder = os.path.join(disk, "db")
    filler = faultkit.fill_disk(disk, leave=leave)
    problems = []
    try:
        db = arcadedb.create_database(folder)
    except ArcadeDBError as exc:
        if not (says_disk_full(str(exc)) or "space" in str(exc).lower()):
            problems.append(f"create_database's error does not say why: {str(exc)[:60]}")
    except BaseException as exc:
        problems.append(f"create_database raised a raw {type(exc).__name__}")
    else:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)
    if faultkit.open_files_under(disk):
        problems.append("a file descriptor leaked (the lock stays held)")
    os.remove(filler)
    seen = faultkit.open_elsewhere(folder) if arcadedb.database_exists(folder) else "absent"
    if seen.startswith("DatabaseLockedError"):
        problems.append("another process finds the folder locked")
    shutil.rmtree(folder, ignore_errors=True)
    try:
        arcadedb.create_database(folder).close()
    except Exception as exc:
        problems.append(f"create_database after freeing space: {type(exc).__name__}: {str(exc)[:50]}")
    return problems


def _export_on_full_disk(disk: str, leave: int) -> list[str]:
    path = os.path.join(disk, "db")
    db = arcadedb.create_database(path)
    db.schema.create_document_type("D")
    with db.transaction():
        for i in range(1500):
            db.new_document("D").set("n", i).set("text", os.urandom(400).hex()).save()
    filler = faultkit.fill_disk(disk, leave=leave)
    target = os.path.join(disk, "out", "dump.jsonl.gz")
    problems = []
    try:
        db.export_database(target, verbose=0)
    except ArcadeDBError as exc:
        if not (says_disk_full(str(exc)) or "space" in str(exc).lower()):
            problems.append(f"export's error does not say why: {str(exc)[:60]}")
    except BaseException as exc:
        problems.append(f"export raised a raw {type(exc).__name__}: {str(exc)[:50]}")
    else:
        os.remove(target)
    out = os.path.dirname(target)
    left = os.listdir(out) if os.path.isdir(out) else []
    if left:
        problems.append(f"export left {left}")
    os.remove(filler)
    db.close()
    return problems


@fault(3, "disk full: create_database and export_database", deadline=600)
def disk_full_create_export(ctx: Ctx) -> Verdict:
    problems: Counter = Counter()
    leaves = [0, 4096, 16384, 65536, 262144] if not ctx.quick else [0, 65536]
    for leave in leaves:
        for p in _on_tmpfs(ctx, f"create{leave}", partial(_create_on_full_disk, leave=leave), 60):
            problems[f"create ({leave} B free): {p}"] += 1
    for leave in ([0, 65536, 524288] if not ctx.quick else [0]):
        for p in _on_tmpfs(ctx, f"export{leave}", partial(_export_on_full_disk, leave=leave), 60):
            problems[f"export ({leave} B free): {p}"] += 1
    return judge(problems, 2 * len(leaves), "attempts")
