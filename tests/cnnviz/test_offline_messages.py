"""Download failures are told in plain words, still naming the file and the folder."""

import socket
import urllib.error

import pytest

from cnnviz import datasets
from cnnviz.errors import InputError, network_problem
from tests.cnnviz.datasets.test_kerasdata import keras_home, offline  # noqa: F401 (fixtures)


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (
            urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")),
            "no internet",
        ),
        (urllib.error.URLError("[Errno -3] Temporary failure in name resolution"), "looked up"),
        (urllib.error.URLError(TimeoutError("timed out")), "did not answer in time"),
        (urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")), "reached"),
        (urllib.error.HTTPError("http://x", 404, "Not Found", {}, None), "answered 404"),
        (OSError("something odd"), "download failed"),
    ],
)
def test_network_problem_in_plain_words(exc, words):
    text = network_problem(exc)
    assert words in text
    assert "urlopen" not in text and "Errno" not in text and "Error" not in text


def test_offline_dataset_message_has_no_python_exception_text(keras_home, offline):  # noqa: F811
    with pytest.raises(InputError) as info:
        datasets.load("mnist")
    message = str(info.value)
    assert "URLError" not in message and "urlopen" not in message
    assert "no internet connection" in message
    assert "mnist.npz" in message and str(keras_home / "datasets") in message
