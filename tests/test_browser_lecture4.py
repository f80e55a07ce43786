"""Lecture 4's demos in real Chromium with the real Pyodide: the JS entry point equals CPython, the
computational graph steps forward and backward, a bad expression is explained in Korean and can be
fixed, and the two-layer net trains from its repeat button, stops when pressed again and when the
reader leaves the page."""

from __future__ import annotations

from demos import bridge
from widget_helpers import (after, call_all, call_error, close, edit, message, open_widget, stat,
                            updates, wait_updated)

LECTURE_4 = "/lectures/lecture-04/"
GRAPH = '.cs231n-demo[data-demo="backprop-graph"]'
MLP = '.cs231n-demo[data-demo="mlp-train"]'

NET = {"X": [[0.5, -1.0], [1e3, 2e3], [-0.3, 0.8]], "y": [0, 2, 1],
       "W1": [[1.0, -2.0, 0.5, 3.0], [0.3, 0.7, -1.0, 2.0]], "b1": [0.1, 0.0, -0.2, 0.0],
       "W2": [[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, -1.0, 1.0], [1.0, 1.0, 3.0]],
       "b2": [0.0, 0.5, -0.5], "reg": 0.01}
CALLS = [
    ("demos.backprop.evaluate_expression", {"expression": "(x+y)*z",
                                            "values": {"x": -2, "y": 5, "z": -4}}),
    ("demos.backprop.evaluate_expression", {"expression": "1/(1+exp(-(w0*x0+w1*x1+w2)))",
                                            "values": {"w0": 2, "x0": -1, "w1": -3, "x1": -2,
                                                       "w2": -3}}),
    ("demos.backprop.evaluate_expression", {"expression": "max(x, y)*z + tanh(x)**2 - log(y)",
                                            "values": {"x": 1.5, "y": 1.5, "z": 2}}),
    *[("demos.backprop.two_layer_net_loss", {**NET, "activation": a})
      for a in ("relu", "tanh", "sigmoid", "leaky_relu")],
]


def shown_step(page) -> str:
    return stat(page, GRAPH, "단계")


def test_call_equals_cpython_and_errors_are_korean(page, site_url):
    page.goto(site_url + LECTURE_4)
    got = call_all(page, CALLS)
    expected = [bridge.call(name, kwargs) for name, kwargs in CALLS]
    for (name, _), ours, theirs in zip(CALLS, got, expected):
        assert close(ours, theirs, rel=1e-10), (name, ours, theirs)
    assert got[0] == {"value": -12.0, "grads": {"x": -4.0, "y": -4.0, "z": 3.0}}
    refused = call_error(page, "demos.backprop.evaluate_expression",
                         {"expression": "__import__('os')", "values": {}})
    assert "쓸 수 있는 함수가 아닙니다" in refused


def test_graph_shows_values_and_steps_through_backward(page, site_url):
    open_widget(page, site_url + LECTURE_4, GRAPH)
    assert shown_step(page) == "7 / 7" and stat(page, GRAPH, "출력값") == "-12"
    texts = page.evaluate("""(sel) => document.querySelector(sel + ' [data-plot="backprop-graph"]')
        .data.flatMap((t) => t.text || [])""", GRAPH)
    assert "-12" in texts and "-4" in texts and "3" in texts      # values and gradients drawn
    after(page, GRAPH, lambda: page.click(f'{GRAPH} [data-action="first"]'))
    assert shown_step(page) == "0 / 7"
    for _ in range(5):
        after(page, GRAPH, lambda: page.click(f'{GRAPH} [data-action="next"]'))
    assert shown_step(page) == "5 / 7"
    assert "upstream 1 × local 3 = downstream 3" in page.inner_text(GRAPH)
    assert "mul gate: 서로 바꿔 곱함" in page.inner_text(GRAPH)
    after(page, GRAPH, lambda: page.click(f'{GRAPH} [data-action="preset_fanout"]'))
    assert page.input_value(f'{GRAPH} [data-control="expression"]') == "x*x*x+3*x"


def test_a_bad_expression_is_korean_and_the_widget_recovers(page, site_url):
    open_widget(page, site_url + LECTURE_4, GRAPH)
    edit(page, GRAPH, "expression", "x.y + 1")
    assert "속성 접근" in message(page, GRAPH)
    edit(page, GRAPH, "expression", "(x+y)*z*2")
    assert message(page, GRAPH) is None and stat(page, GRAPH, "출력값") == "-24"


def test_mlp_trains_stops_when_pressed_again_and_when_leaving(page, site_url):
    open_widget(page, site_url + LECTURE_4, MLP)
    first_loss = float(stat(page, MLP, "손실 (loss)"))
    run = f'{MLP} [data-action="run"]'
    start = updates(page, MLP)
    page.click(run)
    wait_updated(page, MLP, start + 5)
    page.click(run)
    page.wait_for_function("(sel) => !document.querySelector(sel).cs231nWidget.busy", arg=MLP)
    stopped = updates(page, MLP)
    assert float(stat(page, MLP, "손실 (loss)")) < first_loss
    assert int(stat(page, MLP, "step")) >= 5 * 8
    page.wait_for_timeout(500)
    assert updates(page, MLP) == stopped
    # The address shares settings, not the run: no weights or loss history in a link.
    assert not any(f"mlp-train.{name}=" in page.url for name in ("params", "history", "steps", "config"))
    # Running again, then leaving the page by instant navigation: the loop must end.
    page.click(run)
    wait_updated(page, MLP, stopped + 2)
    page.evaluate("(sel) => { window.__sameDocument = true;"
                  " window.__oldMlp = document.querySelector(sel); }", MLP)
    page.click('nav.md-nav--primary a.md-nav__link[href$="lecture-03/"]')
    page.wait_for_url("**/lecture-03/")
    # The update in flight when the reader left may still finish; none may follow it.
    page.wait_for_function("() => !window.__oldMlp.isConnected", timeout=60_000)
    page.wait_for_function("() => !window.__oldMlp.cs231nWidget.busy", timeout=60_000)
    page.wait_for_timeout(300)
    left = page.evaluate("Number(window.__oldMlp.dataset.updates)")
    page.wait_for_timeout(1000)
    assert page.evaluate("Number(window.__oldMlp.dataset.updates)") == left
    assert page.evaluate("window.__sameDocument") is True


def test_comparison_panels_on_a_phone_take_only_the_height_their_width_needs(page, site_url):
    """Three equal-aspect panels side by side: the figure is as tall as one panel is wide (plus its
    titles), not the 300 px a desktop gets, so no empty bands sit above and below the maps."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_widget(page, site_url + LECTURE_4, MLP)
    before = updates(page, MLP)
    page.select_option(f'{MLP} select[data-control="view"]', "compare")
    wait_updated(page, MLP, before + 1)
    plot = page.locator(f'{MLP} .cs231n-plot').first
    box = plot.locator(".main-svg").first.bounding_box()   # the figure (its box has a min-height)
    panel = page.locator(f'{MLP} .cs231n-plot .xy .nsewdrag').first.bounding_box()
    assert abs(panel["width"] - panel["height"]) <= 2          # still square
    assert box["height"] <= panel["height"] + 58 + 4 + 4       # titles and margins, no bands
