"""Training the two-layer net of ``demos.backprop`` on 2-D data (Lecture 4): full-batch gradient
descent, seeded data sets (spiral, blobs, circles, XOR), accuracy, and the CS231n assignment's
gradient check with its ``rel_error``. The widget "mlp-train" is ``demos.widgets.mlp``.
"""

from __future__ import annotations

import numpy as np

from demos import backprop, checks

__all__ = ["DATASETS", "MAX_CLASSES", "init_params", "sgd_step", "train", "predict", "accuracy",
           "make_data", "rel_error", "gradient_check"]


# ---------------------------------------------------------------------------------------------
# Training and data.
# ---------------------------------------------------------------------------------------------

def init_params(D: int, H: int, K: int, seed: int = 0) -> dict:
    """W1 (D, H), W2 (H, K) drawn N(0, 1/fan_in) (He-like), b1, b2 zero."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((D, H)) * np.sqrt(2.0 / D), "b1": np.zeros(H),
            "W2": rng.standard_normal((H, K)) * np.sqrt(1.0 / H), "b2": np.zeros(K)}


def sgd_step(params: dict, X, y, lr: float, reg: float, activation: str) -> tuple[dict, float]:
    """One full-batch gradient step -> (new params, the loss before the step)."""
    loss, grads = backprop.two_layer_net_loss(X, y, params["W1"], params["b1"], params["W2"],
                                     params["b2"], reg, activation)
    return {k: params[k] - lr * grads[k] for k in params}, loss


def train(params: dict, X, y, steps: int, lr: float, reg: float,
          activation: str) -> tuple[dict, list[float]]:
    """``steps`` SGD steps -> (params, the loss before each step). Inputs are checked once."""
    params, losses = sgd_step(params, X, y, lr, reg, activation) if steps else (params, [])
    losses = [losses] if steps else []
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps - 1):
            loss, grads = backprop.loss_and_grads(
                X, y, *(params[k] for k in ("W1", "b1", "W2", "b2")), reg, activation)
            if not np.isfinite(loss):
                raise ValueError("손실이 발산했습니다 (NaN/무한대). 학습률(learning rate)을 "
                                 "줄이고 다시 시작하세요.")
            params = {k: params[k] - lr * grads[k] for k in params}
            losses.append(loss)
    return params, losses


def predict(params: dict, X: np.ndarray, activation: str) -> np.ndarray:
    return np.argmax(backprop.forward_scores(X, params, activation), axis=1)


def accuracy(params: dict, X: np.ndarray, y: np.ndarray, activation: str) -> float:
    return float(np.mean(predict(params, X, activation) == y)) if len(y) else float("nan")


DATASETS = [("spiral", "나선 (spiral)"), ("blobs", "덩어리 (blobs)"), ("circles", "동심원 (circles)"),
            ("xor", "XOR")]
MAX_CLASSES = 5


def make_data(kind: str, n_points: int, n_classes: int, noise: float,
              seed: int) -> tuple[np.ndarray, np.ndarray]:
    """X (N, 2) in about [-1, 1]^2 and y (N,); the same for the same arguments. XOR has 2 classes
    whatever ``n_classes`` is (the sign of x1·x2)."""
    if kind not in dict(DATASETS):
        raise ValueError(f"데이터는 {', '.join(k for k, _ in DATASETS)} 중 하나여야 합니다.")
    n = checks.integer(n_points, "점 개수", low=2, high=1000)
    c = checks.integer(n_classes, "클래스 개수", low=2, high=MAX_CLASSES)
    noise = checks.real(noise, "noise", low=0.0, high=1.0)
    rng = np.random.default_rng(checks.integer(seed, "seed", low=0))
    y = np.arange(n) % c
    if kind == "spiral":           # CS231n's spiral: each class an arm turning 4 radians
        r = rng.uniform(0.05, 1.0, n)
        t = 2 * np.pi * y / c + 4.0 * r + 1.5 * noise * rng.standard_normal(n)
        X = 0.9 * np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    elif kind == "blobs":
        angle = 2 * np.pi * y / c + np.pi / 2
        X = 0.55 * np.stack([np.cos(angle), np.sin(angle)], 1) + (0.1 + 0.4 * noise) * \
            rng.standard_normal((n, 2))
    elif kind == "circles":
        r = 0.9 * (y + 0.5) / c + 0.25 * noise * rng.standard_normal(n)
        t = rng.uniform(0, 2 * np.pi, n)
        X = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    else:
        X = rng.uniform(-0.95, 0.95, (n, 2)) + 0.25 * noise * rng.standard_normal((n, 2))
        y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    return X, y.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Gradient check (CS231n assignment 1/2).
# ---------------------------------------------------------------------------------------------

def rel_error(a, n) -> float:
    """The assignment's ``max |a - n| / max(1e-8, |a| + |n|)``, entry by entry."""
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    return float(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))))


def gradient_check(X, y, params: dict, reg: float, activation: str, h: float = 1e-5,
                   max_entries: int | None = None, seed: int = 0) -> dict:
    """Analytic gradient against central differences ``(L(p + h) - L(p - h)) / 2h`` ->
    ``{name: {"indices", "analytic", "numeric", "rel_error"}}``. With ``max_entries`` only that
    many entries of each parameter (chosen with ``seed``) are checked."""
    _, grads = backprop.two_layer_net_loss(
        X, y, *(params[k] for k in ("W1", "b1", "W2", "b2")), reg, activation)
    rng = np.random.default_rng(seed)
    result = {}
    for name in ("W1", "b1", "W2", "b2"):
        flat = np.array(params[name], dtype=np.float64).ravel()
        picks = np.arange(flat.size)
        if max_entries is not None and flat.size > max_entries:
            picks = np.sort(rng.choice(flat.size, max_entries, replace=False))
        numeric = np.array([_central_difference(X, y, params, name, i, h, reg, activation)
                            for i in picks])
        analytic = grads[name].ravel()[picks]
        result[name] = {"indices": picks, "analytic": analytic, "numeric": numeric,
                        "rel_error": rel_error(analytic, numeric)}
    return result


def _central_difference(X, y, params, name, i, h, reg, activation) -> float:
    def loss_with(delta):
        moved = dict(params)
        flat = np.array(params[name], dtype=np.float64).ravel()
        flat[i] += delta
        moved[name] = flat.reshape(np.shape(params[name]))
        return backprop.two_layer_net_loss(X, y, moved["W1"], moved["b1"], moved["W2"],
                                           moved["b2"], reg, activation)[0]
    return (loss_with(h) - loss_with(-h)) / (2 * h)
