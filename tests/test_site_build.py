"""The built site: 18 lecture pages faithful to GitHub's rendering, Q&A blocks, overviews, search.

Fidelity reference: cmark-gfm (GitHub's renderer) run here on each notes file's author text. A page's
article, with the blocks the site adds (``.cs231n-site``) and permalinks removed, must have the same
list structure (the tree of ol/ul/li/blockquote/strong/em/code/...) and the same visible text.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from conftest import mkdocs_build, project_copy

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "notes"

TITLES = {
    1: "Introduction", 2: "Image Classification with Linear Classifiers",
    3: "Regularization and Optimization", 4: "Neural Networks and Backpropagation",
    5: "Image Classification with CNNs", 6: "CNN Architectures", 7: "Recurrent Neural Networks",
    8: "Attention and Transformers",
    9: "Object Detection, Image Segmentation, Visualizing and Understanding",
    10: "Video Understanding", 11: "Large Scale Distributed Training", 12: "Self-Supervised Learning",
    13: "Generative Models 1", 14: "Generative Models 2", 15: "3D Vision", 16: "Vision and Language",
    17: "Robot Learning", 18: "Human-Centered AI",
}
# Questions per lecture, counted in the README by hand (lectures 7 and 8 hold an empty template).
QUESTIONS = {2: 3, 3: 2, 4: 1, 5: 3, 6: 2}
EMPTY = "아직 작성하지 않았습니다"


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("h1site")
    result = mkdocs_build(out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result.stdout + result.stderr


@pytest.fixture(scope="module")
def site(build) -> Path:
    return build[0]


def test_strict_build_has_no_warning(build):
    _, log = build
    assert not [line for line in log.splitlines() if "WARNING" in line], log


# ---------------------------------------------------------------------------------------------
# A small HTML tree (stdlib only).
# ---------------------------------------------------------------------------------------------

VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr"}
BLOCK = {"p", "li", "ol", "ul", "blockquote", "div", "details", "summary", "h1", "h2", "h3", "h4",
         "h5", "h6", "pre", "table", "tr", "td", "th", "article"}
STRUCTURE = {"ol", "ul", "li", "blockquote", "strong", "em", "code", "del", "a", "pre", "table"}


class Node:
    def __init__(self, tag: str, attrs: dict):
        self.tag, self.attrs, self.children = tag, attrs, []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    return builder.root


def find_all(node: Node, pred) -> list[Node]:
    found = []
    for child in node.children:
        if isinstance(child, Node):
            if pred(child):
                found.append(child)
            found.extend(find_all(child, pred))
    return found


def text_of(node) -> str:
    if isinstance(node, str):
        return node
    inner = "".join(text_of(c) for c in node.children)
    return f" {inner} " if node.tag in BLOCK else inner


def words(node) -> str:
    return " ".join(text_of(node).split())


LABELS = re.compile(r"^(?:Q\.|A\.|Main Keywords:|\d+\.)$")


def prune(node: Node, drop) -> Node:
    """Copy of ``node`` without subtrees ``drop`` selects, nor ones left with no words (an empty
    ``<li>``, or the author's empty template: a heading '1.', a bare 'Q.' / 'A.' / 'Main Keywords:')."""
    out = Node(node.tag, node.attrs)
    for child in node.children:
        if isinstance(child, str):
            out.children.append(child)
            continue
        if drop(child):
            continue
        kept = prune(child, drop)
        text = words(kept)
        if not text or LABELS.match(text):
            continue
        out.children.append(kept)
    return out


def structure(node: Node) -> list:
    """The nesting of the STRUCTURE tags only (other wrappers are transparent)."""
    out = []
    for child in node.children:
        if isinstance(child, Node):
            inner = structure(child)
            out.extend([(child.tag, inner)] if child.tag in STRUCTURE else inner)
    return out


def is_site(node: Node) -> bool:
    return bool(node.classes & {"cs231n-site", "headerlink"})


def article(site: Path, url: str) -> Node:
    html = (site / url / "index.html").read_text(encoding="utf-8")
    start = html.index('<article class="md-content__inner md-typeset">')
    return parse(html[start:html.index("</article>", start)])


def author_text(number: int) -> str:
    text = (NOTES / f"lecture-{number:02d}.md").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") == "---")
    return "".join(lines[end + 1:])


def lecture_url(n: int) -> str:
    return f"lectures/lecture-{n:02d}"


# ---------------------------------------------------------------------------------------------
# Lecture pages.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", range(1, 19))
def test_lecture_page_matches_githubs_rendering(site, number):
    reference = parse(cmarkgfm.github_flavored_markdown_to_html(
        author_text(number), options=Options.CMARK_OPT_UNSAFE))
    expected = prune(reference, lambda n: False)
    page = prune(article(site, lecture_url(number)), is_site)
    assert structure(page) == structure(expected)
    assert words(page) == words(expected)


@pytest.mark.parametrize("number", [3, 5, 6])
def test_the_fidelity_check_catches_python_markdowns_rendering(number):
    """The comparison above is not vacuous: MkDocs' own Markdown renders these notes differently."""
    import markdown
    expected = prune(parse(cmarkgfm.github_flavored_markdown_to_html(
        author_text(number), options=Options.CMARK_OPT_UNSAFE)), lambda n: False)
    flattened = prune(parse(markdown.markdown(author_text(number))), lambda n: False)
    assert structure(flattened) != structure(expected) or words(flattened) != words(expected)


@pytest.mark.parametrize("number", range(1, 19))
def test_lecture_page_title(site, number):
    html = (site / lecture_url(number) / "index.html").read_text(encoding="utf-8")
    title = f"Lecture {number}: {TITLES[number]}"
    assert f"<title>{title} - CS231n 한국어 학습 노트</title>" in html.replace("&amp;", "&")
    (h1,) = find_all(article(site, lecture_url(number)), lambda n: n.tag == "h1")
    assert words(prune(h1, lambda n: "headerlink" in n.classes)) == title


def test_nested_lists_survive_where_python_markdown_would_flatten_them(site):
    page = article(site, lecture_url(6))
    item3 = [li for li in find_all(page, lambda n: n.tag == "li")
             if words(li).startswith("Activation Functions에 대해")][0]
    nested = [words(li) for li in find_all(item3, lambda n: n.tag == "li")]
    assert len(nested) == 6 and nested[0].startswith("값을 0과 1 사이의")
    texts = words(article(site, lecture_url(3)))
    assert "x -= learning_rate * dx" in texts
    assert "max(0, s_j - s_{y_i} + 1)" in words(article(site, lecture_url(2)))
    page5 = words(article(site, lecture_url(5)))
    assert "1 + 2 * L x 1 + 2 * L" in page5
    eight = [ol for ol in find_all(article(site, lecture_url(5)), lambda n: n.tag == "ol")][0]
    assert len([c for c in eight.children if isinstance(c, Node) and c.tag == "li"]) == 8


@pytest.mark.parametrize("number", range(1, 19))
def test_questions_are_details_with_stable_anchors(site, number):
    page = article(site, lecture_url(number))
    details = find_all(page, lambda n: n.tag == "details")
    count = QUESTIONS.get(number, 0)
    assert [d.attrs.get("id") for d in details] == [f"q-{number}-{k}" for k in range(1, count + 1)]
    for d in details:
        summary = [c for c in d.children if isinstance(c, Node) and c.tag == "summary"]
        assert summary and "Q." in words(summary[0])
        assert "A." in words(d) and "A." not in words(summary[0])
    html = (site / lecture_url(number) / "index.html").read_text(encoding="utf-8")
    for k in range(1, count + 1):  # and the table of contents links to each question
        assert f'href="#q-{number}-{k}"' in html


def test_question_titles_keep_the_authors_text(site):
    page = article(site, lecture_url(2))
    titles = [words(s) for s in find_all(page, lambda n: n.tag == "summary")]
    assert titles[1].startswith("2. KL Divergence와 Cross Entropy Q. 수업 중 나온 Kullback-Leibler")
    page4 = words(article(site, lecture_url(4)))
    assert "regularier" in page4  # typos stay as written


@pytest.mark.parametrize("number", range(1, 19))
def test_empty_sections_and_overviews(site, number):
    page = article(site, lecture_url(number))
    text = words(page)
    overviews = find_all(page, lambda n: "cs231n-overview" in n.classes)
    if number <= 6:
        assert not overviews
    else:
        (overview,) = overviews
        assert "강의 개요" in words(overview) and len(words(overview)) > 300
        assert text.count(EMPTY) >= 2  # 배운 점 and the questions
        assert not re.search(r"(?:^| )Q\.(?: |$)", text)  # never a bare "Q."
    if number == 1:
        assert text.count(EMPTY) == 1  # no questions yet; no Main Keywords line at all
        assert "Main Keywords" not in text
    site_blocks = find_all(page, lambda n: "cs231n-empty" in n.classes)
    assert all("cs231n-site" in b.classes for b in site_blocks)


def test_overviews_typeset_math_with_katex_markup(site):
    page = (site / lecture_url(8) / "index.html").read_text(encoding="utf-8")
    assert '<div class="arithmatex">\\[\\mathrm{Attention}(Q, K, V)' in page
    assert "assets/katex/katex.min.js" in page and "assets/cs231n/katex-init.js" in page
    assert "assets/katex/katex.min.css" in page
    for rel in ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js",
                "fonts/KaTeX_Main-Regular.woff2"):
        assert (site / "assets" / "katex" / rel).is_file(), rel


def demos_of(number: int) -> dict:
    import yaml
    text = (NOTES / f"lecture-{number:02d}.md").read_text(encoding="utf-8")
    front = text.split("---\n", 2)[1]
    return (yaml.safe_load(front) or {}).get("demos") or {}


def items_before_box(page, widget_id: str) -> int:
    """How many items of the site overview's bullet lists come before ``widget_id``'s demo box
    (the box sits between the overview's lists, after the item it illustrates)."""
    (overview,) = find_all(page, lambda n: "cs231n-overview" in n.classes)
    count = 0
    for child in (c for c in overview.children if isinstance(c, Node)):
        if child.tag == "ul":
            count += sum(1 for c in child.children if isinstance(c, Node) and c.tag == "li")
        elif find_all(child, lambda n: n.attrs.get("data-demo") == widget_id):
            assert "cs231n-demo-box" in child.classes and "직접 해보기" in words(child)
            return count
    raise AssertionError(f"{widget_id} is not in the overview")


@pytest.mark.parametrize("number", range(1, 19))
def test_demo_placeholders_follow_front_matter(site, number):
    page = article(site, lecture_url(number))
    demos = demos_of(number)
    found = find_all(page, lambda n: "cs231n-demo" in n.classes)
    assert sorted(d.attrs["data-demo"] for d in found) == sorted(demos)
    learned = [ol for ol in find_all(page, lambda n: n.tag == "ol")][:1]
    for widget_id, where in demos.items():
        if where == "end":
            continue
        if isinstance(where, str) and where.startswith("overview "):
            assert items_before_box(page, widget_id) == int(where.split()[1])
            continue
        items = [c for c in learned[0].children if isinstance(c, Node) and c.tag == "li"]
        inside = find_all(items[where - 1], lambda n: n.attrs.get("data-demo") == widget_id)
        assert inside, f"{widget_id} should sit inside item {where}"
        box = find_all(items[where - 1], lambda n: "cs231n-demo-box" in n.classes)
        assert box and "cs231n-site" in box[0].classes and "직접 해보기" in words(box[0])


# ---------------------------------------------------------------------------------------------
# Roadmap, log, home, navigation, search.
# ---------------------------------------------------------------------------------------------

def test_strict_build_fails_naming_a_placed_widget_no_module_declares(tmp_path):
    project = project_copy(tmp_path / "project")
    note = project / "notes" / "lecture-03.md"
    note.write_text(note.read_text(encoding="utf-8").replace("demos:\n", "demos:\n  no-such-demo: 2\n", 1),
                    encoding="utf-8")
    result = mkdocs_build(tmp_path / "site", project)
    log = result.stdout + result.stderr
    assert result.returncode != 0, log
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, log
    assert "notes/lecture-03.md: demos: 'no-such-demo'" in warnings[0]
    assert "not a declared widget" in warnings[0] and "optim" in warnings[0]


def test_roadmap_and_log_pages(site):
    roadmap = article(site, "roadmap")
    text = words(roadmap)
    assert "주차별 진행 상황 (Roadmap)" in text and "7 / 11 (64%)" in text
    boxes = find_all(roadmap, lambda n: n.tag == "input" and n.attrs.get("type") == "checkbox")
    assert len(boxes) == 11 and sum("checked" in b.attrs for b in boxes) == 7
    log = words(prune(article(site, "log"), lambda n: "headerlink" in n.classes))
    assert "Daily Log & TIL" in log and "Lecture 11: Large Scale Distributed Training 수강" in log
    assert "2026년 " + EMPTY in log  # the stray "### 2026년" heading


def test_home_page_links_every_lecture_and_shows_progress(site):
    home = article(site, "")
    cards = find_all(home, lambda n: "cs231n-card" in n.classes)
    assert [c.attrs["href"] for c in cards] == [f"lectures/lecture-{n:02d}/" for n in range(1, 19)]
    for n, card in enumerate(cards, start=1):
        text = words(card)
        assert TITLES[n] in text
        if n in QUESTIONS:
            assert f"질문 {QUESTIONS[n]}개" in text and "노트 있음" in text
        elif n >= 7:
            assert "강의 개요만" in text
    text = words(home)
    assert "7 / 11 (64%)" in text and "현재 상태 : 3주차 진행 중" in text.replace("상태:", "상태 :")
    assert "인터랙티브 데모" in text


def test_navigation_groups_the_lectures(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    nav = html[html.index('<nav class="md-nav md-nav--primary"'):]
    assert "강의 노트" in nav
    for n in range(1, 19):
        assert f'href="lectures/lecture-{n:02d}/"' in nav


@pytest.fixture(scope="module")
def search_docs(site) -> list[dict]:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


@pytest.mark.parametrize("term, lecture", [
    ("정규화", 6), ("Momentum", 3), ("Kaiming", 6), ("KL Divergence", 2), ("Translation Equivariance", 5),
])
def test_search_index_finds_terms_on_the_right_page(search_docs, term, lecture):
    pages = {d["location"].split("#")[0] for d in search_docs
             if term.lower() in (d["title"] + " " + d["text"]).lower()}
    assert f"lectures/lecture-{lecture:02d}/" in pages


def test_search_index_has_question_sections_and_korean_config(search_docs, site):
    locations = {d["location"] for d in search_docs}
    assert "lectures/lecture-02/#q-2-2-title" in locations
    config = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    assert config["lang"] == ["en", "ko"]
    assert re.compile(config["separator"].replace("(?<=", "(?<=")).split("Normalization을") == \
        ["Normalization", "을"]


def test_no_asset_from_outside_the_site(site):
    for page in ["index.html", "lectures/lecture-02/index.html", "roadmap/index.html"]:
        html = (site / page).read_text(encoding="utf-8")
        tags = re.findall(r'<(?:script|img|link|iframe|source|video|audio)\b[^>]*>', html)
        loaded = [t for t in tags if re.search(r'(?:src|href)="(?:https?:)?//', t)
                  and not re.search(r'rel="(?:canonical|alternate)"', t)]
        assert not loaded, f"{page} loads {loaded}"
        assert "@import" not in html
        assert "fonts.googleapis" not in html


def test_every_page_links_the_hooks_assets_once_with_the_runtime_scripts_first(site):
    for page in ["index.html", "lectures/lecture-05/index.html", "notebooks/conv/index.html"]:
        html = (site / page).read_text(encoding="utf-8")
        scripts = [s.rsplit("/", 1)[-1] for s in re.findall(r'<script src="([^"]+)"', html)]
        styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        # The extra scripts follow Material's bundle (a notebook's own script sits in the content).
        bundle = next(i for i, name in enumerate(scripts) if name.startswith("bundle."))
        assert scripts[bundle + 1:bundle + 4] == ["config.js", "boot.js", "theme.js"], page
        for name in ["katex.min.js", "auto-render.min.js", "katex-init.js", "questions.js"]:
            assert scripts.count(name) == 1, (page, name)
        for name in ["host.css", "cells.css", "notebooks.css", "katex.min.css"]:
            assert sum(s.endswith("/" + name) for s in styles) == 1, (page, name)


def test_link_assets_moves_first_scripts_ahead_and_never_links_twice():
    from types import SimpleNamespace

    from sitekit.site_files import link_assets

    config = SimpleNamespace(extra_javascript=["a.js", "boot.js", "b.js"], extra_css=["x.css"])
    link_assets(config, first_scripts=("config.js", "boot.js"), scripts=("b.js", "c.js"),
                styles=("x.css", "y.css"))
    assert config.extra_javascript == ["config.js", "boot.js", "a.js", "b.js", "c.js"]
    assert config.extra_css == ["x.css", "y.css"]
