"""Small, fast versions of every part of the torture suite (``python -m torture``), plus tests
that pin the bugs the suite found. The full parts and their figures: docs/reliability.md."""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

import arcadelite as arcadedb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the torture package, repo root
from torture import (
    badinput,
    concurrency,
    crash,
    fuzz,
    multiprocess,
    powerloss,
    soak,
)

needs_sigkill = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


@needs_sigkill
def test_crash_smoke_sigkilled_writers_lose_nothing_acknowledged(tmp_path):
    assert crash.run(quick=True, base=str(tmp_path), kills=10)


def test_powerloss_smoke_full_sync_keeps_every_acknowledged_transaction(tmp_path):
    assert powerloss.run(quick=True, base=str(tmp_path))


def test_concurrency_smoke_readers_never_see_partial_transactions(tmp_path):
    assert concurrency.run(quick=True, base=str(tmp_path), duration=3.0)


@needs_sigkill
def test_multiprocess_smoke_second_process_gets_a_clear_error(tmp_path):
    assert multiprocess.run(quick=True, base=str(tmp_path))


def test_fuzz_smoke_database_agrees_with_the_model(tmp_path):
    assert fuzz.run(quick=True, base=str(tmp_path), examples=40, steps=25)


def test_bad_input_table_raises_documented_errors_and_changes_nothing(tmp_path):
    assert badinput.run(quick=True, base=str(tmp_path))


def test_soak_smoke_memory_flat_and_throughput_kept(tmp_path):
    """Tenths of 0.2 s on a shared 2-core machine are noisy: here only a collapse (below 50%)
    fails; the full soak holds the 80% line."""
    assert soak.run(quick=True, base=str(tmp_path), ops=100_000, min_kept=0.5)


# --- bugs the torture suite found ------------------------------------------------------------


def test_failed_async_chunk_releases_the_writer_lock(tmp_path):
    """Every operation of an async chunk failed: the executor's (empty) transaction must not
    keep the writer lock, or every other writer of the process waits 300 s and fails."""
    db = arcadedb.create_database(str(tmp_path / "db"))
    try:
        db.schema.create_document_type("P")
        db.schema.create_property("P", "n", "INTEGER")
        db.schema.create_index("P", ["n"], unique=True)
        with db.transaction():
            db.new_document("P").set("n", 1).save()
        ex = db.async_executor()
        errors: list = []
        ex.create_record(db.new_document("P").set("n", 1), error_callback=errors.append)
        ex.wait_completion()
        assert len(errors) == 1
        done: list = []

        def writer():
            with db.transaction():
                db.new_document("P").set("n", 2).save()
            done.append(True)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        thread.join(10)
        assert done, "a synchronous writer is still blocked by the executor's empty transaction"
        assert db.count_type("P") == 2
    finally:
        db.close()


def test_lookup_by_rid_with_an_out_of_range_position_raises_an_arcadedb_error(tmp_path):
    """A RID whose position does not fit SQLite's 64-bit integer: an ArcadeDBError (malformed
    or not found), not apsw's OverflowError."""
    with arcadedb.create_database(str(tmp_path / "db")) as db:
        db.schema.create_document_type("P")
        bucket = db.schema.get_type("P").get_bucket_ids()[0]
        with pytest.raises(arcadedb.ArcadeDBError):
            db.lookup_by_rid(f"#{bucket}:99999999999999999999999")


def test_lock_error_names_the_holder_even_while_it_is_writing_its_pid(tmp_path):
    """The holder takes the flock, then writes its pid: a process failing in between read an
    empty lock file and said "pid unknown" (seen in 2 of 2 losers of a 3-process race)."""
    path = str(tmp_path / "db")
    arcadedb.create_database(path).close()
    fd = os.open(os.path.join(path, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # we are the holder, pid not yet written
        os.ftruncate(fd, 0)
        writer = threading.Timer(0.05, lambda: os.pwrite(fd, str(os.getpid()).encode(), 0))
        writer.start()
        started = time.perf_counter()
        with pytest.raises(arcadedb.DatabaseLockedError) as info:
            arcadedb.open_database(path)
        writer.join()
        assert f"pid {os.getpid()}" in str(info.value)
        assert time.perf_counter() - started < 2.0
    finally:
        os.close(fd)


@needs_sigkill
def test_crash_harness_catches_an_acknowledgement_given_before_the_commit(tmp_path):
    """The harness itself: a writer that acknowledges before committing is caught."""
    lying = {"sync k100, ack before writing": {"mode": "sync", "k": 100, "lie": True,
                                              "wal_flush": "yes_full"}}  # fmt: skip
    assert not crash.run(quick=True, base=str(tmp_path), kills=10, configs=lying)


def test_async_updates_apply_in_submission_order_across_records(tmp_path):
    """Found by the fuzz: a run of updates goes to SQLite as one UPDATE ... FROM (VALUES ...),
    which SQLite may apply in RID order (it does with these 8 records). Submitted in this order
    — record 3 takes key 0 (still held by record 2), then record 2 moves to key 1 — the first
    must fail with a duplicate key, as it does when the two are submitted apart; in one run
    both succeed."""
    with arcadedb.create_database(str(tmp_path / "db")) as db:
        db.schema.create_document_type("D")
        db.schema.create_property("D", "k", "INTEGER")
        db.schema.create_index("D", ["k"], unique=True)
        with db.transaction():
            records = [db.new_document("D").save() for _ in range(8)]
            holder = records[1].set("k", 0).save()
            taker = records[2]
        outcomes: dict[str, str] = {}
        ex = db.async_executor()
        for name, record, key in (("taker", taker, 0), ("holder", holder, 1)):
            mutable = db.lookup_by_rid(record.get_rid()).modify().set("k", key)
            ex.update_record(
                mutable,
                callback=lambda r, name=name: outcomes.setdefault(name, "ok"),
                error_callback=lambda e, name=name: outcomes.setdefault(
                    name, type(e.cause).__name__
                ),
            )
        ex.wait_completion()
        assert outcomes == {"taker": "DuplicatedKeyError", "holder": "ok"}
