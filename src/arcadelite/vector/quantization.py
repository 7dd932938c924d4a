"""INT8 and BINARY quantization with the seed era's arithmetic, and what an index sees.

INT8 (per vector): ``min``/``max`` of the components; each becomes
``round((v - min) / (max - min) * 255) - 128`` as a signed byte (Java's Math.round: half up); all
components equal -> every byte 0. Dequantized: ``(byte + 128) / 255 * (max - min) + min``, or
``min`` everywhere when max == min.

BINARY (per vector): the median (mean of the two middle values for an even length); bit ``i`` is
set when component ``i`` >= median, packed little-endian within each byte (bit ``i % 8`` of byte
``i // 8``). Dequantized: ``median`` where the bit is set, ``0.0`` elsewhere.

A quantized index ranks and scores the *dequantized* vectors (the seed era does: a 26.2.1 INT8 index
returns e.g. -1.562206 where the exact dot score is -1.5625). Records keep the float32 originals.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from ..exceptions import VectorError
from .space import FLOAT, member_named


class Quantization(enum.Enum):
    NONE = "NONE"
    INT8 = "INT8"
    BINARY = "BINARY"

    @classmethod
    def parse(cls, name: Any) -> Quantization:
        """None or "NONE", "INT8", "BINARY" in any case; PRODUCT (PQ) is not offered."""
        if name is None:
            return cls.NONE
        member = member_named(cls, name)
        if member is not None:
            return member
        if isinstance(name, str) and name.strip().upper() == "PRODUCT":
            raise VectorError(
                "Quantization PRODUCT (PQ) is not supported by arcadelite: use None, INT8 or BINARY"
            )
        raise VectorError(
            f"Invalid quantization type: {name!r}. Supported values: NONE, INT8, BINARY"
        )


def _java_round(values: np.ndarray) -> np.ndarray:
    """Java's Math.round on floats: floor(x + 0.5)."""
    return np.floor(values + FLOAT(0.5))


def quantize_int8(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of float32 -> (int8 codes, per-row min, per-row max)."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=FLOAT))
    low = matrix.min(axis=1)
    high = matrix.max(axis=1)
    spread = (high - low)[:, None]
    flat = spread == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        normalized = np.where(flat, FLOAT(0), (matrix - low[:, None]) / np.where(flat, 1, spread))
    scaled = _java_round(normalized.astype(FLOAT) * FLOAT(255)).astype(np.int32)
    codes = np.where(flat, 0, scaled - 128).astype(np.int8)
    return codes, low.astype(FLOAT), high.astype(FLOAT)


def dequantize_int8(codes: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Inverse of quantize_int8 (lossy), float32; rows with max == min come back as min."""
    codes = np.atleast_2d(np.asarray(codes)).astype(np.int8)
    low = np.asarray(low, dtype=FLOAT).reshape(-1, 1)
    high = np.asarray(high, dtype=FLOAT).reshape(-1, 1)
    spread = high - low
    normalized = (codes.astype(np.int32) + 128).astype(FLOAT) / FLOAT(255)
    values = normalized * spread + low
    return np.where(spread == 0, low, values).astype(FLOAT)


def _median(matrix: np.ndarray) -> np.ndarray:
    ordered = np.sort(matrix, axis=1)
    n = matrix.shape[1]
    if n % 2:
        return ordered[:, n // 2]
    return ((ordered[:, n // 2 - 1] + ordered[:, n // 2]) / FLOAT(2)).astype(FLOAT)


def quantize_binary(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of float32 -> (packed bits uint8, per-row median)."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=FLOAT))
    median = _median(matrix)
    bits = matrix >= median[:, None]
    return np.packbits(bits, axis=1, bitorder="little"), median.astype(FLOAT)


def dequantize_binary(packed: np.ndarray, median: np.ndarray, length: int) -> np.ndarray:
    """Inverse of quantize_binary (very lossy): median where the bit is set, 0.0 elsewhere."""
    packed = np.atleast_2d(np.asarray(packed, dtype=np.uint8))
    bits = np.unpackbits(packed, axis=1, count=length, bitorder="little").astype(bool)
    median = np.asarray(median, dtype=FLOAT).reshape(-1, 1)
    return np.where(bits, median, FLOAT(0)).astype(FLOAT)


def represent(matrix: np.ndarray, quantization: Quantization) -> np.ndarray:
    """The vectors as a quantized index ranks and scores them (float32, same shape)."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=FLOAT))
    if quantization is Quantization.INT8:
        return dequantize_int8(*quantize_int8(matrix))
    if quantization is Quantization.BINARY:
        packed, median = quantize_binary(matrix)
        return dequantize_binary(packed, median, matrix.shape[1])
    return matrix
