"""Pre-trained backbones without their top, with the matching preprocessing attached.

`backbone(name)` returns a `keras.Model` mapping raw images to feature maps.
Its first layer is a `PreprocessInput` that does what the family's
`keras.applications.<family>.preprocess_input` does, so a learner feeds the
pixels the weights were trained on (0..255 for ImageNet families) and cannot
forget the step. Names: every family in `list_backbones()`, `"kerasdl_glyphs"`
(the small backbone shipped in `kerasdl/assets`, pre-trained on synthetic
glyphs, for 8x8 images in [0, 1]) or a path to a `.keras` model of your own.

ImageNet weights are downloaded by Keras on first use into
`~/.keras/models` (or `$KERAS_HOME/models`). Offline, `backbone` fails at once
with a `WeightsUnavailableError` that says which file is missing and how to
fetch it on a connected machine, instead of hanging on a socket.

Example:
    >>> from kerasdl.transfer import backbone
    >>> features = backbone("mobilenetv2", weights=None, input_shape=(32, 32, 3))
    >>> features.layers[1].name, features.output.shape
    ('preprocess', (None, 1, 1, 1280))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import keras

from kerasdl.network import can_reach
from kerasdl.validation import check_shape

GLYPHS = "kerasdl_glyphs"
"""Name of the backbone shipped with kerasdl: a small CNN pre-trained on printed glyphs."""
_ASSETS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "assets")
GLYPHS_PATH = os.path.join(_ASSETS, f"{GLYPHS}.keras")

# Where keras.applications downloads from; probed with a short timeout.
WEIGHTS_HOST = ("storage.googleapis.com", 443)
PROBE_TIMEOUT_S = 3.0

_MODES = ("caffe", "tf", "torch", "none", "standardize")
_IMAGENET_MEAN_RGB = (123.68, 116.779, 103.939)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


class WeightsUnavailableError(ConnectionError):
    """Pre-trained weights are neither in the Keras cache nor downloadable.

    Example:
        >>> issubclass(WeightsUnavailableError, ConnectionError)
        True
    """


@keras.saving.register_keras_serializable(package="kerasdl")
class PreprocessInput(keras.layers.Layer):
    """The `preprocess_input` of a backbone family, as a saveable layer.

    Modes (the same as `keras.applications.imagenet_utils.preprocess_input`):
    `"caffe"` RGB->BGR then subtract the ImageNet channel means (ResNet, VGG);
    `"tf"` scale 0..255 to -1..1 (MobileNetV2, Inception, Xception);
    `"torch"` scale to 0..1 then standardise per channel (DenseNet);
    `"none"` identity (EfficientNet, MobileNetV3, ConvNeXt preprocess inside);
    `"standardize"` `(x - mean) / std` with the statistics of a source dataset.

    Args:
        mode: One of the modes above.
        mean: For "standardize": a number or one number per channel.
        std: For "standardize": a number or one number per channel (> 0).
        **kwargs: Standard layer arguments (`name`, ...).

    Example:
        >>> import numpy as np
        >>> layer = PreprocessInput("tf")
        >>> np.asarray(layer(np.array([[0.0, 255.0]]))).tolist()
        [[-1.0, 1.0]]
    """

    def __init__(self, mode: str = "none", mean: Any = 0.0, std: Any = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {list(_MODES)}; got {mode!r}.")
        self.mode = mode
        self.mean = [float(v) for v in mean] if isinstance(mean, (list, tuple)) else float(mean)
        self.std = [float(v) for v in std] if isinstance(std, (list, tuple)) else float(std)
        if min(self.std if isinstance(self.std, list) else [self.std]) <= 0:
            raise ValueError(f"std must be > 0; got {std!r}.")

    def call(self, inputs: Any) -> Any:
        x = keras.ops.cast(inputs, self.compute_dtype)
        if self.mode == "tf":
            return x / 127.5 - 1.0
        if self.mode == "torch":
            return (x / 255.0 - keras.ops.array(_TORCH_MEAN, x.dtype)) / keras.ops.array(_TORCH_STD, x.dtype)
        if self.mode == "caffe":
            x = keras.ops.flip(x, axis=-1)
            return x - keras.ops.array(_IMAGENET_MEAN_RGB[::-1], x.dtype)
        if self.mode == "standardize":
            mean = keras.ops.array(self.mean, x.dtype)
            return (x - mean) / keras.ops.array(self.std, x.dtype)
        return x

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode, "mean": self.mean, "std": self.std}


@dataclass(frozen=True)
class _Family:
    display: str  # the keras.applications constructor
    preprocess: str
    min_size: int
    weights_file: str  # no-top file name in the Keras cache; "{rows}" filled for MobileNetV2


_FAMILIES: dict[str, _Family] = {
    "resnet50": _Family("ResNet50", "caffe", 32, "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "resnet50v2": _Family("ResNet50V2", "tf", 32, "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "vgg16": _Family("VGG16", "caffe", 32, "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "mobilenetv2": _Family("MobileNetV2", "tf", 32,
                           "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_{rows}_no_top.h5"),
    "mobilenetv3small": _Family("MobileNetV3Small", "none", 32,
                                "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"),
    "mobilenetv3large": _Family("MobileNetV3Large", "none", 32,
                                "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5"),
    "efficientnetb0": _Family("EfficientNetB0", "none", 32, "efficientnetb0_notop.h5"),
    "efficientnetv2b0": _Family("EfficientNetV2B0", "none", 32, "efficientnetv2-b0_notop.h5"),
    "densenet121": _Family("DenseNet121", "torch", 32, "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "inceptionv3": _Family("InceptionV3", "tf", 75, "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "xception": _Family("Xception", "tf", 71, "xception_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "convnexttiny": _Family("ConvNeXtTiny", "none", 32, "convnext_tiny_notop.h5"),
}


def list_backbones() -> list[str]:
    """Return the backbone names `backbone()` accepts (besides a `.keras` path).

    Example:
        >>> "resnet50" in list_backbones() and "kerasdl_glyphs" in list_backbones()
        True
    """
    return [*_FAMILIES, GLYPHS]


def _normalise(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "").replace(" ", "")


def weights_cache_dir() -> str:
    """Return the folder where Keras keeps downloaded weights (`~/.keras/models`).

    It is `$KERAS_HOME/models` when `KERAS_HOME` was set before Keras was
    imported, and `/tmp/.keras/models` when the home folder is read-only.

    Example:
        >>> weights_cache_dir().endswith("models")
        True
    """
    try:  # the value Keras itself will use (fixed when Keras was imported)
        from keras.src.backend.config import keras_home

        home = keras_home()
    except ImportError:  # pragma: no cover - older/newer layouts
        home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    home = os.path.expanduser(home)
    if not os.access(home, os.W_OK):
        home = os.path.join("/tmp", ".keras")
    return os.path.join(home, "models")


def _check_imagenet_weights(family: _Family, rows: int) -> None:
    file_name = family.weights_file.format(rows=rows)
    # Families with one file per input size download the file of the size they are built with.
    shape = f", input_shape=({rows}, {rows}, 3)" if "{rows}" in family.weights_file and rows != 224 else ""
    cached = os.path.join(weights_cache_dir(), file_name)
    if os.path.isfile(cached):
        return
    if can_reach(WEIGHTS_HOST[0], port=WEIGHTS_HOST[1], timeout=PROBE_TIMEOUT_S):
        return
    raise WeightsUnavailableError(
        f"{family.display} ImageNet weights are not in the Keras cache ({cached} is missing) and "
        f"{WEIGHTS_HOST[0]} cannot be reached within {PROBE_TIMEOUT_S:g} s, so they cannot be downloaded.\n"
        f"On a machine with internet access run:\n"
        f"    python -c \"import keras; keras.applications.{family.display}(include_top=False, "
        f"weights='imagenet'{shape})\"\n"
        f"then copy ~/.keras/models/{file_name} to {weights_cache_dir()}/ on this machine "
        f"(or point KERAS_HOME at a folder whose models/ holds it). Alternatives: weights=None "
        f"(random initialisation), weights='path/to/weights.h5', or backbone('{GLYPHS}'), which ships with "
        f"kerasdl and needs no download."
    )


def _from_keras_file(path: str, output_layer: str | None, name: str | None) -> keras.Model:
    if not os.path.isfile(path):
        raise ValueError(f"name={path!r} looks like a .keras file but no such file exists.")
    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    layer_names = [layer.name for layer in model.layers]
    if output_layer is None and "output" in layer_names:
        # A kerasdl classifier: cut off its head, keep everything before it.
        features = model.get_layer("output").input
    elif output_layer is None:
        features = model.outputs[0]
    elif output_layer in layer_names:
        features = model.get_layer(output_layer).output
    else:
        raise ValueError(f"output_layer={output_layer!r} is not a layer of {path!r}; it has {layer_names}.")
    if features is model.outputs[0] and name is None:
        return model
    return keras.Model(model.inputs, features, name=name or model.name)


def backbone(
    name: str,
    weights: str | None = "pretrained",
    input_shape: tuple[int, int, int] | None = None,
    output_layer: str | None = None,
) -> keras.Model:
    """Return a pre-trained feature extractor without its classification top.

    Args:
        name: A name from `list_backbones()` (case, `_` and `-` ignored:
            "ResNet50", "mobilenet_v2", "EfficientNetB0"...), `"kerasdl_glyphs"`,
            or a path to a `.keras` model of your own.
        weights: `"pretrained"` (the family's own: ImageNet for Keras
            families, the shipped file for kerasdl_glyphs), `"imagenet"`,
            `None` (random initialisation: the same network trained from
            scratch) or a path to a weights file for a Keras family.
        input_shape: `(height, width, 3)` for Keras families (default
            (224, 224, 3); at least the family's minimum size). kerasdl_glyphs
            takes (8, 8, 1) only.
        output_layer: For a `.keras` path: the layer whose output is the
            features. Default: the input of a layer named "output" (the head
            of every kerasdl classifier) if there is one, else the model output.

    Returns:
        An uncompiled, trainable `keras.Model` from images to features; for
        named families its first layer after the input is `PreprocessInput`
        ("preprocess").

    Raises:
        WeightsUnavailableError: ImageNet weights are not cached and cannot
            be downloaded (checked in a few seconds, before Keras is called).

    Example:
        >>> glyphs = backbone("kerasdl_glyphs")
        >>> glyphs.input.shape, glyphs.layers[1].name
        ((None, 8, 8, 1), 'preprocess')
    """
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"name must be a backbone name {list_backbones()} or a .keras path; got {name!r}.")
    name = os.fspath(name)
    if weights is not None and not isinstance(weights, str):
        raise TypeError(f"weights must be 'pretrained', 'imagenet', None or a file path; got {weights!r}.")
    if output_layer is not None and not isinstance(output_layer, str):
        raise TypeError(f"output_layer must be a layer name (str) or None; got {output_layer!r}.")
    key = _normalise(name)
    if key == _normalise(GLYPHS):
        if weights not in ("pretrained", None):
            raise ValueError(f"weights for {GLYPHS!r} must be 'pretrained' or None; got {weights!r}.")
        if input_shape is not None and tuple(input_shape) != (8, 8, 1):
            raise ValueError(f"input_shape for {GLYPHS!r} must be (8, 8, 1) (8x8 grey images); got {input_shape!r}.")
        if not os.path.isfile(GLYPHS_PATH):
            raise FileNotFoundError(f"{GLYPHS_PATH} is missing; rebuild it with `python -m kerasdl.transfer.pretrain`.")
        model = _from_keras_file(GLYPHS_PATH, None, None)
        # Same layers (and the same source statistics in "preprocess"), fresh random weights.
        return keras.models.clone_model(model) if weights is None else model
    if name.endswith(".keras") or os.path.sep in name:
        if weights != "pretrained" or input_shape is not None:
            raise ValueError(f"a .keras backbone brings its own weights and input shape; pass neither "
                             f"(got weights={weights!r}, input_shape={input_shape!r}).")
        return _from_keras_file(name, output_layer, None)
    if key not in _FAMILIES:
        raise ValueError(f"name must be one of {list_backbones()} or a path to a .keras file; got {name!r}.")
    if output_layer is not None:
        raise ValueError("output_layer applies to .keras files only; Keras families end at their last conv block.")
    family = _FAMILIES[key]
    shape = check_shape("input_shape", (224, 224, 3) if input_shape is None else input_shape, ndim=3)
    if shape[2] != 3:
        raise ValueError(f"input_shape for {family.display} must have 3 (RGB) channels; got {shape!r}. "
                         "Load grey images as RGB (image_folder(color_mode='rgb')) or repeat the channel.")
    if min(shape[:2]) < family.min_size:
        raise ValueError(f"input_shape for {family.display} must be at least {family.min_size}x{family.min_size}; "
                         f"got {shape!r}.")
    if weights in ("pretrained", "imagenet"):
        rows = shape[0] if shape[0] == shape[1] and shape[0] in (96, 128, 160, 192, 224) else 224
        _check_imagenet_weights(family, rows)
        weights = "imagenet"
    elif weights is not None and not os.path.isfile(weights):
        raise ValueError(f"weights must be 'pretrained', 'imagenet', None or an existing weights file; "
                         f"got {weights!r} (no such file).")
    inputs = keras.Input(shape=shape, name="image")
    x = PreprocessInput(family.preprocess, name="preprocess")(inputs)
    constructor = getattr(keras.applications, family.display)
    try:
        # Keras' default model name is kept: some families derive their weight file name from it.
        return constructor(include_top=False, weights=weights, input_tensor=x, input_shape=shape)
    except Exception as error:  # a download that started but broke off
        if weights == "imagenet" and "fetch" in str(error).lower():
            raise WeightsUnavailableError(f"downloading {family.display} weights failed: {error}") from error
        raise
