"""Real datasets that ship inside scikit-learn, so they load offline.

Example:
    >>> from kerasdl.datasets.builtin import digits
    >>> digits().x_train.shape
    (1347, 8, 8, 1)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kerasdl.datasets.base import Dataset


def _split(x: np.ndarray, y: np.ndarray, test_size: float, seed: int, stratify: bool = True):
    from sklearn.model_selection import train_test_split

    return train_test_split(x, y, test_size=test_size, random_state=seed, stratify=y if stratify else None)


def _standardised(data: Dataset, validation_size: float, seed: int) -> Dataset:
    # Carve the validation split first, then standardise every split with the statistics of
    # the training split alone, so nothing leaks from validation or test into training.
    data = data.split_validation(validation_size, seed=seed)
    mean, std = data.x_train.mean(axis=0), data.x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    scale = lambda x: None if x is None else ((x - mean) / std).astype("float32")  # noqa: E731
    return replace(data, x_train=scale(data.x_train), x_val=scale(data.x_val), x_test=scale(data.x_test))


def digits(seed: int = 0, test_size: float = 0.25, flat: bool = False) -> Dataset:
    """The UCI handwritten digits bundled with scikit-learn: 1,797 images of 8x8 pixels.

    Pixel intensities (0-16) are scaled to [0, 1]. Images have shape
    `(8, 8, 1)`, or `(64,)` with `flat=True`.

    Example:
        >>> digits(flat=True).input_shape
        (64,)
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = (bunch.images / 16.0).astype("float32")
    x = x.reshape(len(x), 64) if flat else x[..., None]
    y = bunch.target.astype("int32")
    x_train, x_test, y_train, y_test = _split(x, y, test_size, seed)
    return Dataset(
        "digits_flat" if flat else "digits", x_train, y_train, x_test, y_test, "multiclass", 10,
        [str(i) for i in range(10)],
        "Handwritten digits 0-9 (UCI, bundled with scikit-learn): 8x8 grey images scaled to [0, 1].",
    )


def breast_cancer(seed: int = 0, test_size: float = 0.25, validation_size: float = 0.0) -> Dataset:
    """Wisconsin diagnostic breast cancer: 569 tumours, 30 numeric features, binary label.

    Features are standardised with the training split's mean and std
    (after `validation_size` of it is carved off as the validation split).
    Label 1 is benign, 0 malignant (scikit-learn's coding). The column names
    are in `extras["feature_names"]`.

    Example:
        >>> breast_cancer().task
        'binary'
    """
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    x_train, x_test, y_train, y_test = _split(bunch.data, bunch.target.astype("int32"), test_size, seed)
    return _standardised(Dataset(
        "breast_cancer", x_train, y_train, x_test, y_test, "binary", 1, [str(n) for n in bunch.target_names],
        "Breast cancer Wisconsin (diagnostic), bundled with scikit-learn: 30 standardised features; "
        "label 1 = benign, 0 = malignant.",
        extras={"feature_names": [str(n) for n in bunch.feature_names]},
    ), validation_size, seed)


def wine(seed: int = 0, test_size: float = 0.25, validation_size: float = 0.0) -> Dataset:
    """UCI wine recognition: 178 wines, 13 chemical measurements, 3 cultivars.

    Features are standardised with the training split's mean and std
    (after `validation_size` of it is carved off as the validation split); their
    names are in `extras["feature_names"]`.

    Example:
        >>> wine().num_outputs
        3
    """
    from sklearn.datasets import load_wine

    bunch = load_wine()
    x_train, x_test, y_train, y_test = _split(bunch.data, bunch.target.astype("int32"), test_size, seed)
    return _standardised(Dataset(
        "wine", x_train, y_train, x_test, y_test, "multiclass", 3, [str(n) for n in bunch.target_names],
        "Wine recognition (UCI, bundled with scikit-learn): 13 standardised chemical measurements, 3 cultivars.",
        extras={"feature_names": [str(n) for n in bunch.feature_names]},
    ), validation_size, seed)
