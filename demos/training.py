"""Training neural networks (Lecture 6): normalisation, dropout and weight initialisation.

Contract (design.md), every array as a float NumPy array or nested lists, inputs never modified:

* ``batchnorm_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1,
  eps=1e-5)`` -> ``(out, new_running_mean, new_running_var)``, ``x`` (N, D): exactly
  ``torch.nn.functional.batch_norm``. Training normalises with the biased batch variance and moves
  the running statistics towards the batch's, the variance with the unbiased one:
  ``new = (1 - momentum) * old + momentum * stat``. Evaluation uses the running statistics.
* ``batchnorm_backward(dout, x, gamma, eps=1e-5)`` -> ``(dx, dgamma, dbeta)`` of training mode.
* ``init_std(scheme, fan_in, fan_out, nonlinearity="relu", a=0.0, gain=1.0)`` -> float: the std
  of ``"small"`` (0.01), ``"xavier"`` (``xavier_normal_``) or ``"kaiming"`` (``kaiming_normal_``,
  fan_in).
* ``dropout_forward(x, p, mask, training=True)`` -> inverted dropout ``x * mask / (1 - p)``.
* ``layernorm_forward(x, gamma, beta, eps=1e-5)`` -> each row normalised over its D features.

Also the maths the widgets of ``demos.widgets.training`` draw: a deep fully-connected net's forward
and backward statistics layer by layer (``deep_net``, ``layer_statistics``), running statistics over
many training steps (``running_statistics``) and dropout over many masks (``dropout_over_masks``).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from demos import checks

__all__ = ["batchnorm_forward", "batchnorm_backward", "init_std", "dropout_forward",
           "layernorm_forward", "nonlinearity_gain", "NONLINEARITIES", "ACTIVATIONS",
           "INIT_SCHEMES", "LARGE_STD", "layer_std", "deep_net", "histograms", "layer_statistics",
           "diagnose", "unit_draws", "sample_batches", "running_statistics", "dropout_masks",
           "dropout_over_masks"]

BATCH_OF_ONE = ("학습 모드의 batch norm에는 배치에 예제가 2개 이상 있어야 합니다: 예제가 1개면 배치 평균이 "
                "그 예제 자체이고 분산이 0이라, 모든 출력이 β가 되어 입력의 정보가 사라집니다. PyTorch도 "
                "이 경우 오류를 냅니다 (Expected more than 1 value per channel when training).")


# ---------------------------------------------------------------------------------------------
# Checks.
# ---------------------------------------------------------------------------------------------

def _features(x, name: str = "x") -> np.ndarray:
    """(N, D) finite floats with N, D >= 1."""
    x = checks.float_array(x, name, 2)
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"'{name}'에는 예제(행)와 특징(열)이 하나 이상 있어야 합니다 "
                         f"(받은 모양: {x.shape}).")
    return x


def _per_feature(value, name: str, D: int, default: float | None) -> np.ndarray | None:
    """A (D,) vector; ``None`` becomes ``default`` everywhere (or stays None without one)."""
    if value is None:
        return None if default is None else np.full(D, default)
    value = checks.float_array(value, name, 1)
    if value.shape[0] != D:
        raise ValueError(f"'{name}'의 길이({value.shape[0]})가 특징 수 D({D})와 다릅니다.")
    return value


def _eps(eps) -> float:
    return checks.real(eps, "eps", low=0)


def _normalise(x: np.ndarray, mean: np.ndarray, var: np.ndarray, gamma: np.ndarray,
               beta: np.ndarray, eps: float) -> np.ndarray:
    """gamma * (x - mean) / sqrt(var + eps) + beta, with mean, var broadcast against x."""
    if np.any(var + eps <= 0):
        raise ValueError("분산이 0인 곳에서 eps = 0이면 0으로 나누게 됩니다. eps를 0보다 크게 하세요.")
    return gamma * ((x - mean) / np.sqrt(var + eps)) + beta


# ---------------------------------------------------------------------------------------------
# The contract: batch norm, layer norm, initialisation, dropout.
# ---------------------------------------------------------------------------------------------

def batchnorm_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1,
                      eps=1e-5):
    """Batch norm of x (N, D) over its N examples, feature by feature.

    gamma, beta, running_mean, running_var: (D,) (``None``: gamma 1, beta 0, no running
    statistics, as in PyTorch; evaluation needs them) ->
    (out (N, D), new_running_mean (D,), new_running_var (D,)).
    """
    x = _features(x)
    D = x.shape[1]
    gamma = _per_feature(gamma, "gamma", D, 1.0)
    beta = _per_feature(beta, "beta", D, 0.0)
    running_mean = _per_feature(running_mean, "running_mean", D, None)
    running_var = _per_feature(running_var, "running_var", D, None)
    if running_var is not None and np.any(running_var < 0):
        raise ValueError("'running_var'는 분산이라 음수일 수 없습니다.")
    training = checks.boolean(training, "training")
    momentum = checks.real(momentum, "momentum", low=0, high=1)
    eps = _eps(eps)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("평가 모드(training=False)에는 running_mean과 running_var가 필요합니다.")
        out = _normalise(x, running_mean, running_var, gamma, beta, eps)
        return out, running_mean.copy(), running_var.copy()
    n = x.shape[0]
    if n < 2:
        raise ValueError(BATCH_OF_ONE)
    mean, var = x.mean(axis=0), x.var(axis=0)
    out = _normalise(x, mean, var, gamma, beta, eps)
    new_mean = None if running_mean is None else (1 - momentum) * running_mean + momentum * mean
    new_var = (None if running_var is None
               else (1 - momentum) * running_var + momentum * var * n / (n - 1))
    return out, new_mean, new_var


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    """Gradients of training-mode batch norm, out = gamma * x_hat + beta with batch statistics.

    dout, x: (N, D); gamma: (D,) (``None``: ones) -> (dx (N, D), dgamma (D,), dbeta (D,)).
    """
    x = _features(x)
    n, D = x.shape
    dout = checks.float_array(dout, "dout", 2)
    if dout.shape != x.shape:
        raise ValueError(f"'dout'의 모양 {dout.shape}이 x의 모양 {x.shape}과 같아야 합니다.")
    gamma = _per_feature(gamma, "gamma", D, 1.0)
    eps = _eps(eps)
    if n < 2:
        raise ValueError(BATCH_OF_ONE)
    return _batchnorm_backward(dout, x, gamma, eps)


def _batchnorm_backward(dout, x, gamma, eps):
    """The three terms of dx: through x_hat directly, through the mean and through the variance,
    folded into one line (the CS231n assignment's simplified form)."""
    n = x.shape[0]
    var = x.var(axis=0)
    if np.any(var + eps <= 0):
        raise ValueError("분산이 0인 곳에서 eps = 0이면 0으로 나누게 됩니다. eps를 0보다 크게 하세요.")
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = (gamma * inv_std / n) * (n * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Layer norm: each row of x (N, D) normalised over its own D features (biased variance), then
    gamma * x_hat + beta with gamma, beta (D,) -> (N, D). No batch statistics: the same in training
    and evaluation, and one example alone is fine."""
    x = _features(x)
    D = x.shape[1]
    gamma = _per_feature(gamma, "gamma", D, 1.0)
    beta = _per_feature(beta, "beta", D, 0.0)
    eps = _eps(eps)
    return _normalise(x, x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True), gamma, beta,
                      eps)


# torch.nn.init.calculate_gain: the factor that keeps the variance of activations through a layer.
NONLINEARITIES = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")


def nonlinearity_gain(nonlinearity: str = "relu", a=0.0) -> float:
    """PyTorch's recommended gain: 1 (linear, conv, sigmoid), 5/3 (tanh), sqrt(2) (relu),
    sqrt(2 / (1 + a^2)) (leaky_relu with negative slope a), 3/4 (selu)."""
    a = checks.real(a, "a")
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity는 {', '.join(NONLINEARITIES)} 중 하나여야 합니다 "
                         f"(입력값: {nonlinearity!r}).")
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1.0 + a * a))
    if nonlinearity == "selu":
        return 0.75
    return 1.0


def init_std(scheme, fan_in, fan_out, nonlinearity="relu", a=0.0, gain=1.0) -> float:
    """The std of a weight matrix (fan_in, fan_out) drawn from N(0, std^2).

    * ``"small"``: 0.01, CS231n's first try (too small for a deep net);
    * ``"xavier"``: ``gain * sqrt(2 / (fan_in + fan_out))`` (``torch.nn.init.xavier_normal_``);
    * ``"kaiming"``: ``gain(nonlinearity, a) / sqrt(fan_in)`` (``kaiming_normal_``, mode fan_in):
      sqrt(2 / fan_in) for ReLU, the lecture's.
    """
    if scheme not in ("small", "xavier", "kaiming"):
        raise ValueError(f"scheme은 'small', 'xavier', 'kaiming' 중 하나여야 합니다 "
                         f"(입력값: {scheme!r}).")
    fan_in = checks.integer(fan_in, "fan_in", low=1)
    fan_out = checks.integer(fan_out, "fan_out", low=1)
    gain = checks.real(gain, "gain", low=0)
    kaiming_gain = nonlinearity_gain(nonlinearity, a)
    if scheme == "small":
        return 0.01
    if scheme == "xavier":
        return gain * math.sqrt(2.0 / (fan_in + fan_out))
    return kaiming_gain / math.sqrt(fan_in)


def _mask(mask, shape: tuple) -> np.ndarray:
    mask = checks.float_array(mask, "mask", len(shape))
    if mask.shape != shape:
        raise ValueError(f"'mask'의 모양 {mask.shape}이 x의 모양 {shape}과 같아야 합니다.")
    if not np.all((mask == 0) | (mask == 1)):
        raise ValueError("'mask'에는 0(버림)과 1(남김)만 넣을 수 있습니다.")
    return mask


def dropout_forward(x, p, mask, training=True) -> np.ndarray:
    """Inverted dropout of x (N, D) with drop probability p and keep-mask (N, D) of 0/1:
    ``x * mask / (1 - p)`` in training (zeros when p = 1, as PyTorch), x itself in evaluation."""
    x = _features(x)
    p = checks.real(p, "p", low=0, high=1)
    training = checks.boolean(training, "training")
    if mask is not None or training:
        if mask is None:
            raise ValueError("학습 모드의 dropout에는 mask(0/1 배열)가 필요합니다.")
        mask = _mask(mask, x.shape)
    if not training:
        return x.copy()
    if p == 1:
        return np.zeros_like(x)
    return x * mask / (1.0 - p)


# ---------------------------------------------------------------------------------------------
# A deep fully-connected net, layer by layer (widget "init-depth", notes items 3 and 5).
# ---------------------------------------------------------------------------------------------

ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid")
LEAKY_SLOPE = 0.01
MAX_SLOPE = {"tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0, "sigmoid": 0.25}
INIT_SCHEMES = ("small", "large", "xavier", "kaiming")
# Too large for a layer 64-128 wide: std * sqrt(width) is 3 to 4.5, so tanh saturates (the lecture's
# 0.05 does the same to layers 4096 wide).
LARGE_STD = 0.4
BN_EPS = 1e-5


def _activate(name: str, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An activation function of u (any shape) -> (its value, its derivative at u)."""
    if name == "tanh":
        a = np.tanh(u)
        return a, 1.0 - a * a
    if name == "sigmoid":
        a = 0.5 + 0.5 * np.tanh(0.5 * u)    # = 1 / (1 + exp(-u)), without overflow
        return a, a * (1.0 - a)
    if name == "relu":
        return np.maximum(u, 0.0), (u > 0).astype(np.float64)
    if name == "leaky_relu":
        positive = u > 0
        return np.where(positive, u, LEAKY_SLOPE * u), np.where(positive, 1.0, LEAKY_SLOPE)
    raise ValueError(f"activation은 {', '.join(ACTIVATIONS)} 중 하나여야 합니다 (입력값: {name!r}).")


def layer_std(scheme: str, width: int, activation: str) -> float:
    """The std of every (width, width) weight matrix under an init scheme of ``INIT_SCHEMES``:
    Kaiming with the activation's own gain (PyTorch's), Xavier with gain 1 (the lecture's
    1 / sqrt(D_in) for a square layer)."""
    if scheme == "large":
        return LARGE_STD
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"초기화 방법은 {', '.join(INIT_SCHEMES)} 중 하나여야 합니다 "
                         f"(입력값: {scheme!r}).")
    return init_std(scheme, width, width, nonlinearity=activation, a=LEAKY_SLOPE)


def _net_inputs(x, weights, upstream):
    x = _features(x)
    weights = checks.float_array(weights, "weights", 3)
    B, D = x.shape
    if weights.shape[0] == 0 or weights.shape[1:] != (D, D):
        raise ValueError(f"'weights'는 (L, D, D) = (층 수, {D}, {D}) 모양이어야 합니다 "
                         f"(받은 모양: {weights.shape}).")
    upstream = checks.float_array(upstream, "upstream", 2)
    if upstream.shape != (B, D):
        raise ValueError(f"'upstream'(마지막 층 출력의 gradient)은 x와 같은 모양 {(B, D)}이어야 "
                         f"합니다 (받은 모양: {upstream.shape}).")
    return x, weights, upstream


def _forward(x, weights, activation, batchnorm, residual, bias) -> dict:
    """h_l = [h_{l-1} +] act(BN?(h_{l-1} W_l + bias)); every intermediate (L, B, D) kept."""
    L, (B, D) = len(weights), x.shape
    z, u, a, h, local = (np.empty((L, B, D)) for _ in range(5))
    previous = x
    for l in range(L):
        z[l] = previous @ weights[l] + bias
        if batchnorm:       # training mode, gamma 1, beta 0
            u[l] = _normalise(z[l], z[l].mean(axis=0), z[l].var(axis=0), 1.0, 0.0, BN_EPS)
        else:
            u[l] = z[l]
        a[l], local[l] = _activate(activation, u[l])
        h[l] = previous + a[l] if residual else a[l]
        previous = h[l]
    return {"z": z, "u": u, "a": a, "h": h, "local": local}


def _backward(x, weights, forward, batchnorm, residual, upstream) -> tuple[np.ndarray, np.ndarray]:
    """Backprop of the upstream gradient dL/dh_L -> (||dL/dW_l|| (L,), ||dL/dh_l|| for l = 0..L)."""
    L, D = len(weights), x.shape[1]
    grad_W, grad_h = np.empty(L), np.empty(L + 1)
    g = upstream
    grad_h[L] = np.linalg.norm(g)
    ones = np.ones(D)
    for l in range(L - 1, -1, -1):
        previous = x if l == 0 else forward["h"][l - 1]
        du = g * forward["local"][l]
        dz = _batchnorm_backward(du, forward["z"][l], ones, BN_EPS)[0] if batchnorm else du
        grad_W[l] = np.linalg.norm(previous.T @ dz)
        back = dz @ weights[l].T
        g = back + g if residual else back
        grad_h[l] = np.linalg.norm(g)
    return grad_W, grad_h


def deep_net(x, weights, upstream, activation="tanh", batchnorm=False, residual=False, bias=0.0):
    """Forward and backward through L fully-connected layers of width D.

    Layer l: z = h_{l-1} W_l + bias, u = BN(z) (training mode, gamma 1, beta 0) or z, a = act(u),
    h_l = h_{l-1} + a (residual) or a; h_0 = x.
    x (B, D) inputs, weights (L, D, D), upstream (B, D) = dL/dh_L ->
    {"u", "a", "h", "local": (L, B, D) the activation's input, output, the layer's output and
    act'(u); "grad_W": (L,) ||dL/dW_l|| (Frobenius); "grad_h": (L + 1,) ||dL/dh_l||, l = 0..L}.
    """
    x, weights, upstream = _net_inputs(x, weights, upstream)
    if activation not in ACTIVATIONS:
        _activate(activation, x)                    # raises the Korean message
    batchnorm = checks.boolean(batchnorm, "batchnorm")
    residual = checks.boolean(residual, "residual")
    bias = checks.real(bias, "bias")
    if batchnorm and x.shape[0] < 2:
        raise ValueError(BATCH_OF_ONE)
    with np.errstate(over="ignore", invalid="ignore"):
        forward = _forward(x, weights, activation, batchnorm, residual, bias)
        grad_W, grad_h = _backward(x, weights, forward, batchnorm, residual, upstream)
    if not (np.all(np.isfinite(forward["h"])) and np.all(np.isfinite(grad_h))
            and np.all(np.isfinite(grad_W))):
        raise ValueError("값이 너무 커져 계산할 수 없습니다 (overflow). 층 수나 초기화 크기를 줄이세요.")
    return {"u": forward["u"], "a": forward["a"], "h": forward["h"], "local": forward["local"],
            "grad_W": grad_W, "grad_h": grad_h}


def histograms(values, lo: float, hi: float, bins: int) -> np.ndarray:
    """Counts of each row of values (L, M) in ``bins`` equal bins over [lo, hi] -> (L, bins);
    values outside are counted in the first or last bin. One bincount for all rows (its indices
    must be np.intp: 32 bits in the browser's WebAssembly NumPy)."""
    values = checks.float_array(values, "values", 2)
    lo, bins = checks.real(lo, "lo"), checks.integer(bins, "bins", low=1)
    hi = checks.real(hi, "hi", above=lo)
    L = values.shape[0]
    index = np.clip(np.floor((values - lo) * (bins / (hi - lo))), 0, bins - 1).astype(np.intp)
    index += bins * np.arange(L)[:, None]
    return np.bincount(index.ravel(), minlength=L * bins).reshape(L, bins)


def layer_statistics(net: dict, activation: str, value_range: tuple[float, float],
                     bins: int = 40) -> dict:
    """Per-layer summaries of ``deep_net``'s result (L layers, B examples, D units):

    "hist" (L, bins) fraction of the activation outputs a in each bin of value_range, "edges"
    (bins + 1,); "a_mean", "a_std", "h_std" (L,); "local_mean" (L,) mean act'(u); "saturated" (L,)
    fraction of values where act'(u) < 1% of its largest; "dead" (L,) fraction of units with
    u <= 0 for every example (a dead ReLU: no gradient for the whole batch); "grad_W", "grad_h".
    """
    a, u, local = net["a"], net["u"], net["local"]
    L, B, D = a.shape
    lo, hi = value_range
    counts = histograms(a.reshape(L, B * D), lo, hi, bins)
    return {
        "hist": counts / (B * D), "edges": np.linspace(lo, hi, bins + 1),
        "a_mean": a.mean(axis=(1, 2)), "a_std": a.std(axis=(1, 2)),
        "h_std": net["h"].std(axis=(1, 2)),
        "local_mean": local.mean(axis=(1, 2)),
        "saturated": (local < 0.01 * MAX_SLOPE[activation]).mean(axis=(1, 2)),
        "dead": np.all(u <= 0, axis=1).mean(axis=1),
        "grad_W": net["grad_W"], "grad_h": net["grad_h"],
    }


def diagnose(stats: dict, activation: str) -> dict:
    """What ``layer_statistics`` show -> {"ratio": ||dL/dW_1|| / ||dL/dW_L||, "findings":
    [(name, numbers), ...]}, names among "collapse" (the spread of activations shrinks to 0),
    "explode", "saturate" (tanh, sigmoid), "dead" (ReLU) / "dead_leaky", and for the gradients
    "no_grad" (all tiny), "vanish", "blowup"; [("healthy", {})] when none applies."""
    found = []
    first, last = stats["a_std"][0], stats["a_std"][-1]
    if last < 0.1 * first or last < 1e-2:
        found.append(("collapse", {"first": first, "last": last}))
    if stats["h_std"][-1] > 10:
        found.append(("explode", {"last": stats["h_std"][-1]}))
    if activation in ("tanh", "sigmoid") and stats["saturated"][-1] > 0.1:
        found.append(("saturate", {"share": stats["saturated"][-1]}))
    if activation in ("relu", "leaky_relu") and stats["dead"][-1] > 0.25:
        found.append(("dead" if activation == "relu" else "dead_leaky",
                      {"share": stats["dead"][-1]}))
    grad_W = stats["grad_W"]
    ratio = grad_W[0] / grad_W[-1] if grad_W[-1] > 0 else np.inf
    largest = float(grad_W.max())
    if largest < 1e-4 * stats["grad_h"][-1]:      # tiny next to the gradient arriving at the top
        found.append(("no_grad", {"largest": largest}))
    elif ratio < 1e-2:
        found.append(("vanish", {"ratio": ratio}))
    elif ratio > 1e2:
        found.append(("blowup", {"ratio": ratio}))
    return {"ratio": ratio, "findings": found or [("healthy", {})]}


def unit_draws(seed: int, layers: int, width: int, batch: int):
    """Reproducible N(0, 1) draws -> (x (batch, width), U (layers, width, width), G (batch, width)):
    inputs, unscaled weights and the upstream gradient. Cached and read-only: a widget changing
    only the init scheme or the activation reuses them (weights = std * U)."""
    return _unit_draws(_seed(seed), checks.integer(layers, "layers", low=1),
                       checks.integer(width, "width", low=1), checks.integer(batch, "batch", low=1))


def _seed(seed) -> int:
    return checks.integer(seed, "seed", low=0)


@functools.lru_cache(maxsize=4)
def _unit_draws(seed: int, layers: int, width: int, batch: int):
    rng = np.random.default_rng(seed)
    draws = (rng.standard_normal((batch, width)), rng.standard_normal((layers, width, width)),
             rng.standard_normal((batch, width)))
    for array in draws:
        array.flags.writeable = False
    return draws


# ---------------------------------------------------------------------------------------------
# Running statistics over training steps (widget "batchnorm").
# ---------------------------------------------------------------------------------------------

def sample_batches(seed: int, steps: int, batch: int, means, stds) -> np.ndarray:
    """``steps`` batches of ``batch`` examples, feature d ~ N(means[d], stds[d]^2) -> (steps,
    batch, D)."""
    means, stds = checks.float_array(means, "means", 1), checks.float_array(stds, "stds", 1)
    if means.shape != stds.shape or np.any(stds < 0):
        raise ValueError("'stds'는 means와 길이가 같고 0 이상이어야 합니다.")
    steps = checks.integer(steps, "steps", low=0)
    rng = np.random.default_rng(_seed(seed))
    return means + stds * rng.standard_normal((steps, checks.integer(batch, "batch", low=1),
                                               len(means)))


def running_statistics(batches, momentum=0.1, running_mean=None, running_var=None):
    """Running mean and variance after each of T training steps of batch norm, one batch each.

    batches (T, N, D), N >= 2; running_mean, running_var (D,) at the start (PyTorch's 0 and 1 by
    default) -> (means (T + 1, D), variances (T + 1, D)), row 0 the start, row t after step t: what
    T calls of ``batchnorm_forward`` leave. Closed form, no loop over steps:
    r_t = (1 - m)^t r_0 + sum_{s <= t} m (1 - m)^(t - s) stat_s.
    """
    batches = checks.float_array(batches, "batches", 3)
    T, N, D = batches.shape
    if N < 2:
        raise ValueError(BATCH_OF_ONE)
    momentum = checks.real(momentum, "momentum", low=0, high=1)
    start_mean = _per_feature(running_mean, "running_mean", D, 0.0)
    start_var = _per_feature(running_var, "running_var", D, 1.0)
    steps = np.arange(T + 1)
    lag = steps[:, None] - steps[None, 1:]                             # t - s, (T + 1, T)
    weights = np.where(lag >= 0, momentum * (1.0 - momentum) ** np.maximum(lag, 0), 0.0)
    decay = ((1.0 - momentum) ** steps)[:, None]
    means = decay * start_mean + weights @ batches.mean(axis=1)
    variances = decay * start_var + weights @ batches.var(axis=1, ddof=1)
    return means, variances


# ---------------------------------------------------------------------------------------------
# Dropout over many masks (widget "dropout").
# ---------------------------------------------------------------------------------------------

def dropout_masks(count: int, units: int, p: float, seed: int) -> np.ndarray:
    """``count`` reproducible keep-masks (count, units): each unit kept (1) with probability
    1 - p; more masks with the same seed extend the fewer."""
    count, units = checks.integer(count, "count", low=1), checks.integer(units, "units", low=1)
    p = checks.real(p, "p", low=0, high=1)
    rng = np.random.default_rng(_seed(seed))
    return (rng.random((count, units)) < 1.0 - p).astype(np.float64)


def dropout_over_masks(h, w, p, masks) -> dict:
    """The next layer's input s = w . dropout(h) for each keep-mask, in both conventions.

    h, w (D,); masks (K, D) ->
    {"vanilla": (K,) w . (h * m) (the lecture's: nothing scaled in training), "vanilla_eval":
    (1 - p) w . h (scaled at test time); "inverted": (K,) w . (h * m / (1 - p)) (PyTorch's:
    ``dropout_forward``), "inverted_eval": w . h; "*_mean": (K,) the mean over the first k masks}.
    In each convention E[train] = eval, so the means converge to the eval values.
    """
    h = checks.float_array(h, "h", 1)
    w = checks.float_array(w, "w", 1)
    if w.shape != h.shape:
        raise ValueError(f"'w'의 길이({len(w)})가 h의 길이({len(h)})와 같아야 합니다.")
    masks = checks.float_array(masks, "masks", 2)
    if masks.shape[0] == 0:
        raise ValueError("'masks'에 마스크가 하나 이상 있어야 합니다.")
    layer = np.broadcast_to(h, masks.shape)
    inverted = dropout_forward(layer, p, masks) @ w
    p = float(p)
    vanilla = (masks * h) @ w
    count = np.arange(1, len(masks) + 1)
    return {"vanilla": vanilla, "vanilla_eval": (1.0 - p) * float(h @ w),
            "inverted": inverted, "inverted_eval": float(h @ w),
            "vanilla_mean": np.cumsum(vanilla) / count,
            "inverted_mean": np.cumsum(inverted) / count}
