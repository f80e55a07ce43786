"""The conv widgets in real Chromium with the real Pyodide: typing redraws, bad input is explained
in Korean and can be fixed, presets and records work, and the JS entry point equals CPython."""

from __future__ import annotations

import pytest

from demos import bridge
from widget_helpers import after, edit, message, open_widget

LECTURE_5 = "/lectures/lecture-05/"
LECTURE_6 = "/lectures/lecture-06/"
LAYER = '.cs231n-demo[data-demo="conv-layer"]'
STACK = '.cs231n-demo[data-demo="conv-stack"]'
COMPARE = '.cs231n-demo[data-demo="conv-3x3-vs-7x7"]'
PHONE = {"width": 390, "height": 844}


def test_conv_layer_floor_drops_a_row_strict_refuses_and_227_fixes_it(page, site_url):
    open_widget(page, site_url + LECTURE_5, LAYER)
    assert "10 × 32 × 32" in page.inner_text(f"{LAYER} .cs231n-stats")
    assert page.locator(f'{LAYER} [data-plot="windows"] .main-svg').count() >= 1
    assert page.locator(f"{LAYER} .cs231n-math .katex").count() >= 1  # TeX was typeset
    assert page.locator(f"{LAYER} .katex-error").count() == 0
    # A formula shown again is a copy of its first typesetting (the host keeps them): the same.
    def formulas():
        return page.eval_on_selector_all(f"{LAYER} .cs231n-math", "(ms) => ms.map((m) => m.innerHTML)")

    first = formulas()
    edit(page, LAYER, "H", "33")
    assert formulas() != first and "33" in " ".join(formulas())
    edit(page, LAYER, "H", "32")
    assert formulas() == first

    after(page, LAYER, lambda: page.select_option(f'{LAYER} [data-control="mode"]', "floor"))
    for control, value in [("H", "224"), ("W", "224"), ("padding", "0"), ("stride", "4"),
                           ("kernel", "11"), ("filters", "96")]:
        edit(page, LAYER, control, value)
    assert message(page, LAYER) is None
    stats = page.inner_text(f"{LAYER} .cs231n-stats")
    assert "96 × 54 × 54" in stats and "34,944" in stats
    assert "223" in page.inner_text(f"{LAYER} .cs231n-text")  # the input row floor never reads
    # the picture is the same figure CPython makes (cropped to the end of the axis)
    figure = page.evaluate(f"document.querySelector('{LAYER} [data-plot=\"windows\"]').cs231nFigure")
    row = dict(zip(figure["data"][0]["x"], figure["data"][0]["z"][0]))
    assert row[223] == 5 and row[222] == 3

    after(page, LAYER, lambda: page.select_option(f'{LAYER} [data-control="mode"]', "strict"))
    assert "54.25" in message(page, LAYER)
    edit(page, LAYER, "H", "227")
    assert "54.25" in message(page, LAYER)  # W is still 224: the message names the other axis
    assert "너비 W" in message(page, LAYER)
    edit(page, LAYER, "W", "227")
    assert message(page, LAYER) is None
    assert "96 × 55 × 55" in page.inner_text(f"{LAYER} .cs231n-stats")


def test_conv_stack_presets_records_and_korean_errors(page, site_url):
    open_widget(page, site_url + LECTURE_5, STACK)
    table = f"{STACK} .cs231n-table"
    assert "64 × 112 × 112" in page.inner_text(table)  # VGG block by default

    after(page, STACK, lambda: page.click(f'{STACK} [data-action="preset-resnet"]'))
    assert "64 × 56 × 56" in page.inner_text(table) and "9,408" in page.inner_text(table)
    assert page.locator(f'{STACK} [data-control="layers"] tbody tr').count() == 2

    groups = f'{STACK} input[data-row="0"][data-field="groups"]'
    after(page, STACK, lambda: page.fill(groups, "5"))
    text = message(page, STACK)
    assert text and "groups" in text and "나누어떨어지지" in text
    after(page, STACK, lambda: page.fill(groups, "1"))
    assert message(page, STACK) is None

    after(page, STACK, lambda: page.click(f'{STACK} [data-records-action="add"]'))
    assert page.locator(f'{STACK} [data-control="layers"] tbody tr').count() == 3
    assert page.locator(f"{table} tbody tr").count() == 4  # input row + 3 layers
    after(page, STACK, lambda: page.click(f'{STACK} tr[data-row="2"] [data-records-action="remove"]'))
    assert page.locator(f"{table} tbody tr").count() == 3

    after(page, STACK, lambda: page.click(f'{STACK} [data-action="preset-alexnet"]'))
    assert page.input_value(f'{STACK} [data-control="H"]') == "227"
    assert "96 × 55 × 55" in page.inner_text(table) and "307,456" in page.inner_text(table)
    edit(page, STACK, "H", "224")
    edit(page, STACK, "W", "224")
    assert "96 × 54 × 54" in page.inner_text(table)
    assert page.locator(f"{table} tr.cs231n-highlight").count() == 2
    assert "54.25" in page.inner_text(f"{STACK} .cs231n-text")


SUMMARIZE_CALLS = [
    {"input_shape": [6, 31, 17], "layers": [
        {"type": "conv", "out_channels": 12, "kernel": 4, "stride": 3, "padding": 2, "dilation": 2,
         "groups": 3},
        {"type": "pool", "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        {"type": "conv", "out_channels": 5, "kernel": 1, "stride": 2, "bias": False}]},
    {"input_shape": [3, 224, 224], "layers": [
        {"type": "conv", "out_channels": 64, "kernel": 7, "stride": 2, "padding": 3, "bias": False},
        {"type": "pool", "kernel": 3, "stride": 2, "padding": 1}, {"type": "pool", "kernel": 2}]},
    {"input_shape": [3, 10, 13], "layers": []},
]
BAD_CALLS = [
    ("demos.conv.summarize", {"input_shape": [30, 8, 8], "layers": [
        {"type": "conv", "out_channels": 64, "kernel": 3, "groups": 4}]}),
    ("demos.conv.summarize", {"input_shape": [3, 8, 8], "layers": [{"type": "pool", "kernel": 2,
                                                                    "padding": 2}]}),
    ("demos.conv.conv_output_size", {"size": 224, "kernel": 11, "stride": 4}),
    ("demos.conv.conv_output_size", {"size": 10, "kernel": True}),
]


def test_js_call_equals_cpython(page, site_url):
    page.goto(site_url + LECTURE_5)
    got, errors = page.evaluate("""async ([calls, bad]) => {
        await window.cs231n.ready();
        const out = [];
        for (const kwargs of calls) out.push(await window.cs231n.call('demos.conv.summarize', kwargs));
        out.push(await window.cs231n.call('demos.conv.window_taps',
                                          {size: 5, kernel: 2, stride: 2, padding: 1, mode: 'ceil'}));
        const errors = [];
        for (const [name, kwargs] of bad) {
            try { await window.cs231n.call(name, kwargs); errors.push(null); }
            catch (e) { errors.push(e.message); }
        }
        return [out, errors];
    }""", [SUMMARIZE_CALLS, [list(c) for c in BAD_CALLS]])
    expected = [bridge.call("demos.conv.summarize", kwargs) for kwargs in SUMMARIZE_CALLS]
    expected.append(bridge.call("demos.conv.window_taps",
                                {"size": 5, "kernel": 2, "stride": 2, "padding": 1, "mode": "ceil"}))
    assert got == expected
    for (name, kwargs), text in zip(BAD_CALLS, errors):
        with pytest.raises((ValueError, TypeError)) as excinfo:
            bridge.resolve(name)(**kwargs)
        assert text == str(excinfo.value)


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_3x3_vs_7x7_on_a_phone(page, site_url):
    open_widget(page, site_url + LECTURE_6, COMPARE)
    edit(page, COMPARE, "C", "3")
    table = page.inner_text(f"{COMPARE} .cs231n-table")
    assert "243" in table and "441" in table  # 27·3² and 49·3²
    assert "27C^2 = 243" in page.evaluate(
        f"[...document.querySelectorAll('{COMPARE} .cs231n-math annotation')]"
        ".map(a => a.textContent).join(' ')")
    assert page.locator(f"{COMPARE} .katex-error").count() == 0
    edit(page, COMPARE, "C", "-1")
    assert "채널 수 C" in message(page, COMPARE)
    edit(page, COMPARE, "C", "64")
    assert message(page, COMPARE) is None and "110,592" in page.inner_text(f"{COMPARE} .cs231n-table")
    plot = page.locator(f'{COMPARE} [data-plot="compare"]')
    assert plot.locator(".main-svg").count() >= 1
    assert plot.bounding_box()["width"] <= PHONE["width"]
