"""Where a Transformer looks: self-attention maps drawn as heat maps, one per sequence and head.

The maps come from `kerasdl.models.attention_maps`; this module only draws
them, so any `(sequences, heads, queries, keys)` array of weights works.

Example:
    >>> import numpy as np
    >>> from kerasdl.plots import plot_attention
    >>> fig = plot_attention(np.full((1, 2, 4, 4), 0.25), tokens=np.array([[5, 1, 7, 2]]), mark=(1, 2))
    >>> [ax.get_title() for ax in fig.axes if ax.get_title()]
    ['sequence 1, head 1', 'sequence 1, head 2']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kerasdl.plots.features import _as_array


def plot_attention(
    maps: Any,
    tokens: Any = None,
    mark: Sequence[int] = (),
    titles: Sequence[str] | None = None,
    title: str | None = None,
) -> Any:
    """Draw attention weights: one panel per sequence (row) and head (column).

    In each panel row `i` is a query position and column `j` a key position;
    the colour is the weight query `i` gives key `j` (each row sums to 1).
    With `tokens`, the axes are labelled with the token ids, and the ids in
    `mark` are drawn in red so that the informative tokens stand out.

    Args:
        maps: Weights of shape `(sequences, heads, length, length)` (what
            `kerasdl.models.attention_maps` returns) or `(heads, length, length)`.
        tokens: Token ids of the sequences, shape `(sequences, length)`.
        mark: Token ids to highlight on the axes.
        titles: One title per sequence (default "sequence k").
        title: Figure title.

    Returns:
        A matplotlib `Figure` with one image axes per panel and a shared colour bar.

    Raises:
        ValueError: `maps` is not 3- or 4-dimensional or its last two axes
            differ, `tokens` does not match the maps, or `titles` has the
            wrong length.

    Example:
        >>> import numpy as np
        >>> fig = plot_attention(np.full((2, 1, 3, 3), 1 / 3), titles=["a", "b"])
        >>> [ax.get_title() for ax in fig.axes if ax.get_title()]
        ['a, head 1', 'b, head 1']
    """
    import matplotlib.pyplot as plt

    maps = _as_array("maps", maps, (3, 4))
    if maps.ndim == 3:
        maps = maps[None]
    count, heads, queries, keys = maps.shape
    if queries != keys:
        raise ValueError(f"maps must be self-attention weights (as many queries as keys); got shape {maps.shape}.")
    if tokens is not None:
        tokens = np.asarray(tokens)
        if tokens.ndim == 1:
            tokens = tokens[None]
        if tokens.shape != (count, keys):
            raise ValueError(f"tokens must have shape ({count}, {keys}) to match maps; got {tokens.shape}.")
    if titles is not None and len(titles) != count:
        raise ValueError(f"titles must have one entry per sequence ({count}); got {len(titles)}.")
    titles = list(titles) if titles is not None else [f"sequence {k + 1}" for k in range(count)]
    marked = {int(t) for t in mark}
    fig, axes = plt.subplots(count, heads, figsize=(3.2 * heads + 0.8, 3.2 * count), squeeze=False)
    top = float(maps.max())
    for k in range(count):
        for h in range(heads):
            ax = axes[k, h]
            image = ax.imshow(maps[k, h], cmap="viridis", vmin=0.0, vmax=top, interpolation="nearest")
            ax.set_title(f"{titles[k]}, head {h + 1}", fontsize=9)
            if tokens is None:
                ax.set_xticks([])
                ax.set_yticks([])
                continue
            labels = [str(int(t)) for t in tokens[k]]
            ax.set_xticks(range(keys), labels, fontsize=6, rotation=90)
            ax.set_yticks(range(keys), labels, fontsize=6)
            for tick in (*ax.get_xticklabels(), *ax.get_yticklabels()):
                if int(tick.get_text()) in marked:
                    tick.set_color("red")
                    tick.set_fontweight("bold")
            if k == count - 1:
                ax.set_xlabel("key position (token id)", fontsize=8)
            if h == 0:
                ax.set_ylabel("query position", fontsize=8)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="attention weight")
    if title:
        fig.suptitle(title)
    return fig
