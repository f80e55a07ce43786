"""demos.attention (Lecture 8) against references written here: attention by an explicit loop over
queries and keys, multi-head attention by per-head loops and concatenation, the positional
encoding by its formula, patchify by slicing and a convolution by its definition; then the
widgets "attention" and "vit-patches" (demos.widgets.attention) through demos.widget.update.

torch is not installed: the references are the definitions, written out element by element.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from demos import attention, widget
from demos.attention import (multi_head_attention, patchify, scaled_dot_product_attention,
                             sinusoidal_positional_encoding)
from demos.widgets import attention as attention_widgets

HANGUL = re.compile("[가-힣]")


def korean(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert HANGUL.search(message), message
    return message


# ---------------------------------------------------------------------------------------------
# References.
# ---------------------------------------------------------------------------------------------

def loop_attention(Q, K, V, allowed=None, scale=None, temperature=1.0):
    """Attention for 2-D Q (L, d), K (S, d), V (S, dv), one query and one key at a time.
    ``allowed`` (L, S) of bools or None."""
    L, d = Q.shape
    S = K.shape[0]
    scale = 1 / math.sqrt(d) if scale is None else scale
    out = np.zeros((L, V.shape[1]))
    weights = np.zeros((L, S))
    for i in range(L):
        keys = [j for j in range(S) if allowed is None or allowed[i][j]]
        scores = {j: sum(Q[i, k] * K[j, k] for k in range(d)) * scale / temperature for j in keys}
        top = max(scores.values())
        exps = {j: math.exp(s - top) for j, s in scores.items()}
        total = sum(exps.values())
        for j in keys:
            weights[i, j] = exps[j] / total
            out[i] += weights[i, j] * V[j]
    return out, weights


def batched_loop_attention(Q, K, V, allowed):
    """loop_attention over every batch index of Q, K, V, allowed (all of the same batch shape)."""
    batch = Q.shape[:-2]
    out = np.zeros((*batch, Q.shape[-2], V.shape[-1]))
    weights = np.zeros((*batch, Q.shape[-2], K.shape[-2]))
    for index in np.ndindex(*batch):
        out[index], weights[index] = loop_attention(Q[index], K[index], V[index], allowed[index])
    return out, weights


def causal_mask(L, S):
    return [[j <= i for j in range(S)] for i in range(L)]


def loop_conv(images, weight, stride):
    """A convolution by its definition, one output value at a time (no padding, no bias)."""
    N, C, H, W = images.shape
    E, _, k, _ = weight.shape
    H_out, W_out = (H - k) // stride + 1, (W - k) // stride + 1
    out = np.zeros((N, E, H_out, W_out))
    for n, e, i, j in np.ndindex(N, E, H_out, W_out):
        out[n, e, i, j] = sum(weight[e, c, a, b] * images[n, c, i * stride + a, j * stride + b]
                              for c in range(C) for a in range(k) for b in range(k))
    return out


@pytest.fixture
def rng():
    return np.random.default_rng(2025)


# ---------------------------------------------------------------------------------------------
# scaled_dot_product_attention.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("L, S, d, dv", [(1, 1, 1, 1), (3, 5, 4, 2), (6, 2, 3, 7), (4, 4, 8, 8)])
def test_attention_equals_the_loop_over_queries_and_keys(rng, L, S, d, dv):
    Q, K, V = rng.normal(size=(L, d)), rng.normal(size=(S, d)), rng.normal(size=(S, dv))
    out, weights = scaled_dot_product_attention(Q, K, V)
    ref_out, ref_weights = loop_attention(Q, K, V)
    assert out.shape == (L, dv) and weights.shape == (L, S)
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-14)


def test_attention_takes_nested_lists_and_batch_dimensions(rng):
    Q, K = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5))
    V = rng.normal(size=(2, 3, 6, 2))
    out, weights = scaled_dot_product_attention(Q.tolist(), K.tolist(), V.tolist())
    allowed = np.ones((2, 3, 4, 6), dtype=bool)
    ref_out, ref_weights = batched_loop_attention(Q, K, V, allowed)
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-12)
    np.testing.assert_allclose(out, ref_out, rtol=1e-11, atol=1e-14)


def test_batch_dimensions_broadcast_like_matmul(rng):
    Q, K, V = rng.normal(size=(3, 2, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    out, weights = scaled_dot_product_attention(Q, K, V)
    assert out.shape == (3, 2, 2) and weights.shape == (3, 2, 5)
    for b in range(3):
        ref_out, ref_weights = loop_attention(Q[b], K, V)
        np.testing.assert_allclose(weights[b], ref_weights, rtol=1e-12)
        np.testing.assert_allclose(out[b], ref_out, rtol=1e-11, atol=1e-14)


def test_softmax_is_stable_for_huge_scores(rng):
    Q, K, V = 1e3 * rng.normal(size=(4, 3)), 1e3 * rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    out, weights = scaled_dot_product_attention(Q, K, V)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(weights))
    ref_out, ref_weights = loop_attention(Q, K, V)
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(out, ref_out, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Masks of every kind.
# ---------------------------------------------------------------------------------------------

MASK_SHAPES = [(4, 5), (1, 5), (4, 1), (2, 1, 5), (2, 4, 5), (1, 1, 1)]


@pytest.mark.parametrize("shape", MASK_SHAPES)
@pytest.mark.parametrize("causal", [False, True])
def test_boolean_masks_of_every_broadcast_shape_with_and_without_causal(rng, shape, causal):
    Q, K, V = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 2))
    mask = rng.random(shape) < 0.7
    mask[..., 0] = True                      # every query keeps key 0 (causal keeps it too)
    out, weights = scaled_dot_product_attention(Q, K, V, mask=mask, causal=causal)
    allowed = np.broadcast_to(mask, (2, 4, 5)) & (np.array(causal_mask(4, 5)) if causal else True)
    ref_out, ref_weights = batched_loop_attention(Q, K, V, allowed)
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out, ref_out, rtol=1e-11, atol=1e-14)
    assert np.all(weights[~allowed] == 0.0)  # hidden keys get exactly nothing


def test_mask_true_means_may_attend():
    Q, K = np.zeros((1, 2)), np.zeros((3, 2))
    V = np.array([[1.0], [10.0], [100.0]])
    out, weights = scaled_dot_product_attention(Q, K, V, mask=[[True, False, True]])
    np.testing.assert_allclose(weights, [[0.5, 0.0, 0.5]])
    np.testing.assert_allclose(out, [[50.5]])


@pytest.mark.parametrize("L, S", [(4, 4), (3, 6), (6, 3)])
def test_causal_is_top_left_aligned_like_torch_is_causal(rng, L, S):
    """Query i sees keys 0..i, whatever S is (torch: tril(ones(L, S)))."""
    Q, K, V = rng.normal(size=(L, 3)), rng.normal(size=(S, 3)), rng.normal(size=(S, 2))
    out, weights = scaled_dot_product_attention(Q, K, V, causal=True)
    ref_out, ref_weights = loop_attention(Q, K, V, causal_mask(L, S))
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out, ref_out, rtol=1e-11, atol=1e-14)
    assert np.array_equal(weights > 0, np.tril(np.ones((L, S), dtype=bool)))
    np.testing.assert_allclose(out[0], V[0])  # the first query sees only the first key


def test_causal_and_mask_combine_with_and(rng):
    Q, K, V = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
    mask = np.array([[True, True, True], [False, True, True], [True, False, True]])
    _, weights = scaled_dot_product_attention(Q, K, V, mask=mask, causal=True)
    assert np.array_equal(weights > 0, [[True, False, False], [False, True, False],
                                        [True, False, True]])


@pytest.mark.parametrize("mask, causal, row", [
    ([[True, True, True], [False, False, False]], False, "1번 query"),
    ([[False, True, True], [True, True, True]], True, "0번 query"),   # causal leaves only key 0
    (np.zeros((1, 3), dtype=bool), False, "0번 query"),
])
def test_a_query_with_nothing_to_attend_is_a_korean_error_not_nan(mask, causal, row):
    Q, K, V = np.ones((2, 2)), np.ones((3, 2)), np.ones((3, 1))
    with pytest.raises(ValueError) as error:
        scaled_dot_product_attention(Q, K, V, mask=mask, causal=causal)
    message = korean(error)
    assert row in message and "NaN" in message


def test_the_blind_row_is_named_with_its_batch_position():
    mask = np.ones((2, 2, 3), dtype=bool)
    mask[1, 0] = False
    with pytest.raises(ValueError) as error:
        scaled_dot_product_attention(np.ones((2, 2, 2)), np.ones((3, 2)), np.ones((3, 1)),
                                     mask=mask)
    assert "0번 query" in korean(error) and "(1,)" in str(error.value)


@pytest.mark.parametrize("mask, kind, fragment", [
    ([[1, 0, 1], [1, 1, 1]], TypeError, "True/False"),
    (np.ones((2, 3)), TypeError, "True/False"),
    ("all", TypeError, "문자열"),
    ([[True, False], [True]], ValueError, "고른"),
    (np.ones((2, 4), dtype=bool), ValueError, "broadcast"),
    (np.ones((3, 2, 3), dtype=bool), ValueError, "broadcast"),   # more batch than the scores
])
def test_bad_masks_are_refused_in_korean(mask, kind, fragment):
    with pytest.raises(kind) as error:
        scaled_dot_product_attention(np.ones((2, 2)), np.ones((3, 2)), np.ones((3, 1)), mask=mask)
    assert fragment in korean(error)


# ---------------------------------------------------------------------------------------------
# Permutation equivariance.
# ---------------------------------------------------------------------------------------------

def test_self_attention_without_positions_is_permutation_equivariant(rng):
    N, T, D, H = 2, 7, 12, 3
    X = rng.normal(size=(N, T, D))
    W = attention.random_weights(D, seed=3)
    order = rng.permutation(T)
    out, weights = multi_head_attention(X, **W, num_heads=H)
    out_p, weights_p = multi_head_attention(X[:, order], **W, num_heads=H)
    np.testing.assert_allclose(out_p, out[:, order], rtol=1e-12, atol=1e-14)
    # the weights are permuted on both axes: A' = P A P^T
    np.testing.assert_allclose(weights_p, weights[:, :, order][:, :, :, order], rtol=1e-12,
                               atol=1e-15)


def test_positions_or_a_causal_mask_break_the_equivariance(rng):
    T, D = 6, 8
    X = rng.normal(size=(1, T, D))
    W = attention.random_weights(D, seed=1)
    order = np.roll(np.arange(T), 2)
    pe = sinusoidal_positional_encoding(T, D)
    out, _ = multi_head_attention(X + pe, **W, num_heads=2)
    out_p, _ = multi_head_attention(X[:, order] + pe, **W, num_heads=2)
    assert np.max(np.abs(out_p - out[:, order])) > 1e-2
    out, _ = multi_head_attention(X, **W, num_heads=2, causal=True)
    out_p, _ = multi_head_attention(X[:, order], **W, num_heads=2, causal=True)
    assert np.max(np.abs(out_p - out[:, order])) > 1e-2


# ---------------------------------------------------------------------------------------------
# Multi-head attention.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("N, T, D, H", [(1, 1, 1, 1), (2, 5, 8, 2), (1, 4, 12, 4), (3, 3, 6, 6)])
@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_equals_per_head_loops_and_concatenation(rng, N, T, D, H, causal):
    X = rng.normal(size=(N, T, D))
    Wq, Wk, Wv, Wo = (rng.normal(size=(D, D)) / math.sqrt(D) for _ in range(4))
    out, weights = multi_head_attention(X, Wq, Wk, Wv, Wo, H, causal=causal)
    assert out.shape == (N, T, D) and weights.shape == (N, H, T, T)
    dh = D // H
    for n in range(N):
        heads = []
        for h in range(H):
            cols = slice(h * dh, (h + 1) * dh)   # head h: contiguous features
            head_out, head_weights = loop_attention(
                X[n] @ Wq[:, cols], X[n] @ Wk[:, cols], X[n] @ Wv[:, cols],
                causal_mask(T, T) if causal else None)
            np.testing.assert_allclose(weights[n, h], head_weights, rtol=1e-12, atol=1e-15)
            heads.append(head_out)
        np.testing.assert_allclose(out[n], np.concatenate(heads, axis=1) @ Wo, rtol=1e-11,
                                   atol=1e-13)


def test_multi_head_parts_are_consistent_with_the_contract(rng):
    X = rng.normal(size=(2, 5, 8))
    W = attention.random_weights(8, seed=7)
    parts = attention.multi_head_parts(X, **W, num_heads=2, causal=True)
    out, weights = multi_head_attention(X, **W, num_heads=2, causal=True)
    np.testing.assert_array_equal(parts["out"], out)
    np.testing.assert_array_equal(parts["weights"], weights)
    np.testing.assert_allclose(attention.merge_heads(parts["Q"]), X @ W["Wq"])
    np.testing.assert_array_equal(attention.split_heads(X, 4)[:, 1], X[:, :, 2:4])


def test_unscaled_scores_and_temperature(rng):
    X = rng.normal(size=(1, 4, 6))
    W = attention.random_weights(6, seed=2)
    parts = attention.multi_head_parts(X, **W, num_heads=2, scaled=False, temperature=0.5)
    for h in range(2):
        cols = slice(3 * h, 3 * h + 3)
        _, ref = loop_attention(X[0] @ W["Wq"][:, cols], X[0] @ W["Wk"][:, cols],
                                X[0] @ W["Wv"][:, cols], scale=1.0, temperature=0.5)
        np.testing.assert_allclose(parts["weights"][0, h], ref, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kwargs, kind, fragment", [
    ({"num_heads": 3}, ValueError, "나누어떨어지지"),
    ({"num_heads": 0}, ValueError, "1 이상"),
    ({"num_heads": 2.5}, ValueError, "정수"),
    ({"num_heads": True}, TypeError, "True/False"),
    ({"X": np.ones((4, 8))}, ValueError, "3차원"),
    ({"Wq": np.ones((8, 4))}, ValueError, "(8, 8)"),
    ({"Wo": [[1.0] * 8] * 7}, ValueError, "Wo"),
    ({"X": np.zeros((1, 0, 8))}, ValueError, "1 이상"),
    ({"causal": 1}, TypeError, "True 또는 False"),
])
def test_multi_head_bad_inputs_are_korean(kwargs, kind, fragment):
    args = {"X": np.ones((1, 3, 8)), **attention.random_weights(8), "num_heads": 2, **kwargs}
    with pytest.raises(kind) as error:
        multi_head_attention(**args)
    assert fragment in korean(error)


# ---------------------------------------------------------------------------------------------
# Positional encoding.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("T, d", [(1, 2), (5, 4), (50, 16), (7, 64)])
def test_positional_encoding_is_its_formula(T, d):
    pe = sinusoidal_positional_encoding(T, d)
    assert pe.shape == (T, d)
    for p in range(T):
        for i in range(d // 2):
            angle = p / 10000 ** (2 * i / d)
            assert pe[p, 2 * i] == pytest.approx(math.sin(angle), abs=1e-12)
            assert pe[p, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-12)


def test_a_shift_of_positions_rotates_every_pair():
    """PE[p + k] = R_k PE[p] pair by pair, with R_k a rotation by k * frequency."""
    d, k = 8, 3
    pe = sinusoidal_positional_encoding(20, d)
    for i in range(d // 2):
        angle = k / 10000 ** (2 * i / d)
        rotation = np.array([[math.cos(angle), -math.sin(angle)],
                             [math.sin(angle), math.cos(angle)]])
        np.testing.assert_allclose(pe[k:, 2 * i:2 * i + 2], pe[:-k, 2 * i:2 * i + 2] @ rotation,
                                   atol=1e-12)


@pytest.mark.parametrize("T, d, kind, fragment", [
    (4, 5, ValueError, "짝수"), (4, 1, ValueError, "2 이상"), (0, 4, ValueError, "1 이상"),
    (4.5, 4, ValueError, "정수"), ("4", 4, TypeError, "정수"), (10**6, 10**4, ValueError, "너무"),
])
def test_positional_encoding_bad_sizes_are_korean(T, d, kind, fragment):
    with pytest.raises(kind) as error:
        sinusoidal_positional_encoding(T, d)
    assert fragment in korean(error)


# ---------------------------------------------------------------------------------------------
# Patches, and the patch embedding as a convolution.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, p", [((1, 3, 8, 8), 4), ((2, 1, 6, 9), 3), ((1, 2, 4, 4), 1),
                                      ((1, 3, 5, 5), 5)])
def test_patchify_equals_explicit_slicing_row_by_row(rng, shape, p):
    images = rng.normal(size=shape)
    patches = patchify(images, p)
    N, C, H, W = shape
    assert patches.shape == (N, (H // p) * (W // p), C * p * p)
    for n in range(N):
        for r in range(H // p):
            for c in range(W // p):
                window = images[n, :, r * p:(r + 1) * p, c * p:(c + 1) * p]   # (C, p, p)
                np.testing.assert_array_equal(patches[n, r * (W // p) + c], window.reshape(-1))


@pytest.mark.parametrize("shape, p, E", [((1, 3, 8, 8), 4, 5), ((2, 2, 6, 9), 3, 4),
                                         ((1, 1, 4, 4), 1, 2)])
def test_patch_embedding_is_a_convolution_with_kernel_equal_stride(rng, shape, p, E):
    images, weight = rng.normal(size=shape), rng.normal(size=(E, shape[1], p, p))
    embedding = patchify(images, p) @ weight.reshape(E, -1).T               # (N, P, E)
    conv = loop_conv(images, weight, stride=p)                              # (N, E, H/p, W/p)
    np.testing.assert_allclose(embedding, conv.reshape(*conv.shape[:2], -1).transpose(0, 2, 1),
                               rtol=1e-12, atol=1e-12)
    both = attention.patch_embedding_vs_conv(images, weight)
    np.testing.assert_allclose(both["conv"], both["embedding"], rtol=1e-12, atol=1e-12)
    assert both["max_abs_diff"] < 1e-12


@pytest.mark.parametrize("shape, k, stride", [((1, 2, 7, 6), 3, 2), ((2, 1, 5, 5), 2, 1),
                                              ((1, 3, 8, 8), 4, 4), ((1, 1, 9, 9), 3, 3)])
def test_strided_conv2d_equals_the_definition_both_loop_orders(rng, shape, k, stride):
    """(7, 6) with k 3, s 2 has 6 outputs < 9 taps (window loop); (5, 5) with k 2, s 1 has 16
    outputs > 4 taps (tap loop)."""
    images, weight = rng.normal(size=shape), rng.normal(size=(3, shape[1], k, k))
    np.testing.assert_allclose(attention.strided_conv2d(images, weight, stride),
                               loop_conv(images, weight, stride), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("images, p, kind, fragment", [
    (np.ones((1, 3, 8, 6)), 4, ValueError, "너비 W = 6"),
    (np.ones((1, 3, 6, 8)), 4, ValueError, "높이 H = 6"),
    (np.ones((1, 3, 8, 8)), 0, ValueError, "1 이상"),
    (np.ones((1, 3, 8, 8)), True, TypeError, "True/False"),
    (np.ones((3, 8, 8)), 4, ValueError, "4차원"),
    (np.ones((1, 0, 8, 8)), 4, ValueError, "1 이상"),
    ("image", 4, TypeError, "문자열"),
])
def test_patchify_bad_inputs_are_korean(images, p, kind, fragment):
    with pytest.raises(kind) as error:
        patchify(images, p)
    assert fragment in korean(error)


def test_sample_images_are_rgb_in_unit_range():
    for name in attention.IMAGES:
        image = attention.sample_image(name, 24)
        assert image.shape == (3, 24, 24) and image.min() >= 0 and image.max() <= 1
        assert image.std() > 0.05    # a picture, not a flat colour
    with pytest.raises(ValueError) as error:
        attention.sample_image("cat", 24)
    korean(error)


# ---------------------------------------------------------------------------------------------
# Temperature and entropy.
# ---------------------------------------------------------------------------------------------

def test_temperature_spreads_or_sharpens_the_softmax():
    scores = np.array([[2.0, 1.0, 0.0, -1.0]])
    base = attention.masked_softmax(scores)
    np.testing.assert_allclose(attention.masked_softmax(scores, temperature=2.0),
                               attention.masked_softmax(scores / 2.0), rtol=1e-15)
    hot = attention.masked_softmax(scores, temperature=1e6)
    cold = attention.masked_softmax(scores, temperature=1e-3)
    np.testing.assert_allclose(hot, 0.25, rtol=1e-5)
    np.testing.assert_array_equal(cold, [[1.0, 0.0, 0.0, 0.0]])
    entropies = [attention.row_entropy(w)[0] for w in (cold, base, hot)]
    assert entropies[0] == 0.0 and entropies[0] < entropies[1] < entropies[2]
    assert entropies[2] == pytest.approx(math.log(4), rel=1e-9)


def test_entropy_edge_cases():
    np.testing.assert_array_equal(attention.row_entropy([[1.0, 0.0, 0.0]]), [0.0])
    assert math.copysign(1.0, attention.row_entropy([[0.0, 1.0]])[0]) == 1.0   # not -0.0
    np.testing.assert_allclose(attention.row_entropy([[0.5, 0.5, 0.0]]), [math.log(2)])
    np.testing.assert_allclose(attention.row_entropy(np.full((2, 3, 5), 0.2)), math.log(5))
    with pytest.raises(ValueError) as error:
        attention.row_entropy([[1.5, -0.5]])
    korean(error)


@pytest.mark.parametrize("temperature, kind, fragment", [
    (0.0, ValueError, "0보다 커야"), (-1.0, ValueError, "0보다 커야"),
    (1e-320, ValueError, "무한대"), ("1", TypeError, "숫자"), (math.nan, ValueError, "0보다"),
])
def test_bad_temperatures_are_korean(temperature, kind, fragment):
    with pytest.raises(kind) as error:
        attention.masked_softmax(np.array([[1e3, 0.0]]), temperature=temperature)
    assert fragment in korean(error)


# ---------------------------------------------------------------------------------------------
# Bad inputs of scaled_dot_product_attention.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("Q, K, V, kind, fragment", [
    ([1.0, 2.0], [[1.0, 2.0]], [[1.0]], ValueError, "2차원 이상"),
    ([[1.0, 2.0]], [[1.0, 2.0, 3.0]], [[1.0]], ValueError, "마지막 차원 d"),
    ([[1.0, 2.0]], [[1.0, 2.0]], [[1.0], [2.0]], ValueError, "key 개수 S"),
    (np.ones((2, 1, 2)), np.ones((3, 1, 2)), np.ones((3, 1, 1)), ValueError, "broadcast"),
    ([[math.nan, 1.0]], [[1.0, 2.0]], [[1.0]], ValueError, "NaN"),
    (np.ones((0, 2)), np.ones((1, 2)), np.ones((1, 1)), ValueError, "1 이상"),
    ("Q", [[1.0]], [[1.0]], TypeError, "문자열"),
    ([[1e200, 1e200]], [[1e200, 1e200]], [[1.0]], ValueError, "overflow"),
])
def test_attention_bad_inputs_are_korean(Q, K, V, kind, fragment):
    with pytest.raises(kind) as error:
        scaled_dot_product_attention(Q, K, V)
    assert fragment in korean(error)


def test_causal_must_be_a_bool():
    with pytest.raises(TypeError) as error:
        scaled_dot_product_attention([[1.0]], [[1.0]], [[1.0]], causal="yes")
    korean(error)


# ---------------------------------------------------------------------------------------------
# Tokens and word vectors.
# ---------------------------------------------------------------------------------------------

def test_equal_words_get_equal_vectors_and_the_seed_changes_them():
    X = attention.embed_words(["the", "cat", "the", "고양이"], 6, seed=1)
    assert X.shape == (4, 6)
    np.testing.assert_array_equal(X[0], X[2])
    assert not np.allclose(X[0], X[1])
    np.testing.assert_array_equal(X, attention.embed_words(["the", "cat", "the", "고양이"], 6, 1))
    assert not np.allclose(X, attention.embed_words(["the", "cat", "the", "고양이"], 6, 2))


@pytest.mark.parametrize("sentence, fragment", [
    ("", "비어 있습니다"), ("   ", "비어 있습니다"),
    (" ".join(f"w{i}" for i in range(17)), "17개"),
])
def test_tokenize_refuses_empty_and_too_long_sentences(sentence, fragment):
    with pytest.raises(ValueError) as error:
        attention.tokenize(sentence)
    assert fragment in korean(error)
    assert len(attention.tokenize(" ".join(f"w{i}" for i in range(16)))) == 16


# ---------------------------------------------------------------------------------------------
# The widgets.
# ---------------------------------------------------------------------------------------------

def render(widget_id, state=None, event=None):
    answer = widget.update(widget_id, state, event)
    json.dumps(answer)   # plain JSON, as the browser gets it
    return answer


def outputs_of(answer, kind):
    return [o for o in answer["outputs"] if o["kind"] == kind]


def test_attention_widget_defaults_show_every_head_and_rows_that_sum_to_one():
    answer = render("attention")
    assert answer["ok"]
    figure = outputs_of(answer, "plot")[0]["figure"]
    heatmaps = [t for t in figure["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 2                                      # 2 heads by default
    for trace in heatmaps:
        z = np.array(trace["z"], dtype=float)
        assert z.shape == (6, 6) and trace["zmin"] == 0 and trace["zmax"] == 1
        np.testing.assert_allclose(z.sum(axis=1), 1.0, atol=4e-3)  # rounded to 3 decimals
    ticks = figure["layout"]["xaxis"]["ticktext"]
    assert ticks == ["the", "cat", "sat", "on", "the", "mat"]


def test_attention_view_model_matches_multi_head_attention():
    settings = dict(heads=2, d_model=8, scaled=True, causal=True, positional=True,
                    temperature=1.0, seed=4)
    vm = attention_widgets.attention_view_model("a b c a", **settings)
    X = attention.embed_words(["a", "b", "c", "a"], 8, 4) + sinusoidal_positional_encoding(4, 8)
    out, weights = multi_head_attention(X[None], **attention.random_weights(8, 4), num_heads=2,
                                        causal=True)
    np.testing.assert_allclose(vm["out"], out[0])
    np.testing.assert_allclose(vm["weights"], weights[0])
    np.testing.assert_allclose(vm["entropy"], attention.row_entropy(weights[0]))
    np.testing.assert_allclose(vm["max_entropy"], np.log([1, 2, 3, 4]))
    assert vm["rows"] == 2 * 3          # query 1 has one key: not counted


def test_repeated_words_have_equal_rows_only_without_positional_encoding():
    base = dict(heads=1, d_model=8, scaled=True, causal=False, temperature=1.0, seed=0)
    vm = attention_widgets.attention_view_model("x y x", positional=False, **base)
    np.testing.assert_array_equal(vm["weights"][0, 0], vm["weights"][0, 2])
    vm = attention_widgets.attention_view_model("x y x", positional=True, **base)
    assert not np.allclose(vm["weights"][0, 0], vm["weights"][0, 2])


def test_the_equal_rows_note_appears_only_when_rows_are_equal():
    """'the' twice: equal rows unless positions enter (positional encoding, or a causal mask that
    gives the second 'the' more keys to see)."""
    def notes(**state):
        return " ".join(o["text"] for o in outputs_of(render("attention", state), "text"))
    assert "같은 단어" in notes()
    assert "같은 단어" not in notes(causal=True)
    assert "같은 단어" not in notes(positional=True)
    vm = attention_widgets.attention_view_model("the cat the", 1, 8, True, True, False, 1.0, 0)
    assert not np.allclose(vm["weights"][0, 0], vm["weights"][0, 2])


def test_switching_off_the_scaling_saturates_the_softmax():
    base = dict(sentence="a b c d e f g h", heads="1", d_model="64")
    scaled = attention_widgets.attention_view_model("a b c d e f g h", 1, 64, True, False, False,
                                                    1.0, 0)
    unscaled = attention_widgets.attention_view_model("a b c d e f g h", 1, 64, False, False,
                                                      False, 1.0, 0)
    assert unscaled["logit_std"] == pytest.approx(8 * scaled["logit_std"], rel=1e-9)  # √64
    assert unscaled["entropy"].mean() < 0.5 * scaled["entropy"].mean()
    answer = render("attention", {**base, "scaled": False})
    assert any("포화" in o["text"] for o in outputs_of(answer, "text"))


def test_the_permute_button_shuffles_tokens_and_outputs_the_same_way():
    answer = render("attention", event={"type": "action", "name": "permute"})
    state = answer["state"]
    before, after = state["previous"].split(), state["sentence"].split()
    assert sorted(before) == sorted(after) and before != after
    assert [before[i] for i in state["order"]] == after
    stats = dict(outputs_of(answer, "stats")[0]["items"])
    assert float(stats["max |Y' − P·Y|"]) < 1e-12
    table = outputs_of(answer, "table")[0]
    assert [row[2] - 1 for row in table["rows"]] == state["order"]
    assert all(row[3] == row[4] for row in table["rows"])          # same rows, new order
    assert any("permutation equivariant" in o["text"] for o in outputs_of(answer, "text"))
    # with positional encoding the same shuffle is no longer a permutation of the outputs
    answer = render("attention", {**state, "positional": True})
    diff = float(dict(outputs_of(answer, "stats")[0]["items"])["max |Y' − P·Y|"])
    assert diff > 1e-3
    # a sentence edited after the shuffle has nothing to compare with
    answer = render("attention", {**state, "sentence": state["sentence"] + " dog"})
    assert answer["ok"] and not outputs_of(answer, "table")


def test_permutation_view_model_compares_rows_by_the_order():
    settings = dict(heads=2, d_model=8, scaled=True, causal=False, positional=False,
                    temperature=1.0, seed=0)
    pm = attention_widgets.permutation_view_model("a b c d", [2, 0, 3, 1], "c a d b", **settings)
    np.testing.assert_allclose(pm["Y_new"], pm["Y"][[2, 0, 3, 1]], atol=1e-12)
    assert attention_widgets.permutation_view_model("a b c d", [2, 0, 3, 1], "a b c d",
                                                    **settings) is None
    assert attention_widgets.permutation_view_model("a b c d", ["x"], "a b c d", **settings) is None


@pytest.mark.parametrize("state, fragment", [
    ({"sentence": " ".join(f"w{i}" for i in range(17))}, "17개"),
    ({"d_model": "30", "heads": "4"}, "나누어떨어지지"),
    ({"d_model": "15", "heads": "1", "positional": True}, "짝수"),
    ({"d_model": "65"}, "64 이하"),
    ({"sentence": ""}, "비어 있습니다"),
    ({"temperature": "abc"}, "숫자"),
    ({"sentence": "x" * 201}, "200자"),
])
def test_attention_bad_inputs_give_korean_messages_and_the_widget_recovers(state, fragment):
    bad = render("attention", state)
    assert not bad["ok"] and fragment in bad["message"] and HANGUL.search(bad["message"])
    assert bad["state"]["sentence"] == {**widget.defaults("attention"), **state}["sentence"]
    assert render("attention", {**bad["state"], **widget.defaults("attention")})["ok"]


@pytest.mark.parametrize("widget_id, changes", [
    ("attention", [{"scaled": False}, {"causal": True}, {"positional": True},
                   {"temperature": "3", "heads": "4"}, {"sentence": "a a a"}]),
    ("vit-patches", [{"positional": False}, {"patch": "4"}, {"image": "rings", "embed_dim": "7",
                                                             "positional": False}]),
])
def test_switches_keep_the_list_of_outputs(widget_id, changes):
    """The host draws every output again when their kinds or number change: a switch changes
    what the outputs say, not which outputs there are."""
    def kinds(state):
        return [(o["kind"], o.get("id")) for o in render(widget_id, state)["outputs"]]
    assert all(kinds(state) == kinds({}) for state in changes)


def test_vit_view_model_numbers():
    vm = attention_widgets.vit_view_model("checker", 32, 8, 16, True, 0)
    image = attention.sample_image("checker", 32)[None]
    np.testing.assert_array_equal(vm["patches"], patchify(image, 8)[0])
    np.testing.assert_allclose(vm["embedding"],
                               vm["patches"] @ vm["weight"].reshape(16, -1).T, atol=1e-12)
    np.testing.assert_allclose(vm["tokens"],
                               vm["embedding"] + sinusoidal_positional_encoding(16, 16))
    assert vm["max_abs_diff"] < 1e-12


def test_vit_widget_shows_the_patches_in_sequence_order():
    """The sequence picture's tiles are the patches, left to right: decode the PNG and compare
    the centre pixel of each tile with the patch's centre pixel."""
    import base64
    import zlib
    answer = render("vit-patches", {"image": "rings", "patch": "8"})
    figure = next(o["figure"] for o in outputs_of(answer, "plot") if o["id"] == "vit-sequence")
    png = base64.b64decode(figure["layout"]["images"][0]["source"].split(",", 1)[1])
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    data, pos = b"", 8
    while pos < len(png):
        length = int.from_bytes(png[pos:pos + 4], "big")
        if png[pos + 4:pos + 8] == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    rows = np.frombuffer(zlib.decompress(data), np.uint8).reshape(height, 1 + 4 * width)
    pixels = rows[:, 1:].reshape(height, width, 4)                   # filter type 0 on every row
    g = attention_widgets._sequence_layout(16, 8)
    image = attention.sample_image("rings", 32)
    for k in range(16):
        r, c = divmod(k, 4)                                           # patch row and column
        y = g["label"] + g["tile"] // 2
        x = k * (g["tile"] + g["gap"]) + g["tile"] // 2
        expected = np.round(255 * image[:, r * 8 + 4, c * 8 + 4])
        np.testing.assert_array_equal(pixels[y, x, :3], expected)
    texts = [t for t in figure["data"] if t.get("text")]
    assert texts[0]["text"] == [str(k) for k in range(1, 17)]


def test_vit_widget_reports_the_convolution_identity():
    answer = render("vit-patches", {"patch": "4", "embed_dim": "8"})
    stats = dict(outputs_of(answer, "stats")[0]["items"])
    assert float(stats["max |patchify·W − Conv2d|"]) < 1e-12
    assert stats["패치 수 = 토큰 수"] == "(32/4)² = 64"
    assert stats["패치 하나의 길이 C·p·p"] == "3·4·4 = 48"
    tokens = next(o["figure"] for o in outputs_of(answer, "plot") if o["id"] == "vit-tokens")
    assert [np.array(t["z"]).shape for t in tokens["data"]] == [(64, 8), (64, 8)]


@pytest.mark.parametrize("state, fragment", [
    ({"patch": "5"}, "나누지"), ({"patch": "1"}, "너무 많습니다"), ({"embed_dim": "15"}, "짝수"),
    ({"patch": "0"}, "1 이상"), ({"size": "3"}, "4 이상"), ({"patch": "x"}, "숫자"),
])
def test_vit_bad_inputs_give_korean_messages_and_the_widget_recovers(state, fragment):
    bad = render("vit-patches", state)
    assert not bad["ok"] and fragment in bad["message"] and HANGUL.search(bad["message"])
    assert render("vit-patches", {**bad["state"], **widget.defaults("vit-patches")})["ok"]


def test_odd_embedding_is_fine_without_positional_encoding():
    answer = render("vit-patches", {"embed_dim": "15", "positional": False})
    assert answer["ok"]
    tokens = next(o["figure"] for o in outputs_of(answer, "plot") if o["id"] == "vit-tokens")
    assert len(tokens["data"]) == 1
