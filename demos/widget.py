"""Declarative widgets: a demo module describes its controls and outputs; a generic JS host draws them.

A widgets module ``demos/widgets/<topic>.py`` exposes ``WIDGETS``: a dict ``{widget_id: widget(...)}``
drawing the maths of ``demos/<topic>.py`` (see ``demos/widgets/__init__.py``). The browser
host (``docs/assets/cs231n/host.js``) never contains demo-specific code. It asks Python for the spec
(``describe``), builds the controls, and on every change sends the *raw* control values (strings, as
the reader typed them) to ``update``, which parses them, runs the demo and returns what to draw.

Parsing happens here, in Python, so every bad input gets the same Korean message in the browser and
under CPython tests.

The round trip, one call per reader action::

    update(widget_id, state, event=None) -> {"ok": True, "state": {...}, "outputs": [...]}
                                          | {"ok": False, "state": {...}, "message": "<Korean>"}

``event`` is ``None`` (a control changed), ``{"type": "click", "plot": <plot id>, "x": float,
"y": float}`` (the reader clicked or tapped a clickable plot) or ``{"type": "action", "name": <button
name>}``. Events go to the widget's ``on_event(values, event) -> dict`` which returns the *raw* state
keys to change (e.g. a point appended to a hidden ``points`` control); then ``render(**values)`` runs.

``widget(..., primary=(names))`` picks the (at most five) controls shown at first; the rest sit in a
collapsed "고급 설정" section. The host keeps each widget's non-default raw values in the page address
(``?<widget id>.<control>=<value>``); ``restore`` vets the values read back from an address.

Output kinds (plain dicts, JSON-ready):

* ``stats(items)``: key numbers, ``items = [(label, value), ...]``.
* ``table(columns, rows, caption=None, highlight=None)``: rows of cells (str or number).
* ``plot(plot_id, figure, clickable=False, alt=None)``: a Plotly figure as a plain dict
  ``{"data", "layout"}``; ``alt`` states the current result in words, for screen readers.
* ``legend(items)``: the legend of the plot before it, as HTML: ``[(label, colour, mark), ...]``.
* ``text(message, tone="info")``: a short Korean sentence; tone ``info | ok | warn``.
* ``math(tex)``: a formula in TeX, typeset by the site's KaTeX.
"""

from __future__ import annotations

import functools
import importlib
import json
import math as _math
import pkgutil
from pathlib import Path
from typing import Any, Callable

from demos.bridge import to_jsonable
from demos.checks import excerpt, parse_number  # parse_number is re-exported

__all__ = [
    "number", "textbox", "slider", "select", "checkboxes", "toggle", "matrix", "records", "hidden",
    "button",
    "widget", "stats", "table", "plot", "legend", "with_legend", "plot_figures", "text", "math",
    "parse_number", "click_xy", "registry", "preload", "describe", "update", "restore",
]


# ---------------------------------------------------------------------------------------------
# Controls. Each returns a JSON-ready dict; ``default`` is the raw value the host starts with.
# ---------------------------------------------------------------------------------------------

def number(name: str, label: str, default: float, *, min: float | None = None,
           max: float | None = None, step: float = 1, integer: bool = False,
           help: str | None = None) -> dict:
    """A text box for one number; ``integer`` rejects 2.5, ``min``/``max`` are inclusive."""
    return {"kind": "number", "name": name, "label": label, "default": str(default), "min": min,
            "max": max, "step": step, "integer": integer, "help": help}


def textbox(name: str, label: str, default: str, *, max_length: int = 200,
            help: str | None = None) -> dict:
    """A text box for words (e.g. a sentence to tokenize); the raw value is the text, checked by
    the widget's ``render``. Longer than ``max_length`` characters is refused."""
    return {"kind": "textbox", "name": name, "label": label, "default": str(default),
            "max_length": max_length, "help": help}


def slider(name: str, label: str, default: float, *, min: float, max: float, step: float,
           log: bool = False, integer: bool = False, play: bool = False,
           help: str | None = None) -> dict:
    """A range slider with its value shown; ``log`` slides over log10(value); ``play`` adds a play button
    that advances the value by ``step`` until ``max``."""
    return {"kind": "slider", "name": name, "label": label, "default": str(default), "min": min,
            "max": max, "step": step, "log": log, "integer": integer, "play": play, "help": help}


def select(name: str, label: str, default: str, options: list[tuple[str, str]],
           help: str | None = None) -> dict:
    """A drop-down; ``options`` are ``(value, Korean label)`` pairs."""
    return {"kind": "select", "name": name, "label": label, "default": default,
            "options": [list(o) for o in options], "help": help}


def checkboxes(name: str, label: str, default: list[str], options: list[tuple[str, str]],
               help: str | None = None) -> dict:
    """A group of check boxes; the raw value is the list of checked option values."""
    return {"kind": "checkboxes", "name": name, "label": label, "default": list(default),
            "options": [list(o) for o in options], "help": help}


def toggle(name: str, label: str, default: bool, help: str | None = None) -> dict:
    """One check box; the raw value is a bool."""
    return {"kind": "toggle", "name": name, "label": label, "default": bool(default), "help": help}


def matrix(name: str, label: str, default: list[list[float]], *, row_labels: list[str],
           col_labels: list[str], step: float = 0.1, help: str | None = None) -> dict:
    """A grid of number boxes with +/- steppers; the raw value is a list of rows of strings."""
    return {"kind": "matrix", "name": name, "label": label,
            "default": [[str(v) for v in row] for row in default], "row_labels": row_labels,
            "col_labels": col_labels, "step": step, "help": help}


def records(name: str, label: str, default: list[dict], fields: list[dict],
            presets: dict[str, list[dict]] | None = None, help: str | None = None) -> dict:
    """An editable list of rows (e.g. a layer stack) with add / remove / preset buttons.

    ``fields`` are ``number`` / ``select`` / ``toggle`` controls describing one row's columns; the raw
    value is a list of dicts ``{field name: raw value}``. ``presets`` maps a Korean label to rows.
    """
    def raw(row: dict) -> dict:
        return {k: (v if isinstance(v, bool) else str(v)) for k, v in row.items()}
    return {"kind": "records", "name": name, "label": label, "default": [raw(r) for r in default],
            "fields": fields, "presets": {k: [raw(r) for r in v] for k, v in (presets or {}).items()},
            "help": help}


def hidden(name: str, default: Any, *, in_address: bool = True) -> dict:
    """State with no control of its own (points added by clicking, a pinned query...).
    ``in_address=False``: not written into the page address (a network's trained weights: too
    long for a link, and a link should share a setting, not a training run)."""
    return {"kind": "hidden", "name": name, "default": default, "in_address": in_address}


def button(name: str, label: str, *, repeat: bool = False) -> dict:
    """A button that sends ``{"type": "action", "name": name}``; with ``repeat`` it toggles a run
    that sends the action again after every update until pressed again (e.g. "실행 / 정지")."""
    return {"kind": "button", "name": name, "label": label, "repeat": repeat}


MAX_PRIMARY = 5


def widget(title: str, controls: list[dict], render: Callable[..., list[dict]], *,
           on_event: Callable[[dict, dict], dict] | None = None,
           description: str | None = None, primary: tuple[str, ...] | None = None) -> dict:
    """One widget: ``render(**values) -> [outputs]`` gets the parsed value of every control.

    ``primary`` names the controls shown at first (what the lecture teaches, at most
    ``MAX_PRIMARY``, buttons counted like any other control); the host puts the rest in a collapsed
    "고급 설정" section. ``None``: the first ``MAX_PRIMARY`` controls in declaration order.
    """
    return {"title": title, "description": description, "controls": controls, "render": render,
            "on_event": on_event, "primary": _primary_names(controls, primary)}


def _primary_names(controls: list[dict], primary: tuple[str, ...] | None) -> list[str]:
    """``primary`` checked against ``controls`` (a widget author's mistake raises ValueError)."""
    shown = [c["name"] for c in controls if c["kind"] != "hidden"]
    if primary is None:
        return shown[:MAX_PRIMARY]
    if isinstance(primary, str):
        raise ValueError("primary must be a tuple of control names, not one string")
    names = list(primary)
    unknown = [n for n in names if n not in shown]
    if unknown:
        raise ValueError(f"primary names no visible control: {unknown}; controls are {shown}")
    if len(set(names)) != len(names):
        raise ValueError(f"primary names a control twice: {names}")
    if len(names) > MAX_PRIMARY:
        raise ValueError(f"at most {MAX_PRIMARY} primary controls (buttons count), got {len(names)}")
    return names


# ---------------------------------------------------------------------------------------------
# Outputs.
# ---------------------------------------------------------------------------------------------

def stats(items: list[tuple[str, Any]]) -> dict:
    return {"kind": "stats", "items": [[label, to_jsonable(value)] for label, value in items]}


def table(columns: list[str], rows: list[list[Any]], caption: str | None = None,
          highlight: list[int] | None = None) -> dict:
    return {"kind": "table", "columns": columns, "rows": to_jsonable(rows), "caption": caption,
            "highlight": highlight or []}


def plot(plot_id: str, figure: dict, clickable: bool = False, alt: str | None = None) -> dict:
    """``alt``: a Korean sentence stating what the picture shows now (e.g. the output shape), for
    screen readers; without it the host sums up the widget's ``stats`` outputs."""
    return {"kind": "plot", "id": plot_id, "figure": to_jsonable(figure), "clickable": clickable,
            "alt": alt}


LEGEND_MARKS = ("line", "dash", "dot", "circle", "circle-open", "square", "star", "diamond", "x")


def legend(items: list[tuple[str, str, str]]) -> dict:
    """A legend drawn as HTML under the plot before it: ``items = [(label, colour, mark), ...]``,
    mark one of ``LEGEND_MARKS`` (a line style or a marker symbol). Cheaper than Plotly's own
    legend, which the browser re-measures and redraws on every redraw of the plot."""
    for _, _, mark in items:
        if mark not in LEGEND_MARKS:
            raise ValueError(f"unknown legend mark {mark!r}; one of {LEGEND_MARKS}")
    return {"kind": "legend", "items": [{"label": label, "color": color, "mark": mark}
                                        for label, color, mark in items]}


def with_legend(figure: dict, legend_output: dict) -> dict:
    """A copy of ``figure`` showing ``legend_output``'s items in Plotly's own legend (one trace
    without points per item): for a notebook, where no HTML is drawn around the figure."""
    entries = []
    for item in legend_output["items"]:
        if item["mark"] in ("line", "dash", "dot"):
            style = {"mode": "lines", "line": {"color": item["color"], "width": 2,
                                               "dash": "solid" if item["mark"] == "line"
                                               else item["mark"]}}
        else:
            style = {"mode": "markers", "marker": {"color": item["color"], "size": 10,
                                                   "symbol": item["mark"]}}
        entries.append({"type": "scatter", "x": [None], "y": [None], "name": item["label"],
                        "hoverinfo": "skip", **style})
    layout = {**figure.get("layout", {}), "showlegend": True}
    # "normal" order: with legend groups among the (hidden) traces Plotly would put each item on
    # a row of its own.
    layout["legend"] = {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top",
                        **layout.get("legend", {}), "traceorder": "normal"}
    shown = [{**trace, "showlegend": False} for trace in figure["data"]]   # the items say it all
    return {**figure, "data": [*shown, *entries], "layout": layout}


def plot_figures(widget_id: str, state: dict | None = None) -> dict[str, dict]:
    """``{plot id: Plotly figure}`` of a widget in ``state`` (raw values, as typed), each with its
    legend inside the figure: what a notebook shows with ``go.Figure(...)``. Bad input raises
    ValueError with the widget's Korean message."""
    answer = update(widget_id, state)
    if not answer["ok"]:
        raise ValueError(answer["message"])
    outputs = answer["outputs"]
    found = {}
    for index, output in enumerate(outputs):
        if output["kind"] != "plot":
            continue
        following = outputs[index + 1] if index + 1 < len(outputs) else None
        found[output["id"]] = (with_legend(output["figure"], following)
                               if following and following["kind"] == "legend" else output["figure"])
    return found


def text(message: str, tone: str = "info") -> dict:
    return {"kind": "text", "text": message, "tone": tone}


def math(tex: str) -> dict:
    return {"kind": "math", "tex": tex}


# ---------------------------------------------------------------------------------------------
# Reading raw values and events (numbers typed in a box: demos.checks.parse_number).
# ---------------------------------------------------------------------------------------------

def click_xy(event: dict) -> tuple[float, float]:
    """The data coordinates of a ``{"type": "click", "x", "y"}`` event; Korean ValueError if unreadable."""
    try:
        x, y = float(event["x"]), float(event["y"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("클릭 위치를 읽을 수 없습니다.") from None
    if not (_math.isfinite(x) and _math.isfinite(y)):
        raise ValueError("클릭 위치를 읽을 수 없습니다.")
    return x, y


def _parse_control(control: dict, raw: Any) -> Any:
    kind = control["kind"]
    if kind in ("number", "slider"):
        value = parse_number(raw, control["label"], integer=control["integer"],
                             min=control["min"], max=control["max"])
        return value
    if kind == "textbox":
        if not isinstance(raw, str):
            raise ValueError(f"'{control['label']}'에는 글자를 입력하세요.")
        if len(raw) > control["max_length"]:
            raise ValueError(f"'{control['label']}'은(는) {control['max_length']}자 이하여야 합니다 "
                             f"(입력: {len(raw)}자).")
        return raw
    if kind == "select":
        allowed = [value for value, _ in control["options"]]
        if raw not in allowed:
            raise ValueError(f"'{control['label']}'에서 목록에 있는 값을 고르세요 (입력값: '{excerpt(raw)}').")
        return raw
    if kind == "checkboxes":
        allowed = [value for value, _ in control["options"]]
        return [v for v in allowed if v in (raw or [])]
    if kind == "toggle":
        return bool(raw)
    if kind == "matrix":
        return [[parse_number(cell, f"{control['label']}[{control['row_labels'][i]}, "
                                    f"{control['col_labels'][j]}]")
                 for j, cell in enumerate(row)] for i, row in enumerate(raw)]
    if kind == "records":
        return [_parse_record(control, i, row) for i, row in enumerate(raw)]
    return raw  # hidden: Python owns its shape


def _parse_record(control: dict, index: int, row: dict) -> dict:
    parsed = {}
    for field in control["fields"]:
        labelled = dict(field, label=f"{index + 1}번째 줄의 '{field['label']}'")
        parsed[field["name"]] = _parse_control(labelled, row.get(field["name"], field["default"]))
    return parsed


# ---------------------------------------------------------------------------------------------
# The registry and the two entry points the JS host calls.
# ---------------------------------------------------------------------------------------------

_REGISTRY: dict[str, dict] | None = None


def registry() -> dict[str, dict]:
    """All widgets of the ``demos.widgets`` modules, by id (imported once, lazily). Widgets live
    only there: a ``WIDGETS`` dict in any other module is not a widget."""
    global _REGISTRY
    if _REGISTRY is None:
        import demos.widgets
        found: dict[str, dict] = {}
        for info in pkgutil.iter_modules(demos.widgets.__path__):
            module = importlib.import_module(f"demos.widgets.{info.name}")
            for widget_id, spec in getattr(module, "WIDGETS", {}).items():
                if widget_id in found:
                    raise RuntimeError(f"duplicate widget id {widget_id!r}")
                found[widget_id] = spec
        _REGISTRY = found
    return _REGISTRY


@functools.lru_cache(maxsize=1)
def _widget_index() -> dict[str, str]:
    """``widget_index.json`` (``{widget id: module}``), which only the site's wheel carries
    (sitekit/demos_wheel.py); {} in a source checkout. Read once: ``_spec`` runs on every update."""
    index_file = Path(__file__).with_name("widget_index.json")
    return json.loads(index_file.read_text()) if index_file.is_file() else {}


def _indexed_module(widget_id: str) -> str | None:
    """The widgets module that declares ``widget_id`` according to the wheel's index. In the
    browser, importing one demo's modules instead of all of them saves tenths of a second before
    the first picture; a source checkout has no index and scans every ``demos.widgets`` module."""
    return _widget_index().get(widget_id)


def _spec(widget_id: str) -> dict:
    if _REGISTRY is None and (module := _indexed_module(widget_id)):
        declared = getattr(importlib.import_module(module), "WIDGETS", {})
        if widget_id in declared:
            return declared[widget_id]
    try:
        return registry()[widget_id]
    except KeyError:
        raise ValueError(f"'{widget_id}'라는 데모가 없습니다.") from None


def preload() -> list[str]:
    """Import every widgets module (and so every demo module) now, and NumPy's random generators that several of them draw from
    (NumPy 2 imports ``numpy.random`` on first use; in the browser that loads eight compiled
    extension modules, about 0.1 s). The host calls this once the page's widgets are drawn and the
    worker is idle, so that a demo page reached next by instant navigation does not wait for those
    imports. Returns the widget ids now registered."""
    import numpy.random  # noqa: F401
    return sorted(registry())


def describe(widget_id: str) -> dict:
    """The JSON part of a widget's spec (title, description, controls) for the host."""
    spec = _spec(widget_id)
    return {"id": widget_id, "title": spec["title"], "description": spec["description"],
            "controls": spec["controls"], "primary": spec["primary"]}


def defaults(widget_id: str) -> dict:
    """Raw default state ``{control name: raw value}`` (buttons have none)."""
    return {c["name"]: c["default"] for c in _spec(widget_id)["controls"] if c["kind"] != "button"}


def parse_state(widget_id: str, state: dict) -> dict:
    """Raw state -> parsed values; raises ValueError with a Korean message on the first bad input."""
    values = {}
    for control in _spec(widget_id)["controls"]:
        if control["kind"] == "button":
            continue
        values[control["name"]] = _parse_control(control, state.get(control["name"],
                                                                    control["default"]))
    return values


def update(widget_id: str, state: dict | None = None, event: dict | None = None) -> dict:
    """Apply ``event`` (if any) and render. Bad input returns ``ok=False`` with a Korean message and
    the raw state exactly as the reader left it (nothing typed is lost), so they can fix it; the host
    keeps the previous picture on screen, dimmed."""
    spec = _spec(widget_id)
    state = {**defaults(widget_id), **(state or {})}
    try:
        values = parse_state(widget_id, state)
        if event is not None and spec["on_event"] is not None:
            changes = spec["on_event"](values, event) or {}
            state = {**state, **changes}
            values = parse_state(widget_id, state)
        outputs = spec["render"](**values)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, FloatingPointError) as error:
        return {"ok": False, "state": state, "message": str(error)}
    return {"ok": True, "state": state, "outputs": outputs}


# ---------------------------------------------------------------------------------------------
# State read back from a page address (untrusted: typed, edited, or from an older site).
# ---------------------------------------------------------------------------------------------

def restore(widget_id: str, state: dict | None = None) -> dict:
    """Raw values read from an address -> ``{"state": values to start from, "rejected": [Korean
    sentences]}``. A name the widget does not have, or a value it rejects, is dropped (the control
    keeps its default) with a short reason. If the kept values together cannot be drawn (two
    settings that contradict each other, a hidden value of the wrong shape), the widget starts
    from its defaults."""
    spec = _spec(widget_id)
    controls = {c["name"]: c for c in spec["controls"] if c["kind"] != "button"}
    kept, rejected = {}, []
    for name, raw in (state or {}).items():
        control = controls.get(name)
        if control is None:
            rejected.append(f"'{name}'라는 설정은 없습니다.")
            continue
        try:
            _check_address_value(control, raw)
        except (ValueError, TypeError) as error:
            rejected.append(str(error))
            continue
        kept[name] = raw
    if kept:
        try:
            answer = update(widget_id, kept)
        except Exception:  # noqa: BLE001 - a hidden value of the wrong shape may fail anywhere
            answer = {"ok": False, "message": "저장된 상태를 읽을 수 없습니다."}
        if not answer["ok"]:
            rejected.append(f"주소의 설정을 함께 쓸 수 없어 모두 기본값으로 시작합니다: {answer['message']}")
            kept = {}
    return {"state": kept, "rejected": rejected}


def _check_address_value(control: dict, raw: Any) -> None:
    """Raises a Korean ValueError unless ``raw`` is a value the host itself could have sent for
    ``control``: stricter than ``_parse_control``, which quietly drops unknown check box options."""
    label = control.get("label", control["name"])
    shape_error = ValueError(f"'{label}' 값의 형식이 맞지 않습니다.")
    kind = control["kind"]
    if kind in ("number", "slider", "select") and not isinstance(raw, str):
        raise shape_error
    if kind == "toggle" and not isinstance(raw, bool):
        raise shape_error
    if kind == "checkboxes":
        allowed = [value for value, _ in control["options"]]
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise shape_error
        unknown = [v for v in raw if v not in allowed]
        if unknown:
            raise ValueError(f"'{label}'에 없는 항목입니다: {', '.join(unknown)}.")
    if kind == "matrix":
        expected = [len(row) for row in control["default"]]
        if (not isinstance(raw, list) or [len(r) if isinstance(r, list) else -1 for r in raw]
                != expected or not all(isinstance(v, str) for r in raw for v in r)):
            raise shape_error
    if kind == "records":
        names = {f["name"] for f in control["fields"]}
        if not isinstance(raw, list) or not all(isinstance(r, dict) and set(r) <= names for r in raw):
            raise shape_error
    _parse_control(control, raw)
