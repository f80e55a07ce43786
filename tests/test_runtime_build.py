"""The runtime files in the built site: self-hosted and verified, or the official CDN."""

import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import PYODIDE_DIR, ROOT, mkdocs_build, runtime_config, serve
from sitekit import demos_wheel, plotly_bundle, pyodide_bytecode, pyodide_files


def test_self_hosted_site_serves_every_runtime_file_byte_for_byte(site_dir):
    config = runtime_config(site_dir)
    assert config["selfHosted"] is True and config["indexURL"] == "pyodide/"
    for name, digest in pyodide_files.expected_files(PYODIDE_DIR).items():
        served = site_dir / "pyodide" / name
        if name == "pyodide-lock.json":
            continue  # replaced by the site's own lock, checked below
        assert pyodide_files.sha256_of(served) == digest, name


def test_site_lock_adds_demos_wheel_with_its_real_hash_and_numpy_dependency(site_dir):
    lock = json.loads((site_dir / "pyodide" / "pyodide-lock.json").read_text())
    official = json.loads((PYODIDE_DIR / "pyodide-lock.json").read_text())
    assert lock["info"] == official["info"]
    # NumPy: the official entry, but loading the bytecode copy (checked below) with that copy's hash.
    numpy, official_numpy = lock["packages"]["numpy"], official["packages"]["numpy"]
    assert {k: v for k, v in numpy.items() if k not in ("file_name", "sha256")} == \
           {k: v for k, v in official_numpy.items() if k not in ("file_name", "sha256")}
    assert numpy["file_name"] == "pyc/" + official_numpy["file_name"]
    assert pyodide_files.sha256_of(site_dir / "pyodide" / numpy["file_name"]) == numpy["sha256"]
    demos = lock["packages"]["demos"]
    assert demos["depends"] == ["numpy"] and demos["imports"] == ["demos"]
    wheel = site_dir / "pyodide" / demos["file_name"]
    assert pyodide_files.sha256_of(wheel) == demos["sha256"]
    names = zipfile.ZipFile(wheel).namelist()
    assert "demos/widget.py" in names and "demos/bridge.py" in names
    assert "demos/widgets/linear.py" in names    # the widgets subpackage too
    # No stray local caches: the only bytecode is the wheel's own, one per module (in its folder).
    modules = sorted(n for n in names if n.endswith(".py"))
    assert sorted(n for n in names if "__pycache__" in n) == sorted(
        f"{n.rpartition('/')[0]}/__pycache__/{n.rpartition('/')[2][:-len('.py')]}."
        f"{pyodide_bytecode.PYODIDE_CACHE_TAG}.pyc" for n in modules)


def test_wheel_name_changes_with_the_sources(tmp_path):
    package = tmp_path / "demos"
    package.mkdir()
    (package / "__init__.py").write_text("x = 1\n")
    first = demos_wheel.build_wheel(tmp_path / "out", package)
    assert demos_wheel.build_wheel(tmp_path / "out", package) == first  # same sources, same wheel
    (package / "__init__.py").write_text("x = 2\n")
    second = demos_wheel.build_wheel(tmp_path / "out", package)
    assert second.name != first.name and second.name.startswith("demos-1.0+")


def test_widget_index_names_the_widgets_module_of_every_widget():
    from demos import widget
    index = demos_wheel.widget_index()
    assert set(index) == set(widget.registry())
    for widget_id, module in index.items():
        assert module.startswith("demos.widgets."), (widget_id, module)
        assert importlib.import_module(module).WIDGETS[widget_id] is widget.registry()[widget_id]


def test_widget_index_reads_only_the_widgets_folder(tmp_path):
    package = tmp_path / "demos"
    (package / "widgets").mkdir(parents=True)
    (package / "topic.py").write_text("WIDGETS = {'in-maths': 1}\n")
    (package / "widgets" / "topic.py").write_text("WIDGETS = {'shown': 1}\n")
    assert demos_wheel.widget_index(package) == {"shown": "demos.widgets.topic"}


@pytest.mark.parametrize(("source", "expected"), [
    ("WIDGETS = {'a': 1, 'b': 2}\nWIDGETS['c'] = 3\n", ["a", "b", "c"]),
    ("def f():\n    return WIDGETS\n", []),
    ("X = 1\n", []),
    ("WIDGETS = {'a': 1}\nWIDGETS.update(b=2)\n", None),
    ("WIDGETS = dict(a=1)\n", None),
    ("KEY = 'a'\nWIDGETS = {KEY: 1}\n", None),
])
def test_declared_widgets_are_read_only_from_literals(tmp_path, source, expected):
    module = tmp_path / "m.py"
    module.write_text(source)
    assert demos_wheel._declared_widgets(module) == expected


def test_in_the_wheel_a_widget_imports_only_its_own_module(tmp_path):
    wheel = demos_wheel.build_wheel(tmp_path / "wheel")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "site-packages")
        assert json.loads(archive.read("demos/widget_index.json")) == demos_wheel.widget_index()
    probe = ("import sys, demos.widget as w; w.describe('conv-layer'); w.update('lr-schedule'); "
             "print(' '.join(sorted(m for m in sys.modules if m.startswith('demos.'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path / "site-packages")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["demos.bridge", "demos.checks", "demos.conv", "demos.optim",
                                     "demos.optim_surfaces", "demos.plotting", "demos.raster",
                                     "demos.widget", "demos.widgets", "demos.widgets.conv",
                                     "demos.widgets.optim"]


# Imports the demos package from an unpacked wheel with compiling switched off: a module whose
# bytecode is not used raises.
NO_COMPILE_PROBE = """
import importlib.machinery, sys
sys.dont_write_bytecode = True
def refuse(self, data, path, **kwargs):
    raise RuntimeError(f"compiled from source: {path}")
importlib.machinery.SourceFileLoader.source_to_code = refuse
import demos.widget, demos.bridge, demos.conv
demos.widget.describe("conv-layer")
print(sys.modules["demos.widgets.conv"].__cached__)
print(demos.conv.__cached__)
"""


def test_the_wheel_carries_bytecode_that_python_uses_until_the_source_changes(tmp_path):
    assert pyodide_files.official_lock(PYODIDE_DIR)["info"]["python"].startswith("3.12.")
    assert sys.implementation.cache_tag == pyodide_bytecode.PYODIDE_CACHE_TAG  # .python-version: 3.12
    wheel = demos_wheel.build_wheel(tmp_path / "wheel")
    packages = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(packages)
    run = lambda: subprocess.run([sys.executable, "-c", NO_COMPILE_PROBE], capture_output=True, text=True,
                                 cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(packages)})
    result = run()
    assert result.returncode == 0, result.stderr
    widgets_conv, conv_cached = result.stdout.split()
    assert widgets_conv.endswith(f"widgets/__pycache__/conv.{pyodide_bytecode.PYODIDE_CACHE_TAG}.pyc")
    assert conv_cached.endswith(f"demos/__pycache__/conv.{pyodide_bytecode.PYODIDE_CACHE_TAG}.pyc")
    # The bytecode is checked against its source's hash: an edited module is compiled again.
    conv = packages / "demos" / "conv.py"
    conv.write_text(conv.read_text() + "\n# edited\n")
    result = run()
    assert result.returncode != 0 and "compiled from source" in result.stderr and "conv.py" in result.stderr


def members(archive) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


@pytest.mark.parametrize("name", ["python_stdlib.zip", "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"])
def test_the_site_serves_a_bytecode_copy_of_the_stdlib_and_numpy(site_dir, name):
    assert runtime_config(site_dir)["stdLibURL"] == "pyodide/pyc/python_stdlib.zip"
    original, copy = members(PYODIDE_DIR / name), members(site_dir / "pyodide" / "pyc" / name)
    assert len([n for n in original if n.endswith(".py")]) > 100
    assert not [n for n in original if n.endswith(".pyc")]
    # Every module is there as bytecode only, for Python 3.12 (Pyodide's); every other file is unchanged.
    assert sorted(copy) == sorted(n + "c" if n.endswith(".py") else n for n in original)
    for member, data in copy.items():
        if member.endswith(".pyc"):
            assert data[:4] == importlib.util.MAGIC_NUMBER, member
        else:
            assert data == original[member], member


def test_python_imports_the_stdlib_copy_from_its_bytecode(site_dir):
    assert sys.implementation.cache_tag == pyodide_bytecode.PYODIDE_CACHE_TAG
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import colorsys, json; "
             "print(colorsys.__file__, json.__file__); print(colorsys.rgb_to_hsv(1, 0, 0), json.dumps([1]))")
    copy = site_dir / "pyodide" / "pyc" / "python_stdlib.zip"
    result = subprocess.run([sys.executable, "-I", "-S", "-c", probe, str(copy)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    files, values = result.stdout.splitlines()
    assert files.split() == [f"{copy}/colorsys.pyc", f"{copy}/json/__init__.pyc"]
    assert values == "(0.0, 1.0, 1) [1]"


def test_a_bytecode_copy_is_made_once_per_source_archive(tmp_path):
    archive, cache = tmp_path / "lib.zip", tmp_path / "cache"
    with zipfile.ZipFile(archive, "w") as opened:
        opened.writestr("m.py", "X = 1\n")
        opened.writestr("data.txt", "kept as it is")
    first = pyodide_bytecode.compiled_copy(archive, cache)
    made = first.stat().st_mtime_ns
    assert pyodide_bytecode.compiled_copy(archive, cache) == first and first.stat().st_mtime_ns == made
    assert members(first)["data.txt"] == b"kept as it is" and sorted(members(first)) == ["data.txt", "m.pyc"]
    with zipfile.ZipFile(archive, "w") as opened:
        opened.writestr("m.py", "X = 2\n")
    second = pyodide_bytecode.compiled_copy(archive, cache)
    assert second != first and second.name == "lib.zip"
    probe = "import sys; sys.path.insert(0, sys.argv[1]); import m; print(m.X, m.__file__.endswith('.pyc'))"
    result = subprocess.run([sys.executable, "-I", "-c", probe, str(second)], capture_output=True, text=True)
    assert result.stdout.split() == ["2", "True"], result.stderr


def test_without_copies_the_site_lock_is_left_as_it_is():
    lock = (PYODIDE_DIR / "pyodide-lock.json").read_text()
    assert json.loads(pyodide_bytecode.point_lock_at_copies(lock, {})) == json.loads(lock)


def test_plotly_and_katex_are_self_hosted(site_dir):
    config = runtime_config(site_dir)
    assert config["plotly"] == f"assets/vendor/{plotly_bundle.bundle_name()}"
    bundle = (site_dir / config["plotly"]).read_text()
    assert len(bundle) > 1_000_000 and "window.cs231nPlotly" in bundle
    assert (site_dir / config["katex"]).is_file() and (site_dir / config["katexCSS"]).is_file()


def test_without_a_local_copy_the_site_uses_the_pinned_cdn(tmp_path, monkeypatch):
    cache = ROOT / ".cache" / "pyodide"
    if cache.exists():
        pytest.skip("a local fetch-pyodide cache exists; the CDN fallback is not used then")
    result = mkdocs_build(tmp_path / "site", PYODIDE_DIR="")
    assert result.returncode == 0, result.stderr
    config = runtime_config(tmp_path / "site")
    assert config["selfHosted"] is False
    assert config["indexURL"] == "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"
    assert config["stdLibURL"] is None   # the CDN's own python_stdlib.zip
    assert not (tmp_path / "site" / "pyodide" / "pyodide.asm.wasm").exists()
    lock = json.loads((tmp_path / "site" / "pyodide" / "pyodide-lock.json").read_text())
    assert "demos" in lock["packages"] and "numpy" in lock["packages"]


def test_a_tampered_runtime_copy_fails_the_build(tmp_path):
    copy = tmp_path / "pyodide"
    shutil.copytree(PYODIDE_DIR, copy)
    (copy / "python_stdlib.zip").chmod(0o644)
    with (copy / "python_stdlib.zip").open("r+b") as f:
        f.seek(100)
        f.write(b"\x00tampered")
    result = mkdocs_build(tmp_path / "site", PYODIDE_DIR=str(copy))
    assert result.returncode != 0
    assert "sha256 mismatch" in result.stdout + result.stderr


def test_a_missing_runtime_file_fails_the_build(tmp_path):
    copy = tmp_path / "pyodide"
    shutil.copytree(PYODIDE_DIR, copy)
    (copy / "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl").unlink()
    result = mkdocs_build(tmp_path / "site", PYODIDE_DIR=str(copy))
    assert result.returncode != 0
    assert "missing" in result.stdout + result.stderr


def test_plotly_bundle_is_rebuilt_when_its_entry_changes(tmp_path, monkeypatch):
    entry = tmp_path / "plotly.js"
    entry.write_text(plotly_bundle.ENTRY.read_text())
    monkeypatch.setattr(plotly_bundle, "ENTRY", entry)
    first = plotly_bundle.build(tmp_path / "cache")
    assert plotly_bundle.build(tmp_path / "cache") == first  # cached: same inputs, same file
    entry.write_text(entry.read_text() + "\n// edited\n")
    second = plotly_bundle.build(tmp_path / "cache")
    assert second != first and second.exists() and not first.exists()  # the stale one is removed
    assert second.name.startswith(f"plotly-{plotly_bundle.plotly_version()}-")



def test_fetch_pyodide_downloads_and_verifies_every_file_and_refuses_a_tampered_one(tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(PYODIDE_DIR, mirror)
    server, url = serve(mirror)
    try:
        pyodide_files.fetch(tmp_path / "runtime", base_url=url + "/")
        assert set(pyodide_files.verify(tmp_path / "runtime")) == set(pyodide_files.expected_files(PYODIDE_DIR))
        numpy = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
        (tmp_path / "runtime" / numpy).unlink()
        (mirror / numpy).chmod(0o644)
        with (mirror / numpy).open("r+b") as f:
            f.seek(1000)
            f.write(b"tampered")
        with pytest.raises(pyodide_files.RuntimeFilesError, match="sha256 mismatch"):
            pyodide_files.fetch(tmp_path / "runtime", base_url=url + "/")
        assert not (tmp_path / "runtime" / numpy).exists()          # nothing unverified is kept
        assert not list((tmp_path / "runtime").glob("*.part"))
    finally:
        server.shutdown()
