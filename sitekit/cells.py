"""Runnable Python cells: the ``run-python`` fence of pymdownx.superfences.

In a page's Markdown (the site's own sections, e.g. a note's ``extra:``)::

    ```run-python title="Adam 업데이트"
    import numpy as np
    print(np.arange(3))
    ```

becomes a ``<div class="cs231n-cell">`` holding the code highlighted by Pygments, so it reads well
before (or without) JavaScript; a ``<noscript>`` line says that JavaScript would run it.
``docs/assets/cs231n/cells.js`` turns it into an editor with 실행 / 중지 / 되돌리기 buttons that runs
the code in the page's Pyodide worker (``demos.cells.run``).

Attributes on the div (the browser's contract):

* ``data-cell-hash``: the first 12 hex digits of sha256(code); the key of the reader's saved edits,
  so an edit of the original by the author drops stale copies.
* ``data-editor``: site-relative folder of the CodeMirror files the hook serves (``EDITOR_BASE``).
* ``data-title``: the optional ``title="..."`` of the fence.
"""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pymdownx.superfences import SuperFencesException

__all__ = ["FENCE_NAME", "CODEMIRROR_DIR", "CODEMIRROR_FILES", "EDITOR_BASE", "codemirror_version",
           "cell_hash", "validate", "format_cell", "custom_fence"]

FENCE_NAME = "run-python"
CODEMIRROR_DIR = Path(__file__).resolve().parents[1] / "node_modules" / "codemirror"
# What the editor needs, relative to the npm package (package.json pins codemirror 5.65.21).
CODEMIRROR_FILES = ("lib/codemirror.js", "lib/codemirror.css", "mode/python/python.js",
                    "addon/edit/matchbrackets.js", "LICENSE")
_OPTIONS = ("title",)
# What a cell says when JavaScript is off: its code stays readable, but nothing can run it (kept
# out of the search index, like the demo boxes' line).
CELL_NOSCRIPT = ('<noscript data-search-exclude><p class="cs231n-noscript">JavaScript를 켜면 이 코드를 '
                 '브라우저에서 고치고 실행할 수 있습니다. 지금은 읽기만 할 수 있습니다.</p></noscript>')


def codemirror_version() -> str:
    """The installed CodeMirror version (from node_modules, installed by ``npm ci``)."""
    return json.loads((CODEMIRROR_DIR / "package.json").read_text(encoding="utf-8"))["version"]


def editor_base() -> str:
    """Site-relative folder the CodeMirror files are served from (versioned, so caches refresh)."""
    return f"assets/vendor/codemirror-{codemirror_version()}/"


EDITOR_BASE = editor_base() if (CODEMIRROR_DIR / "package.json").is_file() else "assets/vendor/codemirror/"


def cell_hash(source: str) -> str:
    """First 12 hex digits of sha256 of the cell's code (UTF-8)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def validate(language, inputs, options, attrs, md) -> bool:
    """superfences validator: only ``title="..."`` is allowed after ``run-python``."""
    for key, value in inputs.items():
        if key not in _OPTIONS:
            raise SuperFencesException(
                f"run-python 셀에는 {', '.join(_OPTIONS)} 옵션만 쓸 수 있습니다 (받은 옵션: {key}).")
        options[key] = value
    return True


def format_cell(source, language, class_name, options, md, **kwargs) -> str:
    """superfences formatter: the cell's HTML (highlighted code in a ``.cs231n-cell`` div)."""
    source = source.strip("\n")
    code = highlight(source, PythonLexer(), HtmlFormatter(nowrap=True))
    title = options.get("title")
    attrs = {
        "class": "cs231n-cell",
        "data-cell-hash": cell_hash(source),
        "data-editor": EDITOR_BASE,
        "data-title": title,
    }
    attr_text = " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items() if v)
    heading = f'<p class="cs231n-cell-title">{html.escape(title)}</p>' if title else ""
    # Material styles Pygments output inside .highlight; the code's text is the cell's source.
    return (f'<div {attr_text}>{heading}<div class="highlight cs231n-cell-static">'
            f'<pre><span></span><code>{code}</code></pre></div>{CELL_NOSCRIPT}</div>')


def custom_fence() -> dict:
    """The entry for ``pymdownx.superfences: custom_fences`` (registered by hooks/study_tools.py)."""
    return {"name": FENCE_NAME, "class": "cs231n-cell", "format": format_cell, "validator": validate}
