"""The in-browser runtime in real Chromium with the real Pyodide 0.27.7 from ../shared/pyodide/0.27.7.

Covers the runtime issue: the JS entry point equals CPython, widgets follow idle -> loading -> ready,
bad input is explained in Korean, load failures offer a retry, Pyodide loads once per tab across
instant navigation, and pages without demos download nothing of the runtime.
"""

import pytest

from demos import bridge
from widget_helpers import call_all, call_error, edit, open_widget, stats_text, wait_updated

LECTURE_5 = "/lectures/lecture-05/"
LECTURE_6 = "/lectures/lecture-06/"
NO_DEMO_PAGE = "/lectures/lecture-01/"
LAYER = '.cs231n-demo[data-demo="conv-layer"]'

# Records every data-state a widget root takes, from the first one.
STATE_RECORDER = """
window.__states = {};
new MutationObserver((mutations) => {
  for (const m of mutations) {
    const id = m.target.dataset && m.target.dataset.demo;
    if (!id || m.attributeName !== 'data-state') continue;
    const seen = (window.__states[id] ||= []);
    if (seen[seen.length - 1] !== m.target.dataset.state) seen.push(m.target.dataset.state);
  }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-state'] });
"""


def runtime_requests(page) -> list[str]:
    return [u for u in page.requests if "/pyodide/" in u or "plotly" in u or "/host.js" in u
            or "worker.js" in u]






CALLS = [
    ("demos.conv.conv_output_size", {"size": 227, "kernel": 11, "stride": 4}),
    ("demos.conv.conv_output_size", {"size": 224, "kernel": 11, "stride": 4, "mode": "floor"}),
    ("demos.conv.conv_output_size", {"size": 5, "kernel": 2, "stride": 2, "mode": "ceil"}),
    ("demos.conv.summarize", {"input_shape": [3, 227, 227], "layers": [
        {"type": "conv", "out_channels": 96, "kernel": 11, "stride": 4, "padding": 0, "dilation": 1,
         "groups": 1, "bias": True},
        {"type": "pool", "kernel": 3, "stride": 2, "padding": 0, "ceil_mode": False},
        {"type": "conv", "out_channels": 256, "kernel": 5, "stride": 1, "padding": 2, "dilation": 1,
         "groups": 2, "bias": True}]}),
]


def test_call_returns_exactly_what_cpython_returns(page, site_url):
    page.goto(site_url + LECTURE_5)
    got = call_all(page, CALLS)
    assert got == [bridge.call(name, kwargs) for name, kwargs in CALLS]


def test_python_error_rejects_with_the_korean_message_not_a_traceback(page, site_url):
    page.goto(site_url + LECTURE_5)
    message = call_error(page, "demos.conv.conv_output_size", {"size": 10, "kernel": 3, "stride": 2})
    assert "정수" in message and "Traceback" not in message


def test_widget_goes_idle_loading_ready_and_typing_updates_the_output(page, site_url):
    page.add_init_script(STATE_RECORDER)
    page.goto(site_url + LECTURE_5)
    page.wait_for_selector(f"{LAYER}[data-state]")
    page.locator(LAYER).scroll_into_view_if_needed()
    wait_updated(page, LAYER)
    states = page.evaluate("window.__states['conv-layer']")
    assert states[0] == "idle" and states[-1] == "ready" and "loading" in states
    assert states.index("loading") < states.index("ready")

    edit(page, LAYER, "H", "227")
    edit(page, LAYER, "W", "227")
    edit(page, LAYER, "padding", "0")
    edit(page, LAYER, "stride", "4")
    edit(page, LAYER, "kernel", "11")
    edit(page, LAYER, "filters", "96")
    assert "96 × 55 × 55" in stats_text(page, LAYER)
    assert page.locator(f"{LAYER} .cs231n-message").is_hidden()


def test_the_site_plotly_bundle_registers_every_trace_type_it_promises(page, site_url):
    page.goto(site_url + LECTURE_5)
    page.wait_for_function("window.cs231n && window.cs231n.plotly")
    traces = page.evaluate("""async () => {
      const Plotly = await window.cs231n.plotly();
      return { same: Plotly === window.Plotly, traces: Object.keys(Plotly.PlotSchema.get().traces) };
    }""")
    assert traces["same"]
    assert {"scatter", "heatmap", "contour", "bar", "histogram", "histogram2d", "histogram2dcontour",
            "box", "violin", "pie"} <= set(traces["traces"])


def test_invalid_input_is_explained_in_korean_and_the_widget_keeps_working(page, site_url):
    open_widget(page, site_url + LECTURE_5, LAYER)
    for bad in ["abc", "0", "2.5", ""]:
        edit(page, LAYER, "kernel", bad)
        message = page.inner_text(f"{LAYER} .cs231n-message")
        assert "커널" in message, (bad, message)
        assert page.get_attribute(LAYER, "data-state") == "ready"
    edit(page, LAYER, "kernel", "3")
    assert page.locator(f"{LAYER} .cs231n-message").is_hidden()
    edit(page, LAYER, "H", "224")
    edit(page, LAYER, "W", "224")
    edit(page, LAYER, "stride", "4")
    edit(page, LAYER, "padding", "0")
    edit(page, LAYER, "kernel", "11")
    assert "54.25" in page.inner_text(f"{LAYER} .cs231n-message")  # AlexNet at 224, strict rule


def test_runtime_loads_once_across_instant_navigation_and_widgets_mount_without_reload(page, site_url):
    open_widget(page, site_url + LECTURE_5, LAYER)
    page.evaluate("window.__sameDocument = true")

    page.click('a[href$="lecture-06/"]')
    page.wait_for_function("(path) => location.pathname.endsWith(path)", arg=LECTURE_6)
    other = '.cs231n-demo[data-demo="conv-3x3-vs-7x7"]'
    page.wait_for_selector(other)
    page.locator(other).scroll_into_view_if_needed()
    wait_updated(page, other)
    page.go_back()
    page.wait_for_function("(path) => location.pathname.endsWith(path)", arg=LECTURE_5)
    page.locator(LAYER).scroll_into_view_if_needed()
    wait_updated(page, LAYER)

    assert page.evaluate("window.__sameDocument") is True, "instant navigation reloaded the page"
    wasm = [u for u in page.requests if u.endswith("/pyodide.asm.wasm")]
    numpy = [u for u in page.requests if "numpy-2.0.2" in u]
    assert len(wasm) == 1 and len(numpy) == 1
    assert page.evaluate("window.cs231n.runtime.stats.starts") == 1


def test_the_worker_imports_the_standard_library_and_numpy_from_bytecode_and_freezes_them(page, site_url):
    page.goto(site_url + LECTURE_5)
    probe = ("import gc, json, numpy\n"
             "print(json.__file__, numpy.__file__, numpy.__version__, int(numpy.arange(5).sum()),"
             " gc.get_freeze_count())")
    [result] = call_all(page, [("demos.cells.run", {"code": probe, "namespace": "bytecode-test"})])
    assert result["error"] is None, result
    json_file, numpy_file, version, total, frozen = result["stdout"].split()
    assert json_file.endswith("/json/__init__.pyc") and numpy_file.endswith("/numpy/__init__.pyc")
    assert (version, total) == ("2.0.2", "10")
    # The start-up objects are out of the collector's way (worker.js: gc.freeze()).
    assert int(frozen) > 10_000
    served = [u.split("/pyodide/", 1)[1] for u in page.requests if "/pyodide/" in u]
    assert {"pyc/python_stdlib.zip", "pyc/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"} <= set(served)
    assert not [name for name in served if name == "python_stdlib.zip" or name.startswith("numpy-")]


def test_once_the_page_is_drawn_the_idle_worker_imports_the_other_demos(page, site_url):
    page.goto(site_url + LECTURE_5 + "#demo-conv-layer")
    wait_updated(page, LAYER)
    page.wait_for_function("performance.getEntriesByName('cs231n:preload').length === 1")
    probe = "import sys\nprint(*(m in sys.modules for m in ('demos.knn', 'demos.optim', 'numpy.random')))"
    [result] = call_all(page, [("demos.cells.run", {"code": probe, "namespace": "preload-test"})])
    assert result["stdout"].split() == ["True", "True", "True"], result
    # Once per worker: more edits do not ask again.
    edit(page, LAYER, "H", "33")
    assert page.evaluate("performance.getEntriesByName('cs231n:preload').length") == 1


# When the page starts the runtime (its first mark), and when its HTML was parsed.
START_AND_DCL_JS = """() => [performance.getEntriesByName('cs231n:runtime-start')[0]?.startTime ?? null,
                            performance.getEntriesByType('navigation')[0].domContentLoadedEventStart]"""


# host.js arrives late, as on a slow connection: boot.js appends its script tag `ms` later. (A slow
# route handler would not do: it holds up every request of the page, the worker's included.)
SLOW_HOST = """
(() => {
  const append = Node.prototype.appendChild;
  Node.prototype.appendChild = function (node) {
    if (node.tagName === "SCRIPT" && node.src.endsWith("/assets/cs231n/host.js")) {
      setTimeout(() => append.call(this, node), %d);
      return node;
    }
    return append.call(this, node);
  };
})();
"""


def test_a_link_to_a_demo_starts_the_runtime_before_the_page_has_loaded_and_the_host_adopts_it(page, site_url):
    # host.js comes 2.5 s late: the worker's first progress messages are sent before anyone listens.
    page.add_init_script(SLOW_HOST % 2500)
    page.goto(site_url + LECTURE_5 + "#demo-conv-layer")
    wait_updated(page, LAYER)
    started, parsed = page.evaluate(START_AND_DCL_JS)
    assert started is not None and started < parsed
    assert page.get_attribute(LAYER, "data-state") == "ready" and "× 32 × 32" in stats_text(page, LAYER)
    # One worker, adopted by the host, which heard every stage (kept for it by boot.js).
    assert page.evaluate("window.cs231n.runtime.stats.starts") == 1
    assert len([u for u in page.requests if u.endswith("/assets/cs231n/worker.js")]) == 1
    assert len([u for u in page.requests if u.endswith("/pyodide.asm.wasm")]) == 1
    stages = page.evaluate("performance.getEntriesByType('mark').map((m) => m.name)")
    assert [s for s in stages if s.startswith("cs231n:stage-")] == [
        "cs231n:stage-runtime", "cs231n:stage-numpy", "cs231n:stage-demos"]


@pytest.mark.parametrize("arrival", ["link to the demo", "scrolled to it"])
def test_plotly_is_requested_only_once_pyodide_is_compiled(page, site_url, arrival):
    if arrival == "link to the demo":
        page.goto(site_url + LECTURE_5 + "#demo-conv-layer")
    else:
        page.goto(site_url + LECTURE_5)
        page.locator(LAYER).scroll_into_view_if_needed()
    wait_updated(page, LAYER)
    plotly_requested, compiled = page.evaluate("""() => [
        performance.getEntriesByType('resource').find((r) => r.name.includes('/assets/vendor/plotly')).startTime,
        performance.getEntriesByName('cs231n:stage-numpy')[0].startTime]""")
    assert plotly_requested >= compiled


def test_a_worker_error_before_the_host_listens_reaches_the_widget_with_a_retry(page, site_url):
    page.allow_console_errors = ["Failed to load resource", "404", "worker"]
    page.add_init_script(SLOW_HOST % 1000)
    page.route("**/assets/cs231n/worker.js", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(site_url + LECTURE_5 + "#demo-conv-layer")
    # Had the kept error been lost, the first load would never settle and the widget would wait.
    page.wait_for_function(f"document.querySelector('{LAYER}').dataset.state === 'error'", timeout=30_000)
    assert "불러오지 못했습니다" in page.inner_text(f"{LAYER} .cs231n-status")

    page.unroute("**/assets/cs231n/worker.js")
    page.click(f"{LAYER} [data-retry]")
    wait_updated(page, LAYER)
    assert page.get_attribute(LAYER, "data-state") == "ready"


@pytest.mark.parametrize("page", [{"width": 1280, "height": 600}], indirect=True)
def test_a_demo_page_opened_at_its_top_starts_nothing_until_the_demo_comes_near(page, site_url):
    page.goto(site_url + LECTURE_5)
    page.wait_for_load_state("networkidle")
    top = page.evaluate(f"document.querySelector('{LAYER}').getBoundingClientRect().top")
    assert top > 600 + 200, "the demo moved up: this test needs a page whose demo is further down"
    assert page.evaluate(START_AND_DCL_JS)[0] is None
    assert not [u for u in runtime_requests(page) if "/pyodide/" in u or "worker.js" in u]
    assert page.get_attribute(LAYER, "data-state") == "idle"

    page.locator(LAYER).scroll_into_view_if_needed()
    wait_updated(page, LAYER)
    started, parsed = page.evaluate(START_AND_DCL_JS)
    assert started > parsed


def test_a_malformed_address_fragment_does_not_stop_the_widgets(page, site_url):
    open_widget(page, site_url + LECTURE_5 + "#%E0%A4%A", LAYER)  # ...and it is ready


def test_a_page_without_demos_requests_no_runtime_file(page, site_url):
    page.goto(site_url + NO_DEMO_PAGE)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.cs231n.call") == "function"
    assert runtime_requests(page) == []


@pytest.mark.parametrize("broken, fault, named", [
    ("**/pyodide/pyodide.asm.wasm", "missing", "pyodide.asm.wasm"),
    ("**/numpy-2.0.2-*.whl", "tampered", "numpy"),
    ("**/python_stdlib.zip", "missing", "Python 표준 라이브러리(python_stdlib.zip)"),
])
def test_load_failure_says_so_in_korean_offers_retry_and_keeps_the_page(page, site_url, broken, fault, named):
    page.allow_console_errors = ["Failed to load resource", "integrity", "SRI", "sha256", "numpy",
                                 "404", "Pyodide", "wasm", "pyodide", "standard library"]

    def fail(route):
        if fault == "missing":
            route.fulfill(status=404, body="not found")
        else:
            response = route.fetch()
            route.fulfill(response=response, body=response.body()[:-100] + b"\0" * 100)

    page.route(broken, fail)
    page.goto(site_url + LECTURE_5)
    article_before = page.inner_text("article h1")
    page.locator(LAYER).scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelector('{LAYER}').dataset.state === 'error'", timeout=90_000)
    status = page.inner_text(f"{LAYER} .cs231n-status")
    assert "불러오지 못했습니다" in status and "다시 시도" in status and named in status
    assert page.inner_text("article h1") == article_before

    page.unroute(broken)
    page.click(f"{LAYER} [data-retry]")
    wait_updated(page, LAYER)
    assert page.get_attribute(LAYER, "data-state") == "ready"
    assert page.inner_text(f"{LAYER} .cs231n-stats")


def test_restart_stops_pending_calls_and_the_next_call_works(page, site_url):
    page.goto(site_url + LECTURE_5)
    outcome = page.evaluate("""async () => {
        await window.cs231n.ready();
        const pending = window.cs231n.call('demos.cells.run', {code: 'while True:\\n    pass'});
        await new Promise((resolve) => setTimeout(resolve, 500));  // Python is now spinning
        const restarted = window.cs231n.restart();
        let message = null;
        try { await pending; } catch (e) { message = e.message; }
        await restarted;
        const after = await window.cs231n.call('demos.conv.conv_output_size', {size: 7, kernel: 3});
        return { message, after, starts: window.cs231n.runtime.stats.starts };
    }""")
    assert outcome == {"message": "계산을 중지했습니다.", "after": 5, "starts": 2}
