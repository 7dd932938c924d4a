"""RemoteDatabase: the embedded Database API over ArcadeDB's HTTP API (ours or ArcadeDB's)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ..exceptions import ArcadeDBError, DatabaseClosedError, RecordNotFoundError, SchemaError
from ..results import ResultSet
from ..rid import RID
from ..transactions import TransactionContext
from .client import HttpClient, RemoteError
from .records import RemoteDocument, RemoteEdge, RemoteResult, RemoteVertex, quote_name
from .schema import RemoteSchema

if TYPE_CHECKING:
    from .async_executor import RemoteAsyncExecutor, RemoteBatchContext


def _params(args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """ArcadeDB's ``params``: names to values, or "0", "1"... for ``?`` placeholders."""
    if len(args) == 1 and isinstance(args[0], dict):
        params = dict(args[0])
    else:
        params = {str(i): value for i, value in enumerate(args)}
    params.update(kwargs)
    return params


class RemoteDatabase:
    """A database on an ArcadeDB HTTP server, with the embedded Database's methods.

    Differences from embedded use: values travel as JSON (dates come back as text), a write
    outside a transaction commits by itself (each HTTP command is atomic), and a transaction is
    an HTTP session on the server, per thread as in embedded mode.
    """

    def __init__(self, client: HttpClient, name: str) -> None:
        self._client = client
        self._name = name
        self._open = True
        self._sessions = threading.local()  # per thread: a stack of session ids
        self._schema = RemoteSchema(self)
        self._executor: RemoteAsyncExecutor | None = None
        self._executor_lock = threading.Lock()
        self._server_info: dict[str, Any] | None = None

    # --- plumbing ---------------------------------------------------------------------------

    def _check_open(self) -> None:
        if not self._open:
            raise DatabaseClosedError(f"Database '{self._name}' on {self._client.url} is closed")

    def _session(self) -> str | None:
        stack = getattr(self._sessions, "stack", None)
        return stack[-1] if stack else None

    def _statement(self, endpoint: str, language: str, text: str, params: dict[str, Any],
                   session: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
        """Run a statement and return the JSON rows."""
        self._check_open()
        payload = {"language": language, "command": text, "params": params, "limit": -1,
                   "serializer": "record"}  # fmt: skip
        _, _, body = self._client.request(
            "POST", self._client.database_path(endpoint, self._name), payload,
            session=session if session is not None else self._session(),
            idempotent=endpoint == "query",
        )
        return (body or {}).get("result") or []

    def _rows(self, rows: list[dict[str, Any]]) -> ResultSet:
        return ResultSet(RemoteResult.from_json(self, row) for row in rows)

    def _one_row(self, text: str, params: dict[str, Any]) -> dict[str, Any]:
        rows = self._statement("command", "sql", text, params)
        if not rows:
            raise ArcadeDBError(f"The server returned no row for: {text}")
        return rows[0]

    def is_arcadelite_server(self) -> bool:
        """True when the server is arcadelite's own (it takes a list parameter in INSERT CONTENT)."""
        if self._server_info is None:
            _, _, body = self._client.request("GET", "/api/v1/server?mode=basic", idempotent=True)
            self._server_info = body or {}
        return "arcadelite" in str(self._server_info.get("version", ""))

    # --- queries ----------------------------------------------------------------------------

    def query(self, language: str, text: str, *args: Any, **kwargs: Any) -> ResultSet:
        """A read-only statement on the server (``/api/v1/query``)."""
        return self._rows(self._statement("query", language, text, _params(args, kwargs)))

    def command(self, language: str, text: str, *args: Any, **kwargs: Any) -> ResultSet:
        """Any statement on the server (``/api/v1/command``)."""
        return self._rows(self._statement("command", language, text, _params(args, kwargs)))

    # --- transactions: HTTP sessions, per thread ----------------------------------------------

    def begin(self) -> None:
        self._check_open()
        _, headers, _ = self._client.request(
            "POST", self._client.database_path("begin", self._name), session=self._session()
        )
        session = headers.get("arcadedb-session-id")
        if not session:
            raise RemoteError("The server began no session (no arcadedb-session-id header)")
        stack = getattr(self._sessions, "stack", None)
        if stack is None:
            stack = self._sessions.stack = []
        stack.append(session)

    def commit(self) -> None:
        self._check_open()
        session = self._session()
        if session is None:
            from ..exceptions import TransactionError

            raise TransactionError("commit() without a transaction: call begin() first")
        self._sessions.stack.pop()
        self._client.request("POST", self._client.database_path("commit", self._name),
                             session=session)  # fmt: skip

    def rollback(self) -> None:
        session = self._session()
        if session is None or not self._open:
            return
        self._sessions.stack.pop()
        try:
            self._client.request("POST", self._client.database_path("rollback", self._name),
                                 session=session)  # fmt: skip
        except RemoteError:
            pass  # an expired session has rolled back already

    def transaction(self) -> TransactionContext:
        self._check_open()
        return TransactionContext(self)  # type: ignore[arg-type]  # duck-typed: begin/commit/rollback

    def is_transaction_active(self) -> bool:
        return self._session() is not None

    # --- records ----------------------------------------------------------------------------

    def _checked_type(self, type_name: str, kind: str) -> None:
        found = self._schema._kind(type_name)
        if found is None:
            raise SchemaError(f"Type '{type_name}' does not exist")
        if found != kind:
            raise SchemaError(f"Type '{type_name}' is a {found} type, not a {kind} type")

    def new_document(self, type_name: str) -> RemoteDocument:
        self._checked_type(type_name, "document")
        return RemoteDocument(self, type_name)

    def new_vertex(self, type_name: str) -> RemoteVertex:
        self._checked_type(type_name, "vertex")
        return RemoteVertex(self, type_name)

    def new_edge_record(self, type_name: str) -> RemoteEdge:
        self._checked_type(type_name, "edge")
        return RemoteEdge(self, type_name)

    def lookup_by_rid(self, rid: RID | str) -> RemoteDocument:
        parsed = RID.parse(rid)
        try:
            rows = self._statement("query", "sql", f"SELECT FROM {parsed}", {})
        except RecordNotFoundError:
            rows = []
        if not rows:
            raise RecordNotFoundError(f"Record {parsed} not found")
        element = RemoteResult.from_json(self, rows[0]).get_element()
        if element is None:
            raise RecordNotFoundError(f"Record {parsed} not found")
        return element  # type: ignore[return-value]  # a looked-up element is a RemoteDocument

    def lookup_by_key(self, type_name: str, keys: list[str] | str, values: Any) -> Any:
        keys_t = (keys,) if isinstance(keys, str) else tuple(keys)
        values_t = tuple(values) if isinstance(values, (list, tuple)) else (values,)
        if len(keys_t) != len(values_t):
            raise ValueError(f"lookup_by_key got {len(keys_t)} keys but {len(values_t)} values")
        if not self._schema._has_index(type_name, keys_t):
            raise SchemaError(f"No index on {type_name}[{','.join(keys_t)}]: lookup_by_key needs one")
        where = " AND ".join(f"{quote_name(k)} = :k{i}" for i, k in enumerate(keys_t))
        params = {f"k{i}": v for i, v in enumerate(values_t)}
        for row in self.query("sql", f"SELECT FROM {quote_name(type_name)} WHERE {where} LIMIT 1",
                              params):  # fmt: skip
            return row.get_element()
        return None

    def count_type(self, type_name: str, polymorphic: bool = True) -> int:
        if self._schema._kind(type_name) is None:
            return 0
        where = "" if polymorphic else f" WHERE @type = '{type_name}'"
        rows = self._statement("query", "sql",
                               f"SELECT count(*) AS c FROM {quote_name(type_name)}{where}", {})  # fmt: skip
        return int(rows[0]["c"]) if rows else 0

    # --- schema, batching ---------------------------------------------------------------------

    @property
    def schema(self) -> RemoteSchema:
        self._check_open()
        return self._schema

    def get_schema(self) -> RemoteSchema:
        return self.schema

    def async_executor(self) -> RemoteAsyncExecutor:
        """An executor that sends operations in batches of ``commit_every``, one transaction each."""
        self._check_open()
        from .async_executor import RemoteAsyncExecutor

        with self._executor_lock:
            if self._executor is None or self._executor.is_closed():
                self._executor = RemoteAsyncExecutor(self)
            return self._executor

    def batch_context(self, batch_size: int = 5000, parallel: int = 4, use_wal: bool = True,
                      back_pressure: int = 50, progress: bool = False,
                      progress_desc: str = "Processing") -> RemoteBatchContext:  # fmt: skip
        self._check_open()
        from .async_executor import RemoteBatchContext

        return RemoteBatchContext(self, batch_size, parallel, back_pressure, progress, progress_desc)

    # --- settings kept for compatibility --------------------------------------------------------

    def set_wal_flush(self, mode: str) -> None:
        """The server decides durability; accepted for compatibility."""
        if mode not in ("no", "yes_nometadata", "yes_full"):
            raise ValueError(f"wal flush mode must be 'no', 'yes_nometadata' or 'yes_full', got {mode!r}")

    def set_read_your_writes(self, flag: bool) -> None:
        pass

    def set_auto_transaction(self, flag: bool) -> None:
        """Writes outside a transaction always commit by themselves over HTTP."""

    # --- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Finish pending async work, roll back this thread's open sessions, close connections."""
        if not self._open:
            return
        try:
            executor = self._executor
            if executor is not None and not executor.is_closed():
                executor.close()
        finally:
            while self._session() is not None:
                self.rollback()
            self._open = False
            self._client.close()

    def is_open(self) -> bool:
        return self._open

    def drop(self) -> None:
        """Drop the database on the server."""
        self._check_open()
        self._client.request("POST", "/api/v1/server", {"command": f"drop database {self._name}"})
        self._open = False
        self._client.close()

    def get_name(self) -> str:
        return self._name

    def get_database_path(self) -> str:
        return f"{self._client.url}/{self._name}"

    def __enter__(self) -> RemoteDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RemoteDatabase {self._name!r} on {self._client.url} {'open' if self._open else 'closed'}>"


def connect(url: str = "http://localhost:2480", database: str | None = None,
            username: str = "root", password: str | None = None, create: bool = False,
            timeout: float = 300.0) -> RemoteDatabase:  # fmt: skip
    """A Database-compatible handle on ``database`` at an ArcadeDB HTTP server (ours or
    ArcadeDB's, a single server or any node of an HA cluster). ``create=True`` creates the
    database when missing. Fails now, with the server's reason, if it cannot be reached, the
    credentials are refused or the database does not exist."""
    if not database:
        raise ValueError("connect() needs database='name'")
    if password is None:
        raise ValueError("connect() needs password=... (HTTP Basic authentication)")
    client = HttpClient(url, username, password, timeout)
    from urllib.parse import quote

    _, _, body = client.request("GET", f"/api/v1/exists/{quote(database, safe='')}", idempotent=True)
    if not (body or {}).get("result"):
        if not create:
            client.close()
            raise ArcadeDBError(f"Database '{database}' does not exist on {client.url} "
                                "(pass create=True to create it)")  # fmt: skip
        client.request("POST", "/api/v1/server", {"command": f"create database {database}"})
    return RemoteDatabase(client, database)
