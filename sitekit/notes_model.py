"""Reading the author's notes: front matter, sections, lectures, questions and roadmap progress.

One parser shared by the site hook (``hooks/notes.py``), the import (``sitekit.notes_import``) and
any page built from ``notes/`` (e.g. a question index). Everything here works on Markdown *text*
as the author wrote it (GitHub-flavoured); nothing renders HTML.

A notes file is::

    ---
    <YAML front matter owned by the import, plus keys others add: demos:, extra:, ...>
    ---
    <the author's text, byte for byte as in their README>

The public API::

    split_front_matter(text) -> (front_matter_text, body)
    read_meta(front_matter_text) -> dict
    sections(markdown) -> (preamble, [Section(level, title, body, line)])
    parse_lecture(markdown) -> Lecture
    questions(lecture_markdown, lecture=None) -> [Question(number, title, question, answer_markdown, anchor)]
    roadmap_progress(markdown) -> [WeekProgress(title, done, total)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import yaml

__all__ = [
    "COURSE_TITLES", "LECTURE_COUNT", "Section", "Question", "Lecture", "WeekProgress",
    "split_front_matter", "read_meta", "sections", "strip_trailer", "parse_lecture", "questions",
    "roadmap_progress", "is_blank_markdown", "lecture_number_of", "Part", "question_sections",
    "heading_of", "heading_lines",
]

LECTURE_COUNT = 18

# Stanford CS231n, spring 2025 course plan: lecture number -> English title.
COURSE_TITLES: dict[int, str] = {
    1: "Introduction",
    2: "Image Classification with Linear Classifiers",
    3: "Regularization and Optimization",
    4: "Neural Networks and Backpropagation",
    5: "Image Classification with CNNs",
    6: "CNN Architectures",
    7: "Recurrent Neural Networks",
    8: "Attention and Transformers",
    9: "Object Detection, Image Segmentation, Visualizing and Understanding",
    10: "Video Understanding",
    11: "Large Scale Distributed Training",
    12: "Self-Supervised Learning",
    13: "Generative Models 1",
    14: "Generative Models 2",
    15: "3D Vision",
    16: "Vision and Language",
    17: "Robot Learning",
    18: "Human-Centered AI",
}

FENCE = "---"

# CommonMark ATX heading: up to 3 spaces, 1-6 '#', then a space/tab or the end of the line.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)(.*?)$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_CODE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_THEMATIC_BREAK = re.compile(r"^ {0,3}((?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_LECTURE_HEADING = re.compile(r"^\s*Lecture\s+(\d+)\s*(?:[:.\-–]\s*(.*))?$", re.IGNORECASE)
_QUESTION_NUMBER = re.compile(r"^\s*(\d+)[.)]?(?:\s+|$)(.*)$")
_Q_PREFIX = re.compile(r"^\s*\*\*Q\.?\*\*\s?|^\s*Q\.\s?")
_A_PREFIX = re.compile(r"^\s*\*\*A\.?\*\*\s?|^\s*A\.\s?")
_KEYWORDS = re.compile(r"^\s{0,3}>\s*\*\*Main Keywords:?\*\*:?[ \t]*(.*)$", re.IGNORECASE | re.MULTILINE)
_TASK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\](?:\s|$)")
_QA_TITLE = re.compile(r"의문|질문|Q\s*&\s*A", re.IGNORECASE)
_LEARNED_TITLE = re.compile(r"배운\s*점")


# ---------------------------------------------------------------------------------------------
# Front matter.
# ---------------------------------------------------------------------------------------------

def split_front_matter(text: str) -> tuple[str, str]:
    """``'---\\n<yaml>---\\n<body>'`` -> ``('<yaml>', '<body>')``; no front matter -> ``('', text)``.

    The body is returned byte for byte (line endings kept). The front matter is the text between
    the first line (exactly ``---``) and the next line that is exactly ``---``.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != FENCE:
        return "", text
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") == FENCE:
            return "".join(lines[1:i]), "".join(lines[i + 1:])
    raise ValueError("머리말(front matter)이 '---' 줄로 닫히지 않았습니다.")


def read_meta(front_matter: str) -> dict:
    """YAML front matter text -> dict (empty text -> ``{}``); anything but a mapping is an error."""
    try:
        meta = yaml.safe_load(front_matter) if front_matter.strip() else {}
    except yaml.YAMLError as error:
        raise ValueError(f"머리말(front matter)의 YAML을 읽을 수 없습니다: {error}") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise ValueError("머리말(front matter)은 'key: value' 형식의 YAML 매핑이어야 합니다.")
    return meta


# ---------------------------------------------------------------------------------------------
# Sections (ATX headings outside fenced code).
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    """One ATX heading and the Markdown up to the next heading of any level.

    ``level`` is 1-6, ``title`` the heading's inline Markdown (closing '#'s and spaces stripped),
    ``body`` the text after the heading line (line endings kept), ``line`` the 0-based line index.
    """
    level: int
    title: str
    body: str
    line: int
    heading_line: str = ""

    @property
    def text(self) -> str:
        """The heading line and the body, exactly as written."""
        return self.heading_line + self.body


def heading_of(line: str) -> tuple[int, str] | None:
    """``'### Lecture 2: X'`` -> ``(3, 'Lecture 2: X')``; not an ATX heading -> None."""
    match = _HEADING.match(line.rstrip("\r\n"))
    if not match:
        return None
    title = _CLOSING_HASHES.sub("", match.group(2)).strip()
    return len(match.group(1)), title


def heading_lines(lines: list[str]) -> list[int]:
    """Indices of heading lines, skipping fenced code blocks."""
    found, fence = [], None
    for i, line in enumerate(lines):
        opener = _CODE_FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence) \
                    and not line.strip().lstrip(fence[0]):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            continue
        if heading_of(line) is not None:
            found.append(i)
    return found


def sections(markdown: str) -> tuple[str, list[Section]]:
    """Split Markdown at its headings -> ``(text before the first heading, [Section, ...])``.

    Joining ``preamble + heading line + body`` over all sections gives back ``markdown`` exactly.
    """
    lines = markdown.splitlines(keepends=True)
    starts = heading_lines(lines)
    if not starts:
        return markdown, []
    preamble = "".join(lines[:starts[0]])
    out = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        level, title = heading_of(lines[start])
        out.append(Section(level, title, "".join(lines[start + 1:end]), start, lines[start]))
    return preamble, out


def strip_trailer(markdown: str) -> tuple[str, str]:
    """Split off the README's section separator: a final thematic break (``---``) and blank lines.

    -> ``(content, trailer)`` with ``content + trailer == markdown``.
    """
    lines = markdown.splitlines(keepends=True)
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if end and _THEMATIC_BREAK.match(lines[end - 1].rstrip("\r\n")):
        end -= 1
        while end and not lines[end - 1].strip():
            end -= 1
    else:
        end = len(lines)
    return "".join(lines[:end]), "".join(lines[end:])


def is_blank_markdown(markdown: str) -> bool:
    """True when Markdown carries no words: only list markers, headings like ``##### 1.``,
    ``Q.``/``A.`` labels, an empty ``Main Keywords:`` line, quote markers, rules... (the author's
    empty section template)."""
    for line in markdown.splitlines():
        rest = line
        while True:  # peel quote, heading and list markers off the start of the line
            peeled = re.sub(r"^\s*(?:>|#{1,6}(?=\s|$)|[-*+](?=\s|$)|\d+[.)](?=\s|$))", "", rest)
            if peeled == rest:
                break
            rest = peeled
        rest = re.sub(r"\*\*(?:Q|A)\.?\*\*|\*\*Main Keywords:?\*\*:?", "", rest, flags=re.I)
        if re.sub(r"[\s*_`~\-=#|>]+", "", rest):
            return False
    return True


# ---------------------------------------------------------------------------------------------
# Lectures and questions.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    """One ``##### N. title`` + ``**Q.** ...`` + ``> **A.** ...`` block of a lecture's notes.

    ``number`` is the author's N (or the 1-based position when the heading has none), ``title``
    the heading text without the number, ``question`` the Markdown after ``**Q.**``,
    ``answer_markdown`` the quoted answer with the ``>`` markers and ``**A.**`` removed, and
    ``anchor`` the page anchor ``q-<lecture>-<number>`` (e.g. ``q-2-3``).
    """
    number: int
    title: str
    question: str
    answer_markdown: str
    anchor: str
    lecture: int = 0
    heading: str = ""          # the full heading text, e.g. "3. Softmax Loss vs SVM Loss"
    body: str = ""             # the Markdown under the heading (Q paragraph + quoted answer)
    question_markdown: str = ""  # the Q paragraph as written, "**Q.** ..." included
    rest_markdown: str = ""      # what follows the Q paragraph, as written (the "> **A.**" quote)

    @property
    def url_fragment(self) -> str:
        return "#" + self.anchor


@dataclass(frozen=True)
class Lecture:
    """A lecture's notes split the author's way.

    ``intro`` is the Markdown between the lecture heading and its first sub-heading (the
    ``> **Main Keywords:**`` quote); ``parts`` are the sub-sections in order (``배운 점``, the Q&A
    heading, anything else), each with its own child sections; ``trailer`` is the separator
    (``---`` and blank lines) the README put after the lecture.
    """
    number: int | None
    heading: str | None
    heading_level: int
    intro: str
    keywords: list[str] | None
    parts: list["Part"]
    questions: list[Question]
    trailer: str
    preamble: str = ""


@dataclass(frozen=True)
class Part:
    """A sub-section of a lecture; ``kind`` is ``"learned"`` (배운 점), ``"qa"`` (questions) or
    ``"other"``; ``children`` are the deeper sections under it (the questions of a ``"qa"`` part)."""
    kind: str
    section: Section
    children: list[Section] = field(default_factory=list)


def lecture_number_of(heading: str) -> int | None:
    """``'Lecture 12: Self-Supervised Learning'`` -> 12; anything else -> None."""
    match = _LECTURE_HEADING.match(heading)
    return int(match.group(1)) if match else None


def _split_question_body(body: str) -> tuple[str, str]:
    """A question body -> (the ``**Q.**`` paragraph, the rest), both as written.

    The paragraph ends at a blank line or where a block starts (a ``>`` quote, a list, a heading).
    """
    lines = body.splitlines(keepends=True)
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or not _Q_PREFIX.match(lines[i]):
        return "", body
    j = i + 1
    while j < len(lines) and lines[j].strip() and not re.match(r"^ {0,3}(?:>|[-*+]\s|\d+[.)]\s|#)",
                                                              lines[j]):
        j += 1
    return "".join(lines[:j]), "".join(lines[j:])


def _unquote(markdown: str) -> str:
    """Remove one level of blockquote markers (``>`` and one optional space) from each line."""
    return "".join(re.sub(r"^ {0,3}> ?", "", line, count=1) for line in markdown.splitlines(True))


def _question(section: Section, position: int, lecture: int) -> Question | None:
    heading = section.title
    match = _QUESTION_NUMBER.match(heading)
    number, title = (int(match.group(1)), match.group(2).strip()) if match else (position, heading)
    question_md, rest = _split_question_body(section.body)
    question = _Q_PREFIX.sub("", question_md.strip(), count=1).strip()
    rest_stripped = rest.strip()
    answer = _unquote(rest_stripped) if rest_stripped.startswith(">") else rest_stripped
    answer = _A_PREFIX.sub("", answer.strip(), count=1).strip()
    if not title and not question and not answer:
        return None  # the author's empty template: "##### 1." / "**Q.**" / "> **A.**"
    return Question(number=number, title=title, question=question, answer_markdown=answer,
                    anchor=f"q-{lecture}-{number}", lecture=lecture, heading=heading,
                    body=section.body, question_markdown=question_md, rest_markdown=rest)


def _dedupe_anchors(found: list[Question]) -> list[Question]:
    """Two questions with the same number (an author's typo) get ``q-2-3`` and ``q-2-3-2``."""
    seen: dict[str, int] = {}
    out = []
    for q in found:
        count = seen.get(q.anchor, 0) + 1
        seen[q.anchor] = count
        if count > 1:
            q = replace(q, anchor=f"{q.anchor}-{count}")
        out.append(q)
    return out


def question_sections(part: Part) -> list[Section]:
    """The questions of a Q&A part: its child headings one level down, each with any deeper
    headings folded into its body (so a question's text stays whole)."""
    out: list[Section] = []
    for child in part.children:
        if out and child.level > part.section.level + 1:
            last = out[-1]
            out[-1] = replace(last, body=last.body + child.text)
        else:
            out.append(child)
    return out


def _classify(title: str) -> str:
    if _QA_TITLE.search(title):
        return "qa"
    if _LEARNED_TITLE.search(title):
        return "learned"
    return "other"


def parse_lecture(markdown: str, lecture: int | None = None) -> Lecture:
    """Split one lecture's notes (with or without front matter) the author's way.

    The first heading is the lecture heading (``### Lecture N: title``); headings one level deeper
    are its parts; deeper headings belong to the part above them. ``lecture`` overrides the number.
    """
    front, body = split_front_matter(markdown)
    if lecture is None and front:
        value = read_meta(front).get("lecture")
        lecture = value if isinstance(value, int) else None
    content, trailer = strip_trailer(body)
    preamble, found = sections(content)
    if not found:
        return Lecture(lecture, None, 0, "", None, [], [], trailer, preamble)
    if lecture_number_of(found[0].title) is None:
        # No "Lecture N" heading: every section is a part, one level below an imaginary heading.
        top = min(s.level for s in found)
        head = Section(top - 1, "", preamble, -1)
        rest, preamble = found, ""
    else:
        head, rest = found[0], found[1:]
    number = lecture if lecture is not None else lecture_number_of(head.title)
    keywords_match = _KEYWORDS.search(head.body)
    keywords = None
    if keywords_match:
        keywords = [k.strip() for k in keywords_match.group(1).split(",") if k.strip()]
    parts: list[Part] = []
    for s in rest:
        if parts and s.level > parts[-1].section.level:
            parts[-1].children.append(s)
        else:
            parts.append(Part(_classify(s.title), s))
    qs = []
    for part in parts:
        if part.kind == "qa":
            for position, child in enumerate(question_sections(part), start=1):
                q = _question(child, position, number or 0)
                if q is not None:
                    qs.append(q)
    return Lecture(number, head.title or None, head.level, head.body, keywords, parts,
                   _dedupe_anchors(qs), trailer, preamble)


def questions(lecture_markdown: str, lecture: int | None = None) -> list[Question]:
    """The questions of one lecture's notes, in order, empty templates skipped.

    ``lecture_markdown`` is a notes file (front matter optional) or the author's lecture text.
    The lecture number comes from ``lecture``, else the front matter ``lecture:``, else the
    ``Lecture N:`` heading; it is needed for the anchors ``q-<lecture>-<n>``.
    """
    parsed = parse_lecture(lecture_markdown, lecture)
    if parsed.questions and parsed.number is None:
        raise ValueError("강의 번호를 알 수 없습니다: 'Lecture N:' 제목이나 머리말의 "
                         "'lecture:' 값, 또는 lecture 인자를 주세요.")
    return parsed.questions


# ---------------------------------------------------------------------------------------------
# Roadmap progress.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WeekProgress:
    """Check boxes under one heading of the roadmap: ``done`` of ``total`` ticked."""
    title: str
    done: int
    total: int
    anchor_line: int = 0


def roadmap_progress(markdown: str) -> list[WeekProgress]:
    """Task-list items (``- [x]`` / ``- [ ]``) counted per heading, headings without tasks skipped."""
    _, found = sections(markdown)
    weeks = []
    for s in found:
        ticks = [m.group(1) for m in map(_TASK.match, s.body.splitlines()) if m]
        if ticks:
            done = sum(1 for t in ticks if t in "xX")
            weeks.append(WeekProgress(s.title, done, len(ticks), s.line))
    return weeks
