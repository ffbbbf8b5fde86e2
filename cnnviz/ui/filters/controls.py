"""Controls several Filters sections share: the view choice and the arrow buttons."""

from __future__ import annotations

import numpy as np
import streamlit as st

VIEWS = ("Response alone", "Over the photo")


def view_radio(key: str) -> bool:
    """The "response alone / over the photo" choice; True for over the photo."""
    view = st.radio(
        "Show",
        VIEWS,
        horizontal=True,
        key=key,
        help="Over the photo: the response is drawn over a pale copy of the image, so you "
        "see which edges and stripes make the kernel fire.",
    )
    return view == VIEWS[1]


def _move(prefix: str, dr: int, dc: int, h: int, w: int) -> None:
    state = st.session_state
    state[f"{prefix}_row"] = int(np.clip(state[f"{prefix}_row"] + dr, 0, h - 1))
    state[f"{prefix}_col"] = int(np.clip(state[f"{prefix}_col"] + dc, 0, w - 1))


def position_sliders(prefix: str, h: int, w: int, labels: tuple[str, str]) -> tuple[int, int]:
    """Row and column sliders (``{prefix}_row``, ``{prefix}_col``) kept inside an h×w grid.

    The first position is the centre; a position kept from a larger image is clamped.
    """
    state = st.session_state
    state.setdefault(f"{prefix}_row", h // 2)
    state.setdefault(f"{prefix}_col", w // 2)
    state[f"{prefix}_row"] = min(state[f"{prefix}_row"], h - 1)
    state[f"{prefix}_col"] = min(state[f"{prefix}_col"], w - 1)
    c1, c2 = st.columns(2)
    row = c1.slider(labels[0], 0, h - 1, key=f"{prefix}_row")
    col = c2.slider(labels[1], 0, w - 1, key=f"{prefix}_col")
    return row, col


def arrow_buttons(prefix: str, h: int, w: int, *, corner: bool = False) -> None:
    """Buttons that move ``{prefix}_row``/``{prefix}_col`` by one (and to the corner)."""
    moves = [("← left", "left", 0, -1), ("right →", "right", 0, 1),
             ("↑ up", "up", -1, 0), ("↓ down", "down", 1, 0)]  # fmt: skip
    if corner:
        moves.append(("↖ corner", "corner", -h, -w))
    columns = st.columns(6)
    for column, (label, name, dr, dc) in zip(columns, moves, strict=False):
        column.button(label, on_click=_move, args=(prefix, dr, dc, h, w), key=f"{prefix}_{name}")
