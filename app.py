"""cnnviz entry point: page config, the router, and the shared sidebar."""

import streamlit as st

from cnnviz.ui.common import rerun_gate, startup
from cnnviz.ui.common.course_picker import course_note
from cnnviz.ui.common.navigation import no_core_urls, sections
from cnnviz.ui.common.sidebar import render_sidebar

st.set_page_config(page_title="cnnviz", page_icon="🧠", layout="wide")
startup.prepare_server()
# One rerun at a time per session, so one busy browser cannot slow the class down.
rerun_gate.install()

page = st.navigation(
    {
        section: [
            st.Page(
                spec.path,
                title=spec.title,
                icon=f":material/{spec.icon}:",
                url_path=spec.url or None,
                default=spec.url == "",
            )
            for spec in specs
        ]
        for section, specs in sections().items()
    },
    expanded=True,  # every page in view: past twelve, Streamlit would fold some away
)
# Pages that run without TensorFlow show at once; the others wait for the start-up import.
if page.url_path not in no_core_urls():
    startup.wait_for_core()
render_sidebar()
course_note(page.url_path)
page.run()
