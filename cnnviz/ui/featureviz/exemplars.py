"""Real examples next to each picture: the patches that excite the filter most."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import featureviz, images
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.image_picker import decode_upload
from cnnviz.ui.common.image_source import image_digest, test_set
from cnnviz.ui.common.inspect import gallery_cache
from cnnviz.ui.common.pixels import enlarge
from cnnviz.ui.common.text import plain
from cnnviz.ui.featureviz.controls import Settings
from cnnviz.ui.featureviz.gallery import cache_keys

EXEMPLARS = 9  # real patches per filter, shown as a 3 × 3 grid
MAX_EXEMPLAR_IMAGES = 2000  # test images searched (a forward pass each)
MAX_EXEMPLAR_UPLOADS = 64  # own photos searched


def mosaic(patches: np.ndarray, per_row: int = 3, gap: int = 2) -> np.ndarray:
    """(k, h, w, 3) patches → one (rows, per_row) grid image, each enlarged, white gaps."""
    big = [enlarge(np.asarray(p), 40)[0] for p in patches]
    h, w = big[0].shape[:2]
    rows = -(-len(big) // per_row)
    grid = np.full((rows * (h + gap) - gap, per_row * (w + gap) - gap, 3), 255, np.uint8)
    for n, p in enumerate(big):
        r, c = divmod(n, per_row)
        grid[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = p
    return grid


def uploaded_photos(mkey: str) -> tuple[list[np.ndarray], str]:
    """The student's own photos for the real examples (decoded once each), and their digest."""
    files = st.file_uploader(
        "Add your own photos to search (up to 64)",
        type=list(images.ALLOWED_EXTENSIONS),
        accept_multiple_files=True,
        key=f"fv_exemplar_uploads_{mkey}",
        max_upload_size=images.MAX_FILE_BYTES // 2**20,
        help="The patches that excite each filter most are then looked for in these too.",
    )
    photos, digests, refused = [], [], []
    for f in (files or [])[:MAX_EXEMPLAR_UPLOADS]:
        data = f.getvalue()
        try:
            photos.append(decode_upload(data))
        except InputError as err:
            refused.append(f"{f.name}: {err}")
            continue
        digests.append(image_digest(photos[-1]))
    if files and len(files) > MAX_EXEMPLAR_UPLOADS:
        st.warning(f"Only the first {MAX_EXEMPLAR_UPLOADS} photos are searched.")
    for line in refused:
        st.error(plain(line), icon=":material/block:")
    return photos, ",".join(digests)


def exemplar_pool(model: ImageModel, mkey: str) -> tuple[str, object, str]:
    """Where real examples come from: the model's own test set, else samples and uploads.

    Returns:
        (source, images, digest of the uploads: part of the cache key).
    """
    try:
        ds = test_set(model)
    except InputError:
        ds = None
    if ds is not None:
        return "test", ds.x_test[:MAX_EXEMPLAR_IMAGES], ""
    photos, digest = uploaded_photos(mkey)
    return "samples", [*images.samples().values(), *photos], digest


def pool_sentence(source: str, pool) -> str:
    """Where the patches were looked for, in words."""
    n_own = len(pool) - len(images.samples()) if source == "samples" else 0
    if source == "test":
        return f"the {min(len(pool), MAX_EXEMPLAR_IMAGES)} images of the model's test set"
    if n_own:
        return f"the {len(pool) - n_own} offline sample photos and your {n_own} photo(s)"
    return (
        f"the {len(pool)} offline sample photos (this model's training images are not "
        "here: add your own photos above to search them too)"
    )


def section(model: ImageModel, mkey: str, s: Settings) -> None:
    """The "Real examples" section: each generated picture next to its top real patches."""
    st.subheader("Real examples")
    source, pool, uploads_digest = exemplar_pool(model, mkey)
    st.caption(
        f"Next to each picture: the {EXEMPLARS} patches of {pool_sentence(source, pool)} that "
        "excite the filter most, each cropped to the part of the image the filter sees (its "
        "receptive field; grey where the field runs off the image). People predict what a "
        "unit does better from such real examples than from synthetic pictures (Borowski "
        "et al., ICLR 2021)."
    )
    if source == "samples" and len(pool) < EXEMPLARS:
        st.caption(f"With {len(pool)} images, each filter shows {len(pool)} examples.")
    cache = gallery_cache()
    ex_key = (mkey, s.layer, s.filters, "exemplars", source, uploads_digest)
    mosaics = cache.get(ex_key)
    if mosaics is None:
        try:
            with busy_sign("Finding the strongest real examples…"):
                ex = featureviz.top_exemplars(model, s.layer, list(s.filters), pool, k=EXEMPLARS)
        except InputError as err:
            st.error(plain(err), icon=":material/block:")
            st.stop()
        mosaics = np.stack([mosaic(p) for p in ex.patches])
        cache.put(ex_key, mosaics)
    shown_images = cache.get(cache_keys(mkey, s)[s.methods[0]])
    per_pair = 4
    for start in range(0, len(s.filters), per_pair):
        cells = st.columns(2 * per_pair)
        for n, index in enumerate(s.filters[start : start + per_pair]):
            pos = start + n
            picture, _ = enlarge(np.asarray(shown_images[pos]), 128)
            cells[2 * n].image(picture, caption=f"filter {index}, generated", width="stretch")
            cells[2 * n + 1].image(
                mosaics[pos], caption=f"filter {index}, top {EXEMPLARS} real", width="stretch"
            )
