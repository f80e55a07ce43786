"""What every hook in this folder shares: the project root on ``sys.path``.

MkDocs loads each hook by its file path, with this folder (not the project) on ``sys.path`` while
the hook runs its imports. So a hook imports this module first (``from _common import ROOT``),
which makes ``sitekit`` importable however ``mkdocs`` was started. Python runs it once; the
``sitekit`` package imported by the first hook then stays importable for the others.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
