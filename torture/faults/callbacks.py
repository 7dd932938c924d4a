"""Items 6-8 of issue 10: callbacks that close the executor or the database, raise SystemExit or
another BaseException, or raise in a success callback."""

from __future__ import annotations

import os
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from arcadelite import ArcadeDBError
from arcadelite.exceptions import AsyncOperationError

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
)


def _closing_callback(folder: str, target: str, where: str, parallel: int, total: int) -> list[str]:
    path = os.path.join(folder, "db")
    db = keyed_db(path)
    executor = db.async_executor().set_commit_every(50).set_parallel_level(parallel)
    tally = Tally.new()
    accepted: set[int] = set()
    calls: list[str] = []
    trigger = total // 10

    def close_it() -> None:
        if calls:
            return
        calls.append("called")
        try:
            (executor if target == "executor" else db).close()
            calls.append("returned")
        except ArcadeDBError:
            calls.append("refused")
        except BaseException as exc:
            calls.append(f"raw {type(exc).__name__}")

    def callback(record: Any) -> None:
        tally.ok(record.get("n"))
        if where == "success callback" and record.get("n") >= trigger:
            close_it()

    def error_callback(exc: BaseException, n: int) -> None:
        tally.err(n, exc)
        if where == "error callback":
            close_it()

    def on_ok(count: int) -> None:
        if where == "on_ok hook" and len(tally.committed) >= trigger:
            close_it()

    executor.on_ok(on_ok)

    def produce() -> None:
        for i in range(total):
            n = 0 if (where == "error callback" and i == trigger) else i  # a duplicate of key 0
            try:
                executor.create_record(db.new_document("D").set("n", n), callback=callback,
                                       error_callback=lambda e, i=i: error_callback(e, i))  # fmt: skip
            except ArcadeDBError:
                break
            accepted.add(i)
        if not executor.is_closed():
            executor.wait_completion(timeout=20)

    produced = in_thread(produce, timeout=30)
    problems = []
    if calls[1:2] not in (["returned"], ["refused"]):
        problems.append(f"close() in the {where}: {'never returned' if calls == ['called'] else calls}")
    if produced.state == "timeout" or (produced.state == "raised" and not produced.error["arcadedb"]):
        problems.append(f"the producer: {short(produced)}")
    if in_thread(db.close, timeout=30).state == "timeout":
        return [*problems, "db.close() hung"]
    stored = present(path)
    if where == "error callback" and not isinstance(stored, str):
        tally.failed.pop(trigger, None)  # the planted duplicate: its failure is right
        accepted.discard(trigger)
    return problems + tally.problems(accepted, stored)


@fault(6, "a callback closes the executor or the database", deadline=900)
def callbacks_close(ctx: Ctx) -> Verdict:
    variants = [(t, w, p) for t in ("executor", "database")
                for w in ("success callback", "error callback", "on_ok hook") for p in (1, 4)]  # fmt: skip
    if ctx.quick:
        variants = variants[::3] if not ctx.smoke else variants[::6]
    total = ctx.scale(500, 5000)
    problems: Counter = Counter()
    for i, (target, where, parallel) in enumerate(variants):
        folder = ctx.sub(f"v{i}")
        for p in isolated(partial(_closing_callback, folder, target, where, parallel, total), 90,
                          "variant"):  # fmt: skip
            problems[f"{target}.close() in the {where}: {p}"] += 1
    return judge(problems, len(variants), "variants")


class Boom(BaseException):
    """A BaseException that is not an Exception (like SystemExit, KeyboardInterrupt)."""


def _exit() -> None:
    sys.exit(3)


def _interrupt() -> None:
    raise KeyboardInterrupt


def _boom() -> None:
    raise Boom("boom")


RAISERS: dict[str, Callable[[], None]] = {
    "sys.exit()": _exit,
    "KeyboardInterrupt": _interrupt,
    "a BaseException": _boom,
}


def _base_exception_in(folder: str, raiser: str, where: str, parallel: int, total: int) -> list[str]:
    path = os.path.join(folder, "db")
    db = keyed_db(path)
    executor = db.async_executor().set_commit_every(50).set_parallel_level(parallel)
    raise_it = RAISERS[raiser]
    duplicate = total // 2
    raised = []

    def once() -> None:
        if not raised:
            raised.append(1)
            raise_it()

    def callback(record: Any) -> None:
        if where == "success callback" and record.get("n") == 5:
            once()

    def error_callback(exc: BaseException) -> None:
        if where == "error callback":
            once()

    if where == "on_ok hook":
        executor.on_ok(lambda count: once())
    if where == "on_error hook":
        executor.on_error(lambda exc: once())

    def produce() -> None:
        for i in range(total):
            n = 5 if i == duplicate else i
            executor.create_record(db.new_document("D").set("n", n), callback=callback,
                                   error_callback=error_callback if where == "error callback" else None)  # fmt: skip
        executor.wait_completion(timeout=20)

    waited = in_thread(produce, timeout=30)
    problems = []
    if waited.state == "timeout":
        problems.append("wait_completion never returned")
    elif waited.state == "raised" and "workers stopped" in waited.error["message"]:
        problems.append("a worker died (workers stopped with work pending)")
    elif waited.state == "raised" and not (waited.error["arcadedb"] or raiser != "a BaseException"
                                           or waited.raised("Boom")):  # fmt: skip
        problems.append(f"wait: {short(waited)}")
    closed = in_thread(db.close, timeout=30)
    if closed.state == "timeout":
        return [*problems, "db.close() hung"]
    if not raised:
        problems.append("(the callback never ran)")
    reported = [o for o in (waited, closed) if o.state == "raised"]
    if raised and not reported and where != "on_error hook":
        problems.append("the callback's exception vanished (nothing reported it)")
    stored = present(path)
    if isinstance(stored, str):
        return [*problems, stored]
    expected = set(range(total)) - {duplicate}
    missing = expected - stored
    if missing:
        problems.append(f"{len(missing)} valid records neither written nor reported")
    return problems


@fault(7, "SystemExit / BaseException in a callback", deadline=1200)
def callbacks_base_exception(ctx: Ctx) -> Verdict:
    variants = [(r, w, p) for r in RAISERS
                for w in ("success callback", "error callback", "on_ok hook", "on_error hook")
                for p in (1, 4)]  # fmt: skip
    variants = ctx.rng.sample(variants, ctx.scale(4, len(variants)))
    total = ctx.scale(500, 5000)
    problems: Counter = Counter()
    for i, (raiser, where, parallel) in enumerate(variants):
        folder = ctx.sub(f"v{i}")
        for p in isolated(partial(_base_exception_in, folder, raiser, where, parallel, total), 90,
                          "variant"):  # fmt: skip
            problems[f"{raiser} in the {where}: {p}"] += 1
    return judge(problems, len(variants), "variants")


def _callback_errors(folder: str, how: str, total: int) -> list[str]:
    db = keyed_db(os.path.join(folder, "db"))

    def callback(record: Any) -> None:
        if record.get("n") % 7 == 0:
            raise ValueError("a bug in the user's callback")

    raising = len([n for n in range(total) if n % 7 == 0])
    problems = []
    errors: list[BaseException] = []
    if how == "BatchContext":
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with db.batch_context(batch_size=500) as batch:
                for n in range(total):
                    batch.create_document("D", callback=callback, n=n)
        errors = batch.get_errors()
        if any("operation(s) failed" in str(w.message) for w in caught):
            problems.append("the BatchContext warns that committed operations failed")
        if batch.get_success_count() != total:
            problems.append(f"success count {batch.get_success_count()}, not {total}")
    else:
        executor = db.async_executor()
        if how == "on_error":
            executor.on_error(errors.append)
        for n in range(total):
            executor.create_record(db.new_document("D").set("n", n), callback=callback)
        try:
            executor.wait_completion(timeout=60)
        except ArcadeDBError as exc:
            if "operation(s) failed" in str(exc):
                problems.append("wait_completion says committed operations failed")
            errors = list(getattr(exc, "failures", []) or [])
            errors = [e for _, e in errors] if errors and isinstance(errors[0], tuple) else errors
    as_failed_ops = [e for e in errors if isinstance(e, AsyncOperationError) or not isinstance(e, ArcadeDBError)]
    if as_failed_ops:
        problems.append(f"{len(as_failed_ops)} of {raising} callback errors reported as failed operations")
    if db.count_type("D") != total:
        problems.append(f"{db.count_type('D')} records, not {total}")
    db.close()
    return problems


@fault(8, "an exception in a success callback is not a failed operation", deadline=600)
def callbacks_success_errors(ctx: Ctx) -> Verdict:
    total = ctx.scale(1000, 10000)
    problems: Counter = Counter()
    for how in ("BatchContext", "on_error", "wait_completion"):
        folder = ctx.sub(how)
        for p in isolated(partial(_callback_errors, folder, how, total), 120, how):
            problems[f"{how}: {p}"] += 1
    return judge(problems, 3, "paths")
