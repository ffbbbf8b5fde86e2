import streamlit as st

st.title("Activations")
st.info("This page is being built.")
