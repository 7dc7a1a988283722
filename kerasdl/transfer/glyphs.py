"""The glyph source task of the shipped backbone, now rendered by `kerasdl.datasets.glyphs`.

The renderer lives with the other datasets (imports flow from `datasets` to
`transfer`); the names below stay importable from here, and draw exactly
what they drew when `kerasdl_glyphs` was pre-trained.

Example:
    >>> from kerasdl.transfer.glyphs import GLYPH_CLASSES, glyph_dataset
    >>> len(GLYPH_CLASSES), glyph_dataset(1, classes=("A",))[0].shape
    (47, (1, 8, 8, 1))
"""

from __future__ import annotations

from kerasdl.datasets.glyphs import (  # noqa: F401  (re-exported for existing code)
    DIGIT_LOOKALIKES,
    FONT_FILES,
    GLYPH_CLASSES,
    GLYPH_SYMBOLS,
    font_dir,
    glyph_dataset,
    render_glyph,
)
