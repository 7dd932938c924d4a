"""BatchContext: bulk operations with collected errors, success counts and a progress bar."""

from __future__ import annotations

import warnings

import pytest

import arcadelite as arcadedb
from arcadelite.batch import BatchContext
from arcadelite.exceptions import (
    ArcadeDBError,
    AsyncOperationError,
    DuplicatedKeyError,
    TransactionError,
)


@pytest.fixture
def gdb(db):
    db.schema.create_vertex_type("Person")
    db.schema.create_property("Person", "pid", "INTEGER")
    db.schema.create_index("Person", ["pid"], unique=True)
    db.schema.create_document_type("Log")
    db.schema.create_edge_type("Knows")
    return db


def test_methods_before_enter_raise_runtime_error(gdb):
    batch = gdb.batch_context()
    calls = [
        lambda: batch.create_vertex("Person"),
        lambda: batch.create_document("Log"),
        lambda: batch.create_edge("#1:1", "#1:2", "Knows"),
        lambda: batch.create_record(gdb.new_document("Log")),
        lambda: batch.update_record(gdb.new_document("Log")),
        lambda: batch.delete_record(gdb.new_document("Log")),
        lambda: batch.query("sql", "SELECT 1", print),
        lambda: batch.command("sql", "SELECT 1"),
        batch.is_pending,
        batch.wait_completion,
        batch.get_errors,
        batch.get_success_count,
    ]
    for call in calls:
        with pytest.raises(RuntimeError, match="^BatchContext not entered$"):
            call()
    with batch:
        pass
    with pytest.raises(RuntimeError, match="BatchContext not entered"):
        batch.create_vertex("Person")
    assert batch.get_success_count() == 0 and batch.get_errors() == []


def test_creates_vertices_documents_and_edges_in_one_batch(gdb):
    seen = []
    with gdb.batch_context(batch_size=100, parallel=2) as batch:
        people = [batch.create_vertex("Person", pid=i, name=f"p{i}") for i in range(250)]
        for a, b in zip(people, people[1:]):
            batch.create_edge(a, b, "Knows", callback=seen.append, weight=a.get("pid"))
        batch.create_document("Log", msg="done")
    assert batch.get_success_count() == 250 + 249 + 1
    assert batch.get_errors() == []
    assert gdb.count_type("Person") == 250 and gdb.count_type("Knows") == 249
    assert len(seen) == 249 and all(e.get_rid() is not None for e in seen)
    first = gdb.lookup_by_key("Person", ["pid"], [0])
    (edge,) = first.get_edges("out", "Knows")
    assert edge.get_in().get("pid") == 1 and edge.get("weight") == 0
    assert isinstance(BatchContext, type) and arcadedb.BatchContext is BatchContext


def test_failures_are_collected_with_record_and_cause(gdb):
    with pytest.warns(RuntimeWarning, match="3 operation"):
        with gdb.batch_context(batch_size=1000) as batch:
            batch.create_vertex("Person", pid=1)
            dup = batch.create_vertex("Person", pid=1)
            batch.create_vertex("Person", pid=2)
            orphan_edge = batch.create_edge(dup, "#1:1", "Knows")
            batch.create_vertex("Person", pid="not an int")
    errors = batch.get_errors()
    assert len(errors) == 3
    assert all(isinstance(e, AsyncOperationError) for e in errors)
    by_record = {id(e.record): e for e in errors}
    assert isinstance(by_record[id(dup)].cause, DuplicatedKeyError)
    assert "never saved" in str(by_record[id(orphan_edge)].cause)
    assert batch.get_success_count() == 2
    assert sorted(v.get("pid") for v in gdb.iterate_type("Person")) == [1, 2]


def test_unread_failures_warn_on_exit(gdb):
    with pytest.warns(RuntimeWarning, match="1 operation"):
        with gdb.batch_context() as batch:
            batch.create_vertex("Person", pid=1)
            batch.create_vertex("Person", pid=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with gdb.batch_context() as batch:
            batch.create_vertex("Person", pid=1)
            batch.wait_completion(10)
            assert len(batch.get_errors()) == 1


def test_exit_never_swallows_exceptions_and_keeps_submitted_work(gdb):
    with pytest.raises(ZeroDivisionError):
        with gdb.batch_context(progress=True) as batch:
            batch.create_vertex("Person", pid=10)
            raise ZeroDivisionError
    assert gdb.count_type("Person") == 1
    with pytest.raises(KeyboardInterrupt):
        with gdb.batch_context(progress=True) as batch:
            batch.create_vertex("Person", pid=11)
            raise KeyboardInterrupt
    assert batch._bar is None and gdb.count_type("Person") == 2


def test_progress_bar_counts_committed_operations(gdb, capsys):
    with gdb.batch_context(batch_size=10, progress=True, progress_desc="Loading") as batch:
        batch.set_total(30)
        for i in range(30):
            batch.create_document("Log", n=i)
    err = capsys.readouterr().err
    assert "Loading" in err and "30/30" in err
    with gdb.batch_context(progress=True, progress_desc="Open") as batch:
        batch.create_document("Log", n=1)
    err = capsys.readouterr().err
    assert "Open: " in err and "1op" in err.replace(" ", "")
    with gdb.batch_context() as batch:
        batch.create_document("Log")
    assert capsys.readouterr().err == ""


def test_update_delete_query_and_command(gdb):
    with gdb.transaction():
        kept = gdb.new_vertex("Person").set("pid", 1).save()
        gone = gdb.new_vertex("Person").set("pid", 2).save()
    rows = []
    with pytest.warns(RuntimeWarning), gdb.batch_context() as batch:
        batch.update_record(kept.modify().set("name", "kept"))
        batch.delete_record(gone)
        batch.command("sql", "INSERT INTO Log SET msg = :m", m="hi")
        batch.query("sql", "SELECT count(*) AS c FROM Person", lambda rs: rows.extend(rs))
        batch.command("sql", "SELECT FROM Nowhere")
    assert gdb.lookup_by_key("Person", ["pid"], [1]).get("name") == "kept"
    assert gdb.count_type("Person") == 1 and gdb.count_type("Log") == 1
    assert rows[0].get("c") == 1
    (error,) = batch.get_errors()
    assert "Nowhere" in str(error)
    assert batch.get_success_count() == 4


def test_edge_ends_are_checked_when_they_can_be(gdb):
    with gdb.transaction():
        saved = gdb.new_vertex("Person").set("pid", 1).save()
        doc = gdb.new_document("Log").save()
    with gdb.batch_context() as batch:
        with pytest.raises(ArcadeDBError, match="from_vertex must be a vertex"):
            batch.create_edge(doc, saved, "Knows")
        with pytest.raises(ArcadeDBError, match="to_vertex .* is not a vertex"):
            batch.create_edge(saved, doc.get_rid(), "Knows")
        batch.create_edge(saved.get_rid(), saved, "Knows")
    assert gdb.count_type("Knows") == 1


def test_settings_are_validated_and_used(gdb):
    with pytest.raises(ValueError):
        gdb.batch_context(parallel=0)
    with pytest.raises(ValueError):
        gdb.batch_context(back_pressure=101)
    batch = gdb.batch_context(batch_size=7, parallel=3, use_wal=False, back_pressure=10)
    executor = batch._executor
    assert (executor.get_commit_every(), executor.get_parallel_level(),
            executor.is_transaction_use_wal(), executor.get_back_pressure()) == (7, 3, False, 10)  # fmt: skip
    assert executor is not gdb.async_executor()
    with batch:
        for i in range(20):
            batch.create_document("Log", n=i)
    assert batch.get_success_count() == 20 and executor.stats()["commits"] == 3
    with pytest.raises(RuntimeError, match="only once"):
        with batch:
            pass


def test_inside_a_transaction_is_refused_instead_of_deadlocking(gdb):
    with gdb.transaction():
        gdb.new_document("Log").save()
        with pytest.raises(TransactionError, match="inside a transaction"):
            with gdb.batch_context():
                pass
    with pytest.raises(TransactionError, match="begun inside the BatchContext block"):
        with gdb.batch_context() as batch:
            gdb.begin()
            gdb.new_document("Log").set("n", 1).save()
            batch.create_document("Log", n=2)
    gdb.commit()
    batch._executor.close()  # the operation completes once the writer lock is free
    assert gdb.count_type("Log") == 3
