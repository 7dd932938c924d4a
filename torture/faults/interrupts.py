"""Items 4-5 of issue 10: Ctrl-C (a real SIGINT) right after BEGIN IMMEDIATE, at random moments of
every kind of write, and while a fresh executor starts its workers."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import arcadelite as arcadedb
from arcadelite import ArcadeDBError

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
    short,
    write_one,
)


def _sql_insert(db: arcadedb.Database, n: int) -> None:
    with db.transaction():
        db.command("sql", "INSERT INTO D SET n = ?", n)


WAYS_TO_WRITE: dict[str, Callable[[arcadedb.Database, int], Any]] = {
    "transaction": lambda db, n: write_one(db, n),
    "auto-transaction": lambda db, n: db.new_document("D").set("n", n).save(),
    "SQL INSERT": lambda db, n: _sql_insert(db, n),
    "schema change": lambda db, n: db.schema.create_document_type(f"T{n}"),
}


def _after_interrupt_problems(db: arcadedb.Database, n: int) -> list[str]:
    """What must hold after any interrupt: no transaction, this thread and another write."""
    problems = []
    if db.is_transaction_active():
        problems.append("a transaction stays active")
        try:
            db.rollback()
        except Exception:
            pass
    signal.alarm(15)
    try:
        write_one(db, n)
    except Stuck:
        problems.append("this thread's next write hung")
    except Exception as exc:
        kind = "" if isinstance(exc, ArcadeDBError) else "raw "
        problems.append(f"this thread's next write: {kind}{type(exc).__name__}: {str(exc)[:50]}")
    finally:
        signal.alarm(0)
    other = in_thread(lambda: write_one(db, n + 1), timeout=10)
    if not other.ok:
        problems.append(f"another thread's write: {short(other)}")
    return problems


class Stuck(Exception):
    """Raised by SIGALRM when a step the check makes takes too long."""


def _begin_immediate_landing(folder: str, way: str) -> list[str]:
    """The deterministic landing of tests/faults/test_interrupts.py, for each way to write."""
    db = keyed_db(os.path.join(folder, "db"))
    db.set_auto_transaction(way == "auto-transaction")
    main = threading.get_ident()
    problems = []
    with faultkit.default_sigint(), faultkit.ExternalWriter(db.get_database_path()) as other:

        def interrupt() -> None:
            try:
                if faultkit.blocked_inside(main):
                    signal.pthread_kill(main, signal.SIGINT)
                    time.sleep(0.1)
            finally:
                other.release()

        helper = threading.Thread(target=interrupt)
        helper.start()
        try:
            WAYS_TO_WRITE[way](db, 1)
            problems.append("no interrupt arrived")
        except KeyboardInterrupt as exc:
            if not faultkit.landed_inside(exc):
                problems.append("the interrupt landed outside arcadelite")
        helper.join()
    db.set_auto_transaction(False)
    signal.signal(signal.SIGALRM, _raise_stuck)
    problems += _after_interrupt_problems(db, 100)
    if in_thread(db.close, timeout=20).state == "timeout":
        problems.append("close hung")
    return problems


def _raise_stuck(signum: int, frame: Any) -> None:
    raise Stuck()


def _innermost(exc: BaseException, where: bool = False) -> str:
    """The function the interrupt landed in (with ``where``: and its file and line)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    name = tb.tb_frame.f_code.co_name
    if not where:
        return name
    return f"{name} at {os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"


def _random_interrupts(folder: str, seed: int, rounds: int) -> list[str]:
    """SIGINT to the main thread at random moments (``faultkit.Interrupter``) of a loop of writes
    of every kind, with an async load running beside them. After each interrupt: no transaction
    may stay active, and this thread's next write and another thread's must work."""
    rng = random.Random(seed)
    path = os.path.join(folder, "db")
    db = keyed_db(path)
    executor = db.async_executor().set_commit_every(100)
    async_tally = Tally.new()
    landed: Counter = Counter()
    problems: list[str] = []
    uncertain: set[int] = set()
    committed: set[int] = set()
    interrupter = faultkit.Interrupter()
    signal.signal(signal.SIGALRM, _raise_stuck)
    n = 0
    async_n = 1_000_000
    interrupts = inside = 0
    for round_ in range(rounds):
        for _ in range(20):  # keep the async workers busy
            async_n += 1
            executor.create_record(db.new_document("D").set("n", async_n),
                                   callback=lambda r, k=async_n: async_tally.ok(k),
                                   error_callback=lambda e, k=async_n: async_tally.err(k, e))  # fmt: skip
        way = rng.choice(list(WAYS_TO_WRITE))
        db.set_auto_transaction(way == "auto-transaction")
        n += 10
        interrupted = False
        landing = ""
        try:
            with interrupter.armed(rng.uniform(0.00002, 0.004)):
                WAYS_TO_WRITE[way](db, n)
                if way != "schema change":
                    committed.add(n)
        except KeyboardInterrupt as exc:
            interrupted = True
            interrupts += 1
            if way != "schema change":
                uncertain.add(n)
                committed.discard(n)
            landing = _innermost(exc, where=True)
            if faultkit.landed_inside(exc):
                inside += 1
                landed[_innermost(exc)] += 1
        except Exception as exc:
            kind = "" if isinstance(exc, ArcadeDBError) else "raw "
            problems.append(f"round {round_} ({way}): {kind}{type(exc).__name__}: {str(exc)[:50]}")
        db.set_auto_transaction(False)
        if problems:
            break
        if interrupted:
            found = _after_interrupt_problems(db, n + 5)
            if found:
                problems += [f"after an interrupt ({way}, landed in {landing}): {p}" for p in found]
                break
            committed.update((n + 5, n + 6))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    waited = in_thread(lambda: executor.wait_completion(timeout=30), timeout=40)
    if not waited.ok:
        problems.append(f"the async load: {short(waited)}")
    if in_thread(db.close, timeout=30).state == "timeout":
        return [*problems, "close hung"]
    stored = present(path)
    if isinstance(stored, str):
        return [*problems, stored]
    sync_stored = {k for k in stored if k < 1_000_000}
    lost = committed - sync_stored
    if lost:
        problems.append(f"{len(lost)} acknowledged synchronous writes lost")
    extra = sync_stored - committed - uncertain
    if extra:
        problems.append(f"{len(extra)} writes present that were never acknowledged")
    accepted = set(range(1_000_001, async_n + 1))
    async_stored = {k for k in stored if k >= 1_000_000}
    problems += [f"async: {p}" for p in async_tally.problems(accepted, async_stored)]
    where = ", ".join(f"{name} {count}" for name, count in landed.most_common(4))
    problems.append(f"(info) {round_ + 1} rounds, {interrupts} interrupts, {inside} inside "
                    f"arcadelite (in {where or 'none'})")  # fmt: skip
    return problems


@fault(4, "Ctrl-C inside BEGIN IMMEDIATE or the write gate", deadline=900)
def ctrl_c_writes(ctx: Ctx) -> Verdict:
    problems: Counter = Counter()
    repeats = ctx.scale(1, 3)
    for way in list(WAYS_TO_WRITE)[: 1 if ctx.smoke else None]:
        for r in range(repeats):
            folder = ctx.sub(f"landing-{way.replace(' ', '-')}-{r}")
            for p in isolated(partial(_begin_immediate_landing, folder, way), 120, "landing"):
                problems[f"right after BEGIN IMMEDIATE ({way}): {p}"] += 1
    rounds = ctx.scale(150, 2000)
    random_run = partial(_random_interrupts, ctx.sub("random"), ctx.rng.randrange(1 << 30), rounds)
    for p in isolated(random_run, 600, "random interrupts"):
        problems[p if p.startswith("(info)") else f"random: {p}"] += 1
    return judge(problems, (1 if ctx.smoke else len(WAYS_TO_WRITE)) * repeats + 1, "scenarios")


def _executor_start_rounds(folder: str, seed: int, rounds: int) -> list[str]:
    """Rounds of a fresh executor per round, interrupted while it starts: by the hook of
    ``faultkit.interrupt_main_when_a_thread_starts`` (even rounds) or at a random moment of the
    first submissions (odd rounds)."""
    rng = random.Random(seed)
    path = os.path.join(folder, "db")
    db = keyed_db(path)
    tally = Tally.new()
    accepted: set[int] = set()
    interrupted: set[int] = set()
    problems: list[str] = []
    interrupter = faultkit.Interrupter()
    n = current = 0
    inside = broken_rounds = 0
    for round_ in range(rounds):
        executor = db.async_executor()
        if round_ % 2:
            window = interrupter.armed(rng.uniform(0.00001, 0.003))
        else:
            window = faultkit.interrupt_main_when_a_thread_starts()
            signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            with window:
                for _ in range(300):
                    n += 1
                    current = n
                    executor.create_record(db.new_document("D").set("n", n),
                                           callback=lambda r, k=n: tally.ok(k),
                                           error_callback=lambda e, k=n: tally.err(k, e))  # fmt: skip
                    accepted.add(n)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        except KeyboardInterrupt as exc:
            interrupted.add(current)
            inside += faultkit.landed_inside(exc)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        waited = in_thread(lambda ex=executor: ex.wait_completion(timeout=20), timeout=30)
        closed = in_thread(executor.close, timeout=30) if waited.state != "timeout" else waited
        if not waited.ok or closed.state == "timeout":
            broken_rounds += 1
            if len(problems) < 3:
                problems.append(f"round {round_}: wait {short(waited)}")
            if waited.state == "timeout" or closed.state == "timeout":
                break
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if in_thread(db.close, timeout=30).state == "timeout":
        return [*problems, "close hung"]
    stored = present(path)
    # An interrupted create_record did not return: whether its operation went in is open, and
    # either outcome is right as long as it is consistent. The others are checked exactly.
    tally.committed -= interrupted
    for k in interrupted:
        tally.failed.pop(k, None)
        tally.reports.pop(k, None)
    problems += tally.problems(accepted, stored if isinstance(stored, str) else stored - interrupted)
    if broken_rounds:
        problems.append(f"{broken_rounds} of {rounds} rounds left the executor broken")
    problems.append(f"(info) {len(interrupted)} interrupts, {inside} inside arcadelite")
    return problems


@fault(5, "Ctrl-C while a fresh executor starts its workers", deadline=900)
def ctrl_c_executor_start(ctx: Ctx) -> Verdict:
    rounds = ctx.scale(20, 200)
    run = partial(_executor_start_rounds, ctx.sub("rounds"), ctx.rng.randrange(1 << 30), rounds)
    return judge(Counter(isolated(run, 600, "rounds")), rounds, "rounds")
