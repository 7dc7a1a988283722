"""Per-builder tests: shapes, parameter counts, one epoch of learning, `.keras` round trips, argument errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerasdl import models
from kerasdl.training import compile_for

pytestmark = pytest.mark.backend_neutral


def _roundtrip(model: keras.Model, x: np.ndarray, tmp_path) -> None:
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
    assert not any(isinstance(layer, keras.layers.Lambda) for layer in loaded.layers)


def _loss_drops(model: keras.Model, x: np.ndarray, y: np.ndarray, epochs: int = 5) -> None:
    # The training loss of the first and last epoch: both are measured in training mode, so
    # BatchNorm's slow moving statistics and dropout cannot hide that the weights learned.
    compile_for(model, learning_rate=1e-2)
    losses = model.fit(x, y, epochs=epochs, batch_size=len(x), verbose=0).history["loss"]
    assert losses[-1] < losses[0], losses


RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_rng():
    # Every test draws the same data whichever tests ran before it (-k, -x, other backends).
    global RNG
    RNG = np.random.default_rng(0)


@pytest.mark.parametrize("d,h,o", [(64, 32, 10), (30, 8, 1), (2, 1, 3)])
def test_shallow_mlp_parameter_formula(d, h, o):
    model = models.shallow_mlp((d,), o, hidden_units=h)
    assert model.count_params() == d * h + h + h * o + o
    assert model.output_shape == (None, o)


@pytest.mark.parametrize("depth,width", [(1, 4), (3, 16), (6, 8)])
def test_deep_mlp_parameter_formula(depth, width):
    d, o = 64, 10
    model = models.deep_mlp((8, 8, 1), o, depth=depth, width=width)
    expected = d * width + width + (depth - 1) * (width * width + width) + width * o + o
    assert model.count_params() == expected


def test_deep_mlp_batch_norm_block_order_and_no_bias():
    model = models.deep_mlp((4,), 3, depth=2, width=8, batch_norm=True, dropout=0.5)
    names = [layer.name for layer in model.layers]
    assert names == ["input", "hidden_1", "bn_1", "act_1", "dropout_1",
                     "hidden_2", "bn_2", "act_2", "dropout_2", "output"]
    assert model.get_layer("hidden_1").use_bias is False


def test_deep_mlp_residual_adds_skips_after_first_block():
    model = models.deep_mlp((4,), 1, depth=3, width=8, residual=True, task="regression")
    adds = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Add)]
    assert adds == ["residual_2", "residual_3"]


def test_auto_initializer_picks_he_for_relu_and_glorot_for_sigmoid():
    relu = models.deep_mlp((4,), 2, depth=1, activation="relu")
    sig = models.deep_mlp((4,), 2, depth=1, activation="sigmoid")
    assert type(relu.get_layer("hidden_1").kernel_initializer).__name__ == "HeNormal"
    assert type(sig.get_layer("hidden_1").kernel_initializer).__name__ == "GlorotUniform"


@pytest.mark.parametrize("init", ["zeros", "glorot_uniform", "he_normal", keras.initializers.RandomNormal(0, 0.01)])
def test_initializer_names_and_objects_accepted(init):
    assert models.deep_mlp((3,), 2, depth=2, kernel_initializer=init).output_shape == (None, 2)


@pytest.mark.parametrize("kwargs", [{}, {"batch_norm": True, "dropout": 0.2, "residual": True}])
def test_mlps_learn_and_roundtrip(kwargs, tmp_path):
    x = RNG.normal(size=(64, 5)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    for model in (models.shallow_mlp((5,), 2), models.deep_mlp((5,), 2, depth=3, width=16, **kwargs)):
        _loss_drops(model, x, y, epochs=15)  # residual + dropout is noisy over the first few steps
        _roundtrip(model, x, tmp_path)


@pytest.mark.parametrize("seed", [None, 3])
def test_initializer_object_gives_each_layer_its_own_weights(seed):
    # One Keras 3 initializer object repeats its values; each block must get its own draw.
    def kernels():
        keras.utils.set_random_seed(0)
        init = keras.initializers.RandomNormal(stddev=1.0, seed=seed)
        model = models.deep_mlp((16,), 2, depth=3, width=16, kernel_initializer=init)
        return [keras.ops.convert_to_numpy(model.get_layer(f"hidden_{i}").kernel) for i in (2, 3)]

    first, again = kernels(), kernels()
    assert not np.array_equal(first[0], first[1])
    np.testing.assert_array_equal(first[0], again[0])  # still reproducible
    assert 0.8 < first[0].std() < 1.2


def test_regression_and_binary_heads():
    assert models.deep_mlp((3,), 1, task="regression").get_layer("output").activation.__name__ == "linear"
    assert models.deep_mlp((3,), 1).get_layer("output").activation.__name__ == "sigmoid"
    assert models.deep_mlp((3,), 4).get_layer("output").activation.__name__ == "softmax"


def test_cnn_blocks_named_and_feature_maps(tmp_path):
    model = models.cnn((8, 8), 10, filters=(4, 8, 16), batch_norm=True, dense_units=8, dropout=0.1)
    assert model.get_layer("conv_block_1").output.shape == (None, 8, 8, 4)
    assert model.get_layer("conv_block_3").output.shape == (None, 2, 2, 16)
    feats = models.feature_extractor(model)
    assert [o.shape for o in feats.outputs] == [(None, 8, 8, 4), (None, 4, 4, 8), (None, 2, 2, 16)]
    x = RNG.random((32, 8, 8)).astype("float32")
    _roundtrip(model, x, tmp_path)
    # BatchNorm's moving statistics barely move in a few steps, so learning is checked without it.
    y = (x[:, :, :4].mean(axis=(1, 2)) > x[:, :, 4:].mean(axis=(1, 2))).astype("int32")
    _loss_drops(models.cnn((8, 8), 2, filters=(4, 8)), x, y, epochs=10)


def test_cnn_too_many_blocks_for_input_is_explained():
    with pytest.raises(ValueError, match="at most 3"):
        models.cnn((8, 8, 1), 10, filters=(4, 4, 4, 4))


@pytest.mark.parametrize("cell", ["simple", "lstm", "gru"])
def test_rnn_time_series(cell, tmp_path):
    x = RNG.normal(size=(32, 12, 2)).astype("float32")
    y = (x[:, :, 0].mean(axis=1) > 0).astype("int32")
    model = models.rnn((12, 2), 1, cell=cell, units=8, num_layers=2)
    assert model.output_shape == (None, 1)
    _loss_drops(model, x, y)
    _roundtrip(model, x, tmp_path)


def test_rnn_tokens_bidirectional(tmp_path):
    x = RNG.integers(1, 20, (32, 10)).astype("int32")
    y = RNG.integers(0, 3, 32).astype("int32")
    model = models.rnn((10,), 3, vocab_size=20, bidirectional=True, units=8)
    _loss_drops(model, x, y)
    _roundtrip(model, x, tmp_path)


def test_transformer_learns_and_roundtrips(tmp_path):
    x = RNG.integers(0, 20, (32, 12)).astype("int32")
    y = (x[:, 0] < 10).astype("int32")  # learnable from the first token
    model = models.transformer_classifier(20, 12, 1, embed_dim=16, num_heads=2, num_blocks=2, dropout=0.0)
    assert [layer.name for layer in model.layers][1:4] == ["embedding", "encoder_1", "encoder_2"]
    _loss_drops(model, x, y, epochs=10)
    _roundtrip(model, x, tmp_path)


def test_autoencoder_shapes_learns_and_error(tmp_path):
    x = RNG.random((64, 8, 8, 1)).astype("float32")
    ae, encoder, decoder = models.autoencoder((8, 8, 1), 4, hidden_units=(16,), noise_stddev=0.05)
    assert encoder.output_shape == (None, 4)
    assert decoder.output_shape == (None, 8, 8, 1)
    ae.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    before = models.reconstruction_error(ae, x).mean()
    ae.fit(x, x, epochs=10, batch_size=64, verbose=0)
    errors = models.reconstruction_error(ae, x)
    assert errors.shape == (64,) and errors.mean() < before
    _roundtrip(ae, x, tmp_path)
    with pytest.raises(ValueError, match="example shape"):
        models.reconstruction_error(ae, np.zeros((2, 4)))


@pytest.mark.skipif(keras.backend.backend() == "jax", reason="GAN training is not written for the JAX backend")
def test_gan_trains_with_fit_and_roundtrips(tmp_path):
    real = RNG.normal(loc=3.0, size=(256, 2)).astype("float32")
    gan = models.gan((2,), latent_dim=4, generator_units=(16,), discriminator_units=(16,), seed=0)
    gan.compile()
    history = gan.fit(real, epochs=3, batch_size=64, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"}
    assert all(np.isfinite(history.history["d_loss"]))
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    noise = RNG.normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(loaded.generator.predict(noise, verbose=0), gan.generator.predict(noise, verbose=0),
                               rtol=1e-6)


def test_gan_sample_shape_on_any_backend():
    model = models.gan((8, 8, 1), latent_dim=3, output_activation="sigmoid")
    samples = model.sample(4, seed=1)
    assert samples.shape == (4, 8, 8, 1) and samples.min() >= 0 and samples.max() <= 1


@pytest.mark.parametrize("call,match", [
    (lambda: models.deep_mlp((4,), 2, depth=0), "depth"),
    (lambda: models.deep_mlp((4,), 2, width=-3), "width"),
    (lambda: models.deep_mlp((4,), 2, dropout=1.0), "dropout"),
    (lambda: models.deep_mlp((4,), 2, activation="relux"), "activation"),
    (lambda: models.deep_mlp((4,), 2, kernel_initializer="xavier"), "kernel_initializer"),
    (lambda: models.deep_mlp((0,), 2), "input_shape"),
    (lambda: models.deep_mlp((4,), 3, task="binary"), "num_outputs=1"),
    (lambda: models.shallow_mlp((4,), 1, task="multiclass"), "multiclass"),
    (lambda: models.cnn((8,), 10), "input_shape"),
    (lambda: models.rnn((10, 1), 2, cell="transformer"), "cell"),
    (lambda: models.rnn((10, 1), 2, vocab_size=20), "input_shape"),
    (lambda: models.transformer_classifier(20, 10, 2, embed_dim=10, num_heads=3), "divisible"),
    (lambda: models.autoencoder((4,), 0), "latent_dim"),
    (lambda: models.autoencoder((4,), 2, noise_stddev=-1), "noise_stddev"),
    (lambda: models.gan((2,), generator_units=()), "generator_units"),
])
def test_bad_arguments_raise_clear_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call,match", [
    (lambda: models.deep_mlp((4,), 2, depth=2.5), "depth"),
    (lambda: models.deep_mlp((4,), "2"), "num_outputs"),
    (lambda: models.deep_mlp((4,), 2, batch_norm="yes"), "batch_norm"),
    (lambda: models.deep_mlp((4,), 2, activation=3), "activation"),
    (lambda: models.cnn("8x8", 10), "input_shape"),
])
def test_wrong_types_raise_type_errors(call, match):
    with pytest.raises(TypeError, match=match):
        call()
