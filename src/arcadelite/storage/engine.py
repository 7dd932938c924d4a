"""The storage engine: one SQLite file (WAL) per database folder, reached only through APSW.

``Storage`` is one object built from one part per concern, each extending the one before: its
state (state.py), sessions, transactions and the write gate (sessions.py), records, edges and
scans (records.py), the catalog and schema changes (ddl.py); files and locks are files.py's, and
errors leave it as ArcadeDBErrors (errors.py). This module opens, closes and drops it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import weakref

import apsw

from ..exceptions import ArcadeDBError
from . import files
from .catalog import Catalog
from .ddl import SchemaPart
from .errors import os_error, translate_error
from .sessions import Session, WriteGate

#: In a forked child, the parent's SQLite connections: kept, never closed or freed here (a close
#: in the child could checkpoint or delete the WAL under the parent's feet).
_INHERITED: list[apsw.Connection] = []


class Storage(SchemaPart):
    """A database folder opened by this process."""

    def __init__(self, folder: str, create: bool) -> None:
        self.folder = os.path.abspath(folder)
        self.file = files.database_file(self.folder)
        self.catalog = Catalog()
        self.gate = WriteGate()
        self.auto_transaction = False
        self.sync_mode = "NORMAL"
        self._local = threading.local()
        self._sessions: weakref.WeakSet[Session] = weakref.WeakSet()
        self._sessions_lock = threading.Lock()
        self._sync_pending: weakref.WeakSet[Session] = weakref.WeakSet()
        self.closed = False  #: True once closed (read on hot paths: a plain attribute)
        self._opened_by = os.getpid()
        self._files = files.FolderLock(self.folder)
        self._files.register(self, create)
        try:
            self._files.lock()
            if create:
                os.makedirs(self.folder, exist_ok=True)
            self.main = self._new_session()
            self._local.session = self.main
            if create:
                self._create_catalog()
            self._load_catalog()
            if not create:  # a bulk load that crashed left adjacency indexes to build
                self.restore_edge_indexes(self.main)
        except BaseException as exc:
            what = "creating the database" if create else "opening the database"
            error: BaseException = exc  # (translated before the cleanup frees any space)
            if isinstance(exc, OSError):
                error = os_error(exc, self.folder, what)
            elif isinstance(exc, (apsw.FullError, apsw.ReadOnlyError, apsw.CorruptError,
                                  apsw.NotADBError, apsw.IOError)):  # fmt: skip
                error = translate_error(exc, self)
            elif isinstance(exc, apsw.Error):
                error = ArcadeDBError(
                    f"Cannot open database '{self.folder}': {exc} (not an arcadelite database, "
                    "or its creation was interrupted)"
                )
            self.closed = True
            with self._sessions_lock:
                for session in list(self._sessions):
                    session.conn.close()
            self._files.release()
            if create:
                self._files.remove_created()
            if error is exc:
                raise
            raise error from exc

    # --- lifecycle --------------------------------------------------------------------------

    @staticmethod
    def exists(folder: str) -> bool:
        return files.exists(folder)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with self._sessions_lock:
            sessions = list(self._sessions)
        for session in sessions:
            try:
                if session.write_open:
                    session.conn.execute("ROLLBACK")
                self._close_connection(session)
            except apsw.Error:
                pass
        self._files.release()

    def inherited_by_fork(self) -> None:
        """In a forked child (files.py's fork hook): unusable, with an error that says why;
        nothing of the parent's is touched — no ROLLBACK, no close of its SQLite connections
        (SQLite's own locks are the parent's), no unlock of its folder lock."""
        self.forked_from = self._opened_by
        self.closed = True
        self._files.abandon()
        with contextlib.suppress(Exception):
            connections = [session.conn for session in list(self._sessions)]
            _INHERITED.extend(connections)
            import ctypes  # one reference more each: not freed even when the child's

            for conn in connections:  # interpreter clears its modules at exit
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(conn))

    def drop(self) -> None:
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)


__all__ = ["Storage"]
