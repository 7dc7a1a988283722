"""Recurrent sequence models: SimpleRNN, LSTM or GRU stacks.

Two kinds of input: real-valued time series of shape `(timesteps, features)`,
or integer token sequences of shape `(length,)` when `vocab_size` is given
(token 0 is padding and is masked).

Example:
    >>> from kerasdl.models import rnn
    >>> rnn((50, 1), 3, cell="gru", units=16).output_shape
    (None, 3)
"""

from __future__ import annotations


import keras

from kerasdl.models.blocks import output_head
from kerasdl.validation import (
    check_bool,
    check_choice,
    check_positive_int,
    check_rate,
    check_shape,
    check_task,
)

CELLS = {"simple": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


def rnn(
    input_shape: tuple,
    num_outputs: int,
    cell: str = "lstm",
    units: int = 32,
    num_layers: int = 1,
    vocab_size: int | None = None,
    embedding_dim: int = 32,
    bidirectional: bool = False,
    dropout: float = 0.0,
    task: str | None = None,
    name: str = "rnn",
) -> keras.Model:
    """Build a stacked recurrent classifier or regressor.

    Args:
        input_shape: `(timesteps, features)` for time series, or `(length,)`
            for token sequences (needs `vocab_size`). `None` is allowed for
            the time/length axis (variable length).
        num_outputs: Classes for multiclass, 1 for binary or regression.
        cell: "simple" (Elman RNN), "lstm" or "gru".
        units: Hidden state size of every recurrent layer.
        num_layers: How many recurrent layers to stack.
        vocab_size: Number of distinct tokens (including padding 0); turns
            on the token-sequence mode with an `embedding` layer.
        embedding_dim: Size of token embeddings (token mode only).
        bidirectional: Read the sequence in both directions.
        dropout: Dropout before the output layer, in [0, 1).
        task: "multiclass", "binary" or "regression"; the loss to use is sparse
            categorical cross-entropy, binary cross-entropy or MSE.
        name: Model name.

    Returns:
        An uncompiled `keras.Model` with layers `rnn_1..rnn_N` and `output`.

    Example:
        >>> model = rnn((24,), 1, vocab_size=20, cell="lstm", units=8)
        >>> model.get_layer("embedding").output.shape
        (None, 24, 32)
    """
    num_outputs = check_positive_int("num_outputs", num_outputs)
    task = check_task(task, num_outputs)
    cell = check_choice("cell", cell, tuple(CELLS))
    units = check_positive_int("units", units)
    num_layers = check_positive_int("num_layers", num_layers)
    bidirectional = check_bool("bidirectional", bidirectional)
    dropout = check_rate("dropout", dropout)
    if vocab_size is not None:
        vocab_size = check_positive_int("vocab_size", vocab_size)
        embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        input_shape = check_shape("input_shape", input_shape, ndim=1, allow_none=True)
    else:
        input_shape = check_shape("input_shape", input_shape, ndim=2, allow_none=True)
        if input_shape[1] is None:
            raise ValueError(f"input_shape={input_shape!r}: the features axis must be a positive integer.")

    if vocab_size is not None:
        inputs = keras.Input(shape=input_shape, dtype="int32", name="input")
        x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True, name="embedding")(inputs)
    else:
        inputs = keras.Input(shape=input_shape, name="input")
        x = inputs
    layer_class = CELLS[cell]
    for index in range(1, num_layers + 1):
        last = index == num_layers
        layer = layer_class(units, return_sequences=not last, name=f"rnn_{index}")
        if bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"bi_rnn_{index}")
        x = layer(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    return keras.Model(inputs, output_head(x, num_outputs, task), name=name)
