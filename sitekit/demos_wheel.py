"""Package ``demos/`` for the browser: a pure-Python wheel plus a site-specific ``pyodide-lock.json``.

The wheel is written with pypa's ``wheel.wheelfile.WheelFile`` (it writes RECORD) instead of a
``pyodide build`` run: ``demos`` is pure Python, and ``pyodide build`` would first download a
cross-build environment, which an offline build cannot do. ``pyodide-lock`` (installed with
pyodide-build) then adds the wheel to the official lock, so one ``loadPackage("demos")`` in the
browser brings ``demos`` and ``numpy`` with sha256 integrity checks.

The wheel's version carries a hash of the sources (``1.0+<hash>``): every edit in ``demos/`` gives a
new file name, so a browser never runs a stale cached copy during ``mkdocs serve``.

Each module, subpackages' included, also goes in compiled
(``<folder>/__pycache__/<name>.cpython-312.pyc``, hash-checked against its source, so a stale one
is never used): Pyodide then skips compiling the demo code on the reader's first import (about
20 ms in WebAssembly for ``widget``, ``bridge`` and ``conv``). It is only done when the build runs
the same Python minor version as Pyodide (3.12 for 0.27.7).

The wheel also carries ``demos/widget_index.json`` (``{widget id: "demos.widgets.<topic>"}``), read
from the ``WIDGETS = {...}`` literals of ``demos/widgets/*.py`` without importing them: the browser
then imports only the widgets module of the widget a page shows (``demos.widget._spec``) and the
maths it draws, instead of every demo.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import os
import py_compile
import tempfile
from pathlib import Path

from pyodide_lock import PyodideLockSpec
from pyodide_lock.utils import add_wheels_to_spec
from wheel.wheelfile import WheelFile

from sitekit.pyodide_bytecode import matches_pyodide

ROOT = Path(__file__).resolve().parents[1]
DEMOS_DIR = ROOT / "demos"
BASE_VERSION = "1.0"
INDEX_NAME = "widget_index.json"
WIDGETS_PACKAGE = "widgets"  # demos/widgets/: the only modules that declare widgets


def source_files(package_dir: Path = DEMOS_DIR) -> list[Path]:
    """The package's Python modules and data files (sorted, no caches)."""
    return sorted(p for p in package_dir.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".md", ".json"))


def source_hash(package_dir: Path = DEMOS_DIR) -> str:
    """Names the wheel: its sources, and whether it carries bytecode (a different wheel)."""
    h = hashlib.sha256(b"pyc\0" if matches_pyodide() else b"source\0")
    for path in source_files(package_dir):
        h.update(path.relative_to(package_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def _declared_widgets(module_path: Path) -> list[str] | None:
    """Widget ids a module declares at top level, with ``WIDGETS = {"id": ..., ...}`` and
    ``WIDGETS["id"] = ...`` ([] if none), or None when anything else touches ``WIDGETS`` (a
    computed key, ``WIDGETS.update(...)``): then only importing the module would tell."""
    keys: list[str] = []
    for node in ast.parse(module_path.read_text(), filename=str(module_path)).body:
        if not any(isinstance(n, ast.Name) and n.id == "WIDGETS" for n in ast.walk(node)):
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if (isinstance(target, ast.Name) and target.id == "WIDGETS" and isinstance(value, ast.Dict)
                    and all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                            for k in value.keys)):
                keys = [k.value for k in value.keys]
                continue
            if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                    and target.value.id == "WIDGETS" and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)):
                keys.append(target.slice.value)
                continue
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr)):
            return None      # some other use at top level that may change WIDGETS
    return keys


def widget_index(package_dir: Path = DEMOS_DIR) -> dict[str, str] | None:
    """``{widget id: "demos.widgets.<module>"}`` for every module of ``demos/widgets/`` (where
    ``demos.widget.registry`` looks), or None if one module's widgets cannot be read without
    importing it (the browser then scans every widgets module, as CPython does)."""
    index: dict[str, str] = {}
    for path in sorted((package_dir / WIDGETS_PACKAGE).glob("*.py")):
        declared = _declared_widgets(path)
        if declared is None:
            return None
        module = f"demos.{WIDGETS_PACKAGE}.{path.stem}"
        for widget_id in declared:
            if widget_id in index:
                raise ValueError(f"widget id {widget_id!r} is declared in {index[widget_id]} and "
                                 f"{module}")
            index[widget_id] = module
    return index


def build_wheel(out_dir: Path, package_dir: Path = DEMOS_DIR) -> Path:
    """Write ``demos-1.0+<hash>-py3-none-any.whl`` into ``out_dir`` (reused if already there)."""
    version = f"{BASE_VERSION}+{source_hash(package_dir)}"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"demos-{version}-py3-none-any.whl"
    if path.exists():
        return path
    dist_info = f"demos-{version}.dist-info"
    metadata = (f"Metadata-Version: 2.1\nName: demos\nVersion: {version}\n"
                "Summary: CS231n demo maths (NumPy), shared by CPython tests and Pyodide\n"
                "Requires-Dist: numpy\n")
    wheel_meta = "Wheel-Version: 1.0\nGenerator: sitekit.demos_wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    os.environ.setdefault("SOURCE_DATE_EPOCH", "315532800")  # reproducible zip timestamps
    staging = out_dir / f".staging-{os.getpid()}"
    staging.mkdir(exist_ok=True)
    partial = staging / path.name  # WheelFile parses the name, so stage under the final name
    with WheelFile(partial, "w") as wheel:
        for source in source_files(package_dir):
            arcname = f"demos/{source.relative_to(package_dir).as_posix()}"
            wheel.write(str(source), arcname)
            if source.suffix == ".py" and matches_pyodide():
                wheel.writestr(importlib.util.cache_from_source(arcname), compiled(source))
        index = widget_index(package_dir)
        if index is not None:
            wheel.writestr(f"demos/{INDEX_NAME}", json.dumps(index, indent=1, sort_keys=True))
        wheel.writestr(f"{dist_info}/METADATA", metadata)
        wheel.writestr(f"{dist_info}/WHEEL", wheel_meta)
    partial.replace(path)
    staging.rmdir()
    return path


def compiled(source: Path) -> bytes:
    """``source``'s bytecode as a checked-hash .pyc: valid while the source is unchanged, whatever
    the file times (unpacking a wheel sets them), and the same bytes on every build."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "module.pyc"
        py_compile.compile(str(source), cfile=str(target), dfile=source.name, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
        return target.read_bytes()


def site_lock(official_lock_path: Path, wheel_path: Path) -> str:
    """The official lock plus the ``demos`` wheel (file name relative to the site's pyodide/ folder)."""
    spec = PyodideLockSpec.from_json(official_lock_path)
    spec = add_wheels_to_spec(spec, [wheel_path], base_path=wheel_path.parent)
    data = json.loads(spec.model_dump_json(exclude_none=True))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
