"""A generative adversarial network that trains with `fit()`.

The generator turns random noise into samples; the discriminator scores
samples as real or generated. `GAN.train_step` alternates one discriminator
update and one generator update per batch. The train step is written for
the TensorFlow (`tf.GradientTape`) and PyTorch (`loss.backward()`) backends;
on JAX, whose train steps must be stateless functions, `compile()` raises
NotImplementedError. Building, sampling and saving work on every backend.

Example:
    >>> from kerasdl.models import gan
    >>> model = gan((2,), latent_dim=4)
    >>> model.sample(5).shape
    (5, 2)
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from kerasdl.validation import check_int_sequence, check_positive_int, check_shape, resolve_activation


_TRAINING_BACKENDS = ("tensorflow", "torch")


@keras.saving.register_keras_serializable(package="kerasdl")
class GAN(keras.Model):
    """Generator + discriminator with an adversarial `train_step`.

    Call `compile()` (optimizers default to Adam(2e-4, beta_1=0.5)) then
    `fit(real_samples, ...)`; the history has `d_loss` and `g_loss`.
    Calling the model on noise runs the generator.

    Example:
        >>> import keras
        >>> g = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
        >>> d = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        >>> GAN(g, d).latent_dim
        2
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.input_shape[-1])
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.built = True

    def call(self, noise: Any, training: bool | None = None) -> Any:
        return self.generator(noise, training=training)

    def compile(self, d_optimizer: Any = None, g_optimizer: Any = None, **kwargs: Any) -> None:
        """Set the two optimizers; the loss is binary cross-entropy on logits.

        Raises:
            NotImplementedError: On a backend other than TensorFlow and PyTorch.
        """
        if keras.backend.backend() not in _TRAINING_BACKENDS:
            raise NotImplementedError(
                "GAN training needs the TensorFlow or PyTorch backend (its train step uses "
                f"tf.GradientTape or torch autograd); the Keras backend is {keras.backend.backend()!r}. "
                "Set KERAS_BACKEND=tensorflow or KERAS_BACKEND=torch."
            )
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def get_compile_config(self) -> dict:
        # Optimizer choices are not stored; a loaded GAN is recompiled with the defaults.
        return {}

    def compile_from_config(self, config: dict) -> None:
        if keras.backend.backend() in _TRAINING_BACKENDS:
            self.compile()

    @property
    def metrics(self) -> list:
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, data: Any) -> dict:
        real = data[0] if isinstance(data, tuple) else data
        if keras.backend.backend() == "torch":
            return self._train_step_torch(real)
        import tensorflow as tf

        batch = tf.shape(real)[0]
        ones, zeros = tf.ones((batch, 1)), tf.zeros((batch, 1))

        noise = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        fake = self.generator(noise, training=True)
        with tf.GradientTape() as tape:
            d_loss = (self.loss_fn(ones, self.discriminator(real, training=True))
                      + self.loss_fn(zeros, self.discriminator(fake, training=True)))
        grads = tape.gradient(d_loss, self.discriminator.trainable_variables)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_variables))

        noise = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            # The generator improves when the discriminator calls its samples real.
            g_loss = self.loss_fn(ones, self.discriminator(self.generator(noise, training=True), training=True))
        grads = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    def _train_step_torch(self, real: Any) -> dict:
        # The same two updates as above, with torch autograd in place of the tape.
        import torch

        batch = real.shape[0]
        ones = keras.ops.ones((batch, 1))
        zeros = keras.ops.zeros((batch, 1))

        noise = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        fake = self.generator(noise, training=True).detach()
        self.zero_grad()
        d_loss = (self.loss_fn(ones, self.discriminator(real, training=True))
                  + self.loss_fn(zeros, self.discriminator(fake, training=True)))
        d_loss.backward()
        d_vars = self.discriminator.trainable_weights
        with torch.no_grad():
            self.d_optimizer.apply([v.value.grad for v in d_vars], d_vars)

        noise = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        self.zero_grad()
        g_loss = self.loss_fn(ones, self.discriminator(self.generator(noise, training=True), training=True))
        g_loss.backward()
        g_vars = self.generator.trainable_weights
        with torch.no_grad():
            self.g_optimizer.apply([v.value.grad for v in g_vars], g_vars)

        self.d_loss_tracker.update_state(d_loss.detach())
        self.g_loss_tracker.update_state(g_loss.detach())
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """Generate `n` samples as a numpy array (seeded for reproducible figures).

        Example:
            >>> gan((2,), latent_dim=3).sample(4, seed=0).shape
            (4, 2)
        """
        n = check_positive_int("n", n)
        noise = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")
        # Direct calls, in chunks: `predict` would build (and, after training, retrace) a
        # function for one use, and TensorFlow logs a retracing warning when that happens often.
        chunks = [self.generator(noise[i:i + 4096], training=False) for i in range(0, n, 4096)]
        return np.concatenate([keras.ops.convert_to_numpy(c) for c in chunks])

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "seed": self.seed,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
        }

    @classmethod
    def from_config(cls, config: dict) -> "GAN":
        config = dict(config)
        generator = keras.saving.deserialize_keras_object(config.pop("generator"))
        discriminator = keras.saving.deserialize_keras_object(config.pop("discriminator"))
        return cls(generator, discriminator, **config)


def gan(
    data_shape: tuple[int, ...],
    latent_dim: int = 8,
    generator_units: tuple[int, ...] = (64, 64),
    discriminator_units: tuple[int, ...] = (64, 64),
    output_activation: Any = "linear",
    seed: int | None = None,
    name: str = "gan",
) -> GAN:
    """Build a dense GAN for vectors or small images.

    Args:
        data_shape: Shape of one real sample, e.g. `(2,)` for points in the
            plane or `(8, 8, 1)` for small images.
        latent_dim: Size of the noise vector the generator starts from.
        generator_units: Hidden widths of the generator (ReLU).
        discriminator_units: Hidden widths of the discriminator (leaky ReLU).
        output_activation: Generator output: "linear" for unbounded data,
            "sigmoid" for data in [0, 1], "tanh" for data in [-1, 1].
        seed: Seed for the noise drawn during training.
        name: Model name.

    Returns:
        An uncompiled `GAN`; `compile()` then `fit(x)` (TensorFlow or PyTorch backend).

    Example:
        >>> model = gan((8, 8, 1), latent_dim=16, output_activation="sigmoid")
        >>> model.generator.output_shape, model.discriminator.output_shape
        ((None, 8, 8, 1), (None, 1))
    """
    data_shape = check_shape("data_shape", data_shape)
    latent_dim = check_positive_int("latent_dim", latent_dim)
    generator_units = check_int_sequence("generator_units", generator_units)
    discriminator_units = check_int_sequence("discriminator_units", discriminator_units)
    output_activation = resolve_activation("output_activation", output_activation)
    flat = int(np.prod(data_shape))

    z = keras.Input(shape=(latent_dim,), name="noise")
    x = z
    for index, units in enumerate(generator_units, start=1):
        x = keras.layers.Dense(units, activation="relu", name=f"gen_{index}")(x)
    x = keras.layers.Dense(flat, activation=output_activation, name="sample")(x)
    if len(data_shape) > 1:
        x = keras.layers.Reshape(data_shape, name="unflatten")(x)
    generator = keras.Model(z, x, name="generator")

    real = keras.Input(shape=data_shape, name="input")
    x = keras.layers.Flatten(name="flatten")(real) if len(data_shape) > 1 else real
    for index, units in enumerate(discriminator_units, start=1):
        x = keras.layers.Dense(units, name=f"disc_{index}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"disc_act_{index}")(x)
    logit = keras.layers.Dense(1, name="real_logit")(x)
    discriminator = keras.Model(real, logit, name="discriminator")
    return GAN(generator, discriminator, seed=seed, name=name)
