"""k-Nearest Neighbours (Lecture 2): distances, votes, cross-validation, and two widgets.

Contract (design.md):

* ``pairwise_distances(A, B, metric="l2")`` -> ``(len(A), len(B))``; ``"l2"`` Euclidean, ``"l1"``
  Manhattan.
* ``knn_predict(X_train, y_train, X_query, k, metric="l2")`` -> integer labels. A tie in votes goes
  to the smallest label; among equal distances the lower training index comes first.
* ``cross_validate(X, y, ks, num_folds=5, metric="l2")`` -> ``{k: [accuracy of each fold]}``, folds
  made by ``np.array_split`` of the data in the order given.

The plotting helpers at the bottom (``CLASS_COLORS``, ``plane_layout``, ``plane_grid``,
``region_image``) are shared with ``demos.linear``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from demos import raster
from demos.widget import (button, click_xy, hidden, legend, number, plot, select, slider, stats,
                          table, text, toggle, widget)

__all__ = [
    "pairwise_distances", "nearest_mask", "knn_votes", "knn_predict", "cross_validate", "best_k",
    "make_data", "rotate", "WIDGETS",
]

METRICS = ("l1", "l2")
MAX_POINTS = 400  # keeps a 100x100 decision map well under the frame budget


# ---------------------------------------------------------------------------------------------
# Input checks (shared with demos.linear). Korean messages; only ValueError / TypeError escape.
# ---------------------------------------------------------------------------------------------

def as_float_array(value, name: str, ndim: int) -> np.ndarray:
    """Nested lists or an array -> finite float64 array with ``ndim`` dimensions."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"'{name}'에는 숫자 배열을 넣으세요 (문자열은 안 됩니다).")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError(f"'{name}'에는 모양이 고른 숫자 배열만 넣을 수 있습니다.") from None
    if array.size == 0 and array.ndim != ndim:
        raise ValueError(f"'{name}'이(가) 비어 있습니다. 점을 하나 이상 넣으세요.")
    if array.ndim != ndim:
        shape = "(N, D) 2차원" if ndim == 2 else ("(N,) 1차원" if ndim == 1 else f"{ndim}차원")
        raise ValueError(f"'{name}'은(는) {shape} 배열이어야 합니다 (받은 모양: {array.shape}).")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"'{name}'에 NaN이나 무한대가 있습니다. 유한한 숫자만 넣으세요.")
    return array


def as_labels(value, name: str, n: int) -> np.ndarray:
    """Integer class labels of length ``n`` (1, 2.0 are fine; 1.5, True, NaN are not) -> int64."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"'{name}'에는 정수 label 배열을 넣으세요 (문자열은 안 됩니다).")
    raw = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if raw.dtype == bool:
        raise TypeError(f"'{name}'에는 True/False가 아니라 정수 label을 넣으세요.")
    labels = as_float_array(value, name, 1)
    if labels.shape[0] != n:
        raise ValueError(f"'{name}'의 길이({labels.shape[0]})가 데이터 점 개수({n})와 다릅니다.")
    if not np.all(labels == np.round(labels)):
        raise ValueError(f"'{name}'의 label은 정수여야 합니다.")
    return labels.astype(np.int64)


def as_int(value, name: str, *, low: int, high: int | None = None) -> int:
    """An integer (3 or 3.0, not 2.5 or True) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"'{name}'은(는) 정수여야 합니다 (받은 값: {value!r}).")
    if not math.isfinite(value) or value != int(value):
        raise ValueError(f"'{name}'은(는) 정수여야 합니다 (받은 값: {value!r}).")
    value = int(value)
    if value < low:
        raise ValueError(f"'{name}'은(는) {low} 이상이어야 합니다 (받은 값: {value}).")
    if high is not None and value > high:
        raise ValueError(f"'{name}'은(는) {high} 이하여야 합니다 (받은 값: {value}).")
    return value


def _check_metric(metric) -> str:
    if metric not in METRICS:
        raise ValueError(f"거리 metric은 'l1' 또는 'l2'여야 합니다 (받은 값: {metric!r}).")
    return metric


def _check_train(X_train, y_train) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(X_train, "X_train", 2)
    if X.shape[0] == 0:
        raise ValueError("학습 데이터가 비어 있습니다. 점을 하나 이상 넣으세요.")
    return X, as_labels(y_train, "y_train", X.shape[0])


def _check_k(k, n_train: int) -> int:
    k = as_int(k, "k", low=1)
    if k > n_train:
        raise ValueError(f"k({k})는 학습 점 개수({n_train}) 이하여야 합니다.")
    return k


# ---------------------------------------------------------------------------------------------
# Distances and votes.
#
# Finding neighbours only compares distances. So for L2 the big (Q, N) arrays hold "ranking
# distances": the squares as the expansion gives them, without the clip at 0 and the sqrt, which
# would be two more passes over memory (on the 100 x 100 decision map in WebAssembly, passes over
# memory are what cost). Neither step ever reverses an order, so the distances of the few points
# shown are computed at the end; only ties need care, see _k_nearest.
# ---------------------------------------------------------------------------------------------

def pairwise_distances(A, B, metric: str = "l2") -> np.ndarray:
    """Distances between every row of A (M, D) and every row of B (N, D) -> (M, N).

    L2 uses ||a||^2 - 2 a.b + ||b||^2 (one matrix product, no (M, N, D) array); L1 adds |a_d - b_d|
    one dimension at a time, so memory stays (M, N) as well.
    """
    dists = _ranking_distances(A, B, metric)
    return _as_distances(dists, metric, out=dists)


def _ranking_distances(A, B, metric: str) -> np.ndarray:
    """Like ``pairwise_distances`` (M, N), but for L2 the squares as computed (before the clip at 0
    and the sqrt): numbers in the same order as the distances, two passes cheaper."""
    metric = _check_metric(metric)
    A = as_float_array(A, "A", 2)
    B = as_float_array(B, "B", 2)
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"두 점 집합의 차원이 다릅니다: A는 {A.shape[1]}차원, B는 {B.shape[1]}차원.")
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, in Korean
        dists = _squared_l2(A, B) if metric == "l2" else _l1(A, B)
    # max() is NaN if any entry is NaN, else +inf if any entry is +inf: one pass, no new array.
    top = dists.max() if dists.size else 0.0
    if np.isnan(top) or top == np.inf:
        raise ValueError("좌표가 너무 커서 거리를 계산할 수 없습니다 (overflow).")
    return dists


def _as_distances(ranking: np.ndarray, metric: str, out: np.ndarray | None = None) -> np.ndarray:
    """Ranking distances (any shape) -> distances; ``out=ranking`` converts in place.

    The map never decreases, so the k-th smallest distance is the distance of the k-th smallest
    ranking distance.
    """
    if metric == "l1":
        return ranking
    clipped = np.maximum(ranking, 0.0, out=out)  # rounding can make a true 0 slightly negative
    return np.sqrt(clipped, out=clipped)


def _squared_l2(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Checked A (M, D), B (N, D) -> (M, N) squared Euclidean distances, built in one array (up to
    rounding: a true 0 may come out slightly negative)."""
    # Distances do not change under translation. Moving B[0] to the origin keeps the expansion
    # accurate for data far from the origin (it would subtract huge, nearly equal numbers), and
    # keeps integer data integer, so equal distances stay exactly equal for the tie rule.
    centre = B[0] if len(B) else 0.0
    A, B = A - centre, B - centre
    sq = A @ (-2.0 * B).T  # -2 a.b; scaling by -2 (a power of two) adds no rounding
    sq += (A * A).sum(axis=1)[:, None]  # in place (+=): no new (M, N) temporaries
    sq += (B * B).sum(axis=1)[None, :]
    return sq


def _l1(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Checked A (M, D), B (N, D) -> (M, N) L1 distances, one dimension at a time (in place)."""
    if A.shape[1] == 0:
        return np.zeros((A.shape[0], B.shape[0]))
    dists = np.subtract.outer(A[:, 0], B[:, 0])
    np.abs(dists, out=dists)
    gap = np.empty_like(dists)
    for d in range(1, A.shape[1]):
        np.subtract.outer(A[:, d], B[:, d], out=gap)
        dists += np.abs(gap, out=gap)
    return dists


ROUNDS_UP_TO_K = 5  # up to this k, k argmin passes beat one argpartition (measured in Pyodide)


def _k_nearest(ranking: np.ndarray, k: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(Q, N) ranking distances (from ``_ranking_distances``: no NaN, no +inf), 1 <= k <= N ->
    (indices (Q, k) of each row's k nearest, in no particular order; the k-th smallest ranking
    distance of each row (Q,)).

    Ties: lower index first, judged on the distances themselves, as ``pairwise_distances`` gives
    them: sqrt can round two squares that differ only in the last bit to the same distance.
    """
    pick = _nearest_by_rounds if k <= ROUNDS_UP_TO_K else _nearest_by_partition
    near, kth, after = pick(ranking, k)  # after: the (k+1)-th smallest (inf if k == N)
    # Which k are nearest depends on the index only if the (k+1)-th is as near as the k-th; those
    # few rows get a stable sort of their distances instead.
    crowded = np.nonzero(_as_distances(after, metric) == _as_distances(kth, metric))[0]
    if crowded.size:
        dists = _as_distances(ranking[crowded], metric)
        near[crowded] = np.argsort(dists, axis=1, kind="stable")[:, :k]
    return near, kth


def _nearest_by_rounds(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Q, N) -> (indices (Q, k) of each row's k smallest, k-th smallest (Q,), (k+1)-th (Q,)).

    Picks each row's smallest k times, crossing every pick out with inf (and putting it back at the
    end); argmin returns the first of equal minima, so ties go to the lower index. k passes over
    the array and no (Q, N) index array: for small k cheaper than a partition.
    """
    values = np.ascontiguousarray(values)
    q, n = values.shape
    flat = values.reshape(-1)  # a view; 1-D fancy indexing is about 3x cheaper than [rows, cols]
    start = np.arange(q) * n  # where each row begins in flat
    near = np.empty((q, k), dtype=np.intp)
    picked = np.empty((q, k))
    for j in range(k):
        near[:, j] = nearest = values.argmin(axis=1)  # (Q,)
        at = start + nearest
        picked[:, j] = flat[at]
        flat[at] = np.inf
    after = flat[start + values.argmin(axis=1)]  # inf once every point is picked
    flat[(start[:, None] + near).ravel()] = picked.ravel()
    return near, picked[:, -1], after


def _nearest_by_partition(values: np.ndarray,
                          k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Same as ``_nearest_by_rounds`` with one argpartition: O(N) per row whatever k is, but ties
    at the cut are broken arbitrarily (``_k_nearest`` redoes those rows)."""
    q, n = values.shape
    if k == n:  # every point is a neighbour
        return np.tile(np.arange(n), (q, 1)), values.max(axis=1), np.full(q, np.inf)
    part = np.argpartition(values, (k - 1, k), axis=1)  # [:, k - 1] k-th smallest, [:, k] next
    kth, after = np.take_along_axis(values, part[:, k - 1:k + 1], axis=1).T
    return part[:, :k], kth, after


def nearest_mask(dists: np.ndarray, k: int) -> np.ndarray:
    """(Q, N) distances (finite), 1 <= k <= N -> (Q, N) bool marking each row's k nearest (ties:
    lower index first). The same selection as the classifier's (``_k_nearest``): distances rank
    as they are, so they go in under the metric whose ranking map is the identity, L1."""
    dists = np.array(dists, dtype=float)           # a copy: the selection crosses picks out in place
    near, _ = _k_nearest(dists, k, "l1")
    mask = np.zeros(dists.shape, dtype=bool)
    np.put_along_axis(mask, near, True, axis=1)
    return mask


def _count_votes(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(Q, k) class indices of each row's neighbours -> (Q, C) int64 vote counts.

    One bincount for all rows: a vote of row r for class c lands in bin c * Q + r. The counts are
    stored class by class (the (Q, C) result is a transposed view), so max / argmax over the few
    classes run along long columns instead of over Q tiny rows, which is several times faster.
    """
    q = labels.shape[0]
    bins = labels * q + np.arange(q)[:, None]
    counts = np.bincount(bins.ravel(), minlength=n_classes * q).reshape(n_classes, q)
    return counts.T.astype(np.int64, copy=False)  # bincount gives int32 in 32-bit WebAssembly


def _votes(ranking: np.ndarray, label_index: np.ndarray, n_classes: int, k: int,
           metric: str) -> np.ndarray:
    """(Q, N) ranking distances, (N,) class indices -> (Q, C) vote counts of the k nearest."""
    return _count_votes(label_index[_k_nearest(ranking, k, metric)[0]], n_classes)


def knn_votes(X_train, y_train, X_query, k: int,
              metric: str = "l2") -> tuple[np.ndarray, np.ndarray]:
    """-> (classes (C,) sorted distinct labels, votes (Q, C) counts among the k nearest)."""
    X, y = _check_train(X_train, y_train)
    k = _check_k(k, X.shape[0])
    Q = as_float_array(X_query, "X_query", 2)
    classes, label_index = np.unique(y, return_inverse=True)
    ranking = _ranking_distances(Q, X, metric)
    return classes, _votes(ranking, label_index, len(classes), k, metric)


def _winners(classes: np.ndarray, votes: np.ndarray) -> np.ndarray:
    # argmax returns the first maximum, and classes are sorted: a tie goes to the smallest label.
    return classes[np.argmax(votes, axis=-1)]


def knn_predict(X_train, y_train, X_query, k: int, metric: str = "l2") -> np.ndarray:
    """Labels (Q,) int64 for X_query (Q, D) from the k nearest of X_train (N, D), y_train (N,)."""
    classes, votes = knn_votes(X_train, y_train, X_query, k, metric)
    return _winners(classes, votes)


def _ranked_votes(dists: np.ndarray, label_index: np.ndarray, n_classes: int,
                  k_max: int) -> np.ndarray:
    """(Q, N) distances -> (Q, k_max, C): votes after the first 1..k_max neighbours for each k."""
    order = np.argsort(dists, axis=1, kind="stable")[:, :k_max]  # stable: lower index first
    return np.cumsum(np.eye(n_classes)[label_index[order]], axis=1)


def _accuracy_per_k(classes: np.ndarray, ranked: np.ndarray, y: np.ndarray,
                    ks: list[int]) -> np.ndarray:
    """(Q, k_max, C) ranked votes, true labels y (Q,) -> accuracy (len(ks),) for each k in ks."""
    predicted = _winners(classes, ranked[:, np.asarray(ks) - 1])  # (Q, len(ks))
    return (predicted == y[:, None]).mean(axis=0)


def _check_ks(ks) -> list[int]:
    """A k or a list of ks -> distinct positive ints, in the given order."""
    if isinstance(ks, numbers.Real):
        ks = [ks]
    try:
        ks = list(ks)
    except TypeError:
        raise TypeError("ks에는 k 값들의 목록을 넣으세요.") from None
    if not ks:
        raise ValueError("ks가 비어 있습니다. k 값을 하나 이상 넣으세요.")
    return list(dict.fromkeys(as_int(k, "k", low=1) for k in ks))


def cross_validate(X, y, ks, num_folds: int = 5, metric: str = "l2") -> dict[int, list[float]]:
    """{k: [accuracy on fold 0, ..., fold F-1]}; fold i validates, the others train.

    X (N, D), y (N,); folds are ``np.array_split`` of the data in the given order (shuffle first if
    the data are sorted by class).
    """
    X, y = _check_train(X, y)
    metric = _check_metric(metric)
    ks = _check_ks(ks)
    n = X.shape[0]
    num_folds = as_int(num_folds, "fold 개수", low=2, high=n)
    folds = np.array_split(np.arange(n), num_folds)
    smallest_train = n - max(len(f) for f in folds)
    if max(ks) > smallest_train:
        raise ValueError(f"k({max(ks)})는 각 fold의 학습 점 개수({smallest_train}) 이하여야 합니다.")
    classes, label_index = np.unique(y, return_inverse=True)
    result: dict[int, list[float]] = {k: [] for k in ks}
    for i, val in enumerate(folds):
        train = np.concatenate([f for j, f in enumerate(folds) if j != i])
        dists = pairwise_distances(X[val], X[train], metric)
        ranked = _ranked_votes(dists, label_index[train], len(classes), max(ks))
        for k, accuracy in zip(ks, _accuracy_per_k(classes, ranked, y[val], ks).tolist()):
            result[k].append(accuracy)
    return result


def best_k(cv: dict) -> int:
    """The k with the highest mean accuracy; a tie (up to rounding) goes to the smallest k."""
    if not cv:
        raise ValueError("교차 검증 결과가 비어 있습니다.")
    means = {int(k): float(np.mean(v)) for k, v in cv.items()}
    top = max(means.values())
    return min(k for k, m in means.items() if m >= top - 1e-12)


# ---------------------------------------------------------------------------------------------
# Toy 2-D data.
# ---------------------------------------------------------------------------------------------

DATASETS = [("blobs", "덩어리 (blobs)"), ("spirals", "나선 (spirals)"),
            ("uniform", "균일 잡음 (label도 무작위)")]


def make_data(kind: str = "blobs", n_points: int = 60, n_classes: int = 3, noise: float = 0.3,
              seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (N, 2) in about [-1, 1]^2 and y (N,) in [0, C), the same for the same arguments.

    Classes take turns (balanced) and the rows are shuffled, so ``np.array_split`` folds mix classes.
    """
    if kind not in dict(DATASETS):
        raise ValueError(f"데이터 종류는 {', '.join(k for k, _ in DATASETS)} 중 하나여야 합니다.")
    n = as_int(n_points, "점 개수", low=1, high=MAX_POINTS)
    c = as_int(n_classes, "클래스 개수", low=1, high=len(CLASS_COLORS))
    noise = float(noise)
    if not 0.0 <= noise <= 2.0:
        raise ValueError("noise는 0 이상 2 이하여야 합니다.")
    rng = np.random.default_rng(as_int(seed, "seed", low=0))
    y = np.arange(n) % c
    if kind == "blobs":
        angle = 2 * np.pi * y / c + np.pi / 2
        centres = 0.6 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        X = centres + (0.08 + 0.3 * noise) * rng.standard_normal((n, 2))
    elif kind == "spirals":
        r = rng.uniform(0.08, 1.0, n)
        t = 2 * np.pi * y / c + 4.0 * r + 0.8 * noise * rng.standard_normal(n)
        X = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    else:
        X = rng.uniform(-1.0, 1.0, (n, 2))
        y = rng.integers(0, c, n)
    order = rng.permutation(n)
    return X[order], y[order].astype(np.int64)


def rotate(X, degrees: float) -> np.ndarray:
    """Rotate points (N, 2) counter-clockwise about the origin by ``degrees``."""
    t = np.deg2rad(degrees)
    R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return np.asarray(X, dtype=np.float64) @ R.T


# ---------------------------------------------------------------------------------------------
# Plotly helpers (plain dicts; also used by demos.linear).
# ---------------------------------------------------------------------------------------------

CLASS_COLORS = ["#e45756", "#4c78a8", "#54a24b", "#f58518", "#b279a2"]  # readable on light and dark
TIE_COLOR = "#8c8c8c"


def class_name(c: int) -> str:
    return f"클래스 {c}"


def plane_layout(lim: float, height: int = 400, **extra) -> dict:
    """A square [-lim, lim]^2 plane, transparent, legend below, no zoom (taps must stay clicks)."""
    axis = {"range": [-lim, lim], "fixedrange": True, "constrain": "domain"}
    layout = {
        "autosize": True, "height": height, "margin": {"l": 32, "r": 8, "t": 8, "b": 24},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": dict(axis), "yaxis": dict(axis, scaleanchor="x", scaleratio=1),
        "legend": {"orientation": "h", "x": 0, "y": -0.04, "yanchor": "top"},
        "dragmode": False, "hovermode": "closest", "showlegend": True,
    }
    layout.update(extra)
    return layout


def plane_grid(lim: float, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres of a size x size grid on [-lim, lim]^2 -> (centres (size,), points (size**2, 2)).

    Row-major with y as the row, like Plotly's heatmap z: points[i * size + j] = (centres[j],
    centres[i]).
    """
    step = 2 * lim / size
    centres = -lim + step * (np.arange(size) + 0.5)
    gx, gy = np.meshgrid(centres, centres)
    return centres, np.stack([gx.ravel(), gy.ravel()], axis=1)


def region_image(centres: np.ndarray, z: np.ndarray, colors: list[str], opacity: float = 0.35,
                 regions: np.ndarray | None = None) -> dict:
    """Plotly layout image of category indices z (size, size) in [0, len(colors)): one flat colour
    per cell, cells centred on ``centres`` (the same for x and y); with ``regions`` (size, size),
    the edges between different regions drawn as lines. An image, not heatmap and line traces:
    see demos.raster."""
    half = (centres[1] - centres[0]) / 2 if len(centres) > 1 else 0.5
    extent = (centres[0] - half, centres[-1] + half)
    return raster.category_image(z, colors, extent, extent, opacity, regions=regions,
                                 edge_color=TIE_COLOR)


def boundary_lines(z: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges where neighbouring labels of z (size, size) differ, as a NaN-separated polyline."""
    h = (centres[1] - centres[0]) / 2 if len(centres) > 1 else 0.5
    i, j = np.nonzero(z[:, 1:] != z[:, :-1])  # vertical edges between columns j and j + 1
    xv = centres[j] + h
    vx = np.stack([xv, xv, np.full_like(xv, np.nan)], axis=1)
    vy = np.stack([centres[i] - h, centres[i] + h, np.full_like(xv, np.nan)], axis=1)
    i, j = np.nonzero(z[1:, :] != z[:-1, :])  # horizontal edges between rows i and i + 1
    yh = centres[i] + h
    hx = np.stack([centres[j] - h, centres[j] + h, np.full_like(yh, np.nan)], axis=1)
    hy = np.stack([yh, yh, np.full_like(yh, np.nan)], axis=1)
    return np.concatenate([vx.ravel(), hx.ravel()]), np.concatenate([vy.ravel(), hy.ravel()])


def _round(a: np.ndarray, digits: int = 4) -> np.ndarray:
    """Fewer digits in the JSON sent to the browser (a plot does not need 17)."""
    return np.round(a, digits)


# ---------------------------------------------------------------------------------------------
# Widget "knn": the decision map, a pinned query, and rotation (L1 vs L2).
# ---------------------------------------------------------------------------------------------

LIM = 1.5
GRID = 100
UNIT_BALL_AT = (1.18, -1.18)
UNIT_BALL_R = 0.22
PICK_RADIUS = 0.2  # how close a tap must be to remove a point


def _parse_points(raw, name: str) -> np.ndarray:
    """Hidden list [[x, y, label], ...] -> (P, 3) float array."""
    if raw in (None, []):
        return np.zeros((0, 3))
    pts = as_float_array(raw, name, 2)
    if pts.shape[1] != 3 or not np.all(pts[:, 2] == np.round(pts[:, 2])) or np.any(pts[:, 2] < 0):
        raise ValueError(f"'{name}' 상태가 올바르지 않습니다 ([x, y, 클래스] 목록이어야 합니다).")
    return pts


def _parse_query(raw) -> np.ndarray | None:
    if raw is None:
        return None
    q = as_float_array(raw, "질의점", 1)
    if q.shape != (2,):
        raise ValueError("질의점 상태는 [x, y]여야 합니다.")
    return q


def _dataset(values: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The current training set in the data's own frame -> X (N, 2), y (N,), ids (N,).

    ids >= 0 are generated points (their index), ids < 0 are added points (-1 - position).
    """
    X, y = make_data(values["dataset"], values["n_points"], values["n_classes"], values["noise"],
                     values["seed"])
    removed = {int(i) for i in (values["removed"] or [])}
    keep = np.array([i not in removed for i in range(len(X))], dtype=bool)
    added = _parse_points(values["points"], "추가한 점")
    ids = np.concatenate([np.nonzero(keep)[0], -1 - np.arange(len(added))])
    X = np.concatenate([X[keep], added[:, :2]])
    y = np.concatenate([y[keep], added[:, 2].astype(np.int64)])
    if len(X) == 0:
        raise ValueError("학습 데이터가 비어 있습니다. 점을 추가하거나 '추가·삭제 되돌리기'를 누르세요.")
    if len(X) > MAX_POINTS:
        raise ValueError(f"점은 {MAX_POINTS}개까지만 둘 수 있습니다. 점을 지우거나 점 개수를 줄이세요.")
    return X, y, ids


def _knn_event(values: dict, event: dict) -> dict:
    """Clicks add / pin / remove (stored in the data's frame, so they turn with the data)."""
    if event.get("type") == "action":
        name = event.get("name")
        if name == "undo":
            return {"points": [list(p) for p in (values["points"] or [])][:-1]}
        if name == "unpin":
            return {"query": None}
        if name == "reset":
            return {"points": [], "removed": [], "query": None}
        return {}
    if event.get("type") != "click" or event.get("plot") != "knn-plane":
        return {}
    # The screen shows the data turned by `angle`; turn the tap back into the data's frame.
    p = rotate(np.array([click_xy(event)]), -values["angle"])[0]
    mode = values["mode"]
    if mode == "query":
        return {"query": [round(float(v), 4) for v in p]}
    if mode == "add":
        added = [list(q) for q in (values["points"] or [])]
        return {"points": added + [[round(float(p[0]), 4), round(float(p[1]), 4),
                                    int(values["add_class"])]]}
    X, _, ids = _dataset(values)
    gaps = np.hypot(*(X - p).T)
    nearest = int(np.argmin(gaps))
    if gaps[nearest] > PICK_RADIUS:
        return {}
    if ids[nearest] >= 0:
        return {"removed": sorted({*map(int, values["removed"] or []), int(ids[nearest])})}
    added = [list(q) for q in values["points"]]
    del added[-1 - int(ids[nearest])]
    return {"points": added}


def _unit_balls() -> list[dict]:
    """L2 circle and L1 diamond of radius UNIT_BALL_R in a corner; the diamond is tied to the axes."""
    cx, cy = UNIT_BALL_AT
    t = np.linspace(0, 2 * np.pi, 49)
    r = UNIT_BALL_R
    style = {"type": "scatter", "mode": "lines", "hoverinfo": "skip", "showlegend": False}
    label = {"type": "scatter", "mode": "text", "x": [cx], "y": [cy + r + 0.1],
             "text": ["◇ L1  ○ L2"], "textfont": {"size": 10}, "hoverinfo": "skip",
             "showlegend": False, "cliponaxis": False}
    return [
        label,
        dict(style, x=_round(cx + r * np.cos(t)), y=_round(cy + r * np.sin(t)),
             line={"color": TIE_COLOR, "width": 1.5}),
        dict(style, x=[cx + r, cx, cx - r, cx, cx + r], y=[cy, cy + r, cy, cy - r, cy],
             line={"color": TIE_COLOR, "width": 1.5, "dash": "dot"}),
    ]


def _ball(centre: np.ndarray, radius: float, metric: str) -> dict:
    """The set of points within ``radius`` of ``centre`` under ``metric`` (its outline)."""
    if metric == "l2":
        t = np.linspace(0, 2 * np.pi, 73)
        x, y = centre[0] + radius * np.cos(t), centre[1] + radius * np.sin(t)
    else:
        x = centre[0] + radius * np.array([1, 0, -1, 0, 1])
        y = centre[1] + radius * np.array([0, 1, 0, -1, 0])
    return {"type": "scatter", "mode": "lines", "x": _round(x), "y": _round(y), "hoverinfo": "skip",
            "showlegend": False, "line": {"color": TIE_COLOR, "width": 1.5, "dash": "dash"}}


BLOCK = 1 << 18  # entries of one (rows, N) block of ranking distances: 2 MB of float64


def _neighbours_in_blocks(points: np.ndarray, X: np.ndarray, k: int,
                          metric: str) -> tuple[np.ndarray, np.ndarray]:
    """``_k_nearest(_ranking_distances(points, X, metric), k, metric)`` for many points (G, D), in a
    block of rows at a time -> (indices (G, k), k-th ranking distance (G,)). Same result.

    For 10,000 grid points and 300 data points one (G, N) array is 24 MB; a block of about BLOCK
    entries stays in the CPU cache during the several passes over it, and its memory is reused
    by the next block instead of being fetched fresh from the operating system.
    """
    rows = max(1, BLOCK // len(X))
    near = np.empty((len(points), k), dtype=np.intp)
    kth = np.empty(len(points))
    for start in range(0, len(points), rows):
        block = slice(start, start + rows)
        ranking = _ranking_distances(points[block], X, metric)
        near[block], kth[block] = _k_nearest(ranking, k, metric)
    return near, kth


def _decision_map(X: np.ndarray, y: np.ndarray, grid_points: np.ndarray, k: int, metric: str,
                  reach: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """For every grid point (G, 2): winner label (G,), vote tie flag (G,) and, with ``reach``, the
    distance to its k-th neighbour (G,)."""
    classes, label_index = np.unique(y, return_inverse=True)
    near, kth = _neighbours_in_blocks(grid_points, X, k, metric)  # (G, k), (G,)
    votes = _count_votes(label_index[near], len(classes))  # (G, C)
    tied = (votes == votes.max(axis=1, keepdims=True)).sum(axis=1) > 1
    # sqrt keeps the order, so the k-th smallest distance is the sqrt of the k-th smallest square.
    return _winners(classes, votes), tied, (_as_distances(kth, metric) if reach else None)


def _render_knn(dataset, n_classes, n_points, noise, seed, k, metric, angle, reach, mode,
                add_class, points, removed, query) -> list[dict]:
    values = dict(dataset=dataset, n_classes=n_classes, n_points=n_points, noise=noise, seed=seed,
                  points=points, removed=removed)
    X_data, y, _ = _dataset(values)
    X = rotate(X_data, angle)  # what the reader sees, and what distances are measured in
    k = _check_k(k, len(X))
    centres, grid_points = plane_grid(LIM, GRID)
    labels, tied, kth = _decision_map(X, y, grid_points, k, metric, reach)
    n_colors = int(max(y.max(), n_classes - 1)) + 1
    colors = CLASS_COLORS[:n_colors] + [TIE_COLOR]
    # Tied cells keep their winner's colour under grey diagonal hatching.
    i, j = np.divmod(np.arange(GRID * GRID), GRID)
    shown = np.where(tied & ((i + j) % 4 == 0), len(colors) - 1, labels)
    # The decision boundary is drawn into the same picture, along the cell edges.
    regions = region_image(centres, shown.reshape(GRID, GRID), colors,
                           regions=labels.reshape(GRID, GRID))
    data = []

    changed = None
    if angle % 90 != 0:
        # Where would the boundary be if the picture had simply turned with the data? Predict from
        # the unrotated data at grid points turned back: equal to `labels` exactly when the metric
        # does not care about the axes.
        rigid, _, _ = _decision_map(X_data, y, rotate(grid_points, -angle), k, metric)
        changed = float(np.mean(rigid != labels))
        rx, ry = boundary_lines(rigid.reshape(GRID, GRID), centres)
        data.append({"type": "scatter", "mode": "lines", "x": _round(rx), "y": _round(ry),
                     "name": "회전만 한 경계", "hoverinfo": "skip",
                     "line": {"color": TIE_COLOR, "width": 2, "dash": "dot"}})

    if reach:
        # Contours of the distance to the k-th neighbour: where it is large, the vote comes from
        # far-away points (empty space), so the colour there means little.
        data.append({"type": "contour", "x": centres, "y": centres,
                     "z": _round(kth.reshape(GRID, GRID), 3), "contours": {
                         "coloring": "lines", "showlabels": True, "start": 0.25, "end": 3.0,
                         "size": 0.25, "labelfont": {"size": 10}},
                     "colorscale": [[0, TIE_COLOR], [1, TIE_COLOR]], "showscale": False,
                     "line": {"width": 1, "dash": "dot"}, "hoverinfo": "skip",
                     "name": "k번째 이웃까지 거리", "showlegend": False})
    data += _unit_balls()
    for c in range(n_colors):
        mine = y == c
        if not mine.any():
            continue
        data.append({"type": "scatter", "mode": "markers", "name": class_name(c),
                     "x": _round(X[mine, 0]), "y": _round(X[mine, 1]),
                     "marker": {"color": CLASS_COLORS[c], "size": 8,
                                "line": {"color": "rgba(255,255,255,0.9)", "width": 1}},
                     "hovertemplate": f"{class_name(c)}<br>(%{{x:.2f}}, %{{y:.2f}})"
                                      "<extra></extra>"})

    outputs = []
    q = _parse_query(query)
    query_stats = []
    if q is not None:
        q_shown = rotate(q[None, :], angle)  # (1, 2)
        d_metric = pairwise_distances(q_shown, X, metric)[0]
        order = np.argsort(d_metric, kind="stable")[:k]  # same neighbours as _k_nearest
        classes = np.unique(y)
        votes = np.array([(y[order] == c).sum() for c in classes])
        winner = int(_winners(classes, votes[None, :])[0])
        lx = np.stack([np.full(k, q_shown[0, 0]), X[order, 0], np.full(k, np.nan)], 1).ravel()
        ly = np.stack([np.full(k, q_shown[0, 1]), X[order, 1], np.full(k, np.nan)], 1).ravel()
        data.insert(-1, {"type": "scatter", "mode": "lines+markers", "x": _round(lx),
                         "y": _round(ly), "hoverinfo": "skip", "showlegend": False,
                         "line": {"color": TIE_COLOR, "width": 2},
                         "marker": {"symbol": "circle-open", "size": 14, "color": TIE_COLOR,
                                    "line": {"width": 2}}})
        data.insert(-1, _ball(q_shown[0], float(d_metric[order[-1]]), metric))
        data.insert(-1, {"type": "scatter", "mode": "markers", "name": "질의점",
                         "x": _round(q_shown[:, 0]), "y": _round(q_shown[:, 1]),
                         "hovertemplate": "질의점 (%{x:.2f}, %{y:.2f})<extra></extra>",
                         "marker": {"symbol": "star", "size": 16, "color": CLASS_COLORS[winner],
                                    "line": {"color": "rgba(255,255,255,0.9)", "width": 1.5}}})
        query_stats = [("질의점 예측", class_name(winner))]
        d_l1 = pairwise_distances(q_shown, X[order], "l1")[0]
        d_l2 = pairwise_distances(q_shown, X[order], "l2")[0]
        rows = [[r + 1, class_name(int(y[n])), round(float(d_l2[r]), 3), round(float(d_l1[r]), 3)]
                for r, n in enumerate(order)]
        top = votes == votes.max()
        bar = {"data": [{"type": "bar", "x": [class_name(int(c)) for c in classes], "y": votes,
                         "marker": {"color": [CLASS_COLORS[int(c) % len(CLASS_COLORS)]
                                              for c in classes],
                                    "line": {"color": [TIE_COLOR if t else "rgba(0,0,0,0)"
                                                       for t in top], "width": 2}},
                         "hovertemplate": "%{x}: %{y}표<extra></extra>"}],
               "layout": {"autosize": True, "height": 220,
                          "margin": {"l": 32, "r": 8, "t": 8, "b": 32},
                          "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
                          "yaxis": {"title": {"text": "표"}, "dtick": 1, "rangemode": "tozero",
                                    "fixedrange": True},
                          "xaxis": {"fixedrange": True}, "showlegend": False}}
        ties = int(top.sum())
        vote_note = (f"{ties}개 클래스가 {int(votes.max())}표로 동점 → 가장 작은 label인 "
                     f"{class_name(winner)}이(가) 이깁니다." if ties > 1 else
                     f"{class_name(winner)}이(가) {int(votes.max())}표로 이깁니다.")

    outputs.append(stats([("학습 점", len(X)), ("k", k), ("거리", metric.upper()),
                          ("동점 영역", f"{tied.mean():.1%}")] + query_stats
                         + ([("회전 후 달라진 영역", f"{changed:.1%}")] if changed is not None else [])))
    outputs.append(plot("knn-plane", {"data": data, "layout": plane_layout(
        LIM, images=[regions], showlegend=False)}, clickable=True))
    outputs.append(legend([(class_name(c), CLASS_COLORS[c], "circle") for c in range(n_colors)
                           if (y == c).any()]
                          + [("동점 (빗금)", TIE_COLOR, "square")]
                          + ([("회전만 한 경계", TIE_COLOR, "dot")] if changed is not None else [])))
    outputs.append(text("투표가 동점이면 가장 작은 label이 이깁니다 (CS231n 과제와 같은 규칙). "
                        "거리가 같으면 먼저 들어온 점(index가 작은 점)이 먼저 이웃이 됩니다. "
                        "빗금 친 곳이 투표 동점 영역입니다."))
    if reach:
        far = float(np.mean(kth > 0.5))
        outputs.append(text(f"점선 등고선 = k번째 이웃까지의 거리. 평면의 {far:.0%}에서는 k개의 이웃 중 "
                            f"가장 먼 것이 0.5보다 멀리 있습니다: 그곳의 색은 멀리 있는 점들의 투표일 "
                            f"뿐입니다 ('빈 공간'). 점 개수를 줄이면 빈 공간이 늘어납니다. 차원이 d이면 "
                            f"같은 간격으로 공간을 채우는 데 점이 (1/간격)^d개 필요해서, 고차원에서는 "
                            f"거의 모든 곳이 빈 공간입니다.", "warn" if far > 0.25 else "info"))
    if changed is not None:
        if metric == "l2":
            outputs.append(text(f"L2 거리는 회전해도 변하지 않습니다: 경계(실선)가 회전 전 경계를 "
                                f"{angle:g}° 돌린 것(점선)과 겹칩니다 (다른 영역 {changed:.1%}).", "ok"))
        else:
            outputs.append(text(f"L1 거리는 좌표축을 따라 재기 때문에, 데이터를 {angle:g}° 돌리면 "
                                f"경계 모양이 달라집니다: 평면의 {changed:.1%}에서 예측이 바뀌었습니다 "
                                f"(점선 = 회전 전 경계를 그대로 돌린 것). 오른쪽 아래 ◇(L1 단위원)는 "
                                f"축에 붙어 있고 ○(L2)는 회전해도 같습니다.", "warn"))
    if q is not None:
        outputs.append(plot("knn-votes", bar))
        outputs.append(text(vote_note, "info"))
        outputs.append(table(["순위", "클래스", "L2 거리", "L1 거리"], rows,
                             caption=f"질의점의 가장 가까운 {k}개 이웃 ({metric.upper()} 기준)"))
    else:
        outputs.append(text("'클릭하면'을 '질의점 고정'으로 바꾸고 평면을 누르면 이웃과 투표를 볼 수 "
                            "있습니다."))
    return outputs


def _data_controls(n_points: int, noise: float) -> list[dict]:
    return [
        select("dataset", "데이터", "blobs", DATASETS),
        slider("n_classes", "클래스 개수", 3, min=2, max=5, step=1, integer=True),
        slider("n_points", "점 개수", n_points, min=10, max=300, step=10, integer=True),
        slider("noise", "noise", noise, min=0, max=1, step=0.05),
        number("seed", "seed", 0, min=0, max=1_000_000, integer=True),
    ]


_KNN = widget(
    "k-최근접 이웃 (kNN): 결정 영역, 이웃 투표, L1 vs L2",
    _data_controls(n_points=60, noise=0.3) + [
        slider("k", "k (이웃 수)", 5, min=1, max=30, step=1, integer=True),
        select("metric", "거리 (metric)", "l2", [("l2", "L2 (Euclidean)"), ("l1", "L1 (Manhattan)")]),
        slider("angle", "데이터 회전 (도)", 0, min=0, max=90, step=5, play=True,
               help="L2 경계는 데이터와 함께 돌고, L1 경계는 모양이 바뀝니다."),
        toggle("reach", "빈 공간 보기 (k번째 이웃까지 거리)", False),
        select("mode", "클릭하면", "add", [("add", "점 추가"), ("query", "질의점 고정"),
                                         ("remove", "점 지우기")]),
        select("add_class", "추가할 점의 클래스", "0",
               [(str(c), class_name(c)) for c in range(len(CLASS_COLORS))]),
        button("undo", "마지막 점 취소"),
        button("unpin", "질의점 해제"),
        button("reset", "추가·삭제 되돌리기"),
        hidden("points", []),
        hidden("removed", []),
        hidden("query", None),
    ],
    lambda add_class, **v: _render_knn(add_class=int(add_class), **v),
    on_event=lambda values, event: _knn_event(dict(values, add_class=int(values["add_class"])),
                                              event),
    description="평면의 모든 점을 k개의 가장 가까운 학습 점의 투표로 칠합니다. 점을 눌러 추가하거나 "
                "지우고, 질의점을 고정해 이웃과 투표를 보세요. 회전 슬라이더로 L1과 L2의 차이를 확인하세요.",
    primary=("dataset", "k", "metric", "angle", "mode"),
)


# ---------------------------------------------------------------------------------------------
# Widget "knn-cv": choosing k by cross-validation.
# ---------------------------------------------------------------------------------------------

def _render_cv(dataset, n_classes, n_points, noise, seed, metric, num_folds, max_k) -> list[dict]:
    X, y = make_data(dataset, n_points, n_classes, noise, seed)
    n = len(X)
    num_folds = as_int(num_folds, "fold 개수", low=2, high=n)
    smallest_train = n - math.ceil(n / num_folds)
    ks = list(range(1, min(max_k, smallest_train) + 1))
    cv = cross_validate(X, y, ks, num_folds, metric)
    acc = np.array([cv[k] for k in ks])  # (K, F)
    mean, std = acc.mean(axis=1), acc.std(axis=1)
    best = best_k(cv)
    classes, label_index = np.unique(y, return_inverse=True)
    # Accuracy on the training data itself, for contrast: k = 1 finds each point itself.
    ranked = _ranked_votes(pairwise_distances(X, X, metric), label_index, len(classes), len(ks))
    train_acc = _accuracy_per_k(classes, ranked, y, ks)
    fold_best = [ks[int(np.argmax(acc[:, f]))] for f in range(acc.shape[1])]

    fold_x = np.repeat(ks, acc.shape[1]) + np.tile(np.linspace(-0.15, 0.15, acc.shape[1]),
                                                   len(ks))
    data = [
        {"type": "scatter", "mode": "markers", "name": "fold별 정확도", "x": _round(fold_x),
         "y": _round(acc.ravel()), "marker": {"size": 5, "color": TIE_COLOR, "opacity": 0.6},
         "hovertemplate": "k=%{x:.0f}: %{y:.1%}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": "평균 ± 표준편차", "x": ks,
         "y": _round(mean), "error_y": {"type": "data", "array": _round(std), "visible": True,
                                        "color": CLASS_COLORS[1]},
         "line": {"color": CLASS_COLORS[1], "width": 2}, "marker": {"size": 6},
         "hovertemplate": "k=%{x}: 평균 %{y:.1%}<extra></extra>"},
        {"type": "scatter", "mode": "lines", "name": "학습 데이터 자신에 대한 정확도", "x": ks,
         "y": _round(train_acc), "line": {"color": CLASS_COLORS[3], "dash": "dot", "width": 1.5},
         "hovertemplate": "k=%{x}: %{y:.1%}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": f"best k = {best}", "x": [best],
         "y": [round(float(np.mean(cv[best])), 4)],
         "marker": {"symbol": "star", "size": 16, "color": CLASS_COLORS[0]},
         "hovertemplate": "best k=%{x}: %{y:.1%}<extra></extra>"},
    ]
    layout = {"autosize": True, "height": 360, "margin": {"l": 56, "r": 8, "t": 8, "b": 40},
              "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
              "xaxis": {"title": {"text": "k"}, "fixedrange": True},
              "yaxis": {"title": {"text": "정확도"}, "tickformat": ".0%", "fixedrange": True},
              "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
              "dragmode": False, "hovermode": "closest"}
    outputs = [
        stats([("best k", best), ("평균 정확도", f"{np.mean(cv[best]):.1%}"),
               ("표준편차", f"{np.std(cv[best]):.1%}"), ("우연 수준 (1/C)", f"{1 / len(classes):.1%}"),
               ("fold", f"{num_folds}개 × 약 {n // num_folds}점")]),
        plot("knn-cv", {"data": data, "layout": layout}),
        text(f"{num_folds}-fold 교차 검증: 데이터를 순서대로 {num_folds}조각(np.array_split)으로 나누고, "
             f"한 조각씩 validation으로 돌려 가며 나머지로 예측합니다. 평균 정확도가 가장 높은 k를 "
             f"고릅니다 (동점이면 가장 작은 k)."),
        text(f"validation fold 하나만 썼다면 고른 k가 fold마다 달랐을 것입니다: "
             f"{', '.join(map(str, fold_best))}. 여러 fold의 평균이 더 믿을 만한 이유입니다."),
        text("학습 데이터 자신으로 재면 k = 1이 항상 (거의) 100%입니다. 그래서 hyperparameter는 학습 "
             "데이터가 아닌 validation으로 고릅니다.", "warn"),
    ]
    if max_k > len(ks):
        outputs.append(text(f"k는 각 fold의 학습 점 개수({smallest_train})까지만 시험했습니다.", "warn"))
    return outputs


_KNN_CV = widget(
    "교차 검증 (cross-validation)으로 k 고르기",
    # Noisier than the kNN widget's default: label noise is what makes k = 1 overfit.
    _data_controls(n_points=150, noise=1.0) + [
        select("metric", "거리 (metric)", "l2", [("l2", "L2 (Euclidean)"), ("l1", "L1 (Manhattan)")]),
        slider("num_folds", "fold 개수", 5, min=2, max=10, step=1, integer=True),
        slider("max_k", "시험할 최대 k", 25, min=1, max=50, step=1, integer=True),
    ],
    _render_cv,
    description="같은 데이터로 k = 1, 2, ...마다 fold별 validation 정확도를 재고, 평균이 가장 높은 k를 "
                "고릅니다. uniform(무작위 label) 데이터에서는 어떤 k도 우연 수준을 넘지 못합니다.",
    primary=("dataset", "n_points", "noise", "num_folds", "max_k"),
)

WIDGETS = {"knn": _KNN, "knn-cv": _KNN_CV}
