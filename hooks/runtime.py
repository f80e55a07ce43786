"""MkDocs hook: serve the Pyodide runtime, the ``demos`` wheel and the front-end libraries.

* Self-hosted when a local runtime copy exists (``PYODIDE_DIR`` or the ``build.py fetch-pyodide``
  cache): its files are checked against pinned sha256 values and served under ``pyodide/``, so the
  site makes no request outside its own origin. Otherwise the worker loads the official CDN.
* Self-hosted with the build on Python 3.12: bytecode-compiled copies of the standard library and the
  NumPy wheel under ``pyodide/pyc/``, which the site's lock and the worker load instead of the
  source-only originals (see sitekit/pyodide_bytecode.py).
* Always: ``pyodide/pyodide-lock.json`` (the official lock plus the ``demos`` wheel) and the wheel
  itself, rebuilt from ``demos/`` on every build, so ``mkdocs serve`` picks up edits in ``demos/``.
* Plotly.js bundled with esbuild from npm (package-lock.json; see sitekit/plotly_bundle.py), never
  pasted into the repository;
  ``assets/cs231n/config.js`` tells the browser where all this is (KaTeX comes from hooks/notes.py);
  ``assets/cs231n/theme.js`` colours every figure, of the widgets and of the notebook pages.
"""

from __future__ import annotations

import json
import logging

from mkdocs.structure.files import Files

from _common import ROOT  # first: puts the project on sys.path
from sitekit import demos_wheel, plotly_bundle, pyodide_bytecode, pyodide_files
from sitekit.site_files import add_generated, link_assets

log = logging.getLogger("mkdocs.hooks.runtime")
WHEEL_CACHE = ROOT / ".cache" / "demos-wheel"
VENDOR = "assets/vendor"

_state: dict = {}


def on_config(config):
    runtime_dir = pyodide_files.local_runtime_dir()
    runtime_files = pyodide_files.verify(runtime_dir) if runtime_dir else {}
    wheel = demos_wheel.build_wheel(WHEEL_CACHE)
    # Without a local copy the official lock comes from the npm package pyodide@0.27.7 (package-lock.json).
    official_lock = runtime_files.get("pyodide-lock.json") or pyodide_files.npm_lock()
    lock = demos_wheel.site_lock(official_lock, wheel)
    # Python's bytecode, compiled here once, instead of in every reader's browser on every load.
    compiled = (pyodide_bytecode.compile_runtime(runtime_files)
                if runtime_files and pyodide_bytecode.matches_pyodide() else {})
    # Plotly.js bundled from npm sources so that its start-up runs in short tasks (frontend/plotly.js).
    _state.update(runtime_files=runtime_files, wheel=wheel, plotly=plotly_bundle.build(),
                  compiled=compiled, lock=pyodide_bytecode.point_lock_at_copies(lock, compiled))
    log.info("Pyodide %s: %s", pyodide_files.VERSION,
             f"self-hosted from {runtime_dir}" if runtime_dir else f"CDN {pyodide_files.cdn_url()}")
    # First among the extra scripts: they run right after Material's bundle (see boot.js for why).
    # theme.js: the figures' colours, shared by the widget host and the notebook pages.
    link_assets(config, first_scripts=("assets/cs231n/config.js", "assets/cs231n/boot.js",
                                       "assets/cs231n/theme.js"),
                styles=("assets/cs231n/host.css",))
    return config


def _runtime_config() -> dict:
    self_hosted = bool(_state["runtime_files"])
    return {
        "version": pyodide_files.VERSION,
        "selfHosted": self_hosted,
        "indexURL": "pyodide/" if self_hosted else pyodide_files.cdn_url(),
        # null: Pyodide's default, python_stdlib.zip beside pyodide.js
        "stdLibURL": (f"pyodide/{pyodide_bytecode.SERVED_DIR}/{pyodide_bytecode.STDLIB}"
                      if pyodide_bytecode.STDLIB in _state["compiled"] else None),
        "lockURL": "pyodide/pyodide-lock.json",
        "siteWheels": ["demos"],
        "plotly": f"{VENDOR}/{_state['plotly'].name}",
        # KaTeX itself is copied (and put on every page) by hooks/notes.py
        "katex": "assets/katex/katex.min.js",
        "katexCSS": "assets/katex/katex.min.css",
    }


def on_files(files: Files, config) -> Files:
    def add(uri: str, **source) -> None:
        add_generated(files, config, uri, **source)

    runtime_config = _runtime_config()
    for name, path in _state["runtime_files"].items():
        if name != "pyodide-lock.json":
            add(f"pyodide/{name}", path=path)
    for name, path in _state["compiled"].items():
        add(f"pyodide/{pyodide_bytecode.SERVED_DIR}/{name}", path=path)
    add("pyodide/pyodide-lock.json", content=_state["lock"])
    add(f"pyodide/{_state['wheel'].name}", path=_state["wheel"])
    add(runtime_config["plotly"], path=_state["plotly"])
    add("assets/cs231n/config.js",
        content=f"window.CS231N_RUNTIME = {json.dumps(runtime_config, indent=2)};\n")
    return files


def on_serve(server, config, builder):
    server.watch(str(ROOT / "demos"))
    return server
