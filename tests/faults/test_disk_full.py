"""Issue 10, items 1-3: a full disk (ENOSPC) on a real 8 MB tmpfs.

A transaction of more than 16 MB outgrows SQLite's page cache (arcadelite sets 16 MB), so SQLite
spills pages to the WAL in the middle of an INSERT; on an 8 MB disk that write fails with ENOSPC
and SQLite rolls the whole transaction back by itself. A transaction that fits the cache meets
ENOSPC at COMMIT instead. Both must end as an ArcadeDBError that says the disk is full, with the
transaction over, the thread clean, and the database usable once space is freed.
"""

from __future__ import annotations

import os

import pytest
from torture import faultkit

import arcadelite as arcadedb
from arcadelite import ArcadeDBError
from arcadelite.exceptions import TransactionError

pending = pytest.mark.fault_pending
RECORD = 100_000  # characters per record: 300 of them outgrow SQLite's 16 MB cache


def _pad(i: int) -> str:
    return f"{i:08d}" + "x" * (RECORD - 8)


def _new_db(folder: str, closing) -> arcadedb.Database:
    db = arcadedb.create_database(os.path.join(folder, "db"))
    closing(db)
    db.schema.create_document_type("D")
    db.schema.create_property("D", "n", "LONG")
    db.schema.create_index("D", ["n"], unique=True)
    return db


def _reserve(folder: str, size: int = 1 << 20) -> str:
    """A file whose removal later frees ``size`` bytes of the full disk."""
    path = os.path.join(folder, "reserve")
    with open(path, "wb") as f:
        f.write(b"r" * size)
    return path


def _outgrow_the_cache(db: arcadedb.Database, megabytes: int = 30) -> BaseException | None:
    """One transaction of ``megabytes`` MB: ENOSPC strikes inside an INSERT. Returns what it
    raised (None if it committed)."""
    try:
        with db.transaction():
            for i in range(megabytes * 10):
                db.new_document("D").set("n", i).set("pad", _pad(i)).save()
    except BaseException as exc:
        return exc
    return None


def _says_disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "full" in text and ("disk" in text or "space" in text)


# --- item 1: a synchronous transaction --------------------------------------------------------


def test_disk_full_inside_an_insert_raises_an_arcadedb_error_saying_so(small_disk, closing):
    db = _new_db(small_disk, closing)
    error = _outgrow_the_cache(db)
    assert error is not None, "30 MB fitted on an 8 MB disk?"
    assert isinstance(error, ArcadeDBError), f"raw {type(error).__module__}.{type(error).__name__}: {error}"
    assert _says_disk_full(error), f"the message does not say the disk is full: {error}"
    assert not db.is_transaction_active()


def test_after_disk_full_the_thread_has_no_transaction_and_writes_outside_one_are_refused(
    small_disk, closing
):
    db = _new_db(small_disk, closing)
    assert _outgrow_the_cache(db) is not None
    assert not db.is_transaction_active(), "the failed transaction is still active"
    with pytest.raises(TransactionError):  # auto-transaction is off: as on any clean thread
        db.new_document("D").set("n", -1).save()


def test_after_disk_full_an_auto_transaction_write_is_committed_not_dropped(small_disk, closing):
    db = _new_db(small_disk, closing)
    reserve = _reserve(small_disk)
    assert _outgrow_the_cache(db) is not None
    os.remove(reserve)  # space freed
    db.set_auto_transaction(True)
    db.new_document("D").set("n", -1).save()
    path = db.get_database_path()
    db.close()
    with arcadedb.open_database(path) as again:
        assert again.lookup_by_key("D", ["n"], [-1]) is not None, "the write was dropped at close"
        assert again.count_type("D") == 1


def test_after_disk_full_other_threads_can_write(small_disk, closing):
    db = _new_db(small_disk, closing)
    reserve = _reserve(small_disk)
    assert _outgrow_the_cache(db) is not None
    try:  # whatever this thread does next must not keep the writer lock
        db.new_document("D").set("n", -1).save()
    except ArcadeDBError:
        pass
    os.remove(reserve)

    def write_elsewhere() -> int:
        with db.transaction():
            db.new_document("D").set("n", -2).save()
        return db.count_type("D")

    outcome = faultkit.in_thread(write_elsewhere, timeout=10)
    assert outcome.ok, f"another thread's transaction: {outcome}"
    assert db.lookup_by_key("D", ["n"], [-2]) is not None


def test_writes_after_disk_full_in_the_same_block_are_not_committed_one_by_one(small_disk, closing):
    """SQLite rolled the transaction back: what the block writes afterwards must not run in
    autocommit (each statement committing by itself) while the block still looks transactional."""
    db = _new_db(small_disk, closing)
    reserve = _reserve(small_disk)
    after: list[str] = []
    with pytest.raises(ArcadeDBError):
        with db.transaction():
            try:
                for i in range(300):
                    db.new_document("D").set("n", i).set("pad", _pad(i)).save()
            except Exception:
                os.remove(reserve)
                try:
                    db.new_document("D").set("n", -1).save()
                    after.append("accepted")
                except Exception as exc:
                    after.append(f"refused: {exc}")
    assert not db.is_transaction_active()
    assert db.lookup_by_key("D", ["n"], [-1]) is None, (
        f"a write after the rollback was committed on its own ({after})"
    )
    assert db.count_type("D") == 0


def test_disk_full_at_commit_raises_an_arcadedb_error_and_changes_nothing(small_disk, closing):
    """Guard (passes today): a transaction that fits the cache meets ENOSPC at COMMIT."""
    db = _new_db(small_disk, closing)
    filler = faultkit.fill_disk(small_disk, leave=1 << 20)
    with pytest.raises(ArcadeDBError) as caught:
        with db.transaction():
            for i in range(40):  # 4 MB: in the cache, not on a disk with 1 MB left
                db.new_document("D").set("n", i).set("pad", _pad(i)).save()
    assert _says_disk_full(caught.value)
    assert not db.is_transaction_active()
    os.remove(filler)
    with db.transaction():
        db.new_document("D").set("n", 1).save()
    assert db.count_type("D") == 1


# --- item 2: the async executor ----------------------------------------------------------------


def test_async_operations_on_a_full_disk_are_reported_once_with_their_true_outcome(
    small_disk, closing
):
    db = _new_db(small_disk, closing)
    total = 400  # 40 MB: the executor's transaction spills, ENOSPC inside its INSERTs
    committed: set[int] = set()
    failed: dict[int, BaseException] = {}
    executor = db.async_executor().set_parallel_level(1).set_commit_every(1000)
    for i in range(total):
        executor.create_record(
            db.new_document("D").set("n", i).set("pad", _pad(i)),
            callback=lambda record, i=i: committed.add(i),
            error_callback=lambda exc, i=i: failed.__setitem__(i, exc),
        )
    executor.wait_completion(timeout=60)
    path = db.get_database_path()
    db.close()
    with arcadedb.open_database(path) as again:
        present = {r.get("n") for r in again.query("sql", "SELECT n FROM D")}
    assert not committed & set(failed), "reported both committed and failed"
    assert committed | set(failed) == set(range(total)), "reported neither committed nor failed"
    wrongly_failed = present & set(failed)
    assert not wrongly_failed, (
        f"{len(wrongly_failed)} operations reported failed are in the database (a retry would "
        f"duplicate them); {len(committed)} reported committed, {len(failed)} failed"
    )
    assert committed == present, "reported committed but not in the database"
    causes = [getattr(exc, "cause", exc) or exc for exc in failed.values()]
    assert all(_says_disk_full(c) or _says_disk_full(e) for c, e in zip(causes, failed.values()))


# --- item 3: create_database, export_database ---------------------------------------------------


@pytest.mark.parametrize("leave", [0, 16384])  # 16 KB: SQLite's -shm cannot grow ("I/O error")
def test_create_database_on_a_full_disk_raises_an_arcadedb_error(small_disk, leave):
    faultkit.fill_disk(small_disk, leave=leave)
    with pytest.raises(ArcadeDBError) as caught:
        arcadedb.create_database(os.path.join(small_disk, "db"))
    assert _says_disk_full(caught.value) or "space" in str(caught.value).lower()
    assert not os.path.exists(os.path.join(small_disk, "db")), "the half-made folder stayed"


def test_create_database_on_a_full_disk_leaves_no_locked_file_behind(small_disk):
    folder = os.path.join(small_disk, "db")
    filler = faultkit.fill_disk(small_disk)
    try:
        arcadedb.create_database(folder)
    except Exception:
        pass
    assert faultkit.open_files_under(small_disk) == [], "a file descriptor (the lock) leaked"
    os.remove(filler)
    db = arcadedb.create_database(folder)  # the folder is not "locked" by a leaked descriptor
    db.close()


def test_export_on_a_full_disk_raises_an_arcadedb_error_and_leaves_no_file(small_disk, closing):
    db = arcadedb.create_database(os.path.join(small_disk, "db"))
    closing(db)
    db.schema.create_document_type("D")
    with db.transaction():
        for i in range(2000):
            db.new_document("D").set("n", i).set("text", os.urandom(500).hex()).save()
    faultkit.fill_disk(small_disk)
    target = os.path.join(small_disk, "out", "dump.jsonl.gz")
    with pytest.raises(ArcadeDBError) as caught:
        db.export_database(target, verbose=0)
    assert "space" in str(caught.value).lower() or _says_disk_full(caught.value)
    left = os.listdir(os.path.dirname(target)) if os.path.isdir(os.path.dirname(target)) else []
    assert left == [], f"export left {left}"
