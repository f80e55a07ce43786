"""Notebook pages in real Chromium: Plotly figures drawn (direct load and after Material's instant
navigation), math typeset by KaTeX, colours that follow light / dark, and the site search finds
notebook text. The ``page`` fixture fails on console errors and on requests leaving 127.0.0.1.
"""

from __future__ import annotations

import json

import pytest

from sitekit import notebooks
from widget_helpers import palette_color, toggle_palette

NOTEBOOKS = notebooks.notebook_paths()
by_name = pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
GALLERY = "/demos/"
# A word each notebook has and no other page has (checked against the search index first).
ONLY_IN = {"knn": "Voronoi", "linear": "hinge", "optim": "Polyak", "conv": "im2col",
           "attention": "patchify", "training": "Bernoulli", "backprop": "fan-out"}

FIGURES_DRAWN = """() => {
  const boxes = [...document.querySelectorAll('.cs231n-notebook .cs231n-nb-plot')];
  return boxes.length > 0 && boxes.every((box) => box.dataset.drawn === 'true');
}"""

# What Plotly actually put on screen, per figure box.
FIGURE_REPORT = """() => [...document.querySelectorAll('.cs231n-notebook .cs231n-nb-plot')].map((box) => ({
  expected: JSON.parse(box.dataset.figure).data.length,
  traces: (box._fullData || []).length,
  svgs: box.querySelectorAll('svg.main-svg').length,
  drawnTraces: box.querySelectorAll('.cartesianlayer .trace, .cartesianlayer .hm, .cartesianlayer .contour').length,
  width: box.getBoundingClientRect().width,
  height: box.getBoundingClientRect().height,
  fontColor: box._fullLayout && box._fullLayout.font.color,
}))"""


def wait_for_notebook(page, stem: str) -> None:
    """Wait until the address AND the content are the notebook's: Material changes the address
    before it swaps the content, so the previous page's figures would otherwise be checked."""
    page.wait_for_url(f"**/notebooks/{stem}/**")
    page.wait_for_function(
        "(name) => { const a = document.querySelector('.cs231n-notebook a[download]');"
        " return a && a.href.endsWith('/' + name); }", arg=f"notebooks/{stem}/{stem}.ipynb",
        timeout=15_000)


def assert_figures_drawn(page) -> list[dict]:
    page.wait_for_function(FIGURES_DRAWN, timeout=30_000)
    report = page.evaluate(FIGURE_REPORT)
    for i, figure in enumerate(report):
        assert figure["svgs"] >= 1, f"그림 {i}: svg.main-svg가 없습니다 {figure}"
        assert figure["traces"] == figure["expected"] > 0, f"그림 {i}: trace 수가 다릅니다 {figure}"
        assert figure["drawnTraces"] > 0, f"그림 {i}: 그려진 trace가 없습니다 {figure}"
        assert figure["width"] > 200 and figure["height"] > 150, f"그림 {i}: 크기 {figure}"
    return report


def assert_math_typeset(page) -> None:
    page.wait_for_function("""() => {
      const math = [...document.querySelectorAll('.cs231n-notebook .arithmatex')];
      return math.length > 0 && math.every((m) => m.querySelector('.katex'));
    }""", timeout=15_000)


@by_name
def test_figures_and_math_on_a_direct_load(page, site_url, path):
    page.goto(f"{site_url}/notebooks/{path.stem}/")
    report = assert_figures_drawn(page)
    assert len(report) == len(page.query_selector_all(".cs231n-nb-plot[data-figure]"))
    assert_math_typeset(page)


@by_name
def test_figures_and_math_after_instant_navigation(page, site_url, path):
    page.goto(site_url + "/")
    page.evaluate("window.__sameDocument = true")
    page.click('nav.md-nav--primary a.md-nav__link[href$="demos/"]')
    page.wait_for_url("**" + GALLERY)
    card = page.locator(f'article a[href$="notebooks/{path.stem}/"]').first
    card.wait_for(timeout=10_000)  # fails here if the gallery does not list this notebook
    card.click()
    wait_for_notebook(page, path.stem)
    assert_figures_drawn(page)
    assert_math_typeset(page)
    assert page.evaluate("window.__sameDocument") is True, "instant navigation이 페이지를 새로 불러왔습니다"


def test_moving_between_notebooks_frees_old_figures_and_draws_new_ones(page, site_url):
    first, second = NOTEBOOKS[0].stem, NOTEBOOKS[-1].stem
    page.goto(f"{site_url}/notebooks/{first}/")
    assert_figures_drawn(page)
    page.evaluate("window.__sameDocument = true; window.__oldPlot = document.querySelector('.cs231n-nb-plot')")
    page.click('nav.md-nav--primary a.md-nav__link[href$="demos/"]')
    page.wait_for_url("**" + GALLERY)
    page.locator(f'article a[href$="notebooks/{second}/"]').first.click()
    wait_for_notebook(page, second)
    assert_figures_drawn(page)
    # the first page's plots were purged by Plotly (no layout, listeners or WebGL left behind)
    assert page.evaluate("!window.__oldPlot.isConnected && window.__oldPlot._fullLayout === undefined")
    page.go_back()
    page.wait_for_url("**" + GALLERY)
    page.go_back()
    wait_for_notebook(page, first)
    assert_figures_drawn(page)
    assert page.evaluate("window.__sameDocument") is True
    # one document$ subscription: the figures of the page shown are drawn once, not twice
    boxes = page.query_selector_all(".cs231n-nb-plot")
    assert all(len(box.query_selector_all(":scope > .plot-container")) == 1 for box in boxes)


def test_figures_follow_the_light_and_dark_palette(page, site_url):
    page.goto(f"{site_url}/notebooks/{NOTEBOOKS[0].stem}/")
    before = assert_figures_drawn(page)[0]["fontColor"]
    toggle_palette(page)
    page.wait_for_function("(c) => document.querySelector('.cs231n-nb-plot')._fullLayout.font.color !== c",
                           arg=before)
    after = page.evaluate("document.querySelector('.cs231n-nb-plot')._fullLayout.font.color")
    expected = palette_color(page, "--md-default-fg-color")
    # "#444" is what Plotly falls back to when it cannot parse a colour (Material's hsla(..deg..))
    assert after == expected and "#444" not in (before, after)


@by_name
def test_site_search_finds_a_word_only_this_notebook_has(page, site_url, site_dir, path):
    word = ONLY_IN[path.stem]
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    where = {doc["location"].split("#")[0] for doc in index["docs"]
             if word.lower() in (doc["title"] + " " + doc["text"]).lower()}
    assert where == {f"notebooks/{path.stem}/"}, f"'{word}'가 이 노트북에만 있어야 합니다: {where}"

    page.goto(site_url + "/")
    page.locator("input.md-search__input").click()
    page.keyboard.type(word, delay=30)  # Material searches on key events, not on fill()
    result = page.locator(f'.md-search-result__item a[href*="notebooks/{path.stem}/"]').first
    result.wait_for(timeout=15_000)
    result.click()
    wait_for_notebook(page, path.stem)
    assert_figures_drawn(page)
