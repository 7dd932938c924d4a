"""Storage: the only package that talks to SQLite (through APSW). This is its interface.

Everything above storage holds a ``Storage`` (one open database folder) and the ``Session`` of
the thread (or worker) it acts for, and calls the methods below; no SQL text, no SQLite exception
and no table name leaves this package (SQLite's ``btree.h`` is the model: one header naming what
the layer offers, one file per concern behind it).

Files and lifecycle (files.py, engine.py)
    ``Storage(folder, create)`` opens or creates a database folder (refused when this process
    or another one has it open); ``Storage.exists(folder)``; ``close()``, ``drop()``,
    ``closed``, ``check_open()``; ``folder``, ``file``.

Sessions and transactions (sessions.py)
    ``session()`` (the calling thread's), ``thread_session_if_any()``, ``new_private_session()``,
    ``release_session(s)``, ``read_snapshot()`` (a private session in one read transaction);
    ``begin/commit/rollback(s)`` (READ COMMITTED: the first write opens SQLite's write
    transaction through the in-process write gate, so writers never meet SQLITE_BUSY),
    ``writing(s, schema=False)`` (a write inside the session's transaction or, where allowed, in
    one of its own), ``begin_write(s)`` (a transaction that writes at once, for bulk writers),
    ``savepoint/release_savepoint/rollback_to_savepoint(s, name)``, ``writer()`` and
    ``writers_waiting()`` (who holds or waits for the writer lock); durability: ``set_sync``,
    ``set_session_sync``, ``SYNC_MODES``; ``auto_transaction``; ``pragma(s, name)``.
    A ``Session``'s ``depth`` (a transaction is active) and ``write_open`` (it holds the write
    transaction) are read above; the rest of it is storage's.

Catalog and schema changes (ddl.py, catalog.py)
    ``catalog`` (types, properties, indexes: ``TypeDef``, ``PropertyDef``, ``IndexDef``; value
    checks), ``get_type(name)``, ``create_type``, ``drop_type``, ``alter_type``,
    ``create_property``, ``alter_property``, ``drop_property``, ``create_index``, ``drop_index``,
    ``rebuild_index``, ``index_for(type, properties)``, ``indexes_named_in(plan text)``.

Records (records.py)
    ``prepare(type, props[, old])`` validates and encodes (the one path of every write);
    ``insert``, ``update``, ``delete`` (one record); ``insert_rows`` (many, returning their
    positions), ``insert_json_rows``, ``update_rows``, ``delete_row``, ``truncate``,
    ``missing_vertices`` (bulk, inside a write transaction the caller holds); reads hand out
    ``Row``s (rows.py: plain tuples of a fixed layout, read by unpacking): ``load(s, rid)``,
    ``load_many``, ``find_by_key``, ``scan_type`` (one type's table in position order),
    ``edges(s, packed vertex, direction, labels)``; ``neighbors`` (packed RIDs from the
    adjacency indexes alone), ``count``, ``has_edges``, ``edge_types``, ``update_base``.

Queries (ir.py, query.py)
    A small predicate/order IR the planner builds (ir.py: ``Field``, ``Compare``, ``And``...),
    compiled into SQLite SQL over the per-type tables (query.py: ``compile_scan``,
    ``compile_count``, ``compile_aggregate``); a compiled query's ``run(storage, session,
    values)`` hands out ``ScanRow``s.

Errors (errors.py)
    SQLite errors leave every method above as ArcadeDBErrors (a unique-index failure as a
    DuplicatedKeyError naming index, key and holder); ``storage_error(exc)`` tells whether an
    exception came from SQLite (for a last-resort net around a whole statement); ``os_error``
    translates an OSError of a file the database writes (a full disk: DiskFullError). After a
    failed write, ``Storage.reconcile`` / ``transaction_lost`` make a session agree with SQLite,
    which rolls a transaction back by itself on a full disk or an I/O error.

Values (codec.py)
    How property values are stored so that SQLite still compares them: ``encode_record``,
    ``decode_record``, ``sql_value``.
"""

from typing import TYPE_CHECKING

from .engine import Storage
from .errors import os_error, storage_error
from .records import ROWS_PER_INSERT
from .sessions import SYNC_MODES, Session
from .sqltext import field_sql, json_path

if TYPE_CHECKING:  # row layouts are types only (rows.py): nothing to import at run time
    from .rows import EdgeRow, RecordRow, Row, ScanRow  # noqa: F401

__all__ = ["ROWS_PER_INSERT", "SYNC_MODES", "Session", "Storage", "field_sql", "json_path",
           "os_error", "storage_error"]  # fmt: skip
