"""The endpoints of ArcadeDB's HTTP API, as blocking functions run on worker or session threads.

Each takes the parsed request and returns ``(status, body, headers)`` with ``body`` a dict (JSON)
or None (no content); failures raise HttpError (errors.py). The ASGI layer (app.py) reads requests,
authenticates, picks the thread and writes responses; nothing here knows about sockets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from ..exceptions import TransactionError
from .errors import HttpError, bad_request
from .serializers import SERIALIZERS, serialize

if TYPE_CHECKING:
    from .server import ArcadeDBServer

DEFAULT_LIMIT = 20_000
SESSION_HEADER = "arcadedb-session-id"
Response = tuple[int, Any, dict[str, str]]


def parse_json_body(body: bytes) -> dict[str, Any] | None:
    """The request's JSON object; None for an empty body; 400 for anything else."""
    if not body.strip():
        return None
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise bad_request("Invalid JSON payload", f"The request body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise bad_request("Invalid JSON payload",
                          f"The request body must be a JSON object, got a JSON {type(payload).__name__}")  # fmt: skip
    return payload


class StatementRequest:
    """The body of ``/query`` and ``/command``, checked."""

    __slots__ = ("language", "command", "params", "serializer", "limit")

    def __init__(self, payload: dict[str, Any] | None) -> None:
        if payload is None:
            raise bad_request("Command text is null", "The request body is empty: send "
                              '{"language": "sql", "command": "..."}')  # fmt: skip
        language = payload.get("language")
        command = payload.get("command")
        if not language:
            raise bad_request("Language is null", "The request has no 'language' (e.g. \"sql\")")
        if not isinstance(language, str):
            raise bad_request("Invalid JSON payload", "'language' must be a string")
        if command is None or command == "":
            raise bad_request("Command text is null", "The request has no 'command'")
        if not isinstance(command, str):
            raise bad_request("Invalid JSON payload", "'command' must be a string")
        serializer = payload.get("serializer") or "record"
        if serializer not in SERIALIZERS:
            serializer = "record"  # ArcadeDB answers unknown serializers as record rows
        limit = payload.get("limit", DEFAULT_LIMIT)
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise bad_request("Invalid JSON payload", f"'limit' must be an integer, got {limit!r}")
        params = payload.get("params")
        if params is not None and not isinstance(params, dict):
            raise bad_request("Invalid JSON payload", "'params' must be a JSON object: names to "
                              'values, or "0", "1", ... for positional parameters')  # fmt: skip
        self.language = language
        self.command = command.strip()
        self.params = params or {}
        self.serializer = serializer
        self.limit = limit

    def arguments(self) -> tuple:
        """Arguments for Database.query/command: ``"0"``, ``"1"``... are positional."""
        params = self.params
        if not params:
            return ()
        if "0" in params:
            return tuple(params.get(str(i)) for i in range(len(params)))
        return (params,)


def run_statement(server: ArcadeDBServer, db: Any, request: StatementRequest, user: str,
                  read_only: bool, in_session: bool) -> bytes:  # fmt: skip
    """Run a query or command and serialize its rows (in the calling thread's transaction).

    Outside a session a command is one transaction of its own: all of it commits or none of it.
    """
    run = db.query if read_only else db.command
    if in_session:
        rows = run(request.language, request.command, *request.arguments())
        result = serialize(rows, request.serializer, request.limit, db)
        return orjson.dumps({"user": user, "result": result})
    try:
        if read_only:
            rows = run(request.language, request.command, *request.arguments())
            result = serialize(rows, request.serializer, request.limit, db)
        else:
            with db.transaction():
                rows = run(request.language, request.command, *request.arguments())
                result = serialize(rows, request.serializer, request.limit, db)
    finally:
        # A script's own BEGIN left open (e.g. by a failed statement before its COMMIT) must not
        # outlive the request: this worker thread serves other requests next.
        while db.is_open() and db.is_transaction_active():
            db.rollback()
    return orjson.dumps({"user": user, "result": result})


def commit(db: Any) -> None:
    if not db.is_transaction_active():
        raise TransactionError("Transaction not begun")
    db.commit()


def rollback(db: Any) -> None:
    if db.is_transaction_active():
        db.rollback()


def server_info(server: ArcadeDBServer, user: str, mode: str = "default") -> dict[str, Any]:
    """``GET /api/v1/server``: who, which version, which languages (``mode=basic`` stops there)."""
    info: dict[str, Any] = {"user": user, "version": server.version,
                            "serverName": server.server_name, "languages": ["sql", "sqlscript"]}  # fmt: skip
    if mode != "basic":
        info["databases"] = server.list_databases()
        info["settings"] = server.settings()
    return info


def server_command(server: ArcadeDBServer, payload: dict[str, Any] | None, user: str) -> Response:
    """``POST /api/v1/server``: create, drop, open, close and list databases."""
    if payload is None or not payload.get("command"):
        raise bad_request("Server command is null", 'Send {"command": "list databases"} or '
                          '"create database NAME", "drop database NAME"')  # fmt: skip
    text = str(payload["command"]).strip()
    words = text.split()
    verb = " ".join(words[:2]).lower()
    if verb == "list databases" and len(words) == 2:
        return 200, {"result": server.list_databases()}, {}
    if len(words) != 3 or verb not in ("create database", "drop database", "open database",
                                       "close database"):  # fmt: skip
        raise bad_request("Server command not valid", f"Unknown server command '{text}'")
    name = words[2]
    if verb == "create database":
        if server.database_exists(name):
            raise HttpError(400, "Cannot execute command", f"Database '{name}' already exists",
                            "java.lang.IllegalArgumentException")  # fmt: skip
        server.create_database(name)
    elif verb == "drop database":
        server.drop_database(name)
    elif verb == "open database":
        server.get_database(name)
    else:
        server.close_database(name)
    return 200, {"result": "ok"}, {}
