"""Distance functions: the seed era's score formulas, parsing of names, validation of vectors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from arcadelite import ArcadeDBError, VectorError
from arcadelite.vector.space import (
    Similarity,
    check_query,
    coerce_matrix,
    coerce_vector,
    score_pair,
    vector_from_blob,
    vector_to_blob,
)

A = np.array([1.0, 2.0, 2.0], dtype=np.float32)
B = np.array([2.0, 0.0, 1.0], dtype=np.float32)


def test_cosine_score_is_one_minus_cos_over_two():
    cos = (1 * 2 + 2 * 0 + 2 * 1) / (3.0 * math.sqrt(5))
    assert score_pair(Similarity.COSINE, A, B) == pytest.approx((1 - cos) / 2, abs=1e-7)


def test_euclidean_score_is_one_over_one_plus_squared_distance():
    squared = (1 - 2) ** 2 + (2 - 0) ** 2 + (2 - 1) ** 2
    assert score_pair(Similarity.EUCLIDEAN, A, B) == pytest.approx(1 / (1 + squared), abs=1e-7)


def test_dot_product_score_is_minus_one_plus_dot_over_two():
    assert score_pair(Similarity.DOT_PRODUCT, A, B) == pytest.approx(-(1 + 4.0) / 2, abs=1e-7)


def test_dot_product_score_is_not_clamped_for_negative_products():
    a, b = np.array([-3.0, 0.0], np.float32), np.array([1.0, 0.0], np.float32)
    assert score_pair(Similarity.DOT_PRODUCT, a, b) == pytest.approx(1.0)  # -(1 - 3) / 2


@pytest.mark.parametrize(("a", "b", "expected"), [
    ([1.0, 0.0], [1.0, 0.0], 0.0),          # parallel
    ([1.0, 0.0], [0.0, 1.0], 0.5),          # orthogonal
    ([1.0, 0.0], [-1.0, 0.0], 1.0),         # opposite
    ([1.0, 0.0], [1.0, 1.0], (1 - 1 / math.sqrt(2)) / 2),  # 45 degrees
    ([1.0, 1.0, 1.0], [2.0, 2.0, 2.0], 0.0),  # magnitude does not matter
])
def test_cosine_scores_the_upstream_tests_pin(a, b, expected):
    a, b = np.array(a, np.float32), np.array(b, np.float32)
    assert score_pair(Similarity.COSINE, a, b) == pytest.approx(expected, abs=1e-6)


def test_euclidean_score_of_the_upstream_3_4_example():
    # upstream test_lsm_euclidean_distance: [0.1, 0.1] vs [3.1, 4.1] -> d^2 = 25 -> 1/26
    a, b = np.array([0.1, 0.1], np.float32), np.array([3.1, 4.1], np.float32)
    assert score_pair(Similarity.EUCLIDEAN, a, b) == pytest.approx(1 / 26, abs=1e-6)
    assert score_pair(Similarity.EUCLIDEAN, a, a) == 1.0


@pytest.mark.parametrize("name", ["cosine", "COSINE", " Cosine "])
def test_similarity_names_are_case_insensitive(name):
    assert Similarity.parse(name) is Similarity.COSINE


def test_inner_product_is_accepted_as_dot_product():
    assert Similarity.parse("inner_product") is Similarity.DOT_PRODUCT
    assert Similarity.parse("dot_product") is Similarity.DOT_PRODUCT


@pytest.mark.parametrize("name", ["manhattan", "", None, 3])
def test_unknown_similarity_is_a_vector_error_listing_the_choices(name):
    with pytest.raises(VectorError, match="COSINE, DOT_PRODUCT, EUCLIDEAN"):
        Similarity.parse(name)


def test_only_euclidean_sorts_higher_first():
    assert [s.higher_is_nearer for s in Similarity] == [False, True, False]


def test_vectors_are_accepted_as_lists_tuples_numpy_and_iterables():
    for value in ([1, 2, 3], (1.0, 2.0, 3.0), np.array([1, 2, 3], dtype=np.int64),
                  np.array([1, 2, 3], dtype=np.float64), iter([1.0, 2.0, 3.0])):
        out = coerce_vector(value, 3)
        assert out.dtype == np.float32 and out.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(("value", "message"), [
    ([1.0, 2.0], "has 2 dimensions, the index expects 3"),
    ([1.0, "a", 3.0], "component 1 is 'a'"),
    ([1.0, None, 3.0], "component 1 is None"),
    ([1.0, True, 3.0], "component 1 is True"),
    ([1.0, float("nan"), 3.0], "component 1 is nan"),
    ([float("inf"), 0.0, 0.0], "component 0 is inf"),
    ([1e39, 0.0, 0.0], "too large for float32"),
    ("abc", "got str"),
    (None, "is null"),
    (5, "got int"),
    (np.zeros((3, 1)), "one-dimensional"),
    (np.array(["a", "b", "c"]), "numpy dtype"),
])
def test_bad_vectors_raise_vector_error_naming_the_culprit(value, message):
    with pytest.raises(VectorError, match=message) as info:
        coerce_vector(value, 3)
    assert isinstance(info.value, ArcadeDBError)


def test_matrix_validation_names_the_row():
    with pytest.raises(VectorError, match="vector 1 has 2 dimensions"):
        coerce_matrix([[1, 2, 3], [1, 2]], 3)
    bad = np.ones((4, 3), np.float32)
    bad[2, 1] = np.nan
    with pytest.raises(VectorError, match="row 2, component 1"):
        coerce_matrix(bad, 3)
    with pytest.raises(VectorError, match="have 2 dimensions"):
        coerce_matrix(np.ones((4, 2)), 3)


def test_zero_query_under_cosine_is_refused_and_fine_otherwise():
    with pytest.raises(VectorError, match="zero vector"):
        check_query(Similarity.COSINE, np.zeros(3, np.float32))
    check_query(Similarity.EUCLIDEAN, np.zeros(3, np.float32))


def test_blobs_round_trip_float32_little_endian():
    v = coerce_vector([0.1, -2.5, 3.0], 3)
    blob = vector_to_blob(v)
    assert len(blob) == 12 and blob[:4] == np.float32(0.1).tobytes()
    assert vector_from_blob(blob, 3).tolist() == v.tolist()
    with pytest.raises(VectorError, match="has 8 bytes, expected 12"):
        vector_from_blob(blob[:8], 3, "#1:0")
