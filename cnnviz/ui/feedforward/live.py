"""The Neurons playground's run: play, pause, step and reset, and the live redraw.

The run (a numpy :class:`~cnnviz.feedforward.Playground`) lives in the session. While it
plays, a fragment reruns every :data:`TICK_SECONDS`, trains a few epochs and redraws only
itself: the boundary, the network's neurons, the accuracy and the loss curves.
"""

from __future__ import annotations

import time

import plotly.graph_objects as go
import streamlit as st

from cnnviz.feedforward import Playground, PlaygroundConfig
from cnnviz.ui.feedforward.pictures import boundary_picture, network_picture

TICK_SECONDS = 0.3
TICK_BUDGET = 0.12  # seconds of training per tick at most (the rest is for drawing)
EPOCHS_PER_TICK = 10
MAX_EPOCHS = 1000  # a run pauses itself here, so a forgotten tab does not load the server
RUN, PLAYING = "ff_run", "ff_playing"


def current_run(config: PlaygroundConfig) -> Playground:
    """The session's run for ``config``; a new one (epoch 0) when the settings changed."""
    run = st.session_state.get(RUN)
    if run is None or run.config != config:
        run = st.session_state[RUN] = Playground(config)
    return run


def reset() -> None:
    """Button callback: back to epoch 0 and the first weights (those of the seed)."""
    st.session_state.pop(RUN, None)


def step(config: PlaygroundConfig) -> None:
    """Button callback: one epoch more, paused."""
    st.session_state[PLAYING] = False
    current_run(config).train(1)


def toggle_play() -> None:
    """Button callback: play or pause."""
    st.session_state[PLAYING] = not st.session_state.get(PLAYING, False)


def playing() -> bool:
    """Whether the run trains on its own."""
    return bool(st.session_state.get(PLAYING, False))


def _train_a_little(run: Playground) -> bool:
    """Train up to a tick's epochs; True when the run reached a multiple of MAX_EPOCHS."""
    start = time.perf_counter()
    for _ in range(EPOCHS_PER_TICK):
        run.train(1)
        if run.epoch % MAX_EPOCHS == 0:
            return True
        if time.perf_counter() - start > TICK_BUDGET:
            break
    return False


def losses_figure(run: Playground) -> go.Figure:
    """Train and test loss after each epoch."""
    epochs = list(range(1, run.epoch + 1))
    fig = go.Figure()
    for name, values, colour in (("train loss", run.train_loss, "#0877bd"),
                                 ("test loss", run.test_loss, "#f59322")):  # fmt: skip
        fig.add_trace(go.Scatter(x=epochs, y=values, name=name, line={"color": colour}))
    fig.update_layout(
        height=200, margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": "epoch", "rangemode": "tozero"},
        yaxis={"title": "loss", "rangemode": "tozero"},
        legend={"orientation": "h", "y": 1.15},
    )  # fmt: skip
    return fig


def status_line(run: Playground) -> str:
    """Epoch, test and training accuracy and the test loss, in words."""
    if run.epoch == 0:
        return (
            f"Epoch 0 · not trained yet: press **Play** · test accuracy "
            f"{run.accuracy('test'):.1%} (a guess)"
        )
    return (
        f"Epoch {run.epoch} · **test accuracy {run.accuracy('test'):.1%}** · training accuracy "
        f"{run.accuracy('train'):.1%} · test loss {run.test_loss[-1]:.3f}"
    )


def _live_body(config: PlaygroundConfig) -> None:
    run = current_run(config)
    if playing() and _train_a_little(run):
        st.session_state[PLAYING] = False
        st.rerun()  # the whole page: the Play button and the tick stop
    st.markdown(status_line(run))
    left, right = st.columns(2)
    left.image(boundary_picture(run), width="stretch", caption="The network's answer "
               "(background) over the points: training points with a white rim, test points "
               "with a black one.")  # fmt: skip
    right.image(network_picture(run), width="stretch", caption="Each neuron's own output "
                "over the plane (blue positive, orange negative); lines: weights, blue "
                "positive, orange negative, wider when larger.")  # fmt: skip
    st.plotly_chart(losses_figure(run), key="ff_losses")
    if run.epoch and run.epoch % MAX_EPOCHS == 0 and not playing():
        st.caption(f"Paused at {run.epoch} epochs; press Play to go on.")


def live(config: PlaygroundConfig) -> None:
    """The run's pictures, redrawn every tick while it plays."""
    every = TICK_SECONDS if playing() else None
    st.fragment(run_every=every)(_live_body)(config)
