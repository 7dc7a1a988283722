"""TensorFlow Datasets as batched `tf.data` pipelines (needs the data, or the internet once).

Example:
    >>> from kerasdl.datasets import load
    >>> data = load("tfds:mnist", data_dir="~/tensorflow_datasets")  # doctest: +SKIP
    >>> data.num_outputs  # doctest: +SKIP
    10
"""

from __future__ import annotations

import os
from typing import Any

from kerasdl.datasets.base import StreamingDataset
from kerasdl.network import can_reach
from kerasdl.validation import check_positive_int

# Where TFDS fetches most datasets from; checked before a download starts.
DOWNLOAD_HOST = "storage.googleapis.com"


def load_tfds(
    name: str,
    splits: tuple[str, str] = ("train", "test"),
    data_dir: str | None = None,
    batch_size: int = 32,
    image_size: tuple[int, int] | None = None,
    shuffle_buffer: int = 1000,
    download: bool = True,
    seed: int = 0,
) -> StreamingDataset:
    """Load a TFDS dataset as shuffled, batched, prefetched `(x, y)` pipelines.

    If the data is already prepared under `data_dir` nothing is downloaded.
    Otherwise the download host is checked first, and on a machine without
    internet a `ConnectionError` says how to prepare the data elsewhere.

    Args:
        name: TFDS name, e.g. "mnist", "tf_flowers", "cats_vs_dogs".
        splits: Names of the training and evaluation splits; a TFDS slice
            such as `("train[:80%]", "train[80%:]")` works for datasets with
            a single split.
        data_dir: Where TFDS keeps prepared data (default `~/tensorflow_datasets`).
        batch_size: Examples per batch.
        image_size: Resize images to `(height, width)` (needed when sizes vary).
        shuffle_buffer: Shuffle buffer of the training pipeline.
        download: Allow downloading when the data is not prepared.
        seed: Shuffle seed.

    Returns:
        A `StreamingDataset`.

    Raises:
        ValueError: Unknown dataset name.
        ConnectionError: Data missing and the download host unreachable.

    Example:
        >>> load_tfds("tf_flowers", splits=("train[:80%]", "train[80%:]"), image_size=(160, 160))  # doctest: +SKIP
    """
    import tensorflow as tf
    import tensorflow_datasets as tfds

    batch_size = check_positive_int("batch_size", batch_size)
    data_dir = os.path.expanduser(data_dir) if data_dir else None
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except Exception as error:  # TFDS raises its own DatasetNotFoundError subclasses
        raise ValueError(f"TFDS has no dataset named {name!r} ({type(error).__name__}). "
                         "See the TFDS catalog for names, e.g. 'mnist', 'tf_flowers'.") from None
    if not builder.is_prepared():
        where = builder.data_dir
        if not download:
            raise FileNotFoundError(f"TFDS dataset {name!r} is not prepared in {where} and download=False.")
        if not can_reach(DOWNLOAD_HOST):
            raise ConnectionError(
                f"TFDS dataset {name!r} is not in {where}, and this machine cannot reach the internet to download "
                f"it. On a connected machine run:\n"
                f"    python -c \"import tensorflow_datasets as tfds; tfds.load('{name}', data_dir='DIR')\"\n"
                f"then copy DIR here and pass data_dir='DIR' (or copy it to ~/tensorflow_datasets)."
            )
        builder.download_and_prepare()

    info = builder.info
    label = info.features["label"]
    class_names = list(label.names) if hasattr(label, "names") else None
    num_classes = getattr(label, "num_classes", None) or 1
    image_key = next(iter(info.supervised_keys)) if info.supervised_keys else None
    shape = tuple(info.features[image_key].shape) if image_key else ()

    def prepare(x: Any, y: Any) -> tuple[Any, Any]:
        if image_size is not None:
            x = tf.image.resize(x, image_size)
        return tf.cast(x, tf.float32), y

    if image_size is not None:
        shape = (*image_size, shape[-1])
    pipelines = []
    for index, split in enumerate(splits):
        ds = builder.as_dataset(split=split, as_supervised=True, shuffle_files=index == 0)
        ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
        if index == 0:
            ds = ds.shuffle(shuffle_buffer, seed=seed)
        pipelines.append(ds.batch(batch_size).prefetch(tf.data.AUTOTUNE))
    task = "multiclass" if num_classes > 2 else "binary"
    return StreamingDataset(
        f"tfds:{name}", pipelines[0], pipelines[1] if len(pipelines) > 1 else None, task,
        num_classes if task == "multiclass" else 1, class_names, shape,
        f"TFDS {name} ({info.version}): {info.description.strip().splitlines()[0] if info.description else ''}",
    )
