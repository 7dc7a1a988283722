"""A small Transformer encoder classifier for token sequences.

Token + position embedding -> N encoder blocks (multi-head self-attention
and a feed-forward network, each wrapped in a residual connection and layer
normalization) -> average over positions -> output head.

`attention_maps` reads back where a trained block's heads look: one
softmax row per query position, as the block computed it.

Example:
    >>> from kerasdl.models import transformer_classifier
    >>> transformer_classifier(vocab_size=20, sequence_length=24, num_outputs=1).output_shape
    (None, 1)
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from kerasdl.models.blocks import output_head
from kerasdl.validation import check_positive_int, check_rate, check_task


@keras.saving.register_keras_serializable(package="kerasdl")
class TokenAndPositionEmbedding(keras.layers.Layer):
    """Sum of a learned token embedding and a learned position embedding.

    Self-attention by itself ignores order; the position embedding is what
    lets the model tell "A before B" from "B before A".

    Example:
        >>> import numpy as np
        >>> layer = TokenAndPositionEmbedding(vocab_size=10, sequence_length=5, embed_dim=4)
        >>> tuple(layer(np.zeros((2, 5), dtype="int32")).shape)
        (2, 5, 4)
    """

    def __init__(self, vocab_size: int, sequence_length: int, embed_dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.sequence_length = sequence_length
        self.embed_dim = embed_dim
        self.token_embedding = keras.layers.Embedding(vocab_size, embed_dim, name="token_embedding")
        self.position_embedding = keras.layers.Embedding(sequence_length, embed_dim, name="position_embedding")

    def build(self, input_shape: tuple) -> None:
        self.token_embedding.build(input_shape)
        self.position_embedding.build((input_shape[-1],))
        self.built = True

    def call(self, tokens: Any) -> Any:
        positions = keras.ops.arange(keras.ops.shape(tokens)[-1])
        return self.token_embedding(tokens) + self.position_embedding(positions)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape, self.embed_dim)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(vocab_size=self.vocab_size, sequence_length=self.sequence_length, embed_dim=self.embed_dim)
        return config


@keras.saving.register_keras_serializable(package="kerasdl")
class TransformerEncoderBlock(keras.layers.Layer):
    """One post-norm Transformer encoder block.

    `x = LayerNorm(x + Dropout(SelfAttention(x)))`, then
    `x = LayerNorm(x + Dropout(FFN(x)))`.

    Example:
        >>> import numpy as np
        >>> block = TransformerEncoderBlock(embed_dim=8, num_heads=2, ff_dim=16)
        >>> tuple(block(np.zeros((2, 5, 8), dtype="float32")).shape)
        (2, 5, 8)
    """

    def __init__(self, embed_dim: int, num_heads: int, ff_dim: int, dropout: float = 0.1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.ff_dim = ff_dim
        self.dropout = dropout
        self.attention = keras.layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=max(1, embed_dim // num_heads), name="self_attention"
        )
        self.ffn_hidden = keras.layers.Dense(ff_dim, activation="relu", name="ffn_hidden")
        self.ffn_out = keras.layers.Dense(embed_dim, name="ffn_out")
        self.norm_1 = keras.layers.LayerNormalization(epsilon=1e-6, name="norm_1")
        self.norm_2 = keras.layers.LayerNormalization(epsilon=1e-6, name="norm_2")
        self.drop_1 = keras.layers.Dropout(dropout)
        self.drop_2 = keras.layers.Dropout(dropout)

    def build(self, input_shape: tuple) -> None:
        self.attention.build(input_shape, input_shape)
        self.norm_1.build(input_shape)
        self.ffn_hidden.build(input_shape)
        self.ffn_out.build((*input_shape[:-1], self.ff_dim))
        self.norm_2.build(input_shape)
        self.built = True

    def call(self, x: Any, training: bool | None = None) -> Any:
        attended = self.attention(x, x, training=training)
        x = self.norm_1(x + self.drop_1(attended, training=training))
        fed = self.ffn_out(self.ffn_hidden(x))
        return self.norm_2(x + self.drop_2(fed, training=training))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(embed_dim=self.embed_dim, num_heads=self.num_heads, ff_dim=self.ff_dim, dropout=self.dropout)
        return config


def transformer_classifier(
    vocab_size: int,
    sequence_length: int,
    num_outputs: int,
    embed_dim: int = 32,
    num_heads: int = 2,
    ff_dim: int = 64,
    num_blocks: int = 1,
    dropout: float = 0.1,
    task: str | None = None,
    name: str = "transformer",
) -> keras.Model:
    """Build a Transformer encoder classifier for fixed-length token sequences.

    Args:
        vocab_size: Number of distinct token ids (ids must be < vocab_size).
        sequence_length: Tokens per example.
        num_outputs: Classes for multiclass, 1 for binary or regression.
        embed_dim: Width of embeddings and of every block; must be divisible
            by `num_heads`.
        num_heads: Attention heads per block.
        ff_dim: Hidden width of each block's feed-forward network.
        num_blocks: Number of encoder blocks (`encoder_1..N`).
        dropout: Dropout rate inside the blocks and before the head.
        task: "multiclass", "binary" or "regression"; the loss to use is sparse
            categorical cross-entropy, binary cross-entropy or MSE.
        name: Model name.

    Returns:
        An uncompiled `keras.Model`.

    Example:
        >>> model = transformer_classifier(50, 16, 4, embed_dim=16, num_heads=4, num_blocks=2)
        >>> [layer.name for layer in model.layers][1:4]
        ['embedding', 'encoder_1', 'encoder_2']
    """
    vocab_size = check_positive_int("vocab_size", vocab_size)
    sequence_length = check_positive_int("sequence_length", sequence_length)
    num_outputs = check_positive_int("num_outputs", num_outputs)
    task = check_task(task, num_outputs)
    embed_dim = check_positive_int("embed_dim", embed_dim)
    num_heads = check_positive_int("num_heads", num_heads)
    ff_dim = check_positive_int("ff_dim", ff_dim)
    num_blocks = check_positive_int("num_blocks", num_blocks)
    dropout = check_rate("dropout", dropout)
    if embed_dim % num_heads:
        raise ValueError(
            f"embed_dim={embed_dim} must be divisible by num_heads={num_heads} so each head gets an equal share."
        )

    inputs = keras.Input(shape=(sequence_length,), dtype="int32", name="input")
    x = TokenAndPositionEmbedding(vocab_size, sequence_length, embed_dim, name="embedding")(inputs)
    for index in range(1, num_blocks + 1):
        x = TransformerEncoderBlock(embed_dim, num_heads, ff_dim, dropout, name=f"encoder_{index}")(x)
    x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    return keras.Model(inputs, output_head(x, num_outputs, task), name=name)


def attention_maps(model: keras.Model, tokens: Any, block: int = 1, batch_size: int = 256) -> np.ndarray:
    """The self-attention weights of one encoder block of a `transformer_classifier`.

    Each map is what the block's softmax gave: row `i` says how much query
    position `i` draws from every key position, and sums to 1. Dropout is
    off (inference mode), so the maps are those `predict` uses.

    Args:
        model: A model made by `transformer_classifier` (its blocks are named
            `encoder_1`, `encoder_2`, ...).
        tokens: Integer token ids, shape `(batch, sequence_length)`.
        block: Which encoder block, counting from 1.
        batch_size: Sequences per forward pass.

    Returns:
        A float32 array of shape `(batch, num_heads, sequence_length, sequence_length)`:
        `[n, h, i, j]` is head `h`'s weight of key position `j` for query position `i`.

    Raises:
        ValueError: `block` is not one of the model's encoder blocks, or
            `tokens` is not a 2-D array of the model's sequence length.

    Example:
        >>> import numpy as np
        >>> model = transformer_classifier(20, 6, 1, embed_dim=8, num_heads=2)
        >>> maps = attention_maps(model, np.zeros((3, 6), dtype="int32"))
        >>> maps.shape, bool(np.allclose(maps.sum(axis=-1), 1.0, atol=1e-5))
        ((3, 2, 6, 6), True)
    """
    blocks = [layer for layer in model.layers if isinstance(layer, TransformerEncoderBlock)]
    if not blocks:
        raise ValueError(f"model {model.name!r} has no TransformerEncoderBlock; attention_maps reads the "
                         "blocks of a model made by kerasdl.models.transformer_classifier.")
    block = check_positive_int("block", block)
    if block > len(blocks):
        raise ValueError(f"block={block}: model {model.name!r} has {len(blocks)} encoder block(s); "
                         f"allowed: 1..{len(blocks)}.")
    batch_size = check_positive_int("batch_size", batch_size)
    length = model.input_shape[-1]
    tokens = np.asarray(tokens)
    if tokens.ndim != 2 or tokens.shape[1] != length or not np.issubdtype(tokens.dtype, np.integer):
        raise ValueError(f"tokens must be integer token ids of shape (batch, {length}); got dtype "
                         f"{tokens.dtype} and shape {tokens.shape}.")
    layer = blocks[block - 1]
    upstream = keras.Model(model.input, layer.input)  # what the block receives: embeddings or the block below
    maps = []
    for start in range(0, len(tokens), batch_size):
        x = upstream(tokens[start:start + batch_size], training=False)
        _, scores = layer.attention(x, x, return_attention_scores=True, training=False)
        maps.append(keras.ops.convert_to_numpy(scores).astype("float32"))
    return np.concatenate(maps) if maps else np.zeros((0, layer.num_heads, length, length), "float32")
