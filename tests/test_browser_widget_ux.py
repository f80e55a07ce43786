"""Widgets a reader takes in at a glance and shares by link (issue 14), in real Chromium with the
real Pyodide: a link to a widget shows its first picture in the first screen; at most five primary
controls show, the rest sit in a 고급 설정 section that remembers being open; the settings live in
the address, come back when it is opened again, and bad values there are ignored with a Korean
notice; every control works from the keyboard and every picture has a text alternative."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from demos import widget
from widget_helpers import show_advanced, updates, wait_updated

WIDGET_IDS = sorted(widget.registry())          # every widget, today's and each new one
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def root(widget_id: str) -> str:
    return f'.cs231n-demo[data-demo="{widget_id}"]'


def lecture_page(site_dir: Path, widget_id: str) -> str:
    """The lecture page that shows ``widget_id`` (``/lectures/lecture-05/``)."""
    for html in sorted((site_dir / "lectures").rglob("index.html")):
        if re.search(rf'class="cs231n-demo"[^>]*data-demo="{re.escape(widget_id)}"', html.read_text()):
            return "/" + html.parent.relative_to(site_dir).as_posix() + "/"
    raise AssertionError(f"no lecture page shows {widget_id}")


def open_link(page, url: str, widget_id: str) -> None:
    """Open ``url`` and wait for the widget's first picture (a link with #demo-<id> starts it)."""
    page.goto(url)
    if "#demo-" not in url:
        page.locator(root(widget_id)).scroll_into_view_if_needed()
    wait_updated(page, root(widget_id))


def after(page, widget_id: str, action) -> None:
    before = updates(page, root(widget_id))
    action()
    wait_updated(page, root(widget_id), before + 1)


def raw_state(page, widget_id: str) -> dict:
    return page.evaluate("(sel) => document.querySelector(sel).cs231nWidget.rawState()", root(widget_id))


def stats(page, widget_id: str) -> dict:
    """``{label: value}`` of the widget's key numbers as shown."""
    return page.evaluate("""(sel) => Object.fromEntries([...document.querySelectorAll(sel + ' .cs231n-stat')]
        .map((s) => [s.querySelector('dt').innerText.trim(), s.querySelector('dd').innerText.trim()]))""",
                         root(widget_id))


def numbers(page, widget_id: str) -> list[str]:
    """The text of the widget's key numbers and tables."""
    return page.eval_on_selector_all(f"{root(widget_id)} :is(.cs231n-stats, .cs231n-table)",
                                     "(nodes) => nodes.map((n) => n.innerText)")


def reopen(page, widget_id: str) -> None:
    """Reload the page (Material may have moved the #fragment off the widget) and wait for it."""
    page.reload()
    page.locator(root(widget_id)).scroll_into_view_if_needed()
    wait_updated(page, root(widget_id))


def our_params(url: str, widget_id: str) -> dict:
    """This widget's parameters in an address's query, decoded."""
    return {k[len(widget_id) + 1:]: v for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)
            if k.startswith(widget_id + ".")}


def wait_for_address(page, widget_id: str, present: bool = True) -> None:
    page.wait_for_function("([id, present]) => location.search.includes(id + '.') === present",
                           arg=[widget_id, present], timeout=10_000)


def set_range(page, widget_id: str, name: str, value) -> None:
    after(page, widget_id, lambda: page.eval_on_selector(
        f'{root(widget_id)} [data-control="{name}"]',
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }", value))


def click_plot(page, widget_id: str, plot_id: str, fx: float, fy: float) -> None:
    """Click at a fraction (fx, fy) of the plot's drawing area (0, 0 = top left)."""
    node = f'{root(widget_id)} [data-plot="{plot_id}"]'
    page.locator(node).scroll_into_view_if_needed()
    x, y = page.evaluate("""([sel, fx, fy]) => {
        const node = document.querySelector(sel), rect = node.getBoundingClientRect();
        const xa = node._fullLayout.xaxis, ya = node._fullLayout.yaxis;
        return [rect.left + xa._offset + fx * xa._length, rect.top + ya._offset + fy * ya._length];
    }""", [node, fx, fy])
    after(page, widget_id, lambda: page.mouse.click(x, y))


# Where a widget's first result starts, its controls, and its 고급 설정 section (page pixels).
LAYOUT_JS = """(sel) => {
  const r = document.querySelector(sel);
  const lead = r.querySelector('.cs231n-outputs-lead');
  const first = lead.querySelector('.cs231n-plot') || lead.querySelector('.cs231n-slot');
  const details = r.querySelector('.cs231n-advanced');
  const primary = r.querySelector('.cs231n-controls:not(.cs231n-controls--advanced)');
  const names = (node) => node ? [...new Set([...node.querySelectorAll('[data-control], [data-action]')]
      .map((e) => e.dataset.control || e.dataset.action))] : [];
  const top = (node) => node ? node.getBoundingClientRect().top : null;
  // Fields whose input, select or button runs past the field's own box (under its neighbour).
  const overflowing = [...r.querySelectorAll('.cs231n-fields > .cs231n-field')].filter((f) => f.offsetParent)
    .filter((f) => [...f.querySelectorAll('input, select, button')]
      .some((i) => i.getBoundingClientRect().right > f.getBoundingClientRect().right + 1))
    .map((f) => f.textContent.trim());
  return {first: top(first), firstIsPlot: first.matches('.cs231n-plot'), box: top(r.closest('.cs231n-demo-box')),
          controls: top(primary), details: top(details), open: details ? details.open : null,
          firstBeforeDetails: !details || Boolean(first.compareDocumentPosition(details) & Node.DOCUMENT_POSITION_FOLLOWING),
          primary: names(primary), advanced: names(details), plotRight: first.getBoundingClientRect().right,
          overflowing};
}"""


@pytest.mark.parametrize("page", [DESKTOP], indirect=True)
@pytest.mark.parametrize("widget_id", WIDGET_IDS)
def test_a_link_shows_the_first_picture_first_with_at_most_five_primary_controls(page, site_url, site_dir,
                                                                                widget_id):
    open_link(page, f"{site_url}{lecture_page(site_dir, widget_id)}#demo-{widget_id}", widget_id)
    shown = page.evaluate(LAYOUT_JS, root(widget_id))
    assert 0 <= shown["box"] < 120, shown                      # the link scrolled to the widget
    assert shown["box"] < shown["first"] < DESKTOP["height"] - 100, shown
    spec = widget.describe(widget_id)
    visible = [c["name"] for c in spec["controls"] if c["kind"] != "hidden"]
    assert sorted(shown["primary"]) == sorted(spec["primary"]) and len(shown["primary"]) <= 5
    assert sorted(shown["primary"] + shown["advanced"]) == sorted(visible)    # each shown once
    assert shown["open"] is (None if len(visible) == len(spec["primary"]) else False)
    assert shown["overflowing"] == [], shown

    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)                                 # equal-aspect plots redraw on resize
    phone = page.evaluate(LAYOUT_JS, root(widget_id))
    assert phone["firstBeforeDetails"], phone
    if phone["details"] is not None:
        assert phone["first"] < phone["details"], phone
    if phone["controls"] is not None:
        assert phone["first"] < phone["controls"], phone      # the result, then the knobs under it
    assert phone["plotRight"] <= PHONE["width"], phone
    assert phone["overflowing"] == [], phone


@pytest.mark.parametrize("widget_id", WIDGET_IDS)
def test_bad_address_values_leave_the_defaults_and_a_korean_notice(page, site_url, site_dir, widget_id):
    spec = widget.describe(widget_id)
    first = next(c for c in spec["controls"] if c["name"] in spec["primary"] and c["kind"] != "button")
    query = f"?{widget_id}.{first['name']}=%E0%A4%A&{widget_id}.no_such_control=1&h=kept"
    open_link(page, f"{site_url}{lecture_page(site_dir, widget_id)}{query}#demo-{widget_id}", widget_id)
    notice = page.locator(f"{root(widget_id)} .cs231n-notice")
    assert notice.is_visible()
    text = notice.inner_text()
    assert "기본값" in text and "'no_such_control'라는 설정은 없습니다" in text
    assert "읽을 수 없습니다" in text and first["label"] in text
    defaults = {c["name"]: c["default"] for c in spec["controls"] if c["kind"] != "button"}
    assert raw_state(page, widget_id) == defaults
    assert page.get_attribute(root(widget_id), "data-ok") == "true"
    wait_for_address(page, widget_id, present=False)          # the bad values leave the address
    assert dict(parse_qsl(urlsplit(page.url).query)) == {"h": "kept"}   # others' parameters stay


def test_values_python_rejects_or_that_contradict_each_other_are_dropped_with_the_reason(page, site_url):
    layer = "conv-layer"
    open_link(page, f"{site_url}/lectures/lecture-05/?{layer}.kernel=2.5&{layer}.W=40&{layer}.bias=1"
                    f"#demo-{layer}", layer)
    text = page.inner_text(f"{root(layer)} .cs231n-notice")
    assert "정수여야 합니다" in text and "'bias'라는 설정은 없습니다" in text
    state = raw_state(page, layer)
    assert state["kernel"] == "5" and state["W"] == "40"       # the good value is kept
    assert stats(page, layer)["출력 (F × H_out × W_out)"] == "10 × 32 × 40"
    page.wait_for_function("() => location.search === '?conv-layer.W=40'")
    # Typing makes the notice (about the address opened) moot.
    after(page, layer, lambda: page.fill(f'{root(layer)} [data-control="H"]', "33"))
    assert page.locator(f"{root(layer)} .cs231n-notice").is_hidden()

    # Warm-up longer than the run: each fine alone, not together; the widget starts from defaults.
    schedule = "lr-schedule"
    open_link(page, f"{site_url}/lectures/lecture-03/?{schedule}.steps=50&{schedule}.warmup=80"
                    f"#demo-{schedule}", schedule)
    assert "모두 기본값으로 시작합니다" in page.inner_text(f"{root(schedule)} .cs231n-notice")
    assert raw_state(page, schedule)["steps"] == "100" and raw_state(page, schedule)["warmup"] == "10"

    # Hidden state (the kNN's added points) of the wrong shape, and JSON that does not parse.
    knn = "knn"
    open_link(page, f"{site_url}/lectures/lecture-02/?{knn}.points=[[0.1,0.2]]&{knn}.removed=[1,&{knn}.k=7"
                    f"#demo-{knn}", knn)
    text = page.inner_text(f"{root(knn)} .cs231n-notice")
    assert "'removed' 값을 읽을 수 없습니다" in text and "모두 기본값으로 시작합니다" in text
    assert raw_state(page, knn)["points"] == [] and raw_state(page, knn)["k"] == "5"
    assert page.get_attribute(root(knn), "data-ok") == "true"


# What each page's restore test changes, widget by widget (through the page, as a reader would).
def change_lecture_2(page):
    set_range(page, "knn", "k", 9)
    after(page, "knn", lambda: page.select_option(f'{root("knn")} [data-control="metric"]', "l1"))
    click_plot(page, "knn", "knn-plane", 0.1, 0.9)             # a point added: hidden state
    page.locator(root("knn-cv")).scroll_into_view_if_needed()
    wait_updated(page, root("knn-cv"))
    set_range(page, "knn-cv", "num_folds", 4)
    page.locator(root("linear-loss")).scroll_into_view_if_needed()
    wait_updated(page, root("linear-loss"))
    after(page, "linear-loss", lambda: page.click(f'{root("linear-loss")} [data-action="step"]'))


def change_lecture_3(page):
    optim = root("optim")
    after(page, "optim", lambda: page.fill(f'{optim} [data-control="lr_sgd"]', "0.05"))
    after(page, "optim", lambda: page.click(f'{optim} [data-control="optimizers"][value="adam"]'))
    show_advanced(page, optim)
    after(page, "optim", lambda: page.fill(f'{optim} [data-control="momentum"]', "0.5"))
    click_plot(page, "optim", "paths", 0.75, 0.25)              # a new start point: hidden state
    page.locator(root("lr-schedule")).scroll_into_view_if_needed()
    wait_updated(page, root("lr-schedule"))
    after(page, "lr-schedule", lambda: page.fill(f'{root("lr-schedule")} [data-control="steps"]', "60"))


def change_lecture_5(page):
    layer = root("conv-layer")
    for name, value in (("H", "227"), ("W", "227"), ("kernel", "11"), ("stride", "4"), ("padding", "0")):
        after(page, "conv-layer", lambda: page.fill(f'{layer} [data-control="{name}"]', value))
    show_advanced(page, layer)
    after(page, "conv-layer", lambda: page.fill(f'{layer} [data-control="filters"]', "96"))
    page.locator(root("conv-stack")).scroll_into_view_if_needed()
    wait_updated(page, root("conv-stack"))
    after(page, "conv-stack", lambda: page.click(f'{root("conv-stack")} [data-action="preset-alexnet"]'))
    after(page, "conv-stack", lambda: page.fill(
        f'{root("conv-stack")} input[data-row="0"][data-field="out_channels"]', "48"))


def change_lecture_6(page):
    after(page, "conv-3x3-vs-7x7", lambda: page.fill(f'{root("conv-3x3-vs-7x7")} [data-control="C"]', "128"))


RESTORE = [
    ("/lectures/lecture-02/", ["knn", "knn-cv", "linear-loss"], change_lecture_2,
     {"knn": {"k": "9", "거리": "L1", "학습 점": "61"}, "knn-cv": {"fold": "4개 × 약 37점"},
      "linear-loss": {"학습 step": "1"}}),
    ("/lectures/lecture-03/", ["optim", "lr-schedule"], change_lecture_3,
     {"optim": {"보는 step": "200 / 200"}, "lr-schedule": {}}),
    ("/lectures/lecture-05/", ["conv-layer", "conv-stack"], change_lecture_5,
     {"conv-layer": {"출력 (F × H_out × W_out)": "96 × 55 × 55"}, "conv-stack": {}}),
    ("/lectures/lecture-06/", ["conv-3x3-vs-7x7"], change_lecture_6,
     {"conv-3x3-vs-7x7": {}}),
]


@pytest.mark.parametrize("path, widget_ids, change, expected", RESTORE, ids=[r[0].split("/")[2] for r in RESTORE])
def test_the_address_keeps_every_widget_of_a_page_and_opening_it_restores_them(page, site_url, path, widget_ids,
                                                                                 change, expected):
    first = widget_ids[0]
    open_link(page, f"{site_url}{path}#demo-{first}", first)
    history_length = page.evaluate("history.length")
    change(page)
    for widget_id in widget_ids:
        wait_for_address(page, widget_id)
    page.wait_for_timeout(400)                                   # the last write (debounced)
    assert page.evaluate("history.length") == history_length   # replaceState: no entry per edit
    url = page.url
    before = {w: (raw_state(page, w), numbers(page, w)) for w in widget_ids}
    for widget_id, shown in expected.items():
        assert shown.items() <= stats(page, widget_id).items(), widget_id

    page.goto(site_url + "/")
    open_link(page, url.split("#")[0] + f"#demo-{first}", first)
    for widget_id in widget_ids:
        page.locator(root(widget_id)).scroll_into_view_if_needed()
        wait_updated(page, root(widget_id))
        state, shown = before[widget_id]
        assert raw_state(page, widget_id) == state, widget_id
        assert numbers(page, widget_id) == shown, widget_id
        assert page.locator(f"{root(widget_id)} .cs231n-notice").is_hidden()
    for widget_id, shown in expected.items():
        assert shown.items() <= stats(page, widget_id).items(), widget_id


def test_the_address_is_compact_and_readable(page, site_url):
    open_link(page, f"{site_url}/lectures/lecture-03/#demo-optim", "optim")
    optim = root("optim")
    after(page, "optim", lambda: page.select_option(f'{optim} [data-control="surface"]', "rosenbrock"))
    after(page, "optim", lambda: page.click(f'{optim} [data-control="optimizers"][value="nesterov"]'))
    wait_for_address(page, "optim")
    page.wait_for_function("() => location.search.includes('optim.optimizers=')")
    query = urlsplit(page.url).query
    assert query == "optim.surface=rosenbrock&optim.optimizers=sgd,momentum,rmsprop,adam,adamw", query
    assert our_params(page.url, "optim") == {"surface": "rosenbrock",
                                            "optimizers": "sgd,momentum,rmsprop,adam,adamw"}


def test_copy_link_copies_the_address_with_the_widget_anchor_and_defaults_resets(page, site_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    layer = "conv-layer"
    open_link(page, f"{site_url}/lectures/lecture-05/#demo-{layer}", layer)
    after(page, layer, lambda: page.fill(f'{root(layer)} [data-control="H"]', "33"))
    page.evaluate("window.scrollBy(0, 300)")                   # Material then rewrites the #fragment
    page.click(f'{root(layer)} [data-share="copy"]')
    page.wait_for_function("(sel) => document.querySelector(sel + ' .cs231n-share-note').innerText.includes('복사')",
                           arg=root(layer))
    assert page.inner_text(f"{root(layer)} .cs231n-share-note") == "링크를 복사했습니다."
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{site_url}/lectures/lecture-05/?conv-layer.H=33#demo-conv-layer"

    after(page, layer, lambda: page.click(f'{root(layer)} [data-share="reset"]'))
    assert page.input_value(f'{root(layer)} [data-control="H"]') == "32"
    assert stats(page, layer)["출력 (F × H_out × W_out)"] == "10 × 32 × 32"
    assert "conv-layer." not in page.url


def test_copy_link_without_a_clipboard_shows_the_link_to_copy(page, site_url):
    page.add_init_script("""
        Object.defineProperty(navigator, 'clipboard', { value: { writeText: () => Promise.reject(new Error('no')) } });
        document.execCommand = () => false;""")
    layer = "conv-layer"
    open_link(page, f"{site_url}/lectures/lecture-05/?conv-layer.kernel=3#demo-{layer}", layer)
    page.click(f'{root(layer)} [data-share="copy"]')
    field = page.locator(f"{root(layer)} .cs231n-share-url")
    field.wait_for()
    assert "복사하지 못했습니다" in page.inner_text(f"{root(layer)} .cs231n-share-note")
    assert field.input_value() == f"{site_url}/lectures/lecture-05/?conv-layer.kernel=3#demo-conv-layer"


def test_the_advanced_section_remembers_being_open_per_widget(page, site_url):
    open_link(page, f"{site_url}/lectures/lecture-03/#demo-optim", "optim")
    summary = f'{root("optim")} .cs231n-advanced-summary'
    assert page.get_attribute(f'{root("optim")} .cs231n-advanced', "open") is None
    assert page.locator(f'{root("optim")} [data-control="momentum"]').is_hidden()
    page.click(summary)
    assert page.locator(f'{root("optim")} [data-control="momentum"]').is_visible()
    reopen(page, "optim")
    assert page.get_attribute(f'{root("optim")} .cs231n-advanced', "open") == ""
    page.locator(root("lr-schedule")).scroll_into_view_if_needed()
    wait_updated(page, root("lr-schedule"))
    assert page.get_attribute(f'{root("lr-schedule")} .cs231n-advanced', "open") is None   # its own
    page.click(summary)
    reopen(page, "optim")
    assert page.get_attribute(f'{root("optim")} .cs231n-advanced', "open") is None


def test_every_picture_has_a_text_alternative_stating_the_result(page, site_url):
    layer = "conv-layer"
    open_link(page, f"{site_url}/lectures/lecture-05/#demo-{layer}", layer)
    plot = f'{root(layer)} [data-plot="windows"]'
    assert page.get_attribute(plot, "role") == "img"
    assert "출력 (F × H_out × W_out) 10 × 32 × 32" in page.get_attribute(plot, "aria-label")
    after(page, layer, lambda: page.fill(f'{root(layer)} [data-control="stride"]', "3"))   # 31/3: strict
    after(page, layer, lambda: page.fill(f'{root(layer)} [data-control="padding"]', "0"))  # (32-5)/3+1
    assert "10 × 10 × 10" in page.get_attribute(plot, "aria-label")


def tab_to(page, selector: str, presses: int = 40) -> None:
    """Press Tab until ``selector`` has the focus (fails after ``presses``)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement === document.querySelector(sel)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def start_keyboard_at(page, widget_id: str) -> None:
    """The keyboard starts on the widget's 기본값 button, just above its controls."""
    page.focus(f'{root(widget_id)} [data-share="reset"]')


def press(page, widget_id: str, key: str) -> None:
    after(page, widget_id, lambda: page.keyboard.press(key))


def test_keyboard_alone_drives_numbers_and_rows_of_layers(page, site_url):
    layer = "conv-layer"
    open_link(page, f"{site_url}/lectures/lecture-05/#demo-{layer}", layer)
    start_keyboard_at(page, layer)
    tab_to(page, f'{root(layer)} [data-control="kernel"]')
    press(page, layer, "ArrowUp")                                # 5 -> 6: (32 + 4 - 6) / 1 + 1
    assert page.input_value(f'{root(layer)} [data-control="kernel"]') == "6"
    assert "10 × 31 × 31" in page.get_attribute(f'{root(layer)} [data-plot="windows"]', "aria-label")

    stack = "conv-stack"
    page.locator(root(stack)).scroll_into_view_if_needed()
    wait_updated(page, root(stack))
    before = stats(page, stack)["총 파라미터"]
    start_keyboard_at(page, stack)
    tab_to(page, f'{root(stack)} input[data-row="0"][data-field="out_channels"]')
    press(page, stack, "ArrowUp")
    assert stats(page, stack)["총 파라미터"] != before
    tab_to(page, f'{root(stack)} [data-action="preset-alexnet"]')
    press(page, stack, "Enter")
    assert stats(page, stack)["최종 출력 (C × H × W)"] == "256 × 27 × 27"


def test_keyboard_alone_drives_sliders_selects_toggles_grids_and_buttons(page, site_url):
    knn = "knn"
    open_link(page, f"{site_url}/lectures/lecture-02/#demo-{knn}", knn)
    start_keyboard_at(page, knn)
    tab_to(page, f'{root(knn)} [data-control="k"]')
    press(page, knn, "ArrowRight")
    assert stats(page, knn)["k"] == "6"
    tab_to(page, f'{root(knn)} [data-control="metric"]')
    press(page, knn, "ArrowDown")
    assert stats(page, knn)["거리"] == "L1"
    tab_to(page, f'{root(knn)} .cs231n-advanced-summary')      # 고급 설정 opens from the keyboard
    page.keyboard.press("Enter")
    tab_to(page, f'{root(knn)} [data-control="reach"]')
    press(page, knn, "Space")
    assert page.is_checked(f'{root(knn)} [data-control="reach"]')
    assert "k번째 이웃까지의 거리" in page.inner_text(f"{root(knn)} .cs231n-outputs")

    linear = "linear-loss"
    page.locator(root(linear)).scroll_into_view_if_needed()
    wait_updated(page, root(linear))
    start_keyboard_at(page, linear)
    cell = f'{root(linear)} [data-control="W"] [data-cell="0,0"]'
    tab_to(page, cell)
    press(page, linear, "ArrowUp")
    assert page.input_value(cell) == "1.1"
    tab_to(page, f'{root(linear)} [data-action="step"]')
    press(page, linear, "Enter")
    assert stats(page, linear)["학습 step"] == "1"


def test_keyboard_alone_drives_check_boxes_and_the_picture_follows(page, site_url):
    optim = "optim"
    open_link(page, f"{site_url}/lectures/lecture-03/#demo-{optim}", optim)
    names = "(sel) => document.querySelector(sel).data.filter((t) => t.mode === 'lines').map((t) => t.name)"
    plot = f'{root(optim)} [data-plot="paths"]'
    assert "Adam" in page.evaluate(names, plot)
    start_keyboard_at(page, optim)
    tab_to(page, f'{root(optim)} [data-control="surface"]')
    press(page, optim, "ArrowDown")
    assert raw_state(page, optim)["surface"] != "quadratic"
    tab_to(page, f'{root(optim)} [data-control="optimizers"][value="adam"]')
    press(page, optim, "Space")
    assert "Adam" not in page.evaluate(names, plot)


def test_instant_navigation_keeps_working_and_going_back_restores_the_widget(page, site_url):
    optim = "optim"
    open_link(page, f"{site_url}/lectures/lecture-03/?optim.lr_sgd=0.05#demo-{optim}", optim)
    assert page.input_value(f'{root(optim)} [data-control="lr_sgd"]') == "0.05"
    page.evaluate("window.__samePage = true")
    page.click('a.md-nav__link[href$="lecture-05/"]')
    page.wait_for_selector(root("conv-layer"))
    page.wait_for_function("() => location.pathname.endsWith('/lecture-05/')")
    assert page.evaluate("window.__samePage") is True           # no reload: instant navigation
    assert "optim." not in page.url
    page.go_back()
    page.wait_for_function("() => location.pathname.endsWith('/lecture-03/')")
    page.locator(root(optim)).scroll_into_view_if_needed()
    wait_updated(page, root(optim))
    assert page.evaluate("window.__samePage") is True
    assert page.input_value(f'{root(optim)} [data-control="lr_sgd"]') == "0.05"
