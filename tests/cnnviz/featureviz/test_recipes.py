"""Every registered recipe is tested by being registered."""

import keras
import numpy as np
import pytest

from cnnviz import featureviz
from cnnviz.errors import InputError
from cnnviz.featureviz.recipes import RECIPES, Recipe

L = keras.layers


@pytest.fixture(scope="module")
def tiny():
    keras.utils.set_random_seed(2)
    return keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            L.Conv2D(4, 3, padding="same", activation="relu", name="c1"),
            L.Conv2D(5, 3, padding="same", activation="relu", name="c2"),
            L.GlobalAveragePooling2D(name="gap"),
            L.Dense(3, name="logits"),
        ]
    )


@pytest.mark.parametrize("recipe", RECIPES.available(), ids=lambda r: r.key)
@pytest.mark.parametrize(("layer", "size"), [("c2", 16), ("c2", 24), ("logits", 20)])
def test_every_recipe_gives_uint8_pictures(tiny, recipe, layer, size):
    assert isinstance(recipe, Recipe) and recipe.title and recipe.help and recipe.option
    out = featureviz.visualize_filters(
        tiny, layer, [0, 2], steps=3, size=size, seed=1, method=recipe.key
    )
    assert out.shape == (2, size, size, 3) and out.dtype == np.uint8
    again = featureviz.visualize_filters(
        tiny, layer, [0, 2], steps=3, size=size, seed=1, method=recipe.key
    )
    np.testing.assert_array_equal(out, again)  # same seed, same pictures


def test_recipes_are_compositions_not_names():
    fourier, naive = RECIPES.get("fourier"), RECIPES.get("naive")
    assert fourier.periodic and not naive.periodic
    assert fourier.transforms and not naive.transforms
    assert type(fourier.optimizer) is not type(naive.optimizer)
    assert tuple(RECIPES.keys()) == featureviz.METHODS
    with pytest.raises(InputError, match="Unknown method 'magic'; choose one of: fourier"):
        RECIPES.get("magic")


def test_a_new_recipe_is_one_entry(tiny, monkeypatch):
    # Pixels with the quality recipe's transforms and optimiser, without registering it.
    mixed = Recipe(
        key="test-pixels-robust",
        title="Pixels, robust",
        help="pixel space with random transforms",
        option="Pixels + transforms",
        param=featureviz.PixelParam(),
        transforms=(featureviz.RandomAffine(),),
        optimizer=RECIPES.get("fourier").optimizer,
    )
    from cnnviz.featureviz import render
    from cnnviz.registry import Registry

    scratch = Registry("method")
    scratch.register(mixed)
    monkeypatch.setattr(render, "RECIPES", scratch)
    out = featureviz.visualize_filters(tiny, "c2", [1], steps=2, method=mixed.key)
    assert out.shape == (1, 16, 16, 3) and out.dtype == np.uint8
