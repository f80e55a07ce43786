"""The README import: lossless, idempotent, never clobbers an edit, keeps others' front-matter keys.

The reference for "lossless" is the README's own bytes: the test rebuilds it from the notes files
with its own small front-matter reader (not the module's), ordered by each file's ``source`` range.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from sitekit import notes_import
from sitekit.notes_model import split_front_matter

ROOT = Path(__file__).resolve().parents[1]
README = ROOT.parent / "shared" / "notes-source" / "README.md"
SOURCE = re.compile(r'^source: "README\.md#L(\d+)-L(\d+)"$', re.M)


def body_and_front(text: str) -> tuple[str, str]:
    """Test's own reader: the first line is '---', the front matter ends at the next '---' line."""
    lines = text.splitlines(keepends=True)
    assert lines[0] == "---\n"
    end = next(i for i in range(1, len(lines)) if lines[i] == "---\n")
    return "".join(lines[end + 1:]), "".join(lines[1:end])


def rebuild(notes_dir: Path) -> bytes:
    parts = []
    for path in notes_dir.glob("*.md"):
        body, front = body_and_front(path.read_bytes().decode("utf-8"))
        match = SOURCE.search(front)
        if match:
            parts.append((int(match.group(1)), int(match.group(2)), body))
        else:
            assert "source: null" in front and body == "", path
    parts.sort()
    for (_, end, _), (start, _, _) in zip(parts, parts[1:]):
        assert start == end + 1, "source ranges must tile the README"
    return "".join(body for _, _, body in parts).encode("utf-8")


def run(readme: Path, notes_dir: Path, force: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = notes_import.run(readme, notes_dir, force, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def snapshot(notes_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(notes_dir.iterdir())}


@pytest.fixture
def imported(tmp_path) -> Path:
    notes = tmp_path / "notes"
    code, _, err = run(README, notes)
    assert code == 0, err
    return notes


def test_import_is_lossless_and_names_every_file(imported):
    assert rebuild(imported) == README.read_bytes()
    names = sorted(p.name for p in imported.iterdir())
    assert names == sorted([f"lecture-{n:02d}.md" for n in range(1, 19)] + ["roadmap.md", "log.md"])


def test_each_file_holds_the_right_part_of_the_readme(imported):
    text = README.read_text(encoding="utf-8")
    read = {p.stem: body_and_front(p.read_text(encoding="utf-8")) for p in imported.iterdir()}
    assert read["roadmap"][0].startswith("# CS231n - Deep Learning for Computer Vision\n")
    assert "## 주차별 진행 상황 (Roadmap)" in read["roadmap"][0]
    assert read["log"][0].startswith("## Daily Log & TIL\n")
    assert read["log"][0].endswith("### 2026년\n\n")  # the stray heading stays with the log
    for n in range(1, 9):
        body, front = read[f"lecture-{n:02d}"]
        assert body.startswith(f"### Lecture {n}: "), n
        assert f"lecture: {n}\n" in front
        assert body in text
    # the last lecture keeps the README's tail: the final '---' and every trailing blank line
    assert read["lecture-08"][0] == text[text.index("### Lecture 8:"):]
    assert read["lecture-08"][0].endswith("---\n" + "\n" * 6)
    for n in range(9, 19):
        body, front = read[f"lecture-{n:02d}"]
        assert body == "" and "source: null" in front
    assert 'title: "Object Detection, Image Segmentation, Visualizing and Understanding"' in \
        body_and_front((imported / "lecture-09.md").read_text(encoding="utf-8"))[1]


def test_front_matter_is_visibly_separate_and_valid_yaml(imported):
    import yaml
    text = (imported / "lecture-02.md").read_text(encoding="utf-8")
    body, front = body_and_front(text)
    meta = yaml.safe_load(front)
    assert meta == {"lecture": 2, "title": "Image Classification with Linear Classifiers",
                    "source": "README.md#L69-L107",
                    "sha256": notes_import.written_digest(meta["title"], body)}
    assert front.startswith("# ")  # a comment tells the author where their text starts


def test_second_import_changes_nothing(imported):
    before = snapshot(imported)
    code, out, _ = run(README, imported)
    assert code == 0
    assert "0개를 썼고 20개는 그대로" in out
    assert snapshot(imported) == before


def test_refuses_to_overwrite_an_edit_and_shows_the_diff(imported):
    path = imported / "lecture-03.md"
    edited = path.read_text(encoding="utf-8").replace("x -= learning_rate * dx\n", "x -= lr * dx\n")
    path.write_bytes(edited.encode("utf-8"))
    (imported / "lecture-04.md").unlink()  # a file the import would create: still not written
    code, out, err = run(README, imported)
    assert code == 1
    assert "-   - x -= lr * dx\n" in out and "+   - x -= learning_rate * dx\n" in out
    assert "lecture-03.md" in out and "--force" in err
    assert path.read_text(encoding="utf-8") == edited
    assert not (imported / "lecture-04.md").exists()

    code, out, _ = run(README, imported, force=True)
    assert code == 0
    assert rebuild(imported) == README.read_bytes()


def test_cli_exit_status_and_message(imported):
    path = imported / "log.md"
    path.write_bytes(path.read_bytes() + "3. 새로 적은 줄\n".encode("utf-8"))
    cmd = [sys.executable, "-m", "sitekit.notes_import", str(README), "--notes-dir", str(imported)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "+3. 새로 적은 줄" not in result.stdout and "-3. 새로 적은 줄" in result.stdout
    assert "가져오기를 멈췄습니다" in result.stderr
    result = subprocess.run(cmd + ["--force"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "새로 적은 줄" not in path.read_text(encoding="utf-8")


DEMOS = """# placed by the demo engineer
demos:
  conv-layer: 4      # widget id: after item 4 of 배운 점
  conv-stack: end
extra: |
  ```python
  print("hello")
  ```
"""


def add_keys(path: Path, keys: str) -> str:
    text = path.read_text(encoding="utf-8")
    body, front = body_and_front(text)
    new = f"---\n{front}{keys}---\n{body}"
    path.write_bytes(new.encode("utf-8"))
    return new


def test_keys_the_import_does_not_own_are_no_conflict_and_survive_force(imported, tmp_path):
    path = imported / "lecture-05.md"
    with_demos = add_keys(path, DEMOS)
    code, _, _ = run(README, imported)
    assert code == 0 and path.read_text(encoding="utf-8") == with_demos

    # The README changed under lecture 5 and the author also edited the notes file: a conflict;
    # --force takes the README and still keeps the keys.
    changed = tmp_path / "README.md"
    changed.write_bytes(README.read_bytes().replace(
        "   - 이는 Features of images가 위치에 관계없다는 것을 의미\n".encode("utf-8"),
        "   - 이는 Features of images가 위치에 관계없다는 것을 의미 (수정)\n".encode("utf-8")))
    edited = with_demos.replace("Translate는 순서가", "Translate는 (노트에서 고침) 순서가")
    assert edited != with_demos
    path.write_bytes(edited.encode("utf-8"))
    code, out, _ = run(changed, imported)
    assert code == 1 and "(수정)" in out
    assert path.read_text(encoding="utf-8") == edited
    code, _, _ = run(changed, imported, force=True)
    assert code == 0
    body, front = body_and_front(path.read_text(encoding="utf-8"))
    assert DEMOS in front  # verbatim, comments included
    assert "(수정)" in body
    assert rebuild(imported) == changed.read_bytes()


def test_editing_an_owned_key_is_a_conflict(imported):
    path = imported / "lecture-06.md"
    text = path.read_text(encoding="utf-8").replace('title: "CNN Architectures"', 'title: "CNNs"')
    path.write_bytes(text.encode("utf-8"))
    code, out, _ = run(README, imported)
    assert code == 1 and '-title: "CNNs"' in out


def test_broken_front_matter_stops_the_import_even_with_force(imported):
    path = imported / "lecture-02.md"
    text = path.read_text(encoding="utf-8").replace("lecture: 2\n", "lecture: [2\n")
    path.write_bytes(text.encode("utf-8"))
    code, _, err = run(README, imported, force=True)
    assert code == 2 and "YAML" in err
    assert path.read_text(encoding="utf-8") == text


def test_missing_readme_and_duplicate_lectures_are_reported_in_korean(tmp_path):
    code, _, err = run(tmp_path / "nope.md", tmp_path / "notes")
    assert code == 2 and "찾을 수 없습니다" in err
    readme = tmp_path / "README.md"
    readme.write_text("### Lecture 2: A\n\n### Lecture 2: B\n", encoding="utf-8")
    code, _, err = run(readme, tmp_path / "notes")
    assert code == 2 and "이미 있습니다" in err
    readme.write_text("### Lecture 19: Beyond\n", encoding="utf-8")
    code, _, err = run(readme, tmp_path / "notes")
    assert code == 2 and "범위" in err
    assert not (tmp_path / "notes").exists()


# ---------------------------------------------------------------------------------------------
# Property: any README made of the author's kinds of lines splits losslessly and idempotently.
# ---------------------------------------------------------------------------------------------

FILLER = st.sampled_from([
    "", "text", "---", "   - sub item", "1. **bold** item", " 8. odd indent", "> **A.** answer",
    "##### 1. question", "#### 배운 점", "## 주차별 진행 상황 (Roadmap)", "### 2026년", "```",
    "### Lecture one", "# Title", "    code", "- [x] done", "\t", "   ", "Lecture 3: not a heading",
])


@st.composite
def readmes(draw) -> str:
    numbers = draw(st.lists(st.integers(1, 18), unique=True, max_size=5))
    blocks = [draw(st.lists(FILLER, max_size=6))]
    if draw(st.booleans()):
        blocks.append(["## Daily Log & TIL"] + draw(st.lists(FILLER, max_size=4)))
    for n in numbers:
        blocks.append([f"### Lecture {n}: Title {n}"] + draw(st.lists(FILLER, max_size=6)))
    lines = [line for block in blocks for line in block]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines)
    return text + (newline if draw(st.booleans()) else "")


@settings(max_examples=150, deadline=None)
@given(readmes())
def test_split_is_lossless_for_generated_readmes(text):
    regions = notes_import.split_readme(text)
    filled = sorted((r for r in regions if r.text), key=lambda r: r.start)
    assert "".join(r.text for r in filled) == text
    names = [r.name for r in regions]
    assert len(names) == len(set(names))
    assert {f"lecture-{n:02d}" for n in range(1, 19)} <= set(names)
    for region in regions:
        composed = notes_import.compose(region, "README.md")
        assert split_front_matter(composed)[1] == region.text


@settings(max_examples=40, deadline=None)
@given(readmes())
def test_import_roundtrip_for_generated_readmes(tmp_path_factory, text):
    base = tmp_path_factory.mktemp("gen")
    readme = base / "README.md"
    readme.write_bytes(text.encode("utf-8"))
    notes = base / "notes"
    assert run(readme, notes)[0] == 0
    before = snapshot(notes)
    assert run(readme, notes)[0] == 0
    assert snapshot(notes) == before
    assert rebuild(notes) == text.encode("utf-8")


def test_a_grown_readme_updates_untouched_files_without_force(imported, tmp_path):
    """The author adds a line to Lecture 2 in the README: Lecture 2 takes it and every later file's
    ``source`` range moves, all without --force, because nobody edited those files in notes/."""
    grown = tmp_path / "README.md"
    text = README.read_text(encoding="utf-8")
    added = "   - 새로 배운 내용 한 줄\n"
    grown.write_text(text.replace("   - 좌표축을 따라 이동하면서 거리를 측정하기에 축이 회전한다면 거리가 달라짐\n",
                                  "   - 좌표축을 따라 이동하면서 거리를 측정하기에 축이 회전한다면 거리가 달라짐\n"
                                  + added, 1), encoding="utf-8")
    assert grown.read_text(encoding="utf-8") != text
    code, out, err = run(grown, imported)
    assert code == 0, err
    assert "갱신: " in out and "lecture-02.md" in out and "lecture-06.md" in out
    assert added in (imported / "lecture-02.md").read_text(encoding="utf-8")
    assert rebuild(imported) == grown.read_bytes()


def test_an_edit_in_notes_still_blocks_a_grown_readme(imported, tmp_path):
    path = imported / "lecture-02.md"
    edited = path.read_text(encoding="utf-8").replace("loss는 C - 1", "loss는 C − 1 (C: class 수)")
    path.write_bytes(edited.encode("utf-8"))
    grown = tmp_path / "README.md"
    grown.write_text(README.read_text(encoding="utf-8") + "\n추가된 줄\n", encoding="utf-8")
    code, out, _ = run(grown, imported)
    assert code == 1 and "lecture-02.md" in out
    assert path.read_text(encoding="utf-8") == edited
