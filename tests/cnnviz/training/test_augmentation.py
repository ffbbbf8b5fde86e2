"""Each augmentation setting has its effect, checked on synthetic images with known answers."""

import math
from dataclasses import asdict

import numpy as np
import pytest

from cnnviz.errors import InputError
from cnnviz.training import (
    COURSES_IMAGE_DATA_GENERATOR,
    FILL_MODES,
    Augmentation,
    shear_factor,
)

SEEDS = range(8)


def vertical_edge(side=40, column=20):
    """(1, side, side, 1) uint8: black left of ``column``, white from it on."""
    img = np.zeros((1, side, side, 1), np.uint8)
    img[:, :, column:] = 255
    return img


def edge_columns(image):
    """Per row, the first column above mid-grey."""
    return np.array([(row > 127).argmax() for row in image[:, :, 0]], float)


def bright_centre(image):
    """(row, column) of the bright pixels' centroid."""
    rows, cols = np.nonzero(image[:, :, 0] > 127)
    return rows.mean(), cols.mean()


def test_courses_preset_has_the_courses_numbers():
    aug = Augmentation.courses()
    assert COURSES_IMAGE_DATA_GENERATOR == {
        "rotation_range": 40,
        "width_shift_range": 0.2,
        "height_shift_range": 0.2,
        "shear_range": 0.2,
        "zoom_range": 0.2,
        "horizontal_flip": True,
        "fill_mode": "nearest",
    }
    assert (aug.rotation_deg, aug.width_shift, aug.height_shift) == (40, 0.2, 0.2)
    assert (aug.shear_deg, aug.zoom, aug.flip, aug.fill_mode) == (0.2, 0.2, "horizontal", "nearest")
    generator = aug.as_image_data_generator()
    assert {k: generator[k] for k in COURSES_IMAGE_DATA_GENERATOR} == COURSES_IMAGE_DATA_GENERATOR
    assert generator["vertical_flip"] is False


@pytest.mark.parametrize(
    ("degrees", "factor"), [(0, 0.0), (0.2, math.sin(math.radians(0.2))), (30, 0.5), (45, 0.7071)]
)
def test_shear_degrees_convert_to_the_random_shear_slope(degrees, factor):
    assert shear_factor(degrees) == pytest.approx(factor, abs=1e-4)
    if degrees:
        (layer,) = Augmentation(shear_deg=degrees).layers(seed=0)
        assert type(layer).__name__ == "RandomShear"
        assert layer.x_factor == pytest.approx((-factor, factor), abs=1e-4)
        assert layer.y_factor == (0.0, 0.0)


def test_shear_moves_a_vertical_edge_by_sin_of_the_angle_per_row():
    # 30°: row y moves sideways by at most y·sin 30° = y/2 pixels, measured from the top row.
    slopes = []
    for seed in SEEDS:
        out = Augmentation(shear_deg=30).apply(vertical_edge(), seed=seed)[0]
        shift = edge_columns(out) - 20
        rows = np.arange(len(shift))
        assert abs(shift[0]) <= 1
        # A straight, slanted edge through the top row's position.
        slope = np.polyfit(rows[:36], shift[:36], 1)[0]
        assert np.abs(shift[:36] - slope * rows[:36]).max() <= 1.5
        slopes.append(abs(slope))
    assert max(slopes) <= 0.5 + 0.02
    assert max(slopes) >= 0.3  # random draws in [-0.5, 0.5] reach well into the range


def test_rotation_is_in_degrees():
    bar = np.zeros((1, 41, 41, 1), np.uint8)
    bar[:, 19:22, 4:37] = 255
    angles = []
    for seed in SEEDS:
        out = Augmentation(rotation_deg=40, fill_mode="constant").apply(bar, seed=seed)[0, :, :, 0]
        rows, cols = np.nonzero(out > 127)
        # The bar's direction from the second moments of its pixels.
        cov = np.cov(np.stack([cols, rows]))
        angles.append(abs(math.degrees(0.5 * math.atan2(2 * cov[0, 1], cov[0, 0] - cov[1, 1]))))
    assert max(angles) <= 40 + 2
    assert max(angles) >= 20


@pytest.mark.parametrize(("field", "moves"), [("width_shift", 1), ("height_shift", 0)])
def test_width_and_height_shifts_are_separate(field, moves):
    dot = np.zeros((1, 40, 40, 1), np.uint8)
    dot[:, 18:22, 18:22] = 255
    moved = []
    for seed in SEEDS:
        out = Augmentation(fill_mode="constant", **{field: 0.2}).apply(dot, seed=seed)[0]
        centre = np.array(bright_centre(out)) - 19.5
        assert abs(centre[1 - moves]) < 0.5  # the other direction stays put
        assert abs(centre[moves]) <= 0.2 * 40 + 0.5
        moved.append(abs(centre[moves]))
    assert max(moved) >= 3


def test_zoom_scales_width_and_height_independently_by_up_to_the_range():
    square = np.zeros((1, 40, 40, 1), np.uint8)
    square[:, 10:30, 10:30] = 255
    ratios = []
    for seed in SEEDS:
        out = Augmentation(zoom=0.2, fill_mode="constant").apply(square, seed=seed)[0, :, :, 0]
        rows, cols = np.nonzero(out > 127)
        height, width = np.ptp(rows) + 1, np.ptp(cols) + 1
        for side in (height, width):
            assert 20 / 1.2 - 1.5 <= side <= 20 / 0.8 + 1.5
        ratios.append(height / width)
    assert max(abs(r - 1) for r in ratios) > 0.03


def test_horizontal_flip_mirrors_or_keeps_each_image():
    images = np.repeat(vertical_edge(10, 3), 16, axis=0)
    out = Augmentation.from_image_data_generator(horizontal_flip=True).apply(images, seed=0)
    mirrored = [np.array_equal(o, images[0][:, ::-1]) for o in out]
    assert all(m or np.array_equal(o, images[0]) for m, o in zip(mirrored, out, strict=True))
    assert 0 < sum(mirrored) < 16


@pytest.mark.parametrize("mode", FILL_MODES)
def test_fill_modes_fill_the_uncovered_border_as_named(mode):
    # Column c holds 50 + 10·c; a shift by t pixels puts v(c − t) at column c.
    ramp = (50 + 10 * np.arange(20)).astype(np.uint8)
    image = np.ascontiguousarray(np.broadcast_to(ramp, (20, 20))[None, :, :, None])
    for seed in SEEDS:
        out = Augmentation(width_shift=0.5, fill_mode=mode).apply(image, seed=seed)[0, :, :, 0]
        t = 10 - (int(out[10, 10]) - 50) / 10  # the shift, read at the centre column
        if abs(t) >= 5:
            break
    else:
        pytest.fail("no large shift drawn")
    k = int(abs(t)) - 1  # fully uncovered columns on the side the image moved away from
    band = (out[:, :k] if t > 0 else out[:, -k:]).astype(int)
    cols = np.arange(k) if t > 0 else np.arange(20 - k, 20)
    if mode == "constant":
        expected = np.zeros(k)
    elif mode == "nearest":  # the edge pixel repeated
        expected = np.full(k, 50 if t > 0 else 240)
    elif mode == "wrap":  # the far side comes round: column c shows c − t ± 20
        expected = 50 + 10 * ((cols - t) % 20)
    else:  # reflect: mirrored about the edge
        source = cols - t
        expected = 50 + 10 * np.where(source < 0, -source - 1, 39 - source)
    np.testing.assert_allclose(band, np.broadcast_to(expected, band.shape), atol=6)


def test_from_dict_reads_the_earlier_units_and_round_trips():
    old = {"flip": "horizontal", "rotation": 0.1, "shift": 0.05, "zoom": 0.1, "contrast": 0.2}
    aug = Augmentation.from_dict(old)
    assert aug.rotation_deg == pytest.approx(36.0)
    assert (aug.width_shift, aug.height_shift) == (0.05, 0.05)
    assert (aug.zoom, aug.contrast, aug.fill_mode) == (0.1, 0.2, "nearest")
    assert Augmentation.from_dict(asdict(Augmentation.courses())) == Augmentation.courses()
    assert Augmentation.from_dict(None) == Augmentation()
    # The earlier keywords still work, and read back in their own unit.
    legacy = Augmentation(rotation=0.05, shift=0.1)
    assert legacy.rotation_deg == pytest.approx(18.0) and legacy.rotation == pytest.approx(0.05)
    assert legacy.shift == 0.1 and legacy.height_shift == 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fill_mode": "mirror"}, "Fill mode"),
        ({"shear_deg": 60}, "shear"),
        ({"rotation_deg": -1}, "rotation"),
        ({"width_shift": 0.8}, "width shift"),
    ],
)
def test_out_of_range_settings_are_input_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        Augmentation(**kwargs).validate()


def test_from_image_data_generator_refuses_what_it_cannot_reproduce():
    with pytest.raises(InputError, match="brightness_range"):
        Augmentation.from_image_data_generator(brightness_range=(0.5, 1.5))


def test_apply_leaves_the_input_alone():
    images = vertical_edge()
    before = images.copy()
    Augmentation.courses().apply(images, seed=0)
    np.testing.assert_array_equal(images, before)


def test_the_courses_literal_image_data_generator_call_is_accepted():
    # The TensorFlow course, word for word: rescale=1./255 is not an augmentation but the
    # preprocessing, so it sets that instead of being refused.
    aug = Augmentation.from_image_data_generator(
        rescale=1.0 / 255,
        rotation_range=40,
        width_shift_range=0.2,
        height_shift_range=0.2,
        shear_range=0.2,
        zoom_range=0.2,
        horizontal_flip=True,
        fill_mode="nearest",
    )
    assert aug.preprocessing == "rescale"
    assert (aug.rotation_deg, aug.width_shift, aug.height_shift) == (40, 0.2, 0.2)
    assert (aug.shear_deg, aug.zoom, aug.flip, aug.fill_mode) == (0.2, 0.2, "horizontal", "nearest")
    assert aug.as_image_data_generator()["rescale"] == pytest.approx(1 / 255)
    assert Augmentation.from_dict(asdict(aug)) == aug
    # Without rescale, nothing is said about the preprocessing (the model's own).
    assert Augmentation.courses().preprocessing is None
    assert "rescale" not in Augmentation.courses().as_image_data_generator()


@pytest.mark.parametrize("factor", [1.0 / 127.5, 2.0, -1 / 255])
def test_a_rescale_other_than_1_over_255_is_refused(factor):
    with pytest.raises(InputError, match="rescale"):
        Augmentation.from_image_data_generator(rescale=factor, horizontal_flip=True)
    # None and 0 mean no rescaling in ImageDataGenerator.
    for none in (None, 0):
        assert Augmentation.from_image_data_generator(rescale=none).preprocessing is None
