"""The Database object and the module-level functions that create and open databases.

A Database is the model's ``Store`` (model/store.py): records and the query engine hold it and
reach storage through its Store methods (``_live_storage``, ``_save_record``, ``_edges_of`` ...:
underscored, being arcadelite's own interface between its layers, not ArcadeDB's API).
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from .exceptions import ArcadeDBError, RecordNotFoundError, SchemaError
from .model.factory import record_from_row
from .model.records import Document, Edge, Vertex
from .model.results import ResultSet
from .query.vectors import close_storage as close_vector_indexes
from .rid import RID
from .schema import Schema
from .storage import Storage
from .storage.catalog import TypeDef
from .transactions import TransactionContext

if TYPE_CHECKING:
    from .bulk.batch import BatchContext
    from .bulk.executor import AsyncExecutor
    from .vector_index import VectorIndex

_OPEN_DATABASES: weakref.WeakSet[Database] = weakref.WeakSet()
_CLOSE_WAIT_SECONDS = 600.0


WAL_FLUSH_MODES = ("no", "yes_nometadata", "yes_full")


def _check_type_name(name: Any) -> None:
    """A type name is text: anything else is the caller's mistake (TypeError), never a silent 0."""
    if not isinstance(name, str):
        raise TypeError(f"A type name must be a str, got {type(name).__name__} ({name!r})")


class Database:
    """An open database. Use as a context manager to close it on exit."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._schema = Schema(self)
        self._executor: AsyncExecutor | None = None
        self._executor_lock = threading.Lock()
        self._read_your_writes = True
        _OPEN_DATABASES.add(self)

    # --- plumbing (the Store protocol: model/store.py) -------------------------------------

    def _live_storage(self) -> Storage:
        """The open storage (DatabaseClosedError once closed)."""
        storage = self._storage
        if storage.closed:
            raise storage.closed_error()
        return storage

    def _type(self, name: str, kind: str | None = None) -> TypeDef:
        _check_type_name(name)
        return self._live_storage().catalog.get(name, kind)

    # --- queries ----------------------------------------------------------------------------

    def query(self, language: str, text: str, *args: Any, **kwargs: Any) -> ResultSet:
        """Run a read-only statement; parameters fill ``?`` (positional) or ``:name``."""
        self._live_storage()
        from .query import run

        return run(self, language, text, args, kwargs, read_only=True)

    def command(self, language: str, text: str, *args: Any, **kwargs: Any) -> ResultSet:
        """Run any statement: DDL, DML or a read."""
        self._live_storage()
        from .query import run

        return run(self, language, text, args, kwargs, read_only=False)

    # --- transactions -----------------------------------------------------------------------

    def begin(self) -> None:
        storage = self._live_storage()
        storage.begin(storage.session())

    def commit(self) -> None:
        storage = self._live_storage()
        storage.commit(storage.session())

    def rollback(self) -> None:
        storage = self._live_storage()
        storage.rollback(storage.session())

    def transaction(self) -> TransactionContext:
        self._live_storage()
        return TransactionContext(self)

    def is_transaction_active(self) -> bool:
        session = self._live_storage().thread_session_if_any()
        return bool(session and session.depth)

    # --- records ----------------------------------------------------------------------------

    def new_document(self, type_name: str) -> Document:
        return Document(self, self._type(type_name, "document"))

    def new_vertex(self, type_name: str) -> Vertex:
        storage = self._storage
        if storage.closed:
            raise storage.closed_error()
        type_def = storage.catalog.types.get(type_name)
        if type_def is None or type_def.kind != "vertex":
            self._type(type_name, "vertex")
        return Vertex(self, type_def)  # type: ignore[arg-type]  # checked just above

    def new_edge_record(self, type_name: str) -> Edge:
        """An unsaved edge record (connect it with Vertex.new_edge or an async create)."""
        return Edge(self, self._type(type_name, "edge"))

    def _current_type(self, record: Document) -> TypeDef:
        """The record's type as the catalog holds it now (SchemaError when it was dropped)."""
        storage = self._live_storage()
        type_def = storage.catalog.by_id.get(record._type.id)
        if type_def is None or type_def.name != record._type.name:
            raise SchemaError(f"Type '{record._type.name}' of {record!r} no longer exists")
        record._type = type_def
        return type_def

    def _save_record(self, record: Document) -> None:
        """Insert or update the record, enforcing the schema (``record.save()``)."""
        type_def = self._current_type(record)
        storage = self._storage
        session = storage.session()
        if record._rid is None:
            props, encoded = storage.prepare(type_def, record._props)
            if type_def.kind == "edge":
                edge: Edge = record  # type: ignore[assignment]  # an edge type's records are Edges
                if edge._out is None or edge._in is None:
                    raise ArcadeDBError(
                        f"Edge of type '{type_def.name}' has no vertices: create edges with "
                        "vertex.new_edge(label, target)"
                    )
                position = storage.insert(session, type_def, encoded, edge._out.to_int(),
                                          edge._in.to_int())  # fmt: skip
            else:
                position = storage.insert(session, type_def, encoded)
            record._rid = RID(type_def.id, position)
        else:
            props, encoded = storage.prepare(
                type_def, record._props, storage.update_base(session, type_def, record._rid)
            )
            storage.update(session, type_def, record._rid.position, encoded)
        record._props = props

    def _delete_record(self, record: Document) -> None:
        """Delete the record; a vertex takes its edges with it (``record.delete()``)."""
        type_def = self._current_type(record)
        storage = self._storage
        storage.delete(storage.session(), type_def, record._rid.position)  # type: ignore[union-attr]  # only saved records are deleted

    def _new_edge(self, vertex: Vertex, label: str, target: Any, props: dict[str, Any]) -> Edge:
        """Create and save an edge from a saved vertex to a target vertex (``new_edge``)."""
        edge_type = self._type(label, "edge")
        if vertex._rid is None:
            raise ArcadeDBError("Save the vertex before creating edges from it")
        target_rid = RID.parse(target)
        storage = self._live_storage()
        target_type = storage.catalog.by_id.get(target_rid.bucket_id)
        if target_type is None or target_type.kind != "vertex":
            raise ArcadeDBError(f"Edge target {target_rid} is not a vertex")
        session = storage.session()
        for end in (vertex._rid, target_rid):  # never an edge to or from a deleted vertex
            if storage.load(session, end) is None:
                raise RecordNotFoundError(f"Cannot create a '{label}' edge: vertex {end} not found")
        edge = Edge(self, edge_type, dict(props), None, True, vertex._rid, target_rid)
        self._save_record(edge)
        return edge

    def _edges_of(self, vertex: Vertex, direction: str, labels: tuple[str, ...]) -> Iterator[Edge]:
        """The edges touching a vertex ("out", "in" or "both"; of the given types, or any)."""
        storage = self._live_storage()
        _check_direction(direction)
        if vertex._rid is None:
            return
        for edge_type, row in storage.edges(storage.session(), vertex._rid.to_int(), direction,
                                            labels):  # fmt: skip
            yield record_from_row(self, edge_type, row)  # type: ignore[misc]  # an edge type's rows make Edges

    def _neighbor_rids(self, vertex: Vertex, direction: str, labels: tuple[str, ...]) -> list[int]:
        """The packed RIDs of the vertices adjacent to a vertex (see ``_edges_of``)."""
        storage = self._live_storage()
        _check_direction(direction)
        if vertex._rid is None:
            return []
        return storage.neighbors(storage.session(), vertex._rid.to_int(), direction, labels)

    def _neighbors_of(self, vertex: Vertex, direction: str, labels: tuple[str, ...]) -> list[Vertex]:
        """The vertices adjacent to a vertex (see ``_edges_of``)."""
        return [self.lookup_by_rid(RID.from_int(packed))  # type: ignore[misc]  # edges end at vertices
                for packed in self._neighbor_rids(vertex, direction, labels)]  # fmt: skip

    def lookup_by_rid(self, rid: RID | str) -> Document:
        """The record with this RID (immutable); RecordNotFoundError when there is none."""
        storage = self._live_storage()
        parsed = RID.parse(rid)
        found = storage.load(storage.session(), parsed)
        if found is None:
            raise RecordNotFoundError(f"Record {parsed} not found")
        type_def, row = found
        return record_from_row(self, type_def, row)

    def lookup_by_key(self, type_name: str, keys: list[str] | str, values: Any) -> Document | None:
        """The record whose indexed properties ``keys`` equal ``values`` (an index must exist)."""
        type_def = self._type(type_name)
        keys_t = (keys,) if isinstance(keys, str) else tuple(keys)
        values_t = tuple(values) if isinstance(values, (list, tuple)) else (values,)
        if len(keys_t) != len(values_t):
            raise ValueError(f"lookup_by_key got {len(keys_t)} keys but {len(values_t)} values")
        storage = self._storage
        if storage.index_for(type_def, keys_t) is None:
            raise SchemaError(
                f"No index on {type_name}[{','.join(keys_t)}]: lookup_by_key needs one "
                f"(db.schema.create_index('{type_name}', {list(keys_t)!r}))"
            )
        for target, row in storage.find_by_key(storage.session(), type_def, keys_t, values_t):
            return record_from_row(self, target, row)
        return None

    def count_type(self, type_name: str, polymorphic: bool = True) -> int:
        """Records of a type, subtypes included (polymorphic); an unknown type counts 0."""
        storage = self._live_storage()
        _check_type_name(type_name)
        type_def = storage.catalog.types.get(type_name)
        if type_def is None:
            return 0
        return storage.count(storage.session(), type_def, polymorphic)

    def iterate_type(self, type_name: str, polymorphic: bool = True) -> Iterator[Document]:
        """Every record of a type (and its subtypes), immutable, in RID order per bucket."""
        return self._iterate(self._type(type_name), polymorphic)  # unknown type: error now

    def _iterate(self, type_def: TypeDef, polymorphic: bool) -> Iterator[Document]:
        storage = self._storage
        for target in type_def.polymorphic if polymorphic else [type_def]:
            for row in storage.scan_type(storage.session(), target):
                yield record_from_row(self, target, row)

    # --- schema and settings ----------------------------------------------------------------

    @property
    def schema(self) -> Schema:
        self._live_storage()
        return self._schema

    def get_schema(self) -> Schema:
        return self.schema

    def set_wal_flush(self, mode: str) -> None:
        """Commit durability: "no" (no fsync), "yes_nometadata" (default), "yes_full"."""
        storage = self._live_storage()
        if mode not in WAL_FLUSH_MODES:
            raise ValueError(f"Invalid WAL flush mode: {mode!r}. Must be one of: "
                             f"{', '.join(WAL_FLUSH_MODES)} (lowercase)")  # fmt: skip
        storage.set_sync(mode)

    def set_read_your_writes(self, flag: bool) -> None:
        """Accepted for compatibility: a thread always reads its own writes here."""
        self._live_storage()
        self._read_your_writes = bool(flag)

    def set_auto_transaction(self, flag: bool) -> None:
        """When on, a write outside a transaction commits by itself."""
        self._live_storage().auto_transaction = bool(flag)

    def is_auto_transaction(self) -> bool:
        return self._live_storage().auto_transaction

    # --- async, batch, import/export ----------------------------------------------------------

    def async_executor(self) -> AsyncExecutor:
        """The database's async executor (a fresh one if the previous was closed)."""
        self._live_storage()
        from .bulk.executor import AsyncExecutor

        with self._executor_lock:
            if self._executor is None or self._executor.is_closed():
                self._executor = AsyncExecutor(self)
            return self._executor

    def batch_context(self, batch_size: int = 5000, parallel: int = 4, use_wal: bool = True,
                      back_pressure: int = 50, progress: bool = False,
                      progress_desc: str = "Processing") -> BatchContext:  # fmt: skip
        self._live_storage()
        from .bulk.batch import BatchContext

        return BatchContext(self, batch_size, parallel, use_wal, back_pressure, progress,
                            progress_desc)  # fmt: skip

    def export_database(self, file_path: str, format: str = "jsonl", overwrite: bool = False,
                        include_types: list[str] | None = None,
                        exclude_types: list[str] | None = None, verbose: int = 1) -> dict:  # fmt: skip
        self._live_storage()
        from .io.export import export_database

        return export_database(self, file_path, format, overwrite, include_types, exclude_types,
                               verbose)  # fmt: skip

    def _import_dump(self, url: str, **settings: Any) -> dict[str, Any]:
        """Restore an ArcadeDB JSONL dump into this (empty) database (SQL ``IMPORT DATABASE``)."""
        self._live_storage()
        from .io.restore import import_database

        return import_database(self, url, **settings)

    def export_to_csv(self, query: str, file_path: str, language: str = "sql",
                      fieldnames: list[str] | None = None) -> int:  # fmt: skip
        self._live_storage()
        from .io.export import export_to_csv

        return export_to_csv(self.query(language, query), file_path, fieldnames)

    # --- vector search (vector_index.py) ----------------------------------------------------

    def create_vector_index(self, vertex_type: str, vector_property: str, dimensions: int,
                            distance_function: str = "cosine", max_connections: int = 16,
                            beam_width: int = 100, quantization: str | None = "INT8",
                            build_graph_now: bool = True, **options: Any) -> VectorIndex:  # fmt: skip
        """An LSM_VECTOR index over ``vertex_type.vector_property`` (see vector_index.py; the
        defaults are the seed era's)."""
        from .vector_index import create_vector_index

        return create_vector_index(self, vertex_type, vector_property, dimensions,
                                   distance_function, max_connections, beam_width, quantization,
                                   build_graph_now, **options)  # fmt: skip

    # --- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Finish pending async work (bounded wait), then release everything. Idempotent."""
        storage = self._storage
        if storage.closed:
            return
        from .bulk.writing import running_user_code

        running = running_user_code()
        if running is not None and running._storage is storage:
            running.refuse_in_callback("db.close()")
        # Closing abandons this thread's open transactions: roll them back first, so that
        # pending async work (which needs the writer lock they may hold) can finish.
        session = storage.thread_session_if_any()
        while session is not None and session.depth:
            storage.rollback(session)
            session = storage.thread_session_if_any()
        executor = self._executor
        try:
            if executor is not None and not executor.is_closed():
                executor._shutdown(timeout=_CLOSE_WAIT_SECONDS)
        finally:
            try:
                close_vector_indexes(storage)
            finally:
                storage.close()
                _OPEN_DATABASES.discard(self)

    def is_open(self) -> bool:
        return not self._storage.closed

    def drop(self) -> None:
        """Delete the whole database folder (refused inside a transaction)."""
        storage = self._live_storage()
        if self.is_transaction_active():
            raise ArcadeDBError("Cannot drop the database inside a transaction: commit first")
        self.close()
        storage.drop()

    def get_name(self) -> str:
        return os.path.basename(self._live_storage().folder.rstrip(os.sep))

    def get_database_path(self) -> str:
        return self._live_storage().folder

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False

    def __repr__(self) -> str:
        state = "open" if self.is_open() else "closed"
        return f"<Database {os.path.basename(self._storage.folder)!r} {state}>"


def _check_direction(direction: str) -> None:
    if direction not in ("out", "in", "both"):
        raise ValueError(f"direction must be 'out', 'in' or 'both', got {direction!r}")


def create_database(path: str) -> Database:
    """Create a new empty database in the folder ``path``."""
    return Database(Storage(os.fspath(path), create=True))


def open_database(path: str) -> Database:
    """Open an existing database."""
    return Database(Storage(os.fspath(path), create=False))


def database_exists(path: str) -> bool:
    return Storage.exists(os.fspath(path))


class DatabaseFactory:
    """Object-style access to create_database / open_database / database_exists."""

    def __init__(self, path: str) -> None:
        self.path = os.fspath(path)

    def create(self) -> Database:
        return create_database(self.path)

    def open(self) -> Database:
        return open_database(self.path)

    def exists(self) -> bool:
        return database_exists(self.path)

    def close(self) -> None:
        pass


@atexit.register
def _close_all_at_exit() -> None:
    """Finish submitted async work of databases the program left open: nothing lost silently."""
    for db in list(_OPEN_DATABASES):
        try:
            db.close()
        except Exception:  # at exit, report and go on
            import traceback

            traceback.print_exc()


__all__ = ["Database", "DatabaseFactory", "create_database", "open_database", "database_exists"]
