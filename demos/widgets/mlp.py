"""Widget "mlp-train" (Lecture 4): a two-layer net you train on 2-D data (``demos.mlp``).

A 2 → H → K softmax classifier (the net of ``demos.backprop``) trains while the decision regions
and the loss curve follow; a comparison view trains a small net, a large one and a large one with L2 side by
side (the author's question: keep the net large and regularise strongly); a gradient check compares
the analytic gradient with central differences. The training state (weights, step, loss history)
lives in hidden controls, so every update is a pure function of the state. Layers as in the other
widget modules: ``mlp_view_model`` (numbers only), figure builders, ``TEXT``.
"""

from __future__ import annotations

import numpy as np

from demos import backprop, checks, mlp
from demos.mlp import DATASETS, MAX_CLASSES
from demos.plotting import (CLASS_COLORS, chart_layout, class_name, plane_grid,
                            plane_layout, region_image, rounded, significant)
from demos.widget import (button, click_xy, hidden, legend, plot, select, slider, stats, table,
                          text, widget)

__all__ = ["WIDGETS", "mlp_view_model", "COMPARE", "RUN_STEPS"]


# ---------------------------------------------------------------------------------------------
# mlp-train: state <-> arrays, training actions, clicks.
# ---------------------------------------------------------------------------------------------

LIM = 1.2                 # the plane is [-LIM, LIM]^2
GRID = 50                 # cells per side of the decision map
COMPARE_GRID = 36         # per panel of the comparison: three maps, each a third as wide
RUN_STEPS = 8             # SGD steps per update while 학습 runs
MAX_HISTORY = 400         # loss points kept (thinned by half when full)
MAX_ADDED = 200
# The comparison the author asked about: network size vs regularisation strength.
COMPARE = [("small", 3, 0.0), ("large", 64, 0.0), ("large_l2", 64, 1e-3)]

TEXT = {
    "mlp_title": "2층 신경망 (2 → H → K) 학습: 결정 영역과 손실",
    "mlp_description": "softmax 분류기 scores = W2·act(W1·x + b1) + b2를 전체 배치 경사 하강법으로 "
                       "학습합니다. '학습 / 정지'를 누르면 결정 영역과 손실 곡선이 함께 움직입니다. "
                       "평면을 누르면 고른 클래스의 점이 추가됩니다.",
    "view_train": "학습", "view_compare": "비교: 작은 망 vs 큰 망 + L2",
    "names": {"small": "작은 망 (H=3)", "large": "큰 망 (H=64, L2 없음)",
              "large_l2": "큰 망 (H=64) + L2 1e-3"},
    "bad_state": "학습 상태를 읽을 수 없어 처음부터 다시 시작합니다.",
    "diverged": "가중치가 NaN/무한대가 되었습니다 (learning rate가 너무 큽니다). learning rate를 "
                "줄이고 '처음부터'를 누르세요.",
    "too_many": "추가한 점은 {limit}개까지입니다. '추가한 점 지우기'를 누르세요.",
    "step": "step", "loss": "손실 (loss)", "train_acc": "학습 정확도", "val_acc": "검증 정확도",
    "loss_axis": "손실", "loss_title": "손실 곡선 (loss curve)",
    "loss_empty": "아직 학습 전입니다 (점: 지금의 손실). '학습 / 정지'나 '한 step'을 누르면<br>"
                  "손실 곡선이 그려집니다.",
    "short_names": {"small": "작은 망 H=3", "large": "큰 망 H=64", "large_l2": "큰 망 + L2"},
    "point_hover": "{name}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
    "added": "추가한 점",
    "train_note": "망은 설정(데이터, H, 보기)이 바뀌면 처음부터 학습합니다. activation, L2, "
                  "learning rate는 학습 중에 바꿔도 이어서 학습합니다.",
    "compare_note": "세 망을 같은 데이터, 같은 learning rate로 함께 학습합니다. 작은 망은 학습 "
                    "데이터조차 맞추지 못하고(underfitting), 큰 망은 맞추되 L2가 경계를 부드럽게 "
                    "합니다. 강의의 조언: 망의 크기로 과적합을 막지 말고, 큰 망에 정규화를 "
                    "강하게 주라는 것. 학습/검증 정확도를 비교하세요.",
    "compare_columns": ["망", "H", "L2", "손실", "학습 정확도", "검증 정확도"],
    "check_columns": ["파라미터", "모양", "확인한 항목", "rel_error (최대)"],
    "check_caption": "기울기 확인 (gradient check): 해석적 기울기 vs 중심 차분 (L(p+h) − L(p−h))/2h, "
                     "h = 1e-5",
    "check_ok": "모든 rel_error가 1e-6보다 작습니다: backward가 맞습니다 (과제 기준: 1e-7 근처면 "
                "거의 확실).",
    "check_warn": "rel_error가 큰 항목이 있습니다. ReLU의 꺾이는 점(kink) 근처를 지나는 항목이면 "
                  "중심 차분이 틀릴 수 있습니다 (과제에서도 나오는 현상).",
    "activations": [("relu", "ReLU"), ("tanh", "tanh"), ("sigmoid", "sigmoid"),
                    ("leaky_relu", "leaky ReLU (0.01)")],
}


def _config(values: dict) -> str:
    """What the weights were trained for: changing any of it starts again from scratch."""
    return "|".join(str(values[k]) for k in ("dataset", "n_points", "n_classes", "noise", "seed",
                                             "hidden", "view"))


def _data(values: dict) -> tuple[np.ndarray, np.ndarray]:
    X, y = mlp.make_data(values["dataset"], values["n_points"], values["n_classes"],
                              values["noise"], values["seed"])
    added = _added(values["points"])
    return np.concatenate([X, added[:, :2]]), np.concatenate([y, added[:, 2].astype(np.int64)])


def _added(raw) -> np.ndarray:
    if not raw:
        return np.zeros((0, 3))
    pts = checks.float_array(raw, TEXT["added"], 2)
    if pts.shape[1] != 3 or np.any(~np.isin(pts[:, 2], np.arange(MAX_CLASSES))):
        raise ValueError(TEXT["bad_state"])
    if len(pts) > MAX_ADDED:
        raise ValueError(TEXT["too_many"].format(limit=MAX_ADDED))
    return pts


def _nets(values: dict) -> list[tuple[str, int, float]]:
    """(name, H, reg) of the nets shown: the reader's own, or the three of the comparison."""
    if values["view"] == "compare":
        return COMPARE
    return [("mine", values["hidden"], values["reg"])]


def _classes(values: dict, y: np.ndarray) -> int:
    return int(max(y.max() + 1, 2 if values["dataset"] == "xor" else values["n_classes"]))


def _fresh(values: dict, K: int) -> list[dict]:
    return [mlp.init_params(2, H, K, seed=values["seed"]) for _, H, _ in _nets(values)]


def _params_from_state(values: dict, K: int) -> tuple[list[dict], int, list]:
    """The hidden weights, step and loss history, or a fresh start when they were trained for
    another configuration (or cannot be read)."""
    raw = values["params"]
    fresh = (_fresh(values, K), 0, [])
    if values["config"] != _config(values) or not isinstance(raw, list):
        return fresh
    try:
        nets = [{k: np.asarray(p[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2")}
                for p in raw]
    except (KeyError, TypeError, ValueError):
        return fresh
    shapes = [(2, H, K) for _, H, _ in _nets(values)]
    if [(p["W1"].shape[0], p["W1"].shape[1], p["W2"].shape[1]) for p in nets] != shapes:
        return fresh
    if not all(np.all(np.isfinite(a)) for p in nets for a in p.values()):
        raise ValueError(TEXT["diverged"])
    history = values["history"] if isinstance(values["history"], list) else []
    return nets, checks.integer(values["steps"] or 0, "step", low=0), history


def _thin(history: list) -> list:
    return history[::2] if len(history) > MAX_HISTORY else history


def _train(values: dict, steps: int) -> dict:
    """``steps`` SGD steps of every shown net -> the hidden state to change."""
    X, y = _data(values)
    K = _classes(values, y)
    nets, done, history = _params_from_state(values, K)
    trained, last = [], []
    for params, (_, _, reg) in zip(nets, _nets(values)):
        params, losses = mlp.train(params, X, y, steps, values["lr"], reg,
                                        values["activation"])
        trained.append({k: v.tolist() for k, v in params.items()})
        last.append(losses[-1])
    return {"params": trained, "steps": done + steps, "config": _config(values),
            "history": _thin(history + [[done + steps] + last]), "check": False}


def _mlp_event(values: dict, event: dict) -> dict:
    if event.get("type") == "click" and event.get("plot") == "mlp-plane":
        x, y = click_xy(event)
        points = [list(p) for p in (values["points"] or [])]
        return {"points": points + [[round(x, 3), round(y, 3), int(values["add_class"])]]}
    name = event.get("name") if event.get("type") == "action" else None
    if name in ("run", "step"):
        return _train(values, RUN_STEPS if name == "run" else 1)
    if name == "reset":
        return {"params": None, "steps": 0, "history": [], "check": False}
    if name == "check":
        return {"check": True}
    if name == "clear_points":
        return {"points": [], "check": False}
    return {}


# ---------------------------------------------------------------------------------------------
# mlp-train: the view model and the pictures.
# ---------------------------------------------------------------------------------------------

def mlp_view_model(values: dict) -> dict:
    """Parsed control values -> the data X (N, 2), y (N,), validation data, K, the shown nets with
    their parameters, decision map (GRID², ) and accuracies, the step and the loss history."""
    X, y = _data(values)
    K = _classes(values, y)
    Xv, yv = mlp.make_data(values["dataset"], 300, values["n_classes"], values["noise"],
                                values["seed"] + 1)
    params, steps, history = _params_from_state(values, K)
    centres, grid = plane_grid(LIM, COMPARE_GRID if values["view"] == "compare" else GRID)
    act = values["activation"]
    nets = []
    for p, (name, H, reg) in zip(params, _nets(values)):
        loss, _ = backprop.two_layer_net_loss(X, y, p["W1"], p["b1"], p["W2"], p["b2"], reg, act)
        nets.append({"name": name, "H": H, "reg": reg, "params": p, "loss": loss,
                     "map": mlp.predict(p, grid, act),
                     "train_acc": mlp.accuracy(p, X, y, act),
                     "val_acc": mlp.accuracy(p, Xv, yv, act)})
    return {"X": X, "y": y, "K": K, "centres": centres, "nets": nets, "steps": steps,
            "history": history, "view": values["view"]}


def _points(X: np.ndarray, y: np.ndarray, K: int, axis: str = "") -> list[dict]:
    traces = []
    for c in range(K):
        mine = y == c
        if mine.any():
            traces.append({"type": "scatter", "mode": "markers", "name": class_name(c),
                           "x": rounded(X[mine, 0], 3), "y": rounded(X[mine, 1], 3),
                           "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                           "marker": {"color": CLASS_COLORS[c], "size": 6,
                                      "line": {"color": "rgba(255,255,255,0.9)", "width": 1}},
                           "hovertemplate": TEXT["point_hover"].format(name=class_name(c))})
    return traces


def _regions(vm: dict, net: dict, axis: str = "") -> dict:
    size = len(vm["centres"])
    image = region_image(vm["centres"], net["map"].reshape(size, size), CLASS_COLORS[:vm["K"]],
                         regions=net["map"].reshape(size, size))
    return {**image, "xref": f"x{axis}", "yref": f"y{axis}"}


def _plane(vm: dict) -> dict:
    net = vm["nets"][0]
    return {"data": _points(vm["X"], vm["y"], vm["K"]),
            "layout": plane_layout(LIM, images=[_regions(vm, net)], showlegend=False)}


def _compare_figure(vm: dict) -> dict:
    """The three nets side by side, each titled with its name and accuracies."""
    data, images, layout = [], [], plane_layout(LIM, height=300, showlegend=False)
    axis = {"range": [-LIM, LIM], "fixedrange": True, "showticklabels": False}
    notes = []
    for i, net in enumerate(vm["nets"]):
        suffix = "" if i == 0 else str(i + 1)
        lo, hi = i / 3 + 0.01, (i + 1) / 3 - 0.01
        layout[f"xaxis{suffix}"] = {**axis, "domain": [lo, hi]}
        layout[f"yaxis{suffix}"] = {**axis, "anchor": f"x{suffix}", "scaleanchor": f"x{suffix}"}
        data += _points(vm["X"], vm["y"], vm["K"], suffix)
        images.append(_regions(vm, net, suffix))
        # Three short lines: a panel is about 110 px wide on a phone.
        notes.append({"text": f"{TEXT['short_names'][net['name']]}<br>학습 {net['train_acc']:.0%}"
                              f"<br>검증 {net['val_acc']:.0%}", "x": (lo + hi) / 2, "y": 1.0,
                      "xref": "paper", "yref": "paper", "showarrow": False, "yanchor": "bottom",
                      "font": {"size": 11}})
    layout.update(images=images, annotations=notes, margin={"l": 4, "r": 4, "t": 58, "b": 4})
    return {"data": data, "layout": layout}


def _loss_figure(vm: dict) -> dict:
    """The loss history; before any step, the current loss as one point and a note."""
    history = np.array(vm["history"], dtype=np.float64).reshape(-1, 1 + len(vm["nets"]))
    empty = len(history) == 0
    if empty:
        history = np.array([[vm["steps"]] + [net["loss"] for net in vm["nets"]]])
    data = [{"type": "scatter", "mode": "markers" if empty else "lines", "x": history[:, 0],
             "y": significant(history[:, 1 + i], 4), "name": TEXT["names"].get(net["name"], "")
             or TEXT["loss"], "line": {"color": CLASS_COLORS[(i + 1) % len(CLASS_COLORS)]}}
            for i, net in enumerate(vm["nets"])]
    return {"data": data, "layout": chart_layout(
        TEXT["loss_title"], 220, showlegend=len(vm["nets"]) > 1,
        xaxis={"title": {"text": TEXT["step"]}, "fixedrange": True,
               **({"range": [-2, 50]} if empty else {})},
        yaxis={"title": {"text": TEXT["loss_axis"]}, "fixedrange": True, "rangemode": "tozero"},
        annotations=[{"text": TEXT["loss_empty"], "xref": "paper", "yref": "paper", "x": 0.5,
                      "y": 0.35, "showarrow": False, "font": {"size": 12}}] if empty else [])}


def _check_outputs(values: dict, vm: dict) -> list[dict]:
    net = vm["nets"][0]
    check = mlp.gradient_check(vm["X"], vm["y"], net["params"], net["reg"],
                                    values["activation"], max_entries=20, seed=0)
    rows = [[name, "×".join(map(str, np.shape(net["params"][name]))), len(c["indices"]),
             f"{c['rel_error']:.1e}"] for name, c in check.items()]
    worst = max(c["rel_error"] for c in check.values())
    return [table(TEXT["check_columns"], rows, caption=TEXT["check_caption"]),
            text(TEXT["check_ok"] if worst < 1e-6 else TEXT["check_warn"],
                 "ok" if worst < 1e-6 else "warn")]


def _render_mlp(**values) -> list[dict]:
    vm = mlp_view_model(values)
    legend_items = legend([(class_name(c), CLASS_COLORS[c], "circle") for c in range(vm["K"])])
    if vm["view"] == "compare":
        rows = [[TEXT["names"][n["name"]], n["H"], f"{n['reg']:g}", f"{n['loss']:.3f}",
                 f"{n['train_acc']:.1%}", f"{n['val_acc']:.1%}"] for n in vm["nets"]]
        return [stats([(TEXT["step"], vm["steps"])]),
                plot("mlp-compare", _compare_figure(vm)), legend_items,
                table(TEXT["compare_columns"], rows), text(TEXT["compare_note"]),
                plot("mlp-loss", _loss_figure(vm))]
    net = vm["nets"][0]
    outputs = [stats([(TEXT["step"], vm["steps"]), (TEXT["loss"], f"{net['loss']:.4f}"),
                      (TEXT["train_acc"], f"{net['train_acc']:.1%}"),
                      (TEXT["val_acc"], f"{net['val_acc']:.1%}")]),
               plot("mlp-plane", _plane(vm), clickable=True), legend_items,
               plot("mlp-loss", _loss_figure(vm)), text(TEXT["train_note"])]
    return outputs + (_check_outputs(values, vm) if values["check"] else [])


WIDGETS = {
    "mlp-train": widget(
        TEXT["mlp_title"],
        [
            button("run", "학습 / 정지", repeat=True),
            slider("hidden", "은닉 뉴런 수 H", 16, min=2, max=64, step=1, integer=True),
            select("activation", "activation", "relu", TEXT["activations"]),
            slider("reg", "L2 강도 (reg)", 1e-4, min=1e-6, max=1, step=0.1, log=True),
            select("view", "보기", "train", [("train", TEXT["view_train"]),
                                           ("compare", TEXT["view_compare"])]),
            slider("lr", "learning rate", 1.0, min=1e-3, max=10, step=0.1, log=True),
            button("step", "한 step"),
            button("reset", "처음부터"),
            button("check", "기울기 확인 (gradient check)"),
            select("dataset", "데이터", "spiral", DATASETS),
            slider("n_classes", "클래스 개수", 3, min=2, max=MAX_CLASSES, step=1, integer=True),
            slider("n_points", "점 개수", 120, min=20, max=300, step=10, integer=True),
            slider("noise", "noise", 0.2, min=0, max=1, step=0.05),
            slider("seed", "seed", 0, min=0, max=20, step=1, integer=True),
            select("add_class", "클릭으로 추가할 클래스", "0",
                   [(str(c), class_name(c)) for c in range(MAX_CLASSES)]),
            button("clear_points", "추가한 점 지우기"),
            hidden("points", []),
            hidden("params", None, in_address=False),   # a training run, not a setting
            hidden("steps", 0, in_address=False),
            hidden("history", [], in_address=False),
            hidden("config", "", in_address=False),
            hidden("check", False, in_address=False),
        ],
        _render_mlp,
        on_event=_mlp_event,
        description=TEXT["mlp_description"],
        primary=("run", "hidden", "activation", "reg", "view"),
    ),
}
