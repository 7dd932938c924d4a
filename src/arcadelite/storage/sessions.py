"""Sessions and transactions: one connection per thread, the in-process write gate, sync modes.

Every thread gets its own connection (a ``Session``); SQLite admits one writer, and inside this
process writers queue on ``WriteGate`` before ``BEGIN IMMEDIATE`` so they never meet SQLITE_BUSY.
Reads in a transaction that has not written yet run in autocommit (READ COMMITTED); the first
write takes the gate and opens the SQLite transaction (``_open_write``, the one place that opens
a write transaction: ``writing``, ``begin_write`` and the bulk writers all come through it).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import apsw

from ..exceptions import ArcadeDBError, TransactionError
from . import vectors
from .errors import translate_error, translating
from .sqltext import is_identifier
from .state import StorageState

SYNC_MODES = {"no": "OFF", "yes_nometadata": "NORMAL", "yes_full": "FULL"}
CHECKPOINT_PAGES = 1000  # SQLite's default auto-checkpoint size, kept for unsynced sessions too
WRITER_TIMEOUT = 300  # seconds a writer waits for the gate before giving up


class WriteGate:
    """The in-process writer lock: at most one session holds SQLite's write transaction.

    The owner is always known: a release hands the gate to the first waiter (its owner set in
    the same step), so an interrupt (Ctrl-C) landing anywhere in ``acquire`` never leaves the
    gate taken by nobody, and an owner that holds no write transaction can be found and
    released (``SessionsPart.reconcile``). Waiters are served in order.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()  # held for a few steps only, never while waiting
        self._queue: deque[tuple[Any, Session]] = deque()  # (its turn, a locked lock; session)
        self.owner: Session | None = None
        self.waiting = 0

    def acquire(self, session: Session, timeout: float = -1) -> bool:
        with self._mutex:
            if self.owner is None:
                self.owner = session
                return True
            turn = threading.Lock()
            turn.acquire()
            entry = (turn, session)
            self._queue.append(entry)
            self.waiting += 1
        try:
            turn.acquire(True, timeout)  # released by the handing-over release()
        finally:
            with self._mutex:
                self.waiting -= 1
                if entry in self._queue:
                    self._queue.remove(entry)
        return self.owner is session

    def release(self) -> None:
        with self._mutex:
            if self._queue:
                turn, self.owner = self._queue.popleft()
                turn.release()
            else:
                self.owner = None


class Session:
    """One connection and its transaction state; normally one per thread.

    A nested ``begin()`` gives the thread a new session whose ``outer`` is the one it suspends.
    """

    __slots__ = ("conn", "cursor", "depth", "outer", "write_open", "schema_dirty",
                 "sync", "wal", "doomed", "__weakref__")  # fmt: skip

    def __init__(self, conn: apsw.Connection) -> None:
        self.conn = conn
        self.cursor = conn.cursor()
        self.depth = 0
        self.outer: Session | None = None
        self.write_open = False
        self.schema_dirty = False
        self.sync: str | None = None
        self.wal: _WalSize | None = None  # set while the session checkpoints itself
        #: why SQLite rolled back this session's transaction by itself (disk full, I/O error):
        #: until the transaction ends, its writes are refused (see ``SessionsPart.reconcile``)
        self.doomed: str | None = None


class _WalSize:
    """A WAL hook that notes the log's size after each commit (instead of SQLite's own
    auto-checkpoint, which it replaces on that connection)."""

    __slots__ = ("pages",)

    def __init__(self) -> None:
        self.pages = 0

    def __call__(self, conn: apsw.Connection, name: str, pages: int) -> int:
        self.pages = pages
        return apsw.SQLITE_OK


class SessionsPart(StorageState):
    """Sessions and transactions: the first part of ``Storage`` (see state.py)."""

    @translating
    def _new_session(self) -> Session:
        conn = apsw.Connection(
            self.file,
            flags=apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE,
            statementcachesize=256,
        )
        try:
            conn.setbusytimeout(60_000)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.sync_mode}")
            conn.execute("PRAGMA cache_size=-16384")
            conn.execute("PRAGMA temp_store=MEMORY")
            vectors.register_functions(conn)  # the vector indexes' triggers call it
        except BaseException:
            conn.close()
            raise
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

    @contextmanager
    def read_snapshot(self) -> Iterator[Session]:
        """A private session holding one read transaction: every read through it sees the
        database as it was when the first one ran (an export reads a consistent dump)."""
        session = self.new_private_session()
        try:
            session.cursor.execute("BEGIN")
            yield session
        finally:
            try:
                session.cursor.execute("COMMIT")
            except apsw.Error:
                pass  # the snapshot ended with an error already raised
            if not self.closed:
                self.release_session(session)

    def writer(self) -> Session | None:
        """The session that holds the write transaction now, if any."""
        return self.gate.owner

    def writers_waiting(self) -> int:
        """How many sessions wait for the write transaction."""
        return self.gate.waiting

    # --- sync modes ---------------------------------------------------------------------------

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
        session.wal.pages = 0  # type: ignore[union-attr]  # only sessions with a WAL hook get here

    def pragma(self, session: Session, name: str) -> Any:
        """Read a pragma's value on a session's connection (diagnostics and tests)."""
        if not is_identifier(name):
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
        if session.doomed is not None:
            cause = session.doomed
            self._abort(session)
            raise _doomed_error(cause, "nothing of it was committed")
        try:
            if session.write_open:
                self._end_sqlite_tx(session, "COMMIT")
        except apsw.Error as exc:
            self._abort(session)
            raise translate_error(exc, self, rolled_back=True) from exc
        except BaseException:  # Ctrl-C: the transaction ends either way (committed or not)
            self._abort(session)
            raise
        try:
            if session.wal is not None and session.wal.pages >= CHECKPOINT_PAGES:
                self._checkpoint_synced(session)
        finally:
            session.depth = 0
            session.schema_dirty = False
            self._resume_outer(session)

    def rollback(self, session: Session) -> None:
        if session.depth == 0 or self.closed:
            session.depth = 0
            session.doomed = None
            return
        self._abort(session)

    def _abort(self, session: Session) -> None:
        try:
            if session.write_open or session.conn.in_transaction:
                self._end_sqlite_tx(session, "ROLLBACK")
        finally:
            session.depth = 0
            session.doomed = None
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
            if verb == "COMMIT" or session.conn.in_transaction:  # SQLite may have rolled back
                session.cursor.execute(verb)
        finally:
            if verb == "ROLLBACK" or not session.conn.in_transaction:
                session.write_open = False
                if self.gate.owner is session:
                    self.gate.release()

    def reconcile(self, session: Session) -> bool:
        """Make the session agree with SQLite, which is the truth about transactions.

        SQLite rolls a write transaction back by itself on a full disk, an I/O error or
        exhausted memory; an interrupt (Ctrl-C) can land between ``BEGIN IMMEDIATE`` and the
        bookkeeping after it. Run after any error of a write and before opening one: a write
        transaction SQLite ended dooms the session's transaction (its writes are refused until
        it ends) and returns True; a transaction SQLite holds that the session does not know of
        is rolled back; the writer lock held by a session without a write transaction is
        released.
        """
        try:
            in_sqlite = session.conn.in_transaction
        except apsw.Error:  # a closed connection holds nothing
            in_sqlite = False
        lost = False
        if session.write_open and not in_sqlite:
            session.write_open = False
            lost = True
            if session.depth and session.doomed is None:
                session.doomed = "it ended after an error"
        elif in_sqlite and not (session.write_open and session.depth):
            try:
                session.cursor.execute("ROLLBACK")
            except apsw.Error:
                pass  # nothing more can be done here; the next BEGIN will say so
            session.write_open = False
        if not session.write_open and self.gate.owner is session:
            self.gate.release()
        return lost

    def failed(self, session: Session, exc: apsw.Error, type_def: Any = None,
               encoded: tuple[str, str | None] | None = None) -> ArcadeDBError:  # fmt: skip
        """The ArcadeDBError for a SQLite error of a write, once the session agrees with SQLite
        (``reconcile``): if SQLite rolled the transaction back, it is doomed, and the error says
        so."""
        lost = self.reconcile(session)
        error = translate_error(exc, self, type_def, encoded,
                                rolled_back=lost if lost or session.write_open else None)  # fmt: skip
        if lost and session.depth:
            session.doomed = f"{type(error).__name__}: {error}"
        return error

    def transaction_lost(self, session: Session) -> bool:
        """After an error of a bulk writer: True when SQLite rolled its write transaction back
        (the session is then reset: no transaction, the writer lock released)."""
        if not self.reconcile(session) and session.doomed is None:
            return False
        session.depth = 0
        session.doomed = None
        return True

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
        self.reconcile(session)  # what an interrupted write may have left behind
        try:
            if not self.gate.acquire(session, timeout=WRITER_TIMEOUT):
                raise TransactionError(
                    f"Timed out after {WRITER_TIMEOUT} s waiting for the database writer lock"
                )
            if self._sync_pending and session in self._sync_pending:
                self._apply_sync(session)
            session.cursor.execute("BEGIN IMMEDIATE")
            session.write_open = True
        except BaseException as exc:
            # Whatever stopped it (an error, Ctrl-C right after BEGIN returned), the caller was
            # told no write transaction started: make it so, and let the writer lock go.
            session.write_open = False
            self.reconcile(session)
            if isinstance(exc, apsw.Error):
                raise translate_error(exc, self) from exc
            raise

    @contextmanager
    def writing(self, session: Session, schema: bool = False) -> Iterator[Session]:
        """Run a write inside the session's transaction, or in one of its own when allowed.

        Record writes outside a transaction need auto-transaction; schema changes never do.
        """
        if self.closed:
            raise self.closed_error()
        if session.depth:
            if session.doomed is not None:
                raise _doomed_error(session.doomed, "this write was not made")
            if not session.write_open:
                self._open_write(session)
            if not schema:
                try:
                    yield session
                except apsw.Error as exc:
                    raise self.failed(session, exc) from exc
                except BaseException:
                    self.reconcile(session)
                    raise
                return
            # A schema change is several statements: inside a transaction it gets a savepoint,
            # so that a failed one (e.g. a unique index over duplicates) leaves nothing behind.
            session.schema_dirty = True
            session.cursor.execute("SAVEPOINT al_schema_op")
            try:
                yield session
            except BaseException as exc:
                error = self.failed(session, exc) if isinstance(exc, apsw.Error) else None
                if session.write_open and not self.reconcile(session):
                    session.cursor.execute("ROLLBACK TO al_schema_op; RELEASE al_schema_op")
                self._load_catalog()
                if error is not None:
                    raise error from exc
                raise
            session.cursor.execute("RELEASE al_schema_op")
            return
        if not (schema or self.auto_transaction):
            raise TransactionError(
                "This write needs a transaction: wrap it in `with db.transaction():` "
                "or call db.set_auto_transaction(True)"
            )
        self._open_write(session)
        try:
            session.depth = 1
            if schema:
                session.schema_dirty = True
            yield session
        except apsw.Error as exc:
            error = self.failed(session, exc)
            self._abort(session)
            raise error from exc
        except BaseException:
            self._abort(session)
            raise
        else:
            self.commit(session)

    def begin_write(self, session: Session) -> None:
        """Begin a transaction that writes at once (takes the gate, BEGIN IMMEDIATE)."""
        self.begin(session)
        if not session.write_open:
            try:
                self._open_write(session)
            except BaseException:
                session.depth = 0
                raise

    def _in_write(self, session: Session, action: Any, *args: Any) -> Any:
        """Run ``action(session, *args)`` inside a write transaction (see ``writing``)."""
        if session.write_open and session.depth and not self.closed:
            try:
                return action(session, *args)
            except apsw.Error as exc:
                raise self.failed(session, exc) from exc
            except BaseException:
                self.reconcile(session)
                raise
        with self.writing(session) as s:
            return action(s, *args)

    def savepoint(self, session: Session, name: str) -> None:
        session.cursor.execute(f"SAVEPOINT {name}")

    def release_savepoint(self, session: Session, name: str) -> None:
        session.cursor.execute(f"RELEASE {name}")

    def rollback_to_savepoint(self, session: Session, name: str) -> None:
        session.cursor.execute(f"ROLLBACK TO {name}")


def _doomed_error(cause: str, what: str) -> TransactionError:
    return TransactionError(
        f"This transaction was rolled back by SQLite ({cause}), so {what}: leave the "
        "transaction block (or call rollback()) and run it again"
    )
