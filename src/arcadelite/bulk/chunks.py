"""The chunk writer: write many items at once, and when that fails, find the culprits.

Writing records one statement (and one savepoint) each costs several SQLite calls per record;
writing a chunk of them in one go is fast but one bad record fails them all. ``write_chunk``
does both: the chunk is written under a savepoint; if that fails, the savepoint is rolled back
and the items are written again one by one, each under its own savepoint, so that only the
culprits fail and their neighbours stay written. The async executor (its chunks of operations)
and the dump restore (its chunks of rows) both write through it.

One kind of failure is not an item's own: SQLite rolling the whole transaction back by itself
(a full disk, an I/O error). Then nothing is retried (a savepoint outside a transaction would
begin one, and its release commit it): ``TransactionLost`` says what was never written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..storage import Session, Storage

Item = TypeVar("Item")


class TransactionLost(Exception):
    """SQLite rolled the write transaction back while a chunk was written: everything written in
    it is gone. ``pending`` are the chunk's items not yet handed to ``written`` (the others are
    the caller's, with the rest of its transaction); ``failures`` how many culprits were already
    reported; ``cause`` the (translated) error."""

    def __init__(self, cause: BaseException, pending: Sequence[Any], failures: int) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.pending = pending
        self.failures = failures


def _check_transaction(storage: Storage, session: Session, exc: BaseException,
                       pending: Sequence[Any], undone: Callable[[Sequence[Any]], None] | None,
                       ) -> None:  # fmt: skip
    if storage.transaction_lost(session):
        if undone is not None:
            undone(pending)
        raise TransactionLost(exc, pending, 0) from exc


def write_chunk(storage: Storage, session: Session, items: Sequence[Item],
                write: Callable[[Sequence[Item]], Any],
                written: Callable[[Sequence[Item], Any], None],
                undone: Callable[[Sequence[Item]], None],
                culprit: Callable[[Item, Exception], None],
                one_statement: bool = False) -> int:  # fmt: skip
    """Write ``items`` inside the session's write transaction; returns how many failed.

    ``write(items)`` writes some items and returns what ``written(items, result)`` is told once
    they are written; ``undone(items)`` hears of items whose write was rolled back (before they
    are tried again alone), ``culprit(item, error)`` of each that fails on its own (its savepoint
    rolled back: it may write something in its place). ``one_statement``: ``write`` is a single
    SQLite statement, which SQLite undoes whole when it fails, so no savepoint is needed (one
    SQLite call per chunk instead of three, each of which the writer may wait for the GIL to
    return from).
    """
    if one_statement:
        try:
            result = write(items)
        except Exception as exc:
            undone(items)
            _check_transaction(storage, session, exc, items, None)
            return _one_by_one(storage, session, items, write, written, undone, culprit)
        written(items, result)
        return 0
    storage.savepoint(session, "al_chunk")
    failures = 0
    try:
        result = write(items)
    except Exception as exc:
        _check_transaction(storage, session, exc, items, undone)
        storage.rollback_to_savepoint(session, "al_chunk")
        undone(items)
        failures = _one_by_one(storage, session, items, write, written, undone, culprit)
    else:
        written(items, result)
    storage.release_savepoint(session, "al_chunk")
    return failures


def _one_by_one(storage: Storage, session: Session, items: Sequence[Item],
                write: Callable[[Sequence[Item]], Any],
                written: Callable[[Sequence[Item], Any], None],
                undone: Callable[[Sequence[Item]], None],
                culprit: Callable[[Item, Exception], None]) -> int:  # fmt: skip
    """Write the items one at a time, each under its own savepoint; returns the failures."""
    failures = 0
    for index, item in enumerate(items):
        storage.savepoint(session, "al_item")
        try:
            result = write([item])
        except Exception as exc:
            if storage.transaction_lost(session):
                undone([item])
                raise TransactionLost(exc, items[index:], failures) from exc
            storage.rollback_to_savepoint(session, "al_item")
            storage.release_savepoint(session, "al_item")
            undone([item])
            culprit(item, exc)
            failures += 1
        else:
            storage.release_savepoint(session, "al_item")
            written([item], result)
    return failures


__all__ = ["TransactionLost", "write_chunk"]
