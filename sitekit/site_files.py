"""Adding generated files to a MkDocs build, shared by the hooks."""

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
