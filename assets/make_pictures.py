"""Make the Home page's pictures from the project's own code: ``python assets/make_pictures.py``.

Each picture is what a page of the app computes (a Gabor bank, an edge filter, a real
training curve, activation maps, a Grad-CAM overlay, top-3 guesses), drawn with OpenCV into a
small PNG in ``assets/home/``. Offline: only the bundled samples and model are used.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "assets" / "home"
SIZE = (320, 200)  # width, height of every picture
BACKGROUND = (250, 247, 243)


def _save(name: str, rgb: np.ndarray) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rgb = cv2.resize(rgb, SIZE, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(OUT / f"{name}.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_PNG_COMPRESSION, 9])  # fmt: skip
    print(f"{name}.png", (OUT / f"{name}.png").stat().st_size // 1024, "KB")


def _to_uint8(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    span = x.max() - x.min()
    if span == 0:
        return np.zeros(x.shape, np.uint8)
    return ((x - x.min()) / span * 255).astype(np.uint8)


def _mosaic(tiles: list[np.ndarray], cols: int, pad: int = 4) -> np.ndarray:
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // cols)
    canvas = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, 3), BACKGROUND, np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        tile = tile if tile.ndim == 3 else np.repeat(tile[:, :, None], 3, axis=2)
        canvas[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) :][:, :w] = tile
    return canvas


def gabor_bank() -> None:
    """Filters: a bank of 12 Gabor kernels (6 directions, 2 wavelengths)."""
    from cnnviz import filters

    tiles = []
    for lambd in (6.0, 10.0):
        for k in range(6):
            kern = filters.gabor_kernel(31, 4.0, np.pi * k / 6, lambd, 0.6, 0.0)
            tile = cv2.resize(_to_uint8(kern), (64, 64), interpolation=cv2.INTER_NEAREST)
            tiles.append(cv2.applyColorMap(tile, cv2.COLORMAP_TWILIGHT)[:, :, ::-1])
    _save("gabor", _mosaic(tiles, 6))


def edge_filter() -> None:
    """Filters: a photo and its Sobel edge strength."""
    from cnnviz import filters, images

    photo = cv2.resize(images.samples()["cat"], (240, 180))
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    magnitude = filters.sobel(gray)[2]
    edges = cv2.applyColorMap(_to_uint8(np.sqrt(magnitude)), cv2.COLORMAP_INFERNO)[:, :, ::-1]
    _save("filters", np.hstack([photo, np.full((180, 6, 3), 255, np.uint8), edges]))


def training_curve() -> None:
    """Train: the real accuracy curves of a short run on shapes."""
    from cnnviz import datasets
    from cnnviz.training import TrainingConfig, TrainingJob

    ds = datasets.load("shapes", n_train=1200, n_test=200, image_size=24)
    job = TrainingJob(ds, TrainingConfig(epochs=6, batch_size=32, learning_rate=2e-3)).start()
    job.wait()
    acc = job.history["accuracy"]
    val = job.history.get("val_accuracy", acc)
    w, h = 320, 200
    img = np.full((h, w, 3), BACKGROUND, np.uint8)
    cv2.line(img, (30, 170), (305, 170), (120, 120, 120), 1)
    cv2.line(img, (30, 20), (30, 170), (120, 120, 120), 1)

    def points(values):
        xs = np.linspace(30, 305, len(values))
        ys = 170 - np.asarray(values) * 150
        return np.stack([xs, ys], axis=1).astype(np.int32)

    for values, colour in ((acc, (31, 119, 180)), (val, (255, 127, 14))):
        cv2.polylines(img, [points(values)], False, colour, 3, cv2.LINE_AA)
    cv2.putText(img, f"accuracy {val[-1]:.0%}", (150, 150), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                (60, 60, 60), 1, cv2.LINE_AA)  # fmt: skip
    _save("train", img)


def activation_grid() -> None:
    """Activations: the 12 liveliest first-layer maps of the bundled model."""
    from cnnviz import activations, images, modelutils, pretrained

    model = pretrained.load(pretrained.BUNDLED)
    photo = images.samples()["cat"]
    first = next(i.name for i in modelutils.layer_infos(model) if i.is_conv)
    maps = activations.layer_activations(model, photo[None], [first])[first][0]
    order = np.argsort(maps.reshape(-1, maps.shape[-1]).std(axis=0))[::-1][:12]
    tiles = [
        cv2.applyColorMap(cv2.resize(_to_uint8(maps[:, :, c]), (72, 72)), cv2.COLORMAP_VIRIDIS)[
            :, :, ::-1
        ]
        for c in order
    ]
    _save("activations", _mosaic(tiles, 6))


def gradcam_and_guesses() -> None:
    """Grad-CAM overlay and the bundled model's top-3 guesses (Pretrained)."""
    from cnnviz import attribution, images, pretrained

    model = pretrained.load(pretrained.BUNDLED)
    photo = cv2.resize(images.samples()["cat"], (240, 180))
    heat = attribution.grad_cam(model, photo[None])[0]
    heat = cv2.resize(heat, (photo.shape[1], photo.shape[0]))
    colour = cv2.applyColorMap((heat * 255).astype(np.uint8), cv2.COLORMAP_JET)[:, :, ::-1]
    _save("gradcam", (0.55 * photo + 0.45 * colour).astype(np.uint8))

    guesses = model.top_k(photo[None], 3)[0]
    img = np.full((200, 320, 3), BACKGROUND, np.uint8)
    img[10:190, 10:130] = cv2.resize(photo, (120, 180))
    for row, (_, name, p) in enumerate(guesses):
        y = 40 + row * 55
        cv2.rectangle(img, (145, y), (145 + int(160 * p), y + 22), (44, 160, 44), -1)
        cv2.putText(img, f"{name[:16]} {p:.0%}", (145, y - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (40, 40, 40), 1, cv2.LINE_AA)  # fmt: skip
    _save("pretrained", img)


if __name__ == "__main__":
    gabor_bank()
    edge_filter()
    activation_grid()
    gradcam_and_guesses()
    training_curve()
