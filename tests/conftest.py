"""Shared fixtures: the real site built once, served on 127.0.0.1, and driven in Debian's Chromium.

Browser tests use the ``page`` fixture. It records every request and console message; when the test
ends it fails if a request left 127.0.0.1 or the page logged an error (``page.allow_console_errors``
lists substrings a test expects, e.g. a deliberately failing runtime).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYODIDE_DIR = Path(os.environ.get("PYODIDE_DIR", ROOT.parent / "shared" / "pyodide" / "0.27.7"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def build_env(**extra: str) -> dict:
    """Environment for ``mkdocs build`` in tests: the local Pyodide copy, no MkDocs 2 notice."""
    env = dict(os.environ, PYODIDE_DIR=str(PYODIDE_DIR), NO_MKDOCS_2_WARNING="1")
    env.update(extra)
    return env


def mkdocs_build(site_dir: Path, project: Path = ROOT, **extra_env: str) -> subprocess.CompletedProcess:
    """Run the real ``mkdocs build --strict`` of ``project`` (this checkout, or a copy made by
    ``project_copy``) into ``site_dir``; returns the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project, env=build_env(**extra_env), capture_output=True, text=True, timeout=600,
    )


def project_copy(destination: Path) -> Path:
    """The project's sources copied to ``destination``, sharing ``node_modules`` and the build
    caches (``.cache``), for a real build with a file changed. -> ``destination``."""
    for name in ("notes", "docs", "demos", "hooks", "sitekit", "frontend"):
        shutil.copytree(ROOT / name, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "package.json", "package-lock.json"):
        shutil.copy2(ROOT / name, destination / name)
    (ROOT / ".cache").mkdir(exist_ok=True)
    for name in ("node_modules", ".cache"):
        (destination / name).symlink_to(ROOT / name)
    return destination


def runtime_config(site_dir: Path) -> dict:
    """What a built site tells the browser about its runtime (assets/cs231n/config.js)."""
    text = (site_dir / "assets" / "cs231n" / "config.js").read_text()
    return json.loads(text[text.index("{"): text.rindex("}") + 1])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output readable
        pass


class _CrossOriginHandler(_QuietHandler):
    """Also lets other origins read the files, as the official CDN (jsDelivr) does."""

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A browser context closed while a file was still being sent: not the site's fault.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def serve(directory: Path, cross_origin: bool = False) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``directory`` (it may be filled later) on an ephemeral 127.0.0.1 port in a daemon thread;
    ``cross_origin``: readable from other origins, like a CDN."""
    handler = functools.partial(_CrossOriginHandler if cross_origin else _QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def build_and_serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Bind the server first, then build with ``SITE_URL`` set to its address: Material's instant
    navigation only intercepts links whose origin (port included) matches the sitemap's."""
    server, url = serve(site)
    result = mkdocs_build(site, SITE_URL=url + "/")
    if result.returncode != 0:
        server.shutdown()
        raise RuntimeError(result.stdout + result.stderr)
    return server, url


@pytest.fixture(scope="session")
def _served_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    server, url = build_and_serve(site)
    yield site, url
    server.shutdown()


@pytest.fixture(scope="session")
def site_dir(_served_site) -> Path:
    """The site built once per test session with the self-hosted Pyodide runtime."""
    return _served_site[0]


@pytest.fixture(scope="session")
def site_url(_served_site) -> str:
    """Where ``site_dir`` is served: ``http://127.0.0.1:<port>`` (no trailing slash)."""
    return _served_site[1]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"


@pytest.fixture
def page(browser, request):
    """A fresh page (own context, so a cold cache) that guards against outside requests and errors."""
    viewport = getattr(request, "param", None) or {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport, locale="ko-KR")
    page = context.new_page()
    page.requests = []
    page.outside_requests = []
    page.console_errors = []
    page.allow_console_errors = []

    def on_request(req):
        page.requests.append(req.url)
        if not is_local(req.url):
            page.outside_requests.append(req.url)

    page.on("request", on_request)
    page.failed_responses = []
    page.on("response", lambda r: r.status >= 400 and page.failed_responses.append(f"{r.status} {r.url}"))
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(f"pageerror: {exc}"))
    # Requests that leave 127.0.0.1 are aborted (so nothing leaks) and reported.
    context.route(lambda url: not is_local(url), lambda route: route.abort())
    yield page
    context.close()
    unexpected = [e for e in page.console_errors
                  if not any(allowed in e for allowed in page.allow_console_errors)]
    assert not page.outside_requests, f"requests left 127.0.0.1: {page.outside_requests}"
    assert not unexpected, f"console errors: {unexpected}; failed responses: {page.failed_responses}"
