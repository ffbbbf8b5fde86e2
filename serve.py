"""Serve cnnviz, ready before the class arrives: ``python serve.py [streamlit options]``.

``streamlit run app.py`` loads TensorFlow and starts the training workers when the first
page is opened. This launcher starts both at once, in the background, and then runs the
same Streamlit server in this process (what ``make run`` does), so a student's first Train
page on a fresh server comes as fast as a Filters page.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def main() -> int:
    """Start loading the core, then hand over to Streamlit's own command line."""
    from streamlit.web import cli

    from cnnviz.ui.common import startup

    startup.prepare_server()
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
