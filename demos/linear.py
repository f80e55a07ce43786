"""Linear classifiers (Lecture 2): multiclass SVM and softmax losses with gradients, and a widget.

Contract (design.md): scores = ``X @ W + b`` with ``W`` (D, C), ``b`` (C,), ``X`` (N, D) and
``y`` (N,).

* ``svm_loss(W, b, X, y, reg=0.0, delta=1.0)`` -> ``(loss, dW, db)``: mean over examples of
  ``sum_{j != y_i} max(0, s_j - s_{y_i} + delta)`` plus ``reg * sum(W**2)``.
* ``softmax_loss(W, b, X, y, reg=0.0)`` -> ``(loss, dW, db)``: mean cross-entropy plus
  ``reg * sum(W**2)``, stable for scores of 1e4 and more.

The regularisation gradient is ``2 * reg * W`` (the derivative of ``reg * sum(W**2)``); ``b`` is not
regularised.
"""

from __future__ import annotations

import math

import numpy as np

from demos.knn import (CLASS_COLORS, TIE_COLOR, as_float_array, as_labels, class_name,
                       plane_grid, plane_layout, region_image)
from demos.widget import (button, click_xy, hidden, math as math_output, matrix, number, plot,
                          select, slider, stats, table, text, widget)

__all__ = ["scores", "svm_loss", "softmax_loss", "svm_variant_loss", "svm_from_scores",
           "softmax_from_scores", "train_step", "WIDGETS"]


# ---------------------------------------------------------------------------------------------
# Checks.
# ---------------------------------------------------------------------------------------------

def _check_params(W, b) -> tuple[np.ndarray, np.ndarray]:
    W = as_float_array(W, "W", 2)
    b = as_float_array(b, "b", 1)
    if W.shape[1] == 0:
        raise ValueError("W에 클래스(열)가 하나 이상 있어야 합니다.")
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b의 길이({b.shape[0]})가 W의 클래스 수({W.shape[1]})와 다릅니다. "
                         f"W는 (D, C), b는 (C,) 모양이어야 합니다.")
    return W, b


def _check_data(X, y, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(X, "X", 2)
    if X.shape[0] == 0:
        raise ValueError("데이터가 비어 있습니다. 점을 하나 이상 넣으세요.")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X의 차원({X.shape[1]})이 W의 행 수({W.shape[0]})와 다릅니다. "
                         f"X는 (N, D), W는 (D, C) 모양이어야 합니다.")
    y = as_labels(y, "y", X.shape[0])
    C = W.shape[1]
    if np.any((y < 0) | (y >= C)):
        raise ValueError(f"y의 label은 0 이상 {C - 1} 이하여야 합니다 (클래스 {C}개).")
    return X, y


def _check_nonnegative(value, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"'{name}'에는 숫자를 넣으세요 (받은 값: {value!r}).") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"'{name}'은(는) 0 이상의 유한한 숫자여야 합니다 (받은 값: {value!r}).")
    return value


def _checked(W, b, X, y):
    W, b = _check_params(W, b)
    X, y = _check_data(X, y, W)
    return W, b, X, y


# ---------------------------------------------------------------------------------------------
# Losses.
# ---------------------------------------------------------------------------------------------

def scores(W, b, X) -> np.ndarray:
    """Class scores (N, C) = X (N, D) @ W (D, C) + b (C,)."""
    W, b = _check_params(W, b)
    X = as_float_array(X, "X", 2)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X의 차원({X.shape[1]})이 W의 행 수({W.shape[0]})와 다릅니다.")
    return _scores(W, b, X)


def _scores(W: np.ndarray, b: np.ndarray, X: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        S = X @ W + b
    if not np.all(np.isfinite(S)):
        raise ValueError("점수(scores)가 너무 커서 계산할 수 없습니다 (overflow). W, b를 줄이세요.")
    return S


SVM_VARIANTS = [("ww", "Weston–Watkins (CS231n)"), ("ova", "One-vs-All"),
                ("structured", "Structured (Crammer–Singer)")]


def svm_from_scores(S: np.ndarray, y: np.ndarray, delta: float = 1.0,
                    variant: str = "ww") -> tuple[np.ndarray, np.ndarray]:
    """Multiclass hinge loss from scores S (N, C) -> (losses (N,), dS (N, C) of their mean).

    * ``"ww"`` (the lecture's): sum over j != y_i of max(0, s_j - s_{y_i} + delta).
    * ``"ova"``: each class is its own binary problem: sum over j != y_i of max(0, delta + s_j),
      plus max(0, delta - s_{y_i}).
    * ``"structured"``: only the strongest wrong class counts: max(0, max_{j != y_i} s_j - s_{y_i} +
      delta).

    The gradient at a margin of exactly 0 is taken as 0 (a subgradient), as in the assignment.
    """
    n = S.shape[0]
    rows = np.arange(n)
    if variant == "ww":
        margins = S - S[rows, y][:, None] + delta  # (N, C)
        margins[rows, y] = 0.0
        active = (margins > 0).astype(np.float64)  # each active j pushes s_j up, s_{y_i} down
        active[rows, y] = -active.sum(axis=1)
        return np.maximum(margins, 0.0).sum(axis=1), active / n
    if variant == "ova":
        margins = delta + S  # wrong classes want s_j <= -delta
        margins[rows, y] = delta - S[rows, y]  # the right class wants s_{y_i} >= delta
        active = (margins > 0).astype(np.float64)
        active[rows, y] *= -1.0
        return np.maximum(margins, 0.0).sum(axis=1), active / n
    if variant == "structured":
        others = S.copy()
        others[rows, y] = -np.inf
        rival = np.argmax(others, axis=1)  # (N,) the highest-scoring wrong class
        margins = others[rows, rival] - S[rows, y] + delta
        active = (margins > 0).astype(np.float64)
        dS = np.zeros_like(S)
        dS[rows, rival] += active
        dS[rows, y] -= active
        return np.maximum(margins, 0.0), dS / n
    raise ValueError(f"SVM 종류는 {', '.join(v for v, _ in SVM_VARIANTS)} 중 하나여야 합니다 "
                     f"(받은 값: {variant!r}).")


def softmax_from_scores(S: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cross-entropy from scores S (N, C) -> (losses (N,), dS (N, C) of their mean, probs (N, C)).

    Subtracting each row's max leaves the probabilities unchanged and keeps exp() <= 1, so scores of
    1e4 do not overflow; log-probabilities come from log-sum-exp, never from log(tiny probability).
    """
    n = S.shape[0]
    rows = np.arange(n)
    shifted = S - S.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    probs = np.exp(log_probs)
    dS = probs.copy()
    dS[rows, y] -= 1.0
    return -log_probs[rows, y], dS / n, probs


def _finish(losses, dS, W, X, reg) -> tuple[float, np.ndarray, np.ndarray]:
    """Mean data loss + reg * sum(W^2); backprop dS (N, C) through S = X W + b."""
    with np.errstate(over="ignore", invalid="ignore"):
        loss = float(losses.mean() + reg * np.sum(W * W))
        dW = X.T @ dS + 2.0 * reg * W
    db = dS.sum(axis=0)
    if not (math.isfinite(loss) and np.all(np.isfinite(dW))):
        raise ValueError("손실이 너무 커서 계산할 수 없습니다 (overflow). W나 reg를 줄이세요.")
    return loss, dW, db


def svm_loss(W, b, X, y, reg: float = 0.0, delta: float = 1.0):
    """-> (loss, dW (D, C), db (C,)) of the multiclass SVM loss with L2 regularisation on W."""
    return svm_variant_loss(W, b, X, y, reg, delta, "ww")


def svm_variant_loss(W, b, X, y, reg: float = 0.0, delta: float = 1.0, variant: str = "ww"):
    """``svm_loss`` for any of ``SVM_VARIANTS`` (see ``svm_from_scores``)."""
    W, b, X, y = _checked(W, b, X, y)
    reg = _check_nonnegative(reg, "reg")
    delta = _check_nonnegative(delta, "delta")
    losses, dS = svm_from_scores(_scores(W, b, X), y, delta, variant)
    return _finish(losses, dS, W, X, reg)


def softmax_loss(W, b, X, y, reg: float = 0.0):
    """-> (loss, dW (D, C), db (C,)) of the softmax cross-entropy with L2 regularisation on W."""
    W, b, X, y = _checked(W, b, X, y)
    reg = _check_nonnegative(reg, "reg")
    losses, dS, _ = softmax_from_scores(_scores(W, b, X), y)
    return _finish(losses, dS, W, X, reg)


LOSSES = {"softmax": softmax_loss, "svm": svm_loss}


def train_step(W, b, X, y, loss: str = "softmax", lr: float = 0.1, reg: float = 0.0,
               delta: float = 1.0, variant: str = "ww") -> tuple[np.ndarray, np.ndarray]:
    """One step of gradient descent on ``loss`` -> (W - lr dW, b - lr db)."""
    if loss not in LOSSES:
        raise ValueError(f"loss는 'softmax' 또는 'svm'이어야 합니다 (받은 값: {loss!r}).")
    lr = _check_nonnegative(lr, "learning rate")
    if loss == "svm":
        _, dW, db = svm_variant_loss(W, b, X, y, reg, delta, variant)
    else:
        _, dW, db = softmax_loss(W, b, X, y, reg)
    W_new = np.asarray(W, dtype=np.float64) - lr * dW
    b_new = np.asarray(b, dtype=np.float64) - lr * db
    if not (np.all(np.isfinite(W_new)) and np.all(np.isfinite(b_new))):
        raise ValueError("학습이 발산했습니다. learning rate를 줄이세요.")
    return W_new, b_new


# ---------------------------------------------------------------------------------------------
# Widget "linear-loss".
# ---------------------------------------------------------------------------------------------

LIM = 1.2
GRID = 80
RUN_STEPS = 5  # gradient steps per update while "실행" runs
PICK_RADIUS = 0.15
DEFAULT_POINTS = [
    [0.5, 0.4, 0], [0.8, 0.3, 0], [0.3, 0.8, 0], [0.7, 0.7, 0],
    [-0.4, 0.3, 1], [-0.3, 0.7, 1], [-0.7, 0.2, 1], [-0.8, 0.6, 1],
    [0.3, -0.6, 2], [-0.2, -0.5, 2], [0.6, -0.3, 2], [-0.5, -0.7, 2],
]
DEFAULT_W = [[1.0, -1.0, 0.2], [0.6, 0.4, -1.0]]  # (D=2, C=3)
DEFAULT_B = [[0.0, 0.1, -0.1]]
CLASSES = 3
AXIS_LABELS = ["x₁", "x₂"]


def _fmt(v: float) -> str:
    """A raw matrix cell: 6 significant digits are plenty for a reader and for training."""
    s = f"{float(v):.6g}"
    return "0" if s == "-0" else s


def _points(raw) -> tuple[np.ndarray, np.ndarray]:
    """Hidden [[x1, x2, label], ...] -> X (N, 2), y (N,)."""
    if not raw:
        raise ValueError("데이터가 비어 있습니다. '클릭하면: 점 추가'로 점을 넣거나 '데이터 초기화'를 "
                         "누르세요.")
    pts = as_float_array(raw, "데이터 점", 2)
    if pts.shape[1] != 3:
        raise ValueError("데이터 점 상태는 [x₁, x₂, 클래스] 목록이어야 합니다.")
    return pts[:, :2], as_labels(pts[:, 2], "클래스", len(pts))


def _params(W, b) -> tuple[np.ndarray, np.ndarray]:
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    return _check_params(W, b)


def _raw_params(W: np.ndarray, b: np.ndarray) -> dict:
    return {"W": [[_fmt(v) for v in row] for row in W], "b": [[_fmt(v) for v in b]]}


def _linear_event(values: dict, event: dict) -> dict:
    if event.get("type") == "action":
        name = event.get("name")
        if name in ("step", "run"):
            W, b = _params(values["W"], values["b"])
            X, y = _points(values["points"])
            for _ in range(1 if name == "step" else RUN_STEPS):
                W, b = train_step(W, b, X, y, values["loss"], values["lr"], values["reg"],
                                  values["delta"], values["svm_variant"])
            steps = 1 if name == "step" else RUN_STEPS
            return {**_raw_params(W, b), "iteration": int(values["iteration"] or 0) + steps}
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
    if event.get("type") != "click" or event.get("plot") != "linear-plane":
        return {}
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


def _plane(W, b, X, y, S) -> dict:
    centres, grid_points = plane_grid(LIM, GRID)
    regions = np.argmax(grid_points @ W + b, axis=1).reshape(GRID, GRID)
    colors = CLASS_COLORS[:CLASSES]
    data = []
    bx, by = _decision_boundaries(W, b, LIM)
    data.append({"type": "scatter", "mode": "lines", "x": bx, "y": by, "name": "결정 경계",
                 "hoverinfo": "skip", "line": {"color": TIE_COLOR, "width": 2}})
    annotations = []
    for c in range(CLASSES):
        ends = _clip_line(W[:, c], b[c], LIM)
        if ends is None:
            continue
        data.append({"type": "scatter", "mode": "lines", "x": np.round(ends[:, 0], 4),
                     "y": np.round(ends[:, 1], 4), "name": "점수 0인 선 (sᶜ = 0)", "hoverinfo": "skip",
                     "showlegend": not annotations, "legendgroup": "zero",
                     "line": {"color": CLASS_COLORS[c], "width": 1.5, "dash": "dash"}})
        mid = ends.mean(axis=0)
        head = mid + 0.25 * W[:, c] / np.linalg.norm(W[:, c])  # towards larger s_c
        annotations.append({"x": round(float(head[0]), 4), "y": round(float(head[1]), 4),
                            "ax": round(float(mid[0]), 4), "ay": round(float(mid[1]), 4),
                            "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "text": "",
                            "showarrow": True, "arrowhead": 2, "arrowwidth": 1.5,
                            "arrowcolor": CLASS_COLORS[c]})
    wrong = np.argmax(S, axis=1) != y
    for c in range(CLASSES):
        mine = np.nonzero(y == c)[0]
        if mine.size == 0:
            continue
        data.append({
            "type": "scatter", "mode": "markers", "name": class_name(c),
            "x": X[mine, 0], "y": X[mine, 1], "customdata": mine + 1,
            "marker": {"color": CLASS_COLORS[c], "size": 10,
                       "symbol": ["circle-x" if wrong[i] else "circle" for i in mine],
                       "line": {"color": "rgba(255,255,255,0.9)", "width": 1}},
            "hovertemplate": f"#%{{customdata}} {class_name(c)}<br>(%{{x:.2f}}, %{{y:.2f}})"
                             f"<extra></extra>"})
    layout = plane_layout(LIM, height=420, annotations=annotations,
                          images=[region_image(centres, regions, colors, opacity=0.3)])
    return {"data": data, "layout": layout}


def _num(v: float) -> float | str:
    """A table cell: 4 decimals, or scientific notation for huge values."""
    v = float(v)
    return f"{v:.3e}" if abs(v) >= 1e5 else round(v, 4)


def _render_linear(loss, svm_variant, W, b, lr, reg, delta, mode, add_class, points, iteration,
                   draws) -> list[dict]:
    W, b = _params(W, b)
    X, y = _points(points)
    X, y = _check_data(X, y, W)
    S = _scores(W, b, X)
    svm_i, _ = svm_from_scores(S, y, delta, svm_variant)
    soft_i, _, probs = softmax_from_scores(S, y)
    svm = svm_variant_loss(W, b, X, y, reg, delta, svm_variant)
    soft = softmax_loss(W, b, X, y, reg=reg)
    reg_loss = reg * float(np.sum(W * W))
    accuracy = float(np.mean(np.argmax(S, axis=1) == y))
    chosen = {"svm": svm, "softmax": soft}[loss]

    # Sanity check from the notes: call the real loss functions with W = 0, b = 0.
    W0, b0 = np.zeros_like(W), np.zeros_like(b)
    soft0 = softmax_loss(W0, b0, X, y)[0]
    svm0 = svm_loss(W0, b0, X, y, delta=1.0)[0]
    C = W.shape[1]
    svm_name = {"ww": "SVM", "ova": "SVM (OvA)", "structured": "SVM (structured)"}[svm_variant]

    per_example = [[i + 1, int(y[i]), ", ".join(f"{s:.2f}" for s in S[i]), _num(svm_i[i]),
                    _num(soft_i[i]), round(float(probs[i, y[i]]), 3)] for i in range(len(X))]
    wrong = np.nonzero(np.argmax(S, axis=1) != y)[0].tolist()

    def gradient_table(name, dW, db):
        rows = [[f"∂L/∂W[{AXIS_LABELS[d]}, :]", *[_num(v) for v in dW[d]]] for d in range(len(dW))]
        rows.append(["∂L/∂b", *[_num(v) for v in db]])
        return table(["", *[class_name(c) for c in range(C)]], rows, caption=f"{name} 기울기")

    outputs = [
        stats([("학습 step", int(iteration or 0)), ("정확도", f"{accuracy:.0%}"),
               (f"{'Softmax' if loss == 'softmax' else svm_name} 전체 손실 (학습 중)",
                _num(chosen[0])),
               ("정규화 손실 λΣW²", _num(reg_loss))]),
        plot("linear-plane", _plane(W, b, X, y, S), clickable=True),
        text("색 영역은 점수가 가장 큰 클래스, 회색 선은 결정 경계, 점선은 각 클래스의 점수가 0인 "
             "선(sᶜ = 0)이고 화살표 쪽으로 점수가 커집니다. ⊗ 표시는 틀리게 분류된 점입니다."),
        table(["", svm_name, "Softmax"], [
            ["데이터 손실 (평균)", _num(svm_i.mean()), _num(soft_i.mean())],
            ["정규화 손실 λΣW²", _num(reg_loss), _num(reg_loss)],
            ["전체 손실", _num(svm[0]), _num(soft[0])],
        ], caption=f"같은 W, b에서 두 손실 (Δ = {delta:g}, λ = {reg:g})"),
        table(["#", "정답 yᵢ", "점수 (" + ", ".join(f"s{c}" for c in range(C)) + ")",
               f"{svm_name} Lᵢ",
               "Softmax Lᵢ", "P(정답)"],
              per_example, caption="예제별 점수와 손실 (강조 = 틀린 예제)", highlight=wrong),
        gradient_table(svm_name, svm[1], svm[2]),
        gradient_table("Softmax", soft[1], soft[2]),
        table(["확인 (W = 0, b = 0)", "실제 함수로 계산", "이론값"], [
            ["Softmax 손실", round(soft0, 4), f"log C = log {C} = {math.log(C):.4f}"],
            ["SVM 손실 (강의의 Weston–Watkins, Δ = 1)", round(svm0, 4), f"C − 1 = {C - 1}"],
        ], caption="Sanity check: 모든 점수가 같으면 (어떤 데이터든)"),
    ]
    ok = math.isclose(soft0, math.log(C), rel_tol=1e-12) and math.isclose(svm0, C - 1,
                                                                          rel_tol=1e-12)
    outputs.append(text("학습 시작 전 손실이 이 값과 다르면 구현이나 초기화를 의심하세요: "
                        f"softmax는 모든 클래스에 1/{C}씩 주므로 −log(1/{C}) = log {C}, SVM은 정답이 "
                        f"아닌 {C - 1}개 클래스마다 margin Δ = 1을 냅니다."
                        + (" ✓ 둘 다 일치합니다." if ok else ""), "ok" if ok else "warn"))
    largest = float(np.abs(S).max())
    if largest > 700:
        outputs.append(text(f"점수가 {largest:.3g}까지 커졌습니다. 그대로 exp를 취하면 e^{largest:.0f}이 "
                            f"overflow(무한대)가 되지만, 각 행의 최댓값을 빼고 계산(log-sum-exp)하므로 "
                            f"손실은 유한하고 정확합니다.", "warn"))
    outputs.append(math_output(
        r"\begin{aligned}"
        r"L_i^{\mathrm{SVM}} &= \sum_{j \ne y_i} \max(0,\ s_j - s_{y_i} + \Delta) \\"
        r"L_i^{\mathrm{softmax}} &= -\log \frac{e^{s_{y_i}}}{\sum_j e^{s_j}}"
        r" = \log \sum_j e^{s_j - m} - (s_{y_i} - m),\quad m = \max_j s_j \\"
        r"L &= \frac{1}{N}\sum_i L_i + \lambda \sum W^2, \qquad"
        r"\frac{\partial}{\partial W}\,\lambda \sum W^2 = 2\lambda W"
        r"\end{aligned}"))
    return outputs


_LINEAR = widget(
    "선형 분류기의 손실: SVM vs Softmax",
    [
        select("loss", "학습할 손실", "softmax", [("softmax", "Softmax (cross-entropy)"),
                                              ("svm", "SVM (hinge)")]),
        matrix("W", "W", DEFAULT_W, row_labels=AXIS_LABELS,
               col_labels=[class_name(c) for c in range(CLASSES)], step=0.1),
        matrix("b", "b", DEFAULT_B, row_labels=["b"],
               col_labels=[class_name(c) for c in range(CLASSES)], step=0.1),
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
    description="W와 b를 직접 바꾸거나 경사 하강법으로 학습시키며, 같은 점수에서 SVM과 Softmax 손실이 "
                "어떻게 다른지 봅니다. 'W, b = 0'을 누르면 sanity check 값(log C, C − 1)이 바로 나옵니다.",
    primary=("loss", "W", "step", "run", "zero"),
)

WIDGETS = {"linear-loss": _LINEAR}
