"""k-Nearest Neighbours (Lecture 2): distances, votes, cross-validation, toy data.

Contract (ARCHITECTURE.md):

* ``pairwise_distances(A, B, metric="l2")`` -> ``(len(A), len(B))``; ``"l2"`` Euclidean, ``"l1"``
  Manhattan.
* ``knn_predict(X_train, y_train, X_query, k, metric="l2")`` -> integer labels. A tie in votes goes
  to the smallest label; among equal distances the lower training index comes first.
* ``cross_validate(X, y, ks, num_folds=5, metric="l2")`` -> ``{k: [accuracy of each fold]}``, folds
  made by ``np.array_split`` of the data in the order given.

The widgets "knn" and "knn-cv" are ``demos.widgets.knn``.
"""

from __future__ import annotations

import numbers

import numpy as np

from demos import checks

__all__ = [
    "pairwise_distances", "nearest_mask", "nearest_neighbours", "knn_votes", "winners",
    "knn_predict", "decision_map", "cross_validate", "training_accuracy", "best_k", "make_data",
    "rotate", "check_k",
]

METRICS = ("l1", "l2")
MAX_POINTS = 400  # keeps a 100x100 decision map well under the frame budget
MAX_CLASSES = 5  # toy data has at most this many classes


# ---------------------------------------------------------------------------------------------
# Input checks specific to kNN (the generic ones are demos.checks).
# ---------------------------------------------------------------------------------------------

def _check_metric(metric) -> str:
    if metric not in METRICS:
        raise ValueError(f"거리 metric은 'l1' 또는 'l2'여야 합니다 (받은 값: {metric!r}).")
    return metric


def _check_train(X_train, y_train) -> tuple[np.ndarray, np.ndarray]:
    X = checks.float_array(X_train, "X_train", 2)
    if X.shape[0] == 0:
        raise ValueError("학습 데이터가 비어 있습니다. 점을 하나 이상 넣으세요.")
    return X, checks.labels(y_train, "y_train", X.shape[0])


def check_k(k, n_train: int) -> int:
    k = checks.integer(k, "k", low=1)
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
    A = checks.float_array(A, "A", 2)
    B = checks.float_array(B, "B", 2)
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


def nearest_neighbours(X_train, query, k: int, metric: str = "l2") -> tuple[np.ndarray, np.ndarray]:
    """One query point (D,) -> (indices (k,) of its k nearest rows of X_train (N, D), nearest first,
    ties: lower index first; their distances (k,)). The neighbours ``knn_predict`` uses."""
    X = checks.float_array(X_train, "X_train", 2)
    k = check_k(k, X.shape[0])
    q = checks.float_array(query, "query", 1)
    dists = pairwise_distances(q[None, :], X, metric)[0]
    near = np.argsort(dists, kind="stable")[:k]
    return near, dists[near]


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
    k = check_k(k, X.shape[0])
    Q = checks.float_array(X_query, "X_query", 2)
    classes, label_index = np.unique(y, return_inverse=True)
    ranking = _ranking_distances(Q, X, metric)
    return classes, _votes(ranking, label_index, len(classes), k, metric)


def winners(classes: np.ndarray, votes: np.ndarray) -> np.ndarray:
    """Sorted classes (C,), votes (..., C) -> the winning labels (...); a tie in votes goes to the
    smallest label."""
    # argmax returns the first maximum, and classes are sorted.
    return classes[np.argmax(votes, axis=-1)]


def knn_predict(X_train, y_train, X_query, k: int, metric: str = "l2") -> np.ndarray:
    """Labels (Q,) int64 for X_query (Q, D) from the k nearest of X_train (N, D), y_train (N,)."""
    classes, votes = knn_votes(X_train, y_train, X_query, k, metric)
    return winners(classes, votes)


# ---------------------------------------------------------------------------------------------
# The decision map: the classifier at every point of a grid.
# ---------------------------------------------------------------------------------------------

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


def decision_map(X_train, y_train, grid_points: np.ndarray, k: int, metric: str = "l2",
                 reach: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """kNN at every point of a grid (G, D), from X_train (N, D), y_train (N,) -> (winner label (G,),
    vote tie flag (G,), and with ``reach`` the distance to the k-th neighbour (G,), else None).

    The same neighbours and labels as ``knn_predict``, computed block by block for large grids.
    """
    X, y = _check_train(X_train, y_train)
    k = check_k(k, X.shape[0])
    classes, label_index = np.unique(y, return_inverse=True)
    near, kth = _neighbours_in_blocks(grid_points, X, k, metric)  # (G, k), (G,)
    votes = _count_votes(label_index[near], len(classes))  # (G, C)
    tied = (votes == votes.max(axis=1, keepdims=True)).sum(axis=1) > 1
    # sqrt keeps the order, so the k-th smallest distance is the sqrt of the k-th smallest square.
    return winners(classes, votes), tied, (_as_distances(kth, metric) if reach else None)


def _ranked_votes(dists: np.ndarray, label_index: np.ndarray, n_classes: int,
                  k_max: int) -> np.ndarray:
    """(Q, N) distances -> (Q, k_max, C): votes after the first 1..k_max neighbours for each k."""
    order = np.argsort(dists, axis=1, kind="stable")[:, :k_max]  # stable: lower index first
    return np.cumsum(np.eye(n_classes)[label_index[order]], axis=1)


def _accuracy_per_k(classes: np.ndarray, ranked: np.ndarray, y: np.ndarray,
                    ks: list[int]) -> np.ndarray:
    """(Q, k_max, C) ranked votes, true labels y (Q,) -> accuracy (len(ks),) for each k in ks."""
    predicted = winners(classes, ranked[:, np.asarray(ks) - 1])  # (Q, len(ks))
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
    return list(dict.fromkeys(checks.integer(k, "k", low=1) for k in ks))


def cross_validate(X, y, ks, num_folds: int = 5, metric: str = "l2") -> dict[int, list[float]]:
    """{k: [accuracy on fold 0, ..., fold F-1]}; fold i validates, the others train.

    X (N, D), y (N,); folds are ``np.array_split`` of the data in the given order (shuffle first if
    the data are sorted by class).
    """
    X, y = _check_train(X, y)
    metric = _check_metric(metric)
    ks = _check_ks(ks)
    n = X.shape[0]
    num_folds = checks.integer(num_folds, "fold 개수", low=2, high=n)
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


def training_accuracy(X, y, ks, metric: str = "l2") -> np.ndarray:
    """Accuracy (len(ks),) of kNN on its own training data X (N, D), y (N,) for each k in ks: with
    k = 1 every point finds itself, which is why k is chosen on validation data instead."""
    X, y = _check_train(X, y)
    ks = _check_ks(ks)
    check_k(max(ks), X.shape[0])
    classes, label_index = np.unique(y, return_inverse=True)
    ranked = _ranked_votes(pairwise_distances(X, X, metric), label_index, len(classes), max(ks))
    return _accuracy_per_k(classes, ranked, y, ks)


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
    n = checks.integer(n_points, "점 개수", low=1, high=MAX_POINTS)
    c = checks.integer(n_classes, "클래스 개수", low=1, high=MAX_CLASSES)
    noise = float(noise)
    if not 0.0 <= noise <= 2.0:
        raise ValueError("noise는 0 이상 2 이하여야 합니다.")
    rng = np.random.default_rng(checks.integer(seed, "seed", low=0))
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
