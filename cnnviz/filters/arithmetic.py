"""Convolution arithmetic: the output size (N − F + 2P)/S + 1, worked through step by step."""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.errors import InputError
from cnnviz.filters.checks import whole_number


@dataclass(frozen=True)
class OutputSize:
    """The output-size formula (N − F + 2P)/S + 1, worked through.

    Attributes:
        n, f, p, s: input size, kernel (or pool) size, padding per side, stride.
        padded: N + 2P.
        span: N + 2P − F, the distance the kernel can travel.
        fits: True when the stride divides ``span`` exactly.
        size: the output size when it fits, else None.
        floor_size: ⌊span / S⌋ + 1, what Keras and PyTorch silently produce.
        leftover: span mod S: input rows/columns at the far edge that no window reaches.
        steps: the computation as short lines of text, for display.
    """

    n: int
    f: int
    p: int
    s: int
    padded: int
    span: int
    fits: bool
    size: int | None
    floor_size: int
    leftover: int
    steps: tuple[str, ...]

    @property
    def lost_input(self) -> int:
        """Rows/columns of the real input (not padding) that no window reaches.

        The ``leftover`` cells sit at the far edge of the *padded* input, so the first ``p``
        of them are padding: with the textbook ResNet stem (224, F = 7, P = 3, S = 2) the
        one leftover cell is padding and every image pixel is used.
        """
        return max(0, self.leftover - self.p)

    def explanation(self) -> str:
        """One or two sentences on what frameworks do with this layer, for a student."""
        if self.fits:
            return f"The stride fits: the output is {self.size} × {self.size}."
        rounded = (
            f"{self.span}/{self.s} = {self.span / self.s:.4g} is not a whole number, so "
            f"frameworks (Keras, PyTorch) round down: ⌊{self.span}/{self.s}⌋ + 1 = "
            f"{self.floor_size} positions per row and column."
        )
        if self.lost_input == 0:
            return (
                rounded + f" The {self.leftover} cell(s) that no window reaches lie in the "
                "padding, so every pixel of the input is used: nothing to worry about."
            )
        return (
            rounded + f" The last {self.lost_input} row(s)/column(s) of the input itself are "
            "never looked at."
        )

    def suggestions(self) -> list[str]:
        """Ways to make a stride that does not fit fit (empty when it already fits)."""
        if self.fits:
            return []
        tips = []
        extra = (self.s - self.leftover) % self.s
        if extra % 2 == 0:
            tips.append(f"padding P = {self.p + extra // 2} (instead of {self.p})")
        tips.append(f"input size N = {self.n - self.leftover} (crop {self.leftover})")
        tips.append(f"input size N = {self.n + extra} (add {extra})")
        strides = [d for d in range(1, min(self.span, 2 * self.s + 2) + 1) if self.span % d == 0]
        if strides:
            tips.append("stride S = " + " or ".join(str(d) for d in strides[-3:]))
        return tips


def explain_output_size(n: int, f: int, p: int = 0, s: int = 1) -> OutputSize:
    """Work out (N − F + 2P)/S + 1 step by step, without refusing strides that do not fit.

    Args:
        n: input height or width, ≥ 1.
        f: kernel (or pooling window) size, ≥ 1.
        p: zero padding added on each side, ≥ 0.
        s: stride, ≥ 1.

    Returns:
        The :class:`OutputSize`; check ``fits`` before using ``size``.

    Raises:
        InputError: a value is not a whole number in range, or the kernel is larger than the
            padded input.
    """
    n = whole_number(n, "input size N", 1)
    f = whole_number(f, "kernel size F", 1)
    p = whole_number(p, "padding P", 0)
    s = whole_number(s, "stride S", 1)
    padded = n + 2 * p
    span = padded - f
    if span < 0:
        raise InputError(
            f"The kernel (F = {f}) is larger than the padded input (N + 2P = {padded}): "
            "there is nowhere to place it. Use a smaller kernel or more padding."
        )
    fits = span % s == 0
    floor_size = span // s + 1
    steps = [
        f"Padded input: N + 2P = {n} + 2·{p} = {padded}",
        f"Room to slide: N + 2P − F = {padded} − {f} = {span}",
    ]
    if fits:
        steps.append(f"Steps of S: {span} / {s} = {span // s}")
        steps.append(f"Add the first position: {span // s} + 1 = {floor_size}")
    else:
        steps.append(
            f"Steps of S: {span} / {s} = {span / s:.4g} is not a whole number "
            f"(remainder {span % s})"
        )
        steps.append(
            f"Frameworks round down: ⌊{span / s:.4g}⌋ + 1 = {span // s} + 1 = {floor_size}"
        )
    return OutputSize(
        n=n,
        f=f,
        p=p,
        s=s,
        padded=padded,
        span=span,
        fits=fits,
        size=floor_size if fits else None,
        floor_size=floor_size,
        leftover=span % s,
        steps=tuple(steps),
    )
