"""ArcadeDB's vector SQL functions as plain Python functions, ready for the SQL function table.

``SCALAR_FUNCTIONS`` and ``AGGREGATE_FUNCTIONS`` map the SQL names the seed era answers to
(``vectorAdd`` ...; 26.2.1 does not accept the dotted ``vector.add`` form in SELECT, later releases
do) to the implementations. Values follow the engine: arithmetic in float32, vectors returned as
lists of Python floats (float32 values widened, e.g. 1.5 + 0.1 -> 1.600000023841858), errors for
null, empty, non-numeric and mismatched vectors -- raised here as VectorError with the engine's
wording. ``vectorNeighbors`` needs an index and is wired with storage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..exceptions import VectorError
from .quantization import dequantize_int8, quantize_binary, quantize_int8
from .space import FLOAT


def _vector(value: Any, name: str = "Vector") -> np.ndarray:
    """A SQL value as a float32 vector, with the engine's error wording."""
    if value is None:
        raise VectorError(f"{name} cannot be null")
    if isinstance(value, np.ndarray):
        return value.astype(FLOAT).reshape(-1)
    if not isinstance(value, (list, tuple)):
        raise VectorError(f"Vector must be an array or list, found: {type(value).__name__}")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, float, np.number)):
            raise VectorError(f"Vector elements must be numbers, found: {type(item).__name__}")
    return np.asarray(value, dtype=FLOAT).reshape(-1)


def _pair(a: Any, b: Any, names: tuple[str, str] = ("Vector1", "Vector2")):
    v1, v2 = _vector(a, names[0]), _vector(b, names[1])
    if v1.shape != v2.shape:
        raise VectorError(
            f"Vectors must have the same dimension, found: {v1.shape[0]} and {v2.shape[0]}"
        )
    return v1, v2


def _scalar(value: Any, what: str = "Scalar") -> FLOAT:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise VectorError(f"{what} must be a number, found: {type(value).__name__}")
    return FLOAT(value)


def _out(vector: np.ndarray) -> list[float]:
    return [float(x) for x in vector.astype(FLOAT)]


def _nonempty(vector: np.ndarray) -> np.ndarray:
    if vector.size == 0:
        raise VectorError("Vector cannot be empty")
    return vector


# --------------------------------------------------------------------------- arithmetic


def vector_add(a: Any, b: Any) -> list[float]:
    v1, v2 = _pair(a, b)
    return _out(v1 + v2)


def vector_subtract(a: Any, b: Any) -> list[float]:
    v1, v2 = _pair(a, b)
    return _out(v1 - v2)


def vector_multiply(a: Any, b: Any) -> list[float]:
    """Element-wise product."""
    if a is None or b is None:
        raise VectorError("Vectors cannot be null")
    v1, v2 = _pair(a, b)
    return _out(v1 * v2)


def vector_scale(vector: Any, scalar: Any) -> list[float]:
    if vector is None or scalar is None:
        raise VectorError("Vector and scalar cannot be null")
    return _out(_vector(vector) * _scalar(scalar))


# --------------------------------------------------------------------------- measures


def vector_dot_product(a: Any, b: Any) -> float:
    if a is None or b is None:
        raise VectorError("Vectors cannot be null")
    v1, v2 = _pair(a, b)
    return float(FLOAT(np.dot(v1.astype(np.float64), v2.astype(np.float64))))


def vector_cosine_similarity(a: Any, b: Any) -> float:
    """cos(a, b); NaN when either vector is zero (as the engine returns)."""
    if a is None or b is None:
        raise VectorError("Vectors cannot be null")
    v1, v2 = _pair(a, b)
    if v1.size == 0:
        raise VectorError("Vectors cannot be empty")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.dot(v1, v2) / (np.sqrt(np.dot(v1, v1)) * np.sqrt(np.dot(v2, v2)))
    return float(FLOAT(value))


def vector_l2_distance(a: Any, b: Any) -> float:
    """Euclidean distance (not squared)."""
    if a is None or b is None:
        raise VectorError("Vectors cannot be null")
    v1, v2 = _pair(a, b)
    diff = v1 - v2
    return float(FLOAT(np.sqrt(max(0.0, float(np.dot(diff, diff))))))


def vector_magnitude(vector: Any) -> float:
    v = _vector(vector)
    return float(FLOAT(np.sqrt(np.dot(v.astype(np.float64), v.astype(np.float64)))))


def vector_normalize(vector: Any) -> list[float]:
    """Unit vector; a zero vector comes back unchanged."""
    v = _nonempty(_vector(vector))
    magnitude = FLOAT(np.sqrt(np.dot(v.astype(np.float64), v.astype(np.float64))))
    if magnitude == 0:
        return _out(v)
    return _out(v * (FLOAT(1) / magnitude))


def vector_dimension(vector: Any) -> int:
    return int(_vector(vector).size)


def _analysed(vector: Any) -> np.ndarray | None:
    """The analysis functions answer null for null and refuse an empty vector."""
    return None if vector is None else _nonempty(_vector(vector))


def vector_l1_norm(vector: Any) -> float | None:
    v = _analysed(vector)
    return None if v is None else float(FLOAT(np.abs(v.astype(np.float64)).sum()))


def vector_linf_norm(vector: Any) -> float | None:
    v = _analysed(vector)
    return None if v is None else float(np.abs(v).max())


def vector_variance(vector: Any) -> float | None:
    """Population variance of the components."""
    v = _analysed(vector)
    return None if v is None else float(FLOAT(v.astype(np.float64).var()))


def vector_std_dev(vector: Any) -> float | None:
    v = _analysed(vector)
    return None if v is None else float(FLOAT(v.astype(np.float64).std()))


def vector_is_normalized(vector: Any, tolerance: Any = 0.001) -> bool | None:
    """|norm - 1| <= tolerance (default 0.001)."""
    v = _analysed(vector)
    if v is None:
        return None
    tol = FLOAT(0.001) if tolerance is None else _scalar(tolerance, "Tolerance")
    if tol < 0:
        raise VectorError(f"Tolerance must be >= 0, found: {float(tol)}")
    norm = FLOAT(np.sqrt(np.dot(v.astype(np.float64), v.astype(np.float64))))
    return bool(abs(norm - FLOAT(1)) <= tol)


def vector_has_nan(vector: Any) -> bool | None:
    v = _analysed(vector)
    return None if v is None else bool(np.isnan(v).any())


def vector_has_inf(vector: Any) -> bool | None:
    v = _analysed(vector)
    return None if v is None else bool(np.isinf(v).any())


def vector_clip(vector: Any, low: Any, high: Any) -> list[float] | None:
    if vector is None or low is None or high is None:
        return None
    v = _nonempty(_vector(vector))
    lo, hi = _scalar(low, "Min"), _scalar(high, "Max")
    if lo > hi:
        raise VectorError(f"Min ({float(lo)}) must be <= max ({float(hi)})")
    return _out(np.clip(v, lo, hi))


# --------------------------------------------------------------------------- quantization


def vector_quantize_int8(vector: Any) -> dict | None:
    """{"quantized": [int8...], "min": float, "max": float} (the engine returns a Java record)."""
    if vector is None:
        return None
    v = _nonempty(_vector(vector))
    codes, low, high = quantize_int8(v)
    return {"quantized": codes[0].tolist(), "min": float(low[0]), "max": float(high[0])}


def vector_quantize_binary(vector: Any) -> dict | None:
    """{"packed": [byte...], "median": float, "originalLength": int} (little-endian bits)."""
    if vector is None:
        return None
    v = _nonempty(_vector(vector))
    packed, median = quantize_binary(v)
    return {"packed": packed[0].astype(np.int8).tolist(), "median": float(median[0]),
            "originalLength": int(v.size)}


def vector_dequantize_int8(quantized: Any, low: Any, high: Any) -> list[float] | None:
    """Bytes (numbers taken modulo 256 as signed bytes, like Java's byteValue) back to floats."""
    if quantized is None or low is None or high is None:
        return None
    if not isinstance(quantized, (list, tuple, np.ndarray, bytes, bytearray)):
        raise VectorError("Quantized vector must be an array or list, found: "
                          f"{type(quantized).__name__}")
    items = list(quantized)
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float, np.number)):
            raise VectorError(f"Quantized elements must be numbers, found: {type(item).__name__}")
    if not items:
        raise VectorError("Quantized vector cannot be empty")
    lo, hi = _scalar(low, "Min"), _scalar(high, "Max")
    if lo > hi:
        raise VectorError(f"Min ({float(lo)}) must be <= max ({float(hi)})")
    codes = np.asarray([int(x) for x in items], dtype=np.int64).astype(np.uint8).view(np.int8)
    return _out(dequantize_int8(codes, np.asarray([lo]), np.asarray([hi]))[0])


# --------------------------------------------------------------------------- aggregates


class _ElementWise:
    """An element-wise aggregate over the rows of one group; nulls are skipped."""

    def __init__(self) -> None:
        self._acc: np.ndarray | None = None
        self._count = 0

    def add(self, value: Any) -> None:
        if value is None:
            return
        v = _vector(value)
        if self._acc is None:
            self._acc = self._first(v)
        elif self._acc.shape != v.shape:
            raise VectorError("All vectors must have the same dimension")
        else:
            self._acc = self._combine(self._acc, v)
        self._count += 1

    def _first(self, v: np.ndarray) -> np.ndarray:
        return v.copy()

    def _combine(self, acc: np.ndarray, v: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def result(self) -> list[float] | None:
        return None if self._acc is None else _out(self._acc)


class VectorSum(_ElementWise):
    def _combine(self, acc, v):
        return acc + v


class VectorAvg(_ElementWise):
    def _combine(self, acc, v):
        return acc + v

    def result(self) -> list[float] | None:
        return None if self._acc is None else _out(self._acc * (FLOAT(1) / FLOAT(self._count)))


class VectorMin(_ElementWise):
    def _combine(self, acc, v):
        return np.minimum(acc, v)


class VectorMax(_ElementWise):
    def _combine(self, acc, v):
        return np.maximum(acc, v)


SCALAR_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "vectorAdd": vector_add,
    "vectorSubtract": vector_subtract,
    "vectorMultiply": vector_multiply,
    "vectorScale": vector_scale,
    "vectorDotProduct": vector_dot_product,
    "vectorCosineSimilarity": vector_cosine_similarity,
    "vectorL2Distance": vector_l2_distance,
    "vectorMagnitude": vector_magnitude,
    "vectorNormalize": vector_normalize,
    "vectorDimension": vector_dimension,
    "vectorL1Norm": vector_l1_norm,
    "vectorLInfNorm": vector_linf_norm,
    "vectorVariance": vector_variance,
    "vectorStdDev": vector_std_dev,
    "vectorIsNormalized": vector_is_normalized,
    "vectorHasNaN": vector_has_nan,
    "vectorHasInf": vector_has_inf,
    "vectorClip": vector_clip,
    "vectorQuantizeInt8": vector_quantize_int8,
    "vectorQuantizeBinary": vector_quantize_binary,
    "vectorDequantizeInt8": vector_dequantize_int8,
}

AGGREGATE_FUNCTIONS: dict[str, type[_ElementWise]] = {
    "vectorSum": VectorSum,
    "vectorAvg": VectorAvg,
    "vectorMin": VectorMin,
    "vectorMax": VectorMax,
}
