"""Every registered dataset: its spec is complete, and the pickers' defaults are load's."""

import pytest

from cnnviz import datasets, presets, training
from cnnviz.datasets import DatasetSpec, Option
from cnnviz.errors import InputError

SPECS = datasets.REGISTRY.available()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_the_pickers_defaults_are_the_defaults_of_load(spec):
    assert spec.title and spec.help
    picked = spec.picked({})
    assert set(picked) <= set(spec.defaults) | set(spec.extra_options)
    for option in spec.options:
        assert picked[option.name] == spec.defaults[option.name], option.name
        if option.widget == "select":
            assert option.default in option.choices
        assert option.preset is None or option.preset in presets.names()
    assert set(spec.small) <= set(spec.defaults)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_recommended_training_settings_build_a_config(spec):
    config = training.recommended_config(spec.key)
    for name, value in spec.training.items():
        if name != "augmentation":
            assert getattr(config, name) == value
    for name, value in spec.training.get("augmentation", {}).items():
        assert getattr(config.augmentation, name) == value


@pytest.mark.parametrize("spec", [s for s in SPECS if s.offline], ids=lambda s: s.key)
def test_offline_sets_load_small(spec):
    ds = datasets.load(spec.key, **spec.small)
    assert ds.name == spec.key and len(ds.x_test) and ds.x_test.dtype.name == "uint8"
    assert (ds.boxes_test is not None) == spec.has_boxes


def test_downloaded_sets_name_their_files_and_size():
    remote = [s for s in SPECS if not s.offline]
    assert {s.key for s in remote} == {"mnist", "fashion_mnist", "cifar10"}
    assert all(s.download_mb > 0 and s.remote.files for s in remote)


def test_unknown_names_list_the_choices():
    with pytest.raises(InputError, match=r"Unknown dataset 'nope'.*shapes"):
        datasets.load("nope")
    with pytest.raises(InputError, match="choose one of"):
        datasets.get("nope")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"widget": "dial", "default": 1, "low": 0, "high": 2},
        {"widget": "select", "default": 3, "choices": (1, 2)},
        {"widget": "slider", "default": 1},
    ],
)
def test_a_malformed_option_is_a_programming_error(kwargs):
    with pytest.raises(ValueError):
        Option("n", "N", **kwargs)


def test_a_spec_needs_a_loader_and_defaults_for_its_options():
    option = Option("n", "N", "slider", 1, low=0, high=2)
    with pytest.raises(ValueError):
        DatasetSpec("x", "X", loader=None)
    with pytest.raises(ValueError):
        DatasetSpec("x", "X", loader=dict, options=(option,))
    assert DatasetSpec("x", "X", loader=dict, defaults={"n": 1}, options=(option,)).offline
