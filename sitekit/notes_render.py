"""Notes -> page Markdown for MkDocs, with the author's text rendered by GitHub's own cmark-gfm.

Python-Markdown (MkDocs) flattens the author's three-space nested lists and turns ``s_{y_i}`` or
``x -= learning_rate * dx`` into emphasis. So a page is built in two layers:

* **Headings and site blocks** are Markdown for MkDocs (Material's TOC, anchors, search sections,
  admonitions, KaTeX through arithmatex).
* **The author's text** between headings is rendered by ``cmarkgfm`` exactly as GitHub shows it and
  stands in the page Markdown as a placeholder paragraph (``CS231NCHUNK<n>X``); the hook swaps each
  placeholder for its HTML in ``on_page_content`` (:func:`fill_chunks`).

Everything the site adds around the author's text carries the class ``cs231n-site`` (the fidelity
test strips those blocks before comparing a page with cmark-gfm's rendering of the notes).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable

import cmarkgfm
from cmarkgfm.cmark import Options

from sitekit.notes_model import (COURSE_TITLES, Lecture, Part, Question, Section, WeekProgress,
                                 is_blank_markdown, parse_lecture, question_sections, read_meta,
                                 roadmap_progress, sections, split_front_matter, strip_trailer)

EMPTY_TEXT = "아직 작성하지 않았습니다."
DEMO_BOX_TITLE = "직접 해보기 (인터랙티브 데모)"
# What a demo box says when JavaScript is off (the widget inside it is drawn by JavaScript); kept
# out of the search index, which would otherwise list it on every page with a demo.
DEMO_NOSCRIPT = ('<noscript data-search-exclude><p class="cs231n-noscript">이 데모는 JavaScript가 '
                 '필요합니다. 브라우저에서 JavaScript를 켜면 이 자리에서 Python(Pyodide)과 NumPy가 '
                 '실행됩니다.</p></noscript>')
EXTRA_TITLE = "사이트 보충 자료"
OVERVIEW_TITLE = "강의 개요"

# GitHub renders the author's raw HTML too (their own notes, so nothing to sanitise here).
CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE

_WIDGET_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


@dataclass
class RenderedPage:
    """Page Markdown for MkDocs plus the HTML each placeholder stands for.

    ``toc`` maps a heading id to extra TOC entries ``[(title_html, anchor)]`` to nest under it
    (the questions under the Q&A heading). ``warnings`` are Korean messages for the build log.
    """
    markdown: str
    chunks: dict[str, str] = field(default_factory=dict)
    toc: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def chunk(self, html_text: str) -> str:
        """Stash ``html_text``; returns the placeholder paragraph to put in the Markdown."""
        token = f"CS231NCHUNK{len(self.chunks)}X"
        self.chunks[token] = html_text
        return f"\n{token}\n\n"


def fill_chunks(page_html: str, chunks: dict[str, str]) -> str:
    """Replace each ``<p>TOKEN</p>`` that Python-Markdown made of a placeholder by its HTML."""
    def swap(match: re.Match) -> str:
        return chunks.get(match.group(1), match.group(0))
    return re.sub(r"<p>(CS231NCHUNK\d+X)</p>", swap, page_html)


# ---------------------------------------------------------------------------------------------
# GitHub-flavoured Markdown through cmark-gfm.
# ---------------------------------------------------------------------------------------------

_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=\S)([^$\n]*?\S)\$(?![$\d])")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_CODE_SPAN = re.compile(r"(`+)(?:.+?)(?<!`)\1(?!`)", re.S)


def _protect_math(markdown: str) -> tuple[str, list[tuple[str, bool]]]:
    """Swap ``$$...$$`` and ``$...$`` (outside code) for tokens cmark leaves alone.

    -> (markdown with tokens, [(tex, display)]). GitHub renders these as math; cmark would turn
    ``a_1 * b_2`` inside them into emphasis.
    """
    stash: list[tuple[str, bool]] = []

    def keep(tex: str, display: bool) -> str:
        stash.append((tex, display))
        return f"CS231NMATH{len(stash) - 1}X"

    out, block, fence = [], [], None
    for line in markdown.splitlines(keepends=True):
        opener = _FENCE_LINE.match(line)
        if fence is None and opener:
            out.append(_protect_text("".join(block), keep))
            block, fence = [], opener.group(1)
            out.append(line)
        elif fence is not None:
            out.append(line)
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
        else:
            block.append(line)
    out.append(_protect_text("".join(block), keep))
    return "".join(out), stash


def _protect_text(text: str, keep: Callable[[str, bool], str]) -> str:
    """Math outside code spans in a run of non-fenced lines."""
    pieces, last = [], 0
    for code in _CODE_SPAN.finditer(text):
        pieces.append(_math_in(text[last:code.start()], keep))
        pieces.append(code.group(0))
        last = code.end()
    pieces.append(_math_in(text[last:], keep))
    return "".join(pieces)


def _math_in(text: str, keep: Callable[[str, bool], str]) -> str:
    if "$" not in text:
        return text
    text = _DISPLAY_MATH.sub(lambda m: keep(m.group(1).strip(), True), text)
    return _INLINE_MATH.sub(lambda m: keep(m.group(1), False), text)


def _restore_math(rendered: str, stash: list[tuple[str, bool]]) -> str:
    """Tokens -> Material's arithmatex ``generic`` markup, typeset in the browser by KaTeX."""
    def swap(match: re.Match) -> str:
        tex, display = stash[int(match.group(1))]
        left, right = (r"\[", r"\]") if display else (r"\(", r"\)")
        return f'<span class="arithmatex">{left}{html.escape(tex, quote=False)}{right}</span>'
    return re.sub(r"CS231NMATH(\d+)X", swap, rendered)


_TASK_ITEM = re.compile(r'<li><input type="checkbox"( checked="")? disabled="" />')


def _task_lists(rendered: str) -> str:
    """cmark-gfm's task items -> Material's task-list markup (same checkbox, styled)."""
    def swap(match: re.Match) -> str:
        checked = " checked" if match.group(1) else ""
        return ('<li class="task-list-item"><label class="task-list-control">'
                f'<input type="checkbox" disabled{checked}/><span class="task-list-indicator">'
                '</span></label>')
    return _TASK_ITEM.sub(swap, rendered)


def gfm(markdown: str) -> str:
    """The author's Markdown -> the HTML GitHub shows (cmark-gfm), math kept for KaTeX.

    Wordless list items (an empty ``-`` the author left behind) are dropped: they only draw a
    stray bullet.
    """
    protected, stash = _protect_math(markdown)
    rendered = cmarkgfm.github_flavored_markdown_to_html(protected, options=CMARK_OPTIONS)
    rendered = _restore_math(rendered, stash) if stash else rendered
    rendered = re.sub(r"<li>\s*</li>\n?", "", rendered)
    rendered = re.sub(r"<(ul|ol)( start=\"\d+\")?>\s*</\1>\n?", "", rendered)
    return _task_lists(rendered)


def gfm_inline(markdown: str) -> str:
    """One line of the author's inline Markdown -> inline HTML (no surrounding ``<p>``)."""
    rendered = gfm(markdown.strip()).strip()
    match = re.fullmatch(r"<p>(.*)</p>", rendered, re.S)
    return match.group(1) if match else rendered


def gfm_heading(title: str) -> str:
    """A heading's inline Markdown -> the inline HTML GitHub puts in that heading.

    Rendered *as a heading*: on its own, ``1. K-NN의 공간 문제`` would become a list.
    """
    rendered = gfm("###### " + title.strip()).strip()
    match = re.fullmatch(r"<h6>(.*)</h6>", rendered, re.S)
    return match.group(1) if match else html.escape(title)


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment (tags dropped, entities decoded, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


# Characters Python-Markdown (or arithmatex, attr_list) would read as syntax in a heading, as
# character references: backslash escapes would not do, since arithmatex reads \( and \[ as math.
_HEADING_ESCAPES = {ch: f"&#{ord(ch)};" for ch in "\\`*_[]{}#$"} | {"&": "&amp;", "<": "&lt;"}


def heading_markdown(title: str, level: int, attrs: str = "") -> str:
    """A Markdown heading for MkDocs whose visible text is what GitHub shows for ``title``.

    The text is escaped so Python-Markdown adds no emphasis of its own; inline styling in a
    heading (rare in the notes) is dropped, the words are kept.
    """
    text = html.unescape(re.sub(r"<[^>]+>", "", gfm_heading(title))).strip()
    escaped = "".join(_HEADING_ESCAPES.get(ch, ch) for ch in text)
    suffix = f" {{ {attrs} }}" if attrs else ""
    return f"{'#' * max(1, min(level, 6))} {escaped}{suffix}\n\n"


def site_note(message: str = EMPTY_TEXT, extra_class: str = "") -> str:
    """A site-owned line such as "아직 작성하지 않았습니다." where the author left a section empty."""
    classes = f"cs231n-site cs231n-empty {extra_class}".strip()
    return f'<p class="{classes}">{html.escape(message)}</p>'


def notes_block(rendered: str, extra_class: str = "") -> str:
    """Wrap the author's rendered text (styled like GitHub's lists)."""
    classes = f"cs231n-notes {extra_class}".strip()
    return f'<div class="{classes}">\n{rendered}</div>'


# ---------------------------------------------------------------------------------------------
# Demo placement inside the author's numbered list.
# ---------------------------------------------------------------------------------------------

class _ListItems(HTMLParser):
    """Offsets of the top-level list's items in a cmark fragment: ``[(number, end offset)]``,
    where ``end offset`` is where that item's ``</li>`` starts."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.depth = 0          # open ol/ul
        self.top_list: tuple[str, int] | None = None
        self.done = False
        self.items: list[tuple[int, int]] = []
        self.next_number = 1

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if self.done or tag not in ("ol", "ul"):
            return
        if self.depth == 0:
            start = dict(attrs).get("start")
            self.next_number = int(start) if start and start.isdigit() else 1
            self.top_list = (tag, 0)
        self.depth += 1

    def handle_endtag(self, tag):
        if self.done:
            return
        if tag in ("ol", "ul"):
            self.depth -= 1
            if self.depth == 0:
                self.done = True
        elif tag == "li" and self.depth == 1:
            self.items.append((self.next_number, self._offset()))
            self.next_number += 1


def demo_box(widget_id: str) -> str:
    # id: the gallery and other pages link straight to the widget (#demo-<id>)
    return (f'<div class="cs231n-site cs231n-demo-box admonition example" id="demo-{html.escape(widget_id)}">\n'
            f'<p class="admonition-title">{DEMO_BOX_TITLE}</p>\n'
            f'<div class="cs231n-demo" data-demo="{html.escape(widget_id)}" data-state="idle">'
            f'</div>\n{DEMO_NOSCRIPT}\n</div>\n')


def place_demos(rendered: str, placements: list[tuple[str, int | str]]) -> tuple[str, str, list[str]]:
    """Put demo boxes at the end of list items of the first top-level list of ``rendered``.

    ``placements`` are ``(widget id, item number | "end")``. -> (new HTML, boxes for the end of the
    section, warnings). A number the list lacks goes to the end, with a warning.
    """
    parser = _ListItems(rendered)
    parser.feed(rendered)
    ends = dict(parser.items)
    inserts: dict[int, list[str]] = {}
    tail, warnings = [], []
    for widget_id, where in placements:
        if where == "end":
            tail.append(demo_box(widget_id))
        elif where in ends:
            inserts.setdefault(ends[where], []).append(demo_box(widget_id))
        else:
            warnings.append(f"데모 '{widget_id}': 배운 점 목록에 {where}번 항목이 없어 목록 끝에 "
                            f"둡니다 (항목 번호: {sorted(ends) or '없음'}).")
            tail.append(demo_box(widget_id))
    for offset in sorted(inserts, reverse=True):
        rendered = rendered[:offset] + "".join(inserts[offset]) + rendered[offset:]
    return rendered, "".join(tail), warnings


_OVERVIEW_PLACE = re.compile(r"^overview\s+(\d+)$")


def read_placements(meta: dict) -> tuple[list[tuple[str, int | str]], list[str]]:
    """Front matter ``demos: {widget id: item number | "end" | "overview N"}`` -> placements
    (``"overview N"`` read as ``("overview", N)``), warnings."""
    demos = meta.get("demos")
    if demos is None:
        return [], []
    if not isinstance(demos, dict):
        return [], ["머리말의 'demos:'는 '위젯 id: 항목 번호 또는 end' 형식이어야 합니다."]
    placements, warnings = [], []
    for widget_id, where in demos.items():
        if not isinstance(widget_id, str) or not _WIDGET_ID.match(widget_id):
            warnings.append(f"데모 id '{widget_id}'는 영문 소문자, 숫자, '-', '_'만 쓸 수 있습니다.")
        elif where == "end" or (isinstance(where, int) and not isinstance(where, bool) and where >= 1):
            placements.append((widget_id, where))
        elif isinstance(where, str) and (match := _OVERVIEW_PLACE.match(where)) and int(match[1]):
            placements.append((widget_id, ("overview", int(match[1]))))
        else:
            warnings.append(f"데모 '{widget_id}'의 위치 '{where}'는 1 이상의 항목 번호, 'end', "
                            "또는 'overview 3'(강의 개요의 3번째 항목 뒤)이어야 합니다.")
    return placements, warnings


def read_extra(meta: dict) -> tuple[str, list[str]]:
    """Front matter ``extra:`` (Markdown, or a list of Markdown blocks) -> Markdown, warnings."""
    extra = meta.get("extra")
    if extra is None:
        return "", []
    if isinstance(extra, list) and all(isinstance(x, str) for x in extra):
        return "\n\n".join(extra), []
    if isinstance(extra, str):
        return extra, []
    return "", ["머리말의 'extra:'는 Markdown 문자열(또는 문자열 목록)이어야 합니다."]


_MARKDOWN_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)")


def _top_level_items(lines: list[str]) -> list[int]:
    """Markdown lines -> for each item of the first top-level list, the index of the line just
    after it (its continuation lines are indented; a blank line ends it unless an indented line
    follows)."""
    start = next((i for i, line in enumerate(lines) if _MARKDOWN_ITEM.match(line)), None)
    ends = []
    while start is not None:
        end = start + 1
        while end < len(lines) and (lines[end][:1] in (" ", "\t") and lines[end].strip()
                                    or not lines[end].strip() and end + 1 < len(lines)
                                    and lines[end + 1][:1] in (" ", "\t")):
            end += 1
        ends.append(end)
        following = next((i for i in range(end, len(lines)) if lines[i].strip()), None)
        start = following if following is not None and _MARKDOWN_ITEM.match(lines[following]) \
            else None
    return ends


def place_in_overview(page: RenderedPage, overview: str,
                      placements: list[tuple[str, int]]) -> tuple[str, list[str]]:
    """Demo boxes after items of the overview's first top-level list: ``placements`` are
    ``(widget id, item number)``. -> (overview Markdown with the boxes' placeholders, warnings).

    The box closes the list after that item and the next items start a new one, so this suits
    bullet lists (an ordered list would number again from 1). A number the list lacks puts the
    box after the overview, with a warning.
    """
    lines = overview.splitlines()
    ends = _top_level_items(lines)
    inserts: dict[int, list[str]] = {}
    warnings = []
    for widget_id, number in placements:
        if number > len(ends):
            warnings.append(f"데모 '{widget_id}': 강의 개요 목록에 {number}번 항목이 없어 개요 끝에 "
                            f"둡니다 (항목 {len(ends)}개).")
        at = ends[number - 1] if number <= len(ends) else len(lines)
        inserts.setdefault(at, []).append(widget_id)
    for at in sorted(inserts, reverse=True):
        boxes = "".join(page.chunk(demo_box(widget_id)) for widget_id in inserts[at])
        lines[at:at] = ["", *boxes.strip("\n").splitlines(), ""]
    return "\n".join(lines) + "\n", warnings


def admonition(kind: str, classes: str, title: str, markdown: str) -> str:
    """A Material admonition holding site Markdown (indented under ``!!!``)."""
    body = "".join(f"    {line}" if line.strip() else "\n"
                   for line in markdown.strip("\n").splitlines(keepends=True))
    return f'!!! {kind} {classes} "{title}"\n\n{body}\n\n'


# ---------------------------------------------------------------------------------------------
# Lecture pages.
# ---------------------------------------------------------------------------------------------

def question_html(q: Question) -> str:
    """A question as a ``<details>``: the summary shows the title and the Q paragraph, the body
    the answer, both rendered by cmark-gfm; ``id`` is the stable anchor ``q-<lecture>-<n>``."""
    heading = gfm_heading(q.heading)
    if q.question_markdown.strip():
        question = f'<span class="cs231n-qa-question">{gfm_inline(q.question_markdown)}</span>'
        rest = q.rest_markdown
    else:
        question, rest = "", q.body
    answer = notes_block(gfm(rest), "cs231n-qa-answer") if not is_blank_markdown(rest) \
        else site_note("답변을 아직 작성하지 않았습니다.")
    return (f'<details class="cs231n-qa question" id="{q.anchor}">\n'
            f'<summary><h3 class="cs231n-qa-title" id="{q.anchor}-title">{heading}</h3>'
            f'{question}</summary>\n{answer}\n</details>\n')


def _section_markdown(page: RenderedPage, section: Section, level: int) -> str:
    """A generic author section: heading for MkDocs + the body as cmark HTML (or 'not written')."""
    out = heading_markdown(section.title, level)
    body = strip_trailer(section.body)[0]
    return out + page.chunk(site_note() if is_blank_markdown(body) else notes_block(gfm(body)))


def lecture_has_notes(lecture: Lecture) -> bool:
    """True when the author wrote anything beyond the empty template."""
    parts_text = "".join(p.section.body + "".join(c.text for c in p.children) for p in lecture.parts)
    return not is_blank_markdown(parts_text) or bool(lecture.questions)


def render_lecture(notes_text: str, number: int, overview: str | None = None) -> RenderedPage:
    """One lecture's notes file -> page Markdown + chunks.

    Layout: H1 ``Lecture N: <course title>``; the author's Main Keywords; the site's 강의 개요
    (only when the author has no notes yet; demos placed ``overview N`` sit beside its items);
    the author's parts (배운 점 with demo boxes, the
    questions as ``<details>``, anything else) with empty ones saying "아직 작성하지 않았습니다";
    then the front matter's ``extra:`` Markdown.
    """
    front, body = split_front_matter(notes_text)
    meta = read_meta(front)
    lecture = parse_lecture(body, number)
    page = RenderedPage("")
    placements, warnings = read_placements(meta)
    page.warnings.extend(warnings)
    md = _lecture_head(page, lecture, f"Lecture {number}: {COURSE_TITLES[number]}")
    shown = overview if overview and not lecture_has_notes(lecture) else None
    overview_md, placements = _overview_markdown(page, shown, placements)
    md.append(overview_md)
    md.extend(_lecture_parts(page, lecture, placements))
    extra, warnings = read_extra(meta)
    page.warnings.extend(warnings)
    if extra.strip():
        md.append(admonition("info", "cs231n-site cs231n-extra", EXTRA_TITLE, extra))
    page.markdown = "".join(md)
    return page


def _lecture_head(page: RenderedPage, lecture: Lecture, title: str) -> list[str]:
    """Front matter, the H1, and what the author wrote before their first part (keywords, intro)."""
    # The H1 stands for the author's "### Lecture N: ..." heading; with no notes it is the site's.
    md = [f"---\ntitle: {_json(title)}\n---\n\n",
          heading_markdown(title, 1, ".cs231n-site" if lecture.heading is None else "")]
    if lecture.preamble.strip():
        md.append(page.chunk(notes_block(gfm(lecture.preamble))))
    if lecture.heading is not None and plain_text(gfm_heading(lecture.heading)) != title:
        md.append(page.chunk(f'<p class="cs231n-author-heading">{gfm_heading(lecture.heading)}</p>'))
    intro = lecture.intro
    if lecture.keywords is not None and not lecture.keywords:
        md.append(page.chunk(site_note(f"Main Keywords: {EMPTY_TEXT}", "cs231n-keywords-empty")))
        intro = re.sub(r"(?m)^\s{0,3}>\s*\*\*Main Keywords:?\*\*:?\s*$\n?", "", intro)
    if not is_blank_markdown(intro):
        md.append(page.chunk(notes_block(gfm(intro), "cs231n-intro")))
    return md


def _lecture_parts(page: RenderedPage, lecture: Lecture, placements) -> list[str]:
    """The author's parts in order; a site 배운 점 / Q&A section where the author has none.

    The demo boxes go into the first 배운 점 part (or the site's empty one)."""
    md = []
    parts = list(lecture.parts)
    if not any(p.kind == "learned" for p in parts):
        md.append(heading_markdown("배운 점", 2, "#learned .cs231n-site"))
        md.append(page.chunk(site_note() + _end_boxes(page, placements, "")))
        placements = []
    level0 = lecture.heading_level or 3
    seen: set[str] = set()  # only the first 배운 점 / Q&A part gets the #learned / #qa anchor
    for part in parts:
        level = part.section.level - level0 + 1
        first = part.kind not in seen
        seen.add(part.kind)
        if part.kind == "learned":
            md.append(_learned_markdown(page, part, level, placements, first))
            placements = []
        elif part.kind == "qa":
            md.append(_qa_markdown(page, part, level, lecture, first))
        else:
            md.append(_section_markdown(page, part.section, level))
            for child in part.children:
                md.append(_section_markdown(page, child, child.level - level0 + 1))
    if not any(p.kind == "qa" for p in parts):
        md.append(heading_markdown("내가 가진 의문 & 답변 (AI 활용)", 2, "#qa .cs231n-site"))
        md.append(page.chunk(site_note()))
    return md


def _overview_markdown(page: RenderedPage, overview: str | None, placements) -> tuple[str, list]:
    """The site's 강의 개요 box (``overview`` None: not shown) with the demos placed beside its
    items -> (Markdown, the other placements). With no overview shown, a demo placed in it goes
    to the end of the 배운 점 part."""
    beside = [(widget_id, where[1]) for widget_id, where in placements if isinstance(where, tuple)]
    others = [p for p in placements if not isinstance(p[1], tuple)]
    if overview is None:
        return "", others + [(widget_id, "end") for widget_id, _ in beside]
    note = ("작성자의 노트가 아직 없어, CS231n 2025년 봄 강의 내용을 바탕으로 사이트가 덧붙인 "
            "요약입니다.\n{ .cs231n-overview-note }\n\n")
    overview, warnings = place_in_overview(page, overview, beside)
    page.warnings.extend(warnings)
    return admonition("abstract", "cs231n-site cs231n-overview", OVERVIEW_TITLE,
                      note + overview), others


def _end_boxes(page: RenderedPage, placements, rendered: str) -> str:
    _, tail, warnings = place_demos(rendered, placements)
    page.warnings.extend(warnings)
    return tail


def _learned_markdown(page: RenderedPage, part: Part, level: int, placements,
                      first: bool = True) -> str:
    out = heading_markdown(part.section.title, level, "#learned" if first else "")
    body = strip_trailer(part.section.body)[0]
    children = "".join(c.text for c in part.children)
    if is_blank_markdown(body + children):
        return out + page.chunk(site_note() + _end_boxes(page, placements, ""))
    rendered, tail, warnings = place_demos(gfm(body), placements)
    page.warnings.extend(warnings)
    out += page.chunk(notes_block(rendered) + tail)
    for child in part.children:
        out += _section_markdown(page, child, level + child.level - part.section.level)
    return out


def _qa_markdown(page: RenderedPage, part: Part, level: int, lecture: Lecture,
                 first: bool = True) -> str:
    out = heading_markdown(part.section.title, level, "#qa" if first else "")
    intro = strip_trailer(part.section.body)[0]
    blocks = []
    if not is_blank_markdown(intro):
        blocks.append(notes_block(gfm(intro)))
    mine = [q for q in lecture.questions
            if any(q.body == s.body and q.heading == s.title for s in question_sections(part))]
    blocks.extend(question_html(q) for q in mine)
    if first:  # questions of a second Q&A part stay out of the TOC (its heading has no fixed id)
        page.toc["qa"] = [(html.escape(plain_text(gfm_heading(q.heading))), q.anchor) for q in mine]
    if not mine and is_blank_markdown(intro):
        blocks.append(site_note())
    return out + page.chunk("\n".join(blocks))


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Roadmap, daily log and the home page.
# ---------------------------------------------------------------------------------------------

def progress_bar(done: int, total: int, label: str, extra_class: str = "") -> str:
    percent = round(100 * done / total) if total else 0
    classes = f"cs231n-site cs231n-bar {extra_class}".strip()
    return (f'<div class="{classes}">'
            f'<div class="cs231n-bar-label"><span>{html.escape(label)}</span>'
            f'<span class="cs231n-bar-count">{done} / {total} ({percent}%)</span></div>'
            f'<div class="cs231n-bar-track" role="progressbar" aria-valuemin="0" '
            f'aria-valuemax="{total}" aria-valuenow="{done}" aria-label="{html.escape(label)}">'
            f'<span class="cs231n-bar-fill" style="width: {percent}%"></span></div></div>')


def progress_summary(weeks: list[WeekProgress], per_week: bool = True) -> str:
    """Overall bar (and one bar per week), as one site block."""
    done, total = sum(w.done for w in weeks), sum(w.total for w in weeks)
    rows = "".join(progress_bar(w.done, w.total, plain_text(gfm_heading(w.title)), "cs231n-week")
                   for w in weeks) if per_week else ""
    return (f'<div class="cs231n-site cs231n-bars">'
            f'{progress_bar(done, total, "전체 진행률", "cs231n-total")}{rows}</div>')


def split_roadmap(body: str) -> tuple[str, str]:
    """roadmap.md's author text -> (overview before the roadmap heading, the roadmap)."""
    _, found = sections(body)
    for s in found:
        if re.search(r"roadmap|주차", s.title, re.I):
            lines = body.splitlines(keepends=True)
            return "".join(lines[:s.line]), "".join(lines[s.line:])
    return "", body


def render_document(body: str, title: str, after_title: str = "",
                    after_heading: Callable[[Section], str] | None = None) -> RenderedPage:
    """A page of the author's text: its first heading becomes the H1 (``title`` if none), deeper
    headings follow relative to it, each body as cmark HTML or "아직 작성하지 않았습니다".

    ``after_title`` is site HTML right under the H1; ``after_heading(section)`` site HTML under a
    heading (e.g. a week's progress bar).
    """
    page = RenderedPage("")
    content = strip_trailer(body)[0]
    preamble, found = sections(content)
    first = found[0] if found else None
    page_title = plain_text(gfm_heading(first.title)) if first else title
    md = [f"---\ntitle: {_json(page_title)}\n---\n\n", heading_markdown(page_title, 1)]
    if after_title:
        md.append(page.chunk(after_title))
    if preamble.strip():
        md.append(page.chunk(notes_block(gfm(preamble))))
    if first is not None:
        if not is_blank_markdown(first.body):
            md.append(page.chunk(notes_block(gfm(first.body))))
        for s in found[1:]:
            md.append(heading_markdown(s.title, max(2, s.level - first.level + 1)))
            extra = after_heading(s) if after_heading else ""
            inner = site_note() if is_blank_markdown(s.body) else notes_block(gfm(s.body))
            md.append(page.chunk(extra + inner))
    elif not preamble.strip():
        md.append(page.chunk(site_note()))
    page.markdown = "".join(md)
    return page


def render_roadmap(notes_text: str) -> RenderedPage:
    _, body = split_front_matter(notes_text)
    _, roadmap = split_roadmap(body)
    weeks = roadmap_progress(roadmap)
    by_title = {w.title: w for w in weeks}

    def week_bar(s: Section) -> str:
        w = by_title.get(s.title)
        return progress_bar(w.done, w.total, "이번 주 진행률", "cs231n-week") if w else ""

    return render_document(roadmap, "주차별 진행 상황 (Roadmap)",
                           progress_summary(weeks, per_week=False) if weeks else "", week_bar)


def render_log(notes_text: str) -> RenderedPage:
    _, body = split_front_matter(notes_text)
    return render_document(body, "Daily Log & TIL")


def overview_html(roadmap_notes_text: str) -> str:
    """The author's README opening (title, intro, 프로젝트 개요) for the home page, headings
    moved two levels down so the page keeps one H1."""
    _, body = split_front_matter(roadmap_notes_text)
    preamble, _ = split_roadmap(body)
    if is_blank_markdown(preamble):
        return ""
    rendered = gfm(strip_trailer(preamble)[0])
    rendered = re.sub(r"<(/?)h([1-6])>", lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + 2)}>",
                      rendered)
    return notes_block(rendered, "cs231n-author-overview")


@dataclass(frozen=True)
class LectureCard:
    number: int
    title: str
    url: str
    has_notes: bool
    question_count: int
    has_overview: bool


def lecture_card(notes_text: str, number: int, url: str, has_overview: bool) -> LectureCard:
    _, body = split_front_matter(notes_text)
    lecture = parse_lecture(body, number)
    return LectureCard(number, COURSE_TITLES[number], url, lecture_has_notes(lecture),
                       len(lecture.questions), has_overview)


def cards_html(cards: list[LectureCard]) -> str:
    """A grid of links, one per lecture, saying whether the author has notes and how many
    questions."""
    items = []
    for c in cards:
        if c.has_notes:
            status = '<span class="cs231n-badge cs231n-badge-notes">노트 있음</span>'
            if c.question_count:
                status += f'<span class="cs231n-badge">질문 {c.question_count}개</span>'
        elif c.has_overview:
            status = '<span class="cs231n-badge cs231n-badge-muted">강의 개요만</span>'
        else:
            status = '<span class="cs231n-badge cs231n-badge-muted">아직 노트 없음</span>'
        items.append(f'<a class="cs231n-card" href="{html.escape(c.url)}">'
                     f'<span class="cs231n-card-number">Lecture {c.number}</span>'
                     f'<span class="cs231n-card-title">{html.escape(c.title)}</span>'
                     f'<span class="cs231n-card-status">{status}</span></a>')
    return f'<div class="cs231n-site cs231n-cards">{"".join(items)}</div>'
