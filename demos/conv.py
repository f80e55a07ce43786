"""Convolution and pooling arithmetic (Lectures 5-6): output sizes, parameters, receptive fields.

Everything here works on one spatial axis at a time, because square kernels act on H and W
independently. Along one axis, a window of ``kernel`` taps spaced ``dilation`` apart covers

    span = dilation * (kernel - 1) + 1

cells of the input padded by ``padding`` zeros on both sides (``size + 2 * padding`` cells), and it
starts every ``stride`` cells. The slack left after the first window,

    slack = size + 2 * padding - span,

decides everything: the CS231n formula ``slack / stride + 1`` is an integer only when ``stride``
divides ``slack``; PyTorch's ``Conv2d`` takes the floor (the leftover cells at the end are never
seen); ``MaxPool2d(ceil_mode=True)`` takes the ceiling (the last window hangs over the end) but drops
a last window that would start in the right padding.

``summarize`` chains layers the way PyTorch builds them and tracks the receptive field of one output
cell: ``r_out = r_in + dilation * (kernel - 1) * jump_in`` and ``jump_out = jump_in * stride``, where
``jump`` is the distance in input pixels between neighbouring cells of the current feature map.
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Integral

import numpy as np

from demos import widget as w

__all__ = ["MODES", "conv_output_size", "window_taps", "summarize", "WIDGETS"]

MODES = ("strict", "floor", "ceil")

_LABELS = {
    "size": "입력 크기(size)",
    "kernel": "커널 크기(kernel)",
    "stride": "스트라이드(stride)",
    "padding": "패딩(padding)",
    "dilation": "dilation(확장 간격)",
    "out_channels": "출력 채널 수(out_channels)",
    "groups": "그룹 수(groups)",
}


# ---------------------------------------------------------------------------------------------
# Validation helpers (Korean messages; bool is an int subclass in Python, so reject it first).
# ---------------------------------------------------------------------------------------------

def _as_int(value, label: str, minimum: int) -> int:
    """A Python int >= ``minimum``; floats, strings and bools are refused, not rounded."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{label}에는 True/False가 아니라 정수를 넣으세요 (입력값: {value!r}).")
    if not isinstance(value, Integral):
        raise TypeError(f"{label}은(는) 정수여야 합니다 (입력값: {value!r}).")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{label}은(는) {minimum} 이상이어야 합니다 (입력값: {value}).")
    return value


def _as_bool(value, label: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{label}은(는) True 또는 False여야 합니다 (입력값: {value!r}).")
    return bool(value)


def _check_pool_padding(kernel: int, padding: int) -> None:
    """PyTorch pooling pads with -inf and refuses ``padding > kernel // 2``."""
    if padding > kernel // 2:
        raise ValueError(
            f"pooling의 패딩(padding)은 커널 크기의 절반 이하여야 합니다 (PyTorch 규칙: "
            f"padding ≤ kernel // 2 = {kernel // 2}, 입력값: padding={padding}, kernel={kernel}).")


def _fmt_number(q: Fraction) -> str:
    """54.25 exactly when it has at most 4 decimals, else 2.333… (never a misleading round value)."""
    for digits in range(5):
        if (q * 10 ** digits).denominator == 1:
            return f"{float(q):.{digits}f}"
    return f"{float(q):.3f}…"


def _span(kernel: int, dilation: int) -> int:
    """Cells one window covers along an axis, holes of a dilated kernel included."""
    return dilation * (kernel - 1) + 1


def _formula_text(size: int, kernel: int, stride: int, padding: int, dilation: int) -> str:
    """'(224 + 2·0 − 11)/4 + 1 = 54.25' (plain text, for messages)."""
    span = _span(kernel, dilation)
    value = Fraction(size + 2 * padding - span, stride) + 1
    return f"({size} + 2·{padding} − {span})/{stride} + 1 = {_fmt_number(value)}"


# ---------------------------------------------------------------------------------------------
# One axis.
# ---------------------------------------------------------------------------------------------

def conv_output_size(size, kernel, stride=1, padding=0, dilation=1, mode="strict") -> int:
    """Number of window positions along one axis.

    mode:
      ``"strict"`` the CS231n rule ``(size + 2P - span) / S + 1``; raises ValueError (in Korean,
                   naming the non-integer value) when ``S`` does not divide ``size + 2P - span``.
      ``"floor"``  PyTorch ``Conv2d``: ``floor((size + 2P - D(K-1) - 1) / S + 1)``.
      ``"ceil"``   PyTorch ``MaxPool2d(ceil_mode=True)``: the ceiling, minus one when the last window
                   would start at or after ``size + P`` (inside the right padding); also requires
                   ``P <= K // 2`` as PyTorch pooling does.
    Every mode raises ValueError when the result would be < 1 and TypeError / ValueError for
    arguments that are not integers of the allowed range.
    """
    size = _as_int(size, _LABELS["size"], 1)
    kernel = _as_int(kernel, _LABELS["kernel"], 1)
    stride = _as_int(stride, _LABELS["stride"], 1)
    padding = _as_int(padding, _LABELS["padding"], 0)
    dilation = _as_int(dilation, _LABELS["dilation"], 1)
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"mode는 'strict', 'floor', 'ceil' 중 하나여야 합니다 (입력값: {mode!r}).")
    if mode == "ceil":
        _check_pool_padding(kernel, padding)

    span = _span(kernel, dilation)
    slack = size + 2 * padding - span
    if mode == "ceil":
        out = -(-slack // stride) + 1  # ceil(slack / S) + 1, also right for negative slack
        if (out - 1) * stride >= size + padding:
            out -= 1  # PyTorch: the last window must start inside the input or the left padding
    else:
        out = slack // stride + 1
    if out < 1:  # floor / strict: slack < 0; ceil: the padded input is short even with overhang
        dilated = "" if dilation == 1 else f" (dilation·(kernel−1)+1 = {dilation}·{kernel - 1}+1)"
        raise ValueError(
            f"출력 크기가 1보다 작습니다: 패딩을 더한 입력 {size} + 2·{padding} = {size + 2 * padding}칸이 "
            f"커널이 덮는 폭 {span}칸{dilated}보다 작습니다.")
    if mode == "strict" and slack % stride:
        floor_out = slack // stride + 1
        left_over = slack % stride  # cells of the padded input after the last floor window
        real = max(0, left_over - padding)
        where = (f"끝의 {left_over}칸을 버립니다" if padding == 0 else
                 f"패딩된 입력의 끝 {left_over}칸을 버립니다 (그중 실제 입력은 {real}칸)")
        span_note = "" if dilation == 1 else f", 커널이 덮는 폭 = dilation·(kernel−1)+1 = {span}"
        raise ValueError(
            f"CS231n 공식의 출력 크기가 정수가 아닙니다: {_formula_text(size, kernel, stride, padding, dilation)}"
            f"{span_note} ({size + 2 * padding} − {span} = {slack}이(가) stride {stride}(으)로 "
            f"나누어떨어지지 않음). PyTorch 같은 floor 규칙이라면 {floor_out}(으)로 내리고 {where}.")
    return int(out)


def window_taps(size, kernel, stride=1, padding=0, dilation=1, mode="floor") -> np.ndarray:
    """Input coordinates read by every window: array of shape (out, kernel), ints.

    Coordinate 0 is the first real input cell; negative values and values >= size are padding
    (zeros for conv, -inf for max pooling). Row ``o`` is ``o * S - P + D * arange(K)``.
    """
    out = conv_output_size(size, kernel, stride, padding, dilation, mode)
    starts = np.arange(out) * stride - padding
    return starts[:, None] + dilation * np.arange(kernel)[None, :]


def _axis(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> dict:
    """Output size along one axis (PyTorch rule) plus the input cells the last window leaves out."""
    out = conv_output_size(size, kernel, stride, padding, dilation, "ceil" if ceil_mode else "floor")
    last_cell = (out - 1) * stride - padding + _span(kernel, dilation) - 1  # input coordinate
    slack = size + 2 * padding - _span(kernel, dilation)
    return {"out": out, "dropped": min(size, max(0, size - 1 - last_cell)),
            "exact": slack >= 0 and slack % stride == 0}


# ---------------------------------------------------------------------------------------------
# A stack of layers.
# ---------------------------------------------------------------------------------------------

_CONV_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True}
_POOL_DEFAULTS = {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False}


def _input_shape(input_shape) -> tuple[int, int, int]:
    if isinstance(input_shape, (str, bytes)) or not hasattr(input_shape, "__len__"):
        raise TypeError(f"입력 모양(input_shape)은 [C, H, W] 세 정수여야 합니다 (입력값: {input_shape!r}).")
    values = input_shape.tolist() if isinstance(input_shape, np.ndarray) else list(input_shape)
    if len(values) != 3:
        raise ValueError(f"입력 모양(input_shape)은 [C, H, W] 세 정수여야 합니다 "
                         f"(받은 값 {len(values)}개: {values!r}).")
    names = ("입력 채널 C", "입력 높이 H", "입력 너비 W")
    c, h, w_ = (_as_int(v, f"입력 모양의 {name}", 1) for v, name in zip(values, names))
    return c, h, w_


def _layer_options(layer, index: int) -> tuple[str, dict]:
    """Validated options of one layer dict, defaults filled in; raises in Korean naming the layer."""
    if not isinstance(layer, dict):
        raise TypeError(f"{index}번째 층은 dict여야 합니다 (입력값: {layer!r}).")
    kind = layer.get("type")
    if kind not in ("conv", "pool"):
        raise ValueError(f"{index}번째 층의 type은 'conv' 또는 'pool'이어야 합니다 (입력값: {kind!r}).")
    defaults = _CONV_DEFAULTS if kind == "conv" else _POOL_DEFAULTS
    required = ("out_channels", "kernel") if kind == "conv" else ("kernel",)
    allowed = {"type", *required, *defaults}
    unknown = sorted(set(layer) - allowed, key=str)
    if unknown:
        raise ValueError(f"{index}번째 층({kind})에 쓸 수 없는 항목이 있습니다: {', '.join(map(repr, unknown))} "
                         f"(쓸 수 있는 항목: {', '.join(sorted(allowed))}).")
    missing = [key for key in required if key not in layer]
    if missing:
        raise ValueError(f"{index}번째 층({kind})에 꼭 필요한 항목이 없습니다: {', '.join(missing)}.")
    opts = {**defaults, **{k: v for k, v in layer.items() if k != "type"}}
    prefix = f"{index}번째 층({kind})의 "
    for key, minimum in (("out_channels", 1), ("kernel", 1), ("padding", 0), ("dilation", 1),
                         ("groups", 1)):
        if key in opts:
            opts[key] = _as_int(opts[key], prefix + _LABELS[key], minimum)
    if kind == "pool" and opts["stride"] is None:
        opts["stride"] = opts["kernel"]  # nn.MaxPool2d: stride defaults to kernel_size
    opts["stride"] = _as_int(opts["stride"], prefix + _LABELS["stride"], 1)
    for key in ("bias", "ceil_mode"):
        if key in opts:
            opts[key] = _as_bool(opts[key], prefix + key)
    if kind == "pool":
        try:
            _check_pool_padding(opts["kernel"], opts["padding"])
        except ValueError as error:
            raise ValueError(f"{index}번째 층(pool): {error}") from None
    return kind, opts


def summarize(input_shape, layers) -> list[dict]:
    """Shapes, parameters and receptive fields of a conv / max-pool stack, as PyTorch builds it.

    input_shape: [C, H, W]. layers: dicts, e.g.
      {"type": "conv", "out_channels": 64, "kernel": 3, "stride": 1, "padding": 1, "dilation": 1,
       "groups": 1, "bias": True}
      {"type": "pool", "kernel": 2, "stride": 2, "padding": 0, "dilation": 1, "ceil_mode": False}
    (``stride`` of a pool defaults to ``kernel``.) Conv uses the floor rule of ``nn.Conv2d``, pool
    the rule of ``nn.MaxPool2d``. Returns one dict per layer:
      type, in_shape, out_shape ([C, H, W]), weights, biases, params (= weights + biases),
      mult_adds (multiply-adds of the forward pass, bias additions not counted),
      activations (numbers in the output map, what backprop keeps), receptive_field and jump
      (in input pixels), dropped ([rows, cols] of real input the last window never reaches),
      exact (the CS231n formula is an integer on both axes).
    """
    channels, height, width = _input_shape(input_shape)
    if isinstance(layers, (str, bytes, dict)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers는 층(dict)들의 리스트여야 합니다 (입력값: {layers!r}).")
    receptive_field, jump = 1, 1
    rows = []
    for index, layer in enumerate(layers, start=1):
        kind, opts = _layer_options(layer, index)
        k, s, p, d = opts["kernel"], opts["stride"], opts["padding"], opts["dilation"]
        axes = []
        for name, size in (("높이(H)", height), ("너비(W)", width)):
            try:
                axes.append(_axis(size, k, s, p, d, opts.get("ceil_mode", False)))
            except ValueError as error:
                raise ValueError(f"{index}번째 층({kind}) {name} 방향: {error}") from None
        out_h, out_w = axes[0]["out"], axes[1]["out"]

        if kind == "conv":
            groups, out_channels = opts["groups"], opts["out_channels"]
            for what, count in (("입력 채널 수", channels), ("출력 채널 수", out_channels)):
                if count % groups:
                    raise ValueError(f"{index}번째 층(conv): {what} {count}이(가) groups {groups}로 "
                                     f"나누어떨어지지 않습니다 (PyTorch는 둘 다 나누어떨어져야 합니다).")
            fan_in = channels // groups * k * k  # one output cell reads this many inputs
            weights = out_channels * fan_in
            biases = out_channels if opts["bias"] else 0
            mult_adds = out_channels * out_h * out_w * fan_in
        else:
            out_channels, weights, biases, mult_adds = channels, 0, 0, 0

        receptive_field += d * (k - 1) * jump
        jump *= s
        rows.append({
            "type": kind, "in_shape": [channels, height, width],
            "out_shape": [out_channels, out_h, out_w],
            "weights": weights, "biases": biases, "params": weights + biases,
            "mult_adds": mult_adds, "activations": out_channels * out_h * out_w,
            "receptive_field": receptive_field, "jump": jump,
            "dropped": [axes[0]["dropped"], axes[1]["dropped"]],
            "exact": axes[0]["exact"] and axes[1]["exact"],
        })
        channels, height, width = out_channels, out_h, out_w
    return rows


# ---------------------------------------------------------------------------------------------
# Widgets.
# ---------------------------------------------------------------------------------------------

def _n(value: int) -> str:
    """12,345 (thousands separators for readability)."""
    return f"{value:,}"


def _tex_n(value: int) -> str:
    return f"{value:,}".replace(",", "{,}")


def _axis_style(**extra) -> dict:
    """Grey, half-transparent grid lines: visible on white and on Material's slate background.
    Tick labels stay level and are not checked for overflow: otherwise Plotly measures every
    label on every redraw."""
    return {"gridcolor": "rgba(128,128,128,0.25)", "zerolinecolor": "rgba(128,128,128,0.5)",
            "linecolor": "rgba(128,128,128,0.5)", "tickangle": 0, "ticklabeloverflow": "allow",
            **extra}


def _layout(**extra) -> dict:
    """Transparent, phone-friendly Plotly layout; the host decides the font colour."""
    layout = {"autosize": True, "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
              "margin": {"l": 56, "r": 12, "t": 36, "b": 40},
              "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"}}
    layout.update(extra)
    return layout


# Cell kinds in the window picture, with colours that read on light and dark backgrounds.
_CELL_KINDS = [
    (1, "커널 탭 (입력)", "#3b82f6"),
    (2, "커널 탭 (패딩)", "#93c5fd"),
    (3, "입력", "#9ca3af"),
    (4, "패딩 0", "#d1d5db"),
    (5, "쓰이지 않는 입력", "#ef4444"),
]
_MAX_WINDOWS = 16   # rows of the picture: the last windows, where floor drops cells
_MAX_CELLS = 120    # columns of the picture: the end of the padded axis


def _read_cells(size: int, kernel: int, stride: int, padding: int, dilation: int) -> np.ndarray:
    """Boolean mask over the padded axis (size + 2P,): cells some tap of some floor window reads.

    Taps form a grid ``o * S + j * D``; marking it by strided slices over the shorter of the two
    directions costs min(out, K) slice assignments instead of an (out, K) index array.
    """
    out = conv_output_size(size, kernel, stride, padding, dilation, "floor")
    read = np.zeros(size + 2 * padding, dtype=bool)
    if kernel <= out:
        for j in range(kernel):
            read[j * dilation:j * dilation + (out - 1) * stride + 1:stride] = True
    else:
        for o in range(out):
            read[o * stride:o * stride + (kernel - 1) * dilation + 1:dilation] = True
    return read


def _axis_picture(size: int, kernel: int, stride: int, padding: int, dilation: int
                  ) -> tuple[list[str], list[int], np.ndarray, bool]:
    """Window-by-position grid of one axis, cropped to its end for large sizes.

    Returns (row labels, x positions, z of shape (rows, cols) with codes of _CELL_KINDS or NaN,
    cropped?). Row 0 is the input itself, row 1 + i the i-th shown output window.
    """
    out = conv_output_size(size, kernel, stride, padding, dilation, "floor")
    first = max(0, out - _MAX_WINDOWS)
    taps = (np.arange(first, out) * stride - padding)[:, None] + dilation * np.arange(kernel)
    x_hi = size + padding - 1
    x_lo = max(-padding, int(taps[0, 0]), x_hi - _MAX_CELLS + 1)
    xs = np.arange(x_lo, x_hi + 1)
    is_input = (xs >= 0) & (xs < size)
    seen = _read_cells(size, kernel, stride, padding, dilation)[xs + padding]  # by any window

    z = np.full((out - first + 1, len(xs)), np.nan)
    z[0] = np.where(is_input, np.where(seen, 3, 5), 4)
    cols = taps - x_lo                                           # (shown windows, K)
    r, c = np.nonzero((cols >= 0) & (cols < len(xs)))
    z[1 + r, cols[r, c]] = np.where(is_input[cols[r, c]], 1, 2)
    labels = ["입력"] + [f"출력 {o}" for o in range(first, out)]
    return labels, xs.tolist(), z, bool(first > 0 or x_lo > -padding)


def _windows_figure(panels: list[tuple[str, int]], kernel: int, stride: int, padding: int,
                    dilation: int) -> dict:
    """One heatmap panel per (title, size), stacked vertically; sized in pixels so rows stay legible."""
    scale = []  # discrete: code k fills [(k-1)/n, k/n] with zmin=0.5, zmax=n+0.5
    for i, (_, _, colour) in enumerate(_CELL_KINDS):
        scale += [[i / len(_CELL_KINDS), colour], [(i + 1) / len(_CELL_KINDS), colour]]
    row_px, gap_px, top_px, bottom_px = 17, 56, 24, 40  # gap: x ticks + the next panel's title
    pictures = [_axis_picture(size, kernel, stride, padding, dilation) for _, size in panels]
    plot_px = sum(row_px * len(p[0]) for p in pictures) + gap_px * (len(panels) - 1)

    data, axes, annotations = [], {}, []
    top = plot_px
    for i, ((title, _), (labels, xs, z, cropped)) in enumerate(zip(panels, pictures)):
        suffix = "" if i == 0 else str(i + 1)
        bottom = top - row_px * len(labels)
        data.append({"type": "heatmap", "x": xs, "y": labels, "z": z, "zmin": 0.5,
                     "zmax": len(_CELL_KINDS) + 0.5, "colorscale": scale, "showscale": False,
                     "xgap": 1, "ygap": 1, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
                     "hovertemplate": "위치 %{x}<br>%{y}<extra></extra>"})
        axes[f"xaxis{suffix}"] = _axis_style(anchor=f"y{suffix}", showgrid=False, zeroline=False)
        axes[f"yaxis{suffix}"] = _axis_style(anchor=f"x{suffix}", domain=[bottom / plot_px, top / plot_px],
                                             autorange="reversed", type="category", showgrid=False)
        note = " · 끝부분만 표시" if cropped else ""
        annotations.append({"text": f"{title}{note}",
                            "showarrow": False, "xref": "paper", "yref": "paper", "x": 0,
                            "y": top / plot_px, "yanchor": "bottom", "xanchor": "left"})
        top = bottom - gap_px
    return {"data": data, "layout": _layout(height=plot_px + top_px + bottom_px,
                                            annotations=annotations, showlegend=False,
                                            margin={"l": 64, "r": 12, "t": top_px, "b": bottom_px},
                                            **axes)}


def _windows_legend() -> dict:
    """What the cell colours of the window picture mean (heatmaps have no legend entries)."""
    return w.legend([(label, colour, "square") for _, label, colour in _CELL_KINDS])


def _size_tex(label: str, size: int, kernel: int, stride: int, padding: int, dilation: int,
              mode: str) -> list[str]:
    """TeX lines for one axis, left-aligned to stay narrow on phones:
    H_{out} = \\frac{224 + 2\\cdot 0 - 11}{4} + 1, then = 54.25 (and its floor)."""
    span = _span(kernel, dilation)
    slack = size + 2 * padding - span
    value = Fraction(slack, stride) + 1
    result = f"\\quad = {_fmt_number(value)}"
    if value.denominator != 1 and mode == "floor":
        result += f" \\;\\Rightarrow\\; \\lfloor {_fmt_number(value)} \\rfloor = {slack // stride + 1}"
    return [f"{label} = \\frac{{{size} + 2\\cdot {padding} - {span}}}{{{stride}}} + 1", result]


def _aligned(lines: list[str]) -> str:
    """Left-aligned multi-line TeX (every line starts at the same place)."""
    return "\\begin{aligned} " + " \\\\ ".join("&" + line for line in lines) + " \\end{aligned}"


def _axis_message(axis: str, size: int, kernel: int, stride: int, padding: int, dilation: int
                  ) -> str | None:
    """Korean sentence about what floor does on this axis, or None when the formula is exact."""
    info = _axis(size, kernel, stride, padding, dilation, False)
    if info["exact"]:
        return None
    formula = _formula_text(size, kernel, stride, padding, dilation)
    if info["dropped"]:
        first_dropped = size - info["dropped"]
        cells = (f"{first_dropped}번" if info["dropped"] == 1
                 else f"{first_dropped}~{size - 1}번")
        return (f"{axis}: {formula} → floor 규칙은 {info['out']}(으)로 내리고, 입력의 마지막 "
                f"{info['dropped']}칸({cells})은 어떤 필터도 보지 않고 버려집니다.")
    return (f"{axis}: {formula} → floor 규칙은 {info['out']}(으)로 내립니다. 남는 칸은 끝의 "
            f"패딩(0)뿐이라 실제 입력의 끝은 잘리지 않습니다.")


def _skipped_cells(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Input cells no tap reads that lie before the end of the last window (gaps, not the tail)."""
    out = conv_output_size(size, kernel, stride, padding, dilation, "floor")
    last = min(size - 1, (out - 1) * stride - padding + _span(kernel, dilation) - 1)
    read = _read_cells(size, kernel, stride, padding, dilation)[padding:padding + size]
    return int(np.count_nonzero(~read[:last + 1]))


def _render_layer(H, W, C_in, kernel, stride, padding, dilation, filters, mode):
    if mode == "strict":
        for axis, size in (("높이 H", H), ("너비 W", W)):
            try:
                conv_output_size(size, kernel, stride, padding, dilation, "strict")
            except ValueError as error:
                raise ValueError(f"{axis} 방향: {error}") from None
    layer = {"type": "conv", "out_channels": filters, "kernel": kernel, "stride": stride,
             "padding": padding, "dilation": dilation}
    row = summarize([C_in, H, W], [layer])[0]
    _, out_h, out_w = row["out_shape"]

    lines = [] if dilation == 1 else [
        "K_{eff} = D(K-1)+1", f"\\quad = {dilation}\\cdot({kernel}-1)+1 = {_span(kernel, dilation)}"]
    if H == W:
        lines.append("H_{out} = W_{out}")
        lines += _size_tex("\\quad", H, kernel, stride, padding, dilation, mode)
    else:
        for label, size in (("H_{out}", H), ("W_{out}", W)):
            lines += _size_tex(label, size, kernel, stride, padding, dilation, mode)
    sizes = _aligned(lines)
    counts = _aligned([
        "\\text{params} = F C_{in} K^2 + F",
        f"\\quad = {filters} \\cdot {C_in} \\cdot {kernel}^2 + {filters}",
        f"\\quad = {_tex_n(row['params'])}",
        "\\text{mult-adds} = F H_{out} W_{out} C_{in} K^2",
        f"\\quad = {filters} \\cdot {out_h} \\cdot {out_w} \\cdot {C_in} \\cdot {kernel}^2",
        f"\\quad = {_tex_n(row['mult_adds'])}"])

    axes = [("H, W", H)] if H == W else [("높이 H", H), ("너비 W", W)]
    messages = [m for axis, size in axes
                if (m := _axis_message(axis, size, kernel, stride, padding, dilation))]
    gaps = [(axis, _skipped_cells(size, kernel, stride, padding, dilation)) for axis, size in axes]
    if any(count for _, count in gaps):
        counts = ", ".join(f"{axis} 방향 {count}칸" for axis, count in gaps)
        messages.append(f"stride와 dilation 때문에 창과 창 사이(또는 커널 탭 사이)에 어떤 창도 "
                        f"읽지 않는 입력이 있습니다 ({counts}, 그림의 빨간 칸).")
    if messages:
        note = w.text(" ".join(messages), tone="warn")
    else:
        note = w.text("H, W 모두 공식이 정수로 떨어집니다: 마지막 창이 패딩된 입력의 끝에 딱 맞습니다.",
                      tone="ok")

    panels = [(f"{axis} 축", size) for axis, size in axes]
    return [
        w.stats([("출력 (F × H_out × W_out)", f"{filters} × {out_h} × {out_w}"),
                 ("파라미터 (weights + biases)",
                  f"{_n(row['weights'])} + {_n(row['biases'])} = {_n(row['params'])}"),
                 ("곱셈-덧셈 (mult-adds)", _n(row["mult_adds"])),
                 ("receptive field", f"{row['receptive_field']} × {row['receptive_field']}")]),
        w.math(sizes),
        w.math(counts),
        note,
        w.plot("windows", _windows_figure(panels, kernel, stride, padding, dilation)),
        _windows_legend(),
    ]


_LAYER_CONTROLS = [
    w.number("H", "입력 높이 H", 32, min=1, max=4096, integer=True),
    w.number("W", "입력 너비 W", 32, min=1, max=4096, integer=True),
    w.number("C_in", "입력 채널 C_in", 3, min=1, max=4096, integer=True),
    w.number("kernel", "커널 크기 K (filter size)", 5, min=1, max=1024, integer=True),
    w.number("stride", "스트라이드 S (stride)", 1, min=1, max=1024, integer=True),
    w.number("padding", "패딩 P (padding)", 2, min=0, max=1024, integer=True),
    w.number("dilation", "dilation D (확장 간격)", 1, min=1, max=64, integer=True),
    w.number("filters", "필터 개수 F (out channels)", 10, min=1, max=4096, integer=True),
    w.select("mode", "정수가 아닐 때 (mode)", "strict",
             [("strict", "strict: CS231n 공식 (나누어떨어져야 함)"),
              ("floor", "floor: PyTorch Conv2d (내림)")],
             help="floor를 고르면 PyTorch처럼 내림하고, 버려지는 행·열을 그림에 빨갛게 표시합니다."),
]


# --- conv-stack ---------------------------------------------------------------------------------

def _conv_row(out_channels, kernel, stride=1, padding=0, dilation=1, groups=1, bias=True):
    return {"type": "conv", "out_channels": out_channels, "kernel": kernel, "stride": stride,
            "padding": padding, "dilation": dilation, "groups": groups, "bias": bias,
            "ceil_mode": False}


def _pool_row(channels, kernel, stride, padding=0, ceil_mode=False):
    """A pool row; ``channels`` only fills the (ignored) out_channels cell with the true count."""
    return {"type": "pool", "out_channels": channels, "kernel": kernel, "stride": stride,
            "padding": padding, "dilation": 1, "groups": 1, "bias": False, "ceil_mode": ceil_mode}


# (label, input [C, H, W], rows). AlexNet conv2 keeps the paper's 2 groups (one per GPU).
_STACK_PRESETS = {
    "alexnet": ("AlexNet conv1–pool1–conv2 (227)", [3, 227, 227],
                [_conv_row(96, 11, 4), _pool_row(96, 3, 2), _conv_row(256, 5, 1, 2, groups=2)]),
    "vgg": ("VGG-16 첫 블록", [3, 224, 224],
            [_conv_row(64, 3, 1, 1), _conv_row(64, 3, 1, 1), _pool_row(64, 2, 2)]),
    "resnet": ("ResNet 줄기 (stem)", [3, 224, 224],
               [_conv_row(64, 7, 2, 3, bias=False), _pool_row(64, 3, 2, 1)]),
}


def _raw_row(row: dict) -> dict:
    """Parsed row -> raw record values (strings, bools for toggles), as the host sends them."""
    return {k: (v if isinstance(v, bool) else str(v)) for k, v in row.items()}


def _layer_from_record(row: dict) -> dict:
    """A records row (every field present) -> the layer dict ``summarize`` takes."""
    keys = (("out_channels", "kernel", "stride", "padding", "dilation", "groups", "bias")
            if row["type"] == "conv" else ("kernel", "stride", "padding", "dilation", "ceil_mode"))
    return {"type": row["type"], **{k: row[k] for k in keys}}


def _layer_label(row: dict) -> str:
    k = row["kernel"]
    extras = [f"s{row['stride']}"]
    if row["padding"]:
        extras.append(f"p{row['padding']}")
    if row["dilation"] != 1:
        extras.append(f"d{row['dilation']}")
    if row["type"] == "conv":
        if row["groups"] != 1:
            extras.append(f"g{row['groups']}")
        if not row["bias"]:
            extras.append("bias 없음")
        return f"conv {k}×{k}, {row['out_channels']} ({', '.join(extras)})"
    if row["ceil_mode"]:
        extras.append("ceil")
    return f"max pool {k}×{k} ({', '.join(extras)})"


def _shape_text(shape: list[int]) -> str:
    return " × ".join(map(str, shape))


def _alexnet_note(C, H, W, layers: list[dict]) -> str | None:
    """The 224 vs 227 story, told when the first layer is AlexNet's conv1 (11×11, stride 4, pad 0)."""
    first = layers[0] if layers else None
    if first is None or first["type"] != "conv" or (first["kernel"], first["stride"],
                                                    first["padding"], first["dilation"]) != (11, 4, 0, 1):
        return None
    paper = _formula_text(224, 11, 4, 0, 1)
    if H == W == 227:
        return (f"AlexNet 논문은 입력을 224×224라고 적었지만 {paper}라서 정수가 아닙니다. "
                f"227이어야 (227 − 11)/4 + 1 = 55가 됩니다. 입력 H, W를 224로 바꿔 보세요.")
    if H == 224 or W == 224:
        return (f"입력 224에서는 {paper}: PyTorch(floor)는 54로 내리고 마지막 1행·1열을 버립니다. "
                f"논문의 55×55는 227 입력에서 나옵니다 (torchvision의 AlexNet은 padding 2를 넣어 ⌊55.25⌋ = 55를 얻습니다).")
    return None


def _render_stack(C, H, W, layers):
    if not layers:
        return [w.text("층을 하나 이상 추가하세요.", tone="info")]
    summary = summarize([C, H, W], [_layer_from_record(row) for row in layers])
    rows = [["입력", _shape_text([C, H, W]), "–", "–", 1, 1, "–"]]
    highlight = []
    for i, (row, info) in enumerate(zip(layers, summary), start=1):
        dropped = info["dropped"]
        rows.append([f"{i}. {_layer_label(row)}", _shape_text(info["out_shape"]),
                     _n(info["params"]) if row["type"] == "conv" else "0",
                     _n(info["mult_adds"]) if row["type"] == "conv" else "–",
                     info["receptive_field"], info["jump"],
                     f"{dropped[0]}행, {dropped[1]}열" if any(dropped) else "–"])
        if any(dropped):
            highlight.append(i)
    notes = [f"{i}번째 층: floor 규칙 때문에 입력의 마지막 {info['dropped'][0]}행, "
             f"{info['dropped'][1]}열을 어떤 창도 보지 않습니다."
             for i, info in enumerate(summary, start=1) if any(info["dropped"])]
    alexnet = _alexnet_note(C, H, W, layers)
    if alexnet:
        notes.insert(0, alexnet)
    if any(row["type"] == "conv" and row["groups"] != 1 for row in layers):
        notes.append("groups = g이면 필터 하나가 입력 채널의 1/g만 봐서 가중치가 g배 줄어듭니다 "
                     "(AlexNet은 GPU 2개에 나눠 담느라 groups = 2를 썼습니다).")
    last = summary[-1]
    outputs = [
        w.stats([("최종 출력 (C × H × W)", _shape_text(last["out_shape"])),
                 ("총 파라미터", _n(sum(r["params"] for r in summary))),
                 ("총 곱셈-덧셈", _n(sum(r["mult_adds"] for r in summary))),
                 ("최종 receptive field", f"{last['receptive_field']} × {last['receptive_field']}")]),
        w.table(["층", "출력 C × H × W", "파라미터", "곱셈-덧셈", "receptive field", "jump",
                 "버려지는 입력"], rows,
                caption="receptive field와 jump(누적 stride)는 원래 입력의 픽셀 단위입니다.",
                highlight=highlight),
    ]
    outputs.append(w.text(" ".join(notes), tone="warn") if notes else
                   w.text("모든 층에서 버려지는 행·열이 없습니다.", tone="ok"))
    return outputs


def _stack_event(values: dict, event: dict) -> dict:
    name = event.get("name") if event.get("type") == "action" else None
    if not isinstance(name, str) or not name.startswith("preset-"):
        return {}
    preset = _STACK_PRESETS.get(name.removeprefix("preset-"))
    if preset is None:
        raise ValueError(f"'{name}'이라는 프리셋이 없습니다.")
    _, (c, h, w_), rows = preset
    return {"C": str(c), "H": str(h), "W": str(w_), "layers": [_raw_row(r) for r in rows]}


_RECORD_FIELDS = [
    w.select("type", "종류", "conv", [("conv", "conv (합성곱)"), ("pool", "max pool")]),
    w.number("out_channels", "출력 채널", 64, min=1, max=8192, integer=True),
    w.number("kernel", "커널", 3, min=1, max=1024, integer=True),
    w.number("stride", "stride", 1, min=1, max=1024, integer=True),
    w.number("padding", "padding", 1, min=0, max=1024, integer=True),
    w.number("dilation", "dilation", 1, min=1, max=64, integer=True),
    w.number("groups", "groups", 1, min=1, max=8192, integer=True),
    w.toggle("bias", "bias", True),
    w.toggle("ceil_mode", "ceil_mode", False),
]

_STACK_CONTROLS = [
    w.number("C", "입력 채널 C", 3, min=1, max=4096, integer=True),
    w.number("H", "입력 높이 H", 224, min=1, max=4096, integer=True),
    w.number("W", "입력 너비 W", 224, min=1, max=4096, integer=True),
    w.records("layers", "층 (layers)", _STACK_PRESETS["vgg"][2], _RECORD_FIELDS,
              help="pool 줄에서는 출력 채널, groups, bias를 쓰지 않습니다 (채널 수는 그대로). "
                   "PyTorch의 MaxPool2d처럼 pool의 padding은 커널의 절반 이하여야 합니다."),
    *[w.button(f"preset-{key}", label) for key, (label, _, _) in _STACK_PRESETS.items()],
]


# --- conv-3x3-vs-7x7 ----------------------------------------------------------------------------

def _render_3x3_vs_7x7(C, size):
    three = summarize([C, size, size], [{"type": "conv", "out_channels": C, "kernel": 3,
                                         "padding": 1}] * 3)
    seven = summarize([C, size, size], [{"type": "conv", "out_channels": C, "kernel": 7,
                                         "padding": 3}])
    totals = {}
    for name, stack in (("3x3", three), ("7x7", seven)):
        totals[name] = {key: sum(r[key] for r in stack)
                        for key in ("weights", "params", "mult_adds", "activations")}
        totals[name]["receptive_field"] = stack[-1]["receptive_field"]
    a, b = totals["3x3"], totals["7x7"]

    tex = (f"\\begin{{aligned}} 3 \\cdot 3^2 C^2 &= 27C^2 = {_tex_n(a['weights'])} \\\\ "
           f"7^2 C^2 &= 49C^2 = {_tex_n(b['weights'])} \\end{{aligned}}")
    rows = [
        ["receptive field", f"{a['receptive_field']} × {a['receptive_field']}",
         f"{b['receptive_field']} × {b['receptive_field']}"],
        ["가중치 (weights)", _n(a["weights"]), _n(b["weights"])],
        ["파라미터 (+ bias)", _n(a["params"]), _n(b["params"])],
        ["곱셈-덧셈 (mult-adds)", _n(a["mult_adds"]), _n(b["mult_adds"])],
        ["역전파용 activation (출력 맵)", f"{_n(a['activations'])} (맵 {len(three)}개)",
         f"{_n(b['activations'])} (맵 {len(seven)}개)"],
    ]
    metrics = [("가중치", "weights"), ("곱셈-덧셈", "mult_adds"), ("activation", "activations")]
    bars = [(name, [t[key] / b[key] for _, key in metrics], colour)
            for name, t, colour in (("3×3 conv × 3", a, "#3b82f6"), ("7×7 conv × 1", b, "#f59e0b"))]
    figure = {
        "data": [{"type": "bar", "name": name, "x": [label for label, _ in metrics], "y": ratios,
                  "text": [f"{r:.2f}×" for r in ratios], "textposition": "outside",
                  "cliponaxis": False, "marker": {"color": colour},
                  "hovertemplate": "%{x}: 7×7의 %{y:.2f}배<extra>" + name + "</extra>"}
                 for name, ratios, colour in bars],
        "layout": _layout(barmode="group", height=320,
                          xaxis=_axis_style(),
                          yaxis=_axis_style(title={"text": "7×7 대비 (배)"}, rangemode="tozero",
                                            range=[0, 1.2 * max(max(r) for _, r, _ in bars)])),
    }
    ratio = a["weights"] / b["weights"]
    return [
        w.stats([("receptive field", f"{a['receptive_field']} vs {b['receptive_field']}"),
                 ("가중치 비율 (3×3×3 / 7×7)", f"27/49 ≈ {ratio:.2f}"),
                 ("activation 비율", f"{a['activations'] / b['activations']:.0f}배")]),
        w.math(tex),
        w.table(["항목", "3×3 conv × 3 (padding 1)", "7×7 conv × 1 (padding 3)"], rows,
                caption=f"C = {C}, 입력 {C} × {size} × {size}. 모두 summarize로 계산한 값입니다."),
        w.text(f"receptive field는 {a['receptive_field']}로 같고, 가중치와 곱셈-덧셈은 "
               f"{ratio:.0%}로 줄지만, 역전파를 위해 저장할 출력 맵은 {len(three)}배입니다.",
               tone="info"),
        w.plot("compare", figure),
    ]


WIDGETS = {
    "conv-layer": w.widget(
        "Convolution 출력 크기 계산기", _LAYER_CONTROLS, _render_layer,
        description="입력 크기, 커널, stride, padding을 바꾸면 출력 크기 공식에 숫자가 채워집니다. "
                    "공식이 정수가 아니면 strict는 오류를, floor(PyTorch)는 버려지는 행·열을 보여 줍니다.",
        primary=("H", "W", "kernel", "stride", "padding")),
    "conv-stack": w.widget(
        "CNN 층 쌓기: 모양, 파라미터, receptive field", _STACK_CONTROLS, _render_stack,
        on_event=_stack_event,
        description="층을 추가·삭제하거나 프리셋을 눌러 보세요. 출력 모양과 파라미터 수는 PyTorch가 "
                    "만드는 것과 같고, receptive field와 jump는 층을 지날 때마다 누적됩니다.",
        primary=("layers", "preset-alexnet", "preset-vgg", "preset-resnet")),
    "conv-3x3-vs-7x7": w.widget(
        "3×3 conv 3개 vs 7×7 conv 1개", [
            w.number("C", "채널 수 C", 64, min=1, max=4096, integer=True),
            w.number("size", "입력 크기 H = W", 56, min=1, max=1024, integer=True),
        ], _render_3x3_vs_7x7,
        description="VGGNet의 아이디어: 3×3 conv 세 개를 쌓으면 7×7 conv와 receptive field가 같습니다. "
                    "가중치, 곱셈-덧셈, 역전파용 메모리를 비교해 보세요.",
        primary=("C", "size")),
}
