"""Without a local runtime copy the site loads Pyodide from the CDN (the README's `serve` on a fresh
machine does). Checked offline against a stand-in: the same official files on another 127.0.0.1
origin, readable cross-origin as jsDelivr serves them (``PYODIDE_CDN_URL`` points the build at it).
"""

import pytest

from conftest import PYODIDE_DIR, ROOT, mkdocs_build, runtime_config, serve
from widget_helpers import open_widget

LECTURE_5 = "/lectures/lecture-05/"
LAYER = '.cs231n-demo[data-demo="conv-layer"]'


@pytest.fixture(scope="module")
def cdn_site(tmp_path_factory):
    if (ROOT / ".cache" / "pyodide").exists():
        pytest.skip("a local fetch-pyodide cache exists; the site self-hosts from it then")
    cdn, cdn_url = serve(PYODIDE_DIR, cross_origin=True)
    site_dir = tmp_path_factory.mktemp("cdn-site")
    server, url = serve(site_dir)
    result = mkdocs_build(site_dir, SITE_URL=url + "/", PYODIDE_DIR="", PYODIDE_CDN_URL=cdn_url + "/")
    assert result.returncode == 0, result.stdout + result.stderr
    yield site_dir, url, cdn_url
    server.shutdown()
    cdn.shutdown()


def test_the_site_names_the_cdn_and_serves_only_its_own_files(cdn_site):
    site_dir, _, cdn_url = cdn_site
    config = runtime_config(site_dir)
    assert config["selfHosted"] is False and config["indexURL"] == cdn_url + "/"
    assert config["stdLibURL"] is None
    assert sorted(p.name for p in (site_dir / "pyodide").iterdir()) == sorted(
        ["pyodide-lock.json", next((site_dir / "pyodide").glob("demos-*.whl")).name])


def test_a_widget_runs_on_the_runtime_from_the_cdn(page, cdn_site):
    _, url, cdn_url = cdn_site
    open_widget(page, url + LECTURE_5, LAYER)
    assert "10 × 32 × 32" in page.inner_text(f"{LAYER} .cs231n-stats")
    from_cdn = {u.removeprefix(cdn_url + "/") for u in page.requests if u.startswith(cdn_url)}
    assert {"pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
            "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"} <= from_cdn
    # The site's own lock and demos wheel come from the site; nothing of the runtime does.
    from_site = sorted(u.rsplit("/", 1)[1] for u in page.requests if u.startswith(url + "/pyodide/"))
    assert len(from_site) == 2 and from_site[0].startswith("demos-1.0+") and from_site[1] == "pyodide-lock.json"
