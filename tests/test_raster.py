"""demos.raster: PNG backgrounds for Plotly plots, read back with an independent decoder."""

import base64

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from demos import raster
from png_decode import image_cells, read_png


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(1, 30), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_category_image_round_trips_cells_and_colours(height, width, n_colors, seed):
    z = np.random.default_rng(seed).integers(0, n_colors, (height, width))
    colors = ["#e45756", "#4c78a8", "#54a24b", "#f58518", "#b279a2", "#8c8c8c"][:n_colors]
    image = raster.category_image(z, colors, (-1.5, 1.5), (-1.0, 2.0), opacity=0.3)
    np.testing.assert_array_equal(image_cells(image, z.shape), z)   # bottom row first, like z
    png = read_png(base64.b64decode(image["source"].split(",", 1)[1]))
    scale = png["width"] // width
    assert (png["width"], png["height"]) == (width * scale, height * scale)
    assert max(png["width"], png["height"]) >= raster.MIN_PIXELS > max(png["width"], png["height"]) - max(width, height)
    assert [tuple(p) for p in png["palette"]] == [(*raster.hex_to_rgb(c), 76) for c in colors]
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (-1.5, 2.0, 3.0, 3.0)
    assert image["xref"] == "x" and image["yref"] == "y" and image["layer"] == "below"
    assert image["opacity"] == 1.0 and image["sizing"] == "stretch"   # opacity is in the palette


def test_rgba_image_round_trips_pixels_top_row_last_in_the_array():
    rgba = np.random.default_rng(1).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    image = raster.rgba_image(rgba, (0, 7), (0, 5))
    png = read_png(base64.b64decode(image["source"].split(",", 1)[1]))
    assert png["color_type"] == 6
    np.testing.assert_array_equal(png["rows"].reshape(5, 7, 4)[::-1], rgba)


def test_hex_to_rgb():
    assert raster.hex_to_rgb("#4363d8") == (67, 99, 216) and raster.hex_to_rgb("000000") == (0, 0, 0)


def test_category_image_draws_region_edges_two_pixels_wide_in_the_edge_colour():
    regions = np.array([[0, 0, 1, 1]] * 4)                 # one vertical edge, between columns 1, 2
    image = raster.category_image(regions, ["#e45756", "#4c78a8"], (0, 4), (0, 4), 0.5,
                                  regions=regions, edge_color="#8c8c8c")
    png = read_png(base64.b64decode(image["source"].split(",", 1)[1]))
    scale = png["width"] // 4
    edge_index = len(png["palette"]) - 1
    assert tuple(png["palette"][edge_index]) == (140, 140, 140, 255)
    columns = np.nonzero((png["rows"] == edge_index).all(axis=0))[0]
    assert columns.tolist() == [2 * scale - 1, 2 * scale]    # both sides of the edge, every row
    assert (png["rows"] == edge_index).sum() == 2 * png["height"]
    np.testing.assert_array_equal(image_cells(image, regions.shape), regions)


def test_level_lines_image_draws_each_whole_level_one_pixel_wide_in_its_colour():
    s = np.tile(np.arange(51) / 10, (3, 1))         # s = x / 10: levels 0 .. 5 at x = 0, 10, .. 50
    image = raster.level_lines_image(s, 5, ("#000000", "#ff0000"), (0, 51), (0, 3), shades=4,
                                     opacity=0.8)
    png = read_png(base64.b64decode(image["source"].split(",", 1)[1]))
    rgba = png["palette"][png["rows"]]                             # (3, 51, 4)
    alpha = rgba[0, :, 3]
    assert np.flatnonzero(alpha == alpha.max()).tolist() == [0, 10, 20, 30, 40, 50]
    assert alpha.max() == round(255 * 0.8)
    # One pixel off a line is one pixel of distance away: fully transparent (shades fall over 1 px).
    assert np.all(alpha[np.arange(51) % 10 != 0] == 0)
    assert [tuple(rgba[0, x, :3]) for x in (0, 20, 50)] == [(0, 0, 0), (102, 0, 0), (255, 0, 0)]
    assert (rgba[:, :, 3] == alpha).all()                          # every row the same
