"""Errors raised for problems caused by the user's input."""


class InputError(ValueError):
    """A problem with a file, parameter, dataset or model the user supplied.

    The message is shown as-is in the page, so it must say what was wrong and what to do,
    in words a student understands.
    """


def network_problem(exc: BaseException) -> str:
    """A download failure in plain words, without Python's exception text.

    Args:
        exc: what ``urllib`` raised (``URLError``, ``HTTPError``, a timeout, ``OSError``).

    Returns:
        E.g. ``"there is no internet connection here (the server's name could not be looked
        up)"`` or ``"the server answered 404 (not found)"``.
    """
    import socket
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        return f"the server answered {exc.code} ({exc.reason or 'error'})".lower()
    reason = getattr(exc, "reason", exc)
    text = str(reason).lower()
    if isinstance(reason, socket.gaierror) or "name resolution" in text or "not known" in text:
        return "there is no internet connection here (the server's name could not be looked up)"
    if isinstance(reason, (TimeoutError, socket.timeout)) or "timed out" in text:
        return "the server did not answer in time (no internet connection, or a slow one)"
    if isinstance(reason, ConnectionError) or "refused" in text or "unreachable" in text:
        return "the server could not be reached (no internet connection here)"
    return "the download failed (no internet connection here, or the server is down)"
