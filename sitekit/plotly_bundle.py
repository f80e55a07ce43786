"""The site's Plotly.js: ``frontend/plotly.js`` bundled with esbuild from the npm package plotly.js.

Both come from ``package-lock.json`` (``build.py setup`` runs ``npm ci``); nothing third-party is kept
in the repository. The bundle is cached under ``.cache/plotly`` by a key of everything that goes into
it (entry file, plotly.js and esbuild versions), so builds after the first take no time.

    python3 -m sitekit.plotly_bundle      # build (or find) it and print its path
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "frontend" / "plotly.js"
NODE_MODULES = ROOT / "node_modules"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
CACHE = ROOT / ".cache" / "plotly"
# `global` is Node's name for the global object; a few of Plotly's dependencies use it. Plotly's
# registry imports the map traces' stylesheet; no map trace is bundled, so it is left out.
ESBUILD_OPTIONS = ["--bundle", "--minify", "--format=iife", "--define:global=window",
                   "--loader:.css=empty", "--log-level=warning"]


def _package_version(name: str) -> str:
    manifest = NODE_MODULES / name / "package.json"
    if not manifest.exists():
        raise RuntimeError(f"node_modules/{name}가 없습니다: `python3 build.py setup`으로 npm 패키지를 "
                           f"설치하세요 (npm package {name} is missing).")
    return json.loads(manifest.read_text())["version"]


def plotly_version() -> str:
    return _package_version("plotly.js")


def bundle_name() -> str:
    """``plotly-<version>-<key>.min.js``: the key changes whenever the bundle's inputs do."""
    inputs = [ENTRY.read_bytes(), plotly_version().encode(), _package_version("esbuild").encode(),
              " ".join(ESBUILD_OPTIONS).encode()]
    key = hashlib.sha256(b"\0".join(inputs)).hexdigest()[:10]
    return f"plotly-{plotly_version()}-{key}.min.js"


def build(cache: Path = CACHE) -> Path:
    """Path of the minified bundle, built with esbuild unless the cache has it."""
    out = cache / bundle_name()
    if out.exists():
        return out
    cache.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    subprocess.run([str(ESBUILD), str(ENTRY), *ESBUILD_OPTIONS, f"--outfile={partial}"],
                   cwd=ROOT, check=True, env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
    partial.replace(out)
    for stale in cache.glob("plotly-*.min.js"):
        if stale != out:
            stale.unlink()
    return out


if __name__ == "__main__":
    print(build())
    sys.exit(0)
