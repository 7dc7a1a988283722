"""Synthetic glyph images: a large, offline source task for transfer learning.

ImageNet cannot be downloaded here, so the pre-trained backbone that ships with
kerasdl learns from printed characters instead: letters and symbols rendered
with the fonts matplotlib installs (DejaVu, STIX, Computer Modern), each with
a random font, slant, rotation, aspect, stroke width and position. Every image
is made the way the UCI/scikit-learn handwritten digits were made: a 32x32
binary bitmap, size-normalised to the frame, then counted in 4x4 blocks to an
8x8 grid of intensities 0..16, here divided by 16 like
`kerasdl.datasets.load("digits")`.

The letters follow EMNIST "balanced" without its digits: 26 capitals and the
11 lower-case letters whose shape differs from their capital, so a class is
not two copies of one shape; 10 symbols that every font draws correctly make
47 classes. There are no digit classes: the target task of the transfer
tutorial is handwritten digits, and a source that contains the target's
classes would not test transfer. (Some letters still resemble digits, e.g.
O and 0, S and 5, Z and 2; `DIGIT_LOOKALIKES` names them.)

Example:
    >>> from kerasdl.datasets.glyphs import glyph_dataset
    >>> x, y = glyph_dataset(2, seed=0)
    >>> x.shape, y.shape, float(x.max()) <= 1.0
    ((94, 8, 8, 1), (94,), True)
"""

from __future__ import annotations

import os
import string
from functools import lru_cache

import numpy as np

from kerasdl.validation import check_non_negative_int, check_positive_int

#: Symbols drawn correctly by all of `FONT_FILES` (Computer Modern maps `<`, `>`,
#: `{`, `}` to other glyphs), leaving out `/` and `!`, which look like a `1`.
GLYPH_SYMBOLS: str = "#%&?@+=*[("

#: Class labels, in label order: capitals, distinct lower-case letters, symbols (no digits).
GLYPH_CLASSES: tuple[str, ...] = tuple(string.ascii_uppercase + "abdefghnqrt" + GLYPH_SYMBOLS)

#: Source classes whose printed shape is close to a digit's (letter -> digit).
DIGIT_LOOKALIKES: dict[str, str] = {"O": "0", "I": "1", "Z": "2", "S": "5", "b": "6", "B": "8",
                                    "g": "9", "q": "9"}

#: Font files under matplotlib's `mpl-data/fonts/ttf` that draw all the classes
#: (the STIX size/non-Unicode variants and the math-symbol fonts do not).
FONT_FILES: tuple[str, ...] = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf",
    "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf",
    "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansMono-Oblique.ttf",
    "DejaVuSansMono-BoldOblique.ttf", "STIXGeneral.ttf", "STIXGeneralBol.ttf",
    "STIXGeneralItalic.ttf", "STIXGeneralBolIta.ttf", "cmr10.ttf", "cmb10.ttf", "cmss10.ttf",
    "cmtt10.ttf", "cmti10.ttf",
)

_RENDER_SIZE = 64  # font size in pixels of the first, high-resolution drawing
_FRAME = 32  # the UCI bitmaps are 32x32 before 4x4 block counting


def font_dir() -> str:
    """Return the folder of TrueType fonts that matplotlib installs.

    Example:
        >>> import os
        >>> os.path.isfile(os.path.join(font_dir(), "DejaVuSans.ttf"))
        True
    """
    import matplotlib

    return os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf")


@lru_cache(maxsize=None)
def _font(file_name: str):
    from PIL import ImageFont

    return ImageFont.truetype(os.path.join(font_dir(), file_name), _RENDER_SIZE)


def _draw(char: str, font_file: str, stroke: int):
    """Draw one character white on black and crop it to its ink."""
    from PIL import Image, ImageDraw

    canvas = Image.new("L", (3 * _RENDER_SIZE, 3 * _RENDER_SIZE), 0)
    ImageDraw.Draw(canvas).text((_RENDER_SIZE // 2, _RENDER_SIZE // 2), char, font=_font(font_file),
                                fill=255, stroke_width=stroke, stroke_fill=255)
    box = canvas.getbbox()
    return canvas.crop(box) if box else canvas


def render_glyph(char: str, font_file: str, rng: np.random.Generator, distort: bool = True) -> np.ndarray:
    """Render one character as an 8x8 image of block counts scaled to [0, 1].

    Args:
        char: The character to draw.
        font_file: A file name from `FONT_FILES`.
        rng: Source of the random slant, rotation, aspect, stroke and shift.
        distort: Apply those random changes (False: the plain glyph, centred).

    Returns:
        A float32 array of shape (8, 8), multiples of 1/16.

    Example:
        >>> import numpy as np
        >>> render_glyph("7", "DejaVuSans.ttf", np.random.default_rng(0)).shape
        (8, 8)
    """
    from PIL import Image

    # Pen strokes in the UCI bitmaps are 2-5 px wide in a 32 px frame; fonts are thinner.
    stroke = int(rng.integers(0, 4)) if distort else 1
    glyph = _draw(char, font_file, stroke)
    if distort:
        # Affine slant + rotation + aspect change, as in handwriting.
        angle = np.deg2rad(rng.uniform(-10, 10))
        shear = rng.uniform(-0.3, 0.3)
        aspect = np.exp(rng.uniform(-0.25, 0.25))
        c, s = np.cos(angle), np.sin(angle)
        matrix = np.array([[c, -s], [s, c]]) @ np.array([[aspect, shear], [0.0, 1.0]])
        w, h = glyph.size
        corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], dtype=float) @ matrix.T
        low, high = corners.min(axis=0), corners.max(axis=0)
        out_w, out_h = (int(np.ceil(v)) + 1 for v in high - low)
        inverse = np.linalg.inv(matrix)
        offset = low @ inverse.T
        coeffs = (inverse[0, 0], inverse[0, 1], offset[0], inverse[1, 0], inverse[1, 1], offset[1])
        glyph = glyph.transform((out_w, out_h), Image.AFFINE, coeffs, resample=Image.BILINEAR)
        box = glyph.getbbox()
        glyph = glyph.crop(box) if box else glyph
    # Size-normalise like the UCI preprocessing: the longer side fills the frame.
    w, h = glyph.size
    fill = rng.uniform(0.8, 1.0) if distort else 1.0
    scale = fill * _FRAME / max(w, h)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    glyph = glyph.resize((new_w, new_h), Image.BILINEAR)
    frame = np.zeros((_FRAME, _FRAME), dtype=np.float32)
    room_x, room_y = _FRAME - new_w, _FRAME - new_h
    x0 = room_x // 2 + (int(rng.integers(-2, 3)) if distort else 0)
    y0 = room_y // 2 + (int(rng.integers(-2, 3)) if distort else 0)
    x0, y0 = int(np.clip(x0, 0, room_x)), int(np.clip(y0, 0, room_y))
    frame[y0:y0 + new_h, x0:x0 + new_w] = np.asarray(glyph, dtype=np.float32)
    bitmap = frame > 127
    counts = bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3))
    return (counts / 16.0).astype(np.float32)


def glyph_dataset(
    per_class: int,
    seed: int = 0,
    classes: tuple[str, ...] | None = None,
    fonts: tuple[str, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Render a labelled set of random glyph images, sklearn-digits style.

    Args:
        per_class: Images per class.
        seed: Seed of the random fonts and distortions (same seed, same data).
        classes: Characters to draw, in label order (default `GLYPH_CLASSES`).
        fonts: Font file names (default `FONT_FILES`).

    Returns:
        `(x, y)`: float32 images `(N, 8, 8, 1)` in [0, 1] and int32 labels,
        shuffled.

    Example:
        >>> x, y = glyph_dataset(1, classes=("A", "#"))
        >>> sorted(y.tolist())
        [0, 1]
    """
    per_class = check_positive_int("per_class", per_class)
    seed = check_non_negative_int("seed", seed)
    classes = tuple(GLYPH_CLASSES if classes is None else classes)
    fonts = tuple(FONT_FILES if fonts is None else fonts)
    if not classes or not all(isinstance(c, str) and len(c) == 1 for c in classes):
        raise ValueError(f"classes must be a non-empty sequence of single characters; got {classes!r}.")
    unknown = [f for f in fonts if f not in FONT_FILES]
    if not fonts or unknown:
        raise ValueError(f"fonts must be a non-empty subset of FONT_FILES; got unknown {unknown!r}.")
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(classes), dtype=np.int32), per_class)
    font_choice = rng.integers(0, len(fonts), size=labels.size)
    images = np.stack([render_glyph(classes[label], fonts[f], rng) for label, f in zip(labels, font_choice)])
    order = rng.permutation(labels.size)
    return images[order, :, :, None], labels[order]
