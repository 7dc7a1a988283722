"""Tests for the feature figures: filters, feature maps, top inputs, image grids."""

from __future__ import annotations

import numpy as np
import pytest

from kerasdl.plots import plot_feature_maps, plot_filters, plot_image_grid, plot_top_inputs, top_inputs

pytestmark = pytest.mark.backend_neutral

RNG = np.random.default_rng(0)


def _image_of(ax) -> np.ndarray:
    return np.asarray(ax.get_images()[0].get_array())


# --- plot_image_grid -------------------------------------------------------

def test_image_grid_one_axes_per_image_and_titles():
    fig = plot_image_grid(RNG.random((7, 8, 8, 1)), titles=[str(i) for i in range(7)], ncols=3)
    assert len(fig.axes) == 7
    assert [ax.get_title() for ax in fig.axes] == [str(i) for i in range(7)]
    rows, cols = fig.axes[0].get_subplotspec().get_gridspec().get_geometry()
    assert (rows, cols) == (3, 3)


def test_image_grid_symmetric_scale_centres_on_zero():
    fig = plot_image_grid(np.array([[[-1.0, 3.0], [0.0, 0.5]]]), symmetric=True)
    assert fig.axes[0].get_images()[0].get_clim() == (-3.0, 3.0)


@pytest.mark.parametrize("bad", [np.zeros((8, 8)), np.zeros((2, 8, 8, 2)), np.zeros((0, 8, 8))])
def test_image_grid_rejects_bad_shapes(bad):
    with pytest.raises(ValueError, match="images"):
        plot_image_grid(bad)


def test_image_grid_rejects_wrong_number_of_titles():
    with pytest.raises(ValueError, match="titles"):
        plot_image_grid(np.zeros((3, 4, 4)), titles=["a"])


def test_image_grid_rejects_non_numeric():
    with pytest.raises(TypeError, match="images"):
        plot_image_grid([["a", "b"]])


# --- plot_filters ----------------------------------------------------------

def test_filters_one_panel_per_filter_showing_that_filter():
    kernel = RNG.normal(size=(3, 3, 1, 5))
    fig = plot_filters(kernel)
    assert len(fig.axes) == 5
    np.testing.assert_allclose(_image_of(fig.axes[2]), kernel[:, :, 0, 2], rtol=1e-6)
    low, high = fig.axes[2].get_images()[0].get_clim()
    assert low == pytest.approx(-high)


def test_filters_max_filters_and_three_dim_kernel():
    fig = plot_filters(np.ones((5, 5, 12)), max_filters=4, ncols=2)
    assert [ax.get_title() for ax in fig.axes] == ["filter 1", "filter 2", "filter 3", "filter 4"]


def test_filters_rgb_kernels_rescaled_to_unit_range():
    fig = plot_filters(RNG.normal(size=(3, 3, 3, 2)))
    image = _image_of(fig.axes[0])
    assert image.shape == (3, 3, 3)
    assert image.min() == pytest.approx(0.0) and image.max() == pytest.approx(1.0)


def test_filters_many_input_channels_are_averaged():
    kernel = RNG.normal(size=(3, 3, 4, 2))
    fig = plot_filters(kernel)
    np.testing.assert_allclose(_image_of(fig.axes[1]), kernel[..., 1].mean(axis=-1), rtol=1e-5)


@pytest.mark.parametrize("bad", [np.zeros((3, 3)), np.zeros((1, 3, 3, 1, 4))])
def test_filters_rejects_wrong_rank(bad):
    with pytest.raises(ValueError, match="kernel"):
        plot_filters(bad)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_filters_rejects_bad_max_filters(bad):
    with pytest.raises(ValueError, match="max_filters"):
        plot_filters(np.ones((3, 3, 1, 4)), max_filters=bad)


# --- plot_feature_maps -----------------------------------------------------

def test_feature_maps_one_row_per_layer_capped_channels():
    maps = [RNG.random((1, 8, 8, 16)), RNG.random((4, 4, 3))]
    fig = plot_feature_maps(maps, names=["block 1", "block 2"], max_channels=5)
    assert len(fig.axes) == 5 + 3
    assert fig.axes[0].get_ylabel().startswith("block 1")
    assert fig.axes[5].get_ylabel().startswith("block 2")
    assert _image_of(fig.axes[5]).shape == (4, 4)


def test_feature_maps_with_input_image_adds_a_row():
    fig = plot_feature_maps([RNG.random((8, 8, 2))], image=RNG.random((8, 8, 1)))
    assert len(fig.axes) == 1 + 2
    assert fig.axes[0].get_ylabel() == "input"
    assert fig.axes[1].get_ylabel().startswith("layer 1")


def test_feature_maps_title_reports_channel_peak():
    fmap = np.zeros((4, 4, 1))
    fmap[1, 2, 0] = 2.5
    fig = plot_feature_maps([fmap])
    assert fig.axes[0].get_title() == "ch 1, max 2.5"


@pytest.mark.parametrize(
    ("maps", "kwargs", "error", "match"),
    [
        ([], {}, TypeError, "feature_maps"),
        (np.zeros((8, 8, 4)), {}, TypeError, "feature_maps"),
        ([np.zeros((8, 8))], {}, ValueError, r"feature_maps\[0\]"),
        ([np.zeros((2, 8, 8, 4))], {}, ValueError, "one example"),
        ([np.zeros((8, 8, 4))], {"names": ["a", "b"]}, ValueError, "names"),
        ([np.zeros((8, 8, 4))], {"max_channels": 0}, ValueError, "max_channels"),
    ],
)
def test_feature_maps_rejects_bad_input(maps, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_feature_maps(maps, **kwargs)


# --- top_inputs / plot_top_inputs ------------------------------------------

def test_top_inputs_orders_by_spatial_maximum():
    acts = np.zeros((4, 2, 2, 2))
    acts[2, 0, 1, 0] = 5.0
    acts[0, 1, 1, 0] = 3.0
    acts[3, 0, 0, 1] = 1.0
    order = top_inputs(acts, k=2)
    assert order.shape == (2, 2)
    assert order[0].tolist() == [2, 0]
    assert order[1][0] == 3


def test_top_inputs_rejects_k_larger_than_inputs():
    with pytest.raises(ValueError, match="k must be at most"):
        top_inputs(np.zeros((3, 2)), k=4)


def test_plot_top_inputs_grid_and_labels():
    images = RNG.random((10, 8, 8, 1))
    acts = np.arange(30, dtype=float).reshape(10, 3)
    fig = plot_top_inputs(images, acts, k=4, units=[0, 2], labels=[f"y{i}" for i in range(10)])
    assert len(fig.axes) == 2 * 4
    # Activations grow with the input index, so input 9 is every unit's strongest.
    assert fig.axes[0].get_title() == "y9"
    assert fig.axes[4].get_ylabel() == "unit 2"
    np.testing.assert_allclose(_image_of(fig.axes[0]), images[9, ..., 0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"activations": np.zeros((9, 3))}, "same number of inputs"),
        ({"units": [3]}, "units"),
        ({"units": []}, "units"),
        ({"labels": [1, 2]}, "labels"),
        ({"k": 0}, "k must be"),
        ({"activations": np.zeros((10, 3, 3))}, "activations"),
    ],
)
def test_plot_top_inputs_rejects_bad_input(kwargs, match):
    arguments = {"images": np.zeros((10, 8, 8)), "activations": np.zeros((10, 3)), **kwargs}
    with pytest.raises(ValueError, match=match):
        plot_top_inputs(**arguments)
