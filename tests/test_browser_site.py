"""The site in a real browser: instant navigation between home and lecture pages, Korean search,
question anchors, KaTeX, the theme toggle. The ``page`` fixture fails the test on any console error
or any request that leaves 127.0.0.1."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from widget_helpers import open_widget, palette_color, toggle_palette

MARKER = "window.__cs231nNoReload"


def search(page, term: str):
    """Type ``term`` in Material's search box and wait for its results."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(term)
    box.press("End")  # Material reads the query on keyup
    page.wait_for_function(
        """(t) => document.querySelector('input.md-search__input').value === t &&
                  document.querySelectorAll('.md-search-result__item').length > 0""",
        arg=term, timeout=15000)
    return page.locator(".md-search-result__item")


def test_instant_navigation_between_home_and_lectures(page, site_url):
    page.goto(site_url + "/")
    expect(page.locator(".md-content article h1")).to_have_text(re.compile("CS231n 한국어 학습 노트"))
    expect(page.locator(".cs231n-card")).to_have_count(18)
    page.evaluate(f"{MARKER} = true")

    # A lecture card on the home page -> Lecture 3, without a page reload.
    page.locator('.cs231n-card[href$="/lectures/lecture-03/"]').click()
    expect(page).to_have_url(re.compile(r"/lectures/lecture-03/(#.*)?$"))
    expect(page.locator(".md-content article h1")).to_have_text(re.compile("Lecture 3: Regularization and Optimization"))
    assert page.evaluate(MARKER) is True
    expect(page.locator("article .cs231n-notes ol").first).to_contain_text("x -= learning_rate * dx")

    # The sidebar -> Lecture 8: its overview's math is typeset by KaTeX after instant navigation.
    page.locator('.md-nav--primary a[href$="lecture-08/"]').first.click()
    expect(page).to_have_url(re.compile(r"/lectures/lecture-08/(#.*)?$"))
    expect(page.locator(".md-content article h1")).to_have_text(re.compile("Lecture 8: Attention and Transformers"))
    assert page.evaluate(MARKER) is True
    expect(page.locator(".cs231n-overview .katex").first).to_be_visible()
    expect(page.locator("article")).to_contain_text("아직 작성하지 않았습니다")

    # Back to the home page through the header's site title link.
    page.locator("a.md-header__button.md-logo").click()
    expect(page.locator(".cs231n-card")).to_have_count(18)
    assert page.evaluate(MARKER) is True


@pytest.mark.parametrize("term, lecture", [("정규화", 6), ("초기화", 6), ("Momentum", 3)])
def test_search_box_finds_korean_and_english_terms(page, site_url, term, lecture):
    page.goto(site_url + "/")
    results = search(page, term)
    hrefs = [a.get_attribute("href") for a in results.locator("a").all()]
    assert any(f"lectures/lecture-{lecture:02d}/" in (h or "") for h in hrefs), hrefs
    expect(results.locator("mark").first).to_contain_text(re.compile(re.escape(term), re.I))


def test_korean_search_result_opens_the_lecture(page, site_url):
    page.goto(site_url + "/lectures/lecture-01/")
    page.evaluate(f"{MARKER} = true")
    results = search(page, "정규화")
    results.locator('a[href*="lecture-06/"]').first.click()
    expect(page).to_have_url(re.compile(r"/lectures/lecture-06/"))
    expect(page.locator(".md-content article h1")).to_have_text(re.compile("Lecture 6: CNN Architectures"))
    assert page.evaluate(MARKER) is True


def test_question_anchor_opens_its_block(page, site_url):
    page.goto(site_url + "/lectures/lecture-02/#q-2-3")
    details = page.locator("details#q-2-3")
    expect(details).to_have_attribute("open", "")
    expect(details.locator("blockquote")).to_be_visible()
    expect(details.locator("summary")).to_be_in_viewport()
    expect(page.locator("details#q-2-1")).not_to_have_attribute("open", "")
    # The table of contents lists the questions; following one opens it.
    page.locator('.md-sidebar--secondary a[href$="#q-2-1"]:visible').click()
    expect(page.locator("details#q-2-1")).to_have_attribute("open", "")


def test_palette_toggle_switches_to_dark(page, site_url):
    page.goto(site_url + "/roadmap/")
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    expect(page.locator("body")).not_to_have_attribute("data-md-color-scheme", scheme)
    expect(page.locator(".cs231n-bar-fill").first).to_be_visible()


@pytest.mark.parametrize("page", [{"width": 390, "height": 844}], indirect=True)
def test_phone_width_has_no_horizontal_overflow(page, site_url):
    for path in ["/", "/lectures/lecture-05/", "/lectures/lecture-09/", "/roadmap/"]:
        page.goto(site_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide"


# The text colour Plotly resolved for a drawn figure, and the legend and grid colours the site's
# theme gives (a demo may set its own grid lines or draw its legend in HTML).
FIGURE_COLORS_JS = """(sel) => {
  const themed = window.cs231nTheme.themed({legend: {font: {size: 10}}});
  return {font: document.querySelector(sel)._fullLayout.font.color, legend: themed.legend.font.color,
          grid: themed.xaxis.gridcolor}; }"""


def test_widget_figures_follow_the_light_and_dark_palette(page, site_url):
    widget = '.cs231n-demo[data-demo="knn-cv"]'
    plot = f'{widget} [data-plot="knn-cv"]'
    open_widget(page, site_url + "/lectures/lecture-02/", widget)
    for flips in range(2):
        colors = page.evaluate(FIGURE_COLORS_JS, plot)
        fg = palette_color(page)
        assert colors == {"font": fg, "legend": fg,
                          "grid": palette_color(page, "--md-default-fg-color--lightest")}, flips
        assert "#444" not in colors.values()  # Plotly's fallback for a colour it cannot parse
        toggle_palette(page)
        page.wait_for_function("([sel, c]) => document.querySelector(sel)._fullLayout.font.color !== c",
                               arg=[plot, colors["font"]])
    # Widgets, runnable cells and notebook pages share one theme (assets/cs231n/theme.js).
    assert page.evaluate("""() => JSON.stringify(window.cs231n.themed({title: 't'}))
                                 === JSON.stringify(window.cs231nTheme.themed({title: 't'}))""")
