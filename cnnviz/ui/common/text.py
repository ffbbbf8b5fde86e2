"""User-given text (class names, model and file names) shown as text, never as markup.

Streamlit renders Markdown in ``st.markdown``, captions, alerts, expander, tab and widget
labels, and plotly renders a subset of HTML in chart labels. A class folder named
``**bold**`` or ``[x](javascript:…)`` must show exactly those characters: :func:`plain`
escapes Markdown, :func:`plain_html` escapes HTML for plotly.
"""

from __future__ import annotations

import html
import math
import re

from cnnviz import downloads

# An absolute POSIX path of two or more parts (a server folder): only its last part is shown.
_SERVER_PATH = re.compile(r"(?<![\w.])/(?:[\w.\-]+/)+([\w.\-]+)")
# A web address: public, shown whole (the place to download a missing file from).
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S+")
# Characters that start markup anywhere (CommonMark lets a backslash escape any ASCII
# punctuation); Streamlit adds ``:emoji:``, ``:color[...]`` and ``$math$``. Links need ``[``,
# so ``(``, ``)`` and ``!`` are harmless once it is escaped.
# ``_`` inside a word (``stem_conv``) never emphasises, so only the others are escaped.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*{}\[\]<>#|~$:&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# Only at the start of the text do these make a list item ("1." "2)" "-" "+").
_LIST_NUMBER = re.compile(r"^(\s*\d+)([.)])")
_LIST_BULLET = re.compile(r"^(\s*)([-+])")


def plain(text: object) -> str:
    """Escape ``text`` so Streamlit's Markdown shows it character for character.

    Newlines become spaces (a name is one line), control characters are dropped, and
    absolute server paths (in an error message, say) shrink to their last part, except web
    addresses and the Keras cache folders (where a teacher places weight and data files by
    hand: an offline message names them in full).
    """
    value = "".join(ch if ch >= " " else " " for ch in str(text))
    value = _hide_server_paths(value)
    value = _MARKDOWN_SPECIAL.sub(r"\\\1", value)
    value = _LIST_NUMBER.sub(r"\1\\\2", value)
    return _LIST_BULLET.sub(r"\1\\\2", value)


def _hide_server_paths(value: str) -> str:
    home = downloads.keras_home()
    public = {str(home), str(downloads.writable_home()), str(downloads.FALLBACK_HOME)}

    def shorten(match: re.Match) -> str:
        path = match.group(0).rstrip(".")
        if any(path == folder or path.startswith(f"{folder}/") for folder in public):
            return match.group(0)
        return f"…/{match.group(1)}"

    parts, last = [], 0
    for url in _URL.finditer(value):
        parts += [_SERVER_PATH.sub(shorten, value[last : url.start()]), url.group(0)]
        last = url.end()
    parts.append(_SERVER_PATH.sub(shorten, value[last:]))
    return "".join(parts)


def plain_html(text: object) -> str:
    """Escape ``text`` for a plotly label (which understands ``<b>``, ``<a href>``, ...)."""
    value = "".join(ch if ch >= " " else " " for ch in str(text))
    return html.escape(value, quote=True)


def duration(seconds: float | None) -> str:
    """A duration as a student reads it: "42 s", "3 min 07 s", or "…" when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return "…"
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
