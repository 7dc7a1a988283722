"""Multi-layer perceptrons: one hidden layer (shallow) or many (deep).

Example:
    >>> from kerasdl.models import shallow_mlp, deep_mlp
    >>> shallow_mlp((64,), 10).count_params()
    4810
    >>> deep_mlp((64,), 10, depth=3, width=32).count_params()
    4522
"""

from __future__ import annotations

from typing import Any

import keras

from kerasdl.models.blocks import auto_initializer, check_layer_options, dense_block, flat_input, output_head
from kerasdl.validation import (
    check_bool,
    check_positive_int,
    check_shape,
    check_task,
    resolve_activation,
    resolve_initializer,
)


def _check_common(input_shape: Any, num_outputs: Any, task: Any) -> tuple[tuple, int, str]:
    input_shape = check_shape("input_shape", input_shape)
    num_outputs = check_positive_int("num_outputs", num_outputs)
    return input_shape, num_outputs, check_task(task, num_outputs)


def shallow_mlp(
    input_shape: tuple[int, ...],
    num_outputs: int,
    hidden_units: int = 64,
    activation: Any = "relu",
    kernel_initializer: Any = "auto",
    task: str | None = None,
    name: str = "shallow_mlp",
) -> keras.Model:
    """Build a network with a single hidden layer (the course's "shallow" net).

    Inputs of rank > 1 (e.g. 8x8 images) are flattened first. Parameters:
    `d*h + h + h*o + o` for `d` inputs, `h` hidden units and `o` outputs.

    Args:
        input_shape: Shape of one example, without the batch axis.
        num_outputs: Classes for multiclass, 1 for binary or regression.
        hidden_units: Width of the hidden layer.
        activation: Hidden activation name ("relu", "tanh", "sigmoid", ...).
        kernel_initializer: Initializer name/object, or "auto" (He for
            ReLU-like activations, Glorot otherwise).
        task: "multiclass", "binary" or "regression"; `None` infers
            multiclass for `num_outputs > 1` and binary for 1. Losses to use:
            sparse categorical cross-entropy, binary cross-entropy, MSE
            (`kerasdl.training.compile_for` picks them).
        name: Model name.

    Returns:
        An uncompiled `keras.Model` with layers `hidden_1` and `output`.

    Example:
        >>> model = shallow_mlp((30,), 1, hidden_units=16)
        >>> [layer.name for layer in model.layers]
        ['input', 'hidden_1', 'output']
    """
    input_shape, num_outputs, task = _check_common(input_shape, num_outputs, task)
    hidden_units = check_positive_int("hidden_units", hidden_units)
    activation = resolve_activation("activation", activation)
    init = resolve_initializer("kernel_initializer", auto_initializer(activation, kernel_initializer))
    inputs, x = flat_input(input_shape)
    x = dense_block(x, hidden_units, index=1, activation=activation, kernel_initializer=init)
    return keras.Model(inputs, output_head(x, num_outputs, task), name=name)


def deep_mlp(
    input_shape: tuple[int, ...],
    num_outputs: int,
    depth: int = 4,
    width: int = 64,
    activation: Any = "relu",
    kernel_initializer: Any = "auto",
    batch_norm: bool = False,
    dropout: float = 0.0,
    residual: bool = False,
    task: str | None = None,
    name: str = "deep_mlp",
) -> keras.Model:
    """Build a deep feed-forward network of `depth` equal-width hidden blocks.

    Each block is `Dense -> Activation` or, with `batch_norm=True`,
    `Dense (no bias) -> BatchNormalization -> Activation`, the order the
    course gives; `dropout > 0` appends Dropout. `residual=True` adds a skip
    connection `x + block(x)` around blocks 2..depth (block 1 changes the
    width, so it has no identity path).

    Parameters without batch norm: `d*w + w + (depth-1)*(w*w + w) + w*o + o`.

    Args:
        input_shape: Shape of one example, without the batch axis.
        num_outputs: Classes for multiclass, 1 for binary or regression.
        depth: Number of hidden blocks (the course calls >= 3 "deep").
        width: Units per hidden layer.
        activation: Hidden activation name or callable.
        kernel_initializer: Initializer name/object, or "auto" (He normal
            for ReLU-like activations, Glorot uniform otherwise).
        batch_norm: Insert BatchNormalization before each activation.
        dropout: Dropout rate after each block, in [0, 1).
        residual: Add identity skip connections around blocks 2..depth.
        task: "multiclass", "binary" or "regression" (see `shallow_mlp`).
        name: Model name.

    Returns:
        An uncompiled `keras.Model` with layers `hidden_i`, `bn_i`, `act_i`,
        `dropout_i`, `residual_i` and `output`.

    Example:
        >>> model = deep_mlp((2,), 3, depth=3, width=8, batch_norm=True, dropout=0.2)
        >>> [layer.name for layer in model.layers][:5]
        ['input', 'hidden_1', 'bn_1', 'act_1', 'dropout_1']
    """
    input_shape, num_outputs, task = _check_common(input_shape, num_outputs, task)
    depth = check_positive_int("depth", depth)
    width = check_positive_int("width", width)
    activation, init, batch_norm, dropout = check_layer_options(activation, kernel_initializer, batch_norm, dropout)
    residual = check_bool("residual", residual)

    inputs, x = flat_input(input_shape)
    for index in range(1, depth + 1):
        block_input = x
        x = dense_block(x, width, index=index, activation=activation, kernel_initializer=init,
                        batch_norm=batch_norm, dropout=dropout)
        if residual and index > 1:
            x = keras.layers.Add(name=f"residual_{index}")([block_input, x])
    return keras.Model(inputs, output_head(x, num_outputs, task), name=name)
