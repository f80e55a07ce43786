"""Adding generated files and page assets to a MkDocs build, shared by the hooks."""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files


def add_generated(files: Files, config, uri: str, *, path: Path | None = None,
                  content: str | None = None) -> None:
    """Serve ``path`` (copied as is) or ``content`` at ``uri``, replacing a file already there."""
    existing = files.get_file_from_path(uri)
    if existing is not None:
        files.remove(existing)
    if path is not None:
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    else:
        files.append(File.generated(config, uri, content=content))


def link_assets(config, *, scripts=(), styles=(), first_scripts=()) -> None:
    """Link assets on every page (instant navigation swaps pages without loading new scripts).

    ``scripts`` and ``styles`` are appended unless already listed (e.g. by mkdocs.yml);
    ``first_scripts`` are moved or put at the front of the extra scripts, in the order given.
    """
    for position, script in enumerate(first_scripts):
        config.extra_javascript[:] = [s for s in config.extra_javascript if str(s) != script]
        config.extra_javascript.insert(position, script)
    for listed, wanted in ((config.extra_javascript, scripts), (config.extra_css, styles)):
        present = {str(item) for item in listed}
        listed.extend(item for item in wanted if item not in present)
