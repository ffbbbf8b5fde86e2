"""Shared plotly figures: what a student reads off them."""

from cnnviz.ui import figures
from cnnviz.ui.inspect import top_k_figure


def test_digit_class_names_get_a_label_on_every_bar():
    # Class names "0".."9" must stay categories (one label per bar, best on top), not
    # numbers on a numeric axis, where plotly labels only every other one.
    probs = [0.05, 0.3, 0.1, 0.02, 0.03, 0.2, 0.1, 0.1, 0.05, 0.05]
    fig = top_k_figure(probs, [str(i) for i in range(10)], k=10)
    assert fig.layout.yaxis.type == "category"
    assert list(fig.data[0].y)[-1] == "1"  # the best class is drawn last: on top
    assert len(set(fig.data[0].y)) == 10


def test_probability_bars_are_in_percent():
    fig = figures.probability_bars(["cat", "dog"], [0.75, 0.25], [True, False], height=200,
                                   margin={"l": 0, "r": 0, "t": 0, "b": 0})  # fmt: skip
    assert list(fig.data[0].x) == [25.0, 75.0]
    assert tuple(fig.layout.xaxis.range) == (0, 100)
