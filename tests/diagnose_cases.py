"""Real training runs that go wrong in one known way each, plus a healthy one, for the diagnosis tests.

Every case trains a small network on real data (the 8x8 digits, flattened) for a few epochs and
returns what a learner would pass to `diagnose`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from kerasdl.recorders import ActivationRecorder, GradientRecorder


@dataclass
class Case:
    history: Any
    gradients: Any
    activations: Any
    model: Any


def digits(n_train: int = 400, n_val: int = 200, seed: int = 0):
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    order = np.random.default_rng(seed).permutation(len(x))
    tr, va = order[:n_train], order[n_train:n_train + n_val]
    return x[tr], y[tr], x[va], y[va]


def spirals(n_train: int = 400, n_val: int = 200, seed: int = 0):
    from kerasdl import datasets

    data = datasets.load("spirals", seed=seed)
    return data.x_train[:n_train], data.y_train[:n_train], data.x_test[:n_val], data.y_test[:n_val]


def mlp(depth: int = 3, width: int = 32, activation: str = "relu", init: Any = "glorot_uniform",
        bias: Any = "zeros", dropout: float = 0.0, inputs: int = 64, classes: int = 10) -> keras.Model:
    x = keras.Input((inputs,))
    h = x
    for i in range(depth):
        h = keras.layers.Dense(width, activation=activation, kernel_initializer=init,
                               bias_initializer=bias, name=f"hidden_{i + 1}")(h)
        if dropout:
            h = keras.layers.Dropout(dropout, name=f"dropout_{i + 1}")(h)
    out = keras.layers.Dense(classes, activation="softmax", name="output")(h)
    return keras.Model(x, out)


def train(model: keras.Model, seed: int = 0, epochs: int = 8, lr: float = 1e-3, optimizer: str = "adam",
          n_train: int = 400, batch_size: int = 32, clipnorm: float | None = None,
          record: bool = True, data: Any = digits) -> Case:
    x, y, xv, yv = data(n_train=n_train, seed=seed)
    opt_cls = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}[optimizer]
    opt = opt_cls(learning_rate=lr, **({"clipnorm": clipnorm} if clipnorm else {}))
    model.compile(opt, "sparse_categorical_crossentropy", metrics=["accuracy"])
    grads = GradientRecorder() if record else None
    acts = ActivationRecorder(xv[:64], every=5) if record else None
    callbacks = [c for c in (grads, acts) if c is not None]
    history = model.fit(x, y, validation_data=(xv, yv), epochs=epochs, batch_size=batch_size, verbose=0,
                        callbacks=callbacks)
    return Case(history, grads, acts, model)


def build(name: str, seed: int = 0) -> Case:
    """Train the case `name` (a key of CASES) with `seed`."""
    keras.utils.set_random_seed(seed)
    return CASES[name](seed)


CASES = {
    # Adam at its default rate on a modest ReLU net: the run every rule must leave alone.
    "healthy": lambda s: train(mlp(), seed=s),
    # The course's deep sigmoid network: each layer scales the gradient by at most 0.25.
    "vanishing": lambda s: train(mlp(depth=10, width=32, activation="sigmoid"), seed=s, epochs=4,
                                 optimizer="sgd", lr=0.1),
    # Weights drawn 4x too large for ReLU: the signal and its gradient grow with every layer.
    "exploding": lambda s: train(mlp(depth=6, init=keras.initializers.RandomNormal(stddev=2.0)),
                                 seed=s, epochs=3, optimizer="sgd", lr=1e-3),
    # Plain SGD at a learning rate of 10.
    "lr_high": lambda s: train(mlp(), seed=s, epochs=5, optimizer="sgd", lr=10.0),
    # Adam at 1e-7: ten thousand times below its default.
    "lr_low": lambda s: train(mlp(), seed=s, epochs=4, lr=1e-7),
    # A wide net memorising 50 examples, full batch, far past its best epoch.
    "overfit": lambda s: train(mlp(depth=2, width=256), seed=s, epochs=60, lr=3e-3, n_train=50,
                               batch_size=50),
    # A linear classifier (no hidden layer) cannot separate two interleaved spirals.
    "underfit": lambda s: train(mlp(depth=0, inputs=2, classes=2), seed=s, epochs=12, lr=0.05,
                                data=spirals),
    # Heavy dropout: the training loss is measured with half the units off.
    "val_below": lambda s: train(mlp(depth=2, width=128, dropout=0.6), seed=s, epochs=8),
    # Biases of -3 on standardised inputs: most ReLU inputs are negative for every example.
    "dead_relu": lambda s: train(mlp(bias=keras.initializers.Constant(-3.0)), seed=s, epochs=3),
    # Sigmoid units with weights 5x too large sit in their flat tails.
    "saturated": lambda s: train(mlp(activation="sigmoid",
                                     init=keras.initializers.RandomNormal(stddev=3.0)), seed=s, epochs=3),
    # A clipping threshold far below the typical gradient norm.
    "clipping": lambda s: train(mlp(), seed=s, epochs=3, clipnorm=1e-3),
}
