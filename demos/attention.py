"""Attention and the Transformer's parts (Lecture 8), in NumPy.

Contract (../shared/design.md, ``demos.attention``):

* ``scaled_dot_product_attention(Q, K, V, mask=None, causal=False)`` -> ``(out, weights)``:
  ``Q`` (..., L, d), ``K`` (..., S, d), ``V`` (..., S, dv); ``weights`` (..., L, S) is the softmax
  of ``Q K^T / sqrt(d)`` over the keys a query may attend to, ``out = weights @ V``. ``mask`` is
  boolean, broadcastable to (..., L, S), **True = may attend** (torch's convention); ``causal``
  hides key ``j > i`` from query ``i`` (top-left aligned, torch's ``is_causal``). A query with no
  key left raises ValueError (torch returns NaN there).
* ``multi_head_attention(X, Wq, Wk, Wv, Wo, num_heads, causal=False)`` -> ``(out, weights)``:
  ``X`` (N, T, D), every ``W`` (D, D) used as ``X @ W``, no biases, head ``h`` = features
  ``h*D/H .. (h+1)*D/H - 1``; ``weights`` (N, H, T, T).
* ``sinusoidal_positional_encoding(T, d)`` -> (T, d): ``PE[p, 2i] = sin(p / 10000^(2i/d))``,
  ``PE[p, 2i+1] = cos(p / 10000^(2i/d))``; odd ``d`` raises.
* ``patchify(images, patch)`` -> (N, (H/p)(W/p), C p p) from (N, C, H, W): patches row by row,
  each flattened in (C, p, p) order, so ``patchify(x, p) @ W`` is a ViT patch embedding, the same
  as a convolution with kernel = stride = p and ``W = weight.reshape(E, -1).T``.

Around them, the parts the widgets and the notebook take apart: ``attention_scores``,
``allowed_keys``, ``masked_softmax`` (with a temperature), ``row_entropy``, the multi-head parts,
``strided_conv2d`` (the convolution the patch embedding is compared with), a word-embedding lookup
of seeded random vectors and a few small test images drawn with NumPy. Bad input raises ValueError
or TypeError with a Korean message (``demos.checks``). The widgets are ``demos.widgets.attention``.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from demos import checks

__all__ = [
    "scaled_dot_product_attention", "multi_head_attention", "sinusoidal_positional_encoding",
    "patchify", "attention_scores", "allowed_keys", "masked_softmax", "row_entropy",
    "multi_head_parts", "split_heads", "merge_heads", "random_weights", "embed_words",
    "tokenize", "strided_conv2d", "patch_embedding_vs_conv", "sample_image", "IMAGES",
    "MAX_TOKENS",
]

MAX_TOKENS = 16            # the widget's sentence: what a 16 x 16 heatmap still shows legibly
_MAX_ELEMENTS = 4_000_000  # any array built here (keeps a browser tab from running out of memory)


# ---------------------------------------------------------------------------------------------
# Checks.
# ---------------------------------------------------------------------------------------------

def _check_qkv(Q, K, V) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Q (..., L, d), K (..., S, d), V (..., S, dv) with matching d and S, batch dimensions that
    broadcast, and L, S, d >= 1."""
    Q = checks.float_tensor(Q, "Q", 2, "(..., L, d)")
    K = checks.float_tensor(K, "K", 2, "(..., S, d)")
    V = checks.float_tensor(V, "V", 2, "(..., S, dv)")
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q와 K의 마지막 차원 d가 같아야 합니다 (Q: {Q.shape}, K: {K.shape}).")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"K와 V의 key 개수 S(끝에서 두 번째 차원)가 같아야 합니다 "
                         f"(K: {K.shape}, V: {V.shape}).")
    if 0 in (Q.shape[-2], K.shape[-2], Q.shape[-1]):
        raise ValueError(f"query 수 L, key 수 S, 차원 d는 1 이상이어야 합니다 "
                         f"(Q: {Q.shape}, K: {K.shape}).")
    try:
        np.broadcast_shapes(Q.shape[:-2], K.shape[:-2], V.shape[:-2])
    except ValueError:
        raise ValueError(f"Q, K, V의 앞쪽(batch) 차원이 서로 broadcast되지 않습니다 "
                         f"(Q: {Q.shape}, K: {K.shape}, V: {V.shape}).") from None
    return Q, K, V


def _check_size(shape: tuple[int, ...], what: str) -> None:
    if math.prod(shape) > _MAX_ELEMENTS:
        raise ValueError(f"{what}이(가) 너무 큽니다 ({' × '.join(map(str, shape))}). "
                         f"원소 {_MAX_ELEMENTS:,}개 이하로 줄이세요.")


# ---------------------------------------------------------------------------------------------
# Scaled dot-product attention, piece by piece.
# ---------------------------------------------------------------------------------------------

def attention_scores(Q: np.ndarray, K: np.ndarray, scaled: bool = True) -> np.ndarray:
    """Q (..., L, d), K (..., S, d) -> scores (..., L, S) = Q K^T, divided by sqrt(d) if ``scaled``.

    Why the division: with entries of unit variance, each score is a sum of d products and has
    variance d; dividing by sqrt(d) brings it back to 1, so the softmax does not saturate as d
    grows.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        scores = Q @ np.swapaxes(K, -1, -2)
        if scaled:
            scores = scores / math.sqrt(Q.shape[-1])
    if not np.all(np.isfinite(scores)):
        raise ValueError("Q Kᵀ가 너무 커서 계산할 수 없습니다 (overflow). Q, K의 값을 줄이세요.")
    return scores


def allowed_keys(L: int, S: int, mask=None, causal: bool = False,
                 batch_shape: tuple[int, ...] = ()) -> np.ndarray | None:
    """Which key each query may attend to: bool (..., L, S), True = allowed, or None (all).

    ``mask`` (bool, broadcastable to ``batch_shape + (L, S)``) and the causal mask (key j <= query
    i, top-left aligned) are combined with AND.
    """
    allowed = None
    if mask is not None:
        mask = checks.bool_array(mask, "mask")
        try:
            allowed = np.broadcast_to(mask, (*batch_shape, L, S))
        except ValueError:
            raise ValueError(f"mask의 모양 {mask.shape}이(가) attention 가중치의 모양 "
                             f"{(*batch_shape, L, S)}(으)로 broadcast되지 않습니다.") from None
    if checks.boolean(causal, "causal"):
        lower = np.tril(np.ones((L, S), dtype=bool))       # query i sees keys 0..i
        allowed = lower if allowed is None else allowed & lower
    return allowed


def _first_blind_row(allowed: np.ndarray) -> tuple[int, ...] | None:
    """Index (batch..., i) of the first query with no allowed key, or None."""
    blind = ~allowed.any(axis=-1)
    return tuple(int(i) for i in np.argwhere(blind)[0]) if blind.any() else None


def masked_softmax(scores: np.ndarray, allowed: np.ndarray | None = None,
                   temperature: float = 1.0) -> np.ndarray:
    """Softmax over the last axis of ``scores / temperature`` (..., L, S), only over allowed keys
    (``allowed`` broadcastable bool, True = allowed); hidden keys get weight exactly 0.

    Stable: each row's largest allowed score is subtracted first, so exp() <= 1 never overflows;
    the result is unchanged since softmax(s - c) = softmax(s). A row with no allowed key raises.
    """
    temperature = checks.real(temperature, "temperature", above=0)
    with np.errstate(over="ignore"):
        logits = scores / temperature
    if not np.all(np.isfinite(logits)):
        raise ValueError(f"temperature {temperature:g}이(가) 너무 작아 점수 / temperature가 무한대가 "
                         "되었습니다. temperature를 키우세요.")
    if allowed is not None:
        allowed = np.broadcast_to(allowed, logits.shape)
        blind = _first_blind_row(allowed)
        if blind is not None:
            where = f"{blind[-1]}번 query" + (f" (batch 위치 {blind[:-1]})" if blind[:-1] else "")
            raise ValueError(f"{where}가 볼 수 있는 key가 하나도 없습니다: mask의 그 행이 모두 False"
                             "입니다. softmax의 분모가 0이 되므로 (torch는 이 행에 NaN을 줍니다) "
                             "query마다 True를 하나 이상 두세요.")
        logits = np.where(allowed, logits, -np.inf)
    shifted = logits - logits.max(axis=-1, keepdims=True)   # -inf stays -inf: exp gives 0
    weights = np.exp(shifted)
    return weights / weights.sum(axis=-1, keepdims=True)


def row_entropy(weights) -> np.ndarray:
    """Entropy (nats) of each row of attention weights (..., L, S) -> (..., L); 0 * log 0 = 0.

    0 means all weight on one key (a saturated softmax); log(number of allowed keys) means uniform.
    """
    weights = checks.float_tensor(weights, "weights", 1, "(..., S)")
    if np.any(weights < 0):
        raise ValueError("attention 가중치는 0 이상이어야 합니다.")
    safe = np.where(weights > 0, weights, 1.0)
    return 0.0 - np.sum(weights * np.log(safe), axis=-1)   # 0.0 -: no -0.0 for one-hot rows


def scaled_dot_product_attention(Q, K, V, mask=None, causal: bool = False):
    """Q (..., L, d), K (..., S, d), V (..., S, dv) -> (out (..., L, dv), weights (..., L, S)).

    weights = softmax(Q K^T / sqrt(d)) over the keys each query may attend to (``mask`` True, and
    j <= i when ``causal``); out = weights @ V. Equal to torch's
    ``F.scaled_dot_product_attention`` (weights: its ``softmax`` step).
    """
    Q, K, V = _check_qkv(Q, K, V)
    batch = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2])
    _check_size((*batch, Q.shape[-2], K.shape[-2]), "attention 가중치")
    allowed = allowed_keys(Q.shape[-2], K.shape[-2], mask, causal, batch)
    weights = masked_softmax(attention_scores(Q, K), allowed)
    return weights @ V, weights


# ---------------------------------------------------------------------------------------------
# Multi-head self-attention.
# ---------------------------------------------------------------------------------------------

def split_heads(X: np.ndarray, num_heads: int) -> np.ndarray:
    """(N, T, D) -> (N, H, T, D/H): head h gets the contiguous features h*D/H .. (h+1)*D/H - 1."""
    N, T, D = X.shape
    return X.reshape(N, T, num_heads, D // num_heads).transpose(0, 2, 1, 3)


def merge_heads(heads: np.ndarray) -> np.ndarray:
    """(N, H, T, D/H) -> (N, T, D): the heads' outputs concatenated along the features."""
    N, H, T, Dh = heads.shape
    return heads.transpose(0, 2, 1, 3).reshape(N, T, H * Dh)


def _check_mha(X, Wq, Wk, Wv, Wo, num_heads):
    X = checks.float_array(X, "X", 3)
    N, T, D = X.shape
    if 0 in X.shape:
        raise ValueError(f"X의 N, T, D는 모두 1 이상이어야 합니다 (받은 모양: {X.shape}).")
    matrices = []
    for name, W in (("Wq", Wq), ("Wk", Wk), ("Wv", Wv), ("Wo", Wo)):
        W = checks.float_array(W, name, 2)
        if W.shape != (D, D):
            raise ValueError(f"{name}은(는) ({D}, {D}) 모양이어야 합니다 (X의 D = {D}, "
                             f"받은 모양: {W.shape}).")
        matrices.append(W)
    num_heads = checks.integer(num_heads, "num_heads", low=1)
    if D % num_heads:
        raise ValueError(f"d_model D = {D}이(가) head 수 {num_heads}(으)로 나누어떨어지지 않습니다. "
                         f"head마다 D / head 수 개의 특징을 나눠 가지므로, D의 약수를 고르세요.")
    _check_size((N, num_heads, T, T), "attention 가중치")
    return X, *matrices, num_heads


def multi_head_parts(X, Wq, Wk, Wv, Wo, num_heads, causal: bool = False, scaled: bool = True,
                     temperature: float = 1.0) -> dict:
    """Every intermediate of multi-head self-attention on X (N, T, D), as a dict:

    ``Q, K, V`` (N, H, T, D/H) (projections split into heads), ``scores`` (N, H, T, T) (divided by
    sqrt(D/H) when ``scaled``), ``weights`` (N, H, T, T) (softmax of scores / temperature over the
    allowed keys), ``heads`` (N, H, T, D/H) = weights @ V, ``out`` (N, T, D) = concat(heads) @ Wo.
    """
    X, Wq, Wk, Wv, Wo, num_heads = _check_mha(X, Wq, Wk, Wv, Wo, num_heads)
    Q, K, V = (split_heads(X @ W, num_heads) for W in (Wq, Wk, Wv))
    scores = attention_scores(Q, K, scaled)
    T = X.shape[1]
    weights = masked_softmax(scores, allowed_keys(T, T, causal=causal), temperature)
    heads = weights @ V
    return {"Q": Q, "K": K, "V": V, "scores": scores, "weights": weights, "heads": heads,
            "out": merge_heads(heads) @ Wo}


def multi_head_attention(X, Wq, Wk, Wv, Wo, num_heads, causal: bool = False):
    """X (N, T, D) -> (out (N, T, D), weights (N, H, T, T)): self-attention with ``num_heads``
    heads of contiguous D/H features, Q = X Wq, K = X Wk, V = X Wv, out = concat(heads) Wo.

    Equal to ``torch.nn.MultiheadAttention(D, H, bias=False, batch_first=True)`` with
    ``in_proj_weight = [Wq.T; Wk.T; Wv.T]``, ``out_proj.weight = Wo.T`` and
    ``average_attn_weights=False``.
    """
    parts = multi_head_parts(X, Wq, Wk, Wv, Wo, num_heads, causal)
    return parts["out"], parts["weights"]


def random_weights(d_model: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Wq, Wk, Wv, Wo (D, D) with entries N(0, 1/D) from ``seed``: projections that keep a vector
    of unit-variance entries at unit variance (as a trained layer's roughly do)."""
    d_model = checks.integer(d_model, "d_model", low=1, high=1024)
    rng = np.random.default_rng(checks.integer(seed, "seed", low=0))
    return {name: rng.normal(0.0, 1.0 / math.sqrt(d_model), (d_model, d_model))
            for name in ("Wq", "Wk", "Wv", "Wo")}


# ---------------------------------------------------------------------------------------------
# Tokens: words -> vectors.
# ---------------------------------------------------------------------------------------------

def tokenize(sentence: str, max_tokens: int = MAX_TOKENS) -> list[str]:
    """Words separated by spaces -> tokens (at least 1, at most ``max_tokens``)."""
    if not isinstance(sentence, str):
        raise TypeError(f"문장은 문자열이어야 합니다 (입력값: {sentence!r}).")
    tokens = sentence.split()
    if not tokens:
        raise ValueError("문장이 비어 있습니다. 띄어쓰기로 구분한 단어를 하나 이상 입력하세요.")
    if len(tokens) > max_tokens:
        raise ValueError(f"토큰은 최대 {max_tokens}개까지 넣을 수 있습니다 (입력: {len(tokens)}개). "
                         "단어를 줄이세요.")
    return tokens


def embed_words(tokens: list[str], d_model: int, seed: int = 0) -> np.ndarray:
    """tokens (T,) -> embeddings (T, D): each distinct word a fixed random vector with N(0, 1)
    entries, drawn from (``seed``, the word's CRC-32). The same word gets the same vector wherever
    it stands, like a row of an embedding table; with no positional encoding nothing else tells
    two equal words apart."""
    d_model = checks.integer(d_model, "d_model", low=1, high=1024)
    seed = checks.integer(seed, "seed", low=0)
    return np.stack([np.random.default_rng([seed, zlib.crc32(word.encode("utf-8"))])
                     .standard_normal(d_model) for word in tokens])


def sinusoidal_positional_encoding(T, d) -> np.ndarray:
    """(T, d): PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)).

    Each pair of features turns at its own frequency, from one radian per position (i = 0) down to
    about 1/10000, so every position gets a distinct code and a fixed shift of positions is a
    rotation of each pair."""
    T = checks.integer(T, "T", low=1)
    d = checks.integer(d, "d", low=2)
    if d % 2:
        raise ValueError(f"positional encoding의 차원 d는 짝수여야 합니다 (sin, cos 한 쌍씩; "
                         f"입력값 d = {d}).")
    _check_size((T, d), "positional encoding")
    positions = np.arange(T, dtype=np.float64)[:, None]           # (T, 1)
    frequencies = 10000.0 ** (-np.arange(0, d, 2) / d)            # (d/2,) = 1 / 10000^(2i/d)
    angles = positions * frequencies                              # (T, d/2)
    pe = np.empty((T, d))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe


# ---------------------------------------------------------------------------------------------
# Vision Transformer: patches.
# ---------------------------------------------------------------------------------------------

def _check_images(images, patch) -> tuple[np.ndarray, int]:
    images = checks.float_array(images, "images", 4)
    if 0 in images.shape:
        raise ValueError(f"images의 N, C, H, W는 모두 1 이상이어야 합니다 (받은 모양: {images.shape}).")
    patch = checks.integer(patch, "patch", low=1)
    _, _, H, W = images.shape
    for axis, size in (("높이 H", H), ("너비 W", W)):
        if size % patch:
            raise ValueError(f"patch 크기 p = {patch}이(가) 이미지의 {axis} = {size}을(를) 나누지 "
                             f"않습니다 ({size} = {patch} × {size // patch} + {size % patch}). "
                             "H와 W의 공약수를 고르세요.")
    return images, patch


def patchify(images, patch) -> np.ndarray:
    """images (N, C, H, W) -> patches (N, (H/p)(W/p), C*p*p): patches row by row (left to right,
    then top to bottom), each flattened in (C, p, p) order."""
    images, p = _check_images(images, patch)
    N, C, H, W = images.shape
    grid = images.reshape(N, C, H // p, p, W // p, p)   # (N, C, row, y, col, x)
    return grid.transpose(0, 2, 4, 1, 3, 5).reshape(N, (H // p) * (W // p), C * p * p)


def strided_conv2d(images, weight, stride) -> np.ndarray:
    """images (N, C, H, W), weight (E, C, k, k) -> (N, E, H_out, W_out), no padding, no bias:
    out[n, e, i, j] = sum over c, a, b of weight[e, c, a, b] * images[n, c, i*s + a, j*s + b].

    Straight from that definition, by whichever loop is shorter: over the output positions (one
    window at a time, against every filter) or over the kernel's taps (one offset (a, b) at a
    time, over every window at once). Neither reshapes the image into patches, so comparing the
    result with ``patchify(images, k) @ W`` checks something."""
    images = checks.float_array(images, "images", 4)
    weight = checks.float_array(weight, "weight", 4)
    stride = checks.integer(stride, "stride", low=1)
    E, C, k, k2 = weight.shape
    if k != k2 or C != images.shape[1] or k > min(images.shape[2:]) or 0 in weight.shape:
        raise ValueError(f"weight는 (E, C, k, k) 모양이고 C가 images의 채널 수와 같으며 k가 "
                         f"이미지보다 크지 않아야 합니다 (images: {images.shape}, weight: {weight.shape}).")
    N, _, H, W = images.shape
    H_out, W_out = (H - k) // stride + 1, (W - k) // stride + 1
    out = np.zeros((N, E, H_out, W_out))
    if H_out * W_out <= k * k:
        for i in range(H_out):
            for j in range(W_out):
                window = images[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
                out[:, :, i, j] = np.einsum("ncab,ecab->ne", window, weight)
        return out
    for a in range(k):
        for b in range(k):
            taps = images[:, :, a:a + stride * (H_out - 1) + 1:stride,
                          b:b + stride * (W_out - 1) + 1:stride]    # (N, C, H_out, W_out)
            out += np.einsum("nchw,ec->nehw", taps, weight[:, :, a, b])
    return out


def patch_embedding_vs_conv(images, weight) -> dict:
    """A ViT patch embedding two ways, for weight (E, C, p, p) on images (N, C, H, W):
    ``embedding`` = patchify(images, p) @ weight.reshape(E, -1).T, (N, P, E), and ``conv`` =
    strided_conv2d(images, weight, stride=p) flattened the same way, (N, P, E); ``max_abs_diff``
    between them (rounding only)."""
    weight = checks.float_array(weight, "weight", 4)
    p = weight.shape[-1]
    embedding = patchify(images, p) @ weight.reshape(weight.shape[0], -1).T
    conv = strided_conv2d(images, weight, p)                     # (N, E, H/p, W/p)
    conv = conv.reshape(*conv.shape[:2], -1).transpose(0, 2, 1)  # (N, P, E), patches row by row
    return {"embedding": embedding, "conv": conv,
            "max_abs_diff": float(np.max(np.abs(embedding - conv)))}


# Small built-in pictures (no downloads): name -> Korean label.
IMAGES = {"smiley": "웃는 얼굴", "checker": "체크무늬", "stripes": "대각선 줄무늬",
          "rings": "동심원", "letter": "글자 T"}


def sample_image(name: str, size: int = 32) -> np.ndarray:
    """One of ``IMAGES`` drawn with NumPy -> RGB (3, size, size) with values in [0, 1]."""
    if name not in IMAGES:
        raise ValueError(f"그림은 {', '.join(IMAGES)} 중 하나여야 합니다 (입력값: {name!r}).")
    size = checks.integer(size, "이미지 크기", low=4, high=256)
    y, x = (np.mgrid[0:size, 0:size] + 0.5) / size          # pixel centres in (0, 1)
    r = np.hypot(x - 0.5, y - 0.5)
    if name == "smiley":
        face = r < 0.42
        eyes = (np.hypot(x - 0.35, y - 0.37) < 0.06) | (np.hypot(x - 0.65, y - 0.37) < 0.06)
        mouth = (np.abs(r - 0.24) < 0.04) & (y > 0.55)
        ink = face & ~eyes & ~mouth
        rgb = [np.where(ink, 1.0, 0.15), np.where(ink, 0.8, 0.2), np.where(face, 0.1, 0.45)]
    elif name == "checker":
        cells = (np.floor(x * 4) + np.floor(y * 4)) % 2
        rgb = [0.2 + 0.7 * cells, 0.3 + 0.2 * cells, 0.9 - 0.7 * cells]
    elif name == "stripes":
        band = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * (x + y))
        rgb = [band, 0.4 * np.ones_like(x), 1.0 - band]
    elif name == "rings":
        band = 0.5 + 0.5 * np.cos(2 * np.pi * 5 * r)
        rgb = [0.9 * band, 0.6 * band + 0.2 * (1 - band), 1.0 - 0.8 * band]
    else:  # letter
        bar = (np.abs(x - 0.5) < 0.09) & (y > 0.2) & (y < 0.85)
        top = (np.abs(y - 0.25) < 0.07) & (x > 0.2) & (x < 0.8)
        ink = bar | top
        rgb = [np.where(ink, 0.95, 0.1 + 0.3 * x), np.where(ink, 0.95, 0.2),
               np.where(ink, 0.95, 0.5 - 0.3 * y)]
    return np.clip(np.stack(rgb), 0.0, 1.0)
