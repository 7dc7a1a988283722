"""Sine gratings, and what they reveal about a filter: does it prefer one orientation?

Visual neuroscience measures a neuron's preferred orientation by showing it
stripes (sinusoidal gratings) at many angles and recording how strongly it
answers. The same probe works on the filters of a network: a filter that
detects edges of one direction answers strongly to stripes of that direction
and weakly to the perpendicular ones; a random or blob-like filter answers
about equally to all of them.

`orientation_tuning` does this for a stack of filters. For each orientation
and spatial frequency it takes the filter's response to a grating and to the
same grating shifted by a quarter period (a quadrature pair), so that the
amplitude does not depend on where the stripes fall. At the filter's best
frequency the orientation selectivity is

    |sum_k A(theta_k) exp(2i theta_k)| / sum_k A(theta_k),

one minus the circular variance of the tuning curve: 0 when all orientations
answer alike, 1 when only one does (angles are doubled because a grating at
theta and at theta + 180 degrees is the same grating).

Example:
    >>> import numpy as np
    >>> stripes = grating(8, frequency=0.25, orientation=0.0)
    >>> tuning = orientation_tuning(stripes[None])
    >>> round(float(tuning.preferred_degrees[0]), 6), round(float(tuning.selectivity[0]), 2)
    (0.0, 0.82)

Even a filter that *is* a grating scores about 0.8 on an 8x8 window, not 1: a
few stripes in a small window also answer to nearby angles. Random filters
score about 0.2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kerasdl.validation import check_positive_int

DEFAULT_FREQUENCIES = (0.125, 0.1875, 0.25, 0.3125, 0.375)  # cycles per pixel, below Nyquist (0.5)


def grating(size: int, frequency: float, orientation: float, phase: float = 0.0) -> np.ndarray:
    """A square sine grating: stripes of one spatial frequency and direction.

    Args:
        size: Side of the image in pixels.
        frequency: Cycles per pixel, in (0, 0.5] (0.5 is one stripe per pixel,
            the finest a pixel grid can hold).
        orientation: Direction of the brightness change in radians: 0 makes
            vertical stripes (brightness changes from left to right), pi/2
            horizontal ones.
        phase: Shift of the stripes, in radians.

    Returns:
        float64 array `(size, size)` with values in [-1, 1], centred on the
        image's middle.

    Example:
        >>> g = grating(4, frequency=0.25, orientation=0.0)
        >>> np.allclose(g[0], g[-1]), np.allclose(g[:, 0], -g[:, 1])
        (True, True)
    """
    size = check_positive_int("size", size)
    if isinstance(frequency, bool) or not isinstance(frequency, (int, float)) or not 0 < frequency <= 0.5:
        raise ValueError(f"frequency must be a number in (0, 0.5] cycles per pixel; got {frequency!r}.")
    for name, value in (("orientation", orientation), ("phase", phase)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number of radians; got {value!r}.")
    rows, cols = np.mgrid[0:size, 0:size] - (size - 1) / 2
    along = cols * np.cos(orientation) + rows * np.sin(orientation)
    return np.cos(2 * np.pi * frequency * along + phase)


@dataclass(frozen=True)
class OrientationTuning:
    """How a stack of filters answers to gratings, and how selective each is.

    Attributes:
        amplitudes: `(filters, frequencies, orientations)` response amplitudes
            (phase-invariant: the length of the quadrature pair's responses).
        orientations: The angles probed, radians in [0, pi).
        frequencies: The spatial frequencies probed, cycles per pixel.
        best_frequency: `(filters,)` the frequency with the largest amplitude.
        selectivity: `(filters,)` orientation selectivity at that frequency, in
            [0, 1] (see the module docstring).
        preferred_degrees: `(filters,)` the preferred orientation in degrees,
            [0, 180), from the tuning curve's doubled-angle mean.

    Example:
        >>> t = orientation_tuning(np.ones((1, 5, 5)))
        >>> t.amplitudes.shape
        (1, 5, 16)
    """

    amplitudes: np.ndarray
    orientations: np.ndarray
    frequencies: np.ndarray
    best_frequency: np.ndarray
    selectivity: np.ndarray
    preferred_degrees: np.ndarray


def orientation_tuning(filters: np.ndarray, orientations: int = 16,
                       frequencies: tuple[float, ...] = DEFAULT_FREQUENCIES) -> OrientationTuning:
    """Probe square filters with gratings: preferred orientation and selectivity of each.

    Args:
        filters: `(n, size, size)` or `(n, size, size, 1)` filters (one grey
            filter per row); a Dense layer's kernel of shape `(size*size, n)`
            becomes this with `kernel.T.reshape(n, size, size)`.
        orientations: How many angles to probe, evenly over [0, pi). Use an
            even number so that a filter turned by 90 degrees is probed at its
            own angles.
        frequencies: Spatial frequencies to probe, cycles per pixel in (0, 0.5].

    Returns:
        An `OrientationTuning`.

    Raises:
        ValueError: Filters that are not a stack of square grey images, or
            bad `orientations` / `frequencies`.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> tuning = orientation_tuning(rng.normal(size=(100, 8, 8)))
        >>> bool(tuning.selectivity.mean() < 0.4)
        True
    """
    array = np.asarray(filters, dtype="float64")
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 3 or array.shape[1] != array.shape[2] or array.shape[0] == 0:
        raise ValueError(f"filters must have shape (n, size, size) or (n, size, size, 1) with n >= 1; "
                         f"got {np.shape(filters)}.")
    if not np.all(np.isfinite(array)):
        raise ValueError("filters contain NaN or infinite values.")
    count = check_positive_int("orientations", orientations)
    try:
        freqs = np.asarray([float(f) for f in frequencies], dtype="float64")
    except (TypeError, ValueError):
        raise ValueError(f"frequencies must be a sequence of numbers in (0, 0.5]; got {frequencies!r}.") from None
    if freqs.size == 0 or np.any(freqs <= 0) or np.any(freqs > 0.5):
        raise ValueError(f"frequencies must be a non-empty sequence of numbers in (0, 0.5]; got {frequencies!r}.")
    size = array.shape[1]
    angles = np.arange(count) * np.pi / count
    flat = array.reshape(len(array), -1)
    amplitudes = np.empty((len(array), len(freqs), count))
    for i, freq in enumerate(freqs):
        for j, angle in enumerate(angles):
            even = grating(size, float(freq), float(angle)).ravel()
            odd = grating(size, float(freq), float(angle), phase=-np.pi / 2).ravel()
            amplitudes[:, i, j] = np.hypot(flat @ even, flat @ odd)
    best = amplitudes.max(axis=2).argmax(axis=1)
    curves = amplitudes[np.arange(len(array)), best]  # (n, orientations)
    resultant = (curves * np.exp(2j * angles)).sum(axis=1)
    total = curves.sum(axis=1)
    selectivity = np.where(total > 0, np.abs(resultant) / np.where(total > 0, total, 1.0), 0.0)
    preferred = np.degrees(np.angle(resultant) / 2) % 180.0
    return OrientationTuning(amplitudes=amplitudes, orientations=angles, frequencies=freqs,
                             best_frequency=freqs[best], selectivity=selectivity,
                             preferred_degrees=preferred)
