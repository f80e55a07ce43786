"""Benchmarks in one real headless Chromium run against the real built site and Pyodide runtime.

    python3 build.py bench [--runs 3] [--changes 50]

Prints tables; never passes or fails. Measured:
  * raw Pyodide + NumPy load on a bare page (pyodide.js, loadPyodide, loadPackage("numpy"),
    import numpy; no site code), from navigation like the demo pages, and from loadPyodide on: the
    reference, with Pyodide's own files; and the same bare page with the bytecode-compiled standard
    library and NumPy that the site serves (sitekit/pyodide_bytecode.py), to tell that gain apart;
  * navigation -> first demo result on the Lecture 5 page, cold cache (new browser context), as a
    reader following a link to the demo (#demo-conv-layer, as the gallery links) gets it, and as one
    who opens the page at its top and scrolls to the demo at once (at DOMContentLoaded);
  * the same for a second demo page reached by Material's instant navigation (runtime already warm);
  * how much of the first result is the runtime's part: from its start (the worker was created)
    to the first result;
  * the longest main-thread task while the runtime loads (PerformanceObserver "longtask", from the
    runtime's start to the first result), and since navigation (page and theme start-up included);
  * for every widget in the site: input -> updated output latency of a numeric control (from the
    input event to the frame after the new output is drawn): WARM_UP_EDITS edits right after the
    widget appears, reported on their own (the first one, and the slowest), then N measured edits
    (median, p95, max).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, build_and_serve  # noqa: E402

# The bare page; LOADER_OPTIONS is replaced by more loadPyodide options (bare_page).
BARE_PAGE = """<!doctype html><meta charset="utf-8"><title>bare</title>
<script src="pyodide/pyodide.js"></script>
<script>
window.benchResult = (async () => {
  const t0 = performance.now();
  const here = (path) => new URL(path, location.href).href;
  const py = await loadPyodide({ indexURL: here("pyodide/")LOADER_OPTIONS });
  const t1 = performance.now();
  await py.loadPackage("numpy");
  py.runPython("import numpy");
  const t2 = performance.now();   // since navigation, as the demo pages are timed
  return { pyodide: t1 - t0, numpy: t2 - t1, fromLoadPyodide: t2 - t0, total: t2 };
})();
</script>"""
# The site's own lock (NumPy's entry names the bytecode copy) and standard library copy.
BYTECODE_OPTIONS = ', stdLibURL: here("pyodide/pyc/python_stdlib.zip"), lockFileURL: here("pyodide/pyodide-lock.json")'


def bare_page(loader_options: str = "") -> str:
    return BARE_PAGE.replace("LOADER_OPTIONS", loader_options)

# Recorded in every page before its scripts run: long tasks and the time of each widget update.
INIT_SCRIPT = """
window.__bench = { longtasks: [], updates: [] };
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longtasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
} catch (e) {}
document.addEventListener("cs231n:updated", (e) => {
  window.__bench.updates.push([performance.now(), e.target.dataset.demo]);
}, true);
"""

# A reader who opens a page at its top and scrolls to its first demo at once.
SCROLL_AT_DCL = """
document.addEventListener("DOMContentLoaded", () => {
  const demo = document.querySelector(".cs231n-demo");
  if (demo) demo.scrollIntoView({ block: "center" });
});
"""

LATENCY_JS = """
async ([widgetId, changes, textEdit]) => {
  const root = document.querySelector(`.cs231n-demo[data-demo="${widgetId}"]`);
  root.scrollIntoView({ block: "center" });
  await window.cs231n.ready();
  await root.cs231nWidget.activate();
  const input = textEdit ? root.querySelector(`input[data-control="${textEdit[0]}"]`)
                         : root.querySelector('input[type="text"][data-control], input[type="range"][data-control]');
  if (!input) return null;
  const original = input.value;
  // A number box alternates between its value + 1 and its value, starting with a change; a text
  // edit of TEXT_EDITS between its two texts.
  const values = textEdit ? textEdit[1]
               : input.type === "range" ? [input.min, input.max].map(Number)
                                        : [Number(original) + 1, Number(original)];
  const times = [];
  for (let i = 0; i < changes; i++) {
    const updated = new Promise((resolve) => root.addEventListener("cs231n:updated", resolve, { once: true }));
    const t0 = performance.now();
    input.value = String(input.type === "range" ? values[0] + (values[1] - values[0]) * ((i % 5) + 1) / 6
                                                : values[i % 2]);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await updated;
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    times.push(performance.now() - t0);
  }
  return { control: input.dataset.control, times, ok: root.dataset.ok };
}
"""


# The first edits after a widget appears run code the browser has not optimised yet (Plotly's
# JavaScript, and Python's interpreter in WebAssembly, which is first compiled quickly and then
# again, faster, in the background), and share the machine with the rest of the page still
# loading (another widget in view starting up). As in any benchmark, they are warm-up: reported
# on their own (the first edit, and the slowest), not mixed into the measured edits.
WARM_UP_EDITS = 10
# Widgets whose first text box is not a number: (control, two texts to alternate between).
TEXT_EDITS = {"backprop-graph": ("values", ["x=-3, y=5, z=-4", "x=-2, y=5, z=-4"]),
              "attention": ("sentence", ["the cat sat on the mat", "the dog sat on the mat"])}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def demo_pages(site_dir: Path) -> dict[str, str]:
    """``{widget id: page path}`` found in the built HTML."""
    found = {}
    for html in sorted(site_dir.rglob("index.html")):
        for widget_id in re.findall(r'class="cs231n-demo"[^>]*data-demo="([^"]+)"', html.read_text()):
            found.setdefault(widget_id, "/" + html.parent.relative_to(site_dir).as_posix().strip(".") + "/")
    return {k: v.replace("//", "/") for k, v in found.items()}


# Waits in the page for the first widget update after `after` (ms since navigation), and returns its
# time, or null after `timeout` ms. One call that awaits an event: polling from here would put a
# DevTools task on the page's main thread every few milliseconds while the runtime loads.
FIRST_UPDATE_JS = """
([after, timeout]) => new Promise((resolve) => {
  const found = () => window.__bench.updates.find(([t]) => t > after);
  const settle = () => { const hit = found(); if (hit) resolve(hit[0]); };
  document.addEventListener("cs231n:updated", () => setTimeout(settle, 0), true);
  setTimeout(() => resolve(null), timeout);
  settle();
})
"""


def first_update_ms(page, after: float = 0.0, timeout_s: float = 60) -> float | None:
    page.wait_for_function("window.__bench !== undefined")
    return page.evaluate(FIRST_UPDATE_JS, [after, timeout_s * 1000])


def table(title: str, header: list[str], rows: list[list]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    print("  " + " | ".join(str(h).ljust(w) for h, w in zip(header, widths)))
    print("  " + "-+-".join("-" * w for w in widths))
    for row in rows:
        print("  " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)))


VIEWPORT = {"width": 1280, "height": 900}


def new_page(browser, init_script: str | None = None):
    """A page in a new browser context (a cold cache) -> (context, page)."""
    context = browser.new_context(viewport=VIEWPORT)
    if init_script:
        context.add_init_script(init_script)
    return context, context.new_page()


def bare_load(browser, url: str, bare: str) -> dict:
    """Raw Pyodide + NumPy on a bare page: ``{pyodide, numpy, fromLoadPyodide, total}`` in ms."""
    context, page = new_page(browser)
    page.goto(f"{url}/{bare}.html")
    result = page.evaluate("window.benchResult")
    context.close()
    return result


def linked_load(browser, url: str, pages: dict[str, str], first_widget: str) -> dict:
    """A reader following a link to the demo (the address names its box), then a second demo page
    through instant navigation. -> the first result, its runtime part, the longest tasks, the
    second page's first result (ms; ``second`` is None without one)."""
    first_page = pages[first_widget]
    context, page = new_page(browser, INIT_SCRIPT)
    page.goto(url + first_page + f"#demo-{first_widget}")
    t_first = first_update_ms(page)
    t_start = page.evaluate(
        "performance.getEntriesByName('cs231n:runtime-start')[0]?.startTime ?? 0")
    tasks = page.evaluate("window.__bench.longtasks")
    # "While the runtime loads": from the worker's start to the first result. The page's own
    # start-up before it (HTML, Material's bundle) is reported separately.
    measured = {"linked": t_first, "from_start": t_first - t_start,
                "longest": max((d for s, d in tasks if t_start <= s <= t_first), default=0.0),
                "longest_page": max((d for s, d in tasks if s <= t_first), default=0.0)}
    other = next((path for path in pages.values() if path != first_page), None)
    if other:
        measured["second"] = second_page_ms(page, other)
    context.close()
    return measured


def second_page_ms(page, other: str) -> float | None:
    """Click the navigation's link to ``other`` and time its first demo result from the click."""
    t_click = page.evaluate("performance.now()")
    link = page.locator(f'a[href$="{other.strip("/").split("/")[-1]}/"]').first
    link.click()
    page.wait_for_function("document.querySelector('.cs231n-demo')")
    page.evaluate("document.querySelector('.cs231n-demo').scrollIntoView({block: 'center'})")
    t_second = first_update_ms(page, after=t_click)
    return None if t_second is None else t_second - t_click


def top_load(browser, url: str, first_page: str) -> float | None:
    """A reader opening the page at its top, scrolling to the demo as soon as the page is parsed."""
    context, page = new_page(browser, INIT_SCRIPT + SCROLL_AT_DCL)
    page.goto(url + first_page)
    result = first_update_ms(page)
    context.close()
    return result


def cold_loads(browser, url: str, pages: dict[str, str], first_widget: str, runs: int,
               with_bytecode: bool) -> dict[str, list]:
    """Every loading measure, ``runs`` times: ``{measure: [value of each run]}``."""
    measured: dict[str, list] = {name: [] for name in (
        "raw", "raw_bytecode", "linked", "from_start", "at_top", "second", "longest", "longest_page")}
    for _ in range(runs):
        measured["raw"].append(bare_load(browser, url, "bench-bare"))
        if with_bytecode:
            measured["raw_bytecode"].append(bare_load(browser, url, "bench-bare-bytecode"))
        for name, value in linked_load(browser, url, pages, first_widget).items():
            measured[name].append(value)
        measured["at_top"].append(top_load(browser, url, pages[first_widget]))
    return measured


def loading_table(m: dict[str, list], first_widget: str, first_page: str) -> None:
    raw, raw_bytecode, second = m["raw"], m["raw_bytecode"], m["second"]
    raw_total = statistics.median(r["total"] for r in raw)
    bytecode_total = statistics.median(r["total"] for r in raw_bytecode) if raw_bytecode else None
    spread = lambda values: [round(f(values)) for f in (statistics.median, min, max)]
    versus = lambda values, total=raw_total: f"{statistics.median(values) / total:.2f}x" if total else ""
    # The target compares with Pyodide's own files; the last column, with the site's bytecode copies.
    both = lambda values: [versus(values), versus(values, bytecode_total)]
    table("Loading (median of runs, ms since navigation unless said)",
          ["measure", "median", "min", "max", "vs raw load", "vs raw load, bytecode copies"], [
        ["raw Pyodide + NumPy, bare page: navigation -> numpy imported", *spread([r["total"] for r in raw]), "1.00x", ""],
        ["  of which loadPyodide -> numpy imported", *spread([r["fromLoadPyodide"] for r in raw]), "", ""],
        ["    loadPyodide", *spread([r["pyodide"] for r in raw]), "", ""],
        ["    loadPackage(numpy) + import numpy", *spread([r["numpy"] for r in raw]), "", ""],
        *([["same bare page, the site's bytecode-compiled stdlib + NumPy",
            *spread([r["total"] for r in raw_bytecode]), *both([r["total"] for r in raw_bytecode])],
           ["    loadPyodide", *spread([r["pyodide"] for r in raw_bytecode]), "", ""],
           ["    loadPackage(numpy) + import numpy", *spread([r["numpy"] for r in raw_bytecode]), "", ""]]
          if raw_bytecode else []),
        [f"first demo result, link to #demo-{first_widget} (cold)", *spread(m["linked"]), *both(m["linked"])],
        ["  of which: runtime start -> first result", *spread(m["from_start"]), *both(m["from_start"])],
        [f"first demo result, {first_page} from its top, scrolled at DOMContentLoaded (cold)",
         *spread(m["at_top"]), *both(m["at_top"])],
        ["second demo page via instant nav", *(spread(second) + both(second) if second and None not in second
                                               else ["-"] * 5)],
        ["longest main-thread task while the runtime loads", *spread(m["longest"]), "", ""],
        ["longest main-thread task since navigation", *spread(m["longest_page"]), "", ""],
    ])


def latency_table(browser, url: str, pages: dict[str, str], changes: int) -> None:
    rows = []
    context, page = new_page(browser, INIT_SCRIPT)
    for widget_id, path in sorted(pages.items()):
        page.goto(url + path)
        measured = page.evaluate(LATENCY_JS, [widget_id, WARM_UP_EDITS + changes,
                                              TEXT_EDITS.get(widget_id)])
        if not measured:
            rows.append([widget_id, path, "-", "-", "-", "-", "-", "-"])
            continue
        warm_up, times = measured["times"][:WARM_UP_EDITS], measured["times"][WARM_UP_EDITS:]
        rows.append([widget_id, measured["control"], round(warm_up[0], 1), round(max(warm_up), 1),
                     len(times), round(statistics.median(times), 1),
                     round(percentile(times, 95), 1), round(max(times), 1)])
    context.close()
    table(f"Input -> updated output latency (ms): {WARM_UP_EDITS} warm-up edits right after the "
          f"widget appears (the first, the slowest), then {changes} measured edits",
          ["widget", "control", "first edit", "warm-up max", "n", "median", "p95", "max"], rows)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="build.py bench")
    parser.add_argument("--runs", type=int, default=3, help="cold-load repetitions")
    parser.add_argument("--changes", type=int, default=50, help="edits per widget for latency")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    site_dir = Path(tempfile.mkdtemp(prefix="cs231n-bench-"))
    server, url = build_and_serve(site_dir)
    (site_dir / "bench-bare.html").write_text(bare_page())
    with_bytecode = (site_dir / "pyodide" / "pyc" / "python_stdlib.zip").is_file()
    (site_dir / "bench-bare-bytecode.html").write_text(bare_page(BYTECODE_OPTIONS))
    pages = demo_pages(site_dir)
    first_widget = "conv-layer" if "conv-layer" in pages else next(iter(pages))
    print(f"site: {url}  (Pyodide self-hosted, cold cache = new browser context per run)")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        measured = cold_loads(browser, url, pages, first_widget, args.runs, with_bytecode)
        loading_table(measured, first_widget, pages[first_widget])
        latency_table(browser, url, pages, args.changes)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
