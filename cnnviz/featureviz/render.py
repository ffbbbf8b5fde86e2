"""The optimisation loop: images that make chosen filters fire, by gradient ascent.

:func:`visualize_filters` runs any recipe (:mod:`~cnnviz.featureviz.recipes`): each step
renders the images from the recipe's parameterisation, applies its random transforms,
scores the objective (:func:`~cnnviz.featureviz.objectives.channel_mean`) and moves the
parameters uphill with the recipe's optimiser; one compiled step per model, layer and
recipe.

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

from cnnviz import autodiff, config, models
from cnnviz.errors import InputError
from cnnviz.featureviz.canvas import periodic_canvas
from cnnviz.featureviz.objectives import channel_mean
from cnnviz.featureviz.recipes import RECIPES, Recipe
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import Preprocessing, unit

DEFAULT_STEPS = 256
FAST_STEPS = 24
MIN_SIZE, MAX_SIZE = 16, 512

_STEP_CACHE = models.ModelCache(maxsize=8)


def default_steps() -> int:
    """Steps used when ``steps=None``: tuned for clean images, short under ``CNNVIZ_FAST``."""
    return FAST_STEPS if config.fast_mode() else DEFAULT_STEPS


@dataclass(frozen=True)
class Problem:
    """Everything a compiled step depends on (the cache key, apart from the model)."""

    layer_name: str
    recipe: Recipe
    size: int
    feed_size: tuple[int, int]  # what a fixed-size sub-model receives (images are resized)
    flexible: bool  # the sub-model takes any image size: no resize
    preprocessing: Preprocessing
    spatial: bool


def network_side(problem: Problem) -> float:
    """The network's own input side, in canvas pixels (the scale its patterns live at).

    A flexible sub-model sees the canvas pixel for pixel, so its patterns have the size
    they have at its input size whatever the canvas (capped at the canvas); otherwise the
    canvas is resized to the input size and the network's scale grows with the canvas.
    """
    return float(min(problem.feed_size[0], problem.size) if problem.flexible else problem.size)


def build_step(sub: keras.Model, problem: Problem) -> Callable:
    """The compiled step ``(state, m, v, t, params, mask) -> (state, m, v, per_image)``.

    ``params`` (N, P) holds this step's parameters of every transform of the recipe, in
    order; ``m`` and ``v`` are the optimiser's moments (unused by plain ascent).
    """
    ops = keras.ops
    recipe = problem.recipe
    size = problem.size
    render = recipe.param.renderer(size)
    objective = channel_mean(
        sub,
        feed_size=problem.feed_size,
        flexible=problem.flexible,
        preprocessing=problem.preprocessing,
        spatial=problem.spatial,
    )
    lr = recipe.optimizer.rate(size)

    def loss(state, params, mask):
        images = render(state)
        start = 0
        for transform in recipe.transforms:
            images = transform.apply(images, params[:, start : start + transform.width], size)
            start += transform.width
        per_image = objective(images, mask)
        return ops.sum(per_image), per_image

    def step(state, m, v, t, params, mask):
        (_, per_image), grad = autodiff.value_and_grad(loss, state, params, mask, has_aux=True)
        state, m, v = recipe.optimizer.update(state, grad, m, v, t, lr)
        return recipe.param.project(state), m, v, per_image

    return autodiff.compile_function(step)


def compiled_step(model, sub: keras.Model, problem: Problem) -> Callable:
    """:func:`build_step`, cached per model and problem."""
    return _STEP_CACHE.get(models.keras_model(model), (problem,), lambda: build_step(sub, problem))


def visualize_filters(
    model: models.ModelLike,
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
            ``preprocessing``, default :func:`cnnviz.models.preprocessing.unit`, grayscale when the
            model has one input channel).
        layer_name: layer key (see :func:`cnnviz.models.layer_infos`); 4-D or 2-D output.
        filter_indices: channels (units) to visualise; repeats allowed.
        steps: optimisation steps; ``None`` → :func:`default_steps` (256; 24 under
            ``CNNVIZ_FAST``). ``0`` returns the starting images.
        size: side of the square images returned, 16..512; ``None`` → the model's input
            height.
        seed: random seed; the same seed gives the same images.
        method: a recipe's key in :data:`~cnnviz.featureviz.recipes.RECIPES`: ``"fourier"``
            (quality recipe) or ``"naive"`` (plain gradient ascent).
        progress: called as ``progress(step, total)`` after every step (``total`` counts
            all batches); raising from it aborts the run.
        batch_size: filters optimised together per batch (more filters → several batches).
        preprocessing: only for a bare ``keras.Model``.

    Returns:
        (N, size, size, 3) uint8 RGB, N = ``len(filter_indices)``; grey (R = G = B) for a
        grayscale model, showing exactly the luma it sees.

    Raises:
        InputError: unknown layer or recipe, filter index out of range, bad steps or size.
    """
    recipe = RECIPES.get(method)
    steps = default_steps() if steps is None else int(steps)
    if steps < 0:
        raise InputError(f"steps must be 0 or more, got {steps}.")
    indices = [int(i) for i in filter_indices]
    if not indices:
        raise InputError("Pick at least one filter.")
    info = models.layer_info(model, layer_name)
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
    in_shape = models.input_shape(model)
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
    sub, flexible = models.layer_model(model, layer_name, flexible=spatial, pre_activation=True)
    # The Fourier recipe's pictures are periodic: optimise one period, the layer's effective
    # receptive field, and repeat it to ``size`` (a quarter to a half of the work at 224 px
    # on a pretrained network's middle layers).
    canvas = (
        periodic_canvas(model, layer_name, size, prep) if recipe.periodic and flexible else size
    )
    problem = Problem(layer_name, recipe, canvas, model_size, flexible, prep, spatial)
    step_fn = compiled_step(model, sub, problem) if steps else None
    batch_size = max(1, int(batch_size))
    batches = [indices[i : i + batch_size] for i in range(0, len(indices), batch_size)]
    total = steps * len(batches)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    out = [optimise(step_fn, problem, batch, channels, steps, seed, tick) for batch in batches]
    images = np.concatenate(out, axis=0)
    if canvas < size:
        reps = -(-size // canvas)
        images = np.tile(images, (1, reps, reps, 1))[:, :size, :size]
    if prep.grayscale:  # show exactly what a grayscale model sees: the luma, as grey
        images = luma_rgb(images, prep)
    return images


def luma_rgb(images: np.ndarray, prep: Preprocessing) -> np.ndarray:
    """(N, H, W, 3) uint8 RGB → the luma a grayscale ``prep`` computes, repeated as grey."""
    luma = prep.apply(images.astype(np.float32))  # scale/offset undone below
    gray = (luma[..., 0] - prep.offset[0]) / prep.scale[0]
    return np.repeat(np.clip(np.rint(gray), 0, 255).astype(np.uint8)[..., None], 3, -1)


def optimise(step_fn, problem: Problem, indices, channels, steps, seed, tick) -> np.ndarray:
    """Run one batch; returns (n, size, size, 3) uint8."""
    recipe, size = problem.recipe, problem.size
    n = len(indices)
    rngs = [np.random.default_rng([int(seed), int(i)]) for i in indices]
    mask = np.zeros((n, channels), np.float32)
    mask[np.arange(n), indices] = 1.0
    start = np.stack([recipe.param.init(r, size) for r in rngs]).astype(np.float32)
    side = network_side(problem)
    params = np.stack(
        [recipe.sample_transforms(r, max(steps, 1), size, side) for r in rngs], axis=1
    )  # (steps, n, P)
    state = [keras.ops.convert_to_tensor(start)]
    state += [keras.ops.zeros_like(state[0]), keras.ops.zeros_like(state[0])]
    mask_t = keras.ops.convert_to_tensor(mask)
    for k in range(steps):
        t = np.asarray(k + 1, np.float32)
        *state, _ = step_fn(*state, t, params[k], mask_t)
        tick()
    images = recipe.param.renderer(size)(state[0])
    pixels = np.asarray(keras.ops.convert_to_numpy(images), dtype=np.float32)
    return np.clip(np.rint(pixels * 255.0), 0, 255).astype(np.uint8)
