"""The Neurons playground's pictures, drawn with numpy and OpenCV.

Fast enough to redraw many times a second: the decision boundary with the points, and the
network with every neuron's own output over the plane, in TensorFlow Playground's colours
(orange for class 0 and negative values, blue for class 1 and positive values, white
between).
"""

from __future__ import annotations

import cv2
import numpy as np

from cnnviz.feedforward import Playground
from cnnviz.feedforward.pointsets import RADIUS

ORANGE = np.array([245, 147, 34], np.float64)
BLUE = np.array([8, 119, 189], np.float64)
WHITE = np.array([255, 255, 255], np.float64)
BACKGROUND = (255, 255, 255)
LABELS = {"x": "x", "y": "y", "x2": "x^2", "y2": "y^2", "xy": "xy", "sinx": "sin x",
          "siny": "sin y"}  # fmt: skip
"""Feature labels drawn on the picture (OpenCV's font has no superscripts)."""


def colours(values: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Values in [-1, 1] as colours: -1 orange, 0 white, +1 blue.

    Args:
        values: (H, W) any float; clipped to [-1, 1].
        strength: how far from white the extremes go, 0..1.

    Returns:
        (H, W, 3) uint8 RGB.
    """
    v = np.clip(np.asarray(values, np.float64), -1, 1)[..., None] * strength
    out = np.where(v > 0, WHITE + (BLUE - WHITE) * v, WHITE + (ORANGE - WHITE) * -v)
    return out.astype(np.uint8)


def _to_pixels(points: np.ndarray, size: int) -> np.ndarray:
    scale = size / (2 * RADIUS)
    px = (points[:, 0] + RADIUS) * scale
    py = (RADIUS - points[:, 1]) * scale  # y grows upwards on the plane, downwards in pixels
    return np.stack([px, py], axis=1).round().astype(np.int32)


def boundary_picture(run: Playground, size: int = 320, resolution: int = 80) -> np.ndarray:
    """The network's answer over the square, with the training points and the test points.

    Training points are filled discs with a white rim; test points have a black rim.

    Returns:
        (size, size, 3) uint8 RGB.
    """
    p = run.grid(resolution)[-1][:, :, 0]
    image = colours(2 * p - 1, strength=0.75)
    image = cv2.resize(image, (size, size), interpolation=cv2.INTER_LINEAR)
    radius = max(2, size // 70)
    for points, labels, rim in (
        (run.points.x_train, run.points.y_train, (255, 255, 255)),
        (run.points.x_test, run.points.y_test, (0, 0, 0)),
    ):
        for (px, py), label in zip(_to_pixels(points, size), labels, strict=True):
            fill = tuple(int(c) for c in (BLUE if label == 1 else ORANGE))
            cv2.circle(image, (int(px), int(py)), radius, fill, -1, cv2.LINE_AA)
            if radius >= 3:  # a rim on a smaller dot would hide its colour
                cv2.circle(image, (int(px), int(py)), radius, rim, 1, cv2.LINE_AA)
    return image


def _neuron_scale(values: np.ndarray, activation: str) -> np.ndarray:
    """A neuron's outputs mapped to [-1, 1] for colouring.

    tanh as it is, the sigmoid around its middle 0.5, ReLU and linear by their largest value.
    """
    if activation == "tanh":
        return values
    if activation == "sigmoid":
        return 2 * values - 1
    top = float(np.abs(values).max())
    return values / top if top > 0 else values


def network_picture(run: Playground, tile: int = 44, resolution: int = 30) -> np.ndarray:
    """The whole network: inputs, each hidden neuron and the output.

    Each is a small picture of its own output over the plane, joined by lines whose colour
    is the weight's sign (blue positive, orange negative) and whose width is its size.

    Returns:
        (H, W, 3) uint8 RGB, one column of tiles per layer, its label on top.
    """
    maps = [run.input_maps(resolution), *run.grid(resolution)]
    activation = run.network.activation
    scaled = [maps[0]]
    for i, layer in enumerate(maps[1:], start=1):
        scaled.append(2 * layer - 1 if i == len(maps) - 1 else _neuron_scale(layer, activation))
    gap_x, gap_y, top = 76, 10, 26
    tallest = max(m.shape[2] for m in scaled)
    height = top + tallest * (tile + gap_y) + 4
    width = len(scaled) * tile + (len(scaled) - 1) * gap_x + 8
    image = np.full((height, width, 3), BACKGROUND, np.uint8)

    def corner(column: int, row: int, count: int) -> tuple[int, int]:
        offset = (tallest - count) * (tile + gap_y) // 2  # each column centred vertically
        return 4 + column * (tile + gap_x), top + offset + row * (tile + gap_y)

    for layer, weights in enumerate(run.network.weights):
        biggest = float(np.abs(weights).max()) or 1.0
        n_in, n_out = weights.shape
        for i in range(n_in):
            x0, y0 = corner(layer, i, n_in)
            for j in range(n_out):
                x1, y1 = corner(layer + 1, j, n_out)
                w = weights[i, j]
                colour = tuple(int(c) for c in (BLUE if w > 0 else ORANGE))
                thickness = 1 + round(2 * abs(w) / biggest)
                cv2.line(image, (x0 + tile, y0 + tile // 2), (x1, y1 + tile // 2), colour,
                         thickness, cv2.LINE_AA)  # fmt: skip
    names = ["inputs"] + [f"layer {i}" for i in range(1, len(scaled) - 1)] + ["output"]
    for column, layer in enumerate(scaled):
        count = layer.shape[2]
        for row in range(count):
            x, y = corner(column, row, count)
            picture = cv2.resize(colours(layer[:, :, row]), (tile, tile),
                                 interpolation=cv2.INTER_NEAREST)  # fmt: skip
            image[y : y + tile, x : x + tile] = picture
            cv2.rectangle(image, (x - 1, y - 1), (x + tile, y + tile), (120, 120, 120), 1)
            if column == 0:
                label = LABELS.get(run.config.features[row], run.config.features[row])
                cv2.putText(image, label, (x + 2, y + tile - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.38,
                            (30, 30, 30), 1, cv2.LINE_AA)  # fmt: skip
        x, _ = corner(column, 0, count)
        cv2.putText(image, names[column], (x, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (60, 60, 60),
                    1, cv2.LINE_AA)  # fmt: skip
    return image
