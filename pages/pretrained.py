import streamlit as st

st.title("Pretrained")
st.info("This page is being built.")
