"""Model builders, one module per architecture family of the course.

Every builder returns an *uncompiled* `keras.Model` (as `keras.applications`
does) with layers named by role, and checks its arguments before touching
Keras. Compile with `kerasdl.training.compile_for(model)` to get the right
loss for the task.

Example:
    >>> from kerasdl import models
    >>> models.deep_mlp((64,), 10, depth=4, width=32).name
    'deep_mlp'
"""

from kerasdl.models.autoencoders import autoencoder, reconstruction_error, sparse_coder
from kerasdl.models.blocks import count_params
from kerasdl.models.convolutional import cnn, feature_extractor
from kerasdl.models.adversarial import GAN, gan
from kerasdl.models.mlp import deep_mlp, shallow_mlp
from kerasdl.models.occlusion import occlusion_map
from kerasdl.models.recurrent import rnn
from kerasdl.models.transformer import (TokenAndPositionEmbedding, TransformerEncoderBlock, attention_maps,
                                       transformer_classifier)

__all__ = [
    "GAN",
    "TokenAndPositionEmbedding",
    "TransformerEncoderBlock",
    "attention_maps",
    "autoencoder",
    "cnn",
    "count_params",
    "deep_mlp",
    "feature_extractor",
    "gan",
    "occlusion_map",
    "reconstruction_error",
    "rnn",
    "shallow_mlp",
    "sparse_coder",
    "transformer_classifier",
]
