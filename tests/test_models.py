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


def _reference_attention(block: keras.layers.Layer, x: np.ndarray) -> np.ndarray:
    """softmax(Q K^T / sqrt(d)) per head, from the layer's weights, in numpy."""
    attention = block.attention
    w = lambda dense: [keras.ops.convert_to_numpy(v) for v in dense.weights]  # noqa: E731
    (wq, bq), (wk, bk) = w(attention.query_dense), w(attention.key_dense)
    q = np.einsum("ble,ehd->blhd", x, wq) + bq
    k = np.einsum("ble,ehd->blhd", x, wk) + bk
    logits = np.einsum("bihd,bjhd->bhij", q, k) / np.sqrt(q.shape[-1])
    logits -= logits.max(axis=-1, keepdims=True)
    return np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("block", [1, 2])
def test_attention_maps_match_an_independent_softmax(block):
    keras.utils.set_random_seed(3)
    model = models.transformer_classifier(20, 7, 1, embed_dim=8, num_heads=2, num_blocks=2)
    tokens = RNG.integers(0, 20, (5, 7)).astype("int32")
    maps = models.attention_maps(model, tokens, block=block, batch_size=2)  # three batches
    embedding = model.get_layer("embedding")
    table = lambda layer: keras.ops.convert_to_numpy(layer.embeddings)  # noqa: E731
    x = table(embedding.token_embedding)[tokens] + table(embedding.position_embedding)[np.arange(7)]
    if block == 2:  # what the second block sees: the first block's output
        x = keras.ops.convert_to_numpy(model.get_layer("encoder_1")(x, training=False))
    expected = _reference_attention(model.get_layer(f"encoder_{block}"), x)
    assert maps.shape == (5, 2, 7, 7) and maps.dtype == np.float32
    np.testing.assert_allclose(maps, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(maps.sum(axis=-1), 1.0, atol=1e-5)


@pytest.mark.parametrize("kwargs,match", [
    ({"block": 3}, "block=3.*allowed: 1..2"),
    ({"block": 0}, "block"),
    ({"tokens": np.zeros((2, 5), "int32")}, r"shape \(batch, 7\)"),
    ({"tokens": np.zeros((2, 7), "float32")}, "integer token ids"),
])
def test_attention_maps_bad_arguments(kwargs, match):
    model = models.transformer_classifier(20, 7, 1, embed_dim=8, num_heads=2, num_blocks=2)
    call = {"tokens": np.zeros((2, 7), "int32"), **kwargs}
    with pytest.raises(ValueError, match=match):
        models.attention_maps(model, **call)
    with pytest.raises(ValueError, match="no TransformerEncoderBlock"):
        models.attention_maps(models.shallow_mlp((7,), 1), np.zeros((2, 7), "int32"))


def _linear_model(weights: np.ndarray) -> keras.Model:
    inputs = keras.Input(weights.shape)
    flat = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(2, name="linear")
    model = keras.Model(inputs, dense(flat))
    kernel = np.stack([weights.ravel(), -weights.ravel()], axis=1)  # output 1 is minus output 0
    dense.set_weights([kernel.astype("float32"), np.array([0.5, -0.5], "float32")])
    return model


@pytest.mark.parametrize("patch,stride", [(3, 1), (3, 2), (4, 3)])
def test_occlusion_map_matches_brute_force_on_a_linear_model(patch, stride):
    # For output = sum(w * x) + b, hiding square S with `fill` drops the output by
    # sum over S of w * (x - fill); a pixel's value is the mean over the squares covering it.
    weights = RNG.normal(size=(7, 8, 1))
    images = RNG.random((3, 7, 8, 1)).astype("float32")
    fill = 0.3
    model = _linear_model(weights)
    rows = sorted(set(range(0, 7 - patch + 1, stride)) | {7 - patch})
    cols = sorted(set(range(0, 8 - patch + 1, stride)) | {8 - patch})
    expected = np.zeros((3, 7, 8))
    count = np.zeros((7, 8))
    for r in rows:
        for c in cols:
            count[r:r + patch, c:c + patch] += 1
            for k in range(3):
                part = (weights * (images[k] - fill))[r:r + patch, c:c + patch].sum()
                expected[k, r:r + patch, c:c + patch] += part
    expected /= count
    got = models.occlusion_map(model, images, patch=patch, stride=stride, fill=fill, batch_size=5)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    flipped = models.occlusion_map(model, images[..., 0], patch=patch, stride=stride, fill=fill, output=1)
    np.testing.assert_allclose(flipped, -expected, rtol=1e-4, atol=1e-5)  # (n, h, w) images work too
    default = models.occlusion_map(model, images, patch=patch, stride=stride)  # fill: the images' mean
    mean = images.mean()
    np.testing.assert_allclose(default.sum(), models.occlusion_map(model, images, patch=patch, stride=stride,
                                                                     fill=mean).sum(), rtol=1e-5)


def test_occlusion_map_on_logits_undoes_the_sigmoid():
    # A sigmoid head on a linear body: its logit is sum(w * x) + b, so the logit drops are the
    # linear drops, while the probability drops are squashed (small where p is near 1).
    weights = RNG.normal(size=(6, 6, 1))
    inputs = keras.Input((6, 6, 1))
    head = keras.layers.Dense(1, activation="sigmoid", name="output")
    model = keras.Model(inputs, head(keras.layers.Flatten()(inputs)))
    head.set_weights([weights.reshape(-1, 1).astype("float32"), np.array([4.0], "float32")])
    images = RNG.random((2, 6, 6, 1)).astype("float32")
    logit = models.occlusion_map(model, images, patch=6, fill=0.0, score="logit")  # one square: all pixels
    expected = (weights * images).sum(axis=(1, 2, 3))  # hiding everything removes the whole sum
    np.testing.assert_allclose(logit[:, 0, 0], expected, rtol=1e-4, atol=1e-5)
    probability = models.occlusion_map(model, images, patch=6, fill=0.0)
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    np.testing.assert_allclose(probability[:, 0, 0], sigmoid(expected + 4.0) - sigmoid(4.0), rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="needs a model ending in a Dense layer with a sigmoid"):
        models.occlusion_map(_linear_model(weights), images, score="logit")
    with pytest.raises(ValueError, match="score must be one of"):
        models.occlusion_map(model, images, score="gradient")


@pytest.mark.parametrize("kwargs,match", [
    ({"patch": 9}, "patch=9.*allowed: 1..7"),
    ({"patch": 0}, "patch"),
    ({"stride": 0}, "stride"),
    ({"output": 2}, "output=2.*allowed: 0..1"),
    ({"images": np.zeros((7, 8))}, "images must have shape"),
])
def test_occlusion_map_bad_arguments(kwargs, match):
    call = {"images": np.zeros((1, 7, 8, 1), "float32"), **kwargs}
    with pytest.raises(ValueError, match=match):
        models.occlusion_map(_linear_model(np.ones((7, 8, 1))), **call)


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
