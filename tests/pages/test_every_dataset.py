"""Every offline dataset of the registry, picked with its defaults on every page offering it.

Nothing is trained: each page only loads the dataset and draws what it shows before Train.
A dataset added to ``cnnviz/datasets/`` is picked here without any change to this file.
"""

import pytest

from cnnviz import autoencoder, datasets
from tests.pages.conftest import app_test

pytestmark = pytest.mark.usefixtures("stop_jobs")

OFFLINE = [spec.key for spec in datasets.REGISTRY if spec.offline]
# (page, key prefix, the datasets the page takes)
PAGES = {
    "Train": ("pages/train.py", "train", OFFLINE),
    "Transfer learning": ("pages/transfer.py", "transfer", OFFLINE),
    "Denoising autoencoder": (
        "pages/autoencoder.py",
        "autoencoder",
        [name for name in OFFLINE if name in autoencoder.DATASETS],
    ),
}
CASES = [(page, name) for page, (_, _, names) in PAGES.items() for name in names]


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_the_registry_has_offline_datasets_for_every_page():
    assert {"shapes", "find_shapes", "digits", "faces", "textures"} <= set(OFFLINE)
    assert all(names for _, _, names in PAGES.values())


@pytest.mark.parametrize(("page", "name"), CASES)
def test_every_offline_dataset_loads_with_its_defaults(page, name):
    script, prefix, _ = PAGES[page]
    at = app_test(script).run()
    at.selectbox(key=f"{prefix}_dataset").set_value(name).run()
    _ok(at)
    spec = datasets.get(name)
    for option in spec.options:  # the spec's widgets, at their defaults
        key = f"{prefix}_opt_{name}_{option.key}"
        if key in at.session_state:
            assert at.session_state[key] == option.default or prefix == "autoencoder"
    if prefix != "autoencoder":
        assert any(" training" in c.value and "test images" in c.value for c in at.caption)


@pytest.mark.parametrize("name", OFFLINE)
def test_every_offline_dataset_gives_images_to_filter(name):
    at = app_test("pages/filters.py").run()
    at.radio(key="filters_source").set_value("Dataset").run()
    at.selectbox(key="filters_dataset").set_value(name).run()
    _ok(at)
    assert at.selectbox(key="filters_dataset").value == name
    assert len(at.get("plotly_chart")) >= 1
