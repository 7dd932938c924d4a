"""The HTTP side of remote mode: keep-alive connections (one per thread), Basic auth, and
ArcadeDB's error JSON turned back into arcadelite's exceptions."""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import threading
import time
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

import orjson

from ..exceptions import (
    ArcadeDBError,
    DuplicatedKeyError,
    ParseError,
    RecordNotFoundError,
    SchemaError,
    TransactionError,
    ValidationError,
)

#: A connection idle longer than this is replaced before use: servers close idle keep-alive
#: connections (uvicorn after 5 s), and a request written into a closing one would fail after
#: it may have been read -- an outcome nobody could tell.
_MAX_IDLE_SECONDS = 2.0


class RemoteError(ArcadeDBError):
    """An error answered by the server that maps to no narrower arcadelite error."""


class AuthenticationError(RemoteError):
    """The server refused the credentials (401/403)."""


class RemoteOutcomeUnknownError(RemoteError):
    """The connection failed after a write was sent: the server may or may not have applied it."""


_BY_EXCEPTION: dict[str, type[ArcadeDBError]] = {
    "CommandSQLParsingException": ParseError, "CommandParsingException": ParseError,
    "DuplicatedKeyException": DuplicatedKeyError, "RecordNotFoundException": RecordNotFoundError,
    "SchemaException": SchemaError, "ValidationException": ValidationError,
    "TransactionException": TransactionError, "HttpSessionException": TransactionError,
    "ConcurrentModificationException": TransactionError,
}  # fmt: skip


def error_from_response(status: int, body: bytes) -> ArcadeDBError:
    """The exception for an error response (keyed on ArcadeDB's ``exception`` field)."""
    try:
        data = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        data = {"error": body.decode("utf-8", "replace")[:500]}
    if not isinstance(data, dict):
        data = {"error": str(data)}
    label, detail = data.get("error") or "", data.get("detail") or ""
    java = str(data.get("exception") or "")
    message = f"{detail or label or 'HTTP error'} (HTTP {status}{': ' + label if label and detail else ''})"
    cls: type[ArcadeDBError] = _BY_EXCEPTION.get(java.rsplit(".", 1)[-1], RemoteError)
    if status in (401, 403) and cls is RemoteError:
        cls = AuthenticationError
    if cls is DuplicatedKeyError:
        index, _, rest = str(data.get("exceptionArgs") or "").partition("|")
        error: ArcadeDBError = DuplicatedKeyError(message, index, rest.partition("|")[0] or None)
    else:
        error = cls(message)
    error.status = status  # type: ignore[attr-defined]  # extra fields for callers of the HTTP layer
    error.response = data  # type: ignore[attr-defined]  # extra fields for callers of the HTTP layer
    return error


def _json_default(value: Any) -> Any:
    """Values JSON lacks, as the server would print them back."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    rid = getattr(value, "get_identity", None)
    if rid is not None:
        return str(rid())
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)  # RID objects and the like print as "#b:p"


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


class HttpClient:
    """Requests to one server; thread-safe (each thread keeps its own connection)."""

    def __init__(self, url: str, username: str, password: str, timeout: float = 300.0) -> None:
        parts = urlsplit(url if "://" in url else "http://" + url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"Expected an http:// or https:// URL, got {url!r}")
        self.url = f"{parts.scheme}://{parts.hostname}:{parts.port or 2480}"
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname or "localhost", parts.port or 2480
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._auth = f"Basic {token}"
        self._timeout = timeout
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and time.monotonic() - local.used > _MAX_IDLE_SECONDS:
            conn.close()
            conn = None
        if conn is None:
            factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = factory(self._host, self._port, timeout=self._timeout)
            local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def request(self, method: str, path: str, payload: Any = None, session: str | None = None,
                idempotent: bool = False) -> tuple[int, dict[str, str], Any]:  # fmt: skip
        """``(status, headers, json body or None)``; error statuses raise (error_from_response).

        ``idempotent`` requests are retried once on a connection failure; others raise
        RemoteOutcomeUnknownError when the failure came after the request was sent."""
        body = None if payload is None else (payload if isinstance(payload, bytes) else dumps(payload))
        headers = {"Authorization": self._auth, "Connection": "keep-alive"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if session:
            headers["arcadedb-session-id"] = session
        for attempt in (1, 2):
            conn = self._connection()
            sent = False
            try:
                conn.request(method, path, body=body, headers=headers)
                sent = True
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self._local.conn = None
                if attempt == 1 and (idempotent or not sent):
                    continue
                if sent:
                    raise RemoteOutcomeUnknownError(
                        f"The connection to {self.url} failed after {method} {path} was sent "
                        f"({exc!r}): the server may or may not have applied it"
                    ) from exc
                raise RemoteError(f"Cannot reach {self.url}: {exc!r}") from exc
            self._local.used = time.monotonic()
            if response.will_close:
                conn.close()
                self._local.conn = None
            if response.status >= 400:
                raise error_from_response(response.status, data)
            reply_headers = {k.lower(): v for k, v in response.getheaders()}
            return response.status, reply_headers, orjson.loads(data) if data else None
        raise AssertionError("unreachable")

    def database_path(self, endpoint: str, database: str) -> str:
        return f"/api/v1/{endpoint}/{quote(database, safe='')}"

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
