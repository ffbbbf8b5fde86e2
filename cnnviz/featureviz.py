"""Feature visualization: images that make a chosen filter fire, by gradient ascent.

Two recipes, so a student can compare them on the same filters:

* ``"fourier"`` (default, the recipe of Olah et al., "Feature Visualization", Distill 2017):
  the image is parameterised by a Fourier spectrum scaled by 1/frequency and by
  decorrelated colour channels, squashed to [0, 1] with a sigmoid; every step sees a
  randomly padded, shifted, scaled and rotated copy (transformation robustness); Adam.
  High-frequency noise is hard to express in this basis and does not survive the random
  transforms, so the images show shapes and textures instead of adversarial noise.
* ``"naive"``: start from grey plus noise, take normalised gradient steps in pixel space,
  no regularisation. It finds high-frequency patterns that excite the filter.

All requested filters are optimised together as one batch: image ``i`` maximises the
mean activation of filter ``filter_indices[i]``. Each image has its own random stream
derived from ``(seed, filter index)``, so a filter's picture does not depend on which other
filters share the batch, and the same seed gives the same pictures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np

from cnnviz import autodiff, config, modelutils
from cnnviz.errors import InputError
from cnnviz.imagemodel import ImageModel
from cnnviz.preprocessing import Preprocessing, unit

METHODS = ("fourier", "naive")
"""Recipe names accepted by :func:`visualize_filters`."""

DEFAULT_STEPS = 256
FAST_STEPS = 24
MIN_SIZE, MAX_SIZE = 16, 512

# Square root of the colour covariance of ImageNet pixels (published with Lucid): multiplying
# decorrelated channels by it gives natural colour statistics.
_COLOR_CORRELATION_SQRT = np.asarray(
    [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], dtype=np.float32
)
_COLOR_MIX = _COLOR_CORRELATION_SQRT / np.max(np.linalg.norm(_COLOR_CORRELATION_SQRT, axis=0))

_LEARNING_RATE = {"fourier": 0.05, "naive": 0.01}
# Initial spread of the spectrum coefficients: a start of ~6 grey levels of smooth noise
# rather than Lucid's near-uniform grey (0.01, under 1 level), so that the ReLUs below the
# target layer are not all silent on the first step (their gradient would be exactly zero).
_SPECTRUM_SD = 0.1
_ADAM_B1, _ADAM_B2, _ADAM_EPS = 0.9, 0.999, 1e-8

_STEP_CACHE = modelutils.ModelCache(maxsize=8)
_ERF_CACHE = modelutils.ModelCache(maxsize=32)

# The Fourier recipe optimises a periodic canvas no smaller than this (pixels per side), and
# repeats it to the size asked for; see :func:`periodic_canvas`.
MIN_CANVAS = 64
_ERF_MASS = 0.95


def default_steps() -> int:
    """Steps used when ``steps=None``: tuned for clean images, short under ``CNNVIZ_FAST``."""
    return FAST_STEPS if config.fast_mode() else DEFAULT_STEPS


# ---------------------------------------------------------------------------------------------
# Image parameterisation (numpy constants, keras.ops maths)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FourierBasis:
    """The 1/frequency weights of a real 2-D spectrum, and its inverse transform.

    ``image = irfft2(spectrum * scale)`` for a spectrum of shape (h, w // 2 + 1), computed
    with ``keras.ops`` FFTs (an inverse FFT along the height, written as a conjugated
    forward FFT, then a real inverse FFT along the width), so it runs on every backend
    without complex dtypes, in O(h w log(h w)) rather than the O(h w (h + w)) of explicit
    DFT matrices (at 224 px the matrices cost a third of each step).
    """

    h: int
    w: int
    scale: np.ndarray  # (h, kw) 1/frequency weights

    @classmethod
    def make(cls, h: int, w: int) -> _FourierBasis:
        fy = np.fft.fftfreq(h)[:, None]
        fx = np.fft.rfftfreq(w)[None, :]
        freq = np.sqrt(fx**2 + fy**2)
        # 1/f spectrum (natural images), the DC term capped at the lowest non-zero frequency;
        # sqrt(h*w) undoes the 1/(h*w) of the inverse transform so values stay O(1).
        scale = 1.0 / np.maximum(freq, 1.0 / max(h, w)) * np.sqrt(h * w)
        return cls(h=h, w=w, scale=scale.astype(np.float32))

    def image(self, spectrum):
        """Spectrum (N, 2, 3, h, kw) (real, imaginary) → image (N, h, w, 3) in [0, 1]."""
        ops = keras.ops
        real = ops.transpose(spectrum[:, 0] * self.scale, (0, 1, 3, 2))  # (N, 3, kw, h)
        imag = ops.transpose(spectrum[:, 1] * self.scale, (0, 1, 3, 2))
        # Inverse DFT along the height: ifft(z) = conj(fft(conj(z))) / h.
        f_re, f_im = ops.fft((real, -imag))
        t_re = ops.transpose(f_re, (0, 1, 3, 2)) / self.h  # (N, 3, h, kw)
        t_im = ops.transpose(-f_im, (0, 1, 3, 2)) / self.h
        # Real inverse DFT along the width (the imaginary parts of DC and Nyquist drop out).
        pixels = ops.irfft((t_re, t_im), fft_length=self.w)  # (N, 3, h, w)
        pixels = ops.transpose(pixels, (0, 2, 3, 1)) / 4.0
        # Decorrelated channels → correlated RGB, then squash to [0, 1].
        return ops.sigmoid(ops.matmul(pixels, _COLOR_MIX.T))


def _border(size: int) -> int:
    """Grey padding (pixels per side) around a ``size`` image during the Fourier recipe."""
    return max(1, round(0.05 * size))


def _fourier_learning_rate(size: int) -> float:
    """Adam's step for a ``size`` canvas: Lucid's 0.05 at 224 px, up to twice that below.

    A small canvas has few spectrum coefficients, so each Adam step (a fixed size per
    coefficient) changes the image less; without the boost a 32-px gallery is still faint
    after the short runs a student starts with (measured: pixel std and target activation
    about doubled at 24 steps, no loss at 128).
    """
    return _LEARNING_RATE["fourier"] * float(np.clip(np.sqrt(224 / size), 1.0, 2.0))


def effective_receptive_field(
    model: modelutils.ModelLike,
    layer_name: str,
    size: int,
    preprocessing: Preprocessing | None = None,
) -> int:
    """Side of the square around the centre cell's input that holds 95% of its gradient.

    The effective receptive field (Luo et al., NeurIPS 2016): the theoretical field of a deep
    unit is mostly silent; its gradient concentrates in a smaller centre. Measured once per
    model, layer and canvas on a grey image with mild noise (so the ReLUs on the way pass
    gradient): the sum over channels of the centre cell's absolute pre-activation values is
    differentiated, and the smallest centred square holding 95% of the absolute gradient
    is returned. Cached per model.

    Args:
        model: a model whose layers up to ``layer_name`` are convolutional (any input size).
        layer_name: a spatial layer.
        size: canvas side the field is measured on (the answer is at most this).
        preprocessing: for a bare ``keras.Model`` (default: the model's own, or unit).

    Returns:
        The side in input pixels, 1..size.
    """
    if isinstance(model, ImageModel):
        prep = model.preprocessing
    else:
        channels = modelutils.input_shape(model)[-1]
        prep = preprocessing or unit(grayscale=channels == 1)

    def measure() -> int:
        sub, _ = modelutils.layer_model(model, layer_name, flexible=True, pre_activation=True)
        ops = keras.ops
        rng = np.random.default_rng(0)
        start = (128.0 + rng.normal(0.0, 20.0, (1, size, size, 3))).astype(np.float32)

        def centre(x):
            act = sub(prep.apply(x, ops=ops), training=False)  # (1, h, w, C)
            return ops.sum(ops.abs(act[:, act.shape[1] // 2, act.shape[2] // 2, :]))

        _, grad = autodiff.value_and_grad(centre, start)
        mass = np.abs(keras.ops.convert_to_numpy(grad)).sum(axis=(0, 3))  # (size, size)
        total = float(mass.sum())
        if total <= 0:
            return size
        # Centred on the gradient's centre of mass (the cell's centre, up to padding).
        cy = round(float((mass.sum(axis=1) * np.arange(size)).sum()) / total)
        cx = round(float((mass.sum(axis=0) * np.arange(size)).sum()) / total)
        for r in range(size):
            if mass[max(0, cy - r) : cy + r + 1, max(0, cx - r) : cx + r + 1].sum() >= (
                _ERF_MASS * total
            ):
                return min(size, 2 * r + 1)
        return size

    key = (layer_name, int(size), prep)
    return int(_ERF_CACHE.get(modelutils.keras_model(model), key, measure))


def periodic_canvas(
    model: modelutils.ModelLike,
    layer_name: str,
    size: int,
    preprocessing: Preprocessing | None = None,
) -> int:
    """The canvas the Fourier recipe optimises for a ``size`` picture of a spatial layer.

    The recipe's images are periodic (an inverse FFT), so a canvas that holds the layer's
    effective receptive field (:func:`effective_receptive_field`, rounded to whole cells of
    the layer) can be repeated seamlessly to any size: every cell of the layer already sees
    one whole period, so a larger canvas costs more without showing a new kind of pattern.
    Early layers, whose fields are a few pixels, run on :data:`MIN_CANVAS` pixels; deep
    ones whose field covers the picture keep the full size.

    Returns:
        The canvas side, MIN_CANVAS..size (``size`` itself when it is smaller).
    """
    if size <= MIN_CANVAS:
        return size
    erf = effective_receptive_field(model, layer_name, size, preprocessing)
    geometry = modelutils.receptive_field(model, layer_name)
    stride = int(max(geometry.stride)) if geometry is not None else 1
    side = max(1, round(erf / stride)) * stride
    return int(min(size, max(MIN_CANVAS, side)))


def optimised_side(
    model: modelutils.ModelLike, layer_name: str, size: int, method: str = "fourier"
) -> int:
    """The side :func:`visualize_filters` optimises for a ``size`` picture (the period).

    :func:`periodic_canvas` for the Fourier recipe on a layer the image reaches through
    convolutions only; ``size`` otherwise (the naive recipe, dense layers, fixed-size
    networks).
    """
    info = modelutils.layer_info(model, layer_name)
    if method != "fourier" or len(info.output_shape) != 3:
        return int(size)
    _, flexible = modelutils.layer_model(model, layer_name, flexible=True, pre_activation=True)
    return periodic_canvas(model, layer_name, size) if flexible else int(size)


def _network_side(problem: _Problem) -> float:
    """The network's own input side, in canvas pixels (the scale its patterns live at).

    A flexible sub-model sees the canvas pixel for pixel, so its patterns have the size
    they have at its input size whatever the canvas (capped at the canvas); otherwise the
    canvas is resized to the input size and the network's scale grows with the canvas.
    """
    return float(min(problem.feed_size[0], problem.size) if problem.flexible else problem.size)


def _random_affine(
    rng: np.random.Generator, steps: int, size: int, side: float | None = None
) -> np.ndarray:
    """Per-step random transforms for one image, as ``affine_transform`` rows (steps, 8).

    Lucid's robustness set on the grey-padded canvas (``size + 2 * border``), folded into
    one warp: a shift by whole pixels (up to ~8% of the network's input side ``side``,
    default ``size``), a scale of 0.9..1.1 and a rotation of -10..10 degrees about the
    centre. Lucid's magnitudes suit networks of 128 px and more; smaller networks (32-px
    inputs, small receptive fields) get proportionally gentler scale and rotation, and a
    shift of 1-3 pixels, so that fine patterns survive the resampling.
    """
    side = float(size if side is None else side)
    strength = min(1.0, side / 128)
    canvas = size + 2 * _border(size)
    zoom = rng.uniform(1 - 0.1 * strength, 1 + 0.1 * strength, steps)
    angle = np.deg2rad(rng.uniform(-10 * strength, 10 * strength, steps))
    jitter = max(1, round(0.08 * side))
    shift = rng.integers(-jitter, jitter + 1, (steps, 2)).astype(np.float64)
    centre = (canvas - 1) / 2.0
    cos, sin = np.cos(angle) / zoom, np.sin(angle) / zoom
    # Output pixel p maps to input pixel A (p - c - t) + c with A = R(-angle) / zoom.
    ox = centre + shift[:, 0]
    oy = centre + shift[:, 1]
    a0, a1 = cos, sin
    b0, b1 = -sin, cos
    a2 = centre - (a0 * ox + a1 * oy)
    b2 = centre - (b0 * ox + b1 * oy)
    zeros = np.zeros(steps)
    return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# The compiled steps
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    """Everything a compiled step depends on (the cache key, apart from the model)."""

    layer_name: str
    method: str
    size: int
    feed_size: tuple[int, int]  # what a fixed-size sub-model receives (images are resized)
    flexible: bool  # the sub-model takes any image size: no resize
    preprocessing: Preprocessing
    spatial: bool


def _objective_fn(sub: keras.Model, problem: _Problem) -> Callable:
    """Per-image objective: mean activation of image i's own filter (mask row i)."""
    ops = keras.ops
    h, w = problem.feed_size

    def objective(images01, mask):
        x = images01
        if problem.flexible:
            pass  # fed at its own size
        elif tuple(x.shape[1:3]) != (h, w):
            x = ops.image.resize(
                x, (h, w), interpolation="bilinear", antialias=x.shape[1] > min(h, w)
            )
        x = problem.preprocessing.apply(x * 255.0, ops=ops)
        act = sub(x, training=False)
        if problem.spatial:
            act = ops.mean(act, axis=(1, 2))
        return ops.sum(act * mask, axis=-1)  # (N,)

    return objective


def _fourier_step(sub: keras.Model, problem: _Problem) -> Callable:
    ops = keras.ops
    basis = _FourierBasis.make(problem.size, problem.size)
    objective = _objective_fn(sub, problem)
    lr = _fourier_learning_rate(problem.size)

    border = _border(problem.size)

    def loss(spectrum, transforms, mask):
        images = basis.image(spectrum)
        # Grey padding, so that the image's edges are not special (Lucid's pad).
        images = ops.pad(
            images, ((0, 0), (border, border), (border, border), (0, 0)), constant_values=0.5
        )
        images = ops.image.affine_transform(
            images,
            transforms,
            interpolation="bilinear",
            fill_mode="constant",
            fill_value=0.5,
            data_format="channels_last",
        )
        # The network sees the transformed image at its own size: the grey margin only
        # comes in where a shift, zoom or turn brings it (fewer pixels to run, same effect).
        images = images[:, border : border + problem.size, border : border + problem.size]
        per_image = objective(images, mask)
        return ops.sum(per_image), per_image

    def step(spectrum, m, v, t, transforms, mask):
        (_, per_image), grad = autodiff.value_and_grad(
            loss, spectrum, transforms, mask, has_aux=True
        )
        # Adam, ascending. Elementwise, so each image's update depends on its own gradient.
        m = _ADAM_B1 * m + (1 - _ADAM_B1) * grad
        v = _ADAM_B2 * v + (1 - _ADAM_B2) * grad * grad
        m_hat = m / (1 - ops.power(_ADAM_B1, t))
        v_hat = v / (1 - ops.power(_ADAM_B2, t))
        spectrum = spectrum + lr * m_hat / (ops.sqrt(v_hat) + _ADAM_EPS)
        return spectrum, m, v, per_image

    return autodiff.compile_function(step)


def _naive_step(sub: keras.Model, problem: _Problem) -> Callable:
    ops = keras.ops
    objective = _objective_fn(sub, problem)
    lr = _LEARNING_RATE["naive"]

    def loss(images, mask):
        per_image = objective(images, mask)
        return ops.sum(per_image), per_image

    def step(images, mask):
        (_, per_image), grad = autodiff.value_and_grad(loss, images, mask, has_aux=True)
        # Normalise each image's gradient to unit RMS so the step size is the same for
        # every filter, whatever the scale of its activations.
        rms = ops.sqrt(ops.mean(grad * grad, axis=(1, 2, 3), keepdims=True))
        images = ops.clip(images + lr * grad / (rms + 1e-8), 0.0, 1.0)
        return images, per_image

    return autodiff.compile_function(step)


def _compiled_step(model, sub: keras.Model, problem: _Problem) -> Callable:
    build = _fourier_step if problem.method == "fourier" else _naive_step
    return _STEP_CACHE.get(modelutils.keras_model(model), (problem,), lambda: build(sub, problem))


# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------


def visualize_filters(
    model: modelutils.ModelLike,
    layer_name: str,
    filter_indices: Sequence[int],
    *,
    steps: int | None = None,
    size: int | None = None,
    seed: int = 0,
    method: str = "fourier",
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 32,
    preprocessing: Preprocessing | None = None,
) -> np.ndarray:
    """Images that maximise the mean activation of each chosen filter, optimised as a batch.

    A sub-model is cut at ``layer_name``; image ``i`` is optimised to maximise the mean over
    positions of channel ``filter_indices[i]`` (for a dense layer: unit ``i``; for the final
    layer of a softmax model: the class logit). For a layer ending in ReLU/ReLU6 the value
    before the ReLU is maximised (as Lucid does), so a filter that is silent on the grey
    starting image still gets a gradient. Images are RGB in [0, 1], scaled to
    0..255 and passed through the model's preprocessing (differentiably). When everything
    up to the layer is convolutional the image is fed at ``size`` itself (a bigger size shows
    more copies of the pattern at the network's own scale, and a smaller one runs faster);
    otherwise it is resized to the model's input size. There the Fourier recipe optimises
    one period of :func:`periodic_canvas` pixels (the layer's effective receptive field)
    and repeats it, seamlessly, to ``size``: the pattern repeats every that many pixels.

    Args:
        model: an ``ImageModel`` (its ``preprocessing`` is used) or a ``keras.Model`` (then
            ``preprocessing``, default :func:`cnnviz.preprocessing.unit`, grayscale when the
            model has one input channel).
        layer_name: layer key (see :func:`cnnviz.modelutils.layer_infos`); 4-D or 2-D output.
        filter_indices: channels (units) to visualise; repeats allowed.
        steps: optimisation steps; ``None`` → :func:`default_steps` (256; 24 under
            ``CNNVIZ_FAST``). ``0`` returns the starting images.
        size: side of the square images returned, 16..512; ``None`` → the model's input
            height.
        seed: random seed; the same seed gives the same images.
        method: ``"fourier"`` (quality recipe) or ``"naive"`` (plain gradient ascent).
        progress: called as ``progress(step, total)`` after every step (``total`` counts
            all batches); raising from it aborts the run.
        batch_size: filters optimised together per batch (more filters → several batches).
        preprocessing: only for a bare ``keras.Model``.

    Returns:
        (N, size, size, 3) uint8 RGB, N = ``len(filter_indices)``; grey (R = G = B) for a
        grayscale model, showing exactly the luma it sees.

    Raises:
        InputError: unknown layer or method, filter index out of range, bad steps or size.
    """
    if method not in METHODS:
        raise InputError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    steps = default_steps() if steps is None else int(steps)
    if steps < 0:
        raise InputError(f"steps must be 0 or more, got {steps}.")
    indices = [int(i) for i in filter_indices]
    if not indices:
        raise InputError("Pick at least one filter.")
    info = modelutils.layer_info(model, layer_name)
    if len(info.output_shape) not in (1, 3):
        raise InputError(
            f"Layer {layer_name!r} outputs shape {info.output_shape}; pick a convolution or "
            "dense layer."
        )
    channels = info.output_shape[-1]
    bad = [i for i in indices if not 0 <= i < channels]
    if bad:
        raise InputError(
            f"Filter {bad[0]} does not exist: layer {layer_name!r} has {channels} filters "
            f"(0..{channels - 1})."
        )
    in_shape = modelutils.input_shape(model)
    model_size = (int(in_shape[0]), int(in_shape[1]))
    size = model_size[0] if size is None else int(size)
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InputError(f"Image size must be between {MIN_SIZE} and {MAX_SIZE}, got {size}.")
    if isinstance(model, ImageModel):
        prep = model.preprocessing
    else:
        prep = preprocessing or unit(grayscale=in_shape[-1] == 1)
    if prep.channels != in_shape[-1]:
        raise InputError(
            f"The preprocessing gives {prep.channels} channels but the model takes {in_shape[-1]}."
        )

    spatial = len(info.output_shape) == 3
    # Up to a convolutional layer the network accepts any image size: feed the image as it
    # is (like Lucid), which is also faster than upsampling a small image. Dense layers need
    # the model's own input size.
    sub, flexible = modelutils.layer_model(model, layer_name, flexible=spatial, pre_activation=True)
    # The Fourier recipe's pictures are periodic: optimise one period, the layer's effective
    # receptive field, and repeat it to ``size`` (a quarter to a half of the work at 224 px
    # on a pretrained network's middle layers).
    canvas = (
        periodic_canvas(model, layer_name, size, prep) if method == "fourier" and flexible else size
    )
    problem = _Problem(layer_name, method, canvas, model_size, flexible, prep, spatial)
    step_fn = _compiled_step(model, sub, problem) if steps else None
    batch_size = max(1, int(batch_size))
    batches = [indices[i : i + batch_size] for i in range(0, len(indices), batch_size)]
    total = steps * len(batches)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    out = [_optimise(step_fn, problem, batch, channels, steps, seed, tick) for batch in batches]
    images = np.concatenate(out, axis=0)
    if canvas < size:
        reps = -(-size // canvas)
        images = np.tile(images, (1, reps, reps, 1))[:, :size, :size]
    if prep.grayscale:  # show exactly what a grayscale model sees: the luma, as grey
        images = _luma_rgb(images, prep)
    return images


def _luma_rgb(images: np.ndarray, prep: Preprocessing) -> np.ndarray:
    """(N, H, W, 3) uint8 RGB → the luma a grayscale ``prep`` computes, repeated as grey."""
    luma = prep.apply(images.astype(np.float32))  # scale/offset undone below
    gray = (luma[..., 0] - prep.offset[0]) / prep.scale[0]
    return np.repeat(np.clip(np.rint(gray), 0, 255).astype(np.uint8)[..., None], 3, -1)


def _optimise(step_fn, problem, indices, channels, steps, seed, tick) -> np.ndarray:
    """Run one batch; returns (n, size, size, 3) uint8."""
    size = problem.size
    n = len(indices)
    rngs = [np.random.default_rng([int(seed), int(i)]) for i in indices]
    mask = np.zeros((n, channels), np.float32)
    mask[np.arange(n), indices] = 1.0
    if problem.method == "fourier":
        kw = size // 2 + 1
        spectrum = np.stack([r.normal(0.0, _SPECTRUM_SD, (2, 3, size, kw)) for r in rngs]).astype(
            np.float32
        )
        side = _network_side(problem)
        transforms = np.stack([_random_affine(r, max(steps, 1), size, side) for r in rngs], axis=1)
        state = [keras.ops.convert_to_tensor(spectrum)]
        state += [keras.ops.zeros_like(state[0]), keras.ops.zeros_like(state[0])]
        mask_t = keras.ops.convert_to_tensor(mask)
        for k in range(steps):
            t = np.asarray(k + 1, np.float32)
            *state, _ = step_fn(*state, t, transforms[k], mask_t)
            tick()
        images = _FourierBasis.make(size, size).image(state[0])
    else:
        start = np.stack([0.5 + r.uniform(-0.1, 0.1, (size, size, 3)) for r in rngs])
        images = keras.ops.convert_to_tensor(start.astype(np.float32))
        mask_t = keras.ops.convert_to_tensor(mask)
        for _ in range(steps):
            images, _ = step_fn(images, mask_t)
            tick()
    pixels = np.asarray(keras.ops.convert_to_numpy(images), dtype=np.float32)
    return np.clip(np.rint(pixels * 255.0), 0, 255).astype(np.uint8)


BIG_MODEL_PARAMS = 1_000_000
"""Models with more parameters than this count as "big" (pretrained ImageNet networks)."""


def default_layer(model: modelutils.ModelLike) -> str:
    """The layer the Filter visualization page starts on.

    Small models: the last convolution (its filters respond to whole shapes). Big ones: the
    convolution about 60% deep, where textures and object parts appear.

    Raises:
        InputError: the model has no convolution layer.
    """
    convs = modelutils.conv_layers(model)
    if not convs:
        raise InputError("This model has no convolution layer, so there are no filters to show.")
    big = int(modelutils.keras_model(model).count_params()) > BIG_MODEL_PARAMS
    return convs[int(len(convs) * 0.6)] if big else convs[-1]


def filter_count(model: modelutils.ModelLike, layer_name: str) -> int:
    """Number of filters (channels, or units) a layer has; what ``filter_indices`` index."""
    return int(modelutils.layer_info(model, layer_name).output_shape[-1])


# ---------------------------------------------------------------------------------------------
# Real examples: the dataset patches that excite a filter most
# ---------------------------------------------------------------------------------------------

_GREY = 128  # fills the part of a receptive field that lies outside the image


@dataclass(frozen=True)
class Exemplars:
    """The top-k images of each filter, cropped to the filter's receptive field.

    ``k`` is at most the number of images given; each image appears at most once per filter
    (at its strongest cell), best first.

    Attributes:
        patches: (n_filters, k, ph, pw, 3) uint8 RGB; (ph, pw) is the receptive field's size
            (the whole input for a dense layer or unknown geometry). The part of the field
            outside the image is grey (128). Grey R = G = B for a grayscale model.
        scores: (n_filters, k) float32, the filter's activation at that cell.
        image_index: (n_filters, k) int64 index into ``images``.
        cell: (n_filters, k, 2) int64 (row, column) of the strongest cell in the layer's map.
        boxes: (n_filters, k, 4) int64 ``(x0, y0, x1, y1)`` of the patch in the image at the
            model's input size, clipped to the image (exclusive ends).
    """

    patches: np.ndarray
    scores: np.ndarray
    image_index: np.ndarray
    cell: np.ndarray
    boxes: np.ndarray


def _display_images(model: modelutils.ModelLike, images) -> np.ndarray:
    """(M, h, w, 3) uint8 RGB at the model's input size, as the model will see them."""
    batch = [images] if isinstance(images, np.ndarray) and images.ndim == 3 else list(images)
    if not batch:
        raise InputError("No image given.")
    rgb = []
    for img in batch:
        img = np.asarray(img)
        if img.ndim == 2:
            img = img[..., None]
        if img.ndim != 3 or img.shape[2] not in (1, 3):
            raise InputError(f"Expected images (H, W, 1 or 3), got shape {img.shape}.")
        if img.dtype != np.uint8:
            img = np.clip(np.rint(img.astype(np.float32) * 255), 0, 255).astype(np.uint8)
        rgb.append(np.repeat(img, 3, axis=2) if img.shape[2] == 1 else img)
    if isinstance(model, ImageModel):
        return model.resize(rgb)
    h, w = (int(v) for v in modelutils.input_shape(model)[:2])
    if any(img.shape[:2] != (h, w) for img in rgb):
        raise InputError(f"The images must be {h} × {w} pixels for this model.")
    return np.stack(rgb)


def top_exemplars(
    model: modelutils.ModelLike,
    layer_name: str,
    filter_indices: Sequence[int],
    images,
    k: int = 9,
    *,
    batch_size: int = 64,
    preprocessing: Preprocessing | None = None,
) -> Exemplars:
    """The ``k`` images whose strongest response in each filter is largest, as patches.

    Every image is run once (in batches); for each filter its largest activation over the
    map ranks the image, and the patch is the receptive field of that cell
    (:func:`cnnviz.modelutils.receptive_field`). The activation is the layer's output
    (after its ReLU), what the student sees on the activation pages.

    Args:
        model: an ``ImageModel`` (images are resized to its input and preprocessed) or a
            ``keras.Model`` (images at its input size; ``preprocessing`` default
            :func:`cnnviz.preprocessing.unit`, grayscale for one input channel).
        layer_name: a convolution (4-D) or dense (2-D) layer key.
        filter_indices: the filters (channels) wanted.
        images: (M, H, W, C) uint8 with C = 1 or 3, or a list of (H, W, C) images (any size
            for an ``ImageModel``).
        k: patches per filter (at most M).
        batch_size: images per forward pass.
        preprocessing: only for a bare ``keras.Model``.

    Returns:
        An :class:`Exemplars`.

    Raises:
        InputError: unknown layer, filter out of range, no images, or wrong image sizes.
    """
    from cnnviz import activations

    info = modelutils.layer_info(model, layer_name)
    if len(info.output_shape) not in (1, 3):
        raise InputError(
            f"Layer {layer_name!r} outputs shape {info.output_shape}; pick a convolution or "
            "dense layer."
        )
    channels = int(info.output_shape[-1])
    indices = np.asarray([int(i) for i in filter_indices], dtype=np.int64)
    if indices.size == 0:
        raise InputError("Pick at least one filter.")
    bad = [int(i) for i in indices if not 0 <= i < channels]
    if bad:
        raise InputError(f"Filter {bad[0]} does not exist: layer {layer_name!r} has {channels}.")
    rgb = _display_images(model, images)
    if isinstance(model, ImageModel):
        prep = model.preprocessing
    else:
        prep = preprocessing or unit(grayscale=modelutils.input_shape(model)[-1] == 1)
    if prep.grayscale:  # show what a grayscale model sees: its luma, as grey
        rgb = _luma_rgb(rgb, prep)
    km = modelutils.keras_model(model)
    spatial = len(info.output_shape) == 3
    best = []  # per batch: (M_b, n) max activation and (M_b, n) flat argmax
    for start in range(0, len(rgb), max(1, int(batch_size))):
        x = prep.apply(rgb[start : start + batch_size].astype(np.float32))
        act = activations.layer_activations(km, x, [layer_name])[layer_name][..., indices]
        if spatial:
            flat = act.reshape(act.shape[0], -1, len(indices))  # (M_b, h*w, n)
            best.append((flat.max(axis=1), flat.argmax(axis=1)))
        else:
            best.append((act, np.zeros(act.shape, np.int64)))
    peak = np.concatenate([b[0] for b in best])  # (M, n)
    where = np.concatenate([b[1] for b in best])  # (M, n)
    k = max(1, min(int(k), len(rgb)))
    order = np.argsort(-peak, axis=0, kind="stable")[:k].T  # (n, k) image indices
    geometry = modelutils.receptive_field(model, layer_name) if spatial else None
    size = rgb.shape[1:3]
    map_w = int(info.output_shape[1]) if spatial else 1
    if geometry is None:
        ph, pw = size
    else:
        ph, pw = geometry.size
    patches = np.full((len(indices), k, ph, pw, 3), _GREY, np.uint8)
    cells = np.zeros((len(indices), k, 2), np.int64)
    boxes = np.zeros((len(indices), k, 4), np.int64)
    for f in range(len(indices)):
        for r, m in enumerate(order[f]):
            i, j = divmod(int(where[m, f]), map_w)
            cells[f, r] = (i, j)
            if geometry is None:
                boxes[f, r] = (0, 0, size[1], size[0])
                patches[f, r] = rgb[m]
                continue
            x0, y0, x1, y1 = geometry.window(i, j, size)
            boxes[f, r] = (x0, y0, x1, y1)
            # Where the clipped window sits inside the full field (grey outside the image).
            top = round(geometry.offset[0] + i * geometry.stride[0] - (ph - 1) / 2)
            left = round(geometry.offset[1] + j * geometry.stride[1] - (pw - 1) / 2)
            py, px = y0 - top, x0 - left
            hh, ww = min(y1 - y0, ph - py), min(x1 - x0, pw - px)
            patches[f, r, py : py + hh, px : px + ww] = rgb[m, y0 : y0 + hh, x0 : x0 + ww]
    scores = np.take_along_axis(peak.T, order, axis=1).astype(np.float32)
    return Exemplars(patches, scores, order.astype(np.int64), cells, boxes)
