"""Transfer learning: pre-trained backbones, a new head, two-phase fine-tuning."""
from kerasdl.transfer.backbones import (
    GLYPHS, PreprocessInput, WeightsUnavailableError, backbone, list_backbones, weights_cache_dir,
)
from kerasdl.transfer.head import build_transfer_model, find_backbone, leaf_layers, parameter_counts, unfreeze
from kerasdl.transfer.fine_tune import TransferHistory, fine_tune
