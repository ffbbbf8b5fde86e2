"""Streamlit pieces that several pages share (image source, drawing pad, Grad-CAM overlay...)."""
