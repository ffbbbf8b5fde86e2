"""Server-side time per interaction on the Filters page, and OpenCV versus plain numpy/Python.

Run: ``.venv/bin/python bench/filters.py`` (about a minute). Prints medians over repeats;
every comparison is measured side by side in this one run. Nothing is asserted.

What "one interaction" costs on the server: the core computation, building the plotly
figures, and serialising them to JSON as ``st.plotly_chart`` does. The last section runs the
real page script in Streamlit's AppTest and times a Gabor slider change end to end (script
rerun inside Streamlit, excluding the network and the browser's drawing).
"""

from __future__ import annotations

import io
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import plotly.io as pio
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnnviz import filters  # noqa: E402
from cnnviz.images import fit_within, load_image, samples, to_gray  # noqa: E402
from cnnviz.ui.common import figures  # noqa: E402
from cnnviz.ui.filters import response_figures as light  # noqa: E402


def median_ms(fn, repeats: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def to_json(*figs) -> int:
    return sum(len(pio.to_json(fig, validate=False)) for fig in figs)


def gray_512() -> np.ndarray:
    """The astronaut photo as a 512×512 gray image (what the page filters)."""
    return to_gray(fit_within(samples()["astronaut"], 512))


def interaction_gabor(gray: np.ndarray, theta: float, *, picture: bool = True) -> int:
    """One Gabor slider move; ``picture``: the response as a JPEG picture (the page now)
    instead of a 256-level heatmap (the page before)."""
    kernel = filters.normalize_kernel(
        filters.gabor_kernel(21, 4.0, theta, 10.0, 0.5, 0.0), unit_l1=False
    )
    response = filters.filter2d(gray, kernel)
    show = light.response_image if picture else figures.response_figure
    return to_json(
        figures.matrix_figure(kernel, "Kernel", annotate=False, height=420),
        show(response, "Response"),
    )


def interaction_sobel(gray: np.ndarray, ksize: int) -> int:
    gx, gy, magnitude, direction = filters.sobel(gray, ksize)
    return to_json(
        figures.response_figure(gx, "gx"),
        figures.response_figure(gy, "gy"),
        figures.response_figure(magnitude, "magnitude", diverging=False),
        figures.rgb_figure(filters.direction_rgb(direction, magnitude), "direction"),
    )


def interaction_bank(gray: np.ndarray, orientations: int) -> int:
    specs = [s for row in filters.gabor_bank(orientations, (4.0, 8.0, 16.0)) for s in row]
    responses = filters.bank_responses(fit_within(gray, 192), specs)
    strength = np.abs(responses)
    kernels = [s.kernel() for s in specs]
    side = max(k.shape[0] for k in kernels)
    padded = [np.pad(k, (side - k.shape[0]) // 2) for k in kernels]
    titles = [s.label for s in specs]
    return to_json(
        figures.grid_figure(padded, titles, columns=orientations, diverging=True),
        figures.grid_figure(list(strength), titles, columns=orientations, diverging=False),
    )


def interaction_step(gray: np.ndarray, col: int) -> int:
    kernel = filters.kernel_preset("sobel x", 3)
    step = filters.convolution_step(gray, kernel, 256, col, border="zero")
    full = filters.filter2d(gray, kernel, border="zero")
    return to_json(
        figures.matrix_figure(step.patch, "patch", diverging=False),
        figures.matrix_figure(step.kernel, "kernel"),
        figures.matrix_figure(step.product, "product"),
        figures.matrix_figure(gray[249:264, col - 7 : col + 8], "zoom", diverging=False),
        figures.response_figure(full, "output", mark=(256, col)),
    )


def numpy_correlation(gray: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Loop-free numpy baseline: all windows as a strided view, then one einsum."""
    kh, kw = kernel.shape
    padded = np.pad(gray.astype(np.float32), ((kh // 2,) * 2, (kw // 2,) * 2), mode="reflect")
    return np.einsum("ijkl,kl->ij", sliding_window_view(padded, kernel.shape), kernel)


def python_correlation(gray: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """What "no OpenCV, no numpy" looks like: four nested Python loops."""
    kh, kw = kernel.shape
    h, w = gray.shape
    img = gray.astype(float).tolist()
    k = kernel.astype(float).tolist()
    out = [[0.0] * w for _ in range(h)]
    for r in range(h):
        for c in range(w):
            total = 0.0
            for i in range(kh):
                rr = min(max(r + i - kh // 2, 0), h - 1)
                row = img[rr]
                for j in range(kw):
                    total += k[i][j] * row[min(max(c + j - kw // 2, 0), w - 1)]
            out[r][c] = total
    return np.array(out)


def jpeg_bytes(width: int, height: int) -> bytes:
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, (height // 16, width // 16, 3), dtype=np.uint8)
    big = np.asarray(Image.fromarray(small).resize((width, height), Image.BILINEAR))
    buf = io.BytesIO()
    Image.fromarray(big).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def apptest_slider_ms(repeats: int = 7) -> tuple[float, float]:
    """End-to-end Streamlit rerun of the real page for a Gabor slider change."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "filters.py"), default_timeout=120).run()
    at.selectbox(key="filters_sample").set_value("astronaut").run()
    times = []
    for i in range(repeats + 1):
        slider = at.slider(key="gabor_theta").set_value((i * 20) % 180)
        start = time.perf_counter()
        slider.run()
        if i:  # the first change warms caches
            times.append(time.perf_counter() - start)
    at.session_state["filters_tab"] = "Sobel"
    at.run()
    sobel_times = []
    for ksize in (5, 7, 3, 5, 7, 3):
        widget = at.select_slider(key="sobel_ksize").set_value(ksize)
        start = time.perf_counter()
        widget.run()
        sobel_times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), 1000 * statistics.median(sobel_times)


def main() -> None:
    gray = gray_512()
    print(f"cnnviz Filters benchmark · gray image {gray.shape[1]}×{gray.shape[0]}\n")

    print("Server-side time per interaction (compute + figures + JSON), median of 15:")
    rows = [
        ("Gabor slider (21×21 kernel)", lambda: interaction_gabor(gray, 0.7)),
        ("  same, response as a heatmap", lambda: interaction_gabor(gray, 0.7, picture=False)),
        (
            "Gabor over the photo",
            lambda: to_json(
                light.response_image(
                    filters.filter2d(gray, filters.gabor_kernel(21, 4.0, 0.7, 10.0, 0.5, 0.0)),
                    "R",
                    under=gray,
                )
            ),
        ),
        ("Sobel kernel size (ksize 5)", lambda: interaction_sobel(gray, 5)),
        ("Filter bank (4 × 3 kernels)", lambda: interaction_bank(gray, 4)),
        ("Step through: next pixel", lambda: interaction_step(gray, 300)),
    ]
    for name, fn in rows:
        size_kb = fn() / 1024
        print(f"  {name:32s} {median_ms(fn):7.1f} ms   ({size_kb:,.0f} KB of figure JSON)")

    print("\nWhere a Gabor interaction's time goes, median of 15:")
    kernel = filters.gabor_kernel(21, 4.0, 0.7, 10.0, 0.5, 0.0)
    response = filters.filter2d(gray, kernel)
    parts = [
        ("kernel (numpy formula)", lambda: filters.gabor_kernel(21, 4.0, 0.7, 10.0, 0.5, 0.0)),
        ("cv2.filter2D 512×512", lambda: filters.filter2d(gray, kernel)),
        ("response figure", lambda: figures.response_figure(response, "r")),
        ("response figure → JSON", lambda: to_json(figures.response_figure(response, "r"))),
    ]
    for name, fn in parts:
        print(f"  {name:32s} {median_ms(fn):7.2f} ms")

    print("\nFiltering 512×512 with OpenCV vs numpy (loop-free, sliding windows + einsum):")
    print(f"  {'kernel':10s} {'cv2.filter2D':>13s} {'numpy':>10s} {'ratio':>7s}")
    for size in (3, 7, 21, 41):
        k = filters.gabor_kernel(size, max(size / 5, 0.8), 0.7, max(size / 2, 2.0), 0.5, 0.0)
        ocv = median_ms(lambda k=k: filters.filter2d(gray, k), repeats=9)
        npy = median_ms(lambda k=k: numpy_correlation(gray, k), repeats=3, warmup=1)
        err = np.abs(numpy_correlation(gray, k) - filters.filter2d(gray, k)).max()
        print(f"  {size:>2d}×{size:<7d} {ocv:10.2f} ms {npy:7.1f} ms {npy / ocv:6.0f}×"
              f"   (max difference {err:.1e})")  # fmt: skip

    crop = gray[:64, :64]
    k = filters.kernel_preset("sobel x", 3)
    py = median_ms(lambda: python_correlation(crop, k), repeats=3, warmup=1)
    ocv = median_ms(lambda: filters.filter2d(crop, k), repeats=50)
    per_pixel_py = py / crop.size
    print(
        f"\nPure Python loops on a 64×64 crop with a 3×3 kernel: {py:.1f} ms vs cv2.filter2D "
        f"{ocv:.3f} ms ({py / ocv:,.0f}× slower);\n  extrapolated to 512×512 with a 21×21 "
        f"kernel: {per_pixel_py * 512 * 512 * (21 * 21) / 9 / 1000:.0f} s per slider move."
    )

    print("\nDecoding an uploaded 4000×3000 JPEG, median of 5:")
    data = jpeg_bytes(4000, 3000)
    full = median_ms(lambda: load_image(data), repeats=5, warmup=1)
    capped = median_ms(lambda: load_image(data, max_side=1024), repeats=5, warmup=1)
    print(f"  full size {full:7.1f} ms · with max_side=1024 (JPEG draft + INTER_AREA) "
          f"{capped:6.1f} ms · {full / capped:.1f}× faster")  # fmt: skip

    print("\nEnd to end in Streamlit (AppTest rerun of pages/filters.py, 512×512 astronaut):")
    gabor_ms, sobel_ms = apptest_slider_ms()
    print(
        f"  Gabor θ slider change: {gabor_ms:.0f} ms · Sobel kernel size change: {sobel_ms:.0f} ms"
    )
    print(f"\n(angles in radians where the core takes them; θ=0.7 ≈ {math.degrees(0.7):.0f}°)")


if __name__ == "__main__":
    main()
