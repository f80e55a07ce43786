"""Walkthrough notebooks (``docs/notebooks/*.ipynb``): run them, check them, fit them into the site.

    python -m sitekit.notebooks             execute every notebook in place (outputs are checked in)
    python -m sitekit.notebooks knn conv    only these
    python -m sitekit.notebooks --check     exit 1 when a checked-in output differs from a fresh run

Outputs are executed here, once, and checked in; ``mkdocs build`` / ``mkdocs serve`` only convert
(mkdocs-jupyter ``execute: false``). Why: a build then needs no kernel and stays fast on a 2-core
machine and in CI; ``mkdocs serve`` never re-runs a kernel; the downloaded ``.ipynb`` and GitHub's
viewer show the same outputs as the site; and mkdocs-jupyter's cache is keyed on the notebook file
only, so executing at build time would serve stale outputs after an edit in ``demos/``. The price,
stale outputs, is caught by ``--check`` and ``tests/test_notebooks.py``: both re-execute and compare
every output (numbers within a relative 1e-7, so another BLAS does not count as a change).

Figures. A notebook shows a Plotly figure with ``plotly.io`` renderer ``"plotly_mimetype"``: the
output is the figure JSON (``application/vnd.plotly.v1+json``), which JupyterLab and VS Code draw,
and no ``<script>``, CDN or RequireJS. nbconvert cannot render that mimetype, so ``execute`` adds a
small ``text/html`` view to each figure output: ``<div class="cs231n-nb-plot" data-cell="<cell id>"
data-output="<i>">`` (a Korean fallback line inside, for viewers without Plotly). ``site_html``
copies the figure JSON from the notebook into that box (``data-figure``), and
``docs/assets/cs231n/notebook-plotly.js`` draws it with the self-hosted Plotly.js.

Pages. ``site_html`` rewrites mkdocs-jupyter's HTML (see ``hooks/notebooks.py``): it drops every
``<script>``, ``<style>`` and ``<link>`` nbconvert adds (RequireJS, MathJax, Mermaid from CDNs,
575 kB of JupyterLab CSS), turns code cells into Material code blocks (site colours, dark mode,
copy button), marks ``$...$`` math the way arithmatex does (the site's KaTeX renders it), gives headings Korean-safe ids and adds the download
link.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import math
import re
import sys
import zlib
from pathlib import Path
from typing import Any

import nbformat
from bs4 import BeautifulSoup, NavigableString, Tag
from markdown.extensions.toc import nest_toc_tokens, slugify_unicode

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "docs" / "notebooks"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
FIGURE_CLASS = "cs231n-nb-plot"
MATH_CLASS = "arithmatex"  # the markup of pymdownx.arithmatex (generic): katex-init.js renders it
KERNEL = "python3"
TIMEOUT_SECONDS = 300
REL_TOL, ABS_TOL = 1e-7, 1e-12
FALLBACK = ("Plotly 그림입니다. 이 사이트, 또는 Plotly를 지원하는 Jupyter(JupyterLab, VS Code)에서 "
            "보입니다.")


# ---------------------------------------------------------------------------------------------
# Executing.
# ---------------------------------------------------------------------------------------------

def notebook_paths(names: list[str] | None = None) -> list[Path]:
    """``docs/notebooks/<name>.ipynb`` for the given names (all notebooks when None), sorted."""
    if not names:
        return sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    paths = [NOTEBOOK_DIR / f"{name.removesuffix('.ipynb')}.ipynb" for name in names]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise ValueError(f"노트북이 없습니다: {', '.join(missing)} ({NOTEBOOK_DIR} 안에서 찾았습니다)")
    return paths


def execute(path: Path) -> nbformat.NotebookNode:
    """Run ``path`` top to bottom in a fresh kernel (cwd = its folder, as Jupyter does) and return
    the executed notebook with site views of its figures. Raises on the first failing cell."""
    from nbclient import NotebookClient  # imported here: only building notebooks needs it

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name=KERNEL, timeout=TIMEOUT_SECONDS, allow_errors=False,
                            record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    # Only what does not change between machines (no Python patch version in the diff).
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    return add_site_views(coalesce_streams(nb))


def coalesce_streams(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Merge consecutive stdout (stderr) outputs of a cell: how a kernel splits printed text into
    messages depends on timing, and the stored notebook must not (in place; returns ``nb``)."""
    for cell in nb.cells:
        merged = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (output["output_type"] == "stream" and last is not None
                    and last["output_type"] == "stream" and last["name"] == output["name"]):
                last["text"] += output["text"]
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    nbformat.validate(nb)
    nbformat.write(nb, path)


def site_figure(figure: dict) -> dict:
    """The part of a plotly mimetype figure the site draws: data and layout, no template or config
    (the template would fix colours for a white page; the config names plot.ly)."""
    layout = {k: v for k, v in figure.get("layout", {}).items() if k != "template"}
    return {"data": figure.get("data", []), "layout": layout}


def figure_placeholder(cell_id: str, index: int) -> str:
    """The ``text/html`` view of output ``index`` of cell ``cell_id`` when it is a figure: an empty
    box that names the output. The figure JSON is not repeated here; ``site_html`` copies it from
    the notebook into the page."""
    return (f'<div class="{FIGURE_CLASS}" data-cell="{html.escape(cell_id)}" data-output="{index}">'
            f'<p class="{FIGURE_CLASS}__fallback">{FALLBACK}</p></div>')


def _figure_outputs(nb: nbformat.NotebookNode):
    """(cell, index in its outputs, output) for every plotly mimetype output."""
    for cell in nb.cells:
        for index, output in enumerate(cell.get("outputs", [])):
            if PLOTLY_MIME in output.get("data", {}):
                yield cell, index, output


def add_site_views(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Give every plotly mimetype output its ``text/html`` placeholder (in place; returns ``nb``)."""
    for cell, index, output in _figure_outputs(nb):
        output["data"]["text/html"] = figure_placeholder(cell["id"], index)
    return nb


def figures_by_output(nb: nbformat.NotebookNode) -> dict[tuple[str, str], dict]:
    """{(cell id, output index as text): site figure} for every figure of ``nb``."""
    return {(cell["id"], str(index)): site_figure(output["data"][PLOTLY_MIME])
            for cell, index, output in _figure_outputs(nb)}


# ---------------------------------------------------------------------------------------------
# Comparing a checked-in notebook with a fresh run.
# ---------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


PNG_URL = "data:image/png;base64,"


def _png_content(data_url: str) -> bytes | None:
    """A PNG data URL -> its header, palette and *uncompressed* pixel rows: what it shows,
    whichever zlib build compressed it (compressed bytes differ between zlib implementations)."""
    try:
        data = base64.b64decode(data_url[len(PNG_URL):], validate=True)
        chunks, pos = {}, 8
        while pos < len(data):
            length = int.from_bytes(data[pos:pos + 4], "big")
            kind = data[pos + 4:pos + 8]
            chunks[kind] = chunks.get(kind, b"") + data[pos + 8:pos + 8 + length]
            pos += 12 + length
        return b"|".join([chunks.get(b"IHDR", b""), chunks.get(b"PLTE", b""),
                          chunks.get(b"tRNS", b""), zlib.decompress(chunks.get(b"IDAT", b""))])
    except (ValueError, zlib.error):
        return None


def _decode_typed_array(value: Any) -> Any:
    """Plotly 6 stores NumPy arrays as {"dtype", "bdata", "shape"} (base64); -> nested lists."""
    import numpy as np
    if isinstance(value, dict) and set(value) >= {"dtype", "bdata"}:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            shape = value["shape"]
            array = array.reshape([int(s) for s in (shape.split(",") if isinstance(shape, str) else shape)])
        return array.tolist()
    return value


def _same_number(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def text_differs(a: str, b: str) -> bool:
    """True when two texts differ in more than the last digits of their numbers."""
    if _NUMBER.split(a) != _NUMBER.split(b):
        return True
    xs, ys = _NUMBER.findall(a), _NUMBER.findall(b)
    return len(xs) != len(ys) or not all(_same_number(float(x), float(y)) for x, y in zip(xs, ys))


def json_differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Paths at which two JSON values differ (floats compared with a relative tolerance)."""
    a, b = _decode_typed_array(a), _decode_typed_array(b)
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return [] if a == b else [f"{where or '/'}: {a!r} != {b!r}"]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return [] if _same_number(a, b) else [f"{where or '/'}: {a!r} != {b!r}"]
    if isinstance(a, str) and isinstance(b, str):
        if a.startswith(PNG_URL) and b.startswith(PNG_URL):
            same = a == b or (_png_content(a) or a) == (_png_content(b) or b)
            return [] if same else [f"{where or '/'}: PNG 그림이 다릅니다"]
        return [] if not text_differs(a, b) else [f"{where or '/'}: {a[:60]!r} != {b[:60]!r}"]
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{where or '/'}: 키가 다릅니다 {sorted(set(a) ^ set(b))}"]
        return [d for k in sorted(a) for d in json_differences(a[k], b[k], f"{where}/{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where or '/'}: 길이 {len(a)} != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in json_differences(x, y, f"{where}/{i}")]
    return [f"{where or '/'}: {type(a).__name__} != {type(b).__name__}"]


def _output_view(output: dict) -> dict:
    """What a reader sees of one output; a figure's ``text/html`` placeholder is left out (it is
    checked separately by ``stale_site_views``)."""
    view = {"type": output["output_type"]}
    if output["output_type"] == "stream":
        view.update(name=output["name"], text=output["text"])
    elif output["output_type"] == "error":
        view.update(ename=output["ename"], evalue=output["evalue"])
    else:
        data = dict(output.get("data", {}))
        if PLOTLY_MIME in data:
            data.pop("text/html", None)
        view["data"] = data
    return view


def stale_site_views(nb: nbformat.NotebookNode) -> list[str]:
    """Figures whose ``text/html`` placeholder is missing or names another output."""
    return [f"셀 {cell['id']}: 그림 {index}의 text/html 자리표시가 없거나 틀립니다"
            for cell, index, output in _figure_outputs(nb)
            if output["data"].get("text/html") != figure_placeholder(cell["id"], index)]


def differences(stored: nbformat.NotebookNode, fresh: nbformat.NotebookNode) -> list[str]:
    """Why ``stored`` is not what a fresh run gives (empty list: it is current)."""
    problems = stale_site_views(stored)
    if len(stored.cells) != len(fresh.cells):
        return problems + [f"셀 개수가 다릅니다: {len(stored.cells)} != {len(fresh.cells)}"]
    for index, (a, b) in enumerate(zip(stored.cells, fresh.cells)):
        if a.cell_type != "code":
            continue
        if a.source != b.source:
            problems.append(f"셀 {index}: 코드가 다릅니다")
            continue
        left = [_output_view(o) for o in a.get("outputs", [])]
        right = [_output_view(o) for o in b.get("outputs", [])]
        problems += [f"셀 {index} 출력{d}" for d in json_differences(left, right)]
    return problems


# ---------------------------------------------------------------------------------------------
# Turning mkdocs-jupyter's HTML into a page of this site.
# ---------------------------------------------------------------------------------------------

_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$]+?)\$", re.S)
_JUNK = ".zeroclipboard-container, .clipboard-copy-txt, .jp-Collapser, .jp-InputPrompt, .jp-OutputPrompt"


def _math_nodes(soup: BeautifulSoup, text: str) -> list:
    """'a $x$ b' -> ['a ', <span class="arithmatex">\\(x\\)</span>, ' b'] ($$..$$: \\[..\\])."""
    parts, last = [], 0
    for match in _MATH.finditer(text):
        if match.start() > last:
            parts.append(NavigableString(text[last:match.start()]))
        display = match.group(1) is not None
        tex = (match.group(1) if display else match.group(2)).strip()
        span = soup.new_tag("span", attrs={"class": MATH_CLASS})
        span.string = f"\\[{tex}\\]" if display else f"\\({tex}\\)"
        parts.append(span)
        last = match.end()
    if last < len(text):
        parts.append(NavigableString(text[last:]))
    return parts


def _mark_math(soup: BeautifulSoup) -> int:
    """``$...$`` / ``$$...$$`` of markdown cells -> the markup of Material's arithmatex (generic),
    so the site's one KaTeX set-up (``katex-init.js``) typesets notebooks like every other page.
    A paragraph holding only display math becomes a ``<div class="arithmatex">``. Returns how many."""
    count = 0
    for cell in soup.select(".jp-MarkdownOutput"):
        for node in list(cell.find_all(string=True)):
            if "$" not in node or node.find_parent(["code", "pre", "script", "style"]):
                continue
            parts = _math_nodes(soup, str(node))
            count += sum(isinstance(p, Tag) for p in parts)
            node.replace_with(*parts)
        for paragraph in cell.find_all("p"):
            children = [c for c in paragraph.contents if not (isinstance(c, NavigableString) and not c.strip())]
            if (len(children) == 1 and isinstance(children[0], Tag)
                    and children[0].get_text().startswith("\\[")):
                children[0].name = "div"
                paragraph.replace_with(children[0])
    return count


def _code_blocks(soup: BeautifulSoup) -> None:
    """nbconvert's ``<div class="highlight-ipynb"><pre>spans</pre>`` -> Material's
    ``<div class="highlight"><pre><code>spans</code></pre>``: site colours, dark mode, copy button."""
    for block in soup.select("div.highlight-ipynb"):
        language = next((c[3:] for c in block.get("class", []) if c.startswith("hl-")), "python")
        block["class"] = ["highlight", f"language-{language}"]
        pre = block.find("pre")
        if pre is None:
            continue
        code = soup.new_tag("code")
        for child in list(pre.contents):
            code.append(child.extract())
        pre.append(code)


def _unwrap_doubled_cells(soup: BeautifulSoup) -> None:
    """The template wraps each code cell in a second ``.jp-Cell`` div; keep the inner one."""
    for cell in soup.select("div.jp-Cell"):
        inner = [c for c in cell.children if isinstance(c, Tag)]
        if len(inner) == 1 and "jp-Cell" in inner[0].get("class", []):
            cell.unwrap()


def _headings(soup: BeautifulSoup, max_level: int) -> list[dict]:
    """Unique unicode ids (Korean kept) for every heading; Material-style permalinks.
    Returns flat TOC tokens (level <= max_level) in page order."""
    tokens, used = [], set()
    for heading in soup.find_all(re.compile(r"^h[1-6]$")):
        for anchor in heading.select("a.anchor-link"):
            anchor.decompose()
        # Math in a heading: the TOC and the slug get its TeX without the \( \) delimiters.
        name = re.sub(r"\\[(\[](.+?)\\[)\]]", r"\1", heading.get_text(" ", strip=True))
        base = slugify_unicode(name, "-") or "section"
        slug, n = base, 1
        while slug in used:
            slug, n = f"{base}_{n}", n + 1
        used.add(slug)
        heading["id"] = slug
        link = BeautifulSoup(f'<a class="headerlink" href="#{slug}" title="Permanent link">¶</a>',
                             "html.parser").a
        heading.append(link)
        level = int(heading.name[1])
        if level <= max_level:
            tokens.append({"level": level, "id": slug, "name": html.escape(name)})
    return tokens


def _fill_figures(soup: BeautifulSoup, figures: dict[tuple[str, str], dict]) -> int:
    """Copy each figure's JSON from the notebook into its placeholder (``data-figure``); the box
    keeps the figure's height so the page does not jump when Plotly draws. Returns how many."""
    boxes = soup.select(f"div.{FIGURE_CLASS}[data-cell]")
    for box in boxes:
        key = (box["data-cell"], box.get("data-output", ""))
        if key not in figures:
            raise ValueError(f"노트북에 없는 그림을 가리킵니다: 셀 {key[0]}, 출력 {key[1]}. "
                             f"python -m sitekit.notebooks로 노트북을 다시 실행하세요.")
        figure = figures[key]
        box["data-figure"] = json.dumps(figure, ensure_ascii=False, separators=(",", ":"))
        height = figure["layout"].get("height")
        if isinstance(height, (int, float)):
            box["style"] = f"min-height: {int(height)}px"
    return len(boxes)


def _download_bar(soup: BeautifulSoup, file_name: str) -> Tag:
    bar = BeautifulSoup(
        f'<div class="cs231n-nb-download">'
        f'<a class="md-button" href="{html.escape(file_name)}" download>노트북 내려받기 (.ipynb)</a>'
        f'<span>셀을 직접 실행하려면 저장소를 clone한 뒤 Jupyter나 VS Code에서 이 노트북을 여세요. '
        f'첫 셀이 저장소의 <code>demos</code> 패키지를 찾아 import합니다.</span></div>',
        "html.parser")
    return bar.div


def site_html(content: str, *, notebook: nbformat.NotebookNode, file_name: str, script_url: str,
              toc_depth: int = 3) -> tuple[str, list[dict]]:
    """mkdocs-jupyter page body -> (page body for this site, nested TOC tokens).

    ``notebook``: the notebook the page was made from (its figures fill the placeholders);
    ``file_name``: the ``.ipynb`` next to the page (download link); ``script_url``: URL of
    ``notebook-plotly.js`` relative to the page. The script goes inside the content so Material
    re-runs it after instant navigation.
    """
    # The inlined JupyterLab CSS is most of the input (575 kB); dropping it before parsing makes
    # the parse about ten times cheaper. (CSS never contains "</style>".)
    content = re.sub(r"<style\b[^>]*>.*?</style>", "", content, flags=re.S | re.I)
    soup = BeautifulSoup(content, "html.parser")
    for node in soup.find_all(["script", "style", "link"]):
        node.decompose()
    for comment in soup.find_all(string=lambda s: s.__class__.__name__ == "Comment"):
        comment.extract()
    for node in soup.select(_JUNK):
        node.decompose()
    for node in soup.select("[tabindex]"):
        if "jp-OutputArea-output" not in node.get("class", []):
            del node["tabindex"]
    _unwrap_doubled_cells(soup)
    _code_blocks(soup)
    _fill_figures(soup, figures_by_output(notebook))
    _mark_math(soup)
    tokens = _headings(soup, toc_depth)

    wrapper = soup.select_one(".jupyter-wrapper")
    if wrapper is None:
        raise ValueError("mkdocs-jupyter 출력에서 .jupyter-wrapper를 찾지 못했습니다.")
    wrapper["class"] = wrapper.get("class", []) + ["cs231n-notebook"]
    title = wrapper.find("h1")
    bar = _download_bar(soup, file_name)
    if title is not None:
        title.insert_after(bar)
    else:
        wrapper.insert(0, bar)
    script = soup.new_tag("script", attrs={"src": script_url})
    wrapper.append(script)
    return str(wrapper), nest_toc_tokens(tokens)


# ---------------------------------------------------------------------------------------------
# Command line.
# ---------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit.notebooks",
                                     description="docs/notebooks의 노트북을 실행해 출력을 저장합니다.")
    parser.add_argument("names", nargs="*", help="노트북 이름 (예: knn conv). 없으면 전부")
    parser.add_argument("--check", action="store_true",
                        help="저장하지 않고, 저장된 출력이 새로 실행한 결과와 같은지만 확인")
    args = parser.parse_args(argv)
    try:
        paths = notebook_paths(args.names)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    stale = 0
    for path in paths:
        fresh = execute(path)
        if args.check:
            problems = differences(nbformat.read(path, as_version=4), fresh)
            stale += bool(problems)
            status = "최신" if not problems else "오래됨: " + "; ".join(problems[:5])
            print(f"{path.relative_to(ROOT)}: {status}")
        else:
            write(fresh, path)
            print(f"{path.relative_to(ROOT)}: 실행해서 저장했습니다")
    if stale:
        print("출력을 새로 만들려면: python -m sitekit.notebooks", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
