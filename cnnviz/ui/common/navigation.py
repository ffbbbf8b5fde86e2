"""The one list of pages: app.py's router, the Home path and the tests all read it.

A page is a :class:`PageSpec` in :data:`PAGES`, in the order the courses teach (build
intuition, look inside, and transfer learning, the climax, last). Adding a page is its file
in ``pages/`` and one entry here; its Home step and its place in the menu follow.
This module is plain data (no streamlit), so tests and scripts read it without a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnnviz.registry import Entry, Registry

ROOT = Path(__file__).resolve().parents[3]

START = "Start"
INTUITION = "Build intuition"
INSIDE = "Look inside"


@dataclass(frozen=True)
class PageSpec(Entry):
    """One page of the app.

    Attributes:
        key: the file ``pages/<key>.py``.
        title: the name in the menu and on Home.
        help: the one sentence its Home step says.
        icon: a Material icon name (``"filter_alt"``).
        section: the menu section it is listed under.
        url_path: its address (``/filters``); "" for the default page.
        picture: the Home step's picture, ``assets/home/<picture>.png`` (made by
            ``assets/make_pictures.py``), or "" for none.
        needs_core: False when it runs without TensorFlow and Keras, so a fresh server
            shows it at once instead of waiting for the start-up import.
        home_step: whether Home lists it as a step of the path.
    """

    icon: str = "article"
    section: str = INSIDE
    url_path: str | None = None
    picture: str = ""
    needs_core: bool = True
    home_step: bool = True

    @property
    def path(self) -> str:
        """The page script, relative to the app's folder (``pages/filters.py``)."""
        return f"pages/{self.key}.py"

    @property
    def url(self) -> str:
        """Its address without the leading slash ("" for the default page)."""
        return self.key if self.url_path is None else self.url_path

    def exists(self) -> bool:
        """Whether its script is there (a page still being built is left out)."""
        return (ROOT / self.path).is_file()


PAGES: Registry[PageSpec] = Registry("page")

for _spec in (
    PageSpec(
        "home", "Home", "A guided path through the app.", icon="home", section=START,
        url_path="", needs_core=False, home_step=False,
    ),
    PageSpec(
        "filters", "Filters",
        "Slide a tiny grid of numbers over a photo and watch edges and stripes light up: "
        "the one trick every CNN is built on.",
        icon="filter_alt", section=INTUITION, picture="gabor", needs_core=False,
    ),
    PageSpec(
        "train", "Train",
        "Build a network, press Train and watch it go from guessing to knowing, epoch by "
        "epoch, live.",
        icon="model_training", section=INTUITION, picture="train",
    ),
    PageSpec(
        "neurons", "Neurons playground",
        "Before convolutions: a few neurons learn to tell two spirals apart, live, and a "
        "straight line cannot.",
        icon="scatter_plot", section=INTUITION, picture="neurons", needs_core=False,
    ),
    PageSpec(
        "activation_functions", "Activation functions",
        "Why ReLU beat the sigmoid: see how a flat slope lets the learning signal fade away.",
        icon="show_chart", section=INTUITION, picture="activation_functions",
    ),
    PageSpec(
        "autoencoder", "Denoising autoencoder",
        "Squeeze a digit down to 7 × 7 × 32 numbers and back, and learn to wipe the noise "
        "off on the way.",
        icon="compress", section=INTUITION, picture="autoencoder",
    ),
    PageSpec(
        "activations", "Activations",
        "Look inside: what every layer of a network makes of your own picture.",
        icon="layers", picture="activations",
    ),
    PageSpec(
        "featureviz", "Filter visualization",
        "Ask each filter what it wants to see, and let the computer paint it.",
        icon="palette", picture="featureviz",
    ),
    PageSpec(
        "gradcam", "Grad-CAM",
        "Where did the network look before it said “cat”? A heatmap tells you.",
        icon="local_fire_department", picture="gradcam",
    ),
    PageSpec(
        "playground", "Draw & attack",
        "Draw a digit for the network to read, then fool it with changes you cannot see.",
        icon="draw", picture="playground",
    ),
    PageSpec(
        "pretrained", "Pretrained",
        "Networks trained on a million photos guess what is in yours, with no internet "
        "needed.",
        icon="public", picture="pretrained",
    ),
    PageSpec(
        "transfer", "Transfer learning",
        "Reuse a big network's eyes to learn your own classes from a few hundred pictures.",
        icon="move_up", picture="transfer",
    ),
    PageSpec(
        "my_classes", "My classes",
        "Name your own classes, show each one to the camera, train in seconds and take the "
        "model home, as Teachable Machine does.",
        icon="photo_camera", picture="my_classes",
    ),
):  # fmt: skip
    PAGES.register(_spec)


def sections() -> dict[str, list[PageSpec]]:
    """The pages whose file exists, by menu section, in order."""
    out: dict[str, list[PageSpec]] = {}
    for spec in PAGES.available(PageSpec.exists):
        out.setdefault(spec.section, []).append(spec)
    return out


def home_steps() -> list[PageSpec]:
    """The steps of Home's path: pages whose file exists, in the courses' order."""
    return PAGES.available(lambda p: p.home_step and p.exists())


def no_core_urls() -> set[str]:
    """Addresses of the pages that run without TensorFlow and Keras."""
    return {p.url for p in PAGES if not p.needs_core}
