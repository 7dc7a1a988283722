"""Image folders (one sub-folder per class) as cached, prefetched `tf.data` pipelines.

```
xrays/
  normal/     img001.png ...
  pneumonia/  img101.jpeg ...
```

`image_folder("xrays", image_size=224)` reads that layout the way
`keras.utils.image_dataset_from_directory` does (class names = sorted
sub-folder names, integer labels, images resized to `image_size`, pixel values
0..255 as float32, the input every `kerasdl.transfer.backbone` expects), with
three differences: the validation split is stratified (each class keeps its
share), every image file is checked with Pillow first, and augmentation can be
switched on for the training split only.

Bad files: a file with an image extension (.png .jpg .jpeg .bmp .gif) that
Pillow cannot read completely, or whose content is not PNG/JPEG/BMP/GIF,
raises a `ValueError` naming the file (`on_bad_file="raise"`, the default) or
is left out with a warning (`on_bad_file="skip"`). Files with other extensions
(notes, `.DS_Store`) are ignored, as Keras does.

Example:
    >>> from kerasdl.datasets import image_folder
    >>> data = image_folder("xrays", image_size=160, validation_split=0.2)  # doctest: +SKIP
    >>> data.class_names, data.num_classes  # doctest: +SKIP
    (['normal', 'pneumonia'], 2)
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kerasdl.validation import check_choice, check_non_negative_int, check_positive_int

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_FORMATS = {"PNG", "JPEG", "BMP", "GIF", "MPO"}  # what tf.io.decode_image reads (MPO: camera JPEG)
_CHANNELS = {"rgb": 3, "grayscale": 1, "rgba": 4}


@dataclass
class ImageFolder:
    """What `image_folder` returns.

    Attributes:
        train: `tf.data.Dataset` of `(images, labels)` batches; images float32
            `(batch, height, width, channels)` in 0..255, labels int32.
        validation: The same for the validation split (model selection), or None.
        class_names: Sub-folder names in label order.
        image_shape: `(height, width, channels)` of one image.
        counts: Images per split and class, e.g. `{"train": {"normal": 40, ...}}`.
        skipped: Paths of unreadable files left out (`on_bad_file="skip"`).
        test: The same for the test split (read once per final model), or None.

    Example:
        >>> ImageFolder(None, None, ["cat", "dog"], (32, 32, 3)).num_classes
        2
    """

    train: Any
    validation: Any
    class_names: list[str]
    image_shape: tuple[int, int, int]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    test: Any = None

    @property
    def num_classes(self) -> int:
        """Number of classes (sub-folders)."""
        return len(self.class_names)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """Alias of `image_shape`, as on `kerasdl.datasets.Dataset`."""
        return self.image_shape


def check_image_file(path: str) -> str | None:
    """Return None if Pillow reads the whole image at `path`, else the reason it cannot.

    Example:
        >>> check_image_file(__file__).startswith("not an image")
        True
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            kind = image.format
            image.verify()  # structure and checksums, without decoding
        if kind not in _FORMATS:
            return f"format {kind} is not one TensorFlow decodes (PNG, JPEG, BMP, GIF)"
        with Image.open(path) as image:
            image.draft("L", (64, 64))  # JPEG: decode at 1/8 scale, still reads every byte
            image.load()
    except UnidentifiedImageError as error:
        return f"not an image Pillow can identify ({error})"
    except (OSError, SyntaxError, ValueError) as error:
        return f"damaged or truncated image ({error})"
    return None


def _scan(root: str, on_bad_file: str) -> tuple[list[str], list[list[str]], list[str]]:
    class_names = sorted(entry.name for entry in os.scandir(root) if entry.is_dir() and not entry.name.startswith("."))
    if len(class_names) < 2:
        raise ValueError(f"path={root!r} must contain one sub-folder per class (at least 2, e.g. normal/ and "
                         f"pneumonia/); found {class_names}.")
    stray = [entry.name for entry in os.scandir(root) if entry.is_file() and not entry.name.startswith(".")]
    if stray:
        warnings.warn(f"image_folder ignores {len(stray)} file(s) outside the class folders of {root!r}: "
                      f"{stray[:5]}", stacklevel=3)
    files: list[list[str]] = []
    skipped: list[str] = []
    for name in class_names:
        found = []
        for folder, subfolders, names in os.walk(os.path.join(root, name), followlinks=True):
            subfolders.sort()
            for file_name in sorted(names):
                if file_name.startswith(".") or not file_name.lower().endswith(IMAGE_EXTENSIONS):
                    continue
                path = os.path.join(folder, file_name)
                problem = check_image_file(path)
                if problem is None:
                    found.append(path)
                elif on_bad_file == "raise":
                    raise ValueError(f"{path}: {problem}. Remove or replace the file, or pass "
                                     "on_bad_file='skip' to leave unreadable files out with a warning.")
                else:
                    skipped.append(path)
                    warnings.warn(f"image_folder skips {path}: {problem}", stacklevel=3)
        if not found:
            raise ValueError(f"class folder {os.path.join(root, name)!r} holds no readable image "
                             f"({', '.join(IMAGE_EXTENSIONS)}).")
        files.append(found)
    return class_names, files, skipped


def _augmenter(augment: Any):
    import keras

    if augment is True:
        # Mild changes that keep the label; pass your own list when a flip would change the meaning.
        return keras.Sequential([keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.05),
                                 keras.layers.RandomZoom(0.1)], name="augmentation")
    if isinstance(augment, keras.layers.Layer):
        return augment
    if isinstance(augment, (list, tuple)) and augment and all(isinstance(a, keras.layers.Layer) for a in augment):
        return keras.Sequential(list(augment), name="augmentation")
    raise TypeError(f"augment must be False, True or a (list of) keras preprocessing layer(s); got {augment!r}.")


def image_folder(
    path: str | os.PathLike,
    image_size: int | tuple[int, int] = (224, 224),
    validation_split: float = 0.2,
    test_split: float = 0.1,
    batch_size: int = 32,
    seed: int = 0,
    color_mode: str = "rgb",
    augment: Any = False,
    cache: bool | str = True,
    on_bad_file: str = "raise",
) -> ImageFolder:
    """Load a folder of class sub-folders as train / validation / test `tf.data` pipelines.

    Each class is split on its own (stratified), by `seed`: `test_split` of
    its images become the test split, `validation_split` the validation
    split, the rest the training split. Every class keeps at least one
    training image.

    Args:
        path: Folder with one sub-folder of images per class.
        image_size: `(height, width)` (or one int for squares) to resize to.
        validation_split: Share of each class held out for validation, in
            [0, 1); 0 gives `validation=None`.
        test_split: Share of each class held out for the test split, in
            [0, 1); 0 gives `test=None` (the old two-way split).
        batch_size: Images per batch.
        seed: Seed of the split and of the shuffling.
        color_mode: "rgb" (also for grey X-rays: ImageNet backbones want 3
            channels), "grayscale" or "rgba".
        augment: False, True (horizontal flip, small rotation and zoom), or
            Keras preprocessing layers to apply to training batches.
        cache: Keep decoded images in memory (True), in a cache file (a path
            prefix), or not (False).
        on_bad_file: "raise" (ValueError naming the file) or "skip" (warning).

    Returns:
        An `ImageFolder` with `train`, `validation`, `test`, `class_names`, `image_shape`.

    Example:
        >>> data = image_folder("flowers", image_size=96, augment=True)  # doctest: +SKIP
        >>> images, labels = next(iter(data.train))  # doctest: +SKIP
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a folder path; got {path!r} ({type(path).__name__}).")
    root = os.fspath(path)
    if not os.path.isdir(root):
        raise ValueError(f"path={root!r} is not an existing folder.")
    if isinstance(image_size, (int, np.integer)) and not isinstance(image_size, bool):
        image_size = (int(image_size), int(image_size))
    if not isinstance(image_size, (tuple, list)) or len(image_size) != 2:
        raise ValueError(f"image_size must be an int or (height, width); got {image_size!r}.")
    height, width = (check_positive_int("image_size", side) for side in image_size)
    if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)) \
            or not 0.0 <= validation_split < 1.0:
        raise ValueError(f"validation_split must be a number in [0, 1); got {validation_split!r}.")
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or not 0.0 <= test_split < 1.0 \
            or validation_split + test_split >= 1.0:
        raise ValueError(f"test_split must be a number in [0, 1) with validation_split + test_split < 1; "
                         f"got test_split={test_split!r}, validation_split={validation_split!r}.")
    batch_size = check_positive_int("batch_size", batch_size)
    seed = check_non_negative_int("seed", seed)
    color_mode = check_choice("color_mode", color_mode, tuple(_CHANNELS))
    on_bad_file = check_choice("on_bad_file", on_bad_file, ("raise", "skip"))
    if not isinstance(cache, (bool, str)):
        raise TypeError(f"cache must be True, False or a file path prefix; got {cache!r}.")
    augmenter = None if augment is False else _augmenter(augment)

    class_names, files, skipped = _scan(root, on_bad_file)
    rng = np.random.default_rng(seed)
    names = ("train", "validation", "test")
    splits: dict[str, tuple[list[str], list[int]]] = {split: ([], []) for split in names}
    counts: dict[str, dict[str, int]] = {split: {} for split in names}
    for label, (name, paths) in enumerate(zip(class_names, files)):
        order = rng.permutation(len(paths))
        n_test = min(max(int(round(len(paths) * test_split)), 1 if test_split > 0 else 0), len(paths) - 1)
        n_val = int(round(len(paths) * validation_split))
        n_val = min(max(n_val, 1 if validation_split > 0 else 0), len(paths) - 1 - n_test)
        parts = (("test", order[:n_test]), ("validation", order[n_test:n_test + n_val]),
                 ("train", order[n_test + n_val:]))
        for split, chosen in parts:
            splits[split][0].extend(paths[i] for i in chosen)
            splits[split][1].extend([label] * len(chosen))
            counts[split][name] = len(chosen)

    import tensorflow as tf

    channels = _CHANNELS[color_mode]

    def decode(file_path: Any, label: Any) -> tuple[Any, Any]:
        image = tf.io.decode_image(tf.io.read_file(file_path), channels=channels, expand_animations=False)
        image = tf.image.resize(image, (height, width))
        image.set_shape((height, width, channels))
        return image, label

    def pipeline(split: str, training: bool) -> Any:
        paths, labels = splits[split]
        data = tf.data.Dataset.from_tensor_slices((paths, np.asarray(labels, dtype="int32")))
        data = data.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
        if cache:
            data = data.cache(f"{cache}_{split}" if isinstance(cache, str) else "")
        if training:
            data = data.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
        data = data.batch(batch_size)
        if training and augmenter is not None:
            data = data.map(lambda x, y: (augmenter(x, training=True), y), num_parallel_calls=tf.data.AUTOTUNE)
        return data.prefetch(tf.data.AUTOTUNE)

    present = {split: share > 0 and any(counts[split].values())
               for split, share in (("validation", validation_split), ("test", test_split))}
    return ImageFolder(
        train=pipeline("train", training=True),
        validation=pipeline("validation", training=False) if present["validation"] else None,
        class_names=class_names,
        image_shape=(height, width, channels),
        counts={split: counts[split] for split in names if split == "train" or present[split]},
        skipped=skipped,
        test=pipeline("test", training=False) if present["test"] else None,
    )
