"""Lecture 8's demos in real Chromium with the real Pyodide: both widgets sit beside the overview's
items and draw, controls change the numbers, the shuffle button shows the permutation property,
bad input is explained in Korean and can be fixed, and the JS entry point equals CPython."""

from __future__ import annotations

import pytest

from demos import bridge
from widget_helpers import after, call_all, call_error, close, message, open_widget, stat, wait_updated

LECTURE_8 = "/lectures/lecture-08/"
ATTENTION = '.cs231n-demo[data-demo="attention"]'
VIT = '.cs231n-demo[data-demo="vit-patches"]'
PHONE = {"width": 390, "height": 844}

CALLS = [
    ("demos.attention.scaled_dot_product_attention",
     {"Q": [[0.3, -1.2], [2.0, 0.5], [-0.7, 0.1]], "K": [[1.0, 0.0], [0.4, -0.9], [-1.5, 2.2]],
      "V": [[1.0, 2.0, 3.0], [0.0, -1.0, 4.0], [5.0, 0.5, -2.0]]}),
    ("demos.attention.scaled_dot_product_attention",
     {"Q": [[[0.3, -1.2], [2.0, 0.5]], [[1.0, 1.0], [-3.0, 0.2]]],
      "K": [[1.0, 0.0], [0.4, -0.9], [-1.5, 2.2]], "V": [[1.0], [2.0], [3.0]],
      "mask": [[True, False, True]], "causal": True}),
    ("demos.attention.scaled_dot_product_attention",
     {"Q": [[1e3, -2e3]], "K": [[1e3, 1.0], [-5e2, 3e3]], "V": [[1.0], [-1.0]]}),
    ("demos.attention.multi_head_attention",
     {"X": [[[0.5, -0.2, 1.0, 0.3], [0.1, 0.9, -1.1, 0.0], [1.5, 0.4, 0.2, -0.6]]],
      "Wq": [[0.2 * (i - j) + 0.1 for j in range(4)] for i in range(4)],
      "Wk": [[0.3 * ((i * j) % 3) - 0.2 for j in range(4)] for i in range(4)],
      "Wv": [[0.1 * (i + 2 * j) - 0.4 for j in range(4)] for i in range(4)],
      "Wo": [[1.0 if i == j else 0.25 for j in range(4)] for i in range(4)],
      "num_heads": 2, "causal": True}),
    ("demos.attention.sinusoidal_positional_encoding", {"T": 12, "d": 10}),
    ("demos.attention.patchify",
     {"images": [[[[float(c * 100 + y * 10 + x) for x in range(6)] for y in range(4)]
                  for c in range(2)]], "patch": 2}),
]
BAD_CALLS = [
    ("demos.attention.scaled_dot_product_attention",
     {"Q": [[1.0], [2.0]], "K": [[1.0], [2.0]], "V": [[1.0], [2.0]],
      "mask": [[True, True], [False, False]]}),
    ("demos.attention.scaled_dot_product_attention",
     {"Q": [[1.0]], "K": [[1.0]], "V": [[1.0]], "mask": [[1]]}),
    ("demos.attention.sinusoidal_positional_encoding", {"T": 4, "d": 7}),
    ("demos.attention.patchify", {"images": [[[[1.0] * 6] * 4]], "patch": 4}),
    ("demos.attention.multi_head_attention",
     {"X": [[[1.0, 2.0, 3.0]]], "Wq": [[1.0] * 3] * 3, "Wk": [[1.0] * 3] * 3,
      "Wv": [[1.0] * 3] * 3, "Wo": [[1.0] * 3] * 3, "num_heads": 2}),
]


def open_lecture8(page, site_url, selector: str) -> None:
    open_widget(page, site_url + LECTURE_8, selector)


def figure(page, selector: str, plot_id: str) -> dict:
    return page.evaluate("([sel, id]) => document.querySelector(sel + ` [data-plot=\"${id}\"]`)"
                         ".cs231nFigure", [selector, plot_id])


def test_js_call_equals_cpython_and_errors_are_the_same_korean(page, site_url):
    page.goto(site_url + LECTURE_8)
    got = call_all(page, CALLS)
    for (name, kwargs), ours in zip(CALLS, got):
        assert close(ours, bridge.call(name, kwargs)), name
    # mask hides key 1, causal hides key 2 from both queries: all weight on key 0
    assert got[1][1] == [[[1.0, 0.0, 0.0]] * 2] * 2
    for name, kwargs in BAD_CALLS:
        with pytest.raises((ValueError, TypeError)) as error:
            bridge.resolve(name)(**kwargs)
        assert call_error(page, name, kwargs) == str(error.value)


def test_attention_widget_draws_heads_and_its_switches_change_the_numbers(page, site_url):
    open_lecture8(page, site_url, ATTENTION)
    # beside the overview's self-attention item, inside the overview box
    assert page.locator(f".cs231n-overview {ATTENTION}").count() == 1
    weights = f'{ATTENTION} [data-plot="attention-weights"]'
    assert page.locator(f"{weights} .main-svg").count() >= 1
    heatmaps = [t for t in figure(page, ATTENTION, "attention-weights")["data"]
                if t["type"] == "heatmap"]
    assert len(heatmaps) == 2 and all(len(t["z"]) == 6 for t in heatmaps)
    assert stat(page, ATTENTION, "토큰 수 T") == "6"

    scaled_std = float(stat(page, ATTENTION, "softmax 입력의 표준편차"))
    after(page, ATTENTION, lambda: page.uncheck(f'{ATTENTION} [data-control="scaled"]'))
    assert float(stat(page, ATTENTION, "softmax 입력의 표준편차")) == pytest.approx(
        scaled_std * 8 ** 0.5, abs=0.02)                            # d_k = 8
    assert "포화" in page.inner_text(f"{ATTENTION} .cs231n-outputs")

    after(page, ATTENTION, lambda: page.check(f'{ATTENTION} [data-control="causal"]'))
    z = figure(page, ATTENTION, "attention-weights")["data"][0]["z"]
    assert z[0][1] is None and z[5][0] is not None                # hidden keys are blank

    after(page, ATTENTION, lambda: page.fill(f'{ATTENTION} [data-control="sentence"]',
                                             "나는 오늘 학교 에 갔다 나는"))
    assert stat(page, ATTENTION, "토큰 수 T") == "6"
    ticks = figure(page, ATTENTION, "attention-weights")["layout"]["xaxis"]["ticktext"]
    assert ticks == ["나는", "오늘", "학교", "에", "갔다", "나는"]


def test_shuffling_the_tokens_shuffles_the_outputs_only_without_positions(page, site_url):
    open_lecture8(page, site_url, ATTENTION)
    sentence = f'{ATTENTION} [data-control="sentence"]'
    before = page.input_value(sentence).split()
    after(page, ATTENTION, lambda: page.click(f'{ATTENTION} [data-action="permute"]'))
    shuffled = page.input_value(sentence).split()
    assert sorted(shuffled) == sorted(before) and shuffled != before
    assert float(stat(page, ATTENTION, "max |Y' − P·Y|")) < 1e-12
    rows = page.locator(f"{ATTENTION} .cs231n-table tbody tr")
    assert rows.count() == 6
    assert "permutation equivariant" in page.inner_text(f"{ATTENTION} .cs231n-outputs")

    after(page, ATTENTION, lambda: page.check(f'{ATTENTION} [data-control="positional"]'))
    assert float(stat(page, ATTENTION, "max |Y' − P·Y|")) > 1e-3


def test_attention_bad_inputs_are_korean_and_the_widget_recovers(page, site_url):
    open_lecture8(page, site_url, ATTENTION)
    sentence = f'{ATTENTION} [data-control="sentence"]'
    after(page, ATTENTION, lambda: page.fill(sentence, " ".join(f"w{i}" for i in range(17))))
    assert "최대 16개" in message(page, ATTENTION) and "17개" in message(page, ATTENTION)
    assert page.get_attribute(ATTENTION, "data-state") == "ready"
    after(page, ATTENTION, lambda: page.fill(sentence, " ".join(f"w{i}" for i in range(16))))
    assert message(page, ATTENTION) is None and stat(page, ATTENTION, "토큰 수 T") == "16"

    d_model = f'{ATTENTION} [data-control="d_model"]'
    after(page, ATTENTION, lambda: page.select_option(f'{ATTENTION} [data-control="heads"]', "4"))
    after(page, ATTENTION, lambda: page.fill(d_model, "30"))
    assert "나누어떨어지지" in message(page, ATTENTION)
    after(page, ATTENTION, lambda: page.fill(d_model, "32"))
    assert message(page, ATTENTION) is None and stat(page, ATTENTION, "head당 차원 d_k") == "8"
    after(page, ATTENTION, lambda: page.check(f'{ATTENTION} [data-control="positional"]'))
    after(page, ATTENTION, lambda: page.select_option(f'{ATTENTION} [data-control="heads"]', "1"))
    after(page, ATTENTION, lambda: page.fill(d_model, "31"))
    assert "짝수" in message(page, ATTENTION)
    after(page, ATTENTION, lambda: page.fill(d_model, "64"))
    assert message(page, ATTENTION) is None and stat(page, ATTENTION, "head당 차원 d_k") == "64"


def test_vit_widget_draws_patches_and_the_convolution_difference(page, site_url):
    open_lecture8(page, site_url, VIT)
    assert page.locator(f".cs231n-overview {VIT}").count() == 1
    for plot_id in ("vit-image", "vit-sequence", "vit-tokens"):
        assert page.locator(f'{VIT} [data-plot="{plot_id}"] .main-svg').count() >= 1
    image = page.get_attribute(f'{VIT} [data-plot="vit-image"] .imagelayer image', "href")
    assert image.startswith("data:image/png;base64,")
    assert stat(page, VIT, "패치 수 = 토큰 수") == "(32/8)² = 16"
    assert float(stat(page, VIT, "max |patchify·W − Conv2d|")) < 1e-12

    patch = f'{VIT} [data-control="patch"]'
    after(page, VIT, lambda: page.fill(patch, "5"))
    assert "나누지" in message(page, VIT) and "p = 5" in message(page, VIT)
    assert page.get_attribute(VIT, "data-state") == "ready"
    after(page, VIT, lambda: page.fill(patch, "4"))
    assert message(page, VIT) is None
    assert stat(page, VIT, "패치 수 = 토큰 수") == "(32/4)² = 64"
    assert stat(page, VIT, "패치 하나의 길이 C·p·p") == "3·4·4 = 48"
    assert float(stat(page, VIT, "max |patchify·W − Conv2d|")) < 1e-12
    tokens = figure(page, VIT, "vit-tokens")["data"]
    assert [len(t["z"]) for t in tokens] == [64, 64]

    after(page, VIT, lambda: page.uncheck(f'{VIT} [data-control="positional"]'))
    assert len(figure(page, VIT, "vit-tokens")["data"]) == 1


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_both_widgets_fit_a_phone(page, site_url):
    open_lecture8(page, site_url, ATTENTION)
    page.locator(VIT).scroll_into_view_if_needed()
    wait_updated(page, VIT)
    after(page, ATTENTION, lambda: page.click(f'{ATTENTION} [data-action="permute"]'))  # + table
    for selector in (ATTENTION, VIT):
        assert page.locator(f"{selector} .cs231n-plot").count() >= 2
        for plot in page.locator(f"{selector} .cs231n-plot").all():
            box = plot.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
