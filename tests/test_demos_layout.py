"""The shape of the ``demos`` package: maths modules apart from widgets (issue #13).

``demos/<topic>.py`` holds the maths and imports no widget, plotting or raster code;
``demos/widgets/<topic>.py`` draws it, and ``demos.widget.registry`` finds widgets only there.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

import demos.widgets
from demos import linear, widget

ROOT = Path(__file__).resolve().parents[1]
MATHS_MODULES = ["attention", "backprop", "conv", "knn", "linear", "mlp", "optim", "training"]
# Maths modules that serve one of the above and draw nothing themselves (no widgets module of their
# own): helper -> the maths module that imports it.
MATHS_HELPERS = {"optim_surfaces": "optim"}
# The package's own machinery: widget framework, plot building blocks, input checks, the browser
# bridge and code cells.
FRAMEWORK = {"__init__", "bridge", "cells", "checks", "plotting", "raster", "widget"}
DRAWING = ("demos.widget", "demos.widgets", "demos.plotting", "demos.raster", "plotly")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file (``from demos import x`` -> demos.x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_imported_modules_sees_every_form_of_import(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import plotly.io\nfrom demos import raster\n"
                      "def f():\n    from demos.widget import plot\n")
    assert {"plotly.io", "demos.raster", "demos.widget"} <= imported_modules(source)


@pytest.mark.parametrize("topic", MATHS_MODULES + sorted(MATHS_HELPERS))
def test_maths_module_imports_no_drawing_code_and_declares_no_widget(topic):
    path = ROOT / "demos" / f"{topic}.py"
    drawing = sorted(m for m in imported_modules(path)
                     if any(m == d or m.startswith(d + ".") for d in DRAWING))
    assert not drawing, f"demos/{topic}.py imports drawing code: {drawing}"
    assert not hasattr(importlib.import_module(f"demos.{topic}"), "WIDGETS")


def test_every_maths_module_has_a_widgets_module():
    assert {p.stem for p in (ROOT / "demos" / "widgets").glob("*.py")} - {"__init__"} == \
        set(MATHS_MODULES)


def test_every_module_of_demos_is_maths_a_declared_helper_or_framework():
    assert {p.stem for p in (ROOT / "demos").glob("*.py")} == \
        set(MATHS_MODULES) | set(MATHS_HELPERS) | FRAMEWORK


@pytest.mark.parametrize("helper", sorted(MATHS_HELPERS))
def test_a_maths_helper_is_imported_by_the_maths_module_it_serves(helper):
    assert f"demos.{helper}" in imported_modules(ROOT / "demos" / f"{MATHS_HELPERS[helper]}.py")


def test_registry_is_exactly_the_widgets_modules_declarations():
    declared = {}
    for path in sorted((ROOT / "demos" / "widgets").glob("*.py")):
        if path.stem != "__init__":
            declared |= importlib.import_module(f"demos.widgets.{path.stem}").WIDGETS
    assert declared.keys() == widget.registry().keys()
    assert all(widget.registry()[key] is spec for key, spec in declared.items())


def test_registry_finds_a_new_widgets_module_and_ignores_widgets_declared_elsewhere(
        tmp_path, monkeypatch):
    (tmp_path / "extra_topic.py").write_text(
        "from demos.widget import text, widget\n"
        "WIDGETS = {'extra-demo': widget('추가 데모', [], lambda: [text('안녕')])}\n")
    monkeypatch.setattr(demos.widgets, "__path__", [*demos.widgets.__path__, str(tmp_path)])
    monkeypatch.setattr(linear, "WIDGETS", {"stray-demo": widget.registry()["linear-loss"]},
                        raising=False)
    monkeypatch.setattr(widget, "_REGISTRY", None)
    try:
        found = widget.registry()
        assert "extra-demo" in found and "stray-demo" not in found
        assert widget.update("extra-demo")["outputs"] == [widget.text("안녕")]
        with pytest.raises(ValueError, match="데모가 없습니다"):
            widget.describe("stray-demo")
    finally:
        sys.modules.pop("demos.widgets.extra_topic", None)
