"""The containers `load()` returns.

Example:
    >>> import numpy as np
    >>> from kerasdl.datasets.base import Dataset
    >>> d = Dataset("toy", np.zeros((8, 2)), np.zeros(8), np.zeros((4, 2)), np.zeros(4), "binary", 1)
    >>> d.input_shape, d.split_validation(0.25).x_val.shape
    ((2,), (2, 2))
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


@dataclass
class Dataset:
    """In-memory train / validation / test splits plus what a model needs to know about the task.

    Three splits, three jobs: a model learns from the *training* split; the
    *validation* split (carved from the training data, stratified, fixed by
    the seed) chooses the epoch, the setting or the model
    (`fit(..., validation_data=data.validation)`); the *test* split
    (`data.test`) is read once per final model, to report how it does on
    data nothing was tuned on.

    `load(name, validation_size=0)` gives the old two-way split (no
    validation arrays; `data.validation` then raises and says why).

    Attributes:
        name: Name passed to `load`.
        x_train, y_train, x_test, y_test: Numpy arrays (float32 inputs,
            int32 labels for classification, float32 targets for regression).
        x_val, y_val: The validation split, or None for a two-way split.
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
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one example, without the batch axis."""
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def validation(self) -> tuple[np.ndarray, np.ndarray]:
        """`(x_val, y_val)`, ready for `fit(validation_data=...)`.

        Raises:
            ValueError: The dataset was loaded without a validation split.
        """
        if self.x_val is None or self.y_val is None:
            raise ValueError(f"Dataset {self.name!r} has no validation split (it was loaded with "
                             "validation_size=0). Carve one with data.split_validation(0.2); the test "
                             "split must not stand in for it, or model selection reads the test set.")
        return self.x_val, self.y_val

    @property
    def test(self) -> tuple[np.ndarray, np.ndarray]:
        """`(x_test, y_test)`: read it once per final model, never to choose one."""
        return self.x_test, self.y_test

    def split_validation(self, fraction: float = 0.2, seed: int = 0) -> "Dataset":
        """Return a copy with a validation split carved from the training split.

        Classification splits are stratified (each class keeps its share).
        An existing validation split is first merged back into training, so
        calling this twice does not shrink the training data twice. The test
        split is unchanged. `fraction=0` gives a two-way split.

        Example:
            >>> from kerasdl.datasets import load
            >>> d = load("wine", validation_size=0).split_validation(0.25)
            >>> len(d.x_train), len(d.x_val), len(d.x_test)
            (100, 33, 45)
        """
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction < 1:
            raise ValueError(f"validation_size must be a number in [0, 1); got {fraction!r}.")
        x, y = self.x_train, self.y_train
        if self.x_val is not None and self.y_val is not None:
            x, y = np.concatenate([x, self.x_val]), np.concatenate([self.y_train, self.y_val])
        if fraction == 0:
            return replace(self, x_train=x, y_train=y, x_val=None, y_val=None)
        n_val = max(1, int(round(len(x) * fraction)))
        if n_val >= len(x):
            raise ValueError(f"validation_size={fraction!r} leaves no training examples out of {len(x)}.")
        rng = np.random.default_rng(seed)
        if self.task == "regression":
            val = rng.choice(len(x), size=n_val, replace=False)
        else:
            val = _stratified_indices(y, n_val, rng)
        train = np.setdiff1d(np.arange(len(x)), val)
        train = train[rng.permutation(len(train))]
        return replace(self, x_train=x[train], y_train=y[train], x_val=x[val], y_val=y[val])

    def subset(self, n_train: int, seed: int = 0) -> "Dataset":
        """Return a copy whose training split keeps only `n_train` examples.

        Classification subsets are stratified (every class keeps its share,
        at least one example each), so learning curves over training-set
        size compare like with like. The validation and test splits are unchanged.

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

        The copy has no validation split. Prefer `split_validation` (what
        `load` does by default): it keeps the real test split and adds a
        validation split beside it.

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
                       x_test=self.x_train[val], y_test=self.y_train[val], x_val=None, y_val=None)

    def __str__(self) -> str:
        classes = f", classes={self.class_names}" if self.class_names else ""
        val = f", validation {self.x_val.shape}" if self.x_val is not None else ", no validation split"
        return (f"Dataset {self.name!r}: train {self.x_train.shape}{val}, test {self.x_test.shape}, "
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
