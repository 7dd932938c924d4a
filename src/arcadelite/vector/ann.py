"""The approximate (HNSW) index behind large vector indexes: faiss-cpu, or usearch.

Both are optional (``pip install 'arcadelite[vector]'`` brings faiss-cpu, the one chosen from
bench/vector_ann_compare.py: at 1M x 128 it built ~2.5x faster than usearch and reached recall@10
0.97 at ~1 ms/query); without either every search is exact. ``ARCADELITE_ANN=faiss|usearch``
picks one when both are installed. Keys are
packed RIDs (non-negative 64-bit integers). A backend only proposes candidates: the caller
re-scores them exactly against its own vectors and checks them against the records, so a stale or
damaged graph can cost recall, never correctness.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from .space import FLOAT, Similarity


def _optional(module: str) -> Any:
    """An optional library's module, or None where it is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:  # pragma: no cover - exercised where the library is absent
        return None


_usearch: Any = _optional("usearch.index")
_UsearchIndex: Any = _usearch.Index if _usearch is not None else None
_faiss: Any = _optional("faiss")

#: HNSW parameters chosen from bench/vector_ann_compare.py: M=16, efConstruction=128, and
#: efSearch=256 (at 1M, 128 gave recall@10 0.91, 256 gave 0.97 at ~1 ms/query with faiss).
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 256

_METRICS = {Similarity.COSINE: "cos", Similarity.EUCLIDEAN: "l2sq", Similarity.DOT_PRODUCT: "ip"}


def ann_backend() -> Any:
    """The HNSW backend class to use (ARCADELITE_ANN chooses), or None when none is installed."""
    wanted = os.environ.get("ARCADELITE_ANN", "").strip().lower()
    installed = {name: cls for name, cls in (("faiss", FaissAnnIndex), ("usearch", AnnIndex))
                 if cls.installed()}
    if wanted in installed:
        return installed[wanted]
    return next(iter(installed.values()), None)


def ann_available() -> bool:
    """True when an HNSW library (usearch or faiss-cpu) is installed."""
    return ann_backend() is not None


class AnnIndex:
    """An HNSW graph (usearch) over (key, vector) pairs; proposes candidate keys for a query."""

    name = "usearch"

    @staticmethod
    def installed() -> bool:
        return _UsearchIndex is not None

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


class FaissAnnIndex:
    """The same contract over faiss-cpu's IndexHNSWFlat (behind IndexIDMap2 for RID keys).

    faiss cannot remove from an HNSW graph: removed and replaced keys stay in it as stale
    entries, which the caller skips (it checks every candidate against its live rows) and which
    count toward its rebuild-when-worn rule. Cosine is inner product over normalised vectors.
    """

    name = "faiss"

    @staticmethod
    def installed() -> bool:
        return _faiss is not None

    def __init__(self, dimensions: int, similarity: Similarity, *, _index=None) -> None:
        if _faiss is None:
            raise RuntimeError("faiss-cpu is not installed")
        self.dimensions = dimensions
        self.similarity = similarity
        self.expansion_search = EXPANSION_SEARCH
        if _index is None:
            metric = _faiss.METRIC_L2 if similarity is Similarity.EUCLIDEAN \
                else _faiss.METRIC_INNER_PRODUCT
            graph = _faiss.IndexHNSWFlat(dimensions, CONNECTIVITY, metric)
            graph.hnsw.efConstruction = EXPANSION_ADD
            _index = _faiss.IndexIDMap2(graph)
        self._index = _index
        self._graph = _faiss.downcast_index(_index.index)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def _prepare(self, vectors: np.ndarray) -> np.ndarray:
        vectors = np.ascontiguousarray(np.atleast_2d(vectors), dtype=FLOAT)
        if self.similarity is Similarity.COSINE:
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.where(norms == 0, 1, norms)
        return np.ascontiguousarray(vectors, dtype=FLOAT)

    def add(self, keys: np.ndarray, vectors: np.ndarray, threads: int = 0) -> None:
        if len(keys):
            _faiss.omp_set_num_threads(threads or os.cpu_count() or 1)
            try:
                self._index.add_with_ids(self._prepare(vectors), np.asarray(keys, dtype=np.int64))
            finally:
                _faiss.omp_set_num_threads(1)

    def remove(self, keys: np.ndarray) -> None:
        """A no-op: the entries stay, stale (see the class docstring)."""

    def search(self, query: np.ndarray, count: int) -> np.ndarray:
        if count <= 0 or self._index.ntotal == 0:
            return np.empty(0, dtype=np.int64)
        self._graph.hnsw.efSearch = max(self.expansion_search, count)
        # one query gains nothing from OpenMP threads, and their spin-waits cost ~3 ms of CPU
        _faiss.omp_set_num_threads(1)
        _, found = self._index.search(self._prepare(query), count)
        found = found[0][found[0] >= 0]
        _, first = np.unique(found, return_index=True)  # a replaced key appears twice
        return found[np.sort(first)]

    def save(self, path: Path) -> None:
        _faiss.write_index(self._index, os.fspath(path))

    @classmethod
    def load(cls, path: Path, dimensions: int, similarity: Similarity) -> FaissAnnIndex:
        index = _faiss.read_index(os.fspath(path))
        if index.d != dimensions:
            raise ValueError(f"ANN snapshot {path} does not match {dimensions} dimensions")
        return cls(dimensions, similarity, _index=index)
