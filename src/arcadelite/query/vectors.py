"""Vector indexes at run time: one in-memory ``VectorIndexCore`` per LSM_VECTOR index, following
its records through storage's ``VectorRecords``, with a snapshot beside the database.

The records are the truth (storage keeps each indexed vector as a BLOB written in the record's
own transaction); the core is caught up from them before every search (one ``max(seq)`` read
when nothing changed) and on first use after an open (from the snapshot in
``<database>/vectors/<table>/`` when it is usable, else by a full scan). A search made inside a
write transaction also sees that transaction's own vector changes (scored exactly). Snapshots
are written on close when the index changed, and by ``build_graph_now``.

numpy (the ``[vector]`` extra) is imported only when a vector index is used.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ArcadeDBError, SchemaError, VectorError
from ..rid import RID
from ..storage.vectors import VectorRecords, table_of

if TYPE_CHECKING:
    from ..storage import Session, Storage
    from ..storage.catalog import IndexDef
    from ..vector.index import VectorIndexCore

_REGISTRY: weakref.WeakKeyDictionary[Any, VectorIndexes] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def indexes_of(storage: Storage) -> VectorIndexes:
    """The vector indexes of an open database (one registry per Storage)."""
    with _REGISTRY_LOCK:
        found = _REGISTRY.get(storage)
        if found is None:
            found = _REGISTRY[storage] = VectorIndexes(storage)
        return found


def close_storage(storage: Storage) -> None:
    """Save the snapshots of the indexes that changed (before the storage closes)."""
    with _REGISTRY_LOCK:
        found = _REGISTRY.pop(storage, None)
    if found is not None:
        found.save_all()


def _require_numpy() -> None:
    try:
        import numpy  # noqa: F401
    except ImportError:
        raise ArcadeDBError("Vector search needs numpy: pip install 'arcadelite[vector]'") from None


class _Source(VectorRecords):
    """VectorRecords reading through one private session kept for the index (no connection
    opened per search)."""

    def __init__(self, storage: Storage, index_name: str) -> None:
        super().__init__(storage, index_name)
        self._own: Session | None = None
        self._lock = threading.RLock()

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._lock:
            if self._own is None:
                self._own = self.storage.new_private_session()
            session = self._own
            session.cursor.execute("BEGIN")
            self._snapshot = session
            try:
                yield
            finally:
                self._snapshot = None
                session.cursor.execute("COMMIT")

    def database_id(self) -> str:
        with self.reading():
            row = self._conn().execute(
                "SELECT value FROM al_meta WHERE key = 'database_id'").fetchone()
        return str(row[0]) if row else ""


class _Open:
    __slots__ = ("core", "source", "saved_generation", "report")

    def __init__(self, core: VectorIndexCore, source: _Source, saved: int, report: Any) -> None:
        self.core = core
        self.source = source
        self.saved_generation = saved
        self.report = report


class VectorIndexes:
    """The open vector indexes of one database."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._open: dict[str, _Open] = {}
        self._lock = threading.Lock()

    def definition(self, name: str) -> IndexDef:
        index = self.storage.catalog.indexes.get(name)
        if index is None or index.vector is None:
            raise SchemaError(f"Vector index '{name}' does not exist")
        return index

    def snapshot_dir(self, name: str) -> Path:
        return Path(self.storage.folder) / "vectors" / table_of(name)

    def _opened(self, index: IndexDef) -> _Open:
        _require_numpy()
        from ..vector.index import IndexConfig, VectorIndexCore
        from ..vector.quantization import Quantization
        from ..vector.space import Similarity

        config = index.vector or {}
        with self._lock:
            found = self._open.get(index.name)
            if found is not None and found.core.config.name == f"{index.name}#{config['nonce']}":
                return found
            core = VectorIndexCore(IndexConfig(
                f"{index.name}#{config['nonce']}", int(config["dimensions"]),
                Similarity.parse(config["similarity"]), Quantization.parse(config["quantization"])))
            if config.get("efSearch") is not None:  # the HNSW search breadth, else the library's
                core.expansion_search = int(config["efSearch"])
            source = _Source(self.storage, index.name)
            report = core.open(source, self.snapshot_dir(index.name))
            saved = core.generation if report.from_snapshot and not (
                report.added or report.removed or report.replaced) else -1
            found = self._open[index.name] = _Open(core, source, saved, report)
            return found

    def core(self, name: str) -> VectorIndexCore:
        """The index, caught up with every committed change."""
        opened = self._opened(self.definition(name))
        opened.core.refresh(opened.source)
        return opened.core

    def open_report(self, name: str) -> Any:
        return self._opened(self.definition(name)).report

    def size(self, name: str, session: Session | None = None) -> int:
        core = self.core(name)
        size = len(core)
        if session is not None and session.write_open:
            for packed, blob in self._pending(name, core, session).items():
                size += (blob is not None) - (core.vector(packed) is not None)
        return size

    def _pending(self, name: str, core: VectorIndexCore,
                 session: Session) -> dict[int, bytes | None]:  # fmt: skip
        source = self._opened(self.definition(name)).source
        return {int(rid): blob for rid, blob in source.pending(session, core.generation)}

    def search(self, name: str, query: Any, k: int, *, session: Session | None = None,
               allowed: Iterable[int] | None = None,
               overquery_factor: int = 4,
               approximate: bool = False) -> list[tuple[int, float]]:  # fmt: skip
        """(packed RID, score) of the k nearest, nearest first (see VectorIndexCore.search);
        inside a write transaction its own uncommitted vector changes count too."""
        core = self.core(name)
        allowed_list = None if allowed is None else [int(r) for r in allowed]
        pending = self._pending(name, core, session) \
            if session is not None and session.write_open else {}
        if not pending:
            return core.search(query, k, allowed=allowed_list, overquery_factor=overquery_factor,
                               approximate=approximate)
        return self._search_with_pending(core, query, k, allowed_list, overquery_factor, pending)

    def _search_with_pending(self, core: VectorIndexCore, query: Any, k: int,
                             allowed: list[int] | None, overquery: int,
                             pending: dict[int, bytes | None]) -> list[tuple[int, float]]:  # fmt: skip
        import numpy as np

        from ..vector.quantization import represent
        from ..vector.space import coerce_vector, nearness_key, scores, vector_from_blob

        found = core.search(query, k + len(pending), allowed=allowed, overquery_factor=overquery)
        merged = [(rid, score) for rid, score in found if rid not in pending]
        allowed_set = None if allowed is None else set(allowed)
        written = [(rid, blob) for rid, blob in pending.items() if blob is not None
                   and (allowed_set is None or rid in allowed_set)]  # fmt: skip
        if written:
            d = core.config.dimensions
            matrix = np.stack([vector_from_blob(blob, d, RID.from_int(rid))
                               for rid, blob in written])
            shown = represent(matrix, core.config.quantization)
            query_vector = coerce_vector(query, d, "query vector")
            values = scores(core.config.similarity, shown, query_vector)
            merged += [(rid, float(v)) for (rid, _), v in zip(written, values) if not np.isnan(v)]
        keys = nearness_key(core.config.similarity,
                            np.asarray([s for _, s in merged], dtype=np.float32))
        order = sorted(range(len(merged)), key=lambda i: (float(keys[i]), merged[i][0]))
        return [merged[i] for i in order[:k]]

    def build_graph(self, name: str) -> bool:
        """Build the HNSW graph now and save a snapshot holding it (later opens load it)."""
        core = self.core(name)
        built = core.build_ann()
        self.save(name)
        return built

    def save(self, name: str) -> None:
        opened = self._open.get(name)
        if opened is None or name not in self.storage.catalog.indexes:
            return
        opened.core.save_snapshot(self.snapshot_dir(name), opened.source.database_id())
        opened.saved_generation = opened.core.generation

    def save_all(self) -> None:
        for name, opened in list(self._open.items()):
            if opened.core.generation != opened.saved_generation or (
                    opened.core.has_ann and not opened.report.from_snapshot):
                try:
                    opened.core.refresh(opened.source)
                    self.save(name)
                except (OSError, ArcadeDBError):
                    pass  # the snapshot is only an accelerator: the next open rebuilds

    def forget(self, name: str) -> None:
        """A dropped index: drop its memory and snapshot."""
        import shutil

        with self._lock:
            self._open.pop(name, None)
        shutil.rmtree(self.snapshot_dir(name), ignore_errors=True)


#: What ``create_vector_index`` accepts for a dimension count.
MAX_DIMENSIONS = 65_536


def vector_config(dimensions: Any, similarity: Any, quantization: Any, max_connections: Any,
                  beam_width: Any, **extra: Any) -> dict[str, Any]:  # fmt: skip
    """A validated LSM_VECTOR configuration (VectorError naming what is wrong)."""
    from ..vector.quantization import Quantization
    from ..vector.space import Similarity

    if isinstance(dimensions, bool) or not isinstance(dimensions, int) \
            or not 1 <= dimensions <= MAX_DIMENSIONS:
        raise VectorError(f"dimensions must be an integer from 1 to {MAX_DIMENSIONS}, "
                          f"got {dimensions!r}")
    for name, value in (("max_connections", max_connections), ("beam_width", beam_width)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise VectorError(f"{name} must be a positive integer, got {value!r}")
    config = {"dimensions": dimensions, "similarity": Similarity.parse(similarity).value,
              "quantization": Quantization.parse(quantization).value,
              "maxConnections": max_connections, "beamWidth": beam_width}
    config.update({k: v for k, v in extra.items() if v is not None})
    if "ef_search" in config:
        config["efSearch"] = config.pop("ef_search")
    search = config.get("efSearch")
    if search is not None and (isinstance(search, bool) or not isinstance(search, int)
                               or search < 1):
        raise VectorError(f"efSearch must be a positive integer, got {search!r}")
    return config


def packed_rid(value: Any) -> int:
    """A RID, its text '#b:p' or a record, as a packed integer (VectorError otherwise)."""
    rid = getattr(value, "rid", None) if not isinstance(value, (str, RID)) else value
    if callable(getattr(value, "get_rid", None)) and rid is None:
        rid = value.get_rid()
    try:
        rid = rid if isinstance(rid, RID) else RID.parse(str(rid))
    except (ValueError, ArcadeDBError):
        raise VectorError(f"Not a RID: {value!r}") from None
    return rid.to_int()


__all__ = ["VectorIndexes", "close_storage", "indexes_of", "packed_rid", "vector_config"]
