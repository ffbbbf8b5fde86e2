import streamlit as st

st.title("Filters")
st.info("This page is being built.")
