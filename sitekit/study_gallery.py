"""The demo gallery (데모 모음): every widget and notebook, generated at build time.

* Widgets come from ``demos.widget.registry()``: title, description and a thumbnail drawn from the
  widget's real default output (``sitekit.study_thumbs``). The lecture a widget lives in is read
  from the notes' front matter ``demos: {widget id: item}``; an id there that no module declares
  is a build warning (so ``mkdocs build --strict`` fails instead of showing an empty box).
* Notebooks are the ``*.ipynb`` files under ``docs/notebooks/`` (pages rendered by mkdocs-jupyter):
  title from the first Markdown heading, description from the first sentence after it.

Widget summaries are computed in a child Python (``python -m sitekit.study_gallery``), so
``mkdocs serve`` always sees the current ``demos/`` (no stale imports in the server process), and
are cached under ``.cache/study-gallery/`` by a hash of the demo sources, so a rebuild that did not
touch ``demos/`` costs nothing.

Links are written as ``cs231n-link:<src uri>`` and resolved by the hook
(``sitekit.study_questions.resolve_links``), like the Q&A index.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sitekit.notes_model import COURSE_TITLES, LECTURE_COUNT, read_meta, split_front_matter
from sitekit.notes_render import DEMO_NOSCRIPT, RenderedPage
from sitekit.study_questions import LINK_SCHEME, lecture_uri
from sitekit.study_thumbs import figure_svg, stats_svg

__all__ = ["GalleryItem", "Gallery", "placements", "undeclared_placements", "notebook_info",
           "widget_summaries", "collect", "render_page", "THUMBS_DIR"]

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / ".cache" / "study-gallery"
THUMBS_DIR = "demos/thumbs"
_SOURCES = ("demos", "sitekit/study_thumbs.py", "sitekit/study_gallery.py")


@dataclass(frozen=True)
class GalleryItem:
    kind: str                   # "widget" | "notebook"
    id: str                     # widget id, or the notebook's file stem
    title: str
    description: str
    page_uri: str | None        # where it lives: a lecture page or the notebook page
    lecture: int | None
    svg: str                    # thumbnail (SVG text)


@dataclass
class Gallery:
    items: list[GalleryItem]
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Where widgets are placed; what notebooks are.
# ---------------------------------------------------------------------------------------------

def _placed_ids(notes_dir: Path) -> Iterator[tuple[int, str]]:
    """``(lecture number, widget id)`` for every id a lecture's front matter ``demos:`` places."""
    for number in range(1, LECTURE_COUNT + 1):
        path = Path(notes_dir) / f"lecture-{number:02d}.md"
        if not path.is_file():
            continue
        try:
            demos = read_meta(split_front_matter(path.read_text(encoding="utf-8"))[0]).get("demos")
        except ValueError:
            continue  # the notes hook reports a bad front matter
        if isinstance(demos, dict):
            for widget_id in demos:
                yield number, str(widget_id)


def placements(notes_dir: Path) -> dict[str, int]:
    """Widget id -> the first lecture whose front matter ``demos:`` places it."""
    found: dict[str, int] = {}
    for number, widget_id in _placed_ids(notes_dir):
        found.setdefault(widget_id, number)
    return found


def undeclared_placements(notes_dir: Path, declared: Iterable[str]) -> list[str]:
    """A Korean warning for every id a note places that no ``demos`` module declares (the page
    would show an empty box), naming the note and the declared ids."""
    declared = sorted(declared)
    return [f"{Path(notes_dir).name}/lecture-{number:02d}.md: demos: '{widget_id}'는 어느 demos "
            f"모듈의 WIDGETS도 선언하지 않은 위젯 id입니다 (not a declared widget; "
            f"선언된 id: {', '.join(declared) or '없음'})."
            for number, widget_id in _placed_ids(notes_dir) if widget_id not in declared]


def _first_sentence(text: str, limit: int = 120) -> str:
    text = " ".join(re.sub(r"[*_`#>]|\[([^\]]*)\]\([^)]*\)", r"\1", text).split())
    match = re.match(r"(.+?[.!?。])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip() + "…"


def notebook_info(path: Path) -> tuple[str, str, dict | None]:
    """A notebook -> (title, one-line description, first Plotly figure among its outputs or None)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    title, description, figure = "", "", None
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            for block in re.split(r"\n\s*\n", source):
                heading = re.match(r"^\s*#{1,6}\s+(.+)", block)
                if heading and not title:
                    title = heading.group(1).strip()
                    rest = block[heading.end():].strip()
                    if rest and not description:
                        description = _first_sentence(rest)
                elif block.strip() and title and not description:
                    description = _first_sentence(block)
        for output in cell.get("outputs", []) if figure is None else []:
            plotly_json = (output.get("data") or {}).get("application/vnd.plotly.v1+json")
            if isinstance(plotly_json, dict) and "data" in plotly_json:
                figure = plotly_json
    return title or path.stem, description, figure


# ---------------------------------------------------------------------------------------------
# Widget summaries (run in a child process, cached).
# ---------------------------------------------------------------------------------------------

def _widget_summary(widget_id: str, spec: dict) -> dict:
    """Title, description and thumbnail of one widget from its default output (no exceptions)."""
    from demos import widget

    summary = {"title": spec["title"], "description": spec.get("description") or "", "svg": None,
               "error": None}
    answer = widget.update(widget_id)
    if not answer["ok"]:
        summary["error"] = answer["message"]
        return summary
    outputs = answer["outputs"]
    for output in outputs:
        if output["kind"] == "plot":
            summary["svg"] = figure_svg(output["figure"], spec["title"])
            if summary["svg"]:
                return summary
    for output in outputs:
        if output["kind"] == "stats":
            summary["svg"] = stats_svg(output["items"], spec["title"])
            return summary
    return summary


def _summaries_here() -> dict:
    """Every widget's summary, computed in this process (the child's entry point)."""
    try:
        from demos import widget
        registry = widget.registry()
    except Exception as error:  # a broken demos module: report it, draw the rest of the site
        return {"widgets": {}, "error": f"{type(error).__name__}: {error}"}
    widgets = {}
    for widget_id, spec in registry.items():
        try:
            widgets[widget_id] = _widget_summary(widget_id, spec)
        except Exception as error:  # a demo's bug must not stop the build; it is reported
            widgets[widget_id] = {"title": spec.get("title", widget_id), "description": "",
                                  "svg": None, "error": f"{type(error).__name__}: {error}"}
    return {"widgets": widgets, "error": None}


def _sources_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for name in _SOURCES:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def widget_summaries(root: Path = ROOT, cache_dir: Path = CACHE_DIR) -> dict:
    """``{"widgets": {id: {title, description, svg, error}}, "error": str | None}``, cached."""
    cached = cache_dir / f"{_sources_hash(root)}.json"
    if cached.is_file():
        return json.loads(cached.read_text(encoding="utf-8"))
    env = dict(os.environ, PYTHONPATH=str(root))
    result = subprocess.run([sys.executable, "-m", "sitekit.study_gallery"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        return {"widgets": {}, "error": lines[-1] if lines else f"exit status {result.returncode}"}
    summaries = json.loads(result.stdout)
    if summaries["error"] is None and not any(w["error"] for w in summaries["widgets"].values()):
        cache_dir.mkdir(parents=True, exist_ok=True)
        for stale in cache_dir.glob("*.json"):  # one entry: older sources never come back as-is
            stale.unlink()
        cached.write_text(result.stdout, encoding="utf-8")
    return summaries


# ---------------------------------------------------------------------------------------------
# The gallery.
# ---------------------------------------------------------------------------------------------

_PLACEHOLDER_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 150" width="240" height="150">'
                    '<rect x="8" y="8" width="224" height="134" fill="none" stroke="#8884"/>'
                    '<text x="120" y="82" font-size="13" text-anchor="middle" fill="#888" '
                    'font-family="sans-serif">{label}</text></svg>')


def collect(notes_dir: Path, docs_dir: Path, summaries: dict | None = None) -> Gallery:
    """Widgets (ordered by lecture, then id) and notebooks (by file name)."""
    gallery = Gallery([])
    summaries = widget_summaries() if summaries is None else summaries
    if summaries.get("error"):
        gallery.warnings.append(f"데모 모음: 데모 목록을 읽을 수 없습니다: {summaries['error']}")
    else:  # the widget ids are the keys of demos.widget.registry(), read in the child process
        gallery.warnings.extend(undeclared_placements(notes_dir, summaries["widgets"]))
    placed = placements(notes_dir)
    for widget_id, info in summaries["widgets"].items():
        if info["error"]:
            gallery.warnings.append(f"데모 모음: '{widget_id}'의 기본 출력을 만들 수 없습니다: {info['error']}")
        lecture = placed.get(widget_id)
        svg = info["svg"] or _PLACEHOLDER_SVG.format(label="인터랙티브 데모")
        gallery.items.append(GalleryItem("widget", widget_id, info["title"],
                                         _first_sentence(info["description"]),
                                         lecture_uri(lecture) if lecture else None, lecture, svg))
    gallery.items.sort(key=lambda item: (item.lecture or LECTURE_COUNT + 1, item.id))
    for path in sorted((Path(docs_dir) / "notebooks").glob("*.ipynb")):
        try:
            title, description, figure = notebook_info(path)
        except (ValueError, OSError) as error:
            gallery.warnings.append(f"데모 모음: 노트북 {path.name}을 읽을 수 없습니다: {error}")
            continue
        svg = (figure_svg(figure, title) if figure else None) or _PLACEHOLDER_SVG.format(label="Jupyter 노트북")
        gallery.items.append(GalleryItem("notebook", path.stem, title, description,
                                         f"notebooks/{path.name}", None, svg))
    return gallery


def thumbnail_uri(item: GalleryItem) -> str:
    return f"{THUMBS_DIR}/{item.kind}-{item.id}.svg"


def _card(item: GalleryItem) -> str:
    title = html.escape(item.title)
    if item.kind == "notebook":
        where, action = "노트북", "노트북 열기"
    elif item.lecture:
        where, action = f"Lecture {item.lecture}", "강의 노트에서 열기"
    else:
        where, action = "아직 강의 노트에 없음", "이 페이지에서 해보기"
    anchor = f"#demo-{item.id}" if item.kind != "notebook" else ""  # the widget's box on its lecture page
    href = f"{LINK_SCHEME}{item.page_uri}{anchor}" if item.page_uri else f"#try-{item.id}"
    lecture_title = f' title="{html.escape(f"Lecture {item.lecture}: {COURSE_TITLES[item.lecture]}")}"' \
        if item.lecture else ""
    return (f'<a class="cs231n-gallery-card" href="{href}" data-kind="{item.kind}" data-id="{html.escape(item.id)}">'
            f'<img src="{LINK_SCHEME}{thumbnail_uri(item)}" alt="" width="240" height="150" loading="lazy">'
            f'<span class="cs231n-gallery-where"{lecture_title}>{where}</span>'
            f'<strong class="cs231n-gallery-title">{title}</strong>'
            f'<span class="cs231n-gallery-desc">{html.escape(item.description)}</span>'
            f'<span class="cs231n-gallery-action">{action} →</span></a>')


def home_list(gallery: Gallery) -> str:
    """Markdown for the home page: every widget (with its lecture) and notebook, then the gallery link."""
    lines = []
    for item in gallery.items:
        if item.kind == "widget" and item.page_uri:
            lines.append(f"- **[{item.title}]({item.page_uri}#demo-{item.id})** (Lecture {item.lecture}) "
                         f"— {item.description}")
        elif item.kind == "notebook":
            lines.append(f"- 노트북: **[{item.title}]({item.page_uri})** — {item.description}")
    lines.append("\n썸네일과 함께 보려면 [데모 모음](demos/index.md)으로 가세요.")
    return "\n".join(lines) + "\n"


def render_page(gallery: Gallery) -> RenderedPage:
    page = RenderedPage("")
    widgets = [i for i in gallery.items if i.kind == "widget"]
    notebooks = [i for i in gallery.items if i.kind == "notebook"]
    loose = [i for i in widgets if not i.lecture]
    md = ["---\ntitle: 데모 모음\n---\n\n", "# 데모 모음\n\n",
          page.chunk(f'<p class="cs231n-gallery-intro">브라우저에서 바로 돌아가는 NumPy 데모 '
                     f'<strong>{len(widgets)}</strong>개와 노트북 <strong>{len(notebooks)}</strong>개입니다. '
                     '그림은 각 데모의 기본 설정으로 빌드할 때 실제로 계산한 결과입니다. 카드를 누르면 데모가 '
                     '놓인 강의 노트로 갑니다.</p>')]
    if widgets:
        md.append("## 인터랙티브 데모 { #widgets }\n\n")
        md.append(page.chunk('<div class="cs231n-gallery">' + "".join(map(_card, widgets)) + "</div>"))
    if notebooks:
        md.append("## 노트북 { #notebooks }\n\n")
        md.append(page.chunk('<div class="cs231n-gallery">' + "".join(map(_card, notebooks)) + "</div>"))
    if loose:
        md.append("## 강의 노트에 아직 놓이지 않은 데모 { #loose }\n\n")
        md.append(page.chunk("".join(
            f'<div class="cs231n-demo" id="try-{html.escape(i.id)}" data-demo="{html.escape(i.id)}" '
            f'data-state="idle"></div>{DEMO_NOSCRIPT}' for i in loose)))
    page.markdown = "".join(md)
    return page


if __name__ == "__main__":
    json.dump(_summaries_here(), sys.stdout, ensure_ascii=False)
