"""Transactions: per thread; ``with db.transaction():`` commits on success, rolls back on error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .database import Database


class TransactionContext:
    """Begins on enter; commits on a normal exit; on an exception rolls back and re-raises."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def __enter__(self) -> TransactionContext:
        self._db.begin()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> Literal[False]:
        db = self._db
        if exc_type is None:
            try:
                db.commit()
            except BaseException:
                if db.is_open():
                    db.rollback()
                raise
        elif db.is_open():  # closed inside the block: nothing to roll back, keep the error
            db.rollback()
        return False
