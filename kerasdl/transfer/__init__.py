"""Transfer learning: a pre-trained backbone, a new head, then optional fine-tuning.

The course's recipe, one call per step:

1. `backbone(name)`: load a network pre-trained on a large dataset, without
   its classification top, with its `preprocess_input` attached
   (Keras ImageNet families, `"kerasdl_glyphs"` shipped with kerasdl, or a
   `.keras` file of your own);
2. `build_transfer_model(backbone, num_classes)`: freeze it and put a new
   classification layer on top (e.g. 2 classes, normal vs pneumonia);
3. `fine_tune(model, train, validation)`: train only the new head, then
   unfreeze the upper layers (BatchNormalization stays frozen) and continue
   at a much lower learning rate; checkpointed and resumable.

Offline, `kerasdl_glyphs` (pre-trained on synthetic printed glyphs, see
`kerasdl.datasets.glyphs` and `kerasdl.transfer.pretrain`) shows the recipe
on the real handwritten digits in seconds.

Example:
    >>> from kerasdl.transfer import backbone, build_transfer_model, fine_tune
    >>> model = build_transfer_model(backbone("kerasdl_glyphs"), num_classes=10, verbose=True)
    trainable parameters: 1,290 of 94,634 (1.36%)
"""

from kerasdl.transfer.backbones import (
    GLYPHS,
    PreprocessInput,
    WeightsUnavailableError,
    backbone,
    list_backbones,
    weights_cache_dir,
)
from kerasdl.transfer.recipe import TransferHistory, fine_tune
from kerasdl.transfer.head import build_transfer_model, find_backbone, leaf_layers, parameter_counts, unfreeze

__all__ = [
    "GLYPHS",
    "PreprocessInput",
    "TransferHistory",
    "WeightsUnavailableError",
    "backbone",
    "build_transfer_model",
    "find_backbone",
    "fine_tune",
    "leaf_layers",
    "list_backbones",
    "parameter_counts",
    "unfreeze",
    "weights_cache_dir",
]
