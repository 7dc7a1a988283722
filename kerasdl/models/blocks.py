"""Pieces shared by the builders: the dense block, the output head, inputs.

The dense block follows the order the course teaches when batch
normalization is on: Dense (no bias, BN's shift replaces it) ->
BatchNormalization -> Activation -> Dropout.

Example:
    >>> import keras
    >>> from kerasdl.models.blocks import dense_block, output_head
    >>> x = keras.Input((4,))
    >>> h = dense_block(x, 8, index=1, activation="relu", kernel_initializer="he_normal")
    >>> y = output_head(h, 3, "multiclass")
    >>> keras.Model(x, y).output_shape
    (None, 3)
"""

from __future__ import annotations

from typing import Any

import keras

# Activations for which He initialisation is the right default; the rest get Glorot.
RELU_FAMILY = frozenset({"relu", "relu6", "elu", "selu", "gelu", "leaky_relu", "silu", "swish", "mish"})

HEAD_ACTIVATIONS = {"multiclass": "softmax", "binary": "sigmoid", "regression": "linear"}


def auto_initializer(activation: Any, kernel_initializer: Any) -> Any:
    r"""Pick He normal for ReLU-like activations and Glorot uniform otherwise.

    Both keep the scale of the signal about constant from layer to layer. He
    draws weights with variance $\operatorname{Var}(w) = 2 / n_{in}$, since a
    ReLU passes on about half of its input's variance; Glorot uses
    $\operatorname{Var}(w) = 2 / (n_{in} + n_{out})$, a compromise between the
    forward and the backward pass for sigmoid and tanh ($n_{in}$, $n_{out}$:
    the layer's fan-in and fan-out).

    Only `kernel_initializer="auto"` is resolved; anything else is returned as is.

    Example:
        >>> auto_initializer("relu", "auto")
        'he_normal'
        >>> auto_initializer("tanh", "auto")
        'glorot_uniform'
    """
    if not (isinstance(kernel_initializer, str) and kernel_initializer == "auto"):
        return kernel_initializer
    name = activation if isinstance(activation, str) else getattr(activation, "__name__", "")
    return "he_normal" if name.lower() in RELU_FAMILY else "glorot_uniform"


def layer_initializer(kernel_initializer: Any, index: int) -> Any:
    """Give block `index` its own copy of an initializer object.

    A Keras 3 initializer object holds a fixed seed (its own `seed=` or one
    drawn when it was made), so one object shared by several layers gives
    every layer of the same shape *identical* starting weights. Names such
    as "he_normal" are resolved per layer by Keras and are returned as they
    are. An integer seed becomes `seed + index`, so a seeded model is still
    reproducible; an unseeded object gets a fresh seed per layer (drawn from
    Keras' global seed, so `keras.utils.set_random_seed` still fixes it); a
    `keras.random.SeedGenerator` seed already differs per call and is kept.

    Example:
        >>> import keras
        >>> init = keras.initializers.RandomNormal(stddev=0.1, seed=7)
        >>> layer_initializer(init, 2).seed
        9
    """
    if not isinstance(kernel_initializer, keras.initializers.Initializer):
        return kernel_initializer
    config = kernel_initializer.get_config()
    seed = config.get("seed")
    if "seed" not in config or not (seed is None or isinstance(seed, int)):
        return kernel_initializer
    config["seed"] = None if seed is None else seed + index
    try:
        return type(kernel_initializer).from_config(config)
    except (TypeError, ValueError):  # a user class whose config does not round-trip
        return kernel_initializer


def dense_block(
    x: Any,
    units: int,
    *,
    index: int,
    activation: Any,
    kernel_initializer: Any,
    batch_norm: bool = False,
    dropout: float = 0.0,
) -> Any:
    """Apply one named dense block to the symbolic tensor `x`.

    Layers are named `hidden_{index}`, `bn_{index}`, `act_{index}` and
    `dropout_{index}` so summaries and recordings read like the course text.

    Args:
        x: Symbolic input tensor.
        units: Width of the Dense layer.
        index: Block number used in the layer names (1-based).
        activation: Activation name or callable.
        kernel_initializer: Initializer name or object (already resolved); an
            object is copied for this block (see `layer_initializer`).
        batch_norm: Insert BatchNormalization between Dense and activation.
        dropout: Dropout rate after the activation (0 disables it).

    Returns:
        The block's output tensor.

    Example:
        >>> import keras
        >>> x = keras.Input((5,))
        >>> dense_block(x, 4, index=1, activation="tanh", kernel_initializer="glorot_uniform").shape
        (None, 4)
    """
    kernel_initializer = layer_initializer(kernel_initializer, index)
    if batch_norm:
        x = keras.layers.Dense(units, use_bias=False, kernel_initializer=kernel_initializer, name=f"hidden_{index}")(x)
        x = keras.layers.BatchNormalization(name=f"bn_{index}")(x)
        x = keras.layers.Activation(activation, name=f"act_{index}")(x)
    else:
        x = keras.layers.Dense(
            units, activation=activation, kernel_initializer=kernel_initializer, name=f"hidden_{index}"
        )(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name=f"dropout_{index}")(x)
    return x


def output_head(x: Any, num_outputs: int, task: str, name: str = "output") -> Any:
    """Add the task's output layer: softmax, one sigmoid unit, or linear.

    The layer computes in float32 even under a mixed-precision policy, so the
    softmax/sigmoid and the loss stay numerically stable (the layout the Keras
    mixed-precision guide recommends).

    Example:
        >>> import keras
        >>> output_head(keras.Input((3,)), 1, "binary").shape
        (None, 1)
    """
    return keras.layers.Dense(num_outputs, activation=HEAD_ACTIVATIONS[task], name=name, dtype="float32")(x)


def check_layer_options(activation: Any, kernel_initializer: Any, batch_norm: Any, dropout: Any) -> tuple:
    """Validate the options every dense or convolutional builder shares; resolve ``"auto"`` init.

    Returns ``(activation, kernel_initializer, batch_norm, dropout)``, each checked with
    the error messages of `kerasdl.validation`.

    Example:
        >>> check_layer_options("relu", "auto", False, 0.1)
        ('relu', 'he_normal', False, 0.1)
    """
    from kerasdl.validation import check_bool, check_rate, resolve_activation, resolve_initializer

    activation = resolve_activation("activation", activation)
    init = resolve_initializer("kernel_initializer", auto_initializer(activation, kernel_initializer))
    return activation, init, check_bool("batch_norm", batch_norm), check_rate("dropout", dropout)


def flat_input(input_shape: tuple) -> tuple[Any, Any]:
    """Return `(inputs, x)` where `x` is flattened when the input has rank > 1.

    Example:
        >>> inputs, x = flat_input((8, 8, 1))
        >>> x.shape
        (None, 64)
    """
    inputs = keras.Input(shape=input_shape, name="input")
    x = keras.layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    return inputs, x


def count_params(model: keras.Model) -> int:
    """Number of trainable parameters of a built model.

    Example:
        >>> import keras
        >>> count_params(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))
        8
    """
    return int(sum(int(keras.ops.size(w)) for w in model.trainable_weights))
