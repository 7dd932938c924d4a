"""Asynchronous writes in remote mode: operations go to the server in batches of
``commit_every``, each batch one ``sqlscript`` command, hence one transaction.

Exactness: a command outside an HTTP session is atomic on the server (ours and ArcadeDB's), so a
batch that is answered with an error committed nothing. Its operations are then replayed in
halves, down to single operations, so that every good operation commits exactly once and every bad
one is reported exactly once, with its own error. The one case no client can decide alone is a
connection lost after a batch was sent: those operations are reported with
RemoteOutcomeUnknownError (never retried, never counted as committed).

Order: operations apply in submission order for any one record. An operation that needs a record
still on its way (an update of it, an edge to it) first waits for the batch that carries it.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..exceptions import (
    ArcadeDBError,
    AsyncExecutionError,
    AsyncOperationError,
    RecordNotFoundError,
)
from ..rid import RID
from .client import RemoteOutcomeUnknownError, dumps
from .records import RemoteDocument, RemoteEdge, RemoteVertex, quote_name

if TYPE_CHECKING:
    from .database import RemoteDatabase


class _Op:
    __slots__ = ("kind", "record", "callback", "error_callback", "language", "text", "params")

    def __init__(self, kind: str, record: Any = None, callback: Callable | None = None,
                 error_callback: Callable | None = None) -> None:  # fmt: skip
        self.kind = kind  # create, update, delete, query, command
        self.record = record
        self.callback = callback
        self.error_callback = error_callback
        self.language: str = ""  # query and command operations only
        self.text: str = ""
        self.params: Any = None


class _Batch:
    __slots__ = ("ops", "done")

    def __init__(self) -> None:
        self.ops: list[_Op] = []
        self.done = threading.Event()


_STOP = object()
_RETRIES = 8  # tries of a batch the server answered 503 (retry later) to


class RemoteAsyncExecutor:
    """The AsyncExecutor API over HTTP (see the module docstring for what is guaranteed)."""

    def __init__(self, db: RemoteDatabase) -> None:
        self._db = db
        self._parallel = 4
        self._commit_every = 10_000
        self._back_pressure = 0
        self._use_wal = True
        self._cond = threading.Condition()
        self._current = _Batch()
        self._queue: collections.deque[Any] = collections.deque()
        self._unfinished = 0  # batches sealed and not yet done
        self._waiting_for: dict[int, _Batch] = {}  # id(record) -> the batch carrying it
        self._workers: list[threading.Thread] = []
        self._barrier: _Batch | None = None  # a query/command everything after it waits for
        self._closed = False
        self._failures: list[tuple[Any, BaseException]] = []
        self._on_ok: Callable[[int], Any] | None = None
        self._on_error: Callable[[BaseException], Any] | None = None
        self._stats = {"submitted": 0, "committed": 0, "failed": 0, "commits": 0, "uncertain": 0}
        self._started = time.perf_counter()

    # --- configuration (fluent) ----------------------------------------------------------------

    def set_parallel_level(self, level: int) -> RemoteAsyncExecutor:
        if not isinstance(level, int) or not 1 <= level <= 16:
            raise ValueError(f"parallel level must be an int from 1 to 16, got {level!r}")
        self._parallel = level
        return self

    def set_commit_every(self, count: int) -> RemoteAsyncExecutor:
        if not isinstance(count, int) or count < 0:
            raise ValueError(f"commit_every must be an int >= 0, got {count!r}")
        self._commit_every = count
        return self

    def set_back_pressure(self, threshold: int) -> RemoteAsyncExecutor:
        if not isinstance(threshold, int) or not 0 <= threshold <= 100:
            raise ValueError(f"back pressure must be an int from 0 to 100, got {threshold!r}")
        self._back_pressure = threshold
        return self

    def set_transaction_use_wal(self, enabled: bool) -> RemoteAsyncExecutor:
        """Accepted for compatibility: the server decides how it writes."""
        self._use_wal = bool(enabled)
        return self

    def set_transaction_sync(self, mode: str) -> RemoteAsyncExecutor:
        if mode not in ("no", "yes_nometadata", "yes_full"):
            raise ValueError(f"sync mode must be 'no', 'yes_nometadata' or 'yes_full', got {mode!r}")
        return self

    def on_ok(self, callback: Callable[[int], Any]) -> RemoteAsyncExecutor:
        self._on_ok = callback
        return self

    def on_error(self, callback: Callable[[BaseException], Any]) -> RemoteAsyncExecutor:
        self._on_error = callback
        return self

    def get_parallel_level(self) -> int:
        return self._parallel

    def get_commit_every(self) -> int:
        return self._commit_every

    def get_back_pressure(self) -> int:
        return self._back_pressure

    # --- operations ---------------------------------------------------------------------------

    def create_record(self, record: Any, callback: Callable | None = None,
                      error_callback: Callable | None = None) -> None:  # fmt: skip
        if not isinstance(record, RemoteDocument):
            raise TypeError(f"create_record expects a record of this remote database, got {type(record).__name__}")
        if record._rid is not None:
            raise ArcadeDBError(f"{record!r} is saved already: use update_record")
        self._add(_Op("create", record, callback, error_callback))

    def update_record(self, record: Any, callback: Callable | None = None,
                      error_callback: Callable | None = None) -> None:  # fmt: skip
        self._add(_Op("update", self._check_record(record), callback, error_callback))

    def delete_record(self, record: Any, callback: Callable | None = None,
                      error_callback: Callable | None = None) -> None:  # fmt: skip
        self._add(_Op("delete", self._check_record(record), callback, error_callback))

    def _check_record(self, record: Any) -> Any:
        if not isinstance(record, RemoteDocument):
            raise TypeError(f"expected a record of this remote database, got {type(record).__name__}")
        with self._cond:
            if record._rid is None and id(record) not in self._waiting_for:
                raise ArcadeDBError(f"{record!r} was never saved nor submitted")
        return record

    def query(self, language: str, query: str, callback: Callable, **params: Any) -> None:
        self._statement("query", language, query, callback, params)

    def command(self, language: str, command: str, callback: Callable | None = None,
                **params: Any) -> None:  # fmt: skip
        self._statement("command", language, command, callback, params)

    def _statement(self, kind: str, language: str, text: str, callback: Callable | None,
                   params: dict[str, Any]) -> None:  # fmt: skip
        """Statements run in order with the writes: after everything before them."""
        op = _Op(kind, None, callback)
        op.language, op.text, op.params = language, text, params
        with self._cond:
            self._check_open()
            self._seal()
            while self._unfinished:
                self._cond.wait()
            self._stats["submitted"] += 1
            batch = _Batch()
            batch.ops.append(op)
            self._enqueue(batch)
            self._barrier = batch

    def _add(self, op: _Op) -> None:
        depends = [op.record] if op.kind != "create" else []
        if isinstance(op.record, RemoteEdge):
            depends += [end for end in (op.record._out, op.record._in)
                        if isinstance(end, RemoteDocument)]  # fmt: skip
        with self._cond:
            self._check_open()
            for record in depends:
                batch = self._waiting_for.get(id(record))
                if batch is not None:
                    if batch is self._current:
                        self._seal()
                    while not batch.done.is_set():
                        self._cond.wait()
            for record in depends:
                if record._rid is None:
                    raise ArcadeDBError(f"{record!r} has no RID: its creation failed or was never submitted")
            self._stats["submitted"] += 1
            self._current.ops.append(op)
            self._waiting_for[id(op.record)] = self._current
            if 0 < self._commit_every <= len(self._current.ops):
                self._seal()

    # --- batches --------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ArcadeDBError("This async executor is closed: db.async_executor() gives a new one")
        if not self._db.is_open():
            raise ArcadeDBError("The remote database is closed")

    def _capacity(self) -> int:
        capacity = self._parallel * 2
        if self._back_pressure:
            capacity = max(1, capacity * (100 - self._back_pressure + 1) // 100)
        return capacity

    def _seal(self) -> None:
        """Queue the current batch (caller holds the lock); blocks while the queue is full."""
        if not self._current.ops:
            return
        batch, self._current = self._current, _Batch()
        self._enqueue(batch)

    def _enqueue(self, batch: _Batch) -> None:
        while self._barrier is not None and not self._barrier.done.is_set():
            self._cond.wait()
        while len(self._queue) >= self._capacity():
            self._cond.wait()
        self._unfinished += 1
        self._queue.append(batch)
        while len(self._workers) < self._parallel:
            worker = threading.Thread(target=self._work, name="arcadelite-remote-async", daemon=True)
            self._workers.append(worker)
            worker.start()
        self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                batch = self._queue.popleft()
                self._cond.notify_all()
            if batch is _STOP:
                return
            try:
                ops = batch.ops
                if ops[0].kind in ("query", "command"):
                    self._run_statement(ops[0])
                else:
                    self._send(ops)
            except Exception as exc:
                for op in batch.ops:
                    if op.record is None or op.record._rid is None or op.kind != "create":
                        self._fail(op, exc)
            finally:
                with self._cond:
                    for op in batch.ops:
                        if self._waiting_for.get(id(op.record)) is batch:
                            del self._waiting_for[id(op.record)]
                    batch.done.set()
                    self._unfinished -= 1
                    self._cond.notify_all()

    def _run_statement(self, op: _Op) -> None:
        try:
            run = self._db.query if op.kind == "query" else self._db.command
            results = run(op.language, op.text, op.params) if op.params else run(op.language, op.text)
        except Exception as exc:
            self._fail(op, exc)
            return
        self._count_commit(1)
        if op.callback is not None:
            self._call(op.callback, results, op)

    def _send(self, ops: list[_Op]) -> None:
        """One batch, one transaction; on an error answer, replay it in halves."""
        try:
            outcomes = self._execute_retrying(ops)
        except RemoteOutcomeUnknownError as exc:
            for op in ops:
                self._stats["uncertain"] += 1
                self._fail(op, exc)
            return
        except ArcadeDBError as exc:
            if len(ops) == 1:
                self._fail(ops[0], exc)
                return
            middle = len(ops) // 2
            self._send(ops[:middle])
            self._send(ops[middle:])
            return
        committed = [op for op, error in zip(ops, outcomes) if error is None]
        self._count_commit(len(committed))
        for op, error in zip(ops, outcomes):
            if error is not None:
                self._fail(op, error)
            elif op.callback is not None:
                self._call(op.callback, op.record, op)

    def _execute_retrying(self, ops: list[_Op]) -> list[BaseException | None]:
        """_execute, again while the server says "retry" (503: ArcadeDB's concurrent
        modification between parallel batches): the batch committed nothing, so resending is safe."""
        for attempt in range(_RETRIES):
            try:
                return self._execute(ops)
            except ArcadeDBError as exc:
                if getattr(exc, "status", None) != 503 or attempt == _RETRIES - 1:
                    raise
                time.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")

    def _execute(self, ops: list[_Op]) -> list[BaseException | None]:
        """Send the batch as one sqlscript; per operation, None (done) or why it did nothing."""
        literal = not self._db.is_arcadelite_server()  # ArcadeDB inserts one map from a list param
        statements: list[str] = []
        params: dict[str, Any] = {}
        groups: list[list[_Op]] = []
        for op in ops:
            record = op.record
            same_group = (groups and op.kind == "create" and not isinstance(record, RemoteEdge)
                          and groups[-1][0].kind == "create"
                          and not isinstance(groups[-1][0].record, RemoteEdge)
                          and groups[-1][0].record._type_name == record._type_name)  # fmt: skip
            if same_group:
                groups[-1].append(op)
            else:
                groups.append([op])
        for n, group in enumerate(groups):
            first = group[0]
            record = first.record
            name = f"p{n}"
            if first.kind == "create" and isinstance(record, RemoteEdge):
                ends = [RID.parse(end) for end in (record._out, record._in)]
                statements.append(f"LET r{n} = CREATE EDGE {quote_name(record._type_name)} "
                                  f"FROM {ends[0]} TO {ends[1]} CONTENT :{name}")  # fmt: skip
                params[name] = record._props
            elif first.kind == "create":
                contents = [op.record._props for op in group]
                target = f"LET r{n} = INSERT INTO {quote_name(record._type_name)} CONTENT "
                if literal:  # '&' escaped: ArcadeDB decodes HTML entities in command text
                    statements.append(target + dumps(contents).decode().replace("&", "\\u0026")
                                      + " RETURN @rid")  # only the RIDs travel back
                else:
                    statements.append(target + f":{name} RETURN @rid")
                    params[name] = contents
            elif first.kind == "update":
                statements.append(f"LET r{n} = UPDATE {record._rid} CONTENT :{name}")
                params[name] = record._props
            else:
                statements.append(f"LET r{n} = DELETE FROM {record._rid}")
        script = ";\n".join(statements) + ";\nRETURN [" + ", ".join(
            f"$r{n}" for n in range(len(groups))) + "]"  # fmt: skip
        rows = self._db._statement("command", "sqlscript", script, params, session="")
        if len(rows) != len(groups):
            raise ArcadeDBError(f"Expected {len(groups)} results from the batch, got {len(rows)}")
        outcomes: list[BaseException | None] = []
        for group, row in zip(groups, rows):
            value = row.get("value") if isinstance(row, dict) else None
            items = value if isinstance(value, list) else [value]
            kind = group[0].kind
            if kind == "create":
                if len(items) != len(group):
                    raise ArcadeDBError(f"Expected {len(group)} records back, got {len(items)}")
                for op, item in zip(group, items):
                    op.record._rid = RID.parse(item["@rid"])
                    outcomes.append(None)
            else:
                count = items[0].get("count", 0) if items and isinstance(items[0], dict) else 0
                rid = group[0].record._rid
                outcomes.append(None if count else RecordNotFoundError(f"Record {rid} not found"))
        return outcomes

    # --- outcomes -------------------------------------------------------------------------------

    def _count_commit(self, count: int) -> None:
        with self._cond:
            self._stats["committed"] += count
            self._stats["commits"] += 1
        if self._on_ok is not None and count:
            try:
                self._on_ok(count)
            except Exception as exc:
                with self._cond:
                    self._failures.append(("on_ok callback", exc))

    def _call(self, callback: Callable, value: Any, op: _Op) -> None:
        try:
            callback(value)
        except Exception as exc:
            with self._cond:
                self._failures.append((op.record if op.record is not None else op.text, exc))

    def _fail(self, op: _Op, cause: BaseException) -> None:
        subject = op.record if op.record is not None else op.text
        error = AsyncOperationError(f"async {op.kind} of {subject!r} failed: {cause}", subject, cause)
        with self._cond:
            self._stats["failed"] += 1
        handler = op.error_callback or self._on_error
        if handler is not None:
            try:
                handler(error)
                return
            except Exception as exc:
                cause = exc
        with self._cond:
            self._failures.append((subject, error))

    # --- waiting and closing ----------------------------------------------------------------------

    def is_pending(self) -> bool:
        with self._cond:
            return bool(self._current.ops or self._unfinished)

    def wait_completion(self, timeout: float | None = None) -> None:
        """Send what is buffered and wait until every operation is committed or reported."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._seal()
            while self._unfinished:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"{self._unfinished} batch(es) still pending after {timeout} s")
                self._cond.wait(remaining)
            failures, self._failures = self._failures, []
        if failures:
            raise AsyncExecutionError(
                f"{len(failures)} async operation(s) failed with no error callback: "
                f"first: {failures[0][1]}", failures)  # fmt: skip

    def stats(self) -> dict[str, Any]:
        with self._cond:
            data: dict[str, Any] = dict(self._stats)
            data["queue_depth"] = len(self._queue) + (1 if self._current.ops else 0)
        elapsed = time.perf_counter() - self._started
        data["throughput"] = data["committed"] / elapsed if elapsed > 0 else 0.0
        return data

    def is_closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if self._closed:
            return
        try:
            self.wait_completion()
        finally:
            with self._cond:
                self._closed = True
                for _ in self._workers:
                    self._queue.append(_STOP)
                self._cond.notify_all()
            for worker in self._workers:
                worker.join()

    def __enter__(self) -> RemoteAsyncExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RemoteBatchContext:
    """The BatchContext API over a RemoteAsyncExecutor."""

    def __init__(self, db: RemoteDatabase, batch_size: int = 5000, parallel: int = 4,
                 back_pressure: int = 50, progress: bool = False,
                 progress_desc: str = "Processing") -> None:  # fmt: skip
        self._db = db
        self._settings = (batch_size, parallel, back_pressure)
        self._progress, self._progress_desc = progress, progress_desc
        self._executor: RemoteAsyncExecutor | None = None
        self._errors: list[BaseException] = []
        self._success = 0
        self._bar: Any = None
        self._total: int | None = None

    def __enter__(self) -> RemoteBatchContext:
        batch_size, parallel, back_pressure = self._settings
        self._executor = (RemoteAsyncExecutor(self._db).set_commit_every(batch_size)
                          .set_parallel_level(parallel).set_back_pressure(back_pressure)
                          .on_ok(self._committed).on_error(self._errors.append))  # fmt: skip
        if self._progress:
            from tqdm import tqdm

            self._bar = tqdm(total=self._total, desc=self._progress_desc, unit="op")
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if self._executor is not None:
                self._executor.close()
        finally:
            if self._bar is not None:
                self._bar.close()

    def _committed(self, count: int) -> None:
        self._success += count
        if self._bar is not None:
            self._bar.update(count)

    def _check(self) -> RemoteAsyncExecutor:
        if self._executor is None:
            raise RuntimeError("BatchContext not entered")
        return self._executor

    def create_vertex(self, type_name: str, callback: Callable | None = None, **props: Any) -> RemoteVertex:
        executor = self._check()
        vertex = self._db.new_vertex(type_name)
        vertex._props.update(props)
        executor.create_record(vertex, callback)
        return vertex

    def create_document(self, type_name: str, callback: Callable | None = None,
                        **props: Any) -> RemoteDocument:  # fmt: skip
        executor = self._check()
        document = self._db.new_document(type_name)
        document._props.update(props)
        executor.create_record(document, callback)
        return document

    def create_edge(self, from_vertex: Any, to_vertex: Any, edge_type: str,
                    callback: Callable | None = None, **props: Any) -> RemoteEdge:  # fmt: skip
        """Queue an edge; either end may be a vertex queued earlier in this batch."""
        executor = self._check()
        ends = [end if isinstance(end, RemoteDocument) else RID.parse(end)
                for end in (from_vertex, to_vertex)]  # fmt: skip
        edge = self._db.new_edge_record(edge_type)
        edge._props.update(props)
        edge._out, edge._in = ends
        executor.create_record(edge, callback)
        return edge

    def create_record(self, record: Any, callback: Callable | None = None) -> None:
        self._check().create_record(record, callback)

    def update_record(self, record: Any, callback: Callable | None = None) -> None:
        self._check().update_record(record, callback)

    def delete_record(self, record: Any, callback: Callable | None = None) -> None:
        self._check().delete_record(record, callback)

    def query(self, language: str, query: str, callback: Callable, **params: Any) -> None:
        self._check().query(language, query, callback, **params)

    def command(self, language: str, command: str, callback: Callable | None = None,
                **params: Any) -> None:  # fmt: skip
        self._check().command(language, command, callback, **params)

    def set_total(self, total: int) -> RemoteBatchContext:
        self._total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()
        return self

    def is_pending(self) -> bool:
        return self._check().is_pending()

    def wait_completion(self, timeout: float | None = None) -> None:
        self._check().wait_completion(timeout)

    def get_errors(self) -> list[BaseException]:
        return list(self._errors)

    def get_success_count(self) -> int:
        return self._success

    def get_executor(self) -> RemoteAsyncExecutor:
        return self._check()
