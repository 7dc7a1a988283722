"""Synthetic glyph images: printed letters and symbols, as many as a lesson needs.

ImageNet cannot be downloaded here, so the pre-trained backbone that ships with
kerasdl learns from printed characters instead: letters and symbols rendered
with the fonts matplotlib installs (DejaVu, STIX, Computer Modern). Two
renderings share the fonts and the classes:

* `glyph_dataset` (the source task of `kerasdl_glyphs`, see
  `kerasdl.transfer.pretrain`): each image with a random font, slant,
  rotation, aspect, stroke width and position, made the way the
  UCI/scikit-learn handwritten digits were made: a 32x32 binary bitmap,
  size-normalised to the frame, then counted in 4x4 blocks to an 8x8 grid of
  intensities 0..16, here divided by 16 like `kerasdl.datasets.load("digits")`.
  What it draws for a seed is fixed, so the shipped backbone can be rebuilt.
* `glyph_images` (`kerasdl.datasets.load("glyphs")`): a dataset of any size
  (a thousand to a hundred thousand images and more), MNIST-like 28x28 grey
  images with the glyph in a 20-pixel box, with augmentation you can set or
  switch off (shift, rotation, scale, slant, stroke width, pixel noise) and a
  subset of the classes; generated from the seed and cached on disk.

The letters follow EMNIST "balanced" without its digits: 26 capitals and the
11 lower-case letters whose shape differs from their capital, so a class is
not two copies of one shape; 10 symbols that every font draws correctly make
47 classes. There are no digit classes: the target task of the transfer
tutorial is handwritten digits, and a source that contains the target's
classes would not test transfer. (Some letters still resemble digits, e.g.
O and 0, S and 5, Z and 2; `DIGIT_LOOKALIKES` names them.)

Example:
    >>> from kerasdl.datasets.glyphs import glyph_dataset, glyph_images
    >>> x, y = glyph_dataset(2, seed=0)
    >>> x.shape, y.shape, float(x.max()) <= 1.0
    ((94, 8, 8, 1), (94,), True)
    >>> glyph_images(n=60, classes=3, cache=False).x_train.shape
    (48, 28, 28, 1)
"""

from __future__ import annotations

import hashlib
import json
import os
import string
import time
import warnings
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from kerasdl.datasets.base import Dataset, _stratified_indices
from kerasdl.files import atomic_write
from kerasdl.validation import check_bool, check_non_negative_int, check_positive_int

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


# ---------------------------------------------------------------- glyph_images: load("glyphs")

#: Version of what `glyph_images` draws: part of every cache key, raised whenever the
#: same arguments would give other pixels, so an old cache file is never read as new.
RENDERER_VERSION: int = 1

#: Default augmentation of `glyph_images` (each value is the largest change drawn):
#: `shift` a fraction of the image side in x and y, `rotation` degrees either way,
#: `scale` a relative change of size (1 - scale .. 1 + scale), `shear` the slant
#: (x moves by shear * y), `stroke` extra pen width in pixels of the 64-pixel drawing
#: (0 .. stroke, about 0.4 output pixels each at size 28), `noise` the standard deviation
#: of Gaussian pixel noise.
AUGMENTATION: dict[str, float] = {"shift": 0.1, "rotation": 15.0, "scale": 0.15, "shear": 0.2,
                                  "stroke": 3, "noise": 0.05}

# Largest value each augmentation parameter accepts (all accept 0).
_AUGMENTATION_LIMITS: dict[str, float] = {"shift": 0.5, "rotation": 180.0, "scale": 0.9, "shear": 1.0,
                                          "stroke": 8, "noise": 1.0}
_BOX = 20 / 28  # the glyph's longer side fills 20 of 28 pixels, as in MNIST
_CHUNK = 4096  # images warped at once (bounds the memory of the coordinate grids)


def cache_dir() -> str:
    """Folder of kerasdl's generated-data caches: `$KERASDL_CACHE_DIR`, else `~/.cache/kerasdl`.

    Example:
        >>> import os
        >>> os.path.isabs(cache_dir())
        True
    """
    folder = os.environ.get("KERASDL_CACHE_DIR") or os.path.join("~", ".cache", "kerasdl")
    return os.path.abspath(os.path.expanduser(folder))


def resolve_classes(classes: int | str | Sequence[str] | None) -> tuple[str, ...]:
    """Turn the `classes` argument of `glyph_images` into class names, in label order.

    Args:
        classes: None (all of `GLYPH_CLASSES`), an int k (the first k), or
            names from `GLYPH_CLASSES` (a sequence, or a string of them),
            at least 2, no repeats.

    Raises:
        ValueError: A count out of range, an unknown or repeated name.

    Example:
        >>> resolve_classes(3), resolve_classes("O#")
        (('A', 'B', 'C'), ('O', '#'))
    """
    allowed = f"None, an int in [2, {len(GLYPH_CLASSES)}] (the first k classes) or names from GLYPH_CLASSES " \
              f"({''.join(GLYPH_CLASSES)!r}), at least 2, no repeats"
    if classes is None:
        return GLYPH_CLASSES
    if isinstance(classes, bool):
        raise ValueError(f"classes must be {allowed}; got {classes!r}.")
    if isinstance(classes, (int, np.integer)):
        if not 2 <= classes <= len(GLYPH_CLASSES):
            raise ValueError(f"classes must be {allowed}; got {classes!r}.")
        return GLYPH_CLASSES[:int(classes)]
    if not isinstance(classes, (str, Sequence)) or not all(isinstance(c, str) for c in classes):
        raise ValueError(f"classes must be {allowed}; got {classes!r}.")
    names = tuple(classes)
    unknown = [c for c in names if c not in GLYPH_CLASSES]
    if unknown or len(names) < 2 or len(set(names)) < len(names):
        problem = f"unknown {unknown!r}" if unknown else "fewer than 2" if len(names) < 2 else "repeated names"
        raise ValueError(f"classes must be {allowed}; got {classes!r} ({problem}).")
    return names


def _augmentation(augment: bool, given: dict[str, float | None]) -> dict[str, float]:
    check_bool("augment", augment)
    settings: dict[str, float] = {}
    for name, value in given.items():
        limit = _AUGMENTATION_LIMITS[name]
        if value is None:
            settings[name] = AUGMENTATION[name] if augment else 0
            continue
        if not augment and value != 0:
            raise ValueError(f"{name}={value!r} with augment=False: clean glyphs have no {name}; "
                             f"set augment=True or leave {name} out.")
        if name == "stroke":
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= limit:
                raise ValueError(f"stroke must be an integer in [0, {limit:g}] (extra pen width); got {value!r}.")
            settings[name] = int(value)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or not 0 <= float(value) <= limit or (name in ("shift", "scale") and float(value) == limit):
            bound = f"[0, {limit:g}{')' if name in ('shift', 'scale') else ']'}"
            raise ValueError(f"{name} must be a number in {bound}; got {value!r}.")
        settings[name] = float(value)
    return settings


@lru_cache(maxsize=16384)
def _base_glyph(char: str, font_file: str, stroke: int, size: int) -> tuple[np.ndarray, float, float]:
    """One clean glyph in a `size` x `size` canvas (top-left), longer side = the box; its centre of mass."""
    from PIL import Image

    glyph = _draw(char, font_file, stroke)
    w, h = glyph.size
    scale = _BOX * size / max(w, h)
    glyph = glyph.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.LANCZOS)
    small = np.asarray(glyph, dtype=np.float32) / 255.0
    canvas = np.zeros((size, size), dtype=np.float32)
    canvas[:small.shape[0], :small.shape[1]] = small
    mass = max(float(small.sum()), 1e-6)
    rows, cols = np.indices(small.shape)
    return canvas, float((rows * small).sum() / mass), float((cols * small).sum() / mass)


def _warp(bases: np.ndarray, which: np.ndarray, centre: np.ndarray, inverse: np.ndarray,
          shift: np.ndarray) -> np.ndarray:
    """Bilinear affine resampling of `bases[which]`, all images at once.

    Output pixel p (about the image centre) reads the base at
    `centre + inverse @ (p - shift)`; outside the base is background (0).
    """
    k, size, _ = bases.shape
    padded = np.zeros((k, size + 2, size + 2), dtype=np.float32)  # a zero border for reads outside
    padded[:, 1:-1, 1:-1] = bases
    flat = padded.reshape(-1)
    grid = np.arange(size, dtype=np.float32) - (size - 1) / 2
    dx = grid[None, None, :] - shift[:, 0, None, None]
    dy = grid[None, :, None] - shift[:, 1, None, None]
    inv = inverse[:, :, :, None, None].astype(np.float32)
    sx = centre[:, 1, None, None] + inv[:, 0, 0] * dx + inv[:, 0, 1] * dy
    sy = centre[:, 0, None, None] + inv[:, 1, 0] * dx + inv[:, 1, 1] * dy
    x0, y0 = np.floor(sx), np.floor(sy)
    fx, fy = sx - x0, sy - y0
    side = size + 2
    xi = np.clip(x0.astype(np.int64) + 1, 0, side - 1), np.clip(x0.astype(np.int64) + 2, 0, side - 1)
    yi = np.clip(y0.astype(np.int64) + 1, 0, side - 1), np.clip(y0.astype(np.int64) + 2, 0, side - 1)
    start = (which.astype(np.int64) * side * side)[:, None, None]
    read = lambda y, x: flat[start + y * side + x]  # noqa: E731
    top = read(yi[0], xi[0]) * (1 - fx) + read(yi[0], xi[1]) * fx
    bottom = read(yi[1], xi[0]) * (1 - fx) + read(yi[1], xi[1]) * fx
    return top * (1 - fy) + bottom * fy


def _render_images(n: int, seed: int, classes: tuple[str, ...], fonts: tuple[str, ...], size: int,
                   settings: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Draw `n` balanced, shuffled glyph images as uint8 grey levels (ink = 255) and int32 labels."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % len(classes)).astype(np.int32)[rng.permutation(n)]
    font = rng.integers(0, len(fonts), n)
    stroke = rng.integers(0, int(settings["stroke"]) + 1, n)
    angle = np.deg2rad(rng.uniform(-settings["rotation"], settings["rotation"], n))
    shear = rng.uniform(-settings["shear"], settings["shear"], n)
    scale = rng.uniform(1 - settings["scale"], 1 + settings["scale"], n)
    shift = rng.uniform(-settings["shift"], settings["shift"], (n, 2)) * size
    # Each (class, font, stroke) is drawn once, however many images use it.
    combo = (labels.astype(np.int64) * len(fonts) + font) * (int(settings["stroke"]) + 1) + stroke
    unique, which = np.unique(combo, return_inverse=True)
    drawn = []
    for code in unique.tolist():
        rest, s = divmod(code, int(settings["stroke"]) + 1)
        label, f = divmod(rest, len(fonts))
        drawn.append(_base_glyph(classes[label], fonts[f], s, size))
    bases = np.stack([d[0] for d in drawn])
    centres = np.array([d[1:] for d in drawn], dtype=np.float32)
    cos, sin = np.cos(angle), np.sin(angle)
    # Forward map: scale, then slant, then rotate; the warp needs its inverse.
    forward = np.empty((n, 2, 2))
    forward[:, 0, 0], forward[:, 0, 1] = cos * scale, (cos * shear - sin) * scale
    forward[:, 1, 0], forward[:, 1, 1] = sin * scale, (sin * shear + cos) * scale
    inverse = np.linalg.inv(forward)
    images = np.empty((n, size, size), dtype=np.uint8)
    for lo in range(0, n, _CHUNK):
        part = slice(lo, min(n, lo + _CHUNK))
        image = _warp(bases, which[part], centres[which[part]], inverse[part], shift[part].astype(np.float32))
        if settings["noise"]:
            image += settings["noise"] * rng.standard_normal(image.shape, dtype=np.float32)
        images[part] = np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)
    return images, labels


def _read_cache(path: str, key: str, n: int, size: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The cached arrays, or None if the file is missing, unreadable, partial or for other arguments."""
    if not os.path.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            images, labels, stored_key = stored["images"], stored["labels"], str(stored["key"])
    except Exception as error:  # any damage to the file means: draw again
        warnings.warn(f"glyph cache {path} is unreadable ({type(error).__name__}); regenerating it.", stacklevel=3)
        return None
    if stored_key != key or images.shape != (n, size, size) or images.dtype != np.uint8 \
            or labels.shape != (n,) or labels.dtype != np.int32:
        warnings.warn(f"glyph cache {path} does not hold the requested images; regenerating it.", stacklevel=3)
        return None
    return images, labels


def _as_float(images: np.ndarray) -> np.ndarray:
    """uint8 grey levels (n, size, size) -> float32 images (n, size, size, 1) in [0, 1]."""
    x = images[..., None].astype(np.float32)
    x /= np.float32(255)
    return x


def _write_cache(path: str, key: str, images: np.ndarray, labels: np.ndarray) -> None:
    try:
        with atomic_write(path) as handle:
            np.savez(handle, images=images, labels=labels, key=np.array(key))
    except OSError as error:  # a read-only home must not stop the lesson
        warnings.warn(f"could not write the glyph cache {path} ({error}); the images were not cached.",
                      stacklevel=3)


def glyph_images(
    n: int = 10_000,
    seed: int = 0,
    classes: int | str | Sequence[str] | None = None,
    augment: bool = True,
    shift: float | None = None,
    rotation: float | None = None,
    scale: float | None = None,
    shear: float | None = None,
    stroke: int | None = None,
    noise: float | None = None,
    size: int = 28,
    fonts: Sequence[str] | None = None,
    test_size: float = 0.2,
    cache: bool = True,
) -> Dataset:
    """Printed glyphs as a classification dataset of any size: `load("glyphs", n=...)`.

    `n` images, balanced over the classes (counts differ by at most one),
    each a random font of `FONT_FILES`, drawn clean and then, with
    `augment=True`, shifted, rotated, scaled, slanted, thickened and noised
    by random amounts up to the given limits (defaults in `AUGMENTATION`).
    Images are `size` x `size` x 1, float32 in [0, 1] with ink = 1, the
    glyph's longer side in a box of 20/28 of the side and its centre of mass
    at the centre (as MNIST digits are), in 256 grey levels. The test split
    (`test_size`, stratified) is fixed by `seed`; `load("glyphs")` also
    carves a stratified validation split from the training part.

    Same arguments and `RENDERER_VERSION`, same arrays; another seed, other
    images. With `cache=True` the images are kept in an `.npz` file under
    `cache_dir()` (named by a hash of the generation arguments), so a second
    call reads them back instead of drawing them; a damaged file is drawn again.

    Args:
        n: Number of images (at least 3 per class, one for each split).
        seed: Seed of the fonts, the augmentation, the noise and the splits.
        classes: None (all 47 `GLYPH_CLASSES`), an int k (the first k), or a
            sequence (or string) of names from `GLYPH_CLASSES`, in label order.
        augment: False: clean glyphs (only the font varies); the parameters
            below must then be left out or 0.
        shift: Largest shift, a fraction of the side in [0, 0.5) (default 0.1).
        rotation: Largest rotation in degrees, [0, 180] (default 15).
        scale: Largest relative change of size, [0, 0.9) (default 0.15).
        shear: Largest slant (x moves by shear * y), [0, 1] (default 0.2).
        stroke: Largest extra pen width, an integer in [0, 8], in pixels of
            the 64-pixel drawing (default 3).
        noise: Standard deviation of Gaussian pixel noise, [0, 1] (default 0.05).
        size: Side of the images in pixels, 8..64 (default 28, as MNIST).
        fonts: Font file names from `FONT_FILES` (default all 21).
        test_size: Share of the images in the test split, in (0, 1).
        cache: Read and write the images under `cache_dir()`.

    Returns:
        A `Dataset` (task "multiclass", or "binary" for 2 classes);
        `extras` holds the augmentation settings, the fonts, the cache file
        and whether the images came from it.

    Raises:
        ValueError: An argument out of range (the message names it, the value
            and what is allowed).

    Example:
        >>> data = glyph_images(n=60, classes="OX#", seed=1, cache=False)
        >>> data.class_names, data.num_outputs, data.x_test.shape, data.x_train.dtype
        (['O', 'X', '#'], 3, (12, 28, 28, 1), dtype('float32'))
        >>> clean = glyph_images(n=60, classes=2, augment=False, cache=False)
        >>> clean.task, float(clean.x_train.min()), float(clean.x_train.max())
        ('binary', 0.0, 1.0)
    """
    seed = check_non_negative_int("seed", seed)
    names = resolve_classes(classes)
    settings = _augmentation(augment, {"shift": shift, "rotation": rotation, "scale": scale, "shear": shear,
                                       "stroke": stroke, "noise": noise})
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 3 * len(names):
        raise ValueError(f"n must be an integer >= 3 per class ({3 * len(names)} for {len(names)} classes); "
                         f"got {n!r}.")
    n = int(n)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 8 <= size <= 64:
        raise ValueError(f"size must be an integer in [8, 64] (pixels per side); got {size!r}.")
    size = int(size)
    fonts = tuple(FONT_FILES if fonts is None else fonts)
    unknown = [f for f in fonts if f not in FONT_FILES]
    if not fonts or unknown or len(set(fonts)) < len(fonts):
        raise ValueError(f"fonts must be a non-empty subset of FONT_FILES without repeats; got {fonts!r}.")
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)) or not 0 < test_size < 1:
        raise ValueError(f"test_size must be a number in (0, 1); got {test_size!r}.")
    n_test = int(round(n * test_size))
    if not 1 <= n_test < n:
        raise ValueError(f"test_size={test_size!r} leaves an empty split out of n={n} images.")
    check_bool("cache", cache)

    key = json.dumps({"renderer": RENDERER_VERSION, "n": n, "seed": seed, "classes": "".join(names),
                      "fonts": list(fonts), "size": size, "augmentation": settings}, sort_keys=True)
    path = os.path.join(cache_dir(), "glyphs", f"glyphs-{hashlib.sha256(key.encode()).hexdigest()[:20]}.npz")
    start = time.perf_counter()
    found = _read_cache(path, key, n, size) if cache else None
    if found is None:
        images, labels = _render_images(n, seed, names, fonts, size, settings)
        if cache:
            _write_cache(path, key, images, labels)
    else:
        images, labels = found
    test = _stratified_indices(labels, n_test, np.random.default_rng([seed, 1]))
    train = np.setdiff1d(np.arange(n), test)
    x_train, x_test = _as_float(images[train]), _as_float(images[test])
    binary = len(names) == 2
    described = ", ".join(f"{k} {v:g}" for k, v in settings.items()) if augment else "none (clean glyphs)"
    return Dataset(
        "glyphs", x_train, labels[train], x_test, labels[test], "binary" if binary else "multiclass",
        1 if binary else len(names), list(names),
        f"Synthetic printed glyphs (kerasdl renderer v{RENDERER_VERSION}): {n} images of {len(names)} classes "
        f"(letters and symbols, no digits), {size}x{size} grey in [0, 1] with ink = 1, drawn with "
        f"{len(fonts)} matplotlib fonts, seed {seed}; augmentation: {described}.",
        extras={"augmentation": settings, "fonts": list(fonts), "size": size,
                "cache_file": path if cache else None, "from_cache": found is not None,
                "seconds": time.perf_counter() - start},
    )
