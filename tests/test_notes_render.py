"""The notes parser (sitekit.notes_model) and the page renderer (sitekit.notes_render), unit by unit.

References: the README as read by a person (question titles, check-box counts written out below),
cmark-gfm called directly, and Python-Markdown called directly.
"""

from __future__ import annotations

import re
from pathlib import Path

import cmarkgfm
import markdown as python_markdown
import pytest
from cmarkgfm.cmark import Options

from sitekit import notes_model as model
from sitekit import notes_render as render

ROOT = Path(__file__).resolve().parents[1]
README = ROOT.parent / "shared" / "notes-source" / "README.md"


def readme_section(start: str, end: str | None) -> str:
    text = README.read_text(encoding="utf-8")
    i = text.index(start)
    return text[i:text.index(end, i)] if end else text[i:]


LECTURE_2 = readme_section("### Lecture 2:", "### Lecture 3:")
LECTURE_5 = readme_section("### Lecture 5:", "### Lecture 6:")
LECTURE_7 = readme_section("### Lecture 7:", "### Lecture 8:")
ROADMAP = readme_section("## 주차별 진행 상황", "## Daily Log")


# ---------------------------------------------------------------------------------------------
# notes_model.questions: the API the Q&A index uses.
# ---------------------------------------------------------------------------------------------

def test_questions_of_lecture_2():
    qs = model.questions(LECTURE_2)
    assert [(q.number, q.title, q.anchor) for q in qs] == [
        (1, "K-NN의 공간 문제", "q-2-1"),
        (2, "KL Divergence와 Cross Entropy", "q-2-2"),
        (3, "Softmax Loss vs SVM Loss (정확도 측면)", "q-2-3"),
    ]
    assert qs[0].question == ('수업 중, "K-NN의 방식에선 빈 공간이 많으면 의미가 없다"라는 말에 '
                              '대한 의문')
    assert qs[0].answer_markdown == "우리가 판단하려는 공간을 충분히 채울 만큼의 다양한 sample을 확보해야 함."
    assert qs[2].answer_markdown.splitlines() == [
        "- **SVM:** 특정 조건만 만족한다면 더 이상 그 부분의 성능 향상을 요구하지 않음.",
        "- **Softmax:** 아무리 classify가 성공했더라도 계속해서 loss를 발생시키기에, "
        "더욱 확실하게 분류하도록(좋은 성능을 내게) 유도함.",
    ]
    assert "---" not in qs[2].answer_markdown  # the README's separator is not part of the answer


def test_questions_keep_typos_and_take_the_number_from_front_matter():
    notes = ("---\nlecture: 4\n---\n### Lecture 4: X\n#### 내가 가진 의문 & 답변\n"
             "##### 1. Neural Network의 크기\n**Q.** ppt에선 regularier로\n> **A.** 답\n")
    (q,) = model.questions(notes)
    assert q.anchor == "q-4-1" and q.question == "ppt에선 regularier로" and q.answer_markdown == "답"


def test_empty_template_has_no_questions_and_unknown_lecture_is_an_error():
    assert model.questions(LECTURE_7) == []
    with pytest.raises(ValueError, match="강의 번호"):
        model.questions("#### 의문\n##### 1. 제목\n**Q.** 질문\n> **A.** 답\n")
    qs = model.questions("#### 의문\n##### 1. 제목\n**Q.** 질문\n> **A.** 답\n", lecture=9)
    assert [q.anchor for q in qs] == ["q-9-1"]


def test_duplicate_numbers_get_distinct_anchors():
    text = ("### Lecture 3: X\n#### 내가 가진 의문 & 답변\n##### 2. a\n**Q.** x\n> **A.** y\n"
            "##### 2. b\n**Q.** x\n> **A.** y\n##### c\n**Q.** x\n> **A.** y\n")
    assert [q.anchor for q in model.questions(text)] == ["q-3-2", "q-3-2-2", "q-3-3"]


def test_parse_lecture_parts_and_keywords():
    lecture = model.parse_lecture(LECTURE_5)
    assert lecture.number == 5 and lecture.heading == "Lecture 5: Image Classification with CNNs"
    assert lecture.keywords == ["Image features", "Convolution Layer", "Padding", "Stride",
                                "Pooling Layer", "Translation Equivariance"]
    assert [p.kind for p in lecture.parts] == ["learned", "qa"]
    assert lecture.trailer.strip() == "---"  # the README's separator, kept apart
    assert model.parse_lecture(LECTURE_7).keywords == []
    assert model.parse_lecture(readme_section("### Lecture 1:", "### Lecture 2:")).keywords is None


def test_roadmap_progress_matches_the_check_boxes():
    # Counted by hand in the README: week 1: 2 of 2, week 2: 2 of 2, week 3: 3 of 4, week 4: 0 of 3.
    weeks = model.roadmap_progress(ROADMAP)
    assert [(w.title, w.done, w.total) for w in weeks] == [
        ("1주차 (완료)", 2, 2), ("2주차 (완료)", 2, 2), ("3주차 (진행 중)", 3, 4),
        ("4주차 (예정)", 0, 3)]


def test_sections_roundtrip_and_skip_fenced_code():
    text = "intro\n# A\nx\n```\n# not a heading\n```\n## B ##\ny"
    preamble, found = model.sections(text)
    assert [(s.level, s.title) for s in found] == [(1, "A"), (2, "B")]
    assert preamble + "".join(s.text for s in found) == text


@pytest.mark.parametrize("text, blank", [
    ("1. \n   -\n", True), ("**Q.** \n> **A.** \n", True), ("> **Main Keywords:** \n", True),
    ("", True), ("1. 내용\n", False), ("> **A.** 답\n", False), ("- x\n", False),
])
def test_is_blank_markdown(text, blank):
    assert model.is_blank_markdown(text) is blank


def test_front_matter_split():
    assert model.split_front_matter("---\na: 1\n---\nbody\n---\n") == ("a: 1\n", "body\n---\n")
    assert model.split_front_matter("no front matter\n") == ("", "no front matter\n")
    with pytest.raises(ValueError, match="닫히지"):
        model.split_front_matter("---\na: 1\n")
    with pytest.raises(ValueError, match="매핑"):
        model.read_meta("- a\n- b\n")


# ---------------------------------------------------------------------------------------------
# Rendering the author's text like GitHub.
# ---------------------------------------------------------------------------------------------

def cmark(text: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


@pytest.mark.parametrize("text", [
    "1. **SGD에 대해**\n   - x -= learning_rate * dx\n   - vx = rho * vx + dx, x -= learning_rate * vx\n",
    "- max(0, s_j - s_{y_i} + 1)\n- sqrt(2/D_in)\n- 1 + 2 * L x 1 + 2 * L\n",
    "7. **Pooling**\n   - a\n 8. **Translation**\n   - b\n",
    "3. **Activation**\n   **Sigmoid**\n      - 값을\n      - 문제\n   **ReLU**\n      - c\n",
])
def test_gfm_is_cmark_gfm(text):
    assert render.gfm(text) == cmark(text)


def test_gfm_keeps_underscores_and_asterisks_literal_and_lists_nested():
    html = render.gfm("1. **a**\n   - x -= learning_rate * dx\n   - s_{y_i}\n")
    assert "<em>" not in html and "learning_rate * dx" in html and "s_{y_i}" in html
    assert html.index("<ol>") < html.index("<ul>") < html.index("</ul>") < html.index("</ol>")
    # What Python-Markdown would do instead (the reason for cmark-gfm): the sub-list is flattened.
    flat = python_markdown.markdown("1. **a**\n   - x\n   - y\n")
    assert "<ul>" not in flat


def test_gfm_math_goes_to_katex_untouched():
    html = render.gfm("손실 $L_i = \\sum_{j \\ne y_i} \\max(0, s_j - s_{y_i} + 1)$ 와 `$x$` 와 $5, $10\n")
    assert ('<span class="arithmatex">\\(L_i = \\sum_{j \\ne y_i} \\max(0, s_j - s_{y_i} + 1)\\)'
            '</span>') in html
    assert "<code>$x$</code>" in html and "$5, $10" in html
    assert '<span class="arithmatex">\\[a_1 * b_2\\]</span>' in render.gfm("$$a_1 * b_2$$\n")


def test_task_lists_use_materials_markup_and_empty_bullets_go():
    html = render.gfm("- [x] 강의 1강\n- [ ] 강의 2강\n- 핵심\n-\n")
    assert html.count('class="task-list-item"') == 2
    assert html.count("checked") == 1
    assert "<li></li>" not in html and "<li>핵심</li>" in html


def test_heading_markdown_shows_githubs_text_in_python_markdown():
    for title in ["내가 가진 의문 & 답변 (AI 활용)", "s_{y_i} * x_j [1] C# $5", "3. **굵게** 제목"]:
        expected = render.plain_text(cmark("## " + title))
        got = python_markdown.markdown(render.heading_markdown(title, 2),
                                       extensions=["attr_list", "pymdownx.arithmatex"])
        assert render.plain_text(got) == expected
        assert "arithmatex" not in got


# ---------------------------------------------------------------------------------------------
# Lecture pages: Q&A blocks, empty sections, demo boxes, extra.
# ---------------------------------------------------------------------------------------------

def page_html(page: render.RenderedPage) -> str:
    body = page.markdown.split("---\n", 2)[2]
    html = python_markdown.markdown(
        body, extensions=["admonition", "attr_list", "md_in_html", "pymdownx.arithmatex"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}})
    return render.fill_chunks(html, page.chunks)


def notes_file(body: str, front: str = "") -> str:
    return f"---\nlecture: 5\n{front}---\n{body}"


def test_question_blocks_are_details_with_stable_anchors():
    page = render.render_lecture(notes_file(LECTURE_2.replace("Lecture 2", "Lecture 5")), 5)
    html = page_html(page)
    for n in (1, 2, 3):
        assert f'<details class="cs231n-qa question" id="q-5-{n}">' in html
    assert html.count("<details") == 3 and html.count("<summary>") == 3
    assert page.toc["qa"][1] == ("2. KL Divergence와 Cross Entropy", "q-5-2")
    start = html.index('id="q-5-3"')
    block = html[start:html.index("</details>", start)]
    summary, answer = block.split("</summary>")
    assert "Softmax Loss vs SVM Loss (정확도 측면)" in summary and "<strong>Q.</strong>" in summary
    assert "<strong>A.</strong>" in answer and "<blockquote>" in answer


def test_empty_sections_say_not_written_and_show_no_bare_labels():
    page = render.render_lecture(notes_file(LECTURE_7.replace("Lecture 7", "Lecture 5")), 5,
                                 overview="개요 **본문** $x^2$")
    html = page_html(page)
    assert html.count(render.EMPTY_TEXT) == 3  # Main Keywords, 배운 점, 의문 & 답변
    assert "<strong>Q.</strong>" not in html and "<strong>A.</strong>" not in html
    assert "<details" not in html
    assert 'class="admonition abstract cs231n-site cs231n-overview"' in html
    assert "강의 개요" in html and "<strong>본문</strong>" in html
    assert '<span class="arithmatex">\\(x^2\\)</span>' in html


def test_lecture_without_notes_gets_the_template_sections():
    page = render.render_lecture("---\nlecture: 12\nsource: null\n---\n", 12, overview="개요")
    html = page_html(page)
    assert '<h1 class="cs231n-site" id="lecture-12-self-supervised-learning">' in html or \
        'class="cs231n-site"' in html.split("</h1>")[0]
    assert "Lecture 12: Self-Supervised Learning" in html
    assert html.count(render.EMPTY_TEXT) == 2 and "강의 개요" in html


def test_overview_only_when_the_author_has_no_notes():
    page = render.render_lecture(notes_file(LECTURE_5), 5, overview="개요 문장")
    assert "개요 문장" not in page.markdown


DEMO_FRONT = "demos:\n  conv-layer: 4\n  conv-stack: end\n  too-far: 12\nextra: |\n  보충 **설명**\n"


def test_demo_boxes_go_inside_the_item_and_at_the_end():
    page = render.render_lecture(notes_file(LECTURE_5, DEMO_FRONT), 5)
    html = page_html(page)
    assert html.count('<div class="cs231n-demo" data-demo=') == 3
    assert '<div class="cs231n-demo" data-demo="conv-layer" data-state="idle"></div>' in html
    # conv-layer: inside item 4 ("Convolution Layer에 대해"), after its sub-list, before item 5.
    item4 = html.index("<strong>Convolution Layer에 대해</strong>")
    item5 = html.index("<strong>Padding에 대해</strong>")
    demo = html.index('data-demo="conv-layer"')
    assert item4 < demo < item5
    between = html[item4:demo]
    assert between.count("<ul>") == between.count("</ul>") == 1 and "</li>\n<li>" not in \
        between.split("</ul>")[-1]
    # The list keeps one <ol> and its numbering: item 5 still follows item 4 in the same list.
    learned = html[html.index('id="learned"'):html.index('id="qa"')]
    assert learned.count("<ol>") == 1 and "start=" not in learned
    # end / out of range: after the list; a warning names the missing item.
    assert html.index('data-demo="conv-stack"') > learned.index("</ol>") + html.index('id="learned"')
    assert any("too-far" in w and "12번" in w for w in page.warnings)
    assert html.count(render.DEMO_BOX_TITLE) == 3
    assert "cs231n-site cs231n-demo-box" in html
    # extra: rendered after the author's text in a site box.
    assert html.index("사이트 보충 자료") > html.index('id="qa"')
    assert "보충 <strong>설명</strong>" in html


@pytest.mark.parametrize("front, message", [
    ("demos: [a, b]\n", "형식"), ("demos:\n  Bad_ID: 2\n", "소문자"), ("demos:\n  ok: 0\n", "end"),
    ("extra: 3\n", "extra"),
])
def test_bad_front_matter_values_warn_in_korean(front, message):
    page = render.render_lecture(notes_file(LECTURE_5, front), 5)
    assert any(message in w for w in page.warnings)


def test_place_demos_counts_only_top_level_items_and_honours_start():
    html = cmark("3. a\n   1. x\n   2. y\n4. b\n")
    out, tail, warnings = render.place_demos(html, [("d", 4), ("e", 1)])
    assert out.index("<li>b") < out.index('data-demo="d"') < out.rindex("</ol>\n")
    assert out.index("<li>y</li>") < out.index("<li>b")
    assert 'data-demo="e"' in tail and warnings


OVERVIEW = ("요약 문단.\n\n- **하나**: 첫 항목\n- **둘**: 둘째 항목이\n  두 줄입니다.\n"
            "- **셋**: 셋째\n\n    같은 항목의 둘째 문단\n- **넷**: 넷째\n\n$$x^2$$\n\n끝 문단.\n")
LECTURE_8_TEMPLATE = (ROOT / "notes" / "lecture-08.md").read_text(encoding="utf-8") \
    .split("---\n", 2)[2]


def test_demos_sit_beside_overview_items_while_the_overview_is_shown():
    front = ("demos:\n  first: overview 2\n  second: overview 3\n  lost: overview 9\n"
             "  learned: end\n")
    page = render.render_lecture(notes_file(LECTURE_8_TEMPLATE, front), 8, overview=OVERVIEW)
    html = page_html(page)
    box = html[html.index("cs231n-overview"):html.index('id="learned"')]
    # after item 2 (its continuation line included), before item 3; after item 3's second
    # paragraph, before item 4; the item past the list's end after the overview's last paragraph
    assert box.index("두 줄입니다") < box.index('data-demo="first"') < box.index("<strong>셋</strong>")
    assert box.index("같은 항목의 둘째 문단") < box.index('data-demo="second"') \
        < box.index("<strong>넷</strong>")
    assert box.index("끝 문단") < box.index('data-demo="lost"')
    assert box.count("<li>") == 4 and '<div class="arithmatex">' in box     # nothing lost
    assert html.count(render.DEMO_BOX_TITLE) == 4
    assert html.index('data-demo="learned"') > html.index('id="learned"')  # 배운 점 is empty
    assert [w for w in page.warnings if "lost" in w and "9번" in w and "4개" in w]
    assert len(page.warnings) == 1


def test_overview_places_go_to_the_end_of_the_notes_once_the_author_writes_them():
    page = render.render_lecture(notes_file(LECTURE_5, "demos:\n  beside: overview 2\n"), 5,
                                 overview=OVERVIEW)
    html = page_html(page)
    learned = html[html.index('id="learned"'):html.index('id="qa"')]
    assert "요약 문단" not in html and not page.warnings
    assert learned.index("</ol>") < learned.index('data-demo="beside"')


@pytest.mark.parametrize("where", ["overview 0", "overview", "overview x", "overview -2"])
def test_bad_overview_places_warn(where):
    page = render.render_lecture(notes_file(LECTURE_5, f"demos:\n  d: {where}\n"), 5)
    assert any("overview 3" in w for w in page.warnings)


def test_top_level_items_skip_nested_lists_and_stop_at_the_list_end():
    lines = ["intro", "", "- a", "  - a.1", "- b", "", "  b, 2nd paragraph", "1. c", "", "text",
             "- later list"]
    assert render._top_level_items(lines) == [4, 7, 8]


def test_roadmap_page_shows_progress_and_checkboxes():
    notes = "---\npage: roadmap\n---\n# 제목\n\n" + ROADMAP
    page = render.render_roadmap(notes)
    html = page_html(page)
    assert "7 / 11 (64%)" in html  # overall: 7 of 11 boxes ticked
    assert "3 / 4 (75%)" in html and "0 / 3 (0%)" in html
    assert html.count('class="task-list-item"') == 11
    assert "<h1" in html and "주차별 진행 상황 (Roadmap)" in html.split("</h1>")[0]
    assert "제목" not in html  # the README title belongs to the home page


def test_home_overview_and_cards():
    overview = render.overview_html("---\npage: roadmap\n---\n# CS231n\n\n소개\n\n## 프로젝트 개요\n"
                                    "- **현재 상태**: 3주차\n\n" + ROADMAP)
    assert "<h3>CS231n</h3>" in overview and "<h4>프로젝트 개요</h4>" in overview
    assert "1주차" not in overview
    card = render.lecture_card(notes_file(LECTURE_2), 2, "lectures/lecture-02/", False)
    assert card.has_notes and card.question_count == 3
    empty = render.lecture_card("---\nlecture: 9\n---\n", 9, "x/", True)
    assert not empty.has_notes and empty.question_count == 0
    html = render.cards_html([card, empty])
    assert "질문 3개" in html and "강의 개요만" in html and 'href="lectures/lecture-02/"' in html


def test_a_second_qa_part_keeps_ids_unique():
    text = ("### Lecture 3: X\n#### 배운 점\n1. a\n#### 내가 가진 의문 & 답변\n##### 1. t\n**Q.** q\n"
            "> **A.** a\n#### 추가 질문\n##### 2. u\n**Q.** q\n> **A.** a\n")
    html = page_html(render.render_lecture(notes_file(text), 5))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert 'id="q-5-1"' in html and 'id="q-5-2"' in html
