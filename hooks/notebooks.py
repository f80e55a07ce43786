"""MkDocs hook: fit mkdocs-jupyter's notebook pages into this site.

mkdocs-jupyter (``execute: false``; outputs come from ``python -m sitekit.notebooks``) renders each
``docs/notebooks/*.ipynb`` to HTML. This hook rewrites that HTML with ``sitekit.notebooks.site_html``:
no RequireJS, MathJax, Mermaid or inlined JupyterLab CSS, code cells as Material code blocks, math
marked for the site's KaTeX, Korean-safe heading ids (and a table of contents that matches them),
a download link for the ``.ipynb`` (copied next to the page by ``include_source: true``), and a
``<script>`` for ``notebook-plotly.js`` inside the content, where Material re-runs it after instant
navigation. Other pages never load that script.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

import _common  # noqa: F401  (first: puts the project on sys.path)
from sitekit import notebooks
from sitekit.site_files import link_assets

SCRIPT = "assets/cs231n/notebook-plotly.js"
STYLE = "assets/cs231n/notebooks.css"


def is_notebook(page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def on_config(config):
    # A few kB of CSS scoped to .cs231n-notebook: global, so an instant navigation to a notebook
    # finds it already loaded.
    link_assets(config, styles=(STYLE,))
    return config


def on_page_content(html, page, config, files):
    if not is_notebook(page):
        return html
    content, toc_tokens = notebooks.site_html(
        html, notebook=nbformat.read(page.file.abs_src_path, as_version=4),
        file_name=Path(page.file.src_uri).name,
        script_url=get_relative_url(SCRIPT, page.url))
    page.toc = get_toc(toc_tokens)
    return content
