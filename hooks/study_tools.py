"""MkDocs hook: study tools built from the notes and the demos at build time.

* Runnable cells: registers the ``run-python`` fence (``sitekit.cells``) with pymdownx.superfences
  here rather than in mkdocs.yml, because YAML's ``!!python/name:`` is resolved before any hook can
  put the project on ``sys.path``; serves CodeMirror's files from ``node_modules`` (npm, pinned).
* ``questions/`` (질문 모음): every question of every lecture, generated from ``notes/`` with the
  same parser and renderer as the lecture pages (``sitekit.study_questions``).
* ``demos/`` (데모 모음): every widget and notebook with a thumbnail drawn from the widget's real
  default output (``sitekit.study_gallery``).

``mkdocs serve`` already watches ``notes/`` (hooks/notes.py) and ``demos/`` (hooks/runtime.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files

from _common import ROOT  # first: puts the project on sys.path
from sitekit import cells, study_gallery, study_questions
from sitekit.notes_render import fill_chunks
from sitekit.site_files import add_generated, link_assets

log = get_plugin_logger("study_tools")

NOTES_DIR = ROOT / "notes"
QUESTIONS_URI = "questions/index.md"
GALLERY_URI = "demos/index.md"
SCRIPTS = ("assets/cs231n/questions.js",)
STYLES = ("assets/cs231n/cells.css",)

_pages: dict = {}  # src_uri -> RenderedPage of the generated pages, rebuilt on every build


def on_config(config, **kwargs):
    superfences = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences = superfences.setdefault("custom_fences", [])
    if not any(f.get("name") == cells.FENCE_NAME for f in fences):
        fences.append(cells.custom_fence())
    if "pymdownx.superfences" not in config.markdown_extensions:
        config.markdown_extensions.append("pymdownx.superfences")
    # Both are small and needed before any other script runs (cell layout, the Q&A filter after
    # instant navigation), so every page links them.
    link_assets(config, scripts=SCRIPTS, styles=STYLES)
    return config


def on_files(files: Files, *, config) -> Files:
    _pages.clear()
    if not cells.CODEMIRROR_DIR.is_dir():
        log.warning("node_modules/codemirror가 없습니다: `python3 build.py setup`(npm ci)을 실행하세요.")
    else:
        for rel in cells.CODEMIRROR_FILES:
            add_generated(files, config, cells.EDITOR_BASE + rel, path=cells.CODEMIRROR_DIR / rel)

    index = study_questions.collect(NOTES_DIR)
    gallery = study_gallery.collect(NOTES_DIR, Path(config.docs_dir))
    for message in index.warnings + gallery.warnings:
        log.warning(message)
    for uri, page in ((QUESTIONS_URI, study_questions.render_page(index)),
                      (GALLERY_URI, study_gallery.render_page(gallery))):
        _pages[uri] = page
        add_generated(files, config, uri, content=page.markdown)
    for item in gallery.items:
        add_generated(files, config, study_gallery.thumbnail_uri(item), content=item.svg)
    _pages["__gallery__"] = gallery
    return files


def on_page_markdown(markdown: str, *, page, config, files: Files) -> str:
    """The home page's demo section: one link per widget and notebook, from the same gallery data."""
    if page.file.src_uri != "index.md" or "<!-- cs231n:demos" not in markdown:
        return markdown
    return re.sub(r"<!-- cs231n:demos.*?-->", lambda _: study_gallery.home_list(_pages["__gallery__"]),
                  markdown, count=1, flags=re.S)


def on_page_content(html: str, *, page, config, files: Files) -> str:
    rendered = _pages.get(page.file.src_uri)
    if rendered is None:
        return html

    def url_of(src_uri: str) -> str | None:
        target = files.get_file_from_path(src_uri)
        return target.url_relative_to(page.file) if target is not None else None

    html, warnings = study_questions.resolve_links(fill_chunks(html, rendered.chunks), url_of)
    for message in warnings:
        log.warning(message)
    return html

