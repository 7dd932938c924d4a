"""How a failure becomes an HTTP status and ArcadeDB's error JSON.

ArcadeDB answers errors as ``{"error": label, "detail": message, "exception": java class,
"exceptionArgs": ...}``. The statuses follow ArcadeDB's current mapping (400 for a statement that
does not parse, 409 for a duplicate key, 404 for a missing record or session, 413 for a body over
the limit); docs/reference-notes.md §14 lists where ArcadeDB 26.2.1 still answered 500 or 403.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import (
    ArcadeDBError,
    DatabaseClosedError,
    DuplicatedKeyError,
    ParseError,
    QueryError,
    RecordNotFoundError,
    SchemaError,
    TransactionError,
    ValidationError,
)

_EXCEPTION = "com.arcadedb.exception."


class HttpError(Exception):
    """A request answered with an error status; ``body`` is ArcadeDB's error JSON."""

    def __init__(self, status: int, error: str, detail: str = "", exception: str | None = None,
                 exception_args: str | None = None, headers: dict[str, str] | None = None) -> None:  # fmt: skip
        detail = detail.replace("\n", " ")  # one line, as ArcadeDB writes its details
        super().__init__(f"{status} {error}: {detail}")
        self.status = status
        self.body: dict[str, Any] = {"error": error, "detail": detail}
        if exception is not None:
            self.body["exception"] = exception
        if exception_args is not None:
            self.body["exceptionArgs"] = exception_args
        self.headers = headers or {}


def bad_request(error: str, detail: str = "") -> HttpError:
    return HttpError(400, error, detail)


def unknown_database(name: str) -> HttpError:
    return HttpError(404, "Database not found", f"Database '{name}' is not available",
                     _EXCEPTION + "DatabaseOperationException")  # fmt: skip


def session_gone(session_id: str) -> HttpError:
    return HttpError(404, "Remote transaction session not found or expired",
                     f"Remote transaction '{session_id}' not found or expired",
                     "com.arcadedb.server.http.HttpSessionException")  # fmt: skip


def from_exception(exc: BaseException) -> HttpError:
    """Map an exception raised while serving a request (ArcadeDB's classification)."""
    if isinstance(exc, HttpError):
        return exc
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, ParseError):
        return HttpError(400, "Cannot execute command", detail,
                         _EXCEPTION + "CommandSQLParsingException")  # fmt: skip
    if isinstance(exc, DuplicatedKeyError):
        args = f"{exc.index_name}|{exc.key}|" if exc.index_name else None
        return HttpError(409, "Found duplicate key in index", detail,
                         _EXCEPTION + "DuplicatedKeyException", args)  # fmt: skip
    if isinstance(exc, RecordNotFoundError):
        return HttpError(404, "Record not found", detail, _EXCEPTION + "RecordNotFoundException")
    if isinstance(exc, QueryError) and "not idempotent" in detail:
        return HttpError(400, "Query is not idempotent", detail,
                         _EXCEPTION + "QueryNotIdempotentException")  # fmt: skip
    if isinstance(exc, DatabaseClosedError):
        return HttpError(503, "Cannot execute command", detail,
                         _EXCEPTION + "DatabaseOperationException")  # fmt: skip
    if isinstance(exc, TransactionError):
        return HttpError(500, "Error on transaction commit", detail,
                         _EXCEPTION + "TransactionException")  # fmt: skip
    if isinstance(exc, SchemaError):
        return HttpError(500, "Cannot execute command", detail, _EXCEPTION + "SchemaException")
    if isinstance(exc, ValidationError):
        return HttpError(500, "Cannot execute command", detail, _EXCEPTION + "ValidationException")
    if isinstance(exc, ArcadeDBError):
        if "language" in detail.lower():  # an unknown or not yet supported query language
            return HttpError(400, "Cannot execute command", detail,
                             "java.lang.IllegalArgumentException")  # fmt: skip
        return HttpError(500, "Cannot execute command", detail,
                         _EXCEPTION + "CommandExecutionException")  # fmt: skip
    if isinstance(exc, (ValueError, TypeError)):
        return HttpError(400, "Cannot execute command", detail,
                         "java.lang.IllegalArgumentException")  # fmt: skip
    return HttpError(500, "Internal error", detail, type(exc).__name__)
