"""The Pyodide 0.27.7 runtime files the site serves itself, pinned by sha256.

Where the runtime comes from, in order:
1. ``PYODIDE_DIR`` (e.g. ``../shared/pyodide/0.27.7``) when set;
2. ``.cache/pyodide/0.27.7``, fetched once from the official CDN (or ``PYODIDE_CDN_URL``) by
   ``python3 build.py build|serve|test|bench`` when there is no other copy, or by ``build.py fetch-pyodide``;
3. otherwise the site loads the official CDN at run time (``CDN_URL``, or a mirror of it named by
   ``PYODIDE_CDN_URL``: the browser tests use one on 127.0.0.1 to check this mode offline).

A local copy is used only after every file matches its pinned sha256, so a corrupted or tampered
copy fails the build loudly instead of failing in a reader's browser.

    python -m sitekit.pyodide_files fetch [--dest DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path

VERSION = "0.27.7"
CDN_URL = f"https://cdn.jsdelivr.net/pyodide/v{VERSION}/full/"
ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / ".cache" / "pyodide" / VERSION
# Seconds per connection or read while fetching: an offline machine is told at once, not after minutes.
FETCH_TIMEOUT = 10

# The npm package pyodide@0.27.7, unchanged.
CORE_FILES = {
    "pyodide.js": "b4cb23a53aba19c221659b9fb40a2f18281d685691dc06647fb0afd0681baf98",
    "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    "pyodide-lock.json": "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
    "package.json": "bf221f60c881626236d3501375a97753672a7fa6fed70e469e083f157c8a30d4",
}
# Packages the demos need; their pinned sha256 is the one the official pyodide-lock.json records.
PACKAGES = ("numpy",)


class RuntimeFilesError(RuntimeError):
    """A local runtime copy is missing a file or a file does not match its pinned sha256."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_files(lock: dict) -> dict[str, str]:
    """``{wheel file name: sha256}`` for ``PACKAGES`` and their dependencies, from the official lock."""
    wanted, seen = list(PACKAGES), {}
    while wanted:
        entry = lock["packages"][wanted.pop()]
        seen[entry["file_name"]] = entry["sha256"]
        wanted.extend(dep for dep in entry["depends"] if lock["packages"][dep]["file_name"] not in seen)
    return seen


def official_lock(directory: Path) -> dict:
    return json.loads((directory / "pyodide-lock.json").read_text())


def expected_files(directory: Path) -> dict[str, str]:
    """Every file the site needs from ``directory`` with its pinned sha256 (lock checked first)."""
    _check(directory, {"pyodide-lock.json": CORE_FILES["pyodide-lock.json"]})
    return {**CORE_FILES, **package_files(official_lock(directory))}


def _check(directory: Path, files: dict[str, str]) -> None:
    for name, digest in files.items():
        path = directory / name
        if not path.is_file():
            raise RuntimeFilesError(f"Pyodide runtime file missing: {path}")
        actual = sha256_of(path)
        if actual != digest:
            raise RuntimeFilesError(
                f"sha256 mismatch for {path}: expected {digest}, got {actual}")


@lru_cache(maxsize=4)
def _verified(directory: Path, fingerprint: tuple) -> dict[str, Path]:
    files = expected_files(directory)
    _check(directory, files)
    return {name: directory / name for name in files}


def verify(directory: Path) -> dict[str, Path]:
    """Check every needed file; returns ``{name: path}``. Re-hashes only when a file changed."""
    directory = directory.resolve()
    fingerprint = tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                               for p in directory.iterdir() if p.is_file()))
    return _verified(directory, fingerprint)


def npm_lock() -> Path:
    """The official pyodide-lock.json from the npm package pyodide@0.27.7, checked against its pin."""
    directory = ROOT / "node_modules" / "pyodide"
    _check(directory, {"pyodide-lock.json": CORE_FILES["pyodide-lock.json"]})
    return directory / "pyodide-lock.json"


def cdn_url() -> str:
    """Where the browser loads the runtime when the site has no local copy: the official CDN, or
    the mirror of it that ``PYODIDE_CDN_URL`` names (same files, same paths)."""
    return os.environ.get("PYODIDE_CDN_URL") or CDN_URL


def local_runtime_dir() -> Path | None:
    """The folder to self-host the runtime from, or ``None`` to use the CDN."""
    named = os.environ.get("PYODIDE_DIR")
    if named:
        directory = Path(named).expanduser()
        if not directory.is_dir():
            raise RuntimeFilesError(f"PYODIDE_DIR is not a folder: {directory}")
        return directory
    if (CACHE_DIR / "pyodide-lock.json").is_file():
        return CACHE_DIR
    return None


def cached_runtime(dest: Path = CACHE_DIR) -> Path | None:
    """``dest`` when it holds every runtime file with its pinned sha256, else ``None``."""
    try:
        verify(dest)
    except (OSError, RuntimeFilesError):
        return None
    return dest


def _download(url: str, target: Path, digest: str, timeout: float) -> None:
    """Write ``url``'s body to ``target`` only if it has the pinned ``digest``."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        raise RuntimeFilesError(f"{url}: {error}") from error
    except OSError as error:  # no network, a refused connection, a timeout
        raise RuntimeFilesError(f"{url}: {getattr(error, 'reason', error)}") from error
    if hashlib.sha256(body).hexdigest() != digest:
        raise RuntimeFilesError(f"sha256 mismatch for {url}: refused, nothing kept")
    target.write_bytes(body)
    print(f"  fetched {target.name}", flush=True)


def fetch(dest: Path = CACHE_DIR, base_url: str | None = None, timeout: float = FETCH_TIMEOUT) -> Path:
    """Download the runtime files from the official CDN (or ``cdn_url()``'s mirror) into ``dest``.

    Files go to a staging folder beside ``dest`` and move into it only once every one matches its
    pin; on any failure the staging folder is removed and ``dest`` is left as it was, so a partial or
    tampered download is never kept. ``timeout``: seconds per connection or read."""
    if cached_runtime(dest):
        print(f"Pyodide {VERSION} is already in {dest}")
        return dest
    base_url = base_url or cdn_url()
    staging = dest.with_name(dest.name + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for name, digest in CORE_FILES.items():
            _download(base_url + name, staging / name, digest, timeout)
        for name, digest in package_files(official_lock(staging)).items():
            _download(base_url + name, staging / name, digest, timeout)
        dest.mkdir(parents=True, exist_ok=True)
        for path in staging.iterdir():
            path.replace(dest / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"Pyodide {VERSION} is ready in {dest}")
    return dest


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="build.py fetch-pyodide", description=fetch.__doc__)
    parser.add_argument("command", choices=["fetch"])
    parser.add_argument("--dest", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    try:
        fetch(args.dest)
    except (OSError, RuntimeFilesError) as error:
        sys.exit(f"Pyodide를 내려받지 못했습니다: {error}")


if __name__ == "__main__":
    main(sys.argv[1:])
