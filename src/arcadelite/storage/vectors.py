"""Vector indexes in the file: each indexed vector as a float32 BLOB, kept by SQLite triggers.

An ``LSM_VECTOR`` index on ``T.prop`` owns a table ``v<hash>(rid, vec, seq)``: ``rid`` the packed
RID of a record of T (or a subtype) whose ``prop`` holds a vector, ``vec`` its little-endian
float32 BLOB (NULL once the record is deleted or its vector removed: a tombstone), ``seq`` the
change sequence (every write takes ``max(seq) + 1``). Triggers on each type table write it in
the same statement, so in the same transaction, as the record: a rollback or a crash treats both
alike, and no write path (API, SQL, bulk, async) can bypass it. The trigger converts the JSON
array through the ``al_vector`` SQL function, which refuses a wrong dimension or a non-numeric
component (VectorError naming record, index and culprit), failing the write.

``VectorRecords`` reads that table for the vector layer (its ``VectorSource`` protocol): the
generation is ``max(seq)``, the changes since a generation are the rows with a higher ``seq``.
"""

from __future__ import annotations

import array
import hashlib
import json
import math
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from typing import TYPE_CHECKING, Any

import apsw
import orjson

from ..exceptions import VectorError
from ..rid import POSITION_BITS, bucket_range
from .sqltext import json_path

if TYPE_CHECKING:
    from .catalog import IndexDef, TypeDef
    from .engine import Storage

VECTOR_FUNCTION = "al_vector"
META_PREFIX = "vector_index:"


def table_of(index_name: str) -> str:
    """The side table of a vector index (stable across reopen)."""
    return f"v{hashlib.blake2s(index_name.encode(), digest_size=6).hexdigest()}"


def _trigger(index_name: str, type_id: int, event: str) -> str:
    return f"{table_of(index_name)}_{type_id}_{event}"


class _Where:
    """``record #b:p, index 'I'``, formatted only when an error names it."""

    __slots__ = ("packed", "index_name")

    def __init__(self, packed: int, index_name: str) -> None:
        self.packed, self.index_name = packed, index_name

    def __str__(self) -> str:
        bucket, position = self.packed >> POSITION_BITS, self.packed & ((1 << POSITION_BITS) - 1)
        return f"record #{bucket}:{position}, index '{self.index_name}'"


def body_vector_blob(body: Any, prop: str, dimensions: int, index_name: str,
                     packed: int) -> bytes | None:  # fmt: skip
    """The float32 BLOB of property ``prop`` of a record's JSON body, None when it has none;
    VectorError when it is not a vector of the index's dimension (the triggers' SQL function:
    one parse of the body, cheaper than SQLite's json_type plus json_extract)."""
    values = orjson.loads(body).get(prop)
    if values is None:
        return None
    return vector_blob(values, dimensions, index_name, packed)


def vector_blob(values: Any, dimensions: int, index_name: str, packed: int) -> bytes:
    """The float32 BLOB of a vector (a list of numbers); VectorError naming record and index
    when it is not a vector of the index's dimension."""
    where = _Where(packed, index_name)
    if not isinstance(values, list):
        raise VectorError(f"A vector must be a list of numbers, got {type(values).__name__} "
                          f"({where})")
    if len(values) != dimensions:
        raise VectorError(f"Vector dimension {len(values)} does not match index dimension "
                          f"{dimensions} ({where})")
    if not all(type(item) is float for item in values):  # the common case needs no more
        for position_in, item in enumerate(values):
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise VectorError(f"Vector component {position_in} is {item!r}, not a number "
                                  f"({where})")
    floats = array.array("f", values)
    if not math.isfinite(sum(floats)):  # a sum of float32 values overflows no double
        raise VectorError(f"Vector holds a non-finite or out-of-float32-range component ({where})")
    if sys.byteorder == "big":
        floats.byteswap()
    return floats.tobytes()


def register_functions(conn: apsw.Connection) -> None:
    """Make ``al_vector`` callable on this connection (the triggers need it on every one)."""
    conn.create_scalar_function(VECTOR_FUNCTION, body_vector_blob, 5, deterministic=True)  # type: ignore[arg-type]  # apsw types a UDF as taking any SQLite value


def create_table(cursor: apsw.Cursor, index: IndexDef, config: dict[str, Any]) -> None:
    table = table_of(index.name)
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {table}(rid INTEGER PRIMARY KEY, vec BLOB, "
                   "seq INTEGER NOT NULL)")
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_seq ON {table}(seq)")
    # the RIDs holding a vector, read on every open, without reading the BLOBs
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_live ON {table}(rid) WHERE vec IS NOT NULL")
    cursor.execute("INSERT OR REPLACE INTO al_meta VALUES (?, ?)",
                   (META_PREFIX + index.name, json.dumps(config)))
    cursor.execute("INSERT OR IGNORE INTO al_meta VALUES ('database_id', ?)", (str(uuid.uuid4()),))


def create_triggers(cursor: apsw.Cursor, index: IndexDef, target: TypeDef, dimensions: int,
                    fill: bool = True) -> None:
    """Keep the index's table in step with ``target``'s table (and copy what it holds now)."""
    table = table_of(index.name)
    path = json_path(index.properties[0])
    prop = index.properties[0].replace("'", "''")
    # a cheap pre-filter: the key as orjson writes it; the function answers NULL when the
    # property is absent after all (e.g. the same key inside an embedded map)
    key = (orjson.dumps(index.properties[0]).decode() + ":").replace("'", "''")
    rid = f"(({target.id} << {POSITION_BITS}) | new.pos)"
    name = index.name.replace("'", "''")
    nxt = f"(SELECT coalesce(max(seq), 0) + 1 FROM {table})"
    # a NULL vec is "no vector" (a record that lost its vector, or was deleted)
    put = (f"INSERT OR REPLACE INTO {table}(rid, vec, seq) VALUES ({rid}, {VECTOR_FUNCTION}("
           f"new.body, '{prop}', {dimensions}, '{name}', {rid}), {nxt});")
    old_rid = rid.replace("new.", "old.")
    cursor.execute(
        f"CREATE TRIGGER IF NOT EXISTS {_trigger(index.name, target.id, 'i')} AFTER INSERT ON "
        f"{target.table} WHEN instr(new.body, '{key}') > 0 BEGIN {put} END;"
        f"CREATE TRIGGER IF NOT EXISTS {_trigger(index.name, target.id, 'u')} AFTER UPDATE OF body "
        f"ON {target.table} WHEN json_extract(old.body, {path}) IS NOT "
        f"json_extract(new.body, {path}) BEGIN {put} END;"
        f"CREATE TRIGGER IF NOT EXISTS {_trigger(index.name, target.id, 'd')} AFTER DELETE ON "
        f"{target.table} BEGIN UPDATE {table} SET vec = NULL, seq = {nxt} WHERE rid = {old_rid} "
        "AND vec IS NOT NULL; END;"
    )
    if fill:
        rid_col = f"(({target.id} << {POSITION_BITS}) | pos)"
        cursor.execute(
            f"INSERT OR REPLACE INTO {table}(rid, vec, seq) SELECT {rid_col}, {VECTOR_FUNCTION}("
            f"body, '{prop}', {dimensions}, '{name}', {rid_col}), (SELECT coalesce(max(seq), 0) "
            f"+ 1 FROM {table}) FROM {target.table} WHERE instr(body, '{key}') > 0"
        )


def forget_type(cursor: apsw.Cursor, index: IndexDef, target: TypeDef) -> None:
    """Tombstone the vectors of a dropped type's records (its triggers go with its table)."""
    table = table_of(index.name)
    low, high = bucket_range(target.id)
    cursor.execute(f"UPDATE {table} SET vec = NULL, seq = (SELECT coalesce(max(seq), 0) + 1 "
                   f"FROM {table}) WHERE rid >= ? AND rid < ? AND vec IS NOT NULL", (low, high))


def drop(cursor: apsw.Cursor, index: IndexDef, targets: list[TypeDef]) -> None:
    for target in targets:
        for event in "iud":
            cursor.execute(f"DROP TRIGGER IF EXISTS {_trigger(index.name, target.id, event)}")
    cursor.execute(f"DROP TABLE IF EXISTS {table_of(index.name)}")
    cursor.execute("DELETE FROM al_meta WHERE key = ?", (META_PREFIX + index.name,))


def load_configs(conn: apsw.Connection) -> dict[str, dict[str, Any]]:
    """Every vector index's configuration, by index name."""
    rows = conn.execute("SELECT key, value FROM al_meta WHERE key LIKE ?",
                        (META_PREFIX + "%",)).fetchall()
    return {str(key)[len(META_PREFIX):]: json.loads(str(value)) for key, value in rows}


class VectorRecords:
    """The vector layer's ``VectorSource`` over one index's table (committed data only)."""

    def __init__(self, storage: Storage, index_name: str) -> None:
        self.storage = storage
        self.table = table_of(index_name)
        self._snapshot: Any = None

    def _conn(self) -> apsw.Connection:
        if self._snapshot is None:
            raise RuntimeError("VectorRecords read outside reading()")
        return self._snapshot.conn

    def database_id(self) -> str:
        with self.storage.read_snapshot() as s:
            row = s.conn.execute("SELECT value FROM al_meta WHERE key = 'database_id'").fetchone()
        return str(row[0]) if row else ""

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self.storage.read_snapshot() as session:
            self._snapshot = session
            try:
                yield
            finally:
                self._snapshot = None

    def generation(self) -> int:
        row = self._conn().execute(f"SELECT coalesce(max(seq), 0) FROM {self.table}").fetchone()
        return int(row[0]) if row else 0

    def ids(self) -> Any:
        import numpy as np  # the vector extra: only reached when a vector index is searched

        rows = self._conn().execute(f"SELECT rid FROM {self.table} WHERE vec IS NOT NULL")
        return np.fromiter(chain.from_iterable(rows), dtype=np.int64)  # no Python frame per row

    def fetch(self, ids: Any) -> Iterator[tuple[int, bytes]]:
        conn = self._conn()
        wanted = [int(r) for r in ids]
        for start in range(0, len(wanted), 900):
            chunk = wanted[start:start + 900]
            marks = ",".join("?" * len(chunk))
            yield from conn.execute(
                f"SELECT rid, vec FROM {self.table} WHERE vec IS NOT NULL AND rid IN ({marks})",
                chunk)

    def scan(self) -> Iterator[tuple[int, bytes]]:
        yield from self._conn().execute(f"SELECT rid, vec FROM {self.table} WHERE vec IS NOT NULL")

    def changes_since(self, generation: int) -> list[tuple[int, bytes | None]]:
        return list(self._conn().execute(
            f"SELECT rid, vec FROM {self.table} WHERE seq > ? ORDER BY seq", (generation,)))

    def pending(self, session: Any, generation: int) -> list[tuple[int, bytes | None]]:
        """Changes above ``generation`` as ``session`` sees them (its own uncommitted writes)."""
        return list(session.conn.execute(
            f"SELECT rid, vec FROM {self.table} WHERE seq > ? ORDER BY seq", (generation,)))


__all__ = ["VectorRecords", "create_table", "create_triggers", "drop", "forget_type",
           "load_configs", "register_functions", "table_of", "vector_blob", "body_vector_blob"]
