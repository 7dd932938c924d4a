"""Distance functions, the scores the seed era returns for them, and vector validation.

The seed era (arcadedb-embedded 26.2.1) returns, per result, a value derived from JVector's
similarity (see docs/reference-notes.md section 15):

* COSINE:      ``(1 - cos) / 2``   in [0, 1], lower is nearer;
* EUCLIDEAN:   ``1 / (1 + d**2)``  in (0, 1], *higher* is nearer;
* DOT_PRODUCT: ``-(1 + a.b) / 2``  unbounded, lower is nearer.

Everything is computed in float32, as the engine does, and returned as Python floats.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..exceptions import VectorError

FLOAT = np.float32


def member_named(enum_class: type[enum.Enum], name: Any) -> Any:
    """The member of ``enum_class`` called ``name`` (any case, spaces trimmed), else None."""
    if isinstance(name, enum_class):
        return name
    if isinstance(name, str) and name.strip().upper() in enum_class.__members__:
        return enum_class[name.strip().upper()]
    return None


class Similarity(enum.Enum):
    """A distance function of a vector index, named as ArcadeDB names it."""

    COSINE = "COSINE"
    EUCLIDEAN = "EUCLIDEAN"
    DOT_PRODUCT = "DOT_PRODUCT"

    @classmethod
    def parse(cls, name: Any) -> Similarity:
        """Accept a Similarity or its name in any case; ``inner_product`` means DOT_PRODUCT.

        The seed era rejects ``inner_product`` although its own docstring offers it; accepting it
        breaks no program that runs there.
        """
        if isinstance(name, str) and name.strip().upper() == "INNER_PRODUCT":
            return cls.DOT_PRODUCT
        member = member_named(cls, name)
        if member is not None:
            return member
        raise VectorError(
            f"Invalid similarity function: {name!r}. Supported values: COSINE, DOT_PRODUCT, "
            "EUCLIDEAN (inner_product is accepted for DOT_PRODUCT)"
        )

    @property
    def higher_is_nearer(self) -> bool:
        """EUCLIDEAN scores are similarities (results sort descending); the others distances."""
        return self is Similarity.EUCLIDEAN


# --------------------------------------------------------------------------- validation


def coerce_vector(value: Any, dimensions: int | None = None, what: str = "vector") -> np.ndarray:
    """Return ``value`` as a 1-D float32 array, or raise VectorError saying what is wrong.

    Accepts lists, tuples, numpy arrays and any iterable of real numbers (bools are refused:
    they are not numbers in ArcadeDB's sense). Rejects wrong dimensions, non-numeric and
    non-finite components, naming the position and the value.
    """
    if value is None:
        raise VectorError(f"The {what} is null")
    if isinstance(value, np.ndarray):
        array = value
        if array.ndim != 1:
            raise VectorError(f"The {what} must be one-dimensional, got shape {array.shape}")
        if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
            raise VectorError(f"The {what} must hold numbers, got numpy dtype {array.dtype}")
        array = array.astype(FLOAT, copy=False)
    else:
        if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
            raise VectorError(f"The {what} must be a list of numbers, got {type(value).__name__}")
        items = list(value)
        for position, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, (int, float, np.number)):
                raise VectorError(
                    f"The {what} must hold numbers: component {position} is "
                    f"{item!r} ({type(item).__name__})"
                )
        try:
            with np.errstate(over="ignore"):  # a value beyond float32 becomes inf, named below
                array = np.asarray(items, dtype=FLOAT)
        except OverflowError as exc:  # an int too large even for a float
            raise VectorError(f"The {what} has a component out of float range: {exc}") from None
        if array.ndim != 1:
            raise VectorError(f"The {what} must be a flat list of numbers")
    if dimensions is not None and array.shape[0] != dimensions:
        raise VectorError(
            f"The {what} has {array.shape[0]} dimensions, the index expects {dimensions}"
        )
    if not np.isfinite(array).all():
        position = int(np.flatnonzero(~np.isfinite(array))[0])
        original = value[position] if isinstance(value, np.ndarray) else items[position]
        raise VectorError(
            f"The {what} must hold finite numbers: component {position} is {original!r}"
            + (" (too large for float32)" if math.isfinite(float(original)) else "")
        )
    return array


def coerce_matrix(values: Any, dimensions: int, what: str = "vectors") -> np.ndarray:
    """Many vectors as an (n, dimensions) float32 array; a 2-D numpy array is taken as is."""
    if isinstance(values, np.ndarray) and values.ndim == 2:
        if values.shape[1] != dimensions:
            raise VectorError(
                f"The {what} have {values.shape[1]} dimensions, the index expects {dimensions}"
            )
        matrix = values.astype(FLOAT, copy=False)
        if not np.isfinite(matrix).all():
            row, col = (int(x[0]) for x in np.nonzero(~np.isfinite(matrix)))
            raise VectorError(f"The {what} must hold finite numbers: row {row}, component {col}")
        return matrix
    rows = [coerce_vector(v, dimensions, f"{what[:-1] if what.endswith('s') else what} {i}")
            for i, v in enumerate(values)]
    if not rows:
        return np.empty((0, dimensions), dtype=FLOAT)
    return np.stack(rows)


def vector_from_blob(blob: bytes, dimensions: int, owner: Any = None) -> np.ndarray:
    """A stored float32 BLOB (little-endian) as a vector; a wrong length is corruption, named."""
    if len(blob) != 4 * dimensions:
        raise VectorError(
            f"Stored vector of {owner!r} has {len(blob)} bytes, expected {4 * dimensions} "
            f"({dimensions} float32 values)"
        )
    return np.frombuffer(blob, dtype="<f4").astype(FLOAT, copy=False)


def vector_to_blob(vector: np.ndarray) -> bytes:
    """The storage form of a validated vector: little-endian float32 bytes."""
    return np.asarray(vector, dtype="<f4").tobytes()


# --------------------------------------------------------------------------- scores


def row_norms(matrix: np.ndarray) -> np.ndarray:
    """Euclidean norm of each row, float32 (cosine and euclidean scoring reuse them)."""
    return np.sqrt(np.einsum("ij,ij->i", matrix, matrix, dtype=FLOAT)).astype(FLOAT, copy=False)


def scores(similarity: Similarity, matrix: np.ndarray, query: np.ndarray,
           norms: np.ndarray | None = None) -> np.ndarray:
    """The seed-era score of every row of ``matrix`` against ``query`` (float32 array).

    Rows with a zero norm score NaN under COSINE (the engine never returns them).
    """
    if similarity is Similarity.EUCLIDEAN:
        diff = matrix - query
        squared = np.einsum("ij,ij->i", diff, diff, dtype=FLOAT)
        return (FLOAT(1) / (FLOAT(1) + squared)).astype(FLOAT, copy=False)
    dots = (matrix @ query).astype(FLOAT, copy=False)
    if similarity is Similarity.DOT_PRODUCT:
        return -(FLOAT(1) + dots) / FLOAT(2)
    if norms is None:
        norms = row_norms(matrix)
    query_norm = FLOAT(np.sqrt(np.dot(query, query, out=None)))
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine = dots / (norms * query_norm)
    return (FLOAT(1) - cosine) / FLOAT(2)


def score_pair(similarity: Similarity, a: np.ndarray, b: np.ndarray) -> float:
    """The seed-era score of one pair of vectors, as a Python float."""
    return float(scores(similarity, a.reshape(1, -1), b)[0])


def nearness_key(similarity: Similarity, score_values: np.ndarray) -> np.ndarray:
    """A key where smaller means nearer, whatever the similarity (NaN stays NaN)."""
    return -score_values if similarity.higher_is_nearer else score_values


def check_query(similarity: Similarity, query: np.ndarray) -> None:
    """A zero query has no cosine; the engine refuses it, and so do we (it returned [])."""
    if similarity is Similarity.COSINE and not np.any(query):
        raise VectorError(
            "The query vector is a zero vector: COSINE similarity is undefined for it"
        )
