"""The bindings' vector-search API: ``db.create_vector_index(...)`` and the ``VectorIndex`` object.

Defaults are the seed era's (bindings 26.2.1 and upstream Jan 2026, ``core.py``/``vector.py``):
``max_connections=16, beam_width=100, quantization="INT8"``, ``find_nearest(...,
overquery_factor=4)``; docs/reference-notes.md section 15 says why not issue 14's 32/256/None/16.
Differences from the seed era, on purpose: bad input raises (a VectorError naming the culprit)
where ``find_nearest`` returned ``[]``; search is exact below ``EXACT_THRESHOLD`` vectors and
re-scored exactly above it, so a filtered search returns k results whenever k allowed records
hold a vector; deleted records are never returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import VectorError
from .query.vectors import indexes_of, packed_rid, vector_config

if TYPE_CHECKING:
    from .database import Database
    from .model.records import Document

def create_vector_index(db: Database, vertex_type: str, vector_property: str, dimensions: int,
                        distance_function: str = "cosine", max_connections: int = 16,
                        beam_width: int = 100, quantization: str | None = "INT8",
                        build_graph_now: bool = True, **options: Any) -> VectorIndex:  # fmt: skip
    """Create an LSM_VECTOR index on ``vertex_type.vector_property`` (declared beforehand) and
    index the records it holds already; ``options`` are the seed era's tuning keywords, kept in
    the index's metadata (arcadelite's HNSW graph has its own settings)."""
    storage = db._live_storage()
    _require_numpy()
    config = vector_config(dimensions, distance_function, quantization, max_connections,
                           beam_width, **options)
    type_def = storage.catalog.get(vertex_type)
    if vector_property not in type_def.all_properties:
        raise VectorError(f"Cannot create the index on type '{vertex_type}.{vector_property}' "
                          "because the property does not exist")
    definition = storage.create_index(storage.session(), vertex_type, [vector_property], False,
                                      "LSM_VECTOR", vector=config)  # fmt: skip
    index = VectorIndex(db, definition.name)
    if build_graph_now:
        index.build_graph_now()
    return index


def _require_numpy() -> None:
    try:
        import numpy  # noqa: F401
    except ImportError:
        raise VectorError("Vector search needs numpy: pip install 'arcadelite[vector]'") from None


class VectorIndex:
    """One LSM_VECTOR index of a database (``db.schema.get_vector_index(type, property)``)."""

    def __init__(self, db: Database, name: str) -> None:
        self._db = db
        self.name = name

    def _indexes(self) -> Any:
        return indexes_of(self._db._live_storage())

    def _config(self) -> dict[str, Any]:
        return self._indexes().definition(self.name).vector

    def find_nearest(self, query_vector: Any, k: int = 10, overquery_factor: int = 4,
                     allowed_rids: Any = None) -> list[tuple[Document, float]]:  # fmt: skip
        """The k nearest records as ``(record, score)`` pairs, nearest first (scores as the seed
        era: cosine ``(1-cos)/2`` and dot ``-(1+a.b)/2`` lower is nearer, euclidean
        ``1/(1+d^2)`` higher is nearer). ``allowed_rids`` (RIDs, their text or records; empty
        means no filter) restricts the result."""
        return self._find(query_vector, k, overquery_factor, allowed_rids, approximate=False)

    def find_nearest_approximate(self, query_vector: Any, k: int = 10, overquery_factor: int = 1,
                                 allowed_rids: Any = None) -> list[tuple[Document, float]]:  # fmt: skip
        """As ``find_nearest``, through the HNSW graph at any size when one can be built (the
        seed era needs PRODUCT quantization here; arcadelite has no PQ)."""
        return self._find(query_vector, k, overquery_factor, allowed_rids, approximate=True)

    def _find(self, query_vector: Any, k: Any, overquery_factor: Any, allowed_rids: Any,
              approximate: bool) -> list[tuple[Document, float]]:  # fmt: skip
        if isinstance(overquery_factor, bool) or not isinstance(overquery_factor, int):
            raise VectorError(f"overquery_factor must be an integer, got {overquery_factor!r}")
        allowed = None
        if allowed_rids is not None:
            if isinstance(allowed_rids, (str, bytes)):
                raise VectorError("allowed_rids must be a list of RIDs, not a string")
            allowed = [packed_rid(r) for r in allowed_rids] or None
        storage = self._db._live_storage()
        session = storage.thread_session_if_any()
        found = self._indexes().search(self.name, query_vector, k, session=session,
                                       allowed=allowed, overquery_factor=overquery_factor,
                                       approximate=approximate)  # fmt: skip
        from .rid import RID

        return [(self._db.lookup_by_rid(RID.from_int(rid)), score) for rid, score in found]

    def get_size(self) -> int:
        """How many records hold a vector in this index (this transaction's changes included)."""
        storage = self._db._live_storage()
        return int(self._indexes().size(self.name, storage.thread_session_if_any()))

    def get_quantization(self) -> str:
        """``"NONE"``, ``"INT8"`` or ``"BINARY"``."""
        return str(self._config()["quantization"])

    def get_dimensions(self) -> int:
        return int(self._config()["dimensions"])

    def get_similarity(self) -> str:
        """``"COSINE"``, ``"EUCLIDEAN"`` or ``"DOT_PRODUCT"``."""
        return str(self._config()["similarity"])

    def get_metadata(self) -> dict[str, Any]:
        return {k: v for k, v in self._config().items() if k != "nonce"}

    def build_graph_now(self) -> bool:
        """Catch up and build the HNSW graph now (above the exact-search threshold, when faiss
        or usearch is installed), then save a snapshot so later opens load it. True if built."""
        return bool(self._indexes().build_graph(self.name))

    def __repr__(self) -> str:
        return f"<VectorIndex {self.name}>"


__all__ = ["VectorIndex", "create_vector_index"]
