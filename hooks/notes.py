"""MkDocs hook: ``notes/`` -> the lecture pages, the roadmap and the daily log; KaTeX from the site.

* ``on_files`` generates ``lectures/lecture-NN.md`` (URL ``lectures/lecture-NN/``), ``roadmap.md``
  and ``log.md`` from ``notes/`` (see ``sitekit.notes_render``) and adds KaTeX's files from
  ``node_modules/katex/dist`` under ``assets/katex/`` (so ``mkdocs serve`` serves them too).
* ``on_page_markdown`` fills the home page's markers (author overview, progress, lecture cards).
* ``on_page_content`` swaps the placeholders for the author's text rendered by cmark-gfm and adds
  the questions to the table of contents.
* ``on_serve`` watches ``notes/`` and the overview texts so edits rebuild the site.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.toc import AnchorLink

from _common import ROOT  # first: puts the project on sys.path
from sitekit import notes_render as render
from sitekit.notes_model import LECTURE_COUNT
from sitekit.site_files import add_generated, link_assets

log = get_plugin_logger("notes")

NOTES_DIR = ROOT / "notes"
OVERVIEWS_DIR = ROOT / "sitekit" / "overviews"
KATEX_DIR = ROOT / "node_modules" / "katex" / "dist"
KATEX_FILES = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js")
KATEX_SCRIPTS = ("assets/katex/katex.min.js", "assets/katex/contrib/auto-render.min.js",
                 "assets/cs231n/katex-init.js")

HOME_MARKERS = ("overview", "progress", "lectures")

# src_uri -> RenderedPage, rebuilt on every build (serve included).
_pages: dict[str, render.RenderedPage] = {}


def lecture_uri(number: int) -> str:
    return f"lectures/lecture-{number:02d}.md"


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8") if path.exists() else ""


def _overview(number: int) -> str | None:
    path = OVERVIEWS_DIR / f"lecture-{number:02d}.md"
    return _read(path) if path.exists() else None


def on_config(config, **kwargs):
    link_assets(config, scripts=KATEX_SCRIPTS)  # KaTeX on every page
    return config


def _generate(files: Files, config, src_uri: str, page: render.RenderedPage) -> None:
    for message in page.warnings:
        log.warning("%s: %s", src_uri, message)
    _pages[src_uri] = page
    add_generated(files, config, src_uri, content=page.markdown)


def on_files(files: Files, *, config) -> Files:
    _pages.clear()
    if not NOTES_DIR.is_dir():
        log.warning("notes/ 폴더가 없습니다. `python3 build.py import README.md`로 만드세요.")
    for number in range(1, LECTURE_COUNT + 1):
        path = NOTES_DIR / f"lecture-{number:02d}.md"
        if not path.exists():
            log.warning("%s가 없습니다 (`python3 build.py import README.md`).", path.name)
        try:
            page = render.render_lecture(_read(path), number, _overview(number))
        except ValueError as error:
            log.warning("%s: %s", path.name, error)
            continue
        _generate(files, config, lecture_uri(number), page)
    for name, make in (("roadmap", render.render_roadmap), ("log", render.render_log)):
        try:
            _generate(files, config, f"{name}.md", make(_read(NOTES_DIR / f"{name}.md")))
        except ValueError as error:
            log.warning("%s.md: %s", name, error)
    for rel in (*KATEX_FILES, *(f"fonts/{p.name}" for p in sorted((KATEX_DIR / "fonts").glob("*")))):
        source = KATEX_DIR / rel
        if not source.exists():
            log.warning("KaTeX 파일이 없습니다: %s (`npm ci`를 실행하세요).", source)
            continue
        add_generated(files, config, f"assets/katex/{rel}", path=source)
    return files


def _home_blocks(page, files: Files) -> dict[str, str]:
    roadmap_text = _read(NOTES_DIR / "roadmap.md")
    _, roadmap_body = render.split_front_matter(roadmap_text)
    weeks = render.roadmap_progress(render.split_roadmap(roadmap_body)[1])
    cards = []
    for number in range(1, LECTURE_COUNT + 1):
        target = files.get_file_from_path(lecture_uri(number))
        url = target.url_relative_to(page.file) if target else "#"
        cards.append(render.lecture_card(_read(NOTES_DIR / f"lecture-{number:02d}.md"), number,
                                         url, _overview(number) is not None))
    return {
        "overview": render.overview_html(roadmap_text),
        "progress": render.progress_summary(weeks) if weeks else render.site_note(),
        "lectures": render.cards_html(cards),
    }


def on_page_markdown(markdown: str, *, page, config, files: Files) -> str:
    if page.file.src_uri != "index.md":
        return markdown
    rendered = render.RenderedPage(markdown)
    for name, block in _home_blocks(page, files).items():
        markdown = markdown.replace(f"<!-- cs231n:{name} -->", rendered.chunk(block))
    _pages["index.md"] = rendered
    return markdown


def _find(items, anchor: str):
    for item in items:
        if item.id == anchor:
            return item
        found = _find(item.children, anchor)
        if found is not None:
            return found
    return None


def on_page_content(html: str, *, page, config, files: Files) -> str:
    rendered = _pages.get(page.file.src_uri)
    if rendered is None:
        return html
    for parent_id, entries in rendered.toc.items():
        parent = _find(page.toc, parent_id)
        if parent is not None:
            parent.children.extend(AnchorLink(title, anchor, parent.level + 1)
                                   for title, anchor in entries)
    html = render.fill_chunks(html, rendered.chunks)
    # Ids that arrive with the cmark-gfm chunks (questions, demo boxes) are real anchors: tell MkDocs,
    # so links such as the home page's `lectures/lecture-05.md#demo-conv-layer` validate.
    page.present_anchor_ids.update(re.findall(r'\sid="([^"]+)"', html))
    return html


def on_serve(server, *, config, builder):
    for path in (NOTES_DIR, OVERVIEWS_DIR):
        if path.is_dir():
            server.watch(str(path))
    return server
