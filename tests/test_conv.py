"""demos.conv: output sizes, parameter counts and receptive fields against independent references.

References used here, none of which calls the code under test:
* hand-checked numbers from the CS231n slides and well-known networks (AlexNet, VGG-16, ResNet);
* the formulas printed in the PyTorch docs for ``nn.Conv2d`` / ``nn.MaxPool2d``, written out again
  with float arithmetic and ``math.floor`` / ``math.ceil``;
* brute force: enumerate the start positions of a sliding window on an explicit padded 1-D array,
  and compose "which input cells feed this output cell" sets through a stack of layers.
The numbers were also checked once against real torch 2.13.0 (see the report of issue #3).
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from demos import widget
from demos.conv import conv_output_size, summarize, window_taps
from demos.widgets import conv as conv_widgets

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def assert_korean_error(excinfo) -> str:
    message = str(excinfo.value)
    assert HANGUL.search(message), message
    return message


# ---------------------------------------------------------------------------------------------
# Independent references.
# ---------------------------------------------------------------------------------------------

def torch_doc_size(size, kernel, stride, padding, dilation, ceil=False):
    """The formula in the PyTorch docs, floor((H + 2p - d(k-1) - 1)/s + 1) (ceil for ceil_mode),
    plus the MaxPool2d note: a window that would start in the right padding is ignored.
    Returns None where PyTorch refuses to build the output (size < 1, pool padding > k/2)."""
    if ceil and padding > kernel / 2:
        return None
    value = (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    out = math.ceil(value) if ceil else math.floor(value)
    if ceil and (out - 1) * stride >= size + padding:
        out -= 1
    return out if out >= 1 else None


def brute_force_starts(size, kernel, stride, padding, dilation, ceil=False):
    """Slide a window over an explicit padded array and count where it may start."""
    cells = ["pad"] * padding + ["x"] * size + ["pad"] * padding
    span = dilation * (kernel - 1) + 1
    count = 0
    for start in range(0, len(cells), stride):
        fits = start + span <= len(cells)
        # ceil_mode lets the last window hang over the end by less than one stride, but it must
        # start on the left padding or on the input
        hangs = ceil and start + span <= len(cells) + stride - 1 and start < padding + size
        count += fits or hangs
    return count


def brute_force_receptive_fields(layers):
    """[(receptive field, jump)] per layer, by composing input-pixel sets on an unbounded line."""
    def pixels(depth, cell):
        """Input pixels that feed ``cell`` of the map after ``depth`` layers."""
        if depth == 0:
            return {cell}
        layer = layers[depth - 1]
        k = layer["kernel"]
        s = layer.get("stride", k if layer["type"] == "pool" else 1)
        p, d = layer.get("padding", 0), layer.get("dilation", 1)
        return set().union(*(pixels(depth - 1, cell * s - p + d * j) for j in range(k)))

    out = []
    for depth in range(1, len(layers) + 1):
        first, second = pixels(depth, 0), pixels(depth, 1)
        out.append((max(first) - min(first) + 1, min(second) - min(first)))
    return out


# ---------------------------------------------------------------------------------------------
# Hand-checked cases.
# ---------------------------------------------------------------------------------------------

def test_cs231n_slide_7x7_input_3x3_filter():
    assert conv_output_size(7, 3, stride=1) == 5
    assert conv_output_size(7, 3, stride=2) == 3
    with pytest.raises(ValueError) as excinfo:
        conv_output_size(7, 3, stride=3)
    message = assert_korean_error(excinfo)
    assert "(7 + 2·0 − 3)/3 + 1 = 2.333" in message
    assert conv_output_size(7, 3, stride=3, mode="floor") == 2


def test_cs231n_slide_same_padding_and_params():
    assert conv_output_size(32, 5, stride=1, padding=2) == 32
    # 10 filters of 5x5x3 plus 10 biases = 760 parameters
    (row,) = summarize([3, 32, 32], [{"type": "conv", "out_channels": 10, "kernel": 5,
                                      "padding": 2}])
    assert row["out_shape"] == [10, 32, 32]
    assert row["params"] == 760 and row["weights"] == 750 and row["biases"] == 10


def test_alexnet_conv1_227_works_and_224_does_not():
    assert conv_output_size(227, 11, stride=4) == 55
    with pytest.raises(ValueError) as excinfo:
        conv_output_size(224, 11, stride=4)
    message = assert_korean_error(excinfo)
    assert "(224 + 2·0 − 11)/4 + 1 = 54.25" in message
    assert "54" in message.split("floor")[-1]
    assert conv_output_size(224, 11, stride=4, mode="floor") == 54
    assert conv_output_size(224, 11, stride=4, mode="ceil") == 55  # ceil(53.25) + 1
    # torchvision's AlexNet pads by 2 instead: floor(55.25) = 55, still not exact
    assert conv_output_size(224, 11, stride=4, padding=2, mode="floor") == 55
    with pytest.raises(ValueError, match="55.25"):
        conv_output_size(224, 11, stride=4, padding=2)


def test_alexnet_first_layers():
    rows = summarize([3, 227, 227], [
        {"type": "conv", "out_channels": 96, "kernel": 11, "stride": 4},
        {"type": "pool", "kernel": 3, "stride": 2},
        {"type": "conv", "out_channels": 256, "kernel": 5, "padding": 2, "groups": 2},
    ])
    assert [r["out_shape"] for r in rows] == [[96, 55, 55], [96, 27, 27], [256, 27, 27]]
    assert [r["params"] for r in rows] == [34944, 0, 307456]  # 96*363+96; 256*48*25+256
    assert rows[0]["mult_adds"] == 96 * 55 * 55 * 363 == 105_415_200
    assert [r["receptive_field"] for r in rows] == [11, 19, 51]
    assert [r["jump"] for r in rows] == [4, 8, 8]
    assert all(r["exact"] for r in rows) and all(r["dropped"] == [0, 0] for r in rows)


def test_alexnet_at_224_drops_the_last_row_and_column():
    (row,) = summarize([3, 224, 224], [{"type": "conv", "out_channels": 96, "kernel": 11,
                                        "stride": 4}])
    assert row["out_shape"] == [96, 54, 54]
    assert row["dropped"] == [1, 1] and row["exact"] is False


def test_vgg16_first_block():
    rows = summarize([3, 224, 224], [
        {"type": "conv", "out_channels": 64, "kernel": 3, "padding": 1},
        {"type": "conv", "out_channels": 64, "kernel": 3, "padding": 1},
        {"type": "pool", "kernel": 2},  # stride defaults to the kernel size, as in PyTorch
    ])
    assert [r["out_shape"] for r in rows] == [[64, 224, 224], [64, 224, 224], [64, 112, 112]]
    assert [r["params"] for r in rows] == [1792, 36928, 0]
    assert [r["receptive_field"] for r in rows] == [3, 5, 6]
    assert [r["jump"] for r in rows] == [1, 1, 2]
    assert rows[1]["mult_adds"] == 64 * 224 * 224 * 64 * 9
    assert rows[2]["activations"] == 64 * 112 * 112


def test_resnet_stem():
    rows = summarize([3, 224, 224], [
        {"type": "conv", "out_channels": 64, "kernel": 7, "stride": 2, "padding": 3, "bias": False},
        {"type": "pool", "kernel": 3, "stride": 2, "padding": 1},
    ])
    assert [r["out_shape"] for r in rows] == [[64, 112, 112], [64, 56, 56]]
    assert rows[0]["params"] == 64 * 3 * 7 * 7 == 9408
    assert [r["receptive_field"] for r in rows] == [7, 11]
    assert [r["jump"] for r in rows] == [2, 4]
    # (112 + 2 - 3)/2 + 1 = 56.5: PyTorch floors to 56, the strict CS231n rule refuses
    with pytest.raises(ValueError) as excinfo:
        conv_output_size(112, 3, stride=2, padding=1)
    assert "56.5" in assert_korean_error(excinfo)
    assert conv_output_size(112, 3, stride=2, padding=1, mode="ceil") == 57


def test_dilation():
    assert conv_output_size(7, 3, dilation=2) == 3            # span 5
    assert conv_output_size(10, 3, padding=2, dilation=2) == 10  # 'same' for a dilated 3x3
    assert conv_output_size(9, 3, stride=2, dilation=2) == 3
    with pytest.raises(ValueError) as excinfo:
        conv_output_size(4, 3, dilation=2)
    assert "5" in assert_korean_error(excinfo)  # the span 2*(3-1)+1
    (row,) = summarize([1, 15, 15], [{"type": "conv", "out_channels": 1, "kernel": 3,
                                      "dilation": 4}])
    assert row["receptive_field"] == 9 and row["out_shape"] == [1, 7, 7]
    assert row["params"] == 10  # dilation spreads the taps, it adds no weights


def test_ceil_mode_and_pytorch_last_window_rule():
    assert conv_output_size(5, 2, stride=2, mode="ceil") == 3
    assert conv_output_size(5, 2, stride=2, mode="floor") == 2
    # with padding 1 the ceiling gives 4, but the 4th window would start at padded index 6, i.e.
    # inside the right padding, so PyTorch drops it
    assert math.ceil((5 + 2 - 1 - 1) / 2 + 1) == 4
    assert conv_output_size(5, 2, stride=2, padding=1, mode="ceil") == 3
    # the window may hang over the end: a 3-wide window on 2 cells still gives one output
    assert conv_output_size(2, 3, stride=2, mode="ceil") == 1
    with pytest.raises(ValueError):
        conv_output_size(2, 3, stride=2, mode="floor")
    (row,) = summarize([4, 5, 6], [{"type": "pool", "kernel": 2, "padding": 1, "ceil_mode": True}])
    assert row["out_shape"] == [4, 3, 4]


def test_groups():
    # params = out * in/groups * k * k + out
    (row,) = summarize([32, 8, 8], [{"type": "conv", "out_channels": 64, "kernel": 3,
                                     "padding": 1, "groups": 4}])
    assert row["params"] == 64 * 8 * 9 + 64
    assert row["mult_adds"] == 64 * 8 * 8 * 8 * 9
    (depthwise,) = summarize([32, 8, 8], [{"type": "conv", "out_channels": 32, "kernel": 3,
                                           "padding": 1, "groups": 32, "bias": False}])
    assert depthwise["params"] == 32 * 9
    for channels, out in ((30, 64), (32, 30)):
        with pytest.raises(ValueError) as excinfo:
            summarize([channels, 8, 8], [{"type": "conv", "out_channels": out, "kernel": 3,
                                          "groups": 4}])
        assert "groups" in assert_korean_error(excinfo)


def test_rectangular_input_and_pool_defaults():
    rows = summarize([3, 10, 13], [{"type": "conv", "out_channels": 8, "kernel": 3, "stride": 2},
                                   {"type": "pool", "kernel": 2}])
    assert rows[0]["out_shape"] == [8, 4, 6]
    assert rows[0]["dropped"] == [1, 0]  # rows: (10 - 3)/2 + 1 = 4.5, the 10th row is never read
    assert rows[1]["out_shape"] == [8, 2, 3] and rows[1]["jump"] == 4
    assert summarize([3, 10, 13], []) == []


def test_window_taps():
    taps = window_taps(10, 3, stride=2)
    assert taps.tolist() == [[0, 1, 2], [2, 3, 4], [4, 5, 6], [6, 7, 8]]  # cell 9 never read
    taps = window_taps(5, 3, stride=2, padding=1, dilation=2)
    assert taps.tolist() == [[-1, 1, 3], [1, 3, 5]]
    assert window_taps(5, 2, stride=2, padding=1, mode="ceil").tolist() == [[-1, 0], [1, 2], [3, 4]]


# ---------------------------------------------------------------------------------------------
# Independent references on random inputs.
# ---------------------------------------------------------------------------------------------

axis_args = st.tuples(st.integers(1, 80), st.integers(1, 12), st.integers(1, 7),
                      st.integers(0, 8), st.integers(1, 4))


@settings(max_examples=200, deadline=None)
@given(axis_args, st.sampled_from(["floor", "ceil"]))
def test_matches_pytorch_doc_formula(args, mode):
    expected = torch_doc_size(*args, ceil=(mode == "ceil"))
    if expected is None:
        with pytest.raises(ValueError) as excinfo:
            conv_output_size(*args, mode=mode)
        assert_korean_error(excinfo)
    else:
        assert conv_output_size(*args, mode=mode) == expected


@settings(max_examples=200, deadline=None)
@given(axis_args)
def test_strict_is_floor_when_divisible_else_raises(args):
    size, kernel, stride, padding, dilation = args
    slack = size + 2 * padding - dilation * (kernel - 1) - 1
    if slack >= 0 and slack % stride == 0:
        assert conv_output_size(*args) == slack // stride + 1 == torch_doc_size(*args)
    else:
        with pytest.raises(ValueError) as excinfo:
            conv_output_size(*args)
        assert_korean_error(excinfo)


@settings(max_examples=200, deadline=None)
@given(axis_args, st.sampled_from(["floor", "ceil"]))
def test_matches_brute_force_window_count(args, mode):
    size, kernel, stride, padding, dilation = args
    ceil = mode == "ceil"
    count = brute_force_starts(*args, ceil=ceil)
    if count == 0 or (ceil and padding > kernel // 2):
        with pytest.raises(ValueError):
            conv_output_size(*args, mode=mode)
        return
    assert conv_output_size(*args, mode=mode) == count
    taps = window_taps(*args, mode=mode)
    starts = np.arange(count) * stride - padding
    assert taps.shape == (count, kernel)
    assert (taps == starts[:, None] + dilation * np.arange(kernel)).all()


conv_layer = st.fixed_dictionaries(
    {"type": st.just("conv"), "out_channels": st.sampled_from([1, 2, 4, 6, 8]),
     "kernel": st.integers(1, 5)},
    optional={"stride": st.integers(1, 3), "padding": st.integers(0, 2),
              "dilation": st.integers(1, 2), "groups": st.sampled_from([1, 2]),
              "bias": st.booleans()})
pool_layer = st.integers(1, 4).flatmap(lambda k: st.fixed_dictionaries(
    {"type": st.just("pool"), "kernel": st.just(k)},
    optional={"stride": st.integers(1, 3), "padding": st.integers(0, k // 2),
              "ceil_mode": st.booleans()}))


@settings(max_examples=150, deadline=None)
@given(st.tuples(st.sampled_from([2, 4, 6]), st.integers(8, 40), st.integers(8, 40)),
       st.lists(st.one_of(conv_layer, pool_layer), min_size=1, max_size=4))
def test_summarize_matches_brute_force(shape, layers):
    c, h, w = shape
    expected = []
    for layer in layers:  # replay the stack with the reference formula, stop where it fails
        k = layer["kernel"]
        s = layer.get("stride", k if layer["type"] == "pool" else 1)
        p, d = layer.get("padding", 0), layer.get("dilation", 1)
        ceil = layer.get("ceil_mode", False)
        oh, ow = (torch_doc_size(n, k, s, p, d, ceil) for n in (h, w))
        bad_groups = layer["type"] == "conv" and (c % layer.get("groups", 1)
                                                  or layer["out_channels"] % layer.get("groups", 1))
        if oh is None or ow is None or bad_groups:
            with pytest.raises(ValueError) as excinfo:
                summarize(shape, layers)
            assert_korean_error(excinfo)
            return
        if layer["type"] == "conv":
            g, f = layer.get("groups", 1), layer["out_channels"]
            weights = f * (c // g) * k * k
            params = weights + (f if layer.get("bias", True) else 0)
            mult_adds = f * oh * ow * (c // g) * k * k
        else:
            f, params, mult_adds = c, 0, 0
        expected.append({"out_shape": [f, oh, ow], "params": params, "mult_adds": mult_adds,
                         "activations": f * oh * ow})
        c, h, w = f, oh, ow
    rows = summarize(shape, layers)
    fields = brute_force_receptive_fields(layers)
    assert len(rows) == len(expected)
    for row, want, (field, jump) in zip(rows, expected, fields):
        assert {key: row[key] for key in want} == want
        assert (row["receptive_field"], row["jump"]) == (field, jump)
    json.dumps(rows, allow_nan=False)  # plain JSON for the browser


@settings(max_examples=150, deadline=None)
@given(axis_args)
def test_dropped_rows_by_brute_force(args):
    size, kernel, stride, padding, dilation = args
    if torch_doc_size(*args) is None:
        return
    # dropped = real input cells after the end of the last floor window (gaps between windows,
    # e.g. kernel 1 with stride 2, are not "dropped": every window position is still used)
    span = dilation * (kernel - 1) + 1
    cells = np.array(["pad"] * padding + ["x"] * size + ["pad"] * padding)
    ends = [start + span for start in range(0, len(cells) - span + 1, stride)]
    trailing = int(np.count_nonzero(cells[max(ends):] == "x"))
    (row,) = summarize([1, size, size],
                       [{"type": "conv", "out_channels": 1, "kernel": kernel, "stride": stride,
                         "padding": padding, "dilation": dilation}])
    assert row["dropped"][0] == trailing


# ---------------------------------------------------------------------------------------------
# Invalid arguments: ValueError / TypeError with a Korean message, never anything else.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {"size": 0, "kernel": 3}, {"size": -5, "kernel": 3}, {"size": 10, "kernel": 0},
    {"size": 10, "kernel": 3, "stride": 0}, {"size": 10, "kernel": 3, "stride": -1},
    {"size": 10, "kernel": 3, "padding": -1}, {"size": 10, "kernel": 3, "dilation": 0},
    {"size": 10.0, "kernel": 3}, {"size": 10, "kernel": 2.5}, {"size": "10", "kernel": 3},
    {"size": None, "kernel": 3}, {"size": True, "kernel": 3}, {"size": 10, "kernel": 3, "stride": True},
    {"size": 10, "kernel": 3, "padding": False, "mode": "floor"},
    {"size": 10, "kernel": 3, "mode": "round"}, {"size": 10, "kernel": 3, "mode": None},
    {"size": 10, "kernel": 2, "padding": 2, "mode": "ceil"},   # pool padding > kernel / 2
    {"size": 10, "kernel": 3, "padding": 2, "mode": "ceil"},
    {"size": 2, "kernel": 5, "mode": "floor"}, {"size": 1, "kernel": 5, "stride": 2, "mode": "ceil"},
])
def test_invalid_arguments_raise_in_korean(kwargs):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        conv_output_size(**kwargs)
    assert_korean_error(excinfo)


def test_numpy_integers_are_accepted():
    assert conv_output_size(np.int64(227), np.int32(11), np.int64(4)) == 55
    rows = summarize(np.array([3, 32, 32]), [{"type": "conv", "out_channels": np.int64(4),
                                              "kernel": 3}])
    assert rows[0]["out_shape"] == [4, 30, 30]
    assert all(type(v) is int for v in rows[0]["out_shape"])


@pytest.mark.parametrize("input_shape, layers, needle", [
    ([3, 32], [], "[C, H, W]"),
    ("3x32x32", [], "[C, H, W]"),
    ([3, 32, 0], [], "1 이상"),
    ([3, 32, 32.5], [], "정수"),
    ([3, 32, 32], {"type": "conv"}, "리스트"),
    ([3, 32, 32], ["conv"], "dict"),
    ([3, 32, 32], [{"type": "fc", "kernel": 3}], "type"),
    ([3, 32, 32], [{"type": "conv", "kernel": 3}], "out_channels"),
    ([3, 32, 32], [{"type": "conv", "out_channels": 8, "kernel": 3, "ceil_mode": True}],
     "ceil_mode"),
    ([3, 32, 32], [{"type": "pool", "kernel": 2, "out_channels": 8}], "out_channels"),
    ([3, 32, 32], [{"type": "conv", "out_channels": 8, "kernel": 3, "bias": 1}], "bias"),
    ([3, 32, 32], [{"type": "pool", "kernel": 3, "padding": 2}], "kernel // 2"),
    ([3, 32, 32], [{"type": "conv", "out_channels": 8, "kernel": 40}], "1보다 작습니다"),
    ([3, 8, 8], [{"type": "conv", "out_channels": 8, "kernel": 3},
                 {"type": "pool", "kernel": 2}, {"type": "conv", "out_channels": 8, "kernel": 5}],
     "3번째 층"),
])
def test_summarize_rejects_bad_input_in_korean(input_shape, layers, needle):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        summarize(input_shape, layers)
    assert needle in assert_korean_error(excinfo)


# ---------------------------------------------------------------------------------------------
# Widgets.
# ---------------------------------------------------------------------------------------------

def outputs_of(result, kind):
    return [o for o in result["outputs"] if o["kind"] == kind]


def all_text(result) -> str:
    return json.dumps(result, ensure_ascii=False)


@pytest.mark.parametrize("widget_id", ["conv-layer", "conv-stack", "conv-3x3-vs-7x7"])
def test_widgets_render_defaults_as_plain_json(widget_id):
    spec = widget.describe(widget_id)
    assert HANGUL.search(spec["title"]) and HANGUL.search(spec["description"])
    result = widget.update(widget_id, {})
    assert result["ok"], result.get("message")
    json.dumps(result, allow_nan=False)
    for plot in outputs_of(result, "plot"):
        layout = plot["figure"]["layout"]
        assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "rgba(0,0,0,0)"
        assert "color" not in layout.get("font", {})
        assert layout["legend"]["orientation"] == "h"


def test_conv_layer_default_is_the_cs231n_example():
    result = widget.update("conv-layer", {})
    stats = dict(outputs_of(result, "stats")[0]["items"])
    assert stats["출력 (F × H_out × W_out)"] == "10 × 32 × 32"
    assert stats["파라미터 (weights + biases)"] == "750 + 10 = 760"
    sizes, counts = (o["tex"] for o in outputs_of(result, "math"))
    assert "H_{out} = W_{out}" in sizes
    assert "\\frac{32 + 2\\cdot 2 - 5}{1} + 1 \\\\ &\\quad = 32 \\end" in sizes
    assert "10 \\cdot 3 \\cdot 5^2 + 10 \\\\ &\\quad = 760" in counts
    assert "10 \\cdot 32 \\cdot 32 \\cdot 3 \\cdot 5^2 \\\\ &\\quad = 768{,}000" in counts


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "2.5", "", "  "])
def test_conv_layer_bad_kernel_gives_korean_message(bad):
    result = widget.update("conv-layer", {"kernel": bad})
    assert result["ok"] is False
    assert HANGUL.search(result["message"]) and "커널" in result["message"]
    assert result["state"]["kernel"] == bad  # kept so the reader can fix it


def test_conv_layer_strict_rejects_alexnet_at_224_and_floor_shows_the_drop():
    state = {"H": "224", "W": "224", "C_in": "3", "kernel": "11", "stride": "4", "padding": "0",
             "filters": "96"}
    strict = widget.update("conv-layer", state)
    assert strict["ok"] is False and "54.25" in strict["message"]

    floor = widget.update("conv-layer", {**state, "mode": "floor"})
    assert floor["ok"]
    stats = dict(outputs_of(floor, "stats")[0]["items"])
    assert stats["출력 (F × H_out × W_out)"] == "96 × 54 × 54"
    assert stats["파라미터 (weights + biases)"] == "34,848 + 96 = 34,944"
    tex = outputs_of(floor, "math")[0]["tex"]
    assert "\\frac{224 + 2\\cdot 0 - 11}{4} + 1 \\\\ &\\quad = 54.25" in tex
    assert "\\lfloor 54.25 \\rfloor = 54" in tex
    (note,) = outputs_of(floor, "text")
    assert note["tone"] == "warn" and "223" in note["text"]
    heatmap = outputs_of(floor, "plot")[0]["figure"]["data"][0]
    assert len(heatmap["x"]) <= 120 and len(heatmap["y"]) <= 17  # cropped: cheap to draw
    input_row = dict(zip(heatmap["x"], heatmap["z"][0]))
    assert input_row[223] == 5 and input_row[222] == 3  # the last input row is never read


def test_conv_layer_picture_marks_dropped_cells_and_padding():
    result = widget.update("conv-layer", {"H": "10", "W": "12", "kernel": "3", "stride": "2",
                                          "padding": "0", "mode": "floor"})
    assert result["ok"]
    height, width = outputs_of(result, "plot")[0]["figure"]["data"][:2]
    assert height["x"] == list(range(10)) and width["x"] == list(range(12))
    assert height["z"][0] == [3] * 9 + [5]   # (10 - 3)/2 + 1 = 4.5: cell 9 dropped
    assert width["z"][0] == [3] * 11 + [5]   # (12 - 3)/2 + 1 = 5.5: cell 11 dropped
    assert len(height["y"]) == 1 + 4 and len(width["y"]) == 1 + 5
    assert height["z"][1] == [1, 1, 1] + [None] * 7  # window 0 reads cells 0..2

    padded = widget.update("conv-layer", {"H": "5", "W": "5", "kernel": "3", "stride": "1",
                                          "padding": "1"})
    heatmap = outputs_of(padded, "plot")[0]["figure"]["data"][0]
    assert heatmap["x"] == list(range(-1, 6))
    assert heatmap["z"][0] == [4, 3, 3, 3, 3, 3, 4]
    assert heatmap["z"][1] == [2, 1, 1, None, None, None, None]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 200), st.integers(1, 9), st.integers(1, 6), st.integers(0, 4),
       st.integers(1, 3))
def test_conv_layer_picture_matches_brute_force(size, kernel, stride, padding, dilation):
    if torch_doc_size(size, kernel, stride, padding, dilation) is None:
        return
    result = widget.update("conv-layer", {"H": str(size), "W": str(size), "kernel": str(kernel),
                                          "stride": str(stride), "padding": str(padding),
                                          "dilation": str(dilation), "mode": "floor"})
    assert result["ok"], result["message"]
    heatmap = outputs_of(result, "plot")[0]["figure"]["data"][0]
    span = dilation * (kernel - 1) + 1
    read = set()  # input coordinates any tap of any floor window reads, window by window
    windows = []
    start = -padding
    while start + span <= size + padding:
        windows.append([start + dilation * j for j in range(kernel)])
        read.update(windows[-1])
        start += stride
    xs = heatmap["x"]
    assert xs[-1] == size + padding - 1 and len(xs) <= 120 and len(heatmap["y"]) <= 17
    assert heatmap["y"][-1] == f"출력 {len(windows) - 1}"
    expected = [4 if not 0 <= x < size else 3 if x in read else 5 for x in xs]
    assert heatmap["z"][0] == expected
    last = windows[-1]  # the bottom row draws the last window's taps
    assert [x for x, v in zip(xs, heatmap["z"][-1]) if v is not None] == [x for x in last if x >= xs[0]]
    skipped = sum(1 for x in range(min(size, last[-1] + 1)) if x not in read)
    note = outputs_of(result, "text")[0]["text"]
    assert (f"방향 {skipped}칸" in note) == (skipped > 0)


def test_conv_layer_counts_formula_stays_when_windows_skip_cells():
    # 1×1 kernel, stride 2: cells 1, 3, 5, 7 lie between windows and no tap reads them.
    result = widget.update("conv-layer", {"H": "10", "W": "10", "C_in": "3", "kernel": "1",
                                          "stride": "2", "padding": "0", "filters": "4",
                                          "mode": "floor"})
    assert result["ok"], result.get("message")
    assert "H, W 방향 4칸" in outputs_of(result, "text")[0]["text"]
    counts = outputs_of(result, "math")[1]["tex"]
    assert counts == ("\\begin{aligned} &\\text{params} = F C_{in} K^2 + F \\\\ "
                      "&\\quad = 4 \\cdot 3 \\cdot 1^2 + 4 \\\\ &\\quad = 16 \\\\ "
                      "&\\text{mult-adds} = F H_{out} W_{out} C_{in} K^2 \\\\ "
                      "&\\quad = 4 \\cdot 5 \\cdot 5 \\cdot 3 \\cdot 1^2 \\\\ "
                      "&\\quad = 300 \\end{aligned}")


def test_conv_layer_reports_impossible_sizes():
    result = widget.update("conv-layer", {"H": "4", "kernel": "7", "padding": "1"})
    assert result["ok"] is False and "1보다 작습니다" in result["message"]
    fixed = widget.update("conv-layer", {"H": "8", "kernel": "7", "padding": "1", "mode": "floor"})
    assert fixed["ok"]


def test_conv_layer_large_input_stays_cheap():
    result = widget.update("conv-layer", {"H": "4096", "W": "4000", "kernel": "1024",
                                          "stride": "1", "padding": "0", "mode": "floor"})
    assert result["ok"]
    for trace in outputs_of(result, "plot")[0]["figure"]["data"][:2]:
        assert len(trace["x"]) <= 120 and len(trace["z"]) <= 17


PRESETS = {
    "preset-alexnet": ([3, 227, 227], ["96 × 55 × 55", "96 × 27 × 27", "256 × 27 × 27"],
                       ["34,944", "0", "307,456"], [11, 19, 51]),
    "preset-vgg": ([3, 224, 224], ["64 × 224 × 224", "64 × 224 × 224", "64 × 112 × 112"],
                   ["1,792", "36,928", "0"], [3, 5, 6]),
    "preset-resnet": ([3, 224, 224], ["64 × 112 × 112", "64 × 56 × 56"], ["9,408", "0"], [7, 11]),
}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_conv_stack_presets(name):
    shape, shapes, params, fields = PRESETS[name]
    result = widget.update("conv-stack", {}, {"type": "action", "name": name})
    assert result["ok"], result.get("message")
    assert [result["state"][k] for k in ("C", "H", "W")] == [str(v) for v in shape]
    (table,) = outputs_of(result, "table")
    body = table["rows"][1:]
    assert [r[1] for r in body] == shapes
    assert [r[2] for r in body] == params
    assert [r[4] for r in body] == fields
    # the same state, sent back as the host would, renders the same
    again = widget.update("conv-stack", result["state"])
    assert again["outputs"] == result["outputs"]


def test_conv_stack_alexnet_224_story():
    state = widget.update("conv-stack", {}, {"type": "action", "name": "preset-alexnet"})["state"]
    at_227 = all_text(widget.update("conv-stack", state))
    assert "54.25" in at_227 and "227" in at_227
    at_224 = widget.update("conv-stack", {**state, "H": "224", "W": "224"})
    (table,) = outputs_of(at_224, "table")
    assert table["rows"][1][1] == "96 × 54 × 54" and table["rows"][2][1] == "96 × 26 × 26"
    assert table["highlight"] == [1, 2]  # and pool1 then floors (54 - 3)/2 + 1 = 26.5
    assert table["rows"][1][6] == table["rows"][2][6] == "1행, 1열"


def test_conv_stack_records_errors_and_empty_stack():
    rows = [{"type": "conv", "out_channels": "64", "kernel": "3", "stride": "1", "padding": "1",
             "dilation": "1", "groups": "5", "bias": True, "ceil_mode": False}]
    bad = widget.update("conv-stack", {"layers": rows})
    assert bad["ok"] is False and "groups" in bad["message"] and HANGUL.search(bad["message"])
    typo = widget.update("conv-stack", {"layers": [{**rows[0], "groups": "1", "kernel": "x"}]})
    assert typo["ok"] is False and "1번째 줄" in typo["message"]
    pool = widget.update("conv-stack", {"layers": [{**rows[0], "type": "pool", "kernel": "2",
                                                    "padding": "2", "groups": "1"}]})
    assert pool["ok"] is False and "kernel // 2" in pool["message"]
    empty = widget.update("conv-stack", {"layers": []})
    assert empty["ok"] and outputs_of(empty, "text")
    unknown = widget.update("conv-stack", {}, {"type": "action", "name": "preset-lenet"})
    assert unknown["ok"] is False and HANGUL.search(unknown["message"])


@pytest.mark.parametrize("channels, size", [(1, 1), (3, 8), (64, 56), (512, 14)])
def test_3x3_vs_7x7_numbers(channels, size):
    result = widget.update("conv-3x3-vs-7x7", {"C": str(channels), "size": str(size)})
    assert result["ok"]
    (table,) = outputs_of(result, "table")
    rows = {r[0]: r[1:] for r in table["rows"]}
    assert rows["receptive field"] == ["7 × 7", "7 × 7"]
    assert rows["가중치 (weights)"] == [f"{27 * channels ** 2:,}", f"{49 * channels ** 2:,}"]
    assert rows["파라미터 (+ bias)"] == [f"{27 * channels ** 2 + 3 * channels:,}",
                                        f"{49 * channels ** 2 + channels:,}"]
    pixels = size * size
    assert rows["곱셈-덧셈 (mult-adds)"] == [f"{27 * channels ** 2 * pixels:,}",
                                            f"{49 * channels ** 2 * pixels:,}"]
    assert rows["역전파용 activation (출력 맵)"][0].startswith(f"{3 * channels * pixels:,} ")
    assert rows["역전파용 activation (출력 맵)"][1].startswith(f"{channels * pixels:,} ")
    tex = outputs_of(result, "math")[0]["tex"]
    assert f"27C^2 = {27 * channels ** 2:,}".replace(",", "{,}") in tex
    assert f"49C^2 = {49 * channels ** 2:,}".replace(",", "{,}") in tex
    bars = outputs_of(result, "plot")[0]["figure"]["data"]
    assert bars[0]["y"] == pytest.approx([27 / 49, 27 / 49, 3.0])
    assert bars[1]["y"] == [1.0, 1.0, 1.0]


def test_widget_ids_are_registered():
    assert set(conv_widgets.WIDGETS) == {"conv-layer", "conv-stack", "conv-3x3-vs-7x7"}
    assert set(conv_widgets.WIDGETS) <= set(widget.registry())


# ---------------------------------------------------------------------------------------------
# Optional: real PyTorch, when it is installed (it is not in the project's Python 3.12 venv).
# ---------------------------------------------------------------------------------------------

def test_against_real_pytorch_when_available():
    torch = pytest.importorskip("torch")
    for size, k, s, p, d in [(n, k, s, p, d) for n in range(1, 12) for k in range(1, 5)
                             for s in range(1, 4) for p in range(0, 3) for d in range(1, 3)]:
        x = torch.zeros(1, 1, 1, size)
        for mode in ("floor", "ceil"):
            try:
                if mode == "floor":
                    y = torch.nn.functional.conv2d(x, torch.zeros(1, 1, 1, k), stride=(1, s),
                                                   padding=(0, p), dilation=(1, d))
                else:
                    y = torch.nn.functional.max_pool2d(x, (1, k), stride=(1, s), padding=(0, p),
                                                       dilation=(1, d), ceil_mode=True)
                expected = y.shape[-1]
            except RuntimeError:
                expected = None
            try:
                got = conv_output_size(size, k, s, p, d, mode)
            except ValueError:
                got = None
            assert got == expected, (size, k, s, p, d, mode)
    modules = [torch.nn.Conv2d(6, 12, 4, 3, 2, dilation=2, groups=3),
               torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True), torch.nn.Conv2d(12, 5, 1, 2, bias=False)]
    rows = summarize([6, 31, 17], [
        {"type": "conv", "out_channels": 12, "kernel": 4, "stride": 3, "padding": 2, "dilation": 2,
         "groups": 3},
        {"type": "pool", "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        {"type": "conv", "out_channels": 5, "kernel": 1, "stride": 2, "bias": False}])
    x = torch.zeros(1, 6, 31, 17)
    for module, row in zip(modules, rows):
        x = module(x)
        assert list(x.shape[1:]) == row["out_shape"]
        assert sum(q.numel() for q in module.parameters()) == row["params"]
