"""Lecture 3's 2-D loss surfaces, the ground ``demos.optim`` runs its optimizers on.

Each ``Surface`` carries ``f(x, y)``, its analytic gradient ``(..., 2)`` and Hessian
``(..., 2, 2)`` (all vectorised), the window to plot, a start point, the minima, and learning
rates that work from that start. ``SURFACES`` holds four of them: an ill-conditioned
quadratic bowl, Rosenbrock, Beale and a saddle; ``demos.optim.SURFACES`` is this same mapping.

``as_surface`` and ``start_point`` check what a caller passes as a surface or a start point
(Korean messages); ``gradient_at`` evaluates a surface's gradient at the rows of an array,
``log_gap`` its ``log10(f - f*)`` on a grid, ``distance_to_minimum`` how far a point is from the
nearest minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["Surface", "SURFACES", "as_surface", "start_point", "gradient_at", "log_gap",
           "distance_to_minimum"]


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
# Checks of a surface and a start point.
# ---------------------------------------------------------------------------------------------

def as_surface(surface: Any) -> Surface:
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


def start_point(start: Any) -> np.ndarray:
    """``[x, y]`` (list, tuple or array) -> float array (2,); Korean ValueError otherwise."""
    try:
        point = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"시작점(start)은 숫자 두 개 [x, y]여야 합니다 (입력값: {start!r}).") from None
    if point.shape != (2,):
        raise ValueError(f"시작점(start)은 숫자 두 개 [x, y]여야 합니다 (입력값: {start!r}).")
    if not np.isfinite(point).all():
        raise ValueError("시작점(start)에는 유한한 숫자를 넣어야 합니다.")
    return point


def gradient_at(surface: Surface, p: np.ndarray) -> np.ndarray:
    """Gradients at the rows of ``p`` (n, 2) -> (n, 2); a foreign surface may return (dx, dy)."""
    g = surface.grad(p[:, 0], p[:, 1])
    if isinstance(g, (tuple, list)):
        g = _stack(*g)
    return np.asarray(g, dtype=float).reshape(len(p), 2)


def log_gap(surface: Surface, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """log10(f - f*) on the grid xs (nx,) x ys (ny,) -> (ny, nx), row 0 at ys[0]."""
    with np.errstate(all="ignore"):
        gap = surface.f(xs[None, :], ys[:, None]) - surface.f_min
    return np.log10(np.maximum(gap, 1e-12))


def distance_to_minimum(surface: Surface, point) -> float:
    """Euclidean distance from ``point`` (2,) to the nearest of ``surface.minima``."""
    return float(np.min(np.linalg.norm(np.array(surface.minima) - point, axis=1)))
