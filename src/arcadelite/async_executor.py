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

import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from .exceptions import (
    ArcadeDBError,
    AsyncExecutionError,
    AsyncOperationError,
    DatabaseClosedError,
    RecordNotFoundError,
    TransactionError,
)
from .model.factory import new_record
from .model.records import Document, Edge
from .rid import RID
from .storage import ROWS_PER_INSERT, SYNC_MODES
from .storage.codec import decode_record, encode_record, fast_encode

if TYPE_CHECKING:
    from .database import Database
    from .model.results import ResultSet

QUEUE_CAPACITY = 16_384
CHUNK = 2_000
MAX_THROTTLE_WAIT = 0.002
HANDOVER_WAIT = 0.002
IDLE_POLL = 0.05

# Operation kinds; an operation is a tuple
# (kind, record_or_statement, type_def, payload, callback, error_callback, extra).
CREATE, UPDATE, DELETE, QUERY, COMMAND, FAILED = range(6)
_KIND_NAMES = ("create", "update", "delete", "query", "command", "failed")


class AsyncExecutor:
    """Asynchronous, batched writes (and queries) on worker threads; see the module docstring."""

    def __init__(self, db: Database, *, inline: bool = False) -> None:
        """``inline=True`` (for single-threaded bulk loaders such as the importer): no worker
        threads; each chunk is written by the submitting thread as it fills, with the same
        batching, failure isolation and callbacks. It saves the thread hand-offs, which under
        the GIL only cost when nothing else runs meanwhile."""
        self._db = db
        self._inline = inline
        self._storage = db._storage
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
        self._queue: deque[tuple] = deque()
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._space = threading.Condition(self._lock)
        self._done = threading.Condition(self._lock)
        self._token = threading.Lock()
        self._sleeping = False
        self._producers_waiting = 0
        self._flush_waiters = 0
        self._workers: list[threading.Thread] = []
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
        # The open transaction (worker side, under the token).
        # The open transaction: every op written counts in _tx_count; ops with callbacks (or
        # statements) are kept with their results for commit time; plain records are kept only
        # to undo their RIDs and report them if the commit itself fails. Keeping the op tuples
        # of plain records alive until commit cost ~15% in cyclic-GC time (measured).
        self._tx_count = 0
        self._tx_ops: list[tuple] = []
        self._tx_results: list[Any] = []
        self._tx_created: list[Document] = []
        self._tx_plain: list[Document] = []
        # records written without keeping their objects (_give_rids, _write_json_rows)
        self._tx_unseen: list[tuple[Any, Any]] = []
        self._unreported: list[tuple[Any, BaseException]] = []
        self._on_ok: Callable[[int], Any] | None = None
        self._on_error: Callable[[BaseException], Any] | None = None
        self._progress = False
        self._progress_bar: Any = None
        self._progress_total: int | None = None
        self._progress_desc = "Committed"

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
            and type_def.kind != "edge"
            and self._storage.catalog.by_id.get(type_def.id) is type_def
        ):
            encoded = fast_encode(record._props)
            if encoded is not None:
                queue = self._queue
                if len(queue) < self._fast_limit:
                    queue.append((CREATE, record, type_def, encoded, callback, error_callback,
                                  None))  # fmt: skip
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
                type_def = self._db.current_type(record)
            extra = None
            if type_def.kind == "edge":
                extra = _edge_ends(record)  # type: ignore[arg-type]
            if type_def.checked:
                props, encoded = self._storage.prepare(type_def, record._props)
                record._props = props
            else:
                encoded = encode_record(record._props)
            op = (CREATE, record, type_def, encoded, callback, error_callback, extra)
        except ArcadeDBError as exc:
            if isinstance(exc, DatabaseClosedError):
                raise
            op = (FAILED, record, None, exc, callback, error_callback, CREATE)
        self._submit(op)

    def update_record(self, record: Document, callback: Callable | None = None,
                      error_callback: Callable | None = None) -> None:  # fmt: skip
        """Schedule an update of a record (a mutable one, e.g. from ``.modify()``)."""
        if self._closed:
            self._raise_closed()
        if not isinstance(record, Document):
            raise TypeError(f"update_record expects a Document, Vertex or Edge, got {record!r}")
        try:
            type_def = self._db.current_type(record)
            if any(p.readonly for p in type_def.all_properties.values()):
                payload: Any = None  # validated against the stored state at write time
                snapshot = dict(record._props)
            else:
                props, payload = self._storage.prepare(type_def, record._props, {})
                record._props = props
                snapshot = None
            op = (UPDATE, record, type_def, payload, callback, error_callback, snapshot)
        except ArcadeDBError as exc:
            if isinstance(exc, DatabaseClosedError):
                raise
            op = (FAILED, record, None, exc, callback, error_callback, UPDATE)
        self._submit(op)

    def delete_record(self, record: Document, callback: Callable | None = None,
                      error_callback: Callable | None = None) -> None:  # fmt: skip
        """Schedule the deletion of a record (a vertex takes its edges with it)."""
        if self._closed:
            self._raise_closed()
        if not isinstance(record, Document):
            raise TypeError(f"delete_record expects a Document, Vertex or Edge, got {record!r}")
        try:
            op = (DELETE, record, self._db.current_type(record), None, callback,
                  error_callback, None)  # fmt: skip
        except ArcadeDBError as exc:
            if isinstance(exc, DatabaseClosedError):
                raise
            op = (FAILED, record, None, exc, callback, error_callback, DELETE)
        self._submit(op)

    def query(self, language: str, query: str, callback: Callable[[ResultSet], Any],
              **params: Any) -> None:  # fmt: skip
        """Run a read query on a worker; ``callback(resultset)`` receives the rows."""
        self._submit_statement(QUERY, language, query, callback, params)

    def command(self, language: str, command: str, callback: Callable[[ResultSet], Any] | None = None,
                **params: Any) -> None:  # fmt: skip
        """Run any statement on a worker, in order with the record operations."""
        self._submit_statement(COMMAND, language, command, callback, params)

    def _submit_statement(self, kind: int, language: str, text: str, callback: Callable | None,
                          params: dict[str, Any]) -> None:  # fmt: skip
        if self._closed:
            self._raise_closed()
        if not isinstance(language, str) or not isinstance(text, str):
            raise TypeError("language and statement must be strings")
        if kind == QUERY and not callable(callback):
            raise TypeError("query() needs a callback that receives the ResultSet")
        error_callback = params.pop("error_callback", None)
        self._submit((kind, text, language, params, callback, error_callback, None))

    # --- queue --------------------------------------------------------------------------------

    def _submit(self, op: tuple) -> None:
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
        if not self._workers:
            self._start()
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
        if not self._workers:
            self._start()
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
        alive = [t for t in self._workers if t.is_alive()]
        for index in range(len(alive), self._parallel):
            thread = threading.Thread(
                target=self._worker_main, args=(index,), name=f"arcadelite-async-{index}",
                daemon=True,
            )  # fmt: skip
            alive.append(thread)
            thread.start()
        self._workers = alive

    # --- worker side --------------------------------------------------------------------------

    def _worker_main(self, index: int) -> None:
        self._worker_idents.add(threading.get_ident())
        try:
            while True:
                with self._token:
                    if index >= self._parallel or (self._stopping and self._drained()):
                        if self._tx_count and self._stopping:
                            self._commit()
                        return
                    self._step()
        finally:
            self._worker_idents.discard(threading.get_ident())

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

    def _take_chunk(self) -> list[tuple]:
        """Pop the next chunk (caller holds _lock): CHUNK ops, fewer to end at commit_every."""
        limit = CHUNK
        if self._commit_every:
            limit = min(limit, max(1, self._commit_every - self._tx_count))
        chunk = [self._queue.popleft() for _ in range(min(limit, len(self._queue)))]
        self._taken += len(chunk)
        if self._producers_waiting:
            self._space.notify_all()
        return chunk

    def _process(self, chunk: list[tuple]) -> None:
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

    def _takes_json_rows(self, type_def: Any) -> bool:
        """True when _write_json_rows can write records of this type (see there)."""
        return self._inline and not (
            type_def.kind == "edge" or type_def.checked or _has_unique_key(type_def)
        )

    def _write_json_rows(self, type_def: Any, bodies: str, count: int) -> None:
        """Inline mode, for bulk loaders: create ``count`` records from one JSON array of
        plain bodies (no tags), without a record object or an operation each.

        Only for a document or vertex type that checks nothing per record (no declared
        property, no unique key), so no row can fail alone. The rows count as operations for
        commit_every, stats, progress and on_ok; a failed commit reports each of them.
        """
        if self._closed:
            self._raise_closed()
        if not self._takes_json_rows(type_def):
            raise ArcadeDBError(
                f"Records of '{type_def.name}' cannot be written as JSON rows here "
                "(an inline executor and a type that checks nothing per record are needed)"
            )
        if self._started_at is None:
            self._start()
        self._check_not_holding_writer("an inline bulk write")
        with self._token:
            self._write_queued(everything=True)  # what was submitted before goes first
            start = 0
            while start < count:
                room = self._commit_every - self._tx_count if self._commit_every else count
                stop = min(count, start + max(1, room))
                with self._lock:
                    self._taken += stop - start
                try:
                    session = self._ensure_transaction()
                    self._storage.insert_json_rows(session, type_def, bodies, start, stop)
                except Exception as exc:  # one statement: none of these rows was written
                    self._report_unseen([(type_def, (bodies, start, stop))], exc)
                    self._complete(stop - start, failed=stop - start)
                else:
                    self._tx_count += stop - start
                    self._tx_unseen.append((type_def, (bodies, start, stop)))
                start = stop
                if self._commit_every and self._tx_count >= self._commit_every:
                    self._commit()

    def _ensure_transaction(self) -> Any:
        session = self._session
        if not session.write_open:
            if self._settings_dirty:
                mode = "OFF" if not self._use_wal else (
                    SYNC_MODES[self._sync_mode] if self._sync_mode else None
                )  # fmt: skip
                self._storage.set_session_sync(session, mode)
                self._settings_dirty = False
            self._storage.begin_write(session)
        return session

    def _write_chunk(self, chunk: list[tuple]) -> None:
        failed = [op for op in chunk if op[0] == FAILED]
        if failed:
            chunk = [op for op in chunk if op[0] != FAILED]
            for op in failed:
                self._report_failure(op, op[3])
            self._complete(len(failed), failed=len(failed))
        if not chunk:
            return
        storage = self._storage
        session = self._ensure_transaction()
        if _one_statement(chunk):
            # One multi-row INSERT is atomic by itself (SQLite undoes a failing statement
            # whole), so no savepoint: one SQLite call per chunk instead of three, each of
            # which the writer may wait for the GIL to return from.
            try:
                results = self._apply(session, chunk)
            except Exception:
                self._forget_rids(chunk)
                self._replay(session, chunk)
            else:
                self._hold(chunk, results)
            return
        storage.savepoint(session, "al_chunk")
        try:
            results = self._apply(session, chunk)
        except Exception:
            storage.rollback_to_savepoint(session, "al_chunk")
            self._forget_rids(chunk)
            self._replay(session, chunk)
        else:
            self._hold(chunk, results)
        storage.release_savepoint(session, "al_chunk")

    def _replay(self, session: Any, chunk: list[tuple]) -> None:
        """Apply operations one by one, each under its own savepoint; only culprits fail."""
        storage = self._storage
        failures = 0
        for op in chunk:
            storage.savepoint(session, "al_op")
            try:
                result = self._apply(session, [op])
            except Exception as exc:
                storage.rollback_to_savepoint(session, "al_op")
                storage.release_savepoint(session, "al_op")
                self._forget_rids([op])
                self._report_failure(op, self._explain(op, exc))
                failures += 1
            else:
                storage.release_savepoint(session, "al_op")
                self._hold([op], result)
        if failures:
            self._complete(failures, failed=failures)

    def _hold(self, ops: list[tuple], results: list[Any]) -> None:
        """Keep what the commit (or a failed commit) will need of operations just written."""
        self._tx_count += len(ops)
        created, plain = self._tx_created, self._tx_plain
        if not (any(map(_KIND, ops)) or any(map(_CALLBACK, ops)) or any(map(_ON_ERROR, ops))):
            # the common case, a chunk of plain creates (CREATE == 0): C-level loops
            created.extend([r for r in map(_RECORD, ops) if r._rid is not None])
            return
        for op, result in zip(ops, results):
            if op[4] is None and op[5] is None and op[0] <= DELETE:
                (created if op[0] == CREATE else plain).append(op[1])
            else:
                self._tx_ops.append(op)
                self._tx_results.append(result)

    def _apply(self, session: Any, ops: list[tuple]) -> list[Any]:
        """Write operations in order; on failure nothing of them stays recorded here."""
        mark = len(self._tx_unseen)
        try:
            return self._apply_ops(session, ops)
        except BaseException:
            del self._tx_unseen[mark:]
            raise

    def _apply_ops(self, session: Any, ops: list[tuple]) -> list[Any]:
        """Write operations in order; runs of same-type creates go in one multi-row INSERT."""
        storage = self._storage
        results: list[Any] = []
        count = len(ops)
        i = 0
        while i < count:
            op = ops[i]
            kind = op[0]
            if kind == CREATE:
                type_def = op[2]
                type_id = type_def.id
                j = i + 1
                while j < count and ops[j][2] is type_def and ops[j][0] == CREATE:
                    j += 1
                run = ops if j - i == count else ops[i:j]
                if type_def.kind == "edge":
                    rows = []
                    for op_ in run:
                        record, ends = op_[1], op_[6]
                        record._out, record._in = _resolve_end(ends[0]), _resolve_end(ends[1])
                        rows.append((*op_[3], record._out.to_int(), record._in.to_int()))
                    ends = [end for row in rows for end in row[2:]]
                    missing = storage.missing_vertices(session, ends)
                    if missing:
                        raise RecordNotFoundError(
                            f"Edge end {RID.from_int(missing[0])} is not an existing vertex"
                        )
                    positions = storage.insert_rows(session, type_def, rows)
                    _consume(map(setattr, map(_RECORD, run), repeat("_rid"),
                                  map(RID, repeat(type_id), positions)))  # fmt: skip
                else:
                    rows = list(map(_PAYLOAD, run))
                    # One writer holds the table: SQLite assigns consecutive positions.
                    positions = storage.insert_rows(session, type_def, rows)
                    self._give_rids(run, rows, type_def, positions.start)
                results.extend(repeat(None, len(rows)))
                i = j
                continue
            if kind == UPDATE and op[3] is not None and not _has_unique_key(op[2]):
                # A run of pre-encoded updates as one statement. SQLite applies its rows in
                # no set order, which is only safe where no unique key can make one update's
                # outcome depend on another's (found by the model-based fuzz).
                type_def = op[2]
                j = i + 1
                while j < count and ops[j][2] is type_def and ops[j][0] == UPDATE and (
                    ops[j][3] is not None
                ):
                    j += 1
                rows = []
                for op_ in ops[i:j]:
                    rid = op_[1]._rid
                    if rid is None:
                        raise ArcadeDBError(f"Cannot update {op_[1]!r}: it was never saved")
                    rows.append((op_[3][0], op_[3][1], rid.position))
                if storage.update_rows(session, type_def, rows) != len(rows):
                    # a record is missing (or listed twice): the per-op replay names it
                    raise ArcadeDBError("an update matched no record")
                results.extend([None] * len(rows))
                i = j
                continue
            if kind == UPDATE:
                record, type_def = op[1], op[2]
                rid = record._rid
                if rid is None:
                    raise ArcadeDBError(f"Cannot update {record!r}: it was never saved")
                payload = op[3]
                if payload is None:  # read-only properties: checked against the stored state
                    old = storage.update_base(storage.session(), type_def, rid)
                    payload = storage.prepare(type_def, op[6], old or {})[1]
                if storage.update_rows(session, type_def, [(*payload, rid.position)]) == 0:
                    raise ArcadeDBError(f"Cannot update record {rid}: it does not exist")
                results.append(None)
            elif kind == DELETE:
                record = op[1]
                if record._rid is None:
                    raise ArcadeDBError(f"Cannot delete {record!r}: it was never saved")
                storage.delete_row(session, op[2], record._rid.position)
                results.append(None)
            else:  # QUERY or COMMAND
                from .query import run

                resultset = run(self._db, op[2], op[1], (), op[3], read_only=kind == QUERY,
                                session=session)  # fmt: skip
                results.append(list(resultset))
            i += 1
        return results

    def _give_rids(self, run: list[tuple], rows: list[tuple], type_def: Any, first: int) -> None:
        """Set the RIDs of the records of ``run`` (payloads ``rows``), just inserted at
        ``first``, ``first + 1``, ...

        A record that only this executor references (the usual bulk loop drops each one as it
        submits it) gets no RID object and is not kept until commit: nobody could see either.
        Keeping thousands of them alive until commit made the cyclic GC run full collections
        (measured: +30% on a 10,000-record load). Their payloads are kept instead, to report them
        if the commit fails.
        """
        counts = _reference_counts(run)
        if not (
            any(map(_OWN_REFERENCES.__lt__, counts))
            or any(map(_CALLBACK, run))
            or any(map(_ON_ERROR, run))
            or any(map(_weakrefs, map(_RECORD, run)))
        ):  # the common case, every record dropped: C-level loops only
            self._tx_unseen.append((type_def, rows))
            return
        unseen = []
        type_id = type_def.id
        for position, op, count in zip(range(first, first + len(run)), run, counts):
            record = op[1]
            # a callback will want the RID, and a weak reference can bring the record back
            if count > _OWN_REFERENCES or op[4] is not None or op[5] is not None or (
                _weakrefs(record)
            ):
                record._rid = RID(type_id, position)
            else:
                unseen.append(op[3])
        if unseen:
            self._tx_unseen.append((type_def, unseen))

    def _explain(self, op: tuple, exc: Exception) -> BaseException:
        """An error of one operation as an ArcadeDBError (storage translates its own)."""
        if isinstance(exc, ArcadeDBError):
            return exc
        return ArcadeDBError(f"{_KIND_NAMES[op[0]]} failed: {exc}")

    def _forget_rids(self, ops: list[tuple]) -> None:
        for op in ops:
            if op[0] == CREATE:
                op[1]._rid = None

    def _commit(self) -> None:
        ops, results, count = self._tx_ops, self._tx_results, self._tx_count
        created, plain, unseen = self._tx_created, self._tx_plain, self._tx_unseen
        self._tx_ops, self._tx_results, self._tx_count = [], [], 0
        self._tx_created, self._tx_plain, self._tx_unseen = [], [], []
        session = self._session
        try:
            if session.write_open or session.depth:
                self._storage.commit(session)
        except BaseException as exc:
            self._storage.rollback(session)
            self._forget_rids(ops)
            for op in ops:
                self._report_failure(op, exc)
            for record in created:
                record._rid = None  # its creation was rolled back: it never existed
            for record in created + plain:
                self._route_error(None, record, AsyncOperationError(
                    f"Async write of {record!r} rolled back by a failed commit: {exc}", record,
                    exc))  # fmt: skip
            self._report_unseen(unseen, exc)
            self._complete(count, failed=count)
            return
        callback_errors: list[tuple[Any, BaseException]] = []
        for op, result in zip(ops, results):
            callback = op[4]
            if callback is not None:
                try:
                    if op[0] in (QUERY, COMMAND):
                        from .model.results import ResultSet

                        callback(ResultSet(result))
                    else:
                        callback(op[1])
                except Exception as exc:  # a user callback failed: report it, keep going
                    callback_errors.append((op[1], exc))
        if self._on_ok is not None and count:
            try:
                self._on_ok(count)
            except Exception as exc:
                callback_errors.append(("on_ok", exc))
        self._update_progress(count)
        with self._lock:
            self._commits += 1
        for subject, exc in callback_errors:
            self._route_error(None, subject, exc)
        self._complete(count, committed=count)

    def _report_failure(self, op: tuple, cause: BaseException) -> None:
        subject = op[1]
        kind = op[6] if op[0] == FAILED else op[0]
        if kind in (QUERY, COMMAND):
            error: BaseException = cause
            if isinstance(cause, ArcadeDBError):
                error = AsyncOperationError(f"{_KIND_NAMES[kind]} {subject!r} failed: {cause}",
                                            subject, cause)  # fmt: skip
        else:
            error = AsyncOperationError(
                f"Async {_KIND_NAMES[kind]} of {subject!r} failed: {cause}", subject, cause
            )
        self._route_error(op[5], subject, error)

    def _report_unseen(self, unseen: list[tuple[Any, Any]], cause: BaseException) -> None:
        """Report records written without their objects (_tx_unseen) as failed, rebuilt."""
        for type_def, payloads in unseen:
            for props in _unseen_props(payloads):
                record = new_record(self._db, type_def, props)
                self._route_error(None, record, AsyncOperationError(
                    f"Async write of {record!r} failed: {cause}", record, cause))  # fmt: skip

    def _route_error(self, error_callback: Callable | None, subject: Any,
                     error: BaseException) -> None:  # fmt: skip
        handler = error_callback or self._on_error
        if handler is not None:
            try:
                handler(error)
                return
            except Exception as exc:  # the error handler itself failed: keep both
                error = AsyncOperationError(f"error callback failed: {exc}", subject, error)
        with self._lock:
            self._unreported.append((subject, error))

    def _fail_all(self, chunk: list[tuple], exc: BaseException) -> None:
        self._forget_rids(chunk)
        for op in chunk:
            self._report_failure(op, exc)
        self._complete(len(chunk), failed=len(chunk))

    def _complete(self, count: int, committed: int = 0, failed: int = 0) -> None:
        with self._lock:
            self._completed += count
            self._committed += committed
            self._failed += failed
            self._done.notify_all()

    def _update_progress(self, count: int) -> None:
        if not self._progress or not count:
            return
        if self._progress_bar is None:
            from tqdm import tqdm

            self._progress_bar = tqdm(total=self._progress_total, desc=self._progress_desc,
                                      unit="op")  # fmt: skip
        self._progress_bar.update(count)

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
        if timeout is not None and (not isinstance(timeout, (int, float)) or timeout < 0):
            raise ValueError(f"timeout must be a number of seconds >= 0, got {timeout!r}")
        if threading.get_ident() in self._worker_idents:
            raise ArcadeDBError("wait_completion() cannot be called from an executor callback")
        if self._inline:
            if self.is_pending():
                self._drain_inline(final=True)
            self._raise_unreported()
            return
        if self.is_pending():
            self._check_not_holding_writer("wait_completion()")
            deadline = None if timeout is None else time.monotonic() + timeout
            with self._lock:
                self._flush_waiters += 1
                self._work.notify_all()
                try:
                    while self._outstanding() > 0:
                        if not any(t.is_alive() for t in self._workers):
                            raise ArcadeDBError("async workers stopped with work pending")
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
        if failures:
            shown = "; ".join(str(exc) for _, exc in failures[:5])
            more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
            raise AsyncExecutionError(
                f"{len(failures)} async operation(s) failed with no error callback: {shown}{more}",
                failures,
            )

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
        if self._closed:
            self._raise_unreported()
            return
        self._shutdown(timeout=None)

    def _shutdown(self, timeout: float | None) -> None:
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
        for thread in self._workers:
            if thread is not threading.current_thread():
                thread.join()
        if self._queue or self._tx_count:  # workers died early: nothing may vanish silently
            leftover = list(self._queue)
            self._queue.clear()
            self._fail_all(leftover, DatabaseClosedError("executor closed before this operation ran"))
        if self._session is not None and not self._storage.closed:
            self._storage.release_session(self._session)
        self._session = None
        if self._progress_bar is not None:
            self._progress_bar.close()
            self._progress_bar = None

    def _raise_closed(self) -> None:
        raise DatabaseClosedError(
            "This async executor is closed: call db.async_executor() for a new one"
        )

    def __enter__(self) -> AsyncExecutor:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> bool:
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


_KIND, _RECORD, _PAYLOAD = itemgetter(0), itemgetter(1), itemgetter(3)
_CALLBACK, _ON_ERROR = itemgetter(4), itemgetter(5)
_weakrefs = weakref.getweakrefcount


def _reference_counts(run: list[tuple]) -> list[int]:
    """The reference count of each operation's record, as _OWN_REFERENCES counts them."""
    if not hasattr(sys, "getrefcount"):  # no reference counts here: everyone may look
        return [_OWN_REFERENCES + 1] * len(run)
    return list(map(sys.getrefcount, map(_RECORD, run)))


#: What _reference_counts reports for a record held by its operation alone, measured with the
#: same code (interpreters differ in the temporary references they count).
_OWN_REFERENCES = _reference_counts([(CREATE, object())])[0] if hasattr(sys, "getrefcount") else 0
assert CREATE == 0  # _hold relies on it
_consume = deque(maxlen=0).extend


def _has_unique_key(type_def: Any) -> bool:
    return bool(type_def.unique_elsewhere) or any(ix.unique for ix in type_def.indexes)


def _one_statement(chunk: list[tuple]) -> bool:
    """True when the chunk is written by one INSERT: creates of one type, one statement's worth."""
    first = chunk[0]
    if first[0] != CREATE or len(chunk) > ROWS_PER_INSERT:
        return False
    type_def = first[2]
    return all(op[2] is type_def and op[0] == CREATE for op in chunk)


def _unseen_props(payloads: list[tuple] | tuple[str, int, int]) -> list[dict[str, Any]]:
    """The properties of records written without a record object (see _tx_unseen)."""
    if isinstance(payloads, tuple):  # from _write_json_rows: (JSON array, start, stop)
        bodies, start, stop = payloads
        return orjson.loads(bodies)[start:stop]
    return [decode_record(*payload) for payload in payloads]


def _check_int(name: str, value: Any, low: int, high: int | None) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bounds}, got {value}")


def _edge_ends(edge: Edge) -> tuple[Any, Any]:
    if edge._out is None or edge._in is None:
        raise ArcadeDBError(f"Edge {edge!r} has no out/in vertices")
    return edge._out, edge._in


def _resolve_end(end: Any) -> RID:
    """An edge end given as a RID, or as a vertex created earlier in the same stream."""
    if isinstance(end, RID):
        return end
    rid = end.get_identity() if isinstance(end, Document) else RID.parse(end)
    if rid is None:
        raise ArcadeDBError(f"Edge end {end!r} was never saved")
    return rid
