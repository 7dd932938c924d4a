"""The approximate (HNSW) index behind large vector indexes: a thin wrapper over usearch.

usearch is an optional dependency (``pip install 'arcadelite[vector]'``); without it every search
is exact. Keys are packed RIDs (non-negative 64-bit integers). The wrapper only proposes
candidates: the caller re-scores them exactly against its own vectors and checks them against
the records, so a stale or damaged ANN graph can cost recall, never correctness.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .space import FLOAT, Similarity

try:  # optional
    from usearch.index import Index as _UsearchIndex
except ImportError:  # pragma: no cover - exercised where usearch is absent
    _UsearchIndex = None

#: HNSW parameters chosen from bench/vector_ann_compare.py (see the vector report).
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 128

_METRICS = {Similarity.COSINE: "cos", Similarity.EUCLIDEAN: "l2sq", Similarity.DOT_PRODUCT: "ip"}


def ann_available() -> bool:
    """True when usearch is installed."""
    return _UsearchIndex is not None


class AnnIndex:
    """An HNSW graph over (key, vector) pairs; proposes candidate keys for a query."""

    def __init__(self, dimensions: int, similarity: Similarity, *, _index=None) -> None:
        if _UsearchIndex is None:
            raise RuntimeError("usearch is not installed: pip install 'arcadelite[vector]'")
        self.dimensions = dimensions
        self.similarity = similarity
        self.expansion_search = EXPANSION_SEARCH  # the search breadth (HNSW "ef")
        self._index = _index or _UsearchIndex(
            ndim=dimensions, metric=_METRICS[similarity], dtype="f32",
            connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )

    def __len__(self) -> int:
        return len(self._index)

    def add(self, keys: np.ndarray, vectors: np.ndarray, threads: int = 0) -> None:
        if len(keys):
            self._index.add(np.asarray(keys, dtype=np.uint64),
                            np.ascontiguousarray(vectors, dtype=FLOAT), threads=threads)

    def remove(self, keys: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.uint64)
        if len(keys):
            present = keys[np.asarray(self._index.contains(keys), dtype=bool).reshape(-1)]
            if len(present):
                self._index.remove(present)

    def search(self, query: np.ndarray, count: int) -> np.ndarray:
        """Up to ``count`` candidate keys, nearest first by the graph's own metric."""
        if count <= 0 or len(self._index) == 0:
            return np.empty(0, dtype=np.int64)
        self._index.expansion_search = max(self.expansion_search, count)
        matches = self._index.search(np.asarray(query, dtype=FLOAT), count, threads=1)
        return np.asarray(matches.keys, dtype=np.int64)

    def save(self, path: Path) -> None:
        self._index.save(os.fspath(path))

    @classmethod
    def load(cls, path: Path, dimensions: int, similarity: Similarity) -> AnnIndex:
        index = _UsearchIndex.restore(os.fspath(path))
        if index is None or index.ndim != dimensions:
            raise ValueError(f"ANN snapshot {path} does not match {dimensions} dimensions")
        return cls(dimensions, similarity, _index=index)
