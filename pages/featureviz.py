import streamlit as st

st.title("Featureviz")
st.info("This page is being built.")
