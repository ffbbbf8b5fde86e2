"""Images: the one decoder for uploads and archive entries, the sample gallery, framing.

:func:`load_image` turns whatever a student uploads (bytes, a path or a file object such as
Streamlit's ``UploadedFile``) into an ``(H, W, 3)`` uint8 RGB array, or refuses it with an
:class:`~cnnviz.errors.InputError` that says why; archives decode each entry with the same
:func:`decode_bytes`. :func:`samples` is a small gallery of photos that ship with
scikit-image, so the app works with no network. :mod:`~cnnviz.images.drawing` frames a
drawing the way a dataset frames its images.

Modules: ``decode`` (the decoder and its checks), ``reading`` (bytes from a source),
``structure`` (piece counts), ``pixels`` (any mode to RGB), ``messages``, ``geometry``
(resizing), ``samples``, ``drawing``.
"""

from cnnviz.images import drawing
from cnnviz.images.decode import (
    ALLOWED_EXTENSIONS,
    ALLOWED_FORMATS,
    MAX_DIMENSION,
    MAX_PIXELS,
    Decoded,
    UnreadableError,
    decode_bytes,
    load_image,
)
from cnnviz.images.geometry import fit_within, resize_batch, to_gray
from cnnviz.images.reading import MAX_FILE_BYTES
from cnnviz.images.samples import samples
from cnnviz.images.structure import MAX_JPEG_SCANS, MAX_PIECES

__all__ = [
    "ALLOWED_EXTENSIONS",
    "ALLOWED_FORMATS",
    "MAX_DIMENSION",
    "MAX_FILE_BYTES",
    "MAX_JPEG_SCANS",
    "MAX_PIECES",
    "MAX_PIXELS",
    "Decoded",
    "UnreadableError",
    "decode_bytes",
    "drawing",
    "fit_within",
    "load_image",
    "resize_batch",
    "samples",
    "to_gray",
]
