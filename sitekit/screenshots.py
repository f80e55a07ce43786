"""Screenshots of site pages in light and dark mode, desktop and phone width, for a visual check.

    .venv/bin/python -m sitekit.screenshots                      # home, Lectures 2, 5, 9
    .venv/bin/python -m sitekit.screenshots / lectures/lecture-06/ --site /tmp/site --out shots

Builds the site (``mkdocs build --strict`` with the local Pyodide copy) unless ``--site`` names a
built one, serves it on 127.0.0.1, and drives Debian's Chromium (the flags the tests use). The colour
scheme is chosen the way a reader's system would: ``prefers-color-scheme`` emulation, which
Material's palette follows on a first visit; each shot checks that the page really switched
(``data-md-color-scheme`` = ``default`` / ``slate``). Files land in ``screenshots/`` (git-ignored)
as ``<page>-<light|dark>-<width>.png``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, is_local, mkdocs_build, serve  # noqa: E402

DEFAULT_PAGES = ["/", "/lectures/lecture-02/", "/lectures/lecture-05/", "/lectures/lecture-09/"]
WIDTHS = {1280: 900, 390: 844}
SCHEMES = {"light": "default", "dark": "slate"}


def shot_name(path: str, scheme: str, width: int) -> str:
    slug = path.strip("/").replace("/", "-") or "home"
    return f"{slug}-{scheme}-{width}.png"


def capture(site: Path, out: Path, pages: list[str], wait_demos: float = 0) -> list[Path]:
    """Screenshot every page x scheme x width; returns the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    server, url = serve(site)
    written = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for scheme, material_scheme in SCHEMES.items():
                for width, height in WIDTHS.items():
                    context = browser.new_context(viewport={"width": width, "height": height},
                                                  color_scheme=scheme, locale="ko-KR",
                                                  device_scale_factor=1)
                    context.route(lambda u: not is_local(u), lambda route: route.abort())
                    page = context.new_page()
                    for path in pages:
                        page.goto(url + path, wait_until="networkidle")
                        actual = page.evaluate("document.body.dataset.mdColorScheme")
                        if actual != material_scheme:
                            raise RuntimeError(f"{path}: 색 구성표가 {material_scheme}이 아니라 "
                                               f"{actual}입니다.")
                        if wait_demos and page.locator(".cs231n-demo").count():
                            # Widgets start when scrolled into view; a full-page shot wants them all.
                            page.wait_for_function("document.querySelector('.cs231n-demo').cs231nWidget")
                            page.evaluate("Promise.all([...document.querySelectorAll('.cs231n-demo')]"
                                          ".map((d) => d.cs231nWidget.activate()))")
                            page.wait_for_function(
                                "[...document.querySelectorAll('.cs231n-demo')].every("
                                "d => d.dataset.state === 'error' || Number(d.dataset.updates) >= 1)",
                                timeout=wait_demos * 1000)
                        page.wait_for_timeout(600)  # KaTeX and fonts settle
                        target = out / shot_name(path, scheme, width)
                        page.screenshot(path=str(target), full_page=True)
                        written.append(target)
                    context.close()
            browser.close()
    finally:
        server.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="사이트 페이지를 라이트/다크, 1280/390 px로 캡처합니다.")
    parser.add_argument("pages", nargs="*", default=DEFAULT_PAGES, help="사이트 안의 경로 (예: /roadmap/)")
    parser.add_argument("--site", type=Path, help="이미 빌드한 사이트 폴더 (없으면 새로 빌드)")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="PNG를 쓸 폴더")
    parser.add_argument("--wait-demos", type=float, default=0,
                        help="데모가 준비될 때까지 기다릴 최대 초 (0이면 기다리지 않음)")
    args = parser.parse_args(argv)
    site = args.site
    if site is None:
        site = Path(tempfile.mkdtemp(prefix="cs231n-shots-"))
        result = mkdocs_build(site)
        if result.returncode != 0:
            print(result.stdout + result.stderr, file=sys.stderr)
            return 1
    for path in capture(site, args.out, args.pages, args.wait_demos):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
