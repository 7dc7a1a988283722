"""Convolutional networks with named blocks, so each block's feature maps can be read.

Block `i` is `conv_block_i_conv` (Conv2D) -> optional `conv_block_i_bn` ->
`conv_block_i` (the activation: the block's feature maps) ->
`conv_block_i_pool` (2x2 max pooling).

Example:
    >>> from kerasdl.models import cnn
    >>> model = cnn((8, 8), 10, filters=(8, 16))
    >>> model.get_layer("conv_block_2").output.shape
    (None, 4, 4, 16)
"""

from __future__ import annotations

from typing import Any

import keras

from kerasdl.models.blocks import check_layer_options, output_head
from kerasdl.validation import (
    check_int_sequence,
    check_non_negative_int,
    check_positive_int,
    check_shape,
    check_task,
)


def cnn(
    input_shape: tuple[int, ...],
    num_outputs: int,
    filters: tuple[int, ...] = (16, 32),
    kernel_size: int = 3,
    activation: Any = "relu",
    kernel_initializer: Any = "auto",
    batch_norm: bool = False,
    dropout: float = 0.0,
    dense_units: int = 0,
    task: str | None = None,
    name: str = "cnn",
) -> keras.Model:
    """Build a small image classifier from a stack of named conv blocks.

    Each block halves the spatial size, so an `H x W` input allows at most
    `floor(log2(min(H, W)))` blocks; more raise a `ValueError`. After the
    blocks come global average pooling, an optional Dense layer, Dropout and
    the output head.

    Args:
        input_shape: `(height, width)` for grey images (a channel axis is
            added by a `Reshape` layer) or `(height, width, channels)`.
        num_outputs: Classes for multiclass, 1 for binary or regression.
        filters: Number of filters of each conv block, in order.
        kernel_size: Side of the square convolution kernels.
        activation: Activation name or callable.
        kernel_initializer: Initializer name/object, or "auto" (He normal
            for ReLU-like activations, Glorot uniform otherwise).
        batch_norm: BatchNormalization between each convolution and its activation.
        dropout: Dropout rate before the output layer, in [0, 1).
        dense_units: Width of a Dense layer before the head (0: none).
        task: "multiclass", "binary" or "regression"; the loss to use is sparse
            categorical cross-entropy, binary cross-entropy or MSE
            (`kerasdl.training.compile_for` picks it).
        name: Model name.

    Returns:
        An uncompiled `keras.Model`.

    Example:
        >>> model = cnn((28, 28, 1), 10, filters=(8, 16, 32), batch_norm=True)
        >>> model.get_layer("conv_block_3").output.shape
        (None, 7, 7, 32)
    """
    input_shape = check_shape("input_shape", input_shape, ndim=(2, 3))
    num_outputs = check_positive_int("num_outputs", num_outputs)
    task = check_task(task, num_outputs)
    filters = check_int_sequence("filters", filters)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    activation, init, batch_norm, dropout = check_layer_options(activation, kernel_initializer, batch_norm, dropout)
    dense_units = check_non_negative_int("dense_units", dense_units)
    smallest = min(input_shape[:2])
    max_blocks = smallest.bit_length() - 1
    if len(filters) > max_blocks:
        raise ValueError(
            f"filters={filters!r} asks for {len(filters)} pooled conv blocks, but input_shape={input_shape!r} "
            f"can be halved at most {max_blocks} time(s); use at most {max_blocks} entries in filters."
        )

    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    if len(input_shape) == 2:
        x = keras.layers.Reshape((*input_shape, 1), name="add_channel")(x)
    for index, count in enumerate(filters, start=1):
        prefix = f"conv_block_{index}"
        x = keras.layers.Conv2D(count, kernel_size, padding="same", use_bias=not batch_norm,
                                kernel_initializer=init, name=f"{prefix}_conv")(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(name=f"{prefix}_bn")(x)
        x = keras.layers.Activation(activation, name=prefix)(x)
        x = keras.layers.MaxPooling2D(2, name=f"{prefix}_pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="global_pool")(x)
    if dense_units:
        x = keras.layers.Dense(dense_units, activation=activation, kernel_initializer=init, name="dense")(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    return keras.Model(inputs, output_head(x, num_outputs, task), name=name)


def feature_extractor(model: keras.Model, layer_names: list[str] | None = None) -> keras.Model:
    """Return a model mapping the inputs to the outputs of the named layers.

    With `layer_names=None` every `conv_block_i` layer is used, which is how
    the hierarchical-features tutorial reads each block's feature maps.

    Args:
        model: A built Functional model (e.g. from `cnn`).
        layer_names: Layers whose outputs to expose.

    Returns:
        A `keras.Model` with one output per name, in the given order.

    Example:
        >>> model = cnn((8, 8), 10, filters=(4, 8))
        >>> [o.shape for o in feature_extractor(model).outputs]
        [(None, 8, 8, 4), (None, 4, 4, 8)]
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}.")
    names = [layer.name for layer in model.layers]
    if layer_names is None:
        layer_names = [n for n in names if n.startswith("conv_block_") and n.split("_")[-1].isdigit()]
        if not layer_names:
            raise ValueError(f"model {model.name!r} has no conv_block_i layers; pass layer_names from {names}.")
    missing = [n for n in layer_names if n not in names]
    if missing:
        raise ValueError(f"layer_names contains {missing}, which model {model.name!r} lacks; it has {names}.")
    outputs = [model.get_layer(n).output for n in layer_names]
    # `model.input` (a tensor for one input) rather than `model.inputs` (always a list), so the
    # extractor accepts the same `x` as the model without Keras warning about input structure.
    return keras.Model(model.input, outputs, name=f"{model.name}_features")
