"""Widgets "conv-layer", "conv-stack" and "conv-3x3-vs-7x7" (Lectures 5-6): convolution arithmetic.

One layer's output-size formula filled in with the windows it slides, a stack of conv and max-pool
layers as PyTorch builds them, and three 3×3 convs against one 7×7. Built in three layers:

* ``layer_view_model``, ``stack_view_model``, ``compare_view_model``: every number shown, from
  ``demos.conv`` alone (pure, no figures);
* ``_windows_figure``, ``_compare_figure`` and the formula, table and note builders;
* ``TEXT``: every Korean sentence and label the widgets show.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from demos import plotting
from demos.conv import (axis_summary, conv_output_size, format_fraction, formula_text, summarize,
                        window_span)
from demos.widget import (button, legend, math as math_output, number, plot, records, select,
                          stats, table, text, toggle, widget)

__all__ = ["WIDGETS", "layer_view_model", "stack_view_model", "compare_view_model"]

TEXT = {
    # conv-layer
    "layer_title": "Convolution 출력 크기 계산기",
    "layer_description": "입력 크기, 커널, stride, padding을 바꾸면 출력 크기 공식에 숫자가 채워집니다. "
                         "공식이 정수가 아니면 strict는 오류를, floor(PyTorch)는 버려지는 행·열을 보여 줍니다.",
    "height": "높이 H", "width": "너비 W", "both_axes": "H, W",
    "axis_error": "{axis} 방향: {error}",
    "out_shape": "출력 (F × H_out × W_out)",
    "params": "파라미터 (weights + biases)",
    "mult_adds": "곱셈-덧셈 (mult-adds)",
    "receptive_field": "receptive field",
    "floor_drops": "{axis}: {formula} → floor 규칙은 {out}(으)로 내리고, 입력의 마지막 "
                   "{dropped}칸({cells})은 어떤 필터도 보지 않고 버려집니다.",
    "dropped_cell": "{first}번", "dropped_cells": "{first}~{last}번",
    "floor_pads": "{axis}: {formula} → floor 규칙은 {out}(으)로 내립니다. 남는 칸은 끝의 "
                  "패딩(0)뿐이라 실제 입력의 끝은 잘리지 않습니다.",
    "gaps": "stride와 dilation 때문에 창과 창 사이(또는 커널 탭 사이)에 어떤 창도 "
            "읽지 않는 입력이 있습니다 ({counts}, 그림의 빨간 칸).",
    "gap_count": "{axis} 방향 {count}칸",
    "exact": "H, W 모두 공식이 정수로 떨어집니다: 마지막 창이 패딩된 입력의 끝에 딱 맞습니다.",
    "panel": "{axis} 축", "cropped": " · 끝부분만 표시",
    "input_row": "입력", "output_row": "출력 {index}",
    "cell_hover": "위치 %{x}<br>%{y}<extra></extra>",
    "cell_kinds": ["커널 탭 (입력)", "커널 탭 (패딩)", "입력", "패딩 0", "쓰이지 않는 입력"],
    # conv-stack
    "stack_title": "CNN 층 쌓기: 모양, 파라미터, receptive field",
    "stack_description": "층을 추가·삭제하거나 프리셋을 눌러 보세요. 출력 모양과 파라미터 수는 PyTorch가 "
                         "만드는 것과 같고, receptive field와 jump는 층을 지날 때마다 누적됩니다.",
    "no_layers": "층을 하나 이상 추가하세요.",
    "no_preset": "'{name}'이라는 프리셋이 없습니다.",
    "no_bias": "bias 없음", "input": "입력",
    "conv_layer": "conv {k}×{k}, {channels} ({extras})",
    "pool_layer": "max pool {k}×{k} ({extras})",
    "dropped_rows_cols": "{rows}행, {cols}열",
    "final_shape": "최종 출력 (C × H × W)", "total_params": "총 파라미터",
    "total_mult_adds": "총 곱셈-덧셈", "final_receptive_field": "최종 receptive field",
    "stack_columns": ["층", "출력 C × H × W", "파라미터", "곱셈-덧셈", "receptive field", "jump",
                      "버려지는 입력"],
    "stack_caption": "receptive field와 jump(누적 stride)는 원래 입력의 픽셀 단위입니다.",
    "layer_drops": "{index}번째 층: floor 규칙 때문에 입력의 마지막 {rows}행, {cols}열을 어떤 창도 "
                   "보지 않습니다.",
    "alexnet_227": "AlexNet 논문은 입력을 224×224라고 적었지만 {paper}라서 정수가 아닙니다. "
                   "227이어야 (227 − 11)/4 + 1 = 55가 됩니다. 입력 H, W를 224로 바꿔 보세요.",
    "alexnet_224": "입력 224에서는 {paper}: PyTorch(floor)는 54로 내리고 마지막 1행·1열을 버립니다. "
                   "논문의 55×55는 227 입력에서 나옵니다 (torchvision의 AlexNet은 padding 2를 넣어 "
                   "⌊55.25⌋ = 55를 얻습니다).",
    "groups": "groups = g이면 필터 하나가 입력 채널의 1/g만 봐서 가중치가 g배 줄어듭니다 "
              "(AlexNet은 GPU 2개에 나눠 담느라 groups = 2를 썼습니다).",
    "nothing_dropped": "모든 층에서 버려지는 행·열이 없습니다.",
    # conv-3x3-vs-7x7
    "compare_title": "3×3 conv 3개 vs 7×7 conv 1개",
    "compare_description": "VGGNet의 아이디어: 3×3 conv 세 개를 쌓으면 7×7 conv와 receptive field가 "
                           "같습니다. 가중치, 곱셈-덧셈, 역전파용 메모리를 비교해 보세요.",
    "three": "3×3 conv × 3", "seven": "7×7 conv × 1",
    "compare_columns": ["항목", "3×3 conv × 3 (padding 1)", "7×7 conv × 1 (padding 3)"],
    "weights_row": "가중치 (weights)", "params_row": "파라미터 (+ bias)",
    "activations_row": "역전파용 activation (출력 맵)",
    "maps": "{count} (맵 {maps}개)",
    "compare_caption": "C = {C}, 입력 {C} × {size} × {size}. 모두 summarize로 계산한 값입니다.",
    "weight_ratio": "가중치 비율 (3×3×3 / 7×7)", "activation_ratio": "activation 비율",
    "times": "{ratio:.0f}배",
    "compare_note": "receptive field는 {rf}로 같고, 가중치와 곱셈-덧셈은 {ratio:.0%}로 줄지만, "
                    "역전파를 위해 저장할 출력 맵은 {maps}배입니다.",
    "metrics": ["가중치", "곱셈-덧셈", "activation"],
    "ratio_axis": "7×7 대비 (배)",
    "bar_hover": "%{{x}}: 7×7의 %{{y:.2f}}배<extra>{name}</extra>",
}

# Cell kinds of the window picture (the heatmap's z codes), with colours that read on light and
# dark backgrounds.
_CELL_KINDS = list(zip(range(1, 6), TEXT["cell_kinds"],
                       ["#3b82f6", "#93c5fd", "#9ca3af", "#d1d5db", "#ef4444"]))
_MAX_WINDOWS = 16   # rows of the picture: the last windows, where floor drops cells
_MAX_CELLS = 120    # columns of the picture: the end of the padded axis
_COMPARED = ("weights", "mult_adds", "activations")  # the bars of conv-3x3-vs-7x7


def _n(value: int) -> str:
    """12,345 (thousands separators for readability)."""
    return f"{value:,}"


def _tex_n(value: int) -> str:
    return f"{value:,}".replace(",", "{,}")


# ---------------------------------------------------------------------------------------------
# conv-layer: the view model.
# ---------------------------------------------------------------------------------------------

def _read_cells(size: int, kernel: int, stride: int, padding: int, dilation: int,
                out: int) -> np.ndarray:
    """Boolean mask over the padded axis (size + 2P,): cells some tap of the ``out`` floor windows
    reads. Taps form a grid ``o * S + j * D``; marking it by strided slices over the shorter of the two
    directions costs min(out, K) slice assignments instead of an (out, K) index array.
    """
    read = np.zeros(size + 2 * padding, dtype=bool)
    if kernel <= out:
        for j in range(kernel):
            read[j * dilation:j * dilation + (out - 1) * stride + 1:stride] = True
    else:
        for o in range(out):
            read[o * stride:o * stride + (kernel - 1) * dilation + 1:dilation] = True
    return read


def _axis_view(name: str, size: int, kernel: int, stride: int, padding: int,
               dilation: int) -> dict:
    """One axis under the floor rule: the formula's exact value (a Fraction), the output size,
    the input cells past the last window (``dropped``) and those between windows or taps that no
    tap reads (``skipped``), and the read mask of ``_read_cells``."""
    span = window_span(kernel, dilation)
    info = axis_summary(size, kernel, stride, padding, dilation, False)
    out = info["out"]
    read = _read_cells(size, kernel, stride, padding, dilation, out)
    last = min(size - 1, (out - 1) * stride - padding + span - 1)  # last input cell a window covers
    return {"name": name, "size": size, "value": Fraction(size + 2 * padding - span, stride) + 1,
            "out": out, "exact": info["exact"], "dropped": info["dropped"],
            "formula": formula_text(size, kernel, stride, padding, dilation),
            "skipped": int(np.count_nonzero(~read[padding:padding + size][:last + 1])),
            "read": read}


def layer_view_model(H: int, W: int, C_in: int, kernel: int, stride: int, padding: int,
                     dilation: int, filters: int, mode: str) -> dict:
    """One conv layer of ``filters`` filters on a C_in × H × W input -> the layer dict, its
    ``summarize`` row (out_shape, weights, biases, params, mult_adds, receptive_field), the window
    span and one ``_axis_view`` per axis shown (one for both when H == W). In ``"strict"`` mode a
    formula that is not an integer raises ValueError naming the axis."""
    if mode == "strict":
        for axis, size in ((TEXT["height"], H), (TEXT["width"], W)):
            try:
                conv_output_size(size, kernel, stride, padding, dilation, "strict")
            except ValueError as error:
                raise ValueError(TEXT["axis_error"].format(axis=axis, error=error)) from None
    layer = {"type": "conv", "out_channels": filters, "kernel": kernel, "stride": stride,
             "padding": padding, "dilation": dilation}
    row = summarize([C_in, H, W], [layer])[0]
    shown = [(TEXT["both_axes"], H)] if H == W else [(TEXT["height"], H), (TEXT["width"], W)]
    return {"layer": layer, "row": row, "span": window_span(kernel, dilation),
            "axes": [_axis_view(name, size, kernel, stride, padding, dilation)
                     for name, size in shown]}


# ---------------------------------------------------------------------------------------------
# conv-layer: formulas, notes and the window picture.
# ---------------------------------------------------------------------------------------------

def _aligned(lines: list[str]) -> str:
    """Left-aligned multi-line TeX (every line starts at the same place)."""
    return "\\begin{aligned} " + " \\\\ ".join("&" + line for line in lines) + " \\end{aligned}"


def _size_tex(label: str, axis: dict, vm: dict, mode: str) -> list[str]:
    """TeX lines for one axis, left-aligned to stay narrow on phones:
    H_{out} = \\frac{224 + 2\\cdot 0 - 11}{4} + 1, then = 54.25 (and its floor)."""
    layer, value = vm["layer"], axis["value"]
    result = f"\\quad = {format_fraction(value)}"
    if value.denominator != 1 and mode == "floor":
        result += f" \\;\\Rightarrow\\; \\lfloor {format_fraction(value)} \\rfloor = {axis['out']}"
    return [f"{label} = \\frac{{{axis['size']} + 2\\cdot {layer['padding']} - {vm['span']}}}"
            f"{{{layer['stride']}}} + 1", result]


def _layer_formulas(vm: dict, mode: str) -> tuple[str, str]:
    """TeX of the output sizes and of the parameter and multiply-add counts."""
    layer, row, axes = vm["layer"], vm["row"], vm["axes"]
    kernel, dilation, filters = layer["kernel"], layer["dilation"], layer["out_channels"]
    lines = [] if dilation == 1 else [
        "K_{eff} = D(K-1)+1", f"\\quad = {dilation}\\cdot({kernel}-1)+1 = {vm['span']}"]
    if len(axes) == 1:
        lines.append("H_{out} = W_{out}")
        lines += _size_tex("\\quad", axes[0], vm, mode)
    else:
        for label, axis in zip(("H_{out}", "W_{out}"), axes):
            lines += _size_tex(label, axis, vm, mode)
    c_in, (_, out_h, out_w) = row["in_shape"][0], row["out_shape"]
    counts = _aligned([
        "\\text{params} = F C_{in} K^2 + F",
        f"\\quad = {filters} \\cdot {c_in} \\cdot {kernel}^2 + {filters}",
        f"\\quad = {_tex_n(row['params'])}",
        "\\text{mult-adds} = F H_{out} W_{out} C_{in} K^2",
        f"\\quad = {filters} \\cdot {out_h} \\cdot {out_w} \\cdot {c_in} \\cdot {kernel}^2",
        f"\\quad = {_tex_n(row['mult_adds'])}"])
    return _aligned(lines), counts


def _axis_message(axis: dict) -> str | None:
    """Korean sentence about what floor does on this axis, or None when the formula is exact."""
    if axis["exact"]:
        return None
    size, dropped = axis["size"], axis["dropped"]
    if dropped:
        first = size - dropped
        cells = (TEXT["dropped_cell"].format(first=first) if dropped == 1
                 else TEXT["dropped_cells"].format(first=first, last=size - 1))
        return TEXT["floor_drops"].format(axis=axis["name"], formula=axis["formula"],
                                          out=axis["out"], dropped=dropped, cells=cells)
    return TEXT["floor_pads"].format(axis=axis["name"], formula=axis["formula"], out=axis["out"])


def _layer_note(vm: dict) -> dict:
    """What floor drops and which cells no window reads (warn), or that every formula is exact."""
    axes = vm["axes"]
    messages = [m for axis in axes if (m := _axis_message(axis))]
    if any(axis["skipped"] for axis in axes):
        counts = ", ".join(TEXT["gap_count"].format(axis=axis["name"], count=axis["skipped"])
                           for axis in axes)
        messages.append(TEXT["gaps"].format(counts=counts))
    if messages:
        return text(" ".join(messages), tone="warn")
    return text(TEXT["exact"], tone="ok")


def _axis_picture(axis: dict, layer: dict) -> tuple[list[str], list[int], np.ndarray, bool]:
    """Window-by-position grid of one axis, cropped to its end for large sizes.

    Returns (row labels, x positions, z of shape (rows, cols) with codes of _CELL_KINDS or NaN,
    cropped?). Row 0 is the input itself, row 1 + i the i-th shown output window.
    """
    size, out = axis["size"], axis["out"]
    kernel, stride, padding, dilation = (layer[k] for k in ("kernel", "stride", "padding",
                                                            "dilation"))
    first = max(0, out - _MAX_WINDOWS)
    taps = (np.arange(first, out) * stride - padding)[:, None] + dilation * np.arange(kernel)
    x_hi = size + padding - 1
    x_lo = max(-padding, int(taps[0, 0]), x_hi - _MAX_CELLS + 1)
    xs = np.arange(x_lo, x_hi + 1)
    is_input = (xs >= 0) & (xs < size)
    seen = axis["read"][xs + padding]  # by any window

    z = np.full((out - first + 1, len(xs)), np.nan)
    z[0] = np.where(is_input, np.where(seen, 3, 5), 4)
    cols = taps - x_lo                                           # (shown windows, K)
    r, c = np.nonzero((cols >= 0) & (cols < len(xs)))
    z[1 + r, cols[r, c]] = np.where(is_input[cols[r, c]], 1, 2)
    labels = [TEXT["input_row"]] + [TEXT["output_row"].format(index=o) for o in range(first, out)]
    return labels, xs.tolist(), z, bool(first > 0 or x_lo > -padding)


def _windows_figure(vm: dict) -> dict:
    """One heatmap panel per axis shown, stacked vertically; sized in pixels so rows stay legible."""
    scale = []  # discrete: code k fills [(k-1)/n, k/n] with zmin=0.5, zmax=n+0.5
    for i, (_, _, colour) in enumerate(_CELL_KINDS):
        scale += [[i / len(_CELL_KINDS), colour], [(i + 1) / len(_CELL_KINDS), colour]]
    row_px, gap_px, top_px, bottom_px = 17, 56, 24, 40  # gap: x ticks + the next panel's title
    axes_shown = vm["axes"]
    pictures = [_axis_picture(axis, vm["layer"]) for axis in axes_shown]
    plot_px = sum(row_px * len(p[0]) for p in pictures) + gap_px * (len(axes_shown) - 1)

    data, axes, annotations = [], {}, []
    top = plot_px
    for i, (axis, (labels, xs, z, cropped)) in enumerate(zip(axes_shown, pictures)):
        suffix = "" if i == 0 else str(i + 1)
        bottom = top - row_px * len(labels)
        data.append({"type": "heatmap", "x": xs, "y": labels, "z": z, "zmin": 0.5,
                     "zmax": len(_CELL_KINDS) + 0.5, "colorscale": scale, "showscale": False,
                     "xgap": 1, "ygap": 1, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
                     "hovertemplate": TEXT["cell_hover"]})
        axes[f"xaxis{suffix}"] = plotting.axis_style(anchor=f"y{suffix}", showgrid=False,
                                                     zeroline=False)
        axes[f"yaxis{suffix}"] = plotting.axis_style(anchor=f"x{suffix}",
                                                     domain=[bottom / plot_px, top / plot_px],
                                                     autorange="reversed", type="category",
                                                     showgrid=False)
        note = TEXT["cropped"] if cropped else ""
        annotations.append({"text": TEXT["panel"].format(axis=axis["name"]) + note,
                            "showarrow": False, "xref": "paper", "yref": "paper", "x": 0,
                            "y": top / plot_px, "yanchor": "bottom", "xanchor": "left"})
        top = bottom - gap_px
    return {"data": data, "layout": plotting.layout(height=plot_px + top_px + bottom_px,
                                                    annotations=annotations, showlegend=False,
                                                    margin={"l": 64, "r": 12, "t": top_px,
                                                            "b": bottom_px},
                                                    **axes)}


def _windows_legend() -> dict:
    """What the cell colours of the window picture mean (heatmaps have no legend entries)."""
    return legend([(label, colour, "square") for _, label, colour in _CELL_KINDS])


def _render_layer(H, W, C_in, kernel, stride, padding, dilation, filters, mode):
    vm = layer_view_model(H, W, C_in, kernel, stride, padding, dilation, filters, mode)
    row = vm["row"]
    _, out_h, out_w = row["out_shape"]
    sizes, counts = _layer_formulas(vm, mode)
    field = row["receptive_field"]
    return [
        stats([(TEXT["out_shape"], f"{filters} × {out_h} × {out_w}"),
               (TEXT["params"], f"{_n(row['weights'])} + {_n(row['biases'])} = {_n(row['params'])}"),
               (TEXT["mult_adds"], _n(row["mult_adds"])),
               (TEXT["receptive_field"], f"{field} × {field}")]),
        math_output(sizes),
        math_output(counts),
        _layer_note(vm),
        plot("windows", _windows_figure(vm)),
        _windows_legend(),
    ]


_LAYER_CONTROLS = [
    number("H", "입력 높이 H", 32, min=1, max=4096, integer=True),
    number("W", "입력 너비 W", 32, min=1, max=4096, integer=True),
    number("C_in", "입력 채널 C_in", 3, min=1, max=4096, integer=True),
    number("kernel", "커널 크기 K (filter size)", 5, min=1, max=1024, integer=True),
    number("stride", "스트라이드 S (stride)", 1, min=1, max=1024, integer=True),
    number("padding", "패딩 P (padding)", 2, min=0, max=1024, integer=True),
    number("dilation", "dilation D (확장 간격)", 1, min=1, max=64, integer=True),
    number("filters", "필터 개수 F (out channels)", 10, min=1, max=4096, integer=True),
    select("mode", "정수가 아닐 때 (mode)", "strict",
           [("strict", "strict: CS231n 공식 (나누어떨어져야 함)"),
            ("floor", "floor: PyTorch Conv2d (내림)")],
           help="floor를 고르면 PyTorch처럼 내림하고, 버려지는 행·열을 그림에 빨갛게 표시합니다."),
]


# ---------------------------------------------------------------------------------------------
# conv-stack: rows of the records control, presets, the view model.
# ---------------------------------------------------------------------------------------------

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


def _alexnet_case(H: int, W: int, layers: list[dict]) -> str | None:
    """Which AlexNet note applies when the first layer is AlexNet's conv1 (11×11, stride 4, pad 0):
    "227" (the input that works), "224" (the paper's input), or None."""
    conv1 = {"type": "conv", "kernel": 11, "stride": 4, "padding": 0, "dilation": 1}
    if not layers or any(layers[0][key] != value for key, value in conv1.items()):
        return None
    if H == W == 227:
        return "227"
    if H == 224 or W == 224:
        return "224"
    return None


def stack_view_model(C: int, H: int, W: int, layers: list[dict]) -> dict:
    """Records rows (parsed, every field present) on a C × H × W input -> ``summarize``'s rows,
    the total params and multiply-adds, (1-based index, [rows, cols]) of each layer that drops
    real input, which AlexNet note applies (``_alexnet_case``) and whether a conv uses groups."""
    summary = summarize([C, H, W], [_layer_from_record(row) for row in layers])
    return {"input_shape": [C, H, W], "summary": summary,
            "params": sum(r["params"] for r in summary),
            "mult_adds": sum(r["mult_adds"] for r in summary),
            "dropping": [(i, r["dropped"]) for i, r in enumerate(summary, start=1)
                         if any(r["dropped"])],
            "alexnet": _alexnet_case(H, W, layers),
            "grouped": any(row["type"] == "conv" and row["groups"] != 1 for row in layers)}


# ---------------------------------------------------------------------------------------------
# conv-stack: the table and notes.
# ---------------------------------------------------------------------------------------------

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
            extras.append(TEXT["no_bias"])
        return TEXT["conv_layer"].format(k=k, channels=row["out_channels"],
                                         extras=", ".join(extras))
    if row["ceil_mode"]:
        extras.append("ceil")
    return TEXT["pool_layer"].format(k=k, extras=", ".join(extras))


def _shape_text(shape: list[int]) -> str:
    return " × ".join(map(str, shape))


def _stack_table(vm: dict, layers: list[dict]) -> dict:
    """One row per layer after the input: output shape, params, multiply-adds, receptive field,
    jump and dropped input; layers that drop input highlighted."""
    rows = [[TEXT["input"], _shape_text(vm["input_shape"]), "–", "–", 1, 1, "–"]]
    for i, (row, info) in enumerate(zip(layers, vm["summary"]), start=1):
        dropped = info["dropped"]
        rows.append([f"{i}. {_layer_label(row)}", _shape_text(info["out_shape"]),
                     _n(info["params"]) if row["type"] == "conv" else "0",
                     _n(info["mult_adds"]) if row["type"] == "conv" else "–",
                     info["receptive_field"], info["jump"],
                     TEXT["dropped_rows_cols"].format(rows=dropped[0], cols=dropped[1])
                     if any(dropped) else "–"])
    return table(TEXT["stack_columns"], rows, caption=TEXT["stack_caption"],
                 highlight=[i for i, _ in vm["dropping"]])


def _stack_notes(vm: dict) -> dict:
    """The AlexNet story, the layers that drop input and what groups do (warn), or all clear."""
    notes = [TEXT["layer_drops"].format(index=i, rows=rows, cols=cols)
             for i, (rows, cols) in vm["dropping"]]
    if vm["alexnet"]:
        notes.insert(0, TEXT["alexnet_" + vm["alexnet"]].format(
            paper=formula_text(224, 11, 4, 0, 1)))
    if vm["grouped"]:
        notes.append(TEXT["groups"])
    return (text(" ".join(notes), tone="warn") if notes else
            text(TEXT["nothing_dropped"], tone="ok"))


def _render_stack(C, H, W, layers):
    if not layers:
        return [text(TEXT["no_layers"], tone="info")]
    vm = stack_view_model(C, H, W, layers)
    last = vm["summary"][-1]
    field = last["receptive_field"]
    return [
        stats([(TEXT["final_shape"], _shape_text(last["out_shape"])),
               (TEXT["total_params"], _n(vm["params"])),
               (TEXT["total_mult_adds"], _n(vm["mult_adds"])),
               (TEXT["final_receptive_field"], f"{field} × {field}")]),
        _stack_table(vm, layers),
        _stack_notes(vm),
    ]


def _stack_event(values: dict, event: dict) -> dict:
    name = event.get("name") if event.get("type") == "action" else None
    if not isinstance(name, str) or not name.startswith("preset-"):
        return {}
    preset = _STACK_PRESETS.get(name.removeprefix("preset-"))
    if preset is None:
        raise ValueError(TEXT["no_preset"].format(name=name))
    _, (c, h, w), rows = preset
    return {"C": str(c), "H": str(h), "W": str(w), "layers": [_raw_row(r) for r in rows]}


_RECORD_FIELDS = [
    select("type", "종류", "conv", [("conv", "conv (합성곱)"), ("pool", "max pool")]),
    number("out_channels", "출력 채널", 64, min=1, max=8192, integer=True),
    number("kernel", "커널", 3, min=1, max=1024, integer=True),
    number("stride", "stride", 1, min=1, max=1024, integer=True),
    number("padding", "padding", 1, min=0, max=1024, integer=True),
    number("dilation", "dilation", 1, min=1, max=64, integer=True),
    number("groups", "groups", 1, min=1, max=8192, integer=True),
    toggle("bias", "bias", True),
    toggle("ceil_mode", "ceil_mode", False),
]

_STACK_CONTROLS = [
    number("C", "입력 채널 C", 3, min=1, max=4096, integer=True),
    number("H", "입력 높이 H", 224, min=1, max=4096, integer=True),
    number("W", "입력 너비 W", 224, min=1, max=4096, integer=True),
    records("layers", "층 (layers)", _STACK_PRESETS["vgg"][2], _RECORD_FIELDS,
            help="pool 줄에서는 출력 채널, groups, bias를 쓰지 않습니다 (채널 수는 그대로). "
                 "PyTorch의 MaxPool2d처럼 pool의 padding은 커널의 절반 이하여야 합니다."),
    *[button(f"preset-{key}", label) for key, (label, _, _) in _STACK_PRESETS.items()],
]


# ---------------------------------------------------------------------------------------------
# conv-3x3-vs-7x7.
# ---------------------------------------------------------------------------------------------

def _totals(stack: list[dict]) -> dict:
    """Sums over a stack's ``summarize`` rows, its final receptive field and its number of maps."""
    totals = {key: sum(r[key] for r in stack)
              for key in ("weights", "params", "mult_adds", "activations")}
    return {**totals, "receptive_field": stack[-1]["receptive_field"], "maps": len(stack)}


def compare_view_model(C: int, size: int) -> dict:
    """C channels on a size × size input -> ``_totals`` of three 3×3 convs (padding 1) and of one
    7×7 conv (padding 3), each stack's ratios to the 7×7 for the metrics of ``_COMPARED``, and the
    weight and activation ratios of 3×3 to 7×7."""
    def same_size_conv(kernel: int) -> dict:
        return {"type": "conv", "out_channels": C, "kernel": kernel, "padding": kernel // 2}
    three = _totals(summarize([C, size, size], [same_size_conv(3)] * 3))
    seven = _totals(summarize([C, size, size], [same_size_conv(7)]))
    return {"three": three, "seven": seven,
            "ratios": {name: [t[key] / seven[key] for key in _COMPARED]
                       for name, t in (("three", three), ("seven", seven))},
            "weight_ratio": three["weights"] / seven["weights"],
            "activation_ratio": three["activations"] / seven["activations"]}


def _compare_figure(vm: dict) -> dict:
    """Grouped bars: each stack's weights, multiply-adds and activations relative to the 7×7."""
    bars = [(TEXT["three"], vm["ratios"]["three"], "#3b82f6"),
            (TEXT["seven"], vm["ratios"]["seven"], "#f59e0b")]
    return {
        "data": [{"type": "bar", "name": name, "x": list(TEXT["metrics"]), "y": ratios,
                  "text": [f"{r:.2f}×" for r in ratios], "textposition": "outside",
                  "cliponaxis": False, "marker": {"color": colour},
                  "hovertemplate": TEXT["bar_hover"].format(name=name)}
                 for name, ratios, colour in bars],
        "layout": plotting.layout(
            barmode="group", height=320, xaxis=plotting.axis_style(),
            yaxis=plotting.axis_style(title={"text": TEXT["ratio_axis"]}, rangemode="tozero",
                                      range=[0, 1.2 * max(max(r) for _, r, _ in bars)])),
    }


def _render_3x3_vs_7x7(C, size):
    vm = compare_view_model(C, size)
    a, b = vm["three"], vm["seven"]
    tex = (f"\\begin{{aligned}} 3 \\cdot 3^2 C^2 &= 27C^2 = {_tex_n(a['weights'])} \\\\ "
           f"7^2 C^2 &= 49C^2 = {_tex_n(b['weights'])} \\end{{aligned}}")
    rows = [
        [TEXT["receptive_field"], f"{a['receptive_field']} × {a['receptive_field']}",
         f"{b['receptive_field']} × {b['receptive_field']}"],
        [TEXT["weights_row"], _n(a["weights"]), _n(b["weights"])],
        [TEXT["params_row"], _n(a["params"]), _n(b["params"])],
        [TEXT["mult_adds"], _n(a["mult_adds"]), _n(b["mult_adds"])],
        [TEXT["activations_row"], *[TEXT["maps"].format(count=_n(t["activations"]), maps=t["maps"])
                                    for t in (a, b)]],
    ]
    return [
        stats([(TEXT["receptive_field"], f"{a['receptive_field']} vs {b['receptive_field']}"),
               (TEXT["weight_ratio"], f"27/49 ≈ {vm['weight_ratio']:.2f}"),
               (TEXT["activation_ratio"], TEXT["times"].format(ratio=vm["activation_ratio"]))]),
        math_output(tex),
        table(TEXT["compare_columns"], rows,
              caption=TEXT["compare_caption"].format(C=C, size=size)),
        text(TEXT["compare_note"].format(rf=a["receptive_field"], ratio=vm["weight_ratio"],
                                         maps=a["maps"]), tone="info"),
        plot("compare", _compare_figure(vm)),
    ]


WIDGETS = {
    "conv-layer": widget(TEXT["layer_title"], _LAYER_CONTROLS, _render_layer,
                         description=TEXT["layer_description"]),
    "conv-stack": widget(TEXT["stack_title"], _STACK_CONTROLS, _render_stack,
                         on_event=_stack_event, description=TEXT["stack_description"]),
    "conv-3x3-vs-7x7": widget(
        TEXT["compare_title"], [
            number("C", "채널 수 C", 64, min=1, max=4096, integer=True),
            number("size", "입력 크기 H = W", 56, min=1, max=1024, integer=True),
        ], _render_3x3_vs_7x7, description=TEXT["compare_description"]),
}
