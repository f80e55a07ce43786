"""demos.linear against independent references: central-difference gradients, closed forms,
hand-computed numbers, scipy's logsumexp and plain-Python loops; then the widget."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.special import logsumexp

from demos import linear, widget
from demos.plotting import plane_grid
from demos.widgets import linear as linear_widget
from demos.linear import softmax_loss, svm_loss
from numeric import numerical_gradient, relative_error
from png_decode import image_cells

HANGUL = re.compile(r"[가-힣]")


def korean_error(excinfo) -> str:
    message = str(excinfo.value)
    assert HANGUL.search(message), f"message is not Korean: {message!r}"
    return message


def random_problem(seed, n=7, d=4, c=5, scale=1.0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(d, c)) * scale, rng.normal(size=c), rng.normal(size=(n, d)),
            rng.integers(0, c, n))


def svm_reference(W, b, X, y, reg, delta, variant="ww"):
    """The SVM losses written as loops over examples and classes (ww is the lecture's)."""
    S = X @ W + b
    total = 0.0
    for i in range(len(X)):
        wrong = [j for j in range(W.shape[1]) if j != y[i]]
        if variant == "ww":
            total += sum(max(0.0, S[i, j] - S[i, y[i]] + delta) for j in wrong)
        elif variant == "ova":
            total += sum(max(0.0, delta + S[i, j]) for j in wrong) + max(0.0, delta - S[i, y[i]])
        else:
            total += max(0.0, max(S[i, j] for j in wrong) - S[i, y[i]] + delta)
    return total / len(X) + reg * np.sum(W ** 2)


# ---------------------------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reg", [0.0, 0.1, 2.5])
@pytest.mark.parametrize("seed", range(4))
def test_softmax_gradients_match_central_differences(seed, reg):
    W, b, X, y = random_problem(seed)
    loss, dW, db = softmax_loss(W, b, X, y, reg=reg)
    f = lambda: softmax_loss(W, b, X, y, reg)[0]  # noqa: E731
    assert relative_error(dW, numerical_gradient(f, W)) < 1e-6
    assert relative_error(db, numerical_gradient(f, b)) < 1e-6


@pytest.mark.parametrize("reg, delta", [(0.0, 1.0), (0.1, 1.0), (0.7, 0.5), (0.0, 3.0)])
@pytest.mark.parametrize("seed", range(4))
def test_svm_gradients_match_central_differences(seed, reg, delta):
    W, b, X, y = random_problem(seed)
    S = X @ W + b
    margins = S - S[np.arange(len(y)), y][:, None] + delta
    margins[np.arange(len(y)), y] = 1.0
    assert np.min(np.abs(margins)) > 1e-3, "a hinge kink this close would make the check unfair"
    loss, dW, db = svm_loss(W, b, X, y, reg=reg, delta=delta)
    f = lambda: svm_loss(W, b, X, y, reg, delta)[0]  # noqa: E731
    assert relative_error(dW, numerical_gradient(f, W)) < 1e-6
    assert relative_error(db, numerical_gradient(f, b)) < 1e-6


@pytest.mark.parametrize("loss_fn", [svm_loss, softmax_loss])
def test_reg_gradient_is_two_reg_w_and_b_is_not_regularised(loss_fn):
    W, b, X, y = random_problem(11)
    base, dW0, db0 = loss_fn(W, b, X, y, reg=0.0)
    reg = 0.3
    loss, dW, db = loss_fn(W, b, X, y, reg=reg)
    assert loss == pytest.approx(base + reg * np.sum(W ** 2), rel=1e-12)
    # d/dW reg*sum(W^2) = 2*reg*W, not reg*W (the mistake in Stanford's own linear demo).
    np.testing.assert_allclose(dW - dW0, 2 * reg * W, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(db, db0)


@pytest.mark.parametrize("variant", ["ova", "structured"])
@pytest.mark.parametrize("seed", range(4))
def test_svm_variant_gradients_match_central_differences(seed, variant):
    W, b, X, y = random_problem(seed)
    f = lambda: linear.svm_variant_loss(W, b, X, y, 0.2, 1.0, variant)[0]  # noqa: E731
    _, dW, db = linear.svm_variant_loss(W, b, X, y, 0.2, 1.0, variant)
    assert relative_error(dW, numerical_gradient(f, W)) < 1e-6
    assert relative_error(db, numerical_gradient(f, b)) < 1e-6


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 20), d=st.integers(1, 6), c=st.integers(2, 10),
       seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([1e-3, 1.0, 1e3]))
def test_zero_weights_give_log_c_and_c_minus_one_for_any_x(n, d, c, seed, scale):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * scale
    y = rng.integers(0, c, n)
    W, b = np.zeros((d, c)), np.zeros(c)
    assert softmax_loss(W, b, X, y)[0] == pytest.approx(math.log(c), rel=1e-12)
    assert svm_loss(W, b, X, y)[0] == pytest.approx(c - 1, rel=1e-12)
    assert svm_loss(W, b, X, y, delta=2.5)[0] == pytest.approx(2.5 * (c - 1), rel=1e-12)
    # The variants at W = 0: one-vs-all adds the right class's own margin; structured counts one.
    assert linear.svm_variant_loss(W, b, X, y, 0, 1.0, "ova")[0] == pytest.approx(c, rel=1e-12)
    assert linear.svm_variant_loss(W, b, X, y, 0, 1.0, "structured")[0] == pytest.approx(1.0)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([0.1, 1.0, 30.0]),
       reg=st.sampled_from([0.0, 0.05, 1.0]), delta=st.sampled_from([0.0, 1.0, 2.0]))
def test_losses_match_independent_references(seed, scale, reg, delta):
    W, b, X, y = random_problem(seed, scale=scale)
    S = X @ W + b
    expected = np.mean(logsumexp(S, axis=1) - S[np.arange(len(y)), y]) + reg * np.sum(W ** 2)
    assert softmax_loss(W, b, X, y, reg=reg)[0] == pytest.approx(expected, rel=1e-10, abs=1e-12)
    assert svm_loss(W, b, X, y, reg=reg, delta=delta)[0] == pytest.approx(
        svm_reference(W, b, X, y, reg, delta), rel=1e-10, abs=1e-12)
    for variant in ("ova", "structured"):
        assert linear.svm_variant_loss(W, b, X, y, reg, delta, variant)[0] == pytest.approx(
            svm_reference(W, b, X, y, reg, delta, variant), rel=1e-10, abs=1e-12)


def test_hand_computed_tiny_example():
    # One example x = (1, -1), label 0: scores s = x W + b = (1, 2 - 1, 0 - 1) + (0, 0, 0.5)
    # = (1, 1, -0.5).
    W = [[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]]
    b = [0.0, 0.0, 0.5]
    X, y = [[1.0, -1.0]], [0]
    # SVM: max(0, 1 - 1 + 1) + max(0, -0.5 - 1 + 1) = 1 + 0; only class 1 is active.
    loss, dW, db = svm_loss(W, b, X, y)
    assert loss == 1.0
    np.testing.assert_array_equal(db, [-1.0, 1.0, 0.0])
    np.testing.assert_array_equal(dW, [[-1.0, 1.0, 0.0], [1.0, -1.0, 0.0]])
    # With delta = 2 both margins are active: 2 + 0.5.
    assert svm_loss(W, b, X, y, delta=2.0)[0] == 2.5
    assert svm_loss(W, b, X, y, delta=0.0)[0] == 0.0
    # One-vs-all: max(0, 1 + 1) + max(0, 1 - 0.5) for the wrong classes, max(0, 1 - 1) for class 0.
    assert linear.svm_variant_loss(W, b, X, y, variant="ova")[0] == 2.5
    # Structured: only the strongest wrong class (1): max(0, 1 - 1 + 1).
    loss, dW, db = linear.svm_variant_loss(W, b, X, y, variant="structured")
    assert loss == 1.0
    np.testing.assert_array_equal(db, [-1.0, 1.0, 0.0])
    # Softmax: -log(e / (e + e + e^-0.5)) = log(2 + e^-1.5).
    loss, dW, db = softmax_loss(W, b, X, y)
    assert loss == pytest.approx(math.log(2 + math.exp(-1.5)), rel=1e-14)
    z = 2 * math.e + math.exp(-0.5)
    p = [math.e / z, math.e / z, math.exp(-0.5) / z]
    np.testing.assert_allclose(db, [p[0] - 1, p[1], p[2]], rtol=1e-13)
    np.testing.assert_allclose(dW, [[p[0] - 1, p[1], p[2]], [1 - p[0], -p[1], -p[2]]], rtol=1e-13)
    # reg = 0.1 adds 0.1 * (1 + 4 + 0 + 0 + 1 + 1) = 0.7 and 0.2 * W to the gradient.
    loss_r, dW_r, _ = softmax_loss(W, b, X, y, reg=0.1)
    assert loss_r == pytest.approx(loss + 0.7, rel=1e-14)
    np.testing.assert_allclose(dW_r, dW + 0.2 * np.array(W), rtol=1e-13)


def test_loss_is_a_mean_over_examples():
    W, b, X, y = random_problem(5)
    for fn in (svm_loss, softmax_loss):
        one = fn(W, b, X, y, reg=0.2)
        twice = fn(W, b, np.vstack([X, X]), np.concatenate([y, y]), reg=0.2)
        assert twice[0] == pytest.approx(one[0], rel=1e-12)
        np.testing.assert_allclose(twice[1], one[1], rtol=1e-12)


@pytest.mark.parametrize("big", [1e3, 1e4, 1e6])
def test_huge_scores_stay_finite_and_exact(big):
    X = np.eye(3)
    b = np.zeros(3)
    W = np.array([[big, 0.0, -big], [0.0, big, 0.0], [big - 1, big, 0.0]])  # row i = scores of x_i
    y = np.array([1, 1, 1])
    loss, dW, db = softmax_loss(W, b, X, y)
    # Example 0: log(e^big + 1 + e^-big) - 0 = big (to double precision). Example 1: the right class
    # wins by `big`, so its loss is log(1 + 2 e^-big) = 0. Example 2: log(e^-1 + 1 + e^-big).
    expected = (big + 0.0 + math.log1p(math.exp(-1))) / 3
    assert math.isfinite(loss) and loss == pytest.approx(expected, rel=1e-14)
    assert np.all(np.isfinite(dW)) and np.all(np.isfinite(db))
    # SVM needs no trick: example 0 has margins big + 1 and 0 (clipped); example 2 has 0 and
    # (big - 1) - big + 1 = 0 exactly.
    assert svm_loss(W, b, X, y)[0] == pytest.approx((big + 1) / 3, rel=1e-14)


def test_train_step_moves_against_the_gradient_and_lowers_the_loss():
    W, b, X, y = random_problem(2)
    for name, fn in (("softmax", softmax_loss), ("svm", svm_loss)):
        before, dW, db = fn(W, b, X, y, reg=0.01)
        W1, b1 = linear.train_step(W, b, X, y, name, lr=0.05, reg=0.01)
        np.testing.assert_allclose(W1, W - 0.05 * dW)
        np.testing.assert_allclose(b1, b - 0.05 * db)
        assert fn(W1, b1, X, y, reg=0.01)[0] < before


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

GOOD = {"W": np.zeros((2, 3)), "b": np.zeros(3), "X": np.ones((4, 2)), "y": [0, 1, 2, 0]}


@pytest.mark.parametrize("loss_fn", [svm_loss, softmax_loss])
@pytest.mark.parametrize("bad, pattern", [
    ({"W": np.zeros(3)}, "2차원"),
    ({"b": np.zeros(2)}, "b의 길이"),
    ({"b": np.zeros((1, 3))}, "1차원"),
    ({"X": np.ones((4, 3))}, "차원"),
    ({"X": np.ones((0, 2)), "y": []}, "비어"),
    ({"y": [0, 1, 2]}, "길이"),
    ({"y": [0, 1, 3, 0]}, "label"),
    ({"y": [0, -1, 2, 0]}, "label"),
    ({"y": [0, 1.5, 2, 0]}, "정수"),
    ({"X": [[1, 2], [3, float("nan")], [0, 0], [1, 1]]}, "NaN"),
    ({"W": "abc"}, "문자열"),
    ({"reg": -1.0}, "0 이상"),
    ({"reg": float("nan")}, "0 이상"),
    ({"reg": "x"}, "숫자"),
    ({"W": np.full((2, 3), 1e200), "X": np.full((4, 2), 1e200)}, "overflow"),
])
def test_bad_input_raises_in_korean(loss_fn, bad, pattern):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        loss_fn(**{**GOOD, **bad})
    assert pattern in korean_error(excinfo)


def test_svm_rejects_negative_delta_unknown_variant_and_train_step_unknown_loss():
    with pytest.raises(ValueError) as excinfo:
        linear.svm_variant_loss(**GOOD, variant="ovr")
    assert "SVM 종류" in korean_error(excinfo)
    with pytest.raises(ValueError) as excinfo:
        svm_loss(**GOOD, delta=-1)
    assert "delta" in korean_error(excinfo)
    with pytest.raises(ValueError) as excinfo:
        linear.train_step(**GOOD, loss="hinge")
    korean_error(excinfo)


# ---------------------------------------------------------------------------------------------
# Widget
# ---------------------------------------------------------------------------------------------

def outputs_of(result, kind):
    return [o for o in result["outputs"] if o["kind"] == kind]


def table_by_caption(result, start):
    return next(t for t in outputs_of(result, "table") if (t["caption"] or "").startswith(start))


def widget_problem(state):
    W = np.array(state["W"], dtype=float)
    b = np.array(state["b"], dtype=float)[0]
    pts = np.array(state["points"], dtype=float)
    return W, b, pts[:, :2], pts[:, 2].astype(int)


def test_linear_default_render_shows_both_losses_for_the_same_w():
    result = widget.update("linear-loss", {})
    assert result["ok"], result
    W, b, X, y = widget_problem(result["state"])
    reg = 0.001
    side = table_by_caption(result, "같은 W, b")
    assert side["rows"][2][1] == pytest.approx(svm_reference(W, b, X, y, reg, 1.0), abs=1e-4)
    S = X @ W + b
    soft = np.mean(logsumexp(S, axis=1) - S[np.arange(len(y)), y]) + reg * np.sum(W ** 2)
    assert side["rows"][2][2] == pytest.approx(soft, abs=1e-4)
    per_example = table_by_caption(result, "예제별")
    assert len(per_example["rows"]) == len(X)
    wrong = np.nonzero(np.argmax(S, axis=1) != y)[0].tolist()
    assert per_example["highlight"] == wrong
    plane = next(o for o in outputs_of(result, "plot") if o["id"] == "linear-plane")
    assert plane["clickable"] and plane["figure"]["layout"]["plot_bgcolor"] == "rgba(0,0,0,0)"
    # The coloured regions are the argmax of the scores at each grid cell's centre.
    centres, grid = plane_grid(linear_widget.LIM, linear_widget.GRID)
    cells = image_cells(plane["figure"]["layout"]["images"][0], (linear_widget.GRID, linear_widget.GRID))
    np.testing.assert_array_equal(cells.ravel(), np.argmax(grid @ W + b, axis=1))


def test_linear_sanity_panel_calls_the_real_losses_with_zero_weights():
    result = widget.update("linear-loss", {"delta": "3"})
    rows = table_by_caption(result, "Sanity")["rows"]
    assert rows[0][1] == pytest.approx(math.log(3), abs=1e-4) and "1.0986" in rows[0][2]
    assert rows[1][1] == 2.0
    assert outputs_of(result, "text")[1]["tone"] == "ok"


@pytest.mark.parametrize("loss", ["softmax", "svm"])
def test_linear_training_step_lowers_the_chosen_loss(loss):
    state = {"loss": loss}
    before = widget.update("linear-loss", state)
    after = widget.update("linear-loss", before["state"], {"type": "action", "name": "step"})
    assert after["ok"], after
    assert after["state"]["iteration"] == 1
    assert after["state"]["W"] != before["state"]["W"]
    column = 1 if loss == "svm" else 2
    total = lambda r: table_by_caption(r, "같은 W, b")["rows"][2][column]  # noqa: E731
    assert total(after) < total(before)
    ran = widget.update("linear-loss", after["state"], {"type": "action", "name": "run"})
    assert ran["state"]["iteration"] == 1 + linear_widget.RUN_STEPS and total(ran) < total(after)
    # The raw matrix strings are what the next step starts from.
    W, b, X, y = widget_problem(ran["state"])
    fn = svm_loss if loss == "svm" else softmax_loss
    assert fn(W, b, X, y, reg=0.001)[0] == pytest.approx(total(ran), abs=1e-4)


def test_linear_reset_and_zero_buttons():
    zero = widget.update("linear-loss", {}, {"type": "action", "name": "zero"})
    assert zero["state"]["W"] == [["0"] * 3] * 2 and zero["state"]["b"] == [["0"] * 3]
    side = table_by_caption(zero, "같은 W, b")["rows"]
    assert side[2][1] == 2.0 and side[2][2] == pytest.approx(math.log(3), abs=1e-4)
    reset = widget.update("linear-loss", zero["state"], {"type": "action", "name": "reset"})
    np.testing.assert_array_equal(np.array(reset["state"]["W"], dtype=float), linear.DEFAULT_W)
    np.testing.assert_array_equal(np.array(reset["state"]["b"], dtype=float), linear.DEFAULT_B)
    assert reset["state"]["iteration"] == 0


def test_linear_click_adds_and_removes_points():
    add = widget.update("linear-loss", {"add_class": "2"},
                        {"type": "click", "plot": "linear-plane", "x": 1.0, "y": 1.0})
    assert add["ok"] and add["state"]["points"][-1] == [1.0, 1.0, 2]
    assert len(table_by_caption(add, "예제별")["rows"]) == 13
    removed = widget.update("linear-loss", dict(add["state"], mode="remove"),
                            {"type": "click", "plot": "linear-plane", "x": 0.98, "y": 1.02})
    assert len(removed["state"]["points"]) == 12
    data = widget.update("linear-loss", {"points": []}, {"type": "action", "name": "data"})
    assert data["ok"] and len(data["state"]["points"]) == 12


def test_linear_huge_weights_stay_finite_with_a_note():
    state = {"W": [["2000", "-2000", "0"], ["0", "1500", "-1500"]]}
    result = widget.update("linear-loss", state)
    assert result["ok"], result
    W, b, X, y = widget_problem(result["state"])
    S = X @ W + b
    soft = np.mean(logsumexp(S, axis=1) - S[np.arange(len(y)), y]) + 0.001 * np.sum(W ** 2)
    assert table_by_caption(result, "같은 W, b")["rows"][2][2] == pytest.approx(soft, rel=1e-4)
    assert any("overflow" in t["text"] for t in outputs_of(result, "text"))


@pytest.mark.parametrize("state, pattern", [
    ({"W": [["1", "abc", "0"], ["0", "0", "0"]]}, "W"),
    ({"b": [["", "0", "0"]]}, "비어"),
    ({"points": []}, "비어"),
    ({"delta": "-1"}, "0 이상"),
    ({"lr": "5"}, "이하"),
])
def test_linear_bad_input_is_a_korean_message(state, pattern):
    result = widget.update("linear-loss", state)
    assert result["ok"] is False
    assert pattern in result["message"] and HANGUL.search(result["message"])


def test_linear_svm_variant_and_random_button():
    result = widget.update("linear-loss", {"svm_variant": "structured", "loss": "svm"})
    assert result["ok"], result
    side = table_by_caption(result, "같은 W, b")
    assert side["columns"][1] == "SVM (structured)"
    W, b, X, y = widget_problem(result["state"])
    assert side["rows"][2][1] == pytest.approx(
        svm_reference(W, b, X, y, 0.001, 1.0, "structured"), abs=1e-4)
    stepped = widget.update("linear-loss", result["state"], {"type": "action", "name": "step"})
    W1, b1, _, _ = widget_problem(stepped["state"])
    W2, b2 = linear.train_step(W, b, X, y, "svm", 0.1, 0.001, 1.0, "structured")
    np.testing.assert_allclose(W1, W2, rtol=1e-5)
    first = widget.update("linear-loss", {}, {"type": "action", "name": "random"})
    again = widget.update("linear-loss", {}, {"type": "action", "name": "random"})
    second = widget.update("linear-loss", first["state"], {"type": "action", "name": "random"})
    assert first["state"]["W"] == again["state"]["W"] != second["state"]["W"]
    assert first["state"]["draws"] == 1 and second["state"]["draws"] == 2
