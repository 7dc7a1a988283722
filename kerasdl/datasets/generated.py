"""Small generated datasets for the lessons that need a controlled task.

Each is drawn from a seeded random generator, so the same seed gives the
same data on every machine.

Example:
    >>> from kerasdl.datasets.generated import spirals
    >>> spirals(n_samples=200).x_train.shape
    (150, 2)
"""

from __future__ import annotations

import numpy as np

from kerasdl.datasets.base import Dataset
from kerasdl.validation import check_positive_int


def _split(x: np.ndarray, y: np.ndarray, test_size: float, rng: np.random.Generator):
    order = rng.permutation(len(x))
    cut = int(round(len(x) * (1 - test_size)))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def moons(n_samples: int = 1000, noise: float = 0.2, seed: int = 0, test_size: float = 0.25) -> Dataset:
    """Two interleaving half circles (scikit-learn's `make_moons`), a binary task.

    Example:
        >>> moons(n_samples=100).num_outputs
        1
    """
    from sklearn.datasets import make_moons

    n_samples = check_positive_int("n_samples", n_samples)
    x, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    parts = _split(x.astype("float32"), y.astype("int32"), test_size, np.random.default_rng(seed))
    return Dataset("moons", *parts[:2], *parts[2:], "binary", 1, ["upper", "lower"],
                   f"Two moons (scikit-learn make_moons), {n_samples} points, noise {noise}.")


def spirals(n_samples: int = 2000, turns: float = 2.0, noise: float = 0.1, seed: int = 0,
            test_size: float = 0.25) -> Dataset:
    """Two interleaved spirals in the plane, a binary task.

    Each arm winds `turns` times around the origin, so the boundary between
    the classes folds back on itself: a task where composing many simple
    pieces (depth) pays off.

    Example:
        >>> spirals(n_samples=100).class_names
        ['arm A', 'arm B']
    """
    n_samples = check_positive_int("n_samples", n_samples)
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, n_samples)
    t = np.sqrt(rng.uniform(0.0, 1.0, n_samples))  # sqrt spreads points evenly along the arm
    angle = t * turns * 2 * np.pi + label * np.pi
    radius = t * 2.0
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x += rng.normal(0.0, noise, x.shape)
    parts = _split(x.astype("float32"), label.astype("int32"), test_size, rng)
    return Dataset("spirals", *parts[:2], *parts[2:], "binary", 1, ["arm A", "arm B"],
                   f"Two spirals, {turns} turns each, {n_samples} points, Gaussian noise {noise}.")


def waveforms(n_samples: int = 1500, timesteps: int = 50, noise: float = 0.3, seed: int = 0,
              test_size: float = 0.25) -> Dataset:
    """Noisy sine, square and sawtooth waves to classify: a time-series task for RNNs.

    Frequency (1-4 cycles per window), phase and amplitude are random, so a
    model has to recognise the wave's shape, not memorise one curve.
    Inputs have shape `(timesteps, 1)`.

    Example:
        >>> waveforms(n_samples=30).input_shape
        (50, 1)
    """
    n_samples = check_positive_int("n_samples", n_samples)
    timesteps = check_positive_int("timesteps", timesteps)
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 3, n_samples)
    cycles = rng.uniform(1.0, 4.0, (n_samples, 1))
    phase = rng.uniform(0.0, 1.0, (n_samples, 1))
    amplitude = rng.uniform(0.5, 1.5, (n_samples, 1))
    position = (np.linspace(0.0, 1.0, timesteps)[None, :] * cycles + phase) % 1.0
    shapes = np.stack([
        np.sin(2 * np.pi * position),
        np.where(position < 0.5, 1.0, -1.0),
        2.0 * position - 1.0,
    ])
    x = amplitude * shapes[label, np.arange(n_samples)] + rng.normal(0.0, noise, (n_samples, timesteps))
    parts = _split(x[..., None].astype("float32"), label.astype("int32"), test_size, rng)
    return Dataset("waveforms", *parts[:2], *parts[2:], "multiclass", 3, ["sine", "square", "sawtooth"],
                   f"{n_samples} noisy waves of {timesteps} steps (noise std {noise}): sine, square or sawtooth.")


def token_order(n_samples: int = 3000, length: int = 24, vocab_size: int = 20, seed: int = 0,
                test_size: float = 0.25) -> Dataset:
    """Token sequences where the label is whether marker 1 comes before marker 2.

    Every sequence holds filler tokens 3..vocab_size-1 plus one token 1 and
    one token 2 at random positions. Counting tokens cannot solve it: only
    their order matters, which is what attention with position embeddings
    (or recurrence) can see.

    Example:
        >>> token_order(n_samples=10).x_train.dtype
        dtype('int32')
    """
    n_samples = check_positive_int("n_samples", n_samples)
    length = check_positive_int("length", length)
    if length < 2 or vocab_size < 4:
        raise ValueError(f"token_order needs length >= 2 and vocab_size >= 4; got {length}, {vocab_size}.")
    rng = np.random.default_rng(seed)
    x = rng.integers(3, vocab_size, (n_samples, length))
    for row in x:
        first, second = rng.choice(length, size=2, replace=False)
        row[first], row[second] = 1, 2
    label = (np.argmax(x == 1, axis=1) < np.argmax(x == 2, axis=1)).astype("int32")
    parts = _split(x.astype("int32"), label, test_size, rng)
    data = Dataset("token_order", *parts[:2], *parts[2:], "binary", 1, ["2 before 1", "1 before 2"],
                   f"{n_samples} sequences of {length} tokens (vocabulary {vocab_size}); label: does 1 precede 2?")
    data.extras["vocab_size"] = vocab_size
    return data
