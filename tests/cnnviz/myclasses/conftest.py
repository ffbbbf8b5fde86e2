"""A project in a fresh workspace, on a tiny base built in code (no weight file)."""

import cv2
import numpy as np
import pytest

from tests.cnnviz.tiny_bases import tiny_imagenet

TINY = "tiny_myclasses_base"
_SHARED = {}


def _tiny_pretrained():
    """A 16x16 'ImageNet' model: positive kernels, one BatchNorm, a 10-class classifier."""
    return tiny_imagenet(second_bn=False, positive=True)


def _shared_model():
    if "m" not in _SHARED:
        _SHARED["m"] = _tiny_pretrained()
    return _SHARED["m"]


@pytest.fixture
def tiny_base():
    """The name of a registered tiny base (16x16 input, cut at act2)."""
    from cnnviz import transfer
    from cnnviz.models import preprocessing

    transfer.register_base(
        transfer.BaseSpec(
            name=TINY,
            title="Tiny",
            input_size=(16, 16),
            preprocessing=preprocessing.unit(),
            cut_layer="act2",
            load=_shared_model,
        )
    )
    return TINY


@pytest.fixture
def project(tiny_base):
    """An empty project in a new workspace, trained on the tiny base."""
    from cnnviz import myclasses, workspaces

    return myclasses.Project(workspaces.Workspace(workspaces.new_key()), base=tiny_base)


def picture(level: int, seed: int = 0, size=(30, 40)) -> np.ndarray:
    """An (H, W, 3) uint8 image of brightness ~ ``level`` (learnable by anything)."""
    rng = np.random.default_rng(seed)
    x = level + rng.normal(0, 6, (*size, 3))
    return np.clip(x, 0, 255).astype(np.uint8)


def png(level: int, seed: int = 0, size=(30, 40)) -> bytes:
    """:func:`picture` as PNG bytes (what an upload gives)."""
    ok, buf = cv2.imencode(".png", picture(level, seed, size))
    assert ok
    return buf.tobytes()


def two_classes(project, n=6):
    """Classes "dark" and "bright" with ``n`` images each; returns their ids."""
    dark = project.add_class("dark")
    bright = project.add_class("bright")
    project.add_images(dark, [(f"d{i}.png", png(40, i)) for i in range(n)])
    project.add_images(bright, [(f"b{i}.png", png(210, i)) for i in range(n)])
    return dark, bright
