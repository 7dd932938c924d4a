"""Search: exact = brute force, the reference engine's results, filters, errors, HNSW recall."""

from __future__ import annotations

import numpy as np
import pytest

from arcadelite import VectorError
from arcadelite.vector.exact import exact_search
from arcadelite.vector.index import IndexConfig, VectorIndexCore
from arcadelite.vector.quantization import Quantization
from arcadelite.vector.space import Similarity

from .reference_values import OBSERVED, QUERY, VECTORS

needs_ann = pytest.mark.usefixtures("ann_library")  # once per installed HNSW library


def core(similarity="COSINE", quantization="NONE", dims=3, **kw) -> VectorIndexCore:
    config = IndexConfig("T[v]", dims, Similarity.parse(similarity), Quantization.parse(quantization))
    return VectorIndexCore(config, **kw)


def brute_force(matrix, query, k, similarity, rows=None):
    """Score every row one by one with plain float64 formulas; nearest k (ties by row)."""
    out = []
    q = query.astype(np.float64)
    for row in range(len(matrix)) if rows is None else rows:
        v = matrix[row].astype(np.float64)
        if similarity is Similarity.COSINE:
            norm = np.linalg.norm(v) * np.linalg.norm(q)
            if norm == 0:
                continue
            key = score = (1 - v @ q / norm) / 2
        elif similarity is Similarity.EUCLIDEAN:
            score = 1 / (1 + ((v - q) ** 2).sum())
            key = -score
        else:
            key = score = -(1 + v @ q) / 2
        out.append((key, row, score))
    out.sort()
    return [(row, score) for _, row, score in out[:k]]


def low_rank(n, d=32, seed=1):
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((n, 8)) @ rng.standard_normal((8, d)) + 0.3 * rng.standard_normal((n, d))
    return m.astype(np.float32)


@pytest.mark.parametrize("similarity", list(Similarity))
@pytest.mark.parametrize("chunk", [7, 65_536])
def test_exact_search_equals_brute_force(similarity, chunk):
    m = low_rank(500)
    q = low_rank(1, seed=9)[0]
    rows, scores = exact_search(m, q, 25, similarity, chunk_rows=chunk)
    expected = brute_force(m, q, 25, similarity)
    assert rows.tolist() == [r for r, _ in expected]
    assert scores == pytest.approx([s for _, s in expected], rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("similarity", list(Similarity))
def test_exact_search_with_allowed_mask_and_rows_equals_brute_force(similarity):
    m = low_rank(300)
    q = low_rank(1, seed=5)[0]
    allowed = np.arange(0, 300, 7)
    expected = brute_force(m, q, 10, similarity, rows=allowed)
    mask = np.zeros(300, bool)
    mask[allowed] = True
    for restriction in (allowed, mask):
        rows, _ = exact_search(m, q, 10, similarity, allowed=restriction, chunk_rows=64)
        assert rows.tolist() == [r for r, _ in expected]


def test_exact_search_never_returns_zero_rows_under_cosine():
    m = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)
    rows, _ = exact_search(m, np.array([1, 0, 0], np.float32), 3, Similarity.COSINE)
    assert rows.tolist() == [1, 2]
    rows, _ = exact_search(m, np.array([1, 0, 0], np.float32), 3, Similarity.EUCLIDEAN)
    assert sorted(rows.tolist()) == [0, 1, 2]


def test_ties_are_broken_by_rid():
    c = core("EUCLIDEAN")
    c.upsert([30, 10, 20], [[1, 0, 0], [1, 0, 0], [1, 0, 0]])
    assert [rid for rid, _ in c.search([0, 0, 0], 3)] == [10, 20, 30]


@pytest.mark.parametrize(("similarity", "quantization"), sorted(OBSERVED))
def test_results_match_the_seed_era_engine(similarity, quantization):
    names = list(VECTORS)
    c = core(similarity, quantization)
    c.upsert(range(len(names)), [VECTORS[n] for n in names])
    got = [(names[rid], round(score, 6)) for rid, score in c.search(QUERY, k=6)]
    observed = OBSERVED[(similarity, quantization)]
    if quantization == "BINARY":
        # the engine returned only these (it skips vectors whose binary form is all zero); we
        # return them first, in the same order with the same scores
        assert got[: len(observed)] == observed
        if similarity == "COSINE":
            assert len(got) == len(observed)  # zero vectors have no cosine, here either
    else:
        assert got == observed


def test_k_larger_than_the_index_returns_everything_sorted():
    c = core()
    m = low_rank(300, d=3)
    c.upsert(range(300), m)
    results = c.search([0.1, 0.2, 0.3], k=1000)
    assert len(results) == 300
    assert [s for _, s in results] == sorted(s for _, s in results)


def test_filtered_search_returns_k_whenever_k_allowed_exist():
    c = core()
    c.upsert(range(5), [[1, 0, 0], [0.9, 0.1, 0], [0.8, 0.2, 0], [0, 1, 0], [0, 0, 1]])
    # the upstream test_lsm_vector_search_with_filter scenarios
    assert [r for r, _ in c.search([1, 0, 0], 1, allowed=[2, 3])] == [2]
    assert [r for r, _ in c.search([1, 0, 0], 2, allowed=[2, 3])] == [2, 3]
    assert [r for r, _ in c.search([1, 0, 0], 2, allowed=[0, 1, 2])] == [0, 1]
    assert [r for r, _ in c.search([1, 0, 0], 5, allowed=[3])] == [3]
    assert c.search([1, 0, 0], 5, allowed=[99]) == []
    assert c.search([1, 0, 0], 5, allowed=[]) == []


def test_errors_raise_instead_of_returning_empty():
    c = core()
    c.upsert([1], [[1, 0, 0]])
    with pytest.raises(VectorError, match="has 2 dimensions, the index expects 3"):
        c.search([1, 0], 1)
    with pytest.raises(VectorError, match="component 1 is 'a'"):
        c.search([1, "a", 0], 1)
    with pytest.raises(VectorError, match="component 0 is nan"):
        c.search([float("nan"), 0, 0], 1)
    with pytest.raises(VectorError, match="zero vector"):
        c.search([0, 0, 0], 1)
    with pytest.raises(VectorError, match="k must be an integer"):
        c.search([1, 0, 0], "3")
    with pytest.raises(VectorError, match="has 2 dimensions"):
        c.upsert([2], [[1, 0]])
    assert c.search([1, 0, 0], 0) == []
    assert len(c) == 1  # the refused upsert changed nothing


def test_numpy_queries_of_any_float_dtype():
    c = core()
    c.upsert([1, 2], np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float64))
    assert c.search(np.array([0.9, 0.1, 0.0]), 1)[0][0] == 1
    assert c.search(np.array([0.1, 0.9, 0.0], dtype=np.float16), 1)[0][0] == 2


def test_upsert_replaces_and_remove_forgets():
    c = core("EUCLIDEAN")
    c.upsert([1, 2], [[0, 0, 0], [5, 5, 5]])
    c.upsert([1], [[9, 9, 9]])
    assert len(c) == 2 and c.vector(1).tolist() == [9, 9, 9]
    assert [r for r, _ in c.search([0, 0, 0], 2)] == [2, 1]
    c.remove([2, 77])
    assert [r for r, _ in c.search([0, 0, 0], 2)] == [1]
    c.upsert([3, 3], [[1, 1, 1], [2, 2, 2]])  # the last write in a batch wins
    assert c.vector(3).tolist() == [2, 2, 2]


def test_many_removals_compact_without_losing_survivors():
    c = core(dims=4)
    m = low_rank(3000, d=4)
    c.upsert(range(3000), m)
    c.remove(range(0, 3000, 3))
    c.remove(range(1, 3000, 3))
    survivors = list(range(2, 3000, 3))
    assert c.ids().tolist() == survivors
    got = c.search(m[5], 10)
    expected = brute_force(m, m[5], 10, Similarity.COSINE, rows=survivors)
    assert [r for r, _ in got] == [r for r, _ in expected]


@needs_ann
@pytest.mark.parametrize("similarity", list(Similarity))
def test_hnsw_recall_at_10_on_a_small_set(similarity):
    m = low_rank(4000, d=32)
    queries = low_rank(50, d=32, seed=3)
    c = core(similarity, dims=32, exact_threshold=1000)
    c.upsert(range(4000), m)
    hits = 0
    for q in queries:
        got = c.search(q, 10)
        assert len(got) == 10
        truth = {r for r, _ in brute_force(m, q, 10, similarity)}
        hits += len({r for r, _ in got} & truth)
    assert c.has_ann
    assert hits / 500 >= 0.95


@needs_ann
def test_hnsw_scores_are_exact_scores_of_the_candidates():
    m = low_rank(3000, d=16)
    c = core("EUCLIDEAN", dims=16, exact_threshold=100)
    c.upsert(range(3000), m)
    for rid, score in c.search(m[10] + 0.01, 5):
        assert score == pytest.approx(1 / (1 + ((m[rid] - (m[10] + 0.01)) ** 2).sum()), rel=1e-5)


@needs_ann
def test_hnsw_filtered_search_falls_back_to_exact_for_rare_allowed_ids():
    m = low_rank(3000, d=16)
    c = core(dims=16, exact_threshold=100)
    c.upsert(range(3000), m)
    q = m[0]
    far = [r for r, _ in brute_force(m, q, 3000, Similarity.COSINE)][-20:]  # the 20 farthest
    got = c.search(q, 10, allowed=far)
    expected = brute_force(m, q, 10, Similarity.COSINE, rows=far)
    assert [r for r, _ in got] == [r for r, _ in expected]


@needs_ann
def test_hnsw_never_returns_removed_ids_and_sees_new_ones():
    m = low_rank(2000, d=16)
    c = core(dims=16, exact_threshold=100)
    c.upsert(range(2000), m)
    c.search(m[0], 1)  # builds the graph
    c.remove([0, 1, 2])
    c.upsert([5000], [m[0]])
    got = [r for r, _ in c.search(m[0], 10)]
    assert got[0] == 5000 and not {0, 1, 2} & set(got)


def test_without_ann_large_indexes_stay_exact():
    m = low_rank(1200, d=8)
    c = core(dims=8, exact_threshold=100, use_ann=False)
    c.upsert(range(1200), m)
    got = c.search(m[3], 10)
    assert not c.has_ann
    assert [r for r, _ in got] == [r for r, _ in brute_force(m, m[3], 10, Similarity.COSINE)]


@needs_ann
def test_build_ann_on_demand_only_above_the_threshold():
    small = core(dims=8, exact_threshold=500)
    small.upsert(range(100), low_rank(100, d=8))
    assert small.build_ann() is False and not small.has_ann
    big = core(dims=8, exact_threshold=500)
    big.upsert(range(600), low_rank(600, d=8))
    assert big.build_ann() is True and big.has_ann


def test_below_the_threshold_search_is_exact_even_with_usearch_installed():
    m = low_rank(2000, d=8)
    c = core(dims=8, exact_threshold=5000)
    c.upsert(range(2000), m)
    for q in low_rank(5, d=8, seed=11):
        got = c.search(q, 10)
        assert [r for r, _ in got] == [r for r, _ in brute_force(m, q, 10, Similarity.COSINE)]
    assert not c.has_ann


@needs_ann
def test_a_graph_worn_by_many_removals_is_rebuilt():
    m = low_rank(6000, d=8)
    c = core(dims=8, exact_threshold=1000)
    c.upsert(range(6000), m)
    assert c.build_ann()
    c.remove(range(0, 2000))  # a third of the graph
    assert not c.has_ann
    got = c.search(m[4000], 10)
    assert c.has_ann and got[0][0] == 4000
    assert not {r for r, _ in got} & set(range(2000))


@needs_ann
def test_large_filters_go_through_the_graph_and_still_return_k(monkeypatch):
    import arcadelite.vector.index as index_module

    monkeypatch.setattr(index_module, "EXACT_FILTER_ROWS", 10)
    m = low_rank(3000, d=16)
    c = core(dims=16, exact_threshold=100)
    c.upsert(range(3000), m)
    half = list(range(0, 3000, 2))
    hits = 0
    for q in low_rank(20, d=16, seed=4):
        got = c.search(q, 10, allowed=half)
        assert len(got) == 10 and all(r % 2 == 0 for r, _ in got)
        hits += len({r for r, _ in got} & {r for r, _ in brute_force(m, q, 10, Similarity.COSINE,
                                                                        rows=half)})
    assert c.has_ann and hits / 200 >= 0.9
    # 40 allowed far-away vectors: the graph's candidates miss them, the exact fallback does not
    far = [r for r, _ in brute_force(m, m[0], 3000, Similarity.COSINE)][-40:]
    got = c.search(m[0], 10, allowed=far)
    assert [r for r, _ in got] == [r for r, _ in brute_force(m, m[0], 10, Similarity.COSINE,
                                                                 rows=far)]
