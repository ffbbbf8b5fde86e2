"""Streamlit helpers shared by the pages: the only package that imports streamlit."""


def _leave_pages_directory_mode() -> None:
    """Make sure app.py's router runs, even on a fresh server's very first request.

    Streamlit decides once per server whether the app uses the old "pages/ folder" multipage
    mode: because our page scripts live in ``pages/``, the first script run of a new server
    (say a deep link to ``/filters``) executes the page file directly, skipping app.py's page
    config, router and sidebar, until some ``st.navigation`` call clears the flag. Every page
    imports this package, so on that first run we clear the flag and rerun through app.py.
    ``serve.py`` (``make run``) imports it at server start, before any run: the flag is then
    set to False before Streamlit would set it (a first deep link found the package already
    imported, and the whole class got the bare page files until someone opened Home).

    Pages import this package before any core module (``import cnnviz.ui`` comes first):
    importing the core loads TensorFlow, which would otherwise keep a first visitor on a
    blank page for ten seconds or more, before app.py's "Loading TensorFlow…" sign.

    ``PagesManager.uses_pages_directory`` is private: Streamlit has no public way to say, before
    the first script run, that an app routes with ``st.navigation`` while its scripts sit in a
    ``pages/`` folder. ``tests/pages/test_startup.py`` fails when the attribute changes.
    """
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx() is None:
        # Imported before any script run (serve.py, at server start): decide the flag now.
        # Streamlit sets it only while it is unset, so no first deep link can turn it on.
        if PagesManager.uses_pages_directory is None:
            PagesManager.uses_pages_directory = False
    elif PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_pages_directory_mode()
