"""INT8 and BINARY quantization: the seed era's arithmetic, and scores on dequantized vectors."""

from __future__ import annotations

import numpy as np
import pytest

from arcadelite import VectorError
from arcadelite.vector.quantization import (
    Quantization,
    dequantize_binary,
    dequantize_int8,
    quantize_binary,
    quantize_int8,
    represent,
)


def test_int8_codes_min_max_as_the_engine_computes_them():
    codes, low, high = quantize_int8(np.array([[0.1, 0.5, 0.9, -0.1]], np.float32))
    # round((v - min) / (max - min) * 255) - 128, by hand: 0.2 * 255 = 51 -> -77, 0.6 -> 153 -> 25
    assert codes.tolist() == [[-77, 25, 127, -128]]
    assert low[0] == np.float32(-0.1) and high[0] == np.float32(0.9)


def test_int8_rounds_halves_up_like_java():
    # 0.5 * 255 = 127.5 -> Math.round -> 128 -> code 0
    codes, _, _ = quantize_int8(np.array([[0.0, 0.5, 1.0]], np.float32))
    assert codes.tolist() == [[-128, 0, 127]]


def test_int8_constant_vector_is_all_zero_codes_and_comes_back_as_min():
    codes, low, high = quantize_int8(np.array([[2.0, 2.0, 2.0]], np.float32))
    assert codes.tolist() == [[0, 0, 0]]
    assert dequantize_int8(codes, low, high).tolist() == [[2.0, 2.0, 2.0]]


def test_int8_round_trip_of_the_reference_big_vector():
    # 26.2.1 scored [2, 0.5, 0.25] as if it were [2, 0.497059, 0.25] under INT8
    out = dequantize_int8(*quantize_int8(np.array([[2.0, 0.5, 0.25]], np.float32)))
    assert out[0] == pytest.approx([2.0, 36 / 255 * 1.75 + 0.25, 0.25], abs=1e-6)


def test_int8_error_is_at_most_half_a_step():
    rng = np.random.default_rng(7)
    m = rng.standard_normal((200, 64)).astype(np.float32)
    back = dequantize_int8(*quantize_int8(m))
    step = (m.max(axis=1) - m.min(axis=1)) / 255
    assert (np.abs(back - m) <= step[:, None] / 2 + 1e-6).all()


def test_binary_median_threshold_and_little_endian_bits():
    packed, median = quantize_binary(np.array([[0.1, 0.5, 0.9, -0.1]], np.float32))
    assert median[0] == pytest.approx(0.3)  # mean of the two middle values
    assert packed.tolist() == [[0b0110]]   # components 1 and 2 are >= 0.3
    assert dequantize_binary(packed, median, 4)[0] == pytest.approx([0.0, 0.3, 0.3, 0.0])


def test_binary_odd_length_median_and_more_than_eight_components():
    v = np.arange(11, dtype=np.float32)[None, :]
    packed, median = quantize_binary(v)
    assert median[0] == 5.0
    assert packed.tolist() == [[0b11100000, 0b111]]
    assert dequantize_binary(packed, median, 11)[0].tolist() == [0.0] * 5 + [5.0] * 6


def test_represent_is_identity_without_quantization():
    m = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    assert represent(m, Quantization.NONE) is not None
    assert represent(m, Quantization.NONE).tolist() == m.tolist()


@pytest.mark.parametrize(("name", "expected"), [
    (None, Quantization.NONE), ("none", Quantization.NONE), ("INT8", Quantization.INT8),
    ("int8", Quantization.INT8), ("Binary", Quantization.BINARY),
])
def test_quantization_names(name, expected):
    assert Quantization.parse(name) is expected


def test_product_quantization_is_refused_clearly():
    with pytest.raises(VectorError, match="PRODUCT .* not supported"):
        Quantization.parse("PRODUCT")
    with pytest.raises(VectorError, match="Supported values: NONE, INT8, BINARY"):
        Quantization.parse("INT4")
