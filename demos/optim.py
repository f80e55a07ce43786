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
update rules; the rules and schedules also in TeX (``UPDATE_TEX``, ``SCHEDULE_TEX``). The surfaces
live in ``demos.optim_surfaces``; the widgets ``optim`` and ``lr-schedule`` that draw all this are
in ``demos.widgets.optim``.

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

import math as _math
from typing import Any

import numpy as np

from demos import checks
from demos.optim_surfaces import SURFACES, Surface, as_surface, gradient_at, start_point

__all__ = ["Surface", "SURFACES", "OPTIMIZERS", "METHODS", "SCHEDULES", "lr_schedule", "trajectory",
           "run", "recommended_lr", "regularized_minimum", "UPDATE_TEX", "SCHEDULE_TEX"]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
METHODS = OPTIMIZERS + ("newton",)
SCHEDULES = ("constant", "step", "linear", "cosine", "warmup_cosine", "inv_sqrt")
MAX_STEPS = 10_000

NAMES = {"sgd": "SGD", "momentum": "SGD + Momentum", "nesterov": "Nesterov", "rmsprop": "RMSProp",
         "adam": "Adam", "adamw": "AdamW", "newton": "Newton"}


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
    steps = checks.integer(steps, "steps", low=1, high=MAX_STEPS)
    lr = checks.real(lr, "learning rate", above=0)
    t = np.arange(steps, dtype=float)
    if name == "constant":
        factor = np.ones(steps)
    elif name == "step":
        step_size = checks.integer(hyper.get("step_size", max(1, steps // 3)), "step_size", low=1,
                                   high=MAX_STEPS)
        gamma = checks.real(hyper.get("gamma", 0.1), "gamma", above=0)
        if gamma > 1:
            raise ValueError(f"'gamma'는 1 이하여야 합니다 (입력값: {gamma:g}).")
        factor = gamma ** (t // step_size)
    elif name == "linear":
        factor = 1 - t / steps
    elif name == "cosine":
        factor = (1 + np.cos(np.pi * t / steps)) / 2
    elif name == "warmup_cosine":
        warmup = checks.integer(hyper.get("warmup", steps // 10), "warmup", low=0, high=steps - 1)
        progress = (t - warmup) / (steps - warmup)
        factor = np.where(t < warmup, t / max(warmup, 1), (1 + np.cos(np.pi * progress)) / 2)
    else:  # inv_sqrt
        warmup = checks.integer(hyper.get("warmup", max(1, steps // 10)), "warmup", low=1,
                                high=MAX_STEPS)
        factor = np.sqrt(warmup / np.maximum(t, warmup))
    return lr * factor


# ---------------------------------------------------------------------------------------------
# Update rules: one torch.optim step for k runs at once. p, g and the state are (k, 2); the
# hyperparameters are (k, 1) so that each row can have its own. SGD, RMSProp and Adam also take
# plain floats (one coordinate of one run, ``nesterov`` a bool): the simulation steps that way
# (see ``_first_order_step``), and the operations, hence the numbers, are the same.
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
    momentum = checks.real(get("momentum", 0.9), "momentum", low=0, below=1)
    if method == "sgd":
        momentum = 0.0
    if method == "nesterov" and momentum == 0:
        raise ValueError("Nesterov momentum에는 0보다 큰 momentum이 필요합니다 (PyTorch와 같음).")
    return {
        "momentum": momentum,
        "nesterov": method == "nesterov",
        "alpha": checks.real(get("alpha", 0.99), "alpha", low=0, below=1),
        "beta1": checks.real(get("beta1", 0.9), "beta1", low=0, below=1),
        "beta2": checks.real(get("beta2", 0.999), "beta2", low=0, below=1),
        "eps": checks.real(get("eps", 1e-8), "eps", above=0),
        "weight_decay": checks.real(get("weight_decay", 0.01 if method == "adamw" else 0.0),
                                    "weight_decay", low=0),
        "decoupled": method == "adamw",
    }


def recommended_lr(surface: Any, method: str) -> float:
    """A learning rate that works from the surface's start: ``lr_sgd`` for the SGD family,
    ``lr_adaptive`` for RMSProp / Adam / AdamW, 1 for Newton."""
    surface = as_surface(surface)
    if method == "newton":
        return 1.0
    return surface.lr_sgd if _rule(method) == "sgd" else surface.lr_adaptive


def _rule(method: str) -> str:
    return {"momentum": "sgd", "nesterov": "sgd", "adamw": "adam"}.get(method, method)


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


def _lanes(rules: list[str], settings: list[dict]) -> list[tuple]:
    """A first-order rule treats each coordinate on its own: one "lane" ``(j, i, rule, hyper)`` per
    run and coordinate, lane j = 2i + c is coordinate c of run i (the order of a flattened (n, 2)
    row), ``hyper`` the arguments of its update function after ``lr``. Newton runs have none."""
    return [(2 * i + c, i, rule, _hyper(rule, s))
            for i, (rule, s) in enumerate(zip(rules, settings)) if rule != "newton"
            for c in (0, 1)]


def _bias_corrections(settings: list[dict], steps: int) -> list:
    """``bias_at[t][i] = [1 - beta1 ** (t + 1), 1 - beta2 ** (t + 1)]`` of run i, as floats
    (see ``_adam_step``)."""
    betas = np.array([[s["beta1"], s["beta2"]] for s in settings])              # (n, 2)
    return (1 - betas ** np.arange(1.0, steps + 1)[:, None, None]).tolist()


def _first_order_step(lanes: list[tuple], p: list, g: list, lr: list, bias, first: list,
                      second: list) -> list:
    """One update of every first-order lane, on floats: ``p`` and ``g`` are the current row and
    its gradient lane by lane (2n,), ``lr[i]`` and ``bias[i]`` run i's learning rate and Adam bias
    corrections for this update. ``first`` (momentum buffer or m) and ``second`` (v) hold each
    lane's state and are updated in place. Returns the new values of the lanes, in lane order."""
    new = []
    for j, i, rule, hyper in lanes:
        if rule == "sgd":
            q, first[j] = sgd_update(p[j], g[j], first[j], lr[i], *hyper)
        elif rule == "rmsprop":
            q, second[j] = rmsprop_update(p[j], g[j], second[j], lr[i], *hyper)
        else:  # adam / adamw
            q, first[j], second[j] = _adam_step(p[j], g[j], first[j], second[j], *bias[i], lr[i],
                                                *hyper)
        new.append(q)
    return new


def _simulate(surface: Surface, methods: list[str], start: np.ndarray, steps: int,
              lrs: np.ndarray, settings: list[dict], noise: float, seed: int):
    """Runs ``len(methods)`` optimizers from ``start`` in lock-step (one gradient call per step).

    ``lrs`` is ``(n, steps)``. Returns ``points (steps + 1, n, 2)`` (NaN after a stop),
    ``stopped_at`` (n,) int (-1 = ran to the end) and ``why`` (n,) str: "", "diverged" or
    "singular".

    The first-order rules step on plain floats, one coordinate at a time (``_first_order_step``):
    a step changes only 2n numbers, and with arrays NumPy's fixed cost per call (a dozen calls per
    rule) would be most of the time. Floats do the same IEEE operations, so the numbers are the
    same. NumPy keeps what it is good at: the surface's gradient (all runs in one call), Newton's
    2x2 solves, Adam's powers ``beta ** t`` (see ``_adam_step``) and the divergence bookkeeping,
    done on the finished paths (``_stops``): the runs are independent, so a stopped run can keep
    going unrecorded.
    """
    n = len(methods)
    rules = [_rule(m) for m in methods]
    if "newton" in rules and surface.hessian is None:
        raise ValueError("이 곡면에는 Hessian이 없어 Newton 방법을 쓸 수 없습니다.")
    lanes = _lanes(rules, settings)
    newton = slice(n - rules.count("newton"), n)            # METHODS order: Newton comes last
    newton_decay = np.array([[s["weight_decay"]] for s in settings[newton]])     # (k, 1)
    bias_at = _bias_corrections(settings, steps) if "adam" in rules else None
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
            g = gradient_at(surface, p)
            if kicks is not None:
                g = g + kicks[t]
            new = _first_order_step(lanes, new, g.ravel().tolist(), lr_at[t],
                                    bias_at and bias_at[t], first, second)
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
    surface = as_surface(surface)
    if not isinstance(methods, (list, tuple)):
        raise TypeError("optimizers에는 optimizer 이름의 목록을 넣어야 합니다 (예: ['sgd', 'adam']).")
    if not methods:
        raise ValueError("optimizer를 하나 이상 고르세요.")
    for method in methods:
        if method not in METHODS:
            raise ValueError(f"'{method}'라는 optimizer가 없습니다. 가능한 값: {', '.join(METHODS)}.")
    methods = [m for m in METHODS if m in methods]     # canonical order: one slice per rule
    start = start_point(start)
    steps = checks.integer(steps, "steps", low=1, high=MAX_STEPS)
    noise = checks.real(hyper.get("noise", 0.0), "noise", low=0)
    seed = checks.integer(hyper.get("seed", 0), "seed", low=0, high=2 ** 32 - 1)
    schedule = hyper.get("schedule", "constant")
    sched = {k: hyper[k] for k in ("step_size", "gamma", "warmup") if k in hyper}
    rows = []
    for method in methods:
        rate = _per_method(lr, method, recommended_lr(surface, method))
        if method == "newton":   # Newton's step size is not scheduled
            rows.append(np.full(steps, checks.real(rate, "learning rate", above=0)))
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
    surf = as_surface(surface)
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
    surface = as_surface(surface)
    wd = checks.real(weight_decay, "weight_decay", low=0)
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
# The update rules and schedules in TeX, as PyTorch writes them (g the gradient, ĝ = g + λp).
# Each is a list of short lines, one update a line, narrow enough for a phone screen.
# ---------------------------------------------------------------------------------------------

UPDATE_TEX = {
    "sgd": [r"\hat g = g + \lambda p", r"p \leftarrow p - \eta\,\hat g"],
    "momentum": [r"b \leftarrow \mu\, b + \hat g", r"p \leftarrow p - \eta\, b"],
    "nesterov": [r"b \leftarrow \mu\, b + \hat g", r"p \leftarrow p - \eta\,(\hat g + \mu\, b)"],
    "rmsprop": [r"v \leftarrow \alpha\, v + (1-\alpha)\, \hat g^2",
                r"p \leftarrow p - \eta\,\frac{\hat g}{\sqrt{v} + \epsilon}"],
    "adam": [r"m \leftarrow \beta_1 m + (1-\beta_1)\, \hat g",
             r"v \leftarrow \beta_2 v + (1-\beta_2)\, \hat g^2",
             r"\hat m = m / (1-\beta_1^t)", r"\hat v = v / (1-\beta_2^t)",
             r"p \leftarrow p - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}"],
    "adamw": [r"p \leftarrow (1 - \eta\lambda)\, p", r"m \leftarrow \beta_1 m + (1-\beta_1)\, g",
              r"v \leftarrow \beta_2 v + (1-\beta_2)\, g^2",
              r"\hat m = m / (1-\beta_1^t)", r"\hat v = v / (1-\beta_2^t)",
              r"p \leftarrow p - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}"],
    "newton": [r"p \leftarrow p - \eta\,(H + \lambda I)^{-1}(g + \lambda p)"],
}

SCHEDULE_TEX = {
    "constant": [r"\eta_t = \eta"],
    "step": [r"\eta_t = \eta\,\gamma^{\lfloor t / s \rfloor}"],
    "linear": [r"\eta_t = \eta\,(1 - t/T)"],
    "cosine": [r"\eta_t = \tfrac{\eta}{2}\left(1 + \cos\tfrac{\pi t}{T}\right)"],
    "warmup_cosine": [r"\eta_t = \eta\,t / W \quad (t < W)",
                      r"\eta_t = \tfrac{\eta}{2}\left(1 + \cos\tfrac{\pi (t-W)}{T-W}\right)"
                      r"\quad (t \ge W)"],
    "inv_sqrt": [r"\eta_t = \eta\,\sqrt{W / \max(t, W)}"],
}
