"""The AsyncExecutor: bulk writes that are fast, bounded in memory, and exact.

How it works. ``create_record`` and friends validate and encode the record in the caller's
thread (a snapshot: later changes to the object do not leak in) and append the operation to one
bounded FIFO queue. Worker threads (``set_parallel_level``, default 4) take turns as SQLite's one
writer: the worker holding the write token takes up to ``CHUNK`` operations, writes them with one
multi-row ``INSERT`` per run of same-type creates under a savepoint, and keeps the transaction open
until ``commit_every`` operations are in it. If a chunk hits a failure (a duplicate key, say), the
savepoint is rolled back and the chunk replayed one operation at a time: only the culprits fail,
their neighbours commit. Success callbacks fire after the commit that made the operation durable.
Under the GIL the producer hands the interpreter to the writer once per chunk (``_hand_over``),
and records that nobody but the executor references are not kept until commit (``_give_rids``):
both keep the cyclic garbage collector from traversing a large backlog again and again.

Precisely:

- Every submitted operation ends committed or failed. A failure goes to the operation's
  ``error_callback``, else the executor's ``on_error`` hook, else it is kept and
  ``wait_completion()`` (or ``close()``) raises ``AsyncExecutionError`` listing them.
- ``set_commit_every(n)``: no transaction holds more than n operations. ``0`` commits at
  ``wait_completion()``/``close()``, or earlier only when another thread of this process is
  waiting to write (otherwise it would wait forever).
- The queue is bounded (``QUEUE_CAPACITY``): a producer blocks when it is full. With back-pressure
  p > 0 the producer is slowed from p% full on, by waits that grow with the excess (at most
  ``MAX_THROTTLE_WAIT`` each).
- A thread holding an open write transaction cannot wait for the executor (the workers need the
  writer lock it holds): ``wait_completion()`` then raises ``TransactionError`` at once, and a
  submission that would block on a full queue raises too. Commit or roll back first.
- Operations on the same record apply in submission order (one FIFO, one writer at a time).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..exceptions import (
    ArcadeDBError,
    AsyncCallbackError,
    AsyncExecutionError,
    DatabaseClosedError,
    TransactionError,
)
from ..model.records import Document
from ..storage import SYNC_MODES
from ..storage.codec import encode_record, fast_encode
from .operations import CREATE, DELETE, FAILED, STATEMENT, UPDATE, edge_ends
from .writing import ChunkWriting, running_user_code

if TYPE_CHECKING:
    from ..database import Database
    from ..model.results import ResultSet

QUEUE_CAPACITY = 16_384
CHUNK = 2_000
MAX_THROTTLE_WAIT = 0.002
HANDOVER_WAIT = 0.002
IDLE_POLL = 0.05
START_GRACE = 1.0  # a worker not running this long after start() was interrupted never will


class AsyncExecutor(ChunkWriting):
    """Asynchronous, batched writes (and queries) on worker threads; see the module docstring."""

    def __init__(self, db: Database, *, inline: bool = False) -> None:
        """``inline=True`` (for single-threaded bulk loaders such as the importer): no worker
        threads; each chunk is written by the submitting thread as it fills, with the same
        batching, failure isolation and callbacks. It saves the thread hand-offs, which under
        the GIL only cost when nothing else runs meanwhile."""
        self._db = db
        self._inline = inline
        self._storage = db._live_storage()
        self._parallel = 4
        self._commit_every = 10_000
        self._back_pressure = 0
        self._use_wal = True
        self._sync_mode: str | None = None
        self._capacity = QUEUE_CAPACITY
        self._soft_limit = QUEUE_CAPACITY
        # create_record's hot path appends below this depth (0: not started); past it the
        # producer hands the GIL over to the writer (_hand_over) or is throttled
        self._fast_limit = 0
        self._queue: deque[Any] = deque()
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._space = threading.Condition(self._lock)
        self._done = threading.Condition(self._lock)
        self._token = threading.Lock()
        self._token_wanted = False  # a waiting caller needs the token (_restore_deferred)
        self._sleeping = False
        self._producers_waiting = 0
        self._flush_waiters = 0
        self._workers: list[threading.Thread] = []  # the current workers, one per level
        self._threads: list[threading.Thread] = []  # every worker ever started (to join)
        self._start_times: dict[threading.Thread, float] = {}
        self._entered: set[threading.Thread] = set()  # workers that ran (maintained by them)
        self._exited: set[threading.Thread] = set()
        self._worker_idents: set[int] = set()
        self._session: Any = None
        self._settings_dirty = True
        self._closed = False
        self._stopping = False
        # Accounting (under _lock): taken by workers, completed = committed + failed.
        self._taken = 0
        self._completed = 0
        self._committed = 0
        self._failed = 0
        self._commits = 0
        self._started_at: float | None = None
        self._init_writing()  # the open transaction's state (writing.py)
        self._init_deferral()
        self._unreported: list[tuple[Any, BaseException]] = []
        self._on_ok: Callable[[int], Any] | None = None
        self._on_error: Callable[[BaseException], Any] | None = None
        self._progress = False
        self._progress_bar: Any = None
        self._progress_total: int | None = None
        self._progress_desc = "Committed"
        _EXECUTORS.add(self)

    # --- configuration (each returns self) ---------------------------------------------------

    def set_parallel_level(self, level: int) -> AsyncExecutor:
        """Number of worker threads, 1..16. They take turns as SQLite's single writer."""
        _check_int("parallel level", level, 1, 16)
        with self._lock:
            self._parallel = level
            if self._workers and not self._inline:
                self._spawn_workers()
            self._work.notify_all()
        return self

    def set_commit_every(self, count: int) -> AsyncExecutor:
        """Commit every ``count`` operations; 0 commits only at wait_completion()/close()."""
        _check_int("commit_every", count, 0, None)
        self._commit_every = count
        return self

    def set_back_pressure(self, threshold: int) -> AsyncExecutor:
        """Slow the producer once the queue is ``threshold``% full (0 = block only when full)."""
        _check_int("back-pressure", threshold, 0, 100)
        self._back_pressure = threshold
        self._soft_limit = (
            self._capacity if threshold == 0 else max(1, self._capacity * threshold // 100)
        )
        if self._fast_limit and not self._inline:
            self._fast_limit = min(self._soft_limit, CHUNK)
        return self

    def set_transaction_use_wal(self, enabled: bool) -> AsyncExecutor:
        """False: the executor's commits skip fsync. A process crash loses nothing; a power cut
        may lose its recent commits but not the file (its checkpoints keep the database's
        sync mode; docs/reliability.md)."""
        if not isinstance(enabled, bool):
            raise TypeError(f"set_transaction_use_wal takes a bool, got {type(enabled).__name__}")
        self._use_wal = enabled
        self._settings_dirty = True
        return self

    def set_transaction_sync(self, mode: str) -> AsyncExecutor:
        """fsync policy of the executor's commits: "no", "yes_nometadata" or "yes_full"."""
        if mode not in SYNC_MODES:
            raise ValueError(f"transaction sync must be one of {', '.join(SYNC_MODES)}, got {mode!r}")
        self._sync_mode = mode
        self._settings_dirty = True
        return self

    def set_progress(self, enabled: bool = True, total: int | None = None,
                     desc: str = "Committed") -> AsyncExecutor:  # fmt: skip
        """Show a tqdm bar counting committed operations."""
        self._progress = bool(enabled)
        self._progress_total = total
        self._progress_desc = desc
        return self

    def on_ok(self, callback: Callable[[int], Any]) -> AsyncExecutor:
        """Call ``callback(n)`` after each commit, with the number of operations it committed."""
        self._on_ok = callback
        return self

    def on_error(self, callback: Callable[[BaseException], Any]) -> AsyncExecutor:
        """Call ``callback(exc)`` for each failure that has no per-operation error callback."""
        self._on_error = callback
        return self

    def get_parallel_level(self) -> int:
        return self._parallel

    def get_commit_every(self) -> int:
        return self._commit_every

    def get_back_pressure(self) -> int:
        return self._back_pressure

    def is_transaction_use_wal(self) -> bool:
        return self._use_wal

    # --- operations ---------------------------------------------------------------------------

    def create_record(self, record: Document, callback: Callable | None = None,
                      error_callback: Callable | None = None) -> None:  # fmt: skip
        """Schedule the creation of a new (unsaved) Document, Vertex or Edge."""
        if self._closed:
            self._raise_closed()
        if not isinstance(record, Document):
            raise TypeError(f"create_record expects a Document, Vertex or Edge, got {record!r}")
        type_def = record._type
        if (  # the hot path of bulk loads: a plain record of a type with no declared properties
            record._rid is None
            and not type_def.checked
            and self._storage.catalog.by_id.get(type_def.id) is type_def
        ):
            props = record._props
            encoded: tuple[str, str | None] | None = fast_encode(props) if props else _NO_PROPS
            ends = None
            if type_def.kind == "edge":  # its ends are checked when written (missing_vertices)
                ends = (record._out, record._in)  # type: ignore[attr-defined]  # an edge type's records are Edges
                if ends[0] is None or ends[1] is None:
                    encoded = None  # the slow path reports it
            if encoded is not None:
                queue = self._queue
                if len(queue) < self._fast_limit:
                    queue.append((CREATE, record, callback, error_callback, type_def, encoded,
                                  ends))  # fmt: skip
                    if self._sleeping:
                        self._wake()
                    return
        if record._rid is not None:
            raise ArcadeDBError(
                f"Record {record._rid} is already saved: use update_record() to change it"
            )
        try:
            type_def = record._type
            if self._storage.catalog.by_id.get(type_def.id) is not type_def:
                type_def = self._db._current_type(record)
            ends = None
            if type_def.kind == "edge":
                ends = edge_ends(record)  # type: ignore[arg-type]  # an edge type's records are Edges
            if type_def.checked:
                props, encoded = self._storage.prepare(type_def, record._props)
                record._props = props
            else:
                encoded = encode_record(record._props)
            op: tuple = (CREATE, record, callback, error_callback, type_def, encoded, ends)
        except ArcadeDBError as exc:
            if isinstance(exc, DatabaseClosedError):
                raise
            op = (FAILED, record, callback, error_callback, exc, CREATE)
        self._submit(op)

    def update_record(self, record: Document, callback: Callable | None = None,
                      error_callback: Callable | None = None) -> None:  # fmt: skip
        """Schedule an update of a record (a mutable one, e.g. from ``.modify()``)."""
        if self._closed:
            self._raise_closed()
        if not isinstance(record, Document):
            raise TypeError(f"update_record expects a Document, Vertex or Edge, got {record!r}")
        try:
            type_def = self._db._current_type(record)
            if any(p.readonly for p in type_def.all_properties.values()):
                payload: Any = None  # validated against the stored state at write time
                snapshot = dict(record._props)
            else:
                props, payload = self._storage.prepare(type_def, record._props, {})
                record._props = props
                snapshot = None
            op: tuple = (UPDATE, record, callback, error_callback, type_def, payload, snapshot)
        except ArcadeDBError as exc:
            if isinstance(exc, DatabaseClosedError):
                raise
            op = (FAILED, record, callback, error_callback, exc, UPDATE)
        self._submit(op)

    def delete_record(self, record: Document, callback: Callable | None = None,
                      error_callback: Callable | None = None) -> None:  # fmt: skip
        """Schedule the deletion of a record (a vertex takes its edges with it)."""
        if self._closed:
            self._raise_closed()
        if not isinstance(record, Document):
            raise TypeError(f"delete_record expects a Document, Vertex or Edge, got {record!r}")
        try:
            op: tuple = (DELETE, record, callback, error_callback, self._db._current_type(record))
        except ArcadeDBError as exc:
            if isinstance(exc, DatabaseClosedError):
                raise
            op = (FAILED, record, callback, error_callback, exc, DELETE)
        self._submit(op)

    def query(self, language: str, query: str, callback: Callable[[ResultSet], Any],
              **params: Any) -> None:  # fmt: skip
        """Run a read query on a worker; ``callback(resultset)`` receives the rows."""
        self._submit_statement(True, language, query, callback, params)

    def command(self, language: str, command: str, callback: Callable[[ResultSet], Any] | None = None,
                **params: Any) -> None:  # fmt: skip
        """Run any statement on a worker, in order with the record operations."""
        self._submit_statement(False, language, command, callback, params)

    def _submit_statement(self, read_only: bool, language: str, text: str,
                          callback: Callable | None, params: dict[str, Any]) -> None:  # fmt: skip
        if self._closed:
            self._raise_closed()
        if not isinstance(language, str) or not isinstance(text, str):
            raise TypeError("language and statement must be strings")
        if read_only and not callable(callback):
            raise TypeError("query() needs a callback that receives the ResultSet")
        error_callback = params.pop("error_callback", None)
        self._submit((STATEMENT, text, callback, error_callback, language, params, read_only))

    # --- queue --------------------------------------------------------------------------------

    def _submit(self, op: Any) -> None:
        queue = self._queue
        if self._inline:
            queue.append(op)
            if self._started_at is None:
                self._start()
            if len(queue) >= CHUNK:
                self._drain_inline(final=False)
            return
        if len(queue) >= self._soft_limit:
            self._throttle()
        queue.append(op)
        if len(self._workers) < self._parallel or self._session is None:
            self._ensure_workers()
        if self._sleeping:
            self._wake()
        elif len(queue) >= self._fast_limit:
            self._hand_over()

    def _hand_over(self) -> None:
        """A chunk more queued since the worker last took one: wait (briefly) until it takes it.

        Under the GIL a busy producer keeps the writer waiting for the interpreter up to the
        switch interval (5 ms, ~5,000 submissions) each time it returns from SQLite; the
        backlog then outlives the GC's young generations and every record in it is traversed
        again by full collections. Blocking here hands the GIL over at once; the writer takes
        the next chunk and the producer goes on while SQLite writes it. The wait is capped so a
        writer held up elsewhere (another transaction, a slow callback) costs little.
        """
        if threading.get_ident() not in self._worker_idents and not self._holds_writer():
            with self._lock:
                if len(self._queue) >= CHUNK and not self._sleeping and not self._closed:
                    self._producers_waiting += 1
                    try:
                        self._space.wait(HANDOVER_WAIT)
                    finally:
                        self._producers_waiting -= 1
        self._fast_limit = min(self._soft_limit, len(self._queue) + CHUNK)

    def _holds_writer(self) -> bool:
        """True when the calling thread holds SQLite's write lock (the workers need it)."""
        holder = self._storage.writer()
        return holder is not None and holder is self._storage.thread_session_if_any()

    def _wake(self) -> None:
        """Wake the idle worker once (it reads as sleeping until it runs again)."""
        with self._lock:
            if self._sleeping:
                self._sleeping = False
                self._work.notify()

    def _throttle(self) -> None:
        """Slow (past the back-pressure mark) or block (full queue) the producer."""
        if threading.get_ident() in self._worker_idents:
            return  # a callback submitting more work must not wait for itself
        if len(self._workers) < self._parallel or self._session is None:
            self._ensure_workers()
        holds_writer = self._holds_writer()
        with self._lock:
            self._producers_waiting += 1
            try:
                depth = len(self._queue)
                if depth >= self._capacity:
                    if holds_writer:
                        raise TransactionError(
                            "The async queue is full and this thread holds an open write "
                            "transaction the workers are waiting for: commit or roll back first"
                        )
                    while len(self._queue) >= self._capacity and not self._closed:
                        self._space.wait(0.1)
                elif depth >= self._soft_limit and self._back_pressure:
                    span = max(1, self._capacity - self._soft_limit)
                    self._space.wait(MAX_THROTTLE_WAIT * (depth - self._soft_limit + 1) / span)
            finally:
                self._producers_waiting -= 1

    def _start(self) -> None:
        with self._lock:
            self._start_locked()

    def _start_locked(self) -> None:
        """Start (caller holds _lock): the private session, then the workers."""
        if self._closed:
            return
        if self._started_at is None:
            self._started_at = time.perf_counter()
        if self._session is None:
            self._session = self._storage.new_private_session()
        if self._inline:
            self._fast_limit = CHUNK - 1  # the CHUNK-th submission goes on to write
            return
        self._fast_limit = min(self._soft_limit, CHUNK)
        self._spawn_workers()

    def _spawn_workers(self) -> None:
        """Start the missing workers (caller holds _lock). Each thread is recorded before it
        starts: a KeyboardInterrupt landing in ``start()`` leaves no worker unknown."""
        alive = [t for t in self._workers if not self._worker_gone(t)]
        for index in range(len(alive), self._parallel):
            thread = threading.Thread(
                target=self._worker_main, args=(index,), name=f"arcadelite-async-{index}",
                daemon=True,
            )  # fmt: skip
            alive.append(thread)
            self._workers = alive
            self._threads.append(thread)
            self._start_times[thread] = time.monotonic()
            thread.start()
        self._workers = alive

    def _worker_gone(self, thread: threading.Thread) -> bool:
        """True when a worker thread ended, or never ran: its ``start()`` was interrupted before
        the thread existed (it would be running a second after)."""
        if thread in self._exited:
            return True
        if thread.is_alive() or thread in self._entered:
            return False
        return time.monotonic() - self._start_times.get(thread, 0.0) > START_GRACE

    def _ensure_workers(self) -> None:
        """With work pending and the executor open, (re)start missing workers: a Ctrl-C while
        the workers started, or a worker that died, must not leave work behind for good."""
        with self._lock:
            if not self._closed and not self._stopping and not self._inline:
                if self._session is None or any(map(self._worker_gone, self._workers)) or (
                    len(self._workers) < self._parallel
                ):
                    self._start_locked()

    # --- worker side --------------------------------------------------------------------------

    def _worker_main(self, index: int) -> None:
        me = threading.current_thread()
        self._entered.add(me)
        self._worker_idents.add(threading.get_ident())
        try:
            while True:
                if self._token_wanted:  # another thread waits to build indexes: let it in
                    time.sleep(0.001)
                    continue
                with self._token:
                    if self._session is None:  # stopped before this worker first ran
                        return
                    if index >= self._parallel or (self._stopping and self._drained()):
                        if self._tx_count and self._stopping:
                            self._commit()
                        return
                    self._step()
        finally:
            self._worker_idents.discard(threading.get_ident())
            self._exited.add(me)

    def _drained(self) -> bool:
        return not self._queue and not self._tx_count

    def _step(self) -> None:
        """One unit of work: a chunk, a commit, or a short idle wait (holding the token)."""
        with self._lock:
            if not self._queue:
                # An open transaction may hold no operation (every one of its chunk failed):
                # it still holds the writer lock, so it must be committed like any other.
                open_tx = self._tx_count or self._session.write_open
                if open_tx and (
                    self._flush_waiters or self._stopping or self._storage.writers_waiting()
                ):
                    commit_now = True
                else:
                    if self._stopping:
                        return
                    self._sleeping = True
                    if not self._queue:
                        self._work.wait(IDLE_POLL if open_tx else 0.5)
                    self._sleeping = False
                    return
            else:
                commit_now = False
                chunk = self._take_chunk()
        if commit_now:
            self._commit()
            return
        self._process(chunk)

    def _take_chunk(self) -> list[Any]:
        """Pop the next chunk (caller holds _lock): CHUNK ops, fewer to end at commit_every."""
        limit = CHUNK
        if self._commit_every:
            limit = min(limit, max(1, self._commit_every - self._tx_count))
        chunk = [self._queue.popleft() for _ in range(min(limit, len(self._queue)))]
        self._taken += len(chunk)
        if self._producers_waiting:
            self._space.notify_all()
        return chunk

    def _process(self, chunk: list[Any]) -> None:
        """Write a chunk (holding the token) and commit when commit_every is reached."""
        try:
            self._write_chunk(chunk)
        except BaseException as exc:  # an unexpected fault: report, never lose silently
            self._fail_all(chunk, exc)
        if self._commit_every and self._tx_count >= self._commit_every:
            self._commit()

    def _drain_inline(self, final: bool) -> None:
        """Inline mode: write full chunks (every chunk, and commit, when ``final``) right here."""
        if self._queue:
            self._check_not_holding_writer("an inline bulk write")
        with self._token:
            self._write_queued(everything=final)
            if final and (self._tx_count or (self._session and self._session.write_open)):
                self._commit()

    def _write_queued(self, everything: bool) -> None:
        """Inline mode, holding the token: write the queued chunks (only full ones unless
        ``everything``)."""
        while self._queue and (everything or len(self._queue) >= CHUNK):
            with self._lock:
                chunk = self._take_chunk()
            self._process(chunk)

    # --- status -------------------------------------------------------------------------------

    def _outstanding(self) -> int:
        return len(self._queue) + self._taken - self._completed

    def is_pending(self) -> bool:
        """True while submitted operations are not yet committed or failed (never blocks)."""
        return len(self._queue) + self._taken - self._completed > 0

    def wait_completion(self, timeout: float | None = None) -> None:
        """Block until every submitted operation is committed or failed and callbacks ran.

        ``timeout`` in seconds: TimeoutError on expiry (the work goes on). Raises
        AsyncExecutionError for failures that had no callback to go to.
        """
        if timeout is not None and (
            not isinstance(timeout, (int, float)) or not timeout >= 0
        ):  # ``not >=`` refuses NaN too (NaN < 0 is False: it waited forever)
            raise ValueError(f"timeout must be a number of seconds >= 0, got {timeout!r}")
        if threading.get_ident() in self._worker_idents or running_user_code() is self:
            raise ArcadeDBError("wait_completion() cannot be called from an executor callback")
        if self._storage.forked_from is not None:
            raise self._storage.closed_error()
        if self._inline:
            if self.is_pending():
                self._drain_inline(final=True)
            self._restore_deferred()
            self._raise_unreported()
            return
        if self.is_pending():
            self._check_not_holding_writer("wait_completion()")
            self._ensure_workers()
            deadline = None if timeout is None else time.monotonic() + timeout
            with self._lock:
                self._flush_waiters += 1
                self._work.notify_all()
                try:
                    while self._outstanding() > 0:
                        if any(map(self._worker_gone, self._workers)):
                            self._start_locked()  # a worker died or never ran: replace it
                        if deadline is None:
                            self._done.wait(0.5)
                            continue
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            raise TimeoutError(
                                f"wait_completion timed out after {timeout} s with "
                                f"{self._outstanding()} operations pending (they continue)"
                            )
                        self._done.wait(min(remaining, 0.5))
                finally:
                    self._flush_waiters -= 1
        self._restore_deferred()
        self._raise_unreported()

    def _check_not_holding_writer(self, what: str) -> None:
        session = self._storage.thread_session_if_any()
        if session is not None and session.write_open:
            raise TransactionError(
                f"{what} called while this thread holds an open write transaction: the async "
                "workers need the writer lock it holds. Commit or roll back first; the queued "
                "operations stay queued and continue then"
            )

    def _raise_unreported(self) -> None:
        with self._lock:
            failures, self._unreported = self._unreported, []
        if not failures:
            return
        callbacks = [e for _, e in failures if isinstance(e, AsyncCallbackError)]
        operations = [e for _, e in failures if not isinstance(e, AsyncCallbackError)]
        parts = []
        if operations:
            parts.append(f"{len(operations)} async operation(s) failed with no error callback: "
                         f"{_some(operations)}")  # fmt: skip
        if callbacks:
            parts.append(f"{len(callbacks)} callback(s) raised (their operations are committed: "
                         f"do not retry them): {_some(callbacks)}")  # fmt: skip
        raise AsyncExecutionError("; and ".join(parts), failures)

    def stats(self) -> dict[str, Any]:
        """Counters: submitted, committed, failed, commits, queue depth, throughput (ops/s)."""
        with self._lock:
            elapsed = time.perf_counter() - self._started_at if self._started_at else 0.0
            return {
                "submitted": len(self._queue) + self._taken,
                "committed": self._committed,
                "failed": self._failed,
                "pending": self._outstanding(),
                "commits": self._commits,
                "queue_depth": len(self._queue),
                "queue_capacity": self._capacity,
                "parallel_level": self._parallel,
                "workers_alive": sum(t.is_alive() for t in self._workers),
                "throughput": self._committed / elapsed if elapsed > 0 else 0.0,
            }

    # --- shutdown -----------------------------------------------------------------------------

    def is_closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Wait for completion, stop every worker thread, and release the executor."""
        self.refuse_in_callback("close()")
        if self._storage.forked_from is not None:
            raise self._storage.closed_error()
        if self._closed:
            self._raise_unreported()
            return
        self._shutdown(timeout=None)

    def refuse_in_callback(self, what: str) -> None:
        """ArcadeDBError when the calling thread runs one of this executor's callbacks: closing
        would wait for that very callback (a deadlock). Nothing is changed."""
        if running_user_code() is self or threading.get_ident() in self._worker_idents:
            raise ArcadeDBError(
                f"{what} cannot run inside an executor callback: it would wait for the worker "
                "running the callback. Close after wait_completion(), or from another thread"
            )

    def _shutdown(self, timeout: float | None) -> None:
        self.refuse_in_callback("close()")
        if self.is_pending():
            # The workers would wait forever for the writer lock this thread holds.
            self._check_not_holding_writer("close()")
        try:
            try:
                if self.is_pending():
                    self.wait_completion(timeout)
            except AsyncExecutionError:
                pass  # still reported below, after the workers stopped
        finally:
            self._stop_workers()
        self._raise_unreported()

    def _stop_workers(self) -> None:
        with self._lock:
            self._stopping = True
            self._closed = True
            self._work.notify_all()
            self._space.notify_all()
        for thread in list(self._threads):  # every one ever started, listed or not
            if thread is threading.current_thread():
                continue
            while not self._worker_gone(thread) and not thread.is_alive():
                time.sleep(0.001)  # started, not yet running: it may still touch the session
            if thread.is_alive():
                thread.join()
        if self._queue or self._tx_count:  # workers died early: nothing may vanish silently
            leftover = list(self._queue)
            self._queue.clear()
            self._fail_all(leftover, DatabaseClosedError("executor closed before this operation ran"))
        try:
            self._restore_deferred()  # else the next open of the database builds them
        finally:
            if self._session is not None and not self._storage.closed:
                self._storage.release_session(self._session)
            self._session = None
            if self._progress_bar is not None:
                self._progress_bar.close()
                self._progress_bar = None

    def _inherited_by_fork(self) -> None:
        """In a forked child: closed, with nothing of the parent's to run, report or commit
        (its workers do not exist here; its pending work is the parent's)."""
        self._closed = self._stopping = True
        self._fast_limit = 0
        self._queue = deque()
        self._taken = self._completed  # nothing pending here
        self._unreported = []
        self._workers, self._threads = [], []
        self._session = None
        self._lock = threading.Lock()  # a worker of the parent may have held them
        self._work = threading.Condition(self._lock)
        self._space = threading.Condition(self._lock)
        self._done = threading.Condition(self._lock)
        self._token = threading.Lock()

    def _raise_closed(self) -> None:
        if self._storage.forked_from is not None:
            raise self._storage.closed_error()
        raise DatabaseClosedError(
            "This async executor is closed: call db.async_executor() for a new one"
        )

    def __enter__(self) -> AsyncExecutor:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> Literal[False]:
        if exc_type is None:
            self.close()
        else:
            try:
                self.close()
            except ArcadeDBError:
                pass  # the body's exception is the one to see
        return False

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"parallel={self._parallel}"
        return f"<AsyncExecutor {state} commit_every={self._commit_every}>"


#: Every executor of this process, to disarm in a forked child.
_EXECUTORS: weakref.WeakSet[AsyncExecutor] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for executor in list(_EXECUTORS):
        executor._inherited_by_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _some(errors: Sequence[BaseException]) -> str:
    shown = "; ".join(str(exc) for exc in errors[:5])
    return shown + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")


_NO_PROPS = ("{}", None)  # what encode_record makes of a record with no properties


def _check_int(name: str, value: Any, low: int, high: int | None) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bounds}, got {value}")


__all__ = ["CHUNK", "QUEUE_CAPACITY", "AsyncExecutor"]
