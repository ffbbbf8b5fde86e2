"""Home: a guided path through the app, in the order the courses teach it."""

from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

ROOT = Path(__file__).resolve().parents[1]
PICTURES = ROOT / "assets" / "home"  # made by assets/make_pictures.py

# (page file, title, Material icon, picture, one sentence), in the courses' order (the
# sidebar's): build intuition, look inside, and transfer learning, the climax, last.
STEPS = [
    ("filters", "Filters", "filter_alt", "gabor",
     "Slide a tiny grid of numbers over a photo and watch edges and stripes light up: the "
     "one trick every CNN is built on."),
    ("train", "Train", "model_training", "train",
     "Build a network, press Train and watch it go from guessing to knowing, epoch by "
     "epoch, live."),
    ("activation_functions", "Activation functions", "show_chart", "activation_functions",
     "Why ReLU beat the sigmoid: see how a flat slope lets the learning signal fade away."),
    ("autoencoder", "Denoising autoencoder", "compress", "autoencoder",
     "Squeeze a digit down to 7 × 7 × 32 numbers and back, and learn to wipe the noise off "
     "on the way."),
    ("activations", "Activations", "layers", "activations",
     "Look inside: what every layer of a network makes of your own picture."),
    ("featureviz", "Filter visualization", "palette", "featureviz",
     "Ask each filter what it wants to see, and let the computer paint it."),
    ("gradcam", "Grad-CAM", "local_fire_department", "gradcam",
     "Where did the network look before it said “cat”? A heatmap tells you."),
    ("playground", "Draw & attack", "draw", "playground",
     "Draw a digit for the network to read, then fool it with changes you cannot see."),
    ("pretrained", "Pretrained", "public", "pretrained",
     "Networks trained on a million photos guess what is in yours, with no internet needed."),
    ("transfer", "Transfer learning", "move_up", "transfer",
     "Reuse a big network's eyes to learn your own classes from a few hundred pictures."),
]  # fmt: skip


def available_steps() -> list[tuple]:
    """The steps whose page file exists (pages still being built are left out)."""
    return [step for step in STEPS if (ROOT / "pages" / f"{step[0]}.py").exists()]


def _link(page: str, title: str, icon: str) -> None:
    try:
        st.page_link(f"pages/{page}.py", label=f"Open {title}", icon=f":material/{icon}:")
    except StreamlitAPIException:  # the page is not in this app's navigation (yet)
        st.caption(f"{title} is in the menu on the left.")


st.title("cnnviz: see how a neural network sees")
st.markdown(
    "#### How does a computer recognise a cat? Find out by doing it yourself, step by step.\n"
    "Start at step 1 and follow the path: every step is an experiment from the course, with "
    "the course's own settings, that you can change and rerun."
)

steps = available_steps()
COLUMNS = 3
for start in range(0, len(steps), COLUMNS):
    cols = st.columns(COLUMNS)
    for col, (number, (page, title, icon, picture, sentence)) in zip(
        cols, enumerate(steps[start : start + COLUMNS], start=start + 1), strict=False
    ):
        with col.container(border=True):
            path = PICTURES / f"{picture}.png" if picture else None
            if path is not None and path.exists():
                st.image(str(path), width="stretch")
            st.markdown(f"**Step {number} · :material/{icon}: {title}**")
            st.write(sentence)
            _link(page, title, icon)

st.caption(
    "Everything runs on this server, offline: the shapes, digits and faces datasets and one "
    "ImageNet model are built in. Your uploads and models are yours alone unless you share them."
)
