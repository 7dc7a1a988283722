"""kerasdl.datasets.image_folder: class sub-folders -> tf.data pipelines, bad files named."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from kerasdl.datasets.images import check_image_file, image_folder


def _write_folder(root, per_class=10, size=12, classes=("pneumonia", "normal"), mode="RGB"):
    """Class 0 images are dark, class 1 bright, each with its own random texture."""
    rng = np.random.default_rng(0)
    for label, name in enumerate(sorted(classes)):
        os.makedirs(root / name, exist_ok=True)
        for index in range(per_class):
            base = 40 + 150 * label
            pixels = np.clip(base + rng.integers(-30, 30, size=(size, size, 3)), 0, 255).astype("uint8")
            Image.fromarray(pixels).convert(mode).save(root / name / f"img_{index:02d}.png")
    return root


def _all(dataset):
    images, labels = zip(*[(x.numpy(), y.numpy()) for x, y in dataset])
    return np.concatenate(images), np.concatenate(labels)


def test_reads_class_folders_with_a_stratified_split(tmp_path):
    root = _write_folder(tmp_path / "xrays")
    data = image_folder(root, image_size=12, validation_split=0.2, batch_size=4)
    assert data.class_names == ["normal", "pneumonia"] and data.num_classes == 2
    assert data.image_shape == (12, 12, 3)
    assert data.counts == {"train": {"normal": 7, "pneumonia": 7}, "validation": {"normal": 2, "pneumonia": 2},
                           "test": {"normal": 1, "pneumonia": 1}}
    x_train, y_train = _all(data.train)
    x_val, y_val = _all(data.validation)
    x_test, _ = _all(data.test)
    assert x_train.shape == (14, 12, 12, 3) and x_train.dtype == np.float32
    assert sorted(np.bincount(y_train)) == [7, 7] and sorted(np.bincount(y_val)) == [2, 2]
    rows = [{image.tobytes() for image in x} for x in (x_train, x_val, x_test)]
    assert not (rows[0] & rows[1]) and not (rows[0] & rows[2]) and not (rows[1] & rows[2])
    two_way = image_folder(root, image_size=12, validation_split=0.2, test_split=0.0, batch_size=4)
    assert two_way.test is None and set(two_way.counts) == {"train", "validation"}
    # Raw 0..255 pixels, labels follow the folder: "normal" (label 0) images are the dark ones.
    assert 0.0 <= x_train.min() and x_train.max() <= 255.0
    assert x_train[y_train == 0].mean() < 100 < x_train[y_train == 1].mean()


def test_pixels_match_the_files_and_split_is_deterministic(tmp_path):
    root = _write_folder(tmp_path / "data", per_class=5)
    first = image_folder(root, image_size=(12, 12), validation_split=0.4, seed=3, cache=False)
    again = image_folder(root, image_size=(12, 12), validation_split=0.4, seed=3, cache=False)
    x1, y1 = _all(first.validation)
    x2, y2 = _all(again.validation)
    np.testing.assert_array_equal(x1, x2)
    files = {np.asarray(Image.open(root / name / f).convert("RGB"), dtype="float32").tobytes()
             for name in ("normal", "pneumonia") for f in os.listdir(root / name)}
    assert all(image.tobytes() in files for image in x1)


def test_grayscale_resize_and_no_validation(tmp_path):
    root = _write_folder(tmp_path / "data", per_class=3, size=20, mode="L")
    data = image_folder(root, image_size=(8, 10), validation_split=0.0, test_split=0.0, color_mode="grayscale",
                        batch_size=2)
    assert data.validation is None and data.image_shape == (8, 10, 1)
    x, y = _all(data.train)
    assert x.shape == (6, 8, 10, 1) and sorted(y.tolist()) == [0, 0, 0, 1, 1, 1]


def test_augmentation_runs_on_training_batches_only(tmp_path):
    import keras

    root = _write_folder(tmp_path / "data", per_class=4)
    data = image_folder(root, image_size=12, validation_split=0.25, test_split=0.0, augment=True, seed=1)
    x, _ = _all(data.train)
    assert x.shape == (6, 12, 12, 3) and np.isfinite(x).all()
    flipped = image_folder(root, image_size=12, validation_split=0.25, test_split=0.0, cache=False,
                           augment=[keras.layers.RandomFlip("horizontal", seed=0)])
    assert _all(flipped.validation)[0].shape == (2, 12, 12, 3)


def test_corrupt_file_is_named_or_skipped(tmp_path):
    root = _write_folder(tmp_path / "data", per_class=3)
    bad = root / "normal" / "broken.png"
    bad.write_bytes(b"this is not a png at all")
    (root / "normal" / "notes.txt").write_text("ignored: not an image extension")
    with pytest.raises(ValueError, match="broken.png"):
        image_folder(root, image_size=12)
    with pytest.warns(UserWarning, match="broken.png"):
        data = image_folder(root, image_size=12, on_bad_file="skip", validation_split=0.0, test_split=0.0)
    assert data.skipped == [str(bad)] and data.counts["train"]["normal"] == 3


def test_truncated_image_is_detected(tmp_path):
    path = tmp_path / "cut.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(path)
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    assert check_image_file(str(path)) is not None
    good = tmp_path / "ok.jpg"
    Image.new("RGB", (8, 8), "red").save(good)
    assert check_image_file(str(good)) is None


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"image_size": 0}, ValueError, "image_size"),
        ({"image_size": (8, 8, 3)}, ValueError, "image_size"),
        ({"validation_split": 1.0}, ValueError, "validation_split"),
        ({"test_split": 0.9}, ValueError, "test_split"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"color_mode": "cmyk"}, ValueError, "color_mode"),
        ({"on_bad_file": "ignore"}, ValueError, "on_bad_file"),
        ({"augment": "yes"}, TypeError, "augment"),
        ({"cache": 1}, TypeError, "cache"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, error, match):
    root = _write_folder(tmp_path / "data", per_class=2)
    with pytest.raises(error, match=match):
        image_folder(root, **kwargs)


def test_bad_folders(tmp_path):
    with pytest.raises(ValueError, match="not an existing folder"):
        image_folder(tmp_path / "missing")
    one = _write_folder(tmp_path / "one", per_class=2, classes=("only",))
    with pytest.raises(ValueError, match="at least 2"):
        image_folder(one)
    empty = _write_folder(tmp_path / "empty", per_class=2)
    os.makedirs(empty / "zz_empty")
    with pytest.raises(ValueError, match="zz_empty"):
        image_folder(empty)
