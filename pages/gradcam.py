import streamlit as st

st.title("Gradcam")
st.info("This page is being built.")
