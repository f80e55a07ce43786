"""Widgets of Lecture 6 (``demos.training``): why initialisation, normalisation and dropout matter.

* ``init-depth`` (notes items 3, 5): a deep net's activations and gradients layer by layer;
* ``batchnorm`` (item 1): one batch through batch or layer norm, train vs eval, running statistics;
* ``dropout`` (item 2): a dropout mask, and many masks in both conventions (scale at test time, or
  inverted dropout in training).

``view_*`` computes every number shown from ``demos.training`` (pure, no figures); small builders
turn them into figures and tables; ``TEXT`` holds every Korean sentence.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from demos import training
from demos.plotting import CLASS_COLORS, TIE_COLOR, axis_style, chart_layout, significant
from demos.widget import (button, hidden, legend, math as math_output, matrix, number, plot,
                          select, slider, stats, table, text, toggle, widget)

__all__ = ["WIDGETS", "view_depth", "view_norm", "view_dropout"]

MAX_DEPTH = 20
HIST_BINS = 40
HIST_ZMAX = 0.12             # a bin holding more than 12% of the values is drawn at full colour
VALUE_RANGE = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "relu": (0.0, 3.0),
               "leaky_relu": (-0.25, 3.0)}
INK_SCALE = [[0.0, "rgba(76,120,168,0)"], [1.0, "rgba(76,120,168,1)"]]  # light and dark pages
BEFORE, AFTER = CLASS_COLORS[1], CLASS_COLORS[3]
# The batch norm widget's population: 4 features of very different means and scales.
FEATURE_MEANS, FEATURE_STDS = [3.0, -2.0, 0.5, 1.0], [2.0, 0.5, 1.0, 3.0]
FEATURES = len(FEATURE_MEANS)
TRAIN_BATCH = 32             # the training batches that move the running statistics
MAX_STEPS = 300
SHOWN_ROWS = 8               # examples drawn in the batch heatmap
LAYER_SEED = 6               # the dropout widget's layer (its activations h and weights w)
MIN_HEIGHT = 240             # the host's plot box is never lower (host.css)

TEXT = {
    # init-depth
    "depth_title": "깊은 네트워크의 초기화: 층마다 activation과 gradient",
    "depth_description": "완전연결(fully-connected) 층을 깊게 쌓고 무작위 입력 배치를 통과시켜, 층마다 "
                         "activation 분포와 거꾸로 흘러가는 gradient의 크기를 봅니다. 초기화가 작으면 0으로 "
                         "붕괴하고, 크면 포화하거나 폭발하며, Kaiming·Batch Norm·Residual이 이를 막습니다.",
    "inits": [("small", "작은 값 N(0, 0.01²)"), ("large", f"큰 값 N(0, {training.LARGE_STD:g}²)"),
              ("xavier", "Xavier: std = 1/√D_in"),
              ("kaiming", "Kaiming: std = gain/√D_in (ReLU: √(2/D_in))")],
    "activations": [("tanh", "tanh"), ("relu", "ReLU"), ("leaky_relu", "Leaky ReLU (0.01)"),
                    ("sigmoid", "sigmoid")],
    "hist_title": "층마다 activation 값의 분포 (histogram)",
    "hist_x": "activation 값 a = f(u)",
    "hist_hover": "%{y}층 · 값 %{x:.2f}<br>%{z:.1%}<extra></extra>",
    "hist_note": "한 줄이 한 층의 histogram입니다 (진할수록 많음, 범위 밖의 값은 양 끝 칸에). 값이 한 칸에 "
                 "몰리면 그 층의 뉴런들이 모두 같은 값을 내는 것입니다.",
    "row_std": "activation std (log)",
    "row_grad": "‖∂L/∂W‖ (log)",
    "row_dead": "죽은 ReLU 비율",
    "row_saturated": "포화 비율",
    "layer": "층",
    "stat_last_std": "마지막 층 activation std",
    "stat_grad_ratio": "gradient 비율 (1층 / 마지막 층)",
    "stat_dead": "마지막 층 죽은 ReLU",
    "stat_saturated": "마지막 층 포화 비율",
    "stat_weight_std": "가중치 std",
    "collapse": "층을 지날수록 activation의 퍼짐(std)이 0으로 줄어듭니다 (첫 층 {first:.1e} → 마지막 층 "
                "{last:.1e}). 모든 뉴런이 같은 값을 내면 다음 층이 구별할 정보가 없습니다.",
    "no_grad": "모든 층의 ‖∂L/∂W‖가 {largest:.1e} 이하입니다: ∂L/∂W = hᵀδ에서 h가 0에 가까우니 gradient도 "
               "사라져 학습이 거의 일어나지 않습니다.",
    "explode": "activation이 층마다 커집니다 (마지막 층 std {last:.1e}, 폭발 exploding).",
    "saturate": "마지막 층 값의 {share:.0%}가 포화(saturation) 구간에 있습니다: 그곳의 local gradient "
                "f'(u)는 최댓값의 1%도 안 되어, 그 뉴런으로는 gradient가 거의 흐르지 않습니다.",
    "dead": "마지막 층 뉴런의 {share:.0%}가 배치의 모든 입력에 대해 u ≤ 0입니다 (죽은 ReLU, dead "
            "ReLU): gradient가 0이라 스스로 살아나지 못합니다. 편향(bias)을 음수로 하면 더 많아집니다.",
    "dead_leaky": "마지막 층 뉴런의 {share:.0%}가 모든 입력에 대해 음수 쪽에 있지만, Leaky ReLU는 기울기 "
                  "0.01이 남아 있어 죽지 않고 다시 살아날 수 있습니다.",
    "vanish": "gradient가 입력 쪽으로 갈수록 작아집니다: 첫 층의 ‖∂L/∂W‖가 마지막 층의 {ratio:.1e}배 "
              "(vanishing gradient).",
    "sigmoid": " sigmoid의 기울기는 최대 0.25라서 (이 네트워크에서 층마다 평균 {slope:.2f}) 층을 지날 "
               "때마다 곱해져 줄어듭니다.",
    "blowup": "gradient가 입력 쪽으로 갈수록 커집니다: 첫 층의 ‖∂L/∂W‖가 마지막 층의 {ratio:.1e}배 "
              "(exploding gradient).",
    "healthy": "activation의 퍼짐이 층을 지나도 같은 자릿수에 머물고, gradient도 첫 층까지 비슷한 크기로 "
               "전달됩니다. 학습하기 좋은 초기화입니다.",
    "depth_formula": r"\begin{aligned} z_l &= h_{l-1} W_l + b \\ h_l &= f(\mathrm{BN}(z_l))\ "
                     r"[+\ h_{l-1}] \\ "
                     r"W_l &\sim \mathcal{N}(0, \sigma^2) \\ \text{Xavier: } \sigma &= "
                     r"\sqrt{2 / (D_{in} + D_{out})} \\ \text{Kaiming: } \sigma &= "
                     r"\text{gain} / \sqrt{D_{in}} \\ \text{gain}_{\mathrm{ReLU}} &= \sqrt{2},\ "
                     r"\text{gain}_{\tanh} = 5/3 \end{aligned}",
    # batchnorm
    "norm_title": "Batch Norm과 Layer Norm: 무엇을 어느 축으로 정규화하나",
    "norm_description": "평균과 크기가 제각각인 특징 4개의 배치를 정규화합니다. Batch Norm은 특징(열)마다 "
                        "배치 전체로, Layer Norm은 예제(행)마다 특징 전체로 평균 0, 분산 1을 만든 뒤 γ배 하고 "
                        "β를 더합니다. 평가 모드는 학습 중 모아 둔 running 통계를 씁니다.",
    "norms": [("bn_train", "BN 학습 (train)"), ("bn_eval", "BN 평가 (eval)"),
              ("ln", "Layer Norm")],
    "scatter_title": "특징 1, 2: 정규화 전 → 후",
    "before": "정규화 전 x",
    "after": "정규화 후 y = γx̂ + β",
    "feature": "특징 {d}",
    "axis_title": "배치: 행 = 예제, 열 = 특징 1–4",
    "axis_note": "주황 테두리 안의 값들이 함께 평균 0, 분산 1로 정규화됩니다: Batch Norm은 한 특징(열)을 "
                 "배치의 모든 예제에 걸쳐, Layer Norm은 한 예제(행)를 모든 특징에 걸쳐.",
    "axis_before": "정규화 전",
    "axis_after": "정규화 후",
    "example": "예제 {i}",
    "xhat_bn": "x̂ (γ, β 적용 전): 특징(열)마다 배치의 평균과 표준편차",
    "xhat_ln": "x̂ (γ, β 적용 전): 예제(행)마다 특징 4개의 평균과 표준편차",
    "mean": "평균",
    "std": "표준편차",
    "running_title": "특징 1의 running 통계",
    "running_mean": "running mean",
    "running_var": "running var",
    "batch_stat": "각 step 배치의 값",
    "population": "모집단의 참값",
    "step": "학습 step",
    "stat_used": "정규화에 쓴 평균 (특징 1)",
    "stat_used_var": "정규화에 쓴 분산 (특징 1)",
    "stat_pop": "특징 1의 참값 (평균, 분산)",
    "stat_row": "예제 1의 평균 (특징 4개)",
    "stat_row_var": "예제 1의 분산 (특징 4개)",
    "same_example": "같은 예제 1의 출력 (특징 1, 2): 함께 들어온 배치에 따라 달라지나?",
    "batch_a": "이 배치에서",
    "batch_b": "다른 예제들과 함께",
    "depends": "학습 모드의 batch norm은 배치의 평균과 분산을 쓰므로 같은 예제도 함께 들어온 예제에 따라 "
               "출력이 달라집니다. 그래서 평가(test) 때는 한 예제의 답이 다른 예제에 좌우되지 않도록, 학습 "
               "중 모아 둔 running 통계(고정값)를 씁니다.",
    "fixed": "평가 모드는 running 통계(고정값)로 정규화하므로 같은 예제는 어떤 배치에서든 같은 출력을 냅니다. "
             "예제 1개짜리 배치도 문제없습니다.",
    "ln_fixed": "Layer Norm은 각 예제를 자기 특징들로만 정규화하므로 배치와 무관하고, 학습과 평가가 "
                "같으며 running 통계가 없습니다.",
    "not_converged": "running 통계가 아직 참값에 가깝지 않습니다 (평균 {rm:.2f}, 참값 {pm:.2f}): 평가 출력이 "
                     "평균 0, 분산 1에서 벗어납니다. step 수를 늘리거나 momentum을 키워 보세요.",
    "momentum_note": "학습 step마다 크기 {n}인 배치 하나로 running = (1 − momentum)·running + "
                     "momentum·(배치 통계)를 갱신합니다 (PyTorch, 시작값 평균 0, 분산 1). 분산은 불편"
                     "(unbiased) 분산 N/(N−1)·σ²로 갱신합니다. momentum이 크면 빨리 따라가지만 배치마다 더 "
                     "흔들립니다.",
    "norm_formula": r"\begin{aligned} \text{BN: } \hat x_{n,d} &= \frac{x_{n,d} - \mu_d}"
                    r"{\sqrt{\sigma_d^2 + \epsilon}} \\ \text{LN: } \hat x_{n,d} &= "
                    r"\frac{x_{n,d} - \mu_n}{\sqrt{\sigma_n^2 + \epsilon}} \\ y_{n,d} &= "
                    r"\gamma_d\,\hat x_{n,d} + \beta_d \end{aligned}",
    # dropout
    "drop_title": "Dropout: 학습 때 버리고, 평가 때는 기댓값을 맞춘다",
    "drop_description": "한 층의 activation h에 dropout 마스크를 씌우고, 다음 층의 입력 s = w·h가 마스크 "
                        "수백 개에 걸쳐 어떻게 퍼지는지 봅니다. 학습 출력의 평균이 평가 출력으로 모이는 것이 "
                        "핵심이고, 두 방식(평가 때 곱하기 / inverted dropout)은 기댓값에서 일치합니다.",
    "conventions": [("inverted", "Inverted dropout (PyTorch): 학습 때 ÷(1−p)"),
                    ("vanilla", "강의 방식: 평가 때 ×(1−p)")],
    "units_title": "한 층의 activation과 이번 마스크",
    "unit": "뉴런",
    "input_h": "입력 h",
    "train_out": "학습 출력 (이번 마스크)",
    "eval_out": "평가 출력",
    "masks_title": "다음 층 입력 s = w·h, 마스크 {K}개",
    "hist_count": "마스크 수",
    "mean_over": "평균 (마스크 k개)",
    "masks_axis": "마스크 수 k (log)",
    "vanilla": "강의 방식",
    "inverted": "Inverted",
    "stat_p": "버릴 확률 p / 남길 확률 1−p",
    "stat_kept": "이번 마스크로 남은 뉴런",
    "stat_train": "학습 출력의 평균 (K개)",
    "drop_table": "두 방식: 마스크 {K}개에 대한 학습 출력 평균 vs 평가 출력",
    "drop_rows": ["학습: s의 평균", "평가: s", "차이"],
    "agree": "두 방식 모두 학습 출력의 평균이 평가 출력으로 모입니다 (마스크가 많을수록 가까움). 두 방식의 "
             "값은 전체 배율 1−p만 다르고, 그 차이는 다음 층의 가중치가 흡수합니다.",
    "p_names": "주의: 강의 코드와 노트의 p는 '남길 확률'(keep probability)이라 '평가 때 p를 곱한다'고 "
               "하고, PyTorch의 p는 '버릴 확률'입니다. 여기서 p는 PyTorch처럼 버릴 확률이므로 강의 방식의 "
               "평가 배율은 1 − p = {keep:g}입니다.",
    "all_dropped": "p = 1이면 모든 뉴런을 버립니다: 학습 출력은 항상 0이고 (PyTorch도 0), 1/(1−p)는 정의되지 "
                   "않으며, 아무것도 배우지 못합니다.",
    "drop_formula": r"\begin{aligned} m_j &\sim \mathrm{Bernoulli}(1-p) \\ "
                    r"\mathbb{E}[h \odot m] &= (1-p)\,h \\ "
                    r"\mathbb{E}\!\left[\tfrac{h \odot m}{1-p}\right] &= h \end{aligned}",
}


# ---------------------------------------------------------------------------------------------
# Small figure pieces.
# ---------------------------------------------------------------------------------------------

def _hover(name: str, value: str = "%{x}: %{y:.3g}") -> str:
    return f"{value}<extra>{name}</extra>"


def _line(x, y, name: str, color: str, mode: str = "lines", **extra) -> dict:
    return {"type": "scatter", "mode": mode, "x": x, "y": significant(y, 4), "name": name,
            "line": {"color": color, "width": 2}, "hovertemplate": _hover(name), **extra}


def _row_titles(rows: list[tuple[str, float]]) -> list[dict]:
    """Bold titles at the top left of stacked rows, ``(title, top of its domain)``."""
    return [{"text": f"<b>{title}</b>", "xref": "paper", "yref": "paper", "x": 0, "y": top,
             "xanchor": "left", "yanchor": "bottom", "showarrow": False} for title, top in rows]


def _decades(values: np.ndarray) -> dict:
    """A log axis over whole decades around the positive values, at least two, ticked at powers
    of ten (a narrower range gets a crowd of overlapping in-between labels)."""
    positive = values[values > 0]
    lo, hi = (np.log10(positive.min()), np.log10(positive.max())) if positive.size else (-1, 1)
    lo, hi = int(np.floor(lo)), int(np.ceil(hi))
    if hi - lo < 2:
        lo -= 1
        hi = max(hi, lo + 2)
    return {"type": "log", "range": [lo - 0.1, hi + 0.1], "dtick": math.ceil((hi - lo) / 4),
            "exponentformat": "power"}


# ---------------------------------------------------------------------------------------------
# init-depth.
# ---------------------------------------------------------------------------------------------

def view_depth(depth, init, activation, batchnorm, residual, width, batch, bias, seed) -> dict:
    """Every number the init-depth widget shows: ``training.layer_statistics`` of the net, the
    weight std, the gradient ratio and the findings (keys of TEXT with their numbers)."""
    x, unit_weights, upstream = training.unit_draws(seed, MAX_DEPTH, width, batch)
    std = training.layer_std(init, width, activation)
    net = training.deep_net(x, std * unit_weights[:depth], upstream / batch, activation,
                            batchnorm, residual, bias)
    layers = training.layer_statistics(net, activation, VALUE_RANGE[activation], HIST_BINS)
    return {**layers, "std": std, **training.diagnose(layers, activation)}


def _finding_texts(vm: dict, activation: str) -> list[dict]:
    outputs = []
    for key, numbers in vm["findings"]:
        message = TEXT[key].format(**numbers)
        if key == "vanish" and activation == "sigmoid":
            message += TEXT["sigmoid"].format(slope=float(np.mean(vm["local_mean"])))
        outputs.append(text(message, {"healthy": "ok", "dead_leaky": "info"}.get(key, "warn")))
    return outputs


def _histogram_figure(vm: dict) -> dict:
    edges, depth = vm["edges"], len(vm["hist"])
    data = [{"type": "heatmap", "x": np.round((edges[:-1] + edges[1:]) / 2, 4),
             "y": np.arange(1, depth + 1), "z": np.round(vm["hist"], 4), "zmin": 0,
             "zmax": HIST_ZMAX, "colorscale": INK_SCALE, "showscale": False, "ygap": 1,
             "hovertemplate": TEXT["hist_hover"]}]
    return {"data": data, "layout": chart_layout(
        TEXT["hist_title"], max(MIN_HEIGHT, 120 + 12 * depth),
        xaxis={"title": {"text": TEXT["hist_x"]}, "range": [float(edges[0]), float(edges[-1])]},
        yaxis={"autorange": "reversed", "ticksuffix": TEXT["layer"],
               "dtick": 1 if depth <= 10 else 2})}


def _layers_figure(vm: dict, activation: str) -> dict:
    """Three rows over the layers: activation std, gradient norm, dead or saturated share."""
    depth = len(vm["a_std"])
    layers = np.arange(1, depth + 1)
    dead = activation in ("relu", "leaky_relu")
    rows = [(vm["a_std"], TEXT["row_std"], CLASS_COLORS[1], [0.70, 1.0]),
            (vm["grad_W"], TEXT["row_grad"], CLASS_COLORS[0], [0.36, 0.64]),
            (vm["dead"] if dead else vm["saturated"],
             TEXT["row_dead"] if dead else TEXT["row_saturated"], CLASS_COLORS[2], [0.0, 0.26])]
    data = [_line(layers, values, name, color, "lines+markers", yaxis=f"y{i + 1 if i else ''}",
                  marker={"size": 5}) for i, (values, name, color, _) in enumerate(rows)]
    return {"data": data, "layout": chart_layout(
        "", 420, showlegend=False, annotations=_row_titles([(r[1], r[3][1]) for r in rows]),
        margin={"l": 56, "r": 12, "t": 24, "b": 40},
        xaxis={"title": {"text": TEXT["layer"]}, "anchor": "y3",
               "range": [0.5, depth + 0.5], "dtick": 1 if depth <= 10 else 2},
        yaxis={"domain": rows[0][3], **_decades(vm["a_std"])},
        yaxis2=axis_style(domain=rows[1][3], **_decades(vm["grad_W"])),
        yaxis3=axis_style(domain=rows[2][3], range=[0, 1.05], tickformat=".0%"))}


def _render_depth(depth, init, activation, batchnorm, residual, width, batch, bias, seed):
    vm = view_depth(depth, init, activation, batchnorm, residual, int(width), int(batch), bias,
                    seed)
    dead = activation in ("relu", "leaky_relu")
    share = vm["dead"][-1] if dead else vm["saturated"][-1]
    return [
        stats([(TEXT["stat_last_std"], f"{vm['a_std'][-1]:.2e}"),
               (TEXT["stat_grad_ratio"], f"{vm['ratio']:.2e}"),
               (TEXT["stat_dead"] if dead else TEXT["stat_saturated"], f"{share:.0%}"),
               (TEXT["stat_weight_std"], f"{vm['std']:.4g}")]),
        plot("histograms", _histogram_figure(vm)), text(TEXT["hist_note"]),
        plot("layers", _layers_figure(vm, activation)), *_finding_texts(vm, activation),
        math_output(TEXT["depth_formula"])]


# ---------------------------------------------------------------------------------------------
# batchnorm.
# ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _training_batches(seed: int) -> np.ndarray:
    """Training batches (MAX_STEPS, TRAIN_BATCH, FEATURES); the first ``steps`` are used."""
    batches = training.sample_batches(seed + 1, MAX_STEPS, TRAIN_BATCH, FEATURE_MEANS, FEATURE_STDS)
    batches.flags.writeable = False
    return batches


def view_norm(norm, batch, momentum, steps, affine, eps, seed) -> dict:
    """The batch x (N, 4), its output and x̂ (before gamma, beta), the output of example 1 in a
    different batch, the statistics it was normalised with, and the running statistics after
    ``steps`` training steps (not for LN)."""
    gamma, beta = np.asarray(affine, dtype=float).T
    x, other = training.sample_batches(seed, 2, batch, FEATURE_MEANS, FEATURE_STDS)
    other[0] = x[0]                         # example 1 again, among other examples
    running = None if norm == "ln" else training.running_statistics(
        _training_batches(seed)[:steps], momentum)

    def normalise(data, gamma, beta):                   # the chosen normalisation, (N, D) -> (N, D)
        if norm == "ln":
            return training.layernorm_forward(data, gamma, beta, eps)
        return training.batchnorm_forward(data, gamma, beta, running[0][-1], running[1][-1],
                                          norm == "bn_train", momentum, eps)[0]

    vm = {"x": x, "running": running, "seed": seed, "error": None,
          "used": (x.mean(axis=1), x.var(axis=1)) if norm == "ln"
          else (running[0][-1], running[1][-1]) if norm == "bn_eval"
          else (x.mean(axis=0), x.var(axis=0))}
    try:
        vm["out"], vm["other_out"] = normalise(x, gamma, beta), normalise(other, gamma, beta)
        vm["x_hat"] = normalise(x, np.ones(FEATURES), np.zeros(FEATURES))
    except ValueError as error:
        if not (norm == "bn_train" and batch == 1):
            raise
        # One example: x - mean(x) = 0 exactly, so x̂ = 0 and the output is beta, whatever x is.
        vm.update(x_hat=np.zeros_like(x), out=beta[None, :], other_out=beta[None, :],
                  error=str(error))
    return vm


def _scatter_figure(vm: dict) -> dict:
    x, out = vm["x"], np.broadcast_to(vm["out"], vm["x"].shape)
    links = np.full((len(x), 3, 2), np.nan)
    links[:, 0], links[:, 1] = x[:, :2], out[:, :2]
    points = np.concatenate([x[:, :2], out[:, :2]])
    lo, hi = np.floor(points.min(axis=0)) - 0.5, np.ceil(points.max(axis=0)) + 0.5
    data = [{"type": "scatter", "mode": "lines", "x": np.round(links[..., 0].ravel(), 3),
             "y": np.round(links[..., 1].ravel(), 3), "hoverinfo": "skip",
             "line": {"color": "rgba(128,128,128,0.35)", "width": 1}}]
    data += [{"type": "scatter", "mode": "markers", "x": np.round(v[:, 0], 3),
              "y": np.round(v[:, 1], 3), "hovertemplate": _hover(TEXT[key], "(%{x:.2f}, %{y:.2f})"),
              "marker": {"color": color, "size": 7, "symbol": symbol}}
             for v, key, color, symbol in ((x, "before", BEFORE, "circle-open"),
                                           (out, "after", AFTER, "circle"))]
    return {"data": data, "layout": chart_layout(
        TEXT["scatter_title"], 340, showlegend=False,
        xaxis={"title": {"text": TEXT["feature"].format(d=1)}, "range": [lo[0], hi[0]]},
        yaxis={"title": {"text": TEXT["feature"].format(d=2)}, "range": [lo[1], hi[1]]})}


def _axis_figure(vm: dict, norm: str) -> dict:
    """The first rows of the batch before and after, side by side, the values normalised together
    framed: a column (one feature over the batch) for BN, a row (one example) for LN."""
    rows = min(SHOWN_ROWS, len(vm["x"]))
    names = [TEXT["example"].format(i=i + 1) for i in range(rows)]
    data = []
    for values, title, axis in ((vm["x"], "axis_before", "x"), (vm["out"], "axis_after", "x2")):
        shown = np.round(np.broadcast_to(values, vm["x"].shape)[:rows], 2)
        reach = max(1e-9, float(np.abs(shown).max()))
        data.append({"type": "heatmap", "x": np.arange(FEATURES), "y": names, "z": shown,
                     "zmin": -reach, "zmax": reach, "colorscale": "RdBu", "showscale": False,
                     "texttemplate": "%{z:.1f}", "xaxis": axis,
                     "hovertemplate": _hover(TEXT[title], "%{y}: %{z:.2f}")})
    frame = ({"x0": -0.5, "x1": FEATURES - 0.5, "y0": -0.5, "y1": 0.5} if norm == "ln"
             else {"x0": -0.5, "x1": 0.5, "y0": -0.5, "y1": rows - 0.5})
    shapes = [{"type": "rect", "xref": xref, "yref": "y", **frame,
               "line": {"color": CLASS_COLORS[3], "width": 3}} for xref in ("x", "x2")]
    titles = [{"text": TEXT[key], "xref": "paper", "yref": "paper", "x": x, "y": 1.0,
               "yanchor": "bottom", "showarrow": False}
              for key, x in (("axis_before", 0.23), ("axis_after", 0.77))]
    ticks = {"tickvals": list(range(FEATURES)), "ticktext": [str(d + 1) for d in range(FEATURES)]}
    layout = chart_layout(TEXT["axis_title"], max(MIN_HEIGHT, 80 + 26 * rows), shapes=shapes,
                          annotations=titles, margin={"l": 56, "r": 8, "t": 56, "b": 28},
                          xaxis={"domain": [0, 0.46], **ticks}, yaxis={"autorange": "reversed"},
                          xaxis2=axis_style(domain=[0.54, 1], anchor="y", **ticks))
    layout["title"]["y"] = 0.98
    return {"data": data, "layout": layout}


def _running_figure(vm: dict) -> dict:
    """Running mean and variance of feature 1 over the steps, with each step's batch value."""
    means, variances = vm["running"]
    steps = np.arange(len(means))
    batches = _training_batches(vm["seed"])[:len(means) - 1, :, 0]
    rows = [(means[:, 0], batches.mean(axis=1), FEATURE_MEANS[0], TEXT["running_mean"], ""),
            (variances[:, 0], batches.var(axis=1, ddof=1), FEATURE_STDS[0] ** 2,
             TEXT["running_var"], "2")]
    data, shapes = [], []
    for running, per_batch, truth, name, axis in rows:
        data += [_line(steps[1:], per_batch, TEXT["batch_stat"], TIE_COLOR, "markers",
                       yaxis="y" + axis, marker={"color": TIE_COLOR, "size": 4, "opacity": 0.6}),
                 _line(steps, running, name, AFTER, yaxis="y" + axis)]
        shapes.append({"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y" + axis,
                       "y0": truth, "y1": truth,
                       "line": {"color": BEFORE, "width": 1.5, "dash": "dash"}})
    return {"data": data, "layout": chart_layout(
        TEXT["running_title"], 340, showlegend=False, shapes=shapes,
        annotations=_row_titles([(TEXT["running_mean"], 1.0), (TEXT["running_var"], 0.42)]),
        margin={"l": 48, "r": 12, "t": 56, "b": 40},
        xaxis={"title": {"text": TEXT["step"]}, "anchor": "y2",
               "range": [-0.5, max(1, len(means) - 1) + 0.5]},
        yaxis={"domain": [0.58, 1.0]}, yaxis2=axis_style(domain=[0.0, 0.42]))}


def _xhat_table(vm: dict, norm: str) -> dict:
    """Mean and std of x̂ over the axis normalised: per example (LN) or per feature (BN)."""
    x_hat = np.broadcast_to(vm["x_hat"], vm["x"].shape)
    groups = x_hat[:SHOWN_ROWS] if norm == "ln" else x_hat.T
    name = TEXT["example"] if norm == "ln" else TEXT["feature"]
    return table(["", TEXT["mean"], TEXT["std"]],
                 [[name.format(i=k + 1, d=k + 1), round(float(g.mean()), 3) + 0.0,  # no "-0"
                   round(float(g.std()), 3)] for k, g in enumerate(groups)],
                 caption=TEXT["xhat_ln" if norm == "ln" else "xhat_bn"])


def _same_example(vm: dict, norm: str) -> list[dict]:
    a, b = np.broadcast_to(vm["out"], vm["x"].shape)[0], vm["other_out"][0]
    note = {"bn_train": "depends", "bn_eval": "fixed", "ln": "ln_fixed"}[norm]
    return [table(["", TEXT["batch_a"], TEXT["batch_b"]],
                  [[TEXT["example"].format(i=1), f"({a[0]:.3f}, {a[1]:.3f})",
                    f"({b[0]:.3f}, {b[1]:.3f})"]], caption=TEXT["same_example"]),
            text(TEXT[note])]


def _render_norm(norm, batch, momentum, steps, affine, eps, seed):
    vm = view_norm(norm, batch, momentum, steps, affine, eps, seed)
    mean, var = vm["used"]
    labels = ("stat_row", "stat_row_var") if norm == "ln" else ("stat_used", "stat_used_var")
    outputs = [stats([(TEXT[labels[0]], f"{mean[0]:.3f}"), (TEXT[labels[1]], f"{var[0]:.3f}"),
                      (TEXT["stat_pop"], f"{FEATURE_MEANS[0]:g}, {FEATURE_STDS[0] ** 2:g}")])]
    if vm["error"]:
        outputs.append(text(vm["error"], "warn"))
    outputs += [plot("batch", _scatter_figure(vm)),
                legend([(TEXT["before"], BEFORE, "circle-open"), (TEXT["after"], AFTER, "circle")]),
                plot("axis", _axis_figure(vm, norm)), text(TEXT["axis_note"]),
                _xhat_table(vm, norm), *([] if vm["error"] else _same_example(vm, norm))]
    if norm != "ln":
        rm = vm["running"][0][-1, 0]
        if norm == "bn_eval" and abs(rm - FEATURE_MEANS[0]) > 0.2 * FEATURE_STDS[0]:
            outputs.append(text(TEXT["not_converged"].format(rm=rm, pm=FEATURE_MEANS[0]), "warn"))
        outputs += [plot("running", _running_figure(vm)),
                    legend([(TEXT["running_mean"] + " / " + TEXT["running_var"], AFTER, "line"),
                            (TEXT["batch_stat"], TIE_COLOR, "circle"),
                            (TEXT["population"], BEFORE, "dash")]),
                    text(TEXT["momentum_note"].format(n=TRAIN_BATCH))]
    return outputs + [math_output(TEXT["norm_formula"])]


# ---------------------------------------------------------------------------------------------
# dropout.
# ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _layer(units: int) -> tuple[np.ndarray, np.ndarray]:
    """One layer's activations h (units,), positive like ReLU outputs, and the next layer's weights
    w (units,) of one neuron, fixed for the widget."""
    rng = np.random.default_rng(LAYER_SEED)
    h = np.round(np.abs(rng.normal(0.0, 1.0, units)) + 0.1, 2)
    w = np.round(rng.normal(1.0, 0.5, units) / units, 4)
    return h, w


def view_dropout(p, convention, masks, units, draws) -> dict:
    """The layer h, w; the first mask and the train / eval outputs of the chosen convention; the
    next layer's input s over ``masks`` masks in both conventions (``dropout_over_masks``)."""
    h, w = _layer(units)
    keep = training.dropout_masks(masks, units, p, draws)
    over = training.dropout_over_masks(h, w, p, keep)
    mask = keep[0]
    if convention == "inverted":
        train, evaluated = training.dropout_forward(h[None], p, mask[None])[0], h
    else:
        train, evaluated = h * mask, (1.0 - p) * h
    return {"h": h, "w": w, "mask": mask, "train": train, "eval": evaluated, **over}


def _units_figure(vm: dict) -> dict:
    units, value = np.arange(1, len(vm["h"]) + 1), "%{x}: %{y:.2f}"
    data = [{"type": "bar", "x": units, "y": np.round(vm[key], 3), "marker": marker,
             "hovertemplate": _hover(TEXT[name], value)}
            for key, name, marker in (("h", "input_h", {"color": TIE_COLOR, "opacity": 0.35}),
                                      ("train", "train_out", {"color": AFTER}))]
    data.append({"type": "scatter", "mode": "markers", "x": units, "y": np.round(vm["eval"], 3),
                 "hovertemplate": _hover(TEXT["eval_out"], value),
                 "marker": {"symbol": "line-ew-open", "size": 12, "color": BEFORE,
                            "line": {"width": 2.5, "color": BEFORE}}})
    return {"data": data, "layout": chart_layout(
        TEXT["units_title"], 280, showlegend=False, barmode="overlay", bargap=0.15,
        xaxis={"title": {"text": TEXT["unit"]}}, yaxis={"rangemode": "tozero"})}


def _masks_figure(vm: dict) -> dict:
    """Top: histograms of s over the masks, both conventions, with their eval outputs (dashed)
    and their means (solid). Bottom: the mean over the first k masks against k."""
    both = np.concatenate([vm["vanilla"], vm["inverted"]])
    lo, hi = float(both.min()), float(both.max())
    lo, hi = (lo - 0.5, hi + 0.5) if hi - lo < 1e-9 else (lo, hi)    # p = 0: one value
    edges = np.linspace(lo, hi, 31)
    K = len(vm["vanilla"])
    shown = np.unique(np.round(np.logspace(0, np.log10(K), 120)).astype(int)) - 1
    data, shapes = [], []
    for key, color in (("vanilla", BEFORE), ("inverted", AFTER)):
        data += [{"type": "bar", "x": np.round((edges[:-1] + edges[1:]) / 2, 4),
                  "y": training.histograms(vm[key][None, :], lo, hi, 30)[0],
                  "marker": {"color": color, "opacity": 0.55},
                  "hovertemplate": _hover(TEXT[key], "s ≈ %{x:.3f}: %{y}")},
                 _line(shown + 1, vm[key + "_mean"][shown], TEXT[key], color, xaxis="x2",
                       yaxis="y2")]
        value, mean = vm[key + "_eval"], float(vm[key + "_mean"][-1])
        shapes += [{"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "y domain", "y0": 0,
                    "y1": 1, "line": {"color": color, "width": width, "dash": dash}}
                   for x, width, dash in ((value, 2, "dash"), (mean, 1.5, "solid"))]
        shapes.append({"type": "line", "xref": "x2 domain", "x0": 0, "x1": 1, "yref": "y2",
                       "y0": value, "y1": value, "line": {"color": color, "dash": "dash"}})
    return {"data": data, "layout": chart_layout(
        TEXT["masks_title"].format(K=K), 420, showlegend=False, barmode="overlay", bargap=0.05,
        shapes=shapes, margin={"l": 52, "r": 12, "t": 36, "b": 40},
        xaxis={"title": {"text": "s = w·h"}, "anchor": "y"},
        yaxis={"domain": [0.5, 1.0], "title": {"text": TEXT["hist_count"]}},
        xaxis2=axis_style(type="log", anchor="y2", dtick=1, title={"text": TEXT["masks_axis"]}),
        yaxis2=axis_style(domain=[0.0, 0.32], title={"text": TEXT["mean_over"]}))}


def _render_dropout(p, convention, masks, units, draws):
    vm = view_dropout(p, convention, masks, int(units), int(draws or 0))
    means = {key: float(vm[key + "_mean"][-1]) for key in ("vanilla", "inverted")}
    values = [[means[key], vm[key + "_eval"], means[key] - vm[key + "_eval"]]
              for key in ("vanilla", "inverted")]
    rows = [[name, round(a, 4), round(b, 4)] for name, a, b in zip(TEXT["drop_rows"], *values)]
    columns = ["", TEXT["vanilla"], TEXT["inverted"]]
    return [
        stats([(TEXT["stat_p"], f"{p:g} / {1 - p:g}"),
               (TEXT["stat_kept"], f"{int(vm['mask'].sum())} / {len(vm['mask'])}"),
               (TEXT["stat_train"], f"{means[convention]:.4f}"),
               (TEXT["eval_out"], f"{vm[convention + '_eval']:.4f}")]),
        plot("units", _units_figure(vm)),
        legend([(TEXT["input_h"], TIE_COLOR, "square"), (TEXT["train_out"], AFTER, "square"),
                (TEXT["eval_out"], BEFORE, "line")]),
        plot("masks", _masks_figure(vm)),
        legend([(TEXT["vanilla"], BEFORE, "square"), (TEXT["inverted"], AFTER, "square"),
                (TEXT["eval_out"], TIE_COLOR, "dash"), (TEXT["mean_over"], TIE_COLOR, "line")]),
        table(columns, rows, caption=TEXT["drop_table"].format(K=len(vm["vanilla"]))),
        text(TEXT["all_dropped"], "warn") if p == 1 else text(TEXT["agree"], "ok"),
        text(TEXT["p_names"].format(keep=round(1 - p, 6))), math_output(TEXT["drop_formula"])]


def _dropout_event(values: dict, event: dict) -> dict:
    if event.get("type") == "action" and event.get("name") == "resample":
        return {"draws": int(values["draws"] or 0) + 1}
    return {}


# ---------------------------------------------------------------------------------------------
# The widgets.
# ---------------------------------------------------------------------------------------------

WIDGETS = {
    "init-depth": widget(
        TEXT["depth_title"],
        [
            slider("depth", "층 수 (depth)", 10, min=1, max=MAX_DEPTH, step=1, integer=True),
            select("init", "가중치 초기화 (init)", "small", TEXT["inits"]),
            select("activation", "활성화 함수 (activation)", "tanh", TEXT["activations"]),
            toggle("batchnorm", "Batch Norm (FC 뒤, 활성화 전)", False),
            toggle("residual", "Residual 연결 h + F(h)", False),
            select("width", "층 너비 D (width)", "64", [(w, w) for w in ("32", "64", "128")]),
            select("batch", "입력 배치 크기 (batch)", "64", [(n, n) for n in ("64", "128")]),
            slider("bias", "편향 초기값 b (bias)", 0, min=-1, max=1, step=0.05,
                   help="ReLU에서 음수로 하면 죽은 뉴런(dead ReLU)이 늘어납니다."),
            number("seed", "난수 seed", 0, min=0, max=1_000_000, integer=True),
        ], _render_depth, description=TEXT["depth_description"],
        primary=("depth", "init", "activation", "batchnorm", "residual")),
    "batchnorm": widget(
        TEXT["norm_title"],
        [
            select("norm", "정규화 (normalization)", "bn_train", TEXT["norms"]),
            slider("batch", "지금 정규화할 배치 크기 N", 16, min=1, max=64, step=1, integer=True,
                   help="1로 하면 학습 모드의 batch norm이 왜 안 되는지 볼 수 있습니다."),
            slider("momentum", "momentum", 0.1, min=0, max=1, step=0.01),
            slider("steps", "학습 step 수 (running 통계 갱신)", 20, min=0, max=MAX_STEPS, step=1,
                   integer=True),
            matrix("affine", "특징마다 γ, β", [[1, 0]] * FEATURES,
                   row_labels=[TEXT["feature"].format(d=d + 1) for d in range(FEATURES)],
                   col_labels=["γ", "β"], step=0.5),
            number("eps", "ε (eps)", 1e-5, min=0, max=10, step=1e-5),
            number("seed", "난수 seed", 0, min=0, max=1_000_000, integer=True),
        ], _render_norm, description=TEXT["norm_description"],
        primary=("norm", "batch", "momentum", "steps")),
    "dropout": widget(
        TEXT["drop_title"],
        [
            slider("p", "버릴 확률 p (drop probability)", 0.5, min=0, max=1, step=0.05),
            select("convention", "방식 (convention)", "inverted", TEXT["conventions"]),
            slider("masks", "마스크 수 K", 200, min=1, max=5000, step=0.1, log=True, integer=True),
            button("resample", "새 마스크 뽑기"),
            select("units", "뉴런 수 D", "32", [(d, d) for d in ("16", "32", "64")]),
            hidden("draws", 0),
        ], _render_dropout, on_event=_dropout_event, description=TEXT["drop_description"],
        primary=("p", "convention", "masks", "resample")),
}
