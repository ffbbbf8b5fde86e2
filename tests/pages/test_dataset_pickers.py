"""The dataset pickers of the Train and Transfer learning pages, read from the registry."""

import pytest

from tests.pages.conftest import app_test

pytestmark = pytest.mark.usefixtures("stop_jobs")


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize(
    ("page", "prefix"), [("pages/train.py", "train"), ("pages/transfer.py", "transfer")]
)
def test_find_the_shape_loads_with_its_own_options(page, prefix):
    at = app_test(page).run()
    at.selectbox(key=f"{prefix}_dataset").set_value("find_shapes").run()
    assert not at.exception
    assert not _errors(at), _errors(at)
    assert any("training" in c.value and "64×64" in c.value for c in at.caption)


def test_the_textures_patch_size_is_kept_between_visits():
    at = app_test("pages/train.py").run()
    at.selectbox(key="train_dataset").set_value("textures").run()
    at.select_slider(key="train_opt_textures_patch").set_value(32).run()
    at.selectbox(key="train_dataset").set_value("digits").run()
    at.run()  # more runs while the textures slider is not drawn: Streamlit forgets its value
    at.selectbox(key="train_dataset").set_value("textures").run()
    assert not at.exception
    assert at.selectbox(key="train_dataset").value == "textures"
    assert at.select_slider(key="train_opt_textures_patch").value == 32


def test_every_dataset_option_is_kept_on_every_page_that_offers_it():
    from cnnviz import datasets
    from cnnviz.ui.autoencoder import state as autoencoder_state
    from cnnviz.ui.train.state import PERSISTENT_KEYS
    from cnnviz.ui.transfer import state as transfer_state

    for spec in datasets.REGISTRY:
        for option in spec.options:
            assert f"train_opt_{spec.key}_{option.key}" in PERSISTENT_KEYS
            assert f"transfer_opt_{spec.key}_{option.key}" in transfer_state.kept_keys()
            if spec.key in autoencoder_state.DATASETS:
                assert f"autoencoder_opt_{spec.key}_{option.key}" in autoencoder_state.kept_keys()


def test_a_class_link_sets_a_dataset_option_from_its_spec():
    at = app_test("pages/train.py")
    at.query_params["dataset"] = "find_shapes"
    at.query_params["images"] = "1200"
    at.query_params["size"] = "32"  # find_shapes has no size option
    at.run()
    assert not at.exception
    assert at.selectbox(key="train_dataset").value == "find_shapes"
    assert at.select_slider(key="train_opt_find_shapes_n").value == 1200
    assert any("size does not apply to find_shapes" in w.value for w in at.warning)
