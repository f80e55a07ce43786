"""Lecture 3: first-order optimizers (and Newton) on 2-D loss surfaces, and learning-rate schedules.

Every update rule is the one ``torch.optim`` implements, given the same gradients:

* ``"sgd"``       ``SGD(lr)`` (momentum 0). ``weight_decay`` is coupled: ``g += wd * p``.
* ``"momentum"``  ``SGD(lr, momentum=0.9)`` (dampening 0): ``b = mu * b + g; p -= lr * b``.
* ``"nesterov"``  ``SGD(lr, momentum=0.9, nesterov=True)``:
                  ``b = mu * b + g; p -= lr * (g + mu * b)``.
* ``"rmsprop"``   ``RMSprop(lr, alpha=0.99, eps=1e-8)`` (centered False, momentum 0):
                  ``v = alpha * v + (1 - alpha) * g**2; p -= lr * g / (sqrt(v) + eps)``.
* ``"adam"``      ``Adam(lr, betas=(0.9, 0.999), eps=1e-8)``, coupled ``weight_decay`` (default 0),
                  bias correction as the PyTorch docs: ``p -= lr * m_hat / (sqrt(v_hat) + eps)``.
* ``"adamw"``     ``AdamW`` (``weight_decay`` default 0.01), decoupled: ``p *= 1 - lr * wd``
                  *before* the Adam step, which then sees the plain gradient.
* ``"newton"``    second-order reference, not a torch optimizer: ``p -= lr * H^{-1} g`` with the
                  analytic Hessian (``lr = 1`` is Newton's method); ``weight_decay`` adds
                  ``wd/2 * |p|^2`` to the loss (``g += wd p``, ``H += wd I``).

Hyperparameter names (``**hyper``) are shared by all optimizers; the ones that do not apply to an
optimizer are ignored, so one set of settings can drive every run: ``momentum`` (0.9 for
momentum / nesterov; plain ``"sgd"`` always uses 0), ``alpha`` (0.99), ``beta1`` (0.9), ``beta2``
(0.999), ``eps`` (1e-8), ``weight_decay`` (0, AdamW 0.01), ``schedule`` (see ``lr_schedule``) with
``step_size``, ``gamma``, ``warmup``, and ``noise`` / ``seed`` (mini-batch-like gradient noise).
Unknown names raise TypeError; bad values raise ValueError, both in Korean.

Public API: ``SURFACES``, ``lr_schedule``, ``trajectory`` (the design contract), ``run`` (several
optimizers at once, with divergence reports), ``recommended_lr``, ``regularized_minimum`` and the
widgets ``optim`` and ``lr-schedule``.

Divergence. A run stops at the first update whose result is NaN / inf or leaves a generous box
around the surface's plotting window (``Surface.bound``); a Newton run also stops when the Hessian
is singular. Only that run stops. ``run`` reports it explicitly (``stopped_at`` and a Korean
``message``, points cut at the last good one); ``trajectory`` keeps the contract shape
``(steps + 1, 2)`` and fills the rows after the stop with NaN.

Gradient noise. With ``noise > 0`` every gradient gets ``noise * surface.noise_scale * z_t`` added,
``z_t ~ N(0, I)`` drawn once per step from ``np.random.default_rng(seed)``: every optimizer sees the
same noise sequence (the same "mini-batches"), so runs are reproducible and comparable.
"""

from __future__ import annotations

import functools
import math as _math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from demos import raster
from demos import widget as w

__all__ = ["Surface", "SURFACES", "OPTIMIZERS", "METHODS", "SCHEDULES", "lr_schedule", "trajectory",
           "run", "recommended_lr", "regularized_minimum", "WIDGETS"]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
METHODS = OPTIMIZERS + ("newton",)
SCHEDULES = ("constant", "step", "linear", "cosine", "warmup_cosine", "inv_sqrt")
MAX_STEPS = 10_000

NAMES = {"sgd": "SGD", "momentum": "SGD + Momentum", "nesterov": "Nesterov", "rmsprop": "RMSProp",
         "adam": "Adam", "adamw": "AdamW", "newton": "Newton"}


# ---------------------------------------------------------------------------------------------
# Surfaces: f(x, y), its gradient (..., 2) and Hessian (..., 2, 2), all analytic and vectorised.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface. ``f(x, y)`` broadcasts over arrays; ``grad(x, y)`` -> ``(..., 2)``;
    ``hessian(x, y)`` -> ``(..., 2, 2)``. ``window = ((xmin, xmax), (ymin, ymax))`` is the plotted
    area, ``minima`` the global minimisers (value ``f_min``). ``lr_sgd`` / ``lr_adaptive`` are
    learning rates that work from ``start`` for the SGD family and for RMSProp / Adam / AdamW, and
    ``steps`` a number of steps worth watching; ``noise_scale`` is a typical gradient size, the
    unit of the ``noise`` setting."""
    name: str
    label: str
    tex: str
    f: Callable
    grad: Callable
    hessian: Callable
    window: tuple
    start: tuple
    minima: tuple
    f_min: float
    lr_sgd: float
    lr_adaptive: float
    noise_scale: float = 1.0
    steps: int = 200
    note: str = ""

    @property
    def bound(self) -> tuple:
        """A box 10 window-widths wide on each side: leaving it counts as divergence."""
        (x0, x1), (y0, y1) = self.window
        wx, wy = x1 - x0, y1 - y0
        return (x0 - 10 * wx, x1 + 10 * wx), (y0 - 10 * wy, y1 + 10 * wy)


def _stack(*parts):
    """Components broadcasting to one shape (...) -> array (..., len(parts))."""
    shapes = [np.shape(part) for part in parts]
    if shapes.count(shapes[0]) < len(shapes):     # (the usual case, equal shapes, skips this)
        shapes[0] = np.broadcast_shapes(*shapes)
    out = np.empty(shapes[0] + (len(parts),))
    for i, part in enumerate(parts):
        out[..., i] = part
    return out


def _hess(fxx, fxy, fyy):
    """Hessian entries (...) -> array (..., 2, 2)."""
    entries = _stack(fxx, fxy, fxy, fyy)                # row by row: H_xx, H_xy, H_yx, H_yy
    return entries.reshape(entries.shape[:-1] + (2, 2))


# Ill-conditioned bowl: curvatures A and B (condition number 20), minimum at C.
_A, _B, _C = 0.2, 4.0, (1.0, 0.5)


def _quad_f(x, y):
    return 0.5 * (_A * (x - _C[0]) ** 2 + _B * (y - _C[1]) ** 2)


def _quad_grad(x, y):
    return _stack(_A * (x - _C[0]), _B * (y - _C[1]))


def _quad_hess(x, y):
    x = np.asarray(x, dtype=float)
    return _hess(np.full_like(x, _A), np.zeros_like(x), np.full_like(x, _B))


def _rosen_f(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def _rosen_grad(x, y):
    return _stack(-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2))


def _rosen_hess(x, y):
    x = np.asarray(x, dtype=float)
    return _hess(2 - 400 * y + 1200 * x ** 2, -400 * x, np.full_like(x, 200.0))


def _beale_terms(x, y):
    """Residuals r_k = c_k - x + x y^k, k = 1, 2, 3 (Beale = sum r_k^2)."""
    return 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3


def _beale_f(x, y):
    r1, r2, r3 = _beale_terms(x, y)
    return r1 ** 2 + r2 ** 2 + r3 ** 2


def _beale_grad(x, y):
    r1, r2, r3 = _beale_terms(x, y)
    dx = 2 * (r1 * (y - 1) + r2 * (y ** 2 - 1) + r3 * (y ** 3 - 1))
    dy = 2 * (r1 * x + r2 * 2 * x * y + r3 * 3 * x * y ** 2)
    return _stack(dx, dy)


def _beale_hess(x, y):
    # H = 2 sum_k (grad r_k grad r_k^T + r_k Hess r_k)
    r1, r2, r3 = _beale_terms(x, y)
    ax, ay = y - 1, x                       # grad r_1
    bx, by = y ** 2 - 1, 2 * x * y          # grad r_2
    cx, cy = y ** 3 - 1, 3 * x * y ** 2     # grad r_3
    fxx = 2 * (ax ** 2 + bx ** 2 + cx ** 2)
    fxy = 2 * (ax * ay + bx * by + cx * cy + r1 + r2 * 2 * y + r3 * 3 * y ** 2)
    fyy = 2 * (ay ** 2 + by ** 2 + cy ** 2 + r2 * 2 * x + r3 * 6 * x * y)
    return _hess(fxx, fxy, fyy)


def _saddle_f(x, y):
    return 0.5 * x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2


def _saddle_grad(x, y):
    return _stack(x, y ** 3 - y)


def _saddle_hess(x, y):
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return _hess(np.ones_like(x), np.zeros_like(x), 3 * y ** 2 - 1)


SURFACES: dict[str, Surface] = {
    "quadratic": Surface(
        name="quadratic", label="찌그러진 그릇 (ill-conditioned quadratic)",
        tex=r"f(x,y)=\tfrac12\left(0.2\,(x-1)^2+4\,(y-0.5)^2\right)",
        f=_quad_f, grad=_quad_grad, hessian=_quad_hess,
        window=((-4.0, 4.0), (-2.5, 2.5)), start=(-3.5, 2.0), minima=((1.0, 0.5),), f_min=0.0,
        lr_sgd=0.3, lr_adaptive=0.1, noise_scale=1.0,
        note="곡률이 방향마다 20배 다릅니다 (condition number 20): 가파른 y 방향은 진동하고 "
             "완만한 x 방향은 느리게 진행합니다."),
    "rosenbrock": Surface(
        name="rosenbrock", label="Rosenbrock (바나나 계곡)",
        tex=r"f(x,y)=(1-x)^2+100\,(y-x^2)^2",
        f=_rosen_f, grad=_rosen_grad, hessian=_rosen_hess,
        window=((-2.0, 2.0), (-1.0, 3.0)), start=(-1.2, 1.0), minima=((1.0, 1.0),), f_min=0.0,
        lr_sgd=1e-3, lr_adaptive=0.05, noise_scale=10.0, steps=500,
        note="좁고 휘어진 계곡: 계곡으로 떨어지는 것은 쉽지만 계곡을 따라 (1, 1)까지 가는 것은 "
             "어렵습니다."),
    "beale": Surface(
        name="beale", label="Beale",
        tex=r"f(x,y)=(1.5-x+xy)^2+(2.25-x+xy^2)^2+(2.625-x+xy^3)^2",
        f=_beale_f, grad=_beale_grad, hessian=_beale_hess,
        window=((-4.5, 4.5), (-4.5, 4.5)), start=(1.0, 1.4), minima=((3.0, 0.5),), f_min=0.0,
        lr_sgd=0.005, lr_adaptive=0.05, noise_scale=2.0,
        note="평평한 고원과 가파른 벽이 섞여 있어 gradient 크기가 수천 배 차이 납니다. "
             "Newton은 (0, 1)의 안장점(saddle point)으로 끌려갑니다."),
    "saddle": Surface(
        name="saddle", label="안장점 (saddle point)",
        tex=r"f(x,y)=\tfrac12x^2+\tfrac14y^4-\tfrac12y^2",
        f=_saddle_f, grad=_saddle_grad, hessian=_saddle_hess,
        window=((-2.0, 2.0), (-1.6, 1.6)), start=(-1.8, 0.001), minima=((0.0, 1.0), (0.0, -1.0)),
        f_min=-0.25, lr_sgd=0.1, lr_adaptive=0.05, noise_scale=0.3,
        note="(0, 0)은 안장점, 최솟값은 (0, ±1). y가 거의 0인 곳에서 출발하면 SGD는 안장점 근처에서 "
             "오래 머뭅니다. Newton은 안장점으로 곧장 갑니다 (Hessian이 y 방향으로 음수)."),
}


# ---------------------------------------------------------------------------------------------
# Validation helpers (Korean messages).
# ---------------------------------------------------------------------------------------------

def _real(value: Any, label: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"'{label}'에는 숫자를 넣어야 합니다 (입력값: {value!r}).")
    value = float(value)
    if not _math.isfinite(value):
        raise ValueError(f"'{label}'에는 유한한 숫자를 넣어야 합니다 (입력값: {value}).")
    return value


def _positive(value: Any, label: str) -> float:
    value = _real(value, label)
    if value <= 0:
        raise ValueError(f"'{label}'은(는) 0보다 커야 합니다 (입력값: {value:g}).")
    return value


def _unit(value: Any, label: str) -> float:
    """A decay / momentum coefficient in [0, 1)."""
    value = _real(value, label)
    if not 0 <= value < 1:
        raise ValueError(f"'{label}'은(는) 0 이상 1 미만이어야 합니다 (입력값: {value:g}).")
    return value


def _nonnegative(value: Any, label: str) -> float:
    value = _real(value, label)
    if value < 0:
        raise ValueError(f"'{label}'은(는) 0 이상이어야 합니다 (입력값: {value:g}).")
    return value


def _count(value: Any, label: str, low: int = 1, high: int = MAX_STEPS) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise TypeError(f"'{label}'에는 정수를 넣어야 합니다 (입력값: {value!r}).")
    if not _math.isfinite(float(value)) or float(value) != int(value):
        raise ValueError(f"'{label}'은(는) 정수여야 합니다 (입력값: {value}).")
    value = int(value)
    if not low <= value <= high:
        raise ValueError(f"'{label}'은(는) {low} 이상 {high} 이하의 정수여야 합니다 (입력값: {value}).")
    return value


def _surface(surface: Any) -> Surface:
    """A name in SURFACES or an object with ``f`` and ``grad`` (optionally the other fields)."""
    if isinstance(surface, str):
        if surface not in SURFACES:
            raise ValueError(f"'{surface}'라는 곡면(surface)이 없습니다. "
                             f"가능한 값: {', '.join(SURFACES)}.")
        return SURFACES[surface]
    if isinstance(surface, Surface):
        return surface
    if not (callable(getattr(surface, "f", None)) and callable(getattr(surface, "grad", None))):
        raise TypeError("surface에는 SURFACES의 이름이나 f(x, y)와 grad(x, y)를 가진 객체를 "
                        "넣어야 합니다.")
    inf = (-np.inf, np.inf)
    return Surface(name=getattr(surface, "name", "custom"),
                   label=getattr(surface, "label", "custom"),
                   tex=getattr(surface, "tex", ""), f=surface.f, grad=surface.grad,
                   hessian=getattr(surface, "hessian", None),
                   window=getattr(surface, "window", (inf, inf)),
                   start=getattr(surface, "start", (0.0, 0.0)),
                   minima=getattr(surface, "minima", ()), f_min=getattr(surface, "f_min", 0.0),
                   lr_sgd=getattr(surface, "lr_sgd", 0.01),
                   lr_adaptive=getattr(surface, "lr_adaptive", 0.01),
                   noise_scale=getattr(surface, "noise_scale", 1.0))


def _point(start: Any) -> np.ndarray:
    try:
        point = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"시작점(start)은 숫자 두 개 [x, y]여야 합니다 (입력값: {start!r}).") from None
    if point.shape != (2,):
        raise ValueError(f"시작점(start)은 숫자 두 개 [x, y]여야 합니다 (입력값: {start!r}).")
    if not np.isfinite(point).all():
        raise ValueError("시작점(start)에는 유한한 숫자를 넣어야 합니다.")
    return point


# ---------------------------------------------------------------------------------------------
# Learning-rate schedules: lr_t for the update t = 0 .. steps-1.
# ---------------------------------------------------------------------------------------------

SCHEDULE_HYPER = ("schedule", "step_size", "gamma", "warmup")


def lr_schedule(name: str = "constant", steps: int = 100, lr: float = 0.1, **hyper) -> np.ndarray:
    """Learning rate used by each update, as an array ``(steps,)``; update ``t`` (0-based) uses
    ``lr_t`` (a torch scheduler stepped once after every ``optimizer.step()``).

    * ``"constant"``: ``lr``.
    * ``"step"``: ``StepLR(step_size, gamma)``: ``lr * gamma ** (t // step_size)``; defaults
      ``step_size = max(1, steps // 3)``, ``gamma = 0.1`` (torch's default).
    * ``"linear"``: ``LinearLR(start_factor=1, end_factor=0, total_iters=steps)``:
      ``lr * (1 - t / steps)``.
    * ``"cosine"``: ``CosineAnnealingLR(T_max=steps, eta_min=0)``:
      ``lr * (1 + cos(pi t / steps)) / 2``.
    * ``"warmup_cosine"``: linear warm-up then cosine, as Hugging Face's
      ``get_cosine_schedule_with_warmup(num_warmup_steps=W, num_training_steps=steps)``:
      ``lr * t / W`` for ``t < W`` (so the first update has lr 0), then
      ``lr * (1 + cos(pi (t - W) / (steps - W))) / 2``; ``W = warmup``, default ``steps // 10``.
    * ``"inv_sqrt"``: inverse square root as in T5: ``lr * sqrt(W / max(t, W))``: flat for the
      first ``W = warmup`` updates (default ``max(1, steps // 10)``), then ``∝ 1 / sqrt(t)``.
    """
    extra = set(hyper) - {"step_size", "gamma", "warmup"}
    if extra:
        raise TypeError(f"lr_schedule에 알 수 없는 인자: {', '.join(sorted(extra))}.")
    if name not in SCHEDULES:
        raise ValueError(f"'{name}'라는 learning rate schedule이 없습니다. "
                         f"가능한 값: {', '.join(SCHEDULES)}.")
    steps = _count(steps, "steps")
    lr = _positive(lr, "learning rate")
    t = np.arange(steps, dtype=float)
    if name == "constant":
        factor = np.ones(steps)
    elif name == "step":
        step_size = _count(hyper.get("step_size", max(1, steps // 3)), "step_size")
        gamma = _positive(hyper.get("gamma", 0.1), "gamma")
        if gamma > 1:
            raise ValueError(f"'gamma'는 1 이하여야 합니다 (입력값: {gamma:g}).")
        factor = gamma ** (t // step_size)
    elif name == "linear":
        factor = 1 - t / steps
    elif name == "cosine":
        factor = (1 + np.cos(np.pi * t / steps)) / 2
    elif name == "warmup_cosine":
        warmup = _count(hyper.get("warmup", steps // 10), "warmup", low=0, high=steps - 1)
        progress = (t - warmup) / (steps - warmup)
        factor = np.where(t < warmup, t / max(warmup, 1), (1 + np.cos(np.pi * progress)) / 2)
    else:  # inv_sqrt
        warmup = _count(hyper.get("warmup", max(1, steps // 10)), "warmup", high=MAX_STEPS)
        factor = np.sqrt(warmup / np.maximum(t, warmup))
    return lr * factor


# ---------------------------------------------------------------------------------------------
# Update rules: one torch.optim step for k runs at once. p, g and the state are (k, 2); the
# hyperparameters are (k, 1) so that each row can have its own. SGD, RMSProp and Adam also take
# plain floats (one coordinate of one run, ``nesterov`` a bool): the simulation steps that way
# (see ``_simulate``), and the operations, hence the numbers, are the same.
# ---------------------------------------------------------------------------------------------

def _sqrt(x):
    """``np.sqrt`` for arrays, ``math.sqrt`` for a plain float (both correctly rounded)."""
    return _math.sqrt(x) if isinstance(x, float) else np.sqrt(x)


def _where(condition, a, b):
    """``np.where``, or ``a if condition else b`` when the condition is one bool."""
    if isinstance(condition, (bool, np.bool_)):
        return a if condition else b
    return np.where(condition, a, b)


def sgd_update(p, g, buf, lr, momentum, nesterov, weight_decay):
    """``torch.optim.SGD`` (dampening 0). Returns ``(p, buf)``.

    torch sets ``buf = g`` on the first step; with ``buf`` starting at 0 and dampening 0,
    ``momentum * 0 + g`` is the same number, so no special case is needed."""
    g = g + weight_decay * p
    buf = momentum * buf + g
    direction = _where(nesterov, g + momentum * buf, buf)
    return p - lr * direction, buf


def rmsprop_update(p, g, square_avg, lr, alpha, eps, weight_decay):
    """``torch.optim.RMSprop`` (centered False, momentum 0); eps is added *outside* the sqrt.
    Returns ``(p, square_avg)``."""
    g = g + weight_decay * p
    square_avg = alpha * square_avg + (1 - alpha) * g * g
    return p - lr * g / (_sqrt(square_avg) + eps), square_avg


def adam_update(p, g, m, v, t, lr, beta1, beta2, eps, l2, decay):
    """``torch.optim.Adam`` with ``weight_decay = l2`` (coupled: ``g += l2 p``, then divided by
    ``sqrt(v_hat)`` like the rest of the gradient) and ``decay = 0``, or ``torch.optim.AdamW`` with
    ``weight_decay = decay`` (decoupled: ``p *= 1 - lr decay`` before the step, never rescaled) and
    ``l2 = 0``. ``t`` is the 1-based step. Returns ``(p, m, v)``."""
    return _adam_step(p, g, m, v, 1 - beta1 ** t, 1 - beta2 ** t, lr, beta1, beta2, eps, l2,
                      decay)


def _adam_step(p, g, m, v, bias1, bias2, lr, beta1, beta2, eps, l2, decay):
    """``adam_update`` given its bias corrections ``bias1 = 1 - beta1 ** t`` and
    ``bias2 = 1 - beta2 ** t``. Split out so that the simulation, which steps on plain floats,
    can still take the powers with NumPy: NumPy's ``**`` (a vectorised pow on some CPUs) and
    Python's can differ in the last bit."""
    p = p * (1 - lr * decay)
    g = g + l2 * p
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / bias1
    v_hat = v / bias2
    return p - lr * m_hat / (_sqrt(v_hat) + eps), m, v


def newton_update(p, g, hessian, lr, weight_decay):
    """Damped Newton ``p -= lr * (H + wd I)^{-1} (g + wd p)`` solved in closed form for 2x2.
    ``hessian`` is (k, 2, 2). Returns ``(p, singular)`` with ``singular`` (k,) bool: there the step
    is not taken (``p`` unchanged)."""
    g = g + weight_decay * p
    a = hessian[:, 0, 0] + weight_decay[:, 0]
    b = hessian[:, 0, 1]
    c = hessian[:, 1, 0]
    d = hessian[:, 1, 1] + weight_decay[:, 0]
    det = a * d - b * c
    scale = np.maximum(np.abs(hessian).max(axis=(1, 2)), 1.0)
    singular = ~(np.abs(det) > 1e-12 * scale ** 2)      # also catches NaN
    safe = np.where(singular, 1.0, det)
    step = np.stack([d * g[:, 0] - b * g[:, 1], a * g[:, 1] - c * g[:, 0]], axis=1) / safe[:, None]
    return np.where(singular[:, None], p, p - lr * step), singular


# ---------------------------------------------------------------------------------------------
# Running several optimizers side by side.
# ---------------------------------------------------------------------------------------------

OPTIMIZER_HYPER = ("momentum", "alpha", "beta1", "beta2", "eps", "weight_decay")


def _per_method(value: Any, method: str, default: Any) -> Any:
    """``value`` may be one setting for every method or a dict ``{method: setting}``."""
    if isinstance(value, dict):
        return value.get(method, default)
    return default if value is None else value


def _settings(method: str, hyper: dict) -> dict:
    """Resolved, validated hyperparameters of one method (torch defaults where not given)."""
    get = lambda key, default: _per_method(hyper.get(key), method, default)  # noqa: E731
    momentum = _unit(get("momentum", 0.9), "momentum")
    if method == "sgd":
        momentum = 0.0
    if method == "nesterov" and momentum == 0:
        raise ValueError("Nesterov momentum에는 0보다 큰 momentum이 필요합니다 (PyTorch와 같음).")
    return {
        "momentum": momentum,
        "nesterov": method == "nesterov",
        "alpha": _unit(get("alpha", 0.99), "alpha"),
        "beta1": _unit(get("beta1", 0.9), "beta1"),
        "beta2": _unit(get("beta2", 0.999), "beta2"),
        "eps": _positive(get("eps", 1e-8), "eps"),
        "weight_decay": _nonnegative(get("weight_decay", 0.01 if method == "adamw" else 0.0),
                                     "weight_decay"),
        "decoupled": method == "adamw",
    }


def recommended_lr(surface: Any, method: str) -> float:
    """A learning rate that works from the surface's start: ``lr_sgd`` for the SGD family,
    ``lr_adaptive`` for RMSProp / Adam / AdamW, 1 for Newton."""
    surface = _surface(surface)
    if method == "newton":
        return 1.0
    return surface.lr_sgd if _rule(method) == "sgd" else surface.lr_adaptive


def _rule(method: str) -> str:
    return {"momentum": "sgd", "nesterov": "sgd", "adamw": "adam"}.get(method, method)


def _gradient(surface: Surface, p: np.ndarray) -> np.ndarray:
    """Gradients at the rows of ``p`` (n, 2) -> (n, 2); a foreign surface may return (dx, dy)."""
    g = surface.grad(p[:, 0], p[:, 1])
    if isinstance(g, (tuple, list)):
        g = _stack(*g)
    return np.asarray(g, dtype=float).reshape(len(p), 2)


def _hyper(rule: str, s: dict) -> tuple:
    """The settings ``s`` of one run as the arguments its update function takes after ``lr``."""
    if rule == "sgd":
        return s["momentum"], s["nesterov"], s["weight_decay"]
    if rule == "rmsprop":
        return s["alpha"], s["eps"], s["weight_decay"]
    decoupled = float(s["decoupled"])     # Adam: coupled L2 (l2); AdamW: decoupled decay
    return (s["beta1"], s["beta2"], s["eps"], s["weight_decay"] * (1 - decoupled),
            s["weight_decay"] * decoupled)


def _stops(points: np.ndarray, singular: np.ndarray, bound: tuple):
    """The update that stopped each run, found from the raw paths after the loop.

    ``points`` (k + 1, n, 2) holds the start and the results of updates 1 .. k, ``singular``
    (k, n) the updates that met a singular Hessian (they leave p where it was). Returns
    ``stopped_at`` (n,) int (the first such update, 1-based; -1 = none) and ``why`` (n,) str:
    "", "singular", or "diverged" (NaN / inf, or outside ``bound``); singular wins a tie."""
    (bx0, bx1), (by0, by1) = bound
    x, y = points[1:, :, 0], points[1:, :, 1]
    diverged = ((x < bx0) | (x > bx1) | (y < by0) | (y > by1)
                | ~np.isfinite(points[1:]).all(axis=2))
    bad = singular | diverged
    stopped_at = np.full(points.shape[1], -1)
    why = np.array([""] * points.shape[1], dtype=object)
    for i in np.flatnonzero(bad.any(axis=0)):
        t = int(bad[:, i].argmax())                 # the first bad update of run i
        stopped_at[i] = t + 1
        why[i] = "singular" if singular[t, i] else "diverged"
    return stopped_at, why


def _simulate(surface: Surface, methods: list[str], start: np.ndarray, steps: int,
              lrs: np.ndarray, settings: list[dict], noise: float, seed: int):
    """Runs ``len(methods)`` optimizers from ``start`` in lock-step (one gradient call per step).

    ``lrs`` is ``(n, steps)``. Returns ``points (steps + 1, n, 2)`` (NaN after a stop),
    ``stopped_at`` (n,) int (-1 = ran to the end) and ``why`` (n,) str: "", "diverged" or
    "singular".

    The first-order rules step on plain floats, one coordinate at a time: a step changes only
    2n numbers, and with arrays NumPy's fixed cost per call (a dozen calls per rule) would be
    most of the time. Floats do the same IEEE operations, so the numbers are the same. NumPy
    keeps what it is good at: the surface's gradient (all runs in one call), Newton's 2x2
    solves, Adam's powers ``beta ** t`` (see ``_adam_step``) and the divergence bookkeeping,
    done on the finished paths (``_stops``): the runs are independent, so a stopped run can
    keep going unrecorded.
    """
    n = len(methods)
    rules = [_rule(m) for m in methods]
    if "newton" in rules and surface.hessian is None:
        raise ValueError("이 곡면에는 Hessian이 없어 Newton 방법을 쓸 수 없습니다.")
    # A first-order rule treats each coordinate on its own: one "lane" per run and coordinate,
    # lane j = 2i + c is coordinate c of run i (the order of a flattened (n, 2) row).
    lanes = [(2 * i + c, i, rule, _hyper(rule, s))
             for i, (rule, s) in enumerate(zip(rules, settings)) if rule != "newton"
             for c in (0, 1)]
    newton = slice(n - rules.count("newton"), n)            # METHODS order: Newton comes last
    newton_decay = np.array([[s["weight_decay"]] for s in settings[newton]])     # (k, 1)
    betas = np.array([[s["beta1"], s["beta2"]] for s in settings])              # (n, 2)
    # bias_at[t][i] = [1 - beta1 ** (t + 1), 1 - beta2 ** (t + 1)] of run i (see _adam_step)
    bias_at = (1 - betas ** np.arange(1.0, steps + 1)[:, None, None]).tolist() \
        if "adam" in rules else None
    lr_at = lrs.T.tolist()                       # lr_at[t][i]: learning rate of run i's update t

    rng = np.random.default_rng(seed)
    kicks = noise * surface.noise_scale * rng.standard_normal((steps, 2)) if noise > 0 else None

    points = np.full((steps + 1, n, 2), np.nan)
    points[0] = start
    flat = points.reshape(steps + 1, 2 * n)      # a view: flat[t] is points[t] lane by lane
    new = flat[0].tolist()                       # the last row, as floats
    first, second = [0.0] * 2 * n, [0.0] * 2 * n  # per lane: momentum buffer or m; v
    singular = np.zeros((steps, n), dtype=bool)             # update t met a singular Hessian
    check = 16                                              # when to look for "all stopped"
    with np.errstate(all="ignore"):
        for t in range(steps):
            p = points[t]
            g = _gradient(surface, p)
            if kicks is not None:
                g = g + kicks[t]
            bias = bias_at and bias_at[t]
            lr, p_lane, g_lane, new = lr_at[t], new, g.ravel().tolist(), []
            for j, i, rule, hyper in lanes:
                if rule == "sgd":
                    q, first[j] = sgd_update(p_lane[j], g_lane[j], first[j], lr[i], *hyper)
                elif rule == "rmsprop":
                    q, second[j] = rmsprop_update(p_lane[j], g_lane[j], second[j], lr[i],
                                                  *hyper)
                else:  # adam / adamw
                    q, first[j], second[j] = _adam_step(p_lane[j], g_lane[j], first[j],
                                                        second[j], *bias[i], lr[i], *hyper)
                new.append(q)
            if "newton" in rules:
                r = newton
                hess = np.asarray(surface.hessian(p[r, 0], p[r, 1]), dtype=float).reshape(-1, 2, 2)
                q, singular[t, r] = newton_update(p[r], g[r], hess, lrs[r, t:t + 1], newton_decay)
                new += q.ravel().tolist()
            flat[t + 1] = new
            if t + 1 == check:      # stop early once every run has stopped; checking after 16,
                check *= 2          # 32, 64, ... steps keeps the checks' total cost linear
                if (_stops(points[:t + 2], singular[:t + 1], surface.bound)[0] > 0).all():
                    break
    stopped_at, why = _stops(points[:t + 2], singular[:t + 1], surface.bound)
    for i in np.flatnonzero(stopped_at > 0):
        points[stopped_at[i]:, i] = np.nan                  # a stopped run is not recorded
    return points, stopped_at, why


def _prepare(surface, methods, start, steps, lr, hyper):
    """Validates what ``run`` / ``trajectory`` take; returns the pieces ``_simulate`` needs."""
    known = set(OPTIMIZER_HYPER) | set(SCHEDULE_HYPER) | {"noise", "seed"}
    extra = set(hyper) - known
    if extra:
        raise TypeError(f"알 수 없는 hyperparameter: {', '.join(sorted(extra))}. "
                        f"가능한 이름: {', '.join(sorted(known))}.")
    surface = _surface(surface)
    if not isinstance(methods, (list, tuple)):
        raise TypeError("optimizers에는 optimizer 이름의 목록을 넣어야 합니다 (예: ['sgd', 'adam']).")
    if not methods:
        raise ValueError("optimizer를 하나 이상 고르세요.")
    for method in methods:
        if method not in METHODS:
            raise ValueError(f"'{method}'라는 optimizer가 없습니다. 가능한 값: {', '.join(METHODS)}.")
    methods = [m for m in METHODS if m in methods]     # canonical order: one slice per rule
    start = _point(start)
    steps = _count(steps, "steps")
    noise = _nonnegative(hyper.get("noise", 0.0), "noise")
    seed = _count(hyper.get("seed", 0), "seed", low=0, high=2 ** 32 - 1)
    schedule = hyper.get("schedule", "constant")
    sched = {k: hyper[k] for k in ("step_size", "gamma", "warmup") if k in hyper}
    rows = []
    for method in methods:
        rate = _per_method(lr, method, recommended_lr(surface, method))
        if method == "newton":   # Newton's step size is not scheduled
            rows.append(np.full(steps, _positive(rate, "learning rate")))
        else:
            rows.append(lr_schedule(schedule, steps, rate, **sched))
    settings = [_settings(m, hyper) for m in methods]
    return surface, methods, start, steps, np.array(rows), settings, noise, seed


def run(surface, optimizers, start=None, steps: int = 200, lr=None, **hyper) -> dict:
    """Runs several optimizers from the same start with the same gradients (and noise).

    ``optimizers`` is a list of names in ``METHODS``; ``start`` defaults to the surface's start;
    ``lr`` (default ``recommended_lr``) and each optimizer hyperparameter may be one number or a
    dict ``{name: value}`` (missing names get the default).

    Returns ``{name: {"points": (k, 2), "loss": (k,), "lr": (steps,), "stopped_at": int | None,
    "reason": str | None, "message": str | None}}`` in the order of ``optimizers``. A finished
    run has ``stopped_at = None`` and ``k = steps + 1`` points (the start first). A stopped run has
    ``stopped_at = s``: update ``s`` (1-based) diverged (``reason = "diverged"``: NaN / inf / left
    ``surface.bound``) or met a singular Hessian (``reason = "singular"``); ``points`` then holds
    the ``s`` good points ``p_0 .. p_{s-1}`` and ``message`` says so in Korean.
    """
    surf = _surface(surface)
    start = surf.start if start is None else start
    surf, methods, start, steps, lrs, settings, noise, seed = _prepare(surf, optimizers, start,
                                                                       steps, lr, hyper)
    points, stopped_at, why = _simulate(surf, methods, start, steps, lrs, settings, noise, seed)
    with np.errstate(all="ignore"):
        losses = surf.f(points[..., 0], points[..., 1])
    out = {}
    for method in dict.fromkeys(optimizers):        # the caller's order
        i = methods.index(method)
        stop = int(stopped_at[i])
        end = steps + 1 if stop < 0 else stop
        message = None
        if why[i] == "diverged":
            message = (f"{NAMES[method]}: {stop}번째 update에서 발산(diverged)해 멈췄습니다 "
                       f"(값이 NaN/inf가 되었거나 그림 영역에서 너무 멀리 벗어남). "
                       f"learning rate를 줄여 보세요.")
        elif why[i] == "singular":
            message = (f"{NAMES[method]}: {stop}번째 update에서 Hessian이 특이(singular) 행렬이라 "
                       f"역행렬을 구할 수 없어 멈췄습니다.")
        out[method] = {"points": points[:end, i], "loss": losses[:end, i], "lr": lrs[i],
                       "stopped_at": None if stop < 0 else stop, "reason": why[i] or None,
                       "message": message}
    return out


def trajectory(surface, optimizer: str, start, steps: int, lr: float, **hyper) -> np.ndarray:
    """Points visited by one optimizer: array ``(steps + 1, 2)``, ``start`` first.

    If the run stops early (divergence, or a singular Hessian for ``"newton"``) the rows after the
    last good point are NaN; ``run`` gives the step and a Korean message."""
    surf, methods, start, steps, lrs, settings, noise, seed = _prepare(surface, [optimizer], start,
                                                                       steps, lr, hyper)
    points, _, _ = _simulate(surf, methods, start, steps, lrs, settings, noise, seed)
    return points[:, 0]


def regularized_minimum(surface, weight_decay: float):
    """Minimiser of ``f(p) + weight_decay / 2 * |p|^2`` (where L2-regularised runs converge) found
    by Newton's method from each known minimum -> array (2,), or None if no local minimum was
    found (e.g. a surface without Hessian)."""
    surface = _surface(surface)
    wd = _nonnegative(weight_decay, "weight_decay")
    if surface.hessian is None:
        return None
    best, best_value = None, np.inf
    eye = np.eye(2)
    with np.errstate(all="ignore"):
        for minimum in surface.minima:
            p = np.array(minimum, dtype=float)
            for _ in range(100):
                g = np.asarray(surface.grad(p[0], p[1]), dtype=float).reshape(2) + wd * p
                h = np.asarray(surface.hessian(p[0], p[1]), dtype=float).reshape(2, 2) + wd * eye
                if np.linalg.cond(h) > 1e12 or not np.isfinite(g).all():
                    break
                p = p - np.linalg.solve(h, g)
                if np.abs(g).max() < 1e-13:
                    break
            h = np.asarray(surface.hessian(p[0], p[1]), dtype=float).reshape(2, 2) + wd * eye
            value = float(surface.f(p[0], p[1]) + wd / 2 * p @ p)
            ok = np.isfinite(value) and np.all(np.linalg.eigvalsh(h) > 0)
            if ok and value < best_value:
                best, best_value = p, value
    return best


# ---------------------------------------------------------------------------------------------
# Formulas: PyTorch's form, the author's line from the notes, and the difference in one sentence.
# ---------------------------------------------------------------------------------------------

# Each formula is a list of short lines (one update each) so that it fits a phone screen.
FORMULAS = {
    "sgd": ([r"\hat g = g + \lambda p", r"p \leftarrow p - \eta\,\hat g"],
            "노트: x -= learning_rate * dx. PyTorch SGD와 같은 식입니다. g는 gradient, ĝ = g + λp는 "
            "weight decay λ를 gradient에 더한 것 (L2, AdamW만 빼고 모두 이 방식)."),
    "momentum": ([r"b \leftarrow \mu\, b + \hat g", r"p \leftarrow p - \eta\, b"],
                 "노트: vx = rho * vx + dx; x -= learning_rate * vx. PyTorch와 같은 식입니다 "
                 "(rho = μ, dampening 0). 슬라이드의 v = mu*v - lr*dx; x += v 형태는 learning rate가 "
                 "일정할 때만 같고, schedule로 lr을 바꾸면 달라집니다."),
    "nesterov": ([r"b \leftarrow \mu\, b + \hat g", r"p \leftarrow p - \eta\,(\hat g + \mu\, b)"],
                 "노트: 기울기를 '이동할 곳'에서 구하는 방식. PyTorch는 변수를 바꿔 (p̃ = p − ημb) "
                 "현재 점의 gradient만으로 같은 look-ahead 업데이트를 계산합니다."),
    "rmsprop": ([r"v \leftarrow \alpha\, v + (1-\alpha)\, \hat g^2",
                 r"p \leftarrow p - \eta\,\frac{\hat g}{\sqrt{v} + \epsilon}"],
                "노트: grad_squared = decay_rate * grad_squared + (1 - decay_rate) * dx * dx; "
                "x -= learning_rate * dx / (np.sqrt(grad_squared) + 1e-7). 같은 식이며 "
                "(decay_rate = α, PyTorch 기본 0.99), ε도 똑같이 √ 밖에 더하지만 PyTorch 기본값은 "
                "1e-7이 아니라 1e-8입니다."),
    "adam": ([r"m \leftarrow \beta_1 m + (1-\beta_1)\, \hat g",
              r"v \leftarrow \beta_2 v + (1-\beta_2)\, \hat g^2",
              r"\hat m = m / (1-\beta_1^t)", r"\hat v = v / (1-\beta_2^t)",
              r"p \leftarrow p - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}"],
             "노트: first_moment, second_moment와 bias correction (first_unbias, second_unbias). "
             "같은 식이며 ε은 √v̂ 뒤에 더합니다 (노트 1e-7, PyTorch 기본 1e-8). Adam의 weight decay는 "
             "gradient에 λp를 더하는 L2라서 λp도 √v̂로 나뉩니다."),
    "adamw": ([r"p \leftarrow (1 - \eta\lambda)\, p",
               r"m \leftarrow \beta_1 m + (1-\beta_1)\, g",
               r"v \leftarrow \beta_2 v + (1-\beta_2)\, g^2",
               r"\hat m = m / (1-\beta_1^t)", r"\hat v = v / (1-\beta_2^t)",
               r"p \leftarrow p - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}"],
              "노트 Q&A의 답: λp가 √v̂ scaling을 받지 않도록 learning_rate * lambda * w를 따로 "
              "빼는 것과 같습니다 (PyTorch AdamW는 Adam step보다 먼저 p에 1 − ηλ를 곱함, 기본 "
              "λ = 0.01)."),
    "newton": ([r"p \leftarrow p - \eta\,(H + \lambda I)^{-1}(g + \lambda p)"],
               "노트 8번: 이차 근사의 최솟값으로 바로 이동합니다 (η = 1). 여기서는 2×2라 역행렬이 "
               "싸지만, parameter가 N개면 Hessian은 N×N이고 풀이는 O(N³)입니다."),
}

SCHEDULE_FORMULAS = {
    "constant": ([r"\eta_t = \eta"], "고정 learning rate."),
    "step": ([r"\eta_t = \eta\,\gamma^{\lfloor t / s \rfloor}"],
             "StepLR: s (step_size) update마다 γ배."),
    "linear": ([r"\eta_t = \eta\,(1 - t/T)"],
               "LinearLR(start_factor=1, end_factor=0, total_iters=T)."),
    "cosine": ([r"\eta_t = \tfrac{\eta}{2}\left(1 + \cos\tfrac{\pi t}{T}\right)"],
               "CosineAnnealingLR(T_max=T, eta_min=0)."),
    "warmup_cosine": ([r"\eta_t = \eta\,t / W \quad (t < W)",
                       r"\eta_t = \tfrac{\eta}{2}\left(1 + \cos\tfrac{\pi (t-W)}{T-W}\right)"
                       r"\quad (t \ge W)"],
                      "Linear warm-up 뒤 cosine (Hugging Face "
                      "get_cosine_schedule_with_warmup과 같음)."),
    "inv_sqrt": ([r"\eta_t = \eta\,\sqrt{W / \max(t, W)}"],
                 "Inverse square root (T5 방식): W update 동안 일정, 그 뒤 1/√t로 감소."),
}


def _formula_tex(title: str, lines: list[str]) -> str:
    """A bold title over one centred line per update (narrow enough for a phone)."""
    return (r"\begin{gathered}\textbf{" + title + r"}\\ " + r"\\ ".join(lines)
            + r"\end{gathered}")


SCHEDULE_LABELS = {"constant": "constant (고정)", "step": "step (계단식)", "linear": "linear (선형 감소)",
                   "cosine": "cosine", "warmup_cosine": "linear warm-up + cosine",
                   "inv_sqrt": "inverse sqrt"}

COLORS = {"sgd": "#e6194b", "momentum": "#3cb44b", "nesterov": "#f58231", "rmsprop": "#4363d8",
          "adam": "#911eb4", "adamw": "#42d4f4", "newton": "#9a6324"}


# ---------------------------------------------------------------------------------------------
# Figures (plain Plotly dicts: transparent backgrounds, font colour left to the host).
# ---------------------------------------------------------------------------------------------

def _layout(title: str, height: int, **extra) -> dict:
    layout = {"title": {"text": title, "font": {"size": 14}}, "height": height, "autosize": True,
              "margin": {"l": 50, "r": 12, "t": 36, "b": 40},
              "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
              "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
              "hovermode": "closest"}
    layout.update(extra)
    for axis in ("xaxis", "yaxis"):       # faint grid: readable on light and dark pages
        layout[axis] = {"gridcolor": "rgba(128,128,128,0.25)",
                        "zerolinecolor": "rgba(128,128,128,0.5)", "tickangle": 0,
                        "ticklabeloverflow": "allow", **layout.get(axis, {})}
    return layout


def _significant(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits (what a chart shows; shorter JSON).
    Zeros and non-finite values stay as they are."""
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(values))))
        rounded = np.round(values * scale) / scale
    return np.where(np.isfinite(rounded), rounded, values)


def _vline(x: float) -> dict:
    """A dotted vertical line at step ``x`` (where the scrubber is)."""
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
            "line": {"color": "#888", "dash": "dot"}}


CONTOUR_PIXELS = 400        # the picture's longer side: about its size on a desktop screen
CONTOUR_LEVELS = 18
CONTOUR_COLORS = ("#5b7fa6", "#b08d6a")     # lowest and highest level
CONTOUR_SHADES = 8          # opacity steps of a line's anti-aliased edge


def _log_gap(surface: Surface, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """log10(f - f*) on the grid xs (nx,) x ys (ny,) -> (ny, nx), row 0 at ys[0]."""
    with np.errstate(all="ignore"):
        gap = surface.f(xs[None, :], ys[:, None]) - surface.f_min
    return np.log10(np.maximum(gap, 1e-12))


@functools.lru_cache(maxsize=None)
def _contour_image(surface_name: str) -> dict:
    """The surface's level lines as a picture under the paths (a Plotly layout image, see
    demos.raster; computed once per surface, so moving a slider does not redraw them).

    The levels are CONTOUR_LEVELS + 1 equally spaced values of log10(f - f*) between its 1% and
    99% quantiles over the window: log-spaced levels of the loss, so both the valley floor and the
    walls get lines. With s the level coordinate (the lines are where s is a whole number), a
    pixel's distance to the nearest line is about |s - round(s)| / |grad s| pixels; the line's
    opacity falls from 1 to 0 over one pixel of that distance, which draws it smooth. Colours are
    a palette of (level, opacity step) pairs: one byte per pixel, a few kilobytes compressed.
    """
    surface = SURFACES[surface_name]
    (x0, x1), (y0, y1) = surface.window
    # The levels from a coarse grid: quantiles of a 60 x 60 sample are the same to the eye.
    lo, hi = np.quantile(_log_gap(surface, np.linspace(x0, x1, 60), np.linspace(y0, y1, 60)),
                         [0.01, 0.99])
    scale = CONTOUR_PIXELS / max(x1 - x0, y1 - y0)                       # pixels per unit
    nx, ny = round((x1 - x0) * scale), round((y1 - y0) * scale)
    s = (_log_gap(surface, x0 + (np.arange(nx) + 0.5) / scale, y0 + (np.arange(ny) + 0.5) / scale)
         - lo) * (CONTOUR_LEVELS / (hi - lo))                            # lines at s = 0 .. 18
    steepness = np.hypot(*np.gradient(s))                                # |grad s| per pixel
    distance = np.abs(s - np.round(s)) / np.maximum(steepness, 1e-9)     # pixels to a line
    shade = np.round((CONTOUR_SHADES - 1) * np.clip(1.0 - distance, 0.0, 1.0)).astype(int)
    level = np.clip(np.round(s), 0, CONTOUR_LEVELS).astype(int)
    shade[(s < -0.5) | (s > CONTOUR_LEVELS + 0.5)] = 0
    low, high = (np.array(raster.hex_to_rgb(c), dtype=float) for c in CONTOUR_COLORS)
    mix = np.arange(CONTOUR_LEVELS + 1)[:, None, None] / CONTOUR_LEVELS   # (levels, 1, 1)
    palette = np.empty((CONTOUR_LEVELS + 1, CONTOUR_SHADES, 4))
    palette[..., :3] = (1 - mix) * low + mix * high
    palette[..., 3] = 255 * 0.85 * np.arange(CONTOUR_SHADES) / (CONTOUR_SHADES - 1)
    return raster.palette_image(level * CONTOUR_SHADES + shade,
                                np.round(palette.reshape(-1, 4)).astype(np.uint8),
                                (x0, x1), (y0, y1))


def _landmark_looks(reg_points: dict) -> list[tuple[str, str, str, int]]:
    """(label, marker symbol, colour, size) of the start, the minima and each L2-regularised
    minimum (one per weight decay in ``reg_points``): the path plot draws them so (_landmarks) and
    its legend names them so (_path_legend)."""
    return ([("시작점", "circle-open", "#888", 12), ("최솟값 ★", "star", "#ffd700", 15)]
            + [(f"L2 최솟값 (λ={wd:g}) ◆", "diamond", "#aaa", 11) for wd in reg_points])


def _landmarks(start, minima, reg_points: dict) -> dict:
    """The start, the minima and the L2-regularised minima as one marker trace; their names are
    in the HTML legend and on hover."""
    start_look, minimum_look, *l2_looks = _landmark_looks(reg_points)
    marks = ([(start_look, start)] + [(minimum_look, point) for point in minima]
             + list(zip(l2_looks, reg_points.values())))
    looks, points = zip(*marks)
    names, symbols, colors, sizes = zip(*looks)
    return {"type": "scatter", "mode": "markers", "name": "기준점", "showlegend": False,
            "x": [float(p[0]) for p in points], "y": [float(p[1]) for p in points],
            "customdata": list(names),
            "marker": {"symbol": list(symbols), "size": list(sizes), "color": list(colors),
                       "line": {"width": 1, "color": "#888"}},
            "hovertemplate": "%{customdata}: (%{x:.3f}, %{y:.3f})<extra></extra>"}


def _hover(method: str) -> str:
    return f"{NAMES[method]}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>"


def _path_figure(surface: Surface, results: dict, shown: int, start, reg_points: dict) -> dict:
    """The runs up to step ``shown`` over the level lines, in few traces (each costs the
    browser work on every update).

    The axes are fixed and, from one update of the widget to the next, usually only x and y
    change (the host keeps arrays whose values are the same). With ``layout.transition`` Plotly
    then moves the traces in place instead of redrawing the whole figure (axes, hover and drag
    layers). (Not for the loss chart: its log axis rescales with the data, and a transition of
    axis ranges waits for an animation frame.)"""
    data = []
    for method, res in results.items():
        pts = res["points"][:shown + 1]
        data.append({"type": "scatter", "mode": "lines", "x": pts[:, 0].round(5),
                     "y": pts[:, 1].round(5), "name": NAMES[method],
                     "line": {"color": COLORS[method], "width": 2,
                              "dash": "dash" if method == "newton" else "solid"},
                     "legendgroup": method,
                     "hovertemplate": _hover(method)})
    # Where each run is at the shown step (an x where it stopped): one trace for all of them.
    ends = [(method, res["points"][min(shown, len(res["points"]) - 1)].round(5),
             res["stopped_at"] is not None and shown >= len(res["points"]) - 1)
            for method, res in results.items()]
    data.append({"type": "scatter", "mode": "markers", "showlegend": False, "name": "현재 위치",
                 "x": [float(p[0]) for _, p, _ in ends], "y": [float(p[1]) for _, p, _ in ends],
                 "customdata": [NAMES[m] for m, _, _ in ends],
                 "marker": {"color": [COLORS[m] for m, _, _ in ends],
                            "size": [12 if stopped else 9 for _, _, stopped in ends],
                            "symbol": ["x" if stopped else "circle" for _, _, stopped in ends],
                            "line": {"width": 1, "color": "#fff"}},
                 "hovertemplate": "%{customdata}<br>(%{x:.3f}, %{y:.3f})<extra></extra>"})
    data.append(_landmarks(start, surface.minima, reg_points))
    (x0, x1), (y0, y1) = surface.window
    layout = _layout("경로 (그림을 클릭/탭하면 시작점이 바뀝니다)", 420,
                     xaxis={"range": [x0, x1], "title": {"text": "x"}, "zeroline": False,
                            "constrain": "domain"},
                     yaxis={"range": [y0, y1], "title": {"text": "y"}, "zeroline": False,
                            "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"},
                     images=[_contour_image(surface.name)], showlegend=False,
                     transition={"duration": 0})
    return {"data": data, "layout": layout}


def _path_legend(results: dict, reg_points: dict) -> dict:
    """The path plot's legend (as HTML, see demos.widget.legend)."""
    items = [(NAMES[m], COLORS[m], "dash" if m == "newton" else "line") for m in results]
    items += [(label, colour, symbol) for label, symbol, colour, _ in _landmark_looks(reg_points)]
    return w.legend(items)


def _loss_figure(surface: Surface, results: dict, shown: int) -> dict:
    data = []
    for method, res in results.items():
        gap = np.maximum(res["loss"] - surface.f_min, 1e-16)
        data.append({"type": "scatter", "mode": "lines", "y": _significant(gap, 4),  # x: 0, 1, ..
                     "name": NAMES[method],
                     "line": {"color": COLORS[method], "width": 2},
                     "hovertemplate": f"{NAMES[method]}: step %{{x}}, %{{y:.3g}}<extra></extra>"})
    layout = _layout("loss − 최솟값 (log 눈금)", 300,
                     xaxis={"title": {"text": "step"}},
                     yaxis={"type": "log", "title": {"text": "f − f*"}, "exponentformat": "power"},
                     shapes=[_vline(shown)],
                     showlegend=False)
    return {"data": data, "layout": layout}


def _lr_figure(curves: dict, title: str, marker: int | None = None) -> dict:
    """``curves`` maps a label to (color, lr array (steps,)); several curves get a legend below
    (and no x-axis title, which the legend would cover on a phone)."""
    data = [{"type": "scatter", "mode": "lines", "y": _significant(values, 6), "name": label,
             "line": {"color": color, "width": 2, "shape": "hv"},
             "hovertemplate": f"{label}: update %{{x}}, lr=%{{y:.4g}}<extra></extra>"}
            for label, (color, values) in curves.items()]
    legend = len(curves) > 1
    layout = _layout(title, 360 if legend else 260,
                     xaxis={"title": {"text": "" if legend else "update t"}},
                     yaxis={"title": {"text": "η_t"}, "rangemode": "tozero"},
                     shapes=[] if marker is None else [_vline(marker)], showlegend=legend)
    layout["legend"]["y"] = -0.1
    return {"data": data, "layout": layout}


# ---------------------------------------------------------------------------------------------
# Widget "optim": optimizers side by side on a surface.
# ---------------------------------------------------------------------------------------------
ADAPTIVE = ("rmsprop", "adam", "adamw")
DEFAULT_SURFACE = SURFACES["quadratic"]
SGD_FAMILY_LR_LABEL = "learning rate η (SGD · Momentum · Nesterov)"
ADAPTIVE_LR_LABEL = "learning rate η (RMSProp · Adam · AdamW)"


def _start_of(surface: Surface, start: Any) -> tuple:
    """The hidden ``start`` state is ``{"surface": name, "x": .., "y": ..}`` set by a click; a
    start clicked on another surface (or none) means the surface's own start."""
    if isinstance(start, dict) and start.get("surface") == surface.name:
        try:
            return _point([start.get("x"), start.get("y")])
        except (TypeError, ValueError):
            pass
    return np.array(surface.start, dtype=float)


def _distance_to_min(surface: Surface, point) -> float:
    return float(np.min(np.linalg.norm(np.array(surface.minima) - point, axis=1)))


def _fmt_point(p) -> str:
    return f"({p[0]:.3f}, {p[1]:.3f})"


def _adam_vs_adamw(surface: Surface, results: dict, weight_decay: float, adamw_decay: float,
                   reg_points: dict) -> dict:
    """The Adam-versus-AdamW sentence: both end points, their distance from the loss minimum and
    from the L2 minimum."""
    lines = []
    for method, wd in (("adam", weight_decay), ("adamw", adamw_decay)):
        res = results[method]
        end = res["points"][-1]
        line = (f"{NAMES[method]} (λ={wd:g}) 끝점 {_fmt_point(end)}: loss 최솟값 ★까지 "
                f"{_distance_to_min(surface, end):.3g}")
        reg = reg_points.get(wd)
        if wd > 0 and reg is not None:
            line += f", L2 최솟값 ◆(λ={wd:g})까지 {float(np.linalg.norm(reg - end)):.3g}"
        lines.append(line)
    if weight_decay > 0:
        explain = ("Adam의 λp는 gradient에 더해진 뒤 √v̂로 나뉘므로 방향마다 당기는 세기가 달라지지만 "
                   "(가파른 방향은 약하게, 완만한 방향은 강하게), 멈추는 곳은 f + λ/2‖p‖²의 최솟값 "
                   "◆입니다.")
    else:
        explain = "Adam은 λ = 0이라 loss 최솟값 ★로 갑니다."
    if adamw_decay > 0:
        inside = all(np.abs(m).max() <= 1 / adamw_decay for m in surface.minima)
        explain += (" AdamW는 매 step p ← (1 − ηλ)p로 모든 좌표를 같은 비율로 줄이고, 이 감소는 √v̂로 "
                    "나뉘지 않으므로 ◆로 가지 않습니다. 노이즈 없이 η를 점점 줄이면 AdamW는 "
                    "‖p‖∞ ≤ 1/λ 안에서 f가 가장 작은 점으로 갑니다 (Xie & Li, 2024). 여기서는 "
                    f"1/λ = {1 / adamw_decay:g}이고 ★은 그 상자 {'안' if inside else '밖'}에 있어, "
                    + ("충분히 오래 돌리면 ★ 쪽으로 돌아옵니다." if inside
                       else "AdamW는 ★에 닿을 수 없습니다."))
    else:
        explain += " AdamW는 λ = 0이라 weight decay 없는 Adam과 같습니다."
    return w.text(" / ".join(lines) + ". " + explain)


@functools.lru_cache(maxsize=1)
def _widget_runs(surface: str, optimizers: tuple, start: tuple, steps, lr_sgd, lr_adaptive,
                 momentum, alpha, beta1, beta2, eps, weight_decay, adamw_weight_decay, schedule,
                 step_size, gamma, warmup, noise, seed) -> dict:
    """``run`` with the widget's settings (hashable). The last answer is kept: the step scrubber
    and the play button change only which step is shown, so their redraws need no new run. The
    arrays in the answer are shared between calls and must not be modified."""
    lr = {m: (1.0 if m == "newton" else lr_sgd if _rule(m) == "sgd" else lr_adaptive)
          for m in optimizers}
    return run(SURFACES[surface], list(optimizers), np.array(start), steps, lr, momentum=momentum,
               alpha=alpha, beta1=beta1, beta2=beta2, eps=eps,
               weight_decay={m: (adamw_weight_decay if m == "adamw" else weight_decay)
                             for m in optimizers},
               schedule=schedule, step_size=step_size, gamma=gamma, warmup=warmup, noise=noise,
               seed=seed)


def _optim_render(surface, optimizers, steps, lr_sgd, lr_adaptive, momentum, alpha, beta1, beta2,
                  eps, weight_decay, adamw_weight_decay, schedule, step_size, gamma, warmup, noise,
                  seed, progress, start):
    surf = SURFACES[surface]
    if not optimizers:
        raise ValueError("optimizer를 하나 이상 고르세요.")
    if warmup >= steps and schedule == "warmup_cosine":
        raise ValueError(f"warm-up 길이 W는 steps({steps})보다 작아야 합니다 (입력값: {warmup}).")
    for rate, label in ((lr_sgd, SGD_FAMILY_LR_LABEL), (lr_adaptive, ADAPTIVE_LR_LABEL)):
        if rate <= 0:
            raise ValueError(f"'{label}'은(는) 0보다 커야 합니다 (입력값: {rate:g}).")
    p0 = _start_of(surf, start)
    results = _widget_runs(surface, tuple(optimizers), tuple(p0.tolist()), steps, lr_sgd,
                           lr_adaptive, momentum, alpha, beta1, beta2, eps, weight_decay,
                           adamw_weight_decay, schedule, step_size, gamma, warmup, noise, seed)
    shown = int(round(progress / 100 * steps))
    used = {weight_decay for m in optimizers if m != "adamw"} | (
        {adamw_weight_decay} if "adamw" in optimizers else set())
    reg_points = {wd: p for wd in sorted(used) if wd > 0
                  and (p := regularized_minimum(surf, wd)) is not None}

    outputs = [w.text(f"{surf.label}: {surf.note}")]
    messages = [res["message"] for res in results.values() if res["message"]]
    if messages:
        outputs.append(w.text(" ".join(messages), tone="warn"))
    outputs.append(w.stats([("보는 step", f"{shown} / {steps}"), ("시작점", _fmt_point(p0)),
                            ("최솟값 ★", ", ".join(_fmt_point(m) for m in surf.minima)),
                            ("f*", surf.f_min)]))
    outputs.append(w.plot("paths", _path_figure(surf, results, shown, p0, reg_points),
                          clickable=True))
    outputs.append(_path_legend(results, reg_points))
    any_stopped = any(res["stopped_at"] is not None for res in results.values())
    rows = []
    for method, res in results.items():
        k = min(shown, len(res["points"]) - 1)
        point = res["points"][k]
        row = [NAMES[method], _fmt_point(point), f"{res['loss'][k] - surf.f_min:.3g}",
               f"{_distance_to_min(surf, point):.3g}"]
        if any_stopped:   # the status column only when it says something
            row.append("끝까지 진행" if res["stopped_at"] is None else
                       f"{res['stopped_at']}번째 update에서 "
                       + ("발산" if res["reason"] == "diverged" else "멈춤 (Hessian 특이)"))
        rows.append(row)
    columns = ["방법", f"step {shown}의 위치", "f − f*", "★까지 거리"] + (["상태"] if any_stopped
                                                                      else [])
    outputs.append(w.table(columns, rows))
    outputs.append(w.plot("loss", _loss_figure(surf, results, shown)))
    if schedule != "constant":      # a constant schedule's chart would be a flat line at 1
        factor = lr_schedule(schedule, steps, 1.0, step_size=step_size, gamma=gamma,
                             warmup=warmup)
        outputs.append(w.plot("lr", _lr_figure(
            {SCHEDULE_LABELS[schedule]: ("#4363d8", factor)},
            "learning rate 배율 η_t / η",
            marker=min(shown, steps - 1))))
    if "adam" in results and "adamw" in results:
        outputs.append(_adam_vs_adamw(surf, results, weight_decay, adamw_weight_decay, reg_points))
    lines, note = SCHEDULE_FORMULAS[schedule]
    outputs.append(w.math(_formula_tex("schedule: " + schedule.replace("_", r"\_"), lines)))
    for method in results:
        lines, note = FORMULAS[method]
        outputs.append(w.math(_formula_tex(NAMES[method], lines)))
        outputs.append(w.text(note))
    return outputs


def _optim_event(values: dict, event: dict) -> dict:
    """Click on the path plot -> new start; buttons -> presets (raw state changes)."""
    surf = SURFACES[values["surface"]]
    if event.get("type") == "click" and event.get("plot") == "paths":
        (x0, x1), (y0, y1) = surf.window
        x = min(max(_real(event.get("x"), "x"), x0), x1)
        y = min(max(_real(event.get("y"), "y"), y0), y1)
        return {"start": {"surface": surf.name, "x": x, "y": y}}
    if event.get("type") != "action":
        return {}
    if event.get("name") == "recommended":
        return {"lr_sgd": str(surf.lr_sgd), "lr_adaptive": str(surf.lr_adaptive),
                "steps": str(surf.steps), "start": None, "progress": "100", "noise": "0",
                "schedule": "constant"}
    if event.get("name") == "adamw":
        return {"surface": "quadratic", "optimizers": ["adam", "adamw", "newton"],
                "lr_adaptive": "0.1", "steps": "300", "weight_decay": "1",
                "adamw_weight_decay": "1",
                "schedule": "cosine", "noise": "0", "start": None, "progress": "100"}
    return {}


_OPTIM_OPTIONS = [(m, NAMES[m]) for m in METHODS]

WIDGETS = {
    "optim": w.widget(
        "Optimizer 비교: SGD, Momentum, Nesterov, RMSProp, Adam, AdamW, Newton",
        [
            w.select("surface", "loss 곡면", "quadratic",
                     [(name, s.label) for name, s in SURFACES.items()]),
            w.checkboxes("optimizers", "optimizer", list(OPTIMIZERS), _OPTIM_OPTIONS,
                         help="모두 같은 시작점, 같은 step 수, 같은 gradient (노이즈 포함)로 달립니다."),
            w.number("steps", "steps", DEFAULT_SURFACE.steps, min=1, max=1000, integer=True),
            w.number("lr_sgd", SGD_FAMILY_LR_LABEL, DEFAULT_SURFACE.lr_sgd, min=0, step=0.01,
                     help="0보다 커야 합니다. 곡면마다 알맞은 값이 다릅니다 ('권장값' 버튼)."),
            w.number("lr_adaptive", ADAPTIVE_LR_LABEL, DEFAULT_SURFACE.lr_adaptive, min=0,
                     step=0.01, help="적응형 방법은 한 step이 대략 η 크기라 SGD와 따로 정합니다."),
            w.number("momentum", "momentum μ (노트의 rho)", 0.9, min=0, step=0.05,
                     help="0 이상 1 미만. 순수 SGD는 항상 0."),
            w.number("alpha", "RMSProp α (alpha, 노트의 decay_rate)", 0.99, min=0, step=0.01),
            w.number("beta1", "Adam β₁ (beta1)", 0.9, min=0, step=0.01),
            w.number("beta2", "Adam β₂ (beta2)", 0.999, min=0, step=0.001),
            w.number("eps", "ε (eps: RMSProp · Adam · AdamW)", 1e-8, step=1e-8),
            w.number("weight_decay", "weight decay λ (L2: SGD 계열 · RMSProp · Adam · Newton)", 0.0,
                     min=0, step=0.01, help="gradient에 λp를 더합니다 (PyTorch weight_decay)."),
            w.number("adamw_weight_decay", "AdamW weight decay λ (decoupled)", 0.01, min=0,
                     step=0.01, help="p ← (1 − ηλ)p. PyTorch AdamW 기본값 0.01."),
            w.select("schedule", "learning rate schedule", "constant",
                     [(name, SCHEDULE_LABELS[name]) for name in SCHEDULES]),
            w.number("step_size", "step: step_size s", 50, min=1, integer=True),
            w.number("gamma", "step: gamma γ", 0.5, min=0, max=1, step=0.05),
            w.number("warmup", "warm-up / inverse sqrt: W", 20, min=0, integer=True),
            w.slider("noise", "gradient 노이즈 (mini-batch 흉내)", 0, min=0, max=2, step=0.05,
                     help="매 step gradient에 noise × (곡면의 gradient 크기) × N(0, I)를 더합니다."),
            w.number("seed", "노이즈 seed", 0, min=0, integer=True),
            w.slider("progress", "진행률 (%) ▶ 재생", 100, min=0, max=100, step=1, integer=True,
                     play=True),
            w.hidden("start", None),
            w.button("recommended", "이 곡면의 권장값"),
            w.button("adamw", "Adam vs AdamW (λ = 1)"),
        ],
        _optim_render, on_event=_optim_event,
        description="그림을 클릭(탭)해 시작점을 고르고, 진행률 슬라이더의 ▶로 경로가 자라는 것을 보세요. "
                    "모든 update 식은 같은 gradient를 받은 torch.optim과 같습니다.",
        primary=("surface", "optimizers", "lr_sgd", "lr_adaptive", "progress")),
}


# ---------------------------------------------------------------------------------------------
# Widget "lr-schedule": the schedules side by side.
# ---------------------------------------------------------------------------------------------

SCHEDULE_COLORS = {"constant": "#888888", "step": "#e6194b", "linear": "#3cb44b",
                   "cosine": "#4363d8", "warmup_cosine": "#f58231", "inv_sqrt": "#911eb4"}


def _schedule_render(schedules, steps, lr, step_size, gamma, warmup):
    if not schedules:
        raise ValueError("schedule을 하나 이상 고르세요.")
    if "warmup_cosine" in schedules and warmup >= steps:
        raise ValueError(f"warm-up 길이 W는 steps({steps})보다 작아야 합니다 (입력값: {warmup}).")
    curves = {name: lr_schedule(name, steps, lr, step_size=step_size, gamma=gamma, warmup=warmup)
              for name in schedules}
    fig = _lr_figure({SCHEDULE_LABELS[n]: (SCHEDULE_COLORS[n], c) for n, c in curves.items()},
                     "update t의 learning rate η_t")
    marks = sorted({0, min(warmup, steps - 1), steps // 2, steps - 1})
    rows = [[SCHEDULE_LABELS[n]] + [f"{c[t]:.4g}" for t in marks] + [f"{c.mean():.4g}"]
            for n, c in curves.items()]
    outputs = [w.plot("schedules", fig),
               w.table(["schedule"] + [f"t = {t}" for t in marks] + ["평균"], rows,
                       caption="평균 η_t가 같아도 언제 크고 언제 작은지가 다릅니다.")]
    for name in schedules:
        lines, note = SCHEDULE_FORMULAS[name]
        outputs.append(w.math(_formula_tex(name.replace("_", r"\_"), lines)))
        outputs.append(w.text(note))
    outputs.append(w.text("PyTorch scheduler를 optimizer.step() 뒤에 한 번씩 step()한 것과 같습니다: "
                          "update t (0부터)는 η_t를 씁니다. Warm-up은 초반의 큰 update로 Adam의 "
                          "v가 아직 작을 때 튀는 것을 막고, cosine / linear / inverse sqrt는 끝으로 "
                          "갈수록 step을 줄여 최솟값 근처의 진동을 가라앉힙니다."))
    return outputs


WIDGETS["lr-schedule"] = w.widget(
    "Learning rate schedule: step, linear, cosine, warm-up, inverse sqrt",
    [
        w.checkboxes("schedules", "schedule", list(SCHEDULES),
                     [(name, SCHEDULE_LABELS[name]) for name in SCHEDULES]),
        w.number("steps", "총 update 수 T", 100, min=1, max=MAX_STEPS, integer=True),
        w.number("lr", "기본 learning rate η", 0.1, min=0, step=0.01,
                 help="0보다 커야 합니다."),
        w.number("step_size", "step: step_size s", 30, min=1, integer=True),
        w.number("gamma", "step: gamma γ", 0.5, min=0, max=1, step=0.05),
        w.number("warmup", "warm-up / inverse sqrt: W", 10, min=0, integer=True),
    ],
    _schedule_render,
    description="노트 7번의 learning rate 변경 방식들 (Cosine, Linear, Inverse sqrt, Linear Warmup)을 "
                "같은 η, 같은 T로 겹쳐 봅니다.",
    primary=("schedules", "steps", "lr", "warmup"))
