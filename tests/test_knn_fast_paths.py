"""demos.knn's fast paths give exactly what the plain rule gives.

The decision map ranks squared L2 distances (no clip, no sqrt over the (G, N) array), picks the k
nearest by argmin rounds (small k) or argpartition (large k), works in blocks of rows and counts
votes with one bincount. The reference here is the rule written plainly: a stable argsort of
``pairwise_distances`` (ties: lower index first), votes counted, the smallest label wins a tie.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from demos import knn
from demos.plotting import plane_grid
from demos.widgets.knn import GRID, LIM


def reference_map(X, y, points, k, metric):
    """(labels, vote-tie flags, k-th neighbour distance) for each point, the plain way."""
    dists = knn.pairwise_distances(points, X, metric)
    order = np.argsort(dists, axis=1, kind="stable")[:, :k]
    classes, label_index = np.unique(y, return_inverse=True)
    votes = np.stack([np.bincount(row, minlength=len(classes)) for row in label_index[order]])
    tied = (votes == votes.max(axis=1, keepdims=True)).sum(axis=1) > 1
    return classes[np.argmax(votes, axis=1)], tied, np.sort(dists, axis=1)[:, k - 1]


def sqrt_twins():
    """Two squares s < t whose sqrt is the same double: equal as distances, not as squares."""
    s = 0.5
    while True:
        t = np.nextafter(s, 1.0)
        if math.sqrt(s) == math.sqrt(t):
            return s, float(t)
        s = float(t)


@pytest.fixture(params=["rounds", "partition"])
def selection(request, monkeypatch):
    """Run a test once with argmin rounds for every k, once with argpartition for every k."""
    monkeypatch.setattr(knn, "ROUNDS_UP_TO_K", 10**9 if request.param == "rounds" else 0)
    return request.param


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_k_nearest_matches_stable_argsort_of_distances(selection, metric):
    rng = np.random.default_rng(5)
    ranking = rng.integers(0, 5, size=(300, 17)).astype(float)  # many equal values
    if metric == "l2":
        ranking -= 1e-17  # rounding can leave a true 0 slightly negative; it counts as 0
    before = ranking.copy()
    for k in range(1, 18):
        near, kth = knn._k_nearest(ranking, k, metric)
        expected = np.argsort(knn._as_distances(ranking, metric), axis=1, kind="stable")[:, :k]
        np.testing.assert_array_equal(np.sort(near, axis=1), np.sort(expected, axis=1))
        np.testing.assert_array_equal(kth, np.sort(ranking, axis=1)[:, k - 1])
        np.testing.assert_array_equal(ranking, before)  # scratch use is undone


def test_equal_after_sqrt_is_a_tie_even_if_the_squares_differ(selection):
    s, t = sqrt_twins()
    ranking = np.array([[t, s, 9.0]])  # index 0 has the (slightly) larger square
    assert knn._k_nearest(ranking.copy(), 1, "l2")[0].tolist() == [[0]]  # equal distances
    assert knn._k_nearest(ranking.copy(), 1, "l1")[0].tolist() == [[1]]  # values are distances


@pytest.mark.parametrize("metric", ["l1", "l2"])
@pytest.mark.parametrize("k", [1, 2, 4, 5, 6, 9, 13])
def test_decision_map_equals_the_plain_rule_with_mirrored_and_repeated_points(metric, k):
    # Pairs mirrored about grid columns and rows (equal true distances on the mirror line, squares
    # that differ by rounding), exact repeats, and points a hair apart.
    centres, grid = plane_grid(LIM, GRID)
    col, row = centres[50], centres[40]
    X = np.array([[col + 0.3, 0.2], [col - 0.3, 0.2], [col + 0.6, 0.8], [col - 0.6, 0.8],
                  [-0.7, row + 0.25], [-0.7, row - 0.25], [0.4, -0.4], [0.4, -0.4],
                  [0.4 + 1e-9, -0.4], [-1.0, -1.0], [1.0, 1.0], [0.0, 0.9], [0.9, 0.0]])
    y = np.array([0, 1, 2, 0, 1, 2, 2, 1, 0, 1, 0, 2, 1])
    got = knn.decision_map(X, y, grid, k, metric, reach=True)
    for ours, theirs in zip(got, reference_map(X, y, grid, k, metric)):
        np.testing.assert_array_equal(ours, theirs)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_decision_map_equals_the_plain_rule_on_small_integer_data(data):
    n = data.draw(st.integers(1, 15))
    coords = st.integers(-4, 4).map(lambda v: v * 0.25)
    X = np.array(data.draw(st.lists(st.tuples(coords, coords), min_size=n, max_size=n)))
    y = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    k = data.draw(st.integers(1, n))
    metric = data.draw(st.sampled_from(["l1", "l2"]))
    points = knn.rotate(plane_grid(1.0, 12)[1], data.draw(st.sampled_from([0, 30, 45])))
    got = knn.decision_map(X, y, points, k, metric, reach=True)
    for ours, theirs in zip(got, reference_map(X, y, points, k, metric)):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_blocks_do_not_change_the_neighbours(monkeypatch, metric):
    rng = np.random.default_rng(2)
    X, points = rng.integers(-3, 4, (23, 2)) * 0.5, rng.integers(-6, 7, (1000, 2)) * 0.25
    whole = knn._k_nearest(knn._ranking_distances(points, X, metric), 7, metric)
    monkeypatch.setattr(knn, "BLOCK", 23 * 37)  # 37 rows per block, the last one shorter
    near, kth = knn._neighbours_in_blocks(points, X, 7, metric)
    np.testing.assert_array_equal(np.sort(near, axis=1), np.sort(whole[0], axis=1))
    np.testing.assert_array_equal(kth, whole[1])


def test_count_votes_is_int64_counts_per_class():
    labels = np.array([[0, 2, 2], [1, 1, 1], [2, 0, 1]])
    votes = knn._count_votes(labels, 4)
    assert votes.dtype == np.int64 and votes.shape == (3, 4)
    np.testing.assert_array_equal(votes, [[1, 0, 2, 0], [0, 3, 0, 0], [1, 1, 1, 0]])


def test_pairwise_distances_edge_shapes_and_l1_overflow():
    assert knn.pairwise_distances(np.zeros((0, 2)), [[1.0, 2.0]]).shape == (0, 1)
    np.testing.assert_array_equal(knn.pairwise_distances(np.zeros((2, 0)), np.zeros((3, 0)), "l1"),
                                  np.zeros((2, 3)))
    with pytest.raises(ValueError, match="overflow"):
        knn.pairwise_distances([[1e308, 0.0]], [[-1e308, 0.0]], "l1")
    X = np.random.default_rng(4).normal(size=(30, 2)) * 1e3
    d = knn.pairwise_distances(X, X)  # true zeros on the diagonal: clipped, never NaN
    assert np.all(np.isfinite(d)) and np.all(d >= 0)
