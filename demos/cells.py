"""Runnable code cells: run a reader's Python like a notebook cell and report what happened.

The browser calls ``run(code, namespace=<page path>)`` through ``window.cs231n.call`` when the reader
presses 실행 under a ``run-python`` cell. The answer is plain JSON::

    {"stdout": str,            # what print() wrote (cut at MAX_OUTPUT characters)
     "stderr": str,            # warnings (e.g. NumPy's RuntimeWarning), same limit
     "value": str | None,      # repr of the last expression, as IPython shows it; None shows nothing
     "error": str | None,      # Korean one-liner: "<n>번째 줄: <Type>: <message>" + that line's text
     "error_line": int | None, # 1-based line in *this* cell, for the editor to mark
     "figures": [dict],        # Plotly figures passed to show(fig), in order
     "count": int}             # execution counter of the namespace, like IPython's In [n]

Cells of one page share one namespace (a variable defined in the first cell is visible in the next,
as in a notebook): the notes build up ideas step by step, and each cell stays short. Different
pages get different namespaces (``namespace`` is the page path) because the worker outlives
Material's instant navigation. ``reset(namespace)`` forgets one.

This module holds state on purpose (the namespaces); everything else is a small pure helper.
"""

from __future__ import annotations

import ast
import contextlib
import io
import linecache
import traceback
import warnings
from types import CodeType, TracebackType
from typing import Any

from demos.bridge import to_jsonable

__all__ = ["MAX_OUTPUT", "MAX_VALUE", "MAX_FIGURES", "MAX_POINTS", "run", "reset",
           "split_last_expression"]

MAX_OUTPUT = 20_000   # characters of stdout / stderr kept (a print in a long loop must not flood the page)
MAX_VALUE = 5_000     # characters of the last value's repr
MAX_FIGURES = 10
# Points one figure may draw one by one: Plotly makes an SVG element of every marker, bar or text
# label, on the page's only thread (300,000 markers freeze the page for many seconds). Lines,
# histograms and heatmaps are drawn whole and have no such limit.
MAX_POINTS = 20_000

_NAMESPACES: dict[str, dict[str, Any]] = {}
_COUNTS: dict[str, int] = {}
_FILE_PREFIX = "<cell-"


# ---------------------------------------------------------------------------------------------
# Pure helpers.
# ---------------------------------------------------------------------------------------------

def split_last_expression(tree: ast.Module, source: str) -> tuple[ast.Module, ast.Expression | None]:
    """Split a parsed cell into (statements to exec, final expression to eval or None).

    As in IPython, the last statement's value is shown only when it is a bare expression not
    followed by ``;`` (``x;`` hides it).
    """
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return tree, None
    last = tree.body[-1]
    lines = source.splitlines()
    after = lines[last.end_lineno - 1][last.end_col_offset:] if last.end_lineno <= len(lines) else ""
    if after.split("#", 1)[0].strip().startswith(";"):
        return tree, None
    body = ast.Module(body=tree.body[:-1], type_ignores=[])
    return body, ast.Expression(body=last.value)


def _clip(text: str, limit: int, dropped: int = 0) -> str:
    """``text`` cut at ``limit`` characters, saying how many were left out."""
    dropped += max(0, len(text) - limit)
    if not dropped:
        return text
    return text[:limit] + f"\n… (출력이 너무 길어 {dropped:,}자를 생략했습니다)"


class _CappedText(io.StringIO):
    """A stdout that keeps the first ``limit`` characters and only counts the rest, so a print in
    a long loop costs no memory."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.dropped = limit, 0

    def write(self, text: str) -> int:
        room = self.limit - self.tell()
        if room > 0:
            super().write(text[:room])
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self) -> str:
        return _clip(self.getvalue(), self.limit, self.dropped)


def _line_text(filename: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    return linecache.getline(filename, lineno).strip()


def _innermost_cell_frame(tb: TracebackType | None) -> tuple[str, int] | None:
    """(filename, line) of the deepest traceback frame that belongs to a cell, if any."""
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename.startswith(_FILE_PREFIX):
            found = (frame.f_code.co_filename, lineno)
    return found


def _hint(error: BaseException) -> str:
    """A short Korean hint for the mistakes a reader of the notes is likely to make."""
    if isinstance(error, ModuleNotFoundError):
        return "\n(이 셀에서는 표준 라이브러리와 numpy, demos만 불러올 수 있습니다.)"
    if isinstance(error, NameError):
        return "\n(앞 셀에서 정의한 이름이라면 그 셀을 먼저 실행하세요.)"
    return ""


def _describe_error(error: BaseException, filename: str) -> tuple[str, int | None]:
    """Korean short report -> (text, line in this cell or None). No traceback, on purpose."""
    kind = type(error).__name__
    if isinstance(error, SyntaxError):
        message = error.msg
        lineno = error.lineno if error.filename == filename else None
        where = f"{lineno}번째 줄" if lineno else "코드"
        code = (error.text or "").rstrip("\n").strip() if lineno else ""
        head = f"문법 오류({kind}), {where}: {message}"
        return head + (f"\n    {code}" if code else ""), lineno
    message = str(error)
    head_error = f"{kind}: {message}" if message else kind
    frame = _innermost_cell_frame(error.__traceback__)
    if frame is None:
        return f"실행 중 오류: {head_error}{_hint(error)}", None
    frame_file, lineno = frame
    where = f"{lineno}번째 줄" if frame_file == filename else f"앞서 실행한 셀의 {lineno}번째 줄"
    code = _line_text(frame_file, lineno)
    text = f"실행 중 오류, {where}: {head_error}" + (f"\n    {code}" if code else "")
    return text + _hint(error), (lineno if frame_file == filename else None)


def _warning_line(message: Warning | str, category: type, filename: str, lineno: int,
                  cell_file: str) -> str:
    """One warning -> a Korean line naming the cell line it came from."""
    where = f"{lineno}번째 줄" if filename == cell_file else "코드"
    return f"경고, {where}: {category.__name__}: {message}"


def _values(value: Any) -> int:
    """How many numbers (or labels) an array attribute of a trace holds: an ndarray's size, the
    leaves of nested lists; 0 for a scalar."""
    if hasattr(value, "shape") and hasattr(value, "size"):      # a NumPy array
        return int(value.size)
    if isinstance(value, (list, tuple)):
        return sum(_values(v) if isinstance(v, (list, tuple)) or hasattr(v, "shape") else 1
                   for v in value)
    return 0


def _points(trace: Any) -> int:
    """A trace's points: the values of its longest array, nested ones (marker.color) included."""
    if not isinstance(trace, dict):
        return 0
    return max((_points(v) if isinstance(v, dict) else _values(v) for v in trace.values()), default=0)


_ONE_BY_ONE = ("bar", "funnel", "waterfall")                # an SVG element per point, always
_SCATTERS = ("scatter", "scatterpolar", "scatterternary")   # per point when they show markers or text


def _drawn_points(trace: Any) -> int:
    """The points of ``trace`` that Plotly draws as SVG elements one by one (0 for a line, a
    histogram, a heatmap...). A scatter without ``mode`` shows markers only below 20 points."""
    if not isinstance(trace, dict):
        return 0
    kind, points = trace.get("type", "scatter"), _points(trace)
    if kind in _ONE_BY_ONE:
        return points
    mode = str(trace.get("mode") or ("lines+markers" if points < 20 else "lines"))
    return points if kind in _SCATTERS and ("markers" in mode or "text" in mode) else 0


def _figure(fig: Any) -> dict:
    """Validate a Plotly figure given to show(): a dict with a list under "data" -> JSON-ready dict.
    More than MAX_POINTS points drawn one by one raise a Korean ValueError that says how to thin
    them."""
    if hasattr(fig, "to_plotly_json"):  # a plotly.graph_objects.Figure, where plotly exists
        fig = fig.to_plotly_json()
    if not isinstance(fig, dict) or not isinstance(fig.get("data"), (list, tuple)):
        raise TypeError("show()에는 {'data': [...], 'layout': {...}} 형태의 Plotly 그림(dict)을 주세요.")
    points = sum(_drawn_points(trace) for trace in fig["data"])
    if points > MAX_POINTS:
        step = -(-points // MAX_POINTS)
        raise ValueError(f"그림 하나에는 점(marker)과 막대를 {MAX_POINTS:,}개까지 그립니다 (이 그림: "
                         f"{points:,}개). 더 많으면 브라우저가 그리는 동안 페이지가 멈춥니다. "
                         f"x[::{step}], y[::{step}]처럼 골라 줄이거나, 선(mode='lines')이나 "
                         "histogram으로 그리세요.")
    return to_jsonable({"data": fig["data"], "layout": fig.get("layout", {})})


# ---------------------------------------------------------------------------------------------
# Namespaces and running.
# ---------------------------------------------------------------------------------------------

def _cell_file(namespace: str, count: int) -> str:
    return f"{_FILE_PREFIX}{namespace}-{count}>"


def reset(namespace: str = "default") -> bool:
    """Forget a page's variables (and the sources kept for its error reports); True when there
    was something to forget."""
    for count in range(1, _COUNTS.pop(namespace, 0) + 1):
        linecache.cache.pop(_cell_file(namespace, count), None)
    return _NAMESPACES.pop(namespace, None) is not None


def _compile(code: str, filename: str) -> tuple[CodeType, CodeType | None]:
    tree = ast.parse(code, filename, "exec")
    body, last = split_last_expression(tree, code)
    return (compile(body, filename, "exec"),
            compile(last, filename, "eval") if last is not None else None)


def run(code: str, namespace: str = "default") -> dict:
    """Run one cell's ``code`` in the page's shared ``namespace``; never raises for bad cell code.

    ``show(fig)`` inside the cell collects a Plotly figure dict. A ``code`` that is not a string
    raises TypeError (a caller bug, not the reader's).
    """
    if not isinstance(code, str):
        raise TypeError("셀 코드(code)는 문자열이어야 합니다.")
    if not isinstance(namespace, str) or not namespace:
        raise TypeError("namespace는 비어 있지 않은 문자열이어야 합니다.")
    scope = _NAMESPACES.setdefault(namespace, {"__name__": "__main__", "__builtins__": __builtins__})
    count = _COUNTS[namespace] = _COUNTS.get(namespace, 0) + 1
    cell_file = _cell_file(namespace, count)
    # Register the source so error reports can quote lines of this and earlier cells.
    linecache.cache[cell_file] = (len(code), None, code.splitlines(True), cell_file)

    figures: list[dict] = []
    warned: dict[str, None] = {}  # warning lines in order, each once (a warning in a loop repeats)

    def show(fig: Any) -> None:
        """Draw a Plotly figure ({'data': [...], 'layout': {...}}) below the cell (at most
        MAX_POINTS markers or bars)."""
        if len(figures) >= MAX_FIGURES:
            raise ValueError(f"한 셀에서 그림은 최대 {MAX_FIGURES}개까지 그릴 수 있습니다.")
        figures.append(_figure(fig))

    def keep_warning(message, category, filename, lineno, file=None, line=None):
        warned.setdefault(_warning_line(message, category, filename, lineno, cell_file), None)

    scope["show"] = show
    out, err = _CappedText(MAX_OUTPUT), _CappedText(MAX_OUTPUT)
    value, error, error_line = None, None, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("always")  # every occurrence reaches keep_warning, which dedupes
        warnings.showwarning = keep_warning
        try:
            body, last = _compile(code, cell_file)
            exec(body, scope)
            if last is not None:
                result = eval(last, scope)
                if result is not None:
                    value = _clip(repr(result), MAX_VALUE)
        except BaseException as exc:  # noqa: BLE001 - the reader's code may raise anything, SystemExit too
            error, error_line = _describe_error(exc, cell_file)
    stderr = "".join(line + "\n" for line in warned) + err.text()
    return {"stdout": out.text(), "stderr": _clip(stderr, MAX_OUTPUT),
            "value": value, "error": error, "error_line": error_line, "figures": figures,
            "count": count}
