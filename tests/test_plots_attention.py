"""plot_attention: one panel per sequence and head, the marked tokens in red, clear errors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from kerasdl.plots import plot_attention

pytestmark = pytest.mark.backend_neutral


def _maps(count: int, heads: int, length: int) -> np.ndarray:
    logits = np.random.default_rng(0).normal(size=(count, heads, length, length))
    return np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)


def test_panels_titles_and_marked_tokens():
    tokens = np.array([[4, 1, 9, 2, 5], [2, 6, 1, 7, 8]])
    fig = plot_attention(_maps(2, 3, 5), tokens=tokens, mark=(1, 2), title="where it looks")
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == [f"sequence {k}, head {h}" for k in (1, 2) for h in (1, 2, 3)]
    first = panels[0]
    red = [t.get_text() for t in first.get_xticklabels() if t.get_color() == "red"]
    assert red == ["1", "2"]  # only the marked ids, in their positions' order
    assert [t.get_text() for t in first.get_yticklabels()] == ["4", "1", "9", "2", "5"]
    image = first.get_images()[0]
    np.testing.assert_allclose(image.get_array(), _maps(2, 3, 5)[0, 0])
    assert fig._suptitle.get_text() == "where it looks"
    plt.close(fig)


def test_one_sequence_without_tokens():
    fig = plot_attention(_maps(1, 2, 4)[0])  # (heads, length, length)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == 2 and not panels[0].get_xticks().size
    plt.close(fig)


@pytest.mark.parametrize("kwargs,match", [
    ({"maps": np.ones((2, 3))}, "3 or 4 dimensions"),
    ({"maps": np.ones((1, 1, 3, 4))}, "as many queries as keys"),
    ({"tokens": np.ones((2, 4), int)}, r"tokens must have shape \(1, 5\)"),
    ({"titles": ["a", "b"]}, "one entry per sequence"),
])
def test_bad_arguments(kwargs, match):
    call = {"maps": _maps(1, 1, 5), **kwargs}
    with pytest.raises(ValueError, match=match):
        plot_attention(**call)
