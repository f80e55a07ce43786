#!/usr/bin/env python3
"""The project's one entry point.

    python3 build.py serve            set up everything, then serve on http://127.0.0.1:8000
    python3 build.py test [pytest args]   set up everything, then run all tests
    python3 build.py build            set up, then `mkdocs build --strict` into site/
    python3 build.py import README.md [--force]   split a README into notes/
    python3 build.py notebooks [names] [--check]   re-run docs/notebooks/*.ipynb (outputs are checked in)
    python3 build.py fetch-pyodide    download Pyodide 0.27.7 from the official CDN into .cache/
    python3 build.py bench            print the benchmark tables (real Chromium, real runtime)
    python3 build.py setup            only set up (.venv with Python 3.12, pip and npm packages)

Set-up is idempotent and quick when nothing changed: it reinstalls only when requirements.txt or
package-lock.json changed since the last run (a stamp in .venv / node_modules records their hash).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
SHARED_PYODIDE = ROOT.parent / "shared" / "pyodide" / "0.27.7"


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.read_bytes())
    return h.hexdigest()


def _run(cmd: list[str], **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def _python312() -> str:
    """A Python 3.12 interpreter to create the venv with (pyenv honours .python-version)."""
    if sys.version_info[:2] == (3, 12):
        return sys.executable
    for candidate in ("python3.12", "python3"):
        path = shutil.which(candidate)
        if path:
            out = subprocess.run([path, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
                                 capture_output=True, text=True, cwd=ROOT)
            if out.stdout.strip() == "True":
                return path
    sys.exit("Python 3.12가 필요합니다 (Python 3.12 is required; e.g. `pyenv install 3.12`).")


def setup() -> None:
    """Create .venv (Python 3.12) and install the pinned Python and npm packages when they changed."""
    if not VENV_PYTHON.exists():
        _run([_python312(), "-m", "venv", str(VENV)])
    stamp = VENV / ".requirements.sha256"
    wanted = _digest(ROOT / "requirements.txt")
    if not stamp.exists() or stamp.read_text() != wanted:
        _run([str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q",
              "-r", str(ROOT / "requirements.txt")])
        stamp.write_text(wanted)
    node_stamp = ROOT / "node_modules" / ".lock.sha256"
    wanted = _digest(ROOT / "package-lock.json")
    if not node_stamp.exists() or node_stamp.read_text() != wanted:
        if not shutil.which("npm"):
            sys.exit("npm이 필요합니다 (npm is required: `apt-get install -y npm`).")
        _run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT)
        node_stamp.write_text(wanted)


def _env() -> dict:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def _exec_in_venv(args: list[str], env: dict | None = None) -> None:
    """Replace this process with ``.venv/bin/python <args>`` (Ctrl-C then goes straight to it)."""
    os.chdir(ROOT)
    os.execve(str(VENV_PYTHON), [str(VENV_PYTHON), *args], env or _env())


def main(argv: list[str]) -> None:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command in ("help", "-h", "--help"):
        print(__doc__)
        return
    if command == "setup":
        setup()
        return
    setup()
    if command == "serve":
        _exec_in_venv(["-m", "mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *rest])
    elif command == "build":
        _exec_in_venv(["-m", "mkdocs", "build", "--strict", *rest])
    elif command == "test":
        env = _env()
        if "PYODIDE_DIR" not in env and SHARED_PYODIDE.is_dir():
            env["PYODIDE_DIR"] = str(SHARED_PYODIDE)
        _exec_in_venv(["-m", "pytest", *rest], env)
    elif command == "import":
        _exec_in_venv(["-m", "sitekit.notes_import", *rest])
    elif command == "notebooks":
        _exec_in_venv(["-m", "sitekit.notebooks", *rest])
    elif command == "fetch-pyodide":
        _exec_in_venv(["-m", "sitekit.pyodide_files", "fetch", *rest])
    elif command == "bench":
        env = _env()
        if "PYODIDE_DIR" not in env and SHARED_PYODIDE.is_dir():
            env["PYODIDE_DIR"] = str(SHARED_PYODIDE)
        _exec_in_venv(["-m", "sitekit.bench", *rest], env)
    else:
        sys.exit(f"알 수 없는 명령: {command}\n{__doc__}")


if __name__ == "__main__":
    main(sys.argv[1:])
