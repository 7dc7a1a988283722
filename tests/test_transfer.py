"""kerasdl.transfer: backbones, frozen heads, two-phase fine-tuning with resume, the glyph source."""

from __future__ import annotations

import json
import os

import keras
import numpy as np
import pytest
from PIL import Image

from kerasdl.transfer import (
    GLYPHS,
    PreprocessInput,
    TransferHistory,
    WeightsUnavailableError,
    backbone,
    build_transfer_model,
    find_backbone,
    fine_tune,
    leaf_layers,
    list_backbones,
    parameter_counts,
    unfreeze,
)
from kerasdl.transfer import backbones as backbones_module
from kerasdl.transfer.backbones import _FAMILIES

# Every test here passes on the PyTorch backend as well (the slow ones included); only the
# ones marked backend_neutral are also checked on JAX.
pytestmark = pytest.mark.torch

SOURCE_SMOKE_ACCURACY = 0.5  # 47 classes: chance is 2%; the smoke run reaches ~0.89, the full run 0.996


def _batch_norms(model):
    return [layer for layer in leaf_layers(find_backbone(model)) if isinstance(layer, keras.layers.BatchNormalization)]


def _numpy(weights):
    return [keras.ops.convert_to_numpy(w) for w in weights]


def _digits(per_class=4, seed=0):
    from kerasdl.datasets import load

    data = load("digits")
    rng = np.random.default_rng(seed)
    index = np.concatenate([rng.choice(np.flatnonzero(data.y_train == c), per_class, replace=False)
                            for c in range(10)])
    return data.x_train[index], data.y_train[index], data


# ---------------------------------------------------------------- preprocessing


@pytest.mark.backend_neutral
@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_preprocess_layer_matches_keras_preprocess_input(mode):
    from keras.applications import imagenet_utils

    x = np.random.default_rng(0).uniform(0, 255, (2, 5, 5, 3)).astype("float32")
    expected = imagenet_utils.preprocess_input(x.copy(), mode=mode)
    np.testing.assert_allclose(np.asarray(PreprocessInput(mode)(x)), expected, rtol=1e-5, atol=1e-4)


@pytest.mark.backend_neutral
def test_preprocess_layer_standardize_none_and_config():
    x = np.full((1, 2, 2, 1), 0.5, dtype="float32")
    layer = PreprocessInput("standardize", mean=0.25, std=0.5, name="preprocess")
    np.testing.assert_allclose(np.asarray(layer(x)), 0.5)
    clone = PreprocessInput.from_config(layer.get_config())
    assert (clone.mode, clone.mean, clone.std) == ("standardize", 0.25, 0.5)
    np.testing.assert_array_equal(np.asarray(PreprocessInput("none")(x)), x)
    with pytest.raises(ValueError, match="mode"):
        PreprocessInput("imagenet")
    with pytest.raises(ValueError, match="std"):
        PreprocessInput("standardize", std=0.0)


# ---------------------------------------------------------------- backbones

_QUICK = {"mobilenetv2", "mobilenetv3small", "mobilenetv3large", "efficientnetb0", "vgg16"}


@pytest.mark.parametrize("name", [n if n in _QUICK else pytest.param(n, marks=pytest.mark.slow) for n in _FAMILIES])
def test_every_keras_family_builds_headless_with_its_preprocessing(name):
    family = _FAMILIES[name]
    side = max(32, family.min_size)
    features = backbone(name, weights=None, input_shape=(side, side, 3))
    assert features.layers[1].name == "preprocess" and features.layers[1].mode == family.preprocess
    assert len(features.output.shape) == 4
    model = build_transfer_model(features, 3)
    counts = parameter_counts(model)
    assert counts["trainable"] == features.output.shape[-1] * 3 + 3


def test_names_are_forgiving_and_listed():
    assert {"resnet50", "mobilenetv2", "mobilenetv3small", "efficientnetb0", GLYPHS} <= set(list_backbones())
    features = backbone("MobileNet_V3-Small", weights=None, input_shape=(32, 32, 3))
    assert features.inputs[0].shape == (None, 32, 32, 3)


def test_glyph_backbone_ships_small_and_pretrained():
    assert os.path.getsize(backbones_module.GLYPHS_PATH) < 500 * 1024
    pretrained = backbone(GLYPHS)
    scratch = backbone(GLYPHS, weights=None)
    assert pretrained.input.shape == (None, 8, 8, 1) and pretrained.output.shape == (None, 1, 1, 128)
    assert pretrained.get_layer("preprocess").mode == "standardize"
    # Same architecture and source statistics, different (random) weights.
    assert scratch.get_layer("preprocess").get_config()["mean"] == pretrained.get_layer("preprocess").mean
    assert [w.shape for w in scratch.weights] == [w.shape for w in pretrained.weights]
    assert not np.allclose(keras.ops.convert_to_numpy(scratch.weights[0]), keras.ops.convert_to_numpy(pretrained.weights[0]))


def test_glyph_features_beat_random_features_on_handwritten_digits():
    from sklearn.linear_model import LogisticRegression

    x, y, data = _digits(per_class=5)
    flat = lambda images: images.reshape(len(images), -1)
    scores = {"pixels": LogisticRegression(max_iter=3000).fit(flat(x), y).score(flat(data.x_test), data.y_test)}
    for weights in ("pretrained", None):
        keras.utils.set_random_seed(0)
        features = backbone(GLYPHS, weights=weights)
        encode = lambda images: np.asarray(features.predict(images, verbose=0)).reshape(len(images), -1)
        classifier = LogisticRegression(max_iter=3000).fit(encode(x), y)
        scores[weights] = classifier.score(encode(data.x_test), data.y_test)
    assert scores["pretrained"] > max(scores[None], scores["pixels"]) + 0.03, scores


def test_offline_imagenet_fails_fast_with_instructions(monkeypatch, tmp_path):
    monkeypatch.setattr(backbones_module, "weights_cache_dir", lambda: str(tmp_path))
    monkeypatch.setattr(backbones_module, "WEIGHTS_HOST", ("127.0.0.1", 9))  # nothing listens: refused at once

    def no_keras_call(*args, **kwargs):
        raise AssertionError("keras.applications must not be called when the weights cannot be had")

    monkeypatch.setattr(keras.applications, "ResNet50", no_keras_call)
    with pytest.raises(WeightsUnavailableError) as caught:
        backbone("resnet50", weights="imagenet", input_shape=(32, 32, 3))
    message = str(caught.value)
    assert "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5" in message
    assert str(tmp_path) in message and "~/.keras/models" in message
    assert "weights=None" in message and "keras.applications.ResNet50(include_top=False" in message
    assert isinstance(caught.value, ConnectionError)


def test_offline_message_names_the_size_specific_weights_file(monkeypatch, tmp_path):
    # MobileNetV2 keeps one weights file per input size: the fetch command must build that size.
    monkeypatch.setattr(backbones_module, "weights_cache_dir", lambda: str(tmp_path))
    monkeypatch.setattr(backbones_module, "WEIGHTS_HOST", ("127.0.0.1", 9))
    with pytest.raises(WeightsUnavailableError) as caught:
        backbone("mobilenetv2", weights="imagenet", input_shape=(160, 160, 3))
    message = str(caught.value)
    assert "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_160_no_top.h5" in message
    assert "MobileNetV2(include_top=False, weights='imagenet', input_shape=(160, 160, 3))" in message
    with pytest.raises(WeightsUnavailableError) as caught:
        backbone("mobilenetv2", weights="imagenet", input_shape=(224, 224, 3))
    assert "MobileNetV2(include_top=False, weights='imagenet')" in str(caught.value)


def test_cached_weights_skip_the_network_probe(monkeypatch, tmp_path):
    monkeypatch.setattr(backbones_module, "weights_cache_dir", lambda: str(tmp_path))

    def no_probe(*args, **kwargs):
        raise AssertionError("a cached weights file must not trigger a network probe")

    monkeypatch.setattr(backbones_module, "can_reach", no_probe)
    family = _FAMILIES["mobilenetv2"]
    (tmp_path / family.weights_file.format(rows=160)).write_bytes(b"cached")
    backbones_module._check_imagenet_weights(family, 160)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"name": "resnet51"}, ValueError, "resnet50"),
        ({"name": 50}, TypeError, "name"),
        ({"name": "resnet50", "weights": 3}, TypeError, "weights"),
        ({"name": "resnet50", "weights": None, "input_shape": (32, 32, 1)}, ValueError, "3 \\(RGB\\) channels"),
        ({"name": "inceptionv3", "weights": None, "input_shape": (64, 64, 3)}, ValueError, "at least 75x75"),
        ({"name": "resnet50", "weights": "missing.h5"}, ValueError, "no such file"),
        ({"name": "resnet50", "weights": None, "output_layer": "x"}, ValueError, "output_layer"),
        ({"name": GLYPHS, "weights": "imagenet"}, ValueError, "weights"),
        ({"name": GLYPHS, "input_shape": (16, 16, 1)}, ValueError, "input_shape"),
        ({"name": "nowhere/mine.keras"}, ValueError, "no such file"),
    ],
)
def test_backbone_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        backbone(**kwargs)


# ---------------------------------------------------------------- head and freezing


@pytest.mark.backend_neutral
def test_build_transfer_model_freezes_exactly_the_backbone(capsys):
    features = backbone(GLYPHS)
    backbone_weights = parameter_counts(features)["total"]
    model = build_transfer_model(features, 10, dense_units=16, verbose=True)
    head = 128 * 16 + 16 + 16 * 10 + 10
    assert parameter_counts(model) == {"trainable": head, "non_trainable": backbone_weights,
                                       "total": head + backbone_weights}
    assert "trainable parameters: 2,234 of" in capsys.readouterr().out
    assert [layer.name for layer in model.layers[2:]] == ["pool", "dense", "dropout", "output"]
    assert find_backbone(model) is features
    binary = build_transfer_model(backbone(GLYPHS), 1, dropout=0.0)
    assert binary.get_layer("output").activation.__name__ == "sigmoid"


@pytest.mark.backend_neutral
def test_unfreeze_counts_weighted_layers_and_keeps_batch_norm_frozen():
    model = build_transfer_model(backbone(GLYPHS), 10)
    head = 128 * 10 + 10
    assert unfreeze(model, 1) == ["conv_block_3_conv"]
    assert parameter_counts(model)["trainable"] == head + 3 * 3 * 64 * 128
    assert unfreeze(model, "conv_block_2_conv") == ["conv_block_2_conv", "conv_block_3_conv"]
    assert unfreeze(model, "all") == ["conv_block_1_conv", "conv_block_2_conv", "conv_block_3_conv"]
    assert all(not layer.trainable for layer in _batch_norms(model))
    assert unfreeze(model, 0) == [] and parameter_counts(model)["trainable"] == head
    with pytest.raises(ValueError, match="only 3 weighted layers"):
        unfreeze(model, 4)
    with pytest.raises(ValueError, match="conv_block_9"):
        unfreeze(model, "conv_block_9")
    with pytest.raises(TypeError, match="layers"):
        unfreeze(model, True)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"backbone": "resnet50"}, TypeError, "backbone"),
        ({"num_classes": 0}, ValueError, "num_classes"),
        ({"pooling": "mean"}, ValueError, "pooling"),
        ({"dropout": 1.0}, ValueError, "dropout"),
        ({"dense_units": -1}, ValueError, "dense_units"),
        ({"freeze": "yes"}, TypeError, "freeze"),
    ],
)
def test_build_transfer_model_bad_arguments(kwargs, error, match):
    arguments = {"backbone": backbone(GLYPHS), "num_classes": 2, **kwargs}
    with pytest.raises(error, match=match):
        build_transfer_model(**arguments)


# ---------------------------------------------------------------- two-phase training


def _xray_folder(root, per_class=6):
    rng = np.random.default_rng(1)
    for label, name in enumerate(("normal", "pneumonia")):
        os.makedirs(root / name)
        for index in range(per_class):
            pixels = rng.integers(0, 90, (16, 16)) + 120 * label * (np.arange(16)[None, :] > 8)
            Image.fromarray(pixels.astype("uint8")).save(root / name / f"{index}.png")
    return root


def test_fine_tune_on_an_image_folder_with_an_own_keras_backbone(tmp_path):
    from kerasdl.datasets import image_folder
    from kerasdl.models import cnn
    from kerasdl.training import compile_for

    data = image_folder(_xray_folder(tmp_path / "xrays"), image_size=16, validation_split=0.34, batch_size=4)
    # A learner's own small network, trained once and saved: it becomes the backbone.
    keras.utils.set_random_seed(0)
    own = compile_for(cnn((16, 16, 3), 2, filters=(4, 8), batch_norm=True))
    own.fit(data.train, epochs=1, verbose=0)
    own.save(tmp_path / "mine.keras")
    model = build_transfer_model(backbone(str(tmp_path / "mine.keras")), data.num_classes)
    features = find_backbone(model)
    frozen_before = _numpy(features.weights)
    bn_before = _numpy(w for layer in _batch_norms(model) for w in layer.weights)

    result = fine_tune(model, data.train, data.validation, head_epochs=2, fine_tune_epochs=2, unfreeze="all")
    assert result.boundary == 2 and len(result.history["val_accuracy"]) == 4
    assert result.unfrozen == ["conv_block_1_conv", "conv_block_2_conv"]
    assert result.trainable_params["head"] == 8 * 2 + 2
    assert result.trainable_params["fine_tune"] == result.trainable_params["head"] + 3 * 3 * 3 * 4 + 3 * 3 * 4 * 8
    # Phase 2 changed the convolutions but neither the BN moving statistics nor gamma/beta.
    bn_after = _numpy(w for layer in _batch_norms(model) for w in layer.weights)
    for before, after in zip(bn_before, bn_after):
        np.testing.assert_array_equal(before, after)
    conv = features.get_layer("conv_block_1_conv").kernel
    assert not np.allclose(keras.ops.convert_to_numpy(conv), frozen_before[[w.path for w in features.weights].index(conv.path)])

    model.save(tmp_path / "tuned.keras")
    restored = keras.saving.load_model(tmp_path / "tuned.keras", safe_mode=True)
    images = next(iter(data.validation))[0]
    np.testing.assert_allclose(restored.predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-5)


@pytest.mark.slow
def test_the_courses_recipe_resnet50_two_neurons_frozen_then_top_layers(tmp_path):
    """The course's own example, as code: ResNet50, a new 2-neuron head, frozen, then its top unfrozen.

    `weights=None` stands in for ImageNet here (no download); with the weights in the Keras cache
    the same call with `weights="imagenet"` is the recipe the course describes.
    """
    from kerasdl.datasets import image_folder

    data = image_folder(_xray_folder(tmp_path / "xrays"), image_size=32, validation_split=0.34, batch_size=4)
    keras.utils.set_random_seed(0)
    model = build_transfer_model(backbone("resnet50", weights=None, input_shape=(32, 32, 3)), 2)
    assert model.output_shape == (None, 2)
    features = find_backbone(model)
    bn_before = _numpy(w for layer in _batch_norms(model) for w in layer.weights)
    result = fine_tune(model, data.train, data.validation, head_epochs=1, fine_tune_epochs=1,
                       unfreeze="conv5_block1_1_conv")
    assert result.trainable_params["head"] == 2048 * 2 + 2  # pooled ResNet50 features -> 2 neurons
    assert result.unfrozen and all(name.startswith("conv5_") for name in result.unfrozen)
    assert "conv4_block6_3_conv" not in result.unfrozen
    assert features.get_layer("conv1_conv").trainable is False
    bn_after = _numpy(w for layer in _batch_norms(model) for w in layer.weights)
    for before, after in zip(bn_before, bn_after):
        np.testing.assert_array_equal(before, after)
    assert len(result.history["val_accuracy"]) == 2


def test_why_unfreeze_keeps_batch_norm_frozen():
    """In Keras 3, fit() overrides the backbone's training=False (keras-team/keras#20285).

    Only BatchNormalization layers with trainable=False keep their moving statistics during fit,
    which is why `unfreeze` never unfreezes them. If a Keras release changes this, the docs of
    kerasdl.transfer.head need updating.
    """
    from kerasdl.training import compile_for

    x, y, _ = _digits(per_class=3)
    statistics = {}
    for keep_frozen in (True, False):
        keras.utils.set_random_seed(0)
        model = build_transfer_model(backbone(GLYPHS), 10)
        unfreeze(model, "all")
        if not keep_frozen:
            for layer in _batch_norms(model):
                layer.trainable = True
        layer = _batch_norms(model)[0]
        before = keras.ops.convert_to_numpy(layer.moving_mean)
        compile_for(model, learning_rate=1e-3).fit(x, y, epochs=1, batch_size=10, verbose=0)
        statistics[keep_frozen] = np.abs(keras.ops.convert_to_numpy(layer.moving_mean) - before).max()
    assert statistics[True] == 0.0 and statistics[False] > 0.0


def test_phase_one_trains_only_the_head():
    x, y, _ = _digits(per_class=2)
    model = build_transfer_model(backbone(GLYPHS), 10)
    before = _numpy(find_backbone(model).weights)
    head_before = keras.ops.convert_to_numpy(model.get_layer("output").kernel)
    result = fine_tune(model, (x, y), head_epochs=2, fine_tune_epochs=0, batch_size=8)
    assert result.fine_tune == {} and result.boundary == 2
    for old, new in zip(before, _numpy(find_backbone(model).weights)):
        np.testing.assert_array_equal(old, new)
    assert not np.allclose(head_before, keras.ops.convert_to_numpy(model.get_layer("output").kernel))


class _Crash(keras.callbacks.Callback):
    """Stands in for Ctrl-C or a power cut: stops training when an epoch begins."""

    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError(f"interrupted at epoch {epoch}")


class _Epochs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(epoch)


def test_interrupted_fine_tuning_resumes_without_redoing_phase_one(tmp_path):
    x, y, data = _digits(per_class=2)
    settings = dict(head_epochs=2, fine_tune_epochs=3, unfreeze=1, batch_size=10, checkpoint_dir=tmp_path / "run")
    keras.utils.set_random_seed(0)
    model = build_transfer_model(backbone(GLYPHS), 10)
    with pytest.raises(RuntimeError, match="epoch 3"):
        fine_tune(model, (x, y), (data.x_test[:50], data.y_test[:50]), callbacks=[_Crash(3)], **settings)
    assert os.path.isfile(tmp_path / "run" / "head.weights.h5")

    # A fresh process would rebuild the same model; the checkpoint restores its weights.
    model = build_transfer_model(backbone(GLYPHS), 10)
    epochs = _Epochs()
    result = fine_tune(model, (x, y), (data.x_test[:50], data.y_test[:50]), callbacks=[epochs], **settings)
    assert epochs.seen == [3, 4]  # phase 1 (epochs 0-1) and epoch 2 were not redone
    assert result.boundary == 2 and len(result.fine_tune["loss"]) == 3 and len(result.history["loss"]) == 5
    assert not os.path.exists(tmp_path / "run" / "fine_tune_backup")

    # Once finished, a rerun only restores the final weights.
    again = _Epochs()
    rerun_model = build_transfer_model(backbone(GLYPHS), 10)
    rerun = fine_tune(rerun_model, (x, y), (data.x_test[:50], data.y_test[:50]), callbacks=[again], **settings)
    assert again.seen == [] and rerun.history == result.history
    np.testing.assert_allclose(rerun_model.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    with pytest.raises(ValueError, match="other settings"):
        fine_tune(rerun_model, (x, y), **{**settings, "fine_tune_epochs": 4})


@pytest.mark.slow
def test_interrupted_head_phase_resumes_too(tmp_path):
    x, y, _ = _digits(per_class=2)
    settings = dict(head_epochs=3, fine_tune_epochs=1, unfreeze=1, batch_size=10, checkpoint_dir=tmp_path)
    model = build_transfer_model(backbone(GLYPHS), 10)
    with pytest.raises(RuntimeError):
        fine_tune(model, (x, y), callbacks=[_Crash(1)], **settings)
    epochs = _Epochs()
    result = fine_tune(build_transfer_model(backbone(GLYPHS), 10), (x, y), callbacks=[epochs], **settings)
    assert epochs.seen == [1, 2, 3] and result.boundary == 3


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"head_epochs": 0}, ValueError, "head_epochs"),
        ({"fine_tune_epochs": -1}, ValueError, "fine_tune_epochs"),
        ({"unfreeze": "no_such_layer"}, ValueError, "no_such_layer"),
        ({"fine_tune_learning_rate": 0.0}, ValueError, "fine_tune_learning_rate"),
        ({"train": None}, ValueError, "train"),
        ({"train": (1, 2, 3)}, ValueError, "train"),
        ({"callbacks": "checkpoint"}, TypeError, "callbacks"),
        ({"model": "resnet50"}, TypeError, "model"),
    ],
)
def test_fine_tune_bad_arguments_fail_before_training(kwargs, error, match):
    x, y, _ = _digits(per_class=1)
    arguments = {"model": build_transfer_model(backbone(GLYPHS), 10), "train": (x, y), **kwargs}
    with pytest.raises(error, match=match):
        fine_tune(**arguments)


@pytest.mark.backend_neutral
def test_transfer_history_merges_phases_and_plots_the_boundary():
    from kerasdl.plots import plot_transfer_history

    history = TransferHistory({"loss": [1.0, 0.8], "val_loss": [1.1, 0.9]}, {"loss": [0.5], "val_loss": [0.7]})
    assert history.history == {"loss": [1.0, 0.8, 0.5], "val_loss": [1.1, 0.9, 0.7]} and history.boundary == 2
    fig = plot_transfer_history(history)
    (ax,) = fig.axes
    assert ax.get_title() == "loss" and len(ax.lines) == 3
    assert ax.lines[-1].get_xdata()[0] == 2.5
    fig_from_dict = plot_transfer_history(history.to_dict(), metrics=["loss"])
    assert len(fig_from_dict.axes) == 1
    with pytest.raises(TypeError, match="TransferHistory"):
        plot_transfer_history({"loss": [1.0]})
    with pytest.raises(ValueError, match="accuracy"):
        plot_transfer_history(history, metrics=["accuracy"])


# ---------------------------------------------------------------- the glyph source task


@pytest.mark.backend_neutral
def test_glyph_dataset_is_deterministic_sklearn_style():
    from kerasdl.transfer.glyphs import GLYPH_CLASSES, glyph_dataset

    x, y = glyph_dataset(3, seed=5)
    again, _ = glyph_dataset(3, seed=5)
    np.testing.assert_array_equal(x, again)
    assert x.shape == (3 * len(GLYPH_CLASSES), 8, 8, 1) and len(GLYPH_CLASSES) == 47
    assert not set(GLYPH_CLASSES) & set("0123456789")  # the transfer target is digits
    assert np.array_equal(np.bincount(y), np.full(47, 3))
    np.testing.assert_array_equal(x * 16, np.round(x * 16))  # 4x4 block counts, 0..16
    assert 0.0 <= x.min() and x.max() <= 1.0 and 0.15 < x.mean() < 0.5
    with pytest.raises(ValueError, match="classes"):
        glyph_dataset(1, classes=("ab",))
    with pytest.raises(ValueError, match="fonts"):
        glyph_dataset(1, fonts=("Arial.ttf",))


@pytest.mark.slow
def test_pretrain_script_reproduces_a_useful_backbone_in_smoke_mode(tmp_path, capsys):
    from sklearn.linear_model import LogisticRegression

    from kerasdl.transfer.pretrain import main, metadata_path

    path = tmp_path / "glyphs.keras"
    main(["--smoke", "--out", str(path)])
    printed = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines() if ": " in line)
    assert float(printed["source_test_accuracy"]) > SOURCE_SMOKE_ACCURACY
    features = backbone(str(path))
    assert features.output.shape == (None, 1, 1, 128)
    with open(metadata_path(str(path)), encoding="utf-8") as handle:
        assert json.load(handle)["source_test_accuracy"] == pytest.approx(float(printed["source_test_accuracy"]), rel=1e-3)
    x, y, data = _digits(per_class=10)
    encode = lambda images: np.asarray(features.predict(images, verbose=0)).reshape(len(images), -1)
    accuracy = LogisticRegression(max_iter=3000).fit(encode(x), y).score(encode(data.x_test), data.y_test)
    # The shipped backbone scores ~0.95 here, the smoke one ~0.93, random conv features ~0.88
    # and raw pixels ~0.87 (see the test above): the source has no digits, yet helps.
    assert accuracy > 0.90, accuracy


def test_shipped_glyph_backbone_records_how_it_was_made():
    from kerasdl.transfer.glyphs import GLYPH_CLASSES
    from kerasdl.transfer.pretrain import FULL, metadata_path

    with open(metadata_path(backbones_module.GLYPHS_PATH), encoding="utf-8") as handle:
        record = json.load(handle)
    assert record["made_by"] == "python -m kerasdl.transfer.pretrain"
    assert record["class_names"] == "".join(GLYPH_CLASSES) and not any(c.isdigit() for c in record["class_names"])
    assert (record["per_class"], record["epochs"], record["seed"]) == (FULL["per_class"], FULL["epochs"], 0)
    assert record["source_test_accuracy"] > 0.9


@pytest.mark.slow
def test_comparison_selects_on_validation_and_pairs_by_seed():
    from kerasdl.stats import LearningCurve
    from kerasdl.transfer.experiment import UNFREEZE, digits_transfer_comparison

    curve = digits_transfer_comparison(labels_per_class=(2,), seeds=(0, 1), steps=2, unfreeze=UNFREEZE)
    assert isinstance(curve, LearningCurve) and curve.sizes == [20]
    runs = curve.runs[20]
    assert runs.models == ["pixels_logreg", "scratch", "frozen", "fine_tuned"] and runs.seeds == [0, 1]
    assert all(0 <= row["val_accuracy"] <= 1 and 0 <= row["test_accuracy"] <= 1 for row in runs.rows)
    assert all(row["best_epoch"] >= 1 for row in runs.rows if row["model"] != "pixels_logreg")
    assert curve.paired("fine_tuned", "scratch")[20].n == 2
    with pytest.raises(ValueError, match="seeds"):
        digits_transfer_comparison(labels_per_class=(2,), seeds=(0, 0), steps=2)


@pytest.mark.backend_neutral
def test_comparison_repeats_small_samples_to_whole_batches():
    from kerasdl.transfer.experiment import _BATCH, _MIN_EPOCH_BATCHES, _repeat

    for n in (30, 50, 1000):
        x = np.arange(n, dtype="float32").reshape(n, 1, 1, 1)
        x_fit, y_fit = _repeat(x, np.arange(n), seed=0)
        assert len(x_fit) % _BATCH == 0 and len(x_fit) >= max(n, _MIN_EPOCH_BATCHES * _BATCH)
        np.testing.assert_array_equal(x_fit.reshape(-1), y_fit)  # images keep their labels
        counts = np.bincount(y_fit, minlength=n)
        assert counts.min() >= 1 and counts.max() - counts.min() <= 1
