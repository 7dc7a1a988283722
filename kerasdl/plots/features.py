"""Figures of what a convolutional network has learned: filters, feature maps, top inputs.

Every function takes plain numpy arrays (kernel weights, activations,
images), so the caller decides how to read them out of a model, e.g. with
`kerasdl.models.feature_extractor`.

Example:
    >>> import numpy as np
    >>> from kerasdl.plots import plot_filters
    >>> fig = plot_filters(np.random.default_rng(0).normal(size=(3, 3, 1, 8)))
    >>> len(fig.axes)
    8
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def _as_array(name: str, value: Any, ndims: Sequence[int]) -> np.ndarray:
    # Accept anything numpy understands (lists, backend tensors) but fail with a clear message.
    try:
        array = np.asarray(value, dtype="float32")
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a numeric array; got {type(value).__name__}.") from None
    if array.ndim not in ndims:
        allowed = " or ".join(str(n) for n in ndims)
        raise ValueError(f"{name} must have {allowed} dimensions; got shape {array.shape}.")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {array.shape}.")
    return array


def _check_count(name: str, value: Any, allow_none: bool = True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer{' or None' if allow_none else ''}; got {value!r}.")
    return int(value)


def _as_image(image: np.ndarray) -> np.ndarray:
    # (H, W, 1) shows as grey; (H, W, 3) as colour; anything else must already be 2-D.
    if image.ndim == 3 and image.shape[-1] == 1:
        return image[..., 0]
    return image


def _grid(count: int, ncols: int | None) -> tuple[int, int]:
    ncols = min(count, ncols or math.ceil(math.sqrt(count)))
    return math.ceil(count / ncols), ncols


def plot_image_grid(
    images: Any,
    titles: Sequence[str] | None = None,
    ncols: int | None = None,
    cmap: str = "gray",
    symmetric: bool = False,
    title: str | None = None,
    cell_size: float = 1.2,
) -> Any:
    """Show a batch of small images in a grid, one panel per image, without axes.

    Args:
        images: Array of shape `(N, H, W)`, `(N, H, W, 1)` or `(N, H, W, 3)`.
        titles: Optional caption per image (`N` strings).
        ncols: Panels per row (default: a near-square grid).
        cmap: Colour map for single-channel images.
        symmetric: Centre the colour scale of each panel on 0 (for signed
            values such as weights), so 0 maps to the middle colour.
        title: Figure title.
        cell_size: Inches per panel.

    Returns:
        A matplotlib `Figure` with exactly `N` axes.

    Raises:
        ValueError: Wrong number of dimensions, or `titles` of the wrong length.

    Example:
        >>> import numpy as np
        >>> fig = plot_image_grid(np.zeros((5, 8, 8)), titles=list("abcde"), ncols=3)
        >>> len(fig.axes), fig.axes[4].get_title()
        (5, 'e')
    """
    import matplotlib.pyplot as plt

    images = _as_array("images", images, (3, 4))
    if images.ndim == 4 and images.shape[-1] not in (1, 3):
        raise ValueError(f"images must have 1 or 3 channels on the last axis; got shape {images.shape}.")
    ncols = _check_count("ncols", ncols)
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles must have one entry per image ({len(images)}); got {len(titles)}.")
    nrows, ncols = _grid(len(images), ncols)
    row_height = cell_size + (0.25 if titles is not None else 0.0)  # room for each panel's caption
    fig = plt.figure(figsize=(cell_size * ncols, row_height * nrows + (0.4 if title else 0.0)))
    for index, image in enumerate(images):
        ax = fig.add_subplot(nrows, ncols, index + 1)
        image = _as_image(image)
        limits = {}
        if symmetric:
            bound = float(np.abs(image).max()) or 1.0
            limits = {"vmin": -bound, "vmax": bound}
        ax.imshow(image, cmap=cmap, **limits)
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(str(titles[index]), fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_filters(
    kernel: Any,
    max_filters: int | None = None,
    ncols: int | None = None,
    title: str | None = None,
) -> Any:
    """Draw the kernels of a Conv2D layer, one panel per output filter.

    Single-channel kernels use a diverging colour map centred on 0: red
    weights excite the unit where the input is bright, blue weights inhibit
    it. Three-channel kernels are shown as colour images (rescaled to
    [0, 1]); other channel counts are averaged over the input channels.

    Args:
        kernel: Weights of shape `(kh, kw, in_channels, filters)` (what
            `conv_layer.get_weights()[0]` returns) or `(kh, kw, filters)`.
        max_filters: Show only the first this many filters.
        ncols: Panels per row.
        title: Figure title.

    Returns:
        A matplotlib `Figure` with one axes per filter shown.

    Raises:
        ValueError: A kernel that is not 3- or 4-dimensional.

    Example:
        >>> import numpy as np
        >>> fig = plot_filters(np.ones((3, 3, 1, 16)), max_filters=4)
        >>> [ax.get_title() for ax in fig.axes]
        ['filter 1', 'filter 2', 'filter 3', 'filter 4']
    """
    kernel = _as_array("kernel", kernel, (3, 4))
    max_filters = _check_count("max_filters", max_filters)
    if kernel.ndim == 3:
        kernel = kernel[:, :, None, :]
    filters = np.moveaxis(kernel, -1, 0)[:max_filters]  # (F, kh, kw, in)
    titles = [f"filter {i + 1}" for i in range(len(filters))]
    if filters.shape[-1] == 3:
        low = filters.min(axis=(1, 2, 3), keepdims=True)
        span = filters.max(axis=(1, 2, 3), keepdims=True) - low
        images = (filters - low) / np.where(span > 0, span, 1.0)
        return plot_image_grid(images, titles=titles, ncols=ncols, title=title)
    return plot_image_grid(filters.mean(axis=-1), titles=titles, ncols=ncols, cmap="RdBu_r",
                           symmetric=True, title=title)


def plot_feature_maps(
    feature_maps: Sequence[Any],
    names: Sequence[str] | None = None,
    image: Any = None,
    max_channels: int = 8,
    cell_size: float = 1.1,
) -> Any:
    """Show the feature maps of several layers for one input, one row per layer.

    Each row shows the first `max_channels` channels of one layer's output
    at that layer's own resolution, so the shrinking maps of deeper blocks
    are visible. Each panel has its own colour scale; its title gives the
    channel and its peak value (an all-dark panel with peak 0 is a unit
    that did not fire for this input).

    Args:
        feature_maps: One array per layer, each `(H, W, C)` or `(1, H, W, C)`
            (a batch of one, as `model.predict` returns it).
        names: Row labels, one per layer (default "layer 1", ...).
        image: Optional input image `(H, W)` or `(H, W, 1)`, drawn first
            in its own row.
        max_channels: Channels shown per layer.
        cell_size: Inches per panel.

    Returns:
        A matplotlib `Figure`; each row has `min(C, max_channels)` axes.

    Raises:
        ValueError: An empty list, a map with the wrong rank or a batch
            larger than one, or `names` of the wrong length.

    Example:
        >>> import numpy as np
        >>> maps = [np.ones((8, 8, 4)), np.ones((1, 4, 4, 16))]
        >>> fig = plot_feature_maps(maps, names=["block 1", "block 2"], max_channels=6)
        >>> len(fig.axes)
        10
    """
    import matplotlib.pyplot as plt

    if isinstance(feature_maps, np.ndarray) or not isinstance(feature_maps, Sequence) or not feature_maps:
        raise TypeError("feature_maps must be a non-empty list of arrays, one per layer; "
                        f"got {type(feature_maps).__name__}.")
    max_channels = _check_count("max_channels", max_channels, allow_none=False)
    maps = []
    for index, fmap in enumerate(feature_maps):
        fmap = _as_array(f"feature_maps[{index}]", fmap, (3, 4))
        if fmap.ndim == 4:
            if fmap.shape[0] != 1:
                raise ValueError(f"feature_maps[{index}] must hold one example; got a batch of shape {fmap.shape}.")
            fmap = fmap[0]
        maps.append(fmap)
    if names is None:
        names = [f"layer {i + 1}" for i in range(len(maps))]
    if len(names) != len(maps):
        raise ValueError(f"names must have one entry per feature map ({len(maps)}); got {len(names)}.")
    rows: list[tuple[str, list[np.ndarray], list[str]]] = []
    if image is not None:
        picture = _as_image(_as_array("image", image, (2, 3)))
        rows.append(("input", [picture], [f"{picture.shape[0]}x{picture.shape[1]}"]))
    for name, fmap in zip(names, maps):
        shown = min(fmap.shape[-1], max_channels)
        panels = [fmap[..., c] for c in range(shown)]
        titles = [f"ch {c + 1}, max {panel.max():.2g}" for c, panel in enumerate(panels)]
        rows.append((f"{name}\n{fmap.shape[0]}x{fmap.shape[1]}x{fmap.shape[-1]}", panels, titles))

    ncols = max(len(panels) for _, panels, _ in rows)
    fig = plt.figure(figsize=(cell_size * ncols + 1.0, cell_size * 1.15 * len(rows)))
    for row, (label, panels, titles) in enumerate(rows):
        for col, (panel, caption) in enumerate(zip(panels, titles)):
            ax = fig.add_subplot(len(rows), ncols, row * ncols + col + 1)
            ax.imshow(panel, cmap="viridis" if label != "input" else "gray")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(caption, fontsize="x-small")
            if col == 0:
                ax.set_ylabel(label, fontsize="small")
    fig.tight_layout()
    return fig


def top_inputs(activations: Any, k: int = 6) -> np.ndarray:
    """Indices of the `k` inputs that activate each unit most, strongest first.

    Spatial activations `(N, H, W, C)` are reduced to one score per input
    and channel by their maximum, i.e. "does this pattern appear anywhere".

    Args:
        activations: `(N, units)` or `(N, H, W, units)`.
        k: Inputs kept per unit (at most `N`).

    Returns:
        Integer array of shape `(units, k)`.

    Example:
        >>> import numpy as np
        >>> top_inputs(np.array([[0.0, 3.0], [2.0, 1.0], [1.0, 2.0]]), k=2).tolist()
        [[1, 2], [0, 2]]
    """
    scores = _scores(activations)
    k = _check_count("k", k, allow_none=False)
    if k > len(scores):
        raise ValueError(f"k must be at most the number of inputs ({len(scores)}); got {k}.")
    return np.argsort(-scores, axis=0, kind="stable")[:k].T


def _scores(activations: Any) -> np.ndarray:
    activations = _as_array("activations", activations, (2, 4))
    return activations.max(axis=(1, 2)) if activations.ndim == 4 else activations


def plot_top_inputs(
    images: Any,
    activations: Any,
    k: int = 6,
    units: Sequence[int] | None = None,
    labels: Any = None,
    title: str | None = None,
    cell_size: float = 0.9,
) -> Any:
    """For each unit, show the `k` inputs that activate it most (one row per unit).

    A data-driven view of what a deep unit responds to: if its top inputs
    share a stroke, a shape or a class, that is what the unit detects.

    Args:
        images: The inputs, `(N, H, W)` or `(N, H, W, 1 or 3)`.
        activations: The unit's responses to those inputs, `(N, units)` or
            `(N, H, W, units)` (reduced by the spatial maximum).
        k: Top inputs per unit.
        units: Which units (channel indices) to show (default: all).
        labels: Optional label per input, printed over each image.
        title: Figure title.
        cell_size: Inches per panel.

    Returns:
        A matplotlib `Figure` with `len(units) * k` axes.

    Raises:
        ValueError: `images` and `activations` disagree on `N`, `k` is too
            large, or a unit index is out of range.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> fig = plot_top_inputs(rng.random((20, 8, 8)), rng.random((20, 4, 4, 5)), k=3, units=[0, 2])
        >>> len(fig.axes)
        6
    """
    import matplotlib.pyplot as plt

    images = _as_array("images", images, (3, 4))
    scores = _scores(activations)
    if len(images) != len(scores):
        raise ValueError(f"images and activations must have the same number of inputs; "
                         f"got {len(images)} and {len(scores)}.")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"labels must have one entry per image ({len(images)}); got {len(labels)}.")
    if units is None:
        units = list(range(scores.shape[1]))
    units = list(units)
    bad = [u for u in units if isinstance(u, bool) or not isinstance(u, (int, np.integer))
           or not 0 <= u < scores.shape[1]]
    if bad or not units:
        raise ValueError(f"units must be a non-empty list of indices in [0, {scores.shape[1]}); got {units!r}.")
    order = top_inputs(scores, k)[units]

    fig = plt.figure(figsize=(cell_size * k + 0.8, cell_size * 1.1 * len(units) + (0.4 if title else 0.0)))
    for row, (unit, picks) in enumerate(zip(units, order)):
        for col, index in enumerate(picks):
            ax = fig.add_subplot(len(units), k, row * k + col + 1)
            ax.imshow(_as_image(images[index]), cmap="gray_r")
            ax.set_xticks([])
            ax.set_yticks([])
            if labels is not None:
                ax.set_title(str(labels[index]), fontsize="x-small", pad=2)
            if col == 0:
                ax.set_ylabel(f"unit {unit}", fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
