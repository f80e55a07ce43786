"""A small PNG reader for tests (8-bit RGBA or paletted, non-interlaced), written from the PNG
specification independently of demos/raster.py: it checks every chunk's CRC and undoes all five
row filters, so it would also read files from other encoders."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def read_png(data: bytes) -> dict:
    """-> {"width", "height", "color_type", "rows" (H, W*channels) uint8 top row first,
    "palette" (P, 4) uint8 RGBA or None}."""
    assert data[:8] == SIGNATURE, "not a PNG"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and interlace == 0 and color_type in (3, 6)
    channels = 4 if color_type == 6 else 1
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * channels
    assert len(raw) == height * (stride + 1)
    rows, previous = [], [0] * stride
    for r in range(height):
        kind, line = raw[r * (stride + 1)], list(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            line[i] = (line[i] + [0, left, up, (left + up) // 2, _paeth(left, up, corner)][kind]) % 256
        rows.append(line)
        previous = line
    palette = None
    if color_type == 3:
        rgb = np.frombuffer(next(b for k, b in chunks if k == b"PLTE"), np.uint8).reshape(-1, 3)
        alpha = np.full(len(rgb), 255, np.uint8)
        trns = next((b for k, b in chunks if k == b"tRNS"), b"")
        alpha[:len(trns)] = np.frombuffer(trns, np.uint8)
        palette = np.column_stack([rgb, alpha])
    return {"width": width, "height": height, "color_type": color_type,
            "rows": np.array(rows, dtype=np.uint8), "palette": palette}


def image_cells(layout_image: dict, shape: tuple[int, int]) -> np.ndarray:
    """A paletted layout image (demos/raster.py) of a (H, W) grid of cells -> the cells' indices
    (H, W), row 0 at the *bottom* (the orientation of a Plotly heatmap's z). Each cell is a block
    of pixels whose inside is one colour (its outer pixels may be a drawn edge)."""
    prefix = "data:image/png;base64,"
    assert layout_image["source"].startswith(prefix)
    png = read_png(base64.b64decode(layout_image["source"][len(prefix):]))
    assert png["color_type"] == 3
    rows, (h, w) = png["rows"][::-1], shape
    assert rows.shape[0] % h == 0 and rows.shape[1] % w == 0
    blocks = rows.reshape(h, rows.shape[0] // h, w, rows.shape[1] // w)
    inside = blocks[:, 1:-1, :, 1:-1] if blocks.shape[1] > 2 else blocks
    cells = inside[:, 0, :, 0]
    assert (inside == cells[:, None, :, None]).all(), "a cell is not one flat colour"
    return cells
