"""Issue 22 in real Chromium with the real Pyodide: the reader's latest input wins, a busy runtime
never strands a page, a stalled download says so and can be retried, the call API always settles
in Korean, and every plot click has a keyboard path.

Readers are played with real key presses and mouse clicks (Playwright's keyboard and mouse), at a
human pace and with no delay between keys.
"""

from __future__ import annotations

import json
import re

import pytest

from demos import bridge, widget
from widget_helpers import close, show_advanced, updates, wait_updated

LECTURE_2 = "/lectures/lecture-02/"
LECTURE_3 = "/lectures/lecture-03/"
LECTURE_5 = "/lectures/lecture-05/"
KNN = '.cs231n-demo[data-demo="knn"]'
LINEAR = '.cs231n-demo[data-demo="linear-loss"]'
OPTIM = '.cs231n-demo[data-demo="optim"]'
SCHEDULE = '.cs231n-demo[data-demo="lr-schedule"]'
STACK = '.cs231n-demo[data-demo="conv-stack"]'
LOAD_TIMEOUT = 120_000
HANGUL = re.compile("[\uac00-\ud7a3]")
INFINITE_LOOP = "while True:\n    pass"


def open_widget(page, site_url, path: str, selector: str) -> None:
    page.goto(site_url + path)
    page.locator(selector).scroll_into_view_if_needed()
    wait_updated(page, selector, timeout=LOAD_TIMEOUT)
    show_advanced(page, selector)   # the tests reach every control, primary or not


def wait_idle(page, selector: str) -> None:
    """Wait until the widget has answered every edit and event the reader made."""
    page.wait_for_function("(sel) => { const w = document.querySelector(sel).cs231nWidget;"
                           " return !w.busy && !w.queued && !w.events.length; }", arg=selector)


def after(page, selector: str, action) -> None:
    before = updates(page, selector)
    action()
    wait_updated(page, selector, before + 1)
    wait_idle(page, selector)


def set_slider(page, selector: str, name: str, value) -> None:
    after(page, selector, lambda: page.eval_on_selector(
        f'{selector} [data-control="{name}"]',
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }", value))


def stat(page, selector: str, label: str) -> str | None:
    """The value shown beside a Korean stats label."""
    return page.evaluate("""([sel, label]) => {
        const lines = document.querySelector(sel + ' .cs231n-stats').innerText.split('\\n')
            .map((s) => s.trim()).filter(Boolean);
        const i = lines.indexOf(label);
        return i >= 0 ? lines[i + 1] : null;
    }""", [selector, label])


def message(page, selector: str) -> str | None:
    node = page.locator(f"{selector} .cs231n-message")
    return None if node.is_hidden() else node.inner_text()


def is_focused(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "(el) => el === document.activeElement")


def keep_the_worker_busy(page, seconds: float = 1.5) -> None:
    """Occupy the one worker for ``seconds`` (as a code cell or a long update would): the answers to
    what the reader types next all arrive after they have finished typing."""
    page.evaluate("""async (s) => {
        window.cs231n.call('demos.cells.run', {code: `import time\ntime.sleep(${s})`, namespace: 'busy'});
        await new Promise((resolve) => setTimeout(resolve, 50));
    }""", seconds)


# ---------------------------------------------------------------------------------------------
# 1. The reader's latest input wins.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("delay", [50, 0])
def test_every_key_press_on_the_k_slider_counts_while_answers_arrive(page, site_url, delay):
    open_widget(page, site_url, LECTURE_2, KNN)
    set_slider(page, KNN, "n_points", 300)   # slow answers: the presses outrun them
    after(page, KNN, lambda: page.select_option(f'{KNN} [data-control="metric"]', "l1"))
    k = f'{KNN} [data-control="k"]'
    assert page.input_value(k) == "5"
    page.focus(k)
    for _ in range(10):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(delay)
    wait_idle(page, KNN)
    assert page.input_value(k) == "15"
    assert stat(page, KNN, "k") == "15"                      # the picture is of k = 15 too
    assert page.get_attribute(k, "aria-valuetext") == "15"


@pytest.mark.parametrize("delay", [0, 80])
def test_a_learning_rate_typed_quickly_then_tab_is_kept(page, site_url, delay):
    open_widget(page, site_url, LECTURE_3, OPTIM)
    box = f'{OPTIM} [data-control="lr_sgd"]'
    page.click(box)
    keep_the_worker_busy(page)
    page.keyboard.press("Control+A")
    page.keyboard.type("0.05", delay=delay)
    page.keyboard.press("Tab")
    wait_idle(page, OPTIM)
    assert page.input_value(box) == "0.05"
    assert message(page, OPTIM) is None
    expected = widget.plot_figures("optim", {"lr_sgd": "0.05"})["paths"]
    sgd = next(t for t in expected["data"] if t.get("name") == "SGD" and t.get("mode") == "lines")
    drawn = page.evaluate("""(sel) => {
        const t = document.querySelector(sel + ' [data-plot="paths"]').data
            .find((d) => d.name === 'SGD' && d.mode === 'lines');
        return [Array.from(t.x), Array.from(t.y)];
    }""", OPTIM)
    assert close(drawn, [sgd["x"], sgd["y"]], rel=1e-9)


@pytest.mark.parametrize("delay", [0, 60])
def test_retyping_a_layer_row_keeps_the_value_and_the_focus(page, site_url, delay):
    open_widget(page, site_url, LECTURE_5, STACK)
    cell = f'{STACK} input[data-row="0"][data-field="out_channels"]'
    page.click(cell)
    keep_the_worker_busy(page)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("128", delay=delay)
    wait_idle(page, STACK)
    assert page.input_value(cell) == "128"
    assert is_focused(page, cell)
    assert message(page, STACK) is None
    assert "128 × 224 × 224" in page.inner_text(f"{STACK} .cs231n-table")


def test_a_double_click_on_add_row_adds_two_rows_under_a_button_that_stays_put(page, site_url):
    open_widget(page, site_url, LECTURE_5, STACK)
    rows = f'{STACK} [data-control="layers"] tbody tr'
    add = page.locator(f'{STACK} [data-records-action="add"]')
    before, box = page.locator(rows).count(), add.bounding_box()
    add.dblclick()
    wait_idle(page, STACK)
    assert page.locator(rows).count() == before + 2
    assert add.bounding_box() == box
    assert page.locator(f"{STACK} .cs231n-table tbody tr").count() == before + 3   # input + layers

    # 삭제 pressed from the keyboard: one row goes, and the keyboard stays on the next 삭제.
    page.focus(f'{STACK} tr[data-row="1"] [data-records-action="remove"]')
    page.keyboard.press("Enter")
    wait_idle(page, STACK)
    assert page.locator(rows).count() == before + 1
    assert is_focused(page, f'{STACK} tr[data-row="1"] [data-records-action="remove"]')


# ---------------------------------------------------------------------------------------------
# 2. A running cell never strands a page.
# ---------------------------------------------------------------------------------------------

def cell(index: int) -> str:
    return f".cs231n-cell >> nth={index}"


def start_endless_cell(page, index: int) -> None:
    """Run an endless loop in the page's cell ``index`` and wait until Python really spins."""
    page.wait_for_function("(i) => document.querySelectorAll('.cs231n-cell')[i]?.dataset.editor === 'ready'",
                           arg=index, timeout=30_000)
    page.evaluate("([i, code]) => document.querySelectorAll('.cs231n-cell')[i]"
                  ".querySelector('.CodeMirror').CodeMirror.setValue(code)", [index, INFINITE_LOOP])
    page.locator(cell(index)).locator('[data-cell-action="run"]').click()
    page.wait_for_function("(i) => document.querySelectorAll('.cs231n-cell')[i].dataset.cellState === 'running'",
                           arg=index, timeout=LOAD_TIMEOUT)


def wait_status(page, selector: str, text: str) -> str:
    page.wait_for_function("([sel, text]) => document.querySelector(sel + ' .cs231n-status').innerText.includes(text)",
                           arg=[selector, text], timeout=20_000)
    return page.inner_text(f"{selector} .cs231n-status")


def test_a_cell_left_running_keeps_going_visibly_and_the_next_page_can_stop_it(page, site_url):
    open_widget(page, site_url, LECTURE_2, KNN)   # the runtime is loaded
    page.evaluate("window.__sameDocument = true")
    start_endless_cell(page, 0)

    page.click('a[href$="lecture-03/"]')          # instant navigation
    page.wait_for_function("(path) => location.pathname.endsWith(path)", arg=LECTURE_3)
    page.locator(OPTIM).scroll_into_view_if_needed()
    status = wait_status(page, OPTIM, "기다리는 중")
    assert "코드 셀" in status
    assert page.locator(f"{OPTIM} [data-stop]").is_visible()

    page.go_back()                                 # the cell is still running, and can be stopped
    page.wait_for_function("(path) => location.pathname.endsWith(path)", arg=LECTURE_2)
    page.wait_for_function("() => document.querySelector('.cs231n-cell')?.dataset.cellState === 'running'")
    stop = page.locator(cell(0)).locator('[data-cell-action="stop"]')
    assert stop.is_enabled()
    page.go_forward()
    page.wait_for_function("(path) => location.pathname.endsWith(path)", arg=LECTURE_3)
    page.locator(OPTIM).scroll_into_view_if_needed()
    wait_status(page, OPTIM, "기다리는 중")
    page.click(f"{OPTIM} [data-stop]")             # 중지 here stops the cell's loop
    wait_updated(page, OPTIM, timeout=LOAD_TIMEOUT)
    assert page.get_attribute(OPTIM, "data-state") == "ready"
    page.locator(SCHEDULE).scroll_into_view_if_needed()
    wait_updated(page, SCHEDULE, timeout=LOAD_TIMEOUT)
    assert page.evaluate("window.__sameDocument") is True


def test_a_widget_queued_behind_a_stopped_cell_loads_and_says_nothing_false(page, site_url):
    open_widget(page, site_url, LECTURE_2, KNN)
    page.evaluate("document.querySelectorAll('.cs231n-cell')[2].scrollIntoView({block: 'start'})")
    start_endless_cell(page, 2)
    assert page.get_attribute(LINEAR, "data-state") == "idle"   # far above, not started yet
    page.locator(LINEAR).scroll_into_view_if_needed()
    status = wait_status(page, LINEAR, "기다리는 중")
    assert "코드 셀" in status and page.locator(f"{LINEAR} [data-stop]").is_visible()

    page.locator(cell(2)).locator('[data-cell-action="stop"]').click()
    wait_updated(page, LINEAR, timeout=LOAD_TIMEOUT)
    assert page.get_attribute(LINEAR, "data-state") == "ready"
    assert message(page, LINEAR) is None
    assert "인터넷" not in page.inner_text(LINEAR)
    assert page.locator(cell(2)).get_attribute("data-cell-state") == "stopped"


def test_a_widget_left_running_on_another_page_stops(page, site_url):
    open_widget(page, site_url, LECTURE_2, LINEAR)
    start = updates(page, LINEAR)
    page.click(f'{LINEAR} [data-action="run"]')
    wait_updated(page, LINEAR, start + 3)
    page.evaluate(f"window.__left = document.querySelector('{LINEAR}').cs231nWidget")
    page.click('a[href$="lecture-03/"]')
    page.wait_for_function("(path) => location.pathname.endsWith(path)", arg=LECTURE_3)
    page.wait_for_function("() => !window.__left.busy && !window.__left.running")
    stopped = page.evaluate("window.__left.updates")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__left.updates") == stopped


# ---------------------------------------------------------------------------------------------
# 4. A stalled download says so, and one retry revives every widget.
# ---------------------------------------------------------------------------------------------

def test_a_stalled_runtime_download_says_so_and_one_retry_revives_every_widget(page, site_url):
    page.allow_console_errors = ["Failed to load resource", "net::ERR"]
    page.add_init_script("window.CS231N_LOAD_STALL_MS = 3000")
    held = []

    def first_never_arrives(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/pyodide.asm.wasm", first_never_arrives)
    page.goto(site_url + LECTURE_3)
    for root in (OPTIM, SCHEDULE):   # the reader starts both demos (데모 시작, or by scrolling to them)
        page.wait_for_selector(root)
        page.eval_on_selector(root, "(root) => { root.cs231nWidget.activate(); }")
    for root in (OPTIM, SCHEDULE):
        status = wait_status(page, root, "다시 시도")
        assert "3초 넘게 끝나지 않고 있습니다" in status and "1/3단계" in status, status
        assert page.get_attribute(root, "data-state") == "loading"   # still waiting, should it come

    # Any other file arriving restarts the stall timer and hides 다시 시도 for a while; the click
    # waits until it shows again, and only then may the next load take its time.
    page.click(f"{OPTIM} [data-retry]")                      # one retry: the file comes this time
    page.evaluate("window.CS231N_LOAD_STALL_MS = 120000")
    for root in (OPTIM, SCHEDULE):
        wait_updated(page, root, timeout=LOAD_TIMEOUT)
        assert page.get_attribute(root, "data-state") == "ready"
    for route in held:                                       # the stopped worker's request
        try:
            route.abort()
        except Exception:   # gone with that worker already
            pass


# ---------------------------------------------------------------------------------------------
# 5. The call API always settles, in Korean.
# ---------------------------------------------------------------------------------------------

SETTLE_ALL_JS = """async () => {
  await window.cs231n.ready();
  const settle = (make) => {
    let promise;
    try { promise = make(); } catch (e) { return Promise.resolve('threw: ' + e.message); }
    return Promise.race([promise.then((v) => 'ok: ' + JSON.stringify(v), (e) => 'error: ' + e.message),
                         new Promise((r) => setTimeout(() => r('never settled'), 10000))]);
  };
  const call = (name, kwargs) => () => window.cs231n.call(name, kwargs);
  let deep = 1;
  for (let i = 0; i < 5000; i++) deep = [deep];
  const cycle = {};
  cycle.self = cycle;
  const cases = {
    deep: call('demos.conv.conv_output_size', {size: deep, kernel: 3}),
    deepAgain: call('demos.conv.conv_output_size', {size: deep, kernel: 3}),
    cycle: call('demos.conv.conv_output_size', {size: cycle, kernel: 3}),
    bigint: call('demos.conv.conv_output_size', {size: 10n, kernel: 3}),
    notAnObject: call('demos.conv.conv_output_size', 'abc'),
    unhashable: call('demos.widget.describe', {widget_id: {}}),
    notAMapping: call('demos.widget.update', {widget_id: 'knn', state: 'abc'}),
    unknownArgument: call('demos.conv.conv_output_size', {size: 7, kernel: 3, colour: 'red'}),
    missingArgument: call('demos.conv.conv_output_size', {size: 7}),
    nameNotAString: call(42, {}),
  };
  const out = {};
  for (const [name, make] of Object.entries(cases)) out[name] = await settle(make);
  out.after = await settle(call('demos.conv.conv_output_size', {size: 7, kernel: 3}));
  out.pending = window.cs231n.runtime.pending.size;
  return out;
}"""


def test_the_call_api_always_settles_with_a_korean_message(page, site_url):
    page.goto(site_url + LECTURE_5)
    out = page.evaluate(SETTLE_ALL_JS)
    assert out.pop("after") == "ok: 5" and out.pop("pending") == 0, out
    for case, answer in out.items():
        assert answer.startswith("error: ") and HANGUL.search(answer), (case, answer)
    assert "깊게 중첩" in out["deep"] and out["deepAgain"] == out["deep"]
    assert "순환 참조" in out["cycle"] and "BigInt" in out["bigint"]
    assert "colour" in out["unknownArgument"] and "'kernel'" in out["missingArgument"]
    for raw in ("is not a mapping", "unexpected keyword", "missing 1 required", "argument after **"):
        assert not any(answer.startswith(f"error: {raw}") for answer in out.values())


@pytest.mark.parametrize("name, kwargs_json, says", [
    ("demos.conv.conv_output_size", '"abc"', "객체"),
    ("demos.conv.conv_output_size", "[1, 2]", "객체"),
    ("demos.conv.conv_output_size", '{"size": 7, "kernel": 3, "colour": 1}', "'colour' 인자가 없습니다"),
    ("demos.conv.conv_output_size", '{"size": 7}', "꼭 필요한 인자가 빠졌습니다: 'kernel'"),
    ("demos.widget.describe", '{"widget_id": {}}', "형식이 맞지 않습니다"),
    ("demos.widget.update", '{"widget_id": "knn", "state": "abc"}', "형식이 맞지 않습니다"),
    ("demos.conv.conv_output_size", "[" * 3000 + "]" * 3000, "너무 깊게 중첩"),
])
def test_bridge_errors_are_korean_for_any_arguments(name, kwargs_json, says):
    answer = json.loads(bridge.call_json(name, kwargs_json))
    assert says in answer["error"], answer
    assert "Traceback" not in answer["error"] and "detail" not in answer


# ---------------------------------------------------------------------------------------------
# 6. The keyboard reaches everything a mouse does.
# ---------------------------------------------------------------------------------------------

def press(page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def test_the_keyboard_adds_removes_and_pins_knn_points_on_the_plot(page, site_url):
    open_widget(page, site_url, LECTURE_2, KNN)
    plane = f'{KNN} [data-plot="knn-plane"]'
    page.focus(f'{KNN} [data-control="mode"]')       # the last primary control; the plot comes next
    page.keyboard.press("Tab")
    assert is_focused(page, plane)
    assert page.eval_on_selector(f"{plane} .cs231n-plot-cursor", "(c) => getComputedStyle(c).display") == "block"

    press(page, "Shift+ArrowRight", 3)                # from the centre to 7/8 of the width
    press(page, "Shift+ArrowUp", 3)                   # and 1/8 of the height
    after(page, KNN, lambda: page.keyboard.press("Enter"))
    assert stat(page, KNN, "학습 점") == "61"
    (x, y, label), = page.evaluate(f"document.querySelector('{KNN}').cs231nWidget.rawState().points")
    lo, hi = page.evaluate(f"document.querySelector('{plane}')._fullLayout.xaxis.range")
    assert close([x, y], [lo + 0.875 * (hi - lo)] * 2, rel=1e-3) and label == 0

    page.select_option(f'{KNN} [data-control="mode"]', "remove")
    wait_idle(page, KNN)
    page.focus(plane)                                 # the cross-hair is still on that point
    after(page, KNN, lambda: page.keyboard.press("Enter"))
    assert stat(page, KNN, "학습 점") == "60"

    page.select_option(f'{KNN} [data-control="mode"]', "query")
    wait_idle(page, KNN)
    page.focus(plane)
    after(page, KNN, lambda: page.keyboard.press("Space"))
    assert page.locator(f'{KNN} [data-plot="knn-votes"]').is_visible()


def test_the_keyboard_chooses_the_optimizers_start(page, site_url):
    open_widget(page, site_url, LECTURE_3, OPTIM)
    paths = f'{OPTIM} [data-plot="paths"]'
    page.focus(paths)
    press(page, "Shift+ArrowRight", 2)                # 3/4 of the width
    press(page, "Shift+ArrowUp", 2)                   # 1/4 of the height from the top
    after(page, OPTIM, lambda: page.keyboard.press("Enter"))
    start = page.evaluate(f"document.querySelector('{OPTIM}').cs231nWidget.rawState().start")
    (x0, x1), (y0, y1) = page.evaluate(
        f"[document.querySelector('{paths}')._fullLayout.xaxis.range,"
        f" document.querySelector('{paths}')._fullLayout.yaxis.range]")
    assert close([start["x"], start["y"]], [x0 + 0.75 * (x1 - x0), y0 + 0.75 * (y1 - y0)], rel=1e-3)
    first = page.evaluate(f"document.querySelector('{paths}').data.find((d) => d.name === 'SGD').x[0]")
    assert close(first, start["x"])


def focus_ring(page) -> dict:
    return page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }""")


def test_sliders_say_their_value_and_every_control_shows_the_keyboard_focus(page, site_url):
    open_widget(page, site_url, LECTURE_2, LINEAR)
    lr = f'{LINEAR} [data-control="lr"]'
    assert page.get_attribute(lr, "aria-valuetext") == "0.1"       # not log10(0.1) = -1
    page.focus(lr)
    after(page, LINEAR, lambda: page.keyboard.press("ArrowRight"))
    shown = page.inner_text(f'{LINEAR} .cs231n-field:has([data-control="lr"]) .cs231n-slider-value')
    assert page.get_attribute(lr, "aria-valuetext") == shown and float(shown) > 0.1

    open_widget(page, site_url, LECTURE_2, KNN)        # 고급 설정 open: every control reachable
    page.focus(f'{KNN} [data-control="dataset"]')     # the first primary control
    seen = set()
    while True:                                        # every stop inside the widget, in order
        page.keyboard.press("Tab")
        if not page.eval_on_selector(KNN, "(root) => root.contains(document.activeElement)"):
            break
        kind = page.evaluate("() => { const a = document.activeElement;"
                             " return a.type || (a.dataset.plot ? 'plot' : a.tagName); }")
        ring = focus_ring(page)
        assert ring["style"] != "none" and ring["width"] >= 2, (kind, ring)
        seen.add(kind)
    assert {"range", "checkbox", "button", "select-one", "plot", "SUMMARY"} <= seen
