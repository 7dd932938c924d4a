"""Issue 10, items 6-8: callbacks that misbehave — close the executor or the database, raise
SystemExit or another BaseException, or raise in a *success* callback.

Every scenario runs its producer under a deadline (``faultkit.in_thread``): on today's code some
of them wait forever, which must show as a failure, not a stuck suite.
"""

from __future__ import annotations

import sys
import warnings

import pytest
from torture import faultkit

import arcadelite as arcadedb
from arcadelite import ArcadeDBError
from arcadelite.exceptions import AsyncOperationError

pending = pytest.mark.fault_pending
TOTAL = 100


def _keyed_db(path: str, closing) -> arcadedb.Database:
    db = arcadedb.create_database(path)
    closing(db)
    db.schema.create_document_type("D")
    db.schema.create_property("D", "n", "LONG")
    db.schema.create_index("D", ["n"], unique=True)
    return db


def _present(path: str) -> set[int]:
    with arcadedb.open_database(path) as db:
        return {r.get("n") for r in db.query("sql", "SELECT n FROM D")}


# --- item 6: a callback closes the executor or the database --------------------------------------
#
# Items 6 and 7 run in a forked child (faultkit.in_child) that reports what happened: on today's
# code they leave threads and a database that never finish closing, which would otherwise keep
# this test process from exiting.


def _closing_callback_scenario(path: str, target: str) -> dict:
    db = _keyed_db(path, lambda db: None)
    executor = db.async_executor().set_commit_every(10)
    committed: set[int] = set()
    failed: dict[int, str] = {}
    accepted: list[int] = []
    close_calls: list[str] = []

    def callback(record) -> None:
        committed.add(record.get("n"))
        if record.get("n") == 5:
            try:
                (executor if target == "executor" else db).close()
                close_calls.append("returned")
            except ArcadeDBError as exc:
                close_calls.append(f"refused: {exc}")
            except BaseException as exc:
                close_calls.append(f"raw {type(exc).__name__}: {exc}")

    def produce() -> None:
        for i in range(TOTAL):
            try:
                executor.create_record(
                    db.new_document("D").set("n", i), callback=callback,
                    error_callback=lambda exc, i=i: failed.__setitem__(i, str(exc)),
                )  # fmt: skip
            except ArcadeDBError:  # closed by the (deferred) close: not accepted
                break
            accepted.append(i)
        if not executor.is_closed():
            executor.wait_completion(timeout=8)

    produced = faultkit.in_thread(produce, timeout=10)
    closed = faultkit.in_thread(db.close, timeout=10)
    present = _present(path) if closed.state != "timeout" else None
    return {"close_calls": close_calls, "produced": produced, "closed": closed,
            "committed": committed, "failed": failed, "accepted": accepted, "present": present}  # fmt: skip


@pytest.mark.parametrize("target", ["executor", "database"])
def test_a_callback_that_closes_is_refused_or_deferred_and_nothing_is_lost(db_path, target):
    child = faultkit.in_child(lambda: _closing_callback_scenario(db_path, target), timeout=40)
    assert child.ok, f"the scenario itself: {child}"
    facts = child.value
    close_calls, produced = facts["close_calls"], facts["produced"]
    assert close_calls, "close() called from the callback never returned (deadlock)"
    assert close_calls[0] == "returned" or close_calls[0].startswith("refused"), close_calls[0]
    assert produced.state == "ok" or (produced.state == "raised" and produced.error["arcadedb"]), (
        f"the producer: {produced}"
    )
    assert facts["closed"].state != "timeout", "db.close() hung"
    committed, failed = facts["committed"], set(facts["failed"])
    assert not committed & failed
    lost = set(facts["accepted"]) - committed - failed
    assert not lost, f"{len(lost)} accepted operations neither committed nor reported"
    assert facts["present"] == committed


# --- item 7: SystemExit or another BaseException in a callback -------------------------------------


class Boom(BaseException):
    """Not an Exception: like KeyboardInterrupt or SystemExit, it escapes ``except Exception``."""


def _exit_in_success_callback(record) -> None:
    if record.get("n") == 5:
        sys.exit(3)


def _boom_in_error_callback(exc) -> None:
    raise Boom("boom from an error callback")


def _base_exception_scenario(path: str, where: str, parallel: int, duplicate: int) -> dict:
    db = _keyed_db(path, lambda db: None)
    executor = db.async_executor().set_commit_every(10).set_parallel_level(parallel)

    def produce() -> None:
        for i in range(TOTAL):
            n = 5 if (i == duplicate and where.startswith("error")) else i
            if where.startswith("success"):
                executor.create_record(db.new_document("D").set("n", n),
                                       callback=_exit_in_success_callback)  # fmt: skip
            else:
                executor.create_record(db.new_document("D").set("n", n),
                                       error_callback=_boom_in_error_callback)  # fmt: skip
        executor.wait_completion(timeout=8)

    waited = faultkit.in_thread(produce, timeout=10)
    closed = faultkit.in_thread(db.close, timeout=10)
    present = _present(path) if closed.state != "timeout" else None
    return {"waited": waited, "closed": closed, "present": present}


@pytest.mark.parametrize("parallel", [1, 4])
@pytest.mark.parametrize("where", ["success callback: sys.exit()", "error callback: BaseException"])
def test_a_base_exception_in_a_callback_is_reported_and_wait_and_close_return(
    db_path, where, parallel
):
    duplicate = 50  # with an error callback, record 50 repeats key 5: it fails, the callback raises
    child = faultkit.in_child(
        lambda: _base_exception_scenario(db_path, where, parallel, duplicate), timeout=40
    )
    assert child.ok, f"the scenario itself: {child}"
    waited, closed = child.value["waited"], child.value["closed"]
    assert waited.state != "timeout", "wait_completion() never returned"
    assert not (waited.state == "raised" and "workers stopped" in waited.error["message"]), (
        f"a worker died: {waited}"
    )
    assert closed.state != "timeout", "db.close() hung"
    reported = [o for o in (waited, closed) if o.state == "raised"]
    assert reported, "the callback's exception vanished: nothing reported it"
    for outcome in reported:
        assert outcome.error["arcadedb"] or outcome.raised("SystemExit") or outcome.raised("Boom"), (
            f"reported as a raw error: {outcome}"
        )
    expected = set(range(TOTAL)) - ({duplicate} if where.startswith("error") else set())
    assert child.value["present"] == expected, "valid records were neither written nor reported"


# --- item 8: an exception in a success callback is not a failed operation --------------------------


def _failing_callback(record) -> None:
    raise ValueError(f"bug in the user's callback for {record.get('n')}")


def _is_callback_error(error: BaseException) -> bool:
    return (
        isinstance(error, ArcadeDBError)
        and not isinstance(error, AsyncOperationError)
        and "callback" in str(error).lower()
        and isinstance(error.__cause__, ValueError)
    )


def test_a_success_callback_error_is_reported_as_such_by_the_batch_context(db_path, closing):
    db = _keyed_db(db_path, closing)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with db.batch_context(batch_size=50) as batch:
            for i in range(TOTAL):
                batch.create_document("D", callback=_failing_callback, n=i)
    messages = [str(w.message) for w in caught]
    assert not any("operation(s) failed" in m for m in messages), (
        f"committed operations are said to have failed: {messages}"
    )
    assert batch.get_success_count() == TOTAL
    errors = batch.get_errors()
    assert len(errors) == TOTAL
    assert all(_is_callback_error(e) for e in errors), f"not told apart: {errors[0]!r}"
    assert all(e.record.get_identity() is not None for e in errors)  # the committed record
    assert db.count_type("D") == TOTAL


def test_a_success_callback_error_reaches_on_error_as_a_callback_error(db_path, closing):
    db = _keyed_db(db_path, closing)
    got: list[BaseException] = []
    executor = db.async_executor().on_error(got.append)
    for i in range(10):
        executor.create_record(db.new_document("D").set("n", i), callback=_failing_callback)
    executor.wait_completion(timeout=20)
    assert len(got) == 10
    assert all(_is_callback_error(e) for e in got), f"not told apart: {got[0]!r}"
    assert db.count_type("D") == 10


def test_wait_completion_says_callbacks_failed_not_operations(db_path, closing):
    db = _keyed_db(db_path, closing)
    executor = db.async_executor()
    for i in range(10):
        executor.create_record(db.new_document("D").set("n", i), callback=_failing_callback)
    with pytest.raises(ArcadeDBError) as caught:
        executor.wait_completion(timeout=20)
    text = str(caught.value)
    assert "callback" in text.lower()
    assert "operation(s) failed" not in text, f"committed operations reported as failed: {text}"
    assert db.count_type("D") == 10


def test_a_keyboard_interrupt_in_the_on_ok_hook_is_a_callback_error_and_the_worker_lives(
    db_path, closing
):
    """R3: the hook's BaseException is caught on the worker and reported once, as a callback
    error naming the hook; the next operations still commit."""
    db = _keyed_db(db_path, closing)
    raised: list[int] = []

    def on_ok(count: int) -> None:
        if not raised:
            raised.append(count)
            raise KeyboardInterrupt

    executor = db.async_executor().set_commit_every(5).set_parallel_level(1).on_ok(on_ok)
    for i in range(20):
        executor.create_record(db.new_document("D").set("n", i))
    with pytest.raises(ArcadeDBError) as caught:
        executor.wait_completion(timeout=10)
    assert "callback(s) raised" in str(caught.value)
    errors = [e for _, e in caught.value.failures]
    assert [(type(e).__name__, e.callback) for e in errors] == [("AsyncCallbackError", "on_ok")]
    assert isinstance(errors[0].__cause__, KeyboardInterrupt)
    assert db.count_type("D") == 20
    executor.create_record(db.new_document("D").set("n", 20))
    executor.wait_completion(timeout=10)
    assert db.count_type("D") == 21
