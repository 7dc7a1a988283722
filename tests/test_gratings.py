"""Gratings and orientation tuning against independent references (the FFT, rotations), ZCA whitening
against scipy's matrix square root, and the sparse coder that learns filters from photographs."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import scipy.linalg

from kerasdl import datasets, models
from kerasdl.datasets import grating, orientation_tuning, zca_whiten

RNG = np.random.default_rng(0)


def test_amplitudes_equal_the_discrete_fourier_transform_at_whole_frequencies():
    # A grating of m cycles per 8 pixels along the columns (or rows) is one DFT basis function:
    # the quadrature pair's amplitude must be the magnitude of that DFT coefficient.
    filters = np.random.default_rng(1).normal(size=(5, 8, 8))
    whole = (1 / 8, 2 / 8, 3 / 8, 4 / 8)
    tuning = orientation_tuning(filters, orientations=16, frequencies=whole)
    spectrum = np.abs(np.fft.fft2(filters))
    for i, m in enumerate(range(1, 5)):
        np.testing.assert_allclose(tuning.amplitudes[:, i, 0], spectrum[:, 0, m], rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(tuning.amplitudes[:, i, 8], spectrum[:, m, 0], rtol=1e-10, atol=1e-10)


def test_a_filter_turned_by_90_degrees_keeps_its_selectivity_and_turns_its_preference():
    filters = np.random.default_rng(2).normal(size=(20, 7, 7))
    plain, turned = orientation_tuning(filters), orientation_tuning(np.rot90(filters, axes=(1, 2)))
    np.testing.assert_allclose(turned.selectivity, plain.selectivity, rtol=1e-10, atol=1e-12)
    shift = (turned.preferred_degrees - plain.preferred_degrees) % 180
    np.testing.assert_allclose(shift, 90.0, atol=1e-8)


@pytest.mark.parametrize("degrees", [0.0, 30.0, 75.0, 120.0])
def test_a_gabor_prefers_its_own_orientation_and_a_round_blob_none(degrees):
    rows, cols = np.mgrid[0:9, 0:9] - 4.0
    envelope = np.exp(-(rows ** 2 + cols ** 2) / (2 * 2.0 ** 2))
    gabor = envelope * grating(9, frequency=0.25, orientation=np.radians(degrees))
    tuning = orientation_tuning(np.stack([gabor, envelope]))
    assert abs((tuning.preferred_degrees[0] - degrees + 90) % 180 - 90) < 1.0
    assert tuning.selectivity[0] > 0.5
    assert tuning.best_frequency[0] == 0.25
    assert tuning.selectivity[1] < 1e-10  # symmetric under 90-degree turns and mirroring


def test_gratings_score_high_and_random_filters_low():
    stripes = np.stack([grating(8, 0.25, a) for a in np.linspace(0, np.pi, 6, endpoint=False)])
    # Oblique stripes in a square window score lower than upright ones (about 0.67 against 0.82 at 8x8).
    assert orientation_tuning(stripes).selectivity.min() > 0.6
    noise = orientation_tuning(np.random.default_rng(3).normal(size=(500, 8, 8))).selectivity
    assert 0.1 < noise.mean() < 0.3


def test_grating_geometry():
    vertical = grating(6, 0.25, 0.0)
    assert np.allclose(vertical, vertical[0])  # the same in every row: brightness changes left to right
    horizontal = grating(6, 0.25, np.pi / 2)
    np.testing.assert_allclose(horizontal, vertical.T, atol=1e-12)
    np.testing.assert_allclose(grating(6, 0.25, 0.0, phase=np.pi), -vertical, atol=1e-12)


@pytest.mark.parametrize("call,match", [
    (lambda: grating(0, 0.25, 0.0), "size"),
    (lambda: grating(8, 0.0, 0.0), "frequency"),
    (lambda: grating(8, 0.6, 0.0), "frequency"),
    (lambda: grating(8, True, 0.0), "frequency"),
    (lambda: grating(8, 0.25, float("nan")), "orientation"),
    (lambda: grating(8, 0.25, 0.0, phase="0"), "phase"),
    (lambda: orientation_tuning(np.zeros((3, 8, 7))), "filters"),
    (lambda: orientation_tuning(np.zeros((0, 8, 8))), "filters"),
    (lambda: orientation_tuning(np.zeros((8, 8))), "filters"),
    (lambda: orientation_tuning(np.full((1, 4, 4), np.nan)), "NaN"),
    (lambda: orientation_tuning(np.zeros((1, 4, 4)), orientations=0), "orientations"),
    (lambda: orientation_tuning(np.zeros((1, 4, 4)), frequencies=()), "frequencies"),
    (lambda: orientation_tuning(np.zeros((1, 4, 4)), frequencies=(0.7,)), "frequencies"),
    (lambda: orientation_tuning(np.zeros((1, 4, 4)), frequencies=("x",)), "frequencies"),
    (lambda: zca_whiten(np.zeros((1, 4))), "patches"),
    (lambda: zca_whiten(np.zeros((5, 4)), epsilon=0), "epsilon"),
    (lambda: models.sparse_coder((8, 8, 1), sparsity=-1), "sparsity"),
    (lambda: models.sparse_coder((8, 8, 1), filters=0), "filters"),
])
def test_bad_arguments_raise_clear_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_zca_whitening_matches_scipys_inverse_square_root():
    patches = RNG.normal(size=(300, 4, 4)) @ RNG.normal(size=(4, 4))  # correlated columns
    epsilon = 0.05
    flat = patches.reshape(300, -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    cov = np.cov(flat, rowvar=False)
    largest = np.linalg.eigvalsh(cov).max()
    reference = flat @ np.real(scipy.linalg.inv(scipy.linalg.sqrtm(cov + epsilon * largest * np.eye(16))))
    reference /= reference.std()
    white = zca_whiten(patches, epsilon=epsilon)
    assert white.shape == patches.shape and white.dtype == np.float32
    np.testing.assert_allclose(white.reshape(300, -1), reference, rtol=1e-4, atol=1e-5)


def test_whitened_photo_patches_lose_their_neighbour_correlation():
    raw = datasets.photo_patches(3000, size=8, whiten=False).reshape(3000, -1)
    white = zca_whiten(raw, epsilon=1e-3).reshape(3000, -1)
    neighbours = [(r * 8 + c, r * 8 + c + 1) for r in range(8) for c in range(7)]
    before = np.mean([np.corrcoef(raw[:, a], raw[:, b])[0, 1] for a, b in neighbours])
    after = np.mean([np.corrcoef(white[:, a], white[:, b])[0, 1] for a, b in neighbours])
    assert before > 0.8 and abs(after) < 0.1


def test_sparse_coder_layers_unit_norm_dictionary_and_round_trip(tmp_path):
    coder = models.sparse_coder((6, 6, 1), filters=12, sparsity=0.05)
    assert [layer.name for layer in coder.layers] == ["patch", "flatten", "filters", "dictionary", "unflatten"]
    x = zca_whiten(datasets.photo_patches(512, size=6, whiten=False))
    coder.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    coder.fit(x, x, epochs=2, batch_size=64, verbose=0)
    rows = coder.get_layer("dictionary").get_weights()[0]
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-5)
    path = tmp_path / "coder.keras"
    coder.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(x[:8], verbose=0), coder.predict(x[:8], verbose=0), rtol=1e-6, atol=1e-6)


def test_sparse_coder_learns_oriented_filters_from_photographs_not_from_noise():
    keras.utils.set_random_seed(0)
    photos = zca_whiten(datasets.photo_patches(8000, size=8, whiten=False, seed=1))
    noise = np.random.default_rng(1).normal(size=photos.shape).astype("float32")

    def selectivity_after(x):
        keras.utils.set_random_seed(0)
        coder = models.sparse_coder((8, 8, 1), filters=32)
        before = coder.get_layer("filters").get_weights()[0].T.reshape(32, 8, 8)
        coder.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
        coder.fit(x, x, epochs=6, batch_size=128, verbose=0)
        after = coder.get_layer("filters").get_weights()[0].T.reshape(32, 8, 8)
        return orientation_tuning(before).selectivity.mean(), orientation_tuning(after).selectivity.mean()

    start, learned = selectivity_after(photos)
    _, from_noise = selectivity_after(noise)
    assert learned > start + 0.1, (start, learned)
    assert learned > from_noise + 0.1, (learned, from_noise)
