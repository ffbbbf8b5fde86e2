"""The code of the Filters page's filter bank: Gabor kernels slid over an image.

:class:`FilterBankCode` holds what the Filter bank tab runs (the image, the number of
orientations, the wavelengths, γ); its :meth:`~FilterBankCode.program` writes the same
steps in numpy and OpenCV: the gray copy at the page's sizes, the Gabor formula, the
zero-mean unit-L1 kernels, ``cv2.filter2D`` with reflected borders, and the strongest
orientation at each pixel. The responses equal :func:`cnnviz.filters.bank_grid`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz import filters
from cnnviz.codegen.images_code import FIT_WITHIN, embedded_code, sample_code
from cnnviz.codegen.program import Program, Step
from cnnviz.images import fit_within, to_gray

#: The sizes the page filters at (``cnnviz.ui.filters.cached``): the gray copy, the bank's.
PROCESS_MAX_SIDE = 512
BANK_MAX_SIDE = 192
PICKER_MAX_SIDE = 1024

_GABOR = '''\
def gabor_kernel(ksize, sigma, theta, lambd, gamma, psi=0.0):
    """A cosine wave seen through a Gaussian window: cv2.getGaborKernel's formula."""
    half = ksize // 2
    # Row i holds y = half - i, column j holds x = half - j (OpenCV's flipped storage).
    coords = np.arange(half, -half - 1, -1, dtype=np.float64)
    y, x = np.meshgrid(coords, coords, indexing="ij")
    x_rot = x * np.cos(theta) + y * np.sin(theta)
    y_rot = -x * np.sin(theta) + y * np.cos(theta)
    envelope = np.exp(-0.5 * (x_rot**2 / sigma**2 + y_rot**2 / (sigma / gamma) ** 2))
    return (envelope * np.cos(2 * np.pi / lambd * x_rot + psi)).astype(np.float32)


def zero_mean_unit_l1(kernel):
    """Zero mean (flat areas give 0) and sum of |weights| = 1 (sizes compare fairly)."""
    k = kernel.astype(np.float64)
    k -= k.mean()
    if np.abs(k).sum() > 0:
        k /= np.abs(k).sum()
    return k.astype(np.float32)
'''


@dataclass(frozen=True)
class FilterBankCode:
    """A Gabor filter bank on an image, as the Filters page's Filter bank tab runs it.

    Attributes:
        image: (H, W, 3) uint8 RGB, the picked image (at most 1024 pixels, as the picker
            gives it), or the page's (H, W) uint8 gray copy of it.
        sample: the gallery name when the image is a sample (the script then loads it
            with scikit-image); None writes the gray pixels into the script.
        orientations: columns of the bank, 1..16.
        wavelengths: rows of the bank, λ in pixels (sorted, as the page sorts them).
        gamma: the aspect ratio of every kernel.
    """

    image: np.ndarray
    sample: str | None = None
    orientations: int = 4
    wavelengths: Sequence[float] = (4.0, 8.0, 16.0)
    gamma: float = 0.5

    def gray(self) -> np.ndarray:
        """(h, w) uint8: the gray copy the bank filters (at most 192 pixels), as the page."""
        return fit_within(to_gray(fit_within(self.image, PROCESS_MAX_SIDE)), BANK_MAX_SIDE)

    def compute(self) -> tuple[list[filters.GaborSpec], np.ndarray]:
        """What the page shows: ``filters.bank_grid`` on :meth:`gray`."""
        return filters.bank_grid(
            self.gray(), self.orientations, tuple(sorted(self.wavelengths)), self.gamma
        )

    def program(self, *, epochs: int | None = None, max_images: int | None = None) -> Program:
        """The program (``epochs`` and ``max_images`` do not apply: nothing trains)."""
        wavelengths = [float(v) for v in sorted(self.wavelengths)]
        filters.gabor_bank(self.orientations, wavelengths, gamma=self.gamma)  # checks them
        if self.sample is not None:
            load = (
                "import cv2\nimport numpy as np\n\n\n"
                + FIT_WITHIN
                + "\n\n"
                + sample_code(self.sample, PICKER_MAX_SIDE)
                + "\n# The page filters a gray copy at most "
                f"{PROCESS_MAX_SIDE} pixels, and the bank a copy at most {BANK_MAX_SIDE}.\n"
                f"gray = cv2.cvtColor(fit_within(image, {PROCESS_MAX_SIDE}), "
                "cv2.COLOR_RGB2GRAY)\n"
                f"gray = fit_within(gray, {BANK_MAX_SIDE})\n"
            )
            where = f"the '{self.sample}' sample of scikit-image"
        else:
            load = "import base64\n\nimport cv2\nimport numpy as np\n\n" + embedded_code(
                self.gray(),
                "gray",
                note=f"The page's gray copy of the image (at most {BANK_MAX_SIDE} pixels). "
                "Your own photo: gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE).",
            )
            where = "the page's image"
        bank = (
            _GABOR + f"\n\nORIENTATIONS = {int(self.orientations)}\n"
            f"WAVELENGTHS = {wavelengths!r}  # λ in pixels, one row each\n"
            f"GAMMA = {float(self.gamma)!r}\n\n"
            "specs = []  # (ksize, sigma, theta, lambd), row by row\n"
            "for lambd in WAVELENGTHS:\n"
            "    sigma = 0.56 * lambd  # about one octave of bandwidth\n"
            "    ksize = min(63, 2 * int(np.ceil(3 * sigma)) + 1)  # holds the window\n"
            "    for k in range(ORIENTATIONS):\n"
            "        specs.append((ksize, sigma, k * np.pi / ORIENTATIONS, lambd))\n"
            "kernels = [gabor_kernel(ksize, s, t, lam, GAMMA) for ksize, s, t, lam in specs]\n"
        )
        filtering = (
            "# Cross-correlation, as in CNN layers; borders mirrored (OpenCV's default).\n"
            "responses = np.stack([\n"
            "    cv2.filter2D(gray.astype(np.float32), cv2.CV_32F, zero_mean_unit_l1(k),\n"
            "                 borderType=cv2.BORDER_REFLECT_101)\n"
            "    for k in kernels\n"
            "])\n"
            "print('responses', responses.shape, 'range', responses.min(), responses.max())\n"
        )
        strongest = (
            "strength = np.abs(responses)\n"
            "best = strength.argmax(axis=0)\n"
            "best_strength = strength.max(axis=0)\n"
            "angle = np.array([t for _, _, t, _ in specs])[best]\n"
            "# Orientations repeat every 180°: double the angle to use the whole colour wheel.\n"
            "direction = (2 * angle).astype(np.float32)\n"
            "turns = np.mod(direction.astype(np.float64), 2 * np.pi) / (2 * np.pi)\n"
            "hue = np.minimum(np.floor(turns * 180), 179).astype(np.uint8)\n"
            "top = float(np.percentile(best_strength, 99.0))\n"
            "value = np.clip(best_strength / top, 0, 1) if top > 0 else 0 * best_strength\n"
            "hsv = np.dstack([hue, np.full_like(hue, 255), "
            "np.rint(value * 255).astype(np.uint8)])\n"
            "strongest = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)\n"
        )
        show = (
            'if __name__ == "__main__":  # run as a script or in a notebook: draw them\n'
            "    import matplotlib.pyplot as plt\n\n"
            "    rows = len(WAVELENGTHS)\n"
            "    fig, axes = plt.subplots(2 * rows, ORIENTATIONS, squeeze=False,\n"
            "                             figsize=(2 * ORIENTATIONS, 4 * rows))\n"
            "    for i, (kernel, response, spec) in enumerate(zip(kernels, strength, specs)):\n"
            "        r, c = divmod(i, ORIENTATIONS)\n"
            "        title = f'θ={np.degrees(spec[2]):.0f}° λ={spec[3]:g}'\n"
            "        axes[2 * r, c].imshow(kernel, cmap='RdBu_r')\n"
            "        axes[2 * r, c].set_title(title)\n"
            "        axes[2 * r + 1, c].imshow(response, cmap='gray')\n"
            "    for ax in axes.flat:\n"
            "        ax.axis('off')\n"
            "    plt.figure()\n"
            "    plt.imshow(strongest)\n"
            "    plt.title('Strongest orientation at each pixel')\n"
            "    plt.show()\n"
        )
        steps = (
            Step(
                "The image",
                f"The Filters page works on a gray copy of {where}.",
                load,
            ),
            Step(
                "The filter bank",
                "A **filter bank** is a set of kernels at several orientations (columns) and "
                "wavelengths (rows), like the first layer of a CNN. Each Gabor kernel is a "
                "stripe pattern inside a soft round window; σ = 0.56 λ.",
                bank,
            ),
            Step(
                "Filter the image with every kernel",
                "Each kernel is made zero-mean with Σ|weights| = 1 before filtering, so big "
                "and small kernels compare fairly. Like CNN layers, the kernel is not flipped.",
                filtering,
            ),
            Step(
                "The strongest orientation at each pixel",
                "For every pixel, the colour of the orientation that responds most (red 0°, "
                "green 45°, cyan 90°, violet 135°), bright where the response is strong.",
                strongest,
            ),
            Step("Look at them", "Each kernel and the strength |response| it produces.", show),
        )
        return Program(
            title="A Gabor filter bank on an image",
            intro="What the Filters page's Filter bank tab computes, with its settings: "
            f"{self.orientations} orientations, wavelengths {wavelengths}, γ = {self.gamma:g}.",
            steps=steps,
            requirements=("numpy", "opencv-python-headless", "scikit-image", "matplotlib"),
        )


def course_program(experiment, *, epochs: int | None = None, max_images: int | None = None):
    """The filter bank of a course experiment (``vs_filter_banks``) on the page's first image."""
    from cnnviz.images import samples

    source = FilterBankCode(fit_within(samples()["cat"], PICKER_MAX_SIDE), sample="cat")
    program = source.program(epochs=epochs, max_images=max_images)
    intro = f"{experiment.course_title} · {experiment.title}. {experiment.help}\n\n{program.intro}"
    return Program(program.title, intro, program.steps, program.requirements)
