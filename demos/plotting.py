"""Plot building blocks shared by the widgets: layouts, the class palette, the 2-D plane, rounding.

Figures are plain Plotly dicts ``{"data": [...], "layout": {...}}``. Backgrounds are transparent
and no font colour is set, so the host's theme (light or dark) decides it; legends sit below the
plot, where a phone has room. Pictures drawn as PNG come from ``demos.raster``.
"""

from __future__ import annotations

import numpy as np

from demos import raster

__all__ = ["CLASS_COLORS", "TIE_COLOR", "class_name", "axis_style", "layout", "chart_layout",
           "plane_layout", "plane_grid", "region_image", "boundary_lines", "rounded", "significant"]

CLASS_COLORS = ["#e45756", "#4c78a8", "#54a24b", "#f58518", "#b279a2"]  # readable on light and dark
TIE_COLOR = "#8c8c8c"
TRANSPARENT = "rgba(0,0,0,0)"


def class_name(c: int) -> str:
    return f"클래스 {c}"


# ---------------------------------------------------------------------------------------------
# Layouts.
# ---------------------------------------------------------------------------------------------

def axis_style(**extra) -> dict:
    """Grey, half-transparent grid lines: visible on white and on Material's slate background.
    Tick labels stay level and are not checked for overflow: otherwise Plotly measures every
    label on every redraw."""
    return {"gridcolor": "rgba(128,128,128,0.25)", "zerolinecolor": "rgba(128,128,128,0.5)",
            "linecolor": "rgba(128,128,128,0.5)", "tickangle": 0, "ticklabeloverflow": "allow",
            **extra}


def layout(**extra) -> dict:
    """Transparent, phone-friendly Plotly layout; the host decides the font colour."""
    result = {"autosize": True, "paper_bgcolor": TRANSPARENT, "plot_bgcolor": TRANSPARENT,
              "margin": {"l": 56, "r": 12, "t": 36, "b": 40},
              "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"}}
    result.update(extra)
    return result


def chart_layout(title: str, height: int, **extra) -> dict:
    """A titled chart of ``height`` pixels with a faint grid on both axes; ``extra`` axis settings
    are merged over the grid's."""
    result = {"title": {"text": title, "font": {"size": 14}}, "height": height, "autosize": True,
              "margin": {"l": 50, "r": 12, "t": 36, "b": 40},
              "paper_bgcolor": TRANSPARENT, "plot_bgcolor": TRANSPARENT,
              "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
              "hovermode": "closest"}
    result.update(extra)
    for axis in ("xaxis", "yaxis"):       # faint grid: readable on light and dark pages
        result[axis] = {"gridcolor": "rgba(128,128,128,0.25)",
                        "zerolinecolor": "rgba(128,128,128,0.5)", "tickangle": 0,
                        "ticklabeloverflow": "allow", **result.get(axis, {})}
    return result


# ---------------------------------------------------------------------------------------------
# The square plane [-lim, lim]^2 of the 2-D classifiers (kNN, linear).
# ---------------------------------------------------------------------------------------------

def plane_layout(lim: float, height: int = 400, **extra) -> dict:
    """A square [-lim, lim]^2 plane, transparent, legend below, no zoom (taps must stay clicks)."""
    axis = {"range": [-lim, lim], "fixedrange": True, "constrain": "domain"}
    result = {
        "autosize": True, "height": height, "margin": {"l": 32, "r": 8, "t": 8, "b": 24},
        "paper_bgcolor": TRANSPARENT, "plot_bgcolor": TRANSPARENT,
        "xaxis": dict(axis), "yaxis": dict(axis, scaleanchor="x", scaleratio=1),
        "legend": {"orientation": "h", "x": 0, "y": -0.04, "yanchor": "top"},
        "dragmode": False, "hovermode": "closest", "showlegend": True,
    }
    result.update(extra)
    return result


def plane_grid(lim: float, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres of a size x size grid on [-lim, lim]^2 -> (centres (size,), points (size**2, 2)).

    Row-major with y as the row, like Plotly's heatmap z: points[i * size + j] = (centres[j],
    centres[i]).
    """
    step = 2 * lim / size
    centres = -lim + step * (np.arange(size) + 0.5)
    gx, gy = np.meshgrid(centres, centres)
    return centres, np.stack([gx.ravel(), gy.ravel()], axis=1)


def region_image(centres: np.ndarray, z: np.ndarray, colors: list[str], opacity: float = 0.35,
                 regions: np.ndarray | None = None) -> dict:
    """Plotly layout image of category indices z (size, size) in [0, len(colors)): one flat colour
    per cell, cells centred on ``centres`` (the same for x and y); with ``regions`` (size, size),
    the edges between different regions drawn as lines. An image, not heatmap and line traces:
    see demos.raster."""
    half = (centres[1] - centres[0]) / 2 if len(centres) > 1 else 0.5
    extent = (centres[0] - half, centres[-1] + half)
    return raster.category_image(z, colors, extent, extent, opacity, regions=regions,
                                 edge_color=TIE_COLOR)


def boundary_lines(z: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges where neighbouring labels of z (size, size) differ, as a NaN-separated polyline."""
    h = (centres[1] - centres[0]) / 2 if len(centres) > 1 else 0.5
    i, j = np.nonzero(z[:, 1:] != z[:, :-1])  # vertical edges between columns j and j + 1
    xv = centres[j] + h
    vx = np.stack([xv, xv, np.full_like(xv, np.nan)], axis=1)
    vy = np.stack([centres[i] - h, centres[i] + h, np.full_like(xv, np.nan)], axis=1)
    i, j = np.nonzero(z[1:, :] != z[:-1, :])  # horizontal edges between rows i and i + 1
    yh = centres[i] + h
    hx = np.stack([centres[j] - h, centres[j] + h, np.full_like(yh, np.nan)], axis=1)
    hy = np.stack([yh, yh, np.full_like(yh, np.nan)], axis=1)
    return np.concatenate([vx.ravel(), hx.ravel()]), np.concatenate([vy.ravel(), hy.ravel()])


# ---------------------------------------------------------------------------------------------
# Rounding: fewer digits in the JSON sent to the browser (a plot does not need 17).
# ---------------------------------------------------------------------------------------------

def rounded(a: np.ndarray, digits: int = 4) -> np.ndarray:
    """``a`` rounded to ``digits`` decimals (coordinates on a plane of size about 1)."""
    return np.round(a, digits)


def significant(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits (what a chart shows; shorter JSON).
    Zeros and non-finite values stay as they are."""
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(values))))
        rounded_values = np.round(values * scale) / scale
    return np.where(np.isfinite(rounded_values), rounded_values, values)
