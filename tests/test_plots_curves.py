"""Tests for learning curves over training-set size (kerasdl.plots.curves)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from kerasdl.plots import interval_per_size, plot_learning_curve  # noqa: E402
from scipy import stats  # noqa: E402

pytestmark = pytest.mark.backend_neutral


def test_interval_per_size_matches_scipy_t_interval():
    runs = [[0.5, 0.7, 0.6], [0.9, 0.9, 0.9], [0.1, 0.4, 0.3]]
    mean, low, high = interval_per_size(runs)
    np.testing.assert_allclose(mean, np.mean(runs, axis=1))
    for row, lo, hi in zip(runs, low, high):
        if np.std(row) > 0:
            ref = stats.t.interval(0.95, len(row) - 1, loc=np.mean(row), scale=stats.sem(row))
            np.testing.assert_allclose([lo, hi], ref, atol=1e-12)
        else:
            assert lo == hi == row[0]


def test_interval_per_size_accepts_a_single_run():
    mean, low, high = interval_per_size([0.2, 0.4])
    np.testing.assert_allclose(mean, [0.2, 0.4])
    np.testing.assert_allclose(low, mean) and np.testing.assert_allclose(high, mean)


def test_one_line_and_band_per_model_with_the_means_plotted():
    sizes = [10, 100, 1000]
    scores = {"mlp": [[0.6, 0.8], [0.8, 0.9], [0.95, 0.97]], "forest": [0.7, 0.85, 0.9]}
    fig = plot_learning_curve(sizes, scores, title="digits")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["mlp", "forest"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.7, 0.85, 0.96])
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), sizes)
    assert len(ax.collections) == 2  # one interval band per model
    assert ax.get_xscale() == "log"
    assert ax.get_title() == "digits"


def test_draws_into_a_given_axes():
    fig, axes = plt.subplots(1, 2)
    returned = plot_learning_curve(np.array([5, 10]), {"a": [0.1, 0.2]}, ax=axes[1], log_x=False)
    assert returned is fig
    assert len(axes[1].get_lines()) == 1 and not axes[0].get_lines()
    assert axes[1].get_xscale() == "linear"


@pytest.mark.parametrize(
    ("sizes", "scores", "error", "match"),
    [
        ([], {"a": []}, TypeError, "sizes"),
        ([10, 0], {"a": [0.1, 0.2]}, ValueError, r"sizes\[1\]"),
        ([10, 20], {}, TypeError, "scores"),
        ([10, 20], {"a": [0.1, 0.2, 0.3]}, ValueError, r"scores\['a'\] has 3 rows"),
    ],
)
def test_bad_arguments_name_the_parameter(sizes, scores, error, match):
    with pytest.raises(error, match=match):
        plot_learning_curve(sizes, scores)
