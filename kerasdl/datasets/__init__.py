"""Datasets for the tutorials: real data bundled with installed packages, generated tasks, TFDS.

`load(name)` returns a `Dataset` of numpy splits plus task metadata; names
starting with `tfds:` return a `StreamingDataset` of `tf.data` pipelines.

Example:
    >>> from kerasdl.datasets import load
    >>> data = load("digits")
    >>> data.x_train.shape, data.num_outputs
    ((1078, 8, 8, 1), 10)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from kerasdl.datasets import builtin, generated, glyphs, real_images
from kerasdl.datasets.base import Dataset, StreamingDataset
from kerasdl.datasets.features import hog_features, hog_picture
from kerasdl.datasets.gratings import OrientationTuning, grating, orientation_tuning
from kerasdl.datasets.images import ImageFolder, image_folder
from kerasdl.datasets.real_images import Photo, PackageDataMissingError, photo_patches, photos, zca_whiten

_BUILTIN: dict[str, Callable[..., Dataset]] = {
    "digits": builtin.digits,
    "digits_flat": lambda **kw: builtin.digits(flat=True, **kw),
    "breast_cancer": builtin.breast_cancer,
    "mnist": lambda seed=0, source="package", **kw: real_images.load_source("mnist", source, seed, **kw),
    "faces": real_images.faces,
    "wine": builtin.wine,
    "moons": generated.moons,
    "spirals": generated.spirals,
    "waveforms": generated.waveforms,
    "token_order": generated.token_order,
    "glyphs": glyphs.glyph_images,
}


def available() -> list[str]:
    """Names `load` accepts offline (plus any `tfds:<name>`).

    Example:
        >>> "digits" in available()
        True
    """
    return sorted(_BUILTIN)


def load(name: str, seed: int = 0, validation_size: float = 0.2, **kwargs: Any) -> Dataset | StreamingDataset:
    """Load a dataset by name, as train / validation / test splits.

    Args:
        name: One of `available()`, or `"tfds:<tfds name>"` (see
            `kerasdl.datasets.tfds.load_tfds` for its keyword arguments).
        seed: Seed of the splits (and of generated data).
        validation_size: Share of the training data held out as the
            validation split (stratified for classification). 0 gives the
            old two-way train/test split. Not used for TFDS names.
        **kwargs: Passed to the loader, e.g. `test_size=0.3`,
            `n_samples=500` for generated sets, `n=100_000, classes=10`
            for `"glyphs"` (see `kerasdl.datasets.glyphs.glyph_images`).

    Returns:
        A `Dataset` (numpy splits) or, for TFDS, a `StreamingDataset`.

    Raises:
        ValueError: An unknown name; the message lists the available ones.

    Example:
        >>> data = load("breast_cancer")
        >>> data.input_shape, len(data.x_train), len(data.x_val), len(data.x_test)
        ((30,), 341, 85, 143)
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
    if isinstance(validation_size, bool) or not isinstance(validation_size, (int, float)) \
            or not 0 <= validation_size < 1:
        raise ValueError(f"validation_size must be a number in [0, 1); got {validation_size!r}.")
    # Loaders that scale features carve the validation split themselves, before scaling.
    carves = "validation_size" in inspect.signature(loader).parameters
    try:
        data = loader(seed=seed, **({"validation_size": validation_size} if carves else {}), **kwargs)
    except TypeError as error:
        raise TypeError(f"load({name!r}): {error}") from None
    if carves or not validation_size or not isinstance(data, Dataset):
        return data
    return data.split_validation(validation_size, seed=seed)


__all__ = ["Dataset", "ImageFolder", "OrientationTuning", "PackageDataMissingError", "Photo", "StreamingDataset",
           "available", "grating", "hog_features", "hog_picture", "image_folder", "load", "orientation_tuning",
           "photo_patches", "photos", "zca_whiten"]
