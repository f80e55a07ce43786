"""The widget framework and the JS bridge under CPython: parsing, JSON conversion, error handling."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from demos import bridge, widget

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("raw, expected", [("3", 3), (" 1e-3 ", 0.001), ("2.0", 2.0), ("-0.5", -0.5),
                                           ("1,000", 1000)])
def test_parse_number_accepts_what_people_type(raw, expected):
    assert widget.parse_number(raw, "값") == expected


@pytest.mark.parametrize("raw, kwargs, fragment", [
    ("", {}, "비어 있습니다"),
    ("abc", {}, "숫자를 입력하세요"),
    ("nan", {}, "유한한 숫자"),
    ("inf", {}, "유한한 숫자"),
    ("2.5", {"integer": True}, "정수"),
    ("0", {"min": 1}, "1 이상"),
    ("11", {"max": 10}, "10 이하"),
])
def test_parse_number_rejects_in_korean_naming_the_field(raw, kwargs, fragment):
    with pytest.raises(ValueError) as info:
        widget.parse_number(raw, "커널 크기", **kwargs)
    assert fragment in str(info.value)
    assert "커널 크기" in str(info.value)


def test_integer_result_is_int_not_float():
    value = widget.parse_number("4.0", "k", integer=True)
    assert value == 4 and isinstance(value, int)


def test_to_jsonable_matches_the_js_contract():
    result = bridge.to_jsonable({"a": np.arange(4).reshape(2, 2), 1: (np.float64(0.5), np.int64(3)),
                                 "bad": [math.nan, -math.inf], "b": np.bool_(True)})
    assert result == {"a": [[0, 1], [2, 3]], "1": [0.5, 3], "bad": [None, None], "b": True}
    assert type(result["1"][1]) is int
    json.dumps(result, allow_nan=False)  # strictly valid JSON


def test_call_json_returns_result_or_korean_error_never_a_traceback():
    ok = json.loads(bridge.call_json("demos.widget.parse_number", '{"raw": "7", "label": "x"}'))
    assert ok == {"ok": 7.0}
    bad = json.loads(bridge.call_json("demos.widget.parse_number", '{"raw": "x7", "label": "학습률"}'))
    assert bad["kind"] == "ValueError" and "학습률" in bad["error"]
    assert "Traceback" not in bad["error"]


@pytest.mark.parametrize("name", ["os.system", "demos", "demos.widget._spec", "demos.nope.f",
                                  "demos.widget.nope", "demos..x"])
def test_only_public_demos_functions_can_be_called(name):
    answer = json.loads(bridge.call_json(name, "{}"))
    assert "error" in answer and answer["kind"] == "ValueError"


def test_unexpected_exceptions_become_a_short_korean_message():
    # bridge.resolve raises AttributeError-free paths; feed a kwargs type the function cannot take
    answer = json.loads(bridge.call_json("demos.bridge.to_jsonable", '{"obj": {"x": [1, 2]}, "extra": 1}'))
    assert answer["kind"] == "TypeError"
    answer = json.loads(bridge.call_json("demos.widget.registry", "{}"))
    assert "ok" in answer or "error" in answer


def test_every_registered_widget_renders_its_defaults():
    registry = widget.registry()
    assert registry, "no widget registered"
    for widget_id in registry:
        spec = widget.describe(widget_id)
        assert spec["title"] and spec["controls"] is not None
        answer = widget.update(widget_id)
        assert answer["ok"], (widget_id, answer.get("message"))
        assert answer["outputs"], widget_id
        json.dumps(bridge.to_jsonable(answer), allow_nan=False)


def test_textbox_passes_the_text_and_refuses_too_long_or_non_text(monkeypatch):
    box = widget.textbox("words", "문장", "a b", max_length=5)
    spec = widget.widget("단어", [box], lambda words: [widget.text(words.upper())])
    monkeypatch.setattr(widget, "_REGISTRY", {"words-demo": spec})
    assert box["kind"] == "textbox" and box["default"] == "a b"
    assert widget.update("words-demo")["outputs"] == [widget.text("A B")]
    assert widget.update("words-demo", {"words": " x y "})["outputs"] == [widget.text(" X Y ")]
    too_long = widget.update("words-demo", {"words": "abcdef"})
    assert not too_long["ok"] and "'문장'은(는) 5자 이하여야" in too_long["message"]
    assert too_long["state"]["words"] == "abcdef"       # kept as typed, to be fixed
    not_text = widget.update("words-demo", {"words": ["a"]})
    assert not not_text["ok"] and "글자" in not_text["message"]


def test_unknown_widget_is_a_korean_value_error():
    with pytest.raises(ValueError, match="데모가 없습니다"):
        widget.describe("no-such-demo")


@pytest.mark.parametrize("result", [
    {"a": np.linspace(0, 1, 7), "b": np.arange(5, dtype=np.int32), "c": (np.float32(0.25), True)},
    {"nan_in_array": np.array([1.0, np.nan, np.inf]), "x": 1},
    {"nan_in_list": [1.5, math.nan], "nested": {"k": [(-math.inf, 2)]}},
    {np.int64(3): "numpy key", 4: np.bool_(False)},
    [np.array(["a", "b"]), None, "텍스트"],
])
def test_fast_json_path_equals_the_reference_conversion(result):
    assert json.loads(bridge.dumps(result)) == bridge.to_jsonable(result)


def test_legend_output_lists_label_colour_mark_and_rejects_unknown_marks():
    assert widget.legend([("SGD", "#e6194b", "line"), ("시작점", "#888", "circle-open")]) == {
        "kind": "legend", "items": [{"label": "SGD", "color": "#e6194b", "mark": "line"},
                                    {"label": "시작점", "color": "#888", "mark": "circle-open"}]}
    with pytest.raises(ValueError):
        widget.legend([("x", "#000", "hexagon")])


@pytest.mark.parametrize(("widget_id", "plot_id", "labels"), [
    ("knn", "knn-plane", ["클래스 0", "클래스 1", "클래스 2", "동점 (빗금)"]),
    ("conv-layer", "windows", ["커널 탭 (입력)", "커널 탭 (패딩)", "입력", "패딩 0", "쓰이지 않는 입력"]),
    ("optim", "paths", ["SGD", "SGD + Momentum", "Nesterov", "RMSProp", "Adam", "AdamW",
                        "시작점", "최솟값 ★", "L2 최솟값 (λ=0.01) ◆"]),
])
def test_plots_with_an_html_legend_have_it_right_after_them_and_no_plotly_legend(
        widget_id, plot_id, labels):
    outputs = widget.update(widget_id)["outputs"]
    at = next(i for i, o in enumerate(outputs) if o["kind"] == "plot" and o["id"] == plot_id)
    assert outputs[at]["figure"]["layout"]["showlegend"] is False
    assert outputs[at + 1]["kind"] == "legend"
    assert [item["label"] for item in outputs[at + 1]["items"]] == labels


def test_plot_figures_put_the_html_legend_back_into_the_figure_for_notebooks():
    figures = widget.plot_figures("conv-layer", {"H": "33"})
    windows = figures["windows"]
    assert windows["layout"]["showlegend"] is True
    entries = [t for t in windows["data"] if t.get("showlegend", True)]   # only the legend's items
    assert [t["name"] for t in entries] == ["커널 탭 (입력)", "커널 탭 (패딩)", "입력", "패딩 0",
                                           "쓰이지 않는 입력"]
    assert all(t["mode"] == "markers" and t["marker"]["symbol"] == "square" for t in entries)
    paths = widget.plot_figures("optim")["paths"]
    newton_free = [t for t in paths["data"] if t.get("x") == [None] and t["mode"] == "lines"]
    assert {t["line"]["dash"] for t in newton_free} == {"solid"}
    with pytest.raises(ValueError, match="k"):
        widget.plot_figures("knn", {"k": "0"})


def test_preload_imports_every_demo_and_numpy_random():
    probe = ("import sys; from demos import widget; ids = widget.preload(); "
             "print(ids == sorted(widget.registry()), 'demos.knn' in sys.modules, 'numpy.random' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.split() == ["True", "True", "True"], result.stderr
