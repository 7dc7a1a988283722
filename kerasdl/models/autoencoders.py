"""Dense autoencoders, for dimensionality reduction, anomaly detection and denoising, and a sparse coder for filters.

Example:
    >>> from kerasdl.models import autoencoder
    >>> ae, encoder, decoder = autoencoder((8, 8, 1), latent_dim=4)
    >>> encoder.output_shape, ae.output_shape
    ((None, 4), (None, 8, 8, 1))
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np

from kerasdl.models.blocks import auto_initializer
from kerasdl.validation import (
    check_int_sequence,
    check_non_negative_float,
    check_positive_int,
    check_shape,
    resolve_activation,
    resolve_initializer,
)


def autoencoder(
    input_shape: tuple[int, ...],
    latent_dim: int,
    hidden_units: tuple[int, ...] = (64,),
    activation: Any = "relu",
    output_activation: Any = "sigmoid",
    noise_stddev: float = 0.0,
    name: str = "autoencoder",
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build an encoder, a mirrored decoder, and the autoencoder joining them.

    The encoder maps an input to a `latent_dim` code through `hidden_units`;
    the decoder mirrors it back to the input shape. Train the autoencoder
    with MSE (or binary cross-entropy for inputs in [0, 1]) against its own
    input; `reconstruction_error` then scores how unusual an input is.

    Args:
        input_shape: Shape of one example, without the batch axis.
        latent_dim: Size of the bottleneck code.
        hidden_units: Widths of the encoder's hidden layers (decoder reverses them).
        activation: Hidden activation.
        output_activation: "sigmoid" for inputs scaled to [0, 1], "linear" for
            standardised inputs.
        noise_stddev: When > 0, Gaussian noise is added to the input during
            training only: a denoising autoencoder.
        name: Name of the joined model.

    Returns:
        `(autoencoder, encoder, decoder)`, all uncompiled; they share weights.

    Example:
        >>> ae, enc, dec = autoencoder((30,), 2, hidden_units=(16, 8), output_activation="linear")
        >>> dec.output_shape
        (None, 30)
    """
    input_shape = check_shape("input_shape", input_shape)
    latent_dim = check_positive_int("latent_dim", latent_dim)
    hidden_units = check_int_sequence("hidden_units", hidden_units, allow_empty=True)
    activation = resolve_activation("activation", activation)
    output_activation = resolve_activation("output_activation", output_activation)
    if isinstance(noise_stddev, bool) or not isinstance(noise_stddev, (int, float)) or not 0 <= noise_stddev < math.inf:
        raise ValueError(f"noise_stddev must be a finite number >= 0; got {noise_stddev!r}.")
    init = resolve_initializer("kernel_initializer", auto_initializer(activation, "auto"))
    flat_size = int(np.prod(input_shape))

    enc_in = keras.Input(shape=input_shape, name="input")
    x = keras.layers.Flatten(name="flatten")(enc_in) if len(input_shape) > 1 else enc_in
    for index, units in enumerate(hidden_units, start=1):
        x = keras.layers.Dense(units, activation=activation, kernel_initializer=init, name=f"encoder_{index}")(x)
    code = keras.layers.Dense(latent_dim, name="latent")(x)
    encoder = keras.Model(enc_in, code, name="encoder")

    dec_in = keras.Input(shape=(latent_dim,), name="code")
    x = dec_in
    for index, units in enumerate(reversed(hidden_units), start=1):
        x = keras.layers.Dense(units, activation=activation, kernel_initializer=init, name=f"decoder_{index}")(x)
    x = keras.layers.Dense(flat_size, activation=output_activation, name="reconstruction")(x)
    if len(input_shape) > 1:
        x = keras.layers.Reshape(input_shape, name="unflatten")(x)
    decoder = keras.Model(dec_in, x, name="decoder")

    ae_in = keras.Input(shape=input_shape, name="input")
    noisy = keras.layers.GaussianNoise(noise_stddev, name="noise")(ae_in) if noise_stddev > 0 else ae_in
    model = keras.Model(ae_in, decoder(encoder(noisy)), name=name)
    return model, encoder, decoder


def sparse_coder(
    input_shape: tuple[int, ...],
    filters: int = 64,
    sparsity: float = 0.03,
    name: str = "sparse_coder",
) -> keras.Model:
    """A linear autoencoder whose code is kept sparse: the classic way to learn filters from images.

    Each of the `filters` code units is one linear filter (layer `filters`)
    applied to the input; an L1 penalty on the codes (`sparsity` times the
    mean absolute code) asks that few units be active for any one input. The
    decoder (layer `dictionary`) rebuilds the input as a sum of one pattern
    per unit; its patterns are kept at unit length, otherwise the model could
    shrink the codes and grow the patterns to dodge the penalty. Trained on
    whitened patches of photographs this finds oriented, edge-like filters
    (Olshausen and Field found the same with sparse coding in 1996); trained
    on noise it finds next to nothing of the kind.

    Args:
        input_shape: Shape of one patch, e.g. `(8, 8, 1)`.
        filters: Number of code units (filters).
        sparsity: Weight of the L1 penalty on the codes, >= 0 (0 gives a plain
            linear autoencoder, which learns no particular filters).
        name: Name of the model.

    Returns:
        An uncompiled `keras.Model` mapping a patch to its reconstruction;
        compile it with a mean squared error loss. The filters are
        `model.get_layer("filters").kernel`, shape `(prod(input_shape), filters)`.

    Example:
        >>> coder = sparse_coder((8, 8, 1), filters=16)
        >>> coder.output_shape, tuple(coder.get_layer("filters").kernel.shape)
        ((None, 8, 8, 1), (64, 16))
    """
    input_shape = check_shape("input_shape", input_shape)
    filters = check_positive_int("filters", filters)
    sparsity = check_non_negative_float("sparsity", sparsity)
    flat_size = int(np.prod(input_shape))
    inputs = keras.Input(shape=input_shape, name="patch")
    x = keras.layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    code = keras.layers.Dense(filters, use_bias=False, name="filters",
                              activity_regularizer=keras.regularizers.L1(sparsity) if sparsity else None)(x)
    x = keras.layers.Dense(flat_size, use_bias=False, name="dictionary",
                           kernel_constraint=keras.constraints.UnitNorm(axis=1))(code)
    if len(input_shape) > 1:
        x = keras.layers.Reshape(input_shape, name="unflatten")(x)
    return keras.Model(inputs, x, name=name)


def reconstruction_error(model: keras.Model, x: Any, batch_size: int = 256) -> np.ndarray:
    """Mean squared reconstruction error of each example.

    Inputs unlike the training data reconstruct badly, so a high error flags
    an anomaly.

    Args:
        model: A trained autoencoder (output shape equals input shape).
        x: Array of examples.
        batch_size: Prediction batch size.

    Returns:
        A float array of shape `(len(x),)`.

    Example:
        >>> import numpy as np
        >>> ae, _, _ = autoencoder((4,), 2)
        >>> reconstruction_error(ae, np.zeros((3, 4), "float32")).shape
        (3,)
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}.")
    x = np.asarray(x, dtype="float32")
    if x.shape[1:] != tuple(model.input_shape[1:]):
        raise ValueError(f"x has example shape {x.shape[1:]}, but the model expects {tuple(model.input_shape[1:])}.")
    batch_size = check_positive_int("batch_size", batch_size)
    recon = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
    return np.mean((recon - x).reshape(len(x), -1) ** 2, axis=1)
