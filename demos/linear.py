"""Linear classifiers (Lecture 2): multiclass SVM and softmax losses with gradients.

Contract (ARCHITECTURE.md): scores = ``X @ W + b`` with ``W`` (D, C), ``b`` (C,), ``X`` (N, D) and
``y`` (N,).

* ``svm_loss(W, b, X, y, reg=0.0, delta=1.0)`` -> ``(loss, dW, db)``: mean over examples of
  ``sum_{j != y_i} max(0, s_j - s_{y_i} + delta)`` plus ``reg * sum(W**2)``.
* ``softmax_loss(W, b, X, y, reg=0.0)`` -> ``(loss, dW, db)``: mean cross-entropy plus
  ``reg * sum(W**2)``, stable for scores of 1e4 and more.

The regularisation gradient is ``2 * reg * W`` (the derivative of ``reg * sum(W**2)``); ``b`` is not
regularised. The widget "linear-loss" is ``demos.widgets.linear``.
"""

from __future__ import annotations

import math

import numpy as np

from demos import checks

__all__ = ["scores", "svm_loss", "softmax_loss", "svm_variant_loss", "svm_from_scores",
           "softmax_from_scores", "train_step", "check_params", "check_data"]

# A small example: 12 points [x1, x2, label] of 3 classes in the plane, and a starting W (D=2, C=3)
# and b (one row, as the widget's matrix control holds it). The widget starts from it; the notebook
# computes on it.
DEFAULT_POINTS = [
    [0.5, 0.4, 0], [0.8, 0.3, 0], [0.3, 0.8, 0], [0.7, 0.7, 0],
    [-0.4, 0.3, 1], [-0.3, 0.7, 1], [-0.7, 0.2, 1], [-0.8, 0.6, 1],
    [0.3, -0.6, 2], [-0.2, -0.5, 2], [0.6, -0.3, 2], [-0.5, -0.7, 2],
]
DEFAULT_W = [[1.0, -1.0, 0.2], [0.6, 0.4, -1.0]]
DEFAULT_B = [[0.0, 0.1, -0.1]]


# ---------------------------------------------------------------------------------------------
# Checks.
# ---------------------------------------------------------------------------------------------

def check_params(W, b) -> tuple[np.ndarray, np.ndarray]:
    """W (D, C), b (C,) as finite float arrays; Korean ValueError / TypeError otherwise."""
    W = checks.float_array(W, "W", 2)
    b = checks.float_array(b, "b", 1)
    if W.shape[1] == 0:
        raise ValueError("W에 클래스(열)가 하나 이상 있어야 합니다.")
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b의 길이({b.shape[0]})가 W의 클래스 수({W.shape[1]})와 다릅니다. "
                         f"W는 (D, C), b는 (C,) 모양이어야 합니다.")
    return W, b


def check_data(X, y, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """X (N, D) with N >= 1 and D rows of the checked W (D, C), y (N,) int labels in [0, C)."""
    X = checks.float_array(X, "X", 2)
    if X.shape[0] == 0:
        raise ValueError("데이터가 비어 있습니다. 점을 하나 이상 넣으세요.")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X의 차원({X.shape[1]})이 W의 행 수({W.shape[0]})와 다릅니다. "
                         f"X는 (N, D), W는 (D, C) 모양이어야 합니다.")
    y = checks.labels(y, "y", X.shape[0])
    C = W.shape[1]
    if np.any((y < 0) | (y >= C)):
        raise ValueError(f"y의 label은 0 이상 {C - 1} 이하여야 합니다 (클래스 {C}개).")
    return X, y


def _checked(W, b, X, y):
    W, b = check_params(W, b)
    X, y = check_data(X, y, W)
    return W, b, X, y


# ---------------------------------------------------------------------------------------------
# Losses.
# ---------------------------------------------------------------------------------------------

def scores(W, b, X) -> np.ndarray:
    """Class scores (N, C) = X (N, D) @ W (D, C) + b (C,)."""
    W, b = check_params(W, b)
    X = checks.float_array(X, "X", 2)
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
    reg = checks.real(reg, "reg", low=0)
    delta = checks.real(delta, "delta", low=0)
    losses, dS = svm_from_scores(_scores(W, b, X), y, delta, variant)
    return _finish(losses, dS, W, X, reg)


def softmax_loss(W, b, X, y, reg: float = 0.0):
    """-> (loss, dW (D, C), db (C,)) of the softmax cross-entropy with L2 regularisation on W."""
    W, b, X, y = _checked(W, b, X, y)
    reg = checks.real(reg, "reg", low=0)
    losses, dS, _ = softmax_from_scores(_scores(W, b, X), y)
    return _finish(losses, dS, W, X, reg)


LOSSES = {"softmax": softmax_loss, "svm": svm_loss}


def train_step(W, b, X, y, loss: str = "softmax", lr: float = 0.1, reg: float = 0.0,
               delta: float = 1.0, variant: str = "ww") -> tuple[np.ndarray, np.ndarray]:
    """One step of gradient descent on ``loss`` -> (W - lr dW, b - lr db)."""
    if loss not in LOSSES:
        raise ValueError(f"loss는 'softmax' 또는 'svm'이어야 합니다 (받은 값: {loss!r}).")
    lr = checks.real(lr, "learning rate", low=0)
    if loss == "svm":
        _, dW, db = svm_variant_loss(W, b, X, y, reg, delta, variant)
    else:
        _, dW, db = softmax_loss(W, b, X, y, reg)
    W_new = np.asarray(W, dtype=np.float64) - lr * dW
    b_new = np.asarray(b, dtype=np.float64) - lr * db
    if not (np.all(np.isfinite(W_new)) and np.all(np.isfinite(b_new))):
        raise ValueError("학습이 발산했습니다. learning rate를 줄이세요.")
    return W_new, b_new
