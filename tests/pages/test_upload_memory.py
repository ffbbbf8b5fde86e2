"""The Train page's .keras upload: Streamlit's copy of the file is dropped once it is read.

Streamlit keeps every uploaded file in its upload manager for the life of the browser
session (and a session whose tab closed and then expired from the reconnect cache is never
shut down, so its files stay for the life of the server). The upload form clears itself on
submit without telling the server, so each 48 MB model stayed in memory after it was added,
and again after it was deleted. AppTest gives each run its own manager; the test looks into
the manager of the run that handled the upload.
"""

import keras
import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.testing.v1 import local_script_runner

from cnnviz.store import ModelStore
from tests.pages.conftest import app_test

_MADE: list[MemoryUploadedFileManager] = []


class _RecordedManager(MemoryUploadedFileManager):
    """Streamlit's in-memory upload manager, remembering every instance made (in _MADE)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _MADE.append(self)

    def held(self) -> dict[str, int]:
        """Bytes held per file id, every session together."""
        return {
            file_id: len(rec.data)
            for files in self.file_storage.values()
            for file_id, rec in files.items()
        }


def _keras_file(tmp_path, lambda_layer: bool) -> bytes:
    layers = [keras.Input((8, 8, 3))]
    if lambda_layer:
        layers.append(keras.layers.Lambda(lambda x: x + 1.0))
    layers += [keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")]
    path = tmp_path / "m.keras"
    keras.Sequential(layers).save(path)
    return path.read_bytes()


@pytest.mark.parametrize("refused", [False, True])
def test_submitted_upload_leaves_no_copy_in_streamlits_upload_manager(
    tmp_path, monkeypatch, refused
):
    monkeypatch.setattr(local_script_runner, "MemoryUploadedFileManager", _RecordedManager)
    _MADE.clear()
    at = app_test("pages/train.py").run()
    at.file_uploader(key="train_keras_upload").set_value(
        ("m.keras", _keras_file(tmp_path, refused), "application/octet-stream")
    )
    at.button[-1].click().run()  # the form's submit button comes last
    assert not at.exception
    owner = at.session_state["cnnviz_session_id"]
    if refused:
        assert at.error and "Lambda" in at.error[0].value
        assert ModelStore().list(owner) == []
    else:
        assert at.success and "Added" in at.success[0].value
        assert len(ModelStore().list(owner)) == 1
    submit_run = _MADE[-1]
    assert submit_run.held() == {}
