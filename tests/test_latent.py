"""Latent-space maths: interpolation, planes, principal directions, concept vectors, tiles, animations."""

import numpy as np
import pytest
from PIL import Image

from studio.core.progress import JobError
from studio.engines.latent import (
    LatentPlane,
    concept_vector,
    interpolate,
    lerp,
    principal_directions,
    save_animation,
    slerp,
    tile_images,
    walk,
)


def test_slerp_hits_both_endpoints():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(16), rng.standard_normal(16)
    np.testing.assert_allclose(slerp(a, b, 0.0), a, atol=1e-5)
    np.testing.assert_allclose(slerp(a, b, 1.0), b, atol=1e-5)


def test_slerp_keeps_unit_vectors_on_the_sphere_where_lerp_does_not():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(32), rng.standard_normal(32)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    path = interpolate(a, b, 11, spherical=True)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-5)
    straight = interpolate(a, b, 11, spherical=False)
    assert np.linalg.norm(straight[5]) < 0.9  # the straight line cuts through the inside


def test_slerp_moves_at_constant_angular_speed():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    path = interpolate(a, b, 5)
    angles = np.degrees(np.arctan2(path[:, 1], path[:, 0]))
    np.testing.assert_allclose(angles, [0, 22.5, 45, 67.5, 90], atol=1e-4)


def test_slerp_of_parallel_codes_falls_back_to_a_straight_line():
    a = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(slerp(a, 2 * a, 0.5), lerp(a, 2 * a, 0.5), atol=1e-6)
    assert np.isfinite(slerp(np.zeros(3), a, 0.5)).all()


def test_interpolate_needs_two_steps():
    with pytest.raises(JobError):
        interpolate(np.zeros(2), np.ones(2), 1)


def test_walk_loops_back_to_its_start():
    keypoints = np.eye(3, dtype=np.float32)
    path = walk(keypoints, steps_per_leg=4)
    assert path.shape == (12, 3)
    np.testing.assert_allclose(path[0], keypoints[0])
    np.testing.assert_allclose(path[4], keypoints[1], atol=1e-6)
    open_path = walk(keypoints, steps_per_leg=4, loop=False)
    np.testing.assert_allclose(open_path[-1], keypoints[-1])


def test_plane_grid_is_the_chapters_layout_and_clicks_map_back():
    plane = LatentPlane.axes(2, extent=1.0)
    codes = plane.codes(30)
    assert codes.shape == (900, 2)
    np.testing.assert_allclose(codes[0], [-1, 1])  # top left: x low, y high
    np.testing.assert_allclose(codes[29], [1, 1])
    np.testing.assert_allclose(codes[-1], [1, -1])
    np.testing.assert_allclose(plane.point(0.0, 0.0), codes[0])
    assert plane.coordinates(plane.point(0.3, 0.8)) == pytest.approx((0.3, 0.8))
    # With the cell count, a click in the middle of a drawn cell gives that cell's code.
    np.testing.assert_allclose(plane.point(0.5 / 30, 0.5 / 30, cells=30), codes[0], atol=1e-6)
    np.testing.assert_allclose(plane.point(2.5 / 30, 1.5 / 30, cells=30), codes[32], atol=1e-6)
    assert plane.coordinates(codes[32], cells=30) == pytest.approx((2.5 / 30, 1.5 / 30))


def test_plane_through_two_dimensions_of_a_larger_space_keeps_the_others():
    origin = np.arange(5, dtype=np.float32)
    plane = LatentPlane.axes(5, 1, 3, extent=2.0, origin=origin)
    codes = plane.codes(4)
    np.testing.assert_allclose(codes[:, [0, 2, 4]], np.broadcast_to(origin[[0, 2, 4]], (16, 3)))
    assert codes[:, 1].min() == pytest.approx(-1.0) and codes[:, 3].max() == pytest.approx(5.0)
    with pytest.raises(JobError):
        LatentPlane.axes(5, 2, 2)


def test_principal_directions_find_the_widest_spread():
    rng = np.random.default_rng(2)
    codes = rng.standard_normal((2000, 4)) * [0.1, 3.0, 0.1, 1.0] + 5
    mean, directions, spread = principal_directions(codes, 2)
    np.testing.assert_allclose(mean, 5, atol=0.2)
    assert abs(directions[0, 1]) > 0.99 and abs(directions[1, 3]) > 0.99
    np.testing.assert_allclose(spread, [3.0, 1.0], rtol=0.1)


def test_concept_vector_is_the_difference_of_group_means():
    smiling = np.array([[1.0, 2.0], [3.0, 4.0]])
    neutral = np.array([[0.0, 0.0], [0.0, 2.0], [0.0, 1.0]])
    vector = concept_vector(smiling, neutral)
    np.testing.assert_allclose(vector, [2.0, 2.0])
    # Adding the vector to the neutral mean lands on the smiling mean: the arithmetic the editor relies on.
    np.testing.assert_allclose(neutral.mean(0) + vector, smiling.mean(0))
    with pytest.raises(JobError):
        concept_vector(smiling, np.zeros((0, 2)))


def test_tile_images_lays_out_rows_and_makes_grey_rgb():
    images = np.stack([np.full((4, 5, 1), value, np.uint8) for value in (10, 20, 30, 40, 50)])
    sheet = tile_images(images, columns=2)
    assert sheet.shape == (12, 10, 3) and sheet.dtype == np.uint8
    assert sheet[0, 0, 0] == 10 and sheet[0, 5, 2] == 20 and sheet[4, 0, 1] == 30 and sheet[8, 0, 0] == 50
    assert sheet[8, 5].tolist() == [0, 0, 0]  # the empty cell


def test_save_animation_writes_a_looping_gif(tmp_path):
    frames = [np.full((8, 8, 3), value, np.uint8) for value in (0, 120, 240)]
    path = save_animation(frames, tmp_path / "loop.gif", fps=10)
    with Image.open(path) as gif:
        assert gif.n_frames == 3 and gif.info.get("loop") == 0 and gif.info.get("duration") == 100


def test_save_animation_refuses_unknown_formats_and_no_frames(tmp_path):
    frames = [np.zeros((8, 8, 3), np.uint8)]
    with pytest.raises(JobError, match="gif"):
        save_animation(frames, tmp_path / "loop.avi")
    with pytest.raises(JobError, match="no frames"):
        save_animation([], tmp_path / "loop.gif")
    assert not list(tmp_path.iterdir())


def test_save_animation_writes_an_mp4_with_even_sides(tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    import imageio.v2 as imageio

    frames = [np.full((27, 29, 3), value, np.uint8) for value in range(0, 250, 25)]
    path = save_animation(frames, tmp_path / "walk.mp4", fps=12)
    with imageio.get_reader(path) as reader:
        assert reader.count_frames() == 10 and reader.get_meta_data()["size"] == (30, 28)
