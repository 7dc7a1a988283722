"""load("glyphs"): printed glyphs at any size, augmented, deterministic by seed, cached on disk."""

from __future__ import annotations

import hashlib
import os
import time

import numpy as np
import pytest

from kerasdl.datasets import glyphs, load
from kerasdl.datasets.glyphs import AUGMENTATION, GLYPH_CLASSES, RENDERER_VERSION, glyph_images

pytestmark = pytest.mark.backend_neutral

BIG = 10_000


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASDL_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """The 10^4 set drawn once (nothing reused from earlier tests), then read back from its cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERASDL_CACHE_DIR", str(tmp_path_factory.mktemp("glyph_cache")))
        glyphs._base_glyph.cache_clear()
        start = time.perf_counter()
        first = load("glyphs", n=BIG, seed=0)
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        second = load("glyphs", n=BIG, seed=0)
        second_s = time.perf_counter() - start
    return first, first_s, second, second_s


def _rows(x: np.ndarray) -> set[bytes]:
    return {hashlib.sha1(image.tobytes()).digest() for image in x}


def test_big_set_shapes_dtypes_and_metadata(big):
    data = big[0]
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (6400, 1600, 2000)
    for x, y in ((data.x_train, data.y_train), data.validation, data.test):
        assert x.shape[1:] == (28, 28, 1) and x.dtype == np.float32 and y.dtype == np.int32
        assert 0.0 <= x.min() and x.max() <= 1.0
    # Ink is 1 on a dark background: most pixels are near 0, strokes reach 1.
    assert np.median(data.x_train) < 0.1 and data.x_train.max() == 1.0
    assert data.task == "multiclass" and data.num_outputs == 47 and data.class_names == list(GLYPH_CLASSES)
    assert "28x28" in data.description and "10000 images" in data.description
    assert data.extras["augmentation"] == AUGMENTATION and not data.extras["from_cache"]


def test_big_set_splits_are_disjoint_and_stratified(big):
    data = big[0]
    train, val, test = _rows(data.x_train), _rows(data.x_val), _rows(data.x_test)
    assert len(train) + len(val) + len(test) == BIG  # every image distinct, none in two splits
    assert not (train & val or train & test or val & test)
    counts = np.bincount(np.concatenate([data.y_train, data.y_val, data.y_test]), minlength=47)
    assert counts.max() - counts.min() <= 1  # balanced: 212 or 213 per class
    for y, share in ((data.y_train, 0.64), (data.y_val, 0.16), (data.y_test, 0.2)):
        assert np.abs(np.bincount(y, minlength=47) - counts * share).max() <= 1.5


def test_second_call_reads_the_cache_much_faster(big):
    first, first_s, second, second_s = big
    assert second.extras["from_cache"] and os.path.isfile(second.extras["cache_file"])
    for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert second_s < 0.2 * first_s, (first_s, second_s)
    folder = os.path.dirname(second.extras["cache_file"])
    assert [f for f in os.listdir(folder) if f.endswith(".tmp")] == []  # written atomically


def test_same_seed_same_images_other_seed_other_images():
    a = glyph_images(n=240, seed=3, classes=6, cache=False)
    b = glyph_images(n=240, seed=3, classes=6, cache=False)
    c = glyph_images(n=240, seed=4, classes=6, cache=False)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    # The cache gives back exactly what drawing gives.
    cached = glyph_images(n=240, seed=3, classes=6)
    assert not cached.extras["from_cache"]
    np.testing.assert_array_equal(glyph_images(n=240, seed=3, classes=6).x_train, a.x_train)


def test_class_subset_by_names_or_count():
    data = glyph_images(n=90, classes="OX#", cache=False)
    assert data.class_names == ["O", "X", "#"] and data.num_outputs == 3
    assert set(np.unique(data.y_train)) == {0, 1, 2}
    assert glyph_images(n=60, classes=4, cache=False).class_names == ["A", "B", "C", "D"]
    pair = glyph_images(n=30, classes=["q", "g"], cache=False)
    assert (pair.task, pair.num_outputs, pair.class_names) == ("binary", 1, ["q", "g"])


def test_augment_off_gives_clean_centred_glyphs():
    clean = glyph_images(n=200, classes=5, augment=False, cache=False)
    noisy = glyph_images(n=200, classes=5, cache=False)
    assert not np.array_equal(clean.x_train, noisy.x_train)
    assert clean.extras["augmentation"] == dict.fromkeys(AUGMENTATION, 0)
    assert "clean glyphs" in clean.description
    # No noise: the corners stay exactly background; the centre of mass sits near the middle.
    assert np.all(clean.x_train[:, :3, :3] == 0) and np.mean(noisy.x_train[:, :3, :3] > 0) > 0.3
    rows = np.arange(28)[None, :, None]
    x = clean.x_train[..., 0]
    centre_row = (x * rows).sum(axis=(1, 2)) / x.sum(axis=(1, 2))
    assert np.abs(centre_row - 13.5).max() < 1.0
    # One parameter at a time can be switched off or changed.
    still = glyph_images(n=200, classes=5, noise=0, cache=False)
    assert np.mean(still.x_train == 0) > np.mean(noisy.x_train == 0) + 0.15
    turned = glyph_images(n=200, classes=5, rotation=40, cache=False)
    assert turned.extras["augmentation"]["rotation"] == 40 and not np.array_equal(turned.x_train, noisy.x_train)


@pytest.mark.parametrize("kwargs, words", [
    ({"n": 100, "classes": None}, ["n", "100", "141"]),
    ({"n": 2.5e3}, ["n", "2500.0", "integer"]),
    ({"classes": 1}, ["classes", "1", "[2, 47]"]),
    ({"classes": 48}, ["classes", "48", "GLYPH_CLASSES"]),
    ({"classes": "A1"}, ["classes", "'A1'", "unknown ['1']"]),
    ({"classes": ["A", "A"]}, ["classes", "repeated"]),
    ({"classes": "Ac"}, ["classes", "'Ac'", "unknown ['c']"]),
    ({"rotation": -5}, ["rotation", "-5", "[0, 180]"]),
    ({"shift": 0.5}, ["shift", "0.5", "[0, 0.5)"]),
    ({"stroke": 1.5}, ["stroke", "1.5", "integer"]),
    ({"noise": "high"}, ["noise", "'high'", "[0, 1]"]),
    ({"augment": False, "rotation": 10}, ["rotation=10", "augment=False"]),
    ({"size": 4}, ["size", "4", "[8, 64]"]),
    ({"fonts": ["Arial.ttf"]}, ["fonts", "Arial.ttf", "FONT_FILES"]),
    ({"test_size": 1.0}, ["test_size", "1.0", "(0, 1)"]),
])
def test_bad_arguments_name_the_parameter_value_and_what_is_allowed(kwargs, words):
    arguments = {"n": 200, "classes": 5, "cache": False, **kwargs}
    with pytest.raises(ValueError) as error:
        glyph_images(**arguments)
    for word in words:
        assert word in str(error.value), (word, str(error.value))


def test_corrupt_or_partial_cache_is_drawn_again(tmp_path):
    data = glyph_images(n=300, classes=6, seed=2)
    path = data.extras["cache_file"]
    assert path.startswith(str(tmp_path / "cache")) and f"v{RENDERER_VERSION}" in data.description
    whole = open(path, "rb").read()
    for damage in (b"not a numpy file", whole[: len(whole) // 2], b""):
        with open(path, "wb") as handle:
            handle.write(damage)
        with pytest.warns(UserWarning, match="regenerating"):
            again = glyph_images(n=300, classes=6, seed=2)
        assert not again.extras["from_cache"]
        np.testing.assert_array_equal(again.x_train, data.x_train)
        assert open(path, "rb").read() == whole  # the file is whole again
    assert glyph_images(n=300, classes=6, seed=2).extras["from_cache"]


def test_cache_key_covers_every_generation_argument(monkeypatch):
    paths = {glyph_images(n=60, classes=4, **kw).extras["cache_file"]
             for kw in ({}, {"seed": 1}, {"noise": 0.1}, {"size": 16}, {"augment": False},
                        {"fonts": ["cmr10.ttf"]})}
    assert len(paths) == 6
    base = glyph_images(n=60, classes=4).extras["cache_file"]
    monkeypatch.setattr(glyphs, "RENDERER_VERSION", RENDERER_VERSION + 1)
    newer = glyph_images(n=60, classes=4)
    assert newer.extras["cache_file"] != base and not newer.extras["from_cache"]
    assert glyph_images(n=60, classes=4, cache=False).extras["cache_file"] is None


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    assert glyphs.cache_dir() == str(tmp_path / "cache")
    monkeypatch.delenv("KERASDL_CACHE_DIR")
    assert glyphs.cache_dir() == os.path.join(os.path.expanduser("~"), ".cache", "kerasdl")


def test_transfer_keeps_the_renderer_names():
    import kerasdl.transfer.glyphs as old

    assert old.glyph_dataset is glyphs.glyph_dataset and old.render_glyph is glyphs.render_glyph
    assert old.GLYPH_CLASSES is glyphs.GLYPH_CLASSES and old.FONT_FILES is glyphs.FONT_FILES
