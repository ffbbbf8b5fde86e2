"""Make the Home page's pictures from the project's own code: ``python assets/make_pictures.py``.

Each picture is what a page of the app computes (a Gabor bank, an edge filter, a real
training curve, activation maps, filter visualizations, a drawn digit and its adversarial
twin, a Grad-CAM overlay, top-3 guesses, a real transfer-learning comparison, a denoising
autoencoder's before and after), drawn with
OpenCV into a small PNG in ``assets/home/``. Offline: only the bundled samples, model and
datasets are used; every number drawn comes from the run that made the picture.

``python assets/make_pictures.py featureviz transfer`` remakes only the pictures named.
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


def _save(name: str, rgb: np.ndarray, levels: int = 256) -> None:
    """Save at SIZE; ``levels`` < 256 posterises (noisy pictures compress 2-3x smaller)."""
    OUT.mkdir(parents=True, exist_ok=True)
    rgb = cv2.resize(rgb, SIZE, interpolation=cv2.INTER_AREA)
    if levels < 256:
        step = 256 // levels
        rgb = np.minimum(rgb // step * step + step // 2, 255).astype(np.uint8)
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


def activation_curves() -> None:
    """Activation functions: sigmoid and ReLU (solid) with their slopes (dashed)."""
    from cnnviz import activation_functions as af

    w, h, left, right, top, bottom = 320, 200, 20, 305, 20, 175
    img = np.full((h, w, 3), BACKGROUND, np.uint8)
    y0 = bottom - 30  # where y = 0 is drawn; the plot shows y from about -0.25 to 1.2
    cv2.line(img, (left, y0), (right, y0), (150, 150, 150), 1)
    cv2.line(img, ((left + right) // 2, top), ((left + right) // 2, bottom), (150, 150, 150), 1)

    def points(x, y):
        xs = left + (x + 4.0) / 8.0 * (right - left)  # x from -4 to 4
        ys = y0 - y * (y0 - top - 10)
        return np.stack([xs, ys], axis=1).astype(np.int32)

    for name, colour in (("sigmoid", (31, 119, 180)), ("relu", (214, 39, 40))):
        x, f, d = af.curves(name, np.linspace(-4.0, 4.0, 161))
        inside = f <= 1.15  # ReLU leaves the top of the plot, as it leaves any plot
        cv2.polylines(img, [points(x[inside], f[inside])], False, colour, 3, cv2.LINE_AA)
        dashes = points(x, d)
        for a in range(0, len(dashes) - 4, 8):
            if np.ptp(d[a : a + 4]) < 0.5:  # no dash across ReLU's step at 0
                cv2.polylines(img, [dashes[a : a + 4]], False, colour, 2, cv2.LINE_AA)
    cv2.putText(img, "sigmoid", (24, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (31, 119, 180), 1,
                cv2.LINE_AA)  # fmt: skip
    cv2.putText(img, "ReLU", (24, 62), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (214, 39, 40), 1,
                cv2.LINE_AA)  # fmt: skip
    cv2.putText(img, "dashed: slope (gradient)", (24, bottom + 18), cv2.FONT_HERSHEY_SIMPLEX,
                0.45, (60, 60, 60), 1, cv2.LINE_AA)  # fmt: skip
    _save("activation_functions", img)


def activation_grid() -> None:
    """Activations: the 12 liveliest first-layer maps of the bundled model."""
    from cnnviz import activations, images, models, pretrained

    model = pretrained.load(pretrained.BUNDLED)
    photo = images.samples()["cat"]
    first = next(i.name for i in models.layer_infos(model) if i.is_conv)
    maps = activations.layer_activations(model, photo[None], [first])[first][0]
    order = np.argsort(maps.reshape(-1, maps.shape[-1]).std(axis=0))[::-1][:12]
    tiles = [
        cv2.applyColorMap(cv2.resize(_to_uint8(maps[:, :, c]), (72, 72)), cv2.COLORMAP_VIRIDIS)[
            :, :, ::-1
        ]
        for c in order
    ]
    _save("activations", _mosaic(tiles, 6))


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float = 0.45) -> None:
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (40, 40, 40), 1, cv2.LINE_AA)


def _train_small(dataset: str, epochs: int, **options):
    """Train the Train page's default network on an offline dataset; return it stored."""
    import tempfile

    from cnnviz import datasets
    from cnnviz.store import ModelStore
    from cnnviz.training import TrainingConfig, TrainingJob

    store = ModelStore(Path(tempfile.mkdtemp(prefix="cnnviz-pictures-")))
    ds = datasets.load(dataset, **options)
    cfg = TrainingConfig(epochs=epochs, batch_size=32, learning_rate=2e-3)
    job = TrainingJob(ds, cfg, store=store).start()
    job.wait()
    print(f"{dataset}: test accuracy {job.result.test_accuracy:.1%}")
    return store.load(job.result.model_id)


def filter_pictures() -> None:
    """Filter visualization: what six filters of a small trained network like most."""
    from cnnviz import featureviz, models

    model = _train_small("shapes", 6, n_train=1200, n_test=200, image_size=32)
    layer = models.conv_layers(model)[-1]
    pictures = featureviz.visualize_filters(model, layer, list(range(6)), steps=256, size=64)
    tiles = [cv2.resize(p, (96, 96), interpolation=cv2.INTER_CUBIC) for p in pictures]
    _save("featureviz", _mosaic(tiles, 3, pad=6), levels=16)


def _draw_digit(side: int = 280) -> np.ndarray:
    """A hand-drawn-looking "3": thick light strokes on a black canvas, (side, side, 4)."""
    canvas = np.zeros((side, side, 4), np.uint8)
    top = [(80, 70), (120, 45), (175, 50), (195, 90), (170, 130), (130, 140)]
    bottom = [(130, 140), (180, 150), (200, 195), (175, 235), (120, 240), (75, 215)]
    for stroke in (top, bottom):
        cv2.polylines(canvas, [np.array(stroke, np.int32)], False, (255, 255, 255, 255), 22,
                      cv2.LINE_AA)  # fmt: skip
    return canvas


def draw_and_attack() -> None:
    """Draw & attack: a drawn digit read by a small network, then fooled by FGSM.

    The smallest ε of a few tried that changes the network's answer is used.
    """
    from cnnviz import adversarial
    from cnnviz.images import drawing

    model = _train_small("digits", 8)
    side = int(model.input_size[0])
    digit = drawing.frame_drawing(_draw_digit(), "digits", side)
    (index, name, p), *_ = model.top_k(digit[None], 1)[0]
    attacked, after = None, None
    for eps in (0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3):
        candidate = adversarial.fgsm(model, digit[None], eps)[0]
        guess = model.top_k(candidate[None], 1)[0][0]
        if guess[0] != index:
            attacked, after = candidate, (eps, *guess)
            break
    if attacked is None:
        raise RuntimeError("no epsilon tried fooled the model; train it longer")
    eps, _, name2, p2 = after
    big = [cv2.resize(x, (120, 120), interpolation=cv2.INTER_NEAREST) for x in (digit, attacked)]
    img = np.full((200, 320, 3), BACKGROUND, np.uint8)
    img[28:148, 20:140] = big[0]
    img[28:148, 180:300] = big[1]
    cv2.arrowedLine(img, (146, 88), (174, 88), (90, 90, 90), 2, cv2.LINE_AA, tipLength=0.4)
    _text(img, "drawn", (20, 20))
    _text(img, f"+ noise, eps {eps:g}", (180, 20))
    _text(img, f"reads {name} ({p:.0%})", (20, 172), 0.5)
    _text(img, f"reads {name2} ({p2:.0%})", (180, 172), 0.5)
    _save("playground", img)


def transfer_comparison() -> None:
    """Transfer learning: test accuracy and time of the three ways, from real runs.

    One quick run each on the Transfer page's first dataset (offline), the bundled
    EfficientNet-Lite0 as base.
    """
    import dataclasses

    from cnnviz import datasets, transfer
    from cnnviz.training import TrainingJob

    ds = datasets.load(transfer.DEFAULT_DATASET)
    settings = {
        "features": ({}, {"epochs": 15}),
        "frozen": ({}, {"epochs": 3}),
        "finetune": ({"head_epochs": 3}, {"epochs": 3}),
    }
    results = {}
    for mode, (tkw, ckw) in settings.items():
        cfg = dataclasses.replace(transfer.recommended_config(mode, **tkw), **ckw)
        job = TrainingJob(ds, cfg).start()
        job.wait()
        results[mode] = (job.result.test_accuracy, job.result.seconds)
        print(mode, f"{results[mode][0]:.1%} in {results[mode][1]:.0f} s")
    img = np.full((200, 320, 3), BACKGROUND, np.uint8)
    labels = {"features": "features", "frozen": "frozen", "finetune": "fine-tune"}
    colours = [(31, 119, 180), (44, 160, 44), (214, 39, 40)]
    for row, (mode, (acc, secs)) in enumerate(results.items()):
        y = 38 + row * 50
        _text(img, labels[mode], (10, y + 16), 0.5)
        cv2.rectangle(img, (95, y), (95 + int(150 * acc), y + 24), colours[row], -1)
        _text(img, f"{acc:.0%}  {secs:.0f} s", (100 + int(150 * acc), y + 17))
    n, k = len(ds.x_train), len(ds.x_test)
    _text(img, f"test accuracy on {k} test images, {len(ds.class_names)} classes", (10, 18))
    _text(img, f"EfficientNet-Lite0 base, {n} training images", (10, 190), 0.4)
    _save("transfer", img)


def autoencoder_rows() -> None:
    """Autoencoder: digits, the same with noise, and what a quickly trained denoiser made."""
    from cnnviz import autoencoder, datasets
    from cnnviz.training import TrainingJob

    ds = datasets.load("digits")
    job = TrainingJob(ds, autoencoder.recommended_config("digits")).start()
    job.wait()
    result = autoencoder.denoise(job.model, ds.x_test[:5], autoencoder.COURSE_NOISE)
    rows = [result.clean, result.noisy, result.reconstructed]
    gray = [(np.repeat(x[:, :, :1], 3, axis=2) * 255).astype(np.uint8) for r in rows for x in r]
    tiles = [cv2.resize(x, (46, 46), interpolation=cv2.INTER_NEAREST) for x in gray]
    grid = _mosaic(tiles, 5, pad=4)
    img = np.full((200, 320, 3), BACKGROUND, np.uint8)
    img[8 : 8 + grid.shape[0], 62 : 62 + grid.shape[1]] = grid
    for row, label in enumerate(("clean", "noisy", "denoised")):
        _text(img, label, (4, 39 + row * 50))
    noisy, model = float(result.mse_noisy.mean()), float(result.mse_model.mean())
    _text(img, f"mean squared error {noisy:.3f} -> {model:.3f}", (8, 186), 0.45)
    print(f"autoencoder: MSE noisy {noisy:.4f}, denoised {model:.4f}")
    _save("autoencoder", img)


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


def neurons_playground() -> None:
    """Neurons playground: the default network's boundary on the spiral beside a line's."""
    import dataclasses

    from cnnviz.feedforward import Playground, PlaygroundConfig
    from cnnviz.ui.feedforward.pictures import boundary_picture

    config = dataclasses.replace(PlaygroundConfig(), dataset="spiral")
    img = np.full((200, 320, 3), BACKGROUND, np.uint8)
    for column, setup in enumerate((config, config.linear())):
        run = Playground(setup)
        run.train(60)
        x = 12 + column * 160
        img[24:160, x : x + 136] = boundary_picture(run, size=136)
        accuracy = run.accuracy("test")
        _text(img, "8-8 network" if column == 0 else "a line", (x, 16))
        _text(img, f"test accuracy {accuracy:.0%}", (x, 180))
        print(f"neurons: {'network' if column == 0 else 'line'} {accuracy:.1%}")
    _save("neurons", img)


def my_classes_run() -> None:
    """My classes: two classes made of snapshots (crops of two samples), trained, then a guess."""
    import os
    import tempfile

    from cnnviz import images, myclasses, workspaces

    home = os.environ.get("CNNVIZ_HOME")
    os.environ["CNNVIZ_HOME"] = tempfile.mkdtemp(prefix="cnnviz-pictures-")  # never the user's
    try:
        project = myclasses.Project(workspaces.Workspace(workspaces.new_key()))
        rng = np.random.default_rng(0)
        strips = {}
        for name in ("cat", "coffee"):
            photo = images.samples()[name]
            h, w = photo.shape[:2]
            shots = []
            for _ in range(8):  # snapshots: the object moved a little each time
                s = int(min(h, w) * rng.uniform(0.6, 0.9))
                y, x = int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1))
                shots.append(np.ascontiguousarray(photo[y : y + s, x : x + s]))
            class_id = project.add_class(name)
            project.add_images(class_id, [(f"{i}.png", shot) for i, shot in enumerate(shots)])
            strips[name] = [
                cv2.resize(shot, (40, 40), interpolation=cv2.INTER_AREA) for shot in shots
            ]
        result = myclasses.train(project)
        model = myclasses.load_model(project)
        probe = cv2.resize(images.samples()["cat"][40:260, 120:340], (110, 110))
        probs = model.predict_proba(probe)[0]
        print(f"my_classes: trained on {result.images}, P = {probs.round(3).tolist()}")
    finally:
        if home is None:
            os.environ.pop("CNNVIZ_HOME")
        else:
            os.environ["CNNVIZ_HOME"] = home
    img = np.full((200, 320, 3), BACKGROUND, np.uint8)
    for row, name in enumerate(("cat", "coffee")):
        y = 22 + row * 62
        _text(img, f"{name}: {len(strips[name])} snapshots", (8, y - 6))
        for i, tile in enumerate(strips[name][:7]):
            img[y : y + 40, 8 + i * 44 : 48 + i * 44] = tile
    img[140:195, 8:63] = cv2.resize(probe, (55, 55))
    for row, (name, p) in enumerate(zip(model.class_names, probs, strict=True)):
        yb = 150 + row * 24
        cv2.rectangle(img, (140, yb), (140 + int(170 * p), yb + 16), (44, 160, 44), -1)
        _text(img, f"{name} {p:.0%}", (72, yb + 12), 0.42)
    _save("my_classes", img)


PICTURES = {
    "gabor": gabor_bank,
    "filters": edge_filter,
    "activation_functions": activation_curves,
    "activations": activation_grid,
    "gradcam": gradcam_and_guesses,  # also pretrained.png
    "train": training_curve,
    "featureviz": filter_pictures,
    "playground": draw_and_attack,
    "transfer": transfer_comparison,
    "autoencoder": autoencoder_rows,
    "neurons": neurons_playground,
    "my_classes": my_classes_run,
}

if __name__ == "__main__":
    for picture in sys.argv[1:] or PICTURES:
        PICTURES[picture]()
