"""Transactions: per thread; ``with db.transaction():`` commits on success, rolls back on error."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .database import Database


class TransactionContext:
    """Begins on enter; commits on a normal exit; on an exception rolls back and re-raises."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def __enter__(self) -> TransactionContext:
        self._db.begin()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> bool:
        if exc_type is None:
            try:
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise
        else:
            self._db.rollback()
        return False
