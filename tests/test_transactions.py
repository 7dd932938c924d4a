"""Transactions (API.md §2, §5): per thread, commit/rollback, context manager, isolation,
auto-transaction, nesting."""

from __future__ import annotations

import threading

import pytest

from arcadelite import DuplicatedKeyError, TransactionContext, TransactionError


@pytest.fixture
def tdb(db):
    db.schema.create_document_type("Item")
    return db


def _values(db):
    return sorted(r.get("n") for r in db.iterate_type("Item"))


def _add(db, n):
    return db.new_document("Item").set("n", n).save()


def _run_in_thread(target):
    """Run ``target`` in a thread; re-raise what it raised."""
    errors: list[BaseException] = []

    def wrapper():
        try:
            target()
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    thread = threading.Thread(target=wrapper)
    thread.start()
    return thread, errors


# --- begin / commit / rollback --------------------------------------------------------------


def test_commit_without_begin_is_an_error(tdb):
    with pytest.raises(TransactionError) as err:
        tdb.commit()
    assert "no active transaction" in str(err.value)
    assert "begin()" in str(err.value)
    assert tdb.is_transaction_active() is False


def test_rollback_without_begin_is_a_no_op(tdb):
    with tdb.transaction():
        _add(tdb, 1)
    tdb.rollback()
    tdb.rollback()
    assert _values(tdb) == [1]
    assert tdb.is_transaction_active() is False


def test_begin_commit(tdb):
    tdb.begin()
    assert tdb.is_transaction_active() is True
    _add(tdb, 1)
    _add(tdb, 2)
    tdb.commit()
    assert tdb.is_transaction_active() is False
    assert _values(tdb) == [1, 2]


def test_begin_rollback_undoes_inserts_updates_and_deletes(tdb, snapshot):
    with tdb.transaction():
        kept = _add(tdb, 1)
        doomed = _add(tdb, 2)
    before = snapshot(tdb)
    tdb.begin()
    _add(tdb, 3)
    kept.set("n", 10).save()
    doomed.delete()
    assert _values(tdb) == [3, 10]  # the owner reads its own writes
    tdb.rollback()
    assert tdb.is_transaction_active() is False
    assert snapshot(tdb) == before
    assert _values(tdb) == [1, 2]


def test_context_manager_commits(tdb):
    context = tdb.transaction()
    assert isinstance(context, TransactionContext)
    with context as entered:
        assert entered is context
        assert tdb.is_transaction_active() is True
        _add(tdb, 1)
    assert tdb.is_transaction_active() is False
    assert _values(tdb) == [1]


def test_exception_in_the_block_rolls_back_and_reraises(tdb, snapshot):
    with tdb.transaction():
        first = _add(tdb, 1)
    before = snapshot(tdb)
    with pytest.raises(LookupError):
        with tdb.transaction():
            _add(tdb, 2)
            first.set("n", 100).save()
            tdb.new_document("Item").set("n", 3).save().delete()
            raise LookupError("fail inside the block")
    assert tdb.is_transaction_active() is False
    assert snapshot(tdb) == before


def test_a_failed_write_in_the_block_leaves_nothing_of_the_transaction(tdb, snapshot):
    tdb.schema.create_property("Item", "n", "INTEGER")
    tdb.schema.create_index("Item", ["n"], unique=True)
    with tdb.transaction():
        _add(tdb, 1)
    before = snapshot(tdb)
    with pytest.raises(DuplicatedKeyError):
        with tdb.transaction():
            _add(tdb, 2)
            _add(tdb, 3)
            _add(tdb, 1)
    assert snapshot(tdb) == before


def test_catching_a_failed_write_keeps_the_rest_of_the_transaction(tdb):
    tdb.schema.create_property("Item", "n", "INTEGER")
    tdb.schema.create_index("Item", ["n"], unique=True)
    with tdb.transaction():
        _add(tdb, 1)
        with pytest.raises(DuplicatedKeyError):
            _add(tdb, 1)
        _add(tdb, 2)
    assert _values(tdb) == [1, 2]


# --- writes outside a transaction ---------------------------------------------------------------


def test_write_outside_a_transaction_explains_the_fix(tdb, snapshot):
    with tdb.transaction():
        existing = _add(tdb, 1)
    before = snapshot(tdb)
    attempts = [
        lambda: _add(tdb, 2),
        lambda: existing.set("n", 5).save(),
        existing.delete,
    ]
    for attempt in attempts:
        with pytest.raises(TransactionError) as err:
            attempt()
        assert "db.transaction()" in str(err.value)
        assert "set_auto_transaction(True)" in str(err.value)
    assert tdb.is_transaction_active() is False
    assert snapshot(tdb) == before


def test_auto_transaction_commits_each_write(tdb, db_path):
    tdb.set_auto_transaction(True)
    assert tdb.is_auto_transaction() is True
    first = _add(tdb, 1)
    assert tdb.is_transaction_active() is False
    _add(tdb, 2)
    first.set("n", 10).save()
    # Visible to another thread at once: each write was its own committed transaction.
    seen: list[list[int]] = []
    thread, errors = _run_in_thread(lambda: seen.append(_values(tdb)))
    thread.join()
    assert errors == []
    assert seen == [[2, 10]]
    first.delete()
    assert _values(tdb) == [2]
    tdb.set_auto_transaction(False)
    with pytest.raises(TransactionError):
        _add(tdb, 3)


def test_auto_transaction_inside_an_explicit_transaction_waits_for_commit(tdb):
    tdb.set_auto_transaction(True)
    tdb.begin()
    _add(tdb, 1)
    tdb.rollback()
    assert _values(tdb) == []


# --- threads ------------------------------------------------------------------------------------


def test_transactions_are_per_thread(tdb):
    tdb.begin()
    active_elsewhere: list[bool] = []
    thread, errors = _run_in_thread(lambda: active_elsewhere.append(tdb.is_transaction_active()))
    thread.join()
    assert errors == []
    assert active_elsewhere == [False]
    assert tdb.is_transaction_active() is True
    tdb.rollback()


def test_other_threads_never_see_uncommitted_data(tdb):
    with tdb.transaction():
        first = _add(tdb, 1)
    wrote, looked, committed, looked_again = (threading.Event() for _ in range(4))
    seen: dict[str, object] = {}

    def reader():
        assert wrote.wait(10)
        seen["count"] = tdb.count_type("Item")
        seen["values"] = _values(tdb)
        seen["first"] = tdb.lookup_by_rid(first.get_rid()).get("n")
        looked.set()
        assert committed.wait(10)
        seen["count_after"] = tdb.count_type("Item")
        seen["first_after"] = tdb.lookup_by_rid(first.get_rid()).get("n")
        looked_again.set()

    thread, errors = _run_in_thread(reader)
    tdb.begin()
    _add(tdb, 2)
    first.set("n", 100).save()
    assert tdb.count_type("Item") == 2  # the owner reads its own writes
    assert tdb.lookup_by_rid(first.get_rid()).get("n") == 100
    wrote.set()
    assert looked.wait(10)
    tdb.commit()
    committed.set()
    assert looked_again.wait(10)
    thread.join()
    assert errors == []
    assert seen == {
        "count": 1,
        "values": [1],
        "first": 1,
        "count_after": 2,
        "first_after": 100,
    }


def test_reads_in_a_transaction_see_other_threads_commits(tdb):
    """READ COMMITTED: a transaction that has not written yet sees what others committed."""
    tdb.begin()
    assert tdb.count_type("Item") == 0
    thread, errors = _run_in_thread(lambda: _commit_one(tdb, 7))
    thread.join()
    assert errors == []
    assert _values(tdb) == [7]
    tdb.commit()


def _commit_one(db, n):
    with db.transaction():
        _add(db, n)


def test_two_threads_writing_at_once_both_succeed(tdb):
    a_wrote, b_started = threading.Event(), threading.Event()

    def writer_b():
        assert a_wrote.wait(10)
        b_started.set()
        with tdb.transaction():  # waits on the write gate until A commits
            for n in range(100, 110):
                _add(tdb, n)

    thread, errors = _run_in_thread(writer_b)
    with tdb.transaction():
        for n in range(10):
            _add(tdb, n)
        a_wrote.set()
        assert b_started.wait(10)
        for n in range(10, 20):
            _add(tdb, n)
    thread.join(30)
    assert not thread.is_alive()
    assert errors == []
    assert _values(tdb) == list(range(20)) + list(range(100, 110))


def test_many_threads_with_auto_transaction(tdb):
    tdb.set_auto_transaction(True)
    threads = [
        _run_in_thread(lambda i=i: [_add(tdb, i * 100 + k) for k in range(20)]) for i in range(4)
    ]
    for thread, errors in threads:
        thread.join(30)
        assert errors == []
    assert _values(tdb) == sorted(i * 100 + k for i in range(4) for k in range(20))


def test_a_thread_rollback_does_not_touch_another_threads_transaction(tdb):
    a_wrote, b_done = threading.Event(), threading.Event()

    def other():
        assert a_wrote.wait(10)
        tdb.rollback()  # no transaction in this thread: a no-op
        b_done.set()

    thread, errors = _run_in_thread(other)
    tdb.begin()
    _add(tdb, 1)
    a_wrote.set()
    assert b_done.wait(10)
    tdb.commit()
    thread.join()
    assert errors == []
    assert _values(tdb) == [1]


# --- nesting --------------------------------------------------------------------------------------


def test_nested_inner_commit_is_independent_of_the_outer_transaction(tdb):
    """API.md 5: a nested begin() starts an independent inner transaction."""
    tdb.begin()
    tdb.begin()
    _add(tdb, 1)
    tdb.commit()  # the inner one: durable now, whatever the outer does
    assert tdb.is_transaction_active() is True
    _add(tdb, 2)
    tdb.rollback()
    assert tdb.is_transaction_active() is False
    assert _values(tdb) == [1]


def test_nested_rollback_undoes_only_the_inner_work(tdb):
    tdb.begin()
    tdb.begin()
    _add(tdb, 1)
    tdb.rollback()
    assert tdb.is_transaction_active() is True
    _add(tdb, 2)
    tdb.commit()
    assert _values(tdb) == [2]


def test_nested_context_managers_commit_each_level_on_its_own(tdb):
    with tdb.transaction():
        with tdb.transaction():
            _add(tdb, 1)
        assert _values(tdb) == [1]
        _add(tdb, 2)
    assert _values(tdb) == [1, 2]


def test_inner_write_while_outer_holds_the_writer_lock_is_a_clear_error(tdb):
    """SQLite has one writer: the inner transaction cannot write after the outer one did."""
    tdb.begin()
    _add(tdb, 1)
    with pytest.raises(TransactionError, match="outer transaction") as caught:
        with tdb.transaction():
            _add(tdb, 2)
    assert "commit it before" in str(caught.value)
    assert tdb.is_transaction_active() is True  # the outer one, intact
    _add(tdb, 3)
    tdb.commit()
    assert _values(tdb) == [1, 3]


def test_nested_exception_in_inner_block_keeps_outer_work(tdb):
    with tdb.transaction():
        with pytest.raises(KeyError):
            with tdb.transaction():
                _add(tdb, 2)
                raise KeyError("inner")
        _add(tdb, 3)
    assert _values(tdb) == [3]


def test_schema_change_rolled_back_in_a_nested_transaction(tdb):
    tdb.begin()
    tdb.begin()
    tdb.schema.create_document_type("Inner")
    tdb.rollback()
    assert tdb.schema.exists_type("Inner") is False
    _add(tdb, 1)
    tdb.commit()
    assert _values(tdb) == [1]
    assert tdb.schema.exists_type("Inner") is False


# --- durability setting --------------------------------------------------------------------------


def _synchronous(db):
    storage = db._storage
    return storage.pragma(storage.session(), "synchronous")


def test_wal_mode_and_wal_flush(tdb):
    storage = tdb._storage
    assert storage.pragma(storage.session(), "journal_mode") == "wal"
    assert _synchronous(tdb) == 1  # NORMAL by default
    for mode, level in [("no", 0), ("yes_full", 2), ("yes_nometadata", 1)]:
        tdb.set_wal_flush(mode)
        assert _synchronous(tdb) == level
        seen: list[int] = []  # a thread's own connection follows too
        thread, errors = _run_in_thread(lambda seen=seen: seen.append(_synchronous(tdb)))
        thread.join()
        assert (errors, seen) == ([], [level])


def test_wal_flush_rejects_unknown_modes(tdb):
    for bad in ("NO", "full", "", None, 2):
        with pytest.raises(ValueError) as err:
            tdb.set_wal_flush(bad)
        assert repr(bad) in str(err.value)
        assert "yes_nometadata" in str(err.value)
    assert _synchronous(tdb) == 1


def test_wal_flush_changed_inside_a_transaction_applies_to_the_next(tdb):
    with tdb.transaction():
        _add(tdb, 1)
        tdb.set_wal_flush("yes_full")
        _add(tdb, 2)
    assert _values(tdb) == [1, 2]
    with tdb.transaction():
        _add(tdb, 3)
        assert _synchronous(tdb) == 2
    assert _synchronous(tdb) == 2
