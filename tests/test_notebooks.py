"""Walkthrough notebooks (docs/notebooks/*.ipynb): outputs are current, the code is the demos' own,
and the built pages load nothing from outside the site (no RequireJS, MathJax or CDN).

Executing a notebook starts a real kernel (about a second each on this machine).
"""

from __future__ import annotations

import ast
import base64
import copy
import importlib
import json
import re
import urllib.request
import zlib
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbformat
import numpy as np
import pytest
from bs4 import BeautifulSoup

from sitekit import notebooks

NOTEBOOKS = notebooks.notebook_paths()
DEMO_MODULES = {"attention", "backprop", "conv", "knn", "linear", "optim", "training"}
# Names that must never appear in a page's scripts or links: the loaders mkdocs-jupyter / nbconvert
# and Plotly's notebook renderers bring from CDNs.
FORBIDDEN = re.compile(r"require(\.min)?\.js|requirejs|mathjax|cdnjs|jsdelivr|unpkg|cdn\.plot\.ly|"
                       r"mermaid|googleapis", re.I)

by_name = pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)


def code_of(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def plotly_outputs(nb) -> list[dict]:
    return [o for c in nb.cells for o in c.get("outputs", [])
            if notebooks.PLOTLY_MIME in o.get("data", {})]


# ---------------------------------------------------------------------------------------------
# The notebooks themselves.
# ---------------------------------------------------------------------------------------------

def test_every_demo_module_has_a_walkthrough_notebook():
    assert {p.stem for p in NOTEBOOKS} == DEMO_MODULES


@by_name
def test_checked_in_outputs_equal_a_fresh_execution(path):
    """Runs the notebook in a fresh kernel (fails on any error) and compares every output."""
    fresh = notebooks.execute(path)
    problems = notebooks.differences(nbformat.read(path, as_version=4), fresh)
    assert not problems, ("출력이 오래됐습니다. `python -m sitekit.notebooks " + path.stem
                          + "`로 다시 실행하세요:\n" + "\n".join(problems[:20]))


@by_name
def test_notebook_runs_the_demo_module_itself_and_copies_none_of_it(path):
    nb = nbformat.read(path, as_version=4)
    code = code_of(nb)
    imports = [node for cell in nb.cells if cell.cell_type == "code"
               for node in ast.walk(ast.parse(cell.source))
               if isinstance(node, ast.ImportFrom) and node.module == "demos"]
    assert any(alias.name == path.stem for node in imports for alias in node.names)
    module = importlib.import_module(f"demos.{path.stem}")
    public = {name for name in getattr(module, "__all__", []) if callable(getattr(module, name))}
    used = {name for name in public if f"{path.stem}.{name}(" in code}
    assert len(used) >= 2, f"demos.{path.stem}의 공개 함수를 거의 쓰지 않습니다: {used}"
    defined = {node.name for cell in nb.cells if cell.cell_type == "code"
               for node in ast.walk(ast.parse(cell.source))
               if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    copied = defined & set(dir(module))
    assert not copied, f"노트북이 demos.{path.stem}의 코드를 다시 정의합니다: {copied}"


@by_name
def test_notebook_has_korean_prose_math_figures_and_no_errors(path):
    nb = nbformat.read(path, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"[가-힣]", prose) and "$" in prose
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    figures = plotly_outputs(nb)
    assert figures, "Plotly 그림이 하나도 없습니다"
    for output in figures:
        assert output["data"][notebooks.PLOTLY_MIME]["data"], "빈 그림"
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    for output in outputs:  # no renderer that brings a <script> (plotly "notebook", "iframe", ...)
        assert "<script" not in output.get("data", {}).get("text/html", "")
        assert "application/javascript" not in output.get("data", {})


# ---------------------------------------------------------------------------------------------
# The comparison the staleness check relies on.
# ---------------------------------------------------------------------------------------------

def _float_in_a_figure(nb) -> tuple[list, int]:
    """(a trace's x or y list, index of a non-zero float in it) from the first figure that has one."""
    for output in plotly_outputs(nb):
        for trace in output["data"][notebooks.PLOTLY_MIME]["data"]:
            for key in ("x", "y"):
                values = trace.get(key)
                if isinstance(values, list):
                    for i, v in enumerate(values):
                        if isinstance(v, float) and v != 0:
                            return values, i
    raise AssertionError("그림에 float 값이 없습니다")


def test_differences_flag_a_changed_number_but_not_rounding_noise():
    stored = nbformat.read(NOTEBOOKS[0], as_version=4)
    assert notebooks.differences(stored, copy.deepcopy(stored)) == []

    noisy = copy.deepcopy(stored)
    values, i = _float_in_a_figure(noisy)
    values[i] *= 1 + 1e-12
    assert notebooks.differences(stored, noisy) == []
    values[i] += 0.01
    assert notebooks.differences(stored, noisy)

    printed = copy.deepcopy(stored)
    stream = next(o for c in printed.cells for o in c.get("outputs", []) if o["output_type"] == "stream"
                  and re.search(r"\d", o["text"]))
    stream["text"] = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), stream["text"], count=1)
    assert notebooks.differences(stored, printed)

    placeholder = copy.deepcopy(stored)
    figure = next(o for c in placeholder.cells for o in c.get("outputs", [])
                  if notebooks.PLOTLY_MIME in o.get("data", {}))
    figure["data"]["text/html"] = figure["data"]["text/html"].replace('data-output="', 'data-output="9')
    assert notebooks.differences(placeholder, stored)


def test_text_comparison_tolerates_only_the_last_digits():
    assert not notebooks.text_differs("loss 0.123456789012", "loss 0.123456789013")
    assert notebooks.text_differs("loss 0.1235", "loss 0.1236")
    assert notebooks.text_differs("k=5: 예측 1", "k=5: 예측 2")
    assert notebooks.text_differs("best k = 7", "best k = 13")


# ---------------------------------------------------------------------------------------------
# The built pages.
# ---------------------------------------------------------------------------------------------

def page_of(site_dir: Path, path: Path) -> BeautifulSoup:
    return BeautifulSoup((site_dir / "notebooks" / path.stem / "index.html").read_text(encoding="utf-8"),
                         "html.parser")


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return not parsed.scheme and not parsed.netloc or parsed.scheme == "data"


@by_name
def test_page_has_no_requirejs_mathjax_or_outside_url_in_scripts_and_links(site_dir, path):
    soup = page_of(site_dir, path)
    for tag in soup.find_all(["script", "link"]):
        url = tag.get("src") or tag.get("href")
        if url and not {"canonical", "alternate"} & set(tag.get("rel", [])):  # links, not loads
            assert is_local(url), f"밖에서 불러옵니다: {tag}"
        assert not FORBIDDEN.search(str(tag)), f"금지된 로더: {str(tag)[:200]}"
        if tag.name == "script" and not tag.get("src"):
            assert not re.search(r"https?://", tag.get_text()), f"인라인 스크립트의 URL: {tag.get_text()[:200]}"
    article = soup.select_one(".cs231n-notebook")
    assert article is not None
    # nbconvert's own assets are gone: no inlined JupyterLab CSS, clipboard script or prompts
    assert not article.find_all(["style", "link"])
    assert [s.get("src") for s in article.find_all("script")] == ["../../assets/cs231n/notebook-plotly.js"]
    assert not article.select(".jp-InputPrompt, .jp-OutputPrompt, clipboard-copy, .clipboard-copy-txt")


@by_name
def test_page_carries_the_notebooks_figures_math_and_a_matching_toc(site_dir, path):
    soup = page_of(site_dir, path)
    nb = nbformat.read(path, as_version=4)
    boxes = soup.select(".cs231n-notebook .cs231n-nb-plot")
    expected = [o["data"][notebooks.PLOTLY_MIME] for o in plotly_outputs(nb)]
    assert len(boxes) == len(expected) > 0
    for box, figure in zip(boxes, expected):
        shown = json.loads(box["data-figure"])
        assert shown["data"] == figure["data"]
        assert shown["layout"] == {k: v for k, v in figure["layout"].items() if k != "template"}
    # math: every $...$ became KaTeX-ready arithmatex markup, none is left raw
    assert soup.select(".cs231n-notebook .arithmatex")
    for cell in soup.select(".cs231n-notebook .jp-MarkdownOutput"):
        for text in cell.find_all(string=True):
            if not text.find_parent(["code", "pre"]):
                assert "$" not in text, f"처리되지 않은 수식: {text[:80]!r}"
    # every heading has a unique id, and the page's table of contents points at them
    ids = [h["id"] for h in soup.select(".cs231n-notebook :is(h1, h2, h3, h4)")]
    assert len(ids) == len(set(ids)) and all(ids)
    toc = [a["href"][1:] for a in soup.select("nav.md-nav--secondary a.md-nav__link")]
    assert toc and set(toc) <= set(ids)


@by_name
def test_download_link_serves_the_notebook_itself(site_url, site_dir, path):
    soup = page_of(site_dir, path)
    link = soup.select_one(".cs231n-notebook a[download]")
    assert link is not None and link["href"].endswith(".ipynb")
    page_url = f"{site_url}/notebooks/{path.stem}/"
    with urllib.request.urlopen(urljoin(page_url, link["href"])) as response:
        body = response.read()
    assert body == path.read_bytes()
    nbformat.validate(nbformat.reads(body.decode("utf-8"), as_version=4))


def test_png_pictures_compare_by_their_pixels_not_their_compressed_bytes():
    from demos import raster
    z = np.arange(12).reshape(3, 4) % 3
    url = raster.category_image(z, ["#e45756", "#4c78a8", "#54a24b"], (0, 1), (0, 1))["source"]
    png = base64.b64decode(url[len(notebooks.PNG_URL):])
    head, tail = png[:png.index(b"IDAT") - 4], png[png.index(b"IEND") - 4:]
    rows = zlib.decompress(png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8])

    def with_rows(data: bytes) -> str:   # the same PNG with its pixels compressed at level 9
        return notebooks.PNG_URL + base64.b64encode(
            head + _chunk(b"IDAT", zlib.compress(data, 9)) + tail).decode()

    assert with_rows(rows) != url and notebooks.json_differences(url, with_rows(rows)) == []
    one_pixel_off = rows[:1] + bytes([rows[1] ^ 1]) + rows[2:]
    assert notebooks.json_differences(url, with_rows(one_pixel_off)) == ["/: PNG 그림이 다릅니다"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
