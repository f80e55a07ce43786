"""Package ``demos/`` for the browser: a pure-Python wheel plus a site-specific ``pyodide-lock.json``.

The wheel is written with pypa's ``wheel.wheelfile.WheelFile`` (it writes RECORD) instead of a
``pyodide build`` run: ``demos`` is pure Python, and ``pyodide build`` would first download a
cross-build environment, which an offline build cannot do. ``pyodide-lock`` (installed with
pyodide-build) then adds the wheel to the official lock, so one ``loadPackage("demos")`` in the
browser brings ``demos`` and ``numpy`` with sha256 integrity checks.

The wheel's version carries a hash of the sources (``1.0+<hash>``): every edit in ``demos/`` gives a
new file name, so a browser never runs a stale cached copy during ``mkdocs serve``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pyodide_lock import PyodideLockSpec
from pyodide_lock.utils import add_wheels_to_spec
from wheel.wheelfile import WheelFile

ROOT = Path(__file__).resolve().parents[1]
DEMOS_DIR = ROOT / "demos"
BASE_VERSION = "1.0"


def source_files(package_dir: Path = DEMOS_DIR) -> list[Path]:
    """The package's Python modules and data files (sorted, no caches)."""
    return sorted(p for p in package_dir.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".md", ".json"))


def source_hash(package_dir: Path = DEMOS_DIR) -> str:
    h = hashlib.sha256()
    for path in source_files(package_dir):
        h.update(path.relative_to(package_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


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
            wheel.write(str(source), f"demos/{source.relative_to(package_dir).as_posix()}")
        wheel.writestr(f"{dist_info}/METADATA", metadata)
        wheel.writestr(f"{dist_info}/WHEEL", wheel_meta)
    partial.replace(path)
    staging.rmdir()
    return path


def site_lock(official_lock_path: Path, wheel_path: Path) -> str:
    """The official lock plus the ``demos`` wheel (file name relative to the site's pyodide/ folder)."""
    spec = PyodideLockSpec.from_json(official_lock_path)
    spec = add_wheels_to_spec(spec, [wheel_path], base_path=wheel_path.parent)
    data = json.loads(spec.model_dump_json(exclude_none=True))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
