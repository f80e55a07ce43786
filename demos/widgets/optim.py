"""Widgets "optim" and "lr-schedule" (Lecture 3): optimizers side by side on a 2-D loss surface,
and the learning-rate schedules side by side.

In "optim" the reader picks a surface, optimizers and settings, clicks the picture for a new start
and scrubs (or plays) the steps; "lr-schedule" overlays the schedules. Built in three layers:

* ``view_model(...)`` and ``schedule_view_model(...)``: every number shown, from ``demos.optim``
  alone (pure, no figures);
* ``_path_figure(...)``, ``_loss_figure(...)``, ``_lr_figure(...)`` and the table builders:
  figures and tables from those numbers;
* ``TEXT``: every Korean sentence and label the widgets show (the formulas in TeX come with the
  maths: ``demos.optim.UPDATE_TEX`` and ``SCHEDULE_TEX``).
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import numpy as np

from demos import checks, raster
from demos.optim import (MAX_STEPS, METHODS, NAMES, OPTIMIZERS, SCHEDULE_TEX, SCHEDULES, SURFACES,
                         UPDATE_TEX, Surface, lr_schedule, regularized_minimum, run)
from demos.optim_surfaces import distance_to_minimum, log_gap, start_point
from demos.plotting import chart_layout, significant
from demos.widget import (button, checkboxes, hidden, legend, math as math_output, number, plot,
                          select, slider, stats, table, text, widget)

__all__ = ["WIDGETS", "Settings", "view_model", "schedule_view_model"]

DEFAULT_SURFACE = SURFACES["quadratic"]
SGD_FAMILY = ("sgd", "momentum", "nesterov")  # learning rate lr_sgd; Newton 1; the rest lr_adaptive
COLORS = {"sgd": "#e6194b", "momentum": "#3cb44b", "nesterov": "#f58231", "rmsprop": "#4363d8",
          "adam": "#911eb4", "adamw": "#42d4f4", "newton": "#9a6324"}
SCHEDULE_COLORS = {"constant": "#888888", "step": "#e6194b", "linear": "#3cb44b",
                   "cosine": "#4363d8", "warmup_cosine": "#f58231", "inv_sqrt": "#911eb4"}
CONTOUR_PIXELS = 400        # the picture's longer side: about its size on a desktop screen
CONTOUR_LEVELS = 18
CONTOUR_COLORS = ("#5b7fa6", "#b08d6a")     # lowest and highest level

TEXT = {
    "title": "Optimizer 비교: SGD, Momentum, Nesterov, RMSProp, Adam, AdamW, Newton",
    "description": "그림을 클릭(탭)해 시작점을 고르고, 진행률 슬라이더의 ▶로 경로가 자라는 것을 보세요. "
                   "모든 update 식은 같은 gradient를 받은 torch.optim과 같습니다.",
    "schedule_title": "Learning rate schedule: step, linear, cosine, warm-up, inverse sqrt",
    "schedule_description": "노트 7번의 learning rate 변경 방식들 (Cosine, Linear, Inverse sqrt, "
                            "Linear Warmup)을 같은 η, 같은 T로 겹쳐 봅니다.",
    "lr_sgd": "learning rate η (SGD · Momentum · Nesterov)",
    "lr_adaptive": "learning rate η (RMSProp · Adam · AdamW)",
    "no_optimizer": "optimizer를 하나 이상 고르세요.",
    "no_schedule": "schedule을 하나 이상 고르세요.",
    "warmup_too_long": "warm-up 길이 W는 steps({steps})보다 작아야 합니다 (입력값: {warmup}).",
    "rate_positive": "'{label}'은(는) 0보다 커야 합니다 (입력값: {rate:g}).",
    "rate_range": "'{label}'이(가) 너무 {size}니다 (입력값: {rate:.3g}). 1e-300 ~ 1e300 사이의 값을 넣으세요: "
                  "float64의 끝에 가까운 수는 자릿수를 잃거나 넘쳐서 η_t를 계산하고 그릴 수 없습니다. "
                  "실제 학습률은 보통 1e-6 ~ 1 정도입니다.",
    "surface_note": "{label}: {note}",
    "shown_step": "보는 step",
    "start": "시작점",
    "minimum": "최솟값 ★",
    "l2_minimum": "L2 최솟값 (λ={wd:g}) ◆",
    "landmarks": "기준점",
    "current": "현재 위치",
    "columns": ["방법", "step {shown}의 위치", "f − f*", "★까지 거리"],
    "status": "상태",
    "finished": "끝까지 진행",
    "stopped": "{at}번째 update에서 {why}",
    "diverged": "발산",
    "singular": "멈춤 (Hessian 특이)",
    "paths_title": "경로 (그림을 클릭/탭하면 시작점이 바뀝니다)",
    "loss_title": "loss − 최솟값 (log 눈금)",
    "lr_factor_title": "learning rate 배율 η_t / η",
    "schedules_title": "update t의 learning rate η_t",
    "mean": "평균",
    "schedules_caption": "평균 η_t가 같아도 언제 크고 언제 작은지가 다릅니다.",
    "schedules_note": "PyTorch scheduler를 optimizer.step() 뒤에 한 번씩 step()한 것과 같습니다: "
                      "update t (0부터)는 η_t를 씁니다. Warm-up은 초반의 큰 update로 Adam의 "
                      "v가 아직 작을 때 튀는 것을 막고, cosine / linear / inverse sqrt는 끝으로 "
                      "갈수록 step을 줄여 최솟값 근처의 진동을 가라앉힙니다.",
    "end_point": "{name} (λ={wd:g}) 끝점 {point}: loss 최솟값 ★까지 {distance:.3g}",
    "to_l2_minimum": ", L2 최솟값 ◆(λ={wd:g})까지 {distance:.3g}",
    "adam_l2": "Adam의 λp는 gradient에 더해진 뒤 √v̂로 나뉘므로 방향마다 당기는 세기가 달라지지만 (가파른 "
               "방향은 약하게, 완만한 방향은 강하게), 멈추는 곳은 f + λ/2‖p‖²의 최솟값 ◆입니다.",
    "adam_plain": "Adam은 λ = 0이라 loss 최솟값 ★로 갑니다.",
    "adamw_decay": " AdamW는 매 step p ← (1 − ηλ)p로 모든 좌표를 같은 비율로 줄이고, 이 감소는 √v̂로 "
                   "나뉘지 않으므로 ◆로 가지 않습니다. 노이즈 없이 η를 점점 줄이면 AdamW는 "
                   "‖p‖∞ ≤ 1/λ 안에서 f가 가장 작은 점으로 갑니다 (Xie & Li, 2024). 여기서는 "
                   "1/λ = {box:g}이고 ★은 그 상자 {where}에 있어, ",
    "inside": "안",
    "outside": "밖",
    "adamw_returns": "충분히 오래 돌리면 ★ 쪽으로 돌아옵니다.",
    "adamw_cannot": "AdamW는 ★에 닿을 수 없습니다.",
    "adamw_plain": " AdamW는 λ = 0이라 weight decay 없는 Adam과 같습니다.",
    "schedule_labels": {"constant": "constant (고정)", "step": "step (계단식)",
                        "linear": "linear (선형 감소)", "cosine": "cosine",
                        "warmup_cosine": "linear warm-up + cosine", "inv_sqrt": "inverse sqrt"},
    # PyTorch's form against the author's line from the notes, the difference in one sentence.
    "formula_notes": {
        "sgd": "노트: x -= learning_rate * dx. PyTorch SGD와 같은 식입니다. g는 gradient, ĝ = g + λp는 "
               "weight decay λ를 gradient에 더한 것 (L2, AdamW만 빼고 모두 이 방식).",
        "momentum": "노트: vx = rho * vx + dx; x -= learning_rate * vx. PyTorch와 같은 식입니다 "
                    "(rho = μ, dampening 0). 슬라이드의 v = mu*v - lr*dx; x += v 형태는 learning "
                    "rate가 일정할 때만 같고, schedule로 lr을 바꾸면 달라집니다.",
        "nesterov": "노트: 기울기를 '이동할 곳'에서 구하는 방식. PyTorch는 변수를 바꿔 (p̃ = p − ημb) "
                    "현재 점의 gradient만으로 같은 look-ahead 업데이트를 계산합니다.",
        "rmsprop": "노트: grad_squared = decay_rate * grad_squared + (1 - decay_rate) * dx * dx; "
                   "x -= learning_rate * dx / (np.sqrt(grad_squared) + 1e-7). 같은 식이며 "
                   "(decay_rate = α, PyTorch 기본 0.99), ε도 똑같이 √ 밖에 더하지만 PyTorch "
                   "기본값은 1e-7이 아니라 1e-8입니다.",
        "adam": "노트: first_moment, second_moment와 bias correction (first_unbias, second_unbias). "
                "같은 식이며 ε은 √v̂ 뒤에 더합니다 (노트 1e-7, PyTorch 기본 1e-8). Adam의 weight "
                "decay는 gradient에 λp를 더하는 L2라서 λp도 √v̂로 나뉩니다.",
        "adamw": "노트 Q&A의 답: λp가 √v̂ scaling을 받지 않도록 learning_rate * lambda * w를 따로 빼는 "
                 "것과 같습니다 (PyTorch AdamW는 Adam step보다 먼저 p에 1 − ηλ를 곱함, 기본 λ = 0.01).",
        "newton": "노트 8번: 이차 근사의 최솟값으로 바로 이동합니다 (η = 1). 여기서는 2×2라 역행렬이 "
                  "싸지만, parameter가 N개면 Hessian은 N×N이고 풀이는 O(N³)입니다.",
    },
    "schedule_notes": {
        "constant": "고정 learning rate.",
        "step": "StepLR: s (step_size) update마다 γ배.",
        "linear": "LinearLR(start_factor=1, end_factor=0, total_iters=T).",
        "cosine": "CosineAnnealingLR(T_max=T, eta_min=0).",
        "warmup_cosine": "Linear warm-up 뒤 cosine "
                         "(Hugging Face get_cosine_schedule_with_warmup과 같음).",
        "inv_sqrt": "Inverse square root (T5 방식): W update 동안 일정, 그 뒤 1/√t로 감소.",
    },
}


class Settings(NamedTuple):
    """The parsed controls of the "optim" widget. Hashable: with ``progress`` 0 and ``start``
    the resolved start ``(x, y)``, it is the key of the cached runs (``_runs``)."""
    surface: str
    optimizers: Any          # a list as parsed; a tuple in a cache key
    steps: int
    lr_sgd: float
    lr_adaptive: float
    momentum: float
    alpha: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    adamw_weight_decay: float
    schedule: str
    step_size: int
    gamma: float
    warmup: int
    noise: float
    seed: int
    progress: int            # percent of the steps shown
    start: Any               # the hidden state set by a click (see _start_of)


# ---------------------------------------------------------------------------------------------
# The view model of "optim": every number the widget shows.
# ---------------------------------------------------------------------------------------------

def _start_of(surface: Surface, start: Any) -> np.ndarray:
    """The hidden ``start`` state is ``{"surface": name, "x": .., "y": ..}`` set by a click; a
    start clicked on another surface (or none) means the surface's own start -> (2,)."""
    if isinstance(start, dict) and start.get("surface") == surface.name:
        try:
            return start_point([start.get("x"), start.get("y")])
        except (TypeError, ValueError):
            pass
    return np.array(surface.start, dtype=float)


def _check(s: Settings) -> None:
    """What ``demos.optim.run`` would refuse in its own words, said with the widget's labels."""
    if not s.optimizers:
        raise ValueError(TEXT["no_optimizer"])
    if s.warmup >= s.steps and s.schedule == "warmup_cosine":
        raise ValueError(TEXT["warmup_too_long"].format(steps=s.steps, warmup=s.warmup))
    for rate, label in ((s.lr_sgd, TEXT["lr_sgd"]), (s.lr_adaptive, TEXT["lr_adaptive"])):
        _check_rate(rate, label)


def _check_rate(rate: float, label: str) -> None:
    """Near float64's ends a rate loses digits or overflows, and no chart axis can span it."""
    if rate <= 0:
        raise ValueError(TEXT["rate_positive"].format(label=label, rate=rate))
    if not 1e-300 <= rate <= 1e300:
        raise ValueError(TEXT["rate_range"].format(label=label, rate=rate, size="작습" if rate < 1 else "큽"))


@functools.lru_cache(maxsize=1)
def _runs(key: Settings) -> dict:
    """``run`` with the widget's settings. The last answer is kept: the step scrubber and the play
    button change only which step is shown, so their redraws need no new run. The arrays in the
    answer are shared between calls and must not be modified."""
    lr = {m: (1.0 if m == "newton" else key.lr_sgd if m in SGD_FAMILY else key.lr_adaptive)
          for m in key.optimizers}
    decay = {m: (key.adamw_weight_decay if m == "adamw" else key.weight_decay)
             for m in key.optimizers}
    return run(SURFACES[key.surface], list(key.optimizers), np.array(key.start), key.steps, lr,
               momentum=key.momentum, alpha=key.alpha, beta1=key.beta1, beta2=key.beta2,
               eps=key.eps, weight_decay=decay, schedule=key.schedule, step_size=key.step_size,
               gamma=key.gamma, warmup=key.warmup, noise=key.noise, seed=key.seed)


def _at_step(surface: Surface, res: dict, shown: int) -> dict:
    """One run at step ``shown`` (its last point if it stopped before): where, f − f*, how far
    from the nearest minimum."""
    k = min(shown, len(res["points"]) - 1)
    point = res["points"][k]
    return {"point": point, "gap": res["loss"][k] - surface.f_min,
            "distance": distance_to_minimum(surface, point)}


def _adam_vs_adamw(surface: Surface, runs: dict, s: Settings, reg_points: dict) -> dict:
    """Where Adam and AdamW ended: per method its weight decay, end point, distance from the loss
    minimum and (weight decay > 0) from the L2 minimum; and whether the minimum lies in AdamW's
    box ``|p|∞ <= 1/λ``."""
    ends = {}
    for method, wd in (("adam", s.weight_decay), ("adamw", s.adamw_weight_decay)):
        end = runs[method]["points"][-1]
        reg = reg_points.get(wd)
        ends[method] = {"wd": wd, "end": end, "distance": distance_to_minimum(surface, end),
                        "to_l2": (float(np.linalg.norm(reg - end))
                                  if wd > 0 and reg is not None else None)}
    inside = s.adamw_weight_decay > 0 and all(np.abs(m).max() <= 1 / s.adamw_weight_decay
                                              for m in surface.minima)
    return {"ends": ends, "inside": inside}


def view_model(s: Settings) -> dict:
    """The parsed controls -> the surface, the start ``p0`` (2,), the runs (``demos.optim.run``'s
    answer, cached: read only), the shown step, the L2-regularised minima ``{weight decay: (2,)}``
    of the decays in use, each run at the shown step (``_at_step``), the schedule's factor
    ``η_t / η`` (steps,) (None when constant) and the Adam-versus-AdamW ends (None unless both
    run)."""
    surface = SURFACES[s.surface]
    _check(s)
    p0 = _start_of(surface, s.start)
    runs = _runs(s._replace(optimizers=tuple(s.optimizers), start=tuple(p0.tolist()), progress=0))
    shown = int(round(s.progress / 100 * s.steps))
    used = {s.weight_decay for m in s.optimizers if m != "adamw"} | (
        {s.adamw_weight_decay} if "adamw" in s.optimizers else set())
    reg_points = {wd: p for wd in sorted(used) if wd > 0
                  and (p := regularized_minimum(surface, wd)) is not None}
    factor = None
    if s.schedule != "constant":      # a constant schedule's chart would be a flat line at 1
        factor = lr_schedule(s.schedule, s.steps, 1.0, step_size=s.step_size, gamma=s.gamma,
                             warmup=s.warmup)
    both = "adam" in runs and "adamw" in runs
    return {"surface": surface, "p0": p0, "runs": runs, "shown": shown, "reg_points": reg_points,
            "at_shown": {m: _at_step(surface, res, shown) for m, res in runs.items()},
            "factor": factor,
            "adam_vs_adamw": _adam_vs_adamw(surface, runs, s, reg_points) if both else None}


# ---------------------------------------------------------------------------------------------
# Figures (plain Plotly dicts: transparent backgrounds, font colour left to the host).
# ---------------------------------------------------------------------------------------------

def _vline(x: float) -> dict:
    """A dotted vertical line at step ``x`` (where the scrubber is)."""
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
            "line": {"color": "#888", "dash": "dot"}}


@functools.lru_cache(maxsize=None)
def _contour_image(surface_name: str) -> dict:
    """The surface's level lines as a picture under the paths (a Plotly layout image, see
    demos.raster; computed once per surface, so moving a slider does not redraw them).

    The levels are CONTOUR_LEVELS + 1 equally spaced values of log10(f - f*) between its 1% and
    99% quantiles over the window: log-spaced levels of the loss, so both the valley floor and the
    walls get lines."""
    surface = SURFACES[surface_name]
    (x0, x1), (y0, y1) = surface.window
    # The levels from a coarse grid: quantiles of a 60 x 60 sample are the same to the eye.
    lo, hi = np.quantile(log_gap(surface, np.linspace(x0, x1, 60), np.linspace(y0, y1, 60)),
                         [0.01, 0.99])
    scale = CONTOUR_PIXELS / max(x1 - x0, y1 - y0)                       # pixels per unit
    nx, ny = round((x1 - x0) * scale), round((y1 - y0) * scale)
    s = (log_gap(surface, x0 + (np.arange(nx) + 0.5) / scale, y0 + (np.arange(ny) + 0.5) / scale)
         - lo) * (CONTOUR_LEVELS / (hi - lo))                            # lines at s = 0 .. 18
    return raster.level_lines_image(s, CONTOUR_LEVELS, CONTOUR_COLORS, (x0, x1), (y0, y1))


def _landmark_looks(reg_points: dict) -> list[tuple[str, str, str, int]]:
    """(label, marker symbol, colour, size) of the start, the minima and each L2-regularised
    minimum (one per weight decay in ``reg_points``): the path plot draws them so (_landmarks) and
    its legend names them so (_path_legend)."""
    return ([(TEXT["start"], "circle-open", "#888", 12), (TEXT["minimum"], "star", "#ffd700", 15)]
            + [(TEXT["l2_minimum"].format(wd=wd), "diamond", "#aaa", 11) for wd in reg_points])


def _landmarks(start, minima, reg_points: dict) -> dict:
    """The start, the minima and the L2-regularised minima as one marker trace; their names are
    in the HTML legend and on hover."""
    start_look, minimum_look, *l2_looks = _landmark_looks(reg_points)
    marks = ([(start_look, start)] + [(minimum_look, point) for point in minima]
             + list(zip(l2_looks, reg_points.values())))
    looks, points = zip(*marks)
    names, symbols, colors, sizes = zip(*looks)
    return {"type": "scatter", "mode": "markers", "name": TEXT["landmarks"], "showlegend": False,
            "x": [float(p[0]) for p in points], "y": [float(p[1]) for p in points],
            "customdata": list(names),
            "marker": {"symbol": list(symbols), "size": list(sizes), "color": list(colors),
                       "line": {"width": 1, "color": "#888"}},
            "hovertemplate": "%{customdata}: (%{x:.3f}, %{y:.3f})<extra></extra>"}


def _path_figure(vm: dict) -> dict:
    """The runs up to the shown step over the level lines, in few traces (each costs the
    browser work on every update).

    The axes are fixed and, from one update of the widget to the next, usually only x and y
    change (the host keeps arrays whose values are the same). With ``layout.transition`` Plotly
    then moves the traces in place instead of redrawing the whole figure (axes, hover and drag
    layers). (Not for the loss chart: its log axis rescales with the data, and a transition of
    axis ranges waits for an animation frame.)"""
    surface, runs, shown = vm["surface"], vm["runs"], vm["shown"]
    data = []
    for method, res in runs.items():
        pts = res["points"][:shown + 1]
        data.append({"type": "scatter", "mode": "lines", "x": pts[:, 0].round(5),
                     "y": pts[:, 1].round(5), "name": NAMES[method],
                     "line": {"color": COLORS[method], "width": 2,
                              "dash": "dash" if method == "newton" else "solid"},
                     "legendgroup": method,
                     "hovertemplate": NAMES[method] + "<br>(%{x:.3f}, %{y:.3f})<extra></extra>"})
    # Where each run is at the shown step (an x where it stopped): one trace for all of them.
    ends = [(method, res["points"][min(shown, len(res["points"]) - 1)].round(5),
             res["stopped_at"] is not None and shown >= len(res["points"]) - 1)
            for method, res in runs.items()]
    data.append({"type": "scatter", "mode": "markers", "showlegend": False, "name": TEXT["current"],
                 "x": [float(p[0]) for _, p, _ in ends], "y": [float(p[1]) for _, p, _ in ends],
                 "customdata": [NAMES[m] for m, _, _ in ends],
                 "marker": {"color": [COLORS[m] for m, _, _ in ends],
                            "size": [12 if stopped else 9 for _, _, stopped in ends],
                            "symbol": ["x" if stopped else "circle" for _, _, stopped in ends],
                            "line": {"width": 1, "color": "#fff"}},
                 "hovertemplate": "%{customdata}<br>(%{x:.3f}, %{y:.3f})<extra></extra>"})
    data.append(_landmarks(vm["p0"], surface.minima, vm["reg_points"]))
    (x0, x1), (y0, y1) = surface.window
    layout = chart_layout(TEXT["paths_title"], 420,
                          xaxis={"range": [x0, x1], "title": {"text": "x"}, "zeroline": False,
                                 "constrain": "domain"},
                          yaxis={"range": [y0, y1], "title": {"text": "y"}, "zeroline": False,
                                 "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"},
                          images=[_contour_image(surface.name)], showlegend=False,
                          transition={"duration": 0})
    return {"data": data, "layout": layout}


def _path_legend(runs: dict, reg_points: dict) -> dict:
    """The path plot's legend (as HTML, see demos.widget.legend)."""
    items = [(NAMES[m], COLORS[m], "dash" if m == "newton" else "line") for m in runs]
    items += [(label, colour, symbol) for label, symbol, colour, _ in _landmark_looks(reg_points)]
    return legend(items)


def _loss_figure(surface: Surface, runs: dict, shown: int) -> dict:
    data = []
    for method, res in runs.items():
        gap = np.maximum(res["loss"] - surface.f_min, 1e-16)
        data.append({"type": "scatter", "mode": "lines", "y": significant(gap, 4),  # x: 0, 1, ..
                     "name": NAMES[method], "line": {"color": COLORS[method], "width": 2},
                     "hovertemplate": f"{NAMES[method]}: step %{{x}}, %{{y:.3g}}<extra></extra>"})
    layout = chart_layout(TEXT["loss_title"], 300, xaxis={"title": {"text": "step"}},
                          yaxis={"type": "log", "title": {"text": "f − f*"},
                                 "exponentformat": "power"},
                          shapes=[_vline(shown)], showlegend=False)
    return {"data": data, "layout": layout}


def _lr_figure(curves: dict, title: str, marker: int | None = None) -> dict:
    """``curves`` maps a label to (color, lr array (steps,)); several curves get a legend below
    (and no x-axis title, which the legend would cover on a phone)."""
    data = [{"type": "scatter", "mode": "lines", "y": significant(values, 6), "name": label,
             "line": {"color": color, "width": 2, "shape": "hv"},
             "hovertemplate": f"{label}: update %{{x}}, lr=%{{y:.4g}}<extra></extra>"}
            for label, (color, values) in curves.items()]
    several = len(curves) > 1
    layout = chart_layout(title, 360 if several else 260,
                          xaxis={"title": {"text": "" if several else "update t"}},
                          yaxis={"title": {"text": "η_t"}, "rangemode": "tozero"},
                          shapes=[] if marker is None else [_vline(marker)], showlegend=several)
    layout["legend"]["y"] = -0.1
    return {"data": data, "layout": layout}


# ---------------------------------------------------------------------------------------------
# Tables, sentences and formulas.
# ---------------------------------------------------------------------------------------------

def _fmt_point(p) -> str:
    return f"({p[0]:.3f}, {p[1]:.3f})"


def _formula_tex(title: str, lines: list[str]) -> str:
    """A bold title over one centred line per update (narrow enough for a phone)."""
    return (r"\begin{gathered}\textbf{" + title + r"}\\ " + r"\\ ".join(lines)
            + r"\end{gathered}")


def _status(res: dict) -> str:
    if res["stopped_at"] is None:
        return TEXT["finished"]
    why = TEXT["diverged"] if res["reason"] == "diverged" else TEXT["singular"]
    return TEXT["stopped"].format(at=res["stopped_at"], why=why)


def _positions_table(vm: dict) -> dict:
    """Each run at the shown step; a status column only when some run stopped."""
    any_stopped = any(res["stopped_at"] is not None for res in vm["runs"].values())
    rows = []
    for method, res in vm["runs"].items():
        at = vm["at_shown"][method]
        rows.append([NAMES[method], _fmt_point(at["point"]), f"{at['gap']:.3g}",
                     f"{at['distance']:.3g}"] + ([_status(res)] if any_stopped else []))
    columns = [TEXT["columns"][0], TEXT["columns"][1].format(shown=vm["shown"]),
               *TEXT["columns"][2:]] + ([TEXT["status"]] if any_stopped else [])
    return table(columns, rows)


def _adam_vs_adamw_text(comparison: dict) -> dict:
    """Both end points, their distance from the loss minimum and from the L2 minimum, and why."""
    lines = []
    for method, end in comparison["ends"].items():
        line = TEXT["end_point"].format(name=NAMES[method], wd=end["wd"],
                                        point=_fmt_point(end["end"]), distance=end["distance"])
        if end["to_l2"] is not None:
            line += TEXT["to_l2_minimum"].format(wd=end["wd"], distance=end["to_l2"])
        lines.append(line)
    explain = TEXT["adam_l2"] if comparison["ends"]["adam"]["wd"] > 0 else TEXT["adam_plain"]
    decay = comparison["ends"]["adamw"]["wd"]
    if decay > 0:
        inside = comparison["inside"]
        explain += (TEXT["adamw_decay"].format(box=1 / decay,
                                               where=TEXT["inside" if inside else "outside"])
                    + TEXT["adamw_returns" if inside else "adamw_cannot"])
    else:
        explain += TEXT["adamw_plain"]
    return text(" / ".join(lines) + ". " + explain)


def _formulas(schedule: str, runs: dict) -> list[dict]:
    """The schedule's formula, then each run's update rule with its note."""
    outputs = [math_output(_formula_tex("schedule: " + schedule.replace("_", r"\_"),
                                        SCHEDULE_TEX[schedule]))]
    for method in runs:
        outputs.append(math_output(_formula_tex(NAMES[method], UPDATE_TEX[method])))
        outputs.append(text(TEXT["formula_notes"][method]))
    return outputs


# ---------------------------------------------------------------------------------------------
# Widget "optim": optimizers side by side on a surface.
# ---------------------------------------------------------------------------------------------

def _render_optim(**values) -> list[dict]:
    """The outputs in reading order: the surface, the paths and where each run is, the loss, the
    schedule, Adam against AdamW, the formulas."""
    vm = view_model(Settings(**values))
    surface, runs, shown, steps = vm["surface"], vm["runs"], vm["shown"], values["steps"]
    outputs = [text(TEXT["surface_note"].format(label=surface.label, note=surface.note))]
    messages = [res["message"] for res in runs.values() if res["message"]]
    if messages:
        outputs.append(text(" ".join(messages), tone="warn"))
    outputs += [
        stats([(TEXT["shown_step"], f"{shown} / {steps}"), (TEXT["start"], _fmt_point(vm["p0"])),
               (TEXT["minimum"], ", ".join(_fmt_point(m) for m in surface.minima)),
               ("f*", surface.f_min)]),
        plot("paths", _path_figure(vm), clickable=True),
        _path_legend(runs, vm["reg_points"]),
        _positions_table(vm),
        plot("loss", _loss_figure(surface, runs, shown)),
    ]
    if vm["factor"] is not None:
        label = TEXT["schedule_labels"][values["schedule"]]
        outputs.append(plot("lr", _lr_figure({label: ("#4363d8", vm["factor"])},
                                             TEXT["lr_factor_title"],
                                             marker=min(shown, steps - 1))))
    if vm["adam_vs_adamw"] is not None:
        outputs.append(_adam_vs_adamw_text(vm["adam_vs_adamw"]))
    return outputs + _formulas(values["schedule"], runs)


def _optim_event(values: dict, event: dict) -> dict:
    """Click on the path plot -> new start; buttons -> presets (raw state changes)."""
    surface = SURFACES[values["surface"]]
    if event.get("type") == "click" and event.get("plot") == "paths":
        (x0, x1), (y0, y1) = surface.window
        x = min(max(checks.real(event.get("x"), "x"), x0), x1)
        y = min(max(checks.real(event.get("y"), "y"), y0), y1)
        return {"start": {"surface": surface.name, "x": x, "y": y}}
    if event.get("type") != "action":
        return {}
    if event.get("name") == "recommended":
        return {"lr_sgd": str(surface.lr_sgd), "lr_adaptive": str(surface.lr_adaptive),
                "steps": str(surface.steps), "start": None, "progress": "100", "noise": "0",
                "schedule": "constant"}
    if event.get("name") == "adamw":
        return {"surface": "quadratic", "optimizers": ["adam", "adamw", "newton"],
                "lr_adaptive": "0.1", "steps": "300", "weight_decay": "1",
                "adamw_weight_decay": "1", "schedule": "cosine", "noise": "0", "start": None,
                "progress": "100"}
    return {}


# ---------------------------------------------------------------------------------------------
# Widget "lr-schedule": the schedules side by side.
# ---------------------------------------------------------------------------------------------

def schedule_view_model(schedules: list[str], steps: int, lr: float, step_size: int,
                        gamma: float, warmup: int) -> dict:
    """The chosen schedules -> each one's ``η_t`` (steps,), the updates ``marks`` the table
    shows, and each schedule's mean ``η_t``."""
    if not schedules:
        raise ValueError(TEXT["no_schedule"])
    if "warmup_cosine" in schedules and warmup >= steps:
        raise ValueError(TEXT["warmup_too_long"].format(steps=steps, warmup=warmup))
    curves = {name: lr_schedule(name, steps, lr, step_size=step_size, gamma=gamma, warmup=warmup)
              for name in schedules}
    return {"curves": curves, "marks": sorted({0, min(warmup, steps - 1), steps // 2, steps - 1}),
            "means": {name: curve.mean() for name, curve in curves.items()}}


def _render_schedules(schedules, steps, lr, step_size, gamma, warmup) -> list[dict]:
    _check_rate(lr, "기본 learning rate η")
    vm = schedule_view_model(schedules, steps, lr, step_size, gamma, warmup)
    labels, marks = TEXT["schedule_labels"], vm["marks"]
    figure = _lr_figure({labels[n]: (SCHEDULE_COLORS[n], c) for n, c in vm["curves"].items()},
                        TEXT["schedules_title"])
    rows = [[labels[n]] + [f"{c[t]:.4g}" for t in marks] + [f"{vm['means'][n]:.4g}"]
            for n, c in vm["curves"].items()]
    outputs = [plot("schedules", figure),
               table(["schedule"] + [f"t = {t}" for t in marks] + [TEXT["mean"]], rows,
                     caption=TEXT["schedules_caption"])]
    for name in schedules:
        outputs.append(math_output(_formula_tex(name.replace("_", r"\_"), SCHEDULE_TEX[name])))
        outputs.append(text(TEXT["schedule_notes"][name]))
    outputs.append(text(TEXT["schedules_note"]))
    return outputs


_SCHEDULE_OPTIONS = [(name, TEXT["schedule_labels"][name]) for name in SCHEDULES]

WIDGETS = {
    "optim": widget(
        TEXT["title"],
        [
            select("surface", "loss 곡면", "quadratic",
                   [(name, s.label) for name, s in SURFACES.items()]),
            checkboxes("optimizers", "optimizer", list(OPTIMIZERS),
                       [(m, NAMES[m]) for m in METHODS],
                       help="모두 같은 시작점, 같은 step 수, 같은 gradient (노이즈 포함)로 달립니다."),
            number("steps", "steps", DEFAULT_SURFACE.steps, min=1, max=1000, integer=True),
            number("lr_sgd", TEXT["lr_sgd"], DEFAULT_SURFACE.lr_sgd, min=0, step=0.01,
                   help="0보다 커야 합니다. 곡면마다 알맞은 값이 다릅니다 ('권장값' 버튼)."),
            number("lr_adaptive", TEXT["lr_adaptive"], DEFAULT_SURFACE.lr_adaptive, min=0,
                   step=0.01, help="적응형 방법은 한 step이 대략 η 크기라 SGD와 따로 정합니다."),
            number("momentum", "momentum μ (노트의 rho)", 0.9, min=0, step=0.05,
                   help="0 이상 1 미만. 순수 SGD는 항상 0."),
            number("alpha", "RMSProp α (alpha, 노트의 decay_rate)", 0.99, min=0, step=0.01),
            number("beta1", "Adam β₁ (beta1)", 0.9, min=0, step=0.01),
            number("beta2", "Adam β₂ (beta2)", 0.999, min=0, step=0.001),
            number("eps", "ε (eps: RMSProp · Adam · AdamW)", 1e-8, step=1e-8),
            number("weight_decay", "weight decay λ (L2: SGD 계열 · RMSProp · Adam · Newton)", 0.0,
                   min=0, step=0.01, help="gradient에 λp를 더합니다 (PyTorch weight_decay)."),
            number("adamw_weight_decay", "AdamW weight decay λ (decoupled)", 0.01, min=0,
                   step=0.01, help="p ← (1 − ηλ)p. PyTorch AdamW 기본값 0.01."),
            select("schedule", "learning rate schedule", "constant", _SCHEDULE_OPTIONS),
            number("step_size", "step: step_size s", 50, min=1, integer=True),
            number("gamma", "step: gamma γ", 0.5, min=0, max=1, step=0.05),
            number("warmup", "warm-up / inverse sqrt: W", 20, min=0, integer=True),
            slider("noise", "gradient 노이즈 (mini-batch 흉내)", 0, min=0, max=2, step=0.05,
                   help="매 step gradient에 noise × (곡면의 gradient 크기) × N(0, I)를 더합니다."),
            number("seed", "노이즈 seed", 0, min=0, integer=True),
            slider("progress", "진행률 (%) ▶ 재생", 100, min=0, max=100, step=1, integer=True,
                   play=True),
            hidden("start", None),
            button("recommended", "이 곡면의 권장값"),
            button("adamw", "Adam vs AdamW (λ = 1)"),
        ],
        _render_optim,
        on_event=_optim_event,
        description=TEXT["description"],
    ),
    "lr-schedule": widget(
        TEXT["schedule_title"],
        [
            checkboxes("schedules", "schedule", list(SCHEDULES), _SCHEDULE_OPTIONS),
            number("steps", "총 update 수 T", 100, min=1, max=MAX_STEPS, integer=True),
            number("lr", "기본 learning rate η", 0.1, min=0, step=0.01, help="0보다 커야 합니다."),
            number("step_size", "step: step_size s", 30, min=1, integer=True),
            number("gamma", "step: gamma γ", 0.5, min=0, max=1, step=0.05),
            number("warmup", "warm-up / inverse sqrt: W", 10, min=0, integer=True),
        ],
        _render_schedules,
        description=TEXT["schedule_description"],
    ),
}
