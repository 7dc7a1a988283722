"""Hand-engineered image features: what classical machine learning is given instead of pixels.

Before deep learning, an image classifier was rarely trained on raw pixels.
An engineer first turned each image into numbers that were expected to
matter: for handwritten digits, which way the strokes run in each part of the
image. A histogram of oriented gradients (HOG, Dalal and Triggs 2005) does
that: it splits the image into cells, measures the direction and strength of
the brightness gradient at every pixel and counts, per cell, how much
gradient points in each of a few directions; neighbouring cells are
normalised together so that contrast does not matter. The counts, not the
pixels, go to the classifier.

`hog_features` computes them (scikit-image's `skimage.feature.hog`, one image
at a time) for a whole array of images, flat or not, so that it fits in a
scikit-learn pipeline:

    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = make_pipeline(FunctionTransformer(hog_features), LogisticRegression())
    >>> hog_features(np.zeros((2, 28, 28))).shape
    (2, 324)
"""

from __future__ import annotations

import math

import numpy as np


def hog_features(
    images: np.ndarray,
    orientations: int = 9,
    pixels_per_cell: int = 7,
    cells_per_block: int = 2,
    image_shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """Histogram-of-oriented-gradients features of grey images, one row per image.

    Args:
        images: Grey images as `(n, height, width)`, `(n, height, width, 1)`
            or flattened `(n, height * width)` (square unless `image_shape`
            says otherwise), in any value range.
        orientations: Direction bins per cell (gradient directions 0-180
            degrees, so a stroke and its mirror count alike).
        pixels_per_cell: Side of a square cell in pixels.
        cells_per_block: Side of the square block of cells normalised
            together (L2-Hys, as Dalal and Triggs).
        image_shape: `(height, width)` of flattened images that are not square.

    Returns:
        float32 array `(n, features)`; for 28x28 images and the defaults 324
        features (3 x 3 block positions x 2 x 2 cells x 9 directions).

    Raises:
        ValueError: An argument out of range, images that are not grey, or
            images smaller than one block.

    Example:
        >>> import numpy as np
        >>> stripes = np.tile([0.0, 0.0, 1.0, 1.0], (28, 7))  # vertical stripes, 2 pixels wide
        >>> cells = hog_features(np.stack([stripes, stripes.T]), cells_per_block=1).reshape(2, 16, 9)
        >>> cells.argmax(axis=2)[:, 0].tolist()  # strongest direction bin of the first cell
        [0, 4]
    """
    from skimage.feature import hog

    for name, value, low in (("orientations", orientations, 2), ("pixels_per_cell", pixels_per_cell, 2),
                             ("cells_per_block", cells_per_block, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
    grey = _grey_images(images, image_shape)
    block = pixels_per_cell * cells_per_block
    if min(grey.shape[1:]) < block:
        raise ValueError(f"images must be at least pixels_per_cell * cells_per_block = {block} pixels on each "
                         f"side; got {grey.shape[1]}x{grey.shape[2]}.")
    options = {"orientations": int(orientations), "pixels_per_cell": (pixels_per_cell,) * 2,
               "cells_per_block": (cells_per_block,) * 2, "block_norm": "L2-Hys", "feature_vector": True}
    if len(grey) == 0:
        return np.zeros((0, hog(np.zeros(grey.shape[1:]), **options).size), dtype="float32")
    return np.stack([hog(image, **options) for image in grey]).astype("float32")


def _grey_images(images: np.ndarray, image_shape: tuple[int, int] | None) -> np.ndarray:
    """`images` as a float array (n, height, width), or a ValueError saying what shape was expected."""
    x = np.asarray(images, dtype="float64")
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim == 2:
        side = math.isqrt(x.shape[1])
        if image_shape is not None:
            if (not isinstance(image_shape, (tuple, list)) or len(image_shape) != 2
                    or int(np.prod(image_shape)) != x.shape[1]):
                raise ValueError(f"image_shape must be (height, width) with height * width = {x.shape[1]} "
                                 f"(the length of each flattened image); got {image_shape!r}.")
            return x.reshape(len(x), *image_shape)
        if side * side != x.shape[1]:
            raise ValueError(f"flattened images of {x.shape[1]} values are not square; pass image_shape="
                             "(height, width).")
        return x.reshape(len(x), side, side)
    if x.ndim != 3:
        raise ValueError("images must be grey: (n, height, width), (n, height, width, 1) or flattened "
                         f"(n, height * width); got shape {np.shape(images)}.")
    return x


def hog_picture(image: np.ndarray, orientations: int = 9, pixels_per_cell: int = 7,
                scale: int = 4) -> np.ndarray:
    """A picture of one image's HOG cells: in each cell, a star of lines, one per direction bin.

    Each line runs through the cell's centre along the edge direction of its
    bin (at right angles to the gradient, as scikit-image draws it) and is as
    bright as that bin is strong, so the picture shows which way the strokes
    run where: what a classifier given these features gets to see instead of
    the pixels. The picture is `scale` times the image's size, so that the
    stars of 7-pixel cells can be seen; the two ends of each line carry
    exactly the value of its bin (one-cell blocks, L2-Hys normalised).

    Args:
        image: One grey image, `(height, width)` or `(height, width, 1)`.
        orientations: Direction bins per cell, as in `hog_features`.
        pixels_per_cell: Side of a cell in pixels, as in `hog_features`.
        scale: Picture pixels per image pixel, an integer >= 1.

    Returns:
        float array `(cells_down * pixels_per_cell * scale, cells_across *
        pixels_per_cell * scale)`: the image's size times `scale` where the
        cells tile the image.

    Example:
        >>> import numpy as np
        >>> hog_picture(np.zeros((28, 28))).shape
        (112, 112)
    """
    from skimage.feature import hog

    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 1:
        raise ValueError(f"scale must be an integer >= 1; got {scale!r}.")
    grey = _grey_images(np.asarray(image)[None], None)[0]
    hog_features(grey[None], orientations=orientations, pixels_per_cell=pixels_per_cell,
                 cells_per_block=1)  # the same argument checks and errors
    cells = hog(grey, orientations=orientations, pixels_per_cell=(pixels_per_cell,) * 2,
                cells_per_block=(1, 1), feature_vector=False)[:, :, 0, 0, :]
    side = pixels_per_cell * int(scale)
    picture = np.zeros((cells.shape[0] * side, cells.shape[1] * side))
    # Bin o holds gradients around angle pi (o + 1/2) / orientations (rows down, columns
    # right); its edge runs at right angles to that: direction (cos, -sin) in (row, column).
    angles = np.pi * (np.arange(orientations) + 0.5) / orientations
    reach = np.linspace(-1.0, 1.0, 4 * side + 1) * (side - 1) / 2 * 0.9
    for o, angle in enumerate(angles):
        d_row, d_col = np.rint(np.outer(reach, [np.cos(angle), -np.sin(angle)])).astype(int).T
        for i in range(cells.shape[0]):
            for j in range(cells.shape[1]):
                rows = i * side + side // 2 + d_row
                cols = j * side + side // 2 + d_col
                picture[rows, cols] = np.maximum(picture[rows, cols], cells[i, j, o])
    return picture
