"""HTTP transaction sessions (``arcadedb-session-id``), each on a thread of its own.

arcadelite's transactions belong to a thread, while a session's requests arrive on any connection
at any time. So every session owns one worker thread: ``begin`` starts the thread and the
transaction on it, each request of the session runs there in arrival order, ``commit`` or
``rollback`` ends both. A session idle for longer than its timeout is rolled back and forgotten;
its later requests get 404 like any unknown session.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from .errors import HttpError, session_gone

_STOP = object()


class Session:
    """One open transaction and the thread that runs its requests."""

    def __init__(self, manager: SessionManager, db: Any, db_name: str, user: str) -> None:
        self.id = f"AS-{uuid.uuid4()}"
        self.db = db
        self.db_name = db_name
        self.user = user
        self._manager = manager
        self._tasks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False  # guarded by manager._lock
        self._thread = threading.Thread(target=self._run, name=f"arcadelite-{self.id}", daemon=True)

    def start(self) -> Future:
        self._thread.start()
        return self.submit(self.db.begin)

    def submit(self, work: Callable[[], Any], last: bool = False) -> Future:
        future: Future = Future()
        self._tasks.put((work, future, last))
        return future

    def _run(self) -> None:
        timeout = self._manager.idle_timeout
        while True:
            try:
                item = self._tasks.get(timeout=timeout)
            except queue.Empty:
                if self._manager._expire(self):
                    self._roll_back()
                    return
                continue
            if item is _STOP:
                self._roll_back()
                return
            work, future, last = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(work())
                except BaseException as exc:
                    future.set_exception(exc)
            if last:  # committed or rolled back: whatever is left open goes, the thread ends
                self._roll_back()
                return

    def _roll_back(self) -> None:
        """Leave nothing open on this thread (idle expiry, server stop, failed commit)."""
        try:
            while self.db.is_open() and self.db.is_transaction_active():
                self.db.rollback()
        except Exception:
            pass
        self._drain()

    def _drain(self) -> None:
        while True:
            try:
                item = self._tasks.get_nowait()
            except queue.Empty:
                return
            if item is not _STOP:
                item[1].set_exception(session_gone(self.id))

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)


class SessionManager:
    """Creates, finds, expires and ends sessions (at most ``max_sessions`` at once)."""

    def __init__(self, idle_timeout: float, max_sessions: int) -> None:
        self.idle_timeout = idle_timeout
        self.max_sessions = max_sessions
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def begin(self, db: Any, db_name: str, user: str) -> tuple[Session, Future]:
        session = Session(self, db, db_name, user)
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                raise HttpError(503, "Cannot begin a transaction",
                                f"Too many open sessions ({self.max_sessions}): commit or roll "
                                "back open transactions first")  # fmt: skip
            self._sessions[session.id] = session
        return session, session.start()

    def submit(self, session_id: str, db_name: str, user: str, work: Callable[[], Any],
               last: bool = False) -> Future:  # fmt: skip
        """Queue ``work`` on the session's thread; ``last`` ends the session after it."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or session.db_name != db_name or session.user != user:
                raise session_gone(session_id)
            if last:
                session._closed = True
                del self._sessions[session_id]
            return session.submit(work, last)

    def _expire(self, session: Session) -> bool:
        """Called by an idle session's thread: True when it is now closed."""
        with self._lock:
            if not session._tasks.empty():
                return False
            session._closed = True
            self._sessions.pop(session.id, None)
            return True

    def count(self) -> int:
        with self._lock:
            return len(self._sessions)

    def close_all(self, timeout: float = 10.0) -> None:
        """Roll back every open session and wait for their threads (server stop)."""
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
            for session in sessions:
                session._closed = True
                session._tasks.put(_STOP)
        deadline = time.monotonic() + timeout
        for session in sessions:
            session.join(max(0.0, deadline - time.monotonic()))
