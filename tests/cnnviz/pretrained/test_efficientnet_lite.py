"""EfficientNet-Lite0 in Keras: block table, layer names, weight layouts, the bundled weights."""

import numpy as np
import pytest

from cnnviz.errors import InputError
from cnnviz.pretrained import efficientnet_lite as el
from cnnviz.pretrained.torch_pickle import load_state_dict

RUNNING_STATS = ("running_mean", "running_var", "num_batches_tracked")


@pytest.fixture(scope="module")
def state_dict():
    return load_state_dict(el.weights_file())


@pytest.fixture(scope="module")
def tiny_model():
    return el.build(input_size=32, num_classes=10)


def test_block_table():
    blocks = el.blocks()
    assert [b.name for b in blocks] == [
        "block1a", "block2a", "block2b", "block3a", "block3b", "block4a", "block4b", "block4c",
        "block5a", "block5b", "block5c", "block6a", "block6b", "block6c", "block6d", "block7a",
    ]  # fmt: skip
    # Only the first block of a stage changes shape; the others are residual.
    assert [b.residual for b in blocks] == [
        False, False, True, False, True, False, True, True,
        False, True, True, False, True, True, True, False,
    ]  # fmt: skip
    assert int(np.prod([b.stride for b in blocks])) * 2 == 32  # the stem halves once more
    assert blocks[0].expanded == 32 and blocks[1].expanded == 96 and blocks[-1].expanded == 1152


def test_state_dict_matches_the_architecture(state_dict):
    # Every tensor of the checkpoint maps to a layer and every weighted layer gets one.
    weights = el.keras_weights(state_dict)
    assert set(weights) == set(el.torch_layer_map())
    prefixes = {prefix for prefix, _ in el.torch_layer_map().values()}
    assert {k.rsplit(".", 1)[0] for k in state_dict} == prefixes
    assert weights["stem_conv"][0].shape == (3, 3, 3, 32)
    assert weights["block6a_dwconv"][0].shape == (5, 5, 672, 1)
    assert weights["block6a_project_conv"][0].shape == (1, 1, 672, 192)
    assert weights["head_conv"][0].shape == (1, 1, 320, 1280)
    assert [w.shape for w in weights["predictions"]] == [(1280, 1000), (1000,)]


def test_parameter_count(state_dict):
    learned = sum(v.size for k, v in state_dict.items() if not k.endswith(RUNNING_STATS))
    assert learned == 4_652_008  # "about 4.7 M parameters"
    model = el.build()
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == learned
    el.load_weights(model, state_dict)
    np.testing.assert_array_equal(
        model.get_layer("block2a_expand_bn").moving_variance,
        state_dict["_blocks.1._bn0.running_var"],
    )


def test_readable_layer_names_and_logits(tiny_model):
    names = [layer.name for layer in tiny_model.layers]
    for expected in (
        "stem_conv", "stem_bn", "stem_activation", "block1a_dwconv", "block1a_project_conv",
        "block2a_expand_conv", "block2a_expand_activation", "block2b_add", "block7a_project_bn",
        "head_conv", "head_bn", "head_activation", "avg_pool", "predictions",
    ):  # fmt: skip
        assert expected in names
    assert "block1a_expand_conv" not in names  # expand ratio 1: no expansion
    assert tiny_model.get_layer("predictions").get_config()["activation"] == "linear"
    assert tiny_model.get_layer("head_activation").output.shape == (None, 1, 1, 1280)
    assert tiny_model.output.shape == (None, 10)


def test_no_squeeze_excitation_and_relu6(tiny_model):
    kinds = {type(layer).__name__ for layer in tiny_model.layers}
    assert "Multiply" not in kinds and "GlobalAveragePooling2D" in kinds
    acts = [ly for ly in tiny_model.layers if type(ly).__name__ == "Activation"]
    assert acts and all(ly.get_config()["activation"] == "relu6" for ly in acts)


def _torch_conv2d(x, w, groups=1):
    """Reference PyTorch-semantics cross-correlation, stride 1, no padding.

    x: (C_in, H, W); w: (C_out, C_in / groups, kh, kw) → (C_out, H - kh + 1, W - kw + 1).
    """
    c_out, c_in_g, kh, kw = w.shape
    h, wd = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((c_out, h, wd))
    per_group = c_out // groups
    for o in range(c_out):
        g = o // per_group
        for i in range(c_in_g):
            for dy in range(kh):
                for dx in range(kw):
                    out[o] += w[o, i, dy, dx] * x[g * c_in_g + i, dy : dy + h, dx : dx + wd]
    return out


def test_conv_kernel_layout_matches_pytorch():
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 6, 7)).astype(np.float32)
    w = rng.normal(size=(4, 3, 3, 2)).astype(np.float32)  # non-square kernel catches kh/kw swaps
    layer = keras.layers.Conv2D(4, (3, 2), use_bias=False)
    layer.build((None, 6, 7, 3))
    layer.set_weights([el.conv_kernel_from_torch(w)])
    got = np.asarray(layer(x.transpose(1, 2, 0)[None]))[0].transpose(2, 0, 1)
    np.testing.assert_allclose(got, _torch_conv2d(x, w), rtol=1e-4, atol=1e-4)


def test_depthwise_kernel_layout_matches_pytorch():
    import keras

    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 6, 6)).astype(np.float32)
    w = rng.normal(size=(5, 1, 3, 3)).astype(np.float32)
    layer = keras.layers.DepthwiseConv2D(3, use_bias=False)
    layer.build((None, 6, 6, 5))
    layer.set_weights([el.depthwise_kernel_from_torch(w)])
    got = np.asarray(layer(x.transpose(1, 2, 0)[None]))[0].transpose(2, 0, 1)
    np.testing.assert_allclose(got, _torch_conv2d(x, w, groups=5), rtol=1e-4, atol=1e-4)


def test_dense_kernel_layout_matches_pytorch():
    rng = np.random.default_rng(2)
    w, x = rng.normal(size=(4, 3)), rng.normal(size=(3,))
    np.testing.assert_allclose(x @ el.dense_kernel_from_torch(w), w @ x, rtol=1e-5)


def test_missing_tensor_is_named(state_dict):
    broken = dict(state_dict)
    del broken["_blocks.3._depthwise_conv.weight"]
    with pytest.raises(InputError, match=r"_blocks\.3\._depthwise_conv\.weight"):
        el.keras_weights(broken)


def test_extra_tensor_is_refused(state_dict):
    extra = dict(state_dict, **{"_blocks.3._se_reduce.weight": np.zeros((1, 1, 1, 1))})
    with pytest.raises(InputError, match="does not use"):
        el.keras_weights(extra)


def test_wrong_shapes_are_refused(state_dict, tiny_model):
    # The tiny model has 10 classes; the checkpoint's classifier has 1000.
    with pytest.raises(InputError, match="predictions"):
        el.load_weights(tiny_model, state_dict)


def test_conversion_does_not_change_the_state_dict(state_dict):
    before = {k: v.copy() for k, v in state_dict.items()}
    el.keras_weights(state_dict)
    assert all(np.array_equal(before[k], v) for k, v in state_dict.items())
