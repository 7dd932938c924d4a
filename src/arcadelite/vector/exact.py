"""Exact k-nearest search over a float32 matrix with numpy: chunked products and argpartition.

Recall is 1.0 by construction. Memory stays bounded by the chunk (one score per row of a chunk);
the matrix itself is never copied. The final k are re-scored row by row, so EUCLIDEAN scores are
computed from differences, not from the expanded ``|x|^2 - 2 x.q + |q|^2`` that the chunked pass
uses to pick candidates.
"""

from __future__ import annotations

import numpy as np

from .space import FLOAT, Similarity, nearness_key, scores

CHUNK_ROWS = 65_536


def _candidate_keys(similarity: Similarity, block: np.ndarray, query: np.ndarray,
                    norms: np.ndarray | None, query_sq: float) -> np.ndarray:
    """Smaller-is-nearer keys for a block of rows, in one matrix-vector product."""
    dots = block @ query
    if similarity is Similarity.DOT_PRODUCT:
        return -dots
    if similarity is Similarity.EUCLIDEAN:
        assert norms is not None
        return norms * norms - FLOAT(2) * dots + FLOAT(query_sq)
    assert norms is not None
    with np.errstate(divide="ignore", invalid="ignore"):
        key = -(dots / norms)
    key[norms == 0] = np.nan  # a zero row has no cosine: never a result
    return key


def exact_search(
    matrix: np.ndarray,
    query: np.ndarray,
    k: int,
    similarity: Similarity,
    *,
    norms: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
    tie_keys: np.ndarray | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the k nearest vectors and their seed-era scores, nearest first.

    ``allowed`` restricts the search: a boolean mask over the rows or an array of row numbers.
    Ties are broken by ``tie_keys[row]`` (e.g. the RIDs), else by row number. Rows whose score is undefined (zero rows under cosine) are
    never returned, so fewer than k rows come back only when fewer than k qualify.
    """
    n = matrix.shape[0]
    if k <= 0 or n == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=FLOAT)
    query = np.asarray(query, dtype=FLOAT)
    query_sq = float(np.dot(query, query))

    if allowed is not None and allowed.dtype != bool:
        return _finish(matrix, np.unique(np.asarray(allowed, dtype=np.int64)), query, k,
                       similarity, norms, tie_keys)

    want = min(n, 2 * k)  # a margin for the float32 noise of the expanded euclidean form
    best_rows = np.empty(0, dtype=np.int64)
    best_keys = np.empty(0, dtype=FLOAT)
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        block_norms = None
        if similarity is not Similarity.DOT_PRODUCT:
            block_norms = norms[start:stop] if norms is not None else _norms(matrix[start:stop])
        keys = _candidate_keys(similarity, matrix[start:stop], query, block_norms, query_sq)
        if allowed is not None:
            keys = np.where(allowed[start:stop], keys, np.nan)
        valid = np.flatnonzero(~np.isnan(keys))
        if valid.size == 0:
            continue
        if valid.size > want:
            pick = np.argpartition(keys[valid], want - 1)[:want]
            valid = valid[pick]
        best_rows = np.concatenate([best_rows, valid + start])
        best_keys = np.concatenate([best_keys, keys[valid]])
        if best_rows.size > 4 * want:
            keep = np.argpartition(best_keys, want - 1)[:want]
            best_rows, best_keys = best_rows[keep], best_keys[keep]
    return _finish(matrix, best_rows, query, k, similarity, norms, tie_keys)


def _norms(block: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->i", block, block, dtype=FLOAT))


def _finish(matrix: np.ndarray, rows: np.ndarray, query: np.ndarray, k: int,
            similarity: Similarity, norms: np.ndarray | None,
            tie_keys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Score candidate rows exactly, drop undefined ones, keep the k nearest (ties by row)."""
    if rows.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=FLOAT)
    block = matrix[rows]
    values = scores(similarity, block, query, None if norms is None else norms[rows])
    defined = ~np.isnan(values)
    rows, values = rows[defined], values[defined]
    ties = rows if tie_keys is None else tie_keys[rows]
    order = np.lexsort((ties, nearness_key(similarity, values)))[:k]
    return rows[order], values[order]
