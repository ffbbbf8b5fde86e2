"""Filters: what one convolution kernel does to an image, before any learning."""

import hashlib
import math

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import filters
from cnnviz.errors import InputError
from cnnviz.images import fit_within, to_gray
from cnnviz.ui import figures
from cnnviz.ui import filter_figures as light
from cnnviz.ui.image_picker import image_picker

PROCESS_MAX_SIDE = 512  # filtering runs on gray images at most this size
TABS = ["Gabor", "Sobel", "Filter bank", "Custom kernel", "Step through", "Arithmetic"]
CUSTOM_KERNEL_KEY = "filters_custom_kernel"
VIEWS = ("Response alone", "Over the photo")

st.title("Filters")
st.caption(
    "A convolutional layer slides small kernels over the image and, at every position, adds up "
    "kernel × pixels. Here you design those kernels by hand. (Like CNN layers and OpenCV, the "
    "kernel is not flipped: strictly speaking this is cross-correlation.)"
)


@st.cache_data(max_entries=32, show_spinner=False)
def _gray(image: np.ndarray) -> tuple[np.ndarray, str]:
    """The gray copy every section filters (at most PROCESS_MAX_SIDE), and its digest.

    The digest keys the per-response caches, so a fragment rerun never hashes the pixels.
    """
    gray = to_gray(fit_within(image, PROCESS_MAX_SIDE))
    digest = hashlib.blake2b(gray.tobytes(), digest_size=12)
    digest.update(str(gray.shape).encode())
    return gray, digest.hexdigest()


image = image_picker("filters", location="sidebar", datasets=True)
if image is None:
    st.info(
        "Choose an image in the sidebar (a sample, a dataset image, your own file, or a "
        "camera snapshot)."
    )
    st.stop()
gray, gray_digest = _gray(image)


def _degrees_caption(degrees: float) -> str:
    return f"{degrees:g}° = {math.radians(degrees):.3f} rad"


@st.cache_data(max_entries=48, show_spinner=False)
def _gabor_response(
    digest: str, _gray: np.ndarray, params: tuple, zero_mean: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(kernel, response) for one image (by digest) and one parameter set.

    The response is kept as float16 (half the memory; 3 significant digits is plenty for a
    colour map), so 48 cached responses of a 512-pixel image take about 20 MB.
    """
    kernel = filters.gabor_kernel(*params)
    if zero_mean:
        kernel = filters.normalize_kernel(kernel, unit_l1=False)
    return kernel, filters.filter2d(_gray, kernel).astype(np.float16)


def _view_radio(key: str) -> bool:
    """The "response alone / over the photo" choice; True for over the photo."""
    view = st.radio(
        "Show",
        VIEWS,
        horizontal=True,
        key=key,
        help="Over the photo: the response is drawn over a pale copy of the image, so you "
        "see which edges and stripes make the kernel fire.",
    )
    return view == VIEWS[1]


def gabor_section(gray: np.ndarray, digest: str) -> None:
    """Gabor: the text and formula, drawn once, around the part that reruns."""
    st.markdown(
        "A **Gabor kernel** is a stripe pattern inside a soft round window. It fires where the "
        "image has stripes or edges of the same orientation and spacing: early CNN layers "
        "learn kernels that look much like these."
    )
    gabor_controls(gray, digest)
    with st.expander("The formula"):
        st.latex(
            r"g(x,y)=\exp\!\left(-\frac{x'^2+\gamma^2y'^2}{2\sigma^2}\right)"
            r"\cos\!\left(\frac{2\pi x'}{\lambda}+\psi\right),\quad "
            r"x'=x\cos\theta+y\sin\theta,\; y'=-x\sin\theta+y\cos\theta"
        )
        st.caption(
            "Same values as OpenCV's cv2.getGaborKernel (before the optional mean subtraction)."
        )


@st.fragment
def gabor_controls(gray: np.ndarray, digest: str) -> None:
    """Gabor sliders, the kernel and its response: the only part a slider move reruns."""
    c1, c2, c3 = st.columns(3)
    ksize = c1.slider(
        "Kernel size", 3, 61, 21, step=2, key="gabor_ksize", help="Side in pixels (odd)."
    )
    sigma = c1.slider("σ (window width)", 0.5, 15.0, 4.0, step=0.5, key="gabor_sigma")
    theta_deg = c2.slider(
        "θ (orientation, degrees)",
        0,
        180,
        0,
        step=5,
        key="gabor_theta",
        help="Direction the wave travels: 0° gives vertical stripes.",
    )
    lambd = c2.slider("λ (wavelength, pixels)", 2.0, 40.0, 10.0, step=0.5, key="gabor_lambda")
    gamma = c3.slider(
        "γ (aspect ratio)",
        0.1,
        1.5,
        0.5,
        step=0.05,
        key="gabor_gamma",
        help="1 = round window; smaller = longer stripes.",
    )
    psi_deg = c3.slider(
        "ψ (phase, degrees)",
        -180,
        180,
        0,
        step=15,
        key="gabor_psi",
        help="0° = bar detector (symmetric), 90° = edge detector.",
    )
    c1, c2 = st.columns([2, 3])
    zero_mean = c1.toggle(
        "Zero-mean kernel",
        value=True,
        key="gabor_zero_mean",
        help="Subtract the kernel's mean, so it responds to stripes and edges, not to plain "
        "brightness.",
    )
    with c2:
        over = _view_radio("gabor_view")
    theta, psi = math.radians(theta_deg), math.radians(psi_deg)
    try:
        params = (ksize, sigma, theta, lambd, gamma, psi)
        kernel, response = _gabor_response(digest, gray, params, zero_mean)
    except InputError as err:
        st.error(str(err))
        return
    response = response.astype(np.float32)
    left, right = st.columns([2, 3])
    left.plotly_chart(
        figures.matrix_figure(kernel, f"Kernel {ksize}×{ksize}", annotate=False, height=420),
        key="gabor_kernel_fig",
    )
    right.plotly_chart(
        light.response_image(
            response,
            "Response over the photo" if over else "Response (red = positive, blue = negative)",
            under=gray if over else None,
        ),
        key="gabor_response_fig",
    )
    st.caption(
        f"θ = {_degrees_caption(theta_deg)}, ψ = {_degrees_caption(psi_deg)}. "
        f"Response range {response.min():.1f} … {response.max():.1f}."
    )


@st.fragment
def sobel_section(gray: np.ndarray, digest: str) -> None:
    """Sobel gradients: x, y, magnitude and direction."""
    st.markdown(
        "**Sobel** kernels measure how fast brightness changes: *x* to the right, *y* "
        "downwards. Together they give the edge strength (magnitude) and the direction in "
        "which brightness increases."
    )
    ksize = st.select_slider(
        "Kernel size",
        filters.SOBEL_SIZES,
        value=3,
        key="sobel_ksize",
        help="1 means the plain [-1, 0, 1] difference.",
    )
    gx, gy, magnitude, direction = filters.sobel(gray, ksize)
    # One colour scale for gx and gy, so their strengths can be compared.
    both = np.concatenate([gx.ravel(), gy.ravel()])
    top = figures.value_range(both, symmetric=True, percentile=figures.ROBUST_PERCENTILE)[1]
    c1, c2 = st.columns(2)
    c1.plotly_chart(
        light.response_image(gx, "gx: change to the right", zrange=(-top, top), height=360),
        key="sobel_gx_fig",
    )
    c2.plotly_chart(
        light.response_image(gy, "gy: change downwards", zrange=(-top, top), height=360),
        key="sobel_gy_fig",
    )
    c3, c4 = st.columns(2)
    c3.plotly_chart(
        light.response_image(magnitude, "Magnitude √(gx² + gy²)", diverging=False, height=360),
        key="sobel_mag_fig",
    )
    with c4:
        fig = figures.rgb_figure(
            filters.direction_rgb(direction, magnitude),
            "Direction (colour) × magnitude",
            height=360,
        )
        st.plotly_chart(fig, key="sobel_dir_fig")
    legend_col, text_col = st.columns([1, 5])
    legend_col.image(filters.angle_wheel(96), width=96)
    text_col.caption(
        "Colour wheel: the hue tells the direction in which brightness increases "
        "(red → right, yellow-green ↓ down, cyan ← left, violet ↑ up); brightness tells the "
        f"edge strength. Sobel {ksize}×{ksize}, reflected borders, same results as cv2.Sobel."
    )
    kx = filters.kernel_preset("sobel x", ksize) if ksize in filters.PRESET_SIZES else None
    if kx is not None:
        with st.expander(f"The {ksize}×{ksize} kernels"):
            k1, k2 = st.columns(2)
            k1.plotly_chart(
                figures.matrix_figure(kx, "Sobel x", decimals=0, height=260), key="sobel_kx_fig"
            )
            k2.plotly_chart(
                figures.matrix_figure(kx.T, "Sobel y", decimals=0, height=260), key="sobel_ky_fig"
            )


@st.cache_data(max_entries=8, show_spinner=False)
def _bank(digest: str, _gray: np.ndarray, orientations: int, wavelengths: tuple, gamma: float):
    rows = filters.gabor_bank(orientations, wavelengths, gamma=gamma)
    specs = [spec for row in rows for spec in row]
    small = fit_within(_gray, 192)  # the grid shows many maps: filter a smaller copy
    return specs, filters.bank_responses(small, specs)


@st.fragment
def bank_section(gray: np.ndarray, digest: str) -> None:
    """A grid of Gabor kernels and where each one fires."""
    st.markdown(
        "A **filter bank** is a set of kernels at several orientations (columns) and "
        "wavelengths (rows), like the first layer of a CNN. Compare where each one fires."
    )
    c1, c2, c3 = st.columns([1, 2, 1])
    orientations = c1.slider("Orientations", 2, 8, 4, key="bank_orientations")
    wavelengths = c2.multiselect(
        "Wavelengths λ (pixels)",
        [3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0],
        default=[4.0, 8.0, 16.0],
        key="bank_wavelengths",
    )
    gamma = c3.slider("γ", 0.2, 1.0, 0.5, step=0.1, key="bank_gamma")
    c1, c2 = st.columns([2, 3])
    shared = c1.toggle(
        "One colour scale for all",
        value=True,
        key="bank_shared",
        help="The same colour scale for every response, so their strengths can be compared.",
    )
    with c2:
        over = _view_radio("bank_view")
    if not wavelengths:
        st.warning("Choose at least one wavelength.")
        return
    specs, responses = _bank(digest, gray, orientations, tuple(sorted(wavelengths)), gamma)
    strength = np.abs(responses)
    titles = [spec.label for spec in specs]
    # Pad every kernel to the largest size, so the grid shows their true relative sizes.
    side = max(spec.ksize for spec in specs)
    kernels = [np.pad(s.kernel(), (side - s.ksize) // 2) for s in specs]
    st.plotly_chart(
        figures.grid_figure(
            kernels,
            titles,
            columns=orientations,
            diverging=True,
            cell_height=120,
        ),
        key="bank_kernels_fig",
    )
    top = figures.value_range(strength, symmetric=True, percentile=figures.ROBUST_PERCENTILE)[1]
    small = fit_within(gray, 192)
    tiles = []
    for one in strength:
        hi = top if shared else figures.value_range(one, symmetric=True, percentile=99.5)[1]
        if over:
            tiles.append(light.overlay(small, one, (0.0, hi), diverging=False))
        else:
            tiles.append(light.colorize(one, (0.0, hi), diverging=False))
    st.plotly_chart(
        light.mosaic_figure(tiles, titles, columns=orientations, cell_height=150),
        key="bank_responses_fig",
    )
    index, best = filters.strongest_kernel(responses)
    theta = np.array([spec.theta for spec in specs])[index]
    # Orientations repeat every 180°, so double the angle to use the whole colour wheel.
    winner = filters.direction_rgb((2 * theta).astype(np.float32), best)
    c1, c2 = st.columns([2, 3])
    c1.plotly_chart(
        figures.rgb_figure(winner, "Strongest orientation at each pixel", height=320),
        key="bank_winner_fig",
    )
    c2.caption(
        "Above: each kernel (red positive, blue negative) and the strength |response| it "
        "produces (white = strong; over the photo: orange = strong). Left: for every pixel, the colour of the orientation "
        "that responds most (red 0°, green 45°, cyan 90°, violet 135°), bright where the "
        "response is strong. Kernels are drawn at their true relative sizes; each is made "
        "zero-mean with Σ|weights| = 1 before filtering, so big and small kernels compare "
        "fairly. Responses are computed on a copy at most 192 pixels wide."
    )


@st.fragment
def custom_section(gray: np.ndarray, digest: str) -> None:
    """An editable 3×3 or 5×5 kernel with presets."""
    st.markdown(
        "Type your own kernel weights, or start from a classic one. Each output pixel is the "
        "sum of weights × the pixels under them."
    )
    c1, c2, c3 = st.columns(3)
    size = c1.radio(
        "Size",
        filters.PRESET_SIZES,
        horizontal=True,
        key="custom_size",
        format_func=lambda s: f"{s}×{s}",
    )
    preset = c2.selectbox("Start from", filters.KERNEL_PRESETS, index=3, key="custom_preset")
    border = c3.selectbox(
        "Border",
        list(filters.BORDERS),
        key="custom_border",
        help="How pixels outside the image are filled: zero padding as in CNNs, or mirrored / repeated edges.",
    )
    st.caption(filters.PRESET_NOTES[preset])
    start = pd.DataFrame(
        filters.kernel_preset(preset, size).astype(float), columns=[str(i) for i in range(size)]
    )
    left, right = st.columns([2, 3])
    with left:
        edited = st.data_editor(
            start,
            key=f"custom_editor_{preset}_{size}",  # a new preset or size starts a fresh table
            hide_index=True,
            column_config={
                c: st.column_config.NumberColumn(c, format="%.3f", width="small")
                for c in start.columns
            },
        )
        try:
            kernel = edited.to_numpy(dtype=float).astype(np.float32)
            response = filters.filter2d(gray, kernel, border=border)
        except InputError as err:
            st.error(str(err))
            return
        except (ValueError, TypeError):
            st.error("Every cell of the kernel needs a number.")
            return
        total = float(kernel.sum())
        total = 0.0 if abs(total) < 1e-6 else total  # 1/3 + 1/3 + 1/3 - 1 is not 0 in float32
        st.session_state[CUSTOM_KERNEL_KEY] = kernel
        st.caption(
            f"Sum of weights = {total:.3g}. "
            + (
                "Sum 0: flat areas become 0, only changes show (an edge detector)."
                if abs(total) < 1e-6
                else "Sum 1: overall brightness is kept."
                if abs(total - 1) < 1e-6
                else "Brightness is multiplied by the sum."
            )
        )
        st.plotly_chart(
            figures.matrix_figure(kernel, "Kernel", height=260), key="custom_kernel_fig"
        )
    with right:
        if abs(total) < 1e-6:
            fig = light.response_image(response, "Output (red = positive, blue = negative)")
        else:
            fig = light.response_image(
                response, "Output (clipped to 0…255)", diverging=False, zrange=(0.0, 255.0)
            )
        st.plotly_chart(fig, key="custom_response_fig")


def _move(dr: int, dc: int, h: int, w: int) -> None:
    st.session_state["step_row"] = int(np.clip(st.session_state["step_row"] + dr, 0, h - 1))
    st.session_state["step_col"] = int(np.clip(st.session_state["step_col"] + dc, 0, w - 1))


@st.fragment
def step_section(gray: np.ndarray, digest: str) -> None:
    """Step through one output pixel of a convolution or of a max-pooling layer."""
    operation = st.radio(
        "Step through",
        ["Convolution", "Max pooling"],
        horizontal=True,
        key="step_operation",
        label_visibility="collapsed",
    )
    if operation == "Max pooling":
        pooling_steps(gray)
    else:
        convolution_steps(gray)


def convolution_steps(gray: np.ndarray) -> None:
    """One output pixel: patch × kernel = products, summed."""
    st.markdown(
        "Follow one output pixel: the kernel sits on the image, each weight multiplies the "
        "pixel under it, and the sum of the products is the output."
    )
    h, w = gray.shape
    st.session_state.setdefault("step_row", h // 2)
    st.session_state.setdefault("step_col", w // 2)
    st.session_state["step_row"] = min(st.session_state["step_row"], h - 1)
    st.session_state["step_col"] = min(st.session_state["step_col"], w - 1)
    choices = list(filters.KERNEL_PRESETS)
    if CUSTOM_KERNEL_KEY in st.session_state:
        choices.append("my custom kernel")
    c1, c2, c3 = st.columns(3)
    choice = c1.selectbox("Kernel", choices, index=choices.index("sobel x"), key="step_kernel")
    size = c2.radio(
        "Size",
        filters.PRESET_SIZES,
        horizontal=True,
        key="step_size",
        format_func=lambda s: f"{s}×{s}",
        disabled=choice == "my custom kernel",
    )
    border = c3.selectbox("Border", list(filters.BORDERS), key="step_border")
    kernel = (
        st.session_state[CUSTOM_KERNEL_KEY]
        if choice == "my custom kernel"
        else filters.kernel_preset(choice, size)
    )

    c1, c2 = st.columns(2)
    row = c1.slider("Row", 0, h - 1, key="step_row")
    col = c2.slider("Column", 0, w - 1, key="step_col")
    b = st.columns(6)
    b[0].button("← left", on_click=_move, args=(0, -1, h, w), key="step_left")
    b[1].button("right →", on_click=_move, args=(0, 1, h, w), key="step_right")
    b[2].button("↑ up", on_click=_move, args=(-1, 0, h, w), key="step_up")
    b[3].button("↓ down", on_click=_move, args=(1, 0, h, w), key="step_down")
    b[4].button("↖ corner", on_click=_move, args=(-h, -w, h, w), key="step_corner")

    step = filters.convolution_step(gray, kernel, row, col, border=border)
    full = filters.filter2d(gray, kernel, border=border)
    kh, kw = kernel.shape
    c1, c2, c3 = st.columns(3)
    c1.plotly_chart(
        figures.matrix_figure(
            step.patch,
            "Image patch",
            diverging=False,
            zrange=(0, 255),
            highlight=step.outside,
            decimals=0,
            height=300,
        ),
        key="step_patch_fig",
    )
    c2.plotly_chart(
        figures.matrix_figure(step.kernel, "× Kernel", height=300), key="step_kernel_fig"
    )
    c3.plotly_chart(
        figures.matrix_figure(step.product, "= Products", decimals=1, height=300),
        key="step_product_fig",
    )
    # The sum gets a full-width row of its own, so it is never cut off on a narrow screen.
    m1, m2 = st.columns([1, 3], vertical_alignment="center")
    m1.metric("Sum = output pixel", f"{step.total:.2f}")
    terms = " + ".join(
        f"{p:.0f}·({k:.2g})" if k < 0 else f"{p:.0f}·{k:.2g}"
        for p, k in zip(step.patch.ravel()[:6], step.kernel.ravel()[:6], strict=True)
    )
    with m2:
        st.caption(
            f"Σ patch × kernel = {terms}{' + …' if kh * kw > 6 else ''} = {step.total:.2f}. "
            f"The whole filtered image has {full[row, col]:.2f} at ({row}, {col})."
        )
        if step.outside.any():
            st.caption(f"Dotted cells lie outside the image: filled by the '{border}' rule.")
    # Where we are: the neighbourhood around the position, and the whole output.
    c1, c2 = st.columns(2)
    r0, c0 = max(0, row - 7), max(0, col - 7)
    zoom = gray[r0 : row + 8, c0 : col + 8].astype(np.float32)
    fig = figures.matrix_figure(
        zoom,
        f"Neighbourhood of ({row}, {col}), kernel outlined",
        diverging=False,
        zrange=(0, 255),
        annotate=False,
        box=(row - r0 - kh // 2, col - c0 - kw // 2, row - r0 + kh // 2, col - c0 + kw // 2),
        height=320,
    )
    c1.plotly_chart(fig, key="step_zoom_fig")
    out = light.response_image(
        full, "Whole output (× = this pixel)", height=320, colorbar=False, mark=(row, col)
    )
    c2.plotly_chart(out, key="step_output_fig")


def _move_pool(dr: int, dc: int, h: int, w: int) -> None:
    st.session_state["pool_row"] = int(np.clip(st.session_state["pool_row"] + dr, 0, h - 1))
    st.session_state["pool_col"] = int(np.clip(st.session_state["pool_col"] + dc, 0, w - 1))


def pooling_steps(gray: np.ndarray) -> None:
    """One output pixel of max pooling: the window and its largest value."""
    st.markdown(
        "**Max pooling** slides a window over the image (or a feature map) and keeps only the "
        "largest value under it: the map gets smaller, and a feature that fires anywhere in "
        "the window survives. Here with Keras' rules (`MaxPooling2D`, no padding)."
    )
    c1, c2 = st.columns(2)
    size = c1.radio("Window", [2, 3, 4], horizontal=True, key="pool_size",
                    format_func=lambda s: f"{s}×{s}")  # fmt: skip
    stride = c2.radio("Stride", [1, 2, 3, 4], index=1, horizontal=True, key="pool_stride",
                      help="Keras' default stride is the window size.")  # fmt: skip
    pooled = filters.max_pool(gray, size, stride)
    h, w = pooled.shape
    st.session_state.setdefault("pool_row", h // 2)
    st.session_state.setdefault("pool_col", w // 2)
    st.session_state["pool_row"] = min(st.session_state["pool_row"], h - 1)
    st.session_state["pool_col"] = min(st.session_state["pool_col"], w - 1)
    c1, c2 = st.columns(2)
    row = c1.slider("Output row", 0, h - 1, key="pool_row")
    col = c2.slider("Output column", 0, w - 1, key="pool_col")
    b = st.columns(6)
    b[0].button("← left", on_click=_move_pool, args=(0, -1, h, w), key="pool_left")
    b[1].button("right →", on_click=_move_pool, args=(0, 1, h, w), key="pool_right")
    b[2].button("↑ up", on_click=_move_pool, args=(-1, 0, h, w), key="pool_up")
    b[3].button("↓ down", on_click=_move_pool, args=(1, 0, h, w), key="pool_down")
    step = filters.pooling_step(gray, row, col, size, stride)
    r, c = step.argmax
    c1, c2, c3 = st.columns([2, 3, 3])
    c1.plotly_chart(
        figures.matrix_figure(
            step.patch, f"Window {size}×{size}", diverging=False, zrange=(0, 255),
            decimals=0, box=(r, c, r, c), height=300,
        ),
        key="pool_patch_fig",
    )  # fmt: skip
    top, left = step.top, step.left
    r0, c0 = max(0, top - 6), max(0, left - 6)
    zoom = gray[r0 : top + size + 6, c0 : left + size + 6].astype(np.float32)
    c2.plotly_chart(
        figures.matrix_figure(
            zoom, f"The window in the image, at ({top}, {left})", diverging=False,
            zrange=(0, 255), annotate=False, height=300,
            box=(top - r0, left - c0, top - r0 + size - 1, left - c0 + size - 1),
        ),
        key="pool_zoom_fig",
    )  # fmt: skip
    c3.plotly_chart(
        light.response_image(
            pooled, f"Pooled output, {w}×{h}", diverging=False,
            zrange=(0.0, 255.0), height=300, colorbar=False, mark=(row, col),
        ),
        key="pool_output_fig",
    )  # fmt: skip
    m1, m2 = st.columns([1, 3], vertical_alignment="center")
    m1.metric("Max = output pixel", f"{step.value:.0f}")
    m2.caption(
        f"Output ({row}, {col}) looks at image rows {top}–{top + size - 1} and columns "
        f"{left}–{left + size - 1}; the largest value ({step.value:.0f}, outlined) is kept, "
        f"the other {size * size - 1} are dropped. The {gray.shape[1]}×{gray.shape[0]} image "
        f"becomes {w}×{h}: ⌊({gray.shape[1]} − {size})/{stride}⌋ + 1 = {w} columns."
        + (
            " With stride < window, windows overlap and one pixel can win twice."
            if stride < size
            else " With stride > window, the pixels between windows are never looked at."
            if stride > size
            else ""
        )
    )


@st.fragment
def arithmetic_section() -> None:
    """Output size of a convolution and a pooling layer, step by step."""
    st.markdown(
        "How big is a layer's output? Slide a kernel of size **F** with stride **S** over an "
        "input of size **N** padded with **P** zeros on each side: "
        "**(N − F + 2P) / S + 1** positions. If the division is not exact, frameworks round "
        "down; here you see whether that only skips padding or real rows of the input."
    )
    c1, c2, c3, c4 = st.columns(4)
    n = c1.number_input("Input size N", 1, 4096, 7, key="arith_n")
    f = c2.number_input("Kernel size F", 1, 4096, 3, key="arith_f")
    p = c3.number_input("Padding P", 0, 1024, 0, key="arith_p")
    s = c4.number_input("Stride S", 1, 1024, 2, key="arith_s")
    if f % 2 == 1:
        st.caption(
            f"Tip: P = {filters.same_padding(f)} keeps the size at stride 1 ('same' padding)."
        )
    try:
        conv = filters.explain_output_size(n, f, p, s)
    except InputError as err:
        st.error(str(err))
        return
    _show_report("Convolution", conv)
    size_after_conv = conv.floor_size
    if conv.padded <= 64:
        starts = filters.window_starts(n, f, p, s)
        st.plotly_chart(
            figures.windows_figure(conv.padded, f, p, starts, "Window positions along one row"),
            key="arith_windows_fig",
        )
    st.divider()
    if st.checkbox("Then a pooling layer", value=False, key="arith_pool"):
        c1, c2 = st.columns(2)
        pool = c1.number_input("Pool size", 1, 64, 2, key="arith_pool_size")
        stride = c2.number_input("Pool stride", 1, 64, 2, key="arith_pool_stride")
        try:
            report = filters.explain_output_size(size_after_conv, pool, 0, stride)
        except InputError as err:
            st.error(str(err))
            return
        _show_report(f"Pooling on the {size_after_conv}×{size_after_conv} output", report)


def _show_report(title: str, report: filters.OutputSize) -> None:
    st.markdown(f"**{title}**")
    st.code("\n".join(report.steps), language=None)
    if report.fits:
        st.success(f"Output: {report.size} × {report.size}")
    elif report.lost_input == 0:
        # E.g. the ResNet stem (224, F = 7, P = 3, S = 2): rounding down only skips padding.
        st.info(f"Output: {report.floor_size} × {report.floor_size}. " + report.explanation())
    else:
        st.warning(
            f"Output: {report.floor_size} × {report.floor_size}. "
            + report.explanation()
            + " To use every pixel, try: "
            + "; ".join(report.suggestions())
            + "."
        )


gabor_tab, sobel_tab, bank_tab, custom_tab, step_tab, arithmetic_tab = st.tabs(
    TABS, key="filters_tab", on_change="rerun"
)
# Only the open tab runs (lazy tabs), and each section is a fragment: moving a slider reruns
# that section alone.
image_sections = [
    (gabor_tab, gabor_section),
    (sobel_tab, sobel_section),
    (bank_tab, bank_section),
    (custom_tab, custom_section),
    (step_tab, step_section),
]
for tab, section in image_sections:
    with tab:
        if tab.open:
            section(gray, gray_digest)
with arithmetic_tab:
    if arithmetic_tab.open:
        arithmetic_section()
