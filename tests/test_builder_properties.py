"""Property tests: any argument combination gives a working model or a clear ValueError/TypeError.

Arguments are drawn from pools mixing valid values with wrong types, zero,
negative and out-of-range values, and unknown names. Hypothesis runs
derandomised so the suite is deterministic.
"""

from __future__ import annotations

import keras
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerasdl import models

pytestmark = [pytest.mark.backend_neutral, pytest.mark.slow]

EXAMPLES = 500
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

junk = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.text(max_size=4),
                 st.lists(st.integers(-2, 3), max_size=2))
small_int = st.one_of(st.integers(1, 12), st.integers(-3, 0), junk)
rate = st.one_of(st.floats(0.0, 0.9), st.floats(-1.0, 2.0), st.just(1.0), junk)
shape = st.one_of(
    st.lists(st.integers(1, 9), min_size=1, max_size=3).map(tuple),
    st.lists(st.integers(-1, 9), min_size=0, max_size=4).map(tuple),
    st.integers(-2, 9), junk,
)
activation = st.one_of(st.sampled_from(["relu", "sigmoid", "tanh", "gelu", "linear", "selu"]),
                       st.sampled_from(["relux", "Sigmoid!", ""]), junk)
initializer = st.one_of(st.sampled_from(["auto", "zeros", "glorot_uniform", "he_normal", "ones"]),
                        st.sampled_from(["xavier", "he"]), junk)
task = st.one_of(st.none(), st.sampled_from(["multiclass", "binary", "regression", "ranking"]), junk)
flag = st.one_of(st.booleans(), junk)


def _check(build) -> None:
    keras.backend.clear_session()
    try:
        model = build()
    except (ValueError, TypeError) as error:
        assert str(error), "errors must explain themselves"
        return
    built = model[0] if isinstance(model, tuple) else model
    assert isinstance(built, keras.Model)


@SETTINGS
@given(shape, small_int, small_int, small_int, activation, initializer, flag, rate, flag, task)
def test_mlp_builders(input_shape, num_outputs, depth, width, act, init, bn, dropout, residual, task_):
    _check(lambda: models.deep_mlp(input_shape, num_outputs, depth=depth, width=width, activation=act,
                                   kernel_initializer=init, batch_norm=bn, dropout=dropout, residual=residual,
                                   task=task_))
    _check(lambda: models.shallow_mlp(input_shape, num_outputs, hidden_units=width, activation=act, task=task_))


@SETTINGS
@given(shape, small_int, st.one_of(st.lists(st.integers(1, 8), max_size=4).map(tuple), junk), small_int,
       activation, flag, rate, st.one_of(st.integers(0, 8), small_int), task)
def test_cnn_builder(input_shape, num_outputs, filters, kernel_size, act, bn, dropout, dense_units, task_):
    _check(lambda: models.cnn(input_shape, num_outputs, filters=filters, kernel_size=kernel_size, activation=act,
                              batch_norm=bn, dropout=dropout, dense_units=dense_units, task=task_))


@SETTINGS
@given(shape, small_int, st.one_of(st.sampled_from(["simple", "lstm", "gru", "GRU", "cnn"]), junk), small_int,
       st.one_of(st.integers(1, 3), small_int), st.one_of(st.none(), small_int), flag, rate, task)
def test_rnn_builder(input_shape, num_outputs, cell, units, num_layers, vocab, bidir, dropout, task_):
    _check(lambda: models.rnn(input_shape, num_outputs, cell=cell, units=units, num_layers=num_layers,
                              vocab_size=vocab, bidirectional=bidir, dropout=dropout, task=task_))


@SETTINGS
@given(small_int, small_int, small_int, st.one_of(st.sampled_from([4, 8, 12]), small_int),
       st.one_of(st.sampled_from([1, 2, 4]), small_int), small_int, st.one_of(st.integers(1, 2), small_int),
       rate, task)
def test_transformer_builder(vocab, length, num_outputs, embed_dim, heads, ff_dim, blocks, dropout, task_):
    _check(lambda: models.transformer_classifier(vocab, length, num_outputs, embed_dim=embed_dim, num_heads=heads,
                                                 ff_dim=ff_dim, num_blocks=blocks, dropout=dropout, task=task_))


@SETTINGS
@given(shape, small_int, st.one_of(st.lists(st.integers(1, 8), max_size=3).map(tuple), junk), activation,
       st.one_of(st.sampled_from(["sigmoid", "linear"]), activation),
       st.one_of(st.floats(0.0, 1.0), st.floats(-1.0, 1.0), junk))
def test_autoencoder_builder(input_shape, latent, hidden, act, out_act, noise):
    _check(lambda: models.autoencoder(input_shape, latent, hidden_units=hidden, activation=act,
                                      output_activation=out_act, noise_stddev=noise))


@SETTINGS
@given(shape, small_int, st.one_of(st.lists(st.integers(1, 8), min_size=1, max_size=3).map(tuple), junk),
       st.one_of(st.lists(st.integers(1, 8), min_size=1, max_size=3).map(tuple), junk), activation)
def test_gan_builder(data_shape, latent, gen_units, disc_units, out_act):
    _check(lambda: models.gan(data_shape, latent_dim=latent, generator_units=gen_units,
                              discriminator_units=disc_units, output_activation=out_act))
