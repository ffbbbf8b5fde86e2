"""'The code': what a page just did, as a script and a notebook to show and download.

Every page with an experiment calls :func:`code_expander` with the same source it runs
(a course key, a ``(dataset_name, TrainingConfig)`` pair, or a code source object); the
code comes from :mod:`cnnviz.codegen`, so it cannot drift from what the page does.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re

import streamlit as st

from cnnviz import codegen
from cnnviz.codegen.lazy import Deferred
from cnnviz.errors import InputError
from cnnviz.ui.common.text import plain


def _file_stem(title: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return stem[:60] or "cnnviz_experiment"


def _program(source, key: str) -> codegen.Program:
    """``codegen.program(source)``, kept in the session while the source stays the same.

    Every rerun of a page draws its expander (a slider move included), and a program takes
    20–50 ms to write (inlined sources, an embedded image); the source's pickle says whether
    anything changed. A source that cannot be pickled is written each time.
    """
    if isinstance(source, Deferred):
        source = source.make()
    try:
        fingerprint = hashlib.blake2b(pickle.dumps(source), digest_size=16).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError):
        return codegen.program(source)
    kept = st.session_state.get(f"{key}_code_program")
    if kept is not None and kept[0] == fingerprint:
        return kept[1]
    program = codegen.program(source)
    st.session_state[f"{key}_code_program"] = (fingerprint, program)
    return program


def code_expander(source, *, key: str, label: str = "The code: run it yourself") -> None:
    """An expander with the code behind ``source``: two downloads (.py, .ipynb) and the code.

    The files are written when a download is clicked, and the code is drawn only once the
    student turns on "Show the code here" (key ``{key}_code_show``): a long script (Transfer
    learning's is about 1,100 lines) is not sent to every browser on every rerun, and the
    page's own text is not repeated, hidden, in it.

    Args:
        source: what :func:`cnnviz.codegen.program` takes.
        key: unique widget key prefix on the page.
        label: the expander's title.
    """
    with st.expander(label):
        try:
            program = _program(source, key)
        except InputError as exc:
            st.info(plain(str(exc)))
            return
        st.caption(
            plain(
                "The same steps as this page, with its current settings, in plain Keras: "
                "it runs in Jupyter or Colab without cnnviz. Needs: pip install "
                + " ".join(program.requirements)
            )
        )
        stem = _file_stem(program.title)
        # Two columns, the toggle below: in a page's narrower column (Grad-CAM at 1024 px)
        # three in a row cut the button labels.
        left, middle = st.columns(2, vertical_alignment="center")
        left.download_button(
            "Download the script (.py)",
            program.script,
            file_name=f"{stem}.py",
            mime="text/x-python",
            key=f"{key}_code_py",
            on_click="ignore",
        )
        middle.download_button(
            "Download the notebook (.ipynb)",
            lambda: json.dumps(program.notebook(), indent=1),
            file_name=f"{stem}.ipynb",
            mime="application/x-ipynb+json",
            key=f"{key}_code_ipynb",
            on_click="ignore",
        )
        show = st.toggle("Show the code here", key=f"{key}_code_show")
        if show:
            st.code(program.script(), language="python", height=480)
