"""Synthetic shapes: coloured geometric figures on noisy backgrounds, with their bounding boxes.

Every image holds one filled figure (circle, square, triangle, star, cross or ellipse) at a
random position, size, rotation and colour. The figure is drawn without anti-aliasing, so its
pixels are exactly the pixels of its mask, and its box is the tight box around the mask: later
pages can check whether a model looked at the object or at the background.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import cv2
import numpy as np

from cnnviz.errors import InputError

SHAPE_NAMES: tuple[str, ...] = ("circle", "square", "triangle", "star", "cross", "ellipse")

# Fixed-point bits for cv2.fillPoly: vertices are placed with 1/16-pixel precision.
_SHIFT = 4
# Figure circumradius as a fraction of the image side.
_MIN_RADIUS, _MAX_RADIUS = 0.22, 0.46
# Ellipse minor/major axis ratio range: clearly not a circle.
_ELLIPSE_RATIO = (0.4, 0.6)


def _unit_polygon(name: str) -> np.ndarray | None:
    """Vertices (K, 2) of a figure with circumradius 1 centred on 0; None for round figures."""
    if name == "triangle":
        angles = np.deg2rad(90 + 120 * np.arange(3))
        pts = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    elif name == "square":
        angles = np.deg2rad(45 + 90 * np.arange(4))
        pts = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    elif name == "star":
        angles = np.deg2rad(90 + 36 * np.arange(10))
        radii = np.where(np.arange(10) % 2 == 0, 1.0, 0.45)
        pts = np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)
    elif name == "cross":
        a = 0.32  # half-width of each arm, relative to the arm length
        half = [[a, 1], [a, a], [1, a], [1, -a], [a, -a], [a, -1]]  # right half, clockwise
        pts = np.array([*half, *(np.negative(half).tolist())], dtype=np.float64)
    else:
        return None
    return pts / np.linalg.norm(pts, axis=1).max()


_POLYGONS = {name: _unit_polygon(name) for name in SHAPE_NAMES}


@dataclass
class ShapeBatch:
    """Generated images with everything known about them.

    Attributes:
        images: (N, S, S, C) uint8, C = 3 (RGB) or 1 (grayscale).
        labels: (N,) int64 indices into ``class_names``.
        boxes: (N, 4) int64 ``(x0, y0, x1, y1)``: the figure covers columns ``x0..x1-1`` and
            rows ``y0..y1-1`` (``image[y0:y1, x0:x1]`` is the tight crop).
        masks: (N, S, S) bool, True on the figure's pixels.
        class_names: the figure names, in label order.
    """

    images: np.ndarray
    labels: np.ndarray
    boxes: np.ndarray
    masks: np.ndarray
    class_names: list[str]


def _balanced_labels(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """N labels in random order whose class counts differ by at most one."""
    return rng.permutation(np.arange(n) % k).astype(np.int64)


def _gaussian_lut(sigma: float) -> np.ndarray:
    """(256,) int16: maps a uniform byte to a Gaussian value with std ``sigma`` (quantiles)."""
    dist = NormalDist(0.0, sigma)
    return np.array([round(dist.inv_cdf((u + 0.5) / 256)) for u in range(256)], np.int16)


def _add_noise(rng: np.random.Generator, images: np.ndarray, sigma: float) -> np.ndarray:
    """Images (N, S, S, 3) uint8 plus Gaussian noise of std ``sigma``, clipped to 0..255.

    Random bytes mapped through a Gaussian quantile table are several times faster than
    ``standard_normal`` and look the same at 8-bit precision.
    """
    noise = _gaussian_lut(sigma)[rng.integers(0, 256, images.shape, dtype=np.uint8)]
    noise += images
    return np.clip(noise, 0, 255).astype(np.uint8)


def _draw(canvas: np.ndarray, color, name: str, geometry: tuple[float, ...]) -> None:
    """Fill one figure into ``canvas`` (S, S) or (S, S, 3) in place, without anti-aliasing.

    Args:
        canvas: uint8 image to draw on.
        color: fill value, an int or an RGB triple.
        name: the figure.
        geometry: centre x, centre y, circumradius (pixels), angle (radians), ellipse ratio.
    """
    cx, cy, r, angle, ratio = geometry
    scale = 1 << _SHIFT
    if name == "circle":
        center = (round(cx * scale), round(cy * scale))
        cv2.circle(canvas, center, round(r * scale), color, -1, cv2.LINE_8, _SHIFT)
    elif name == "ellipse":
        center = (round(cx * scale), round(cy * scale))
        axes = (round(r * scale), round(r * ratio * scale))
        cv2.ellipse(canvas, center, axes, np.rad2deg(angle), 0, 360, color, -1, cv2.LINE_8, _SHIFT)
    else:
        c, s = np.cos(angle), np.sin(angle)
        rot = np.array([[c, -s], [s, c]])
        pts = (_POLYGONS[name] @ rot.T) * r + (cx, cy)
        cv2.fillPoly(canvas, [np.round(pts * scale).astype(np.int32)], color, cv2.LINE_8, _SHIFT)


def _draw_clutter(rng: np.random.Generator, images: np.ndarray, count: int) -> None:
    """Draw ``count`` random strokes into each (N, S, S, 3) image in place.

    Each stroke is a straight line 8-25% of the side long, 1-2 px thick, in a random colour:
    edges and colour like a figure's, but no closed shape, so no class.
    """
    n, size = images.shape[:2]
    x0 = rng.uniform(0, size, (n, count))
    y0 = rng.uniform(0, size, (n, count))
    length = rng.uniform(0.08, 0.25, (n, count)) * size
    angle = rng.uniform(0, 2 * np.pi, (n, count))
    thick = rng.integers(1, 3, (n, count))
    colors = rng.integers(0, 256, (n, count, 3))
    x1, y1 = x0 + length * np.cos(angle), y0 + length * np.sin(angle)
    for i in range(n):
        for j in range(count):
            p0 = (round(x0[i, j]), round(y0[i, j]))
            p1 = (round(x1[i, j]), round(y1[i, j]))
            cv2.line(images[i], p0, p1, colors[i, j].tolist(), int(thick[i, j]), cv2.LINE_8)


def generate(
    n: int,
    image_size: int = 32,
    *,
    seed: int | list[int] = 0,
    noise: float = 0.05,
    classes: list[str] | tuple[str, ...] | None = None,
    grayscale: bool = False,
    labels: np.ndarray | None = None,
    radius: tuple[float, float] = (_MIN_RADIUS, _MAX_RADIUS),
    clutter: int = 0,
) -> ShapeBatch:
    """Draw ``n`` images of random figures, deterministically from ``seed``.

    Args:
        n: number of images (0..200000).
        image_size: side S of the square images in pixels (16..256).
        seed: an int or a list of ints (numpy ``SeedSequence`` entropy); the same seed and
            arguments give the same images.
        noise: standard deviation of the Gaussian pixel noise, as a fraction of 255 (0..0.5).
        classes: which figures to draw (subset of :data:`SHAPE_NAMES`, at least two);
            default all.
        grayscale: one luma channel instead of RGB.
        labels: (n,) class indices to draw, instead of a balanced random order.
        radius: (low, high) range of the figure's circumradius as a fraction of the side
            (within 0.05..0.48); small figures make "where did the model look" testable.
        clutter: distractor strokes per image (0..40): short straight lines in random
            colours, drawn under the figure, that belong to no class. The mask and box
            stay exactly the labelled figure's.

    Returns:
        The images, labels, boxes and masks. Figures are bright on dark or dark on bright
        (luma differs by at least 50 of 255) and lie entirely inside the image.

    Raises:
        InputError: for an argument outside the ranges above or an unknown figure name.
    """
    names = list(SHAPE_NAMES if classes is None else classes)
    unknown = [c for c in names if c not in SHAPE_NAMES]
    if unknown or len(set(names)) != len(names) or len(names) < 2:
        raise InputError(
            f"Shapes classes must be at least two different names from {list(SHAPE_NAMES)}, "
            f"got {names}."
        )
    if not 0 <= int(n) <= 200_000:
        raise InputError(f"Number of shape images must be between 0 and 200000, got {n}.")
    if not 16 <= int(image_size) <= 256:
        raise InputError(f"Shapes image size must be between 16 and 256 pixels, got {image_size}.")
    if not 0 <= float(noise) <= 0.5:
        raise InputError(f"Shapes noise must be between 0 and 0.5, got {noise}.")
    low, high = (float(v) for v in radius)
    if not 0.05 <= low <= high <= 0.48:
        raise InputError(
            f"Shapes radius range must satisfy 0.05 <= low <= high <= 0.48, got {radius}."
        )
    if not 0 <= int(clutter) <= 40:
        raise InputError(f"Shapes clutter must be between 0 and 40 strokes, got {clutter}.")
    n, size = int(n), int(image_size)
    rng = np.random.default_rng(seed)
    k = len(names)
    if labels is None:
        labels = _balanced_labels(rng, n, k)
    else:
        labels = np.asarray(labels, dtype=np.int64).copy()
        if labels.shape != (n,) or (n and (labels.min() < 0 or labels.max() >= k)):
            raise InputError(f"Shapes labels must be {n} indices in 0..{k - 1}.")

    # Every random quantity is drawn up front, in a fixed order, so results depend on the seed
    # only.
    radius = rng.uniform(low, high, n) * size
    # Centre far enough from the edges that the whole figure (within its circumradius) fits.
    lo, hi = radius + 1, size - 2 - radius
    cx = lo + rng.random(n) * (hi - lo)
    cy = lo + rng.random(n) * (hi - lo)
    angle = rng.uniform(0, 2 * np.pi, n)
    ratio = rng.uniform(*_ELLIPSE_RATIO, n)
    # Half the images: bright figure on dark ground, the other half the reverse.
    bright_figure = rng.random(n) < 0.5
    bright = rng.integers(150, 256, (n, 3))
    dark = rng.integers(0, 101, (n, 3))
    fg = np.where(bright_figure[:, None], bright, dark).astype(np.uint8)
    bg = np.where(bright_figure[:, None], dark, bright).astype(np.uint8)

    masks = np.zeros((n, size, size), np.uint8)
    images = np.empty((n, size, size, 3), np.uint8)
    images[:] = bg[:, None, None, :]
    if clutter:
        _draw_clutter(rng, images, int(clutter))
    for i in range(n):
        geometry = (cx[i], cy[i], radius[i], angle[i], ratio[i])
        name = names[labels[i]]
        # The same primitive, the same pixels: the mask is exactly the figure in the image.
        _draw(masks[i], 1, name, geometry)
        _draw(images[i], fg[i].tolist(), name, geometry)
    masks = masks.astype(bool)
    if noise > 0 and n:
        images = _add_noise(rng, images, noise * 255)
    if grayscale:
        luma = np.asarray([0.299, 0.587, 0.114], np.float32)
        images = np.clip((images @ luma).round(), 0, 255).astype(np.uint8)[..., None]

    boxes = np.zeros((n, 4), np.int64)
    rows, cols = masks.any(axis=2), masks.any(axis=1)  # (N, S): rows / columns touched
    for i in range(n):
        ys, xs = np.flatnonzero(rows[i]), np.flatnonzero(cols[i])
        if len(xs):  # a figure always covers pixels; guard anyway
            boxes[i] = (xs[0], ys[0], xs[-1] + 1, ys[-1] + 1)
    return ShapeBatch(images, labels, boxes, masks, names)
