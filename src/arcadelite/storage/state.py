"""The state of an open database that every part of ``Storage`` reads.

``Storage`` (engine.py) is built from one class per concern, each extending the one before:
``SessionsPart`` (sessions.py) < ``RecordsPart`` (records.py) < ``SchemaPart`` (ddl.py) <
``Storage``. This base declares what ``Storage.__init__`` sets, so that each part can be read
(and type-checked) on its own.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import TYPE_CHECKING

from ..exceptions import DatabaseClosedError, DatabaseForkedError

if TYPE_CHECKING:
    from .catalog import Catalog
    from .files import FolderLock
    from .sessions import Session, WriteGate


class StorageState:
    """What an open database holds (see ``Storage.__init__``)."""

    folder: str  #: the database folder (absolute)
    file: str  #: its SQLite file
    catalog: Catalog  #: types, properties, indexes (rebuilt after every schema change)
    gate: WriteGate  #: the in-process writer lock
    auto_transaction: bool  #: a write outside a transaction commits by itself
    sync_mode: str  #: the ``synchronous`` pragma of the database's commits
    closed: bool  #: True once closed (read on hot paths: a plain attribute)
    main: Session  #: the opening thread's session
    _local: threading.local  #: the session of each thread
    _sessions: weakref.WeakSet[Session]  #: every open session (closed with the database)
    _sessions_lock: threading.Lock
    _sync_pending: weakref.WeakSet[Session]  #: sessions whose sync mode changes at their next write
    _files: FolderLock

    #: the pid of the process that opened it, when this is a forked child of that process
    forked_from: int | None = None

    def check_open(self) -> None:
        if self.closed:
            raise self.closed_error()

    def closed_error(self) -> DatabaseClosedError:
        """Why this storage cannot be used: closed, or inherited through fork()."""
        if self.forked_from is not None:
            return DatabaseForkedError(
                f"Database '{self.folder}' was opened by process {self.forked_from}; this is a "
                f"forked child (pid {os.getpid()}): SQLite connections cannot cross fork(). "
                "Open the database in the child instead, once the parent has closed it"
            )
        return DatabaseClosedError(f"Database '{self.folder}' is closed")

    def _load_catalog(self) -> None:
        """Read the catalog tables into ``catalog`` (the schema part implements it)."""
        raise NotImplementedError


__all__ = ["StorageState"]
