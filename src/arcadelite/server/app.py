"""The ASGI application: routing, authentication, bounded request bodies, and the threads requests
run on (a worker pool, or the session's own thread). Served by uvicorn (server.py).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

import orjson

from . import api
from .errors import HttpError, bad_request, from_exception

if TYPE_CHECKING:
    from .server import ArcadeDBServer

_DATABASE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
#: endpoint -> (method, number of path arguments); "query" also has a GET form with three.
_ROUTES: dict[str, tuple[str, int]] = {
    "ready": ("GET", 0), "server": ("GET|POST", 0), "databases": ("GET", 0),
    "exists": ("GET", 1), "query": ("POST|GET", 1), "command": ("POST", 1),
    "begin": ("POST", 1), "commit": ("POST", 1), "rollback": ("POST", 1),
}  # fmt: skip


class _ClientGone(Exception):
    """The client disconnected before its request was read: nothing to answer."""


def check_database_name(name: str) -> str:
    if not _DATABASE_NAME.match(name) or ".." in name:
        raise bad_request("Invalid database name",
                          f"'{name}' is not a valid database name (letters, digits, _ . -)")  # fmt: skip
    return name


class HttpApp:
    """ArcadeDB's ``/api/v1`` endpoints over one ArcadeDBServer."""

    def __init__(self, server: ArcadeDBServer) -> None:
        self.server = server

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            status, body, headers = await self._handle(scope, receive)
        except _ClientGone:
            return
        except Exception as exc:
            error = from_exception(exc)
            status, body, headers = error.status, error.body, error.headers
        await _respond(send, status, body, headers)

    async def _run(self, work: Callable, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.server._pool, work, *args)

    async def _handle(self, scope: dict, receive: Callable) -> api.Response:
        method, path = scope["method"], scope["path"]
        parts = path.rstrip("/").split("/")
        if len(parts) < 4 or parts[1:3] != ["api", "v1"] or parts[3] not in _ROUTES:
            raise HttpError(404, "Not found", f"No endpoint at {path}: see /api/v1/server")
        endpoint, args = parts[3], [unquote(p) for p in parts[4:]]
        allowed, arity = _ROUTES[endpoint]
        if method not in allowed.split("|"):
            raise HttpError(405, "Method not allowed", f"{endpoint} answers {allowed}, not {method}",
                            headers={"Allow": allowed.replace("|", ", ")})  # fmt: skip
        if endpoint == "ready":
            return 204, None, {}
        if not (len(args) == arity or (endpoint == "query" and method == "GET" and len(args) == 3)):
            raise HttpError(404, "Not found", f"{endpoint} takes {arity} path argument(s): {path}")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        server = self.server
        user = await self._run(server._auth.authenticate, headers.get("authorization"))
        body = await self._read_body(receive, headers) if method == "POST" else b""
        if endpoint == "server":
            if method == "GET":
                mode = parse_qs(scope.get("query_string", b"").decode()).get("mode", ["default"])[0]
                return 200, await self._run(api.server_info, server, user, mode), {}
            return await self._run(api.server_command, server, api.parse_json_body(body), user)
        if endpoint == "databases":
            return 200, {"user": user, "version": server.version,
                         "result": await self._run(server.list_databases)}, {}  # fmt: skip
        name = check_database_name(args[0])
        if endpoint == "exists":
            return 200, {"result": await self._run(server.database_exists, name)}, {}
        db = await self._run(server._served_database, name)
        session_id = headers.get(api.SESSION_HEADER)
        if endpoint in ("query", "command"):
            if method == "GET":
                request = api.StatementRequest({"language": args[1], "command": args[2]})
            else:
                request = api.StatementRequest(api.parse_json_body(body))
            read_only = endpoint == "query"
            if session_id:
                work = _bind(api.run_statement, server, db, request, user, read_only, True)
                out = await asyncio.wrap_future(server._sessions.submit(session_id, name, user, work))
                return 200, out, {api.SESSION_HEADER: session_id}
            out = await self._run(api.run_statement, server, db, request, user, read_only, False)
            if method == "GET":  # ArcadeDB's GET form answers without the user
                return 200, {"result": orjson.loads(out)["result"]}, {}
            return 200, out, {}
        if endpoint == "begin":
            api.parse_json_body(body)  # a body, when present, must be JSON (isolationLevel)
            session, started = server._sessions.begin(db, name, user)
            try:
                await asyncio.wrap_future(started)
            except BaseException:
                server._sessions.submit(session.id, name, user, lambda: None, last=True)
                raise
            return 204, None, {api.SESSION_HEADER: session.id}
        # commit / rollback
        work = _bind(api.commit if endpoint == "commit" else api.rollback, db)
        if not session_id:
            if endpoint == "rollback":
                return 204, None, {}
            await self._run(work)  # no session: "Transaction not begun"
            return 204, None, {}
        await asyncio.wrap_future(server._sessions.submit(session_id, name, user, work, last=True))
        return 204, None, {}

    async def _read_body(self, receive: Callable, headers: dict[str, str]) -> bytes:
        """The whole body, within the size limit and the slow-client timeout (413 / 408)."""
        limit = self.server._max_body
        declared = headers.get("content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                raise bad_request("Invalid Content-Length", f"'{declared}' is not a number") from None
            if size > limit:
                raise _too_large(size, limit)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.server._read_timeout
        chunks: list[bytes] = []
        received = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except (asyncio.TimeoutError, TimeoutError):
                raise HttpError(408, "Request timeout",
                                f"The request body did not arrive within "
                                f"{self.server._read_timeout:g} s (network_socketTimeout)",
                                headers={"Connection": "close"}) from None  # fmt: skip
            if message["type"] == "http.disconnect":
                raise _ClientGone()
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                raise _too_large(received, limit)
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)


def _too_large(size: int, limit: int) -> HttpError:
    return HttpError(413, "Request body too large",
                     f"The request body has {size:,} bytes or more; this server accepts up to "
                     f"{limit:,} (server_httpBodyContentMaxSize)",
                     headers={"Connection": "close"})  # fmt: skip


def _bind(work: Callable, *args: Any) -> Callable[[], Any]:
    return lambda: work(*args)


async def _respond(send: Callable, status: int, body: Any, headers: dict[str, str]) -> None:
    payload = b"" if body is None else body if isinstance(body, bytes) else orjson.dumps(body)
    raw = [(b"content-type", b"application/json")]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    if status != 204:
        raw.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload if status != 204 else b""})


async def _lifespan(receive: Callable, send: Callable) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def header_timeout_protocol(timeout: float) -> type | None:
    """uvicorn's httptools protocol, plus a deadline for the request line and headers: a client
    that opens a connection and stalls before its headers are complete gets 408 and is closed."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - httptools missing: uvicorn's own parser, no deadline
        return None
    body = orjson.dumps({"error": "Request timeout", "detail":
                         f"The request headers did not arrive within {timeout:g} s "
                         "(network_socketTimeout)"})  # fmt: skip
    response = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)  # fmt: skip

    class HeaderDeadlineProtocol(HttpToolsProtocol):
        _header_timer: Any = None

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(timeout, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                if self.cycle is None or self.cycle.response_complete:
                    self.transport.write(response)
                self.transport.close()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderDeadlineProtocol


__all__ = ["HttpApp", "check_database_name", "header_timeout_protocol"]
