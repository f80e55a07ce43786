"""demos.knn against independent references: scipy's cdist, scikit-learn's brute-force kNN, and a
plain-Python brute force for the tie rules; then the two widgets through demos.widget.update."""

from __future__ import annotations

import base64
import math
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.spatial.distance import cdist
from sklearn.neighbors import KNeighborsClassifier

from demos import knn, raster, widget
from demos.knn import cross_validate, knn_predict, pairwise_distances
from demos.plotting import TIE_COLOR, plane_grid
from demos.widgets.knn import GRID, LIM
from png_decode import image_cells, read_png

HANGUL = re.compile(r"[가-힣]")
SCIPY_METRIC = {"l1": "cityblock", "l2": "euclidean"}


def korean_error(excinfo) -> str:
    message = str(excinfo.value)
    assert HANGUL.search(message), f"message is not Korean: {message!r}"
    return message


def brute_force_predict(X_train, y_train, X_query, k, metric):
    """The rules in plain Python: sort by (distance, index), count votes, max votes, min label."""
    def dist(a, b):
        if metric == "l1":
            return sum(abs(p - q) for p, q in zip(a, b))
        return math.sqrt(sum((p - q) ** 2 for p, q in zip(a, b)))
    out = []
    for q in X_query:
        ranked = sorted(range(len(X_train)), key=lambda i: (dist(q, X_train[i]), i))[:k]
        votes = Counter(int(y_train[i]) for i in ranked)
        top = max(votes.values())
        out.append(min(label for label, v in votes.items() if v == top))
    return np.array(out)


# ---------------------------------------------------------------------------------------------
# pairwise_distances
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("metric", ["l1", "l2"])
@settings(max_examples=100, deadline=None)
@given(m=st.integers(1, 12), n=st.integers(1, 12), d=st.integers(1, 6),
       seed=st.integers(0, 2**32 - 1), offset=st.sampled_from([0.0, 1e3, -1e6]))
def test_pairwise_distances_match_scipy(metric, m, n, d, seed, offset):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(m, d)) + offset
    B = rng.normal(size=(n, d)) + offset
    got = pairwise_distances(A, B, metric)
    assert got.shape == (m, n)
    # Far from the origin the expansion needs the translation trick to stay this close.
    np.testing.assert_allclose(got, cdist(A, B, SCIPY_METRIC[metric]), rtol=1e-7, atol=1e-7)


def test_pairwise_distances_accept_lists_and_default_to_l2():
    got = pairwise_distances([[0, 0], [1, 1]], [[3, 4]])
    np.testing.assert_allclose(got, [[5.0], [math.sqrt(4 + 9)]])
    assert pairwise_distances([[0, 0]], [[3, 4]], "l1")[0, 0] == 7.0


def test_pairwise_distance_to_itself_is_zero():
    X = np.random.default_rng(1).normal(size=(50, 3)) * 100
    assert np.max(np.diag(pairwise_distances(X, X, "l2"))) < 1e-5  # rounding, not 0 exactly
    assert np.all(np.diag(pairwise_distances(X, X, "l1")) == 0.0)


@pytest.mark.parametrize("bad, pattern", [
    ({"A": [[0, 0]], "B": [[0, 0, 0]]}, "차원"),
    ({"A": [0, 0], "B": [[0, 0]]}, "2차원"),
    ({"A": [[0, float("nan")]], "B": [[0, 0]]}, "NaN"),
    ({"A": [[0, 0]], "B": [[0, 0]], "metric": "cosine"}, "metric"),
    ({"A": [[0, 0], [1]], "B": [[0, 0]]}, "모양"),
    ({"A": [["a", "b"]], "B": [[0, 0]]}, "숫자"),
])
def test_pairwise_distances_reject_bad_input_in_korean(bad, pattern):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        pairwise_distances(**bad)
    assert pattern in korean_error(excinfo)


def test_pairwise_distances_overflow_is_a_korean_error():
    with pytest.raises(ValueError) as excinfo:
        pairwise_distances([[1e200, 0]], [[-1e200, 0]])
    korean_error(excinfo)


# ---------------------------------------------------------------------------------------------
# knn_predict
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("metric", ["l1", "l2"])
@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), q=st.integers(1, 20), d=st.integers(1, 4), c=st.integers(1, 4),
       k_frac=st.floats(0, 1), seed=st.integers(0, 2**32 - 1))
def test_knn_predict_matches_sklearn_without_ties(metric, n, q, d, c, k_frac, seed):
    rng = np.random.default_rng(seed)
    X, Q = rng.normal(size=(n, d)), rng.normal(size=(q, d))  # continuous: no equal distances
    y = rng.integers(0, c, n) * 3 - 2  # labels need not start at 0
    k = 1 + int(k_frac * (n - 1))
    ours = knn_predict(X, y, Q, k, metric)
    assert ours.shape == (q,) and ours.dtype.kind == "i"
    reference = KNeighborsClassifier(n_neighbors=k, algorithm="brute",
                                     metric={"l1": "manhattan", "l2": "euclidean"}[metric])
    theirs = reference.fit(X, y).predict(Q)
    # sklearn's vote-tie handling is its own business: compare only queries without a vote tie.
    _, votes = knn.knn_votes(X, y, Q, k, metric)
    clear = (votes == votes.max(axis=1, keepdims=True)).sum(axis=1) == 1
    np.testing.assert_array_equal(ours[clear], theirs[clear])
    assert np.all(votes.sum(axis=1) == k)


@pytest.mark.parametrize("metric", ["l1", "l2"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_knn_predict_tie_rules_match_brute_force(metric, data):
    """Small integer grids make equal distances and vote ties common."""
    n = data.draw(st.integers(1, 12))
    coords = st.integers(-2, 2)
    X = data.draw(st.lists(st.tuples(coords, coords), min_size=n, max_size=n))
    y = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    Q = data.draw(st.lists(st.tuples(coords, coords), min_size=1, max_size=6))
    k = data.draw(st.integers(1, n))
    np.testing.assert_array_equal(knn_predict(X, y, Q, k, metric),
                                  brute_force_predict(X, y, Q, k, metric))


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_duplicate_points_lower_index_first_then_smallest_label(metric):
    X = [[0, 0], [0, 0], [5, 5]]
    y = [1, 0, 2]
    # k=1: both duplicates are at distance 0; index 0 comes first, so label 1 (not the smaller 0).
    assert knn_predict(X, y, [[0, 0]], 1, metric).tolist() == [1]
    # k=2: one vote each for 1 and 0 -> the smaller label wins.
    assert knn_predict(X, y, [[0, 0]], 2, metric).tolist() == [0]


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_equidistant_distinct_points_lower_index_first(metric):
    X = [[1, 0], [0, 1], [-1, 0], [0, -1]]
    y = [2, 1, 0, 3]
    assert knn_predict(X, y, [[0, 0]], 1, metric).tolist() == [2]
    assert knn_predict(X, y, [[0, 0]], 2, metric).tolist() == [1]  # votes 2:1, 1:1 -> 1
    assert knn_predict(X, y, [[0, 0]], 3, metric).tolist() == [0]


def test_even_k_vote_tie_goes_to_smallest_label():
    X = [[0.0], [1.0], [10.0]]
    y = [7, 3, 3]
    assert knn_predict(X, y, [[0.1]], 2).tolist() == [3]  # 7 and 3 tie -> 3
    assert knn_predict(X, y, [[0.1]], 1).tolist() == [7]
    assert knn_predict(X, y, [[0.1]], 3).tolist() == [3]


def test_nearest_mask_equals_stable_argsort_with_many_ties():
    rng = np.random.default_rng(3)
    dists = rng.integers(0, 4, size=(200, 30)).astype(float)
    for k in (1, 2, 5, 30):
        mask = knn.nearest_mask(dists, k)
        expected = np.zeros_like(mask)
        order = np.argsort(dists, axis=1, kind="stable")[:, :k]
        np.put_along_axis(expected, order, True, axis=1)
        np.testing.assert_array_equal(mask, expected)


@pytest.mark.parametrize("metric", ["l1", "l2"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_nearest_neighbours_are_the_brute_force_ranking(metric, data):
    """Nearest first, equal distances by lower index, and the label knn_predict gives."""
    n = data.draw(st.integers(1, 12))
    coords = st.integers(-2, 2)
    X = np.array(data.draw(st.lists(st.tuples(coords, coords), min_size=n, max_size=n)), float)
    y = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    q = np.array(data.draw(st.tuples(coords, coords)), float)
    k = data.draw(st.integers(1, n))
    near, dists = knn.nearest_neighbours(X, q, k, metric)
    reference = cdist(q[None, :], X, SCIPY_METRIC[metric])[0]
    assert near.tolist() == sorted(range(n), key=lambda i: (reference[i], i))[:k]
    np.testing.assert_allclose(dists, reference[near], atol=1e-12)
    classes, votes = knn.knn_votes(X, y, q[None, :], k, metric)
    assert votes[0].tolist() == [int(np.sum(y[near] == c)) for c in classes]
    assert knn.winners(classes, votes[0]) == knn_predict(X, y, q[None, :], k, metric)[0]


def test_winners_break_vote_ties_towards_the_smallest_label():
    classes = np.array([2, 5, 9])
    assert knn.winners(classes, np.array([[1, 3, 3], [4, 0, 4], [0, 0, 1]])).tolist() == [5, 2, 9]


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_training_accuracy_is_knn_predict_on_the_training_data(metric):
    X, y = knn.make_data("blobs", 40, 3, 1.0, seed=2)
    ks = [1, 2, 5, 9]
    expected = [np.mean(knn_predict(X, y, X, k, metric) == y) for k in ks]
    np.testing.assert_allclose(knn.training_accuracy(X, y, ks, metric), expected, atol=1e-12)
    assert knn.training_accuracy(X, y, [1], metric)[0] == 1.0  # each point finds itself


@pytest.mark.parametrize("call", [
    lambda: knn.nearest_neighbours([[0, 0], [1, 1]], [0, 0], 3),
    lambda: knn.training_accuracy([[0, 0], [1, 1]], [0, 1], [1, 3]),
    lambda: knn.decision_map([[0, 0], [1, 1]], [0, 1], np.zeros((4, 2)), 3),
])
def test_k_larger_than_the_training_set_is_refused_in_korean(call):
    with pytest.raises(ValueError) as excinfo:
        call()
    assert "학습 점 개수(2) 이하" in korean_error(excinfo)


def test_one_class_only_predicts_that_class():
    X = np.random.default_rng(0).normal(size=(10, 2))
    assert set(knn_predict(X, [4] * 10, np.zeros((5, 2)), 3).tolist()) == {4}


def test_k_equal_to_n_is_majority_and_query_may_be_empty():
    X = [[0, 0], [1, 1], [2, 2], [3, 3]]
    assert knn_predict(X, [0, 1, 1, 0], [[100, 100]], 4).tolist() == [0]  # 2:2 tie
    assert knn_predict(X, [0, 1, 1, 1], [[-100, 0]], 4).tolist() == [1]
    assert knn_predict(X, [0, 1, 1, 1], np.zeros((0, 2)), 2).shape == (0,)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"k": 5}, "이하"),                            # k larger than the data
    ({"k": 0}, "1 이상"),
    ({"k": -1}, "1 이상"),
    ({"k": 2.5}, "정수"),
    ({"k": True}, "정수"),
    ({"k": "3"}, "정수"),
    ({"X_train": [], "y_train": []}, "비어"),
    ({"X_train": np.zeros((0, 2)), "y_train": []}, "비어"),
    ({"X_train": [1, 2, 3, 4], "y_train": [0, 1, 0, 1]}, "2차원"),
    ({"y_train": [0, 1, 0]}, "길이"),
    ({"y_train": [[0, 1, 0, 1]]}, "1차원"),
    ({"y_train": [0, 1.5, 0, 1]}, "정수"),
    ({"y_train": [0, float("nan"), 0, 1]}, "NaN"),
    ({"y_train": [True, False, True, False]}, "정수"),
    ({"X_query": [[0, 0, 0]]}, "차원"),
    ({"X_query": [[float("nan"), 0]]}, "NaN"),
    ({"X_train": [[0, 0], [1, 1], [2, float("inf")], [3, 3]]}, "NaN"),
    ({"metric": "L3"}, "metric"),
])
def test_knn_predict_rejects_bad_input_in_korean(kwargs, pattern):
    args = {"X_train": [[0, 0], [1, 1], [2, 2], [3, 3]], "y_train": [0, 1, 0, 1],
            "X_query": [[0.5, 0.5]], "k": 1, "metric": "l2", **kwargs}
    with pytest.raises((ValueError, TypeError)) as excinfo:
        knn_predict(**args)
    assert pattern in korean_error(excinfo)


# ---------------------------------------------------------------------------------------------
# cross_validate and best_k
# ---------------------------------------------------------------------------------------------

def my_folds(n, num_folds):
    """np.array_split written out: the first n % F folds get one extra element."""
    base, extra = divmod(n, num_folds)
    bounds = np.cumsum([0] + [base + (i < extra) for i in range(num_folds)])
    return [np.arange(bounds[i], bounds[i + 1]) for i in range(num_folds)]


@pytest.mark.parametrize("metric", ["l1", "l2"])
@settings(max_examples=40, deadline=None)
@given(n=st.integers(4, 40), folds=st.integers(2, 6), seed=st.integers(0, 2**32 - 1),
       integer=st.booleans())
def test_cross_validate_matches_own_fold_loop(metric, n, folds, seed, integer):
    folds = min(folds, n)
    rng = np.random.default_rng(seed)
    X = rng.integers(-2, 3, size=(n, 2)).astype(float) if integer else rng.normal(size=(n, 2))
    y = rng.integers(0, 3, n)
    parts = my_folds(n, folds)
    max_k = n - max(len(p) for p in parts)
    ks = sorted({1, 2, max_k, max(1, max_k // 2)})
    got = cross_validate(X, y, ks, num_folds=folds, metric=metric)
    assert list(got) == ks
    for k in ks:
        expected = []
        for i, val in enumerate(parts):
            train = np.concatenate([p for j, p in enumerate(parts) if j != i])
            pred = brute_force_predict(X[train].tolist(), y[train], X[val].tolist(), k, metric)
            expected.append(np.mean(pred == y[val]))
        np.testing.assert_allclose(got[k], expected, rtol=0, atol=1e-12)


def test_cross_validate_uses_given_order():
    # Sorted by class, 2 folds: each validation fold holds one class the training fold lacks.
    X = np.arange(10, dtype=float)[:, None]
    y = np.array([0] * 5 + [1] * 5)
    assert cross_validate(X, y, [1], num_folds=2) == {1: [0.0, 0.0]}
    shuffled = np.random.default_rng(0).permutation(10)
    assert np.mean(cross_validate(X[shuffled], y[shuffled], [1], num_folds=2)[1]) > 0.5


@pytest.mark.parametrize("kwargs, pattern", [
    ({"ks": [9]}, "이하"),         # 10 points, 5 folds -> 8 training points per fold
    ({"ks": []}, "비어"),
    ({"ks": [0]}, "1 이상"),
    ({"num_folds": 1}, "2 이상"),
    ({"num_folds": 11}, "이하"),
    ({"num_folds": 2.5}, "정수"),
    ({"y": [0, 1] * 4}, "길이"),
    ({"X": [], "y": []}, "비어"),
    ({"metric": "l0"}, "metric"),
])
def test_cross_validate_rejects_bad_input_in_korean(kwargs, pattern):
    args = {"X": np.arange(20.0).reshape(10, 2), "y": [0, 1] * 5, "ks": [1, 3], **kwargs}
    with pytest.raises((ValueError, TypeError)) as excinfo:
        cross_validate(**args)
    assert pattern in korean_error(excinfo)


def test_best_k_highest_mean_ties_to_smallest_k():
    assert knn.best_k({1: [0.5, 0.7], 3: [0.9, 0.7], 5: [0.8, 0.8], 7: [0.1, 0.1]}) == 3
    assert knn.best_k({9: [0.1 + 0.2], 4: [0.3]}) == 4  # equal up to rounding
    with pytest.raises(ValueError):
        knn.best_k({})


# ---------------------------------------------------------------------------------------------
# Data helpers
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["blobs", "spirals", "uniform"])
def test_make_data_is_deterministic_balanced_and_shuffled(kind):
    X, y = knn.make_data(kind, 90, 3, 0.3, seed=7)
    X2, y2 = knn.make_data(kind, 90, 3, 0.3, seed=7)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert X.shape == (90, 2) and y.shape == (90,) and set(y.tolist()) <= {0, 1, 2}
    assert np.all(np.abs(X) < 1.5)
    if kind != "uniform":
        assert np.bincount(y).tolist() == [30, 30, 30]
    assert not np.array_equal(y, np.sort(y))
    assert not np.array_equal(knn.make_data(kind, 90, 3, 0.3, seed=8)[0], X)


def test_rotate_keeps_l2_distances_and_changes_l1():
    X = np.random.default_rng(0).normal(size=(20, 2))
    R = knn.rotate(X, 30)
    np.testing.assert_allclose(pairwise_distances(R, R), pairwise_distances(X, X), atol=1e-12)
    assert not np.allclose(pairwise_distances(R, R, "l1"), pairwise_distances(X, X, "l1"))
    np.testing.assert_allclose(knn.rotate([[1, 0]], 90), [[0, 1]], atol=1e-15)


# ---------------------------------------------------------------------------------------------
# Widgets
# ---------------------------------------------------------------------------------------------

def outputs_of(result, kind):
    return [o for o in result["outputs"] if o["kind"] == kind]


def plot_of(result, plot_id):
    return next(o["figure"] for o in outputs_of(result, "plot") if o["id"] == plot_id)


def stat(result, label):
    return dict(outputs_of(result, "stats")[0]["items"])[label]


def class_points(figure):
    """{class label: set of (x, y)} from the scatter traces named '클래스 c'."""
    found = {}
    for trace in figure["data"]:
        name = trace.get("name", "")
        if trace.get("mode") == "markers" and name.startswith("클래스 "):
            found[int(name.split()[1])] = set(zip(trace["x"], trace["y"]))
    return found


def test_knn_default_render():
    result = widget.update("knn", {})
    assert result["ok"], result
    assert stat(result, "학습 점") == 60 and stat(result, "k") == 5
    figure = plot_of(result, "knn-plane")
    assert outputs_of(result, "plot")[0]["clickable"]
    assert figure["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)"
    assert "color" not in figure["layout"].get("font", {})
    assert sum(len(v) for v in class_points(figure).values()) == 60
    assert any("가장 작은 label" in t["text"] for t in outputs_of(result, "text"))


def test_knn_heatmap_is_knn_predict_on_the_grid():
    state = {"k": "4", "metric": "l1", "n_classes": "2", "dataset": "uniform", "n_points": "30"}
    result = widget.update("knn", state)
    image = plot_of(result, "knn-plane")["layout"]["images"][0]
    z = image_cells(image, (GRID, GRID))  # the cell indices the reader sees, decoded
    X, y = knn.make_data("uniform", 30, 2, 0.3, 0)
    centres, grid = plane_grid(LIM, GRID)
    assert (image["x"], image["y"], image["sizex"]) == (-LIM, LIM, 2 * LIM)  # the plane
    png = read_png(base64.b64decode(image["source"].split(",", 1)[1]))
    edge = len(png["palette"]) - 1                # the boundary, drawn in the picture
    assert tuple(png["palette"][edge][:3]) == raster.hex_to_rgb(TIE_COLOR)
    assert 0 < (png["rows"] == edge).mean() < 0.1
    expected = brute_force_predict(X.tolist(), y, grid[::37].tolist(), 4, "l1")
    tie_code = 2  # two classes, then the hatching colour
    shown = z.ravel()[::37]
    plain = shown != tie_code
    np.testing.assert_array_equal(shown[plain], expected[plain])
    assert (z == tie_code).any(), "even k with two classes must leave tied (hatched) cells"
    assert stat(result, "동점 영역") != "0.0%"


def test_knn_click_adds_point_of_chosen_class_even_when_rotated():
    state = {"angle": "90", "add_class": "2", "mode": "add"}
    event = {"type": "click", "plot": "knn-plane", "x": 0.3, "y": -0.2}
    result = widget.update("knn", state, event)
    assert result["ok"], result
    assert stat(result, "학습 점") == 61
    assert len(result["state"]["points"]) == 1 and result["state"]["points"][0][2] == 2
    shown = class_points(plot_of(result, "knn-plane"))[2]
    assert any(abs(px - 0.3) < 1e-3 and abs(py + 0.2) < 1e-3 for px, py in shown)
    undone = widget.update("knn", result["state"], {"type": "action", "name": "undo"})
    assert stat(undone, "학습 점") == 60 and undone["state"]["points"] == []


def test_knn_click_removes_nearest_point():
    X, _ = knn.make_data("blobs", 60, 3, 0.3, 0)
    event = {"type": "click", "plot": "knn-plane", "x": X[7, 0] + 0.01, "y": X[7, 1]}
    result = widget.update("knn", {"mode": "remove"}, event)
    assert result["ok"] and result["state"]["removed"] == [7]
    assert stat(result, "학습 점") == 59
    far = widget.update("knn", {"mode": "remove"}, {"type": "click", "plot": "knn-plane",
                                                     "x": 1.45, "y": 1.45})
    assert far["state"]["removed"] == [] and stat(far, "학습 점") == 60
    added = widget.update("knn", {"points": [[1.4, 1.4, 0]]}, {"type": "click",
                          "plot": "knn-plane", "x": 1.4, "y": 1.4})  # mode add: two points now
    removed = widget.update("knn", dict(added["state"], mode="remove"),
                            {"type": "click", "plot": "knn-plane", "x": 1.41, "y": 1.41})
    assert len(removed["state"]["points"]) == 1
    reset = widget.update("knn", removed["state"], {"type": "action", "name": "reset"})
    assert reset["state"]["points"] == [] and reset["state"]["removed"] == []


@pytest.mark.parametrize("points", [[[0.1, 0.2]], [[0.1, 0.2, 1.5]], [[0.1, 0.2, -1]],
                                    [[0.1, 0.2, 5]], [[0.1, 0.2, 0], [0.3, 0.4, 9]]])
def test_knn_refuses_added_points_that_are_not_x_y_and_a_class_with_a_colour(points):
    result = widget.update("knn", {"points": points, "query": [0.1, 0.2]})
    assert not result["ok"] and "'추가한 점' 상태가 올바르지 않습니다" in result["message"]
    assert widget.update("knn", {"points": [[0.1, 0.2, 4]], "query": [0.1, 0.2]})["ok"]


def test_knn_pinned_query_shows_neighbours_votes_and_distances():
    state = {"mode": "query", "k": "6", "metric": "l1"}
    result = widget.update("knn", state, {"type": "click", "plot": "knn-plane",
                                          "x": 0.05, "y": 0.1})
    assert result["ok"], result
    rows = outputs_of(result, "table")[0]["rows"]
    assert [r[0] for r in rows] == list(range(1, 7))
    X, y = knn.make_data("blobs", 60, 3, 0.3, 0)
    d1 = cdist([[0.05, 0.1]], X, "cityblock")[0]
    np.testing.assert_allclose([r[3] for r in rows], np.sort(d1)[:6], atol=1e-3)
    d2 = cdist([[0.05, 0.1]], X, "euclidean")[0][np.argsort(d1, kind="stable")[:6]]
    np.testing.assert_allclose([r[2] for r in rows], d2, atol=1e-3)
    votes = plot_of(result, "knn-votes")["data"][0]
    assert sum(votes["y"]) == 6
    winner = knn_predict(X, y, [[0.05, 0.1]], 6, "l1")[0]
    assert stat(result, "질의점 예측") == f"클래스 {winner}"
    unpinned = widget.update("knn", result["state"], {"type": "action", "name": "unpin"})
    assert not outputs_of(unpinned, "table")


def test_knn_rotation_l2_boundary_turns_with_data_l1_does_not():
    l2 = widget.update("knn", {"angle": "30", "metric": "l2"})
    l1 = widget.update("knn", {"angle": "30", "metric": "l1"})
    assert stat(l2, "회전 후 달라진 영역") == "0.0%"
    assert float(stat(l1, "회전 후 달라진 영역").rstrip("%")) > 1.0
    # L1's unit ball has the square's symmetry: a quarter turn changes nothing.
    quarter = widget.update("knn", {"angle": "90", "metric": "l1"})
    assert "회전 후 달라진 영역" not in dict(outputs_of(quarter, "stats")[0]["items"])
    names = {t.get("name") for t in plot_of(l1, "knn-plane")["data"]}
    assert "회전만 한 경계" in names


@pytest.mark.parametrize("state, pattern", [
    ({"k": "0"}, "1 이상"),
    ({"n_points": "10", "k": "30"}, "이하"),
    ({"k": "abc"}, "숫자"),
    ({"n_points": "10", "removed": list(range(10))}, "비어"),
    ({"query": [0, "x"]}, "숫자"),
    ({"points": [[0, 0]]}, "올바르지"),
])
def test_knn_bad_input_is_a_korean_message(state, pattern):
    result = widget.update("knn", state)
    assert result["ok"] is False
    assert pattern in result["message"] and HANGUL.search(result["message"])
    assert widget.update("knn", {**result["state"], **widget.defaults("knn")})["ok"]


def test_knn_cv_widget_marks_best_k_from_cross_validate():
    state = {"dataset": "spirals", "n_points": "100", "noise": "0.6", "num_folds": "4",
             "max_k": "15"}
    result = widget.update("knn-cv", state)
    assert result["ok"], result
    X, y = knn.make_data("spirals", 100, 3, 0.6, 0)
    cv = cross_validate(X, y, range(1, 16), num_folds=4)
    means = {k: np.mean(v) for k, v in cv.items()}
    best = min(k for k, m in means.items() if m == max(means.values()))
    assert stat(result, "best k") == best
    figure = plot_of(result, "knn-cv")
    mean_trace = next(t for t in figure["data"] if t["name"] == "평균 ± 표준편차")
    np.testing.assert_allclose(mean_trace["y"], [means[k] for k in range(1, 16)], atol=1e-4)
    np.testing.assert_allclose(mean_trace["error_y"]["array"],
                               [np.std(cv[k]) for k in range(1, 16)], atol=1e-4)


def test_knn_cv_clips_k_to_training_size_with_a_note():
    result = widget.update("knn-cv", {"n_points": "10", "num_folds": "5", "max_k": "50"})
    assert result["ok"], result
    figure = plot_of(result, "knn-cv")
    assert max(figure["data"][1]["x"]) == 8
    assert any("8" in t["text"] for t in outputs_of(result, "text") if t["tone"] == "warn")


def test_knn_cv_uniform_noise_stays_near_chance():
    result = widget.update("knn-cv", {"dataset": "uniform", "n_points": "300", "n_classes": "2"})
    mean_trace = plot_of(result, "knn-cv")["data"][1]
    assert 0.3 < np.mean(mean_trace["y"]) < 0.7


def test_knn_empty_space_contours_are_kth_neighbour_distances():
    result = widget.update("knn", {"reach": True, "n_points": "20", "k": "3", "metric": "l1"})
    assert result["ok"], result
    contour = next(t for t in plot_of(result, "knn-plane")["data"] if t["type"] == "contour")
    z = np.array(contour["z"]).ravel()
    X, _ = knn.make_data("blobs", 20, 3, 0.3, 0)
    _, grid = plane_grid(LIM, GRID)
    expected = np.sort(cdist(grid, X, "cityblock"), axis=1)[:, 2]
    np.testing.assert_allclose(z, expected, atol=1e-3)
    assert any("빈 공간" in t["text"] for t in outputs_of(result, "text"))
    plain = widget.update("knn", {"n_points": "20"})
    assert not any(t["type"] == "contour" for t in plot_of(plain, "knn-plane")["data"])
