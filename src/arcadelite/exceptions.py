"""The error hierarchy: every error arcadelite raises derives from ArcadeDBError."""

from __future__ import annotations

from typing import Any


class ArcadeDBError(Exception):
    """Base class of every arcadelite error."""


class DatabaseClosedError(ArcadeDBError):
    """The database (or executor) was used after close() or drop()."""


class DatabaseForkedError(DatabaseClosedError):
    """A forked child used a Database its parent opened: SQLite connections cannot cross
    fork(). The child opens the database itself (once the parent has closed it)."""


class DatabaseLockedError(ArcadeDBError):
    """The database is open in this process already, or held by another process."""


class TransactionError(ArcadeDBError):
    """Transaction misuse: commit without begin, write outside a transaction, ..."""


class DiskFullError(ArcadeDBError):
    """The disk (or quota) holding the database or a file being written is full.

    ``rolled_back`` is True when SQLite rolled the whole transaction back (nothing of it stays).
    """

    def __init__(self, message: str, rolled_back: bool = False) -> None:
        super().__init__(message)
        self.rolled_back = rolled_back


class ReadOnlyDatabaseError(ArcadeDBError):
    """A write to a database this process may only read (file mode, read-only mount, user)."""


class DatabaseCorruptError(ArcadeDBError):
    """The database's file, or a record stored in it, is damaged."""


class SchemaError(ArcadeDBError):
    """Unknown or duplicate type, property or index; a schema change that cannot be made."""


class ValidationError(ArcadeDBError):
    """A record breaks a schema constraint (type, mandatory, not-null, read-only, min, max)."""


class DuplicatedKeyError(ArcadeDBError):
    """A write would put a second record under the same key of a unique index."""

    def __init__(self, message: str, index_name: str = "", key: Any = None) -> None:
        super().__init__(message)
        self.index_name = index_name
        self.key = key


class RecordNotFoundError(ArcadeDBError):
    """No record has the given RID."""


class ParseError(ArcadeDBError):
    """A statement could not be parsed; carries the line, column and offending token."""

    def __init__(
        self,
        message: str,
        text: str = "",
        line: int | None = None,
        column: int | None = None,
        token: str | None = None,
    ) -> None:
        super().__init__(message)
        self.text = text
        self.line = line
        self.column = column
        self.token = token


class QueryError(ArcadeDBError):
    """A statement parsed but cannot run: unknown function, bad argument, wrong context."""


class VectorError(ArcadeDBError):
    """A vector that cannot be used: wrong dimension, a non-numeric or non-finite component, a
    zero vector under cosine, an unknown distance function or quantization; the message names it."""


class AsyncOperationError(ArcadeDBError):
    """One failed asynchronous operation; `record` is what was submitted, `cause` why it failed."""

    def __init__(self, message: str, record: Any = None, cause: BaseException | None = None):
        super().__init__(message)
        self.record = record
        self.cause = cause
        self.__cause__ = cause


class AsyncCallbackError(ArcadeDBError):
    """A user's callback or hook raised after its operation was committed: the write stands (do
    not retry it). ``record``: the committed record, statement or None (``on_ok``); ``callback``:
    which one raised ("callback", "on_ok", "on_error", "error callback"); ``__cause__``/``cause``:
    what it raised, SystemExit and KeyboardInterrupt included. Not an ``AsyncOperationError``."""

    committed = True

    def __init__(self, message: str, record: Any = None, callback: str = "callback",
                 cause: BaseException | None = None):  # fmt: skip
        super().__init__(message)
        self.record = record
        self.callback = callback
        self.cause = cause
        self.__cause__ = cause


class AsyncExecutionError(ArcadeDBError):
    """Raised by wait_completion() when operations failed with no callback to report them to.

    `failures` lists (record or statement, exception) pairs.
    """

    def __init__(self, message: str, failures: list[tuple[Any, BaseException]]):
        super().__init__(message)
        self.failures = failures


__all__ = [
    "ArcadeDBError",
    "AsyncCallbackError",
    "AsyncExecutionError",
    "AsyncOperationError",
    "DatabaseClosedError",
    "DatabaseCorruptError",
    "DatabaseForkedError",
    "DatabaseLockedError",
    "DiskFullError",
    "DuplicatedKeyError",
    "ParseError",
    "QueryError",
    "ReadOnlyDatabaseError",
    "RecordNotFoundError",
    "SchemaError",
    "TransactionError",
    "ValidationError",
    "VectorError",
]
