"""The team's code-shape rules: no function over 60 lines in demos/, sitekit/, hooks/ (or build.py),
no file in demos/ over 600 lines. A long function is a sign it does several things; split it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_FUNCTION_LINES = 60
MAX_DEMOS_FILE_LINES = 600


def python_files(*names: str) -> list[Path]:
    files = []
    for name in names:
        path = ROOT / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def long_functions(path: Path, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """``"<file>:<line> <name> (<n> lines)"`` for every function (methods and nested ones too)
    longer than ``limit`` lines, decorators not counted."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return [f"{name}:{node.lineno} {node.name} ({length} lines)"
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and (length := node.end_lineno - node.lineno + 1) > limit]


@pytest.mark.parametrize("folder", ["demos", "sitekit", "hooks", "build.py"])
def test_no_function_is_over_60_lines(folder):
    found = [hit for path in python_files(folder) for hit in long_functions(path)]
    assert not found, "functions over 60 lines:\n" + "\n".join(found)


def test_no_demos_file_is_over_600_lines():
    found = [f"{path.relative_to(ROOT)} ({n} lines)" for path in python_files("demos")
             if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_DEMOS_FILE_LINES]
    assert not found, "files in demos/ over 600 lines:\n" + "\n".join(found)


def test_the_check_counts_from_def_to_the_last_line(tmp_path):
    """The rule's edge: a 60-line function passes, a 61-line method fails; a decorator is free."""
    body = "".join(f"    x{i} = {i}\n" for i in range(59))
    nested = body.replace("    ", "        ")
    probe = tmp_path / "probe.py"
    probe.write_text("@decorator\ndef short():\n" + body + "\n\nclass C:\n    def long(self):\n"
                     + nested + "        return 1\n", encoding="utf-8")
    assert long_functions(probe) == ["probe.py:65 long (61 lines)"]
