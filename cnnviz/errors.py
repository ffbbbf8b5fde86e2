"""Errors raised for problems caused by the user's input."""


class InputError(ValueError):
    """A problem with a file, parameter, dataset or model the user supplied.

    The message is shown as-is in the page, so it must say what was wrong and what to do,
    in words a student understands.
    """
