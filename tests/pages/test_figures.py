"""Shared plotly figures: what a student reads off them."""

from cnnviz.ui.common import figures
from cnnviz.ui.common.inspect import top_k_figure


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


def test_gallery_cache_is_the_shared_lru_with_read_only_galleries():
    import numpy as np

    from cnnviz.caching import LRU
    from cnnviz.ui.common.inspect import GalleryCache

    cache = GalleryCache(maxsize=2)
    assert isinstance(cache, LRU) and cache.get(("a",)) is None
    gallery = np.zeros((2, 4, 4, 3), np.uint8)
    cache.put(("a",), gallery)
    assert cache.get(("a",)) is gallery and not gallery.flags.writeable
    cache.put(("b",), gallery.copy())
    cache.put(("c",), gallery.copy())
    assert ("a",) not in cache and len(cache) == 2
