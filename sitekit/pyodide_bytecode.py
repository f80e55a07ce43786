"""Bytecode-compiled copies of the runtime's Python archives, served when the runtime is self-hosted.

Pyodide 0.27.7's ``python_stdlib.zip`` and its NumPy wheel hold Python sources only, so the reader's
browser compiles every module it imports, in WebAssembly, on every cold load: most of Python's
start-up (``loadPyodide``) and of ``import numpy`` goes there. pyodide-build's py-compile (what the
``pyodide py-compile`` command runs) writes copies in which each ``.py`` is replaced by its ``.pyc``;
every other file is unchanged. Measured on a 2-core machine: in headless Chromium, a bare page's
Pyodide + NumPy load went from 2.3-2.6 s to 1.3-1.4 s (``loadPyodide`` 1.7-2.0 s -> 0.8 s), and
Lecture 5's first demo result from about 2.9 s to 1.9-2.0 s; with the standard library alone
compiled, that first result was 250 ms slower (10-run A/B), so NumPy is compiled too.

The copies are served under ``pyodide/pyc/``, beside the official files (still served byte for byte
as pinned): the site's ``pyodide-lock.json`` points NumPy at its copy, with the copy's sha256, and the
worker loads the standard library from ``stdLibURL``. Done only when the build runs the same Python
minor version as Pyodide (bytecode is per minor version: 3.12 for Pyodide 0.27.7); otherwise the
official archives are used as they are. The copies cost more bytes (about 2.2 MB more for the two:
bytecode compresses less well than source), which a self-hosted site serves from its own origin.

Copies are cached in ``.cache/pyodide-pyc`` by a key of what makes them: the source archive's
sha256, Python's bytecode magic number and pyodide-build's version.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import sys
import tempfile
from pathlib import Path

# py-compile's implementation. The `pyodide py-compile` command itself does not start here: its plugin
# loader imports auditwheel_emscripten, which imports `wheel.cli`, a module the pinned wheel no longer has.
from pyodide_build._py_compile import _compile

from sitekit.pyodide_files import sha256_of

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / ".cache" / "pyodide-pyc"
SERVED_DIR = "pyc"                     # under the site's pyodide/ folder
STDLIB = "python_stdlib.zip"
# Pyodide 0.27.7 runs CPython 3.12 (its pyodide-lock.json: info.python); bytecode is per minor version.
PYODIDE_CACHE_TAG = "cpython-312"


def matches_pyodide() -> bool:
    """Whether this Python writes the bytecode Pyodide's Python reads (same minor version)."""
    return sys.implementation.cache_tag == PYODIDE_CACHE_TAG


def cache_key(archive: Path) -> str:
    """Names a compiled copy: its source archive, the bytecode format, and the compiler's version."""
    h = hashlib.sha256()
    for part in (sha256_of(archive), importlib.util.MAGIC_NUMBER.hex(),
                 importlib.metadata.version("pyodide-build")):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:16]


def compiled_copy(archive: Path, cache: Path = CACHE_DIR) -> Path:
    """``archive`` (a wheel or a zip) with every ``.py`` replaced by its ``.pyc``; made once per key."""
    target = cache / cache_key(archive) / archive.name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            partial = Path(tmp) / archive.name
            _compile(archive, partial, keep=True, verbose=False)
            partial.replace(target)           # atomic: a concurrent build never sees half a file
    return target


def compile_runtime(runtime_files: dict[str, Path], cache: Path = CACHE_DIR) -> dict[str, Path]:
    """``{archive name: compiled copy}`` for the standard library and the package wheels among
    ``runtime_files`` (the verified files, by name: pyodide_files.verify)."""
    names = [name for name in runtime_files if name == STDLIB or name.endswith(".whl")]
    return {name: compiled_copy(runtime_files[name], cache) for name in sorted(names)}


def point_lock_at_copies(lock_json: str, copies: dict[str, Path]) -> str:
    """The site lock with each package whose wheel has a compiled copy loading that copy instead:
    ``file_name`` relative to the runtime's folder (like the official entries) and its sha256."""
    lock = json.loads(lock_json)
    for entry in lock["packages"].values():
        copy = copies.get(entry["file_name"])
        if copy is not None:
            entry["file_name"] = f"{SERVED_DIR}/{copy.name}"
            entry["sha256"] = sha256_of(copy)
    return json.dumps(lock, ensure_ascii=False, separators=(",", ":"))
