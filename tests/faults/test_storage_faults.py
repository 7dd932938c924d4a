"""Issue 10, item 13: storage faults reach the caller as ArcadeDBErrors, never raw.

Each fault is real: an unprivileged user (a forked child that switched to ``nobody``) on a folder
or file it may not write, a read-only bind mount, pages of the file overwritten with garbage, rows
whose bytes are not JSON or not UTF-8 (written with plain SQLite while the database is closed),
the WAL deleted under a live database, values nested 1,200 deep, a value above SQLite's length
limit, and another thread closing the database in the middle of an iteration.

The length limit is lowered to 1 MB for the connections arcadelite opens during that one test
(``apsw.connection_hooks``, APSW's public hook) so that the test does not need a 1 GB value;
``python -m torture faults`` also tries a real one above SQLite's default 1,000,000,000 bytes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading

import apsw
import pytest
from torture import faultkit

import arcadelite as arcadedb
from arcadelite import ArcadeDBError
from arcadelite.exceptions import DatabaseClosedError, DatabaseCorruptError, ValidationError

pending = pytest.mark.fault_pending
DAMAGE_WORDS = ("corrupt", "damaged", "malformed")


def _make(path: str, count: int = 50) -> str:
    with arcadedb.create_database(path) as db:
        db.schema.create_document_type("D")
        db.schema.create_property("D", "n", "LONG")
        db.schema.create_index("D", ["n"], unique=True)
        with db.transaction():
            for n in range(count):
                db.new_document("D").set("n", n).set("text", f"value {n} " * 10).save()
    return path


def _raw(outcome: faultkit.Outcome) -> bool:
    return outcome.state == "raised" and not outcome.error["arcadedb"]


@pytest.fixture
def shared_folder():
    """A folder the unprivileged user ``nobody`` can reach (pytest's own is root-only)."""
    folder = tempfile.mkdtemp(prefix="arcadelite-faults-")
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# --- read-only: permissions and mounts -----------------------------------------------------------


def _open_count_write(path: str) -> dict[str, faultkit.Outcome]:
    """What an unprivileged opener sees: open, a read, a write (each described, never raised)."""
    facts: dict[str, faultkit.Outcome] = {}
    opened = faultkit.in_thread(lambda: arcadedb.open_database(path), timeout=20)
    # (the facts cross a pipe from the child: the Database object itself is not kept in them)
    facts["open"] = opened if not opened.ok else faultkit.Outcome("ok", "opened")
    if opened.ok:
        db = opened.value
        facts["read"] = faultkit.in_thread(lambda: db.count_type("D"), timeout=20)

        def write() -> None:
            with db.transaction():
                db.new_document("D").set("n", 999).save()

        facts["write"] = faultkit.in_thread(write, timeout=20)
        facts["close"] = faultkit.in_thread(db.close, timeout=20)
    return facts


def _assert_read_only_handled(facts: dict[str, faultkit.Outcome]) -> None:
    for step, outcome in facts.items():
        assert not _raw(outcome), f"{step}: a raw {outcome}"
        assert outcome.state in ("ok", "raised"), f"{step}: {outcome}"
    if facts["open"].ok:  # opened read-only: reads work, writes say why not
        assert facts["read"].ok and facts["read"].value == 50, f"read: {facts['read']}"
        assert facts["write"].state == "raised", "a write on a read-only database succeeded?"
        assert "read-only" in facts["write"].error["message"].lower() or (
            "readonly" in facts["write"].error["message"].lower()
        ), f"the write's error does not say read-only: {facts['write']}"
    else:
        message = facts["open"].error["message"].lower()
        assert "permission" in message or "read-only" in message, f"open: {facts['open']}"


def test_an_unprivileged_user_on_a_folder_it_cannot_write(shared_folder):
    path = _make(os.path.join(shared_folder, "db"))  # owned by root, mode 755
    try:
        child = faultkit.as_nobody(lambda: _open_count_write(path))
    except faultkit.Unavailable as exc:
        pytest.skip(str(exc))
    assert child.ok, f"the child: {child}"
    _assert_read_only_handled(child.value)


def test_an_unprivileged_user_on_a_read_only_database_file(shared_folder):
    path = _make(os.path.join(shared_folder, "db"))
    for name in os.listdir(path):
        os.chown(os.path.join(path, name), faultkit.NOBODY, faultkit.NOBODY)
    os.chown(path, faultkit.NOBODY, faultkit.NOBODY)
    os.chmod(os.path.join(path, "arcadelite.sqlite"), 0o444)
    try:
        child = faultkit.as_nobody(lambda: _open_count_write(path))
    except faultkit.Unavailable as exc:
        pytest.skip(str(exc))
    assert child.ok, f"the child: {child}"
    _assert_read_only_handled(child.value)


def test_a_database_on_a_read_only_mount(tmp_path):
    path = _make(str(tmp_path / "db"))
    try:
        with faultkit.bind_mount(path, str(tmp_path / "ro"), read_only=True) as mounted:
            facts = _open_count_write(mounted)
    except faultkit.Unavailable as exc:
        pytest.skip(str(exc))
    _assert_read_only_handled(facts)


# --- damaged files and rows --------------------------------------------------------------------


ACCESSES = {
    "open_database + count_type": lambda path: _with_db(path, lambda db: db.count_type("D")),
    "iterate_type": lambda path: _with_db(path, lambda db: sum(1 for _ in db.iterate_type("D"))),
    "lookup_by_rid": lambda path: _with_db(
        path, lambda db: [db.lookup_by_rid(f"#1:{p}") for p in range(1, 3000, 97)]
    ),
    "lookup_by_key": lambda path: _with_db(
        path, lambda db: [db.lookup_by_key("D", ["n"], [n]) for n in range(0, 3000, 97)]
    ),
    "query": lambda path: _with_db(
        path, lambda db: db.query("sql", "SELECT count(*) AS c FROM D WHERE text LIKE 'v%'").to_list()
    ),
}


def _with_db(path: str, action):
    with arcadedb.open_database(path) as db:
        return action(db)


@pytest.mark.parametrize("access", list(ACCESSES))
def test_a_corrupt_file_raises_arcadedb_errors(tmp_path, access):
    path = _make(str(tmp_path / "db"), count=3000)
    pages, page_size = faultkit.btree_pages(path, faultkit.table_of(path, "D"))
    faultkit.smash_pages(path, pages, page_size)
    outcome = faultkit.in_thread(lambda: ACCESSES[access](path), timeout=30)
    assert outcome.state == "raised", f"{access} on a smashed table: {outcome}"
    assert outcome.error["arcadedb"], f"{access}: a raw {outcome}"
    assert any(w in outcome.error["message"].lower() for w in DAMAGE_WORDS), str(outcome)


def _damaged_rows(tmp_path) -> str:
    path = str(tmp_path / "db")
    with arcadedb.create_database(path) as db:
        db.schema.create_document_type("R")
        with db.transaction():
            for n in range(10):
                db.new_document("R").set("n", n).save()
    table = faultkit.table_of(path, "R")
    faultkit.raw_sql(path, f"UPDATE {table} SET body = '{{\"n\": 3, bad' WHERE pos = 3")
    faultkit.raw_sql(path, f"UPDATE {table} SET body = CAST(x'7b226e223a20342c2022223a2022ff227d' "
                           "AS TEXT) WHERE pos = 4")  # fmt: skip
    return path


ROW_ACCESSES = {
    "lookup_by_rid (not JSON)": lambda db: db.lookup_by_rid("#1:3"),
    "lookup_by_rid (not UTF-8)": lambda db: db.lookup_by_rid("#1:4"),
    "iterate_type": lambda db: list(db.iterate_type("R")),
    "query": lambda db: db.query("sql", "SELECT FROM R").to_list(),
    "query WHERE": lambda db: db.query("sql", "SELECT FROM R WHERE n = 4").to_list(),
    "export_database": lambda db: db.export_database(
        os.path.join(db.get_database_path(), "..", "dump.jsonl.gz"), verbose=0
    ),
}


@pytest.mark.parametrize("access", list(ROW_ACCESSES))
def test_damaged_rows_raise_arcadedb_errors_naming_the_record(tmp_path, access):
    """Each access raises an ArcadeDBError that names the damaged record, or (where SQLite cannot
    tell which row, e.g. a WHERE over a malformed body) says to run ``arcadelite check``."""
    path = _damaged_rows(tmp_path)
    with arcadedb.open_database(path) as db:
        outcome = faultkit.in_thread(lambda: ROW_ACCESSES[access](db), timeout=30)
    assert outcome.state == "raised", f"{access}: {outcome}"
    assert outcome.error["arcadedb"], f"{access}: a raw {outcome}"
    message = outcome.error["message"]
    named = "#1:3" in message or "#1:4" in message
    assert named or "check" in message.lower(), (
        f"the error names neither the damaged record nor what to do: {message}"
    )


def test_export_refuses_a_record_whose_body_is_not_json(tmp_path):
    """A plain body is copied into the dump without parsing it: a damaged one must stop the
    export (naming the record), not make a dump that no import can read."""
    path = str(tmp_path / "db")
    with arcadedb.create_database(path) as db:
        db.schema.create_document_type("R")
        with db.transaction():
            for n in range(10):
                db.new_document("R").set("n", n).save()
    table = faultkit.table_of(path, "R")
    faultkit.raw_sql(path, f"UPDATE {table} SET body = '{{\"n\": 3, bad' WHERE pos = 3")
    target = str(tmp_path / "out" / "dump.jsonl.gz")
    with arcadedb.open_database(path) as db:
        with pytest.raises(DatabaseCorruptError) as caught:
            db.export_database(target, verbose=0)
    assert "#1:3" in str(caught.value) and "check" in str(caught.value)
    assert not os.path.exists(target)
    assert not os.path.isdir(os.path.dirname(target)) or os.listdir(os.path.dirname(target)) == []


# --- the WAL deleted under a live database -----------------------------------------------------


def test_a_wal_deleted_under_a_live_database_gives_arcadedb_errors(db):
    db.schema.create_document_type("D")
    with db.transaction():
        db.new_document("D").set("n", 1).save()
    os.remove(os.path.join(db.get_database_path(), "arcadelite.sqlite-wal"))

    def write_in_a_new_thread() -> None:
        with db.transaction():
            db.new_document("D").set("n", 2).save()

    for what, action in (("a new thread's write", write_in_a_new_thread),
                         ("a new thread's read", lambda: db.count_type("D"))):  # fmt: skip
        outcome = faultkit.in_thread(action, timeout=30)
        assert not _raw(outcome), f"{what}: a raw {outcome}"
        assert outcome.state in ("ok", "raised"), f"{what}: {outcome}"
        if outcome.state == "raised":
            assert "wal" in outcome.error["message"].lower() or "i/o" in outcome.error["message"].lower()


# --- values: too deep, too big -------------------------------------------------------------------


def _nested(depth: int, kind: str):
    value: object = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


@pytest.mark.parametrize("kind", ["list", "map"])
def test_a_value_nested_1200_deep_is_a_validation_error(db, kind):
    db.schema.create_document_type("D")
    deep = _nested(1200, kind)
    with pytest.raises(ValidationError) as caught:
        with db.transaction():
            db.new_document("D").set("v", deep).save()
    assert "deep" in str(caught.value).lower() or "nest" in str(caught.value).lower()
    with pytest.raises(ArcadeDBError):
        with db.transaction():
            db.command("sql", "INSERT INTO D SET v = ?", deep)
    executor = db.async_executor()
    failures: list[BaseException] = []
    outcome = faultkit.in_thread(
        lambda: (executor.create_record(db.new_document("D").set("v", deep),
                                        error_callback=failures.append),
                 executor.wait_completion(timeout=10)),
        timeout=20,
    )  # fmt: skip
    assert not _raw(outcome), f"the executor: a raw {outcome}"
    assert all(isinstance(f, ArcadeDBError) for f in failures)
    assert db.count_type("D") == 0


def test_a_value_nested_100_deep_round_trips(db):
    """Guard (passes today): the depth limit must not bite ordinary nesting."""
    db.schema.create_document_type("D")
    value = _nested(100, "list")
    with db.transaction():
        record = db.new_document("D").set("v", value).save()
    assert db.lookup_by_rid(record.get_rid()).get("v") == value


@pytest.fixture
def one_megabyte_limit():
    """SQLite's string/blob length limit lowered to 1 MB on the connections opened meanwhile."""

    def hook(connection: apsw.Connection) -> None:
        connection.limit(apsw.SQLITE_LIMIT_LENGTH, 1_000_000)

    apsw.connection_hooks.append(hook)
    yield
    apsw.connection_hooks.remove(hook)


def test_a_value_above_sqlites_length_limit_is_an_arcadedb_error(db_path, one_megabyte_limit):
    with arcadedb.create_database(db_path) as db:
        db.schema.create_document_type("D")
        big = "x" * 2_000_000
        with pytest.raises(ArcadeDBError) as caught:
            with db.transaction():
                db.new_document("D").set("v", big).save()
        assert "big" in str(caught.value).lower() or "limit" in str(caught.value).lower()
        with pytest.raises(ArcadeDBError):
            with db.transaction():
                db.command("sql", "INSERT INTO D SET v = ?", big)
        assert db.count_type("D") == 0
        with db.transaction():
            db.new_document("D").set("v", "small").save()
        assert db.count_type("D") == 1


# --- another thread closes the database mid-iteration ---------------------------------------------


def test_closing_the_database_during_an_iteration_is_a_database_closed_error(db_path):
    _make(db_path, 500)
    db = arcadedb.open_database(db_path)
    records = db.iterate_type("D")
    next(records)
    closer = threading.Thread(target=db.close)
    closer.start()
    closer.join(20)
    with pytest.raises(DatabaseClosedError):
        next(records)
