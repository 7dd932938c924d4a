"""Vector search core: distance scores, quantization, exact and HNSW search, crash-safe snapshots.

This package knows nothing of SQLite, records or SQL. The public API (``create_vector_index``,
``find_nearest`` ...) and the SQL layer (``CREATE INDEX ... LSM_VECTOR``, ``vectorNeighbors`` and
the ``vector*`` functions) call it; storage feeds it. It needs numpy; faiss-cpu (the ``[vector]``
extra; usearch works too) adds an HNSW graph for indexes above ``EXACT_THRESHOLD`` vectors, else
search stays exact.

Modules
    space          Similarity (COSINE, EUCLIDEAN, DOT_PRODUCT), the seed-era scores, validation
                   of vectors (VectorError naming the culprit), float32 BLOB conversion.
    quantization   Quantization (NONE, INT8, BINARY) with the seed era's arithmetic.
    exact          exact_search: chunked numpy products, optional allowed rows, recall 1.0.
    ann            FaissAnnIndex / AnnIndex (usearch): an HNSW graph proposing candidate RIDs,
                   never trusted alone.
    index          VectorIndexCore: one index's vectors in memory, search, open/refresh from a
                   VectorSource, snapshot files.
    functions      vectorAdd ... vectorSum as plain functions and aggregate classes.

What storage must provide (the ``VectorSource`` protocol in ``index.py``), per vector index:

* Each vector is stored as a little-endian float32 BLOB of ``4 * dimensions`` bytes, written in
  the same SQLite transaction as its record (so rollbacks and crashes treat both alike), keyed by
  the record's packed RID (``rid.RID.to_int()``).
* A per-index change sequence: every committed write or removal of a vector gets a sequence
  number above all earlier ones (e.g. ``vectors(rid PRIMARY KEY, vec BLOB, seq)`` plus
  ``removed(rid, seq)``, both indexed on ``seq``). ``generation()`` is the highest committed one.
* ``reading()`` -- a read transaction over committed data; the calls below made inside one block
  see one state. ``database_id()`` -- a UUID kept in the catalog, so a snapshot copied from
  another database is refused.
* ``ids()`` (RIDs holding a vector), ``fetch(rids)`` and ``scan()`` ((RID, BLOB) pairs), and
  ``changes_since(g)`` ((RID, BLOB) writes and (RID, None) removals above ``g``, oldest first, or
  None once the log has been trimmed past ``g``).

The wiring step then: validates vectors on write (``space.coerce_vector``) and stores
``space.vector_to_blob``; calls ``VectorIndexCore.open(source, snapshot_dir)`` on first use, with
``snapshot_dir`` beside the database file (e.g. ``<db>.vectors/<index name>/``);
``refresh(source)`` before each search (one generation read when nothing changed); and
``save_snapshot(dir, database_id)`` on close and after large loads. A crash anywhere between a
commit and a snapshot leaves records that are right and a snapshot that is behind, which the next
open catches up (deleted RIDs dropped, new ones fetched, changed ones replaced).

Where the seed era differs (all written in docs/reference-notes.md section 15): ``find_nearest``
there returns ``[]`` on any error (wrong dimension, NaN, zero cosine query, ...); here the core
raises VectorError. Zero vectors under COSINE are never results, as there; under EUCLIDEAN and
DOT_PRODUCT they are ordinary points here (the seed era skips every all-zero vector).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Similarity": "space",
    "coerce_vector": "space",
    "coerce_matrix": "space",
    "vector_from_blob": "space",
    "vector_to_blob": "space",
    "scores": "space",
    "Quantization": "quantization",
    "exact_search": "exact",
    "AnnIndex": "ann",
    "ann_available": "ann",
    "VectorIndexCore": "index",
    "VectorSource": "index",
    "IndexConfig": "index",
    "OpenReport": "index",
    "EXACT_THRESHOLD": "index",
    "SCALAR_FUNCTIONS": "functions",
    "AGGREGATE_FUNCTIONS": "functions",
}


def __getattr__(name: str) -> Any:  # lazy: `import arcadelite` must not need numpy
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'arcadelite.vector' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = sorted(_EXPORTS)
