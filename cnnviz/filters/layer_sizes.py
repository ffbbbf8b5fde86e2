"""Layer output sizes: strict (the stride must fit), as frameworks round, pooling, 'same'."""

from __future__ import annotations

from cnnviz.errors import InputError
from cnnviz.filters.arithmetic import explain_output_size
from cnnviz.filters.checks import whole_number


def output_size(n: int, f: int, p: int = 0, s: int = 1) -> int:
    """Output size of a convolution or pooling layer: (N − F + 2P)/S + 1.

    Args:
        n: input height or width, ≥ 1.
        f: kernel (or pooling window) size, ≥ 1.
        p: zero padding added on each side, ≥ 0.
        s: stride, ≥ 1.

    Returns:
        The output height or width, ≥ 1.

    Raises:
        InputError: invalid values, a kernel larger than the padded input, or a stride that
            does not fit evenly (where frameworks would silently drop the last rows).
    """
    result = explain_output_size(n, f, p, s)
    if not result.fits:
        raise InputError(
            f"The stride does not fit: (N − F + 2P)/S = ({n} − {f} + 2·{p})/{s} = "
            f"{result.span}/{s} is not a whole number. Try "
            + "; or ".join(result.suggestions())
            + "."
        )
    return int(result.floor_size)


def framework_output_size(n: int, f: int, p: int = 0, s: int = 1) -> int:
    """Output size as Keras and PyTorch compute it: ⌊(N − F + 2P)/S⌋ + 1.

    The floor-aware companion of :func:`output_size`: a stride that does not fit is not an
    error here (the textbook ResNet stem, 224 with F = 7, P = 3, S = 2, gives 112; see
    :meth:`OutputSize.explanation`).

    Raises:
        InputError: invalid values, or a kernel larger than the padded input.
    """
    return int(explain_output_size(n, f, p, s).floor_size)


def pool_output_size(n: int, pool_size: int, stride: int | None = None, padding: int = 0) -> int:
    """Output size of a pooling layer: the same formula as :func:`output_size`.

    The stride defaults to the window size, as in Keras ``MaxPooling2D``.

    Raises:
        InputError: as :func:`output_size`.
    """
    return output_size(n, pool_size, padding, pool_size if stride is None else stride)


def same_padding(f: int) -> int:
    """Padding per side that keeps the size at stride 1: (F − 1)/2, for odd F.

    Raises:
        InputError: F is even (no symmetric padding keeps the size).
    """
    f = whole_number(f, "kernel size F", 1)
    if f % 2 == 0:
        raise InputError(
            f"An even kernel (F = {f}) cannot keep the size with the same padding on both "
            "sides; frameworks pad one side more. Use an odd kernel size."
        )
    return (f - 1) // 2


def window_starts(n: int, f: int, p: int = 0, s: int = 1) -> list[int]:
    """Start index (in the padded input) of every window position along one axis.

    Uses the floor rule, so for a stride that does not fit the last rows are never reached.
    """
    result = explain_output_size(n, f, p, s)
    return [i * result.s for i in range(result.floor_size)]
