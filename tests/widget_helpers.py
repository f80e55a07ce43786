"""Helpers shared by the browser tests of widgets: open a widget, edit it and wait for its redraw,
read what it shows, call Python from the page, measure a drawn figure.

``selector`` is a widget root, e.g. ``'.cs231n-demo[data-demo="knn"]'``."""

from __future__ import annotations

import math

CALL_ALL_JS = """async (calls) => {
    await window.cs231n.ready();
    const out = [];
    for (const [name, kwargs] of calls) out.push(await window.cs231n.call(name, kwargs));
    return out;
}"""


def call_all(page, calls: list[tuple[str, dict]]) -> list:
    """Run every ``(name, kwargs)`` through ``window.cs231n.call`` in order; their JSON results."""
    return page.evaluate(CALL_ALL_JS, [list(c) for c in calls])


CALL_ERROR_JS = """async ([name, kwargs]) => {
    try { await window.cs231n.call(name, kwargs); } catch (e) { return e.message; }
    return 'no error';
}"""


def call_error(page, name: str, kwargs: dict) -> str:
    """The message ``window.cs231n.call(name, kwargs)`` rejects with (``'no error'`` if it resolves)."""
    return page.evaluate(CALL_ERROR_JS, [name, kwargs])


def close(a, b, rel: float = 1e-12) -> bool:
    """Equal JSON values, floats up to ``rel`` (WebAssembly NumPy / libm may round differently)."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], rel) for k in a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
    return a == b


def updates(page, selector: str) -> int:
    """How many times the widget at ``selector`` has finished an update."""
    return int(page.get_attribute(selector, "data-updates") or 0)


def wait_updated(page, selector: str, at_least: int = 1, timeout: int = 120_000) -> None:
    """Wait until the widget has finished ``at_least`` updates and has nothing more queued."""
    page.wait_for_function(
        "([sel, n]) => { const r = document.querySelector(sel);"
        " return r && Number(r.dataset.updates || 0) >= n && r.cs231nWidget && !r.cs231nWidget.busy; }",
        arg=[selector, at_least], timeout=timeout)


def open_widget(page, url: str, selector: str) -> None:
    """Open ``url``, bring the widget into view and wait for its first output; it is ready."""
    page.goto(url)
    page.wait_for_selector(selector)
    page.locator(selector).scroll_into_view_if_needed()
    wait_updated(page, selector)
    assert page.get_attribute(selector, "data-state") == "ready"
    show_advanced(page, selector)   # the tests reach every control, primary or not


def after(page, selector: str, action) -> None:
    """Do ``action()`` (typing, a click...) and wait until the widget has redrawn once more and is idle."""
    before = updates(page, selector)
    action()
    wait_updated(page, selector, before + 1)


def edit(page, selector: str, control: str, value: str) -> None:
    """Type ``value`` into a control and wait until the widget has redrawn once more."""
    show_advanced(page, selector)
    after(page, selector, lambda: page.fill(f'{selector} [data-control="{control}"]', value))


def set_slider(page, selector: str, name: str, value: float) -> None:
    """Move a slider to ``value`` (as a drag would: an input event) and wait for the redraw."""
    after(page, selector, lambda: page.eval_on_selector(
        f'{selector} [data-control="{name}"]',
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }",
        value))


def click_plot(page, selector: str, plot_id: str, fx: float, fy: float) -> None:
    """Click at a fraction (fx, fy) of a plot's drawing area (0, 0 = top left); wait for the redraw."""
    node = f'{selector} [data-plot="{plot_id}"]'
    page.locator(node).scroll_into_view_if_needed()
    x, y = page.evaluate("""([sel, fx, fy]) => {
        const node = document.querySelector(sel);
        const rect = node.getBoundingClientRect();
        const xa = node._fullLayout.xaxis, ya = node._fullLayout.yaxis;
        return [rect.left + xa._offset + fx * xa._length, rect.top + ya._offset + fy * ya._length];
    }""", [node, fx, fy])
    after(page, selector, lambda: page.mouse.click(x, y))


def message(page, selector: str) -> str | None:
    """The widget's (Korean) message about its input, or None when it shows none."""
    node = page.locator(f"{selector} .cs231n-message")
    return None if node.is_hidden() else node.inner_text()


def stats_text(page, selector: str) -> str:
    """All the text of the widget's stats output."""
    return page.inner_text(f"{selector} .cs231n-stats")


def stat(page, selector: str, label: str) -> str | None:
    """The value shown beside a Korean stats label."""
    return page.evaluate("""([sel, label]) => {
        const items = [...document.querySelectorAll(sel + ' .cs231n-stat')];
        const item = items.find((i) => i.querySelector('dt').textContent === label);
        return item ? item.querySelector('dd').textContent : null;
    }""", [selector, label])


def toggle_palette(page) -> None:
    """Flip Material's light / dark palette with its toggle and wait until the page has the other
    colour scheme."""
    scheme = page.evaluate("document.body.dataset.mdColorScheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function("(s) => document.body.dataset.mdColorScheme !== s", arg=scheme)


PALETTE_COLOR_JS = """(variable) => { const s = document.createElement('span');
  s.style.color = `var(${variable})`; document.body.append(s);
  const c = getComputedStyle(s).color; s.remove(); return c; }"""


def palette_color(page, variable: str = "--md-default-fg-color") -> str:
    """A Material colour variable of the current scheme as the browser resolves it (rgb()/rgba())."""
    return page.evaluate(PALETTE_COLOR_JS, variable)


# Plotly's own measures of a drawn figure: its height, the plot area inside the margins, the length
# of each axis in pixels and its pixels per data unit (an equal-aspect figure has |x_m| == |y_m|).
PLOT_GEOMETRY_JS = """(selector) => {
  const full = document.querySelector(selector)._fullLayout;
  return {height: full.height, areaWidth: full._size.w, areaHeight: full._size.h,
          xLength: full.xaxis._length, yLength: full.yaxis._length,
          xScale: Math.abs(full.xaxis._m), yScale: Math.abs(full.yaxis._m)};
}"""


def equal_aspect(page, plot: str) -> dict:
    """The geometry of a drawn figure, checked to have as many pixels per unit on y as on x."""
    shape = page.evaluate(PLOT_GEOMETRY_JS, plot)
    assert abs(shape["xScale"] - shape["yScale"]) <= 0.01 * shape["xScale"], shape
    return shape


def fits_its_plot_area(page, plot: str) -> dict:
    """The geometry of an equal-aspect figure, checked to keep its aspect and to fill its plot
    area (no empty band above, below or beside it)."""
    shape = equal_aspect(page, plot)
    assert abs(shape["yLength"] - shape["areaHeight"]) <= 2 and abs(shape["xLength"] - shape["areaWidth"]) <= 2, shape
    return shape


def show_advanced(page, selector: str) -> None:
    """Open the widget's 고급 설정 section (controls beyond its primary ones), if it has one."""
    page.eval_on_selector(selector, "(root) => { const d = root.querySelector('.cs231n-advanced');"
                                    " if (d) d.open = true; }")
