"""AppTest of the epoch slider on the Grad-CAM and Activations pages."""

import pytest

from cnnviz import datasets
from cnnviz.store import ModelStore
from cnnviz.training import TrainingConfig, TrainingJob
from tests.pages.inspect_helpers import OWNER, run_page, save_tiny_model, texts


@pytest.fixture
def trained_id():
    ds = datasets.load("shapes", n_train=120, n_test=24, image_size=32, seed=3)
    job = TrainingJob(ds, TrainingConfig(epochs=2), store=ModelStore(), owner=OWNER).start()
    assert job.wait(300) and job.status == "finished", job.error
    return job.result.model_id


@pytest.mark.parametrize(
    ("page", "key"), [("pages/gradcam.py", "cam"), ("pages/activations.py", "act")]
)
def test_epoch_slider_scrubs_the_snapshots(trained_id, page, key):
    at = run_page(page)
    assert not at.exception
    assert any(e.label.startswith("Scrub through training") for e in at.expander)
    slider = at.select_slider(key=f"{key}_snapshot_epoch_{trained_id}")
    assert slider.options == ["0", "1", "2"] and slider.value == 2
    captions = [c for img in at.get("image") for c in img.captions]
    assert "conv1 kernels after epoch 2" in captions
    slider.set_value(0).run()
    assert not at.exception
    captions = [c for img in at.get("image") for c in img.captions]
    assert "conv1 kernels after epoch 0" in captions


def test_model_without_snapshots_says_so():
    save_tiny_model()
    at = run_page("pages/gradcam.py")
    assert not at.exception
    assert any("no epoch snapshots" in c for c in texts(at.caption))
