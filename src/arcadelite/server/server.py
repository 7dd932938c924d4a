"""ArcadeDBServer: the upstream bindings' server API, serving arcadelite databases over
ArcadeDB's HTTP API (uvicorn + the ASGI app in app.py), in this process, on a thread of its own."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..exceptions import ArcadeDBError

_API_VERSION = "26.2.1"

#: Settings: our name -> (ArcadeDB's key, default, conversion). Config keys may be given as
#: ArcadeDB spells them ("arcadedb.server.httpSessionExpireTimeout") or a_b style, as the
#: upstream bindings write them ("server_httpSessionExpireTimeout").
SETTINGS: dict[str, tuple[str, Any, type]] = {
    "session_timeout": ("arcadedb.server.httpSessionExpireTimeout", 5, float),  # seconds idle
    "max_body": ("arcadedb.server.httpBodyContentMaxSize", 100 * 1024 * 1024, int),  # bytes
    "read_timeout_ms": ("arcadedb.network.socketTimeout", 30_000, int),  # slow client, ms
    "server_name": ("arcadedb.server.name", "arcadelite", str),
    "worker_threads": ("arcadedb.server.httpWorkerThreads", 8, int),  # arcadelite's own
    "max_sessions": ("arcadedb.server.httpMaxSessions", 64, int),  # arcadelite's own
    "graceful_timeout": ("arcadedb.server.shutdownTimeout", 30, float),  # arcadelite's own, s
}
_BY_ARCADEDB_KEY = {key.lower(): name for name, (key, _, _) in SETTINGS.items()}


def _setting_name(key: str) -> str | None:
    dotted = key if key.startswith("arcadedb.") else "arcadedb." + key.replace("_", ".")
    return _BY_ARCADEDB_KEY.get(dotted.lower())


class ArcadeDBServer:
    """Serves the databases under ``root_path/databases`` over ArcadeDB's HTTP API.

    ``config``: ``http_port`` (default 2480; 0 picks a free port), ``host`` (default 127.0.0.1:
    a database is not exposed to the network unless asked), ``mode`` and ArcadeDB settings
    (see SETTINGS). Use as a context manager to start and stop it.
    """

    def __init__(self, root_path: str = "./databases", root_password: str | None = None,
                 config: dict[str, Any] | None = None) -> None:  # fmt: skip
        config = dict(config or {})
        self._root_path = os.path.abspath(os.fspath(root_path))
        self._host = str(config.pop("host", "127.0.0.1"))
        self._port = int(config.pop("http_port", 2480))
        self._mode = str(config.pop("mode", "development"))
        config.pop("binary_port", None)  # ArcadeDB's binary protocol: not served here
        self._settings = {name: default for name, (_, default, _) in SETTINGS.items()}
        for key, value in config.items():
            name = _setting_name(key)
            if name is None:
                known = ", ".join(["http_port", "host", "mode"] +
                                  [SETTINGS[n][0] for n in SETTINGS])  # fmt: skip
                raise ValueError(f"Unknown server setting {key!r}: known settings are {known}")
            self._settings[name] = SETTINGS[name][2](value)
        self._root_password = root_password
        self.server_name = str(self._settings["server_name"])
        from .. import __version__

        self.version = f"{_API_VERSION} (arcadelite {__version__})"
        self._lock = threading.RLock()
        self._databases: dict[str, Any] = {}  # name -> Database served
        self._owned: set[str] = set()  # names of the databases this server opened (and closes)
        self._started = False
        self._uvicorn: Any = None
        self._thread: threading.Thread | None = None
        self._bound_port: int | None = None

    # --- settings the app reads ---------------------------------------------------------------

    @property
    def _max_body(self) -> int:
        return int(self._settings["max_body"])

    @property
    def _read_timeout(self) -> float:
        return self._settings["read_timeout_ms"] / 1000.0

    def settings(self) -> list[dict[str, Any]]:
        return [{"key": SETTINGS[name][0], "value": value, "default": SETTINGS[name][1]}
                for name, value in self._settings.items()]  # fmt: skip

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Bind the port and serve; returns once the server accepts connections."""
        if self._started:
            raise ArcadeDBError("Server is already started")
        try:
            import uvicorn
        except ImportError:
            raise ImportError(
                "Server mode needs uvicorn: pip install 'arcadelite[server]'"
            ) from None
        from .app import HttpApp, header_timeout_protocol
        from .auth import RootAuthenticator
        from .sessions import SessionManager

        self._auth = RootAuthenticator(os.path.join(self._root_path, "config", "server-users.json"),
                                       self._root_password)  # fmt: skip
        self._root_password = None  # only its hash is kept
        # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY on accepted connections only for
        # such sockets, and without it a response's two writes wait out the client's delayed ACK
        sock = socket.socket(socket.AF_INET6 if ":" in self._host else socket.AF_INET,
                             socket.SOCK_STREAM, socket.IPPROTO_TCP)  # fmt: skip
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, self._port))
        except OSError as exc:
            sock.close()
            raise ArcadeDBError(f"Failed to start server: cannot listen on "
                                f"{self._host}:{self._port}: {exc}") from None  # fmt: skip
        sock.listen(2048)
        self._bound_port = sock.getsockname()[1]
        self._sessions = SessionManager(float(self._settings["session_timeout"]),
                                        int(self._settings["max_sessions"]))  # fmt: skip
        self._pool = ThreadPoolExecutor(int(self._settings["worker_threads"]),
                                        thread_name_prefix="arcadelite-http")  # fmt: skip
        protocol = header_timeout_protocol(self._read_timeout)
        config = uvicorn.Config(
            HttpApp(self), log_level="warning", log_config=None, access_log=False,
            http=protocol or "auto", lifespan="off", server_header=False, timeout_keep_alive=5,
            timeout_graceful_shutdown=int(self._settings["graceful_timeout"]), backlog=2048,
        )  # fmt: skip
        self._uvicorn = uvicorn.Server(config)
        failure: list[BaseException] = []

        def serve() -> None:
            try:
                asyncio.run(self._uvicorn.serve(sockets=[sock]))
            except BaseException as exc:
                failure.append(exc)
            finally:
                sock.close()

        self._thread = threading.Thread(target=serve, name="arcadelite-server", daemon=True)
        self._thread.start()
        while not self._uvicorn.started:
            if not self._thread.is_alive():
                self._pool.shutdown()
                raise ArcadeDBError(f"Failed to start server: {failure[0] if failure else 'stopped'}")
            time.sleep(0.01)
        self._started = True

    def stop(self) -> None:
        """Stop accepting, finish the requests in flight, roll back open sessions, close the
        databases this server opened. Idempotent."""
        if not self._started:
            return
        self._started = False
        self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join()
        self._sessions.close_all()
        self._pool.shutdown(wait=True)
        with self._lock:
            for name in list(self._owned):
                db = self._databases.pop(name, None)
                if db is not None:
                    db.close()
            self._owned.clear()
            self._databases.clear()

    def is_started(self) -> bool:
        return self._started

    def get_http_port(self) -> int:
        """The port served (the one bound, when http_port was 0)."""
        return self._bound_port if self._bound_port is not None else self._port

    def get_studio_url(self) -> str:
        host = "localhost" if self._host in ("0.0.0.0", "::") else self._host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.get_http_port()}/"

    def get_root_path(self) -> str:
        return self._root_path

    def __enter__(self) -> ArcadeDBServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"on {self.get_studio_url()}" if self._started else "stopped"
        return f"<ArcadeDBServer {self._root_path!r} {state}>"

    # --- databases --------------------------------------------------------------------------------

    def _database_path(self, name: str) -> str:
        from .app import check_database_name

        check_database_name(name)
        return os.path.join(self._root_path, "databases", name)

    def _check_started(self) -> None:
        if not self._started:
            raise ArcadeDBError("Server is not started")

    def get_database(self, name: str) -> Any:
        """The Database the server serves under ``name`` (the same object: embedded and HTTP use
        share it); opened on first use. Unknown name -> ArcadeDBError."""
        self._check_started()
        return self._open(name, create=False)

    def create_database(self, name: str) -> Any:
        """The database ``name``, created when it does not exist yet (as upstream does)."""
        self._check_started()
        return self._open(name, create=True)

    def add_database(self, db: Any, name: str | None = None) -> None:
        """Serve a Database this program opened itself (the server will not close it)."""
        name = name or db.get_name()
        with self._lock:
            current = self._databases.get(name)
            if current is not None and current is not db:
                raise ArcadeDBError(f"The server already serves another database named '{name}'")
            self._databases[name] = db

    def _open(self, name: str, create: bool) -> Any:
        import arcadelite

        with self._lock:
            db = self._databases.get(name)
            if db is not None and db.is_open():
                return db
            path = self._database_path(name)
            db = _already_open(path)
            if db is None:
                if arcadelite.database_exists(path):
                    db = arcadelite.open_database(path)
                elif create:
                    db = arcadelite.create_database(path)
                else:
                    raise ArcadeDBError(f"Database '{name}' is not available")
                self._owned.add(name)
            self._databases[name] = db
            return db

    def _served_database(self, name: str) -> Any:
        """For the HTTP API: the database or a 404."""
        from .errors import unknown_database

        try:
            return self._open(name, create=False)
        except ArcadeDBError:
            if not self.database_exists(name):
                raise unknown_database(name) from None
            raise

    def database_exists(self, name: str) -> bool:
        import arcadelite

        with self._lock:
            db = self._databases.get(name)
            if db is not None and db.is_open():
                return True
        return arcadelite.database_exists(self._database_path(name))

    def list_databases(self) -> list[str]:
        import arcadelite

        folder = os.path.join(self._root_path, "databases")
        names: set[str] = set()
        if os.path.isdir(folder):
            names.update(n for n in os.listdir(folder)
                         if arcadelite.database_exists(os.path.join(folder, n)))  # fmt: skip
        with self._lock:
            names.update(n for n, db in self._databases.items() if db.is_open())
        return sorted(names)

    def close_database(self, name: str) -> None:
        with self._lock:
            db = self._databases.pop(name, None)
            if db is not None and name in self._owned:
                self._owned.discard(name)
                db.close()

    def drop_database(self, name: str) -> None:
        with self._lock:
            db = self._databases.get(name)
            if db is None or not db.is_open():
                db = self._open(name, create=False)
            self._databases.pop(name, None)
            self._owned.discard(name)
            db.drop()


def _already_open(path: str) -> Any:
    """A Database this process has open on ``path`` (embedded and server use share it).

    arcadelite keeps no public registry of open databases yet; this reads the one database.py
    keeps for closing at exit.
    """
    from .. import database as database_module

    target = os.path.realpath(path)
    for db in list(getattr(database_module, "_OPEN_DATABASES", ())):
        try:
            if db.is_open() and os.path.realpath(db.get_database_path()) == target:
                return db
        except ArcadeDBError:
            continue
    return None


def create_server(root_path: str = "./databases", root_password: str | None = None,
                  config: dict[str, Any] | None = None) -> ArcadeDBServer:  # fmt: skip
    """An ArcadeDBServer (not started yet: call start() or use it in a with block)."""
    return ArcadeDBServer(os.path.abspath(os.fspath(root_path)), root_password, config)
