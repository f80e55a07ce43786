"""Split the author's README into ``notes/``: one file per lecture, the roadmap and the daily log.

    python3 build.py import README.md [--force] [--notes-dir DIR]

* Lossless: every line of the README lands, unchanged, in exactly one file, after that file's
  front matter. Concatenating the files' bodies in ``source`` order gives back the README's bytes.
* Idempotent: importing the same README twice changes nothing.
* Safe: a notes file the author edited in ``notes/`` is never overwritten without ``--force``; the
  import prints a unified diff per such file and exits with status 1. The front matter records the
  ``sha256`` of the text the import last wrote, so a file nobody touched since then is simply brought
  up to date when the README changes (nothing of the author's can be lost there).
  Keys in the front matter that the import does not own (``demos:``, ``extra:``, ...) are kept
  verbatim, and a difference only in them is no conflict.

Where the lines go (the author's README layout):

* ``notes/roadmap.md``: everything before the daily log or the first lecture (title, overview,
  ``## 주차별 진행 상황 (Roadmap)``).
* ``notes/log.md``: from the ``Daily Log`` heading to the next lecture heading.
* ``notes/lecture-NN.md``: from ``### Lecture N: ...`` to the next lecture heading (or the end).
  Lectures missing from the README get a file with front matter only.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sitekit.notes_model import (COURSE_TITLES, FENCE, LECTURE_COUNT, heading_lines, heading_of,
                                 lecture_number_of, read_meta, split_front_matter)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NOTES_DIR = ROOT / "notes"

# Keys the import writes; every other front-matter key belongs to someone else and is kept.
OWNED_KEYS = ("page", "lecture", "title", "source", "sha256")
HEADER = (
    "# 이 머리말(front matter)은 `build.py import`가 씁니다. 아래 '---' 다음 줄부터가 작성자 원문입니다.\n",
    "# page/lecture/title/source/sha256 외의 키(demos:, extra: 등)는 다시 가져와도 그대로 남습니다.\n",
)
_TOP_KEY = re.compile(r"^([A-Za-z_][\w\-]*)[ \t]*:")
_LOG_TITLE = re.compile(r"daily\s*log", re.IGNORECASE)


@dataclass(frozen=True)
class Region:
    """A run of README lines for one notes file; ``start``/``end`` are 1-based inclusive
    (``end == start - 1`` when empty); ``text`` is the lines as written."""
    name: str          # "roadmap", "log", "lecture-02"
    start: int
    end: int
    text: str
    lecture: int | None = None
    title: str = ""


def notes_name(lecture: int) -> str:
    return f"lecture-{lecture:02d}"


# ---------------------------------------------------------------------------------------------
# Splitting the README.
# ---------------------------------------------------------------------------------------------

def _boundaries(lines: list[str]) -> list[tuple[int, str, int | None, str]]:
    """(line index, region name, lecture number, heading title) of every region start."""
    found: list[tuple[int, str, int | None, str]] = []
    lecture_level = None
    seen: dict[str, int] = {}
    for i in heading_lines(lines):
        level, title = heading_of(lines[i])
        number = lecture_number_of(title)
        if number is not None and lecture_level in (None, level):
            if not 1 <= number <= LECTURE_COUNT:
                raise ValueError(f"README {i + 1}번째 줄: Lecture {number}은(는) 1~{LECTURE_COUNT}강 "
                                 "범위를 벗어납니다.")
            lecture_level = level
            name = notes_name(number)
        elif _LOG_TITLE.search(title) and "log" not in seen:
            name, number = "log", None
        else:
            continue
        if name in seen:
            raise ValueError(f"README {i + 1}번째 줄: '{title}' 절이 {seen[name] + 1}번째 줄에 이미 "
                             "있습니다. 강의마다 절은 하나여야 합니다.")
        seen[name] = i
        found.append((i, name, number, title))
    return found


def split_readme(text: str) -> list[Region]:
    """The README -> regions covering every line exactly once, in README order, plus an empty
    region for each lecture the README lacks (those come last)."""
    lines = text.splitlines(keepends=True)
    bounds = _boundaries(lines)
    first = bounds[0][0] if bounds else len(lines)
    roadmap_title = next((heading_of(lines[i])[1] for i in heading_lines(lines[:first])
                          if re.search(r"roadmap|주차", heading_of(lines[i])[1], re.I)),
                         "주차별 진행 상황 (Roadmap)")
    regions = [Region("roadmap", 1, first, "".join(lines[:first]), title=roadmap_title)]
    for k, (start, name, number, title) in enumerate(bounds):
        end = bounds[k + 1][0] if k + 1 < len(bounds) else len(lines)
        region_title = COURSE_TITLES[number] if number else title
        regions.append(Region(name, start + 1, end, "".join(lines[start:end]), number,
                              region_title))
    present = {r.lecture for r in regions}
    if not any(r.name == "log" for r in regions):
        regions.append(Region("log", 0, -1, "", title="Daily Log & TIL"))
    for number in range(1, LECTURE_COUNT + 1):
        if number not in present:
            regions.append(Region(notes_name(number), 0, -1, "", number, COURSE_TITLES[number]))
    return regions


# ---------------------------------------------------------------------------------------------
# Front matter: owned keys written fresh, every other key kept verbatim.
# ---------------------------------------------------------------------------------------------

def _yaml_scalar(value) -> str:
    """A one-line YAML scalar; strings are double-quoted JSON-style (valid YAML)."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def owned_values(region: Region, readme_name: str) -> dict:
    values: dict = {}
    if region.lecture is None:
        values["page"] = region.name
    else:
        values["lecture"] = region.lecture
    values["title"] = region.title
    values["source"] = f"{readme_name}#L{region.start}-L{region.end}" if region.text else None
    values["sha256"] = written_digest(region.title, region.text)
    return values


def written_digest(title, text: str) -> str:
    """sha256 of what the import writes that an author could edit (the title and the text): a later
    edit in notes/ no longer matches it."""
    return hashlib.sha256(f"{title}\n{text}".encode("utf-8")).hexdigest()


def preserved_text(front_matter: str) -> str:
    """The part of existing front matter the import does not own, as written (comments kept).

    Top-level keys are split into blocks (key line, its indented lines, and the comment/blank lines
    just above it); blocks of owned keys and the import's own header comments are dropped.
    """
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    pending: list[str] = []
    for line in front_matter.splitlines(keepends=True):
        key = _TOP_KEY.match(line)
        if key:
            blocks.append((key.group(1), pending + [line]))
            pending = []
        elif not line.strip() or line.startswith("#"):
            pending.append(line)
        else:  # an indented continuation line of the current key
            blocks[-1][1].extend(pending + [line])
            pending = []
    blocks[-1][1].extend(pending)
    kept = []
    for key, block in blocks:
        if key in OWNED_KEYS:
            continue
        kept.extend(line for line in block if line not in HEADER)
    text = "".join(kept).strip("\n")
    return text + "\n" if text else ""


def compose(region: Region, readme_name: str, keep: str = "") -> str:
    """The full notes file: our front matter, the kept keys, then the README lines unchanged."""
    owned = "".join(f"{k}: {_yaml_scalar(v)}\n" for k, v in owned_values(region, readme_name).items())
    return f"{FENCE}\n{''.join(HEADER)}{owned}{keep}{FENCE}\n{region.text}"


@dataclass(frozen=True)
class Plan:
    """What the import would do to one file: ``new``, ``same``, ``update`` (the file holds exactly what
    the last import wrote, so it can follow the README) or ``conflict`` (edited in notes/)."""
    path: Path
    status: str
    new_text: str
    old_text: str | None = None


def plan_file(path: Path, region: Region, readme_name: str) -> Plan:
    if not path.exists():
        return Plan(path, "new", compose(region, readme_name))
    old = path.read_bytes().decode("utf-8")
    front, body = split_front_matter(old)
    meta = read_meta(front)  # a broken YAML front matter stops the import (even with --force)
    keep = preserved_text(front)
    new = compose(region, readme_name, keep)
    new_meta = read_meta(split_front_matter(new)[0])
    for key in meta:
        if key not in OWNED_KEYS and new_meta.get(key) != meta[key]:
            raise ValueError(f"{path}: 머리말의 '{key}' 키를 보존하지 못했습니다. 머리말 형식을 "
                             "확인하세요 (최상위 키는 줄 맨 앞에서 시작해야 합니다).")
    wanted = owned_values(region, readme_name)
    same = body == region.text and all(meta.get(k) == v for k, v in wanted.items()) \
        and not any(k in meta for k in OWNED_KEYS if k not in wanted)
    if same:
        return Plan(path, "same", new, old)
    untouched = (meta.get("sha256") == written_digest(meta.get("title"), body)
                 or (body == region.text and meta.get("title") == region.title))
    return Plan(path, "update" if untouched else "conflict", new, old)


def plan_import(readme_text: str, notes_dir: Path, readme_name: str = "README.md") -> list[Plan]:
    return [plan_file(notes_dir / f"{r.name}.md", r, readme_name) for r in split_readme(readme_text)]


def _write(path: Path, text: str) -> None:
    """Write atomically, bytes exactly as given (no newline translation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8"))
    os.replace(tmp, path)


def diff(plan: Plan) -> str:
    return "".join(difflib.unified_diff(
        (plan.old_text or "").splitlines(keepends=True), plan.new_text.splitlines(keepends=True),
        fromfile=f"{plan.path} (현재 파일)", tofile=f"{plan.path} (가져오기 결과)"))


def run(readme: Path, notes_dir: Path, force: bool = False, out=sys.stdout, err=sys.stderr) -> int:
    """Import ``readme`` into ``notes_dir``; returns the exit status (0 done, 1 conflicts, 2 error)."""
    try:
        text = readme.read_bytes().decode("utf-8")
    except FileNotFoundError:
        print(f"README 파일을 찾을 수 없습니다: {readme}", file=err)
        return 2
    except UnicodeDecodeError:
        print(f"README를 UTF-8로 읽을 수 없습니다: {readme}", file=err)
        return 2
    try:
        plans = plan_import(text, notes_dir, readme.name)
    except ValueError as error:
        print(f"가져오기 실패: {error}", file=err)
        return 2
    conflicts = [p for p in plans if p.status == "conflict"]
    if conflicts and not force:
        for plan in conflicts:
            out.write(diff(plan))
        names = ", ".join(p.path.name for p in conflicts)
        print(f"\n가져오기를 멈췄습니다: {len(conflicts)}개 파일({names})이 README에서 가져올 내용과 "
              "다릅니다. 위의 차이(diff)를 확인하세요. notes/에서 고친 내용을 버리고 README로 "
              "덮어쓰려면 --force를 붙여 다시 실행하세요. 아무 파일도 바꾸지 않았습니다.", file=err)
        return 1
    for plan in plans:
        if plan.status == "new":
            _write(plan.path, plan.new_text)
            print(f"만듦: {plan.path}", file=out)
        elif plan.status == "update":
            _write(plan.path, plan.new_text)
            print(f"갱신: {plan.path}", file=out)
        elif plan.status == "conflict":
            _write(plan.path, plan.new_text)
            print(f"덮어씀(--force): {plan.path}", file=out)
    unchanged = sum(1 for p in plans if p.status == "same")
    print(f"완료: {len(plans)}개 파일 중 {len(plans) - unchanged}개를 썼고 {unchanged}개는 그대로입니다.",
          file=out)
    return 0


def reconstruct(notes_dir: Path) -> str:
    """Concatenate the notes files' author text in README order (the inverse of the import)."""
    parts = []
    for path in sorted(notes_dir.glob("*.md")):
        front, body = split_front_matter(path.read_bytes().decode("utf-8"))
        source = read_meta(front).get("source")
        match = re.search(r"#L(\d+)-L(\d+)$", source or "")
        if match:
            parts.append((int(match.group(1)), body))
    return "".join(body for _, body in sorted(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="build.py import",
        description="작성자의 README를 notes/의 강의별 파일, 로드맵, 학습 일지로 나눕니다 (손실 없이).")
    parser.add_argument("readme", type=Path, help="가져올 README.md 경로")
    parser.add_argument("--force", action="store_true",
                        help="notes/의 파일이 README와 달라도 덮어씁니다 (demos:, extra: 키는 유지)")
    parser.add_argument("--notes-dir", type=Path, default=DEFAULT_NOTES_DIR,
                        help=f"노트를 쓸 폴더 (기본값: {DEFAULT_NOTES_DIR})")
    args = parser.parse_args(argv)
    return run(args.readme, args.notes_dir, args.force)


if __name__ == "__main__":
    sys.exit(main())
