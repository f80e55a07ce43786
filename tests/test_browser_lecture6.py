"""Lecture 6's widgets in real Chromium with the real Pyodide: each draws its picture, follows its
controls with the same numbers as CPython, explains bad input in Korean and stays usable; the
demos.training contract called through window.cs231n.call equals CPython."""

from __future__ import annotations

import re

import pytest

from demos import bridge, widget
from widget_helpers import (after, call_all, call_error, close, message, open_widget, set_slider,
                            wait_updated)

LECTURE_6 = "/lectures/lecture-06/"
INIT = '.cs231n-demo[data-demo="init-depth"]'
NORM = '.cs231n-demo[data-demo="batchnorm"]'
DROP = '.cs231n-demo[data-demo="dropout"]'
PHONE = {"width": 390, "height": 844}
HANGUL = re.compile(r"[가-힣]")


def choose(page, selector: str, name: str, value: str) -> None:
    after(page, selector, lambda: page.select_option(f'{selector} [data-control="{name}"]', value))


def stats(page, selector: str) -> dict[str, str]:
    """The stats box as {label: value}."""
    return dict(page.eval_on_selector_all(
        f"{selector} .cs231n-stats > div",
        "(items) => items.map((d) => [d.querySelector('dt').innerText.trim(),"
        " d.querySelector('dd').innerText.trim()])"))


def texts(page, selector: str) -> str:
    return " ".join(page.locator(f"{selector} .cs231n-text").all_inner_texts())


def figure(page, selector: str, plot_id: str) -> dict:
    return page.eval_on_selector(f'{selector} [data-plot="{plot_id}"]', "(node) => node.cs231nFigure")


def cpython(widget_id: str, state: dict) -> dict:
    answer = widget.update(widget_id, state)
    assert answer["ok"], answer
    return answer


def cpython_stats(answer: dict) -> dict[str, str]:
    items = next(o for o in answer["outputs"] if o["kind"] == "stats")["items"]
    return {label: str(value) for label, value in items}


NUMBER = re.compile(r"-?\d+(?:\.(\d+))?(?:e[-+]?\d+)?")


def same_stats(shown: dict[str, str], expected: dict[str, str]) -> bool:
    """The same labels and texts, decimals equal up to one unit of their last shown digit (the
    browser's NumPy sums in another order, so a value on a rounding edge may round the other
    way), whole numbers exactly."""
    if shown.keys() != expected.keys():
        return False
    for label, text in shown.items():
        ours, theirs = NUMBER.findall(text), NUMBER.findall(expected[label])
        if NUMBER.sub("#", text) != NUMBER.sub("#", expected[label]) or len(ours) != len(theirs):
            return False
        for a, b in zip(NUMBER.finditer(text), NUMBER.finditer(expected[label])):
            if a.group(1) is None:
                unit = 0.0
            else:
                unit = 10.0 ** -len(a.group(1)) * (10.0 ** int(a.group(0).split("e")[1])
                                                   if "e" in a.group(0) else 1.0)
            if abs(float(a.group(0)) - float(b.group(0))) > 1.01 * unit:
                return False
    return True


def cpython_figure(answer: dict, plot_id: str) -> dict:
    return next(o["figure"] for o in answer["outputs"]
                if o["kind"] == "plot" and o["id"] == plot_id)


def drawn(page, selector: str, plot_id: str) -> bool:
    return page.locator(f'{selector} [data-plot="{plot_id}"] .main-svg').count() >= 1


def test_init_depth_draws_the_collapse_then_follows_its_controls(page, site_url):
    open_widget(page, site_url + LECTURE_6, INIT)
    assert drawn(page, INIT, "histograms") and drawn(page, INIT, "layers")
    assert same_stats(stats(page, INIT), cpython_stats(cpython("init-depth", {})))
    assert "0으로 줄어듭니다" in texts(page, INIT)

    choose(page, INIT, "init", "kaiming")
    choose(page, INIT, "activation", "relu")
    set_slider(page, INIT, "depth", 16)
    state = {"init": "kaiming", "activation": "relu", "depth": "16"}
    expected = cpython("init-depth", state)
    assert same_stats(stats(page, INIT), cpython_stats(expected))
    heatmap = figure(page, INIT, "histograms")["data"][0]
    assert len(heatmap["y"]) == 16
    assert close(heatmap["z"], cpython_figure(expected, "histograms")["data"][0]["z"])
    assert close(figure(page, INIT, "layers")["data"], cpython_figure(expected, "layers")["data"],
                 rel=1e-9)

    after(page, INIT, lambda: page.click(f'{INIT} [data-control="batchnorm"]'))
    assert "학습하기 좋은" in texts(page, INIT)


def test_init_depth_bad_seed_is_explained_in_korean_and_can_be_fixed(page, site_url):
    open_widget(page, site_url + LECTURE_6, INIT)
    after(page, INIT, lambda: page.fill(f'{INIT} [data-control="seed"]', "열"))
    text = message(page, INIT)
    assert text and "seed" in text and HANGUL.search(text)
    assert drawn(page, INIT, "histograms")                     # the last picture stays
    after(page, INIT, lambda: page.fill(f'{INIT} [data-control="seed"]', "3"))
    assert message(page, INIT) is None
    assert same_stats(stats(page, INIT), cpython_stats(cpython("init-depth", {"seed": "3"})))


def test_batchnorm_train_eval_batch_of_one_and_layer_norm(page, site_url):
    open_widget(page, site_url + LECTURE_6, NORM)
    assert drawn(page, NORM, "batch") and drawn(page, NORM, "axis") and drawn(page, NORM, "running")
    assert same_stats(stats(page, NORM), cpython_stats(cpython("batchnorm", {})))
    assert "달라집니다" in texts(page, NORM)

    set_slider(page, NORM, "batch", 1)
    assert "분산이 0" in page.locator(f"{NORM} .cs231n-text--warn").first.inner_text()
    assert figure(page, NORM, "batch")["data"][2]["x"] == [0]  # the one example goes to beta = 0

    choose(page, NORM, "norm", "bn_eval")
    set_slider(page, NORM, "steps", 300)
    assert "예제 1개짜리 배치도" in texts(page, NORM)
    state = {"norm": "bn_eval", "batch": "1", "steps": "300"}
    assert same_stats(stats(page, NORM), cpython_stats(cpython("batchnorm", state)))

    choose(page, NORM, "norm", "ln")
    assert page.locator(f'{NORM} [data-plot="running"]').count() == 0
    frame = figure(page, NORM, "axis")["layout"]["shapes"][0]
    assert (frame["x0"], frame["x1"]) == (-0.5, 3.5)           # one row, every feature


def test_batchnorm_bad_gamma_is_explained_in_korean_and_can_be_fixed(page, site_url):
    open_widget(page, site_url + LECTURE_6, NORM)
    cell = f'{NORM} [data-control="affine"] input[data-cell="0,0"]'
    after(page, NORM, lambda: page.fill(cell, "두 배"))
    text = message(page, NORM)
    assert text and "γ" in text and "특징 1" in text
    after(page, NORM, lambda: page.fill(cell, "2"))
    assert message(page, NORM) is None
    affine = [["2", "0"]] + [["1", "0"]] * 3
    assert close(figure(page, NORM, "batch")["data"][2]["x"],
                 cpython_figure(cpython("batchnorm", {"affine": affine}), "batch")["data"][2]["x"])


def test_dropout_masks_conventions_and_everything_dropped(page, site_url):
    open_widget(page, site_url + LECTURE_6, DROP)
    assert drawn(page, DROP, "units") and drawn(page, DROP, "masks")
    assert same_stats(stats(page, DROP), cpython_stats(cpython("dropout", {})))
    first = figure(page, DROP, "units")["data"][1]["y"]
    after(page, DROP, lambda: page.click(f'{DROP} [data-action="resample"]'))
    assert figure(page, DROP, "units")["data"][1]["y"] != first
    assert same_stats(stats(page, DROP), cpython_stats(cpython("dropout", {"draws": 1})))

    choose(page, DROP, "convention", "vanilla")
    set_slider(page, DROP, "masks", 3.0)                      # log slider: 10^3 masks
    state = {"convention": "vanilla", "masks": "1000", "draws": 1}
    assert same_stats(stats(page, DROP), cpython_stats(cpython("dropout", state)))
    header = page.locator(f"{DROP} .cs231n-table thead").inner_text()
    assert "강의 방식" in header and "Inverted" in header
    assert page.locator(f"{DROP} .cs231n-table tbody tr").count() == 3

    set_slider(page, DROP, "p", 1)
    assert "p = 1" in texts(page, DROP)
    # Out-of-range values never come from the slider, but the state is the reader's (an address,
    # an older page): the same Korean message in the browser as in CPython.
    answer = call_all(page, [("demos.widget.update", {"widget_id": "dropout",
                                                      "state": {"p": "1.5"}})])[0]
    assert not answer["ok"]
    assert answer["message"] == widget.update("dropout", {"p": "1.5"})["message"]


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_every_lecture6_picture_fits_a_phone(page, site_url):
    page.goto(site_url + LECTURE_6)
    for selector, plots in ((NORM, ["batch", "axis", "running"]), (DROP, ["units", "masks"]),
                            (INIT, ["histograms", "layers"])):
        page.locator(selector).scroll_into_view_if_needed()
        wait_updated(page, selector)
        for plot_id in plots:
            box = page.locator(f'{selector} [data-plot="{plot_id}"]').bounding_box()
            assert 0 < box["width"] <= PHONE["width"] and box["x"] >= 0, (plot_id, box)


CALLS = [
    ("demos.training.batchnorm_forward",
     {"x": [[1.0, 10.0], [3.0, 10.0], [-2.0, 4.5]], "gamma": [2.0, 0.5], "beta": [0.5, -1.0],
      "running_mean": [0.0, 1.0], "running_var": [1.0, 2.0], "momentum": 0.3}),
    ("demos.training.batchnorm_forward",
     {"x": [[4.0, 0.0]], "gamma": [1.0, 3.0], "beta": [0.0, 1.0], "running_mean": [2.0, -1.0],
      "running_var": [4.0, 0.25], "training": False}),
    ("demos.training.batchnorm_backward",
     {"dout": [[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]], "x": [[1.0, 10.0], [3.0, 10.0], [-2.0, 4.5]],
      "gamma": [2.0, 0.5], "eps": 1e-3}),
    ("demos.training.layernorm_forward",
     {"x": [[1.0, 2.0, 4.0], [-1.0, -1.0, -1.0]], "gamma": [1.0, 2.0, 3.0],
      "beta": [0.0, 0.5, 1.0]}),
    ("demos.training.init_std", {"scheme": "kaiming", "fan_in": 128, "fan_out": 64,
                                 "nonlinearity": "tanh"}),
    ("demos.training.init_std", {"scheme": "kaiming", "fan_in": 50, "fan_out": 7,
                                 "nonlinearity": "leaky_relu", "a": 0.2}),
    ("demos.training.init_std", {"scheme": "xavier", "fan_in": 300, "fan_out": 100, "gain": 1.5}),
    ("demos.training.dropout_forward", {"x": [[1.0, -2.0, 3.0]], "p": 0.25, "mask": [[1, 0, 1]]}),
    ("demos.training.dropout_forward", {"x": [[1.0, -2.0, 3.0]], "p": 1, "mask": [[1, 0, 1]]}),
    ("demos.training.running_statistics",
     {"batches": [[[1.0, 2.0], [3.0, -1.0]], [[0.0, 0.5], [2.0, 2.5]]], "momentum": 0.2}),
    ("demos.training.deep_net",
     {"x": [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], "weights": [[[0.9, -0.4], [0.3, 1.1]]] * 3,
      "upstream": [[1.0, 0.0], [0.0, 1.0], [0.5, -0.5]], "activation": "tanh",
      "batchnorm": True, "residual": True}),
]
BAD_CALLS = [
    ("demos.training.batchnorm_forward", {"x": [[1.0, 2.0]], "gamma": None, "beta": None,
                                          "running_mean": None, "running_var": None}),
    ("demos.training.init_std", {"scheme": "he", "fan_in": 3, "fan_out": 3}),
    ("demos.training.dropout_forward", {"x": [[1.0, 2.0]], "p": 0.5, "mask": [[1, 0.5]]}),
    ("demos.training.layernorm_forward", {"x": [[5.0], [7.0]], "gamma": None, "beta": None,
                                          "eps": 0}),
]


def test_js_call_equals_cpython_and_errors_are_the_same_korean(page, site_url):
    page.goto(site_url + LECTURE_6)
    got = call_all(page, CALLS)
    for (name, kwargs), ours in zip(CALLS, got):
        assert close(ours, bridge.call(name, kwargs)), (name, ours)
    assert got[4] == pytest.approx(5 / 3 / 128 ** 0.5, rel=1e-15)
    for name, kwargs in BAD_CALLS:
        with pytest.raises((ValueError, TypeError)) as excinfo:
            bridge.resolve(name)(**kwargs)
        assert call_error(page, name, kwargs) == str(excinfo.value)
