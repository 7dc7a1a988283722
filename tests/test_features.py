"""Hand-engineered HOG features: the wrapper against scikit-image itself, shapes, and errors."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.feature import hog

from kerasdl import datasets


def _digits(n=3, side=28, seed=0):
    return np.random.default_rng(seed).random((n, side, side)).astype("float32")


def test_features_equal_scikit_image_one_image_at_a_time():
    images = _digits()
    reference = np.stack([hog(image, orientations=9, pixels_per_cell=(7, 7), cells_per_block=(2, 2),
                              block_norm="L2-Hys") for image in images])
    features = datasets.hog_features(images)
    assert features.shape == (3, 324) and features.dtype == np.float32
    np.testing.assert_allclose(features, reference, rtol=1e-6, atol=1e-7)


def test_every_image_layout_gives_the_same_features():
    images = _digits()
    expected = datasets.hog_features(images)
    for layout in (images[..., None], images.reshape(3, -1), images.tolist()):
        np.testing.assert_array_equal(datasets.hog_features(layout), expected)
    wide = np.random.default_rng(1).random((2, 14, 28))
    np.testing.assert_array_equal(datasets.hog_features(wide.reshape(2, -1), image_shape=(14, 28)),
                                  datasets.hog_features(wide))
    assert datasets.hog_features(np.zeros((0, 784))).shape == (0, 324)


def test_stroke_directions_land_in_their_bins():
    # Vertical stripes change along the rows' direction (gradient at 0 degrees), horizontal
    # ones at 90 degrees: bin 0 and bin 4 of 9 bins of 20 degrees.
    stripes = np.tile([0.0, 0.0, 1.0, 1.0], (28, 7))
    cells = datasets.hog_features(np.stack([stripes, stripes.T]), cells_per_block=1).reshape(2, 16, 9)
    assert (cells[0].argmax(axis=1) == 0).all() and (cells[1].argmax(axis=1) == 4).all()


def test_inside_a_scikit_learn_pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    stripes = np.tile([0.0, 0.0, 1.0, 1.0], (28, 7))
    rng = np.random.default_rng(0)
    x = np.stack([stripes if i % 2 else stripes.T for i in range(20)]) + 0.05 * rng.random((20, 28, 28))
    y = np.arange(20) % 2
    model = make_pipeline(FunctionTransformer(datasets.hog_features), LogisticRegression())
    assert model.fit(x.reshape(20, -1), y).score(x.reshape(20, -1), y) == 1.0


def test_picture_is_scaled_and_runs_along_the_strokes():
    vertical = np.tile([0.0, 0.0, 1.0, 1.0], (28, 7))  # stripes down the image: vertical edges
    for stripes, along_rows in ((vertical, True), (vertical.T, False)):
        picture = datasets.hog_picture(stripes[..., None], scale=4)
        assert picture.shape == (112, 112)
        centre_column, centre_row = picture[:, 14::28].sum(), picture[14::28, :].sum()
        assert (centre_column > 3 * centre_row) if along_rows else (centre_row > 3 * centre_column)
    assert datasets.hog_picture(np.zeros((28, 28)), scale=1).shape == (28, 28)
    assert not datasets.hog_picture(np.zeros((28, 28))).any()


def test_picture_line_ends_carry_scikit_images_cell_histograms():
    image = _digits()[1].astype("float64")
    cells = hog(image, orientations=9, pixels_per_cell=(7, 7), cells_per_block=(1, 1),
                feature_vector=False)[:, :, 0, 0, :]
    picture = datasets.hog_picture(image, scale=4)
    side, reach = 28, 0.9 * 27 / 2
    for o in range(9):
        angle = np.pi * (o + 0.5) / 9
        tip = np.rint([reach * np.cos(angle), -reach * np.sin(angle)]).astype(int)
        for i in range(4):
            for j in range(4):
                r, c = i * side + 14 + tip[0], j * side + 14 + tip[1]
                np.testing.assert_allclose(picture[r, c], cells[i, j, o], atol=1e-12)


def test_picture_scale_must_be_a_positive_integer():
    for bad in (0, 2.0, True):
        with pytest.raises(ValueError, match=f"scale must be an integer >= 1; got {bad!r}"):
            datasets.hog_picture(np.zeros((28, 28)), scale=bad)


@pytest.mark.parametrize("kwargs, match", [
    ({"orientations": 1}, "orientations must be an integer >= 2; got 1"),
    ({"orientations": True}, "orientations must be an integer"),
    ({"pixels_per_cell": 2.5}, "pixels_per_cell must be an integer >= 2; got 2.5"),
    ({"cells_per_block": 0}, "cells_per_block must be an integer >= 1; got 0"),
    ({"pixels_per_cell": 20}, "at least pixels_per_cell \\* cells_per_block = 40 pixels"),
    ({"image_shape": (10, 10)}, "image_shape must be \\(height, width\\) with height \\* width = 784"),
])
def test_bad_arguments_name_the_parameter(kwargs, match):
    images = _digits().reshape(3, -1)
    with pytest.raises(ValueError, match=match):
        datasets.hog_features(images, **kwargs)


@pytest.mark.parametrize("images, match", [
    (np.zeros((2, 780)), "not square; pass image_shape"),
    (np.zeros((2, 28, 28, 3)), "images must be grey"),
    (np.zeros(28), "images must be grey"),
])
def test_images_of_the_wrong_shape_are_refused(images, match):
    with pytest.raises(ValueError, match=match):
        datasets.hog_features(images)
    with pytest.raises(ValueError):
        datasets.hog_picture(images[0] if images.ndim > 1 else images)
