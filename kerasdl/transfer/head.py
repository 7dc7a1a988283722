"""A new classification head on a frozen backbone, and freezing/unfreezing by layer.

BatchNormalization layers of the backbone must keep using (and never update)
their moving mean and variance: batch statistics of a small target dataset
would overwrite the statistics the pre-trained weights rely on
(keras-team/keras#9214). The backbone is called with `training=False`, as the
Keras transfer-learning guide does, which covers direct calls such as
`model(x)`. But in Keras 3, `fit()` passes `training=True` down into nested
models and that overrides the recorded `training=False`
(keras-team/keras#20285, measured in tests/test_transfer.py): a
BatchNormalization layer stays in inference mode during `fit()` only while its
`trainable` is False. So `unfreeze` never unfreezes BatchNormalization layers.

Example:
    >>> from kerasdl.transfer import backbone, build_transfer_model, parameter_counts
    >>> model = build_transfer_model(backbone("kerasdl_glyphs"), num_classes=10)
    >>> counts = parameter_counts(model)
    >>> counts["trainable"] == 128 * 10 + 10
    True
"""

from __future__ import annotations

from typing import Any

import keras

from kerasdl.validation import check_bool, check_choice, check_non_negative_int, check_positive_int, check_rate

_POOLING = ("avg", "max", "flatten")


def _size(weights: list) -> int:
    return int(sum(int(keras.ops.size(w)) for w in weights))


def parameter_counts(model: keras.Model) -> dict[str, int]:
    """Count trainable, frozen and total parameters of a model.

    BatchNormalization moving statistics count as non-trainable, as in
    `model.summary()`.

    Example:
        >>> import keras
        >>> parameter_counts(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))
        {'trainable': 8, 'non_trainable': 0, 'total': 8}
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}.")
    trainable = _size(model.trainable_weights)
    frozen = _size(model.non_trainable_weights)
    return {"trainable": trainable, "non_trainable": frozen, "total": trainable + frozen}


def _describe(counts: dict[str, int]) -> str:
    share = 100.0 * counts["trainable"] / max(counts["total"], 1)
    return f"trainable parameters: {counts['trainable']:,} of {counts['total']:,} ({share:.2f}%)"


def build_transfer_model(
    backbone: keras.Model,
    num_classes: int,
    pooling: str = "avg",
    dropout: float = 0.2,
    dense_units: int = 0,
    freeze: bool = True,
    verbose: bool = False,
    name: str = "transfer_model",
) -> keras.Model:
    """Put a new classification head on a (frozen) pre-trained backbone.

    Layers: the input, the backbone (called with `training=False`; see the
    module notes on BatchNormalization), "pool"
    (skipped when the backbone already returns vectors), optional "dense",
    "dropout" and "output" (softmax over `num_classes`, or one sigmoid unit
    when `num_classes == 1`).

    Args:
        backbone: A feature extractor, e.g. from `kerasdl.transfer.backbone`.
        num_classes: Classes of the new task (2 for normal vs pneumonia).
        pooling: "avg" (GlobalAveragePooling2D), "max" or "flatten", used
            when the backbone returns feature maps.
        dropout: Dropout rate before the new head, in [0, 1).
        dense_units: Width of an extra Dense+ReLU layer in the head (0: none).
        freeze: Freeze the whole backbone (step 1 of the recipe).
        verbose: Print the trainable vs total parameter counts.
        name: Model name.

    Returns:
        An uncompiled `keras.Model`; `parameter_counts(model)` tells how much of it trains.

    Example:
        >>> from kerasdl.transfer import backbone
        >>> model = build_transfer_model(backbone("kerasdl_glyphs"), 10, verbose=True)
        trainable parameters: 1,290 of 94,634 (1.36%)
    """
    if not isinstance(backbone, keras.Model):
        raise TypeError(f"backbone must be a keras.Model (see kerasdl.transfer.backbone); "
                        f"got {type(backbone).__name__}.")
    num_classes = check_positive_int("num_classes", num_classes)
    pooling = check_choice("pooling", pooling, _POOLING)
    dropout = check_rate("dropout", dropout)
    dense_units = check_non_negative_int("dense_units", dense_units)
    freeze = check_bool("freeze", freeze)
    verbose = check_bool("verbose", verbose)
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string; got {name!r}.")
    if len(backbone.inputs) != 1 or len(backbone.outputs) != 1:
        raise ValueError(f"backbone must have one input and one output; {backbone.name!r} has "
                         f"{len(backbone.inputs)} and {len(backbone.outputs)}.")
    image, features = backbone.inputs[0], backbone.outputs[0]
    rank = len(features.shape)
    if rank not in (2, 4):
        raise ValueError(f"backbone output must be feature maps (batch, h, w, c) or vectors (batch, c); "
                         f"{backbone.name!r} returns shape {tuple(features.shape)}.")

    backbone.trainable = not freeze
    inputs = keras.Input(shape=image.shape[1:], dtype=image.dtype, name="input")
    x = backbone(inputs, training=False)
    if rank == 4:
        pool = {"avg": keras.layers.GlobalAveragePooling2D, "max": keras.layers.GlobalMaxPooling2D,
                "flatten": keras.layers.Flatten}[pooling]
        x = pool(name="pool")(x)
    if dense_units:
        x = keras.layers.Dense(dense_units, activation="relu", name="dense")(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    activation = "softmax" if num_classes > 1 else "sigmoid"
    outputs = keras.layers.Dense(num_classes, activation=activation, name="output")(x)
    model = keras.Model(inputs, outputs, name=name)
    if verbose:
        print(_describe(parameter_counts(model)))
    return model


def find_backbone(model: keras.Model) -> keras.Model:
    """Return the backbone inside a model from `build_transfer_model`.

    It is the nested model with the most weights (works after `.keras`
    loading too, where no Python attribute survives).

    Example:
        >>> from kerasdl.transfer import backbone
        >>> features = backbone("kerasdl_glyphs")
        >>> find_backbone(build_transfer_model(features, 10)) is features
        True
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}.")
    nested = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if not nested:
        raise ValueError(f"model {model.name!r} contains no backbone (no nested keras.Model); "
                         "build it with build_transfer_model.")
    return max(nested, key=lambda layer: len(layer.weights))


def leaf_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The layers of `model` in order, nested models expanded into their own layers.

    Example:
        >>> from kerasdl.transfer import backbone
        >>> [layer.name for layer in leaf_layers(backbone("kerasdl_glyphs"))][:3]
        ['input', 'preprocess', 'conv_block_1_conv']
    """
    layers: list[keras.layers.Layer] = []
    for layer in model.layers:
        layers.extend(leaf_layers(layer) if isinstance(layer, keras.Model) else [layer])
    return layers


def _is_batch_norm(layer: keras.layers.Layer) -> bool:
    return isinstance(layer, keras.layers.BatchNormalization)


def unfreeze(model: keras.Model, layers: Any = "all") -> list[str]:
    """Unfreeze the top of the backbone for fine-tuning; BatchNormalization stays frozen.

    Frozen BatchNormalization layers run in inference mode even inside `fit()`
    (Keras 3), so the pre-trained moving statistics survive fine-tuning.

    Args:
        model: A model from `build_transfer_model` (or a backbone itself).
        layers: What to unfreeze:
            `"all"`: every layer of the backbone;
            an int k: the top k backbone layers that hold weights
            (BatchNormalization layers are not counted); 0 unfreezes nothing;
            a layer name: that layer and every layer after it (a block start,
            e.g. "conv5_block1_1_conv" in ResNet50 or "conv_block_3_conv").

    Returns:
        Names of the layers that now train, bottom to top.

    Example:
        >>> from kerasdl.transfer import backbone
        >>> model = build_transfer_model(backbone("kerasdl_glyphs"), 10)
        >>> unfreeze(model, 1)
        ['conv_block_3_conv']
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}.")
    features = find_backbone(model) if any(isinstance(l, keras.Model) for l in model.layers) else model
    leaves = leaf_layers(features)
    weighted = [layer for layer in leaves if layer.weights and not _is_batch_norm(layer)]
    if isinstance(layers, str) and layers.lower() == "all":
        chosen = weighted
    elif isinstance(layers, str):
        names = [layer.name for layer in leaves]
        if layers not in names:
            raise ValueError(f"layers={layers!r} is not 'all', an int or a layer of backbone {features.name!r}; "
                             f"its weighted layers are {[l.name for l in weighted]}.")
        start = names.index(layers)
        chosen = [layer for layer in leaves[start:] if layer.weights and not _is_batch_norm(layer)]
    elif isinstance(layers, bool) or not isinstance(layers, int):
        raise TypeError(f"layers must be 'all', a non-negative int or a layer name; got {layers!r}.")
    else:
        count = check_non_negative_int("layers", layers)
        if count > len(weighted):
            raise ValueError(f"layers={count} but backbone {features.name!r} has only {len(weighted)} "
                             "weighted layers (BatchNormalization excluded); use 'all' or a smaller number.")
        chosen = weighted[len(weighted) - count:] if count else []
    # Containers must be trainable for their sublayers' flags to count.
    features.trainable = True
    chosen_ids = {id(layer) for layer in chosen}
    for layer in leaves:
        if not isinstance(layer, keras.Model):
            layer.trainable = id(layer) in chosen_ids
    return [layer.name for layer in chosen]
