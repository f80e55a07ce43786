"""Helpers shared by the browser tests of widgets: wait for a redraw, call Python from the page."""

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
