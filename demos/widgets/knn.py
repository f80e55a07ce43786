"""Widgets "knn" and "knn-cv" (Lecture 2): the kNN decision map, and choosing k by cross-validation.

"knn" colours the plane by the vote of the k nearest training points; the reader adds, removes and
turns the points, pins a query point to see its neighbours and their votes, and compares L1 with
L2. "knn-cv" measures the validation accuracy of every k fold by fold. Built in three layers:

* ``view_model(...)`` and ``cv_view_model(...)``: every number shown, from ``demos.knn`` alone
  (pure, no figures);
* ``_plane(...)``, ``_votes_figure(...)``, ``_cv_figure(...)`` and the notes: figures, tables and
  sentences from those numbers;
* ``TEXT``: every Korean sentence and label the widgets show.
"""

from __future__ import annotations

import math

import numpy as np

from demos import checks, knn
from demos.knn import DATASETS, MAX_CLASSES, MAX_POINTS
from demos.plotting import (CLASS_COLORS, TIE_COLOR, boundary_lines, class_name, plane_grid,
                            plane_layout, region_image, rounded)
from demos.widget import (button, click_xy, hidden, legend, number, plot, select, slider, stats,
                          table, text, toggle, widget)

__all__ = ["WIDGETS", "view_model", "cv_view_model", "LIM", "GRID"]

LIM = 1.5  # the plane is [-LIM, LIM]^2
GRID = 100  # cells per side of the decision map
UNIT_BALL_AT = (1.18, -1.18)  # where the L1 and L2 unit balls are drawn
UNIT_BALL_R = 0.22
PICK_RADIUS = 0.2  # how close a tap must be to remove a point
METRICS = [("l2", "L2 (Euclidean)"), ("l1", "L1 (Manhattan)")]

TEXT = {
    "title": "k-최근접 이웃 (kNN): 결정 영역, 이웃 투표, L1 vs L2",
    "description": "평면의 모든 점을 k개의 가장 가까운 학습 점의 투표로 칠합니다. 점을 눌러 추가하거나 "
                   "지우고, 질의점을 고정해 이웃과 투표를 보세요. 회전 슬라이더로 L1과 L2의 차이를 "
                   "확인하세요.",
    "added": "추가한 점",
    "bad_points": "'{name}' 상태가 올바르지 않습니다 ([x, y, 클래스] 목록이어야 합니다).",
    "query": "질의점",
    "bad_query": "질의점 상태는 [x, y]여야 합니다.",
    "empty": "학습 데이터가 비어 있습니다. 점을 추가하거나 '추가·삭제 되돌리기'를 누르세요.",
    "too_many": "점은 {limit}개까지만 둘 수 있습니다. 점을 지우거나 점 개수를 줄이세요.",
    "rigid": "회전만 한 경계",
    "reach": "k번째 이웃까지 거리",
    "unit_balls": "◇ L1  ○ L2",
    "point_hover": "{name}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
    "query_hover": "질의점 (%{x:.2f}, %{y:.2f})<extra></extra>",
    "vote_hover": "%{x}: %{y}표<extra></extra>",
    "votes_axis": "표",
    "n_train": "학습 점",
    "metric": "거리",
    "tied_area": "동점 영역",
    "prediction": "질의점 예측",
    "changed": "회전 후 달라진 영역",
    "tie_legend": "동점 (빗금)",
    "rules": "투표가 동점이면 가장 작은 label이 이깁니다 (CS231n 과제와 같은 규칙). 거리가 같으면 먼저 "
             "들어온 점(index가 작은 점)이 먼저 이웃이 됩니다. 빗금 친 곳이 투표 동점 영역입니다.",
    "reach_note": "점선 등고선 = k번째 이웃까지의 거리. 평면의 {far:.0%}에서는 k개의 이웃 중 가장 먼 것이 "
                  "0.5보다 멀리 있습니다: 그곳의 색은 멀리 있는 점들의 투표일 뿐입니다 ('빈 공간'). 점 "
                  "개수를 줄이면 빈 공간이 늘어납니다. 차원이 d이면 같은 간격으로 공간을 채우는 데 점이 "
                  "(1/간격)^d개 필요해서, 고차원에서는 거의 모든 곳이 빈 공간입니다.",
    "l2_turns": "L2 거리는 회전해도 변하지 않습니다: 경계(실선)가 회전 전 경계를 {angle:g}° 돌린 것(점선)과 "
                "겹칩니다 (다른 영역 {changed:.1%}).",
    "l1_turns": "L1 거리는 좌표축을 따라 재기 때문에, 데이터를 {angle:g}° 돌리면 경계 모양이 달라집니다: "
                "평면의 {changed:.1%}에서 예측이 바뀌었습니다 (점선 = 회전 전 경계를 그대로 돌린 것). "
                "오른쪽 아래 ◇(L1 단위원)는 축에 붙어 있고 ○(L2)는 회전해도 같습니다.",
    "vote_tie": "{ties}개 클래스가 {top}표로 동점 → 가장 작은 label인 {name}이(가) 이깁니다.",
    "vote_win": "{name}이(가) {top}표로 이깁니다.",
    "neighbour_columns": ["순위", "클래스", "L2 거리", "L1 거리"],
    "neighbours": "질의점의 가장 가까운 {k}개 이웃 ({metric} 기준)",
    "pin_hint": "'클릭하면'을 '질의점 고정'으로 바꾸고 평면을 누르면 이웃과 투표를 볼 수 있습니다.",
    "cv_title": "교차 검증 (cross-validation)으로 k 고르기",
    "cv_description": "같은 데이터로 k = 1, 2, ...마다 fold별 validation 정확도를 재고, 평균이 가장 높은 "
                      "k를 고릅니다. uniform(무작위 label) 데이터에서는 어떤 k도 우연 수준을 넘지 "
                      "못합니다.",
    "folds": "fold 개수",
    "fold_points": "fold별 정확도",
    "fold_hover": "k=%{x:.0f}: %{y:.1%}<extra></extra>",
    "mean_std": "평균 ± 표준편차",
    "mean_hover": "k=%{x}: 평균 %{y:.1%}<extra></extra>",
    "train_acc": "학습 데이터 자신에 대한 정확도",
    "train_hover": "k=%{x}: %{y:.1%}<extra></extra>",
    "best": "best k = {best}",
    "best_hover": "best k=%{x}: %{y:.1%}<extra></extra>",
    "accuracy": "정확도",
    "mean_acc": "평균 정확도",
    "std": "표준편차",
    "chance": "우연 수준 (1/C)",
    "fold_size": "{folds}개 × 약 {size}점",
    "cv_rule": "{folds}-fold 교차 검증: 데이터를 순서대로 {folds}조각(np.array_split)으로 나누고, 한 "
               "조각씩 validation으로 돌려 가며 나머지로 예측합니다. 평균 정확도가 가장 높은 k를 "
               "고릅니다 (동점이면 가장 작은 k).",
    "fold_best": "validation fold 하나만 썼다면 고른 k가 fold마다 달랐을 것입니다: {ks}. 여러 fold의 "
                 "평균이 더 믿을 만한 이유입니다.",
    "train_warn": "학습 데이터 자신으로 재면 k = 1이 항상 (거의) 100%입니다. 그래서 hyperparameter는 "
                  "학습 데이터가 아닌 validation으로 고릅니다.",
    "k_capped": "k는 각 fold의 학습 점 개수({n})까지만 시험했습니다.",
}


# ---------------------------------------------------------------------------------------------
# State: the hidden lists of added points, removed points and the pinned query <-> arrays.
# ---------------------------------------------------------------------------------------------

def _parse_points(raw, name: str) -> np.ndarray:
    """Hidden list [[x, y, label], ...] -> (P, 3) float array, labels in [0, MAX_CLASSES)."""
    if raw in (None, []):
        return np.zeros((0, 3))
    pts = checks.float_array(raw, name, 2)
    labels = pts[:, 2] if pts.shape[1] == 3 else None
    if (labels is None or not np.all(labels == np.round(labels)) or np.any(labels < 0)
            or np.any(labels >= MAX_CLASSES)):  # each class needs a colour
        raise ValueError(TEXT["bad_points"].format(name=name))
    return pts


def _parse_query(raw) -> np.ndarray | None:
    """Hidden [x, y] or None -> (2,) or None."""
    if raw is None:
        return None
    q = checks.float_array(raw, TEXT["query"], 1)
    if q.shape != (2,):
        raise ValueError(TEXT["bad_query"])
    return q


def _dataset(values: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The current training set in the data's own frame -> X (N, 2), y (N,), ids (N,).

    ids >= 0 are generated points (their index), ids < 0 are added points (-1 - position).
    """
    X, y = knn.make_data(values["dataset"], values["n_points"], values["n_classes"],
                         values["noise"], values["seed"])
    removed = {int(i) for i in (values["removed"] or [])}
    keep = np.array([i not in removed for i in range(len(X))], dtype=bool)
    added = _parse_points(values["points"], TEXT["added"])
    ids = np.concatenate([np.nonzero(keep)[0], -1 - np.arange(len(added))])
    X = np.concatenate([X[keep], added[:, :2]])
    y = np.concatenate([y[keep], added[:, 2].astype(np.int64)])
    if len(X) == 0:
        raise ValueError(TEXT["empty"])
    if len(X) > MAX_POINTS:
        raise ValueError(TEXT["too_many"].format(limit=MAX_POINTS))
    return X, y, ids


def _action(values: dict, name: str) -> dict:
    if name == "undo":
        return {"points": [list(p) for p in (values["points"] or [])][:-1]}
    if name == "unpin":
        return {"query": None}
    if name == "reset":
        return {"points": [], "removed": [], "query": None}
    return {}


def _click(values: dict, event: dict) -> dict:
    """Add a point, pin the query or remove the nearest point, stored in the data's own frame (so
    they turn with the data)."""
    # The screen shows the data turned by `angle`; turn the tap back into the data's frame.
    p = knn.rotate(np.array([click_xy(event)]), -values["angle"])[0]
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


def _knn_event(values: dict, event: dict) -> dict:
    if event.get("type") == "action":
        return _action(values, event.get("name"))
    if event.get("type") != "click" or event.get("plot") != "knn-plane":
        return {}
    return _click(values, event)


# ---------------------------------------------------------------------------------------------
# The view model of "knn": every number the widget shows.
# ---------------------------------------------------------------------------------------------

def _query_numbers(X: np.ndarray, y: np.ndarray, q: np.ndarray, k: int, metric: str) -> dict:
    """A query point q (2,) on the plane of X (N, 2), y (N,) -> its k nearest (k,), nearest first,
    the radius of the ball holding them, their L1 and L2 distances (k,), the votes (C,) of the
    classes (C,) and the winning label."""
    near, dists = knn.nearest_neighbours(X, q, k, metric)
    classes, votes = knn.knn_votes(X, y, q[None, :], k, metric)
    return {"q": q, "near": near, "radius": float(dists[-1]),
            "l1": knn.pairwise_distances(q[None, :], X[near], "l1")[0],
            "l2": knn.pairwise_distances(q[None, :], X[near], "l2")[0],
            "classes": classes, "votes": votes[0], "winner": int(knn.winners(classes, votes[0]))}


def view_model(X_data: np.ndarray, y: np.ndarray, n_classes: int, k: int, metric: str,
               angle: float, reach: bool, query: np.ndarray | None) -> dict:
    """The training set X_data (N, 2), y (N,) in the data's own frame, shown turned by ``angle``
    degrees, and a query point (2,) in the same frame or None -> the points as shown X (N, 2), the
    winner (G,) and vote tie flag (G,) of each of the G = GRID² cells, with ``reach`` the distance
    to the k-th neighbour (G,), after a rotation the map of the unturned data turned along (G,)
    and the share of cells that differ, and the query's numbers (``_query_numbers``)."""
    X = knn.rotate(X_data, angle)  # what the reader sees, and what distances are measured in
    k = knn.check_k(k, len(X))
    centres, grid_points = plane_grid(LIM, GRID)
    labels, tied, kth = knn.decision_map(X, y, grid_points, k, metric, reach)
    vm = {"X": X, "y": y, "k": k, "metric": metric, "angle": angle, "centres": centres,
          "labels": labels, "tied": tied, "kth": kth,
          "n_colors": int(max(y.max(), n_classes - 1)) + 1,
          "far": float(np.mean(kth > 0.5)) if reach else None,
          "rigid": None, "changed": None, "query": None}
    if angle % 90 != 0:
        # Where would the boundary be if the picture had simply turned with the data? Predict from
        # the unturned data at grid points turned back: equal to `labels` exactly when the metric
        # does not care about the axes.
        rigid, _, _ = knn.decision_map(X_data, y, knn.rotate(grid_points, -angle), k, metric)
        vm.update(rigid=rigid, changed=float(np.mean(rigid != labels)))
    if query is not None:
        vm["query"] = _query_numbers(X, y, knn.rotate(query[None, :], angle)[0], k, metric)
    return vm


# ---------------------------------------------------------------------------------------------
# The plane: decision map, boundaries, unit balls, points, the query and its neighbours.
# ---------------------------------------------------------------------------------------------

def _regions(vm: dict) -> dict:
    """The decision map as one picture: tied cells keep their winner's colour under grey diagonal
    hatching, and the decision boundary is drawn along the cell edges."""
    colors = CLASS_COLORS[:vm["n_colors"]] + [TIE_COLOR]
    i, j = np.divmod(np.arange(GRID * GRID), GRID)
    shown = np.where(vm["tied"] & ((i + j) % 4 == 0), len(colors) - 1, vm["labels"])
    return region_image(vm["centres"], shown.reshape(GRID, GRID), colors,
                        regions=vm["labels"].reshape(GRID, GRID))


def _rigid_boundary(vm: dict) -> dict:
    """The boundary of the unturned data, turned along with it (dotted)."""
    rx, ry = boundary_lines(vm["rigid"].reshape(GRID, GRID), vm["centres"])
    return {"type": "scatter", "mode": "lines", "x": rounded(rx), "y": rounded(ry),
            "name": TEXT["rigid"], "hoverinfo": "skip",
            "line": {"color": TIE_COLOR, "width": 2, "dash": "dot"}}


def _reach_contours(vm: dict) -> dict:
    """Contours of the distance to the k-th neighbour: where it is large, the vote comes from
    far-away points (empty space), so the colour there means little."""
    return {"type": "contour", "x": vm["centres"], "y": vm["centres"],
            "z": rounded(vm["kth"].reshape(GRID, GRID), 3), "contours": {
                "coloring": "lines", "showlabels": True, "start": 0.25, "end": 3.0,
                "size": 0.25, "labelfont": {"size": 10}},
            "colorscale": [[0, TIE_COLOR], [1, TIE_COLOR]], "showscale": False,
            "line": {"width": 1, "dash": "dot"}, "hoverinfo": "skip",
            "name": TEXT["reach"], "showlegend": False}


def _unit_balls() -> list[dict]:
    """L2 circle and L1 diamond of radius UNIT_BALL_R in a corner; the diamond is tied to the
    axes."""
    cx, cy = UNIT_BALL_AT
    t = np.linspace(0, 2 * np.pi, 49)
    r = UNIT_BALL_R
    style = {"type": "scatter", "mode": "lines", "hoverinfo": "skip", "showlegend": False}
    label = {"type": "scatter", "mode": "text", "x": [cx], "y": [cy + r + 0.1],
             "text": [TEXT["unit_balls"]], "textfont": {"size": 10}, "hoverinfo": "skip",
             "showlegend": False, "cliponaxis": False}
    return [
        label,
        dict(style, x=rounded(cx + r * np.cos(t)), y=rounded(cy + r * np.sin(t)),
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
    return {"type": "scatter", "mode": "lines", "x": rounded(x), "y": rounded(y),
            "hoverinfo": "skip", "showlegend": False,
            "line": {"color": TIE_COLOR, "width": 1.5, "dash": "dash"}}


def _class_points(X: np.ndarray, y: np.ndarray, n_colors: int) -> list[dict]:
    """One marker trace per class present."""
    traces = []
    for c in range(n_colors):
        mine = y == c
        if not mine.any():
            continue
        traces.append({"type": "scatter", "mode": "markers", "name": class_name(c),
                       "x": rounded(X[mine, 0]), "y": rounded(X[mine, 1]),
                       "marker": {"color": CLASS_COLORS[c], "size": 8,
                                  "line": {"color": "rgba(255,255,255,0.9)", "width": 1}},
                       "hovertemplate": TEXT["point_hover"].format(name=class_name(c))})
    return traces


def _query_traces(X: np.ndarray, qm: dict, metric: str) -> list[dict]:
    """Lines from the query to its neighbours, the ball that holds them, and the query as a star in
    its predicted class's colour."""
    q, near = qm["q"], qm["near"]
    k = len(near)
    lx = np.stack([np.full(k, q[0]), X[near, 0], np.full(k, np.nan)], 1).ravel()
    ly = np.stack([np.full(k, q[1]), X[near, 1], np.full(k, np.nan)], 1).ravel()
    return [
        {"type": "scatter", "mode": "lines+markers", "x": rounded(lx), "y": rounded(ly),
         "hoverinfo": "skip", "showlegend": False, "line": {"color": TIE_COLOR, "width": 2},
         "marker": {"symbol": "circle-open", "size": 14, "color": TIE_COLOR, "line": {"width": 2}}},
        _ball(q, qm["radius"], metric),
        {"type": "scatter", "mode": "markers", "name": TEXT["query"],
         "x": rounded(q[:1]), "y": rounded(q[1:]), "hovertemplate": TEXT["query_hover"],
         "marker": {"symbol": "star", "size": 16, "color": CLASS_COLORS[qm["winner"]],
                    "line": {"color": "rgba(255,255,255,0.9)", "width": 1.5}}},
    ]


def _plane(vm: dict) -> dict:
    data = [_rigid_boundary(vm)] if vm["rigid"] is not None else []
    if vm["kth"] is not None:
        data.append(_reach_contours(vm))
    data += _unit_balls()
    points = _class_points(vm["X"], vm["y"], vm["n_colors"])
    if vm["query"] is not None:  # drawn before the last class's points
        points[-1:-1] = _query_traces(vm["X"], vm["query"], vm["metric"])
    layout = plane_layout(LIM, images=[_regions(vm)], showlegend=False)
    return {"data": data + points, "layout": layout}


def _plane_legend(vm: dict) -> dict:
    return legend([(class_name(c), CLASS_COLORS[c], "circle") for c in range(vm["n_colors"])
                   if (vm["y"] == c).any()]
                  + [(TEXT["tie_legend"], TIE_COLOR, "square")]
                  + ([(TEXT["rigid"], TIE_COLOR, "dot")] if vm["changed"] is not None else []))


# ---------------------------------------------------------------------------------------------
# The query's votes and neighbours; the notes under the plane.
# ---------------------------------------------------------------------------------------------

def _votes_figure(qm: dict) -> dict:
    """One bar per class; the classes with the most votes outlined."""
    classes, votes = qm["classes"], qm["votes"]
    top = votes == votes.max()
    return {"data": [{"type": "bar", "x": [class_name(int(c)) for c in classes], "y": votes,
                      "marker": {"color": [CLASS_COLORS[int(c) % len(CLASS_COLORS)]
                                           for c in classes],
                                 "line": {"color": [TIE_COLOR if t else "rgba(0,0,0,0)"
                                                    for t in top], "width": 2}},
                      "hovertemplate": TEXT["vote_hover"]}],
            "layout": {"autosize": True, "height": 220,
                       "margin": {"l": 32, "r": 8, "t": 8, "b": 32},
                       "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
                       "yaxis": {"title": {"text": TEXT["votes_axis"]}, "dtick": 1,
                                 "rangemode": "tozero", "fixedrange": True},
                       "xaxis": {"fixedrange": True}, "showlegend": False}}


def _query_outputs(qm: dict, y: np.ndarray, metric: str) -> list[dict]:
    """The votes as bars, who wins and why, and the neighbours' distances in both metrics."""
    votes, name = qm["votes"], class_name(qm["winner"])
    ties, top = int((votes == votes.max()).sum()), int(votes.max())
    note = (TEXT["vote_tie"].format(ties=ties, top=top, name=name) if ties > 1 else
            TEXT["vote_win"].format(name=name, top=top))
    rows = [[r + 1, class_name(int(y[n])), round(float(qm["l2"][r]), 3),
             round(float(qm["l1"][r]), 3)] for r, n in enumerate(qm["near"])]
    return [plot("knn-votes", _votes_figure(qm)), text(note, "info"),
            table(TEXT["neighbour_columns"], rows,
                  caption=TEXT["neighbours"].format(k=len(qm["near"]), metric=metric.upper()))]


def _knn_stats(vm: dict) -> dict:
    items = [(TEXT["n_train"], len(vm["X"])), ("k", vm["k"]),
             (TEXT["metric"], vm["metric"].upper()),
             (TEXT["tied_area"], f"{vm['tied'].mean():.1%}")]
    if vm["query"] is not None:
        items.append((TEXT["prediction"], class_name(vm["query"]["winner"])))
    if vm["changed"] is not None:
        items.append((TEXT["changed"], f"{vm['changed']:.1%}"))
    return stats(items)


def _notes(vm: dict) -> list[dict]:
    """The tie rules, and what empty space and rotation show when they are on."""
    notes = [text(TEXT["rules"])]
    if vm["far"] is not None:
        notes.append(text(TEXT["reach_note"].format(far=vm["far"]),
                          "warn" if vm["far"] > 0.25 else "info"))
    if vm["changed"] is not None:
        turned = dict(angle=vm["angle"], changed=vm["changed"])
        notes.append(text(TEXT["l2_turns"].format(**turned), "ok") if vm["metric"] == "l2" else
                     text(TEXT["l1_turns"].format(**turned), "warn"))
    return notes


def _render_knn(dataset, n_classes, n_points, noise, seed, k, metric, angle, reach, mode,
                add_class, points, removed, query) -> list[dict]:
    values = dict(dataset=dataset, n_classes=n_classes, n_points=n_points, noise=noise, seed=seed,
                  points=points, removed=removed)
    X_data, y, _ = _dataset(values)
    k = knn.check_k(k, len(X_data))
    vm = view_model(X_data, y, n_classes, k, metric, angle, reach, _parse_query(query))
    outputs = [_knn_stats(vm), plot("knn-plane", _plane(vm), clickable=True), _plane_legend(vm),
               *_notes(vm)]
    if vm["query"] is None:
        return outputs + [text(TEXT["pin_hint"])]
    return outputs + _query_outputs(vm["query"], y, metric)


# ---------------------------------------------------------------------------------------------
# "knn-cv": choosing k by cross-validation.
# ---------------------------------------------------------------------------------------------

def cv_view_model(X: np.ndarray, y: np.ndarray, num_folds: int, max_k: int, metric: str) -> dict:
    """X (N, D), y (N,) -> the ks tried (K,) (up to max_k, and no more than the smallest fold's
    training set), the accuracy of each k on each fold (K, F), its mean and std (K,), the best k,
    the accuracy on the training data itself (K,), the best k of each fold alone (F,), the number
    of classes."""
    n = len(X)
    num_folds = checks.integer(num_folds, TEXT["folds"], low=2, high=n)
    smallest_train = n - math.ceil(n / num_folds)
    ks = list(range(1, min(max_k, smallest_train) + 1))
    cv = knn.cross_validate(X, y, ks, num_folds, metric)
    acc = np.array([cv[k] for k in ks])  # (K, F)
    best = knn.best_k(cv)
    return {"n": n, "num_folds": num_folds, "smallest_train": smallest_train, "ks": ks,
            "acc": acc, "mean": acc.mean(axis=1), "std": acc.std(axis=1), "best": best,
            "best_mean": float(np.mean(cv[best])), "best_std": float(np.std(cv[best])),
            "n_classes": len(np.unique(y)),
            # For contrast: on the training data itself, k = 1 finds each point itself.
            "train_acc": knn.training_accuracy(X, y, ks, metric),
            "fold_best": [ks[int(np.argmax(acc[:, f]))] for f in range(acc.shape[1])]}


def _cv_figure(vm: dict) -> dict:
    """Every fold's accuracy (spread a little sideways), their mean ± std, the training accuracy,
    and the best k as a star."""
    ks, acc, best = vm["ks"], vm["acc"], vm["best"]
    folds = acc.shape[1]
    fold_x = np.repeat(ks, folds) + np.tile(np.linspace(-0.15, 0.15, folds), len(ks))
    data = [
        {"type": "scatter", "mode": "markers", "name": TEXT["fold_points"], "x": rounded(fold_x),
         "y": rounded(acc.ravel()), "marker": {"size": 5, "color": TIE_COLOR, "opacity": 0.6},
         "hovertemplate": TEXT["fold_hover"]},
        {"type": "scatter", "mode": "lines+markers", "name": TEXT["mean_std"], "x": ks,
         "y": rounded(vm["mean"]), "error_y": {"type": "data", "array": rounded(vm["std"]),
                                               "visible": True, "color": CLASS_COLORS[1]},
         "line": {"color": CLASS_COLORS[1], "width": 2}, "marker": {"size": 6},
         "hovertemplate": TEXT["mean_hover"]},
        {"type": "scatter", "mode": "lines", "name": TEXT["train_acc"], "x": ks,
         "y": rounded(vm["train_acc"]),
         "line": {"color": CLASS_COLORS[3], "dash": "dot", "width": 1.5},
         "hovertemplate": TEXT["train_hover"]},
        {"type": "scatter", "mode": "markers", "name": TEXT["best"].format(best=best), "x": [best],
         "y": [round(vm["best_mean"], 4)],
         "marker": {"symbol": "star", "size": 16, "color": CLASS_COLORS[0]},
         "hovertemplate": TEXT["best_hover"]},
    ]
    layout = {"autosize": True, "height": 360, "margin": {"l": 56, "r": 8, "t": 8, "b": 40},
              "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
              "xaxis": {"title": {"text": "k"}, "fixedrange": True},
              "yaxis": {"title": {"text": TEXT["accuracy"]}, "tickformat": ".0%",
                        "fixedrange": True},
              "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
              "dragmode": False, "hovermode": "closest"}
    return {"data": data, "layout": layout}


def _render_cv(dataset, n_classes, n_points, noise, seed, metric, num_folds, max_k) -> list[dict]:
    X, y = knn.make_data(dataset, n_points, n_classes, noise, seed)
    vm = cv_view_model(X, y, num_folds, max_k, metric)
    folds = vm["num_folds"]
    outputs = [
        stats([("best k", vm["best"]), (TEXT["mean_acc"], f"{vm['best_mean']:.1%}"),
               (TEXT["std"], f"{vm['best_std']:.1%}"),
               (TEXT["chance"], f"{1 / vm['n_classes']:.1%}"),
               ("fold", TEXT["fold_size"].format(folds=folds, size=vm["n"] // folds))]),
        plot("knn-cv", _cv_figure(vm)),
        text(TEXT["cv_rule"].format(folds=folds)),
        text(TEXT["fold_best"].format(ks=", ".join(map(str, vm["fold_best"])))),
        text(TEXT["train_warn"], "warn"),
    ]
    if max_k > len(vm["ks"]):
        outputs.append(text(TEXT["k_capped"].format(n=vm["smallest_train"]), "warn"))
    return outputs


def _data_controls(n_points: int, noise: float) -> list[dict]:
    return [
        select("dataset", "데이터", "blobs", DATASETS),
        slider("n_classes", "클래스 개수", 3, min=2, max=MAX_CLASSES, step=1, integer=True),
        slider("n_points", "점 개수", n_points, min=10, max=300, step=10, integer=True),
        slider("noise", "noise", noise, min=0, max=1, step=0.05),
        number("seed", "seed", 0, min=0, max=1_000_000, integer=True),
    ]


WIDGETS = {
    "knn": widget(
        TEXT["title"],
        _data_controls(n_points=60, noise=0.3) + [
            slider("k", "k (이웃 수)", 5, min=1, max=30, step=1, integer=True),
            select("metric", "거리 (metric)", "l2", METRICS),
            slider("angle", "데이터 회전 (도)", 0, min=0, max=90, step=5, play=True,
                   help="L2 경계는 데이터와 함께 돌고, L1 경계는 모양이 바뀝니다."),
            toggle("reach", "빈 공간 보기 (k번째 이웃까지 거리)", False),
            select("mode", "클릭하면", "add", [("add", "점 추가"), ("query", "질의점 고정"),
                                             ("remove", "점 지우기")]),
            select("add_class", "추가할 점의 클래스", "0",
                   [(str(c), class_name(c)) for c in range(MAX_CLASSES)]),
            button("undo", "마지막 점 취소"),
            button("unpin", "질의점 해제"),
            button("reset", "추가·삭제 되돌리기"),
            hidden("points", []),
            hidden("removed", []),
            hidden("query", None),
        ],
        _render_knn,
        on_event=_knn_event,
        description=TEXT["description"],
    ),
    "knn-cv": widget(
        TEXT["cv_title"],
        # Noisier than the kNN widget's default: label noise is what makes k = 1 overfit.
        _data_controls(n_points=150, noise=1.0) + [
            select("metric", "거리 (metric)", "l2", METRICS),
            slider("num_folds", "fold 개수", 5, min=2, max=10, step=1, integer=True),
            slider("max_k", "시험할 최대 k", 25, min=1, max=50, step=1, integer=True),
        ],
        _render_cv,
        description=TEXT["cv_description"],
    ),
}
