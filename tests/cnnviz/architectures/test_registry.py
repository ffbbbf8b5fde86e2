"""Every registered architecture: a complete entry, and a model for small inputs where it fits."""

import pytest

from cnnviz import architectures as arch
from cnnviz.errors import InputError

NAMES = arch.available()
TINY_INPUTS = [(28, 28, 1), (32, 32, 3)]


def test_available_lists_the_registry_in_order():
    assert arch.REGISTRY.keys() == NAMES and len(NAMES) == len(set(NAMES)) >= 8
    assert NAMES[0] == "mnist_cnn"


@pytest.mark.parametrize("name", NAMES)
def test_entry_is_complete(name):
    entry = arch.preset(name)
    assert isinstance(entry, arch.Preset) and entry.key == entry.name == name
    assert entry.title and entry.help == entry.description and len(entry.help) > 20
    assert arch.validate_spec(entry.spec, entry.input_shape, entry.num_classes) == []


@pytest.mark.parametrize("shape", TINY_INPUTS, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("name", NAMES)
def test_builds_for_a_tiny_input_with_num_classes_outputs(name, shape):
    smallest = arch.minimum_input_side(arch.preset(name).spec, shape[2])
    if smallest is None or smallest > shape[0]:
        with pytest.raises(InputError, match=f"at least {smallest}×{smallest}"):
            arch.build(name, shape, 3)
        return
    model = arch.build(name, shape, 3)
    assert tuple(model.input.shape[1:]) == shape
    assert tuple(model.output.shape) == (None, 3)
    assert model.get_layer("predictions").get_config()["activation"] == "softmax"
    binary = arch.build(name, shape, 2)
    assert tuple(binary.output.shape) == (None, 1)  # two classes: one sigmoid unit
