"""Study tools: demos.cells under CPython, the run-python fence, the Q&A index and the demo gallery.

References are independent of the code under test: questions are read from notes/ with a plain
regular expression (not sitekit.notes_model), values are compared with Python's own repr(),
hashes with hashlib, links are resolved against the files of the built site, PNG pixels are
decoded by hand.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import shutil
import struct
import warnings
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import markdown
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from demos import bridge, cells, widget
from sitekit import cells as cell_fence
from sitekit import study_gallery, study_questions, study_thumbs

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "notes"


# ---------------------------------------------------------------------------------------------
# demos.cells.run
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def ns(request) -> str:
    """A fresh namespace per test (names are per page in the browser)."""
    name = f"test-{request.node.name}"
    cells.reset(name)
    yield name
    cells.reset(name)


def test_stdout_is_captured(ns):
    result = cells.run("print('안녕', 1 + 1)\nprint('둘째 줄')", ns)
    assert result["stdout"] == "안녕 2\n둘째 줄\n"
    assert result["error"] is None and result["value"] is None and result["figures"] == []


@pytest.mark.parametrize("code, expected", [
    ("x = [1, 2]\nx", repr([1, 2])),
    ("import numpy as np\nnp.arange(3) * 2", repr(np.arange(3) * 2)),
    ("'문자열'", repr("문자열")),
    ("{'a': 1.5}", repr({"a": 1.5})),
    ("1 + 1  # comment", "2"),
])
def test_last_expression_value_is_its_repr(ns, code, expected):
    assert cells.run(code, ns)["value"] == expected


@pytest.mark.parametrize("code", ["x = 3", "None", "print('a')", "3;", "3 ;  # hidden like IPython",
                                  "def f():\n    return 1"])
def test_no_value_for_statements_none_and_semicolon(ns, code):
    assert cells.run(code, ns)["value"] is None


def test_value_after_prints_keeps_both(ns):
    result = cells.run("for i in range(3):\n    print(i)\ni * 10", ns)
    assert result["stdout"] == "0\n1\n2\n"
    assert result["value"] == "20"


def test_syntax_error_names_the_line_in_korean(ns):
    result = cells.run("x = 1\nif x\n    print(x)\n", ns)
    assert result["error_line"] == 2
    assert "문법 오류" in result["error"] and "SyntaxError" in result["error"]
    assert "2번째 줄" in result["error"] and "if x" in result["error"]
    assert "Traceback" not in result["error"] and "File " not in result["error"]


def test_indentation_error_is_a_syntax_error_with_its_type(ns):
    result = cells.run("for i in range(2):\nprint(i)", ns)
    assert "IndentationError" in result["error"] and result["error_line"] == 2


def test_runtime_error_names_type_message_line_and_text(ns):
    result = cells.run("a = 1\nb = 0\nc = a / b\nprint('not reached')", ns)
    assert result["error_line"] == 3
    assert "ZeroDivisionError: division by zero" in result["error"]
    assert "3번째 줄" in result["error"] and "c = a / b" in result["error"]
    assert "Traceback" not in result["error"]
    assert result["stdout"] == ""


def test_error_in_the_last_expression_has_its_line(ns):
    result = cells.run("import numpy as np\nnp.zeros(3)[5]", ns)
    assert result["error_line"] == 2 and "IndexError" in result["error"]
    assert result["value"] is None


def test_output_before_an_error_is_kept(ns):
    result = cells.run("print('before')\nraise ValueError('나쁜 값')", ns)
    assert result["stdout"] == "before\n"
    assert "ValueError: 나쁜 값" in result["error"] and result["error_line"] == 2


def test_error_inside_a_function_from_an_earlier_cell_quotes_that_line(ns):
    cells.run("def first(xs):\n    return xs[10]", ns)
    result = cells.run("first([1, 2])", ns)
    assert "IndexError" in result["error"]
    assert "앞서 실행한 셀의 2번째 줄" in result["error"] and "return xs[10]" in result["error"]
    assert result["error_line"] is None  # not a line of this cell


def test_system_exit_and_keyboard_interrupt_do_not_escape(ns):
    assert "SystemExit" in cells.run("raise SystemExit(3)", ns)["error"]
    assert "KeyboardInterrupt" in cells.run("raise KeyboardInterrupt", ns)["error"]


def test_missing_module_gets_a_korean_hint(ns):
    error = cells.run("import matplotlib_is_not_here", ns)["error"]
    assert "ModuleNotFoundError" in error and "numpy" in error


def test_cells_of_one_page_share_a_namespace_and_pages_do_not(ns):
    other = ns + "-other"
    cells.reset(other)
    assert cells.run("a = 41", ns)["error"] is None
    assert cells.run("a + 1", ns)["value"] == "42"
    result = cells.run("a + 1", other)
    assert "NameError" in result["error"] and "먼저 실행" in result["error"]
    assert cells.reset(ns) is True
    assert "NameError" in cells.run("a", ns)["error"]
    cells.reset(other)


def test_execution_count_counts_runs_per_namespace(ns):
    assert [cells.run("1", ns)["count"] for _ in range(3)] == [1, 2, 3]
    cells.reset(ns)
    assert cells.run("1", ns)["count"] == 1


def test_show_collects_plotly_figures_as_json(ns):
    code = ("import numpy as np\n"
            "show({'data': [{'type': 'scatter', 'x': np.arange(3), 'y': [1.0, float('nan'), 2.0]}],"
            " 'layout': {'height': 200}})\n"
            "show({'data': []})")
    result = cells.run(code, ns)
    assert result["error"] is None
    assert result["figures"] == [
        {"data": [{"type": "scatter", "x": [0, 1, 2], "y": [1.0, None, 2.0]}], "layout": {"height": 200}},
        {"data": [], "layout": {}},
    ]
    json.dumps(result, allow_nan=False)  # what the browser receives


@pytest.mark.parametrize("bad", ["3", "{'layout': {}}", "{'data': 5}", "[1, 2]"])
def test_show_rejects_what_is_not_a_figure_with_the_line(ns, bad):
    result = cells.run(f"x = 1\nshow({bad})", ns)
    assert "TypeError" in result["error"] and "Plotly" in result["error"]
    assert result["error_line"] == 2 and result["figures"] == []


def test_show_limits_the_number_of_figures(ns):
    result = cells.run(f"for i in range({cells.MAX_FIGURES + 1}):\n    show({{'data': []}})", ns)
    assert len(result["figures"]) == cells.MAX_FIGURES
    assert "ValueError" in result["error"]


def test_long_output_is_cut_and_says_so(ns):
    result = cells.run("for i in range(100000):\n    print(i)", ns)
    full = "".join(f"{i}\n" for i in range(100000))
    assert result["stdout"].startswith(full[:cells.MAX_OUTPUT])
    dropped = len(full) - cells.MAX_OUTPUT
    assert f"{dropped:,}자를 생략" in result["stdout"]
    assert len(result["stdout"]) < cells.MAX_OUTPUT + 100


def test_long_value_is_cut(ns):
    result = cells.run("'x' * 100000", ns)
    assert len(result["value"]) < cells.MAX_VALUE + 100 and "생략" in result["value"]


def test_warnings_are_reported_once_with_their_line(ns):
    result = cells.run("import numpy as np\nfor i in range(500):\n    np.log(0.0)", ns)
    assert result["error"] is None
    assert result["stderr"].count("RuntimeWarning") == 1
    assert "3번째 줄" in result["stderr"] and "divide by zero" in result["stderr"]


def test_warning_filters_outside_the_cell_are_restored(ns):
    before = list(warnings.filters)
    cells.run("import warnings\nwarnings.warn('x')", ns)
    assert warnings.filters == before


def test_bad_arguments_raise_type_errors_in_korean():
    with pytest.raises(TypeError, match="문자열"):
        cells.run(None)
    with pytest.raises(TypeError, match="namespace"):
        cells.run("1", namespace="")


def test_the_browser_path_through_the_bridge(ns):
    answer = json.loads(bridge.call_json("demos.cells.run", json.dumps({"code": "6 * 7", "namespace": ns})))
    assert answer["ok"]["value"] == "42"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 =()[]:+\n\t'\"#;.,-*/%\\x")), max_size=40))
def test_run_never_raises_for_any_text(code):
    result = cells.run(code, "hypothesis")
    assert set(result) >= {"stdout", "stderr", "value", "error", "error_line", "figures", "count"}
    json.dumps(result, allow_nan=False)
    if result["error_line"] is not None:
        assert 1 <= result["error_line"] <= max(1, len(code.splitlines()) + 1)
    cells.reset("hypothesis")


# ---------------------------------------------------------------------------------------------
# The run-python fence.
# ---------------------------------------------------------------------------------------------

def render_fence(text: str) -> str:
    return markdown.markdown(text, extensions=["pymdownx.superfences"], extension_configs={
        "pymdownx.superfences": {"custom_fences": [cell_fence.custom_fence()]}})


def visible_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_fence_becomes_a_cell_holding_the_exact_code():
    code = 'import numpy as np\nx = np.arange(3) < 2  # "quotes" & <tags>\nprint(x)'
    out = render_fence(f'```run-python title="제목 & 설명"\n{code}\n```\n')
    root = re.search(r'<div class="cs231n-cell"([^>]*)>', out)
    assert root, out
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', root.group(1)))
    assert attrs["data-cell-hash"] == hashlib.sha256(code.encode()).hexdigest()[:12]
    assert html.unescape(attrs["data-title"]) == "제목 & 설명"
    version = json.loads((ROOT / "node_modules/codemirror/package.json").read_text())["version"]
    assert attrs["data-editor"] == f"assets/vendor/codemirror-{version}/"
    code_html = re.search(r"<code>(.*?)</code>", out, re.S).group(1)
    assert visible_text(code_html).rstrip("\n") == code


def test_fence_rejects_unknown_options():
    with pytest.raises(Exception, match="title"):
        render_fence('```run-python hl_lines="1"\nx = 1\n```\n')


def test_other_fences_are_untouched():
    out = render_fence("```python\nx = 1\n```\n")
    assert "cs231n-cell" not in out


# ---------------------------------------------------------------------------------------------
# Reading the built site.
# ---------------------------------------------------------------------------------------------

class Elements(HTMLParser):
    """Start tags with their attributes and visible text (text up to the matching end tag)."""

    VOID = {"img", "input", "br", "hr", "meta", "link", "source", "wbr", "area", "col", "embed"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []
        self.open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "text": []}
        self.found.append(node)
        if tag not in self.VOID:
            self.open.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i]["tag"] == tag:
                del self.open[i:]
                break

    def handle_data(self, data):
        for node in self.open:
            node["text"].append(data)


def elements(path: Path) -> list[dict]:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    for node in parser.found:
        node["text"] = " ".join("".join(node["text"]).split())
    return parser.found


def by_class(nodes: list[dict], name: str) -> list[dict]:
    return [n for n in nodes if name in n["attrs"].get("class", "").split()]


def target_file(site: Path, page: Path, href: str) -> tuple[Path, str]:
    """Resolve a relative link of ``page`` to (file in the site, fragment)."""
    base = "http://site/" + page.relative_to(site).as_posix()
    url = urlparse(urljoin(base, href))
    path = site / unquote(url.path.lstrip("/"))
    if path.is_dir() or url.path.endswith("/"):
        path = path / "index.html"
    return path, url.fragment


def ids_in(path: Path) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------------------------
# The Q&A index.
# ---------------------------------------------------------------------------------------------

def notes_questions(notes_dir: Path) -> list[tuple[int, int, str, str]]:
    """(lecture, number, title, question text) read with plain regular expressions: `##### N. title`
    headings in a `####` section whose title mentions 의문/질문, skipping the empty template."""
    found = []
    for path in sorted(notes_dir.glob("lecture-*.md")):
        lecture = int(re.search(r"lecture-(\d+)", path.name).group(1))
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        in_qa = False
        blocks = re.split(r"(?m)^(#{3,5} .*)$", body)
        for i in range(1, len(blocks), 2):
            heading, text = blocks[i], blocks[i + 1]
            level = len(heading) - len(heading.lstrip("#"))
            if level <= 4:
                in_qa = level == 4 and bool(re.search("의문|질문", heading))
                continue
            if not in_qa:
                continue
            match = re.match(r"#####\s+(\d+)\.\s*(.*)$", heading)
            question = re.search(r"\*\*Q\.\*\*[ \t]*(.*)", text)
            q_text = question.group(1).strip() if question else ""
            if match.group(2).strip() or q_text:
                found.append((lecture, int(match.group(1)), match.group(2).strip(), q_text))
    return found


def plain(markdown_text: str) -> str:
    return " ".join(re.sub(r"\*\*|`", "", markdown_text).split())


def test_index_lists_exactly_the_questions_in_the_notes(site_dir):
    expected = notes_questions(NOTES)
    assert expected, "the notes have questions"
    page = site_dir / "questions" / "index.html"
    nodes = elements(page)
    items = by_class(nodes, "cs231n-qa-item")
    got = []
    for item in items:
        lecture, number = map(int, re.fullmatch(r"q-(\d+)-(\d+)", item["attrs"]["data-anchor"]).groups())
        got.append((lecture, number))
    assert got == [(lec, num) for lec, num, _, _ in expected]
    titles = [n["text"] for n in by_class(nodes, "cs231n-qa-link")]
    assert titles == [f"Q{num}. {plain(title)}" for _, num, title, _ in expected]
    questions = [n["text"] for n in by_class(nodes, "cs231n-qa-question")]
    assert questions == [plain(q) for *_, q in expected if q]
    intro = by_class(nodes, "cs231n-qa-intro")[0]["text"]
    assert f"{len(expected)}개" in intro


def test_index_counts_per_lecture(site_dir):
    nodes = elements(site_dir / "questions" / "index.html")
    per_lecture: dict[int, int] = {}
    for lecture, *_ in notes_questions(NOTES):
        per_lecture[lecture] = per_lecture.get(lecture, 0) + 1
    counts = {int(n["attrs"]["data-lecture"]): n["text"] for n in by_class(nodes, "cs231n-qa-count")}
    assert {k: re.search(r"질문 (\d+)개", v).group(1) for k, v in counts.items()} == \
        {k: str(v) for k, v in per_lecture.items()}
    headings = [n for n in nodes if n["tag"] == "h2" and "cs231n-qa-heading" in n["attrs"].get("class", "")]
    assert [int(h["attrs"]["data-lecture"]) for h in headings] == sorted(per_lecture)


def test_every_index_link_lands_on_an_existing_anchor(site_dir):
    page = site_dir / "questions" / "index.html"
    links = [n["attrs"]["href"] for n in by_class(elements(page), "cs231n-qa-link")]
    assert len(links) == len(notes_questions(NOTES))
    # and each lecture's "강의 노트에서 보기" link
    links += re.findall(r'class="cs231n-qa-count".*?href="([^"]+)"', page.read_text(encoding="utf-8"))
    for href in links:
        assert "cs231n-link" not in href
        path, fragment = target_file(site_dir, page, href)
        assert path.is_file(), href
        assert fragment and fragment in ids_in(path), href


def test_a_question_added_to_the_notes_appears_in_the_index(tmp_path):
    copy = tmp_path / "notes"
    shutil.copytree(NOTES, copy)
    before = study_questions.collect(copy)
    lecture4 = copy / "lecture-04.md"
    text = lecture4.read_text(encoding="utf-8")
    body, separator = text.rstrip().rsplit("\n---", 1)[0], "\n\n---\n"  # the README's trailer
    assert text.rstrip().endswith("---")
    addition = ("\n\n##### 2. 새로 추가한 질문\n**Q.** Dropout은 왜 test time에 끄나요?\n"
                "> **A.** 기대값을 맞추기 위해서입니다.")
    lecture4.write_text(body.rstrip() + addition + separator, encoding="utf-8")
    after = study_questions.collect(copy)
    assert after.total == before.total + 1
    new = [q for lec in after.lectures for q in lec.questions if q.anchor == "q-4-2"]
    assert len(new) == 1 and new[0].title == "새로 추가한 질문"
    page = study_questions.render_page(after)
    html_text = "".join(page.chunks.values())
    assert "새로 추가한 질문" in html_text and "Dropout은 왜 test time에 끄나요?" in html_text
    assert f'href="{study_questions.LINK_SCHEME}lectures/lecture-04.md#q-4-2"' in html_text
    assert f"<strong>{after.total}</strong>개" in html_text


def test_unresolvable_links_are_reported_not_left_dangling():
    out, problems = study_questions.resolve_links(
        '<a href="cs231n-link:a.md#x">a</a><img src="cs231n-link:missing.svg">',
        lambda uri: "../a/" if uri == "a.md" else None)
    assert out == '<a href="../a/#x">a</a><img src="#">'
    assert problems and "missing.svg" in problems[0]


# ---------------------------------------------------------------------------------------------
# Runnable cells in the built lecture pages.
# ---------------------------------------------------------------------------------------------

def cell_codes(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r'<div class="cs231n-cell"[^>]*>.*?<code>(.*?)</code>', text, re.S)
    return [visible_text(b).rstrip("\n") for b in blocks]


@pytest.mark.parametrize("lecture", [2, 3, 6])
def test_lecture_cells_run_without_error_in_order(site_dir, lecture):
    codes = cell_codes(site_dir / f"lectures/lecture-{lecture:02d}/index.html")
    assert len(codes) >= 2
    ns = f"built-lecture-{lecture}"
    cells.reset(ns)
    results = [cells.run(code, ns) for code in codes]
    assert [r["error"] for r in results] == [None] * len(codes)
    assert sum(len(r["figures"]) for r in results) >= 1
    if lecture == 2:  # the sanity checks the author wrote down: log(C) and C - 1 for C = 10
        assert float(cells.run("softmax_loss(scores, y)", ns)["value"].strip("np.float64()")) == \
            pytest.approx(math.log(10), abs=1e-3)
        assert float(cells.run("svm_loss(scores, y)", ns)["value"].strip("np.float64()")) == \
            pytest.approx(9, abs=1e-2)
    if lecture == 6:  # Kaiming keeps the std; 0.01 makes it vanish; Xavier halves the variance per layer
        value = cells.run("[float(v) for v in stds['Kaiming (sqrt(2/D_in))'][[0, -1]]]", ns)["value"]
        first, last = json.loads(value)
        assert 0.5 < last / first < 2
        assert float(cells.run("float(stds['작은 값 (0.01)'][-1])", ns)["value"]) < 1e-6
    cells.reset(ns)


def test_codemirror_files_are_served(site_dir):
    page = site_dir / "lectures/lecture-03/index.html"
    base = re.search(r'data-editor="([^"]+)"', page.read_text(encoding="utf-8")).group(1)
    for rel in cell_fence.CODEMIRROR_FILES:
        served = site_dir / base / rel
        assert served.read_bytes() == (ROOT / "node_modules/codemirror" / rel).read_bytes()


# ---------------------------------------------------------------------------------------------
# The demo gallery.
# ---------------------------------------------------------------------------------------------

def test_gallery_has_every_widget_and_notebook_linking_where_it_lives(site_dir):
    page = site_dir / "demos" / "index.html"
    nodes = elements(page)
    cards = by_class(nodes, "cs231n-gallery-card")
    widget_cards = {c["attrs"]["data-id"]: c for c in cards if c["attrs"]["data-kind"] == "widget"}
    assert set(widget_cards) == set(widget.registry())
    assert len(widget_cards) == len([c for c in cards if c["attrs"]["data-kind"] == "widget"])
    for widget_id, card in widget_cards.items():
        path, fragment = target_file(site_dir, page, card["attrs"]["href"])
        assert path.is_file(), card["attrs"]["href"]
        # The card leads to the widget itself: its box on the lecture page (or the live copy below).
        assert fragment in (f"try-{widget_id}", f"demo-{widget_id}") and fragment in ids_in(path)
        assert f'data-demo="{widget_id}"' in path.read_text(encoding="utf-8")
        assert card["text"]  # title and description
    notebooks = sorted(p.stem for p in (ROOT / "docs" / "notebooks").glob("*.ipynb"))
    notebook_cards = [c for c in cards if c["attrs"]["data-kind"] == "notebook"]
    assert sorted(c["attrs"]["data-id"] for c in notebook_cards) == notebooks
    for card in notebook_cards:
        path, _ = target_file(site_dir, page, card["attrs"]["href"])
        assert path.is_file() and path.parent.name == card["attrs"]["data-id"]


def test_gallery_thumbnails_are_svg_files(site_dir):
    page = site_dir / "demos" / "index.html"
    images = [n for n in by_class(elements(page), "cs231n-gallery-card")]
    srcs = re.findall(r'<img src="([^"]+)"', page.read_text(encoding="utf-8"))
    assert len(srcs) == len(images)
    for src in srcs:
        path, _ = target_file(site_dir, page, src)
        root = ET.fromstring(path.read_text(encoding="utf-8"))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_gallery_placements_come_from_the_notes_front_matter(tmp_path):
    (tmp_path / "lecture-04.md").write_text("---\nlecture: 4\ndemos:\n  knn: 2\n  optim: end\n---\nx\n",
                                            encoding="utf-8")
    (tmp_path / "lecture-09.md").write_text("---\ndemos:\n  knn: 1\n---\n", encoding="utf-8")
    assert study_gallery.placements(tmp_path) == {"knn": 4, "optim": 4}


def test_gallery_survives_a_broken_demo_with_a_warning(tmp_path):
    summaries = {"widgets": {"w": {"title": "T", "description": "첫 문장입니다. 둘째 문장.", "svg": None,
                                   "error": "ValueError: boom"}}, "error": None}
    gallery = study_gallery.collect(tmp_path, tmp_path, summaries)
    assert [i.description for i in gallery.items] == ["첫 문장입니다."]
    assert any("boom" in w for w in gallery.warnings)
    ET.fromstring(gallery.items[0].svg)


def test_gallery_warns_of_each_placed_id_no_module_declares(tmp_path):
    (tmp_path / "lecture-03.md").write_text("---\ndemos:\n  knn: 1\n  foo: 2\n---\n", encoding="utf-8")
    (tmp_path / "lecture-07.md").write_text("---\ndemos:\n  foo: end\n---\n", encoding="utf-8")
    widget = {"title": "T", "description": "", "svg": None, "error": None}
    gallery = study_gallery.collect(tmp_path, tmp_path, {"widgets": {"knn": widget, "optim": widget},
                                                         "error": None})
    note = tmp_path.name
    assert gallery.warnings == [
        f"{note}/lecture-{n}.md: demos: 'foo'는 어느 demos 모듈의 WIDGETS도 선언하지 않은 위젯 id입니다 "
        "(not a declared widget; 선언된 id: knn, optim)." for n in ("03", "07")]
    # Without the list of declared widgets (a broken demos module) only that error is reported.
    broken = study_gallery.collect(tmp_path, tmp_path, {"widgets": {}, "error": "ImportError: x"})
    assert broken.warnings == ["데모 모음: 데모 목록을 읽을 수 없습니다: ImportError: x"]


# ---------------------------------------------------------------------------------------------
# Thumbnails.
# ---------------------------------------------------------------------------------------------

def decode_png(data: bytes) -> list[list[tuple[int, int, int, int]]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        length, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height = size
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    rows = []
    for y in range(height):
        line = raw[y * stride:(y + 1) * stride]
        assert line[0] == 0  # no filter
        rows.append([tuple(line[1 + 4 * x:5 + 4 * x]) for x in range(width)])
    return rows


def test_png_writer_round_trips_pixels():
    pixels = [[(255, 0, 0, 1.0), (0, 255, 0, 0.5)], [(0, 0, 255, 0.0), (10, 20, 30, 1.0)]]
    assert decode_png(study_thumbs.png_rgba(pixels)) == [[(255, 0, 0, 255), (0, 255, 0, 128)],
                                                         [(0, 0, 255, 0), (10, 20, 30, 255)]]


@pytest.mark.parametrize("text, rgba", [
    ("#ff8000", (255, 128, 0, 1.0)), ("#F80", (255, 136, 0, 1.0)),
    ("rgb(1, 2, 3)", (1, 2, 3, 1.0)), ("rgba(10,20,30,0.25)", (10, 20, 30, 0.25)),
    ("red", None), (None, None), ("#12345", None),
])
def test_parse_color(text, rgba):
    assert study_thumbs.parse_color(text) == rgba


def test_colorscale_interpolates_between_stops():
    scale = [[0, "#000000"], [1, "#ffffff"]]
    assert study_thumbs.colorscale_at(scale, 0)[:3] == (0, 0, 0)
    assert study_thumbs.colorscale_at(scale, 1)[:3] == (255, 255, 255)
    assert study_thumbs.colorscale_at(scale, 0.5)[:3] == (128, 128, 128)
    assert study_thumbs.colorscale_at(scale, 7)[:3] == (255, 255, 255)


def test_scatter_thumbnail_maps_data_to_the_box():
    W, H, P = study_thumbs.WIDTH, study_thumbs.HEIGHT, study_thumbs.PAD
    svg = study_thumbs.figure_svg({"data": [{"type": "scatter", "mode": "markers", "x": [0, 10, 5],
                                             "y": [0, 4, 2], "marker": {"color": "#ff0000"}}]})
    circles = ET.fromstring(svg).findall("{http://www.w3.org/2000/svg}g/{http://www.w3.org/2000/svg}circle")
    centres = [(float(c.get("cx")), float(c.get("cy"))) for c in circles]
    assert centres == [(P, H - P), (W - P, P), ((W) / 2, H / 2)]
    assert {c.get("fill") for c in circles} == {"#ff0000"}


def test_heatmap_thumbnail_rows_follow_the_y_axis():
    figure = {"data": [{"type": "heatmap", "z": [[0, 0], [1, 1]],
                        "colorscale": [[0, "#000000"], [1, "#ffffff"]]}]}
    png = re.search(r'base64,([^"]+)"', study_thumbs.figure_svg(figure)).group(1)
    import base64
    rows = decode_png(base64.b64decode(png))
    assert rows[0][0][:3] == (255, 255, 255)  # z row 1 is at the top (y increases upwards)
    assert rows[1][0][:3] == (0, 0, 0)
    figure["layout"] = {"yaxis": {"autorange": "reversed"}}
    png = re.search(r'base64,([^"]+)"', study_thumbs.figure_svg(figure)).group(1)
    assert decode_png(base64.b64decode(png))[0][0][:3] == (0, 0, 0)


def test_heatmap_thumbnail_cells_stay_sharp_unless_the_trace_smooths():
    figure = {"data": [{"type": "heatmap", "z": [[0, 1], [1, 0]]}]}
    assert 'style="image-rendering: pixelated"' in study_thumbs.figure_svg(figure)
    figure["data"][0]["zsmooth"] = "best"
    assert "image-rendering" not in study_thumbs.figure_svg(figure)


def test_layout_images_on_the_axes_are_drawn_under_the_traces():
    W, H, P = study_thumbs.WIDTH, study_thumbs.HEIGHT, study_thumbs.PAD
    source = "data:image/png;base64,iVBORw0KGgo="
    layout = {"images": [{"source": source, "xref": "x", "yref": "y", "x": 0, "y": 4,
                          "sizex": 10, "sizey": 4, "opacity": 0.5},
                         {"source": source, "xref": "paper", "yref": "paper", "x": 0, "y": 1,
                          "sizex": 1, "sizey": 1}]}           # not on the axes: left out
    svg = study_thumbs.figure_svg({"data": [], "layout": layout})
    ns = "{http://www.w3.org/2000/svg}"
    images = ET.fromstring(svg).findall(f"{ns}image")
    assert len(images) == 1 and images[0].get("href") == source
    box = [float(images[0].get(k)) for k in ("x", "y", "width", "height")]
    assert box == [P, P, W - 2 * P, H - 2 * P] and images[0].get("opacity") == "0.5"
    with_point = study_thumbs.figure_svg({"data": [{"type": "scatter", "x": [5], "y": [2]}],
                                          "layout": layout})
    assert with_point.index("<image") < with_point.index("<circle")


def test_nothing_drawable_gives_none():
    assert study_thumbs.figure_svg({"data": [{"type": "pie", "values": [1, 2]}]}) is None


def test_layout_image_on_the_primary_axes_is_embedded_where_it_lies():
    """A demo's decision regions are a layout image (demos.raster): the thumbnail shows them."""
    from demos import raster
    W, H, P = study_thumbs.WIDTH, study_thumbs.HEIGHT, study_thumbs.PAD
    image = raster.category_image(np.array([[0, 1], [1, 0]]), ["#ff0000", "#0000ff"], (0, 10), (0, 4))
    figure = {"data": [{"type": "scatter", "mode": "markers", "x": [0, 10], "y": [0, 4]}],
              "layout": {"images": [image, {**image, "xref": "x2"}]}}
    drawn = ET.fromstring(study_thumbs.figure_svg(figure)).findall("{http://www.w3.org/2000/svg}image")
    assert len(drawn) == 1                                   # the one on other axes is left out
    box = [float(drawn[0].get(k)) for k in ("x", "y", "width", "height")]
    assert box == pytest.approx([P, P, W - 2 * P, H - 2 * P], abs=0.06)
    assert drawn[0].get("href") == image["source"]


def test_nearly_transparent_markers_are_outlined_and_opaque_ones_are_not():
    def circles(fill):
        figure = {"data": [{"type": "scatter", "mode": "markers", "x": [0, 1], "y": [0, 1],
                            "marker": {"color": fill, "line": {"color": ["#ff0000", "#00ff00"]}}}]}
        return ET.fromstring(study_thumbs.figure_svg(figure)).findall(
            "{http://www.w3.org/2000/svg}g/{http://www.w3.org/2000/svg}circle")
    assert [c.get("stroke") for c in circles("rgba(128,128,128,0.12)")] == ["#ff0000", "#00ff00"]
    assert [c.get("stroke") for c in circles("#808080")] == [None, None]
