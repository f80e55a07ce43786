#!/usr/bin/env python3
"""The project's one entry point.

    python3 build.py serve            set up everything, then serve on http://127.0.0.1:8000
    python3 build.py test [pytest args]   set up everything, then run all tests
    python3 build.py build            set up, then `mkdocs build --strict` into site/
    python3 build.py import README.md [--force]   split a README into notes/
    python3 build.py notebooks [names] [--check]   re-run docs/notebooks/*.ipynb (outputs are checked in)
    python3 build.py fetch-pyodide    download Pyodide 0.27.7 from the official CDN into .cache/ (serve,
                                      build, test and bench do it themselves when there is no copy)
    python3 build.py bench            print the benchmark tables (real Chromium, real runtime)
    python3 build.py setup            only set up (.venv with Python 3.12, pip and npm packages)

Set-up is idempotent and quick when nothing changed: it reinstalls only when requirements.txt or
package-lock.json changed since the last run (a stamp in .venv / node_modules records their hash).
serve, build, test and bench also name the Pyodide runtime the site self-hosts (PYODIDE_DIR, else
../shared/pyodide/0.27.7, else .cache/, fetched there once and sha256-checked; see _runtime_env).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sitekit import pyodide_files  # standard library only: usable before the venv exists

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


def _runtime_env(command: str, env: dict, shared: Path = SHARED_PYODIDE,
                 cache: Path = pyodide_files.CACHE_DIR) -> dict:
    """``env`` with ``PYODIDE_DIR`` naming the runtime the site self-hosts: the one already named,
    else ``../shared``'s, else ``.cache``'s, fetched there once (from ``PYODIDE_CDN_URL`` or the CDN)."""
    if env.get("PYODIDE_DIR"):
        return env
    if shared.is_dir():  # CI and the team's machines: never the network
        return {**env, "PYODIDE_DIR": str(shared)}
    try:
        runtime = pyodide_files.cached_runtime(cache) or pyodide_files.fetch(cache)
    except (OSError, pyodide_files.RuntimeFilesError) as error:
        _without_runtime(command, error)
        return env
    return {**env, "PYODIDE_DIR": str(runtime)}


def _without_runtime(command: str, error: Exception) -> None:
    """No local runtime: ``serve``/``build`` go on in CDN mode with one line; ``test``/``bench``
    (which need the files) stop, saying what to run."""
    if command in ("test", "bench"):
        sys.exit(f"Pyodide {pyodide_files.VERSION} 런타임이 없어 `{command}`를 멈춥니다 (no Pyodide runtime): {error}\n"
                 "네트워크에 연결해 `python3 build.py fetch-pyodide`를 실행하거나 PYODIDE_DIR에 런타임 폴더를 지정하세요"
                 " (run `python3 build.py fetch-pyodide` online, or set PYODIDE_DIR to a runtime folder).")
    print(f"Pyodide 런타임을 받지 못해 CDN 모드로 진행합니다: 브라우저가 {pyodide_files.cdn_url()} 에서 불러옵니다"
          f" (could not fetch the runtime, so the site loads it from the CDN: {error})", flush=True)


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
        _exec_in_venv(["-m", "mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *rest],
                      _runtime_env(command, _env()))
    elif command == "build":
        _exec_in_venv(["-m", "mkdocs", "build", "--strict", *rest], _runtime_env(command, _env()))
    elif command == "test":
        _exec_in_venv(["-m", "pytest", *rest], _runtime_env(command, _env()))
    elif command == "import":
        _exec_in_venv(["-m", "sitekit.notes_import", *rest])
    elif command == "notebooks":
        _exec_in_venv(["-m", "sitekit.notebooks", *rest])
    elif command == "fetch-pyodide":
        _exec_in_venv(["-m", "sitekit.pyodide_files", "fetch", *rest])
    elif command == "bench":
        _exec_in_venv(["-m", "sitekit.bench", *rest], _runtime_env(command, _env()))
    else:
        sys.exit(f"알 수 없는 명령: {command}\n{__doc__}")


if __name__ == "__main__":
    main(sys.argv[1:])
