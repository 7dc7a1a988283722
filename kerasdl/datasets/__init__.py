"""Datasets for the tutorials: real data bundled with installed packages, generated tasks, TFDS.

`load(name)` returns a `Dataset` of numpy splits plus task metadata; names
starting with `tfds:` return a `StreamingDataset` of `tf.data` pipelines.

Example:
    >>> from kerasdl.datasets import load
    >>> data = load("digits")
    >>> data.x_train.shape, data.num_outputs
    ((1347, 8, 8, 1), 10)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerasdl.datasets import builtin, generated
from kerasdl.datasets.base import Dataset, StreamingDataset
from kerasdl.datasets.images import ImageFolder, image_folder

_BUILTIN: dict[str, Callable[..., Dataset]] = {
    "digits": builtin.digits,
    "digits_flat": lambda **kw: builtin.digits(flat=True, **kw),
    "breast_cancer": builtin.breast_cancer,
    "wine": builtin.wine,
    "moons": generated.moons,
    "spirals": generated.spirals,
    "waveforms": generated.waveforms,
    "token_order": generated.token_order,
}


def available() -> list[str]:
    """Names `load` accepts offline (plus any `tfds:<name>`).

    Example:
        >>> "digits" in available()
        True
    """
    return sorted(_BUILTIN)


def load(name: str, seed: int = 0, **kwargs: Any) -> Dataset | StreamingDataset:
    """Load a dataset by name.

    Args:
        name: One of `available()`, or `"tfds:<tfds name>"` (see
            `kerasdl.datasets.tfds.load_tfds` for its keyword arguments).
        seed: Seed of the train/test split (and of generated data).
        **kwargs: Passed to the loader, e.g. `test_size=0.3`,
            `n_samples=500` for generated sets.

    Returns:
        A `Dataset` (numpy splits) or, for TFDS, a `StreamingDataset`.

    Raises:
        ValueError: An unknown name; the message lists the available ones.

    Example:
        >>> load("breast_cancer").input_shape
        (30,)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a dataset name (str); got {name!r} ({type(name).__name__}).")
    if name.startswith("tfds:"):
        from kerasdl.datasets.tfds import load_tfds

        return load_tfds(name[len("tfds:"):], seed=seed, **kwargs)
    loader = _BUILTIN.get(name.lower())
    if loader is None:
        raise ValueError(f"Unknown dataset {name!r}. Available offline: {available()}; "
                         "or 'tfds:<name>' for TensorFlow Datasets.")
    try:
        return loader(seed=seed, **kwargs)
    except TypeError as error:
        raise TypeError(f"load({name!r}): {error}") from None


__all__ = ["Dataset", "ImageFolder", "StreamingDataset", "available", "image_folder", "load"]
