"""Shared test setup: quiet TensorFlow, a non-interactive matplotlib, a fresh Keras session per test."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    # Layer-name counters and seeds from one test must not leak into the next.
    import keras

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
