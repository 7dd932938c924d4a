"""The vector SQL functions: values as the seed-era engine returned them, errors, aggregates.

Expected values were observed on arcadedb-embedded 26.2.1 (reference-notes section 15); the
engine computes in float32, so e.g. 1.5 + 0.1 comes back as 1.600000023841858.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from arcadelite import VectorError
from arcadelite.vector.convert import to_java_float_array, to_python_array
from arcadelite.vector.functions import (
    AGGREGATE_FUNCTIONS,
    SCALAR_FUNCTIONS,
    VectorAvg,
    VectorMax,
    VectorMin,
    VectorSum,
)

F = SCALAR_FUNCTIONS

OBSERVED = [
    ("vectorAdd", ([1.0, 2.0], [3.0, 4.0]), [4.0, 6.0]),
    ("vectorAdd", ([1.5, 2.25], [0.1, 0.2]), [1.600000023841858, 2.450000047683716]),
    ("vectorSubtract", ([1.0, 2.0], [3.0, 5.0]), [-2.0, -3.0]),
    ("vectorMultiply", ([1.0, 2.0], [2.0, 2.0]), [2.0, 4.0]),
    ("vectorScale", ([4.0, 6.0], 0.5), [2.0, 3.0]),
    ("vectorScale", ([4, 6], 2), [8.0, 12.0]),
    ("vectorCosineSimilarity", ([1.0, 0.0], [0.0, 1.0]), 0.0),
    ("vectorCosineSimilarity", ([1.0, 2.0], [2.0, 3.0]), 0.9922778606414795),
    ("vectorL2Distance", ([1.0, 0.0], [0.0, 1.0]), 1.4142135381698608),
    ("vectorL2Distance", ([], []), 0.0),
    ("vectorDotProduct", ([1.0, 2.0], [3.0, 4.0]), 11.0),
    ("vectorDotProduct", ([0.1, 0.2], [0.3, 0.4]), 0.11000000685453415),
    ("vectorDotProduct", ([], []), 0.0),
    ("vectorNormalize", ([3.0, 4.0],), [0.6000000238418579, 0.800000011920929]),
    ("vectorNormalize", ([1, 2, 2],), [0.3333333432674408, 0.6666666865348816, 0.6666666865348816]),
    ("vectorNormalize", ([0.0, 0.0],), [0.0, 0.0]),
    ("vectorMagnitude", ([3.0, 4.0],), 5.0),
    ("vectorMagnitude", ([1, 2, 2],), 3.0),
    ("vectorMagnitude", ([],), 0.0),
    ("vectorDimension", ([1, 2, 3],), 3),
    ("vectorDequantizeInt8", ([-128, 0, 127], -1.0, 1.0), [-1.0, 0.003921568393707275, 1.0]),
    ("vectorDequantizeInt8", ([-128, 127], 0.0, 0.0), [0.0, 0.0]),
    ("vectorDequantizeInt8", ([300, -1], 0.0, 1.0), [0.6745098233222961, 0.49803921580314636]),
    ("vectorL1Norm", ([3.0, -4.0],), 7.0),
    ("vectorLInfNorm", ([3.0, -4.0],), 4.0),
    ("vectorHasNaN", ([1.0, 2.0],), False),
    ("vectorHasInf", ([1.0, 2.0],), False),
    ("vectorIsNormalized", ([0.6, 0.8],), True),
    ("vectorIsNormalized", ([1.0, 1.0],), False),
    ("vectorClip", ([-2.0, 0.5, 3.0], -1.0, 1.0), [-1.0, 0.5, 1.0]),
    ("vectorClip", ([1.0, 5.0], 2.0, 3.0), [2.0, 3.0]),
    ("vectorVariance", ([1.0, 2.0, 3.0],), 0.6666666865348816),
    ("vectorStdDev", ([1.0, 2.0, 3.0],), 0.8164966106414795),
]


@pytest.mark.parametrize(("name", "args", "expected"), OBSERVED,
                         ids=[f"{n}{i}" for i, (n, _, _) in enumerate(OBSERVED)])
def test_values_match_the_seed_era_engine(name, args, expected):
    got = F[name](*args)
    if isinstance(expected, list):
        assert got == pytest.approx(expected, abs=1e-7)
        assert all(type(x) is float for x in got)
    elif isinstance(expected, bool):
        assert got is expected
    else:
        assert got == pytest.approx(expected, abs=1e-7)


def test_cosine_of_a_zero_vector_is_nan_as_on_the_engine():
    assert math.isnan(F["vectorCosineSimilarity"]([0.0, 0.0], [1.0, 1.0]))


def test_quantize_int8_returns_codes_and_range():
    got = F["vectorQuantizeInt8"]([0.1, 0.5, 0.9, -0.1])
    assert got["quantized"] == [-77, 25, 127, -128]
    assert (got["min"], got["max"]) == pytest.approx((-0.1, 0.9))
    back = F["vectorDequantizeInt8"](got["quantized"], got["min"], got["max"])
    assert back == pytest.approx([0.1, 0.5, 0.9, -0.1], abs=0.004)
    assert F["vectorQuantizeInt8"]([2.0, 2.0])["quantized"] == [0, 0]
    assert F["vectorQuantizeInt8"](None) is None


def test_quantize_binary_returns_packed_bits_median_and_length():
    got = F["vectorQuantizeBinary"]([0.1, 0.5, 0.9, -0.1])
    assert got == {"packed": [6], "median": pytest.approx(0.3), "originalLength": 4}


@pytest.mark.parametrize(("name", "args", "message"), [
    ("vectorAdd", ([1.0, 2.0], [1.0]), "same dimension, found: 2 and 1"),
    ("vectorAdd", ([1.0, "a"], [1.0, 2.0]), "elements must be numbers, found: str"),
    ("vectorAdd", (None, [1.0]), "Vector1 cannot be null"),
    ("vectorAdd", ("abc", [1.0]), "must be an array or list, found: str"),
    ("vectorScale", ([1.0], "x"), "Scalar must be a number"),
    ("vectorScale", ([1.0, 2.0], None), "Vector and scalar cannot be null"),
    ("vectorL2Distance", ([1.0, 2.0], [1.0]), "same dimension"),
    ("vectorCosineSimilarity", ([], []), "Vectors cannot be empty"),
    ("vectorNormalize", (None,), "Vector cannot be null"),
    ("vectorNormalize", ([],), "Vector cannot be empty"),
    ("vectorMagnitude", (None,), "Vector cannot be null"),
    ("vectorMagnitude", ([3, "a"],), "elements must be numbers"),
    ("vectorDimension", ("abc",), "must be an array or list"),
    ("vectorVariance", ([],), "Vector cannot be empty"),
    ("vectorDequantizeInt8", ([1, 2], 1.0, 0.0), r"Min \(1.0\) must be <= max \(0.0\)"),
    ("vectorClip", ([1.0], 2.0, 1.0), "must be <= max"),
])
def test_errors_use_the_engine_wording(name, args, message):
    with pytest.raises(VectorError, match=message):
        F[name](*args)


def test_analysis_functions_answer_null_for_null():
    for name in ("vectorL1Norm", "vectorLInfNorm", "vectorVariance", "vectorStdDev",
                 "vectorIsNormalized", "vectorHasNaN", "vectorHasInf"):
        assert F[name](None) is None
    assert F["vectorClip"](None, 0, 1) is None


def test_numpy_arrays_are_vectors_too():
    assert F["vectorAdd"](np.array([1.0, 2.0]), np.array([3.0, 4.0])) == [4.0, 6.0]


def aggregate(cls, values):
    acc = cls()
    for v in values:
        acc.add(v)
    return acc.result()


def test_aggregates_over_rows_skip_nulls():
    rows = [[1.0, 2.0], [3.0, 4.0], [5.0, -1.0], None]
    assert aggregate(VectorSum, rows) == [9.0, 5.0]
    assert aggregate(VectorAvg, rows) == pytest.approx([3.0, 1.6666666269302368])
    assert aggregate(VectorMin, rows) == [1.0, -1.0]
    assert aggregate(VectorMax, rows) == [5.0, 4.0]
    assert aggregate(VectorAvg, [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0]]) == \
        pytest.approx([0.3333333432674408, 0.6666666865348816, 0.0])


def test_aggregates_are_per_group_unlike_the_seed_era():
    # 26.2.1 shares one accumulator across GROUP BY groups (it answered [18, 10] for both groups
    # of the rows above); each group gets its own accumulator here.
    assert aggregate(VectorSum, [[1.0, 2.0], [3.0, 4.0]]) == [4.0, 6.0]
    assert aggregate(VectorSum, [[5.0, -1.0]]) == [5.0, -1.0]


def test_aggregates_of_no_rows_are_null_and_mismatches_are_errors():
    assert all(aggregate(cls, []) is None for cls in AGGREGATE_FUNCTIONS.values())
    acc = VectorSum()
    acc.add([1.0, 2.0])
    with pytest.raises(VectorError, match="same dimension"):
        acc.add([1.0])


def test_function_table_names_are_the_engine_names():
    assert {"vectorAdd", "vectorSubtract", "vectorMultiply", "vectorScale", "vectorNormalize",
            "vectorMagnitude", "vectorCosineSimilarity", "vectorDotProduct", "vectorL2Distance",
            "vectorQuantizeInt8", "vectorDequantizeInt8"} <= set(SCALAR_FUNCTIONS)
    assert set(AGGREGATE_FUNCTIONS) == {"vectorSum", "vectorAvg", "vectorMin", "vectorMax"}


def test_to_java_float_array_gives_float32_valued_lists():
    assert to_java_float_array([0.1, 2]) == [np.float32(0.1).item(), 2.0]
    assert to_java_float_array(np.array([1.0, 2.0])) == [1.0, 2.0]
    assert to_java_float_array(x for x in [1, 2]) == [1.0, 2.0]
    with pytest.raises(VectorError, match="component 1 is 'a'"):
        to_java_float_array([1.0, "a"])
    with pytest.raises(VectorError, match="got NoneType"):
        to_java_float_array(None)


def test_to_python_array_numpy_or_list():
    out = to_python_array([1.0, 2.0])
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    assert to_python_array([1.0, 2.0], use_numpy=False) == [1.0, 2.0]
