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

The widgets "conv-layer", "conv-stack" and "conv-3x3-vs-7x7" are ``demos.widgets.conv``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from demos import checks

__all__ = ["MODES", "conv_output_size", "window_taps", "summarize", "window_span",
           "formula_text", "format_fraction", "axis_summary"]

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
# Checks and formulas of one axis (the generic checks are demos.checks).
# ---------------------------------------------------------------------------------------------

def _check_pool_padding(kernel: int, padding: int) -> None:
    """PyTorch pooling pads with -inf and refuses ``padding > kernel // 2``."""
    if padding > kernel // 2:
        raise ValueError(
            f"pooling의 패딩(padding)은 커널 크기의 절반 이하여야 합니다 (PyTorch 규칙: "
            f"padding ≤ kernel // 2 = {kernel // 2}, 입력값: padding={padding}, kernel={kernel}).")


def format_fraction(q: Fraction) -> str:
    """54.25 exactly when it has at most 4 decimals, else 2.333… (never a misleading round value)."""
    for digits in range(5):
        if (q * 10 ** digits).denominator == 1:
            return f"{float(q):.{digits}f}"
    return f"{float(q):.3f}…"


def window_span(kernel: int, dilation: int) -> int:
    """Cells one window covers along an axis, holes of a dilated kernel included."""
    return dilation * (kernel - 1) + 1


def formula_text(size: int, kernel: int, stride: int, padding: int, dilation: int) -> str:
    """'(224 + 2·0 − 11)/4 + 1 = 54.25' (plain text, for messages)."""
    span = window_span(kernel, dilation)
    value = Fraction(size + 2 * padding - span, stride) + 1
    return f"({size} + 2·{padding} − {span})/{stride} + 1 = {format_fraction(value)}"


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
    size = checks.integer(size, _LABELS["size"], low=1, floats=False)
    kernel = checks.integer(kernel, _LABELS["kernel"], low=1, floats=False)
    stride = checks.integer(stride, _LABELS["stride"], low=1, floats=False)
    padding = checks.integer(padding, _LABELS["padding"], low=0, floats=False)
    dilation = checks.integer(dilation, _LABELS["dilation"], low=1, floats=False)
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"mode는 'strict', 'floor', 'ceil' 중 하나여야 합니다 (입력값: {mode!r}).")
    if mode == "ceil":
        _check_pool_padding(kernel, padding)

    span = window_span(kernel, dilation)
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
            f"CS231n 공식의 출력 크기가 정수가 아닙니다: {formula_text(size, kernel, stride, padding, dilation)}"
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


def axis_summary(size: int, kernel: int, stride: int, padding: int, dilation: int,
                 ceil_mode: bool) -> dict:
    """Output size along one axis (PyTorch rule) plus the input cells the last window leaves out."""
    out = conv_output_size(size, kernel, stride, padding, dilation, "ceil" if ceil_mode else "floor")
    last_cell = (out - 1) * stride - padding + window_span(kernel, dilation) - 1  # input coordinate
    slack = size + 2 * padding - window_span(kernel, dilation)
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
    c, h, w_ = (checks.integer(v, f"입력 모양의 {name}", low=1, floats=False)
                for v, name in zip(values, names))
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
            opts[key] = checks.integer(opts[key], prefix + _LABELS[key], low=minimum,
                                       floats=False)
    if kind == "pool" and opts["stride"] is None:
        opts["stride"] = opts["kernel"]  # nn.MaxPool2d: stride defaults to kernel_size
    opts["stride"] = checks.integer(opts["stride"], prefix + _LABELS["stride"], low=1, floats=False)
    for key in ("bias", "ceil_mode"):
        if key in opts:
            opts[key] = checks.boolean(opts[key], prefix + key)
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
                axes.append(axis_summary(size, k, s, p, d, opts.get("ceil_mode", False)))
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
