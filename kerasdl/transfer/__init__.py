"""Transfer learning: pre-trained backbones, a new head, two-phase fine-tuning."""
from kerasdl.transfer.backbones import (
    GLYPHS, PreprocessInput, WeightsUnavailableError, backbone, list_backbones, weights_cache_dir,
)
