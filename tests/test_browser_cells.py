"""Runnable cells and the Q&A filter in real Chromium with the real Pyodide 0.27.7.

Cells live in the site's own section ("사이트 보충 자료") of lecture 3. Tests type into a cell through
CodeMirror's API (what a reader's keystrokes do), press the buttons and read what the page shows.
The ``page`` fixture fails a test on any request leaving 127.0.0.1 or any console error.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

PAGE = "/lectures/lecture-03/"
CELL = ".cs231n-cell"
LOAD_TIMEOUT = 120_000   # a cold Pyodide + NumPy load on a shared 2-core machine


def wait_editors(page) -> None:
    page.wait_for_function("(sel) => { const c = document.querySelectorAll(sel);"
                           " return c.length && [...c].every((n) => n.dataset.editor === 'ready'); }",
                           arg=CELL, timeout=30_000)


def open_cells(page, site_url: str) -> None:
    page.goto(site_url + PAGE)
    wait_editors(page)


def cell(index: int) -> str:
    return f"{CELL} >> nth={index}"


def set_code(page, index: int, code: str) -> None:
    page.evaluate("([i, code]) => document.querySelectorAll('.cs231n-cell')[i]"
                  ".querySelector('.CodeMirror').CodeMirror.setValue(code)", [index, code])


def get_code(page, index: int) -> str:
    return page.evaluate("(i) => document.querySelectorAll('.cs231n-cell')[i]"
                         ".querySelector('.CodeMirror').CodeMirror.getValue()", index)


def runs(page, index: int) -> int:
    return page.evaluate("(i) => Number(document.querySelectorAll('.cs231n-cell')[i].dataset.runs || 0)", index)


def run_cell(page, index: int, timeout: int = LOAD_TIMEOUT) -> str:
    """Press 실행 and wait for the run to finish; returns the cell's state."""
    before = runs(page, index)
    page.locator(cell(index)).locator('[data-cell-action="run"]').click()
    page.wait_for_function("([i, n]) => Number(document.querySelectorAll('.cs231n-cell')[i].dataset.runs || 0) > n",
                           arg=[index, before], timeout=timeout)
    return page.locator(cell(index)).get_attribute("data-cell-state")


def pyodide_requests(page) -> list[str]:
    return [u for u in page.requests if "/pyodide/" in u or "worker.js" in u]


def test_cells_wait_for_the_reader_before_loading_python(page, site_url):
    open_cells(page, site_url)
    assert page.locator(CELL).count() >= 3
    assert page.locator(cell(0)).locator(".CodeMirror").count() == 1  # the editor replaced the static code
    # One snapshot: a widget in view may start Python itself (then the check says nothing); cells never do.
    widgets_started, runtime_state = page.evaluate(
        "[[...document.querySelectorAll('.cs231n-demo')].some((w) => w.dataset.state !== 'idle'),"
        " window.cs231n.runtime.state]")
    if not widgets_started:
        assert runtime_state == "idle"
        assert pyodide_requests(page) == []
    for name, label in (("run", "실행"), ("stop", "중지"), ("revert", "되돌리기")):
        assert label in page.locator(cell(0)).locator(f'[data-cell-action="{name}"]').inner_text()


def test_cell_prints_and_shows_the_last_value(page, site_url):
    open_cells(page, site_url)
    set_code(page, 0, "import numpy as np\nprint('합계', np.arange(5).sum())\nnp.arange(3) * 2")
    assert run_cell(page, 0) == "done"
    output = page.locator(cell(0)).locator(".cs231n-cell-output")
    assert output.locator(".cs231n-cell-stdout").inner_text().strip() == "합계 10"
    assert output.locator(".cs231n-cell-value").inner_text().replace("\n", " ").endswith("array([0, 2, 4])")


def test_cells_share_the_page_namespace(page, site_url):
    open_cells(page, site_url)
    set_code(page, 0, "shared = 40")
    assert run_cell(page, 0) == "done"
    set_code(page, 1, "shared + 2")
    assert run_cell(page, 1) == "done"
    assert "42" in page.locator(cell(1)).locator(".cs231n-cell-value").inner_text()


def test_cell_draws_a_plotly_figure(page, site_url):
    open_cells(page, site_url)
    set_code(page, 0, "show({'data': [{'type': 'scatter', 'mode': 'markers', 'x': [1, 2, 3], 'y': [3, 1, 2]}],"
                      " 'layout': {'height': 260}})")
    assert run_cell(page, 0) == "done"
    figure = page.locator(cell(0)).locator(".cs231n-cell-figure")
    assert figure.count() == 1
    assert figure.locator("svg.main-svg").count() >= 1
    assert figure.locator(".scatterlayer .point").count() == 3


def test_the_authors_cells_run_and_draw(page, site_url):
    open_cells(page, site_url)
    count = page.locator(CELL).count()
    for index in range(count):
        assert run_cell(page, index) == "done", page.locator(cell(index)).inner_text()
    assert "SGD" in page.locator(cell(1)).locator(".cs231n-cell-stdout").inner_text()
    assert page.locator(f"{CELL} .cs231n-cell-figure svg.main-svg").count() >= 1


def test_syntax_error_is_reported_in_korean_with_its_line(page, site_url):
    open_cells(page, site_url)
    set_code(page, 0, "x = 1\nif x\n    print(x)")
    assert run_cell(page, 0) == "error"
    error = page.locator(cell(0)).locator(".cs231n-cell-error").inner_text()
    assert "문법 오류" in error and "SyntaxError" in error and "2번째 줄" in error and "if x" in error
    assert "Traceback" not in error
    # the editor marks that line
    marked = page.locator(cell(0)).locator(".CodeMirror-code > div").nth(1).locator(".cs231n-cell-errline")
    assert marked.count() == 1


def test_stop_ends_an_endless_loop_and_the_next_run_works(page, site_url):
    open_cells(page, site_url)
    set_code(page, 0, "while True:\n    pass")
    page.locator(cell(0)).locator('[data-cell-action="run"]').click()
    # wait until the loop really runs inside Python (the runtime finished loading)
    page.wait_for_function("() => document.querySelector('.cs231n-cell').dataset.cellState === 'running'",
                           timeout=LOAD_TIMEOUT)
    page.wait_for_timeout(500)
    assert page.locator(cell(0)).get_attribute("data-cell-state") == "running"
    page.locator(cell(0)).locator('[data-cell-action="stop"]').click()
    page.wait_for_function("() => document.querySelector('.cs231n-cell').dataset.cellState === 'stopped'",
                           timeout=2_000)
    assert "중지했습니다" in page.locator(cell(0)).locator(".cs231n-cell-output").inner_text()
    set_code(page, 0, "print('다시 실행됨')")
    assert run_cell(page, 0) == "done"
    assert page.locator(cell(0)).locator(".cs231n-cell-stdout").inner_text().strip() == "다시 실행됨"


def test_edits_survive_a_reload_until_reverted(page, site_url):
    open_cells(page, site_url)
    original = get_code(page, 1)
    edited = "print('내가 고친 코드')"
    set_code(page, 1, edited)
    assert page.locator(cell(1)).get_attribute("data-edited") == "true"
    page.wait_for_function("(text) => Object.keys(localStorage).some((k) => k.startsWith('cs231n-cell:')"
                           " && localStorage.getItem(k) === text)", arg=edited, timeout=5_000)
    page.reload()
    wait_editors(page)
    assert get_code(page, 1) == edited
    assert get_code(page, 0) != edited  # only that cell
    assert "수정본" in page.locator(cell(1)).locator(".cs231n-cell-note").inner_text()
    page.locator(cell(1)).locator('[data-cell-action="revert"]').click()
    assert get_code(page, 1) == original
    assert page.locator(cell(1)).get_attribute("data-edited") == "false"
    assert page.locator(cell(1)).locator('[data-cell-action="revert"]').is_disabled()
    page.reload()
    wait_editors(page)
    assert get_code(page, 1) == original


# ---------------------------------------------------------------------------------------------
# The Q&A index filter.
# ---------------------------------------------------------------------------------------------

class _Items(HTMLParser):
    """Each question item of the built index: its anchor and its text with its lecture title."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: dict[str, str] = {}
        self.heading = ""
        self.in_heading = False
        self.current = None
        self.depth = 0   # open <li> inside the current item

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class") or ""
        if tag == "h2" and "cs231n-qa-heading" in classes:
            self.in_heading, self.heading = True, ""
        elif tag == "li" and "cs231n-qa-item" in classes:
            self.current, self.depth = attrs["data-anchor"], 1
            self.items[self.current] = self.heading + " "
        elif tag == "li" and self.depth:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_heading = False
        elif tag == "li" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.in_heading:
            self.heading += data
        if self.depth:
            self.items[self.current] += data


def expected_matches(site_dir, query: str) -> set[str]:
    """Anchors of the questions whose text (or its lecture title) holds every word of ``query``,
    ignoring case and spaces."""
    parser = _Items()
    parser.feed((site_dir / "questions" / "index.html").read_text(encoding="utf-8"))
    terms = query.lower().split()
    return {anchor for anchor, text in parser.items.items()
            if all(t in text.lower() or t in re.sub(r"\s+", "", text.lower()) for t in terms)}


def visible_anchors(page) -> set[str]:
    return set(page.eval_on_selector_all(".cs231n-qa-item", "items => items.filter((i) => !i.hidden)"
                                                             ".map((i) => i.dataset.anchor)"))


@pytest.mark.parametrize("query", ["softmax", "가중치", "ResNet 장점", "padding pooling", "공간문제"])
def test_qa_filter_keeps_matching_questions(page, site_url, site_dir, query):
    page.goto(site_url + "/questions/")
    box = page.locator(".cs231n-qa-filter input")
    box.wait_for(state="visible")
    everything = visible_anchors(page)
    assert len(everything) == page.locator(".cs231n-qa-item").count()
    box.fill(query)
    expected = expected_matches(site_dir, query)
    assert visible_anchors(page) == expected
    assert page.locator(".cs231n-qa-item:visible").count() == len(expected)
    if expected:
        assert len(expected) < len(everything), "the query should really filter"
        assert f"{len(everything)}개 중 {len(expected)}개" in page.locator(".cs231n-qa-status").inner_text()
    assert "q=" in page.url  # a filtered list can be shared
    box.fill("")
    assert visible_anchors(page) == everything


def test_qa_filter_finds_korean_and_english_words(site_dir):
    """The queries above really exercise both scripts: each finds something."""
    for query in ("softmax", "가중치", "ResNet 장점", "padding pooling", "공간문제"):
        assert expected_matches(site_dir, query), query


def test_qa_filter_says_when_nothing_matches_and_hides_empty_lectures(page, site_url):
    page.goto(site_url + "/questions/")
    page.locator(".cs231n-qa-filter input").fill("존재하지않는말 zzzz")
    assert visible_anchors(page) == set()
    assert page.locator(".cs231n-qa-empty").is_visible()
    assert page.locator(".cs231n-qa-heading:visible").count() == 0


def test_qa_filter_reads_the_query_from_the_address(page, site_url, site_dir):
    page.goto(site_url + "/questions/?q=Softmax")
    page.locator(".cs231n-qa-filter input").wait_for(state="visible")
    assert page.locator(".cs231n-qa-filter input").input_value() == "Softmax"
    assert visible_anchors(page) == expected_matches(site_dir, "softmax")
