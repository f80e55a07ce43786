"""demos.training against independent references: central differences, hand-computed cases,
PyTorch's documented formulas (torch is not installed), plain loops written here; then the three
Lecture 6 widgets."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from demos import training, widget
from demos.widgets import training as training_widgets
from numeric import numerical_gradient, relative_error

HANGUL = re.compile(r"[가-힣]")


def korean_error(excinfo) -> str:
    message = str(excinfo.value)
    assert HANGUL.search(message), f"message is not Korean: {message!r}"
    return message


def batch_problem(seed, n=5, d=4):
    rng = np.random.default_rng(seed)
    return (rng.normal(2.0, 3.0, (n, d)), rng.normal(1.0, 0.5, d), rng.normal(0.0, 1.0, d),
            rng.normal(0.0, 1.0, d), rng.uniform(0.5, 2.0, d))


def torch_batch_norm(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    """torch.nn.functional.batch_norm as its documentation states it, feature by feature."""
    n, d = x.shape
    out = np.empty_like(x)
    new_mean, new_var = running_mean.copy(), running_var.copy()
    for j in range(d):
        column = [x[i, j] for i in range(n)]
        if training:
            mean = sum(column) / n
            biased = sum((v - mean) ** 2 for v in column) / n
            unbiased = sum((v - mean) ** 2 for v in column) / (n - 1)
            new_mean[j] = (1 - momentum) * running_mean[j] + momentum * mean
            new_var[j] = (1 - momentum) * running_var[j] + momentum * unbiased
            used_mean, used_var = mean, biased
        else:
            used_mean, used_var = running_mean[j], running_var[j]
        for i in range(n):
            out[i, j] = gamma[j] * (x[i, j] - used_mean) / math.sqrt(used_var + eps) + beta[j]
    return out, new_mean, new_var


# ---------------------------------------------------------------------------------------------
# Batch norm forward.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("training_mode", [True, False])
def test_batchnorm_forward_equals_pytorchs_documented_formulas(seed, training_mode):
    x, gamma, beta, running_mean, running_var = batch_problem(seed, n=3 + seed)
    momentum, eps = [0.1, 0.3, 0.0, 1.0][seed], [1e-5, 1e-3, 0.5, 1e-5][seed]
    got = training.batchnorm_forward(x, gamma, beta, running_mean, running_var, training_mode,
                                     momentum, eps)
    expected = torch_batch_norm(x, gamma, beta, running_mean, running_var, training_mode,
                                momentum, eps)
    for ours, theirs in zip(got, expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_batchnorm_by_hand_with_two_examples_a_constant_feature_and_eps():
    x = [[1.0, 10.0], [3.0, 10.0]]                 # feature 1: mean 2, var 1; feature 2: constant
    out, mean, var = training.batchnorm_forward(x, [2.0, 2.0], [0.5, -1.0], [0.0, 0.0],
                                                [1.0, 1.0], eps=1e-5)
    np.testing.assert_allclose(out[:, 0], [0.5 - 2 / math.sqrt(1 + 1e-5),
                                           0.5 + 2 / math.sqrt(1 + 1e-5)], rtol=1e-14)
    np.testing.assert_array_equal(out[:, 1], [-1.0, -1.0])      # x - mean = 0 exactly: beta
    np.testing.assert_allclose(mean, [0.2, 1.0])                # 0.9 * 0 + 0.1 * batch mean
    np.testing.assert_allclose(var, [0.9 + 0.1 * 2.0, 0.9])     # unbiased: 2 / (2 - 1) = 2
    big_eps, _, _ = training.batchnorm_forward(x, None, None, None, None, eps=1.0)
    np.testing.assert_allclose(big_eps[:, 0], [-1 / math.sqrt(2), 1 / math.sqrt(2)])
    # eps = 0 is allowed when no feature is constant, as in PyTorch
    exact, _, _ = training.batchnorm_forward([[1.0], [3.0]], None, None, None, None, eps=0)
    np.testing.assert_array_equal(exact[:, 0], [-1.0, 1.0])


def test_batchnorm_eval_uses_the_running_statistics_and_leaves_them_as_they_are():
    x = np.array([[4.0, 0.0]])                          # one example is fine in evaluation
    out, mean, var = training.batchnorm_forward(x, [1.0, 3.0], [0.0, 1.0], [2.0, -1.0],
                                                [4.0, 0.25], training=False, eps=0.0)
    np.testing.assert_allclose(out, [[1.0, 3.0 * 2.0 + 1.0]])
    np.testing.assert_array_equal(mean, [2.0, -1.0])
    np.testing.assert_array_equal(var, [4.0, 0.25])


def test_batchnorm_without_running_statistics_returns_none_as_pytorch():
    out, mean, var = training.batchnorm_forward([[0.0], [2.0]], None, None, None, None)
    assert mean is None and var is None
    np.testing.assert_allclose(out[:, 0], [-1 / math.sqrt(1 + 1e-5), 1 / math.sqrt(1 + 1e-5)])


def test_batchnorm_leaves_its_inputs_unchanged():
    arrays = batch_problem(7)
    copies = [a.copy() for a in arrays]
    training.batchnorm_forward(*arrays)
    training.batchnorm_forward(*arrays, training=False)
    training.batchnorm_backward(arrays[0] * 0.1, arrays[0], arrays[1])
    training.layernorm_forward(*arrays[:3])
    for original, copy in zip(arrays, copies):
        np.testing.assert_array_equal(original, copy)


@pytest.mark.parametrize("kwargs, words", [
    ({"x": [[1.0, 2.0]]}, ["2개 이상", "분산이 0"]),
    ({"x": [[1.0, 2.0], [1.0, 3.0]], "eps": 0.0}, ["eps", "0으로 나누"]),
    ({"gamma": [1.0, 1.0, 1.0]}, ["gamma", "D(2)"]),
    ({"running_var": [1.0, -1.0]}, ["running_var", "음수"]),
    ({"momentum": 1.5}, ["momentum", "1 이하"]),
    ({"eps": -1e-5}, ["eps", "0 이상"]),
    ({"x": [[1.0, float("nan")], [0.0, 1.0]]}, ["NaN"]),
    ({"x": [1.0, 2.0]}, ["(N, D)"]),
    ({"x": [[1.0, 2.0]], "training": False, "running_mean": None}, ["running_mean"]),
])
def test_batchnorm_refuses_bad_input_in_korean(kwargs, words):
    args = {"x": [[1.0, 2.0], [3.0, 5.0]], "gamma": [1.0, 1.0], "beta": [0.0, 0.0],
            "running_mean": [0.0, 0.0], "running_var": [1.0, 1.0], **kwargs}
    with pytest.raises(ValueError) as excinfo:
        training.batchnorm_forward(**args)
    message = korean_error(excinfo)
    assert all(word in message for word in words), message


def test_batchnorm_refuses_a_training_flag_that_is_not_a_bool():
    with pytest.raises(TypeError) as excinfo:
        training.batchnorm_forward([[1.0], [2.0]], None, None, None, None, training="yes")
    assert "training" in korean_error(excinfo)


# ---------------------------------------------------------------------------------------------
# Batch norm backward.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, constant, eps", [(2, False, 0.5), (2, False, 1e-5), (5, True, 1e-5),
                                              (7, False, 0.3), (3, True, 1e-2)])
def test_batchnorm_backward_equals_central_differences(n, constant, eps):
    x, gamma, beta, _, _ = batch_problem(n, n=n, d=3)
    if constant:
        x[:, 1] = 4.0                                # a feature with batch variance 0
    dout = np.random.default_rng(n).normal(size=x.shape)

    def loss():
        return float(np.sum(dout * training.batchnorm_forward(x, gamma, beta, None, None,
                                                              eps=eps)[0]))

    dx, dgamma, dbeta = training.batchnorm_backward(dout, x, gamma, eps)
    # A constant feature's x_hat bends on the scale of sqrt(eps): a smaller step there.
    numeric = numerical_gradient(loss, x, 1e-6 if constant else 1e-5)
    np.testing.assert_allclose(dx, numeric, rtol=1e-5, atol=1e-7 * max(1.0, np.abs(numeric).max()))
    assert relative_error(dgamma, numerical_gradient(loss, gamma)) < 1e-8
    assert relative_error(dbeta, numerical_gradient(loss, beta)) < 1e-8


def test_batchnorm_backward_by_hand_for_two_examples():
    # x_hat = (-1, 1) / sqrt(1 + eps) with eps = 0: dbeta = sum dout, dgamma = sum dout * x_hat,
    # and dx = gamma / (N sigma) (N dout - dbeta - x_hat dgamma) = 0 for dout = (1, 1).
    dx, dgamma, dbeta = training.batchnorm_backward([[1.0], [1.0]], [[1.0], [3.0]], [2.0], eps=0)
    np.testing.assert_allclose(dbeta, [2.0])
    np.testing.assert_allclose(dgamma, [0.0], atol=1e-15)
    np.testing.assert_allclose(dx, [[0.0], [0.0]], atol=1e-15)
    dx, dgamma, dbeta = training.batchnorm_backward([[1.0], [0.0]], [[1.0], [3.0]], [2.0], eps=0)
    np.testing.assert_allclose((dbeta, dgamma), ([1.0], [-1.0]))
    np.testing.assert_allclose(dx, [[0.0], [0.0]], atol=1e-15)   # x_hat = ±1 exactly: flat


def test_batchnorm_backward_refuses_bad_input_in_korean():
    with pytest.raises(ValueError) as excinfo:
        training.batchnorm_backward([[1.0]], [[1.0]], [1.0])
    assert "2개 이상" in korean_error(excinfo)
    with pytest.raises(ValueError) as excinfo:
        training.batchnorm_backward([[1.0, 2.0]], [[1.0], [2.0]], [1.0])
    assert "dout" in korean_error(excinfo)


# ---------------------------------------------------------------------------------------------
# Layer norm.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_layernorm_equals_a_loop_over_rows(seed):
    x, gamma, beta, _, _ = batch_problem(seed, n=4, d=5)
    x[1] = -2.5                                       # a constant row: its x_hat is 0
    eps = [1e-5, 1e-2, 1.0][seed]
    expected = np.empty_like(x)
    for i, row in enumerate(x):
        mean = sum(row) / len(row)
        var = sum((v - mean) ** 2 for v in row) / len(row)
        expected[i] = [g * (v - mean) / math.sqrt(var + eps) + b
                       for v, g, b in zip(row, gamma, beta)]
    np.testing.assert_allclose(training.layernorm_forward(x, gamma, beta, eps), expected,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(training.layernorm_forward(x, gamma, beta, eps)[1], beta)


def test_layernorm_of_one_example_and_of_one_feature():
    np.testing.assert_allclose(training.layernorm_forward([[1.0, 3.0]], None, None, eps=0),
                               [[-1.0, 1.0]])
    np.testing.assert_array_equal(training.layernorm_forward([[5.0], [7.0]], [2.0], [0.5]),
                                  [[0.5], [0.5]])
    with pytest.raises(ValueError) as excinfo:
        training.layernorm_forward([[5.0], [7.0]], [2.0], [0.5], eps=0)
    assert "eps" in korean_error(excinfo)


# ---------------------------------------------------------------------------------------------
# Initialisation.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("nonlinearity, a, expected", [
    ("linear", 0, 1.0), ("conv2d", 0, 1.0), ("sigmoid", 0, 1.0), ("tanh", 0, 5 / 3),
    ("relu", 0, math.sqrt(2)), ("leaky_relu", 0, math.sqrt(2)),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("leaky_relu", -1.0, 1.0), ("selu", 0, 0.75)])
def test_gains_are_pytorchs_calculate_gain(nonlinearity, a, expected):
    assert training.nonlinearity_gain(nonlinearity, a) == pytest.approx(expected, rel=1e-15)
    assert training.init_std("kaiming", 50, 7, nonlinearity, a) == \
        pytest.approx(expected / math.sqrt(50), rel=1e-15)


@pytest.mark.parametrize("fan_in, fan_out, gain", [(3, 5, 1.0), (256, 64, 5 / 3), (1, 1, 0.5)])
def test_xavier_and_small_stds(fan_in, fan_out, gain):
    assert training.init_std("xavier", fan_in, fan_out, gain=gain) == \
        pytest.approx(gain * math.sqrt(2 / (fan_in + fan_out)), rel=1e-15)
    assert training.init_std("small", fan_in, fan_out) == 0.01


def test_kaiming_keeps_the_second_moment_of_relu_layers_and_xavier_the_variance():
    """The std's purpose, checked on large draws: with Kaiming, E[relu(x W)^2] = E[x^2]; with
    Xavier on a linear layer, Var(x W) = Var(x) * 2 fan_in / (fan_in + fan_out)."""
    rng = np.random.default_rng(0)
    fan_in, fan_out = 400, 300
    x = rng.standard_normal((3000, fan_in))
    std = training.init_std("kaiming", fan_in, fan_out, "relu")
    W = rng.normal(0.0, std, (fan_in, fan_out))
    assert W.std() == pytest.approx(std, rel=0.01)
    assert np.mean(np.maximum(x @ W, 0) ** 2) == pytest.approx(np.mean(x ** 2), rel=0.05)
    std = training.init_std("xavier", fan_in, fan_out)
    W = rng.normal(0.0, std, (fan_in, fan_out))
    assert (x @ W).var() == pytest.approx(x.var() * 2 * fan_in / (fan_in + fan_out), rel=0.05)


@pytest.mark.parametrize("args, words", [
    (("he", 3, 3), ["scheme", "'he'"]), (("kaiming", 0, 3), ["fan_in", "1 이상"]),
    (("kaiming", 3, 3, "swish"), ["nonlinearity", "'swish'"]),
    (("xavier", 3, 3, "relu", 0.0, -1.0), ["gain", "0 이상"])])
def test_init_std_refuses_bad_input_in_korean(args, words):
    with pytest.raises(ValueError) as excinfo:
        training.init_std(*args)
    message = korean_error(excinfo)
    assert all(word in message for word in words), message


def test_init_std_refuses_a_fractional_fan_in():
    with pytest.raises(ValueError) as excinfo:
        training.init_std("kaiming", 2.5, 3)
    assert "정수" in korean_error(excinfo)


# ---------------------------------------------------------------------------------------------
# Dropout.
# ---------------------------------------------------------------------------------------------

def test_dropout_is_mask_over_keep_probability_in_training_and_nothing_in_eval():
    x = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    mask = np.array([[1, 0, 1], [0, 1, 1]])
    np.testing.assert_allclose(training.dropout_forward(x, 0.25, mask),
                               [[4 / 3, 0.0, 4.0], [0.0, 20 / 3, -8.0]])
    np.testing.assert_array_equal(training.dropout_forward(x, 1.0, mask), np.zeros((2, 3)))
    np.testing.assert_array_equal(training.dropout_forward(x, 0.0, np.ones((2, 3))), x)
    evaluated = training.dropout_forward(x, 0.5, mask, training=False)
    np.testing.assert_array_equal(evaluated, x)
    assert evaluated is not x
    np.testing.assert_array_equal(training.dropout_forward(x, 0.5, None, training=False), x)


def test_dropout_in_expectation_over_many_masks_is_the_input():
    x = np.array([[0.3, 2.0, -1.0, 4.0]])
    masks = training.dropout_masks(40000, 4, 0.3, seed=1)
    assert masks.mean() == pytest.approx(0.7, abs=0.01)
    outputs = np.array([training.dropout_forward(x, 0.3, m[None])[0] for m in masks[:2000]])
    np.testing.assert_allclose(outputs.mean(axis=0), x[0], rtol=0.1)


@pytest.mark.parametrize("mask, p, words", [
    ([[1, 0.5]], 0.5, ["0(버림)", "1(남김)"]), ([[1, 0, 1]], 0.5, ["mask", "모양"]),
    (None, 0.5, ["mask"]), ([[1, 0]], 1.5, ["p", "1 이하"])])
def test_dropout_refuses_bad_input_in_korean(mask, p, words):
    with pytest.raises(ValueError) as excinfo:
        training.dropout_forward([[1.0, 2.0]], p, mask)
    message = korean_error(excinfo)
    assert all(word in message for word in words), message


def test_dropout_masks_are_reproducible_and_extend_with_more_masks():
    few, many = training.dropout_masks(5, 8, 0.5, 3), training.dropout_masks(50, 8, 0.5, 3)
    np.testing.assert_array_equal(few, many[:5])
    assert not np.array_equal(few, training.dropout_masks(5, 8, 0.5, 4))
    assert training.dropout_masks(10, 3, 0.0, 0).all()
    assert not training.dropout_masks(10, 3, 1.0, 0).any()


def test_dropout_over_masks_equals_a_loop_and_its_means_converge_to_eval():
    h, w = np.array([1.0, 0.5, 2.0, 0.1]), np.array([0.3, -0.2, 0.5, 1.0])
    p = 0.4
    masks = training.dropout_masks(20000, 4, p, 0)
    result = training.dropout_over_masks(h, w, p, masks)
    vanilla = [sum(hj * mj * wj for hj, mj, wj in zip(h, m, w)) for m in masks[:50]]
    np.testing.assert_allclose(result["vanilla"][:50], vanilla, rtol=1e-12)
    np.testing.assert_allclose(result["inverted"][:50], np.array(vanilla) / (1 - p), rtol=1e-12)
    assert result["inverted_eval"] == pytest.approx(h @ w)
    assert result["vanilla_eval"] == pytest.approx((1 - p) * (h @ w))
    np.testing.assert_allclose(result["vanilla_mean"][:50], np.cumsum(vanilla) / np.arange(1, 51))
    spread = result["inverted"].std() / math.sqrt(len(masks))
    assert abs(result["inverted_mean"][-1] - result["inverted_eval"]) < 4 * spread
    assert abs(result["vanilla_mean"][-1] - result["vanilla_eval"]) < 4 * spread * (1 - p)


# ---------------------------------------------------------------------------------------------
# Running statistics over steps.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("momentum", [0.1, 0.5, 0.0, 1.0])
def test_running_statistics_equal_successive_batchnorm_calls(momentum):
    batches = training.sample_batches(2, 25, 6, [1.0, -3.0], [0.5, 2.0])
    means, variances = training.running_statistics(batches, momentum, [0.5, 0.5], [2.0, 3.0])
    running_mean, running_var = np.array([0.5, 0.5]), np.array([2.0, 3.0])
    np.testing.assert_array_equal((means[0], variances[0]), (running_mean, running_var))
    for t, batch in enumerate(batches, start=1):
        _, running_mean, running_var = training.batchnorm_forward(
            batch, None, None, running_mean, running_var, momentum=momentum)
        np.testing.assert_allclose(means[t], running_mean, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(variances[t], running_var, rtol=1e-12, atol=1e-15)


def test_running_statistics_start_at_pytorchs_zero_and_one_and_converge():
    batches = training.sample_batches(0, 300, 32, [3.0], [2.0])
    means, variances = training.running_statistics(batches[:0])
    np.testing.assert_array_equal((means, variances), ([[0.0]], [[1.0]]))
    means, variances = training.running_statistics(batches, 0.1)
    assert means[-1, 0] == pytest.approx(3.0, abs=0.3)
    assert variances[-1, 0] == pytest.approx(4.0, abs=1.0)
    with pytest.raises(ValueError) as excinfo:
        training.running_statistics(batches[:, :1])
    assert "2개 이상" in korean_error(excinfo)


# ---------------------------------------------------------------------------------------------
# The deep net.
# ---------------------------------------------------------------------------------------------

ACTIVATION = {"tanh": (np.tanh, lambda u: 1 - np.tanh(u) ** 2),
              "sigmoid": (lambda u: 1 / (1 + np.exp(-u)),
                          lambda u: np.exp(-u) / (1 + np.exp(-u)) ** 2),
              "relu": (lambda u: np.maximum(u, 0), lambda u: (u > 0) * 1.0),
              "leaky_relu": (lambda u: np.where(u > 0, u, 0.01 * u),
                             lambda u: np.where(u > 0, 1.0, 0.01))}


def plain_net_output(x, weights, activation, batchnorm, residual, bias):
    """The net's last layer output, layer by layer and feature by feature, as one writes it."""
    f = ACTIVATION[activation][0]
    h = x
    for W in weights:
        z = h @ W + bias
        if batchnorm:
            u = np.empty_like(z)
            for j in range(z.shape[1]):
                column = z[:, j]
                u[:, j] = (column - column.mean()) / math.sqrt(column.var() + 1e-5)
        else:
            u = z
        h = h + f(u) if residual else f(u)
    return h


NET_CASES = [(act, bn, res) for act in training.ACTIVATIONS for bn in (False, True)
             for res in (False, True)]


@pytest.mark.parametrize("activation, batchnorm, residual", NET_CASES)
def test_deep_net_forward_equals_a_plain_loop_and_its_gradients_central_differences(
        activation, batchnorm, residual):
    rng = np.random.default_rng(len(activation) + 2 * batchnorm + residual)
    x, weights = rng.normal(size=(5, 3)), rng.normal(0, 0.8, (3, 3, 3))
    upstream, bias = rng.normal(size=(5, 3)), 0.1
    net = training.deep_net(x, weights, upstream, activation, batchnorm, residual, bias)
    np.testing.assert_allclose(net["h"][-1], plain_net_output(x, weights, activation, batchnorm,
                                                              residual, bias), rtol=1e-12)

    def loss():
        return float(np.sum(upstream * plain_net_output(x, weights, activation, batchnorm,
                                                        residual, bias)))

    dW = numerical_gradient(loss, weights)
    np.testing.assert_allclose(net["grad_W"], np.linalg.norm(dW, axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(net["grad_h"][0], np.linalg.norm(numerical_gradient(loss, x)),
                               rtol=1e-6)
    assert net["grad_h"][-1] == pytest.approx(np.linalg.norm(upstream))


def test_layer_statistics_equal_per_layer_loops():
    rng = np.random.default_rng(5)
    x, weights = rng.normal(size=(16, 6)), rng.normal(0, 0.6, (4, 6, 6))
    upstream = rng.normal(size=(16, 6))
    for activation, value_range in (("relu", (0.0, 1.5)), ("tanh", (-1.0, 1.0))):
        net = training.deep_net(x, weights, upstream, activation, bias=-0.3)
        stats = training.layer_statistics(net, activation, value_range, bins=8)
        f, slope = ACTIVATION[activation]
        h = x
        for l, W in enumerate(weights):
            u = h @ W - 0.3
            a = f(u)
            counts, _ = np.histogram(np.clip(a, *value_range), bins=8, range=value_range)
            np.testing.assert_allclose(stats["hist"][l], counts / a.size)
            assert stats["a_std"][l] == pytest.approx(a.std())
            assert stats["a_mean"][l] == pytest.approx(a.mean())
            dead = [all(u[:, j] <= 0) for j in range(u.shape[1])]
            assert stats["dead"][l] == pytest.approx(np.mean(dead))
            assert stats["saturated"][l] == pytest.approx(np.mean(slope(u) < 0.01))
            h = a
        if activation == "relu":
            assert stats["dead"].max() > 0                # the negative bias kills some ReLUs


def test_histograms_count_every_value_once_with_outside_values_at_the_ends():
    values = np.array([[-5.0, 0.0, 0.49, 0.5, 0.99, 1.0, 7.0], [0.1] * 7])
    counts = training.histograms(values, 0.0, 1.0, 2)
    np.testing.assert_array_equal(counts, [[3, 4], [7, 0]])
    assert counts.dtype.kind == "i"


def test_deep_net_refuses_bad_input_in_korean():
    x, weights = np.ones((4, 3)), np.ones((2, 3, 3))
    for kwargs, words in [({"weights": np.ones((2, 3, 4))}, ["weights", "(L, D, D)"]),
                          ({"upstream": np.ones((3, 3))}, ["upstream"]),
                          ({"activation": "gelu"}, ["activation", "'gelu'"]),
                          ({"x": np.ones((1, 3)), "upstream": np.ones((1, 3)), "batchnorm": True},
                           ["2개 이상"]),
                          ({"weights": np.full((2, 3, 3), 1e200), "activation": "relu"},
                           ["overflow"])]:
        args = {"x": x, "weights": weights, "upstream": np.ones((4, 3)), **kwargs}
        with pytest.raises(ValueError) as excinfo:
            training.deep_net(**args)
        message = korean_error(excinfo)
        assert all(word in message for word in words), message


@pytest.mark.parametrize("call, words", [
    (lambda: training.unit_draws([1], 2, 3, 4), ["seed", "정수"]),
    (lambda: training.unit_draws(0, 2, 0, 4), ["width", "1 이상"]),
    (lambda: training.sample_batches(0, 3, 2, [0.0, 1.0], [1.0]), ["stds"]),
    (lambda: training.sample_batches(0, 2.5, 2, [0.0], [1.0]), ["steps", "정수"]),
    (lambda: training.dropout_masks(10, 3, 1.5, 0), ["p", "1 이하"]),
    (lambda: training.dropout_masks(0, 3, 0.5, 0), ["count", "1 이상"]),
    (lambda: training.histograms([[0.5]], 1.0, 1.0, 4), ["hi", "1보다 커야"]),
    (lambda: training.dropout_over_masks([1.0, 2.0], [1.0], 0.5, [[1, 0]]), ["w", "길이"])])
def test_helpers_refuse_bad_input_in_korean(call, words):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        call()
    message = korean_error(excinfo)
    assert all(word in message for word in words), message


@pytest.mark.parametrize("scheme, activation, expected", [
    ("small", "tanh", 0.01), ("large", "relu", training.LARGE_STD),
    ("xavier", "relu", 1 / 8), ("kaiming", "relu", math.sqrt(2 / 64)),
    ("kaiming", "tanh", 5 / 3 / 8), ("kaiming", "leaky_relu", math.sqrt(2 / (1 + 1e-4)) / 8)])
def test_layer_std_of_each_scheme(scheme, activation, expected):
    assert training.layer_std(scheme, 64, activation) == pytest.approx(expected, rel=1e-15)


# ---------------------------------------------------------------------------------------------
# Widgets.
# ---------------------------------------------------------------------------------------------

def outputs_of(result, kind):
    return [o for o in result["outputs"] if o["kind"] == kind]


def plot_of(result, plot_id):
    return next(o["figure"] for o in outputs_of(result, "plot") if o["id"] == plot_id)


def texts(result) -> str:
    return " ".join(o["text"] for o in outputs_of(result, "text"))


def stat_of(result, label):
    return dict(outputs_of(result, "stats")[0]["items"])[label]


@pytest.mark.parametrize("state, finding", [
    ({}, "0으로 줄어듭니다"), ({"init": "kaiming", "activation": "relu"}, "학습하기 좋은"),
    ({"init": "xavier", "activation": "sigmoid"}, "vanishing gradient"),
    ({"init": "large"}, "포화(saturation)"),
    ({"init": "kaiming", "activation": "relu", "residual": True}, "폭발"),
    ({"init": "kaiming", "activation": "relu", "bias": "-0.5"}, "죽은 ReLU"),
    ({"batchnorm": True}, "학습하기 좋은"), ({"residual": True}, "학습하기 좋은")])
def test_init_depth_shows_the_lectures_findings(state, finding):
    result = widget.update("init-depth", state)
    assert result["ok"], result
    assert finding in texts(result)


def test_init_depth_pictures_are_the_layer_statistics():
    result = widget.update("init-depth", {"depth": "12", "init": "xavier", "activation": "relu",
                                          "seed": "3"})
    x, U, G = training.unit_draws(3, training_widgets.MAX_DEPTH, 64, 64)
    net = training.deep_net(x, U[:12] / 8, G / 64, "relu")
    stats = training.layer_statistics(net, "relu", training_widgets.VALUE_RANGE["relu"],
                                      training_widgets.HIST_BINS)
    heatmap = plot_of(result, "histograms")["data"][0]
    assert len(heatmap["y"]) == 12 and len(heatmap["x"]) == training_widgets.HIST_BINS
    np.testing.assert_allclose(heatmap["z"], stats["hist"], atol=5e-5)
    lines = plot_of(result, "layers")["data"]
    np.testing.assert_allclose(lines[0]["y"], stats["a_std"], rtol=1e-3)
    np.testing.assert_allclose(lines[1]["y"], stats["grad_W"], rtol=1e-3)
    np.testing.assert_allclose(lines[2]["y"], stats["dead"], rtol=1e-3)
    assert stat_of(result, "가중치 std") == "0.125"


def test_init_depth_refuses_bad_input_in_korean_and_keeps_what_was_typed():
    for state, words in [({"depth": "0"}, ["층 수", "1 이상"]), ({"depth": "21"}, ["20 이하"]),
                         ({"seed": "abc"}, ["seed", "숫자"]), ({"width": "100"}, ["목록"])]:
        result = widget.update("init-depth", state)
        assert not result["ok"] and all(w in result["message"] for w in words), result["message"]
        assert all(result["state"][k] == v for k, v in state.items())


def test_batchnorm_widget_train_eval_and_layer_norm():
    train = widget.update("batchnorm", {"batch": "16"})
    assert train["ok"], train
    x = training.sample_batches(0, 2, 16, training_widgets.FEATURE_MEANS,
                                training_widgets.FEATURE_STDS)[0]
    assert stat_of(train, "정규화에 쓴 평균 (특징 1)") == f"{x[:, 0].mean():.3f}"
    after = plot_of(train, "batch")["data"][2]
    out = training.batchnorm_forward(x, None, None, None, None)[0]
    np.testing.assert_allclose(after["x"], out[:, 0], atol=5e-4)
    same = outputs_of(train, "table")[1]["rows"][0]
    assert same[1] != same[2] and "달라집니다" in texts(train)
    per_feature = outputs_of(train, "table")[0]["rows"]        # x̂: mean 0, std 1 per feature
    assert [row[0] for row in per_feature] == ["특징 1", "특징 2", "특징 3", "특징 4"]
    assert all(row[1] == 0 and abs(row[2] - 1) < 1e-3 for row in per_feature)

    evaluated = widget.update("batchnorm", {"norm": "bn_eval", "steps": "300", "momentum": "0.1"})
    same = outputs_of(evaluated, "table")[1]["rows"][0]
    assert same[1] == same[2] and "running 통계(고정값)" in texts(evaluated)
    means, _ = training.running_statistics(training_widgets._training_batches(0), 0.1)
    assert stat_of(evaluated, "정규화에 쓴 평균 (특징 1)") == f"{means[-1, 0]:.3f}"
    assert "참값에 가깝지 않습니다" not in texts(evaluated)
    early = widget.update("batchnorm", {"norm": "bn_eval", "steps": "3", "momentum": "0.1"})
    assert "참값에 가깝지 않습니다" in texts(early)
    assert abs(outputs_of(early, "table")[0]["rows"][0][2] - 1) > 0.2   # not normalised yet

    layer = widget.update("batchnorm", {"norm": "ln"})
    assert [o["id"] for o in outputs_of(layer, "plot")] == ["batch", "axis"]   # no running stats
    frame = plot_of(layer, "axis")["layout"]["shapes"][0]
    assert (frame["x0"], frame["x1"], frame["y0"], frame["y1"]) == (-0.5, 3.5, -0.5, 0.5)
    xhat = outputs_of(layer, "table")[0]["rows"]
    assert all(abs(row[1]) < 1e-3 and abs(row[2] - 1) < 1e-3 for row in xhat)


def test_batchnorm_widget_with_one_example_explains_the_zero_variance():
    result = widget.update("batchnorm", {"batch": "1", "affine": [["1", "0.5"]] + [["1", "0"]] * 3})
    assert result["ok"], result
    warning = [o for o in outputs_of(result, "text") if o["tone"] == "warn"][0]["text"]
    assert "분산이 0" in warning and "β" in warning
    after = plot_of(result, "batch")["data"][2]
    assert (after["x"], after["y"]) == ([0.5], [0.0])
    # no "same example in another batch" table: with one example there is no other example
    assert [t["caption"] for t in outputs_of(result, "table")] == [training_widgets.TEXT["xhat_bn"]]
    evaluated = widget.update("batchnorm", {"batch": "1", "norm": "bn_eval"})
    assert evaluated["ok"] and "예제 1개짜리 배치도" in texts(evaluated)


def test_batchnorm_widget_refuses_bad_input_in_korean():
    for state, words in [({"batch": "0"}, ["배치 크기", "1 이상"]),
                         ({"momentum": "2"}, ["momentum", "1 이하"]),
                         ({"affine": [["x", "0"]] + [["1", "0"]] * 3}, ["γ", "특징 1", "숫자"]),
                         ({"eps": "-1"}, ["ε", "0 이상"])]:
        result = widget.update("batchnorm", state)
        assert not result["ok"] and all(w in result["message"] for w in words), result["message"]


def test_dropout_widget_both_conventions_agree_in_expectation():
    result = widget.update("dropout", {"p": "0.5", "masks": "4000"})
    assert result["ok"], result
    table = outputs_of(result, "table")[0]
    assert table["columns"] == ["", "강의 방식", "Inverted"]
    means, evaluated, difference = (row[1:] for row in table["rows"])
    for k in range(2):
        assert abs(difference[k]) < 0.05 * abs(evaluated[k])
        assert difference[k] == pytest.approx(means[k] - evaluated[k], abs=2e-4)
    assert evaluated[0] == pytest.approx(0.5 * evaluated[1], abs=1e-4)
    units = plot_of(result, "units")["data"]
    h, mask = np.array(units[0]["y"]), np.array(units[1]["y"]) > 0
    np.testing.assert_allclose(np.array(units[1]["y"])[mask], 2 * h[mask], atol=1e-3)
    vanilla = widget.update("dropout", {"p": "0.5", "convention": "vanilla"})
    np.testing.assert_allclose(plot_of(vanilla, "units")["data"][2]["y"], 0.5 * h, atol=1e-3)
    again = widget.update("dropout", result["state"], {"type": "action", "name": "resample"})
    assert again["state"]["draws"] == 1
    assert plot_of(again, "units")["data"][1]["y"] != units[1]["y"]


def test_dropout_widget_with_everything_dropped_and_bad_input():
    result = widget.update("dropout", {"p": "1"})
    assert result["ok"] and "p = 1" in texts(result)
    assert set(plot_of(result, "units")["data"][1]["y"]) == {0}
    bad = widget.update("dropout", {"p": "1.2"})
    assert not bad["ok"] and "1 이하" in bad["message"]
    bad = widget.update("dropout", {"masks": "0"})
    assert not bad["ok"] and "마스크 수" in bad["message"]


@pytest.mark.parametrize("widget_id, state", [
    ("init-depth", {"depth": "1"}), ("init-depth", {"depth": "20"}), ("batchnorm", {"batch": "1"}),
    ("batchnorm", {"batch": "64", "norm": "ln"}), ("dropout", {"masks": "1"})])
def test_pictures_are_never_lower_than_the_hosts_plot_box(widget_id, state):
    """host.css gives every plot at least 240 px: a lower figure would leave an empty band."""
    result = widget.update(widget_id, state)
    assert result["ok"], result
    for output in outputs_of(result, "plot"):
        assert output["figure"]["layout"]["height"] >= training_widgets.MIN_HEIGHT, output["id"]
