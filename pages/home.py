import streamlit as st

st.title("cnnviz")
st.markdown(
    """
Explore convolutional neural networks, from a single filter to a trained network's attention.

| Page | What you can do |
| --- | --- |
| **Filters** | Apply Gabor and Sobel filters, filter banks and your own kernels to an image; learn padding, stride and pooling arithmetic step by step. |
| **Train** | Train a small CNN live and watch loss and accuracy; then see where it fails. |
| **Activations** | See what every layer of a model makes of an image. |
| **Filter visualization** | Generate the image each filter likes most, by gradient ascent. |
| **Grad-CAM** | Heatmaps of where a model looked when it decided. |
| **Pretrained** | Compare ImageNet models' guesses on your own photo, offline. |
"""
)
