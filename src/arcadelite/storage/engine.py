"""The storage engine: one SQLite file (WAL) per database folder, reached only through APSW.

Layout inside the file:

- ``al_meta``, ``al_types``, ``al_properties``, ``al_indexes``: the catalog.
- ``t<id>`` per type (the type id is its bucket id): ``pos INTEGER PRIMARY KEY AUTOINCREMENT``
  (the RID position, never reused), ``body`` (JSON text), ``tags`` (see codec). Edge tables add
  ``out_rid``/``in_rid`` (packed RIDs) with covering indexes, so a vertex's edges are index seeks.
- ``x<n>_<type id>``: SQLite expression indexes on ``json_extract(body, '$.prop')`` implementing
  the user's indexes on every table of the indexed type and its subtypes.

Concurrency: every thread gets its own connection (a ``Session``); SQLite admits one writer, and
inside this process writers queue on ``WriteGate`` before ``BEGIN IMMEDIATE`` so they never meet
SQLITE_BUSY. Another process is kept out by an exclusive ``flock`` on ``<folder>/lock``.
Reads in a transaction that has not written yet run in autocommit (READ COMMITTED); the first
write takes the gate and opens the SQLite transaction.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain
from typing import Any

import apsw

from ..exceptions import (
    ArcadeDBError,
    DatabaseClosedError,
    DatabaseLockedError,
    DuplicatedKeyError,
    RecordNotFoundError,
    SchemaError,
    TransactionError,
    ValidationError,
)
from ..rid import RID, bucket_range, pack_rid, unpack_rid
from ..vocabulary import (
    CONSTRAINTS,
    INDEX_KINDS,
    PROPERTY_TYPES,
    RECORD_KINDS,
    normalize_property_type,
)
from . import codec
from .catalog import (
    Catalog,
    IndexDef,
    PropertyDef,
    TypeDef,
    validate,
)
from .catalog import convert as convert_value

DB_FILE = "arcadelite.sqlite"
#: The JSON types (SQLite's json_type) a declared property's values are stored as when no
#: conversion is needed; other types, and tagged values, are checked by _conform_stored_values.
_NATIVE_JSON_TYPES = {
    **dict.fromkeys(("BYTE", "SHORT", "INTEGER", "LONG"), ("integer",)),
    **dict.fromkeys(("FLOAT", "DOUBLE"), ("real",)),
    "BOOLEAN": ("true", "false"),
    "STRING": ("text",),
}
LOCK_FILE = "lock"
FORMAT_VERSION = "1"
SYNC_MODES = {"no": "OFF", "yes_nometadata": "NORMAL", "yes_full": "FULL"}
ROWS_PER_INSERT = 2000  # rows per multi-row INSERT in bulk loads (<= 32766 / 4 params)
CHECKPOINT_PAGES = 1000  # SQLite's default auto-checkpoint size, kept for unsynced sessions too
_PROCESS_OPEN: dict[str, Storage] = {}
_PROCESS_OPEN_LOCK = threading.Lock()
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_CATALOG_DDL = """
CREATE TABLE IF NOT EXISTS al_meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS al_types(
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    supertypes TEXT NOT NULL DEFAULT '[]', custom TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS al_properties(
    type_id INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, of_type TEXT,
    constraints TEXT NOT NULL DEFAULT '{}', PRIMARY KEY(type_id, name));
CREATE TABLE IF NOT EXISTS al_indexes(
    name TEXT PRIMARY KEY, type_name TEXT NOT NULL, properties TEXT NOT NULL,
    is_unique INTEGER NOT NULL, kind TEXT NOT NULL, null_strategy TEXT NOT NULL);
"""


def json_path(name: str) -> str:
    """The SQLite JSON path literal of a (possibly dotted) property path."""
    parts = name if isinstance(name, (list, tuple)) else [name]
    out = "$"
    for part in parts:
        if _IDENT.match(part):
            out += "." + part
        else:
            out += '."' + part.replace('"', '""') + '"'
    return "'" + out.replace("'", "''") + "'"


def field_sql(name: str | tuple[str, ...], column: str = "body") -> str:
    return f"json_extract({column}, {json_path(name)})"


class WriteGate:
    """The in-process writer lock: at most one session holds SQLite's write transaction."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self.owner: Session | None = None
        self.waiting = 0

    def acquire(self, session: Session, timeout: float = -1) -> bool:
        with self._count_lock:
            self.waiting += 1
        try:
            ok = self._lock.acquire(timeout=timeout)
        finally:
            with self._count_lock:
                self.waiting -= 1
        if ok:
            self.owner = session
        return ok

    def release(self) -> None:
        self.owner = None
        self._lock.release()


class Session:
    """One connection and its transaction state; normally one per thread.

    A nested ``begin()`` gives the thread a new session whose ``outer`` is the one it suspends.
    """

    __slots__ = ("conn", "cursor", "depth", "outer", "write_open", "schema_dirty",
                 "sync", "wal", "__weakref__")  # fmt: skip

    def __init__(self, conn: apsw.Connection) -> None:
        self.conn = conn
        self.cursor = conn.cursor()
        self.depth = 0
        self.outer: Session | None = None
        self.write_open = False
        self.schema_dirty = False
        self.sync: str | None = None
        self.wal: _WalSize | None = None  # set while the session checkpoints itself


class _WalSize:
    """A WAL hook that notes the log's size after each commit (instead of SQLite's own
    auto-checkpoint, which it replaces on that connection)."""

    __slots__ = ("pages",)

    def __init__(self) -> None:
        self.pages = 0

    def __call__(self, conn: apsw.Connection, name: str, pages: int) -> int:
        self.pages = pages
        return apsw.SQLITE_OK


class Storage:
    """A database folder opened by this process."""

    def __init__(self, folder: str, create: bool) -> None:
        self.folder = os.path.abspath(folder)
        self.file = os.path.join(self.folder, DB_FILE)
        self.catalog = Catalog()
        self.gate = WriteGate()
        self.auto_transaction = False
        self.sync_mode = "NORMAL"
        self._local = threading.local()
        self._sessions: weakref.WeakSet[Session] = weakref.WeakSet()
        self._sessions_lock = threading.Lock()
        self._sync_pending: weakref.WeakSet[Session] = weakref.WeakSet()
        self._closed = False
        self._lock_fd: int | None = None
        self._register(create)
        try:
            self._acquire_process_lock()
            if create:
                os.makedirs(self.folder, exist_ok=True)
            self.main = self._new_session()
            self._local.session = self.main
            if create:
                self._create_catalog()
            self._load_catalog()
        except BaseException as exc:
            self._closed = True
            with self._sessions_lock:
                for session in list(self._sessions):
                    session.conn.close()
            self._release_files()
            if isinstance(exc, apsw.Error):
                raise ArcadeDBError(
                    f"Cannot open database '{self.folder}': {exc} (not an arcadelite database, "
                    "or its creation was interrupted)"
                ) from exc
            raise

    # --- lifecycle --------------------------------------------------------------------------

    @staticmethod
    def exists(folder: str) -> bool:
        return os.path.isfile(os.path.join(os.path.abspath(folder), DB_FILE))

    def _register(self, create: bool) -> None:
        with _PROCESS_OPEN_LOCK:
            if self.folder in _PROCESS_OPEN:
                raise DatabaseLockedError(
                    f"Database '{self.folder}' is already open in this process: "
                    "use the Database object you have, or close it first"
                )
            if create and self.exists(self.folder):
                raise ArcadeDBError(f"Database '{self.folder}' already exists")
            if not create and not self.exists(self.folder):
                raise ArcadeDBError(f"Database '{self.folder}' does not exist")
            _PROCESS_OPEN[self.folder] = self

    def _acquire_process_lock(self) -> None:
        os.makedirs(self.folder, exist_ok=True)
        path = os.path.join(self.folder, LOCK_FILE)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = ""
            for _ in range(50):  # the holder writes its pid just after it locks: wait for it
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
                if holder and _process_alive(holder):  # not a stale pid of a killed holder
                    break
                time.sleep(0.01)
            os.close(fd)
            raise DatabaseLockedError(
                f"Database '{self.folder}' is open for writing by another process "
                f"(pid {holder or 'unknown'})"
            ) from None
        # One fixed-width write: a reader never sees the file emptied in between.
        os.pwrite(fd, f"{os.getpid():<20}".encode(), 0)
        self._lock_fd = fd

    def _release_files(self) -> None:
        if self._lock_fd is not None:
            try:
                os.pwrite(self._lock_fd, b" " * 20, 0)  # no stale pid for the next opener
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            finally:
                os.close(self._lock_fd)
                self._lock_fd = None
        with _PROCESS_OPEN_LOCK:
            if _PROCESS_OPEN.get(self.folder) is self:
                del _PROCESS_OPEN[self.folder]

    @property
    def closed(self) -> bool:
        return self._closed

    def check_open(self) -> None:
        if self._closed:
            raise DatabaseClosedError(f"Database '{self.folder}' is closed")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._sessions_lock:
            sessions = list(self._sessions)
        for session in sessions:
            try:
                if session.write_open:
                    session.conn.execute("ROLLBACK")
                self._close_connection(session)
            except apsw.Error:
                pass
        self._release_files()

    def drop(self) -> None:
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- sessions ---------------------------------------------------------------------------

    def _new_session(self) -> Session:
        conn = apsw.Connection(
            self.file,
            flags=apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE,
            statementcachesize=256,
        )
        conn.setbusytimeout(60_000)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.sync_mode}")
        conn.execute("PRAGMA cache_size=-16384")
        conn.execute("PRAGMA temp_store=MEMORY")
        session = Session(conn)
        with self._sessions_lock:
            self._sessions.add(session)
        return session

    def session(self) -> Session:
        """The calling thread's session (connection and transaction state)."""
        try:
            return self._local.session
        except AttributeError:
            self.check_open()
            session = self._local.session = self._new_session()
            return session

    def thread_session_if_any(self) -> Session | None:
        return getattr(self._local, "session", None)

    def new_private_session(self) -> Session:
        """A session not bound to a thread, e.g. for the async executor's workers."""
        self.check_open()
        return self._new_session()

    def release_session(self, session: Session) -> None:
        if session.write_open:
            self._end_sqlite_tx(session, "ROLLBACK")
        with self._sessions_lock:
            self._sessions.discard(session)
        self._close_connection(session)

    def _close_connection(self, session: Session) -> None:
        """Close a session's connection; the last one to close checkpoints, so an unsynced
        session does that under the database's sync mode (see _apply_sync)."""
        if session.wal is not None and not session.conn.in_transaction:
            session.conn.execute(f"PRAGMA synchronous={self.sync_mode}")
        session.conn.close()

    def set_sync(self, mode: str) -> None:
        """Apply a ``set_wal_flush`` mode to every connection."""
        if mode not in SYNC_MODES:
            raise ValueError(f"WAL flush mode must be one of {', '.join(SYNC_MODES)}, got {mode!r}")
        self.sync_mode = SYNC_MODES[mode]
        with self._sessions_lock:
            sessions = list(self._sessions)
        for session in sessions:
            if session.sync is None:
                self._apply_sync(session)

    def set_session_sync(self, session: Session, pragma_value: str | None) -> None:
        session.sync = pragma_value
        self._apply_sync(session)

    def _apply_sync(self, session: Session) -> None:
        """Set the session's ``synchronous`` pragma now, or when its next write transaction opens.

        SQLite refuses the change inside a transaction, and a connection busy in another thread
        cannot take it (APSW raises): such sessions are marked and updated in ``_open_write``.
        """
        try:
            if session.conn.in_transaction:
                raise apsw.SQLError("in a transaction")
            session.conn.execute(f"PRAGMA synchronous={session.sync or self.sync_mode}")
            # A session that skips fsync must not checkpoint that way: copying unsynced WAL
            # frames into the database file and then restarting the log can corrupt the file
            # on power loss. It checkpoints after its commits with the database's own mode.
            unsynced_checkpoints = session.sync == "OFF" and self.sync_mode != "OFF"
            if unsynced_checkpoints and session.wal is None:
                session.wal = _WalSize()
                session.conn.set_wal_hook(session.wal)
            elif not unsynced_checkpoints and session.wal is not None:
                session.wal = None
                session.conn.wal_autocheckpoint(CHECKPOINT_PAGES)
        except apsw.Error:
            self._sync_pending.add(session)
        else:
            self._sync_pending.discard(session)

    def _checkpoint_synced(self, session: Session) -> None:
        """Checkpoint an unsynced session's WAL under the database's sync mode (see _apply_sync)."""
        conn = session.conn
        try:
            conn.execute(f"PRAGMA synchronous={self.sync_mode}")
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                conn.execute(f"PRAGMA synchronous={session.sync or self.sync_mode}")
        except apsw.Error:
            return  # a commit stays committed; the next one tries again
        session.wal.pages = 0  # type: ignore[union-attr]

    def pragma(self, session: Session, name: str) -> Any:
        """Read a pragma's value on a session's connection (diagnostics and tests)."""
        if not _IDENT.match(name):
            raise ValueError(f"Invalid pragma name {name!r}")
        self.check_open()
        row = session.conn.execute(f"PRAGMA {name}").fetchone()
        return None if row is None else row[0]

    # --- transactions -----------------------------------------------------------------------

    def begin(self, session: Session) -> None:
        """Begin a transaction; inside an active one, an independent inner transaction.

        The inner transaction runs on a connection of its own and commits or rolls back only
        its own work; the outer one resumes when it ends. (SQLite has one writer: an inner
        transaction cannot write while its outer one holds the writer lock, see _open_write.)
        """
        self.check_open()
        if session.depth == 0:
            session.depth = 1
            return
        inner = self._new_session()
        inner.depth = 1
        inner.outer = session
        self._local.session = inner

    def commit(self, session: Session) -> None:
        self.check_open()
        if session.depth == 0:
            raise TransactionError("commit() called with no active transaction: call begin() first")
        try:
            if session.write_open:
                self._end_sqlite_tx(session, "COMMIT")
        except apsw.Error as exc:
            self._abort(session)
            raise translate_error(exc, self) from exc
        if session.wal is not None and session.wal.pages >= CHECKPOINT_PAGES:
            self._checkpoint_synced(session)
        session.depth = 0
        session.schema_dirty = False
        self._resume_outer(session)

    def rollback(self, session: Session) -> None:
        if session.depth == 0 or self._closed:
            session.depth = 0
            return
        self._abort(session)

    def _abort(self, session: Session) -> None:
        if session.write_open:
            self._end_sqlite_tx(session, "ROLLBACK")
        session.depth = 0
        if session.schema_dirty:
            session.schema_dirty = False
            self._load_catalog()
        self._resume_outer(session)

    def _resume_outer(self, session: Session) -> None:
        """After an inner transaction ends, its thread goes back to the outer one."""
        if session.outer is not None and getattr(self._local, "session", None) is session:
            self._local.session = session.outer
            self.release_session(session)

    def _end_sqlite_tx(self, session: Session, verb: str) -> None:
        try:
            session.cursor.execute(verb)
        finally:
            if verb == "ROLLBACK" or not session.conn.in_transaction:
                session.write_open = False
                if self.gate.owner is session:
                    self.gate.release()

    def _open_write(self, session: Session) -> None:
        """Take the gate and start SQLite's write transaction."""
        outer = session.outer
        while outer is not None:
            if self.gate.owner is outer:
                raise TransactionError(
                    "An inner transaction cannot write while its outer transaction in the same "
                    "thread holds SQLite's single writer lock: write in the outer transaction, "
                    "or commit it before beginning the inner one"
                )
            outer = outer.outer
        if not self.gate.acquire(session, timeout=300):
            raise TransactionError("Timed out after 300 s waiting for the database writer lock")
        try:
            if self._sync_pending and session in self._sync_pending:
                self._apply_sync(session)
            session.cursor.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.gate.release()
            raise
        session.write_open = True

    @contextmanager
    def writing(self, session: Session, schema: bool = False) -> Iterator[Session]:
        """Run a write inside the session's transaction, or in one of its own when allowed.

        Record writes outside a transaction need auto-transaction; schema changes never do.
        """
        if self._closed:
            raise DatabaseClosedError(f"Database '{self.folder}' is closed")
        if session.depth:
            if not session.write_open:
                self._open_write(session)
            if not schema:
                yield session
                return
            # A schema change is several statements: inside a transaction it gets a savepoint,
            # so that a failed one (e.g. a unique index over duplicates) leaves nothing behind.
            session.schema_dirty = True
            session.cursor.execute("SAVEPOINT al_schema_op")
            try:
                yield session
            except BaseException:
                session.cursor.execute("ROLLBACK TO al_schema_op; RELEASE al_schema_op")
                self._load_catalog()
                raise
            session.cursor.execute("RELEASE al_schema_op")
            return
        if not (schema or self.auto_transaction):
            raise TransactionError(
                "This write needs a transaction: wrap it in `with db.transaction():` "
                "or call db.set_auto_transaction(True)"
            )
        self._open_write(session)
        session.depth = 1
        if schema:
            session.schema_dirty = True
        try:
            yield session
        except BaseException:
            self._abort(session)
            raise
        else:
            self.commit(session)

    # --- catalog ----------------------------------------------------------------------------

    def _create_catalog(self) -> None:
        conn = self.main.conn
        with conn:
            conn.execute(_CATALOG_DDL)
            conn.execute(
                "INSERT OR REPLACE INTO al_meta VALUES ('format', ?)", (FORMAT_VERSION,)
            )

    def _load_catalog(self) -> None:
        conn = self.session().conn
        catalog = Catalog()
        rows = conn.execute("SELECT id, name, kind, supertypes, custom FROM al_types").fetchall()
        for type_id, name, kind, supertypes, custom in rows:
            catalog.add_type(
                TypeDef(type_id, name, kind, codec.loads(supertypes), custom=codec.loads(custom))
            )
        for type_id, name, ptype, of_type, constraints in conn.execute(
            "SELECT type_id, name, type, of_type, constraints FROM al_properties"
        ):
            prop = PropertyDef(name, ptype, of_type, **_decode_constraints(constraints))
            catalog.by_id[type_id].properties[name] = prop
        for name, type_name, props, unique, kind, nulls in conn.execute(
            "SELECT name, type_name, properties, is_unique, kind, null_strategy FROM al_indexes"
        ):
            catalog.indexes[name] = IndexDef(
                name, type_name, tuple(codec.loads(props)), bool(unique), kind, nulls
            )
        catalog.rebuild()
        self.catalog = catalog

    def _changed(self) -> None:
        self.catalog.rebuild()

    def get_type(self, name: str) -> TypeDef:
        self.check_open()
        return self.catalog.get(name)

    def create_type(
        self,
        session: Session,
        name: str,
        kind: str,
        supertypes: list[str] | tuple[str, ...] = (),
        if_not_exists: bool = False,
    ) -> TypeDef:
        if kind not in RECORD_KINDS:
            raise SchemaError(f"Unknown type kind '{kind}'")
        if not isinstance(name, str) or not name.strip() or "`" in name:
            raise SchemaError(f"Invalid type name {name!r}")
        existing = self.catalog.types.get(name)
        if existing is not None:
            if if_not_exists and existing.kind == kind:
                return existing
            if existing.kind != kind:
                raise SchemaError(
                    f"Type '{name}' already exists as a {existing.kind} type, not a {kind} type"
                )
            raise SchemaError(f"Type '{name}' already exists")
        supertypes = list(supertypes)
        for parent in supertypes:
            parent_def = self.catalog.get(parent)
            if parent_def.kind != kind:
                raise SchemaError(
                    f"Type '{name}' ({kind}) cannot extend '{parent}', a {parent_def.kind} type"
                )
        with self.writing(session, schema=True) as s:
            cur = s.cursor
            cur.execute(
                "INSERT INTO al_types(name, kind, supertypes) VALUES (?, ?, ?)",
                (name, kind, codec.dumps(supertypes)),
            )
            type_id = s.conn.last_insert_rowid()
            type_def = TypeDef(type_id, name, kind, supertypes)
            extra = ", out_rid INTEGER NOT NULL, in_rid INTEGER NOT NULL" if kind == "edge" else ""
            cur.execute(
                f"CREATE TABLE {type_def.table}(pos INTEGER PRIMARY KEY AUTOINCREMENT, "
                f"body TEXT NOT NULL, tags TEXT{extra})"
            )
            if kind == "edge":
                cur.execute(f"CREATE INDEX {type_def.table}_out ON {type_def.table}(out_rid, in_rid)")
                cur.execute(f"CREATE INDEX {type_def.table}_in ON {type_def.table}(in_rid, out_rid)")
            self.catalog.add_type(type_def)
            self._changed()
            for index in type_def.indexes:
                self._create_sql_index(s, index, type_def)
        return type_def

    def drop_type(self, session: Session, name: str, if_exists: bool = False,
                  unsafe: bool = False) -> None:  # fmt: skip
        type_def = self.catalog.types.get(name)
        if type_def is None:
            if if_exists:
                return
            raise SchemaError(f"Type '{name}' does not exist")
        subtypes = [t.name for t in type_def.polymorphic if t is not type_def]
        if subtypes:
            raise SchemaError(
                f"Cannot drop type '{name}': it has subtypes ({', '.join(subtypes)})"
            )
        if type_def.kind == "vertex" and not unsafe and self.count(session, type_def, False):
            # Dropping vertices would orphan their edges; ArcadeDB asks for UNSAFE here.
            if self._has_edges_of_type(session, type_def):
                raise SchemaError(
                    f"Cannot drop vertex type '{name}': its vertices have edges "
                    "(delete them first, or use DROP TYPE ... UNSAFE)"
                )
        with self.writing(session, schema=True) as s:
            cur = s.cursor
            for index in [ix for ix in self.catalog.indexes.values() if ix.type_name == name]:
                cur.execute("DELETE FROM al_indexes WHERE name = ?", (index.name,))
                del self.catalog.indexes[index.name]
            cur.execute(f"DROP TABLE {type_def.table}")
            cur.execute("DELETE FROM al_properties WHERE type_id = ?", (type_def.id,))
            cur.execute("DELETE FROM al_types WHERE id = ?", (type_def.id,))
            del self.catalog.types[name]
            del self.catalog.by_id[type_def.id]
            self._changed()

    def _has_edges_of_type(self, session: Session, type_def: TypeDef) -> bool:
        low, high = bucket_range(type_def.id)
        for edge_type in self.catalog.types.values():
            if edge_type.kind != "edge":
                continue
            row = session.conn.execute(
                f"SELECT 1 FROM {edge_type.table} WHERE out_rid >= ?1 AND out_rid < ?2 "
                f"UNION ALL SELECT 1 FROM {edge_type.table} WHERE in_rid >= ?1 AND in_rid < ?2 "
                "LIMIT 1",
                (low, high),
            ).fetchone()
            if row:
                return True
        return False

    def alter_type(self, session: Session, name: str, attribute: str, value: Any) -> TypeDef:
        type_def = self.catalog.get(name)
        attribute = attribute.lower()
        with self.writing(session, schema=True) as s:
            if attribute == "supertype":
                text = str(value).strip()
                remove = text.startswith("-")
                parent = text.lstrip("+-").strip()
                if remove:
                    if parent in type_def.supertypes:
                        type_def.supertypes.remove(parent)
                else:
                    parent_def = self.catalog.get(parent)
                    if parent_def.kind != type_def.kind or type_def.name in parent_def.ancestors:
                        raise SchemaError(f"Type '{name}' cannot extend '{parent}'")
                    if parent not in type_def.supertypes:
                        type_def.supertypes.append(parent)
                s.cursor.execute(
                    "UPDATE al_types SET supertypes = ? WHERE id = ?",
                    (codec.dumps(type_def.supertypes), type_def.id),
                )
            elif attribute == "name":
                new_name = str(value)
                if new_name in self.catalog.types:
                    raise SchemaError(f"Type '{new_name}' already exists")
                s.cursor.execute("UPDATE al_types SET name = ? WHERE id = ?", (new_name, type_def.id))
                for other in self.catalog.types.values():
                    if name in other.supertypes:
                        other.supertypes[other.supertypes.index(name)] = new_name
                        s.cursor.execute(
                            "UPDATE al_types SET supertypes = ? WHERE id = ?",
                            (codec.dumps(other.supertypes), other.id),
                        )
                del self.catalog.types[name]
                type_def.name = new_name
                self.catalog.types[new_name] = type_def
            elif attribute == "custom":
                key, custom_value = value
                type_def.custom[key] = custom_value
                s.cursor.execute(
                    "UPDATE al_types SET custom = ? WHERE id = ?",
                    (codec.dumps(type_def.custom), type_def.id),
                )
            else:
                raise SchemaError(f"Unknown type attribute '{attribute}' for ALTER TYPE {name}")
            self._changed()
        return type_def

    def create_property(
        self,
        session: Session,
        type_name: str,
        name: str,
        property_type: Any,
        of_type: str | None = None,
        if_not_exists: bool = False,
        constraints: dict[str, Any] | None = None,
    ) -> PropertyDef:
        type_def = self.catalog.get(type_name)
        ptype = normalize_property_type(property_type)
        if of_type is not None:
            of_type = str(getattr(of_type, "value", of_type))
            if ptype not in ("LIST", "MAP", "LINK"):
                raise SchemaError(f"'OF {of_type}' applies to LIST, MAP or LINK, not {ptype}")
            if of_type.upper() in ("INT", "BOOL") or of_type.upper() in PROPERTY_TYPES:
                of_type = normalize_property_type(of_type)
            elif of_type not in self.catalog.types:
                raise SchemaError(f"Unknown type '{of_type}' in {type_name}.{name} OF {of_type}")
        if name in type_def.properties:
            if if_not_exists:
                return type_def.properties[name]
            raise SchemaError(f"Property '{type_name}.{name}' already exists")
        if not isinstance(name, str) or not name or name.startswith("@"):
            raise SchemaError(f"Invalid property name {name!r}")
        prop = PropertyDef(name, ptype, of_type)
        for key, value in (constraints or {}).items():
            set_constraint(prop, key, value, type_name)
        with self.writing(session, schema=True) as s:
            s.cursor.execute(
                "INSERT INTO al_properties(type_id, name, type, of_type, constraints) "
                "VALUES (?, ?, ?, ?, ?)",
                (type_def.id, name, ptype, of_type, _encode_constraints(prop.constraints())),
            )
            type_def.properties[name] = prop
            self._changed()
            try:
                self._conform_stored_values(s, type_def, prop)
            except BaseException:
                del type_def.properties[name]
                self._changed()
                raise
        return prop

    def _conform_stored_values(self, session: Session, type_def: TypeDef,
                               prop: PropertyDef) -> None:  # fmt: skip
        """Make the values records already hold for a newly declared (or retyped) property
        read as its type: a value that cannot be converted is an error naming its record (as
        ArcadeDB refuses such a CREATE PROPERTY), one stored as another kind is converted (so
        SQLite filters may trust the declared type). Only rows that may differ are read."""
        path = json_path(prop.name)
        native = _NATIVE_JSON_TYPES.get(prop.type)
        suspect = f"json_type(body, {path}) NOT IN ('null')"
        if native is not None:
            allowed = ", ".join(f"'{t}'" for t in native)
            suspect += f" AND (json_type(body, {path}) NOT IN ({allowed}) OR tags IS NOT NULL)"
        for target in type_def.polymorphic:
            rows = session.cursor.execute(
                f"SELECT pos, body, tags FROM {target.table} WHERE {suspect}"
            ).fetchall()
            changed = []
            for position, body, tags in rows:
                props = codec.decode_record(body, tags)
                value = props[prop.name]
                try:
                    converted = convert_value(prop, value, target.name)
                except ValidationError as exc:
                    raise SchemaError(
                        f"Cannot declare '{type_def.name}.{prop.name}' as {prop.type}: record "
                        f"{RID(target.id, position)} holds {value!r}, which cannot be read as "
                        f"one ({exc})"
                    ) from None
                if type(converted) is not type(value) or converted != value:
                    props[prop.name] = converted
                    changed.append((*codec.encode_record(props), position))
            if changed:
                self.update_rows(session, target, changed)

    def alter_property(self, session: Session, type_name: str, name: str, attribute: str,
                       value: Any) -> PropertyDef:  # fmt: skip
        type_def = self.catalog.get(type_name)
        prop = type_def.properties.get(name)
        if prop is None:
            raise SchemaError(f"Property '{type_name}.{name}' does not exist")
        attribute = attribute.lower()
        with self.writing(session, schema=True) as s:
            if attribute == "type":
                old_type, prop.type = prop.type, normalize_property_type(value)
                try:
                    self._conform_stored_values(s, type_def, prop)
                except BaseException:
                    prop.type = old_type
                    raise
            else:
                set_constraint(prop, attribute, value, type_name)
            s.cursor.execute(
                "UPDATE al_properties SET type = ?, constraints = ? WHERE type_id = ? AND name = ?",
                (prop.type, _encode_constraints(prop.constraints()), type_def.id, name),
            )
            self._changed()
        return prop

    def drop_property(self, session: Session, type_name: str, name: str, if_exists: bool = False,
                      force: bool = False) -> None:  # fmt: skip
        type_def = self.catalog.get(type_name)
        if name not in type_def.properties:
            if if_exists:
                return
            raise SchemaError(f"Property '{type_name}.{name}' does not exist")
        using = [ix.name for ix in self.catalog.indexes.values()
                 if ix.type_name == type_name and name in ix.properties]  # fmt: skip
        if using and not force:
            raise SchemaError(
                f"Cannot drop property '{type_name}.{name}': used by index {', '.join(using)} "
                "(drop the index first, or use FORCE)"
            )
        with self.writing(session, schema=True) as s:
            for index_name in using:
                self._drop_index(s, index_name)
            s.cursor.execute(
                "DELETE FROM al_properties WHERE type_id = ? AND name = ?", (type_def.id, name)
            )
            del type_def.properties[name]
            self._changed()

    def create_index(
        self,
        session: Session,
        type_name: str,
        properties: list[str] | tuple[str, ...],
        unique: bool = False,
        kind: str = "LSM_TREE",
        if_not_exists: bool = False,
        name: str | None = None,
        null_strategy: str = "SKIP",
    ) -> IndexDef:
        type_def = self.catalog.get(type_name)
        kind = str(getattr(kind, "value", kind)).upper()
        if kind == "FULL_TEXT" and unique:
            raise SchemaError("A FULL_TEXT index cannot be unique")
        if kind not in INDEX_KINDS:
            raise SchemaError(f"Unknown index type '{kind}': expected one of {', '.join(INDEX_KINDS)}")
        if isinstance(properties, str):
            properties = [properties]
        properties = tuple(properties)
        if not properties:
            raise SchemaError(f"An index on '{type_name}' needs at least one property")
        for prop in properties:
            if prop not in type_def.all_properties:
                raise SchemaError(
                    f"Cannot index '{type_name}.{prop}': the property is not declared "
                    f"(CREATE PROPERTY {type_name}.{prop} <type> first)"
                )
        index_name = name or f"{type_name}[{','.join(properties)}]"
        existing = self.catalog.indexes.get(index_name)
        if existing is None:
            existing = next(
                (ix for ix in self.catalog.indexes.values()
                 if ix.type_name == type_name and ix.properties == properties),
                None,
            )  # fmt: skip
        if existing is not None:
            if if_not_exists:
                return existing
            raise SchemaError(f"Index '{existing.name}' already exists")
        index = IndexDef(index_name, type_name, properties, bool(unique), kind,
                         str(null_strategy).upper())  # fmt: skip
        with self.writing(session, schema=True) as s:
            s.cursor.execute(
                "INSERT INTO al_indexes(name, type_name, properties, is_unique, kind, null_strategy) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (index.name, type_name, codec.dumps(list(properties)), int(index.unique), kind,
                 index.null_strategy),
            )  # fmt: skip
            self.catalog.indexes[index.name] = index
            self._changed()
            try:
                for target in type_def.polymorphic:
                    self._create_sql_index(s, index, target)
                if index.unique and len(type_def.polymorphic) > 1:
                    self._check_no_duplicates_across(s, index, type_def.polymorphic)
            except apsw.ConstraintError as exc:
                del self.catalog.indexes[index.name]
                self._changed()
                raise DuplicatedKeyError(
                    f"Cannot create unique index '{index.name}': existing records of "
                    f"'{type_name}' share a key",
                    index.name,
                ) from exc
        return index

    def _check_no_duplicates_across(self, s: Session, index: IndexDef,
                                    targets: list[TypeDef]) -> None:  # fmt: skip
        """Raise apsw.ConstraintError when two records of different tables share a unique key."""
        columns = ", ".join(f"{field_sql(p)} AS k{i}" for i, p in enumerate(index.properties))
        not_null = " AND ".join(f"{field_sql(p)} IS NOT NULL" for p in index.properties)
        keys = ", ".join(f"k{i}" for i in range(len(index.properties)))
        union = " UNION ALL ".join(
            f"SELECT {columns} FROM {t.table} WHERE {not_null}" for t in targets
        )
        rows = s.cursor.execute(
            f"SELECT {keys} FROM ({union}) GROUP BY {keys} HAVING count(*) > 1 LIMIT 1"
        ).fetchall()
        if rows:
            raise apsw.ConstraintError(f"duplicate key {list(rows[0])!r} across the subtypes")

    def _sql_index_name(self, index: IndexDef, target: TypeDef) -> str:
        return f"x{_stable_id(index.name)}_{target.id}"

    def _create_sql_index(self, s: Session, index: IndexDef, target: TypeDef) -> None:
        columns = ", ".join(field_sql(p) for p in index.properties)
        unique = "UNIQUE " if index.unique else ""
        where = ""
        if index.unique and index.null_strategy == "SKIP":
            where = " WHERE " + " AND ".join(f"{field_sql(p)} IS NOT NULL" for p in index.properties)
        s.cursor.execute(
            f"CREATE {unique}INDEX {self._sql_index_name(index, target)} "
            f"ON {target.table}({columns}){where}"
        )

    def drop_index(self, session: Session, name: str, if_exists: bool = False) -> None:
        if name not in self.catalog.indexes:
            if if_exists:
                return
            raise SchemaError(f"Index '{name}' does not exist")
        with self.writing(session, schema=True) as s:
            self._drop_index(s, name)
            self._changed()

    def _drop_index(self, s: Session, name: str) -> None:
        index = self.catalog.indexes[name]
        for target in self.catalog.get(index.type_name).polymorphic:
            s.cursor.execute(f"DROP INDEX IF EXISTS {self._sql_index_name(index, target)}")
        s.cursor.execute("DELETE FROM al_indexes WHERE name = ?", (name,))
        del self.catalog.indexes[name]

    def rebuild_index(self, session: Session, name: str) -> None:
        if name != "*" and name not in self.catalog.indexes:
            raise SchemaError(f"Index '{name}' does not exist")
        names = list(self.catalog.indexes) if name == "*" else [name]
        with self.writing(session, schema=True) as s:
            for index_name in names:
                index = self.catalog.indexes[index_name]
                for target in self.catalog.get(index.type_name).polymorphic:
                    s.cursor.execute(f"REINDEX {self._sql_index_name(index, target)}")

    def index_for(self, type_def: TypeDef, properties: tuple[str, ...]) -> IndexDef | None:
        for index in type_def.indexes:
            if index.properties == properties:
                return index
        return None

    # --- records ----------------------------------------------------------------------------

    def prepare(self, type_def: TypeDef, props: dict[str, Any],
                old: dict[str, Any] | None = None) -> tuple[dict, tuple[str, str | None]]:  # fmt: skip
        """Validate against the schema and encode: the one path every write goes through.

        Returns the (converted) properties and their encoded (body, tags).
        """
        if type_def.checked:
            props = validate(type_def, dict(props), old)
            self._check_links(type_def, props)
        return props, codec.encode_record(props)

    def _check_links(self, type_def: TypeDef, props: dict[str, Any]) -> None:
        for name, prop in type_def.all_properties.items():
            if prop.type == "LINK" and prop.of_type and isinstance(props.get(name), RID):
                target = self.catalog.by_id.get(props[name].bucket_id)
                if target is None or not target.is_a(prop.of_type):
                    raise_validation(
                        f"Property '{type_def.name}.{name}' links to {props[name]}, "
                        f"which is not a {prop.of_type}"
                    )

    def _in_write(self, session: Session, action: Any, *args: Any) -> Any:
        """Run ``action(session, *args)`` inside a write transaction (see ``writing``)."""
        if session.write_open and not self._closed:
            return action(session, *args)
        with self.writing(session) as s:
            return action(s, *args)

    def insert(self, session: Session, type_def: TypeDef, encoded: tuple[str, str | None],
               out_rid: int | None = None, in_rid: int | None = None) -> int:  # fmt: skip
        """Insert an encoded record; returns its position."""
        return self._in_write(session, self._insert, type_def, encoded, out_rid, in_rid)

    def _insert(self, s: Session, type_def: TypeDef, encoded: tuple[str, str | None],
                out_rid: int | None, in_rid: int | None) -> int:  # fmt: skip
        if type_def.unique_elsewhere:
            self._check_unique_elsewhere(s, type_def, encoded)
        try:
            if type_def.kind == "edge":
                s.cursor.execute(
                    f"INSERT INTO {type_def.table}(body, tags, out_rid, in_rid) VALUES (?,?,?,?)",
                    (*encoded, out_rid, in_rid),
                )
            else:
                s.cursor.execute(f"INSERT INTO {type_def.table}(body, tags) VALUES (?, ?)", encoded)
        except apsw.ConstraintError as exc:
            raise self.constraint_error(exc, type_def, encoded) from exc
        return s.conn.last_insert_rowid()

    def update(self, session: Session, type_def: TypeDef, position: int,
               encoded: tuple[str, str | None]) -> None:  # fmt: skip
        self._in_write(session, self._update, type_def, position, encoded)

    def _update(self, s: Session, type_def: TypeDef, position: int,
                encoded: tuple[str, str | None]) -> None:  # fmt: skip
        if type_def.unique_elsewhere:
            self._check_unique_elsewhere(s, type_def, encoded)
        try:
            s.cursor.execute(
                f"UPDATE {type_def.table} SET body = ?, tags = ? WHERE pos = ?", (*encoded, position)
            )
        except apsw.ConstraintError as exc:
            raise self.constraint_error(exc, type_def, encoded, position) from exc
        if s.conn.changes() == 0:
            raise_not_found(RID(type_def.id, position))

    def _check_unique_elsewhere(self, s: Session, type_def: TypeDef,
                                encoded: tuple[str, str | None]) -> None:  # fmt: skip
        """A unique index of a supertype covers its subtypes' tables too: seek the key there
        (SQLite compares exactly as the per-table unique index does; a null key part never
        matches, as with the SKIP null strategy)."""
        for index, others in type_def.unique_elsewhere:
            match = " AND ".join(f"{field_sql(p)} = {field_sql(p, '?1')}" for p in index.properties)
            for other in others:
                rows = s.cursor.execute(
                    f"SELECT pos FROM {other.table} WHERE {match} LIMIT 1", (encoded[0],)
                ).fetchall()
                if rows:
                    props = codec.decode_record(*encoded)
                    values = [props.get(p) for p in index.properties]
                    key = values[0] if len(values) == 1 else values
                    raise DuplicatedKeyError(
                        f"Duplicated key {key!r} found on index '{index.name}' "
                        f"already assigned to record {RID(other.id, rows[0][0])}",
                        index.name,
                        key,
                    )

    def delete(self, session: Session, type_def: TypeDef, position: int) -> None:
        """Delete a record; a vertex takes its edges with it."""
        self._in_write(session, self._delete, type_def, position)

    def _delete(self, s: Session, type_def: TypeDef, position: int) -> None:
        cur = s.cursor
        if type_def.kind == "vertex":
            packed = pack_rid(type_def.id, position)
            for edge_type in self.catalog.types.values():
                if edge_type.kind == "edge":
                    cur.execute(
                        f"DELETE FROM {edge_type.table} WHERE out_rid = ?1 OR in_rid = ?1", (packed,)
                    )
        cur.execute(f"DELETE FROM {type_def.table} WHERE pos = ?", (position,))
        if s.conn.changes() == 0:
            raise_not_found(RID(type_def.id, position))

    def load(self, session: Session, rid: RID) -> tuple[TypeDef, tuple] | None:
        """(type, row) for a RID; the row is (pos, body, tags[, out_rid, in_rid])."""
        self.check_open()
        type_def = self.catalog.by_id.get(rid.bucket_id)
        if type_def is None:
            return None
        columns = "pos, body, tags, out_rid, in_rid" if type_def.kind == "edge" else "pos, body, tags"
        # fetchall, not fetchone: a statement left unfinished on the session's cursor would keep
        # the connection's read snapshot open, and later reads would miss others' commits.
        rows = session.cursor.execute(
            f"SELECT {columns} FROM {type_def.table} WHERE pos = ?", (rid.position,)
        ).fetchall()
        return (type_def, rows[0]) if rows else None

    def edges(self, session: Session, packed_vertex: int, direction: str,
              labels: tuple[str, ...] = ()) -> Iterator[tuple[TypeDef, tuple]]:  # fmt: skip
        """Edges of a vertex: (edge type, (pos, body, tags, out_rid, in_rid)); index seeks only."""
        self.check_open()
        for edge_type in self.edge_types(labels):
            for column in ("out_rid", "in_rid") if direction == "both" else (
                ("out_rid",) if direction == "out" else ("in_rid",)
            ):
                for row in session.conn.execute(
                    f"SELECT pos, body, tags, out_rid, in_rid FROM {edge_type.table} "
                    f"WHERE {column} = ?",
                    (packed_vertex,),
                ):
                    yield edge_type, row

    def neighbors(self, session: Session, packed_vertex: int, direction: str,
                  labels: tuple[str, ...] = ()) -> list[int]:  # fmt: skip
        """Packed RIDs of adjacent vertices, read from the covering edge indexes alone."""
        self.check_open()
        found: list[int] = []
        for edge_type in self.edge_types(labels):
            if direction in ("out", "both"):
                found.extend(r[0] for r in session.conn.execute(
                    f"SELECT in_rid FROM {edge_type.table} WHERE out_rid = ?", (packed_vertex,)))  # fmt: skip
            if direction in ("in", "both"):
                found.extend(r[0] for r in session.conn.execute(
                    f"SELECT out_rid FROM {edge_type.table} WHERE in_rid = ?", (packed_vertex,)))  # fmt: skip
        return found

    def edge_types(self, labels: tuple[str, ...] = ()) -> list[TypeDef]:
        if not labels:
            return [t for t in self.catalog.types.values() if t.kind == "edge"]
        result: list[TypeDef] = []
        for label in labels:
            type_def = self.catalog.types.get(label)
            if type_def is None:
                continue
            if type_def.kind != "edge":
                raise SchemaError(f"'{label}' is a {type_def.kind} type, not an edge type")
            result.extend(t for t in type_def.polymorphic if t not in result)
        return result

    def count(self, session: Session, type_def: TypeDef, polymorphic: bool = True) -> int:
        self.check_open()
        targets = type_def.polymorphic if polymorphic else [type_def]
        total = 0
        for target in targets:
            total += session.conn.execute(f"SELECT count(*) FROM {target.table}").fetchone()[0]
        return total

    def truncate(self, session: Session, type_def: TypeDef, polymorphic: bool = False) -> None:
        with self.writing(session, schema=True) as s:
            for target in type_def.polymorphic if polymorphic else [type_def]:
                if target.kind == "vertex":
                    for (pos,) in s.conn.execute(f"SELECT pos FROM {target.table}").fetchall():
                        self._delete(s, target, pos)
                else:
                    s.cursor.execute(f"DELETE FROM {target.table}")

    def find_by_key(self, session: Session, type_def: TypeDef, keys: tuple[str, ...],
                    values: tuple[Any, ...]) -> Iterator[tuple[TypeDef, tuple]]:  # fmt: skip
        """Records of the type (and subtypes) whose properties equal the values."""
        self.check_open()
        where = " AND ".join(f"{field_sql(k)} = ?" for k in keys)
        params = tuple(codec.sql_value(v) for v in values)
        for target in type_def.polymorphic:
            columns = "pos, body, tags" + (", out_rid, in_rid" if target.kind == "edge" else "")
            for row in session.conn.execute(
                f"SELECT {columns} FROM {target.table} WHERE {where}", params
            ):
                yield target, row

    def execute_sql(self, session: Session, sql: str, params: Any = ()) -> apsw.Cursor:
        """Run SQLite SQL built by the storage query compiler (see ``storage.query``)."""
        self.check_open()
        try:
            return session.conn.cursor().execute(sql, params)
        except apsw.Error as exc:
            raise translate_error(exc, self) from exc

    def explain(self, session: Session, sql: str, params: Any = ()) -> list[str]:
        rows = session.conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        return [row[-1] for row in rows]

    # --- bulk writes (async executor) -------------------------------------------------------

    def missing_vertices(self, session: Session, packed: Iterable[int]) -> list[int]:
        """Which of these packed RIDs are not vertices that exist (index seeks by position)."""
        by_bucket: dict[int, set[int]] = {}
        for rid in packed:
            bucket, position = unpack_rid(rid)
            by_bucket.setdefault(bucket, set()).add(position)
        missing: list[int] = []
        for bucket, positions in by_bucket.items():
            type_def = self.catalog.by_id.get(bucket)
            if type_def is None or type_def.kind != "vertex":
                missing.extend(pack_rid(bucket, p) for p in positions)
                continue
            wanted = sorted(positions)
            found: set[int] = set()
            for start in range(0, len(wanted), 10_000):
                part = wanted[start:start + 10_000]
                found.update(row[0] for row in session.cursor.execute(
                    f"SELECT pos FROM {type_def.table} WHERE pos IN ({','.join('?' * len(part))})",
                    part,
                ))  # fmt: skip
            missing.extend(pack_rid(bucket, p) for p in wanted if p not in found)
        return missing

    def begin_write(self, session: Session) -> None:
        """Begin a transaction that writes at once (takes the gate, BEGIN IMMEDIATE)."""
        self.begin(session)
        if not session.write_open:
            try:
                self._open_write(session)
            except BaseException:
                session.depth = 0
                raise

    def savepoint(self, session: Session, name: str) -> None:
        session.cursor.execute(f"SAVEPOINT {name}")

    def release_savepoint(self, session: Session, name: str) -> None:
        session.cursor.execute(f"RELEASE {name}")

    def rollback_to_savepoint(self, session: Session, name: str) -> None:
        session.cursor.execute(f"ROLLBACK TO {name}")

    def update_rows(self, session: Session, type_def: TypeDef, rows: list[tuple]) -> int:
        """Apply (body, tags, pos) updates, many per statement; returns the rows changed."""
        if type_def.unique_elsewhere:
            for row in rows:
                self._check_unique_elsewhere(session, type_def, row[:2])
        before = session.conn.total_changes()
        for start in range(0, len(rows), ROWS_PER_INSERT):
            part = rows[start:start + ROWS_PER_INSERT]
            session.cursor.execute(
                f"UPDATE {type_def.table} SET body = v.column1, tags = v.column2 "
                f"FROM (VALUES {_values_rows(3, len(part))}) AS v "
                f"WHERE {type_def.table}.pos = v.column3",
                list(chain.from_iterable(part)),
            )
        return session.conn.total_changes() - before

    def delete_row(self, session: Session, type_def: TypeDef, position: int) -> None:
        """Delete inside the session's open write transaction (vertex edges included)."""
        self._delete(session, type_def, position)

    def insert_rows(self, session: Session, type_def: TypeDef, rows: list[tuple]) -> int:
        """Insert (body, tags[, out_rid, in_rid]) rows, many per statement.

        Returns the position of the last row; the session must hold the write transaction, so
        the rows got consecutive positions ending there. Multi-row VALUES statements matter:
        APSW releases the GIL around each SQLite step, and one step per row would make the
        writer queue for the GIL once per row behind the producing thread.
        """
        if type_def.unique_elsewhere:
            for row in rows:
                self._check_unique_elsewhere(session, type_def, row[:2])
        width = len(rows[0]) if rows else 2
        columns = "body, tags, out_rid, in_rid" if type_def.kind == "edge" else "body, tags"
        full = len(rows) - len(rows) % ROWS_PER_INSERT
        if full:
            sql = f"INSERT INTO {type_def.table}({columns}) VALUES "
            sql += _values_rows(width, ROWS_PER_INSERT)
            for start in range(0, full, ROWS_PER_INSERT):
                session.cursor.execute(
                    sql, list(chain.from_iterable(rows[start:start + ROWS_PER_INSERT]))
                )
        rest = len(rows) - full
        if rest:
            sql = f"INSERT INTO {type_def.table}({columns}) VALUES {_values_rows(width, rest)}"
            session.cursor.execute(sql, list(chain.from_iterable(rows[full:])))
        return session.conn.last_insert_rowid()

    def insert_json_rows(self, session: Session, type_def: TypeDef, bodies: str, start: int,
                         stop: int) -> int:  # fmt: skip
        """Insert the bodies ``start`` to ``stop - 1`` of a JSON array of plain records (no tags).

        One parameter for a whole batch: SQLite splits the array itself (bulk imports). Only for
        document and vertex types whose rows cannot fail one by one (no unique key). Returns the
        position of the last row, as insert_rows does.
        """
        session.cursor.execute(
            f"INSERT INTO {type_def.table}(body) SELECT value FROM json_each(?) "
            "WHERE key >= ? AND key < ? ORDER BY key",
            (bodies, start, stop),
        )
        return session.conn.last_insert_rowid()

    def constraint_error(self, exc: apsw.ConstraintError, type_def: TypeDef,
                         encoded: tuple[str, str | None] | None = None,
                         position: int | None = None) -> ArcadeDBError:  # fmt: skip
        """Turn SQLite's unique-index failure into DuplicatedKeyError naming index and key."""
        message = str(exc)
        for index in type_def.indexes:
            for target in self.catalog.get(index.type_name).polymorphic:
                if self._sql_index_name(index, target) in message:
                    key: Any = None
                    if encoded is not None:
                        props = codec.decode_record(*encoded)
                        values = [props.get(p) for p in index.properties]
                        key = values[0] if len(values) == 1 else values
                    holder = self._holder(type_def, index, key)
                    return DuplicatedKeyError(
                        f"Duplicated key {key!r} found on index '{index.name}' "
                        f"already assigned to record {holder}",
                        index.name,
                        key,
                    )
        return ArcadeDBError(f"Constraint violated on type '{type_def.name}': {message}")

    def _holder(self, type_def: TypeDef, index: IndexDef, key: Any) -> str:
        values = key if isinstance(key, list) and len(index.properties) > 1 else [key]
        try:
            for target, row in self.find_by_key(
                self.session(), self.catalog.get(index.type_name), index.properties, tuple(values)
            ):
                return str(RID(target.id, row[0]))
        except (ArcadeDBError, apsw.Error):
            pass
        return "?"

    # --- query support ----------------------------------------------------------------------

    def load_many(self, session: Session, rids: list[RID]) -> list[tuple[TypeDef, tuple] | None]:
        """(type, row) for each RID in order (None where missing); one query per bucket."""
        self.check_open()
        if len(rids) < 3:
            return [self.load(session, rid) for rid in rids]
        wanted: dict[int, list[int]] = {}
        for rid in rids:
            wanted.setdefault(rid.bucket_id, []).append(rid.position)
        found: dict[tuple[int, int], tuple[TypeDef, tuple]] = {}
        for bucket, positions in wanted.items():
            type_def = self.catalog.by_id.get(bucket)
            if type_def is None:
                continue
            columns = "pos, body, tags" + (", out_rid, in_rid" if type_def.kind == "edge" else "")
            for row in session.conn.execute(
                f"SELECT {columns} FROM {type_def.table} "
                "WHERE pos IN (SELECT value FROM json_each(?))",
                (codec.dumps(positions),),
            ):
                found[(bucket, row[0])] = (type_def, row)
        return [found.get((rid.bucket_id, rid.position)) for rid in rids]

    def has_edges(self, session: Session, type_def: TypeDef) -> bool:
        """True when some edge touches a vertex of this (vertex) type."""
        return self._has_edges_of_type(session, type_def)

    def indexes_named_in(self, text: str) -> list[str]:
        """The user indexes whose SQLite indexes a query plan line names (for EXPLAIN)."""
        found = []
        for index in self.catalog.indexes.values():
            for target in self.catalog.get(index.type_name).polymorphic:
                if self._sql_index_name(index, target) in text and index.name not in found:
                    found.append(index.name)
        return found


def storage_error(exc: BaseException) -> ArcadeDBError | None:
    """The ArcadeDBError for an exception raised inside SQLite, or None for any other one."""
    if isinstance(exc, apsw.Error):
        return translate_error(exc)
    return None


@lru_cache(maxsize=256)
def _values_rows(width: int, count: int) -> str:
    """``(?,?),(?,?),...``: the parameter rows of a multi-row INSERT or UPDATE ... FROM VALUES."""
    row = "(" + ",".join("?" * width) + ")"
    return ",".join([row] * count)


def _process_alive(pid_text: str) -> bool:
    try:
        os.kill(int(pid_text), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _stable_id(text: str) -> str:
    """A short name for an index that stays the same across reopen."""
    return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()


def _encode_constraints(constraints: dict[str, Any]) -> str:
    """Catalog text of a property's constraints; values JSON lacks (a bytes or Decimal default,
    a date bound) are kept with their codec tags so that they come back as they were set."""
    body, tags = codec.encode_record(constraints)
    return body if tags is None else codec.dumps({"@encoded": [body, tags]})


def _decode_constraints(text: str) -> dict[str, Any]:
    data = codec.loads(text)
    if "@encoded" in data:
        return codec.decode_record(*data["@encoded"])
    return data


def set_constraint(prop: PropertyDef, key: str, value: Any, type_name: str) -> None:
    key = key.lower()
    if key not in CONSTRAINTS:
        raise SchemaError(
            f"Unknown property constraint '{key}' on {type_name}.{prop.name}: expected one of "
            f"{', '.join(CONSTRAINTS)}"
        )
    if key in ("mandatory", "notnull", "readonly"):
        if not isinstance(value, bool):
            raise SchemaError(f"Constraint '{key}' of {type_name}.{prop.name} takes true or false")
    setattr(prop, key, value)


def raise_not_found(rid: RID) -> None:
    raise RecordNotFoundError(f"Record {rid} not found")


def raise_validation(message: str) -> None:
    raise ValidationError(message)


def translate_error(exc: apsw.Error, storage: Storage | None = None) -> ArcadeDBError:
    """Wrap an APSW error in the matching ArcadeDBError."""
    if isinstance(exc, apsw.BusyError):
        return DatabaseLockedError(f"Database is busy: {exc}")
    if isinstance(exc, apsw.ConstraintError):
        return ArcadeDBError(f"Constraint violated: {exc}")
    return ArcadeDBError(f"Storage error: {exc}")
