"""Hand-made convolution filters: Gabor, Sobel, kernel presets, and convolution arithmetic.

Everything a convolutional layer does to one channel, before any learning: slide a small
kernel over the image and, at each position, sum the element-wise product of the kernel and
the image patch under it. Like CNN layers and ``cv2.filter2D``, nothing here flips the
kernel (a cross-correlation), except :func:`convolve`, the textbook version. All filtering
runs in OpenCV (C++), never in Python loops.

Modules: :mod:`.gabor` (the kernel), :mod:`.bank` (banks of them), :mod:`.fit` (the Gabor
closest to a learned kernel), :mod:`.sobel`, :mod:`.convolution`, :mod:`.pooling`,
:mod:`.presets` (the classic kernels' registry) and :mod:`.kernel_shapes`,
:mod:`.arithmetic` and :mod:`.layer_sizes` (output sizes), :mod:`.responses` (what the
Filters page shows), :mod:`.checks`.
"""

from cnnviz.filters.arithmetic import OutputSize, explain_output_size
from cnnviz.filters.bank import (
    bank_responses,
    gabor_bank,
    normalize_kernel,
    padded_kernels,
    strongest_kernel,
)
from cnnviz.filters.checks import BORDERS, MAX_KERNEL_SIZE
from cnnviz.filters.convolution import (
    ConvolutionStep,
    convolution_step,
    convolve,
    filter2d,
    neighbourhood,
)
from cnnviz.filters.fit import LUMA, fit_gabor, kernel_to_gray
from cnnviz.filters.gabor import GaborSpec, gabor_frequency, gabor_kernel, gabor_wavelength
from cnnviz.filters.layer_sizes import (
    framework_output_size,
    output_size,
    pool_output_size,
    same_padding,
    window_starts,
)
from cnnviz.filters.pooling import PoolingStep, max_pool, pooling_step
from cnnviz.filters.presets import (
    KERNEL_PRESETS,
    PRESET_NOTES,
    PRESET_SIZES,
    PRESETS,
    KernelPreset,
    kernel_preset,
)
from cnnviz.filters.responses import bank_grid, gabor_response, strongest_orientation_rgb
from cnnviz.filters.sobel import SOBEL_SIZES, angle_wheel, direction_rgb, sobel

__all__ = [
    "BORDERS",
    "KERNEL_PRESETS",
    "LUMA",
    "MAX_KERNEL_SIZE",
    "PRESETS",
    "PRESET_NOTES",
    "PRESET_SIZES",
    "SOBEL_SIZES",
    "ConvolutionStep",
    "GaborSpec",
    "KernelPreset",
    "OutputSize",
    "PoolingStep",
    "angle_wheel",
    "bank_grid",
    "bank_responses",
    "convolution_step",
    "convolve",
    "direction_rgb",
    "explain_output_size",
    "filter2d",
    "fit_gabor",
    "framework_output_size",
    "gabor_bank",
    "gabor_frequency",
    "gabor_kernel",
    "gabor_response",
    "gabor_wavelength",
    "kernel_preset",
    "kernel_to_gray",
    "max_pool",
    "neighbourhood",
    "normalize_kernel",
    "output_size",
    "padded_kernels",
    "pool_output_size",
    "pooling_step",
    "same_padding",
    "sobel",
    "strongest_kernel",
    "strongest_orientation_rgb",
    "window_starts",
]
