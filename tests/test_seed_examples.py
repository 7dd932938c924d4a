"""Every code example of the AsyncExecutor page (seeds/async_executor.md), run as written.

Only the import line differs (``import arcadelite as arcadedb``). Where the page assumes a type
or data already exist (``User``, ``LogEntry``), the test creates them first; the example code
itself is the page's, statement for statement.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import arcadelite as arcadedb

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def db(in_tmp):
    database = arcadedb.create_database("./mydb")
    database.schema.create_vertex_type("User")
    yield database
    database.close()


def test_tip_using_context_managers(in_tmp):
    with arcadedb.create_database("./mydb") as db:
        async_exec = db.async_executor()
        async_exec.set_parallel_level(8)
        # Use for bulk operations...
        async_exec.wait_completion()
    # Database automatically closed
    assert not db.is_open()


def test_getting_async_executor(in_tmp):
    db = arcadedb.create_database("./mydb")
    db.schema.create_vertex_type("User")  # the page assumes the type exists

    # Get async executor
    async_exec = db.async_executor()

    # Configure (all methods return self for chaining)
    async_exec.set_parallel_level(8)  # 8 worker threads
    async_exec.set_commit_every(5000)  # Auto-commit every 5K ops
    async_exec.set_back_pressure(75)  # Queue back-pressure at 75%

    # Use for bulk operations
    for i in range(100000):
        vertex = db.new_vertex("User")
        vertex.set("userId", i)
        async_exec.create_record(vertex)

    # Wait for completion
    async_exec.wait_completion()

    # Clean up worker threads
    async_exec.close()

    assert db.count_type("User") == 100000
    db.close()


def test_configuration_examples(db):
    # Configure for 8-core CPU
    async_exec = db.async_executor().set_parallel_level(8)
    assert async_exec.get_parallel_level() == 8
    async_exec.close()

    # Auto-commit every 10K operations
    async_exec = db.async_executor().set_commit_every(10000)
    assert async_exec.get_commit_every() == 10000
    async_exec.close()

    # Disable WAL for maximum speed (less durable)
    async_exec = db.async_executor().set_transaction_use_wal(False)
    assert async_exec.is_transaction_use_wal() is False
    async_exec.close()

    # Set back-pressure at 75% full
    async_exec = db.async_executor().set_back_pressure(75)
    assert async_exec.get_back_pressure() == 75
    async_exec.close()

    # Chain all configurations
    async_exec = (
        db.async_executor()
        .set_parallel_level(8)
        .set_commit_every(10000)
        .set_transaction_use_wal(True)
        .set_back_pressure(75)
    )
    assert (async_exec.get_parallel_level(), async_exec.get_commit_every()) == (8, 10000)
    async_exec.close()


def test_create_record_example(db):
    async_exec = db.async_executor()

    for i in range(10000):
        vertex = db.new_vertex("User")
        vertex.set("userId", i)
        vertex.set("name", f"User {i}")
        async_exec.create_record(vertex)

    async_exec.wait_completion()
    async_exec.close()

    assert db.count_type("User") == 10000
    row = db.query("sql", "SELECT FROM User WHERE userId = 1234").one()
    assert row.get("name") == "User 1234"


def test_update_record_example(db):
    with db.transaction():
        for i in range(300):
            db.new_vertex("User").set("userId", i).set("active", i % 3 == 0).save()

    # Query records
    results = list(db.query("sql", "SELECT FROM User WHERE active = false"))

    async_exec = db.async_executor()

    for result in results:
        element = result.get_element()
        mutable = element.modify()
        mutable.set("active", True)
        async_exec.update_record(mutable)

    async_exec.wait_completion()
    async_exec.close()

    assert len(results) == 200
    assert db.query("sql", "SELECT count(*) AS c FROM User WHERE active = true").one().get("c") == 300


def test_delete_record_example(db):
    db.schema.create_document_type("LogEntry")
    now = dt.datetime(2026, 11, 25, 12, 0, 0)
    with db.transaction():
        for day in range(30):
            db.new_document("LogEntry").set("timestamp", now - dt.timedelta(days=day)).save()
    cutoff_date = now - dt.timedelta(days=10)

    # Delete old records
    to_delete = list(db.query("sql", "SELECT FROM LogEntry WHERE timestamp < ?", cutoff_date))

    async_exec = db.async_executor()

    for result in to_delete:
        element = result.get_element()
        async_exec.delete_record(element)

    async_exec.wait_completion()
    async_exec.close()

    assert len(to_delete) == 19
    assert db.count_type("LogEntry") == 11
    remaining = [r.get("timestamp") for r in db.query("sql", "SELECT FROM LogEntry")]
    assert min(remaining) == cutoff_date


def test_query_example(db, capsys):
    with db.transaction():
        for i, age in enumerate([12, 19, 30, 18, 45]):
            db.new_vertex("User").set("name", f"u{i}").set("age", age).save()

    def process_results(resultset):
        for result in resultset:
            print(result.get("name"))

    async_exec = db.async_executor()
    async_exec.query("sql", "SELECT FROM User WHERE age > 18", process_results)
    async_exec.wait_completion()
    async_exec.close()

    assert sorted(capsys.readouterr().out.split()) == ["u1", "u2", "u4"]


def test_command_example_with_params(db):
    seen = []
    async_exec = db.async_executor()
    async_exec.command("sql", "INSERT INTO User SET name = :name, age = :age",
                       lambda rs: seen.extend(rs), name="Ada", age=36)  # fmt: skip
    async_exec.wait_completion()
    async_exec.close()
    assert len(seen) == 1 and seen[0].get("name") == "Ada"
    assert db.query("sql", "SELECT FROM User WHERE name = 'Ada'").one().get("age") == 36


def test_wait_completion_and_close_examples(db):
    async_exec = db.async_executor()

    # Queue operations
    for i in range(10000):
        vertex = db.new_vertex("User")
        vertex.set("userId", i)
        async_exec.create_record(vertex)

    # Wait for all to complete
    async_exec.wait_completion()

    # Now safe to close
    async_exec.close()
    assert db.count_type("User") == 10000

    try:
        async_exec = db.async_executor()
        # Operations
        async_exec.wait_completion()
    finally:
        async_exec.close()


def test_is_pending_example(db, capsys):
    async_exec = db.async_executor()
    for i in range(50000):
        async_exec.create_record(db.new_vertex("User").set("userId", i))
    while async_exec.is_pending():
        print("Still processing...")
        time.sleep(0.01)  # the page sleeps 1 s; shorter here, same loop
    async_exec.close()
    assert db.count_type("User") == 50000


def test_complete_example_runs_as_written(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "async_bulk_insert.py")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Created 100,000 vertices" in result.stdout
    assert "records/sec" in result.stdout
    with arcadedb.open_database(str(tmp_path / "async_demo")) as db:
        assert db.count_type("Product") == 100000
        row = db.query("sql", "SELECT FROM Product WHERE productId = 99999").one()
        assert row.get("name") == "Product 99999" and row.get("price") == 99999 * 10.5


def test_performance_comparison_runs_as_written(db, capsys):
    # Synchronous (baseline)
    start = time.time()
    with db.transaction():
        for i in range(10000):
            vertex = db.new_vertex("User")
            vertex.set("userId", i)
            vertex.save()
    sync_time = time.time() - start

    # Asynchronous
    start = time.time()
    async_exec = db.async_executor().set_parallel_level(8)
    for i in range(10000):
        vertex = db.new_vertex("User")
        vertex.set("userId", i)
        async_exec.create_record(vertex)
    async_exec.wait_completion()
    async_exec.close()
    async_time = time.time() - start

    print(f"Synchronous: {10000 / sync_time:,.0f} records/sec")
    print(f"Asynchronous: {10000 / async_time:,.0f} records/sec")
    print(f"Speedup: {sync_time / async_time:.1f}x")

    assert db.count_type("User") == 20000
    assert "Speedup" in capsys.readouterr().out


def test_best_practices(db):
    # 0. Set a Commit Cadence
    async_exec = db.async_executor()
    async_exec.set_commit_every(500)  # Ensures async writes are persisted transactionally
    sizes = []
    async_exec.on_ok(sizes.append)
    for i in range(1200):
        async_exec.create_record(db.new_vertex("User").set("userId", i))

    # 1. Always Close the Executor / 2. Wait Before Closing
    try:
        async_exec.wait_completion()
    finally:
        async_exec.close()
    assert sizes and max(sizes) <= 500 and sum(sizes) == 1200

    # 3. Use Appropriate Batch Size
    async_exec = db.async_executor()
    for record_count in (5000, 50000, 500000):
        if record_count < 10000:
            async_exec.set_commit_every(2000)
        elif record_count < 100000:
            async_exec.set_commit_every(5000)
        else:
            async_exec.set_commit_every(20000)
    assert async_exec.get_commit_every() == 20000

    # 4. Match Parallelism to Hardware
    cpu_count = os.cpu_count() or 4
    async_exec.set_parallel_level(min(cpu_count, 16))
    assert async_exec.get_parallel_level() == min(cpu_count, 16)
    async_exec.close()


def test_troubleshooting_snippets(db):
    async_exec = db.async_executor()
    # Out of Memory Errors
    async_exec.set_back_pressure(50)  # Slow down enqueue
    async_exec.set_parallel_level(4)  # Fewer workers
    # Slow Performance
    async_exec.set_parallel_level(16)
    async_exec.set_commit_every(20000)
    async_exec.set_transaction_use_wal(False)
    for i in range(1000):
        async_exec.create_record(db.new_vertex("User").set("userId", i))
    # Operations Not Completing
    async_exec.wait_completion()
    if async_exec.is_pending():
        print("Still processing...")
    assert not async_exec.is_pending()
    async_exec.close()
    assert db.count_type("User") == 1000
