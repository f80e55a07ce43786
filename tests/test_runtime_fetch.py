"""A clone with no PYODIDE_DIR and no ../shared gets the pinned runtime itself: build.py's set-up
fetches it once into .cache/ from PYODIDE_CDN_URL, every file sha256-checked; without it `build`
goes on in CDN mode and `test` stops, each saying so. The "CDN" is a mirror of the official files on
127.0.0.1 (or a closed port on it, for a machine without network)."""

import importlib.util
import os
import shutil
import socket
import subprocess
import sys

import pytest

from conftest import PYODIDE_DIR, ROOT, runtime_config, serve
from sitekit import pyodide_files

NUMPY = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
CDN_NOTICE = "CDN 모드로 진행합니다"


def load_build_py():
    # Loaded from its path: `import build` could find pypa's `build` package instead.
    spec = importlib.util.spec_from_file_location("build_py", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_py = load_build_py()


@pytest.fixture
def mirror(tmp_path):
    """A copy of the official files served on 127.0.0.1; yields ``(folder, url, server)``."""
    folder = tmp_path / "mirror"
    shutil.copytree(PYODIDE_DIR, folder)
    server, url = serve(folder)
    yield folder, url + "/", server
    server.shutdown()


def tamper(path) -> None:
    path.chmod(0o644)
    with path.open("r+b") as f:
        f.seek(1000)
        f.write(b"tampered")


def closed_port_url() -> str:
    """A 127.0.0.1 address nothing listens on: a fetch from it fails at once, as offline."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def set_up(command, cache, monkeypatch, url, **env):
    """build.py's runtime set-up in a clone without ../shared, fetching from ``url``."""
    monkeypatch.setenv("PYODIDE_CDN_URL", url)
    return build_py._runtime_env(command, env, shared=cache.parent / "no-shared", cache=cache)


def test_a_named_or_shared_runtime_is_used_without_the_network(tmp_path, monkeypatch, capsys):
    cache, shared = tmp_path / ".cache" / "pyodide" / "0.27.7", tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setenv("PYODIDE_CDN_URL", closed_port_url())
    env = build_py._runtime_env("test", {"PYODIDE_DIR": "/named"}, shared=shared, cache=cache)
    assert env["PYODIDE_DIR"] == "/named"
    env = build_py._runtime_env("test", {}, shared=shared, cache=cache)
    assert env["PYODIDE_DIR"] == str(shared)
    assert capsys.readouterr().out == "" and not (tmp_path / ".cache").exists()


def test_the_runtime_is_fetched_once_and_a_tampered_cache_is_fetched_again(tmp_path, mirror, monkeypatch,
                                                                         capsys):
    _, url, server = mirror
    cache = tmp_path / "clone" / ".cache" / "pyodide" / "0.27.7"
    assert set_up("test", cache, monkeypatch, url)["PYODIDE_DIR"] == str(cache)
    assert set(pyodide_files.verify(cache)) == set(pyodide_files.expected_files(PYODIDE_DIR))
    assert f"fetched {NUMPY}" in capsys.readouterr().out
    assert set_up("build", cache, monkeypatch, url)["PYODIDE_DIR"] == str(cache)
    assert "  fetched " not in capsys.readouterr().out          # once: the verified cache is used
    tamper(cache / "python_stdlib.zip")
    assert set_up("build", cache, monkeypatch, url)["PYODIDE_DIR"] == str(cache)
    assert capsys.readouterr().out.count("  fetched ") == len(pyodide_files.expected_files(PYODIDE_DIR))
    assert pyodide_files.cached_runtime(cache) == cache
    server.shutdown()
    assert set_up("test", cache, monkeypatch, url)["PYODIDE_DIR"] == str(cache)  # no network needed now


def test_a_tampered_file_on_the_mirror_is_refused_and_nothing_is_kept(tmp_path, mirror, monkeypatch, capsys):
    folder, url, _ = mirror
    tamper(folder / NUMPY)
    cache = tmp_path / "clone" / ".cache" / "pyodide" / "0.27.7"
    assert "PYODIDE_DIR" not in set_up("build", cache, monkeypatch, url)
    notices = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("  fetched ")]
    assert len(notices) == 1 and CDN_NOTICE in notices[0]
    assert f"sha256 mismatch for {url}{NUMPY}" in notices[0]
    assert not cache.exists() and not list(cache.parent.glob("*.part"))
    with pytest.raises(SystemExit) as stopped:
        set_up("test", cache, monkeypatch, url)
    assert "sha256 mismatch" in str(stopped.value) and "python3 build.py fetch-pyodide" in str(stopped.value)
    assert not cache.exists() and not list(cache.parent.glob("*.part"))


# End to end: build.py itself in a copy of the project (its .venv and node_modules linked, so set-up
# installs nothing) with no ../shared beside it and no PYODIDE_DIR.

@pytest.fixture
def clone(tmp_path):
    copy = tmp_path / "clone"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", ".cache", "site", "__pycache__", ".pytest_cache"))
    for installed in (".venv", "node_modules"):
        (copy / installed).symlink_to((ROOT / installed).resolve())
    # Set-up reinstalls when a stamp does not match; never into the linked, shared folders.
    for stamp, pinned in ((".venv/.requirements.sha256", "requirements.txt"),
                          ("node_modules/.lock.sha256", "package-lock.json")):
        if (copy / stamp).read_text() != build_py._digest(copy / pinned):
            pytest.skip(f"{stamp} is stale: run `python3 build.py setup` first")
    assert not (tmp_path / "shared").exists()
    return copy


def build_py_in(clone, url, *args):
    env = {k: v for k, v in os.environ.items() if k != "PYODIDE_DIR"}
    return subprocess.run([sys.executable, "build.py", *args], cwd=clone, capture_output=True, text=True,
                          env={**env, "PYODIDE_CDN_URL": url}, timeout=600)


def test_a_fresh_clone_fetches_the_runtime_and_its_site_self_hosts_it(clone, mirror):
    _, url, server = mirror
    built = build_py_in(clone, url, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    cache = clone / ".cache" / "pyodide" / "0.27.7"
    assert f"fetched {NUMPY}" in built.stdout and f"self-hosted from {cache}" in built.stderr
    config = runtime_config(clone / "site")
    assert config["selfHosted"] is True and config["indexURL"] == "pyodide/"
    for name, digest in pyodide_files.expected_files(cache).items():
        assert pyodide_files.sha256_of(cache / name) == digest, name
        if name != "pyodide-lock.json":  # the site serves its own lock
            assert pyodide_files.sha256_of(clone / "site" / "pyodide" / name) == digest, name
    server.shutdown()
    again = build_py_in(clone, url, "test", "--version")  # the cache serves; the mirror is gone
    assert again.returncode == 0 and "  fetched " not in again.stdout, again.stdout + again.stderr


def test_offline_a_fresh_clone_builds_in_cdn_mode_and_test_stops(clone):
    url = closed_port_url()
    tested = build_py_in(clone, url, "test")
    assert tested.returncode != 0 and "test session starts" not in tested.stdout
    assert "런타임이 없어 `test`를 멈춥니다" in tested.stderr and "python3 build.py fetch-pyodide" in tested.stderr
    built = build_py_in(clone, url, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    notices = [line for line in built.stdout.splitlines() if "Pyodide" in line]
    assert len(notices) == 1 and CDN_NOTICE in notices[0] and url in notices[0]
    config = runtime_config(clone / "site")
    assert config["selfHosted"] is False and config["indexURL"] == url
    assert not (clone / ".cache" / "pyodide" / "0.27.7").exists()
