"""Small SVG thumbnails of a widget's real output, drawn at build time without Plotly.

``figure_svg(figure)`` draws the primary axes of a Plotly figure dict (what ``demos.widget.plot``
holds): the pictures the figure places there (``layout.images``, e.g. demos.raster's PNGs), heatmaps
as an embedded PNG raster (a few KB, instead of thousands of rectangles), then filled areas, bars,
lines and markers as vectors. ``stats_svg(items)`` draws a widget that shows
numbers only. Everything is computed from the demo's default output, so a thumbnail can always be
regenerated; nothing binary is stored.
"""

from __future__ import annotations

import base64
import html
import math
import re
import struct
import zlib
from typing import Any, Iterable

__all__ = ["WIDTH", "HEIGHT", "parse_color", "colorscale_at", "png_rgba", "figure_svg", "stats_svg"]

WIDTH, HEIGHT, PAD = 240, 150, 8
MAX_RASTER = 64        # heatmap cells per side (downsampled beyond)
MAX_POINTS = 600       # points per trace
PALETTE = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880")
VIRIDIS = [[0.0, "#440154"], [0.25, "#3b528b"], [0.5, "#21918c"], [0.75, "#5ec962"], [1.0, "#fde725"]]
NAMED_SCALES = {
    "viridis": VIRIDIS,
    "greys": [[0.0, "#000000"], [1.0, "#ffffff"]],
    "gray": [[0.0, "#000000"], [1.0, "#ffffff"]],
    "blues": [[0.0, "#f7fbff"], [1.0, "#08306b"]],
    "rdbu": [[0.0, "#053061"], [0.5, "#f7f7f7"], [1.0, "#67001f"]],
    "rdbu_r": [[0.0, "#67001f"], [0.5, "#f7f7f7"], [1.0, "#053061"]],
}
_RGB = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)")


# ---------------------------------------------------------------------------------------------
# Colours.
# ---------------------------------------------------------------------------------------------

def parse_color(color: Any) -> tuple[int, int, int, float] | None:
    """'#abc', '#aabbcc', 'rgb(1,2,3)', 'rgba(1,2,3,0.5)' -> (r, g, b, alpha); else None."""
    if not isinstance(color, str):
        return None
    color = color.strip().lower()
    if color.startswith("#") and len(color) in (4, 7):
        digits = color[1:] if len(color) == 7 else "".join(c * 2 for c in color[1:])
        try:
            return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), 1.0
        except ValueError:
            return None
    match = _RGB.fullmatch(color)
    if match:
        r, g, b = (min(255, round(float(v))) for v in match.groups()[:3])
        alpha = float(match.group(4)) if match.group(4) is not None else 1.0
        return r, g, b, alpha
    return None


def _css(rgba: tuple[int, int, int, float]) -> str:
    r, g, b, a = rgba
    return f"#{r:02x}{g:02x}{b:02x}" if a >= 1 else f"rgba({r},{g},{b},{a:g})"


def _scale_stops(scale: Any) -> list[tuple[float, tuple[int, int, int, float]]]:
    if isinstance(scale, str):
        scale = NAMED_SCALES.get(scale.lower(), VIRIDIS)
    stops = []
    for entry in scale if isinstance(scale, (list, tuple)) else VIRIDIS:
        if isinstance(entry, (list, tuple)) and len(entry) == 2 and parse_color(entry[1]):
            stops.append((float(entry[0]), parse_color(entry[1])))
    return sorted(stops) or _scale_stops(VIRIDIS)


def colorscale_at(scale: Any, t: float) -> tuple[int, int, int, float]:
    """Colour at ``t`` in [0, 1] of a Plotly colorscale (a name or ``[[pos, colour], ...]``)."""
    stops = _scale_stops(scale)
    t = min(1.0, max(0.0, t))
    for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
        if p0 <= t <= p1:
            w = 0.0 if p1 == p0 else (t - p0) / (p1 - p0)
            return tuple(round(a + (b - a) * w) for a, b in zip(c0[:3], c1[:3])) + (
                c0[3] + (c1[3] - c0[3]) * w,)
    return stops[0][1] if t <= stops[0][0] else stops[-1][1]


def png_rgba(pixels: list[list[tuple[int, int, int, float]]]) -> bytes:
    """Rows of (r, g, b, alpha) -> PNG bytes (8-bit RGBA, no filter), standard library only."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(v for (r, g, b, a) in row for v in (r, g, b, round(a * 255)))
                   for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


# ---------------------------------------------------------------------------------------------
# Geometry.
# ---------------------------------------------------------------------------------------------

def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _values(seq: Any, categories: dict[str, int]) -> list[float | None]:
    """Numbers stay numbers; strings become category positions 0, 1, 2... (Plotly's category axis)."""
    out = []
    for v in seq if isinstance(seq, (list, tuple)) else []:
        if isinstance(v, str):
            out.append(float(categories.setdefault(v, len(categories))))
        else:
            out.append(_num(v))
    return out


def _on_primary_axes(trace: dict) -> bool:
    return trace.get("xaxis", "x") == "x" and trace.get("yaxis", "y") == "y"


def _stride(n: int, limit: int) -> int:
    return max(1, math.ceil(n / limit))


class _Frame:
    """Maps data coordinates into the thumbnail's box (y up, unless the axis is reversed)."""

    def __init__(self, xs: Iterable[float], ys: Iterable[float], layout: dict):
        self.x0, self.x1 = self._range(xs, layout.get("xaxis") or {})
        self.y0, self.y1 = self._range(ys, layout.get("yaxis") or {})
        self.y_down = (layout.get("yaxis") or {}).get("autorange") == "reversed"

    @staticmethod
    def _range(values: Iterable[float], axis: dict) -> tuple[float, float]:
        given = axis.get("range")
        if isinstance(given, (list, tuple)) and len(given) == 2 and all(_num(v) is not None for v in given):
            lo, hi = float(given[0]), float(given[1])
        else:
            values = [v for v in values if v is not None]
            lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
        if hi == lo:
            lo, hi = lo - 0.5, hi + 0.5
        return lo, hi

    def x(self, v: float) -> float:
        return PAD + (v - self.x0) / (self.x1 - self.x0) * (WIDTH - 2 * PAD)

    def y(self, v: float) -> float:
        t = (v - self.y0) / (self.y1 - self.y0)
        return PAD + (t if self.y_down else 1 - t) * (HEIGHT - 2 * PAD)


def _grid(trace: dict) -> tuple[list[list[float | None]], list[float], list[float]]:
    """A heatmap's z rows and its cell-centre coordinates along x and y (0, 1, 2... by default)."""
    z = [[_num(v) for v in row] for row in trace.get("z") or [] if isinstance(row, (list, tuple))]
    ny, nx = len(z), max((len(row) for row in z), default=0)

    def centres(given: Any, n: int) -> list[float]:
        values = [v for v in _values(given, {}) if v is not None]
        return values[:n] if len(values) >= n else [float(i) for i in range(n)]

    return z, centres(trace.get("x"), nx), centres(trace.get("y"), ny)


def _half_step(coords: list[float]) -> float:
    return (coords[-1] - coords[0]) / (len(coords) - 1) / 2 if len(coords) > 1 else 0.5


def _heatmap(trace: dict, frame: _Frame) -> str:
    z, xs, ys = _grid(trace)
    if not z or not xs:
        return ""
    flat = [v for row in z for v in row if v is not None]
    if not flat:
        return ""
    lo = _num(trace.get("zmin")) if _num(trace.get("zmin")) is not None else min(flat)
    hi = _num(trace.get("zmax")) if _num(trace.get("zmax")) is not None else max(flat)
    span = (hi - lo) or 1.0
    scale = trace.get("colorscale", VIRIDIS)
    opacity = _num(trace.get("opacity")) or 1.0
    sy, sx = _stride(len(z), MAX_RASTER), _stride(len(xs), MAX_RASTER)
    rows = []
    for row in z[::sy]:
        cells = []
        for v in row[::sx]:
            if v is None:
                cells.append((0, 0, 0, 0.0))
            else:
                r, g, b, a = colorscale_at(scale, (v - lo) / span)
                cells.append((r, g, b, a * opacity))
        rows.append(cells)
    width = min(len(r) for r in rows)
    rows = [r[:width] for r in rows]
    # PNG rows go top-down; data row 0 is at the bottom unless the y axis is reversed.
    if not frame.y_down:
        rows = rows[::-1]
    hx, hy = _half_step(xs), _half_step(ys)
    left, right = frame.x(xs[0] - hx), frame.x(xs[-1] + hx)
    top, bottom = sorted((frame.y(ys[0] - hy), frame.y(ys[-1] + hy)))
    data = base64.b64encode(png_rgba(rows)).decode("ascii")
    # Cells with sharp edges, as Plotly draws a heatmap unless it is asked to smooth it.
    crisp = "" if trace.get("zsmooth") else ' style="image-rendering: pixelated"'
    return (f'<image x="{left:.1f}" y="{top:.1f}" width="{right - left:.1f}" height="{bottom - top:.1f}" '
            f'preserveAspectRatio="none"{crisp} href="data:image/png;base64,{data}"/>')


_ANCHORS = {"left": 0.0, "center": 0.5, "right": 1.0, "bottom": 0.0, "middle": 0.5, "top": 1.0}


def _layout_images(layout: dict) -> list[tuple[str, float, float, float, float, float]]:
    """Pictures a figure places on its primary axes (``layout.images`` with ``xref`` "x",
    ``yref`` "y" and a ``data:image/...`` source, as demos.raster makes them) ->
    [(source, x0, x1, y0, y1, opacity)] in data coordinates."""
    found = []
    for image in layout.get("images") or []:
        if not isinstance(image, dict) or (image.get("xref"), image.get("yref")) != ("x", "y"):
            continue
        source = image.get("source")
        x, y, width, height = (_num(image.get(key)) for key in ("x", "y", "sizex", "sizey"))
        if not (isinstance(source, str) and source.startswith("data:image/")) \
                or None in (x, y, width, height):
            continue
        x0 = x - width * _ANCHORS.get(image.get("xanchor", "left"), 0.0)
        y1 = y + height * (1 - _ANCHORS.get(image.get("yanchor", "top"), 1.0))
        opacity = _num(image.get("opacity"))
        found.append((source, x0, x0 + width, y1 - height, y1, 1.0 if opacity is None else opacity))
    return found


def _picture(source: str, x0: float, x1: float, y0: float, y1: float, opacity: float,
             frame: _Frame) -> str:
    left, right = sorted((frame.x(x0), frame.x(x1)))
    top, bottom = sorted((frame.y(y0), frame.y(y1)))
    return (f'<image x="{left:.1f}" y="{top:.1f}" width="{right - left:.1f}" '
            f'height="{bottom - top:.1f}" preserveAspectRatio="none" opacity="{opacity:g}" '
            f'href="{html.escape(source)}"/>')


def _trace_color(trace: dict, index: int) -> str:
    for candidate in ((trace.get("line") or {}).get("color"), (trace.get("marker") or {}).get("color")):
        rgba = parse_color(candidate)
        if rgba:
            return _css(rgba)
    return PALETTE[index % len(PALETTE)]


def _point_colors(trace: dict, n: int, fallback: str) -> list[str]:
    colors = (trace.get("marker") or {}).get("color")
    if isinstance(colors, (list, tuple)) and len(colors) == n:
        nums = [_num(c) for c in colors]
        if all(parse_color(c) for c in colors):
            return [_css(parse_color(c)) for c in colors]
        if all(v is not None for v in nums) and nums:
            lo, hi = min(nums), max(nums)
            scale = (trace.get("marker") or {}).get("colorscale", VIRIDIS)
            return [_css(colorscale_at(scale, (v - lo) / ((hi - lo) or 1))) for v in nums]
    return [fallback] * n


def _outline_colors(trace: dict, n: int) -> list[str | None]:
    """Marker outlines, drawn only when the fill is nearly transparent (the outline is then what
    shows the marker, e.g. a graph's nodes); otherwise None for every point."""
    marker = trace.get("marker") or {}
    fill = parse_color(marker.get("color")) if isinstance(marker.get("color"), str) else None
    if fill is None or fill[3] >= 0.5:
        return [None] * n
    lines = (marker.get("line") or {}).get("color")
    lines = lines if isinstance(lines, (list, tuple)) and len(lines) == n else [lines] * n
    return [_css(parse_color(c)) if parse_color(c) else None for c in lines]


def _scatter(trace: dict, frame: _Frame, xs: list, ys: list, color: str) -> str:
    mode = trace.get("mode") or ("lines+markers" if len(xs) < 20 else "lines")
    opacity = _num(trace.get("opacity"))
    pieces = []
    step = _stride(len(xs), MAX_POINTS)
    points = [(x, y) for x, y in list(zip(xs, ys))[::step]]
    runs, run = [], []
    for x, y in points:
        if x is None or y is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(f"{frame.x(x):.1f},{frame.y(y):.1f}")
    if run:
        runs.append(run)
    if trace.get("fill") == "toself":
        fill = parse_color(trace.get("fillcolor")) or parse_color(color)[:3] + (0.3,)
        pieces.extend(f'<polygon points="{" ".join(run)}" fill="{_css(fill)}" stroke="none"/>'
                      for run in runs)
    if "lines" in mode:
        width = min(3.0, (_num((trace.get("line") or {}).get("width")) or 2) * 0.75)
        dash = ' stroke-dasharray="4 3"' if (trace.get("line") or {}).get("dash") not in (None, "solid") else ""
        pieces.extend(f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" '
                      f'stroke-width="{width:g}"{dash} stroke-linejoin="round"/>' for run in runs if len(run) > 1)
    if "markers" in mode:
        size = _num((trace.get("marker") or {}).get("size"))
        radius = max(1.2, min(4.0, (size or 6) / 3.5))
        colors = _point_colors(trace, len(xs), color)[::step]
        outlines = _outline_colors(trace, len(xs))[::step]
        for (x, y), c, edge in zip(points, colors, outlines):
            if x is not None and y is not None and c:
                stroke = f' stroke="{edge}" stroke-width="1"' if edge else ""
                pieces.append(f'<circle cx="{frame.x(x):.1f}" cy="{frame.y(y):.1f}" r="{radius:.1f}" '
                              f'fill="{c}"{stroke}/>')
    group_opacity = f' opacity="{opacity:g}"' if opacity is not None and opacity < 1 else ""
    return f"<g{group_opacity}>{''.join(pieces)}</g>" if pieces else ""


def _bar_gap(xs: list) -> float:
    """Smallest distance between distinct bar positions (1 for a single bar)."""
    ordered = sorted({x for x in xs if x is not None})
    return min((b - a for a, b in zip(ordered, ordered[1:])), default=1.0)


def _bar(frame: _Frame, xs: list, ys: list, color: str, count: int, index: int) -> str:
    """Grouped bars: ``count`` bar traces share each category slot, this one is number ``index``."""
    gap = _bar_gap(xs)
    width = gap * 0.8 / count
    bars = []
    for x, y in zip(xs, ys):
        if x is None or y is None:
            continue
        left = x - gap * 0.4 + index * width
        x0, x1 = frame.x(left), frame.x(left + width)
        y0, y1 = sorted((frame.y(0.0), frame.y(y)))
        bars.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{max(0.8, x1 - x0):.1f}" '
                    f'height="{max(0.5, y1 - y0):.1f}" fill="{color}"/>')
    return "".join(bars)


def figure_svg(figure: dict, label: str = "") -> str | None:
    """A Plotly figure dict -> SVG text of its primary axes; None when nothing there is drawable."""
    layout = figure.get("layout") or {}
    traces = [t for t in figure.get("data") or [] if isinstance(t, dict) and _on_primary_axes(t)
              and t.get("visible", True) is True]
    categories: dict[str, int] = {}
    all_x, all_y, series = [], [], []
    for trace in traces:
        kind = trace.get("type", "scatter")
        if kind in ("heatmap", "contour"):
            z, xs, ys = _grid(trace)
            if z and xs:
                hx, hy = _half_step(xs), _half_step(ys)
                all_x += [xs[0] - hx, xs[-1] + hx]
                all_y += [ys[0] - hy, ys[-1] + hy]
                series.append((trace, None, None))
        elif kind in ("scatter", "scattergl", "bar"):
            xs, ys = _values(trace.get("x"), categories), _values(trace.get("y"), {})
            if not trace.get("x") and ys:
                xs = [float(i) for i in range(len(ys))]
            n = min(len(xs), len(ys))
            if n:
                xs, ys = xs[:n], ys[:n]
                all_x += xs
                all_y += ys
                if kind == "bar":  # bars are as wide as the gap between categories, and start at 0
                    gap = _bar_gap(xs)
                    all_x += [min(v for v in xs if v is not None) - gap / 2,
                              max(v for v in xs if v is not None) + gap / 2]
                    all_y.append(0.0)
                series.append((trace, xs, ys))
    pictures = _layout_images(layout)
    for _, x0, x1, y0, y1, _ in pictures:
        all_x += [x0, x1]
        all_y += [y0, y1]
    if not series and not pictures:
        return None
    frame = _Frame(all_x, all_y, layout)
    bar_count = sum(1 for t, _, _ in series if t.get("type") == "bar")
    body, bar_index = [_picture(*picture, frame) for picture in pictures], 0  # under the traces
    # Rasters first, then areas and bars, then lines and markers on top.
    for order in ("raster", "shape", "line"):
        for index, (trace, xs, ys) in enumerate(series):
            kind = trace.get("type", "scatter")
            color = _trace_color(trace, index)
            if order == "raster" and kind in ("heatmap", "contour"):
                body.append(_heatmap(trace, frame))
            elif order == "shape" and kind == "bar":
                body.append(_bar(frame, xs, ys, color, bar_count, bar_index))
                bar_index += 1
            elif order == "line" and kind in ("scatter", "scattergl"):
                body.append(_scatter(trace, frame, xs, ys, color))
    title = f"<title>{html.escape(label)}</title>" if label else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img">{title}'
            f'<rect x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{HEIGHT - 2 * PAD}" '
            f'fill="none" stroke="#8884" stroke-width="1"/>{"".join(body)}</svg>')


def stats_svg(items: list[tuple[str, Any]], label: str = "") -> str:
    """A widget with numbers only: up to three 'label / value' pairs in large type."""
    rows = []
    for i, (name, value) in enumerate(items[:3]):
        y = 34 + i * 42
        shown = f"{value:,}" if isinstance(value, int) else (f"{value:.4g}" if isinstance(value, float)
                                                              else str(value))
        rows.append(f'<text x="16" y="{y}" font-size="12" fill="#888">{html.escape(str(name))[:28]}</text>'
                    f'<text x="16" y="{y + 22}" font-size="20" font-weight="bold" fill="#5c6bc0">'
                    f'{html.escape(shown)[:18]}</text>')
    title = f"<title>{html.escape(label)}</title>" if label else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" role="img" font-family="sans-serif">{title}{"".join(rows)}</svg>')
