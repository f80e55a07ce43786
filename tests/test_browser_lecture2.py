"""Lecture 2's demos in real Chromium with the real Pyodide: the JS entry point equals CPython, the
kNN picture follows its controls and clicks, bad input is explained in Korean and can be fixed, and
the linear classifier trains from its buttons."""

from __future__ import annotations

import math

import pytest

from demos import bridge
from widget_helpers import (after, call_all, call_error, click_plot, close, fits_its_plot_area, open_widget,
                            set_slider, stat, updates, wait_updated)

LECTURE_2 = "/lectures/lecture-02/"
KNN = '.cs231n-demo[data-demo="knn"]'
KNN_CV = '.cs231n-demo[data-demo="knn-cv"]'
LINEAR = '.cs231n-demo[data-demo="linear-loss"]'

CALLS = [
    ("demos.knn.pairwise_distances", {"A": [[0, 0], [1.5, -2]], "B": [[3, 4], [1, 1], [0, 0]],
                                      "metric": "l2"}),
    ("demos.knn.pairwise_distances", {"A": [[0, 0], [1.5, -2]], "B": [[3, 4], [1, 1]],
                                      "metric": "l1"}),
    ("demos.knn.knn_predict", {"X_train": [[0, 0], [0, 0], [5, 5], [1, 0], [0, 1]],
                               "y_train": [1, 0, 2, 3, 3], "X_query": [[0, 0], [4, 4], [0.4, 0.4]],
                               "k": 2, "metric": "l1"}),
    ("demos.knn.knn_predict", {"X_train": [[0, 0], [0, 0], [5, 5], [1, 0], [0, 1]],
                               "y_train": [1, 0, 2, 3, 3], "X_query": [[0, 0], [4, 4], [0.4, 0.4]],
                               "k": 1, "metric": "l1"}),
    ("demos.knn.cross_validate", {"X": [[i * 0.37 % 1, i * 0.61 % 1] for i in range(20)],
                                  "y": [i % 3 for i in range(20)], "ks": [1, 3, 5],
                                  "num_folds": 4}),
    ("demos.linear.softmax_loss", {"W": [[1e4, 0, -1e4], [0, 1e4, 0]], "b": [0, 0, 0],
                                   "X": [[1, 0], [0.5, 0.5]], "y": [1, 2], "reg": 0.1}),
    ("demos.linear.svm_loss", {"W": [[1, 2, 0], [0, 1, 1]], "b": [0, 0, 0.5],
                               "X": [[1, -1], [0.2, 0.3]], "y": [0, 2], "reg": 0.05,
                               "delta": 2}),
]








def background(page, selector: str) -> str:
    """The decision regions as Plotly drew them: the PNG under the plot's traces (its href)."""
    return page.evaluate("""(sel) => {
        const image = document.querySelector(sel + ' [data-plot="knn-plane"] .imagelayer image');
        return image ? image.getAttribute('href') : null;
    }""", selector)


def test_call_equals_cpython_and_errors_are_korean(page, site_url):
    page.goto(site_url + LECTURE_2)
    got = call_all(page, CALLS)
    expected = [bridge.call(name, kwargs) for name, kwargs in CALLS]
    for (name, _), ours, theirs in zip(CALLS, got, expected):
        assert close(ours, theirs), (name, ours, theirs)
    assert got[2] == [0, 2, 0]  # vote ties -> smallest label
    assert got[3] == [1, 2, 1]  # equal distances -> lower training index first
    assert math.isfinite(got[5][0])  # scores of 1e4 stay finite in the browser too
    message = call_error(page, "demos.knn.knn_predict",
                         {"X_train": [[0, 0]], "y_train": [0], "X_query": [[1, 1]], "k": 3})
    assert "k(3)" in message and "이하" in message


def test_knn_picture_follows_k_metric_and_clicks(page, site_url):
    open_widget(page, site_url + LECTURE_2, KNN)
    first = background(page, KNN)
    assert first.startswith("data:image/png;base64,") and len(first) > 1000
    set_slider(page, KNN, "k", 1)
    after_k = background(page, KNN)
    assert after_k != first and stat(page, KNN, "k") == "1"
    after(page, KNN, lambda: page.select_option(f'{KNN} [data-control="metric"]', "l1"))
    assert background(page, KNN) != after_k and stat(page, KNN, "거리") == "L1"

    assert stat(page, KNN, "학습 점") == "60"
    after(page, KNN, lambda: page.select_option(f'{KNN} [data-control="add_class"]', "1"))
    click_plot(page, KNN, "knn-plane", 0.9, 0.1)  # an empty corner
    assert stat(page, KNN, "학습 점") == "61"
    state = page.evaluate(f"document.querySelector('{KNN}').cs231nWidget.rawState()")
    (x, y, label), = state["points"]
    assert label == 1 and x > 1.0 and y > 1.0

    after(page, KNN, lambda: page.select_option(f'{KNN} [data-control="mode"]', "query"))
    click_plot(page, KNN, "knn-plane", 0.5, 0.5)
    assert page.locator(f'{KNN} [data-plot="knn-votes"]').is_visible()
    rows = page.locator(f"{KNN} .cs231n-table tbody tr")
    assert rows.count() == 1  # k = 1 now


def test_knn_rotation_reports_l1_change(page, site_url):
    open_widget(page, site_url + LECTURE_2, KNN)
    after(page, KNN, lambda: page.select_option(f'{KNN} [data-control="metric"]', "l1"))
    set_slider(page, KNN, "angle", 30)
    changed = stat(page, KNN, "회전 후 달라진 영역")
    assert changed and float(changed.rstrip("%")) > 1.0
    after(page, KNN, lambda: page.select_option(f'{KNN} [data-control="metric"]', "l2"))
    assert stat(page, KNN, "회전 후 달라진 영역") == "0.0%"


def test_knn_bad_input_is_korean_and_fixing_it_recovers(page, site_url):
    open_widget(page, site_url + LECTURE_2, KNN)
    seed = f'{KNN} [data-control="seed"]'
    after(page, KNN, lambda: page.fill(seed, "abc"))
    message = page.inner_text(f"{KNN} .cs231n-message")
    assert "seed" in message and "숫자" in message
    assert page.get_attribute(KNN, "data-state") == "ready"
    set_slider(page, KNN, "n_points", 10)
    after(page, KNN, lambda: page.fill(seed, "3"))
    assert page.locator(f"{KNN} .cs231n-message").is_hidden()
    assert stat(page, KNN, "학습 점") == "10"
    set_slider(page, KNN, "k", 25)  # more neighbours than points
    assert "이하" in page.inner_text(f"{KNN} .cs231n-message")
    set_slider(page, KNN, "k", 3)
    assert page.locator(f"{KNN} .cs231n-message").is_hidden()
    assert stat(page, KNN, "k") == "3"


def test_knn_cv_chart_marks_best_k(page, site_url):
    open_widget(page, site_url + LECTURE_2, KNN_CV)
    best = stat(page, KNN_CV, "best k")
    star = page.evaluate(
        "(sel) => document.querySelector(sel + ' [data-plot=\"knn-cv\"]').data[3].x[0]", KNN_CV)
    assert best == str(star)


def test_linear_step_trains_and_bad_weight_is_explained(page, site_url):
    open_widget(page, site_url + LECTURE_2, LINEAR)
    w00 = f'{LINEAR} [data-control="W"] [data-cell="0,0"]'
    before_w = page.input_value(w00)
    before_loss = float(stat(page, LINEAR, "Softmax 전체 손실 (학습 중)"))
    after(page, LINEAR, lambda: page.click(f'{LINEAR} [data-action="step"]'))
    assert page.input_value(w00) != before_w
    assert float(stat(page, LINEAR, "Softmax 전체 손실 (학습 중)")) < before_loss
    assert stat(page, LINEAR, "학습 step") == "1"

    after(page, LINEAR, lambda: page.fill(w00, "abc"))
    message = page.inner_text(f"{LINEAR} .cs231n-message")
    assert "W[x₁, 클래스 0]" in message and "숫자" in message
    after(page, LINEAR, lambda: page.fill(w00, "0"))
    assert page.locator(f"{LINEAR} .cs231n-message").is_hidden()

    after(page, LINEAR, lambda: page.click(f'{LINEAR} [data-action="zero"]'))
    tables = page.inner_text(f"{LINEAR} .cs231n-outputs")
    assert "1.0986" in tables and "C − 1 = 2" in tables


@pytest.mark.parametrize("page", [{"width": 390, "height": 844}], indirect=True)
def test_phone_width_plot_fits_and_a_tap_adds_a_point(page, site_url):
    open_widget(page, site_url + LECTURE_2, KNN)
    box = page.locator(f'{KNN} [data-plot="knn-plane"]').bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    click_plot(page, KNN, "knn-plane", 0.1, 0.9)
    assert stat(page, KNN, "학습 점") == "61"


def test_run_repeats_training_steps_until_pressed_again(page, site_url):
    open_widget(page, site_url + LECTURE_2, LINEAR)
    run = f'{LINEAR} [data-action="run"]'
    start = updates(page, LINEAR)
    page.click(run)
    assert page.inner_text(run) == "■ 정지"
    wait_updated(page, LINEAR, start + 4)  # it keeps stepping on its own
    page.click(run)
    assert page.inner_text(run) == "실행 / 정지"
    page.wait_for_function("(sel) => !document.querySelector(sel).cs231nWidget.busy", arg=LINEAR)
    stopped = updates(page, LINEAR)
    page.wait_for_timeout(500)
    assert updates(page, LINEAR) == stopped  # and stops when pressed again


def test_on_a_phone_the_knn_plane_is_only_as_tall_as_its_width_needs(page, site_url):
    page.set_viewport_size({"width": 390, "height": 844})
    open_widget(page, site_url + LECTURE_2, KNN)
    plane = f'{KNN} [data-plot="knn-plane"]'
    assert fits_its_plot_area(page, plane)["height"] < 400      # it asks for 400
    # The label of the top tick, half above the plot area, still has room in the margin.
    top, labels = page.evaluate("""(plot) => {
        const node = document.querySelector(plot);
        const shown = [...node.querySelectorAll('.ytick text')].filter((t) => getComputedStyle(t).display !== 'none');
        return [node._fullLayout.yaxis.range[1], shown.map((t) => t.textContent)];
    }""", plane)
    assert f"{top:g}" in labels, (top, labels)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function("(plot) => document.querySelector(plot)._fullLayout.height === 400", arg=plane)
