"""Old home of the PyTorch checkpoint reader, now :mod:`cnnviz.pretrained.torch_pickle`."""

from cnnviz.pretrained.torch_pickle import load, load_state_dict  # noqa: F401
