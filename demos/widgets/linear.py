"""Widget "linear-loss" (Lecture 2): a linear classifier on the plane, its SVM and softmax losses.

The reader edits W and b, trains with gradient steps, adds or removes points by clicking, and sees
both losses of the same scores side by side. Built in three layers:

* ``view_model(...)``: every number shown, from ``demos.linear`` alone (pure, no figures);
* ``_plane(...)`` and the table builders: figures and tables from those numbers;
* ``TEXT``: every Korean sentence and label the widget shows.
"""

from __future__ import annotations

import math

import numpy as np

from demos import checks, linear
from demos.linear import DEFAULT_B, DEFAULT_POINTS, DEFAULT_W, SVM_VARIANTS
from demos.plotting import (CLASS_COLORS, TIE_COLOR, class_name, plane_grid, plane_layout,
                            region_image)
from demos.widget import (button, click_xy, hidden, math as math_output, matrix, number, plot,
                          select, slider, stats, table, text, widget)

__all__ = ["WIDGETS", "view_model", "LIM", "GRID", "RUN_STEPS"]

LIM = 1.2  # the plane is [-LIM, LIM]^2
GRID = 80  # cells per side of the region picture
RUN_STEPS = 5  # gradient steps per update while "실행" runs
PICK_RADIUS = 0.15  # how close a tap must be to remove a point
CLASSES = 3
AXIS_LABELS = ["x₁", "x₂"]
SVM_NAMES = {"ww": "SVM", "ova": "SVM (OvA)", "structured": "SVM (structured)"}

TEXT = {
    "title": "선형 분류기의 손실: SVM vs Softmax",
    "description": "W와 b를 직접 바꾸거나 경사 하강법으로 학습시키며, 같은 점수에서 SVM과 Softmax 손실이 "
                   "어떻게 다른지 봅니다. 'W, b = 0'을 누르면 sanity check 값(log C, C − 1)이 바로 "
                   "나옵니다.",
    "no_points": "데이터가 비어 있습니다. '클릭하면: 점 추가'로 점을 넣거나 '데이터 초기화'를 누르세요.",
    "bad_points": "데이터 점 상태는 [x₁, x₂, 클래스] 목록이어야 합니다.",
    "boundary": "결정 경계",
    "zero_line": "점수 0인 선 (sᶜ = 0)",
    "point_hover": "#%{{customdata}} {name}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
    "step": "학습 step",
    "accuracy": "정확도",
    "training_loss": "{name} 전체 손실 (학습 중)",
    "reg_loss": "정규화 손실 λΣW²",
    "plane_note": "색 영역은 점수가 가장 큰 클래스, 회색 선은 결정 경계, 점선은 각 클래스의 점수가 0인 "
                  "선(sᶜ = 0)이고 화살표 쪽으로 점수가 커집니다. ⊗ 표시는 틀리게 분류된 점입니다.",
    "data_loss": "데이터 손실 (평균)",
    "total_loss": "전체 손실",
    "both_losses": "같은 W, b에서 두 손실 (Δ = {delta:g}, λ = {reg:g})",
    "label": "정답 yᵢ",
    "scores": "점수 ({names})",
    "correct_prob": "P(정답)",
    "per_example": "예제별 점수와 손실 (강조 = 틀린 예제)",
    "gradient": "{name} 기울기",
    "sanity_columns": ["확인 (W = 0, b = 0)", "실제 함수로 계산", "이론값"],
    "sanity_softmax": "Softmax 손실",
    "sanity_svm": "SVM 손실 (강의의 Weston–Watkins, Δ = 1)",
    "sanity": "Sanity check: 모든 점수가 같으면 (어떤 데이터든)",
    "sanity_note": "학습 시작 전 손실이 이 값과 다르면 구현이나 초기화를 의심하세요: softmax는 모든 "
                   "클래스에 1/{C}씩 주므로 −log(1/{C}) = log {C}, SVM은 정답이 아닌 {wrong}개 "
                   "클래스마다 margin Δ = 1을 냅니다.",
    "sanity_ok": " ✓ 둘 다 일치합니다.",
    "overflow": "점수가 {largest:.3g}까지 커졌습니다. 그대로 exp를 취하면 e^{largest:.0f}이 "
                "overflow(무한대)가 되지만, 각 행의 최댓값을 빼고 계산(log-sum-exp)하므로 손실은 "
                "유한하고 정확합니다.",
}

FORMULAS = (
    r"\begin{aligned}"
    r"L_i^{\mathrm{SVM}} &= \sum_{j \ne y_i} \max(0,\ s_j - s_{y_i} + \Delta) \\"
    r"L_i^{\mathrm{softmax}} &= -\log \frac{e^{s_{y_i}}}{\sum_j e^{s_j}}"
    r" = \log \sum_j e^{s_j - m} - (s_{y_i} - m),\quad m = \max_j s_j \\"
    r"L &= \frac{1}{N}\sum_i L_i + \lambda \sum W^2, \qquad"
    r"\frac{\partial}{\partial W}\,\lambda \sum W^2 = 2\lambda W"
    r"\end{aligned}")


# ---------------------------------------------------------------------------------------------
# State: raw matrices and points <-> arrays.
# ---------------------------------------------------------------------------------------------

def _fmt(v: float) -> str:
    """A raw matrix cell: 6 significant digits are plenty for a reader and for training."""
    s = f"{float(v):.6g}"
    return "0" if s == "-0" else s


def _points(raw) -> tuple[np.ndarray, np.ndarray]:
    """Hidden [[x1, x2, label], ...] -> X (N, 2), y (N,)."""
    if not raw:
        raise ValueError(TEXT["no_points"])
    pts = checks.float_array(raw, "데이터 점", 2)
    if pts.shape[1] != 3:
        raise ValueError(TEXT["bad_points"])
    return pts[:, :2], checks.labels(pts[:, 2], "클래스", len(pts))


def _params(W, b) -> tuple[np.ndarray, np.ndarray]:
    """Parsed matrices W (2, C) and b (1, C) -> W (2, C), b (C,)."""
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    return linear.check_params(W, b)


def _raw_params(W: np.ndarray, b: np.ndarray) -> dict:
    return {"W": [[_fmt(v) for v in row] for row in W], "b": [[_fmt(v) for v in b]]}


def _train(values: dict, steps: int) -> dict:
    """``steps`` gradient steps from the current W, b -> the raw state to change."""
    W, b = _params(values["W"], values["b"])
    X, y = _points(values["points"])
    for _ in range(steps):
        W, b = linear.train_step(W, b, X, y, values["loss"], values["lr"], values["reg"],
                                 values["delta"], values["svm_variant"])
    return {**_raw_params(W, b), "iteration": int(values["iteration"] or 0) + steps}


def _action(values: dict, name: str) -> dict:
    if name in ("step", "run"):
        return _train(values, 1 if name == "step" else RUN_STEPS)
    if name == "reset":
        return {**_raw_params(np.array(DEFAULT_W), np.array(DEFAULT_B[0])), "iteration": 0}
    if name == "zero":
        return {**_raw_params(np.zeros((2, CLASSES)), np.zeros(CLASSES)), "iteration": 0}
    if name == "random":
        # Reproducible draws: the n-th press always gives the same W, b.
        draws = int(values["draws"] or 0) + 1
        rng = np.random.default_rng(draws)
        return {**_raw_params(np.round(rng.normal(0, 1, (2, CLASSES)), 2),
                              np.round(rng.normal(0, 0.5, CLASSES), 2)),
                "iteration": 0, "draws": draws}
    if name == "data":
        return {"points": [list(p) for p in DEFAULT_POINTS]}
    return {}


def _click(values: dict, event: dict) -> dict:
    """Add a point of the chosen class where the reader clicked, or remove the nearest one."""
    p = click_xy(event)
    points = [list(q) for q in (values["points"] or [])]
    if values["mode"] == "add":
        return {"points": points + [[round(float(p[0]), 3), round(float(p[1]), 3),
                                     int(values["add_class"])]]}
    if not points:
        return {}
    gaps = np.hypot(*(np.asarray(points, dtype=np.float64)[:, :2] - p).T)
    nearest = int(np.argmin(gaps))
    if gaps[nearest] > PICK_RADIUS:
        return {}
    del points[nearest]
    return {"points": points}


def _linear_event(values: dict, event: dict) -> dict:
    if event.get("type") == "action":
        return _action(values, event.get("name"))
    if event.get("type") != "click" or event.get("plot") != "linear-plane":
        return {}
    return _click(values, event)


# ---------------------------------------------------------------------------------------------
# The view model: every number the widget shows.
# ---------------------------------------------------------------------------------------------

def view_model(W: np.ndarray, b: np.ndarray, X: np.ndarray, y: np.ndarray, loss: str,
               variant: str, reg: float, delta: float) -> dict:
    """W (D, C), b (C,), X (N, D), y (N,) -> scores S (N, C), per-example losses (N,), both total
    losses with gradients ``(loss, dW, db)``, accuracy, the misclassified rows, and the W = 0
    sanity values computed by the real loss functions."""
    X, y = linear.check_data(X, y, W)
    S = linear.scores(W, b, X)
    svm_i, _ = linear.svm_from_scores(S, y, delta, variant)
    soft_i, _, probs = linear.softmax_from_scores(S, y)
    svm = linear.svm_variant_loss(W, b, X, y, reg, delta, variant)
    soft = linear.softmax_loss(W, b, X, y, reg=reg)
    predicted = np.argmax(S, axis=1)
    # Sanity check from the notes: call the real loss functions with W = 0, b = 0.
    W0, b0 = np.zeros_like(W), np.zeros_like(b)
    return {"S": S, "y": y, "svm_i": svm_i, "soft_i": soft_i, "probs": probs, "svm": svm,
            "soft": soft, "chosen": {"svm": svm, "softmax": soft}[loss],
            "reg_loss": reg * float(np.sum(W * W)), "accuracy": float(np.mean(predicted == y)),
            "wrong": np.nonzero(predicted != y)[0].tolist(),
            "soft0": linear.softmax_loss(W0, b0, X, y)[0],
            "svm0": linear.svm_loss(W0, b0, X, y, delta=1.0)[0]}


# ---------------------------------------------------------------------------------------------
# The plane: regions, boundaries, zero-score lines, points.
# ---------------------------------------------------------------------------------------------

def _clip_line(w: np.ndarray, c: float, lim: float) -> np.ndarray | None:
    """The part of the line w.x + c = 0 inside [-lim, lim]^2 -> endpoints (2, 2), or None."""
    norm2 = float(w @ w)
    if norm2 < 1e-18:
        return None
    p0 = -c * w / norm2  # closest point to the origin
    d = np.array([-w[1], w[0]]) / math.sqrt(norm2)
    lo, hi = -np.inf, np.inf
    for axis in range(2):  # slab clipping
        if abs(d[axis]) < 1e-12:
            if abs(p0[axis]) > lim:
                return None
            continue
        t1, t2 = (-lim - p0[axis]) / d[axis], (lim - p0[axis]) / d[axis]
        lo, hi = max(lo, min(t1, t2)), min(hi, max(t1, t2))
    if lo >= hi:
        return None
    return np.stack([p0 + lo * d, p0 + hi * d])


def _decision_boundaries(W: np.ndarray, b: np.ndarray, lim: float, samples: int = 120):
    """Where s_i = s_j are the two top scores, as a NaN-separated polyline (xs, ys)."""
    xs, ys = [], []
    C = W.shape[1]
    for i in range(C):
        for j in range(i + 1, C):
            ends = _clip_line(W[:, i] - W[:, j], b[i] - b[j], lim)
            if ends is None:
                continue
            t = np.linspace(0, 1, samples)[:, None]
            P = ends[0] + t * (ends[1] - ends[0])  # (samples, 2)
            S = P @ W + b
            top = S[:, i] >= S.max(axis=1) - 1e-9 * (1 + np.abs(S).max())
            P[~top] = np.nan
            xs += [P[:, 0], [np.nan]]
            ys += [P[:, 1], [np.nan]]
    if not xs:
        return [], []
    return np.round(np.concatenate(xs), 4), np.round(np.concatenate(ys), 4)


def _zero_lines(W: np.ndarray, b: np.ndarray) -> tuple[list[dict], list[dict]]:
    """Each class's line s_c = 0 (dashed) and an arrow towards larger s_c -> (traces, annotations)."""
    traces, annotations = [], []
    for c in range(CLASSES):
        ends = _clip_line(W[:, c], b[c], LIM)
        if ends is None:
            continue
        traces.append({"type": "scatter", "mode": "lines", "x": np.round(ends[:, 0], 4),
                       "y": np.round(ends[:, 1], 4), "name": TEXT["zero_line"], "hoverinfo": "skip",
                       "showlegend": not annotations, "legendgroup": "zero",
                       "line": {"color": CLASS_COLORS[c], "width": 1.5, "dash": "dash"}})
        mid = ends.mean(axis=0)
        head = mid + 0.25 * W[:, c] / np.linalg.norm(W[:, c])  # towards larger s_c
        annotations.append({"x": round(float(head[0]), 4), "y": round(float(head[1]), 4),
                            "ax": round(float(mid[0]), 4), "ay": round(float(mid[1]), 4),
                            "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "text": "",
                            "showarrow": True, "arrowhead": 2, "arrowwidth": 1.5,
                            "arrowcolor": CLASS_COLORS[c]})
    return traces, annotations


def _point_traces(X: np.ndarray, y: np.ndarray, S: np.ndarray) -> list[dict]:
    """One marker trace per class; misclassified points drawn as ⊗."""
    wrong = np.argmax(S, axis=1) != y
    traces = []
    for c in range(CLASSES):
        mine = np.nonzero(y == c)[0]
        if mine.size == 0:
            continue
        traces.append({
            "type": "scatter", "mode": "markers", "name": class_name(c),
            "x": X[mine, 0], "y": X[mine, 1], "customdata": mine + 1,
            "marker": {"color": CLASS_COLORS[c], "size": 10,
                       "symbol": ["circle-x" if wrong[i] else "circle" for i in mine],
                       "line": {"color": "rgba(255,255,255,0.9)", "width": 1}},
            "hovertemplate": TEXT["point_hover"].format(name=class_name(c))})
    return traces


def _plane(W, b, X, y, S) -> dict:
    centres, grid_points = plane_grid(LIM, GRID)
    regions = np.argmax(grid_points @ W + b, axis=1).reshape(GRID, GRID)
    bx, by = _decision_boundaries(W, b, LIM)
    data = [{"type": "scatter", "mode": "lines", "x": bx, "y": by, "name": TEXT["boundary"],
             "hoverinfo": "skip", "line": {"color": TIE_COLOR, "width": 2}}]
    zero_traces, annotations = _zero_lines(W, b)
    data += zero_traces + _point_traces(X, y, S)
    layout = plane_layout(LIM, height=420, annotations=annotations,
                          images=[region_image(centres, regions, CLASS_COLORS[:CLASSES],
                                               opacity=0.3)])
    return {"data": data, "layout": layout}


# ---------------------------------------------------------------------------------------------
# Tables and notes.
# ---------------------------------------------------------------------------------------------

def _num(v: float) -> float | str:
    """A table cell: 4 decimals, or scientific notation for huge values."""
    v = float(v)
    return f"{v:.3e}" if abs(v) >= 1e5 else round(v, 4)


def _gradient_table(name: str, dW: np.ndarray, db: np.ndarray) -> dict:
    """dW (D, C) and db (C,) as rows of a table, one column per class."""
    rows = [[f"∂L/∂W[{AXIS_LABELS[d]}, :]", *[_num(v) for v in dW[d]]] for d in range(len(dW))]
    rows.append(["∂L/∂b", *[_num(v) for v in db]])
    return table(["", *[class_name(c) for c in range(len(db))]], rows,
                 caption=TEXT["gradient"].format(name=name))


def _loss_tables(vm: dict, svm_name: str, reg: float, delta: float) -> list[dict]:
    S, y = vm["S"], vm["y"]
    C = S.shape[1]
    per_example = [[i + 1, int(y[i]), ", ".join(f"{s:.2f}" for s in S[i]), _num(vm["svm_i"][i]),
                    _num(vm["soft_i"][i]), round(float(vm["probs"][i, y[i]]), 3)]
                   for i in range(len(y))]
    return [
        table(["", svm_name, "Softmax"], [
            [TEXT["data_loss"], _num(vm["svm_i"].mean()), _num(vm["soft_i"].mean())],
            [TEXT["reg_loss"], _num(vm["reg_loss"]), _num(vm["reg_loss"])],
            [TEXT["total_loss"], _num(vm["svm"][0]), _num(vm["soft"][0])],
        ], caption=TEXT["both_losses"].format(delta=delta, reg=reg)),
        table(["#", TEXT["label"], TEXT["scores"].format(names=", ".join(f"s{c}" for c in range(C))),
               f"{svm_name} Lᵢ", "Softmax Lᵢ", TEXT["correct_prob"]],
              per_example, caption=TEXT["per_example"], highlight=vm["wrong"]),
        _gradient_table(svm_name, vm["svm"][1], vm["svm"][2]),
        _gradient_table("Softmax", vm["soft"][1], vm["soft"][2]),
    ]


def _sanity(vm: dict) -> list[dict]:
    """The W = 0 losses against log C and C − 1, and whether both match."""
    C = vm["S"].shape[1]
    soft0, svm0 = vm["soft0"], vm["svm0"]
    ok = math.isclose(soft0, math.log(C), rel_tol=1e-12) and math.isclose(svm0, C - 1,
                                                                          rel_tol=1e-12)
    return [
        table(TEXT["sanity_columns"], [
            [TEXT["sanity_softmax"], round(soft0, 4), f"log C = log {C} = {math.log(C):.4f}"],
            [TEXT["sanity_svm"], round(svm0, 4), f"C − 1 = {C - 1}"],
        ], caption=TEXT["sanity"]),
        text(TEXT["sanity_note"].format(C=C, wrong=C - 1) + (TEXT["sanity_ok"] if ok else ""),
             "ok" if ok else "warn"),
    ]


def _render_linear(loss, svm_variant, W, b, lr, reg, delta, mode, add_class, points, iteration,
                   draws) -> list[dict]:
    W, b = _params(W, b)
    X, y = _points(points)
    vm = view_model(W, b, X, y, loss, svm_variant, reg, delta)
    svm_name = SVM_NAMES[svm_variant]
    chosen_name = "Softmax" if loss == "softmax" else svm_name
    outputs = [
        stats([(TEXT["step"], int(iteration or 0)), (TEXT["accuracy"], f"{vm['accuracy']:.0%}"),
               (TEXT["training_loss"].format(name=chosen_name), _num(vm["chosen"][0])),
               (TEXT["reg_loss"], _num(vm["reg_loss"]))]),
        plot("linear-plane", _plane(W, b, X, vm["y"], vm["S"]), clickable=True),
        text(TEXT["plane_note"]),
        *_loss_tables(vm, svm_name, reg, delta),
        *_sanity(vm),
    ]
    largest = float(np.abs(vm["S"]).max())
    if largest > 700:
        outputs.append(text(TEXT["overflow"].format(largest=largest), "warn"))
    outputs.append(math_output(FORMULAS))
    return outputs


_CLASS_LABELS = [class_name(c) for c in range(CLASSES)]

WIDGETS = {
    "linear-loss": widget(
        TEXT["title"],
        [
            select("loss", "학습할 손실", "softmax", [("softmax", "Softmax (cross-entropy)"),
                                                  ("svm", "SVM (hinge)")]),
            matrix("W", "W", DEFAULT_W, row_labels=AXIS_LABELS, col_labels=_CLASS_LABELS,
                   step=0.1),
            matrix("b", "b", DEFAULT_B, row_labels=["b"], col_labels=_CLASS_LABELS, step=0.1),
            slider("lr", "learning rate", 0.1, min=0.001, max=1, step=0.1, log=True),
            slider("reg", "정규화 강도 λ (reg)", 0.001, min=0.0001, max=1, step=0.1, log=True),
            number("delta", "SVM margin Δ (delta)", 1, min=0, max=10, step=0.1),
            select("svm_variant", "SVM 종류", "ww", SVM_VARIANTS,
                   help="Weston–Watkins가 강의의 SVM loss입니다. 나머지는 비교용 변형입니다."),
            button("step", "한 step"),
            button("run", "실행 / 정지", repeat=True),
            button("reset", "W, b 처음으로"),
            button("zero", "W, b = 0"),
            button("random", "무작위 W, b"),
            select("mode", "클릭하면", "add", [("add", "점 추가"), ("remove", "점 지우기")]),
            select("add_class", "추가할 점의 클래스", "0",
                   [(str(c), class_name(c)) for c in range(CLASSES)]),
            button("data", "데이터 초기화"),
            hidden("points", DEFAULT_POINTS),
            hidden("iteration", 0),
            hidden("draws", 0),
        ],
        _render_linear,
        on_event=_linear_event,
        description=TEXT["description"],
        primary=("loss", "W", "step", "run", "zero"),
    ),
}
