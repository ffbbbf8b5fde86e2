"""Dropping Streamlit's server-side copy of an uploaded file once the page has read it.

Streamlit keeps every file a browser uploads in its upload manager until the browser
session shuts down. A form with ``clear_on_submit=True`` empties its uploader in the browser
without telling the server, and a session whose tab closed and then expired from
Streamlit's reconnect cache is never shut down, so its files stay for the life of the
server. A page that reads an upload once (a model added to the store) calls
:func:`release` so the bytes go as soon as the page itself lets go of them.
"""

from __future__ import annotations

from streamlit.runtime.scriptrunner import get_script_run_ctx


def release(upload) -> None:
    """Remove ``upload`` (an ``UploadedFile``, or None) from Streamlit's upload manager.

    The ``UploadedFile`` in hand keeps working (it holds its bytes); on later runs the
    uploader gives None until the student picks a file again. Only Streamlit's in-memory
    manager (the one ``streamlit run`` uses) can remove one file; with any other, nothing
    is done.
    """
    ctx = get_script_run_ctx()
    file_id = getattr(upload, "file_id", None)
    remove = getattr(getattr(ctx, "uploaded_file_mgr", None), "remove_file", None)
    if ctx is None or file_id is None or remove is None:
        return
    remove(session_id=ctx.session_id, file_id=file_id)
