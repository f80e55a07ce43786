"""Backgrounds as PNG images placed on a plot's axes (Plotly ``layout.images``).

Why: a heatmap or contour trace is recomputed and redrawn by Plotly on every redraw of its figure
(about 5-7 ms each in the browser), even when only the points on top changed. A picture computed
here with NumPy is one ``<image>`` for the browser, and a background that depends only on a few
settings (an optimizer's loss surface) can be cached as a string.

    category_image(z, colors, x_range, y_range)      flat colour per cell, z (H, W) of indices
    palette_image(indices, palette, x_range, y_range) (H, W) indices into (P, 4) RGBA colours
    rgba_image(rgba, x_range, y_range)               any picture, rgba (H, W, 4) uint8
    level_lines_image(s, levels, colors, x_range, y_range)  the lines where s (H, W) is whole

Row 0 of ``z`` / ``rgba`` is the *bottom* of the picture (y = y_range[0]), as in a Plotly heatmap.
A coarse grid of categories is enlarged to about ``MIN_PIXELS`` on its longer side (each cell a
block of equal pixels; long runs compress to almost nothing), so that the browser's smoothing when
it scales the picture blurs only the thin edges between cells, as a heatmap's edges look.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

__all__ = ["category_image", "palette_image", "rgba_image", "level_lines_image", "png_bytes",
           "hex_to_rgb"]

MIN_PIXELS = 400


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``"#4363d8"`` -> (67, 99, 216)."""
    color = color.lstrip("#")
    return tuple(int(color[i:i + 2], 16) for i in (0, 2, 4))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(pixels: np.ndarray, palette: np.ndarray | None = None) -> bytes:
    """A PNG file of ``pixels``, top row first: (H, W, 4) uint8 RGBA, or (H, W) uint8 indices into
    ``palette`` (P, 4) uint8 RGBA (a paletted PNG: a quarter of the bytes to compress)."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = pixels.shape[:2]
    color_type = 6 if palette is None else 3
    # Every row starts with its filter type; 0 = the bytes as they are.
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], axis=1)
    chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))]
    if palette is not None:
        palette = np.asarray(palette, dtype=np.uint8)
        chunks += [_chunk(b"PLTE", palette[:, :3].tobytes()), _chunk(b"tRNS", palette[:, 3].tobytes())]
    chunks += [_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)), _chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def _placed(png: bytes, x_range, y_range, opacity: float) -> dict:
    """A Plotly layout image covering x_range x y_range in data coordinates, under the traces."""
    (x0, x1), (y0, y1) = x_range, y_range
    return {"source": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
            "xref": "x", "yref": "y", "x": float(x0), "y": float(y1),
            "sizex": float(x1 - x0), "sizey": float(y1 - y0), "sizing": "stretch",
            "xanchor": "left", "yanchor": "top", "layer": "below", "opacity": float(opacity)}


def category_image(z: np.ndarray, colors: list[str], x_range, y_range, opacity: float = 1.0,
                   regions: np.ndarray | None = None, edge_color: str | None = None) -> dict:
    """z (H, W) of indices in [0, len(colors)) -> a layout image, one flat colour per cell drawn
    with ``opacity``. With ``regions`` (H, W) and ``edge_color``, the edges between cells of
    different regions are drawn as 2-pixel lines in ``edge_color``, fully opaque."""
    z = np.asarray(z, dtype=np.uint8)
    height, width = z.shape
    scale = -(-MIN_PIXELS // max(z.shape))                        # ceil: at least MIN_PIXELS
    pixels = np.repeat(np.repeat(z, scale, axis=0), scale, axis=1)
    palette = [(*hex_to_rgb(c), round(255 * opacity)) for c in colors]
    if regions is not None:
        # The pixels on both sides of an edge: the last of one cell and the first of the next.
        between_columns = np.repeat(regions[:, 1:] != regions[:, :-1], scale, axis=0)  # (H*s, W-1)
        between_rows = np.repeat(regions[1:, :] != regions[:-1, :], scale, axis=1)     # (H-1, W*s)
        edge = np.zeros(pixels.shape, dtype=bool)
        for side in (scale - 1, scale):
            edge[:, side:side + (width - 1) * scale:scale] |= between_columns
            edge[side:side + (height - 1) * scale:scale, :] |= between_rows
        pixels[edge] = len(palette)
        palette.append((*hex_to_rgb(edge_color), 255))
    return _placed(png_bytes(pixels[::-1], np.array(palette, dtype=np.uint8)), x_range, y_range,
                   1.0)


def rgba_image(rgba: np.ndarray, x_range, y_range, opacity: float = 1.0) -> dict:
    """rgba (H, W, 4) uint8 -> a layout image."""
    return _placed(png_bytes(np.asarray(rgba)[::-1]), x_range, y_range, opacity)


def palette_image(indices: np.ndarray, palette: np.ndarray, x_range, y_range,
                  opacity: float = 1.0) -> dict:
    """indices (H, W) into palette (P <= 256, 4) uint8 RGBA -> a layout image (one byte a pixel)."""
    return _placed(png_bytes(np.asarray(indices, dtype=np.uint8)[::-1], palette), x_range, y_range,
                   opacity)


def level_lines_image(s: np.ndarray, levels: int, colors: tuple[str, str], x_range, y_range,
                      shades: int = 8, opacity: float = 0.85) -> dict:
    """Level lines of a field ``s`` (H, W) given in level units: a line where ``s`` is a whole
    number 0 .. ``levels``, coloured from ``colors[0]`` (level 0) to ``colors[1]`` (the last).

    A pixel's distance to the nearest line is about |s - round(s)| / |grad s| pixels; the line's
    opacity falls from ``opacity`` to 0 over one pixel of that distance (in ``shades`` steps),
    which draws it smooth. Colours are a palette of (level, opacity step) pairs: one byte per
    pixel, a few kilobytes compressed."""
    steepness = np.hypot(*np.gradient(s))                                # |grad s| per pixel
    distance = np.abs(s - np.round(s)) / np.maximum(steepness, 1e-9)     # pixels to a line
    shade = np.round((shades - 1) * np.clip(1.0 - distance, 0.0, 1.0)).astype(int)
    level = np.clip(np.round(s), 0, levels).astype(int)
    shade[(s < -0.5) | (s > levels + 0.5)] = 0
    low, high = (np.array(hex_to_rgb(c), dtype=float) for c in colors)
    mix = np.arange(levels + 1)[:, None, None] / levels                  # (levels + 1, 1, 1)
    palette = np.empty((levels + 1, shades, 4))
    palette[..., :3] = (1 - mix) * low + mix * high
    palette[..., 3] = 255 * opacity * np.arange(shades) / (shades - 1)
    return palette_image(level * shades + shade, np.round(palette.reshape(-1, 4)).astype(np.uint8),
                         x_range, y_range)
