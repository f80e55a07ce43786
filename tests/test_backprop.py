"""demos.backprop against independent references: the lecture's hand-worked numbers, central
differences on random expressions of the grammar, scipy's logsumexp; then the parser's refusals."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.special import logsumexp

from demos import backprop, mlp
from demos.backprop import evaluate_expression, two_layer_net_loss
from numeric import numerical_gradient

HANGUL = re.compile(r"[가-힣]")


def korean_error(excinfo) -> str:
    message = str(excinfo.value)
    assert HANGUL.search(message), f"message is not Korean: {message!r}"
    return message


# ---------------------------------------------------------------------------------------------
# evaluate_expression: hand-derived gradients of the widget's presets.
# ---------------------------------------------------------------------------------------------

def test_lecture_add_mul_example():
    # Lecture 4: f = (x + y) z at x=-2, y=5, z=-4: q = 3, f = -12, df/dx = df/dy = z, df/dz = q.
    out = evaluate_expression("(x+y)*z", {"x": -2, "y": 5, "z": -4})
    assert out == {"value": -12.0, "grads": {"x": -4.0, "y": -4.0, "z": 3.0}}


def test_sigmoid_neuron_matches_the_lecture():
    w0, x0, w1, x1, w2 = 2.0, -1.0, -3.0, -2.0, -3.0
    out = evaluate_expression("1/(1+exp(-(w0*x0+w1*x1+w2)))",
                              dict(w0=w0, x0=x0, w1=w1, x1=x1, w2=w2))
    s = 1 / (1 + math.exp(-(w0 * x0 + w1 * x1 + w2)))
    ds = s * (1 - s)                       # sigmoid' = (1 - s) s: 0.2 in the lecture
    assert out["value"] == pytest.approx(s, rel=1e-15) and round(s, 2) == 0.73
    expected = {"w0": ds * x0, "x0": ds * w0, "w1": ds * x1, "x1": ds * w1, "w2": ds}
    assert out["grads"] == pytest.approx(expected, rel=1e-12)
    assert [round(out["grads"][k], 2) for k in ("w0", "x0", "w1", "x1", "w2")] == \
        [-0.2, 0.39, -0.39, -0.59, 0.2]


def test_fan_out_adds_the_gradients_of_every_use():
    out = evaluate_expression("x*x*x+3*x", {"x": 2.0})
    assert out == {"value": 14.0, "grads": {"x": 3 * 2.0 ** 2 + 3}}
    nodes = backprop.build_graph("x*x*x+3*x", {"x": 2.0})
    x = next(i for i, n in enumerate(nodes) if n.op == "var")
    assert len(nodes[x].consumers) == 4 and sum(1 for n in nodes if n.op == "var") == 1
    _, records = backprop.backward(nodes)
    into_x = [r for r in records if r["input"] == x]
    assert [r["downstream"] for r in into_x] == [3.0, 4.0, 4.0, 4.0]   # 3*x, then x*x*x's
    assert [r["after"] for r in into_x] == [3.0, 7.0, 11.0, 15.0]      # += at each use
    assert all(r["after"] == r["before"] + r["upstream"] * r["local"] for r in records)


def test_max_gate_routes_to_the_winner_and_splits_a_tie_like_torch_maximum():
    assert evaluate_expression("max(x, y)*z", {"x": 4, "y": 2, "z": 3})["grads"] == \
        {"x": 3.0, "y": 0.0, "z": 4.0}
    assert evaluate_expression("max(x, y)*z", {"x": 1, "y": 5, "z": 3})["grads"] == \
        {"x": 0.0, "y": 3.0, "z": 5.0}
    # torch.maximum's derivative at self == other is grad / 2 to each input.
    assert evaluate_expression("max(x, y)*z", {"x": 1, "y": 1, "z": 3})["grads"] == \
        {"x": 1.5, "y": 1.5, "z": 1.0}


@pytest.mark.parametrize("x, grad", [(0.0, 0.0), (-1.0, 0.0), (0.5, 1.0)])
def test_relu_derivative_is_zero_at_zero(x, grad):
    assert evaluate_expression("relu(x)", {"x": x})["grads"]["x"] == grad


def test_pow_with_zero_exponent_has_zero_gradient_and_negative_exponents_work():
    assert evaluate_expression("x**0", {"x": 0.0}) == {"value": 1.0, "grads": {"x": 0.0}}
    out = evaluate_expression("x**-2 + 2*x**0.5", {"x": 4.0})
    assert out["value"] == pytest.approx(1 / 16 + 4)
    assert out["grads"]["x"] == pytest.approx(-2 / 64 + 0.5)


def test_unused_variables_get_zero_and_literals_alone_work():
    assert evaluate_expression("3", {"x": 1.0, "y": 2.0}) == \
        {"value": 3.0, "grads": {"x": 0.0, "y": 0.0}}
    assert evaluate_expression("x", {"x": 1.5}) == {"value": 1.5, "grads": {"x": 1.0}}


def test_backward_twice_without_zeroing_doubles_the_leaf_gradients():
    nodes = backprop.build_graph("(x+y)*z", {"x": -2, "y": 5, "z": -4})
    once, _ = backprop.backward(nodes)
    twice, records = backprop.backward(nodes, passes=2)
    leaves = [i for i, n in enumerate(nodes) if not n.inputs]
    assert [twice[i] for i in leaves] == [2 * once[i] for i in leaves]
    inner = [i for i, n in enumerate(nodes) if n.inputs]
    assert [twice[i] for i in inner] == [once[i] for i in inner]      # not kept across passes
    assert len(records) == 2 * 4 and {r["pass"] for r in records} == {0, 1}


# ---------------------------------------------------------------------------------------------
# Random expressions of the grammar against central differences.
# ---------------------------------------------------------------------------------------------

LEAVES = st.sampled_from(["x", "y", "z", "0.5", "2", "1.5"])


def _grow(children):
    unary = st.sampled_from(["tanh({})", "sigmoid({})", "exp(tanh({}))", "log(1+({})**2)",
                             "({})**2", "-({})", "({})**3"])
    binary = st.sampled_from(["({})+({})", "({})-({})", "({})*({})", "({})/(1+({})**2)"])
    return st.one_of(st.builds(lambda f, a: f.format(a), unary, children),
                     st.builds(lambda f, a, b: f.format(a, b), binary, children, children))


EXPRESSIONS = st.recursive(LEAVES, _grow, max_leaves=8)
VALUES = st.fixed_dictionaries({k: st.floats(-2, 2) for k in "xyz"})


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS, VALUES)
def test_random_expressions_match_central_differences(expression, values):
    try:
        out = evaluate_expression(expression, values)
    except ValueError:
        return                               # an overflow somewhere: refused, nothing to compare
    h = 1e-6
    for name in values:
        plus = evaluate_expression(expression, {**values, name: values[name] + h})["value"]
        minus = evaluate_expression(expression, {**values, name: values[name] - h})["value"]
        numeric = (plus - minus) / (2 * h)
        scale = max(1.0, abs(numeric), abs(out["value"]))
        assert out["grads"][name] == pytest.approx(numeric, abs=1e-5 * scale), (expression, name)


# ---------------------------------------------------------------------------------------------
# The parser refuses everything outside the grammar, in Korean.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expression, needle", [
    ("__import__('os')", "쓸 수 있는 함수가 아닙니다"),
    ("x.y", "속성 접근"),
    ("lambda: 1", "lambda"),
    ("[x for x in y]", "comprehension"),
    ("x**y", "지수는 숫자"),
    ("foo(x)", "쓸 수 있는 함수가 아닙니다"),
    ("q + x", "변수 'q'의 값이 없습니다"),
    ("1/0", "유한하지 않습니다"),
    ("log(0)", "유한하지 않습니다"),
    ("exp(1000)", "유한하지 않습니다"),
    ("log(x - 5)", "유한하지 않습니다"),
    ("x**0.5 * 0", "기울기가 유한하지 않습니다"),     # value 0 but the gradient at 0 is infinite
    ("x[0]", "인덱싱"),
    ("x < y", "비교"),
    ("max(x)", "인자가 2개"),
    ("exp(x, y)", "인자가 1개"),
    ("exp", "함수입니다"),
    ("True * x", "숫자가 아닙니다"),
    ("'a'", "숫자가 아닙니다"),
    ("1e400", "유한하지 않습니다"),
    ("x +", "식을 읽을 수 없습니다"),
    ("", "비어 있습니다"),
    ("x" + "+x" * 250, "자 이하"),
    ("-(" * 60 + "x" + ")" * 60, "중첩"),
    ("+x", "쓸 수 없습니다"),
    ("x if y else 1", "조건식"),
])
def test_parser_refuses_in_korean(expression, needle):
    with pytest.raises(ValueError) as excinfo:
        evaluate_expression(expression, {"x": 0.0, "y": 1.0})
    assert re.search(needle, korean_error(excinfo))


def test_the_expression_is_never_run(monkeypatch):
    import builtins
    monkeypatch.setattr(builtins, "eval", lambda *a, **k: pytest.fail("eval was called"))
    monkeypatch.setattr(builtins, "exec", lambda *a, **k: pytest.fail("exec was called"))
    with pytest.raises(ValueError):
        evaluate_expression("__import__('os').system('true')", {})


@pytest.mark.parametrize("values, error", [
    ({"x": float("nan")}, ValueError), ({"x": float("inf")}, ValueError),
    ({"x": "1"}, TypeError), ({"x": True}, TypeError), ([("x", 1)], TypeError),
    ({"1x": 1.0}, ValueError),
])
def test_bad_values_are_refused_in_korean(values, error):
    with pytest.raises(error) as excinfo:
        evaluate_expression("x", values)
    korean_error(excinfo)


# ---------------------------------------------------------------------------------------------
# two_layer_net_loss.
# ---------------------------------------------------------------------------------------------

def net_problem(seed, n=6, d=3, hidden=5, k=4, scale=1.0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, d)), rng.integers(0, k, n), rng.normal(size=(d, hidden)),
            rng.normal(size=hidden), rng.normal(size=(hidden, k)) * scale, rng.normal(size=k))


def reference_loss(X, y, W1, b1, W2, b2, reg, activation):
    z = X @ W1 + b1
    h = {"relu": np.maximum(z, 0), "tanh": np.tanh(z), "sigmoid": 1 / (1 + np.exp(-z)),
         "leaky_relu": np.where(z > 0, z, 0.01 * z)}[activation]
    s = h @ W2 + b2
    return float(np.mean(logsumexp(s, axis=1) - s[np.arange(len(y)), y])
                 + reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2)))


@pytest.mark.parametrize("activation", backprop.ACTIVATIONS)
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_two_layer_net_matches_central_differences(activation, reg):
    X, y, W1, b1, W2, b2 = net_problem(seed=len(activation))
    loss, grads = two_layer_net_loss(X, y, W1, b1, W2, b2, reg, activation)
    assert loss == pytest.approx(reference_loss(X, y, W1, b1, W2, b2, reg, activation), rel=1e-12)
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    for name, p in params.items():
        f = lambda: two_layer_net_loss(X, y, W1, b1, W2, b2, reg, activation)[0]  # noqa: E731
        numeric = numerical_gradient(f, p, h=1e-6)
        assert mlp.rel_error(grads[name], numeric) < 1e-6, name


def test_large_scores_do_not_overflow_the_softmax():
    X, y, W1, b1, W2, b2 = net_problem(seed=3, scale=5e3)      # scores of order 1e4
    W1 = np.abs(W1) + 1.0
    X = np.abs(X) + 1.0                                         # ReLU passes everything
    scores = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    with np.errstate(over="ignore"):
        assert np.abs(scores).max() > 1e4 and not np.all(np.isfinite(np.exp(scores)))
    loss, grads = two_layer_net_loss(X, y, W1, b1, W2, b2, 0.0, "relu")
    assert loss == pytest.approx(reference_loss(X, y, W1, b1, W2, b2, 0.0, "relu"), rel=1e-12)
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    f = lambda: two_layer_net_loss(X, y, W1, b1, W2, b2, 0.0, "relu")[0]  # noqa: E731
    assert mlp.rel_error(grads["b2"], numerical_gradient(f, b2, h=1e-4)) < 1e-6


def test_inputs_are_not_modified_and_bias_is_not_regularised():
    X, y, W1, b1, W2, b2 = net_problem(seed=5)
    copies = [a.copy() for a in (X, W1, b1, W2, b2)]
    _, g0 = two_layer_net_loss(X, y, W1, b1, W2, b2, 0.0)
    _, g1 = two_layer_net_loss(X, y, W1, b1, W2, b2, 0.5)
    assert all(np.array_equal(a, c) for a, c in zip((X, W1, b1, W2, b2), copies))
    assert np.allclose(g1["W1"] - g0["W1"], 2 * 0.5 * W1) and np.array_equal(g1["b1"], g0["b1"])


@pytest.mark.parametrize("change, needle", [
    ({"activation": "softplus"}, "activation"),
    ({"y": [0, 1, 2, 3, 4, 9]}, "label은 0 이상 3 이하"),
    ({"b1": np.zeros(2)}, "모양이 맞지 않습니다"),
    ({"reg": -1.0}, "0 이상"),
    ({"X": np.zeros((0, 3)), "y": []}, "비어 있습니다|배열"),
])
def test_two_layer_net_refuses_bad_input_in_korean(change, needle):
    X, y, W1, b1, W2, b2 = net_problem(seed=1)
    args = dict(X=X, y=y, W1=W1, b1=b1, W2=W2, b2=b2, reg=0.0, activation="relu", **{})
    args.update(change)
    with pytest.raises(ValueError) as excinfo:
        two_layer_net_loss(**args)
    assert re.search(needle, korean_error(excinfo))


# ---------------------------------------------------------------------------------------------
# Training, data, gradient check.
# ---------------------------------------------------------------------------------------------

def test_rel_error_is_the_assignments():
    a, n = np.array([1.0, 0.0, -2.0]), np.array([1.0, 1e-10, -2.2])
    assert mlp.rel_error(a, n) == pytest.approx(0.2 / 4.2)      # 1e-10 / 1e-8 is smaller
    assert mlp.rel_error([0.0], [1e-9]) == pytest.approx(0.1)   # the 1e-8 floor
    assert mlp.rel_error([0.0], [0.0]) == 0.0


def test_gradient_check_agrees_and_catches_a_wrong_gradient(monkeypatch):
    X, y = mlp.make_data("spiral", 30, 3, 0.2, 0)
    params = mlp.init_params(2, 8, 3, seed=1)
    for activation in backprop.ACTIVATIONS:
        check = mlp.gradient_check(X, y, params, 1e-2, activation)
        assert max(c["rel_error"] for c in check.values()) < 1e-6
        assert len(check["W1"]["numeric"]) == 16
    sampled = mlp.gradient_check(X, y, params, 0.0, "tanh", max_entries=5)
    assert [len(c["indices"]) for c in sampled.values()] == [5, 5, 5, 3]
    real = backprop.loss_and_grads
    monkeypatch.setattr(backprop, "loss_and_grads", lambda *a: (
        lambda loss, g: (loss, {**g, "b2": g["b2"] * 1.1}))(*real(*a)))
    assert mlp.gradient_check(X, y, params, 0.0, "relu")["b2"]["rel_error"] > 1e-2


def test_training_lowers_the_loss_and_fits_the_spiral():
    X, y = mlp.make_data("spiral", 90, 3, 0.1, 0)
    params = mlp.init_params(2, 32, 3, seed=0)
    trained, losses = mlp.train(params, X, y, 400, 1.0, 1e-4, "relu")
    assert len(losses) == 400 and losses[-1] < 0.5 * losses[0]
    assert mlp.accuracy(trained, X, y, "relu") > 0.9
    again, _ = mlp.train(params, X, y, 400, 1.0, 1e-4, "relu")     # pure: same result
    assert all(np.array_equal(again[k], trained[k]) for k in trained)


@pytest.mark.parametrize("kind", [k for k, _ in mlp.DATASETS])
def test_data_sets_are_seeded_and_in_the_plane(kind):
    X, y = mlp.make_data(kind, 100, 3, 0.2, 7)
    X2, y2 = mlp.make_data(kind, 100, 3, 0.2, 7)
    assert np.array_equal(X, X2) and np.array_equal(y, y2) and X.shape == (100, 2)
    assert np.abs(X).max() < 1.5
    assert set(y) == ({0, 1} if kind == "xor" else {0, 1, 2})


# ---------------------------------------------------------------------------------------------
# Widget mlp-train: what the reader sees before training, and the comparison on a phone.
# ---------------------------------------------------------------------------------------------

def test_loss_chart_before_training_shows_the_current_loss_and_says_what_to_do():
    from demos import widget
    figure = widget.plot_figures("mlp-train")["mlp-loss"]
    (trace,) = [t for t in figure["data"] if t.get("type") == "scatter"]
    loss = widget.update("mlp-train")["outputs"][0]["items"][1][1]
    assert list(trace["x"]) == [0] and float(trace["y"][0]) == pytest.approx(float(loss), abs=1e-4)
    assert "학습 / 정지" in figure["layout"]["annotations"][0]["text"]
    state = widget.update("mlp-train", {}, {"type": "action", "name": "step"})["state"]
    trained = widget.plot_figures("mlp-train", state)["mlp-loss"]
    assert not trained["layout"]["annotations"]


def test_comparison_titles_are_short_lines_that_fit_a_phone_panel():
    from demos import widget
    figure = widget.plot_figures("mlp-train", {"view": "compare"})["mlp-compare"]
    notes = [a["text"] for a in figure["layout"]["annotations"]]
    assert len(notes) == 3
    for note in notes:
        lines = note.split("<br>")
        assert len(lines) == 3 and max(map(len, lines)) <= 10, note
