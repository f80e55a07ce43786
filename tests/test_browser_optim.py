"""Lecture 3's optimizer demos in real Chromium with the real Pyodide: ``demos.optim`` called from
JavaScript equals CPython, the widget redraws when a control changes or the plot is clicked, and
bad input is explained in Korean and can be fixed."""

from __future__ import annotations

from demos import bridge
from widget_helpers import after, call_all, call_error, close, equal_aspect, fits_its_plot_area, open_widget

LECTURE_3 = "/lectures/lecture-03/"
OPTIM = '.cs231n-demo[data-demo="optim"]'
SCHEDULE = '.cs231n-demo[data-demo="lr-schedule"]'

CALLS = [("demos.optim.trajectory",
          {"surface": "rosenbrock", "optimizer": method, "start": [-1.2, 1.0], "steps": 60,
           "lr": 1e-3 if method in ("sgd", "momentum", "nesterov") else 0.05,
           "weight_decay": 0.01, "schedule": "cosine"})
         for method in ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")]
CALLS += [
    ("demos.optim.trajectory", {"surface": "saddle", "optimizer": "newton", "start": [-1.5, 0.3],
                                "steps": 10, "lr": 1.0}),
    ("demos.optim.run", {"surface": "rosenbrock", "optimizers": ["sgd", "adam"], "steps": 50,
                         "lr": {"sgd": 0.5, "adam": 0.05}, "noise": 0.2, "seed": 1}),
    ("demos.optim.lr_schedule", {"name": "warmup_cosine", "steps": 30, "lr": 0.1, "warmup": 5}),
]


def line(page, name: str) -> dict:
    """x and y of the named optimizer's path on the contour plot."""
    return page.evaluate("""(name) => {
        const node = document.querySelector('.cs231n-demo[data-demo="optim"] [data-plot="paths"]');
        const t = node.data.find((d) => d.name === name && d.mode === 'lines');
        return {x: Array.from(t.x), y: Array.from(t.y)};
    }""", name)


def drawn_end(page, name: str) -> dict:
    """Where the SVG line of the named optimizer's path ends (pixels in the plot area), and where
    the end of its data lies on the axes: the figure is updated in place (a Plotly transition),
    so check the drawing itself, not only the data handed to Plotly."""
    return page.evaluate("""(name) => {
        const node = document.querySelector('.cs231n-demo[data-demo="optim"] [data-plot="paths"]');
        const index = node._fullData.findIndex((d) => d.name === name && d.mode === 'lines');
        const path = node.querySelectorAll('.scatterlayer .trace')[index].querySelector('.js-line');
        const numbers = path.getAttribute('d').match(/-?[0-9.]+(e-?[0-9]+)?/g).map(Number);
        const t = node.data[index], xa = node._fullLayout.xaxis, ya = node._fullLayout.yaxis;
        const end = [xa.c2p(t.x[t.x.length - 1]), ya.c2p(t.y[t.y.length - 1])];
        return {drawn: numbers.slice(-2), data: end};
    }""", name)


def assert_drawn_at_data(page, name: str) -> None:
    end = drawn_end(page, name)
    gaps = [abs(drawn - data) for drawn, data in zip(end["drawn"], end["data"])]
    assert max(gaps) < 0.5, end


def test_call_equals_cpython_and_errors_are_korean(page, site_url):
    page.goto(site_url + LECTURE_3)
    got = call_all(page, CALLS)
    expected = [bridge.call(name, kwargs) for name, kwargs in CALLS]
    for (name, kwargs), ours, theirs in zip(CALLS, got, expected):
        assert close(ours, theirs, rel=1e-9), (name, kwargs.get("optimizer"), ours, theirs)
    assert len(got[0]) == 61 and got[0][0] == [-1.2, 1.0]
    assert got[6][-1] == [0.0, 0.0]                      # Newton sits on the saddle point
    diverged = got[7]["sgd"]
    assert diverged["stopped_at"] is not None and "발산" in diverged["message"]
    assert got[7]["adam"]["stopped_at"] is None and len(got[7]["adam"]["points"]) == 51
    message = call_error(page, "demos.optim.trajectory", {"surface": "quadratic", "optimizer": "adam",
                                                          "start": [0, 0], "steps": 5, "lr": 0})
    assert "learning rate" in message and "0보다 커야" in message


def test_optim_widget_redraws_when_controls_change_and_on_click(page, site_url):
    open_widget(page, site_url + LECTURE_3, OPTIM)
    assert page.get_attribute(OPTIM, "data-state") == "ready"
    first = line(page, "SGD")
    assert len(first["x"]) == 201
    after(page, OPTIM, lambda: page.fill(f'{OPTIM} [data-control="lr_sgd"]', "0.05"))
    slower = line(page, "SGD")
    assert slower != first and slower["x"][0] == first["x"][0]
    assert_drawn_at_data(page, "SGD")
    after(page, OPTIM, lambda: page.select_option(f'{OPTIM} [data-control="surface"]', "saddle"))
    assert line(page, "SGD")["x"][0] == -1.8          # the saddle's own start point

    # clicking the plot moves the start there
    node = f'{OPTIM} [data-plot="paths"]'
    page.locator(node).scroll_into_view_if_needed()
    x, y = page.evaluate("""(sel) => {
        const node = document.querySelector(sel);
        const rect = node.getBoundingClientRect();
        const xa = node._fullLayout.xaxis, ya = node._fullLayout.yaxis;
        return [rect.left + xa._offset + 0.75 * xa._length,
                rect.top + ya._offset + 0.25 * ya._length];
    }""", node)
    after(page, OPTIM, lambda: page.mouse.click(x, y))
    moved = line(page, "SGD")
    assert moved["x"][0] > 0.5 and moved["y"][0] > 0.3   # upper right quarter of the window

    # the scrubber shows a shorter path
    after(page, OPTIM, lambda: page.eval_on_selector(
        f'{OPTIM} [data-control="progress"]',
        "(el) => { el.value = '25'; el.dispatchEvent(new Event('input', {bubbles: true})); }"))
    assert len(line(page, "SGD")["x"]) == 51
    for name in ("SGD", "Adam"):
        assert_drawn_at_data(page, name)


def test_a_new_learning_rate_moves_the_paths_in_place_without_redrawing_the_figure(page, site_url):
    """Only x and y change, so the host hands Plotly the arrays it already has for everything
    else and Plotly animates the traces (duration 0) instead of redrawing axes and layers."""
    open_widget(page, site_url + LECTURE_3, OPTIM)
    page.evaluate("""() => {
        const node = document.querySelector('.cs231n-demo[data-demo="optim"] [data-plot="paths"]');
        window.__paths = node;
        window.__events = [];
        node.on('plotly_transitioned', () => window.__events.push('transitioned'));
        node.on('plotly_afterplot', () => window.__events.push('afterplot'));
        window.__symbols = node.data.find((t) => t.name === '현재 위치').marker.symbol;
    }""")
    before = line(page, "SGD")
    after(page, OPTIM, lambda: page.fill(f'{OPTIM} [data-control="lr_sgd"]', "0.05"))
    page.wait_for_function("window.__events.length > 0")
    page.wait_for_timeout(200)      # a full redraw would also have come by now
    assert line(page, "SGD") != before
    assert_drawn_at_data(page, "SGD")
    assert page.evaluate("window.__events") == ["transitioned"]
    symbols = "window.__paths.data.find((t) => t.name === '현재 위치').marker.symbol"
    assert page.evaluate(f"{symbols} === window.__symbols")


def test_optim_bad_input_is_korean_and_fixing_it_recovers(page, site_url):
    open_widget(page, site_url + LECTURE_3, OPTIM)
    box = f'{OPTIM} [data-control="lr_adaptive"]'
    before = line(page, "Adam")
    after(page, OPTIM, lambda: page.fill(box, "abc"))
    message = page.inner_text(f"{OPTIM} .cs231n-message")
    assert "learning rate" in message and "숫자" in message
    assert page.get_attribute(OPTIM, "data-state") == "ready"
    after(page, OPTIM, lambda: page.fill(f'{OPTIM} [data-control="beta2"]', "1"))
    after(page, OPTIM, lambda: page.fill(box, "0.02"))
    assert "β₂" in page.inner_text(f"{OPTIM} .cs231n-message") or "beta2" in page.inner_text(
        f"{OPTIM} .cs231n-message")
    after(page, OPTIM, lambda: page.fill(f'{OPTIM} [data-control="beta2"]', "0.999"))
    assert page.locator(f"{OPTIM} .cs231n-message").is_hidden()
    assert line(page, "Adam") != before


def test_lr_schedule_widget_draws_every_schedule(page, site_url):
    open_widget(page, site_url + LECTURE_3, SCHEDULE)
    names = page.evaluate(
        "(sel) => document.querySelector(sel + ' [data-plot=\"schedules\"]').data.map(d => d.name)",
        SCHEDULE)
    assert len(names) == 6 and any(n.startswith("cosine") for n in names)


def test_on_a_phone_the_paths_figure_is_only_as_tall_as_its_width_needs(page, site_url):
    open_widget(page, site_url + LECTURE_3, OPTIM)
    paths = f'{OPTIM} [data-plot="paths"]'
    assert equal_aspect(page, paths)["height"] == 420
    page.set_viewport_size({"width": 390, "height": 844})     # a phone (or a window made narrow)
    page.wait_for_function("(plot) => document.querySelector(plot)._fullLayout.height < 420", arg=paths)
    assert fits_its_plot_area(page, paths)["height"] < 320
