"""Widgets "attention" and "vit-patches" (Lecture 8): self-attention and a ViT's patch tokens.

"attention": a sentence the reader types, embedded by seeded random word vectors, goes through
multi-head self-attention; the weights of every head as heatmaps, each row's entropy, switches for
the 1/√d_k scaling, the causal mask and positional encoding, a temperature, and a button that
shuffles the tokens to show that (without positional encoding) the outputs are shuffled the same
way. "vit-patches": a small picture drawn with NumPy, cut into p × p patches, the patch sequence,
the tokens with positional encoding added, and the patch embedding against a convolution with
kernel = stride = p. Built in three layers:

* ``attention_view_model``, ``permutation_view_model``, ``vit_view_model``: every number shown,
  from ``demos.attention`` alone (pure, no figures);
* ``_weights_figure``, ``_entropy_figure``, ``_image_figure``, ``_sequence_figure``,
  ``_tokens_figure`` and the table and note builders;
* ``TEXT``: every Korean sentence and label the widgets show.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from demos import attention, plotting, raster
from demos.widget import (button, hidden, legend, math as math_output, number, plot, select,
                          slider, stats, table, text, textbox, toggle, widget)

__all__ = ["WIDGETS", "attention_view_model", "permutation_view_model", "vit_view_model",
           "MAX_PATCHES"]

TEXT = {
    # attention
    "title": "Self-attention 실험실: head, scaling, mask, 위치 인코딩",
    "description": "단어를 입력하면 (단어마다 고정된 무작위 벡터) multi-head self-attention의 가중치를 "
                   "head마다 보여 줍니다. 1/√d_k 나누기, causal mask, positional encoding을 켜고 끄고, "
                   "'토큰 순서 섞기'로 위치 정보가 없을 때 출력도 똑같이 섞이는지 확인해 보세요.",
    "head": "head {h}",
    "cell_hover": "query %{y} → key %{x}<br>가중치 %{z:.3f}<extra>head %{meta}</extra>",
    "entropy_title": "행(query)마다의 entropy",
    "entropy_axis": "entropy (nats)",
    "entropy_hover": "query %{x}: %{y:.3f} nats<extra>head %{meta}</extra>",
    "max_entropy": "균등 분포의 entropy log(볼 수 있는 key 수)",
    "tokens": "토큰 수 T", "d_k": "head당 차원 d_k",
    "logit_std": "softmax 입력의 표준편차",
    "mean_entropy": "평균 entropy (균등이면)",
    "saturated": "포화된 행 (최대 가중치 > 0.99)",
    "weights_note": "각 행은 한 query가 key들에 나눠 주는 가중치입니다: 모두 0 이상 1 이하이고 행의 "
                    "합은 1입니다. 색이 밝을수록 큰 가중치입니다.",
    "causal_note": " causal mask: query i는 key 1..i만 봅니다 (빈 칸 = 가려진 key, 가중치 정확히 0).",
    "duplicates": "'{word}'처럼 같은 단어는 위치가 달라도 같은 벡터라서 그 query 행들의 가중치와 "
                  "출력이 똑같습니다. positional encoding을 켜면 달라집니다.",
    "scaled": "점수를 √d_k ≈ {root:.1f}로 나눠 softmax 입력의 표준편차를 약 1로 유지합니다. 나누기를 끄고 "
              "entropy가 어떻게 변하는지 비교해 보세요.",
    "unscaled": "1/√d_k로 나누지 않아 점수의 표준편차가 약 √d_k = {root:.1f}배 커졌습니다. softmax가 한 "
                "key에 몰려(포화) entropy가 0에 가까워지고, 그 기울기는 거의 0이 됩니다. d_model을 키우면 "
                "더 심해집니다.",
    # permutation
    "perm_caption": "토큰 순서를 섞은 뒤 출력 Y' = MHA(PX)와 섞기 전 출력 Y = MHA(X)의 행 비교 "
                    "(앞의 특징 2개)",
    "perm_columns": ["새 위치 i", "토큰", "원래 위치 π(i)", "Y'[i] (앞 2개)", "Y[π(i)] (앞 2개)",
                     "최대 |차이|"],
    "perm_stat": "max |Y' − P·Y|",
    "perm_equal": "출력도 토큰과 똑같이 섞였습니다: Y' = P·Y (최대 차이 {diff:.1e}, 반올림 오차). "
                  "self-attention은 순서를 모릅니다 (permutation equivariant).",
    "perm_pe": "positional encoding이 켜져 있어 같은 단어도 자리마다 다른 벡터가 되므로, 출력은 단순히 "
               "섞인 것이 아닙니다 (최대 차이 {diff:.3f}). 위치 정보가 순서를 알려 줍니다.",
    "perm_causal": "causal mask는 자리에 따라 볼 수 있는 key가 달라서 순서를 압니다: 출력은 단순히 섞인 "
                   "것이 아닙니다 (최대 차이 {diff:.3f}).",
    "perm_one": "토큰이 하나라 섞어도 순서가 같습니다. 단어를 더 넣으세요.",
    # vit-patches
    "vit_title": "ViT 패치: 이미지를 토큰 시퀀스로",
    "vit_description": "이미지를 p × p 패치로 잘라 한 줄로 세우고, 선형 층으로 임베딩한 뒤 positional "
                       "encoding을 더합니다. 이 patch embedding은 kernel = stride = p인 합성곱과 같은 "
                       "계산입니다: 두 방법의 차이를 숫자로 확인하세요.",
    "image_title": "{size}×{size} 이미지, {p}×{p} 패치 {count}개",
    "sequence_title": "패치 시퀀스: 토큰 1 → {count}<br>"
                      "<span style='font-size: 11px'>패치 아래: 펼친 벡터 (길이 {length}, "
                      "R·G·B 순)</span>",
    "embedding_panel": "패치 임베딩 x_p W ({count} × {E})",
    "tokens_panel": "+ PE = Transformer 입력",
    "feature_axis": "특징 (embedding 차원)", "token_axis": "토큰 (패치 번호)",
    "token_hover": "토큰 %{y}, 특징 %{x}<br>%{z:.3f}<extra></extra>",
    "patches": "패치 수 = 토큰 수", "patch_length": "패치 하나의 길이 C·p·p",
    "embed_shape": "임베딩 행렬 W", "conv_diff": "max |patchify·W − Conv2d|",
    "conv_note": "kernel = stride = p인 합성곱은 창이 겹치지도 비지도 않고 이미지를 덮으므로, 창 하나가 곧 "
                 "패치 하나이고 필터 e의 출력은 패치 벡터와 W의 e번째 열의 내적입니다. 두 계산의 최대 차이 "
                 "{diff:.1e}은(는) 부동소수점 반올림뿐입니다.",
    "pe_note": "positional encoding은 토큰 번호 t마다 sin/cos 값을 더해 같은 내용의 패치라도 자리를 "
               "구별하게 합니다 (2차원 위치를 1차원 번호로 폈습니다).",
    "no_pe_note": "positional encoding이 꺼져 있어 토큰은 패치 임베딩 그대로입니다: 내용이 같은 패치는 "
                  "자리가 달라도 같은 토큰이 되어, Transformer는 패치의 위치를 알 수 없습니다.",
    "too_many": "패치가 {count}개로 너무 많습니다 (이 그림은 {limit}개까지). patch 크기 p를 키우세요.",
}

HEAD_COLORS = plotting.CLASS_COLORS[:4]
MAX_HEADS = 4
MAX_PATCHES = 256      # tokens in the ViT pictures (a 16 x 16 grid of patches)
NUMBERED_PATCHES = 64  # patch numbers are written on the pictures up to this many
_LABEL_CHARS = 8       # tick labels: longer words are cut


# ---------------------------------------------------------------------------------------------
# attention: the view model.
# ---------------------------------------------------------------------------------------------

def _inputs(tokens: list[str], d_model: int, seed: int, positional: bool) -> np.ndarray:
    """Word vectors (T, D), plus the sinusoidal positional encoding when ``positional``."""
    X = attention.embed_words(tokens, d_model, seed)
    if positional:
        X = X + attention.sinusoidal_positional_encoding(len(tokens), d_model)
    return X


def _self_attention(tokens, heads, d_model, scaled, causal, positional, temperature,
                    seed) -> dict:
    """``attention.multi_head_parts`` of one sentence (batch of 1), batch axis dropped."""
    X = _inputs(tokens, d_model, seed, positional)
    parts = attention.multi_head_parts(X[None], **attention.random_weights(d_model, seed),
                                       num_heads=heads, causal=causal, scaled=scaled,
                                       temperature=temperature)
    return {name: value[0] for name, value in parts.items()}


def attention_view_model(sentence: str, heads: int, d_model: int, scaled: bool, causal: bool,
                         positional: bool, temperature: float, seed: int) -> dict:
    """The sentence through ``heads``-head self-attention -> tokens, weights (H, T, T), the
    allowed-key mask (T, T), entropy (H, T) and its maximum log(allowed keys) (T,), the standard
    deviation of the softmax's input over allowed pairs, the rows with more than one allowed key
    whose top weight exceeds 0.99, the output (T, D) and d_k."""
    tokens = attention.tokenize(sentence)
    T = len(tokens)
    parts = _self_attention(tokens, heads, d_model, scaled, causal, positional, temperature, seed)
    allowed = np.tril(np.ones((T, T), dtype=bool)) if causal else np.ones((T, T), dtype=bool)
    weights = parts["weights"]
    choices = allowed.sum(axis=1)                                     # (T,) keys per query
    logits = parts["scores"][:, allowed] / temperature
    return {"tokens": tokens, "weights": weights, "allowed": allowed,
            "entropy": attention.row_entropy(weights), "max_entropy": np.log(choices),
            "logit_std": float(logits.std()),
            "saturated": int(np.sum((weights.max(axis=-1) > 0.99) & (choices > 1))),
            "rows": int(np.sum(choices > 1)) * heads, "out": parts["out"],
            "d_k": d_model // heads}


def permutation_view_model(previous: str, order, sentence: str, **settings) -> dict | None:
    """When ``sentence`` is ``previous`` with its tokens reordered by ``order`` (new position i
    holds old token order[i]): both outputs Y = MHA(X), Y' = MHA(PX) under ``settings`` and the
    largest |Y'[i] − Y[order[i]]|. None when the sentence has changed since (nothing to compare)."""
    if not previous or not isinstance(order, list) or not all(type(i) is int for i in order):
        return None
    before, now = attention.tokenize(previous), attention.tokenize(sentence)
    if sorted(order) != list(range(len(before))) or [before[i] for i in order] != now:
        return None
    Y = attention_view_model(previous, **settings)["out"]
    Y_new = attention_view_model(sentence, **settings)["out"]
    return {"order": order, "tokens": now, "Y": Y, "Y_new": Y_new,
            "diff": float(np.max(np.abs(Y_new - Y[order])))}


def _shuffle(values: dict, event: dict) -> dict:
    """The "permute" button: a new order of the tokens (never the same order when T > 1)."""
    if event.get("type") != "action" or event.get("name") != "permute":
        return {}
    tokens = attention.tokenize(values["sentence"])
    shuffles = int(values["shuffles"] or 0) + 1
    order = np.random.default_rng(shuffles).permutation(len(tokens))
    if len(tokens) > 1 and np.all(order == np.arange(len(tokens))):
        order = np.roll(order, 1)
    return {"sentence": " ".join(tokens[i] for i in order), "previous": " ".join(tokens),
            "order": order.tolist(), "shuffles": shuffles}


# ---------------------------------------------------------------------------------------------
# attention: figures, tables and notes.
# ---------------------------------------------------------------------------------------------

def _label(word: str) -> str:
    return word if len(word) <= _LABEL_CHARS else word[:_LABEL_CHARS - 1] + "…"


def _panel_domains(count: int, columns: int, gap: float = 0.1,
                   vgap: float = 0.16) -> list[tuple[list[float], list[float]]]:
    """(x domain, y domain) of ``count`` panels in a grid of ``columns``, first row on top."""
    rows = math.ceil(count / columns)
    width, height = (1 - gap * (columns - 1)) / columns, (1 - vgap * (rows - 1)) / rows
    domains = []
    for k in range(count):
        r, c = divmod(k, columns)
        x0, y1 = c * (width + gap), 1 - r * (height + vgap)
        domains.append(([round(x0, 4), round(x0 + width, 4)],
                        [round(y1 - height, 4), round(y1, 4)]))
    return domains


def _label_room(tokens: list[str], angle: int) -> int:
    """Pixels under a plot for its token tick labels (upright, or turned a quarter)."""
    return 28 + (7 * min(max(len(t) for t in tokens), _LABEL_CHARS) if angle else 0)


def _token_axis(tokens: list[str], **extra) -> dict:
    positions = list(range(1, len(tokens) + 1))
    return plotting.axis_style(tickvals=positions, ticktext=[_label(t) for t in tokens],
                               showgrid=False, zeroline=False, fixedrange=True, **extra)


# Narrow and without a title (the note under the figure says what the colours are), so that on
# a phone the panels keep most of the width.
_WEIGHT_BAR = {"thickness": 8, "len": 0.9, "xpad": 4, "tickvals": [0, 0.5, 1]}


def _weights_figure(vm: dict) -> dict:
    """One heatmap of weights (T, T) per head, two to a row, query 1 on top; hidden keys blank."""
    weights, tokens = vm["weights"], vm["tokens"]
    heads, T = weights.shape[0], len(tokens)
    columns = 1 if heads == 1 else 2
    angle = 0 if T * columns <= 8 else -90
    data, axes, annotations = [], {}, []
    for h, (xd, yd) in enumerate(_panel_domains(heads, columns)):
        s = "" if h == 0 else str(h + 1)
        z = np.where(vm["allowed"], np.round(weights[h], 3), np.nan)
        data.append({"type": "heatmap", "z": z, "x": list(range(1, T + 1)),
                     "y": list(range(1, T + 1)), "zmin": 0, "zmax": 1, "colorscale": "Viridis",
                     "showscale": h == 0, "xgap": 1, "ygap": 1, "meta": h + 1,
                     "xaxis": f"x{s}", "yaxis": f"y{s}", "hovertemplate": TEXT["cell_hover"],
                     "colorbar": _WEIGHT_BAR})
        axes[f"xaxis{s}"] = _token_axis(tokens, domain=xd, anchor=f"y{s}", tickangle=angle,
                                        tickfont={"size": 12 if T * columns <= 16 else 10},
                                        showticklabels=h + columns >= heads)  # no panel below
        axes[f"yaxis{s}"] = _token_axis(tokens, domain=yd, anchor=f"x{s}", autorange="reversed",
                                        showticklabels=h % columns == 0)
        annotations.append({"text": TEXT["head"].format(h=h + 1), "showarrow": False,
                            "xref": "paper", "yref": "paper", "x": xd[0], "y": yd[1],
                            "xanchor": "left", "yanchor": "bottom"})
    rows = math.ceil(heads / columns)
    bottom = _label_room(tokens, angle)
    return {"data": data, "layout": plotting.layout(
        height=rows * 250 + 30 + bottom, annotations=annotations, showlegend=False,
        margin={"l": 64, "r": 8, "t": 26, "b": bottom}, **axes)}


def _entropy_figure(vm: dict) -> tuple[dict, dict]:
    """Each head's row entropy along the queries, with the uniform maximum; -> (figure, legend)."""
    tokens, entropy = vm["tokens"], vm["entropy"]
    x = list(range(1, len(tokens) + 1))
    data = [{"type": "scatter", "mode": "lines", "x": x, "y": np.round(vm["max_entropy"], 4),
             "line": {"color": plotting.TIE_COLOR, "dash": "dash", "width": 1.5},
             "hoverinfo": "skip"}]
    data += [{"type": "scatter", "mode": "lines+markers", "x": x, "y": np.round(entropy[h], 4),
              "meta": h + 1, "line": {"color": HEAD_COLORS[h], "width": 2},
              "marker": {"size": 6}, "hovertemplate": TEXT["entropy_hover"]}
             for h in range(entropy.shape[0])]
    top = max(float(vm["max_entropy"].max()), float(entropy.max()), 0.1) * 1.1
    angle = 0 if len(tokens) <= 8 else -90
    bottom = _label_room(tokens, angle)
    figure = {"data": data, "layout": plotting.chart_layout(
        TEXT["entropy_title"], 210 + bottom, showlegend=False,
        margin={"l": 50, "r": 12, "t": 36, "b": bottom},
        xaxis=_token_axis(tokens, tickangle=angle),
        yaxis={"title": {"text": TEXT["entropy_axis"]}, "range": [0, top], "fixedrange": True})}
    items = [(TEXT["head"].format(h=h + 1), HEAD_COLORS[h], "line") for h in range(len(entropy))]
    return figure, legend(items + [(TEXT["max_entropy"], plotting.TIE_COLOR, "dash")])


def _formula(vm: dict, scaled: bool, temperature: float) -> str:
    denominator = [f"\\sqrt{{{vm['d_k']}}}"] if scaled else []
    if temperature != 1:
        denominator.append(f"{temperature:g}")
    below = " \\cdot ".join(denominator)
    fraction = f"\\frac{{Q_h K_h^\\top}}{{{below}}}" if denominator else "Q_h K_h^\\top"
    return (f"\\begin{{aligned}} A_h &= \\mathrm{{softmax}}\\!\\left({fraction}\\right) \\\\ "
            f"\\text{{out}} &= \\mathrm{{concat}}_h(A_h V_h)\\, W_o \\end{{aligned}}")


def _notes(vm: dict, scaled: bool, causal: bool, positional: bool) -> list[dict]:
    """Always two notes, whatever the settings: what the picture shows, then what the settings
    do. (A change in the number of outputs makes the host draw every output again.)"""
    picture = text(TEXT["weights_note"] + (TEXT["causal_note"] if causal else ""))
    repeated = [w for i, w in enumerate(vm["tokens"]) if w in vm["tokens"][:i]]
    remarks, tone = [], "info"
    if repeated and not positional and not causal:    # a causal row depends on its position
        remarks.append(TEXT["duplicates"].format(word=repeated[0]))
        tone = "ok"
    if not scaled:
        remarks.append(TEXT["unscaled"].format(root=math.sqrt(vm["d_k"])))
        tone = "warn"
    if not remarks:
        remarks.append(TEXT["scaled"].format(root=math.sqrt(vm["d_k"])))
    return [picture, text(" ".join(remarks), tone)]


def _row_head(values: np.ndarray) -> str:
    return ", ".join(f"{v:.3f}" for v in values[:2])


def _permutation_outputs(pm: dict | None, causal: bool, positional: bool) -> list[dict]:
    """The shuffled-vs-original comparison: a verdict and the rows of both outputs."""
    if pm is None:
        return []
    order, diff = pm["order"], pm["diff"]
    if len(order) == 1:
        return [text(TEXT["perm_one"])]
    if positional:
        verdict = text(TEXT["perm_pe"].format(diff=diff), "warn")
    elif causal:
        verdict = text(TEXT["perm_causal"].format(diff=diff), "warn")
    else:
        verdict = text(TEXT["perm_equal"].format(diff=diff), "ok")
    rows = [[i + 1, pm["tokens"][i], j + 1, _row_head(pm["Y_new"][i]), _row_head(pm["Y"][j]),
             f"{np.max(np.abs(pm['Y_new'][i] - pm['Y'][j])):.1e}"] for i, j in enumerate(order)]
    return [verdict, table(TEXT["perm_columns"], rows, caption=TEXT["perm_caption"])]


def _render_attention(sentence, heads, d_model, scaled, causal, positional, temperature, seed,
                      previous, order, shuffles) -> list[dict]:
    settings = {"heads": int(heads), "d_model": d_model, "scaled": scaled, "causal": causal,
                "positional": positional, "temperature": temperature, "seed": seed}
    vm = attention_view_model(sentence, **settings)
    pm = permutation_view_model(previous, order, sentence, **settings)
    entropy_plot, entropy_legend = _entropy_figure(vm)
    items = [(TEXT["tokens"], len(vm["tokens"])), (TEXT["d_k"], vm["d_k"]),
             (TEXT["logit_std"], f"{vm['logit_std']:.2f}"),
             (TEXT["mean_entropy"], f"{vm['entropy'].mean():.2f} ({vm['max_entropy'].mean():.2f})"),
             (TEXT["saturated"], f"{vm['saturated']} / {vm['rows']}")]
    if pm is not None and len(pm["order"]) > 1:
        items.append((TEXT["perm_stat"], f"{pm['diff']:.1e}"))
    return [plot("attention-weights", _weights_figure(vm)), stats(items),
            *_permutation_outputs(pm, causal, positional),
            math_output(_formula(vm, scaled, temperature)),
            *_notes(vm, scaled, causal, positional),
            plot("attention-entropy", entropy_plot), entropy_legend]


_ATTENTION_CONTROLS = [
    textbox("sentence", "문장 (띄어쓰기로 구분한 토큰, 최대 16개)", "the cat sat on the mat",
            help="단어마다 seed로 정해진 무작위 벡터(embedding)가 붙습니다. 같은 단어는 같은 벡터입니다."),
    select("heads", "head 수 (num_heads)", "2", [(str(h), str(h)) for h in range(1, MAX_HEADS + 1)]),
    number("d_model", "모델 차원 d_model", 16, min=1, max=64, integer=True,
           help="head마다 d_model / head 수 개의 특징을 나눠 가집니다 (나누어떨어져야 합니다)."),
    toggle("scaled", "1/√d_k로 나누기 (scaled)", True,
           help="끄면 점수의 분산이 d_k배가 되어 softmax가 포화합니다."),
    toggle("causal", "causal mask (미래 토큰 가리기)", False),
    toggle("positional", "positional encoding 더하기", False,
           help="sin/cos 위치 인코딩(Vaswani et al., 2017). d_model이 짝수여야 합니다."),
    slider("temperature", "softmax temperature τ", 1, min=0.05, max=20, step=0.1, log=True,
           help="점수를 τ로 나눕니다: 작으면 뾰족하게(entropy ↓), 크면 고르게(entropy ↑)."),
    number("seed", "seed (가중치·단어 벡터)", 0, min=0, max=1_000_000, integer=True),
    button("permute", "토큰 순서 섞기 (permutation)"),
    hidden("previous", ""),
    hidden("order", []),
    hidden("shuffles", 0),
]


# ---------------------------------------------------------------------------------------------
# vit-patches: the view model.
# ---------------------------------------------------------------------------------------------

def vit_view_model(image: str, size: int, patch: int, embed_dim: int, positional: bool,
                   seed: int) -> dict:
    """A built-in picture (1, 3, size, size) cut into patches -> the picture (3, S, S), patches
    (P, 3 p p), a seeded embedding weight (E, 3, p, p), the embedding both ways and their max abs
    difference (``attention.patch_embedding_vs_conv``), the positional encoding (P, E) or None,
    and the Transformer's input tokens (P, E)."""
    x = attention.sample_image(image, size)[None]
    patches = attention.patchify(x, patch)[0]
    count = patches.shape[0]
    if count > MAX_PATCHES:
        raise ValueError(TEXT["too_many"].format(count=count, limit=MAX_PATCHES))
    rng = np.random.default_rng(seed)
    weight = rng.normal(0.0, 1.0 / math.sqrt(patches.shape[1]), (embed_dim, 3, patch, patch))
    both = attention.patch_embedding_vs_conv(x, weight)
    pe = attention.sinusoidal_positional_encoding(count, embed_dim) if positional else None
    embedding = both["embedding"][0]
    return {"image": x[0], "patch": patch, "patches": patches, "weight": weight,
            "embedding": embedding, "max_abs_diff": both["max_abs_diff"], "pe": pe,
            "tokens": embedding if pe is None else embedding + pe}


# ---------------------------------------------------------------------------------------------
# vit-patches: figures.
# ---------------------------------------------------------------------------------------------

def _rgba(picture: np.ndarray, scale: int) -> np.ndarray:
    """RGB (3, h, w) in [0, 1] -> opaque RGBA (h*scale, w*scale, 4) uint8, each pixel a block
    (so the browser's smoothing does not blur a small picture)."""
    rgb = np.round(255 * picture.transpose(1, 2, 0)).astype(np.uint8)
    rgba = np.concatenate([rgb, np.full((*rgb.shape[:2], 1), 255, np.uint8)], axis=2)
    return np.repeat(np.repeat(rgba, scale, axis=0), scale, axis=1)


def _picture_layout(width: float, height: float, title: str, top: int = 32, **extra) -> dict:
    """Equal-aspect axes over [0, width] x [0, height] with no ticks (a picture, not a chart),
    ``top`` pixels above it for the title. The height asked for fits a 640 px wide picture (at
    most 440 px); the host lowers it to what a narrower box needs."""
    axis = {"showgrid": False, "zeroline": False, "showticklabels": False, "fixedrange": True,
            "ticks": "", "constrain": "domain"}
    return plotting.layout(
        height=min(440, round(640 * height / width) + top + 8), showlegend=False,
        title={"text": title, "font": {"size": 13}}, margin={"l": 8, "r": 8, "t": top, "b": 8},
        xaxis={**axis, "range": [0, width]},
        yaxis={**axis, "range": [0, height], "scaleanchor": "x", "scaleratio": 1},
        dragmode=False, **extra)


def _numbers(xs: np.ndarray, ys: np.ndarray, count: int, on_picture: bool = True) -> list[dict]:
    """Patch numbers 1..count at (xs, ys): on a picture, in white on dark discs so they read on
    any colour; beside one, in the page's text colour."""
    if count > NUMBERED_PATCHES:
        return []
    style = ({"mode": "markers+text", "textfont": {"color": "#ffffff", "size": 10},
              "marker": {"color": "rgba(0,0,0,0.55)", "size": 17}} if on_picture
             else {"mode": "text", "textfont": {"size": 10}})
    return [{"type": "scatter", "x": np.round(xs, 3), "y": np.round(ys, 3),
             "text": [str(k) for k in range(1, count + 1)], "hoverinfo": "skip", **style}]


def _image_figure(picture: np.ndarray, p: int) -> dict:
    """The picture (3, S, S) with its p × p patch grid and each patch's number (its place in the
    sequence)."""
    S = picture.shape[1]
    cuts = np.arange(0, S + 1, p, dtype=float)
    nan = np.full_like(cuts, np.nan)
    ends = np.zeros_like(cuts), np.full_like(cuts, S)
    grid_x = np.concatenate([np.stack([cuts, cuts, nan], 1).ravel(),
                             np.stack([ends[0], ends[1], nan], 1).ravel()])
    grid_y = np.concatenate([np.stack([ends[0], ends[1], nan], 1).ravel(),
                             np.stack([cuts, cuts, nan], 1).ravel()])
    centres = (np.arange(S // p) + 0.5) * p
    cx, cy = np.meshgrid(centres, S - centres)       # row by row from the top
    count = (S // p) ** 2
    data = [{"type": "scatter", "mode": "lines", "x": grid_x, "y": grid_y, "hoverinfo": "skip",
             "line": {"color": "rgba(255,255,255,0.9)", "width": 1.5}},
            *_numbers(cx.ravel(), cy.ravel(), count)]
    image = raster.rgba_image(_rgba(picture, max(1, 256 // S))[::-1], (0, S), (0, S))
    title = TEXT["image_title"].format(size=S, p=p, count=count)
    return {"data": data, "layout": _picture_layout(S, S, title, images=[image])}


def _vector_bars(patches: np.ndarray, width: int, height: int) -> np.ndarray:
    """Patch vectors (P, 3 p p) in (C, p, p) order -> RGBA bars (P, height, width, 4): one stripe
    per value from top to bottom, the R values in shades of red, then G in green, then B in blue."""
    length = patches.shape[1]
    channel = np.arange(length) * 3 // length                         # 0, 1, 2 by thirds
    rows = np.arange(height) * length // height                       # nearest value per row
    rgb = np.zeros((len(patches), height, 3))
    rgb[:, np.arange(height), channel[rows]] = patches[:, rows]
    rgba = np.concatenate([np.round(255 * rgb), np.full((*rgb.shape[:2], 1), 255.0)], axis=2)
    return np.broadcast_to(rgba.astype(np.uint8)[:, :, None, :], (len(patches), height, width, 4))


def _sequence_layout(count: int, p: int) -> dict:
    """Pixel sizes of the sequence picture: up to 16 tiles a line, each tile a patch enlarged to
    about 20 px; up to NUMBERED_PATCHES patches, a band above the tiles for their numbers and the
    patch's vector as a bar under each, tall enough for the picture to be about half as
    high as it is wide."""
    columns = min(count, 16)
    lines = math.ceil(count / columns)
    scale = max(1, math.ceil(20 / p))
    tile = p * scale
    gap = max(2, tile // 6)
    label = bar = 0
    if count <= NUMBERED_PATCHES:
        label = max(12, round(0.7 * tile))
        target = 0.5 * columns * (tile + gap) / lines                  # height of one line
        bar = max(tile, round(target - label - tile - 2 * gap))
    return {"columns": columns, "lines": lines, "scale": scale, "tile": tile, "gap": gap,
            "label": label, "bar": bar,
            "line": label + tile + gap + (bar + gap if bar else 0)}


def _sequence_canvas(patches: np.ndarray, p: int, g: dict) -> np.ndarray:
    """RGBA (height, width, 4) of ``_sequence_layout`` ``g``: every patch a block of
    (g["line"], tile + gap) pixels (the number's band, the tile, the bar, transparent gaps), blocks
    laid out ``columns`` to a line."""
    count, tile, gap, top = len(patches), g["tile"], g["gap"], g["label"]
    step = tile + gap
    blocks = np.zeros((g["lines"] * g["columns"], g["line"], step, 4), np.uint8)
    rgb = np.round(255 * patches).astype(np.uint8).reshape(count, 3, p, p).transpose(0, 2, 3, 1)
    blocks[:count, top:top + tile, :tile, :3] = np.repeat(np.repeat(rgb, g["scale"], axis=1),
                                                          g["scale"], axis=2)
    blocks[:count, top:top + tile, :tile, 3] = 255
    if g["bar"]:
        blocks[:count, top + step:top + step + g["bar"], :tile] = _vector_bars(patches, tile,
                                                                               g["bar"])
    canvas = blocks.reshape(g["lines"], g["columns"], g["line"], step, 4).transpose(0, 2, 1, 3, 4)
    return canvas.reshape(g["lines"] * g["line"], g["columns"] * step, 4)[:-gap, :-gap]


def _sequence_figure(patches: np.ndarray, p: int) -> dict:
    """The patches (P, 3 p p) in sequence order, up to 16 to a line, each with its flattened
    vector below."""
    count = len(patches)
    g = _sequence_layout(count, p)
    canvas = _sequence_canvas(patches, p, g)
    height, width = canvas.shape[:2]
    rows, cols = np.divmod(np.arange(count), g["columns"])
    xs = cols * (g["tile"] + g["gap"]) + g["tile"] / 2
    ys = height - (rows * g["line"] + g["label"] / 2)
    image = raster.rgba_image(canvas[::-1], (0, width), (0, height))
    title = TEXT["sequence_title"].format(count=count, length=patches.shape[1])
    return {"data": _numbers(xs, ys, count, on_picture=False),
            "layout": _picture_layout(width, height, title, top=52, images=[image])}


@functools.lru_cache(maxsize=8)
def _picture_figures(image: str, size: int, patch: int) -> tuple[dict, dict]:
    """The picture and the sequence figures, which depend on these three settings alone: cached,
    so that changing the embedding or the positional encoding does not make their PNGs again (a
    few milliseconds each). Treated as read-only."""
    picture = attention.sample_image(image, size)
    patches = attention.patchify(picture[None], patch)[0]
    return _image_figure(picture, patch), _sequence_figure(patches, patch)


def _tokens_figure(vm: dict) -> dict:
    """Heatmaps (P, E), one above the other: the patch embedding, and with positional encoding
    the tokens the Transformer gets."""
    count, E = vm["tokens"].shape
    panels = [(TEXT["embedding_panel"].format(count=count, E=E), vm["embedding"])]
    if vm["pe"] is not None:
        panels.append((TEXT["tokens_panel"], vm["tokens"]))
    limit = float(max(np.abs(z).max() for _, z in panels)) or 1.0
    data, axes, annotations = [], {}, []
    for k, ((title, z), (xd, yd)) in enumerate(zip(panels, _panel_domains(len(panels), 1,
                                                                         vgap=0.12))):
        s = "" if k == 0 else str(k + 1)
        data.append({"type": "heatmap", "z": plotting.significant(z, 3),
                     "x": list(range(1, E + 1)), "y": list(range(1, count + 1)),
                     "zmin": -limit, "zmax": limit, "colorscale": "RdBu", "reversescale": True,
                     "showscale": k == 0, "xaxis": f"x{s}", "yaxis": f"y{s}",
                     "colorbar": {"thickness": 10, "len": 0.8},
                     "hovertemplate": TEXT["token_hover"]})
        last = k == len(panels) - 1
        axes[f"xaxis{s}"] = plotting.axis_style(
            domain=xd, anchor=f"y{s}", showgrid=False, zeroline=False, fixedrange=True,
            title={"text": TEXT["feature_axis"] if last else ""})
        axes[f"yaxis{s}"] = plotting.axis_style(
            domain=yd, anchor=f"x{s}", autorange="reversed", showgrid=False, zeroline=False,
            fixedrange=True, title={"text": TEXT["token_axis"]})
        annotations.append({"text": title, "showarrow": False, "xref": "paper", "yref": "paper",
                            "x": 0, "y": yd[1], "xanchor": "left", "yanchor": "bottom"})
    panel_px = min(240, 100 + 5 * count)
    return {"data": data, "layout": plotting.layout(
        height=len(panels) * panel_px + 80, annotations=annotations, showlegend=False,
        margin={"l": 56, "r": 8, "t": 28, "b": 44}, **axes)}


def _render_vit(image, size, patch, embed_dim, positional, seed) -> list[dict]:
    vm = vit_view_model(image, size, patch, embed_dim, positional, seed)
    count, length = vm["patches"].shape
    pe = " + PE" if positional else ""
    tex = (f"\\begin{{aligned}} \\underbrace{{Z}}_{{{count} \\times {embed_dim}}} &= "
           f"\\underbrace{{\\mathrm{{patchify}}(x)}}_{{{count} \\times {length}}}\\,"
           f"\\underbrace{{W}}_{{{length} \\times {embed_dim}}}{pe} \\\\ "
           f"&= \\mathrm{{Conv2d}}_{{k = s = {patch}}}(x){pe} \\end{{aligned}}")
    notes = [text(TEXT["conv_note"].format(diff=vm["max_abs_diff"]), "ok"),
             text(TEXT["pe_note" if positional else "no_pe_note"])]   # always two outputs
    image_figure, sequence_figure = _picture_figures(image, size, patch)
    return [plot("vit-image", image_figure), plot("vit-sequence", sequence_figure),
            stats([(TEXT["patches"], f"({size}/{patch})² = {count}"),
                   (TEXT["patch_length"], f"3·{patch}·{patch} = {length}"),
                   (TEXT["embed_shape"], f"{length} × {embed_dim}"),
                   (TEXT["conv_diff"], f"{vm['max_abs_diff']:.1e}")]),
            math_output(tex), *notes, plot("vit-tokens", _tokens_figure(vm))]


_VIT_CONTROLS = [
    select("image", "그림", "smiley", list(attention.IMAGES.items())),
    number("patch", "patch 크기 p (= kernel = stride)", 8, min=1, max=64, integer=True,
           help="이미지 크기 H = W를 나누어야 합니다."),
    number("embed_dim", "임베딩 차원 E", 16, min=2, max=64, integer=True,
           help="positional encoding을 더하려면 짝수여야 합니다."),
    toggle("positional", "positional encoding 더하기", True),
    number("size", "이미지 크기 H = W (픽셀)", 32, min=4, max=64, integer=True),
    number("seed", "seed (임베딩 가중치)", 0, min=0, max=1_000_000, integer=True),
]


WIDGETS = {
    # primary: sentence, scaled, causal, positional, permute
    "attention": widget(TEXT["title"], _ATTENTION_CONTROLS, _render_attention,
                        on_event=_shuffle, description=TEXT["description"]),
    # primary: image, patch, embed_dim, positional
    "vit-patches": widget(TEXT["vit_title"], _VIT_CONTROLS, _render_vit,
                          description=TEXT["vit_description"]),
}
