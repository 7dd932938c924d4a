"""Database lifecycle (API.md §1-§2): create, open, exists, factory, close, drop, locking."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import arcadelite as arcadedb
from arcadelite import ArcadeDBError, DatabaseClosedError, DatabaseLockedError


def _add_one(db, value=1):
    if not db.schema.exists_type("Item"):
        db.schema.create_document_type("Item")
    with db.transaction():
        return db.new_document("Item").set("n", value).save()


# --- create / open / exists ------------------------------------------------------------------


def test_create_makes_the_folder_with_one_sqlite_file(tmp_path):
    path = tmp_path / "fresh"
    assert not arcadedb.database_exists(str(path))
    db = arcadedb.create_database(str(path))
    try:
        assert db.is_open()
        assert arcadedb.database_exists(str(path))
        assert [f for f in os.listdir(path) if f.endswith(".sqlite")] == ["arcadelite.sqlite"]
        assert db.schema.get_types() == []
    finally:
        db.close()
    assert arcadedb.database_exists(str(path))


def test_create_accepts_a_path_object(tmp_path):
    with arcadedb.create_database(tmp_path / "p") as db:
        assert db.get_database_path() == str(tmp_path / "p")
    assert arcadedb.database_exists(tmp_path / "p")


def test_open_reads_what_create_wrote(db_path):
    with arcadedb.create_database(db_path) as db:
        rid = _add_one(db, 42).get_rid()
    with arcadedb.open_database(db_path) as db:
        assert db.lookup_by_rid(rid).get("n") == 42
        assert db.count_type("Item") == 1


def test_create_where_a_database_exists_is_refused_and_changes_nothing(db_path):
    with arcadedb.create_database(db_path) as db:
        rid = _add_one(db, 7).get_rid()
    with pytest.raises(ArcadeDBError) as err:
        arcadedb.create_database(db_path)
    assert "already exists" in str(err.value)
    assert os.path.abspath(db_path) in str(err.value)
    with arcadedb.open_database(db_path) as db:
        assert db.lookup_by_rid(rid).get("n") == 7
        assert db.count_type("Item") == 1


def test_create_while_open_in_this_process_is_refused(db):
    with pytest.raises(ArcadeDBError) as err:
        arcadedb.create_database(db.get_database_path())
    assert db.get_database_path() in str(err.value)
    assert db.is_open()


def test_open_missing_database_is_an_error_and_creates_nothing(tmp_path):
    path = tmp_path / "missing"
    with pytest.raises(ArcadeDBError) as err:
        arcadedb.open_database(str(path))
    assert "does not exist" in str(err.value)
    assert str(path) in str(err.value)
    assert not path.exists()


def test_open_an_empty_folder_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArcadeDBError, match="does not exist"):
        arcadedb.open_database(str(tmp_path / "empty"))
    assert os.listdir(tmp_path / "empty") == []


def test_open_a_folder_holding_something_else_is_a_clear_error(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "arcadelite.sqlite").write_bytes(b"not sqlite" * 100)
    for _ in range(2):  # the failed open released the folder: the same error again
        with pytest.raises(ArcadeDBError) as err:
            arcadedb.open_database(str(folder))
        assert str(folder) in str(err.value)
        assert "not an arcadelite database" in str(err.value)
    assert (folder / "arcadelite.sqlite").read_bytes() == b"not sqlite" * 100


def test_open_twice_in_this_process_is_refused(db):
    with pytest.raises(DatabaseLockedError) as err:
        arcadedb.open_database(db.get_database_path())
    assert "already open in this process" in str(err.value)
    assert db.get_database_path() in str(err.value)
    assert db.is_open()
    _add_one(db)  # the first handle still works
    assert db.count_type("Item") == 1


def test_close_then_open_again_in_this_process(db_path):
    db = arcadedb.create_database(db_path)
    db.close()
    again = arcadedb.open_database(db_path)
    assert again.is_open()
    again.close()


def test_database_factory(tmp_path):
    factory = arcadedb.DatabaseFactory(str(tmp_path / "f"))
    assert factory.exists() is False
    db = factory.create()
    assert factory.exists() is True
    rid = _add_one(db, 3).get_rid()
    db.close()
    with factory.open() as db:
        assert db.lookup_by_rid(rid).get("n") == 3
    with pytest.raises(ArcadeDBError, match="already exists"):
        factory.create()


def test_name_and_path(tmp_path):
    with arcadedb.create_database(str(tmp_path / "shop")) as db:
        assert db.get_name() == "shop"
        assert db.get_database_path() == str(tmp_path / "shop")
    with arcadedb.open_database(str(tmp_path / "shop") + os.sep) as db:
        assert db.get_name() == "shop"


# --- close ----------------------------------------------------------------------------------


def test_close_is_idempotent(db):
    db.close()
    db.close()
    assert db.is_open() is False


def test_context_manager_closes(db_path):
    with arcadedb.create_database(db_path) as db:
        assert db.is_open()
    assert db.is_open() is False
    assert "closed" in repr(db)


def test_context_manager_does_not_swallow_exceptions(db_path):
    with pytest.raises(KeyError, match="boom"):
        with arcadedb.create_database(db_path) as db:
            raise KeyError("boom")
    assert db.is_open() is False
    with arcadedb.open_database(db_path):  # the lock was released
        pass


def test_close_rolls_back_an_open_transaction(db_path):
    db = arcadedb.create_database(db_path)
    _add_one(db, 1)
    db.begin()
    db.new_document("Item").set("n", 2).save()
    db.close()
    with arcadedb.open_database(db_path) as db:
        assert [r.get("n") for r in db.iterate_type("Item")] == [1]


def _closed_calls(db, record, vertex):
    """Every Database method (and the record methods that reach the database)."""
    return {
        "query": lambda: db.query("sql", "SELECT FROM Item"),
        "command": lambda: db.command("sql", "SELECT FROM Item"),
        "begin": db.begin,
        "commit": db.commit,
        "rollback": db.rollback,
        "transaction": db.transaction,
        "is_transaction_active": db.is_transaction_active,
        "new_document": lambda: db.new_document("Item"),
        "new_vertex": lambda: db.new_vertex("V"),
        "lookup_by_rid": lambda: db.lookup_by_rid(record.get_rid()),
        "lookup_by_key": lambda: db.lookup_by_key("Item", ["n"], [1]),
        "count_type": lambda: db.count_type("Item"),
        "iterate_type": lambda: db.iterate_type("Item"),
        "schema": lambda: db.schema,
        "get_schema": db.get_schema,
        "async_executor": db.async_executor,
        "batch_context": db.batch_context,
        "export_database": lambda: db.export_database("x.jsonl.gz"),
        "export_to_csv": lambda: db.export_to_csv("SELECT FROM Item", "x.csv"),
        "set_wal_flush": lambda: db.set_wal_flush("yes_full"),
        "set_read_your_writes": lambda: db.set_read_your_writes(True),
        "set_auto_transaction": lambda: db.set_auto_transaction(True),
        "is_auto_transaction": db.is_auto_transaction,
        "drop": db.drop,
        "get_name": db.get_name,
        "get_database_path": db.get_database_path,
        "record.save": lambda: record.modify().set("n", 5).save(),
        "record.delete": record.delete,
        "vertex.get_edges": lambda: vertex.get_edges(),
        "vertex.new_edge": lambda: vertex.new_edge("E", vertex),
    }


def test_every_method_after_close_raises_closed(db_path):
    db = arcadedb.create_database(db_path)
    record = _add_one(db, 1)
    db.schema.create_vertex_type("V")
    db.schema.create_edge_type("E")
    with db.transaction():
        vertex = db.new_vertex("V").save()
    schema = db.schema
    calls = _closed_calls(db, record, vertex)
    db.close()
    for name, call in calls.items():
        with pytest.raises(DatabaseClosedError) as err:
            call()
        assert "closed" in str(err.value), name
    with pytest.raises(DatabaseClosedError, match="closed"):
        schema.create_document_type("Late")
    assert db.is_open() is False
    db.close()  # still idempotent
    with arcadedb.open_database(db_path) as again:  # nothing changed on disk
        assert again.count_type("Item") == 1
        assert again.schema.exists_type("Late") is False
        assert not os.path.exists(os.path.join(os.getcwd(), "x.csv"))


def test_closed_database_in_a_transaction_block_keeps_the_original_error(db):
    with pytest.raises(ValueError, match="inner"):
        with db.transaction():
            db.close()
            raise ValueError("inner")


# --- drop -----------------------------------------------------------------------------------


def test_drop_deletes_the_folder(db_path):
    db = arcadedb.create_database(db_path)
    _add_one(db)
    db.drop()
    assert not os.path.exists(db_path)
    assert arcadedb.database_exists(db_path) is False
    assert db.is_open() is False
    with pytest.raises(DatabaseClosedError, match="closed"):
        db.count_type("Item")
    with arcadedb.create_database(db_path) as again:  # the path is free again
        assert again.count_type("Item") == 0


def test_drop_is_refused_inside_a_transaction(db):
    rid = _add_one(db, 9).get_rid()
    db.begin()
    with pytest.raises(ArcadeDBError) as err:
        db.drop()
    assert "transaction" in str(err.value)
    assert db.is_open()
    assert db.is_transaction_active()
    db.rollback()
    assert os.path.isdir(db.get_database_path())
    assert db.lookup_by_rid(rid).get("n") == 9


# --- another process --------------------------------------------------------------------------

_TRY_OPEN = textwrap.dedent(
    """
    import sys
    import arcadelite as arcadedb
    try:
        db = arcadedb.open_database(sys.argv[1])
    except arcadedb.ArcadeDBError as exc:
        print(type(exc).__name__ + "|" + str(exc))
    else:
        print("OPENED|" + str(db.count_type("Item")))
        db.close()
    """
)


def _open_in_child(path):
    done = subprocess.run(
        [sys.executable, "-c", _TRY_OPEN, path], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().split("|", 1)


def test_second_process_is_refused_naming_the_holder_then_opens_after_close(db_path):
    db = arcadedb.create_database(db_path)
    _add_one(db)
    before = os.path.getsize(os.path.join(db_path, "arcadelite.sqlite"))
    kind, message = _open_in_child(db_path)
    assert kind == "DatabaseLockedError"
    assert f"pid {os.getpid()}" in message
    assert "another process" in message
    # The refused process touched nothing: this one still writes and reads normally.
    assert os.path.getsize(os.path.join(db_path, "arcadelite.sqlite")) == before
    _add_one(db, 2)
    assert db.count_type("Item") == 2
    db.close()
    assert _open_in_child(db_path) == ["OPENED", "2"]


def test_second_process_create_is_refused(db):
    code = "import sys, arcadelite as a\ntry:\n    a.create_database(sys.argv[1])\n"
    code += "except a.ArcadeDBError as e:\n    print(type(e).__name__, e)\n"
    done = subprocess.run(
        [sys.executable, "-c", code, db.get_database_path()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.startswith("ArcadeDBError"), done.stdout + done.stderr
    assert "already exists" in done.stdout
