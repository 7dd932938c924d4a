"""The writing side of the async executor: chunks of operations into the open transaction,
commits, and the reports of what failed.

A worker holding the write token writes a chunk (``_write_chunk``) through the chunk writer
(chunks.py): a run of creates of one type is one multi-row INSERT and needs no savepoint; any
other chunk goes under one. What the commit will need is kept (``_hold``): operations with
callbacks (or statements) with their results; plain records only to undo their RIDs and report
them should the commit fail; records nobody else references not even that (``_give_rids``): their
payloads only. ``_commit`` commits, fires the success callbacks, and on failure reports every
operation of the transaction.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from itertools import chain, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from ..exceptions import (
    ArcadeDBError,
    AsyncCallbackError,
    AsyncOperationError,
    RecordNotFoundError,
)
from ..model.factory import new_record
from ..model.records import Document
from ..rid import RID
from ..storage import ROWS_PER_INSERT, SYNC_MODES
from ..storage.codec import decode_record
from .chunks import TransactionLost, write_chunk
from .operations import (
    CALLBACK,
    CREATE,
    DELETE,
    ENDS,
    ERROR,
    FAILED,
    KIND,
    LANGUAGE,
    ON_ERROR,
    PARAMS,
    PAYLOAD,
    READ_ONLY,
    SNAPSHOT,
    STATEMENT,
    SUBJECT,
    TYPE_DEF,
    UPDATE,
    callback_of,
    creates_of_one_type,
    has_unique_key,
    kind_name,
    kind_of,
    on_error_of,
    payload_of,
    plain_creates,
    resolve_end,
    subject_of,
)

if TYPE_CHECKING:
    from ..model.store import Store
    from ..storage import Session, Storage
    from ..storage.catalog import TypeDef

#: Edges of one type an executor writes before it defers that type's adjacency indexes
DEFER_EDGE_INDEXES_AFTER = 50_000


class ChunkWriting:
    """The part of ``AsyncExecutor`` (executor.py) that writes and commits; it declares the
    executor's state it reads."""

    _db: Store
    _storage: Storage
    _session: Any  # the executor's private Session, once started
    _lock: threading.Lock
    _token: threading.Lock
    _token_wanted: bool
    _work: threading.Condition
    _queue: deque[Any]
    _done: threading.Condition
    _commit_every: int
    _use_wal: bool
    _sync_mode: str | None
    _settings_dirty: bool
    _on_ok: Callable[[int], Any] | None
    _on_error: Callable[[BaseException], Any] | None
    _progress: bool
    _progress_bar: Any
    _progress_total: int | None
    _progress_desc: str
    _completed: int
    _committed: int
    _failed: int
    _commits: int
    _unreported: list[tuple[Any, BaseException]]
    # The open transaction (worker side, under the token): every op written counts in
    # _tx_count; ops with callbacks (or statements) are kept with their results for commit time;
    # plain records are kept only to undo their RIDs and report them if the commit itself fails.
    # Keeping the op tuples of plain records alive until commit cost ~15% in cyclic-GC time.
    _tx_count: int
    _tx_ops: list[Any]
    _tx_results: list[Any]
    _tx_created: list[Document]
    _tx_plain: list[Document]
    # records written without keeping their objects (_give_rids, BulkWriter.write_json_rows)
    _tx_unseen: list[tuple[Any, Any]]

    # edge types whose adjacency indexes this executor deferred (restored when it drains), and
    # how many edges of each type it wrote since it last restored them
    _deferred: dict[int, TypeDef]
    _edge_run: dict[int, int]

    def _init_deferral(self) -> None:
        self._deferred = {}
        self._edge_run = {}

    def _init_writing(self) -> None:
        self._tx_count = 0
        self._tx_ops = []
        self._tx_results = []
        self._tx_created = []
        self._tx_plain = []
        self._tx_unseen = []

    # --- writing ------------------------------------------------------------------------------

    def _ensure_transaction(self) -> Session:
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

    def _write_chunk(self, chunk: list[Any]) -> None:
        kinds = {*map(kind_of, chunk)}
        if FAILED in kinds:  # failed when submitted: reported in queue order, not written
            failed = [op for op in chunk if op[KIND] == FAILED]
            chunk = [op for op in chunk if op[KIND] != FAILED]
            for op in failed:
                self._report_failure(op, op[ERROR])
            self._complete(len(failed), failed=len(failed))
            if not chunk:
                return
            kinds.discard(FAILED)
        session = self._ensure_transaction()
        try:
            one_type = creates_of_one_type(chunk, kinds)
            if one_type and chunk[0][TYPE_DEF].kind == "edge":
                self._defer_for_load(session, chunk[0][TYPE_DEF], len(chunk))
            if len(chunk) <= ROWS_PER_INSERT and one_type:
                # one multi-row INSERT, atomic by itself (the bulk loop's chunks)
                failures = write_chunk(self._storage, session, chunk, self._apply_creates,
                                       self._hold_creates, self._forget_rids, self._culprit,
                                       one_statement=True)  # fmt: skip
            else:
                failures = write_chunk(self._storage, session, chunk, self._apply, self._hold,
                                       self._forget_rids, self._culprit)  # fmt: skip
        except TransactionLost as lost:
            self._transaction_lost(lost)
            return
        if failures:
            self._complete(failures, failed=failures)

    def _transaction_lost(self, lost: TransactionLost) -> None:
        """SQLite rolled the executor's transaction back (a full disk, an I/O error): every
        operation written in it, and the rest of the chunk, failed; each is reported once."""
        if lost.failures:
            self._complete(lost.failures, failed=lost.failures)
        pending = list(lost.pending)
        self._forget_rids(pending)
        for op in pending:
            self._report_failure(op, lost.cause)
        self._complete(len(pending), failed=len(pending))
        self._fail_transaction(lost.cause, "rolled back by SQLite")

    def _defer_for_load(self, session: Session, type_def: TypeDef, count: int) -> None:
        """Drop the adjacency indexes of an edge type this executor loads in bulk (outside any
        savepoint: a chunk that fails does not take the deferral back with it).

        Keeping them while loading makes every commit rewrite index pages all over both
        B-trees (random endpoints): 3.7x the time of building them once at the end
        (bench/prototypes/README.md). Only worth it for a large load relative to the table:
        at least DEFER_EDGE_INDEXES_AFTER edges, and a fifth of what the table holds.
        """
        run = self._edge_run.get(type_def.id, 0) + count
        self._edge_run[type_def.id] = run
        if run < DEFER_EDGE_INDEXES_AFTER or type_def.id in self._deferred:
            return
        if run * 5 < self._storage.edge_rows_estimate(session, type_def):
            return
        if self._storage.defer_edge_indexes(session, type_def):
            self._deferred[type_def.id] = type_def

    def _restore_deferred(self) -> None:
        """Build the adjacency indexes this executor deferred, once everything it wrote is
        committed (holding the token; nothing to do while new work is in the transaction)."""
        if not self._deferred or self._session is None or self._storage.closed:
            return
        # an idle worker waits for work holding the token: have it step aside, and wake it
        self._token_wanted = True
        with self._lock:
            self._work.notify_all()
        try:
            self._token.acquire()
        finally:
            self._token_wanted = False
        try:
            if self._tx_count or self._queue:
                return  # more was submitted meanwhile: the next drain restores
            session = self._session
            if session.write_open or session.depth:
                self._commit()  # a transaction whose every operation failed: nothing in it
            tables = [t.table for t in self._deferred.values()]
            self._deferred.clear()
            self._edge_run.clear()
            self._storage.restore_edge_indexes(session, tables)
        finally:
            self._token.release()

    def _culprit(self, op: Any, exc: Exception) -> None:
        self._report_failure(op, self._explain(op, exc))

    def _hold_creates(self, ops: Sequence[Any], results: list[Any]) -> None:
        """_hold for a chunk of creates (known by its writer): C-level loops in the common case."""
        if any(map(callback_of, ops)) or any(map(on_error_of, ops)):
            self._hold(ops, results)
            return
        self._tx_count += len(ops)
        self._tx_created.extend([r for r in map(subject_of, ops) if r._rid is not None])

    def _hold(self, ops: Sequence[Any], results: list[Any]) -> None:
        """Keep what the commit (or a failed commit) will need of operations just written."""
        self._tx_count += len(ops)
        created, plain = self._tx_created, self._tx_plain
        if plain_creates(ops):  # the common case: C-level loops
            created.extend([r for r in map(subject_of, ops) if r._rid is not None])
            return
        for op, result in zip(ops, results):
            if op[CALLBACK] is None and op[ON_ERROR] is None and op[KIND] != STATEMENT:
                (created if op[KIND] == CREATE else plain).append(op[SUBJECT])
            else:
                self._tx_ops.append(op)
                self._tx_results.append(result)

    def _apply(self, ops: Sequence[Any]) -> list[Any]:
        """Write operations in order; on failure nothing of them stays recorded here."""
        return self._undoable(self._apply_ops, ops)

    def _apply_creates(self, ops: Sequence[Any]) -> list[Any]:
        """Write a run of creates of one type (as _apply)."""
        return self._undoable(self._create_run, ops)

    def _undoable(self, write: Callable[[Session, Sequence[Any]], list[Any]],
                  ops: Sequence[Any]) -> list[Any]:  # fmt: skip
        mark = len(self._tx_unseen)
        try:
            return write(self._session, ops)
        except BaseException:
            del self._tx_unseen[mark:]
            raise

    def _apply_ops(self, session: Session, ops: Sequence[Any]) -> list[Any]:
        """Write operations in order; runs of same-type creates go in one multi-row INSERT."""
        storage = self._storage
        results: list[Any] = []
        count = len(ops)
        i = 0
        while i < count:
            op = ops[i]
            kind = op[KIND]
            if kind == CREATE:
                type_def = op[TYPE_DEF]
                j = i + 1
                while j < count and ops[j][TYPE_DEF] is type_def and ops[j][KIND] == CREATE:
                    j += 1
                results.extend(self._create_run(session, ops if j - i == count else ops[i:j]))
                i = j
                continue
            if kind == UPDATE and op[PAYLOAD] is not None and not has_unique_key(op[TYPE_DEF]):
                # A run of pre-encoded updates as one statement. SQLite applies its rows in
                # no set order, which is only safe where no unique key can make one update's
                # outcome depend on another's (found by the model-based fuzz).
                type_def = op[TYPE_DEF]
                j = i + 1
                while j < count and ops[j][TYPE_DEF] is type_def and ops[j][KIND] == UPDATE and (
                    ops[j][PAYLOAD] is not None
                ):
                    j += 1
                rows = []
                for op_ in ops[i:j]:
                    rid = op_[SUBJECT]._rid
                    if rid is None:
                        raise ArcadeDBError(f"Cannot update {op_[SUBJECT]!r}: it was never saved")
                    rows.append((op_[PAYLOAD][0], op_[PAYLOAD][1], rid.position))
                if storage.update_rows(session, type_def, rows) != len(rows):
                    # a record is missing (or listed twice): the per-op replay names it
                    raise ArcadeDBError("an update matched no record")
                results.extend([None] * len(rows))
                i = j
                continue
            if kind == UPDATE:
                record, type_def = op[SUBJECT], op[TYPE_DEF]
                rid = record._rid
                if rid is None:
                    raise ArcadeDBError(f"Cannot update {record!r}: it was never saved")
                payload = op[PAYLOAD]
                if payload is None:  # read-only properties: checked against the stored state
                    old = storage.update_base(storage.session(), type_def, rid)
                    payload = storage.prepare(type_def, op[SNAPSHOT], old or {})[1]
                if storage.update_rows(session, type_def, [(*payload, rid.position)]) == 0:
                    raise ArcadeDBError(f"Cannot update record {rid}: it does not exist")
                results.append(None)
            elif kind == DELETE:
                record = op[SUBJECT]
                if record._rid is None:
                    raise ArcadeDBError(f"Cannot delete {record!r}: it was never saved")
                storage.delete_row(session, op[TYPE_DEF], record._rid.position)
                results.append(None)
            else:  # STATEMENT
                from ..query import run

                resultset = run(self._db, op[LANGUAGE], op[SUBJECT], (), op[PARAMS],
                                read_only=op[READ_ONLY], session=session)  # fmt: skip
                results.append(list(resultset))
            i += 1
        return results

    def _create_run(self, session: Session, run: Sequence[Any]) -> list[None]:
        """Insert a run of creates of one type with one multi-row INSERT per ROWS_PER_INSERT."""
        storage = self._storage
        type_def = run[0][TYPE_DEF]
        if type_def.kind == "edge":
            ends = list(chain.from_iterable(map(ends_of, run)))
            if {*map(type, ends)} == {RID}:  # the bulk loop's case: the records hold these RIDs
                packed = list(map(RID.to_int, ends))
                rows = list(map(tuple.__add__, map(payload_of, run),
                                zip(packed[0::2], packed[1::2])))  # fmt: skip
            else:
                rows = []
                for op in run:
                    record, op_ends = op[SUBJECT], op[ENDS]
                    record._out, record._in = resolve_end(op_ends[0]), resolve_end(op_ends[1])
                    rows.append((*op[PAYLOAD], record._out.to_int(), record._in.to_int()))
                packed = [end for row in rows for end in row[2:]]
            missing = storage.missing_vertices(session, packed)
            if missing:
                raise RecordNotFoundError(
                    f"Edge end {RID.from_int(missing[0])} is not an existing vertex"
                )
            positions = storage.insert_rows(session, type_def, rows)
            _consume(map(setattr, map(subject_of, run), repeat("_rid"),
                          map(RID, repeat(type_def.id), positions)))  # fmt: skip
        else:
            rows = list(map(payload_of, run))
            # One writer holds the table: SQLite assigns consecutive positions.
            positions = storage.insert_rows(session, type_def, rows)
            self._give_rids(run, rows, type_def, positions.start)
        return [None] * len(rows)

    def _give_rids(self, run: Sequence[Any], rows: list[tuple], type_def: Any,
                   first: int) -> None:  # fmt: skip
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
            or any(map(callback_of, run))
            or any(map(on_error_of, run))
            or any(map(_weakrefs, map(subject_of, run)))
        ):  # the common case, every record dropped: C-level loops only
            self._tx_unseen.append((type_def, rows))
            return
        unseen = []
        type_id = type_def.id
        for position, op, count in zip(range(first, first + len(run)), run, counts):
            record = op[SUBJECT]
            # a callback will want the RID, and a weak reference can bring the record back
            if count > _OWN_REFERENCES or op[CALLBACK] is not None or op[ON_ERROR] is not None or (
                _weakrefs(record)
            ):
                record._rid = RID(type_id, position)
            else:
                unseen.append(op[PAYLOAD])
        if unseen:
            self._tx_unseen.append((type_def, unseen))

    def _explain(self, op: Any, exc: Exception) -> BaseException:
        """An error of one operation as an ArcadeDBError (storage translates its own)."""
        if isinstance(exc, ArcadeDBError):
            return exc
        return ArcadeDBError(f"{kind_name(op)} failed: {exc}")

    def _forget_rids(self, ops: Sequence[Any]) -> None:
        for op in ops:
            if op[KIND] == CREATE:
                op[SUBJECT]._rid = None

    # --- commits and reports ------------------------------------------------------------------

    def _fail_transaction(self, exc: BaseException, why: str) -> None:
        """Report every operation of the open transaction as failed (it was rolled back)."""
        ops, count = self._tx_ops, self._tx_count
        created, plain, unseen = self._tx_created, self._tx_plain, self._tx_unseen
        self._init_writing()
        self._storage.rollback(self._session)
        self._forget_rids(ops)
        for op in ops:
            self._report_failure(op, exc)
        for record in created:
            record._rid = None  # its creation was rolled back: it never existed
        for record in created + plain:
            self._route_error(None, record, AsyncOperationError(
                f"Async write of {record!r} {why}: {exc}", record, exc))  # fmt: skip
        self._report_unseen(unseen, exc)
        self._complete(count, failed=count)

    def _commit(self) -> None:
        session = self._session
        try:
            if session.write_open or session.depth:
                self._storage.commit(session)
        except BaseException as exc:
            self._fail_transaction(exc, "rolled back by a failed commit")
            return
        ops, results, count = self._tx_ops, self._tx_results, self._tx_count
        self._init_writing()
        callback_errors: list[AsyncCallbackError] = []
        try:
            for op, result in zip(ops, results):
                callback = op[CALLBACK]
                if callback is not None:
                    subject = op[SUBJECT]
                    if op[KIND] == STATEMENT:
                        from ..model.results import ResultSet

                        raised = call_user(self, callback, ResultSet(result))
                    else:
                        raised = call_user(self, callback, subject)
                    if raised is not None:
                        callback_errors.append(callback_error(subject, "callback", raised))
            if self._on_ok is not None and count:
                raised = call_user(self, self._on_ok, count)
                if raised is not None:
                    callback_errors.append(callback_error(None, "on_ok", raised))
            self._update_progress(count)
            with self._lock:
                self._commits += 1
            for error in callback_errors:
                self._route_error(None, error.record, error)
        finally:  # counted whatever happened above: wait_completion() must not wait forever
            self._complete(count, committed=count)

    def _report_failure(self, op: Any, cause: BaseException) -> None:
        subject = op[SUBJECT]
        kind = kind_name(op)
        if op[KIND] == STATEMENT:
            error: BaseException = cause
            if isinstance(cause, ArcadeDBError):
                error = AsyncOperationError(f"{kind} {subject!r} failed: {cause}", subject, cause)
        else:
            error = AsyncOperationError(
                f"Async {kind} of {subject!r} failed: {cause}", subject, cause
            )
        self._route_error(op[ON_ERROR], subject, error)

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
            raised = call_user(self, handler, error)
            if raised is None:
                return
            which = "error callback" if error_callback is not None else "on_error"
            if isinstance(error, AsyncCallbackError):  # keep both: the write stands
                error = callback_error(subject, which, raised, also=error)
            else:  # the handler itself failed: keep both
                error = AsyncOperationError(
                    f"error callback failed: {type(raised).__name__}: {raised}", subject, error
                )
        with self._lock:
            self._unreported.append((subject, error))

    def _fail_all(self, chunk: list[Any], exc: BaseException) -> None:
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


#: thread ident -> the executor whose user code (a callback or hook) that thread is running
_RUNNING_USER_CODE: dict[int, Any] = {}


def call_user(executor: Any, fn: Callable[[Any], Any], arg: Any) -> BaseException | None:
    """Run a user's callback or hook: what it raised (any BaseException, SystemExit and
    KeyboardInterrupt included), never unwinding the executor's thread; None when it returned."""
    ident = threading.get_ident()
    outer = _RUNNING_USER_CODE.get(ident)
    _RUNNING_USER_CODE[ident] = executor
    try:
        fn(arg)
    except BaseException as exc:  # user code must not kill a worker or skip the accounting
        return exc
    finally:
        if outer is None:
            del _RUNNING_USER_CODE[ident]
        else:
            _RUNNING_USER_CODE[ident] = outer
    return None


def running_user_code() -> Any:
    """The executor whose callback or hook the calling thread is running, or None."""
    return _RUNNING_USER_CODE.get(threading.get_ident())


def callback_error(subject: Any, which: str, raised: BaseException,
                   also: AsyncCallbackError | None = None) -> AsyncCallbackError:  # fmt: skip
    """A callback's exception as an AsyncCallbackError (its operation stays committed)."""
    what = "on_ok hook" if which == "on_ok" else "on_error hook" if which == "on_error" else which
    about = "" if subject is None else f" of {subject!r}"
    first = f"; it was reporting: {also}" if also is not None else ""
    return AsyncCallbackError(
        f"The {what}{about} raised {type(raised).__name__}: {raised} (the operation is "
        f"committed: do not retry it){first}", subject, which, raised,
    )  # fmt: skip


_weakrefs = weakref.getweakrefcount
ends_of = itemgetter(ENDS)
_consume: Callable[[Iterable[Any]], None] = deque(maxlen=0).extend


def _reference_counts(run: Sequence[Any]) -> list[int]:
    """The reference count of each operation's record, as _OWN_REFERENCES counts them."""
    if not hasattr(sys, "getrefcount"):  # no reference counts here: everyone may look
        return [_OWN_REFERENCES + 1] * len(run)
    return list(map(sys.getrefcount, map(subject_of, run)))


#: What _reference_counts reports for a record held by its operation alone, measured with the
#: same code (interpreters differ in the temporary references they count).
_OWN_REFERENCES = (
    _reference_counts([(CREATE, object())])[0]
    if hasattr(sys, "getrefcount") else 0
)  # fmt: skip


def _unseen_props(payloads: list[tuple] | tuple[str, int, int]) -> list[dict[str, Any]]:
    """The properties of records written without a record object (see _tx_unseen)."""
    if isinstance(payloads, tuple):  # from BulkWriter.write_json_rows: (JSON array, start, stop)
        bodies, start, stop = payloads
        return orjson.loads(bodies)[start:stop]
    return [decode_record(*payload) for payload in payloads]


__all__ = ["ChunkWriting", "call_user", "callback_error", "running_user_code"]
