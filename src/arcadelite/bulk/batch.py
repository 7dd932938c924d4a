"""BatchContext: bulk writes with automatic error collection and an optional progress bar.

    with db.batch_context(batch_size=10_000, progress=True) as batch:
        batch.set_total(len(people))
        ids = {p["id"]: batch.create_vertex("Person", **p) for p in people}
        for a, b in friendships:
            batch.create_edge(ids[a], ids[b], "Knows")
    print(batch.get_success_count(), batch.get_errors())

It runs on a private AsyncExecutor (configured from the constructor's values) so that it never
changes the settings of ``db.async_executor()``. Its ``on_error`` hook collects every failure: a
failure never raises in the middle of the batch, it is collected (``get_errors()``: one
``AsyncOperationError`` per failed operation, one ``AsyncCallbackError`` per callback that raised
after its operation committed, with ``.record`` and ``.cause``). If failures remain
that the code never asked about, exiting the block emits a ``RuntimeWarning`` saying how many, so
they are never lost silently. ``get_success_count()`` counts committed operations. The progress
bar (tqdm) counts committed operations too, against ``set_total(n)`` or open-ended.
Exit waits for every submitted operation, closes the executor and the bar, and never swallows an
exception raised in the block (KeyboardInterrupt included).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from ..exceptions import ArcadeDBError, AsyncCallbackError, TransactionError
from ..model.records import Document, Edge, Vertex
from ..rid import RID
from .executor import AsyncExecutor

if TYPE_CHECKING:
    from ..database import Database
    from ..storage.catalog import TypeDef


class BatchContext:
    """High-level bulk operations on an async executor; use ``with db.batch_context() as b:``."""

    def __init__(
        self,
        db: Database,
        batch_size: int = 5000,
        parallel: int = 4,
        use_wal: bool = True,
        back_pressure: int = 50,
        progress: bool = False,
        progress_desc: str = "Processing",
    ) -> None:
        self._db = db
        executor = AsyncExecutor(db)  # validates the values now (ValueError/TypeError)
        executor.set_commit_every(batch_size).set_parallel_level(parallel)
        executor.set_transaction_use_wal(use_wal).set_back_pressure(back_pressure)
        executor.on_ok(self._committed).on_error(self._collect)
        self._executor: AsyncExecutor = executor
        self._progress = bool(progress)
        self._progress_desc = progress_desc
        self._bar: Any = None
        self._total: int | None = None
        self._lock = threading.Lock()
        self._edge_types: dict[str, TypeDef] = {}  # create_edge's types by name, while current
        self._errors: list[BaseException] = []
        self._errors_seen = 0
        self._success = 0
        self._state = "new"  # new -> entered -> exited

    # --- context ------------------------------------------------------------------------------

    def __enter__(self) -> BatchContext:
        if self._state != "new":
            raise RuntimeError("BatchContext can be entered only once")
        self._db._live_storage()
        if self._db.is_transaction_active():
            raise TransactionError(
                "BatchContext cannot run inside a transaction: its operations commit in "
                "transactions of their own, which need the writer lock a transaction of this "
                "thread may hold. Commit or roll back first"
            )
        self._state = "entered"
        if self._progress:
            from tqdm import tqdm

            self._bar = tqdm(total=self._total, desc=self._progress_desc, unit="op")
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> Literal[False]:
        self._state = "exited"
        session = self._db._live_storage().thread_session_if_any()
        if session is not None and session.write_open and self._executor.is_pending():
            bar, self._bar = self._bar, None
            if bar is not None:
                bar.close()
            if exc_type is None:
                raise TransactionError(
                    "A transaction of this thread, begun inside the BatchContext block, holds the "
                    "writer lock its pending operations wait for: commit or roll back it inside "
                    "the block (the operations then complete)"
                )
            return False
        try:
            if exc_type is None:
                self._executor.close()
            else:
                try:
                    self._executor.close()
                except BaseException:  # the block's exception is the one to see
                    pass
        finally:
            bar, self._bar = self._bar, None
            if bar is not None:
                bar.close()
        if exc_type is None:
            with self._lock:
                unseen = self._errors[self._errors_seen:]
            callbacks = sum(isinstance(e, AsyncCallbackError) for e in unseen)
            said = []
            if len(unseen) > callbacks:
                said.append(f"{len(unseen) - callbacks} operation(s) failed")
            if callbacks:
                said.append(f"{callbacks} callback(s) raised (their operations are committed)")
            if said:
                warnings.warn(
                    f"BatchContext: {' and '.join(said)}; see get_errors()",
                    RuntimeWarning,
                    stacklevel=2,
                )
        return False

    def _check(self) -> AsyncExecutor:
        if self._state != "entered":
            if self._state == "new":
                raise RuntimeError("BatchContext not entered")
            raise RuntimeError("BatchContext not entered (the with block has ended)")
        return self._executor

    # --- executor hooks -----------------------------------------------------------------------

    def _committed(self, count: int) -> None:
        with self._lock:
            self._success += count
        bar = self._bar
        if bar is not None:
            bar.update(count)

    def _collect(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    # --- operations ---------------------------------------------------------------------------

    def create_vertex(self, type_name: str, callback: Callable | None = None,
                      **properties: Any) -> Vertex:  # fmt: skip
        """Queue a new vertex; returns it (usable as an edge end in this batch at once)."""
        executor = self._check()
        vertex = self._db.new_vertex(type_name)
        vertex._props.update(properties)
        executor.create_record(vertex, callback)
        return vertex

    def create_document(self, type_name: str, callback: Callable | None = None,
                        **properties: Any) -> Document:  # fmt: skip
        """Queue a new document; returns it."""
        executor = self._check()
        document = self._db.new_document(type_name)
        document._props.update(properties)
        executor.create_record(document, callback)
        return document

    def create_edge(self, from_vertex: Any, to_vertex: Any, edge_type: str,
                    callback: Callable | None = None, **properties: Any) -> Edge:  # fmt: skip
        """Queue an edge ``from_vertex -> to_vertex``; either end may be a Vertex queued earlier
        in this batch (resolved when written), a saved vertex, a RID or ``"#b:p"``."""
        executor = self._check()
        storage = self._db._storage
        type_def = self._edge_types.get(edge_type)
        if type_def is None or storage.catalog.types.get(edge_type) is not type_def:
            type_def = self._db.new_edge_record(edge_type)._type  # checks the name and kind
            self._edge_types[edge_type] = type_def
        assert type_def is not None
        by_id = storage.catalog.by_id
        # the bulk loop's case first: ends given as RIDs of vertices, checked with two lookups
        out_end = by_id.get(from_vertex.bucket_id) if type(from_vertex) is RID else None
        if out_end is None or out_end.kind != "vertex":
            out_end = _edge_end(self._db, from_vertex, "from_vertex")
        else:
            out_end = from_vertex
        in_end = by_id.get(to_vertex.bucket_id) if type(to_vertex) is RID else None
        if in_end is None or in_end.kind != "vertex":
            in_end = _edge_end(self._db, to_vertex, "to_vertex")
        else:
            in_end = to_vertex
        edge = Edge(self._db, type_def, properties, None, True, out_end, in_end)
        executor.create_record(edge, callback)
        return edge

    def create_record(self, record: Document, callback: Callable | None = None) -> None:
        self._check().create_record(record, callback)

    def update_record(self, record: Document, callback: Callable | None = None) -> None:
        self._check().update_record(record, callback)

    def delete_record(self, record: Document, callback: Callable | None = None) -> None:
        self._check().delete_record(record, callback)

    def query(self, language: str, query: str, callback: Callable, **params: Any) -> None:
        """Run a read query on a worker, in order with the writes; ``callback(resultset)``."""
        self._check().query(language, query, callback, **params)

    def command(self, language: str, command: str, callback: Callable | None = None,
                **params: Any) -> None:  # fmt: skip
        """Run any statement on a worker, in order with the writes."""
        self._check().command(language, command, callback, **params)

    # --- progress and status ------------------------------------------------------------------

    def set_total(self, total: int) -> BatchContext:
        """The number of operations the progress bar counts toward."""
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise ValueError(f"set_total expects an int >= 0, got {total!r}")
        self._total = total
        bar = self._bar
        if bar is not None:
            bar.total = total
            bar.refresh()
        return self

    def is_pending(self) -> bool:
        return self._check().is_pending()

    def wait_completion(self, timeout: float | None = None) -> None:
        """Block until every queued operation is committed or failed (``timeout`` in seconds)."""
        self._check().wait_completion(timeout)

    def get_errors(self) -> list[BaseException]:
        """Every failure so far: ``AsyncOperationError`` (the operation failed) or
        ``AsyncCallbackError`` (its callback raised; the operation is committed), each with
        ``.record`` and ``.cause``."""
        if self._state == "new":
            raise RuntimeError("BatchContext not entered")
        with self._lock:
            self._errors_seen = len(self._errors)
            return list(self._errors)

    def get_success_count(self) -> int:
        """Operations committed so far."""
        if self._state == "new":
            raise RuntimeError("BatchContext not entered")
        with self._lock:
            return self._success

    def get_executor(self) -> AsyncExecutor:
        return self._check()

    def __repr__(self) -> str:
        return f"<BatchContext {self._state} committed={self._success} failed={len(self._errors)}>"


def _edge_end(db: Database, end: Any, label: str) -> Any:
    """Check an edge end now where it can be checked; a vertex queued in the batch resolves later."""
    if isinstance(end, Vertex):
        return end if end.get_identity() is None else end.get_identity()
    if isinstance(end, Document):
        raise ArcadeDBError(f"{label} must be a vertex, got {end!r}")
    rid = RID.parse(end)
    type_def = db._live_storage().catalog.by_id.get(rid.bucket_id)
    if type_def is None or type_def.kind != "vertex":
        raise ArcadeDBError(f"{label} {rid} is not a vertex")
    return rid


__all__ = ["BatchContext"]
