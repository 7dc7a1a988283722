"""The containers `load()` returns.

Example:
    >>> import numpy as np
    >>> from kerasdl.datasets.base import Dataset
    >>> d = Dataset("toy", np.zeros((8, 2)), np.zeros(8), np.zeros((4, 2)), np.zeros(4), "binary", 1)
    >>> d.input_shape
    (2,)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


@dataclass
class Dataset:
    """In-memory train/test splits plus what a model needs to know about the task.

    The test split doubles as validation data in the tutorials
    (`fit(..., validation_data=data.validation)`); call `holdout()` when you
    want a validation split carved out of the training data instead.

    Attributes:
        name: Name passed to `load`.
        x_train, y_train, x_test, y_test: Numpy arrays (float32 inputs,
            int32 labels for classification, float32 targets for regression).
        task: "multiclass", "binary" or "regression".
        num_outputs: Units the output layer needs (classes, or 1).
        class_names: Label names for classification tasks.
        description: Where the data comes from and how it was prepared.

    Example:
        >>> from kerasdl.datasets import load
        >>> data = load("wine")
        >>> data.task, data.num_outputs, data.input_shape
        ('multiclass', 3, (13,))
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str
    num_outputs: int
    class_names: list[str] | None = None
    description: str = ""
    extras: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one example, without the batch axis."""
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def validation(self) -> tuple[np.ndarray, np.ndarray]:
        """`(x_test, y_test)`, ready for `fit(validation_data=...)`."""
        return self.x_test, self.y_test

    def subset(self, n_train: int, seed: int = 0) -> "Dataset":
        """Return a copy whose training split keeps only `n_train` examples.

        Classification subsets are stratified (every class keeps its share,
        at least one example each), so learning curves over training-set
        size compare like with like. The test split is unchanged.

        Example:
            >>> from kerasdl.datasets import load
            >>> load("digits").subset(100).x_train.shape
            (100, 8, 8, 1)
        """
        if isinstance(n_train, bool) or not isinstance(n_train, (int, np.integer)) or not 1 <= n_train <= len(self.x_train):
            raise ValueError(f"n_train must be an integer in [1, {len(self.x_train)}]; got {n_train!r}.")
        rng = np.random.default_rng(seed)
        if self.task == "regression":
            index = rng.choice(len(self.x_train), size=n_train, replace=False)
        else:
            index = _stratified_indices(self.y_train, n_train, rng)
        return replace(self, x_train=self.x_train[index], y_train=self.y_train[index])

    def holdout(self, fraction: float = 0.2, seed: int = 0) -> "Dataset":
        """Return a copy whose test split is a held-out part of the training split.

        Use it for model selection, so the real test split stays untouched.

        Example:
            >>> from kerasdl.datasets import load
            >>> d = load("wine").holdout(0.25)
            >>> len(d.x_train) + len(d.x_test) == len(load("wine").x_train)
            True
        """
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
            raise ValueError(f"fraction must be a number in (0, 1); got {fraction!r}.")
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(self.x_train))
        cut = max(1, int(round(len(order) * fraction)))
        val, train = order[:cut], order[cut:]
        return replace(self, x_train=self.x_train[train], y_train=self.y_train[train],
                       x_test=self.x_train[val], y_test=self.y_train[val])

    def __str__(self) -> str:
        classes = f", classes={self.class_names}" if self.class_names else ""
        return (f"Dataset {self.name!r}: train {self.x_train.shape}, test {self.x_test.shape}, "
                f"task={self.task}, num_outputs={self.num_outputs}{classes}")


@dataclass
class StreamingDataset:
    """Batched `tf.data` pipelines for data too large to hold as arrays (TFDS, image folders).

    Attributes:
        name: Where the data came from.
        train: A `tf.data.Dataset` of `(inputs, labels)` batches.
        test: The evaluation/validation pipeline, or None.
        task: "multiclass", "binary" or "regression".
        num_outputs: Units the output layer needs.
        class_names: Label names.
        input_shape: Shape of one example.
        description: Provenance.

    Example:
        >>> import tensorflow as tf
        >>> ds = tf.data.Dataset.from_tensor_slices(([[0.0]], [0])).batch(1)
        >>> StreamingDataset("toy", ds, None, "binary", 1, None, (1,)).input_shape
        (1,)
    """

    name: str
    train: Any
    test: Any
    task: str
    num_outputs: int
    class_names: list[str] | None
    input_shape: tuple[int, ...]
    description: str = ""

    @property
    def validation(self) -> Any:
        """The test/validation pipeline, for `fit(validation_data=...)`."""
        return self.test


def _stratified_indices(labels: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    labels = np.asarray(labels).reshape(-1)
    classes, counts = np.unique(labels, return_counts=True)
    ideal = counts / counts.sum() * n
    share = np.minimum(counts, np.maximum(1, np.floor(ideal).astype(int)))
    # Hand out what rounding left over to the classes that lost the largest fraction.
    while share.sum() < n:
        share[np.argmax(np.where(share < counts, ideal - share, -np.inf))] += 1
    while share.sum() > n:
        share[np.argmax(share)] -= 1
    chosen = [rng.choice(np.flatnonzero(labels == c), size=min(k, cnt), replace=False)
              for c, k, cnt in zip(classes, share, counts)]
    return rng.permutation(np.concatenate(chosen))
