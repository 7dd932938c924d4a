"""AsyncExecutor semantics: exactness, ordering, commit cadence, bounds, shutdown."""

from __future__ import annotations

import os
import threading
import time
import weakref

import pytest
from torture.async_random import prepare, run_random_workload

import arcadelite as arcadedb
from arcadelite.exceptions import (
    ArcadeDBError,
    AsyncExecutionError,
    AsyncOperationError,
    DatabaseClosedError,
    DuplicatedKeyError,
    TransactionError,
    ValidationError,
)


@pytest.fixture
def adb(tmp_path):
    db = arcadedb.create_database(str(tmp_path / "adb"))
    db.schema.create_vertex_type("User")
    db.schema.create_vertex_type("Product")
    yield db
    db.close()


def live_workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("arcadelite-async")]


def make_users(db, count, start=0):
    for i in range(start, start + count):
        yield db.new_vertex("User").set("userId", i)


# --- configuration -------------------------------------------------------------------------


def test_defaults_match_the_contract(adb):
    ex = adb.async_executor()
    assert ex.get_parallel_level() == 4
    assert ex.get_commit_every() == 10_000
    assert ex.get_back_pressure() == 0
    assert ex.is_transaction_use_wal() is True
    ex.close()


def test_setters_chain_and_return_the_executor(adb):
    ex = adb.async_executor()
    chained = (
        ex.set_parallel_level(8)
        .set_commit_every(10000)
        .set_transaction_use_wal(True)
        .set_back_pressure(75)
        .set_transaction_sync("yes_full")
    )
    assert chained is ex
    assert (ex.get_parallel_level(), ex.get_commit_every(), ex.get_back_pressure()) == (8, 10000, 75)
    ex.close()


@pytest.mark.parametrize(
    ("setter", "value", "error"),
    [
        ("set_parallel_level", 0, ValueError),
        ("set_parallel_level", 17, ValueError),
        ("set_parallel_level", "8", TypeError),
        ("set_commit_every", -1, ValueError),
        ("set_commit_every", 1.5, TypeError),
        ("set_back_pressure", 101, ValueError),
        ("set_back_pressure", -1, ValueError),
        ("set_transaction_use_wal", "yes", TypeError),
        ("set_transaction_sync", "always", ValueError),
    ],
)
def test_setters_reject_bad_values_and_change_nothing(adb, setter, value, error):
    ex = adb.async_executor()
    before = (ex.get_parallel_level(), ex.get_commit_every(), ex.get_back_pressure())
    with pytest.raises(error, match=str(value) if error is ValueError else "."):
        getattr(ex, setter)(value)
    assert (ex.get_parallel_level(), ex.get_commit_every(), ex.get_back_pressure()) == before
    ex.close()


def test_create_record_rejects_non_records(adb):
    ex = adb.async_executor()
    with pytest.raises(TypeError, match="Document, Vertex or Edge"):
        ex.create_record({"userId": 1})
    ex.close()


# --- exactness ----------------------------------------------------------------------------


def test_duplicates_fail_alone_and_their_batch_neighbours_commit(adb):
    adb.schema.create_property("User", "userId", "LONG")
    adb.schema.create_index("User", ["userId"], unique=True)
    errors = []
    ex = adb.async_executor().set_commit_every(10_000).on_error(errors.append)
    for i in range(2000):
        ex.create_record(adb.new_vertex("User").set("userId", i))
        if i % 400 == 0:  # five duplicates spread through the batch
            ex.create_record(adb.new_vertex("User").set("userId", i))
    ex.wait_completion()
    ex.close()
    assert adb.count_type("User") == 2000
    assert len(errors) == 5
    for error in errors:
        assert isinstance(error, AsyncOperationError)
        assert isinstance(error.cause, DuplicatedKeyError)
        assert "User[userId]" in str(error)
        assert error.record.get("userId") % 400 == 0
        assert error.record.get_identity() is None
    stats = ex.stats()
    assert (stats["committed"], stats["failed"], stats["submitted"]) == (2000, 5, 2005)


def test_unhandled_failures_raise_from_wait_completion_listing_each(adb):
    adb.schema.create_property("User", "userId", "LONG")
    adb.schema.create_index("User", ["userId"], unique=True)
    ex = adb.async_executor()
    for vertex in make_users(adb, 100):
        ex.create_record(vertex)
    ex.create_record(adb.new_vertex("User").set("userId", 7))
    ex.create_record(adb.new_vertex("User").set("userId", "not a number"))
    with pytest.raises(AsyncExecutionError) as caught:
        ex.wait_completion()
    failures = caught.value.failures
    assert len(failures) == 2
    causes = {record.get("userId"): type(error.cause) for record, error in failures}
    assert causes == {7: DuplicatedKeyError, "not a number": ValidationError}
    assert adb.count_type("User") == 100
    ex.wait_completion()  # reported once: nothing left to raise
    ex.close()


def test_per_operation_error_callback_takes_precedence_over_on_error(adb):
    adb.schema.create_property("User", "userId", "LONG")
    adb.schema.create_index("User", ["userId"], unique=True)
    mine, hook = [], []
    ex = adb.async_executor().on_error(hook.append)
    ex.create_record(adb.new_vertex("User").set("userId", 1))
    ex.create_record(adb.new_vertex("User").set("userId", 1), error_callback=mine.append)
    ex.create_record(adb.new_vertex("User").set("userId", 1))
    ex.wait_completion()
    ex.close()
    assert len(mine) == 1 and len(hook) == 1


def test_success_callbacks_fire_after_commit_with_the_saved_record(adb):
    seen = []
    problems = []

    def on_saved(record):
        # The worker thread's own connection sees only committed data.
        try:
            stored = adb.lookup_by_rid(record.get_rid())
            seen.append((record.get_rid(), stored.get("userId"), record.get("userId")))
        except ArcadeDBError as exc:
            problems.append(exc)

    ex = adb.async_executor().set_commit_every(50)
    for vertex in make_users(adb, 200):
        ex.create_record(vertex, callback=on_saved)
    ex.wait_completion()
    ex.close()
    assert problems == []
    assert len(seen) == 200
    assert all(stored == given for _, stored, given in seen)
    assert len({rid for rid, _, _ in seen}) == 200


def test_failing_user_callback_is_reported_not_lost(adb):
    def explode(record):
        raise RuntimeError("callback broke")

    ex = adb.async_executor()
    ex.create_record(adb.new_vertex("User").set("userId", 1), callback=explode)
    with pytest.raises(AsyncExecutionError, match="callback broke"):
        ex.wait_completion()
    ex.close()
    assert adb.count_type("User") == 1


# --- cadence, ordering, bounds -------------------------------------------------------------


def test_no_transaction_holds_more_than_commit_every(adb):
    sizes = []
    ex = adb.async_executor().set_commit_every(300).on_ok(sizes.append)
    for vertex in make_users(adb, 1000):
        ex.create_record(vertex)
    ex.wait_completion()
    ex.close()
    assert sum(sizes) == 1000
    assert max(sizes) <= 300
    assert ex.stats()["commits"] == len(sizes) >= 4


def test_commit_every_zero_commits_only_at_wait_completion(adb):
    ex = adb.async_executor().set_commit_every(0).set_parallel_level(2)
    for vertex in make_users(adb, 3000):
        ex.create_record(vertex)
    deadline = time.monotonic() + 10
    while ex.stats()["queue_depth"] and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert ex.stats()["queue_depth"] == 0
    assert adb.count_type("User") == 0  # written, not committed
    assert ex.is_pending()
    ex.wait_completion()
    assert adb.count_type("User") == 3000
    assert ex.stats()["commits"] == 1
    ex.close()


def test_operations_on_one_record_apply_in_submission_order(adb):
    ex = adb.async_executor().set_parallel_level(16).set_commit_every(7)
    vertices = [adb.new_vertex("User").set("userId", i).set("step", 0) for i in range(300)]
    for vertex in vertices:
        ex.create_record(vertex)
    for step in range(1, 4):
        for vertex in vertices:
            vertex.set("step", step)
            ex.update_record(vertex)
    for vertex in vertices[::3]:
        ex.delete_record(vertex)
    ex.wait_completion()
    ex.close()
    assert adb.count_type("User") == 200
    for vertex in vertices:
        if vertex.get("userId") % 3 == 0:
            with pytest.raises(arcadedb.RecordNotFoundError):
                adb.lookup_by_rid(vertex.get_rid())
        else:
            assert adb.lookup_by_rid(vertex.get_rid()).get("step") == 3


def test_submission_is_a_snapshot_of_the_record(adb):
    ex = adb.async_executor()
    vertex = adb.new_vertex("User").set("userId", 1)
    ex.create_record(vertex)
    vertex.set("userId", 2)  # after submission: not part of the create
    ex.wait_completion()
    ex.close()
    assert adb.lookup_by_rid(vertex.get_rid()).get("userId") == 1


def test_queue_stays_bounded_and_producer_is_held_back(adb):
    ex = adb.async_executor().set_back_pressure(50).set_commit_every(5000)
    capacity = ex.stats()["queue_capacity"]
    deepest = 0
    for i, vertex in enumerate(make_users(adb, 60_000)):
        ex.create_record(vertex)
        if i % 500 == 0:
            deepest = max(deepest, ex.stats()["queue_depth"])
    ex.wait_completion()
    ex.close()
    assert deepest <= capacity
    assert adb.count_type("User") == 60_000


# --- waiting, timeouts, shutdown ------------------------------------------------------------


def test_wait_completion_times_out_in_seconds_and_work_continues(adb):
    release = threading.Event()
    ex = adb.async_executor()
    ex.create_record(adb.new_vertex("User").set("userId", 1), callback=lambda r: release.wait(5))
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="pending"):
        ex.wait_completion(timeout=0.2)
    assert 0.15 < time.monotonic() - started < 2
    assert ex.is_pending()
    release.set()
    ex.wait_completion(timeout=5)
    assert not ex.is_pending()
    ex.close()


def test_is_pending_never_blocks(adb):
    release = threading.Event()
    ex = adb.async_executor()
    ex.create_record(adb.new_vertex("User").set("userId", 1), callback=lambda r: release.wait(5))
    started = time.monotonic()
    for _ in range(1000):
        ex.is_pending()
    assert time.monotonic() - started < 0.5
    release.set()
    ex.close()


def test_close_waits_and_stops_every_worker(adb):
    ex = adb.async_executor().set_parallel_level(16)
    for vertex in make_users(adb, 5000):
        ex.create_record(vertex)
    assert len(live_workers()) == 16
    ex.close()
    assert adb.count_type("User") == 5000
    assert live_workers() == []
    with pytest.raises(DatabaseClosedError, match="async_executor"):
        ex.create_record(adb.new_vertex("User"))


def test_a_closed_executor_is_not_a_dead_end(adb):
    first = adb.async_executor()
    first.close()
    second = adb.async_executor()
    assert second is not first
    for vertex in make_users(adb, 10):
        second.create_record(vertex)
    second.wait_completion()
    second.close()
    assert adb.count_type("User") == 10


def test_context_manager_waits_and_closes(adb):
    with adb.async_executor() as ex:
        for vertex in make_users(adb, 500):
            ex.create_record(vertex)
    assert ex.is_closed()
    assert adb.count_type("User") == 500
    assert live_workers() == []


def test_database_close_finishes_pending_work(tmp_path):
    path = str(tmp_path / "closing")
    db = arcadedb.create_database(path)
    db.schema.create_vertex_type("User")
    ex = db.async_executor().set_commit_every(0)
    for vertex in make_users(db, 20_000):
        ex.create_record(vertex)
    db.close()
    assert live_workers() == []
    with arcadedb.open_database(path) as reopened:
        assert reopened.count_type("User") == 20_000


def test_waiting_while_holding_a_write_transaction_errors_instead_of_hanging(adb):
    outcome = {}

    def scenario():
        ex = adb.async_executor()
        try:
            with adb.transaction():
                adb.new_vertex("User").set("userId", -1).save()
                ex.create_record(adb.new_vertex("User").set("userId", 1))
                try:
                    ex.wait_completion()
                except TransactionError as exc:
                    outcome["error"] = str(exc)
            ex.wait_completion()  # after commit the queued work goes through
            outcome["count"] = adb.count_type("User")
        finally:
            ex.close()

    worker = threading.Thread(target=scenario)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "wait_completion() inside a write transaction hung"
    assert "open write transaction" in outcome["error"]
    assert outcome["count"] == 2


def test_sync_writer_in_another_thread_is_not_starved_by_an_idle_executor(adb):
    ex = adb.async_executor().set_commit_every(0)
    ex.create_record(adb.new_vertex("User").set("userId", 1))
    time.sleep(0.1)  # the worker now holds an open transaction with nothing queued
    done = threading.Event()

    def writer():
        with adb.transaction():
            adb.new_vertex("Product").set("productId", 1).save()
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert done.wait(10), "a synchronous writer waited forever behind the executor"
    thread.join()
    ex.wait_completion()
    ex.close()
    assert adb.count_type("User") == 1 and adb.count_type("Product") == 1


def test_wal_and_sync_settings_apply_without_restarting_workers(adb):
    ex = adb.async_executor().set_parallel_level(2)
    for vertex in make_users(adb, 100):
        ex.create_record(vertex)
    ex.wait_completion()
    workers = list(ex._workers)
    ex.set_transaction_use_wal(False)
    for vertex in make_users(adb, 100, start=100):
        ex.create_record(vertex)
    ex.wait_completion()
    assert ex._session.conn.execute("PRAGMA synchronous").fetchone()[0] == 0  # OFF
    ex.set_transaction_use_wal(True).set_transaction_sync("yes_full")
    for vertex in make_users(adb, 100, start=200):
        ex.create_record(vertex)
    ex.wait_completion()
    assert ex._session.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert ex._workers == workers and all(t.is_alive() for t in workers)
    ex.close()
    assert adb.count_type("User") == 300


def test_use_wal_false_checkpoints_under_the_database_sync_mode(adb, tmp_path):
    """The unsynced executor connection keeps the WAL bounded by checkpointing itself, with the
    database's sync mode for the checkpoint and OFF again for its commits."""
    wal = os.path.join(adb._storage.folder, os.path.basename(adb._storage.file) + "-wal")
    reader = adb.query("sql", "SELECT count(*) AS n FROM User")  # the database's own connection
    assert reader.to_list()[0]["n"] == 0
    pad = "x" * 2000
    ex = adb.async_executor().set_commit_every(500).set_transaction_use_wal(False)
    checkpointed = []
    session_wal = None
    for i in range(12_000):  # ~24 MB of records: several WALs' worth
        ex.create_record(adb.new_vertex("User").set("userId", i).set("pad", pad))
        if i % 2000 == 1999:
            ex.wait_completion()
            session_wal = ex._session.wal
            checkpointed.append(os.path.getsize(wal))
    assert session_wal is not None  # the connection counts its WAL instead of auto-checkpointing
    assert ex._session.conn.execute("PRAGMA synchronous").fetchone()[0] == 0  # still OFF
    assert max(checkpointed) < 12 * 1024 * 1024, checkpointed  # bounded: it was checkpointed
    ex.set_transaction_use_wal(True)
    ex.create_record(adb.new_vertex("User").set("userId", -1))
    ex.wait_completion()
    assert ex._session.wal is None  # back to SQLite's own auto-checkpoint
    ex.close()
    assert adb.count_type("User") == 12_001
    assert adb._storage.pragma(adb._storage.session(), "integrity_check") == "ok"


def test_stats_and_progress_bar(adb, capsys):
    ex = adb.async_executor().set_progress(True, total=400, desc="loading")
    for vertex in make_users(adb, 400):
        ex.create_record(vertex)
    ex.wait_completion()
    stats = ex.stats()
    ex.close()
    assert stats["submitted"] == stats["committed"] == 400
    assert stats["failed"] == 0 and stats["pending"] == 0 and stats["queue_depth"] == 0
    assert stats["throughput"] > 0
    assert "loading" in capsys.readouterr().err


def test_readonly_property_is_enforced_on_async_updates(adb):
    adb.schema.create_property("User", "userId", "LONG")
    adb._storage.alter_property(adb._storage.session(), "User", "userId", "readonly", True)
    with adb.transaction():
        vertex = adb.new_vertex("User").set("userId", 1).save()
    errors = []
    ex = adb.async_executor()
    ex.update_record(vertex.modify().set("userId", 2), error_callback=errors.append)
    ex.wait_completion()
    ex.close()
    assert len(errors) == 1 and "read-only" in str(errors[0])
    assert adb.lookup_by_rid(vertex.get_rid()).get("userId") == 1


# --- randomized exactness across every parallel level --------------------------------------
# The workload lives in torture/async_random.py (`python -m torture async_random`: 100 runs).


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_workloads_are_exact(tmp_path, seed):
    with arcadedb.create_database(str(tmp_path / f"r{seed}")) as db:
        prepare(db)
        run_random_workload(db, seed)  # asserts exactness itself


def test_supertype_unique_index_covers_subtypes_in_bulk_loads(adb):
    adb.schema.create_vertex_type("Person")
    adb.schema.create_property("Person", "email", "STRING")
    adb.schema.create_index("Person", ["email"], unique=True)
    adb.schema.create_vertex_type("Customer", supertypes="Person")
    adb.schema.create_vertex_type("Employee", supertypes="Person")
    errors = []
    ex = adb.async_executor().on_error(errors.append)
    ex.create_record(adb.new_vertex("Customer").set("email", "a@x"))
    ex.create_record(adb.new_vertex("Employee").set("email", "a@x"))  # same key, sibling type
    ex.create_record(adb.new_vertex("Employee").set("email", "b@x"))
    ex.wait_completion()
    ex.close()
    assert adb.count_type("Person") == 2
    assert len(errors) == 1 and isinstance(errors[0].cause, DuplicatedKeyError)
    assert errors[0].record.get_type_name() == "Employee"


def test_a_failed_commit_reports_every_operation_of_its_transaction(adb):
    """SQLite turns a commit vetoed by a commit hook into a rollback: nothing may vanish."""
    with adb.transaction():
        existing = adb.new_vertex("User").set("userId", -1).save()
    errors, saved = [], []
    ex = adb.async_executor().set_commit_every(0).on_error(errors.append)
    ex.create_record(adb.new_vertex("User").set("userId", 1))  # starts the workers
    ex.wait_completion()
    ex._session.conn.setcommithook(lambda: True)  # veto the next commit
    plain = [adb.new_vertex("User").set("userId", i) for i in range(2, 50)]
    for vertex in plain:
        ex.create_record(vertex)
    ex.create_record(adb.new_vertex("User").set("userId", 99), callback=saved.append)
    changed = existing.modify().set("userId", -2)
    ex.update_record(changed)
    ex.wait_completion()
    ex._session.conn.setcommithook(None)
    ex.close()
    assert saved == []
    assert len(errors) == 48 + 1 + 1
    assert all(isinstance(e, AsyncOperationError) for e in errors)
    assert all(v.get_identity() is None for v in plain)  # their creation never happened
    assert changed.get_identity() == existing.get_identity()  # an update keeps its RID
    assert adb.count_type("User") == 2
    assert adb.lookup_by_rid(existing.get_rid()).get("userId") == -1
    stats = ex.stats()
    assert (stats["committed"], stats["failed"], stats["submitted"]) == (1, 50, 51)


def test_a_failed_commit_reports_records_the_caller_no_longer_holds(adb):
    """Records nobody references are not kept until commit; a failed commit still names each."""
    errors = []
    ex = adb.async_executor().set_commit_every(0).on_error(errors.append)
    ex.create_record(adb.new_vertex("User").set("userId", 0))  # starts the workers
    ex.wait_completion()
    ex._session.conn.setcommithook(lambda: True)  # veto the next commit
    held = adb.new_vertex("User").set("userId", 10_000)
    watched = adb.new_vertex("User").set("userId", 10_001)
    watcher = weakref.ref(watched)
    for i in range(1, 3001):  # the usual bulk loop: each record dropped once submitted
        ex.create_record(adb.new_vertex("User").set("userId", i).set("name", f"u{i}"))
    ex.create_record(held)
    ex.create_record(watched)
    del watched
    ex.wait_completion()
    ex._session.conn.setcommithook(None)
    ex.close()
    assert adb.count_type("User") == 1
    assert len(errors) == 3002
    reported = sorted(e.record.get("userId") for e in errors)
    assert reported == list(range(1, 3001)) + [10_000, 10_001]
    assert all(e.record.get("name") == f"u{e.record.get('userId')}" for e in errors
               if e.record.get("userId") <= 3000)  # fmt: skip
    assert all(e.record.get_identity() is None for e in errors)
    assert held.get_identity() is None
    assert watcher() is None or watcher().get_identity() is None


def test_records_still_referenced_get_their_rids_after_the_commit(adb):
    kept = []
    with adb.async_executor() as ex:
        for i in range(5000):
            vertex = adb.new_vertex("User").set("userId", i)
            ex.create_record(vertex)
            if i % 1000 == 0:
                kept.append(vertex)
    assert [v.get_identity() is not None for v in kept] == [True] * 5
    assert [adb.lookup_by_rid(v.get_rid()).get("userId") for v in kept] == list(
        range(0, 5000, 1000)
    )
    assert vertex.get_identity() is not None  # the loop's last record, still in its variable


def test_records_only_the_executor_references_are_not_kept_until_commit(adb):
    """The bulk loop's dropped records die once written (keeping them cost GC time)."""
    from arcadelite.async_executor import CHUNK, AsyncExecutor

    ex = AsyncExecutor(adb, inline=True).set_commit_every(0)  # chunks written as they fill
    kept = adb.new_vertex("User").set("userId", -1)
    ex.create_record(kept)
    for i in range(2 * CHUNK - 1):
        ex.create_record(adb.new_vertex("User").set("userId", i))
    assert ex.stats()["pending"] == 2 * CHUNK  # written, not committed
    # kept, plus at most each chunk's last record: its create_record call was still running
    assert ex._tx_created[0] is kept and len(ex._tx_created) <= 3
    ex.wait_completion()
    ex.close()
    assert adb.count_type("User") == 2 * CHUNK and kept.get_identity() is not None


def test_a_record_held_only_weakly_when_written_still_gets_its_rid(adb):
    """A weak reference can bring a record back at any time, so it counts as a reference."""
    from arcadelite.async_executor import CHUNK, AsyncExecutor

    ex = AsyncExecutor(adb, inline=True).set_commit_every(0)  # chunks written as they fill
    watched = adb.new_vertex("User").set("userId", -1)
    watcher = weakref.ref(watched)
    ex.create_record(watched)
    del watched
    for i in range(CHUNK):  # fills and writes the first chunk, watched included
        ex.create_record(adb.new_vertex("User").set("userId", i))
    again = watcher()
    assert again is not None and again.get_identity() is not None
    ex.wait_completion()
    ex.close()
    assert adb.lookup_by_rid(again.get_rid()).get("userId") == -1


def test_close_inside_a_write_transaction_errors_and_database_close_finishes(tmp_path):
    path = str(tmp_path / "closing-in-tx")
    db = arcadedb.create_database(path)
    db.schema.create_vertex_type("User")
    outcome = {}

    def scenario():
        ex = db.async_executor()
        db.begin()
        db.new_vertex("User").set("userId", -1).save()  # this thread now holds the writer lock
        ex.create_record(db.new_vertex("User").set("userId", 1))
        try:
            ex.close()
        except TransactionError as exc:
            outcome["close"] = str(exc)
        outcome["still_open"] = not ex.is_closed()
        db.close()  # rolls back this thread's transaction, then finishes the queued work

    worker = threading.Thread(target=scenario)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "close() inside a write transaction hung"
    assert "open write transaction" in outcome["close"] and outcome["still_open"]
    assert live_workers() == []
    with arcadedb.open_database(path) as reopened:
        assert [r.get("userId") for r in reopened.iterate_type("User")] == [1]


def test_async_edges_to_missing_vertices_fail_alone(adb):
    adb.schema.create_edge_type("Knows")
    with adb.transaction():
        a = adb.new_vertex("User").set("userId", 1).save()
        b = adb.new_vertex("User").set("userId", 2).save()
    errors = []
    ex = adb.async_executor().on_error(errors.append)
    good = arcadedb.Edge(adb, adb._type("Knows"), {"w": 1}, None, True, a.get_identity(),
                         b.get_identity())  # fmt: skip
    dangling = arcadedb.Edge(adb, adb._type("Knows"), {"w": 2}, None, True, a.get_identity(),
                             arcadedb.RID(a.get_identity().bucket_id, 999))  # fmt: skip
    ex.create_record(good)
    ex.create_record(dangling)
    ex.wait_completion()
    ex.close()
    assert adb.count_type("Knows") == 1
    assert len(errors) == 1 and isinstance(errors[0].cause, arcadedb.RecordNotFoundError)
    assert ":999" in str(errors[0])
    assert good.get_identity() is not None and dangling.get_identity() is None


def test_inline_mode_writes_in_the_submitting_thread_with_the_same_exactness(adb):
    from arcadelite.async_executor import CHUNK, AsyncExecutor

    adb.schema.create_property("User", "userId", "LONG")
    adb.schema.create_index("User", ["userId"], unique=True)
    errors, sizes = [], []
    ex = AsyncExecutor(adb, inline=True).set_commit_every(3000).on_error(errors.append)
    ex.on_ok(sizes.append)
    for i in range(CHUNK * 3 + 17):
        ex.create_record(adb.new_vertex("User").set("userId", i))
        if i == 10:
            ex.create_record(adb.new_vertex("User").set("userId", 5))  # a duplicate
    assert live_workers() == []  # no threads: full chunks were written right here
    assert ex.stats()["committed"] == 3000  # one commit_every's worth committed so far
    ex.wait_completion()
    ex.close()
    assert adb.count_type("User") == CHUNK * 3 + 17
    assert len(errors) == 1 and isinstance(errors[0].cause, DuplicatedKeyError)
    assert max(sizes) <= 3000 and sum(sizes) == CHUNK * 3 + 17
