"""The storage engine: one SQLite file (WAL) per database folder, reached only through APSW.

``Storage`` is one object built from one part per concern, each extending the one before: its
state (state.py), sessions, transactions and the write gate (sessions.py), records, edges and
scans (records.py), the catalog and schema changes (ddl.py); files and locks are files.py's, and
errors leave it as ArcadeDBErrors (errors.py). This module opens, closes and drops it.
"""

from __future__ import annotations

import os
import shutil
import threading
import weakref

import apsw

from ..exceptions import ArcadeDBError
from . import files
from .catalog import Catalog
from .ddl import SchemaPart
from .sessions import Session, WriteGate


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
            self.closed = True
            with self._sessions_lock:
                for session in list(self._sessions):
                    session.conn.close()
            self._files.release()
            if isinstance(exc, apsw.Error):
                raise ArcadeDBError(
                    f"Cannot open database '{self.folder}': {exc} (not an arcadelite database, "
                    "or its creation was interrupted)"
                ) from exc
            raise

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

    def drop(self) -> None:
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)


__all__ = ["Storage"]
